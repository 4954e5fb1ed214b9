//! The project signals of DESIGN.md ("Signals — exact definitions"), definition version 1.
//!
//! Everything here is a pure function over plain data: [`compute`] takes one project's
//! [`ProjectInput`] (dates already in the workspace time zone) and an `as_of` date, and returns
//! the [`ProjectSignals`] that the API serialises as-is. Every level comes with reasons that cite
//! the facts behind it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::Function;

mod cadence;
mod contact;
mod diversity;
#[cfg(feature = "ssr")]
mod from_format;
mod input;
mod scorecard;

#[cfg(feature = "ssr")]
pub use from_format::inputs_from_workspace;
pub use input::{
    ActionItemInput, DqIssueInput, FeedbackInput, InterviewInput, ProjectInput, RetroInput,
    ReviewInput, SprintInput, StakeholderRef,
};

/// The version of the signal definitions implemented here; reports state it.
pub const DEFINITION_VERSION: u32 = 1;

/// The level of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Level {
    /// Fine.
    Green,
    /// Needs attention.
    Amber,
    /// Needs action.
    Red,
    /// Too little data to judge (cadence and diversity only).
    InsufficientData,
}

impl Level {
    /// Every level.
    pub const ALL: &'static [Self] = &[Self::Green, Self::Amber, Self::Red, Self::InsufficientData];

    /// The `snake_case` name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Amber => "amber",
            Self::Red => "red",
            Self::InsufficientData => "insufficient_data",
        }
    }

    /// A short human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Green => "Green",
            Self::Amber => "Amber",
            Self::Red => "Red",
            Self::InsufficientData => "Insufficient data",
        }
    }
}

/// The code of an end-user contact flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum FlagCode {
    /// No contact at all after the 14-day grace period (red).
    NoEndUserContact,
    /// The last contact is older than the project's threshold (red).
    EndUserContactStale,
    /// No end-user interview in the coming threshold period (amber).
    NoUpcomingInterview,
    /// Neither of the last 2 finished sprints got end-user feedback (amber).
    SprintsWithoutEndUserFeedback,
}

impl FlagCode {
    /// Every flag code, in the order flags are listed.
    pub const ALL: &'static [Self] = &[
        Self::NoEndUserContact,
        Self::EndUserContactStale,
        Self::NoUpcomingInterview,
        Self::SprintsWithoutEndUserFeedback,
    ];

    /// The `snake_case` code used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoEndUserContact => "no_end_user_contact",
            Self::EndUserContactStale => "end_user_contact_stale",
            Self::NoUpcomingInterview => "no_upcoming_interview",
            Self::SprintsWithoutEndUserFeedback => "sprints_without_end_user_feedback",
        }
    }

    /// A short human label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::NoEndUserContact => "No end-user contact",
            Self::EndUserContactStale => "End-user contact is stale",
            Self::NoUpcomingInterview => "No upcoming end-user interview",
            Self::SprintsWithoutEndUserFeedback => "Sprints without end-user feedback",
        }
    }

    /// The level the flag is raised at.
    pub const fn level(self) -> Level {
        match self {
            Self::NoEndUserContact | Self::EndUserContactStale => Level::Red,
            Self::NoUpcomingInterview | Self::SprintsWithoutEndUserFeedback => Level::Amber,
        }
    }
}

/// A raised end-user contact flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Flag {
    /// Which flag.
    pub code: FlagCode,
    /// Its level (red or amber).
    pub level: Level,
    /// The facts behind it, as a sentence.
    pub reason: String,
}

/// End-user contact (misstep 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndUserContact {
    /// The last contact on or before `as_of`.
    pub last_contact_on: Option<NaiveDate>,
    /// Days from the last contact to `as_of`.
    pub days_since: Option<i64>,
    /// Whether a red flag is raised.
    pub lacking: bool,
    /// The raised flags.
    pub flags: Vec<Flag>,
}

/// Cadence over the last 6 finished sprints (part of misstep 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Cadence {
    /// Sprints in the window (at most 6).
    pub window_sprints: u32,
    /// Mean sprint length in days.
    pub mean_length: Option<f64>,
    /// Coefficient of variation of the lengths.
    pub cv: Option<f64>,
    /// Mean gap in days between consecutive sprints (negative for overlaps).
    pub mean_gap: Option<f64>,
    /// Share of sprints with a timely review.
    pub review_rate: Option<f64>,
    /// Share of sprints with a retro.
    pub retro_rate: Option<f64>,
    /// Share of sprints with any feedback.
    pub feedback_coverage: Option<f64>,
    /// Share of sprints with end-user feedback.
    pub end_user_feedback_coverage: Option<f64>,
    /// Share of action items due in the window that were done.
    pub action_follow_through: Option<f64>,
    /// Days since the window's last sprint ended.
    pub days_since_last_finished: Option<i64>,
    /// The cadence level.
    pub status: Level,
}

/// Diversity of input (part of misstep 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Diversity {
    /// Input events in the window.
    pub events: u32,
    /// Events per function, for functions that have any.
    pub by_function: BTreeMap<Function, u32>,
    /// Functions heard.
    pub distinct_functions: u32,
    /// People behind the events.
    pub distinct_stakeholders: u32,
    /// Shannon entropy of the functions, normalised by ln 10.
    pub diversity_index: Option<f64>,
    /// Share of events from end users.
    pub end_user_share: Option<f64>,
    /// Largest share of events from a single person.
    pub top_stakeholder_share: Option<f64>,
    /// The diversity level.
    pub status: Level,
}

/// One scorecard entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Signal {
    /// Its level (green, amber or red).
    pub level: Level,
    /// The facts behind it; never empty for amber or red.
    pub reasons: Vec<String>,
}

/// The risk scorecard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scorecard {
    /// M1: agility and diversity.
    pub m1_agility_diversity: Signal,
    /// M2: end users.
    pub m2_end_users: Signal,
    /// M3: productionization.
    pub m3_productionization: Signal,
    /// M4: data debt.
    pub m4_data_debt: Signal,
    /// M5: beyond ML.
    pub m5_beyond_ml: Signal,
    /// Two or more red signals.
    pub at_risk: bool,
}

impl Scorecard {
    /// The five signals with their codes, in order.
    pub fn entries(&self) -> [(&'static str, &Signal); 5] {
        [
            ("m1_agility_diversity", &self.m1_agility_diversity),
            ("m2_end_users", &self.m2_end_users),
            ("m3_productionization", &self.m3_productionization),
            ("m4_data_debt", &self.m4_data_debt),
            ("m5_beyond_ml", &self.m5_beyond_ml),
        ]
    }
}

/// The title of a scorecard entry, by its code.
pub fn scorecard_title(code: &str) -> &'static str {
    match code {
        "m1_agility_diversity" => "M1 Agility & diversity",
        "m2_end_users" => "M2 End users",
        "m3_productionization" => "M3 Productionization",
        "m4_data_debt" => "M4 Data debt",
        _ => "M5 Beyond ML",
    }
}

/// All signals of one project as of a date: the API's `signals` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectSignals {
    /// The project's key.
    pub project: String,
    /// The date the signals are computed for.
    pub as_of: NaiveDate,
    /// [`DEFINITION_VERSION`].
    pub definition_version: u32,
    /// End-user contact.
    pub end_user_contact: EndUserContact,
    /// Cadence.
    pub cadence: Cadence,
    /// Diversity of input.
    pub diversity: Diversity,
    /// The risk scorecard.
    pub scorecard: Scorecard,
}

/// Computes every signal of one project as of `as_of`.
pub fn compute(input: &ProjectInput, as_of: NaiveDate) -> ProjectSignals {
    let finished = finished_sprints(input, as_of);
    let (end_user_contact, contact_notes) = contact::compute(input, as_of, &finished);
    let (cadence, cadence_reasons) = cadence::compute(input, as_of, &finished);
    let (diversity, diversity_reasons) = diversity::compute(input, as_of, &finished);
    let scorecard = scorecard::compute(
        input,
        as_of,
        scorecard::Parts {
            contact: &end_user_contact,
            contact_notes,
            cadence: &cadence,
            cadence_reasons,
            diversity: &diversity,
            diversity_reasons,
        },
    );
    ProjectSignals {
        project: input.key.clone(),
        as_of,
        definition_version: DEFINITION_VERSION,
        end_user_contact,
        cadence,
        diversity,
        scorecard,
    }
}

/// The sprints finished on `as_of` (`end_on < as_of`), ordered by `start_on`, then `number`.
fn finished_sprints(input: &ProjectInput, as_of: NaiveDate) -> Vec<&SprintInput> {
    let mut finished: Vec<&SprintInput> = input
        .sprints
        .iter()
        .filter(|sprint| sprint.end_on < as_of)
        .collect();
    finished.sort_by_key(|sprint| (sprint.start_on, sprint.number));
    finished
}

/// The last `k` of the ordered finished sprints (all of them when fewer).
fn last_k<'a, 'b>(finished: &'b [&'a SprintInput], k: usize) -> &'b [&'a SprintInput] {
    &finished[finished.len().saturating_sub(k)..]
}

/// Whole days from `from` to `to`.
fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// A share as a whole percentage, e.g. `67%`.
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// `count` divided by `total`, as used for every rate.
fn ratio(count: usize, total: usize) -> f64 {
    count as f64 / total as f64
}

/// "1 sprint", "2 sprints".
fn plural(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Small builders for hand-made inputs.
    use super::*;
    use crate::format::{ActionStatus, Channel, DqSeverity, InterviewStatus};

    /// A date from a `YYYY-MM-DD` literal.
    pub fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    /// A stakeholder.
    pub fn person(id: &str, function: Function) -> StakeholderRef {
        StakeholderRef::new(id, format!("Person {id}"), function)
    }

    /// An end user.
    pub fn end_user(id: &str) -> StakeholderRef {
        person(id, Function::EndUser)
    }

    /// A project started on `started_on`.
    pub fn project(started_on: &str) -> ProjectInput {
        ProjectInput::new("demo", "Demo", d(started_on))
    }

    /// A sprint.
    pub fn sprint(number: u32, start_on: &str, end_on: &str) -> SprintInput {
        SprintInput {
            number,
            start_on: d(start_on),
            end_on: d(end_on),
        }
    }

    /// A review.
    pub fn review(sprint: u32, held_on: &str, attendees: Vec<StakeholderRef>) -> ReviewInput {
        ReviewInput {
            sprint,
            held_on: d(held_on),
            attendees,
        }
    }

    /// A retro.
    pub fn retro(sprint: u32, held_on: &str, action_items: Vec<ActionItemInput>) -> RetroInput {
        RetroInput {
            sprint,
            held_on: d(held_on),
            action_items,
        }
    }

    /// An action item.
    pub fn action(
        due_sprint: u32,
        status: ActionStatus,
        closed_on: Option<&str>,
    ) -> ActionItemInput {
        ActionItemInput {
            due_sprint: Some(due_sprint),
            status,
            closed_on: closed_on.map(d),
        }
    }

    /// An interview.
    pub fn interview(
        on: &str,
        status: InterviewStatus,
        participants: Vec<StakeholderRef>,
    ) -> InterviewInput {
        InterviewInput {
            on: d(on),
            status,
            participants,
        }
    }

    /// Feedback from a directory stakeholder.
    pub fn feedback(sprint: Option<u32>, on: &str, from: StakeholderRef) -> FeedbackInput {
        FeedbackInput {
            sprint,
            submitted_on: d(on),
            stakeholder: Some(from),
            author_function: None,
            author_name: None,
            channel: Channel::Link,
        }
    }

    /// Feedback from a link author who is not in the directory.
    pub fn link_feedback(
        sprint: Option<u32>,
        on: &str,
        function: Option<Function>,
        name: Option<&str>,
    ) -> FeedbackInput {
        FeedbackInput {
            sprint,
            submitted_on: d(on),
            stakeholder: None,
            author_function: function,
            author_name: name.map(str::to_owned),
            channel: Channel::Link,
        }
    }

    /// A data-quality issue.
    pub fn issue(
        severity: DqSeverity,
        opened_on: &str,
        reported: Option<&str>,
        resolved: Option<&str>,
    ) -> DqIssueInput {
        DqIssueInput {
            dataset: "admissions".to_owned(),
            severity,
            opened_on: d(opened_on),
            reported_upstream_on: reported.map(d),
            resolved_on: resolved.map(d),
        }
    }

    /// Asserts two floats are equal to 1e-12.
    pub fn close(actual: Option<f64>, expected: f64) {
        let value = actual.expect("a defined value");
        assert!((value - expected).abs() < 1e-12, "{value} != {expected}");
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::format::{DqSeverity, InterviewStatus, MlNeeded};

    #[test]
    fn finished_sprints_are_ordered_by_start_then_number() {
        let mut p = project("2026-01-01");
        p.sprints = vec![
            sprint(3, "2026-01-01", "2026-01-10"),
            sprint(1, "2026-01-01", "2026-02-28"),
            sprint(2, "2025-12-01", "2025-12-31"),
            sprint(4, "2026-03-01", "2026-03-15"),
        ];
        let finished = finished_sprints(&p, d("2026-03-15"));
        let numbers: Vec<u32> = finished.iter().map(|s| s.number).collect();
        assert_eq!(numbers, vec![2, 1, 3]);
        assert_eq!(last_k(&finished, 2).len(), 2);
        assert_eq!(last_k(&finished, 6).len(), 3);
    }

    #[test]
    fn output_json_has_the_api_shape() {
        let mut p = project("2026-01-05");
        p.ml_needed = MlNeeded::Yes;
        p.baseline_considered = "Rules".into();
        p.readiness_done = 8;
        p.sprints = vec![
            sprint(1, "2026-01-05", "2026-01-18"),
            sprint(2, "2026-01-19", "2026-02-01"),
        ];
        p.reviews = vec![review(1, "2026-01-19", vec![end_user("s1")])];
        p.retros = vec![
            retro(1, "2026-01-19", vec![]),
            retro(2, "2026-02-02", vec![]),
        ];
        p.interviews = vec![interview(
            "2026-02-10",
            InterviewStatus::Scheduled,
            vec![end_user("s1")],
        )];
        p.dq_issues = vec![issue(DqSeverity::Low, "2026-02-01", None, None)];
        let signals = compute(&p, d("2026-02-03"));
        let json = serde_json::to_value(&signals).expect("serialise");
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(
            keys(&json),
            [
                "as_of",
                "cadence",
                "definition_version",
                "diversity",
                "end_user_contact",
                "project",
                "scorecard"
            ]
        );
        assert_eq!(json["as_of"], "2026-02-03");
        assert_eq!(json["definition_version"], 1);
        assert_eq!(
            keys(&json["end_user_contact"]),
            ["days_since", "flags", "lacking", "last_contact_on"]
        );
        assert_eq!(json["end_user_contact"]["last_contact_on"], "2026-01-19");
        assert_eq!(json["end_user_contact"]["days_since"], 15);
        assert_eq!(keys(&json["cadence"]).len(), 11);
        assert_eq!(json["cadence"]["status"], "amber");
        assert_eq!(json["cadence"]["mean_gap"], 0.0);
        assert_eq!(
            json["cadence"]["action_follow_through"],
            serde_json::Value::Null
        );
        assert_eq!(keys(&json["diversity"]).len(), 8);
        assert_eq!(json["diversity"]["by_function"]["end_user"], 1);
        assert_eq!(keys(&json["scorecard"]).len(), 6);
        assert_eq!(json["scorecard"]["m3_productionization"]["level"], "green");
        assert_eq!(json["scorecard"]["m4_data_debt"]["level"], "amber");
        assert!(
            json["scorecard"]["m4_data_debt"]["reasons"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
        );
        assert_eq!(json["scorecard"]["at_risk"], false);
        let back: ProjectSignals = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, signals);
    }

    #[test]
    fn flag_and_level_names() {
        for code in FlagCode::ALL {
            assert_eq!(serde_json::to_value(code).expect("json"), code.as_str());
        }
        for level in Level::ALL {
            assert_eq!(serde_json::to_value(level).expect("json"), level.as_str());
        }
        assert_eq!(FlagCode::NoUpcomingInterview.level(), Level::Amber);
        assert_eq!(FlagCode::EndUserContactStale.level(), Level::Red);
    }
}
