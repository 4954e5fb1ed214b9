//! Loads the plain signal inputs of one or many projects in a fixed number of queries: one
//! round trip for the dated facts (each statement filtered by the indexed `project` field) and
//! one key lookup for the stakeholders they mention. No per-project or per-row round trips.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{RecordId, SurrealValue};

use crate::db::{key_of, rid};
use crate::error::AppResult;
use crate::format::READINESS_KEYS;
use crate::signals::{
    ActionItemInput, DqIssueInput, FeedbackInput, InterviewInput, ProjectInput, RetroInput,
    ReviewInput, SprintInput, StakeholderRef,
};

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ProjectRow {
    id: RecordId,
    name: String,
    status: String,
    started_on: NaiveDate,
    target_iteration_days: i64,
    contact_threshold_days: i64,
    ml_needed: String,
    baseline_considered: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SprintRow {
    project: RecordId,
    number: i64,
    start_on: NaiveDate,
    end_on: NaiveDate,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReviewRow {
    project: RecordId,
    number: i64,
    held_on: DateTime<Utc>,
    attendee_stakeholders: Vec<RecordId>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct RetroRow {
    project: RecordId,
    number: i64,
    held_on: DateTime<Utc>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ActionRow {
    project: RecordId,
    sprint_number: i64,
    due_sprint: i64,
    status: String,
    closed_on: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct InterviewRow {
    project: RecordId,
    scheduled_at: DateTime<Utc>,
    status: String,
    participants: Vec<RecordId>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct FeedbackRow {
    project: RecordId,
    sprint: Option<i64>,
    submitted_at: DateTime<Utc>,
    stakeholder: Option<RecordId>,
    author_function: Option<String>,
    author_name: Option<String>,
    channel: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DqRow {
    project: RecordId,
    dataset: String,
    severity: String,
    opened_on: DateTime<Utc>,
    reported_upstream_on: Option<DateTime<Utc>>,
    resolved_on: Option<DateTime<Utc>>,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ReadinessRow {
    project: RecordId,
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

/// Loads the signal inputs of the given projects (keys that do not exist are skipped), in the
/// order of `keys`.
pub async fn load_inputs(
    db: &Surreal<Any>,
    keys: &[String],
    tz: Tz,
) -> AppResult<Vec<ProjectInput>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<RecordId> = keys.iter().map(|k| rid("project", k)).collect();
    // One project: equality on the indexed field; several: membership in the id list.
    let filter = if ids.len() == 1 {
        "project = $id"
    } else {
        "project IN $ids"
    };
    let sql = format!(
        "SELECT id, name, status, started_on, target_iteration_days, contact_threshold_days, ml_needed, baseline_considered FROM $ids;
         SELECT project, number, start_on, end_on FROM sprint WHERE {filter};
         SELECT project, record::id(sprint)[1] AS number, held_on, attendee_stakeholders FROM review WHERE {filter};
         SELECT project, record::id(sprint)[1] AS number, held_on FROM retro WHERE {filter} AND held_on != NONE;
         SELECT project, sprint_number, due_sprint, status, closed_on FROM action_item WHERE {filter};
         SELECT project, scheduled_at, status, participants FROM interview WHERE {filter};
         SELECT project, IF sprint != NONE THEN record::id(sprint)[1] ELSE NONE END AS sprint, submitted_at,
                stakeholder, author_function, author_name, channel FROM feedback WHERE {filter};
         SELECT project, dataset, severity, opened_on, reported_upstream_on, resolved_on FROM dq_issue WHERE {filter};
         SELECT project, items FROM readiness WHERE {filter};"
    );
    let first = ids.first().cloned();
    let mut res = db
        .query(sql)
        .bind(("ids", ids))
        .bind(("id", first))
        .await?
        .check()?;
    let projects: Vec<ProjectRow> = res.take(0)?;
    let sprints: Vec<SprintRow> = res.take(1)?;
    let reviews: Vec<ReviewRow> = res.take(2)?;
    let retros: Vec<RetroRow> = res.take(3)?;
    let actions: Vec<ActionRow> = res.take(4)?;
    let interviews: Vec<InterviewRow> = res.take(5)?;
    let feedback: Vec<FeedbackRow> = res.take(6)?;
    let dq: Vec<DqRow> = res.take(7)?;
    let readiness: Vec<ReadinessRow> = res.take(8)?;

    // The stakeholders mentioned, by key lookup.
    // Keyed by the record key (ids of one table), deduplicated before the lookup.
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
        let mut res = db
            .query("SELECT id, name, `function` FROM $ids")
            .bind(("ids", wanted))
            .await?
            .check()?;
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
            .unwrap_or_else(|| StakeholderRef::new(key_of(id), "", crate::format::Function::Other))
    };

    let mut by_key: HashMap<String, ProjectInput> = HashMap::with_capacity(projects.len());
    for p in projects {
        let key = key_of(&p.id);
        let mut input = ProjectInput::new(key.clone(), p.name, p.started_on);
        input.status = p.status.parse().unwrap_or_default();
        input.target_iteration_days = num(p.target_iteration_days);
        input.contact_threshold_days = num(p.contact_threshold_days);
        input.ml_needed = p.ml_needed.parse().unwrap_or_default();
        input.baseline_considered = p.baseline_considered;
        input.readiness_total = u32::try_from(READINESS_KEYS.len()).unwrap_or(8);
        by_key.insert(key, input);
    }
    let mut retro_items: HashMap<(String, u32), Vec<ActionItemInput>> = HashMap::new();
    for a in actions {
        retro_items
            .entry((key_of(&a.project), num(a.sprint_number)))
            .or_default()
            .push(ActionItemInput {
                due_sprint: Some(num(a.due_sprint)),
                status: a.status.parse().unwrap_or_default(),
                closed_on: a.closed_on.as_ref().map(day),
            });
    }
    for s in sprints {
        if let Some(p) = by_key.get_mut(&key_of(&s.project)) {
            p.sprints.push(SprintInput {
                number: num(s.number),
                start_on: s.start_on,
                end_on: s.end_on,
            });
        }
    }
    for r in reviews {
        if let Some(p) = by_key.get_mut(&key_of(&r.project)) {
            p.reviews.push(ReviewInput {
                sprint: num(r.number),
                held_on: day(&r.held_on),
                attendees: r.attendee_stakeholders.iter().map(person).collect(),
            });
        }
    }
    for r in retros {
        let key = key_of(&r.project);
        let number = num(r.number);
        let items = retro_items
            .remove(&(key.clone(), number))
            .unwrap_or_default();
        if let Some(p) = by_key.get_mut(&key) {
            p.retros.push(RetroInput {
                sprint: number,
                held_on: day(&r.held_on),
                action_items: items,
            });
        }
    }
    for i in interviews {
        if let Some(p) = by_key.get_mut(&key_of(&i.project)) {
            p.interviews.push(InterviewInput {
                on: local(&i.scheduled_at, tz),
                status: i.status.parse().unwrap_or_default(),
                participants: i.participants.iter().map(person).collect(),
            });
        }
    }
    for f in feedback {
        if let Some(p) = by_key.get_mut(&key_of(&f.project)) {
            p.feedback.push(FeedbackInput {
                sprint: f.sprint.map(num),
                submitted_on: local(&f.submitted_at, tz),
                stakeholder: f.stakeholder.as_ref().map(person),
                author_function: f.author_function.and_then(|s| s.parse().ok()),
                author_name: f.author_name,
                channel: f.channel.parse().unwrap_or_default(),
            });
        }
    }
    for d in dq {
        if let Some(p) = by_key.get_mut(&key_of(&d.project)) {
            p.dq_issues.push(DqIssueInput {
                dataset: d.dataset,
                severity: d.severity.parse().unwrap_or(crate::format::DqSeverity::Low),
                opened_on: day(&d.opened_on),
                reported_upstream_on: d.reported_upstream_on.as_ref().map(day),
                resolved_on: d.resolved_on.as_ref().map(day),
            });
        }
    }
    for r in readiness {
        if let Some(p) = by_key.get_mut(&key_of(&r.project)) {
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
            p.readiness_done = u32::try_from(done).unwrap_or(0);
        }
    }
    Ok(keys.iter().filter_map(|k| by_key.remove(k)).collect())
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct AttributeRow {
    attributes: serde_json::Value,
}

/// Counts each self-described attribute value over consenting, non-erased stakeholders linked
/// to any of the projects; counts below the threshold are suppressed. Returns the counts and
/// how many stakeholders consented.
pub async fn attribute_counts(
    db: &Surreal<Any>,
    keys: &[String],
) -> AppResult<(Vec<super::AttributeCounts>, u32)> {
    let ids: Vec<RecordId> = keys.iter().map(|k| rid("project", k)).collect();
    let mut res = db
        .query(
            "SELECT attributes FROM stakeholder
             WHERE consented_on != NONE AND erased_at = NONE AND merged_into = NONE
               AND projects CONTAINSANY $ids",
        )
        .bind(("ids", ids))
        .await?
        .check()?;
    let rows: Vec<AttributeRow> = res.take(0)?;
    let consenting = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let mut counts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u32>> =
        std::collections::BTreeMap::new();
    for row in rows {
        if let Some(map) = row.attributes.as_object() {
            for (dimension, value) in map {
                if let Some(value) = value.as_str().map(str::trim).filter(|v| !v.is_empty()) {
                    *counts
                        .entry(dimension.clone())
                        .or_default()
                        .entry(value.to_string())
                        .or_default() += 1;
                }
            }
        }
    }
    Ok((
        counts
            .into_iter()
            .map(|(dimension, values)| super::AttributeCounts {
                dimension,
                values: values
                    .into_iter()
                    .map(|(v, c)| (v, super::suppress(c)))
                    .collect(),
            })
            .collect(),
        consenting,
    ))
}
