//! Who gets which calendar message when an interview is scheduled, changed or cancelled
//! (iTIP, RFC 5546): a `REQUEST` adds or updates the entry, a `CANCEL` removes it, and the
//! `SEQUENCE` rises with every change of time and with cancelling, so that a calendar replaces
//! its entry instead of adding a second one.

use chrono::{DateTime, Utc};

/// What of an interview its calendar messages depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Participant (stakeholder) ids.
    pub participants: Vec<String>,
    /// Start, UTC.
    pub start: DateTime<Utc>,
    /// The interview's own zone.
    pub time_zone: String,
    /// Minutes.
    pub duration_min: u32,
    /// Cancelled (or otherwise not going to happen: no-show and completed keep the entry).
    pub cancelled: bool,
}

/// The calendar messages of one change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The SEQUENCE from now on.
    pub sequence: i64,
    /// Participants who get a `REQUEST` (a new or updated entry).
    pub requests: Vec<String>,
    /// Whether the requests are updates of an entry sent before (for the wording).
    pub update: bool,
    /// Participants who get a `CANCEL`.
    pub cancels: Vec<String>,
}

/// The messages for a change from `before` (`None`: just scheduled) to `after`, with the
/// SEQUENCE `sequence` sent last.
pub fn plan(before: Option<&Slot>, after: &Slot, sequence: i64) -> Plan {
    let Some(before) = before else {
        return Plan {
            sequence: 0,
            requests: if after.cancelled {
                Vec::new()
            } else {
                after.participants.clone()
            },
            update: false,
            cancels: Vec::new(),
        };
    };
    let moved = before.start != after.start
        || before.time_zone != after.time_zone
        || before.duration_min != after.duration_min;
    let removed: Vec<String> = before
        .participants
        .iter()
        .filter(|p| !after.participants.contains(p))
        .cloned()
        .collect();
    let added: Vec<String> = after
        .participants
        .iter()
        .filter(|p| !before.participants.contains(p))
        .cloned()
        .collect();
    match (before.cancelled, after.cancelled) {
        // Cancelled now: everyone who had the entry loses it.
        (false, true) => Plan {
            sequence: sequence + 1,
            requests: Vec::new(),
            update: false,
            cancels: before.participants.clone(),
        },
        // Still cancelled: nothing to say.
        (true, true) => Plan {
            sequence,
            ..Plan::default()
        },
        // Back on: everyone gets the entry again.
        (true, false) => Plan {
            sequence: sequence + 1,
            requests: after.participants.clone(),
            update: true,
            cancels: Vec::new(),
        },
        (false, false) if moved => Plan {
            sequence: sequence + 1,
            requests: after.participants.clone(),
            update: true,
            cancels: removed,
        },
        (false, false) => Plan {
            sequence,
            requests: added,
            update: false,
            cancels: removed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn slot(participants: &[&str], hour: u32) -> Slot {
        Slot {
            participants: participants.iter().map(|p| p.to_string()).collect(),
            start: Utc
                .with_ymd_and_hms(2026, 12, 10, hour, 0, 0)
                .single()
                .expect("a time"),
            time_zone: "Europe/Berlin".into(),
            duration_min: 60,
            cancelled: false,
        }
    }

    #[test]
    fn scheduling_invites_everyone_at_sequence_zero() {
        let p = plan(None, &slot(&["a", "b"], 9), 0);
        assert_eq!(p.sequence, 0);
        assert_eq!(p.requests, vec!["a", "b"]);
        assert!(p.cancels.is_empty() && !p.update);
    }

    #[test]
    fn a_reschedule_raises_the_sequence_and_updates_everyone() {
        let before = slot(&["a", "b"], 9);
        let after = slot(&["a", "c"], 10);
        let p = plan(Some(&before), &after, 2);
        assert_eq!(p.sequence, 3);
        assert_eq!(p.requests, vec!["a", "c"]);
        assert!(p.update);
        assert_eq!(p.cancels, vec!["b"]);
        // A longer interview is a change of time too.
        let longer = Slot {
            duration_min: 90,
            ..before.clone()
        };
        assert_eq!(plan(Some(&before), &longer, 0).sequence, 1);
    }

    #[test]
    fn other_edits_only_reach_people_added_or_removed() {
        let before = slot(&["a"], 9);
        let p = plan(Some(&before), &slot(&["a", "b"], 9), 4);
        assert_eq!(p.sequence, 4);
        assert_eq!(p.requests, vec!["b"]);
        assert!(p.cancels.is_empty());
        assert_eq!(
            plan(Some(&before), &before, 4),
            Plan {
                sequence: 4,
                ..Plan::default()
            }
        );
    }

    #[test]
    fn cancelling_cancels_for_everyone_once() {
        let before = slot(&["a", "b"], 9);
        let cancelled = Slot {
            cancelled: true,
            ..before.clone()
        };
        let p = plan(Some(&before), &cancelled, 1);
        assert_eq!(p.sequence, 2);
        assert_eq!(p.cancels, vec!["a", "b"]);
        assert!(p.requests.is_empty());
        assert_eq!(
            plan(Some(&cancelled), &cancelled, 2).cancels,
            Vec::<String>::new()
        );
        // Taken back: a new request with a higher sequence.
        let back = plan(Some(&cancelled), &before, 2);
        assert_eq!((back.sequence, back.requests.len()), (3, 2));
        // Scheduling a cancelled interview sends nothing.
        assert_eq!(plan(None, &cancelled, 0).requests, Vec::<String>::new());
    }
}
