//! Who is calling: a request's credential (an `Authorization: Bearer` API token, else the
//! session cookie) resolved to its caller. It sits above the session and token services, which
//! it chooses between.

use super::service::{
    Activity, AuthSession, StampWanted, hash_token, resolve_session_with, token_from_cookies,
};
use super::tokens_service;
use crate::error::AppResult;
use crate::state::AppState;
use store::revisions::Stamp;

/// The caller of a request with these headers: an `Authorization: Bearer` header decides alone
/// (a bad, expired or revoked token leaves the request unauthenticated, whatever cookies came
/// with it); otherwise the session cookie. With `wanted`, the read cache's stamp comes in the
/// same round trip.
pub async fn resolve_request(
    state: &AppState,
    headers: &http::HeaderMap,
    wanted: StampWanted<'_>,
) -> AppResult<(Option<AuthSession>, Option<Stamp>)> {
    resolve_request_as(state, headers, wanted, Activity::Request).await
}

/// [`resolve_request`], saying whether the caller is active (see [`Activity`]).
pub async fn resolve_request_as(
    state: &AppState,
    headers: &http::HeaderMap,
    wanted: StampWanted<'_>,
    activity: Activity,
) -> AppResult<(Option<AuthSession>, Option<Stamp>)> {
    match tokens_service::bearer_token(headers) {
        Some(token) => {
            tokens_service::resolve_api_token_with(
                state,
                &token,
                chrono::Utc::now(),
                wanted,
                activity,
            )
            .await
        }
        None => match token_from_cookies(&state.settings, headers) {
            Some(token) => resolve_session_with(state, &token, wanted, activity).await,
            None => Ok((None, None)),
        },
    }
}

/// The hash of the credential a request comes with (its bearer token, else its session
/// cookie), as the database keys it: what caches of per-caller answers are keyed by.
pub fn credential_hash(state: &AppState, headers: &http::HeaderMap) -> Option<String> {
    tokens_service::bearer_token(headers)
        .or_else(|| token_from_cookies(&state.settings, headers))
        .map(|t| hash_token(&t))
}
