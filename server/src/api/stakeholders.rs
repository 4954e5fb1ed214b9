//! `/stakeholders`: the workspace-wide directory, with merge and erase.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::{AppError, AppResult};
use app::stakeholders::api as fns;
use app::stakeholders::format_attributes;
use app::state::AppState;

use super::{Body, ErrorBody, Page, PageQuery, Query, flag, json, no_content, ok, run};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stakeholders, create_stakeholder))
        .routes(routes!(
            get_stakeholder,
            update_stakeholder,
            delete_stakeholder
        ))
        .routes(routes!(merge_stakeholder))
        .routes(routes!(erase_stakeholder))
}

/// A JSON key that may be absent (`None`), `null` (`Some(None)`) or a value.
pub(super) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The directory's search and filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Search in name, organization, title and (where the caller may see them) email.
    pub q: Option<String>,
    /// Only this function, e.g. `end_user`.
    pub function: Option<String>,
    /// Only stakeholders linked to this project (key).
    pub project: Option<String>,
    /// List erased entries too.
    pub include_erased: Option<bool>,
}

/// A stakeholder's editable fields (the workspace format's names). On create, `name` and
/// `function` are required; on update every field is optional and absent fields keep their
/// value. `email` and `consented_on` may be `null` to clear them; `attributes` replaces the
/// stored ones (`{}` deletes them). Only admins, workspace leads and the leads of a linked
/// project may record an email, attributes or consent.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StakeholderInput {
    /// Name, at most 120 characters.
    pub name: Option<String>,
    /// One of the ten functions, e.g. `end_user`, `domain_expert`, `data_owner`.
    pub function: Option<String>,
    /// Email (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Organization.
    pub organization: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Self-described attributes, dimension → value (needs a consent date).
    pub attributes: Option<BTreeMap<String, String>>,
    /// `YYYY-MM-DD` (`null` withdraws consent and deletes the attributes).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub consented_on: Option<Option<String>>,
    /// The project (key) to link on create; members must name one of their projects.
    pub project: Option<String>,
}

/// Which entry to merge this one into.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeInput {
    /// The id of the entry that stays; this one points at it afterwards.
    pub into: String,
}

/// The confirmation erasing needs.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseInput {
    /// Must be `true`: erasing cannot be undone.
    pub confirm: Option<bool>,
}

/// A nullable text as the form field the server function takes (`null` → "" which clears).
fn clearable(v: Option<Option<String>>) -> Option<String> {
    v.map(Option::unwrap_or_default)
}

async fn record(id: String) -> AppResult<app::stakeholders::Stakeholder> {
    Ok(fns::get_stakeholder(id).await?.stakeholder)
}

/// Lists the directory by name, searched and filtered, a page at a time (pass `next_cursor` as
/// `cursor` for the next one). Emails and attributes are included only for callers who may see
/// them.
#[utoipa::path(get, path = "/stakeholders", tag = "stakeholders",
    params(DirectoryParams, PageQuery),
    responses((status = 200, description = "A page of stakeholder summaries", body = Page<app::stakeholders::StakeholderSummary>),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_stakeholders(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<DirectoryParams>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let erased = q
        .include_erased
        .map(|b| if b { "include" } else { "" }.to_string());
    let limit = page.limit()?;
    let after = page.key_cursor()?;
    let list = run(
        &state,
        parts,
        fns::list_stakeholders(
            q.q,
            q.function,
            q.project,
            erased,
            Some(limit.to_string()),
            after,
        ),
    )
    .await?;
    Ok(ok(&Page {
        items: list.items,
        next_cursor: list.next_after.map(|a| format!("k{a}")),
    }))
}

/// Adds a stakeholder to the directory.
#[utoipa::path(post, path = "/stakeholders", tag = "stakeholders", request_body = StakeholderInput,
    responses((status = 201, description = "The new stakeholder", body = app::stakeholders::Stakeholder),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Body(s): Body<StakeholderInput>,
) -> AppResult<Response> {
    let created = run(&state, parts, async move {
        let id = fns::create_stakeholder(
            s.name.unwrap_or_default(),
            s.function.unwrap_or_default(),
            clearable(s.email),
            s.organization,
            s.title,
            s.project,
            s.notes,
            s.attributes.as_ref().map(format_attributes),
            clearable(s.consented_on),
        )
        .await?;
        record(id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// One stakeholder. A merged entry answers with `merged_into` set.
#[utoipa::path(get, path = "/stakeholders/{id}", tag = "stakeholders",
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 200, description = "The stakeholder", body = app::stakeholders::Stakeholder),
              (status = 404, body = ErrorBody)))]
async fn get_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, record(id)).await?))
}

/// Changes a stakeholder's fields. Absent fields keep their value.
#[utoipa::path(patch, path = "/stakeholders/{id}", tag = "stakeholders",
    request_body = StakeholderInput,
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 200, description = "The stakeholder", body = app::stakeholders::Stakeholder),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    Body(s): Body<StakeholderInput>,
) -> AppResult<Response> {
    let updated = run(&state, parts, async move {
        let cur = record(id.clone()).await?;
        fns::update_stakeholder(
            id.clone(),
            s.name.unwrap_or(cur.name),
            s.function
                .unwrap_or_else(|| cur.function.as_str().to_string()),
            clearable(s.email),
            Some(s.organization.unwrap_or(cur.organization)),
            Some(s.title.unwrap_or(cur.title)),
            Some(s.notes.unwrap_or(cur.notes)),
            s.attributes.as_ref().map(format_attributes),
            clearable(s.consented_on),
            None,
        )
        .await?;
        record(id).await
    })
    .await?;
    Ok(ok(&updated))
}

/// Erases a stakeholder (admins and workspace leads): the same as `POST …/erase` with
/// `confirm: true`. Name, email, organization, title, notes, attributes and consent are
/// removed for good; the function and project links stay.
#[utoipa::path(delete, path = "/stakeholders/{id}", tag = "stakeholders",
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 204, description = "Erased"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
) -> AppResult<Response> {
    run(
        &state,
        parts,
        fns::erase_stakeholder(id, Some("true".into())),
    )
    .await?;
    Ok(no_content())
}

/// Merges this entry into another one for the same person (admins and workspace leads): its
/// projects and every reference move to `into`, and this entry points at it.
#[utoipa::path(post, path = "/stakeholders/{id}/merge", tag = "stakeholders",
    request_body = MergeInput,
    params(("id" = String, Path, description = "The duplicate's id")),
    responses((status = 200, description = "The kept stakeholder", body = app::stakeholders::Stakeholder),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn merge_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    Body(m): Body<MergeInput>,
) -> AppResult<Response> {
    let kept = run(&state, parts, async move {
        let kept = fns::merge_stakeholders(id, m.into, Some("other".into()))
            .await
            .map_err(|e| match e {
                AppError::Validation {
                    field: Some(f),
                    message,
                } if f == "other" => AppError::field("into", message),
                e => e,
            })?;
        record(kept).await
    })
    .await?;
    Ok(ok(&kept))
}

/// Erases a stakeholder (admins and workspace leads); needs `confirm: true`.
#[utoipa::path(post, path = "/stakeholders/{id}/erase", tag = "stakeholders",
    request_body = EraseInput,
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 204, description = "Erased"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn erase_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    Body(e): Body<EraseInput>,
) -> AppResult<Response> {
    run(&state, parts, fns::erase_stakeholder(id, flag(e.confirm))).await?;
    Ok(no_content())
}
