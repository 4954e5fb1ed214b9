//! The REST API for sprints, reviews, retrospectives, retro items and action items.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::projects::user_with_role;
use crate::rest::{admin_token, bearer, rest};

/// The callers of a test: an admin, a member and a viewer of `ours`, and a member of `theirs`
/// only.
pub struct Callers {
    pub admin: String,
    pub member: String,
    pub member_id: String,
    pub viewer: String,
    pub outsider: String,
}

pub async fn setup(app: &TestApp) -> Callers {
    let (admin_client, admin) = admin_token(app).await;
    let t = Some(admin.as_str());
    for key in ["ours", "theirs"] {
        let (s, v) = rest(
            app,
            t,
            Method::POST,
            "/projects",
            Some(json!({ "key": key, "name": key, "started_on": "2026-01-05",
                         "target_iteration_days": 14 })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (_, member_id) = user_with_role(app, &admin_client, "member@example.org", "member").await;
    let (_, viewer_id) = user_with_role(app, &admin_client, "viewer@example.org", "member").await;
    let (_, outsider_id) =
        user_with_role(app, &admin_client, "outsider@example.org", "member").await;
    for (key, user, role) in [
        ("ours", &member_id, "member"),
        ("ours", &viewer_id, "viewer"),
        ("theirs", &outsider_id, "member"),
    ] {
        let (s, v) = rest(
            app,
            t,
            Method::POST,
            &format!("/projects/{key}/members"),
            Some(json!({ "user": user, "role": role })),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    Callers {
        admin,
        member: bearer(app, "member@example.org").await,
        member_id,
        viewer: bearer(app, "viewer@example.org").await,
        outsider: bearer(app, "outsider@example.org").await,
    }
}

/// Walks a list with `limit=1` and checks that the second page follows the first.
pub async fn two_pages(app: &TestApp, token: &str, path: &str) -> (Value, Value) {
    let (s, first) = rest(
        app,
        Some(token),
        Method::GET,
        &format!("{path}?limit=1"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["items"].as_array().map(Vec::len), Some(1), "{first}");
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (s, second) = rest(
        app,
        Some(token),
        Method::GET,
        &format!("{path}?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(
        second["items"].as_array().map(Vec::len),
        Some(1),
        "{second}"
    );
    assert_ne!(first["items"][0], second["items"][0]);
    (first["items"][0].clone(), second["items"][0].clone())
}

#[tokio::test]
async fn sprints_are_created_listed_changed_and_deleted() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());

    let (s, v) = rest(&app, None, Method::GET, "/projects/ours/sprints", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");

    // The server assigns the number and the default name and dates.
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/sprints",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["sprint"]["number"], 1);
    assert_eq!(v["sprint"]["name"], "Sprint 1");
    assert_eq!(v["sprint"]["start_on"], "2026-01-05");
    assert_eq!(v["sprint"]["end_on"], "2026-01-18");

    let (s, v) = rest(
        &app,
        Some(&c.member),
        Method::POST,
        "/projects/ours/sprints",
        Some(
            json!({ "name": "Data pipeline", "goal": "Load the admissions feed",
                     "committed": 8, "notes": "Two people out" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["sprint"]["number"], 2);
    assert_eq!(v["sprint"]["name"], "Data pipeline");
    assert_eq!(
        v["sprint"]["start_on"], "2026-01-19",
        "starts after sprint 1"
    );
    assert_eq!(v["sprint"]["committed"], 8);
    assert_eq!(v["sprint"]["completed"], Value::Null);
    assert_eq!(v["sprint"]["notes"], "Two people out");

    // Newest first.
    let (first, second) = two_pages(&app, &c.admin, "/projects/ours/sprints").await;
    assert_eq!(first["sprint"]["number"], 2);
    assert_eq!(second["sprint"]["number"], 1);

    let (s, v) = rest(
        &app,
        Some(&c.viewer),
        Method::GET,
        "/projects/ours/sprints/2",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sprint"]["goal"], "Load the admissions feed");
    assert_eq!(v["previous"], 1);

    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        "/projects/ours/sprints/2",
        Some(json!({ "name": "Pipeline", "completed": 7 })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sprint"]["name"], "Pipeline");
    assert_eq!(v["sprint"]["completed"], 7);
    assert_eq!(
        v["sprint"]["goal"], "Load the admissions feed",
        "absent fields keep their value"
    );
    assert_eq!(v["sprint"]["committed"], 8);
    assert_eq!(v["sprint"]["end_on"], "2026-02-01");

    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        "/projects/ours/sprints/2",
        Some(json!({ "committed": null })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["sprint"]["committed"], Value::Null, "null clears");
    assert_eq!(v["sprint"]["completed"], 7);

    // Validation names the field, on create and on update; nothing is created by a bad body.
    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        "/projects/ours/sprints/2",
        Some(json!({ "end_on": "2026-01-01" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "end_on");
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/sprints",
        Some(json!({ "committed": -3 })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "committed");
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/sprints",
        Some(json!({ "start_on": "2026-03-01", "end_on": "2026-05-01" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "end_on");
    let (_, v) = rest(&app, t, Method::GET, "/projects/ours/sprints", None).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2), "{v}");

    // Access: viewers read but do not write; other projects' members see nothing.
    let (s, v) = rest(
        &app,
        Some(&c.viewer),
        Method::POST,
        "/projects/ours/sprints",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "forbidden");
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::PATCH,
        "/projects/ours/sprints/2",
        Some(json!({ "name": "Mine" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = rest(
        &app,
        Some(&c.outsider),
        Method::GET,
        "/projects/ours/sprints",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let (s, _) = rest(
        &app,
        Some(&c.outsider),
        Method::GET,
        "/projects/ours/sprints/1",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(
        &app,
        Some(&c.outsider),
        Method::DELETE,
        "/projects/ours/sprints/1",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Deleting needs a project lead.
    let (s, _) = rest(
        &app,
        Some(&c.member),
        Method::DELETE,
        "/projects/ours/sprints/2",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = rest(&app, t, Method::DELETE, "/projects/ours/sprints/2", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (s, v) = rest(&app, t, Method::GET, "/projects/ours/sprints/2", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["error"]["code"], "not_found");
    let (s, _) = rest(&app, t, Method::GET, "/projects/ours/sprints/two", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_review_is_put_read_replaced_and_deleted() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/projects/ours/sprints",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let path = "/projects/ours/sprints/1/review";

    let (s, v) = rest(&app, t, Method::GET, path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no review yet: {v}");

    let (s, v) = rest(
        &app,
        Some(&c.member),
        Method::PUT,
        path,
        Some(
            json!({ "held_on": "2026-01-19", "attendee_users": [c.member_id],
                     "summary": "The demo went **well**", "decisions": "Ship it",
                     "outcome": "accepted" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["held_on"], "2026-01-19");
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["attendee_users"][0]["id"], c.member_id.as_str());
    assert!(
        v["summary_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>well</strong>")),
        "{v}"
    );

    let (s, v) = rest(&app, Some(&c.viewer), Method::GET, path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["decisions"], "Ship it");

    // PUT replaces the whole review.
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "held_on": "2026-01-20", "outcome": "changes_requested" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["held_on"], "2026-01-20");
    assert_eq!(v["outcome"], "changes_requested");
    assert_eq!(v["summary"], "");
    assert_eq!(v["attendee_users"].as_array().map(Vec::len), Some(0));

    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "held_on": "2026-01-20", "outcome": "maybe" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "outcome");
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "outcome": "accepted" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "held_on");
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        path,
        Some(json!({ "held_on": "2026-01-20", "attendee_users": ["nobody"] })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "attendee_users");
    let (_, v) = rest(&app, t, Method::GET, path, None).await;
    assert_eq!(
        v["outcome"], "changes_requested",
        "a refused PUT changes nothing"
    );

    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::PUT,
        path,
        Some(json!({ "held_on": "2026-01-20" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, None, Method::GET, path, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = rest(
        &app,
        t,
        Method::GET,
        "/projects/ours/sprints/9/review",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no such sprint");

    let (s, _) = rest(&app, Some(&c.member), Method::DELETE, path, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "deleting needs a project lead");
    let (s, _) = rest(&app, t, Method::DELETE, path, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(&app, t, Method::GET, path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, t, Method::DELETE, path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_retro_board_takes_items_and_votes() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());
    let m = Some(c.member.as_str());
    for _ in 0..2 {
        let (s, _) = rest(
            &app,
            t,
            Method::POST,
            "/projects/ours/sprints",
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let retro = "/projects/ours/sprints/1/retro";
    let items = "/projects/ours/sprints/1/retro/items";

    let (s, _) = rest(&app, t, Method::GET, retro, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not started");
    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        items,
        Some(json!({ "column": "start", "text": "x" })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "no board before the retro starts: {v}"
    );

    let (s, v) = rest(
        &app,
        m,
        Method::PUT,
        retro,
        Some(json!({ "held_on": "2026-01-19" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["format"], "start_stop_continue");
    assert_eq!(v["held_on"], "2026-01-19");
    assert_eq!(v["votes_left"], 3);
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        retro,
        Some(json!({ "format": "four_squares" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "format");
    let (s, _) = rest(&app, Some(&c.viewer), Method::PUT, retro, Some(json!({}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        items,
        Some(json!({ "column": "start", "text": "Pair on reviews" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["column"], "start");
    assert_eq!(v["text"], "Pair on reviews");
    assert_eq!(v["votes"], 0);
    assert_eq!(v["mine"], true);
    let first_id = v["id"].as_str().expect("id").to_string();
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        items,
        Some(json!({ "column": "stop", "text": "Late deploys" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let second_id = v["id"].as_str().expect("id").to_string();

    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        items,
        Some(json!({ "column": "went_well", "text": "Wrong column" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "column");
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::POST,
        items,
        Some(json!({ "column": "start", "text": "Viewer" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, items, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, None, Method::GET, items, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (a, b) = two_pages(&app, &c.admin, items).await;
    let mut ids = vec![a["id"].clone(), b["id"].clone()];
    ids.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    let mut want = vec![json!(first_id), json!(second_id)];
    want.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    assert_eq!(ids, want);

    // Votes: give one, take it back; there is nothing more to take back.
    let one = format!("{items}/{first_id}");
    let (s, v) = rest(&app, m, Method::PATCH, &one, Some(json!({ "vote": true }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["votes"], 1);
    assert_eq!(v["my_votes"], 1);
    assert_eq!(v["votes_left"], 2);
    assert_eq!(v["text"], "Pair on reviews");
    let (s, v) = rest(&app, m, Method::PATCH, &one, Some(json!({ "vote": false }))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["votes"], 0);
    assert_eq!(v["votes_left"], 3);
    let (s, v) = rest(&app, m, Method::PATCH, &one, Some(json!({ "vote": false }))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "text": "Edited" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "vote");
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::PATCH,
        &one,
        Some(json!({ "vote": true })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Only the author or a project lead deletes an item.
    let other = format!("{items}/{second_id}");
    let (s, _) = rest(&app, m, Method::DELETE, &other, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, m, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(&app, m, Method::PATCH, &one, Some(json!({ "vote": true }))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, v) = rest(&app, t, Method::GET, items, None).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");

    // The retro of sprint 2, with no action items, can be deleted.
    let retro2 = "/projects/ours/sprints/2/retro";
    let (s, v) = rest(
        &app,
        t,
        Method::PUT,
        retro2,
        Some(json!({ "format": "went_well_to_improve" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["columns"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["held_on"], Value::Null);
    let (s, _) = rest(&app, m, Method::DELETE, retro2, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, t, Method::DELETE, retro2, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(&app, t, Method::GET, retro2, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn action_items_are_added_changed_listed_and_deleted() {
    let app = spawn_app().await;
    let c = setup(&app).await;
    let t = Some(c.admin.as_str());
    let m = Some(c.member.as_str());
    for n in 1..=2 {
        let (s, _) = rest(
            &app,
            t,
            Method::POST,
            "/projects/ours/sprints",
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = rest(
            &app,
            t,
            Method::PUT,
            &format!("/projects/ours/sprints/{n}/retro"),
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
    let actions = "/projects/ours/sprints/1/retro/action-items";

    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        actions,
        Some(json!({ "text": "Automate the deploy", "owner": c.member_id })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["text"], "Automate the deploy");
    assert_eq!(v["owner"], c.member_id.as_str());
    assert_eq!(v["due_sprint"], 2, "due in the next sprint by default");
    assert_eq!(v["status"], "open");
    assert_eq!(v["sprint_number"], 1);
    let first = v["id"].as_str().expect("id").to_string();
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        actions,
        Some(json!({ "text": "Write the runbook", "due_sprint": 5 })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["due_sprint"], 5);
    assert_eq!(v["owner"], Value::Null);
    let second = v["id"].as_str().expect("id").to_string();

    let (a, b) = two_pages(&app, &c.admin, actions).await;
    let mut texts = vec![a["text"].clone(), b["text"].clone()];
    texts.sort_by_key(|v| v.as_str().unwrap_or_default().to_string());
    assert_eq!(
        texts,
        vec![json!("Automate the deploy"), json!("Write the runbook")]
    );

    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        actions,
        Some(json!({ "text": "  " })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "text");
    let (s, v) = rest(
        &app,
        m,
        Method::POST,
        actions,
        Some(json!({ "text": "Someone", "owner": "nobody" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "owner");

    // PATCH: status alone, then owner cleared; absent fields keep their value.
    let one = format!("{actions}/{first}");
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "status": "done" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "done");
    assert!(v["closed_on"].is_string(), "{v}");
    assert_eq!(v["text"], "Automate the deploy");
    assert_eq!(v["owner"], c.member_id.as_str());
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "owner": null, "due_sprint": 3 })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["owner"], Value::Null);
    assert_eq!(v["due_sprint"], 3);
    assert_eq!(v["status"], "done");
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "status": "finished" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "status");
    let (s, v) = rest(
        &app,
        m,
        Method::PATCH,
        &one,
        Some(json!({ "text": "Changed", "status": "finished" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = rest(&app, t, Method::GET, actions, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|a| a["text"] != "Changed"),
        "a refused PATCH changes nothing: {v}"
    );

    // The project's list, filtered by status.
    let (s, v) = rest(
        &app,
        Some(&c.viewer),
        Method::GET,
        "/projects/ours/action-items?status=open",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let open: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(open, vec![second.as_str()]);
    let (s, v) = rest(&app, t, Method::GET, "/projects/ours/action-items", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2));
    let (s, v) = rest(
        &app,
        t,
        Method::GET,
        "/projects/ours/action-items?status=soon",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "status");

    // Access.
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::PATCH,
        &one,
        Some(json!({ "status": "open" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(
        &app,
        Some(&c.viewer),
        Method::POST,
        actions,
        Some(json!({ "text": "V" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, Some(&c.outsider), Method::GET, actions, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(
        &app,
        Some(&c.outsider),
        Method::GET,
        "/projects/ours/action-items",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, None, Method::GET, "/projects/ours/action-items", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/projects/ours/sprints/2/retro/action-items/{first}"),
        Some(json!({ "status": "open" })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "an item of another sprint's retro"
    );

    // Deleting needs a project lead.
    let (s, _) = rest(&app, m, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(&app, t, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(
        &app,
        t,
        Method::PATCH,
        &one,
        Some(json!({ "status": "open" })),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(&app, t, Method::DELETE, &one, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_the_sprint_and_quality_routes() {
    let app = spawn_app().await;
    let (s, v) = rest(&app, None, Method::GET, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = v["paths"].as_object().expect("paths");
    for (p, methods) in [
        ("/projects/{key}/sprints", &["get", "post"][..]),
        (
            "/projects/{key}/sprints/{number}",
            &["get", "patch", "delete"],
        ),
        (
            "/projects/{key}/sprints/{number}/review",
            &["get", "put", "delete"],
        ),
        (
            "/projects/{key}/sprints/{number}/retro",
            &["get", "put", "delete"],
        ),
        (
            "/projects/{key}/sprints/{number}/retro/items",
            &["get", "post"],
        ),
        (
            "/projects/{key}/sprints/{number}/retro/items/{id}",
            &["patch", "delete"],
        ),
        (
            "/projects/{key}/sprints/{number}/retro/action-items",
            &["get", "post"],
        ),
        (
            "/projects/{key}/sprints/{number}/retro/action-items/{id}",
            &["patch", "delete"],
        ),
        ("/projects/{key}/action-items", &["get"]),
        ("/projects/{key}/readiness", &["get", "put"]),
        ("/projects/{key}/dq-issues", &["get", "post"]),
        (
            "/projects/{key}/dq-issues/{id}",
            &["get", "patch", "delete"],
        ),
    ] {
        for m in methods {
            let op = &paths.get(p).unwrap_or_else(|| panic!("{p} missing"))[*m];
            assert!(op.is_object(), "{m} {p} missing");
            let tag = op["tags"][0].as_str().unwrap_or_default();
            assert!(tag == "sprints" || tag == "quality", "{m} {p}: {tag}");
        }
    }
}
