//! Members' email choices, who takes new feedback at once, and what a digest reads.

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use super::{MailBinding, MailRepo};
use crate::db::{check_guarded, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::mail::digest::{DigestFrequency, FeedbackAlert, MailPreferences};

/// A member whose digest may be due.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct DigestUserRow {
    /// User id.
    pub id: RecordId,
    /// Their address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Workspace role.
    pub role: String,
    /// New-feedback choice.
    pub mail_feedback: Option<String>,
    /// Digest frequency.
    pub mail_digest: Option<String>,
    /// The last digest, or when the frequency was chosen.
    pub digest_since: Option<DateTime<Utc>>,
    /// What the last digest showed (JSON).
    pub digest_state: Option<String>,
}

/// A member's digest settings, read.
#[derive(Clone, Debug)]
pub struct DigestUser {
    /// User id (key).
    pub id: String,
    /// Their address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Workspace role name.
    pub role: String,
    /// Their choices.
    pub preferences: MailPreferences,
    /// The last digest, or when the frequency was chosen.
    pub since: Option<DateTime<Utc>>,
    /// What the last digest showed (JSON).
    pub state: Option<String>,
}

impl From<DigestUserRow> for DigestUser {
    fn from(r: DigestUserRow) -> Self {
        DigestUser {
            id: key_of(&r.id),
            email: r.email,
            name: r.name,
            role: r.role,
            preferences: MailPreferences {
                feedback: r
                    .mail_feedback
                    .as_deref()
                    .and_then(FeedbackAlert::parse)
                    .unwrap_or_default(),
                digest: r
                    .mail_digest
                    .as_deref()
                    .and_then(DigestFrequency::parse)
                    .unwrap_or_default(),
            },
            since: r.digest_since,
            state: r.digest_state,
        }
    }
}

const USER_FIELDS: &str =
    "id, email, name, role, mail_feedback, mail_digest, digest_since, digest_state";

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RecipientRow {
    email: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct FeedbackRow {
    project: RecordId,
    body: String,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ActionRow {
    id: RecordId,
    project: RecordId,
    text: String,
    due_sprint: i64,
    created_at: DateTime<Utc>,
}

/// An open action item past the end of the sprint it is due in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverdueAction {
    /// Project key.
    pub project: String,
    /// Item id.
    pub id: String,
    /// What is to be done.
    pub text: String,
    /// The sprint it was due in.
    pub due_sprint: i64,
}

impl MailRepo {
    /// A member's digest settings (`None` for an unknown user).
    pub async fn digest_user(&self, user: &str) -> AppResult<Option<DigestUser>> {
        let mut res = self
            .db
            .query(format!("SELECT {USER_FIELDS} FROM $id"))
            .bind(("id", rid("user", user)))
            .await?
            .check()?;
        let rows: Vec<DigestUserRow> = res.take(0)?;
        Ok(rows.into_iter().next().map(DigestUser::from))
    }

    /// Active users who take a digest.
    pub async fn digest_users(&self) -> AppResult<Vec<DigestUser>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {USER_FIELDS} FROM user WHERE mail_digest IN ['daily', 'weekly'] AND active = true"
            ))
            .await?
            .check()?;
        let rows: Vec<DigestUserRow> = res.take(0)?;
        Ok(rows.into_iter().map(DigestUser::from).collect())
    }

    /// Saves a member's choices. Choosing another digest frequency starts it afresh: the first
    /// digest is the next one after now.
    pub async fn set_preferences(&self, user: &str, p: MailPreferences) -> AppResult<()> {
        self.db
            .query(
                "UPDATE $id SET mail_feedback = $feedback,
                    digest_since = IF (mail_digest ?? 'off') != $digest { time::now() } ELSE { digest_since },
                    mail_digest = $digest RETURN NONE",
            )
            .bind(("id", rid("user", user)))
            .bind(("feedback", p.feedback.as_str().to_string()))
            .bind(("digest", p.digest.as_str().to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Records a digest: what it showed and when, with its message when there is one, in one
    /// transaction that only one instance wins (the one that still sees `since`). Returns
    /// whether this call won.
    pub async fn record_digest(
        &self,
        user: &str,
        since: Option<DateTime<Utc>>,
        state: Option<String>,
        mails: Vec<MailBinding>,
    ) -> AppResult<bool> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $won = UPDATE $id SET digest_since = time::now(),
                    digest_state = $state ?? digest_state
                    WHERE digest_since = $since RETURN VALUE id;
                 IF array::len($won) = 0 {{ THROW 'taken' }};
                 {}
                 COMMIT TRANSACTION;",
                super::ENQUEUE_SQL
            ))
            .bind(("id", rid("user", user)))
            .bind(("since", since))
            .bind(("state", state))
            .bind(("mails", mails))
            .await?;
        match check_guarded(res, AppError::Conflict("taken".into())) {
            Ok(_) => Ok(true),
            Err(AppError::Conflict(_)) => Ok(false),
            Err(e) if e.is_write_conflict() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The keys of the projects a user is a member of.
    pub async fn member_projects(&self, user: &str) -> AppResult<Vec<String>> {
        let mut res = self
            .db
            .query("SELECT VALUE project FROM membership WHERE user = $user")
            .bind(("user", rid("user", user)))
            .await?
            .check()?;
        let ids: Vec<RecordId> = res.take(0)?;
        Ok(ids.iter().map(key_of).collect())
    }

    /// The addresses of a project's active members who take new feedback at once, except
    /// `except` (the person who wrote it).
    pub async fn immediate_recipients(
        &self,
        project: &str,
        except: Option<&str>,
    ) -> AppResult<Vec<String>> {
        let mut res = self
            .db
            .query(
                "SELECT user.email AS email FROM membership
                 WHERE project = $project AND user.active = true
                   AND user.mail_feedback = 'immediately' AND user != $except",
            )
            .bind(("project", rid("project", project)))
            .bind(("except", except.map(|u| rid("user", u))))
            .await?
            .check()?;
        let rows: Vec<RecipientRow> = res.take(0)?;
        Ok(rows.into_iter().map(|r| r.email).collect())
    }

    /// Feedback texts received since `since` in the given projects, newest first, by project.
    pub async fn feedback_since(
        &self,
        projects: &[String],
        since: DateTime<Utc>,
    ) -> AppResult<Vec<(String, String)>> {
        let mut res = self
            .db
            .query(
                "SELECT project, body, created_at FROM feedback
                 WHERE project IN $projects AND created_at > $since",
            )
            .bind((
                "projects",
                projects
                    .iter()
                    .map(|k| rid("project", k))
                    .collect::<Vec<_>>(),
            ))
            .bind(("since", since))
            .await?
            .check()?;
        let mut rows: Vec<FeedbackRow> = res.take(0)?;
        rows.sort_by_key(|a| std::cmp::Reverse(a.created_at));
        Ok(rows
            .into_iter()
            .map(|r| (key_of(&r.project), r.body))
            .collect())
    }

    /// Open action items of the given projects whose due sprint ended before `today`.
    pub async fn overdue_actions(
        &self,
        projects: &[String],
        today: NaiveDate,
    ) -> AppResult<Vec<OverdueAction>> {
        let mut res = self
            .db
            .query(
                "SELECT id, project, text, due_sprint, created_at FROM action_item
                 WHERE project IN $projects AND status = 'open'
                   AND (SELECT VALUE end_on FROM sprint
                        WHERE project = $parent.project AND number = $parent.due_sprint)[0] < $today",
            )
            .bind((
                "projects",
                projects.iter().map(|k| rid("project", k)).collect::<Vec<_>>(),
            ))
            .bind(("today", today))
            .await?
            .check()?;
        let mut rows: Vec<ActionRow> = res.take(0)?;
        rows.sort_by_key(|a| (a.due_sprint, a.created_at));
        Ok(rows
            .into_iter()
            .map(|r| OverdueAction {
                project: key_of(&r.project),
                id: key_of(&r.id),
                text: r.text,
                due_sprint: r.due_sprint,
            })
            .collect())
    }
}
