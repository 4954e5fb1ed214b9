//! Plain axum handlers for the calendar: a project's secret feed and one interview's `.ics`.

use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};

use super::repo::InterviewRepo;
use super::{Interview, ical, plausible_id, plausible_token};
use crate::auth::service::{RequestCtx, hash_token};
use crate::error::AppError;
use crate::projects::repo::ProjectRepo;
use crate::projects::service::project_access;
use crate::state::AppState;

/// How far back the feed reaches; later interviews are all included.
pub const FEED_HISTORY_DAYS: i64 = 180;

fn scheme(state: &AppState) -> &'static str {
    if state.settings.secure_cookies {
        "https"
    } else {
        "http"
    }
}

fn host(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost")
        .to_string()
}

fn ics_response(body: String, filename: Option<&str>) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(name) = filename
        && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

fn not_found_text(message: &str) -> Response {
    let mut res = (StatusCode::NOT_FOUND, message.to_string()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /calendar/{token}/interviews.ics`: the project's interviews from the last
/// [`FEED_HISTORY_DAYS`] days on, for calendar subscriptions. An unknown or rotated token is 404.
pub async fn calendar_feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    match feed(&state, &token, &headers).await {
        Ok(Some(body)) => ics_response(body, None),
        Ok(None) => {
            not_found_text("No calendar at this address. It may have been replaced by a new one.")
        }
        Err(e) => e.into_response(),
    }
}

async fn feed(
    state: &AppState,
    token: &str,
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, AppError> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let repo = InterviewRepo::new(state.db.clone());
    let Some(key) = repo.project_for_feed(&hash_token(token)).await? else {
        return Ok(None);
    };
    let Some(project) = ProjectRepo::new(state.db.clone()).get(&key).await? else {
        return Ok(None);
    };
    let since = Utc::now() - Duration::days(FEED_HISTORY_DAYS);
    let interviews: Vec<Interview> = repo
        .list_since(&key, since)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let base = format!("{}://{}", scheme(state), host(headers));
    Ok(Some(ical::calendar(
        &format!("{} interviews", project.name),
        &interviews,
        |i| {
            format!(
                "{base}/projects/{}/interviews?interview={}",
                i.project, i.id
            )
        },
    )))
}

/// `GET /projects/{key}/interviews/{id}/interview.ics`: one interview as an iCalendar file, for
/// signed-in users who can see the project.
pub async fn interview_ics(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    Path((key, id)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(auth) = ctx.auth.as_ref() else {
        return AppError::unauthorized().into_response();
    };
    if auth.user.must_change_password {
        return AppError::Forbidden("Change your password before continuing.".into())
            .into_response();
    }
    let access = match project_access(&state, &auth.user, &key).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if !plausible_id(&id) {
        return AppError::not_found("Interview").into_response();
    }
    let interview: Interview = match InterviewRepo::new(state.db.clone())
        .get(access.key(), &id)
        .await
    {
        Ok(Some(r)) => r.into(),
        Ok(None) => return AppError::not_found("Interview").into_response(),
        Err(e) => return e.into_response(),
    };
    let base = format!("{}://{}", scheme(&state), host(&headers));
    let body = ical::calendar(
        &format!("{} interview", interview.project_name),
        std::slice::from_ref(&interview),
        |i| {
            format!(
                "{base}/projects/{}/interviews?interview={}",
                i.project, i.id
            )
        },
    );
    let filename = format!(
        "interview-{}.ics",
        interview.scheduled_at.format("%Y%m%d-%H%M")
    );
    ics_response(body, Some(&filename))
}
