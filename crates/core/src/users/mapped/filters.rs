//! The users list's filters on a mapped back end: state, verification,
//! role and creation date, each answered from what the mapping says, or
//! refused with the reason when the back end keeps no such thing.

use chrono::{DateTime, Utc};

use super::sql::{lock_expr, state_expr, verified, Sql};
use super::Key;
use crate::db::Query;
use crate::mapping::{Mapping, UserMap};
use crate::users::{UserQuery, UserStatus};
use crate::{Error, Result};

fn cannot(what: &str, keeps: &str) -> Error {
    Error::validation(format!(
        "this back end keeps no {keeps}, so users cannot be filtered by {what}"
    ))
}

/// Adds every filter of `query` but its text to `q`.
pub(super) fn push(
    q: &mut Query,
    s: &Sql,
    m: &Mapping,
    u: &UserMap,
    key: &Key,
    query: &UserQuery,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(status) = query.status {
        push_status(q, s, u, status, now)?;
    }
    if let Some(want) = query.verified {
        if u.verified.is_none() {
            return Err(cannot("verification", "email verification"));
        }
        q.sql(format!(
            " AND {} = {}",
            verified(s, u, &key.expr),
            if want { 1 } else { 0 }
        ));
    }
    if let Some(role) = query.role.as_deref().map(str::trim) {
        let r = m.roles.as_ref().ok_or_else(|| cannot("role", "roles"))?;
        let j = &r.join;
        q.sql(format!(
            " AND EXISTS (SELECT 1 FROM {} j JOIN {} r ON r.{} = j.{} WHERE j.{} = {} AND r.{} = ",
            s.q(&j.table),
            s.q(&r.table),
            s.q(&r.key),
            s.q(&j.role),
            s.q(&j.user),
            key.expr,
            s.q(&r.name)
        ))
        .bind(role);
        if let (Some(c), Some(v)) = (&j.only_column, &j.only_value) {
            q.sql(format!(" AND j.{} = ", s.q(c))).bind(v.as_str());
        }
        q.sql(")");
    }
    if query.created_from.is_some() || query.created_until.is_some() {
        let c = u
            .created
            .as_ref()
            .ok_or_else(|| cannot("creation date", "creation date"))?;
        let created = s.epoch(&s.u(c));
        if let Some(from) = query.created_from {
            q.sql(format!(" AND {created} >= ")).bind(from.timestamp());
        }
        if let Some(until) = query.created_until {
            q.sql(format!(" AND {created} < ")).bind(until.timestamp());
        }
    }
    Ok(())
}

/// Active means neither disabled nor locked out.
fn push_status(
    q: &mut Query,
    s: &Sql,
    u: &UserMap,
    status: UserStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let state = state_expr(s, u);
    let lock = lock_expr(s, u, now);
    let has_locked_codes = matches!(
        &u.active,
        Some(crate::mapping::Active::Values { locked, .. }) if !locked.is_empty()
    );
    let state_is = |q: &mut Query, e: Query, label: &str| {
        q.sql(" AND ").append(e).sql(format!(" = '{label}'"));
    };
    match status {
        UserStatus::Disabled => {
            let e = state.ok_or_else(|| cannot("status", "active or disabled state"))?;
            state_is(q, e, "disabled");
        }
        UserStatus::Locked => match (lock, state.filter(|_| has_locked_codes)) {
            (None, None) => return Err(cannot("status locked", "lock")),
            (Some(l), None) => {
                q.sql(" AND ").append(l).sql(" = 1");
            }
            (None, Some(e)) => state_is(q, e, "locked"),
            (Some(l), Some(e)) => {
                q.sql(" AND (").append(l).sql(" = 1 OR ").append(e);
                q.sql(" = 'locked')");
            }
        },
        UserStatus::Active => {
            if state.is_none() && lock.is_none() {
                return Err(cannot("status", "account state or lock"));
            }
            if let Some(e) = state {
                state_is(q, e, "active");
            }
            if let Some(l) = lock {
                q.sql(" AND ").append(l).sql(" = 0");
            }
        }
    }
    Ok(())
}
