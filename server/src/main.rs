//! The `touchpoint` binary: a thin entry point over the `server` library.

use clap::Parser;

/// mimalloc instead of the system allocator: page rendering allocates many short-lived strings,
/// and glibc's malloc spent a fifth of a request's time in `malloc`/`free` and held on to
/// fragmented memory between requests.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = server::cli::Cli::parse();
    let one_off = cli
        .command
        .as_ref()
        .is_some_and(server::cli::Command::is_one_off);
    server::telemetry::init(if one_off {
        server::telemetry::COMMAND_FILTER
    } else {
        server::telemetry::SERVE_FILTER
    });
    let result = server::cli::run(cli).await;
    if one_off {
        settle().await;
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Lets the embedded database close before the process ends. The engine shuts down in a task
/// of its own once the last handle is gone, and SurrealKV writes its in-memory table to disk as
/// it closes: without that, the next start replays the whole write-ahead log into memory (after
/// `touchpoint demo --scale large`, some 200 MB that the server would then hold for good).
async fn settle() {
    let runtime = tokio::runtime::Handle::current();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while runtime.metrics().num_alive_tasks() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
