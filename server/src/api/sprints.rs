//! `/projects/{key}/sprints` with their reviews, retrospectives, retro items and action items,
//! and `/projects/{key}/action-items`.

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::{AppError, AppResult};
use app::sprints::api as fns;
use app::sprints::{ActionItem, MAX_TEXT, Retro, RetroItem, parse_count, parse_status};
use app::state::AppState;

use super::{
    Body, ErrorBody, Page, PageQuery, ProjectKey, Query, SprintNumber, json, no_content, num, ok,
    paginate, run,
};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sprints, create_sprint))
        .routes(routes!(get_sprint, update_sprint, delete_sprint))
        .routes(routes!(get_review, put_review, delete_review))
        .routes(routes!(get_retro, put_retro, delete_retro))
        .routes(routes!(list_retro_items, add_retro_item))
        .routes(routes!(vote_retro_item, delete_retro_item))
        .routes(routes!(list_retro_actions, add_retro_action))
        .routes(routes!(update_retro_action, delete_retro_action))
        .routes(routes!(list_project_actions))
}

/// A new sprint (the workspace format's names). Every field is optional: the server assigns
/// the number, and absent or empty fields take the defaults ("Sprint N", starting the day after
/// the latest sprint ends, lasting the project's target length).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SprintInput {
    /// Name, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,118}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Goal, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub goal: Option<String>,
    /// First day.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub start_on: Option<String>,
    /// Last day (inclusive), on or after the first and at most 42 days after it.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub end_on: Option<String>,
    /// Items committed to; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, maximum = 100000)]
    pub committed: Option<Option<i64>>,
    /// Items completed; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, maximum = 100000)]
    pub completed: Option<Option<i64>>,
    /// Notes (plain text), at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

/// Changes to a sprint (the workspace format's names): absent fields keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SprintPatch {
    /// Name: 1–120 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,118}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Goal, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub goal: Option<String>,
    /// First day.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub start_on: Option<String>,
    /// Last day (inclusive), on or after the first and at most 42 days after it.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub end_on: Option<String>,
    /// Items committed to; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, maximum = 100000)]
    pub committed: Option<Option<i64>>,
    /// Items completed; `null` clears.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, maximum = 100000)]
    pub completed: Option<Option<i64>>,
    /// Notes (plain text), at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
}

/// A sprint review (create or replace).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// The day it was held.
    #[schema(value_type = chrono::NaiveDate, required = true)]
    pub held_on: Option<String>,
    /// Attending users' ids (at most 200).
    #[schema(max_items = 200)]
    pub attendee_users: Option<Vec<String>>,
    /// Attending stakeholders' ids (at most 200).
    #[schema(max_items = 200)]
    pub attendee_stakeholders: Option<Vec<String>>,
    /// Demo summary (Markdown), at most 20,000 characters.
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    /// Decisions (Markdown), at most 20,000 characters.
    #[schema(max_length = 20000)]
    pub decisions: Option<String>,
    /// The outcome (default `no_decision`).
    #[schema(value_type = Option<app::sprints::ReviewOutcome>)]
    pub outcome: Option<String>,
}

/// A retrospective's day and format (create or replace; the board is kept).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RetroInput {
    /// The day it was held; empty or absent for not yet.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub held_on: Option<String>,
    /// The format, which fixes the board's columns (default `start_stop_continue`).
    #[schema(value_type = Option<app::sprints::RetroFormat>)]
    pub format: Option<String>,
}

/// A new retro item.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RetroItemInput {
    /// One of the retro format's columns, e.g. `start`.
    #[schema(value_type = app::sprints::RetroColumn, required = true)]
    pub column: Option<String>,
    /// The item's text: 1–1,000 characters, not blank.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub text: Option<String>,
}

/// A vote on a retro item: `true` gives one of the caller's votes (3 per retro), `false` takes
/// one back.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VoteInput {
    /// Give (`true`) or take back (`false`) a vote.
    #[schema(value_type = bool, required = true)]
    pub vote: Option<bool>,
}

/// A new action item. `due_sprint` defaults to the next sprint.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActionInput {
    /// What is to be done: 1–1,000 characters, not blank.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub text: Option<String>,
    /// The owner's user id (`null` or empty: none).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub owner: Option<Option<String>>,
    /// The number of the sprint it is due in (it may not exist yet).
    #[schema(minimum = 1, maximum = 100000)]
    pub due_sprint: Option<i64>,
    /// The status (default `open`); closing sets `closed_on` to today.
    #[schema(value_type = Option<app::sprints::ActionStatus>)]
    pub status: Option<String>,
}

/// Changes to an action item: absent fields keep their value; a `null` or empty `owner` clears
/// it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActionPatch {
    /// What is to be done: 1–1,000 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub text: Option<String>,
    /// The owner's user id (`null` or empty: none).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub owner: Option<Option<String>>,
    /// The number of the sprint it is due in (it may not exist yet).
    #[schema(minimum = 1, maximum = 100000)]
    pub due_sprint: Option<i64>,
    /// The status; closing sets `closed_on` to today, reopening clears it.
    #[schema(value_type = Option<app::sprints::ActionStatus>)]
    pub status: Option<String>,
}

/// `?status=open` filters action items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionFilter {
    /// Only action items with this status; absent for all.
    #[param(value_type = Option<app::sprints::ActionStatus>)]
    pub status: Option<String>,
}

/// A retro item after a vote, with the caller's votes left.
#[derive(Serialize, ToSchema)]
struct VotedItem {
    #[serde(flatten)]
    item: RetroItem,
    votes_left: u32,
}

/// For optional fields that `null` clears: absent is `None` (keep), `null` is `Some(None)`.
pub(super) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A count for the update function: absent keeps `current`, `null` clears.
fn overlay_count(v: Option<Option<i64>>, current: Option<u32>) -> Option<String> {
    match v {
        None => current.map(|c| c.to_string()),
        Some(n) => num(n),
    }
}

/// The retro of sprint `number`, or not found when it was not started.
async fn retro_of(key: String, number: String) -> AppResult<Retro> {
    fns::get_retro(key, number)
        .await?
        .retro
        .ok_or_else(|| AppError::not_found("Retrospective"))
}

/// The action item `id` decided at the retro of sprint `number`.
async fn action_of(key: String, number: String, id: &str) -> AppResult<ActionItem> {
    retro_of(key, number)
        .await?
        .action_items
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| AppError::not_found("Action item"))
}

// ---- sprints ---------------------------------------------------------------------------------

/// The project's sprints, newest first, each with its review outcome and retro status.
#[utoipa::path(get, path = "/projects/{key}/sprints", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"), PageQuery),
    responses((status = 200, description = "A page of sprints", body = Page<app::sprints::SprintSummary>),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_sprints(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let list = run(&state, parts, fns::list_sprints(key)).await?;
    Ok(ok(&paginate(list.sprints, &page)?))
}

/// Creates the project's next sprint (members); the server assigns its number. Answers the
/// sprint and any overlap warnings.
#[utoipa::path(post, path = "/projects/{key}/sprints", tag = "sprints", request_body = SprintInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The new sprint and its warnings", body = app::sprints::SprintSaved),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_sprint(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(s): Body<SprintInput>,
) -> AppResult<Response> {
    let saved = run(&state, parts, async move {
        let committed = num(s.committed.flatten());
        let completed = num(s.completed.flatten());
        // The fields the create function does not take are checked before anything is written.
        parse_count("committed", committed.as_deref().unwrap_or_default())?;
        parse_count("completed", completed.as_deref().unwrap_or_default())?;
        app::fields::check_text("notes", s.notes.as_deref().unwrap_or_default(), MAX_TEXT)?;
        let saved = fns::create_sprint(key.clone(), s.name, s.goal, s.start_on, s.end_on).await?;
        if committed.is_none() && completed.is_none() && s.notes.is_none() {
            return Ok(saved);
        }
        let sp = saved.sprint;
        fns::update_sprint(
            key,
            sp.number.to_string(),
            sp.name,
            Some(sp.goal),
            sp.start_on.to_string(),
            sp.end_on.to_string(),
            committed,
            completed,
            s.notes,
        )
        .await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &saved))
}

/// One sprint with its warnings, review and retro status, and what refers to it.
#[utoipa::path(get, path = "/projects/{key}/sprints/{number}", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The sprint", body = app::sprints::SprintDetail),
              (status = 404, body = ErrorBody)))]
async fn get_sprint(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, fns::get_sprint(key, number)).await?))
}

/// Changes a sprint (members). Absent fields keep their value; overlaps with other sprints are
/// allowed and answered as warnings.
#[utoipa::path(patch, path = "/projects/{key}/sprints/{number}", tag = "sprints",
    request_body = SprintPatch,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The sprint and its warnings", body = app::sprints::SprintSaved),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_sprint(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Body(s): Body<SprintPatch>,
) -> AppResult<Response> {
    let saved = run(&state, parts, async move {
        let cur = fns::get_sprint(key.clone(), number.clone()).await?.sprint;
        fns::update_sprint(
            key,
            number,
            s.name.unwrap_or(cur.name),
            Some(s.goal.unwrap_or(cur.goal)),
            s.start_on.unwrap_or_else(|| cur.start_on.to_string()),
            s.end_on.unwrap_or_else(|| cur.end_on.to_string()),
            overlay_count(s.committed, cur.committed),
            overlay_count(s.completed, cur.completed),
            Some(s.notes.unwrap_or(cur.notes)),
        )
        .await
    })
    .await?;
    Ok(ok(&saved))
}

/// Deletes a sprint (project leads) when nothing refers to it; otherwise 409 naming what does.
#[utoipa::path(delete, path = "/projects/{key}/sprints/{number}", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_sprint(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_sprint(key, number)).await?;
    Ok(no_content())
}

// ---- reviews ---------------------------------------------------------------------------------

/// The sprint's review; 404 when none was recorded.
#[utoipa::path(get, path = "/projects/{key}/sprints/{number}/review", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The review", body = app::sprints::Review),
              (status = 404, body = ErrorBody)))]
async fn get_review(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let review = run(&state, parts, async move {
        fns::get_review(key, number)
            .await?
            .review
            .ok_or_else(|| AppError::not_found("Review"))
    })
    .await?;
    Ok(ok(&review))
}

/// Records the sprint's review, or replaces it (members).
#[utoipa::path(put, path = "/projects/{key}/sprints/{number}/review", tag = "sprints",
    request_body = ReviewInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The review", body = app::sprints::Review),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put_review(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Body(r): Body<ReviewInput>,
) -> AppResult<Response> {
    let review = run(
        &state,
        parts,
        fns::put_review(
            key,
            number,
            r.held_on.unwrap_or_default(),
            r.attendee_users,
            r.attendee_stakeholders,
            r.summary,
            r.decisions,
            r.outcome,
        ),
    )
    .await?;
    Ok(ok(&review))
}

/// Deletes the sprint's review (project leads).
#[utoipa::path(delete, path = "/projects/{key}/sprints/{number}/review", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_review(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_review(key, number)).await?;
    Ok(no_content())
}

// ---- retrospectives --------------------------------------------------------------------------

/// The sprint's retrospective: its board (items by column, with the caller's votes), the
/// anonymous health check, its action items and the caller's votes left; 404 when not started.
#[utoipa::path(get, path = "/projects/{key}/sprints/{number}/retro", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The retrospective", body = app::sprints::Retro),
              (status = 404, body = ErrorBody)))]
async fn get_retro(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, retro_of(key, number)).await?))
}

/// Starts the sprint's retrospective, or changes its day and format (members).
#[utoipa::path(put, path = "/projects/{key}/sprints/{number}/retro", tag = "sprints",
    request_body = RetroInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 200, description = "The retrospective", body = app::sprints::Retro),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put_retro(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Body(r): Body<RetroInput>,
) -> AppResult<Response> {
    let retro = run(&state, parts, async move {
        fns::put_retro(key.clone(), number.clone(), r.held_on, r.format).await?;
        retro_of(key, number).await
    })
    .await?;
    Ok(ok(&retro))
}

/// Deletes the sprint's retrospective with its board (project leads).
#[utoipa::path(delete, path = "/projects/{key}/sprints/{number}/retro", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_retro(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_retro(key, number)).await?;
    Ok(no_content())
}

// ---- retro items -----------------------------------------------------------------------------

/// The retro board's items, column by column and most votes first within a column.
#[utoipa::path(get, path = "/projects/{key}/sprints/{number}/retro/items", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"), PageQuery),
    responses((status = 200, description = "A page of retro items", body = Page<app::sprints::RetroItem>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_retro_items(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let retro = run(&state, parts, retro_of(key, number)).await?;
    let items: Vec<RetroItem> = retro.columns.into_iter().flat_map(|c| c.items).collect();
    Ok(ok(&paginate(items, &page)?))
}

/// Adds an item to a column of the retro board (members).
#[utoipa::path(post, path = "/projects/{key}/sprints/{number}/retro/items", tag = "sprints",
    request_body = RetroItemInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 201, description = "The new item", body = app::sprints::RetroItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn add_retro_item(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Body(i): Body<RetroItemInput>,
) -> AppResult<Response> {
    let item = run(&state, parts, async move {
        let id = fns::add_retro_item(
            key.clone(),
            number.clone(),
            i.column.unwrap_or_default(),
            i.text.unwrap_or_default(),
        )
        .await?;
        retro_item(key, number, &id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &item))
}

/// The item `id` of the retro board of sprint `number`.
async fn retro_item(key: String, number: String, id: &str) -> AppResult<RetroItem> {
    retro_of(key, number)
        .await?
        .columns
        .into_iter()
        .flat_map(|c| c.items)
        .find(|i| i.id == id)
        .ok_or_else(|| AppError::not_found("Retro item"))
}

/// Votes on a retro item (members): `{"vote": true}` gives one of the caller's 3 votes per
/// retro, `{"vote": false}` takes one back. Items' text cannot be edited. Answers the item
/// with `votes_left`.
#[utoipa::path(patch, path = "/projects/{key}/sprints/{number}/retro/items/{id}", tag = "sprints",
    request_body = VoteInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"),
           ("id" = String, Path, description = "Retro item id")),
    responses((status = 200, description = "The item and the caller's votes left", body = VotedItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn vote_retro_item(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number, id)): Path<(String, String, String)>,
    Body(v): Body<VoteInput>,
) -> AppResult<Response> {
    let vote = v.vote.ok_or_else(|| {
        AppError::field(
            "vote",
            "Send true to give a vote or false to take one back.",
        )
    })?;
    let voted = run(&state, parts, async move {
        let votes_left = fns::vote_retro_item(
            key.clone(),
            number.clone(),
            id.clone(),
            Some((!vote).to_string()),
        )
        .await?;
        let item = retro_item(key, number, &id).await?;
        Ok(VotedItem { item, votes_left })
    })
    .await?;
    Ok(ok(&voted))
}

/// Deletes a retro item (its author or a project lead); its votes go back to their voters.
#[utoipa::path(delete, path = "/projects/{key}/sprints/{number}/retro/items/{id}", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"),
           ("id" = String, Path, description = "Retro item id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_retro_item(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number, id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_retro_item(key, number, id)).await?;
    Ok(no_content())
}

// ---- action items ----------------------------------------------------------------------------

/// The action items decided at the sprint's retrospective.
#[utoipa::path(get, path = "/projects/{key}/sprints/{number}/retro/action-items", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"), PageQuery),
    responses((status = 200, description = "A page of action items", body = Page<app::sprints::ActionItem>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_retro_actions(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let retro = run(&state, parts, retro_of(key, number)).await?;
    Ok(ok(&paginate(retro.action_items, &page)?))
}

/// Adds an action item to the sprint's retrospective (members). `due_sprint` defaults to the
/// next sprint.
#[utoipa::path(post, path = "/projects/{key}/sprints/{number}/retro/action-items", tag = "sprints",
    request_body = ActionInput,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number")),
    responses((status = 201, description = "The new action item", body = app::sprints::ActionItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn add_retro_action(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number)): Path<(String, String)>,
    Body(a): Body<ActionInput>,
) -> AppResult<Response> {
    let item = run(&state, parts, async move {
        if let Some(s) = a.status.as_deref() {
            parse_status(s)?;
        }
        let item = fns::add_action_item(
            key.clone(),
            number,
            a.text.unwrap_or_default(),
            a.owner.flatten(),
            num(a.due_sprint),
        )
        .await?;
        match a.status {
            Some(s) if s.trim() != item.status.as_str() => {
                fns::set_action_status(key, item.id, s).await
            }
            _ => Ok(item),
        }
    })
    .await?;
    Ok(json(StatusCode::CREATED, &item))
}

/// Changes an action item (members): text, owner, due sprint (carrying it on) and status.
/// Absent fields keep their value.
#[utoipa::path(patch, path = "/projects/{key}/sprints/{number}/retro/action-items/{id}",
    tag = "sprints", request_body = ActionPatch,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"),
           ("id" = String, Path, description = "Action item id")),
    responses((status = 200, description = "The action item", body = app::sprints::ActionItem),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_retro_action(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number, id)): Path<(String, String, String)>,
    Body(a): Body<ActionPatch>,
) -> AppResult<Response> {
    let item = run(&state, parts, async move {
        let mut item = action_of(key.clone(), number, &id).await?;
        // A change needs write access even when the body changes nothing.
        let (state, user, ctx) = app::auth::service::require_user().await?;
        app::projects::service::require_write(&state, &user, &ctx, &key, "change action item")
            .await?;
        if let Some(s) = a.status.as_deref() {
            parse_status(s)?;
        }
        if a.text.is_some() || a.owner.is_some() || a.due_sprint.is_some() {
            item = fns::update_action_item(
                key.clone(),
                id.clone(),
                a.text.unwrap_or(item.text),
                match a.owner {
                    Some(o) => o,
                    None => item.owner,
                },
                num(a.due_sprint).unwrap_or_else(|| item.due_sprint.to_string()),
            )
            .await?;
        }
        if let Some(s) = a.status {
            item = fns::set_action_status(key, id, s).await?;
        }
        Ok(item)
    })
    .await?;
    Ok(ok(&item))
}

/// Deletes an action item (project leads).
#[utoipa::path(delete, path = "/projects/{key}/sprints/{number}/retro/action-items/{id}",
    tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("number" = SprintNumber, Path, description = "Sprint number"),
           ("id" = String, Path, description = "Action item id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_retro_action(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, number, id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    run(&state, parts, async move {
        action_of(key.clone(), number, &id).await?;
        fns::delete_action_item(key, id).await
    })
    .await?;
    Ok(no_content())
}

/// All of the project's action items, from every retrospective; `?status=open` filters.
#[utoipa::path(get, path = "/projects/{key}/action-items", tag = "sprints",
    params(("key" = ProjectKey, Path, description = "Project key"), ActionFilter, PageQuery),
    responses((status = 200, description = "A page of action items", body = Page<app::sprints::ActionItem>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_project_actions(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(f): Query<ActionFilter>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let items = run(&state, parts, fns::list_action_items(key, f.status)).await?;
    Ok(ok(&paginate(items, &page)?))
}
