//! The connection behind [`Db`](super::Db): SurrealDB's embedded engine, opened with Touchpoint's
//! storage settings, or a SurrealDB server.
//!
//! The SDK's `connect` opens an embedded store with no storage settings at all, and SurrealKV then
//! sizes its caches from the host's memory: a block cache of half of it less 1 GiB, and memtables
//! of 1 GiB from 16 GiB on. On a 24 GB machine that let one instance grow past 2 GB after a
//! benchmark and an import reach 3 GB. So an embedded store is opened here through the SDK's
//! engine crate, with sizes of Touchpoint's (settable, see [`StorageSettings`]); a server
//! (`ws://`, `http://`) keeps the SDK's `connect`, and its own settings are the server's.

use std::borrow::Cow;
use std::future::IntoFuture;
use std::path::Path;
use std::sync::Arc;

use futures::future::BoxFuture;
use surrealdb::engine::any::{Any, connect as any_connect};
use surrealdb::engine::local::Db as Local;
use surrealdb::method::IntoVariables;
use surrealdb::{IndexedResults, Surreal};
use surrealdb_cnf::ConfigMap;
use surrealdb_engine_local::Datastore;

/// One connection: the embedded engine or a server.
pub(super) enum Client {
    /// `surrealkv://…` or `mem://`, in this process.
    Embedded(Surreal<Local>),
    /// A SurrealDB server, through whichever protocol its address names.
    Server(Surreal<Any>),
}

/// A query being built on a [`Db`](super::Db): bind its parameters, then `.await` it.
#[must_use = "queries do nothing unless you `.await` them"]
pub enum Query<'c> {
    /// On the embedded engine.
    Embedded(surrealdb::method::Query<'c, Local>),
    /// On a server.
    Server(surrealdb::method::Query<'c, Any>),
}

impl Query<'_> {
    /// Binds parameters (a struct, a map, or `(name, value)`), as SurrealDB's `bind` does.
    pub fn bind(self, vars: impl IntoVariables) -> Self {
        match self {
            Self::Embedded(q) => Self::Embedded(q.bind(vars)),
            Self::Server(q) => Self::Server(q.bind(vars)),
        }
    }
}

impl<'c> IntoFuture for Query<'c> {
    type Output = surrealdb::Result<IndexedResults>;
    type IntoFuture = BoxFuture<'c, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        match self {
            Self::Embedded(q) => q.into_future(),
            Self::Server(q) => q.into_future(),
        }
    }
}

impl Client {
    /// Opens `url`: in this process for `surrealkv://` and `mem://`, else through the SDK.
    /// An embedded store gets `defaults`, or what `TOUCHPOINT_DB_CACHE_MB` and
    /// `TOUCHPOINT_DB_MEMTABLE_MB` set.
    pub(super) async fn open(url: &str, defaults: StorageSettings) -> surrealdb::Result<Self> {
        if is_embedded(url) {
            let settings =
                StorageSettings::from_env(defaults).map_err(surrealdb::Error::internal)?;
            open_embedded(url, &settings).await.map(Self::Embedded)
        } else {
            any_connect(url).await.map(Self::Server)
        }
    }

    pub(super) fn query<'c>(&'c self, sql: impl Into<Cow<'c, str>>) -> Query<'c> {
        match self {
            Self::Embedded(db) => Query::Embedded(db.query(sql)),
            Self::Server(db) => Query::Server(db.query(sql)),
        }
    }

    /// Selects the namespace and database every later query runs in.
    pub(super) async fn use_database(&self, ns: &str, database: &str) -> surrealdb::Result<()> {
        match self {
            Self::Embedded(db) => db.use_ns(ns).use_db(database).await.map(drop),
            Self::Server(db) => db.use_ns(ns).use_db(database).await.map(drop),
        }
    }

    /// Signs in as a root user (a server that requires it; the embedded engine runs without
    /// authentication).
    pub(super) async fn sign_in_root(
        &self,
        username: String,
        password: String,
    ) -> surrealdb::Result<()> {
        if let Self::Server(db) = self {
            db.signin(surrealdb::opt::auth::Root { username, password })
                .await?;
        }
        Ok(())
    }

    pub(super) async fn export(&self, file: &Path) -> surrealdb::Result<()> {
        match self {
            Self::Embedded(db) => db.export(file).await,
            Self::Server(db) => db.export(file).await,
        }
    }

    pub(super) async fn import(&self, file: &Path) -> surrealdb::Result<()> {
        match self {
            Self::Embedded(db) => db.import(file).await,
            Self::Server(db) => db.import(file).await,
        }
    }
}

/// Whether `url` names a store this process opens itself.
fn is_embedded(url: &str) -> bool {
    url.starts_with("surrealkv://") || url.starts_with("mem://") || url == "memory"
}

/// Opens an embedded store as the SDK's `connect` does (the datastore's version checked, its
/// catalog bootstrapped, its maintenance tasks started, live queries on), with SurrealKV's caches
/// sized by `settings`.
async fn open_embedded(url: &str, settings: &StorageSettings) -> surrealdb::Result<Surreal<Local>> {
    let failed = |e| opening_failed(url, e);
    let (notify, notifications) =
        surrealdb::channel::bounded(surrealdb_cnf::NOTIFICATIONS_CHANNEL_SIZE);
    let capabilities = surrealdb::opt::capabilities::Capabilities::default();
    let datastore: Arc<Datastore> = Datastore::builder()
        .with_config(settings.config_map())
        .with_capabilities(capabilities.into())
        .with_notify(notify)
        .without_maintenance_tasks()
        .build_with_path(url)
        .await
        .map_err(failed)?;
    // As the SDK does: the version key before any background task writes.
    datastore.check_version().await.map_err(failed)?;
    datastore.bootstrap().await.map_err(failed)?;
    datastore.start_maintenance_tasks();
    Surreal::<Local>::unstable_from_datastore(datastore, Some(notifications)).await
}

fn opening_failed(url: &str, e: impl std::fmt::Display) -> surrealdb::Error {
    surrealdb::Error::internal(format!("opening {url}: {e:#}"))
}

/// The sizes an embedded SurrealKV store gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageSettings {
    /// SurrealKV's block cache (`TOUCHPOINT_DB_CACHE_MB`): recently read blocks of the store,
    /// least recently used first out.
    pub cache_mb: u64,
    /// The largest memtable (`TOUCHPOINT_DB_MEMTABLE_MB`): writes collect there before they
    /// are written to a table file; one transaction must fit into it.
    pub memtable_mb: u64,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            cache_mb: 256,
            memtable_mb: 128,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The size of the blocks SurrealKV writes its table files in (its default is 64 KiB). A read
/// of one record copies the whole block it is in out of the block cache, so that with 64 KiB
/// blocks a portfolio page (a hundred records read by id) copied 6 MB; 4 KiB is the size that
/// LevelDB and RocksDB use. Only files written from then on get it: a store written with
/// other blocks reads as before.
const BLOCK_SIZE: usize = 4 * 1024;

impl StorageSettings {
    /// The smallest block cache accepted (SurrealKV's own floor).
    const MIN_CACHE_MB: u64 = 16;
    /// The smallest memtable accepted. One transaction must fit into it, and the largest an
    /// import writes (its last: every stakeholder's project links) was 30 MB at 2,000
    /// projects; with 32 MB it failed.
    const MIN_MEMTABLE_MB: u64 = 64;

    /// What a one-off command (`import`, `demo`, `export`, …) opens: it reads each record
    /// about once, so a small block cache serves it as well as a large one. An import of
    /// 2,000 projects took the same time with 64 as with 256 MB and peaked 250 MB lower.
    pub const FOR_COMMANDS: Self = Self {
        cache_mb: 64,
        memtable_mb: 128,
    };

    /// `defaults`, with `TOUCHPOINT_DB_CACHE_MB` and `TOUCHPOINT_DB_MEMTABLE_MB` if set.
    pub fn from_env(defaults: Self) -> Result<Self, String> {
        Self::parse(
            defaults,
            std::env::var("TOUCHPOINT_DB_CACHE_MB").ok().as_deref(),
            std::env::var("TOUCHPOINT_DB_MEMTABLE_MB").ok().as_deref(),
        )
    }

    /// `defaults` with the given values, each a whole number of megabytes.
    pub fn parse(
        defaults: Self,
        cache_mb: Option<&str>,
        memtable_mb: Option<&str>,
    ) -> Result<Self, String> {
        Ok(Self {
            cache_mb: megabytes("TOUCHPOINT_DB_CACHE_MB", cache_mb, Self::MIN_CACHE_MB)?
                .unwrap_or(defaults.cache_mb),
            memtable_mb: megabytes(
                "TOUCHPOINT_DB_MEMTABLE_MB",
                memtable_mb,
                Self::MIN_MEMTABLE_MB,
            )?
            .unwrap_or(defaults.memtable_mb),
        })
    }

    /// SurrealKV's own keys for these settings.
    fn config_map(&self) -> ConfigMap {
        ConfigMap::empty()
            .with_key_value(
                "surrealkv_block_cache_capacity",
                (self.cache_mb * MIB).to_string(),
            )
            .with_key_value(
                "surrealkv_max_memtable_size",
                (self.memtable_mb * MIB).to_string(),
            )
            .with_key_value("surrealkv_block_size", BLOCK_SIZE.to_string())
    }
}

/// A setting in megabytes, at least `min`; `None` when not set.
fn megabytes(name: &str, value: Option<&str>, min: u64) -> Result<Option<u64>, String> {
    let Some(value) = value else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if n >= min && n <= 1024 * 1024 => Ok(Some(n)),
        _ => Err(format!(
            "{name} must be a whole number of megabytes from {min} to 1048576, not {value:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_settings_default_and_accept_megabytes() {
        assert_eq!(
            StorageSettings::parse(StorageSettings::default(), None, None),
            Ok(StorageSettings::default())
        );
        assert_eq!(
            StorageSettings::parse(StorageSettings::default(), Some("64"), Some(" 256 ")),
            Ok(StorageSettings {
                cache_mb: 64,
                memtable_mb: 256
            })
        );
        // A command's smaller cache, unless the setting names one.
        let command = StorageSettings::FOR_COMMANDS;
        assert_eq!(StorageSettings::parse(command, None, None), Ok(command));
        assert!(command.cache_mb < StorageSettings::default().cache_mb);
        assert_eq!(
            StorageSettings::parse(command, Some("512"), None),
            Ok(StorageSettings {
                cache_mb: 512,
                memtable_mb: command.memtable_mb
            })
        );
        let map = StorageSettings {
            cache_mb: 64,
            memtable_mb: 96,
        }
        .config_map();
        let (mut cache, mut memtable, mut block) = (0u64, 0u64, 0usize);
        map.parse_key("surrealkv_block_cache_capacity", &mut cache)
            .parse_key("surrealkv_max_memtable_size", &mut memtable)
            .parse_key("surrealkv_block_size", &mut block);
        assert_eq!((cache, memtable, block), (64 * MIB, 96 * MIB, 4096));
    }

    #[test]
    fn storage_settings_refuse_what_is_not_a_size() {
        for bad in ["", "lots", "-5", "1.5", "8", "2000000"] {
            let err =
                StorageSettings::parse(StorageSettings::default(), Some(bad), None).expect_err(bad);
            assert!(err.starts_with("TOUCHPOINT_DB_CACHE_MB must be"), "{err}");
        }
        let err = StorageSettings::parse(StorageSettings::default(), None, Some("32"))
            .expect_err("below the floor");
        assert!(err.contains("TOUCHPOINT_DB_MEMTABLE_MB"), "{err}");
    }

    #[test]
    fn only_stores_of_this_process_are_opened_here() {
        assert!(is_embedded("surrealkv://data/touchpoint.db?sync=every"));
        assert!(is_embedded("mem://"));
        assert!(!is_embedded("ws://db:8000"));
        assert!(!is_embedded("http://db:8000"));
    }
}
