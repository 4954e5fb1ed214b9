//! Checks the signals against the test vectors in `testdata/`: the sample workspace and the
//! signals that DESIGN.md's definitions give for it on two dates, computed independently.
//!
//! The expected files are a compact form of the API's answer: flags are listed by code (order
//! does not matter) and each scorecard entry by its level alone. Floats match to 1e-9.

#![cfg(feature = "ssr")]

use app::format::Workspace;
use app::signals::{compute, inputs_from_workspace};
use chrono::NaiveDate;
use serde_json::Value;

const WORKSPACE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/workspace-small.json"
));
const EXPECTED_2026_03_15: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/signals-small-2026-03-15.json"
));
const EXPECTED_2026_06_01: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/signals-small-2026-06-01.json"
));

const TOLERANCE: f64 = 1e-9;

/// Compares `actual` with `expected`, collecting one message per differing leaf.
fn compare(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (
                e.as_f64().unwrap_or(f64::NAN),
                a.as_f64().unwrap_or(f64::NAN),
            );
            let within = (e - a).abs() <= TOLERANCE;
            if !within {
                errors.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let child = format!("{path}.{key}");
                match a.get(key) {
                    Some(actual) => compare(&child, value, actual, errors),
                    None => errors.push(format!("{child}: missing")),
                }
            }
            for key in a.keys().filter(|key| !e.contains_key(*key)) {
                errors.push(format!("{path}.{key}: unexpected"));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), e, a, errors);
            }
        }
        _ if expected == actual => {}
        _ => errors.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

/// Turns the API answer into the compact form of the expected files.
fn compact(mut signals: Value) -> Value {
    let contact = &mut signals["end_user_contact"];
    let mut codes: Vec<Value> = contact["flags"]
        .as_array()
        .map(|flags| flags.iter().map(|flag| flag["code"].clone()).collect())
        .unwrap_or_default();
    codes.sort_by_key(|code| code.to_string());
    contact["flags"] = Value::Array(codes);
    if let Some(scorecard) = signals["scorecard"].as_object_mut() {
        for value in scorecard.values_mut() {
            if value.is_object() {
                *value = value["level"].clone();
            }
        }
    }
    if let Some(object) = signals.as_object_mut() {
        object.remove("definition_version");
    }
    signals
}

fn sort_flags(mut expected: Value) -> Value {
    if let Some(flags) = expected["end_user_contact"]["flags"].as_array_mut() {
        flags.sort_by_key(|code| code.to_string());
    }
    expected
}

fn check(expected_text: &str, as_of: &str) -> usize {
    let workspace: Workspace =
        serde_json::from_str(WORKSPACE).expect("workspace-small.json parses");
    let inputs = inputs_from_workspace(&workspace).expect("inputs build");
    let expected: Vec<Value> = serde_json::from_str(expected_text).expect("expected file parses");
    let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("date");
    assert_eq!(inputs.len(), expected.len(), "number of projects");

    let mut errors = Vec::new();
    for expected in &expected {
        let key = expected["project"].as_str().expect("project key");
        let Some(input) = inputs.iter().find(|input| input.key == key) else {
            errors.push(format!("{key}: not in the workspace"));
            continue;
        };
        let signals = compute(input, as_of);
        assert_eq!(signals.definition_version, 1);
        for (code, signal) in signals.scorecard.entries() {
            if signal.level != app::signals::Level::Green {
                assert!(
                    !signal.reasons.is_empty(),
                    "{key} {as_of}: {code} has no reasons"
                );
            }
        }
        for flag in &signals.end_user_contact.flags {
            assert!(
                !flag.reason.is_empty(),
                "{key} {as_of}: flag {:?} has no reason",
                flag.code
            );
        }
        let actual = compact(serde_json::to_value(&signals).expect("signals serialise"));
        compare(
            &format!("{key} @ {as_of}"),
            &sort_flags(expected.clone()),
            &actual,
            &mut errors,
        );
    }
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
    expected.len()
}

#[test]
fn vectors_as_of_2026_03_15() {
    assert_eq!(check(EXPECTED_2026_03_15, "2026-03-15"), 19);
}

#[test]
fn vectors_as_of_2026_06_01() {
    assert_eq!(check(EXPECTED_2026_06_01, "2026-06-01"), 19);
}
