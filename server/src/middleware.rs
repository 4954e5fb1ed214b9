//! HTTP middleware: security headers with a CSP nonce, the cross-site check, the caller's
//! session, page gating, and HTTP statuses for server-function errors.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use app::CspNonce;
use app::auth::service::{self, RequestCtx};
use app::error::AppError;
use app::state::AppState;

/// Adds the security headers, with a fresh CSP nonce per request for Leptos's inline scripts.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    let nonce = service::new_token();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let is_asset = req.uri().path().starts_with("/pkg/");
    let is_token_path = is_token_path(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !is_asset {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if is_token_path {
        // The path holds a secret: never cache it, never leak it in a Referer.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    res
}

/// Cache headers for the front end's files under `/pkg`: a hashed name (`touchpoint.<hash>.wasm`,
/// from a release build) never changes, so browsers keep it for a year without asking again;
/// an unhashed name is revalidated on every use (`Last-Modified`), so a rebuild shows at once.
pub async fn asset_cache(req: Request, next: Next) -> Response {
    let hashed = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(app::assets::is_hashed_name);
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let value = if hashed && found {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Caps request bodies: `max_import` for the workspace import, `max` for everything else. A
/// declared length over the cap is refused at once with 413; a body that runs over is cut off.
pub async fn body_limit(req: Request, next: Next, max: usize, max_import: usize) -> Response {
    let limit = if req.uri().path() == "/api/v1/import" {
        max_import
    } else {
        max
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let err = AppError::invalid(format!("The request body is larger than {limit} bytes."));
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(err)).into_response();
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// Paths that carry a secret token: invite links and calendar feeds.
fn is_token_path(path: &str) -> bool {
    path.starts_with("/f/") || path.starts_with("/calendar/")
}

fn is_safe_method(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request comes from another site, judged by `Sec-Fetch-Site` or,
/// failing that, by `Origin` against `Host`.
pub fn is_cross_site(headers: &header::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    origin_host != Some(host)
}

/// Refuses state-changing requests from other sites with a 403.
/// One-click unsubscribe (RFC 8058) is the exception: mail providers post it from wherever
/// they are, and the token in its path is the only credential it takes.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    if !is_safe_method(req.method())
        && is_cross_site(req.headers())
        && !req.uri().path().starts_with("/unsubscribe/")
    {
        tracing::warn!(path = %crate::telemetry::redact_path(req.uri().path()), "cross-site request refused");
        return AppError::Forbidden("Cross-site requests are not allowed.".into()).into_response();
    }
    next.run(req).await
}

/// Works out the client address and the signed-in user (from an API token sent as
/// `Authorization: Bearer …`, else from the session cookie), for every later handler.
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = service::client_ip(&state.settings, peer, req.headers());
    let user_agent: String = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    // A read-only request also reads the read cache's revision counters (of the project its
    // path names, if any) in the same round trip as the session: see app::cache. Requests
    // that may write check the counters when they read, after their own writes.
    let path_project = project_in_path(req.uri().path());
    let wanted = is_safe_method(req.method()).then_some(path_project.as_deref());
    let resolved = app::auth::caller::resolve_request(&state, req.headers(), wanted).await;
    let (auth, stamp) = match resolved {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    req.extensions_mut().insert(RequestCtx {
        auth,
        ip,
        user_agent,
        stamp: stamp.map(std::sync::Arc::new),
    });
    next.run(req).await
}

/// The project key a page or API path names: `/projects/{key}…` or `/api/v1/projects/{key}…`.
fn project_in_path(path: &str) -> Option<String> {
    let rest = path
        .strip_prefix("/projects/")
        .or_else(|| path.strip_prefix("/api/v1/projects/"))?;
    let key = rest.split('/').next()?;
    let valid = (2..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then(|| key.to_string())
}

/// Pages anyone may open without signing in.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/setup" | "/healthz" | "/readyz" | "/metrics" | "/favicon.ico"
    ) || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/f/")
        || path.starts_with("/calendar/")
        || path.starts_with("/auth/oidc/")
        || path.starts_with("/unsubscribe/")
}

/// Sends visitors without a session to the sign-in page, and users who must change their
/// password to that form, before any page renders.
pub async fn page_gate(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if req.method() != Method::GET || is_public(&path) {
        return next.run(req).await;
    }
    let ctx = req
        .extensions()
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_default();
    match ctx.auth {
        None => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            if path == "/" {
                Redirect::to("/login").into_response()
            } else {
                Redirect::to(&format!("/login?next={}", encode_component(&target))).into_response()
            }
        }
        Some(auth) if auth.user.must_change_password && path != "/change-password" => {
            Redirect::to("/change-password").into_response()
        }
        Some(_) => next.run(req).await,
    }
}

fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Gives server-function errors the HTTP status of their code (server_fn answers 500 for
/// every error). The body is the error JSON, at most a few hundred bytes.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_fn = req.uri().path().starts_with("/api/fn/") || req.uri().path().starts_with("/f/api/");
    let res = next.run(req).await;
    if !is_fn
        || res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return AppError::internal().into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = err.status_code();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// How many requests this instance works on at once ([`admission`]).
#[derive(Clone)]
pub struct Admission(std::sync::Arc<tokio::sync::Semaphore>);

impl Admission {
    /// Up to `n` requests at once (at least one).
    pub fn new(n: usize) -> Self {
        Self(std::sync::Arc::new(tokio::sync::Semaphore::new(n.max(1))))
    }
}

/// Lets at most a fixed number of requests work at once; the rest wait their turn, first come
/// first served, before any of their work starts.
///
/// Every step of a request that waits (a database read, a lock) puts it at the back of the
/// runtime's queue of ready work. With a hundred requests in that queue, each step waited for
/// ninety-nine others: a page that reloads a project (many steps) or a write took seconds while
/// someone wrote, although each alone takes milliseconds. Waiting once, at the door, keeps that
/// queue short, so each request's own steps follow each other quickly, and the order is fair.
/// Health checks, metrics and the front end's files pass without waiting; an event stream
/// holds its turn only until its response starts.
pub async fn admission(State(gate): State<Admission>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    let Ok(_turn) = gate.0.acquire().await else {
        return AppError::internal().into_response();
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> header::HeaderMap {
        let mut h = header::HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    #[test]
    fn cross_site_is_judged_by_fetch_metadata_then_origin() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "tp.example")
        ])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "https://tp.example"),
            ("host", "tp.example")
        ])));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "tp.example")
        ])));
        assert!(!is_cross_site(&headers(&[("host", "tp.example")])));
    }

    #[test]
    fn project_keys_are_found_in_page_and_api_paths() {
        assert_eq!(
            project_in_path("/projects/churn-model").as_deref(),
            Some("churn-model")
        );
        assert_eq!(
            project_in_path("/projects/churn-model/report").as_deref(),
            Some("churn-model")
        );
        assert_eq!(
            project_in_path("/api/v1/projects/p100/signals").as_deref(),
            Some("p100")
        );
        assert_eq!(project_in_path("/projects"), None);
        assert_eq!(project_in_path("/projects/"), None);
        assert_eq!(project_in_path("/projects/Bad_Key"), None);
        assert_eq!(project_in_path("/reports"), None);
    }

    #[test]
    fn next_paths_are_encoded() {
        assert_eq!(
            encode_component("/admin/audit?action=x&y=1"),
            "/admin/audit%3Faction%3Dx%26y%3D1"
        );
    }

    /// `router` with a health check, behind [`admission`] with `limit` turns.
    fn gated(router: axum::Router, limit: usize) -> axum::Router {
        router
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                Admission::new(limit),
                admission,
            ))
    }

    /// A router whose `/work` handler counts how many requests are inside it at once.
    fn counted(
        limit: usize,
    ) -> (
        axum::Router,
        std::sync::Arc<(
            std::sync::atomic::AtomicUsize,
            std::sync::atomic::AtomicUsize,
        )>,
    ) {
        use std::sync::atomic::Ordering::SeqCst;
        let seen = std::sync::Arc::new((
            std::sync::atomic::AtomicUsize::new(0),
            std::sync::atomic::AtomicUsize::new(0),
        ));
        let inside = seen.clone();
        let router = axum::Router::new().route(
            "/work",
            axum::routing::get(move || {
                let inside = inside.clone();
                async move {
                    let now = inside.0.fetch_add(1, SeqCst) + 1;
                    inside.1.fetch_max(now, SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    inside.0.fetch_sub(1, SeqCst);
                    "done"
                }
            }),
        );
        (gated(router, limit), seen)
    }

    fn get(path: &str) -> Request {
        Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request")
    }

    #[tokio::test]
    async fn no_more_requests_work_at_once_than_the_limit_and_all_are_served() {
        use tower::ServiceExt as _;
        let (router, seen) = counted(3);
        let calls = (0..12).map(|_| router.clone().oneshot(get("/work")));
        let answers = futures::future::join_all(calls).await;
        assert!(
            answers
                .iter()
                .all(|a| a.as_ref().is_ok_and(|r| r.status() == StatusCode::OK))
        );
        assert_eq!(seen.1.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn health_checks_pass_while_every_turn_is_taken() {
        use tower::ServiceExt as _;
        let release = std::sync::Arc::new(tokio::sync::Notify::new());
        let held = release.clone();
        let router = axum::Router::new().route(
            "/hold",
            axum::routing::get(move || {
                let held = held.clone();
                async move {
                    held.notified().await;
                    "released"
                }
            }),
        );
        let router = gated(router, 1);
        let holder = tokio::spawn(router.clone().oneshot(get("/hold")));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        // The one turn is held until `release`: a page waits, the health check does not.
        let page = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            router.clone().oneshot(get("/hold")),
        )
        .await;
        assert!(page.is_err(), "a second request waits for the turn");
        let health = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            router.clone().oneshot(get("/healthz")),
        )
        .await;
        assert!(health.is_ok_and(|r| r.is_ok_and(|r| r.status() == StatusCode::OK)));
        release.notify_one();
        assert!(holder.await.is_ok_and(|r| r.is_ok()));
    }
}
