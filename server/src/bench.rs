//! `touchpoint bench`: a rerunnable benchmark of the portfolio computation on the generated
//! large workspace. Prints the median and spread of the timed runs; the machine's noise shows
//! in the spread, so compare medians and ratios, not single runs.

use std::time::Instant;

use app::format::generate::{Sizes, generate};

/// Times the signals of all 200 projects, `runs` times.
pub fn portfolio(runs: usize) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let t = Instant::now();
    let ws = generate(&Sizes::LARGE, 20_261_129, today);
    let generated = t.elapsed();
    let inputs = match app::signals::inputs_from_workspace(&ws) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("the generated workspace does not convert: {e}");
            return;
        }
    };
    let sprints: usize = inputs.iter().map(|i| i.sprints.len()).sum();
    let feedback: usize = inputs.iter().map(|i| i.feedback.len()).sum();
    let interviews: usize = inputs.iter().map(|i| i.interviews.len()).sum();
    println!(
        "workspace: {} projects, {sprints} sprints, {feedback} feedback items, {interviews} interviews (generated in {generated:.2?})",
        inputs.len()
    );
    let mut times = Vec::with_capacity(runs);
    let mut at_risk = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let rows = app::reports::service::portfolio_rows(&inputs, today);
        times.push(t.elapsed());
        at_risk = rows.iter().filter(|r| r.signals.scorecard.at_risk).count();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "portfolio signals ({runs} runs): median {median:.2?}, min {:.2?}, max {:.2?}; {at_risk} projects at risk",
        times[0],
        times[times.len() - 1]
    );
}

/// The ceiling of `make bench`: a bare axum handler that answers the same 20 KB of HTML to every
/// request, with no middleware, database or rendering. What Touchpoint's pages reach is
/// reported as a ratio of what this reaches on the same machine in the same run.
pub async fn ceiling(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let row = "<tr><td><a href=\"/projects/p000\">Readmission risk</a></td><td>Active</td><td>green</td></tr>\n";
    let mut page = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Ceiling</title></head><body><table>\n",
    );
    while page.len() < 20 * 1024 - 30 {
        page.push_str(row);
    }
    page.push_str("</table></body></html>\n");
    let page: &'static str = page.leak();
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("bench ceiling on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// `touchpoint bench-queries`: the query profile of [`store::probe::queries`], on the database
/// that `TOUCHPOINT_DB` names.
pub async fn queries(db_url: &str, key: Option<String>, runs: usize) -> anyhow::Result<()> {
    let db = app::db::connect(db_url).await?;
    app::db::migrate(&db).await?;
    store::probe::queries(&db, key, runs).await?;
    Ok(())
}

/// `touchpoint bench-sql`: runs the SurrealQL read from standard input `runs` times on the
/// database that `TOUCHPOINT_DB` names and prints the median time and the last answer. For
/// trying a statement's form before it goes into a repository.
pub async fn sql(db_url: &str, runs: usize) -> anyhow::Result<()> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
    let db = app::db::connect(db_url).await?;
    app::db::migrate(&db).await?;
    store::probe::sql(&db, &text, runs).await?;
    Ok(())
}
