//! What members choose to receive, when their digest is due, and what it holds. The digest is
//! composed from plain data: each project's state now, the state the last digest showed, and
//! what is new since. Nothing is sent when nothing changed.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::signals::ProjectSignals;

/// The local hour at which digests go out (workspace time zone).
pub const DIGEST_HOUR: u32 = 8;
/// Most feedback first lines per project in a digest.
pub const MAX_FEEDBACK_LINES: usize = 3;
/// The longest first line of a feedback text in a digest, in characters.
pub const MAX_LINE: usize = 140;

/// When a member hears of new feedback in their projects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackAlert {
    /// A message for every item, as it arrives.
    Immediately,
    /// Counted and quoted in the digest.
    Digest,
    /// Not at all (the default).
    #[default]
    Off,
}

/// How often a member gets a digest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestFrequency {
    /// Every day at 08:00.
    Daily,
    /// Mondays at 08:00.
    Weekly,
    /// Never (the default).
    #[default]
    Off,
}

macro_rules! names {
    ($t:ty { $($v:ident => ($name:literal, $label:literal)),* $(,)? }) => {
        impl $t {
            /// Every choice, in the order the form lists them.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $name),* }
            }
            /// A label for people.
            pub fn label(self) -> &'static str {
                match self { $(<$t>::$v => $label),* }
            }
            /// Parses the stored name.
            pub fn parse(s: &str) -> Option<$t> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }
        }
    };
}

names!(FeedbackAlert {
    Immediately => ("immediately", "Immediately"),
    Digest => ("digest", "In the digest"),
    Off => ("off", "Off"),
});

names!(DigestFrequency {
    Daily => ("daily", "Daily"),
    Weekly => ("weekly", "Weekly (Mondays)"),
    Off => ("off", "Off"),
});

/// A member's email choices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPreferences {
    /// New feedback in my projects.
    pub feedback: FeedbackAlert,
    /// The digest.
    pub digest: DigestFrequency,
}

/// The latest digest time at or before `now` (both local to the workspace): today's or
/// yesterday's 08:00, or the latest Monday's; `None` when digests are off.
pub fn slot(frequency: DigestFrequency, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let at = NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0)?;
    let mut day = now.date();
    if now.time() < at {
        day = day.pred_opt()?;
    }
    match frequency {
        DigestFrequency::Off => None,
        DigestFrequency::Daily => Some(day.and_time(at)),
        DigestFrequency::Weekly => {
            let back = day.weekday().days_since(Weekday::Mon);
            Some((day - Duration::days(i64::from(back))).and_time(at))
        }
    }
}

/// Whether a digest is due at `now`: a digest time has passed since `since` (the last digest,
/// or when the member chose this frequency), all local to the workspace.
pub fn due(frequency: DigestFrequency, now: NaiveDateTime, since: NaiveDateTime) -> bool {
    slot(frequency, now).is_some_and(|s| since < s)
}

/// What a digest showed of one project, kept to tell what changed by the next one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectState {
    /// Signal name → value shown.
    pub signals: BTreeMap<String, String>,
    /// Lacking end-user contact.
    pub lacking: bool,
    /// The overdue action items' ids.
    pub overdue: Vec<String>,
    /// The ids of the interviews in the next 7 days.
    pub interviews: Vec<String>,
}

/// What the last digest showed, by project key.
pub type DigestState = BTreeMap<String, ProjectState>;

/// The values a digest compares, from a project's signals.
pub fn signal_values(s: &ProjectSignals) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let contact = if s.end_user_contact.lacking {
        "Lacking"
    } else {
        "In contact"
    };
    out.insert("End-user contact".to_string(), contact.to_string());
    out.insert("Cadence".to_string(), s.cadence.status.label().to_string());
    out.insert(
        "Diversity of input".to_string(),
        s.diversity.status.label().to_string(),
    );
    for (code, signal) in s.scorecard.entries() {
        out.insert(
            crate::signals::scorecard_title(code).to_string(),
            signal.level.label().to_string(),
        );
    }
    let at_risk = if s.scorecard.at_risk { "Yes" } else { "No" };
    out.insert("At risk".to_string(), at_risk.to_string());
    out
}

/// One item listed in a digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Its id (to tell whether the list changed).
    pub id: String,
    /// What the digest says of it.
    pub text: String,
}

/// One project as it is now, for a digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DigestProject {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
    /// Signal values now ([`signal_values`]).
    pub signals: BTreeMap<String, String>,
    /// Lacking end-user contact now.
    pub lacking: bool,
    /// Feedback texts received since the last digest, newest first (empty when the member
    /// does not take feedback in the digest).
    pub new_feedback: Vec<String>,
    /// Open action items past their due date.
    pub overdue: Vec<Item>,
    /// Interviews in the next 7 days, soonest first.
    pub interviews: Vec<Item>,
}

/// A signal whose value changed since the last digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalChange {
    /// Signal name.
    pub signal: String,
    /// Value in the last digest.
    pub before: String,
    /// Value now.
    pub after: String,
}

/// A project's part of a digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestSection {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
    /// Signals that changed since the last digest.
    pub changes: Vec<SignalChange>,
    /// Lacking end-user contact.
    pub lacking: bool,
    /// How many feedback items arrived since the last digest.
    pub new_feedback: usize,
    /// The first lines of the newest of them.
    pub feedback_lines: Vec<String>,
    /// Overdue action items.
    pub overdue: Vec<String>,
    /// Interviews in the next 7 days.
    pub interviews: Vec<String>,
}

/// A digest to send, and the state to compare the next one with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// Projects with something to say, in the order given.
    pub sections: Vec<DigestSection>,
    /// What this digest shows, for the next one.
    pub state: DigestState,
}

/// The first non-empty line of a feedback text, at most [`MAX_LINE`] characters.
pub fn first_line(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > MAX_LINE {
        let cut: String = line.chars().take(MAX_LINE - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_string()
    }
}

/// Composes a digest from the projects as they are now and what the last digest showed.
/// `None` when nothing changed: no signal moved, no feedback arrived, and the projects lacking
/// contact, the overdue action items and the coming interviews are those of the last digest.
pub fn compose(projects: Vec<DigestProject>, previous: &DigestState) -> Option<Digest> {
    let mut state = DigestState::new();
    let mut sections = Vec::new();
    let mut news = false;
    for p in projects {
        let now = ProjectState {
            signals: p.signals.clone(),
            lacking: p.lacking,
            overdue: p.overdue.iter().map(|i| i.id.clone()).collect(),
            interviews: p.interviews.iter().map(|i| i.id.clone()).collect(),
        };
        let before = previous.get(&p.key);
        let changes: Vec<SignalChange> = before
            .map(|b| {
                p.signals
                    .iter()
                    .filter_map(|(signal, after)| {
                        let was = b.signals.get(signal)?;
                        (was != after).then(|| SignalChange {
                            signal: signal.clone(),
                            before: was.clone(),
                            after: after.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lists_moved = match before {
            Some(b) => {
                b.lacking != now.lacking
                    || b.overdue != now.overdue
                    || b.interviews != now.interviews
            }
            None => now.lacking || !now.overdue.is_empty() || !now.interviews.is_empty(),
        };
        news |= !changes.is_empty() || !p.new_feedback.is_empty() || lists_moved;
        let section = DigestSection {
            key: p.key.clone(),
            name: p.name,
            changes,
            lacking: p.lacking,
            new_feedback: p.new_feedback.len(),
            feedback_lines: p
                .new_feedback
                .iter()
                .take(MAX_FEEDBACK_LINES)
                .map(|b| first_line(b))
                .collect(),
            overdue: p.overdue.into_iter().map(|i| i.text).collect(),
            interviews: p.interviews.into_iter().map(|i| i.text).collect(),
        };
        let says_something = !section.changes.is_empty()
            || section.lacking
            || section.new_feedback > 0
            || !section.overdue.is_empty()
            || !section.interviews.is_empty();
        if says_something {
            sections.push(section);
        }
        state.insert(p.key, now);
    }
    (news && !sections.is_empty()).then_some(Digest { sections, state })
}

#[cfg(test)]
mod tests;
