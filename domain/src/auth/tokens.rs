//! Personal API tokens: the types both sides share and the validation of new tokens.
//!
//! A token is `tp_` followed by 256 random bits (URL-safe base64). It is shown once, when it is
//! created; the database keeps only its SHA-256 hash. A token sent as
//! `Authorization: Bearer …` acts as its user, with the user's role and project access.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The prefix that makes a Touchpoint API token recognisable (for people and secret scanners).
pub const TOKEN_PREFIX: &str = "tp_";

/// The name a token gets when none is given.
pub const DEFAULT_TOKEN_NAME: &str = "API token";

/// The longest token name.
pub const MAX_TOKEN_NAME: usize = 80;

/// The longest lifetime, in days (about ten years).
pub const MAX_EXPIRES_DAYS: i64 = 3650;

/// How many live (neither revoked nor expired) tokens one user may hold.
pub const MAX_LIVE_TOKENS: i64 = 50;

/// One of a user's API tokens, as lists show it. Never carries the token or its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// An opaque id for revoking the token.
    pub id: String,
    /// What the token is for.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whether it has expired.
    pub expired: bool,
}

/// A token just created: the secret, shown this once, and its list entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// The token itself. It cannot be shown again.
    pub token: String,
    /// The token as lists show it.
    pub info: ApiToken,
}

/// A checked request for a new token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    /// The name, trimmed; the default name when none was given.
    pub name: String,
    /// The lifetime in days; `None` for a token that does not expire.
    pub expires_days: Option<i64>,
}

/// Checks a token name: empty means the default name; at most [`MAX_TOKEN_NAME`] characters.
pub fn validate_token_name(name: Option<&str>) -> Result<String, AppError> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Ok(DEFAULT_TOKEN_NAME.to_string());
    }
    if name.chars().count() > MAX_TOKEN_NAME {
        return Err(AppError::field(
            "name",
            format!("Use at most {MAX_TOKEN_NAME} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field(
            "name",
            "Use letters, digits, spaces and punctuation only.",
        ));
    }
    Ok(name.to_string())
}

/// Checks a lifetime in days: empty for no expiry, else a whole number from 1 to
/// [`MAX_EXPIRES_DAYS`].
pub fn validate_expires_days(days: Option<&str>) -> Result<Option<i64>, AppError> {
    let days = days.map(str::trim).unwrap_or_default();
    if days.is_empty() {
        return Ok(None);
    }
    match days.parse::<i64>() {
        Ok(n) if (1..=MAX_EXPIRES_DAYS).contains(&n) => Ok(Some(n)),
        _ => Err(AppError::field(
            "expires_days",
            format!(
                "Enter a whole number of days from 1 to {MAX_EXPIRES_DAYS}, or leave it empty for no expiry."
            ),
        )),
    }
}

/// Checks the fields of a new token.
pub fn validate_new_token(
    name: Option<&str>,
    expires_days: Option<&str>,
) -> Result<NewToken, AppError> {
    Ok(NewToken {
        name: validate_token_name(name)?,
        expires_days: validate_expires_days(expires_days)?,
    })
}

/// Whether a string looks like a Touchpoint API token (checked before any lookup).
pub fn looks_like_token(token: &str) -> bool {
    token.len() > TOKEN_PREFIX.len()
        && token.len() <= 128
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_names_default_trim_and_are_bounded() {
        assert_eq!(validate_token_name(None).expect("default"), "API token");
        assert_eq!(
            validate_token_name(Some("   ")).expect("default"),
            "API token"
        );
        assert_eq!(
            validate_token_name(Some("  CI job ")).expect("ok"),
            "CI job"
        );
        assert_eq!(
            validate_token_name(Some(&"é".repeat(80))).expect("80 chars"),
            "é".repeat(80)
        );
        let err = validate_token_name(Some(&"x".repeat(81))).expect_err("too long");
        assert_eq!(err.field_name(), Some("name"));
        let err = validate_token_name(Some("a\u{0}b")).expect_err("control");
        assert_eq!(err.field_name(), Some("name"));
    }

    #[test]
    fn token_expiry_is_empty_or_one_to_3650_days() {
        assert_eq!(validate_expires_days(None).expect("none"), None);
        assert_eq!(validate_expires_days(Some(" ")).expect("none"), None);
        assert_eq!(validate_expires_days(Some("1")).expect("1"), Some(1));
        assert_eq!(validate_expires_days(Some(" 30 ")).expect("30"), Some(30));
        assert_eq!(
            validate_expires_days(Some("3650")).expect("max"),
            Some(3650)
        );
        for bad in [
            "0",
            "-1",
            "3651",
            "1.5",
            "ten",
            "1e3",
            "99999999999999999999",
        ] {
            let err = validate_expires_days(Some(bad)).expect_err(bad);
            assert_eq!(err.field_name(), Some("expires_days"), "{bad}");
        }
    }

    #[test]
    fn token_requests_report_the_first_bad_field() {
        let ok = validate_new_token(Some("Nightly export"), Some("90")).expect("ok");
        assert_eq!(
            ok,
            NewToken {
                name: "Nightly export".into(),
                expires_days: Some(90)
            }
        );
        let err = validate_new_token(Some("ok"), Some("0")).expect_err("days");
        assert_eq!(err.field_name(), Some("expires_days"));
        let err = validate_new_token(Some(&"n".repeat(81)), Some("0")).expect_err("name");
        assert_eq!(err.field_name(), Some("name"));
    }

    #[test]
    fn token_shape_is_checked_before_lookup() {
        assert!(looks_like_token(
            "tp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
        ));
        assert!(looks_like_token("tp_a-b_c"));
        for bad in [
            "",
            "tp_",
            "abc",
            "TP_abc",
            "tp_abc def",
            "tp_abc=",
            &format!("tp_{}", "a".repeat(200)),
        ] {
            assert!(!looks_like_token(bad), "{bad}");
        }
    }
}
