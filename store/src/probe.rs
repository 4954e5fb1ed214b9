//! The query profile behind the caching and indexing choices: each statement that the project
//! page, the project report and the portfolio issue, timed one at a time with its plan. Run by
//! the hidden `touchpoint bench-queries` and `bench-sql` commands.

use crate::db::Db;

/// One statement of the profile: a name, SurrealQL, and its parameters.
struct Probe {
    name: &'static str,
    sql: String,
    binds: Vec<(&'static str, surrealdb::types::Value)>,
}

/// The query profile (`touchpoint bench-queries`): times, one at a time, each SurrealDB statement that the project
/// page, the project report and the portfolio issue, and prints the median of `runs` runs with the query planner's `EXPLAIN`. It is the
/// profile behind the caching and indexing choices (see the README's performance section).
pub async fn queries(db: &Db, key: Option<String>, runs: usize) -> Result<(), surrealdb::Error> {
    use surrealdb::types::{RecordId, SurrealValue as _};
    let mut res = db
        .query("SELECT VALUE key FROM project ORDER BY key")
        .await?
        .check()?;
    let keys: Vec<String> = res.take(0)?;
    let key = key.unwrap_or_else(|| keys.get(keys.len() / 2).cloned().unwrap_or_default());
    let ids: Vec<RecordId> = keys.iter().map(|k| crate::db::rid("project", k)).collect();
    let id = crate::db::rid("project", &key);
    let pid = || ("id", id.clone().into_value());
    let all = || ("ids", ids.clone().into_value());
    let mut probes = vec![
        Probe {
            name: "RETURN true (round trip)",
            sql: "RETURN true".into(),
            binds: vec![],
        },
        Probe {
            name: "workspace setting",
            sql: "SELECT * FROM ONLY setting:workspace".into(),
            binds: vec![],
        },
        Probe {
            name: "api token by hash (index)",
            sql: "SELECT * FROM api_token WHERE hash = 'x' LIMIT 1".into(),
            binds: vec![],
        },
        Probe {
            name: "sprints by record-id range",
            sql: format!("SELECT project, number FROM sprint:['{key}', NONE]..['{key}', ..]"),
            binds: vec![],
        },
        Probe {
            name: "ten keys in one read",
            sql: format!(
                "SELECT id FROM [{}]",
                (1..=10)
                    .map(|n| format!("sprint:['{key}', {n}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            binds: vec![],
        },
        Probe {
            name: "two hundred keys in one read",
            sql: "SELECT id FROM $ids".into(),
            binds: vec![all()],
        },
        Probe {
            name: "project by key",
            sql: "SELECT *, lead.name AS lead_name FROM ONLY $id".into(),
            binds: vec![pid()],
        },
        Probe {
            name: "members of project",
            sql: "SELECT user, user.name AS name, role FROM membership WHERE project = $id".into(),
            binds: vec![pid()],
        },
    ];
    for (table, fields) in [
        ("sprint", "project, number, start_on, end_on"),
        ("review", "project, held_on, attendee_stakeholders"),
        ("retro", "project, held_on"),
        (
            "action_item",
            "project, sprint_number, due_sprint, status, closed_on",
        ),
        ("interview", "project, scheduled_at, status, participants"),
        (
            "feedback",
            "project, sprint, submitted_at, stakeholder, author_function, channel",
        ),
        ("dq_issue", "project, severity, opened_on, resolved_on"),
        ("readiness", "project, items"),
    ] {
        probes.push(Probe {
            name: table,
            sql: format!("SELECT {fields} FROM {table} WHERE project = $id"),
            binds: vec![pid()],
        });
        probes.push(Probe {
            name: table,
            sql: format!("SELECT {fields} FROM {table} WHERE project IN $ids"),
            binds: vec![all()],
        });
    }
    probes.extend([
        Probe {
            name: "all projects by name",
            sql: "SELECT *, lead.name AS lead_name FROM project ORDER BY name".into(),
            binds: vec![],
        },
        Probe {
            name: "new feedback of all projects",
            sql: "SELECT count() AS n FROM feedback WHERE project IN $ids AND status = 'new' GROUP ALL".into(),
            binds: vec![all()],
        },
        Probe {
            name: "stakeholders, first page",
            sql: "SELECT * FROM stakeholder ORDER BY name LIMIT 50".into(),
            binds: vec![],
        },
        Probe {
            name: "audit log, first page",
            sql: "SELECT * FROM audit_event ORDER BY at DESC LIMIT 50".into(),
            binds: vec![],
        },
    ]);
    println!(
        "{} projects; probing {key}; median of {runs} runs",
        keys.len()
    );
    println!("{:>10} {:>7}  statement / plan", "median", "rows");
    for probe in probes {
        let mut times = Vec::with_capacity(runs);
        let mut rows = 0;
        for _ in 0..runs.max(1) {
            let mut q = db.query(probe.sql.as_str());
            for (name, value) in &probe.binds {
                q = q.bind((*name, value.clone()));
            }
            let t = std::time::Instant::now();
            let mut res = q.await?.check()?;
            let value: surrealdb::types::Value = res.take(0)?;
            times.push(t.elapsed());
            rows = match value {
                surrealdb::types::Value::Array(a) => a.len(),
                _ => 1,
            };
        }
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "{:>10.2?} {rows:>7}  [{}] {}",
            median, probe.name, probe.sql
        );
        if probe.sql.starts_with("SELECT") && !probe.sql.contains("ONLY") {
            let mut q = db.query(format!("{} EXPLAIN", probe.sql));
            for (name, value) in &probe.binds {
                q = q.bind((*name, value.clone()));
            }
            let mut res = q.await?.check()?;
            let plan: surrealdb::types::Value = res.take(0)?;
            let text = format!("{plan:?}");
            let short: String = text.chars().take(400).collect();
            println!("{:>19}  plan: {short}", "");
        }
    }
    Ok(())
}

/// Runs `text` (SurrealQL) `runs` times and prints the median time and the last answer.
pub async fn sql(db: &Db, text: &str, runs: usize) -> Result<(), surrealdb::Error> {
    let mut times = Vec::with_capacity(runs.max(1));
    let mut last = Vec::new();
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        let mut res = db.query(text).await?;
        times.push(t.elapsed());
        last = (0..res.num_statements())
            .map(|i| match res.take::<surrealdb::types::Value>(i) {
                Ok(v) => format!("{v:?}"),
                Err(e) => format!("error: {e}"),
            })
            .collect();
    }
    times.sort();
    println!("median of {runs}: {:.2?}", times[times.len() / 2]);
    for (i, v) in last.iter().enumerate() {
        let short: String = v.chars().take(600).collect();
        println!("[{i}] {short}");
    }
    Ok(())
}
