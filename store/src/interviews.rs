//! SurrealQL for interviews, their insights and the projects' calendar tokens.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{key_of, rid};
use crate::mail::{ENQUEUE_SQL, MailBinding};
use domain::error::{AppError, AppResult};
use domain::interviews::{
    Function, Insight, Interview, InterviewKind, InterviewStatus, Interviewer, Participant,
    StakeholderChoice, ValidInterview, local_strings,
};

/// An insight as stored.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InsightRecord {
    /// Text.
    pub text: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// An `interview` row with the names of the people and the project it links to.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct InterviewRecord {
    /// Record id.
    pub id: RecordId,
    /// Project.
    pub project: RecordId,
    /// Project name (joined).
    pub project_name: Option<String>,
    /// Participants.
    pub participants: Vec<RecordId>,
    /// Their names (joined, same order).
    pub participant_names: Vec<Option<String>>,
    /// Their functions (joined, same order).
    pub participant_functions: Vec<Option<String>>,
    /// Interviewers.
    pub interviewers: Vec<RecordId>,
    /// Their names (joined, same order).
    pub interviewer_names: Vec<Option<String>>,
    /// Start, UTC.
    pub scheduled_at: DateTime<Utc>,
    /// IANA zone.
    pub time_zone: String,
    /// Minutes.
    pub duration_min: i64,
    /// Kind name.
    pub kind: String,
    /// Status name.
    pub status: String,
    /// Markdown notes.
    pub notes: String,
    /// Insights.
    pub insights: Vec<InsightRecord>,
    /// Whether participants are sent invitations (none on interviews from before they were).
    pub invite_participants: Option<bool>,
    /// iCalendar SEQUENCE.
    pub ical_sequence: Option<i64>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

fn display_name(name: Option<&String>) -> String {
    match name.map(|n| n.trim()) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => "Erased".to_string(),
    }
}

impl From<InterviewRecord> for Interview {
    fn from(r: InterviewRecord) -> Self {
        let (local_start, local_input) = local_strings(r.scheduled_at, &r.time_zone);
        let participants = r
            .participants
            .iter()
            .enumerate()
            .map(|(i, id)| Participant {
                id: key_of(id),
                name: display_name(r.participant_names.get(i).and_then(Option::as_ref)),
                function: r
                    .participant_functions
                    .get(i)
                    .and_then(|f| f.as_deref())
                    .and_then(|f| f.parse().ok())
                    .unwrap_or(Function::Other),
            })
            .collect();
        let interviewers = r
            .interviewers
            .iter()
            .enumerate()
            .map(|(i, id)| Interviewer {
                id: key_of(id),
                name: display_name(r.interviewer_names.get(i).and_then(Option::as_ref)),
            })
            .collect();
        Interview {
            id: key_of(&r.id),
            project: key_of(&r.project),
            project_name: r.project_name.unwrap_or_default(),
            participants,
            interviewers,
            scheduled_at: r.scheduled_at,
            local_start,
            local_input,
            time_zone: r.time_zone,
            duration_min: u32::try_from(r.duration_min)
                .unwrap_or(domain::interviews::DEFAULT_DURATION),
            kind: r.kind.parse().unwrap_or(InterviewKind::Discovery),
            status: r.status.parse().unwrap_or(InterviewStatus::Scheduled),
            notes_html: crate::markdown::render(&r.notes),
            notes: r.notes,
            insights: r
                .insights
                .into_iter()
                .map(|i| Insight {
                    text: i.text,
                    tags: i.tags,
                })
                .collect(),
            invitations: r.invite_participants.unwrap_or(false),
            sequence: r.ical_sequence.unwrap_or(0),
            updated_at: r.updated_at,
        }
    }
}

const FIELDS: &str = "id, project, project.name AS project_name, participants, \
     participants.name AS participant_names, participants.function AS participant_functions, \
     interviewers, interviewers.name AS interviewer_names, scheduled_at, time_zone, duration_min, \
     kind, status, notes, insights, updated_at, invite_participants, ical_sequence";

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ChoiceRow {
    id: RecordId,
    name: String,
    function: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NameRow {
    id: RecordId,
    name: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct EmailRow {
    id: RecordId,
    name: String,
    email: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TokenRow {
    id: RecordId,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SinceRow {
    created_at: DateTime<Utc>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InterviewFields {
    participants: Vec<RecordId>,
    interviewers: Vec<RecordId>,
    scheduled_at: DateTime<Utc>,
    time_zone: String,
    duration_min: i64,
    kind: String,
    status: String,
    notes: String,
}

/// A person added to the directory while scheduling.
#[derive(Clone, Debug)]
pub struct NewPerson {
    /// Name.
    pub name: String,
    /// Function.
    pub function: Function,
}

/// Interviews and calendar tokens.
#[derive(Clone)]
pub struct InterviewRepo {
    db: Db,
}

impl InterviewRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn fields(
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
    ) -> InterviewFields {
        InterviewFields {
            participants: v
                .participants
                .iter()
                .map(|p| rid("stakeholder", p))
                .collect(),
            interviewers: interviewers.iter().map(|u| rid("user", u)).collect(),
            scheduled_at,
            time_zone: time_zone.to_string(),
            duration_min: i64::from(v.duration_min),
            kind: v.kind.as_str().to_string(),
            status: v.status.as_str().to_string(),
            notes: v.notes.clone(),
        }
    }

    /// Creates an interview, adding `new_person` to the directory (linked to the project) in the
    /// same transaction when given. Returns the interview's id.
    ///
    /// `id` is the new interview's key ([`crate::secrets::new_record_key`]), so that the
    /// invitations queued with it (`mails`) can name it.
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        &self,
        key: &str,
        id: &str,
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
        new_person: Option<&NewPerson>,
        invite: bool,
        mails: Vec<MailBinding>,
    ) -> AppResult<String> {
        let mut res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $extra = IF $person_name != NONE {{
                     [(CREATE ONLY stakeholder CONTENT {{
                         name: $person_name, function: $person_function, projects: [$project],
                         created_at: time::now(), updated_at: time::now()
                     }} RETURN VALUE id)]
                 }} ELSE {{ [] }};
                 LET $created = CREATE ONLY $new_id CONTENT {{
                     project: $project, participants: array::concat($participants, $extra),
                     interviewers: $interviewers, scheduled_at: $scheduled_at, time_zone: $time_zone,
                     duration_min: $duration_min, kind: $kind, status: $status, notes: $notes,
                     invite_participants: $invite_participants, ical_sequence: 0,
                     insights: [], created_at: time::now(), updated_at: time::now()
                 }} RETURN VALUE id;
                 {ENQUEUE_SQL}
                 RETURN $created;
                 COMMIT TRANSACTION;"
            ))
            .bind(("project", rid("project", key)))
            .bind(("new_id", rid("interview", id)))
            .bind(("invite_participants", invite))
            .bind(("mails", mails))
            .bind(("person_name", new_person.map(|p| p.name.clone())))
            .bind(("person_function", new_person.map(|p| p.function.as_str().to_string())))
            .bind(Self::fields(v, scheduled_at, time_zone, interviewers))
            .await?
            .check()?;
        let id: Option<RecordId> = res.take(4)?;
        id.map(|i| key_of(&i)).ok_or_else(AppError::internal)
    }

    /// Replaces an interview's fields (not its insights).
    /// `sequence` is the iCalendar SEQUENCE from now on (raised by the caller on a reschedule
    /// or a cancellation); `invite` turns invitations on (they stay on once on); the updates or
    /// cancellations for participants (`mails`) are queued in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn update(
        &self,
        id: &str,
        v: &ValidInterview,
        scheduled_at: DateTime<Utc>,
        time_zone: &str,
        interviewers: &[String],
        sequence: i64,
        invite: bool,
        mails: Vec<MailBinding>,
    ) -> AppResult<()> {
        self.db
            .query(format!(
                "BEGIN TRANSACTION;
                 UPDATE $id SET participants = $participants, interviewers = $interviewers,
                    scheduled_at = $scheduled_at, time_zone = $time_zone, duration_min = $duration_min,
                    kind = $kind, status = $status, notes = $notes, ical_sequence = $sequence,
                    invite_participants = invite_participants OR $invite_participants,
                    updated_at = time::now() RETURN NONE;
                 {ENQUEUE_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("interview", id)))
            .bind(Self::fields(v, scheduled_at, time_zone, interviewers))
            .bind(("sequence", sequence))
            .bind(("invite_participants", invite))
            .bind(("mails", mails))
            .await?
            .check()?;
        Ok(())
    }

    /// Sets the status (and the iCalendar SEQUENCE), queueing `mails` with it.
    pub async fn set_status(
        &self,
        id: &str,
        status: InterviewStatus,
        sequence: i64,
        mails: Vec<MailBinding>,
    ) -> AppResult<()> {
        self.db
            .query(format!(
                "BEGIN TRANSACTION;
                 UPDATE $id SET status = $status, ical_sequence = $sequence, updated_at = time::now()
                    RETURN NONE;
                 {ENQUEUE_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("interview", id)))
            .bind(("status", status.as_str().to_string()))
            .bind(("sequence", sequence))
            .bind(("mails", mails))
            .await?
            .check()?;
        Ok(())
    }

    /// The addresses of stakeholders (by key) who have one, with their names.
    pub async fn participant_emails(
        &self,
        ids: &[String],
    ) -> AppResult<Vec<(String, String, String)>> {
        let mut res = self
            .db
            .query(
                "SELECT id, name, email FROM stakeholder
                 WHERE id IN $ids AND email != NONE AND erased_at = NONE AND merged_into = NONE",
            )
            .bind((
                "ids",
                ids.iter()
                    .map(|k| rid("stakeholder", k))
                    .collect::<Vec<_>>(),
            ))
            .await?
            .check()?;
        let rows: Vec<EmailRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (key_of(&r.id), r.name, r.email))
            .collect())
    }

    /// Deletes an interview.
    /// The cancellations for participants who had invitations (`mails`) are queued in the
    /// same transaction.
    pub async fn delete(&self, id: &str, mails: Vec<MailBinding>) -> AppResult<()> {
        self.db
            .query(format!(
                "BEGIN TRANSACTION;
                 DELETE $id;
                 {ENQUEUE_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", rid("interview", id)))
            .bind(("mails", mails))
            .await?
            .check()?;
        Ok(())
    }

    /// One interview of a project (`None` if it belongs to another project).
    pub async fn get(&self, key: &str, id: &str) -> AppResult<Option<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {FIELDS} FROM $id WHERE project = $project"))
            .bind(("id", rid("interview", id)))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<InterviewRecord> = res.take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Every interview of a project, earliest first.
    pub async fn list_project(&self, key: &str) -> AppResult<Vec<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM interview WHERE project = $project ORDER BY scheduled_at ASC"
            ))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// A project's interviews from `since` on, for its calendar feed, earliest first.
    pub async fn list_since(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<InterviewRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {FIELDS} FROM interview WHERE project = $project AND scheduled_at >= $since
                 ORDER BY scheduled_at ASC LIMIT 2000"
            ))
            .bind(("project", rid("project", key)))
            .bind(("since", since))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Scheduled interviews from `now` on, in the given projects (`None`: every project), by
    /// time then id: at most `limit` + 1 of them (so the caller can tell whether more follow),
    /// starting after the interview `after` names. Reads the `scheduled_at` index from `now`.
    pub async fn upcoming(
        &self,
        projects: Option<&[String]>,
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> AppResult<Vec<InterviewRecord>> {
        let ids: Option<Vec<RecordId>> =
            projects.map(|keys| keys.iter().map(|k| rid("project", k)).collect());
        let mut res = self
            .db
            .query(format!(
                "LET $from = IF $after = NONE {{ NONE }} ELSE {{ type::record('interview', $after) }};
                 LET $from_at = $from.scheduled_at;
                 SELECT {FIELDS} FROM interview WHERE scheduled_at >= $now AND status = 'scheduled'
                   AND ($projects = NONE OR project IN $projects)
                   AND ($from_at = NONE OR scheduled_at > $from_at OR (scheduled_at = $from_at AND id > $from))
                 ORDER BY scheduled_at ASC, id ASC LIMIT $limit"
            ))
            .bind(("projects", ids))
            .bind(("now", now))
            .bind(("after", after.map(str::to_string)))
            .bind(("limit", i64::try_from(limit + 1).unwrap_or(i64::MAX)))
            .await?
            .check()?;
        Ok(res.take(2)?)
    }

    /// Appends an insight.
    pub async fn add_insight(&self, id: &str, insight: &Insight) -> AppResult<()> {
        self.db
            .query("UPDATE $id SET insights = array::append(insights, { text: $text, tags: $tags }), updated_at = time::now()")
            .bind(("id", rid("interview", id)))
            .bind(("text", insight.text.clone()))
            .bind(("tags", insight.tags.clone()))
            .await?
            .check()?;
        Ok(())
    }

    /// Replaces the insights (after removing one).
    pub async fn set_insights(&self, id: &str, insights: &[Insight]) -> AppResult<()> {
        let recs: Vec<InsightRecord> = insights
            .iter()
            .map(|i| InsightRecord {
                text: i.text.clone(),
                tags: i.tags.clone(),
            })
            .collect();
        self.db
            .query("UPDATE $id SET insights = $insights, updated_at = time::now()")
            .bind(("id", rid("interview", id)))
            .bind(("insights", recs))
            .await?
            .check()?;
        Ok(())
    }

    /// Stakeholders that may take part: in the directory, not erased, not merged away.
    pub async fn stakeholder_choices(&self) -> AppResult<Vec<StakeholderChoice>> {
        let mut res = self
            .db
            .query(
                "SELECT id, name, `function`, string::lowercase(name) AS sort_name FROM stakeholder
                 WHERE erased_at = NONE AND merged_into = NONE ORDER BY sort_name ASC, id ASC",
            )
            .await?
            .check()?;
        let rows: Vec<ChoiceRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| StakeholderChoice {
                id: key_of(&r.id),
                name: r.name,
                function: r.function.parse().unwrap_or(Function::Other),
            })
            .collect())
    }

    /// Which of the given stakeholder ids name live directory entries.
    pub async fn live_stakeholders(&self, ids: &[String]) -> AppResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = ids.iter().map(|i| rid("stakeholder", i)).collect();
        let mut res = self
            .db
            .query("SELECT VALUE id FROM $ids WHERE erased_at = NONE AND merged_into = NONE")
            .bind(("ids", ids))
            .await?
            .check()?;
        let found: Vec<RecordId> = res.take(0)?;
        Ok(found.iter().map(key_of).collect())
    }

    /// Which of the given user ids name active users.
    pub async fn active_users(&self, ids: &[String]) -> AppResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = ids.iter().map(|i| rid("user", i)).collect();
        let mut res = self
            .db
            .query("SELECT VALUE id FROM $ids WHERE active = true")
            .bind(("ids", ids))
            .await?
            .check()?;
        let found: Vec<RecordId> = res.take(0)?;
        Ok(found.iter().map(key_of).collect())
    }

    /// Users' names by id, in the order given (unknown ids are left out).
    pub async fn user_names(&self, ids: &[String]) -> AppResult<Vec<(String, String)>> {
        let mut res = self
            .db
            .query("SELECT id, name FROM user WHERE id IN $ids")
            .bind((
                "ids",
                ids.iter().map(|i| rid("user", i)).collect::<Vec<_>>(),
            ))
            .await?
            .check()?;
        let rows: Vec<NameRow> = res.take(0)?;
        let found: Vec<(String, String)> =
            rows.into_iter().map(|r| (key_of(&r.id), r.name)).collect();
        Ok(ids
            .iter()
            .filter_map(|i| found.iter().find(|(id, _)| id == i).cloned())
            .collect())
    }

    /// When the project's current calendar token was made, if the feed is on.
    pub async fn feed_since(&self, key: &str) -> AppResult<Option<DateTime<Utc>>> {
        let mut res = self
            .db
            .query("SELECT created_at FROM ONLY $id")
            .bind(("id", rid("calendar_token", key)))
            .await?
            .check()?;
        let row: Option<SinceRow> = res.take(0)?;
        Ok(row.map(|r| r.created_at))
    }

    /// Stores the hash of a new calendar token for a project, replacing the old one.
    pub async fn rotate_feed(&self, key: &str, hash: &str) -> AppResult<()> {
        self.db
            .query("UPSERT $id CONTENT { hash: $hash, created_at: time::now() }")
            .bind(("id", rid("calendar_token", key)))
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// Turns the project's feed off.
    pub async fn revoke_feed(&self, key: &str) -> AppResult<()> {
        self.db
            .query("DELETE $id")
            .bind(("id", rid("calendar_token", key)))
            .await?
            .check()?;
        Ok(())
    }

    /// The project key whose calendar token has this hash.
    pub async fn project_for_feed(&self, hash: &str) -> AppResult<Option<String>> {
        let mut res = self
            .db
            .query("SELECT id FROM calendar_token WHERE hash = $hash LIMIT 1")
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        let rows: Vec<TokenRow> = res.take(0)?;
        Ok(rows.first().map(|r| key_of(&r.id)))
    }
}

#[cfg(test)]
mod tests;
