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

use super::{
    Body, ErrorBody, KeyPageQuery, Page, ProjectKey, Query, flag, json, no_content, ok, run,
};

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
    /// Search in name, organization, title and (where the caller may see them) email; at most
    /// 100 characters.
    #[param(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,98}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub q: Option<String>,
    /// Only this function.
    #[param(value_type = Option<app::stakeholders::Function>)]
    pub function: Option<String>,
    /// Only stakeholders linked to this project.
    #[param(value_type = Option<ProjectKey>)]
    pub project: Option<String>,
    /// List erased entries too.
    pub include_erased: Option<bool>,
}

/// Self-described attributes: dimension → value, at most 20 (dimensions differ also when
/// compared without case).
pub struct Attributes;

impl utoipa::PartialSchema for Attributes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let dimension = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(40))
            .pattern(Some(r"^[^:\n]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^:\n]*$"));
        let value = ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(120))
            .pattern(Some(
                r"^[^\n]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\n]*$",
            ));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(dimension))
            .additional_properties(Some(AdditionalProperties::RefOr(value.into())))
            .max_properties(Some(app::stakeholders::MAX_ATTRIBUTES))
            .description(Some(
                "Self-described attributes: dimension (at most 40 characters, no colon) → value \
                 (at most 120 characters), one line each; at most 20.",
            ))
            .into()
    }
}

impl ToSchema for Attributes {}

/// A new stakeholder (the workspace format's names). `name` and `function` are required. Only
/// admins, workspace leads and the leads of a linked project may record an email, attributes or
/// consent; attributes are kept only with a consent date.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StakeholderInput {
    /// Name: one line of 1–120 characters.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,118}[^\x00-\x1f\x7f-\x9f \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: Option<String>,
    /// The function.
    #[schema(value_type = app::stakeholders::Function, required = true)]
    pub function: Option<String>,
    /// Email (at most 254 bytes); `null` or empty for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^@\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub email: Option<Option<String>>,
    /// Organization: one line, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,120}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub organization: Option<String>,
    /// Job title: one line, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,120}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub title: Option<String>,
    /// Free notes, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    /// Self-described attributes (need a consent date).
    #[schema(value_type = Option<Attributes>)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// The day consent was given (not in the future); `null` or empty for none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub consented_on: Option<Option<String>>,
    /// The project to link; members must name one of their projects, empty for none.
    #[schema(pattern = r"^([a-z0-9][a-z0-9-]{1,39})?$")]
    pub project: Option<String>,
}

/// Changes to a stakeholder (the workspace format's names): absent fields keep their value.
/// `email` and `consented_on` may be `null` to clear them; `attributes` replaces the stored ones
/// (`{}` deletes them), and withdrawing consent deletes them too. Only admins, workspace leads
/// and the leads of a linked project may record an email, attributes or consent.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StakeholderPatch {
    /// Name: one line of 1–120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\x00-\x1f\x7f-\x9f]{0,118}[^\x00-\x1f\x7f-\x9f \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// The function.
    #[schema(value_type = Option<app::stakeholders::Function>)]
    pub function: Option<String>,
    /// Email (at most 254 bytes); `null` or empty clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 254, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^@\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub email: Option<Option<String>>,
    /// Organization: one line, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,120}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub organization: Option<String>,
    /// Job title: one line, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,120}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub title: Option<String>,
    /// Free notes, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    /// Self-described attributes (need a consent date).
    #[schema(value_type = Option<Attributes>)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// The day consent was given (not in the future); `null` or empty withdraws consent and
    /// deletes the attributes.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub consented_on: Option<Option<String>>,
}

/// Which entry to merge this one into.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeInput {
    /// The id of the entry that stays (another one); this one points at it afterwards.
    #[schema(min_length = 1, max_length = 64)]
    pub into: String,
}

/// `true`, the only value [`EraseInput::confirm`] takes.
fn only_true() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("Must be `true`: erasing cannot be undone."))
        .build()
}

/// The confirmation erasing needs.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseInput {
    /// Must be `true`: erasing cannot be undone.
    #[schema(schema_with = only_true, required = true)]
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
    params(DirectoryParams, KeyPageQuery),
    responses((status = 200, description = "A page of stakeholder summaries", body = Page<app::stakeholders::StakeholderSummary>),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_stakeholders(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<DirectoryParams>,
    Query(page): Query<KeyPageQuery>,
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
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    request_body = StakeholderPatch,
    params(("id" = String, Path, description = "Stakeholder id")),
    responses((status = 200, description = "The stakeholder", body = app::stakeholders::Stakeholder),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_stakeholder(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    Body(s): Body<StakeholderPatch>,
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
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
