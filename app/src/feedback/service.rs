//! Invite links from the outside: resolving a token, the anonymous browser cookie, rate limits,
//! and redirects for forms posted without JavaScript.

use chrono::{DateTime, Duration, DurationRound as _, Utc};

use super::repo::{FeedbackRepo, InviteRecord};
use super::{ADDRESS_LIMIT, InviteState, LINK_LIMIT, RATE_WINDOW_MINUTES};
use crate::auth::service::hash_token;
use crate::error::{AppError, AppResult};
use crate::interviews::plausible_token;
use crate::state::{AppState, Settings};

/// The message for a token that names no link.
pub const UNKNOWN_LINK: &str =
    "This feedback link does not exist. Check that you copied all of it.";
/// The message for a link that can no longer be used.
pub const CLOSED_LINK: &str =
    "This feedback link can no longer be used. Ask the team for a new one.";

/// A resolved link and what state it is in.
pub struct ResolvedLink {
    /// The invite.
    pub invite: InviteRecord,
    /// Usable, expired or revoked.
    pub state: InviteState,
}

/// Finds the invite behind a token. A malformed or unknown token is not found.
pub async fn resolve(state: &AppState, token: &str, now: DateTime<Utc>) -> AppResult<ResolvedLink> {
    if !plausible_token(token) {
        return Err(AppError::NotFound(UNKNOWN_LINK.into()));
    }
    let invite = FeedbackRepo::new(state.db.clone())
        .invite_by_hash(&hash_token(token))
        .await?
        .ok_or_else(|| AppError::NotFound(UNKNOWN_LINK.into()))?;
    let state = InviteState::of(invite.revoked, invite.expires_at, now);
    Ok(ResolvedLink { invite, state })
}

/// Checks the scope hints a form echoes (project key, sprint number) against the link: a token
/// can only be used for its own project and the sprint it names (none, for a link naming none).
pub fn check_scope(
    invite: &InviteRecord,
    project: Option<&str>,
    sprint: Option<&str>,
) -> AppResult<()> {
    let refused =
        || AppError::Forbidden("This link cannot be used for that project or sprint.".into());
    if let Some(p) = project.map(str::trim).filter(|p| !p.is_empty())
        && p != invite.project_key()
    {
        return Err(refused());
    }
    if let Some(s) = sprint.map(str::trim).filter(|s| !s.is_empty()) {
        let named = invite.link_sprint().map(|s| s.number.to_string());
        if named.as_deref() != Some(s) {
            return Err(refused());
        }
    }
    Ok(())
}

/// The name of the cookie that identifies an anonymous browser on `/f/` pages.
pub fn browser_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies {
        "__Secure-touchpoint_fb"
    } else {
        "touchpoint_fb"
    }
}

/// How long the browser cookie lasts.
const BROWSER_COOKIE_DAYS: i64 = 365;

/// The `Set-Cookie` value for a new anonymous browser id: HttpOnly, SameSite=Lax, only sent
/// to `/f/` paths.
pub fn browser_cookie(settings: &Settings, value: &str) -> String {
    cookie::Cookie::build((browser_cookie_name(settings), value.to_string()))
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(cookie::SameSite::Lax)
        .path("/f/")
        .max_age(cookie::time::Duration::days(BROWSER_COOKIE_DAYS))
        .build()
        .to_string()
}

/// The anonymous browser id from the request's cookies, if it has the shape of one.
pub fn browser_id(settings: &Settings, headers: &http::HeaderMap) -> Option<String> {
    crate::auth::service::cookie_value(headers, browser_cookie_name(settings))
        .filter(|v| plausible_token(v))
}

/// Today in the workspace time zone; UTC's today when the setting cannot be read.
pub async fn workspace_today(state: &AppState) -> chrono::NaiveDate {
    crate::workspace::repo::today(&state.db)
        .await
        .unwrap_or_else(|_| Utc::now().date_naive())
}

/// The start of the fixed window that `now` falls into.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(Duration::minutes(RATE_WINDOW_MINUTES))
        .unwrap_or(now)
}

/// Counts a submission against the client address and then the link, refusing with 429 when
/// either is over its limit. An address over its limit does not use up the link's budget.
pub async fn rate_limit(
    state: &AppState,
    invite: &InviteRecord,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let repo = FeedbackRepo::new(state.db.clone());
    let start = window_start(now);
    let too_many = || {
        AppError::RateLimited(
            "Too much feedback has been sent from here just now. Please try again in an hour."
                .into(),
        )
    };
    if repo.hit(&format!("feedback:address:{ip}"), start).await? > ADDRESS_LIMIT {
        return Err(too_many());
    }
    let link = crate::db::key_of(&invite.id);
    if repo.hit(&format!("feedback:link:{link}"), start).await? > LINK_LIMIT {
        return Err(too_many());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::rid;

    fn invite(sprint: Option<i64>) -> InviteRecord {
        InviteRecord {
            id: rid("invite", "i1"),
            project: rid("project", "alpha"),
            project_name: Some("Alpha".into()),
            sprint: sprint.map(|_| rid("sprint", "x")),
            sprint_number: sprint,
            sprint_name: None,
            sprint_goal: None,
            stakeholder: None,
            expires_at: Utc::now(),
            revoked: false,
        }
    }

    #[test]
    fn tokens_are_scoped_to_their_project_and_sprint() {
        let named = invite(Some(2));
        assert!(check_scope(&named, Some("alpha"), Some("2")).is_ok());
        assert!(check_scope(&named, None, None).is_ok());
        assert_eq!(
            check_scope(&named, Some("beta"), None)
                .expect_err("project")
                .code(),
            "forbidden"
        );
        assert_eq!(
            check_scope(&named, Some("alpha"), Some("3"))
                .expect_err("sprint")
                .code(),
            "forbidden"
        );
        let open = invite(None);
        assert!(check_scope(&open, Some("alpha"), Some("")).is_ok());
        assert_eq!(
            check_scope(&open, Some("alpha"), Some("1"))
                .expect_err("unnamed sprint")
                .code(),
            "forbidden"
        );
    }

    #[test]
    fn the_browser_cookie_is_http_only_lax_and_scoped_to_links() {
        let s = Settings::default();
        let c = browser_cookie(&s, "abc");
        assert!(c.starts_with("touchpoint_fb=abc"), "{c}");
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/f/"),
            "{c}"
        );
        assert!(!c.contains("Secure"));
        let tls = Settings {
            secure_cookies: true,
            ..Settings::default()
        };
        assert!(browser_cookie(&tls, "abc").contains("Secure"));

        let token = crate::auth::service::new_token();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("a=1; touchpoint_fb={token}").parse().expect("hv"),
        );
        assert_eq!(browser_id(&s, &headers), Some(token));
        let mut bad = http::HeaderMap::new();
        bad.insert(
            http::header::COOKIE,
            "touchpoint_fb=short".parse().expect("hv"),
        );
        assert_eq!(browser_id(&s, &bad), None, "only values we could have made");
    }

    #[test]
    fn windows_are_fixed_hours() {
        let t = DateTime::parse_from_rfc3339("2026-03-10T13:47:12Z")
            .expect("t")
            .with_timezone(&Utc);
        assert_eq!(window_start(t).to_rfc3339(), "2026-03-10T13:00:00+00:00");
    }
}
