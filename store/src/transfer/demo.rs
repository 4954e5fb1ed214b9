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
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    use Function as F;
    let mut b = Builder {
        today,
        next_feedback: 0,
        next_interview: 0,
        next_issue: 0,
        last_sprint: 0,
    };
    let users = vec![
        user(
            "u1",
            "Amara Okafor",
            "amara.okafor@example.org",
            WorkspaceRole::Lead,
        ),
        user(
            "u2",
            "Bao Lindqvist",
            "bao.lindqvist@example.org",
            WorkspaceRole::Lead,
        ),
        user(
            "u3",
            "Carmen Haddad",
            "carmen.haddad@example.org",
            WorkspaceRole::Member,
        ),
        user(
            "u4",
            "Dmitri Eriksen",
            "dmitri.eriksen@example.org",
            WorkspaceRole::Member,
        ),
        user(
            "u5",
            "Elif Moreau",
            "elif.moreau@example.org",
            WorkspaceRole::Member,
        ),
        user(
            "u6",
            "Farid Nakamura",
            "farid.nakamura@example.org",
            WorkspaceRole::Member,
        ),
        user(
            "u7",
            "Greta Santos",
            "greta.santos@example.org",
            WorkspaceRole::Member,
        ),
    ];
    let mut stakeholders = vec![
        person(
            "s1",
            "Noor Castillo",
            Some("noor.castillo@example.org"),
            "Harbour Hospital",
            "Ward nurse",
            F::EndUser,
            &["p1"],
            "Night shifts on the surgical ward; prefers short sessions.",
        ),
        person(
            "s2",
            "Tomas Berg",
            Some("tomas.berg@example.org"),
            "Harbour Hospital",
            "Charge nurse",
            F::EndUser,
            &["p1", "p5"],
            "",
        ),
        person(
            "s3",
            "Ilse Varga",
            None,
            "Harbour Hospital",
            "Consultant physician",
            F::DomainExpert,
            &["p1"],
            "",
        ),
        person(
            "s4",
            "Ravi Dubois",
            Some("ravi.dubois@example.org"),
            "Clinical Records",
            "Records manager",
            F::DataOwner,
            &["p1"],
            "Owns the admissions and discharge extracts.",
        ),
        person(
            "s5",
            "Mei Jansen",
            None,
            "Digital Health Office",
            "Product owner",
            F::Product,
            &["p1"],
            "",
        ),
        person(
            "s6",
            "Oskar Weber",
            None,
            "Data Platform",
            "Pipeline engineer",
            F::Dataops,
            &["p1", "p4"],
            "",
        ),
        person(
            "s7",
            "Lena Petrova",
            Some("lena.petrova@example.org"),
            "Regional Ambulance Service",
            "Dispatcher",
            F::EndUser,
            &["p2"],
            "",
        ),
        person(
            "s8",
            "Jonah Kowalski",
            None,
            "Regional Ambulance Service",
            "Paramedic team lead",
            F::DomainExpert,
            &["p2"],
            "",
        ),
        person(
            "s9",
            "Aiko Rossi",
            None,
            "Regional Ambulance Service",
            "Operations director",
            F::ExecutiveSponsor,
            &["p2"],
            "",
        ),
        person(
            "s10",
            "Marta Gupta",
            Some("marta.gupta@example.org"),
            "Finance Shared Services",
            "Accounts payable clerk",
            F::EndUser,
            &["p3"],
            "",
        ),
        person(
            "s11",
            "Felix Adeyemi",
            None,
            "Finance Systems",
            "ERP data owner",
            F::DataOwner,
            &["p3"],
            "",
        ),
        person(
            "s12",
            "Sanna Yilmaz",
            None,
            "Finance Shared Services",
            "Process owner",
            F::Product,
            &["p3"],
            "",
        ),
        person(
            "s13",
            "Paulo Ivanova",
            None,
            "Legal",
            "Contracts counsel",
            F::ComplianceLegal,
            &["p3"],
            "",
        ),
        person(
            "s14",
            "Hana Fontaine",
            Some("hana.fontaine@example.org"),
            "Harbour Hospital Pharmacy",
            "Pharmacist",
            F::EndUser,
            &["p4"],
            "",
        ),
        person(
            "s15",
            "Kofi Tanaka",
            None,
            "Harbour Hospital Pharmacy",
            "Stock controller",
            F::DomainExpert,
            &["p4"],
            "",
        ),
        person(
            "s16",
            "Vera Lind",
            None,
            "Procurement",
            "Supplier data owner",
            F::DataOwner,
            &["p4"],
            "",
        ),
        person(
            "s17",
            "Ayla Bergström",
            Some("ayla.bergstrom@example.org"),
            "Harbour Hospital",
            "Ward manager",
            F::EndUser,
            &["p5"],
            "",
        ),
        person(
            "s18",
            "Ben Okoro",
            None,
            "Harbour Hospital",
            "Director of nursing",
            F::ExecutiveSponsor,
            &["p5"],
            "",
        ),
        person(
            "s19",
            "Iris Nakamura",
            Some("iris.nakamura@example.org"),
            "Field Service",
            "Field technician",
            F::EndUser,
            &["p6"],
            "",
        ),
        person(
            "s20",
            "Mateo Petrov",
            None,
            "Field Service",
            "Planning data owner",
            F::DataOwner,
            &["p6"],
            "",
        ),
        person(
            "s21",
            "Juno Haddad",
            None,
            "IT Operations",
            "Platform security",
            F::Devsecops,
            &["p6"],
            "",
        ),
        person(
            "s22",
            "Selma Ivanova",
            Some("selma.ivanova@example.org"),
            "Claims Centre",
            "Claims handler",
            F::EndUser,
            &["p7"],
            "",
        ),
        person(
            "s23",
            "Nils Moreau",
            None,
            "Claims Centre",
            "Senior assessor",
            F::DomainExpert,
            &["p7"],
            "",
        ),
        person(
            "s24",
            "Rhea Santos",
            None,
            "Analytics",
            "Data scientist",
            F::DataScience,
            &["p7"],
            "",
        ),
        person(
            "s25",
            "Dana Weber",
            None,
            "Claims Centre",
            "Team coordinator",
            F::Product,
            &["p7"],
            "",
        ),
        // An erased entry: what they said still counts under their function.
        person("s26", "", None, "", "", F::EndUser, &["p1"], ""),
    ];
    stakeholders[0].consented_on = Some(today - Duration::days(60));
    stakeholders[0].attributes = [(s("shift pattern"), s("nights"))].into_iter().collect();

    let mut projects = Vec::new();

    // p1: everything green.
    {
        let mut p = project(
            "p1",
            "ward-handover",
            "Ward handover summaries",
            "Nurses spend twenty minutes per shift handover reading free-text notes to find the patients who need attention first.",
            "Ward nurses and charge nurses on the surgical wards, at every shift change.",
            ProjectStatus::Active,
            "u1",
            b.day(-105),
            14,
            MlNeeded::Yes,
            "A rule-based checklist of vital-sign thresholds, which missed half of the deteriorations in the pilot.",
        );
        p.members = members(
            "u1",
            &[
                ("u3", MemberRole::Member),
                ("u4", MemberRole::Member),
                ("u7", MemberRole::Viewer),
            ],
        );
        p.readiness = readiness(7, "u3");
        let plans = (0..8)
            .map(|_| plan(14, Some(vec!["s1", "s3"]), true))
            .collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Agree what a good handover summary contains",
                "Summaries for one ward, read-only",
                "Highlight deteriorating patients",
                "Test the summary screen with night-shift nurses",
                "Explain each highlight in one sentence",
                "Pilot on two wards",
                "Measure handover time before and after",
                "Prepare the hand-off to the ward systems team",
            ],
            &["u1", "u3", "u4"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        let voices = [
            ("s1", 5u8),
            ("s4", 4),
            ("s2", 4),
            ("s5", 3),
            ("s6", 4),
            ("s3", 5),
        ];
        let bodies = [
            "The summary saves me a phone call every morning.",
            "The discharge dates in the extract are a day late on weekends.",
            "Please show why a patient is highlighted, not only that they are.",
            "Can the summary be printed for the paper handover sheet?",
            "The nightly load finished late twice this week.",
            "Clinically the highlights make sense; two were borderline.",
        ];
        let statuses = [
            St::Addressed,
            St::Acknowledged,
            St::Planned,
            St::Declined,
            St::New,
            St::Acknowledged,
        ];
        let cats = [
            C::Usefulness,
            C::DataQuality,
            C::FeatureRequest,
            C::FeatureRequest,
            C::Bug,
            C::Praise,
        ];
        for n in 1..=7u32 {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            for k in 0..3usize {
                let idx = (usize::try_from(n).unwrap_or(0) + k * 2) % voices.len();
                let (who, rating) = voices[idx];
                // The last two finished sprints hear from an end user.
                let who = if k == 0 && n >= 6 { "s2" } else { who };
                p.feedback.push(b.feedback(
                    Some(n),
                    Some(who),
                    None,
                    Channel::Link,
                    sprint.end_on - Duration::days(i64::try_from(k).unwrap_or(0)),
                    Some(rating),
                    bodies[idx],
                    cats[idx],
                    if n >= 7 { St::New } else { statuses[idx] },
                ));
            }
        }
        p.feedback.push(b.feedback(
            Some(7),
            None,
            Some(("Visiting nurse", F::EndUser)),
            Channel::Link,
            b.day(-9),
            Some(4),
            "I only work here on Fridays and could follow the handover without asking.",
            C::Praise,
            St::Acknowledged,
        ));
        p.feedback.push(b.feedback(
            Some(3),
            Some("s26"),
            None,
            Channel::Review,
            p.sprints[2].end_on,
            Some(3),
            "Two patients on the list had been discharged already.",
            C::DataQuality,
            St::Addressed,
        ));
        p.interviews = vec![
            b.interview(&["s1"], &["u1", "u3"], b.day(-90), InterviewKind::ContextualInquiry, InterviewStatus::Completed,
                "Shadowed the 07:00 handover. Notes are read aloud; the nurse in charge scans for **red flags** by memory.",
                &[("Nurses look for change since yesterday, not the absolute value", &["handover", "trends"]),
                  ("Paper sheets are still the backup when the screen is busy", &["paper", "workflow"])]),
            b.interview(&["s2"], &["u3"], b.day(-40), InterviewKind::UsabilityTest, InterviewStatus::Completed,
                "Five tasks on the summary screen. Four completed without help; the filter was not found.",
                &[("The ward filter is hidden behind the menu", &["usability"])]),
            b.interview(&["s1", "s2"], &["u1"], b.day(-12), InterviewKind::FeedbackSession, InterviewStatus::Completed,
                "Walked through the highlight explanations with two nurses.",
                &[("One-sentence reasons are enough; links to the chart are welcome", &["explanations"])]),
            b.interview(&["s2"], &["u4"], b.day(-20), InterviewKind::Discovery, InterviewStatus::NoShow, "", &[]),
            b.interview(&["s1"], &["u3"], b.day(9), InterviewKind::UsabilityTest, InterviewStatus::Scheduled,
                "Plan: test the printed summary with the night shift.", &[]),
        ];
        p.dq_issues = vec![b.issue(
            "admissions",
            "Weekend discharges arrive one day late in the nightly extract.",
            DqDimension::Timeliness,
            DqSeverity::Medium,
            "u3",
            Some("s4"),
            -60,
            Some(-58),
            Some((DqStatus::Resolved, -30)),
        )];
        projects.push(p);
    }

    // p2: amber: no interview planned, sprints longer than the target, two voices only.
    {
        let mut p = project(
            "p2",
            "dispatch-eta",
            "Ambulance arrival estimates",
            "Dispatchers give callers arrival times from experience; the estimates are often off by ten minutes or more at rush hour.",
            "Emergency dispatchers in the regional control room.",
            ProjectStatus::Active,
            "u2",
            b.day(-87),
            10,
            MlNeeded::Yes,
            "",
        );
        p.members = members(
            "u2",
            &[("u5", MemberRole::Member), ("u6", MemberRole::Member)],
        );
        p.readiness = readiness(4, "u5");
        let plans = (0..6)
            .map(|_| plan(14, Some(vec!["s7", "s8"]), true))
            .collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Collect a month of calls with actual arrival times",
                "A first estimate from distance and time of day",
                "Show the estimate next to the dispatcher's own",
                "Add road works from the city feed",
                "Try the estimate on the night shift",
                "Compare errors with the dispatchers' estimates",
            ],
            &["u2", "u5"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        let bodies = [
            (
                "s7",
                "The estimate is close in the city, but too optimistic for the valleys.",
                C::Usefulness,
                Some(3u8),
            ),
            (
                "s8",
                "Crews often start from the road, not the station; the estimate assumes the station.",
                C::DataQuality,
                Some(2),
            ),
        ];
        for n in 1..=6u32 {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            for (k, (who, body, cat, rating)) in bodies.iter().enumerate() {
                let status = [St::New, St::Acknowledged, St::Planned, St::Addressed]
                    [(usize::try_from(n).unwrap_or(0) + k) % 4];
                p.feedback.push(b.feedback(
                    Some(n),
                    Some(who),
                    None,
                    Channel::Link,
                    sprint.end_on,
                    *rating,
                    body,
                    *cat,
                    if n == 6 { St::New } else { status },
                ));
            }
        }
        p.interviews = vec![
            b.interview(
                &["s7"],
                &["u2", "u5"],
                b.day(-75),
                InterviewKind::ContextualInquiry,
                InterviewStatus::Completed,
                "Sat with two dispatchers for a morning shift.",
                &[(
                    "Dispatchers round estimates up to protect themselves",
                    &["trust", "estimates"],
                )],
            ),
            b.interview(
                &["s7"],
                &["u5"],
                b.day(-30),
                InterviewKind::UsabilityTest,
                InterviewStatus::Cancelled,
                "Cancelled: major incident.",
                &[],
            ),
        ];
        p.dq_issues = vec![b.issue(
            "call_log",
            "Some calls have no arrival time because the crew pressed the button late.",
            DqDimension::Completeness,
            DqSeverity::Low,
            "u5",
            Some("s9"),
            -5,
            Some(-3),
            None,
        )];
        projects.push(p);
    }

    // p3: red everywhere: lost contact with its end users.
    {
        let mut p = project(
            "p3",
            "invoice-matching",
            "Supplier invoice matching",
            "Clerks match supplier invoices to purchase orders by hand; a third need a second look.",
            "Accounts payable clerks in the shared service centre.",
            ProjectStatus::Active,
            "u2",
            b.day(-114),
            14,
            MlNeeded::Unknown,
            "",
        );
        p.members = members(
            "u2",
            &[("u6", MemberRole::Member), ("u7", MemberRole::Member)],
        );
        p.readiness = readiness(1, "u6");
        let plans = (0..8)
            .map(|i| plan(14, (i % 4 == 0).then(|| vec!["s12"]), i % 3 == 0))
            .collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Match exact amounts automatically",
                "Fuzzy supplier names",
                "Partial deliveries",
                "Currency differences",
            ],
            &["u2", "u6"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        // The last end-user voice is from the second sprint.
        p.feedback.push(b.feedback(
            Some(2),
            Some("s10"),
            None,
            Channel::Link,
            p.sprints[1].end_on,
            Some(4),
            "The suggestions are right most of the time; I still check every one.",
            C::Usefulness,
            St::Acknowledged,
        ));
        for n in 3..=8u32 {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            if sprint.end_on >= b.today {
                continue;
            }
            p.feedback.push(b.feedback(
                Some(n),
                Some("s11"),
                None,
                Channel::Team,
                sprint.end_on,
                None,
                "The ERP export changed its date format again.",
                C::DataQuality,
                if n % 2 == 0 { St::New } else { St::Declined },
            ));
        }
        p.interviews = vec![b.interview(
            &["s10"],
            &["u2"],
            b.day(-100),
            InterviewKind::Discovery,
            InterviewStatus::Completed,
            "First conversation with two clerks about the matching queue.",
            &[(
                "Clerks trust the amount more than the supplier name",
                &["matching"],
            )],
        )];
        p.dq_issues = vec![
            b.issue(
                "erp_invoices",
                "Supplier ids are reused after a supplier is archived.",
                DqDimension::Uniqueness,
                DqSeverity::High,
                "u6",
                Some("s11"),
                -45,
                None,
                None,
            ),
            b.issue(
                "erp_invoices",
                "VAT field empty for foreign suppliers.",
                DqDimension::Completeness,
                DqSeverity::Medium,
                "u6",
                Some("s11"),
                -20,
                None,
                None,
            ),
        ];
        projects.push(p);
    }

    // p4: no ML needed; cadence amber (reviews skipped), diversity green, readiness red.
    {
        let mut p = project(
            "p4",
            "pharmacy-demand",
            "Pharmacy stock forecast",
            "The hospital pharmacy runs out of a few high-use items every month and overstocks others.",
            "Pharmacists and stock controllers placing weekly orders.",
            ProjectStatus::Active,
            "u1",
            b.day(-88),
            14,
            MlNeeded::No,
            "A moving average of the last four weeks with a safety margin per item; it beat every model we tried.",
        );
        p.members = members(
            "u1",
            &[("u4", MemberRole::Member), ("u5", MemberRole::Viewer)],
        );
        p.readiness = readiness(3, "u4");
        let plans = (0..6)
            .map(|i| plan(14, (i % 3 != 1).then(|| vec!["s14", "s15"]), true))
            .collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Baseline: moving average per item",
                "Safety margins from supplier lead times",
                "Weekly order suggestion list",
                "Flag items with changing demand",
                "Order list in the pharmacy system",
                "Review stock-outs with the pharmacists",
            ],
            &["u1", "u4"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        let voices = [
            (
                "s14",
                "The order list matches what I would have ordered, in half the time.",
                C::Usefulness,
            ),
            (
                "s15",
                "Seasonal items such as flu vaccines need their own rule.",
                C::FeatureRequest,
            ),
            (
                "s16",
                "Supplier lead times in the catalogue are out of date for two vendors.",
                C::DataQuality,
            ),
            (
                "s6",
                "The weekly job could run on the shared scheduler.",
                C::Other,
            ),
        ];
        for n in 1..=6u32 {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            for (k, (who, body, cat)) in voices.iter().enumerate() {
                if (usize::try_from(n).unwrap_or(0) + k) % 2 == 0 && k != 0 {
                    continue;
                }
                p.feedback.push(b.feedback(
                    Some(n),
                    Some(who),
                    None,
                    Channel::Link,
                    sprint.end_on,
                    Some(3 + u8::try_from(k % 3).unwrap_or(0)),
                    body,
                    *cat,
                    [St::Addressed, St::Planned, St::Acknowledged, St::New][k],
                ));
            }
        }
        p.interviews = vec![
            b.interview(
                &["s14"],
                &["u1"],
                b.day(-50),
                InterviewKind::Discovery,
                InterviewStatus::Completed,
                "How the weekly order is put together today.",
                &[(
                    "Orders are placed on Tuesday mornings from a spreadsheet",
                    &["workflow"],
                )],
            ),
            b.interview(
                &["s14"],
                &["u4"],
                b.day(14),
                InterviewKind::FeedbackSession,
                InterviewStatus::Scheduled,
                "",
                &[],
            ),
        ];
        p.dq_issues = vec![b.issue(
            "supplier_catalogue",
            "Lead times not updated since last year for two vendors.",
            DqDimension::Accuracy,
            DqSeverity::Medium,
            "u4",
            Some("s16"),
            -20,
            Some(-18),
            None,
        )];
        projects.push(p);
    }

    // p5: brand new: insufficient data for cadence and diversity, interviews ahead.
    {
        let mut p = project(
            "p5",
            "shift-rostering",
            "Staff rostering assistant",
            "Ward managers spend a day a month building rosters and fixing gaps by phone.",
            "Ward managers building the monthly roster.",
            ProjectStatus::Discovery,
            "u1",
            b.day(-10),
            14,
            MlNeeded::Unknown,
            "The current spreadsheet template with conditional formatting.",
        );
        p.members = members("u1", &[("u7", MemberRole::Member)]);
        p.sprints = b.sprints(
            p.started_on,
            vec![plan(14, None, false)],
            &["Understand how rosters are built today"],
            &["u1", "u7"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        p.interviews = vec![
            b.interview(
                &["s17"],
                &["u1", "u7"],
                b.day(4),
                InterviewKind::Discovery,
                InterviewStatus::Scheduled,
                "Plan: walk through last month's roster and the gaps that were filled by phone.",
                &[],
            ),
            b.interview(
                &["s2"],
                &["u7"],
                b.day(11),
                InterviewKind::ContextualInquiry,
                InterviewStatus::Scheduled,
                "",
                &[],
            ),
        ];
        projects.push(p);
    }

    // p6: paused, irregular sprints and red data debt.
    {
        let mut p = project(
            "p6",
            "route-planning",
            "Field service route planning",
            "Technicians drive long detours because jobs are assigned in the order they arrive.",
            "Field technicians and the planners who assign their jobs.",
            ProjectStatus::Paused,
            "u2",
            b.day(-150),
            14,
            MlNeeded::No,
            "",
        );
        p.members = members("u2", &[("u3", MemberRole::Member)]);
        p.readiness = readiness(5, "u3");
        let lengths = [5i64, 21, 8, 30, 10, 25];
        let plans = lengths
            .iter()
            .enumerate()
            .map(|(i, len)| SprintPlan {
                len: *len,
                gap: if i == 3 { 6 } else { 0 },
                review: Some(vec!["s19", "s20"]),
                retro: i.is_multiple_of(2),
            })
            .collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Map today's routes",
                "Group jobs by area",
                "Time windows",
                "Traffic data",
                "Planner screen",
                "Pause: waiting for vehicle data",
            ],
            &["u2", "u3"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        for (n, who, body) in [
            (2u32, "s19", "Grouping by area saved me an hour on Tuesday."),
            (
                4,
                "s20",
                "The depot coordinates are wrong for the north site.",
            ),
            (
                4,
                "s21",
                "The planner screen needs single sign-on before we can roll it out.",
            ),
            (5, "s19", "Time windows from customers are often missing."),
        ] {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            p.feedback.push(b.feedback(
                Some(n),
                Some(who),
                None,
                Channel::Link,
                sprint.end_on,
                Some(3),
                body,
                C::Usability,
                St::Acknowledged,
            ));
        }
        p.interviews = vec![b.interview(
            &["s19"],
            &["u3"],
            b.day(-120),
            InterviewKind::ContextualInquiry,
            InterviewStatus::Completed,
            "Rode along for a day in the north region.",
            &[(
                "Technicians re-order jobs themselves every morning",
                &["workaround", "routes"],
            )],
        )];
        p.dq_issues = vec![
            b.issue(
                "depot_locations",
                "Depot coordinates point at the head office for three sites.",
                DqDimension::Accuracy,
                DqSeverity::Critical,
                "u3",
                Some("s20"),
                -40,
                None,
                None,
            ),
            b.issue(
                "job_history",
                "Duplicate jobs when a booking is changed.",
                DqDimension::Uniqueness,
                DqSeverity::Low,
                "u3",
                Some("s20"),
                -70,
                Some(-69),
                Some((DqStatus::WontFix, -50)),
            ),
        ];
        projects.push(p);
    }

    // p7: in production, readiness complete; one stakeholder dominates the input.
    {
        let mut p = project(
            "p7",
            "claims-triage",
            "Claims triage",
            "Simple claims wait in the same queue as complex ones, so customers with small claims wait weeks.",
            "Claims handlers and senior assessors.",
            ProjectStatus::Production,
            "u1",
            b.day(-91),
            14,
            MlNeeded::Yes,
            "Routing by claim amount alone; it sent a quarter of complex claims to the fast lane.",
        );
        p.members = members(
            "u1",
            &[("u5", MemberRole::Member), ("u6", MemberRole::Member)],
        );
        p.readiness = readiness(8, "u5");
        let plans = (0..7).map(|_| plan(14, Some(vec!["s22"]), true)).collect();
        p.sprints = b.sprints(
            p.started_on,
            plans,
            &[
                "Fast lane for simple claims",
                "Explain the routing to handlers",
                "Monitoring of routing errors",
                "Roll out to the second team",
                "Retraining plan",
                "Hand-off to the claims systems team",
                "Quarterly review of routing errors",
            ],
            &["u1", "u5"],
        );
        b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
        for n in 1..=6u32 {
            let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
            p.feedback.push(b.feedback(
                Some(n),
                Some("s23"),
                None,
                Channel::Review,
                sprint.end_on,
                Some(4),
                "The routing reasons match how I would explain it to a new colleague.",
                C::Usefulness,
                St::Acknowledged,
            ));
            p.feedback.push(b.feedback(
                Some(n),
                Some("s23"),
                None,
                Channel::Team,
                sprint.end_on,
                None,
                "Please keep the override button; some claims look simple and are not.",
                C::FeatureRequest,
                St::Planned,
            ));
            if n % 2 == 0 {
                p.feedback.push(b.feedback(
                    Some(n),
                    Some("s24"),
                    None,
                    Channel::Link,
                    sprint.end_on,
                    Some(5),
                    "Error rates are stable; the monitoring page is clear.",
                    C::Praise,
                    St::Addressed,
                ));
            }
        }
        p.interviews = vec![
            b.interview(
                &["s22"],
                &["u5"],
                b.day(-25),
                InterviewKind::UsabilityTest,
                InterviewStatus::Completed,
                "Handlers used the override on three of twenty claims, each for a good reason.",
                &[(
                    "Overrides cluster around claims with attachments",
                    &["override", "routing"],
                )],
            ),
            b.interview(
                &["s22"],
                &["u1"],
                b.day(12),
                InterviewKind::FeedbackSession,
                InterviewStatus::Scheduled,
                "",
                &[],
            ),
        ];
        p.dq_issues = vec![b.issue(
            "claims_feed",
            "Claim amounts in a foreign currency arrive without the currency code.",
            DqDimension::Validity,
            DqSeverity::Low,
            "u5",
            Some("s24"),
            -3,
            None,
            None,
        )];
        projects.push(p);
    }

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
