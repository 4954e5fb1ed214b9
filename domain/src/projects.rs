//! Projects and their members: the types both sides share, and input validation.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use crate::fields::{check_text, parse_date, parse_opt_date};
pub use crate::format::{MemberRole, MlNeeded, ProjectStatus};

/// A project as the UI and the API see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Project {
    /// The unique slug; it never changes and appears in URLs.
    pub key: String,
    /// Name.
    pub name: String,
    /// The problem the project addresses.
    pub problem_statement: String,
    /// Who the end users are.
    pub end_users: String,
    /// Status.
    pub status: ProjectStatus,
    /// The accountable user's id.
    pub lead: Option<String>,
    /// The accountable user's name.
    pub lead_name: Option<String>,
    /// The day the project started.
    pub started_on: NaiveDate,
    /// Target sprint length in days (1–42).
    pub target_iteration_days: u32,
    /// Days without end-user contact before contact is stale (1–365).
    pub contact_threshold_days: u32,
    /// Whether ML is needed at all.
    pub ml_needed: MlNeeded,
    /// The simpler baseline that was considered.
    pub baseline_considered: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What the caller may do in a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum AccessLevel {
    /// Read only (project viewers).
    Read,
    /// Record work, triage feedback, create invites (project members).
    Write,
    /// Members, settings, deletions (project leads, workspace leads and admins).
    Manage,
}

impl AccessLevel {
    /// From a workspace role and an optional project membership (DESIGN.md, Roles). `None`
    /// means the project is not visible at all.
    pub fn resolve(workspace: crate::auth::Role, member: Option<MemberRole>) -> Option<Self> {
        if workspace.sees_everything() {
            return Some(Self::Manage);
        }
        member.map(|m| match m {
            MemberRole::Lead => Self::Manage,
            MemberRole::Member => Self::Write,
            MemberRole::Viewer => Self::Read,
        })
    }

    /// Whether the caller may record work.
    pub fn can_write(self) -> bool {
        self >= Self::Write
    }

    /// Whether the caller may manage members, settings and deletions.
    pub fn can_manage(self) -> bool {
        self >= Self::Manage
    }
}

/// A row of the project list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSummary {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: ProjectStatus,
    /// Lead's name.
    pub lead_name: Option<String>,
    /// The sprint running today: (number, name).
    pub current_sprint: Option<(u32, String)>,
    /// Last end-user contact (filled in by the signals).
    pub last_contact_on: Option<NaiveDate>,
    /// Why the project lacks end-user contact, when it does.
    pub lacking_contact: Option<String>,
}

/// A page of the project list, in name order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectList {
    /// The projects on this page.
    pub items: Vec<ProjectSummary>,
    /// How many projects the list has on all its pages.
    pub total: usize,
    /// How many projects come before this page.
    pub offset: usize,
    /// The cursor of the next page (a sort key), if there is one.
    pub next: Option<String>,
    /// The cursor of the previous page, if there is one.
    pub prev: Option<String>,
}

/// Projects on a page of the project list.
pub const LIST_PAGE: usize = 50;

/// A project member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    /// User id.
    pub user_id: String,
    /// Display name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Role in the project.
    pub role: MemberRole,
}

/// A project with the caller's access and its members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectDetail {
    /// The project.
    pub project: Project,
    /// What the caller may do.
    pub access: AccessLevel,
    /// Members.
    pub members: Vec<Member>,
    /// End-user contact as of today (DESIGN.md), with its flags and their reasons.
    pub contact: Option<crate::signals::EndUserContact>,
}

/// A user to pick from (name only; emails are not needed to pick).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserChoice {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// The editable fields of a project, as submitted by a form (all strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectForm {
    /// Name.
    pub name: String,
    /// Problem statement.
    #[serde(default)]
    pub problem_statement: String,
    /// End users.
    #[serde(default)]
    pub end_users: String,
    /// Status name.
    #[serde(default)]
    pub status: String,
    /// Lead user id (empty: keep or use the creator).
    #[serde(default)]
    pub lead: String,
    /// Start date, `YYYY-MM-DD`.
    #[serde(default)]
    pub started_on: String,
    /// Target sprint length.
    #[serde(default)]
    pub target_iteration_days: String,
    /// Contact threshold.
    #[serde(default)]
    pub contact_threshold_days: String,
    /// ML needed.
    #[serde(default)]
    pub ml_needed: String,
    /// Baseline considered.
    #[serde(default)]
    pub baseline_considered: String,
}

/// Validated project fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidProject {
    /// Name.
    pub name: String,
    /// Problem statement.
    pub problem_statement: String,
    /// End users.
    pub end_users: String,
    /// Status.
    pub status: ProjectStatus,
    /// Lead user id, if one was chosen.
    pub lead: Option<String>,
    /// Start date.
    pub started_on: NaiveDate,
    /// Target sprint length.
    pub target_iteration_days: u32,
    /// Contact threshold.
    pub contact_threshold_days: u32,
    /// ML needed.
    pub ml_needed: MlNeeded,
    /// Baseline considered.
    pub baseline_considered: String,
}

/// Longest free text accepted in a project field.
pub const MAX_TEXT: usize = 5000;

/// Checks a project key: `^[a-z0-9][a-z0-9-]{1,39}$`, and `new` is reserved.
pub fn validate_key(key: &str) -> Result<String, AppError> {
    let key = key.trim();
    let ok = (2..=40).contains(&key.len())
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(AppError::field(
            "key",
            "Use 2–40 lowercase letters, digits or hyphens, starting with a letter or digit.",
        ));
    }
    if key == "new" {
        return Err(AppError::field(
            "key",
            "`new` is reserved; choose another key.",
        ));
    }
    Ok(key.to_string())
}

/// Suggests a key from a name: lowercase, hyphens for everything else.
pub fn suggest_key(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

fn parse_int(
    field: &str,
    value: &str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(default);
    }
    let n: u32 = value
        .parse()
        .map_err(|_| AppError::field(field, "Enter a whole number."))?;
    if !range.contains(&n) {
        return Err(AppError::field(
            field,
            format!("Enter a number from {} to {}.", range.start(), range.end()),
        ));
    }
    Ok(n)
}

impl ProjectForm {
    /// Validates every field; the first problem is reported against its field.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidProject, AppError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter a name."));
        }
        let name = check_text("name", name, 120)?;
        let status = if self.status.trim().is_empty() {
            ProjectStatus::default()
        } else {
            self.status
                .trim()
                .parse()
                .map_err(|_| AppError::field("status", "Choose a status from the list."))?
        };
        let ml_needed = if self.ml_needed.trim().is_empty() {
            MlNeeded::default()
        } else {
            self.ml_needed
                .trim()
                .parse()
                .map_err(|_| AppError::field("ml_needed", "Choose unknown, yes or no."))?
        };
        let started_on = if self.started_on.trim().is_empty() {
            today
        } else {
            parse_date("started_on", &self.started_on)?
        };
        Ok(ValidProject {
            name,
            problem_statement: check_text("problem_statement", &self.problem_statement, MAX_TEXT)?,
            end_users: check_text("end_users", &self.end_users, MAX_TEXT)?,
            status,
            lead: Some(self.lead.trim().to_string()).filter(|l| !l.is_empty()),
            started_on,
            target_iteration_days: parse_int(
                "target_iteration_days",
                &self.target_iteration_days,
                14,
                1..=42,
            )?,
            contact_threshold_days: parse_int(
                "contact_threshold_days",
                &self.contact_threshold_days,
                30,
                1..=365,
            )?,
            ml_needed,
            baseline_considered: check_text(
                "baseline_considered",
                &self.baseline_considered,
                MAX_TEXT,
            )?,
        })
    }
}

/// The reasons of the red contact flags, as one sentence list.
pub fn lacking_reason(contact: &crate::signals::EndUserContact) -> String {
    contact
        .flags
        .iter()
        .filter(|f| f.level == crate::signals::Level::Red)
        .map(|f| f.reason.clone())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    #[test]
    fn keys_follow_the_rule() {
        assert_eq!(
            validate_key("readmission-risk").expect("ok"),
            "readmission-risk"
        );
        assert_eq!(validate_key("a1").expect("ok"), "a1");
        for bad in [
            "a",
            "-abc",
            "Abc",
            "ab_c",
            "new",
            &"a".repeat(41),
            "ab c",
            "äb",
        ] {
            let e = validate_key(bad).expect_err(bad);
            assert_eq!(e.field_name(), Some("key"), "{bad}");
        }
        assert!(validate_key(&"a".repeat(40)).is_ok());
    }

    #[test]
    fn keys_are_suggested_from_names() {
        assert_eq!(suggest_key("Readmission Risk (v2)"), "readmission-risk-v2");
        assert_eq!(suggest_key("  ---  "), "");
    }

    #[test]
    fn forms_take_defaults_and_check_ranges() {
        let form = ProjectForm {
            name: " Churn model ".into(),
            ..ProjectForm::default()
        };
        let v = form.validate(today()).expect("valid");
        assert_eq!(v.name, "Churn model");
        assert_eq!(v.status, ProjectStatus::Active);
        assert_eq!(v.ml_needed, MlNeeded::Unknown);
        assert_eq!(v.target_iteration_days, 14);
        assert_eq!(v.contact_threshold_days, 30);
        assert_eq!(v.started_on, today());

        let cases = [
            (
                ProjectForm {
                    name: " ".into(),
                    ..Default::default()
                },
                "name",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    target_iteration_days: "43".into(),
                    ..Default::default()
                },
                "target_iteration_days",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    target_iteration_days: "0".into(),
                    ..Default::default()
                },
                "target_iteration_days",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    target_iteration_days: "two".into(),
                    ..Default::default()
                },
                "target_iteration_days",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    contact_threshold_days: "366".into(),
                    ..Default::default()
                },
                "contact_threshold_days",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    status: "done".into(),
                    ..Default::default()
                },
                "status",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    ml_needed: "maybe".into(),
                    ..Default::default()
                },
                "ml_needed",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    started_on: "2026-13-01".into(),
                    ..Default::default()
                },
                "started_on",
            ),
            (
                ProjectForm {
                    name: "x".into(),
                    baseline_considered: "y".repeat(5001),
                    ..Default::default()
                },
                "baseline_considered",
            ),
        ];
        for (form, field) in cases {
            let e = form.validate(today()).expect_err(field);
            assert_eq!(e.field_name(), Some(field));
        }
        let edge = ProjectForm {
            name: "x".into(),
            target_iteration_days: "42".into(),
            contact_threshold_days: "365".into(),
            ..Default::default()
        };
        assert!(edge.validate(today()).is_ok());
    }

    #[test]
    fn access_follows_the_role_table() {
        use AccessLevel::*;
        assert_eq!(AccessLevel::resolve(Role::Admin, None), Some(Manage));
        assert_eq!(AccessLevel::resolve(Role::Lead, None), Some(Manage));
        assert_eq!(
            AccessLevel::resolve(Role::Lead, Some(MemberRole::Viewer)),
            Some(Manage)
        );
        assert_eq!(AccessLevel::resolve(Role::Member, None), None);
        assert_eq!(
            AccessLevel::resolve(Role::Member, Some(MemberRole::Lead)),
            Some(Manage)
        );
        assert_eq!(
            AccessLevel::resolve(Role::Member, Some(MemberRole::Member)),
            Some(Write)
        );
        assert_eq!(
            AccessLevel::resolve(Role::Member, Some(MemberRole::Viewer)),
            Some(Read)
        );
        assert!(!Read.can_write());
        assert!(Write.can_write() && !Write.can_manage());
        assert!(Manage.can_manage());
    }
}
