//! Webhooks against a local receiver: who may manage them, the private-address guard, signed
//! bodies, a retry after the receiver failed, the test event, signal changes, and a delivery
//! that survives a restart of the server process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::rest::rest;
use crate::rest_sprints::setup;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    event: String,
    delivery: String,
    signature: String,
    body: String,
}

/// A local webhook receiver: answers each request with the next status of `answers` (the
/// last one repeats) and keeps what it got.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(answers.to_vec()));
        let (g, a) = (got.clone(), answers.clone());
        let app = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let (g, a) = (g.clone(), a.clone());
                async move {
                    let h = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    g.lock().expect("lock").push(Received {
                        event: h("x-touchpoint-event"),
                        delivery: h("x-touchpoint-delivery"),
                        signature: h("x-touchpoint-signature"),
                        body,
                    });
                    let mut a = a.lock().expect("lock");
                    let code = if a.len() > 1 { a.remove(0) } else { a[0] };
                    AxumStatus::from_u16(code).expect("status")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, got, answers }
    }

    fn answer(&self, code: u16) {
        *self.answers.lock().expect("lock") = vec![code];
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits until `n` requests of `event` arrived (at most `secs` seconds).
    async fn wait_for(&self, event: &str, n: usize, secs: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let of: Vec<Received> = self
                .got()
                .into_iter()
                .filter(|r| r.event == event)
                .collect();
            if of.len() >= n || tokio::time::Instant::now() > deadline {
                return of;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a signature the way the README tells receivers to: HMAC-SHA256 of "<t>.<body>".
fn signed_by(secret: &str, r: &Received) -> bool {
    let Some((t, v1)) = r
        .signature
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{}", r.body).as_bytes());
    let Ok(sent) = hex::decode(v1) else {
        return false;
    };
    let fresh = t
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    fresh && mac.verify_slice(&sent).is_ok()
}

fn body(r: &Received) -> Value {
    serde_json::from_str(&r.body).expect("a JSON body")
}

async fn made(app: &TestApp, token: &str, method: Method, path: &str, b: Value) -> Value {
    let (s, v) = rest(app, Some(token), method.clone(), path, Some(b)).await;
    assert!(s.is_success(), "{method} {path}: {s} {v}");
    v
}

#[tokio::test]
async fn signed_events_reach_a_receiver_and_a_failed_delivery_is_retried() {
    let app = spawn_app_with(|a| a.webhook_retry_base_ms = 300).await;
    let c = setup(&app).await;
    let receiver = Receiver::start(&[500, 200]).await;
    let hooks = "/projects/ours/webhooks";
    let input =
        json!({ "url": receiver.url, "events": ["feedback.created", "retro.action_item.changed"] });

    // Loopback is refused until an admin allows private addresses.
    let (s, v) = rest(
        &app,
        Some(&c.admin),
        Method::POST,
        hooks,
        Some(input.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "url");
    let allow = json!({ "allow_private": true });
    let (s, _) = rest(
        &app,
        Some(&c.member),
        Method::PUT,
        "/settings/webhooks",
        Some(allow.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only admins change the setting");
    made(&app, &c.admin, Method::PUT, "/settings/webhooks", allow).await;

    // Only the project's leads (and workspace leads, admins) manage its webhooks.
    for (token, expected) in [
        (&c.member, StatusCode::FORBIDDEN),
        (&c.viewer, StatusCode::FORBIDDEN),
        (&c.outsider, StatusCode::NOT_FOUND),
    ] {
        let (s, _) = rest(&app, Some(token), Method::POST, hooks, Some(input.clone())).await;
        assert_eq!(s, expected);
        let (s, _) = rest(&app, Some(token), Method::GET, hooks, None).await;
        assert_eq!(s, expected);
    }
    let (s, v) = rest(
        &app,
        Some(&c.admin),
        Method::POST,
        hooks,
        Some(json!({ "url": receiver.url, "events": [] })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "events");

    let created = made(&app, &c.admin, Method::POST, hooks, input).await;
    let secret = created["secret"]
        .as_str()
        .expect("the secret, once")
        .to_string();
    let id = created["id"].as_str().expect("id").to_string();
    let (_, listed) = rest(&app, Some(&c.admin), Method::GET, hooks, None).await;
    assert!(
        !listed.to_string().contains(&secret),
        "the list never shows the secret"
    );

    // New feedback: the receiver fails the first attempt and takes the second.
    made(
        &app,
        &c.member,
        Method::POST,
        "/projects/ours/feedback",
        json!({ "body": "Useful", "channel": "team", "given_on": "2026-01-09", "author_name": "Pat", "rating": 4 }),
    )
    .await;
    let got = receiver.wait_for("feedback.created", 2, 10).await;
    assert_eq!(got.len(), 2, "a retry after the 500: {got:?}");
    assert!(got.iter().all(|r| signed_by(&secret, r)), "{got:?}");
    assert!(!signed_by("another secret entirely", &got[0]));
    assert_eq!(got[0].body, got[1].body, "the same body on every attempt");
    assert_eq!(got[0].delivery, got[1].delivery);
    let event = body(&got[0]);
    assert_eq!(event["type"], "feedback.created");
    assert!(event["id"].as_str().is_some_and(|i| i.starts_with("evt_")));
    assert_eq!(event["project"]["key"], "ours");
    assert_eq!(event["data"]["body"], "Useful");
    assert_eq!(event["data"]["rating"], 4);
    assert_eq!(event["data"]["channel"], "team");

    // The delivery log says so.
    let deliveries = format!("{hooks}/{id}/deliveries");
    let mut log = Value::Null;
    for _ in 0..40 {
        log = rest(&app, Some(&c.admin), Method::GET, &deliveries, None)
            .await
            .1;
        if log["items"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = &log["items"][0];
    assert_eq!(d["status"], "delivered", "{log}");
    assert_eq!(d["attempts"], 2);
    assert_eq!(d["last_status"], 200);
    assert_eq!(d["event"], "feedback.created");

    // An event the webhook does not want is not sent; one it wants is.
    made(
        &app,
        &c.member,
        Method::POST,
        "/projects/ours/sprints",
        json!({}),
    )
    .await;
    made(
        &app,
        &c.member,
        Method::PUT,
        "/projects/ours/sprints/1/retro",
        json!({ "held_on": "2026-01-12" }),
    )
    .await;
    let action = made(
        &app,
        &c.member,
        Method::POST,
        "/projects/ours/sprints/1/retro/action-items",
        json!({ "text": "Book the room" }),
    )
    .await;
    let got = receiver.wait_for("retro.action_item.changed", 1, 5).await;
    assert_eq!(got.len(), 1);
    let event = body(&got[0]);
    assert_eq!(event["data"]["change"], "created");
    assert_eq!(event["data"]["text"], "Book the room");
    assert_eq!(event["data"]["action_item_id"], action["id"]);
    assert!(signed_by(&secret, &got[0]));

    // The test button sends a ping, whatever the events.
    let (s, v) = rest(
        &app,
        Some(&c.admin),
        Method::POST,
        &format!("{hooks}/{id}/test"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let got = receiver.wait_for("ping", 1, 5).await;
    assert_eq!(got.len(), 1);
    assert_eq!(body(&got[0])["id"], v["event_id"]);
    assert!(
        receiver
            .got()
            .iter()
            .all(|r| r.event != "sprint.review_held")
    );
}

#[tokio::test]
async fn slack_and_teams_webhooks_get_their_documented_shapes_through_the_same_machinery() {
    let app = spawn_app_with(|a| a.webhook_retry_base_ms = 300).await;
    let c = setup(&app).await;
    made(
        &app,
        &c.admin,
        Method::PUT,
        "/settings/webhooks",
        json!({ "allow_private": true }),
    )
    .await;
    let hooks = "/projects/ours/webhooks";
    // Slack's receiver fails once: the retry goes through the same log.
    let slack = Receiver::start(&[500, 200]).await;
    let teams = Receiver::start(&[200]).await;
    let (s, v) = rest(
        &app,
        Some(&c.admin),
        Method::POST,
        hooks,
        Some(json!({ "url": slack.url, "events": ["feedback.created"], "format": "discord" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let slack_hook = made(
        &app,
        &c.admin,
        Method::POST,
        hooks,
        json!({ "url": slack.url, "events": ["feedback.created"], "format": "slack" }),
    )
    .await;
    assert_eq!(slack_hook["format"], "slack");
    let slack_secret = slack_hook["secret"].as_str().expect("secret").to_string();
    let teams_hook = made(
        &app,
        &c.admin,
        Method::POST,
        hooks,
        json!({ "url": teams.url, "events": ["feedback.created"], "format": "teams" }),
    )
    .await;
    assert_eq!(teams_hook["format"], "teams");

    made(
        &app,
        &c.member,
        Method::POST,
        "/projects/ours/feedback",
        json!({ "body": "Export is <slow>", "channel": "team", "given_on": "2026-01-09", "author_name": "Pat", "rating": 2 }),
    )
    .await;

    // Slack: an incoming-webhook message, `text` plus a mrkdwn section (escaped), signed.
    let got = slack.wait_for("feedback.created", 2, 10).await;
    assert_eq!(got.len(), 2, "a retry after the 500: {got:?}");
    assert_eq!(got[0].body, got[1].body);
    assert!(signed_by(&slack_secret, &got[1]));
    let msg = body(&got[1]);
    let text = msg["text"].as_str().expect("text");
    assert!(text.starts_with("New feedback in "), "{text}");
    assert!(text.contains("Export is &lt;slow&gt;"), "{text}");
    assert_eq!(msg["blocks"][0]["type"], "section");
    assert_eq!(msg["blocks"][0]["text"]["type"], "mrkdwn");
    assert!(
        msg.get("type").is_none() && msg.get("data").is_none(),
        "{msg}"
    );

    // Teams: one Adaptive Card in a message.
    let got = teams.wait_for("feedback.created", 1, 10).await;
    assert_eq!(got.len(), 1);
    let msg = body(&got[0]);
    assert_eq!(msg["type"], "message");
    let attachment = &msg["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(attachment["content"]["body"][0]["type"], "TextBlock");
    assert!(
        attachment["content"]["body"][1]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Export is <slow>")),
        "{msg}"
    );

    // The format can be changed back to the signed JSON; the list shows it.
    let id = slack_hook["id"].as_str().expect("id");
    let updated = made(
        &app,
        &c.admin,
        Method::PUT,
        &format!("{hooks}/{id}"),
        json!({ "url": slack.url, "events": ["feedback.created"], "format": "json" }),
    )
    .await;
    assert_eq!(updated["format"], "json");
    // Without a format the webhook keeps its own.
    let teams_id = teams_hook["id"].as_str().expect("id");
    let kept = made(
        &app,
        &c.admin,
        Method::PUT,
        &format!("{hooks}/{teams_id}"),
        json!({ "url": teams.url, "events": ["feedback.created"] }),
    )
    .await;
    assert_eq!(kept["format"], "teams");
}

#[tokio::test]
async fn a_change_of_signals_is_sent_once() {
    let app = spawn_app_with(|a| a.webhook_retry_base_ms = 300).await;
    let c = setup(&app).await;
    let receiver = Receiver::start(&[204]).await;
    made(
        &app,
        &c.admin,
        Method::PUT,
        "/settings/webhooks",
        json!({ "allow_private": true }),
    )
    .await;
    made(
        &app,
        &c.admin,
        Method::POST,
        "/projects/ours/webhooks",
        json!({ "url": receiver.url, "events": ["signal.changed"], "secret": "a secret of sixteen+" }),
    )
    .await;
    // A write that changes nothing the event compares sends nothing.
    made(
        &app,
        &c.admin,
        Method::PATCH,
        "/projects/ours",
        json!({ "name": "Ours renamed" }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(receiver.got().is_empty(), "{:?}", receiver.got());
    // Framing the problem turns M5 (beyond ML) green.
    made(
        &app,
        &c.admin,
        Method::PATCH,
        "/projects/ours",
        json!({ "ml_needed": "yes", "baseline_considered": "A rules-based checklist" }),
    )
    .await;
    let got = receiver.wait_for("signal.changed", 1, 5).await;
    assert_eq!(got.len(), 1, "{:?}", receiver.got());
    assert!(signed_by("a secret of sixteen+", &got[0]));
    let event = body(&got[0]);
    assert!(
        event["data"]["changed"]
            .as_array()
            .expect("changed")
            .iter()
            .any(|c| c == "m5_beyond_ml"),
        "{event}"
    );
    assert_ne!(
        event["data"]["before"]["m5_beyond_ml"],
        event["data"]["after"]["m5_beyond_ml"]
    );
    assert_eq!(event["data"]["after"]["m5_beyond_ml"], "green");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.wait_for("signal.changed", 2, 0).await.len(),
        1,
        "sent once"
    );
}

// ---- a delivery that survives a restart ----------------------------------------------------

/// The real binary, as its own process.
pub struct Server {
    pub child: tokio::process::Child,
    pub base: String,
    log: std::path::PathBuf,
}

impl Server {
    pub async fn start(db: &str, log: std::path::PathBuf) -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let out = std::fs::File::create(&log).expect("log");
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .arg("serve")
            .env("TOUCHPOINT_DB", db)
            .env("TOUCHPOINT_ADDR", format!("127.0.0.1:{port}"))
            .env("TOUCHPOINT_WEBHOOK_RETRY_BASE_MS", "500")
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .expect("the server starts");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, base, log }
    }

    fn setup_token(&self) -> String {
        let log = std::fs::read_to_string(&self.log).expect("log");
        log.split("one-time setup token: ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("a setup token in the log")
            .to_string()
    }

    /// Sets up the first admin and returns an API token of theirs.
    pub async fn admin_token(&self) -> String {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let token = self.setup_token();
        let res = client
            .post(format!("{}/api/fn/auth/setup", self.base))
            .header("accept", "application/json")
            .form(&[
                ("token", token.as_str()),
                ("email", "admin@example.org"),
                ("name", "Admin"),
                ("password", "admin password 123"),
                ("confirm", "admin password 123"),
            ])
            .send()
            .await
            .expect("setup");
        assert!(res.status().is_success(), "{}", res.status());
        let v: Value = client
            .post(format!("{}/api/v1/tokens", self.base))
            .json(&json!({ "name": "a test" }))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    pub async fn api(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}/api/v1{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "touchpoint-webhook-restart-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("surrealkv://{}", dir.join("db").display());
    let receiver = Receiver::start(&[503]).await;

    let mut first = Server::start(&db, dir.join("first.log")).await;
    let api = first.admin_token().await;
    let (s, v) = first
        .api(
            &api,
            Method::PUT,
            "/settings/webhooks",
            Some(json!({ "allow_private": true })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = first
        .api(
            &api,
            Method::POST,
            "/projects",
            Some(json!({ "key": "ours", "name": "Ours", "started_on": "2026-01-05" })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, hook) = first
        .api(
            &api,
            Method::POST,
            "/projects/ours/webhooks",
            Some(json!({ "url": receiver.url, "events": ["feedback.created"] })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hook}");
    let (id, secret) = (
        hook["id"].as_str().expect("id").to_string(),
        hook["secret"].as_str().expect("secret").to_string(),
    );
    let (s, v) = first
        .api(&api, Method::POST, "/projects/ours/feedback", Some(json!({ "body": "Before the restart", "channel": "team", "author_name": "Pat", "given_on": "2026-01-09" })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // The receiver is down (503); once the failed attempt is recorded, the server dies.
    let deliveries = format!("/projects/ours/webhooks/{id}/deliveries");
    let mut recorded = false;
    for _ in 0..100 {
        let (_, log) = first.api(&api, Method::GET, &deliveries, None).await;
        if log["items"][0]["attempts"] == 1 && log["items"][0]["status"] == "pending" {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(recorded, "the first attempt was not recorded");
    first.child.kill().await.expect("kill");
    let before = receiver.got();
    assert!(!before.is_empty());

    // Back up, with the receiver well again: the same delivery arrives.
    receiver.answer(200);
    let second = Server::start(&db, dir.join("second.log")).await;
    let got = receiver
        .wait_for("feedback.created", before.len() + 1, 15)
        .await;
    assert!(
        got.len() > before.len(),
        "nothing arrived after the restart"
    );
    let last = got.last().expect("a delivery");
    assert_eq!(last.body, before[0].body, "the same event");
    assert_eq!(last.delivery, before[0].delivery);
    assert!(signed_by(&secret, last));
    assert_eq!(body(last)["data"]["body"], "Before the restart");
    let mut delivered = false;
    for _ in 0..100 {
        let (_, log) = second.api(&api, Method::GET, &deliveries, None).await;
        if log["items"][0]["status"] == "delivered" {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered, "the log does not show the delivery");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- one parser, one decision ----------------------------------------------------------------

/// Every way we know to spell a loopback receiver, against a name table in which the
/// attacker's names resolve to loopback (and, as a name server that answers differently for
/// two spellings of one name would, the raw spellings to a public address). Each spelling is
/// either refused when saved or refused before any connection: the receiver hears nothing.
/// With private addresses allowed, the same table reaches it, so the refusals are the guard's.
#[tokio::test]
async fn no_spelling_of_a_webhook_address_reaches_loopback() {
    use server::webhooks::resolver::Lookup;
    use std::collections::HashMap;
    use std::net::IpAddr;

    let receiver = Receiver::start(&[204]).await;
    let port = receiver
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .expect("port")
        .to_string();
    let public: IpAddr = "93.184.216.34".parse().expect("ip");
    let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
    let mut table: HashMap<String, Vec<IpAddr>> = HashMap::new();
    for name in ["localhost", "evil.test", "xn--bcher-kva.test"] {
        table.insert(name.into(), vec![loopback]);
    }
    table.insert("rebind.test".into(), vec![public, loopback]);
    table.insert(
        "v6.test".into(),
        vec!["::ffff:127.0.0.1".parse().expect("ip")],
    );
    for raw in [
        "127.0.0.%31",
        "local%68ost",
        "evil%2etest",
        "bücher.test",
        "127.0.0.1\\.evil.test",
        "evil.test\\",
    ] {
        table.insert(raw.into(), vec![public]);
    }
    let app = spawn_app_with(|a| {
        a.webhook_retry_base_ms = 300;
        a.webhook_lookup = Lookup::Table(std::sync::Arc::new(table));
    })
    .await;
    let c = setup(&app).await;
    let hooks = "/projects/ours/webhooks";
    let spellings = [
        // percent-encoding in the host
        format!("http://127.0.0.%31:{port}/hook"),
        format!("http://local%68ost:{port}/hook"),
        format!("http://evil%2Etest:{port}/hook"),
        // Unicode (called as its IDNA form), full-width digits
        format!("http://bücher.test:{port}/hook"),
        format!("http://１２７．０．０．１:{port}/hook"),
        // backslashes
        format!("http://127.0.0.1\\.evil.test:{port}/hook"),
        format!("http://evil.test\\@93.184.216.34:{port}/hook"),
        // user information
        format!("http://user@evil.test:{port}/hook"),
        format!("http://93.184.216.34:{port}@127.0.0.1:{port}/hook"),
        // a trailing dot, upper case
        format!("http://evil.test.:{port}/hook"),
        format!("http://EVIL.TEST:{port}/hook"),
        format!("http://LocalHost:{port}/hook"),
        format!("http://localhost.:{port}/hook"),
        // names that resolve to loopback, or to a public and a private address
        format!("http://evil.test:{port}/hook"),
        format!("http://rebind.test:{port}/hook"),
        format!("http://v6.test:{port}/hook"),
        // every IPv4 literal form the client accepts
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f000001:{port}/hook"),
        format!("http://017700000001:{port}/hook"),
        format!("http://0177.0.0.1:{port}/hook"),
        format!("http://0x7f.0.0.1:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://127.0.1:{port}/hook"),
        format!("http://0:{port}/hook"),
        format!("http://0.0.0.0:{port}/hook"),
        // IPv6 forms
        format!("http://[::1]:{port}/hook"),
        format!("http://[0:0:0:0:0:0:0:1]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://[::ffff:7f00:1]:{port}/hook"),
        format!("http://[::127.0.0.1]:{port}/hook"),
        format!("http://[64:ff9b::7f00:1]:{port}/hook"),
        format!("http://[2002:7f00:1::1]:{port}/hook"),
    ];
    let mut refused_on_save = 0;
    let mut refused_on_delivery = Vec::new();
    for url in &spellings {
        let (s, v) = rest(
            &app,
            Some(&c.admin),
            Method::POST,
            hooks,
            Some(json!({ "url": url, "events": ["feedback.created"] })),
        )
        .await;
        if s == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(v["error"]["field"], "url", "{url}: {v}");
            refused_on_save += 1;
            continue;
        }
        assert_eq!(s, StatusCode::CREATED, "{url}: {v}");
        let id = v["id"].as_str().expect("id").to_string();
        let (s, _) = rest(
            &app,
            Some(&c.admin),
            Method::POST,
            &format!("{hooks}/{id}/test"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::ACCEPTED);
        let deliveries = format!("{hooks}/{id}/deliveries");
        let mut last = Value::Null;
        for _ in 0..200 {
            last = rest(&app, Some(&c.admin), Method::GET, &deliveries, None)
                .await
                .1["items"][0]
                .clone();
            if last["attempts"] != 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(last["status"], "failed", "{url}: {last}");
        assert!(
            last["last_error"]
                .as_str()
                .is_some_and(|e| e.starts_with("Refused")),
            "{url}: {last}"
        );
        refused_on_delivery.push(url.clone());
        let (s, _) = rest(
            &app,
            Some(&c.admin),
            Method::DELETE,
            &format!("{hooks}/{id}"),
            None,
        )
        .await;
        assert!(s.is_success());
    }
    assert!(
        receiver.got().is_empty(),
        "reached loopback: {:?}",
        receiver.got()
    );
    assert_eq!(refused_on_save + refused_on_delivery.len(), spellings.len());
    // Names are refused where they resolve, not by their spelling alone.
    for name in [
        "evil.test",
        "EVIL.TEST",
        "bücher.test",
        "rebind.test",
        "v6.test",
    ] {
        assert!(
            refused_on_delivery.iter().any(|u| u.contains(name)),
            "{name} should be saved and refused at delivery: {refused_on_delivery:?}"
        );
    }

    // With private addresses allowed, the same names reach the receiver.
    made(
        &app,
        &c.admin,
        Method::PUT,
        "/settings/webhooks",
        json!({ "allow_private": true }),
    )
    .await;
    let hook = made(
        &app,
        &c.admin,
        Method::POST,
        hooks,
        json!({ "url": format!("http://evil.test:{port}/hook"), "events": ["feedback.created"] }),
    )
    .await;
    let id = hook["id"].as_str().expect("id");
    made(
        &app,
        &c.admin,
        Method::POST,
        &format!("{hooks}/{id}/test"),
        json!({}),
    )
    .await;
    assert_eq!(receiver.wait_for("ping", 1, 10).await.len(), 1);
}
