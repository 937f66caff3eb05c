//! Why a person cannot sign in, in plain words, from what the trouble card
//! already read.

use chrono::{DateTime, Utc};

use super::card::{LoginEvent, OutstandingToken};
use super::User;
use crate::audit::AuditEntry;
use crate::time::{clock_time, day, relative};

fn with_reason(text: String, reason: Option<&str>) -> String {
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{text} (reason: {r})"),
        None => text,
    }
}

fn failed_sign_ins(n: i32) -> String {
    format!("{n} failed sign-in{}", if n == 1 { "" } else { "s" })
}

pub(super) fn diagnose(
    user: &User,
    logins: &[LoginEvent],
    tokens: &[OutstandingToken],
    audit: &[AuditEntry],
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut out = Vec::new();
    let reason = user.lock_reason.as_deref();
    match user.status.as_str() {
        "disabled" => {
            let by = audit.iter().find(|e| e.action == "user.disable");
            out.push(match by {
                Some(e) => with_reason(
                    format!("disabled by {} on {}", e.operator, day(e.at)),
                    e.reason.as_deref().or(reason),
                ),
                None => with_reason("disabled (no record of who disabled it)".into(), reason),
            });
        }
        "locked" => {
            let after = if user.failed_login_count > 0 {
                format!(" after {}", failed_sign_ins(user.failed_login_count))
            } else {
                String::new()
            };
            out.push(match user.locked_until {
                Some(until) if until > now => {
                    with_reason(format!("locked until {}{after}", clock_time(until)), reason)
                }
                Some(until) => with_reason(
                    format!(
                        "the lock ended {} but the account is still marked locked",
                        relative(until, now)
                    ),
                    reason,
                ),
                None => with_reason(format!("locked with no end date{after}"), reason),
            });
        }
        _ => {
            if user.failed_login_count > 0 {
                out.push(format!(
                    "{} since the last successful sign-in",
                    failed_sign_ins(user.failed_login_count)
                ));
            }
        }
    }
    if user.email_verified_at.is_none() {
        let sent = tokens.iter().find(|t| t.purpose == "verify_email");
        out.push(match sent {
            Some(t) if t.is_live(now) => format!(
                "email not verified; verification sent {}",
                relative(t.created_at, now)
            ),
            Some(t) if t.used_at.is_none() => format!(
                "email not verified; the verification sent {} expired {}",
                relative(t.created_at, now),
                relative(t.expires_at, now)
            ),
            _ => "email not verified; no verification email outstanding".into(),
        });
    }
    if !user.has_password {
        out.push("no password set: signing in with a password cannot work".into());
    }
    if let Some(t) = tokens
        .iter()
        .find(|t| t.purpose == "password_reset" && t.is_live(now))
    {
        out.push(format!(
            "password reset requested {}; the link expires {}",
            relative(t.created_at, now),
            relative(t.expires_at, now)
        ));
    }
    if let Some(last) = logins.first().filter(|e| !e.succeeded) {
        out.push(with_reason(
            format!("last sign-in attempt failed {}", relative(last.at, now)),
            last.reason.as_deref(),
        ));
    }
    if out.is_empty() {
        out.push(match user.last_login_at {
            Some(t) => format!(
                "no sign-in problem found; last signed in {}",
                relative(t, now)
            ),
            None => "no sign-in problem found; has never signed in".into(),
        });
    }
    out
}
