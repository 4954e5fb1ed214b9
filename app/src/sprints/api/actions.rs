//! Server functions for action items: list, add, edit, set the status and carry them over.

use super::*;

#[cfg(feature = "ssr")]
async fn check_owner(state: &AppState, owner: Option<&str>) -> Result<(), AppError> {
    let Some(owner) = owner else { return Ok(()) };
    match AuthRepo::new(state.db.clone()).user_by_id(owner).await? {
        Some(u) if u.active => Ok(()),
        _ => Err(AppError::field(
            "owner",
            "Choose an active user as the owner.",
        )),
    }
}

#[cfg(feature = "ssr")]
async fn load_action(repo: &SprintRepo, key: &str, id: &str) -> Result<ActionRecord, AppError> {
    if !is_safe_id(id) {
        return Err(AppError::not_found("Action item"));
    }
    repo.action(key, id)
        .await?
        .ok_or_else(|| AppError::not_found("Action item"))
}

/// A project's action items; `status` filters (e.g. `open`).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/list")]
pub async fn list_action_items(
    key: String,
    status: Option<String>,
) -> Result<Vec<ActionItem>, AppError> {
    let (state, user, _) = require_user().await?;
    let access = project_access(&state, &user, &key).await?;
    let status = match status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(parse_status(s)?),
    };
    let repo = SprintRepo::new(state.db.clone());
    Ok(repo
        .actions(access.key(), status)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Adds an action item to a sprint's retro (members). The due sprint defaults to the next one.
#[server(prefix = "/api/fn", endpoint = "sprints/actions/add")]
pub async fn add_action_item(
    key: String,
    number: String,
    text: String,
    owner: Option<String>,
    due_sprint: Option<String>,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "add action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let (n, _) = load_retro(&repo, access.key(), &number).await?;
    let valid = validate_action(
        &text,
        owner.as_deref().unwrap_or_default(),
        due_sprint.as_deref().unwrap_or_default(),
        n,
    )?;
    check_owner(&state, valid.owner.as_deref()).await?;
    let id = repo.add_action(access.key(), n, &valid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.create",
        &target(access.key(), n),
        &id,
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(
        &state,
        access.key(),
        crate::webhooks::Change::Created,
        &item,
    )
    .await;
    Ok(item)
}

/// Edits an action item's text, owner and due sprint (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/update")]
pub async fn update_action_item(
    key: String,
    id: String,
    text: String,
    owner: Option<String>,
    due_sprint: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "edit action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    if due_sprint.trim().is_empty() {
        return Err(AppError::field(
            "due_sprint",
            "Enter the sprint it is due in.",
        ));
    }
    let valid = validate_action(&text, owner.as_deref().unwrap_or_default(), &due_sprint, n)?;
    check_owner(&state, valid.owner.as_deref()).await?;
    repo.update_action(&item.id, &valid).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.update",
        &target(access.key(), n),
        &id,
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(
        &state,
        access.key(),
        crate::webhooks::Change::Updated,
        &item,
    )
    .await;
    Ok(item)
}

/// Closes (done or dropped, `closed_on` = today) or reopens (`closed_on` cleared) an action
/// item (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/status")]
pub async fn set_action_status(
    key: String,
    id: String,
    status: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "change action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let status = parse_status(&status)?;
    let current: ActionStatus = item.status.parse().unwrap_or_default();
    if current != status {
        repo.set_action_status(
            &item.id,
            status,
            closed_on_for(status, today(&state).await?),
        )
        .await?;
    }
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.status",
        &target(access.key(), n),
        &format!("{id} {}", status.as_str()),
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(
        &state,
        access.key(),
        crate::webhooks::Change::Updated,
        &item,
    )
    .await;
    Ok(item)
}

/// Carries an open action item on: it becomes due in sprint `due_sprint` (members).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/carry")]
pub async fn carry_action_item(
    key: String,
    id: String,
    due_sprint: String,
) -> Result<ActionItem, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_write(&state, &user, &ctx, &key, "carry action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    let due = parse_number(&due_sprint).ok_or_else(|| {
        AppError::field(
            "due_sprint",
            "Enter a sprint number (a whole number of 1 or more).",
        )
    })?;
    if item.status != ActionStatus::Open.as_str() {
        return Err(AppError::Conflict(
            "Only open action items can be carried on; reopen it first.".into(),
        ));
    }
    repo.set_action_due(&item.id, due).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.carry",
        &target(access.key(), n),
        &format!("{id} to sprint {due}"),
    )
    .await;
    let item: ActionItem = load_action(&repo, access.key(), &id).await?.into();
    crate::webhooks::service::action_item_changed(
        &state,
        access.key(),
        crate::webhooks::Change::Updated,
        &item,
    )
    .await;
    Ok(item)
}

/// Deletes an action item (project leads).
#[server(prefix = "/api/fn", endpoint = "sprints/actions/delete")]
pub async fn delete_action_item(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete action item").await?;
    let repo = SprintRepo::new(state.db.clone());
    let item = load_action(&repo, access.key(), &id).await?;
    repo.delete_action(&item.id).await?;
    let n = u32::try_from(item.sprint_number).unwrap_or(0);
    audit(
        &state,
        Some(&user),
        &ctx,
        "action_item.delete",
        &target(access.key(), n),
        &item.text,
    )
    .await;
    let item: ActionItem = item.into();
    crate::webhooks::service::action_item_changed(
        &state,
        access.key(),
        crate::webhooks::Change::Deleted,
        &item,
    )
    .await;
    Ok(())
}
