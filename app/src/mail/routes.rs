//! One-click unsubscribe (RFC 8058). Every message to a stakeholder names
//! `<public URL>/unsubscribe/<token>` in `List-Unsubscribe`; a mail provider posts
//! `List-Unsubscribe=One-Click` there, and the page at the same address posts the same form.
//! No sign-in: the token is the credential, and only its hash is stored.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::repo::MailRepo;
use crate::error::AppError;
use crate::request::RequestCtx;
use crate::state::AppState;

/// `POST /unsubscribe/{token}`: withdraws the address's consent and drops what still waits for
/// it. A browser (the page's button) is sent back to the page; a mail provider gets a 200.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !crate::interviews::plausible_token(&token) {
        return AppError::NotFound("This unsubscribe link is not known.".into()).into_response();
    }
    let hash = store::secrets::hash_token(&token);
    let repo = MailRepo::new(state.db.clone());
    let target = match repo.unsubscribe_target(&hash).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return AppError::NotFound("This unsubscribe link is not known.".into())
                .into_response();
        }
        Err(e) => return e.into_response(),
    };
    if let Err(e) = repo.unsubscribe(&hash).await {
        return e.into_response();
    }
    if !target.used {
        crate::auth::service::audit(
            &state,
            None,
            &ctx,
            "mail.unsubscribe",
            &super::masked(&target.email),
            "",
        )
        .await;
    }
    let from_browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if from_browser {
        Redirect::to(&format!("/unsubscribe/{token}")).into_response()
    } else {
        (StatusCode::OK, "Unsubscribed.").into_response()
    }
}
