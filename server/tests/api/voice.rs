//! Interviews with their calendar feed, invite links and stakeholder feedback: expiry,
//! revocation, scope of a token, rate limits and triage permissions.

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, new_client, spawn_app, spawn_app_with};
use crate::projects::{create_project, user_with_role};

/// Creates a sprint through the sprints API and returns its number.
async fn sprint(
    app: &TestApp,
    client: &Client,
    key: &str,
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    goal: &str,
) -> u64 {
    let res = app
        .call(
            client,
            "sprints/create",
            &[
                ("key", key),
                ("goal", goal),
                ("start_on", &start.to_string()),
                ("end_on", &end.to_string()),
            ],
        )
        .await;
    assert!(res.status().is_success(), "create sprint: {}", res.status());
    let v: Value = res.json().await.expect("json");
    v["sprint"]["number"].as_u64().expect("number")
}

/// Adds a stakeholder to the directory (as an admin) and returns their id.
async fn stakeholder(app: &TestApp, admin: &Client, name: &str, function: &str) -> String {
    let res = app
        .call(
            admin,
            "stakeholders/create",
            &[("name", name), ("function", function)],
        )
        .await;
    assert!(
        res.status().is_success(),
        "create stakeholder: {}",
        res.status()
    );
    res.json::<String>().await.expect("id")
}

/// Makes an invite link and returns its token.
async fn invite(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> String {
    let res = app.call(client, "feedback/invites/create", form).await;
    assert!(res.status().is_success(), "create invite: {}", res.status());
    let v: Value = res.json().await.expect("json");
    let url = v["url"].as_str().expect("url");
    let token = url.rsplit("/f/").next().expect("token").to_string();
    assert_eq!(token.len(), 43, "a 256-bit token");
    token
}

/// Calls a public link function (`/f/api/…`) with an optional client address.
async fn public(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
    ip: Option<&str>,
) -> reqwest::Response {
    let mut req = client
        .post(app.url(&format!("/f/api/{endpoint}")))
        .header("accept", "application/json")
        .form(form);
    if let Some(ip) = ip {
        req = req.header("x-forwarded-for", ip);
    }
    req.send().await.expect("request")
}

async fn open(app: &TestApp, client: &Client, token: &str) -> (StatusCode, Value) {
    let res = public(app, client, "open", &[("token", token)], None).await;
    let status = res.status();
    (status, res.json().await.expect("json"))
}

async fn send(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> StatusCode {
    public(app, client, "submit", form, None).await.status()
}

async fn inbox(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> Vec<Value> {
    let res = app.call(client, "feedback/inbox", form).await;
    let status = res.status();
    let v: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "inbox: {v}");
    v["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn invite_links_expire_and_can_be_revoked() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;

    // Validation.
    let res = app
        .call(
            &admin,
            "feedback/invites/create",
            &[("key", "alpha"), ("expires_in_days", "31")],
        )
        .await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["field"], "expires_in_days");

    let token = invite(&app, &admin, &[("key", "alpha")]).await;
    // Only the hash is stored, and the default lifetime is 14 days.
    let mut res = app
        .db
        .query("SELECT VALUE token_hash FROM invite")
        .await
        .expect("query");
    let hashes: Vec<String> = res.take(0).expect("hashes");
    assert_eq!(hashes, vec![app::auth::service::hash_token(&token)]);
    assert_ne!(hashes[0], token, "the token itself is not stored");
    let mut res = app
        .db
        .query("SELECT VALUE expires_at FROM invite")
        .await
        .expect("query");
    let expires: Vec<chrono::DateTime<Utc>> = res.take(0).expect("expiry");
    let hours = (expires[0] - Utc::now()).num_hours();
    assert!(
        (14 * 24 - 1..=14 * 24).contains(&hours),
        "about 14 days: {hours} hours"
    );

    let anonymous = new_client();
    let (status, page) = open(&app, &anonymous, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["Open"]["project_name"], "alpha");
    assert_eq!(
        send(
            &app,
            &anonymous,
            &[("token", &token), ("rating", "4"), ("body", "Useful list")]
        )
        .await,
        StatusCode::OK
    );
    let items = inbox(&app, &admin, &[("key", "alpha")]).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["channel"], "link");
    assert_eq!(items[0]["via_invite"], true);

    // The page itself: public, never cached, no Referer.
    let res = anonymous
        .get(app.url(&format!("/f/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");

    // Expired: the form is gone (410) and submissions are refused.
    app.db
        .query("UPDATE invite SET expires_at = time::now() - 1m")
        .await
        .expect("expire")
        .check()
        .expect("expire ok");
    let (status, page) = open(&app, &anonymous, &token).await;
    assert_eq!(
        (status, page),
        (StatusCode::OK, Value::String("Expired".into()))
    );
    let res = public(
        &app,
        &anonymous,
        "submit",
        &[("token", &token), ("body", "late")],
        None,
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = anonymous
        .get(app.url(&format!("/f/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res.text().await.expect("html").contains("expired"));

    // Revoked: same, for a link that has not expired.
    let token2 = invite(&app, &admin, &[("key", "alpha"), ("expires_in_days", "30")]).await;
    let res = app
        .call(&admin, "feedback/invites/list", &[("key", "alpha")])
        .await;
    let list: Value = res.json().await.expect("json");
    let active: Vec<&Value> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["state"] == "active")
        .collect();
    assert_eq!(active.len(), 1);
    let id = active[0]["id"].as_str().expect("id").to_string();
    let res = app
        .call(
            &admin,
            "feedback/invites/revoke",
            &[("key", "alpha"), ("id", &id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, page) = open(&app, &anonymous, &token2).await;
    assert_eq!(page, Value::String("Revoked".into()));
    let res = public(
        &app,
        &anonymous,
        "submit",
        &[("token", &token2), ("body", "x")],
        None,
    )
    .await;
    assert_eq!(error_code(res).await.1, "not_found");
    let res = anonymous
        .get(app.url(&format!("/f/{token2}")))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::GONE);

    // Unknown and malformed tokens are not found, not errors.
    let unknown = app::auth::service::new_token();
    let res = public(&app, &anonymous, "open", &[("token", &unknown)], None).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = anonymous
        .get(app.url("/f/not-a-token"))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["invite.create", "invite.revoke", "feedback.submit"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_token_reaches_only_its_project_and_sprint() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    create_project(&app, &admin, "beta").await;
    let today = Utc::now().date_naive();
    let s1 = sprint(
        &app,
        &admin,
        "alpha",
        today - Duration::days(20),
        today - Duration::days(7),
        "Ship the list",
    )
    .await;
    let s2 = sprint(
        &app,
        &admin,
        "alpha",
        today - Duration::days(6),
        today + Duration::days(7),
        "Scores people trust",
    )
    .await;
    sprint(
        &app,
        &admin,
        "beta",
        today - Duration::days(6),
        today + Duration::days(7),
        "Beta goal",
    )
    .await;
    let ana = stakeholder(&app, &admin, "Ana Lima", "end_user").await;
    // Ana also said something about beta.
    let res = app
        .call(
            &admin,
            "feedback/create",
            &[
                ("key", "beta"),
                ("channel", "review"),
                ("stakeholder", &ana),
                ("body", "Beta secret remark"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let s1s = s1.to_string();
    let s2s = s2.to_string();
    let named = invite(
        &app,
        &admin,
        &[("key", "alpha"), ("sprint", &s1s), ("stakeholder", &ana)],
    )
    .await;
    let browser = new_client();
    let (_, page) = open(&app, &browser, &named).await;
    assert_eq!(page["Open"]["project_name"], "alpha");
    assert_eq!(page["Open"]["sprint"]["goal"], "Ship the list");
    assert_eq!(page["Open"]["names_stakeholder"], true);
    assert_eq!(
        page["Open"]["earlier"].as_array().expect("earlier").len(),
        0,
        "nothing from beta"
    );

    // Refused: another project, a sprint the link does not name.
    let res = public(
        &app,
        &browser,
        "open",
        &[("token", &named), ("project", "beta")],
        None,
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = public(
        &app,
        &browser,
        "submit",
        &[("token", &named), ("project", "beta"), ("body", "x")],
        None,
    )
    .await;
    assert_eq!(error_code(res).await.1, "forbidden");
    let res = public(
        &app,
        &browser,
        "submit",
        &[
            ("token", &named),
            ("project", "alpha"),
            ("sprint", &s2s),
            ("body", "x"),
        ],
        None,
    )
    .await;
    assert_eq!(error_code(res).await.1, "forbidden");
    assert!(
        inbox(&app, &admin, &[("key", "alpha")]).await.is_empty(),
        "nothing was stored"
    );

    // Accepted: filed under alpha, sprint 1, from Ana, whatever the author fields say.
    let status = send(
        &app,
        &browser,
        &[
            ("token", &named),
            ("project", "alpha"),
            ("sprint", &s1s),
            ("rating", "5"),
            ("body", "Great"),
            ("author_name", "Someone else"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let items = inbox(&app, &admin, &[("key", "alpha"), ("sprint", &s1s)]).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["stakeholder"][0], ana.as_str());
    assert_eq!(items[0]["author_name"], Value::Null);
    assert_eq!(
        inbox(&app, &admin, &[("key", "beta")]).await.len(),
        1,
        "beta unchanged"
    );
    let (_, page) = open(&app, &new_client(), &named).await;
    let earlier = page["Open"]["earlier"].as_array().expect("earlier").clone();
    assert_eq!(
        earlier.len(),
        1,
        "the named stakeholder sees their alpha feedback only"
    );
    assert_eq!(earlier[0]["body"], "Great");

    // A link naming no sprint attaches to the running one and refuses sprint hints.
    let open_link = invite(&app, &admin, &[("key", "alpha")]).await;
    let (_, page) = open(&app, &browser, &open_link).await;
    assert_eq!(page["Open"]["sprint"]["number"], s2);
    assert_eq!(page["Open"]["names_sprint"], false);
    let res = public(
        &app,
        &browser,
        "submit",
        &[("token", &open_link), ("sprint", &s1s), ("body", "x")],
        None,
    )
    .await;
    assert_eq!(error_code(res).await.1, "forbidden");
    let status = send(
        &app,
        &browser,
        &[
            ("token", &open_link),
            ("body", "From my browser"),
            ("author_name", "Kim"),
            ("author_function", "data_owner"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let items = inbox(&app, &admin, &[("key", "alpha"), ("sprint", &s2s)]).await;
    assert_eq!(items.len(), 1, "attached to the running sprint");
    assert_eq!(items[0]["author_name"], "Kim");
    assert_eq!(items[0]["function"], "data_owner");

    // On a link naming nobody, only this browser's own feedback comes back.
    let (_, page) = open(&app, &browser, &open_link).await;
    let earlier = page["Open"]["earlier"].as_array().expect("earlier").clone();
    assert_eq!(
        earlier
            .iter()
            .map(|e| e["body"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        vec!["From my browser"]
    );
    let (_, page) = open(&app, &new_client(), &open_link).await;
    assert!(
        page["Open"]["earlier"]
            .as_array()
            .expect("earlier")
            .is_empty(),
        "another browser sees nothing"
    );
    // The browser id is stored only as a hash.
    let mut res = app
        .db
        .query("SELECT VALUE browser_key FROM feedback WHERE browser_key != NONE")
        .await
        .expect("q");
    let keys: Vec<String> = res.take(0).expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].len(), 64);
}

#[tokio::test]
async fn link_submissions_are_rate_limited_and_bodies_kept_as_typed() {
    let app = spawn_app_with(|a| a.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")]).await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    let token = invite(&app, &admin, &[("key", "alpha")]).await;
    let client = new_client();

    // Body: at most 5,000 characters, stored exactly as typed.
    let res = public(
        &app,
        &client,
        "submit",
        &[("token", &token), ("body", &"x".repeat(5_001))],
        Some("198.51.100.9"),
    )
    .await;
    let (status, body): (StatusCode, Value) = (res.status(), res.json().await.expect("json"));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "body");
    let typed = "  <img src=x onerror=\"window.__xss=1\">\n  trailing  ";
    let res = public(
        &app,
        &client,
        "submit",
        &[("token", &token), ("body", typed)],
        Some("198.51.100.9"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let items = inbox(&app, &admin, &[("key", "alpha")]).await;
    assert_eq!(items[0]["body"], typed);

    // Per client address: 20 an hour (the accepted one above counts; refused input does not).
    for n in 0..19 {
        let res = public(
            &app,
            &client,
            "submit",
            &[("token", &token), ("rating", "3")],
            Some("198.51.100.9"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "submission {n}");
    }
    let res = public(
        &app,
        &client,
        "submit",
        &[("token", &token), ("rating", "3")],
        Some("198.51.100.9"),
    )
    .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );

    // Per link: 60 an hour whatever the address (20 accepted so far from the first address).
    for n in 0..40u8 {
        let ip = format!("203.0.113.{}", n + 1);
        let res = public(
            &app,
            &client,
            "submit",
            &[("token", &token), ("rating", "4")],
            Some(&ip),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "from {ip}");
    }
    let res = public(
        &app,
        &client,
        "submit",
        &[("token", &token), ("rating", "4")],
        Some("203.0.113.200"),
    )
    .await;
    assert_eq!(error_code(res).await.1, "rate_limited");
    // Another link still works from a fresh address.
    let other = invite(&app, &admin, &[("key", "alpha")]).await;
    let res = public(
        &app,
        &client,
        "submit",
        &[("token", &other), ("rating", "4")],
        Some("203.0.113.201"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // 61 items: a first page of 50, then the rest after its last item.
    let res = app
        .call(&admin, "feedback/inbox", &[("key", "alpha")])
        .await;
    let page: Value = res.json().await.expect("json");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(50));
    let after = page["next_after"]
        .as_str()
        .expect("a next page")
        .to_string();
    let rest = inbox(&app, &admin, &[("key", "alpha"), ("after", &after)]).await;
    assert_eq!(rest.len(), 11);
    let first_ids: Vec<&Value> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert!(
        rest.iter().all(|i| !first_ids.contains(&&i["id"])),
        "no item twice"
    );
}

#[tokio::test]
async fn triage_needs_write_access_and_the_project_to_be_visible() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    let today = Utc::now().date_naive();
    let s1 = sprint(
        &app,
        &admin,
        "alpha",
        today - Duration::days(3),
        today + Duration::days(10),
        "Goal",
    )
    .await
    .to_string();
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (viewer, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;
    let (outsider, _) = user_with_role(&app, &admin, "outsider@example.org", "member").await;
    for (id, role) in [(&member_id, "member"), (&viewer_id, "viewer")] {
        let res = app
            .call(
                &admin,
                "projects/members/set",
                &[("key", "alpha"), ("user_id", id), ("role", role)],
            )
            .await;
        assert!(res.status().is_success());
    }

    // Members record feedback from a name and function; validation is per field.
    let res = app
        .call(
            &member,
            "feedback/create",
            &[
                ("key", "alpha"),
                ("channel", "link"),
                ("body", "x"),
                ("author_name", "Kim"),
            ],
        )
        .await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["error"]["field"], "channel");
    let res = app
        .call(
            &member,
            "feedback/create",
            &[("key", "alpha"), ("channel", "team"), ("body", "x")],
        )
        .await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(
        v["error"]["field"], "stakeholder",
        "a stakeholder or a name is needed"
    );
    let res = app
        .call(
            &member,
            "feedback/create",
            &[
                ("key", "alpha"),
                ("channel", "interview"),
                ("sprint", &s1),
                ("author_name", "Kim"),
                ("author_function", "end_user"),
                ("rating", "2"),
                ("body", "Hard to read"),
                ("category", "usability"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: String = res.json().await.expect("id");
    let res = app.call(&member, "feedback/count-new", &[]).await;
    assert_eq!(res.json::<u64>().await.expect("count"), 1);
    let res = app.call(&outsider, "feedback/count-new", &[]).await;
    assert_eq!(res.json::<u64>().await.expect("count"), 0);

    // Viewers read but do not triage (403); outsiders do not see the project at all (404).
    assert_eq!(inbox(&app, &viewer, &[("key", "alpha")]).await.len(), 1);
    let triage = [
        ("key", "alpha"),
        ("id", id.as_str()),
        ("status", "acknowledged"),
    ];
    let res = app.call(&viewer, "feedback/triage", &triage).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    for (endpoint, form) in [
        (
            "feedback/create",
            vec![
                ("key", "alpha"),
                ("channel", "team"),
                ("author_name", "X"),
                ("body", "x"),
            ],
        ),
        ("feedback/invites/create", vec![("key", "alpha")]),
        (
            "feedback/add-to-directory",
            vec![("key", "alpha"), ("id", id.as_str())],
        ),
        ("interviews/calendar/rotate", vec![("key", "alpha")]),
    ] {
        let res = app.call(&viewer, endpoint, &form).await;
        assert_eq!(
            error_code(res).await.0,
            StatusCode::FORBIDDEN,
            "viewer {endpoint}"
        );
    }
    for (endpoint, form) in [
        ("feedback/inbox", vec![("key", "alpha")]),
        ("feedback/triage", triage.to_vec()),
        ("feedback/invites/list", vec![("key", "alpha")]),
        ("interviews/list", vec![("key", "alpha")]),
    ] {
        let res = app.call(&outsider, endpoint, &form).await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "outsider {endpoint}"
        );
    }

    // Members triage: a sprint only with planned/addressed, and only one of this project.
    let res = app
        .call(
            &member,
            "feedback/triage",
            &[
                ("key", "alpha"),
                ("id", &id),
                ("status", "addressed"),
                ("addressed_in", "9"),
            ],
        )
        .await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["error"]["field"], "addressed_in");
    let res = app
        .call(
            &member,
            "feedback/triage",
            &[
                ("key", "alpha"),
                ("id", &id),
                ("status", "addressed"),
                ("addressed_in", &s1),
                ("response", "Larger font in sprint 1."),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let items = inbox(&app, &member, &[("key", "alpha"), ("status", "addressed")]).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["response"], "Larger font in sprint 1.");
    assert!(items[0]["responded_at"].is_string());
    assert!(
        inbox(&app, &member, &[("key", "alpha"), ("status", "new")])
            .await
            .is_empty()
    );
    let res = app
        .call(
            &member,
            "feedback/inbox",
            &[("key", "alpha"), ("rating", "9")],
        )
        .await;
    assert_eq!(error_code(res).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // The link author joins the directory with one action.
    let res = app
        .call(
            &member,
            "feedback/add-to-directory",
            &[("key", "alpha"), ("id", &id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let items = inbox(&app, &member, &[("key", "alpha"), ("function", "end_user")]).await;
    assert_eq!(items[0]["stakeholder"][1], "Kim");
    let res = app
        .call(
            &member,
            "feedback/add-to-directory",
            &[("key", "alpha"), ("id", &id)],
        )
        .await;
    assert_eq!(error_code(res).await.1, "conflict");

    // Deleting is for leads.
    let res = app
        .call(&member, "feedback/delete", &[("key", "alpha"), ("id", &id)])
        .await;
    assert_eq!(error_code(res).await.0, StatusCode::FORBIDDEN);
    let res = app
        .call(&admin, "feedback/delete", &[("key", "alpha"), ("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(inbox(&app, &admin, &[("key", "alpha")]).await.is_empty());
}

#[tokio::test]
async fn interviews_are_scheduled_in_their_zone_and_published_in_the_feed() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    let ana = stakeholder(&app, &admin, "Ana Lima", "end_user").await;
    let (outsider, _) = user_with_role(&app, &admin, "outsider@example.org", "member").await;

    let base = [
        ("key", "alpha"),
        ("scheduled_local", "2030-03-10T14:00"),
        ("time_zone", "Europe/Berlin"),
    ];
    let res = app.call(&admin, "interviews/create", &base).await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["error"]["field"], "participants");
    let mut bad_zone = base.to_vec();
    bad_zone[2] = ("time_zone", "Mars/Olympus");
    bad_zone.push(("participants[]", &ana));
    let res = app.call(&admin, "interviews/create", &bad_zone).await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["error"]["field"], "time_zone");

    let mut form = base.to_vec();
    form.push(("participants[]", &ana));
    form.push(("new_participant_name", "Ben Okoro"));
    form.push(("new_participant_function", "product"));
    form.push(("duration_min", "45"));
    form.push(("kind", "usability_test"));
    let res = app.call(&admin, "interviews/create", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: String = res.json().await.expect("id");

    let res = app
        .call(&admin, "interviews/get", &[("key", "alpha"), ("id", &id)])
        .await;
    let i: Value = res.json().await.expect("json");
    assert_eq!(
        i["scheduled_at"], "2030-03-10T13:00:00Z",
        "14:00 in Berlin is 13:00 UTC"
    );
    assert_eq!(i["local_start"], "2030-03-10 14:00");
    assert_eq!(i["participants"].as_array().expect("people").len(), 2);
    let res = app.call(&admin, "interviews/upcoming", &[]).await;
    let up: Value = res.json().await.expect("json");
    assert_eq!(up["items"].as_array().map(Vec::len), Some(1), "{up}");
    assert_eq!(up["next_after"], Value::Null);
    let res = app.call(&outsider, "interviews/upcoming", &[]).await;
    let up: Value = res.json().await.expect("json");
    assert_eq!(up["items"].as_array().map(Vec::len), Some(0), "{up}");
    let res = app
        .call(&admin, "interviews/upcoming", &[("after", "x'; DELETE")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The feed: secret, rotatable, revocable.
    let res = anonymous_get(&app, "/calendar/nothing-here/interviews.ics").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call(&admin, "interviews/calendar/rotate", &[("key", "alpha")])
        .await;
    let url = res.json::<Value>().await.expect("json")["url"]
        .as_str()
        .expect("url")
        .to_string();
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .expect("path");
    assert!(
        path.starts_with("/calendar/") && path.ends_with("/interviews.ics"),
        "{path}"
    );
    let res = anonymous_get(&app, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/calendar")
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let ics = res.text().await.expect("body");
    assert!(
        ics.contains(&format!("UID:interview-{id}@touchpoint")),
        "{ics}"
    );
    assert!(ics.contains("DTSTART:20300310T130000Z"), "{ics}");
    assert!(ics.contains("STATUS:CONFIRMED"), "{ics}");

    let res = app
        .call(
            &admin,
            "interviews/status",
            &[("key", "alpha"), ("id", &id), ("status", "cancelled")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ics = anonymous_get(&app, &path).await.text().await.expect("body");
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");

    let res = app
        .call(&admin, "interviews/calendar/rotate", &[("key", "alpha")])
        .await;
    let url2 = res.json::<Value>().await.expect("json")["url"]
        .as_str()
        .expect("url")
        .to_string();
    assert_ne!(url, url2);
    assert_eq!(
        anonymous_get(&app, &path).await.status(),
        StatusCode::NOT_FOUND,
        "the old address stops working"
    );
    let path2 = url2
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .expect("path");
    assert_eq!(anonymous_get(&app, &path2).await.status(), StatusCode::OK);
    let res = app
        .call(&admin, "interviews/calendar/revoke", &[("key", "alpha")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        anonymous_get(&app, &path2).await.status(),
        StatusCode::NOT_FOUND
    );

    // One interview as a download: signed-in and access-checked.
    let ics_path = format!("/projects/alpha/interviews/{id}/interview.ics");
    let res = admin.get(app.url(&ics_path)).send().await.expect("ics");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("attachment")
    );
    assert!(
        res.text()
            .await
            .expect("body")
            .contains(&format!("UID:interview-{id}@touchpoint"))
    );
    let res = outsider.get(app.url(&ics_path)).send().await.expect("ics");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = anonymous_get(&app, &ics_path).await;
    assert!(
        res.status().is_redirection() || res.status() == StatusCode::UNAUTHORIZED,
        "{}",
        res.status()
    );

    // Insights with tags, filterable across the project.
    let res = app
        .call(
            &admin,
            "interviews/insights/add",
            &[
                ("key", "alpha"),
                ("id", &id),
                ("text", "Prints the list"),
                ("tags", "Workflow, paper"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &admin,
            "interviews/insights",
            &[("key", "alpha"), ("tag", "paper")],
        )
        .await;
    let list: Value = res.json().await.expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert_eq!(
        list["items"][0]["insight"]["tags"],
        serde_json::json!(["workflow", "paper"])
    );
    let res = app
        .call(
            &admin,
            "interviews/insights",
            &[("key", "alpha"), ("tag", "other")],
        )
        .await;
    assert!(
        res.json::<Value>().await.expect("json")["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );

    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for a in [
        "interview.create",
        "interview.status",
        "calendar.rotate",
        "calendar.revoke",
        "interview.insight_add",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

async fn anonymous_get(app: &TestApp, path: &str) -> reqwest::Response {
    new_client().get(app.url(path)).send().await.expect("get")
}

/// Posts `form` to `endpoint` as a browser without JavaScript does, from `page`; returns the
/// redirect's address and the `Set-Cookie` value named `cookie`.
async fn plain_post(
    app: &TestApp,
    client: &Client,
    endpoint: &str,
    page: &str,
    form: &[(&str, &str)],
    cookie: &str,
) -> (String, String) {
    let res = client
        .post(app.url(&format!("/api/fn/{endpoint}")))
        .header("accept", "text/html")
        .header("referer", app.url(page))
        .form(form)
        .send()
        .await
        .expect("request");
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{cookie}=")))
        .unwrap_or_else(|| panic!("no {cookie} cookie"))
        .to_string();
    (location, set)
}

/// The HTML of `path` as `client` sees it.
async fn page_html(app: &TestApp, client: &Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html")
}

/// Without JavaScript, a new invite link and a new calendar address come back to their page
/// once, through a cookie limited to that page: never in the address.
#[tokio::test]
async fn new_links_made_without_javascript_show_once_and_never_travel_in_the_address() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;

    let page = "/projects/alpha/feedback";
    let (location, cookie) = plain_post(
        &app,
        &admin,
        "feedback/invites/create",
        page,
        &[("key", "alpha"), ("expires_in_days", "7")],
        "touchpoint_new_link",
    )
    .await;
    assert_eq!(location, "/projects/alpha/feedback#invites");
    assert!(cookie.contains("Path=/projects/alpha/feedback"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let html = page_html(&app, &admin, page).await;
    assert!(
        html.contains("id=\"new-invite-url\""),
        "the new link is shown"
    );
    let url = html
        .split("value=\"")
        .find(|s| s.contains("/f/"))
        .and_then(|s| s.split('"').next())
        .expect("link in the page");
    let token = url.rsplit('/').next().expect("token");
    let (status, _) = open(&app, &new_client(), token).await;
    assert_eq!(status, StatusCode::OK, "the shown link works");
    let again = page_html(&app, &admin, page).await;
    assert!(!again.contains("id=\"new-invite-url\""));

    let page = "/projects/alpha/interviews";
    let (location, cookie) = plain_post(
        &app,
        &admin,
        "interviews/calendar/rotate",
        page,
        &[("key", "alpha")],
        "touchpoint_new_feed",
    )
    .await;
    assert_eq!(location, "/projects/alpha/interviews#calendar");
    assert!(
        cookie.contains("Path=/projects/alpha/interviews"),
        "{cookie}"
    );
    let html = page_html(&app, &admin, page).await;
    assert!(
        html.contains("id=\"calendar-url\""),
        "the new address is shown"
    );
    let again = page_html(&app, &admin, page).await;
    assert!(!again.contains("id=\"calendar-url\""));
}
