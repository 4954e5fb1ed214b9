//! The workspace-wide stakeholder directory: the types both sides share, input validation and
//! the visibility rules (who sees emails and self-described attributes, who may write).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use crate::format::{Function, MemberRole};

/// The name an erased stakeholder is shown under.
pub const ERASED_NAME: &str = "Erased stakeholder";
/// How many directory rows a page shows at first, and how many more "Show more" adds.
pub const PAGE_SIZE: u32 = 50;
/// The most directory rows one request returns.
pub const MAX_LIMIT: u32 = 500;
/// At most this many self-described attributes per stakeholder.
pub const MAX_ATTRIBUTES: usize = 20;
/// Longest notes accepted.
pub const MAX_NOTES: usize = 5000;

/// A project a stakeholder is linked to, as the caller may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectRef {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
}

/// A stakeholder as the UI and the API see it. `email`, `attributes` and `consented_on` are
/// filled in only for callers who may see them (see [`Viewer::sees_private`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stakeholder {
    /// Id (the record key).
    pub id: String,
    /// Name ([`ERASED_NAME`] once erased).
    pub name: String,
    /// Email, only for callers who may see it.
    pub email: Option<String>,
    /// Organization.
    pub organization: String,
    /// Job title.
    pub title: String,
    /// Function in the taxonomy.
    pub function: Function,
    /// Linked projects the caller can see.
    pub projects: Vec<ProjectRef>,
    /// Free notes.
    pub notes: String,
    /// Self-described attributes (dimension → value), only for callers who may see them.
    pub attributes: BTreeMap<String, String>,
    /// When consent to keep the attributes was recorded, only for callers who may see it.
    pub consented_on: Option<NaiveDate>,
    /// When the stakeholder was erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// The entry this one was merged into.
    pub merged_into: Option<String>,
    /// Whether email and attributes were sent to this caller.
    pub private_visible: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Stakeholder {
    /// Whether the entry has been erased.
    pub fn is_erased(&self) -> bool {
        self.erased_at.is_some()
    }
}

/// A row of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StakeholderSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email, only for callers who may see it.
    pub email: Option<String>,
    /// Organization.
    pub organization: String,
    /// Job title.
    pub title: String,
    /// Function.
    pub function: Function,
    /// Linked projects the caller can see.
    pub projects: Vec<ProjectRef>,
    /// Whether the entry has been erased.
    pub erased: bool,
}

/// One page of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderList {
    /// The rows, by name.
    pub items: Vec<StakeholderSummary>,
    /// Whether more rows match than were returned.
    pub has_more: bool,
    /// The limit that was applied.
    pub limit: u32,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
    /// Whether this is a later page (opened with `after`).
    pub continued: bool,
    /// Whether the email column means anything to this caller.
    pub shows_emails: bool,
}

/// A sprint review the stakeholder attended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendedReview {
    /// Project key.
    pub project_key: String,
    /// Project name.
    pub project_name: String,
    /// Sprint number.
    pub sprint_number: u32,
    /// The day the review was held.
    pub held_on: NaiveDate,
}

impl AttendedReview {
    /// The review's page.
    pub fn href(&self) -> String {
        format!(
            "/projects/{}/sprints/{}/review",
            self.project_key, self.sprint_number
        )
    }
}

/// A stakeholder with what the caller may do with them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderDetail {
    /// The stakeholder.
    pub stakeholder: Stakeholder,
    /// Reviews they attended, in projects the caller can see, newest first.
    pub reviews: Vec<AttendedReview>,
    /// Whether the caller may edit the entry.
    pub can_edit: bool,
    /// Whether the caller may merge and erase (admins and workspace leads).
    pub can_merge: bool,
    /// Projects the caller may link the stakeholder to (not linked yet).
    pub linkable: Vec<ProjectRef>,
    /// Keys of linked projects the caller may unlink.
    pub unlinkable: Vec<String>,
}

/// A project as the directory's forms offer it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChoice {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Whether the caller may link stakeholders to it.
    pub can_write: bool,
}

/// What the directory page needs to know about the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryContext {
    /// Projects the caller can see, by name.
    pub projects: Vec<ProjectChoice>,
    /// Whether the caller may add stakeholders.
    pub can_create: bool,
    /// Whether the caller may record emails and attributes for some project (or everywhere).
    pub can_record_private: bool,
    /// Admins and workspace leads: no project needs to be chosen.
    pub sees_everything: bool,
}

/// A stakeholder to pick from (reviews, interviews, feedback, data-quality owners).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderChoice {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Function.
    pub function: Function,
}

/// What the caller is, for the directory's rules: a workspace-wide lead or admin, or a member
/// with roles in some projects. Built by the service from the caller's memberships.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    /// Admins and workspace leads: act as project leads everywhere.
    pub everything: bool,
    /// Visible projects: key → (name, membership role; `None` for admins and workspace leads).
    pub projects: BTreeMap<String, (String, Option<MemberRole>)>,
}

impl Viewer {
    /// Whether the caller can see a project.
    pub fn can_see_project(&self, key: &str) -> bool {
        self.projects.contains_key(key)
    }

    /// Whether the caller may record work in a project (link stakeholders to it).
    pub fn can_write_project(&self, key: &str) -> bool {
        match self.projects.get(key) {
            Some(_) if self.everything => true,
            Some((_, Some(role))) => *role != MemberRole::Viewer,
            _ => false,
        }
    }

    /// Whether the caller leads a project (or leads everywhere).
    pub fn leads_project(&self, key: &str) -> bool {
        match self.projects.get(key) {
            Some(_) if self.everything => true,
            Some((_, Some(role))) => *role == MemberRole::Lead,
            _ => false,
        }
    }

    /// Whether the caller may see the email and attributes of a stakeholder linked to
    /// `projects`: admins, workspace leads and leads of one of those projects.
    pub fn sees_private<S: AsRef<str>>(&self, projects: &[S]) -> bool {
        self.everything || projects.iter().any(|p| self.leads_project(p.as_ref()))
    }

    /// Whether the caller may edit a stakeholder linked to `projects`: admins, workspace leads,
    /// and members with write access to one of those projects.
    pub fn can_edit<S: AsRef<str>>(&self, projects: &[S]) -> bool {
        self.everything || projects.iter().any(|p| self.can_write_project(p.as_ref()))
    }

    /// Whether the caller may add stakeholders at all.
    pub fn can_create(&self) -> bool {
        self.everything
            || self
                .projects
                .values()
                .any(|(_, r)| matches!(r, Some(MemberRole::Lead | MemberRole::Member)))
    }

    /// Whether the caller may record emails and attributes somewhere.
    pub fn can_record_private(&self) -> bool {
        self.everything
            || self
                .projects
                .values()
                .any(|(_, r)| *r == Some(MemberRole::Lead))
    }

    /// Merging and erasing: admins and workspace leads only.
    pub fn can_merge(&self) -> bool {
        self.everything
    }

    /// The linked projects the caller can see, with names, in the given order.
    pub fn visible_refs<S: AsRef<str>>(&self, projects: &[S]) -> Vec<ProjectRef> {
        projects
            .iter()
            .filter_map(|p| {
                self.projects.get(p.as_ref()).map(|(name, _)| ProjectRef {
                    key: p.as_ref().to_string(),
                    name: name.clone(),
                })
            })
            .collect()
    }
}

/// Directory filters, from the page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Search text, lowercased ("" for none).
    pub q: String,
    /// Only this function.
    pub function: Option<Function>,
    /// Only stakeholders linked to this project.
    pub project: Option<String>,
    /// Whether erased entries are listed too.
    pub include_erased: bool,
    /// How many rows to return.
    pub limit: u32,
    /// Start after this entry (its id): the next page of the same filters.
    pub after: Option<String>,
}

impl DirectoryQuery {
    /// Parses the filters; a bad function or an overlong search is reported against its field,
    /// an unreadable limit falls back to [`PAGE_SIZE`].
    pub fn parse(
        q: Option<&str>,
        function: Option<&str>,
        project: Option<&str>,
        erased: Option<&str>,
        limit: Option<&str>,
    ) -> Result<Self, AppError> {
        let q = q.unwrap_or_default().trim();
        if q.chars().count() > 100 {
            return Err(AppError::field("q", "Search for at most 100 characters."));
        }
        let function = match function.map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => Some(
                f.parse::<Function>()
                    .map_err(|_| AppError::field("function", "Choose a function from the list."))?,
            ),
        };
        let project = project
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let include_erased = matches!(erased.map(str::trim), Some("include" | "true" | "on"));
        let limit = limit
            .and_then(|l| l.trim().parse::<u32>().ok())
            .filter(|l| *l > 0)
            .map_or(PAGE_SIZE, |l| l.min(MAX_LIMIT));
        Ok(Self {
            q: q.to_lowercase(),
            function,
            project,
            include_erased,
            limit,
            after: None,
        })
    }

    /// Starts the list after the entry `after` names (the `next_after` of the previous page).
    pub fn starting_after(mut self, after: Option<&str>) -> Result<Self, AppError> {
        self.after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(a)
                if a.len() <= 64
                    && a.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                Some(a.to_string())
            }
            Some(_) => return Err(AppError::field("after", "This page link is not valid.")),
        };
        Ok(self)
    }
}

/// The directory URL for a set of filters (used by "Show more").
pub fn directory_href(
    q: &str,
    function: Option<&str>,
    project: Option<&str>,
    include_erased: bool,
    after: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    if !q.is_empty() {
        parts.push(format!("q={}", url_encode(q)));
    }
    if let Some(f) = function.filter(|f| !f.is_empty()) {
        parts.push(format!("function={}", url_encode(f)));
    }
    if let Some(p) = project.filter(|p| !p.is_empty()) {
        parts.push(format!("project={}", url_encode(p)));
    }
    if include_erased {
        parts.push("erased=include".into());
    }
    if let Some(a) = after {
        parts.push(format!("after={}", url_encode(a)));
    }
    if parts.is_empty() {
        "/stakeholders".into()
    } else {
        format!("/stakeholders?{}", parts.join("&"))
    }
}

/// Percent-encodes a query-string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Checks a stakeholder id from a URL or form: the random record keys this module creates.
pub fn valid_id(id: &str) -> Option<&str> {
    let id = id.trim();
    ((1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(id)
}

/// The editable fields of a stakeholder as submitted by a form. `None` means "not submitted":
/// on an edit, the stored value is kept (callers who may not see emails and attributes get a
/// form without those fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderForm {
    /// Name.
    pub name: String,
    /// Email ("" clears it).
    pub email: Option<String>,
    /// Organization.
    pub organization: String,
    /// Job title.
    pub title: String,
    /// Function name.
    pub function: String,
    /// Notes.
    pub notes: String,
    /// Attributes, one `dimension: value` per line.
    pub attributes: Option<String>,
    /// Consent date, `YYYY-MM-DD` ("" clears it, which withdraws consent).
    pub consented_on: Option<String>,
}

/// Validated stakeholder fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidStakeholder {
    /// Name.
    pub name: String,
    /// Organization.
    pub organization: String,
    /// Job title.
    pub title: String,
    /// Function.
    pub function: Function,
    /// Notes.
    pub notes: String,
    /// New email (`Some(None)` clears it); `None` keeps the stored one.
    pub email: Option<Option<String>>,
    /// New consent date (`Some(None)` clears it); `None` keeps the stored one.
    pub consented_on: Option<Option<NaiveDate>>,
    /// New attributes; `None` keeps the stored ones.
    pub attributes: Option<BTreeMap<String, String>>,
    /// Whether this edit withdraws consent that was recorded (the attributes are deleted).
    pub withdraws_consent: bool,
}

impl ValidStakeholder {
    /// Whether any of email, attributes or consent is being set.
    pub fn touches_private(&self) -> bool {
        self.email.is_some() || self.consented_on.is_some() || self.attributes.is_some()
    }

    /// Whether a non-empty email or attribute, or a consent date, is being recorded.
    pub fn records_private(&self) -> bool {
        matches!(self.email, Some(Some(_)))
            || matches!(self.consented_on, Some(Some(_)))
            || self.attributes.as_ref().is_some_and(|a| !a.is_empty())
    }
}

/// Checks a one-line text field: trimmed, at most `max` characters.
fn line(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(AppError::field(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::field(field, "Use a single line of text."));
    }
    Ok(value.to_string())
}

/// Parses self-described attributes: one `dimension: value` per line; blank lines are skipped.
pub fn parse_attributes(text: &str) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for raw in text.lines() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let Some((dimension, value)) = raw.split_once(':') else {
            return Err(AppError::field(
                "attributes",
                format!(
                    "Write each attribute as `dimension: value` (\"{}\" has no colon).",
                    shorten(raw)
                ),
            ));
        };
        let dimension = dimension.trim();
        let value = value.trim();
        if dimension.is_empty() || value.is_empty() {
            return Err(AppError::field(
                "attributes",
                "Each attribute needs a dimension and a value, such as `background: rural`.",
            ));
        }
        if dimension.chars().count() > 40 || value.chars().count() > 120 {
            return Err(AppError::field(
                "attributes",
                "Keep dimensions to 40 characters and values to 120.",
            ));
        }
        if out
            .keys()
            .any(|k: &String| k.to_lowercase() == dimension.to_lowercase())
        {
            return Err(AppError::field(
                "attributes",
                format!("The dimension \"{dimension}\" appears twice."),
            ));
        }
        out.insert(dimension.to_string(), value.to_string());
        if out.len() > MAX_ATTRIBUTES {
            return Err(AppError::field(
                "attributes",
                format!("Record at most {MAX_ATTRIBUTES} attributes."),
            ));
        }
    }
    Ok(out)
}

/// The attributes as the form shows them: one `dimension: value` per line.
pub fn format_attributes(attributes: &BTreeMap<String, String>) -> String {
    attributes
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(30).collect::<String>())
    } else {
        s.to_string()
    }
}

impl StakeholderForm {
    /// Validates every field. `had_consent` says whether consent is recorded now (false for a
    /// new stakeholder); `today` bounds the consent date.
    ///
    /// Attributes are kept only with a consent date: recording attributes without one is an
    /// error on `consented_on`, and clearing a recorded date withdraws consent, which deletes
    /// every attribute whatever else was submitted.
    pub fn validate(
        &self,
        had_consent: bool,
        today: NaiveDate,
    ) -> Result<ValidStakeholder, AppError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter a name."));
        }
        let name = line("name", name, 120)?;
        let email = match self.email.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(e) => Some(Some(crate::auth::validate_email(e)?)),
        };
        let organization = line("organization", &self.organization, 120)?;
        let title = line("title", &self.title, 120)?;
        let function = match self.function.trim() {
            "" => return Err(AppError::field("function", "Choose a function.")),
            f => f
                .parse::<Function>()
                .map_err(|_| AppError::field("function", "Choose a function from the list."))?,
        };
        if self.notes.chars().count() > MAX_NOTES {
            return Err(AppError::field(
                "notes",
                format!("Use at most {MAX_NOTES} characters."),
            ));
        }
        let notes = self.notes.trim().to_string();
        let consented_on = match self.consented_on.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(d) => {
                let date = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| AppError::field("consented_on", "Enter a date as YYYY-MM-DD."))?;
                if date > today {
                    return Err(AppError::field(
                        "consented_on",
                        "The consent date cannot be in the future.",
                    ));
                }
                Some(Some(date))
            }
        };
        let mut attributes = match &self.attributes {
            None => None,
            Some(text) => Some(parse_attributes(text)?),
        };
        let withdraws_consent = had_consent && consented_on == Some(None);
        if withdraws_consent {
            attributes = Some(BTreeMap::new());
        } else {
            let consent_after = match consented_on {
                None => had_consent,
                Some(d) => d.is_some(),
            };
            if attributes.as_ref().is_some_and(|a| !a.is_empty()) && !consent_after {
                return Err(AppError::field(
                    "consented_on",
                    "Self-described attributes are kept only with consent: enter the date consent was given, or remove the attributes.",
                ));
            }
        }
        Ok(ValidStakeholder {
            name,
            organization,
            title,
            function,
            notes,
            email,
            consented_on,
            attributes,
            withdraws_consent,
        })
    }
}

#[cfg(test)]
mod tests;
