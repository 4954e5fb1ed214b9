use super::*;
use chrono::NaiveDate;

fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    // December 2026: the 7th is a Monday.
    NaiveDate::from_ymd_opt(2026, 12, day)
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        .expect("a date")
}

fn signals(contact: &str, cadence: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("End-user contact".to_string(), contact.to_string()),
        ("Cadence".to_string(), cadence.to_string()),
    ])
}

fn project(key: &str) -> DigestProject {
    DigestProject {
        key: key.into(),
        name: format!("Project {key}"),
        signals: signals("In contact", "Green"),
        ..DigestProject::default()
    }
}

fn item(id: &str) -> Item {
    Item {
        id: id.into(),
        text: format!("item {id}"),
    }
}

#[test]
fn daily_digests_are_due_once_after_eight() {
    let f = DigestFrequency::Daily;
    assert_eq!(slot(f, at(9, 7, 59)), Some(at(8, 8, 0)));
    assert_eq!(slot(f, at(9, 8, 0)), Some(at(9, 8, 0)));
    // Sent yesterday at 08:00: due again from 08:00 today, not before.
    assert!(!due(f, at(9, 7, 59), at(8, 8, 0)));
    assert!(due(f, at(9, 8, 0), at(8, 8, 0)));
    assert!(!due(f, at(9, 8, 1), at(9, 8, 0)));
    // Chosen at 15:00: the first digest is the next morning's.
    assert!(!due(f, at(9, 23, 0), at(9, 15, 0)));
    assert!(due(f, at(10, 8, 30), at(9, 15, 0)));
}

#[test]
fn weekly_digests_go_out_on_monday_mornings() {
    let f = DigestFrequency::Weekly;
    assert_eq!(slot(f, at(7, 8, 0)), Some(at(7, 8, 0)));
    assert_eq!(
        slot(f, at(7, 7, 0)),
        Some(at(30, 8, 0) - Duration::days(30))
    );
    assert_eq!(slot(f, at(13, 20, 0)), Some(at(7, 8, 0)));
    assert!(due(f, at(14, 8, 0), at(7, 8, 0)));
    assert!(!due(f, at(13, 23, 59), at(7, 8, 0)));
    assert!(slot(DigestFrequency::Off, at(7, 9, 0)).is_none());
    assert!(!due(DigestFrequency::Off, at(7, 9, 0), at(1, 0, 0)));
}

#[test]
fn choices_round_trip() {
    for f in FeedbackAlert::ALL {
        assert_eq!(FeedbackAlert::parse(f.as_str()), Some(*f));
    }
    for f in DigestFrequency::ALL {
        assert_eq!(DigestFrequency::parse(f.as_str()), Some(*f));
    }
    assert_eq!(DigestFrequency::parse("hourly"), None);
}

#[test]
fn nothing_is_sent_when_nothing_changed() {
    // A first digest of quiet projects says nothing.
    assert_eq!(
        compose(vec![project("a"), project("b")], &DigestState::new()),
        None
    );
    // The same lacking project, the same overdue item and interview as last time: nothing.
    let mut p = project("a");
    p.lacking = true;
    p.signals = signals("Lacking", "Green");
    p.overdue = vec![item("x")];
    p.interviews = vec![item("i")];
    let first = compose(vec![p.clone()], &DigestState::new()).expect("a first digest");
    assert_eq!(compose(vec![p], &first.state), None);
}

#[test]
fn changed_signals_are_listed_with_before_and_after() {
    let previous = compose(
        vec![DigestProject {
            lacking: true,
            signals: signals("Lacking", "Amber"),
            ..project("a")
        }],
        &DigestState::new(),
    )
    .expect("first")
    .state;
    let digest = compose(vec![project("a"), project("b")], &previous).expect("a change");
    assert_eq!(digest.sections.len(), 1, "b has nothing to say");
    let a = &digest.sections[0];
    assert_eq!(a.key, "a");
    assert!(!a.lacking);
    assert_eq!(
        a.changes,
        vec![
            SignalChange {
                signal: "Cadence".into(),
                before: "Amber".into(),
                after: "Green".into()
            },
            SignalChange {
                signal: "End-user contact".into(),
                before: "Lacking".into(),
                after: "In contact".into()
            },
        ]
    );
    assert!(digest.state.contains_key("b"));
}

#[test]
fn new_feedback_is_counted_with_its_first_lines() {
    let mut p = project("a");
    p.new_feedback = vec![
        "\n  First line\nsecond".into(),
        "Two".into(),
        "Three".into(),
        "Four".into(),
    ];
    let d = compose(vec![p.clone()], &DigestState::new()).expect("feedback is news");
    assert_eq!(d.sections[0].new_feedback, 4);
    assert_eq!(
        d.sections[0].feedback_lines,
        vec!["First line", "Two", "Three"]
    );
    // The same state with feedback again is still news; without it, it is not.
    assert!(compose(vec![p.clone()], &d.state).is_some());
    p.new_feedback.clear();
    assert_eq!(compose(vec![p], &d.state), None);
}

#[test]
fn a_new_overdue_item_or_interview_is_news() {
    let base = compose(
        vec![DigestProject {
            overdue: vec![item("x")],
            ..project("a")
        }],
        &DigestState::new(),
    )
    .expect("first")
    .state;
    let more = DigestProject {
        overdue: vec![item("x"), item("y")],
        ..project("a")
    };
    let d = compose(vec![more], &base).expect("a new overdue item");
    assert_eq!(d.sections[0].overdue, vec!["item x", "item y"]);
    let meeting = DigestProject {
        overdue: vec![item("x")],
        interviews: vec![item("i")],
        ..project("a")
    };
    assert_eq!(
        compose(vec![meeting], &base)
            .expect("an interview")
            .sections[0]
            .interviews,
        vec!["item i"]
    );
}

#[test]
fn long_first_lines_are_cut() {
    let long = "word ".repeat(60);
    let line = first_line(&long);
    assert_eq!(line.chars().count(), MAX_LINE);
    assert!(line.ends_with('…'));
    assert_eq!(first_line(""), "");
}
