//! One-time secrets handed from a plain form post to the page it returns to: a new API token,
//! invite link or calendar address. The server function sets a short-lived cookie limited to
//! that page's path; the page shows the value once and clears the cookie. Secrets never travel
//! in a URL (where browser history, proxies and analytics would keep them).

/// A new API token, for `/me`.
pub const NEW_TOKEN: &str = "touchpoint_new_token";
/// A new invite link's token, for the project's feedback page.
pub const NEW_LINK: &str = "touchpoint_new_link";
/// A new calendar feed's token, for the project's interviews page.
pub const NEW_FEED: &str = "touchpoint_new_feed";
/// A new webhook's signing secret, for the webhook's page.
pub const NEW_SECRET: &str = "touchpoint_new_secret";

/// How long a handed-over secret waits for its page.
#[cfg(feature = "ssr")]
const LIFETIME_MINUTES: i64 = 5;

/// The `Set-Cookie` value that hands `value` to `path` (or, with `None`, removes it).
#[cfg(feature = "ssr")]
pub fn cookie(secure: bool, name: &'static str, path: &str, value: Option<&str>) -> String {
    let age = if value.is_some() {
        cookie::time::Duration::minutes(LIFETIME_MINUTES)
    } else {
        cookie::time::Duration::ZERO
    };
    cookie::Cookie::build((name, value.unwrap_or_default().to_string()))
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Strict)
        .path(path.to_string())
        .max_age(age)
        .build()
        .to_string()
}

#[cfg(feature = "ssr")]
fn append(set_cookie: &str) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(v) = http::HeaderValue::from_str(set_cookie)
    {
        res.append_header(http::header::SET_COOKIE, v);
    }
}

#[cfg(feature = "ssr")]
fn secure() -> bool {
    leptos::prelude::use_context::<crate::state::AppState>()
        .is_some_and(|s| s.settings.secure_cookies)
}

/// In a server function answering a plain form post: hands `value` to the page at `path`.
#[cfg(feature = "ssr")]
pub fn hand_over(name: &'static str, path: &str, value: &str) {
    if crate::feedback::service::plain_form_post() {
        append(&cookie(secure(), name, path, Some(value)));
    }
}

/// While rendering the page at `path`: the secret handed to it, if any, that passes `valid`.
/// The cookie is cleared, so the secret shows once.
#[cfg(feature = "ssr")]
pub fn take(name: &'static str, path: &str, valid: fn(&str) -> bool) -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let value = crate::auth::service::cookie_value(&parts.headers, name)?;
    append(&cookie(secure(), name, path, None));
    valid(&value).then_some(value)
}

/// In the browser: pages are rendered by the server.
#[cfg(not(feature = "ssr"))]
pub fn take(_name: &'static str, _path: &str, _valid: fn(&str) -> bool) -> Option<String> {
    None
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_limited_to_its_page() {
        let c = cookie(true, NEW_LINK, "/projects/alpha/feedback", Some("abc"));
        assert!(c.starts_with("touchpoint_new_link=abc"), "{c}");
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/projects/alpha/feedback",
            "Max-Age=300",
        ] {
            assert!(c.contains(part), "{part} in {c}");
        }
        let gone = cookie(false, NEW_LINK, "/projects/alpha/feedback", None);
        assert!(
            gone.contains("Max-Age=0") && !gone.contains("Secure"),
            "{gone}"
        );
    }

    #[test]
    fn the_value_is_read_among_other_cookies() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("a=1; touchpoint_new_feed=tok; b=2"),
        );
        let read = crate::auth::service::cookie_value;
        assert_eq!(read(&h, NEW_FEED).as_deref(), Some("tok"));
        assert_eq!(read(&h, NEW_LINK), None);
    }
}
