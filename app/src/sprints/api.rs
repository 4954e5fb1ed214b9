//! Server functions for sprints, reviews, retrospectives and action items. Each checks who is
//! asking and their access to the project; writes need a project member, deletions a project
//! lead.

use leptos::prelude::*;

use super::{
    ActionItem, RetroPageData, Review, ReviewPageData, SprintBoard, SprintDetail, SprintList,
    SprintSaved,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::{ActionRecord, SprintRecord, SprintRepo};
    pub use super::super::*;
    pub use crate::auth::CurrentUser;
    pub use crate::auth::repo::AuthRepo;
    pub use crate::auth::service::{audit, deny, require_user};
    pub use crate::db::{key_of, rid};
    pub use crate::projects::service::{
        ProjectAccess, project_access, require_manage, require_write,
    };
    pub use crate::state::AppState;
}
#[cfg(feature = "ssr")]
use ssr::*;
mod actions;
pub use actions::*;
mod retro;
pub use retro::*;

/// Today in the workspace time zone: the date new records default to (and `closed_on`). If the
/// setting cannot be read (the cause is logged), today in UTC.
#[cfg(feature = "ssr")]
async fn today(state: &AppState) -> Result<chrono::NaiveDate, AppError> {
    Ok(crate::workspace::repo::today(&state.db)
        .await
        .unwrap_or_else(|_| chrono::Utc::now().date_naive()))
}

/// The audit target of a sprint: `key#number`.
#[cfg(feature = "ssr")]
fn target(key: &str, number: u32) -> String {
    format!("{key}#{number}")
}

/// Loads sprint `number` (a URL or form string) of a project the caller may see.
#[cfg(feature = "ssr")]
async fn load_sprint(
    repo: &SprintRepo,
    key: &str,
    number: &str,
) -> Result<(u32, SprintRecord), AppError> {
    let n = parse_number(number).ok_or_else(|| AppError::not_found("Sprint"))?;
    let sprint = repo
        .get(key, n)
        .await?
        .ok_or_else(|| AppError::not_found("Sprint"))?;
    Ok((n, sprint))
}

/// The dates and number of the project's next sprint, from the project as the access check
/// loaded it.
#[cfg(feature = "ssr")]
fn next_sprint(access: &ProjectAccess, today: chrono::NaiveDate) -> NextSprint {
    let snapshot = &access.snapshot;
    let number = snapshot.last_sprint_number + 1;
    let latest_end = snapshot.sprints.iter().map(|s| s.end_on).max();
    let (start_on, end_on) = next_sprint_dates(
        latest_end,
        Some(access.project.started_on),
        today,
        u32::try_from(access.project.target_iteration_days).unwrap_or(14),
    );
    NextSprint {
        number,
        name: default_sprint_name(number),
        start_on,
        end_on,
    }
}

/// Overlap warnings for a sprint against the project's other sprints.
#[cfg(feature = "ssr")]
fn warnings_for(sprint: &SprintRecord, all: &[SprintRecord]) -> Vec<String> {
    let spans: Vec<SprintSpan> = all.iter().map(SprintRecord::span).collect();
    overlap_warnings(sprint.number(), sprint.start_on, sprint.end_on, &spans)
}

/// A project's sprints, newest first, with review and retro status and the next sprint.
#[server(prefix = "/api/fn", endpoint = "sprints/list")]
pub async fn list_sprints(key: String) -> Result<SprintList, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let snapshot = &access.snapshot;
    let today = snapshot.today();
    let next = next_sprint(&access, today);
    let (reviews, retros) = (&snapshot.reviews, &snapshot.retros);
    let sprints = snapshot
        .sprints
        .iter()
        .cloned()
        .map(|r| {
            let n = r.number();
            SprintSummary {
                review: reviews.iter().find(|(m, ..)| *m == n).map(|(_, o, _)| *o),
                retro: retros.iter().find(|(m, _)| *m == n).map(|(_, h)| *h),
                sprint: r.into(),
            }
        })
        .collect();
    Ok(SprintList {
        sprints,
        next,
        today,
    })
}

/// The sprint table of a project's overview (the REST list is [`list_sprints`]).
#[server(prefix = "/api/fn", endpoint = "sprints/board")]
pub async fn get_sprint_board(key: String) -> Result<SprintBoard, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let snapshot = &access.snapshot;
    let today = snapshot.today();
    let next = next_sprint(&access, today);
    let (reviews, retros) = (&snapshot.reviews, &snapshot.retros);
    let rows = snapshot
        .sprints
        .iter()
        .map(|r| {
            let n = r.number();
            SprintRow {
                number: n,
                name: r.name.clone(),
                goal: r.goal.clone(),
                start_on: r.start_on,
                end_on: r.end_on,
                review: reviews.iter().find(|(m, ..)| *m == n).map(|(_, o, _)| *o),
                retro: retros.iter().find(|(m, _)| *m == n).map(|(_, h)| *h),
            }
        })
        .collect();
    Ok(SprintBoard { rows, next, today })
}

/// One sprint with its warnings, review and retro status, and what refers to it.
#[server(prefix = "/api/fn", endpoint = "sprints/get")]
pub async fn get_sprint(key: String, number: String) -> Result<SprintDetail, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, sprint) = load_sprint(&repo, access.key(), &number).await?;
    let all = repo.list(access.key()).await?;
    let warnings = warnings_for(&sprint, &all);
    let review = repo.review(access.key(), n).await?.map(|r| {
        (
            r.outcome.parse().unwrap_or(ReviewOutcome::NoDecision),
            r.held_on,
        )
    });
    let retro = repo.retro(access.key(), n).await?.map(|r| r.held_on);
    let referenced_by = repo.references(access.key(), n).await?;
    // `all` is newest first.
    let previous = all.iter().map(SprintRecord::number).find(|m| *m < n);
    let next = all.iter().rev().map(SprintRecord::number).find(|m| *m > n);
    Ok(SprintDetail {
        sprint: sprint.into(),
        access: access.level,
        warnings,
        review,
        retro,
        referenced_by,
        previous,
        next,
    })
}

/// Creates the project's next sprint (members). Empty fields take the defaults: "Sprint N",
/// starting the day after the latest sprint ends (the first on the project's start) and lasting
/// the project's target length.
#[server(prefix = "/api/fn", endpoint = "sprints/create")]
pub async fn create_sprint(
    key: String,
    name: Option<String>,
    goal: Option<String>,
    start_on: Option<String>,
    end_on: Option<String>,
) -> Result<SprintSaved, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "create sprint").await?;
    let repo = SprintRepo::new(state.db.clone());
    let existing = &access.snapshot.sprints;
    let next = next_sprint(&access, access.snapshot.today());
    let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let name = match name {
        Some(n) => Some(crate::fields::check_text("name", n, MAX_NAME)?),
        None => None,
    };
    let goal = crate::fields::check_text("goal", goal.as_deref().unwrap_or_default(), MAX_TEXT)?;
    let start = crate::fields::parse_opt_date("start_on", start_on.as_deref().unwrap_or_default())?
        .unwrap_or(next.start_on);
    let target = u32::try_from(access.project.target_iteration_days).unwrap_or(14);
    let end = crate::fields::parse_opt_date("end_on", end_on.as_deref().unwrap_or_default())?
        .unwrap_or_else(|| next_sprint_dates(None, Some(start), start, target).1);
    check_dates(start, end)?;
    let created = crate::db::retry_conflicts(|| {
        repo.create(access.key(), name.as_deref(), &goal, start, end)
    })
    .await?;
    let warnings = warnings_for(&created, existing);
    audit(
        &state,
        Some(&user),
        &ctx,
        "sprint.create",
        &target_of(&created),
        &format!("{} {} – {}", created.name, created.start_on, created.end_on),
    )
    .await;
    Ok(SprintSaved {
        sprint: created.into(),
        warnings,
    })
}

#[cfg(feature = "ssr")]
fn target_of(s: &SprintRecord) -> String {
    target(&key_of(&s.project), s.number())
}

/// Edits a sprint (members). Overlaps with other sprints are allowed and returned as warnings.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "sprints/update")]
pub async fn update_sprint(
    key: String,
    number: String,
    name: String,
    goal: Option<String>,
    start_on: String,
    end_on: String,
    committed: Option<String>,
    completed: Option<String>,
    notes: Option<String>,
) -> Result<SprintSaved, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit sprint").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    let form = SprintForm {
        name,
        goal: goal.unwrap_or_default(),
        start_on,
        end_on,
        committed: committed.unwrap_or_default(),
        completed: completed.unwrap_or_default(),
        notes: notes.unwrap_or_default(),
    };
    let valid = form.validate()?;
    let updated = repo
        .update(access.key(), n, &valid)
        .await?
        .ok_or_else(|| AppError::not_found("Sprint"))?;
    let all = repo.list(access.key()).await?;
    let warnings = warnings_for(&updated, &all);
    audit(
        &state,
        Some(&user),
        &ctx,
        "sprint.update",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(SprintSaved {
        sprint: updated.into(),
        warnings,
    })
}

/// Deletes a sprint (project leads) when nothing refers to it; otherwise a conflict that says
/// what does.
#[server(prefix = "/api/fn", endpoint = "sprints/delete")]
pub async fn delete_sprint(key: String, number: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete sprint").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, sprint) = load_sprint(&repo, access.key(), &number).await?;
    let refs = repo.references(access.key(), n).await?;
    if !refs.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} cannot be deleted while something refers to it: {}.",
            sprint.name,
            join_list(&refs),
        )));
    }
    repo.delete(access.key(), n).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "sprint.delete",
        &target(access.key(), n),
        &sprint.name,
    )
    .await;
    leptos_axum::redirect(&format!("/projects/{}", access.key()));
    Ok(())
}

/// "a", "a and b", "a, b and c".
#[cfg(feature = "ssr")]
fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

// ---- reviews ---------------------------------------------------------------------------------

#[cfg(feature = "ssr")]
async fn review_dto(repo: &SprintRepo, key: &str, n: u32) -> Result<Option<Review>, AppError> {
    let Some(r) = repo.review(key, n).await? else {
        return Ok(None);
    };
    let attendee_users = repo.users_by_ids(&r.attendee_users).await?;
    let attendee_stakeholders = repo.stakeholders_by_ids(&r.attendee_stakeholders).await?;
    Ok(Some(Review {
        held_on: r.held_on,
        attendee_users,
        attendee_stakeholders,
        summary_html: crate::markdown::render(&r.summary),
        decisions_html: crate::markdown::render(&r.decisions),
        summary: r.summary,
        decisions: r.decisions,
        outcome: r.outcome.parse().unwrap_or(ReviewOutcome::NoDecision),
        updated_at: r.updated_at,
    }))
}

/// The review page: the sprint, its review (if recorded), and the people to pick from.
#[server(prefix = "/api/fn", endpoint = "sprints/review/get")]
pub async fn get_review(key: String, number: String) -> Result<ReviewPageData, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, sprint) = load_sprint(&repo, access.key(), &number).await?;
    let review = review_dto(&repo, access.key(), n).await?;
    let users = crate::projects::api::list_user_choices().await?;
    let stakeholders = repo.stakeholder_choices().await?;
    let sprint: Sprint = sprint.into();
    Ok(ReviewPageData {
        sprint: (&sprint).into(),
        access: access.level,
        review,
        users,
        stakeholders,
        today: today(&state).await?,
    })
}

/// Records a sprint's review, or replaces it (members).
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "sprints/review/put")]
pub async fn put_review(
    key: String,
    number: String,
    held_on: String,
    attendee_users: Option<Vec<String>>,
    attendee_stakeholders: Option<Vec<String>>,
    summary: Option<String>,
    decisions: Option<String>,
    outcome: Option<String>,
) -> Result<Review, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "record review").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    let valid = validate_review(
        &held_on,
        &attendee_users.unwrap_or_default(),
        &attendee_stakeholders.unwrap_or_default(),
        summary.as_deref().unwrap_or_default(),
        decisions.as_deref().unwrap_or_default(),
        outcome.as_deref().unwrap_or_default(),
    )?;
    let user_ids: Vec<_> = valid
        .attendee_users
        .iter()
        .map(|u| rid("user", u))
        .collect();
    if repo.users_by_ids(&user_ids).await?.len() != user_ids.len() {
        return Err(AppError::field(
            "attendee_users",
            "Choose team members from the list.",
        ));
    }
    let stakeholder_ids: Vec<_> = valid
        .attendee_stakeholders
        .iter()
        .map(|s| rid("stakeholder", s))
        .collect();
    if repo.stakeholders_by_ids(&stakeholder_ids).await?.len() != stakeholder_ids.len() {
        return Err(AppError::field(
            "attendee_stakeholders",
            "Choose stakeholders from the directory.",
        ));
    }
    let created = repo.put_review(access.key(), n, &valid).await?;
    let action = if created {
        "review.create"
    } else {
        "review.update"
    };
    audit(
        &state,
        Some(&user),
        &ctx,
        action,
        &target(access.key(), n),
        valid.outcome.as_str(),
    )
    .await;
    if created {
        crate::webhooks::service::review_held(
            &state,
            access.key(),
            n,
            valid.held_on,
            valid.outcome.as_str(),
        )
        .await;
    }
    review_dto(&repo, access.key(), n)
        .await?
        .ok_or_else(AppError::internal)
}

/// Deletes a sprint's review (project leads).
#[server(prefix = "/api/fn", endpoint = "sprints/review/delete")]
pub async fn delete_review(key: String, number: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete review").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    if !repo.delete_review(access.key(), n).await? {
        return Err(AppError::not_found("Review"));
    }
    audit(
        &state,
        Some(&user),
        &ctx,
        "review.delete",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(())
}
