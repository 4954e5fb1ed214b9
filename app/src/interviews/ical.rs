//! iCalendar (RFC 5545) output for interviews, built with the `icalendar` crate.
//!
//! Times are written in UTC (`DTSTART:20260310T130000Z`), which every client reads without a
//! `VTIMEZONE` definition; the interview's own zone and local start are in the description.
//! UIDs are stable (`interview-<id>@touchpoint`) so that a subscribed calendar updates events in
//! place, and cancelled interviews stay in the feed with `STATUS:CANCELLED` so that clients
//! remove them.

use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

use super::{Interview, InterviewStatus};

/// The product identifier written into every calendar.
pub const PRODID: &str = "-//Touchpoint//Interviews//EN";

/// The stable UID of an interview's event.
pub fn uid(interview_id: &str) -> String {
    format!("interview-{interview_id}@touchpoint")
}

/// Removes control characters other than line feeds.
fn clean(value: &str) -> String {
    value
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11) for properties the crate does not treat as text
/// (it escapes SUMMARY, DESCRIPTION and `X-` properties itself, but not RFC 7986 `NAME`).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An event's title: the kind and the project.
fn summary(interview: &Interview) -> String {
    clean(&format!(
        "{} – {}",
        interview.kind.label(),
        interview.project_name
    ))
}

/// An empty calendar with the properties every one of ours has, and `method`.
fn calendar_of(method: &str) -> Calendar {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", PRODID))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method));
    cal
}

/// One VEVENT for an interview. `page_url` links back to the interview in Touchpoint.
fn event(interview: &Interview, page_url: &str) -> Event {
    let start = interview.scheduled_at;
    let end = start + Duration::minutes(i64::from(interview.duration_min));
    let summary = summary(interview);
    let mut description = format!(
        "{} interview for {}.\nLocal start: {} ({}).\nParticipants: {}.\nInterviewers: {}.",
        interview.kind.label(),
        interview.project_name,
        interview.local_start,
        interview.time_zone,
        interview.participant_names(),
        interview.interviewer_names(),
    );
    if !page_url.is_empty() {
        description.push('\n');
        description.push_str(page_url);
    }
    let status = match interview.status {
        InterviewStatus::Cancelled => EventStatus::Cancelled,
        _ => EventStatus::Confirmed,
    };
    let mut e = Event::new();
    let description = clean(&description);
    e.uid(&uid(&interview.id))
        .timestamp(interview.updated_at)
        .last_modified(interview.updated_at)
        .starts(start)
        .ends(end)
        .summary(&summary)
        .description(&description)
        .status(status);
    if !page_url.is_empty() {
        e.url(page_url);
    }
    e.done()
}

/// A calendar with one event per interview. `page_url` gives the link to each interview.
pub fn calendar(
    name: &str,
    interviews: &[Interview],
    page_url: impl Fn(&Interview) -> String,
) -> String {
    let mut cal = calendar_of("PUBLISH");
    cal.append_property(Property::new("X-WR-CALNAME", clean(name)))
        .append_property(Property::new("NAME", escape(name)));
    for interview in interviews {
        cal.push(event(interview, &page_url(interview)));
    }
    cal.done().to_string()
}

/// What one invitation or cancellation carries besides the interview.
pub struct Invitation<'a> {
    /// `REQUEST` (add or update the entry) or `CANCEL` (remove it).
    pub method: &'a str,
    /// The SEQUENCE: raised on every reschedule and on cancelling.
    pub sequence: i64,
    /// The organizer's address (Touchpoint's sender).
    pub organizer: &'a str,
    /// The one attendee this message goes to (no other person's address is in it).
    pub attendee_name: &'a str,
    /// Their address.
    pub attendee_email: &'a str,
    /// The interview's page in Touchpoint (empty: none).
    pub page_url: &'a str,
    /// When the message is made (`DTSTAMP`).
    pub stamp: chrono::DateTime<chrono::Utc>,
}

/// A parameter value without the characters it may not hold (DQUOTE, controls).
fn param(value: &str) -> String {
    value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect()
}

/// The `VTIMEZONE` of a zone around a time: the observances `chrono-tz` knows for a year
/// either side, each with its onset (the `icalendar` crate builds no time zones, so the
/// component is written here and read back with the crate's parser).
fn vtimezone(
    tz: chrono_tz::Tz,
    around: chrono::DateTime<chrono::Utc>,
) -> Option<icalendar::CalendarComponent> {
    use domain::interviews::zone::{ical_offset, observances};
    let mut text = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    for o in observances(tz, around) {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        let name: String = o
            .name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-'))
            .collect();
        text.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
            o.start.format("%Y%m%dT%H%M%S"),
            ical_offset(o.offset_from),
            ical_offset(o.offset_to),
        ));
        if !name.is_empty() {
            text.push_str(&format!("TZNAME:{name}\r\n"));
        }
        text.push_str(&format!("END:{kind}\r\n"));
    }
    text.push_str("END:VTIMEZONE\r\n");
    text.parse().ok()
}

/// An interview invitation or cancellation for one attendee (iTIP, RFC 5546): `METHOD`, the
/// interview's stable UID (the one of the project feed), `SEQUENCE`, `ORGANIZER`, the one
/// attendee, and the time in the interview's own zone with its `VTIMEZONE` (in UTC when the
/// zone is unknown). The description names the interviewers, no other participant.
pub fn invitation(interview: &Interview, inv: &Invitation<'_>) -> String {
    let summary = summary(interview);
    let mut description = format!(
        "{} interview for {}.\nLocal start: {} ({}), {} minutes.",
        interview.kind.label(),
        interview.project_name,
        interview.local_start,
        interview.time_zone,
        interview.duration_min,
    );
    if !interview.interviewers.is_empty() {
        description.push_str(&format!("\nWith: {}.", interview.interviewer_names()));
    }
    let cancel = inv.method == "CANCEL";
    let mut e = Event::new();
    e.uid(&uid(&interview.id))
        .timestamp(inv.stamp)
        .last_modified(interview.updated_at)
        .sequence(u32::try_from(inv.sequence).unwrap_or(0))
        .summary(&summary)
        .description(&clean(&description))
        .status(if cancel {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        .append_property(
            Property::new("ORGANIZER", format!("mailto:{}", inv.organizer))
                .add_parameter("CN", "Touchpoint")
                .done(),
        )
        .append_multi_property(
            Property::new("ATTENDEE", format!("mailto:{}", inv.attendee_email))
                .add_parameter("CN", &param(inv.attendee_name))
                .add_parameter("ROLE", "REQ-PARTICIPANT")
                .add_parameter("PARTSTAT", "NEEDS-ACTION")
                .add_parameter("RSVP", "FALSE")
                .done(),
        );
    if !inv.page_url.is_empty() {
        e.url(inv.page_url);
    }
    let mut cal = calendar_of(inv.method);
    let length = Duration::minutes(i64::from(interview.duration_min));
    let zoned = interview
        .time_zone
        .parse::<chrono_tz::Tz>()
        .ok()
        .and_then(|tz| Some((tz, vtimezone(tz, interview.scheduled_at)?)));
    match zoned {
        Some((tz, component)) => {
            let start = interview.scheduled_at.with_timezone(&tz).naive_local();
            let tzid = tz.name().to_string();
            e.starts(icalendar::CalendarDateTime::WithTimezone {
                date_time: start,
                tzid: tzid.clone(),
            })
            .ends(icalendar::CalendarDateTime::WithTimezone {
                date_time: start + length,
                tzid,
            });
            cal.push(component);
        }
        None => {
            e.starts(interview.scheduled_at)
                .ends(interview.scheduled_at + length);
        }
    }
    cal.push(e.done());
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone as _, Utc};

    use super::super::{Function, InterviewKind, Interviewer, Participant};
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn interview(id: &str, status: InterviewStatus) -> Interview {
        Interview {
            id: id.into(),
            project: "churn".into(),
            project_name: "Churn; model, v2".into(),
            participants: vec![
                Participant {
                    id: "s1".into(),
                    name: "Ana Lima".into(),
                    function: Function::EndUser,
                },
                Participant {
                    id: "s2".into(),
                    name: "Jörg Ånström-Ølsen".into(),
                    function: Function::Product,
                },
            ],
            interviewers: vec![Interviewer {
                id: "u1".into(),
                name: "Sam Rivera".into(),
            }],
            scheduled_at: at("2026-03-10T13:00:00Z"),
            time_zone: "Europe/Berlin".into(),
            local_start: "2026-03-10 14:00".into(),
            local_input: "2026-03-10T14:00".into(),
            duration_min: 45,
            kind: InterviewKind::UsabilityTest,
            status,
            notes: String::new(),
            notes_html: String::new(),
            insights: vec![],
            invitations: false,
            sequence: 0,
            updated_at: Utc
                .with_ymd_and_hms(2026, 3, 1, 9, 30, 0)
                .single()
                .expect("time"),
        }
    }

    /// A content line after unfolding: name, parameters, raw (still escaped) value.
    #[derive(Debug)]
    struct Line {
        name: String,
        params: Vec<(String, String)>,
        value: String,
    }

    /// An independent reader of RFC 5545 content: checks CRLF endings and the 75-octet limit,
    /// unfolds continuation lines and splits each line at the first unquoted colon.
    fn read(ics: &str) -> Vec<Line> {
        assert!(ics.ends_with("\r\n"), "must end with CRLF");
        let physical: Vec<&str> = ics
            .strip_suffix("\r\n")
            .expect("crlf")
            .split("\r\n")
            .collect();
        let mut logical: Vec<String> = Vec::new();
        for line in physical {
            assert!(
                !line.contains('\n') && !line.contains('\r'),
                "bare line break in {line:?}"
            );
            assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
            if let Some(rest) = line.strip_prefix(' ').or_else(|| line.strip_prefix('\t')) {
                logical
                    .last_mut()
                    .expect("continuation without a line")
                    .push_str(rest);
            } else {
                logical.push(line.to_string());
            }
        }
        logical
            .into_iter()
            .map(|l| {
                let mut in_quotes = false;
                let colon = l
                    .char_indices()
                    .find(|(_, c)| {
                        if *c == '"' {
                            in_quotes = !in_quotes;
                        }
                        *c == ':' && !in_quotes
                    })
                    .map(|(i, _)| i)
                    .unwrap_or_else(|| panic!("no colon in {l:?}"));
                let (head, value) = (&l[..colon], &l[colon + 1..]);
                let mut parts = head.split(';');
                let name = parts.next().expect("name").to_ascii_uppercase();
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                    "bad property name {name:?}"
                );
                let params = parts
                    .map(|p| {
                        let (k, v) = p.split_once('=').expect("param");
                        (k.to_ascii_uppercase(), v.to_string())
                    })
                    .collect();
                Line {
                    name,
                    params,
                    value: value.to_string(),
                }
            })
            .collect()
    }

    fn unescape(v: &str) -> String {
        let mut out = String::new();
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => panic!("dangling backslash"),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The events of a calendar, each as its properties, after checking BEGIN/END nesting.
    fn events(lines: &[Line]) -> Vec<Vec<&Line>> {
        let mut stack: Vec<String> = Vec::new();
        let mut out: Vec<Vec<&Line>> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            match l.name.as_str() {
                "BEGIN" => {
                    if i == 0 {
                        assert_eq!(l.value, "VCALENDAR");
                    } else {
                        assert!(!stack.is_empty(), "component outside VCALENDAR");
                    }
                    if l.value == "VEVENT" {
                        assert_eq!(stack.last().map(String::as_str), Some("VCALENDAR"));
                        out.push(Vec::new());
                    }
                    stack.push(l.value.clone());
                }
                "END" => {
                    let open = stack.pop().expect("END without BEGIN");
                    assert_eq!(open, l.value, "mismatched END");
                    if open == "VCALENDAR" {
                        assert_eq!(i, lines.len() - 1, "content after END:VCALENDAR");
                    }
                }
                _ => {
                    assert!(
                        !stack.is_empty(),
                        "property outside a component: {}",
                        l.name
                    );
                    if stack.last().map(String::as_str) == Some("VEVENT") {
                        out.last_mut().expect("event").push(l);
                    }
                }
            }
        }
        assert!(stack.is_empty(), "unclosed components: {stack:?}");
        out
    }

    fn one<'a>(event: &[&'a Line], name: &str) -> &'a Line {
        let found: Vec<&&Line> = event.iter().filter(|l| l.name == name).collect();
        assert_eq!(found.len(), 1, "exactly one {name}");
        found[0]
    }

    #[test]
    fn line_breaks_and_separators_in_names_cannot_inject_properties() {
        let mut item = interview("x1", InterviewStatus::Scheduled);
        item.project_name = "Churn\r\nATTENDEE:mailto:evil@example.org".into();
        item.participants[0].name = "Ana\nX-INJECTED:1;, Lima".into();
        let ics = calendar("Churn\r\nX-WR-CALNAME:Owned, really", &[item], |_| {
            "https://tp.example/x".to_string()
        });
        let lines = read(&ics);
        for name in ["ATTENDEE", "X-INJECTED", "X-WR-CALNAME"] {
            let count = lines.iter().filter(|l| l.name == name).count();
            let allowed = usize::from(name == "X-WR-CALNAME");
            assert_eq!(count, allowed, "{name} appears {count} times in:\n{ics}");
        }
        let evs = events(&lines);
        let description = unescape(&one(&evs[0], "DESCRIPTION").value);
        assert!(
            description.contains("Ana\nX-INJECTED:1;, Lima"),
            "{description}"
        );
        let summary = unescape(&one(&evs[0], "SUMMARY").value);
        assert!(!summary.contains('\r'), "{summary}");
    }

    #[test]
    fn feed_is_valid_icalendar_with_stable_uids_utc_times_and_status() {
        let items = vec![
            interview("a1", InterviewStatus::Scheduled),
            interview("b2", InterviewStatus::Cancelled),
        ];
        let ics = calendar("Churn; model, v2 interviews", &items, |i| {
            format!(
                "https://tp.example/projects/churn/interviews?interview={}",
                i.id
            )
        });
        let lines = read(&ics);
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.name == "VERSION")
                .map(|l| l.value.as_str())
                .collect::<Vec<_>>(),
            ["2.0"]
        );
        assert!(
            lines
                .iter()
                .any(|l| l.name == "PRODID" && l.value == PRODID)
        );
        let calname = lines
            .iter()
            .find(|l| l.name == "X-WR-CALNAME")
            .expect("name");
        assert_eq!(unescape(&calname.value), "Churn; model, v2 interviews");
        let name = lines.iter().find(|l| l.name == "NAME").expect("name");
        assert_eq!(unescape(&name.value), "Churn; model, v2 interviews");
        let evs = events(&lines);
        assert_eq!(evs.len(), 2);

        let first = &evs[0];
        assert_eq!(one(first, "UID").value, "interview-a1@touchpoint");
        let start = one(first, "DTSTART");
        assert_eq!(start.value, "20260310T130000Z", "UTC start");
        assert!(
            start.params.iter().all(|(k, _)| k != "TZID"),
            "UTC times carry no TZID"
        );
        assert_eq!(
            one(first, "DTEND").value,
            "20260310T134500Z",
            "45 minutes later"
        );
        assert_eq!(
            one(first, "DTSTAMP").value,
            "20260301T093000Z",
            "stamped with the last change"
        );
        assert_eq!(one(first, "STATUS").value, "CONFIRMED");
        assert_eq!(
            unescape(&one(first, "SUMMARY").value),
            "Usability test – Churn; model, v2"
        );
        let description = unescape(&one(first, "DESCRIPTION").value);
        assert!(
            description.contains("Local start: 2026-03-10 14:00 (Europe/Berlin)."),
            "{description}"
        );
        assert!(
            description.contains("Participants: Ana Lima, Jörg Ånström-Ølsen."),
            "{description}"
        );
        assert!(description.contains('\n'), "newlines survive escaping");

        let second = &evs[1];
        assert_eq!(one(second, "UID").value, "interview-b2@touchpoint");
        assert_eq!(one(second, "STATUS").value, "CANCELLED");

        // Same input, same output: subscribers see no spurious changes.
        let again = calendar("Churn; model, v2 interviews", &items, |i| {
            format!(
                "https://tp.example/projects/churn/interviews?interview={}",
                i.id
            )
        });
        assert_eq!(ics, again);
    }

    #[test]
    fn long_multibyte_text_is_folded_within_75_octets() {
        let mut i = interview("c3", InterviewStatus::Completed);
        i.participants = (0..12)
            .map(|n| Participant {
                id: format!("s{n}"),
                name: format!("Zoë Ñúñez-Øster {n}"),
                function: Function::EndUser,
            })
            .collect();
        let ics = calendar("x", &[i.clone()], |_| String::new());
        let lines = read(&ics); // asserts the 75-octet limit on every physical line
        let evs = events(&lines);
        let description = unescape(&one(&evs[0], "DESCRIPTION").value);
        assert!(
            description.contains(&i.participant_names()),
            "{description}"
        );
        assert_eq!(one(&evs[0], "STATUS").value, "CONFIRMED");
        assert!(
            evs[0].iter().all(|l| l.name != "URL"),
            "no URL without a link"
        );
    }

    #[test]
    fn an_empty_feed_is_still_a_calendar() {
        let ics = calendar("Empty", &[], |_| String::new());
        let lines = read(&ics);
        assert!(events(&lines).is_empty());
        assert_eq!(lines.first().map(|l| l.value.as_str()), Some("VCALENDAR"));
    }

    fn invite(i: &Interview, method: &str, sequence: i64) -> String {
        invitation(
            i,
            &Invitation {
                method,
                sequence,
                organizer: "touchpoint@example.org",
                attendee_name: "Ana \"AL\", Lima",
                attendee_email: "ana@example.org",
                page_url: "https://tp.example.org/projects/churn/interviews",
                stamp: at("2026-03-02T08:00:00Z"),
            },
        )
    }

    #[test]
    fn an_invitation_is_in_the_interviews_own_zone_for_its_one_attendee() {
        let i = interview("a1", InterviewStatus::Scheduled);
        let ics = invite(&i, "REQUEST", 3);
        let lines = read(&ics);
        let method: Vec<&Line> = lines.iter().filter(|l| l.name == "METHOD").collect();
        assert_eq!(method.len(), 1);
        assert_eq!(method[0].value, "REQUEST");
        let [event] = events(&lines).try_into().expect("one event");
        assert_eq!(one(&event, "UID").value, "interview-a1@touchpoint");
        assert_eq!(one(&event, "SEQUENCE").value, "3");
        assert_eq!(one(&event, "STATUS").value, "CONFIRMED");
        // 13:00 UTC is 14:00 in Berlin in March (CET), 45 minutes long.
        let start = one(&event, "DTSTART");
        assert_eq!(start.value, "20260310T140000");
        assert_eq!(start.params, vec![("TZID".into(), "Europe/Berlin".into())]);
        assert_eq!(one(&event, "DTEND").value, "20260310T144500");
        let attendee = one(&event, "ATTENDEE");
        assert_eq!(attendee.value, "mailto:ana@example.org");
        assert!(
            attendee
                .params
                .contains(&("CN".into(), "\"Ana AL, Lima\"".into())),
            "{:?}",
            attendee.params
        );
        assert_eq!(
            one(&event, "ORGANIZER").value,
            "mailto:touchpoint@example.org"
        );
        // Other participants' names stay out of the attendee's copy.
        assert!(!ics.contains("Jörg"), "{ics}");
        // The zone is defined, with its offsets around the interview.
        let tzid: Vec<&Line> = lines.iter().filter(|l| l.name == "TZID").collect();
        assert_eq!(tzid.len(), 1);
        assert_eq!(tzid[0].value, "Europe/Berlin");
        let offsets: Vec<&str> = lines
            .iter()
            .filter(|l| l.name == "TZOFFSETTO")
            .map(|l| l.value.as_str())
            .collect();
        assert!(
            offsets.contains(&"+0100") && offsets.contains(&"+0200"),
            "{offsets:?}"
        );
        let begins: Vec<&str> = lines
            .iter()
            .filter(|l| l.name == "BEGIN")
            .map(|l| l.value.as_str())
            .collect();
        assert!(
            begins.contains(&"VTIMEZONE") && begins.contains(&"DAYLIGHT"),
            "{begins:?}"
        );
    }

    #[test]
    fn a_cancellation_keeps_the_uid_and_an_unknown_zone_falls_back_to_utc() {
        let mut i = interview("a1", InterviewStatus::Cancelled);
        i.time_zone = "Mars/Olympus".into();
        let lines = read(&invite(&i, "CANCEL", 4));
        let [event] = events(&lines).try_into().expect("one event");
        assert_eq!(one(&event, "UID").value, "interview-a1@touchpoint");
        assert_eq!(one(&event, "STATUS").value, "CANCELLED");
        assert_eq!(one(&event, "SEQUENCE").value, "4");
        assert_eq!(one(&event, "DTSTART").value, "20260310T130000Z");
        assert!(lines.iter().all(|l| l.name != "TZID"));
        assert!(
            lines
                .iter()
                .any(|l| l.name == "METHOD" && l.value == "CANCEL")
        );
    }
}
