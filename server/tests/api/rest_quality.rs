//! The REST API for the readiness checklist and data-quality issues.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::rest::rest;
use crate::rest_sprints::{setup, two_pages};

#[tokio::test]
async fn the_readiness_checklist_is_read_and_set_by_item() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());
    let path = "/projects/ours/readiness";

    let (s, v) = rest(&app, Some(&c.viewer), Method::GET, path, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v.as_object().expect("a map");
    assert_eq!(items.len(), 8, "{v}");
    assert_eq!(v["deployment_target"]["done"], false);
    assert_eq!(v["security_review"]["owner"], Value::Null);

    let (s, v) = rest(
        &app,
        Some(&c.member),
        Method::PUT,
        path,
        Some(json!({
            "deployment_target": { "done": true, "owner": c.member_id, "note": "Cluster A" },
            "monitoring_plan": { "done": true, "owner": null }
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deployment_target"]["done"], true);
    assert_eq!(v["deployment_target"]["owner"], c.member_id.as_str());
    assert_eq!(v["deployment_target"]["owner_name"], "member@example.org");
    assert_eq!(v["deployment_target"]["note"], "Cluster A");
    assert_eq!(v["monitoring_plan"]["done"], true);
    assert_eq!(v["containerized"]["done"], false);

    // Listed items are replaced; others keep their value.
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "deployment_target": { "note": "Not yet" } })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deployment_target"]["done"], false);
    assert_eq!(v["deployment_target"]["owner"], Value::Null);
    assert_eq!(v["deployment_target"]["note"], "Not yet");
    assert_eq!(
        v["monitoring_plan"]["done"], true,
        "unlisted items keep their value"
    );

    // A bad item refuses the whole request, naming the item and field.
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({
            "containerized": { "done": true },
            "security_review": { "done": true, "owner": "nobody" }
        })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "security_review.owner");
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "containerized": { "done": true }, "quantum_ready": { "done": true } })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "quantum_ready");
    let (_, v) = rest(&app, t, Method::GET, path, None).await;
    assert_eq!(v["containerized"]["done"], false, "nothing was saved: {v}");
    let (s, v) = rest(&app, t, Method::PUT, path, Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "containerized": { "done": "yes" } })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a mistyped body: {v}");

    let (s, v) = rest(
        &app,
        Some(&c.viewer),
        Method::PUT,
        path,
        Some(json!({ "containerized": { "done": true } })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(
        &app,
        Some(&c.outsider),
        Method::PUT,
        path,
        Some(json!({ "containerized": { "done": true } })),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, None, Method::GET, path, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn data_quality_issues_round_trip() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());
    let m = Some(c.member.as_str());
    let list = "/projects/ours/dq-issues";

    let (s, _) = rest(&app, None, Method::GET, list, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        list,
        Some(
            json!({ "dataset": "admissions", "description": "Missing discharge dates",
                     "dimension": "completeness", "severity": "high",
                     "opened_on": "2026-02-01" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["dataset"], "admissions");
    assert_eq!(v["severity"], "high");
    assert_eq!(v["status"], "open");
    assert_eq!(v["opened_on"], "2026-02-01");
    assert_eq!(v["reporter"], c.member_id.as_str());
    assert_eq!(v["resolved_on"], Value::Null);
    let first = v["id"].as_str().expect("id").to_string();
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        list,
        Some(
            json!({ "dataset": "lab results", "description": "Units vary",
                     "dimension": "consistency", "severity": "low",
                     "opened_on": "2026-03-01", "reported_upstream_on": "2026-03-02" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["reported_upstream_on"], "2026-03-02");
    let second = v["id"].as_str().expect("id").to_string();

    let (a, b) = two_pages(&app, &c.admin, list).await;
    let mut ids = vec![a["id"].clone(), b["id"].clone()];
    ids.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    let mut want = vec![json!(first), json!(second)];
    want.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    assert_eq!(ids, want);

    let (s, v) = rest(&app, t, Method::GET, &format!("{list}?severity=high"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let found: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(found, vec![first.as_str()]);
    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        &format!("{list}?status=resolved"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
    let (s, v) = rest(&app, t, Method::GET, &format!("{list}?severity=dire"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "severity");

    let one = format!("{list}/{first}");
    let (s, v) = rest(&app, Some(&c.viewer), Method::GET, &one, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["description"], "Missing discharge dates");
    assert_eq!(v["dimension"], "completeness");

    // PATCH: absent fields keep their value; null clears.
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "status": "resolved", "resolved_on": "2026-02-10" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "resolved");
    assert_eq!(v["resolved_on"], "2026-02-10");
    assert_eq!(v["dataset"], "admissions");
    assert_eq!(v["severity"], "high");
    assert_eq!(v["opened_on"], "2026-02-01");
    assert_eq!(v["reporter"], c.member_id.as_str(), "the reporter stays");
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "status": "open", "resolved_on": null })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resolved_on"], Value::Null);
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "status": "wont_fix" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "resolved_on");
    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        list,
        Some(json!({ "description": "No dataset", "dimension": "accuracy", "severity": "low" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "dataset");
    let (_, v) = rest(&app, t, Method::GET, list, None).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(2),
        "nothing half-written: {v}"
    );

    // Access.
    let (s, v) = rest(
        &app,
        Some(&c.viewer),
        Method::POST,
        list,
        Some(
            json!({ "dataset": "x", "description": "y", "dimension": "accuracy",
                     "severity": "low" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::PATCH,
        &one,
        Some(json!({ "severity": "low" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, list, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, &one, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(
        &app,
        t,
        Method::GET,
        &format!("/projects/theirs/dq-issues/{first}"),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "an issue is only found under its own project"
    );

    // Deleting needs a project lead.
    let (s, _) = rest(&app, m, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, t, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = rest(&app, t, Method::GET, &one, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "not_found");
}
