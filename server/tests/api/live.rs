//! The live-update stream (`/api/v1/projects/{key}/events`): who may follow it, what each
//! follower hears, and that a revoked session stops hearing anything.

use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app, spawn_app_with};
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

/// Streams over the per-user or per-instance cap get 429 with `Retry-After`; closing one
/// frees its place.
#[tokio::test]
async fn open_streams_are_capped_per_user_and_per_instance() {
    let app = spawn_app_with(|a| {
        a.streams_per_user = 2;
        a.streams_per_instance = 3;
    })
    .await;
    let callers = setup(&app).await;
    retro(&app, &callers.admin, "ours").await;
    let board = "/projects/ours/events?board=1";
    let first = open(&app, Some(&callers.viewer), board).await;
    let second = open(&app, Some(&callers.viewer), board).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = open(&app, Some(&callers.viewer), board).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = third.headers()["retry-after"]
        .to_str()
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!(retry > 0);
    let body: serde_json::Value = third.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another user still gets in, up to the instance's cap.
    let member = open(&app, Some(&callers.member), board).await;
    assert_eq!(member.status(), StatusCode::OK);
    let over = open(&app, Some(&callers.admin), board).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    // A closed stream frees its place.
    drop(first);
    let mut again = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..50 {
        again = open(
            &app,
            Some(&callers.viewer),
            "/projects/ours/events?inbox=true",
        )
        .await
        .status();
        if again == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(again, StatusCode::OK);
    drop((second, member));
}

/// The server ends a stream after its maximum age; the browser reconnects by itself.
#[tokio::test]
async fn a_stream_ends_after_its_maximum_age() {
    let app = spawn_app_with(|a| a.stream_max_seconds = 2).await;
    let callers = setup(&app).await;
    retro(&app, &callers.admin, "ours").await;
    let started = std::time::Instant::now();
    let mut res = open(&app, Some(&callers.viewer), "/projects/ours/events?board=1").await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut ended = false;
    while started.elapsed() < Duration::from_secs(8) {
        if read(&mut res, Duration::from_millis(500)).await.is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the stream was still open after 8 s");
    assert!(
        started.elapsed() >= Duration::from_millis(1700),
        "ended too early: {:?}",
        started.elapsed()
    );
}

/// A stream's checks of its caller do not count as activity: a tab left open on a board
/// does not keep its session from going idle. A request does.
#[tokio::test]
async fn an_open_stream_does_not_keep_its_session_alive() {
    let app = spawn_app().await;
    let callers = setup(&app).await;
    retro(&app, &callers.admin, "ours").await;
    let (watcher, _) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    let mut res = watcher
        .get(app.url("/api/v1/projects/ours/events?board=1"))
        .send()
        .await
        .expect("stream");
    assert_eq!(res.status(), StatusCode::OK);
    // The session was last seen ten minutes ago (as if the tab had been idle that long).
    let admin = "(SELECT VALUE id FROM ONLY user WHERE email = 'admin@example.org' LIMIT 1)";
    let stale = format!("UPDATE session SET last_seen_at = time::now() - 10m WHERE user = {admin}");
    app.db
        .query(stale)
        .await
        .expect("age")
        .check()
        .expect("aged");
    let last_seen = || async {
        let mut r = app
            .db
            .query(format!(
                "(SELECT VALUE last_seen_at FROM session WHERE user = {admin}
                  ORDER BY last_seen_at DESC LIMIT 1)[0]"
            ))
            .await
            .expect("read");
        r.take::<Option<chrono::DateTime<chrono::Utc>>>(0)
            .expect("time")
            .expect("a session")
    };
    let before = last_seen().await;
    // Several rechecks, and an event (which is checked before it goes out).
    add_card(&app, &callers.admin, "ours", "While idle").await;
    let heard = read(&mut res, Duration::from_secs(12)).await.expect("open");
    assert!(heard.contains("event: change"), "{heard:?}");
    assert_eq!(last_seen().await, before, "a recheck refreshed the session");
    // A request of the caller does.
    let page = watcher
        .get(app.url("/projects/ours"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(last_seen().await > before);
}
