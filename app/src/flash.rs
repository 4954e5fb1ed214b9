//! One-time secrets handed from a plain form post to the page it returns to: a new API token,
//! invite link, calendar address or webhook secret. The server function sets a short-lived
//! cookie, limited to that page's path, that names the user the secret was made for; that
//! page, rendered for that user, shows it once and clears the cookie. Anyone else signed in
//! on the same browser sees nothing. A second cookie (`Path=/`, no secret in it) lists the
//! pages that hold one, so that signing out clears them all. Secrets never travel in a URL
//! (where browser history, proxies and analytics would keep them).

/// A new API token, for `/me`.
pub const NEW_TOKEN: &str = "touchpoint_new_token";
/// A new invite link's token, for the project's feedback page.
pub const NEW_LINK: &str = "touchpoint_new_link";
/// A new calendar feed's token, for the project's interviews page.
pub const NEW_FEED: &str = "touchpoint_new_feed";
/// A new webhook's signing secret, for the webhook's page.
pub const NEW_SECRET: &str = "touchpoint_new_secret";

/// The cookie that lists which one-time cookies were set, and for which pages.
pub const INDEX: &str = "touchpoint_handed";

/// How long a handed-over secret waits for its page.
#[cfg(feature = "ssr")]
const LIFETIME_MINUTES: i64 = 5;

/// What a one-time cookie carries: the user the secret is for, and the secret.
#[cfg(feature = "ssr")]
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Eq)]
struct Handed {
    user: String,
    secret: String,
}

/// Encodes a value for a cookie (URL-safe base64 of its JSON).
#[cfg(feature = "ssr")]
fn encode<T: serde::Serialize>(value: &T) -> String {
    use base64::Engine as _;
    let json = serde_json::to_vec(value).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

#[cfg(feature = "ssr")]
fn decode<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    use base64::Engine as _;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// The `Set-Cookie` value that sets the cookie `name` for `path` to `value` (or, with `None`,
/// removes it).
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

/// The (cookie name, page) pairs the request's index cookie lists.
#[cfg(feature = "ssr")]
fn listed(headers: &http::HeaderMap) -> Vec<(String, String)> {
    crate::auth::service::cookie_value(headers, INDEX)
        .and_then(|v| decode(&v))
        .unwrap_or_default()
}

/// In a server function answering a plain form post of a signed-in user: hands `value` to
/// the page at `path`, for that user only.
#[cfg(feature = "ssr")]
pub fn hand_over(name: &'static str, path: &str, value: &str) {
    let Some(auth) = crate::auth::service::request_ctx().auth else {
        return;
    };
    if !crate::forms::plain_form_post() {
        return;
    }
    let handed = Handed {
        user: auth.user.id,
        secret: value.to_string(),
    };
    append(&cookie(secure(), name, path, Some(&encode(&handed))));
    let mut index = leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| listed(&parts.headers))
        .unwrap_or_default();
    let entry = (name.to_string(), path.to_string());
    if !index.contains(&entry) {
        index.push(entry);
    }
    // A handful at most; a browser that keeps making secrets without viewing them keeps the
    // latest.
    let keep = index.len().saturating_sub(8);
    append(&cookie(
        secure(),
        INDEX,
        "/",
        Some(&encode(&index[keep..].to_vec())),
    ));
}

/// While rendering the page at `path`: the secret handed to it for the signed-in user, if
/// any, that passes `valid`. The cookie is cleared, so the secret shows once, and to no one
/// else.
#[cfg(feature = "ssr")]
pub fn take(name: &'static str, path: &str, valid: fn(&str) -> bool) -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let value = crate::auth::service::cookie_value(&parts.headers, name)?;
    append(&cookie(secure(), name, path, None));
    let user = crate::auth::service::request_ctx()
        .auth
        .map(|a| a.user.id)?;
    let handed: Handed = decode(&value)?;
    (handed.user == user && valid(&handed.secret)).then_some(handed.secret)
}

/// The `Set-Cookie` values that clear every one-time secret cookie the request's index lists,
/// and the index (at sign-out).
#[cfg(feature = "ssr")]
pub fn clear_all(secure: bool, headers: &http::HeaderMap) -> Vec<String> {
    const NAMES: [&str; 4] = [NEW_TOKEN, NEW_LINK, NEW_FEED, NEW_SECRET];
    let mut out: Vec<String> = listed(headers)
        .iter()
        .filter_map(|(name, path)| {
            let name = NAMES.into_iter().find(|n| n == name)?;
            Some(cookie(secure, name, path, None))
        })
        .collect();
    out.push(cookie(secure, INDEX, "/", None));
    out
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
    fn values_round_trip_through_a_cookie_safe_encoding() {
        let h = Handed {
            user: "u1".into(),
            secret: "tok; with=odd,chars".into(),
        };
        let encoded = encode(&h);
        assert!(
            encoded
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{encoded}"
        );
        assert_eq!(decode::<Handed>(&encoded), Some(h));
        assert_eq!(decode::<Handed>("not base64 json"), None);
    }

    #[test]
    fn signing_out_clears_every_listed_page_and_the_list() {
        let index = vec![
            (NEW_LINK.to_string(), "/projects/alpha/feedback".to_string()),
            (NEW_TOKEN.to_string(), "/me".to_string()),
            ("someone_elses".to_string(), "/x".to_string()),
        ];
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_str(&format!("a=1; {INDEX}={}", encode(&index)))
                .expect("header"),
        );
        let cleared = clear_all(false, &h);
        assert_eq!(cleared.len(), 3, "{cleared:?}");
        assert!(cleared[0].starts_with("touchpoint_new_link=;"));
        assert!(cleared[0].contains("Path=/projects/alpha/feedback"));
        assert!(cleared[1].contains("Path=/me"));
        assert!(cleared[2].starts_with("touchpoint_handed=;") && cleared[2].contains("Path=/"));
        assert!(cleared.iter().all(|c| c.contains("Max-Age=0")));
        // Without an index, only the index is cleared.
        assert_eq!(clear_all(false, &http::HeaderMap::new()).len(), 1);
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
