//! Accounts, sessions and the audit log: the types both sides share.

pub mod sso;
pub mod tokens;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A workspace role (DESIGN.md, Roles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    /// Users, settings, audit, backup, import and export, plus everything a lead can do.
    Admin,
    /// Sees every project and the portfolio; creates projects.
    Lead,
    /// Sees only the projects they belong to.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Lead, Role::Member];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Member => "member",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Lead => "Lead",
            Role::Member => "Member",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Admins and workspace leads see every project and act as project leads everywhere.
    pub fn sees_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Lead)
    }
}

/// The signed-in user, as the UI and the guards see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    /// User id.
    pub id: String,
    /// Email address, used to sign in.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Workspace role.
    pub role: Role,
    /// Set for new users and after a reset: only a password change is allowed.
    pub must_change_password: bool,
    /// Whether the user has a password (users who sign in only through SSO have none).
    #[serde(default)]
    pub has_password: bool,
}

impl CurrentUser {
    /// Whether the user is an admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A user as the admin page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// User id.
    pub id: String,
    /// Email address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Workspace role.
    pub role: Role,
    /// Whether the user may sign in.
    pub active: bool,
    /// Whether the user must change their password at the next sign-in.
    pub must_change_password: bool,
    /// Whether sign-ins are refused for now after repeated failures.
    pub locked: bool,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// Their link to an account at the single sign-on provider, if any.
    #[serde(default)]
    pub sso: Option<sso::SsoLinkInfo>,
}

/// One of the signed-in user's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// An opaque id for ending this session.
    pub id: String,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// The browser, as it described itself.
    pub user_agent: String,
    /// The client address it began from.
    pub ip: String,
    /// Whether this is the session making the request.
    pub current: bool,
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Entry id.
    pub id: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who acted: an email, or a description such as "anonymous".
    pub actor: String,
    /// What happened, such as `login` or `user.create`.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// Extra detail.
    pub detail: String,
    /// The client address.
    pub ip: String,
}

/// Normalises an email address for storage and lookup.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email address enough to catch typos; the address is never mailed.
pub fn validate_email(email: &str) -> Result<String, crate::error::AppError> {
    let email = normalize_email(email);
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(crate::error::AppError::field(
            "email",
            "Enter an email address such as name@example.org.",
        ))
    }
}

/// Checks a display name.
pub fn validate_name(name: &str) -> Result<String, crate::error::AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::error::AppError::field("name", "Enter a name."));
    }
    if name.chars().count() > 100 {
        return Err(crate::error::AppError::field(
            "name",
            "Use at most 100 characters.",
        ));
    }
    Ok(name.to_string())
}

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Checks a new password: at least [`MIN_PASSWORD_LEN`] characters, at most 256.
pub fn validate_password(field: &str, password: &str) -> Result<(), crate::error::AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(crate::error::AppError::field(
            field,
            format!("Use at least {MIN_PASSWORD_LEN} characters."),
        ));
    }
    if n > 256 {
        return Err(crate::error::AppError::field(
            field,
            "Use at most 256 characters.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            validate_email("  Ana@Example.ORG ").expect("valid"),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a na@example.org",
            "ana@.org",
        ] {
            let err = validate_email(bad).expect_err(bad);
            assert_eq!(err.field_name(), Some("email"));
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Ana ").expect("valid"), "Ana");
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(101)).is_err());
        assert!(validate_name(&"x".repeat(100)).is_ok());
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(validate_password("password", "123456789").is_err());
        assert!(validate_password("password", "1234567890").is_ok());
        assert!(validate_password("password", &"x".repeat(257)).is_err());
        let err = validate_password("new_password", "short").expect_err("short");
        assert_eq!(err.field_name(), Some("new_password"));
    }

    #[test]
    fn roles_parse_and_order() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
        assert!(Role::Lead.sees_everything());
        assert!(!Role::Member.sees_everything());
    }
}
