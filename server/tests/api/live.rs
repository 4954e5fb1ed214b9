//! The live-update stream (`/api/v1/projects/{key}/events`): who may follow it, what each
//! follower hears, and that a revoked session stops hearing anything.

use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app};
use crate::projects::user_with_role;
use crate::rest::rest;
use crate::rest_sprints::setup;
use crate::webhooks::Server;

/// A started retro on sprint 1 of `key`.
async fn retro(app: &TestApp, admin: &str, key: &str) {
    let t = Some(admin);
    let (s, v) = rest(
        app,
        t,
        Method::POST,
        &format!("/projects/{key}/sprints"),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = rest(
        app,
        t,
        Method::PUT,
        &format!("/projects/{key}/sprints/1/retro"),
        Some(json!({ "held_on": "2026-01-11" })),
    )
    .await;
    assert!(s.is_success(), "{v}");
}

async fn add_card(app: &TestApp, token: &str, key: &str, text: &str) {
    let (s, v) = rest(
        app,
        Some(token),
        Method::POST,
        &format!("/projects/{key}/sprints/1/retro/items"),
        Some(json!({ "column": "start", "text": text })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn open(app: &TestApp, token: Option<&str>, path: &str) -> Response {
    let mut req = reqwest::Client::new().get(app.url(&format!("/api/v1{path}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request")
}

/// What the stream sends within `wait` (events and comments as text); `None` once it ended.
async fn read(res: &mut Response, wait: Duration) -> Option<String> {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Err(_) => return Some(text),
            Ok(Ok(Some(bytes))) => text.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Ok(None)) | Ok(Err(_)) => return if text.is_empty() { None } else { Some(text) },
        }
    }
}

#[tokio::test]
async fn only_people_who_may_see_the_project_follow_it_and_hear_only_it() {
    let app = spawn_app().await;
    let callers = setup(&app).await;
    retro(&app, &callers.admin, "ours").await;
    retro(&app, &callers.admin, "theirs").await;
    let board = "/projects/ours/events?board=1";

    // Nobody, a revoked or made-up token, another project's member: refused before any event.
    let res = open(&app, None, board).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = open(&app, Some("tp_not-a-real-token"), board).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = open(&app, Some(&callers.outsider), board).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a member of another project"
    );
    // A sprint that does not exist, or a board that is no number.
    let res = open(&app, Some(&callers.viewer), "/projects/ours/events?board=9").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = open(&app, Some(&callers.viewer), "/projects/ours/events?board=x").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A viewer may watch: the stream opens with who is on the board (the viewer).
    let mut viewer = open(&app, Some(&callers.viewer), board).await;
    assert_eq!(viewer.status(), StatusCode::OK);
    assert_eq!(
        viewer.headers()["content-type"].to_str().expect("type"),
        "text/event-stream"
    );
    let first = read(&mut viewer, Duration::from_secs(2))
        .await
        .expect("open");
    assert!(first.contains("event: presence\ndata: 1\n"), "{first:?}");

    // The outsider on their own board; a card there reaches them and not the viewer.
    let mut outsider = open(
        &app,
        Some(&callers.outsider),
        "/projects/theirs/events?board=1",
    )
    .await;
    assert_eq!(outsider.status(), StatusCode::OK);
    let _ = read(&mut outsider, Duration::from_millis(500)).await;
    let _ = read(&mut viewer, Duration::from_millis(300)).await;
    add_card(&app, &callers.admin, "theirs", "Their card").await;
    let heard = read(&mut outsider, Duration::from_secs(2))
        .await
        .expect("open");
    assert!(heard.contains("event: change\ndata: retro\n"), "{heard:?}");
    let heard = read(&mut viewer, Duration::from_millis(700))
        .await
        .expect("open");
    assert!(
        !heard.contains("event: change"),
        "the viewer heard another project: {heard:?}"
    );

    // A member's card on ours reaches the viewer, and not the outsider.
    add_card(&app, &callers.member, "ours", "Our card").await;
    let heard = read(&mut viewer, Duration::from_secs(2))
        .await
        .expect("open");
    assert!(heard.contains("event: change\ndata: retro\n"), "{heard:?}");
    let heard = read(&mut outsider, Duration::from_millis(700))
        .await
        .expect("open");
    assert!(!heard.contains("event: change"), "{heard:?}");

    // The inbox stream hears feedback, and not the board.
    let mut inbox = open(
        &app,
        Some(&callers.viewer),
        "/projects/ours/events?inbox=true",
    )
    .await;
    assert_eq!(inbox.status(), StatusCode::OK);
    add_card(&app, &callers.member, "ours", "Another card").await;
    let heard = read(&mut inbox, Duration::from_millis(700))
        .await
        .expect("open");
    assert!(!heard.contains("event: change"), "{heard:?}");
    let (s, v) = rest(
        &app,
        Some(&callers.admin),
        Method::POST,
        "/projects/ours/feedback",
        Some(json!({ "body": "Useful", "channel": "team", "given_on": "2026-01-09", "author_name": "Pat" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let heard = read(&mut inbox, Duration::from_secs(2))
        .await
        .expect("open");
    assert!(
        heard.contains("event: change\ndata: feedback\n"),
        "{heard:?}"
    );
}

#[tokio::test]
async fn a_revoked_session_stops_receiving() {
    let app = spawn_app().await;
    let callers = setup(&app).await;
    retro(&app, &callers.admin, "ours").await;
    let (admin, _) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    let (watcher, id) = user_with_role(&app, &admin, "watcher@example.org", "member").await;
    let (s, v) = rest(
        &app,
        Some(&callers.admin),
        Method::POST,
        "/projects/ours/members",
        Some(json!({ "user": id, "role": "viewer" })),
    )
    .await;
    assert!(s.is_success(), "{v}");

    // The browser way: the session cookie.
    let mut res = watcher
        .get(app.url("/api/v1/projects/ours/events?board=1"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let first = read(&mut res, Duration::from_secs(2)).await.expect("open");
    assert!(first.contains("event: presence"), "{first:?}");
    add_card(&app, &callers.admin, "ours", "Before").await;
    let heard = read(&mut res, Duration::from_secs(2)).await.expect("open");
    assert!(heard.contains("event: change"), "{heard:?}");

    // Signed out (from another tab: the stream keeps its cookie), then a change.
    let out = app.call(&watcher, "auth/logout", &[]).await;
    assert!(out.status().is_success() || out.status().is_redirection());
    add_card(&app, &callers.admin, "ours", "After").await;
    let heard = read(&mut res, Duration::from_secs(8)).await;
    assert!(
        heard
            .as_deref()
            .is_none_or(|h| !h.contains("event: change")),
        "a signed-out session still heard a change: {heard:?}"
    );
    assert!(
        read(&mut res, Duration::from_secs(8)).await.is_none(),
        "the stream of a signed-out session did not end"
    );
}

#[tokio::test]
async fn shutting_down_ends_open_streams() {
    let dir = std::env::temp_dir().join(format!(
        "touchpoint-live-shutdown-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut server = Server::start("mem://", dir.join("server.log")).await;
    let token = server.admin_token().await;
    let (s, v) = server
        .api(
            &token,
            Method::POST,
            "/projects",
            Some(json!({ "key": "ours", "name": "Ours", "started_on": "2026-01-05" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = server
        .api(
            &token,
            Method::POST,
            "/projects/ours/sprints",
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut stream = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/projects/ours/events?board=1",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), StatusCode::OK);
    let first = read(&mut stream, Duration::from_secs(2)).await;
    assert!(
        first.as_deref().is_some_and(|t| t.contains("presence")),
        "{first:?}"
    );

    // SIGTERM, as a service manager sends it: the stream ends and the process exits.
    let pid = server.child.id().expect("pid").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    assert!(
        read(&mut stream, Duration::from_secs(10)).await.is_none(),
        "the stream outlived the shutdown"
    );
    let exited = tokio::time::timeout(Duration::from_secs(10), server.child.wait()).await;
    assert!(exited.is_ok(), "the server did not exit with a stream open");
    let _ = std::fs::remove_dir_all(&dir);
}
