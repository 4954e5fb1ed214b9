//! What server functions share about the request that calls them: whether it is a plain HTML
//! form post (which expects a redirect, with the error in the URL) and the address it came in on.

use crate::error::AppError;
use crate::state::Settings;

/// A same-site path to continue to after sign-in, or `/`.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}

/// Whether the current request is a plain HTML form post (no JavaScript), which expects a
/// redirect rather than data.
pub fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// For a plain form post, redirects to `path`, carrying `error` for the action at `fn_path` so
/// that the page shows it next to the field (Referer-based redirects do not work on pages
/// sent with `Referrer-Policy: no-referrer`).
pub fn redirect_plain_form(path: &str, fn_path: &str, error: Option<&AppError>) {
    if !plain_form_post() {
        return;
    }
    let target = match error {
        None => path.to_string(),
        Some(e) => leptos::server_fn::error::ServerFnUrlError::new(fn_path, e.clone())
            .to_url(&format!("http://localhost{path}"))
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_else(|_| path.to_string()),
    };
    leptos_axum::redirect(&target);
}

/// The scheme and host the request came in on, to print full links (`https://host`).
pub fn base_url(settings: &Settings) -> String {
    let host = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or_else(|| "localhost".into());
    let scheme = if settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
