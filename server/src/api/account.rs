//! `/me`, `/me/sessions`, `/tokens`, and for admins `/users`, `/audit`, `/export`, `/import`.

use axum::extract::{Path, Request, State};
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::auth::api as fns;
use app::auth::service::{audit, require_admin};
use app::auth::tokens_api as tokens;
use app::error::{AppError, AppResult};
use app::state::AppState;
use app::workspace::transfer::{self, ImportError, ImportIssue, ImportSummary};

use super::{Body, ErrorBody, Page, PageQuery, Query, flag, json, no_content, ok, paginate, run};
use crate::spool::{Spool, SpoolError};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(my_sessions))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user))
        .routes(routes!(remove_sso_link))
        .routes(routes!(list_audit))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(export_workspace))
        .routes(routes!(import_workspace))
}

/// Who is calling.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, description = "The caller", body = app::auth::CurrentUser),
              (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    let user = run(&state, parts, async {
        fns::get_me().await?.ok_or_else(AppError::unauthorized)
    })
    .await?;
    Ok(ok(&user))
}

/// The caller's live sessions.
#[utoipa::path(get, path = "/me/sessions", tag = "account", params(PageQuery),
    responses((status = 200, description = "A page of sessions", body = Page<app::auth::SessionInfo>),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn my_sessions(
    State(state): State<AppState>,
    parts: Parts,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let items = run(&state, parts, fns::list_my_sessions()).await?;
    Ok(ok(&paginate(items, &page)?))
}

/// A new API token.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenInput {
    /// What the token is for: one line, at most 80 characters (default "API token").
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,80}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Days until it expires; no expiry when absent.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_days: Option<i64>,
}

/// The caller's API tokens (never the secrets).
#[utoipa::path(get, path = "/tokens", tag = "account", params(PageQuery),
    responses((status = 200, description = "A page of tokens", body = Page<app::auth::tokens::ApiToken>),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_tokens(
    State(state): State<AppState>,
    parts: Parts,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let items = run(&state, parts, tokens::list_my_tokens()).await?;
    Ok(ok(&paginate(items, &page)?))
}

/// Creates an API token; the answer holds the token itself, shown this once. Refused for
/// callers who came with a token.
#[utoipa::path(post, path = "/tokens", tag = "account", request_body = TokenInput,
    responses((status = 201, description = "The token, shown this once, and its list entry", body = app::auth::tokens::CreatedToken),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    parts: Parts,
    Body(t): Body<TokenInput>,
) -> AppResult<Response> {
    let created = run(
        &state,
        parts,
        tokens::create_my_token(t.name, super::num(t.expires_days)),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "account",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
) -> AppResult<Response> {
    run(&state, parts, tokens::revoke_my_token(id)).await?;
    Ok(no_content())
}

/// A new user (admins).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserInput {
    /// Email address, used to sign in (at most 254 bytes).
    #[schema(
        max_length = 254,
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^.\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: String,
    /// Display name: 1–100 characters, not blank.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([\s\S]{0,98}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// The workspace role.
    #[schema(value_type = app::auth::Role)]
    pub role: String,
    /// A temporary password (10–256 characters) the user must change at first sign-in.
    #[schema(min_length = 10, max_length = 256)]
    pub temp_password: String,
}

/// Changes to a user (admins): role, active, a new temporary password, unlocking.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserPatch {
    /// The workspace role (not your own).
    #[schema(value_type = Option<app::auth::Role>)]
    pub role: Option<String>,
    /// `false` deactivates the user and ends their sessions and tokens.
    pub active: Option<bool>,
    /// Sets a temporary password (10–256 characters) that must be changed at the next sign-in.
    #[schema(min_length = 10, max_length = 256)]
    pub temp_password: Option<String>,
    /// `true` lifts a sign-in lockout.
    pub unlock: Option<bool>,
}

/// Every user (admins).
#[utoipa::path(get, path = "/users", tag = "admin", params(PageQuery),
    responses((status = 200, description = "A page of users", body = Page<app::auth::UserSummary>),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    parts: Parts,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let items = run(&state, parts, fns::list_users()).await?;
    Ok(ok(&paginate(items, &page)?))
}

/// Creates a user with a temporary password (admins).
#[utoipa::path(post, path = "/users", tag = "admin", request_body = UserInput,
    responses((status = 201, description = "The user", body = app::auth::UserSummary),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    parts: Parts,
    Body(u): Body<UserInput>,
) -> AppResult<Response> {
    let user = run(
        &state,
        parts,
        fns::create_user(u.email, u.name, u.role, u.temp_password),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &user))
}

/// Changes a user's role, active flag or password, or unlocks them (admins).
#[utoipa::path(patch, path = "/users/{id}", tag = "admin", request_body = UserPatch,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = app::auth::UserSummary),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_user(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    Body(p): Body<UserPatch>,
) -> AppResult<Response> {
    let user = run(&state, parts, async move {
        let users = fns::list_users().await?;
        if !users.iter().any(|u| u.id == id) {
            return Err(AppError::not_found("User"));
        }
        if let Some(role) = p.role {
            fns::set_user_role(id.clone(), role).await?;
        }
        if let Some(active) = flag(p.active) {
            fns::set_user_active(id.clone(), active).await?;
        }
        if let Some(pw) = p.temp_password {
            fns::reset_password(id.clone(), pw).await?;
        }
        if p.unlock == Some(true) {
            fns::unlock_user(id.clone()).await?;
        }
        fns::list_users()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| AppError::not_found("User"))
    })
    .await?;
    Ok(ok(&user))
}

/// Removes a user's single sign-on link (admins). Their next SSO sign-in links again by
/// verified email; their sessions stay.
#[utoipa::path(delete, path = "/users/{id}/sso", tag = "admin",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody),
              (status = 404, description = "No such user, or no link", body = ErrorBody)))]
async fn remove_sso_link(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
) -> AppResult<Response> {
    run(&state, parts, app::auth::sso_api::remove_sso_link(id)).await?;
    Ok(no_content())
}

/// The workspace settings.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SettingsInput {
    /// The IANA time zone that dates, "today" and reports use, e.g. `Europe/Berlin`.
    #[schema(value_type = app::workspace::TimeZone)]
    pub time_zone: String,
}

/// The workspace settings (anyone signed in).
#[utoipa::path(get, path = "/settings", tag = "admin",
    responses((status = 200, description = "The workspace settings", body = app::workspace::WorkspaceSettings),
              (status = 401, body = ErrorBody)))]
async fn get_settings(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    let settings = run(&state, parts, app::workspace::api::get_workspace_settings()).await?;
    Ok(ok(&settings))
}

/// Changes the workspace settings (admins).
#[utoipa::path(put, path = "/settings", tag = "admin", request_body = SettingsInput,
    responses((status = 200, description = "The workspace settings", body = app::workspace::WorkspaceSettings),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    parts: Parts,
    Body(b): Body<SettingsInput>,
) -> AppResult<Response> {
    let settings = run(&state, parts, async move {
        app::workspace::api::update_workspace_settings(b.time_zone).await?;
        app::workspace::api::get_workspace_settings().await
    })
    .await?;
    Ok(ok(&settings))
}

/// `?before=&action=` of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events before this time.
    #[param(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub before: Option<String>,
    /// Only this action, e.g. `project.create`.
    pub action: Option<String>,
}

/// The audit log, newest first (admins).
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery, PageQuery),
    responses((status = 200, description = "A page of audit events", body = Page<app::auth::AuditEntry>),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_audit(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<AuditQuery>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let items = run(&state, parts, fns::list_audit(q.before, q.action)).await?;
    Ok(ok(&paginate(items, &page)?))
}

/// The whole workspace in format v1 (admins).
#[utoipa::path(get, path = "/export", tag = "admin",
    responses((status = 200, description = "The workspace document", body = app::format::Workspace),
              (status = 403, body = ErrorBody)))]
async fn export_workspace(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    let ws = run(&state, parts, async {
        let (state, user, ctx) = require_admin("export the workspace").await?;
        let ws = transfer::export(&state.db).await?;
        let detail = format!("{} projects", ws.projects.len());
        audit(
            &state,
            Some(&user),
            &ctx,
            "workspace.export",
            "api",
            &detail,
        )
        .await;
        Ok(ws)
    })
    .await?;
    Ok(ok(&ws))
}

/// `?replace=true` replaces projects whose key exists already.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Replace existing projects with the same key (with all their records).
    pub replace: Option<bool>,
}

/// Why an import was refused: every problem with its JSON path.
#[derive(Serialize, ToSchema)]
struct ImportRefused {
    error: ImportRefusedDetail,
}

#[derive(Serialize, ToSchema)]
struct ImportRefusedDetail {
    code: &'static str,
    message: String,
    issues: Vec<ImportIssue>,
}

/// Imports a workspace file (format v1; admins). The whole file is checked first and every
/// problem is reported with its JSON path; then all of it is written or nothing is.
#[utoipa::path(post, path = "/import", tag = "admin", params(ImportQuery),
    request_body(content = serde_json::Value, description = "A workspace document (format v1)"),
    responses((status = 200, description = "What was created", body = ImportSummary),
              (status = 403, body = ErrorBody),
              (status = 422, description = "Every problem of the file, with its JSON path",
               body = ImportRefused)))]
async fn import_workspace(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<ImportQuery>,
    req: Request,
) -> AppResult<Response> {
    let replace = q.replace.unwrap_or(false);
    let body = req.into_body();
    let outcome: Result<ImportSummary, ImportError> = run(&state, parts, async move {
        let (state, user, ctx) = require_admin("import a workspace").await?;
        // The import reads the file twice (to check it, then to write it), one project at a
        // time: the body goes to a temporary file rather than memory. Its limit is
        // TOUCHPOINT_MAX_IMPORT_BYTES (see the middleware).
        let spool = match Spool::from_stream(body.into_data_stream()).await {
            Ok(spool) => spool,
            Err(SpoolError::Stream(_)) => {
                return Err(AppError::invalid(
                    "The workspace file is too large or was cut off.",
                ));
            }
            Err(SpoolError::Io(e)) => {
                tracing::error!(error = %e, "could not write an uploaded workspace to a temporary file");
                return Err(AppError::internal());
            }
        };
        let result =
            transfer::import_file(&state.db, spool.path(), replace, transfer::TX_ROWS).await;
        if result.is_ok() {
            // The portfolio lines of what was imported, computed before anyone asks.
            let background = state.clone();
            tokio::spawn(async move {
                if let Err(e) = app::reports::service::refresh_dirty(&background).await {
                    tracing::warn!(error = %e.message(), "computing portfolio lines after an import");
                }
            });
        }
        let detail = match &result {
            Ok(s) => format!(
                "{} projects{}",
                s.projects,
                if replace { ", replace" } else { "" }
            ),
            Err(ImportError::Invalid(issues)) => format!("refused: {} problems", issues.len()),
            Err(ImportError::Db(e)) => format!("failed: {}", e.message()),
        };
        audit(
            &state,
            Some(&user),
            &ctx,
            "workspace.import",
            "api",
            &detail,
        )
        .await;
        Ok(result)
    })
    .await?;
    match outcome {
        Ok(summary) => Ok(ok(&summary)),
        Err(ImportError::Invalid(issues)) => Ok(json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportRefused {
                error: ImportRefusedDetail {
                    code: "validation",
                    message: format!(
                        "The file has {} problem(s); nothing was imported.",
                        issues.len()
                    ),
                    issues,
                },
            },
        )),
        Err(ImportError::Db(e)) => Err(e),
    }
}
