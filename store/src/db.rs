//! Connecting to SurrealDB and keeping its schema current.
//!
//! The files in `schema/` hold idempotent definitions (`IF NOT EXISTS`) applied at every start; the
//! files in `migrations/` run once each, in order, and are recorded in the `migration` table.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

mod client;

pub use client::Query;

/// The database connection every repository uses: SurrealDB's client (the embedded engine or a
/// server, see the `client` module), plus a count of the queries sent through it, so that tests
/// can hold a request path to a fixed number of round trips.
///
/// Cloning a `Db` shares one SurrealDB handle. Cloning the handle itself opens a new session in
/// the embedded engine (with its own transaction and live-query maps) and closes it again when
/// the clone is dropped; per request and per repository, that cost about a fifth of the CPU
/// time of a page.
#[derive(Clone)]
pub struct Db {
    inner: Arc<client::Client>,
    queries: Arc<AtomicU64>,
}

impl Db {
    fn new(inner: client::Client) -> Self {
        Self {
            inner: Arc::new(inner),
            queries: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Starts a query (SurrealQL, one or more statements), counting it.
    pub fn query<'c>(&'c self, sql: impl Into<Cow<'c, str>>) -> Query<'c> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.inner.query(sql)
    }

    /// Writes the whole database to `file` as SurrealQL (SurrealDB's export).
    pub async fn export(&self, file: &std::path::Path) -> Result<(), surrealdb::Error> {
        self.inner.export(file).await
    }

    /// Runs a SurrealQL file written by [`Db::export`] (SurrealDB's import).
    pub async fn import(&self, file: &std::path::Path) -> Result<(), surrealdb::Error> {
        self.inner.import(file).await
    }

    /// The same connection with a count of its own, for an instance's background work (live
    /// queries, the webhook worker, housekeeping): what [`Db::queries_sent`] says of the
    /// request path then does not depend on when those ran.
    pub fn with_own_count(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            queries: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many queries were sent through this connection (and its clones) so far.
    pub fn queries_sent(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }
}

/// Namespace and database used inside the SurrealDB instance.
pub const NAMESPACE: &str = "touchpoint";
/// See [`NAMESPACE`].
pub const DATABASE: &str = "main";

/// The schema files, applied in order at every start.
const SCHEMA: &[(&str, &str)] = &[
    ("00_core", include_str!("../schema/00_core.surql")),
    ("10_projects", include_str!("../schema/10_projects.surql")),
    (
        "20_stakeholders",
        include_str!("../schema/20_stakeholders.surql"),
    ),
    ("30_sprints", include_str!("../schema/30_sprints.surql")),
    ("40_quality", include_str!("../schema/40_quality.surql")),
    ("50_voice", include_str!("../schema/50_voice.surql")),
    ("60_tokens", include_str!("../schema/60_tokens.surql")),
    ("65_sso", include_str!("../schema/65_sso.surql")),
    ("70_revisions", include_str!("../schema/70_revisions.surql")),
    ("80_live", include_str!("../schema/80_live.surql")),
    ("90_webhooks", include_str!("../schema/90_webhooks.surql")),
    ("92_mail", include_str!("../schema/92_mail.surql")),
    ("95_summaries", include_str!("../schema/95_summaries.surql")),
];

/// Versioned migrations: (version, name, SurrealQL). Append only; never edit a shipped one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "baseline",
        include_str!("../schema/migrations/0001_baseline.surql"),
    ),
    (
        2,
        "token hash links",
        include_str!("../schema/migrations/0002_token_hash_links.surql"),
    ),
    (
        3,
        "time zone in the directory revision",
        include_str!("../schema/migrations/0003_time_zone_revision.surql"),
    ),
    (
        4,
        "list keys",
        include_str!("../schema/migrations/0004_list_keys.surql"),
    ),
    (
        5,
        "portfolio page indexes",
        include_str!("../schema/migrations/0005_page_indexes.surql"),
    ),
    (
        6,
        "stakeholder links",
        include_str!("../schema/migrations/0006_stakeholder_links.surql"),
    ),
    (
        7,
        "literal types and fewer indexes",
        include_str!("../schema/migrations/0007_literal_types.surql"),
    ),
];

/// Connects to `url` (`mem://`, `surrealkv://path`, `ws://host:port`, …) and selects the
/// namespace and database. For SurrealKV, every commit is synced to disk. For a SurrealDB server
/// that requires sign-in, `TOUCHPOINT_DB_USER` and `TOUCHPOINT_DB_PASS` name its root user.
pub async fn connect(url: &str) -> Result<Db, surrealdb::Error> {
    connect_with(url, client::StorageSettings::default()).await
}

/// [`connect`] for a one-off command: an embedded store gets a smaller block cache (see
/// `StorageSettings::FOR_COMMANDS`), unless `TOUCHPOINT_DB_CACHE_MB` sets one.
pub async fn connect_for_command(url: &str) -> Result<Db, surrealdb::Error> {
    connect_with(url, client::StorageSettings::FOR_COMMANDS).await
}

async fn connect_with(
    url: &str,
    defaults: client::StorageSettings,
) -> Result<Db, surrealdb::Error> {
    let db = client::Client::open(&with_sync(url), defaults).await?;
    if let (Ok(username), Ok(password)) = (
        std::env::var("TOUCHPOINT_DB_USER"),
        std::env::var("TOUCHPOINT_DB_PASS"),
    ) {
        db.sign_in_root(username, password).await?;
    }
    db.use_database(NAMESPACE, DATABASE).await?;
    Ok(Db::new(db))
}

/// Connects to a fresh namespace-scoped database, for tests.
pub async fn connect_isolated(url: &str, database: &str) -> Result<Db, surrealdb::Error> {
    let db = client::Client::open(&with_sync(url), client::StorageSettings::default()).await?;
    db.use_database(NAMESPACE, database).await?;
    Ok(Db::new(db))
}

/// SurrealKV syncs every commit when asked with `?sync=every`.
fn with_sync(url: &str) -> String {
    with_sync_mode(url, "every")
}

/// `url` with SurrealKV's `sync` setting, unless it names one already.
fn with_sync_mode(url: &str, mode: &str) -> String {
    if url.starts_with("surrealkv://") && !url.contains("sync=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}sync={mode}")
    } else {
        url.to_string()
    }
}

/// The address a one-off command (`demo`, `import`, `token create`, …) opens. SurrealKV then
/// hands each commit to the operating system without waiting for the disk (`sync=never`), and
/// syncs its log once, as the store closes when the command ends; the command exits only after
/// that close (see the binary's `main`).
///
/// Syncing every commit takes a thread of SurrealKV's own that holds a handle to the store. When
/// the store shuts down, that thread drops its handle outside the async runtime, and SurrealKV
/// warns "No runtime available for closing the store correctly" although the close follows at
/// once. A command is done when it exits, after the close has synced everything, so it needs
/// neither the sync per commit nor the misleading warning.
pub fn synced_on_close(url: &str) -> String {
    with_sync_mode(url, "never")
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MigrationRow {
    version: i64,
}

/// Applies the schema and any migrations not yet recorded. Safe to run at every start and from
/// several instances at the same moment: the schema statements are idempotent, and each
/// migration runs in one transaction with the record of its version, so only one instance's
/// transaction commits. An instance that loses such a race (a write conflict on a schema
/// statement, or a migration that another instance recorded meanwhile) pauses briefly and runs
/// the whole step again, which then finds the work done.
pub async fn migrate(db: &Db) -> Result<Vec<i64>, surrealdb::Error> {
    let mut applied = Vec::new();
    let mut attempt = 0u64;
    loop {
        match migrate_once(db, &mut applied).await {
            Err(Step::Lost(e)) if attempt < MIGRATE_ATTEMPTS => {
                attempt += 1;
                tracing::info!(attempt, error = %e, "the schema step lost a race with another instance; running it again");
                let pause = rand::random_range(10..=50 * attempt);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            Err(Step::Lost(e) | Step::Failed(e)) => return Err(e),
            Ok(()) => return Ok(applied),
        }
    }
}

/// How often [`migrate`] runs again after losing a race to another instance.
const MIGRATE_ATTEMPTS: u64 = 20;

/// How one run of the schema step failed.
enum Step {
    /// Another instance wrote the same schema or migration at the same moment.
    Lost(surrealdb::Error),
    Failed(surrealdb::Error),
}

impl Step {
    /// A response's errors as a step's failure: a write conflict (also one at the commit of a
    /// transaction) is a lost race; anything else, the error that explains it.
    fn checked(mut res: surrealdb::IndexedResults) -> Result<surrealdb::IndexedResults, Step> {
        match cause_of(res.take_errors()) {
            None => Ok(res),
            Some((e, true)) => Err(Step::Lost(e)),
            Some((e, false)) => Err(Step::Failed(e)),
        }
    }

    fn into_error(self) -> surrealdb::Error {
        match self {
            Step::Lost(e) | Step::Failed(e) => e,
        }
    }
}

impl From<surrealdb::Error> for Step {
    fn from(e: surrealdb::Error) -> Self {
        if e.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict) {
            Step::Lost(e)
        } else {
            Step::Failed(e)
        }
    }
}

async fn migrate_once(db: &Db, applied: &mut Vec<i64>) -> Result<(), Step> {
    for (_name, sql) in SCHEMA {
        Step::checked(db.query(*sql).await?)?;
    }
    let mut res = Step::checked(db.query("SELECT version FROM migration").await?)?;
    let done: Vec<MigrationRow> = res.take(0)?;
    for (version, name, sql) in MIGRATIONS {
        if done.iter().any(|m| m.version == *version) {
            continue;
        }
        let now: DateTime<Utc> = Utc::now();
        let stmt = format!(
            "BEGIN TRANSACTION;\n{sql}\n;CREATE type::record('migration', $version) SET version = $version, name = $name, applied_at = $now;\nCOMMIT TRANSACTION;"
        );
        let ran = async {
            Step::checked(
                db.query(stmt)
                    .bind(("version", *version))
                    .bind(("name", name.to_string()))
                    .bind(("now", now))
                    .await?,
            )
        }
        .await;
        if let Err(failed) = ran {
            // Whatever the error, a migration that another instance recorded meanwhile is
            // done: this transaction wrote nothing, and the next run skips it.
            let mut res = Step::checked(
                db.query("SELECT version FROM type::record('migration', $version)")
                    .bind(("version", *version))
                    .await?,
            )?;
            let recorded: Vec<MigrationRow> = res.take(0)?;
            return Err(if recorded.is_empty() {
                failed
            } else {
                Step::Lost(failed.into_error())
            });
        }
        tracing::info!(version, name, "applied migration");
        applied.push(*version);
    }
    Ok(())
}

/// Whether the database answers a trivial query (the readiness check).
pub async fn ping(db: &Db) -> Result<(), surrealdb::Error> {
    db.query("RETURN true").await?.check()?;
    Ok(())
}

#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct Count {
    n: i64,
}

/// Whether the database holds any user (a used installation). A database without the `user`
/// table (never migrated) holds none.
pub async fn has_users(db: &Db) -> Result<bool, surrealdb::Error> {
    let Ok(mut res) = db
        .query("SELECT count() AS n FROM user GROUP ALL")
        .await?
        .check()
    else {
        return Ok(false);
    };
    let n: Option<Count> = res.take(0)?;
    Ok(n.is_some_and(|c| c.n > 0))
}

/// Removes everything in Touchpoint's database (before a restore) and selects it again.
pub async fn empty_database(db: &Db) -> Result<(), surrealdb::Error> {
    db.query(format!(
        "REMOVE DATABASE IF EXISTS {DATABASE}; DEFINE DATABASE {DATABASE}; USE DB {DATABASE};"
    ))
    .await?
    .check()?;
    db.inner.use_database(NAMESPACE, DATABASE).await
}

/// The sprint number of a sprint-scoped id (`retro:[key, n]`, `sprint:[key, n]`).
pub fn sprint_of(id: &surrealdb::types::RecordId) -> Option<u32> {
    use surrealdb::types::{RecordIdKey, Value};
    match &id.key {
        RecordIdKey::Array(parts) => match parts.get(1) {
            Some(Value::Number(n)) => n.to_int().and_then(|n| u32::try_from(n).ok()),
            _ => None,
        },
        _ => None,
    }
}

/// The key part of a record id, as the string ids the DTOs carry.
pub fn key_of(id: &surrealdb::types::RecordId) -> String {
    use surrealdb::types::RecordIdKey;
    match &id.key {
        RecordIdKey::String(s) => s.clone(),
        RecordIdKey::Number(n) => n.to_string(),
        RecordIdKey::Uuid(u) => u.to_string(),
        other => format!("{other:?}"),
    }
}

/// Takes a lease on one queued row (a webhook delivery, an email) with `sql`, an
/// `UPDATE $id SET lease_until = … WHERE <not leased> RETURN …` that binds `$id` and `$lease`
/// (seconds). A row another worker claimed at the same moment (a write conflict) yields nothing:
/// it is theirs.
pub async fn claim_leased<T: SurrealValue>(
    db: &Db,
    sql: &str,
    id: surrealdb::types::RecordId,
    lease_secs: i64,
) -> domain::error::AppResult<Vec<T>> {
    use domain::error::AppError;
    let res = db
        .query(sql)
        .bind(("id", id))
        .bind(("lease", format!("{lease_secs}s")))
        .await
        .map_err(AppError::from)
        .and_then(|r| r.check().map_err(AppError::from));
    match res {
        Ok(mut res) => Ok(res.take(0)?),
        Err(e) if e.is_write_conflict() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The index of the last statement before `COMMIT TRANSACTION` in a response (`BEGIN` and
/// `COMMIT` each take a place in the results).
pub fn before_commit(res: &surrealdb::IndexedResults) -> usize {
    res.num_statements().saturating_sub(2)
}

/// A record id from a table and a DTO id.
pub fn rid(table: &str, key: &str) -> surrealdb::types::RecordId {
    surrealdb::types::RecordId::new(table, key.to_string())
}

/// Maps an error raised by our own `THROW` (a guard inside a transaction) to `mapped`;
/// any other error converts as usual. Judged by the error kind, never by its text.
pub fn thrown_as(
    err: surrealdb::Error,
    mapped: domain::error::AppError,
) -> domain::error::AppError {
    if err.is_thrown() { mapped } else { err.into() }
}

/// Checks a multi-statement response. If our own `THROW` guard fired anywhere (the other
/// statements of a cancelled transaction then fail too), the answer is `mapped`; otherwise the
/// first error, converted as usual.
pub fn check_guarded(
    mut res: surrealdb::IndexedResults,
    mapped: domain::error::AppError,
) -> Result<surrealdb::IndexedResults, domain::error::AppError> {
    let errors = res.take_errors();
    if errors.is_empty() {
        return Ok(res);
    }
    if errors.values().any(surrealdb::Error::is_thrown) {
        return Err(mapped);
    }
    Err(first_cause(errors))
}

/// The error that explains a failed query: the first one that is not merely "not executed
/// because the transaction failed". When every statement says only that, the transaction
/// failed at its commit, which on SurrealKV means a write conflict.
fn first_cause(
    errors: std::collections::HashMap<usize, surrealdb::Error>,
) -> domain::error::AppError {
    match cause_of(errors) {
        Some((e, false)) => e.into(),
        Some((_, true)) | None => domain::error::AppError::write_conflict(),
    }
}

/// The error that explains a response's errors (see [`first_cause`]), and whether it is a
/// write conflict; `None` without errors.
fn cause_of(
    errors: std::collections::HashMap<usize, surrealdb::Error>,
) -> Option<(surrealdb::Error, bool)> {
    use surrealdb::types::QueryError;
    let mut errors: Vec<(usize, surrealdb::Error)> = errors.into_iter().collect();
    errors.sort_by_key(|(i, _)| *i);
    if let Some(i) = errors
        .iter()
        .position(|(_, e)| e.query_details() == Some(&QueryError::TransactionConflict))
    {
        return Some((errors.swap_remove(i).1, true));
    }
    match errors
        .iter()
        .position(|(_, e)| e.query_details() != Some(&QueryError::NotExecuted))
    {
        Some(i) => Some((errors.swap_remove(i).1, false)),
        None => errors.into_iter().next().map(|(_, e)| (e, true)),
    }
}

/// Cuts a keyset page read with one row too many (`limit + 1`) down to `page` rows, and returns
/// the key of its last row when more follow: the `after` of the next page.
pub fn keyset_page<T>(
    rows: &mut Vec<T>,
    page: usize,
    id: impl Fn(&T) -> &surrealdb::types::RecordId,
) -> Option<String> {
    let more = rows.len() > page;
    rows.truncate(page);
    if more {
        rows.last().map(|r| key_of(id(r)))
    } else {
        None
    }
}

/// Runs a write again when it lost a race with a concurrent write to the same records (up to
/// five times, with a short random pause). Each attempt must be one transaction, so that a lost
/// attempt wrote nothing: then running it again is safe. Writes to one project all bump its
/// revision counter, so two at the same moment conflict even when they touch different records.
pub async fn retry_conflicts<T, F, Fut>(mut write: F) -> domain::error::AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = domain::error::AppResult<T>>,
{
    let mut attempt = 0u64;
    loop {
        match write().await {
            Err(e) if e.is_write_conflict() && attempt < 5 => {
                attempt += 1;
                tracing::debug!(attempt, "a write lost a race with another and runs again");
                let pause = rand::random_range(1..=10 * attempt);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lost_races_are_run_again_and_other_errors_are_not() {
        use domain::error::AppError;
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let out = retry_conflicts(|| async {
            match attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 | 1 => Err(AppError::write_conflict()),
                n => Ok(n),
            }
        })
        .await;
        assert_eq!(out.expect("third time"), 2);
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let out: domain::error::AppResult<()> = retry_conflicts(|| async {
            attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(AppError::taken("key", "taken"))
        })
        .await;
        assert!(out.is_err());
        assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 1);
        let out: domain::error::AppResult<()> =
            retry_conflicts(|| async { Err(AppError::write_conflict()) }).await;
        assert!(out.expect_err("gives up").is_write_conflict());
    }

    #[test]
    fn surrealkv_urls_sync_every_commit() {
        assert_eq!(
            with_sync("surrealkv://data/touchpoint.db"),
            "surrealkv://data/touchpoint.db?sync=every"
        );
        assert_eq!(with_sync("mem://"), "mem://");
        assert_eq!(
            with_sync("surrealkv://x?sync=never"),
            "surrealkv://x?sync=never"
        );
    }

    #[test]
    fn one_off_commands_sync_surrealkv_on_close() {
        assert_eq!(
            synced_on_close("surrealkv://data/touchpoint.db"),
            "surrealkv://data/touchpoint.db?sync=never"
        );
        assert_eq!(
            synced_on_close("surrealkv://x?versioned=true"),
            "surrealkv://x?versioned=true&sync=never"
        );
        assert_eq!(
            with_sync(&synced_on_close("surrealkv://x")),
            "surrealkv://x?sync=never"
        );
        assert_eq!(
            synced_on_close("surrealkv://x?sync=every"),
            "surrealkv://x?sync=every"
        );
        assert_eq!(synced_on_close("mem://"), "mem://");
    }

    #[tokio::test]
    async fn migrate_is_idempotent() {
        let db = connect("mem://").await.expect("connect");
        let first = migrate(&db).await.expect("first");
        assert_eq!(first, vec![1, 2, 3, 4, 5, 6, 7]);
        let second = migrate(&db).await.expect("second");
        assert!(second.is_empty());
    }

    /// Instances started together on an empty database all succeed, and each migration is
    /// applied by exactly one of them.
    #[tokio::test]
    async fn migrations_started_together_apply_once() {
        let db = connect("mem://").await.expect("connect");
        let (a, b, c, d) = tokio::join!(migrate(&db), migrate(&db), migrate(&db), migrate(&db));
        let mut all: Vec<i64> = [a, b, c, d]
            .into_iter()
            .flat_map(|r| r.expect("every instance starts"))
            .collect();
        all.sort_unstable();
        assert_eq!(all, vec![1, 2, 3, 4, 5, 6, 7]);
        let mut res = db
            .query("SELECT count() AS n FROM migration GROUP ALL")
            .await
            .expect("count")
            .check()
            .expect("count");
        let n: Option<i64> = res.take("n").expect("n");
        assert_eq!(n, Some(7));
    }

    /// The enumerations are literal types: a value outside the list is refused, as the
    /// `ASSERT`s they replace refused it, on a new database and on one that had the `ASSERT`s
    /// and the indexes that migration 7 removes.
    #[tokio::test]
    async fn enumerations_refuse_other_values_before_and_after_migration_7() {
        let fresh = connect("mem://").await.expect("connect");
        migrate(&fresh).await.expect("migrate");
        let old = connect("mem://").await.expect("connect");
        old.query(
            "DEFINE TABLE feedback SCHEMAFULL;
             DEFINE FIELD project ON feedback TYPE record<project>;
             DEFINE FIELD channel ON feedback TYPE string ASSERT $value IN ['link', 'review', 'interview', 'team'];
             DEFINE FIELD rating ON feedback TYPE option<int> ASSERT $value = NONE OR ($value >= 1 AND $value <= 5);
             DEFINE FIELD invite ON feedback TYPE option<record<invite>>;
             DEFINE FIELD sprint ON feedback TYPE option<record<sprint>>;
             DEFINE INDEX feedback_project ON feedback FIELDS project;
             DEFINE INDEX feedback_project_sprint ON feedback FIELDS project, sprint;
             DEFINE INDEX feedback_invite ON feedback FIELDS invite;",
        )
        .await
        .expect("old schema")
        .check()
        .expect("old schema");
        migrate(&old).await.expect("migrate");
        for db in [&fresh, &old] {
            let mut info = db
                .query("INFO FOR TABLE feedback")
                .await
                .expect("info")
                .check()
                .expect("info");
            let info: surrealdb::types::Value = info.take(0).expect("info");
            let info = format!("{info:?}");
            assert!(!info.contains("ASSERT"), "{info}");
            assert!(!info.contains("feedback_project\""), "{info}");
            assert!(!info.contains("feedback_invite"), "{info}");
            assert!(!info.contains("feedback_project_sprint"), "{info}");
            let row = |channel: &str, rating: &str| {
                format!(
                    "CREATE feedback CONTENT {{ project: project:alpha, sprint: NONE, channel: '{channel}',
                     rating: {rating}, submitted_at: time::now(), body: 'x', category: 'bug',
                     status: 'new', created_at: time::now(), updated_at: time::now() }}"
                )
            };
            for (channel, rating, ok) in [
                ("link", "5", true),
                ("team", "NONE", true),
                ("letter", "3", false),
                ("link", "6", false),
                ("link", "0", false),
            ] {
                let res = db.query(row(channel, rating)).await.expect("query").check();
                assert_eq!(res.is_ok(), ok, "{channel} {rating}: {res:?}");
            }
        }
    }
}
