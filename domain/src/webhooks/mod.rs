//! Webhooks: per project, a URL, a secret and the events to send. Each event is written to the
//! database as a delivery before anything is sent, then sent (and retried with exponential
//! backoff for 24 hours) by the delivery worker of whichever app instance claims it first; so a
//! restart loses nothing. Every request is signed: `X-Touchpoint-Signature: t=<unix time>,
//! v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.

pub mod chat;
#[cfg(feature = "ssr")]
pub mod target;

pub use chat::WebhookFormat;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What a webhook can be told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EventType {
    /// New feedback, through an invite link or recorded by the team.
    #[serde(rename = "feedback.created")]
    FeedbackCreated,
    /// A sprint review was recorded.
    #[serde(rename = "sprint.review_held")]
    SprintReviewHeld,
    /// A retro action item was added, changed or deleted.
    #[serde(rename = "retro.action_item.changed")]
    ActionItemChanged,
    /// An interview was scheduled (or moved).
    #[serde(rename = "interview.scheduled")]
    InterviewScheduled,
    /// The project's end-user contact flag or a scorecard level changed.
    #[serde(rename = "signal.changed")]
    SignalChanged,
    /// Sent by "Send a test event"; always delivered, whatever the webhook's events.
    #[serde(rename = "ping")]
    Ping,
}

impl EventType {
    /// The events a webhook can subscribe to.
    pub const SUBSCRIBABLE: [EventType; 5] = [
        Self::FeedbackCreated,
        Self::SprintReviewHeld,
        Self::ActionItemChanged,
        Self::InterviewScheduled,
        Self::SignalChanged,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FeedbackCreated => "feedback.created",
            Self::SprintReviewHeld => "sprint.review_held",
            Self::ActionItemChanged => "retro.action_item.changed",
            Self::InterviewScheduled => "interview.scheduled",
            Self::SignalChanged => "signal.changed",
            Self::Ping => "ping",
        }
    }

    /// Parses a name on the wire.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Ping]
            .into_iter()
            .chain(Self::SUBSCRIBABLE)
            .find(|e| e.as_str() == s.trim())
    }

    /// What a person reads in the settings.
    pub fn label(self) -> &'static str {
        match self {
            Self::FeedbackCreated => "New feedback",
            Self::SprintReviewHeld => "Sprint review recorded",
            Self::ActionItemChanged => "Retro action item added, changed or deleted",
            Self::InterviewScheduled => "Interview scheduled",
            Self::SignalChanged => "End-user contact flag or scorecard level changed",
            Self::Ping => "Test event",
        }
    }
}

/// A webhook as its settings show it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Its id.
    pub id: String,
    /// The project key.
    pub project: String,
    /// Where events are POSTed.
    pub url: String,
    /// The events it receives.
    pub events: Vec<EventType>,
    /// Whether it is on.
    pub active: bool,
    /// What it sends: the signed JSON event, a Slack message or a Teams card.
    #[serde(default)]
    pub format: WebhookFormat,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A new webhook and, this once, its signing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The secret the signatures are made with; it is not shown again.
    pub secret: String,
}

/// The state of one delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; another attempt is due at `next_attempt_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: 24 hours of retries passed, or the address may not be called.
    Failed,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Self {
        match s {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// One event on its way to one webhook: the delivery log's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Its id (also sent as `X-Touchpoint-Delivery`).
    pub id: String,
    /// The event's id (the same on every attempt).
    pub event_id: String,
    /// The event type.
    pub event: EventType,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// The HTTP status of the last attempt, if the receiver answered.
    pub last_status: Option<u16>,
    /// What went wrong last, if anything.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A webhook's page: the webhook and its latest deliveries, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPage {
    /// The webhook.
    pub webhook: Webhook,
    /// Its latest deliveries.
    pub deliveries: Vec<Delivery>,
}

// ---- the event body ---------------------------------------------------------------------------

/// The JSON body of every webhook request. `id` is the same on every attempt of one delivery:
/// receivers should ignore an id they have seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// The event's id.
    pub id: String,
    /// The event type; `data` has the matching shape.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When it happened.
    pub created_at: DateTime<Utc>,
    /// The project.
    pub project: EventProject,
    /// What happened.
    pub data: EventData,
}

/// The project an event concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventProject {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Its page in Touchpoint (absolute when the public URL is configured).
    pub url: String,
}

/// The event-specific part of a [`WebhookEvent`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum EventData {
    /// `feedback.created`.
    FeedbackCreated(FeedbackCreated),
    /// `sprint.review_held`.
    SprintReviewHeld(SprintReviewHeld),
    /// `retro.action_item.changed`.
    ActionItemChanged(ActionItemChanged),
    /// `interview.scheduled`.
    InterviewScheduled(InterviewScheduled),
    /// `signal.changed`.
    SignalChanged(SignalChanged),
    /// `ping`.
    Ping(Ping),
}

/// `feedback.created`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedbackCreated {
    /// The feedback's id.
    pub feedback_id: String,
    /// The sprint it is about, if any.
    pub sprint: Option<u32>,
    /// `link` (through an invite) or `team` (recorded by the team).
    pub channel: String,
    /// Its category.
    pub category: String,
    /// The rating (1–5), if given.
    pub rating: Option<u8>,
    /// What was said.
    pub body: String,
}

/// `sprint.review_held`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SprintReviewHeld {
    /// The sprint number.
    pub sprint: u32,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Its outcome.
    pub outcome: String,
}

/// What happened to a record an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// It was created.
    Created,
    /// It was changed.
    Updated,
    /// It was deleted.
    Deleted,
}

/// `retro.action_item.changed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionItemChanged {
    /// The action item's id.
    pub action_item_id: String,
    /// `created`, `updated` or `deleted`.
    pub change: Change,
    /// The sprint of the retro it came from.
    pub sprint: u32,
    /// What is to be done (empty for a deletion).
    pub text: String,
    /// `open`, `done` or `dropped` (empty for a deletion).
    pub status: String,
    /// The sprint it is due in (0 for a deletion).
    pub due_sprint: u32,
}

/// `interview.scheduled`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InterviewScheduled {
    /// The interview's id.
    pub interview_id: String,
    /// Its kind.
    pub kind: String,
    /// When it starts.
    pub scheduled_at: DateTime<Utc>,
    /// How many people take part.
    pub participants: u32,
}

/// The signals a `signal.changed` event compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignalState {
    /// The end-user contact red flag.
    pub lacking_end_user_contact: bool,
    /// M1 agility and diversity.
    pub m1_agility_diversity: crate::signals::Level,
    /// M2 end users.
    pub m2_end_users: crate::signals::Level,
    /// M3 productionization.
    pub m3_productionization: crate::signals::Level,
    /// M4 data debt.
    pub m4_data_debt: crate::signals::Level,
    /// M5 beyond ML.
    pub m5_beyond_ml: crate::signals::Level,
    /// Two or more red signals.
    pub at_risk: bool,
}

impl SignalState {
    /// The state of a project's signals.
    pub fn of(s: &crate::signals::ProjectSignals) -> Self {
        let c = &s.scorecard;
        Self {
            lacking_end_user_contact: s.end_user_contact.lacking,
            m1_agility_diversity: c.m1_agility_diversity.level,
            m2_end_users: c.m2_end_users.level,
            m3_productionization: c.m3_productionization.level,
            m4_data_debt: c.m4_data_debt.level,
            m5_beyond_ml: c.m5_beyond_ml.level,
            at_risk: c.at_risk,
        }
    }

    /// The names of the fields that differ from `other`.
    pub fn changes(&self, other: &Self) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |name: &str, differs: bool| {
            if differs {
                out.push(name.to_string());
            }
        };
        check(
            "lacking_end_user_contact",
            self.lacking_end_user_contact != other.lacking_end_user_contact,
        );
        check(
            "m1_agility_diversity",
            self.m1_agility_diversity != other.m1_agility_diversity,
        );
        check("m2_end_users", self.m2_end_users != other.m2_end_users);
        check(
            "m3_productionization",
            self.m3_productionization != other.m3_productionization,
        );
        check("m4_data_debt", self.m4_data_debt != other.m4_data_debt);
        check("m5_beyond_ml", self.m5_beyond_ml != other.m5_beyond_ml);
        check("at_risk", self.at_risk != other.at_risk);
        out
    }
}

/// `signal.changed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignalChanged {
    /// The day the signals were computed for.
    pub as_of: NaiveDate,
    /// The names of the fields that changed.
    pub changed: Vec<String>,
    /// Before the write.
    pub before: SignalState,
    /// After it.
    pub after: SignalState,
}

/// `ping`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ping {
    /// Always "Test event from Touchpoint".
    pub message: String,
}

// ---- validation -------------------------------------------------------------------------------

/// The longest URL accepted.
pub const MAX_URL: usize = 2000;
/// The most webhooks one project may have.
pub const MAX_PER_PROJECT: usize = 20;

/// A webhook's settings, checked.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidWebhook {
    /// The address.
    pub target: target::WebhookTarget,
    /// The events (at least one).
    pub events: Vec<EventType>,
    /// The secret the caller chose, if any (else one is made).
    pub secret: Option<String>,
}

/// Checks a webhook's address, events and optional secret. An address whose host is private
/// by its spelling (a private literal address, `localhost`, `*.internal`) is refused unless
/// `allow_private`; names are checked again, where the delivery client resolves them.
#[cfg(feature = "ssr")]
pub fn validate(
    url: &str,
    events: &[String],
    secret: Option<&str>,
    allow_private: bool,
) -> Result<ValidWebhook, AppError> {
    let target = target::WebhookTarget::parse(url)?;
    if !allow_private && target.is_plainly_private() {
        return Err(AppError::field(
            "url",
            "This address is on a private or loopback network. An admin can allow such addresses in the workspace settings.",
        ));
    }
    let mut chosen = Vec::new();
    for e in events {
        match EventType::parse(e) {
            Some(t) if t != EventType::Ping => {
                if !chosen.contains(&t) {
                    chosen.push(t);
                }
            }
            _ => {
                return Err(AppError::field(
                    "events",
                    format!(
                        "Unknown event \"{}\".",
                        e.chars().take(60).collect::<String>()
                    ),
                ));
            }
        }
    }
    if chosen.is_empty() {
        return Err(AppError::field(
            "events",
            "Choose at least one event to send.",
        ));
    }
    let secret = secret.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = secret
        && !(16..=200).contains(&s.chars().count())
    {
        return Err(AppError::field(
            "secret",
            "A secret needs 16 to 200 characters (leave it empty to have one made).",
        ));
    }
    Ok(ValidWebhook {
        target,
        events: chosen,
        secret: secret.map(str::to_string),
    })
}

/// How long to wait before attempt `attempt + 1` after `attempt` failed ones: `base`, doubled
/// each time, at most six hours.
pub fn backoff(base: chrono::Duration, attempt: u32) -> chrono::Duration {
    let factor = 1_i32 << attempt.saturating_sub(1).min(16);
    (base * factor).min(chrono::Duration::hours(6))
}

/// How long a delivery is retried before it is given up.
pub fn retry_window() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// The `X-Touchpoint-Signature` value of `body` sent at `timestamp` (Unix seconds).
#[cfg(feature = "ssr")]
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC accepts keys of any length.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    fn ev(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn validation_refuses_private_hosts_unless_allowed_and_needs_an_event() {
        let events = ev(&["feedback.created"]);
        for url in [
            "http://localhost:3000/in",
            "http://127.0.0.1/in",
            "http://[::1]/in",
            "http://10.0.0.5/in",
            "http://metadata.google.internal/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let err = validate(url, &events, None, false).expect_err(url);
            assert_eq!(err.field_name(), Some("url"), "{url}");
            assert!(
                validate(url, &events, None, true).is_ok(),
                "{url} when allowed"
            );
        }
        let ok = validate(
            " https://hooks.example.org/t ",
            &ev(&["signal.changed", "feedback.created", "signal.changed"]),
            Some("  a secret of enough length "),
            false,
        )
        .expect("valid");
        assert_eq!(ok.target.as_str(), "https://hooks.example.org/t");
        assert_eq!(
            ok.events,
            vec![EventType::SignalChanged, EventType::FeedbackCreated]
        );
        assert_eq!(ok.secret.as_deref(), Some("a secret of enough length"));

        let field = |r: Result<ValidWebhook, AppError>| {
            r.expect_err("refused").field_name().map(str::to_string)
        };
        assert_eq!(
            field(validate("", &events, None, false)).as_deref(),
            Some("url")
        );
        assert_eq!(
            field(validate("ftp://example.org/", &events, None, false)).as_deref(),
            Some("url")
        );
        assert_eq!(
            field(validate("https://example.org/", &[], None, false)).as_deref(),
            Some("events")
        );
        assert_eq!(
            field(validate(
                "https://example.org/",
                &ev(&["ping"]),
                None,
                false
            ))
            .as_deref(),
            Some("events")
        );
        assert_eq!(
            field(validate(
                "https://example.org/",
                &ev(&["nope"]),
                None,
                false
            ))
            .as_deref(),
            Some("events")
        );
        assert_eq!(
            field(validate(
                "https://example.org/",
                &events,
                Some("short"),
                false
            ))
            .as_deref(),
            Some("secret")
        );
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL));
        assert_eq!(
            field(validate(&long, &events, None, false)).as_deref(),
            Some("url")
        );
    }

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        let base = chrono::Duration::seconds(30);
        assert_eq!(backoff(base, 1), chrono::Duration::seconds(30));
        assert_eq!(backoff(base, 2), chrono::Duration::seconds(60));
        assert_eq!(backoff(base, 3), chrono::Duration::seconds(120));
        assert_eq!(backoff(base, 30), chrono::Duration::hours(6));
    }

    #[test]
    fn event_names_round_trip() {
        for t in EventType::SUBSCRIBABLE.into_iter().chain([EventType::Ping]) {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).expect("json"),
                format!("\"{}\"", t.as_str())
            );
        }
        assert_eq!(EventType::parse("feedback"), None);
    }

    #[test]
    fn signal_changes_name_each_field_that_moved() {
        use crate::signals::Level;
        let a = SignalState {
            lacking_end_user_contact: false,
            m1_agility_diversity: Level::Green,
            m2_end_users: Level::Green,
            m3_productionization: Level::Amber,
            m4_data_debt: Level::Green,
            m5_beyond_ml: Level::Green,
            at_risk: false,
        };
        let mut b = a.clone();
        assert!(a.changes(&b).is_empty());
        b.lacking_end_user_contact = true;
        b.m2_end_users = Level::Red;
        assert_eq!(
            b.changes(&a),
            vec![
                "lacking_end_user_contact".to_string(),
                "m2_end_users".to_string()
            ]
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Expected values computed independently with Python's `hmac` module, e.g.
        // hmac.new(b"Jefe", b"0.what do ya want for nothing?", hashlib.sha256).hexdigest().
        let sig = signature("Jefe", 0, "what do ya want for nothing?");
        assert_eq!(
            sig,
            "t=0,v1=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc"
        );
        assert_eq!(
            signature("whsec_test_secret_0123", 1_733_318_400, r#"{"id":"evt_1"}"#),
            "t=1733318400,v1=116804068617fb5b3101191a8523e474011ce2df13d0d98689e42904c586af94"
        );
        assert_ne!(
            signature("Jefe", 1, "what do ya want for nothing?"),
            sig,
            "the timestamp is signed"
        );
        assert_ne!(signature("other", 0, "what do ya want for nothing?"), sig);
    }
}
