//! Computes reports for the caller: which projects they may see, their inputs, the signals.

use chrono::NaiveDate;

use super::{
    DiversityReport, Portfolio, PortfolioQuery, PortfolioRow, PortfolioSort, ProjectReport,
};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::signals;
use crate::state::AppState;

/// Every visible project's row of the portfolio as of a date (default: today), by name: the
/// CSV and the diversity report. Today's rows come from the stored lines (see
/// [`super::summary`]); another date is computed from the projects.
pub async fn portfolio(
    state: &AppState,
    user: &CurrentUser,
    as_of: Option<NaiveDate>,
) -> AppResult<Portfolio> {
    let view = PortfolioView::of(state, user).await?;
    let as_of = as_of.unwrap_or(view.today);
    let rows = if as_of == view.today {
        view.fresh(state).await?;
        super::summary::all(&state.db, &view.day, view.only.as_deref()).await?
    } else {
        computed_rows(state, user, &view, as_of).await?
    };
    Ok(Portfolio {
        as_of,
        rows,
        next: None,
        prev: None,
    })
}

/// The portfolio as of a date (default: today) as CSV, in parts of up to 500 projects: every
/// visible project, by name, read a page at a time (today's from the stored lines). Who may
/// see what is decided before the first part.
pub async fn portfolio_csv_parts(
    state: &AppState,
    user: &CurrentUser,
    as_of: Option<NaiveDate>,
) -> AppResult<(
    NaiveDate,
    futures::stream::BoxStream<'static, AppResult<String>>,
)> {
    use futures::StreamExt as _;
    let view = PortfolioView::of(state, user).await?;
    let as_of = as_of.unwrap_or(view.today);
    if as_of != view.today {
        let mut rows = computed_rows(state, user, &view, as_of).await?;
        rows.sort_by_key(|r| super::summary::sort_keys(r)[0].clone());
        let text = super::csv_export::portfolio_csv_part(&rows, true)?;
        return Ok((
            as_of,
            futures::stream::once(async move { Ok(text) }).boxed(),
        ));
    }
    lines_ready(state, &view.day, view.today, &view.catalog).await?;
    struct Next {
        db: crate::db::Db,
        day: String,
        only: Option<Vec<String>>,
        after: Option<String>,
        first: bool,
        done: bool,
    }
    let start = Next {
        db: state.db.clone(),
        day: view.day.clone(),
        only: view.only.clone(),
        after: None,
        first: true,
        done: false,
    };
    let parts = futures::stream::unfold(start, |mut n| async move {
        if n.done {
            return None;
        }
        let q = PortfolioQuery {
            after: n.after.take(),
            limit: 500,
            ..PortfolioQuery::default()
        };
        let read = match super::summary::page(&n.db, &n.day, &q, n.only.as_deref()).await {
            Ok(read) => read,
            Err(e) => {
                n.done = true;
                return Some((Err(e), n));
            }
        };
        n.after = read.rows.last().map(|(s, _)| s.clone());
        n.done = !read.more;
        let rows: Vec<PortfolioRow> = read.rows.into_iter().map(|(_, r)| r).collect();
        let part = super::csv_export::portfolio_csv_part(&rows, n.first);
        n.first = false;
        Some((part, n))
    });
    Ok((as_of, parts.boxed()))
}

/// One page of the portfolio as of a date (default: today), sorted and filtered as asked:
/// today's from the stored lines, read a page at a time in the database; another date's
/// computed from the visible projects.
pub async fn portfolio_page(
    state: &AppState,
    user: &CurrentUser,
    as_of: Option<NaiveDate>,
    q: &PortfolioQuery,
) -> AppResult<Portfolio> {
    let view = PortfolioView::of(state, user).await?;
    let as_of = as_of.unwrap_or(view.today);
    if as_of != view.today {
        let rows = computed_rows(state, user, &view, as_of).await?;
        return Ok(page_in_memory(rows, as_of, q));
    }
    view.fresh(state).await?;
    if q.sort == PortfolioSort::Name && !q.lacking && !q.at_risk {
        return name_page(state, user, &view, as_of, q).await;
    }
    let mut read = super::summary::page(&state.db, &view.day, q, view.only.as_deref()).await?;
    let mut rounds = 0;
    while !read.dirty.is_empty() && rounds < REFRESH_ROUNDS {
        // Written since their lines were computed: compute those and read again. A flag still
        // set after that belongs to a write concurrent with this request, or to a line whose
        // store lost every race to another instance's (computed from an older revision).
        refresh_lines(state, &read.dirty, &view.day, view.today).await?;
        read = super::summary::page(&state.db, &view.day, q, view.only.as_deref()).await?;
        rounds += 1;
    }
    let backwards = q.before.is_some() && q.after.is_none();
    let first = read.rows.first().map(|(s, _)| s.clone());
    let last = read.rows.last().map(|(s, _)| s.clone());
    let (next, prev) = if backwards {
        (last, read.more.then_some(first).flatten())
    } else {
        (
            read.more.then_some(last).flatten(),
            q.after.as_ref().and(first),
        )
    };
    Ok(Portfolio {
        as_of,
        rows: read.rows.into_iter().map(|(_, r)| r).collect(),
        next,
        prev,
    })
}

/// How often a portfolio page computes the lines of projects written since their lines were
/// computed before it answers with what it has.
const REFRESH_ROUNDS: u32 = 3;

/// Today's page of the portfolio in name order without a filter. Which projects are on it
/// follows from their names in the catalog, so only those projects' lines must be current: a
/// write to a project on another page (a person renamed in seventy projects) does not hold this
/// page up. The cursors are the stored lines' name sort keys.
async fn name_page(
    state: &AppState,
    user: &CurrentUser,
    view: &PortfolioView,
    as_of: NaiveDate,
    q: &PortfolioQuery,
) -> AppResult<Portfolio> {
    let visible = view.catalog.visible(user, false);
    let sort_keys: Vec<&str> = visible.iter().map(|p| p.sort_key.as_str()).collect();
    let w = domain::paging::window(
        &sort_keys,
        q.after.as_deref(),
        q.before.as_deref(),
        q.limit.clamp(1, 500),
    );
    let keys: Vec<String> = visible[w.start..w.end]
        .iter()
        .map(|p| p.key.clone())
        .collect();
    prune_lines(state, view).await?;
    let mut read = super::summary::lines_of(&state.db, &state.cache, &view.day, &keys).await?;
    let mut rounds = 0;
    while !read.stale.is_empty() && rounds < REFRESH_ROUNDS {
        refresh_lines(state, &read.stale, &view.day, view.today).await?;
        read = super::summary::lines_of(&state.db, &state.cache, &view.day, &keys).await?;
        rounds += 1;
    }
    Ok(Portfolio {
        as_of,
        // A project deleted since the catalog was read has no line.
        rows: read
            .rows
            .into_iter()
            .flatten()
            .map(std::sync::Arc::unwrap_or_clone)
            .collect(),
        next: w.next,
        prev: w.prev,
    })
}

/// Removes the stored lines of projects deleted since, once per catalog revision and instance
/// (a deleted project is gone from the catalog; its line is found among the marked projects).
/// A page in name order needs no other project's line, so it does not read every mark on each
/// request as a page in another order must.
async fn prune_lines(state: &AppState, view: &PortfolioView) -> AppResult<()> {
    let revision = view.catalog.revision;
    if state.cache.lines_pruned(revision) {
        return Ok(());
    }
    let exist: std::collections::HashSet<&str> = view
        .catalog
        .projects
        .iter()
        .map(|p| p.key.as_str())
        .collect();
    let gone: Vec<String> = super::summary::dirty(&state.db)
        .await?
        .into_iter()
        .filter(|k| !exist.contains(k.as_str()))
        .collect();
    refresh_lines(state, &gone, &view.day, view.today).await?;
    state.cache.set_lines_pruned(revision);
    Ok(())
}

/// Who sees which projects, and the day in force.
struct PortfolioView {
    /// Today in the workspace time zone.
    today: NaiveDate,
    /// [`super::summary::day_of`] today.
    day: String,
    /// The projects the caller may see, when not every one.
    only: Option<Vec<String>>,
    /// The catalog the view was made from.
    catalog: std::sync::Arc<crate::cache::Catalog>,
}

impl PortfolioView {
    async fn of(state: &AppState, user: &CurrentUser) -> AppResult<Self> {
        let (catalog, stamp) = state
            .cache
            .catalog(&state.db, crate::request::prefetched().as_deref())
            .await?;
        let (today, day) = today_in(&stamp.time_zone);
        let only = (!user.role.sees_everything()).then(|| visible_keys(&catalog, user));
        Ok(Self {
            today,
            day,
            only,
            catalog: catalog.clone(),
        })
    }

    /// Makes sure this instance checked every stored line for today once (a new day, or the
    /// first portfolio since the start, computes the old ones again).
    async fn fresh(&self, state: &AppState) -> AppResult<()> {
        check_lines_of(state, &self.day, self.today, &self.catalog)
            .await
            .map(|_| ())
    }
}

/// The keys of the projects `user` may see, archived ones left out, in name order.
fn visible_keys(catalog: &crate::cache::Catalog, user: &CurrentUser) -> Vec<String> {
    catalog
        .visible(user, false)
        .into_iter()
        .map(|p| p.key.clone())
        .collect()
}

/// Checks every stored portfolio line for today once per instance and day, and computes the
/// missing and old ones (at start, so that the first portfolio finds them ready). Returns how
/// many were computed.
pub async fn check_lines(state: &AppState) -> AppResult<usize> {
    let (catalog, stamp) = state.cache.catalog(&state.db, None).await?;
    let (today, day) = today_in(&stamp.time_zone);
    check_lines_of(state, &day, today, &catalog).await
}

/// Today in a workspace time zone, and the day its stored lines are for
/// ([`super::summary::day_of`]).
fn today_in(time_zone: &str) -> (NaiveDate, String) {
    let tz = store::revisions::parse_time_zone(time_zone);
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    (today, super::summary::day_of(today, tz.name()))
}

/// Computes today's lines of every project written since its line was computed (after an
/// import, in the background). Returns how many.
pub async fn refresh_dirty(state: &AppState) -> AppResult<usize> {
    let (_, stamp) = state.cache.catalog(&state.db, None).await?;
    let (today, day) = today_in(&stamp.time_zone);
    let dirty = super::summary::dirty(&state.db).await?;
    refresh_lines(state, &dirty, &day, today).await?;
    Ok(dirty.len())
}

/// Makes every stored line of `day` current before a read of many of them: checked once per
/// instance and day, then the lines of projects written since they were computed.
async fn lines_ready(
    state: &AppState,
    day: &str,
    today: NaiveDate,
    catalog: &crate::cache::Catalog,
) -> AppResult<()> {
    check_lines_of(state, day, today, catalog).await?;
    let dirty = super::summary::dirty(&state.db).await?;
    if !dirty.is_empty() {
        refresh_lines(state, &dirty, day, today).await?;
    }
    Ok(())
}

/// Checks every project's stored line once per instance and day (the catalog's projects).
async fn check_lines_of(
    state: &AppState,
    day: &str,
    today: NaiveDate,
    catalog: &crate::cache::Catalog,
) -> AppResult<usize> {
    if state.cache.summaries_checked(day) {
        return Ok(0);
    }
    let _one_at_a_time = state.cache.summaries_check_lock().lock().await;
    if state.cache.summaries_checked(day) {
        return Ok(0);
    }
    let all: Vec<String> = catalog.projects.iter().map(|p| p.key.clone()).collect();
    let old = super::summary::old_lines(&state.db, day, &all).await?;
    refresh_lines(state, &old, day, today).await?;
    state.cache.set_summaries_checked(day);
    Ok(old.len())
}

/// Computes the lines of `keys` for today (`day`) from their projects and stores them (a
/// project that is gone loses its line): a few projects at a time, each chunk's lines in one
/// transaction.
pub async fn refresh_lines(
    state: &AppState,
    keys: &[String],
    day: &str,
    today: NaiveDate,
) -> AppResult<()> {
    use futures::StreamExt as _;
    let chunks: Vec<Vec<String>> = keys.chunks(REFRESH_CHUNK).map(<[String]>::to_vec).collect();
    let mut results = futures::stream::iter(
        chunks
            .into_iter()
            .map(|chunk| refresh_chunk(state, chunk, day, today)),
    )
    .buffer_unordered(REFRESH_AT_ONCE);
    while let Some(done) = results.next().await {
        done?;
    }
    Ok(())
}

/// Projects whose lines are computed and stored together.
const REFRESH_CHUNK: usize = 10;
/// Chunks computed at once (their database reads overlap).
const REFRESH_AT_ONCE: usize = 4;

async fn refresh_chunk(
    state: &AppState,
    chunk: Vec<String>,
    day: &str,
    today: NaiveDate,
) -> AppResult<()> {
    let stamp = store::revisions::stamp(&state.db, &chunk).await?;
    let mut lines = Vec::with_capacity(chunk.len());
    for key in &chunk {
        match state.cache.project_at_stamp(&state.db, key, &stamp).await? {
            Some(s) => lines.push(super::summary::Line {
                row: PortfolioRow {
                    key: s.input.key.clone(),
                    name: s.input.name.clone(),
                    status: s.input.status,
                    signals: (*s.signals(today)).clone(),
                },
                listing: super::summary::listing(&s),
                revision: s.revision,
            }),
            None => super::summary::remove(&state.db, key).await?,
        }
    }
    super::summary::store_all(&state.db, &lines, day).await
}

/// The project-list lines of `keys` (projects the caller may see), in that order: read from the
/// stored lines of today (computed first where missing or written since), so that a list of
/// thousands of projects does not load every project.
pub async fn project_listings(
    state: &AppState,
    keys: &[String],
) -> AppResult<Vec<crate::projects::ProjectSummary>> {
    let (catalog, stamp) = state
        .cache
        .catalog(&state.db, crate::request::prefetched().as_deref())
        .await?;
    let (today, day) = today_in(&stamp.time_zone);
    lines_ready(state, &day, today, &catalog).await?;
    let mut stored = super::summary::listings(&state.db, &day, keys).await?;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        match stored.remove(key) {
            Some(listing) => out.push(listing),
            // Not stored (a project created a moment ago): from the project itself.
            None => {
                if let Some(s) = state.cache.project(&state.db, key).await? {
                    out.push(super::summary::listing(&s));
                }
            }
        }
    }
    Ok(out)
}

/// Every visible project's row as of a date other than today, computed from the projects.
async fn computed_rows(
    state: &AppState,
    user: &CurrentUser,
    view: &PortfolioView,
    as_of: NaiveDate,
) -> AppResult<Vec<PortfolioRow>> {
    let keys = visible_keys(&view.catalog, user);
    let mut rows = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let (snapshots, _) = state.cache.projects(&state.db, chunk).await?;
        rows.extend(snapshots.iter().map(|s| PortfolioRow {
            key: s.input.key.clone(),
            name: s.input.name.clone(),
            status: s.input.status,
            signals: (*s.signals(as_of)).clone(),
        }));
    }
    Ok(rows)
}

/// A page of rows sorted and filtered in memory, with the same sort keys as the stored lines.
fn page_in_memory(rows: Vec<PortfolioRow>, as_of: NaiveDate, q: &PortfolioQuery) -> Portfolio {
    let index = PortfolioSort::ALL
        .iter()
        .position(|s| *s == q.sort)
        .unwrap_or(0);
    let mut keyed: Vec<(String, PortfolioRow)> = rows
        .into_iter()
        .filter(|r| {
            (!q.lacking || r.signals.end_user_contact.lacking)
                && (!q.at_risk || r.signals.scorecard.at_risk)
        })
        .map(|r| (super::summary::sort_keys(&r)[index].clone(), r))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let w = domain::paging::window(
        &keys,
        q.after.as_deref(),
        q.before.as_deref(),
        q.limit.clamp(1, 500),
    );
    Portfolio {
        as_of,
        next: w.next,
        prev: w.prev,
        rows: keyed.drain(w.start..w.end).map(|(_, r)| r).collect(),
    }
}

pub use domain::reports::{contacts, portfolio_rows, report_of};

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

#[cfg(test)]
mod tests;
