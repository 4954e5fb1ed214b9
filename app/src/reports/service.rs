//! Computes reports for the caller: which projects they may see, their inputs, the signals.

use chrono::NaiveDate;

use super::{ContactEvent, DiversityReport, Portfolio, PortfolioRow, ProjectReport};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::format::{Function, InterviewStatus};
use crate::signals::{self, ProjectInput};
use crate::state::AppState;

/// The keys and names of the non-archived projects the caller may see, in name order.
pub async fn visible_keys(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<Vec<(String, String)>> {
    let (catalog, _) = state
        .cache
        .catalog(&state.db, crate::cache::prefetched().as_deref())
        .await?;
    Ok(catalog
        .visible(user, false)
        .into_iter()
        .map(|p| (p.key.clone(), p.name.clone()))
        .collect())
}

/// The portfolio as of a date: each visible project's signals, from the read cache (computed
/// once per project, revision and date).
pub async fn portfolio(
    state: &AppState,
    user: &CurrentUser,
    as_of: Option<NaiveDate>,
) -> AppResult<Portfolio> {
    let keys: Vec<String> = visible_keys(state, user)
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let (snapshots, tz) = state.cache.projects(&state.db, &keys).await?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive());
    Ok(Portfolio {
        as_of,
        rows: snapshots
            .iter()
            .map(|s| PortfolioRow {
                key: s.input.key.clone(),
                name: s.input.name.clone(),
                status: s.input.status,
                signals: (*s.signals(as_of)).clone(),
            })
            .collect(),
    })
}

/// The signals of every input (pure; the benchmark measures this).
pub fn portfolio_rows(inputs: &[ProjectInput], as_of: NaiveDate) -> Vec<PortfolioRow> {
    inputs
        .iter()
        .map(|input| PortfolioRow {
            key: input.key.clone(),
            name: input.name.clone(),
            status: input.status,
            signals: signals::compute(input, as_of),
        })
        .collect()
}

/// Every end-user contact on or before `as_of`, newest first (DESIGN.md (a)–(c)).
pub fn contacts(input: &ProjectInput, as_of: NaiveDate) -> Vec<ContactEvent> {
    let names = |people: &mut dyn Iterator<Item = &signals::StakeholderRef>| {
        people
            .filter(|p| p.function == Function::EndUser)
            .map(signals::StakeholderRef::display)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for i in &input.interviews {
        if i.status == InterviewStatus::Completed
            && i.on <= as_of
            && i.participants
                .iter()
                .any(|p| p.function == Function::EndUser)
        {
            out.push(ContactEvent {
                on: i.on,
                kind: "interview".into(),
                who: names(&mut i.participants.iter()),
            });
        }
    }
    for f in &input.feedback {
        if f.from_end_user() && f.submitted_on <= as_of {
            out.push(ContactEvent {
                on: f.submitted_on,
                kind: "feedback".into(),
                who: f.author_display(),
            });
        }
    }
    for r in &input.reviews {
        if r.held_on <= as_of && r.attendees.iter().any(|p| p.function == Function::EndUser) {
            out.push(ContactEvent {
                on: r.held_on,
                kind: "review".into(),
                who: names(&mut r.attendees.iter()),
            });
        }
    }
    out.sort_by(|a, b| b.on.cmp(&a.on).then_with(|| a.kind.cmp(&b.kind)));
    out
}

/// Builds the report of one loaded project.
pub fn report_of(input: &ProjectInput, as_of: NaiveDate) -> ProjectReport {
    let signals = signals::compute(input, as_of);
    let contacts = contacts(input, as_of);
    let days: Vec<NaiveDate> = contacts.iter().map(|c| c.on).collect();
    let mut by_function: Vec<(Function, u32)> = signals
        .diversity
        .by_function
        .iter()
        .map(|(f, c)| (*f, *c))
        .collect();
    by_function.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ProjectReport {
        key: input.key.clone(),
        name: input.name.clone(),
        target_iteration_days: input.target_iteration_days,
        timeline_svg: super::charts::timeline(input, &days, as_of),
        diversity_svg: super::charts::by_function(&by_function),
        signals,
        contacts,
    }
}

/// The report of one project the caller may see.
pub async fn project_report(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    as_of: Option<NaiveDate>,
) -> AppResult<ProjectReport> {
    let access = crate::projects::service::project_access(state, user, key).await?;
    let snapshot = &access.snapshot;
    let as_of = as_of.unwrap_or_else(|| snapshot.today());
    Ok((*snapshot.report(as_of)).clone())
}

/// The signals of one project the caller may see (the report without its charts and contact
/// list), shared with the read cache.
pub async fn project_signals(
    state: &AppState,
    user: &CurrentUser,
    key: &str,
    as_of: Option<NaiveDate>,
) -> AppResult<std::sync::Arc<signals::ProjectSignals>> {
    let access = crate::projects::service::project_access(state, user, key).await?;
    let snapshot = &access.snapshot;
    let as_of = as_of.unwrap_or_else(|| snapshot.today());
    Ok(snapshot.signals(as_of))
}

/// The diversity report across the caller's projects, with attribute counts over consenting
/// stakeholders linked to those projects (small counts suppressed).
pub async fn diversity_report(
    state: &AppState,
    user: &CurrentUser,
    as_of: Option<NaiveDate>,
) -> AppResult<DiversityReport> {
    let portfolio = portfolio(state, user, as_of).await?;
    let keys: Vec<String> = portfolio.rows.iter().map(|r| r.key.clone()).collect();
    let (attributes, consenting) = super::repo::attribute_counts(&state.db, &keys).await?;
    Ok(DiversityReport {
        as_of: portfolio.as_of,
        projects: portfolio
            .rows
            .into_iter()
            .map(|r| (r.key, r.name, r.signals.diversity))
            .collect(),
        attributes,
        consenting,
    })
}
