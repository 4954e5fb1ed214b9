//! Readiness checklists and data-quality issues through the server functions.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, spawn_app};

const PASSWORD: &str = "a much better one";

/// Creates a user with a changed password and returns (client, user id).
async fn user(app: &TestApp, admin: &Client, email: &str, name: &str) -> (Client, String) {
    let res = app
        .call(
            admin,
            "admin/users/create",
            &[
                ("email", email),
                ("name", name),
                ("role", "member"),
                ("temp_password", "temporary-123"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.expect("json");
    let id = v["id"].as_str().expect("id").to_string();
    let (client, res) = app.login(email, "temporary-123").await;
    assert!(res.status().is_success());
    let res = app
        .call(
            &client,
            "auth/change-password",
            &[
                ("current", "temporary-123"),
                ("new_password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    (client, id)
}

async fn project(app: &TestApp, admin: &Client, key: &str) {
    let res = app
        .call(
            admin,
            "projects/create",
            &[("key", key), ("name", &format!("Project {key}"))],
        )
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
}

async fn add(app: &TestApp, admin: &Client, key: &str, user_id: &str, role: &str) {
    let res = app
        .call(
            admin,
            "projects/members/set",
            &[("key", key), ("user_id", user_id), ("role", role)],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}

/// An admin, a member, a viewer of project `dq`, and an outsider who is a member of `other`.
struct World {
    app: TestApp,
    admin: Client,
    member: Client,
    member_id: String,
    viewer: Client,
    outsider: Client,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    project(&app, &admin, "dq").await;
    project(&app, &admin, "other").await;
    let (member, member_id) = user(&app, &admin, "member@example.org", "Mira Member").await;
    let (viewer, viewer_id) = user(&app, &admin, "viewer@example.org", "Vic Viewer").await;
    let (outsider, outsider_id) = user(&app, &admin, "outsider@example.org", "Oli Outsider").await;
    add(&app, &admin, "dq", &member_id, "member").await;
    add(&app, &admin, "dq", &viewer_id, "viewer").await;
    add(&app, &admin, "other", &outsider_id, "lead").await;
    app.db
        .query(
            "CREATE stakeholder:owner1 CONTENT { name: 'Sasha Source', function: 'data_owner', created_at: time::now(), updated_at: time::now() };
             CREATE stakeholder:erased1 CONTENT { name: '', function: 'data_owner', erased_at: time::now(), created_at: time::now(), updated_at: time::now() };",
        )
        .await
        .expect("seed stakeholders")
        .check()
        .expect("seeded");
    World {
        app,
        admin,
        member,
        member_id,
        viewer,
        outsider,
    }
}

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// (status, field) of a refused call.
async fn refused(res: reqwest::Response) -> (StatusCode, String) {
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

async fn audit_actions(w: &World) -> Vec<String> {
    let res = w.app.call(&w.admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    events
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_string))
        .collect()
}

fn issue_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("key", "dq"),
        ("dataset", "admissions"),
        ("description", "Discharge dates missing for one ward."),
        ("dimension", "completeness"),
        ("severity", "medium"),
        ("opened_on", "2026-01-10"),
    ];
    for (k, v) in overrides {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    form
}

async fn create(w: &World, client: &Client, overrides: &[(&str, &str)]) -> String {
    let res = w
        .app
        .call(client, "quality/issues/create", &issue_form(overrides))
        .await;
    json(res).await.as_str().expect("id").to_string()
}

#[tokio::test]
async fn readiness_items_are_saved_counted_and_guarded() {
    let w = world().await;
    let app = &w.app;
    let r = json(
        app.call(&w.viewer, "quality/readiness", &[("key", "dq")])
            .await,
    )
    .await;
    let items = r["items"].as_array().expect("items");
    assert_eq!(items.len(), 8);
    assert_eq!(items[0]["item"], "deployment_target");
    assert!(items.iter().all(|i| i["done"] == false));

    let res = app
        .call(
            &w.member,
            "quality/readiness/set",
            &[
                ("key", "dq"),
                ("item", "devops_engaged"),
                ("done", "true"),
                ("owner", &w.member_id),
                ("note", "Platform team agreed"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for item in ["deployment_target", "containerized", "monitoring_plan"] {
        let res = app
            .call(
                &w.member,
                "quality/readiness/set",
                &[("key", "dq"), ("item", item), ("done", "true")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let r = json(
        app.call(&w.viewer, "quality/readiness", &[("key", "dq")])
            .await,
    )
    .await;
    let items = r["items"].as_array().expect("items");
    let done = items.iter().filter(|i| i["done"] == true).count();
    assert_eq!(done, 4);
    assert_eq!(items[1]["owner"], w.member_id.as_str());
    assert_eq!(items[1]["owner_name"], "Mira Member");
    assert_eq!(items[1]["note"], "Platform team agreed");
    // Unticking (no `done` field, as an unchecked checkbox sends) keeps the rest.
    let res = app
        .call(
            &w.member,
            "quality/readiness/set",
            &[("key", "dq"), ("item", "containerized")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = json(
        app.call(&w.member, "quality/readiness", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(r["items"][2]["done"], false);
    assert_eq!(
        r["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["done"] == true)
            .count(),
        3
    );

    // Validation, on the right field.
    let long_note = "n".repeat(1001);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("key", "dq"), ("item", "kubernetes"), ("done", "true")],
            "item",
        ),
        (
            &[("key", "dq"), ("item", "containerized"), ("done", "maybe")],
            "done",
        ),
        (
            &[
                ("key", "dq"),
                ("item", "containerized"),
                ("owner", "nobody"),
            ],
            "owner",
        ),
        (
            &[
                ("key", "dq"),
                ("item", "containerized"),
                ("note", long_note.as_str()),
            ],
            "note",
        ),
    ];
    for (form, field) in cases {
        let res = app.call(&w.member, "quality/readiness/set", form).await;
        assert_eq!(
            refused(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, field.to_string())
        );
    }

    // A viewer reads but may not write; an outsider sees nothing.
    let res = app
        .call(
            &w.viewer,
            "quality/readiness/set",
            &[("key", "dq"), ("item", "containerized"), ("done", "true")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .call(&w.outsider, "quality/readiness", &[("key", "dq")])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .call(
            &w.outsider,
            "quality/readiness/set",
            &[("key", "dq"), ("item", "containerized"), ("done", "true")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let r = json(
        app.call(&w.admin, "quality/readiness", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(
        r["items"][2]["done"], false,
        "refused writes changed nothing"
    );

    let actions = audit_actions(&w).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "readiness.update").count(),
        5
    );
    assert!(actions.iter().any(|a| a == "permission.denied"));
}

#[tokio::test]
async fn issue_rules_are_refused_on_the_right_field() {
    let w = world().await;
    let app = &w.app;
    let long = "d".repeat(5001);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("status", "resolved")], "resolved_on"),
        (vec![("status", "wont_fix")], "resolved_on"),
        (
            vec![("status", "open"), ("resolved_on", "2026-01-20")],
            "resolved_on",
        ),
        (
            vec![("status", "reported"), ("resolved_on", "2026-01-20")],
            "resolved_on",
        ),
        (
            vec![("status", "in_progress"), ("resolved_on", "2026-01-20")],
            "resolved_on",
        ),
        (
            vec![("status", "resolved"), ("resolved_on", "2026-01-09")],
            "resolved_on",
        ),
        (
            vec![("reported_upstream_on", "2026-01-09")],
            "reported_upstream_on",
        ),
        (
            vec![("reported_upstream_on", "next week")],
            "reported_upstream_on",
        ),
        (vec![("opened_on", "2026-02-30")], "opened_on"),
        (vec![("dataset", " ")], "dataset"),
        (vec![("description", "")], "description"),
        (vec![("description", long.as_str())], "description"),
        (vec![("dimension", "freshness")], "dimension"),
        (vec![("severity", "urgent")], "severity"),
        (vec![("status", "closed")], "status"),
        (vec![("source_owner", "nobody")], "source_owner"),
        (vec![("source_owner", "erased1")], "source_owner"),
    ];
    for (overrides, field) in &cases {
        let res = app
            .call(&w.member, "quality/issues/create", &issue_form(overrides))
            .await;
        assert_eq!(
            refused(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, field.to_string()),
            "{overrides:?}"
        );
    }
    let reg = json(
        app.call(&w.member, "quality/issues", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(
        reg["issues"].as_array().expect("issues").len(),
        0,
        "nothing was written"
    );

    // The valid combinations pass, and edits obey the same rules.
    let id = create(
        &w,
        &w.member,
        &[
            ("source_owner", "owner1"),
            ("reported_upstream_on", "2026-01-10"),
        ],
    )
    .await;
    let id2 = create(
        &w,
        &w.member,
        &[("status", "wont_fix"), ("resolved_on", "2026-01-10")],
    )
    .await;
    assert_ne!(id, id2);
    let issue = json(
        app.call(
            &w.viewer,
            "quality/issues/get",
            &[("key", "dq"), ("id", &id)],
        )
        .await,
    )
    .await;
    assert_eq!(issue["source_owner_name"], "Sasha Source");
    assert_eq!(issue["reporter_name"], "Mira Member");
    assert_eq!(issue["status"], "open");

    let mut edit = issue_form(&[("status", "resolved")]);
    edit.push(("id", id.as_str()));
    let res = app.call(&w.member, "quality/issues/update", &edit).await;
    assert_eq!(
        refused(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "resolved_on".into())
    );
    let mut edit = issue_form(&[
        ("status", "resolved"),
        ("resolved_on", "2026-02-01"),
        ("severity", "high"),
    ]);
    edit.push(("id", id.as_str()));
    let res = app.call(&w.member, "quality/issues/update", &edit).await;
    assert_eq!(res.status(), StatusCode::OK);
    let issue = json(
        app.call(
            &w.member,
            "quality/issues/get",
            &[("key", "dq"), ("id", &id)],
        )
        .await,
    )
    .await;
    assert_eq!(issue["status"], "resolved");
    assert_eq!(issue["resolved_on"], "2026-02-01");
    assert_eq!(issue["severity"], "high");
    assert_eq!(issue["age_days"], 22, "closed: resolved_on − opened_on");
    assert_eq!(issue["reporter_name"], "Mira Member", "the reporter stays");
    assert!(
        issue["source_owner"].is_null(),
        "the edit form cleared the owner"
    );

    let actions = audit_actions(&w).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "dq_issue.create").count(),
        2
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "dq_issue.update").count(),
        1
    );
}

#[tokio::test]
async fn issues_are_guarded_by_project_access() {
    let w = world().await;
    let app = &w.app;
    let id = create(&w, &w.member, &[]).await;

    // Outsiders see nothing, whatever they try.
    for (endpoint, form) in [
        ("quality/issues", vec![("key", "dq")]),
        (
            "quality/issues/get",
            vec![("key", "dq"), ("id", id.as_str())],
        ),
        ("quality/source-owners", vec![("key", "dq")]),
        ("quality/issues/create", issue_form(&[])),
        (
            "quality/issues/delete",
            vec![("key", "dq"), ("id", id.as_str())],
        ),
    ] {
        let res = app.call(&w.outsider, endpoint, &form).await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{endpoint}"
        );
    }
    // An issue reached through another project is not found either.
    let res = app
        .call(
            &w.outsider,
            "quality/issues/get",
            &[("key", "other"), ("id", &id)],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let mut edit = issue_form(&[("key", "other")]);
    edit.push(("id", id.as_str()));
    let res = app.call(&w.outsider, "quality/issues/update", &edit).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .call(
            &w.outsider,
            "quality/issues/delete",
            &[("key", "other"), ("id", &id)],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );

    // Viewers read, but may not write.
    let reg = json(
        app.call(&w.viewer, "quality/issues", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(reg["issues"].as_array().expect("issues").len(), 1);
    let res = app
        .call(&w.viewer, "quality/issues/create", &issue_form(&[]))
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let mut edit = issue_form(&[("severity", "low")]);
    edit.push(("id", id.as_str()));
    let res = app.call(&w.viewer, "quality/issues/update", &edit).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );

    // Members edit but only project leads delete.
    let res = app
        .call(
            &w.member,
            "quality/issues/delete",
            &[("key", "dq"), ("id", &id)],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .call(
            &w.admin,
            "quality/issues/delete",
            &[("key", "dq"), ("id", &id)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &w.admin,
            "quality/issues/get",
            &[("key", "dq"), ("id", &id)],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );

    let actions = audit_actions(&w).await;
    assert!(actions.iter().any(|a| a == "dq_issue.delete"));
    assert!(actions.iter().filter(|a| *a == "permission.denied").count() >= 3);
}

#[tokio::test]
async fn the_register_filters_and_names_the_issues_that_make_m4_red() {
    let w = world().await;
    let app = &w.app;
    let today = chrono::Utc::now().date_naive();
    let ago = |n: i64| (today - chrono::Duration::days(n)).to_string();
    let (d40, d20, d5, d3) = (ago(40), ago(20), ago(5), ago(3));
    // Red: high, open 40 days, reported (severity rule only).
    let severe = create(
        &w,
        &w.member,
        &[
            ("severity", "high"),
            ("opened_on", &d40),
            ("reported_upstream_on", &d20),
            ("status", "reported"),
        ],
    )
    .await;
    // Red: low, open 20 days, never reported.
    let unreported = create(
        &w,
        &w.member,
        &[
            ("severity", "low"),
            ("opened_on", &d20),
            ("dataset", "claims"),
        ],
    )
    .await;
    // Amber only: critical, 5 days.
    let fresh = create(
        &w,
        &w.member,
        &[
            ("severity", "critical"),
            ("opened_on", &d5),
            ("status", "in_progress"),
        ],
    )
    .await;
    // Closed long ago: not open.
    let closed = create(
        &w,
        &w.member,
        &[
            ("severity", "critical"),
            ("opened_on", &d40),
            ("status", "resolved"),
            ("resolved_on", &d3),
        ],
    )
    .await;
    // Another project's issue never shows up here.
    let res = app
        .call(
            &w.outsider,
            "quality/issues/create",
            &issue_form(&[("key", "other")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let ids = |reg: &Value| -> Vec<String> {
        reg["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect()
    };
    let reg = json(
        app.call(&w.viewer, "quality/issues", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(ids(&reg).len(), 4);
    assert_eq!(reg["m4_level"], "red");
    assert_eq!(reg["open_count"], 3);
    let mut red: Vec<String> = reg["red_issues"]
        .as_array()
        .expect("red")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect();
    red.sort();
    let mut expected = vec![severe.clone(), unreported.clone()];
    expected.sort();
    assert_eq!(red, expected);
    let by_id = |id: &str| {
        reg["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .expect("issue")
    };
    assert_eq!(
        by_id(&severe)["m4_red"],
        serde_json::json!(["severe_overdue"])
    );
    assert_eq!(
        by_id(&unreported)["m4_red"],
        serde_json::json!(["not_reported_upstream"])
    );
    assert_eq!(by_id(&fresh)["m4_red"], serde_json::json!([]));
    assert_eq!(by_id(&severe)["age_days"], 40);
    assert_eq!(
        by_id(&closed)["age_days"],
        37,
        "closed: resolved_on − opened_on"
    );

    // Filters: by status, by severity, and both; the M4 facts ignore them.
    let reg = json(
        app.call(
            &w.viewer,
            "quality/issues",
            &[("key", "dq"), ("status", "open")],
        )
        .await,
    )
    .await;
    assert_eq!(ids(&reg), vec![unreported.clone()]);
    assert_eq!(reg["m4_level"], "red");
    assert_eq!(reg["red_issues"].as_array().expect("red").len(), 2);
    let reg = json(
        app.call(
            &w.viewer,
            "quality/issues",
            &[("key", "dq"), ("severity", "critical")],
        )
        .await,
    )
    .await;
    let mut got = ids(&reg);
    got.sort();
    let mut want = vec![fresh.clone(), closed.clone()];
    want.sort();
    assert_eq!(got, want);
    let reg = json(
        app.call(
            &w.viewer,
            "quality/issues",
            &[
                ("key", "dq"),
                ("status", "resolved"),
                ("severity", "critical"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(ids(&reg), vec![closed.clone()]);
    let reg = json(
        app.call(
            &w.viewer,
            "quality/issues",
            &[("key", "dq"), ("status", ""), ("severity", "")],
        )
        .await,
    )
    .await;
    assert_eq!(ids(&reg).len(), 4, "empty filters mean any");
    let res = app
        .call(
            &w.viewer,
            "quality/issues",
            &[("key", "dq"), ("status", "done")],
        )
        .await;
    assert_eq!(
        refused(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "status".into())
    );
    let res = app
        .call(
            &w.viewer,
            "quality/issues",
            &[("key", "dq"), ("severity", "huge")],
        )
        .await;
    assert_eq!(
        refused(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "severity".into())
    );

    // Reporting the stale one upstream and closing the severe one turns M4 amber.
    let mut edit = issue_form(&[
        ("severity", "low"),
        ("opened_on", &d20),
        ("dataset", "claims"),
        ("reported_upstream_on", &d3),
        ("status", "reported"),
    ]);
    edit.push(("id", unreported.as_str()));
    assert_eq!(
        app.call(&w.member, "quality/issues/update", &edit)
            .await
            .status(),
        StatusCode::OK
    );
    let mut edit = issue_form(&[
        ("severity", "high"),
        ("opened_on", &d40),
        ("status", "resolved"),
        ("resolved_on", &d3),
    ]);
    edit.push(("id", severe.as_str()));
    assert_eq!(
        app.call(&w.member, "quality/issues/update", &edit)
            .await
            .status(),
        StatusCode::OK
    );
    let reg = json(
        app.call(&w.viewer, "quality/issues", &[("key", "dq")])
            .await,
    )
    .await;
    assert_eq!(reg["m4_level"], "amber");
    assert_eq!(reg["open_count"], 2);
    assert_eq!(reg["red_issues"].as_array().expect("red").len(), 0);

    // The pages render for a viewer, with the register and without write controls.
    let res = w
        .viewer
        .get(app.url("/projects/dq/data-quality?severity=low"))
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("M4 data debt: Amber"), "M4 badge in words");
    assert!(html.contains("claims"), "the filtered issue is listed");
    assert!(
        !html.contains("Record an issue"),
        "viewers get no create form"
    );
    let res = w
        .member
        .get(app.url("/projects/dq/readiness"))
        .send()
        .await
        .expect("page");
    let html = res.text().await.expect("html");
    assert!(html.contains("0 of 8 done"), "readiness summary");
    assert!(html.contains("M3 productionization: Red"));
}
