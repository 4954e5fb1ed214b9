//! The `touchpoint` binary: a thin entry point over the `server` library.

use clap::Parser;

/// mimalloc instead of the system allocator: page rendering allocates many short-lived strings,
/// and glibc's malloc spent a fifth of a request's time in `malloc`/`free` and held on to
/// fragmented memory between requests.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut cli = server::cli::Cli::parse();
    let one_off = cli
        .command
        .as_ref()
        .is_some_and(server::cli::Command::is_one_off);
    server::telemetry::init(if one_off {
        server::telemetry::COMMAND_FILTER
    } else {
        server::telemetry::SERVE_FILTER
    });
    if one_off {
        cli.db.db = app::db::synced_on_close(&cli.db.db);
    }
    // Every database handle is dropped by the time `run` returns: a one-off command's when it
    // is done, the server's once it stopped serving and ended its background work.
    let result = server::cli::run(cli).await;
    let closed = store_closed(if one_off {
        CLOSE_TIMEOUT
    } else {
        SERVE_CLOSE_TIMEOUT
    })
    .await;
    if let Err(e) = &result {
        eprintln!("error: {e:#}");
    }
    if !closed {
        eprintln!(
            "error: the database did not close in time: its last writes are in its log, and \
             the next start reads them back from there"
        );
    }
    if result.is_ok() && closed {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// How long a one-off command waits for the embedded database to close before it exits.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// How long a stopped server waits (a service manager expects it gone soon after SIGTERM;
/// every committed write is in the log either way).
const SERVE_CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Waits, once the last handle is gone, until the embedded database has closed; false after
/// `timeout`. The engine shuts the store down in a task of its own: SurrealKV syncs its
/// log, writes its in-memory table to disk and removes the log. Had the runtime ended first, the
/// close would never run, and the next start would replay the whole log into memory (after
/// `touchpoint demo --scale large`: 766,000 entries, seconds more to start and some 80 MB more
/// resident). Nothing else runs by then (a one-off command is done; a server has stopped serving
/// and ended its background work), so the store is closed when no task is left.
async fn store_closed(timeout: std::time::Duration) -> bool {
    let runtime = tokio::runtime::Handle::current();
    let deadline = std::time::Instant::now() + timeout;
    while runtime.metrics().num_alive_tasks() > 0 {
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    true
}
