//! Export: the whole workspace read back into the format, project by project.

use super::*;

pub(super) async fn select_all<T: SurrealValue>(db: &Db, sql: &str) -> AppResult<Vec<T>> {
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
