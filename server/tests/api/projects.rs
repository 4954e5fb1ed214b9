//! Projects and members: validation, object-level access and roles.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, spawn_app};

/// Creates a user with `role` who has already changed the temporary password.
pub async fn user_with_role(
    app: &TestApp,
    admin: &Client,
    email: &str,
    role: &str,
) -> (Client, String) {
    let res = app
        .call(
            admin,
            "admin/users/create",
            &[
                ("email", email),
                ("name", email),
                ("role", role),
                ("temp_password", "temporary-123"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "create {email}");
    let v: Value = res.json().await.expect("json");
    let id = v["id"].as_str().expect("id").to_string();
    let (client, _) = app.login(email, "temporary-123").await;
    let res = app
        .call(
            &client,
            "auth/change-password",
            &[
                ("current", "temporary-123"),
                ("new_password", "a proper password"),
                ("confirm", "a proper password"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "change password {email}");
    (client, id)
}

/// Creates a project as `client` and asserts success.
pub async fn create_project(app: &TestApp, client: &Client, key: &str) {
    let res = app
        .call(
            client,
            "projects/create",
            &[("key", key), ("name", key), ("started_on", "2026-01-05")],
        )
        .await;
    assert!(
        res.status().is_success(),
        "create project {key}: {}",
        res.status()
    );
}

#[tokio::test]
async fn project_creation_is_validated() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("key", "Bad Key"), ("name", "x")], "key"),
        (&[("key", "new"), ("name", "x")], "key"),
        (&[("key", "ok-key"), ("name", "  ")], "name"),
        (
            &[
                ("key", "ok-key"),
                ("name", "x"),
                ("target_iteration_days", "43"),
            ],
            "target_iteration_days",
        ),
        (
            &[
                ("key", "ok-key"),
                ("name", "x"),
                ("contact_threshold_days", "0"),
            ],
            "contact_threshold_days",
        ),
        (
            &[("key", "ok-key"), ("name", "x"), ("lead", "no-such-user")],
            "lead",
        ),
    ];
    for (form, field) in cases {
        let res = app.call(&admin, "projects/create", form).await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(body["error"]["field"], field);
    }
    create_project(&app, &admin, "churn").await;
    let res = app
        .call(
            &admin,
            "projects/create",
            &[("key", "churn"), ("name", "Again")],
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.expect("json");
    assert_eq!(status, StatusCode::CONFLICT, "duplicate key: {body}");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["field"], "key", "duplicate key");

    let res = app.call(&admin, "projects/get", &[("key", "churn")]).await;
    let detail: Value = res.json().await.expect("json");
    assert_eq!(detail["project"]["target_iteration_days"], 14);
    assert_eq!(detail["project"]["ml_needed"], "unknown");
    assert_eq!(
        detail["members"][0]["role"], "lead",
        "the creator leads the project"
    );
}

#[tokio::test]
async fn members_see_only_their_projects_and_viewers_cannot_write() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    create_project(&app, &admin, "beta").await;
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (viewer, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;

    // Not a member yet: the project does not exist for them.
    let res = app.call(&member, "projects/get", &[("key", "alpha")]).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    // Members cannot create projects.
    let res = app
        .call(
            &member,
            "projects/create",
            &[("key", "gamma"), ("name", "Gamma")],
        )
        .await;
    assert_eq!(error_code(res).await.1, "forbidden");

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
    let res = app.call(&member, "projects/list", &[]).await;
    let list: Value = res.json().await.expect("json");
    let list = list["items"].as_array().expect("a page of projects");
    let keys: Vec<&str> = list.iter().filter_map(|p| p["key"].as_str()).collect();
    assert_eq!(keys, vec!["alpha"]);

    let res = app.call(&viewer, "projects/get", &[("key", "alpha")]).await;
    let detail: Value = res.json().await.expect("json");
    assert_eq!(detail["access"], "read");
    let res = app
        .call(
            &viewer,
            "projects/update",
            &[("key", "alpha"), ("name", "Renamed")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // Members write but do not manage settings.
    let res = app
        .call(
            &member,
            "projects/update",
            &[("key", "alpha"), ("name", "Renamed")],
        )
        .await;
    assert_eq!(error_code(res).await.1, "forbidden");
    // Another project stays invisible to them.
    let res = app
        .call(
            &member,
            "projects/update",
            &[("key", "beta"), ("name", "x")],
        )
        .await;
    assert_eq!(error_code(res).await.1, "not_found");
}

#[tokio::test]
async fn settings_archive_and_the_accountable_lead() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    let (_lead, lead_id) = user_with_role(&app, &admin, "lead@example.org", "member").await;
    let res = app
        .call(
            &admin,
            "projects/update",
            &[
                ("key", "alpha"),
                ("name", "Alpha"),
                ("lead", &lead_id),
                ("ml_needed", "no"),
                ("baseline_considered", "A rules checklist"),
                ("target_iteration_days", "10"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app.call(&admin, "projects/get", &[("key", "alpha")]).await;
    let d: Value = res.json().await.expect("json");
    assert_eq!(d["project"]["lead"], lead_id);
    assert_eq!(d["project"]["ml_needed"], "no");
    assert_eq!(d["project"]["target_iteration_days"], 10);
    let lead_member = d["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["user_id"] == lead_id)
        .expect("lead is a member")
        .clone();
    assert_eq!(lead_member["role"], "lead");
    // The accountable lead cannot be removed or demoted.
    let res = app
        .call(
            &admin,
            "projects/members/remove",
            &[("key", "alpha"), ("user_id", &lead_id)],
        )
        .await;
    assert_eq!(error_code(res).await.1, "validation");

    let res = app
        .call(
            &admin,
            "projects/archive",
            &[("key", "alpha"), ("archived", "true")],
        )
        .await;
    assert!(res.status().is_success());
    let res = app.call(&admin, "projects/list", &[]).await;
    let list: Value = res.json().await.expect("json");
    let list = list["items"].as_array().expect("a page of projects");
    assert!(list.is_empty(), "archived projects leave the default list");
    let res = app
        .call(&admin, "projects/list", &[("include_archived", "true")])
        .await;
    let list: Value = res.json().await.expect("json");
    let list = list["items"].as_array().expect("a page of projects");
    assert_eq!(list[0]["status"], "archived");

    // Every change was audited.
    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["project.create", "project.update", "project.archive"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn the_project_list_is_paged_by_name() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    // 53 projects; names differ in case, so the order must ignore it.
    for i in 0..53 {
        let key = format!("p{i:02}");
        let name = if i % 2 == 0 {
            format!("Project {i:02}")
        } else {
            format!("project {i:02}")
        };
        let res = app
            .call(
                &admin,
                "projects/create",
                &[("key", &key), ("name", &name), ("started_on", "2026-01-05")],
            )
            .await;
        assert!(res.status().is_success(), "create {key}");
    }
    let list = |args: Vec<(&'static str, String)>| {
        let app = &app;
        let admin = &admin;
        async move {
            let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call(admin, "projects/list", &form).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.expect("json")
        }
    };
    let keys = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["key"].as_str().expect("key").to_string())
            .collect()
    };
    let first = list(vec![]).await;
    assert_eq!(first["total"], 53);
    assert_eq!(first["offset"], 0);
    assert!(first["prev"].is_null());
    let expected: Vec<String> = (0..50).map(|i| format!("p{i:02}")).collect();
    assert_eq!(keys(&first), expected);

    let next = app::reports::encode_cursor(first["next"].as_str().expect("a next page"));
    let second = list(vec![("after", next)]).await;
    assert_eq!(keys(&second), vec!["p50", "p51", "p52"]);
    assert_eq!(second["offset"], 50);
    assert!(second["next"].is_null());

    let prev = app::reports::encode_cursor(second["prev"].as_str().expect("a previous page"));
    let back = list(vec![("before", prev)]).await;
    assert_eq!(keys(&back), expected);
    assert!(back["prev"].is_null());

    // The HTML page shows where the reader is and links to the next page.
    let html = admin
        .get(app.url("/projects"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Projects 1–50 of 53."), "{html}");
    assert!(html.contains("rel=\"next\""));
    assert!(!html.contains("p50</code>"));

    // A cursor that is not one is refused next to it.
    let res = app
        .call(&admin, "projects/list", &[("after", "not-a-cursor")])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation".into())
    );

    // A member sees only their projects, and the count says so.
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let res = app
        .call(
            &admin,
            "projects/members/set",
            &[("key", "p07"), ("user_id", &member_id), ("role", "member")],
        )
        .await;
    assert!(res.status().is_success());
    let res = app.call(&member, "projects/list", &[]).await;
    let page: Value = res.json().await.expect("json");
    assert_eq!(keys(&page), vec!["p07"]);
    assert_eq!(page["total"], 1);
    assert!(page["next"].is_null());
}
