//! Server functions for projects and members. Each checks who is asking and their access to
//! the project itself.

use leptos::prelude::*;

use super::{ProjectDetail, ProjectList, UserChoice};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::ProjectForm;
    pub use super::super::repo::ProjectRepo;
    pub use super::super::service::{project_access, require_manage};
    pub use crate::auth::repo::AuthRepo;
    pub use crate::auth::service::{audit, deny, require_user};
    pub use chrono::Utc;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// A page of the projects the caller may see, by name; archived ones only when asked. `after`
/// and `before` are the cursors of the page before or after (as [`crate::reports::encode_cursor`]
/// writes them).
#[server(prefix = "/api/fn", endpoint = "projects/list")]
pub async fn list_projects(
    include_archived: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<ProjectList, AppError> {
    let (state, user, catalog) = catalog_for_caller().await?;
    let after = crate::reports::parse_cursor(after.as_deref())?;
    let before = crate::reports::parse_cursor(before.as_deref())?;
    let visible = catalog.visible(&user, include_archived.as_deref() == Some("true"));
    let sort_keys: Vec<&str> = visible.iter().map(|p| p.sort_key.as_str()).collect();
    let w = domain::paging::window(
        &sort_keys,
        after.as_deref(),
        before.as_deref(),
        super::LIST_PAGE,
    );
    let keys: Vec<String> = visible[w.start..w.end]
        .iter()
        .map(|p| p.key.clone())
        .collect();
    Ok(ProjectList {
        items: crate::reports::service::project_listings(&state, &keys).await?,
        total: visible.len(),
        offset: w.start,
        next: w.next,
        prev: w.prev,
    })
}

/// The projects the caller may see from `offset` on (at most `limit`), by name, and how many
/// they are in all: the REST API's list, which pages by position.
#[cfg(feature = "ssr")]
pub async fn project_slice(
    include_archived: Option<String>,
    offset: usize,
    limit: usize,
) -> Result<(Vec<super::ProjectSummary>, usize), AppError> {
    let (state, user, catalog) = catalog_for_caller().await?;
    let visible = catalog.visible(&user, include_archived.as_deref() == Some("true"));
    let keys: Vec<String> = visible
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| p.key.clone())
        .collect();
    let items = crate::reports::service::project_listings(&state, &keys).await?;
    Ok((items, visible.len()))
}

/// The signed-in caller and the project catalog (whose `visible` says which projects they see).
#[cfg(feature = "ssr")]
async fn catalog_for_caller() -> Result<
    (
        crate::state::AppState,
        crate::auth::CurrentUser,
        std::sync::Arc<crate::cache::Catalog>,
    ),
    AppError,
> {
    let (state, user, _) = require_user().await?;
    let (catalog, _) = state
        .cache
        .catalog(&state.db, crate::request::prefetched().as_deref())
        .await?;
    Ok((state, user, catalog))
}

/// One project with the caller's access and its members.
#[server(prefix = "/api/fn", endpoint = "projects/get")]
pub async fn get_project(key: String) -> Result<ProjectDetail, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let snapshot = &access.snapshot;
    let contact = snapshot.signals(snapshot.today()).end_user_contact.clone();
    Ok(ProjectDetail {
        contact: Some(contact),
        access: access.level,
        members: snapshot.members.clone(),
        project: access.project.into(),
    })
}

/// Users to pick from (members, leads, interviewers).
#[server(prefix = "/api/fn", endpoint = "users/choices")]
pub async fn list_user_choices() -> Result<Vec<UserChoice>, AppError> {
    let (state, _, _) = require_user().await?;
    let users = AuthRepo::new(state.db.clone()).list_users().await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active)
        .map(|u| UserChoice {
            id: u.key(),
            name: u.name,
        })
        .collect())
}

/// Creates a project (workspace admins and leads). The lead defaults to the creator and always
/// becomes a member with role `lead`.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "projects/create")]
pub async fn create_project(
    key: String,
    name: String,
    problem_statement: Option<String>,
    end_users: Option<String>,
    status: Option<String>,
    lead: Option<String>,
    started_on: Option<String>,
    target_iteration_days: Option<String>,
    contact_threshold_days: Option<String>,
    ml_needed: Option<String>,
    baseline_considered: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    if !user.role.sees_everything() {
        deny(&state, &user, &ctx, "create project").await;
        return Err(AppError::Forbidden(
            "Only admins and leads can create projects.".into(),
        ));
    }
    let key = super::validate_key(&key)?;
    let form = ProjectForm {
        name,
        problem_statement: problem_statement.unwrap_or_default(),
        end_users: end_users.unwrap_or_default(),
        status: status.unwrap_or_default(),
        lead: lead.unwrap_or_default(),
        started_on: started_on.unwrap_or_default(),
        target_iteration_days: target_iteration_days.unwrap_or_default(),
        contact_threshold_days: contact_threshold_days.unwrap_or_default(),
        ml_needed: ml_needed.unwrap_or_default(),
        baseline_considered: baseline_considered.unwrap_or_default(),
    };
    let valid = form.validate(Utc::now().date_naive())?;
    let lead = valid.lead.clone().unwrap_or_else(|| user.id.clone());
    check_lead(&state, &lead).await?;
    let repo = ProjectRepo::new(state.db.clone());
    crate::db::retry_conflicts(|| repo.create(&key, &valid, &lead)).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "project.create",
        &key,
        &valid.name,
    )
    .await;
    leptos_axum::redirect(&format!("/projects/{key}"));
    Ok(())
}

#[cfg(feature = "ssr")]
async fn check_lead(state: &crate::state::AppState, lead: &str) -> Result<(), AppError> {
    let found = if lead.len() <= 64 {
        AuthRepo::new(state.db.clone()).user_by_id(lead).await?
    } else {
        None
    };
    match found {
        Some(u) if u.active => Ok(()),
        _ => Err(AppError::field(
            "lead",
            "Choose an active user as the lead.",
        )),
    }
}

/// Updates a project's settings (project leads).
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "projects/update")]
pub async fn update_project(
    key: String,
    name: String,
    problem_statement: Option<String>,
    end_users: Option<String>,
    status: Option<String>,
    lead: Option<String>,
    started_on: Option<String>,
    target_iteration_days: Option<String>,
    contact_threshold_days: Option<String>,
    ml_needed: Option<String>,
    baseline_considered: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "edit project").await?;
    let form = ProjectForm {
        name,
        problem_statement: problem_statement.unwrap_or_default(),
        end_users: end_users.unwrap_or_default(),
        status: status.unwrap_or_default(),
        lead: lead.unwrap_or_default(),
        started_on: started_on.unwrap_or_else(|| access.project.started_on.to_string()),
        target_iteration_days: target_iteration_days.unwrap_or_default(),
        contact_threshold_days: contact_threshold_days.unwrap_or_default(),
        ml_needed: ml_needed.unwrap_or_default(),
        baseline_considered: baseline_considered.unwrap_or_default(),
    };
    let valid = form.validate(Utc::now().date_naive())?;
    if let Some(lead) = &valid.lead {
        check_lead(&state, lead).await?;
    }
    ProjectRepo::new(state.db.clone())
        .update(access.key(), &valid, valid.lead.as_deref())
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "project.update",
        access.key(),
        "",
    )
    .await;
    Ok(())
}

/// Archives or restores a project (project leads).
#[server(prefix = "/api/fn", endpoint = "projects/archive")]
pub async fn archive_project(key: String, archived: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "archive project").await?;
    let status = match archived.as_str() {
        "true" => super::ProjectStatus::Archived,
        "false" => super::ProjectStatus::Active,
        _ => return Err(AppError::field("archived", "Expected true or false.")),
    };
    ProjectRepo::new(state.db.clone())
        .set_status(access.key(), status)
        .await?;
    let action = if status == super::ProjectStatus::Archived {
        "project.archive"
    } else {
        "project.restore"
    };
    audit(&state, Some(&user), &ctx, action, access.key(), "").await;
    Ok(())
}

/// Adds a member or changes their role (project leads).
#[server(prefix = "/api/fn", endpoint = "projects/members/set")]
pub async fn set_member(key: String, user_id: String, role: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "set member").await?;
    let role: super::MemberRole = role
        .parse()
        .map_err(|_| AppError::field("role", "Choose lead, member or viewer."))?;
    let target = if user_id.is_empty() || user_id.len() > 64 {
        None
    } else {
        AuthRepo::new(state.db.clone()).user_by_id(&user_id).await?
    };
    let Some(target) = target else {
        return Err(AppError::field("user_id", "Choose a user."));
    };
    if access
        .project
        .lead
        .as_ref()
        .map(crate::db::key_of)
        .as_deref()
        == Some(user_id.as_str())
        && role != super::MemberRole::Lead
    {
        return Err(AppError::field(
            "role",
            "This user is the project's accountable lead; choose another lead first.",
        ));
    }
    ProjectRepo::new(state.db.clone())
        .set_member(access.key(), &user_id, role)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "project.member_set",
        access.key(),
        &format!("{} as {}", target.email, role.as_str()),
    )
    .await;
    Ok(())
}

/// Removes a member (project leads). The accountable lead cannot be removed.
#[server(prefix = "/api/fn", endpoint = "projects/members/remove")]
pub async fn remove_member(key: String, user_id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "remove member").await?;
    if access
        .project
        .lead
        .as_ref()
        .map(crate::db::key_of)
        .as_deref()
        == Some(user_id.as_str())
    {
        return Err(AppError::field(
            "user_id",
            "This user is the project's accountable lead; choose another lead first.",
        ));
    }
    ProjectRepo::new(state.db.clone())
        .remove_member(access.key(), &user_id)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "project.member_remove",
        access.key(),
        &user_id,
    )
    .await;
    Ok(())
}
