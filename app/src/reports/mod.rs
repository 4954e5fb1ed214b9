//! Reports: the portfolio dashboard, the project report and the diversity report. The numbers
//! come from [`crate::signals`]; this module loads their inputs, draws the charts and writes CSV.

pub mod api;
#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod csv_export;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::ProjectStatus;
use crate::signals::ProjectSignals;

/// One project's row on the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRow {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
    /// Project status.
    pub status: ProjectStatus,
    /// The signals as of the report date.
    pub signals: ProjectSignals,
}

/// The portfolio: every visible, non-archived project's signals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// The report date.
    pub as_of: NaiveDate,
    /// One row per project.
    pub rows: Vec<PortfolioRow>,
}

/// One end-user contact, for the contact timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEvent {
    /// The day it happened (workspace time zone).
    pub on: NaiveDate,
    /// `interview`, `feedback` or `review`.
    pub kind: String,
    /// Who (end users involved).
    pub who: String,
}

/// The project report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectReport {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
    /// Target sprint length.
    pub target_iteration_days: u32,
    /// The signals.
    pub signals: ProjectSignals,
    /// Sprint timeline chart (SVG markup rendered on the server).
    pub timeline_svg: String,
    /// Diversity by function (SVG bar chart).
    pub diversity_svg: String,
    /// End-user contacts on or before the report date, newest first.
    pub contacts: Vec<ContactEvent>,
}

/// Counts of one self-described attribute over consenting stakeholders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttributeCounts {
    /// The dimension, e.g. `gender`.
    pub dimension: String,
    /// (value, count) pairs; counts below 5 are `None` ("fewer than 5").
    pub values: Vec<(String, Option<u32>)>,
}

/// The diversity report across projects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiversityReport {
    /// Report date.
    pub as_of: NaiveDate,
    /// Per project: key, name, and the diversity part of the signals.
    pub projects: Vec<(String, String, crate::signals::Diversity)>,
    /// Attribute counts over consenting stakeholders.
    pub attributes: Vec<AttributeCounts>,
    /// How many stakeholders consented.
    pub consenting: u32,
}

/// The smallest count a report shows; smaller counts read "fewer than 5".
pub const MIN_SHOWN_COUNT: u32 = 5;

/// Suppresses small counts so that no person can be singled out.
pub fn suppress(count: u32) -> Option<u32> {
    (count >= MIN_SHOWN_COUNT).then_some(count)
}

/// Parses an optional `as_of` date from a query (empty: none).
pub fn parse_as_of(value: Option<&str>) -> Result<Option<NaiveDate>, crate::error::AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| crate::error::AppError::field("as_of", "Enter a date as YYYY-MM-DD.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppress(0), None);
        assert_eq!(suppress(4), None);
        assert_eq!(suppress(5), Some(5));
        assert_eq!(suppress(12), Some(12));
    }

    #[test]
    fn as_of_is_parsed() {
        assert_eq!(parse_as_of(None).expect("none"), None);
        assert_eq!(parse_as_of(Some(" ")).expect("blank"), None);
        assert_eq!(
            parse_as_of(Some("2026-03-15")).expect("date"),
            NaiveDate::from_ymd_opt(2026, 3, 15)
        );
        let e = parse_as_of(Some("15/03/2026")).expect_err("bad");
        assert_eq!(e.field_name(), Some("as_of"));
    }
}
