//! End-user contact and its flags (misstep 2).

use chrono::{Days, NaiveDate};

use super::input::{
    FeedbackInput, InterviewInput, ProjectInput, ReviewInput, SprintInput, StakeholderRef,
};
use super::{EndUserContact, Flag, FlagCode, Level, days_between, last_k};
use crate::format::{Function, InterviewStatus, ProjectStatus};

/// Days after `started_on` during which a project without contact is not flagged.
pub(crate) const GRACE_DAYS: i64 = 14;

/// What an end-user contact was, for reasons.
enum Source<'a> {
    Interview(&'a StakeholderRef),
    Feedback(&'a FeedbackInput),
    Review(&'a ReviewInput, &'a StakeholderRef),
}

impl Source<'_> {
    fn describe(&self, on: NaiveDate) -> String {
        match self {
            Self::Interview(person) => format!("interview with {} on {on}", person.display()),
            Self::Feedback(item) => format!("feedback from {} on {on}", item.author_display()),
            Self::Review(review, person) => format!(
                "review of sprint {} attended by {} on {on}",
                review.sprint,
                person.display()
            ),
        }
    }
}

fn first_end_user(people: &[StakeholderRef]) -> Option<&StakeholderRef> {
    people
        .iter()
        .find(|person| person.function == Function::EndUser)
}

/// Whether an interview counts as a contact when it is dated on or before `as_of`.
fn contact_interview(interview: &InterviewInput) -> Option<&StakeholderRef> {
    if interview.status == InterviewStatus::Completed {
        first_end_user(&interview.participants)
    } else {
        None
    }
}

/// Whether an interview counts as an upcoming end-user interview when it lies ahead.
fn plans_end_user(interview: &InterviewInput) -> bool {
    matches!(
        interview.status,
        InterviewStatus::Scheduled | InterviewStatus::Completed
    ) && first_end_user(&interview.participants).is_some()
}

/// Whether flags are raised for the project on `as_of`.
pub(crate) fn flags_apply(input: &ProjectInput, as_of: NaiveDate) -> bool {
    matches!(
        input.status,
        ProjectStatus::Discovery | ProjectStatus::Active
    ) && input.started_on <= as_of
}

/// Computes end-user contact and its flags, plus reasons for when no flag is raised.
pub(crate) fn compute(
    input: &ProjectInput,
    as_of: NaiveDate,
    finished: &[&SprintInput],
) -> (EndUserContact, Vec<String>) {
    let mut last: Option<(NaiveDate, Source<'_>)> = None;
    let mut consider = |on: NaiveDate, source| {
        if on <= as_of && last.as_ref().is_none_or(|(best, _)| on > *best) {
            last = Some((on, source));
        }
    };
    for interview in &input.interviews {
        if let Some(person) = contact_interview(interview) {
            consider(interview.on, Source::Interview(person));
        }
    }
    for item in &input.feedback {
        if item.from_end_user() {
            consider(item.submitted_on, Source::Feedback(item));
        }
    }
    for review in &input.reviews {
        if let Some(person) = first_end_user(&review.attendees) {
            consider(review.held_on, Source::Review(review, person));
        }
    }

    let last_contact_on = last.as_ref().map(|(on, _)| *on);
    let days_since = last_contact_on.map(|on| days_between(on, as_of));
    let threshold = i64::from(input.contact_threshold_days);
    let mut flags = Vec::new();
    let mut notes = Vec::new();

    if !flags_apply(input, as_of) {
        if input.started_on > as_of {
            notes.push(format!(
                "The project starts on {}; no end-user contact flags are raised before then.",
                input.started_on
            ));
        } else {
            notes.push(format!(
                "The project is {}; end-user contact flags are raised only for discovery and \
                 active projects.",
                input.status.label().to_lowercase()
            ));
        }
        let contact = EndUserContact {
            last_contact_on,
            days_since,
            lacking: false,
            flags,
        };
        return (contact, notes);
    }

    let age = days_between(input.started_on, as_of);
    match (&last, days_since) {
        (Some((on, source)), Some(days)) => {
            let text = source.describe(*on);
            if days > threshold {
                flags.push(flag(
                    FlagCode::EndUserContactStale,
                    format!(
                        "Last end-user contact was {days} days ago (threshold {threshold}): {text}."
                    ),
                ));
            } else {
                notes.push(format!(
                    "Last end-user contact was {days} days ago (threshold {threshold}): {text}."
                ));
            }
        }
        _ => {
            if age > GRACE_DAYS {
                flags.push(flag(
                    FlagCode::NoEndUserContact,
                    format!(
                        "No end-user contact since the project started on {} ({age} days ago; \
                         grace period {GRACE_DAYS} days).",
                        input.started_on
                    ),
                ));
            } else {
                notes.push(format!(
                    "No end-user contact yet, but the project started only {age} days ago \
                     (grace period {GRACE_DAYS} days)."
                ));
            }
        }
    }

    let horizon_end = as_of + Days::new(u64::from(input.contact_threshold_days));
    let mut upcoming: Option<NaiveDate> = None;
    let mut later: Option<NaiveDate> = None;
    for interview in &input.interviews {
        if interview.on > as_of && plans_end_user(interview) {
            let slot = if interview.on <= horizon_end {
                &mut upcoming
            } else {
                &mut later
            };
            if slot.is_none_or(|best| interview.on < best) {
                *slot = Some(interview.on);
            }
        }
    }
    match upcoming {
        Some(on) => notes.push(format!("Next end-user interview is on {on}.")),
        None => {
            let after = match later {
                Some(on) => format!(
                    " The next one is on {on}, {} days ahead.",
                    days_between(as_of, on)
                ),
                None => String::new(),
            };
            flags.push(flag(
                FlagCode::NoUpcomingInterview,
                format!(
                    "No interview with an end user is planned in the next {threshold} days \
                     (after {as_of}, up to {horizon_end}).{after}"
                ),
            ));
        }
    }

    let last_two = last_k(finished, 2);
    if let [first, second] = last_two {
        let mut heard = [false, false];
        for item in &input.feedback {
            if item.submitted_on <= as_of && item.from_end_user() {
                if item.sprint == Some(first.number) {
                    heard[0] = true;
                }
                if item.sprint == Some(second.number) {
                    heard[1] = true;
                }
            }
        }
        if heard == [false, false] {
            flags.push(flag(
                FlagCode::SprintsWithoutEndUserFeedback,
                format!(
                    "Neither of the last 2 finished sprints (sprint {}, ended {}; sprint {}, ended \
                     {}) has feedback from an end user.",
                    first.number, first.end_on, second.number, second.end_on
                ),
            ));
        }
    }

    let lacking = flags.iter().any(|flag| flag.level == Level::Red);
    (
        EndUserContact {
            last_contact_on,
            days_since,
            lacking,
            flags,
        },
        notes,
    )
}

fn flag(code: FlagCode, reason: String) -> Flag {
    Flag {
        code,
        level: code.level(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{compute as compute_all, finished_sprints};
    use super::*;
    use crate::format::Channel;

    fn run(p: &ProjectInput, as_of: &str) -> EndUserContact {
        let as_of = d(as_of);
        compute(p, as_of, &finished_sprints(p, as_of)).0
    }

    fn codes(contact: &EndUserContact) -> Vec<FlagCode> {
        contact.flags.iter().map(|f| f.code).collect()
    }

    /// A project with an upcoming interview far ahead, so only the tested flag can appear.
    fn with_upcoming(started_on: &str, interview_on: &str) -> ProjectInput {
        let mut p = project(started_on);
        p.interviews.push(interview(
            interview_on,
            InterviewStatus::Scheduled,
            vec![end_user("u9")],
        ));
        p
    }

    #[test]
    fn grace_period_is_exactly_fourteen_days() {
        let p = with_upcoming("2026-05-18", "2026-06-10");
        let at_14 = run(&p, "2026-06-01");
        assert_eq!(codes(&at_14), vec![]);
        assert!(!at_14.lacking);
        let at_15 = run(&p, "2026-06-02");
        assert_eq!(codes(&at_15), vec![FlagCode::NoEndUserContact]);
        assert!(at_15.lacking);
        assert_eq!(at_15.flags[0].level, Level::Red);
        assert!(
            at_15.flags[0].reason.contains("15 days ago"),
            "{}",
            at_15.flags[0].reason
        );
    }

    #[test]
    fn threshold_exactly_equal_is_not_stale() {
        let mut p = with_upcoming("2026-01-01", "2026-06-20");
        p.interviews.push(interview(
            "2026-05-02",
            InterviewStatus::Completed,
            vec![end_user("s1")],
        ));
        let at = run(&p, "2026-06-01");
        assert_eq!(at.last_contact_on, Some(d("2026-05-02")));
        assert_eq!(at.days_since, Some(30));
        assert_eq!(codes(&at), vec![]);
        let after = run(&p, "2026-06-02");
        assert_eq!(codes(&after), vec![FlagCode::EndUserContactStale]);
        assert_eq!(
            after.flags[0].reason,
            "Last end-user contact was 31 days ago (threshold 30): interview with Person s1 on 2026-05-02."
        );
        assert!(after.lacking);
    }

    #[test]
    fn contact_kinds_and_non_contacts() {
        let mut p = with_upcoming("2026-01-01", "2026-04-01");
        // Not contacts: a cancelled interview, an interview without end users, a review without
        // end users, feedback from a non-end user, anything after as_of.
        p.interviews.push(interview(
            "2026-03-01",
            InterviewStatus::Cancelled,
            vec![end_user("s1")],
        ));
        p.interviews.push(interview(
            "2026-03-02",
            InterviewStatus::Completed,
            vec![person("s2", Function::Product)],
        ));
        p.reviews.push(review(
            1,
            "2026-03-03",
            vec![person("s2", Function::Product)],
        ));
        p.feedback.push(feedback(
            None,
            "2026-03-04",
            person("s3", Function::Dataops),
        ));
        p.feedback
            .push(feedback(None, "2026-03-20", end_user("s1")));
        p.interviews.push(interview(
            "2026-02-01",
            InterviewStatus::Completed,
            vec![end_user("s1")],
        ));
        let a = run(&p, "2026-03-10");
        assert_eq!(a.last_contact_on, Some(d("2026-02-01")));
        assert_eq!(a.days_since, Some(37));
        // A review with an end-user attendee is a contact, named in the reason.
        p.reviews.push(review(
            2,
            "2026-02-05",
            vec![person("s2", Function::Product), end_user("s4")],
        ));
        let b = run(&p, "2026-03-10");
        assert_eq!(b.last_contact_on, Some(d("2026-02-05")));
        assert_eq!(
            b.flags[0].reason,
            "Last end-user contact was 33 days ago (threshold 30): review of sprint 2 attended by Person s4 on 2026-02-05."
        );
        // A link author who says they are an end user is a contact.
        p.feedback.push(link_feedback(
            None,
            "2026-02-07",
            Some(Function::EndUser),
            Some("Guest"),
        ));
        let c = run(&p, "2026-03-10");
        assert_eq!(c.last_contact_on, Some(d("2026-02-07")));
        assert!(
            c.flags[0]
                .reason
                .ends_with("feedback from Guest (not in the directory) on 2026-02-07.")
        );
        // Contact on as_of itself counts.
        let e = run(&p, "2026-03-20");
        assert_eq!(e.last_contact_on, Some(d("2026-03-20")));
        assert_eq!(e.days_since, Some(0));
        assert_eq!(codes(&e), vec![]);
    }

    #[test]
    fn contacts_before_start_count() {
        let mut p = with_upcoming("2026-04-22", "2026-06-10");
        p.feedback.push(link_feedback(
            None,
            "2026-04-19",
            Some(Function::EndUser),
            Some("Guest"),
        ));
        let at = run(&p, "2026-06-01");
        assert_eq!(at.last_contact_on, Some(d("2026-04-19")));
        assert_eq!(at.days_since, Some(43));
        assert_eq!(codes(&at), vec![FlagCode::EndUserContactStale]);
    }

    #[test]
    fn paused_and_not_started_projects_raise_no_flags() {
        let mut p = project("2025-11-13");
        p.status = ProjectStatus::Paused;
        p.sprints = vec![
            sprint(1, "2025-11-13", "2025-11-26"),
            sprint(2, "2025-11-27", "2025-12-10"),
        ];
        let paused = run(&p, "2026-06-01");
        assert_eq!(codes(&paused), vec![]);
        assert!(!paused.lacking);
        for status in [ProjectStatus::Production, ProjectStatus::Archived] {
            p.status = status;
            assert_eq!(codes(&run(&p, "2026-06-01")), vec![]);
        }
        p.status = ProjectStatus::Discovery;
        assert_eq!(
            codes(&run(&p, "2026-06-01")),
            vec![
                FlagCode::NoEndUserContact,
                FlagCode::NoUpcomingInterview,
                FlagCode::SprintsWithoutEndUserFeedback
            ]
        );
        // Not started yet: no flags, but past contacts are still reported.
        let mut q = project("2026-05-18");
        q.feedback
            .push(feedback(None, "2026-03-01", end_user("s1")));
        let early = run(&q, "2026-03-15");
        assert_eq!(codes(&early), vec![]);
        assert_eq!(early.last_contact_on, Some(d("2026-03-01")));
        assert_eq!(early.days_since, Some(14));
    }

    #[test]
    fn upcoming_interview_window_is_open_then_closed() {
        let mut p = project("2026-01-01");
        p.feedback
            .push(feedback(None, "2026-05-30", end_user("s1")));
        // On as_of itself: not upcoming.
        p.interviews.push(interview(
            "2026-06-01",
            InterviewStatus::Scheduled,
            vec![end_user("s1")],
        ));
        // Beyond the horizon (as_of + 30 = 2026-07-01).
        p.interviews.push(interview(
            "2026-07-02",
            InterviewStatus::Scheduled,
            vec![end_user("s1")],
        ));
        // Inside the horizon but not counted: cancelled, no-show, or without end users.
        p.interviews.push(interview(
            "2026-06-10",
            InterviewStatus::Cancelled,
            vec![end_user("s1")],
        ));
        p.interviews.push(interview(
            "2026-06-11",
            InterviewStatus::NoShow,
            vec![end_user("s1")],
        ));
        p.interviews.push(interview(
            "2026-06-12",
            InterviewStatus::Scheduled,
            vec![person("s2", Function::Product)],
        ));
        let none = run(&p, "2026-06-01");
        assert_eq!(codes(&none), vec![FlagCode::NoUpcomingInterview]);
        assert_eq!(none.flags[0].level, Level::Amber);
        assert!(!none.lacking);
        assert!(
            none.flags[0]
                .reason
                .contains("The next one is on 2026-07-02, 31 days ahead.")
        );
        // Exactly on the horizon's last day counts; a "completed" interview ahead counts too.
        let mut q = p.clone();
        q.interviews.push(interview(
            "2026-07-01",
            InterviewStatus::Scheduled,
            vec![end_user("s1")],
        ));
        assert_eq!(codes(&run(&q, "2026-06-01")), vec![]);
        let mut r = p.clone();
        r.interviews.push(interview(
            "2026-06-05",
            InterviewStatus::Completed,
            vec![end_user("s1")],
        ));
        assert_eq!(codes(&run(&r, "2026-06-01")), vec![]);
    }

    #[test]
    fn last_two_finished_sprints_without_end_user_feedback() {
        let mut p = with_upcoming("2026-01-01", "2026-03-20");
        p.feedback
            .push(feedback(None, "2026-03-01", end_user("s9")));
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-01-14"),
            sprint(2, "2026-01-15", "2026-01-28"),
            sprint(3, "2026-01-29", "2026-02-11"),
            sprint(4, "2026-02-12", "2026-03-10"),
        ];
        // Sprint 4 ends on as_of: not finished, so the last two finished are 2 and 3.
        p.feedback
            .push(feedback(Some(1), "2026-01-10", end_user("s1")));
        p.feedback.push(feedback(
            Some(3),
            "2026-02-10",
            person("s2", Function::Product),
        ));
        p.feedback
            .push(feedback(Some(4), "2026-02-20", end_user("s1")));
        let a = run(&p, "2026-03-10");
        assert_eq!(codes(&a), vec![FlagCode::SprintsWithoutEndUserFeedback]);
        assert!(
            a.flags[0].reason.contains("sprint 2"),
            "{}",
            a.flags[0].reason
        );
        assert!(
            a.flags[0].reason.contains("sprint 3"),
            "{}",
            a.flags[0].reason
        );
        // End-user feedback on one of the two, submitted by as_of, clears it.
        let mut b = p.clone();
        let mut item = link_feedback(Some(2), "2026-03-10", Some(Function::EndUser), None);
        item.channel = Channel::Team;
        b.feedback.push(item);
        assert_eq!(codes(&run(&b, "2026-03-10")), vec![]);
        // Submitted after as_of: it does not exist yet.
        let mut c = p.clone();
        c.feedback
            .push(feedback(Some(2), "2026-03-11", end_user("s1")));
        assert_eq!(
            codes(&run(&c, "2026-03-10")),
            vec![FlagCode::SprintsWithoutEndUserFeedback]
        );
        // Fewer than 2 finished sprints: never raised (the interview is beyond 30 days then).
        assert_eq!(
            codes(&run(&p, "2026-01-28")),
            vec![FlagCode::NoUpcomingInterview]
        );
        assert_eq!(finished_sprints(&p, d("2026-01-28")).len(), 1);
    }

    #[test]
    fn green_m2_explains_itself() {
        let mut p = with_upcoming("2026-01-01", "2026-03-20");
        p.interviews.push(interview(
            "2026-03-01",
            InterviewStatus::Completed,
            vec![end_user("s1")],
        ));
        let signals = compute_all(&p, d("2026-03-10"));
        assert_eq!(signals.scorecard.m2_end_users.level, Level::Green);
        assert_eq!(
            signals.scorecard.m2_end_users.reasons,
            vec![
                "Last end-user contact was 9 days ago (threshold 30): interview with Person s1 on 2026-03-01."
                    .to_owned(),
                "Next end-user interview is on 2026-03-20.".to_owned()
            ]
        );
    }
}
