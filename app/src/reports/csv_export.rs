//! CSV exports of the portfolio and of a project report: a header row, ISO dates, and cells
//! that could start a spreadsheet formula prefixed with `'`.

use super::{PortfolioRow, ProjectReport};
use crate::signals::{FlagCode, ProjectSignals};

/// Neutralises a cell that a spreadsheet would read as a formula.
pub fn safe_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.4}"))
}

fn int(v: Option<i64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// The column names of a portfolio row.
pub const PORTFOLIO_HEADER: [&str; 27] = [
    "key",
    "name",
    "status",
    "as_of",
    "m1_agility_diversity",
    "m2_end_users",
    "m3_productionization",
    "m4_data_debt",
    "m5_beyond_ml",
    "at_risk",
    "lacking_end_user_contact",
    "no_end_user_contact",
    "end_user_contact_stale",
    "no_upcoming_interview",
    "sprints_without_end_user_feedback",
    "last_end_user_contact",
    "days_since_contact",
    "cadence_status",
    "window_sprints",
    "mean_sprint_length",
    "cv",
    "review_rate",
    "retro_rate",
    "diversity_status",
    "diversity_index",
    "end_user_share",
    "input_events",
];

fn row_cells(key: &str, name: &str, status: &str, s: &ProjectSignals) -> Vec<String> {
    let has = |code: FlagCode| {
        s.end_user_contact
            .flags
            .iter()
            .any(|f| f.code == code)
            .to_string()
    };
    let sc = &s.scorecard;
    vec![
        safe_cell(key),
        safe_cell(name),
        status.to_string(),
        s.as_of.to_string(),
        sc.m1_agility_diversity.level.as_str().into(),
        sc.m2_end_users.level.as_str().into(),
        sc.m3_productionization.level.as_str().into(),
        sc.m4_data_debt.level.as_str().into(),
        sc.m5_beyond_ml.level.as_str().into(),
        sc.at_risk.to_string(),
        s.end_user_contact.lacking.to_string(),
        has(FlagCode::NoEndUserContact),
        has(FlagCode::EndUserContactStale),
        has(FlagCode::NoUpcomingInterview),
        has(FlagCode::SprintsWithoutEndUserFeedback),
        s.end_user_contact
            .last_contact_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        int(s.end_user_contact.days_since),
        s.cadence.status.as_str().into(),
        s.cadence.window_sprints.to_string(),
        num(s.cadence.mean_length),
        num(s.cadence.cv),
        num(s.cadence.review_rate),
        num(s.cadence.retro_rate),
        s.diversity.status.as_str().into(),
        num(s.diversity.diversity_index),
        num(s.diversity.end_user_share),
        s.diversity.events.to_string(),
    ]
}

fn write(rows: Vec<Vec<String>>, header: &[&str]) -> Result<String, crate::error::AppError> {
    write_rows(rows, Some(header))
}

fn write_rows(
    rows: Vec<Vec<String>>,
    header: Option<&[&str]>,
) -> Result<String, crate::error::AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(header) = header {
        w.write_record(header)
            .map_err(|_| crate::error::AppError::internal())?;
    }
    for r in rows {
        w.write_record(&r)
            .map_err(|_| crate::error::AppError::internal())?;
    }
    let bytes = w
        .into_inner()
        .map_err(|_| crate::error::AppError::internal())?;
    String::from_utf8(bytes).map_err(|_| crate::error::AppError::internal())
}

/// The portfolio as CSV: one row per project.
pub fn portfolio_csv(rows: &[PortfolioRow]) -> Result<String, crate::error::AppError> {
    write(
        rows.iter()
            .map(|r| row_cells(&r.key, &r.name, r.status.as_str(), &r.signals))
            .collect(),
        &PORTFOLIO_HEADER,
    )
}

/// Portfolio rows as CSV lines, with the header only when `header` (for a CSV sent in parts).
pub fn portfolio_csv_part(
    rows: &[PortfolioRow],
    header: bool,
) -> Result<String, crate::error::AppError> {
    write_rows(
        rows.iter()
            .map(|r| row_cells(&r.key, &r.name, r.status.as_str(), &r.signals))
            .collect(),
        header.then_some(&PORTFOLIO_HEADER[..]),
    )
}

/// A project report as CSV: the portfolio row, then one row per scorecard reason.
pub fn project_csv(report: &ProjectReport, status: &str) -> Result<String, crate::error::AppError> {
    let mut out = write(
        vec![row_cells(
            &report.key,
            &report.name,
            status,
            &report.signals,
        )],
        &PORTFOLIO_HEADER,
    )?;
    let mut reasons = Vec::new();
    for (signal, entry) in report.signals.scorecard.entries() {
        for reason in &entry.reasons {
            reasons.push(vec![
                signal.to_string(),
                entry.level.as_str().to_string(),
                safe_cell(reason),
            ]);
        }
    }
    for flag in &report.signals.end_user_contact.flags {
        reasons.push(vec![
            flag.code.as_str().to_string(),
            flag.level.as_str().to_string(),
            safe_cell(&flag.reason),
        ]);
    }
    out.push('\n');
    out.push_str(&write(reasons, &["signal", "level", "reason"])?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(safe_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@cmd"), "'@cmd");
        assert_eq!(safe_cell("plain"), "plain");
    }

    #[test]
    fn portfolio_csv_has_a_header_and_one_row_per_project() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
        let mut input = crate::signals::ProjectInput::new("churn", "=cmd|' /C calc'!A0", d);
        input.started_on = d - chrono::Duration::days(20);
        let rows = crate::reports::service::portfolio_rows(&[input], d);
        let csv = portfolio_csv(&rows).expect("csv");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().expect("header").clone();
        assert_eq!(header.len(), PORTFOLIO_HEADER.len());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][0], "churn");
        assert!(
            records[0][1].starts_with('\''),
            "formula neutralised: {}",
            &records[0][1]
        );
        assert_eq!(&records[0][3], "2026-03-15");
        assert_eq!(&records[0][11], "true", "no contact after 20 days");
    }
}
