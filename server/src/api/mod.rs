//! The REST API under `/api/v1`: JSON over the same server functions, services and checks as the
//! UI. Each handler runs the server function it wraps inside a Leptos owner that carries the
//! request (so `require_user` and friends see the caller exactly as for the UI), then shapes the
//! answer: lists page with `limit` and `cursor`, errors use the one JSON shape of [`AppError`].
//!
//! The OpenAPI 3.1 document is generated from these handlers' annotations by `utoipa` and
//! served at `/api/v1/openapi.json`; `/api/docs` renders it as a reference page.
//!
//! The document states the checks the server applies, so that a client generated from it
//! cannot send what is refused: enums as schemas, dates as `format: date`, numbers with their
//! ranges, the required fields of each body (creating and changing a resource take different
//! bodies), and the lengths and characters of texts. Most texts are trimmed before they are
//! checked, so their patterns bound the trimmed text (and replace `maxLength`):
//! `[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]` is the
//! whitespace `str::trim` removes, `[\x00-\x1f\x7f-\x9f]` the control characters that
//! one-line fields refuse. Rules between fields, against today's date or about which records
//! exist are in the descriptions only (`scripts/fuzz_hooks.py` lists them).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use http::request::Parts;
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use app::error::{AppError, AppResult};
use app::state::AppState;

mod account;
mod docs;
mod live;
mod projects;
mod quality;
mod reports;
mod sprints;
mod stakeholders;
mod voice;
mod webhooks;

/// The default page size of lists.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page size a caller may ask for.
pub const MAX_LIMIT: usize = 500;

/// The document's fixed parts; paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Touchpoint API",
        version = "1",
        description = "Every entity and report of a Touchpoint workspace. Authenticate with \
                       `Authorization: Bearer <API token>` (create one on your profile page or \
                       with `touchpoint token create`) or with the session cookie. Errors are \
                       `{ \"error\": { \"code\", \"message\", \"field\"? } }`. Lists take \
                       `limit` (default 50, at most 500) and `cursor`, and answer \
                       `{ \"items\": [...], \"next_cursor\": ... }`."
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        ProjectKey,
        SprintNumber,
        reports::PortfolioSortParam,
        app::webhooks::WebhookEvent
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "projects", description = "Projects and their members"),
        (name = "sprints", description = "Sprints, reviews, retrospectives and action items"),
        (name = "stakeholders", description = "The stakeholder directory"),
        (name = "interviews", description = "Interviews and their insights"),
        (name = "feedback", description = "Feedback and invite links"),
        (name = "quality", description = "Readiness checklist and data-quality issues"),
        (name = "reports", description = "Signals and reports, as of a date"),
        (name = "account", description = "Your profile, sessions and API tokens"),
        (name = "admin", description = "Users, audit log, export and import (admins)"),
        (name = "webhooks", description = "Webhooks of a project and their delivery logs. Each event is POSTed as a `WebhookEvent` (see the schemas) with `X-Touchpoint-Event`, `X-Touchpoint-Delivery` and `X-Touchpoint-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the secret>`"),
    )
)]
struct ApiDoc;

/// Declares the two ways to authenticate.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token (`tp_…`)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new("touchpoint_session"),
            )),
        );
    }
}

/// A project key, as in `/projects/{key}`: 2–40 lowercase letters, digits and hyphens, starting
/// with a letter or digit (`app::projects::validate_key`; `new` is reserved too).
pub struct ProjectKey;

impl utoipa::PartialSchema for ProjectKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .min_length(Some(2))
            .max_length(Some(40))
            .pattern(Some(PROJECT_KEY_PATTERN))
            .description(Some(
                "A project key: 2–40 lowercase letters, digits and hyphens, starting with a \
                 letter or digit; `new` is reserved.",
            ))
            .into()
    }
}

impl ToSchema for ProjectKey {}

/// The pattern of [`ProjectKey`].
pub const PROJECT_KEY_PATTERN: &str = "^[a-z0-9][a-z0-9-]{1,39}$";

/// A sprint number, as in `/projects/{key}/sprints/{number}`: 1 to
/// [`app::sprints::MAX_COUNT`] (`app::sprints::parse_number`).
pub struct SprintNumber;

impl utoipa::PartialSchema for SprintNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int32,
            )))
            .minimum(Some(1))
            .maximum(Some(app::sprints::MAX_COUNT))
            .description(Some(
                "A sprint number: the project's sprints are numbered from 1.",
            ))
            .into()
    }
}

impl ToSchema for SprintNumber {}

/// The error body of every failed call.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error's code, message and, for validation errors, the field.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// One of `validation`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `rate_limited`, `internal`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// The request field at fault.
    pub field: Option<String>,
}

/// The routes and the generated document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(projects::routes())
        .merge(quality::routes())
        .merge(reports::routes())
        .merge(account::routes())
        .merge(sprints::routes())
        .merge(stakeholders::routes())
        .merge(voice::routes())
        .merge(live::routes())
        .merge(webhooks::routes())
        .split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    describe_responses(&mut doc);
    allow_empty_values(&mut doc);
    nullable_formats_as_one_of(&mut doc);
    (router, doc)
}

/// Every operation of the document.
fn operations(
    doc: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
    })
}

/// Gives every response without a description the standard one for its status (OpenAPI
/// requires a description; the error statuses all share the error body).
fn describe_responses(doc: &mut utoipa::openapi::OpenApi) {
    for op in operations(doc) {
        for (status, response) in op.responses.responses.iter_mut() {
            if let utoipa::openapi::RefOr::T(r) = response
                && r.description.is_empty()
            {
                r.description = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|c| http::StatusCode::from_u16(c).ok())
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("Response")
                    .to_string();
            }
        }
    }
}

/// Spells a nullable string property with a `format` (`"type": ["string", "null"], "format":
/// "date"`) as `oneOf` a formatted string or `null`: the same schema, but some generators
/// (schemathesis' coverage phase) drop the `format` from a list of types and draw `""` as a
/// valid date.
fn nullable_formats_as_one_of(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::{ObjectBuilder, OneOfBuilder, RefOr};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for property in object.properties.values_mut() {
            let RefOr::T(Schema::Object(p)) = property else {
                continue;
            };
            let SchemaType::Array(types) = &p.schema_type else {
                continue;
            };
            if p.format.is_none() || types.as_slice() != [Type::String, Type::Null] {
                continue;
            }
            let mut value = p.clone();
            value.schema_type = SchemaType::Type(Type::String);
            let description = value.description.take();
            *property = OneOfBuilder::new()
                .item(value)
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .description(description)
                .into();
        }
    }
}

/// The query parameters that an empty value leaves unset (`?as_of=` is today, `?cursor=` the
/// first page), as forms send them. Flags (`include_archived`, `replace`, …) are not among them:
/// an empty flag is refused.
const EMPTY_MEANS_UNSET: &[&str] = &[
    "limit", "cursor", "as_of", "status", "severity", "sprint", "category", "rating", "function",
    "q", "project", "before", "action",
];

/// Declares `allowEmptyValue` on the query parameters of [`EMPTY_MEANS_UNSET`] (utoipa has no
/// attribute for it).
fn allow_empty_values(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    for op in operations(doc) {
        for p in op.parameters.iter_mut().flatten() {
            if let utoipa::openapi::RefOr::T(p) = p
                && matches!(p.parameter_in, ParameterIn::Query)
                && EMPTY_MEANS_UNSET.contains(&p.name.as_str())
            {
                p.extensions
                    .get_or_insert_with(Default::default)
                    .insert("allowEmptyValue".to_string(), true.into());
            }
        }
    }
}

/// `/api/v1/…` (with `/api/v1/openapi.json`) and the reference page `/api/docs`.
pub fn router(css_href: &str) -> Router<AppState> {
    let (api, doc) = routes();
    let json: Arc<str> = doc.to_pretty_json().unwrap_or_default().into();
    let page: Arc<str> = docs::reference_page(&doc, css_href).into();
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(http::header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .fallback(|| async { AppError::not_found("API route").into_response() });
    Router::new().nest("/api/v1", api).route(
        "/api/docs",
        get(move || {
            let page = page.clone();
            async move { Html(page.to_string()) }
        }),
    )
}

/// The OpenAPI document as pretty JSON (for `touchpoint openapi` and the tests).
pub fn openapi_json() -> String {
    routes().1.to_pretty_json().unwrap_or_default()
}

/// Runs `fut` — typically a call of a server function — with the request and the state in its
/// Leptos context, as the server-function handler does for the UI.
pub async fn run<T>(
    state: &AppState,
    parts: Parts,
    fut: impl Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let owner = Owner::new();
    owner.with(|| {
        provide_context(state.clone());
        provide_context(parts);
        provide_context(leptos_axum::ResponseOptions::default());
    });
    owner.with(|| ScopedFuture::new(fut)).await
}

/// A JSON request body; a body that is not valid JSON for the resource is a 422 with a message
/// naming the problem (never axum's plain-text rejection). Every body-taking route needs a
/// signed-in caller, so a request without one is a 401 before its body is read.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Who is asking comes first: nobody learns how a body is checked without signing in.
        let signed_in = req
            .extensions()
            .get::<app::auth::service::RequestCtx>()
            .is_some_and(|ctx| ctx.auth.is_some());
        if !signed_in {
            return Err(AppError::unauthorized());
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(e) => Err(AppError::invalid(format!(
                "The request body is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

/// Query parameters; a malformed one (`?limit=x` is checked later, but `?replace=maybe` for a
/// flag fails here) is a 422 in the API's error shape, not axum's plain-text rejection.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(e) => Err(AppError::invalid(format!(
                "The query string is not valid: {}",
                e.body_text()
            ))),
        }
    }
}

/// A JSON answer with the given status.
pub fn json<T: Serialize>(status: http::StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

/// 200 with a JSON body.
pub fn ok<T: Serialize>(value: &T) -> Response {
    json(http::StatusCode::OK, value)
}

/// 204 No Content.
pub fn no_content() -> Response {
    http::StatusCode::NO_CONTENT.into_response()
}

/// `?limit=&cursor=` of the lists paged by position (every list but two, see [`KeyPageQuery`]).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page: 1–500, default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^o[0-9]{1,19}$")]
    pub cursor: Option<String>,
}

/// `?limit=&cursor=` of the lists paged by key: the stakeholder directory and the feedback
/// inbox, whose cursors name the last entry of the previous page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyPageQuery {
    /// Items per page: 1–500, default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^k[A-Za-z0-9_-]{1,64}$")]
    pub cursor: Option<String>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A page size, validated.
fn parse_limit(limit: Option<&str>) -> AppResult<usize> {
    match limit.map(str::trim) {
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(AppError::field(
                "limit",
                format!("Ask for between 1 and {MAX_LIMIT} items."),
            )),
        },
    }
}

impl KeyPageQuery {
    /// The page size, validated.
    pub fn limit(&self) -> AppResult<usize> {
        parse_limit(self.limit.as_deref())
    }

    /// The key a keyset-paged list starts after (`k<key>`), validated. Cursors are opaque to
    /// callers.
    pub fn key_cursor(&self) -> AppResult<Option<String>> {
        match self.cursor.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .strip_prefix('k')
                .filter(|k| {
                    !k.is_empty()
                        && k.len() <= 64
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
                .map(|k| Some(k.to_string()))
                .ok_or_else(|| {
                    AppError::field("cursor", "Pass the next_cursor of the previous page.")
                }),
        }
    }
}

impl PageQuery {
    /// The page size, validated.
    pub fn limit(&self) -> AppResult<usize> {
        parse_limit(self.limit.as_deref())
    }

    /// Where the page starts, validated. Cursors are opaque to callers.
    pub fn offset(&self) -> AppResult<usize> {
        match self.cursor.as_deref().map(str::trim) {
            None | Some("") => Ok(0),
            Some(s) => s
                .strip_prefix("o")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    AppError::field("cursor", "Pass the next_cursor of the previous page.")
                }),
        }
    }
}

/// Cuts one page out of a whole list, in the list's order.
pub fn paginate<T>(items: Vec<T>, q: &PageQuery) -> AppResult<Page<T>> {
    let limit = q.limit()?;
    let offset = q.offset()?;
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    Ok(Page::at(items, offset, total))
}

impl<T> Page<T> {
    /// The page of `items` that starts `offset` items into a list of `total`.
    pub fn at(items: Vec<T>, offset: usize, total: usize) -> Self {
        let end = offset.saturating_add(items.len());
        Page {
            next_cursor: (end < total && !items.is_empty()).then(|| format!("o{end}")),
            items,
        }
    }
}

/// A whole number from JSON as the string a form would send (`None` stays `None`).
pub fn num(v: Option<i64>) -> Option<String> {
    v.map(|n| n.to_string())
}

/// A flag from JSON as the `"true"`/`"false"` a form would send.
pub fn flag(v: Option<bool>) -> Option<String> {
    v.map(|b| b.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(limit: Option<&str>, cursor: Option<&str>) -> PageQuery {
        PageQuery {
            limit: limit.map(str::to_string),
            cursor: cursor.map(str::to_string),
        }
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let items: Vec<u32> = (0..7).collect();
        let first = paginate(items.clone(), &q(Some("3"), None)).expect("page");
        assert_eq!(first.items, vec![0, 1, 2]);
        let second =
            paginate(items.clone(), &q(Some("3"), first.next_cursor.as_deref())).expect("page");
        assert_eq!(second.items, vec![3, 4, 5]);
        let third = paginate(items, &q(Some("3"), second.next_cursor.as_deref())).expect("page");
        assert_eq!(third.items, vec![6]);
        assert_eq!(third.next_cursor, None);
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(q(None, None).limit().expect("default"), DEFAULT_LIMIT);
        assert_eq!(q(Some("500"), None).limit().expect("max"), 500);
        for bad in ["0", "501", "-1", "ten"] {
            let e = q(Some(bad), None).limit().expect_err(bad);
            assert_eq!(e.field_name(), Some("limit"));
        }
        let e = q(None, Some("garbage")).offset().expect_err("cursor");
        assert_eq!(e.field_name(), Some("cursor"));
        let empty = paginate(Vec::<u8>::new(), &q(None, None)).expect("empty");
        assert!(empty.items.is_empty() && empty.next_cursor.is_none());
    }
}
