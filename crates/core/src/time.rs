//! Times as the console stores and says them.

use chrono::{DateTime, Duration, SubsecRound, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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
