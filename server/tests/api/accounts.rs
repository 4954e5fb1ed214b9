//! Setup, sign-in, sessions, lockout, the cross-site check and admin user management.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{ADMIN_PASSWORD, TestApp, error_code, new_client, spawn_app, spawn_app_with};

async fn me(app: &TestApp, client: &reqwest::Client) -> Value {
    let res = app.call(client, "auth/me", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

#[tokio::test]
async fn setup_login_session_logout() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/setup")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);

    let admin = app.setup_admin().await;
    assert_eq!(me(&app, &admin).await["email"], "admin@example.org");
    assert_eq!(me(&app, &admin).await["role"], "admin");

    let res = app.call(&admin, "auth/logout", &[]).await;
    assert!(res.status().is_success());
    assert!(me(&app, &admin).await.is_null());

    let (client, res) = app.login("ADMIN@example.org ", ADMIN_PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(me(&app, &client).await["name"], "Admin");

    // The audit log has the setup, the logout and the login.
    let res = app.call(&client, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in ["setup", "logout", "login"] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn setup_needs_the_token_and_closes_once_a_user_exists() {
    let app = spawn_app().await;
    let res = app
        .call(
            &app.client,
            "auth/setup",
            &[
                ("token", "wrong"),
                ("email", "x@example.org"),
                ("name", "X"),
                ("password", ADMIN_PASSWORD),
                ("confirm", ADMIN_PASSWORD),
            ],
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "token");

    app.setup_admin().await;
    let res = app.client.get(app.url("/setup")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call(
            &new_client(),
            "auth/setup",
            &[
                ("token", &app.setup_token),
                ("email", "late@example.org"),
                ("name", "Late"),
                ("password", ADMIN_PASSWORD),
                ("confirm", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    app.setup_admin().await;
    let (_, wrong) = app.login("admin@example.org", "not the password").await;
    let (_, unknown) = app.login("nobody@example.org", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let a: Value = wrong.json().await.expect("json");
    let b: Value = unknown.json().await.expect("json");
    assert_eq!(a, b);
    assert_eq!(a["error"]["message"], "Incorrect email or password.");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = spawn_app_with(|a| a.login_max_failures = 3).await;
    let admin = app.setup_admin().await;
    let created = app
        .call(
            &admin,
            "admin/users/create",
            &[
                ("email", "lee@example.org"),
                ("name", "Lee"),
                ("role", "member"),
                ("temp_password", "temporary-123"),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let user: Value = created.json().await.expect("json");

    for _ in 0..3 {
        let (_, res) = app.login("lee@example.org", "wrong password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused.
    let (_, res) = app.login("lee@example.org", "temporary-123").await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );

    // The lockout is stored in the database, and listed for admins.
    let res = app.call(&admin, "admin/users", &[]).await;
    let users: Vec<Value> = res.json().await.expect("json");
    let lee = users
        .iter()
        .find(|u| u["email"] == "lee@example.org")
        .expect("lee");
    assert_eq!(lee["locked"], true);

    let id = user["id"].as_str().expect("id");
    let res = app
        .call(&admin, "admin/users/unlock", &[("user_id", id)])
        .await;
    assert!(res.status().is_success());
    // The address is locked too (all failures came from 127.0.0.1): lift it the same way the
    // window would, by clearing its counters.
    app.db
        .query("DELETE lockout; DELETE login_failure;")
        .await
        .expect("clear address lock");
    let (_, res) = app.login("lee@example.org", "temporary-123").await;
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn failures_from_one_address_lock_that_address() {
    let app = spawn_app_with(|a| a.login_max_failures = 3).await;
    app.setup_admin().await;
    for i in 0..3 {
        let (_, res) = app
            .login(&format!("guess{i}@example.org"), "wrong password")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, res) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    assert_eq!(error_code(res).await.1, "rate_limited");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/fn/auth/login"))
        .header("origin", "https://evil.example")
        .form(&[("email", "a@example.org"), ("password", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .client
        .post(app.url("/api/fn/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "a@example.org"), ("password", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The same request from our own origin goes through to the (failing) sign-in.
    let res = app
        .client
        .post(app.url("/api/fn/auth/login"))
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(&[("email", "a@example.org"), ("password", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn create_member(app: &TestApp, admin: &reqwest::Client, email: &str) -> String {
    let res = app
        .call(
            admin,
            "admin/users/create",
            &[
                ("email", email),
                ("name", "Sam"),
                ("role", "member"),
                ("temp_password", "temporary-123"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("json");
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_deactivated_users_cookie_is_refused() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let id = create_member(&app, &admin, "sam@example.org").await;
    let (sam, res) = app.login("sam@example.org", "temporary-123").await;
    assert!(res.status().is_success());
    assert_eq!(me(&app, &sam).await["email"], "sam@example.org");

    let res = app
        .call(
            &admin,
            "admin/users/active",
            &[("user_id", &id), ("active", "false")],
        )
        .await;
    assert!(res.status().is_success());
    assert!(me(&app, &sam).await.is_null());
    let res = app.call(&sam, "me/sessions", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    let (_, res) = app.login("sam@example.org", "temporary-123").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn new_users_must_change_their_password_first() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_member(&app, &admin, "sam@example.org").await;
    let (sam, _) = app.login("sam@example.org", "temporary-123").await;
    let res = app.call(&sam, "me/sessions", &[]).await;
    assert_eq!(error_code(res).await.1, "forbidden");
    // Pages redirect to the password form.
    let res = sam.get(app.url("/projects")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/change-password");

    let res = app
        .call(
            &sam,
            "auth/change-password",
            &[
                ("current", "temporary-123"),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["field"], "new_password");
    let res = app
        .call(
            &sam,
            "auth/change-password",
            &[
                ("current", "temporary-123"),
                ("new_password", "a much better one"),
                ("confirm", "a much better one"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app.call(&sam, "me/sessions", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = spawn_app().await;
    let first = app.setup_admin().await;
    let (second, _) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    let res = app
        .call(
            &second,
            "auth/change-password",
            &[
                ("current", ADMIN_PASSWORD),
                ("new_password", "another password 456"),
                ("confirm", "another password 456"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    assert!(me(&app, &first).await.is_null());
    assert_eq!(me(&app, &second).await["email"], "admin@example.org");
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_sessions() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    app.db
        .query("UPDATE session SET last_seen_at = time::now() - 13h")
        .await
        .expect("age session");
    assert!(
        me(&app, &admin).await.is_null(),
        "idle session should have ended"
    );

    let (client, _) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    app.db
        .query("UPDATE session SET expires_at = time::now() - 1s")
        .await
        .expect("expire session");
    assert!(
        me(&app, &client).await.is_null(),
        "expired session should have ended"
    );
}

#[tokio::test]
async fn members_are_refused_admin_functions_and_the_refusal_is_audited() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_member(&app, &admin, "sam@example.org").await;
    let (sam, _) = app.login("sam@example.org", "temporary-123").await;
    app.call(
        &sam,
        "auth/change-password",
        &[
            ("current", "temporary-123"),
            ("new_password", "a much better one"),
            ("confirm", "a much better one"),
        ],
    )
    .await;
    let res = app.call(&sam, "admin/users", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app.call(&new_client(), "admin/users", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );

    let res = app
        .call(&admin, "admin/audit", &[("action", "permission.denied")])
        .await;
    let events: Vec<Value> = res.json().await.expect("json");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor"], "sam@example.org");
}

#[tokio::test]
async fn admin_input_is_validated() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let cases = [
        (("not-an-email", "Sam", "member", "temporary-123"), "email"),
        (("sam@example.org", " ", "member", "temporary-123"), "name"),
        (("sam@example.org", "Sam", "owner", "temporary-123"), "role"),
        (
            ("sam@example.org", "Sam", "member", "short"),
            "temp_password",
        ),
    ];
    for ((email, name, role, pw), field) in cases {
        let res = app
            .call(
                &admin,
                "admin/users/create",
                &[
                    ("email", email),
                    ("name", name),
                    ("role", role),
                    ("temp_password", pw),
                ],
            )
            .await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(body["error"]["field"], field);
    }
    create_member(&app, &admin, "sam@example.org").await;
    let res = app
        .call(
            &admin,
            "admin/users/create",
            &[
                ("email", "SAM@example.org"),
                ("name", "Sam 2"),
                ("role", "member"),
                ("temp_password", "temporary-123"),
            ],
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a taken email is a conflict: {body}"
    );
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["field"], "email");
    // Unknown ids are a 404, not a 500.
    let res = app
        .call(&admin, "admin/users/unlock", &[("user_id", "nope")])
        .await;
    assert_eq!(error_code(res).await.1, "not_found");
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/login")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers().contains_key("referrer-policy"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in csp")
        .to_string();
    let html = res.text().await.expect("body");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );

    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous visitors are sent to sign in"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app_with(|a| a.max_body_bytes = 1024).await;
    let big = "x".repeat(4096);
    let res = app
        .call(
            &app.client,
            "auth/login",
            &[("email", &big), ("password", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A browser's requests at the same moment (a page's scripts and styles, tabs refreshing
/// together) all refresh its session's last-seen time; the one that loses that race still gets
/// its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_of_one_session_all_succeed_when_it_is_refreshed() {
    let app = crate::helpers::spawn_app().await;
    let admin = app.setup_admin().await;
    for round in 0..10 {
        app.db
            .query("UPDATE session SET last_seen_at = time::now() - 5m")
            .await
            .expect("age")
            .check()
            .expect("aged");
        let requests = (0..16).map(|_| {
            let (client, url) = (admin.clone(), app.url("/api/v1/me"));
            tokio::spawn(async move { client.get(url).send().await.expect("request").status() })
        });
        for status in futures::future::join_all(requests).await {
            assert_eq!(
                status.expect("task"),
                reqwest::StatusCode::OK,
                "round {round}"
            );
        }
    }
}
