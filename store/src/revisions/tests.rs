//! The revision rule as a test: every table a project load reads has a revision event, and every
//! counter an event raises is one that the stamp reads.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use super::*;
use crate::cache::{PEOPLE_SQL, project_statements};
use crate::feedback::INVITES_SQL;
use crate::stakeholders::PROJECT_PEOPLE_SQL;

const REVISIONS: &str = include_str!("../../schema/70_revisions.surql");

/// The tables the statements of a project load read, and the reads a snapshot keeps beside
/// them (the project's people and invite links): their `FROM` tables (`$id` is the project),
/// the records their link fields follow (`user.name`, `created_by.name`), and the stakeholders
/// looked up.
fn tables_a_load_reads() -> BTreeSet<String> {
    let from = Regex::new(r"FROM\s+(?:ONLY\s+)?(\$id|\w+)").expect("regex");
    let link = Regex::new(r"\b(user|created_by|stakeholder|project)\.\w+").expect("regex");
    let mut tables = BTreeSet::new();
    let kept = [PROJECT_PEOPLE_SQL.to_string(), INVITES_SQL.to_string()];
    for sql in project_statements().into_iter().chain(kept) {
        for c in from.captures_iter(&sql) {
            tables.insert(if &c[1] == "$id" {
                "project".to_string()
            } else {
                c[1].to_string()
            });
        }
        for c in link.captures_iter(&sql) {
            tables.insert(match &c[1] {
                "created_by" => "user".to_string(),
                t => t.to_string(),
            });
        }
        if sql.contains("$id.") {
            tables.insert("project".to_string());
        }
    }
    assert!(
        PEOPLE_SQL.contains("FROM $ids"),
        "the people lookup reads stakeholders by key"
    );
    tables.insert("stakeholder".to_string());
    tables
}

#[derive(Debug, Default)]
struct Raises {
    project: bool,
    directory: bool,
    catalog: bool,
    user: bool,
    other: Vec<String>,
}

/// The counters each table's revision events raise, from the schema file.
fn events() -> BTreeMap<String, Raises> {
    let define = Regex::new(r"DEFINE EVENT [A-Z ]*?(\w+) ON TABLE (\w+)").expect("regex");
    let upsert = Regex::new(r"UPSERT\s+([^\s]+(?:\s*\([^;]*?\))?)\s+SET").expect("regex");
    let starts: Vec<(usize, String)> = define
        .captures_iter(REVISIONS)
        .map(|c| (c.get(0).expect("match").start(), c[2].to_string()))
        .collect();
    let mut out: BTreeMap<String, Raises> = BTreeMap::new();
    for (i, (start, table)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(REVISIONS.len(), |(s, _)| *s);
        let body = &REVISIONS[*start..end];
        let raises = out.entry(table.clone()).or_default();
        for c in upsert.captures_iter(body) {
            let target = c[1].replace(' ', "");
            if target.contains(&format!("⟨{DIRECTORY}⟩")) {
                raises.directory = true;
            } else if target.contains(&format!("⟨{CATALOG}⟩")) {
                raises.catalog = true;
            } else if target.contains(&format!("'{USER_PREFIX}'")) {
                raises.user = true;
            } else if target.starts_with("type::record('revision',") {
                raises.project = true;
            } else {
                raises.other.push(target);
            }
        }
    }
    out
}

#[test]
fn every_table_a_project_load_reads_raises_a_counter() {
    let events = events();
    let read = tables_a_load_reads();
    for table in [
        "project",
        "membership",
        "sprint",
        "feedback",
        "stakeholder",
        "stakeholder_link",
        "invite",
        "user",
    ] {
        assert!(
            read.contains(table),
            "a project load reads {table}: {read:?}"
        );
    }
    for table in &read {
        let raises = events.get(table).unwrap_or_else(|| {
            panic!(
                "a project load reads `{table}`, which has no revision event in 70_revisions.surql"
            )
        });
        assert!(
            raises.project,
            "the revision events of `{table}` do not raise the project's counter"
        );
    }
    // People are shown by name and function in every project: their changes also move the
    // directory; the time zone (read with the directory counter) moves it too.
    for table in ["stakeholder", "user", "setting"] {
        assert!(events[table].directory, "`{table}` must raise ~directory");
    }
    // The list of projects and who belongs to them.
    for table in ["project", "membership"] {
        assert!(events[table].catalog, "`{table}` must raise ~catalog");
    }
    // A user's own counter: the account, its sessions and tokens.
    for table in ["user", "session", "api_token"] {
        assert!(events[table].user, "`{table}` must raise ~user:<id>");
    }
}

#[test]
fn every_counter_an_event_raises_is_read() {
    let events = events();
    assert!(events.len() >= 15, "events found: {:?}", events.keys());
    let read = tables_a_load_reads();
    let stamp = stamp_ids(&["alpha".to_string(), user_counter("u1")]);
    for (table, raises) in &events {
        assert!(
            raises.other.is_empty(),
            "`{table}` raises counters the app does not know: {:?}",
            raises.other
        );
        assert!(
            raises.project || raises.directory || raises.catalog || raises.user,
            "the revision event of `{table}` raises nothing"
        );
        // A project counter is read only for the tables a project load reads, or whose rows
        // name people that a project shows.
        if raises.project && !read.contains(table) {
            panic!("`{table}` raises project counters, but a project load does not read it");
        }
    }
    // What the stamp reads: each project and user counter asked about, the directory and the
    // catalog, so every kind of counter that an event raises has a reader.
    assert!(stamp.contains(&rid("revision", "alpha")));
    assert!(stamp.contains(&rid("revision", &format!("{USER_PREFIX}u1"))));
    assert!(stamp.contains(&rid("revision", DIRECTORY)));
    assert!(stamp.contains(&rid("revision", CATALOG)));
    assert_eq!(Counter::of("alpha"), Counter::Project("alpha"));
    assert_eq!(Counter::of("~user:u1"), Counter::User("u1"));
    assert_eq!(Counter::of(DIRECTORY), Counter::Directory);
    assert_eq!(Counter::of(CATALOG), Counter::Catalog);
}
