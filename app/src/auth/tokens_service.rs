//! Personal API tokens: creating, listing, revoking, and turning a Bearer token into a caller.

use chrono::{DateTime, Duration, Utc};

use super::repo::AuthRepo;
use super::service::{AuthSession, hash_token, new_token};
use super::tokens::{
    ApiToken, CreatedToken, MAX_LIVE_TOKENS, TOKEN_PREFIX, looks_like_token, validate_new_token,
};
use super::tokens_repo::TokenRepo;
use crate::db::key_of;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use store::credentials::Credential;

/// How stale `last_used_at` may get before a request refreshes it (saves a write per request).
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A new API token: `tp_` and 256 random bits, URL-safe base64.
pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", new_token())
}

/// The token of an `Authorization: Bearer …` header, if the request has one. A Bearer header
/// that cannot be read yields an empty token (which resolves to nobody). Other schemes are
/// ignored.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?;
    let Ok(value) = value.to_str() else {
        // Unreadable: treat as a (bad) Bearer token so the request is not authenticated by
        // anything else.
        return Some(String::new());
    };
    let value = value.trim_start();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim().to_string())
}

/// Creates a token for the user with id `user_id` and returns it with its list entry. The
/// plaintext exists only in the returned value.
pub async fn create_token(
    state: &AppState,
    user_id: &str,
    name: Option<&str>,
    expires_days: Option<&str>,
) -> AppResult<CreatedToken> {
    let new = validate_new_token(name, expires_days)?;
    let now = Utc::now();
    let expires_at = new.expires_days.map(|d| now + Duration::days(d));
    let token = new_api_token();
    let record = TokenRepo::new(state.db.clone())
        .create(
            user_id,
            &hash_token(&token),
            &new.name,
            expires_at,
            now,
            MAX_LIVE_TOKENS,
        )
        .await?;
    Ok(CreatedToken {
        token,
        info: record.to_dto(now),
    })
}

/// What `touchpoint token create` does: creates a token for the active user with this email
/// and writes `token.create` to the audit log with the actor "cli".
pub async fn create_token_for_email(
    state: &AppState,
    email: &str,
    name: Option<&str>,
    expires_days: Option<&str>,
) -> AppResult<CreatedToken> {
    let email = super::normalize_email(email);
    let repo = AuthRepo::new(state.db.clone());
    let Some(user) = repo.user_by_email(&email).await? else {
        return Err(AppError::NotFound(format!(
            "No user has the email {email}."
        )));
    };
    if !user.active {
        return Err(AppError::Conflict(format!(
            "The user {email} is deactivated; their tokens would not work."
        )));
    }
    let created = create_token(state, &user.key(), name, expires_days).await?;
    repo.audit(
        None,
        "cli",
        "token.create",
        &user.email,
        &audit_detail(&created.info),
        "cli",
    )
    .await?;
    Ok(created)
}

/// The audit detail of a new token: its id, name and expiry; never the token.
pub fn audit_detail(info: &ApiToken) -> String {
    let expiry = info
        .expires_at
        .map_or_else(|| "no expiry".to_string(), |e| format!("expires {e}"));
    format!("token {} \"{}\", {expiry}", info.id, info.name)
}

/// A user's tokens that have not been revoked, newest first.
pub async fn list_tokens(state: &AppState, user_id: &str) -> AppResult<Vec<ApiToken>> {
    let now = Utc::now();
    Ok(TokenRepo::new(state.db.clone())
        .list(user_id)
        .await?
        .iter()
        .map(|t| t.to_dto(now))
        .collect())
}

/// Revokes one of the user's own tokens; any other id (someone else's included) is a 404.
pub async fn revoke_token(state: &AppState, user_id: &str, id: &str) -> AppResult<()> {
    if TokenRepo::new(state.db.clone())
        .revoke(user_id, id.trim(), Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::not_found("API token"))
    }
}

/// The caller behind a Bearer token: `None` unless the token exists, is neither revoked nor
/// expired, and belongs to an active user. Refreshes `last_used_at` at most once a minute.
pub async fn resolve_api_token(state: &AppState, token: &str) -> AppResult<Option<AuthSession>> {
    resolve_api_token_at(state, token, Utc::now()).await
}

/// [`resolve_api_token`] at a given time.
pub async fn resolve_api_token_at(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<AuthSession>> {
    Ok(resolve_api_token_with(
        state,
        token,
        now,
        None,
        crate::auth::service::Activity::Request,
    )
    .await?
    .0)
}

/// [`resolve_api_token_at`], reading the read cache's stamp of `stamp_keys` in the same round
/// trip (the stamp is `None` when the token does not sign anyone in or none was asked for).
pub async fn resolve_api_token_with(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
    wanted: crate::auth::service::StampWanted<'_>,
    activity: crate::auth::service::Activity,
) -> AppResult<(Option<AuthSession>, Option<store::revisions::Stamp>)> {
    if !looks_like_token(token) {
        return Ok((None, None));
    }
    let repo = TokenRepo::new(state.db.clone());
    let hash = hash_token(token);
    let (known, mut stamp) = crate::auth::service::known_credential(state, &hash, wanted).await?;
    let (record, user) = match known {
        Some(Credential::Token(record, user)) => (record, user),
        _ => {
            let keys = wanted.map(|path| state.stamp_keys(&hash, path));
            let ask = if stamp.is_some() {
                None
            } else {
                keys.as_deref()
            };
            let (found, read) = repo.with_user_and_stamp(&hash, ask).await?;
            stamp = stamp.or(read);
            let Some((record, user, revision)) = found else {
                state.credentials.forget(&hash);
                return Ok((None, None));
            };
            state.credentials.remember(
                &hash,
                revision,
                Credential::Token(record.clone(), user.clone()),
            );
            (record, user)
        }
    };
    if record.revoked_at.is_some() || record.expired(now) || !user.active {
        return Ok((None, None));
    }
    if activity == crate::auth::service::Activity::Request
        && record.last_used_at.is_none_or(|t| now - t > TOUCH_EVERY)
    {
        match repo.touch(&record.id, now).await {
            // Concurrent requests with one token: one refresh of its last use is enough.
            Err(e) if e.is_write_conflict() => {}
            other => other?,
        }
    }
    let auth = AuthSession {
        user: user.to_current(),
        session_hash: String::new(),
        token_id: Some(key_of(&record.id)),
    };
    Ok((Some(auth), stamp))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::auth::Role;

    async fn state(name: &str) -> AppState {
        let db = crate::db::connect_isolated("mem://", name)
            .await
            .expect("connect");
        crate::db::migrate(&db).await.expect("migrate");
        AppState::new(
            db,
            crate::state::Settings::default(),
            leptos::config::LeptosOptions::builder()
                .output_name("touchpoint")
                .build(),
        )
    }

    #[test]
    fn api_tokens_are_prefixed_and_long() {
        let t = new_api_token();
        assert!(t.starts_with("tp_"));
        assert_eq!(t.len(), 3 + 43);
        assert!(looks_like_token(&t));
        assert_ne!(t, new_api_token());
    }

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut h = http::HeaderMap::new();
        assert_eq!(bearer_token(&h), None);
        h.insert(
            http::header::AUTHORIZATION,
            "Bearer tp_abc".parse().expect("hv"),
        );
        assert_eq!(bearer_token(&h).as_deref(), Some("tp_abc"));
        h.insert(
            http::header::AUTHORIZATION,
            "bearer  tp_abc ".parse().expect("hv"),
        );
        assert_eq!(bearer_token(&h).as_deref(), Some("tp_abc"));
        h.insert(http::header::AUTHORIZATION, "Bearer".parse().expect("hv"));
        assert_eq!(bearer_token(&h).as_deref(), Some(""));
        h.insert(
            http::header::AUTHORIZATION,
            "Basic YTpi".parse().expect("hv"),
        );
        assert_eq!(bearer_token(&h), None);
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_bytes(b"Bearer \xff").expect("hv"),
        );
        assert_eq!(bearer_token(&h).as_deref(), Some(""));
    }

    #[tokio::test]
    async fn token_service_creates_resolves_expires_and_revokes() {
        let state = state("token_service_flow").await;
        let user = crate::auth::service::create_user(
            &state,
            "cli-user@example.org",
            "Cli User",
            Some("a long password"),
            Role::Lead,
            false,
        )
        .await
        .expect("user");

        // The command-line path: by email, audited as "cli".
        let created = create_token_for_email(
            &state,
            " CLI-User@example.org ",
            Some("Nightly"),
            Some("30"),
        )
        .await
        .expect("create");
        assert!(created.token.starts_with("tp_"));
        assert_eq!(created.info.name, "Nightly");
        assert!(!created.info.expired);
        let audit = AuthRepo::new(state.db.clone())
            .list_audit(10, None, Some("token.create"))
            .await
            .expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor, "cli");
        assert_eq!(audit[0].target, "cli-user@example.org");
        assert!(!audit[0].detail.contains(&created.token));

        let unknown = create_token_for_email(&state, "nobody@example.org", None, None)
            .await
            .expect_err("unknown");
        assert!(matches!(unknown, AppError::NotFound(_)), "{unknown:?}");
        let bad = create_token_for_email(&state, "cli-user@example.org", None, Some("0"))
            .await
            .expect_err("days");
        assert_eq!(bad.field_name(), Some("expires_days"));

        // Resolving refreshes last-used at most once a minute.
        let now = Utc::now();
        let auth = resolve_api_token_at(&state, &created.token, now)
            .await
            .expect("resolve")
            .expect("valid");
        assert_eq!(auth.user.email, "cli-user@example.org");
        assert_eq!(auth.user.role, Role::Lead);
        assert_eq!(auth.token_id.as_deref(), Some(created.info.id.as_str()));
        assert!(auth.via_token());
        let used = list_tokens(&state, &user.key()).await.expect("list")[0].last_used_at;
        assert!(used.is_some());
        resolve_api_token_at(&state, &created.token, now + Duration::seconds(30))
            .await
            .expect("resolve")
            .expect("valid");
        assert_eq!(
            list_tokens(&state, &user.key()).await.expect("list")[0].last_used_at,
            used
        );

        // Expired after 30 days.
        assert!(
            resolve_api_token_at(&state, &created.token, now + Duration::days(31))
                .await
                .expect("resolve")
                .is_none()
        );
        // Garbage and unknown tokens resolve to nobody.
        for bad in ["", "garbage", "tp_unknown", &created.token[3..]] {
            assert!(
                resolve_api_token(&state, bad)
                    .await
                    .expect("resolve")
                    .is_none(),
                "{bad}"
            );
        }

        // A deactivated user's tokens stop working.
        let forever = create_token(&state, &user.key(), None, None)
            .await
            .expect("create");
        assert_eq!(forever.info.name, "API token");
        assert!(forever.info.expires_at.is_none());
        let repo = AuthRepo::new(state.db.clone());
        repo.set_active(&user.key(), false)
            .await
            .expect("deactivate");
        assert!(
            resolve_api_token(&state, &forever.token)
                .await
                .expect("resolve")
                .is_none()
        );
        repo.set_active(&user.key(), true)
            .await
            .expect("reactivate");
        assert!(
            resolve_api_token(&state, &forever.token)
                .await
                .expect("resolve")
                .is_some()
        );

        // Revoked tokens stop working and leave the list; only the owner may revoke.
        let err = revoke_token(&state, "someone-else", &forever.info.id)
            .await
            .expect_err("not yours");
        assert!(matches!(err, AppError::NotFound(_)));
        revoke_token(&state, &user.key(), &forever.info.id)
            .await
            .expect("revoke");
        assert!(
            resolve_api_token(&state, &forever.token)
                .await
                .expect("resolve")
                .is_none()
        );
        let ids: Vec<String> = list_tokens(&state, &user.key())
            .await
            .expect("list")
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, vec![created.info.id.clone()]);
    }
}
