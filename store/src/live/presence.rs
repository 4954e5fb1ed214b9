//! Who is on a retro board, counted across app instances.
//!
//! Each instance keeps, in memory, how many streams each user has open on each board, and
//! writes one `presence` entry per (instance, board, user) to the database: the first stream
//! creates it, the last one to close deletes it, and one query per instance renews all of
//! its entries every [`BEAT`]. So a user's 200 tabs cost one entry and no writes of their
//! own, and an idle board costs one renewal per instance every 15 seconds. Entries of an
//! instance that died stop counting at `expires_at` and are swept by housekeeping.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use surrealdb::types::{Array, Number, RecordId, RecordIdKey, SurrealValue, Value};

use crate::db::Db;
use domain::error::AppResult;

/// How long a presence entry lives without a renewal.
pub const PRESENCE_TTL_SECS: i64 = 45;
/// How often an instance renews its entries.
pub const BEAT: Duration = Duration::from_secs(15);

const _: () = assert!(BEAT.as_secs() * 2 < PRESENCE_TTL_SECS as u64);

/// A board: (project key, sprint number).
pub type Board = (String, u32);

/// One user's streams on one board of this instance.
#[derive(Clone, Debug)]
struct Viewer {
    streams: usize,
    /// Names the entry this instance wrote, so that a late delete of an earlier entry cannot
    /// remove a newer one.
    epoch: u64,
}

/// This instance's viewers, and the entries it keeps for them.
pub struct PresenceBook {
    instance: String,
    viewers: Mutex<HashMap<(Board, String), Viewer>>,
    next_epoch: std::sync::atomic::AtomicU64,
}

impl PresenceBook {
    /// A book for the instance named `instance`.
    pub fn new(instance: String) -> Self {
        Self {
            instance,
            viewers: Mutex::new(HashMap::new()),
            next_epoch: std::sync::atomic::AtomicU64::new(1),
        }
    }

    fn entry_id(&self, board: &Board, user: &str) -> RecordId {
        RecordId::new(
            "presence",
            RecordIdKey::Array(Array::from(vec![
                Value::String(self.instance.clone()),
                Value::String(board.0.clone()),
                Value::Number(Number::Int(i64::from(board.1))),
                Value::String(user.to_string()),
            ])),
        )
    }

    /// Counts a stream of `user` on `board`; the first one writes the user's entry.
    pub async fn join(self: &Arc<Self>, db: &Db, board: &Board, user: &str) -> AppResult<Seat> {
        let first = {
            let mut viewers = self
                .viewers
                .lock()
                .map_err(|_| domain::error::AppError::internal())?;
            let v = viewers
                .entry((board.clone(), user.to_string()))
                .or_insert(Viewer {
                    streams: 0,
                    epoch: 0,
                });
            v.streams += 1;
            if v.streams == 1 {
                v.epoch = self
                    .next_epoch
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some(v.epoch)
            } else {
                None
            }
        };
        let seat = Seat {
            book: Arc::clone(self),
            db: db.clone(),
            board: board.clone(),
            user: user.to_string(),
        };
        if let Some(epoch) = first {
            db.query(
                "UPSERT $id SET project = $project, board = $board, user = $user,
                    instance = $instance, epoch = $epoch,
                    expires_at = time::now() + <duration>$ttl",
            )
            .bind(("id", self.entry_id(board, user)))
            .bind(("project", board.0.clone()))
            .bind(("board", i64::from(board.1)))
            .bind(("user", user.to_string()))
            .bind(("instance", self.instance.clone()))
            .bind(("epoch", epoch as i64))
            .bind(("ttl", format!("{PRESENCE_TTL_SECS}s")))
            .await?
            .check()?;
        }
        Ok(seat)
    }

    fn leave(&self, db: &Db, board: &Board, user: &str) {
        let key = (board.clone(), user.to_string());
        let last = {
            let Ok(mut viewers) = self.viewers.lock() else {
                return;
            };
            match viewers.get_mut(&key) {
                Some(v) if v.streams > 1 => {
                    v.streams -= 1;
                    None
                }
                Some(_) => viewers.remove(&key).map(|v| v.epoch),
                None => None,
            }
        };
        let Some(epoch) = last else { return };
        let (db, id) = (db.clone(), self.entry_id(board, user));
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let res = db
                    .query("DELETE $id WHERE epoch = $epoch")
                    .bind(("id", id))
                    .bind(("epoch", epoch as i64))
                    .await
                    .and_then(|r| r.check());
                if let Err(e) = res {
                    tracing::warn!(error = %e, "removing a presence entry");
                }
            });
        }
    }

    /// The boards this instance has viewers on.
    pub fn boards(&self) -> Vec<Board> {
        let Ok(viewers) = self.viewers.lock() else {
            return Vec::new();
        };
        let mut boards: Vec<Board> = viewers.keys().map(|(b, _)| b.clone()).collect();
        boards.sort();
        boards.dedup();
        boards
    }

    /// Keeps every entry of this instance alive: one query, however many viewers.
    pub async fn renew(&self, db: &Db) -> AppResult<()> {
        #[derive(SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Entry {
            id: RecordId,
            project: String,
            board: i64,
            user: String,
            epoch: i64,
        }
        let entries: Vec<Entry> = {
            let Ok(viewers) = self.viewers.lock() else {
                return Ok(());
            };
            viewers
                .iter()
                .map(|((board, user), v)| Entry {
                    id: self.entry_id(board, user),
                    project: board.0.clone(),
                    board: i64::from(board.1),
                    user: user.clone(),
                    epoch: v.epoch as i64,
                })
                .collect()
        };
        if entries.is_empty() {
            return Ok(());
        }
        // UPSERT, not UPDATE: an entry swept while this instance was unreachable comes back.
        db.query(
            "FOR $e IN $entries {
                UPSERT $e.id SET project = $e.project, board = $e.board, user = $e.user,
                    instance = $instance, epoch = $e.epoch,
                    expires_at = time::now() + <duration>$ttl;
             };",
        )
        .bind(("entries", entries))
        .bind(("instance", self.instance.clone()))
        .bind(("ttl", format!("{PRESENCE_TTL_SECS}s")))
        .await?
        .check()?;
        Ok(())
    }
}

/// One stream's place on a board; leaving is dropping it.
pub struct Seat {
    book: Arc<PresenceBook>,
    db: Db,
    board: Board,
    user: String,
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.book.leave(&self.db, &self.board, &self.user);
    }
}

/// How many people (not tabs) are on a board now, on every instance.
pub async fn presence_count(db: &Db, project: &str, sprint: u32) -> AppResult<u64> {
    let mut res = db
        .query(
            "array::len(array::distinct((SELECT VALUE user FROM presence
                WHERE project = $project AND board = $board AND expires_at > time::now())))",
        )
        .bind(("project", project.to_string()))
        .bind(("board", i64::from(sprint)))
        .await?
        .check()?;
    let n: Option<i64> = res.take(0)?;
    Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

/// Removes presence entries whose instance went away without saying so (housekeeping).
pub async fn sweep_presence(db: &Db) -> AppResult<()> {
    db.query("DELETE presence WHERE expires_at < time::now()")
        .await?
        .check()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> Db {
        crate::testing::seeded("presence").await
    }

    async fn entries(db: &Db) -> i64 {
        let mut res = db
            .query("count((SELECT id FROM presence))")
            .await
            .expect("query");
        res.take::<Option<i64>>(0).expect("count").unwrap_or(0)
    }

    async fn settle<F: Fn(i64) -> bool>(db: &Db, want: F) -> i64 {
        let mut n = entries(db).await;
        for _ in 0..100 {
            if want(n) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            n = entries(db).await;
        }
        n
    }

    #[tokio::test]
    async fn a_users_tabs_share_one_entry_and_people_are_counted_across_instances() {
        let db = db().await;
        let a = Arc::new(PresenceBook::new("instance-a".into()));
        let b = Arc::new(PresenceBook::new("instance-b".into()));
        let board: Board = ("alpha".into(), 2);
        let mut tabs: Vec<Seat> =
            futures::future::join_all((0..5).map(|_| a.join(&db, &board, "u1")))
                .await
                .into_iter()
                .map(|s| s.expect("join"))
                .collect();
        assert_eq!(entries(&db).await, 1, "five tabs, one entry");
        let on_b = b.join(&db, &board, "u2").await.expect("join");
        let same_user_on_b = b.join(&db, &board, "u1").await.expect("join");
        assert_eq!(presence_count(&db, "alpha", 2).await.expect("count"), 2);
        assert_eq!(presence_count(&db, "alpha", 3).await.expect("count"), 0);
        a.renew(&db).await.expect("renew");
        assert_eq!(entries(&db).await, 3);

        let last_tab = tabs.pop();
        drop(tabs);
        assert_eq!(entries(&db).await, 3, "one tab of u1 is still open on a");
        drop(same_user_on_b);
        drop(on_b);
        assert_eq!(settle(&db, |n| n == 1).await, 1);
        assert_eq!(a.boards(), vec![board.clone()]);
        assert!(b.boards().is_empty());
        drop(last_tab);
        assert_eq!(settle(&db, |n| n == 0).await, 0);
    }

    #[tokio::test]
    async fn a_late_removal_does_not_remove_a_newer_entry() {
        let db = db().await;
        let book = Arc::new(PresenceBook::new("instance-a".into()));
        let board: Board = ("alpha".into(), 1);
        // Leave and come back at once: the removal of the first entry may run after the
        // second was written, and must not take it away.
        for _ in 0..20 {
            let seat = book.join(&db, &board, "u1").await.expect("join");
            drop(seat);
            let _back = book.join(&db, &board, "u1").await.expect("join again");
            tokio::time::sleep(Duration::from_millis(30)).await;
            assert_eq!(entries(&db).await, 1);
            drop(_back);
            assert_eq!(settle(&db, |n| n == 0).await, 0);
        }
    }
}
