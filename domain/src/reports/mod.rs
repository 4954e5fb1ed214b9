//! Reports: the portfolio dashboard, the project report and the diversity report. The numbers
//! come from [`crate::signals`]; this module loads their inputs, draws the charts and writes CSV.

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
mod compute;
#[cfg(feature = "ssr")]
pub use compute::{contacts, portfolio_rows, report_of};

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

/// The portfolio: the visible, non-archived projects' signals (a page of them, or all).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// The report date.
    pub as_of: NaiveDate,
    /// One row per project.
    pub rows: Vec<PortfolioRow>,
    /// The cursor of the next page, if there is one.
    #[serde(default)]
    pub next: Option<String>,
    /// The cursor of the previous page, if there is one.
    #[serde(default)]
    pub prev: Option<String>,
}

/// Rows on a page of the portfolio.
pub const PAGE: usize = 50;

/// A portfolio cursor as it travels in an address: `p` and the hex of the sort key.
pub fn encode_cursor(sort_key: &str) -> String {
    let mut out = String::with_capacity(1 + sort_key.len() * 2);
    out.push('p');
    for b in sort_key.bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Reads a cursor made by [`encode_cursor`]; `None` when it is not one. Any even run of hex
/// digits is a position in the order (bytes that are not UTF-8 read as replacement
/// characters), so every cursor the API's pattern allows is accepted.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    let hex = cursor.strip_prefix('p')?;
    if hex.is_empty()
        || !hex.len().is_multiple_of(2)
        || hex.len() > 2000
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    Some(String::from_utf8_lossy(&bytes?).into_owned())
}

/// A cursor from an address (`after` or `before`): none when absent or blank, an error on the
/// `cursor` field when it is not one [`encode_cursor`] made.
pub fn parse_cursor(cursor: Option<&str>) -> Result<Option<String>, crate::error::AppError> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => decode_cursor(c).map(Some).ok_or_else(|| {
            crate::error::AppError::field("cursor", "Pass the cursor of the previous page.")
        }),
    }
}

impl PortfolioQuery {
    /// The query of an address's parameters: `sort`, `lacking`, `at_risk` (present = on),
    /// `after` / `before` (cursors) and `limit` (1–500, default [`PAGE`]).
    pub fn from_params(
        sort: Option<&str>,
        lacking: bool,
        at_risk: bool,
        after: Option<&str>,
        before: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Self, crate::error::AppError> {
        let limit = limit.unwrap_or(PAGE);
        if !(1..=500).contains(&limit) {
            return Err(crate::error::AppError::field(
                "limit",
                "Ask for between 1 and 500 items.",
            ));
        }
        Ok(Self {
            sort: PortfolioSort::parse(sort.unwrap_or_default()),
            lacking,
            at_risk,
            after: parse_cursor(after)?,
            before: parse_cursor(before)?,
            limit,
        })
    }
}

/// How the portfolio is sorted (the `sort` of its address).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortfolioSort {
    /// By name (case-insensitive).
    #[default]
    Name,
    /// By one scorecard level (1–5), red first, then by name.
    Signal(u8),
    /// At risk first, then most red signals, then by name.
    Risk,
    /// Oldest end-user contact first (never first of all), then by name.
    Contact,
}

impl PortfolioSort {
    /// Every sort.
    pub const ALL: [PortfolioSort; 8] = [
        Self::Name,
        Self::Risk,
        Self::Contact,
        Self::Signal(1),
        Self::Signal(2),
        Self::Signal(3),
        Self::Signal(4),
        Self::Signal(5),
    ];

    /// Reads the `sort` of an address (anything unknown sorts by name).
    pub fn parse(s: &str) -> Self {
        match s {
            "risk" => Self::Risk,
            "contact" => Self::Contact,
            "m1" => Self::Signal(1),
            "m2" => Self::Signal(2),
            "m3" => Self::Signal(3),
            "m4" => Self::Signal(4),
            "m5" => Self::Signal(5),
            _ => Self::Name,
        }
    }

    /// The `sort` of an address.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Risk => "risk",
            Self::Contact => "contact",
            Self::Signal(1) => "m1",
            Self::Signal(2) => "m2",
            Self::Signal(3) => "m3",
            Self::Signal(4) => "m4",
            Self::Signal(_) => "m5",
        }
    }

    /// The stored, indexed sort key of this sort (a column of `project_summary`).
    pub fn column(self) -> &'static str {
        match self {
            Self::Name => "sort_name",
            Self::Risk => "sort_risk",
            Self::Contact => "sort_contact",
            Self::Signal(1) => "sort_m1",
            Self::Signal(2) => "sort_m2",
            Self::Signal(3) => "sort_m3",
            Self::Signal(4) => "sort_m4",
            Self::Signal(_) => "sort_m5",
        }
    }
}

/// Which page of the portfolio, sorted and filtered how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioQuery {
    /// The sort.
    pub sort: PortfolioSort,
    /// Only projects lacking end-user contact.
    pub lacking: bool,
    /// Only projects at risk.
    pub at_risk: bool,
    /// Rows after this cursor (the next page); `None` for the first.
    pub after: Option<String>,
    /// Rows before this cursor (the previous page).
    pub before: Option<String>,
    /// Rows per page (1–500).
    pub limit: usize,
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
    fn cursors_round_trip_and_refuse_anything_else() {
        for key in ["alpha\u{1}a", "3Émile\u{1}Émile\u{1}k-1", "0"] {
            let c = encode_cursor(key);
            assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric()), "{c}");
            assert_eq!(decode_cursor(&c).as_deref(), Some(key));
        }
        for bad in ["", "p", "pz1", "p0", "q00", "p+1", "pFF", "p-1"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
        assert_eq!(decode_cursor("pffff").as_deref(), Some("\u{fffd}\u{fffd}"));
        let q =
            PortfolioQuery::from_params(Some("m2"), true, false, None, None, None).expect("query");
        assert_eq!(q.sort, PortfolioSort::Signal(2));
        assert_eq!(q.limit, PAGE);
        let e = PortfolioQuery::from_params(None, false, false, Some("zz"), None, None)
            .expect_err("bad cursor");
        assert_eq!(e.field_name(), Some("cursor"));
        let e = PortfolioQuery::from_params(None, false, false, None, None, Some(501))
            .expect_err("too many");
        assert_eq!(e.field_name(), Some("limit"));
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
