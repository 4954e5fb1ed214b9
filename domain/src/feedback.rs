//! Stakeholder feedback: invite links, the public feedback form behind them, the team's inbox
//! and triage, and feedback the team records from conversations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use crate::format::{Channel, FeedbackCategory, FeedbackStatus, Function};

/// Longest feedback body, in characters (a line break counts once, whether typed as CRLF or LF).
pub const MAX_BODY: usize = 5_000;
/// Longest team response, in characters.
pub const MAX_RESPONSE: usize = 5_000;
/// Longest name a link author may give.
pub const MAX_AUTHOR_NAME: usize = 100;
/// Days an invite link lasts unless told otherwise.
pub const DEFAULT_INVITE_DAYS: u32 = 14;
/// Longest an invite link may last, in days.
pub const MAX_INVITE_DAYS: u32 = 30;
/// Submissions accepted per invite link per window.
pub const LINK_LIMIT: i64 = 60;
/// Submissions accepted per client address per window (over all links).
pub const ADDRESS_LIMIT: i64 = 20;
/// The length of a rate-limit window, in minutes.
pub const RATE_WINDOW_MINUTES: i64 = 60;
/// Items per page of the inbox (latest first).
pub const INBOX_PAGE: usize = 50;
/// The most items one inbox request may ask for (the API's `limit`).
pub const INBOX_MAX_PAGE: usize = 500;

/// One feedback item as the team sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedbackItem {
    /// Id.
    pub id: String,
    /// The sprint it is about: (number, name).
    pub sprint: Option<(u32, String)>,
    /// The stakeholder who gave it, if in the directory: (id, name).
    pub stakeholder: Option<(String, String)>,
    /// The name given through a link, if any.
    pub author_name: Option<String>,
    /// The author's function (the stakeholder's, or the one given; `other` with neither).
    pub function: Function,
    /// How it reached the team.
    pub channel: Channel,
    /// Whether it came through an invite link.
    pub via_invite: bool,
    /// Whether its author asked to be told by email when the team responds.
    #[serde(default)]
    pub hears_back: bool,
    /// When it was given.
    pub submitted_at: DateTime<Utc>,
    /// 1–5: does this iteration help you?
    pub rating: Option<u8>,
    /// The text, exactly as typed.
    pub body: String,
    /// Category.
    pub category: FeedbackCategory,
    /// Triage status.
    pub status: FeedbackStatus,
    /// The sprint that addressed it (number).
    pub addressed_in: Option<u32>,
    /// The team's response, which the author can see.
    pub response: Option<String>,
    /// When the response was written.
    pub responded_at: Option<DateTime<Utc>>,
}

impl FeedbackItem {
    /// Who gave it, for people.
    pub fn author_display(&self) -> String {
        match (&self.stakeholder, &self.author_name) {
            (Some((_, name)), _) if !name.trim().is_empty() => name.clone(),
            (Some(_), _) => "Erased".into(),
            (None, Some(name)) if !name.trim().is_empty() => name.clone(),
            _ => "Anonymous".into(),
        }
    }

    /// Whether the author gave a name but is not in the directory yet.
    pub fn can_add_to_directory(&self) -> bool {
        self.stakeholder.is_none()
            && self
                .author_name
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty())
    }
}

/// A sprint to pick or filter by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintChoice {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Whether it is running today.
    pub current: bool,
}

/// The inbox filters, as the URL carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFilter {
    /// A sprint number, or `none` for feedback on no sprint.
    pub sprint: Option<String>,
    /// Status name.
    pub status: Option<String>,
    /// Category name.
    pub category: Option<String>,
    /// 1–5, or `none` for feedback without a rating.
    pub rating: Option<String>,
    /// Function name.
    pub function: Option<String>,
}

/// A checked filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidFilter {
    /// `Some(None)`: feedback on no sprint; `Some(Some(n))`: on sprint n.
    pub sprint: Option<Option<u32>>,
    /// Status.
    pub status: Option<FeedbackStatus>,
    /// Category.
    pub category: Option<FeedbackCategory>,
    /// `Some(None)`: without rating.
    pub rating: Option<Option<u8>>,
    /// Function.
    pub function: Option<Function>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl InboxFilter {
    /// Checks the filter values; an unknown value is a validation error on its field.
    pub fn validate(&self) -> Result<ValidFilter, AppError> {
        let sprint = match blank(&self.sprint) {
            None => None,
            Some("none") => Some(None),
            Some(n) => Some(Some(n.parse::<u32>().map_err(|_| {
                AppError::field("sprint", "Choose a sprint from the list.")
            })?)),
        };
        let rating = match blank(&self.rating) {
            None => None,
            Some("none") => Some(None),
            Some(r) => Some(Some(parse_rating(r)?.ok_or_else(|| {
                AppError::field("rating", "Choose a rating from 1 to 5.")
            })?)),
        };
        Ok(ValidFilter {
            sprint,
            status: blank(&self.status)
                .map(|s| {
                    s.parse()
                        .map_err(|_| AppError::field("status", "Choose a status from the list."))
                })
                .transpose()?,
            category: blank(&self.category)
                .map(|s| {
                    s.parse().map_err(|_| {
                        AppError::field("category", "Choose a category from the list.")
                    })
                })
                .transpose()?,
            rating,
            function: blank(&self.function)
                .map(|s| {
                    s.parse().map_err(|_| {
                        AppError::field("function", "Choose a function from the list.")
                    })
                })
                .transpose()?,
        })
    }
}

impl ValidFilter {
    /// Whether an item passes the filter (the repository applies the same rules in its query;
    /// the function is applied here because it depends on the stakeholder).
    pub fn matches(&self, item: &FeedbackItem) -> bool {
        self.sprint
            .is_none_or(|s| s == item.sprint.as_ref().map(|(n, _)| *n))
            && self.status.is_none_or(|s| s == item.status)
            && self.category.is_none_or(|c| c == item.category)
            && self.rating.is_none_or(|r| r == item.rating)
            && self.function.is_none_or(|f| f == item.function)
    }
}

/// A project's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    /// Matching items, latest first: one page.
    pub items: Vec<FeedbackItem>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
    /// Whether this is a later page (opened with `after`).
    pub continued: bool,
    /// The project's sprints, latest first.
    pub sprints: Vec<SprintChoice>,
    /// How many items in the project are still `new`.
    pub new_count: u64,
}

/// Whether an invite link can be used now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum InviteState {
    /// Usable.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked by the team.
    Revoked,
}

impl InviteState {
    /// From the stored flags. Revoked wins over expired.
    pub fn of(revoked: bool, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if revoked {
            Self::Revoked
        } else if now >= expires_at {
            Self::Expired
        } else {
            Self::Active
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }
}

/// An invite link as the team sees it (never with its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invite {
    /// Id.
    pub id: String,
    /// The sprint it names: (number, name).
    pub sprint: Option<(u32, String)>,
    /// The stakeholder it names.
    pub stakeholder_name: Option<String>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// State now.
    pub state: InviteState,
    /// Submissions through it.
    pub use_count: u32,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The invite links of a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteList {
    /// The start of the address (`https://host`), to show a new link in full.
    pub base_url: String,
    /// Links, newest first.
    pub items: Vec<Invite>,
}

/// A freshly made invite link: the only time its token is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvite {
    /// The invite's id.
    pub id: String,
    /// The full link.
    pub url: String,
}

/// The sprint a link page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSprint {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// Goal.
    pub goal: String,
}

/// Earlier feedback as its author sees it, with the team's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnFeedback {
    /// When it was sent.
    pub submitted_at: DateTime<Utc>,
    /// Rating.
    pub rating: Option<u8>,
    /// Category.
    pub category: FeedbackCategory,
    /// Text as typed.
    pub body: String,
    /// Where the team is with it.
    pub status: FeedbackStatus,
    /// The sprint that addressed it.
    pub addressed_in: Option<u32>,
    /// The team's response.
    pub response: Option<String>,
    /// When the team responded.
    pub responded_at: Option<DateTime<Utc>>,
}

/// What an open invite link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenLink {
    /// The project's key (the form echoes it; the server checks it against the link).
    pub project_key: String,
    /// The project's name.
    pub project_name: String,
    /// The sprint the link names, or the one running today for a link that names none.
    pub sprint: Option<LinkSprint>,
    /// Whether the link names its sprint.
    pub names_sprint: bool,
    /// Whether the link names a stakeholder (then no name or function is asked).
    pub names_stakeholder: bool,
    /// Whether the form offers "Tell me when the team responds" (email is on).
    #[serde(default)]
    pub can_notify: bool,
    /// The person's own earlier feedback on this project, latest first.
    pub earlier: Vec<OwnFeedback>,
}

/// What `/f/{token}` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPage {
    /// The form.
    Open(Box<OpenLink>),
    /// The link has expired.
    Expired,
    /// The team revoked the link.
    Revoked,
}

/// The content of a feedback item, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidContent {
    /// 1–5.
    pub rating: Option<u8>,
    /// Exactly as typed.
    pub body: String,
    /// Category.
    pub category: FeedbackCategory,
}

/// The length of a body as people count it: a CRLF line break (as forms send it) counts once.
pub fn body_len(body: &str) -> usize {
    body.chars().count() - body.matches("\r\n").count()
}

/// Parses a rating: empty is none, otherwise 1–5.
pub fn parse_rating(value: &str) -> Result<Option<u8>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(Some(n)),
        _ => Err(AppError::field("rating", "Choose a rating from 1 to 5.")),
    }
}

/// Checks rating, body and category. The body is kept exactly as typed (no trimming); a blank
/// body needs a rating.
pub fn validate_content(
    rating: &str,
    body: &str,
    category: &str,
) -> Result<ValidContent, AppError> {
    let rating = parse_rating(rating)?;
    if body.trim().is_empty() && rating.is_none() {
        return Err(AppError::field(
            "body",
            "Write a comment or choose a rating.",
        ));
    }
    if body_len(body) > MAX_BODY {
        return Err(AppError::field(
            "body",
            format!(
                "Use at most {MAX_BODY} characters (this has {}).",
                body_len(body)
            ),
        ));
    }
    if body.contains('\0') {
        return Err(AppError::field(
            "body",
            "The text contains a character that cannot be stored.",
        ));
    }
    let category = if category.trim().is_empty() {
        FeedbackCategory::Other
    } else {
        category
            .trim()
            .parse()
            .map_err(|_| AppError::field("category", "Choose a category from the list."))?
    };
    Ok(ValidContent {
        rating,
        body: body.to_string(),
        category,
    })
}

/// Checks the optional name and function a link author gives.
pub fn validate_author(
    name: &str,
    function: &str,
) -> Result<(Option<String>, Option<Function>), AppError> {
    let name = name.trim();
    if name.chars().count() > MAX_AUTHOR_NAME {
        return Err(AppError::field(
            "author_name",
            format!("Use at most {MAX_AUTHOR_NAME} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field(
            "author_name",
            "Use letters, digits and punctuation only.",
        ));
    }
    let function =
        if function.trim().is_empty() {
            None
        } else {
            Some(function.trim().parse().map_err(|_| {
                AppError::field("author_function", "Choose a function from the list.")
            })?)
        };
    Ok(((!name.is_empty()).then(|| name.to_string()), function))
}

/// Parses an invite's lifetime in days: empty is the default, otherwise 1 to the maximum.
pub fn parse_expiry_days(value: &str) -> Result<u32, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(DEFAULT_INVITE_DAYS);
    }
    match v.parse::<u32>() {
        Ok(n) if (1..=MAX_INVITE_DAYS).contains(&n) => Ok(n),
        _ => Err(AppError::field(
            "expires_in_days",
            format!("Enter a number of days from 1 to {MAX_INVITE_DAYS}."),
        )),
    }
}

/// Parses an optional sprint number from a form (empty: none).
pub fn parse_sprint_number(field: &str, value: &str) -> Result<Option<u32>, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(AppError::field(field, "Choose a sprint from the list.")),
    }
}

/// A triage change, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidTriage {
    /// New status.
    pub status: FeedbackStatus,
    /// The sprint that addressed it (only with `planned` or `addressed`).
    pub addressed_in: Option<u32>,
    /// The response (`None` removes it).
    pub response: Option<String>,
}

/// Checks a triage form.
pub fn validate_triage(
    status: &str,
    addressed_in: &str,
    response: &str,
) -> Result<ValidTriage, AppError> {
    let status: FeedbackStatus = status
        .trim()
        .parse()
        .map_err(|_| AppError::field("status", "Choose a status from the list."))?;
    let addressed_in = parse_sprint_number("addressed_in", addressed_in)?;
    if addressed_in.is_some()
        && !matches!(status, FeedbackStatus::Planned | FeedbackStatus::Addressed)
    {
        return Err(AppError::field(
            "addressed_in",
            "Link a sprint only when the status is Planned or Addressed.",
        ));
    }
    if body_len(response) > MAX_RESPONSE {
        return Err(AppError::field(
            "response",
            format!("Use at most {MAX_RESPONSE} characters."),
        ));
    }
    let response = (!response.trim().is_empty()).then(|| response.to_string());
    Ok(ValidTriage {
        status,
        addressed_in,
        response,
    })
}

/// Parses the channel of feedback the team records (never `link`).
pub fn parse_team_channel(value: &str) -> Result<Channel, AppError> {
    match value.trim().parse::<Channel>() {
        Ok(c) if c != Channel::Link => Ok(c),
        _ => Err(AppError::field(
            "channel",
            "Choose review, interview or team.",
        )),
    }
}

/// The earliest day feedback can be given on (the inbox sorts by time in nanoseconds, which
/// reaches back to 1677).
pub fn earliest_given_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Parses the day feedback was given (empty: `today`); future days, and days before 1900,
/// are refused.
pub fn parse_given_on(value: &str, today: NaiveDate) -> Result<NaiveDate, AppError> {
    if value.trim().is_empty() {
        return Ok(today);
    }
    let d = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("given_on", "Enter a date as YYYY-MM-DD."))?;
    if d < earliest_given_on() {
        return Err(AppError::field("given_on", "Enter a day in 1900 or later."));
    }
    if d > today {
        return Err(AppError::field(
            "given_on",
            "The day cannot be in the future.",
        ));
    }
    Ok(d)
}

/// The function feedback counts under: the stakeholder's, else the one given, else `other`.
pub fn effective_function(stakeholder: Option<Function>, given: Option<Function>) -> Function {
    stakeholder.or(given).unwrap_or(Function::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_kept_exactly_and_bounded() {
        let html = "<img src=x onerror=\"window.__xss=1\">  \n";
        let v = validate_content("4", html, "usability").expect("valid");
        assert_eq!(v.body, html, "stored exactly as typed");
        assert_eq!(v.rating, Some(4));
        assert_eq!(v.category, FeedbackCategory::Usability);

        assert!(validate_content("", &"x".repeat(MAX_BODY), "").is_ok());
        let e = validate_content("", &"x".repeat(MAX_BODY + 1), "").expect_err("long");
        assert_eq!(e.field_name(), Some("body"));
        // CRLF line breaks count once.
        let crlf = format!("{}\r\n{}", "a".repeat(2_500), "b".repeat(2_499));
        assert_eq!(body_len(&crlf), MAX_BODY);
        assert!(validate_content("", &crlf, "").is_ok());
        // Multibyte characters count as one.
        assert!(validate_content("", &"é".repeat(MAX_BODY), "").is_ok());

        assert_eq!(
            validate_content("", "  ", "")
                .expect_err("blank")
                .field_name(),
            Some("body")
        );
        assert!(
            validate_content("3", "", "").is_ok(),
            "a rating alone is enough"
        );
        for bad in ["0", "6", "x", "2.5"] {
            assert_eq!(
                validate_content(bad, "ok", "").expect_err(bad).field_name(),
                Some("rating")
            );
        }
        assert_eq!(
            validate_content("", "ok", "rant")
                .expect_err("cat")
                .field_name(),
            Some("category")
        );
        assert_eq!(
            validate_content("", "ok", "").expect("default").category,
            FeedbackCategory::Other
        );
    }

    #[test]
    fn authors_and_invites_are_checked() {
        assert_eq!(
            validate_author("  Kim  ", "end_user").expect("ok"),
            (Some("Kim".into()), Some(Function::EndUser))
        );
        assert_eq!(validate_author("", "").expect("ok"), (None, None));
        assert_eq!(
            validate_author(&"k".repeat(101), "")
                .expect_err("long")
                .field_name(),
            Some("author_name")
        );
        assert_eq!(
            validate_author("K", "boss").expect_err("fn").field_name(),
            Some("author_function")
        );
        assert_eq!(parse_expiry_days("").expect("default"), 14);
        assert_eq!(parse_expiry_days("30").expect("max"), 30);
        for bad in ["0", "31", "-1", "two"] {
            assert_eq!(
                parse_expiry_days(bad).expect_err(bad).field_name(),
                Some("expires_in_days")
            );
        }
    }

    #[test]
    fn triage_rules() {
        let t = validate_triage("addressed", "3", "Fixed in sprint 3.").expect("ok");
        assert_eq!(t.status, FeedbackStatus::Addressed);
        assert_eq!(t.addressed_in, Some(3));
        assert_eq!(t.response.as_deref(), Some("Fixed in sprint 3."));
        assert!(
            validate_triage("planned", "4", "")
                .expect("ok")
                .response
                .is_none()
        );
        assert_eq!(
            validate_triage("acknowledged", "3", "")
                .expect_err("sprint")
                .field_name(),
            Some("addressed_in")
        );
        assert_eq!(
            validate_triage("done", "", "")
                .expect_err("status")
                .field_name(),
            Some("status")
        );
        assert_eq!(
            validate_triage("new", "", &"r".repeat(5_001))
                .expect_err("long")
                .field_name(),
            Some("response")
        );
        assert_eq!(
            parse_team_channel("link").expect_err("link").field_name(),
            Some("channel")
        );
        assert_eq!(parse_team_channel("review").expect("ok"), Channel::Review);
    }

    #[test]
    fn filters_parse_and_match() {
        let f = InboxFilter {
            sprint: Some("2".into()),
            status: Some("new".into()),
            rating: Some("none".into()),
            function: Some("end_user".into()),
            category: Some(String::new()),
        }
        .validate()
        .expect("valid");
        let item = FeedbackItem {
            id: "f1".into(),
            sprint: Some((2, "Two".into())),
            stakeholder: None,
            author_name: Some("Kim".into()),
            function: Function::EndUser,
            channel: Channel::Link,
            via_invite: true,
            hears_back: false,
            submitted_at: Utc::now(),
            rating: None,
            body: "b".into(),
            category: FeedbackCategory::Bug,
            status: FeedbackStatus::New,
            addressed_in: None,
            response: None,
            responded_at: None,
        };
        assert!(f.matches(&item));
        assert!(!f.matches(&FeedbackItem {
            rating: Some(2),
            ..item.clone()
        }));
        assert!(!f.matches(&FeedbackItem {
            function: Function::Product,
            ..item.clone()
        }));
        assert!(!f.matches(&FeedbackItem {
            sprint: None,
            ..item.clone()
        }));
        assert!(item.can_add_to_directory());
        assert_eq!(item.author_display(), "Kim");
        for (field, filter) in [
            (
                "sprint",
                InboxFilter {
                    sprint: Some("x".into()),
                    ..Default::default()
                },
            ),
            (
                "rating",
                InboxFilter {
                    rating: Some("6".into()),
                    ..Default::default()
                },
            ),
            (
                "status",
                InboxFilter {
                    status: Some("open".into()),
                    ..Default::default()
                },
            ),
            (
                "function",
                InboxFilter {
                    function: Some("boss".into()),
                    ..Default::default()
                },
            ),
        ] {
            assert_eq!(
                filter.validate().expect_err(field).field_name(),
                Some(field)
            );
        }
    }

    #[test]
    fn invite_state_and_functions() {
        let now = Utc::now();
        assert_eq!(
            InviteState::of(false, now + chrono::Duration::minutes(1), now),
            InviteState::Active
        );
        assert_eq!(InviteState::of(false, now, now), InviteState::Expired);
        assert_eq!(
            InviteState::of(true, now + chrono::Duration::days(1), now),
            InviteState::Revoked
        );
        assert_eq!(
            effective_function(Some(Function::Product), Some(Function::EndUser)),
            Function::Product
        );
        assert_eq!(
            effective_function(None, Some(Function::EndUser)),
            Function::EndUser
        );
        assert_eq!(effective_function(None, None), Function::Other);
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).expect("d");
        assert_eq!(parse_given_on("", today).expect("today"), today);
        assert_eq!(
            parse_given_on("2026-03-11", today)
                .expect_err("future")
                .field_name(),
            Some("given_on")
        );
        assert_eq!(
            parse_given_on("1677-09-21", today)
                .expect_err("too early")
                .field_name(),
            Some("given_on")
        );
        assert!(parse_given_on("1900-01-01", today).is_ok());
    }
}
