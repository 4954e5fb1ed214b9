//! Sign-in, sessions, passwords and the guard every server function calls.

use chrono::{DateTime, Duration, Utc};
pub use store::secrets::{hash_password, hash_token, new_token, verify_password};

use super::repo::{AuthRepo, NewUser, SessionRecord, UserRecord};
use super::{CurrentUser, Role};
use crate::db::rid;
use crate::error::{AppError, AppResult};
pub use crate::request::{AuthSession, RequestCtx, request_ctx};
use crate::state::{AppState, Settings};
use store::credentials::Credential;

/// The message for every failed sign-in, whether or not the account exists.
pub const LOGIN_FAILED: &str = "Incorrect email or password.";

/// Keys under which sign-in failures are counted.
fn throttle_keys(email: &str, ip: &str) -> Vec<String> {
    vec![format!("account:{email}"), format!("address:{ip}")]
}

/// Checks the credentials and starts a session. Returns the user and the session token.
pub async fn login(
    state: &AppState,
    ctx: &RequestCtx,
    email: &str,
    password: String,
) -> AppResult<(UserRecord, String)> {
    let repo = AuthRepo::new(state.db.clone());
    let settings = &state.settings;
    let email = super::normalize_email(email);
    if email.is_empty() {
        return Err(AppError::field("email", "Enter your email address."));
    }
    if password.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    let now = Utc::now();
    let keys = throttle_keys(&email, &ctx.ip);
    if let Some(until) = repo.locked_until(&keys, now).await? {
        repo.audit(
            None,
            &email,
            "login.locked",
            &email,
            "sign-in refused during lockout",
            &ctx.ip,
        )
        .await?;
        return Err(locked_error(until, now));
    }
    let user = repo.user_by_email(&email).await?;
    let ok = verify_password(
        password,
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await;
    match user {
        Some(user) if ok && user.active => {
            repo.unlock(&keys[0]).await?;
            let token = start_session(&repo, settings, &user, ctx, now).await?;
            repo.audit(
                Some(&user.key()),
                &user.email,
                "login",
                &user.email,
                "",
                &ctx.ip,
            )
            .await?;
            Ok((user, token))
        }
        user => {
            let counts = repo
                .record_failure(&keys, now, now - settings.login_failure_window)
                .await?;
            for (key, count) in &counts {
                if *count >= i64::from(settings.login_max_failures) {
                    repo.lock(key, now + settings.login_lockout).await?;
                }
            }
            let detail = match &user {
                Some(u) if !u.active => "inactive account",
                Some(_) => "wrong password",
                None => "unknown account",
            };
            repo.audit(
                user.as_ref().map(UserRecord::key).as_deref(),
                &email,
                "login.failed",
                &email,
                detail,
                &ctx.ip,
            )
            .await?;
            Err(AppError::Unauthorized(LOGIN_FAILED.into()))
        }
    }
}

fn locked_error(until: DateTime<Utc>, now: DateTime<Utc>) -> AppError {
    let minutes = (until - now).num_minutes().max(0) + 1;
    AppError::RateLimited(format!(
        "Too many failed sign-ins. Try again in {minutes} minute{}.",
        if minutes == 1 { "" } else { "s" }
    ))
}

/// Creates a session for `user` and returns its token.
pub async fn start_session(
    repo: &AuthRepo,
    settings: &Settings,
    user: &UserRecord,
    ctx: &RequestCtx,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = new_token();
    repo.create_session(&SessionRecord {
        id: rid("session", &hash_token(&token)),
        user: user.id.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + settings.session_absolute,
        user_agent: ctx.user_agent.clone(),
        ip: ctx.ip.clone(),
    })
    .await?;
    Ok(token)
}

/// How stale `last_seen_at` may get before a request refreshes it (saves a write per request).
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Whether looking up a credential is the caller being active (a request they made), or a
/// check the server makes on its own (an open event stream asking whether its caller may
/// still follow it). Only activity keeps a session from going idle, so an idle tab left on a
/// board does not keep its session alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// A request of the caller: refreshes the session's `last_seen_at` (and a token's
    /// `last_used_at`).
    Request,
    /// A check of the server's own: refreshes nothing.
    Recheck,
}

/// Looks up the session behind a cookie token. Expired sessions (idle or absolute) and
/// sessions of deactivated users are deleted and yield `None`.
pub async fn resolve_session(state: &AppState, token: &str) -> AppResult<Option<AuthSession>> {
    Ok(resolve_session_with(state, token, None, Activity::Request)
        .await?
        .0)
}

/// What a request wants read with its session lookup: `None` for nothing (a request that may
/// write), else the read cache's stamp, with the project its path names (`Some(None)`: none).
pub type StampWanted<'a> = Option<Option<&'a str>>;

/// [`resolve_session`], reading the read cache's stamp in the same round trip when `wanted`
/// (see [`StampWanted`]; the stamp is `None` when no session was found).
pub async fn resolve_session_with(
    state: &AppState,
    token: &str,
    wanted: StampWanted<'_>,
    activity: Activity,
) -> AppResult<(Option<AuthSession>, Option<store::revisions::Stamp>)> {
    if token.is_empty() || token.len() > 128 {
        return Ok((None, None));
    }
    let repo = AuthRepo::new(state.db.clone());
    let hash = hash_token(token);
    let (known, mut stamp) = known_credential(state, &hash, wanted).await?;
    let (session, user) = match known {
        Some(Credential::Session(session, user)) => (session, user),
        _ => {
            let keys = wanted.map(|path| state.stamp_keys(&hash, path));
            let ask = if stamp.is_some() {
                None
            } else {
                keys.as_deref()
            };
            let (found, read) = repo.session_with_user_and_stamp(&hash, ask).await?;
            stamp = stamp.or(read);
            let Some((session, user, revision)) = found else {
                state.credentials.forget(&hash);
                return Ok((None, None));
            };
            state.credentials.remember(
                &hash,
                revision,
                Credential::Session(session.clone(), user.clone()),
            );
            (session, user)
        }
    };
    let now = Utc::now();
    let idle_end = session.last_seen_at + state.settings.session_idle;
    if now >= session.expires_at || now >= idle_end || !user.active {
        state.credentials.forget(&hash);
        repo.delete_session(&hash).await?;
        return Ok((None, None));
    }
    if activity == Activity::Request && now - session.last_seen_at > TOUCH_EVERY {
        match repo.touch_session(&hash, now).await {
            // Several requests of one browser at the same moment (a page's scripts and styles,
            // tabs refreshing together) all refresh the session; one of them is enough.
            Err(e) if e.is_write_conflict() => {}
            other => other?,
        }
    }
    let auth = AuthSession {
        user: user.to_current(),
        session_hash: hash,
        token_id: None,
    };
    Ok((Some(auth), stamp))
}

/// For a read-only request with a credential seen before: reads the stamp (with the
/// credential's user counter) and returns the credential as cached when that counter has not
/// moved since; otherwise the stamp alone (when one was read), and the caller looks it up.
pub(crate) async fn known_credential(
    state: &AppState,
    hash: &str,
    wanted: StampWanted<'_>,
) -> AppResult<(Option<Credential>, Option<store::revisions::Stamp>)> {
    let Some(path) = wanted else {
        return Ok((None, None));
    };
    let keys = state.stamp_keys(hash, path);
    if !keys
        .iter()
        .any(|k| k.starts_with(store::revisions::USER_PREFIX))
    {
        return Ok((None, None));
    }
    let stamp = store::revisions::stamp(&state.db, &keys).await?;
    Ok((state.credentials.get(hash, &stamp), Some(stamp)))
}

/// Builds the `Set-Cookie` value that stores a session token.
pub fn session_cookie(settings: &Settings, token: &str) -> String {
    cookie::Cookie::build((settings.session_cookie_name(), token.to_string()))
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::seconds(
            settings.session_absolute.num_seconds(),
        ))
        .build()
        .to_string()
}

/// Builds the `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(settings: &Settings) -> String {
    cookie::Cookie::build((settings.session_cookie_name(), ""))
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The value of the cookie `name` among the request's cookies.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Finds the session token among the request's cookies.
pub fn token_from_cookies(settings: &Settings, headers: &http::HeaderMap) -> Option<String> {
    cookie_value(headers, settings.session_cookie_name())
}

/// The client address: the socket peer, or the last `X-Forwarded-For` hop that is not itself
/// a trusted proxy when the peer is one.
pub fn client_ip(
    settings: &Settings,
    peer: Option<std::net::IpAddr>,
    headers: &http::HeaderMap,
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !settings.trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|ip| !settings.trusted_proxies.contains(ip))
        .unwrap_or(peer)
        .to_string()
}

/// While no user exists, makes a new one-time setup token, stores its hash and returns it for
/// the log. Returns `None` once the installation has been set up.
pub async fn issue_setup_token(state: &AppState) -> AppResult<Option<String>> {
    let repo = AuthRepo::new(state.db.clone());
    if repo.any_user().await? {
        return Ok(None);
    }
    let token = new_token();
    repo.set_setup_token(&hash_token(&token)).await?;
    Ok(Some(token))
}

/// Creates a user, with a password (`create-admin`, the admin page) or without one (invited
/// to sign in through SSO).
pub async fn create_user(
    state: &AppState,
    email: &str,
    name: &str,
    password: Option<&str>,
    role: Role,
    must_change_password: bool,
) -> AppResult<UserRecord> {
    let email = super::validate_email(email)?;
    let name = super::validate_name(name)?;
    let hash = match password {
        Some(password) => {
            super::validate_password("password", password)?;
            Some(hash_password(password.to_string()).await?)
        }
        None => None,
    };
    AuthRepo::new(state.db.clone())
        .create_user(NewUser {
            email: &email,
            name: &name,
            password_hash: hash.as_deref(),
            role,
            // Without a password there is nothing to change.
            must_change_password: must_change_password && hash.is_some(),
        })
        .await
}

/// The signed-in user, who must not be in the middle of a forced password change.
pub async fn require_user() -> AppResult<(AppState, CurrentUser, RequestCtx)> {
    let (state, user, ctx) = require_session().await?;
    if user.must_change_password {
        return Err(AppError::Forbidden(
            "Change your password before continuing.".into(),
        ));
    }
    Ok((state, user, ctx))
}

/// The signed-in user, even one who must still change their password.
pub async fn require_session() -> AppResult<(AppState, CurrentUser, RequestCtx)> {
    let state = crate::state::app_state()?;
    let ctx = request_ctx();
    match &ctx.auth {
        Some(auth) => Ok((state, auth.user.clone(), ctx.clone())),
        None => Err(AppError::unauthorized()),
    }
}

/// The signed-in user, who must be an admin. A refusal is written to the audit log.
pub async fn require_admin(action: &str) -> AppResult<(AppState, CurrentUser, RequestCtx)> {
    let (state, user, ctx) = require_user().await?;
    if user.role != Role::Admin {
        deny(&state, &user, &ctx, action).await;
        return Err(AppError::forbidden());
    }
    Ok((state, user, ctx))
}

/// Records a permission denial in the audit log.
pub async fn deny(state: &AppState, user: &CurrentUser, ctx: &RequestCtx, action: &str) {
    let repo = AuthRepo::new(state.db.clone());
    if let Err(e) = repo
        .audit(
            Some(&user.id),
            &user.email,
            "permission.denied",
            action,
            "",
            &ctx.ip,
        )
        .await
    {
        tracing::warn!(error = %e, "could not audit a permission denial");
    }
}

/// Appends to the audit log on behalf of `user`; failures are logged, not raised.
pub async fn audit(
    state: &AppState,
    user: Option<&CurrentUser>,
    ctx: &RequestCtx,
    action: &str,
    target: &str,
    detail: &str,
) {
    let repo = AuthRepo::new(state.db.clone());
    let (id, label) = match user {
        Some(u) => (Some(u.id.as_str()), u.email.as_str()),
        None => (None, "anonymous"),
    };
    if let Err(e) = repo.audit(id, label, action, target, detail, &ctx.ip).await {
        tracing::warn!(error = %e, action, "could not write an audit event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 32 bytes, base64url without padding
        let h = hash_token(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
        assert_eq!(h, hash_token(&a));
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong".into(), Some(hash)).await);
        assert!(!verify_password("anything".into(), None).await);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_behind_tls() {
        let plain = Settings::default();
        let c = session_cookie(&plain, "tok");
        assert!(c.starts_with("touchpoint_session=tok"));
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Lax"));
        assert!(!c.contains("Secure"));
        let tls = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        let c = session_cookie(&tls, "tok");
        assert!(c.starts_with("__Host-touchpoint_session=tok"));
        assert!(c.contains("Secure"));
        assert!(c.contains("Path=/"));
        assert!(!c.contains("Domain"));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.7, 10.0.0.2".parse().expect("hv"),
        );
        let proxy: std::net::IpAddr = "10.0.0.2".parse().expect("ip");
        let untrusted = Settings::default();
        assert_eq!(client_ip(&untrusted, Some(proxy), &headers), "10.0.0.2");
        let trusted = Settings {
            trusted_proxies: vec![proxy],
            ..Settings::default()
        };
        assert_eq!(client_ip(&trusted, Some(proxy), &headers), "203.0.113.7");
        let other: std::net::IpAddr = "198.51.100.1".parse().expect("ip");
        assert_eq!(client_ip(&trusted, Some(other), &headers), "198.51.100.1");
    }

    #[test]
    fn session_token_is_read_from_the_cookie_header() {
        let s = Settings::default();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; touchpoint_session=abc; b=2".parse().expect("hv"),
        );
        assert_eq!(token_from_cookies(&s, &headers).as_deref(), Some("abc"));
        let tls = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        assert_eq!(token_from_cookies(&tls, &headers), None);
    }
}
