//! Server functions for readiness checklists and data-quality issues. Each checks who is asking
//! and their access to the project; viewers read, members write, project leads delete.

use leptos::prelude::*;

use super::{DqIssue, DqRegister, Readiness, SourceOwnerChoice};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::{DqIssueRecord, QualityRepo};
    pub use super::super::{
        DqIssueForm, ReadinessItemForm, m4_level, parse_severity_filter, parse_status_filter,
    };
    pub use crate::auth::repo::AuthRepo;
    pub use crate::auth::service::{audit, require_user};
    pub use crate::projects::service::{project_access, require_manage, require_write};
    pub use chrono::{NaiveDate, Utc};
}
#[cfg(feature = "ssr")]
use ssr::*;

/// Today, as ages and M4 are computed for.
#[cfg(feature = "ssr")]
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Loads an issue that belongs to the project `key`; any other id is not found.
#[cfg(feature = "ssr")]
async fn issue_in(repo: &QualityRepo, key: &str, id: &str) -> Result<DqIssueRecord, AppError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 {
        return Err(AppError::not_found("Data-quality issue"));
    }
    match repo.get_issue(id).await? {
        Some(r) if crate::db::key_of(&r.project) == key => Ok(r),
        _ => Err(AppError::not_found("Data-quality issue")),
    }
}

/// A project's readiness checklist (anyone who can see the project).
#[server(prefix = "/api/fn", endpoint = "quality/readiness")]
pub async fn get_readiness(key: String) -> Result<Readiness, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let items = QualityRepo::new(state.db.clone())
        .readiness(access.key())
        .await?;
    Ok(Readiness {
        project: access.key().to_string(),
        items,
    })
}

/// Saves one readiness item: done (`true` when ticked), owner (a user id or empty), note.
#[server(prefix = "/api/fn", endpoint = "quality/readiness/set")]
pub async fn set_readiness_item(
    key: String,
    item: String,
    done: Option<String>,
    owner: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit readiness").await?;
    let valid = ReadinessItemForm {
        item,
        done: done.unwrap_or_default(),
        owner: owner.unwrap_or_default(),
        note: note.unwrap_or_default(),
    }
    .validate()?;
    if let Some(owner) = &valid.owner {
        match AuthRepo::new(state.db.clone()).user_by_id(owner).await? {
            Some(u) if u.active => {}
            _ => {
                return Err(AppError::field(
                    "owner",
                    "Choose an active user as the owner.",
                ));
            }
        }
    }
    QualityRepo::new(state.db.clone())
        .set_readiness_item(access.key(), &valid)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "readiness.update",
        access.key(),
        &format!(
            "{}: {}",
            valid.item.as_str(),
            if valid.done { "done" } else { "not done" }
        ),
    )
    .await;
    Ok(())
}

/// The register: issues filtered by `status` and `severity` (empty: any), and the M4 facts
/// over all of the project's issues.
#[server(prefix = "/api/fn", endpoint = "quality/issues")]
pub async fn list_dq_issues(
    key: String,
    status: Option<String>,
    severity: Option<String>,
) -> Result<DqRegister, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let status = parse_status_filter(status.as_deref())?;
    let severity = parse_severity_filter(severity.as_deref())?;
    let as_of = today();
    let repo = QualityRepo::new(state.db.clone());
    let issues: Vec<DqIssue> = repo
        .list_issues(access.key(), status, severity)
        .await?
        .into_iter()
        .map(|r| r.into_dto(as_of))
        .collect();
    let open: Vec<DqIssue> = repo
        .open_issues(access.key(), as_of)
        .await?
        .into_iter()
        .map(|r| r.into_dto(as_of))
        .collect();
    Ok(DqRegister {
        as_of,
        m4_level: m4_level(&open, as_of),
        open_count: open.len(),
        red_issues: open.into_iter().filter(|i| !i.m4_red.is_empty()).collect(),
        issues,
    })
}

/// One issue of the project.
#[server(prefix = "/api/fn", endpoint = "quality/issues/get")]
pub async fn get_dq_issue(key: String, id: String) -> Result<DqIssue, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let repo = QualityRepo::new(state.db.clone());
    Ok(issue_in(&repo, access.key(), &id).await?.into_dto(today()))
}

/// Stakeholders to pick as a source owner: live directory entries, names and functions only.
#[server(prefix = "/api/fn", endpoint = "quality/source-owners")]
pub async fn list_source_owners(key: String) -> Result<Vec<SourceOwnerChoice>, AppError> {
    let (state, user, _) = require_user().await?;
    project_access(&state, &user, &key).await?;
    QualityRepo::new(state.db.clone()).source_owners().await
}

/// Records a data-quality issue; the caller is its reporter. Returns the new issue's id.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "quality/issues/create")]
pub async fn create_dq_issue(
    key: String,
    dataset: Option<String>,
    description: Option<String>,
    dimension: Option<String>,
    severity: Option<String>,
    source_owner: Option<String>,
    opened_on: Option<String>,
    reported_upstream_on: Option<String>,
    status: Option<String>,
    resolved_on: Option<String>,
) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "record data-quality issue").await?;
    let valid = DqIssueForm {
        dataset: dataset.unwrap_or_default(),
        description: description.unwrap_or_default(),
        dimension: dimension.unwrap_or_default(),
        severity: severity.unwrap_or_default(),
        source_owner: source_owner.unwrap_or_default(),
        opened_on: opened_on.unwrap_or_default(),
        reported_upstream_on: reported_upstream_on.unwrap_or_default(),
        status: status.unwrap_or_default(),
        resolved_on: resolved_on.unwrap_or_default(),
    }
    .validate(today())?;
    let record = QualityRepo::new(state.db.clone())
        .create_issue(access.key(), &valid, &user.id)
        .await?;
    let id = crate::db::key_of(&record.id);
    audit(
        &state,
        Some(&user),
        &ctx,
        "dq_issue.create",
        &format!("{}/{id}", access.key()),
        &format!(
            "{} ({}, {})",
            valid.dataset,
            valid.severity.as_str(),
            valid.status.as_str()
        ),
    )
    .await;
    Ok(id)
}

/// Changes a data-quality issue (all fields; the reporter stays).
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api/fn", endpoint = "quality/issues/update")]
pub async fn update_dq_issue(
    key: String,
    id: String,
    dataset: Option<String>,
    description: Option<String>,
    dimension: Option<String>,
    severity: Option<String>,
    source_owner: Option<String>,
    opened_on: Option<String>,
    reported_upstream_on: Option<String>,
    status: Option<String>,
    resolved_on: Option<String>,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit data-quality issue").await?;
    let repo = QualityRepo::new(state.db.clone());
    let existing = issue_in(&repo, access.key(), &id).await?;
    let valid = DqIssueForm {
        dataset: dataset.unwrap_or_default(),
        description: description.unwrap_or_default(),
        dimension: dimension.unwrap_or_default(),
        severity: severity.unwrap_or_default(),
        source_owner: source_owner.unwrap_or_default(),
        opened_on: opened_on.unwrap_or_else(|| existing.opened_on.to_string()),
        reported_upstream_on: reported_upstream_on.unwrap_or_default(),
        status: status.unwrap_or_default(),
        resolved_on: resolved_on.unwrap_or_default(),
    }
    .validate(today())?;
    let id = crate::db::key_of(&existing.id);
    repo.update_issue(access.key(), &id, &valid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "dq_issue.update",
        &format!("{}/{id}", access.key()),
        &format!(
            "{} ({}, {})",
            valid.dataset,
            valid.severity.as_str(),
            valid.status.as_str()
        ),
    )
    .await;
    Ok(())
}

/// Deletes a data-quality issue (project leads).
#[server(prefix = "/api/fn", endpoint = "quality/issues/delete")]
pub async fn delete_dq_issue(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete data-quality issue").await?;
    let repo = QualityRepo::new(state.db.clone());
    let existing = issue_in(&repo, access.key(), &id).await?;
    let id = crate::db::key_of(&existing.id);
    repo.delete_issue(access.key(), &id).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "dq_issue.delete",
        &format!("{}/{id}", access.key()),
        &existing.dataset,
    )
    .await;
    Ok(())
}
