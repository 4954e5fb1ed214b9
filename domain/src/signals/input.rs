//! Plain input data for the signal computations: one project's dated facts, with every date
//! already in the workspace time zone, and the names needed to explain the results.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::{
    ActionStatus, Channel, DqSeverity, Function, InterviewStatus, MlNeeded, ProjectStatus,
};

/// A directory stakeholder as the signals see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderRef {
    /// Stable id; events with the same id belong to the same person.
    pub id: String,
    /// Display name (may be empty once erased).
    pub name: String,
    /// Function in the taxonomy.
    pub function: Function,
}

impl StakeholderRef {
    /// Builds a reference.
    pub fn new(id: impl Into<String>, name: impl Into<String>, function: Function) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            function,
        }
    }

    /// The name to show in a reason; erased stakeholders are described by their function.
    pub fn display(&self) -> String {
        if self.name.trim().is_empty() {
            format!("an unnamed stakeholder ({})", self.function.label())
        } else {
            self.name.clone()
        }
    }
}

/// A sprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintInput {
    /// Sequential number within the project.
    pub number: u32,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day, inclusive.
    pub end_on: NaiveDate,
}

/// A sprint review that was held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// The number of the reviewed sprint.
    pub sprint: u32,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Attending stakeholders.
    pub attendees: Vec<StakeholderRef>,
}

/// A retrospective action item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemInput {
    /// The sprint number it is due in, if any.
    pub due_sprint: Option<u32>,
    /// Status as it is now.
    pub status: ActionStatus,
    /// The day it was closed.
    pub closed_on: Option<NaiveDate>,
}

/// A retrospective that was held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetroInput {
    /// The number of the sprint it looked back on.
    pub sprint: u32,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Action items decided at it.
    pub action_items: Vec<ActionItemInput>,
}

/// An interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewInput {
    /// The date of `scheduled_at` in the workspace time zone.
    pub on: NaiveDate,
    /// Status as it is now.
    pub status: InterviewStatus,
    /// Participating stakeholders.
    pub participants: Vec<StakeholderRef>,
}

/// A feedback item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackInput {
    /// The sprint number it is on, if any.
    pub sprint: Option<u32>,
    /// The date of `submitted_at` in the workspace time zone.
    pub submitted_on: NaiveDate,
    /// The authoring stakeholder, when in the directory.
    pub stakeholder: Option<StakeholderRef>,
    /// The function a link author gave.
    pub author_function: Option<Function>,
    /// The name a link author gave.
    pub author_name: Option<String>,
    /// Channel.
    pub channel: Channel,
}

impl FeedbackInput {
    /// The author's function: the stakeholder's, else the given one, else `other`.
    pub fn function(&self) -> Function {
        match &self.stakeholder {
            Some(stakeholder) => stakeholder.function,
            None => self.author_function.unwrap_or(Function::Other),
        }
    }

    /// Whether it comes from an end user.
    pub fn from_end_user(&self) -> bool {
        self.function() == Function::EndUser
    }

    /// The author as named in a reason.
    pub fn author_display(&self) -> String {
        match (&self.stakeholder, &self.author_name) {
            (Some(stakeholder), _) => stakeholder.display(),
            (None, Some(name)) if !name.trim().is_empty() => {
                format!("{} (not in the directory)", name.trim())
            }
            (None, _) => "an unnamed respondent".to_owned(),
        }
    }
}

/// A data-quality issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DqIssueInput {
    /// Dataset name, for reasons.
    pub dataset: String,
    /// Severity.
    pub severity: DqSeverity,
    /// The day it was opened.
    pub opened_on: NaiveDate,
    /// The day it was reported to the source owner.
    pub reported_upstream_on: Option<NaiveDate>,
    /// The day it was resolved or declared won't-fix.
    pub resolved_on: Option<NaiveDate>,
}

/// Everything the signals need about one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    /// The project's key (slug).
    pub key: String,
    /// The project's name.
    pub name: String,
    /// Status as it is now.
    pub status: ProjectStatus,
    /// The day the project started.
    pub started_on: NaiveDate,
    /// Target sprint length in days.
    pub target_iteration_days: u32,
    /// Days without end-user contact before contact is stale.
    pub contact_threshold_days: u32,
    /// Whether ML is needed.
    pub ml_needed: MlNeeded,
    /// The simpler baseline that was considered.
    pub baseline_considered: String,
    /// Readiness items done.
    pub readiness_done: u32,
    /// Readiness items in the checklist (8).
    pub readiness_total: u32,
    /// Sprints, in any order.
    pub sprints: Vec<SprintInput>,
    /// Reviews that were held, in any order.
    pub reviews: Vec<ReviewInput>,
    /// Retros that were held, in any order.
    pub retros: Vec<RetroInput>,
    /// Interviews, in any order.
    pub interviews: Vec<InterviewInput>,
    /// Feedback items, in any order.
    pub feedback: Vec<FeedbackInput>,
    /// Data-quality issues, in any order.
    pub dq_issues: Vec<DqIssueInput>,
}

impl ProjectInput {
    /// An empty project with the design's defaults, for building inputs step by step.
    pub fn new(key: impl Into<String>, name: impl Into<String>, started_on: NaiveDate) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            status: ProjectStatus::Active,
            started_on,
            target_iteration_days: 14,
            contact_threshold_days: 30,
            ml_needed: MlNeeded::Unknown,
            baseline_considered: String::new(),
            readiness_done: 0,
            readiness_total: 8,
            sprints: Vec::new(),
            reviews: Vec::new(),
            retros: Vec::new(),
            interviews: Vec::new(),
            feedback: Vec::new(),
            dq_issues: Vec::new(),
        }
    }
}
