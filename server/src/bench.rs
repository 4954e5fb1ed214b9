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
