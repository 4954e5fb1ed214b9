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
    /// Single sign-on and password sign-in.
    #[command(flatten)]
    pub sign_in: SignInArgs,
    /// Email.
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Email: where to send it through, and from whom. Without both, email is off.
#[derive(Args, Clone, Debug, Default)]
pub struct MailArgs {
    /// The SMTP server: `smtps://user:pass@host:465` (TLS), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), or `smtp://host:25` (no encryption: only on a trusted network). Never shown
    /// or logged.
    #[arg(long, env = "TOUCHPOINT_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender: `Touchpoint <touchpoint@example.org>` or an address.
    #[arg(long, env = "TOUCHPOINT_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Milliseconds before a message the mail server did not accept is tried again; the wait
    /// doubles with each attempt (at most six hours), for 24 hours.
    #[arg(long, env = "TOUCHPOINT_MAIL_RETRY_BASE_MS", default_value_t = 30_000)]
    pub mail_retry_base_ms: u64,
}

impl MailArgs {
    /// The sender, checked; `None` when email is off. Both settings or neither.
    pub fn from(&self) -> anyhow::Result<Option<String>> {
        let url = self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let from = self
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        match (url, from) {
            (None, None) => Ok(None),
            (Some(_), None) => {
                anyhow::bail!("TOUCHPOINT_SMTP_URL is set: set TOUCHPOINT_MAIL_FROM too")
            }
            (None, Some(_)) => {
                anyhow::bail!("TOUCHPOINT_MAIL_FROM is set: set TOUCHPOINT_SMTP_URL too")
            }
            (Some(url), Some(from)) => {
                crate::mail::check_url(url)
                    .map_err(|e| anyhow::anyhow!("TOUCHPOINT_SMTP_URL: {e}"))?;
                let mailbox: lettre::message::Mailbox = from.parse().map_err(|_| {
                    anyhow::anyhow!("TOUCHPOINT_MAIL_FROM must be an address such as Touchpoint <touchpoint@example.org>")
                })?;
                anyhow::ensure!(
                    self.mail_retry_base_ms >= 100,
                    "TOUCHPOINT_MAIL_RETRY_BASE_MS must be at least 100"
                );
                Ok(Some(mailbox.to_string()))
            }
        }
    }
}

/// How people sign in: single sign-on with OpenID Connect, and the password form.
#[derive(Args, Clone, Debug)]
pub struct SignInArgs {
    /// The OpenID Connect provider's issuer URL (`https://id.example.org/realms/main`);
    /// setting it turns single sign-on on. Needs the client id and secret, and
    /// TOUCHPOINT_PUBLIC_URL (the redirect URI is `<public URL>/auth/oidc/callback`).
    #[arg(long, env = "TOUCHPOINT_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the provider.
    #[arg(long, env = "TOUCHPOINT_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret registered at the provider (never shown or logged).
    #[arg(long, env = "TOUCHPOINT_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The provider's name on the sign-in button ("Sign in with …").
    #[arg(
        long,
        env = "TOUCHPOINT_OIDC_DISPLAY_NAME",
        default_value = "single sign-on"
    )]
    pub oidc_display_name: String,
    /// Comma-separated email domains allowed to sign in through SSO (each sign-in then needs a
    /// verified email in one of them). Empty: any domain.
    #[arg(long, env = "TOUCHPOINT_OIDC_ALLOWED_DOMAINS", default_value = "")]
    pub oidc_allowed_domains: String,
    /// Whether a first SSO sign-in with a verified email and no account creates one (with the
    /// role below). Off: an admin adds the user first.
    #[arg(long, env = "TOUCHPOINT_OIDC_SELF_REGISTRATION", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_self_registration: bool,
    /// Count every email the provider gives as verified: for providers whose tokens carry no
    /// `email_verified` (Microsoft Entra ID). Use it with allowed domains the tenant owns.
    #[arg(long, env = "TOUCHPOINT_OIDC_TRUST_EMAIL", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_trust_email: bool,
    /// The role of users a first SSO sign-in creates: member, lead or admin.
    #[arg(long, env = "TOUCHPOINT_OIDC_DEFAULT_ROLE", default_value = "member")]
    pub oidc_default_role: String,
    /// Whether the email-and-password form stays on. Turning it off needs SSO.
    #[arg(long, env = "TOUCHPOINT_PASSWORD_SIGN_IN", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_sign_in: bool,
}

impl Default for SignInArgs {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_display_name: "single sign-on".into(),
            oidc_allowed_domains: String::new(),
            oidc_self_registration: false,
            oidc_trust_email: false,
            oidc_default_role: "member".into(),
            password_sign_in: true,
        }
    }
}

impl SignInArgs {
    /// The SSO settings, checked; `None` when no issuer is set.
    pub fn sso(
        &self,
        public_url: Option<&str>,
    ) -> anyhow::Result<Option<app::auth::sso::SsoConfig>> {
        let Some(issuer) = self.oidc_issuer.as_deref().filter(|i| !i.trim().is_empty()) else {
            anyhow::ensure!(
                self.password_sign_in,
                "TOUCHPOINT_PASSWORD_SIGN_IN=false needs single sign-on: set TOUCHPOINT_OIDC_ISSUER"
            );
            return Ok(None);
        };
        use app::auth::sso;
        let issuer = sso::check_issuer(issuer)
            .map_err(|e| anyhow::anyhow!("TOUCHPOINT_OIDC_ISSUER: {e}"))?;
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let client_id = nonempty(&self.oidc_client_id).ok_or_else(|| {
            anyhow::anyhow!("TOUCHPOINT_OIDC_ISSUER is set: set TOUCHPOINT_OIDC_CLIENT_ID too")
        })?;
        let client_secret = nonempty(&self.oidc_client_secret).ok_or_else(|| {
            anyhow::anyhow!("TOUCHPOINT_OIDC_ISSUER is set: set TOUCHPOINT_OIDC_CLIENT_SECRET too")
        })?;
        let public_url = public_url.ok_or_else(|| {
            anyhow::anyhow!(
                "TOUCHPOINT_OIDC_ISSUER is set: set TOUCHPOINT_PUBLIC_URL too (the redirect URI is <public URL>/auth/oidc/callback)"
            )
        })?;
        let display_name = self.oidc_display_name.trim();
        anyhow::ensure!(
            (1..=40).contains(&display_name.chars().count()),
            "TOUCHPOINT_OIDC_DISPLAY_NAME must have 1 to 40 characters"
        );
        let allowed_domains = sso::parse_domains(&self.oidc_allowed_domains)
            .map_err(|e| anyhow::anyhow!("TOUCHPOINT_OIDC_ALLOWED_DOMAINS: {e}"))?;
        let default_role =
            app::auth::Role::parse(self.oidc_default_role.trim()).ok_or_else(|| {
                anyhow::anyhow!("TOUCHPOINT_OIDC_DEFAULT_ROLE must be member, lead or admin")
            })?;
        Ok(Some(sso::SsoConfig {
            issuer,
            client_id,
            client_secret,
            display_name: display_name.to_string(),
            redirect_uri: sso::redirect_uri(public_url),
            policy: sso::SsoPolicy {
                allowed_domains,
                self_registration: self.oidc_self_registration,
                default_role,
                trust_email: self.oidc_trust_email,
            },
        }))
    }
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
            sign_in: SignInArgs::default(),
            mail: MailArgs {
                mail_retry_base_ms: 30_000,
                ..MailArgs::default()
            },
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
        let mail_from = self.mail.from()?;
        anyhow::ensure!(
            mail_from.is_none() || self.public_url.is_some(),
            "TOUCHPOINT_SMTP_URL is set: set TOUCHPOINT_PUBLIC_URL too (messages link back to \
             Touchpoint: feedback pages, one-click unsubscribe)"
        );
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
            password_sign_in: self.sign_in.password_sign_in,
            sso: self.sign_in.sso(self.public_url.as_deref())?,
            mail_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sso_args() -> SignInArgs {
        SignInArgs {
            oidc_issuer: Some("https://id.example.org/realms/main".into()),
            oidc_client_id: Some("touchpoint".into()),
            oidc_client_secret: Some("s3cret".into()),
            oidc_display_name: "Example ID".into(),
            oidc_allowed_domains: "Example.org, @example.com".into(),
            oidc_self_registration: true,
            oidc_trust_email: false,
            oidc_default_role: "lead".into(),
            password_sign_in: false,
        }
    }

    fn error(args: &SignInArgs, public_url: Option<&str>) -> String {
        args.sso(public_url).expect_err("refused").to_string()
    }

    #[test]
    fn sso_settings_are_read_and_the_redirect_uri_follows_the_public_url() {
        let config = sso_args()
            .sso(Some("https://touchpoint.example.org/"))
            .expect("valid")
            .expect("configured");
        assert_eq!(
            config.redirect_uri,
            "https://touchpoint.example.org/auth/oidc/callback"
        );
        assert_eq!(
            config.policy.allowed_domains,
            ["example.org", "example.com"]
        );
        assert!(config.policy.self_registration);
        assert_eq!(config.policy.default_role, app::auth::Role::Lead);
        // The secret never shows in a debug print (a log line, a panic).
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn sso_settings_that_cannot_work_are_refused_at_start() {
        let public = Some("https://touchpoint.example.org");
        assert!(error(&sso_args(), None).contains("TOUCHPOINT_PUBLIC_URL"));
        let mut args = sso_args();
        args.oidc_client_id = Some("  ".into());
        assert!(error(&args, public).contains("TOUCHPOINT_OIDC_CLIENT_ID"));
        let mut args = sso_args();
        args.oidc_client_secret = None;
        assert!(error(&args, public).contains("TOUCHPOINT_OIDC_CLIENT_SECRET"));
        let mut args = sso_args();
        args.oidc_issuer = Some("http://id.example.org".into());
        assert!(error(&args, public).contains("https://"));
        let mut args = sso_args();
        args.oidc_default_role = "owner".into();
        assert!(error(&args, public).contains("TOUCHPOINT_OIDC_DEFAULT_ROLE"));
        let mut args = sso_args();
        args.oidc_allowed_domains = "example".into();
        assert!(error(&args, public).contains("TOUCHPOINT_OIDC_ALLOWED_DOMAINS"));
        let mut args = sso_args();
        args.oidc_display_name = " ".into();
        assert!(error(&args, public).contains("TOUCHPOINT_OIDC_DISPLAY_NAME"));
    }

    #[test]
    fn mail_needs_both_settings_and_a_valid_url_and_sender() {
        let mail = |url: Option<&str>, from: Option<&str>| MailArgs {
            smtp_url: url.map(str::to_string),
            mail_from: from.map(str::to_string),
            mail_retry_base_ms: 30_000,
        };
        assert_eq!(mail(None, None).from().expect("off"), None);
        assert_eq!(
            mail(
                Some("smtps://u:p@mail.example.org"),
                Some("Touchpoint <tp@example.org>")
            )
            .from()
            .expect("on")
            .as_deref(),
            Some("Touchpoint <tp@example.org>")
        );
        let error = |m: MailArgs| m.from().expect_err("refused").to_string();
        assert!(
            error(mail(Some("smtp://mail.example.org"), None)).contains("TOUCHPOINT_MAIL_FROM")
        );
        assert!(error(mail(None, Some("tp@example.org"))).contains("TOUCHPOINT_SMTP_URL"));
        assert!(
            error(mail(
                Some("http://mail.example.org"),
                Some("tp@example.org")
            ))
            .contains("TOUCHPOINT_SMTP_URL")
        );
        assert!(
            error(mail(
                Some("smtp://mail.example.org"),
                Some("not an address")
            ))
            .contains("TOUCHPOINT_MAIL_FROM")
        );
        // The password in the URL is never part of a message.
        assert!(!error(mail(Some("smtp://u:s3cret@"), Some("tp@example.org"))).contains("s3cret"));
    }

    #[test]
    fn email_needs_the_public_address() {
        let mut args = ServeArgs::default();
        args.mail.smtp_url = Some("smtp://mail.example.org".into());
        args.mail.mail_from = Some("tp@example.org".into());
        let refused = args.settings().expect_err("no public URL").to_string();
        assert!(refused.contains("TOUCHPOINT_PUBLIC_URL"), "{refused}");
        args.public_url = Some("https://touchpoint.example.org".into());
        let settings = args.settings().expect("on");
        assert_eq!(settings.mail_from.as_deref(), Some("tp@example.org"));
    }

    #[test]
    fn password_sign_in_stays_on_without_sso() {
        let args = SignInArgs {
            password_sign_in: false,
            ..SignInArgs::default()
        };
        assert!(error(&args, None).contains("TOUCHPOINT_PASSWORD_SIGN_IN"));
        assert!(SignInArgs::default().sso(None).expect("off").is_none());
    }
}
