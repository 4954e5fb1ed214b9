//! The rows of one project as the import writes them: the format turned into records.

use super::*;

fn dedup(ids: impl Iterator<Item = RecordId>) -> Vec<RecordId> {
    let mut out: Vec<RecordId> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The rows of one project, in the order they are written, and their counts in `summary`.
pub(super) fn rows_of(
    plan: &Plan,
    p: &Project,
    summary: &mut ImportSummary,
) -> Result<Vec<(usize, Value)>, ImportError> {
    let now = plan.now;
    let mut out: Vec<(usize, Value)> = Vec::new();
    let user_ref = |id: &str| plan.users.get(id).cloned();
    let person = |id: &str| plan.stakeholders.get(id).cloned();
    let needs_user = || {
        ImportError::Invalid(vec![ImportIssue::new(
            format!("projects.{}", p.key),
            "needs a user to record its retro items and issues, and the workspace has none",
        )])
    };
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
        .or_else(|| plan.any_user.clone());
    let last = p.sprints.iter().map(|s| s.number).max().unwrap_or(0);
    out.push((
        PROJECT,
        NewProjectRow {
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
        }
        .into_value(),
    ));
    summary.projects += 1;
    for (u, role) in &members {
        out.push((
            MEMBERSHIP,
            NewMembershipRow {
                id: membership_id(key, &key_of(u)),
                project: project.clone(),
                user: u.clone(),
                role: role.as_str().to_string(),
                created_at: now,
            }
            .into_value(),
        ));
    }
    summary.memberships += members.len();
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
        out.push((
            READINESS,
            NewReadinessRow {
                id: rid("readiness", key),
                project: project.clone(),
                items,
                created_at: now,
                updated_at: now,
            }
            .into_value(),
        ));
        summary.readiness += 1;
    }
    for s in &p.sprints {
        let sid = sprint_id(key, s.number);
        out.push((
            SPRINT,
            NewSprintRow {
                id: sid.clone(),
                project: project.clone(),
                number: i64::from(s.number),
                name: if s.name.trim().is_empty() {
                    domain::sprints::default_sprint_name(s.number)
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
            }
            .into_value(),
        ));
        summary.sprints += 1;
        if let Some(r) = &s.review {
            out.push((
                REVIEW,
                ReviewRow {
                    id: review_id(key, s.number),
                    project: project.clone(),
                    sprint: sid.clone(),
                    held_on: r.held_on,
                    attendee_users: dedup(r.attendee_users.iter().filter_map(|u| user_ref(u))),
                    attendee_stakeholders: dedup(
                        r.attendee_stakeholders.iter().filter_map(|x| person(x)),
                    ),
                    summary: r.summary.clone(),
                    decisions: r.decisions.clone(),
                    outcome: r
                        .outcome
                        .unwrap_or(format::ReviewOutcome::NoDecision)
                        .as_str()
                        .to_string(),
                    created_at: now,
                    updated_at: now,
                }
                .into_value(),
            ));
            summary.reviews += 1;
        }
        if let Some(r) = &s.retro {
            let retro = retro_id(key, s.number);
            out.push((
                RETRO,
                RetroRow {
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
                }
                .into_value(),
            ));
            summary.retros += 1;
            if !r.items.is_empty() {
                let creator = creator.clone().ok_or_else(needs_user)?;
                for item in &r.items {
                    out.push((
                        RETRO_ITEM,
                        RetroItemRow {
                            id: rid("retro_item", &new_key()),
                            project: project.clone(),
                            retro: retro.clone(),
                            column: item.column.as_str().to_string(),
                            text: item.text.trim().to_string(),
                            votes: i64::from(item.votes),
                            created_by: creator.clone(),
                            created_at: now,
                        }
                        .into_value(),
                    ));
                    summary.retro_items += 1;
                }
            }
            for a in &r.action_items {
                out.push((
                    ACTION_ITEM,
                    ActionRow {
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
                    }
                    .into_value(),
                ));
                summary.action_items += 1;
            }
        }
    }
    for i in &p.interviews {
        out.push((
            INTERVIEW,
            InterviewRow {
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
                    .unwrap_or(&plan.zone)
                    .to_string(),
                duration_min: i64::from(
                    i.duration_min
                        .unwrap_or(domain::interviews::DEFAULT_DURATION),
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
            }
            .into_value(),
        ));
        summary.interviews += 1;
    }
    for f in &p.feedback {
        let response = f.response.clone().filter(|r| !r.trim().is_empty());
        out.push((
            FEEDBACK,
            FeedbackRow {
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
                responded_at: response.as_ref().map(|_| now),
                response,
                created_at: now,
                updated_at: now,
            }
            .into_value(),
        ));
        summary.feedback += 1;
    }
    for d in &p.dq_issues {
        let reporter = d
            .reporter
            .as_deref()
            .and_then(user_ref)
            .or_else(|| creator.clone())
            .ok_or_else(needs_user)?;
        out.push((
            DQ_ISSUE,
            DqRow {
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
            }
            .into_value(),
        ));
        summary.dq_issues += 1;
    }
    Ok(out)
}
