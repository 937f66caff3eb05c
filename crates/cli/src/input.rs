//! Passwords typed at a prompt or piped in, and times given on the command
//! line.

use std::io::{IsTerminal, Read};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use backoffice_core::secrets::Secret;
use backoffice_core::{Error, Result};

/// The first line of standard input.
pub fn secret_from_stdin(what: &str) -> Result<Secret> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| Error::validation(format!("cannot read the {what} from stdin: {e}")))?;
    Ok(Secret::new(s.lines().next().unwrap_or_default()))
}

/// Asks at the terminal; refuses when there is none, saying what to use.
pub fn prompt_secret(prompt: &str, otherwise: &str) -> Result<Secret> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::validation(otherwise.to_string()));
    }
    rpassword::prompt_password(prompt)
        .map(Secret::new)
        .map_err(|e| Error::validation(format!("cannot read the password: {e}")))
}

/// A moment: RFC 3339 (`2026-06-01T14:05:00Z`), a date (midnight UTC), or
/// a span from now (`30m`, `2h`, `7d`).
pub fn moment(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day_start(d));
    }
    let (num, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad_moment(text))?;
    let span = match unit {
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(|| bad_moment(text))?;
    Ok(now + span)
}

fn bad_moment(text: &str) -> Error {
    Error::validation(format!(
        "'{text}' is not a time: use 2026-06-01T14:05:00Z, 2026-06-01, or 30m / 2h / 7d from now"
    ))
}

/// A calendar date, for range filters.
pub fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::validation(format!("'{text}' is not a date: use YYYY-MM-DD")))
}

pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn moments() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        assert_eq!(moment("2h", now).unwrap(), now + Duration::hours(2));
        assert_eq!(
            moment("2026-06-02", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 6, 2, 0, 0, 0).unwrap()
        );
        assert_eq!(
            moment("2026-06-02T01:02:03+02:00", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 6, 1, 23, 2, 3).unwrap()
        );
        assert!(moment("soon", now).is_err());
        assert!(moment("5y", now).is_err());
    }
}
