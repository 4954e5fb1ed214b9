//! The live-update hub of one app instance: SurrealDB `LIVE SELECT` queries on the tables a
//! retro board and a feedback inbox show, fanned out to this instance's open event streams.
//!
//! Why live queries and not an in-process broadcast fed by the repository writes: with several
//! app instances on one SurrealDB server, a write through one instance must reach the viewers
//! connected to every other. The database sees every write, whichever instance made it, and
//! tells each instance's live queries; an in-process channel only knows its own instance's
//! writes. Each instance holds one live query per table (not one per viewer) and filters the
//! notifications by project for its streams, so viewers cost the database nothing.
//!
//! Who is on a board (presence) is kept in the `presence` table for the same reason: a viewer
//! connected to instance A counts for a viewer connected to instance B (see
//! [`super::presence`]). The hub also follows the user and membership counters, so that the
//! shared access verdicts of its streams ([`super::streams`]) are dropped the moment a
//! session, token or membership changes, on whichever instance it changed.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde::Serialize;
use surrealdb::Notification;
use surrealdb::types::{Action, RecordId, SurrealValue, Value};
use tokio::sync::broadcast;

use super::presence::{BEAT, Board, PresenceBook, presence_count};
use super::streams::{AccessChecks, OpenStreams};
use crate::db::{Db, key_of, sprint_of};
use crate::revisions::Counter;
use domain::error::AppResult;

/// What changed, as an event stream names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// The retro of a sprint: its settings, cards, votes or health check.
    Retro,
    /// An action item (shown on its own retro and on later ones).
    ActionItem,
    /// Feedback (the inbox and the new-feedback counts).
    Feedback,
    /// Who is on a board.
    Presence,
}

/// What the hub hands to the streams of this instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A project's records changed.
    Changed {
        /// The project key.
        project: String,
        /// What changed ([`Topic::Retro`], [`Topic::ActionItem`] or [`Topic::Feedback`]).
        topic: Topic,
        /// The sprint, for retro events.
        #[serde(skip_serializing_if = "Option::is_none")]
        sprint: Option<u32>,
    },
    /// The number of people on a board changed.
    Presence {
        /// The project key.
        project: String,
        /// The board's sprint.
        sprint: u32,
        /// How many people are on it.
        count: u64,
    },
    /// The instance lost its live queries for a moment: everything may have changed.
    Resync,
    /// The instance is shutting down: streams end (browsers reconnect and catch up).
    Shutdown,
}

/// The tables watched, and what a change to each means.
const WATCHED: &[(&str, Topic)] = &[
    ("retro", Topic::Retro),
    ("retro_item", Topic::Retro),
    ("retro_vote", Topic::Retro),
    ("retro_health_answer", Topic::Retro),
    ("action_item", Topic::ActionItem),
    ("feedback", Topic::Feedback),
    ("presence", Topic::Presence),
];

/// The fields of a watched record that say where it belongs.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Row {
    id: Option<RecordId>,
    project: Option<Value>,
    retro: Option<RecordId>,
    board: Option<i64>,
}

/// The hub: a broadcast channel, the presence counts it last sent, and what its streams
/// share.
pub struct LiveHub {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    /// (project, sprint) of the boards whose count is being recomputed, to coalesce bursts.
    pending_presence: Mutex<HashSet<Board>>,
    /// The count last published for each board: a count is published only when it changes.
    last_count: Mutex<HashMap<Board, u64>>,
    /// This instance's viewers of boards.
    pub presence: Arc<PresenceBook>,
    /// This instance's open streams.
    pub streams: Arc<OpenStreams>,
    /// Shared access verdicts of the streams.
    pub access: AccessChecks,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self {
            tx,
            pending_presence: Mutex::new(HashSet::new()),
            last_count: Mutex::new(HashMap::new()),
            presence: Arc::new(PresenceBook::new(crate::secrets::new_token())),
            streams: Arc::new(OpenStreams::default()),
            access: AccessChecks::default(),
        }
    }
}

impl LiveHub {
    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.tx.subscribe()
    }

    /// Hands an event to every open stream of this instance.
    pub fn publish(&self, event: LiveEvent) {
        // No receiver is not an error: nobody is watching.
        let _ = self.tx.send(Arc::new(event));
    }

    /// Ends every open stream of this instance (at shutdown).
    pub fn close_streams(&self) {
        self.publish(LiveEvent::Shutdown);
    }

    /// Runs the live queries until the process ends: on a lost connection it starts them
    /// again and tells every stream to catch up ([`LiveEvent::Resync`]). Also renews this
    /// instance's presence entries every [`BEAT`] and recounts its boards then (a viewer on an
    /// instance that died stops counting without a write that would say so).
    pub fn spawn(self: &Arc<Self>, db: Db) -> Vec<tokio::task::JoinHandle<()>> {
        let hub = Arc::clone(self);
        let watched = db.clone();
        let watcher = tokio::spawn(async move {
            loop {
                if let Err(e) = hub.watch(&watched).await {
                    tracing::warn!(error = %e, "live queries stopped; starting them again");
                } else {
                    tracing::warn!("live queries ended; starting them again");
                }
                // Whatever happened meanwhile was not heard: check and send everything again.
                hub.access.forget_all();
                if let Ok(mut last) = hub.last_count.lock() {
                    last.clear();
                }
                hub.publish(LiveEvent::Resync);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let hub = Arc::clone(self);
        let renewer = tokio::spawn(async move {
            let mut beat = tokio::time::interval(BEAT);
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                beat.tick().await;
                if let Err(e) = hub.presence.renew(&db).await {
                    tracing::warn!(error = %e, "renewing presence");
                }
                for (project, sprint) in hub.presence.boards() {
                    hub.recount(db.clone(), project, sprint);
                }
            }
        });
        vec![watcher, renewer]
    }

    async fn watch(self: &Arc<Self>, db: &Db) -> AppResult<()> {
        let mut sql: String = WATCHED
            .iter()
            .map(|(table, _)| format!("LIVE SELECT * FROM {table};"))
            .collect();
        // The user and membership counters (`~user:…`, `~catalog`), for the access verdicts.
        sql.push_str(
            "LIVE SELECT id FROM revision WHERE string::starts_with(record::id(id), '~');",
        );
        let mut res = db.query(sql).await?;
        let mut streams = Vec::with_capacity(WATCHED.len() + 1);
        for (i, (_, topic)) in WATCHED.iter().enumerate() {
            let topic = Some(*topic);
            let stream = res.stream::<Notification<Row>>(i)?;
            streams.push(stream.map(move |n| (topic, n)).boxed());
        }
        let counters = res.stream::<Notification<Row>>(WATCHED.len())?;
        streams.push(counters.map(|n| (None, n)).boxed());
        let mut all = futures::stream::select_all(streams);
        while let Some((topic, notification)) = all.next().await {
            let notification = notification?;
            if matches!(notification.action, Action::Killed | Action::Error) {
                return Ok(());
            }
            let Some(topic) = topic else {
                self.counter_moved(&notification.data);
                continue;
            };
            let Some((project, sprint)) = place(&notification.data) else {
                continue;
            };
            if topic == Topic::Presence {
                // Renewals change nobody's presence.
                if notification.action != Action::Update
                    && let Some(sprint) = sprint
                {
                    self.recount(db.clone(), project, sprint);
                }
                continue;
            }
            self.publish(LiveEvent::Changed {
                project,
                topic,
                sprint,
            });
        }
        Ok(())
    }

    /// A user's sessions, tokens or account changed (`~user:<id>`), or memberships did
    /// (`~catalog`): the verdicts that depend on them are dropped.
    fn counter_moved(&self, row: &Row) {
        let Some(id) = &row.id else { return };
        match Counter::of(&key_of(id)) {
            Counter::User(user) => self.access.forget_user(user),
            Counter::Catalog => self.access.forget_all(),
            Counter::Project(_) | Counter::Directory => {}
        }
    }

    /// Counts who is on a board and publishes it when it changed; a burst of joins costs one
    /// count.
    fn recount(self: &Arc<Self>, db: Db, project: String, sprint: u32) {
        let board = (project.clone(), sprint);
        {
            let Ok(mut pending) = self.pending_presence.lock() else {
                return;
            };
            if !pending.insert(board.clone()) {
                return;
            }
        }
        let hub = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Ok(mut pending) = hub.pending_presence.lock() {
                pending.remove(&board);
            }
            match presence_count(&db, &project, sprint).await {
                Ok(count) => {
                    let changed = hub.last_count.lock().is_ok_and(|mut last| {
                        last.insert((project.clone(), sprint), count) != Some(count)
                    });
                    if changed {
                        hub.publish(LiveEvent::Presence {
                            project,
                            sprint,
                            count,
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "counting who is on a board"),
            }
        });
    }
}

/// The project key and sprint number a watched record belongs to.
fn place(row: &Row) -> Option<(String, Option<u32>)> {
    let project = match &row.project {
        Some(Value::RecordId(id)) => key_of(id),
        Some(Value::String(key)) => key.clone(),
        _ => return None,
    };
    // A retro's own id, or the retro a card, vote or answer belongs to: retro:[key, number].
    let retro = row
        .retro
        .as_ref()
        .or(row.id.as_ref().filter(|id| id.table.as_str() == "retro"));
    let sprint = retro
        .and_then(sprint_of)
        .or_else(|| row.board.and_then(|b| u32::try_from(b).ok()));
    Some((project, sprint))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> Db {
        crate::testing::seeded("live").await
    }

    async fn next(rx: &mut broadcast::Receiver<Arc<LiveEvent>>) -> LiveEvent {
        let ev = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("an event within 5 s")
            .expect("a live event");
        (*ev).clone()
    }

    #[tokio::test]
    async fn writes_to_a_board_reach_the_hub_with_their_project_and_sprint() {
        let db = db().await;
        let hub = Arc::new(LiveHub::default());
        let mut rx = hub.subscribe();
        hub.spawn(db.clone());
        // Give the live queries a moment to register.
        tokio::time::sleep(Duration::from_millis(200)).await;
        db.query(
            "CREATE retro_item:x SET project = project:alpha, retro = retro:['alpha', 3],
                column = 'start', text = 'Pair more', created_by = user:u1,
                created_at = time::now();
             DELETE retro_item:x;",
        )
        .await
        .expect("query")
        .check()
        .expect("write");
        for _ in 0..2 {
            let LiveEvent::Changed {
                project,
                topic,
                sprint,
            } = next(&mut rx).await
            else {
                panic!("a change event");
            };
            assert_eq!(project, "alpha");
            assert_eq!(topic, Topic::Retro);
            assert_eq!(sprint, Some(3), "create and delete both name the sprint");
        }
    }

    #[tokio::test]
    async fn presence_counts_people_not_tabs_and_ends_with_the_stream() {
        let db = db().await;
        let hub = Arc::new(LiveHub::default());
        let mut rx = hub.subscribe();
        hub.spawn(db.clone());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (two, three): (Board, Board) = (("alpha".into(), 2), ("alpha".into(), 3));
        let a = hub.presence.join(&db, &two, "u1").await.expect("join");
        let b = hub.presence.join(&db, &two, "u1").await.expect("join");
        let c = hub.presence.join(&db, &two, "u2").await.expect("join");
        let other = hub.presence.join(&db, &three, "u3").await.expect("join");
        assert_eq!(presence_count(&db, "alpha", 2).await.expect("count"), 2);
        assert_eq!(presence_count(&db, "alpha", 3).await.expect("count"), 1);
        assert_eq!(presence_count(&db, "beta", 2).await.expect("count"), 0);
        let ev = next(&mut rx).await;
        assert!(
            matches!(&ev, LiveEvent::Presence { project, .. } if project == "alpha"),
            "a presence event of alpha: {ev:?}"
        );
        drop((a, b, c, other));
        // The entries go in the background; the count follows.
        let mut count = u64::MAX;
        for _ in 0..50 {
            count = presence_count(&db, "alpha", 2).await.expect("count");
            if count == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(count, 0);
    }

    #[tokio::test]
    async fn a_count_is_published_only_when_it_changes() {
        let db = db().await;
        let hub = Arc::new(LiveHub::default());
        let mut rx = hub.subscribe();
        hub.spawn(db.clone());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let board: Board = ("alpha".into(), 2);
        let first = hub.presence.join(&db, &board, "u1").await.expect("join");
        let ev = next(&mut rx).await;
        assert!(matches!(ev, LiveEvent::Presence { count: 1, .. }), "{ev:?}");
        // A second tab of the same person, renewals and recounts: the count stays 1, nothing
        // is published.
        let second = hub.presence.join(&db, &board, "u1").await.expect("join");
        hub.presence.renew(&db).await.expect("renew");
        hub.recount(db.clone(), "alpha".into(), 2);
        let quiet = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
        assert!(quiet.is_err(), "published without a change: {quiet:?}");
        let someone = hub.presence.join(&db, &board, "u2").await.expect("join");
        let ev = next(&mut rx).await;
        assert!(matches!(ev, LiveEvent::Presence { count: 2, .. }), "{ev:?}");
        drop((first, second, someone));
    }

    #[tokio::test]
    async fn a_change_to_a_users_sessions_drops_their_verdicts_at_once() {
        let db = db().await;
        let hub = Arc::new(LiveHub::default());
        hub.spawn(db.clone());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let ask = || {
            hub.access.allowed("cred", "u1", "alpha", || async {
                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                true
            })
        };
        assert!(ask().await);
        assert!(ask().await);
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        // What a sign-out does to the user's counter (the schema event of `session`).
        db.query("UPSERT type::record('revision', '~user:u1') SET n += 1")
            .await
            .expect("bump")
            .check()
            .expect("bumped");
        let mut runs_now = 1;
        for _ in 0..100 {
            assert!(ask().await);
            runs_now = runs.load(std::sync::atomic::Ordering::SeqCst);
            if runs_now == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(runs_now, 2, "the verdict was asked again after the change");
    }
}
