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
use crate::sprints::sprint_id;
use domain::error::{AppError, AppResult};
use domain::format::{self, Workspace};

pub mod demo;
mod source;
mod validate;
mod write;

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

// ---- export ----------------------------------------------------------------------------------

async fn select_all<T: SurrealValue>(db: &Db, sql: &str) -> AppResult<Vec<T>> {
    let mut res = db.query(sql).await?.check()?;
    Ok(res.take(0)?)
}

/// The whole workspace in format v1. Whole tables are read once each and grouped in memory.
///
/// Ids in the file are local and stable for the same data: users `u1…` by email, stakeholders
/// `s1…` by name, projects `p1…` by key, interviews `i1…`, feedback `f1…` and issues `d1…` in
/// date order. Users carry no credentials. Erased stakeholders keep their entry with an empty
/// name (their input still counts under their function); merged duplicates are left out and
/// references to them point at the entry they were merged into.
pub async fn export(db: &Db) -> AppResult<Workspace> {
    let settings = crate::workspace::WorkspaceRepo::new(db.clone())
        .get()
        .await?;
    let mut users: Vec<UserRow> =
        select_all(db, "SELECT id, email, name, role, active FROM user").await?;
    users.sort_by(|a, b| {
        a.email
            .cmp(&b.email)
            .then(key_of(&a.id).cmp(&key_of(&b.id)))
    });
    let stakeholders: Vec<StakeholderRow> = select_all(
        db,
        "SELECT id, name, email, organization, title, `function`, projects, notes, attributes,
                consented_on, erased_at, merged_into FROM stakeholder",
    )
    .await?;
    let mut projects: Vec<ProjectRow> = select_all(
        db,
        "SELECT id, key, name, problem_statement, end_users, status, lead, started_on,
                target_iteration_days, contact_threshold_days, ml_needed, baseline_considered FROM project",
    )
    .await?;
    projects.sort_by(|a, b| a.key.cmp(&b.key));
    let memberships: Vec<MembershipRow> =
        select_all(db, "SELECT project, user, role FROM membership").await?;
    let readiness: Vec<ReadinessRow> =
        select_all(db, "SELECT project, items FROM readiness").await?;
    let sprints: Vec<SprintRow> = select_all(
        db,
        "SELECT project, number, name, goal, start_on, end_on, committed, completed, notes FROM sprint",
    )
    .await?;
    let reviews: Vec<ReviewRow> = select_all(
        db,
        "SELECT id, project, sprint, held_on, attendee_users, attendee_stakeholders, summary, decisions,
                outcome, created_at, updated_at FROM review",
    )
    .await?;
    let retros: Vec<RetroRow> = select_all(
        db,
        "SELECT id, project, sprint, held_on, format, health, created_at, updated_at FROM retro",
    )
    .await?;
    let retro_items: Vec<RetroItemRow> = select_all(
        db,
        "SELECT id, project, retro, column, text, votes, created_by, created_at FROM retro_item",
    )
    .await?;
    let actions: Vec<ActionRow> = select_all(
        db,
        "SELECT id, project, retro, sprint_number, text, owner, due_sprint, status, closed_on,
                created_at, updated_at FROM action_item",
    )
    .await?;
    let interviews: Vec<InterviewRow> = select_all(
        db,
        "SELECT id, project, participants, interviewers, scheduled_at, time_zone, duration_min, kind,
                status, notes, insights, created_at, updated_at FROM interview",
    )
    .await?;
    let feedback: Vec<FeedbackRow> = select_all(
        db,
        "SELECT id, project, sprint, stakeholder, author_name, author_function, channel, submitted_at,
                rating, body, category, status, addressed_in, response, responded_at, created_at,
                updated_at FROM feedback",
    )
    .await?;
    let dq: Vec<DqRow> = select_all(
        db,
        "SELECT id, project, dataset, description, dimension, severity, reporter, source_owner, opened_on,
                reported_upstream_on, status, resolved_on, created_at, updated_at FROM dq_issue",
    )
    .await?;
    Ok(assemble(
        settings.time_zone,
        users,
        stakeholders,
        projects,
        Grouped {
            memberships,
            readiness,
            sprints,
            reviews,
            retros,
            retro_items,
            actions,
            interviews,
            feedback,
            dq,
        },
    ))
}

struct Grouped {
    memberships: Vec<MembershipRow>,
    readiness: Vec<ReadinessRow>,
    sprints: Vec<SprintRow>,
    reviews: Vec<ReviewRow>,
    retros: Vec<RetroRow>,
    retro_items: Vec<RetroItemRow>,
    actions: Vec<ActionRow>,
    interviews: Vec<InterviewRow>,
    feedback: Vec<FeedbackRow>,
    dq: Vec<DqRow>,
}

fn by_project<T>(rows: Vec<T>, project: impl Fn(&T) -> &RecordId) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key_of(project(&row))).or_default().push(row);
    }
    out
}

// Record ids are never mutated while they are keys here.
#[allow(clippy::mutable_key_type)]
fn assemble(
    time_zone: String,
    users: Vec<UserRow>,
    stakeholders: Vec<StakeholderRow>,
    projects: Vec<ProjectRow>,
    g: Grouped,
) -> Workspace {
    // Local ids.
    let user_ids: HashMap<RecordId, String> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.clone(), format!("u{}", i + 1)))
        .collect();
    let project_ids: HashMap<String, String> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.clone(), format!("p{}", i + 1)))
        .collect();
    let merged_into: HashMap<RecordId, RecordId> = stakeholders
        .iter()
        .filter_map(|s| s.merged_into.clone().map(|m| (s.id.clone(), m)))
        .collect();
    let mut live: Vec<&StakeholderRow> = stakeholders
        .iter()
        .filter(|s| s.merged_into.is_none())
        .collect();
    live.sort_by(|a, b| {
        (
            a.erased_at.is_some(),
            a.name.to_lowercase(),
            &a.organization,
        )
            .cmp(&(
                b.erased_at.is_some(),
                b.name.to_lowercase(),
                &b.organization,
            ))
            .then(key_of(&a.id).cmp(&key_of(&b.id)))
    });
    let stakeholder_ids: HashMap<RecordId, String> = live
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), format!("s{}", i + 1)))
        .collect();
    // A stakeholder reference, following merges (a few hops at most).
    let person = |id: &RecordId| -> Option<String> {
        let mut id = id.clone();
        for _ in 0..8 {
            if let Some(local) = stakeholder_ids.get(&id) {
                return Some(local.clone());
            }
            id = merged_into.get(&id)?.clone();
        }
        None
    };
    let user = |id: &RecordId| user_ids.get(id).cloned();

    let out_users = users
        .iter()
        .map(|u| format::User {
            id: user_ids.get(&u.id).cloned().unwrap_or_default(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.parse().unwrap_or_default(),
            active: u.active,
        })
        .collect();
    let out_stakeholders = live
        .iter()
        .map(|s| {
            let mut linked: Vec<String> = s
                .projects
                .iter()
                .filter_map(|p| project_ids.get(&key_of(p)).cloned())
                .collect();
            linked.sort();
            linked.dedup();
            let erased = s.erased_at.is_some();
            format::Stakeholder {
                id: stakeholder_ids.get(&s.id).cloned().unwrap_or_default(),
                name: if erased {
                    String::new()
                } else {
                    s.name.clone()
                },
                email: s.email.clone(),
                organization: s.organization.clone(),
                title: s.title.clone(),
                function: s.function.parse().unwrap_or_default(),
                projects: linked,
                attributes: s.attributes.clone(),
                consented_on: s.consented_on,
                notes: s.notes.clone(),
            }
        })
        .collect();

    let mut memberships = by_project(g.memberships, |r| &r.project);
    let mut readiness = by_project(g.readiness, |r| &r.project);
    let mut sprints = by_project(g.sprints, |r| &r.project);
    let reviews: HashMap<RecordId, ReviewRow> = g
        .reviews
        .into_iter()
        .map(|r| (r.sprint.clone(), r))
        .collect();
    let retros: HashMap<RecordId, RetroRow> = g
        .retros
        .into_iter()
        .map(|r| (r.sprint.clone(), r))
        .collect();
    let mut items: HashMap<RecordId, Vec<RetroItemRow>> = HashMap::new();
    for item in g.retro_items {
        items.entry(item.retro.clone()).or_default().push(item);
    }
    let mut actions: HashMap<RecordId, Vec<ActionRow>> = HashMap::new();
    for action in g.actions {
        actions
            .entry(action.retro.clone())
            .or_default()
            .push(action);
    }
    let mut interviews = by_project(g.interviews, |r| &r.project);
    let mut feedback = by_project(g.feedback, |r| &r.project);
    let mut dq = by_project(g.dq, |r| &r.project);
    let (mut next_interview, mut next_feedback, mut next_dq) = (0usize, 0usize, 0usize);

    let mut out_projects = Vec::with_capacity(projects.len());
    for p in &projects {
        let key = p.key.clone();
        let mut members: Vec<(String, format::Member)> = memberships
            .remove(&key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                let local = user(&m.user)?;
                Some((
                    local.clone(),
                    format::Member {
                        user: local,
                        role: m.role.parse().unwrap_or_default(),
                    },
                ))
            })
            .collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let mut checklist = BTreeMap::new();
        for row in readiness.remove(&key).unwrap_or_default() {
            for (item, entry) in row.items {
                let Some(entry) = entry else { continue };
                if !format::READINESS_KEYS.contains(&item.as_str()) {
                    continue;
                }
                checklist.insert(
                    item,
                    format::ReadinessEntry {
                        done: entry.done,
                        owner: entry.owner.as_ref().and_then(user),
                        note: entry.note,
                    },
                );
            }
        }
        let mut project_sprints = sprints.remove(&key).unwrap_or_default();
        project_sprints.sort_by_key(|s| s.number);
        let out_sprints = project_sprints
            .into_iter()
            .map(|s| {
                let number = to_u32(s.number);
                let sid = sprint_id(&key, number);
                let review = reviews.get(&sid).map(|r| format::Review {
                    held_on: r.held_on,
                    attendee_users: r.attendee_users.iter().filter_map(user).collect(),
                    attendee_stakeholders: r
                        .attendee_stakeholders
                        .iter()
                        .filter_map(person)
                        .collect(),
                    summary: r.summary.clone(),
                    decisions: r.decisions.clone(),
                    outcome: r.outcome.parse().ok(),
                });
                let retro = retros.get(&sid).map(|r| {
                    let mut board = items.remove(&r.id).unwrap_or_default();
                    board.sort_by(|a, b| {
                        b.votes
                            .cmp(&a.votes)
                            .then(a.created_at.cmp(&b.created_at))
                            .then(key_of(&a.id).cmp(&key_of(&b.id)))
                    });
                    let mut decided = actions.remove(&r.id).unwrap_or_default();
                    decided.sort_by(|a, b| {
                        a.created_at
                            .cmp(&b.created_at)
                            .then(key_of(&a.id).cmp(&key_of(&b.id)))
                    });
                    format::Retro {
                        // The format needs a day; a retro set up without one takes the day it
                        // was created.
                        held_on: r.held_on.unwrap_or_else(|| r.created_at.date_naive()),
                        format: r.format.parse().unwrap_or_default(),
                        items: board
                            .into_iter()
                            .filter_map(|i| {
                                Some(format::RetroItem {
                                    column: i.column.parse().ok()?,
                                    text: i.text,
                                    votes: to_u32(i.votes),
                                })
                            })
                            .collect(),
                        health: r
                            .health
                            .iter()
                            .map(|h| {
                                let mut scores: Vec<u8> = h
                                    .scores
                                    .iter()
                                    .filter_map(|s| u8::try_from(*s).ok())
                                    .collect();
                                scores.sort_unstable();
                                format::HealthQuestion {
                                    question: h.question.clone(),
                                    scores,
                                }
                            })
                            .collect(),
                        action_items: decided
                            .into_iter()
                            .map(|a| format::ActionItem {
                                text: a.text,
                                owner: a.owner.as_ref().and_then(user),
                                due_sprint: Some(to_u32(a.due_sprint)),
                                status: a.status.parse().unwrap_or_default(),
                                closed_on: a.closed_on,
                            })
                            .collect(),
                    }
                });
                format::Sprint {
                    number,
                    name: s.name,
                    goal: s.goal,
                    start_on: s.start_on,
                    end_on: s.end_on,
                    committed: s.committed.and_then(|n| u32::try_from(n).ok()),
                    completed: s.completed.and_then(|n| u32::try_from(n).ok()),
                    notes: s.notes,
                    review,
                    retro,
                }
            })
            .collect();
        let mut project_interviews = interviews.remove(&key).unwrap_or_default();
        project_interviews.sort_by(|a, b| {
            a.scheduled_at
                .cmp(&b.scheduled_at)
                .then(key_of(&a.id).cmp(&key_of(&b.id)))
        });
        let out_interviews = project_interviews
            .into_iter()
            .map(|i| {
                next_interview += 1;
                format::Interview {
                    id: format!("i{next_interview}"),
                    participants: i.participants.iter().filter_map(person).collect(),
                    interviewers: i.interviewers.iter().filter_map(user).collect(),
                    scheduled_at: i.scheduled_at,
                    time_zone: Some(i.time_zone),
                    duration_min: Some(to_u32(i.duration_min)),
                    kind: i.kind.parse().unwrap_or_default(),
                    status: i.status.parse().unwrap_or_default(),
                    notes: i.notes,
                    insights: i
                        .insights
                        .into_iter()
                        .map(|x| format::Insight {
                            text: x.text,
                            tags: x.tags,
                        })
                        .collect(),
                }
            })
            .collect();
        let mut project_feedback = feedback.remove(&key).unwrap_or_default();
        project_feedback.sort_by(|a, b| {
            a.submitted_at
                .cmp(&b.submitted_at)
                .then(key_of(&a.id).cmp(&key_of(&b.id)))
        });
        let out_feedback = project_feedback
            .into_iter()
            .map(|f| {
                next_feedback += 1;
                format::Feedback {
                    id: format!("f{next_feedback}"),
                    sprint: f.sprint.as_ref().and_then(sprint_number_of),
                    stakeholder: f.stakeholder.as_ref().and_then(person),
                    author_name: f.author_name,
                    author_function: f.author_function.and_then(|x| x.parse().ok()),
                    channel: f.channel.parse().unwrap_or_default(),
                    submitted_at: f.submitted_at,
                    rating: f.rating.and_then(|r| u8::try_from(r).ok()),
                    body: f.body,
                    category: f.category.parse().unwrap_or_default(),
                    status: f.status.parse().unwrap_or_default(),
                    addressed_in: f.addressed_in.as_ref().and_then(sprint_number_of),
                    response: f.response,
                }
            })
            .collect();
        let mut project_dq = dq.remove(&key).unwrap_or_default();
        project_dq.sort_by(|a, b| {
            a.opened_on
                .cmp(&b.opened_on)
                .then(a.created_at.cmp(&b.created_at))
                .then(key_of(&a.id).cmp(&key_of(&b.id)))
        });
        let out_dq = project_dq
            .into_iter()
            .map(|d| {
                next_dq += 1;
                format::DqIssue {
                    id: format!("d{next_dq}"),
                    dataset: d.dataset,
                    description: d.description,
                    dimension: d.dimension.and_then(|x| x.parse().ok()),
                    severity: d.severity.parse().unwrap_or(format::DqSeverity::Medium),
                    reporter: user(&d.reporter),
                    source_owner: d.source_owner.as_ref().and_then(person),
                    opened_on: d.opened_on,
                    reported_upstream_on: d.reported_upstream_on,
                    status: d.status.parse().unwrap_or_default(),
                    resolved_on: d.resolved_on,
                }
            })
            .collect();
        out_projects.push(format::Project {
            id: project_ids.get(&key).cloned().unwrap_or_default(),
            key: key.clone(),
            name: p.name.clone(),
            problem_statement: p.problem_statement.clone(),
            end_users: p.end_users.clone(),
            status: p.status.parse().unwrap_or_default(),
            lead: p.lead.as_ref().and_then(user),
            started_on: p.started_on,
            target_iteration_days: u32::try_from(p.target_iteration_days).unwrap_or(14),
            contact_threshold_days: u32::try_from(p.contact_threshold_days).unwrap_or(30),
            ml_needed: p.ml_needed.parse().unwrap_or_default(),
            baseline_considered: p.baseline_considered.clone(),
            members: members.into_iter().map(|(_, m)| m).collect(),
            readiness: checklist,
            sprints: out_sprints,
            interviews: out_interviews,
            feedback: out_feedback,
            dq_issues: out_dq,
        });
    }
    Workspace {
        format: format::FORMAT_NAME.to_string(),
        version: format::FORMAT_VERSION,
        settings: format::Settings { time_zone },
        users: out_users,
        stakeholders: out_stakeholders,
        projects: out_projects,
    }
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
const BULK_REVISIONS: &str =
    "FOR $key IN $bump_projects { UPSERT type::record('revision', $key) SET n += 1, dirty = true; };
UPSERT revision:⟨~catalog⟩ SET n += 1;
UPSERT revision:⟨~directory⟩ SET n += 1, time_zone = setting:workspace.time_zone;
";

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
