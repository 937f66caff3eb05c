//! Whether an email address can receive mail: RFC 5322 syntax (the
//! email_address crate) and a domain that is a host name, whose labels
//! hold letters, digits and inner hyphens only (RFC 1123; no underscore),
//! or an address literal in brackets.

use std::str::FromStr;

use email_address::EmailAddress;

/// Why `email` cannot receive mail, if it cannot.
pub fn problem(email: &str) -> Option<String> {
    let parsed = match EmailAddress::from_str(email) {
        Ok(a) => a,
        Err(e) => return Some(e.to_string()),
    };
    let domain = parsed.domain();
    if domain.starts_with('[') {
        return None;
    }
    domain.split('.').find_map(|label| {
        let ok_chars = label.chars().all(|c| c.is_alphanumeric() || c == '-');
        let ok_ends = !label.starts_with('-') && !label.ends_with('-');
        (label.is_empty() || label.len() > 63 || !ok_chars || !ok_ends).then(|| {
            format!("'{label}' is not a host name label (letters, digits and inner hyphens only)")
        })
    })
}

/// The same as a yes or no.
pub fn is_deliverable(email: &str) -> bool {
    problem(email).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_only() {
        for good in [
            "ann@example.com",
            "a.b+tag@sub-1.example.co.uk",
            "josé@exämple.de",
            "x@[192.168.0.1]",
        ] {
            assert_eq!(problem(good), None, "{good}");
        }
        for bad in [
            "someone@not_a_host.com",
            "a@-example.com",
            "a@example-.com",
            "a@exa mple.com",
            "no-at-sign",
            "a@example..com",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
