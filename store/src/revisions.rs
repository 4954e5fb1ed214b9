//! The revision counters: the one place that names them and reads them.
//!
//! **The revision rule.** Every write to a record that a project load reads
//! ([`crate::cache::project_statements`]) raises a counter in the writing transaction, through
//! the schema's events in `schema/70_revisions.surql`:
//! - `revision:<project key>`: the project's own records, and the names and functions of the
//!   people it mentions;
//! - `revision:⟨~directory⟩`: people's names and functions, and the workspace time zone;
//! - `revision:⟨~catalog⟩`: the list of projects and who belongs to them;
//! - `revision:⟨~user:<id>⟩`: a user, their sessions and their API tokens.
//!
//! The read cache uses a snapshot only while the counters it was loaded at still hold (see
//! [`crate::cache`]). So a repository that starts reading a new table in a project load, or a
//! schema that adds a table such a load reads, must add its event there; the test
//! `every_table_a_project_load_reads_raises_a_counter` fails until it does.

use chrono_tz::Tz;
use domain::error::AppResult;
use futures::StreamExt as _;
use surrealdb::Notification;
use surrealdb::types::{Action, RecordId, SurrealValue};

use crate::db::{Db, key_of, rid};

/// The counter of the people directory and the workspace time zone.
pub const DIRECTORY: &str = "~directory";
/// The counter of the list of projects and their memberships.
pub const CATALOG: &str = "~catalog";
/// The prefix of a user's counter (`~user:<id>`).
pub const USER_PREFIX: &str = "~user:";

/// What a counter's key counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter<'a> {
    /// One project's records (the key is the project key).
    Project(&'a str),
    /// One user, their sessions and tokens (the user's id).
    User(&'a str),
    /// People's names and functions, and the time zone.
    Directory,
    /// The projects and their memberships.
    Catalog,
}

impl<'a> Counter<'a> {
    /// The counter a `revision` record key stands for.
    pub fn of(key: &'a str) -> Self {
        if key == DIRECTORY {
            Counter::Directory
        } else if key == CATALOG {
            Counter::Catalog
        } else if let Some(user) = key.strip_prefix(USER_PREFIX) {
            Counter::User(user)
        } else {
            Counter::Project(key)
        }
    }
}

/// The revision counters and the time zone, read in one round trip (see `70_revisions.surql`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    /// `revision:<key>` of each counter asked about (project keys, `~user:<id>`), as
    /// (key, count); missing ones are 0.
    pub counters: Vec<(String, i64)>,
    /// `revision:⟨~directory⟩`.
    pub directory: i64,
    /// `revision:⟨~catalog⟩`.
    pub catalog: i64,
    /// The workspace time zone's name (empty when unset).
    pub time_zone: String,
}

impl Stamp {
    /// The counter of one project, or of `~user:<id>` (0 for one never written), when this
    /// stamp read it.
    pub fn project(&self, key: &str) -> Option<i64> {
        self.counters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, n)| *n)
    }
}

/// The statement that reads a [`Stamp`]: key reads of the records in `$stamp_ids` (see
/// [`stamp_ids`]). Other repositories append it to a query they send anyway, so that a request
/// costs one round trip.
pub const STAMP_SQL: &str = "SELECT id, n, time_zone FROM $stamp_ids";

/// The records [`STAMP_SQL`] reads for the counters `keys` (all in table `revision`).
pub fn stamp_ids(keys: &[String]) -> Vec<RecordId> {
    let mut ids: Vec<RecordId> = keys.iter().map(|k| rid("revision", k)).collect();
    ids.push(rid("revision", DIRECTORY));
    ids.push(rid("revision", CATALOG));
    ids
}

/// The counter key of a user, their sessions and tokens.
pub fn user_counter(user_id: &str) -> String {
    format!("{USER_PREFIX}{user_id}")
}

/// A row of [`STAMP_SQL`].
#[derive(SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct StampRow {
    id: RecordId,
    n: Option<i64>,
    time_zone: Option<String>,
}

/// The counter of the user a record links to in `field`, as a statement's expression: what a
/// session or token lookup reads with its user.
pub fn user_revision_of(field: &str) -> String {
    format!("type::record('revision', '{USER_PREFIX}' + record::id({field})).n ?? 0")
}

/// `sql` with [`STAMP_SQL`] after it when `keys` are asked for, so that the stamp comes in the
/// same round trip (bind `$stamp_ids` to [`stamp_ids`], read it with [`take_stamp`]).
pub fn and_stamp(mut sql: String, keys: Option<&[String]>) -> String {
    if keys.is_some() {
        sql.push_str(";\n");
        sql.push_str(STAMP_SQL);
    }
    sql
}

/// The stamp that [`and_stamp`] added, as statement `index` of `res`; `None` when none was asked.
pub fn take_stamp(
    res: &mut surrealdb::IndexedResults,
    index: usize,
    keys: Option<&[String]>,
) -> AppResult<Option<Stamp>> {
    match keys {
        Some(keys) => Ok(Some(stamp_from_rows(keys, res.take(index)?))),
        None => Ok(None),
    }
}

/// The stamp of `keys` from the rows of [`STAMP_SQL`]; a counter that does not exist yet is 0.
pub fn stamp_from_rows(keys: &[String], rows: Vec<StampRow>) -> Stamp {
    let mut stamp = Stamp {
        counters: keys.iter().map(|k| (k.clone(), 0)).collect(),
        ..Stamp::default()
    };
    for row in rows {
        let key = key_of(&row.id);
        if key == DIRECTORY {
            stamp.directory = row.n.unwrap_or(0);
            stamp.time_zone = row.time_zone.unwrap_or_default();
        } else if key == CATALOG {
            stamp.catalog = row.n.unwrap_or(0);
        } else if let Some(slot) = stamp.counters.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = row.n.unwrap_or(0);
        }
    }
    stamp
}

/// Reads the revision counters of `keys`, the directory and catalog counters and the time zone,
/// in one round trip of key reads.
pub async fn stamp(db: &Db, keys: &[String]) -> AppResult<Stamp> {
    let mut res = db
        .query(STAMP_SQL)
        .bind(("stamp_ids", stamp_ids(keys)))
        .await?
        .check()?;
    let rows: Vec<StampRow> = res.take(0)?;
    Ok(stamp_from_rows(keys, rows))
}

/// Gives every counter a value no app instance has cached, and marks every project's portfolio
/// line to be computed again: after a restore, whose import runs no events.
pub async fn renew_all(db: &Db) -> AppResult<()> {
    db.query(
        "UPDATE revision SET n = rand::int(1, 4611686018427387903) RETURN NONE;
         UPDATE revision SET dirty = true WHERE !string::starts_with(record::id(id), '~') RETURN NONE;
         UPSERT type::record('revision', $directory) SET n = rand::int(1, 4611686018427387903);
         UPSERT type::record('revision', $catalog) SET n = rand::int(1, 4611686018427387903);",
    )
    .bind(("directory", DIRECTORY))
    .bind(("catalog", CATALOG))
    .await?
    .check()?;
    Ok(())
}

#[derive(Clone, Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CounterRow {
    id: RecordId,
}

/// Calls `changed` with the key of every counter that moves (through any instance), until the
/// live query ends.
pub async fn watch(db: &Db, mut changed: impl FnMut(String)) -> AppResult<()> {
    let mut res = db.query("LIVE SELECT id FROM revision").await?;
    let mut stream = res.stream::<Notification<CounterRow>>(0)?;
    while let Some(n) = stream.next().await {
        let n = n?;
        if matches!(n.action, Action::Killed | Action::Error) {
            return Ok(());
        }
        changed(key_of(&n.data.id));
    }
    Ok(())
}

/// A time zone name as stored (UTC when unset or unknown).
pub fn parse_time_zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests;
