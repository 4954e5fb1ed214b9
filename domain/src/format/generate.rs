//! A deterministic generator of workspaces in format v1, for benchmarks and the demo. The same
//! seed and date always give the same workspace.

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;

/// A small, fast, deterministic pseudo-random generator (SplitMix64). Not for secrets.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[i.min(items.len().saturating_sub(1))]
    }
}

/// How big a generated workspace is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Projects.
    pub projects: usize,
    /// Sprints per project.
    pub sprints_per_project: usize,
    /// Feedback items per project.
    pub feedback_per_project: usize,
    /// Interviews per project.
    pub interviews_per_project: usize,
    /// Stakeholders in the directory.
    pub stakeholders: usize,
    /// Users.
    pub users: usize,
}

impl Sizes {
    /// The benchmark workspace of DESIGN.md's quality bars: 200 projects, 5,000 sprints,
    /// 50,000 feedback items and 10,000 interviews.
    pub const LARGE: Sizes = Sizes {
        projects: 200,
        sprints_per_project: 25,
        feedback_per_project: 250,
        interviews_per_project: 50,
        stakeholders: 2000,
        users: 60,
    };

    /// A small demo workspace.
    pub const DEMO: Sizes = Sizes {
        projects: 8,
        sprints_per_project: 8,
        feedback_per_project: 30,
        interviews_per_project: 8,
        stakeholders: 40,
        users: 8,
    };
}

const FIRST: &[&str] = &[
    "Amara", "Bao", "Carmen", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Luca", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zofia",
];
const LAST: &[&str] = &[
    "Adeyemi",
    "Bergström",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Haddad",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Santos",
    "Tanaka",
    "Varga",
    "Weber",
    "Yilmaz",
];
const ORGS: &[&str] = &[
    "North Clinic",
    "Harbour Hospital",
    "Data Office",
    "Logistics",
    "Finance",
    "Field Service",
    "Customer Care",
    "Legal",
];
const TOPICS: &[&str] = &[
    "Readmission risk",
    "Churn early warning",
    "Demand forecast",
    "Invoice matching",
    "Triage assistant",
    "Route planning",
    "Fraud screening",
    "Staff rostering",
    "Maintenance prediction",
    "Search ranking",
    "Claims routing",
    "Energy forecast",
    "Inventory optimiser",
    "Document summaries",
    "Lead scoring",
];
const GOALS: &[&str] = &[
    "Validate the baseline with ward nurses",
    "Ship the first usable prototype to the pilot team",
    "Cut false alarms in half",
    "Wire the data pipeline end to end",
    "Test the explanation screen with end users",
    "Harden monitoring before the production pilot",
    "Agree the success metric with the sponsor",
    "Fix the top data-quality issues upstream",
];
const FEEDBACK: &[&str] = &[
    "The new list saves me a phone call every morning.",
    "I could not tell why the score changed since yesterday.",
    "Please show the reason next to each alert.",
    "The numbers for the night shift look wrong.",
    "Great improvement, the page is much faster now.",
    "We need this in the handover report, not a separate screen.",
    "Too many alerts on Mondays; we start ignoring them.",
    "The export is missing the ward column.",
];
const DATASETS: &[&str] = &[
    "admissions",
    "orders",
    "sensor_readings",
    "crm_contacts",
    "invoices",
    "shift_plans",
];

/// The settings of every generated workspace.
fn settings() -> Settings {
    Settings {
        time_zone: "Europe/Berlin".into(),
    }
}

fn ts(day: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    let naive = day.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default();
    Utc.from_utc_datetime(&naive)
}

/// Generates a workspace of the given size, deterministic for `seed` and `today`.
pub fn generate(sizes: &Sizes, seed: u64, today: NaiveDate) -> Workspace {
    let mut generator = Generator::new(sizes, seed, today);
    let mut projects = Vec::with_capacity(sizes.projects);
    while let Some(project) = generator.next_project() {
        projects.push(project);
    }
    Workspace {
        projects,
        ..generator.into_head()
    }
}

/// Generates a workspace one project at a time, so that a large one is never whole in memory.
///
/// The users and stakeholders are made first; each call of [`Generator::next_project`] makes the
/// next project and links its stakeholders to it. The projects come out exactly as
/// [`generate()`] makes them, so the first N projects of a larger workspace equal a workspace of
/// N projects with the same seed and date.
#[derive(Clone, Debug)]
pub struct Generator {
    sizes: Sizes,
    today: NaiveDate,
    rng: Rng,
    users: Vec<User>,
    stakeholders: Vec<Stakeholder>,
    next: usize,
}

impl Generator {
    /// A generator with its users and stakeholders made, and no project yet.
    pub fn new(sizes: &Sizes, seed: u64, today: NaiveDate) -> Self {
        let sizes = *sizes;
        let mut rng = Rng::new(seed);
        let users: Vec<User> = (0..sizes.users.max(1))
            .map(|i| User {
                id: format!("u{i}"),
                email: format!("user{i}@example.org"),
                name: format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
                role: match i {
                    0 => WorkspaceRole::Admin,
                    1..=3 => WorkspaceRole::Lead,
                    _ => WorkspaceRole::Member,
                },
                active: true,
            })
            .collect();
        let functions = Function::ALL;
        let stakeholders: Vec<Stakeholder> = (0..sizes.stakeholders.max(1))
            .map(|i| {
                // About a third are end users.
                let function = if rng.chance(35) {
                    Function::EndUser
                } else {
                    *rng.pick(functions)
                };
                Stakeholder {
                    id: format!("s{i}"),
                    name: format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
                    email: rng
                        .chance(70)
                        .then(|| format!("stakeholder{i}@example.org")),
                    organization: rng.pick(ORGS).to_string(),
                    title: String::new(),
                    function,
                    projects: Vec::new(),
                    attributes: Default::default(),
                    consented_on: None,
                    notes: String::new(),
                }
            })
            .collect();
        Self {
            sizes,
            today,
            rng,
            users,
            stakeholders,
            next: 0,
        }
    }

    /// The workspace without its projects: settings, users, and the stakeholders with their
    /// links to the projects made so far.
    pub fn head(&self) -> Workspace {
        Workspace {
            settings: settings(),
            users: self.users.clone(),
            stakeholders: self.stakeholders.clone(),
            ..Workspace::default()
        }
    }

    /// [`Generator::head`], without copying.
    pub fn into_head(self) -> Workspace {
        Workspace {
            settings: settings(),
            users: self.users,
            stakeholders: self.stakeholders,
            ..Workspace::default()
        }
    }

    /// The number of projects made so far.
    pub fn made(&self) -> usize {
        self.next
    }

    /// The next project, or `None` once all of them were made.
    pub fn next_project(&mut self) -> Option<Project> {
        if self.next >= self.sizes.projects {
            return None;
        }
        let p = self.next;
        self.next += 1;
        let sizes = &self.sizes;
        let today = self.today;
        let rng = &mut self.rng;
        let stakeholders = &mut self.stakeholders;
        let functions = Function::ALL;
        let target = *rng.pick(&[7u32, 14, 14, 14, 21]);
        // Team habits: 0 regular, 1 irregular, 2 no end users, 3 lapsed.
        let habit = rng.below(4);
        let n_sprints = sizes.sprints_per_project;
        let span = (n_sprints as i64) * i64::from(target) + rng.below(20) as i64;
        let lapse = if habit == 3 {
            30 + rng.below(40) as i64
        } else {
            0
        };
        let started_on = today - Duration::days(span + lapse);
        let key = format!(
            "p{p:03}-{}",
            TOPICS[p % TOPICS.len()].to_lowercase().replace(' ', "-")
        );
        let lead = format!(
            "u{}",
            1 + rng.below(3.min(sizes.users.saturating_sub(1) as u64).max(1))
        );
        let mut members = vec![Member {
            user: lead.clone(),
            role: MemberRole::Lead,
        }];
        for _ in 0..3 {
            let u = format!("u{}", rng.below(sizes.users as u64));
            if !members.iter().any(|m| m.user == u) {
                members.push(Member {
                    user: u,
                    role: MemberRole::Member,
                });
            }
        }
        // The project's pool of stakeholders.
        let pool: Vec<usize> = (0..12)
            .map(|_| usize::try_from(rng.below(stakeholders.len() as u64)).unwrap_or(0))
            .collect();
        for i in &pool {
            let pid = format!("p{p}");
            if !stakeholders[*i].projects.contains(&pid) {
                stakeholders[*i].projects.push(pid);
            }
        }
        let end_user_pool: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|i| stakeholders[*i].function == Function::EndUser)
            .collect();
        let voice_pool: Vec<usize> = if habit == 2 {
            pool.iter()
                .copied()
                .filter(|i| stakeholders[*i].function != Function::EndUser)
                .collect()
        } else {
            pool.clone()
        };
        let voice_pool = if voice_pool.is_empty() {
            pool.clone()
        } else {
            voice_pool
        };

        let mut sprints = Vec::with_capacity(n_sprints);
        let mut start = started_on;
        for n in 1..=n_sprints {
            let jitter = if habit == 1 {
                rng.below(11) as i64 - 5
            } else {
                0
            };
            let len = (i64::from(target) + jitter).clamp(3, 42);
            let end = start + Duration::days(len - 1);
            let finished = end < today;
            let review =
                (finished && rng.chance(if habit == 1 { 50 } else { 85 })).then(|| Review {
                    held_on: end + Duration::days(1),
                    attendee_users: vec![lead.clone()],
                    attendee_stakeholders: (0..1 + rng.below(3))
                        .map(|_| stakeholders[*rng.pick(&voice_pool)].id.clone())
                        .collect(),
                    summary: "Demo of the increment to the pilot group.".into(),
                    decisions: "Continue with the agreed scope.".into(),
                    outcome: Some(*rng.pick(ReviewOutcome::ALL)),
                });
            let retro = (finished && rng.chance(if habit == 1 { 50 } else { 80 })).then(|| Retro {
                held_on: end + Duration::days(1),
                format: *rng.pick(RetroFormat::ALL),
                items: Vec::new(),
                health: Vec::new(),
                action_items: (0..rng.below(3))
                    .map(|_| {
                        let status = *rng.pick(ActionStatus::ALL);
                        ActionItem {
                            text: "Pair with the data owner on the extract".into(),
                            owner: Some(lead.clone()),
                            due_sprint: Some(u32::try_from(n + 1).unwrap_or(1)),
                            status,
                            closed_on: (status != ActionStatus::Open)
                                .then(|| end + Duration::days(10)),
                        }
                    })
                    .collect(),
            });
            sprints.push(Sprint {
                number: u32::try_from(n).unwrap_or(1),
                name: format!("Sprint {n}"),
                goal: rng.pick(GOALS).to_string(),
                start_on: start,
                end_on: end,
                committed: Some(8 + u32::try_from(rng.below(8)).unwrap_or(0)),
                completed: Some(5 + u32::try_from(rng.below(8)).unwrap_or(0)),
                notes: String::new(),
                review,
                retro,
            });
            let gap = if habit == 1 { rng.below(5) as i64 } else { 0 };
            start = end + Duration::days(1 + gap);
        }
        let last_day = sprints.last().map_or(today, |s| s.end_on);
        let life = (last_day - started_on).num_days().max(1);
        let interviews = (0..sizes.interviews_per_project)
            .map(|i| {
                // Most in the past, a few ahead.
                let offset = rng.below(u64::try_from(life + 21).unwrap_or(1)) as i64;
                let day = started_on + Duration::days(offset);
                let status = if day > today {
                    InterviewStatus::Scheduled
                } else {
                    *rng.pick(&[
                        InterviewStatus::Completed,
                        InterviewStatus::Completed,
                        InterviewStatus::Completed,
                        InterviewStatus::Cancelled,
                        InterviewStatus::NoShow,
                    ])
                };
                let participant = if habit == 2 || end_user_pool.is_empty() || rng.chance(30) {
                    stakeholders[*rng.pick(&voice_pool)].id.clone()
                } else {
                    stakeholders[*rng.pick(&end_user_pool)].id.clone()
                };
                Interview {
                    id: format!("p{p}-i{i}"),
                    participants: vec![participant],
                    interviewers: vec![lead.clone()],
                    scheduled_at: ts(day, 9 + u32::try_from(rng.below(8)).unwrap_or(0)),
                    time_zone: Some("Europe/Berlin".into()),
                    duration_min: Some(45),
                    kind: *rng.pick(InterviewKind::ALL),
                    status,
                    notes: "Walked through the morning routine and the alert list.".into(),
                    insights: Vec::new(),
                }
            })
            .collect();
        let feedback = (0..sizes.feedback_per_project)
            .map(|i| {
                let s = &sprints[usize::try_from(rng.below(sprints.len() as u64)).unwrap_or(0)];
                let day = (s.end_on + Duration::days(rng.below(4) as i64)).min(today);
                let anonymous = rng.chance(15);
                Feedback {
                    id: format!("p{p}-f{i}"),
                    sprint: Some(s.number),
                    stakeholder: (!anonymous)
                        .then(|| stakeholders[*rng.pick(&voice_pool)].id.clone()),
                    author_name: anonymous
                        .then(|| format!("{} {}", rng.pick(FIRST), rng.pick(LAST))),
                    author_function: anonymous.then(|| *rng.pick(functions)),
                    channel: Channel::Link,
                    submitted_at: ts(day, 8 + u32::try_from(rng.below(10)).unwrap_or(0)),
                    rating: Some(1 + u8::try_from(rng.below(5)).unwrap_or(0)),
                    body: rng.pick(FEEDBACK).to_string(),
                    category: *rng.pick(FeedbackCategory::ALL),
                    status: *rng.pick(FeedbackStatus::ALL),
                    addressed_in: None,
                    response: None,
                }
            })
            .collect();
        let dq_issues = (0..rng.below(5))
            .map(|i| {
                let opened = today - Duration::days(rng.below(90) as i64);
                let closed = rng.chance(40);
                DqIssue {
                    id: format!("p{p}-d{i}"),
                    dataset: rng.pick(DATASETS).to_string(),
                    description: "Missing values in a key column.".into(),
                    dimension: Some(*rng.pick(DqDimension::ALL)),
                    severity: *rng.pick(DqSeverity::ALL),
                    reporter: Some(lead.clone()),
                    source_owner: None,
                    opened_on: opened,
                    reported_upstream_on: rng.chance(50).then(|| opened + Duration::days(3)),
                    status: if closed {
                        DqStatus::Resolved
                    } else {
                        DqStatus::Open
                    },
                    resolved_on: closed.then(|| (opened + Duration::days(10)).min(today)),
                }
            })
            .collect();
        let readiness = READINESS_KEYS
            .iter()
            .filter(|_| rng.chance(50))
            .map(|k| {
                (
                    k.to_string(),
                    ReadinessEntry {
                        done: true,
                        owner: Some(lead.clone()),
                        note: String::new(),
                    },
                )
            })
            .collect();
        let ml_needed = *rng.pick(MlNeeded::ALL);
        Some(Project {
            id: format!("p{p}"),
            key,
            name: format!("{} {}", TOPICS[p % TOPICS.len()], p / TOPICS.len() + 1),
            problem_statement: "Staff spend too long finding the cases that need attention first."
                .into(),
            end_users: "Front-line staff who act on the list every morning.".into(),
            status: *rng.pick(&[
                ProjectStatus::Active,
                ProjectStatus::Active,
                ProjectStatus::Active,
                ProjectStatus::Discovery,
                ProjectStatus::Paused,
                ProjectStatus::Production,
            ]),
            lead: Some(lead),
            started_on,
            target_iteration_days: target,
            contact_threshold_days: 30,
            ml_needed,
            baseline_considered: if rng.chance(50) {
                "A rules-based checklist".into()
            } else {
                String::new()
            },
            members,
            readiness,
            sprints,
            interviews,
            feedback,
            dq_issues,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    #[test]
    fn the_large_workspace_has_the_benchmark_sizes() {
        let ws = generate(&Sizes::LARGE, 7, today());
        assert_eq!(ws.projects.len(), 200);
        assert_eq!(
            ws.projects.iter().map(|p| p.sprints.len()).sum::<usize>(),
            5_000
        );
        assert_eq!(
            ws.projects.iter().map(|p| p.feedback.len()).sum::<usize>(),
            50_000
        );
        assert_eq!(
            ws.projects
                .iter()
                .map(|p| p.interviews.len())
                .sum::<usize>(),
            10_000
        );
    }

    #[test]
    fn generation_is_deterministic() {
        let a = serde_json::to_string(&generate(&Sizes::DEMO, 42, today())).expect("json");
        let b = serde_json::to_string(&generate(&Sizes::DEMO, 42, today())).expect("json");
        let c = serde_json::to_string(&generate(&Sizes::DEMO, 43, today())).expect("json");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn more_projects_begin_with_the_same_ones() {
        let large = generate(&Sizes::LARGE, 7, today());
        let mut more = Generator::new(
            &Sizes {
                projects: 203,
                ..Sizes::LARGE
            },
            7,
            today(),
        );
        assert_eq!(more.head().users, large.users);
        let mut projects = Vec::new();
        while let Some(p) = more.next_project() {
            projects.push(p);
        }
        assert_eq!(projects.len(), 203);
        assert_eq!(more.made(), 203);
        assert_eq!(projects[..200], large.projects[..]);
        let keys: std::collections::HashSet<_> = projects.iter().map(|p| &p.key).collect();
        assert_eq!(keys.len(), 203);
        // The same people; the extra projects only add links.
        let head = more.into_head();
        assert_eq!(head.stakeholders.len(), large.stakeholders.len());
        for (a, b) in large.stakeholders.iter().zip(&head.stakeholders) {
            assert_eq!((&a.id, &a.name, a.function), (&b.id, &b.name, b.function));
            assert_eq!(a.projects[..], b.projects[..a.projects.len()]);
        }
    }

    #[test]
    fn sprints_are_valid() {
        let ws = generate(&Sizes::DEMO, 1, today());
        for p in &ws.projects {
            for s in &p.sprints {
                assert!(s.end_on >= s.start_on);
                assert!((s.end_on - s.start_on).num_days() < 42);
            }
            let keys: std::collections::HashSet<_> = ws.projects.iter().map(|p| &p.key).collect();
            assert_eq!(keys.len(), ws.projects.len());
        }
    }
}
