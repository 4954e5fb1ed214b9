//! The Touchpoint workspace format, version 1, and the domain enums it uses.
//!
//! The format is the nested JSON document that `touchpoint export` writes and `touchpoint import`
//! reads (see `workspace-format.md`). Keys that the format allows to be absent take the defaults of
//! the design; a `null` where a default exists is read as that default. Unknown keys are ignored.
//!
//! The enums defined here are the domain enums of the whole app: they serialise as the
//! `snake_case` strings of the format and offer `as_str()`, `label()` and `ALL`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

mod enums;
pub mod generate;
pub use enums::*;

/// The value of the top-level `format` key.
pub const FORMAT_NAME: &str = "touchpoint-workspace";

/// The format version these types read and write.
pub const FORMAT_VERSION: u32 = 1;

/// Reads a value that may be `null`, giving the type's default for `null`.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The error returned when a string names no value of a domain enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enum that was parsed, e.g. `Function`.
    pub kind: &'static str,
    /// The string that was given.
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`", self.kind, self.value)
    }
}

impl std::error::Error for UnknownValue {}

fn default_format() -> String {
    FORMAT_NAME.to_owned()
}

fn default_version() -> u32 {
    FORMAT_VERSION
}

fn default_true() -> bool {
    true
}

fn default_time_zone() -> String {
    "UTC".to_owned()
}

fn default_target_iteration_days() -> u32 {
    14
}

fn default_contact_threshold_days() -> u32 {
    30
}

/// A whole workspace in format v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Workspace))]
pub struct Workspace {
    /// Always `touchpoint-workspace`.
    #[serde(default = "default_format")]
    pub format: String,
    /// Always 1 for these types.
    #[serde(default = "default_version")]
    pub version: u32,
    /// Workspace settings.
    #[serde(default, deserialize_with = "nullable")]
    pub settings: Settings,
    /// Users, without credentials.
    #[serde(default, deserialize_with = "nullable")]
    pub users: Vec<User>,
    /// The stakeholder directory.
    #[serde(default, deserialize_with = "nullable")]
    pub stakeholders: Vec<Stakeholder>,
    /// Projects with everything that belongs to them.
    #[serde(default, deserialize_with = "nullable")]
    pub projects: Vec<Project>,
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            format: default_format(),
            version: FORMAT_VERSION,
            settings: Settings::default(),
            users: Vec::new(),
            stakeholders: Vec::new(),
            projects: Vec::new(),
        }
    }
}

/// Workspace settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Settings))]
pub struct Settings {
    /// The IANA time zone in which timestamps become dates (default `UTC`).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_zone: default_time_zone(),
        }
    }
}

/// A user, without credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::User))]
pub struct User {
    /// File-local id.
    pub id: String,
    /// Email, unique in a workspace.
    #[serde(default, deserialize_with = "nullable")]
    pub email: String,
    /// Display name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Workspace role (default `member`).
    #[serde(default, deserialize_with = "nullable")]
    pub role: WorkspaceRole,
    /// Whether the user may log in (default `true`).
    #[serde(default = "default_true")]
    pub active: bool,
}

/// A person in the stakeholder directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Stakeholder))]
pub struct Stakeholder {
    /// File-local id.
    pub id: String,
    /// Name (empty once erased).
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Email, unique when present.
    #[serde(default)]
    pub email: Option<String>,
    /// Organization.
    #[serde(default, deserialize_with = "nullable")]
    pub organization: String,
    /// Job title.
    #[serde(default, deserialize_with = "nullable")]
    pub title: String,
    /// Function in the taxonomy (required).
    pub function: Function,
    /// Ids of the projects the stakeholder is linked to.
    #[serde(default, deserialize_with = "nullable")]
    pub projects: Vec<String>,
    /// Self-described attributes (dimension → value), kept only with consent.
    #[serde(default, deserialize_with = "nullable")]
    pub attributes: BTreeMap<String, String>,
    /// The date consent for the attributes was recorded.
    #[serde(default)]
    pub consented_on: Option<NaiveDate>,
    /// Free notes.
    #[serde(default, deserialize_with = "nullable")]
    pub notes: String,
}

/// A project with everything that belongs to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Project))]
pub struct Project {
    /// File-local id.
    pub id: String,
    /// Unique slug, never changes.
    pub key: String,
    /// Name.
    pub name: String,
    /// Problem statement.
    #[serde(default, deserialize_with = "nullable")]
    pub problem_statement: String,
    /// Description of the end users.
    #[serde(default, deserialize_with = "nullable")]
    pub end_users: String,
    /// Status (default `active`).
    #[serde(default, deserialize_with = "nullable")]
    pub status: ProjectStatus,
    /// Id of the accountable user.
    #[serde(default)]
    pub lead: Option<String>,
    /// The day the project started.
    pub started_on: NaiveDate,
    /// Target sprint length in days, 1–42 (default 14).
    #[serde(default = "default_target_iteration_days")]
    pub target_iteration_days: u32,
    /// Days without end-user contact before contact is stale, 1–365 (default 30).
    #[serde(default = "default_contact_threshold_days")]
    pub contact_threshold_days: u32,
    /// Whether ML is needed (default `unknown`).
    #[serde(default, deserialize_with = "nullable")]
    pub ml_needed: MlNeeded,
    /// The simpler baseline that was considered.
    #[serde(default, deserialize_with = "nullable")]
    pub baseline_considered: String,
    /// Memberships.
    #[serde(default, deserialize_with = "nullable")]
    pub members: Vec<Member>,
    /// Readiness items present, keyed by item key (see [`READINESS_KEYS`]); a missing item is
    /// not done.
    #[serde(default, deserialize_with = "nullable")]
    pub readiness: BTreeMap<String, ReadinessEntry>,
    /// Sprints with their reviews and retros.
    #[serde(default, deserialize_with = "nullable")]
    pub sprints: Vec<Sprint>,
    /// Interviews.
    #[serde(default, deserialize_with = "nullable")]
    pub interviews: Vec<Interview>,
    /// Feedback items.
    #[serde(default, deserialize_with = "nullable")]
    pub feedback: Vec<Feedback>,
    /// Data-quality issues.
    #[serde(default, deserialize_with = "nullable")]
    pub dq_issues: Vec<DqIssue>,
}

impl Project {
    /// The number of the eight readiness items that are done.
    pub fn readiness_done(&self) -> u32 {
        let done = READINESS_KEYS
            .iter()
            .filter(|key| self.readiness.get(**key).is_some_and(|entry| entry.done))
            .count();
        u32::try_from(done).unwrap_or(u32::MAX)
    }
}

/// A membership of a user in a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Member))]
pub struct Member {
    /// User id.
    pub user: String,
    /// Role in the project (default `member`).
    #[serde(default, deserialize_with = "nullable")]
    pub role: MemberRole,
}

/// One readiness checklist item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::ReadinessEntry))]
pub struct ReadinessEntry {
    /// Whether it is done (default `false`).
    #[serde(default, deserialize_with = "nullable")]
    pub done: bool,
    /// Id of the user who owns it.
    #[serde(default)]
    pub owner: Option<String>,
    /// Note.
    #[serde(default, deserialize_with = "nullable")]
    pub note: String,
}

/// A sprint, with its review and retro if they were held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Sprint))]
pub struct Sprint {
    /// Sequential number within the project.
    pub number: u32,
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Goal.
    #[serde(default, deserialize_with = "nullable")]
    pub goal: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day, inclusive.
    pub end_on: NaiveDate,
    /// Committed items.
    #[serde(default)]
    pub committed: Option<u32>,
    /// Completed items.
    #[serde(default)]
    pub completed: Option<u32>,
    /// Notes.
    #[serde(default, deserialize_with = "nullable")]
    pub notes: String,
    /// The review, if one was held.
    #[serde(default)]
    pub review: Option<Review>,
    /// The retrospective, if one was held.
    #[serde(default)]
    pub retro: Option<Retro>,
}

/// A sprint review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Review))]
pub struct Review {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Ids of attending users.
    #[serde(default, deserialize_with = "nullable")]
    pub attendee_users: Vec<String>,
    /// Ids of attending stakeholders.
    #[serde(default, deserialize_with = "nullable")]
    pub attendee_stakeholders: Vec<String>,
    /// Demo summary.
    #[serde(default, deserialize_with = "nullable")]
    pub summary: String,
    /// Decisions.
    #[serde(default, deserialize_with = "nullable")]
    pub decisions: String,
    /// Outcome.
    #[serde(default)]
    pub outcome: Option<ReviewOutcome>,
}

/// A sprint retrospective.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Retro))]
pub struct Retro {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Format (default `start_stop_continue`).
    #[serde(default, deserialize_with = "nullable")]
    pub format: RetroFormat,
    /// Board items.
    #[serde(default, deserialize_with = "nullable")]
    pub items: Vec<RetroItem>,
    /// Anonymous health check.
    #[serde(default, deserialize_with = "nullable")]
    pub health: Vec<HealthQuestion>,
    /// Action items decided at this retro.
    #[serde(default, deserialize_with = "nullable")]
    pub action_items: Vec<ActionItem>,
}

/// An item on a retro board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::RetroItem))]
pub struct RetroItem {
    /// Column, one of the format's columns.
    pub column: RetroColumn,
    /// Text.
    #[serde(default, deserialize_with = "nullable")]
    pub text: String,
    /// Votes received.
    #[serde(default, deserialize_with = "nullable")]
    pub votes: u32,
}

/// One question of a retro health check with its anonymous scores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::HealthQuestion))]
pub struct HealthQuestion {
    /// The question.
    #[serde(default, deserialize_with = "nullable")]
    pub question: String,
    /// Scores from 1 to 5.
    #[serde(default, deserialize_with = "nullable")]
    pub scores: Vec<u8>,
}

/// A retrospective action item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::ActionItem))]
pub struct ActionItem {
    /// Text.
    #[serde(default, deserialize_with = "nullable")]
    pub text: String,
    /// Id of the owning user.
    #[serde(default)]
    pub owner: Option<String>,
    /// The sprint number it is due in; may name a sprint that does not exist yet.
    #[serde(default)]
    pub due_sprint: Option<u32>,
    /// Status (default `open`).
    #[serde(default, deserialize_with = "nullable")]
    pub status: ActionStatus,
    /// The day it was closed.
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
}

/// An HCD interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Interview))]
pub struct Interview {
    /// File-local id.
    pub id: String,
    /// Stakeholder ids.
    #[serde(default, deserialize_with = "nullable")]
    pub participants: Vec<String>,
    /// User ids.
    #[serde(default, deserialize_with = "nullable")]
    pub interviewers: Vec<String>,
    /// Start time (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// The interview's own time zone, for display only.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Planned duration in minutes.
    #[serde(default)]
    pub duration_min: Option<u32>,
    /// Kind (default `discovery`).
    #[serde(default, deserialize_with = "nullable")]
    pub kind: InterviewKind,
    /// Status (default `scheduled`).
    #[serde(default, deserialize_with = "nullable")]
    pub status: InterviewStatus,
    /// Notes (Markdown).
    #[serde(default, deserialize_with = "nullable")]
    pub notes: String,
    /// Insights.
    #[serde(default, deserialize_with = "nullable")]
    pub insights: Vec<Insight>,
}

/// An insight from an interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Insight))]
pub struct Insight {
    /// Text.
    #[serde(default, deserialize_with = "nullable")]
    pub text: String,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
}

/// A feedback item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::Feedback))]
pub struct Feedback {
    /// File-local id.
    pub id: String,
    /// The sprint number it is about, if any.
    #[serde(default)]
    pub sprint: Option<u32>,
    /// The authoring stakeholder's id, if in the directory.
    #[serde(default)]
    pub stakeholder: Option<String>,
    /// The name a link author gave.
    #[serde(default)]
    pub author_name: Option<String>,
    /// The function a link author gave; with neither this nor a stakeholder, `other`.
    #[serde(default)]
    pub author_function: Option<Function>,
    /// Channel (default `link`).
    #[serde(default, deserialize_with = "nullable")]
    pub channel: Channel,
    /// Submission time (UTC).
    pub submitted_at: DateTime<Utc>,
    /// Rating 1–5.
    #[serde(default)]
    pub rating: Option<u8>,
    /// Body, at most 5,000 characters.
    #[serde(default, deserialize_with = "nullable")]
    pub body: String,
    /// Category (default `other`).
    #[serde(default, deserialize_with = "nullable")]
    pub category: FeedbackCategory,
    /// Triage status (default `new`).
    #[serde(default, deserialize_with = "nullable")]
    pub status: FeedbackStatus,
    /// The sprint number in which it was addressed.
    #[serde(default)]
    pub addressed_in: Option<u32>,
    /// The team's response, visible to the author.
    #[serde(default)]
    pub response: Option<String>,
}

/// A data-quality issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = format::DqIssue))]
pub struct DqIssue {
    /// File-local id.
    pub id: String,
    /// Dataset name.
    #[serde(default, deserialize_with = "nullable")]
    pub dataset: String,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// Dimension.
    #[serde(default)]
    pub dimension: Option<DqDimension>,
    /// Severity.
    pub severity: DqSeverity,
    /// Id of the reporting user.
    #[serde(default)]
    pub reporter: Option<String>,
    /// Id of the stakeholder owning the source.
    #[serde(default)]
    pub source_owner: Option<String>,
    /// The day it was opened.
    pub opened_on: NaiveDate,
    /// The day it was reported to the source owner.
    #[serde(default)]
    pub reported_upstream_on: Option<NaiveDate>,
    /// Status (default `open`).
    #[serde(default, deserialize_with = "nullable")]
    pub status: DqStatus,
    /// The day it was resolved or declared won't-fix.
    #[serde(default)]
    pub resolved_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_enum<T>(all: &[T])
    where
        T: Copy
            + fmt::Display
            + FromStr
            + Serialize
            + for<'de> Deserialize<'de>
            + PartialEq
            + fmt::Debug,
        <T as FromStr>::Err: fmt::Debug,
    {
        for value in all {
            let json = serde_json::to_string(value).expect("serialise");
            assert_eq!(json, format!("\"{value}\""));
            let back: T = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, *value);
            let parsed: T = value.to_string().parse().expect("parse");
            assert_eq!(parsed, *value);
        }
    }

    #[test]
    fn enum_names_match_serde() {
        check_enum(ProjectStatus::ALL);
        check_enum(WorkspaceRole::ALL);
        check_enum(MemberRole::ALL);
        check_enum(Function::ALL);
        check_enum(MlNeeded::ALL);
        check_enum(ReviewOutcome::ALL);
        check_enum(RetroFormat::ALL);
        check_enum(RetroColumn::ALL);
        check_enum(ActionStatus::ALL);
        check_enum(InterviewKind::ALL);
        check_enum(InterviewStatus::ALL);
        check_enum(Channel::ALL);
        check_enum(FeedbackCategory::ALL);
        check_enum(FeedbackStatus::ALL);
        check_enum(DqDimension::ALL);
        check_enum(DqSeverity::ALL);
        check_enum(DqStatus::ALL);
        check_enum(ReadinessItem::ALL);
    }

    #[test]
    fn taxonomy_has_ten_functions() {
        assert_eq!(Function::ALL.len(), 10);
        assert_eq!(Function::EndUser.as_str(), "end_user");
        assert_eq!(Function::ComplianceLegal.label(), "Compliance & legal");
        assert_eq!(
            "nurse".parse::<Function>(),
            Err(UnknownValue {
                kind: "Function",
                value: "nurse".into()
            })
        );
    }

    #[test]
    fn readiness_keys_match_items() {
        let keys: Vec<&str> = ReadinessItem::ALL
            .iter()
            .map(|item| item.as_str())
            .collect();
        assert_eq!(keys, READINESS_KEYS);
    }

    #[test]
    fn retro_columns_per_format() {
        assert_eq!(RetroFormat::WentWellToImprove.columns().len(), 2);
        assert_eq!(RetroFormat::FourLs.columns()[3], RetroColumn::LongedFor);
    }

    #[test]
    fn minimal_project_takes_defaults() {
        let json = r#"{
            "projects": [ { "id": "p1", "key": "demo", "name": "Demo", "started_on": "2026-01-05",
              "status": null,
              "readiness": { "containerized": { "done": true }, "unknown_item": { "done": true } },
              "sprints": [ { "number": 1, "start_on": "2026-01-05", "end_on": "2026-01-18",
                             "review": null,
                             "retro": { "held_on": "2026-01-19",
                                        "action_items": [ { "due_sprint": 2 } ] } } ],
              "feedback": [ { "id": "f1", "submitted_at": "2026-01-20T09:30:00Z",
                              "extra_key": 1 } ],
              "dq_issues": [ { "id": "d1", "severity": "high", "opened_on": "2026-02-01" } ] } ],
            "users": [ { "id": "u1", "email": "a@example.org", "name": "A" } ],
            "stakeholders": [ { "id": "s1", "function": "end_user", "email": null } ]
        }"#;
        let ws: Workspace = serde_json::from_str(json).expect("parse");
        assert_eq!(ws.format, FORMAT_NAME);
        assert_eq!(ws.version, 1);
        assert_eq!(ws.settings.time_zone, "UTC");
        assert!(ws.users[0].active);
        assert_eq!(ws.users[0].role, WorkspaceRole::Member);
        assert_eq!(ws.stakeholders[0].name, "");
        let p = &ws.projects[0];
        assert_eq!(p.status, ProjectStatus::Active);
        assert_eq!(p.ml_needed, MlNeeded::Unknown);
        assert_eq!(p.target_iteration_days, 14);
        assert_eq!(p.contact_threshold_days, 30);
        assert_eq!(p.readiness_done(), 1);
        assert!(p.sprints[0].review.is_none());
        let retro = p.sprints[0].retro.as_ref().expect("retro");
        assert_eq!(retro.format, RetroFormat::StartStopContinue);
        assert_eq!(retro.action_items[0].status, ActionStatus::Open);
        assert_eq!(p.feedback[0].channel, Channel::Link);
        assert_eq!(p.feedback[0].author_function, None);
        assert_eq!(p.dq_issues[0].status, DqStatus::Open);
        assert_eq!(p.dq_issues[0].severity, DqSeverity::High);
    }

    #[test]
    fn missing_required_key_is_an_error() {
        let json = r#"{ "stakeholders": [ { "id": "s1", "name": "No function" } ] }"#;
        let err = serde_json::from_str::<Workspace>(json).expect_err("function is required");
        assert!(err.to_string().contains("function"), "{err}");
    }

    #[test]
    fn round_trip_is_stable() {
        let json = r#"{ "format": "touchpoint-workspace", "version": 1,
            "settings": { "time_zone": "Europe/Berlin" },
            "projects": [ { "id": "p1", "key": "demo", "name": "Demo", "started_on": "2026-01-05",
              "interviews": [ { "id": "i1", "participants": ["s1"],
                 "scheduled_at": "2026-01-10T15:00:00Z", "status": "completed" } ] } ] }"#;
        let ws: Workspace = serde_json::from_str(json).expect("parse");
        let text = serde_json::to_string(&ws).expect("serialise");
        let again: Workspace = serde_json::from_str(&text).expect("reparse");
        assert_eq!(ws, again);
        assert!(
            text.contains("\"scheduled_at\":\"2026-01-10T15:00:00Z\""),
            "{text}"
        );
    }
}
