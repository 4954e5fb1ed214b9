//! Loads what the read cache keeps of one project in a fixed number of queries: one round trip
//! for the revision counters, the project and its dated facts (each statement reads by key or
//! by the indexed `project` field) and one key lookup for the stakeholders they mention. No
//! per-row round trips, and no statement reads another project's rows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::Db;
use crate::db::{key_of, rid};
use crate::projects::{PROJECT_FIELDS, ProjectRecord};
use crate::revisions::{CATALOG, DIRECTORY, parse_time_zone};
use crate::sprints::{SPRINT_FIELDS, SprintRecord};
use domain::error::AppResult;
use domain::format::{READINESS_KEYS, ReviewOutcome};
use domain::projects::Member;
use domain::signals::{
    ActionItemInput, DqIssueInput, FeedbackInput, InterviewInput, ProjectInput, RetroInput,
    ReviewInput, SprintInput, StakeholderRef,
};

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewRow {
    number: i64,
    outcome: String,
    held_on: DateTime<Utc>,
    attendee_stakeholders: Vec<RecordId>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroRow {
    number: i64,
    held_on: DateTime<Utc>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ActionRow {
    sprint_number: i64,
    due_sprint: i64,
    status: String,
    closed_on: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InterviewRow {
    scheduled_at: DateTime<Utc>,
    status: String,
    participants: Vec<RecordId>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct FeedbackRow {
    sprint: Option<i64>,
    submitted_at: DateTime<Utc>,
    stakeholder: Option<RecordId>,
    author_function: Option<String>,
    author_name: Option<String>,
    channel: String,
    status: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DqRow {
    dataset: String,
    severity: String,
    opened_on: DateTime<Utc>,
    reported_upstream_on: Option<DateTime<Utc>>,
    resolved_on: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReadinessRow {
    items: serde_json::Value,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct StakeholderRow {
    id: RecordId,
    name: String,
    function: String,
}

/// The date of a timestamp in the workspace time zone.
fn local(ts: &DateTime<Utc>, tz: Tz) -> NaiveDate {
    ts.with_timezone(&tz).date_naive()
}

/// The date part of a stored calendar date (stored as midnight UTC).
fn day(ts: &DateTime<Utc>) -> NaiveDate {
    ts.date_naive()
}

fn num(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// Everything the read cache keeps of one project, as one consistent load: the revision
/// counters it was read at, the project row, members, sprints with their review and retro
/// status, and the plain signal inputs (dates in the workspace time zone).
pub struct LoadedProject {
    /// `revision:<key>` when the load began.
    pub revision: i64,
    /// `revision:⟨~directory⟩` when the load began.
    pub directory: i64,
    /// The workspace time zone the dates were converted with.
    pub time_zone: Tz,
    /// The project row.
    pub record: ProjectRecord,
    /// The highest sprint number ever given (numbers are never reused).
    pub last_sprint_number: u32,
    /// Members, by name.
    pub members: Vec<Member>,
    /// Sprints, newest first.
    pub sprints: Vec<SprintRecord>,
    /// (sprint number, outcome, held on) of each review.
    pub reviews: Vec<(u32, ReviewOutcome, NaiveDate)>,
    /// (sprint number, held on) of each retro.
    pub retros: Vec<(u32, Option<NaiveDate>)>,
    /// Feedback items still marked new.
    pub new_feedback: u64,
    /// The signal inputs.
    pub input: ProjectInput,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct HeadRow {
    revision: i64,
    directory: i64,
    time_zone: String,
    last_sprint_number: i64,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroStateRow {
    number: i64,
    held_on: Option<DateTime<Utc>>,
}

/// The statements of [`load_project`], in order; each reads by key or by the indexed
/// `project` field (`$id`), never another project's rows (a test checks their plans).
pub fn project_statements() -> Vec<String> {
    vec![
        format!(
            "RETURN {{
                 revision: type::record('revision', $key).n ?? 0,
                 directory: revision:⟨{DIRECTORY}⟩.n ?? 0,
                 time_zone: revision:⟨{DIRECTORY}⟩.time_zone ?? '',
                 last_sprint_number: $id.last_sprint_number ?? 0,
             }}"
        ),
        format!("SELECT {PROJECT_FIELDS} FROM ONLY $id"),
        "SELECT user, user.name AS name, user.email AS email, role FROM membership WHERE project = $id ORDER BY name ASC".to_string(),
        format!("SELECT {SPRINT_FIELDS} FROM sprint WHERE project = $id ORDER BY number DESC"),
        "SELECT record::id(sprint)[1] AS number, outcome, held_on, attendee_stakeholders FROM review WHERE project = $id".to_string(),
        "SELECT record::id(sprint)[1] AS number, held_on FROM retro WHERE project = $id".to_string(),
        "SELECT sprint_number, due_sprint, status, closed_on FROM action_item WHERE project = $id".to_string(),
        "SELECT scheduled_at, status, participants FROM interview WHERE project = $id".to_string(),
        "SELECT IF sprint != NONE THEN record::id(sprint)[1] ELSE NONE END AS sprint, submitted_at,
                stakeholder, author_function, author_name, channel, status FROM feedback WHERE project = $id".to_string(),
        "SELECT dataset, severity, opened_on, reported_upstream_on, resolved_on FROM dq_issue WHERE project = $id".to_string(),
        "SELECT items FROM readiness WHERE project = $id".to_string(),
    ]
}

/// The lookup of the stakeholders a project's rows mention (`$ids`: `stakeholder` records), the
/// last statement of a project load.
pub const PEOPLE_SQL: &str = "SELECT id, name, `function` FROM $ids";

/// Loads one project for the read cache: one round trip of statements that each read by key or
/// by the indexed `project` field (never another project's rows), and one key lookup for the
/// stakeholders they mention. `None` when the project does not exist.
///
/// The revision counters are read first: a write that lands during the load raises them, so
/// the next check sees a newer count and loads again.
pub async fn load_project(db: &Db, key: &str) -> AppResult<Option<LoadedProject>> {
    let id = rid("project", key);
    let sql = project_statements().join(";\n");
    let mut res = db
        .query(sql)
        .bind(("key", key.to_string()))
        .bind(("id", id))
        .await?
        .check()?;
    let head: Option<HeadRow> = res.take(0)?;
    let Some(record): Option<ProjectRecord> = res.take(1)? else {
        return Ok(None);
    };
    let members: Vec<MemberRow> = res.take(2)?;
    let sprints: Vec<SprintRecord> = res.take(3)?;
    let reviews: Vec<ReviewRow> = res.take(4)?;
    let retro_states: Vec<RetroStateRow> = res.take(5)?;
    let actions: Vec<ActionRow> = res.take(6)?;
    let interviews: Vec<InterviewRow> = res.take(7)?;
    let feedback: Vec<FeedbackRow> = res.take(8)?;
    let dq: Vec<DqRow> = res.take(9)?;
    let readiness: Vec<ReadinessRow> = res.take(10)?;
    let head = head.ok_or_else(domain::error::AppError::internal)?;
    let tz = parse_time_zone(&head.time_zone);
    let review_states: Vec<(u32, ReviewOutcome, NaiveDate)> = reviews
        .iter()
        .map(|r| {
            (
                num(r.number),
                r.outcome.parse().unwrap_or(ReviewOutcome::NoDecision),
                day(&r.held_on),
            )
        })
        .collect();
    let new_feedback = feedback.iter().filter(|f| f.status == "new").count() as u64;

    let retros: Vec<RetroRow> = retro_states
        .iter()
        .filter_map(|r| {
            r.held_on.map(|held_on| RetroRow {
                number: r.number,
                held_on,
            })
        })
        .collect();
    let input = build_input(
        db,
        &record,
        tz,
        Facts {
            sprints: &sprints,
            reviews,
            retros,
            actions,
            interviews,
            feedback,
            dq,
            readiness,
        },
    )
    .await?;
    Ok(Some(LoadedProject {
        revision: head.revision,
        directory: head.directory,
        time_zone: tz,
        last_sprint_number: num(head.last_sprint_number),
        members: members
            .into_iter()
            .map(|r| Member {
                user_id: key_of(&r.user),
                name: r.name,
                email: r.email,
                role: r.role.parse().unwrap_or_default(),
            })
            .collect(),
        reviews: review_states,
        retros: retro_states
            .into_iter()
            .map(|r| (num(r.number), r.held_on.as_ref().map(day)))
            .collect(),
        new_feedback,
        sprints,
        record,
        input,
    }))
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MemberRow {
    user: RecordId,
    name: String,
    email: String,
    role: String,
}

/// The dated facts of one project, as read.
struct Facts<'a> {
    sprints: &'a [SprintRecord],
    reviews: Vec<ReviewRow>,
    retros: Vec<RetroRow>,
    actions: Vec<ActionRow>,
    interviews: Vec<InterviewRow>,
    feedback: Vec<FeedbackRow>,
    dq: Vec<DqRow>,
    readiness: Vec<ReadinessRow>,
}

/// Builds the signal inputs of one project from its rows, looking up the stakeholders they
/// mention by key (one round trip).
async fn build_input(
    db: &Db,
    p: &ProjectRecord,
    tz: Tz,
    facts: Facts<'_>,
) -> AppResult<ProjectInput> {
    let Facts {
        sprints,
        reviews,
        retros,
        actions,
        interviews,
        feedback,
        dq,
        readiness,
    } = facts;
    // The stakeholders mentioned, by key lookup, deduplicated before the lookup.
    let mut wanted: HashMap<String, RecordId> = HashMap::new();
    let mentioned = reviews
        .iter()
        .flat_map(|r| r.attendee_stakeholders.iter())
        .chain(interviews.iter().flat_map(|i| i.participants.iter()))
        .chain(feedback.iter().filter_map(|f| f.stakeholder.as_ref()));
    for id in mentioned {
        wanted.entry(key_of(id)).or_insert_with(|| id.clone());
    }
    let people: HashMap<String, StakeholderRef> = if wanted.is_empty() {
        HashMap::new()
    } else {
        let wanted: Vec<RecordId> = wanted.into_values().collect();
        let mut res = db.query(PEOPLE_SQL).bind(("ids", wanted)).await?.check()?;
        let rows: Vec<StakeholderRow> = res.take(0)?;
        rows.into_iter()
            .map(|r| {
                let person = StakeholderRef::new(
                    key_of(&r.id),
                    r.name,
                    r.function.parse().unwrap_or_default(),
                );
                (key_of(&r.id), person)
            })
            .collect()
    };
    let person = |id: &RecordId| {
        people
            .get(&key_of(id))
            .cloned()
            .unwrap_or_else(|| StakeholderRef::new(key_of(id), "", domain::format::Function::Other))
    };

    let mut input = ProjectInput::new(p.key.clone(), p.name.clone(), p.started_on);
    input.status = p.status.parse().unwrap_or_default();
    input.target_iteration_days = num(p.target_iteration_days);
    input.contact_threshold_days = num(p.contact_threshold_days);
    input.ml_needed = p.ml_needed.parse().unwrap_or_default();
    input.baseline_considered = p.baseline_considered.clone();
    input.readiness_total = u32::try_from(READINESS_KEYS.len()).unwrap_or(8);

    let mut retro_items: HashMap<u32, Vec<ActionItemInput>> = HashMap::new();
    for a in actions {
        retro_items
            .entry(num(a.sprint_number))
            .or_default()
            .push(ActionItemInput {
                due_sprint: Some(num(a.due_sprint)),
                status: a.status.parse().unwrap_or_default(),
                closed_on: a.closed_on.as_ref().map(day),
            });
    }
    // Sprints in number order, as the signals expect them loaded.
    let mut ordered: Vec<&SprintRecord> = sprints.iter().collect();
    ordered.sort_by_key(|s| s.number);
    for s in ordered {
        input.sprints.push(SprintInput {
            number: num(s.number),
            start_on: s.start_on,
            end_on: s.end_on,
        });
    }
    for r in reviews {
        input.reviews.push(ReviewInput {
            sprint: num(r.number),
            held_on: day(&r.held_on),
            attendees: r.attendee_stakeholders.iter().map(person).collect(),
        });
    }
    for r in retros {
        let number = num(r.number);
        input.retros.push(RetroInput {
            sprint: number,
            held_on: day(&r.held_on),
            action_items: retro_items.remove(&number).unwrap_or_default(),
        });
    }
    for i in interviews {
        input.interviews.push(InterviewInput {
            on: local(&i.scheduled_at, tz),
            status: i.status.parse().unwrap_or_default(),
            participants: i.participants.iter().map(person).collect(),
        });
    }
    for f in feedback {
        input.feedback.push(FeedbackInput {
            sprint: f.sprint.map(num),
            submitted_on: local(&f.submitted_at, tz),
            stakeholder: f.stakeholder.as_ref().map(person),
            author_function: f.author_function.and_then(|s| s.parse().ok()),
            author_name: f.author_name,
            channel: f.channel.parse().unwrap_or_default(),
        });
    }
    for d in dq {
        input.dq_issues.push(DqIssueInput {
            dataset: d.dataset,
            severity: d
                .severity
                .parse()
                .unwrap_or(domain::format::DqSeverity::Low),
            opened_on: day(&d.opened_on),
            reported_upstream_on: d.reported_upstream_on.as_ref().map(day),
            resolved_on: d.resolved_on.as_ref().map(day),
        });
    }
    if let Some(r) = readiness.first() {
        let done = READINESS_KEYS
            .iter()
            .filter(|k| {
                r.items
                    .get(**k)
                    .and_then(|i| i.get("done"))
                    .and_then(serde_json::Value::as_bool)
                    == Some(true)
            })
            .count();
        input.readiness_done = u32::try_from(done).unwrap_or(0);
    }
    Ok(input)
}

/// Every project (key, name, status) by name, and the keys of each user's projects, with the
/// catalog counter read first.
pub struct LoadedCatalog {
    /// `revision:⟨~catalog⟩` when the load began.
    pub revision: i64,
    /// (key, name, status) of every project, by name.
    pub projects: Vec<(String, String, String)>,
    /// User id → keys of their projects.
    pub member_of: HashMap<String, Vec<String>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CatalogRow {
    key: String,
    name: String,
    status: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MembershipRow {
    user: String,
    project: String,
}

/// Loads the catalog: two scans of small tables (projects and memberships).
pub async fn load_catalog(db: &Db) -> AppResult<LoadedCatalog> {
    let mut res = db
        .query(format!(
            "RETURN revision:⟨{CATALOG}⟩.n ?? 0;
             SELECT key, name, status FROM project ORDER BY name ASC;
             SELECT record::id(user) AS user, record::id(project) AS project FROM membership;"
        ))
        .await?
        .check()?;
    let revision: Option<i64> = res.take(0)?;
    let projects: Vec<CatalogRow> = res.take(1)?;
    let memberships: Vec<MembershipRow> = res.take(2)?;
    let mut member_of: HashMap<String, Vec<String>> = HashMap::new();
    for m in memberships {
        member_of.entry(m.user).or_default().push(m.project);
    }
    Ok(LoadedCatalog {
        revision: revision.unwrap_or(0),
        projects: projects
            .into_iter()
            .map(|p| (p.key, p.name, p.status))
            .collect(),
        member_of,
    })
}
