//! The number of database round trips of the hot pages and reports. The read cache (app::cache)
//! answers them from snapshots checked by one read of revision counters, done together with
//! the session lookup; these tests fail when a change adds queries to those paths, or when a
//! write is not seen by the next request.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::rest::{admin_token, rest};

/// Queries sent by the server's request handling while `f` runs (the instance's background
/// work, such as the webhook worker's polling, counts apart).
async fn queries_during<F: std::future::Future<Output = ()>>(app: &TestApp, f: F) -> u64 {
    let before = app.db.queries_sent();
    f.await;
    app.db.queries_sent() - before
}

async fn get(app: &TestApp, token: &str, path: &str) -> String {
    let res = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

async fn project(app: &TestApp, token: &str, key: &str) {
    let (s, v) = rest(
        app,
        Some(token),
        Method::POST,
        "/projects",
        Some(json!({ "key": key, "name": key, "started_on": "2026-01-05" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = rest(
        app,
        Some(token),
        Method::POST,
        &format!("/projects/{key}/sprints"),
        Some(json!({ "start_on": "2026-01-05", "end_on": "2026-01-18", "goal": "First" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn hot_pages_cost_one_round_trip_once_cached() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    project(&app, &token, "alpha").await;
    project(&app, &token, "beta").await;

    let paths = [
        "/projects/alpha",
        "/projects/alpha/report",
        "/api/v1/projects/alpha/signals",
    ];
    for path in paths {
        get(&app, &token, path).await; // fills the cache
        let n = queries_during(&app, async {
            get(&app, &token, path).await;
        })
        .await;
        assert_eq!(n, 1, "{path}: the session and the stamp, in one round trip");
    }
    // The portfolio checks every project's counter: one more round trip.
    get(&app, &token, "/api/v1/reports/portfolio").await;
    let n = queries_during(&app, async {
        get(&app, &token, "/api/v1/reports/portfolio").await;
    })
    .await;
    assert!(n <= 2, "portfolio: {n} queries");
}

#[tokio::test]
async fn the_next_request_sees_a_write_and_other_projects_stay_cached() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    project(&app, &token, "alpha").await;
    project(&app, &token, "beta").await;
    let page = get(&app, &token, "/projects/alpha").await;
    assert!(page.contains("First"));
    get(&app, &token, "/projects/beta").await;

    // A write to alpha, then alpha's page: it shows the new sprint.
    let (s, v) = rest(
        &app,
        Some(&token),
        Method::POST,
        "/projects/alpha/sprints",
        Some(json!({ "start_on": "2026-01-19", "end_on": "2026-02-01", "goal": "Second goal" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let page = get(&app, &token, "/projects/alpha").await;
    assert!(
        page.contains("Second goal"),
        "the new sprint is shown at once"
    );

    // beta was not written: its page is still one round trip.
    let n = queries_during(&app, async {
        get(&app, &token, "/projects/beta").await;
    })
    .await;
    assert_eq!(n, 1);
}

async fn get_status(app: &TestApp, token: &str, path: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// A token and a session read once are kept by the instance, but a revocation, a
/// deactivation or a sign-out through any instance ends them at the next request.
#[tokio::test]
async fn kept_credentials_end_at_once_when_revoked_or_deactivated() {
    let app = spawn_app().await;
    let (admin, admin_token) = admin_token(&app).await;
    let (member, member_id) =
        crate::projects::user_with_role(&app, &admin, "member@example.org", "member").await;
    let token = crate::rest::bearer(&app, "member@example.org").await;

    // Warm: the token is looked up (and its first use recorded, which counts as a change of
    // the user's credentials), then a read costs one round trip.
    for _ in 0..2 {
        assert_eq!(get_status(&app, &token, "/api/v1/me").await, StatusCode::OK);
    }
    let n = queries_during(&app, async {
        assert_eq!(get_status(&app, &token, "/api/v1/me").await, StatusCode::OK);
    })
    .await;
    assert_eq!(n, 1);

    // Revoked through the API: the next read is refused.
    let (s, v) = rest(&app, Some(&token), Method::GET, "/tokens", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["items"][0]["id"].as_str().expect("token id").to_string();
    let (s, _) = rest(
        &app,
        Some(&token),
        Method::DELETE,
        &format!("/tokens/{id}"),
        None,
    )
    .await;
    assert!(s.is_success(), "{s}");
    assert_eq!(
        get_status(&app, &token, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED
    );

    // A browser session, read twice, then the user is deactivated by an admin.
    let page = |client: reqwest::Client| {
        let url = app.url("/projects");
        async move { client.get(url).send().await.expect("page").status() }
    };
    assert_eq!(page(member.clone()).await, StatusCode::OK);
    assert_eq!(page(member.clone()).await, StatusCode::OK);
    let (s, v) = rest(
        &app,
        Some(&admin_token),
        Method::PATCH,
        &format!("/users/{member_id}"),
        Some(json!({ "active": false })),
    )
    .await;
    assert!(s.is_success(), "{s} {v}");
    assert!(
        page(member.clone()).await.is_redirection(),
        "a deactivated user's session is refused at once"
    );
}

/// The feedback inbox keeps its people picker and invite links in the project's snapshot: once
/// cached, the page is one round trip, and a new link, a rename of a linked person, a new
/// invite and a revoked one are each seen by the next request.
#[tokio::test]
async fn the_inbox_keeps_people_and_invites_per_snapshot_and_sees_their_writes() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    project(&app, &token, "alpha").await;
    let t = Some(token.as_str());

    let page = get(&app, &token, "/projects/alpha/feedback").await;
    assert!(!page.contains("Robin"), "nobody is linked yet");
    let n = queries_during(&app, async {
        get(&app, &token, "/projects/alpha/feedback").await;
    })
    .await;
    assert_eq!(
        n, 1,
        "the inbox page, its people and invites: one round trip"
    );

    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/stakeholders",
        Some(json!({ "name": "Robin Linked", "function": "end_user", "project": "alpha" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let robin = v["id"].as_str().expect("id").to_string();
    let page = get(&app, &token, "/projects/alpha/feedback").await;
    assert!(page.contains("Robin Linked"), "a new link is seen at once");

    let (s, v) = rest(
        &app,
        t,
        Method::PATCH,
        &format!("/stakeholders/{robin}"),
        Some(json!({ "name": "Robin Renamed" })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let page = get(&app, &token, "/projects/alpha/feedback").await;
    assert!(
        page.contains("Robin Renamed") && !page.contains("Robin Linked"),
        "a linked person's new name is seen at once, though no record mentions them"
    );

    let (s, v) = rest(&app, t, Method::GET, "/projects/alpha/invites", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
    let (s, v) = rest(
        &app,
        t,
        Method::POST,
        "/projects/alpha/invites",
        Some(json!({ "stakeholder": robin })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let invite = v["id"].as_str().expect("id").to_string();
    let (s, v) = rest(&app, t, Method::GET, "/projects/alpha/invites", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["items"][0]["state"], "active",
        "a new invite is seen at once: {v}"
    );
    assert_eq!(v["items"][0]["stakeholder_name"], "Robin Renamed");
    let n = queries_during(&app, async {
        get(&app, &token, "/api/v1/projects/alpha/invites").await;
    })
    .await;
    assert_eq!(n, 1, "the invite list is kept with the snapshot");

    let (s, _) = rest(
        &app,
        t,
        Method::DELETE,
        &format!("/projects/alpha/invites/{invite}"),
        None,
    )
    .await;
    assert!(s.is_success(), "{s}");
    let (_, v) = rest(&app, t, Method::GET, "/projects/alpha/invites", None).await;
    assert_eq!(
        v["items"][0]["state"], "revoked",
        "a revocation is seen at once: {v}"
    );
}
