//! The browser's two SSO routes: `GET /auth/oidc/start` sends the browser to the provider,
//! `GET /auth/oidc/callback` takes it back, decides which account it reaches and starts a
//! normal session. Every failure goes back to `/login?sso=<code>`, where the sign-in page says
//! what happened in plain words.
//!
//! The `state` works once (its attempt is deleted when taken, on any instance) and only in the
//! browser that began the sign-in (it waits in a cookie of that browser too), so a link with
//! someone else's code cannot sign a person in to another account.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, http};
use chrono::Utc;
use serde::Deserialize;

use super::repo::{AuthRepo, UserRecord};
use super::service;
use super::sso::{SsoDecision, SsoFailure, SsoIdentity, decide, state_key};
use crate::request::RequestCtx;
use crate::state::{AppState, Settings};
use store::sso::SsoRepo;

/// Query of `/auth/oidc/start`.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    /// Where to go after signing in (a same-site path).
    next: Option<String>,
}

/// Query of `/auth/oidc/callback`, as the provider sends it.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The cookie that ties a sign-in's `state` to the browser that began it.
fn state_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies {
        "__Secure-touchpoint_sso"
    } else {
        "touchpoint_sso"
    }
}

fn state_cookie(settings: &Settings, value: &str, seconds: i64) -> String {
    // Lax: the provider sends the browser back with a top-level GET, which carries it.
    cookie::Cookie::build((state_cookie_name(settings), value.to_string()))
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/auth/oidc/")
        .max_age(cookie::time::Duration::seconds(seconds))
        .build()
        .to_string()
}

fn with_cookies(target: &str, cookies: &[String]) -> Response {
    let mut res = Redirect::to(target).into_response();
    for c in cookies {
        if let Ok(v) = http::HeaderValue::from_str(c) {
            res.headers_mut().append(http::header::SET_COOKIE, v);
        }
    }
    res
}

fn failed(failure: SsoFailure) -> String {
    format!("/login?sso={}", failure.code())
}

/// `GET /auth/oidc/start?next=/path`: stores the attempt and sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(sso) = state.sso.clone() else {
        return Redirect::to(&failed(SsoFailure::Off)).into_response();
    };
    let next = crate::forms::safe_next(query.next.as_deref()).to_string();
    let now = Utc::now();
    let begun = match sso.begin(&next, now).await {
        Ok(b) => b,
        Err(failure) => {
            service::audit(&state, None, &ctx, "login.sso.failed", "", failure.code()).await;
            return Redirect::to(&failed(failure)).into_response();
        }
    };
    if let Err(e) = SsoRepo::new(state.db.clone())
        .save_attempt(&state_key(&begun.state), &begun.attempt)
        .await
    {
        tracing::warn!(error = %e, "could not store a sign-in attempt");
        return Redirect::to(&failed(SsoFailure::Unreachable)).into_response();
    }
    let cookie = state_cookie(
        &state.settings,
        &begun.state,
        super::sso::ATTEMPT_MINUTES * 60,
    );
    with_cookies(&begun.url, &[cookie])
}

/// `GET /auth/oidc/callback?code=…&state=…`: checks the state, exchanges the code, decides the
/// account, starts a session and goes where the sign-in began.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    headers: http::HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let clear = state_cookie(&state.settings, "", 0);
    match finish(&state, &ctx, &headers, query).await {
        Ok((token, next)) => {
            let session = service::session_cookie(&state.settings, &token);
            with_cookies(&next, &[clear, session])
        }
        Err((failure, email)) => {
            service::audit(
                &state,
                None,
                &ctx,
                "login.sso.failed",
                email.as_deref().unwrap_or_default(),
                failure.code(),
            )
            .await;
            with_cookies(&failed(failure), &[clear])
        }
    }
}

type Failed = (SsoFailure, Option<String>);

async fn finish(
    state: &AppState,
    ctx: &RequestCtx,
    headers: &http::HeaderMap,
    query: CallbackQuery,
) -> Result<(String, String), Failed> {
    let sso = state.sso.clone().ok_or((SsoFailure::Off, None))?;
    let given = query
        .state
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or((SsoFailure::State, None))?;
    let own = service::cookie_value(headers, state_cookie_name(&state.settings));
    if own.as_deref() != Some(given.as_str()) {
        return Err((SsoFailure::State, None));
    }
    let now = Utc::now();
    let attempt = SsoRepo::new(state.db.clone())
        .take_attempt(&state_key(&given), now)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "could not read a sign-in attempt");
            (SsoFailure::Unreachable, None)
        })?
        .ok_or((SsoFailure::State, None))?;
    if let Some(error) = query.error {
        tracing::info!(error = %error.chars().take(40).collect::<String>(), "the provider refused a sign-in");
        let failure = match error.as_str() {
            "server_error" | "temporarily_unavailable" => SsoFailure::Unreachable,
            _ => SsoFailure::Denied,
        };
        return Err((failure, None));
    }
    let code = query
        .code
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or((SsoFailure::Invalid, None))?;
    let identity = sso
        .finish(&code, &attempt, now)
        .await
        .map_err(|f| (f, None))?;
    let user = account_for(state, &ctx.ip, &sso.config().issuer, &identity).await?;
    let repo = AuthRepo::new(state.db.clone());
    let token = service::start_session(&repo, &state.settings, &user, ctx, now)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "could not start a session after SSO");
            (SsoFailure::Unreachable, identity.email.clone())
        })?;
    // A session this browser had before (perhaps another user's) ends: the cookie now names
    // the new one.
    if let Some(previous) = ctx.auth.as_ref().and_then(|a| a.session())
        && let Err(e) = repo.delete_session(previous).await
    {
        tracing::warn!(error = %e, "could not end the session replaced by an SSO sign-in");
    }
    service::audit(
        state,
        Some(&user.to_current()),
        ctx,
        "login.sso",
        &user.email,
        "",
    )
    .await;
    Ok((token, attempt.next))
}

/// The account a verified sign-in reaches (linking or creating it when the rules say so).
async fn account_for(
    state: &AppState,
    ip: &str,
    issuer: &str,
    identity: &SsoIdentity,
) -> Result<UserRecord, Failed> {
    let repo = SsoRepo::new(state.db.clone());
    let email = identity.email.as_deref().map(super::normalize_email);
    let unavailable = |e: domain::error::AppError| {
        tracing::warn!(error = %e, "SSO account lookup failed");
        (SsoFailure::Unreachable, email.clone())
    };
    let found = repo
        .candidates(issuer, &identity.subject, email.as_deref())
        .await
        .map_err(unavailable)?;
    let (by_subject, by_email) = found.known();
    let policy = &state
        .sso
        .as_ref()
        .map(|s| s.config().policy.clone())
        .unwrap_or_default();
    let decision = decide(identity, by_subject.as_ref(), by_email.as_ref(), policy)
        .map_err(|f| (f, email.clone()))?;
    // Another sign-in linked the account, or made it, at the same moment.
    let refused = |e: domain::error::AppError| match e {
        domain::error::AppError::Conflict(_) => (SsoFailure::LinkedElsewhere, email.clone()),
        e => unavailable(e),
    };
    let known = |key: &str| {
        found
            .user(key)
            .cloned()
            .ok_or((SsoFailure::Unreachable, email.clone()))
    };
    match decision {
        SsoDecision::SignIn { user } => {
            repo.touch(issuer, &identity.subject, email.as_deref())
                .await
                .map_err(unavailable)?;
            Ok(without_temporary_password(known(&user)?))
        }
        SsoDecision::Link { user } => {
            let record = known(&user)?;
            let linked_email = email.clone().unwrap_or_default();
            repo.link(&user, issuer, &identity.subject, &linked_email)
                .await
                .map_err(refused)?;
            audit_as(state, &record, ip, "user.sso_link", issuer).await;
            Ok(without_temporary_password(record))
        }
        SsoDecision::Create {
            email: new_email,
            name,
            role,
        } => {
            let record = repo
                .create_linked_user(&new_email, &name, role, issuer, &identity.subject)
                .await
                .map_err(refused)?;
            audit_as(
                state,
                &record,
                ip,
                "user.create",
                &format!("role {} by first SSO sign-in", role.as_str()),
            )
            .await;
            Ok(record)
        }
    }
}

/// The user as the store left them: linking and signing in through the provider drop a
/// temporary password the user never chose (see `SsoRepo::link` and `SsoRepo::touch`).
fn without_temporary_password(user: UserRecord) -> UserRecord {
    if user.must_change_password {
        UserRecord {
            password_hash: None,
            must_change_password: false,
            ..user
        }
    } else {
        user
    }
}

async fn audit_as(state: &AppState, user: &UserRecord, ip: &str, action: &str, detail: &str) {
    if let Err(e) = AuthRepo::new(state.db.clone())
        .audit(
            Some(&user.key()),
            &user.email,
            action,
            &user.email,
            detail,
            ip,
        )
        .await
    {
        tracing::warn!(error = %e, action, "could not write an audit event");
    }
}
