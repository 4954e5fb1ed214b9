//! Webhooks of a project (project leads, workspace leads and admins), their delivery logs and
//! test events, and the workspace's webhook setting (admins).

use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::AppResult;
use app::state::AppState;
use app::webhooks::api as fns;
use app::webhooks::{CreatedWebhook, Delivery, EventType, Webhook};

use super::{
    Body, ErrorBody, Page, PageQuery, ProjectKey, Query, json, no_content, ok, paginate, run,
};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(test_webhook))
        .routes(routes!(get_webhook_settings, put_webhook_settings))
}

/// An event a webhook can subscribe to (every event but `ping`, which only the test sends).
pub struct SubscribableEvent;

impl utoipa::PartialSchema for SubscribableEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(EventType::SUBSCRIBABLE.iter().map(|e| e.as_str())))
            .description(Some("An event a webhook can subscribe to."))
            .into()
    }
}

impl ToSchema for SubscribableEvent {}

/// A webhook to make.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WebhookInput {
    /// Where to POST events (`http://` or `https://`, at most 2,000 characters).
    #[schema(format = "uri", max_length = 2000)]
    pub url: String,
    /// The events to send (at least one).
    #[schema(value_type = Vec<SubscribableEvent>, min_items = 1)]
    pub events: Vec<EventType>,
    /// The signing secret (16–200 characters); omit it or leave it empty to have one made.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{14,198}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub secret: Option<String>,
    /// What to send: the signed JSON event (default), a Slack message or a Teams card.
    pub format: Option<app::webhooks::WebhookFormat>,
}

/// A webhook's new settings (its secret stays).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WebhookUpdate {
    /// Where to POST events (`http://` or `https://`, at most 2,000 characters).
    #[schema(format = "uri", max_length = 2000)]
    pub url: String,
    /// The events to send (at least one).
    #[schema(value_type = Vec<SubscribableEvent>, min_items = 1)]
    pub events: Vec<EventType>,
    /// Whether to send events (default true).
    pub active: Option<bool>,
    /// What to send; omitted: unchanged.
    pub format: Option<app::webhooks::WebhookFormat>,
}

/// The workspace's webhook setting.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WebhookSettings {
    /// Whether webhooks may call private and loopback addresses.
    pub allow_private: bool,
}

/// A test event on its way.
#[derive(Serialize, ToSchema)]
pub struct TestSent {
    /// The id of the `ping` event queued; its delivery shows in the log.
    pub event_id: String,
}

fn names(events: &[EventType]) -> Option<Vec<String>> {
    Some(events.iter().map(|e| e.as_str().to_string()).collect())
}

/// A project's webhooks, oldest first (never their secrets).
#[utoipa::path(get, path = "/projects/{key}/webhooks", tag = "webhooks",
    params(("key" = ProjectKey, Path, description = "Project key"), PageQuery),
    responses((status = 200, description = "A page of webhooks", body = Page<Webhook>),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_webhooks(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let list = run(&state, parts, fns::list_webhooks(key)).await?;
    Ok(ok(&paginate(list, &page)?))
}

/// Makes a webhook. The answer is the only time its `secret` is shown.
#[utoipa::path(post, path = "/projects/{key}/webhooks", tag = "webhooks",
    request_body = WebhookInput,
    params(("key" = ProjectKey, Path, description = "Project key")),
    responses((status = 201, description = "The webhook with its secret", body = CreatedWebhook),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Body(b): Body<WebhookInput>,
) -> AppResult<Response> {
    let created = run(
        &state,
        parts,
        fns::create_webhook(
            key,
            b.url,
            names(&b.events),
            b.secret,
            b.format.map(|f| f.as_str().to_string()),
        ),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &created))
}

/// One webhook.
#[utoipa::path(get, path = "/projects/{key}/webhooks/{id}", tag = "webhooks",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The webhook", body = Webhook),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_webhook(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let page = run(&state, parts, fns::get_webhook(key, id)).await?;
    Ok(ok(&page.webhook))
}

/// Changes a webhook's address, events and whether it is on.
#[utoipa::path(put, path = "/projects/{key}/webhooks/{id}", tag = "webhooks",
    request_body = WebhookUpdate,
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Webhook id")),
    responses((status = 200, description = "The webhook", body = Webhook),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn update_webhook(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Body(b): Body<WebhookUpdate>,
) -> AppResult<Response> {
    let active = if b.active.unwrap_or(true) {
        Some("true".to_string())
    } else {
        None
    };
    let webhook = run(
        &state,
        parts,
        fns::update_webhook(
            key,
            id,
            b.url,
            names(&b.events),
            active,
            b.format.map(|f| f.as_str().to_string()),
        ),
    )
    .await?;
    Ok(ok(&webhook))
}

/// Deletes a webhook, its pending deliveries and its log.
#[utoipa::path(delete, path = "/projects/{key}/webhooks/{id}", tag = "webhooks",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Webhook id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_webhook(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    run(&state, parts, fns::delete_webhook(key, id)).await?;
    Ok(no_content())
}

/// A webhook's delivery log: its latest 50 deliveries, newest first.
#[utoipa::path(get, path = "/projects/{key}/webhooks/{id}/deliveries", tag = "webhooks",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Webhook id"), PageQuery),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_deliveries(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
    Query(page): Query<PageQuery>,
) -> AppResult<Response> {
    let p = run(&state, parts, fns::get_webhook(key, id)).await?;
    Ok(ok(&paginate(p.deliveries, &page)?))
}

/// Sends a `ping` event to the webhook now, whatever its events.
#[utoipa::path(post, path = "/projects/{key}/webhooks/{id}/test", tag = "webhooks",
    params(("key" = ProjectKey, Path, description = "Project key"),
           ("id" = String, Path, description = "Webhook id")),
    responses((status = 202, description = "Queued", body = TestSent),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn test_webhook(
    State(state): State<AppState>,
    parts: Parts,
    Path((key, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let event_id = run(&state, parts, fns::send_test_event(key, id)).await?;
    Ok(json(StatusCode::ACCEPTED, &TestSent { event_id }))
}

/// The workspace's webhook setting (anyone signed in).
#[utoipa::path(get, path = "/settings/webhooks", tag = "admin",
    responses((status = 200, description = "The setting", body = WebhookSettings),
              (status = 401, body = ErrorBody)))]
async fn get_webhook_settings(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    let allow_private = run(&state, parts, fns::get_webhook_settings()).await?;
    Ok(ok(&WebhookSettings { allow_private }))
}

/// Allows or refuses webhooks to private and loopback addresses (admins).
#[utoipa::path(put, path = "/settings/webhooks", tag = "admin", request_body = WebhookSettings,
    responses((status = 200, description = "The setting", body = WebhookSettings),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_webhook_settings(
    State(state): State<AppState>,
    parts: Parts,
    Body(b): Body<WebhookSettings>,
) -> AppResult<Response> {
    let allow = b.allow_private.then(|| "true".to_string());
    let allow_private = run(&state, parts, async move {
        fns::update_webhook_settings(allow).await?;
        fns::get_webhook_settings().await
    })
    .await?;
    Ok(ok(&WebhookSettings { allow_private }))
}
