//! Demo data: a small, believable workspace in which every signal state appears, and the large
//! generated workspace for trying Touchpoint at scale.
//!
//! All names, organisations and texts are invented. Dates are relative to `today`, so the demo
//! looks the same whenever it is loaded.

use crate::db::Db;
use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

use super::{ImportError, ImportSummary, import, import_generated};
use domain::error::{AppError, AppResult};
use domain::format::generate::Sizes;
use domain::format::*;

mod people;
mod projects;

/// How much demo data to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemoScale {
    /// About seven hand-made projects showing every signal state.
    Normal,
    /// The generated benchmark workspace (200 projects, 5,000 sprints, 50,000 feedback items,
    /// 10,000 interviews).
    Large,
    /// The large workspace with N projects (1 to [`MAX_DEMO_PROJECTS`]) and the same users and
    /// stakeholders: its first 200 projects are those of [`DemoScale::Large`], and fewer are
    /// its first N (the benchmark compares a report at 20 and at 200 projects with it).
    LargeFirst(usize),
}

/// The most projects `touchpoint demo --scale large --projects N` makes.
pub const MAX_DEMO_PROJECTS: usize = 10_000;

/// What loading the demo did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSummary {
    /// What was imported.
    pub import: ImportSummary,
    /// The demo administrator's email.
    pub admin_email: String,
    /// The demo administrator's new random password (shown once).
    pub admin_password: String,
    /// Whether the administrator was created now (false: an existing one got a new password).
    pub admin_created: bool,
}

/// The demo administrator's email.
pub const DEMO_ADMIN_EMAIL: &str = "demo-admin@example.org";

/// The seed of the large demo workspace.
pub const LARGE_SEED: u64 = 20_261_129;

/// Imports the demo data (see [`DemoScale`]) and creates the demo administrator
/// `demo-admin@example.org` with a new random password, or gives the existing one a new random
/// password. Returns the password so that the caller can show it once.
pub async fn load_demo(db: &Db, scale: DemoScale) -> AppResult<DemoSummary> {
    let today = crate::workspace::today(db).await?;
    // The generated workspaces are made and written project by project, never whole in memory.
    let result = match scale {
        DemoScale::Normal => import(db, &demo_workspace(today), false).await,
        DemoScale::Large => import_generated(db, &Sizes::LARGE, LARGE_SEED, today).await,
        DemoScale::LargeFirst(projects) => {
            let sizes = Sizes {
                projects: projects.clamp(1, MAX_DEMO_PROJECTS),
                ..Sizes::LARGE
            };
            import_generated(db, &sizes, LARGE_SEED, today).await
        }
    };
    let import = match result {
        Ok(summary) => summary,
        Err(ImportError::Db(e)) => return Err(e),
        Err(ImportError::Invalid(issues)) => {
            let text = issues
                .iter()
                .take(5)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(AppError::Conflict(format!(
                "The demo data cannot be loaded into this workspace: {text}"
            )));
        }
    };
    // A random password: 32 URL-safe characters from 192 random bits.
    let password: String = crate::secrets::new_token().chars().take(32).collect();
    let repo = crate::auth::AuthRepo::new(db.clone());
    let hash = crate::secrets::hash_password(password.clone()).await?;
    let admin_created = match repo.user_by_email(DEMO_ADMIN_EMAIL).await? {
        Some(existing) => {
            repo.set_password(&existing.key(), &hash, false).await?;
            repo.set_role(&existing.key(), domain::auth::Role::Admin)
                .await?;
            false
        }
        None => {
            repo.create_user(crate::auth::NewUser {
                email: DEMO_ADMIN_EMAIL,
                name: "Demo Admin",
                password_hash: Some(&hash),
                role: domain::auth::Role::Admin,
                must_change_password: false,
            })
            .await?;
            true
        }
    };
    Ok(DemoSummary {
        import,
        admin_email: DEMO_ADMIN_EMAIL.to_string(),
        admin_password: password,
        admin_created,
    })
}

// ---- the hand-made workspace -------------------------------------------------------------------

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default())
}

fn s(text: &str) -> String {
    text.to_string()
}

fn user(id: &str, name: &str, email: &str, role: WorkspaceRole) -> User {
    User {
        id: s(id),
        email: s(email),
        name: s(name),
        role,
        active: true,
    }
}

#[allow(clippy::too_many_arguments)]
fn person(
    id: &str,
    name: &str,
    email: Option<&str>,
    organization: &str,
    title: &str,
    function: Function,
    projects: &[&str],
    notes: &str,
) -> Stakeholder {
    Stakeholder {
        id: s(id),
        name: s(name),
        email: email.map(s),
        organization: s(organization),
        title: s(title),
        function,
        projects: projects.iter().map(|p| s(p)).collect(),
        attributes: Default::default(),
        consented_on: None,
        notes: s(notes),
    }
}

/// Builds one project's dated records relative to `today`.
struct Builder {
    today: NaiveDate,
    next_feedback: usize,
    next_interview: usize,
    next_issue: usize,
    /// The highest sprint number of the project being built.
    last_sprint: u32,
}

/// One planned sprint: length in days, gap after the previous one, review (attendee
/// stakeholders) and whether a retro was held.
struct SprintPlan {
    len: i64,
    gap: i64,
    review: Option<Vec<&'static str>>,
    retro: bool,
}

fn plan(len: i64, review: Option<Vec<&'static str>>, retro: bool) -> SprintPlan {
    SprintPlan {
        len,
        gap: 0,
        review,
        retro,
    }
}

impl Builder {
    fn day(&self, offset: i64) -> NaiveDate {
        self.today + Duration::days(offset)
    }

    /// Sprints from `start`, numbered from 1, with goals from `goals` (cycled).
    fn sprints(
        &self,
        start: NaiveDate,
        plans: Vec<SprintPlan>,
        goals: &[&str],
        team: &[&str],
    ) -> Vec<Sprint> {
        let mut out = Vec::new();
        let mut day = start;
        for (i, p) in plans.into_iter().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(1);
            day += Duration::days(p.gap);
            let start_on = day;
            let end_on = start_on + Duration::days(p.len - 1);
            day = end_on + Duration::days(1);
            let finished = end_on < self.today;
            let goal = goals[i % goals.len()];
            let review = p.review.filter(|_| finished).map(|attendees| Review {
                held_on: end_on + Duration::days(1),
                attendee_users: team.iter().take(2).map(|u| s(u)).collect(),
                attendee_stakeholders: attendees.iter().map(|x| s(x)).collect(),
                summary: format!("Demo: {}.", goal.to_lowercase()),
                decisions: s("Keep the scope; follow up on the open questions next sprint."),
                outcome: Some(if i % 3 == 2 {
                    ReviewOutcome::ChangesRequested
                } else {
                    ReviewOutcome::Accepted
                }),
            });
            let retro = (p.retro && finished).then(|| self.retro(i, end_on, number, team));
            out.push(Sprint {
                number,
                name: format!("Sprint {number}"),
                goal: s(goal),
                start_on,
                end_on,
                committed: Some(8 + u32::try_from(i % 4).unwrap_or(0)),
                completed: finished.then(|| 6 + u32::try_from(i % 5).unwrap_or(0)),
                notes: String::new(),
                review,
                retro,
            });
        }
        out
    }

    fn retro(&self, i: usize, end_on: NaiveDate, number: u32, team: &[&str]) -> Retro {
        let format = RetroFormat::ALL[i % RetroFormat::ALL.len()];
        let texts = [
            "Pairing with the data owner unblocked the extract",
            "Reviews ran long; we demoed too many small things",
            "Invite two end users to every review",
            "The test environment kept timing out",
            "Keep writing down decisions in the review",
        ];
        let items = format
            .columns()
            .iter()
            .enumerate()
            .map(|(k, column)| RetroItem {
                column: *column,
                text: s(texts[(i + k) % texts.len()]),
                votes: u32::try_from((i + k) % 4).unwrap_or(0),
            })
            .collect();
        let closed = end_on + Duration::days(9);
        let status = if closed < self.today {
            if i % 4 == 3 {
                ActionStatus::Dropped
            } else {
                ActionStatus::Done
            }
        } else {
            ActionStatus::Open
        };
        Retro {
            held_on: end_on + Duration::days(1),
            format,
            items,
            health: vec![
                HealthQuestion {
                    question: s("We can say what we think"),
                    scores: vec![3, 4, 4, 5],
                },
                HealthQuestion {
                    question: s("We know who our end users are"),
                    scores: vec![2, 3, 4, 4],
                },
            ],
            action_items: vec![ActionItem {
                text: s(if i.is_multiple_of(2) {
                    "Book the next end-user session before the review"
                } else {
                    "Ask the data owner for the field definitions in writing"
                }),
                owner: team.get(i % team.len().max(1)).map(|u| s(u)),
                due_sprint: Some(number + 1),
                status,
                closed_on: (status != ActionStatus::Open).then_some(closed),
            }],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn feedback(
        &mut self,
        sprint: Option<u32>,
        stakeholder: Option<&str>,
        link_author: Option<(&str, Function)>,
        channel: Channel,
        on: NaiveDate,
        rating: Option<u8>,
        body: &str,
        category: FeedbackCategory,
        status: FeedbackStatus,
    ) -> Feedback {
        self.next_feedback += 1;
        let addressed_in = match status {
            FeedbackStatus::Planned | FeedbackStatus::Addressed => {
                sprint.map(|n| (n + 1).min(self.last_sprint.max(n)))
            }
            _ => None,
        };
        let response = match status {
            FeedbackStatus::Addressed => Some(s("Thank you. This is fixed in the next sprint.")),
            FeedbackStatus::Planned => Some(s("Good point; it is planned for the next sprint.")),
            FeedbackStatus::Declined => Some(s(
                "We looked at this and decided against it for now; the reason is in the review notes.",
            )),
            _ => None,
        };
        Feedback {
            id: format!("f{}", self.next_feedback),
            sprint,
            stakeholder: stakeholder.map(s),
            author_name: link_author.map(|(n, _)| s(n)),
            author_function: link_author.map(|(_, f)| f),
            channel,
            submitted_at: at(
                on.min(self.today),
                9 + u32::try_from(self.next_feedback % 8).unwrap_or(0),
            ),
            rating,
            body: s(body),
            category,
            status,
            addressed_in,
            response,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn interview(
        &mut self,
        participants: &[&str],
        interviewers: &[&str],
        on: NaiveDate,
        kind: InterviewKind,
        status: InterviewStatus,
        notes: &str,
        insights: &[(&str, &[&str])],
    ) -> Interview {
        self.next_interview += 1;
        Interview {
            id: format!("i{}", self.next_interview),
            participants: participants.iter().map(|x| s(x)).collect(),
            interviewers: interviewers.iter().map(|x| s(x)).collect(),
            scheduled_at: at(on, 13),
            time_zone: Some(s("Europe/Berlin")),
            duration_min: Some(45),
            kind,
            status,
            notes: s(notes),
            insights: insights
                .iter()
                .map(|(text, tags)| Insight {
                    text: s(text),
                    tags: tags.iter().map(|t| s(t)).collect(),
                })
                .collect(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn issue(
        &mut self,
        dataset: &str,
        description: &str,
        dimension: DqDimension,
        severity: DqSeverity,
        reporter: &str,
        source_owner: Option<&str>,
        opened: i64,
        reported: Option<i64>,
        resolved: Option<(DqStatus, i64)>,
    ) -> DqIssue {
        self.next_issue += 1;
        DqIssue {
            id: format!("d{}", self.next_issue),
            dataset: s(dataset),
            description: s(description),
            dimension: Some(dimension),
            severity,
            reporter: Some(s(reporter)),
            source_owner: source_owner.map(s),
            opened_on: self.day(opened),
            reported_upstream_on: reported.map(|d| self.day(d)),
            status: resolved.map_or(
                if reported.is_some() {
                    DqStatus::Reported
                } else {
                    DqStatus::Open
                },
                |(st, _)| st,
            ),
            resolved_on: resolved.map(|(_, d)| self.day(d)),
        }
    }
}

fn readiness(done: usize, owner: &str) -> std::collections::BTreeMap<String, ReadinessEntry> {
    READINESS_KEYS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            (
                s(key),
                ReadinessEntry {
                    done: i < done,
                    owner: Some(s(owner)),
                    note: if i < done {
                        s("Agreed and written down.")
                    } else {
                        String::new()
                    },
                },
            )
        })
        .collect()
}

fn members(lead: &str, others: &[(&str, MemberRole)]) -> Vec<Member> {
    let mut out = vec![Member {
        user: s(lead),
        role: MemberRole::Lead,
    }];
    out.extend(others.iter().map(|(u, role)| Member {
        user: s(u),
        role: *role,
    }));
    out
}

#[allow(clippy::too_many_arguments)]
fn project(
    id: &str,
    key: &str,
    name: &str,
    problem: &str,
    end_users: &str,
    status: ProjectStatus,
    lead: &str,
    started_on: NaiveDate,
    target: u32,
    ml_needed: MlNeeded,
    baseline: &str,
) -> Project {
    Project {
        id: s(id),
        key: s(key),
        name: s(name),
        problem_statement: s(problem),
        end_users: s(end_users),
        status,
        lead: Some(s(lead)),
        started_on,
        target_iteration_days: target,
        contact_threshold_days: 30,
        ml_needed,
        baseline_considered: s(baseline),
        members: Vec::new(),
        readiness: Default::default(),
        sprints: Vec::new(),
        interviews: Vec::new(),
        feedback: Vec::new(),
        dq_issues: Vec::new(),
    }
}

/// A realistic small workspace (seven projects) in which every signal state appears: end-user
/// contact green, amber and red; cadence green, amber, red and insufficient data; diversity at
/// every level; each scorecard signal at each level, including a project that needs no ML and
/// one with red data debt; feedback in every status; interviews before and after `today`.
pub fn demo_workspace(today: NaiveDate) -> Workspace {
    let mut b = Builder {
        today,
        next_feedback: 0,
        next_interview: 0,
        next_issue: 0,
        last_sprint: 0,
    };
    let users = people::users();
    let stakeholders = people::stakeholders(today);
    let projects = vec![
        projects::p1(&mut b),
        projects::p2(&mut b),
        projects::p3(&mut b),
        projects::p4(&mut b),
        projects::p5(&mut b),
        projects::p6(&mut b),
        projects::p7(&mut b),
    ];

    Workspace {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        settings: Settings {
            time_zone: s("Europe/Berlin"),
        },
        users,
        stakeholders,
        projects,
    }
}
