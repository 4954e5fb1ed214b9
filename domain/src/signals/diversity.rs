//! Diversity of input (part of misstep 1).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::cadence::WINDOW;
use super::input::{ProjectInput, SprintInput, StakeholderRef};
use super::{Diversity, Level, last_k, percent, plural, ratio};
use crate::format::{Function, InterviewStatus};

/// The size of the function taxonomy, which normalises the index.
const TAXONOMY_SIZE: f64 = 10.0;

/// Events by one directory stakeholder.
struct Tally<'a> {
    events: u32,
    person: &'a StakeholderRef,
}

/// Computes diversity of input and the reasons for its status.
pub(crate) fn compute(
    input: &ProjectInput,
    as_of: NaiveDate,
    finished: &[&SprintInput],
) -> (Diversity, Vec<String>) {
    let start = last_k(finished, WINDOW)
        .first()
        .map_or(input.started_on, |sprint| sprint.start_on);
    let in_window = |on: NaiveDate| start <= on && on <= as_of;

    let mut counts = [0u32; 10];
    let mut people: HashMap<&str, Tally<'_>> = HashMap::new();
    let mut anonymous = 0u32;
    let mut anonymous_name: Option<String> = None;
    for item in input
        .feedback
        .iter()
        .filter(|item| in_window(item.submitted_on))
    {
        counts[function_index(item.function())] += 1;
        match &item.stakeholder {
            Some(person) => count_person(&mut people, person),
            None => {
                anonymous += 1;
                if anonymous_name.is_none() {
                    anonymous_name = Some(item.author_display());
                }
            }
        }
    }
    for interview in &input.interviews {
        if interview.status == InterviewStatus::Completed && in_window(interview.on) {
            for person in &interview.participants {
                counts[function_index(person.function)] += 1;
                count_person(&mut people, person);
            }
        }
    }
    for review in input
        .reviews
        .iter()
        .filter(|review| in_window(review.held_on))
    {
        for person in &review.attendees {
            counts[function_index(person.function)] += 1;
            count_person(&mut people, person);
        }
    }

    let n: u32 = counts.iter().sum();
    let by_function: BTreeMap<Function, u32> = Function::ALL
        .iter()
        .zip(counts.iter())
        .filter(|(_, count)| **count > 0)
        .map(|(function, count)| (*function, *count))
        .collect();
    let distinct_functions = u32::try_from(by_function.len()).unwrap_or(u32::MAX);
    let distinct_stakeholders = u32::try_from(people.len())
        .unwrap_or(u32::MAX)
        .saturating_add(anonymous);
    let top = people.values().max_by(|a, b| {
        a.events
            .cmp(&b.events)
            .then_with(|| b.person.id.cmp(&a.person.id))
    });
    let top_events = top
        .map_or(0, |tally| tally.events)
        .max(u32::from(anonymous > 0));
    let top_name = top.map_or_else(
        || anonymous_name.unwrap_or_default(),
        |tally| tally.person.display(),
    );
    let end_user = counts[function_index(Function::EndUser)];

    let total = n as usize;
    let (diversity_index, end_user_share, top_stakeholder_share) = if n == 0 {
        (None, None, None)
    } else {
        let entropy: f64 = counts
            .iter()
            .filter(|count| **count > 0)
            .map(|count| {
                let p = f64::from(*count) / f64::from(n);
                -p * p.ln()
            })
            .sum();
        // `+ 0.0` turns the −0.0 of a single function into 0.0.
        let index = entropy / TAXONOMY_SIZE.ln() + 0.0;
        (
            Some(index),
            Some(ratio(end_user as usize, total)),
            Some(ratio(top_events as usize, total)),
        )
    };

    let since = format!("since {start}");
    let (status, reasons) = if n == 0 && finished.is_empty() {
        (
            Level::InsufficientData,
            vec![format!(
                "Diversity: no input events {since} and no sprint has finished, too early to judge."
            )],
        )
    } else if n == 0 {
        (
            Level::Red,
            vec![format!("Diversity: no input from any stakeholder {since}.")],
        )
    } else {
        let index = diversity_index.unwrap_or(0.0);
        let events = plural(total, "input event", "input events");
        let mut red = Vec::new();
        if distinct_functions <= 1 {
            let only = by_function.keys().next().map_or("", |f| f.label());
            red.push(format!(
                "Diversity: only one function ({only}) was heard in {events} {since}."
            ));
        }
        if end_user == 0 {
            red.push(format!(
                "Diversity: none of the {events} {since} came from an end user."
            ));
        }
        if !red.is_empty() {
            (Level::Red, red)
        } else {
            let mut amber = Vec::new();
            if index < 0.5 {
                amber.push(format!(
                    "Diversity: diversity index {index:.2} across {} (green from 0.50).",
                    plural(distinct_functions as usize, "function", "functions")
                ));
            }
            if 5 * end_user < n {
                amber.push(format!(
                    "Diversity: end users gave {end_user} of {events} {since} ({}; green from 20%).",
                    percent(ratio(end_user as usize, total))
                ));
            }
            if 2 * top_events > n {
                amber.push(format!(
                    "Diversity: one person, {top_name}, gave {top_events} of {events} {since} ({}; \
                     green up to 50%).",
                    percent(ratio(top_events as usize, total))
                ));
            }
            if amber.is_empty() {
                (
                    Level::Green,
                    vec![format!(
                        "Diversity: {events} {since} from {} and {}, {} from end users.",
                        plural(distinct_functions as usize, "function", "functions"),
                        plural(distinct_stakeholders as usize, "person", "people"),
                        percent(ratio(end_user as usize, total))
                    )],
                )
            } else {
                (Level::Amber, amber)
            }
        }
    };

    let diversity = Diversity {
        events: n,
        by_function,
        distinct_functions,
        distinct_stakeholders,
        diversity_index,
        end_user_share,
        top_stakeholder_share,
        status,
    };
    (diversity, reasons)
}

/// Adds one event by a directory stakeholder.
fn count_person<'a>(people: &mut HashMap<&'a str, Tally<'a>>, person: &'a StakeholderRef) {
    people
        .entry(person.id.as_str())
        .or_insert(Tally { events: 0, person })
        .events += 1;
}

fn function_index(function: Function) -> usize {
    match function {
        Function::EndUser => 0,
        Function::DomainExpert => 1,
        Function::DataOwner => 2,
        Function::Dataops => 3,
        Function::Devsecops => 4,
        Function::ExecutiveSponsor => 5,
        Function::Product => 6,
        Function::DataScience => 7,
        Function::ComplianceLegal => 8,
        Function::Other => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::super::finished_sprints;
    use super::super::test_support::*;
    use super::*;
    use crate::format::Channel;

    fn run(p: &ProjectInput, as_of: &str) -> (Diversity, Vec<String>) {
        let as_of = d(as_of);
        compute(p, as_of, &finished_sprints(p, as_of))
    }

    #[test]
    fn function_index_follows_taxonomy_order() {
        for (i, f) in Function::ALL.iter().enumerate() {
            assert_eq!(function_index(*f), i);
        }
    }

    #[test]
    fn brand_new_project_is_insufficient_not_red() {
        let p = project("2026-05-18");
        let (div, reasons) = run(&p, "2026-06-01");
        assert_eq!(div.events, 0);
        assert!(div.by_function.is_empty());
        assert_eq!(div.diversity_index, None);
        assert_eq!(div.end_user_share, None);
        assert_eq!(div.top_stakeholder_share, None);
        assert_eq!(div.status, Level::InsufficientData);
        assert_eq!(reasons.len(), 1);
    }

    #[test]
    fn no_events_after_a_finished_sprint_is_red() {
        let mut p = project("2026-04-22");
        p.sprints = vec![sprint(1, "2026-04-22", "2026-05-05")];
        // Before the window (which starts at the sprint's start): not counted.
        p.feedback
            .push(feedback(Some(1), "2026-04-21", end_user("s1")));
        let (div, reasons) = run(&p, "2026-06-01");
        assert_eq!(div.events, 0);
        assert_eq!(div.status, Level::Red);
        assert_eq!(
            reasons,
            vec!["Diversity: no input from any stakeholder since 2026-04-22."]
        );
    }

    #[test]
    fn window_starts_at_earliest_of_last_six_finished() {
        let mut p = project("2025-01-01");
        for i in 0..8u32 {
            let s = d("2025-01-01") + chrono::Days::new(u64::from(i) * 10);
            p.sprints.push(SprintInput {
                number: i + 1,
                start_on: s,
                end_on: s + chrono::Days::new(9),
            });
        }
        // Window: sprints 3..=8 → starts 2025-01-21.
        p.feedback
            .push(feedback(Some(1), "2025-01-20", end_user("s1")));
        p.feedback
            .push(feedback(Some(1), "2025-01-21", end_user("s1")));
        // After as_of: not counted.
        p.feedback
            .push(feedback(Some(8), "2025-03-30", end_user("s1")));
        let (div, _) = run(&p, "2025-03-25");
        assert_eq!(div.events, 1);
    }

    #[test]
    fn counts_feedback_interviews_and_review_attendance() {
        let mut p = project("2026-01-01");
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-01-14"),
            sprint(2, "2026-01-15", "2026-01-28"),
        ];
        let ana = end_user("s1");
        let bo = person("s2", Function::DomainExpert);
        // Review of the unfinished sprint 2 held in the window: attendance counts.
        p.reviews
            .push(review(2, "2026-01-20", vec![ana.clone(), bo.clone()]));
        // Feedback in the review channel counts in addition to attendance.
        let mut said = feedback(Some(2), "2026-01-20", bo.clone());
        said.channel = Channel::Review;
        p.feedback.push(said);
        // Completed interview: one event per participant; scheduled ones don't count.
        p.interviews.push(interview(
            "2026-01-10",
            InterviewStatus::Completed,
            vec![ana.clone(), person("s3", Function::DataOwner)],
        ));
        p.interviews.push(interview(
            "2026-01-11",
            InterviewStatus::Scheduled,
            vec![ana.clone()],
        ));
        // Link authors without a stakeholder: each a separate person, even with the same name.
        p.feedback.push(link_feedback(
            None,
            "2026-01-12",
            Some(Function::EndUser),
            Some("Guest"),
        ));
        p.feedback.push(link_feedback(
            None,
            "2026-01-13",
            Some(Function::EndUser),
            Some("Guest"),
        ));
        // Neither stakeholder nor function: `other`.
        p.feedback
            .push(link_feedback(Some(1), "2026-01-13", None, None));
        let (div, reasons) = run(&p, "2026-01-21");
        assert_eq!(div.events, 8);
        let expected: BTreeMap<Function, u32> = [
            (Function::EndUser, 4),
            (Function::DomainExpert, 2),
            (Function::DataOwner, 1),
            (Function::Other, 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(div.by_function, expected);
        assert_eq!(div.distinct_functions, 4);
        // s1, s2, s3 and three link authors.
        assert_eq!(div.distinct_stakeholders, 6);
        close(div.end_user_share, 0.5);
        close(div.top_stakeholder_share, 2.0 / 8.0);
        let entropy = -(0.5f64 * 0.5f64.ln() + 0.25 * 0.25f64.ln() + 2.0 * 0.125 * 0.125f64.ln());
        close(div.diversity_index, entropy / 10f64.ln());
        // Index 0.53 ≥ 0.5, end users 50%, top 25%: green.
        assert_eq!(div.status, Level::Green);
        assert!(
            reasons[0].starts_with(
                "Diversity: 8 input events since 2026-01-01 from 4 functions and 6 people"
            ),
            "{reasons:?}"
        );
    }

    #[test]
    fn one_function_is_red_with_zero_index() {
        let mut p = project("2026-01-01");
        p.sprints = vec![sprint(1, "2026-01-01", "2026-01-14")];
        p.interviews.push(interview(
            "2026-01-05",
            InterviewStatus::Completed,
            vec![end_user("s1")],
        ));
        let (div, reasons) = run(&p, "2026-01-20");
        assert_eq!(div.diversity_index, Some(0.0));
        assert!(div.diversity_index.is_some_and(|x| x.is_sign_positive()));
        close(div.end_user_share, 1.0);
        close(div.top_stakeholder_share, 1.0);
        assert_eq!(div.status, Level::Red);
        assert_eq!(
            reasons,
            vec![
                "Diversity: only one function (End user) was heard in 1 input event since 2026-01-01."
            ]
        );
    }

    #[test]
    fn no_end_users_is_red_and_amber_rules() {
        let mut p = project("2026-01-01");
        p.feedback.push(feedback(
            None,
            "2026-01-02",
            person("s1", Function::Product),
        ));
        p.feedback.push(feedback(
            None,
            "2026-01-03",
            person("s2", Function::DataOwner),
        ));
        let (div, reasons) = run(&p, "2026-01-10");
        close(div.end_user_share, 0.0);
        assert_eq!(div.status, Level::Red);
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].contains("none of the 2 input events"),
            "{reasons:?}"
        );
        // Add one end user: 3 functions, equal shares → index ln3/ln10 = 0.477 < 0.5: amber.
        p.feedback
            .push(feedback(None, "2026-01-04", end_user("s3")));
        let (div, reasons) = run(&p, "2026-01-10");
        close(div.diversity_index, 3f64.ln() / 10f64.ln());
        assert_eq!(div.status, Level::Amber);
        assert_eq!(
            reasons,
            vec!["Diversity: diversity index 0.48 across 3 functions (green from 0.50)."]
        );
    }

    #[test]
    fn top_stakeholder_and_end_user_share_boundaries() {
        let mut p = project("2026-01-01");
        for _ in 0..5 {
            p.feedback.push(feedback(
                None,
                "2026-01-02",
                person("s1", Function::Product),
            ));
        }
        p.feedback
            .push(feedback(None, "2026-01-02", end_user("s2")));
        p.feedback
            .push(feedback(None, "2026-01-02", end_user("s3")));
        for (id, f) in [
            ("s4", Function::DataOwner),
            ("s5", Function::Dataops),
            ("s6", Function::DomainExpert),
        ] {
            p.feedback.push(feedback(None, "2026-01-02", person(id, f)));
        }
        // n = 10: the top person has exactly 50%, end users exactly 20%, index ≈ 0.59: green.
        let (div, _) = run(&p, "2026-01-10");
        close(div.top_stakeholder_share, 0.5);
        close(div.end_user_share, 0.2);
        assert!(div.diversity_index.is_some_and(|x| x > 0.5));
        assert_eq!(div.status, Level::Green);
        // One more from the top person: 6 of 11 and end users 2 of 11, both amber.
        p.feedback.push(feedback(
            None,
            "2026-01-03",
            person("s1", Function::Product),
        ));
        let (div, reasons) = run(&p, "2026-01-10");
        assert_eq!(div.status, Level::Amber);
        assert_eq!(
            reasons,
            vec![
                "Diversity: end users gave 2 of 11 input events since 2026-01-01 (18%; green from 20%).",
                "Diversity: one person, Person s1, gave 6 of 11 input events since 2026-01-01 (55%; green up to 50%)."
            ]
        );
    }

    #[test]
    fn anonymous_authors_are_separate_people() {
        let mut p = project("2026-01-01");
        for _ in 0..3 {
            p.feedback.push(link_feedback(
                None,
                "2026-01-02",
                Some(Function::EndUser),
                Some("Guest"),
            ));
        }
        p.feedback.push(link_feedback(
            None,
            "2026-01-02",
            Some(Function::Product),
            None,
        ));
        let (div, _) = run(&p, "2026-01-10");
        assert_eq!(div.distinct_stakeholders, 4);
        close(div.top_stakeholder_share, 0.25);
    }
}
