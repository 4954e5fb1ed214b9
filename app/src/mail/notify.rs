//! The messages a change causes, rendered and ready for the transaction of that change: the
//! team's response to a stakeholder who asked to be told, new feedback for members who want it
//! at once, interview invitations and cancellations, and digests. Each builder returns nothing
//! when email is off (no `TOUCHPOINT_MAIL_FROM`) or, for messages that link back, when
//! Touchpoint has no public address.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::repo::{MailBinding, mail_binding};
use super::service::{message_id, render};
use super::{CalendarPart, MailKind, NewMail};
use crate::error::AppResult;
use crate::state::AppState;
use domain::feedback::{FeedbackStatus, ValidContent};
use domain::interviews::Interview;
use domain::mail::digest::{DigestFrequency, DigestSection};

/// The public base address, without a trailing slash.
fn base(state: &AppState) -> Option<&str> {
    state
        .settings
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/'))
}

/// The binding of `mail`, when email is on.
fn bind(state: &AppState, mail: &NewMail, unsubscribe_hash: Option<String>) -> Option<MailBinding> {
    let from = state.settings.mail_from.as_deref()?;
    Some(mail_binding(mail, &message_id(from), unsubscribe_hash))
}

/// What a stakeholder is told when the team answers.
pub struct Answer<'a> {
    /// Project name.
    pub project: &'a str,
    /// The feedback item's id.
    pub feedback: &'a str,
    /// Its stakeholder, if it has one.
    pub stakeholder: Option<&'a str>,
    /// When they sent it.
    pub sent_at: DateTime<Utc>,
    /// What they wrote.
    pub body: &'a str,
    /// Its status now.
    pub status: FeedbackStatus,
    /// The sprint that plans or addressed it.
    pub sprint: Option<u32>,
    /// The team's response.
    pub response: Option<&'a str>,
    /// The invite token of their link page, kept with their consent.
    pub link_token: Option<&'a str>,
}

#[derive(Serialize)]
struct AnswerValues<'a> {
    project: &'a str,
    sent_on: String,
    excerpt: String,
    status: &'a str,
    sprint: Option<u32>,
    response: Option<&'a str>,
    link: Option<String>,
    unsubscribe: &'a str,
}

/// The message to the person who asked to be told about an item, with its own one-click
/// unsubscribe token (only the token's hash is stored).
pub fn answer(state: &AppState, to: &str, a: &Answer<'_>) -> AppResult<Option<MailBinding>> {
    let Some(base) = base(state) else {
        return Ok(None);
    };
    if state.settings.mail_from.is_none() {
        return Ok(None);
    }
    let token = store::secrets::new_token();
    let unsubscribe = format!("{base}/unsubscribe/{token}");
    let (text, html) = render(
        "feedback_response",
        &AnswerValues {
            project: a.project,
            sent_on: a.sent_at.format("%Y-%m-%d").to_string(),
            excerpt: domain::mail::digest::first_line(a.body),
            status: a.status.label(),
            sprint: a.sprint,
            response: a.response,
            link: a.link_token.map(|t| format!("{base}/f/{t}")),
            unsubscribe: &unsubscribe,
        },
    )?;
    let mail = NewMail {
        kind: MailKind::FeedbackResponse,
        recipient: to.to_string(),
        subject: format!("The {} team responded to your feedback", a.project),
        text,
        html,
        unsubscribe: Some(unsubscribe),
        stakeholder: a.stakeholder.map(str::to_string),
        feedback: Some(a.feedback.to_string()),
        ..NewMail::default()
    };
    Ok(bind(state, &mail, Some(store::secrets::hash_token(&token))))
}

#[derive(Serialize)]
struct NewFeedbackValues<'a> {
    project: &'a str,
    from: Option<&'a str>,
    rating: Option<u8>,
    category: &'a str,
    body: &'a str,
    link: String,
}

/// One message per member who takes new feedback at once (their addresses in `to`), linking
/// to the project's inbox under `base`.
fn new_feedback(
    state: &AppState,
    base: &str,
    to: &[String],
    key: &str,
    project: &str,
    from: Option<&str>,
    content: &ValidContent,
) -> AppResult<Vec<MailBinding>> {
    if to.is_empty() {
        return Ok(Vec::new());
    }
    let (text, html) = render(
        "new_feedback",
        &NewFeedbackValues {
            project,
            from,
            rating: content.rating,
            category: content.category.label(),
            body: &content.body,
            link: format!("{base}/projects/{key}/feedback"),
        },
    )?;
    Ok(to
        .iter()
        .filter_map(|recipient| {
            let mail = NewMail {
                kind: MailKind::NewFeedback,
                recipient: recipient.clone(),
                subject: format!("New feedback on {project}"),
                text: text.clone(),
                html: html.clone(),
                ..NewMail::default()
            };
            bind(state, &mail, None)
        })
        .collect())
}

/// The messages about new feedback for the project's members who take it at once (except
/// `except`, the member who recorded it).
pub async fn tell_members(
    state: &AppState,
    key: &str,
    project: &str,
    from: Option<&str>,
    content: &ValidContent,
    except: Option<&str>,
) -> AppResult<Vec<MailBinding>> {
    let Some(base) = base(state).filter(|_| state.settings.mail_from.is_some()) else {
        return Ok(Vec::new());
    };
    let to = super::repo::MailRepo::new(state.db.clone())
        .immediate_recipients(key, except)
        .await?;
    new_feedback(state, base, &to, key, project, from, content)
}

/// A participant of an interview who has an address.
pub struct Invitee {
    /// Stakeholder id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Address.
    pub email: String,
}

#[derive(Serialize)]
struct InterviewValues<'a> {
    subject: &'a str,
    name: &'a str,
    kind: &'a str,
    project: &'a str,
    when: &'a str,
    zone: &'a str,
    minutes: u32,
    interviewers: String,
    cancelled: bool,
    update: bool,
}

/// An invitation (`REQUEST`, `update` when it changes one sent before) or a cancellation
/// (`CANCEL`) of `interview` for one participant, with its calendar entry.
pub fn interview(
    state: &AppState,
    interview: &Interview,
    to: &Invitee,
    cancel: bool,
    update: bool,
    sequence: i64,
) -> AppResult<Option<MailBinding>> {
    let Some(from) = state.settings.mail_from.as_deref() else {
        return Ok(None);
    };
    let organizer = from
        .rsplit_once('<')
        .map_or(from, |(_, a)| a.trim_end_matches('>'))
        .trim();
    let page = base(state)
        .map(|b| format!("{b}/projects/{}/interviews", interview.project))
        .unwrap_or_default();
    let subject = if cancel {
        format!(
            "Cancelled: {} interview, {}",
            interview.kind.label(),
            interview.local_start
        )
    } else if update {
        format!(
            "Moved: {} interview, now {}",
            interview.kind.label(),
            interview.local_start
        )
    } else {
        format!(
            "Invitation: {} interview, {}",
            interview.kind.label(),
            interview.local_start
        )
    };
    let (text, html) = render(
        "interview",
        &InterviewValues {
            subject: &subject,
            name: &to.name,
            kind: interview.kind.label(),
            project: &interview.project_name,
            when: &interview.local_start,
            zone: &interview.time_zone,
            minutes: interview.duration_min,
            interviewers: interview
                .interviewers
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            cancelled: cancel,
            update,
        },
    )?;
    let method = if cancel { "CANCEL" } else { "REQUEST" };
    let ics = crate::interviews::ical::invitation(
        interview,
        &crate::interviews::ical::Invitation {
            method,
            sequence,
            organizer,
            attendee_name: &to.name,
            attendee_email: &to.email,
            page_url: &page,
            stamp: Utc::now(),
        },
    );
    let mail = NewMail {
        kind: if cancel {
            MailKind::InterviewCancellation
        } else {
            MailKind::InterviewInvitation
        },
        recipient: to.email.clone(),
        subject,
        text,
        html,
        stakeholder: Some(to.id.clone()),
        calendar: Some(CalendarPart {
            method: method.to_string(),
            ics,
        }),
        ..NewMail::default()
    };
    Ok(bind(state, &mail, None))
}

#[derive(Serialize)]
struct DigestValues<'a> {
    frequency: &'a str,
    date: String,
    sections: &'a [DigestSection],
    link: Option<&'a str>,
}

/// A member's digest.
pub fn digest(
    state: &AppState,
    to: &str,
    frequency: DigestFrequency,
    date: chrono::NaiveDate,
    sections: &[DigestSection],
) -> AppResult<Option<MailBinding>> {
    let word = match frequency {
        DigestFrequency::Weekly => "weekly",
        _ => "daily",
    };
    let (text, html) = render(
        "digest",
        &DigestValues {
            frequency: word,
            date: date.format("%A, %-d %B %Y").to_string(),
            sections,
            link: base(state),
        },
    )?;
    let projects = sections.len();
    let mail = NewMail {
        kind: MailKind::Digest,
        recipient: to.to_string(),
        subject: format!(
            "Your Touchpoint digest: {projects} project{}",
            if projects == 1 { "" } else { "s" }
        ),
        text,
        html,
        ..NewMail::default()
    };
    Ok(bind(state, &mail, None))
}
