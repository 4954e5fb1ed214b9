//! The risk scorecard M1–M5 and `at_risk`.

use chrono::NaiveDate;

use super::input::{DqIssueInput, ProjectInput};
use super::{
    Cadence, Diversity, EndUserContact, Level, Scorecard, Signal, days_between, percent, plural,
    ratio,
};
use crate::format::{DqSeverity, MlNeeded};

/// Days an open high or critical issue may stay open before it is red.
const SEVERE_ISSUE_DAYS: i64 = 30;

/// Days an open issue may stay unreported upstream before it is red.
const UNREPORTED_ISSUE_DAYS: i64 = 14;

/// Red signals that mark a project at risk.
const AT_RISK_REDS: usize = 2;

/// The already computed parts the scorecard is built from.
pub(crate) struct Parts<'a> {
    pub contact: &'a EndUserContact,
    /// Reasons for M2 when no flag is raised.
    pub contact_notes: Vec<String>,
    pub cadence: &'a Cadence,
    pub cadence_reasons: Vec<String>,
    pub diversity: &'a Diversity,
    pub diversity_reasons: Vec<String>,
}

/// Builds the scorecard.
pub(crate) fn compute(input: &ProjectInput, as_of: NaiveDate, parts: Parts<'_>) -> Scorecard {
    let m1 = agility_diversity(
        parts.cadence,
        parts.cadence_reasons,
        parts.diversity,
        parts.diversity_reasons,
    );
    let m2 = end_users(parts.contact, parts.contact_notes);
    let m3 = productionization(input);
    let m4 = data_debt(&input.dq_issues, as_of);
    let m5 = beyond_ml(input);
    let reds = [&m1, &m2, &m3, &m4, &m5]
        .iter()
        .filter(|signal| signal.level == Level::Red)
        .count();
    Scorecard {
        m1_agility_diversity: m1,
        m2_end_users: m2,
        m3_productionization: m3,
        m4_data_debt: m4,
        m5_beyond_ml: m5,
        at_risk: reds >= AT_RISK_REDS,
    }
}

/// M1: both green → green; either red → red; otherwise amber.
fn agility_diversity(
    cadence: &Cadence,
    cadence_reasons: Vec<String>,
    diversity: &Diversity,
    diversity_reasons: Vec<String>,
) -> Signal {
    let level = if cadence.status == Level::Red || diversity.status == Level::Red {
        Level::Red
    } else if cadence.status == Level::Green && diversity.status == Level::Green {
        Level::Green
    } else {
        Level::Amber
    };
    let mut reasons = cadence_reasons;
    reasons.extend(diversity_reasons);
    Signal { level, reasons }
}

/// M2: any red flag → red; only amber flags → amber; none → green.
fn end_users(contact: &EndUserContact, notes: Vec<String>) -> Signal {
    let level = if contact.flags.iter().any(|flag| flag.level == Level::Red) {
        Level::Red
    } else if contact.flags.is_empty() {
        Level::Green
    } else {
        Level::Amber
    };
    let reasons = if contact.flags.is_empty() {
        notes
    } else {
        contact
            .flags
            .iter()
            .map(|flag| flag.reason.clone())
            .collect()
    };
    Signal { level, reasons }
}

/// M3: ≥ 80 % of readiness items done → green; ≥ 40 % → amber; less → red.
fn productionization(input: &ProjectInput) -> Signal {
    let done = u64::from(input.readiness_done);
    let total = u64::from(input.readiness_total);
    let level = if total > 0 && 5 * done >= 4 * total {
        Level::Green
    } else if total > 0 && 5 * done >= 2 * total {
        Level::Amber
    } else {
        Level::Red
    };
    let share = if total > 0 {
        ratio(done as usize, total as usize)
    } else {
        0.0
    };
    let bound = match level {
        Level::Green => "",
        Level::Amber => "; green from 80%",
        _ => "; red below 40%",
    };
    Signal {
        level,
        reasons: vec![format!(
            "{done} of {total} production-readiness items are done ({}{bound}).",
            percent(share)
        )],
    }
}

/// Whether an issue is open on `as_of`.
fn is_open(issue: &DqIssueInput, as_of: NaiveDate) -> bool {
    issue.opened_on <= as_of && issue.resolved_on.is_none_or(|on| on > as_of)
}

/// M4: an overdue open issue → red; other open issues → amber; none open → green.
fn data_debt(issues: &[DqIssueInput], as_of: NaiveDate) -> Signal {
    let mut red = Vec::new();
    let mut open = Vec::new();
    for issue in issues.iter().filter(|issue| is_open(issue, as_of)) {
        let age = days_between(issue.opened_on, as_of);
        let severe = matches!(issue.severity, DqSeverity::High | DqSeverity::Critical);
        let unreported = issue.reported_upstream_on.is_none_or(|on| on > as_of);
        let what = format!(
            "a {} issue on dataset {}, opened on {} ({})",
            issue.severity.label().to_lowercase(),
            dataset_name(issue),
            issue.opened_on,
            plural(usize::try_from(age).unwrap_or(0), "day ago", "days ago")
        );
        if severe && age > SEVERE_ISSUE_DAYS {
            red.push(capitalise(&format!(
                "{what}, is still open (red after {SEVERE_ISSUE_DAYS} days for high or critical \
                 issues)."
            )));
        }
        if unreported && age > UNREPORTED_ISSUE_DAYS {
            red.push(capitalise(&format!(
                "{what}, has not been reported upstream (red after {UNREPORTED_ISSUE_DAYS} days)."
            )));
        }
        open.push(what);
    }
    if !red.is_empty() {
        return Signal {
            level: Level::Red,
            reasons: red,
        };
    }
    if open.is_empty() {
        return Signal {
            level: Level::Green,
            reasons: vec![format!("No data-quality issue is open on {as_of}.")],
        };
    }
    let mut reasons = vec![format!(
        "{} open on {as_of}, none overdue.",
        capitalise(&plural(
            open.len(),
            "data-quality issue is",
            "data-quality issues are"
        ))
    )];
    reasons.extend(open.into_iter().map(|what| capitalise(&format!("{what}."))));
    Signal {
        level: Level::Amber,
        reasons,
    }
}

fn dataset_name(issue: &DqIssueInput) -> &str {
    if issue.dataset.trim().is_empty() {
        "(unnamed)"
    } else {
        issue.dataset.trim()
    }
}

/// M5: ML need answered and baseline recorded → green; one of the two → amber; neither → red.
fn beyond_ml(input: &ProjectInput) -> Signal {
    let answered = input.ml_needed != MlNeeded::Unknown;
    let baseline = !input.baseline_considered.trim().is_empty();
    let level = match (answered, baseline) {
        (true, true) => Level::Green,
        (false, false) => Level::Red,
        _ => Level::Amber,
    };
    let mut reasons = Vec::new();
    if answered && baseline {
        reasons.push(format!(
            "Whether ML is needed is answered ({}) and a simpler baseline is recorded.",
            input.ml_needed.label().to_lowercase()
        ));
    }
    if !answered {
        reasons.push("Whether ML is needed is not answered yet.".to_owned());
    }
    if !baseline {
        reasons.push("No simpler baseline that was considered is recorded.".to_owned());
    }
    Signal { level, reasons }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Flag, FlagCode, compute as compute_all};
    use super::*;

    fn contact(codes: &[FlagCode]) -> EndUserContact {
        EndUserContact {
            last_contact_on: None,
            days_since: None,
            lacking: codes.iter().any(|c| c.level() == Level::Red),
            flags: codes
                .iter()
                .map(|c| Flag {
                    code: *c,
                    level: c.level(),
                    reason: c.label().to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn m2_levels_follow_flags() {
        let green = end_users(&contact(&[]), vec!["ok".into()]);
        assert_eq!(
            green,
            Signal {
                level: Level::Green,
                reasons: vec!["ok".into()]
            }
        );
        let amber = end_users(
            &contact(&[FlagCode::NoUpcomingInterview]),
            vec!["ignored".into()],
        );
        assert_eq!(amber.level, Level::Amber);
        assert_eq!(amber.reasons, vec!["No upcoming end-user interview"]);
        let red = end_users(
            &contact(&[FlagCode::NoUpcomingInterview, FlagCode::EndUserContactStale]),
            vec![],
        );
        assert_eq!(red.level, Level::Red);
        assert_eq!(red.reasons.len(), 2);
    }

    #[test]
    fn m3_thresholds() {
        let mut p = project("2026-01-01");
        let level = |p: &ProjectInput| productionization(p).level;
        p.readiness_done = 7; // 87.5 %
        assert_eq!(level(&p), Level::Green);
        p.readiness_done = 6; // 75 %
        assert_eq!(level(&p), Level::Amber);
        p.readiness_done = 4; // 50 %
        assert_eq!(level(&p), Level::Amber);
        p.readiness_done = 3; // 37.5 %
        assert_eq!(level(&p), Level::Red);
        assert_eq!(
            productionization(&p).reasons,
            vec!["3 of 8 production-readiness items are done (38%; red below 40%)."]
        );
        p.readiness_total = 5;
        p.readiness_done = 4; // exactly 80 %
        assert_eq!(level(&p), Level::Green);
        p.readiness_done = 2; // exactly 40 %
        assert_eq!(level(&p), Level::Amber);
        p.readiness_total = 0;
        assert_eq!(level(&p), Level::Red);
    }

    #[test]
    fn m4_open_and_red_rules() {
        let as_of = d("2026-06-01");
        let level = |issues: &[DqIssueInput]| data_debt(issues, as_of).level;
        assert_eq!(level(&[]), Level::Green);
        // Closed by as_of, or opened after as_of: not open.
        assert_eq!(
            level(&[issue(
                DqSeverity::Critical,
                "2026-01-01",
                None,
                Some("2026-06-01")
            )]),
            Level::Green
        );
        assert_eq!(
            level(&[issue(DqSeverity::Critical, "2026-06-02", None, None)]),
            Level::Green
        );
        // Resolved after as_of: still open then (reported in time, low: amber).
        assert_eq!(
            level(&[issue(
                DqSeverity::Low,
                "2026-01-01",
                Some("2026-01-02"),
                Some("2026-06-02")
            )]),
            Level::Amber
        );
        // High, reported, exactly 30 days: amber; 31 days: red.
        assert_eq!(
            level(&[issue(
                DqSeverity::High,
                "2026-05-02",
                Some("2026-05-03"),
                None
            )]),
            Level::Amber
        );
        assert_eq!(
            level(&[issue(
                DqSeverity::High,
                "2026-05-01",
                Some("2026-05-03"),
                None
            )]),
            Level::Red
        );
        // Medium, reported: never red by age alone.
        assert_eq!(
            level(&[issue(
                DqSeverity::Medium,
                "2025-01-01",
                Some("2025-01-03"),
                None
            )]),
            Level::Amber
        );
        // Unreported: exactly 14 days amber, 15 days red; reported after as_of counts as unreported.
        assert_eq!(
            level(&[issue(DqSeverity::Low, "2026-05-18", None, None)]),
            Level::Amber
        );
        assert_eq!(
            level(&[issue(DqSeverity::Low, "2026-05-17", None, None)]),
            Level::Red
        );
        assert_eq!(
            level(&[issue(
                DqSeverity::Low,
                "2026-05-17",
                Some("2026-06-02"),
                None
            )]),
            Level::Red
        );
        assert_eq!(
            level(&[issue(
                DqSeverity::Low,
                "2026-05-17",
                Some("2026-06-01"),
                None
            )]),
            Level::Amber
        );
        let red = data_debt(
            &[issue(DqSeverity::Critical, "2026-04-01", None, None)],
            as_of,
        );
        assert_eq!(
            red.reasons,
            vec![
                "A critical issue on dataset admissions, opened on 2026-04-01 (61 days ago), is still open (red after 30 days for high or critical issues).",
                "A critical issue on dataset admissions, opened on 2026-04-01 (61 days ago), has not been reported upstream (red after 14 days)."
            ]
        );
        let amber = data_debt(&[issue(DqSeverity::Low, "2026-05-31", None, None)], as_of);
        assert_eq!(
            amber.reasons,
            vec![
                "1 data-quality issue is open on 2026-06-01, none overdue.",
                "A low issue on dataset admissions, opened on 2026-05-31 (1 day ago)."
            ]
        );
    }

    #[test]
    fn m5_framing() {
        let mut p = project("2026-01-01");
        assert_eq!(beyond_ml(&p).level, Level::Red);
        assert_eq!(beyond_ml(&p).reasons.len(), 2);
        p.baseline_considered = "   \n\t".into();
        p.ml_needed = MlNeeded::No;
        assert_eq!(beyond_ml(&p).level, Level::Amber);
        assert_eq!(
            beyond_ml(&p).reasons,
            vec!["No simpler baseline that was considered is recorded."]
        );
        p.baseline_considered = "Rule-based checklist".into();
        assert_eq!(beyond_ml(&p).level, Level::Green);
        p.ml_needed = MlNeeded::Unknown;
        assert_eq!(beyond_ml(&p).level, Level::Amber);
        assert_eq!(
            beyond_ml(&p).reasons,
            vec!["Whether ML is needed is not answered yet."]
        );
    }

    #[test]
    fn m1_and_at_risk() {
        // A brand-new project: cadence and diversity insufficient → M1 amber; M3 and M5 red.
        let p = project("2026-05-25");
        let s = compute_all(&p, d("2026-06-01"));
        assert_eq!(s.cadence.status, Level::InsufficientData);
        assert_eq!(s.diversity.status, Level::InsufficientData);
        assert_eq!(s.scorecard.m1_agility_diversity.level, Level::Amber);
        assert_eq!(s.scorecard.m1_agility_diversity.reasons.len(), 2);
        assert_eq!(s.scorecard.m2_end_users.level, Level::Amber);
        assert_eq!(s.scorecard.m3_productionization.level, Level::Red);
        assert_eq!(s.scorecard.m4_data_debt.level, Level::Green);
        assert_eq!(s.scorecard.m5_beyond_ml.level, Level::Red);
        assert!(s.scorecard.at_risk);
        // One red only: not at risk.
        let mut q = p.clone();
        q.ml_needed = MlNeeded::Yes;
        let s = compute_all(&q, d("2026-06-01"));
        assert!(!s.scorecard.at_risk);
        // Every amber or red entry explains itself.
        for (_, signal) in s.scorecard.entries() {
            if signal.level != Level::Green {
                assert!(!signal.reasons.is_empty());
            }
        }
    }
}
