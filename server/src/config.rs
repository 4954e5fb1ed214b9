//! Settings from flags and environment variables.

use std::net::{IpAddr, SocketAddr};

use clap::Args;

/// Where the data lives.
#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// SurrealDB address: `surrealkv://path` (embedded, the default), `mem://` (in memory, for
    /// tests) or `ws://host:port` (a SurrealDB server).
    #[arg(
        long = "db",
        env = "TOUCHPOINT_DB",
        default_value = "surrealkv://data/touchpoint.db",
        global = true
    )]
    pub db: String,
}

/// Settings of the web server.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "TOUCHPOINT_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Mark cookies Secure with the `__Host-` prefix. Turn on when users reach Touchpoint over
    /// HTTPS (directly or through a TLS-terminating proxy).
    #[arg(long, env = "TOUCHPOINT_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Folder with the built front end (`pkg/` with the wasm, JavaScript and CSS).
    #[arg(long, env = "TOUCHPOINT_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Hours without a request after which a session ends.
    #[arg(long, env = "TOUCHPOINT_SESSION_IDLE_HOURS", default_value_t = 12)]
    pub session_idle_hours: i64,
    /// Days after sign-in after which a session ends, however active.
    #[arg(long, env = "TOUCHPOINT_SESSION_ABSOLUTE_DAYS", default_value_t = 7)]
    pub session_absolute_days: i64,
    /// Failed sign-ins, per account or per address, that lock sign-in.
    #[arg(long, env = "TOUCHPOINT_LOGIN_MAX_FAILURES", default_value_t = 10)]
    pub login_max_failures: u32,
    /// Minutes over which failed sign-ins are counted.
    #[arg(long, env = "TOUCHPOINT_LOGIN_WINDOW_MINUTES", default_value_t = 10)]
    pub login_window_minutes: i64,
    /// Minutes for which sign-in stays locked.
    #[arg(long, env = "TOUCHPOINT_LOGIN_LOCKOUT_MINUTES", default_value_t = 15)]
    pub login_lockout_minutes: i64,
    /// Comma-separated addresses of reverse proxies whose `X-Forwarded-For` is believed.
    #[arg(long, env = "TOUCHPOINT_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "TOUCHPOINT_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Largest workspace file accepted by `POST /api/v1/import`, in bytes.
    #[arg(
        long,
        env = "TOUCHPOINT_MAX_IMPORT_BYTES",
        default_value_t = 268_435_456
    )]
    pub max_import_bytes: usize,
    /// The address people reach Touchpoint at (`https://touchpoint.example.org`), for the
    /// project links in webhook events. Without it, events carry the path alone (never the
    /// address a request came in on: its `Host` header is the caller's to choose).
    #[arg(long, env = "TOUCHPOINT_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Milliseconds before a failed webhook delivery is tried again; the wait doubles with
    /// each attempt (at most six hours), for 24 hours.
    #[arg(
        long,
        env = "TOUCHPOINT_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 30_000
    )]
    pub webhook_retry_base_ms: u64,
    /// Live-update streams one user may hold open on this instance (more get 429).
    #[arg(long, env = "TOUCHPOINT_STREAMS_PER_USER", default_value_t = 20)]
    pub streams_per_user: usize,
    /// Live-update streams this instance holds open in all (more get 429).
    #[arg(
        long,
        env = "TOUCHPOINT_STREAMS_PER_INSTANCE",
        default_value_t = 10_000
    )]
    pub streams_per_instance: usize,
    /// Seconds after which the server ends a live-update stream (browsers reconnect).
    #[arg(long, env = "TOUCHPOINT_STREAM_MAX_SECONDS", default_value_t = 3600)]
    pub stream_max_seconds: u64,
    /// Requests this instance works on at once; the rest wait their turn in order of arrival.
    /// Default: 8 per core the process may run on; 0: no limit. Health checks, metrics and
    /// static files do not count.
    #[arg(long, env = "TOUCHPOINT_MAX_CONCURRENT_REQUESTS")]
    pub max_concurrent_requests: Option<usize>,
    /// Project snapshots the read cache keeps (the least recently used go first).
    #[arg(long, env = "TOUCHPOINT_CACHE_PROJECTS", default_value_t = app::cache::DEFAULT_CAPACITY)]
    pub cache_projects: usize,
    /// Where webhook deliveries look up receivers' names: the system's resolver, or a fixed
    /// table in tests (no flag).
    #[arg(skip)]
    pub webhook_lookup: crate::webhooks::resolver::Lookup,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            secure_cookies: false,
            site_root: "target/site".into(),
            session_idle_hours: 12,
            session_absolute_days: 7,
            login_max_failures: 10,
            login_window_minutes: 10,
            login_lockout_minutes: 15,
            trusted_proxies: Vec::new(),
            max_body_bytes: 1_048_576,
            max_import_bytes: 268_435_456,
            public_url: None,
            webhook_retry_base_ms: 30_000,
            streams_per_user: 20,
            streams_per_instance: 10_000,
            stream_max_seconds: 3600,
            max_concurrent_requests: None,
            cache_projects: app::cache::DEFAULT_CAPACITY,
            webhook_lookup: crate::webhooks::resolver::Lookup::System,
        }
    }
}

/// Requests per core that [`ServeArgs::max_concurrent_requests`] lets work at once by default.
/// Measured with `make bench-10x` (100 readers of one project, one core): 4 to 8 per core
/// served the most and kept p99 lowest while someone wrote; 48 or no limit let a write and the
/// reloads after it take seconds.
pub const CONCURRENT_REQUESTS_PER_CORE: usize = 8;

impl ServeArgs {
    /// How many requests may work at once (`None`: no limit).
    pub fn concurrent_requests(&self) -> Option<usize> {
        match self.max_concurrent_requests {
            Some(0) => None,
            Some(n) => Some(n),
            None => Some(
                CONCURRENT_REQUESTS_PER_CORE
                    * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            ),
        }
    }

    /// The security settings handed to the app.
    pub fn settings(&self) -> anyhow::Result<app::state::Settings> {
        anyhow::ensure!(
            self.session_idle_hours > 0,
            "TOUCHPOINT_SESSION_IDLE_HOURS must be positive"
        );
        anyhow::ensure!(
            self.session_absolute_days > 0,
            "TOUCHPOINT_SESSION_ABSOLUTE_DAYS must be positive"
        );
        anyhow::ensure!(
            self.login_max_failures > 0,
            "TOUCHPOINT_LOGIN_MAX_FAILURES must be positive"
        );
        anyhow::ensure!(
            self.login_window_minutes > 0,
            "TOUCHPOINT_LOGIN_WINDOW_MINUTES must be positive"
        );
        anyhow::ensure!(
            self.login_lockout_minutes > 0,
            "TOUCHPOINT_LOGIN_LOCKOUT_MINUTES must be positive"
        );
        anyhow::ensure!(
            self.webhook_retry_base_ms >= 100,
            "TOUCHPOINT_WEBHOOK_RETRY_BASE_MS must be at least 100"
        );
        anyhow::ensure!(
            self.streams_per_user > 0 && self.streams_per_instance > 0,
            "TOUCHPOINT_STREAMS_PER_USER and TOUCHPOINT_STREAMS_PER_INSTANCE must be positive"
        );
        anyhow::ensure!(
            (1..=86_400).contains(&self.stream_max_seconds),
            "TOUCHPOINT_STREAM_MAX_SECONDS must be between 1 and 86400"
        );
        anyhow::ensure!(
            self.cache_projects > 0,
            "TOUCHPOINT_CACHE_PROJECTS must be positive"
        );
        if let Some(url) = &self.public_url {
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "TOUCHPOINT_PUBLIC_URL must start with http:// or https://"
            );
        }
        Ok(app::state::Settings {
            secure_cookies: self.secure_cookies,
            session_idle: chrono::Duration::hours(self.session_idle_hours),
            session_absolute: chrono::Duration::days(self.session_absolute_days),
            login_max_failures: self.login_max_failures,
            login_failure_window: chrono::Duration::minutes(self.login_window_minutes),
            login_lockout: chrono::Duration::minutes(self.login_lockout_minutes),
            trusted_proxies: self.trusted_proxies.clone(),
            public_url: self.public_url.clone(),
            webhook_retry_base: chrono::Duration::milliseconds(
                i64::try_from(self.webhook_retry_base_ms).unwrap_or(i64::MAX),
            ),
            streams: app::live::streams::StreamLimits {
                per_user: self.streams_per_user,
                per_instance: self.streams_per_instance,
                max_age: std::time::Duration::from_secs(self.stream_max_seconds),
            },
            cache_projects: self.cache_projects,
        })
    }
}
