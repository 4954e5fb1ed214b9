//! Who may see and change which stakeholder: the caller's [`Viewer`], the redaction of emails
//! and attributes, and the conversions from rows to DTOs.

use super::repo::{EmailScope, StakeholderRecord, StakeholderRepo};
use super::{ProjectRef, Stakeholder, StakeholderSummary, Viewer, valid_id};
use crate::auth::CurrentUser;
use crate::auth::service::{RequestCtx, deny};
use crate::error::{AppError, AppResult};
use crate::projects::repo::ProjectRepo;
use crate::state::AppState;

/// The caller's view of the directory: every project for admins and workspace leads,
/// otherwise the projects they belong to, with their roles.
pub async fn load_viewer(state: &AppState, user: &CurrentUser) -> AppResult<Viewer> {
    let mut viewer = Viewer {
        everything: user.role.sees_everything(),
        ..Viewer::default()
    };
    if viewer.everything {
        for p in ProjectRepo::new(state.db.clone()).list_all().await? {
            viewer.projects.insert(p.key, (p.name, None));
        }
    } else {
        for (key, name, role) in StakeholderRepo::new(state.db.clone())
            .memberships(&user.id)
            .await?
        {
            viewer.projects.insert(key, (name, Some(role)));
        }
    }
    Ok(viewer)
}

/// Which emails the caller's search may match.
pub fn email_scope(viewer: &Viewer) -> EmailScope {
    EmailScope {
        all: viewer.everything,
        projects: viewer
            .projects
            .keys()
            .filter(|k| viewer.leads_project(k))
            .cloned()
            .collect(),
    }
}

/// Loads a stakeholder by id; a malformed or unknown id is not found.
pub async fn load(state: &AppState, id: &str) -> AppResult<StakeholderRecord> {
    let Some(key) = valid_id(id) else {
        return Err(AppError::not_found("Stakeholder"));
    };
    StakeholderRepo::new(state.db.clone())
        .get(key)
        .await?
        .ok_or_else(|| AppError::not_found("Stakeholder"))
}

/// Loads a stakeholder that is still in the directory, for changes. Merged entries and erased
/// ones cannot be changed.
pub async fn load_active(state: &AppState, id: &str) -> AppResult<StakeholderRecord> {
    let rec = load(state, id).await?;
    if rec.merged_into.is_some() {
        return Err(AppError::Conflict(
            "This entry was merged into another; change that one instead.".into(),
        ));
    }
    if rec.erased_at.is_some() {
        return Err(AppError::Conflict(
            "This stakeholder was erased and cannot be changed.".into(),
        ));
    }
    Ok(rec)
}

/// Refuses (and audits) a caller who may not edit `rec`.
pub async fn require_edit(
    state: &AppState,
    user: &CurrentUser,
    ctx: &RequestCtx,
    viewer: &Viewer,
    rec: &StakeholderRecord,
    action: &str,
) -> AppResult<()> {
    if viewer.can_edit(&rec.project_keys()) {
        return Ok(());
    }
    deny(
        state,
        user,
        ctx,
        &format!("{action} stakeholder:{}", rec.key()),
    )
    .await;
    Err(AppError::Forbidden(
        "Only admins, workspace leads and members of a linked project can change this stakeholder."
            .into(),
    ))
}

/// Refuses (and audits) a caller who is not an admin or workspace lead.
pub async fn require_merge(
    state: &AppState,
    user: &CurrentUser,
    ctx: &RequestCtx,
    viewer: &Viewer,
    action: &str,
) -> AppResult<()> {
    if viewer.can_merge() {
        return Ok(());
    }
    deny(state, user, ctx, action).await;
    Err(AppError::Forbidden(
        "Only admins and workspace leads can merge or erase stakeholders.".into(),
    ))
}

/// The DTO for `viewer`: email, attributes and consent only when they may see them; linked
/// projects only when they can see those projects.
pub fn to_dto(rec: StakeholderRecord, viewer: &Viewer) -> Stakeholder {
    let keys = rec.project_keys();
    let private = viewer.sees_private(&keys);
    Stakeholder {
        id: rec.key(),
        name: rec.name,
        email: if private { rec.email } else { None },
        organization: rec.organization,
        title: rec.title,
        function: rec.function.parse().unwrap_or_default(),
        projects: viewer.visible_refs(&keys),
        notes: rec.notes,
        attributes: if private {
            rec.attributes
        } else {
            Default::default()
        },
        consented_on: if private { rec.consented_on } else { None },
        erased_at: rec.erased_at,
        merged_into: rec.merged_into.as_ref().map(crate::db::key_of),
        private_visible: private,
        created_at: rec.created_at,
        updated_at: rec.updated_at,
    }
}

/// The directory row for `viewer` (email only when they may see it).
pub fn to_summary(rec: StakeholderRecord, viewer: &Viewer) -> StakeholderSummary {
    let keys = rec.project_keys();
    let private = viewer.sees_private(&keys);
    StakeholderSummary {
        id: rec.key(),
        name: rec.name,
        email: if private { rec.email } else { None },
        organization: rec.organization,
        title: rec.title,
        function: rec.function.parse().unwrap_or_default(),
        projects: viewer.visible_refs(&keys),
        erased: rec.erased_at.is_some(),
    }
}

/// The projects `viewer` may link `rec` to (writable, not linked yet), by name.
pub fn linkable(rec: &StakeholderRecord, viewer: &Viewer) -> Vec<ProjectRef> {
    let linked = rec.project_keys();
    let mut out: Vec<ProjectRef> = viewer
        .projects
        .iter()
        .filter(|(k, _)| viewer.can_write_project(k) && !linked.contains(k))
        .map(|(k, (name, _))| ProjectRef {
            key: k.clone(),
            name: name.clone(),
        })
        .collect();
    out.sort_by_key(|p| p.name.to_lowercase());
    out
}
