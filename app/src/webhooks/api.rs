//! Server functions for a project's webhooks (project leads, workspace leads and admins) and
//! the workspace's webhook setting (admins). Each one checks who is asking.

use leptos::prelude::*;

use super::{CreatedWebhook, Webhook, WebhookPage};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::WebhookRepo;
    pub use super::super::service;
    pub use super::super::{EventData, EventType, Ping, validate};
    pub use crate::auth::service::{audit, require_admin, require_user};
    pub use crate::projects::service::require_manage;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// How many deliveries a webhook's page shows.
pub const LOG_SIZE: usize = 50;

/// A project's webhooks.
#[server(prefix = "/api/fn", endpoint = "webhooks/list")]
pub async fn list_webhooks(key: String) -> Result<Vec<Webhook>, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "list webhooks").await?;
    WebhookRepo::new(state.db.clone())
        .list(&access.project.key)
        .await
}

/// One webhook and its latest deliveries.
#[server(prefix = "/api/fn", endpoint = "webhooks/get")]
pub async fn get_webhook(key: String, id: String) -> Result<WebhookPage, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "read a webhook").await?;
    let repo = WebhookRepo::new(state.db.clone());
    let webhook = repo
        .get(&access.project.key, id.trim())
        .await?
        .ok_or_else(|| AppError::not_found("Webhook"))?;
    let deliveries = repo.deliveries(&webhook.id, LOG_SIZE).await?;
    Ok(WebhookPage {
        webhook,
        deliveries,
    })
}

/// Makes a webhook. Without a `secret`, one is made; the answer is the only time it is shown.
#[server(prefix = "/api/fn", endpoint = "webhooks/create")]
pub async fn create_webhook(
    key: String,
    url: String,
    events: Option<Vec<String>>,
    secret: Option<String>,
    format: Option<String>,
) -> Result<CreatedWebhook, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "create a webhook").await?;
    let repo = WebhookRepo::new(state.db.clone());
    let allow_private = repo.allow_private().await?;
    let v = validate(
        &url,
        &events.unwrap_or_default(),
        secret.as_deref(),
        allow_private,
    )?;
    let format = super::WebhookFormat::parse(format.as_deref().unwrap_or_default())?;
    let secret = v
        .secret
        .clone()
        .unwrap_or_else(|| format!("whsec_{}", crate::auth::service::new_token()));
    let key = access.project.key.clone();
    let webhook = repo.create(&key, &v, format, &secret, &user.id).await?;
    if v.events.contains(&EventType::SignalChanged) {
        service::baseline_signals(&state, &key).await?;
    }
    audit(
        &state,
        Some(&user),
        &ctx,
        "webhook.create",
        &key,
        // Scheme and host only: receivers' paths and queries often carry secrets.
        &format!("webhook {} to {}", webhook.id, v.target.origin()),
    )
    .await;
    // Without JavaScript the form lands on the webhook's page, which shows the secret once.
    let page = format!("/projects/{key}/settings/webhooks/{}", webhook.id);
    if v.secret.is_none() {
        crate::flash::hand_over(crate::flash::NEW_SECRET, &page, &secret);
    }
    crate::forms::redirect_plain_form(&page, "", None);
    Ok(CreatedWebhook { webhook, secret })
}

/// Changes a webhook's address, events and whether it is on (its secret stays).
#[server(prefix = "/api/fn", endpoint = "webhooks/update")]
pub async fn update_webhook(
    key: String,
    id: String,
    url: String,
    events: Option<Vec<String>>,
    active: Option<String>,
    format: Option<String>,
) -> Result<Webhook, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "change a webhook").await?;
    let repo = WebhookRepo::new(state.db.clone());
    let key = access.project.key.clone();
    let id = id.trim().to_string();
    let before = repo
        .get(&key, &id)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook"))?;
    let allow_private = repo.allow_private().await?;
    let v = validate(&url, &events.unwrap_or_default(), None, allow_private)?;
    let active = crate::fields::parse_flag("active", active.as_deref().unwrap_or_default())?;
    // Without a format (an older form or client), the webhook keeps its own.
    let format = match format.as_deref() {
        Some(f) => super::WebhookFormat::parse(f)?,
        None => before.format,
    };
    repo.update(&key, &id, &v, format, active).await?;
    if v.events.contains(&EventType::SignalChanged)
        && !before.events.contains(&EventType::SignalChanged)
    {
        service::baseline_signals(&state, &key).await?;
    }
    audit(
        &state,
        Some(&user),
        &ctx,
        "webhook.update",
        &key,
        &format!("webhook {id} to {}", v.target.origin()),
    )
    .await;
    repo.get(&key, &id)
        .await?
        .ok_or_else(|| AppError::not_found("Webhook"))
}

/// Deletes a webhook and its delivery log.
#[server(prefix = "/api/fn", endpoint = "webhooks/delete")]
pub async fn delete_webhook(key: String, id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "delete a webhook").await?;
    let key = access.project.key.clone();
    if !WebhookRepo::new(state.db.clone())
        .delete(&key, id.trim())
        .await?
    {
        return Err(AppError::not_found("Webhook"));
    }
    audit(
        &state,
        Some(&user),
        &ctx,
        "webhook.delete",
        &key,
        &format!("webhook {}", id.trim()),
    )
    .await;
    crate::forms::redirect_plain_form(&format!("/projects/{key}/settings/webhooks"), "", None);
    Ok(())
}

/// Sends a `ping` event to one webhook now (whatever its events, even when it is off).
#[server(prefix = "/api/fn", endpoint = "webhooks/test")]
pub async fn send_test_event(key: String, id: String) -> Result<String, AppError> {
    let (state, user, ctx) = require_user().await?;
    let access = require_manage(&state, &user, &ctx, &key, "test a webhook").await?;
    let key = access.project.key.clone();
    let repo = WebhookRepo::new(state.db.clone());
    let webhook = repo
        .get(&key, id.trim())
        .await?
        .ok_or_else(|| AppError::not_found("Webhook"))?;
    let event = service::event(
        &state,
        &key,
        EventType::Ping,
        EventData::Ping(Ping {
            message: "Test event from Touchpoint".into(),
        }),
    )
    .await?;
    repo.enqueue(&event, Some(&webhook.id)).await?;
    state.webhook_wake.notify_one();
    Ok(event.id)
}

/// Whether webhooks may call private and loopback addresses (any signed-in user may know).
#[server(prefix = "/api/fn", endpoint = "webhooks/settings")]
pub async fn get_webhook_settings() -> Result<bool, AppError> {
    let (state, _, _) = require_user().await?;
    WebhookRepo::new(state.db.clone()).allow_private().await
}

/// Allows or refuses webhooks to private and loopback addresses (admins).
#[server(prefix = "/api/fn", endpoint = "webhooks/settings/update")]
pub async fn update_webhook_settings(allow_private: Option<String>) -> Result<(), AppError> {
    let (state, user, ctx) = require_admin("change the webhook setting").await?;
    let allow = crate::fields::parse_flag(
        "allow_private",
        allow_private.as_deref().unwrap_or_default(),
    )?;
    WebhookRepo::new(state.db.clone())
        .set_allow_private(allow)
        .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "settings.webhooks",
        "workspace",
        if allow {
            "private addresses allowed"
        } else {
            "private addresses refused"
        },
    )
    .await;
    Ok(())
}
