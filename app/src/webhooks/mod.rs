//! Webhooks: per project, a URL, a secret and the events to send. Each event is written to the
//! database as a delivery before anything is sent, then sent (and retried with exponential
//! backoff for 24 hours) by the delivery worker of whichever app instance claims it first; so a
//! restart loses nothing. Every request is signed: `X-Touchpoint-Signature: t=<unix time>,
//! v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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

/// `retro.action_item.changed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionItemChanged {
    /// The action item's id.
    pub action_item_id: String,
    /// `created`, `updated` or `deleted`.
    pub change: String,
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidWebhook {
    /// The URL.
    pub url: String,
    /// The events (at least one).
    pub events: Vec<EventType>,
    /// The secret the caller chose, if any (else one is made).
    pub secret: Option<String>,
}

/// Checks a webhook's URL, events and optional secret. Addresses that name a private or
/// loopback host literally are refused unless `allow_private`; names are checked again, after
/// they are resolved, at every delivery.
pub fn validate(
    url: &str,
    events: &[String],
    secret: Option<&str>,
    allow_private: bool,
) -> Result<ValidWebhook, AppError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(AppError::field(
            "url",
            "Enter the address to send events to.",
        ));
    }
    if url.len() > MAX_URL {
        return Err(AppError::field(
            "url",
            format!("The address is too long (at most {MAX_URL} characters)."),
        ));
    }
    let (scheme, host, _) = split_url(url).ok_or_else(|| {
        AppError::field(
            "url",
            "Enter a full http:// or https:// address, such as https://example.org/hooks/touchpoint.",
        )
    })?;
    if scheme != "http" && scheme != "https" {
        return Err(AppError::field(
            "url",
            "Only http:// and https:// addresses can receive webhooks.",
        ));
    }
    if !allow_private && host_is_private(&host) {
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
        url: url.to_string(),
        events: chosen,
        secret: secret.map(str::to_string),
    })
}

/// `(scheme, host, port)` of an absolute http(s) URL; `None` when it is not one. The host of
/// an IPv6 literal comes without its brackets.
pub fn split_url(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => 0,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty()
        || authority.contains('@')
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (authority.to_string(), default_port),
        }
    };
    if host.is_empty() || port == 0 {
        return None;
    }
    Some((scheme, host.to_ascii_lowercase(), port))
}

/// Whether a host name or literal address is plainly private: `localhost` and its subdomains,
/// `.local` and `.internal` names, or a private, loopback or link-local literal.
pub fn host_is_private(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host.ends_with(".internal")
    {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(is_private_ip)
}

/// Whether an address is one webhooks must not reach without the admin's permission: loopback,
/// private (RFC 1918, unique local), link-local (including cloud metadata at 169.254.169.254),
/// shared (100.64/10), unspecified, broadcast, multicast, documentation or benchmarking ranges,
/// and IPv4 addresses inside IPv6 (mapped or NAT64) that are any of these.
pub fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_ip(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            // 64:ff9b::/96 (NAT64) carries an IPv4 address in its last 32 bits.
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let v4 = std::net::Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                );
                return is_private_ip(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)
        }
    }
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
    use std::net::Ipv6Addr;

    fn ev(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn private_and_loopback_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_private_ip(ip.parse().expect(ip)), "{ip} is private");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(!is_private_ip(ip.parse().expect(ip)), "{ip} is public");
        }
        assert!(is_private_ip(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }

    #[test]
    fn urls_are_split_into_scheme_host_and_port() {
        assert_eq!(
            split_url("https://Example.org/hooks?x=1"),
            Some(("https".into(), "example.org".into(), 443))
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080/in"),
            Some(("http".into(), "127.0.0.1".into(), 8080))
        );
        assert_eq!(
            split_url("http://[::1]:9000/"),
            Some(("http".into(), "::1".into(), 9000))
        );
        assert_eq!(split_url("https://user:pw@example.org/"), None);
        assert_eq!(split_url("example.org/hooks"), None);
        assert_eq!(split_url("https:///path"), None);
        assert_eq!(split_url("https://example.org:0/"), None);
        assert_eq!(split_url("https://example.org:99999/"), None);
        assert_eq!(split_url("https://exa mple.org/"), None);
    }

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
        assert_eq!(ok.url, "https://hooks.example.org/t");
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
