//! Production readiness checklists and data-quality issue registers (missteps 3 and 4): the
//! types both sides share, input validation, and the pure M3/M4 rules the pages show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use crate::fields::parse_flag;
use crate::fields::{check_text, parse_date, parse_opt_date};
pub use crate::format::{DqDimension, DqSeverity, DqStatus, READINESS_KEYS, ReadinessItem};
use crate::signals::Level;

/// Longest note on a readiness item.
pub const MAX_NOTE: usize = 1000;
/// Longest dataset name.
pub const MAX_DATASET: usize = 200;
/// Longest issue description.
pub const MAX_DESCRIPTION: usize = 5000;
/// Days an open `high` or `critical` issue may stay open before M4 is red.
pub const SEVERE_ISSUE_DAYS: i64 = 30;
/// Days an open issue may stay unreported upstream before M4 is red.
pub const UNREPORTED_ISSUE_DAYS: i64 = 14;

// ---------------------------------------------------------------------------------------------
// Readiness
// ---------------------------------------------------------------------------------------------

/// What "done" means for a readiness item: one line for the checklist.
pub const fn done_means(item: ReadinessItem) -> &'static str {
    match item {
        ReadinessItem::DeploymentTarget => {
            "Where the model will run (platform, environment, batch or online serving) is decided and written down."
        }
        ReadinessItem::DevopsEngaged => {
            "The people who will deploy and operate it have agreed to do so and know the timeline."
        }
        ReadinessItem::Containerized => {
            "The model or service builds into a container image that runs outside a data scientist's machine."
        }
        ReadinessItem::MonitoringPlan => {
            "It is written down what is watched in production (inputs, predictions, drift, uptime) and who is alerted."
        }
        ReadinessItem::RedeploymentPlan => {
            "There is a tried way to retrain and redeploy the model, including rolling back."
        }
        ReadinessItem::EndUserHandoff => {
            "End users know how to use the output, have been shown it, and know whom to contact."
        }
        ReadinessItem::DataPipelineOwner => {
            "Someone has agreed to own the production data feeds the model depends on."
        }
        ReadinessItem::SecurityReview => {
            "A security and privacy review has been passed, or its findings are resolved."
        }
    }
}

/// One item of a project's readiness checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessEntry {
    /// Which item.
    pub item: ReadinessItem,
    /// Done?
    pub done: bool,
    /// The owning user's id.
    pub owner: Option<String>,
    /// The owning user's name.
    pub owner_name: Option<String>,
    /// A note.
    pub note: String,
    /// When the item was last saved.
    pub updated_at: Option<DateTime<Utc>>,
}

impl ReadinessEntry {
    /// An item nobody has touched yet.
    pub fn empty(item: ReadinessItem) -> Self {
        Self {
            item,
            done: false,
            owner: None,
            owner_name: None,
            note: String::new(),
            updated_at: None,
        }
    }
}

/// A project's readiness checklist: always the eight items, in checklist order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// The project key.
    pub project: String,
    /// The eight items.
    pub items: Vec<ReadinessEntry>,
}

impl Readiness {
    /// Items done.
    pub fn done(&self) -> usize {
        self.items.iter().filter(|i| i.done).count()
    }

    /// Items in the checklist (8).
    pub fn total(&self) -> usize {
        self.items.len()
    }

    /// The M3 level the scorecard gives this checklist.
    pub fn level(&self) -> Level {
        m3_level(self.done(), self.total())
    }
}

/// M3 productionization: ≥ 80 % of the readiness items done → green, ≥ 40 % → amber, less →
/// red (DESIGN.md, risk scorecard). An empty checklist is red.
pub fn m3_level(done: usize, total: usize) -> Level {
    if total == 0 {
        Level::Red
    } else if 5 * done >= 4 * total {
        Level::Green
    } else if 5 * done >= 2 * total {
        Level::Amber
    } else {
        Level::Red
    }
}

/// The CSS class of a level's badge (always shown with words, never colour alone).
pub fn level_badge(level: Level) -> &'static str {
    match level {
        Level::Green => "badge badge-green",
        Level::Amber => "badge badge-amber",
        Level::Red => "badge badge-red",
        Level::InsufficientData => "badge",
    }
}

/// One readiness item as submitted by its form (all strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessItemForm {
    /// The item key, e.g. `monitoring_plan`.
    pub item: String,
    /// `true` when ticked; empty or `false` otherwise.
    pub done: String,
    /// The owning user's id; empty for none.
    pub owner: String,
    /// A note.
    pub note: String,
}

/// A validated readiness item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidReadinessItem {
    /// Which item.
    pub item: ReadinessItem,
    /// Done?
    pub done: bool,
    /// The owning user's id.
    pub owner: Option<String>,
    /// The note, trimmed.
    pub note: String,
}

impl ReadinessItemForm {
    /// Validates the item; the first problem is reported against its field.
    pub fn validate(&self) -> Result<ValidReadinessItem, AppError> {
        let item: ReadinessItem =
            self.item.trim().parse().map_err(|_| {
                AppError::field("item", "Choose an item of the readiness checklist.")
            })?;
        let done = parse_flag("done", &self.done)?;
        let owner = self.owner.trim();
        if owner.len() > 64 {
            return Err(AppError::field(
                "owner",
                "Choose an active user as the owner.",
            ));
        }
        Ok(ValidReadinessItem {
            item,
            done,
            owner: Some(owner.to_string()).filter(|o| !o.is_empty()),
            note: check_text("note", &self.note, MAX_NOTE)?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Data-quality issues
// ---------------------------------------------------------------------------------------------

/// Why an open issue makes the M4 data-debt signal red.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum M4Reason {
    /// An open `high` or `critical` issue opened more than 30 days before the day.
    SevereOverdue,
    /// An open issue opened more than 14 days before the day whose `reported_upstream_on` is
    /// empty or after the day.
    NotReportedUpstream,
}

impl M4Reason {
    /// The rule in the words of the design.
    pub const fn text(self) -> &'static str {
        match self {
            Self::SevereOverdue => "an open high or critical issue opened more than 30 days ago",
            Self::NotReportedUpstream => {
                "an open issue opened more than 14 days ago that has not been reported upstream"
            }
        }
    }
}

/// A data-quality issue as the UI and the API see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DqIssue {
    /// Id.
    pub id: String,
    /// The project key.
    pub project: String,
    /// The dataset concerned.
    pub dataset: String,
    /// What is wrong.
    pub description: String,
    /// The quality dimension (always set by the forms; may be absent in imported data).
    pub dimension: Option<DqDimension>,
    /// Severity.
    pub severity: DqSeverity,
    /// The reporting user's id (the creator).
    pub reporter: Option<String>,
    /// The reporting user's name.
    pub reporter_name: Option<String>,
    /// The stakeholder who owns the source.
    pub source_owner: Option<String>,
    /// The source owner's name (empty once erased).
    pub source_owner_name: Option<String>,
    /// The day it was opened.
    pub opened_on: NaiveDate,
    /// The day it was reported to the source owner.
    pub reported_upstream_on: Option<NaiveDate>,
    /// Status.
    pub status: DqStatus,
    /// The day it was resolved or declared won't-fix.
    pub resolved_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Age in days on `as_of`: open issues until then, closed ones until `resolved_on`.
    pub age_days: i64,
    /// Why this issue makes M4 red on `as_of` (empty when it does not).
    pub m4_red: Vec<M4Reason>,
}

/// Whether an issue is open on `as_of`: opened by then and not closed by then.
pub fn is_open_on(opened_on: NaiveDate, resolved_on: Option<NaiveDate>, as_of: NaiveDate) -> bool {
    opened_on <= as_of && resolved_on.is_none_or(|r| r > as_of)
}

/// The age of an issue in days: `as_of − opened_on` while open, `resolved_on − opened_on` once
/// closed; never negative.
pub fn age_days(opened_on: NaiveDate, resolved_on: Option<NaiveDate>, as_of: NaiveDate) -> i64 {
    let end = match resolved_on {
        Some(r) if r <= as_of => r,
        _ => as_of,
    };
    (end - opened_on).num_days().max(0)
}

/// Why an issue makes M4 red on `as_of` (DESIGN.md, risk scorecard, M4).
pub fn m4_reasons(
    severity: DqSeverity,
    opened_on: NaiveDate,
    reported_upstream_on: Option<NaiveDate>,
    resolved_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Vec<M4Reason> {
    if !is_open_on(opened_on, resolved_on, as_of) {
        return Vec::new();
    }
    let opened_days_before = (as_of - opened_on).num_days();
    let mut reasons = Vec::new();
    if matches!(severity, DqSeverity::High | DqSeverity::Critical)
        && opened_days_before > SEVERE_ISSUE_DAYS
    {
        reasons.push(M4Reason::SevereOverdue);
    }
    let unreported = reported_upstream_on.is_none_or(|r| r > as_of);
    if unreported && opened_days_before > UNREPORTED_ISSUE_DAYS {
        reasons.push(M4Reason::NotReportedUpstream);
    }
    reasons
}

/// M4 data debt over a project's issues: any red issue → red; other open issues → amber; none
/// open → green. `issues` must carry `m4_red` computed for `as_of`.
pub fn m4_level(issues: &[DqIssue], as_of: NaiveDate) -> Level {
    if issues.iter().any(|i| !i.m4_red.is_empty()) {
        Level::Red
    } else if issues
        .iter()
        .any(|i| is_open_on(i.opened_on, i.resolved_on, as_of))
    {
        Level::Amber
    } else {
        Level::Green
    }
}

/// A project's register: the (filtered) issues, and the M4 facts over all its issues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DqRegister {
    /// The day ages and M4 are computed for (today).
    pub as_of: NaiveDate,
    /// The issues that match the filters, newest first.
    pub issues: Vec<DqIssue>,
    /// The M4 level over every issue of the project, whatever the filters.
    pub m4_level: Level,
    /// Issues open on `as_of`, whatever the filters.
    pub open_count: usize,
    /// The open issues that make M4 red, whatever the filters.
    pub red_issues: Vec<DqIssue>,
}

/// A stakeholder to pick as a source owner (the directory, without emails).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOwnerChoice {
    /// Stakeholder id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Function.
    pub function: crate::format::Function,
}

/// An issue as submitted by its form (all strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DqIssueForm {
    /// Dataset.
    pub dataset: String,
    /// Description.
    pub description: String,
    /// Dimension name.
    pub dimension: String,
    /// Severity name.
    pub severity: String,
    /// Stakeholder id; empty for none.
    pub source_owner: String,
    /// `YYYY-MM-DD`; empty means today.
    pub opened_on: String,
    /// `YYYY-MM-DD` or empty.
    pub reported_upstream_on: String,
    /// Status name; empty means `open`.
    pub status: String,
    /// `YYYY-MM-DD` or empty.
    pub resolved_on: String,
}

/// Validated issue fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDqIssue {
    /// Dataset.
    pub dataset: String,
    /// Description.
    pub description: String,
    /// Dimension.
    pub dimension: DqDimension,
    /// Severity.
    pub severity: DqSeverity,
    /// Stakeholder id.
    pub source_owner: Option<String>,
    /// Opened.
    pub opened_on: NaiveDate,
    /// Reported upstream.
    pub reported_upstream_on: Option<NaiveDate>,
    /// Status.
    pub status: DqStatus,
    /// Resolved or declared won't-fix.
    pub resolved_on: Option<NaiveDate>,
}

impl DqIssueForm {
    /// Validates every field; the first problem is reported against its field.
    ///
    /// `resolved_on` is required exactly when the status is `resolved` or `wont_fix`; dates
    /// after `opened_on` may not be before it.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidDqIssue, AppError> {
        let dataset = self.dataset.trim();
        if dataset.is_empty() {
            return Err(AppError::field("dataset", "Name the dataset."));
        }
        let dataset = check_text("dataset", dataset, MAX_DATASET)?;
        let description = self.description.trim();
        if description.is_empty() {
            return Err(AppError::field("description", "Describe the issue."));
        }
        let description = check_text("description", description, MAX_DESCRIPTION)?;
        let dimension: DqDimension = self
            .dimension
            .trim()
            .parse()
            .map_err(|_| AppError::field("dimension", "Choose a dimension from the list."))?;
        let severity: DqSeverity =
            self.severity.trim().parse().map_err(|_| {
                AppError::field("severity", "Choose low, medium, high or critical.")
            })?;
        let status: DqStatus = if self.status.trim().is_empty() {
            DqStatus::default()
        } else {
            self.status
                .trim()
                .parse()
                .map_err(|_| AppError::field("status", "Choose a status from the list."))?
        };
        let source_owner = self.source_owner.trim();
        if source_owner.len() > 64 {
            return Err(AppError::field(
                "source_owner",
                "Choose a stakeholder from the directory.",
            ));
        }
        let opened_on = if self.opened_on.trim().is_empty() {
            today
        } else {
            parse_date("opened_on", &self.opened_on)?
        };
        let reported_upstream_on =
            parse_opt_date("reported_upstream_on", &self.reported_upstream_on)?;
        if reported_upstream_on.is_some_and(|d| d < opened_on) {
            return Err(AppError::field(
                "reported_upstream_on",
                "The issue cannot have been reported upstream before it was opened.",
            ));
        }
        let resolved_on = parse_opt_date("resolved_on", &self.resolved_on)?;
        match (status.is_closed(), resolved_on) {
            (true, None) => {
                return Err(AppError::field(
                    "resolved_on",
                    format!(
                        "Enter the day the issue was {}.",
                        if status == DqStatus::WontFix {
                            "declared won't-fix"
                        } else {
                            "resolved"
                        }
                    ),
                ));
            }
            (false, Some(_)) => {
                return Err(AppError::field(
                    "resolved_on",
                    "Only resolved or won't-fix issues have this date: clear it, or change the status.",
                ));
            }
            _ => {}
        }
        if resolved_on.is_some_and(|d| d < opened_on) {
            return Err(AppError::field(
                "resolved_on",
                "The issue cannot have been closed before it was opened.",
            ));
        }
        Ok(ValidDqIssue {
            dataset,
            description,
            dimension,
            severity,
            source_owner: Some(source_owner.to_string()).filter(|s| !s.is_empty()),
            opened_on,
            reported_upstream_on,
            status,
            resolved_on,
        })
    }
}

/// Parses the status filter of the register (empty: any status).
pub fn parse_status_filter(value: Option<&str>) -> Result<Option<DqStatus>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("status", "Choose a status from the list.")),
    }
}

/// Parses the severity filter of the register (empty: any severity).
pub fn parse_severity_filter(value: Option<&str>) -> Result<Option<DqSeverity>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("severity", "Choose a severity from the list.")),
    }
}

#[cfg(test)]
mod tests;
