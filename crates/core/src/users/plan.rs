//! What an account action changes: its input checked and normalised, and
//! the column changes it makes to the row as read, or why it makes none.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::UserRow;
use crate::db::query::Arg;
use crate::operators::Permission;
use crate::{Error, Result};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, Deserialize, PartialEq, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserAction {
    Lock {
        reason: String,
        until: Option<DateTime<Utc>>,
    },
    Unlock,
    ResetFailedSignIns,
    Disable,
    Enable,
    ChangeEmail {
        email: String,
    },
    ChangeDisplayName {
        display_name: String,
    },
    GrantRole {
        role: String,
    },
    RevokeRole {
        role: String,
    },
}

impl UserAction {
    pub(super) fn permission(&self) -> Permission {
        match self {
            UserAction::Lock { .. } | UserAction::Unlock | UserAction::ResetFailedSignIns => {
                Permission::LockUsers
            }
            UserAction::Disable | UserAction::Enable => Permission::DisableUsers,
            UserAction::ChangeEmail { .. } => Permission::ChangeEmail,
            UserAction::ChangeDisplayName { .. } => Permission::ChangeDisplayName,
            UserAction::GrantRole { .. } | UserAction::RevokeRole { .. } => Permission::ManageRoles,
        }
    }

    /// The audit log's name for the action.
    pub fn audit_name(&self) -> &'static str {
        match self {
            UserAction::Lock { .. } => "user.lock",
            UserAction::Unlock => "user.unlock",
            UserAction::ResetFailedSignIns => "user.reset_failed_sign_ins",
            UserAction::Disable => "user.disable",
            UserAction::Enable => "user.enable",
            UserAction::ChangeEmail { .. } => "user.change_email",
            UserAction::ChangeDisplayName { .. } => "user.change_display_name",
            UserAction::GrantRole { .. } => "user.grant_role",
            UserAction::RevokeRole { .. } => "user.revoke_role",
        }
    }
}

pub(crate) fn clean_text(what: &str, text: &str, max: usize) -> Result<String> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > max {
        return Err(Error::validation(format!(
            "the {what} is too long: {chars} characters (at most {max})"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "the {what} contains control characters"
        )));
    }
    if text.chars().any(is_bidi_control) {
        return Err(Error::validation(format!(
            "the {what} contains text-direction controls (such as a right-to-left \
             override), which can make it read as something else"
        )));
    }
    Ok(text.to_string())
}

/// The invisible characters that reorder the text around them (Unicode's
/// bidirectional formatting characters): a name holding U+202E can show
/// "live@example.com" for an address written backwards.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// One column changing: its value for the UPDATE and for the audit entry.
pub(super) struct Change {
    pub column: &'static str,
    pub value: Arg,
    pub before: Value,
    pub after: Value,
}

fn change(column: &'static str, value: impl Into<Arg>, before: Value, after: Value) -> Change {
    Change {
        column,
        value: value.into(),
        before,
        after,
    }
}

/// The column changes an action makes to `row`, or why it makes none.
pub(super) fn plan(action: &UserAction, row: &UserRow) -> Result<Vec<Change>> {
    let id = row.id;
    let status = row.status.as_str();
    let mut out = Vec::new();
    match action {
        UserAction::Lock { reason, until } => {
            if status == "disabled" {
                return Err(Error::validation(format!(
                    "user {id} is disabled; enable the account before locking it"
                )));
            }
            if status != "locked" {
                out.push(change("status", "locked", json!(status), json!("locked")));
            }
            if row.lock_reason.as_deref() != Some(reason.as_str()) {
                out.push(change(
                    "lock_reason",
                    reason.as_str(),
                    json!(row.lock_reason),
                    json!(reason),
                ));
            }
            if row.locked_until != *until {
                out.push(change(
                    "locked_until",
                    *until,
                    json!(row.locked_until),
                    json!(until),
                ));
            }
            if out.is_empty() {
                return Err(Error::validation(format!(
                    "user {id} is already locked like this"
                )));
            }
        }
        UserAction::Unlock => {
            if status != "locked" {
                return Err(Error::validation(format!(
                    "user {id} is not locked (status {status})"
                )));
            }
            out.push(change("status", "active", json!(status), json!("active")));
            out.push(change(
                "lock_reason",
                Arg::OptText(None),
                json!(row.lock_reason),
                Value::Null,
            ));
            out.push(change(
                "locked_until",
                Arg::OptTime(None),
                json!(row.locked_until),
                Value::Null,
            ));
            if row.failed_login_count != 0 {
                out.push(change(
                    "failed_login_count",
                    0i64,
                    json!(row.failed_login_count),
                    json!(0),
                ));
            }
        }
        UserAction::ResetFailedSignIns => {
            if row.failed_login_count == 0 {
                return Err(Error::validation(format!(
                    "user {id} has no failed sign-ins to reset"
                )));
            }
            out.push(change(
                "failed_login_count",
                0i64,
                json!(row.failed_login_count),
                json!(0),
            ));
        }
        UserAction::Disable => {
            if status == "disabled" {
                return Err(Error::validation(format!("user {id} is already disabled")));
            }
            out.push(change(
                "status",
                "disabled",
                json!(status),
                json!("disabled"),
            ));
            if row.locked_until.is_some() {
                out.push(change(
                    "locked_until",
                    Arg::OptTime(None),
                    json!(row.locked_until),
                    Value::Null,
                ));
            }
        }
        UserAction::Enable => {
            if status != "disabled" {
                return Err(Error::validation(format!(
                    "user {id} is not disabled (status {status})"
                )));
            }
            out.push(change("status", "active", json!(status), json!("active")));
            if row.lock_reason.is_some() {
                out.push(change(
                    "lock_reason",
                    Arg::OptText(None),
                    json!(row.lock_reason),
                    Value::Null,
                ));
            }
        }
        UserAction::ChangeEmail { email } => {
            if *email == row.email {
                return Err(Error::validation(format!(
                    "user {id} already has this email address"
                )));
            }
            out.push(change(
                "email",
                email.as_str(),
                json!(row.email),
                json!(email),
            ));
            out.push(change(
                "email_normalized",
                email.to_lowercase(),
                Value::Null,
                Value::Null,
            ));
            out.push(change(
                "email_verified_at",
                Arg::OptTime(None),
                json!(row.email_verified_at),
                Value::Null,
            ));
        }
        UserAction::ChangeDisplayName { display_name } => {
            if *display_name == row.display_name {
                return Err(Error::validation(format!(
                    "user {id} already has this display name"
                )));
            }
            out.push(change(
                "display_name",
                display_name.as_str(),
                json!(row.display_name),
                json!(display_name),
            ));
        }
        UserAction::GrantRole { .. } | UserAction::RevokeRole { .. } => {}
    }
    Ok(out)
}

/// The reason an action's audit entry carries: disabling needs one, a lock
/// carries its own unless another is given, the rest take one if given.
pub(super) fn audit_reason(action: &UserAction, given: Option<&str>) -> Result<Option<String>> {
    Ok(match action {
        UserAction::Disable => Some(crate::reason::required("disable the account", given)?),
        UserAction::Lock { reason, .. } => {
            Some(crate::reason::optional(given)?.unwrap_or_else(|| reason.clone()))
        }
        _ => crate::reason::optional(given)?,
    })
}

/// Checks and normalises what the operator typed, before any transaction.
pub(super) fn validate(action: UserAction, now: DateTime<Utc>) -> Result<UserAction> {
    Ok(match action {
        UserAction::Lock { reason, until } => {
            let reason = clean_text("lock reason", &reason, MAX_REASON_CHARS)?;
            if reason.is_empty() {
                return Err(Error::validation("say why the account is locked"));
            }
            if let Some(until) = until.filter(|u| *u <= now) {
                return Err(Error::validation(format!(
                    "the lock would end in the past ({until}); give a later time or none"
                )));
            }
            UserAction::Lock {
                reason,
                until: until.map(crate::time::micros),
            }
        }
        UserAction::ChangeEmail { email } => {
            let email = email.trim().to_string();
            if let Some(why) = super::address::problem(&email) {
                return Err(Error::validation(format!(
                    "'{email}' is not a valid email address: {why}"
                )));
            }
            UserAction::ChangeEmail { email }
        }
        UserAction::ChangeDisplayName { display_name } => {
            let display_name = clean_text("display name", &display_name, MAX_NAME_CHARS)?;
            if display_name.is_empty() {
                return Err(Error::validation("the display name cannot be empty"));
            }
            UserAction::ChangeDisplayName { display_name }
        }
        UserAction::GrantRole { role } => UserAction::GrantRole {
            role: role.trim().to_string(),
        },
        UserAction::RevokeRole { role } => UserAction::RevokeRole {
            role: role.trim().to_string(),
        },
        other => other,
    })
}
