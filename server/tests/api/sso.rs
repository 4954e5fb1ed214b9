//! Single sign-on against a real OpenID Connect provider that no one here wrote
//! (node-oidc-provider, see `sso_idp`): the code flow, the state and the nonce, the ID token's
//! checks, key rotation, and which account a sign-in reaches.

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use super::helpers::{ADMIN_PASSWORD, TestApp, new_client, spawn_app_with};
use super::sso_idp::{
    Idp, PUBLIC, finish_at_touchpoint, location, param, sso_sign_in, to_provider_and_back,
};
use server::config::ServeArgs;

/// A Touchpoint that signs in through `idp` as the client `touchpoint`.
async fn app_with(idp: &Idp, tweak: impl FnOnce(&mut ServeArgs)) -> TestApp {
    let issuer = idp.issuer.clone();
    spawn_app_with(move |args| {
        args.public_url = Some(PUBLIC.into());
        args.sign_in.oidc_issuer = Some(issuer);
        args.sign_in.oidc_client_id = Some("touchpoint".into());
        args.sign_in.oidc_client_secret = Some("touchpoint-secret".into());
        args.sign_in.oidc_display_name = "Test ID".into();
        tweak(args);
    })
    .await
}

/// Creates a user through the admin API; returns their id.
async fn add_user(app: &TestApp, admin: &Client, email: &str, temp: &str) -> String {
    let res = app
        .call(
            admin,
            "admin/users/create",
            &[
                ("email", email),
                ("name", "Invited"),
                ("role", "member"),
                ("temp_password", temp),
            ],
        )
        .await;
    assert!(res.status().is_success(), "create user: {}", res.status());
    let body: Value = res.json().await.expect("json");
    body["id"].as_str().expect("id").to_string()
}

async fn me(app: &TestApp, client: &Client) -> Value {
    let res = app.call(client, "auth/me", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn users(app: &TestApp, admin: &Client) -> Vec<Value> {
    let res = app.call(admin, "admin/users", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn user_by_email(app: &TestApp, admin: &Client, email: &str) -> Option<Value> {
    users(app, admin)
        .await
        .into_iter()
        .find(|u| u["email"] == email)
}

#[tokio::test]
async fn the_code_flow_links_a_verified_email_and_later_sign_ins_match_the_subject() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    // Invited with a temporary password, which the first SSO sign-in drops.
    let id = add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;

    let browser = new_client();
    let landed = sso_sign_in(&app, &browser, "sso-user").await;
    assert_eq!(landed, "/");
    let signed_in = me(&app, &browser).await;
    assert_eq!(signed_in["id"], id.as_str());
    assert_eq!(signed_in["email"], "sso.user@example.org");
    assert_eq!(signed_in["must_change_password"], false);
    assert_eq!(signed_in["has_password"], false);
    // A normal session: listed, with the usual absolute expiry.
    let res = app.call(&browser, "me/sessions", &[]).await;
    let sessions: Value = res.json().await.expect("json");
    let session = &sessions[0];
    let created =
        chrono::DateTime::parse_from_rfc3339(session["created_at"].as_str().expect("created"))
            .expect("time");
    let expires =
        chrono::DateTime::parse_from_rfc3339(session["expires_at"].as_str().expect("expires"))
            .expect("time");
    assert_eq!(expires - created, Duration::days(7));
    // The temporary password no longer signs in.
    let (_, res) = app
        .login("sso.user@example.org", "temporary password 1")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The admin sees the link: issuer and subject.
    let listed = user_by_email(&app, &admin, "sso.user@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"]["subject"], "sso-user");
    assert_eq!(listed["sso"]["issuer"], idp.issuer.as_str());

    // The provider changes the person's email: the subject still reaches the same account.
    idp.put_user("sso-user", "renamed@elsewhere.org", true)
        .await;
    let again = new_client();
    assert_eq!(sso_sign_in(&app, &again, "sso-user").await, "/");
    assert_eq!(me(&app, &again).await["id"], id.as_str());
    let listed = user_by_email(&app, &admin, "sso.user@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"]["email"], "renamed@elsewhere.org");

    // Signing in again in a browser with a session replaces that session.
    let res = app.call(&again, "me/sessions", &[]).await;
    let before: Value = res.json().await.expect("json");
    assert_eq!(sso_sign_in(&app, &again, "sso-user").await, "/");
    let res = app.call(&again, "me/sessions", &[]).await;
    let after: Value = res.json().await.expect("json");
    let count = |v: &Value| v.as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(count(&after), count(&before));
    assert_ne!(after[0]["id"], before[0]["id"]);

    // Signing out ends the SSO session like any other.
    let res = app.call(&again, "auth/logout", &[]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(me(&app, &again).await, Value::Null);
}

#[tokio::test]
async fn where_the_sign_in_began_is_where_it_lands() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;
    let browser = new_client();
    let callback =
        to_provider_and_back(&app, &browser, "/auth/oidc/start?next=/reports", "sso-user").await;
    assert_eq!(finish_at_touchpoint(&browser, &callback).await, "/reports");
    // Another site is never a destination.
    let browser = new_client();
    let callback = to_provider_and_back(
        &app,
        &browser,
        "/auth/oidc/start?next=//evil.example/x",
        "sso-user",
    )
    .await;
    assert_eq!(finish_at_touchpoint(&browser, &callback).await, "/");
}

#[tokio::test]
async fn a_state_works_once_and_only_in_the_browser_that_began_it() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;

    let browser = new_client();
    let callback = to_provider_and_back(&app, &browser, "/auth/oidc/start", "sso-user").await;
    // Another browser (an attacker's link sent to a victim): no state cookie there.
    let stranger = new_client();
    assert_eq!(
        finish_at_touchpoint(&stranger, &callback).await,
        "/login?sso=state"
    );
    assert_eq!(me(&app, &stranger).await, Value::Null);
    // The browser that began it signs in.
    assert_eq!(finish_at_touchpoint(&browser, &callback).await, "/");

    // Replayed, even with the state's cookie put back: the attempt was taken.
    let state = param(&callback, "state");
    let replay = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = replay
        .get(&callback)
        .header("cookie", format!("touchpoint_sso={state}"))
        .send()
        .await
        .expect("replay");
    assert_eq!(location(&res), "/login?sso=state");
    assert!(res.headers().get_all("set-cookie").iter().all(|c| {
        !c.to_str()
            .unwrap_or_default()
            .starts_with("touchpoint_session=")
    }));

    // No state at all.
    let res = browser
        .get(app.url("/auth/oidc/callback?code=x"))
        .send()
        .await
        .expect("no state");
    assert_eq!(location(&res), "/login?sso=state");
}

#[tokio::test]
async fn a_code_that_is_not_this_attempts_is_refused() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;
    let browser = new_client();
    // The first attempt's code...
    let first = to_provider_and_back(&app, &browser, "/auth/oidc/start", "sso-user").await;
    // ...with the second attempt's state (the provider remembers the person: no form now).
    let second = to_provider_and_back(&app, &browser, "/auth/oidc/start", "sso-user").await;
    let mut mixed = reqwest::Url::parse(&second).expect("url");
    mixed
        .query_pairs_mut()
        .clear()
        .append_pair("code", &param(&first, "code"))
        .append_pair("state", &param(&second, "state"));
    // The provider refuses it (PKCE: the code was issued for the other attempt's challenge).
    assert_eq!(
        finish_at_touchpoint(&browser, mixed.as_str()).await,
        "/login?sso=code"
    );
    assert_eq!(me(&app, &browser).await, Value::Null);
}

#[tokio::test]
async fn a_refusal_at_the_provider_says_so() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let browser = new_client();
    let res = browser
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .expect("start");
    let state = param(&location(&res), "state");
    let res = browser
        .get(app.url(&format!(
            "/auth/oidc/callback?error=access_denied&state={state}"
        )))
        .send()
        .await
        .expect("callback");
    assert_eq!(location(&res), "/login?sso=denied");
}

#[tokio::test]
async fn id_tokens_are_checked_for_nonce_audience_expiry_and_signature_with_rotating_keys() {
    let idp = Idp::start().await;
    let client = app::auth::sso::SsoClient::new(app::auth::sso::SsoConfig {
        issuer: idp.issuer.clone(),
        client_id: "touchpoint".into(),
        client_secret: "touchpoint-secret".into(),
        display_name: "Test ID".into(),
        redirect_uri: "http://127.0.0.1:9/cb".into(),
        policy: Default::default(),
    });
    let now = Utc::now();
    let token = idp
        .raw_id_token("touchpoint", "touchpoint-secret", "nonce-1", "sso-user")
        .await;
    let ok = client
        .verify_compact_id_token(&token, "nonce-1", now)
        .await
        .expect("a good token");
    assert_eq!(ok.subject, "sso-user");
    use app::auth::sso::SsoFailure::Invalid;
    // Replayed into another sign-in (another nonce).
    assert_eq!(
        client.verify_compact_id_token(&token, "nonce-2", now).await,
        Err(Invalid)
    );
    // Expired: the same token two hours later.
    assert_eq!(
        client
            .verify_compact_id_token(&token, "nonce-1", now + Duration::hours(2))
            .await,
        Err(Invalid)
    );
    // Issued to another client (wrong audience).
    let theirs = idp
        .raw_id_token("other", "other-secret", "nonce-3", "sso-user")
        .await;
    assert_eq!(
        client
            .verify_compact_id_token(&theirs, "nonce-3", now)
            .await,
        Err(Invalid)
    );
    // Tampered: the signature no longer matches.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1] = format!("{}x", &parts[1][..parts[1].len() - 1]);
    assert_eq!(
        client
            .verify_compact_id_token(&parts.join("."), "nonce-1", now)
            .await,
        Err(Invalid)
    );
    assert_eq!(
        client
            .verify_compact_id_token("not a token", "nonce-1", now)
            .await,
        Err(Invalid)
    );

    // The provider rotates its key: a token signed with the new one verifies (the client
    // reads the keys again), one signed with the retired key no longer does.
    idp.rotate_keys().await;
    let fresh = idp
        .raw_id_token("touchpoint", "touchpoint-secret", "nonce-4", "sso-user")
        .await;
    let ok = client
        .verify_compact_id_token(&fresh, "nonce-4", Utc::now())
        .await
        .expect("a token signed with the new key");
    assert_eq!(ok.subject, "sso-user");
    assert_eq!(
        client
            .verify_compact_id_token(&token, "nonce-1", Utc::now())
            .await,
        Err(Invalid)
    );
}

#[tokio::test]
async fn sign_in_keeps_working_across_a_key_rotation_and_reads_email_from_either_place() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;
    // Email from UserInfo (the provider's default).
    assert_eq!(sso_sign_in(&app, &new_client(), "sso-user").await, "/");
    idp.rotate_keys().await;
    // Email in the ID token this time, signed with the new key.
    idp.claims_in_id_token(true).await;
    let browser = new_client();
    assert_eq!(sso_sign_in(&app, &browser, "sso-user").await, "/");
    assert_eq!(me(&app, &browser).await["email"], "sso.user@example.org");
}

#[tokio::test]
async fn an_unverified_email_is_not_linked() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    add_user(
        &app,
        &admin,
        "unverified@example.org",
        "temporary password 1",
    )
    .await;
    idp.put_user("unverified", "unverified@example.org", false)
        .await;
    let browser = new_client();
    assert_eq!(
        sso_sign_in(&app, &browser, "unverified").await,
        "/login?sso=unverified"
    );
    assert_eq!(me(&app, &browser).await, Value::Null);
    let listed = user_by_email(&app, &admin, "unverified@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"], Value::Null);
}

#[tokio::test]
async fn only_allowed_domains_sign_in() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |args| {
        args.sign_in.oidc_allowed_domains = "example.org".into();
        args.sign_in.oidc_self_registration = true;
    })
    .await;
    let admin = app.setup_admin().await;
    idp.put_user("outsider", "outsider@elsewhere.org", true)
        .await;
    let browser = new_client();
    assert_eq!(
        sso_sign_in(&app, &browser, "outsider").await,
        "/login?sso=domain"
    );
    assert!(
        user_by_email(&app, &admin, "outsider@elsewhere.org")
            .await
            .is_none()
    );
    // The listed domain gets in (self-registration is on here).
    idp.put_user("insider", "insider@example.org", true).await;
    assert_eq!(sso_sign_in(&app, &new_client(), "insider").await, "/");
}

#[tokio::test]
async fn unknown_people_need_an_invitation_unless_first_sign_ins_create_accounts() {
    let idp = Idp::start().await;
    idp.put_user("newcomer", "newcomer@example.org", true).await;
    let closed = app_with(&idp, |_| {}).await;
    let admin = closed.setup_admin().await;
    let browser = new_client();
    assert_eq!(
        sso_sign_in(&closed, &browser, "newcomer").await,
        "/login?sso=no_account"
    );
    assert!(
        user_by_email(&closed, &admin, "newcomer@example.org")
            .await
            .is_none()
    );

    let open = app_with(&idp, |args| {
        args.sign_in.oidc_self_registration = true;
        args.sign_in.oidc_default_role = "lead".into();
    })
    .await;
    let admin = open.setup_admin().await;
    let browser = new_client();
    assert_eq!(sso_sign_in(&open, &browser, "newcomer").await, "/");
    let created = me(&open, &browser).await;
    assert_eq!(created["email"], "newcomer@example.org");
    assert_eq!(created["name"], "User newcomer");
    assert_eq!(created["role"], "lead");
    let listed = user_by_email(&open, &admin, "newcomer@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"]["subject"], "newcomer");
    // No password was set: the password form cannot reach the account.
    let (_, res) = open.login("newcomer@example.org", "").await;
    assert!(res.status().is_client_error());
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_through_sso() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    let id = add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;
    // Linked first, then deactivated.
    assert_eq!(sso_sign_in(&app, &new_client(), "sso-user").await, "/");
    let res = app
        .call(
            &admin,
            "admin/users/active",
            &[("user_id", &id), ("active", "false")],
        )
        .await;
    assert!(res.status().is_success());
    let browser = new_client();
    assert_eq!(
        sso_sign_in(&app, &browser, "sso-user").await,
        "/login?sso=deactivated"
    );
    assert_eq!(me(&app, &browser).await, Value::Null);
}

#[tokio::test]
async fn an_unreachable_provider_is_a_message_not_an_error_page() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let app = spawn_app_with(move |args| {
        args.public_url = Some(PUBLIC.into());
        args.sign_in.oidc_issuer = Some(format!("http://127.0.0.1:{port}"));
        args.sign_in.oidc_client_id = Some("touchpoint".into());
        args.sign_in.oidc_client_secret = Some("touchpoint-secret".into());
    })
    .await;
    let res = new_client()
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .expect("start");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?sso=unreachable");
    // The sign-in page says it in words, and names the provider.
    let page = new_client()
        .get(app.url("/login?sso=unreachable"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("single sign-on cannot be reached right now"),
        "{page}"
    );
}

#[tokio::test]
async fn password_sign_in_can_be_turned_off_and_admins_see_the_settings_without_the_secret() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |args| args.sign_in.password_sign_in = false).await;
    let admin = app.setup_admin().await;
    let (_, res) = app.login("admin@example.org", ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Sign in with Test ID"),
        "{body}"
    );
    let page = new_client()
        .get(app.url("/login"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Sign in with Test ID"));
    assert!(!page.contains("name=\"password\""));

    let res = app.call(&admin, "admin/sso", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let status: Value = res.json().await.expect("json");
    assert_eq!(status["enabled"], true);
    assert_eq!(status["client_id"], "touchpoint");
    assert_eq!(status["client_secret_set"], true);
    assert_eq!(status["password_sign_in"], false);
    assert_eq!(
        status["redirect_uri"],
        format!("{PUBLIC}/auth/oidc/callback")
    );
    assert!(!status.to_string().contains("touchpoint-secret"));
    let settings_page = admin
        .get(app.url("/admin/settings"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(settings_page.contains(&idp.issuer));
    assert!(!settings_page.contains("touchpoint-secret"));
}

#[tokio::test]
async fn admins_can_remove_a_link_and_others_cannot() {
    let idp = Idp::start().await;
    let app = app_with(&idp, |_| {}).await;
    let admin = app.setup_admin().await;
    let id = add_user(&app, &admin, "sso.user@example.org", "temporary password 1").await;
    let member = new_client();
    assert_eq!(sso_sign_in(&app, &member, "sso-user").await, "/");

    // A member may not remove links (theirs or anyone's).
    let res = app
        .call(&member, "admin/users/sso-unlink", &[("user_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Through the REST API, with the admin's token.
    let res = app
        .call(&admin, "auth/tokens/create", &[("name", "sso test")])
        .await;
    assert!(res.status().is_success(), "token: {}", res.status());
    let token: Value = res.json().await.expect("json");
    let secret = token["token"].as_str().expect("token").to_string();
    let rest = Client::new();
    let res = rest
        .delete(app.url(&format!("/api/v1/users/{id}/sso")))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = rest
        .delete(app.url(&format!("/api/v1/users/{id}/sso")))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("delete again");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let listed = user_by_email(&app, &admin, "sso.user@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"], Value::Null);
    // The next SSO sign-in links again by the verified email.
    assert_eq!(sso_sign_in(&app, &new_client(), "sso-user").await, "/");
    let listed = user_by_email(&app, &admin, "sso.user@example.org")
        .await
        .expect("user");
    assert_eq!(listed["sso"]["subject"], "sso-user");
}
