//! Personal API tokens: creation, Bearer authentication, revocation, expiry and validation.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, new_client, spawn_app};
use crate::projects::{create_project, user_with_role};

/// Creates a token as `client` and returns (token, id).
async fn create_token(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> (String, String) {
    let res = app.call(client, "auth/tokens/create", form).await;
    assert_eq!(res.status(), StatusCode::OK, "create token");
    let v: Value = res.json().await.expect("json");
    let token = v["token"].as_str().expect("token").to_string();
    let id = v["info"]["id"].as_str().expect("id").to_string();
    assert!(token.starts_with("tp_"), "{token}");
    (token, id)
}

/// Calls a server function with only a Bearer token: no cookies at all.
async fn call_bearer(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    Client::new()
        .post(app.url(&format!("/api/fn/{endpoint}")))
        .header("accept", "application/json")
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .expect("request")
}

async fn project_keys(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.expect("json");
    list["items"]
        .as_array()
        .expect("a page of projects")
        .iter()
        .filter_map(|p| p["key"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_bearer_token_acts_as_its_user_until_revoked() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    create_project(&app, &admin, "beta").await;
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let res = app
        .call(
            &admin,
            "projects/members/set",
            &[
                ("key", "alpha"),
                ("user_id", &member_id),
                ("role", "member"),
            ],
        )
        .await;
    assert!(res.status().is_success());

    let (token, id) =
        create_token(&app, &member, &[("name", "CI job"), ("expires_days", "30")]).await;

    // Only the Bearer header, no cookie: the member's own projects.
    let res = call_bearer(&app, &token, "projects/list", &[]).await;
    assert_eq!(project_keys(res).await, vec!["alpha"]);
    let res = call_bearer(&app, &token, "auth/me", &[]).await;
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["email"], "member@example.org");
    assert_eq!(me["role"], "member");
    // Object-level access still applies.
    let res = call_bearer(&app, &token, "projects/get", &[("key", "beta")]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );

    // The list shows the token without any secret, and it has been used.
    let res = app.call(&member, "auth/tokens", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(!body.contains(&token), "the token leaked into the list");
    assert!(
        !body.contains(&token[3..]),
        "the token leaked into the list"
    );
    assert!(!body.contains("hash"), "{body}");
    let list: Vec<Value> = serde_json::from_str(&body).expect("json");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["name"], "CI job");
    assert_eq!(list[0]["expired"], false);
    assert!(list[0]["expires_at"].is_string());
    assert!(list[0]["last_used_at"].is_string(), "{body}");
    let mut keys: Vec<&str> = list[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "created_at",
            "expired",
            "expires_at",
            "id",
            "last_used_at",
            "name"
        ]
    );

    // A token caller cannot mint more tokens, nor sign out sessions they do not have.
    let res = call_bearer(&app, &token, "auth/tokens/create", &[("name", "x")]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = call_bearer(&app, &token, "me/sessions/end-others", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // Logging out with a token ends no browser session.
    let res = call_bearer(&app, &token, "auth/logout", &[]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let res = app.call(&member, "projects/list", &[]).await;
    assert_eq!(project_keys(res).await, vec!["alpha"]);

    // Revoked: 401 with the JSON error, and gone from the list.
    let res = app
        .call(&member, "auth/tokens/revoke", &[("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = call_bearer(&app, &token, "projects/list", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    let res = app.call(&member, "auth/tokens", &[]).await;
    let list: Vec<Value> = res.json().await.expect("json");
    assert!(list.is_empty());

    // The audit log has both events and never the token.
    let res = app
        .call(&admin, "admin/audit", &[("action", "token.create")])
        .await;
    let created = res.text().await.expect("body");
    assert!(created.contains("member@example.org"), "{created}");
    assert!(created.contains(&id), "{created}");
    assert!(!created.contains(&token), "{created}");
    let res = app
        .call(&admin, "admin/audit", &[("action", "token.revoke")])
        .await;
    let events: Vec<Value> = res.json().await.expect("json");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor"], "member@example.org");
}

#[tokio::test]
async fn a_bad_bearer_token_never_falls_back_to_the_cookie() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    for garbage in ["garbage", "tp_not-a-real-token", ""] {
        let res = call_bearer(&app, garbage, "projects/list", &[]).await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::UNAUTHORIZED, "unauthorized".into()),
            "{garbage:?}"
        );
    }
    // The admin's own cookie client, with a bad Bearer header added, is not signed in.
    let res = admin
        .post(app.url("/api/fn/projects/list"))
        .header("accept", "application/json")
        .bearer_auth("tp_wrong")
        .send()
        .await
        .expect("request");
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    // Without it the cookie still works.
    let res = app.call(&admin, "projects/list", &[]).await;
    assert_eq!(project_keys(res).await, vec!["alpha"]);
}

#[tokio::test]
async fn a_viewers_token_reads_but_cannot_write() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    let (viewer, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;
    let res = app
        .call(
            &admin,
            "projects/members/set",
            &[
                ("key", "alpha"),
                ("user_id", &viewer_id),
                ("role", "viewer"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    let (token, _) = create_token(&app, &viewer, &[]).await;
    let res = call_bearer(&app, &token, "projects/get", &[("key", "alpha")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.expect("json");
    assert_eq!(detail["access"], "read");
    let res = call_bearer(
        &app,
        &token,
        "projects/update",
        &[("key", "alpha"), ("name", "Renamed")],
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // Nor may a member's token do what only admins do.
    let res = call_bearer(&app, &token, "admin/users", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
}

#[tokio::test]
async fn expired_tokens_and_deactivated_users_get_401() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (expiring, expiring_id) = create_token(&app, &member, &[("expires_days", "1")]).await;
    let (forever, _) = create_token(&app, &member, &[("name", "Forever")]).await;
    let res = call_bearer(&app, &expiring, "projects/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Move the expiry into the past.
    app.db
        .query("UPDATE type::record('api_token', $id) SET expires_at = time::now() - 1m")
        .bind(("id", expiring_id.clone()))
        .await
        .expect("query")
        .check()
        .expect("expire");
    let res = call_bearer(&app, &expiring, "projects/list", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    // The list marks it expired.
    let res = app.call(&member, "auth/tokens", &[]).await;
    let list: Vec<Value> = res.json().await.expect("json");
    let entry = list
        .iter()
        .find(|t| t["id"] == expiring_id.as_str())
        .expect("listed");
    assert_eq!(entry["expired"], true);

    // Deactivation stops every token of the user; reactivation brings unexpired ones back.
    let res = call_bearer(&app, &forever, "projects/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &admin,
            "admin/users/active",
            &[("user_id", &member_id), ("active", "false")],
        )
        .await;
    assert!(res.status().is_success());
    let res = call_bearer(&app, &forever, "projects/list", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    let res = app
        .call(
            &admin,
            "admin/users/active",
            &[("user_id", &member_id), ("active", "true")],
        )
        .await;
    assert!(res.status().is_success());
    let res = call_bearer(&app, &forever, "projects/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_validated_owned_and_capped() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let (member, _) = user_with_role(&app, &admin, "member@example.org", "member").await;

    let long_name = "n".repeat(81);
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("name", long_name.as_str())], "name"),
        (&[("expires_days", "0")], "expires_days"),
        (&[("expires_days", "3651")], "expires_days"),
        (&[("expires_days", "1.5")], "expires_days"),
        (&[("expires_days", "soon")], "expires_days"),
    ];
    for (form, field) in cases {
        let res = app.call(&member, "auth/tokens/create", form).await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
        assert_eq!(body["error"]["code"], "validation");
        assert_eq!(body["error"]["field"], field, "{form:?}");
    }
    // Defaults: the default name and no expiry.
    let res = app
        .call(
            &member,
            "auth/tokens/create",
            &[("name", ""), ("expires_days", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["info"]["name"], "API token");
    assert!(v["info"]["expires_at"].is_null());

    // Someone else's token cannot be revoked (404), and theirs keeps working.
    let (admin_token, admin_token_id) = create_token(&app, &admin, &[]).await;
    let res = app
        .call(&member, "auth/tokens/revoke", &[("id", &admin_token_id)])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    for id in ["", "nope", "api_token:x", "a' OR true"] {
        let res = app.call(&member, "auth/tokens/revoke", &[("id", id)]).await;
        assert_eq!(error_code(res).await.0, StatusCode::NOT_FOUND, "{id:?}");
    }
    let res = call_bearer(&app, &admin_token, "auth/me", &[]).await;
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["email"], "admin@example.org");
    // Each user lists only their own.
    let res = app.call(&member, "auth/tokens", &[]).await;
    let list: Vec<Value> = res.json().await.expect("json");
    assert_eq!(list.len(), 1);
    assert_ne!(list[0]["id"], admin_token_id.as_str());

    // The profile page offers the section and the API reference.
    let res = member.get(app.url("/me")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("API tokens"), "no token section");
    assert!(html.contains("href=\"/api/docs\""), "no API reference link");
    assert!(html.contains("name=\"expires_days\""), "no expiry field");

    // Signed-out callers get nothing.
    let res = app.call(&new_client(), "auth/tokens", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    let res = app
        .call(&new_client(), "auth/tokens/create", &[("name", "x")])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );

    // At most 50 live tokens: the 51st is a conflict.
    for _ in 1..50 {
        create_token(&app, &member, &[]).await;
    }
    let res = app.call(&member, "auth/tokens/create", &[]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::CONFLICT, "conflict".into())
    );
}

#[tokio::test]
async fn the_command_line_service_makes_a_working_token() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let (_member, _) = user_with_role(&app, &admin, "ci@example.org", "lead").await;
    let state = app::state::AppState::new(
        app.db.clone(),
        app::state::Settings::default(),
        leptos::config::LeptosOptions::builder()
            .output_name("touchpoint")
            .build(),
    );
    let created = app::auth::tokens_service::create_token_for_email(
        &state,
        "CI@example.org",
        Some("Deploy"),
        None,
    )
    .await
    .expect("create");
    let res = call_bearer(&app, &created.token, "auth/me", &[]).await;
    let me: Value = res.json().await.expect("json");
    assert_eq!(me["email"], "ci@example.org");
    assert_eq!(me["role"], "lead");
    let err =
        app::auth::tokens_service::create_token_for_email(&state, "nobody@example.org", None, None)
            .await
            .expect_err("unknown email");
    assert!(err.message().contains("nobody@example.org"), "{err:?}");
    let res = app
        .call(&admin, "admin/audit", &[("action", "token.create")])
        .await;
    let events: Vec<Value> = res.json().await.expect("json");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor"], "cli");
    assert_eq!(events[0]["target"], "ci@example.org");
}

/// Without JavaScript the form posts and the profile page reloads: the new token comes back
/// once, through a short-lived cookie limited to `/me`, and never in a URL.
#[tokio::test]
async fn a_token_made_by_a_plain_form_shows_once_on_the_profile_page() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = admin
        .post(app.url("/api/fn/auth/tokens/create"))
        .header("accept", "text/html")
        .header("referer", app.url("/me"))
        .form(&[("name", "Plain form"), ("expires_days", "")])
        .send()
        .await
        .expect("request");
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().expect("location");
    assert!(
        !location.contains("tp_"),
        "the token must not travel in a URL: {location}"
    );
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("touchpoint_new_token="))
        .expect("new-token cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("Path=/me"), "{cookie}");

    let page = admin.get(app.url("/me")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let cleared = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("touchpoint_new_token=;") || v.contains("touchpoint_new_token=; "));
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"new-token\""), "the token is shown");
    let token = html
        .split("value=\"")
        .find(|s| s.starts_with("tp_"))
        .and_then(|s| s.split('"').next())
        .expect("token in the page")
        .to_string();
    assert!(cleared, "the cookie is cleared once shown");
    // It works, and it is not shown a second time.
    let ok = Client::new()
        .get(app.url("/api/v1/projects"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api");
    assert_eq!(ok.status(), StatusCode::OK);
    let again = admin.get(app.url("/me")).send().await.expect("page");
    assert!(
        !again
            .text()
            .await
            .expect("html")
            .contains("id=\"new-token\"")
    );
}

/// A one-time secret is for the user it was made for: another person signing in on the same
/// browser does not see it, and signing out clears it.
#[tokio::test]
async fn a_one_time_secret_shows_only_to_its_user_and_signing_out_clears_it() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let (_, _) = crate::projects::user_with_role(&app, &admin, "other@example.org", "member").await;
    let make_token = |client: Client| {
        let app = &app;
        async move {
            let res = client
                .post(app.url("/api/fn/auth/tokens/create"))
                .header("accept", "text/html")
                .header("referer", app.url("/me"))
                .form(&[("name", "Plain form"), ("expires_days", "")])
                .send()
                .await
                .expect("request");
            assert!(res.status().is_redirection(), "{}", res.status());
            res.headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect::<Vec<_>>()
        }
    };
    let shown = |client: Client| {
        let app = &app;
        async move {
            let page = client.get(app.url("/me")).send().await.expect("page");
            assert_eq!(page.status(), StatusCode::OK);
            page.text()
                .await
                .expect("html")
                .contains("id=\"new-token\"")
        }
    };

    // Made by the admin; someone else signs in on the same browser before it is shown.
    let set = make_token(admin.clone()).await;
    assert!(
        set.iter().any(|c| c.starts_with("touchpoint_new_token=")),
        "{set:?}"
    );
    let res = app
        .call(
            &admin,
            "auth/login",
            &[
                ("email", "other@example.org"),
                ("password", "a proper password"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(!shown(admin.clone()).await, "shown to another user");

    // Made, then signed out: the sign-out clears it, and it is not shown after signing in again.
    let (again, _) = app
        .login("admin@example.org", crate::helpers::ADMIN_PASSWORD)
        .await;
    make_token(again.clone()).await;
    let out = app.call(&again, "auth/logout", &[]).await;
    let cleared: Vec<String> = out
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("touchpoint_new_token=;") && c.contains("Path=/me")),
        "{cleared:?}"
    );
    let res = app
        .call(
            &again,
            "auth/login",
            &[
                ("email", "admin@example.org"),
                ("password", crate::helpers::ADMIN_PASSWORD),
            ],
        )
        .await;
    assert!(res.status().is_success());
    assert!(!shown(again.clone()).await, "shown after signing out");
}
