//! Building the application: database, router and listener. Tests use port 0 and `mem://`.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use app::state::AppState;
use app::{App, shell};

use crate::config::ServeArgs;
use crate::middleware;

/// A built application, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    state: AppState,
    webhook_lookup: crate::webhooks::resolver::Lookup,
    mail: crate::config::MailArgs,
}

/// Connects and migrates; returns a state for commands that serve no HTTP.
pub async fn offline_state(db_url: &str) -> anyhow::Result<AppState> {
    let db = app::db::connect_for_command(db_url)
        .await
        .context("connecting to the database")?;
    app::db::migrate(&db).await.context("applying the schema")?;
    // A command reads each project once (computing portfolio lines after an import): a small
    // cache is enough and keeps its memory flat.
    let settings = app::state::Settings {
        cache_projects: 64,
        ..app::state::Settings::default()
    };
    Ok(AppState::new(
        db,
        settings,
        LeptosOptions::builder().output_name("touchpoint").build(),
    ))
}

impl Application {
    /// Connects to the database, applies the schema, prints a setup token if the installation
    /// has no user yet, and binds the listener (`addr` may use port 0).
    pub async fn build(db_url: &str, args: ServeArgs) -> anyhow::Result<Self> {
        let db = app::db::connect(db_url)
            .await
            .with_context(|| format!("connecting to the database at {}", redact_db_url(db_url)))?;
        Self::build_with_db(db, args).await
    }

    /// Like [`Application::build`], on an existing connection.
    pub async fn build_with_db(db: app::db::Db, args: ServeArgs) -> anyhow::Result<Self> {
        app::db::migrate(&db).await.context("applying the schema")?;
        let listener = TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let address = listener.local_addr()?;
        let hashed =
            app::assets::hashed_build(std::path::Path::new(&args.site_root), "pkg", "touchpoint");
        let leptos_options = LeptosOptions::builder()
            .output_name("touchpoint")
            .site_root(args.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .hash_files(hashed)
            .build();
        let state = AppState::new(db, args.settings()?, leptos_options);
        if let Some(token) = app::auth::service::issue_setup_token(&state)
            .await
            .map_err(|e| anyhow::anyhow!("issuing the setup token: {e}"))?
        {
            tracing::warn!(
                "No user exists yet. Open http://{address}/setup and enter this one-time setup token: {token}"
            );
        }
        let mut router = router(state.clone(), args.max_body_bytes, args.max_import_bytes);
        if let Some(n) = args.concurrent_requests() {
            router = router.layer(axum::middleware::from_fn_with_state(
                middleware::Admission::new(n),
                middleware::admission,
            ));
        }
        Ok(Self {
            listener,
            router,
            address,
            state,
            webhook_lookup: args.webhook_lookup,
            mail: args.mail,
        })
    }

    /// The bound address (with the real port when port 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state (tests use its database handle).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        // Background work counts its queries apart from the requests' (see `Db::queries_sent`).
        let background = AppState {
            db: self.state.background_db.clone(),
            ..self.state.clone()
        };
        let mut tasks = vec![spawn_housekeeping(background.clone())];
        tasks.extend(background.live.spawn(background.db.clone()));
        tasks.extend(crate::webhooks::spawn(
            background.clone(),
            self.webhook_lookup.clone(),
        ));
        tasks.extend(crate::mail::spawn(
            background.clone(),
            self.mail.smtp_url.clone(),
            background.settings.mail_from.clone(),
            chrono::Duration::milliseconds(
                i64::try_from(self.mail.mail_retry_base_ms).unwrap_or(i64::MAX),
            ),
        ));
        tasks.push(spawn_cache_warming(background));
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown({
            // Event streams never end by themselves: end them, or shutting down would wait for
            // every open board to be closed. Browsers reconnect (to another instance, or to
            // this one once it is back) and catch up.
            let live = self.state.live.clone();
            async move {
                shutdown_signal().await;
                live.close_streams();
            }
        })
        .await
        .context("serving HTTP");
        // The background work holds the database open: end it, so that the last handle goes
        // and the embedded store closes cleanly (see `main`).
        for task in tasks {
            task.abort();
        }
        served
    }
}

/// Builds the router with every route and middleware.
pub fn router(state: AppState, max_body_bytes: usize, max_import_bytes: usize) -> Router {
    let routes = generate_route_list(App);
    let ctx_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let fallback_state = state.clone();
    let css_href = app::assets::css_href(&state.leptos_options);
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    // The front end's files, sent as the `.br`/`.gz` copies that `--precompress` wrote when the
    // browser accepts them, with cache headers by name (see `middleware::asset_cache`).
    let pkg = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn(middleware::asset_cache))
        .service(
            tower_http::services::ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .nest_service("/pkg", pkg)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .merge(crate::api::router(&css_href))
        .route("/reports/portfolio.csv", get(crate::exports::portfolio_csv))
        .route(
            "/projects/{key}/report.csv",
            get(crate::exports::project_csv),
        )
        .route(
            "/api/fn/{*name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        // Invite-link server functions live under /f/ so that the anonymous browser cookie
        // (Path=/f/) reaches them; the calendar routes are plain handlers.
        .route(
            "/f/api/{*name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        // Single sign-on: to the provider and back (browser routes, not API).
        .route("/auth/oidc/start", get(app::auth::sso_routes::start))
        .route("/auth/oidc/callback", get(app::auth::sso_routes::callback))
        // One-click unsubscribe (RFC 8058): mail providers post here; the page at the same
        // address (a Leptos route) asks people first.
        .route(
            "/unsubscribe/{token}",
            axum::routing::post(app::mail::routes::unsubscribe),
        )
        .route(
            "/calendar/{token}/interviews.ics",
            get(app::interviews::feeds::calendar_feed),
        )
        .route(
            "/projects/{key}/interviews/{id}/interview.ics",
            get(app::interviews::feeds::interview_ics),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || provide_context(fallback_state.clone()), shell
        ))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn(middleware::page_gate))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_context,
        ))
        .layer(axum::middleware::from_fn(middleware::refuse_cross_site))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::extract::DefaultBodyLimit::max(max_body_bytes))
        .layer(axum::middleware::from_fn(move |req, next| {
            middleware::body_limit(req, next, max_body_bytes, max_import_bytes)
        }))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    path = %crate::telemetry::redact_path(req.uri().path()),
                )
            }),
        )
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let check =
        tokio::time::timeout(std::time::Duration::from_secs(2), app::db::ping(&state.db)).await;
    match check {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database not answering"),
    }
}

/// Checks the stored portfolio lines in the background and computes any that are missing or
/// old (after an upgrade, or on a new day), so that the first portfolio finds them ready.
/// Requests do not wait for it, except a portfolio that needs the same lines.
fn spawn_cache_warming(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match app::reports::service::check_lines(&state).await {
            Ok(n) => {
                tracing::info!(computed = n, elapsed = ?started.elapsed(), "read cache warmed: portfolio lines ready")
            }
            Err(e) => tracing::warn!(error = %e.message(), "checking the portfolio lines failed"),
        }
    })
}

fn spawn_housekeeping(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let before = chrono::Utc::now() - chrono::Duration::days(1);
            if let Err(e) = app::auth::repo::AuthRepo::new(state.db.clone())
                .prune_failures(before)
                .await
            {
                tracing::warn!(error = %e, "housekeeping failed");
            }
            if let Err(e) = store::sso::SsoRepo::new(state.db.clone())
                .prune_attempts(chrono::Utc::now())
                .await
            {
                tracing::warn!(error = %e, "pruning expired sign-in attempts failed");
            }
            if let Err(e) = app::live::presence::sweep_presence(&state.db).await {
                tracing::warn!(error = %e, "sweeping presence entries failed");
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Hides credentials in a database URL for messages.
fn redact_db_url(url: &str) -> String {
    match url.split_once('@') {
        Some((_, host)) => format!("[credentials]@{host}"),
        None => url.to_string(),
    }
}
