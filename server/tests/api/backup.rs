//! Backup and restore: back up, wipe, restore, compare — credentials included.

use app::db::Db;
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::config::ServeArgs;
use server::startup::Application;

use crate::helpers::{ADMIN_PASSWORD, new_client, spawn_app};
use crate::rest::{admin_token, rest};

/// Every record of the tables that matter, as JSON, for comparing two databases.
async fn snapshot(db: &Db) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for table in [
        "user",
        "session",
        "api_token",
        "project",
        "membership",
        "sprint",
        "audit_event",
    ] {
        let mut res = db
            .query(format!("SELECT * FROM {table} ORDER BY id"))
            .await
            .expect("query")
            .check()
            .expect("check");
        let rows: surrealdb::types::Value = res.take(0).expect("rows");
        out.push(json!({ "table": table, "rows": rows.into_json_value() }));
    }
    out
}

#[tokio::test]
async fn backup_wipe_restore_gives_the_same_database_and_logins_work() {
    let app = spawn_app().await;
    let (_admin, token) = admin_token(&app).await;
    let t = Some(token.as_str());
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/projects",
        Some(json!({ "key": "kept-project", "name": "Kept project" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = rest(
        &app,
        t,
        Method::POST,
        "/projects/kept-project/sprints",
        Some(json!({ "start_on": "2026-01-05", "end_on": "2026-01-18" })),
    )
    .await;
    let _ = s; // The sprint route may answer 201; the snapshot compares whatever exists.

    let before = snapshot(&app.db).await;
    assert!(
        before[0]["rows"].as_array().is_some_and(|r| !r.is_empty()),
        "users exist"
    );
    let file = std::env::temp_dir().join(format!("touchpoint-backup-{}.surql", std::process::id()));
    server::backup::backup(&app.db, &file)
        .await
        .expect("backup");

    // Wipe: a brand-new, empty database.
    let fresh = app::db::connect("mem://").await.expect("fresh db");
    server::backup::restore(&fresh, &file, false)
        .await
        .expect("restore");
    let after = snapshot(&fresh).await;
    assert_eq!(
        before, after,
        "the restored database equals the backed-up one"
    );

    // A database in use is not overwritten without --force.
    let refused = server::backup::restore(&fresh, &file, false).await;
    assert!(
        refused.is_err(),
        "restore over a used database needs --force"
    );
    server::backup::restore(&fresh, &file, true)
        .await
        .expect("forced restore");
    assert_eq!(snapshot(&fresh).await, before);
    let _ = std::fs::remove_file(&file);

    // The restored installation accepts the old password and the old API token.
    let restored = Application::build_with_db(
        fresh,
        ServeArgs {
            addr: "127.0.0.1:0".parse().expect("addr"),
            ..ServeArgs::default()
        },
    )
    .await
    .expect("app on the restored db");
    let base = format!("http://{}", restored.address());
    tokio::spawn(restored.run_until_stopped());
    let res = new_client()
        .post(format!("{base}/api/fn/auth/login"))
        .header("accept", "application/json")
        .form(&[("email", "admin@example.org"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("login");
    assert!(
        res.status().is_success(),
        "login after restore: {}",
        res.status()
    );
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1/projects/kept-project"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
}
