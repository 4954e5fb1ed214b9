//! Server functions for accounts, sessions and the audit log. Each one checks who is asking.

use leptos::prelude::*;

use super::{AuditEntry, CurrentUser, SessionInfo, UserSummary};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::AuthRepo;
    pub use super::super::service::{self, require_admin, require_session, require_user};
    pub use crate::error::AppError;
    pub use chrono::Utc;
    pub use leptos_axum::{ResponseOptions, redirect};

    /// Appends a `Set-Cookie` header to the response.
    pub fn set_cookie(value: &str) -> Result<(), AppError> {
        let opts =
            leptos::prelude::use_context::<ResponseOptions>().ok_or_else(AppError::internal)?;
        let value = http::HeaderValue::from_str(value).map_err(|_| AppError::internal())?;
        opts.append_header(http::header::SET_COOKIE, value);
        Ok(())
    }

    pub use crate::forms::safe_next;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The signed-in user, or `None`.
#[server(prefix = "/api/fn", endpoint = "auth/me")]
pub async fn get_me() -> Result<Option<CurrentUser>, AppError> {
    Ok(service::request_ctx().auth.map(|a| a.user))
}

/// Whether the installation still waits for its first admin.
#[server(prefix = "/api/fn", endpoint = "auth/setup-status")]
pub async fn setup_needed() -> Result<bool, AppError> {
    let state = crate::state::app_state()?;
    Ok(!AuthRepo::new(state.db.clone()).any_user().await?)
}

/// Creates the first admin with the one-time setup token from the server log.
#[server(prefix = "/api/fn", endpoint = "auth/setup")]
pub async fn setup_admin(
    token: String,
    email: String,
    name: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let ctx = service::request_ctx();
    let repo = AuthRepo::new(state.db.clone());
    if repo.any_user().await? {
        return Err(AppError::NotFound(
            "This installation has already been set up.".into(),
        ));
    }
    let stored = repo.setup_token_hash().await?;
    let given = service::hash_token(token.trim());
    if token.trim().is_empty() || stored.as_deref() != Some(given.as_str()) {
        service::audit(
            &state,
            None,
            &ctx,
            "setup.failed",
            "setup",
            "wrong setup token",
        )
        .await;
        return Err(AppError::field(
            "token",
            "That setup token is not valid. Copy it from the server log.",
        ));
    }
    let email = super::validate_email(&email)?;
    let name = super::validate_name(&name)?;
    super::validate_password("password", &password)?;
    if password != confirm {
        return Err(AppError::field("confirm", "The passwords do not match."));
    }
    let hash = service::hash_password(password).await?;
    let user = repo
        .create_first_admin(super::repo::NewUser {
            email: &email,
            name: &name,
            password_hash: Some(&hash),
            role: super::Role::Admin,
            must_change_password: false,
        })
        .await?;
    let token = service::start_session(&repo, &state.settings, &user, &ctx, Utc::now()).await?;
    set_cookie(&service::session_cookie(&state.settings, &token))?;
    repo.audit(
        Some(&user.key()),
        &user.email,
        "setup",
        &user.email,
        "first admin created",
        &ctx.ip,
    )
    .await?;
    redirect("/");
    Ok(())
}

/// Signs in. On success the session cookie is set and the browser goes to `next` (or to the
/// password change when one is required).
#[server(prefix = "/api/fn", endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let ctx = service::request_ctx();
    if !state.settings.password_sign_in {
        let name = state
            .sso
            .as_ref()
            .map(|s| s.config().display_name.clone())
            .unwrap_or_default();
        return Err(AppError::Forbidden(format!(
            "Password sign-in is turned off. Sign in with {name}."
        )));
    }
    let (user, token) = service::login(&state, &ctx, &email, password).await?;
    set_cookie(&service::session_cookie(&state.settings, &token))?;
    if user.must_change_password {
        redirect("/change-password");
    } else {
        redirect(safe_next(next.as_deref()));
    }
    Ok(())
}

/// Signs out: ends this session and clears the cookie. A caller with an API token has no
/// session to end; for them this changes nothing (revoke the token instead).
#[server(prefix = "/api/fn", endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let ctx = service::request_ctx();
    if let Some((auth, hash)) = ctx.auth.as_ref().and_then(|a| Some((a, a.session()?))) {
        AuthRepo::new(state.db.clone()).delete_session(hash).await?;
        service::audit(
            &state,
            Some(&auth.user),
            &ctx,
            "logout",
            &auth.user.email,
            "",
        )
        .await;
    }
    set_cookie(&service::clear_session_cookie(&state.settings))?;
    // A secret handed to a page and not yet shown is not for whoever signs in next.
    let headers = leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default();
    for clear in crate::flash::clear_all(state.settings.secure_cookies, &headers) {
        set_cookie(&clear)?;
    }
    redirect("/login");
    Ok(())
}

/// Changes the caller's password and ends their other sessions.
#[server(prefix = "/api/fn", endpoint = "auth/change-password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    let (state, user, ctx) = require_session().await?;
    let repo = AuthRepo::new(state.db.clone());
    let record = repo
        .user_by_id(&user.id)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    if !service::verify_password(current, record.password_hash.clone()).await {
        return Err(AppError::field(
            "current",
            "Your current password is not correct.",
        ));
    }
    super::validate_password("new_password", &new_password)?;
    if new_password != confirm {
        return Err(AppError::field("confirm", "The passwords do not match."));
    }
    let hash = service::hash_password(new_password).await?;
    repo.set_password(&user.id, &hash, false).await?;
    // A caller with an API token keeps no session: every session ends.
    let keep = ctx.auth.as_ref().and_then(|a| a.session());
    repo.delete_user_sessions(&user.id, keep).await?;
    service::audit(
        &state,
        Some(&user),
        &ctx,
        "user.password_changed",
        &user.email,
        "",
    )
    .await;
    redirect("/");
    Ok(())
}

/// The caller's live sessions.
#[server(prefix = "/api/fn", endpoint = "me/sessions")]
pub async fn list_my_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let (state, user, ctx) = require_user().await?;
    let current = ctx.auth.as_ref().and_then(|a| a.session());
    AuthRepo::new(state.db.clone())
        .list_sessions(&user.id, current, Utc::now())
        .await
}

/// Ends every session of the caller but this one. Refused (403) for a caller with an API
/// token, who has no session of their own.
#[server(prefix = "/api/fn", endpoint = "me/sessions/end-others")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    let Some(keep) = ctx.auth.as_ref().and_then(|a| a.session()) else {
        service::deny(&state, &user, &ctx, "end other sessions with an API token").await;
        return Err(AppError::Forbidden(
            "Sign out other sessions from a signed-in browser, not with an API token.".into(),
        ));
    };
    let keep = Some(keep);
    AuthRepo::new(state.db.clone())
        .delete_user_sessions(&user.id, keep)
        .await?;
    service::audit(
        &state,
        Some(&user),
        &ctx,
        "session.end_others",
        &user.email,
        "",
    )
    .await;
    Ok(())
}

/// Every user, for admins.
#[server(prefix = "/api/fn", endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let (state, _, _) = require_admin("list users").await?;
    let repo = AuthRepo::new(state.db.clone());
    let now = Utc::now();
    let users = repo.list_users().await?;
    let mut links = store::sso::SsoRepo::new(state.db.clone()).links().await?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let locked = repo
            .locked_until(&[format!("account:{}", u.email)], now)
            .await?
            .is_some();
        let mut summary = u.to_summary(locked);
        summary.sso = links.remove(&summary.id);
        out.push(summary);
    }
    Ok(out)
}

/// Creates a user with a temporary password that must be changed at first sign-in.
#[server(prefix = "/api/fn", endpoint = "admin/users/create")]
pub async fn create_user(
    email: String,
    name: String,
    role: String,
    temp_password: String,
) -> Result<UserSummary, AppError> {
    let (state, admin, ctx) = require_admin("create user").await?;
    let role = super::Role::parse(&role)
        .ok_or_else(|| AppError::field("role", "Choose admin, lead or member."))?;
    // With single sign-on, an admin may invite without a password: the user signs in through
    // the provider (their verified email links the account).
    let password = if temp_password.is_empty() && state.sso.is_some() {
        None
    } else {
        super::validate_password("temp_password", &temp_password)?;
        Some(temp_password.as_str())
    };
    let user = service::create_user(&state, &email, &name, password, role, true).await?;
    service::audit(
        &state,
        Some(&admin),
        &ctx,
        "user.create",
        &user.email,
        &format!("role {}", role.as_str()),
    )
    .await;
    Ok(user.to_summary(false))
}

#[cfg(feature = "ssr")]
async fn target_user(
    state: &crate::state::AppState,
    id: &str,
) -> Result<super::repo::UserRecord, AppError> {
    if id.is_empty() || id.len() > 64 {
        return Err(AppError::not_found("User"));
    }
    AuthRepo::new(state.db.clone())
        .user_by_id(id)
        .await?
        .ok_or_else(|| AppError::not_found("User"))
}

/// Sets a new temporary password, ends the user's sessions and lifts any lockout.
#[server(prefix = "/api/fn", endpoint = "admin/users/reset-password")]
pub async fn reset_password(user_id: String, temp_password: String) -> Result<(), AppError> {
    let (state, admin, ctx) = require_admin("reset password").await?;
    let user = target_user(&state, &user_id).await?;
    super::validate_password("temp_password", &temp_password)?;
    let hash = service::hash_password(temp_password).await?;
    let repo = AuthRepo::new(state.db.clone());
    repo.set_password(&user.key(), &hash, true).await?;
    repo.delete_user_sessions(&user.key(), None).await?;
    repo.unlock(&format!("account:{}", user.email)).await?;
    service::audit(
        &state,
        Some(&admin),
        &ctx,
        "user.reset_password",
        &user.email,
        "",
    )
    .await;
    Ok(())
}

/// Lifts a sign-in lockout on an account.
#[server(prefix = "/api/fn", endpoint = "admin/users/unlock")]
pub async fn unlock_user(user_id: String) -> Result<(), AppError> {
    let (state, admin, ctx) = require_admin("unlock user").await?;
    let user = target_user(&state, &user_id).await?;
    AuthRepo::new(state.db.clone())
        .unlock(&format!("account:{}", user.email))
        .await?;
    service::audit(&state, Some(&admin), &ctx, "user.unlock", &user.email, "").await;
    Ok(())
}

/// Sets a user's workspace role. Admins cannot change their own role.
#[server(prefix = "/api/fn", endpoint = "admin/users/role")]
pub async fn set_user_role(user_id: String, role: String) -> Result<(), AppError> {
    let (state, admin, ctx) = require_admin("set role").await?;
    let user = target_user(&state, &user_id).await?;
    let role = super::Role::parse(&role)
        .ok_or_else(|| AppError::field("role", "Choose admin, lead or member."))?;
    if user.key() == admin.id {
        return Err(AppError::field("role", "You cannot change your own role."));
    }
    AuthRepo::new(state.db.clone())
        .set_role(&user.key(), role)
        .await?;
    service::audit(
        &state,
        Some(&admin),
        &ctx,
        "user.set_role",
        &user.email,
        &format!("{} -> {}", user.role, role.as_str()),
    )
    .await;
    Ok(())
}

/// Activates or deactivates a user; deactivation ends their sessions at once.
#[server(prefix = "/api/fn", endpoint = "admin/users/active")]
pub async fn set_user_active(user_id: String, active: String) -> Result<(), AppError> {
    let (state, admin, ctx) = require_admin("set active").await?;
    let user = target_user(&state, &user_id).await?;
    let active = match active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::field("active", "Expected true or false.")),
    };
    if user.key() == admin.id && !active {
        return Err(AppError::field("active", "You cannot deactivate yourself."));
    }
    AuthRepo::new(state.db.clone())
        .set_active(&user.key(), active)
        .await?;
    let action = if active {
        "user.activate"
    } else {
        "user.deactivate"
    };
    service::audit(&state, Some(&admin), &ctx, action, &user.email, "").await;
    Ok(())
}

/// The newest audit events, 100 at a time; `before` pages back (RFC 3339).
#[server(prefix = "/api/fn", endpoint = "admin/audit")]
pub async fn list_audit(
    before: Option<String>,
    action: Option<String>,
) -> Result<Vec<AuditEntry>, AppError> {
    let (state, _, _) = require_admin("list audit").await?;
    let before = match before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(
            chrono::DateTime::parse_from_rfc3339(b)
                .map_err(|_| AppError::field("before", "Expected an RFC 3339 time."))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let action = action.filter(|a| !a.trim().is_empty());
    AuthRepo::new(state.db.clone())
        .list_audit(100, before, action.as_deref())
        .await
}
