//! The observances of a time zone around a date, for an iCalendar `VTIMEZONE`: the offset in
//! force at the start, and every change of offset within a year either side.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// One observance: from `start` (local time in the offset before it) the zone is `offset_to`
/// seconds east of UTC, called `name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observance {
    /// Daylight saving time (`DAYLIGHT`) or not (`STANDARD`).
    pub daylight: bool,
    /// Onset, local time in the offset that ends there.
    pub start: NaiveDateTime,
    /// The offset before, in seconds east of UTC.
    pub offset_from: i32,
    /// The offset from then on.
    pub offset_to: i32,
    /// The zone's abbreviation then (`CET`, `CEST`, `+03`).
    pub name: String,
}

fn state(tz: Tz, at: DateTime<Utc>) -> (i32, bool, String) {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    (
        offset.fix().local_minus_utc(),
        !offset.dst_offset().is_zero(),
        offset.abbreviation().unwrap_or("").to_string(),
    )
}

/// The observances of `tz` from a year before `around` to a year after: the one in force at
/// the start, then one per change of offset, in order.
pub fn observances(tz: Tz, around: DateTime<Utc>) -> Vec<Observance> {
    let from = around - Duration::days(366);
    let to = around + Duration::days(366);
    let (offset, daylight, name) = state(tz, from);
    let mut out = vec![Observance {
        daylight,
        start: from.naive_utc() + Duration::seconds(i64::from(offset)),
        offset_from: offset,
        offset_to: offset,
        name,
    }];
    let mut day = from;
    while day < to {
        let next = day + Duration::days(1);
        let before = state(tz, day);
        if state(tz, next).0 != before.0 {
            // The change lies in (day, next]: find its first minute.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if state(tz, mid).0 == before.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (offset_to, daylight, name) = state(tz, hi);
            out.push(Observance {
                daylight,
                start: hi.naive_utc() + Duration::seconds(i64::from(before.0)),
                offset_from: before.0,
                offset_to,
                name,
            });
        }
        day = next;
    }
    out
}

/// An offset as iCalendar writes it: `+0100`, `-0330`.
pub fn ical_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("a date")
    }

    #[test]
    fn berlin_changes_twice_a_year_at_the_right_local_times() {
        let around = Utc
            .with_ymd_and_hms(2026, 12, 10, 13, 0, 0)
            .single()
            .expect("a time");
        let obs = observances(chrono_tz::Europe::Berlin, around);
        assert!(!obs[0].daylight);
        assert_eq!(obs[0].offset_to, 3600);
        let changes = &obs[1..];
        assert_eq!(changes.len(), 4, "{changes:?}");
        // 2026-03-29 02:00 CET → CEST; 2026-10-25 03:00 CEST → CET.
        let spring = changes
            .iter()
            .find(|o| o.start.date() == NaiveDate::from_ymd_opt(2026, 3, 29).expect("a day"))
            .expect("spring");
        assert_eq!(spring.start, local(2026, 3, 29, 2));
        assert!(spring.daylight);
        assert_eq!((spring.offset_from, spring.offset_to), (3600, 7200));
        assert_eq!(spring.name, "CEST");
        let autumn = changes
            .iter()
            .find(|o| o.start.date() == NaiveDate::from_ymd_opt(2026, 10, 25).expect("a day"))
            .expect("autumn");
        assert_eq!(autumn.start, local(2026, 10, 25, 3));
        assert!(!autumn.daylight);
        assert_eq!(autumn.name, "CET");
    }

    #[test]
    fn a_zone_without_changes_has_one_observance() {
        let around = Utc
            .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .expect("a time");
        let obs = observances(chrono_tz::Asia::Kolkata, around);
        assert_eq!(obs.len(), 1);
        assert_eq!(ical_offset(obs[0].offset_to), "+0530");
        assert_eq!(ical_offset(-12_600), "-0330");
        assert_eq!(observances(chrono_tz::UTC, around)[0].offset_to, 0);
    }
}
