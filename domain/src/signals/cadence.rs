//! Cadence over the last finished sprints (part of misstep 1).

use chrono::{Days, NaiveDate};

use super::input::{ProjectInput, SprintInput};
use super::{Cadence, Level, days_between, last_k, percent, plural, ratio};
use crate::format::ActionStatus;

/// The number of finished sprints in the cadence window.
pub(crate) const WINDOW: usize = 6;

/// Days after a sprint's end within which its review still counts.
const REVIEW_GRACE_DAYS: u64 = 3;

/// Computes cadence and the reasons for its status.
pub(crate) fn compute(
    input: &ProjectInput,
    as_of: NaiveDate,
    finished: &[&SprintInput],
) -> (Cadence, Vec<String>) {
    let window = last_k(finished, WINDOW);
    let n = window.len();
    let Some(last) = window.last() else {
        let cadence = Cadence {
            window_sprints: 0,
            mean_length: None,
            cv: None,
            mean_gap: None,
            review_rate: None,
            retro_rate: None,
            feedback_coverage: None,
            end_user_feedback_coverage: None,
            action_follow_through: None,
            days_since_last_finished: None,
            status: Level::InsufficientData,
        };
        let reason = format!("Cadence: no sprint has finished by {as_of}; at least 2 are needed.");
        return (cadence, vec![reason]);
    };

    // Lengths, as integers so that the status thresholds are decided exactly.
    let lengths: Vec<i64> = window
        .iter()
        .map(|s| days_between(s.start_on, s.end_on) + 1)
        .collect();
    let sum: i64 = lengths.iter().sum();
    let sum_sq: i64 = lengths.iter().map(|l| l * l).sum();
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    let mean_length = sum as f64 / n as f64;
    let variance = lengths
        .iter()
        .map(|&l| (l as f64 - mean_length).powi(2))
        .sum::<f64>()
        / n as f64;
    let cv = (mean_length > 0.0).then(|| {
        if n == 1 {
            0.0
        } else {
            variance.sqrt() / mean_length
        }
    });
    // n·Σl² − (Σl)² = n²·variance, so cv² = spread / sum².
    let spread = count * sum_sq - sum * sum;

    let mean_gap = (n > 1).then(|| {
        let gaps: i64 = window
            .windows(2)
            .map(|pair| days_between(pair[0].end_on, pair[1].start_on) - 1)
            .sum();
        gaps as f64 / (n - 1) as f64
    });

    let reviewed = window
        .iter()
        .filter(|sprint| {
            let latest = (sprint.end_on + Days::new(REVIEW_GRACE_DAYS)).min(as_of);
            input.reviews.iter().any(|review| {
                review.sprint == sprint.number
                    && sprint.start_on <= review.held_on
                    && review.held_on <= latest
            })
        })
        .count();
    let retro_held = window
        .iter()
        .filter(|sprint| {
            input
                .retros
                .iter()
                .any(|retro| retro.sprint == sprint.number && retro.held_on <= as_of)
        })
        .count();

    let mut with_feedback = vec![false; n];
    let mut with_end_user_feedback = vec![false; n];
    for item in &input.feedback {
        let Some(number) = item.sprint else { continue };
        if item.submitted_on > as_of {
            continue;
        }
        if let Some(index) = window.iter().position(|sprint| sprint.number == number) {
            with_feedback[index] = true;
            if item.from_end_user() {
                with_end_user_feedback[index] = true;
            }
        }
    }
    let covered = with_feedback.iter().filter(|covered| **covered).count();
    let end_user_covered = with_end_user_feedback
        .iter()
        .filter(|covered| **covered)
        .count();

    let mut due = 0usize;
    let mut done = 0usize;
    for retro in input.retros.iter().filter(|retro| retro.held_on <= as_of) {
        for item in &retro.action_items {
            let Some(due_sprint) = item.due_sprint else {
                continue;
            };
            if !window.iter().any(|sprint| sprint.number == due_sprint) {
                continue;
            }
            due += 1;
            if item.status == ActionStatus::Done && item.closed_on.is_some_and(|on| on <= as_of) {
                done += 1;
            }
        }
    }

    let days_since_last_finished = days_between(last.end_on, as_of);
    let review_rate = ratio(reviewed, n);
    let retro_rate = ratio(retro_held, n);
    let target = i64::from(input.target_iteration_days);
    let facts = Facts {
        n,
        as_of,
        last,
        target,
        mean_length,
        cv: cv.unwrap_or(f64::INFINITY),
        spread,
        sum,
        reviewed,
        retro_held,
        days_since_last_finished,
    };
    let (status, reasons) = facts.judge(finished.len());

    let cadence = Cadence {
        window_sprints: u32::try_from(n).unwrap_or(u32::MAX),
        mean_length: Some(mean_length),
        cv,
        mean_gap,
        review_rate: Some(review_rate),
        retro_rate: Some(retro_rate),
        feedback_coverage: Some(ratio(covered, n)),
        end_user_feedback_coverage: Some(ratio(end_user_covered, n)),
        action_follow_through: (due > 0).then(|| ratio(done, due)),
        days_since_last_finished: Some(days_since_last_finished),
        status,
    };
    (cadence, reasons)
}

/// The numbers the status is decided on.
struct Facts<'a> {
    n: usize,
    as_of: NaiveDate,
    last: &'a SprintInput,
    target: i64,
    mean_length: f64,
    cv: f64,
    /// n·Σl² − (Σl)².
    spread: i64,
    /// Σl.
    sum: i64,
    reviewed: usize,
    retro_held: usize,
    days_since_last_finished: i64,
}

impl Facts<'_> {
    fn judge(&self, finished: usize) -> (Level, Vec<String>) {
        let n = self.n;
        if finished < 2 {
            return (
                Level::InsufficientData,
                vec![format!(
                    "Cadence: only 1 sprint has finished by {}; at least 2 are needed.",
                    self.as_of
                )],
            );
        }
        let sum_sq = self.sum * self.sum;
        // cv > 0.5 ⇔ 4·spread > sum²; cv ≤ 0.25 ⇔ 16·spread ≤ sum² (for a positive sum).
        let cv_red = self.sum <= 0 || 4 * self.spread > sum_sq;
        let cv_green = self.sum > 0 && 16 * self.spread <= sum_sq;
        let review_red = 2 * self.reviewed < n;
        let retro_red = 2 * self.retro_held < n;
        let lapsed = self.days_since_last_finished > 2 * self.target;
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        // |mean − target| ≤ 0.25·target ⇔ 4·|Σl − n·target| ≤ n·target.
        let on_target = 4 * (self.sum - count * self.target).abs() <= count * self.target;
        let review_green = 4 * self.reviewed >= 3 * n;
        let retro_green = 4 * self.retro_held >= 3 * n;
        let of_n = format!(
            "of the last {}",
            plural(n, "finished sprint", "finished sprints")
        );

        let mut red = Vec::new();
        if cv_red {
            red.push(format!(
                "Cadence: sprint lengths vary widely, coefficient of variation {:.2} {of_n} \
                 (red above 0.50).",
                self.cv
            ));
        }
        if review_red {
            red.push(format!(
                "Cadence: a review was held on time for {} {of_n} ({}; red below 50%).",
                self.reviewed,
                percent(ratio(self.reviewed, n))
            ));
        }
        if retro_red {
            red.push(format!(
                "Cadence: a retro was held for {} {of_n} ({}; red below 50%).",
                self.retro_held,
                percent(ratio(self.retro_held, n))
            ));
        }
        if lapsed {
            red.push(format!(
                "Cadence: the last finished sprint, sprint {}, ended on {}, {} days ago \
                 (red above twice the {}-day target).",
                self.last.number, self.last.end_on, self.days_since_last_finished, self.target
            ));
        }
        if !red.is_empty() {
            return (Level::Red, red);
        }

        let mut amber = Vec::new();
        if !cv_green {
            amber.push(format!(
                "Cadence: sprint lengths vary, coefficient of variation {:.2} {of_n} \
                 (green up to 0.25).",
                self.cv
            ));
        }
        if !on_target {
            amber.push(format!(
                "Cadence: sprints last {:.1} days on average against a {}-day target \
                 (green within 25%).",
                self.mean_length, self.target
            ));
        }
        if !review_green {
            amber.push(format!(
                "Cadence: a review was held on time for {} {of_n} ({}; green from 75%).",
                self.reviewed,
                percent(ratio(self.reviewed, n))
            ));
        }
        if !retro_green {
            amber.push(format!(
                "Cadence: a retro was held for {} {of_n} ({}; green from 75%).",
                self.retro_held,
                percent(ratio(self.retro_held, n))
            ));
        }
        if !amber.is_empty() {
            return (Level::Amber, amber);
        }
        (
            Level::Green,
            vec![format!(
                "Cadence: {} averaging {:.1} days (target {}), with a review for {} and a retro \
                 for {} of them.",
                plural(n, "finished sprint", "finished sprints"),
                self.mean_length,
                self.target,
                self.reviewed,
                self.retro_held
            )],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::finished_sprints;
    use super::super::test_support::*;
    use super::*;
    use crate::format::Function;

    fn run(p: &ProjectInput, as_of: &str) -> (Cadence, Vec<String>) {
        let as_of = d(as_of);
        compute(p, as_of, &finished_sprints(p, as_of))
    }

    /// `count` back-to-back 14-day sprints from 2026-01-05, each with a timely review and retro.
    fn regular(count: u32) -> ProjectInput {
        let mut p = project("2026-01-05");
        for i in 0..count {
            let start = d("2026-01-05") + Days::new(u64::from(i) * 14);
            let end = start + Days::new(13);
            p.sprints.push(SprintInput {
                number: i + 1,
                start_on: start,
                end_on: end,
            });
            let held = end + Days::new(1);
            p.reviews.push(super::super::ReviewInput {
                sprint: i + 1,
                held_on: held,
                attendees: vec![],
            });
            p.retros.push(super::super::RetroInput {
                sprint: i + 1,
                held_on: held,
                action_items: vec![],
            });
        }
        p
    }

    #[test]
    fn no_sprints_is_all_null() {
        let p = project("2026-01-05");
        let (c, reasons) = run(&p, "2026-03-01");
        assert_eq!(c.window_sprints, 0);
        assert_eq!(c.mean_length, None);
        assert_eq!(c.cv, None);
        assert_eq!(c.review_rate, None);
        assert_eq!(c.action_follow_through, None);
        assert_eq!(c.days_since_last_finished, None);
        assert_eq!(c.status, Level::InsufficientData);
        assert_eq!(reasons.len(), 1);
    }

    #[test]
    fn one_sprint_has_zero_cv_and_no_gap() {
        let p = regular(1);
        let (c, reasons) = run(&p, "2026-01-25");
        assert_eq!(c.window_sprints, 1);
        close(c.mean_length, 14.0);
        assert_eq!(c.cv, Some(0.0));
        assert_eq!(c.mean_gap, None);
        close(c.review_rate, 1.0);
        close(c.retro_rate, 1.0);
        close(c.feedback_coverage, 0.0);
        assert_eq!(c.days_since_last_finished, Some(7));
        assert_eq!(c.status, Level::InsufficientData);
        assert!(reasons[0].contains("only 1 sprint"), "{reasons:?}");
    }

    #[test]
    fn regular_cadence_is_green() {
        let p = regular(8);
        // Sprint 8 ends 2026-04-26; as_of 2026-04-28 → 8 finished, window = sprints 3..=8.
        let (c, reasons) = run(&p, "2026-04-28");
        assert_eq!(c.window_sprints, 6);
        close(c.mean_length, 14.0);
        close(c.cv, 0.0);
        close(c.mean_gap, 0.0);
        assert_eq!(c.days_since_last_finished, Some(2));
        assert_eq!(c.status, Level::Green);
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].starts_with("Cadence: 6 finished sprints averaging 14.0 days"),
            "{reasons:?}"
        );
    }

    #[test]
    fn sprint_ending_on_as_of_is_not_finished() {
        let p = regular(2);
        // Sprint 2 ends on 2026-02-01.
        let (c, _) = run(&p, "2026-02-01");
        assert_eq!(c.window_sprints, 1);
        assert_eq!(c.status, Level::InsufficientData);
        let (c, _) = run(&p, "2026-02-02");
        assert_eq!(c.window_sprints, 2);
        assert_eq!(c.status, Level::Green);
    }

    #[test]
    fn as_of_in_the_past_ignores_later_facts() {
        let mut p = regular(8);
        // Sprint 3 ends on 2026-02-15; its review and retro are held after as_of.
        p.reviews[2].held_on = d("2026-02-17");
        p.retros[2].held_on = d("2026-02-17");
        let (c, _) = run(&p, "2026-02-16");
        assert_eq!(c.window_sprints, 3);
        // Sprint 3's review lies within end + 3 but after as_of: min(end + 3, as_of) caps it.
        close(c.review_rate, 2.0 / 3.0);
        close(c.retro_rate, 2.0 / 3.0);
        assert_eq!(c.days_since_last_finished, Some(1));
        assert_eq!(c.status, Level::Amber);
    }

    #[test]
    fn overlapping_and_nested_sprints() {
        let mut p = project("2026-01-01");
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-02-28"), // 59 days
            sprint(2, "2026-01-10", "2026-01-20"), // 11 days, nested in sprint 1
            sprint(3, "2026-01-18", "2026-01-31"), // 14 days, overlapping sprint 2
        ];
        let (c, reasons) = run(&p, "2026-03-10");
        assert_eq!(c.window_sprints, 3);
        close(c.mean_length, 28.0);
        // Ordered by start: 1, 2, 3. Gaps: 01-10 − 02-28 − 1 = −50; 01-18 − 01-20 − 1 = −3.
        close(c.mean_gap, -26.5);
        let sd = ((31.0f64.powi(2) + 17.0f64.powi(2) + 14.0f64.powi(2)) / 3.0).sqrt();
        close(c.cv, sd / 28.0);
        // Last in window order is sprint 3, whatever ends last.
        assert_eq!(c.days_since_last_finished, Some(38));
        assert_eq!(c.status, Level::Red);
        assert!(
            reasons.iter().any(|r| r.contains("vary widely")),
            "{reasons:?}"
        );
    }

    #[test]
    fn review_window_is_start_to_end_plus_three_capped_by_as_of() {
        let mut p = project("2026-01-01");
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-01-10"),
            sprint(2, "2026-01-11", "2026-01-20"),
            sprint(3, "2026-01-21", "2026-01-30"),
            sprint(4, "2026-01-31", "2026-02-09"),
        ];
        p.reviews = vec![
            review(1, "2026-01-13", vec![]), // end + 3: counts
            review(2, "2026-01-24", vec![]), // end + 4: too late
            review(3, "2026-01-20", vec![]), // before start: does not count
            review(4, "2026-02-11", vec![]), // within end + 3, but after as_of
        ];
        let (c, _) = run(&p, "2026-02-10");
        close(c.review_rate, 0.25);
        let (c, _) = run(&p, "2026-02-11");
        close(c.review_rate, 0.5);
    }

    #[test]
    fn retro_counts_whatever_its_date_if_by_as_of() {
        let mut p = regular(2);
        p.retros = vec![
            retro(1, "2026-03-01", vec![]),
            retro(2, "2026-01-06", vec![]),
        ];
        let (c, _) = run(&p, "2026-02-20");
        close(c.retro_rate, 0.5);
        let (c, _) = run(&p, "2026-03-01");
        close(c.retro_rate, 1.0);
    }

    #[test]
    fn feedback_coverage_counts_sprints_with_feedback_by_as_of() {
        let mut p = regular(3);
        p.feedback = vec![
            feedback(Some(1), "2026-01-10", end_user("s1")),
            feedback(Some(1), "2026-01-11", person("s2", Function::Product)),
            feedback(Some(2), "2026-01-20", person("s2", Function::Product)),
            feedback(Some(3), "2026-03-01", end_user("s1")), // after as_of
            feedback(None, "2026-01-25", end_user("s1")),    // on no sprint
            link_feedback(Some(9), "2026-01-25", Some(Function::EndUser), None), // not in window
        ];
        let (c, _) = run(&p, "2026-02-20");
        close(c.feedback_coverage, 2.0 / 3.0);
        close(c.end_user_feedback_coverage, 1.0 / 3.0);
    }

    #[test]
    fn action_follow_through_rules() {
        let mut p = regular(3);
        // Window: sprints 1..=3 as of 2026-02-20. Retros of sprints 1 and 2 are held by then.
        p.retros = vec![
            retro(
                1,
                "2026-01-19",
                vec![
                    action(2, ActionStatus::Done, Some("2026-01-25")), // done: counts
                    action(2, ActionStatus::Done, None),               // no closed_on: not done
                    action(3, ActionStatus::Dropped, Some("2026-02-01")), // denominator only
                    action(3, ActionStatus::Done, Some("2026-02-25")), // closed after as_of
                    action(7, ActionStatus::Done, Some("2026-01-30")), // due outside the window
                ],
            ),
            retro(2, "2026-02-02", vec![action(3, ActionStatus::Open, None)]),
            // Held after as_of: its items don't count yet.
            retro(
                3,
                "2026-02-21",
                vec![action(3, ActionStatus::Done, Some("2026-02-21"))],
            ),
        ];
        let (c, _) = run(&p, "2026-02-20");
        close(c.action_follow_through, 1.0 / 5.0);
        let (c, _) = run(&p, "2026-02-25");
        close(c.action_follow_through, 3.0 / 6.0);
        // No items due: null.
        let q = regular(3);
        assert_eq!(run(&q, "2026-02-20").0.action_follow_through, None);
    }

    #[test]
    fn status_thresholds() {
        // Red: retros for fewer than half.
        let mut p = regular(4);
        p.retros.truncate(1);
        let (c, reasons) = run(&p, "2026-03-03");
        close(c.retro_rate, 0.25);
        assert_eq!(c.status, Level::Red);
        assert_eq!(
            reasons,
            vec![
                "Cadence: a retro was held for 1 of the last 4 finished sprints (25%; red below 50%)."
            ]
        );
        // Exactly half is amber, not red.
        let mut p = regular(4);
        p.retros.truncate(2);
        let (c, reasons) = run(&p, "2026-03-03");
        assert_eq!(c.status, Level::Amber);
        assert_eq!(reasons.len(), 1);
        // Exactly 75% and exactly 25% off target are green.
        let mut p = regular(4);
        p.reviews.truncate(3);
        p.target_iteration_days = 11; // 14 ≤ 11 + 2.75 is false → amber
        assert_eq!(run(&p, "2026-03-03").0.status, Level::Amber);
        p.target_iteration_days = 12; // |14 − 12| = 2 ≤ 3 → green
        let (c, _) = run(&p, "2026-03-03");
        close(c.review_rate, 0.75);
        assert_eq!(c.status, Level::Green);
        // Lapsed: more than twice the target since the last sprint ended (2026-03-01).
        let p = regular(4);
        assert_eq!(run(&p, "2026-03-29").0.status, Level::Green); // 28 days
        let (c, reasons) = run(&p, "2026-03-30"); // 29 days
        assert_eq!(c.status, Level::Red);
        assert!(
            reasons[0].contains("sprint 4, ended on 2026-03-01, 29 days ago"),
            "{reasons:?}"
        );
    }

    #[test]
    fn cv_thresholds_are_exact() {
        // Lengths 10 and 30: mean 20, sd 10, cv 0.5 → not red (amber).
        let mut p = project("2026-01-01");
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-01-10"),
            sprint(2, "2026-01-11", "2026-02-09"),
        ];
        p.reviews = vec![
            review(1, "2026-01-10", vec![]),
            review(2, "2026-02-09", vec![]),
        ];
        p.retros = vec![
            retro(1, "2026-01-10", vec![]),
            retro(2, "2026-02-09", vec![]),
        ];
        p.target_iteration_days = 20;
        let (c, _) = run(&p, "2026-02-10");
        close(c.cv, 0.5);
        assert_eq!(c.status, Level::Amber);
        // Lengths 15 and 25: cv 0.25 → green.
        p.sprints = vec![
            sprint(1, "2026-01-01", "2026-01-15"),
            sprint(2, "2026-01-16", "2026-02-09"),
        ];
        p.reviews = vec![
            review(1, "2026-01-15", vec![]),
            review(2, "2026-02-09", vec![]),
        ];
        let (c, _) = run(&p, "2026-02-10");
        close(c.cv, 0.25);
        assert_eq!(c.status, Level::Green);
    }
}
