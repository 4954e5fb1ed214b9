//! The REST API: the request helpers shared by the `rest_*` tests, and the tests of the
//! projects and reports resources, paging, errors and the OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::projects::user_with_role;

/// A new API token for the user with `email`.
pub async fn bearer(app: &TestApp, email: &str) -> String {
    let state = app::state::AppState::new(
        app.db.clone(),
        app::state::Settings::default(),
        leptos::config::LeptosOptions::builder()
            .output_name("touchpoint")
            .build(),
    );
    app::auth::tokens_service::create_token_for_email(&state, email, None, None)
        .await
        .expect("token")
        .token
}

/// Calls `/api/v1{path}` with a Bearer token (or none) and a JSON body; returns the status and
/// the JSON answer (`Null` for an empty body).
pub async fn rest(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let mut req = client.request(method, app.url(&format!("/api/v1{path}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// An admin (through the setup form) and their API token.
pub async fn admin_token(app: &TestApp) -> (reqwest::Client, String) {
    let admin = app.setup_admin().await;
    let token = bearer(app, "admin@example.org").await;
    (admin, token)
}

#[tokio::test]
async fn projects_round_trip_through_rest_with_a_token() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());

    let (s, _) = rest(&app, None, Method::GET, "/projects", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(
            json!({ "key": "churn-model", "name": "Churn model", "started_on": "2026-01-05",
                     "target_iteration_days": 10, "ml_needed": "yes" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["project"]["key"], "churn-model");
    assert_eq!(v["project"]["target_iteration_days"], 10);

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(json!({ "key": "churn-model", "name": "Again" })),
    )
    .await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::CONFLICT,
        "{s} {v}"
    );
    assert_eq!(v["error"]["field"], "key");

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(json!({ "key": "x y", "name": "" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["code"], "validation");

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(json!({ "key": "k", "target_iteration_days": "many" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a mistyped body: {v}");
    assert_eq!(v["error"]["code"], "validation");

    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        "/projects/churn-model",
        Some(json!({ "name": "Churn risk" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["project"]["name"], "Churn risk");
    assert_eq!(
        v["project"]["target_iteration_days"], 10,
        "absent fields keep their value"
    );

    for key in ["second-project", "third-project"] {
        let (s, _) = rest(
            &app,
            t,
            Method::POST,
            "/projects",
            Some(json!({ "key": key, "name": key })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    // Paging: two pages of two, then one.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/projects?limit=2&cursor={c}"),
            None => "/projects?limit=2".to_string(),
        };
        let (s, v) = rest(&app, t, Method::GET, &path, None).await;
        assert_eq!(s, StatusCode::OK);
        let items = v["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|p| p["key"].as_str().unwrap_or_default().to_string()),
        );
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, vec!["churn-model", "second-project", "third-project"]);
    let (s, v) = rest(&app, t, Method::GET, "/projects?limit=501", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "limit");

    let (s, _) = rest(&app, t, Method::DELETE, "/projects/third-project", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = rest(&app, t, Method::GET, "/projects", None).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(2),
        "archived projects are hidden"
    );

    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        "/projects?include_archived=maybe",
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a malformed query gets the JSON shape"
    );
    assert_eq!(v["error"]["code"], "validation");

    let (s, v) = rest(&app, t, Method::GET, "/nowhere", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "not_found");
}

#[tokio::test]
async fn members_viewers_and_other_projects_are_checked() {
    let app = spawn_app().await;
    let (admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let (_, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (_, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;
    for key in ["ours", "theirs"] {
        let (s, _) = rest(
            &app,
            t,
            Method::POST,
            "/projects",
            Some(json!({ "key": key, "name": key })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/members",
        Some(json!({ "user": member_id, "role": "member" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/members",
        Some(json!({ "user": viewer_id, "role": "viewer" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/members",
        Some(json!({ "user": member_id, "role": "owner" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "role");
    // Adding someone who is a member already is a clash; their role stays.
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/members",
        Some(json!({ "user": member_id, "role": "viewer" })),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "conflict");
    assert_eq!(v["error"]["field"], "user");

    let member = bearer(&app, "member@example.org").await;
    let viewer = bearer(&app, "viewer@example.org").await;
    let (_, v) = rest(&app, Some(&member), Method::GET, "/projects", None).await;
    let keys: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["key"].as_str())
        .collect();
    assert_eq!(keys, vec!["ours"]);
    let (s, _) = rest(&app, Some(&member), Method::GET, "/projects/theirs", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another project is invisible");
    let (s, _) = rest(
        &app,
        Some(&member),
        Method::GET,
        "/projects/theirs/signals",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = rest(
        &app,
        Some(&viewer),
        Method::PATCH,
        "/projects/ours",
        Some(json!({ "name": "Mine now" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "forbidden");
    let (s, _) = rest(
        &app,
        Some(&member),
        Method::POST,
        "/projects",
        Some(json!({ "key": "new-one", "name": "New" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "members do not create projects");

    let (s, v) = rest(&app, t, Method::GET, "/projects/ours/members", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3), "{v}");
    let (s, _) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/projects/ours/members/{viewer_id}"),
        Some(json!({ "role": "member" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = rest(
        &app,
        t,
        Method::DELETE,
        &format!("/projects/ours/members/{viewer_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(&app, Some(&viewer), Method::GET, "/projects/ours", None).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a removed member no longer sees the project"
    );
}

#[tokio::test]
async fn signals_and_portfolio_have_the_format_shape() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(
            json!({ "key": "readmission-risk", "name": "Readmission risk",
                     "started_on": "2026-01-05" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        "/projects/readmission-risk/signals?as_of=2026-03-01",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["project"], "readmission-risk");
    assert_eq!(v["as_of"], "2026-03-01");
    assert_eq!(v["definition_version"], 1);
    for k in ["end_user_contact", "cadence", "diversity", "scorecard"] {
        assert!(v[k].is_object(), "{k} in {v}");
    }
    assert_eq!(v["end_user_contact"]["last_contact_on"], Value::Null);
    assert_eq!(
        v["end_user_contact"]["lacking"], true,
        "no contact for 55 days"
    );

    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        "/reports/portfolio?as_of=2026-03-01",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["as_of"], "2026-03-01");
    assert_eq!(v["projects"][0]["project"], "readmission-risk");

    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        "/reports/portfolio?as_of=yesterday",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "as_of");

    let res = reqwest::Client::new()
        .get(app.url("/api/v1/projects/readmission-risk/signals.csv?as_of=2026-03-01"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("project csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("text/csv"))
    );
    assert!(res.text().await.expect("text").contains("2026-03-01"));

    let res = reqwest::Client::new()
        .get(app.url("/api/v1/reports/portfolio.csv?as_of=2026-03-01"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("text");
    let mut rows = csv_rows(&body);
    assert!(rows.remove(0).contains(&"project".to_string()) || !body.is_empty());
    assert_eq!(rows.len(), 1, "{body}");
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn the_openapi_document_is_public_and_lists_every_route() {
    let app = spawn_app().await;
    let (s, v) = rest(&app, None, Method::GET, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["openapi"].as_str().is_some_and(|o| o.starts_with("3.1")),
        "{}",
        v["openapi"]
    );
    let paths = v["paths"].as_object().expect("paths");
    for p in [
        "/projects",
        "/projects/{key}",
        "/projects/{key}/members/{user}",
        "/projects/{key}/signals",
        "/reports/portfolio",
        "/reports/portfolio.csv",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    let res = reqwest::get(app.url("/api/docs")).await.expect("docs");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("/api/v1/projects/{key}/signals"));
}

/// The parameter `name` of operation `method path` in the OpenAPI document `doc`.
fn param<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

/// The component schema `name` of `doc`, following one `$ref`.
fn component<'a>(doc: &'a Value, reference: &Value) -> &'a Value {
    let name = reference
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or_else(|| panic!("not a schema reference: {reference}"));
    &doc["components"]["schemas"][name]
}

#[tokio::test]
async fn the_openapi_document_states_the_constraints_the_server_applies() {
    let app = spawn_app().await;
    let (s, doc) = rest(&app, None, Method::GET, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);

    // Every list's `limit` is an integer from 1 to 500 that may be sent empty (the default).
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Some(limit) = op["parameters"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == "limit"))
            else {
                continue;
            };
            lists += 1;
            let schema = &limit["schema"];
            assert_eq!(schema["type"], "integer", "{method} {path}");
            assert_eq!(schema["minimum"], 1, "{method} {path}");
            assert_eq!(
                schema["maximum"],
                json!(server::api::MAX_LIMIT),
                "{method} {path}"
            );
            assert_eq!(limit["allowEmptyValue"], true, "{method} {path}");
        }
    }
    assert!(lists >= 15, "only {lists} lists take a limit");

    // Report dates are dates.
    for path in ["/reports/portfolio", "/projects/{key}/signals.csv"] {
        let as_of = param(&doc, "get", path, "as_of");
        assert_eq!(as_of["schema"]["type"], "string", "{path}");
        assert_eq!(as_of["schema"]["format"], "date", "{path}");
    }

    // Project keys and sprint numbers in paths are typed and bounded.
    let key = component(
        &doc,
        &param(&doc, "get", "/projects/{key}", "key")["schema"]["$ref"],
    );
    assert_eq!(key["pattern"], server::api::PROJECT_KEY_PATTERN);
    assert_eq!(key["maxLength"], 40);
    let number = component(
        &doc,
        &param(&doc, "get", "/projects/{key}/sprints/{number}", "number")["schema"]["$ref"],
    );
    assert_eq!(number["type"], "integer");
    assert_eq!(number["minimum"], 1);
    assert_eq!(number["maximum"], json!(app::sprints::MAX_COUNT));

    // Enums are schemas with every value the server reads, and nothing else.
    let status = &doc["components"]["schemas"]["ProjectInput"]["properties"]["status"];
    let status = status["oneOf"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b.get("$ref").is_some()))
        .expect("status refers to an enum");
    let values: Vec<&str> = component(&doc, &status["$ref"])["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let all: Vec<&str> = app::projects::ProjectStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(values, all);
    let filter = param(&doc, "get", "/projects/{key}/dq-issues", "severity");
    assert_eq!(
        component(&doc, &filter["schema"]["$ref"])["enum"],
        json!(["low", "medium", "high", "critical"])
    );
    let zones = component(
        &doc,
        &doc["components"]["schemas"]["SettingsInput"]["properties"]["time_zone"]["$ref"],
    )["enum"]
        .as_array()
        .expect("time zones");
    assert!(zones.len() > 400, "{} zones", zones.len());
    for zone in zones {
        let zone = zone.as_str().expect("zone name");
        assert!(
            app::workspace::parse_time_zone("time_zone", zone).is_ok(),
            "{zone}"
        );
    }

    // Required fields of request bodies are required, and optional dates are dates or null.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ProjectInput"]["required"], json!(["key", "name"]));
    assert_eq!(schemas["ReviewInput"]["required"], json!(["held_on"]));
    assert_eq!(
        schemas["DqIssueInput"]["required"],
        json!(["dataset", "description", "dimension", "severity"])
    );
    assert!(schemas["ProjectPatch"].get("required").is_none());
    assert_eq!(
        schemas["SprintPatch"]["properties"]["start_on"]["oneOf"],
        json!([{"type": "string", "format": "date"}, {"type": "null"}])
    );
    assert_eq!(
        schemas["ProjectInput"]["properties"]["target_iteration_days"]["maximum"],
        42
    );
}
