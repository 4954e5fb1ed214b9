//! The read cache: what each app instance keeps of every project it has served, so that a page,
//! a report or the portfolio costs one round trip of key reads instead of a dozen index scans.
//!
//! Correctness comes from the database, not from timing. Every write to a project's records
//! raises `revision:<key>` in the writing transaction (events in `70_revisions.surql`), and
//! writes that change what every project shows raise `revision:⟨~directory⟩` (stakeholder and
//! user names, functions, the time zone) or `revision:⟨~catalog⟩` (projects and memberships).
//! Before answering, a request reads those counters (one round trip of key reads, see
//! [`crate::revisions::stamp`]) and uses a cached snapshot only when it was loaded at exactly those counts;
//! otherwise it loads the project again. So a write through any app instance, an import, a
//! restore (which raises the directory counter) or a change of time zone is seen by the next
//! request everywhere, and reports for past `as_of` dates are computed from the same snapshot.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use chrono_tz::Tz;
use tokio::sync::OnceCell;

use crate::db::Db;
use crate::feedback::{FeedbackRecord, InviteRow};
use crate::revisions::{Stamp, parse_time_zone, stamp, user_counter};
use crate::stakeholders::ChoiceRecord;
use domain::auth::CurrentUser;
use domain::error::AppResult;
use domain::projects::MemberRole;
use domain::reports::{PortfolioRow, ProjectReport};
use domain::signals::ProjectSignals;

mod load;
pub use load::{
    LoadedCatalog, LoadedProject, PEOPLE_SQL, load_catalog, load_project, project_statements,
};

/// How many report dates each snapshot remembers (today, and a few dates people look back at).
const MEMO_DATES: usize = 4;

/// One project as loaded at a revision, with its computed signals and reports per date. Reads
/// as the [`LoadedProject`] it holds.
pub struct ProjectSnapshot {
    loaded: LoadedProject,
    signals: Mutex<Vec<(NaiveDate, Arc<ProjectSignals>)>>,
    reports: Mutex<Vec<(NaiveDate, Arc<ProjectReport>)>>,
    /// The newest page of the feedback inbox (no filter), read once at this revision.
    newest_feedback: OnceCell<Arc<Vec<FeedbackRecord>>>,
    /// The people linked to the project, to pick from, read once at this revision.
    people: OnceCell<Arc<Vec<ChoiceRecord>>>,
    /// The project's invite links, read once at this revision.
    invites: OnceCell<Arc<Vec<InviteRow>>>,
    /// When it was last used (the cache's clock), for evicting the least recently used.
    used: AtomicU64,
}

impl std::ops::Deref for ProjectSnapshot {
    type Target = LoadedProject;

    fn deref(&self) -> &LoadedProject {
        &self.loaded
    }
}

impl std::fmt::Debug for ProjectSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectSnapshot")
            .field("key", &self.record.key)
            .field("revision", &self.revision)
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

impl ProjectSnapshot {
    fn new(loaded: LoadedProject) -> Self {
        Self {
            loaded,
            signals: Mutex::new(Vec::new()),
            reports: Mutex::new(Vec::new()),
            newest_feedback: OnceCell::new(),
            people: OnceCell::new(),
            invites: OnceCell::new(),
            used: AtomicU64::new(0),
        }
    }

    /// The project key.
    pub fn key(&self) -> &str {
        &self.record.key
    }

    /// Today in the workspace time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.time_zone)
            .date_naive()
    }

    /// A user's membership role, if they are a member.
    pub fn role_of(&self, user_id: &str) -> Option<MemberRole> {
        self.members
            .iter()
            .find(|m| m.user_id == user_id)
            .map(|m| m.role)
    }

    /// The signals as of a date (computed once per date).
    pub fn signals(&self, as_of: NaiveDate) -> Arc<ProjectSignals> {
        memo(&self.signals, as_of, || {
            domain::signals::compute(&self.input, as_of)
        })
    }

    /// The report as of a date (computed once per date).
    pub fn report(&self, as_of: NaiveDate) -> Arc<ProjectReport> {
        memo(&self.reports, as_of, || {
            domain::reports::report_of(&self.input, as_of)
        })
    }

    /// The newest page of the feedback inbox without a filter, as `read` reads it, read at most
    /// once per snapshot: the readers of a busy project share it until the next write. Every
    /// write to the project's feedback, and every change of a name of a sprint or person it
    /// shows, moves the project's counter and so makes a new snapshot. `read` runs after this
    /// snapshot was loaded, so the page is never older than the snapshot.
    pub async fn newest_feedback<F>(&self, read: F) -> AppResult<Arc<Vec<FeedbackRecord>>>
    where
        F: Future<Output = AppResult<Vec<FeedbackRecord>>>,
    {
        once(&self.newest_feedback, read).await
    }

    /// The people linked to the project (`StakeholderRepo::choices` for it), as `read` reads
    /// them, at most once per snapshot. A link made or removed, and a change of a linked
    /// person's name, function, merge or erasure, move the project's counter.
    pub async fn people<F>(&self, read: F) -> AppResult<Arc<Vec<ChoiceRecord>>>
    where
        F: Future<Output = AppResult<Vec<ChoiceRecord>>>,
    {
        once(&self.people, read).await
    }

    /// The project's invite links (`FeedbackRepo::invite_rows`), as `read` reads them, at most
    /// once per snapshot. Every write to an invite, and a change of a name one shows (its
    /// sprint, its stakeholder, who made it), move the project's counter. Whether a link has
    /// expired is decided when it is shown, not here.
    pub async fn invites<F>(&self, read: F) -> AppResult<Arc<Vec<InviteRow>>>
    where
        F: Future<Output = AppResult<Vec<InviteRow>>>,
    {
        once(&self.invites, read).await
    }

    /// Whether it shows the project as of `stamp`: loaded at the project's counter there (which
    /// every write to the project, and every change of a name or function of a person it
    /// mentions, moves), in its time zone.
    fn current(&self, stamp: &Stamp, revision: i64) -> bool {
        self.revision == revision && self.time_zone == parse_time_zone(&stamp.time_zone)
    }

    /// Like [`Self::current`], or newer: what a request that waited for another's load takes.
    fn current_or_newer(&self, stamp: &Stamp, revision: i64) -> bool {
        self.revision >= revision && self.time_zone == parse_time_zone(&stamp.time_zone)
    }
}

/// What `read` reads, read at most once per cell: requests that ask at the same time wait for
/// the first one's read, and a failed read leaves the cell empty for the next request.
async fn once<T, F>(cell: &OnceCell<Arc<T>>, read: F) -> AppResult<Arc<T>>
where
    F: Future<Output = AppResult<T>>,
{
    cell.get_or_try_init(|| async { read.await.map(Arc::new) })
        .await
        .cloned()
}

/// The value for `as_of`, computed at most once while it stays among the last few dates asked.
fn memo<T>(
    slot: &Mutex<Vec<(NaiveDate, Arc<T>)>>,
    as_of: NaiveDate,
    f: impl FnOnce() -> T,
) -> Arc<T> {
    if let Ok(list) = slot.lock()
        && let Some((_, v)) = list.iter().find(|(d, _)| *d == as_of)
    {
        return v.clone();
    }
    let value = Arc::new(f());
    if let Ok(mut list) = slot.lock() {
        if list.len() >= MEMO_DATES {
            list.remove(0);
        }
        list.push((as_of, value.clone()));
    }
    value
}

/// A project in the catalog.
#[derive(Clone, Debug)]
pub struct CatalogProject {
    /// Key.
    pub key: String,
    /// The name's sort key ([`domain::paging::name_key`]): the catalog's order, and the cursor
    /// of lists in name order.
    pub sort_key: String,
    /// Name.
    pub name: String,
    /// Status name.
    pub status: String,
}

/// Every project and who belongs to which, as loaded at a revision.
pub struct Catalog {
    /// `revision:⟨~catalog⟩` it was loaded at.
    pub revision: i64,
    /// Every project, by name ([`CatalogProject::sort_key`]).
    pub projects: Vec<CatalogProject>,
    /// The keys of each user's projects.
    pub member_of: HashMap<String, Vec<String>>,
}

impl Catalog {
    /// The projects a user may see: every one for admins and workspace leads, their own for
    /// members; archived ones only when asked. In name order.
    pub fn visible(&self, user: &CurrentUser, include_archived: bool) -> Vec<&CatalogProject> {
        let mine = self.member_of.get(&user.id);
        self.projects
            .iter()
            .filter(|p| include_archived || p.status != "archived")
            .filter(|p| {
                user.role.sees_everything() || mine.is_some_and(|keys| keys.contains(&p.key))
            })
            .collect()
    }
}

/// How many project snapshots a cache keeps by default (`TOUCHPOINT_CACHE_PROJECTS`).
pub const DEFAULT_CAPACITY: usize = 500;

/// How many portfolio lines a cache remembers ([`Cache::line`]); past it, one goes for each
/// new one. A line takes about 2 KB, so the most is some 20 MB.
pub const LINES_CAPACITY: usize = 10_000;

/// A portfolio line as read from the database: the row of a project at one revision of its
/// counter, for one day.
struct RememberedLine {
    day: String,
    revision: i64,
    row: Arc<PortfolioRow>,
}

/// The cache of one app instance. Cheap to share; see the module documentation.
pub struct Cache {
    projects: RwLock<HashMap<String, Arc<ProjectSnapshot>>>,
    /// The most snapshots kept; past it, the least recently used goes.
    capacity: usize,
    /// The clock of [`ProjectSnapshot::used`].
    clock: AtomicU64,
    /// One load at a time per project: concurrent misses wait for the first and share it.
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    catalog: RwLock<Option<Arc<Catalog>>>,
    loads: AtomicU64,
    /// The day (`reports::summary::day_of`) for which this instance checked every stored
    /// portfolio line.
    summaries_day: RwLock<Option<String>>,
    summaries_lock: tokio::sync::Mutex<()>,
    /// The catalog revision at which this instance last removed the stored portfolio lines of
    /// deleted projects (−1: never).
    lines_pruned_at: AtomicI64,
    /// Portfolio lines read before, by project key (see [`Cache::line`]).
    lines: RwLock<HashMap<String, RememberedLine>>,
}

impl Default for Cache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Cache {
    /// A cache that keeps at most `capacity` project snapshots (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            projects: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
            clock: AtomicU64::new(0),
            loading: Mutex::new(HashMap::new()),
            catalog: RwLock::new(None),
            loads: AtomicU64::new(0),
            summaries_day: RwLock::new(None),
            summaries_lock: tokio::sync::Mutex::new(()),
            lines_pruned_at: AtomicI64::new(-1),
            lines: RwLock::new(HashMap::new()),
        }
    }

    /// How many project snapshots are kept now.
    pub fn len(&self) -> usize {
        self.projects.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no snapshot is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether this instance checked every stored portfolio line for `day`.
    pub fn summaries_checked(&self, day: &str) -> bool {
        self.summaries_day
            .read()
            .is_ok_and(|d| d.as_deref() == Some(day))
    }

    /// Records that every stored portfolio line was checked for `day`.
    pub fn set_summaries_checked(&self, day: &str) {
        if let Ok(mut d) = self.summaries_day.write() {
            *d = Some(day.to_string());
        }
    }

    /// Whether this instance removed the stored lines of the projects deleted up to catalog
    /// revision `revision`.
    pub fn lines_pruned(&self, revision: i64) -> bool {
        self.lines_pruned_at.load(Ordering::Relaxed) == revision
    }

    /// Records that the stored lines of the projects deleted up to catalog revision `revision`
    /// were removed.
    pub fn set_lines_pruned(&self, revision: i64) {
        self.lines_pruned_at.store(revision, Ordering::Relaxed);
    }

    /// The portfolio row of project `key` for `day`, as read before at its counter's
    /// `revision`. A stored line is computed from the project at one revision for one day, so a
    /// line read once stays right for as long as the counter stays there (a request reads the
    /// counter first, see `summary::lines_of`).
    pub fn line(&self, key: &str, day: &str, revision: i64) -> Option<Arc<PortfolioRow>> {
        let lines = self.lines.read().ok()?;
        lines
            .get(key)
            .filter(|l| l.revision == revision && l.day == day)
            .map(|l| l.row.clone())
    }

    /// Remembers the portfolio row of project `key` for `day`, read from a line stored at the
    /// counter's `revision` (at most [`LINES_CAPACITY`] lines).
    pub fn remember_line(&self, key: &str, day: &str, revision: i64, row: Arc<PortfolioRow>) {
        let Ok(mut lines) = self.lines.write() else {
            return;
        };
        if lines.len() >= LINES_CAPACITY
            && !lines.contains_key(key)
            && let Some(gone) = lines.keys().next().cloned()
        {
            lines.remove(&gone);
        }
        lines.insert(
            key.to_string(),
            RememberedLine {
                day: day.to_string(),
                revision,
                row,
            },
        );
    }

    /// Held while the stored portfolio lines are checked, so that one check runs at a time.
    pub fn summaries_check_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.summaries_lock
    }

    /// How many project snapshots were loaded from the database so far (for tests and
    /// diagnostics).
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    /// The counters a request should read with (or instead of) its session lookup: the
    /// project its path names, and, for a caller seen before (`user`, from the
    /// [`crate::credentials::CredentialCache`]), their counter and their projects (which the
    /// navigation counts), as in the cached catalog.
    pub fn stamp_keys(&self, user: Option<&str>, path_project: Option<&str>) -> Vec<String> {
        let mut keys: Vec<String> = path_project.map(str::to_string).into_iter().collect();
        if let Some(user) = user {
            keys.push(user_counter(user));
            let catalog = self.catalog.read().ok().and_then(|c| c.clone());
            if let Some(mine) = catalog.as_ref().and_then(|c| c.member_of.get(user)) {
                keys.extend(
                    mine.iter()
                        .filter(|k| Some(k.as_str()) != path_project)
                        .cloned(),
                );
            }
        }
        keys
    }

    /// One project, current as of this call; `None` if it does not exist.
    pub async fn project(&self, db: &Db, key: &str) -> AppResult<Option<Arc<ProjectSnapshot>>> {
        self.project_with(db, key, None).await
    }

    /// Like [`Cache::project`], checked against `prefetched` when it holds the project's
    /// counter (a stamp read with the caller's session at the start of a read-only request),
    /// so that the check costs no round trip of its own.
    pub async fn project_with(
        &self,
        db: &Db,
        key: &str,
        prefetched: Option<&Stamp>,
    ) -> AppResult<Option<Arc<ProjectSnapshot>>> {
        match prefetched {
            Some(stamp) if stamp.project(key).is_some() => self.project_at(db, key, stamp).await,
            _ => {
                let stamp = stamp(db, &[key.to_string()]).await?;
                self.project_at(db, key, &stamp).await
            }
        }
    }

    /// Several projects checked with one stamp, in the order of `keys` (missing ones skipped),
    /// and the time zone.
    pub async fn projects(
        &self,
        db: &Db,
        keys: &[String],
    ) -> AppResult<(Vec<Arc<ProjectSnapshot>>, Tz)> {
        self.projects_with(db, keys, None).await
    }

    /// Like [`Cache::projects`], checked against `prefetched` when it holds every one of the
    /// projects' counters.
    pub async fn projects_with(
        &self,
        db: &Db,
        keys: &[String],
        prefetched: Option<&Stamp>,
    ) -> AppResult<(Vec<Arc<ProjectSnapshot>>, Tz)> {
        let stamp = match prefetched {
            Some(s) if keys.iter().all(|k| s.project(k).is_some()) => s.clone(),
            _ => stamp(db, keys).await?,
        };
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(s) = self.project_at(db, key, &stamp).await? {
                out.push(s);
            }
        }
        Ok((out, parse_time_zone(&stamp.time_zone)))
    }

    /// One project as of `stamp` (which must hold its counter).
    pub async fn project_at_stamp(
        &self,
        db: &Db,
        key: &str,
        stamp: &Stamp,
    ) -> AppResult<Option<Arc<ProjectSnapshot>>> {
        self.project_at(db, key, stamp).await
    }

    fn cached(&self, key: &str) -> Option<Arc<ProjectSnapshot>> {
        let s = self
            .projects
            .read()
            .ok()
            .and_then(|m| m.get(key).cloned())?;
        s.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(s)
    }

    async fn project_at(
        &self,
        db: &Db,
        key: &str,
        stamp: &Stamp,
    ) -> AppResult<Option<Arc<ProjectSnapshot>>> {
        let revision = stamp.project(key).unwrap_or(0);
        if let Some(s) = self.cached(key)
            && s.current(stamp, revision)
        {
            return Ok(Some(s));
        }
        // One load per project at a time: a burst of readers after a write waits for the first
        // one's load instead of each loading the project.
        let gate = {
            let Ok(mut loading) = self.loading.lock() else {
                return Err(domain::error::AppError::internal());
            };
            Arc::clone(loading.entry(key.to_string()).or_default())
        };
        let result = async {
            let _turn = gate.lock().await;
            if let Some(s) = self.cached(key)
                && s.current_or_newer(stamp, revision)
            {
                return Ok(Some(s));
            }
            self.load(db, key).await
        }
        .await;
        if let Ok(mut loading) = self.loading.lock()
            && loading
                .get(key)
                .is_some_and(|g| Arc::ptr_eq(g, &gate) && Arc::strong_count(g) <= 2)
        {
            loading.remove(key);
        }
        result
    }

    async fn load(&self, db: &Db, key: &str) -> AppResult<Option<Arc<ProjectSnapshot>>> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        let Some(loaded) = load::load_project(db, key).await? else {
            if let Ok(mut m) = self.projects.write() {
                m.remove(key);
            }
            return Ok(None);
        };
        let snapshot = Arc::new(ProjectSnapshot::new(loaded));
        snapshot.used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        if let Ok(mut m) = self.projects.write() {
            // Concurrent loads: keep the newer one.
            let newer = m
                .get(key)
                .is_none_or(|old| old.revision <= snapshot.revision);
            if newer {
                m.insert(key.to_string(), snapshot.clone());
            }
            while m.len() > self.capacity {
                let oldest = m
                    .iter()
                    .filter(|(k, _)| k.as_str() != key)
                    .min_by_key(|(_, s)| s.used.load(Ordering::Relaxed))
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => {
                        m.remove(&k);
                    }
                    None => break,
                }
            }
        }
        Ok(Some(snapshot))
    }

    /// The catalog, current as of this call (or as of `prefetched`, a stamp read at the start
    /// of a read-only request), with the stamp it was checked against.
    pub async fn catalog(
        &self,
        db: &Db,
        prefetched: Option<&Stamp>,
    ) -> AppResult<(Arc<Catalog>, Stamp)> {
        let stamp = match prefetched {
            Some(s) => s.clone(),
            None => stamp(db, &[]).await?,
        };
        let cached = self.catalog.read().ok().and_then(|c| c.clone());
        if let Some(c) = cached
            && c.revision == stamp.catalog
        {
            return Ok((c, stamp));
        }
        let loaded = load::load_catalog(db).await?;
        let catalog = Arc::new(Catalog {
            revision: loaded.revision,
            projects: {
                let mut projects: Vec<CatalogProject> = loaded
                    .projects
                    .into_iter()
                    .map(|(key, name, status)| CatalogProject {
                        sort_key: domain::paging::name_key(&name, &key),
                        key,
                        name,
                        status,
                    })
                    .collect();
                projects.sort_unstable_by(|a, b| a.sort_key.cmp(&b.sort_key));
                projects
            },
            member_of: loaded.member_of,
        });
        if let Ok(mut slot) = self.catalog.write()
            && slot
                .as_ref()
                .is_none_or(|old| old.revision <= catalog.revision)
        {
            *slot = Some(catalog.clone());
        }
        Ok((catalog, stamp))
    }

    /// Loads projects into the cache, up to its capacity (the first ones by name).
    pub async fn warm(&self, db: &Db) -> AppResult<usize> {
        let (catalog, _) = self.catalog(db, None).await?;
        let keys: Vec<String> = catalog
            .projects
            .iter()
            .take(self.capacity)
            .map(|p| p.key.clone())
            .collect();
        let (loaded, _) = self.projects(db, &keys).await?;
        Ok(loaded.len())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod plan_tests;
