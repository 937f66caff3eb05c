//! Times as the console stores and says them.

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;

use crate::{Error, Result};

/// Truncated to microseconds, the finest unit every backend stores: a
/// value written and read back compares equal (the audit chain hashes it).
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// "2026-06-01 14:05 UTC".
pub fn clock_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// "2026-06-01".
pub fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// A rough span in words: "3 minutes", "2 days".
pub fn span(d: Duration) -> String {
    let d = d.abs();
    let (n, unit) = if d < Duration::minutes(1) {
        (d.num_seconds(), "second")
    } else if d < Duration::hours(1) {
        (d.num_minutes(), "minute")
    } else if d < Duration::days(1) {
        (d.num_hours(), "hour")
    } else {
        (d.num_days(), "day")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// "2 days ago" or "in 3 hours".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if t <= now {
        format!("{} ago", span(now - t))
    } else {
        format!("in {}", span(t - now))
    }
}

/// An IANA time zone by name ("Europe/Paris", "UTC").
pub fn zone(name: &str) -> Result<Tz> {
    name.trim().parse().map_err(|_| {
        Error::validation(format!(
            "'{name}' is not a time zone name (use an IANA name such as Europe/Paris or UTC)"
        ))
    })
}

/// The zone this machine is set to, or UTC when it cannot be told.
pub fn local_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// A date as typed: `2026-05-31`.
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::validation(format!(
            "'{text}' is not a date (write it as YYYY-MM-DD, e.g. 2026-05-31)"
        ))
    })
}

/// The instant a day starts in `tz`. Where a clock change skips midnight,
/// the day starts at the first instant that exists.
fn day_start(day: NaiveDate, tz: Tz) -> Result<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::validation(format!("{day} does not exist in {tz}")))
}

/// A half-open span of instants, `[start, end)`; either end may be open.
pub type Bounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The instants `[start, end)` covering the days `from` to `to`, both
/// included, as the operator's zone counts them. Either end may be open; a
/// range that ends before it starts is refused.
pub fn day_range(from: Option<&str>, to: Option<&str>, tz: Tz) -> Result<Bounds> {
    let from = from.map(parse_date).transpose()?;
    let to = to.map(parse_date).transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(Error::validation(format!(
                "the date range is backwards: it starts on {f} and ends on {t}"
            )));
        }
    }
    let start = from.map(|d| day_start(d, tz)).transpose()?;
    let end = to
        .map(|d| {
            let next = d
                .succ_opt()
                .ok_or_else(|| Error::validation(format!("{d} is too far in the future")))?;
            day_start(next, tz)
        })
        .transpose()?;
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_follow_the_zone_and_its_clock_changes() {
        let paris = zone("Europe/Paris").unwrap();
        let (start, end) = day_range(Some("2026-03-29"), Some("2026-03-29"), paris).unwrap();
        // Summer time starts that day in Paris: the day is 23 hours long.
        assert_eq!(start.unwrap().to_rfc3339(), "2026-03-28T23:00:00+00:00");
        assert_eq!(end.unwrap().to_rfc3339(), "2026-03-29T22:00:00+00:00");
        let (start, end) = day_range(Some("2026-01-01"), None, Tz::UTC).unwrap();
        assert_eq!(start.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert!(end.is_none());
        // Santiago skips midnight when summer time starts.
        let santiago = zone("America/Santiago").unwrap();
        let (start, _) = day_range(Some("2026-09-06"), None, santiago).unwrap();
        assert_eq!(start.unwrap().to_rfc3339(), "2026-09-06T04:00:00+00:00");
    }

    #[test]
    fn bad_ranges_are_refused_with_reasons() {
        let e = day_range(Some("2026-05-02"), Some("2026-05-01"), Tz::UTC).unwrap_err();
        assert!(e.to_string().contains("backwards"), "{e}");
        let e = day_range(Some("2026-02-30"), None, Tz::UTC).unwrap_err();
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        assert!(zone("Mars/Olympus").is_err());
    }

    #[test]
    fn words() {
        let now = Utc.with_ymd_and_hms(2026, 6, 3, 12, 0, 0).unwrap();
        assert_eq!(relative(now - Duration::days(2), now), "2 days ago");
        assert_eq!(relative(now + Duration::minutes(1), now), "in 1 minute");
        assert_eq!(clock_time(now), "2026-06-03 12:00 UTC");
        let t = Utc.timestamp_nanos(1_700_000_000_123_456_789);
        assert_eq!(micros(t).timestamp_subsec_nanos(), 123_456_000);
    }
}
