//! Sprints, reviews, retros and action items: validation, access, numbering, votes.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, spawn_app};

use crate::projects::user_with_role as user;

/// An admin and a project `churn` that started on 2026-01-05 with 14-day sprints.
async fn project(app: &TestApp) -> Client {
    let admin = app.setup_admin().await;
    let res = app
        .call(
            &admin,
            "projects/create",
            &[
                ("key", "churn"),
                ("name", "Churn"),
                ("started_on", "2026-01-05"),
                ("target_iteration_days", "14"),
            ],
        )
        .await;
    assert!(
        res.status().is_success(),
        "create project: {}",
        res.status()
    );
    admin
}

async fn ok_json(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn field_error(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    (
        status,
        body["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

async fn start_sprint(app: &TestApp, client: &Client) -> Value {
    ok_json(
        app.call(client, "sprints/create", &[("key", "churn")])
            .await,
    )
    .await
}

fn sprint_form<'a>(number: &'a str, start: &'a str, end: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("key", "churn"),
        ("number", number),
        ("name", "Sprint"),
        ("goal", "A goal"),
        ("start_on", start),
        ("end_on", end),
        ("committed", "5"),
        ("completed", "7"),
        ("notes", ""),
    ]
}

#[tokio::test]
async fn next_sprint_dates_follow_the_previous_sprint_and_numbers_are_never_reused() {
    let app = spawn_app().await;
    let admin = project(&app).await;

    // The list offers the first sprint from the project's start.
    let list = ok_json(app.call(&admin, "sprints/list", &[("key", "churn")]).await).await;
    assert_eq!(list["sprints"].as_array().map(Vec::len), Some(0));
    assert_eq!(list["next"]["number"], 1);
    assert_eq!(list["next"]["start_on"], "2026-01-05");
    assert_eq!(list["next"]["end_on"], "2026-01-18");

    let s1 = start_sprint(&app, &admin).await;
    assert_eq!(s1["sprint"]["number"], 1);
    assert_eq!(s1["sprint"]["name"], "Sprint 1");
    assert_eq!(s1["sprint"]["start_on"], "2026-01-05");
    assert_eq!(s1["sprint"]["end_on"], "2026-01-18");
    assert_eq!(s1["sprint"]["length_days"], 14);

    let s2 = start_sprint(&app, &admin).await;
    assert_eq!(s2["sprint"]["name"], "Sprint 2");
    assert_eq!(s2["sprint"]["start_on"], "2026-01-19");
    assert_eq!(s2["sprint"]["end_on"], "2026-02-01");
    assert_eq!(s2["warnings"].as_array().map(Vec::len), Some(0));

    // Lengthen sprint 2 to 21 days: the next one starts after it.
    let saved = ok_json(
        app.call(
            &admin,
            "sprints/update",
            &sprint_form("2", "2026-01-19", "2026-02-08"),
        )
        .await,
    )
    .await;
    assert_eq!(saved["sprint"]["length_days"], 21);
    assert_eq!(saved["sprint"]["committed"], 5);
    assert_eq!(
        saved["sprint"]["completed"], 7,
        "completed may exceed committed"
    );
    let list = ok_json(app.call(&admin, "sprints/list", &[("key", "churn")]).await).await;
    assert_eq!(list["next"]["start_on"], "2026-02-09");
    assert_eq!(list["next"]["end_on"], "2026-02-22");
    let numbers: Vec<i64> = list["sprints"]
        .as_array()
        .expect("sprints")
        .iter()
        .filter_map(|s| s["sprint"]["number"].as_i64())
        .collect();
    assert_eq!(numbers, vec![2, 1], "newest first");

    // An overlap is allowed but comes back as a warning, in the edit response and on the page.
    let saved = ok_json(
        app.call(
            &admin,
            "sprints/update",
            &sprint_form("2", "2026-01-15", "2026-02-08"),
        )
        .await,
    )
    .await;
    let warnings = saved["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().unwrap_or_default().contains("#1"),
        "{warnings:?}"
    );
    let page = ok_json(
        app.call(&admin, "sprints/get", &[("key", "churn"), ("number", "2")])
            .await,
    )
    .await;
    assert_eq!(page["warnings"], saved["warnings"]);
    assert_eq!(page["previous"], 1);

    // Deleting the last sprint does not free its number.
    ok_json(
        app.call(
            &admin,
            "sprints/delete",
            &[("key", "churn"), ("number", "2")],
        )
        .await,
    )
    .await;
    let res = app
        .call(&admin, "sprints/get", &[("key", "churn"), ("number", "2")])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let s3 = start_sprint(&app, &admin).await;
    assert_eq!(s3["sprint"]["number"], 3);
    assert_eq!(s3["sprint"]["start_on"], "2026-01-19");

    // Each change is audited.
    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in ["sprint.create", "sprint.update", "sprint.delete"] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn sprint_input_is_validated_next_to_the_field() {
    let app = spawn_app().await;
    let admin = project(&app).await;
    start_sprint(&app, &admin).await;
    let cases: [(Vec<(&str, &str)>, &str); 7] = [
        (sprint_form("1", "2026-01-05", "2026-01-04"), "end_on"),
        (sprint_form("1", "2026-01-01", "2026-02-12"), "end_on"),
        (sprint_form("1", "2026-13-01", "2026-01-18"), "start_on"),
        (sprint_form("1", "2026-01-05", "soon"), "end_on"),
        (
            sprint_form("1", "2026-01-05", "2026-01-18")
                .into_iter()
                .map(|(k, v)| if k == "committed" { (k, "-1") } else { (k, v) })
                .collect(),
            "committed",
        ),
        (
            sprint_form("1", "2026-01-05", "2026-01-18")
                .into_iter()
                .map(|(k, v)| if k == "completed" { (k, "2.5") } else { (k, v) })
                .collect(),
            "completed",
        ),
        (
            sprint_form("1", "2026-01-05", "2026-01-18")
                .into_iter()
                .map(|(k, v)| if k == "name" { (k, " ") } else { (k, v) })
                .collect(),
            "name",
        ),
    ];
    for (form, field) in cases {
        let res = app.call(&admin, "sprints/update", &form).await;
        assert_eq!(
            field_error(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, field.to_string()),
            "{form:?}"
        );
    }
    // 42 days is accepted, and zero counts are fine.
    let mut edge = sprint_form("1", "2026-01-01", "2026-02-11");
    edge.retain(|(k, _)| *k != "committed");
    edge.push(("committed", "0"));
    let saved = ok_json(app.call(&admin, "sprints/update", &edge).await).await;
    assert_eq!(saved["sprint"]["length_days"], 42);
    assert_eq!(saved["sprint"]["committed"], 0);
    // Creating with explicit dates is checked the same way.
    let res = app
        .call(
            &admin,
            "sprints/create",
            &[
                ("key", "churn"),
                ("start_on", "2026-03-01"),
                ("end_on", "2026-04-12"),
            ],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "end_on".into())
    );
    // An unknown sprint number is a 404, not a 500.
    for number in ["9", "zero", "-1"] {
        let res = app
            .call(
                &admin,
                "sprints/get",
                &[("key", "churn"), ("number", number)],
            )
            .await;
        assert_eq!(error_code(res).await.0, StatusCode::NOT_FOUND, "{number}");
    }
}

#[tokio::test]
async fn outsiders_get_404_and_viewers_cannot_write() {
    let app = spawn_app().await;
    let admin = project(&app).await;
    start_sprint(&app, &admin).await;
    ok_json(
        app.call(
            &admin,
            "sprints/retro/put",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
    let (outsider, _) = user(&app, &admin, "outsider@example.org", "member").await;
    let (viewer, viewer_id) = user(&app, &admin, "viewer@example.org", "member").await;
    let (member, member_id) = user(&app, &admin, "member@example.org", "member").await;
    for (id, role) in [(&viewer_id, "viewer"), (&member_id, "member")] {
        let res = app
            .call(
                &admin,
                "projects/members/set",
                &[("key", "churn"), ("user_id", id), ("role", role)],
            )
            .await;
        assert!(res.status().is_success());
    }

    // Not a member: the project and its sprints do not exist for them.
    for (endpoint, form) in [
        ("sprints/list", vec![("key", "churn")]),
        ("sprints/get", vec![("key", "churn"), ("number", "1")]),
        (
            "sprints/review/get",
            vec![("key", "churn"), ("number", "1")],
        ),
        ("sprints/retro/get", vec![("key", "churn"), ("number", "1")]),
        ("sprints/create", vec![("key", "churn")]),
    ] {
        let res = app.call(&outsider, endpoint, &form).await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{endpoint}"
        );
    }

    // A viewer reads but cannot write.
    ok_json(
        app.call(&viewer, "sprints/get", &[("key", "churn"), ("number", "1")])
            .await,
    )
    .await;
    for (endpoint, form) in [
        ("sprints/create", vec![("key", "churn")]),
        (
            "sprints/update",
            sprint_form("1", "2026-01-05", "2026-01-18"),
        ),
        (
            "sprints/review/put",
            vec![("key", "churn"), ("number", "1"), ("held_on", "2026-01-18")],
        ),
        (
            "sprints/retro/items/add",
            vec![
                ("key", "churn"),
                ("number", "1"),
                ("column", "start"),
                ("text", "x"),
            ],
        ),
    ] {
        let res = app.call(&viewer, endpoint, &form).await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::FORBIDDEN, "forbidden".into()),
            "{endpoint}"
        );
    }
    let list = ok_json(app.call(&viewer, "sprints/list", &[("key", "churn")]).await).await;
    assert_eq!(
        list["sprints"].as_array().map(Vec::len),
        Some(1),
        "nothing was created"
    );

    // A member writes, but deleting is for project leads.
    ok_json(
        app.call(&member, "sprints/create", &[("key", "churn")])
            .await,
    )
    .await;
    let res = app
        .call(
            &member,
            "sprints/delete",
            &[("key", "churn"), ("number", "2")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .call(&admin, "admin/audit", &[("action", "permission.denied")])
        .await;
    let events: Vec<Value> = res.json().await.expect("json");
    assert!(events.len() >= 5, "denials are audited: {events:?}");
}

#[tokio::test]
async fn each_member_has_three_votes_per_retro() {
    let app = spawn_app().await;
    let admin = project(&app).await;
    start_sprint(&app, &admin).await;
    // Items need a started retro.
    let res = app
        .call(
            &admin,
            "sprints/retro/items/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("column", "start"),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(error_code(res).await.0, StatusCode::NOT_FOUND);
    ok_json(
        app.call(
            &admin,
            "sprints/retro/put",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("format", "start_stop_continue"),
            ],
        )
        .await,
    )
    .await;
    // The column must be one of the format's.
    let res = app
        .call(
            &admin,
            "sprints/retro/items/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("column", "liked"),
                ("text", "x"),
            ],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "column".into())
    );
    let a = ok_json(
        app.call(
            &admin,
            "sprints/retro/items/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("column", "start"),
                ("text", "Pair on reviews"),
            ],
        )
        .await,
    )
    .await;
    let b = ok_json(
        app.call(
            &admin,
            "sprints/retro/items/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("column", "stop"),
                ("text", "Late merges"),
            ],
        )
        .await,
    )
    .await;
    let (a, b) = (
        a.as_str().expect("id").to_string(),
        b.as_str().expect("id").to_string(),
    );
    let vote = |item: String, take_back: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.call(
                &admin,
                "sprints/retro/vote",
                &[
                    ("key", "churn"),
                    ("number", "1"),
                    ("item_id", &item),
                    ("take_back", take_back),
                ],
            )
            .await
        }
    };
    assert_eq!(ok_json(vote(a.clone(), "false").await).await, 2);
    assert_eq!(ok_json(vote(a.clone(), "false").await).await, 1);
    assert_eq!(ok_json(vote(b.clone(), "false").await).await, 0);
    let res = vote(b.clone(), "false").await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("all 3 of your votes"),
        "{body}"
    );
    // Taking one back frees a vote.
    assert_eq!(ok_json(vote(a.clone(), "true").await).await, 1);
    assert_eq!(ok_json(vote(b.clone(), "false").await).await, 0);
    let page = ok_json(
        app.call(
            &admin,
            "sprints/retro/get",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
    let retro = &page["retro"];
    assert_eq!(retro["votes_left"], 0);
    let start = &retro["columns"][0];
    assert_eq!(start["column"], "start");
    assert_eq!(start["items"][0]["votes"], 1);
    assert_eq!(retro["columns"][1]["items"][0]["votes"], 2);
    assert_eq!(retro["columns"][1]["items"][0]["my_votes"], 2);
    // An unknown item is a 404.
    let res = vote("nope".into(), "false").await;
    assert_eq!(error_code(res).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reviews_are_validated_rendered_safely_and_block_deleting_the_sprint() {
    let app = spawn_app().await;
    let admin = project(&app).await;
    start_sprint(&app, &admin).await;
    let me: Value = app
        .call(&admin, "auth/me", &[])
        .await
        .json()
        .await
        .expect("json");
    let my_id = me["id"].as_str().expect("id").to_string();

    let base = |extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(&'static str, String)> = vec![
            ("key", "churn".into()),
            ("number", "1".into()),
            ("held_on", "2026-01-18".into()),
            (
                "summary",
                "**Demo** of the churn score <script>alert(1)</script>".into(),
            ),
            ("decisions", "- ship to pilot".into()),
            ("outcome", "accepted".into()),
        ];
        form.extend(extra);
        form
    };
    let call = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&admin, "sprints/review/put", &pairs).await
        }
    };
    for (extra, field) in [
        (vec![("outcome", "great".to_string())], "outcome"),
        (
            vec![("attendee_users[]", "no-such-user".to_string())],
            "attendee_users",
        ),
        (
            vec![("attendee_stakeholders[]", "nobody".to_string())],
            "attendee_stakeholders",
        ),
    ] {
        let mut form = base(vec![]);
        form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        form.extend(extra);
        assert_eq!(
            field_error(call(form).await).await,
            (StatusCode::UNPROCESSABLE_ENTITY, field.to_string())
        );
    }
    let mut bad_day = base(vec![]);
    bad_day.retain(|(k, _)| *k != "held_on");
    bad_day.push(("held_on", "yesterday".into()));
    assert_eq!(
        field_error(call(bad_day).await).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "held_on".into())
    );

    app.db
        .query("CREATE stakeholder:robin CONTENT { name: 'Robin Example', function: 'end_user', created_at: time::now(), updated_at: time::now() }")
        .await
        .expect("insert stakeholder")
        .check()
        .expect("stakeholder");
    let page = ok_json(
        app.call(
            &admin,
            "sprints/review/get",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
    assert!(page["review"].is_null());
    assert_eq!(page["stakeholders"][0]["id"], "robin");

    let review = ok_json(
        call(base(vec![
            ("attendee_users[]", my_id.clone()),
            ("attendee_stakeholders[]", "robin".into()),
        ]))
        .await,
    )
    .await;
    assert_eq!(review["outcome"], "accepted");
    assert_eq!(review["attendee_users"][0]["id"], my_id.as_str());
    assert_eq!(review["attendee_stakeholders"][0]["name"], "Robin Example");
    assert_eq!(review["attendee_stakeholders"][0]["function"], "end_user");
    let html = review["summary_html"].as_str().expect("html");
    assert!(html.contains("<strong>Demo</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(
        review["decisions_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<li>ship to pilot</li>")
    );

    // The review refers to the sprint: deleting it is a conflict that says so.
    let res = app
        .call(
            &admin,
            "sprints/delete",
            &[("key", "churn"), ("number", "1")],
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("its review"),
        "{body}"
    );
    ok_json(
        app.call(
            &admin,
            "sprints/review/delete",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
    ok_json(
        app.call(
            &admin,
            "sprints/delete",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
}

#[tokio::test]
async fn open_action_items_come_back_at_the_next_retro_until_closed() {
    let app = spawn_app().await;
    let admin = project(&app).await;
    start_sprint(&app, &admin).await;
    start_sprint(&app, &admin).await;
    ok_json(
        app.call(
            &admin,
            "sprints/retro/put",
            &[("key", "churn"), ("number", "1")],
        )
        .await,
    )
    .await;
    let res = app
        .call(
            &admin,
            "sprints/actions/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("text", "Automate export"),
                ("due_sprint", "0"),
            ],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "due_sprint".into())
    );
    let item = ok_json(
        app.call(
            &admin,
            "sprints/actions/add",
            &[
                ("key", "churn"),
                ("number", "1"),
                ("text", "Automate export"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(item["due_sprint"], 2, "defaults to the next sprint");
    assert_eq!(item["status"], "open");
    let id = item["id"].as_str().expect("id").to_string();

    let page = ok_json(
        app.call(
            &admin,
            "sprints/retro/get",
            &[("key", "churn"), ("number", "2")],
        )
        .await,
    )
    .await;
    assert!(page["retro"].is_null(), "sprint 2's retro has not started");
    assert_eq!(page["earlier_open"][0]["text"], "Automate export");

    // Carry it on to sprint 5 (which does not exist yet), then close it.
    let carried = ok_json(
        app.call(
            &admin,
            "sprints/actions/carry",
            &[("key", "churn"), ("id", &id), ("due_sprint", "5")],
        )
        .await,
    )
    .await;
    assert_eq!(carried["due_sprint"], 5);
    let done = ok_json(
        app.call(
            &admin,
            "sprints/actions/status",
            &[("key", "churn"), ("id", &id), ("status", "done")],
        )
        .await,
    )
    .await;
    assert_eq!(done["status"], "done");
    assert!(done["closed_on"].is_string(), "{done}");
    let page = ok_json(
        app.call(
            &admin,
            "sprints/retro/get",
            &[("key", "churn"), ("number", "2")],
        )
        .await,
    )
    .await;
    assert_eq!(page["earlier_open"].as_array().map(Vec::len), Some(0));
    let reopened = ok_json(
        app.call(
            &admin,
            "sprints/actions/status",
            &[("key", "churn"), ("id", &id), ("status", "open")],
        )
        .await,
    )
    .await;
    assert!(reopened["closed_on"].is_null(), "{reopened}");
    let res = app
        .call(
            &admin,
            "sprints/actions/status",
            &[("key", "churn"), ("id", &id), ("status", "finished")],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "status".into())
    );
    // The retro of sprint 1 keeps its action item: deleting the retro is refused.
    let res = app
        .call(
            &admin,
            "sprints/retro/delete",
            &[("key", "churn"), ("number", "1")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::CONFLICT, "conflict".into())
    );
    let list = ok_json(
        app.call(
            &admin,
            "sprints/actions/list",
            &[("key", "churn"), ("status", "open")],
        )
        .await,
    )
    .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}
