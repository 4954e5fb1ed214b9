//! Workspace export and import in format v1 (`workspace-format.md`), and the demo data.
//!
//! * [`export`] reads whole tables and groups them in memory (no per-project queries).
//! * [`validate`] checks a parsed file and reports every problem with its JSON path.
//! * [`import`] validates, then writes everything in ONE transaction built from bulk
//!   `INSERT INTO <table> $rows` statements (rows bound as arrays, never formatted into
//!   SurrealQL), so that a failure part-way leaves nothing behind.
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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{key_of, rid};
use crate::error::{AppError, AppResult};
use crate::format::{self, Workspace};
use crate::projects::repo::membership_id;
use crate::sprints::repo::{retro_id, review_id, sprint_id};

pub mod demo;
mod validate;

#[cfg(test)]
mod tests;

pub use demo::{DemoScale, DemoSummary, demo_workspace, load_demo};
pub use validate::{parse_workspace, validate};

/// One problem with an import file, at a JSON path such as `projects[0].sprints[3].end_on`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    let settings = super::repo::WorkspaceRepo::new(db.clone()).get().await?;
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

/// Everything to write, as rows.
#[derive(Default)]
struct Plan {
    users: Vec<NewUserRow>,
    links: Vec<LinkRow>,
    stakeholders: Vec<NewStakeholderRow>,
    projects: Vec<NewProjectRow>,
    memberships: Vec<NewMembershipRow>,
    readiness: Vec<NewReadinessRow>,
    sprints: Vec<NewSprintRow>,
    reviews: Vec<ReviewRow>,
    retros: Vec<RetroRow>,
    retro_items: Vec<RetroItemRow>,
    actions: Vec<ActionRow>,
    interviews: Vec<InterviewRow>,
    feedback: Vec<FeedbackRow>,
    dq: Vec<DqRow>,
    replaced: Vec<String>,
    time_zone: Option<String>,
    summary: ImportSummary,
}

/// Imports a workspace file: validates it first (nothing is written when it is invalid), then
/// writes everything in one transaction. A project whose key exists already is refused unless
/// `replace`, which deletes that project and every record of it in the same transaction.
/// Users match existing users on email; stakeholders match on email when they have one, else
/// on name plus organization (matched entries gain the file's project links and are otherwise
/// left as they are). The workspace time zone is taken from the file only when the workspace
/// has no project yet.
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
    let issues = validate(ws);
    if !issues.is_empty() {
        return Err(ImportError::Invalid(issues));
    }
    let plan = plan(db, ws, replace).await?;
    write(db, plan, extra, tx_rows).await
}

async fn plan(db: &Db, ws: &Workspace, replace: bool) -> Result<Plan, ImportError> {
    let now = Utc::now();
    let mut plan = Plan::default();
    let mut issues = Vec::new();

    // Existing projects with the file's keys.
    let wanted: Vec<RecordId> = ws.projects.iter().map(|p| rid("project", &p.key)).collect();
    let mut res = db
        .query("SELECT VALUE key FROM $ids; SELECT count() AS count FROM project GROUP ALL;")
        .bind(("ids", wanted))
        .await?
        .check()?;
    let existing_keys: Vec<String> = res.take(0)?;
    let project_count: Vec<CountRow> = res.take(1)?;
    let existing_keys: HashSet<String> = existing_keys.into_iter().collect();
    for (i, p) in ws.projects.iter().enumerate() {
        if existing_keys.contains(&p.key) {
            if replace {
                plan.replaced.push(p.key.clone());
            } else {
                issues.push(ImportIssue::new(
                    format!("projects[{i}].key"),
                    format!(
                        "a project with key `{}` already exists (import with replace to replace it)",
                        p.key
                    ),
                ));
            }
        }
    }
    if !issues.is_empty() {
        return Err(ImportError::Invalid(issues));
    }
    if project_count.first().is_none_or(|c| c.count == 0) {
        plan.time_zone = Some(ws.settings.time_zone.trim().to_string());
    }

    // Users: match on email.
    let existing_users: Vec<ExistingUser> = select_all(db, "SELECT id, email FROM user").await?;
    let by_email: HashMap<String, RecordId> = existing_users
        .iter()
        .map(|u| (crate::auth::normalize_email(&u.email), u.id.clone()))
        .collect();
    let mut users: HashMap<&str, RecordId> = HashMap::new();
    for u in &ws.users {
        let email = crate::auth::normalize_email(&u.email);
        if let Some(id) = by_email.get(&email) {
            users.insert(u.id.as_str(), id.clone());
            plan.summary.users_matched += 1;
        } else {
            let id = rid("user", &new_key());
            users.insert(u.id.as_str(), id.clone());
            let name = if u.name.trim().is_empty() {
                email.split('@').next().unwrap_or_default().to_string()
            } else {
                u.name.trim().to_string()
            };
            plan.users.push(NewUserRow {
                id,
                email,
                name,
                // No credentials: the user cannot sign in until an admin sets a temporary
                // password, which must then be changed.
                password_hash: None,
                role: u.role.as_str().to_string(),
                active: u.active,
                must_change_password: true,
                created_at: now,
                updated_at: now,
            });
            plan.summary.users_created += 1;
        }
    }
    let any_user: Option<RecordId> = ws
        .users
        .first()
        .and_then(|u| users.get(u.id.as_str()).cloned())
        .or_else(|| existing_users.first().map(|u| u.id.clone()));

    // Stakeholders: match on email, else on name + organization (live entries only).
    let existing: Vec<ExistingStakeholder> = select_all(
        db,
        "SELECT id, name, email, organization FROM stakeholder WHERE erased_at = NONE AND merged_into = NONE",
    )
    .await?;
    let mut by_mail: HashMap<String, RecordId> = HashMap::new();
    let mut by_name: HashMap<(String, String), RecordId> = HashMap::new();
    for s in &existing {
        if let Some(e) = &s.email {
            by_mail.insert(crate::auth::normalize_email(e), s.id.clone());
        }
        by_name
            .entry(name_org(&s.name, &s.organization))
            .or_insert_with(|| s.id.clone());
    }
    let project_rid: HashMap<&str, RecordId> = ws
        .projects
        .iter()
        .map(|p| (p.id.as_str(), rid("project", &p.key)))
        .collect();
    let mut stakeholders: HashMap<&str, RecordId> = HashMap::new();
    let mut links: BTreeMap<String, (RecordId, Vec<RecordId>)> = BTreeMap::new();
    for s in &ws.stakeholders {
        let erased = s.name.trim().is_empty();
        let email = s
            .email
            .as_deref()
            .map(crate::auth::normalize_email)
            .filter(|e| !e.is_empty());
        let linked: Vec<RecordId> = s
            .projects
            .iter()
            .filter_map(|p| project_rid.get(p.as_str()).cloned())
            .collect();
        let found = if erased {
            None
        } else if let Some(e) = &email {
            by_mail.get(e).cloned()
        } else {
            by_name.get(&name_org(&s.name, &s.organization)).cloned()
        };
        if let Some(id) = found {
            stakeholders.insert(s.id.as_str(), id.clone());
            plan.summary.stakeholders_matched += 1;
            let entry = links
                .entry(key_of(&id))
                .or_insert_with(|| (id.clone(), Vec::new()));
            for p in linked {
                if !entry.1.contains(&p) {
                    entry.1.push(p);
                }
            }
            continue;
        }
        let id = rid("stakeholder", &new_key());
        stakeholders.insert(s.id.as_str(), id.clone());
        let consented = s.consented_on.filter(|_| !erased);
        plan.stakeholders.push(NewStakeholderRow {
            id,
            name: if erased {
                crate::stakeholders::ERASED_NAME.to_string()
            } else {
                s.name.trim().to_string()
            },
            email: if erased { None } else { email },
            organization: if erased {
                String::new()
            } else {
                s.organization.trim().to_string()
            },
            title: if erased {
                String::new()
            } else {
                s.title.trim().to_string()
            },
            function: s.function.as_str().to_string(),
            projects: linked,
            notes: if erased {
                String::new()
            } else {
                s.notes.clone()
            },
            // Attributes are kept only with consent.
            attributes: if consented.is_some() {
                s.attributes.clone()
            } else {
                BTreeMap::new()
            },
            consented_on: consented,
            erased_at: erased.then_some(now),
            created_at: now,
            updated_at: now,
        });
        plan.summary.stakeholders_created += 1;
    }
    plan.links = links
        .into_values()
        .filter(|(_, p)| !p.is_empty())
        .map(|(id, projects)| LinkRow { id, projects })
        .collect();

    let user_ref = |id: &str| users.get(id).cloned();
    let person = |id: &str| stakeholders.get(id).cloned();
    for (pi, p) in ws.projects.iter().enumerate() {
        let key = p.key.as_str();
        let project = rid("project", key);
        let lead = p.lead.as_deref().and_then(user_ref);
        // Members, with the lead as a member with role lead (as the UI makes it).
        let mut members: Vec<(RecordId, format::MemberRole)> = Vec::new();
        for m in &p.members {
            if let Some(u) = user_ref(&m.user) {
                let role = if Some(&u) == lead.as_ref() {
                    format::MemberRole::Lead
                } else {
                    m.role
                };
                members.push((u, role));
            }
        }
        if let Some(l) = &lead
            && !members.iter().any(|(u, _)| u == l)
        {
            members.insert(0, (l.clone(), format::MemberRole::Lead));
        }
        let creator = lead
            .clone()
            .or_else(|| members.first().map(|(u, _)| u.clone()))
            .or_else(|| any_user.clone());
        for (u, role) in &members {
            plan.memberships.push(NewMembershipRow {
                id: membership_id(key, &key_of(u)),
                project: project.clone(),
                user: u.clone(),
                role: role.as_str().to_string(),
                created_at: now,
            });
        }
        plan.summary.memberships += members.len();
        if plan.replaced.iter().any(|r| r == key) {
            plan.summary.projects_replaced += 1;
        }
        plan.summary.projects += 1;
        let last = p.sprints.iter().map(|s| s.number).max().unwrap_or(0);
        plan.projects.push(NewProjectRow {
            id: project.clone(),
            key: key.to_string(),
            name: p.name.trim().to_string(),
            problem_statement: p.problem_statement.clone(),
            end_users: p.end_users.clone(),
            status: p.status.as_str().to_string(),
            lead: lead.clone(),
            started_on: p.started_on,
            target_iteration_days: i64::from(p.target_iteration_days),
            contact_threshold_days: i64::from(p.contact_threshold_days),
            ml_needed: p.ml_needed.as_str().to_string(),
            baseline_considered: p.baseline_considered.clone(),
            last_sprint_number: i64::from(last),
            created_at: now,
            updated_at: now,
        });
        let items: BTreeMap<String, ReadinessItemRow> = p
            .readiness
            .iter()
            .filter(|(k, _)| format::READINESS_KEYS.contains(&k.as_str()))
            .map(|(k, e)| {
                (
                    k.clone(),
                    ReadinessItemRow {
                        done: e.done,
                        owner: e.owner.as_deref().and_then(user_ref),
                        note: e.note.trim().to_string(),
                        updated_at: Some(now),
                    },
                )
            })
            .collect();
        if !items.is_empty() {
            plan.readiness.push(NewReadinessRow {
                id: rid("readiness", key),
                project: project.clone(),
                items,
                created_at: now,
                updated_at: now,
            });
            plan.summary.readiness += 1;
        }
        for (si, s) in p.sprints.iter().enumerate() {
            let sid = sprint_id(key, s.number);
            plan.sprints.push(NewSprintRow {
                id: sid.clone(),
                project: project.clone(),
                number: i64::from(s.number),
                name: if s.name.trim().is_empty() {
                    crate::sprints::default_sprint_name(s.number)
                } else {
                    s.name.trim().to_string()
                },
                goal: s.goal.clone(),
                start_on: s.start_on,
                end_on: s.end_on,
                committed: s.committed.map(i64::from),
                completed: s.completed.map(i64::from),
                notes: s.notes.clone(),
                created_at: now,
                updated_at: now,
            });
            if let Some(r) = &s.review {
                let mut attendee_users: Vec<RecordId> = Vec::new();
                for u in r.attendee_users.iter().filter_map(|u| user_ref(u)) {
                    if !attendee_users.contains(&u) {
                        attendee_users.push(u);
                    }
                }
                let mut attendee_stakeholders: Vec<RecordId> = Vec::new();
                for x in r.attendee_stakeholders.iter().filter_map(|x| person(x)) {
                    if !attendee_stakeholders.contains(&x) {
                        attendee_stakeholders.push(x);
                    }
                }
                plan.reviews.push(ReviewRow {
                    id: review_id(key, s.number),
                    project: project.clone(),
                    sprint: sid.clone(),
                    held_on: r.held_on,
                    attendee_users,
                    attendee_stakeholders,
                    summary: r.summary.clone(),
                    decisions: r.decisions.clone(),
                    outcome: r
                        .outcome
                        .unwrap_or(format::ReviewOutcome::NoDecision)
                        .as_str()
                        .to_string(),
                    created_at: now,
                    updated_at: now,
                });
            }
            if let Some(r) = &s.retro {
                let retro = retro_id(key, s.number);
                plan.retros.push(RetroRow {
                    id: retro.clone(),
                    project: project.clone(),
                    sprint: sid.clone(),
                    held_on: Some(r.held_on),
                    format: r.format.as_str().to_string(),
                    health: r
                        .health
                        .iter()
                        .map(|h| {
                            let mut scores: Vec<i64> =
                                h.scores.iter().map(|x| i64::from(*x)).collect();
                            // Sorted, so that the order says nothing about who answered.
                            scores.sort_unstable();
                            HealthRow {
                                question: h.question.trim().to_string(),
                                scores,
                            }
                        })
                        .collect(),
                    created_at: now,
                    updated_at: now,
                });
                if !r.items.is_empty() {
                    let Some(creator) = creator.clone() else {
                        issues.push(ImportIssue::new(
                            format!("projects[{pi}].sprints[{si}].retro.items"),
                            "retro items need a user to be recorded by, and the workspace has none",
                        ));
                        continue;
                    };
                    for item in &r.items {
                        plan.retro_items.push(RetroItemRow {
                            id: rid("retro_item", &new_key()),
                            project: project.clone(),
                            retro: retro.clone(),
                            column: item.column.as_str().to_string(),
                            text: item.text.trim().to_string(),
                            votes: i64::from(item.votes),
                            created_by: creator.clone(),
                            created_at: now,
                        });
                    }
                }
                for a in &r.action_items {
                    plan.actions.push(ActionRow {
                        id: rid("action_item", &new_key()),
                        project: project.clone(),
                        retro: retro.clone(),
                        sprint_number: i64::from(s.number),
                        text: a.text.trim().to_string(),
                        owner: a.owner.as_deref().and_then(user_ref),
                        due_sprint: i64::from(a.due_sprint.unwrap_or(s.number + 1)),
                        status: a.status.as_str().to_string(),
                        closed_on: a.closed_on,
                        created_at: now,
                        updated_at: now,
                    });
                }
            }
        }
        for i in &p.interviews {
            plan.interviews.push(InterviewRow {
                id: rid("interview", &new_key()),
                project: project.clone(),
                participants: dedup(i.participants.iter().filter_map(|x| person(x))),
                interviewers: dedup(i.interviewers.iter().filter_map(|x| user_ref(x))),
                scheduled_at: i.scheduled_at,
                time_zone: i
                    .time_zone
                    .as_deref()
                    .map(str::trim)
                    .filter(|z| !z.is_empty())
                    .unwrap_or(ws.settings.time_zone.trim())
                    .to_string(),
                duration_min: i64::from(
                    i.duration_min
                        .unwrap_or(crate::interviews::DEFAULT_DURATION),
                ),
                kind: i.kind.as_str().to_string(),
                status: i.status.as_str().to_string(),
                notes: i.notes.clone(),
                insights: i
                    .insights
                    .iter()
                    .map(|x| InsightRow {
                        text: x.text.trim().to_string(),
                        tags: x.tags.clone(),
                    })
                    .collect(),
                created_at: now,
                updated_at: now,
            });
        }
        for f in &p.feedback {
            plan.feedback.push(FeedbackRow {
                id: rid("feedback", &new_key()),
                project: project.clone(),
                sprint: f.sprint.map(|n| sprint_id(key, n)),
                stakeholder: f.stakeholder.as_deref().and_then(person),
                author_name: f
                    .author_name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
                author_function: f.author_function.map(|x| x.as_str().to_string()),
                channel: f.channel.as_str().to_string(),
                submitted_at: f.submitted_at,
                rating: f.rating.map(i64::from),
                body: f.body.clone(),
                category: f.category.as_str().to_string(),
                status: f.status.as_str().to_string(),
                addressed_in: f.addressed_in.map(|n| sprint_id(key, n)),
                response: f.response.clone().filter(|r| !r.trim().is_empty()),
                responded_at: f
                    .response
                    .as_ref()
                    .filter(|r| !r.trim().is_empty())
                    .map(|_| now),
                created_at: now,
                updated_at: now,
            });
        }
        for (di, d) in p.dq_issues.iter().enumerate() {
            let Some(reporter) = d
                .reporter
                .as_deref()
                .and_then(user_ref)
                .or_else(|| creator.clone())
            else {
                issues.push(ImportIssue::new(
                    format!("projects[{pi}].dq_issues[{di}].reporter"),
                    "needs a reporting user, and the workspace has none",
                ));
                continue;
            };
            plan.dq.push(DqRow {
                id: rid("dq_issue", &new_key()),
                project: project.clone(),
                dataset: d.dataset.trim().to_string(),
                description: d.description.trim().to_string(),
                dimension: d.dimension.map(|x| x.as_str().to_string()),
                severity: d.severity.as_str().to_string(),
                reporter,
                source_owner: d.source_owner.as_deref().and_then(person),
                opened_on: d.opened_on,
                reported_upstream_on: d.reported_upstream_on,
                status: d.status.as_str().to_string(),
                resolved_on: d.resolved_on,
                created_at: now,
                updated_at: now,
            });
        }
    }
    if !issues.is_empty() {
        return Err(ImportError::Invalid(issues));
    }
    let s = &mut plan.summary;
    s.sprints = plan.sprints.len();
    s.reviews = plan.reviews.len();
    s.retros = plan.retros.len();
    s.retro_items = plan.retro_items.len();
    s.action_items = plan.actions.len();
    s.interviews = plan.interviews.len();
    s.feedback = plan.feedback.len();
    s.dq_issues = plan.dq.len();
    Ok(plan)
}

fn dedup(ids: impl Iterator<Item = RecordId>) -> Vec<RecordId> {
    let mut out: Vec<RecordId> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
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

/// Rows per transaction when a large import is split (see [`write`]).
pub const TX_ROWS: usize = 2_000;

/// One bulk statement: `INSERT INTO <table> $rows`, with the ids it creates.
struct Unit {
    table: &'static str,
    rows: surrealdb::types::Value,
    ids: Vec<RecordId>,
}

fn units<T: SurrealValue + Clone>(
    out: &mut Vec<Unit>,
    table: &'static str,
    rows: &[T],
    id: impl Fn(&T) -> RecordId,
    size: usize,
) {
    for chunk in rows.chunks(size.max(1)) {
        out.push(Unit {
            table,
            rows: chunk.to_vec().into_value(),
            ids: chunk.iter().map(&id).collect(),
        });
    }
}

/// Writes the plan. An import of at most `tx_rows` rows (the demo, the example files) runs as
/// ONE transaction, replacements included, so a failure anywhere leaves nothing.
///
/// A larger import is split into transactions of about `tx_rows` rows, because SurrealDB's
/// cost per write grows with the size of the open transaction (measured: 10 generated projects
/// in 12 s but 40 in more than 120 s as one transaction). The batches are written in dependency
/// order; stakeholder links and the time zone go with the last one. If a batch fails, every
/// record written by the earlier batches is deleted again (compensation), so the workspace ends
/// as it was, except that projects being replaced were already deleted by the first batch.
async fn write(
    db: &Db,
    plan: Plan,
    extra: &str,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    let size = tx_rows.max(1);
    // Every transaction bumps the read cache's revision counters itself, once per project,
    // instead of once per row from the schema's events (see `70_revisions.surql`).
    let mut bump: Vec<String> = plan.projects.iter().map(|p| p.key.clone()).collect();
    bump.extend(plan.replaced.iter().cloned());
    bump.sort();
    bump.dedup();
    let mut all = Vec::new();
    units(&mut all, "user", &plan.users, |r| r.id.clone(), size);
    units(
        &mut all,
        "stakeholder",
        &plan.stakeholders,
        |r| r.id.clone(),
        size,
    );
    units(&mut all, "project", &plan.projects, |r| r.id.clone(), size);
    units(
        &mut all,
        "membership",
        &plan.memberships,
        |r| r.id.clone(),
        size,
    );
    units(
        &mut all,
        "readiness",
        &plan.readiness,
        |r| r.id.clone(),
        size,
    );
    units(&mut all, "sprint", &plan.sprints, |r| r.id.clone(), size);
    units(&mut all, "review", &plan.reviews, |r| r.id.clone(), size);
    units(&mut all, "retro", &plan.retros, |r| r.id.clone(), size);
    units(
        &mut all,
        "retro_item",
        &plan.retro_items,
        |r| r.id.clone(),
        size,
    );
    units(
        &mut all,
        "action_item",
        &plan.actions,
        |r| r.id.clone(),
        size,
    );
    units(
        &mut all,
        "interview",
        &plan.interviews,
        |r| r.id.clone(),
        size,
    );
    units(&mut all, "feedback", &plan.feedback, |r| r.id.clone(), size);
    units(&mut all, "dq_issue", &plan.dq, |r| r.id.clone(), size);

    // Group the statements into transactions of about `size` rows.
    let mut txs: Vec<Vec<Unit>> = vec![Vec::new()];
    let mut filled = 0;
    for unit in all {
        let n = unit.ids.len();
        if filled > 0 && filled + n > size {
            txs.push(Vec::new());
            filled = 0;
        }
        filled += n;
        if let Some(tx) = txs.last_mut() {
            tx.push(unit);
        }
    }
    let count = txs.len();
    let mut written: Vec<(&'static str, Vec<RecordId>)> = Vec::new();
    for (i, tx) in txs.into_iter().enumerate() {
        let (first, last) = (i == 0, i + 1 == count);
        let mut sql = String::from("BEGIN TRANSACTION;\nLET $bulk_import = true;\n");
        let mut binds: Vec<(String, surrealdb::types::Value)> = Vec::new();
        if first && !plan.replaced.is_empty() {
            let ids: Vec<RecordId> = plan.replaced.iter().map(|k| rid("project", k)).collect();
            let calendars: Vec<RecordId> = plan
                .replaced
                .iter()
                .map(|k| rid("calendar_token", k))
                .collect();
            for table in PROJECT_TABLES {
                // Table names are constants of this module, never user input.
                sql.push_str(&format!("DELETE {table} WHERE project IN $replaced;\n"));
            }
            sql.push_str("DELETE $replaced_calendars;\nDELETE $replaced;\n");
            sql.push_str(
                "UPDATE stakeholder SET projects = array::complement(projects, $replaced), updated_at = time::now()
                    WHERE projects CONTAINSANY $replaced;\n",
            );
            binds.push(("replaced".into(), ids.into_value()));
            binds.push(("replaced_calendars".into(), calendars.into_value()));
        }
        let mut ids_here: Vec<(&'static str, Vec<RecordId>)> = Vec::new();
        for (n, unit) in tx.into_iter().enumerate() {
            let name = format!("rows_{n}");
            sql.push_str(&format!("INSERT INTO {} ${name};\n", unit.table));
            binds.push((name, unit.rows));
            ids_here.push((unit.table, unit.ids));
        }
        if last {
            if !plan.links.is_empty() {
                sql.push_str(
                    "FOR $link IN $links { UPDATE $link.id SET projects = array::union(projects, $link.projects), updated_at = time::now() };\n",
                );
                binds.push(("links".into(), plan.links.clone().into_value()));
            }
            if let Some(tz) = &plan.time_zone {
                sql.push_str("UPSERT setting:workspace CONTENT { time_zone: $time_zone, updated_at: time::now() };\n");
                binds.push(("time_zone".into(), tz.clone().into_value()));
            }
            sql.push_str(extra);
        }
        sql.push_str(BULK_REVISIONS);
        binds.push(("bump_projects".into(), bump.clone().into_value()));
        sql.push_str("COMMIT TRANSACTION;");
        let mut query = db.query(sql);
        for bind in binds {
            query = query.bind(bind);
        }
        // `check` reports the first failed statement; a cancelled transaction leaves nothing.
        let result = match query.await {
            Ok(res) => res.check().map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            if !written.is_empty() {
                compensate(db, &written).await;
            }
            return Err(ImportError::Db(e.into()));
        }
        written.extend(ids_here);
    }
    Ok(plan.summary)
}

/// What the revision events would have counted for one import transaction, which sets
/// `$bulk_import` to switch them off: its projects, the project catalog and the directory (with
/// the workspace time zone, which an import may set).
const BULK_REVISIONS: &str =
    "FOR $key IN $bump_projects { UPSERT type::record('revision', $key) SET n += 1; };
UPSERT revision:⟨~catalog⟩ SET n += 1;
UPSERT revision:⟨~directory⟩ SET n += 1, time_zone = setting:workspace.time_zone;
";

/// Deletes what earlier batches of a failed import wrote, newest first, in one transaction.
async fn compensate(db: &Db, written: &[(&'static str, Vec<RecordId>)]) {
    let mut sql = String::from("BEGIN TRANSACTION;\n");
    let mut query_binds = Vec::new();
    for (n, (_, ids)) in written.iter().enumerate().rev() {
        sql.push_str(&format!("DELETE $ids_{n};\n"));
        query_binds.push((format!("ids_{n}"), ids.clone()));
    }
    sql.push_str("COMMIT TRANSACTION;");
    let mut query = db.query(sql);
    for bind in query_binds {
        query = query.bind(bind);
    }
    match query.await.and_then(surrealdb::IndexedResults::check) {
        Ok(_) => tracing::warn!("an import failed part-way; what it had written was deleted"),
        Err(e) => {
            tracing::error!(error = %e, "an import failed part-way and its partial data could not be deleted")
        }
    }
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
