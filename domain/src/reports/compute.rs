//! Reports built from one project's signal inputs: its portfolio row, its end-user contacts and
//! the whole project report (pure functions; the read cache memoises them per date).

use chrono::NaiveDate;

use super::{ContactEvent, PortfolioRow, ProjectReport};
use crate::format::{Function, InterviewStatus};
use crate::signals::{self, ProjectInput};

/// The signals of every input (pure; the benchmark measures this).
pub fn portfolio_rows(inputs: &[ProjectInput], as_of: NaiveDate) -> Vec<PortfolioRow> {
    inputs
        .iter()
        .map(|input| PortfolioRow {
            key: input.key.clone(),
            name: input.name.clone(),
            status: input.status,
            signals: signals::compute(input, as_of),
        })
        .collect()
}

/// Every end-user contact on or before `as_of`, newest first (DESIGN.md (a)–(c)).
pub fn contacts(input: &ProjectInput, as_of: NaiveDate) -> Vec<ContactEvent> {
    let names = |people: &mut dyn Iterator<Item = &signals::StakeholderRef>| {
        people
            .filter(|p| p.function == Function::EndUser)
            .map(signals::StakeholderRef::display)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for i in &input.interviews {
        if i.status == InterviewStatus::Completed
            && i.on <= as_of
            && i.participants
                .iter()
                .any(|p| p.function == Function::EndUser)
        {
            out.push(ContactEvent {
                on: i.on,
                kind: "interview".into(),
                who: names(&mut i.participants.iter()),
            });
        }
    }
    for f in &input.feedback {
        if f.from_end_user() && f.submitted_on <= as_of {
            out.push(ContactEvent {
                on: f.submitted_on,
                kind: "feedback".into(),
                who: f.author_display(),
            });
        }
    }
    for r in &input.reviews {
        if r.held_on <= as_of && r.attendees.iter().any(|p| p.function == Function::EndUser) {
            out.push(ContactEvent {
                on: r.held_on,
                kind: "review".into(),
                who: names(&mut r.attendees.iter()),
            });
        }
    }
    out.sort_by(|a, b| b.on.cmp(&a.on).then_with(|| a.kind.cmp(&b.kind)));
    out
}

/// Builds the report of one loaded project.
pub fn report_of(input: &ProjectInput, as_of: NaiveDate) -> ProjectReport {
    let signals = signals::compute(input, as_of);
    let contacts = contacts(input, as_of);
    let days: Vec<NaiveDate> = contacts.iter().map(|c| c.on).collect();
    let mut by_function: Vec<(Function, u32)> = signals
        .diversity
        .by_function
        .iter()
        .map(|(f, c)| (*f, *c))
        .collect();
    by_function.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ProjectReport {
        key: input.key.clone(),
        name: input.name.clone(),
        target_iteration_days: input.target_iteration_days,
        timeline_svg: super::charts::timeline(input, &days, as_of),
        diversity_svg: super::charts::by_function(&by_function),
        signals,
        contacts,
    }
}
