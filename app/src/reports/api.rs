//! Server functions for reports. Members see their projects; leads and admins see all.

use leptos::prelude::*;

use super::{DiversityReport, Portfolio, ProjectReport};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::service::require_user;

/// A page of the portfolio as of a date (default today in the workspace time zone), sorted
/// (`sort`: name, risk, contact, m1–m5) and filtered (`lacking`, `at_risk`: any value is on)
/// as asked; `after` / `before` take the cursors of the page before or after.
#[server(prefix = "/api/fn", endpoint = "reports/portfolio")]
pub async fn get_portfolio(
    as_of: Option<String>,
    sort: Option<String>,
    lacking: Option<String>,
    at_risk: Option<String>,
    after: Option<String>,
    before: Option<String>,
    limit: Option<usize>,
) -> Result<Portfolio, AppError> {
    let (state, user, _) = require_user().await?;
    let as_of = super::parse_as_of(as_of.as_deref())?;
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let q = super::PortfolioQuery::from_params(
        sort.as_deref(),
        on(&lacking),
        on(&at_risk),
        after.as_deref(),
        before.as_deref(),
        limit,
    )?;
    super::service::portfolio_page(&state, &user, as_of, &q).await
}

/// One project's report.
#[server(prefix = "/api/fn", endpoint = "reports/project")]
pub async fn get_project_report(
    key: String,
    as_of: Option<String>,
) -> Result<ProjectReport, AppError> {
    let (state, user, _) = require_user().await?;
    let as_of = super::parse_as_of(as_of.as_deref())?;
    super::service::project_report(&state, &user, &key, as_of).await
}

/// The diversity report across the caller's projects.
#[server(prefix = "/api/fn", endpoint = "reports/diversity")]
pub async fn get_diversity_report(as_of: Option<String>) -> Result<DiversityReport, AppError> {
    let (state, user, _) = require_user().await?;
    let as_of = super::parse_as_of(as_of.as_deref())?;
    super::service::diversity_report(&state, &user, as_of).await
}
