//! Why an operator does something. One place cleans the text, and says
//! which operations cannot go without one: every destructive one (cancel,
//! refund, bulk order changes, disable, lock, a forced send, a fix) needs
//! a reason in the core, so the CLI, the window and any script alike leave
//! an audit entry that says why.

use crate::users::{clean_text, MAX_REASON_CHARS};
use crate::{Error, Result};

/// The reason as given, cleaned; `None` when there is none or it is blank.
pub(crate) fn optional(reason: Option<&str>) -> Result<Option<String>> {
    Ok(reason
        .map(|r| clean_text("reason", r, MAX_REASON_CHARS))
        .transpose()?
        .filter(|r| !r.is_empty()))
}

/// The reason for a destructive operation; `doing` completes "say why you
/// …" ("cancel the order").
pub(crate) fn required(doing: &str, reason: Option<&str>) -> Result<String> {
    optional(reason)?.ok_or_else(|| {
        Error::validation(format!(
            "say why you {doing}: a reason is required, and it goes into the audit log"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_none_and_required_says_what() {
        assert_eq!(optional(Some("  ")).unwrap(), None);
        assert_eq!(
            optional(Some(" ticket 9 ")).unwrap().as_deref(),
            Some("ticket 9")
        );
        let err = required("cancel the order", Some(" "))
            .unwrap_err()
            .to_string();
        assert!(err.contains("say why you cancel the order"), "{err}");
        assert!(
            required("x", Some("a\u{7}b")).is_err(),
            "control characters"
        );
    }
}
