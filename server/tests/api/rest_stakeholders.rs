//! The REST API of the stakeholder directory: create, list with paging and filters, get,
//! patch, merge, erase, and who may do what.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::projects::user_with_role;
use crate::rest::{admin_token, bearer, rest};

async fn project(app: &TestApp, token: &str, key: &str) {
    let (s, v) = rest(
        app,
        Some(token),
        Method::POST,
        "/projects",
        Some(json!({ "key": key, "name": key })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, v) = rest(app, Some(token), Method::POST, "/stakeholders", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn stakeholders_round_trip_through_rest() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    project(&app, &token, "ward-flow").await;

    let (s, v) = rest(&app, None, Method::GET, "/stakeholders", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthorized");

    let first = create(
        &app,
        &token,
        json!({
            "name": "Alex Example", "function": "end_user", "organization": "Clinic A",
            "email": "alex@example.org", "project": "ward-flow", "consented_on": "2026-01-10",
            "attributes": { "background": "rural" }, "notes": "Night shift"
        }),
    )
    .await;
    assert_eq!(first["name"], "Alex Example");
    assert_eq!(first["function"], "end_user");
    assert_eq!(first["organization"], "Clinic A");
    assert_eq!(first["email"], "alex@example.org");
    assert_eq!(first["attributes"]["background"], "rural");
    assert_eq!(first["consented_on"], "2026-01-10");
    assert_eq!(first["projects"][0]["key"], "ward-flow");
    let alex = id(&first);
    let casey = id(&create(
        &app,
        &token,
        json!({ "name": "Casey Sample", "function": "domain_expert" }),
    )
    .await);
    let dup = id(&create(
        &app,
        &token,
        json!({ "name": "Alex E.", "function": "end_user", "project": "ward-flow" }),
    )
    .await);

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Robin", "function": "wizard" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "function");
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Robin", "function": "other", "attributes": { "a": "b" } })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "attributes need consent: {v}"
    );
    assert!(v["error"]["field"].is_string(), "{v}");

    // Paging: by name, one at a time.
    let (s, v) = rest(&app, t, Method::GET, "/stakeholders?limit=1", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["items"][0]["name"], "Alex E.");
    let cursor = v["next_cursor"].as_str().expect("cursor").to_string();
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        &format!("/stakeholders?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(v["items"][0]["name"], "Alex Example");
    let cursor = v["next_cursor"].as_str().expect("cursor").to_string();
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        &format!("/stakeholders?limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(v["items"][0]["name"], "Casey Sample");
    assert_eq!(v["next_cursor"], Value::Null);
    // A cursor that is not one of ours is a validation error, not a fresh start.
    let (s, v) = rest(&app, t, Method::GET, "/stakeholders?cursor=o2", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "cursor");
    // Filters.
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        "/stakeholders?function=domain_expert",
        None,
    )
    .await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["items"][0]["id"], casey.as_str());
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        "/stakeholders?q=clinic&project=ward-flow",
        None,
    )
    .await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["items"][0]["id"], alex.as_str());
    let (s, v) = rest(&app, t, Method::GET, "/stakeholders?function=wizard", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "function");

    let (s, v) = rest(&app, t, Method::GET, &format!("/stakeholders/{alex}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["notes"], "Night shift");
    let (s, _) = rest(&app, t, Method::GET, "/stakeholders/nobody", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/stakeholders/{alex}"),
        Some(json!({ "title": "Ward nurse" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["title"], "Ward nurse");
    assert_eq!(
        v["organization"], "Clinic A",
        "absent fields keep their value"
    );
    assert_eq!(v["email"], "alex@example.org");
    assert_eq!(v["attributes"]["background"], "rural");
    assert_eq!(v["function"], "end_user");
    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/stakeholders/{alex}"),
        Some(json!({ "email": null, "name": "Alex Example-Lee" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["email"], Value::Null, "null clears");
    assert_eq!(v["name"], "Alex Example-Lee");
    assert_eq!(v["consented_on"], "2026-01-10");
    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/stakeholders/{alex}"),
        Some(json!({ "email": "not an email" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "email");

    // Merge the duplicate into the first entry.
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        &format!("/stakeholders/{dup}/merge"),
        Some(json!({ "into": "" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "into");
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        &format!("/stakeholders/{dup}/merge"),
        Some(json!({ "into": alex })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id"], alex.as_str());
    let (_, v) = rest(&app, t, Method::GET, &format!("/stakeholders/{dup}"), None).await;
    assert_eq!(v["merged_into"], alex.as_str());

    // Erase needs the confirmation; DELETE is the confirmed erase.
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        &format!("/stakeholders/{alex}/erase"),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "confirm");
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        &format!("/stakeholders/{alex}/erase"),
        Some(json!({ "confirm": true })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = rest(&app, t, Method::GET, &format!("/stakeholders/{alex}"), None).await;
    assert_eq!(v["name"], "Erased stakeholder");
    assert!(v["erased_at"].is_string(), "{v}");
    assert_eq!(v["function"], "end_user", "the function stays");
    assert_eq!(v["organization"], "");
    let (s, _) = rest(
        &app,
        t,
        Method::DELETE,
        &format!("/stakeholders/{casey}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        &format!("/stakeholders/{casey}"),
        None,
    )
    .await;
    assert_eq!(v["name"], "Erased stakeholder");
    let (_, v) = rest(&app, t, Method::GET, "/stakeholders", None).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(0),
        "erased and merged are hidden: {v}"
    );
    let (_, v) = rest(
        &app,
        t,
        Method::GET,
        "/stakeholders?include_erased=true",
        None,
    )
    .await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2), "{v}");
}

#[tokio::test]
async fn stakeholder_writes_follow_project_roles() {
    let app = spawn_app().await;
    let (admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    project(&app, &token, "ours").await;
    project(&app, &token, "theirs").await;
    let (_, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (_, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;
    for (user, role) in [(&member_id, "member"), (&viewer_id, "viewer")] {
        let (s, v) = rest(
            &app,
            t,
            Method::POST,
            "/projects/ours/members",
            Some(json!({ "user": user, "role": role })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let member = bearer(&app, "member@example.org").await;
    let viewer = bearer(&app, "viewer@example.org").await;
    let ours = id(&create(
        &app,
        &token,
        json!({ "name": "Jordan Sample", "function": "data_owner", "project": "ours",
                "email": "jordan@example.org" }),
    )
    .await);
    let theirs = id(&create(
        &app,
        &token,
        json!({ "name": "Morgan Sample", "function": "end_user", "project": "theirs" }),
    )
    .await);

    // Another project is invisible to the member.
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::GET,
        "/stakeholders?project=theirs",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::GET,
        &format!("/stakeholders/{theirs}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "the directory is workspace-wide: {v}");
    assert_eq!(
        v["projects"].as_array().map(Vec::len),
        Some(0),
        "but their project is hidden"
    );
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::PATCH,
        &format!("/stakeholders/{theirs}"),
        Some(json!({ "title": "Changed" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Sam", "function": "other", "project": "theirs" })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "linking an invisible project: {v}"
    );
    // Members of the project write, without the email they may not see.
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::GET,
        &format!("/stakeholders/{ours}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["email"], Value::Null, "only leads see emails");
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::PATCH,
        &format!("/stakeholders/{ours}"),
        Some(json!({ "title": "Registry owner" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = rest(&app, t, Method::GET, &format!("/stakeholders/{ours}"), None).await;
    assert_eq!(v["title"], "Registry owner");
    assert_eq!(
        v["email"], "jordan@example.org",
        "a member's edit keeps the hidden email"
    );
    let (s, v) = rest(
        &app,
        Some(&member),
        Method::POST,
        "/stakeholders",
        Some(
            json!({ "name": "Sam", "function": "other", "project": "ours",
                     "email": "sam@example.org" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "email");
    let (s, _) = rest(
        &app,
        Some(&member),
        Method::DELETE,
        &format!("/stakeholders/{ours}"),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only admins and workspace leads erase"
    );
    let (s, _) = rest(
        &app,
        Some(&member),
        Method::POST,
        &format!("/stakeholders/{ours}/merge"),
        Some(json!({ "into": theirs })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Viewers read but do not write.
    let (s, v) = rest(
        &app,
        Some(&viewer),
        Method::PATCH,
        &format!("/stakeholders/{ours}"),
        Some(json!({ "title": "Viewer was here" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "forbidden");
    let (s, _) = rest(
        &app,
        Some(&viewer),
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Sam", "function": "other", "project": "ours" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(
        &app,
        None,
        Method::PATCH,
        &format!("/stakeholders/{ours}"),
        Some(json!({ "title": "x" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
