//! Email notifications: what the outbox holds and shows. Messages are rendered when they are
//! queued (in the transaction of the change that causes them) and sent later by a worker, so a
//! row is everything the sender needs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::feedback::FeedbackStatus;

pub mod digest;

/// Why a message was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MailKind {
    /// A test message an admin sent from the outbox page.
    #[default]
    Test,
    /// The team's answer to a stakeholder who asked to be told.
    FeedbackResponse,
    /// An interview invitation (iCalendar `REQUEST`).
    InterviewInvitation,
    /// An interview cancellation (iCalendar `CANCEL`).
    InterviewCancellation,
    /// New feedback in one of a member's projects.
    NewFeedback,
    /// A member's daily or weekly digest.
    Digest,
}

impl MailKind {
    /// Every kind.
    pub const ALL: [MailKind; 6] = [
        MailKind::Test,
        MailKind::FeedbackResponse,
        MailKind::InterviewInvitation,
        MailKind::InterviewCancellation,
        MailKind::NewFeedback,
        MailKind::Digest,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Test => "test",
            MailKind::FeedbackResponse => "feedback_response",
            MailKind::InterviewInvitation => "interview_invitation",
            MailKind::InterviewCancellation => "interview_cancellation",
            MailKind::NewFeedback => "new_feedback",
            MailKind::Digest => "digest",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            MailKind::Test => "Test message",
            MailKind::FeedbackResponse => "Response to a stakeholder",
            MailKind::InterviewInvitation => "Interview invitation",
            MailKind::InterviewCancellation => "Interview cancellation",
            MailKind::NewFeedback => "New feedback",
            MailKind::Digest => "Digest",
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

/// An iCalendar part of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarPart {
    /// `REQUEST` or `CANCEL` (the `method` of its content type).
    pub method: String,
    /// The `.ics` text.
    pub ics: String,
}

/// A message to queue: rendered, with its headers' values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// The stakeholder it goes to (erasing them removes it while it waits).
    pub stakeholder: Option<String>,
    /// The feedback item it is about.
    pub feedback: Option<String>,
    /// An iCalendar attachment.
    pub calendar: Option<CalendarPart>,
}

/// The longest address a stakeholder may leave.
pub const MAX_EMAIL: usize = 254;

/// Checks the "tell me when the team responds" part of the feedback form: the address is kept
/// only with the box ticked (explicit consent), and then it must be an address.
pub fn consent(ticked: bool, email: &str) -> Result<Option<String>, AppError> {
    let email = email.trim();
    match (ticked, email.is_empty()) {
        (false, true) => Ok(None),
        (false, false) => Err(AppError::field(
            "notify_email",
            "Tick “Tell me when the team responds” to get an email, or leave the address empty.",
        )),
        (true, true) => Err(AppError::field(
            "notify_email",
            "Enter the address the team's answer should go to.",
        )),
        (true, false) => crate::auth::validate_email(email).map(Some).map_err(|_| {
            AppError::field(
                "notify_email",
                "Enter an email address such as name@example.org.",
            )
        }),
    }
}

/// An address as a page may show it to whoever holds a link: `an•••@example.org`.
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let shown: String = local.chars().take(2).collect();
            format!("{shown}•••@{domain}")
        }
        None => "•••".to_string(),
    }
}

/// What the unsubscribe page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeView {
    /// The address, masked ([`masked`]).
    pub email: String,
    /// Whether it is unsubscribed already.
    pub done: bool,
}

/// Whether a triage change is news for the person who asked to be told: a new or changed
/// response, or a move to planned, addressed or declined.
pub fn tells_stakeholder(
    before: (FeedbackStatus, Option<&str>),
    after: (FeedbackStatus, Option<&str>),
) -> bool {
    let answered = after.1.is_some_and(|r| Some(r) != before.1);
    let decided = before.0 != after.0
        && matches!(
            after.0,
            FeedbackStatus::Planned | FeedbackStatus::Addressed | FeedbackStatus::Declined
        );
    answered || decided
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
    fn consent_keeps_an_address_only_when_ticked() {
        assert_eq!(consent(false, "  "), Ok(None));
        assert_eq!(
            consent(true, " Ana@Example.org "),
            Ok(Some("ana@example.org".into()))
        );
        for (ticked, email) in [
            (false, "ana@example.org"),
            (true, ""),
            (true, "not an address"),
        ] {
            let err = consent(ticked, email).expect_err(email);
            assert!(
                matches!(err, AppError::Validation { ref field, .. } if field.as_deref() == Some("notify_email")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn addresses_are_masked() {
        assert_eq!(masked("ana.lima@example.org"), "an•••@example.org");
        assert_eq!(masked("a@b.org"), "a•••@b.org");
        assert_eq!(masked("nonsense"), "•••");
    }

    #[test]
    fn a_stakeholder_hears_of_answers_and_decisions_only() {
        use FeedbackStatus::*;
        assert!(tells_stakeholder(
            (New, None),
            (Acknowledged, Some("Thanks"))
        ));
        assert!(tells_stakeholder(
            (Acknowledged, Some("a")),
            (Acknowledged, Some("b"))
        ));
        assert!(!tells_stakeholder(
            (Acknowledged, Some("a")),
            (Acknowledged, Some("a"))
        ));
        assert!(!tells_stakeholder((New, None), (Acknowledged, None)));
        assert!(!tells_stakeholder(
            (Acknowledged, Some("a")),
            (Acknowledged, None)
        ));
        for s in [Planned, Addressed, Declined] {
            assert!(tells_stakeholder((New, None), (s, None)));
            assert!(!tells_stakeholder((s, None), (s, None)));
        }
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        for k in MailKind::ALL {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MailKind::parse("other"), None);
        for s in [MailStatus::Pending, MailStatus::Sent, MailStatus::Failed] {
            assert_eq!(MailStatus::parse(s.as_str()), s);
        }
    }
}
