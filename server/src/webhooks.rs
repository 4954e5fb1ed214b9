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

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use surrealdb::Notification;
use surrealdb::types::{Action, RecordId, SurrealValue};

use app::db::key_of;
use app::state::AppState;
use app::webhooks::repo::{Claimed, WebhookRepo};
use app::webhooks::{backoff, is_private_ip, retry_window, signature, split_url};

/// How long a claimed delivery is held before another worker may take it over.
const LEASE_SECS: i64 = 60;
/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How often the worker looks for due deliveries when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);

/// Starts the delivery worker and the signal watcher.
pub fn spawn(state: AppState) {
    let worker = state.clone();
    tokio::spawn(async move {
        let client = match client(None) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the webhook client could not be built");
                return;
            }
        };
        loop {
            if let Err(e) = deliver_due(&worker, &client).await {
                tracing::warn!(error = %e, "webhook deliveries");
            }
            let _ = tokio::time::timeout(POLL, worker.webhook_wake.notified()).await;
        }
    });
    tokio::spawn(async move {
        loop {
            if let Err(e) = watch_signals(&state).await {
                tracing::warn!(error = %e, "the signal watcher stopped; starting it again");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// The HTTP client of deliveries: no redirects followed, a timeout, our user agent; with
/// `pin`, the host name connects to the address that was checked.
fn client(pin: Option<(&str, SocketAddr)>) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("Touchpoint-Webhooks/", env!("CARGO_PKG_VERSION")));
    match pin {
        Some((host, addr)) => builder.resolve(host, addr),
        None => builder,
    }
    .build()
}

async fn deliver_due(state: &AppState, client: &reqwest::Client) -> app::error::AppResult<()> {
    let repo = WebhookRepo::new(state.db.clone());
    loop {
        let claimed = repo.claim_due(20, LEASE_SECS).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        // The workspace setting, read once for the whole batch.
        let allow_private = repo.allow_private().await?;
        // Each delivery on its own task, so that a slow receiver holds up nobody else.
        let mut tasks = Vec::with_capacity(claimed.len());
        for c in claimed {
            let (state, client) = (state.clone(), client.clone());
            tasks.push(tokio::spawn(async move {
                attempt(&state, &client, c, allow_private).await
            }));
        }
        for t in tasks {
            if let Ok(Err(e)) = t.await {
                tracing::warn!(error = %e, "recording a webhook attempt");
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
        (Some(url), Some(secret)) if c.active != Some(false) || c.event == "ping" => {
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

async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    c: &Claimed,
    allow_private: bool,
) -> Outcome {
    let Some((_, host, port)) = split_url(url) else {
        return Outcome::GiveUp("The address is not a valid http(s) URL.".into());
    };
    // Resolve once, check every address, and connect to a checked one (a name that resolves
    // differently a moment later cannot slip through).
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => match tokio::net::lookup_host((host.as_str(), port)).await {
            Ok(a) => a.collect(),
            Err(e) => return Outcome::Retry(None, format!("Could not resolve {host}: {e}.")),
        },
    };
    let Some(addr) = addrs.first().copied() else {
        return Outcome::Retry(None, format!("{host} has no address."));
    };
    if !allow_private && addrs.iter().any(|a| is_private_ip(a.ip())) {
        return Outcome::GiveUp(format!(
            "Refused: {host} is on a private or loopback network (an admin can allow such addresses in the workspace settings)."
        ));
    }
    let client = if host.parse::<IpAddr>().is_ok() {
        client.clone()
    } else {
        match self::client(Some((&host, addr))) {
            Ok(c) => c,
            Err(e) => return Outcome::Retry(None, format!("Could not connect: {e}.")),
        }
    };
    let timestamp = Utc::now().timestamp();
    let res = client
        .post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("X-Touchpoint-Event", c.event.as_str())
        .header("X-Touchpoint-Delivery", key_of(&c.id))
        .header(
            "X-Touchpoint-Signature",
            signature(secret, timestamp, &c.body),
        )
        .body(c.body.clone())
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => Outcome::Delivered(r.status().as_u16()),
        Ok(r) => Outcome::Retry(
            Some(r.status().as_u16()),
            format!("The receiver answered HTTP {}.", r.status().as_u16()),
        ),
        Err(e) if e.is_timeout() => Outcome::Retry(None, "No answer within 10 seconds.".into()),
        Err(e) => Outcome::Retry(None, format!("Could not connect: {}.", root_cause(&e))),
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RevisionRow {
    id: RecordId,
}

async fn watch_signals(state: &AppState) -> app::error::AppResult<()> {
    let mut res = state.db.query("LIVE SELECT id FROM revision").await?;
    let mut stream = res.stream::<Notification<RevisionRow>>(0)?;
    while let Some(n) = stream.next().await {
        let n = n?;
        if matches!(n.action, Action::Killed | Action::Error) {
            return Ok(());
        }
        let key = key_of(&n.data.id);
        // `~…` counters are the directory, the catalog and users, not projects.
        if key.starts_with('~') {
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move { app::webhooks::service::check_signals(&state, &key).await });
    }
    Ok(())
}
