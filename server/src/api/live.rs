//! `GET /api/v1/projects/{key}/events`: the live-update stream of a project (Server-Sent
//! Events), which the retro board and the feedback inbox follow (see `app::live`).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use http::request::Parts;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::auth::service::{Activity, RequestCtx};
use app::error::{AppError, AppResult};
use app::live::hub::{LiveEvent, Topic};
use app::live::presence::{Seat, presence_count};
use app::live::streams::{Full, StreamSlot};
use app::state::AppState;

use super::{ErrorBody, ProjectKey, Query, SprintNumber};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(project_events))
}

/// What to follow.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Follow {
    /// A sprint number: follow that sprint's retro board (cards, votes, health check, action
    /// items) and count the caller as on the board while the stream is open.
    #[param(value_type = Option<SprintNumber>)]
    pub board: Option<String>,
    /// `true`: follow the feedback inbox.
    pub inbox: Option<bool>,
}

/// How often a stream checks that its caller may still see the project (between events).
const RECHECK: Duration = Duration::from_secs(5);
/// When a caller over a cap may try again.
const RETRY_AFTER_SECS: u64 = 30;

/// The live-update stream of a project, as Server-Sent Events: `change` (data: `retro`,
/// `action_item` or `feedback`; something the caller follows changed, fetch it again) and, on
/// a board, `presence` (data: how many people are on it). A comment line every 15 s keeps the
/// connection open. The stream ends when the caller's session or token ends or they lose
/// access to the project, and after at most an hour (`TOUCHPOINT_STREAM_MAX_SECONDS`); a
/// client that reconnects should fetch what it shows again, since changes made meanwhile are
/// not replayed. A user may hold 20 streams open on one instance
/// (`TOUCHPOINT_STREAMS_PER_USER`), an instance 10,000 (`TOUCHPOINT_STREAMS_PER_INSTANCE`);
/// over either, the answer is 429 with `Retry-After`.
#[utoipa::path(get, path = "/projects/{key}/events", tag = "projects",
    params(("key" = ProjectKey, Path, description = "Project key"), Follow),
    responses((status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody, description = "Too many open streams", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
async fn project_events(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(follow): Query<Follow>,
    parts: Parts,
) -> AppResult<Response> {
    let ctx = parts
        .extensions
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_default();
    let auth = ctx.auth.ok_or_else(AppError::unauthorized)?;
    let access = app::projects::service::project_access(&state, &auth.user, &key).await?;
    let key = access.project.key.clone();
    let board = match follow.board.as_deref() {
        None => None,
        Some(n) => Some(
            app::sprints::parse_number(n)
                .filter(|n| access.snapshot.sprints.iter().any(|s| s.number() == *n))
                .ok_or_else(|| AppError::not_found("Sprint"))?,
        ),
    };
    let inbox = follow.inbox.unwrap_or(false);
    let slot = match state
        .live
        .streams
        .open(&auth.user.id, state.settings.streams)
    {
        Ok(slot) => slot,
        Err(full) => return Ok(too_many(full)),
    };
    let seat = match board {
        Some(n) => Some(
            state
                .live
                .presence
                .join(&state.db, &(key.clone(), n), &auth.user.id)
                .await?,
        ),
        None => None,
    };
    let initial = match board {
        Some(n) => Some(presence_count(&state.db, &key, n).await?),
        None => None,
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is immediate; the caller was checked just now.
    recheck.reset();
    // Streams opened together do not all end together.
    let max_age = state.settings.streams.max_age;
    let ends = tokio::time::Instant::now() + max_age - max_age.mul_f64(jitter() * 0.1);
    let watch = Watch {
        recheck,
        ends,
        rx: state.live.subscribe(),
        credential: app::auth::caller::credential_hash(&state, &parts.headers).unwrap_or_default(),
        state,
        key,
        board,
        inbox,
        headers: parts.headers.clone(),
        user_id: auth.user.id.clone(),
        _slot: slot,
        _seat: seat,
        initial,
    };
    let sse = Sse::new(events(watch)).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    );
    Ok((
        [
            (http::header::CACHE_CONTROL, "no-cache"),
            // Proxies such as nginx must pass events on as they come.
            (http::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}

/// 429 with `Retry-After` for a stream over a cap.
fn too_many(full: Full) -> Response {
    let message = match full {
        Full::User => "You have too many live pages open. Close some tabs, or try again shortly.",
        Full::Instance => "This server follows too many live pages right now. Try again shortly.",
    };
    let mut res = AppError::RateLimited(message.into()).into_response();
    res.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from(RETRY_AFTER_SECS),
    );
    res
}

/// A number in [0, 1), different for each call.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    (h.finish() % 1_000_000) as f64 / 1_000_000.0
}

struct Watch {
    rx: tokio::sync::broadcast::Receiver<Arc<LiveEvent>>,
    state: AppState,
    key: String,
    board: Option<u32>,
    inbox: bool,
    /// The request's headers, to resolve its session or token again.
    headers: http::HeaderMap,
    /// The hash of the caller's session or token: the key of the shared access verdict.
    credential: String,
    user_id: String,
    /// Counted among the open streams until dropped.
    _slot: StreamSlot,
    /// On the board until dropped.
    _seat: Option<Seat>,
    initial: Option<u64>,
    /// Kept across events, so that a busy board still checks on time.
    recheck: tokio::time::Interval,
    /// When the server ends the stream.
    ends: tokio::time::Instant,
}

impl Watch {
    /// Whether the caller still may see the project with the credential they came with. The
    /// verdict is shared with the caller's other streams for a few seconds (see
    /// `app::live::streams`), and asking does not count as the caller being active.
    async fn allowed(&self) -> bool {
        let check = || async {
            match app::auth::caller::resolve_request_as(
                &self.state,
                &self.headers,
                None,
                Activity::Recheck,
            )
            .await
            {
                Ok((Some(auth), _)) if auth.user.id == self.user_id => {
                    app::projects::service::project_access(&self.state, &auth.user, &self.key)
                        .await
                        .is_ok()
                }
                _ => false,
            }
        };
        if self.credential.is_empty() {
            return false;
        }
        self.state
            .live
            .access
            .allowed(&self.credential, &self.user_id, &self.key, check)
            .await
    }

    /// The event this stream sends for `ev`, if it follows it.
    fn event_for(&self, ev: &LiveEvent) -> Option<Event> {
        let change = |what: &str| Some(Event::default().event("change").data(what));
        match ev {
            LiveEvent::Resync => change("resync"),
            LiveEvent::Shutdown => None,
            LiveEvent::Changed { project, .. } | LiveEvent::Presence { project, .. }
                if *project != self.key =>
            {
                None
            }
            LiveEvent::Changed { topic, sprint, .. } => match topic {
                Topic::Retro if self.board.is_some() && *sprint == self.board => change("retro"),
                Topic::ActionItem if self.board.is_some() => change("action_item"),
                Topic::Feedback if self.inbox => change("feedback"),
                _ => None,
            },
            LiveEvent::Presence { sprint, count, .. } if self.board == Some(*sprint) => {
                Some(Event::default().event("presence").data(count.to_string()))
            }
            LiveEvent::Presence { .. } => None,
        }
    }
}

fn events(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(watch, |mut w| async move {
        if let Some(n) = w.initial.take() {
            let ev = Event::default().event("presence").data(n.to_string());
            return Some((Ok(ev), w));
        }
        loop {
            let event = tokio::select! {
                got = w.rx.recv() => match got {
                    Ok(ev) if *ev == LiveEvent::Shutdown => return None,
                    Ok(ev) => w.event_for(&ev),
                    // Missed some: whatever it was, fetch again.
                    Err(RecvError::Lagged(_)) => Some(Event::default().event("change").data("resync")),
                    Err(RecvError::Closed) => return None,
                },
                _ = w.recheck.tick() => {
                    if !w.allowed().await {
                        return None;
                    }
                    None
                }
                _ = tokio::time::sleep_until(w.ends) => return None,
            };
            if let Some(event) = event {
                // Nothing goes out to a caller who signed out or lost access meanwhile.
                if !w.allowed().await {
                    return None;
                }
                return Some((Ok(event), w));
            }
        }
    })
}
