//! Workspace export and import in format v1 (`workspace-format.md`), and the demo data.
//!
//! * [`export`] reads whole tables and groups them in memory (no per-project queries).
//! * [`validate`] checks a parsed file and reports every problem with its JSON path.
//! * [`import`] and [`import_file`] check the whole workspace, then write it in transactions of
//!   about [`TX_ROWS`] rows built from bulk `INSERT INTO <table> $rows` statements (rows bound
//!   as arrays, never formatted into SurrealQL), and undo the committed ones if a later one
//!   fails, so that a failure part-way leaves nothing behind (see the `write` module). A file
//!   is read as a stream, one project at a time (the `source` module), and so is the generated
//!   large demo.
//!
//! Imported records look exactly like records made through the UI: the same record ids
//! (`project:<key>`, `membership:[key, user]`, `sprint|review|retro:[key, number]`,
//! `readiness:<key>`, random keys elsewhere), the project's `last_sprint_number`, normalised
//! emails, and every required field. What the format cannot carry is documented where it is
//! decided:
//! * users arrive without credentials (no password hash, `must_change_password`), so they
//!   cannot sign in until an admin sets a temporary password;
//! * retro votes arrive as counts on the items (no `retro_vote` rows, since the voters are not
//!   in the file), and health scores without the `retro_health_answer` rows;
//! * retro items and data-quality issues need a creating user: the project's lead, else its
//!   first member, else the first user of the file, else any existing user;
//! * erased stakeholders are exported with an empty name (the format's marker) and imported
//!   as erased; merged duplicates are not exported, and references to them point at the entry
//!   they were merged into.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::key_of;
use crate::revisions::{CATALOG, DIRECTORY};
use crate::sprints::sprint_id;
use domain::error::{AppError, AppResult};
use domain::format::{self, Workspace};

pub mod demo;
mod export;
mod source;
mod validate;
mod write;
pub use export::*;

#[cfg(test)]
mod tests;

pub use demo::{DemoScale, DemoSummary, demo_workspace, load_demo};
pub use validate::{parse_workspace, validate};

/// One problem with an import file, at a JSON path such as `projects[0].sprints[3].end_on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportIssue {
    /// Where the problem is (`$` for the whole document).
    pub path: String,
    /// What is wrong, in a few words.
    pub message: String,
}

impl ImportIssue {
    /// An issue at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why an import did not happen. Either way nothing was written.
#[derive(Debug)]
pub enum ImportError {
    /// The file is invalid or clashes with the workspace; every issue is listed.
    Invalid(Vec<ImportIssue>),
    /// The database refused or failed (the transaction was cancelled).
    Db(AppError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(issues) => {
                write!(f, "the file has {} problem(s)", issues.len())?;
                for issue in issues {
                    write!(f, "\n{issue}")?;
                }
                Ok(())
            }
            Self::Db(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        Self::Db(e)
    }
}

impl From<surrealdb::Error> for ImportError {
    fn from(e: surrealdb::Error) -> Self {
        Self::Db(e.into())
    }
}

/// What an import created (and matched), per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// New users (without credentials).
    pub users_created: usize,
    /// File users that matched an existing user by email.
    pub users_matched: usize,
    /// New stakeholders.
    pub stakeholders_created: usize,
    /// File stakeholders that matched an existing entry (email, else name + organization).
    pub stakeholders_matched: usize,
    /// Projects created.
    pub projects: usize,
    /// Of those, how many replaced an existing project with the same key.
    pub projects_replaced: usize,
    /// Memberships.
    pub memberships: usize,
    /// Readiness checklists.
    pub readiness: usize,
    /// Sprints.
    pub sprints: usize,
    /// Reviews.
    pub reviews: usize,
    /// Retrospectives.
    pub retros: usize,
    /// Retro board items.
    pub retro_items: usize,
    /// Action items.
    pub action_items: usize,
    /// Interviews.
    pub interviews: usize,
    /// Feedback items.
    pub feedback: usize,
    /// Data-quality issues.
    pub dq_issues: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "users: {} created, {} matched existing",
            self.users_created, self.users_matched
        )?;
        writeln!(
            f,
            "stakeholders: {} created, {} matched existing",
            self.stakeholders_created, self.stakeholders_matched
        )?;
        writeln!(
            f,
            "projects: {} ({} replaced)",
            self.projects, self.projects_replaced
        )?;
        writeln!(
            f,
            "memberships: {}, readiness checklists: {}",
            self.memberships, self.readiness
        )?;
        writeln!(
            f,
            "sprints: {}, reviews: {}, retros: {}, retro items: {}, action items: {}",
            self.sprints, self.reviews, self.retros, self.retro_items, self.action_items
        )?;
        write!(
            f,
            "interviews: {}, feedback: {}, data-quality issues: {}",
            self.interviews, self.feedback, self.dq_issues
        )
    }
}

// ---- rows ------------------------------------------------------------------------------------

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct UserRow {
    id: RecordId,
    email: String,
    name: String,
    role: String,
    active: bool,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewUserRow {
    id: RecordId,
    email: String,
    name: String,
    password_hash: Option<String>,
    role: String,
    active: bool,
    must_change_password: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct StakeholderRow {
    id: RecordId,
    name: String,
    email: Option<String>,
    organization: String,
    title: String,
    function: String,
    #[surreal(default)]
    projects: Vec<RecordId>,
    notes: String,
    #[surreal(default)]
    attributes: BTreeMap<String, String>,
    consented_on: Option<NaiveDate>,
    erased_at: Option<DateTime<Utc>>,
    merged_into: Option<RecordId>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewStakeholderRow {
    id: RecordId,
    name: String,
    email: Option<String>,
    organization: String,
    title: String,
    function: String,
    projects: Vec<RecordId>,
    notes: String,
    attributes: BTreeMap<String, String>,
    consented_on: Option<NaiveDate>,
    erased_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LinkRow {
    id: RecordId,
    projects: Vec<RecordId>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ProjectRow {
    id: RecordId,
    key: String,
    name: String,
    problem_statement: String,
    end_users: String,
    status: String,
    lead: Option<RecordId>,
    started_on: NaiveDate,
    target_iteration_days: i64,
    contact_threshold_days: i64,
    ml_needed: String,
    baseline_considered: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewProjectRow {
    id: RecordId,
    key: String,
    name: String,
    problem_statement: String,
    end_users: String,
    status: String,
    lead: Option<RecordId>,
    started_on: NaiveDate,
    target_iteration_days: i64,
    contact_threshold_days: i64,
    ml_needed: String,
    baseline_considered: String,
    last_sprint_number: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MembershipRow {
    project: RecordId,
    user: RecordId,
    role: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewMembershipRow {
    id: RecordId,
    project: RecordId,
    user: RecordId,
    role: String,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReadinessItemRow {
    #[surreal(default)]
    done: bool,
    owner: Option<RecordId>,
    #[surreal(default)]
    note: String,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReadinessRow {
    project: RecordId,
    #[surreal(default)]
    items: BTreeMap<String, Option<ReadinessItemRow>>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewReadinessRow {
    id: RecordId,
    project: RecordId,
    items: BTreeMap<String, ReadinessItemRow>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SprintRow {
    project: RecordId,
    number: i64,
    name: String,
    goal: String,
    start_on: NaiveDate,
    end_on: NaiveDate,
    committed: Option<i64>,
    completed: Option<i64>,
    notes: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct NewSprintRow {
    id: RecordId,
    project: RecordId,
    number: i64,
    name: String,
    goal: String,
    start_on: NaiveDate,
    end_on: NaiveDate,
    committed: Option<i64>,
    completed: Option<i64>,
    notes: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewRow {
    id: RecordId,
    project: RecordId,
    sprint: RecordId,
    held_on: NaiveDate,
    #[surreal(default)]
    attendee_users: Vec<RecordId>,
    #[surreal(default)]
    attendee_stakeholders: Vec<RecordId>,
    summary: String,
    decisions: String,
    outcome: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct HealthRow {
    question: String,
    #[surreal(default)]
    scores: Vec<i64>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroRow {
    id: RecordId,
    project: RecordId,
    sprint: RecordId,
    held_on: Option<NaiveDate>,
    format: String,
    #[surreal(default)]
    health: Vec<HealthRow>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroItemRow {
    id: RecordId,
    project: RecordId,
    retro: RecordId,
    column: String,
    text: String,
    votes: i64,
    created_by: RecordId,
    created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ActionRow {
    id: RecordId,
    project: RecordId,
    retro: RecordId,
    sprint_number: i64,
    text: String,
    owner: Option<RecordId>,
    due_sprint: i64,
    status: String,
    closed_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InsightRow {
    text: String,
    #[surreal(default)]
    tags: Vec<String>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InterviewRow {
    id: RecordId,
    project: RecordId,
    #[surreal(default)]
    participants: Vec<RecordId>,
    #[surreal(default)]
    interviewers: Vec<RecordId>,
    scheduled_at: DateTime<Utc>,
    time_zone: String,
    duration_min: i64,
    kind: String,
    status: String,
    notes: String,
    #[surreal(default)]
    insights: Vec<InsightRow>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct FeedbackRow {
    id: RecordId,
    project: RecordId,
    sprint: Option<RecordId>,
    stakeholder: Option<RecordId>,
    author_name: Option<String>,
    author_function: Option<String>,
    channel: String,
    submitted_at: DateTime<Utc>,
    rating: Option<i64>,
    body: String,
    category: String,
    status: String,
    addressed_in: Option<RecordId>,
    response: Option<String>,
    responded_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DqRow {
    id: RecordId,
    project: RecordId,
    dataset: String,
    description: String,
    dimension: Option<String>,
    severity: String,
    reporter: RecordId,
    source_owner: Option<RecordId>,
    opened_on: NaiveDate,
    reported_upstream_on: Option<NaiveDate>,
    status: String,
    resolved_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The sprint number in a `sprint:[key, number]` id.
fn sprint_number_of(id: &RecordId) -> Option<u32> {
    use surrealdb::types::{Number, RecordIdKey, Value};
    match &id.key {
        RecordIdKey::Array(items) => match items.get(1) {
            Some(Value::Number(Number::Int(n))) => u32::try_from(*n).ok(),
            _ => None,
        },
        _ => None,
    }
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A new random record key: 20 characters from `[a-z0-9]`, as the UI makes them.
fn new_key() -> String {
    use rand::Rng as _;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

// ---- import ----------------------------------------------------------------------------------

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ExistingUser {
    id: RecordId,
    email: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ExistingStakeholder {
    id: RecordId,
    name: String,
    email: Option<String>,
    organization: String,
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CountRow {
    count: i64,
}

/// The key stakeholders match on when they have no email: name and organization, trimmed and
/// lowercased.
fn name_org(name: &str, organization: &str) -> (String, String) {
    (
        name.trim().to_lowercase(),
        organization.trim().to_lowercase(),
    )
}

/// Imports a workspace in memory: validates it first (nothing is written when it is invalid),
/// then writes all of it or nothing (see the `write` module). A project whose key exists
/// already is refused unless `replace`, which deletes that project and every record of it
/// before its new records are written. Users match existing users on email; stakeholders match
/// on email when they have one, else on name plus organization (matched entries gain the file's
/// project links and are otherwise left as they are). The workspace time zone is taken from the
/// file only when the workspace has no project yet.
pub async fn import(db: &Db, ws: &Workspace, replace: bool) -> Result<ImportSummary, ImportError> {
    import_with(db, ws, replace, "", TX_ROWS).await
}

/// [`import`] with extra statements run just before the last `COMMIT` (tests force failures
/// with it) and the number of rows per transaction.
async fn import_with(
    db: &Db,
    ws: &Workspace,
    replace: bool,
    extra: &str,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    let source = source::Memory(std::sync::Arc::new(ws.clone()));
    write::run(db, source, replace, extra, tx_rows).await
}

/// Imports a workspace file as [`import`] does, reading it as a stream: twice (to check it, then
/// to write it), one project at a time, so that memory does not grow with the file. A syntax or
/// type error is reported at its JSON path. `tx_rows` is the number of rows per transaction
/// ([`TX_ROWS`] unless measuring).
pub async fn import_file(
    db: &Db,
    path: &std::path::Path,
    replace: bool,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    let source = source::JsonFile(path.to_path_buf());
    write::run(db, source, replace, "", tx_rows).await
}

/// Imports the generated workspace of `sizes` (see [`domain::format::generate`]) as [`import`]
/// does, making it project by project (twice: to check it, then to write it) instead of holding
/// it in memory.
pub async fn import_generated(
    db: &Db,
    sizes: &format::generate::Sizes,
    seed: u64,
    today: NaiveDate,
) -> Result<ImportSummary, ImportError> {
    let source = source::Generated {
        sizes: *sizes,
        seed,
        today,
    };
    write::run(db, source, false, "", TX_ROWS).await
}

/// Tables whose rows belong to a project through their `project` field.
const PROJECT_TABLES: &[&str] = &[
    "retro_vote",
    "retro_health_answer",
    "retro_item",
    "action_item",
    "review",
    "retro",
    "feedback",
    "invite",
    "sprint",
    "interview",
    "dq_issue",
    "readiness",
    "membership",
];

/// Rows per transaction of an import (see the `write` module).
pub const TX_ROWS: usize = 2_000;

/// What the revision events would have counted for one import transaction, which sets
/// `$bulk_import` to switch them off: its projects, the project catalog and the directory (with
/// the workspace time zone, which an import may set).
pub(super) fn bulk_revisions() -> String {
    format!(
        "{}UPSERT revision:⟨{CATALOG}⟩ SET n += 1;
UPSERT revision:⟨{DIRECTORY}⟩ SET n += 1, time_zone = setting:workspace.time_zone;
",
        bulk_project_revisions()
    )
}

/// The part of [`bulk_revisions`] for the transaction's projects alone (`$bump_projects`), for
/// transactions that run beside others and so must not all write the shared counters.
pub(super) fn bulk_project_revisions() -> &'static str {
    "FOR $key IN $bump_projects { UPSERT type::record('revision', $key) SET n += 1, dirty = true; };\n"
}

/// Counts of the rows of every table an import writes, for checks and reports.
pub async fn table_counts(db: &Db) -> AppResult<BTreeMap<String, i64>> {
    let tables = [
        "user",
        "stakeholder",
        "project",
        "membership",
        "readiness",
        "sprint",
        "review",
        "retro",
        "retro_item",
        "action_item",
        "interview",
        "feedback",
        "dq_issue",
    ];
    let sql: String = tables
        .iter()
        .map(|t| format!("SELECT count() AS count FROM {t} GROUP ALL;"))
        .collect();
    let mut res = db.query(sql).await?.check()?;
    let mut out = BTreeMap::new();
    for (i, t) in tables.iter().enumerate() {
        let rows: Vec<CountRow> = res.take(i)?;
        out.insert((*t).to_string(), rows.first().map_or(0, |r| r.count));
    }
    Ok(out)
}
