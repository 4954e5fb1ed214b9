//! The account and admin resources of the REST API: me, tokens, users, audit, settings, and
//! workspace export and import.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::projects::user_with_role;
use crate::rest::{admin_token, bearer, rest};

#[tokio::test]
async fn me_tokens_users_audit_and_settings() {
    let app = spawn_app().await;
    let (admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let (_, _) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let member = bearer(&app, "member@example.org").await;

    let (s, v) = rest(&app, t, Method::GET, "/me", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["email"], "admin@example.org");
    let (s, _) = rest(&app, None, Method::GET, "/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Tokens: listed without secrets; a token cannot mint another.
    let (s, v) = rest(&app, t, Method::GET, "/tokens", None).await;
    assert_eq!(s, StatusCode::OK);
    let first = &v["items"][0];
    assert!(first["id"].is_string() && first.get("hash").is_none() && first.get("token").is_none());
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/tokens",
        Some(json!({ "name": "ci" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let id = first["id"].as_str().expect("id").to_string();

    // Users (admins only).
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/users",
        Some(
            json!({ "email": "new@example.org", "name": "New Person", "role": "lead",
                     "temp_password": "temporary-123" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let new_id = v["id"].as_str().expect("id").to_string();
    let (s, v) = rest(&app, t, Method::POST, "/users",
        Some(json!({ "email": "bad", "name": "X", "role": "lead", "temp_password": "temporary-123" }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "email");
    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/users/{new_id}"),
        Some(json!({ "role": "member", "active": false })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["role"], "member");
    assert_eq!(v["active"], false);
    let (s, _) = rest(
        &app,
        t,
        Method::PATCH,
        "/users/nobody",
        Some(json!({ "role": "member" })),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, Some(&member), Method::GET, "/users", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = rest(&app, t, Method::GET, "/users?limit=2", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2));
    assert!(v["next_cursor"].is_string(), "three users, two per page");

    // Settings.
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        "/settings",
        Some(json!({ "time_zone": "Mars/Base" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "time_zone");
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        "/settings",
        Some(json!({ "time_zone": "Europe/Berlin" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["time_zone"], "Europe/Berlin");
    let (s, _) = rest(
        &app,
        Some(&member),
        Method::PUT,
        "/settings",
        Some(json!({ "time_zone": "UTC" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The audit log saw the user changes; members may not read it.
    let (s, v) = rest(&app, t, Method::GET, "/audit?action=user.create", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!v["items"].as_array().expect("items").is_empty(), "{v}");
    let (s, _) = rest(&app, Some(&member), Method::GET, "/audit", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Revoking the token shuts it out.
    let (s, _) = rest(&app, t, Method::DELETE, &format!("/tokens/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(&app, t, Method::GET, "/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// The export without what differs between installations: local ids are compared by the
/// round-trip tests of the transfer module; here the project keys, names and record counts.
fn outline(ws: &Value) -> Value {
    let mut projects: Vec<Value> = ws["projects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            json!({
                "key": p["key"], "name": p["name"],
                "sprints": p["sprints"].as_array().map(Vec::len),
                "feedback": p["feedback"].as_array().map(Vec::len),
                "interviews": p["interviews"].as_array().map(Vec::len),
                "dq_issues": p["dq_issues"].as_array().map(Vec::len),
            })
        })
        .collect();
    projects.sort_by_key(|p| p["key"].as_str().unwrap_or_default().to_string());
    json!({ "projects": projects, "stakeholders": ws["stakeholders"].as_array().map(Vec::len) })
}

#[tokio::test]
async fn export_and_import_through_the_api() {
    let app = spawn_app().await;
    let (admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/workspace-small.json"
    ))
    .expect("the example workspace");
    let post = |body: String, token: String| {
        let url = app.url("/api/v1/import");
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("import")
        }
    };

    // Members may not import or export.
    let _ = user_with_role(&app, &admin, "member@example.org", "member").await;
    let member = bearer(&app, "member@example.org").await;
    assert_eq!(
        post(example.clone(), member.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let (s, _) = rest(&app, Some(&member), Method::GET, "/export", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A broken file: every problem with its path, and nothing written.
    let mut broken: Value = serde_json::from_str(&example).expect("json");
    broken["projects"][0]["sprints"][0]["end_on"] = json!("2000-01-01");
    broken["projects"][0]["lead"] = json!("nobody");
    let res = post(broken.to_string(), token.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.expect("json");
    let paths: Vec<&str> = v["error"]["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"projects[0].sprints[0].end_on"),
        "{paths:?}"
    );
    assert!(paths.contains(&"projects[0].lead"), "{paths:?}");
    let (_, v) = rest(&app, t, Method::GET, "/projects", None).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was written"
    );
    let res = post("{ not json".into(), token.clone()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The example imports; exporting and importing into an empty workspace keeps it.
    let res = post(example.clone(), token.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let summary: Value = res.json().await.expect("summary");
    assert!(
        summary["projects"].as_u64().is_some_and(|n| n > 0),
        "{summary}"
    );
    assert_eq!(
        post(example.clone(), token.clone()).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "existing keys are refused without replace"
    );
    let (s, first) = rest(&app, t, Method::GET, "/export", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first["format"], "touchpoint-workspace");

    let other = spawn_app().await;
    let (_, other_token) = admin_token(&other).await;
    let res = reqwest::Client::new()
        .post(other.url("/api/v1/import"))
        .bearer_auth(&other_token)
        .json(&first)
        .send()
        .await
        .expect("import");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, second) = rest(&other, Some(&other_token), Method::GET, "/export", None).await;
    assert_eq!(outline(&first), outline(&second));

    let (s, v) = rest(&app, t, Method::GET, "/audit?action=workspace.import", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["items"].as_array().is_some_and(|a| a.len() >= 3),
        "every import is audited: {v}"
    );
}

#[tokio::test]
async fn an_import_names_a_problem_deep_in_the_file_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, token) = admin_token(&app).await;
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/workspace-small.json"
    ))
    .expect("the example workspace");
    let mut ws: Value = serde_json::from_str(&example).expect("json");
    let last = ws["projects"].as_array().map_or(0, Vec::len) - 1;
    ws["projects"][last]["started_on"] = json!("soon");
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/import"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(ws.to_string())
        .send()
        .await
        .expect("import");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.expect("json");
    assert_eq!(
        v["error"]["issues"][0]["path"],
        format!("projects[{last}].started_on")
    );
    let (_, v) = rest(&app, Some(&token), Method::GET, "/projects", None).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(0),
        "nothing was written"
    );
}
