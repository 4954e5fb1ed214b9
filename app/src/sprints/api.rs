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
        Some(n) => Some(crate::projects::check_text("name", n, MAX_NAME)?),
        None => None,
    };
    let goal = crate::projects::check_text("goal", goal.as_deref().unwrap_or_default(), MAX_TEXT)?;
    let start =
        crate::projects::parse_opt_date("start_on", start_on.as_deref().unwrap_or_default())?
            .unwrap_or(next.start_on);
    let target = u32::try_from(access.project.target_iteration_days).unwrap_or(14);
    let end = crate::projects::parse_opt_date("end_on", end_on.as_deref().unwrap_or_default())?
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

// ---- retros ----------------------------------------------------------------------------------

/// The retro page: earlier open action items first, then this sprint's retro if started.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/get")]
pub async fn get_retro(key: String, number: String) -> Result<RetroPageData, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, sprint) = load_sprint(&repo, access.key(), &number).await?;
    let earlier_open = repo
        .open_actions_before(access.key(), n)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let retro = match repo.retro(access.key(), n).await? {
        None => None,
        Some(r) => Some(retro_view(&repo, access.key(), n, &user, r).await?),
    };
    let users = crate::projects::api::list_user_choices().await?;
    let sprint: Sprint = sprint.into();
    Ok(RetroPageData {
        sprint: (&sprint).into(),
        access: access.level,
        retro,
        earlier_open,
        users,
        today: today(&state).await?,
    })
}

#[cfg(feature = "ssr")]
async fn retro_view(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    user: &CurrentUser,
    r: super::repo::RetroRecord,
) -> Result<Retro, AppError> {
    let format = r.format();
    let items = repo.items(key, n).await?;
    let my_votes = repo.my_votes(key, n, &user.id).await?;
    let my_answers = repo.my_answers(key, n, &user.id).await?;
    let me = rid("user", &user.id);
    let columns = format
        .columns()
        .iter()
        .map(|c| RetroColumnView {
            column: *c,
            items: items
                .iter()
                .filter(|i| i.column() == *c)
                .map(|i| RetroItem {
                    id: key_of(&i.id),
                    column: *c,
                    text: i.text.clone(),
                    votes: u32::try_from(i.votes).unwrap_or(0),
                    my_votes: u32::try_from(my_votes.iter().filter(|v| **v == i.id).count())
                        .unwrap_or(0),
                    mine: i.created_by == me,
                })
                .collect(),
        })
        .collect();
    let health = r
        .health
        .iter()
        .enumerate()
        .map(|(i, q)| HealthResult {
            index: u32::try_from(i).unwrap_or(0),
            question: q.question.clone(),
            count: u32::try_from(q.scores.len()).unwrap_or(0),
            average: average(&q.scores),
            answered: my_answers.contains(&i64::try_from(i).unwrap_or(-1)),
        })
        .collect();
    let action_items = repo
        .actions_of_retro(key, n)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let used = u32::try_from(my_votes.len()).unwrap_or(VOTES_PER_RETRO);
    Ok(Retro {
        held_on: r.held_on,
        format,
        columns,
        health,
        action_items,
        votes_left: VOTES_PER_RETRO.saturating_sub(used),
    })
}

/// Starts a sprint's retro or changes its day and format (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/put")]
pub async fn put_retro(
    key: String,
    number: String,
    held_on: Option<String>,
    format: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "record retro").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    let (held_on, format) = validate_retro(
        held_on.as_deref().unwrap_or_default(),
        format.as_deref().unwrap_or_default(),
    )?;
    let created = repo.put_retro(access.key(), n, held_on, format).await?;
    let action = if created {
        "retro.create"
    } else {
        "retro.update"
    };
    audit(
        &state,
        Some(&user),
        &ctx,
        action,
        &target(access.key(), n),
        format.as_str(),
    )
    .await;
    Ok(())
}

/// Deletes a sprint's retro with its board (project leads). A retro with action items is kept.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/delete")]
pub async fn delete_retro(key: String, number: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete retro").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_sprint(&repo, access.key(), &number).await?;
    if repo.retro(access.key(), n).await?.is_none() {
        return Err(AppError::not_found("Retrospective"));
    }
    repo.delete_retro(access.key(), n).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro.delete",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(())
}

/// The retro of sprint `number`, which must have been started.
#[cfg(feature = "ssr")]
async fn load_retro(
    repo: &SprintRepo,
    key: &str,
    number: &str,
) -> Result<(u32, super::repo::RetroRecord), AppError> {
    let (n, _) = load_sprint(repo, key, number).await?;
    let retro = repo
        .retro(key, n)
        .await?
        .ok_or_else(|| AppError::not_found("Retrospective"))?;
    Ok((n, retro))
}

/// Adds an item to a retro column (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/items/add")]
pub async fn add_retro_item(
    key: String,
    number: String,
    column: String,
    text: String,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add retro item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let (column, text) = validate_retro_item(retro.format(), &column, &text)?;
    let id = repo
        .add_item(access.key(), n, column, &text, &user.id)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro_item.create",
        &target(access.key(), n),
        &id,
    )
    .await;
    Ok(id)
}

/// Deletes a retro item (its author or a project lead); its votes go back to their voters.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/items/delete")]
pub async fn delete_retro_item(
    key: String,
    number: String,
    item_id: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "delete retro item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let item = load_item(&repo, access.key(), n, &item_id).await?;
    if item.created_by != rid("user", &user.id) && !access.level.can_manage() {
        deny(
            &state,
            &user,
            &ctx,
            &format!("delete retro item in {}", access.key()),
        )
        .await;
        return Err(AppError::Forbidden(
            "Only the item's author or a project lead can delete it.".into(),
        ));
    }
    repo.delete_item(&item.id).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro_item.delete",
        &target(access.key(), n),
        &item_id,
    )
    .await;
    Ok(())
}

#[cfg(feature = "ssr")]
async fn load_item(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    item_id: &str,
) -> Result<super::repo::RetroItemRecord, AppError> {
    if !is_safe_id(item_id) {
        return Err(AppError::not_found("Retro item"));
    }
    repo.item(key, n, item_id)
        .await?
        .ok_or_else(|| AppError::not_found("Retro item"))
}

/// Gives one of the caller's votes to a retro item (members; 3 per retro), or with
/// `take_back=true` takes one back. Returns the votes the caller has left.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/vote")]
pub async fn vote_retro_item(
    key: String,
    number: String,
    item_id: String,
    take_back: Option<String>,
) -> Result<u32, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "vote").await?;
    let take_back = match take_back.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::field("take_back", "Expected true or false.")),
    };
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let item = load_item(&repo, access.key(), n, &item_id).await?;
    if take_back {
        if !repo.unvote(access.key(), n, &item.id, &user.id).await? {
            return Err(AppError::Conflict(
                "You have no vote on this item to take back.".into(),
            ));
        }
        audit(
            &state,
            Some(&user),
            &ctx,
            "retro_item.unvote",
            &target(access.key(), n),
            &item_id,
        )
        .await;
    } else {
        if let Err(e) = repo.vote(access.key(), n, &item.id, &user.id).await {
            // The guard also fires when the item vanished meanwhile: tell which.
            load_item(&repo, access.key(), n, &item_id).await?;
            return Err(e);
        }
        audit(
            &state,
            Some(&user),
            &ctx,
            "retro_item.vote",
            &target(access.key(), n),
            &item_id,
        )
        .await;
    }
    votes_left(&repo, access.key(), n, &user).await
}

#[cfg(feature = "ssr")]
async fn votes_left(
    repo: &SprintRepo,
    key: &str,
    n: u32,
    user: &CurrentUser,
) -> Result<u32, AppError> {
    let used = repo.my_votes(key, n, &user.id).await?.len();
    Ok(VOTES_PER_RETRO.saturating_sub(u32::try_from(used).unwrap_or(VOTES_PER_RETRO)))
}

/// Adds a question to a retro's anonymous health check (members).
#[server(prefix = "/api/fn", endpoint = "sprints/retro/health/add")]
pub async fn add_health_question(
    key: String,
    number: String,
    question: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add health question").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let question = validate_question(&question)?;
    if retro.health.len() >= MAX_HEALTH_QUESTIONS {
        return Err(AppError::field(
            "question",
            format!("A health check has at most {MAX_HEALTH_QUESTIONS} questions."),
        ));
    }
    repo.add_question(access.key(), n, &question).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "retro.health_question",
        &target(access.key(), n),
        &question,
    )
    .await;
    Ok(())
}

/// Adds the caller's anonymous score (1–5) to a health question (members, once each). The
/// score is stored without the caller's name, and the audit event names no one.
#[server(prefix = "/api/fn", endpoint = "sprints/retro/health/answer")]
pub async fn answer_health_question(
    key: String,
    number: String,
    index: String,
    score: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "answer health check").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, retro) = load_retro(&repo, access.key(), &number).await?;
    let index: u32 = index
        .trim()
        .parse()
        .ok()
        .filter(|i| usize::try_from(*i).is_ok_and(|i| i < retro.health.len()))
        .ok_or_else(|| AppError::field("index", "Choose a question of this health check."))?;
    let score = parse_score(&score)?;
    repo.answer(access.key(), n, index, &user.id, score).await?;
    audit(
        &state,
        None,
        &ctx,
        "retro.health_answer",
        &target(access.key(), n),
        "",
    )
    .await;
    Ok(())
}

// ---- action items ----------------------------------------------------------------------------

#[cfg(feature = "ssr")]
async fn check_owner(state: &AppState, owner: Option<&str>) -> Result<(), AppError> {
    let Some(owner) = owner else { return Ok(()) };
    match AuthRepo::new(state.db.clone()).user_by_id(owner).await? {
        Some(u) if u.active => Ok(()),
        _ => Err(AppError::field(
            "owner",
            "Choose an active user as the owner.",
        )),
    }
}

#[cfg(feature = "ssr")]
async fn load_action(repo: &SprintRepo, key: &str, id: &str) -> Result<ActionRecord, AppError> {
    if !is_safe_id(id) {
        return Err(AppError::not_found("Action item"));
    }
    repo.action(key, id)
        .await?
        .ok_or_else(|| AppError::not_found("Action item"))
}

/// A project's action items; `status` filters (e.g. `open`).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/list")]
pub async fn list_action_items(
    key: String,
    status: Option<String>,
) -> Result<Vec<ActionItem>, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let status = match status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(parse_status(s)?),
    };
    let repo = SprintRepo::new(state.db.clone());
    Ok(repo
        .actions(access.key(), status)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Adds an action item to a sprint's retro (members). The due sprint defaults to the next one.
#[server(prefix = "/api/fn", endpoint = "sprints/actions/add")]
pub async fn add_action_item(
    key: String,
    number: String,
    text: String,
    owner: Option<String>,
    due_sprint: Option<String>,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let valid = validate_action(
        &text,
        owner.as_deref().unwrap_or_default(),
        due_sprint.as_deref().unwrap_or_default(),
        n,
    )?;
    check_owner(&state, valid.owner.as_deref()).await?;
    let id = repo.add_action(access.key(), n, &valid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.create",
        &target(access.key(), n),
        &id,
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(&state, access.key(), "created", &item).await;
    Ok(item)
}

/// Edits an action item's text, owner and due sprint (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/update")]
pub async fn update_action_item(
    key: String,
    id: String,
    text: String,
    owner: Option<String>,
    due_sprint: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    if due_sprint.trim().is_empty() {
        return Err(AppError::field(
            "due_sprint",
            "Enter the sprint it is due in.",
        ));
    }
    let valid = validate_action(&text, owner.as_deref().unwrap_or_default(), &due_sprint, n)?;
    check_owner(&state, valid.owner.as_deref()).await?;
    repo.update_action(&item.id, &valid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.update",
        &target(access.key(), n),
        &id,
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(&state, access.key(), "updated", &item).await;
    Ok(item)
}

/// Closes (done or dropped, `closed_on` = today) or reopens (`closed_on` cleared) an action
/// item (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/status")]
pub async fn set_action_status(
    key: String,
    id: String,
    status: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "change action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let status = parse_status(&status)?;
    let current: ActionStatus = item.status.parse().unwrap_or_default();
    if current != status {
        repo.set_action_status(
            &item.id,
            status,
            closed_on_for(status, today(&state).await?),
        )
        .await?;
    }
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.status",
        &target(access.key(), n),
        &format!("{id} {}", status.as_str()),
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(&state, access.key(), "updated", &item).await;
    Ok(item)
}

/// Carries an open action item on: it becomes due in sprint `due_sprint` (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/carry")]
pub async fn carry_action_item(
    key: String,
    id: String,
    due_sprint: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "carry action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let due = parse_number(&due_sprint).ok_or_else(|| {
        AppError::field(
            "due_sprint",
            "Enter a sprint number (a whole number of 1 or more).",
        )
    })?;
    if item.status != ActionStatus::Open.as_str() {
        return Err(AppError::Conflict(
            "Only open action items can be carried on; reopen it first.".into(),
        ));
    }
    repo.set_action_due(&item.id, due).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.carry",
        &target(access.key(), n),
        &format!("{id} to sprint {due}"),
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(&state, access.key(), "updated", &item).await;
    Ok(item)
}

/// Deletes an action item (project leads).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/delete")]
pub async fn delete_action_item(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    repo.delete_action(&item.id).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.delete",
        &target(access.key(), n),
        &item.text,
    )
    .await;
    let item: ActionItem = item.into();
    crate::webhooks::service::action_item_changed(&state, access.key(), "deleted", &item).await;
    Ok(())
}
