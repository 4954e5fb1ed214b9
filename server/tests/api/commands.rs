//! One-off commands, run as the real binary on a SurrealKV directory: they log quietly, and they
//! close the store before they exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test's database and files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "touchpoint-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `touchpoint ARGS` on the database `db`, with `RUST_LOG` as given (unset for `None`).
fn touchpoint(db: &str, args: &[&str], rust_log: Option<&str>) -> (Output, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_touchpoint"));
    cmd.args(args)
        .env("TOUCHPOINT_DB", db)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG");
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    let out = cmd.output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "touchpoint {args:?} failed: {stderr}");
    (out, stderr)
}

/// The lines of `stderr` written by the logger (`2026-…Z  INFO message`), not by the command.
fn log_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            let mut words = l.split_whitespace();
            words
                .next()
                .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
                && words.next().is_some_and(|level| {
                    ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level)
                })
        })
        .collect()
}

/// The bytes in SurrealKV's write-ahead log. A store that was closed has written its in-memory
/// table to disk and removed the log; one that was not would have it all replayed into memory
/// at the next start.
fn log_bytes(store: &Path) -> u64 {
    std::fs::read_dir(store.join("wal"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn one_off_commands_log_only_touchpoints_lines_and_close_the_store() {
    let dir = scratch("commands");
    let store = dir.join("db");
    let db = format!("surrealkv://{}", store.display());

    // A new database: Touchpoint says which migrations it applied, and nothing else is logged.
    let (out, stderr) = touchpoint(&db, &["demo"], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Sign in as"),
        "the demo loaded"
    );
    assert!(
        !stderr.contains("No runtime available"),
        "the store was dropped outside the runtime: {stderr}"
    );
    let logged = log_lines(&stderr);
    assert!(!logged.is_empty(), "the migrations are logged: {stderr}");
    assert!(
        logged
            .iter()
            .all(|l| l.contains("applied migration") || l.contains("portfolio lines computed")),
        "a dependency logged more than warnings: {logged:#?}"
    );
    assert_eq!(log_bytes(&store), 0, "the store was not closed after demo");

    // The same database again: nothing to say at all.
    let file = dir.join("workspace.json");
    let file = file.to_str().expect("a UTF-8 path");
    let (_, stderr) = touchpoint(&db, &["export", file], None);
    assert!(log_lines(&stderr).is_empty(), "{stderr}");
    assert!(stderr.contains("Exported"), "{stderr}");
    assert_eq!(
        log_bytes(&store),
        0,
        "the store was not closed after export"
    );

    // RUST_LOG still decides when it is set: the storage engine's own lines come back.
    let (_, stderr) = touchpoint(&db, &["export", file], Some("info"));
    assert!(
        log_lines(&stderr).len() > 5,
        "RUST_LOG=info should show the dependencies' lines: {stderr}"
    );
    assert!(!stderr.contains("No runtime available"), "{stderr}");

    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `touchpoint ARGS` on `db`, expecting it to fail; returns its standard error.
fn touchpoint_fails(db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(args)
        .env("TOUCHPOINT_DB", db)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "touchpoint {args:?} succeeded: {stderr}"
    );
    stderr
}

#[test]
fn import_streams_a_file_or_standard_input_and_the_large_demo_takes_a_project_count() {
    let dir = scratch("import-stream");
    let db = |name: &str| format!("surrealkv://{}", dir.join(name).display());

    // The large demo with N projects; N out of range is refused before anything is loaded.
    let (out, _) = touchpoint(
        &db("large"),
        &["demo", "--scale", "large", "--projects", "2"],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("projects: 2 (0 replaced)"), "{stdout}");
    let stderr = touchpoint_fails(
        &db("none"),
        &["demo", "--scale", "large", "--projects", "10001"],
    );
    assert!(
        stderr.contains("--projects takes a number from 1 to 10000"),
        "{stderr}"
    );

    // A file with a wrong value deep in its last project: refused with the value's path.
    touchpoint(&db("demo"), &["demo"], None);
    let file = dir.join("workspace.json");
    let path = file.to_str().expect("a UTF-8 path");
    touchpoint(&db("demo"), &["export", path], None);
    let text = std::fs::read_to_string(&file).expect("the export");
    let mut ws: serde_json::Value = serde_json::from_str(&text).expect("json");
    let last = ws["projects"].as_array().map_or(0, Vec::len) - 1;
    let items = ws["projects"][last]["feedback"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(items > 0, "the last project has feedback");
    ws["projects"][last]["feedback"][items - 1]["submitted_at"] = "yesterday".into();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, ws.to_string()).expect("write");
    let stderr = touchpoint_fails(
        &db("copy"),
        &["import", broken.to_str().expect("a UTF-8 path")],
    );
    let at = format!("projects[{last}].feedback[{}].submitted_at: ", items - 1);
    assert!(stderr.contains(&at), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    // The good file through standard input: it lands whole.
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["import", "-"])
        .env("TOUCHPOINT_DB", db("copy"))
        .env_remove("RUST_LOG")
        .stdin(std::fs::File::open(&file).expect("the export"))
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let projects = ws["projects"].as_array().map_or(0, Vec::len);
    assert!(
        stdout.contains(&format!("projects: {projects} (0 replaced)")),
        "{stdout}"
    );

    let _ = std::fs::remove_dir_all(&dir);
}
