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

pub mod generate;

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

/// Defines a domain enum with its `snake_case` names, human labels, `ALL`, `as_str`, `label`,
/// `FromStr` and `Display` (which prints the `snake_case` name); `default X` also implements
/// `Default`.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        $name:ident default $default:ident { $($body:tt)* }
    ) => {
        domain_enum! { $(#[$meta])* $name { $($body)* } }

        impl Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => ($s:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The `snake_case` name used in JSON, URLs and the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $s),+
                }
            }

            /// A short human label for the UI.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

domain_enum! {
    /// The status of a project.
    ProjectStatus default Active {
        /// Exploring the problem.
        Discovery => ("discovery", "Discovery"),
        /// Iterating (the default).
        Active => ("active", "Active"),
        /// On hold; raises no end-user flags.
        Paused => ("paused", "Paused"),
        /// Running in production.
        Production => ("production", "Production"),
        /// Closed.
        Archived => ("archived", "Archived"),
    }
}

domain_enum! {
    /// A user's role in the whole workspace.
    WorkspaceRole default Member {
        /// Manages users, settings, backups.
        Admin => ("admin", "Admin"),
        /// Sees every project and the portfolio.
        Lead => ("lead", "Lead"),
        /// Sees the projects they belong to (the default).
        Member => ("member", "Member"),
    }
}

domain_enum! {
    /// A user's role inside one project.
    MemberRole default Member {
        /// Members, settings, deletions, invites.
        Lead => ("lead", "Lead"),
        /// Everything else, including invites (the default).
        Member => ("member", "Member"),
        /// Read only.
        Viewer => ("viewer", "Viewer"),
    }
}

domain_enum! {
    /// The fixed stakeholder function taxonomy (10 values).
    Function default Other {
        /// The people the work is for.
        EndUser => ("end_user", "End user"),
        /// Knows the domain.
        DomainExpert => ("domain_expert", "Domain expert"),
        /// Owns a data source.
        DataOwner => ("data_owner", "Data owner"),
        /// Runs data pipelines.
        Dataops => ("dataops", "DataOps"),
        /// Runs deployment and security.
        Devsecops => ("devsecops", "DevSecOps"),
        /// Sponsors the work.
        ExecutiveSponsor => ("executive_sponsor", "Executive sponsor"),
        /// Product management.
        Product => ("product", "Product"),
        /// Data science.
        DataScience => ("data_science", "Data science"),
        /// Compliance and legal.
        ComplianceLegal => ("compliance_legal", "Compliance & legal"),
        /// Anything else, and authors who gave no function.
        Other => ("other", "Other"),
    }
}

domain_enum! {
    /// Whether the problem needs machine learning at all (the framing record).
    MlNeeded default Unknown {
        /// Not answered yet (the default).
        Unknown => ("unknown", "Unknown"),
        /// ML is needed.
        Yes => ("yes", "Yes"),
        /// A simpler approach suffices.
        No => ("no", "No"),
    }
}

domain_enum! {
    /// The outcome of a sprint review.
    ReviewOutcome {
        /// The increment was accepted.
        Accepted => ("accepted", "Accepted"),
        /// Changes were requested.
        ChangesRequested => ("changes_requested", "Changes requested"),
        /// No decision was taken.
        NoDecision => ("no_decision", "No decision"),
    }
}

domain_enum! {
    /// The format of a retrospective, which fixes its columns.
    RetroFormat default StartStopContinue {
        /// Start, stop, continue (the default).
        StartStopContinue => ("start_stop_continue", "Start / stop / continue"),
        /// Went well, to improve.
        WentWellToImprove => ("went_well_to_improve", "Went well / to improve"),
        /// Liked, learned, lacked, longed for.
        FourLs => ("four_ls", "4 Ls"),
    }
}

impl RetroFormat {
    /// The columns of this format, in display order.
    pub const fn columns(self) -> &'static [RetroColumn] {
        match self {
            Self::StartStopContinue => {
                &[RetroColumn::Start, RetroColumn::Stop, RetroColumn::Continue]
            }
            Self::WentWellToImprove => &[RetroColumn::WentWell, RetroColumn::ToImprove],
            Self::FourLs => &[
                RetroColumn::Liked,
                RetroColumn::Learned,
                RetroColumn::Lacked,
                RetroColumn::LongedFor,
            ],
        }
    }
}

domain_enum! {
    /// A column of a retrospective board.
    RetroColumn {
        /// Start doing.
        Start => ("start", "Start"),
        /// Stop doing.
        Stop => ("stop", "Stop"),
        /// Continue doing.
        Continue => ("continue", "Continue"),
        /// What went well.
        WentWell => ("went_well", "Went well"),
        /// What to improve.
        ToImprove => ("to_improve", "To improve"),
        /// Liked.
        Liked => ("liked", "Liked"),
        /// Learned.
        Learned => ("learned", "Learned"),
        /// Lacked.
        Lacked => ("lacked", "Lacked"),
        /// Longed for.
        LongedFor => ("longed_for", "Longed for"),
    }
}

domain_enum! {
    /// The status of a retrospective action item.
    ActionStatus default Open {
        /// Not closed yet (the default).
        Open => ("open", "Open"),
        /// Done.
        Done => ("done", "Done"),
        /// Given up.
        Dropped => ("dropped", "Dropped"),
    }
}

domain_enum! {
    /// The kind of an HCD interview.
    InterviewKind default Discovery {
        /// Discovery interview (the default).
        Discovery => ("discovery", "Discovery"),
        /// Usability test.
        UsabilityTest => ("usability_test", "Usability test"),
        /// Feedback session.
        FeedbackSession => ("feedback_session", "Feedback session"),
        /// Contextual inquiry.
        ContextualInquiry => ("contextual_inquiry", "Contextual inquiry"),
    }
}

domain_enum! {
    /// The status of an interview.
    InterviewStatus default Scheduled {
        /// Planned (the default).
        Scheduled => ("scheduled", "Scheduled"),
        /// Took place.
        Completed => ("completed", "Completed"),
        /// Called off.
        Cancelled => ("cancelled", "Cancelled"),
        /// The participant did not come.
        NoShow => ("no_show", "No show"),
    }
}

domain_enum! {
    /// How a feedback item reached the team.
    Channel default Link {
        /// Through an invite link (the default).
        Link => ("link", "Link"),
        /// Said at a sprint review.
        Review => ("review", "Review"),
        /// Said in an interview.
        Interview => ("interview", "Interview"),
        /// Recorded by the team.
        Team => ("team", "Team"),
    }
}

domain_enum! {
    /// The category of a feedback item.
    FeedbackCategory default Other {
        /// Is it useful?
        Usefulness => ("usefulness", "Usefulness"),
        /// Is it usable?
        Usability => ("usability", "Usability"),
        /// About the data.
        DataQuality => ("data_quality", "Data quality"),
        /// A wish.
        FeatureRequest => ("feature_request", "Feature request"),
        /// Something broken.
        Bug => ("bug", "Bug"),
        /// Praise.
        Praise => ("praise", "Praise"),
        /// Anything else (the default).
        Other => ("other", "Other"),
    }
}

domain_enum! {
    /// The triage status of a feedback item.
    FeedbackStatus default New {
        /// Not looked at yet (the default).
        New => ("new", "New"),
        /// Seen.
        Acknowledged => ("acknowledged", "Acknowledged"),
        /// Planned for a sprint.
        Planned => ("planned", "Planned"),
        /// Addressed in a sprint.
        Addressed => ("addressed", "Addressed"),
        /// Declined.
        Declined => ("declined", "Declined"),
    }
}

domain_enum! {
    /// The data-quality dimension an issue concerns.
    DqDimension {
        /// Missing values or records.
        Completeness => ("completeness", "Completeness"),
        /// Wrong values.
        Accuracy => ("accuracy", "Accuracy"),
        /// Late data.
        Timeliness => ("timeliness", "Timeliness"),
        /// Contradictions.
        Consistency => ("consistency", "Consistency"),
        /// Values outside their domain.
        Validity => ("validity", "Validity"),
        /// Duplicates.
        Uniqueness => ("uniqueness", "Uniqueness"),
        /// Missing or wrong documentation.
        Metadata => ("metadata", "Metadata"),
    }
}

domain_enum! {
    /// The severity of a data-quality issue.
    DqSeverity {
        /// Low.
        Low => ("low", "Low"),
        /// Medium.
        Medium => ("medium", "Medium"),
        /// High.
        High => ("high", "High"),
        /// Critical.
        Critical => ("critical", "Critical"),
    }
}

domain_enum! {
    /// The status of a data-quality issue.
    DqStatus default Open {
        /// Known to the team (the default).
        Open => ("open", "Open"),
        /// Reported to the source owner.
        Reported => ("reported", "Reported"),
        /// Being fixed.
        InProgress => ("in_progress", "In progress"),
        /// Fixed.
        Resolved => ("resolved", "Resolved"),
        /// Declared won't-fix.
        WontFix => ("wont_fix", "Won't fix"),
    }
}

impl DqStatus {
    /// Whether this status closes the issue (and so requires `resolved_on`).
    pub const fn is_closed(self) -> bool {
        matches!(self, Self::Resolved | Self::WontFix)
    }
}

domain_enum! {
    /// An item of the production-readiness checklist.
    ReadinessItem {
        /// A deployment target is chosen.
        DeploymentTarget => ("deployment_target", "Deployment target chosen"),
        /// DevOps is engaged.
        DevopsEngaged => ("devops_engaged", "DevOps engaged"),
        /// The model or service is containerised.
        Containerized => ("containerized", "Containerised"),
        /// A monitoring plan exists.
        MonitoringPlan => ("monitoring_plan", "Monitoring plan"),
        /// A redeployment plan exists.
        RedeploymentPlan => ("redeployment_plan", "Redeployment plan"),
        /// End users have been handed over to.
        EndUserHandoff => ("end_user_handoff", "End-user hand-off"),
        /// The data pipeline has an owner.
        DataPipelineOwner => ("data_pipeline_owner", "Data pipeline owner"),
        /// A security review was done.
        SecurityReview => ("security_review", "Security review"),
    }
}

/// The keys of the eight readiness items, in checklist order.
pub const READINESS_KEYS: [&str; 8] = [
    "deployment_target",
    "devops_engaged",
    "containerized",
    "monitoring_plan",
    "redeployment_plan",
    "end_user_handoff",
    "data_pipeline_owner",
    "security_review",
];

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
