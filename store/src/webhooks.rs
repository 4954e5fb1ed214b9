//! SurrealQL for webhooks, their deliveries and the last compared signals.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::{Db, before_commit, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::webhooks::{
    Delivery, DeliveryStatus, EventType, SignalState, ValidWebhook, Webhook, WebhookEvent,
    WebhookFormat,
};

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct WebhookRow {
    id: RecordId,
    project: RecordId,
    url: String,
    events: Vec<String>,
    active: bool,
    format: Option<String>,
    created_at: DateTime<Utc>,
}

impl WebhookRow {
    fn into_webhook(self) -> Webhook {
        Webhook {
            id: key_of(&self.id),
            project: key_of(&self.project),
            url: self.url,
            events: self
                .events
                .iter()
                .filter_map(|e| EventType::parse(e))
                .collect(),
            active: self.active,
            format: WebhookFormat::stored(self.format.as_deref()),
            created_at: self.created_at,
        }
    }
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DeliveryRow {
    id: RecordId,
    event: String,
    event_id: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Delivery {
        let status = DeliveryStatus::parse(&self.status);
        Delivery {
            id: key_of(&self.id),
            event_id: self.event_id,
            event: EventType::parse(&self.event).unwrap_or(EventType::Ping),
            status,
            attempts: u32::try_from(self.attempts).unwrap_or(0),
            last_status: self.last_status.and_then(|s| u16::try_from(s).ok()),
            last_error: self.last_error,
            created_at: self.created_at,
            next_attempt_at: (status == DeliveryStatus::Pending).then_some(self.next_attempt_at),
            delivered_at: self.delivered_at,
        }
    }
}

/// A due delivery, claimed by this worker, with what it needs to send it.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The delivery.
    pub id: RecordId,
    /// The event type.
    pub event: EventType,
    /// The exact body to send.
    pub body: String,
    /// Attempts before this one.
    pub attempts: i64,
    /// When the event happened (the retry window counts from here).
    pub created_at: DateTime<Utc>,
    /// The webhook's address (`None` when the webhook was deleted meanwhile).
    pub url: Option<String>,
    /// Its secret.
    pub secret: Option<String>,
    /// Whether it is still on.
    pub active: Option<bool>,
    /// The webhook's project (`None` when the webhook was deleted meanwhile).
    pub project: Option<RecordId>,
    /// What the webhook sends.
    pub format: WebhookFormat,
}

impl Claimed {
    /// The claimed delivery of a row; `None` (and a warning) for an event type this version
    /// does not know, which a newer version wrote.
    fn of(row: ClaimedRow) -> Option<Self> {
        let Some(event) = EventType::parse(&row.event) else {
            tracing::warn!(event = %row.event, "a webhook delivery of an unknown event type is left alone");
            return None;
        };
        Some(Self {
            id: row.id,
            event,
            body: row.body,
            attempts: row.attempts,
            created_at: row.created_at,
            url: row.url,
            secret: row.secret,
            active: row.active,
            project: row.project,
            format: WebhookFormat::stored(row.format.as_deref()),
        })
    }
}

/// A claimed delivery as read.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ClaimedRow {
    /// The delivery.
    id: RecordId,
    /// The event type.
    event: String,
    /// The exact body to send.
    body: String,
    /// Attempts before this one.
    attempts: i64,
    /// When the event happened (the retry window counts from here).
    created_at: DateTime<Utc>,
    /// The webhook's address (`None` when the webhook was deleted meanwhile).
    url: Option<String>,
    /// Its secret.
    secret: Option<String>,
    /// Whether it is still on.
    active: Option<bool>,
    /// The webhook's project (`None` when the webhook was deleted meanwhile).
    project: Option<RecordId>,
    /// What the webhook sends.
    format: Option<String>,
}

/// A due delivery, before it is claimed.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Due {
    id: RecordId,
    project: Option<RecordId>,
}

/// Reads and writes webhooks and deliveries.
#[derive(Clone)]
pub struct WebhookRepo {
    db: Db,
}

impl WebhookRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The project's webhooks, oldest first.
    pub async fn list(&self, key: &str) -> AppResult<Vec<Webhook>> {
        let mut res = self
            .db
            .query(
                "SELECT id, project, url, events, active, format, created_at FROM webhook
                 WHERE project = $project ORDER BY created_at",
            )
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<WebhookRow> = res.take(0)?;
        Ok(rows.into_iter().map(WebhookRow::into_webhook).collect())
    }

    /// One webhook of the project.
    pub async fn get(&self, key: &str, id: &str) -> AppResult<Option<Webhook>> {
        let mut res = self
            .db
            .query(
                "SELECT id, project, url, events, active, format, created_at FROM ONLY $id
                 WHERE project = $project",
            )
            .bind(("id", rid("webhook", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let row: Option<WebhookRow> = res.take(0)?;
        Ok(row.map(WebhookRow::into_webhook))
    }

    /// Makes a webhook; refuses more than [`domain::webhooks::MAX_PER_PROJECT`] per project.
    pub async fn create(
        &self,
        key: &str,
        v: &ValidWebhook,
        format: WebhookFormat,
        secret: &str,
        user: &str,
    ) -> AppResult<Webhook> {
        let res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 IF (SELECT count() FROM webhook WHERE project = $project GROUP ALL)[0].count >= $max {
                     THROW 'too many';
                 };
                 CREATE ONLY webhook CONTENT {
                     project: $project, url: $url, secret: $secret, events: $events, active: true,
                     format: $format, created_by: $user, created_at: time::now()
                 } RETURN id, project, url, events, active, format, created_at;
                 COMMIT TRANSACTION;",
            )
            .bind(("project", rid("project", key)))
            .bind(("url", v.target.as_str().to_string()))
            .bind(("secret", secret.to_string()))
            .bind((
                "events",
                v.events
                    .iter()
                    .map(|e| e.as_str().to_string())
                    .collect::<Vec<_>>(),
            ))
            .bind(("user", rid("user", user)))
            .bind(("format", format.as_str().to_string()))
            .bind(("max", domain::webhooks::MAX_PER_PROJECT as i64))
            .await?;
        let mut res = res.check().map_err(|e| {
            crate::db::thrown_as(
                e,
                AppError::Conflict(format!(
                    "A project can have at most {} webhooks.",
                    domain::webhooks::MAX_PER_PROJECT
                )),
            )
        })?;
        let row: Option<WebhookRow> = res.take(before_commit(&res))?;
        row.map(WebhookRow::into_webhook)
            .ok_or_else(AppError::internal)
    }

    /// Changes a webhook's address, events and whether it is on.
    pub async fn update(
        &self,
        key: &str,
        id: &str,
        v: &ValidWebhook,
        format: WebhookFormat,
        active: bool,
    ) -> AppResult<bool> {
        let mut res = self
            .db
            .query(
                "UPDATE $id SET url = $url, events = $events, active = $active, format = $format
                 WHERE project = $project RETURN VALUE id",
            )
            .bind(("id", rid("webhook", id)))
            .bind(("project", rid("project", key)))
            .bind(("url", v.target.as_str().to_string()))
            .bind((
                "events",
                v.events
                    .iter()
                    .map(|e| e.as_str().to_string())
                    .collect::<Vec<_>>(),
            ))
            .bind(("active", active))
            .bind(("format", format.as_str().to_string()))
            .await?
            .check()?;
        let ids: Vec<RecordId> = res.take(0)?;
        Ok(!ids.is_empty())
    }

    /// Deletes a webhook and its delivery log.
    pub async fn delete(&self, key: &str, id: &str) -> AppResult<bool> {
        let mut res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $gone = DELETE $id WHERE project = $project RETURN BEFORE;
                 IF array::len($gone) > 0 { DELETE webhook_delivery WHERE webhook = $id; };
                 RETURN array::len($gone);
                 COMMIT TRANSACTION;",
            )
            .bind(("id", rid("webhook", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let n: Option<i64> = res.take(before_commit(&res))?;
        Ok(n.unwrap_or(0) > 0)
    }

    /// The latest `limit` deliveries of a webhook, newest first.
    pub async fn deliveries(&self, id: &str, limit: usize) -> AppResult<Vec<Delivery>> {
        let mut res = self
            .db
            .query(
                "SELECT id, event, event_id, status, attempts, next_attempt_at, last_status,
                        last_error, created_at, delivered_at
                 FROM webhook_delivery WHERE webhook = $webhook
                 ORDER BY created_at DESC LIMIT $limit",
            )
            .bind(("webhook", rid("webhook", id)))
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<DeliveryRow> = res.take(0)?;
        Ok(rows.into_iter().map(DeliveryRow::into_delivery).collect())
    }

    /// Writes one delivery of `event` for each active webhook of the project that wants it
    /// (for `ping`, only `only`); returns how many.
    pub async fn enqueue(&self, event: &WebhookEvent, only: Option<&str>) -> AppResult<usize> {
        let body = serde_json::to_string(event).map_err(|e| {
            tracing::error!(error = %e, "serialising a webhook event");
            AppError::internal()
        })?;
        let mut res = self
            .db
            .query(
                "LET $hooks = IF $only != NONE {
                     SELECT VALUE id FROM webhook WHERE id = $only AND project = $project
                 } ELSE {
                     SELECT VALUE id FROM webhook
                     WHERE project = $project AND active = true AND $event IN events
                 };
                 FOR $hook IN $hooks {
                     CREATE webhook_delivery CONTENT {
                         webhook: $hook, event: $event, event_id: $event_id, body: $body,
                         status: 'pending', attempts: 0, next_attempt_at: time::now(),
                         created_at: time::now()
                     };
                 };
                 RETURN array::len($hooks);",
            )
            .bind(("project", rid("project", &event.project.key)))
            .bind(("event", event.kind.as_str().to_string()))
            .bind(("event_id", event.id.clone()))
            .bind(("body", body))
            .bind(("only", only.map(|id| rid("webhook", id))))
            .await?
            .check()?;
        let n: Option<i64> = res.take(2)?;
        Ok(usize::try_from(n.unwrap_or(0)).unwrap_or(0))
    }

    /// Whether any active webhook of the project wants `event`.
    pub async fn wanted(&self, key: &str, event: EventType) -> AppResult<bool> {
        let mut res = self
            .db
            .query(
                "array::len(SELECT VALUE id FROM webhook
                    WHERE project = $project AND active = true AND $event IN events LIMIT 1) > 0",
            )
            .bind(("project", rid("project", key)))
            .bind(("event", event.as_str().to_string()))
            .await?
            .check()?;
        let yes: Option<bool> = res.take(0)?;
        Ok(yes.unwrap_or(false))
    }

    /// Claims up to `limit` due deliveries for `lease` (seconds), oldest first, at most
    /// `per_project` of them for one project counting the `in_flight` ones (by project key),
    /// so that one project's backlog or slow receivers do not hold back the others'. A
    /// delivery another worker holds, or claims at the same moment, is left to it.
    pub async fn claim_due(
        &self,
        limit: usize,
        lease: i64,
        in_flight: &HashMap<String, usize>,
        per_project: usize,
    ) -> AppResult<Vec<Claimed>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let full: Vec<RecordId> = in_flight
            .iter()
            .filter(|(_, n)| **n >= per_project)
            .map(|(key, _)| rid("project", key))
            .collect();
        let mut res = self
            .db
            .query(
                "SELECT id, webhook.project AS project FROM webhook_delivery
                 WHERE status = 'pending' AND next_attempt_at <= time::now()
                   AND (lease_until = NONE OR lease_until < time::now())
                   AND webhook.project NOT IN $full
                 ORDER BY next_attempt_at LIMIT $window",
            )
            .bind(("full", full))
            .bind(("window", (limit * 5) as i64))
            .await?
            .check()?;
        let due: Vec<Due> = res.take(0)?;
        let mut taken: HashMap<String, usize> = HashMap::new();
        let mut chosen = Vec::new();
        for d in due {
            if chosen.len() == limit {
                break;
            }
            let key = d.project.as_ref().map(key_of).unwrap_or_default();
            let n =
                in_flight.get(&key).copied().unwrap_or(0) + taken.get(&key).copied().unwrap_or(0);
            if n < per_project {
                *taken.entry(key).or_default() += 1;
                chosen.push(d.id);
            }
        }
        let mut claimed = Vec::new();
        for id in chosen {
            let rows: Vec<ClaimedRow> = crate::db::claim_leased(
                &self.db,
                "UPDATE $id SET lease_until = time::now() + <duration>$lease
                 WHERE status = 'pending' AND (lease_until = NONE OR lease_until < time::now())
                 RETURN id, event, body, attempts, created_at, webhook.url AS url,
                        webhook.secret AS secret, webhook.active AS active,
                        webhook.project AS project, webhook.format AS format",
                id,
                lease,
            )
            .await?;
            claimed.extend(rows.into_iter().filter_map(Claimed::of));
        }
        Ok(claimed)
    }

    /// Records a delivered attempt.
    pub async fn delivered(&self, id: &RecordId, status: u16) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET status = 'delivered', attempts += 1, last_status = $code,
                    last_error = NONE, delivered_at = time::now(), lease_until = NONE",
            )
            .bind(("id", id.clone()))
            .bind(("code", i64::from(status)))
            .await?
            .check()?;
        Ok(())
    }

    /// Records a failed attempt: due again at `next`, or given up when `next` is `None`.
    pub async fn attempt_failed(
        &self,
        id: &RecordId,
        status: Option<u16>,
        error: &str,
        next: Option<DateTime<Utc>>,
    ) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET attempts += 1, last_status = $code, last_error = $error,
                    status = IF $next = NONE { 'failed' } ELSE { 'pending' },
                    next_attempt_at = $next ?? next_attempt_at, lease_until = NONE",
            )
            .bind(("id", id.clone()))
            .bind(("code", status.map(i64::from)))
            .bind(("error", error.chars().take(500).collect::<String>()))
            .bind(("next", next))
            .await?
            .check()?;
        Ok(())
    }

    /// Compares `now` with the signals last compared for the project and stores it. Returns
    /// the previous state when it differed, for exactly one caller even when several app
    /// instances compare at once; `None` the first time (nothing to compare with) and when
    /// nothing changed.
    pub async fn swap_signal_state(
        &self,
        key: &str,
        now: &SignalState,
    ) -> AppResult<Option<SignalState>> {
        let json = serde_json::to_string(now).map_err(|_| AppError::internal())?;
        let res = self
            .db
            .query(
                "LET $old = (SELECT VALUE state FROM ONLY $id);
                 IF $old = NONE { CREATE $id SET state = $state; RETURN NONE; };
                 RETURN (UPDATE $id SET state = $state WHERE state = $old AND state != $state
                         RETURN BEFORE)[0].state;",
            )
            .bind(("id", RecordId::new("signal_state", key.to_string())))
            .bind(("state", json))
            .await;
        // Another instance compared at the same moment: the change is theirs to report.
        let Ok(res) = res else { return Ok(None) };
        let Ok(mut res) = res.check() else {
            return Ok(None);
        };
        let old: Option<String> = res.take(2)?;
        Ok(old.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Records the project's signals as the baseline of signal.changed (a new webhook).
    pub async fn set_signal_state(&self, key: &str, now: &SignalState) -> AppResult<()> {
        let json = serde_json::to_string(now).map_err(|_| AppError::internal())?;
        self.db
            .query("UPSERT $id SET state = $state")
            .bind(("id", RecordId::new("signal_state", key.to_string())))
            .bind(("state", json))
            .await?
            .check()?;
        Ok(())
    }

    /// Whether webhooks may call private and loopback addresses.
    pub async fn allow_private(&self) -> AppResult<bool> {
        let mut res = self
            .db
            .query("(SELECT VALUE allow_private FROM ONLY webhook_setting:workspace) ?? false")
            .await?
            .check()?;
        let v: Option<bool> = res.take(0)?;
        Ok(v.unwrap_or(false))
    }

    /// Allows or refuses private and loopback addresses.
    pub async fn set_allow_private(&self, allow: bool) -> AppResult<()> {
        self.db
            .query("UPSERT webhook_setting:workspace SET allow_private = $allow")
            .bind(("allow", allow))
            .await?
            .check()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::signals::Level;

    async fn db() -> Db {
        crate::testing::seeded("webhooks").await
    }

    fn state(lacking: bool) -> SignalState {
        SignalState {
            lacking_end_user_contact: lacking,
            m1_agility_diversity: Level::Green,
            m2_end_users: if lacking { Level::Red } else { Level::Green },
            m3_productionization: Level::Green,
            m4_data_debt: Level::Green,
            m5_beyond_ml: Level::Green,
            at_risk: false,
        }
    }

    #[tokio::test]
    async fn the_signal_state_reports_a_change_once() {
        let repo = WebhookRepo::new(db().await);
        assert_eq!(
            repo.swap_signal_state("alpha", &state(false))
                .await
                .expect("first"),
            None
        );
        assert_eq!(
            repo.swap_signal_state("alpha", &state(false))
                .await
                .expect("same"),
            None
        );
        assert_eq!(
            repo.swap_signal_state("alpha", &state(true))
                .await
                .expect("changed"),
            Some(state(false))
        );
        assert_eq!(
            repo.swap_signal_state("alpha", &state(true))
                .await
                .expect("again"),
            None
        );
    }

    #[tokio::test]
    async fn deliveries_go_to_the_webhooks_that_want_them_and_are_claimed_once() {
        let repo = WebhookRepo::new(db().await);
        let v = domain::webhooks::validate(
            "https://hooks.example.org/a",
            &["feedback.created".to_string()],
            None,
            false,
        )
        .expect("valid");
        let a = repo
            .create(
                "alpha",
                &v,
                WebhookFormat::Json,
                "s".repeat(32).as_str(),
                "u1",
            )
            .await
            .expect("a");
        let w = domain::webhooks::validate(
            "https://hooks.example.org/b",
            &["signal.changed".to_string()],
            None,
            false,
        )
        .expect("valid");
        let b = repo
            .create(
                "alpha",
                &w,
                WebhookFormat::Json,
                "t".repeat(32).as_str(),
                "u1",
            )
            .await
            .expect("b");
        assert!(
            repo.wanted("alpha", EventType::FeedbackCreated)
                .await
                .expect("wanted")
        );
        assert!(
            !repo
                .wanted("alpha", EventType::InterviewScheduled)
                .await
                .expect("wanted")
        );
        assert!(
            !repo
                .wanted("beta", EventType::FeedbackCreated)
                .await
                .expect("wanted")
        );

        let event = WebhookEvent {
            id: "evt_1".into(),
            kind: EventType::FeedbackCreated,
            created_at: Utc::now(),
            project: domain::webhooks::EventProject {
                key: "alpha".into(),
                name: "Alpha".into(),
                url: "/projects/alpha".into(),
            },
            data: domain::webhooks::EventData::Ping(domain::webhooks::Ping {
                message: "x".into(),
            }),
        };
        assert_eq!(repo.enqueue(&event, None).await.expect("enqueue"), 1);
        // A ping goes to the one webhook named, whatever its events.
        let ping = WebhookEvent {
            kind: EventType::Ping,
            ..event.clone()
        };
        assert_eq!(repo.enqueue(&ping, Some(&b.id)).await.expect("ping"), 1);
        assert_eq!(repo.deliveries(&a.id, 10).await.expect("log").len(), 1);
        assert_eq!(repo.deliveries(&b.id, 10).await.expect("log").len(), 1);

        let none = HashMap::new();
        let claimed = repo.claim_due(10, 60, &none, 10).await.expect("claim");
        assert_eq!(claimed.len(), 2);
        assert!(
            claimed
                .iter()
                .all(|c| c.secret.as_deref().is_some_and(|s| s.len() == 32))
        );
        assert!(
            repo.claim_due(10, 60, &none, 10)
                .await
                .expect("again")
                .is_empty(),
            "leased"
        );

        let first = &claimed[0].id;
        repo.attempt_failed(first, Some(500), "HTTP 500", Some(Utc::now()))
            .await
            .expect("failed");
        let again = repo.claim_due(10, 60, &none, 10).await.expect("due again");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        repo.delivered(first, 204).await.expect("delivered");
        assert!(
            repo.claim_due(10, 60, &none, 10)
                .await
                .expect("none")
                .is_empty()
        );

        assert!(repo.delete("alpha", &a.id).await.expect("delete"));
        assert!(repo.deliveries(&a.id, 10).await.expect("log").is_empty());
        assert!(!repo.delete("beta", &b.id).await.expect("other project"));
    }

    #[tokio::test]
    async fn one_project_cannot_take_every_delivery_slot() {
        let repo = WebhookRepo::new(db().await);
        let mut ids = HashMap::new();
        for key in ["alpha", "beta"] {
            let v = domain::webhooks::validate(
                &format!("https://hooks.example.org/{key}"),
                &["feedback.created".to_string()],
                None,
                false,
            )
            .expect("valid");
            let w = repo
                .create(key, &v, WebhookFormat::Json, "s".repeat(32).as_str(), "u1")
                .await
                .expect("create");
            ids.insert(key, w.id);
        }
        let event = |key: &str, n: usize| WebhookEvent {
            id: format!("evt_{key}_{n}"),
            kind: EventType::FeedbackCreated,
            created_at: Utc::now(),
            project: domain::webhooks::EventProject {
                key: key.into(),
                name: key.into(),
                url: format!("/projects/{key}"),
            },
            data: domain::webhooks::EventData::Ping(domain::webhooks::Ping {
                message: "x".into(),
            }),
        };
        // Alpha's backlog is older than beta's one event.
        for n in 0..6 {
            repo.enqueue(&event("alpha", n), None).await.expect("alpha");
        }
        repo.enqueue(&event("beta", 0), None).await.expect("beta");
        let project_of = |c: &Claimed| c.project.as_ref().map(key_of).unwrap_or_default();

        // Two slots per project: alpha gets two, and beta is not held back behind alpha.
        let first = repo
            .claim_due(10, 60, &HashMap::new(), 2)
            .await
            .expect("claim");
        let mut got: Vec<String> = first.iter().map(project_of).collect();
        got.sort();
        assert_eq!(got, ["alpha", "alpha", "beta"]);
        // With alpha's two still in flight, alpha gets nothing more.
        let busy = HashMap::from([("alpha".to_string(), 2)]);
        assert!(
            repo.claim_due(10, 60, &busy, 2)
                .await
                .expect("full")
                .is_empty()
        );
        // One of them done: one more.
        let busy = HashMap::from([("alpha".to_string(), 1)]);
        let more = repo.claim_due(10, 60, &busy, 2).await.expect("one more");
        assert_eq!(more.len(), 1);
        assert_eq!(project_of(&more[0]), "alpha");
        assert_eq!(
            repo.deliveries(&ids["alpha"], 10).await.expect("log").len(),
            6
        );
    }
}
