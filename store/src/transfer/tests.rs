//! Tests of export, validation, import and the demo data.

use crate::db::{Db, rid};
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::Value;

use super::*;
use domain::format::generate::{Sizes, generate};
use domain::signals::{Level, compute, inputs_from_workspace};

const SMALL: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/workspace-small.json"
));

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
}

async fn fresh(name: &str) -> Db {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    db
}

fn small() -> Workspace {
    parse_workspace(SMALL).expect("the example parses")
}

/// Replaces local ids by what identifies a record across installations and sorts every array,
/// so that two exports of the same data compare equal.
fn normalise(ws: &Workspace) -> Value {
    let users: HashMap<&str, String> = ws
        .users
        .iter()
        .map(|u| (u.id.as_str(), format!("user:{}", u.email)))
        .collect();
    let people: HashMap<&str, String> = ws
        .stakeholders
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                format!(
                    "stakeholder:{}|{}|{}|{}",
                    s.name,
                    s.organization,
                    s.email.clone().unwrap_or_default(),
                    s.function
                ),
            )
        })
        .collect();
    let projects: HashMap<&str, String> = ws
        .projects
        .iter()
        .map(|p| (p.id.as_str(), format!("project:{}", p.key)))
        .collect();
    let u = |id: &String| {
        users
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.clone())
    };
    let st = |id: &String| {
        people
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.clone())
    };
    let mut ws = ws.clone();
    for x in &mut ws.users {
        x.id = u(&x.id);
    }
    for x in &mut ws.stakeholders {
        x.id = st(&x.id);
        x.projects = x
            .projects
            .iter()
            .map(|p| projects.get(p.as_str()).cloned().unwrap_or_default())
            .collect();
    }
    for p in &mut ws.projects {
        p.id = format!("project:{}", p.key);
        p.lead = p.lead.as_ref().map(u);
        for m in &mut p.members {
            m.user = u(&m.user);
        }
        for e in p.readiness.values_mut() {
            e.owner = e.owner.as_ref().map(u);
        }
        for s in &mut p.sprints {
            if let Some(r) = &mut s.review {
                r.attendee_users = r.attendee_users.iter().map(u).collect();
                r.attendee_stakeholders = r.attendee_stakeholders.iter().map(st).collect();
            }
            if let Some(r) = &mut s.retro {
                for a in &mut r.action_items {
                    a.owner = a.owner.as_ref().map(u);
                }
            }
        }
        for i in &mut p.interviews {
            i.id = String::new();
            i.participants = i.participants.iter().map(st).collect();
            i.interviewers = i.interviewers.iter().map(u).collect();
        }
        for f in &mut p.feedback {
            f.id = String::new();
            f.stakeholder = f.stakeholder.as_ref().map(st);
        }
        for d in &mut p.dq_issues {
            d.id = String::new();
            d.reporter = d.reporter.as_ref().map(u);
            d.source_owner = d.source_owner.as_ref().map(st);
        }
    }
    let mut value = serde_json::to_value(&ws).expect("json");
    sort_arrays(&mut value);
    value
}

fn sort_arrays(v: &mut Value) {
    match v {
        Value::Array(items) => {
            for item in items.iter_mut() {
                sort_arrays(item);
            }
            items.sort_by_key(|item| item.to_string());
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                sort_arrays(item);
            }
        }
        _ => {}
    }
}

async fn round_trip(ws: &Workspace, name: &str) {
    let a = fresh(&format!("{name}_a")).await;
    import(&a, ws, false).await.expect("first import");
    let first = export(&a).await.expect("first export");
    assert!(validate(&first).is_empty(), "{:?}", validate(&first));
    let b = fresh(&format!("{name}_b")).await;
    import(&b, &first, false).await.expect("second import");
    let second = export(&b).await.expect("second export");
    assert_same(&first, &second);
    assert_eq!(first.projects.len(), ws.projects.len());
}

/// Asserts that two workspaces are the same but for ids and the order of arrays, naming the
/// first difference.
fn assert_same(first: &Workspace, second: &Workspace) {
    let (x, y) = (normalise(first), normalise(second));
    if x != y {
        let xs = serde_json::to_string_pretty(&x).expect("json");
        let ys = serde_json::to_string_pretty(&y).expect("json");
        let diff = xs
            .lines()
            .zip(ys.lines())
            .enumerate()
            .find(|(_, (l, r))| l != r)
            .map(|(i, (l, r))| format!("line {i}: {l} != {r}"));
        panic!("the exports differ: {diff:?}");
    }
}

/// Each stakeholder's project links as the directory's choices read them: one
/// `stakeholder_link` per distinct project of each stakeholder.
async fn assert_links_follow_the_stakeholders(db: &Db) {
    let mut res = db
        .query(
            "RETURN count(SELECT id FROM stakeholder_link);
             RETURN math::sum(SELECT VALUE array::len(array::distinct(projects)) FROM stakeholder);
             RETURN count(SELECT id FROM stakeholder_link
                 WHERE stakeholder.projects CONTAINS project = false);",
        )
        .await
        .expect("links")
        .check()
        .expect("counted");
    let links: Option<i64> = res.take(0).expect("links");
    let expected: Option<i64> = res.take(1).expect("expected");
    let stray: Option<i64> = res.take(2).expect("stray");
    assert!(expected.unwrap_or(0) > 0, "the workspace links people");
    assert_eq!(links, expected);
    assert_eq!(stray, Some(0));
}

#[tokio::test]
async fn the_small_example_imports_cleanly_with_matching_counts() {
    let ws = small();
    assert_eq!(validate(&ws), Vec::<ImportIssue>::new());
    let db = fresh("transfer_small").await;
    let summary = import(&db, &ws, false).await.expect("import");
    let sprints: usize = ws.projects.iter().map(|p| p.sprints.len()).sum();
    let feedback: usize = ws.projects.iter().map(|p| p.feedback.len()).sum();
    let interviews: usize = ws.projects.iter().map(|p| p.interviews.len()).sum();
    let issues: usize = ws.projects.iter().map(|p| p.dq_issues.len()).sum();
    assert_eq!(summary.users_created, ws.users.len());
    assert_eq!(summary.stakeholders_created, ws.stakeholders.len());
    assert_eq!(summary.projects, ws.projects.len());
    assert_eq!(summary.sprints, sprints);
    assert_eq!(summary.feedback, feedback);
    assert_eq!(summary.interviews, interviews);
    assert_eq!(summary.dq_issues, issues);
    let counts = table_counts(&db).await.expect("counts");
    assert_eq!(counts["user"], i64::try_from(ws.users.len()).expect("n"));
    assert_eq!(counts["project"], 19);
    assert_eq!(counts["sprint"], i64::try_from(sprints).expect("n"));
    assert_eq!(counts["feedback"], i64::try_from(feedback).expect("n"));
    assert_eq!(counts["interview"], i64::try_from(interviews).expect("n"));
    assert_eq!(counts["dq_issue"], i64::try_from(issues).expect("n"));
    // Imported records look like the UI's: the sprint counter, array ids, no credentials.
    let mut res = db
        .query(
            "SELECT VALUE last_sprint_number FROM ONLY project:`proj-0-regular`;
             SELECT VALUE number FROM sprint WHERE project = project:`proj-0-regular` ORDER BY number DESC LIMIT 1;
             SELECT VALUE password_hash FROM user;
             SELECT VALUE time_zone FROM ONLY setting:workspace;",
        )
        .await
        .expect("query")
        .check()
        .expect("check");
    let last: Option<i64> = res.take(0).expect("last");
    let top: Vec<i64> = res.take(1).expect("top");
    let hashes: Vec<Option<String>> = res.take(2).expect("hashes");
    let zone: Option<String> = res.take(3).expect("zone");
    assert_eq!(last, top.first().copied());
    assert!(hashes.iter().all(Option::is_none));
    assert_eq!(zone.as_deref(), Some("America/New_York"));
    let next = crate::sprints::SprintRepo::new(db.clone())
        .next_number("proj-0-regular")
        .await
        .expect("next");
    assert_eq!(i64::from(next), last.expect("counter") + 1);
    assert_links_follow_the_stakeholders(&db).await;
}

#[tokio::test]
async fn the_small_example_survives_a_round_trip() {
    round_trip(&small(), "transfer_rt_small").await;
}

#[tokio::test]
async fn the_generated_demo_survives_a_round_trip() {
    round_trip(&generate(&Sizes::DEMO, 7, today()), "transfer_rt_generated").await;
}

#[tokio::test]
async fn the_hand_made_demo_survives_a_round_trip() {
    round_trip(&demo_workspace(today()), "transfer_rt_demo").await;
}

#[test]
fn validation_reports_every_error_with_its_path() {
    let mut ws = small();
    ws.projects[0].sprints[3].end_on =
        ws.projects[0].sprints[3].start_on - chrono::Duration::days(1);
    ws.projects[1].lead = Some("u404".into());
    ws.projects[2].key = ws.projects[0].key.clone();
    ws.projects[3].feedback[0].rating = Some(9);
    ws.users[1].email = ws.users[0].email.to_uppercase();
    ws.version = 2;
    let issues: Vec<String> = validate(&ws).iter().map(ToString::to_string).collect();
    let key = &ws.projects[0].key;
    for expected in [
        "projects[0].sprints[3].end_on: before start_on".to_string(),
        "projects[1].lead: unknown user `u404`".to_string(),
        format!("projects[2].key: duplicate project key `{key}` (also projects[0])"),
        "projects[3].feedback[0].rating: must be from 1 to 5".to_string(),
        "users[1].email: duplicate email (also users[0])".to_string(),
        "version: this version of Touchpoint reads version 1, not 2".to_string(),
    ] {
        assert!(issues.contains(&expected), "{expected} not in {issues:#?}");
    }
    assert_eq!(issues.len(), 6, "{issues:#?}");
}

#[test]
fn validation_checks_references_and_field_rules() {
    let json = r#"{ "format": "touchpoint-workspace", "version": 1,
        "settings": { "time_zone": "Mars/Olympus" },
        "users": [ { "id": "u1", "email": "a@example.org", "name": "A" } ],
        "stakeholders": [ { "id": "s1", "name": "S", "function": "end_user", "projects": ["p9"],
                            "attributes": { "background": "rural" } } ],
        "projects": [ { "id": "p1", "key": "New", "name": "", "started_on": "2026-01-05",
            "target_iteration_days": 50,
            "sprints": [ { "number": 1, "start_on": "2026-01-05", "end_on": "2026-03-05",
                           "retro": { "held_on": "2026-03-06", "format": "four_ls",
                                      "items": [ { "column": "start", "text": "x" } ],
                                      "health": [ { "question": "Q", "scores": [0, 6] } ] } },
                         { "number": 1, "start_on": "2026-03-06", "end_on": "2026-03-10" } ],
            "interviews": [ { "id": "i1", "participants": ["s2"], "scheduled_at": "2026-01-10T15:00:00Z",
                              "duration_min": 2, "time_zone": "Nowhere/Land" } ],
            "feedback": [ { "id": "f1", "sprint": 7, "submitted_at": "2026-01-20T09:30:00Z", "rating": 3,
                            "addressed_in": 1, "status": "new" } ],
            "dq_issues": [ { "id": "d1", "dataset": "x", "severity": "high", "opened_on": "2026-02-01",
                             "status": "resolved", "reporter": "u2" },
                           { "id": "d1", "dataset": "y", "severity": "low", "opened_on": "2026-02-01",
                             "status": "open", "resolved_on": "2026-01-01",
                             "reported_upstream_on": "2026-01-15" } ] } ] }"#;
    let ws = parse_workspace(json).expect("parses");
    let issues: Vec<String> = validate(&ws).iter().map(ToString::to_string).collect();
    for expected in [
        "settings.time_zone: unknown time zone `Mars/Olympus`",
        "stakeholders[0].projects[0]: unknown project `p9`",
        "stakeholders[0].attributes: self-described attributes are kept only with a consent date (consented_on)",
        "projects[0].name: must not be empty",
        "projects[0].target_iteration_days: must be from 1 to 42",
        "projects[0].sprints[0].end_on: a sprint lasts at most 42 days; this one lasts 60",
        "projects[0].sprints[1].number: duplicate sprint number 1 (also sprints[0])",
        "projects[0].sprints[0].retro.items[0].column: `start` is not a column of the four_ls format",
        "projects[0].sprints[0].retro.health[0].scores[0]: must be from 1 to 5",
        "projects[0].sprints[0].retro.health[0].scores[1]: must be from 1 to 5",
        "projects[0].interviews[0].participants[0]: unknown stakeholder `s2`",
        "projects[0].interviews[0].duration_min: must be from 5 to 480 minutes",
        "projects[0].interviews[0].time_zone: unknown time zone `Nowhere/Land`",
        "projects[0].feedback[0].sprint: no sprint 7 in this project",
        "projects[0].feedback[0].addressed_in: only planned or addressed feedback names the sprint that addressed it",
        "projects[0].dq_issues[0].reporter: unknown user `u2`",
        "projects[0].dq_issues[0].resolved_on: required when the status is resolved",
        "projects[0].dq_issues[1].id: duplicate data-quality issue id `d1`",
        "projects[0].dq_issues[1].resolved_on: only resolved or won't-fix issues have this date",
        "projects[0].dq_issues[1].reported_upstream_on: before opened_on",
    ] {
        assert!(
            issues.iter().any(|i| i == expected),
            "{expected} not in {issues:#?}"
        );
    }
    assert!(
        issues.iter().any(|i| i.starts_with("projects[0].key: ")),
        "{issues:#?}"
    );
}

#[test]
fn parse_errors_name_their_path() {
    let json = r#"{ "projects": [ { "id": "p1", "key": "a1", "name": "A", "started_on": "2026-01-05",
        "sprints": [ { "number": 1, "start_on": "2026-01-05", "end_on": "not a date" } ] } ] }"#;
    let issue = parse_workspace(json).expect_err("bad date");
    assert_eq!(issue.path, "projects[0].sprints[0].end_on");
    let issue = parse_workspace("{ nope").expect_err("bad json");
    assert_eq!(issue.path, "$");
}

#[tokio::test]
async fn a_failure_part_way_leaves_nothing_behind() {
    let db = fresh("transfer_atomic").await;
    let ws = small();
    let before = table_counts(&db).await.expect("counts");
    // A readiness checklist already exists for one of the file's projects, so the bulk insert of
    // readiness rows fails after users, stakeholders, projects and memberships were written.
    let key = ws
        .projects
        .iter()
        .find(|p| !p.readiness.is_empty())
        .map(|p| p.key.clone())
        .expect("a project with readiness");
    db.query("CREATE $id CONTENT { project: $project, items: {}, created_at: time::now(), updated_at: time::now() }")
        .bind(("id", rid("readiness", &key)))
        .bind(("project", rid("project", &key)))
        .await
        .expect("query")
        .check()
        .expect("orphan");
    let err = import(&db, &ws, false)
        .await
        .expect_err("the readiness insert collides");
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    let mut after = table_counts(&db).await.expect("counts");
    assert_eq!(after.remove("readiness"), Some(1));
    let mut before = before;
    before.remove("readiness");
    assert_eq!(before, after);

    // A statement that fails at the very end cancels everything too.
    db.query("DELETE readiness")
        .await
        .expect("query")
        .check()
        .expect("clean");
    let err = import_with(&db, &ws, false, "THROW 'stop';\n", TX_ROWS)
        .await
        .expect_err("thrown");
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    assert_eq!(
        table_counts(&db)
            .await
            .expect("counts")
            .values()
            .sum::<i64>(),
        0
    );
}

#[tokio::test]
async fn replace_is_needed_and_replaces_rather_than_doubles() {
    let db = fresh("transfer_replace").await;
    let mut ws = small();
    ws.projects.truncate(2);
    let kept: std::collections::HashSet<String> =
        ws.projects.iter().map(|p| p.id.clone()).collect();
    for s in &mut ws.stakeholders {
        s.projects.retain(|p| kept.contains(p));
    }
    import(&db, &ws, false).await.expect("first");
    let first = table_counts(&db).await.expect("counts");

    let err = import(&db, &ws, false).await.expect_err("keys taken");
    let ImportError::Invalid(issues) = err else {
        panic!("expected issues");
    };
    assert_eq!(
        issues.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(),
        vec!["projects[0].key", "projects[1].key"]
    );
    assert_eq!(table_counts(&db).await.expect("counts"), first);

    // With replace: the same counts, users and stakeholders matched, project records replaced.
    let mut changed = ws.clone();
    changed.projects[0].name = "Renamed".into();
    changed.projects[0].feedback.truncate(1);
    let summary = import(&db, &changed, true).await.expect("replace");
    assert_eq!(summary.projects_replaced, 2);
    assert_eq!(summary.users_matched, ws.users.len());
    assert_eq!(summary.users_created, 0);
    assert_eq!(summary.stakeholders_created, 0);
    let after = table_counts(&db).await.expect("counts");
    let dropped = i64::try_from(ws.projects[0].feedback.len() - 1).expect("n");
    let mut expected: BTreeMap<String, i64> = first.clone();
    *expected.get_mut("feedback").expect("feedback") -= dropped;
    assert_eq!(after, expected);
    let exported = export(&db).await.expect("export");
    let p = exported
        .projects
        .iter()
        .find(|p| p.key == ws.projects[0].key)
        .expect("project");
    assert_eq!(p.name, "Renamed");
    assert_eq!(p.feedback.len(), 1);
    assert_links_follow_the_stakeholders(&db).await;
}

fn levels(ws: &Workspace, as_of: NaiveDate) -> BTreeMap<&'static str, Vec<Level>> {
    let inputs = inputs_from_workspace(ws).expect("inputs");
    let mut out: BTreeMap<&'static str, Vec<Level>> = BTreeMap::new();
    for input in &inputs {
        let s = compute(input, as_of);
        out.entry("cadence").or_default().push(s.cadence.status);
        out.entry("diversity").or_default().push(s.diversity.status);
        for (code, signal) in s.scorecard.entries() {
            out.entry(code).or_default().push(signal.level);
        }
    }
    out
}

#[test]
fn the_demo_shows_every_signal_state() {
    for day in [today(), NaiveDate::from_ymd_opt(2027, 3, 1).expect("date")] {
        let ws = demo_workspace(day);
        assert_eq!(validate(&ws), Vec::<ImportIssue>::new());
        assert!((6..=8).contains(&ws.projects.len()));
        let levels = levels(&ws, day);
        for (signal, seen) in &levels {
            for level in [Level::Green, Level::Amber, Level::Red] {
                assert!(seen.contains(&level), "{signal} never {level:?}: {seen:?}");
            }
        }
        assert!(levels["cadence"].contains(&Level::InsufficientData));
        assert!(levels["diversity"].contains(&Level::InsufficientData));
        // Contact (M2) lost on one project, an amber flag on another, fine on a third.
        let inputs = inputs_from_workspace(&ws).expect("inputs");
        let lacking = inputs
            .iter()
            .filter(|i| compute(i, day).end_user_contact.lacking)
            .count();
        assert!(lacking >= 1);
        // ML not needed, with a baseline, is green for M5.
        let no_ml = ws
            .projects
            .iter()
            .position(|p| {
                p.ml_needed == domain::format::MlNeeded::No && !p.baseline_considered.is_empty()
            })
            .expect("a project without ML");
        assert_eq!(
            compute(&inputs[no_ml], day).scorecard.m5_beyond_ml.level,
            Level::Green
        );
        // Feedback in several statuses; interviews before and after today.
        let statuses: std::collections::HashSet<_> = ws
            .projects
            .iter()
            .flat_map(|p| p.feedback.iter().map(|f| f.status))
            .collect();
        assert_eq!(statuses.len(), 5);
        let interviews: Vec<_> = ws.projects.iter().flat_map(|p| &p.interviews).collect();
        assert!(interviews.iter().any(|i| i.scheduled_at.date_naive() > day));
        assert!(interviews.iter().any(|i| i.scheduled_at.date_naive() < day));
    }
}

#[tokio::test]
async fn the_demo_loads_with_a_random_admin_password() {
    let db = fresh("transfer_demo_load").await;
    let first = load_demo(&db, DemoScale::Normal).await.expect("demo");
    assert!(first.admin_created);
    assert_eq!(first.admin_email, "demo-admin@example.org");
    assert!(first.admin_password.len() >= 20);
    assert_eq!(first.import.projects, 7);
    let repo = crate::auth::AuthRepo::new(db.clone());
    let admin = repo
        .user_by_email("demo-admin@example.org")
        .await
        .expect("query")
        .expect("admin");
    assert_eq!(admin.role(), domain::auth::Role::Admin);
    assert!(!admin.must_change_password);
    assert!(
        crate::secrets::verify_password(first.admin_password.clone(), admin.password_hash).await
    );
    // A second load is refused (the keys exist) and leaves the workspace as it was.
    let counts = table_counts(&db).await.expect("counts");
    let e = load_demo(&db, DemoScale::Normal).await.expect_err("again");
    assert_eq!(e.code(), "conflict");
    assert_eq!(table_counts(&db).await.expect("counts"), counts);
}

#[tokio::test]
async fn a_split_import_is_compensated_when_a_later_batch_fails() {
    let ws = small();
    // Split into transactions of 50 rows: the readiness rows come in a later transaction than
    // the users, stakeholders and projects, and the last one throws.
    let db = fresh("transfer_split_fail").await;
    let err = import_with(&db, &ws, false, "THROW 'stop';\n", 50)
        .await
        .expect_err("thrown");
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    assert_eq!(
        table_counts(&db)
            .await
            .expect("counts")
            .values()
            .sum::<i64>(),
        0,
        "the earlier batches were deleted again"
    );
    // Split and successful: the same rows as one transaction.
    let split = fresh("transfer_split_ok").await;
    import_with(&split, &ws, false, "", 50)
        .await
        .expect("split import");
    let whole = fresh("transfer_split_whole").await;
    import(&whole, &ws, false).await.expect("whole import");
    assert_eq!(
        table_counts(&split).await.expect("counts"),
        table_counts(&whole).await.expect("counts")
    );
    assert_eq!(
        normalise(&export(&split).await.expect("export")),
        normalise(&export(&whole).await.expect("export"))
    );
}

// ---- the stream path ---------------------------------------------------------------------------

/// A file in a fresh temporary directory, deleted with it on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "touchpoint-transfer-{name}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("workspace.json");
        std::fs::write(&path, text).expect("write the file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A generated workspace of `projects` small projects, valid and with every kind of record.
fn generated(projects: usize) -> Workspace {
    generate(
        &Sizes {
            projects,
            ..Sizes::DEMO
        },
        11,
        today(),
    )
}

fn total(counts: &BTreeMap<String, i64>) -> i64 {
    counts.values().sum()
}

async fn import_path(
    db: &Db,
    file: &TempFile,
    extra: &str,
    tx_rows: usize,
) -> Result<ImportSummary, ImportError> {
    write::run(db, source::JsonFile(file.0.clone()), false, extra, tx_rows).await
}

#[tokio::test]
async fn a_file_imports_as_a_stream_like_the_same_workspace_in_memory() {
    let ws = generated(12);
    let file = TempFile::new("same", &serde_json::to_string_pretty(&ws).expect("json"));
    let streamed = fresh("transfer_stream_file").await;
    let summary = import_file(&streamed, &file.0, false, 100)
        .await
        .expect("the file imports");
    assert_eq!(summary.projects, 12);
    let memory = fresh("transfer_stream_memory").await;
    assert_eq!(import(&memory, &ws, false).await.expect("import"), summary);
    assert_eq!(
        table_counts(&streamed).await.expect("counts"),
        table_counts(&memory).await.expect("counts")
    );
    assert_eq!(
        normalise(&export(&streamed).await.expect("export")),
        normalise(&export(&memory).await.expect("export"))
    );
}

#[tokio::test]
async fn a_file_that_lists_its_people_after_its_projects_is_checked_and_imported() {
    let mut ws = generated(4);
    // A feedback item of the last project names a stakeholder the file does not have: found
    // only once the stakeholders, which come last, are known.
    ws.projects[3].feedback[2].stakeholder = Some("s404".into());
    let json = |ws: &Workspace| {
        format!(
            r#"{{ "projects": {}, "settings": {}, "stakeholders": {}, "users": {}, "version": 1 }}"#,
            serde_json::to_string(&ws.projects).expect("json"),
            serde_json::to_string(&ws.settings).expect("json"),
            serde_json::to_string(&ws.stakeholders).expect("json"),
            serde_json::to_string(&ws.users).expect("json"),
        )
    };
    let db = fresh("transfer_stream_order").await;
    let file = TempFile::new("order-bad", &json(&ws));
    let Err(ImportError::Invalid(issues)) = import_file(&db, &file.0, false, TX_ROWS).await else {
        panic!("the unknown stakeholder is found");
    };
    assert_eq!(
        issues.iter().map(ToString::to_string).collect::<Vec<_>>(),
        vec!["projects[3].feedback[2].stakeholder: unknown stakeholder `s404`"]
    );
    assert_eq!(total(&table_counts(&db).await.expect("counts")), 0);

    ws.projects[3].feedback[2].stakeholder = Some(ws.stakeholders[0].id.clone());
    let file = TempFile::new("order-good", &json(&ws));
    let summary = import_file(&db, &file.0, false, TX_ROWS)
        .await
        .expect("imports");
    assert_eq!(summary.projects, 4);
    assert_eq!(summary.stakeholders_created, ws.stakeholders.len());
}

#[tokio::test]
async fn a_file_with_an_error_deep_in_its_projects_is_refused_with_its_path_and_writes_nothing() {
    let db = fresh("transfer_stream_deep").await;
    let ws = generated(30);
    let last = ws.projects.len() - 1;

    // A value of the wrong type, in the last project: a parse error at its path.
    let mut value = serde_json::to_value(&ws).expect("json");
    value["projects"][last]["sprints"][5]["end_on"] = Value::from("not a date");
    let file = TempFile::new("deep-type", &value.to_string());
    let Err(ImportError::Invalid(issues)) = import_file(&db, &file.0, false, 50).await else {
        panic!("the bad date is refused");
    };
    assert_eq!(
        issues[0].path,
        format!("projects[{last}].sprints[5].end_on")
    );
    assert!(issues[0].message.contains("line"), "{}", issues[0]);

    // A rule broken deep in the last project, and one in a stakeholder (listed before the
    // projects): both found, with their paths.
    let mut bad = ws.clone();
    bad.projects[last].feedback[7].rating = Some(9);
    bad.stakeholders[1].projects.push("p404".into());
    let file = TempFile::new("deep-rule", &serde_json::to_string(&bad).expect("json"));
    let Err(ImportError::Invalid(issues)) = import_file(&db, &file.0, false, 50).await else {
        panic!("the rating is refused");
    };
    let found: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let j = bad.stakeholders[1].projects.len() - 1;
    assert_eq!(
        found,
        vec![
            format!("stakeholders[1].projects[{j}]: unknown project `p404`"),
            format!("projects[{last}].feedback[7].rating: must be from 1 to 5"),
        ]
    );

    // Not JSON at all, or cut off: one problem, at the whole document or where it broke.
    let text = serde_json::to_string(&ws).expect("json");
    let file = TempFile::new("cut", &text[..text.len() * 2 / 3]);
    let Err(ImportError::Invalid(issues)) = import_file(&db, &file.0, false, 50).await else {
        panic!("a cut-off file is refused");
    };
    assert!(issues[0].path.starts_with("projects["), "{issues:?}");
    let missing = std::env::temp_dir().join("touchpoint-no-such-workspace.json");
    let Err(ImportError::Invalid(issues)) = import_file(&db, &missing, false, 50).await else {
        panic!("a missing file is refused");
    };
    assert_eq!(issues[0].path, "$");

    assert_eq!(
        total(&table_counts(&db).await.expect("counts")),
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_failure_in_a_late_batch_of_a_file_import_leaves_the_workspace_as_it_was() {
    let db = fresh("transfer_stream_late").await;
    // What is there already: a project, its users and stakeholders, which the file matches.
    let mut first = generated(1);
    first.projects[0].key = "already-here".into();
    import(&db, &first, false).await.expect("first import");
    let before = table_counts(&db).await.expect("counts");
    let before_export = normalise(&export(&db).await.expect("export"));
    let ws = generated(20);
    let file = TempFile::new("late", &serde_json::to_string(&ws).expect("json"));
    // A record is in the way of the readiness checklist of the file's second-to-last project,
    // so that its insert fails after many batches of 50 rows were committed.
    let late = &ws.projects[18];
    assert!(
        !late.readiness.is_empty(),
        "the late project has a checklist"
    );
    db.query("CREATE $id CONTENT { project: project:elsewhere, items: {}, created_at: time::now(), updated_at: time::now() }")
        .bind(("id", rid("readiness", &late.key)))
        .await
        .expect("query")
        .check()
        .expect("in the way");
    let err = import_path(&db, &file, "", 50)
        .await
        .expect_err("the late readiness insert collides");
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    let mut after = table_counts(&db).await.expect("counts");
    assert_eq!(after.remove("readiness"), Some(before["readiness"] + 1));
    let mut expected = before.clone();
    expected.remove("readiness");
    assert_eq!(after, expected, "every committed batch was undone");
    let first_key = ws.projects[0].key.clone();
    let after_late = project_revision(&db, &first_key).await;

    // A failure in the very last transaction (after every project was written) is undone too.
    db.query("DELETE readiness WHERE project = project:elsewhere")
        .await
        .expect("query")
        .check()
        .expect("clean");
    let err = import_path(&db, &file, "THROW 'stop';\n", 50)
        .await
        .expect_err("thrown");
    assert!(matches!(err, ImportError::Db(_)), "{err}");
    assert_eq!(table_counts(&db).await.expect("counts"), before);
    assert_eq!(
        normalise(&export(&db).await.expect("export")),
        before_export,
        "the workspace is as it was, stakeholder links included"
    );
    let after_last = project_revision(&db, &first_key).await;

    // And the same file, without the failure, lands whole.
    let summary = import_path(&db, &file, "", 50).await.expect("imports");
    assert_eq!(summary.projects, 20);
    assert_eq!(summary.users_matched, ws.users.len());
    assert_eq!(summary.stakeholders_matched, ws.stakeholders.len());
    // An import moves a project's counter once, in the transaction that holds its last rows
    // (two transactions beside each other that both moved it would conflict): for a project
    // the file's people are linked to, the last transaction, which writes those links. The
    // undo moves it once for each of the `k` committed transactions that held its rows; the
    // failed imports never reached their last transaction, so only their undo moved it.
    let first_id = &ws.projects[0].id;
    assert!(
        ws.stakeholders
            .iter()
            .any(|s| s.projects.contains(first_id)),
        "people are linked to the first project"
    );
    let moved = project_revision(&db, &first_key).await - after_last;
    assert_eq!(moved, 1, "one move per import");
    let k = after_late;
    assert!(k > 1, "the first project spans transactions of 50 rows");
    assert_eq!(after_last, 2 * k);
}

async fn project_revision(db: &Db, key: &str) -> i64 {
    let mut res = db
        .query("SELECT VALUE n FROM type::record('revision', $key)")
        .bind(("key", key.to_string()))
        .await
        .expect("query")
        .check()
        .expect("check");
    let n: Vec<i64> = res.take(0).expect("n");
    n.first().copied().unwrap_or(0)
}

#[tokio::test]
async fn replace_through_a_file_replaces_project_by_project() {
    let db = fresh("transfer_stream_replace").await;
    let ws = generated(6);
    import(&db, &ws, false).await.expect("first");
    let first = table_counts(&db).await.expect("counts");
    let mut changed = ws.clone();
    changed.projects[5].name = "Renamed".into();
    changed.projects[5].feedback.truncate(2);
    let dropped = i64::try_from(ws.projects[5].feedback.len() - 2).expect("n");
    let file = TempFile::new("replace", &serde_json::to_string(&changed).expect("json"));
    let Err(ImportError::Invalid(issues)) = import_file(&db, &file.0, false, 40).await else {
        panic!("existing keys are refused");
    };
    assert_eq!(issues.len(), 6);
    let summary = import_file(&db, &file.0, true, 40).await.expect("replace");
    assert_eq!(summary.projects_replaced, 6);
    let mut expected = first.clone();
    *expected.get_mut("feedback").expect("feedback") -= dropped;
    assert_eq!(table_counts(&db).await.expect("counts"), expected);
    assert_eq!(
        normalise(&export(&db).await.expect("export")),
        normalise(&fresh_export(&changed, "transfer_stream_replace_b").await)
    );
}

async fn fresh_export(ws: &Workspace, name: &str) -> Workspace {
    let db = fresh(name).await;
    import(&db, ws, false).await.expect("import");
    export(&db).await.expect("export")
}

#[test]
fn a_file_with_very_many_problems_lists_the_first_and_counts_the_rest() {
    let mut ws = generated(100);
    let mut broken = 0;
    for f in ws.projects.iter_mut().flat_map(|p| &mut p.feedback) {
        f.rating = Some(0);
        broken += 1;
    }
    assert!(broken > validate::MAX_ISSUES);
    let issues = validate(&ws);
    assert_eq!(issues.len(), validate::MAX_ISSUES + 1);
    assert_eq!(issues[0].path, "projects[0].feedback[0].rating");
    let last = issues.last().expect("the count");
    assert_eq!(last.path, "$");
    assert_eq!(
        last.message,
        format!(
            "and {} more problem(s), not listed",
            broken - validate::MAX_ISSUES
        )
    );
}

#[tokio::test]
async fn the_large_demo_with_n_projects_is_the_generated_workspace_of_n_projects() {
    let db = fresh("transfer_demo_n").await;
    // The day the demo is dated from (in the new workspace's time zone, as the demo reads it).
    let day = crate::workspace::today(&db).await.expect("today");
    let summary = load_demo(&db, DemoScale::LargeFirst(2))
        .await
        .expect("demo");
    assert_eq!(summary.import.projects, 2);
    assert_eq!(summary.import.users_created, Sizes::LARGE.users);
    assert_eq!(
        summary.import.stakeholders_created,
        Sizes::LARGE.stakeholders
    );
    let mut demo = export(&db).await.expect("export");
    demo.users.retain(|u| u.email != demo::DEMO_ADMIN_EMAIL);
    // The first projects of the large demo, which more projects begin with too (see
    // `more_projects_begin_with_the_same_ones` in the generator).
    let mut expected = generate(
        &Sizes {
            projects: 2,
            ..Sizes::LARGE
        },
        demo::LARGE_SEED,
        day,
    );
    // The import keeps each attendee once.
    for review in expected
        .projects
        .iter_mut()
        .flat_map(|p| &mut p.sprints)
        .filter_map(|s| s.review.as_mut())
    {
        let mut seen = std::collections::HashSet::new();
        review
            .attendee_stakeholders
            .retain(|s| seen.insert(s.clone()));
    }
    assert_same(&demo, &expected);
}
