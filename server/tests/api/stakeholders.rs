//! The stakeholder directory: validation, who sees emails and attributes, who may write, merge
//! and erase.

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, error_code, spawn_app};
use crate::projects::{create_project, user_with_role};

async fn field_error(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.expect("json error body");
    (
        status,
        body["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

async fn create(app: &TestApp, client: &Client, form: &[(&str, &str)]) -> String {
    let res = app.call(client, "stakeholders/create", form).await;
    assert_eq!(res.status(), StatusCode::OK, "create stakeholder");
    res.json::<String>().await.expect("id")
}

async fn get(app: &TestApp, client: &Client, id: &str) -> Value {
    let res = app.call(client, "stakeholders/get", &[("id", id)]).await;
    assert_eq!(res.status(), StatusCode::OK, "get stakeholder");
    res.json().await.expect("json")
}

async fn set_member(app: &TestApp, admin: &Client, key: &str, user: &str, role: &str) {
    let res = app
        .call(
            admin,
            "projects/members/set",
            &[("key", key), ("user_id", user), ("role", role)],
        )
        .await;
    assert!(res.status().is_success(), "set member: {}", res.status());
}

#[tokio::test]
async fn stakeholder_input_is_validated() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("name", " "), ("function", "end_user")], "name"),
        (&[("name", "Robin"), ("function", "wizard")], "function"),
        (
            &[
                ("name", "Robin"),
                ("function", "end_user"),
                ("email", "nope"),
            ],
            "email",
        ),
        (
            &[
                ("name", "Robin"),
                ("function", "end_user"),
                ("attributes", "gender: woman"),
            ],
            "consented_on",
        ),
        (
            &[
                ("name", "Robin"),
                ("function", "end_user"),
                ("attributes", "no colon"),
                ("consented_on", "2026-01-01"),
            ],
            "attributes",
        ),
        (
            &[("name", "Robin"), ("function", "end_user"), ("project", "")],
            "",
        ),
    ];
    for (form, field) in cases {
        let res = app.call(&admin, "stakeholders/create", form).await;
        if field.is_empty() {
            // Admins need no project: this one is valid.
            assert_eq!(res.status(), StatusCode::OK);
            continue;
        }
        assert_eq!(
            field_error(res).await,
            (StatusCode::UNPROCESSABLE_ENTITY, field.to_string()),
            "{form:?}"
        );
    }

    create(
        &app,
        &admin,
        &[
            ("name", "Sam"),
            ("function", "domain_expert"),
            ("email", "sam@example.org"),
        ],
    )
    .await;
    let res = app
        .call(
            &admin,
            "stakeholders/create",
            &[
                ("name", "Sam 2"),
                ("function", "other"),
                ("email", "SAM@Example.org"),
            ],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::CONFLICT, "email".to_string()),
        "a taken email is a conflict"
    );

    // Erasing needs the "I understand" box.
    let id = create(&app, &admin, &[("name", "Kim"), ("function", "product")]).await;
    let res = app.call(&admin, "stakeholders/erase", &[("id", &id)]).await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "confirm".to_string())
    );
    assert_eq!(get(&app, &admin, &id).await["stakeholder"]["name"], "Kim");
}

#[tokio::test]
async fn emails_and_attributes_reach_only_admins_and_project_leads() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    create_project(&app, &admin, "beta").await;
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (lead, lead_id) = user_with_role(&app, &admin, "plead@example.org", "member").await;
    let (other_lead, other_lead_id) =
        user_with_role(&app, &admin, "blead@example.org", "member").await;
    set_member(&app, &admin, "alpha", &member_id, "member").await;
    set_member(&app, &admin, "alpha", &lead_id, "lead").await;
    set_member(&app, &admin, "beta", &other_lead_id, "lead").await;

    let id = create(
        &app,
        &admin,
        &[
            ("name", "Robin Example"),
            ("function", "end_user"),
            ("email", "robin@example.org"),
            ("organization", "Northwind Clinic"),
            ("project", "alpha"),
            ("attributes", "background: rural"),
            ("consented_on", "2026-01-10"),
        ],
    )
    .await;

    let seen = get(&app, &admin, &id).await;
    assert_eq!(seen["stakeholder"]["email"], "robin@example.org");
    assert_eq!(seen["stakeholder"]["attributes"]["background"], "rural");
    assert_eq!(seen["stakeholder"]["consented_on"], "2026-01-10");
    let seen = get(&app, &lead, &id).await;
    assert_eq!(
        seen["stakeholder"]["email"], "robin@example.org",
        "a lead of a linked project"
    );
    assert_eq!(seen["stakeholder"]["attributes"]["background"], "rural");

    for (who, client) in [
        ("member", &member),
        ("lead of another project", &other_lead),
    ] {
        let res = app.call(client, "stakeholders/get", &[("id", &id)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let raw = res.text().await.expect("body");
        assert!(
            !raw.contains("robin@example.org"),
            "{who} got the email: {raw}"
        );
        assert!(!raw.contains("rural"), "{who} got the attributes: {raw}");
        let v: Value = serde_json::from_str(&raw).expect("json");
        assert!(v["stakeholder"]["email"].is_null(), "{who}");
        assert_eq!(
            v["stakeholder"]["attributes"],
            serde_json::json!({}),
            "{who}"
        );
        assert!(v["stakeholder"]["consented_on"].is_null(), "{who}");
        assert_eq!(
            v["stakeholder"]["name"], "Robin Example",
            "{who} sees the directory"
        );

        let res = app
            .call(client, "stakeholders/list", &[("q", "robin")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let raw = res.text().await.expect("body");
        assert!(raw.contains("Robin Example"), "{who}: {raw}");
        assert!(
            !raw.contains("robin@example.org"),
            "{who} got the email in the list: {raw}"
        );
        // Searching by email finds nothing for them.
        let res = app
            .call(client, "stakeholders/list", &[("q", "robin@example")])
            .await;
        let v: Value = res.json().await.expect("json");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{who}");
    }
    // The other project's lead does not see the link to a project they are not in.
    let v = get(&app, &other_lead, &id).await;
    assert_eq!(v["stakeholder"]["projects"], serde_json::json!([]));
    assert_eq!(v["can_edit"], false);

    let res = app
        .call(&admin, "stakeholders/list", &[("q", "robin@example")])
        .await;
    let v: Value = res.json().await.expect("json");
    assert_eq!(v["items"][0]["email"], "robin@example.org");

    // A member may edit the entry (it is linked to their project) but not its private fields;
    // an edit without them keeps them.
    let res = app
        .call(
            &member,
            "stakeholders/update",
            &[("id", &id), ("name", "Robin E."), ("function", "end_user")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .call(
            &member,
            "stakeholders/update",
            &[
                ("id", &id),
                ("name", "Robin E."),
                ("function", "end_user"),
                ("email", "x@example.org"),
            ],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let v = get(&app, &admin, &id).await;
    assert_eq!(v["stakeholder"]["name"], "Robin E.");
    assert_eq!(v["stakeholder"]["email"], "robin@example.org");
    assert_eq!(v["stakeholder"]["attributes"]["background"], "rural");

    // Withdrawing consent by clearing the date deletes the attributes.
    let res = app
        .call(
            &lead,
            "stakeholders/update",
            &[
                ("id", &id),
                ("name", "Robin E."),
                ("function", "end_user"),
                ("email", "robin@example.org"),
                ("attributes", "background: rural"),
                ("consented_on", ""),
                ("private_fields", "true"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let v = get(&app, &admin, &id).await;
    assert_eq!(v["stakeholder"]["attributes"], serde_json::json!({}));
    assert!(v["stakeholder"]["consented_on"].is_null());
    assert_eq!(v["stakeholder"]["email"], "robin@example.org");

    // An emptied email field clears the email.
    let res = app
        .call(
            &lead,
            "stakeholders/update",
            &[
                ("id", &id),
                ("name", "Robin E."),
                ("function", "end_user"),
                ("email", ""),
                ("private_fields", "true"),
            ],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(get(&app, &admin, &id).await["stakeholder"]["email"].is_null());

    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "stakeholder.create",
        "stakeholder.update",
        "stakeholder.consent_withdraw",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn viewers_cannot_write_and_members_cannot_merge_or_erase() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    create_project(&app, &admin, "alpha").await;
    create_project(&app, &admin, "beta").await;
    let (viewer, viewer_id) = user_with_role(&app, &admin, "viewer@example.org", "member").await;
    let (member, member_id) = user_with_role(&app, &admin, "member@example.org", "member").await;
    let (outsider, _) = user_with_role(&app, &admin, "outsider@example.org", "member").await;
    set_member(&app, &admin, "alpha", &viewer_id, "viewer").await;
    set_member(&app, &admin, "alpha", &member_id, "member").await;

    let form = [
        ("name", "Robin"),
        ("function", "end_user"),
        ("project", "alpha"),
    ];
    let res = app.call(&viewer, "stakeholders/create", &form).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app.call(&outsider, "stakeholders/create", &form).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );

    // A member adds stakeholders only to their own projects, and must name one.
    let res = app
        .call(
            &member,
            "stakeholders/create",
            &[
                ("name", "Robin"),
                ("function", "end_user"),
                ("project", "beta"),
            ],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .call(
            &member,
            "stakeholders/create",
            &[("name", "Robin"), ("function", "end_user")],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "project".to_string())
    );
    // ... and may not record an email there, not being its lead.
    let res = app
        .call(
            &member,
            "stakeholders/create",
            &[
                ("name", "Robin"),
                ("function", "end_user"),
                ("project", "alpha"),
                ("email", "r@example.org"),
            ],
        )
        .await;
    assert_eq!(
        field_error(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "email".to_string())
    );
    let a = create(&app, &member, &form).await;
    let b = create(
        &app,
        &admin,
        &[("name", "R. Example"), ("function", "end_user")],
    )
    .await;

    // The viewer may read but not edit; the member may not edit an entry outside their projects.
    assert_eq!(get(&app, &viewer, &a).await["can_edit"], false);
    let res = app
        .call(
            &viewer,
            "stakeholders/update",
            &[("id", &a), ("name", "X"), ("function", "other")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .call(
            &member,
            "stakeholders/update",
            &[("id", &b), ("name", "X"), ("function", "other")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let res = app
        .call(
            &member,
            "stakeholders/link",
            &[("id", &a), ("project", "beta")],
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );

    for client in [&member, &viewer] {
        let res = app
            .call(client, "stakeholders/merge", &[("id", &a), ("other", &b)])
            .await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::FORBIDDEN, "forbidden".into())
        );
        let res = app
            .call(
                client,
                "stakeholders/erase",
                &[("id", &a), ("confirm", "true")],
            )
            .await;
        assert_eq!(
            error_code(res).await,
            (StatusCode::FORBIDDEN, "forbidden".into())
        );
    }
    assert_eq!(get(&app, &admin, &a).await["stakeholder"]["name"], "Robin");
    assert!(get(&app, &admin, &b).await["stakeholder"]["merged_into"].is_null());

    // An admin merges b into a: b leaves the directory and the choices, and a gains nothing
    // it should not.
    let res = app
        .call(
            &admin,
            "stakeholders/merge",
            &[("id", &a), ("other", &b), ("keep", "this")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        get(&app, &admin, &b).await["stakeholder"]["merged_into"],
        a.as_str()
    );
    let res = app.call(&admin, "stakeholders/choices", &[]).await;
    let choices: Vec<Value> = res.json().await.expect("json");
    let ids: Vec<&str> = choices.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, vec![a.as_str()]);
    assert_eq!(choices[0]["function"], "end_user");

    // Choices for a project need access to it.
    let res = app
        .call(&outsider, "stakeholders/choices", &[("project", "alpha")])
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let res = app
        .call(&member, "stakeholders/choices", &[("project", "alpha")])
        .await;
    let choices: Vec<Value> = res.json().await.expect("json");
    assert_eq!(choices.len(), 1);

    let res = app
        .call(
            &admin,
            "stakeholders/erase",
            &[("id", &a), ("confirm", "true")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let v = get(&app, &member, &a).await;
    assert_eq!(v["stakeholder"]["name"], "Erased stakeholder");
    assert_eq!(v["stakeholder"]["function"], "end_user");
    assert_eq!(v["stakeholder"]["projects"][0]["key"], "alpha");
    assert_eq!(v["can_edit"], false);

    let res = app.call(&admin, "admin/audit", &[]).await;
    let events: Vec<Value> = res.json().await.expect("json");
    let actions: Vec<&str> = events.iter().filter_map(|e| e["action"].as_str()).collect();
    for expected in [
        "stakeholder.merge",
        "stakeholder.erase",
        "permission.denied",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
}
