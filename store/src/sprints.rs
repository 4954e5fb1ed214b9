//! SurrealQL for sprints, reviews, retrospectives, retro items and votes, and action items.

use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::{Array, Number, RecordId, RecordIdKey, SurrealValue, Value};

use crate::db::Db;
use crate::db::{before_commit, check_guarded, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::projects::UserChoice;
mod actions;
mod retros;
use domain::sprints::{
    ActionItem, ActionStatus, Function, RetroColumn, RetroFormat, ReviewOutcome, Sprint,
    SprintSpan, StakeholderChoice, VOTES_PER_RETRO, ValidAction, ValidReview, ValidSprint,
};

/// The record id `<table>:[<project key>, <sprint number>]` of a sprint, review or retro.
pub fn sprint_scoped_id(table: &str, key: &str, number: u32) -> RecordId {
    RecordId::new(
        table,
        RecordIdKey::Array(Array::from(vec![
            Value::String(key.to_string()),
            Value::Number(Number::Int(i64::from(number))),
        ])),
    )
}

/// `sprint:[key, number]`.
pub fn sprint_id(key: &str, number: u32) -> RecordId {
    sprint_scoped_id("sprint", key, number)
}

/// `review:[key, number]`.
pub fn review_id(key: &str, number: u32) -> RecordId {
    sprint_scoped_id("review", key, number)
}

/// `retro:[key, number]`.
pub fn retro_id(key: &str, number: u32) -> RecordId {
    sprint_scoped_id("retro", key, number)
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A `sprint` row.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SprintRecord {
    /// `project:<key>`.
    pub project: RecordId,
    /// Number.
    pub number: i64,
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
    /// Committed.
    pub committed: Option<i64>,
    /// Completed.
    pub completed: Option<i64>,
    /// Notes.
    pub notes: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

impl SprintRecord {
    /// The sprint number.
    pub fn number(&self) -> u32 {
        to_u32(self.number)
    }

    /// Number, name and dates.
    pub fn span(&self) -> SprintSpan {
        SprintSpan {
            number: self.number(),
            name: self.name.clone(),
            start_on: self.start_on,
            end_on: self.end_on,
        }
    }
}

impl From<SprintRecord> for Sprint {
    fn from(r: SprintRecord) -> Self {
        Sprint {
            project: key_of(&r.project),
            number: to_u32(r.number),
            length_days: domain::sprints::sprint_length(r.start_on, r.end_on),
            name: r.name,
            goal: r.goal,
            start_on: r.start_on,
            end_on: r.end_on,
            committed: r.committed.and_then(|n| u32::try_from(n).ok()),
            completed: r.completed.and_then(|n| u32::try_from(n).ok()),
            notes: r.notes,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub(crate) const SPRINT_FIELDS: &str = "project, number, name, goal, start_on, end_on, committed, completed, notes, created_at, updated_at";

/// What refers to sprint `$sprint` (number `$number` of project `$project`; `$review` and `$retro`
/// are its review and retro ids): one entry per kind of reference, with a count. A sprint with
/// any count above zero cannot be deleted. Later modules add their references here (feedback
/// about the sprint, feedback `addressed_in` it), and a label in [`reference_label`].
const SPRINT_REFERENCES: &str = "[
    { what: 'review', count: IF record::exists($review) { 1 } ELSE { 0 } },
    { what: 'retro', count: IF record::exists($retro) { 1 } ELSE { 0 } },
    { what: 'action_item', count: count(SELECT VALUE id FROM action_item WHERE project = $project AND due_sprint = $number) },
    { what: 'feedback', count: count(SELECT VALUE id FROM feedback WHERE project = $project AND (sprint = $sprint OR addressed_in = $sprint)) },
    { what: 'invite', count: count(SELECT VALUE id FROM invite WHERE project = $project AND sprint = $sprint) },
]";

/// A human description of one kind of reference to a sprint.
pub fn reference_label(what: &str, count: i64) -> String {
    let plural = if count == 1 { "" } else { "s" };
    match what {
        "review" => "its review".to_string(),
        "retro" => "its retrospective".to_string(),
        "action_item" => format!("{count} action item{plural} due in it"),
        "feedback" => format!("{count} feedback item{plural} about it or addressed in it"),
        "invite" => format!("{count} invite link{plural} for it"),
        other => format!("{count} {} record{plural}", other.replace('_', " ")),
    }
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RefRow {
    what: String,
    count: i64,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewStatusRow {
    number: i64,
    outcome: String,
    held_on: NaiveDate,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroStatusRow {
    number: i64,
    held_on: Option<NaiveDate>,
}

/// A `review` row.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ReviewRecord {
    /// Held on.
    pub held_on: NaiveDate,
    /// Attending users.
    pub attendee_users: Vec<RecordId>,
    /// Attending stakeholders.
    pub attendee_stakeholders: Vec<RecordId>,
    /// Summary (Markdown).
    pub summary: String,
    /// Decisions (Markdown).
    pub decisions: String,
    /// Outcome name.
    pub outcome: String,
    /// Changed.
    pub updated_at: DateTime<Utc>,
}

/// One health-check question as stored.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct HealthRow {
    /// The question.
    pub question: String,
    /// Scores, sorted.
    pub scores: Vec<i64>,
}

/// A `retro` row.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct RetroRecord {
    /// Held on.
    pub held_on: Option<NaiveDate>,
    /// Format name.
    pub format: String,
    /// Health check.
    pub health: Vec<HealthRow>,
}

impl RetroRecord {
    /// The format (the default for an unknown stored value).
    pub fn format(&self) -> RetroFormat {
        self.format.parse().unwrap_or_default()
    }
}

/// A `retro_item` row.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct RetroItemRecord {
    /// Id.
    pub id: RecordId,
    /// Column name.
    pub column: String,
    /// Text.
    pub text: String,
    /// Votes.
    pub votes: i64,
    /// Author.
    pub created_by: RecordId,
}

impl RetroItemRecord {
    /// The column (an unknown stored value reads as `start`).
    pub fn column(&self) -> RetroColumn {
        self.column.parse().unwrap_or(RetroColumn::Start)
    }
}

/// An `action_item` row with its owner's name.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct ActionRecord {
    /// Id.
    pub id: RecordId,
    /// The project.
    pub project: RecordId,
    /// The retro.
    pub retro: RecordId,
    /// The retro's sprint.
    pub sprint_number: i64,
    /// Text.
    pub text: String,
    /// Owner.
    pub owner: Option<RecordId>,
    /// Owner's name (joined).
    pub owner_name: Option<String>,
    /// Due sprint.
    pub due_sprint: i64,
    /// Status name.
    pub status: String,
    /// Closed on.
    pub closed_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<ActionRecord> for ActionItem {
    fn from(r: ActionRecord) -> Self {
        ActionItem {
            id: key_of(&r.id),
            sprint_number: to_u32(r.sprint_number),
            text: r.text,
            owner: r.owner.as_ref().map(key_of),
            owner_name: r.owner_name,
            due_sprint: to_u32(r.due_sprint),
            status: r.status.parse().unwrap_or_default(),
            closed_on: r.closed_on,
            created_at: r.created_at,
        }
    }
}

const ACTION_FIELDS: &str = "id, project, retro, sprint_number, text, owner, owner.name AS owner_name, due_sprint, status, \
     closed_on, created_at";

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct IdNameRow {
    id: RecordId,
    name: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct StakeholderRow {
    id: RecordId,
    name: Option<String>,
    function: String,
}

impl From<StakeholderRow> for StakeholderChoice {
    fn from(r: StakeholderRow) -> Self {
        StakeholderChoice {
            id: key_of(&r.id),
            name: r.name.unwrap_or_default(),
            function: r.function.parse().unwrap_or(Function::Other),
        }
    }
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct VoteRow {
    item: RecordId,
}

/// Sprints, reviews, retros and action items.
#[derive(Clone)]
pub struct SprintRepo {
    db: Db,
}

impl SprintRepo {
    /// A repository over `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    // ---- sprints ----------------------------------------------------------------------------

    /// A project's sprints, newest (highest number) first.
    pub async fn list(&self, key: &str) -> AppResult<Vec<SprintRecord>> {
        let mut res = self
            .db
            .query(format!(
                "SELECT {SPRINT_FIELDS} FROM sprint WHERE project = $project ORDER BY number DESC"
            ))
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// One sprint.
    pub async fn get(&self, key: &str, number: u32) -> AppResult<Option<SprintRecord>> {
        let mut res = self
            .db
            .query(format!("SELECT {SPRINT_FIELDS} FROM ONLY $id"))
            .bind(("id", sprint_id(key, number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// The review outcomes and days of a project's sprints: (number, outcome, held_on).
    pub async fn review_statuses(
        &self,
        key: &str,
    ) -> AppResult<Vec<(u32, ReviewOutcome, NaiveDate)>> {
        let mut res = self
            .db
            .query("SELECT sprint.number AS number, outcome, held_on FROM review WHERE project = $project")
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<ReviewStatusRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    to_u32(r.number),
                    r.outcome.parse().unwrap_or(ReviewOutcome::NoDecision),
                    r.held_on,
                )
            })
            .collect())
    }

    /// The retros of a project's sprints: (number, held_on).
    pub async fn retro_statuses(&self, key: &str) -> AppResult<Vec<(u32, Option<NaiveDate>)>> {
        let mut res = self
            .db
            .query("SELECT sprint.number AS number, held_on FROM retro WHERE project = $project")
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let rows: Vec<RetroStatusRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| (to_u32(r.number), r.held_on))
            .collect())
    }

    /// The number the next sprint of the project will get.
    pub async fn next_number(&self, key: &str) -> AppResult<u32> {
        let mut res = self
            .db
            .query("SELECT VALUE last_sprint_number FROM ONLY $project")
            .bind(("project", rid("project", key)))
            .await?
            .check()?;
        let last: Option<i64> = res.take(0)?;
        Ok(to_u32(last.unwrap_or(0)) + 1)
    }

    /// Creates the project's next sprint. Its number comes from the project's
    /// `last_sprint_number`, raised in the same transaction, so numbers are never reused.
    /// Without a name, the sprint is called "Sprint N".
    pub async fn create(
        &self,
        key: &str,
        name: Option<&str>,
        goal: &str,
        start_on: NaiveDate,
        end_on: NaiveDate,
    ) -> AppResult<SprintRecord> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $n = (SELECT VALUE last_sprint_number FROM ONLY $project) + 1;
                 UPDATE $project SET last_sprint_number = $n;
                 LET $id = type::record('sprint', [$key, $n]);
                 CREATE $id CONTENT {{ project: $project, number: $n,
                    name: IF $name = NONE {{ 'Sprint ' + <string> $n }} ELSE {{ $name }},
                    goal: $goal, start_on: $start_on, end_on: $end_on, committed: NONE, completed: NONE,
                    notes: '', created_at: time::now(), updated_at: time::now() }};
                 SELECT {SPRINT_FIELDS} FROM ONLY $id;
                 COMMIT TRANSACTION;"
            ))
            .bind(("project", rid("project", key)))
            .bind(("key", key.to_string()))
            .bind(("name", name.map(str::to_string)))
            .bind(("goal", goal.to_string()))
            .bind(("start_on", start_on))
            .bind(("end_on", end_on))
            .await?;
        let mut res = check_guarded(res, AppError::Conflict("Please try again.".into()))?;
        let last = before_commit(&res);
        let row: Option<SprintRecord> = res.take(last)?;
        row.ok_or_else(AppError::internal)
    }

    /// Updates a sprint's editable fields.
    pub async fn update(
        &self,
        key: &str,
        number: u32,
        v: &ValidSprint,
    ) -> AppResult<Option<SprintRecord>> {
        let mut res = self
            .db
            .query(format!(
                "UPDATE $id SET name = $name, goal = $goal, start_on = $start_on, end_on = $end_on,
                    committed = $committed, completed = $completed, notes = $notes, updated_at = time::now();
                 SELECT {SPRINT_FIELDS} FROM ONLY $id;"
            ))
            .bind(("id", sprint_id(key, number)))
            .bind(("name", v.name.clone()))
            .bind(("goal", v.goal.clone()))
            .bind(("start_on", v.start_on))
            .bind(("end_on", v.end_on))
            .bind(("committed", v.committed.map(i64::from)))
            .bind(("completed", v.completed.map(i64::from)))
            .bind(("notes", v.notes.clone()))
            .await?
            .check()?;
        Ok(res.take(1)?)
    }

    /// What refers to a sprint, as human descriptions (empty: it may be deleted).
    pub async fn references(&self, key: &str, number: u32) -> AppResult<Vec<String>> {
        let mut res = self
            .db
            .query(format!("RETURN {SPRINT_REFERENCES};"))
            .bind(references_vars(key, number))
            .await?
            .check()?;
        let rows: Vec<RefRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter(|r| r.count > 0)
            .map(|r| reference_label(&r.what, r.count))
            .collect())
    }

    /// Deletes a sprint that nothing refers to; the check and the delete are one transaction.
    /// A reference found inside it is a conflict.
    pub async fn delete(&self, key: &str, number: u32) -> AppResult<()> {
        let res = self
            .db
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $refs = {SPRINT_REFERENCES};
                 IF math::sum($refs.count) > 0 {{ THROW 'sprint is referenced' }};
                 DELETE $sprint;
                 COMMIT TRANSACTION;"
            ))
            .bind(references_vars(key, number))
            .await?;
        check_guarded(
            res,
            AppError::Conflict(
                "Something now refers to this sprint, so it cannot be deleted.".into(),
            ),
        )?;
        Ok(())
    }

    // ---- reviews -----------------------------------------------------------------------------

    /// The review of a sprint.
    pub async fn review(&self, key: &str, number: u32) -> AppResult<Option<ReviewRecord>> {
        let mut res = self
            .db
            .query(
                "SELECT held_on, attendee_users, attendee_stakeholders, summary, decisions, outcome, updated_at
                 FROM ONLY $id",
            )
            .bind(("id", review_id(key, number)))
            .await?
            .check()?;
        Ok(res.take(0)?)
    }

    /// Creates or replaces the review of a sprint. Returns whether it was new.
    pub async fn put_review(&self, key: &str, number: u32, v: &ValidReview) -> AppResult<bool> {
        let users: Vec<RecordId> = v.attendee_users.iter().map(|u| rid("user", u)).collect();
        let stakeholders: Vec<RecordId> = v
            .attendee_stakeholders
            .iter()
            .map(|s| rid("stakeholder", s))
            .collect();
        let mut res = self
            .db
            .query(
                "BEGIN TRANSACTION;
                 LET $existed = record::exists($id);
                 UPSERT $id MERGE { project: $project, sprint: $sprint, held_on: $held_on,
                    attendee_users: $users, attendee_stakeholders: $stakeholders, summary: $summary,
                    decisions: $decisions, outcome: $outcome,
                    created_at: (SELECT VALUE created_at FROM ONLY $id) ?? time::now(), updated_at: time::now() };
                 RETURN $existed;
                 COMMIT TRANSACTION;",
            )
            .bind(("id", review_id(key, number)))
            .bind(("project", rid("project", key)))
            .bind(("sprint", sprint_id(key, number)))
            .bind(("held_on", v.held_on))
            .bind(("users", users))
            .bind(("stakeholders", stakeholders))
            .bind(("summary", v.summary.clone()))
            .bind(("decisions", v.decisions.clone()))
            .bind(("outcome", v.outcome.as_str().to_string()))
            .await?
            .check()?;
        let last = before_commit(&res);
        let existed: Option<bool> = res.take(last)?;
        Ok(!existed.unwrap_or(false))
    }

    /// Deletes the review of a sprint. Returns whether there was one.
    pub async fn delete_review(&self, key: &str, number: u32) -> AppResult<bool> {
        let mut res = self
            .db
            .query("DELETE $id RETURN BEFORE")
            .bind(("id", review_id(key, number)))
            .await?
            .check()?;
        let gone: Vec<Value> = res.take(0)?;
        Ok(!gone.is_empty())
    }

    /// Names of the given users that exist, as choices (by name).
    pub async fn users_by_ids(&self, ids: &[RecordId]) -> AppResult<Vec<UserChoice>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut res = self
            .db
            .query("SELECT id, name FROM $ids ORDER BY name ASC")
            .bind(("ids", ids.to_vec()))
            .await?
            .check()?;
        let rows: Vec<IdNameRow> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| UserChoice {
                id: key_of(&r.id),
                name: r.name,
            })
            .collect())
    }

    /// The given stakeholders that exist (erased ones included), by name.
    pub async fn stakeholders_by_ids(&self, ids: &[RecordId]) -> AppResult<Vec<StakeholderChoice>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut res = self
            .db
            .query("SELECT id, name, `function` FROM $ids ORDER BY name ASC")
            .bind(("ids", ids.to_vec()))
            .await?
            .check()?;
        let rows: Vec<StakeholderRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Stakeholders to pick as attendees: not erased, not merged, by name.
    pub async fn stakeholder_choices(&self) -> AppResult<Vec<StakeholderChoice>> {
        let mut res = self
            .db
            .query(
                "SELECT id, name, `function` FROM stakeholder WHERE erased_at = NONE AND merged_into = NONE ORDER BY name",
            )
            .await?
            .check()?;
        let rows: Vec<StakeholderRow> = res.take(0)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RefVars {
    project: RecordId,
    sprint: RecordId,
    review: RecordId,
    retro: RecordId,
    number: i64,
}

fn references_vars(key: &str, number: u32) -> RefVars {
    RefVars {
        project: rid("project", key),
        sprint: sprint_id(key, number),
        review: review_id(key, number),
        retro: retro_id(key, number),
        number: i64::from(number),
    }
}

#[cfg(test)]
mod tests;
