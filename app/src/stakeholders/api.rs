//! Server functions for the stakeholder directory. Each checks who is asking; emails and
//! self-described attributes leave the server only for callers who may see them.

use leptos::prelude::*;

use super::{DirectoryContext, StakeholderChoice, StakeholderDetail, StakeholderList};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::StakeholderRepo;
    pub use super::super::service::{
        email_scope, linkable, load, load_active, load_viewer, require_edit, require_merge, to_dto,
        to_summary,
    };
    pub use super::super::{AttendedReview, DirectoryQuery, ProjectChoice, StakeholderForm};
    pub use crate::auth::service::{audit, deny, require_user};
    pub use crate::projects::service::{project_access, require_write};
    pub use chrono::Utc;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The directory: active stakeholders (and erased ones with `erased=include`), searched by
/// name, organization, title and (where the caller may see them) email; filtered by function
/// and project; by name, `limit` rows (default 50, at most 500) starting after the entry `after`
/// names (the previous page's `next_after`).
#[server(prefix = "/api/fn", endpoint = "stakeholders/list")]
pub async fn list_stakeholders(
    q: Option<String>,
    function: Option<String>,
    project: Option<String>,
    erased: Option<String>,
    limit: Option<String>,
    after: Option<String>,
) -> Result<StakeholderList, AppError> {
    let (state, user, _) = require_user().await?;
    let filter = DirectoryQuery::parse(
        q.as_deref(),
        function.as_deref(),
        project.as_deref(),
        erased.as_deref(),
        limit.as_deref(),
    )?
    .starting_after(after.as_deref())?;
    let viewer = load_viewer(&state, &user).await?;
    if let Some(p) = &filter.project
        && !viewer.can_see_project(p)
    {
        return Err(AppError::not_found("Project"));
    }
    let scope = email_scope(&viewer);
    let mut rows = StakeholderRepo::new(state.db.clone())
        .list(&filter, &scope)
        .await?;
    let next_after = crate::db::keyset_page(&mut rows, filter.limit as usize, |r| &r.id);
    Ok(StakeholderList {
        has_more: next_after.is_some(),
        next_after,
        continued: filter.after.is_some(),
        items: rows.into_iter().map(|r| to_summary(r, &viewer)).collect(),
        limit: filter.limit,
        shows_emails: viewer.can_record_private(),
    })
}

/// What the directory page offers the caller: their projects, and whether they may add
/// stakeholders and record emails and attributes.
#[server(prefix = "/api/fn", endpoint = "stakeholders/context")]
pub async fn get_directory_context() -> Result<DirectoryContext, AppError> {
    let (state, user, _) = require_user().await?;
    let viewer = load_viewer(&state, &user).await?;
    let mut projects: Vec<ProjectChoice> = viewer
        .projects
        .iter()
        .map(|(key, (name, _))| ProjectChoice {
            key: key.clone(),
            name: name.clone(),
            can_write: viewer.can_write_project(key),
        })
        .collect();
    projects.sort_by_key(|p| p.name.to_lowercase());
    Ok(DirectoryContext {
        projects,
        can_create: viewer.can_create(),
        can_record_private: viewer.can_record_private(),
        sees_everything: viewer.everything,
    })
}

/// One stakeholder with the reviews they attended and what the caller may do. A merged entry
/// comes back with `merged_into` set (the page follows it).
#[server(prefix = "/api/fn", endpoint = "stakeholders/get")]
pub async fn get_stakeholder(id: String) -> Result<StakeholderDetail, AppError> {
    let (state, user, _) = require_user().await?;
    let rec = load(&state, &id).await?;
    let viewer = load_viewer(&state, &user).await?;
    let key = rec.key();
    let active = rec.is_active();
    let can_edit = active && viewer.can_edit(&rec.project_keys());
    let linkable = if can_edit {
        linkable(&rec, &viewer)
    } else {
        Vec::new()
    };
    let unlinkable = if can_edit {
        rec.project_keys()
            .into_iter()
            .filter(|k| viewer.can_write_project(k))
            .collect()
    } else {
        Vec::new()
    };
    let visible: Vec<String> = viewer.projects.keys().cloned().collect();
    let reviews = StakeholderRepo::new(state.db.clone())
        .attended_reviews(&key, viewer.everything, &visible)
        .await?
        .into_iter()
        .map(
            |(project_key, project_name, sprint_number, held_on)| AttendedReview {
                project_key,
                project_name,
                sprint_number,
                held_on,
            },
        )
        .collect();
    Ok(StakeholderDetail {
        can_merge: viewer.can_merge() && rec.merged_into.is_none(),
        stakeholder: to_dto(rec, &viewer),
        reviews,
        can_edit,
        linkable,
        unlinkable,
    })
}

/// Active stakeholders (neither erased nor merged) to pick from, by name. With `project`, only
/// those linked to that project (which the caller must be able to see).
#[server(prefix = "/api/fn", endpoint = "stakeholders/choices")]
pub async fn list_stakeholder_choices(
    project: Option<String>,
) -> Result<Vec<StakeholderChoice>, AppError> {
    let (state, user, _) = require_user().await?;
    let project = project.filter(|p| !p.trim().is_empty());
    let repo = StakeholderRepo::new(state.db.clone());
    // A project's people are read once per snapshot (current for this request's stamp).
    let rows = match &project {
        Some(p) => {
            let access = project_access(&state, &user, p).await?;
            access
                .snapshot
                .people(repo.choices(Some(access.key())))
                .await?
        }
        None => std::sync::Arc::new(repo.choices(None).await?),
    };
    Ok(rows
        .iter()
        .map(|(id, name, function)| StakeholderChoice {
            id: id.clone(),
            name: name.clone(),
            function: function.parse().unwrap_or_default(),
        })
        .collect())
}

/// Adds a stakeholder and returns their id. Admins and workspace leads may link any project or
/// none; project members and leads must link one of their projects (`project`), and only the
/// leads of that project may record an email or attributes.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "stakeholders/create")]
pub async fn create_stakeholder(
    name: String,
    function: String,
    email: Option<String>,
    organization: Option<String>,
    title: Option<String>,
    project: Option<String>,
    notes: Option<String>,
    attributes: Option<String>,
    consented_on: Option<String>,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let viewer = load_viewer(&state, &user).await?;
    if !viewer.can_create() {
        deny(&state, &user, &ctx, "create stakeholder").await;
        return Err(AppError::Forbidden(
            "Only admins, workspace leads and project members can add stakeholders.".into(),
        ));
    }
    let form = StakeholderForm {
        name,
        email,
        organization: organization.unwrap_or_default(),
        title: title.unwrap_or_default(),
        function,
        notes: notes.unwrap_or_default(),
        attributes,
        consented_on,
    };
    let valid = form.validate(false, Utc::now().date_naive())?;
    let project = project
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    let projects = match project {
        Some(p) => vec![
            require_write(&state, &user, &ctx, &p, "link stakeholder")
                .await?
                .key()
                .to_string(),
        ],
        None if viewer.everything => Vec::new(),
        None => return Err(AppError::field("project", "Choose one of your projects.")),
    };
    if valid.records_private() && !viewer.sees_private(&projects) {
        let field = if matches!(valid.email, Some(Some(_))) {
            "email"
        } else {
            "attributes"
        };
        return Err(AppError::field(
            field,
            "Only admins, workspace leads and the project's leads can record emails and attributes.",
        ));
    }
    let id = StakeholderRepo::new(state.db.clone())
        .create(&valid, &projects)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.create",
        &format!("stakeholder:{id}"),
        valid.function.as_str(),
    )
    .await;
    Ok(id)
}

/// Edits a stakeholder (admins, workspace leads, and members who can write in a linked
/// project). `email`, `attributes` and `consented_on` are changed only when submitted, and only
/// by callers who may see them; a form that shows them sends `private_fields=true`, so that an
/// emptied field (which arrives as absent) clears the value. Clearing a recorded consent date
/// withdraws consent and deletes the attributes.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "stakeholders/update")]
pub async fn update_stakeholder(
    id: String,
    name: String,
    function: String,
    email: Option<String>,
    organization: Option<String>,
    title: Option<String>,
    notes: Option<String>,
    attributes: Option<String>,
    consented_on: Option<String>,
    private_fields: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let rec = load_active(&state, &id).await?;
    let (email, attributes, consented_on) = if private_fields.as_deref() == Some("true") {
        (
            Some(email.unwrap_or_default()),
            Some(attributes.unwrap_or_default()),
            Some(consented_on.unwrap_or_default()),
        )
    } else {
        (email, attributes, consented_on)
    };
    let viewer = load_viewer(&state, &user).await?;
    require_edit(&state, &user, &ctx, &viewer, &rec, "edit").await?;
    let form = StakeholderForm {
        name,
        email,
        organization: organization.unwrap_or_default(),
        title: title.unwrap_or_default(),
        function,
        notes: notes.unwrap_or_default(),
        attributes,
        consented_on,
    };
    let valid = form.validate(rec.consented_on.is_some(), Utc::now().date_naive())?;
    if valid.touches_private() && !viewer.sees_private(&rec.project_keys()) {
        deny(
            &state,
            &user,
            &ctx,
            &format!("edit private fields of stakeholder:{}", rec.key()),
        )
        .await;
        return Err(AppError::Forbidden(
            "Only admins, workspace leads and the leads of a linked project can change emails and attributes.".into(),
        ));
    }
    let key = rec.key();
    StakeholderRepo::new(state.db.clone())
        .update(&key, &valid)
        .await?;
    let target = format!("stakeholder:{key}");
    audit(&state, Some(&user), &ctx, "stakeholder.update", &target, "").await;
    if valid.withdraws_consent {
        audit(
            &state,
            Some(&user),
            &ctx,
            "stakeholder.consent_withdraw",
            &target,
            "",
        )
        .await;
    }
    Ok(())
}

/// Withdraws a stakeholder's consent: the consent date and every attribute are deleted.
#[server(prefix = "/api/fn", endpoint = "stakeholders/withdraw-consent")]
pub async fn withdraw_consent(id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let rec = load_active(&state, &id).await?;
    let viewer = load_viewer(&state, &user).await?;
    require_edit(&state, &user, &ctx, &viewer, &rec, "withdraw consent of").await?;
    if !viewer.sees_private(&rec.project_keys()) {
        deny(
            &state,
            &user,
            &ctx,
            &format!("withdraw consent of stakeholder:{}", rec.key()),
        )
        .await;
        return Err(AppError::Forbidden(
            "Only admins, workspace leads and the leads of a linked project can change attributes."
                .into(),
        ));
    }
    let key = rec.key();
    StakeholderRepo::new(state.db.clone())
        .withdraw_consent(&key)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.consent_withdraw",
        &format!("stakeholder:{key}"),
        "",
    )
    .await;
    Ok(())
}

/// Links a stakeholder to a project. The caller must be able to edit the stakeholder and write
/// in the project.
#[server(prefix = "/api/fn", endpoint = "stakeholders/link")]
pub async fn link_project(id: String, project: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let rec = load_active(&state, &id).await?;
    let viewer = load_viewer(&state, &user).await?;
    require_edit(&state, &user, &ctx, &viewer, &rec, "link").await?;
    if project.trim().is_empty() {
        return Err(AppError::field("project", "Choose a project."));
    }
    let access = require_write(&state, &user, &ctx, &project, "link stakeholder").await?;
    let key = rec.key();
    StakeholderRepo::new(state.db.clone())
        .link(&key, access.key())
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.link",
        &format!("stakeholder:{key}"),
        access.key(),
    )
    .await;
    Ok(())
}

/// Unlinks a stakeholder from a project (the caller must write in that project).
#[server(prefix = "/api/fn", endpoint = "stakeholders/unlink")]
pub async fn unlink_project(id: String, project: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let rec = load_active(&state, &id).await?;
    let viewer = load_viewer(&state, &user).await?;
    require_edit(&state, &user, &ctx, &viewer, &rec, "unlink").await?;
    let access = require_write(&state, &user, &ctx, &project, "unlink stakeholder").await?;
    let key = rec.key();
    StakeholderRepo::new(state.db.clone())
        .unlink(&key, access.key())
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.unlink",
        &format!("stakeholder:{key}"),
        access.key(),
    )
    .await;
    Ok(())
}

/// Merges two entries for the same person (admins and workspace leads). `keep` is `this`
/// (default: keep `id`) or `other` (keep `other`). The other entry points at the kept one, its
/// projects are added to it, and every reference moves over, in one transaction. Redirects to
/// the kept entry.
#[server(prefix = "/api/fn", endpoint = "stakeholders/merge")]
pub async fn merge_stakeholders(
    id: String,
    other: String,
    keep: Option<String>,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let viewer = load_viewer(&state, &user).await?;
    require_merge(&state, &user, &ctx, &viewer, "merge stakeholders").await?;
    let this = load_active(&state, &id).await?;
    if other.trim().is_empty() {
        return Err(AppError::field("other", "Choose the entry to merge with."));
    }
    let that = match load(&state, &other).await {
        Err(AppError::NotFound(_)) => {
            return Err(AppError::field("other", "Choose an entry from the list."));
        }
        found => found?,
    };
    if !that.is_active() {
        return Err(AppError::field(
            "other",
            "That entry was erased or merged already; choose another.",
        ));
    }
    let (kept, dup) = match keep.as_deref().map(str::trim) {
        None | Some("" | "this") => (this.key(), that.key()),
        Some("other") => (that.key(), this.key()),
        Some(_) => return Err(AppError::field("keep", "Choose which entry to keep.")),
    };
    if kept == dup {
        return Err(AppError::field(
            "other",
            "Choose a different entry to merge with.",
        ));
    }
    StakeholderRepo::new(state.db.clone())
        .merge(&kept, &dup)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.merge",
        &format!("stakeholder:{kept}"),
        &format!("merged stakeholder:{dup}"),
    )
    .await;
    leptos_axum::redirect(&format!("/stakeholders/{kept}"));
    Ok(kept)
}

/// Erases a stakeholder (admins and workspace leads): name, email, organization, title, notes,
/// attributes and consent are removed for good; function and project links stay, so what they
/// said stays counted under their function. Needs `confirm=true` ("I understand").
#[server(prefix = "/api/fn", endpoint = "stakeholders/erase")]
pub async fn erase_stakeholder(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let viewer = load_viewer(&state, &user).await?;
    require_merge(&state, &user, &ctx, &viewer, "erase stakeholder").await?;
    let rec = load(&state, &id).await?;
    if rec.merged_into.is_some() {
        return Err(AppError::Conflict(
            "This entry was merged into another; erase that one instead.".into(),
        ));
    }
    if !matches!(confirm.as_deref().map(str::trim), Some("true" | "on")) {
        return Err(AppError::field(
            "confirm",
            "Tick \"I understand\" to confirm: erasing cannot be undone.",
        ));
    }
    let key = rec.key();
    StakeholderRepo::new(state.db.clone()).erase(&key).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "stakeholder.erase",
        &format!("stakeholder:{key}"),
        "",
    )
    .await;
    Ok(())
}
