//! `/projects` and `/projects/{key}/members`.

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::{AppError, AppResult};
use app::projects::api as fns;
use app::state::AppState;

use super::{
    Body, ErrorBody, Page, PageQuery, ProjectKey, Query, flag, json, no_content, num, ok, paginate,
    run,
};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, archive_project))
        .routes(routes!(list_members, add_member))
        .routes(routes!(update_member, remove_member))
}

/// `?include_archived=true` lists archived projects too.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListProjects {
    /// Include archived projects.
    pub include_archived: Option<bool>,
}

/// A new project (the workspace format's names). `key` and `name` are required; absent or
/// empty fields take their defaults.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProjectInput {
    /// The unique slug: lowercase letters, digits and hyphens, 2–40 characters; `new` is
    /// reserved.
    #[schema(value_type = ProjectKey, required = true)]
    pub key: Option<String>,
    /// Name: 1–120 characters, not blank.
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,118}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub name: Option<String>,
    /// The problem the project addresses, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub problem_statement: Option<String>,
    /// Who the end users are, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub end_users: Option<String>,
    /// The status (default `active`).
    #[schema(value_type = Option<app::projects::ProjectStatus>)]
    pub status: Option<String>,
    /// The accountable lead: an active user's id (default: the caller).
    #[schema(max_length = 64)]
    pub lead: Option<String>,
    /// The day it started (default today).
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub started_on: Option<String>,
    /// Target sprint length in days (default 14).
    #[schema(minimum = 1, maximum = 42)]
    pub target_iteration_days: Option<i64>,
    /// Days without end-user contact before contact is stale (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub contact_threshold_days: Option<i64>,
    /// Whether ML is needed at all (default `unknown`).
    #[schema(value_type = Option<app::projects::MlNeeded>)]
    pub ml_needed: Option<String>,
    /// The simpler baseline that was considered, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub baseline_considered: Option<String>,
}

/// Changes to a project (the workspace format's names): absent fields keep their value. The key
/// never changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProjectPatch {
    /// Name: 1–120 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,118}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// The problem the project addresses, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub problem_statement: Option<String>,
    /// Who the end users are, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub end_users: Option<String>,
    /// The status.
    #[schema(value_type = Option<app::projects::ProjectStatus>)]
    pub status: Option<String>,
    /// The accountable lead: an active user's id.
    #[schema(max_length = 64)]
    pub lead: Option<String>,
    /// The day it started.
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub started_on: Option<String>,
    /// Target sprint length in days.
    #[schema(minimum = 1, maximum = 42)]
    pub target_iteration_days: Option<i64>,
    /// Days without end-user contact before contact is stale.
    #[schema(minimum = 1, maximum = 365)]
    pub contact_threshold_days: Option<i64>,
    /// Whether ML is needed at all.
    #[schema(value_type = Option<app::projects::MlNeeded>)]
    pub ml_needed: Option<String>,
    /// The simpler baseline that was considered, at most 5,000 characters.
    #[schema(max_length = 5000)]
    pub baseline_considered: Option<String>,
}

/// A member to add.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberInput {
    /// The user's id.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64)]
    pub user: Option<String>,
    /// Their role in the project.
    #[schema(value_type = app::projects::MemberRole)]
    pub role: String,
}

/// A member's new role.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberPatch {
    /// Their role in the project; the accountable lead stays `lead`.
    #[schema(value_type = app::projects::MemberRole)]
    pub role: String,
}

/// Lists the projects the caller may see.
#[utoipa::path(get, path = "/projects", tag = "projects", params(ListProjects, PageQuery),
    responses((status = 200, description = "A page of project summaries", body = Page<app::projects::ProjectSummary>),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_projects(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<ListProjects>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let (limit, offset) = (page.limit()?, page.offset()?);
    let (items, total) = run(
        &state,
        parts,
        fns::project_slice(flag(q.include_archived), offset, limit),
    )
    .await?;
    Ok(ok(&Page::at(items, offset, total)))
}

/// Creates a project (workspace admins and leads).
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = ProjectInput,
    responses((status = 201, description = "The new project", body = app::projects::ProjectDetail),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_project(
    State(state): State<AppState>,
    parts: Parts,
    Body(p): Body<ProjectInput>,
) -> AppResult<Response> {
    let key = p.key.clone().unwrap_or_default();
    let detail = run(&state, parts, async move {
        fns::create_project(
            key.clone(),
            p.name.unwrap_or_default(),
            p.problem_statement,
            p.end_users,
            p.status,
            p.lead,
            p.started_on,
            num(p.target_iteration_days),
            num(p.contact_threshold_days),
            p.ml_needed,
            p.baseline_considered,
        )
        .await?;
        fns::get_project(key).await
    })
    .await?;
    Ok(json(StatusCode::CREATED, &detail))
}

/// A project with the caller's access, its members and its end-user contact today.
#[utoipa::path(get, path = "/projects/{key}", tag = "projects",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The project", body = app::projects::ProjectDetail),
              (status = 404, body = ErrorBody)))]
async fn get_project(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    Ok(ok(&run(&state, parts, fns::get_project(key)).await?))
}

/// Changes a project's fields (project leads, workspace leads and admins). Absent fields keep
/// their value.
#[utoipa::path(patch, path = "/projects/{key}", tag = "projects", request_body = ProjectPatch,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The project", body = app::projects::ProjectDetail),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_project(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(p): Body<ProjectPatch>,
) -> AppResult<Response> {
    let detail = run(&state, parts, async move {
        let cur = fns::get_project(key.clone()).await?.project;
        fns::update_project(
            key.clone(),
            p.name.unwrap_or(cur.name),
            Some(p.problem_statement.unwrap_or(cur.problem_statement)),
            Some(p.end_users.unwrap_or(cur.end_users)),
            Some(p.status.unwrap_or_else(|| cur.status.as_str().to_string())),
            p.lead.or(cur.lead),
            Some(p.started_on.unwrap_or_else(|| cur.started_on.to_string())),
            Some(
                num(p.target_iteration_days)
                    .unwrap_or_else(|| cur.target_iteration_days.to_string()),
            ),
            Some(
                num(p.contact_threshold_days)
                    .unwrap_or_else(|| cur.contact_threshold_days.to_string()),
            ),
            Some(
                p.ml_needed
                    .unwrap_or_else(|| cur.ml_needed.as_str().to_string()),
            ),
            Some(p.baseline_considered.unwrap_or(cur.baseline_considered)),
        )
        .await?;
        fns::get_project(key).await
    })
    .await?;
    Ok(ok(&detail))
}

/// Archives a project. Projects are never deleted: their history feeds the reports. Set
/// `status` with PATCH to bring one back.
#[utoipa::path(delete, path = "/projects/{key}", tag = "projects",
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 204, description = "Archived"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn archive_project(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
) -> AppResult<Response> {
    run(&state, parts, fns::archive_project(key, "true".into())).await?;
    Ok(no_content())
}

/// The project's members.
#[utoipa::path(get, path = "/projects/{key}/members", tag = "projects",
    params(("key" = ProjectKey, Path, description = "Project key"), PageQuery),
    responses((status = 200, description = "A page of members", body = Page<app::projects::Member>),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let members = run(&state, parts, fns::get_project(key)).await?.members;
    Ok(ok(&paginate(members, &page)?))
}

/// Adds a member (project leads, workspace leads and admins). Someone who is a member already
/// answers 409; change their role with `PATCH /projects/{key}/members/{user}`.
#[utoipa::path(post, path = "/projects/{key}/members", tag = "projects", request_body = MemberInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 200, description = "The members", body = Vec<app::projects::Member>),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(m): Body<MemberInput>,
) -> AppResult<Response> {
    let members = run(&state, parts, async move {
        let user = m.user.unwrap_or_default();
        // A bad role is reported as such first; then a second membership is a clash.
        if m.role.parse::<app::projects::MemberRole>().is_ok()
            && fns::get_project(key.clone())
                .await?
                .members
                .iter()
                .any(|member| member.user_id == user)
        {
            return Err(AppError::taken(
                "user",
                "This user is a member of the project already; change their role instead.",
            ));
        }
        fns::set_member(key.clone(), user, m.role).await?;
        Ok(fns::get_project(key).await?.members)
    })
    .await?;
    Ok(ok(&members))
}

/// Changes a member's role.
#[utoipa::path(patch, path = "/projects/{key}/members/{user}", tag = "projects",
    request_body = MemberPatch,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("user" = String, Path, description = "User id")),
    responses((status = 200, description = "The members", body = Vec<app::projects::Member>),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_member(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, user)): Path<(String, String)>,
    Body(m): Body<MemberPatch>,
) -> AppResult<Response> {
    let members = run(&state, parts, async move {
        fns::set_member(key.clone(), user, m.role).await?;
        Ok(fns::get_project(key).await?.members)
    })
    .await?;
    Ok(ok(&members))
}

/// Removes a member (not the accountable lead).
#[utoipa::path(delete, path = "/projects/{key}/members/{user}", tag = "projects",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("user" = String, Path, description = "User id")),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, user)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::remove_member(key, user)).await?;
    Ok(no_content())
}
