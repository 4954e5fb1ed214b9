//! Logging through `tracing`, filtered by `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// The filter of `serve` when `RUST_LOG` is not set.
pub const SERVE_FILTER: &str = "info,surrealdb=warn,surrealdb_core=warn,tower_http=info";

/// The filter of the one-off commands (`demo`, `import`, `token create`, …) when `RUST_LOG` is
/// not set: Touchpoint's own crates at `info`, its dependencies at `warn` (the storage engine
/// alone would narrate its start and shutdown in some 25 lines). A directive matches every
/// target that starts with it, so `server_fn` is held back from `server`'s level.
pub const COMMAND_FILTER: &str = "warn,app=info,server=info,server_fn=warn,touchpoint=info";

/// Installs the global subscriber, writing to standard error (once; later calls do nothing).
/// `RUST_LOG` overrides `default_filter`.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Logs go to standard error, so commands such as `token create` own standard output.
        .with_writer(std::io::stderr)
        .try_init();
}

/// The path as it may appear in logs: secret tokens in it are replaced.
pub fn redact_path(path: &str) -> String {
    const SECRET_PREFIXES: [&str; 2] = ["/f/", "/calendar/"];
    for prefix in SECRET_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}[redacted]{tail}");
        }
    }
    path.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_paths_are_redacted() {
        assert_eq!(redact_path("/f/abc123"), "/f/[redacted]");
        assert_eq!(
            redact_path("/calendar/tok/interviews.ics"),
            "/calendar/[redacted]/interviews.ics"
        );
        assert_eq!(redact_path("/projects/x"), "/projects/x");
    }
}
