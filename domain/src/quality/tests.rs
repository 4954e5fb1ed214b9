use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn today() -> NaiveDate {
    d("2026-11-29")
}

fn form() -> DqIssueForm {
    DqIssueForm {
        dataset: " admissions ".into(),
        description: "Discharge dates missing for one ward.".into(),
        dimension: "completeness".into(),
        severity: "high".into(),
        opened_on: "2026-11-01".into(),
        ..Default::default()
    }
}

fn field_of(f: &DqIssueForm) -> String {
    f.validate(today())
        .expect_err("should be refused")
        .field_name()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn m3_thresholds_follow_the_scorecard() {
    assert_eq!(m3_level(8, 8), Level::Green);
    assert_eq!(m3_level(7, 8), Level::Green); // 87.5 %
    assert_eq!(m3_level(6, 8), Level::Amber); // 75 %
    assert_eq!(m3_level(4, 8), Level::Amber); // 50 %
    assert_eq!(m3_level(3, 8), Level::Red); // 37.5 %
    assert_eq!(m3_level(0, 8), Level::Red);
    // Exactly on the boundaries.
    assert_eq!(m3_level(4, 5), Level::Green); // 80 %
    assert_eq!(m3_level(2, 5), Level::Amber); // 40 %
    assert_eq!(m3_level(1, 5), Level::Red); // 20 %
    assert_eq!(m3_level(0, 0), Level::Red);
}

#[test]
fn readiness_counts_done_items() {
    let mut r = Readiness {
        project: "p".into(),
        items: ReadinessItem::ALL
            .iter()
            .map(|i| ReadinessEntry::empty(*i))
            .collect(),
    };
    assert_eq!((r.done(), r.total(), r.level()), (0, 8, Level::Red));
    for e in r.items.iter_mut().take(4) {
        e.done = true;
    }
    assert_eq!((r.done(), r.level()), (4, Level::Amber));
    for e in r.items.iter_mut().take(7) {
        e.done = true;
    }
    assert_eq!((r.done(), r.level()), (7, Level::Green));
    assert_eq!(level_badge(Level::Green), "badge badge-green");
}

#[test]
fn every_item_explains_done() {
    for item in ReadinessItem::ALL {
        assert!(done_means(*item).len() > 20, "{item}");
    }
    assert_eq!(ReadinessItem::ALL.len(), READINESS_KEYS.len());
}

#[test]
fn readiness_forms_are_validated() {
    let ok = ReadinessItemForm {
        item: "monitoring_plan".into(),
        done: "true".into(),
        owner: " u1 ".into(),
        note: " dashboards agreed ".into(),
    }
    .validate()
    .expect("valid");
    assert_eq!(ok.item, ReadinessItem::MonitoringPlan);
    assert!(ok.done);
    assert_eq!(ok.owner.as_deref(), Some("u1"));
    assert_eq!(ok.note, "dashboards agreed");

    let unticked = ReadinessItemForm {
        item: "containerized".into(),
        ..Default::default()
    }
    .validate()
    .expect("valid");
    assert!(!unticked.done);
    assert_eq!(unticked.owner, None);

    let cases = [
        (
            ReadinessItemForm {
                item: "kubernetes".into(),
                ..Default::default()
            },
            "item",
        ),
        (
            ReadinessItemForm {
                item: "".into(),
                ..Default::default()
            },
            "item",
        ),
        (
            ReadinessItemForm {
                item: "containerized".into(),
                done: "yes".into(),
                ..Default::default()
            },
            "done",
        ),
        (
            ReadinessItemForm {
                item: "containerized".into(),
                owner: "x".repeat(65),
                ..Default::default()
            },
            "owner",
        ),
        (
            ReadinessItemForm {
                item: "containerized".into(),
                note: "n".repeat(MAX_NOTE + 1),
                ..Default::default()
            },
            "note",
        ),
    ];
    for (f, field) in cases {
        let e = f.validate().expect_err(field);
        assert_eq!(e.field_name(), Some(field));
    }
}

#[test]
fn a_valid_issue_takes_defaults() {
    let v = form().validate(today()).expect("valid");
    assert_eq!(v.dataset, "admissions");
    assert_eq!(v.status, DqStatus::Open);
    assert_eq!(v.dimension, DqDimension::Completeness);
    assert_eq!(v.severity, DqSeverity::High);
    assert_eq!(v.resolved_on, None);
    let v = DqIssueForm {
        opened_on: String::new(),
        ..form()
    }
    .validate(today())
    .expect("valid");
    assert_eq!(v.opened_on, today());
}

#[test]
fn resolved_on_is_set_exactly_when_the_issue_is_closed() {
    for status in ["resolved", "wont_fix"] {
        let f = DqIssueForm {
            status: status.into(),
            ..form()
        };
        assert_eq!(field_of(&f), "resolved_on", "{status} without a date");
        let f = DqIssueForm {
            status: status.into(),
            resolved_on: "2026-11-20".into(),
            ..form()
        };
        let v = f.validate(today()).expect(status);
        assert_eq!(v.resolved_on, Some(d("2026-11-20")));
    }
    for status in ["open", "reported", "in_progress", ""] {
        let f = DqIssueForm {
            status: status.into(),
            resolved_on: "2026-11-20".into(),
            ..form()
        };
        assert_eq!(field_of(&f), "resolved_on", "{status} with a date");
        let f = DqIssueForm {
            status: status.into(),
            ..form()
        };
        assert!(f.validate(today()).is_ok(), "{status}");
    }
}

#[test]
fn dates_after_opening_cannot_precede_it() {
    let f = DqIssueForm {
        reported_upstream_on: "2026-10-31".into(),
        ..form()
    };
    assert_eq!(field_of(&f), "reported_upstream_on");
    let f = DqIssueForm {
        reported_upstream_on: "2026-11-01".into(),
        ..form()
    };
    assert!(f.validate(today()).is_ok(), "same day is fine");
    let f = DqIssueForm {
        status: "resolved".into(),
        resolved_on: "2026-10-31".into(),
        ..form()
    };
    assert_eq!(field_of(&f), "resolved_on");
    let f = DqIssueForm {
        status: "resolved".into(),
        resolved_on: "2026-11-01".into(),
        ..form()
    };
    assert!(
        f.validate(today()).is_ok(),
        "resolved the day it was opened"
    );
}

#[test]
fn every_field_is_checked() {
    let cases = [
        (
            DqIssueForm {
                dataset: "  ".into(),
                ..form()
            },
            "dataset",
        ),
        (
            DqIssueForm {
                dataset: "d".repeat(MAX_DATASET + 1),
                ..form()
            },
            "dataset",
        ),
        (
            DqIssueForm {
                description: "".into(),
                ..form()
            },
            "description",
        ),
        (
            DqIssueForm {
                description: "d".repeat(MAX_DESCRIPTION + 1),
                ..form()
            },
            "description",
        ),
        (
            DqIssueForm {
                dimension: "".into(),
                ..form()
            },
            "dimension",
        ),
        (
            DqIssueForm {
                dimension: "freshness".into(),
                ..form()
            },
            "dimension",
        ),
        (
            DqIssueForm {
                severity: "urgent".into(),
                ..form()
            },
            "severity",
        ),
        (
            DqIssueForm {
                severity: "".into(),
                ..form()
            },
            "severity",
        ),
        (
            DqIssueForm {
                status: "closed".into(),
                ..form()
            },
            "status",
        ),
        (
            DqIssueForm {
                source_owner: "s".repeat(65),
                ..form()
            },
            "source_owner",
        ),
        (
            DqIssueForm {
                opened_on: "2026-02-30".into(),
                ..form()
            },
            "opened_on",
        ),
        (
            DqIssueForm {
                reported_upstream_on: "soon".into(),
                ..form()
            },
            "reported_upstream_on",
        ),
        (
            DqIssueForm {
                status: "resolved".into(),
                resolved_on: "29/11/2026".into(),
                ..form()
            },
            "resolved_on",
        ),
    ];
    for (f, field) in cases {
        assert_eq!(field_of(&f), field);
    }
}

#[test]
fn filters_parse_or_name_their_field() {
    assert_eq!(parse_status_filter(None).expect("none"), None);
    assert_eq!(parse_status_filter(Some("")).expect("empty"), None);
    assert_eq!(
        parse_status_filter(Some("wont_fix")).expect("ok"),
        Some(DqStatus::WontFix)
    );
    assert_eq!(
        parse_status_filter(Some("done"))
            .expect_err("bad")
            .field_name(),
        Some("status")
    );
    assert_eq!(
        parse_severity_filter(Some("critical")).expect("ok"),
        Some(DqSeverity::Critical)
    );
    assert_eq!(
        parse_severity_filter(Some("huge"))
            .expect_err("bad")
            .field_name(),
        Some("severity")
    );
}

#[test]
fn ages_count_to_today_or_to_closing() {
    assert_eq!(age_days(d("2026-11-01"), None, today()), 28);
    assert_eq!(
        age_days(d("2026-11-01"), Some(d("2026-11-11")), today()),
        10
    );
    // Closed after the day asked about: still open then.
    assert_eq!(
        age_days(d("2026-11-01"), Some(d("2026-12-10")), today()),
        28
    );
    // Opened in the future: no negative ages.
    assert_eq!(age_days(d("2026-12-01"), None, today()), 0);
}

#[test]
fn m4_reds_follow_the_design() {
    use DqSeverity::*;
    let t = today();
    // High, 31 days open, reported: red for severity only.
    assert_eq!(
        m4_reasons(High, d("2026-10-29"), Some(d("2026-10-30")), None, t),
        vec![M4Reason::SevereOverdue]
    );
    // Exactly 30 days: not yet.
    assert!(m4_reasons(Critical, d("2026-10-30"), Some(d("2026-10-30")), None, t).is_empty());
    // Medium, long open but reported: not red.
    assert!(m4_reasons(Medium, d("2026-01-01"), Some(d("2026-01-02")), None, t).is_empty());
    // Low, 15 days, not reported: red; 14 days: not yet.
    assert_eq!(
        m4_reasons(Low, d("2026-11-14"), None, None, t),
        vec![M4Reason::NotReportedUpstream]
    );
    assert!(m4_reasons(Low, d("2026-11-15"), None, None, t).is_empty());
    // Reported only after the day: still unreported on it.
    assert_eq!(
        m4_reasons(Low, d("2026-11-01"), Some(d("2026-12-01")), None, t),
        vec![M4Reason::NotReportedUpstream]
    );
    // Both rules at once.
    assert_eq!(
        m4_reasons(Critical, d("2026-09-01"), None, None, t),
        vec![M4Reason::SevereOverdue, M4Reason::NotReportedUpstream]
    );
    // Closed issues are never red; closed after the day, they still count.
    assert!(m4_reasons(Critical, d("2026-09-01"), None, Some(d("2026-11-28")), t).is_empty());
    assert_eq!(
        m4_reasons(
            Critical,
            d("2026-09-01"),
            Some(d("2026-09-02")),
            Some(d("2026-12-01")),
            t
        ),
        vec![M4Reason::SevereOverdue]
    );
}

fn issue(
    severity: DqSeverity,
    opened: &str,
    reported: Option<&str>,
    resolved: Option<&str>,
) -> DqIssue {
    let opened_on = d(opened);
    let reported_upstream_on = reported.map(d);
    let resolved_on = resolved.map(d);
    DqIssue {
        id: "i".into(),
        project: "p".into(),
        dataset: "ds".into(),
        description: "x".into(),
        dimension: Some(DqDimension::Accuracy),
        severity,
        reporter: None,
        reporter_name: None,
        source_owner: None,
        source_owner_name: None,
        opened_on,
        reported_upstream_on,
        status: if resolved.is_some() {
            DqStatus::Resolved
        } else {
            DqStatus::Open
        },
        resolved_on,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        age_days: age_days(opened_on, resolved_on, today()),
        m4_red: m4_reasons(
            severity,
            opened_on,
            reported_upstream_on,
            resolved_on,
            today(),
        ),
    }
}

#[test]
fn m4_level_over_a_register() {
    let t = today();
    assert_eq!(m4_level(&[], t), Level::Green);
    let closed = issue(DqSeverity::Critical, "2026-01-01", None, Some("2026-02-01"));
    assert_eq!(m4_level(std::slice::from_ref(&closed), t), Level::Green);
    let fresh = issue(DqSeverity::Critical, "2026-11-20", None, None);
    assert_eq!(m4_level(&[closed.clone(), fresh.clone()], t), Level::Amber);
    let stale = issue(DqSeverity::Low, "2026-11-01", None, None);
    assert_eq!(m4_level(&[closed, fresh, stale], t), Level::Red);
}
