//! Sprints, sprint reviews, retrospectives and action items: the types both sides share, and
//! input validation (pure functions with unit tests).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::fields::{check_text, parse_date, parse_opt_date};
pub use crate::format::{ActionStatus, Function, RetroColumn, RetroFormat, ReviewOutcome};
use crate::projects::{AccessLevel, UserChoice};

/// The longest sprint accepted, in days (`end_on − start_on + 1`).
pub const MAX_SPRINT_DAYS: i64 = 42;
/// Votes each member may give in one retrospective.
pub const VOTES_PER_RETRO: u32 = 3;
/// Longest sprint name.
pub const MAX_NAME: usize = 120;
/// Longest goal, notes, review text or action item.
pub const MAX_TEXT: usize = 5000;
/// Longest review summary or decisions (Markdown).
pub const MAX_MARKDOWN: usize = 20_000;
/// Longest retro item or health question.
pub const MAX_ITEM: usize = 1000;
/// Largest count accepted for committed/completed items, and largest sprint number.
pub const MAX_COUNT: u32 = 100_000;
/// Most health-check questions in one retro.
pub const MAX_HEALTH_QUESTIONS: usize = 20;

/// A sprint as the UI and the API see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sprint {
    /// The project's key.
    pub project: String,
    /// Sequential number within the project; never reused.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day, inclusive.
    pub end_on: NaiveDate,
    /// `end_on − start_on + 1`.
    pub length_days: i64,
    /// Items committed to.
    pub committed: Option<u32>,
    /// Items completed.
    pub completed: Option<u32>,
    /// Notes (plain text).
    pub notes: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Sprint {
    /// Whether the sprint runs on `day`.
    pub fn is_running_on(&self, day: NaiveDate) -> bool {
        self.start_on <= day && day <= self.end_on
    }
}

/// A row of a project's sprint list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SprintSummary {
    /// The sprint.
    pub sprint: Sprint,
    /// The review's outcome, when a review was recorded.
    pub review: Option<ReviewOutcome>,
    /// Whether a retrospective was recorded, and the day it was held.
    pub retro: Option<Option<NaiveDate>>,
}

/// A row of the sprint table on a project's overview: only what the table shows (the REST list
/// carries whole sprints).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintRow {
    /// Sequential number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day, inclusive.
    pub end_on: NaiveDate,
    /// The review's outcome, when a review was recorded.
    pub review: Option<ReviewOutcome>,
    /// Whether a retrospective was recorded, and the day it was held.
    pub retro: Option<Option<NaiveDate>>,
}

/// The sprint table of a project's overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintBoard {
    /// Newest first.
    pub rows: Vec<SprintRow>,
    /// What the one-click button creates.
    pub next: NextSprint,
    /// Today in the workspace time zone, to mark the running sprint.
    pub today: NaiveDate,
}

/// What "Start next sprint" would create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextSprint {
    /// Its number.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
}

/// A project's sprints, newest first, and the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintList {
    /// Newest first.
    pub sprints: Vec<SprintSummary>,
    /// What the one-click button creates.
    pub next: NextSprint,
    /// Today (the server's date), to mark the running sprint.
    pub today: NaiveDate,
}

/// A sprint with everything its page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SprintDetail {
    /// The sprint.
    pub sprint: Sprint,
    /// What the caller may do.
    pub access: AccessLevel,
    /// Overlaps with other sprints of the project.
    pub warnings: Vec<String>,
    /// The review's outcome and day, if one was recorded.
    pub review: Option<(ReviewOutcome, NaiveDate)>,
    /// Whether a retro was recorded, and its day.
    pub retro: Option<Option<NaiveDate>>,
    /// What refers to the sprint (it cannot be deleted while this is not empty).
    pub referenced_by: Vec<String>,
    /// The previous and next existing sprint numbers, for navigation.
    pub previous: Option<u32>,
    /// See `previous`.
    pub next: Option<u32>,
}

/// The answer to a sprint create or edit: the sprint and any warnings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SprintSaved {
    /// The sprint as stored.
    pub sprint: Sprint,
    /// Overlaps with other sprints (allowed, but worth knowing).
    pub warnings: Vec<String>,
}

/// A sprint's number, name and dates (page headers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintBrief {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
}

impl From<&Sprint> for SprintBrief {
    fn from(s: &Sprint) -> Self {
        Self {
            number: s.number,
            name: s.name.clone(),
            start_on: s.start_on,
            end_on: s.end_on,
        }
    }
}

/// A stakeholder to pick as a review attendee, or one who attended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StakeholderChoice {
    /// Stakeholder id.
    pub id: String,
    /// Name (empty once erased).
    pub name: String,
    /// Function.
    pub function: Function,
}

impl StakeholderChoice {
    /// The name to show; an erased stakeholder is shown by function only.
    pub fn display_name(&self) -> String {
        if self.name.trim().is_empty() {
            format!("Erased stakeholder ({})", self.function.label())
        } else {
            self.name.clone()
        }
    }
}

/// A sprint review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Review {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Attending team members.
    pub attendee_users: Vec<UserChoice>,
    /// Attending stakeholders.
    pub attendee_stakeholders: Vec<StakeholderChoice>,
    /// Demo summary (Markdown source).
    pub summary: String,
    /// Decisions (Markdown source).
    pub decisions: String,
    /// The summary rendered and sanitised on the server.
    pub summary_html: String,
    /// The decisions rendered and sanitised on the server.
    pub decisions_html: String,
    /// Outcome.
    pub outcome: ReviewOutcome,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Everything the review page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPageData {
    /// The sprint.
    pub sprint: SprintBrief,
    /// What the caller may do.
    pub access: AccessLevel,
    /// The review, if recorded.
    pub review: Option<Review>,
    /// Users to pick from.
    pub users: Vec<UserChoice>,
    /// Stakeholders to pick from (not erased, not merged), by name.
    pub stakeholders: Vec<StakeholderChoice>,
    /// Today, the default for `held_on`.
    pub today: NaiveDate,
}

/// An item on a retro board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RetroItem {
    /// Item id.
    pub id: String,
    /// Column.
    pub column: RetroColumn,
    /// Text.
    pub text: String,
    /// Votes from everyone.
    pub votes: u32,
    /// The caller's votes on it.
    pub my_votes: u32,
    /// Whether the caller wrote it.
    pub mine: bool,
}

/// A column with its items, most votes first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RetroColumnView {
    /// Column.
    pub column: RetroColumn,
    /// Items.
    pub items: Vec<RetroItem>,
}

/// One health-check question with its anonymous result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HealthResult {
    /// Position in the retro's list (used to answer it).
    pub index: u32,
    /// The question.
    pub question: String,
    /// How many answered.
    pub count: u32,
    /// The mean score, when anyone answered.
    pub average: Option<f64>,
    /// Whether the caller has answered (their score itself is not kept with their name).
    pub answered: bool,
}

/// A retrospective action item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionItem {
    /// Id.
    pub id: String,
    /// The number of the sprint whose retro decided it.
    pub sprint_number: u32,
    /// Text.
    pub text: String,
    /// Owner's user id.
    pub owner: Option<String>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// The sprint it is due in (may not exist yet).
    pub due_sprint: u32,
    /// Status.
    pub status: ActionStatus,
    /// The day it was closed (done or dropped).
    pub closed_on: Option<NaiveDate>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// A retrospective with its board, health check and action items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Retro {
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// Format.
    pub format: RetroFormat,
    /// The format's columns with their items.
    pub columns: Vec<RetroColumnView>,
    /// The health check.
    pub health: Vec<HealthResult>,
    /// Action items decided at this retro.
    pub action_items: Vec<ActionItem>,
    /// The caller's votes left.
    pub votes_left: u32,
}

/// Everything the retro page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetroPageData {
    /// The sprint.
    pub sprint: SprintBrief,
    /// What the caller may do.
    pub access: AccessLevel,
    /// The retro, if started.
    pub retro: Option<Retro>,
    /// Still-open action items from retros of earlier sprints.
    pub earlier_open: Vec<ActionItem>,
    /// Users to pick as owners.
    pub users: Vec<UserChoice>,
    /// Today, the default for `held_on`.
    pub today: NaiveDate,
}

/// The sprint fields of a create or edit form, as submitted (all strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintForm {
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
    /// First day, `YYYY-MM-DD`.
    pub start_on: String,
    /// Last day, `YYYY-MM-DD`.
    pub end_on: String,
    /// Committed count (empty: none).
    pub committed: String,
    /// Completed count (empty: none).
    pub completed: String,
    /// Notes.
    pub notes: String,
}

/// Validated sprint fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSprint {
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
    /// Committed.
    pub committed: Option<u32>,
    /// Completed.
    pub completed: Option<u32>,
    /// Notes.
    pub notes: String,
}

impl SprintForm {
    /// Validates every field; the first problem is reported against its field.
    pub fn validate(&self) -> Result<ValidSprint, AppError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter a name."));
        }
        let name = check_text("name", name, MAX_NAME)?;
        let goal = check_text("goal", &self.goal, MAX_TEXT)?;
        let start_on = parse_date("start_on", &self.start_on)?;
        let end_on = parse_date("end_on", &self.end_on)?;
        check_dates(start_on, end_on)?;
        Ok(ValidSprint {
            name,
            goal,
            start_on,
            end_on,
            committed: parse_count("committed", &self.committed)?,
            completed: parse_count("completed", &self.completed)?,
            notes: check_text("notes", &self.notes, MAX_TEXT)?,
        })
    }
}

/// The length of a sprint in days, counting both ends.
pub fn sprint_length(start_on: NaiveDate, end_on: NaiveDate) -> i64 {
    (end_on - start_on).num_days() + 1
}

/// Checks that a sprint ends on or after its start and lasts at most [`MAX_SPRINT_DAYS`].
pub fn check_dates(start_on: NaiveDate, end_on: NaiveDate) -> Result<(), AppError> {
    if end_on < start_on {
        return Err(AppError::field(
            "end_on",
            "The last day must be on or after the first day.",
        ));
    }
    let days = sprint_length(start_on, end_on);
    if days > MAX_SPRINT_DAYS {
        return Err(AppError::field(
            "end_on",
            format!("A sprint lasts at most {MAX_SPRINT_DAYS} days; this one would last {days}."),
        ));
    }
    Ok(())
}

/// Parses an optional count: empty means none, otherwise a whole number from 0 to
/// [`MAX_COUNT`].
pub fn parse_count(field: &str, value: &str) -> Result<Option<u32>, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(n) if n <= MAX_COUNT => Ok(Some(n)),
        Ok(_) => Err(AppError::field(
            field,
            format!("Enter a number up to {MAX_COUNT}."),
        )),
        Err(_) => Err(AppError::field(field, "Enter a whole number of 0 or more.")),
    }
}

/// Parses a sprint number from a URL or form: a whole number ≥ 1.
pub fn parse_number(value: &str) -> Option<u32> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_COUNT).contains(n))
}

/// The dates of the next sprint: it starts the day after the latest sprint ends (the first one
/// on the project's start, or today when there is none) and lasts the project's target length.
pub fn next_sprint_dates(
    latest_end: Option<NaiveDate>,
    started_on: Option<NaiveDate>,
    today: NaiveDate,
    target_days: u32,
) -> (NaiveDate, NaiveDate) {
    let start = match latest_end {
        Some(end) => end + Duration::days(1),
        None => started_on.unwrap_or(today),
    };
    let target = i64::from(target_days.clamp(1, 42));
    (start, start + Duration::days(target - 1))
}

/// The default name of sprint `number`.
pub fn default_sprint_name(number: u32) -> String {
    format!("Sprint {number}")
}

/// Whether two inclusive date ranges share a day.
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Another sprint's number, name and dates, for overlap checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SprintSpan {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// First day.
    pub start_on: NaiveDate,
    /// Last day.
    pub end_on: NaiveDate,
}

/// Warnings for every other sprint that shares a day with sprint `number`.
pub fn overlap_warnings(
    number: u32,
    start_on: NaiveDate,
    end_on: NaiveDate,
    others: &[SprintSpan],
) -> Vec<String> {
    others
        .iter()
        .filter(|o| o.number != number && overlaps((start_on, end_on), (o.start_on, o.end_on)))
        .map(|o| {
            format!(
                "These dates overlap #{} {} ({} – {}).",
                o.number, o.name, o.start_on, o.end_on
            )
        })
        .collect()
}

/// Validated review fields (attendee ids are checked against the database by the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidReview {
    /// Held on.
    pub held_on: NaiveDate,
    /// User ids, deduplicated.
    pub attendee_users: Vec<String>,
    /// Stakeholder ids, deduplicated.
    pub attendee_stakeholders: Vec<String>,
    /// Summary (Markdown).
    pub summary: String,
    /// Decisions (Markdown).
    pub decisions: String,
    /// Outcome.
    pub outcome: ReviewOutcome,
}

/// Checks a list of ids from a multi-select: each non-empty, at most 64 safe characters;
/// duplicates are dropped, at most `max` remain.
pub fn clean_ids(field: &str, ids: &[String], max: usize) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim();
        if id.is_empty() {
            continue;
        }
        if !is_safe_id(id) {
            return Err(AppError::field(field, "Choose from the list."));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    if out.len() > max {
        return Err(AppError::field(field, format!("Choose at most {max}.")));
    }
    Ok(out)
}

/// Whether a DTO id looks like one of ours (so it can be turned into a record id).
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Validates a review form.
pub fn validate_review(
    held_on: &str,
    attendee_users: &[String],
    attendee_stakeholders: &[String],
    summary: &str,
    decisions: &str,
    outcome: &str,
) -> Result<ValidReview, AppError> {
    let held_on = parse_date("held_on", held_on)?;
    let attendee_users = clean_ids("attendee_users", attendee_users, 200)?;
    let attendee_stakeholders = clean_ids("attendee_stakeholders", attendee_stakeholders, 200)?;
    let summary = check_text("summary", summary, MAX_MARKDOWN)?;
    let decisions = check_text("decisions", decisions, MAX_MARKDOWN)?;
    let outcome = if outcome.trim().is_empty() {
        ReviewOutcome::NoDecision
    } else {
        outcome
            .trim()
            .parse()
            .map_err(|_| AppError::field("outcome", "Choose an outcome from the list."))?
    };
    Ok(ValidReview {
        held_on,
        attendee_users,
        attendee_stakeholders,
        summary,
        decisions,
        outcome,
    })
}

/// Validates a retro's day and format.
pub fn validate_retro(
    held_on: &str,
    format: &str,
) -> Result<(Option<NaiveDate>, RetroFormat), AppError> {
    let held_on = parse_opt_date("held_on", held_on)?;
    let format = if format.trim().is_empty() {
        RetroFormat::default()
    } else {
        format
            .trim()
            .parse()
            .map_err(|_| AppError::field("format", "Choose a format from the list."))?
    };
    Ok((held_on, format))
}

/// Validates a new retro item: the column must belong to the retro's format.
pub fn validate_retro_item(
    format: RetroFormat,
    column: &str,
    text: &str,
) -> Result<(RetroColumn, String), AppError> {
    let column: RetroColumn = column
        .trim()
        .parse()
        .map_err(|_| AppError::field("column", "Choose a column of this retro."))?;
    if !format.columns().contains(&column) {
        return Err(AppError::field(
            "column",
            format!(
                "“{}” is not a column of the {} format.",
                column.label(),
                format.label()
            ),
        ));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "Write something."));
    }
    Ok((column, check_text("text", text, MAX_ITEM)?))
}

/// Validates a health-check score: a whole number from 1 to 5.
pub fn parse_score(value: &str) -> Result<i64, AppError> {
    match value.trim().parse::<i64>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(AppError::field("score", "Choose a score from 1 to 5.")),
    }
}

/// Validates a health-check question.
pub fn validate_question(question: &str) -> Result<String, AppError> {
    let q = question.trim();
    if q.is_empty() {
        return Err(AppError::field("question", "Write the question."));
    }
    check_text("question", q, MAX_ITEM)
}

/// The mean of some scores, when there are any.
#[allow(clippy::cast_precision_loss)]
pub fn average(scores: &[i64]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let sum: i64 = scores.iter().sum();
    Some(sum as f64 / scores.len() as f64)
}

/// Validated action item fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAction {
    /// Text.
    pub text: String,
    /// Owner's user id.
    pub owner: Option<String>,
    /// Due sprint.
    pub due_sprint: u32,
}

/// Parses a due sprint: empty means `default`; otherwise a whole number ≥ 1.
pub fn parse_due_sprint(value: &str, default: u32) -> Result<u32, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(default);
    }
    parse_number(value).ok_or_else(|| {
        AppError::field(
            "due_sprint",
            "Enter a sprint number (a whole number of 1 or more).",
        )
    })
}

/// Validates an action item form. An empty due sprint means the sprint after `sprint_number`.
pub fn validate_action(
    text: &str,
    owner: &str,
    due_sprint: &str,
    sprint_number: u32,
) -> Result<ValidAction, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "Describe the action."));
    }
    let text = check_text("text", text, MAX_ITEM)?;
    let owner = owner.trim();
    let owner = if owner.is_empty() {
        None
    } else if is_safe_id(owner) {
        Some(owner.to_string())
    } else {
        return Err(AppError::field("owner", "Choose an owner from the list."));
    };
    Ok(ValidAction {
        text,
        owner,
        due_sprint: parse_due_sprint(due_sprint, sprint_number + 1)?,
    })
}

/// Parses an action status.
pub fn parse_status(value: &str) -> Result<ActionStatus, AppError> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::field("status", "Choose open, done or dropped."))
}

/// `closed_on` for a status change: today when closed, none when reopened.
pub fn closed_on_for(status: ActionStatus, today: NaiveDate) -> Option<NaiveDate> {
    match status {
        ActionStatus::Open => None,
        ActionStatus::Done | ActionStatus::Dropped => Some(today),
    }
}

#[cfg(test)]
mod tests;
