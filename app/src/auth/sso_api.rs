//! Server functions of single sign-on: what the sign-in page shows, what Admin → Settings
//! shows, and removing a user's link. Each checks who is asking.

use leptos::prelude::*;

use crate::error::AppError;
use domain::auth::sso::{SignInOptions, SsoStatus};

/// How people may sign in (anyone may ask: the sign-in page needs it).
#[server(prefix = "/api/fn", endpoint = "auth/sign-in-options")]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    let state = crate::state::app_state()?;
    Ok(SignInOptions {
        sso_name: state.sso.as_ref().map(|s| s.config().display_name.clone()),
        password_sign_in: state.settings.password_sign_in,
        allowed_domains: state
            .sso
            .as_ref()
            .map(|s| s.config().policy.allowed_domains.clone())
            .unwrap_or_default(),
    })
}

/// The SSO settings, without the secret (admins).
#[server(prefix = "/api/fn", endpoint = "admin/sso")]
pub async fn get_sso_status() -> Result<SsoStatus, AppError> {
    let (state, _, _) = super::service::require_admin("read SSO settings").await?;
    Ok(match state.sso.as_ref().map(|s| s.config()) {
        Some(c) => SsoStatus {
            enabled: true,
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            client_secret_set: !c.client_secret.is_empty(),
            display_name: c.display_name.clone(),
            redirect_uri: c.redirect_uri.clone(),
            allowed_domains: c.policy.allowed_domains.clone(),
            self_registration: c.policy.self_registration,
            trust_email: c.policy.trust_email,
            default_role: c.policy.default_role,
            password_sign_in: state.settings.password_sign_in,
        },
        None => SsoStatus {
            enabled: false,
            issuer: String::new(),
            client_id: String::new(),
            client_secret_set: false,
            display_name: String::new(),
            redirect_uri: state
                .settings
                .public_url
                .as_deref()
                .map(super::sso::redirect_uri)
                .unwrap_or_default(),
            allowed_domains: Vec::new(),
            self_registration: false,
            trust_email: false,
            default_role: super::Role::Member,
            password_sign_in: state.settings.password_sign_in,
        },
    })
}

/// Removes a user's SSO link (admins). Their next SSO sign-in links again by verified email;
/// their sessions stay.
#[server(prefix = "/api/fn", endpoint = "admin/users/sso-unlink")]
pub async fn remove_sso_link(user_id: String) -> Result<(), AppError> {
    let (state, admin, ctx) = super::service::require_admin("remove SSO link").await?;
    if user_id.is_empty() || user_id.len() > 64 {
        return Err(AppError::not_found("User"));
    }
    let user = super::repo::AuthRepo::new(state.db.clone())
        .user_by_id(&user_id)
        .await?
        .ok_or_else(|| AppError::not_found("User"))?;
    let removed = store::sso::SsoRepo::new(state.db.clone())
        .unlink(&user.key())
        .await?;
    if !removed {
        return Err(AppError::NotFound(
            "This user has no single sign-on link.".into(),
        ));
    }
    super::service::audit(
        &state,
        Some(&admin),
        &ctx,
        "user.sso_unlink",
        &user.email,
        "",
    )
    .await;
    Ok(())
}
