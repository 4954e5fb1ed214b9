//! Email notifications: what the outbox holds and shows. Messages are rendered when they are
//! queued (in the transaction of the change that causes them) and sent later by a worker, so a
//! row is everything the sender needs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a message was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MailKind {
    /// A test message an admin sent from the outbox page.
    Test,
}

impl MailKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Test => "test",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<MailKind> {
        match s {
            "test" => Some(MailKind::Test),
            _ => None,
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            MailKind::Test => "Test message",
        }
    }
}

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MailStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The mail server accepted it.
    Sent,
    /// Given up: refused for good, or not accepted within 24 hours.
    Failed,
}

impl MailStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Pending => "pending",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    /// Parses the stored name (an unknown one reads as pending).
    pub fn parse(s: &str) -> MailStatus {
        match s {
            "sent" => MailStatus::Sent,
            "failed" => MailStatus::Failed,
            _ => MailStatus::Pending,
        }
    }
}

/// A message to queue: rendered, with its headers' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMail {
    /// Why it is sent.
    pub kind: MailKind,
    /// The one recipient's address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part (every value escaped by the template).
    pub html: String,
    /// `Reply-To`, when replies should reach someone.
    pub reply_to: Option<String>,
    /// One-click unsubscribe address (`List-Unsubscribe`), for messages to stakeholders.
    pub unsubscribe: Option<String>,
}

/// One outbox row as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OutboxEntry {
    /// Row id.
    pub id: String,
    /// Why it is sent.
    pub kind: MailKind,
    /// The recipient.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Where it is.
    pub status: MailStatus,
    /// Attempts so far.
    pub attempts: i64,
    /// The mail server's last answer to a failed attempt.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}

/// The outbox page: whether mail is on, and the latest messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    /// The sender address (`TOUCHPOINT_MAIL_FROM`), when mail is on.
    pub from: Option<String>,
    /// The latest 50 messages, newest first.
    pub entries: Vec<OutboxEntry>,
}

/// The wait before attempt `attempt + 1` of a message (doubling from `base`, at most six
/// hours), as for webhook deliveries; `None` once 24 hours have passed since it was queued.
pub fn next_attempt(
    base: chrono::Duration,
    attempts: u32,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let next = now + crate::webhooks::backoff(base, attempts);
    (next <= created_at + crate::webhooks::retry_window()).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn retries_double_and_stop_after_a_day() {
        let created = Utc::now();
        let base = Duration::seconds(30);
        assert_eq!(
            next_attempt(base, 1, created, created),
            Some(created + Duration::seconds(30))
        );
        assert_eq!(
            next_attempt(base, 3, created, created),
            Some(created + Duration::seconds(120))
        );
        // Never more than six hours apart.
        assert_eq!(
            next_attempt(base, 30, created, created),
            Some(created + Duration::hours(6))
        );
        // Nothing due after the 24 hours.
        assert_eq!(
            next_attempt(base, 2, created, created + Duration::hours(24)),
            None
        );
        assert!(next_attempt(base, 2, created, created + Duration::hours(23)).is_some());
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        assert_eq!(
            MailKind::parse(MailKind::Test.as_str()),
            Some(MailKind::Test)
        );
        assert_eq!(MailKind::parse("other"), None);
        for s in [MailStatus::Pending, MailStatus::Sent, MailStatus::Failed] {
            assert_eq!(MailStatus::parse(s.as_str()), s);
        }
    }
}
