//! CSV downloads of reports, for signed-in users (the same services and checks as the pages).

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::auth::service::RequestCtx;
use app::error::AppError;
use app::reports::{csv_export, parse_as_of, service};
use app::state::AppState;

/// `?as_of=YYYY-MM-DD`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    /// The report date, `YYYY-MM-DD` (default: today in the workspace time zone).
    pub as_of: Option<String>,
}

fn csv_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /reports/portfolio.csv`.
pub async fn portfolio_csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    Query(q): Query<AsOf>,
) -> Result<Response, AppError> {
    let user = ctx
        .auth
        .map(|a| a.user)
        .ok_or_else(AppError::unauthorized)?;
    let as_of = parse_as_of(q.as_of.as_deref())?;
    // Every project, sent as it is read, a few hundred at a time.
    let (as_of, parts) = service::portfolio_csv_parts(&state, &user, as_of).await?;
    let body = axum::body::Body::from_stream(futures::StreamExt::map(parts, |part| {
        part.map_err(|e| std::io::Error::other(e.message()))
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"touchpoint-portfolio-{as_of}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /projects/{key}/report.csv`.
pub async fn project_csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
    Path(key): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Response, AppError> {
    let user = ctx
        .auth
        .map(|a| a.user)
        .ok_or_else(AppError::unauthorized)?;
    let as_of = parse_as_of(q.as_of.as_deref())?;
    let access = app::projects::service::project_access(&state, &user, &key).await?;
    let report = service::project_report(&state, &user, &key, as_of).await?;
    let body = csv_export::project_csv(&report, &access.project.status)?;
    Ok(csv_response(
        body,
        &format!("touchpoint-{key}-{}.csv", report.signals.as_of),
    ))
}
