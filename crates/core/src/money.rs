//! Money in integer minor units (cents) of an ISO 4217 currency: parsing
//! what people type, formatting what they read, and sums that refuse to
//! overflow instead of wrapping.

use crate::{Error, Result};

/// Digits after the decimal point for a currency. Most have two; these
/// are the common exceptions.
pub fn exponent(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "HUF" | "XOF" | "XAF" | "UGX" | "PYG" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

/// `123456, "EUR"` → `1234.56 EUR`; negative amounts keep their sign.
pub fn format(minor: i64, currency: &str) -> String {
    format!("{} {currency}", decimal(minor, currency))
}

/// `123456, "EUR"` → `1234.56`: the amount as a DECIMAL column takes it.
pub fn decimal(minor: i64, currency: &str) -> String {
    let exp = exponent(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exp == 0 {
        return format!("{sign}{abs}");
    }
    let unit = 10u64.pow(exp);
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = exp as usize
    )
}

/// Parses an amount as people write it ("12", "12.5", "12.50") into minor
/// units of `currency`. Refuses signs, more decimals than the currency has,
/// and amounts that do not fit.
pub fn parse(text: &str, currency: &str) -> Result<i64> {
    let text = text.trim();
    let bad = || {
        Error::validation(format!(
            "'{text}' is not an amount in {currency} (write it like 12.50)"
        ))
    };
    let exp = exponent(currency) as usize;
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > exp {
        return Err(Error::validation(format!(
            "'{text}' has more decimals than {currency} has ({exp})"
        )));
    }
    let too_big = || Error::validation(format!("'{text}' is too large an amount"));
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_big())?
    };
    let frac: i64 = format!("{frac:0<exp$}").parse().unwrap_or(0);
    whole
        .checked_mul(10i64.pow(exp as u32))
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(too_big)
}

/// The sum of amounts, or a clear error when it does not fit in 64 bits.
pub fn sum(amounts: impl IntoIterator<Item = i64>) -> Result<i64> {
    amounts.into_iter().try_fold(0i64, |acc, a| {
        acc.checked_add(a)
            .ok_or_else(|| Error::validation("the amounts add up to more than can be stored"))
    })
}

/// `a × b`, or a clear error when it does not fit.
pub fn times(quantity: i64, unit: i64) -> Result<i64> {
    quantity
        .checked_mul(unit)
        .ok_or_else(|| Error::validation("the amounts multiply to more than can be stored"))
}

/// An amount as a back end stores it, given as the database's text of it
/// (a DECIMAL's digits, or the REAL or INTEGER value SQLite keeps for a
/// Django decimal), in minor units of `currency`: read exactly, or refused
/// with the reason. Digits past the currency's minor unit must be zeros.
pub fn stored(text: &str, currency: &str) -> std::result::Result<i64, String> {
    let t = text.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !plain(whole) || !plain(frac) {
        return Err(format!("'{t}' is not a plain decimal amount"));
    }
    let exp = exponent(currency) as usize;
    let (kept, rest) = frac.split_at(frac.len().min(exp));
    if rest.bytes().any(|b| b != b'0') {
        return Err(format!(
            "'{t}' has more decimals than {currency} has ({exp}): it cannot be read exactly"
        ));
    }
    let minor: i64 = format!("{whole}{kept:0<exp$}")
        .parse()
        .map_err(|_| format!("'{t}' is too large an amount"))?;
    Ok(if neg { -minor } else { minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stored_amounts_exactly() {
        assert_eq!(stored("24.95", "GBP"), Ok(2495));
        assert_eq!(stored("24", "GBP"), Ok(2400));
        assert_eq!(stored("24.9", "GBP"), Ok(2490));
        assert_eq!(stored("12.340", "EUR"), Ok(1234), "numeric(20,3)");
        assert_eq!(stored("-3.50", "EUR"), Ok(-350));
        assert_eq!(stored("1.234", "KWD"), Ok(1234));
        assert_eq!(stored("1500.00", "JPY"), Ok(1500));
        assert!(stored("12.345", "EUR")
            .unwrap_err()
            .contains("cannot be read exactly"));
        assert!(stored("1.0e+20", "EUR")
            .unwrap_err()
            .contains("not a plain decimal"));
        assert!(stored("", "EUR").is_err());
        assert!(stored("99999999999999999999", "EUR")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn formats_per_currency() {
        assert_eq!(format(123_456, "EUR"), "1234.56 EUR");
        assert_eq!(format(5, "USD"), "0.05 USD");
        assert_eq!(format(-499, "GBP"), "-4.99 GBP");
        assert_eq!(format(1500, "JPY"), "1500 JPY");
        assert_eq!(format(1_234, "KWD"), "1.234 KWD");
        assert_eq!(format(i64::MIN, "EUR"), "-92233720368547758.08 EUR");
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse("12", "EUR").unwrap(), 1200);
        assert_eq!(parse("12.5", "EUR").unwrap(), 1250);
        assert_eq!(parse(" 0.07 ", "EUR").unwrap(), 7);
        assert_eq!(parse(".5", "EUR").unwrap(), 50);
        assert_eq!(parse("1500", "JPY").unwrap(), 1500);
        assert!(parse("12.345", "EUR").is_err());
        assert!(parse("1.5", "JPY").is_err());
        assert!(parse("-3", "EUR").is_err());
        assert!(parse("1e3", "EUR").is_err());
        assert!(parse("", "EUR").is_err());
        assert!(parse(".", "EUR").is_err());
        assert!(parse("92233720368547758.08", "EUR").is_err());
        assert_eq!(
            parse("92233720368547758.07", "EUR").unwrap(),
            i64::MAX,
            "the largest amount that fits"
        );
    }

    #[test]
    fn sums_refuse_to_overflow() {
        assert_eq!(sum([1, 2, 3]).unwrap(), 6);
        assert!(sum([i64::MAX, 1]).is_err());
        assert!(times(i64::MAX / 2, 3).is_err());
        assert_eq!(times(3, 250).unwrap(), 750);
    }
}
