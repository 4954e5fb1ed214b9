//! Server functions for the caller's own API tokens. Each one checks who is asking.

use leptos::prelude::*;

use super::tokens::{ApiToken, CreatedToken};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service::{audit, deny, require_user};
    pub use super::super::tokens_service;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The caller's API tokens that have not been revoked, newest first. Never the tokens
/// themselves.
#[server(prefix = "/api/fn", endpoint = "auth/tokens")]
pub async fn list_my_tokens() -> Result<Vec<ApiToken>, AppError> {
    let (state, user, _) = require_user().await?;
    tokens_service::list_tokens(&state, &user.id).await
}

/// Creates an API token for the caller and returns it, the only time it is shown.
/// `expires_days` is empty for a token that does not expire, else 1–3650. A caller who came
/// with an API token cannot mint more (403): a leaked token must not outlive its revocation.
#[server(prefix = "/api/fn", endpoint = "auth/tokens/create")]
pub async fn create_my_token(
    name: Option<String>,
    expires_days: Option<String>,
) -> Result<CreatedToken, AppError> {
    let (state, user, ctx) = require_user().await?;
    if ctx.auth.as_ref().is_some_and(|a| a.via_token()) {
        deny(&state, &user, &ctx, "create an API token with an API token").await;
        return Err(AppError::Forbidden(
            "Create API tokens from a signed-in browser or the command line.".into(),
        ));
    }
    let created =
        tokens_service::create_token(&state, &user.id, name.as_deref(), expires_days.as_deref())
            .await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "token.create",
        &user.email,
        &tokens_service::audit_detail(&created.info),
    )
    .await;
    // Without JavaScript the form reloads the profile page, which shows the token once.
    crate::flash::hand_over(crate::flash::NEW_TOKEN, "/me", &created.token);
    Ok(created)
}

/// Revokes one of the caller's API tokens; someone else's (or an unknown) id is a 404.
#[server(prefix = "/api/fn", endpoint = "auth/tokens/revoke")]
pub async fn revoke_my_token(id: String) -> Result<(), AppError> {
    let (state, user, ctx) = require_user().await?;
    tokens_service::revoke_token(&state, &user.id, &id).await?;
    audit(
        &state,
        Some(&user),
        &ctx,
        "token.revoke",
        &user.email,
        &format!("token {}", id.trim()),
    )
    .await;
    Ok(())
}

/// The token created by the plain form post that led to this page, shown once.
pub fn take_new_token() -> Option<String> {
    crate::flash::take(
        crate::flash::NEW_TOKEN,
        "/me",
        super::tokens::looks_like_token,
    )
}
