//! What an account action writes to a mapped back end, in the form its
//! framework writes it, or the sentence saying why this back end cannot:
//! Django's `is_active`, django-axes' reset (the user's attempts deleted),
//! Devise's lock and unlock (`locked_at`, `failed_attempts`,
//! `unlock_token`), allauth's addresses, Devise's `unconfirmed_email`,
//! Laravel's `email_verified_at`, roles through the join table.

use chrono::{DateTime, Utc};

use super::sql::{framework_time, Sql};
use super::{addresses, roles};
use super::{Key, MappedUser};
use crate::db::query::Arg;
use crate::db::{Query, WriteTx};
use crate::mapping::{Active, Lock, Mapping, UserMap, Verified};
use crate::users::UserAction;
use crate::{Error, Result};

/// One write.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// Columns of the user's row set to these values.
    Set(Vec<(String, Arg)>),
    /// The lock's attempt rows of this user deleted (django-axes' reset).
    ClearAttempts,
    /// The address made the user's primary one, unverified, in the
    /// addresses table (allauth), beside the user's email column.
    PrimaryAddress(String),
    Grant(String),
    Revoke(String),
}

fn refuse(text: impl Into<String>) -> Error {
    Error::validation(text.into())
}

fn set(column: &str, value: impl Into<Arg>) -> Step {
    Step::Set(vec![(column.to_string(), value.into())])
}

/// The account's state codes, where a value map keeps them.
struct Codes<'a> {
    column: &'a str,
    active: &'a [String],
    disabled: &'a [String],
    locked: &'a [String],
}

fn codes(u: &UserMap) -> Option<Codes<'_>> {
    match &u.active {
        Some(Active::Values {
            column,
            active,
            disabled,
            locked,
        }) => Some(Codes {
            column,
            active,
            disabled,
            locked,
        }),
        _ => None,
    }
}

/// The codes, where the map has a locked one.
fn lock_codes(u: &UserMap) -> Option<Codes<'_>> {
    codes(u).filter(|c| !c.locked.is_empty())
}

/// The writes `action` makes to `user` as it is now, or why none.
pub(super) fn plan(
    action: &UserAction,
    m: &Mapping,
    u: &UserMap,
    user: &MappedUser,
    roles: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<Vec<Step>> {
    let who = format!("user {}", user.key);
    let state = user.state.as_deref();
    let locked = user.locked == Some(true);
    match action {
        UserAction::Lock { reason, until } => {
            if state == Some("disabled") {
                return Err(refuse(format!(
                    "{who} is disabled; enable the account before locking it"
                )));
            }
            lock(u, &who, locked, reason, *until, now)
        }
        UserAction::Unlock => {
            if !locked {
                return Err(refuse(format!("{who} is not locked")));
            }
            Ok(unlock(u))
        }
        UserAction::ResetFailedSignIns => {
            let none = user.failed_attempts.unwrap_or(0) == 0;
            match (&u.failed_attempts, &u.lock) {
                (Some(_), _) | (None, Some(Lock::Attempts { .. })) if none => {
                    Err(refuse(format!("{who} has no failed sign-ins to reset")))
                }
                (Some(c), _) => Ok(vec![set(c, 0i64)]),
                (None, Some(Lock::Attempts { .. })) => Ok(vec![Step::ClearAttempts]),
                _ => Err(refuse("this back end keeps no count of failed sign-ins")),
            }
        }
        UserAction::Disable | UserAction::Enable => {
            let disable = matches!(action, UserAction::Disable);
            if disable && state == Some("disabled") {
                return Err(refuse(format!("{who} is already disabled")));
            }
            if !disable && state != Some("disabled") {
                return Err(refuse(format!("{who} is not disabled")));
            }
            match (&u.active, codes(u)) {
                (Some(Active::Flag { column }), _) => Ok(vec![set(column, !disable)]),
                (_, Some(c)) => {
                    let to = if disable { c.disabled } else { c.active };
                    Ok(vec![set(c.column, first(to, c.column)?)])
                }
                _ => Err(refuse(
                    "this back end has no way to disable an account: the mapping has no \
                     active flag or status codes",
                )),
            }
        }
        UserAction::ChangeEmail { email } => {
            if user.email.eq_ignore_ascii_case(email) {
                return Err(refuse(format!("{who}'s address is already {email}")));
            }
            Ok(match &u.verified {
                Some(Verified::Rows { .. }) => {
                    vec![
                        Step::PrimaryAddress(email.clone()),
                        set(&u.email, email.as_str()),
                    ]
                }
                // Devise reconfirmable: the address changes once its owner
                // confirms it; until then it waits in unconfirmed_email.
                Some(Verified::Timestamp {
                    pending_email: Some(p),
                    ..
                }) => vec![set(p, email.as_str())],
                // Laravel: a changed address is unverified.
                Some(Verified::Timestamp { column, .. }) => vec![Step::Set(vec![
                    (u.email.clone(), email.as_str().into()),
                    (column.clone(), Arg::OptTime(None)),
                ])],
                Some(Verified::Flag { column }) => vec![Step::Set(vec![
                    (u.email.clone(), email.as_str().into()),
                    (column.clone(), false.into()),
                ])],
                None => vec![set(&u.email, email.as_str())],
            })
        }
        UserAction::ChangeDisplayName { display_name } => match u.name.as_slice() {
            [one] => Ok(vec![set(one, display_name.as_str())]),
            [] => Err(refuse("this back end keeps no display name")),
            many => Err(refuse(format!(
                "this back end keeps the name in {} columns ({}); the console changes a name \
                 kept in one column only",
                many.len(),
                many.join(", ")
            ))),
        },
        UserAction::GrantRole { role } | UserAction::RevokeRole { role } => {
            let (Some(_), Some(has)) = (&m.roles, roles) else {
                return Err(refuse("this back end has no roles mapped"));
            };
            let holds = has.iter().any(|r| r == role);
            match action {
                UserAction::GrantRole { .. } if holds => {
                    Err(refuse(format!("{who} already has role '{role}'")))
                }
                UserAction::GrantRole { .. } => Ok(vec![Step::Grant(role.clone())]),
                _ if !holds => Err(refuse(format!("{who} does not have role '{role}'"))),
                _ => Ok(vec![Step::Revoke(role.clone())]),
            }
        }
    }
}

fn first(list: &[String], column: &str) -> Result<String> {
    list.first()
        .cloned()
        .ok_or_else(|| refuse(format!("the mapping lists no code for this in {column}")))
}

fn lock(
    u: &UserMap,
    who: &str,
    locked: bool,
    reason: &str,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Vec<Step>> {
    let mut sets: Vec<(String, Arg)> = Vec::new();
    match &u.lock {
        Some(Lock::Attempts { .. }) => {
            return Err(refuse(
                "django-axes locks an account only after failed sign-ins; to stop this user \
                 signing in, disable the account",
            ))
        }
        Some(Lock::Timestamp {
            column,
            until: false,
            reason: why,
            ..
        }) => {
            if locked {
                return Err(refuse(format!("{who} is already locked")));
            }
            if until.is_some() {
                return Err(refuse(format!(
                    "this back end locks until an unlock ({column} holds when it was locked); \
                     a lock end cannot be set"
                )));
            }
            sets.push((column.clone(), Arg::Time(now)));
            if let Some(w) = why {
                sets.push((w.clone(), reason.into()));
            }
        }
        Some(Lock::Timestamp {
            column,
            until: true,
            reason: why,
            ..
        }) => {
            let Some(end) = until else {
                return Err(refuse(format!(
                    "this back end locks until a time ({column}); say until when (--until)"
                )));
            };
            sets.push((column.clone(), Arg::Time(end)));
            if let Some(w) = why {
                sets.push((w.clone(), reason.into()));
            }
        }
        None => {}
    }
    if let Some(c) = lock_codes(u) {
        sets.push((c.column.to_string(), first(c.locked, c.column)?.into()));
    }
    if sets.is_empty() {
        return Err(refuse(
            "this back end keeps no lock: the mapping has no lock column, attempts table or \
             locked status code",
        ));
    }
    Ok(vec![Step::Set(sets)])
}

/// Everything a lock set, cleared; as Devise's `unlock_access!` does, the
/// failed attempts too.
fn unlock(u: &UserMap) -> Vec<Step> {
    let mut sets: Vec<(String, Arg)> = Vec::new();
    let mut steps = Vec::new();
    match &u.lock {
        Some(Lock::Timestamp {
            column,
            unlock_token,
            reason,
            ..
        }) => {
            sets.push((column.clone(), Arg::OptTime(None)));
            for c in [unlock_token, reason].into_iter().flatten() {
                sets.push((c.clone(), Arg::OptText(None)));
            }
        }
        Some(Lock::Attempts { .. }) => steps.push(Step::ClearAttempts),
        None => {}
    }
    if let Some(c) = &u.failed_attempts {
        sets.push((c.clone(), 0i64.into()));
    }
    if let Some(c) = lock_codes(u) {
        if let Some(code) = c.active.first() {
            sets.push((c.column.to_string(), code.as_str().into()));
        }
    }
    if !sets.is_empty() {
        steps.push(Step::Set(sets));
    }
    steps
}

/// Runs the steps in the caller's transaction; returns what was written,
/// for the audit entry ("auth_user.is_active", "axes_accessattempt: 2
/// rows deleted").
pub(super) async fn write(
    tx: &mut WriteTx,
    m: &Mapping,
    u: &UserMap,
    key: &Key,
    user: &str,
    steps: &[Step],
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let s = Sql { b: tx.backend() };
    let mut written = Vec::new();
    for step in steps {
        match step {
            Step::Set(sets) => {
                let mut q = Query::new(format!("UPDATE {} SET ", s.q(&u.table)));
                let mut sep = "";
                for (column, value) in sets {
                    let value = match value {
                        Arg::Time(t) => framework_time(s.b, *t),
                        v => v.clone(),
                    };
                    q.sql(format!("{sep}{} = ", s.q(column))).bind(value);
                    sep = ", ";
                    written.push(format!("{}.{column}", u.table));
                }
                if let Some(c) = &u.updated {
                    q.sql(format!(", {} = ", s.q(c)))
                        .bind(framework_time(s.b, now));
                }
                q.sql(format!(" WHERE {} = ", key.column));
                key.bind(&mut q, s.b, user)?;
                if tx.execute(&q, "cannot update the user").await? != 1 {
                    return Err(Error::Conflict(format!(
                        "user {user} changed while it was being updated; nothing was written, \
                         try again"
                    )));
                }
            }
            Step::ClearAttempts => {
                let Some(Lock::Attempts {
                    table,
                    username,
                    match_user,
                    ..
                }) = &u.lock
                else {
                    continue;
                };
                let mine: Vec<String> = match_user
                    .iter()
                    .map(|c| format!("LOWER({})", s.u(c)))
                    .collect();
                let mut q = Query::new(format!(
                    "DELETE FROM {t} WHERE EXISTS (SELECT 1 FROM {} u WHERE LOWER({t}.{}) IN ({})",
                    s.q(&u.table),
                    s.q(username),
                    mine.join(", "),
                    t = s.q(table)
                ));
                key.push_eq(&mut q, s.b, user)?;
                q.sql(")");
                let n = tx.execute(&q, "cannot clear the failed sign-ins").await?;
                written.push(format!("{table}: {n} rows deleted"));
            }
            Step::PrimaryAddress(email) => {
                written.extend(addresses::make_primary(tx, &s, u, key, user, email).await?);
            }
            Step::Grant(role) | Step::Revoke(role) => {
                let grant = matches!(step, Step::Grant(_));
                written.push(roles::write(tx, &s, m, key, user, role, grant).await?);
            }
        }
    }
    Ok(written)
}
