//! The REST API of interviews (with insights, the `.ics` file and the calendar token),
//! feedback and invite links: round trips, paging, validation and project roles.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::projects::user_with_role;
use crate::rest::{admin_token, bearer, rest};

/// Two projects, a stakeholder and a sprint in `ours`, a member and a viewer of `ours`.
struct World {
    app: TestApp,
    admin: String,
    member: String,
    viewer: String,
    stakeholder: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (admin_client, admin) = admin_token(&app).await;
    let t = Some(admin.as_str());
    for key in ["ours", "theirs"] {
        let (s, v) = rest(
            &app,
            t,
            Method::POST,
            "/projects",
            Some(json!({ "key": key, "name": key, "started_on": "2026-01-05" })),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    sprint(&app, &admin_client).await;
    let (_, member_id) = user_with_role(&app, &admin_client, "member@example.org", "member").await;
    let (_, viewer_id) = user_with_role(&app, &admin_client, "viewer@example.org", "member").await;
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
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Alex Example", "function": "end_user", "project": "ours" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let stakeholder = v["id"].as_str().expect("id").to_string();
    World {
        member: bearer(&app, "member@example.org").await,
        viewer: bearer(&app, "viewer@example.org").await,
        app,
        admin,
        stakeholder,
    }
}

/// Sprint 1 of `ours`, through the sprints server function.
async fn sprint(app: &TestApp, admin: &Client) {
    let res = app
        .call(
            admin,
            "sprints/create",
            &[
                ("key", "ours"),
                ("goal", "First increment"),
                ("start_on", "2026-01-05"),
                ("end_on", "2026-01-18"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "create sprint: {}", res.status());
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn len(v: &Value) -> Option<usize> {
    v["items"].as_array().map(Vec::len)
}

#[tokio::test]
async fn interviews_round_trip_with_insights_and_calendar() {
    let w = world().await;
    let (app, t) = (&w.app, Some(w.admin.as_str()));

    let (s, _) = rest(app, None, Method::GET, "/projects/ours/interviews", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, first) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/interviews",
        Some(
            json!({ "participants": [w.stakeholder], "scheduled_local": "2026-03-10T14:00",
                     "time_zone": "Europe/Berlin", "duration_min": 45, "kind": "usability_test",
                     "notes": "**Ward** round" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["scheduled_at"], "2026-03-10T13:00:00Z");
    assert_eq!(first["duration_min"], 45);
    assert_eq!(first["kind"], "usability_test");
    assert_eq!(first["status"], "scheduled");
    assert_eq!(first["participants"][0]["id"], w.stakeholder.as_str());
    assert_eq!(
        first["interviewers"].as_array().map(Vec::len),
        Some(1),
        "the creator by default"
    );
    let first_id = id(&first);
    let (s, second) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/interviews",
        Some(
            json!({ "participants": [w.stakeholder], "scheduled_at": "2026-04-01T09:30:00Z",
                     "time_zone": "UTC" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert_eq!(second["local_start"], "2026-04-01 09:30");
    assert_eq!(second["duration_min"], 60);
    let second_id = id(&second);

    for (body, field) in [
        (
            json!({ "participants": [w.stakeholder], "scheduled_local": "soon", "time_zone": "UTC" }),
            "scheduled_local",
        ),
        (
            json!({ "participants": [w.stakeholder], "scheduled_at": "yesterday", "time_zone": "UTC" }),
            "scheduled_at",
        ),
        (
            json!({ "participants": [w.stakeholder], "scheduled_local": "2026-03-10T14:00", "time_zone": "UTC", "duration_min": 2 }),
            "duration_min",
        ),
        (
            json!({ "scheduled_local": "2026-03-10T14:00", "time_zone": "UTC" }),
            "participants",
        ),
        (
            json!({ "participants": [w.stakeholder], "scheduled_local": "2026-03-10T14:00", "time_zone": "Mars/Olympus" }),
            "time_zone",
        ),
    ] {
        let (s, v) = rest(
            app,
            t,
            Method::POST,
            "/projects/ours/interviews",
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert_eq!(v["error"]["field"], field);
    }

    // Paging, in time order.
    let (s, v) = rest(
        app,
        t,
        Method::GET,
        "/projects/ours/interviews?limit=1",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(len(&v), Some(1));
    assert_eq!(v["items"][0]["id"], first_id.as_str());
    let cursor = v["next_cursor"].as_str().expect("cursor").to_string();
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/interviews?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(v["items"][0]["id"], second_id.as_str());
    assert_eq!(v["next_cursor"], Value::Null);

    let (s, v) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/interviews/{first_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["notes"], "**Ward** round");
    assert!(
        v["notes_html"]
            .as_str()
            .is_some_and(|h| h.contains("<strong>Ward</strong>"))
    );

    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &format!("/projects/ours/interviews/{first_id}"),
        Some(json!({ "status": "completed" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["duration_min"], 45, "absent fields keep their value");
    assert_eq!(v["scheduled_at"], "2026-03-10T13:00:00Z");
    assert_eq!(v["time_zone"], "Europe/Berlin");
    assert_eq!(v["kind"], "usability_test");
    assert_eq!(v["notes"], "**Ward** round");
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &format!("/projects/ours/interviews/{first_id}"),
        Some(json!({ "scheduled_at": "2026-03-10T15:00:00Z" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["local_start"], "2026-03-10 16:00",
        "shown in the kept zone"
    );
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &format!("/projects/ours/interviews/{first_id}"),
        Some(json!({ "status": "postponed" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "status");

    // Insights.
    let path = format!("/projects/ours/interviews/{first_id}/insights");
    let (s, v) = rest(
        app,
        t,
        Method::POST,
        &path,
        Some(json!({ "text": "Handover happens on paper", "tags": ["Handover", "paper"] })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["insights"][0]["text"], "Handover happens on paper");
    assert_eq!(v["insights"][0]["tags"], json!(["handover", "paper"]));
    let (s, v) = rest(app, t, Method::POST, &path, Some(json!({ "text": " " }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "text");
    let (s, _) = rest(app, t, Method::DELETE, &format!("{path}/3"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(app, t, Method::DELETE, &format!("{path}/0"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/interviews/{first_id}"),
        None,
    )
    .await;
    assert_eq!(v["insights"], json!([]));

    // The project's calendar, for the caller.
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/projects/ours/interviews.ics"))
        .bearer_auth(&w.admin)
        .send()
        .await
        .expect("ics");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let ics = res.text().await.expect("text");
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::GET,
        "/projects/theirs/interviews.ics",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The subscribable feed: rotate, use, turn off.
    let (s, v) = rest(
        app,
        Some(&w.viewer),
        Method::POST,
        "/projects/ours/calendar-token",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = rest(
        app,
        Some(&w.member),
        Method::POST,
        "/projects/ours/calendar-token",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["url"].as_str().expect("url").to_string();
    let feed = &url[url.find("/calendar/").expect("feed path")..];
    assert!(feed.ends_with("/interviews.ics"), "{url}");
    let res = reqwest::get(app.url(feed)).await.expect("feed");
    assert_eq!(res.status(), StatusCode::OK);
    // (The feed reaches back 180 days, so these older interviews are not in it.)
    assert!(
        res.text()
            .await
            .expect("text")
            .starts_with("BEGIN:VCALENDAR")
    );
    let (s, _) = rest(
        app,
        t,
        Method::DELETE,
        "/projects/ours/calendar-token",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let res = reqwest::get(app.url(feed)).await.expect("feed");
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a revoked feed is gone"
    );

    // Roles.
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::GET,
        "/projects/theirs/interviews",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another project is invisible");
    let (s, v) = rest(
        app,
        Some(&w.viewer),
        Method::GET,
        "/projects/ours/interviews",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(len(&v), Some(2));
    let (s, v) = rest(
        app,
        Some(&w.viewer),
        Method::POST,
        "/projects/ours/interviews",
        Some(
            json!({ "participants": [w.stakeholder], "scheduled_local": "2026-05-01T10:00",
                     "time_zone": "UTC" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "forbidden");
    let (s, _) = rest(
        app,
        Some(&w.viewer),
        Method::PATCH,
        &format!("/projects/ours/interviews/{first_id}"),
        Some(json!({ "notes": "x" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = rest(
        app,
        Some(&w.member),
        Method::PATCH,
        &format!("/projects/ours/interviews/{second_id}"),
        Some(json!({ "notes": "Prepared" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["notes"], "Prepared");
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::DELETE,
        &format!("/projects/ours/interviews/{second_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only leads delete interviews");
    let (s, _) = rest(
        app,
        t,
        Method::DELETE,
        &format!("/projects/ours/interviews/{second_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/interviews/{second_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn feedback_round_trip_with_triage_and_roles() {
    let w = world().await;
    let (app, t) = (&w.app, Some(w.admin.as_str()));

    let (s, _) = rest(app, None, Method::GET, "/projects/ours/feedback", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, first) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/feedback",
        Some(
            json!({ "channel": "review", "sprint": 1, "stakeholder": w.stakeholder,
                     "given_on": "2026-01-19", "rating": 4, "body": "Helps with rounds",
                     "category": "usefulness" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["channel"], "review");
    assert_eq!(first["rating"], 4);
    assert_eq!(first["sprint"][0], 1);
    assert_eq!(first["stakeholder"][0], w.stakeholder.as_str());
    assert_eq!(first["function"], "end_user");
    assert_eq!(first["status"], "new");
    assert!(
        first["submitted_at"]
            .as_str()
            .is_some_and(|d| d.starts_with("2026-01-19"))
    );
    let first_id = id(&first);
    let (s, second) = rest(
        app,
        Some(&w.member),
        Method::POST,
        "/projects/ours/feedback",
        Some(
            json!({ "channel": "team", "author_name": "Night shift nurse",
                     "author_function": "end_user", "body": "Too many clicks",
                     "category": "usability", "rating": 2 }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert_eq!(second["author_name"], "Night shift nurse");
    let second_id = id(&second);

    for (body, field) in [
        (
            json!({ "channel": "link", "stakeholder": w.stakeholder, "body": "x" }),
            "channel",
        ),
        (
            json!({ "channel": "team", "stakeholder": w.stakeholder, "sprint": 9, "body": "x" }),
            "sprint",
        ),
        (
            json!({ "channel": "team", "body": "nobody said this" }),
            "stakeholder",
        ),
        (
            json!({ "channel": "team", "stakeholder": w.stakeholder, "given_on": "2099-01-01", "body": "x" }),
            "given_on",
        ),
    ] {
        let (s, v) = rest(app, t, Method::POST, "/projects/ours/feedback", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert_eq!(v["error"]["field"], field);
    }

    // Paging, latest first, and filters.
    let (s, v) = rest(app, t, Method::GET, "/projects/ours/feedback?limit=1", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(len(&v), Some(1));
    assert_eq!(v["items"][0]["id"], second_id.as_str());
    let cursor = v["next_cursor"].as_str().expect("cursor").to_string();
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/feedback?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(v["items"][0]["id"], first_id.as_str());
    assert_eq!(v["next_cursor"], Value::Null);
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        "/projects/ours/feedback?category=usability",
        None,
    )
    .await;
    assert_eq!(len(&v), Some(1));
    assert_eq!(v["items"][0]["id"], second_id.as_str());
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        "/projects/ours/feedback?sprint=1&status=new",
        None,
    )
    .await;
    assert_eq!(len(&v), Some(1));
    assert_eq!(v["items"][0]["id"], first_id.as_str());
    let (s, v) = rest(
        app,
        t,
        Method::GET,
        "/projects/ours/feedback?status=bogus",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "status");

    let item = format!("/projects/ours/feedback/{first_id}");
    let (s, v) = rest(app, t, Method::GET, &item, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["body"], "Helps with rounds");

    // Triage.
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &item,
        Some(json!({ "status": "planned", "addressed_in": 1, "response": "We will" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "planned");
    assert_eq!(v["addressed_in"], 1);
    assert_eq!(v["response"], "We will");
    let (s, v) = rest(
        app,
        Some(&w.member),
        Method::PATCH,
        &item,
        Some(json!({ "response": "Planned for sprint 1" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "planned", "absent fields keep their value");
    assert_eq!(v["addressed_in"], 1);
    assert_eq!(v["response"], "Planned for sprint 1");
    assert_eq!(
        v["body"], "Helps with rounds",
        "the author's words never change"
    );
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &item,
        Some(json!({ "status": "acknowledged" })),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a kept sprint needs planned/addressed"
    );
    assert_eq!(v["error"]["field"], "addressed_in");
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &item,
        Some(json!({ "status": "acknowledged", "addressed_in": null, "response": null })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["addressed_in"], Value::Null);
    assert_eq!(v["response"], Value::Null);
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &item,
        Some(json!({ "addressed_in": 7, "status": "addressed" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "addressed_in");

    // Roles.
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::GET,
        "/projects/theirs/feedback",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::GET,
        &format!("/projects/theirs/feedback/{first_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = rest(
        app,
        Some(&w.viewer),
        Method::PATCH,
        &item,
        Some(json!({ "status": "declined" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = rest(
        app,
        Some(&w.viewer),
        Method::POST,
        "/projects/ours/feedback",
        Some(json!({ "channel": "team", "stakeholder": w.stakeholder, "body": "x" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(app, Some(&w.member), Method::DELETE, &item, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only leads delete feedback");
    let (s, _) = rest(app, t, Method::DELETE, &item, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = rest(app, t, Method::GET, &item, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invites_are_made_listed_and_revoked() {
    let w = world().await;
    let (app, t) = (&w.app, Some(w.admin.as_str()));

    let (s, _) = rest(
        app,
        None,
        Method::POST,
        "/projects/ours/invites",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, first) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/invites",
        Some(json!({ "sprint": 1, "stakeholder": w.stakeholder, "expires_in_days": 7 })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["state"], "active");
    assert_eq!(first["sprint"][0], 1);
    assert_eq!(first["stakeholder_name"], "Alex Example");
    let url = first["url"].as_str().expect("url");
    let token = url.rsplit("/f/").next().expect("token");
    assert_eq!(token.len(), 43, "{url}");
    let first_id = id(&first);
    let (s, second) = rest(
        app,
        Some(&w.member),
        Method::POST,
        "/projects/ours/invites",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let second_id = id(&second);

    let (s, v) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/invites",
        Some(json!({ "expires_in_days": 99 })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "expires_in_days");
    let (s, v) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/invites",
        Some(json!({ "sprint": 5 })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "sprint");

    // Paging, newest first; tokens are never listed.
    let (s, v) = rest(app, t, Method::GET, "/projects/ours/invites?limit=1", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(len(&v), Some(1));
    assert!(v["items"][0].get("url").is_none());
    let page1 = id(&v["items"][0]);
    let cursor = v["next_cursor"].as_str().expect("cursor").to_string();
    let (_, v) = rest(
        app,
        t,
        Method::GET,
        &format!("/projects/ours/invites?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    let page2 = id(&v["items"][0]);
    assert_eq!(v["next_cursor"], Value::Null);
    let mut seen = vec![page1, page2];
    seen.sort();
    let mut made = vec![first_id.clone(), second_id.clone()];
    made.sort();
    assert_eq!(seen, made);
    assert!(!v.to_string().contains(token), "the token is shown once");

    // Roles.
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::GET,
        "/projects/theirs/invites",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = rest(
        app,
        Some(&w.viewer),
        Method::POST,
        "/projects/ours/invites",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = rest(
        app,
        Some(&w.viewer),
        Method::DELETE,
        &format!("/projects/ours/invites/{first_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::DELETE,
        &format!("/projects/theirs/invites/{first_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Revoke.
    let (s, _) = rest(
        app,
        Some(&w.member),
        Method::DELETE,
        &format!("/projects/ours/invites/{first_id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = rest(app, t, Method::GET, "/projects/ours/invites", None).await;
    let revoked = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == first_id.as_str())
        .expect("still listed");
    assert_eq!(revoked["state"], "revoked");
    let (s, _) = rest(
        app,
        t,
        Method::DELETE,
        "/projects/ours/invites/nonexistent",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let res = reqwest::Client::new()
        .post(app.url("/f/api/open"))
        .header("accept", "application/json")
        .form(&[("token", token)])
        .send()
        .await
        .expect("open");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body, json!("Revoked"), "the link stops working: {body}");
}

#[tokio::test]
async fn the_openapi_document_lists_these_routes() {
    let app = spawn_app().await;
    let (s, v) = rest(&app, None, Method::GET, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = v["paths"].as_object().expect("paths");
    for p in [
        "/stakeholders",
        "/stakeholders/{id}",
        "/stakeholders/{id}/merge",
        "/stakeholders/{id}/erase",
        "/projects/{key}/interviews",
        "/projects/{key}/interviews/{id}",
        "/projects/{key}/interviews/{id}/insights",
        "/projects/{key}/interviews/{id}/insights/{index}",
        "/projects/{key}/interviews.ics",
        "/projects/{key}/calendar-token",
        "/projects/{key}/feedback",
        "/projects/{key}/feedback/{id}",
        "/projects/{key}/invites",
        "/projects/{key}/invites/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert!(paths["/projects/{key}/feedback/{id}"]["patch"].is_object());
    assert_eq!(paths["/stakeholders"]["get"]["tags"][0], "stakeholders");
}

/// The inbox's newest page is read once per revision of the project and shared by its
/// readers; every write that shows in it is seen by the very next read.
#[tokio::test]
async fn the_newest_inbox_page_follows_every_write() {
    let w = world().await;
    let (app, t) = (&w.app, Some(w.admin.as_str()));
    let newest = || async {
        let (s, v) = rest(app, t, Method::GET, "/projects/ours/feedback", None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["items"].as_array().expect("items").clone()
    };
    let (s, first) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/feedback",
        Some(
            json!({ "channel": "review", "sprint": 1, "stakeholder": w.stakeholder,
                     "body": "Helps with rounds", "category": "usefulness" }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let first_id = id(&first);
    let items = newest().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["sprint"], json!([1, "Sprint 1"]));

    // A new item.
    let (s, second) = rest(
        app,
        t,
        Method::POST,
        "/projects/ours/feedback",
        Some(json!({ "channel": "team", "author_name": "Kim", "body": "Too many clicks" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let items = newest().await;
    assert_eq!(
        items.iter().map(id).collect::<Vec<_>>(),
        vec![id(&second), first_id.clone()],
        "the new item, first"
    );

    // Triage.
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &format!("/projects/ours/feedback/{first_id}"),
        Some(json!({ "status": "planned", "response": "Next sprint" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = newest().await;
    assert_eq!(items[1]["status"], "planned");
    assert_eq!(items[1]["response"], "Next sprint");

    // The names it shows: the sprint's and the stakeholder's.
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        "/projects/ours/sprints/1",
        Some(json!({ "name": "Ward rounds" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = rest(
        app,
        t,
        Method::PATCH,
        &format!("/stakeholders/{}", w.stakeholder),
        Some(json!({ "name": "Alex Renamed" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = newest().await;
    assert_eq!(items[1]["sprint"], json!([1, "Ward rounds"]));
    assert_eq!(items[1]["stakeholder"][1], "Alex Renamed");

    // A deleted item leaves it.
    let (s, v) = rest(
        app,
        t,
        Method::DELETE,
        &format!("/projects/ours/feedback/{}", id(&second)),
        None,
    )
    .await;
    assert!(s.is_success(), "{s} {v}");
    let items = newest().await;
    assert_eq!(items.iter().map(id).collect::<Vec<_>>(), vec![first_id]);
}
