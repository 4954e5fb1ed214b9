use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn form(start: &str, end: &str) -> SprintForm {
    SprintForm {
        name: "Sprint 1".into(),
        start_on: start.into(),
        end_on: end.into(),
        ..SprintForm::default()
    }
}

#[test]
fn dates_must_be_ordered_and_at_most_42_days() {
    let v = form("2026-01-05", "2026-01-18").validate().expect("valid");
    assert_eq!(sprint_length(v.start_on, v.end_on), 14);
    // One-day sprint: end on the start day.
    assert!(form("2026-01-05", "2026-01-05").validate().is_ok());
    let e = form("2026-01-05", "2026-01-04")
        .validate()
        .expect_err("reversed");
    assert_eq!(e.field_name(), Some("end_on"));
    // 42 days is the limit: 2026-01-01 .. 2026-02-11 is 42 days, one more is refused.
    assert_eq!(sprint_length(d(2026, 1, 1), d(2026, 2, 11)), 42);
    assert!(form("2026-01-01", "2026-02-11").validate().is_ok());
    let e = form("2026-01-01", "2026-02-12")
        .validate()
        .expect_err("43 days");
    assert_eq!(e.field_name(), Some("end_on"));
    assert!(e.message().contains("43"), "{}", e.message());
    for (start, end, field) in [
        ("", "2026-01-05", "start_on"),
        ("2026-02-30", "2026-03-05", "start_on"),
        ("2026-01-05", "05/01/2026", "end_on"),
    ] {
        let e = form(start, end).validate().expect_err(field);
        assert_eq!(e.field_name(), Some(field), "{start} {end}");
    }
}

#[test]
fn counts_are_whole_numbers_of_zero_or_more() {
    assert_eq!(parse_count("committed", "").expect("empty"), None);
    assert_eq!(parse_count("committed", " 0 ").expect("zero"), Some(0));
    assert_eq!(parse_count("committed", "12").expect("n"), Some(12));
    for bad in ["-1", "1.5", "ten", "100001"] {
        let e = parse_count("completed", bad).expect_err(bad);
        assert_eq!(e.field_name(), Some("completed"), "{bad}");
    }
    // Completed may exceed committed.
    let f = SprintForm {
        committed: "3".into(),
        completed: "5".into(),
        ..form("2026-01-05", "2026-01-18")
    };
    let v = f.validate().expect("valid");
    assert_eq!((v.committed, v.completed), (Some(3), Some(5)));
    let f = SprintForm {
        committed: "-2".into(),
        ..form("2026-01-05", "2026-01-18")
    };
    assert_eq!(
        f.validate().expect_err("neg").field_name(),
        Some("committed")
    );
}

#[test]
fn names_and_texts_are_checked() {
    let f = SprintForm {
        name: "  ".into(),
        ..form("2026-01-05", "2026-01-18")
    };
    assert_eq!(f.validate().expect_err("name").field_name(), Some("name"));
    let f = SprintForm {
        goal: "g".repeat(MAX_TEXT + 1),
        ..form("2026-01-05", "2026-01-18")
    };
    assert_eq!(f.validate().expect_err("goal").field_name(), Some("goal"));
}

#[test]
fn overlaps_are_detected_inclusively() {
    assert!(overlaps(
        (d(2026, 1, 1), d(2026, 1, 14)),
        (d(2026, 1, 14), d(2026, 1, 27))
    ));
    assert!(!overlaps(
        (d(2026, 1, 1), d(2026, 1, 14)),
        (d(2026, 1, 15), d(2026, 1, 28))
    ));
    assert!(overlaps(
        (d(2026, 1, 1), d(2026, 1, 31)),
        (d(2026, 1, 10), d(2026, 1, 12))
    ));
    let others = vec![
        SprintSpan {
            number: 1,
            name: "Sprint 1".into(),
            start_on: d(2026, 1, 1),
            end_on: d(2026, 1, 14),
        },
        SprintSpan {
            number: 2,
            name: "Sprint 2".into(),
            start_on: d(2026, 1, 15),
            end_on: d(2026, 1, 28),
        },
        SprintSpan {
            number: 3,
            name: "Sprint 3".into(),
            start_on: d(2026, 1, 29),
            end_on: d(2026, 2, 11),
        },
    ];
    // Sprint 2 moved one day earlier overlaps sprint 1 only; it never warns about itself.
    let w = overlap_warnings(2, d(2026, 1, 14), d(2026, 1, 27), &others);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("#1 Sprint 1"), "{w:?}");
    assert!(overlap_warnings(2, d(2026, 1, 15), d(2026, 1, 28), &others).is_empty());
    let w = overlap_warnings(4, d(2026, 1, 10), d(2026, 2, 1), &others);
    assert_eq!(w.len(), 3);
}

#[test]
fn next_sprint_dates_follow_the_previous_sprint() {
    // After a sprint ending on Jan 18, a 14-day sprint runs Jan 19 .. Feb 1.
    assert_eq!(
        next_sprint_dates(
            Some(d(2026, 1, 18)),
            Some(d(2025, 12, 1)),
            d(2026, 3, 1),
            14
        ),
        (d(2026, 1, 19), d(2026, 2, 1))
    );
    // The first sprint starts on the project's start day.
    assert_eq!(
        next_sprint_dates(None, Some(d(2026, 1, 5)), d(2026, 3, 1), 10),
        (d(2026, 1, 5), d(2026, 1, 14))
    );
    // Without a start day, today.
    assert_eq!(
        next_sprint_dates(None, None, d(2026, 3, 1), 1),
        (d(2026, 3, 1), d(2026, 3, 1))
    );
    // Across a year end, and the result always passes validation.
    let (s, e) = next_sprint_dates(Some(d(2026, 12, 31)), None, d(2026, 3, 1), 42);
    assert_eq!((s, e), (d(2027, 1, 1), d(2027, 2, 11)));
    assert!(check_dates(s, e).is_ok());
    assert_eq!(default_sprint_name(7), "Sprint 7");
}

#[test]
fn sprint_numbers_are_positive_whole_numbers() {
    assert_eq!(parse_number("3"), Some(3));
    for bad in ["0", "-1", "x", "", "1.0"] {
        assert_eq!(parse_number(bad), None, "{bad}");
    }
}

#[test]
fn reviews_are_validated() {
    let ids = vec![
        "abc".to_string(),
        "abc".to_string(),
        " ".to_string(),
        "def".to_string(),
    ];
    let v = validate_review("2026-01-18", &ids, &[], "**ok**", "", "").expect("valid");
    assert_eq!(v.attendee_users, vec!["abc".to_string(), "def".to_string()]);
    assert_eq!(v.outcome, ReviewOutcome::NoDecision);
    let v = validate_review("2026-01-18", &[], &[], "", "", "accepted").expect("valid");
    assert_eq!(v.outcome, ReviewOutcome::Accepted);
    let cases = [
        (validate_review("", &[], &[], "", "", ""), "held_on"),
        (
            validate_review("2026-01-18", &[], &[], "", "", "great"),
            "outcome",
        ),
        (
            validate_review("2026-01-18", &["a b".into()], &[], "", "", ""),
            "attendee_users",
        ),
        (
            validate_review("2026-01-18", &[], &["x:y".into()], "", "", ""),
            "attendee_stakeholders",
        ),
        (
            validate_review(
                "2026-01-18",
                &[],
                &[],
                &"s".repeat(MAX_MARKDOWN + 1),
                "",
                "",
            ),
            "summary",
        ),
    ];
    for (res, field) in cases {
        assert_eq!(res.expect_err(field).field_name(), Some(field));
    }
}

#[test]
fn retro_items_must_use_the_formats_columns() {
    let (c, t) = validate_retro_item(RetroFormat::FourLs, "lacked", " Test data ").expect("ok");
    assert_eq!((c, t.as_str()), (RetroColumn::Lacked, "Test data"));
    let e = validate_retro_item(RetroFormat::StartStopContinue, "went_well", "x").expect_err("col");
    assert_eq!(e.field_name(), Some("column"));
    let e = validate_retro_item(RetroFormat::StartStopContinue, "nope", "x").expect_err("col");
    assert_eq!(e.field_name(), Some("column"));
    let e = validate_retro_item(RetroFormat::StartStopContinue, "start", "  ").expect_err("text");
    assert_eq!(e.field_name(), Some("text"));
    assert_eq!(
        validate_retro("", "").expect("defaults"),
        (None, RetroFormat::StartStopContinue)
    );
    assert_eq!(
        validate_retro("", "agile").expect_err("fmt").field_name(),
        Some("format")
    );
}

#[test]
fn health_scores_are_one_to_five() {
    assert_eq!(parse_score("1").expect("1"), 1);
    assert_eq!(parse_score("5").expect("5"), 5);
    for bad in ["0", "6", "x", ""] {
        assert_eq!(parse_score(bad).expect_err(bad).field_name(), Some("score"));
    }
    assert_eq!(average(&[]), None);
    assert_eq!(average(&[2, 3, 5]), Some(10.0 / 3.0));
    assert_eq!(
        validate_question(" ").expect_err("q").field_name(),
        Some("question")
    );
}

#[test]
fn action_items_default_to_the_next_sprint() {
    let v = validate_action("Automate the data pull", "", "", 4).expect("valid");
    assert_eq!(v.due_sprint, 5);
    assert_eq!(v.owner, None);
    let v = validate_action("x", "u1", "9", 4).expect("valid");
    assert_eq!((v.owner.as_deref(), v.due_sprint), (Some("u1"), 9));
    assert_eq!(
        validate_action("", "", "", 1).expect_err("t").field_name(),
        Some("text")
    );
    assert_eq!(
        validate_action("x", "", "0", 1)
            .expect_err("d")
            .field_name(),
        Some("due_sprint")
    );
    assert_eq!(
        validate_action("x", "a:b", "", 1)
            .expect_err("o")
            .field_name(),
        Some("owner")
    );
    let today = d(2026, 2, 1);
    assert_eq!(closed_on_for(ActionStatus::Done, today), Some(today));
    assert_eq!(closed_on_for(ActionStatus::Dropped, today), Some(today));
    assert_eq!(closed_on_for(ActionStatus::Open, today), None);
    assert_eq!(
        parse_status("closed").expect_err("s").field_name(),
        Some("status")
    );
}
