//! Server functions for workspace settings.

use leptos::prelude::*;

use super::WorkspaceSettings;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::service::{audit, require_admin, require_user};

/// The workspace settings (any signed-in user).
#[server(prefix = "/api/fn", endpoint = "workspace/settings")]
pub async fn get_workspace_settings() -> Result<WorkspaceSettings, AppError> {
    let (state, _, _) = require_user().await?;
    super::repo::WorkspaceRepo::new(state.db.clone())
        .get()
        .await
}

/// Changes the workspace time zone (admins).
#[server(prefix = "/api/fn", endpoint = "workspace/settings/update")]
pub async fn update_workspace_settings(time_zone: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_admin("update settings").await?;
    let tz = super::parse_time_zone("time_zone", &time_zone)?;
    let settings = WorkspaceSettings {
        time_zone: tz.name().to_string(),
    };
    super::repo::WorkspaceRepo::new(state.db.clone())
        .set(&settings)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "settings.update",
        "workspace",
        &settings.time_zone,
    )
    .await;
    Ok(())
}
