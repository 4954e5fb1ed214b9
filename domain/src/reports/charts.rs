//! Small SVG charts, rendered on the server so that reports read and print without JavaScript.
//! Colours come from CSS classes (`chart-*` in style/main.css); every mark also has a text
//! label or a `<title>`, so nothing is conveyed by colour alone. Attributes are single-quoted:
//! the markup also travels as a JSON string in the page's hydration data, where every double
//! quote would cost an escape (a third of the chart's size on a long project).

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::format::Function;
use crate::signals::ProjectInput;

/// Escapes text for SVG/XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 760.0;
const LEFT: f64 = 110.0;
const ROW: f64 = 22.0;

/// The sprint timeline: one bar per sprint (with its length), gaps and overlaps between
/// consecutive sprints, markers for reviews (▲), retros (●) and end-user contacts (✓).
pub fn timeline(input: &ProjectInput, contacts: &[NaiveDate], as_of: NaiveDate) -> String {
    let mut sprints: Vec<_> = input
        .sprints
        .iter()
        .filter(|s| s.start_on <= as_of)
        .collect();
    sprints.sort_by_key(|s| (s.start_on, s.number));
    if sprints.is_empty() {
        return "<p class='empty-state'>No sprints yet.</p>".to_string();
    }
    let first = sprints
        .iter()
        .map(|s| s.start_on)
        .min()
        .unwrap_or(as_of)
        .min(input.started_on);
    let last = sprints
        .iter()
        .map(|s| s.end_on)
        .max()
        .unwrap_or(as_of)
        .max(as_of);
    let span = ((last - first).num_days() + 1).max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (WIDTH - LEFT - 10.0);
    let day_w = (WIDTH - LEFT - 10.0) / span;
    let rows = sprints.len() + 1;
    let height = rows as f64 * ROW + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class='chart chart-timeline' viewBox='0 0 {WIDTH} {height}' role='img' aria-label='Sprint timeline from {first} to {last}' xmlns='http://www.w3.org/2000/svg'>"
    );
    let _ = write!(svg, "<title>Sprint timeline from {first} to {last}</title>");
    for (i, s) in sprints.iter().enumerate() {
        let y = i as f64 * ROW + 10.0;
        let len = (s.end_on - s.start_on).num_days() + 1;
        let x0 = x(s.start_on);
        let w = (len as f64 * day_w).max(2.0);
        let _ = write!(
            svg,
            "<text class='chart-label' x='4' y='{:.1}'>#{} · {} d</text>",
            y + 14.0,
            s.number,
            len
        );
        let _ = write!(
            svg,
            "<rect class='chart-sprint' x='{x0:.1}' y='{y:.1}' width='{w:.1}' height='16' rx='3'><title>Sprint {}: {} to {} ({} days)</title></rect>",
            s.number, s.start_on, s.end_on, len
        );
        if let Some(next) = sprints.get(i + 1) {
            let gap = (next.start_on - s.end_on).num_days() - 1;
            if gap > 0 {
                let gx = x(s.end_on) + day_w;
                let _ = write!(
                    svg,
                    "<rect class='chart-gap' x='{gx:.1}' y='{:.1}' width='{:.1}' height='4'><title>Gap of {gap} days before sprint {}</title></rect>",
                    y + 6.0,
                    gap as f64 * day_w,
                    next.number
                );
            } else if gap < 0 {
                let ox = x(next.start_on);
                let _ = write!(
                    svg,
                    "<rect class='chart-overlap' x='{ox:.1}' y='{:.1}' width='{:.1}' height='4'><title>Overlap of {} days with sprint {}</title></rect>",
                    y + 16.0,
                    ((-gap) as f64 * day_w).max(2.0),
                    -gap,
                    next.number
                );
            }
        }
        for r in input
            .reviews
            .iter()
            .filter(|r| r.sprint == s.number && r.held_on <= as_of)
        {
            let rx = x(r.held_on) + day_w / 2.0;
            let _ = write!(
                svg,
                "<path class='chart-review' d='M{rx:.1} {:.1} l5 8 h-10 z'><title>Review of sprint {} on {}</title></path>",
                y + 4.0,
                s.number,
                r.held_on
            );
        }
        for r in input
            .retros
            .iter()
            .filter(|r| r.sprint == s.number && r.held_on <= as_of)
        {
            let rx = x(r.held_on) + day_w / 2.0;
            let _ = write!(
                svg,
                "<circle class='chart-retro' cx='{rx:.1}' cy='{:.1}' r='4'><title>Retrospective of sprint {} on {}</title></circle>",
                y + 8.0,
                s.number,
                r.held_on
            );
        }
    }
    let cy = sprints.len() as f64 * ROW + 10.0;
    let _ = write!(
        svg,
        "<text class='chart-label' x='4' y='{:.1}'>End-user contact</text>",
        cy + 14.0
    );
    // One mark per day, however many contacts it had: the chart stays small on busy projects.
    let mut days: Vec<NaiveDate> = contacts
        .iter()
        .copied()
        .filter(|d| *d >= first && *d <= last)
        .collect();
    days.sort_unstable();
    for group in days.chunk_by(|a, b| a == b) {
        let d = group[0];
        let cx = x(d) + day_w / 2.0;
        let _ = write!(
            svg,
            "<text class='chart-contact' x='{cx:.1}' y='{:.1}' text-anchor='middle'>✓<title>",
            cy + 14.0
        );
        match group.len() {
            1 => {
                let _ = write!(svg, "End-user contact on {d}");
            }
            n => {
                let _ = write!(svg, "{n} end-user contacts on {d}");
            }
        }
        svg.push_str("</title></text>");
    }
    let ax = x(as_of) + day_w / 2.0;
    let _ = write!(
        svg,
        "<line class='chart-today' x1='{ax:.1}' x2='{ax:.1}' y1='4' y2='{:.1}'><title>Report date {as_of}</title></line>",
        cy + 20.0
    );
    let _ = write!(
        svg,
        "<text class='chart-axis' x='{LEFT}' y='{:.1}'>{first}</text><text class='chart-axis' x='{:.1}' y='{:.1}' text-anchor='end'>{last}</text>",
        height - 4.0,
        WIDTH - 10.0,
        height - 4.0
    );
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart of input events by function, with counts written out.
pub fn by_function(counts: &[(Function, u32)]) -> String {
    let total: u32 = counts.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return "<p class='empty-state'>No input in the window.</p>".to_string();
    }
    let max = counts.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1);
    let height = counts.len() as f64 * ROW + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class='chart chart-bars' viewBox='0 0 {WIDTH} {height}' role='img' aria-label='Input events by function' xmlns='http://www.w3.org/2000/svg'><title>Input events by function</title>"
    );
    let label_w = 160.0;
    for (i, (f, c)) in counts.iter().enumerate() {
        let y = i as f64 * ROW + 4.0;
        let w = f64::from(*c) / f64::from(max) * (WIDTH - label_w - 80.0);
        let class = if *f == Function::EndUser {
            "chart-bar chart-bar-end-user"
        } else {
            "chart-bar"
        };
        let share = f64::from(*c) / f64::from(total) * 100.0;
        let _ = write!(
            svg,
            "<text class='chart-label' x='4' y='{:.1}'>{}</text><rect class='{class}' x='{label_w}' y='{y:.1}' width='{w:.1}' height='16' rx='3'><title>{}: {c} ({share:.0}%)</title></rect><text class='chart-value' x='{:.1}' y='{:.1}'>{c} ({share:.0}%)</text>",
            y + 13.0,
            esc(f.label()),
            esc(f.label()),
            label_w + w + 6.0,
            y + 13.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::{ReviewInput, SprintInput};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }

    #[test]
    fn timeline_shows_lengths_gaps_overlaps_and_markers() {
        let mut p = ProjectInput::new("p", "P", d("2026-01-01"));
        p.sprints = vec![
            SprintInput {
                number: 1,
                start_on: d("2026-01-01"),
                end_on: d("2026-01-14"),
            },
            SprintInput {
                number: 2,
                start_on: d("2026-01-18"),
                end_on: d("2026-01-31"),
            },
            SprintInput {
                number: 3,
                start_on: d("2026-01-29"),
                end_on: d("2026-02-11"),
            },
        ];
        p.reviews = vec![ReviewInput {
            sprint: 1,
            held_on: d("2026-01-15"),
            attendees: vec![],
        }];
        let svg = timeline(
            &p,
            &[d("2026-01-10"), d("2026-01-12"), d("2026-01-12")],
            d("2026-02-20"),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("class='chart-sprint'").count(), 3);
        assert!(svg.contains("#1 · 14 d"));
        assert!(svg.contains("Gap of 3 days before sprint 2"));
        assert!(svg.contains("Overlap of 3 days with sprint 3"));
        assert!(svg.contains("Review of sprint 1 on 2026-01-15"));
        assert!(svg.contains("End-user contact on 2026-01-10"));
        assert!(svg.contains("2 end-user contacts on 2026-01-12"));
        assert_eq!(svg.matches("class='chart-contact'").count(), 2);
        assert!(svg.contains("Report date 2026-02-20"));
    }

    #[test]
    fn timeline_without_sprints_says_so() {
        let p = ProjectInput::new("p", "P", d("2026-01-01"));
        assert!(timeline(&p, &[], d("2026-02-20")).contains("No sprints yet"));
    }

    #[test]
    fn bars_carry_counts_and_shares() {
        let svg = by_function(&[(Function::EndUser, 3), (Function::DataOwner, 1)]);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("End user: 3 (75%)"));
        assert!(svg.contains("chart-bar-end-user"));
        assert!(by_function(&[]).contains("No input"));
    }
}
