//! SurrealQL for the email outbox (`schema/92_mail.surql`): queueing, claiming due messages
//! with a lease, recording answers, and the admin's list.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::{Db, key_of, rid};
use domain::error::AppResult;
use domain::mail::{MailKind, MailStatus, NewMail, OutboxEntry};

/// A message claimed for sending.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ClaimedMail {
    /// Row id.
    pub id: RecordId,
    /// The recipient.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// `Message-ID`, the same on every attempt.
    pub message_id: String,
    /// `Reply-To`.
    pub reply_to: Option<String>,
    /// One-click unsubscribe address.
    pub unsubscribe: Option<String>,
    /// An iCalendar attachment.
    pub ics: Option<String>,
    /// Its method (`REQUEST`, `CANCEL`).
    pub ics_method: Option<String>,
    /// Attempts before this one.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct EntryRow {
    id: RecordId,
    kind: String,
    recipient: String,
    subject: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

/// The outbox.
#[derive(Clone)]
pub struct MailRepo {
    db: Db,
}

/// The statement that queues messages, for the transaction of the change that causes them: it
/// reads `$mails`, a list of [`MailBinding`]s (see [`mail_binding`]).
pub const ENQUEUE_SQL: &str = "FOR $m IN $mails {
        CREATE mail_outbox CONTENT {
            kind: $m.kind, recipient: $m.recipient, subject: $m.subject, text: $m.text,
            html: $m.html, message_id: $m.message_id, reply_to: $m.reply_to,
            unsubscribe: $m.unsubscribe, stakeholder: $m.stakeholder, feedback: $m.feedback,
            ics: $m.ics, ics_method: $m.ics_method, status: 'pending', attempts: 0,
            next_attempt_at: time::now(), created_at: time::now() } RETURN NONE;
        IF $m.unsubscribe_hash != NONE {
            CREATE mail_unsubscribe CONTENT {
                token_hash: $m.unsubscribe_hash, email: $m.recipient, created_at: time::now()
            } RETURN NONE;
        };
    };";

/// The `$mail` value that [`ENQUEUE_SQL`] reads.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct MailBinding {
    kind: String,
    recipient: String,
    subject: String,
    text: String,
    html: String,
    message_id: String,
    reply_to: Option<String>,
    unsubscribe: Option<String>,
    unsubscribe_hash: Option<String>,
    stakeholder: Option<RecordId>,
    feedback: Option<RecordId>,
    ics: Option<String>,
    ics_method: Option<String>,
}

/// The value [`ENQUEUE_SQL`] reads for `mail`, with its `Message-ID` and, for a message with
/// one-click unsubscribe, the hash of the token in its address.
pub fn mail_binding(
    mail: &NewMail,
    message_id: &str,
    unsubscribe_hash: Option<String>,
) -> MailBinding {
    MailBinding {
        kind: mail.kind.as_str().to_string(),
        recipient: mail.recipient.clone(),
        subject: mail.subject.clone(),
        text: mail.text.clone(),
        html: mail.html.clone(),
        message_id: message_id.to_string(),
        reply_to: mail.reply_to.clone(),
        unsubscribe: mail.unsubscribe.clone(),
        unsubscribe_hash,
        stakeholder: mail.stakeholder.as_deref().map(|k| rid("stakeholder", k)),
        feedback: mail.feedback.as_deref().map(|k| rid("feedback", k)),
        ics: mail.calendar.as_ref().map(|c| c.ics.clone()),
        ics_method: mail.calendar.as_ref().map(|c| c.method.clone()),
    }
}

impl MailRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Queues one message on its own (a change that causes a message queues it in its own
    /// transaction with [`ENQUEUE_SQL`]).
    pub async fn enqueue(&self, mail: &NewMail, message_id: &str) -> AppResult<()> {
        self.enqueue_all(vec![mail_binding(mail, message_id, None)])
            .await
    }

    /// Queues messages on their own, in one transaction.
    pub async fn enqueue_all(&self, mails: Vec<MailBinding>) -> AppResult<()> {
        self.db
            .query(ENQUEUE_SQL)
            .bind(("mails", mails))
            .await?
            .check()?;
        Ok(())
    }

    /// Claims up to `limit` due messages for `lease` seconds, oldest first. A message another
    /// worker holds, or claims at the same moment, is left to it.
    pub async fn claim_due(&self, limit: usize, lease: i64) -> AppResult<Vec<ClaimedMail>> {
        let mut res = self
            .db
            .query(
                "SELECT VALUE id FROM mail_outbox
                 WHERE status = 'pending' AND next_attempt_at <= time::now()
                   AND (lease_until = NONE OR lease_until < time::now())
                 ORDER BY next_attempt_at LIMIT $limit",
            )
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let due: Vec<RecordId> = res.take(0)?;
        let mut claimed = Vec::new();
        for id in due {
            claimed.extend(
                crate::db::claim_leased::<ClaimedMail>(
                    &self.db,
                    "UPDATE $id SET lease_until = time::now() + <duration>$lease
                     WHERE status = 'pending' AND (lease_until = NONE OR lease_until < time::now())
                     RETURN id, recipient, subject, text, html, message_id, reply_to, unsubscribe,
                            ics, ics_method, attempts, created_at",
                    id,
                    lease,
                )
                .await?,
            );
        }
        Ok(claimed)
    }

    /// Records that the mail server accepted a message.
    pub async fn sent(&self, id: &RecordId) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET status = 'sent', attempts += 1, last_error = NONE,
                    sent_at = time::now(), lease_until = NONE RETURN NONE",
            )
            .bind(("id", id.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// Records a failed attempt: due again at `next`, or given up when `next` is `None`.
    pub async fn failed(
        &self,
        id: &RecordId,
        error: &str,
        next: Option<DateTime<Utc>>,
    ) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET attempts += 1, last_error = $error,
                    status = IF $next = NONE { 'failed' } ELSE { 'pending' },
                    next_attempt_at = $next ?? next_attempt_at, lease_until = NONE RETURN NONE",
            )
            .bind(("id", id.clone()))
            .bind(("error", error.chars().take(500).collect::<String>()))
            .bind(("next", next))
            .await?
            .check()?;
        Ok(())
    }

    /// The latest `limit` messages, newest first.
    pub async fn latest(&self, limit: usize) -> AppResult<Vec<OutboxEntry>> {
        let mut res = self
            .db
            .query(
                "SELECT id, kind, recipient, subject, status, attempts, last_error, created_at,
                        sent_at
                 FROM mail_outbox ORDER BY created_at DESC LIMIT $limit",
            )
            .bind(("limit", limit as i64))
            .await?
            .check()?;
        let rows: Vec<EntryRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(OutboxEntry {
                    id: key_of(&r.id),
                    kind: MailKind::parse(&r.kind)?,
                    recipient: r.recipient,
                    subject: r.subject,
                    status: MailStatus::parse(&r.status),
                    attempts: r.attempts,
                    last_error: r.last_error,
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;

mod consent;
mod digest;
pub use consent::UnsubscribeTarget;
pub use digest::{DigestUser, DigestUserRow, OverdueAction};
