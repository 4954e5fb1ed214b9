//! The authorization matrix, generated from the OpenAPI document: every operation is called as
//! nobody, with a revoked token, as a viewer of the project and as a member of another project
//! only, and each answer is compared with the roles table of the design (workspace roles, then
//! project roles). The admin's reads of the same addresses must succeed, so that a wrong id in
//! the fixtures cannot pass for a refusal. Answers that succeed are checked for leaks.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::rest::{bearer, rest};
use crate::rest_sprints::setup;

/// Text only people with the right to see the `ours` project (in its name), or its
/// stakeholders' emails and self-described attributes (project leads and above), may ever
/// receive.
const PROJECT_MARK: &str = "Zqxv";
const EMAIL_MARK: &str = "hidden-zqxv@example.org";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    Revoked,
    Viewer,
    Outsider,
}

/// The ids the fixtures made, to fill the paths.
struct Ids {
    dq: String,
    feedback: String,
    interview: String,
    invite: String,
    action: String,
    item: String,
    stakeholder: String,
    admin_token: String,
    viewer_user: String,
    spare_user: String,
    other_stakeholder: String,
    webhook: String,
}

async fn made(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = rest(app, Some(token), method.clone(), path, Some(body)).await;
    assert!(s.is_success(), "{method} {path}: {s} {v}");
    v
}

fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn fixtures(app: &TestApp, admin: &str, viewer_user: String) -> Ids {
    let ours = "/projects/ours";
    made(
        app,
        admin,
        Method::PATCH,
        ours,
        json!({ "name": format!("Ours {PROJECT_MARK}") }),
    )
    .await;
    made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/sprints"),
        json!({}),
    )
    .await;
    made(
        app,
        admin,
        Method::PUT,
        &format!("{ours}/sprints/1/review"),
        json!({ "held_on": "2026-01-10", "summary": "Shown" }),
    )
    .await;
    made(
        app,
        admin,
        Method::PUT,
        &format!("{ours}/sprints/1/retro"),
        json!({ "held_on": "2026-01-11" }),
    )
    .await;
    let item = made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/sprints/1/retro/items"),
        json!({ "column": "start", "text": "Pair more" }),
    )
    .await;
    let action = made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/sprints/1/retro/action-items"),
        json!({ "text": "Book the room" }),
    )
    .await;
    let dq = made(app, admin, Method::POST, &format!("{ours}/dq-issues"), json!({ "dataset": "claims", "description": "Gaps", "dimension": "completeness", "severity": "high", "opened_on": "2026-01-06" })).await;
    let stakeholder = made(app, admin, Method::POST, "/stakeholders", json!({ "name": "Sam Sample", "function": "end_user", "project": "ours", "email": EMAIL_MARK, "attributes": { "team": "hidden-attribute" }, "consented_on": "2026-01-02" })).await;
    let interview = made(app, admin, Method::POST, &format!("{ours}/interviews"), json!({ "kind": "discovery", "scheduled_local": "2026-01-08T10:00", "time_zone": "UTC", "participants": [id_of(&stakeholder)] })).await;
    made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/interviews/{}/insights", id_of(&interview)),
        json!({ "text": "Needs a print view" }),
    )
    .await;
    let feedback = made(app, admin, Method::POST, &format!("{ours}/feedback"), json!({ "body": "Useful", "channel": "team", "rating": 4, "given_on": "2026-01-09", "stakeholder": id_of(&stakeholder) })).await;
    let invite = made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/invites"),
        json!({ "expires_in_days": 7 }),
    )
    .await;
    made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/calendar-token"),
        json!({}),
    )
    .await;
    let other = made(
        app,
        admin,
        Method::POST,
        "/stakeholders",
        json!({ "name": "Kim Other", "function": "other", "project": "ours" }),
    )
    .await;
    let webhook = made(
        app,
        admin,
        Method::POST,
        &format!("{ours}/webhooks"),
        json!({ "url": "https://hooks.example.org/touchpoint", "events": ["feedback.created"] }),
    )
    .await;
    let spare = made(app, admin, Method::POST, "/users", json!({ "email": "spare@example.org", "name": "Spare", "role": "member", "temp_password": "temporary-123" })).await;
    let (s, tokens) = rest(app, Some(admin), Method::GET, "/tokens", None).await;
    assert_eq!(s, StatusCode::OK);
    let admin_token = tokens["items"]
        .as_array()
        .or_else(|| tokens.as_array())
        .and_then(|l| l.first())
        .map(id_of)
        .expect("a token of the admin");
    Ids {
        dq: id_of(&dq),
        feedback: id_of(&feedback),
        interview: id_of(&interview),
        invite: id_of(&invite),
        action: id_of(&action),
        item: id_of(&item),
        stakeholder: id_of(&stakeholder),
        admin_token,
        viewer_user,
        spare_user: id_of(&spare),
        other_stakeholder: id_of(&other),
        webhook: id_of(&webhook),
    }
}

/// A body the admin could send to `method path` with success: a refusal then comes from the
/// roles, not from validation.
fn valid_body(method: &Method, path: &str, ids: &Ids) -> Value {
    let put = *method == Method::PUT;
    let post = *method == Method::POST;
    match path {
        "/projects" => json!({ "key": "newp", "name": "New", "started_on": "2026-01-05" }),
        "/projects/{key}" => json!({ "name": "Renamed" }),
        "/projects/{key}/dq-issues" => {
            json!({ "dataset": "d", "description": "x", "dimension": "accuracy", "severity": "low", "opened_on": "2026-01-06" })
        }
        "/projects/{key}/dq-issues/{id}" => json!({ "severity": "low" }),
        "/projects/{key}/feedback" => {
            json!({ "body": "x", "channel": "team", "rating": 3, "given_on": "2026-01-09" })
        }
        "/projects/{key}/feedback/{id}" => json!({ "status": "acknowledged" }),
        "/projects/{key}/interviews" => {
            json!({ "kind": "discovery", "scheduled_local": "2026-01-20T10:00", "time_zone": "UTC" })
        }
        "/projects/{key}/interviews/{id}" => json!({ "notes": "n" }),
        "/projects/{key}/interviews/{id}/insights" => json!({ "text": "t" }),
        "/projects/{key}/invites" => json!({ "expires_in_days": 7 }),
        "/projects/{key}/members" => json!({ "user": ids.spare_user, "role": "member" }),
        "/projects/{key}/members/{user}" => json!({ "role": "member" }),
        "/projects/{key}/readiness" => json!({ "containerized": { "done": true } }),
        "/projects/{key}/sprints" => json!({}),
        "/projects/{key}/sprints/{number}" => json!({ "goal": "g" }),
        "/projects/{key}/sprints/{number}/retro" => json!({ "held_on": "2026-01-11" }),
        "/projects/{key}/sprints/{number}/review" => {
            json!({ "held_on": "2026-01-10", "summary": "s" })
        }
        "/projects/{key}/sprints/{number}/retro/action-items" => json!({ "text": "t" }),
        "/projects/{key}/sprints/{number}/retro/action-items/{id}" => json!({ "text": "t2" }),
        "/projects/{key}/sprints/{number}/retro/items" => json!({ "column": "start", "text": "t" }),
        "/projects/{key}/sprints/{number}/retro/items/{id}" => json!({ "vote": true }),
        "/settings" if put => json!({ "time_zone": "UTC" }),
        "/settings/webhooks" => json!({ "allow_private": false }),
        "/projects/{key}/webhooks" | "/projects/{key}/webhooks/{id}" => {
            json!({ "url": "https://hooks.example.org/other", "events": ["signal.changed"] })
        }
        "/stakeholders" if post => {
            json!({ "name": "New person", "function": "other", "project": "ours" })
        }
        "/stakeholders/{id}" => json!({ "title": "t" }),
        "/stakeholders/{id}/erase" => json!({ "confirm": true }),
        "/stakeholders/{id}/merge" => json!({ "into": ids.other_stakeholder }),
        "/tokens" => json!({ "name": "t" }),
        "/users" => {
            json!({ "email": "x@example.org", "name": "X", "role": "member", "temp_password": "temporary-123" })
        }
        "/users/{id}" => json!({ "role": "lead" }),
        _ => json!({}),
    }
}

/// The document's path with real values for its parameters.
fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/projects/{key}/dq-issues/") {
        &ids.dq
    } else if path.starts_with("/projects/{key}/feedback/") {
        &ids.feedback
    } else if path.starts_with("/projects/{key}/interviews/") {
        &ids.interview
    } else if path.starts_with("/projects/{key}/invites/") {
        &ids.invite
    } else if path.contains("/retro/action-items/") {
        &ids.action
    } else if path.contains("/retro/items/") {
        &ids.item
    } else if path.starts_with("/projects/{key}/webhooks/") {
        &ids.webhook
    } else if path.starts_with("/stakeholders/") {
        &ids.stakeholder
    } else if path.starts_with("/tokens/") {
        &ids.admin_token
    } else {
        &ids.viewer_user
    };
    let filled = path
        .replace("{key}", "ours")
        .replace("{number}", "1")
        .replace("{index}", "0")
        .replace("{user}", &ids.viewer_user)
        .replace("{id}", id);
    assert!(!filled.contains('{'), "unknown parameter in {path}");
    filled
}

/// What the roles table allows: the statuses `caller` may get for `method path`.
fn expected(caller: Caller, method: &Method, path: &str) -> &'static [u16] {
    if matches!(caller, Caller::Anonymous | Caller::Revoked) {
        return &[401];
    }
    let read = *method == Method::GET;
    let admin_only = ["/audit", "/export", "/import", "/users"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        || ((path == "/settings" || path == "/settings/webhooks") && !read);
    if admin_only {
        return &[403];
    }
    // The caller's own account and tokens; another user's token is not found.
    // The caller's own account and tokens. A token cannot mint tokens (a leaked one must not
    // outlive its revocation), and every caller here comes with a token.
    if path.starts_with("/me") || path == "/tokens" {
        return if read { &[200] } else { &[403] };
    }
    if path.starts_with("/tokens/") {
        return &[404];
    }
    if path == "/settings" || path == "/settings/webhooks" {
        return &[200];
    }
    if let Some(rest) = path.strip_prefix("/projects/{key}") {
        // Webhooks carry the project's outgoing secrets: its leads only, even to read.
        if rest.starts_with("/webhooks") {
            return match caller {
                Caller::Outsider => &[404],
                _ => &[403],
            };
        }
        return match (caller, read) {
            (Caller::Outsider, _) => &[404],
            (_, true) => &[200],
            // A viewer reads only; lead-only writes are refused to them too.
            (_, false) => &[403],
        };
    }
    match (path, read) {
        ("/projects", true) | ("/reports/portfolio", true) | ("/reports/portfolio.csv", true) => {
            &[200]
        }
        ("/reports/diversity", true) => &[200],
        // Workspace members cannot create projects.
        ("/projects", false) => &[403],
        // The stakeholder directory is the workspace's: everyone signed in reads names and
        // functions (never emails or self-described attributes, see the leak checks).
        ("/stakeholders", true) => &[200],
        // A new stakeholder in a project the caller cannot change (or see).
        ("/stakeholders", false) => match caller {
            Caller::Outsider => &[403, 404],
            _ => &[403],
        },
        (p, true) if p.starts_with("/stakeholders/") => &[200],
        (p, false) if p.starts_with("/stakeholders/") => match caller {
            Caller::Outsider => &[403, 404],
            _ => &[403],
        },
        _ => panic!("the roles table has no rule for {method} {path}: add one"),
    }
}

#[tokio::test]
async fn every_operation_follows_the_roles_table_for_every_caller() {
    let app = spawn_app().await;
    let callers = setup(&app).await;
    let (s, users) = rest(&app, Some(&callers.admin), Method::GET, "/users", None).await;
    assert_eq!(s, StatusCode::OK);
    let viewer_user = users["items"]
        .as_array()
        .or_else(|| users.as_array())
        .and_then(|l| l.iter().find(|u| u["email"] == "viewer@example.org"))
        .map(id_of)
        .expect("the viewer");
    let ids = fixtures(&app, &callers.admin, viewer_user).await;

    // A token that was revoked: it belonged to the admin.
    let revoked = bearer(&app, "admin@example.org").await;
    let (s, list) = rest(&app, Some(&revoked), Method::GET, "/tokens", None).await;
    assert_eq!(s, StatusCode::OK);
    let newest = list["items"]
        .as_array()
        .or_else(|| list.as_array())
        .expect("tokens")
        .iter()
        .map(id_of)
        .find(|id| *id != ids.admin_token)
        .expect("the new token");
    let (s, _) = rest(
        &app,
        Some(&callers.admin),
        Method::DELETE,
        &format!("/tokens/{newest}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (s, doc) = rest(&app, None, Method::GET, "/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            // Event streams never end, so they cannot be read whole here: `live.rs` checks
            // who may follow them.
            let streams = item
                .get(method)
                .and_then(|op| op["responses"]["200"]["content"].get("text/event-stream"))
                .is_some();
            if item.get(method).is_some() && !streams {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                operations.push((m, path.clone()));
            }
        }
    }
    assert!(
        operations.len() > 70,
        "only {} operations",
        operations.len()
    );

    let mut wrong = Vec::new();
    let mut calls = 0;
    // Reads first, then writes that would change the fixtures; deletions last.
    operations.sort_by_key(|(m, _)| match *m {
        Method::GET => 0,
        Method::DELETE => 2,
        _ => 1,
    });
    for (method, path) in &operations {
        let url = fill(path, &ids);
        if *method == Method::GET {
            let (s, v) = rest(&app, Some(&callers.admin), Method::GET, &url, None).await;
            assert!(s.is_success(), "the admin reads {url}: {s} {v}");
        }
        for (caller, token) in [
            (Caller::Anonymous, None),
            (Caller::Revoked, Some(revoked.as_str())),
            (Caller::Viewer, Some(callers.viewer.as_str())),
            (Caller::Outsider, Some(callers.outsider.as_str())),
        ] {
            let allowed = expected(caller, method, path);
            let takes_body = *method != Method::GET && *method != Method::DELETE;
            if takes_body {
                // An empty body too: the roles come before validation for nobody, and after
                // it a signed-in caller may learn only that the body is incomplete.
                let (s, v) = rest(&app, token, method.clone(), &url, Some(json!({}))).await;
                calls += 1;
                let signed_in = matches!(caller, Caller::Viewer | Caller::Outsider);
                if !(allowed.contains(&s.as_u16())
                    || (signed_in && s == StatusCode::UNPROCESSABLE_ENTITY))
                {
                    wrong.push(format!(
                        "{caller:?} {method} {url} with {{}}: {s} (allowed {allowed:?}) {}",
                        v.to_string().chars().take(160).collect::<String>()
                    ));
                }
            }
            let body = takes_body.then(|| valid_body(method, path, &ids));
            let (s, v) = rest(&app, token, method.clone(), &url, body).await;
            calls += 1;
            if !allowed.contains(&s.as_u16()) {
                wrong.push(format!(
                    "{caller:?} {method} {url}: {s} (allowed {allowed:?}) {}",
                    v.to_string().chars().take(160).collect::<String>()
                ));
                continue;
            }
            if s.is_success() {
                let text = v.to_string();
                // Attribute values may appear in the diversity report, as counts per value
                // ("fewer than 5" below five), as the design has it; nowhere else.
                let attribute_leak =
                    text.contains("hidden-attribute") && path != "/reports/diversity";
                if text.contains(EMAIL_MARK) || attribute_leak {
                    wrong.push(format!(
                        "{caller:?} {method} {url}: a stakeholder's email leaked"
                    ));
                }
                if caller == Caller::Outsider && text.contains(PROJECT_MARK) {
                    wrong.push(format!(
                        "{caller:?} {method} {url}: another project's data leaked"
                    ));
                }
            }
        }
    }
    assert!(calls >= 4 * 70, "{calls} calls");
    assert!(
        wrong.is_empty(),
        "{} answers break the roles table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
