//! The webhook delivery worker and the signal watcher of one app instance.
//!
//! Deliveries live in the database (`webhook_delivery`), so that a restart loses none and any
//! instance can send any of them: a worker claims due ones with a lease, sends each signed
//! body, and records the answer. A failed attempt is due again after an exponentially growing
//! wait, until 24 hours after the event.
//!
//! The signal watcher follows `revision` (every write to a project raises its counter, from
//! any instance) and compares the project's end-user contact flag and scorecard levels with
//! the last ones compared, so `signal.changed` is evaluated on every write that can change it.

pub mod resolver;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinSet;

use app::db::key_of;
use app::state::AppState;
use app::webhooks::repo::{Claimed, WebhookRepo};
use app::webhooks::target::WebhookTarget;
use app::webhooks::{backoff, retry_window, signature};

use resolver::{GuardedResolver, Lookup, LookupTimedOut, PrivateAnswer};

/// How long a claimed delivery is held before another worker may take it over.
const LEASE_SECS: i64 = 60;
/// How long one attempt may take, name lookup, connection and answer together.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for due deliveries when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);
/// Attempts under way at once on one instance.
const MAX_IN_FLIGHT: usize = 32;
/// Attempts under way at once for one project, so that one project's slow receivers or
/// backlog leave room for the others'.
const PER_PROJECT: usize = 4;
/// Deliveries claimed in one go.
const BATCH: usize = 20;

/// Starts the delivery worker (resolving receivers' names with `lookup`) and the signal
/// watcher.
pub fn spawn(state: AppState, lookup: Lookup) -> Vec<tokio::task::JoinHandle<()>> {
    let worker = state.clone();
    let sender = tokio::spawn(async move {
        let clients = match Clients::new(&lookup) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the webhook client could not be built");
                return;
            }
        };
        run_worker(worker, clients).await;
    });
    let watcher = tokio::spawn(async move {
        loop {
            if let Err(e) = watch_signals(&state).await {
                tracing::warn!(error = %e, "the signal watcher stopped; starting it again");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    vec![sender, watcher]
}

/// The HTTP clients of deliveries: no redirects followed, no proxy from the environment, one
/// time limit for the whole attempt, our user agent, and names resolved by a
/// [`GuardedResolver`] (one that refuses private answers, one that allows them for a
/// workspace whose admin allowed private addresses).
#[derive(Clone)]
struct Clients {
    guarded: reqwest::Client,
    open: reqwest::Client,
}

impl Clients {
    fn new(lookup: &Lookup) -> reqwest::Result<Self> {
        let build = |allow_private: bool| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .dns_resolver(Arc::new(GuardedResolver::new(
                    lookup.clone(),
                    allow_private,
                    TIMEOUT,
                )))
                .user_agent(concat!("Touchpoint-Webhooks/", env!("CARGO_PKG_VERSION")))
                .build()
        };
        Ok(Self {
            guarded: build(false)?,
            open: build(true)?,
        })
    }

    fn get(&self, allow_private: bool) -> &reqwest::Client {
        if allow_private {
            &self.open
        } else {
            &self.guarded
        }
    }
}

/// Claims due deliveries and sends each on its own task, up to [`MAX_IN_FLIGHT`] at once and
/// [`PER_PROJECT`] per project; claims more as soon as a slot frees, so no batch waits for
/// its slowest member.
async fn run_worker(state: AppState, clients: Clients) {
    let repo = WebhookRepo::new(state.db.clone());
    let mut running: JoinSet<()> = JoinSet::new();
    let mut project_of: HashMap<tokio::task::Id, String> = HashMap::new();
    let mut in_flight: HashMap<String, usize> = HashMap::new();
    let release = |id: tokio::task::Id,
                   project_of: &mut HashMap<tokio::task::Id, String>,
                   in_flight: &mut HashMap<String, usize>| {
        if let Some(key) = project_of.remove(&id)
            && let Some(n) = in_flight.get_mut(&key)
        {
            *n -= 1;
            if *n == 0 {
                in_flight.remove(&key);
            }
        }
    };
    loop {
        while let Some(done) = running.try_join_next_with_id() {
            let id = match done {
                Ok((id, ())) => id,
                Err(e) => {
                    tracing::error!(error = %e, "a webhook attempt ended abnormally");
                    e.id()
                }
            };
            release(id, &mut project_of, &mut in_flight);
        }
        let want = MAX_IN_FLIGHT.saturating_sub(running.len()).min(BATCH);
        let claimed = match repo
            .claim_due(want, LEASE_SECS, &in_flight, PER_PROJECT)
            .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhook deliveries");
                Vec::new()
            }
        };
        let got = claimed.len();
        if got > 0 {
            // The workspace setting, read once for the claimed batch (refused when unreadable).
            let allow_private = repo.allow_private().await.unwrap_or(false);
            for c in claimed {
                let key = c.project.as_ref().map(key_of).unwrap_or_default();
                *in_flight.entry(key.clone()).or_default() += 1;
                let (state, client) = (state.clone(), clients.get(allow_private).clone());
                let handle = running.spawn(async move {
                    if let Err(e) = attempt(&state, &client, c, allow_private).await {
                        tracing::warn!(error = %e, "recording a webhook attempt");
                    }
                });
                project_of.insert(handle.id(), key);
            }
            if got == want {
                // More may be due.
                continue;
            }
        }
        tokio::select! {
            _ = state.webhook_wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                release(id, &mut project_of, &mut in_flight);
            }
        }
    }
}

/// What an attempt came to.
enum Outcome {
    Delivered(u16),
    /// Worth another try (status, error).
    Retry(Option<u16>, String),
    /// Not worth another try.
    GiveUp(String),
}

async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    c: Claimed,
    allow_private: bool,
) -> app::error::AppResult<()> {
    let repo = WebhookRepo::new(state.db.clone());
    let outcome = match (&c.url, &c.secret) {
        (Some(url), Some(secret))
            if c.active != Some(false) || c.event == app::webhooks::EventType::Ping =>
        {
            send(client, url, secret, &c, allow_private).await
        }
        (Some(_), Some(_)) => Outcome::GiveUp("The webhook was turned off.".into()),
        _ => Outcome::GiveUp("The webhook was deleted.".into()),
    };
    match outcome {
        Outcome::Delivered(status) => repo.delivered(&c.id, status).await,
        Outcome::GiveUp(error) => repo.attempt_failed(&c.id, None, &error, None).await,
        Outcome::Retry(status, error) => {
            let attempts = u32::try_from(c.attempts).unwrap_or(0) + 1;
            let next = Utc::now() + backoff(state.settings.webhook_retry_base, attempts);
            let next = (next < c.created_at + retry_window()).then_some(next);
            let error = if next.is_none() {
                format!("{error} Gave up after 24 hours of retries.")
            } else {
                error
            };
            repo.attempt_failed(&c.id, status, &error, next).await
        }
    }
}

const REFUSED_HINT: &str = "(an admin can allow such addresses in the workspace settings)";

async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    c: &Claimed,
    allow_private: bool,
) -> Outcome {
    // The address as saved, read by the client's own parser; the same value is checked here,
    // resolved by the client's guarded resolver, and connected to.
    let target = match WebhookTarget::parse(url) {
        Ok(t) => t,
        Err(e) => return Outcome::GiveUp(format!("The address cannot be called: {e}")),
    };
    if !allow_private && target.is_plainly_private() {
        return Outcome::GiveUp(format!(
            "Refused: {} is on a private or loopback network {REFUSED_HINT}.",
            target.host()
        ));
    }
    let timestamp = Utc::now().timestamp();
    // The signed JSON, or a Slack message or Teams card made from it; signed either way.
    let body = app::webhooks::chat::body_for(c.format, &c.body);
    let res = client
        .post(target.url().clone())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("X-Touchpoint-Event", c.event.as_str())
        .header("X-Touchpoint-Delivery", key_of(&c.id))
        .header(
            "X-Touchpoint-Signature",
            signature(secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) => Outcome::Retry(
            Some(r.status().as_u16()),
            format!("The receiver answered HTTP {}.", r.status().as_u16()),
        ),
        Err(e) if cause::<PrivateAnswer>(&e).is_some() => Outcome::GiveUp(format!(
            "Refused: {} resolves to a private or loopback address {REFUSED_HINT}.",
            target.host()
        )),
        Err(e) if e.is_timeout() || cause::<LookupTimedOut>(&e).is_some() => {
            Outcome::Retry(None, "No answer within 10 seconds.".into())
        }
        Err(e) => Outcome::Retry(None, format!("Could not connect: {}.", root_cause(&e))),
    }
}

/// The first error of type `T` in the chain of `e`.
fn cause<'e, T: std::error::Error + 'static>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e T> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        next = err.source();
    }
    None
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

async fn watch_signals(state: &AppState) -> app::error::AppResult<()> {
    store::revisions::watch(&state.db, |key| {
        // Only project counters: the directory, the catalog and users are not projects.
        if let store::revisions::Counter::Project(key) = store::revisions::Counter::of(&key) {
            let state = state.clone();
            let key = key.to_string();
            tokio::spawn(async move { app::webhooks::service::check_signals(&state, &key).await });
        }
    })
    .await
}
