//! Spawning the app and talking to it over HTTP.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::{Client, Response, StatusCode, redirect::Policy};
use serde_json::Value;
use server::config::ServeArgs;
use server::startup::Application;

/// A running app and a client with its own cookie jar.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub setup_token: String,
    pub db: app::db::Db,
}

static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Settings for tests: port 0 and the default thresholds unless changed by `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let mut args = ServeArgs {
        addr: "127.0.0.1:0".parse().expect("addr"),
        ..ServeArgs::default()
    };
    tweak(&mut args);
    let n = DB_COUNTER.fetch_add(1, Ordering::SeqCst);
    let db = app::db::connect_isolated("mem://", &format!("test{n}"))
        .await
        .expect("connect");
    let app = Application::build_with_db(db, args)
        .await
        .expect("build app");
    let base = format!("http://{}", app.address());
    // The setup token is logged; for tests, issue a fresh one we know.
    let setup_token = app::auth::service::issue_setup_token(app.state())
        .await
        .expect("issue token")
        .expect("no user yet");
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: new_client(),
        setup_token,
        db,
    }
}

/// The app with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A client that keeps cookies and does not follow redirects.
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Calls a server function as the browser's JavaScript does (form-encoded, JSON back).
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/fn/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Creates the first admin through the setup form and returns a signed-in client.
    pub async fn setup_admin(&self) -> Client {
        let res = self
            .call(
                &self.client,
                "auth/setup",
                &[
                    ("token", &self.setup_token),
                    ("email", "admin@example.org"),
                    ("name", "Admin"),
                    ("password", ADMIN_PASSWORD),
                    ("confirm", ADMIN_PASSWORD),
                ],
            )
            .await;
        assert!(res.status().is_success(), "setup failed: {}", res.status());
        self.client.clone()
    }

    /// Signs in a fresh client.
    pub async fn login(&self, email: &str, password: &str) -> (Client, Response) {
        let client = new_client();
        let res = self
            .call(
                &client,
                "auth/login",
                &[("email", email), ("password", password)],
            )
            .await;
        (client, res)
    }
}

pub const ADMIN_PASSWORD: &str = "admin password 123";

/// The JSON error code of a response.
pub async fn error_code(res: Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.expect("json error body");
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}
