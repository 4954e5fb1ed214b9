//! Object-level access to projects: every project-scoped server function starts here.

use std::sync::Arc;

use super::AccessLevel;
use super::repo::ProjectRecord;
use crate::auth::CurrentUser;
use crate::auth::service::{RequestCtx, deny};
use crate::cache::ProjectSnapshot;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A project the caller may see, and what they may do in it.
#[derive(Clone, Debug)]
pub struct ProjectAccess {
    /// The project.
    pub project: ProjectRecord,
    /// The caller's access level.
    pub level: AccessLevel,
    /// Everything the read cache holds of the project, current as of the access check.
    pub snapshot: Arc<ProjectSnapshot>,
}

impl ProjectAccess {
    /// The project key.
    pub fn key(&self) -> &str {
        &self.project.key
    }
}

/// Loads a project for `user`. A project the user may not see is reported as not found, so
/// that its existence is not revealed.
pub async fn project_access(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
) -> AppResult<ProjectAccess> {
    let key = key.trim();
    if key.is_empty() || key.len() > 40 {
        return Err(AppError::not_found("Project"));
    }
    let prefetched = crate::request::prefetched();
    let Some(snapshot) = state
        .cache
        .project_with(&state.db, key, prefetched.as_deref())
        .await?
    else {
        return Err(AppError::not_found("Project"));
    };
    let member = if user.role.sees_everything() {
        None
    } else {
        snapshot.role_of(&user.id)
    };
    match AccessLevel::resolve(user.role, member) {
        Some(level) => Ok(ProjectAccess {
            project: snapshot.record.clone(),
            level,
            snapshot,
        }),
        None => Err(AppError::not_found("Project")),
    }
}

/// Like [`project_access`], and the caller must be able to record work (not a viewer).
pub async fn require_write(
    state: &AppState,
    user: &CurrentUser,
    ctx: &RequestCtx,
    key: &str,
    action: &str,
) -> AppResult<ProjectAccess> {
    let access = project_access(state, user, key).await?;
    if !access.level.can_write() {
        deny(state, user, ctx, &format!("{action} in {key}")).await;
        return Err(AppError::Forbidden(
            "You can view this project but not change it.".into(),
        ));
    }
    Ok(access)
}

/// Like [`project_access`], and the caller must lead the project (or be a workspace lead or
/// admin).
pub async fn require_manage(
    state: &AppState,
    user: &CurrentUser,
    ctx: &RequestCtx,
    key: &str,
    action: &str,
) -> AppResult<ProjectAccess> {
    let access = project_access(state, user, key).await?;
    if !access.level.can_manage() {
        deny(state, user, ctx, &format!("{action} in {key}")).await;
        return Err(AppError::Forbidden(
            "Only the project's leads can do that.".into(),
        ));
    }
    Ok(access)
}
