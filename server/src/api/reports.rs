//! Signals and reports, as of a date, in JSON and CSV.

use axum::extract::{Path, State};
use axum::response::Response;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::error::AppResult;
use app::reports::api as fns;
use app::signals::ProjectSignals;
use app::state::AppState;

use super::{ErrorBody, ProjectKey, Query, ok, run};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(project_signals))
        .routes(routes!(project_report_csv))
        .routes(routes!(portfolio))
        .routes(routes!(portfolio_csv))
        .routes(routes!(diversity))
}

/// `?as_of=YYYY-MM-DD` (default: today in the workspace time zone).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The report date, `YYYY-MM-DD`.
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub as_of: Option<String>,
}

/// A page of the portfolio in the workspace format's shape.
#[derive(Serialize, ToSchema)]
struct PortfolioBody {
    as_of: chrono::NaiveDate,
    projects: Vec<ProjectSignals>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

/// How the portfolio is sorted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PortfolioSortParam {
    /// By name.
    Name,
    /// At risk first, then most red signals.
    Risk,
    /// Oldest end-user contact first.
    Contact,
    /// By M1, red first.
    M1,
    /// By M2, red first.
    M2,
    /// By M3, red first.
    M3,
    /// By M4, red first.
    M4,
    /// By M5, red first.
    M5,
}

/// `?sort=&lacking=&at_risk=&limit=&cursor=` of the portfolio.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PortfolioParams {
    /// The order (default `name`).
    #[param(value_type = Option<PortfolioSortParam>)]
    pub sort: Option<String>,
    /// Only projects lacking end-user contact.
    pub lacking: Option<bool>,
    /// Only projects at risk.
    pub at_risk: Option<bool>,
    /// Projects per page: 1–500, default 50.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^p([0-9a-f]{2}){1,1000}$")]
    pub cursor: Option<String>,
}

/// The caller as the request-context middleware resolved them.
fn caller(parts: &Parts) -> axum::Extension<app::auth::service::RequestCtx> {
    axum::Extension(
        parts
            .extensions
            .get::<app::auth::service::RequestCtx>()
            .cloned()
            .unwrap_or_default(),
    )
}

/// One project's signals: end-user contact, cadence, diversity of input and the scorecard.
#[utoipa::path(get, path = "/projects/{key}/signals", tag = "reports",
    params(("key" = ProjectKey, Path, description = "Project key"), AsOf),
    responses((status = 200, description = "The signals (workspace-format shape)", body = ProjectSignals),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn project_signals(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    let signals = run(&state, parts, async move {
        let (state, user, _) = app::auth::service::require_user().await?;
        let as_of = app::reports::parse_as_of(q.as_of.as_deref())?;
        app::reports::service::project_signals(&state, &user, &key, as_of).await
    })
    .await?;
    Ok(ok(&*signals))
}

/// One project's report as CSV.
#[utoipa::path(get, path = "/projects/{key}/signals.csv", tag = "reports",
    params(("key" = ProjectKey, Path, description = "Project key"), AsOf),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn project_report_csv(
    State(state): State<AppState>,
    parts: Parts,
    Path(key): Path<String>,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    // The same handler as the report page's CSV download.
    crate::exports::project_csv(
        State(state),
        caller(&parts),
        Path(key),
        axum::extract::Query(crate::exports::AsOf { as_of: q.as_of }),
    )
    .await
}

/// The visible, non-archived projects' signals, a page at a time (sorted and filtered as
/// asked; 50 per page unless `limit` says otherwise).
#[utoipa::path(get, path = "/reports/portfolio", tag = "reports", params(AsOf, PortfolioParams),
    responses((status = 200, description = "The report date and a page of the visible projects' signals", body = PortfolioBody),
              (status = 422, body = ErrorBody)))]
async fn portfolio(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<AsOf>,
    Query(p): Query<PortfolioParams>,
) -> AppResult<Response> {
    let sort = match p.sort.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s @ ("name" | "risk" | "contact" | "m1" | "m2" | "m3" | "m4" | "m5")) => {
            Some(s.to_string())
        }
        Some(_) => {
            return Err(app::error::AppError::field(
                "sort",
                "Sort by name, risk, contact or m1 to m5.",
            ));
        }
    };
    let limit = match p.limit.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<usize>().map_err(|_| {
            app::error::AppError::field("limit", "Ask for between 1 and 500 items.")
        })?),
    };
    let flag = |v: Option<bool>| v.unwrap_or(false).then(|| "1".to_string());
    let page = run(
        &state,
        parts,
        fns::get_portfolio(
            q.as_of,
            sort,
            flag(p.lacking),
            flag(p.at_risk),
            p.cursor,
            None,
            limit,
        ),
    )
    .await?;
    Ok(ok(&PortfolioBody {
        as_of: page.as_of,
        next_cursor: page.next.as_deref().map(app::reports::encode_cursor),
        projects: page.rows.into_iter().map(|r| r.signals).collect(),
    }))
}

/// The portfolio as CSV.
#[utoipa::path(get, path = "/reports/portfolio.csv", tag = "reports", params(AsOf),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String),
              (status = 422, body = ErrorBody)))]
async fn portfolio_csv(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    // The same handler as the portfolio page's CSV download.
    crate::exports::portfolio_csv(
        State(state),
        caller(&parts),
        axum::extract::Query(crate::exports::AsOf { as_of: q.as_of }),
    )
    .await
}

/// Diversity of input across the caller's projects.
#[utoipa::path(get, path = "/reports/diversity", tag = "reports", params(AsOf),
    responses((status = 200, description = "The diversity report", body = app::reports::DiversityReport),
              (status = 422, body = ErrorBody)))]
async fn diversity(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<AsOf>,
) -> AppResult<Response> {
    let r = run(&state, parts, fns::get_diversity_report(q.as_of)).await?;
    Ok(ok(&r))
}
