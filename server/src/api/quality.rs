//! `/projects/{key}/readiness` and `/projects/{key}/dq-issues`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::StatusCode;
use http::request::Parts;
use serde::{Deserialize, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::{AppError, AppResult};
use app::quality::api as fns;
use app::quality::{Readiness, ReadinessItemForm};
use app::state::AppState;

use super::sprints::present;
use super::{
    Body, ErrorBody, Page, PageQuery, ProjectKey, Query, flag, json, no_content, ok, paginate, run,
};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_readiness, put_readiness))
        .routes(routes!(list_dq_issues, create_dq_issue))
        .routes(routes!(get_dq_issue, update_dq_issue, delete_dq_issue))
}

/// One readiness item as the workspace format writes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReadinessInput {
    /// Done? Absent means not done.
    pub done: Option<bool>,
    /// The owning user's id (an active user), or `null` or empty for none.
    #[schema(max_length = 64)]
    pub owner: Option<String>,
    /// A note, at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Readiness items keyed by item key (at least one). Each listed item is replaced; items not
/// listed keep their value.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct ReadinessPut(pub BTreeMap<String, ReadinessInput>);

/// An object with the checklist's item keys as its only properties (the derive would allow any
/// key).
impl utoipa::PartialSchema for ReadinessPut {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let item = utoipa::openapi::Ref::from_schema_name("ReadinessInput");
        app::format::READINESS_KEYS
            .iter()
            .fold(utoipa::openapi::ObjectBuilder::new(), |o, key| {
                o.property(*key, item.clone())
            })
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ))
            .min_properties(Some(1))
            .description(Some(
                "Readiness items keyed by item key (at least one). Each listed item is replaced; \
                 items not listed keep their value.",
            ))
            .into()
    }
}

impl ToSchema for ReadinessPut {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            ReadinessInput::name().into_owned(),
            <ReadinessInput as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// One readiness item as answered.
#[derive(Serialize, ToSchema)]
struct ReadinessOut {
    done: bool,
    owner: Option<String>,
    owner_name: Option<String>,
    note: String,
    updated_at: Option<DateTime<Utc>>,
}

/// The checklist as a map keyed by item key, in checklist order.
struct Checklist(Vec<(&'static str, ReadinessOut)>);

impl Serialize for Checklist {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl From<Readiness> for Checklist {
    fn from(r: Readiness) -> Self {
        Self(
            r.items
                .into_iter()
                .map(|e| {
                    (
                        e.item.as_str(),
                        ReadinessOut {
                            done: e.done,
                            owner: e.owner,
                            owner_name: e.owner_name,
                            note: e.note,
                            updated_at: e.updated_at,
                        },
                    )
                })
                .collect(),
        )
    }
}

/// A validation error of item `item`, with its field named `item.field` (or `item` when the
/// item itself is unknown).
fn in_item(item: &str, e: AppError) -> AppError {
    match e {
        AppError::Validation {
            field: Some(f),
            message,
        } => AppError::Validation {
            field: Some(if f == "item" {
                item.to_string()
            } else {
                format!("{item}.{f}")
            }),
            message,
        },
        other => other,
    }
}

/// A new data-quality issue (the workspace format's names). `dataset`, `description`,
/// `dimension` and `severity` are required; `resolved_on` is required exactly when `status` is
/// `resolved` or `wont_fix`, and no date may be before `opened_on`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DqIssueInput {
    /// The dataset concerned: 1–200 characters, not blank.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,198}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub dataset: Option<String>,
    /// What is wrong: 1–5,000 characters, not blank.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,4998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub description: Option<String>,
    /// The data-quality dimension.
    #[schema(value_type = app::quality::DqDimension, required = true)]
    pub dimension: Option<String>,
    /// The severity.
    #[schema(value_type = app::quality::DqSeverity, required = true)]
    pub severity: Option<String>,
    /// The stakeholder who owns the source (an id from the directory); `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub source_owner: Option<Option<String>>,
    /// The day it was opened (default today).
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub opened_on: Option<String>,
    /// The day it was reported upstream; `null` for not yet.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub reported_upstream_on: Option<Option<String>>,
    /// The status (default `open`).
    #[schema(value_type = Option<app::quality::DqStatus>)]
    pub status: Option<String>,
    /// The day it was closed; only with `resolved` and `wont_fix`, `null` while open.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub resolved_on: Option<Option<String>>,
}

/// Changes to a data-quality issue: absent fields keep their value and `null` clears
/// `source_owner`, `reported_upstream_on` and `resolved_on`. `resolved_on` is required exactly
/// when the status is `resolved` or `wont_fix`, and no date may be before `opened_on`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DqIssuePatch {
    /// The dataset concerned: 1–200 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,198}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub dataset: Option<String>,
    /// What is wrong: 1–5,000 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,4998}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub description: Option<String>,
    /// The data-quality dimension.
    #[schema(value_type = Option<app::quality::DqDimension>)]
    pub dimension: Option<String>,
    /// The severity.
    #[schema(value_type = Option<app::quality::DqSeverity>)]
    pub severity: Option<String>,
    /// The stakeholder who owns the source (an id from the directory); `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 64)]
    pub source_owner: Option<Option<String>>,
    /// The day it was opened.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub opened_on: Option<String>,
    /// The day it was reported upstream; `null` for not yet.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub reported_upstream_on: Option<Option<String>>,
    /// The status.
    #[schema(value_type = Option<app::quality::DqStatus>)]
    pub status: Option<String>,
    /// The day it was closed; only with `resolved` and `wont_fix`, `null` while open.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub resolved_on: Option<Option<String>>,
}

/// `?status=&severity=` filters of the register.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DqFilter {
    /// Only issues with this status.
    #[param(value_type = Option<app::quality::DqStatus>)]
    pub status: Option<String>,
    /// Only issues with this severity.
    #[param(value_type = Option<app::quality::DqSeverity>)]
    pub severity: Option<String>,
}

/// An optional field for the update function: absent keeps `current`, `null` clears.
fn overlay(v: Option<Option<String>>, current: Option<String>) -> Option<String> {
    match v {
        None => current,
        Some(v) => Some(v.unwrap_or_default()),
    }
}

// ---- readiness -------------------------------------------------------------------------------

/// The project's readiness checklist: every item keyed by its item key, with `done`, `owner`,
/// `owner_name`, `note` and `updated_at`.
#[utoipa::path(get, path = "/projects/{key}/readiness", tag = "quality",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The checklist: each item by its key, in checklist order", body = std::collections::BTreeMap<String, ReadinessOut>),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_readiness(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let readiness = run(&state, parts, fns::get_readiness(key)).await?;
    Ok(ok(&Checklist::from(readiness)))
}

/// Sets readiness items (members). Each listed item is replaced (`done` absent is false,
/// `owner` absent or `null` is none); items not listed keep their value. Every item is checked
/// before any is saved; a validation error names its field as `<item>.<field>`.
#[utoipa::path(put, path = "/projects/{key}/readiness", tag = "quality",
    request_body = ReadinessPut,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The checklist: each item by its key, in checklist order", body = std::collections::BTreeMap<String, ReadinessOut>),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn put_readiness(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(ReadinessPut(items)): Body<ReadinessPut>,
) -> AppResult<Response> {
    if items.is_empty() {
        return Err(AppError::invalid("List at least one readiness item."));
    }
    let forms: Vec<ReadinessItemForm> = items
        .into_iter()
        .map(|(item, i)| ReadinessItemForm {
            item,
            done: flag(i.done).unwrap_or_default(),
            owner: i.owner.unwrap_or_default(),
            note: i.note.unwrap_or_default(),
        })
        .collect();
    let readiness = run(&state, parts, async move {
        // Check every item first so that a bad one leaves the checklist as it was.
        for form in &forms {
            form.validate().map_err(|e| in_item(&form.item, e))?;
        }
        if forms.iter().any(|f| !f.owner.trim().is_empty()) {
            let users = app::projects::api::list_user_choices().await?;
            for form in &forms {
                let owner = form.owner.trim();
                if !owner.is_empty() && !users.iter().any(|u| u.id == owner) {
                    return Err(AppError::field(
                        &format!("{}.owner", form.item),
                        "Choose an active user as the owner.",
                    ));
                }
            }
        }
        for form in forms {
            let item = form.item.clone();
            fns::set_readiness_item(
                key.clone(),
                form.item,
                Some(form.done),
                Some(form.owner),
                Some(form.note),
            )
            .await
            .map_err(|e| in_item(&item, e))?;
        }
        fns::get_readiness(key).await
    })
    .await?;
    Ok(ok(&Checklist::from(readiness)))
}

// ---- data-quality issues ---------------------------------------------------------------------

/// The project's data-quality issues, newest first; `status` and `severity` filter.
#[utoipa::path(get, path = "/projects/{key}/dq-issues", tag = "quality",
    params(("key" = ProjectKey, Path, description = "Project key"), DqFilter, PageQuery),
    responses((status = 200, description = "A page of issues", body = Page<app::quality::DqIssue>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_dq_issues(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(f): Query<DqFilter>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let register = run(
        &state,
        parts,
        fns::list_dq_issues(key, f.status, f.severity),
    )
    .await?;
    Ok(ok(&paginate(register.issues, &page)?))
}

/// Records a data-quality issue (members); the caller is its reporter.
#[utoipa::path(post, path = "/projects/{key}/dq-issues", tag = "quality",
    request_body = DqIssueInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The new issue", body = app::quality::DqIssue),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_dq_issue(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(d): Body<DqIssueInput>,
) -> AppResult<Response> {
    let issue = run(&state, parts, async move {
        let id = fns::create_dq_issue(
            key.clone(),
            d.dataset,
            d.description,
            d.dimension,
            d.severity,
            d.source_owner.flatten(),
            d.opened_on,
            d.reported_upstream_on.flatten(),
            d.status,
            d.resolved_on.flatten(),
        )
        .await?;
        fns::get_dq_issue(key, id).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &issue))
}

/// One data-quality issue, with its age and why it makes the M4 signal red, if it does.
#[utoipa::path(get, path = "/projects/{key}/dq-issues/{id}", tag = "quality",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Issue id")),
    responses((status = 200, description = "The issue", body = app::quality::DqIssue),
              (status = 404, body = ErrorBody)))]
async fn get_dq_issue(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, fns::get_dq_issue(key, id)).await?))
}

/// Changes a data-quality issue (members). Absent fields keep their value; `null` clears
/// `source_owner`, `reported_upstream_on` and `resolved_on`. The reporter stays.
#[utoipa::path(patch, path = "/projects/{key}/dq-issues/{id}", tag = "quality",
    request_body = DqIssuePatch,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Issue id")),
    responses((status = 200, description = "The issue", body = app::quality::DqIssue),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_dq_issue(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Body(d): Body<DqIssuePatch>,
) -> AppResult<Response> {
    let issue = run(&state, parts, async move {
        let cur = fns::get_dq_issue(key.clone(), id.clone()).await?;
        fns::update_dq_issue(
            key.clone(),
            id.clone(),
            Some(d.dataset.unwrap_or(cur.dataset)),
            Some(d.description.unwrap_or(cur.description)),
            d.dimension
                .or_else(|| cur.dimension.map(|x| x.as_str().to_string())),
            Some(
                d.severity
                    .unwrap_or_else(|| cur.severity.as_str().to_string()),
            ),
            overlay(d.source_owner, cur.source_owner),
            Some(d.opened_on.unwrap_or_else(|| cur.opened_on.to_string())),
            overlay(
                d.reported_upstream_on,
                cur.reported_upstream_on.map(|x| x.to_string()),
            ),
            Some(d.status.unwrap_or_else(|| cur.status.as_str().to_string())),
            overlay(d.resolved_on, cur.resolved_on.map(|x| x.to_string())),
        )
        .await?;
        fns::get_dq_issue(key, id).await
    })
    .await?;
    Ok(ok(&issue))
}

/// Deletes a data-quality issue (project leads).
#[utoipa::path(delete, path = "/projects/{key}/dq-issues/{id}", tag = "quality",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Issue id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn delete_dq_issue(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_dq_issue(key, id)).await?;
    Ok(no_content())
}
