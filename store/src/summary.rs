//! The portfolio's summaries: one stored line per project (`project_summary`), so that the
//! portfolio is sorted, filtered and paged in the database and never needs every project's
//! records in memory.
//!
//! A line holds the project's portfolio row for one day in the workspace time zone (`day`),
//! computed from the project at revision `revision`, with one sort key per way the portfolio
//! sorts (each indexed) and the flags it filters on. It is current when its day is today and
//! the project's counter has not moved since: every write to a project sets `dirty` on its
//! counter in the writing transaction (`70_revisions.surql`), and whoever computes the line
//! clears it with a write that checks the counter is still the one it computed from. So a
//! request finds the lines to compute with one indexed read, usually empty, and a write
//! through any instance is in the next portfolio everywhere. A page in name order knows its
//! projects from the catalog and reads only their counters ([`lines_of`]), and the lines an
//! instance read before at those counts come from its memory ([`Cache::line`]).
//!
//! A new day (or a new time zone) makes every line old. Each instance checks every line once
//! per day (one read of the table) and computes the old ones again.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use surrealdb::types::{RecordId, SurrealValue};

use crate::cache::Cache;
use crate::db::{Db, key_of, rid};
use domain::error::{AppError, AppResult};
use domain::paging::SEP;
use domain::reports::{PortfolioQuery, PortfolioRow};
use domain::signals::Level;

fn rank(level: Level) -> u8 {
    match level {
        Level::Red => 0,
        Level::Amber => 1,
        Level::InsufficientData => 2,
        Level::Green => 3,
    }
}

/// The sort keys of a row, in the order of [`domain::reports::PortfolioSort::ALL`]. Each ends
/// with the project key, so that keys are unique and a key is a cursor. The orders are those the
/// portfolio has always had: names compare case-insensitively for the name sort and as written
/// for the others.
pub fn sort_keys(row: &PortfolioRow) -> [String; 8] {
    let sc = &row.signals.scorecard;
    let reds = sc
        .entries()
        .iter()
        .filter(|(_, s)| s.level == Level::Red)
        .count();
    let level = |i: usize| rank(sc.entries()[i].1.level);
    let tail = format!("{}{SEP}{}", row.name, row.key);
    [
        domain::paging::name_key(&row.name, &row.key),
        format!("{}{}{tail}", u8::from(!sc.at_risk), 9 - reds.min(9)),
        match row.signals.end_user_contact.last_contact_on {
            None => format!("0{tail}"),
            Some(d) => format!("1{d}{tail}"),
        },
        format!("{}{tail}", level(0)),
        format!("{}{tail}", level(1)),
        format!("{}{tail}", level(2)),
        format!("{}{tail}", level(3)),
        format!("{}{tail}", level(4)),
    ]
}

/// A project's line in the list: lead, the sprint running today, and end-user contact.
pub fn listing(s: &crate::cache::ProjectSnapshot) -> domain::projects::ProjectSummary {
    let today = s.today();
    let current_sprint = s
        .sprints
        .iter()
        .filter(|sp| sp.start_on <= today && sp.end_on >= today)
        .max_by_key(|sp| sp.start_on)
        .map(|sp| (sp.number(), sp.name.clone()));
    let contact = &s.signals(today).end_user_contact;
    domain::projects::ProjectSummary {
        key: s.record.key.clone(),
        name: s.record.name.clone(),
        status: s.record.status.parse().unwrap_or_default(),
        lead_name: s.record.lead_name.clone(),
        current_sprint,
        last_contact_on: contact.last_contact_on,
        lacking_contact: contact
            .lacking
            .then(|| domain::projects::lacking_reason(contact)),
    }
}

/// The day a line is for: the date and the time zone it is a date in.
pub fn day_of(as_of: NaiveDate, time_zone: &str) -> String {
    format!("{as_of}|{time_zone}")
}

/// A stored line.
#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SummaryRecord {
    key: String,
    status: String,
    archived: bool,
    revision: i64,
    day: String,
    lacking: bool,
    at_risk: bool,
    sort_name: String,
    sort_risk: String,
    sort_contact: String,
    sort_m1: String,
    sort_m2: String,
    sort_m3: String,
    sort_m4: String,
    sort_m5: String,
    row: String,
    listing: Option<String>,
}

impl SummaryRecord {
    fn new(
        row: &PortfolioRow,
        listing: &domain::projects::ProjectSummary,
        revision: i64,
        day: String,
    ) -> AppResult<Self> {
        let [name, risk, contact, m1, m2, m3, m4, m5] = sort_keys(row);
        Ok(Self {
            key: row.key.clone(),
            status: row.status.as_str().to_string(),
            archived: row.status == domain::format::ProjectStatus::Archived,
            revision,
            day,
            lacking: row.signals.end_user_contact.lacking,
            at_risk: row.signals.scorecard.at_risk,
            sort_name: name,
            sort_risk: risk,
            sort_contact: contact,
            sort_m1: m1,
            sort_m2: m2,
            sort_m3: m3,
            sort_m4: m4,
            sort_m5: m5,
            row: serde_json::to_string(row).map_err(|_| AppError::internal())?,
            listing: Some(serde_json::to_string(listing).map_err(|_| AppError::internal())?),
        })
    }
}

/// A project's line as computed, ready to store.
pub struct Line {
    /// The portfolio row.
    pub row: PortfolioRow,
    /// The project-list part.
    pub listing: domain::projects::ProjectSummary,
    /// The project's counter it was computed from.
    pub revision: i64,
}

/// One line of a [`store_all`] write, with its record ids.
#[derive(Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LineWrite {
    id: RecordId,
    counter: RecordId,
    revision: i64,
    record: SummaryRecord,
}

/// Stores lines of `day` in one transaction (one sync to disk for all of them). Each is
/// written unless a line computed from a later revision is there already, and clears its
/// project's dirty flag if the counter is still the revision it was computed from. A store
/// that conflicts with another instance's store of the same line, or with a write to one of the
/// projects, runs again: the other may have stored a line from an older revision (a read that
/// began before the latest write), and the reader that computed this one must then find it. A
/// concurrent write to a project leaves its flag set (the next reader computes the line again).
pub async fn store_all(db: &Db, lines: &[Line], day: &str) -> AppResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let writes = lines
        .iter()
        .map(|l| {
            Ok(LineWrite {
                id: rid("project_summary", &l.row.key),
                counter: rid("revision", &l.row.key),
                revision: l.revision,
                record: SummaryRecord::new(&l.row, &l.listing, l.revision, day.to_string())?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let res = crate::db::retry_conflicts(|| async {
        db.query(
            "BEGIN TRANSACTION;
             FOR $l IN $lines {
                 LET $id = $l.id;
                 IF $id.revision = NONE OR $id.revision < $l.revision
                    OR ($id.revision = $l.revision AND ($id.day != $day OR $id.listing = NONE)) {
                     UPSERT $id CONTENT $l.record RETURN NONE;
                 };
                 UPDATE $l.counter SET dirty = false WHERE n = $l.revision RETURN NONE;
             };
             COMMIT TRANSACTION;",
        )
        .bind(("lines", writes.clone()))
        .bind(("day", day.to_string()))
        .await
        .map_err(AppError::from)
        .and_then(|r| r.check().map_err(AppError::from))
    })
    .await;
    lost_race_is_fine(res)
}

/// A store that lost its races every time is not an error here: the project's flag stays set,
/// and the reader computes its line again (see `reports::service::portfolio_page`).
fn lost_race_is_fine<T>(res: AppResult<T>) -> AppResult<()> {
    match res {
        Ok(_) => Ok(()),
        Err(e) if e.is_write_conflict() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the line of a project that no longer exists, and clears its dirty flag.
pub async fn remove(db: &Db, key: &str) -> AppResult<()> {
    let res = crate::db::retry_conflicts(|| async {
        db.query(
            "BEGIN TRANSACTION;
             IF record::exists($project) = false {
                 DELETE $id;
                 UPDATE $counter SET dirty = false RETURN NONE;
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", rid("project_summary", key)))
        .bind(("project", rid("project", key)))
        .bind(("counter", rid("revision", key)))
        .await
        .map_err(AppError::from)
        .and_then(|r| r.check().map_err(AppError::from))
    })
    .await;
    lost_race_is_fine(res)
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LineHead {
    key: String,
    day: String,
    revision: i64,
    now: Option<i64>,
    listed: bool,
}

/// The projects whose line is missing, of another day, without its project-list part, or
/// computed from an older revision than the project's counter: one read of every line (once per day and instance).
pub async fn old_lines(db: &Db, day: &str, projects: &[String]) -> AppResult<Vec<String>> {
    let mut res = db
        .query(
            "SELECT key, day, revision, type::record('revision', key).n AS now,
                    listing != NONE AS listed
             FROM project_summary",
        )
        .await?
        .check()?;
    let heads: Vec<LineHead> = res.take(0)?;
    let mut current = std::collections::HashSet::new();
    let mut old = Vec::new();
    for h in heads {
        if h.day == day && h.now == Some(h.revision) && h.listed {
            current.insert(h.key);
        } else {
            old.push(h.key);
        }
    }
    for key in projects {
        if !current.contains(key) && !old.contains(key) {
            old.push(key.clone());
        }
    }
    Ok(old)
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ListingRow {
    key: String,
    day: String,
    listing: Option<String>,
}

/// The project-list lines of `keys` stored for `day`, by key (a key without one is missing).
pub async fn listings(
    db: &Db,
    day: &str,
    keys: &[String],
) -> AppResult<std::collections::HashMap<String, domain::projects::ProjectSummary>> {
    let mut out = std::collections::HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let ids: Vec<RecordId> = chunk.iter().map(|k| rid("project_summary", k)).collect();
        let mut res = db
            .query("SELECT key, day, listing FROM $ids")
            .bind(("ids", ids))
            .await?
            .check()?;
        let rows: Vec<ListingRow> = res.take(0)?;
        for r in rows {
            let Some(text) = r.listing.filter(|_| r.day == day) else {
                continue;
            };
            match serde_json::from_str(&text) {
                Ok(listing) => {
                    out.insert(r.key, listing);
                }
                Err(e) => tracing::warn!(error = %e, key = %r.key, "an unreadable project line"),
            }
        }
    }
    Ok(out)
}

/// The statement that finds the projects whose line must be computed again because they were
/// written since (indexed: usually reads nothing).
const DIRTY_SQL: &str = "SELECT VALUE record::id(id) FROM revision WHERE dirty = true";

/// The projects written since their lines were computed.
pub async fn dirty(db: &Db) -> AppResult<Vec<String>> {
    let mut res = db.query(DIRTY_SQL).await?.check()?;
    Ok(res.take(0)?)
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PageRow {
    sort: String,
    row: String,
}

/// One page of lines, and the projects written since their lines were computed (when that is
/// not empty, the page may be out of date: compute them and ask again).
pub struct PageRead {
    /// The rows, in order, with their sort keys (the cursors).
    pub rows: Vec<(String, PortfolioRow)>,
    /// Whether there are more rows past the page in the direction read.
    pub more: bool,
    /// Projects whose lines are out of date.
    pub dirty: Vec<String>,
}

/// Whether a page is read backwards (only `before` given), and the cursor it starts from.
fn direction(q: &PortfolioQuery) -> (bool, &Option<String>) {
    let backwards = q.before.is_some() && q.after.is_none();
    (backwards, if backwards { &q.before } else { &q.after })
}

/// The statement that reads one page (binds `$day`, `$cursor`, `$limit`, and `$only` when
/// `only`). Its conditions are the fields of one page index in order (95_summaries.surql), so
/// that SurrealDB reads one index range and stops at the limit.
fn page_statement(q: &PortfolioQuery, only: bool) -> String {
    let column = q.sort.column();
    let mut filters = vec!["day = $day", "archived = false"];
    if q.lacking {
        filters.push("lacking = true");
    }
    if q.at_risk {
        filters.push("at_risk = true");
    }
    let (backwards, cursor) = direction(q);
    if cursor.is_some() {
        filters.push(if backwards {
            "__SORT__ < $cursor"
        } else {
            "__SORT__ > $cursor"
        });
    }
    let from = if only { "$only" } else { "project_summary" };
    // The column is one of a fixed set of names (never input); everything else is bound.
    format!(
        "SELECT {column} AS sort, row FROM {from} WHERE {} ORDER BY {column} {} LIMIT $limit;",
        filters.join(" AND ").replace("__SORT__", column),
        if backwards { "DESC" } else { "ASC" },
    )
}

/// Reads a page of the lines of `day` in one round trip, with the dirty projects. `only`:
/// the projects the caller may see, when not all; archived projects are left out.
pub async fn page(
    db: &Db,
    day: &str,
    q: &PortfolioQuery,
    only: Option<&[String]>,
) -> AppResult<PageRead> {
    let limit = q.limit.clamp(1, 500);
    let (backwards, cursor) = direction(q);
    let sql = format!("{DIRTY_SQL};\n{}", page_statement(q, only.is_some()));
    let only_ids: Vec<RecordId> = only
        .unwrap_or_default()
        .iter()
        .map(|k| rid("project_summary", k))
        .collect();
    let mut res = db
        .query(sql)
        .bind(("day", day.to_string()))
        .bind(("cursor", cursor.clone().unwrap_or_default()))
        .bind(("limit", (limit + 1) as i64))
        .bind(("only", only_ids))
        .await?
        .check()?;
    let dirty: Vec<String> = res.take(0)?;
    let read: Vec<PageRow> = res.take(1)?;
    let more = read.len() > limit;
    let mut rows = Vec::with_capacity(limit);
    for r in read.into_iter().take(limit) {
        let row: PortfolioRow = serde_json::from_str(&r.row).map_err(|e| {
            tracing::error!(error = %e, "an unreadable portfolio line");
            AppError::internal()
        })?;
        rows.push((r.sort, row));
    }
    if backwards {
        rows.reverse();
    }
    Ok(PageRead { rows, more, dirty })
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct KeyedLine {
    key: String,
    day: String,
    revision: i64,
    row: String,
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Counter {
    key: String,
    n: i64,
    dirty: Option<bool>,
}

/// The lines of some projects, as [`lines_of`] reads them.
pub struct KeyedLines {
    /// The lines in the order asked (`None` where a line is missing, of another day or
    /// unreadable).
    pub rows: Vec<Option<Arc<PortfolioRow>>>,
    /// The projects asked about whose line must be computed (again): missing, of another day,
    /// or of a project written since.
    pub stale: Vec<String>,
}

/// The lines of `keys` for `day`, and which of those projects were written since their lines
/// were computed. Only the counters of `keys` are read, not every mark (see [`dirty`]): a page
/// in name order does not depend on other projects' lines, and the scan of the marks' index
/// walks past every mark cleared since the store last compacted it.
///
/// The counters come first. A line this instance read before at a project's present count and
/// day is taken from `cache` ([`Cache::line`]): a stored line is computed from one revision of
/// its project for one day, so it cannot have changed while the count stayed. Only the other
/// lines are read (a second round trip), and those that are current are remembered. A warm
/// page thus reads one small record per project.
pub async fn lines_of(db: &Db, cache: &Cache, day: &str, keys: &[String]) -> AppResult<KeyedLines> {
    let counters: Vec<RecordId> = keys.iter().map(|k| rid("revision", k)).collect();
    let mut res = db
        .query("SELECT record::id(id) AS key, n, dirty FROM $counters")
        .bind(("counters", counters))
        .await?
        .check()?;
    let counts: Vec<Counter> = res.take(0)?;
    // The counts of the projects not written since their lines were computed; the others
    // are stale.
    let mut settled: HashMap<String, i64> = HashMap::with_capacity(counts.len());
    let mut stale = Vec::new();
    for c in counts {
        if c.dirty == Some(true) {
            stale.push(c.key);
        } else {
            settled.insert(c.key, c.n);
        }
    }
    let mut rows: Vec<Option<Arc<PortfolioRow>>> = vec![None; keys.len()];
    let mut unread = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match settled.get(key).and_then(|&n| cache.line(key, day, n)) {
            Some(row) => rows[i] = Some(row),
            None => unread.push(i),
        }
    }
    if unread.is_empty() {
        return Ok(KeyedLines { rows, stale });
    }
    let ids: Vec<RecordId> = unread
        .iter()
        .map(|&i| rid("project_summary", &keys[i]))
        .collect();
    let mut res = db
        .query("SELECT key, day, revision, row FROM $ids")
        .bind(("ids", ids))
        .await?
        .check()?;
    let read: Vec<KeyedLine> = res.take(0)?;
    let mut found: HashMap<String, KeyedLine> =
        read.into_iter().map(|l| (l.key.clone(), l)).collect();
    for i in unread {
        let key = &keys[i];
        let line = found.remove(key).filter(|l| l.day == day).and_then(|l| {
            let row = serde_json::from_str::<PortfolioRow>(&l.row).ok()?;
            Some((l.revision, Arc::new(row)))
        });
        let Some((revision, row)) = line else {
            if !stale.contains(key) {
                stale.push(key.clone());
            }
            continue;
        };
        if settled.get(key) == Some(&revision) {
            cache.remember_line(key, day, revision, row.clone());
        }
        rows[i] = Some(row);
    }
    Ok(KeyedLines { rows, stale })
}

/// Every line of `day` that the caller may see, by name (the CSV, the diversity report).
pub async fn all(db: &Db, day: &str, only: Option<&[String]>) -> AppResult<Vec<PortfolioRow>> {
    let mut out = Vec::new();
    let mut q = PortfolioQuery {
        limit: 500,
        ..PortfolioQuery::default()
    };
    loop {
        let page = page(db, day, &q, only).await?;
        let last = page.rows.last().map(|(s, _)| s.clone());
        out.extend(page.rows.into_iter().map(|(_, r)| r));
        match (page.more, last) {
            (true, Some(last)) => q.after = Some(last),
            _ => return Ok(out),
        }
    }
}

/// The key a project's line is stored under, from a record id.
pub fn key_from(id: &RecordId) -> String {
    key_of(id)
}

#[cfg(test)]
mod tests;
