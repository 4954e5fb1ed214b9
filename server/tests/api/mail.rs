//! The outbox through the API: off without settings, admins only, checked addresses. What the
//! SMTP server receives is checked by `scripts/mail-test.py` against aiosmtpd.

use reqwest::StatusCode;
use serde_json::Value;

use super::helpers::{error_code, new_client, spawn_app, spawn_app_with};

#[tokio::test]
async fn without_settings_mail_is_off_and_nothing_is_queued() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app.call(&admin, "admin/outbox", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let outbox: Value = res.json().await.expect("json");
    assert_eq!(outbox["from"], Value::Null);
    let res = app
        .call(&admin, "admin/outbox/test", &[("to", "a@example.org")])
        .await;
    let (status, code) = error_code(res).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(code, "conflict");
    let res = app.call(&admin, "admin/outbox", &[]).await;
    let outbox: Value = res.json().await.expect("json");
    assert_eq!(outbox["entries"], Value::Array(Vec::new()));
}

#[tokio::test]
async fn admins_queue_a_test_message_and_see_it_in_the_outbox() {
    // A mail server that is not there: the message stays pending, with the reason.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let app = spawn_app_with(move |args| {
        args.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        args.mail.mail_from = Some("Touchpoint <touchpoint@example.org>".into());
        // Messages link back to Touchpoint: email needs the public address.
        args.public_url = Some("https://touchpoint.example.org".into());
    })
    .await;
    let admin = app.setup_admin().await;
    let res = app
        .call(&admin, "admin/outbox/test", &[("to", "not an address")])
        .await;
    let (status, code) = error_code(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code, "validation");
    let res = app
        .call(
            &admin,
            "admin/outbox/test",
            &[("to", " Reader@Example.org ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&admin, "admin/outbox", &[]).await;
    let outbox: Value = res.json().await.expect("json");
    assert_eq!(outbox["from"], "Touchpoint <touchpoint@example.org>");
    let entry = &outbox["entries"][0];
    assert_eq!(entry["recipient"], "reader@example.org");
    assert_eq!(entry["kind"], "test");
    assert_eq!(entry["subject"], "Touchpoint test message");

    // The attempt fails (nothing listens) and is kept for a retry, with a reason.
    let mut last = Value::Null;
    for _ in 0..50 {
        let res = app.call(&admin, "admin/outbox", &[]).await;
        let outbox: Value = res.json().await.expect("json");
        last = outbox["entries"][0].clone();
        if last["attempts"].as_i64().unwrap_or_default() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "pending", "{last}");
    assert_eq!(last["attempts"], 1, "{last}");
    assert_eq!(last["last_error"], "the mail server could not be reached");

    // Members see neither the outbox nor its form.
    let res = app
        .call(
            &admin,
            "admin/users/create",
            &[
                ("email", "member@example.org"),
                ("name", "Member"),
                ("role", "member"),
                ("temp_password", "temporary password 1"),
            ],
        )
        .await;
    assert!(res.status().is_success());
    let (member, _) = app
        .login("member@example.org", "temporary password 1")
        .await;
    for (endpoint, form) in [
        ("admin/outbox", vec![]),
        ("admin/outbox/test", vec![("to", "x@example.org")]),
    ] {
        let res = app.call(&member, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
}

#[tokio::test]
async fn email_choices_are_a_members_own_and_unsubscribe_takes_only_known_tokens() {
    let app = spawn_app().await;
    // Without a session: no choices to read or change.
    let anonymous = new_client();
    let res = app
        .call(
            &anonymous,
            "me/mail/save",
            &[("feedback", "immediately"), ("digest", "daily")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.call(&anonymous, "me/mail/digest-now", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let admin = app.setup_admin().await;
    let res = app.call(&admin, "me/mail", &[]).await;
    let settings: Value = res.json().await.expect("json");
    assert_eq!(settings["on"], false);
    assert_eq!(settings["preferences"]["feedback"], "off");
    assert_eq!(settings["preferences"]["digest"], "off");
    let res = app
        .call(
            &admin,
            "me/mail/save",
            &[("feedback", "hourly"), ("digest", "daily")],
        )
        .await;
    let (status, code) = error_code(res).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation")
    );
    let res = app
        .call(
            &admin,
            "me/mail/save",
            &[("feedback", "digest"), ("digest", "weekly")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let settings: Value = app
        .call(&admin, "me/mail", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(settings["preferences"]["feedback"], "digest");
    assert_eq!(settings["preferences"]["digest"], "weekly");
    // Email is off: no digest to send now.
    let res = app.call(&admin, "me/mail/digest-now", &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Unknown or malformed unsubscribe tokens: 404, from the page's function and the POST.
    let token = "A".repeat(43);
    let res = app
        .call(&anonymous, "unsubscribe/status", &[("token", &token)])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for path in [
        format!("/unsubscribe/{token}"),
        "/unsubscribe/short".to_string(),
    ] {
        let res = anonymous
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "https://mail.example.net")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
