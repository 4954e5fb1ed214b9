//! Builds signal inputs from the workspace format, turning timestamps into dates in the
//! workspace time zone. This is the only place in the signals that uses `chrono-tz`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::input::{
    ActionItemInput, DqIssueInput, FeedbackInput, InterviewInput, ProjectInput, RetroInput,
    ReviewInput, SprintInput, StakeholderRef,
};
use crate::format::{Project, READINESS_KEYS, Stakeholder, Workspace};

/// The directory, by id.
type Directory<'a> = HashMap<&'a str, &'a Stakeholder>;

/// Converts every project of a workspace into signal inputs, in the workspace's order.
///
/// Timestamps become their dates in `settings.time_zone`. Fails, naming the JSON path, on an
/// unknown time zone or a reference to a stakeholder that is not in the directory.
pub fn inputs_from_workspace(ws: &Workspace) -> Result<Vec<ProjectInput>, String> {
    let zone: Tz = ws.settings.time_zone.parse().map_err(|_| {
        format!(
            "settings.time_zone: unknown time zone `{}`",
            ws.settings.time_zone
        )
    })?;
    let directory: Directory<'_> = ws.stakeholders.iter().map(|s| (s.id.as_str(), s)).collect();
    ws.projects
        .iter()
        .enumerate()
        .map(|(index, project)| convert(project, &format!("projects[{index}]"), &directory, zone))
        .collect()
}

fn local_date(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

fn person(directory: &Directory<'_>, id: &str, path: &str) -> Result<StakeholderRef, String> {
    directory
        .get(id)
        .map(|s| StakeholderRef::new(s.id.clone(), s.name.clone(), s.function))
        .ok_or_else(|| format!("{path}: unknown stakeholder `{id}`"))
}

fn people(
    directory: &Directory<'_>,
    ids: &[String],
    path: &str,
) -> Result<Vec<StakeholderRef>, String> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| person(directory, id, &format!("{path}[{i}]")))
        .collect()
}

fn convert(
    project: &Project,
    path: &str,
    directory: &Directory<'_>,
    zone: Tz,
) -> Result<ProjectInput, String> {
    let mut input = ProjectInput::new(
        project.key.clone(),
        project.name.clone(),
        project.started_on,
    );
    input.status = project.status;
    input.target_iteration_days = project.target_iteration_days;
    input.contact_threshold_days = project.contact_threshold_days;
    input.ml_needed = project.ml_needed;
    input.baseline_considered = project.baseline_considered.clone();
    input.readiness_done = project.readiness_done();
    input.readiness_total = u32::try_from(READINESS_KEYS.len()).unwrap_or(u32::MAX);

    for (i, sprint) in project.sprints.iter().enumerate() {
        input.sprints.push(SprintInput {
            number: sprint.number,
            start_on: sprint.start_on,
            end_on: sprint.end_on,
        });
        if let Some(review) = &sprint.review {
            input.reviews.push(ReviewInput {
                sprint: sprint.number,
                held_on: review.held_on,
                attendees: people(
                    directory,
                    &review.attendee_stakeholders,
                    &format!("{path}.sprints[{i}].review.attendee_stakeholders"),
                )?,
            });
        }
        if let Some(retro) = &sprint.retro {
            input.retros.push(RetroInput {
                sprint: sprint.number,
                held_on: retro.held_on,
                action_items: retro
                    .action_items
                    .iter()
                    .map(|item| ActionItemInput {
                        due_sprint: item.due_sprint,
                        status: item.status,
                        closed_on: item.closed_on,
                    })
                    .collect(),
            });
        }
    }

    for (i, interview) in project.interviews.iter().enumerate() {
        input.interviews.push(InterviewInput {
            on: local_date(interview.scheduled_at, zone),
            status: interview.status,
            participants: people(
                directory,
                &interview.participants,
                &format!("{path}.interviews[{i}].participants"),
            )?,
        });
    }

    input.feedback.reserve(project.feedback.len());
    for (i, item) in project.feedback.iter().enumerate() {
        let stakeholder = match &item.stakeholder {
            Some(id) => Some(person(
                directory,
                id,
                &format!("{path}.feedback[{i}].stakeholder"),
            )?),
            None => None,
        };
        input.feedback.push(FeedbackInput {
            sprint: item.sprint,
            submitted_on: local_date(item.submitted_at, zone),
            stakeholder,
            author_function: item.author_function,
            author_name: item.author_name.clone(),
            channel: item.channel,
        });
    }

    input.dq_issues = project
        .dq_issues
        .iter()
        .map(|issue| DqIssueInput {
            dataset: issue.dataset.clone(),
            severity: issue.severity,
            opened_on: issue.opened_on,
            reported_upstream_on: issue.reported_upstream_on,
            resolved_on: issue.resolved_on,
        })
        .collect();
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Function, InterviewStatus, ProjectStatus};
    use crate::signals::{FlagCode, compute};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn workspace(zone: &str) -> Workspace {
        let json = format!(
            r#"{{
            "format": "touchpoint-workspace", "version": 1,
            "settings": {{ "time_zone": "{zone}" }},
            "stakeholders": [
              {{ "id": "s1", "name": "Ward Nurse One", "function": "end_user" }},
              {{ "id": "s2", "name": "", "function": "data_owner" }}
            ],
            "projects": [ {{
              "id": "p1", "key": "demo", "name": "Demo", "started_on": "2026-01-05",
              "status": "discovery", "contact_threshold_days": 20, "ml_needed": "no",
              "readiness": {{ "containerized": {{ "done": true }}, "security_review": {{ "done": true }},
                             "monitoring_plan": {{ "done": false }} }},
              "sprints": [ {{ "number": 1, "start_on": "2026-01-05", "end_on": "2026-01-18",
                 "review": {{ "held_on": "2026-01-19", "attendee_stakeholders": ["s1", "s2"] }},
                 "retro": {{ "held_on": "2026-01-19",
                   "action_items": [ {{ "due_sprint": 2, "status": "done", "closed_on": "2026-01-25" }} ] }} }} ],
              "interviews": [ {{ "id": "i1", "participants": ["s1"],
                 "scheduled_at": "2026-03-01T03:00:00Z", "status": "completed" }} ],
              "feedback": [
                {{ "id": "f1", "sprint": 1, "stakeholder": "s2", "submitted_at": "2026-01-16T04:59:00Z" }},
                {{ "id": "f2", "sprint": null, "author_name": "Guest", "author_function": "end_user",
                   "channel": "link", "submitted_at": "2026-01-16T05:00:00Z" }}
              ],
              "dq_issues": [ {{ "id": "d1", "dataset": "admissions", "severity": "high",
                 "opened_on": "2026-02-01", "reported_upstream_on": null, "status": "open" }} ]
            }} ]
        }}"#
        );
        serde_json::from_str(&json).expect("workspace")
    }

    #[test]
    fn timestamps_become_dates_in_the_workspace_zone() {
        let inputs = inputs_from_workspace(&workspace("America/New_York")).expect("inputs");
        let p = &inputs[0];
        // 03:00 UTC on March 1st is still February 28th in New York.
        assert_eq!(p.interviews[0].on, d("2026-02-28"));
        assert_eq!(p.interviews[0].status, InterviewStatus::Completed);
        // 04:59 UTC is 23:59 the day before (EST, UTC−5); 05:00 UTC is midnight.
        assert_eq!(p.feedback[0].submitted_on, d("2026-01-15"));
        assert_eq!(p.feedback[1].submitted_on, d("2026-01-16"));
        let utc = inputs_from_workspace(&workspace("UTC")).expect("inputs");
        assert_eq!(utc[0].interviews[0].on, d("2026-03-01"));
        assert_eq!(utc[0].feedback[0].submitted_on, d("2026-01-16"));
        // The last contact follows the zone.
        let ny = compute(p, d("2026-03-01"));
        assert_eq!(ny.end_user_contact.last_contact_on, Some(d("2026-02-28")));
        assert_eq!(ny.end_user_contact.days_since, Some(1));
        let at_utc = compute(&utc[0], d("2026-02-28"));
        assert_eq!(
            at_utc.end_user_contact.last_contact_on,
            Some(d("2026-01-19"))
        );
    }

    #[test]
    fn project_fields_and_references_are_resolved() {
        let inputs = inputs_from_workspace(&workspace("UTC")).expect("inputs");
        let p = &inputs[0];
        assert_eq!(p.key, "demo");
        assert_eq!(p.status, ProjectStatus::Discovery);
        assert_eq!(p.target_iteration_days, 14);
        assert_eq!(p.contact_threshold_days, 20);
        assert_eq!((p.readiness_done, p.readiness_total), (2, 8));
        assert_eq!(p.sprints.len(), 1);
        assert_eq!(
            p.reviews[0].attendees[0],
            StakeholderRef::new("s1", "Ward Nurse One", Function::EndUser)
        );
        assert_eq!(
            p.reviews[0].attendees[1].display(),
            "an unnamed stakeholder (Data owner)"
        );
        assert_eq!(p.retros[0].action_items[0].due_sprint, Some(2));
        assert_eq!(p.feedback[0].function(), Function::DataOwner);
        assert_eq!(p.feedback[1].function(), Function::EndUser);
        assert_eq!(
            p.feedback[1].author_display(),
            "Guest (not in the directory)"
        );
        assert_eq!(p.dq_issues[0].reported_upstream_on, None);
        let s = compute(p, d("2026-03-15"));
        assert!(
            s.end_user_contact
                .flags
                .iter()
                .any(|f| f.code == FlagCode::NoUpcomingInterview)
        );
    }

    #[test]
    fn errors_name_the_path() {
        let mut ws = workspace("Mars/Olympus");
        assert_eq!(
            inputs_from_workspace(&ws),
            Err("settings.time_zone: unknown time zone `Mars/Olympus`".to_owned())
        );
        ws.settings.time_zone = "UTC".into();
        ws.projects[0].interviews[0]
            .participants
            .push("s404".into());
        assert_eq!(
            inputs_from_workspace(&ws),
            Err("projects[0].interviews[0].participants[1]: unknown stakeholder `s404`".to_owned())
        );
    }
}
