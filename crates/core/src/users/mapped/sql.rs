//! The SQL a mapping turns into: names quoted from the mapping, every
//! value bound, flags and timestamps read alike on every backend.

use chrono::{DateTime, Utc};

use crate::db::{Backend, Query};
use crate::mapping::{Active, Lock, UserMap, Verified};

pub(super) use crate::mapping::query::{framework_time, Sql};

/// The parts of a user's query that only users have.
impl Sql {
    /// `u.<column>`.
    pub(super) fn u(&self, column: &str) -> String {
        self.on("u", column)
    }
    pub(super) fn name(&self, u: &UserMap) -> String {
        self.name_on("u.", u)
    }
    /// The display name of the row `prefix` names ("u.", "new.", or ""
    /// inside an index definition).
    pub(super) fn name_on(&self, prefix: &str, u: &UserMap) -> String {
        let col = |c: &String| format!("{prefix}{}", self.q(c));
        match u.name.as_slice() {
            [] => "''".into(),
            [one] => format!("COALESCE({}, '')", col(one)),
            many => {
                let cols: Vec<String> = many.iter().map(col).collect();
                match self.b {
                    Backend::Mysql => {
                        let parts: Vec<String> =
                            cols.iter().map(|c| format!("NULLIF({c}, '')")).collect();
                        format!("CONCAT_WS(' ', {})", parts.join(", "))
                    }
                    _ => {
                        let parts: Vec<String> =
                            cols.iter().map(|c| format!("COALESCE({c}, '')")).collect();
                        format!("TRIM({})", parts.join(" || ' ' || "))
                    }
                }
            }
        }
    }
}

/// The account's state: 'active', 'disabled', 'locked' or the unknown
/// code itself; `None` where the back end keeps no state.
pub(super) fn state_expr(s: &Sql, u: &UserMap) -> Option<Query> {
    match &u.active {
        Some(Active::Flag { column }) => Some(Query::new(format!(
            "CASE WHEN {} = 1 THEN 'active' ELSE 'disabled' END",
            s.flag(&s.u(column))
        ))),
        Some(Active::Values {
            column,
            active,
            disabled,
            locked,
        }) => {
            let code = s.text(&s.u(column));
            let mut q = Query::new("CASE");
            for (label, codes) in [
                ("active", active),
                ("disabled", disabled),
                ("locked", locked),
            ] {
                if !codes.is_empty() {
                    q.sql(format!(" WHEN {code} IN "))
                        .bind_list(codes.iter().map(String::as_str))
                        .sql(format!(" THEN '{label}'"));
                }
            }
            q.sql(format!(" ELSE {code} END"));
            Some(q)
        }
        None => None,
    }
}

/// 1 while the account is locked out, else 0; `None` where the back end
/// keeps no lock of its own (a value map's locked codes are in the state).
pub(super) fn lock_expr(s: &Sql, u: &UserMap, now: DateTime<Utc>) -> Option<Query> {
    let (when, then) = s.one_if();
    match &u.lock {
        Some(Lock::Timestamp {
            column,
            until: false,
            ..
        }) => Some(Query::new(format!(
            "{when}{} IS NOT NULL{then}",
            s.u(column)
        ))),
        Some(Lock::Timestamp {
            column,
            until: true,
            ..
        }) => {
            let mut q = Query::new(format!("{when}{} > ", s.u(column)));
            q.bind(now).sql(then);
            Some(q)
        }
        Some(Lock::Attempts {
            table,
            username,
            count,
            limit,
            match_user,
        }) => {
            let mut q = Query::new(format!(
                "{when}EXISTS (SELECT 1 FROM {} a WHERE {} AND a.{} >= ",
                s.q(table),
                attempt_match(s, username, match_user),
                s.q(count)
            ));
            q.bind(*limit).sql(format!("){then}"));
            Some(q)
        }
        None => None,
    }
}

/// `<expr> AS <name>, `, or `NULL AS <name>, `.
pub(super) fn push_as(q: &mut Query, expr: Option<Query>, name: &str) {
    match expr {
        Some(e) => q.append(e),
        None => q.sql("NULL"),
    };
    q.sql(format!(" AS {name}, "));
}

/// `LOWER(a.username) IN (LOWER(u.username), LOWER(u.email))`.
pub(super) fn attempt_match(s: &Sql, username: &str, match_user: &[String]) -> String {
    let mine: Vec<String> = match_user
        .iter()
        .map(|c| format!("LOWER({})", s.u(c)))
        .collect();
    format!("LOWER(a.{}) IN ({})", s.q(username), mine.join(", "))
}

pub(super) fn verified(s: &Sql, u: &UserMap, key: &str) -> String {
    match &u.verified {
        Some(Verified::Timestamp { column, .. }) => {
            let (when, then) = s.one_if();
            format!("{when}{} IS NOT NULL{then}", s.u(column))
        }
        Some(Verified::Flag { column }) => s.flag(&s.u(column)),
        Some(Verified::Rows {
            table,
            user,
            email,
            flag,
            ..
        }) => {
            let (when, then) = s.one_if();
            format!(
                "{when}EXISTS (SELECT 1 FROM {} e WHERE e.{} = {key} \
                 AND LOWER(e.{}) = LOWER({}) AND {} = 1){then}",
                s.q(table),
                s.q(user),
                s.q(email),
                s.u(&u.email),
                s.flag(&format!("e.{}", s.q(flag)))
            )
        }
        None => "NULL".into(),
    }
}

pub(super) fn failed(s: &Sql, u: &UserMap) -> String {
    match (&u.failed_attempts, &u.lock) {
        (Some(c), _) => s.int(&s.u(c)),
        (
            None,
            Some(Lock::Attempts {
                table,
                username,
                count,
                match_user,
                ..
            }),
        ) => format!(
            "(SELECT {} FROM {} a WHERE {})",
            s.int(&format!("COALESCE(SUM(a.{}), 0)", s.q(count))),
            s.q(table),
            attempt_match(s, username, match_user)
        ),
        _ => "NULL".into(),
    }
}

/// The address waiting for confirmation, where the back end keeps one.
pub(super) fn pending_email(s: &Sql, u: &UserMap) -> String {
    match &u.verified {
        Some(Verified::Timestamp {
            pending_email: Some(c),
            ..
        }) => s.u(c),
        _ => "NULL".into(),
    }
}
