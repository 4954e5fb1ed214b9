//! HCD interviews: scheduling in the interview's own time zone, notes, insights with tags, and
//! the project's iCalendar feed.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use crate::format::{Function, InterviewKind, InterviewStatus};

/// Shortest interview, in minutes.
pub const MIN_DURATION: u32 = 5;
/// Longest interview, in minutes.
pub const MAX_DURATION: u32 = 480;
/// Default length of an interview, in minutes.
pub const DEFAULT_DURATION: u32 = 60;
/// Most participants in one interview.
pub const MAX_PARTICIPANTS: usize = 20;
/// Most interviewers in one interview.
pub const MAX_INTERVIEWERS: usize = 10;
/// Longest notes, in characters.
pub const MAX_NOTES: usize = 20_000;
/// Longest insight, in characters.
pub const MAX_INSIGHT: usize = 1_000;
/// Most insights per interview.
pub const MAX_INSIGHTS: usize = 100;
/// Most tags per insight.
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const MAX_TAG_LEN: usize = 40;

/// A person taking part in an interview (a stakeholder from the directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Participant {
    /// Stakeholder id.
    pub id: String,
    /// Name ("Erased" once the stakeholder was erased).
    pub name: String,
    /// Their function.
    pub function: Function,
}

/// A team member running an interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Interviewer {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One insight from an interview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Insight {
    /// What was learned.
    pub text: String,
    /// Lowercase tags.
    pub tags: Vec<String>,
}

/// An interview as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Interview {
    /// Id.
    pub id: String,
    /// Project key.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Participants.
    pub participants: Vec<Participant>,
    /// Interviewers.
    pub interviewers: Vec<Interviewer>,
    /// Start, UTC.
    pub scheduled_at: DateTime<Utc>,
    /// The interview's own IANA time zone.
    pub time_zone: String,
    /// Start in the interview's zone, for people: `2026-03-10 14:00`.
    pub local_start: String,
    /// Start in the interview's zone, for a `datetime-local` input: `2026-03-10T14:00`.
    pub local_input: String,
    /// Length in minutes.
    pub duration_min: u32,
    /// Kind.
    pub kind: InterviewKind,
    /// Status.
    pub status: InterviewStatus,
    /// Notes (Markdown source, for editing).
    pub notes: String,
    /// Notes rendered to sanitised HTML on the server.
    pub notes_html: String,
    /// Insights.
    pub insights: Vec<Insight>,
    /// Whether participants with an email get calendar invitations (and their updates).
    #[serde(default)]
    pub invitations: bool,
    /// The iCalendar SEQUENCE of the invitations: raised on every reschedule and on
    /// cancelling.
    #[serde(default)]
    pub sequence: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Interview {
    /// Whether at least one participant is an end user.
    pub fn with_end_user(&self) -> bool {
        self.participants
            .iter()
            .any(|p| p.function == Function::EndUser)
    }

    /// Participants' names, joined.
    pub fn participant_names(&self) -> String {
        join_names(self.participants.iter().map(|p| p.name.as_str()))
    }

    /// Interviewers' names, joined.
    pub fn interviewer_names(&self) -> String {
        join_names(self.interviewers.iter().map(|p| p.name.as_str()))
    }
}

fn join_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "—".into()
    } else {
        v.join(", ")
    }
}

/// A project's interview schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// From now on, soonest first.
    pub upcoming: Vec<Interview>,
    /// Before now, latest first.
    pub past: Vec<Interview>,
}

/// An insight in the project-wide list, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightRow {
    /// Interview id.
    pub interview: String,
    /// The interview's start in its own zone.
    pub local_start: String,
    /// The interview's kind.
    pub kind: InterviewKind,
    /// Position in the interview's list.
    pub index: usize,
    /// The insight.
    pub insight: Insight,
}

/// The insights of a project, optionally filtered by tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightList {
    /// Every tag in the project with its count, by tag.
    pub tags: Vec<(String, usize)>,
    /// The (filtered) insights, latest interview first.
    pub items: Vec<InsightRow>,
}

/// Someone from the directory to pick.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeholderChoice {
    /// Stakeholder id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Function.
    pub function: Function,
}

/// Whether a project's calendar feed is on, for writers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStatus {
    /// When the current secret address was made; `None` when the feed is off.
    pub since: Option<DateTime<Utc>>,
    /// The start of the address (`https://host`), to show a new token in full.
    pub base_url: String,
}

/// A freshly made calendar address, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewFeed {
    /// The full secret URL.
    pub url: String,
}

/// The secret path of a project's calendar feed.
pub fn feed_path(token: &str) -> String {
    format!("/calendar/{token}/interviews.ics")
}

/// The path of one interview's `.ics` download.
pub fn interview_ics_path(key: &str, id: &str) -> String {
    format!("/projects/{key}/interviews/{id}/interview.ics")
}

/// Whether `id` can be a record key we made (random alphanumerics), checked before any query.
pub fn plausible_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `token` has the shape of our random tokens (43 URL-safe base64 characters).
pub fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The schedule fields of an interview as a form sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterviewForm {
    /// Stakeholder ids.
    pub participants: Vec<String>,
    /// User ids.
    pub interviewers: Vec<String>,
    /// Local start, `YYYY-MM-DDTHH:MM` (a `datetime-local` value).
    pub scheduled_local: String,
    /// IANA zone name.
    pub time_zone: String,
    /// Minutes.
    pub duration_min: String,
    /// Kind name.
    pub kind: String,
    /// Status name (empty: scheduled).
    pub status: String,
    /// Markdown notes.
    pub notes: String,
}

/// Checked interview fields; the start is still local (see [`to_utc`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidInterview {
    /// Stakeholder ids, without duplicates.
    pub participants: Vec<String>,
    /// User ids, without duplicates.
    pub interviewers: Vec<String>,
    /// Local start.
    pub local_start: NaiveDateTime,
    /// Zone name as given (checked by [`to_utc`]).
    pub time_zone: String,
    /// Minutes.
    pub duration_min: u32,
    /// Kind.
    pub kind: InterviewKind,
    /// Status.
    pub status: InterviewStatus,
    /// Notes, as typed.
    pub notes: String,
}

fn dedup_ids(field: &str, ids: &[String], max: usize) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !plausible_id(id) {
            return Err(AppError::field(field, "Choose people from the list."));
        }
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    if out.len() > max {
        return Err(AppError::field(field, format!("Choose at most {max}.")));
    }
    Ok(out)
}

/// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM`, seconds optional).
pub fn parse_local(field: &str, value: &str) -> Result<NaiveDateTime, AppError> {
    let v = value.trim();
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .map_err(|_| AppError::field(field, "Enter a date and time, e.g. 2026-03-10T14:00."))
}

/// Parses a duration in minutes (empty: the default).
pub fn parse_duration(value: &str) -> Result<u32, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(DEFAULT_DURATION);
    }
    let n: u32 = v
        .parse()
        .map_err(|_| AppError::field("duration_min", "Enter the length in whole minutes."))?;
    if !(MIN_DURATION..=MAX_DURATION).contains(&n) {
        return Err(AppError::field(
            "duration_min",
            format!("Enter from {MIN_DURATION} to {MAX_DURATION} minutes."),
        ));
    }
    Ok(n)
}

/// Parses an interview status.
pub fn parse_status(value: &str) -> Result<InterviewStatus, AppError> {
    if value.trim().is_empty() {
        return Ok(InterviewStatus::Scheduled);
    }
    value
        .trim()
        .parse()
        .map_err(|_| AppError::field("status", "Choose a status from the list."))
}

impl InterviewForm {
    /// Checks every field except that the zone exists and the local time occurs in it
    /// ([`to_utc`] does that on the server). At least one participant is needed, unless
    /// `new_participant` says one is being added to the directory at the same time.
    pub fn validate(&self, new_participant: bool) -> Result<ValidInterview, AppError> {
        let participants = dedup_ids("participants", &self.participants, MAX_PARTICIPANTS)?;
        if participants.is_empty() && !new_participant {
            return Err(AppError::field(
                "participants",
                "Choose at least one participant from the directory.",
            ));
        }
        let interviewers = dedup_ids("interviewers", &self.interviewers, MAX_INTERVIEWERS)?;
        let local_start = parse_local("scheduled_local", &self.scheduled_local)?;
        let time_zone = self.time_zone.trim();
        if time_zone.is_empty() {
            return Err(AppError::field(
                "time_zone",
                "Enter the interview's time zone.",
            ));
        }
        let duration_min = parse_duration(&self.duration_min)?;
        let kind = if self.kind.trim().is_empty() {
            InterviewKind::default()
        } else {
            self.kind
                .trim()
                .parse()
                .map_err(|_| AppError::field("kind", "Choose a kind from the list."))?
        };
        let status = parse_status(&self.status)?;
        if self.notes.chars().count() > MAX_NOTES {
            return Err(AppError::field(
                "notes",
                format!("Use at most {MAX_NOTES} characters."),
            ));
        }
        Ok(ValidInterview {
            participants,
            interviewers,
            local_start,
            time_zone: time_zone.to_string(),
            duration_min,
            kind,
            status,
            notes: self.notes.clone(),
        })
    }
}

/// Normalises comma-separated tags: trimmed, lowercase, inner spaces collapsed, no duplicates.
pub fn parse_tags(value: &str) -> Result<Vec<String>, AppError> {
    let mut tags: Vec<String> = Vec::new();
    for raw in value.split(',') {
        let tag = raw
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_LEN {
            return Err(AppError::field(
                "tags",
                format!("Keep each tag under {MAX_TAG_LEN} characters."),
            ));
        }
        if tag.chars().any(char::is_control) {
            return Err(AppError::field(
                "tags",
                "Tags cannot contain control characters.",
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::field(
            "tags",
            format!("Use at most {MAX_TAGS} tags."),
        ));
    }
    Ok(tags)
}

/// Checks an insight: text required, tags normalised.
pub fn validate_insight(text: &str, tags: &str) -> Result<Insight, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "Write the insight."));
    }
    if text.chars().count() > MAX_INSIGHT {
        return Err(AppError::field(
            "text",
            format!("Use at most {MAX_INSIGHT} characters."),
        ));
    }
    Ok(Insight {
        text: text.to_string(),
        tags: parse_tags(tags)?,
    })
}

/// Converts a local start in an IANA zone to UTC. A time that falls into a clock change's gap is
/// refused; an ambiguous one (the repeated hour) takes the earlier instant.
#[cfg(feature = "ssr")]
pub fn to_utc(
    local: NaiveDateTime,
    zone: &str,
) -> Result<(DateTime<Utc>, chrono_tz::Tz), AppError> {
    use chrono::TimeZone as _;
    use chrono::offset::LocalResult;
    let tz = crate::workspace::parse_time_zone("time_zone", zone)?;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok((t.with_timezone(&Utc), tz)),
        LocalResult::Ambiguous(a, b) => Ok((a.min(b).with_timezone(&Utc), tz)),
        LocalResult::None => Err(AppError::field(
            "scheduled_local",
            format!(
                "{local} does not exist in {} (the clocks change then); choose another time.",
                tz.name()
            ),
        )),
    }
}

pub mod invite;
#[cfg(feature = "ssr")]
pub mod zone;

/// The start in a zone, for people and for `datetime-local` inputs. An unknown zone shows UTC.
#[cfg(feature = "ssr")]
pub fn local_strings(at: DateTime<Utc>, zone: &str) -> (String, String) {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&tz);
    (
        local.format("%Y-%m-%d %H:%M").to_string(),
        local.format("%Y-%m-%dT%H:%M").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> InterviewForm {
        InterviewForm {
            participants: vec!["s1".into(), "s2".into(), "s1".into(), " ".into()],
            interviewers: vec!["u1".into()],
            scheduled_local: "2026-03-10T14:00".into(),
            time_zone: " Europe/Berlin ".into(),
            duration_min: String::new(),
            kind: "usability_test".into(),
            status: String::new(),
            notes: "**hi**".into(),
        }
    }

    #[test]
    fn forms_are_checked_and_normalised() {
        let v = form().validate(false).expect("valid");
        assert_eq!(v.participants, vec!["s1".to_string(), "s2".to_string()]);
        assert_eq!(v.time_zone, "Europe/Berlin");
        assert_eq!(v.duration_min, DEFAULT_DURATION);
        assert_eq!(v.kind, InterviewKind::UsabilityTest);
        assert_eq!(v.status, InterviewStatus::Scheduled);
        assert_eq!(v.local_start.to_string(), "2026-03-10 14:00:00");

        let cases: Vec<(InterviewForm, &str)> = vec![
            (
                InterviewForm {
                    participants: vec![],
                    ..form()
                },
                "participants",
            ),
            (
                InterviewForm {
                    participants: vec!["a b".into()],
                    ..form()
                },
                "participants",
            ),
            (
                InterviewForm {
                    participants: (0..21).map(|i| format!("s{i}")).collect(),
                    ..form()
                },
                "participants",
            ),
            (
                InterviewForm {
                    interviewers: vec!["user:x;".into()],
                    ..form()
                },
                "interviewers",
            ),
            (
                InterviewForm {
                    scheduled_local: "10/03/2026 14:00".into(),
                    ..form()
                },
                "scheduled_local",
            ),
            (
                InterviewForm {
                    scheduled_local: "2026-02-30T10:00".into(),
                    ..form()
                },
                "scheduled_local",
            ),
            (
                InterviewForm {
                    time_zone: "  ".into(),
                    ..form()
                },
                "time_zone",
            ),
            (
                InterviewForm {
                    duration_min: "4".into(),
                    ..form()
                },
                "duration_min",
            ),
            (
                InterviewForm {
                    duration_min: "481".into(),
                    ..form()
                },
                "duration_min",
            ),
            (
                InterviewForm {
                    duration_min: "1h".into(),
                    ..form()
                },
                "duration_min",
            ),
            (
                InterviewForm {
                    kind: "chat".into(),
                    ..form()
                },
                "kind",
            ),
            (
                InterviewForm {
                    status: "done".into(),
                    ..form()
                },
                "status",
            ),
            (
                InterviewForm {
                    notes: "x".repeat(MAX_NOTES + 1),
                    ..form()
                },
                "notes",
            ),
        ];
        for (f, field) in cases {
            let e = f.validate(false).expect_err(field);
            assert_eq!(e.field_name(), Some(field), "{field}");
        }
        assert!(
            InterviewForm {
                participants: vec![],
                ..form()
            }
            .validate(true)
            .is_ok()
        );
        assert!(
            InterviewForm {
                duration_min: "5".into(),
                ..form()
            }
            .validate(false)
            .is_ok()
        );
        assert!(
            InterviewForm {
                duration_min: "480".into(),
                ..form()
            }
            .validate(false)
            .is_ok()
        );
        assert!(
            InterviewForm {
                scheduled_local: "2026-03-10T14:00:30".into(),
                ..form()
            }
            .validate(false)
            .is_ok()
        );
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            parse_tags(" Onboarding , data  quality,onboarding,, ").expect("ok"),
            vec!["onboarding".to_string(), "data quality".to_string()]
        );
        assert!(parse_tags("").expect("ok").is_empty());
        assert_eq!(
            parse_tags(&"x".repeat(41)).expect_err("long").field_name(),
            Some("tags")
        );
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&many.join(",")).expect_err("many").field_name(),
            Some("tags")
        );
        let i = validate_insight("  Nurses print the list  ", "Workflow").expect("ok");
        assert_eq!(i.text, "Nurses print the list");
        assert_eq!(i.tags, vec!["workflow".to_string()]);
        assert_eq!(
            validate_insight(" ", "").expect_err("empty").field_name(),
            Some("text")
        );
    }

    #[test]
    fn ids_and_tokens_are_checked_before_queries() {
        assert!(plausible_id("a1B2c3"));
        assert!(!plausible_id(""));
        assert!(!plausible_id("a:b"));
        assert!(!plausible_id(&"a".repeat(65)));
        assert!(plausible_token(&"A".repeat(43)));
        assert!(!plausible_token(&"A".repeat(42)));
        assert!(!plausible_token(&format!("{}/", "A".repeat(42))));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn local_times_convert_in_their_own_zone() {
        let local = parse_local("x", "2026-03-10T14:00").expect("local");
        let (utc, tz) = to_utc(local, "Europe/Berlin").expect("berlin");
        assert_eq!(utc.to_rfc3339(), "2026-03-10T13:00:00+00:00");
        assert_eq!(tz.name(), "Europe/Berlin");
        let (utc, _) = to_utc(local, "America/New_York").expect("ny");
        assert_eq!(utc.to_rfc3339(), "2026-03-10T18:00:00+00:00");
        // The gap when clocks go forward in Berlin (02:00 → 03:00 on 2026-03-29).
        let gap = parse_local("x", "2026-03-29T02:30").expect("gap");
        assert_eq!(
            to_utc(gap, "Europe/Berlin").expect_err("gap").field_name(),
            Some("scheduled_local")
        );
        // The repeated hour when clocks go back (2026-10-25 02:30 happens twice): the earlier.
        let twice = parse_local("x", "2026-10-25T02:30").expect("twice");
        let (utc, _) = to_utc(twice, "Europe/Berlin").expect("ambiguous");
        assert_eq!(utc.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        assert_eq!(
            to_utc(local, "Mars/Olympus")
                .expect_err("zone")
                .field_name(),
            Some("time_zone")
        );
        let (shown, input) = local_strings(utc, "Europe/Berlin");
        assert_eq!(shown, "2026-10-25 02:30");
        assert_eq!(input, "2026-10-25T02:30");
    }
}
