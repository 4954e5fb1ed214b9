//! `touchpoint export`, `import`, `demo` and the hidden `bench-import`: the workspace format v1
//! on the command line. Each command writes an audit event with the actor `cli`.

use std::time::Instant;

use anyhow::Context as _;
use app::workspace::transfer::{self, DemoScale, ImportError};

async fn audit(db: &app::db::Db, action: &str, target: &str, detail: &str) {
    let repo = app::auth::repo::AuthRepo::new(db.clone());
    if let Err(e) = repo.audit(None, "cli", action, target, detail, "").await {
        tracing::warn!(error = %e, action, "could not write an audit event");
    }
}

/// `touchpoint export FILE`: the whole workspace as pretty JSON (`-` for standard output).
pub async fn export(db_url: &str, file: &str) -> anyhow::Result<()> {
    let state = crate::startup::offline_state(db_url).await?;
    let ws = transfer::export(&state.db)
        .await
        .map_err(|e| anyhow::anyhow!("reading the workspace: {}", e.message()))?;
    let json = serde_json::to_string_pretty(&ws).context("writing JSON")?;
    if file == "-" {
        println!("{json}");
    } else {
        tokio::fs::write(file, format!("{json}\n"))
            .await
            .with_context(|| format!("writing {file}"))?;
    }
    let detail = format!(
        "{} users, {} stakeholders, {} projects",
        ws.users.len(),
        ws.stakeholders.len(),
        ws.projects.len()
    );
    audit(&state.db, "workspace.export", file, &detail).await;
    if file != "-" {
        eprintln!("Exported {detail} to {file}.");
    }
    Ok(())
}

/// `touchpoint import FILE [--replace]`: reads the file as a stream (standard input is written to
/// a temporary file first, since the import reads its source twice), prints every problem as
/// `path: message` and fails when the file is invalid; prints what was created otherwise.
/// `tx_rows` sets the rows per transaction (for measuring; [`transfer::TX_ROWS`] otherwise).
pub async fn import(
    db_url: &str,
    file: &str,
    replace: bool,
    tx_rows: Option<usize>,
) -> anyhow::Result<()> {
    let spool;
    let path = if file == "-" {
        spool = crate::spool::Spool::from_reader(tokio::io::stdin())
            .await
            .context("reading standard input")?;
        spool.path()
    } else {
        let path = std::path::Path::new(file);
        std::fs::File::open(path).with_context(|| format!("reading {file}"))?;
        path
    };
    let state = crate::startup::offline_state(db_url).await?;
    let started = Instant::now();
    let tx_rows = tx_rows.unwrap_or(transfer::TX_ROWS);
    match transfer::import_file(&state.db, path, replace, tx_rows).await {
        Ok(summary) => {
            println!("{summary}");
            eprintln!("Imported {file} in {:.1?}.", started.elapsed());
            let detail = format!(
                "{} projects ({} replaced), {} sprints, {} feedback items",
                summary.projects, summary.projects_replaced, summary.sprints, summary.feedback
            );
            audit(&state.db, "workspace.import", file, &detail).await;
            compute_lines(&state).await;
            Ok(())
        }
        Err(ImportError::Invalid(issues)) => {
            for issue in &issues {
                eprintln!("{issue}");
            }
            anyhow::bail!(
                "{file} has {} problem(s); nothing was imported",
                issues.len()
            )
        }
        Err(ImportError::Db(e)) => {
            anyhow::bail!(
                "the import failed and nothing was imported: {}",
                e.message()
            )
        }
    }
}

/// Computes the portfolio lines of what an import wrote (see `app::reports::summary`), so that
/// the first portfolio after the next start finds them ready. A failure here loses nothing:
/// the server computes missing lines itself.
async fn compute_lines(state: &app::state::AppState) {
    let started = Instant::now();
    let lines = match app::reports::service::check_lines(state).await {
        Ok(n) => app::reports::service::refresh_dirty(state)
            .await
            .map(|m| n + m),
        Err(e) => Err(e),
    };
    match lines {
        Ok(n) => {
            tracing::info!(lines = n, elapsed = ?started.elapsed(), "portfolio lines computed")
        }
        Err(e) => {
            tracing::warn!(error = %e.message(), "the portfolio lines will be computed at the next start")
        }
    }
}

/// `touchpoint demo [--scale large [--projects N]] [--if-empty]`: loads the demo data and prints
/// the demo administrator's new random password. The large workspace is generated and written
/// project by project, so its memory does not grow with N.
pub async fn demo(
    db_url: &str,
    large: bool,
    projects: Option<usize>,
    if_empty: bool,
) -> anyhow::Result<()> {
    let state = crate::startup::offline_state(db_url).await?;
    let repo = app::auth::repo::AuthRepo::new(state.db.clone());
    if if_empty
        && repo
            .any_user()
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message()))?
    {
        println!("The workspace already has users; the demo data was not loaded.");
        return Ok(());
    }
    let max = transfer::demo::MAX_DEMO_PROJECTS;
    let scale = match (large, projects) {
        (true, Some(n)) if (1..=max).contains(&n) => DemoScale::LargeFirst(n),
        (true, Some(_)) => anyhow::bail!("--projects takes a number from 1 to {max}"),
        (true, None) => DemoScale::Large,
        (false, Some(_)) => anyhow::bail!("--projects goes with --scale large"),
        (false, None) => DemoScale::Normal,
    };
    let started = Instant::now();
    let summary = transfer::load_demo(&state.db, scale)
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo: {}", e.message()))?;
    let detail = format!(
        "{:?}: {} projects, {} sprints, {} feedback items",
        scale, summary.import.projects, summary.import.sprints, summary.import.feedback
    );
    audit(&state.db, "workspace.demo", &summary.admin_email, &detail).await;
    compute_lines(&state).await;
    println!("{}", summary.import);
    println!(
        "Loaded the demo data in {:.1?}.\n\nSign in as {} with the password\n\n    {}\n\n(shown only now; users imported with the demo cannot sign in until an admin sets a password)",
        started.elapsed(),
        summary.admin_email,
        summary.admin_password
    );
    Ok(())
}

/// The peak resident memory of this process so far, from `/proc/self/status` (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// `touchpoint bench-import --target URL`: imports the generated large workspace into an empty
/// database (a fresh `mem://` or a new SurrealKV directory) and prints the time and memory.
/// `projects` scales the workspace down (the large one has 200).
pub async fn bench_import(target: &str, projects: usize) -> anyhow::Result<()> {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let t = Instant::now();
    let sizes = app::format::generate::Sizes {
        projects: projects.clamp(1, 200),
        ..app::format::generate::Sizes::LARGE
    };
    let ws = app::format::generate::generate(&sizes, transfer::demo::LARGE_SEED, today);
    println!("generated in {:.2?}", t.elapsed());
    let db = app::db::connect(target).await.context("connecting")?;
    app::db::migrate(&db).await.context("migrating")?;
    let before = peak_rss_mb();
    let t = Instant::now();
    let issues = transfer::validate(&ws);
    println!("validated in {:.2?} ({} issues)", t.elapsed(), issues.len());
    let t = Instant::now();
    let summary = transfer::import(&db, &ws, false)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let import_time = t.elapsed();
    println!("{summary}");
    println!(
        "import into {target}: {import_time:.2?}; peak RSS {:.0} MB (before the import {:.0} MB)",
        peak_rss_mb().unwrap_or(f64::NAN),
        before.unwrap_or(f64::NAN)
    );
    let t = Instant::now();
    let exported = transfer::export(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    println!(
        "export: {:.2?} ({} projects); peak RSS {:.0} MB",
        t.elapsed(),
        exported.projects.len(),
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    Ok(())
}
