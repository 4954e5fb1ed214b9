//! Server state handed to every server function and route through `leptos_routes`' context.

use crate::db::Db;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::FromRef;
use chrono::Duration;
use leptos::config::LeptosOptions;

/// Security and session settings. Every threshold is a setting so that tests can change it.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark cookies `Secure` and use the `__Host-` prefix (set this behind TLS).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// Failed sign-ins (per account, or per address) that trigger a lockout.
    pub login_max_failures: u32,
    /// The window in which failures are counted.
    pub login_failure_window: Duration,
    /// How long sign-ins are refused after too many failures.
    pub login_lockout: Duration,
    /// Proxies whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// The address people reach Touchpoint at (`https://touchpoint.example.org`), for links
    /// in webhook events; without it, events carry the path alone.
    pub public_url: Option<String>,
    /// The wait before the second attempt of a webhook delivery (doubling from there).
    pub webhook_retry_base: Duration,
    /// Caps on open event streams.
    pub streams: crate::live::streams::StreamLimits,
    /// How many project snapshots the read cache keeps (the least recently used go first).
    pub cache_projects: usize,
    /// Whether people may sign in with an email and a password (else only through SSO).
    pub password_sign_in: bool,
    /// Single sign-on with OpenID Connect, when configured.
    pub sso: Option<crate::auth::sso::SsoConfig>,
    /// The sender of email (`TOUCHPOINT_MAIL_FROM`); `None`: email is off, nothing is queued.
    pub mail_from: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle: Duration::hours(12),
            session_absolute: Duration::days(7),
            login_max_failures: 10,
            login_failure_window: Duration::minutes(10),
            login_lockout: Duration::minutes(15),
            trusted_proxies: Vec::new(),
            public_url: None,
            webhook_retry_base: Duration::seconds(30),
            streams: crate::live::streams::StreamLimits::default(),
            cache_projects: crate::cache::DEFAULT_CAPACITY,
            password_sign_in: true,
            sso: None,
            mail_from: None,
        }
    }
}

impl Settings {
    /// The session cookie's name: `__Host-` prefixed behind TLS.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-touchpoint_session"
        } else {
            "touchpoint_session"
        }
    }
}

/// Everything a request handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database connection (embedded or remote), counting the queries of requests.
    pub db: Db,
    /// The same connection, counting the queries of the instance's own background work (live
    /// queries, presence, the webhook worker, housekeeping) apart from requests'.
    pub background_db: Db,
    /// Security and session settings.
    pub settings: Arc<Settings>,
    /// Leptos rendering options.
    pub leptos_options: LeptosOptions,
    /// The read cache of this instance (see [`crate::cache`]).
    pub cache: Arc<crate::cache::Cache>,
    /// The credentials this instance has seen (see [`store::credentials`]).
    pub credentials: Arc<store::credentials::CredentialCache>,
    /// The live-update hub of this instance (see [`crate::live::hub`]).
    pub live: Arc<crate::live::hub::LiveHub>,
    /// Wakes this instance's webhook delivery worker when a delivery was queued.
    pub webhook_wake: Arc<tokio::sync::Notify>,
    /// The OpenID Connect client, when single sign-on is configured (it caches the provider's
    /// metadata and keys).
    pub sso: Option<Arc<crate::auth::sso::SsoClient>>,
    /// Wakes this instance's mail sender when a message was queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// A state over a connection, with an empty cache.
    pub fn new(db: Db, settings: Settings, leptos_options: LeptosOptions) -> Self {
        let cache = Arc::new(crate::cache::Cache::with_capacity(settings.cache_projects));
        let sso = settings
            .sso
            .clone()
            .map(|config| Arc::new(crate::auth::sso::SsoClient::new(config)));
        Self {
            sso,
            background_db: db.with_own_count(),
            db,
            settings: Arc::new(settings),
            leptos_options,
            cache,
            credentials: Arc::default(),
            live: Arc::new(crate::live::hub::LiveHub::default()),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The counters a request with this credential should read (see [`Cache::stamp_keys`]):
    /// the project its path names, and for a caller seen before their own and their projects'.
    ///
    /// [`Cache::stamp_keys`]: crate::cache::Cache::stamp_keys
    pub fn stamp_keys(&self, credential_hash: &str, path_project: Option<&str>) -> Vec<String> {
        let user = self.credentials.user_of(credential_hash);
        self.cache.stamp_keys(user.as_deref(), path_project)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state of the current request, from the Leptos context.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        crate::error::AppError::internal()
    })
}
