//! The test identity provider (`end2end/idp/server.mjs`, on node-oidc-provider, an OpenID
//! Certified implementation), and a browser's way through it: following redirects, filling in
//! its sign-in form, and stopping where it sends the browser back to Touchpoint.

use std::process::Stdio;

use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::helpers::TestApp;

/// Where the tests' Touchpoint says it lives (`TOUCHPOINT_PUBLIC_URL`). The provider sends the
/// browser to `<PUBLIC>/auth/oidc/callback`; the tests take that request to the real address.
pub const PUBLIC: &str = "http://touchpoint.test";

/// A running provider; stopped when dropped (and when the test process ends: it exits when
/// its standard input closes).
pub struct Idp {
    _child: Child,
    pub issuer: String,
    control: Client,
}

impl Idp {
    /// Starts the provider on a free port with the clients `touchpoint` and `other`.
    pub async fn start() -> Idp {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/idp/server.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .arg("--exit-with-parent")
            .env(
                "IDP_REDIRECT_URIS",
                format!("{PUBLIC}/auth/oidc/callback,http://127.0.0.1:9/cb"),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("starting node: install Node.js and run `npm ci` (make test does)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("reading the provider's first line");
        let first: Value = serde_json::from_str(line.trim()).unwrap_or_else(|_| {
            panic!("the test provider did not start (is `npm ci` done?): {line:?}")
        });
        let issuer = first["issuer"].as_str().expect("issuer").to_string();
        Idp {
            _child: child,
            issuer,
            control: Client::new(),
        }
    }

    /// Creates or replaces a user at the provider (the username is `sub`).
    pub async fn put_user(&self, sub: &str, email: &str, verified: bool) {
        let res = self
            .control
            .put(format!("{}/_test/users/{sub}", self.issuer))
            .json(&json!({ "email": email, "email_verified": verified, "name": format!("User {sub}") }))
            .send()
            .await
            .expect("put user");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    /// Replaces the provider's signing key; the old one leaves its key set.
    pub async fn rotate_keys(&self) -> String {
        let res = self
            .control
            .post(format!("{}/_test/rotate-keys", self.issuer))
            .send()
            .await
            .expect("rotate");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        body["kid"].as_str().expect("kid").to_string()
    }

    /// Puts the email claims into the ID token too (by default they come from UserInfo only).
    pub async fn claims_in_id_token(&self, on: bool) {
        let res = self
            .control
            .post(format!("{}/_test/config", self.issuer))
            .json(&json!({ "claims_in_id_token": on }))
            .send()
            .await
            .expect("config");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    /// Runs a whole code flow as the client `client_id` with our own `nonce`, outside
    /// Touchpoint, and returns the raw ID token the provider issued.
    pub async fn raw_id_token(
        &self,
        client_id: &str,
        secret: &str,
        nonce: &str,
        login: &str,
    ) -> String {
        let browser = super::helpers::new_client();
        let verifier = "a-pkce-verifier-of-enough-length-0123456789-abcdefghijklmnop";
        let challenge = {
            use base64::Engine;
            use sha2::Digest;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()))
        };
        let redirect = "http://127.0.0.1:9/cb";
        let mut authorize = Url::parse(&format!("{}/authorize", self.issuer)).expect("url");
        authorize
            .query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile")
            .append_pair("redirect_uri", redirect)
            .append_pair("state", "raw-state")
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        let back = through_provider(
            &browser,
            authorize.as_str(),
            redirect,
            login,
            "sso password",
        )
        .await;
        let code = param(&back, "code");
        let res = Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(client_id, Some(secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .expect("token");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        body["id_token"].as_str().expect("id_token").to_string()
    }
}

/// Follows redirects from `start` through the provider, signs in as `login` on its form when
/// it shows one, and returns the first address that starts with `back_to` (not requested).
pub async fn through_provider(
    browser: &Client,
    start: &str,
    back_to: &str,
    login: &str,
    password: &str,
) -> String {
    let mut url = Url::parse(start).expect("start url");
    let mut signed_in = false;
    for _ in 0..20 {
        if url.as_str().starts_with(back_to) {
            return url.to_string();
        }
        let res = browser
            .get(url.clone())
            .send()
            .await
            .expect("provider request");
        if res.status().is_redirection() {
            url = next_url(&url, &res);
            continue;
        }
        assert_eq!(res.status(), StatusCode::OK, "at {url}");
        assert!(!signed_in, "the provider showed its form twice: {url}");
        let body = res.text().await.expect("body");
        assert!(
            body.contains("Test identity provider"),
            "not the sign-in form: {body}"
        );
        let action = url.join(&format!("{}/login", url.path())).expect("action");
        let res = browser
            .post(action.clone())
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .expect("sign in at the provider");
        assert!(
            res.status().is_redirection(),
            "sign-in at the provider: {}",
            res.status()
        );
        url = next_url(&action, &res);
        signed_in = true;
    }
    panic!("no way back from the provider after 20 redirects");
}

fn next_url(from: &Url, res: &reqwest::Response) -> Url {
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location");
    from.join(location).expect("location url")
}

/// A whole sign-in through Touchpoint's routes: start, the provider, then the callback. Returns
/// where Touchpoint sends the browser at the end (`/…` on success, `/login?sso=…` on failure).
pub async fn sso_sign_in(app: &TestApp, browser: &Client, login: &str) -> String {
    let callback = to_provider_and_back(app, browser, "/auth/oidc/start", login).await;
    finish_at_touchpoint(browser, &callback).await
}

/// Start and the provider, up to (not including) the callback, whose address (on the real
/// server) it returns.
pub async fn to_provider_and_back(
    app: &TestApp,
    browser: &Client,
    start: &str,
    login: &str,
) -> String {
    let res = browser.get(app.url(start)).send().await.expect("start");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "start");
    let to_provider = location(&res);
    let back = through_provider(browser, &to_provider, PUBLIC, login, "sso password").await;
    back.replacen(PUBLIC, &app.base, 1)
}

/// Requests the callback and returns where Touchpoint sends the browser.
pub async fn finish_at_touchpoint(browser: &Client, callback: &str) -> String {
    let res = browser.get(callback).send().await.expect("callback");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "callback");
    location(&res)
}

/// The value of the query parameter `name` in `url`.
pub fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// The `Location` of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location")
        .to_string()
}
