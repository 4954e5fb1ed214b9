//! Checks a workspace file before anything is written: every problem, with its JSON path.
//!
//! The field rules are the UI's (the domain modules' limits and checks are reused); the
//! cross-references are those of the format: users, stakeholders, projects and, within a
//! project, sprint numbers. [`Checker`] checks a file as it is read, one project at a time;
//! [`validate`] checks a workspace in memory with it.

use std::collections::{HashMap, HashSet};

use super::ImportIssue;
use domain::error::AppError;
use domain::format::{self, Project, Workspace};

/// Parses a workspace file. A syntax or type error becomes one issue at the path where it
/// happened, such as `projects[0].sprints[3].end_on`.
pub fn parse_workspace(text: &str) -> Result<Workspace, ImportIssue> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path.is_empty() || path == "." || path == "?" {
            "$".to_string()
        } else {
            path
        };
        ImportIssue::new(path, e.into_inner().to_string())
    })
}

/// The most problems an import lists; beyond that it only says how many more there are, so that
/// a file with a mistake in every record neither fills the memory nor floods the answer.
pub const MAX_ISSUES: usize = 1_000;

#[derive(Default)]
struct Check {
    issues: Vec<ImportIssue>,
    /// Problems found beyond [`MAX_ISSUES`].
    more: usize,
}

impl Check {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(ImportIssue::new(path, message));
        } else {
            self.more += 1;
        }
    }

    /// Records a domain validation error (its message) at `path`.
    fn domain(&mut self, path: &str, result: Result<impl Sized, AppError>) {
        if let Err(e) = result {
            self.push(path, e.message());
        }
    }

    fn max_len(&mut self, path: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if n > max {
            self.push(path, format!("use at most {max} characters (this has {n})"));
        }
    }

    fn required(&mut self, path: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(path, "must not be empty");
        } else {
            self.max_len(path, value, max);
        }
    }

    fn one_line(&mut self, path: &str, value: &str, max: usize) {
        self.max_len(path, value, max);
        if value.trim().chars().any(char::is_control) {
            self.push(path, "use a single line of text");
        }
    }

    fn id(&mut self, path: &str, id: &str, seen: &mut HashSet<String>, kind: &str) {
        if id.trim().is_empty() {
            self.push(path, "must not be empty");
        } else if !seen.insert(id.to_string()) {
            self.push(path, format!("duplicate {kind} id `{id}`"));
        }
    }

    fn reference(&mut self, path: &str, id: &str, known: &HashSet<String>, kind: &str) {
        if !known.contains(id) {
            self.push(path, format!("unknown {kind} `{id}`"));
        }
    }

    fn zone(&mut self, path: &str, zone: &str) {
        if domain::workspace::parse_time_zone("time_zone", zone).is_err() {
            self.push(path, format!("unknown time zone `{zone}`"));
        }
    }
}

/// Checks a parsed workspace and returns every problem found (empty: it may be imported).
pub fn validate(ws: &Workspace) -> Vec<ImportIssue> {
    let mut checker = Checker::default();
    for (i, p) in ws.projects.iter().enumerate() {
        checker.project(ws, true, i, p);
    }
    checker.finish(ws).issues
}

/// The ids of the users and stakeholders of a file, which its projects refer to.
struct People {
    users: HashSet<String>,
    stakeholders: HashSet<String>,
}

impl People {
    fn of(head: &Workspace) -> Self {
        Self {
            users: head.users.iter().map(|u| u.id.clone()).collect(),
            stakeholders: head.stakeholders.iter().map(|s| s.id.clone()).collect(),
        }
    }
}

/// A project of the file: its local id and its key.
#[derive(Clone, Debug)]
pub(crate) struct ProjectRef {
    pub id: String,
    pub key: String,
}

/// What checking a whole file found.
pub(crate) struct Checked {
    /// Every problem (at most [`MAX_ISSUES`], then one that counts the rest).
    pub issues: Vec<ImportIssue>,
    /// The file's projects in order.
    pub projects: Vec<ProjectRef>,
    /// Where a record needs a user to be recorded by and names none (retro items, issues
    /// without a reporter, in projects without a lead or members): a problem only when neither
    /// the file nor the workspace has any user.
    pub needs_user: Vec<ImportIssue>,
}

/// Checks a workspace as it is read, one project at a time, so that a file need not be whole in
/// memory: [`Checker::project`] for each project in order, then [`Checker::finish`] with the rest
/// of the file. It keeps only ids: the projects' ids and keys, and the ids of interviews,
/// feedback and issues (unique across the file).
///
/// A project's contents refer to users and stakeholders. When a file lists those after its
/// projects, the contents cannot be checked on the first reading: [`Checker::deferred`] then
/// says so, and the projects are read once more and given to [`Checker::contents`].
#[derive(Default)]
pub(crate) struct Checker {
    /// Problems of the projects, in file order.
    found: Check,
    project_ids: HashSet<String>,
    keys: HashMap<String, usize>,
    projects: Vec<ProjectRef>,
    people: Option<People>,
    deferred: bool,
    interview_ids: HashSet<String>,
    feedback_ids: HashSet<String>,
    dq_ids: HashSet<String>,
    needs_user: Vec<ImportIssue>,
}

impl Checker {
    /// Checks project `i`: its id and key, and its contents when `people_known` (the users and
    /// stakeholders of `head` are complete).
    pub(crate) fn project(&mut self, head: &Workspace, people_known: bool, i: usize, p: &Project) {
        let c = &mut self.found;
        c.id(
            &format!("projects[{i}].id"),
            &p.id,
            &mut self.project_ids,
            "project",
        );
        match domain::projects::validate_key(&p.key) {
            Ok(key) if key != p.key => c.push(
                format!("projects[{i}].key"),
                "remove the spaces around the key",
            ),
            Ok(_) => {
                if let Some(first) = self.keys.get(p.key.as_str()) {
                    c.push(
                        format!("projects[{i}].key"),
                        format!("duplicate project key `{}` (also projects[{first}])", p.key),
                    );
                } else {
                    self.keys.insert(p.key.clone(), i);
                }
            }
            Err(e) => c.push(format!("projects[{i}].key"), e.message()),
        }
        self.projects.push(ProjectRef {
            id: p.id.clone(),
            key: p.key.clone(),
        });
        if self.people.is_none() && people_known && !self.deferred {
            self.people = Some(People::of(head));
        }
        if self.people.is_some() {
            self.contents(head, i, p);
        } else {
            self.deferred = true;
        }
    }

    /// Whether the contents of the projects are still to be checked with [`Checker::contents`].
    pub(crate) fn deferred(&self) -> bool {
        self.deferred
    }

    /// Checks the contents of project `i` against the users and stakeholders of `head`.
    pub(crate) fn contents(&mut self, head: &Workspace, i: usize, p: &Project) {
        let people = self.people.get_or_insert_with(|| People::of(head));
        project(
            &mut self.found,
            &format!("projects[{i}]"),
            p,
            people,
            (
                &mut self.interview_ids,
                &mut self.feedback_ids,
                &mut self.dq_ids,
            ),
        );
        if p.lead.is_none() && p.members.is_empty() && self.needs_user.len() < MAX_ISSUES {
            for (j, s) in p.sprints.iter().enumerate() {
                if s.retro.as_ref().is_some_and(|r| !r.items.is_empty()) {
                    self.needs_user.push(ImportIssue::new(
                        format!("projects[{i}].sprints[{j}].retro.items"),
                        "retro items need a user to be recorded by, and the workspace has none",
                    ));
                }
            }
            for (j, d) in p.dq_issues.iter().enumerate() {
                if d.reporter.is_none() {
                    self.needs_user.push(ImportIssue::new(
                        format!("projects[{i}].dq_issues[{j}].reporter"),
                        "needs a reporting user, and the workspace has none",
                    ));
                }
            }
        }
    }

    /// Checks the rest of the file (`head`: everything but the projects) and returns what the
    /// whole check found: the problems of the head first, then those of the projects.
    pub(crate) fn finish(self, head: &Workspace) -> Checked {
        let mut c = head_issues(head, &self.project_ids);
        let more = c.more + self.found.more;
        c.issues.extend(self.found.issues);
        let dropped = c.issues.len().saturating_sub(MAX_ISSUES) + more;
        c.issues.truncate(MAX_ISSUES);
        if dropped > 0 {
            c.issues.push(ImportIssue::new(
                "$",
                format!("and {dropped} more problem(s), not listed"),
            ));
        }
        Checked {
            issues: c.issues,
            projects: self.projects,
            needs_user: self.needs_user,
        }
    }
}

/// The problems of everything but the projects: format, version, settings, users and
/// stakeholders (whose links name project ids).
fn head_issues(ws: &Workspace, projects: &HashSet<String>) -> Check {
    let mut c = Check::default();
    if ws.format != format::FORMAT_NAME {
        c.push(
            "format",
            format!("expected `{}`, found `{}`", format::FORMAT_NAME, ws.format),
        );
    }
    if ws.version != format::FORMAT_VERSION {
        c.push(
            "version",
            format!(
                "this version of Touchpoint reads version {}, not {}",
                format::FORMAT_VERSION,
                ws.version
            ),
        );
    }
    c.zone("settings.time_zone", &ws.settings.time_zone);

    // Users.
    let mut seen = HashSet::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for (i, u) in ws.users.iter().enumerate() {
        let path = format!("users[{i}]");
        c.id(&format!("{path}.id"), &u.id, &mut seen, "user");
        match domain::auth::validate_email(&u.email) {
            Ok(email) => {
                if let Some(first) = emails.insert(email, i) {
                    c.push(
                        format!("{path}.email"),
                        format!("duplicate email (also users[{first}])"),
                    );
                }
            }
            Err(e) => c.push(format!("{path}.email"), e.message()),
        }
        // A missing name is allowed by the format (the import uses the email's local part).
        if !u.name.trim().is_empty() {
            c.domain(
                &format!("{path}.name"),
                domain::auth::validate_name(&u.name),
            );
        }
    }

    // Stakeholders.
    let mut seen = HashSet::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for (i, s) in ws.stakeholders.iter().enumerate() {
        let path = format!("stakeholders[{i}]");
        c.id(&format!("{path}.id"), &s.id, &mut seen, "stakeholder");
        // An empty name marks an erased stakeholder.
        c.one_line(&format!("{path}.name"), &s.name, 120);
        if let Some(email) = s.email.as_deref().filter(|e| !e.trim().is_empty()) {
            match domain::auth::validate_email(email) {
                Ok(email) => {
                    if let Some(first) = emails.insert(email, i) {
                        c.push(
                            format!("{path}.email"),
                            format!("duplicate email (also stakeholders[{first}])"),
                        );
                    }
                }
                Err(e) => c.push(format!("{path}.email"), e.message()),
            }
        }
        c.one_line(&format!("{path}.organization"), &s.organization, 120);
        c.one_line(&format!("{path}.title"), &s.title, 120);
        c.max_len(
            &format!("{path}.notes"),
            &s.notes,
            domain::stakeholders::MAX_NOTES,
        );
        for (j, p) in s.projects.iter().enumerate() {
            c.reference(&format!("{path}.projects[{j}]"), p, projects, "project");
        }
        if !s.attributes.is_empty() {
            if s.consented_on.is_none() {
                c.push(
                    format!("{path}.attributes"),
                    "self-described attributes are kept only with a consent date (consented_on)",
                );
            }
            if s.attributes.len() > domain::stakeholders::MAX_ATTRIBUTES {
                c.push(
                    format!("{path}.attributes"),
                    format!(
                        "record at most {} attributes",
                        domain::stakeholders::MAX_ATTRIBUTES
                    ),
                );
            }
            for (k, v) in &s.attributes {
                if k.trim().is_empty()
                    || v.trim().is_empty()
                    || k.chars().count() > 40
                    || v.chars().count() > 120
                {
                    c.push(
                        format!("{path}.attributes.{k}"),
                        "each attribute needs a dimension (at most 40 characters) and a value (at most 120)",
                    );
                }
            }
        }
    }
    c
}

type IdSets<'a> = (
    &'a mut HashSet<String>,
    &'a mut HashSet<String>,
    &'a mut HashSet<String>,
);

fn project(
    c: &mut Check,
    path: &str,
    p: &Project,
    people: &People,
    (interview_ids, feedback_ids, dq_ids): IdSets<'_>,
) {
    use domain::projects::MAX_TEXT;
    let (users, stakeholders) = (&people.users, &people.stakeholders);
    c.required(&format!("{path}.name"), &p.name, 120);
    c.max_len(
        &format!("{path}.problem_statement"),
        &p.problem_statement,
        MAX_TEXT,
    );
    c.max_len(&format!("{path}.end_users"), &p.end_users, MAX_TEXT);
    c.max_len(
        &format!("{path}.baseline_considered"),
        &p.baseline_considered,
        MAX_TEXT,
    );
    if !(1..=42).contains(&p.target_iteration_days) {
        c.push(
            format!("{path}.target_iteration_days"),
            "must be from 1 to 42",
        );
    }
    if !(1..=365).contains(&p.contact_threshold_days) {
        c.push(
            format!("{path}.contact_threshold_days"),
            "must be from 1 to 365",
        );
    }
    if let Some(lead) = &p.lead {
        c.reference(&format!("{path}.lead"), lead, users, "user");
    }
    let mut members = HashSet::new();
    for (j, m) in p.members.iter().enumerate() {
        c.reference(&format!("{path}.members[{j}].user"), &m.user, users, "user");
        if !members.insert(m.user.as_str()) {
            c.push(
                format!("{path}.members[{j}].user"),
                format!("user `{}` is a member twice", m.user),
            );
        }
    }
    for (item, entry) in &p.readiness {
        let at = format!("{path}.readiness.{item}");
        if !format::READINESS_KEYS.contains(&item.as_str()) {
            c.push(&at, "not an item of the readiness checklist");
        }
        if let Some(owner) = &entry.owner {
            c.reference(&format!("{at}.owner"), owner, users, "user");
        }
        c.max_len(
            &format!("{at}.note"),
            &entry.note,
            domain::quality::MAX_NOTE,
        );
    }

    // Sprints.
    let mut numbers: HashMap<u32, usize> = HashMap::new();
    for (j, s) in p.sprints.iter().enumerate() {
        let at = format!("{path}.sprints[{j}]");
        if s.number == 0 {
            c.push(format!("{at}.number"), "must be 1 or more");
        } else if let Some(first) = numbers.insert(s.number, j) {
            c.push(
                format!("{at}.number"),
                format!(
                    "duplicate sprint number {} (also sprints[{first}])",
                    s.number
                ),
            );
        }
    }
    for (j, s) in p.sprints.iter().enumerate() {
        sprint(c, &format!("{path}.sprints[{j}]"), s, users, stakeholders);
    }
    let sprint_exists = |n: u32| numbers.contains_key(&n);

    // Interviews.
    for (j, iv) in p.interviews.iter().enumerate() {
        let at = format!("{path}.interviews[{j}]");
        c.id(&format!("{at}.id"), &iv.id, interview_ids, "interview");
        if iv.participants.len() > domain::interviews::MAX_PARTICIPANTS {
            c.push(
                format!("{at}.participants"),
                format!(
                    "at most {} participants",
                    domain::interviews::MAX_PARTICIPANTS
                ),
            );
        }
        for (k, s) in iv.participants.iter().enumerate() {
            c.reference(
                &format!("{at}.participants[{k}]"),
                s,
                stakeholders,
                "stakeholder",
            );
        }
        if iv.interviewers.len() > domain::interviews::MAX_INTERVIEWERS {
            c.push(
                format!("{at}.interviewers"),
                format!(
                    "at most {} interviewers",
                    domain::interviews::MAX_INTERVIEWERS
                ),
            );
        }
        for (k, u) in iv.interviewers.iter().enumerate() {
            c.reference(&format!("{at}.interviewers[{k}]"), u, users, "user");
        }
        if let Some(zone) = iv.time_zone.as_deref().filter(|z| !z.trim().is_empty()) {
            c.zone(&format!("{at}.time_zone"), zone);
        }
        if let Some(d) = iv.duration_min
            && !(domain::interviews::MIN_DURATION..=domain::interviews::MAX_DURATION).contains(&d)
        {
            c.push(
                format!("{at}.duration_min"),
                format!(
                    "must be from {} to {} minutes",
                    domain::interviews::MIN_DURATION,
                    domain::interviews::MAX_DURATION
                ),
            );
        }
        c.max_len(
            &format!("{at}.notes"),
            &iv.notes,
            domain::interviews::MAX_NOTES,
        );
        if iv.insights.len() > domain::interviews::MAX_INSIGHTS {
            c.push(
                format!("{at}.insights"),
                format!("at most {} insights", domain::interviews::MAX_INSIGHTS),
            );
        }
        for (k, insight) in iv.insights.iter().enumerate() {
            let ip = format!("{at}.insights[{k}]");
            c.max_len(
                &format!("{ip}.text"),
                &insight.text,
                domain::interviews::MAX_INSIGHT,
            );
            if insight.tags.len() > domain::interviews::MAX_TAGS {
                c.push(
                    format!("{ip}.tags"),
                    format!("at most {} tags", domain::interviews::MAX_TAGS),
                );
            }
            for (t, tag) in insight.tags.iter().enumerate() {
                let tp = format!("{ip}.tags[{t}]");
                if tag.trim().is_empty() {
                    c.push(&tp, "must not be empty");
                }
                c.one_line(&tp, tag, domain::interviews::MAX_TAG_LEN);
            }
        }
    }

    // Feedback.
    for (j, f) in p.feedback.iter().enumerate() {
        let at = format!("{path}.feedback[{j}]");
        c.id(&format!("{at}.id"), &f.id, feedback_ids, "feedback");
        if let Some(n) = f.sprint
            && !sprint_exists(n)
        {
            c.push(
                format!("{at}.sprint"),
                format!("no sprint {n} in this project"),
            );
        }
        if let Some(n) = f.addressed_in {
            if !sprint_exists(n) {
                c.push(
                    format!("{at}.addressed_in"),
                    format!("no sprint {n} in this project"),
                );
            }
            if !matches!(
                f.status,
                format::FeedbackStatus::Planned | format::FeedbackStatus::Addressed
            ) {
                c.push(
                    format!("{at}.addressed_in"),
                    "only planned or addressed feedback names the sprint that addressed it",
                );
            }
        }
        if let Some(s) = &f.stakeholder {
            c.reference(&format!("{at}.stakeholder"), s, stakeholders, "stakeholder");
        }
        if let Some(name) = &f.author_name {
            c.one_line(
                &format!("{at}.author_name"),
                name,
                domain::feedback::MAX_AUTHOR_NAME,
            );
        }
        if let Some(r) = f.rating
            && !(1..=5).contains(&r)
        {
            c.push(format!("{at}.rating"), "must be from 1 to 5");
        }
        c.max_len(&format!("{at}.body"), &f.body, domain::feedback::MAX_BODY);
        if f.body.contains('\0') {
            c.push(format!("{at}.body"), "contains a NUL character");
        }
        if let Some(r) = &f.response {
            c.max_len(&format!("{at}.response"), r, domain::feedback::MAX_RESPONSE);
        }
    }

    // Data-quality issues.
    for (j, d) in p.dq_issues.iter().enumerate() {
        let at = format!("{path}.dq_issues[{j}]");
        c.id(&format!("{at}.id"), &d.id, dq_ids, "data-quality issue");
        c.max_len(
            &format!("{at}.dataset"),
            &d.dataset,
            domain::quality::MAX_DATASET,
        );
        c.max_len(
            &format!("{at}.description"),
            &d.description,
            domain::quality::MAX_DESCRIPTION,
        );
        if let Some(u) = &d.reporter {
            c.reference(&format!("{at}.reporter"), u, users, "user");
        }
        if let Some(s) = &d.source_owner {
            c.reference(
                &format!("{at}.source_owner"),
                s,
                stakeholders,
                "stakeholder",
            );
        }
        if d.reported_upstream_on.is_some_and(|x| x < d.opened_on) {
            c.push(format!("{at}.reported_upstream_on"), "before opened_on");
        }
        match (d.status.is_closed(), d.resolved_on) {
            (true, None) => c.push(
                format!("{at}.resolved_on"),
                format!("required when the status is {}", d.status.as_str()),
            ),
            (false, Some(_)) => c.push(
                format!("{at}.resolved_on"),
                "only resolved or won't-fix issues have this date",
            ),
            (true, Some(r)) if r < d.opened_on => {
                c.push(format!("{at}.resolved_on"), "before opened_on");
            }
            _ => {}
        }
    }
}

fn sprint(
    c: &mut Check,
    at: &str,
    s: &format::Sprint,
    users: &HashSet<String>,
    stakeholders: &HashSet<String>,
) {
    use domain::sprints::{MAX_COUNT, MAX_ITEM, MAX_MARKDOWN, MAX_NAME, MAX_SPRINT_DAYS, MAX_TEXT};
    c.max_len(&format!("{at}.name"), &s.name, MAX_NAME);
    c.max_len(&format!("{at}.goal"), &s.goal, MAX_TEXT);
    c.max_len(&format!("{at}.notes"), &s.notes, MAX_TEXT);
    if s.end_on < s.start_on {
        c.push(format!("{at}.end_on"), "before start_on");
    } else {
        let days = domain::sprints::sprint_length(s.start_on, s.end_on);
        if days > MAX_SPRINT_DAYS {
            c.push(
                format!("{at}.end_on"),
                format!("a sprint lasts at most {MAX_SPRINT_DAYS} days; this one lasts {days}"),
            );
        }
    }
    for (field, value) in [("committed", s.committed), ("completed", s.completed)] {
        if value.is_some_and(|n| n > MAX_COUNT) {
            c.push(
                format!("{at}.{field}"),
                format!("must be at most {MAX_COUNT}"),
            );
        }
    }
    if let Some(r) = &s.review {
        for (k, u) in r.attendee_users.iter().enumerate() {
            c.reference(
                &format!("{at}.review.attendee_users[{k}]"),
                u,
                users,
                "user",
            );
        }
        for (k, x) in r.attendee_stakeholders.iter().enumerate() {
            c.reference(
                &format!("{at}.review.attendee_stakeholders[{k}]"),
                x,
                stakeholders,
                "stakeholder",
            );
        }
        c.max_len(&format!("{at}.review.summary"), &r.summary, MAX_MARKDOWN);
        c.max_len(
            &format!("{at}.review.decisions"),
            &r.decisions,
            MAX_MARKDOWN,
        );
    }
    if let Some(r) = &s.retro {
        let columns = r.format.columns();
        for (k, item) in r.items.iter().enumerate() {
            let ip = format!("{at}.retro.items[{k}]");
            if !columns.contains(&item.column) {
                c.push(
                    format!("{ip}.column"),
                    format!(
                        "`{}` is not a column of the {} format",
                        item.column.as_str(),
                        r.format.as_str()
                    ),
                );
            }
            c.max_len(&format!("{ip}.text"), &item.text, MAX_ITEM);
        }
        if r.health.len() > domain::sprints::MAX_HEALTH_QUESTIONS {
            c.push(
                format!("{at}.retro.health"),
                format!(
                    "at most {} questions",
                    domain::sprints::MAX_HEALTH_QUESTIONS
                ),
            );
        }
        for (k, h) in r.health.iter().enumerate() {
            let hp = format!("{at}.retro.health[{k}]");
            c.max_len(&format!("{hp}.question"), &h.question, MAX_ITEM);
            for (n, score) in h.scores.iter().enumerate() {
                if !(1..=5).contains(score) {
                    c.push(format!("{hp}.scores[{n}]"), "must be from 1 to 5");
                }
            }
        }
        for (k, a) in r.action_items.iter().enumerate() {
            let ap = format!("{at}.retro.action_items[{k}]");
            c.max_len(&format!("{ap}.text"), &a.text, MAX_ITEM);
            if let Some(owner) = &a.owner {
                c.reference(&format!("{ap}.owner"), owner, users, "user");
            }
            if let Some(due) = a.due_sprint
                && !(1..=MAX_COUNT).contains(&due)
            {
                c.push(
                    format!("{ap}.due_sprint"),
                    format!("must be from 1 to {MAX_COUNT}"),
                );
            }
            if a.status == format::ActionStatus::Open && a.closed_on.is_some() {
                c.push(
                    format!("{ap}.closed_on"),
                    "an open action item has no closing day",
                );
            }
        }
    }
}
