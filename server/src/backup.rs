//! `touchpoint backup FILE` and `touchpoint restore FILE`: the database's own export and import
//! (SurrealQL), with full fidelity — users with their password hashes, sessions, API tokens,
//! invite tokens and the audit log included.

use app::db::Db;
use std::path::Path;

use anyhow::Context as _;

/// The address a backup or a restore opens for the database at `url`. A SurrealDB server exports
/// and imports over HTTP only (its `/export` and `/import` endpoints; the SDK refuses both over a
/// WebSocket), and it serves HTTP on the same port as `ws://`, so `ws://` becomes `http://` and
/// `wss://` becomes `https://`. Every other address stays as it is.
pub fn dump_url(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else if let Some(rest) = url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else {
        url.to_string()
    }
}

/// Writes the whole database to `file` as SurrealQL.
pub async fn backup(db: &Db, file: &Path) -> anyhow::Result<()> {
    db.export(file)
        .await
        .with_context(|| format!("writing the backup to {}", file.display()))?;
    Ok(())
}

/// Loads a backup into the database. An installation that is in use is refused unless `force`,
/// which first removes everything in it.
pub async fn restore(db: &Db, file: &Path, force: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        file.is_file(),
        "{} is not a readable backup file",
        file.display()
    );
    if app::db::has_users(db)
        .await
        .context("reading the database")?
    {
        anyhow::ensure!(
            force,
            "the database is in use (it has users); pass --force to replace everything in it"
        );
    }
    app::db::empty_database(db)
        .await
        .context("emptying the database")?;
    db.import(file)
        .await
        .with_context(|| format!("loading the backup {}", file.display()))?;
    app::db::migrate(db)
        .await
        .context("bringing the restored schema up to date")?;
    // SurrealDB's import runs no events, so the revision counters came back as they were in
    // the backup. Give every counter a value no app instance has cached, so that every
    // instance still running reloads everything it holds, and mark every project's portfolio
    // line to be computed again.
    store::revisions::renew_all(db)
        .await
        .map_err(|e| anyhow::anyhow!("resetting the revision counters: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dump_url;

    #[test]
    fn a_server_is_dumped_over_http_on_its_own_port() {
        assert_eq!(dump_url("ws://db.internal:8000"), "http://db.internal:8000");
        assert_eq!(
            dump_url("wss://db.example.org/rpc"),
            "https://db.example.org/rpc"
        );
        assert_eq!(dump_url("http://db:8000"), "http://db:8000");
        assert_eq!(
            dump_url("surrealkv://data/db?sync=never"),
            "surrealkv://data/db?sync=never"
        );
        assert_eq!(dump_url("mem://"), "mem://");
    }
}
