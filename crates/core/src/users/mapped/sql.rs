//! The SQL a mapping turns into: names quoted from the mapping, every
//! value bound, flags and timestamps read alike on every backend.

use chrono::{DateTime, Utc};

use crate::db::query::Arg;
use crate::db::{Backend, Query};
use crate::mapping::{quoted, Active, Lock, UserMap, Verified};

/// SQL pieces for one backend.
pub(super) struct Sql {
    pub(super) b: Backend,
}

impl Sql {
    pub(super) fn q(&self, name: &str) -> String {
        quoted(self.b, name)
    }
    /// `u.<column>`.
    pub(super) fn u(&self, column: &str) -> String {
        format!("u.{}", self.q(column))
    }
    pub(super) fn text(&self, expr: &str) -> String {
        self.b.cast_text(expr)
    }
    /// A 64-bit integer, as every backend decodes it alike.
    pub(super) fn int(&self, expr: &str) -> String {
        self.b.int64(expr)
    }
    /// `CASE WHEN <condition> THEN 1 ELSE 0 END`, typed as [`Sql::int`]:
    /// the text before the condition, and after it.
    pub(super) fn one_if(&self) -> (&'static str, String) {
        (
            "CASE WHEN ",
            format!(" THEN {} ELSE {} END", self.int("1"), self.int("0")),
        )
    }
    /// A true/false column (boolean or integer) as 0/1.
    pub(super) fn flag(&self, expr: &str) -> String {
        match self.b {
            // PostgreSQL casts a boolean to integer, not to bigint.
            Backend::Postgres => self.int(&format!("CAST({expr} AS INTEGER)")),
            _ => self.int(expr),
        }
    }
    /// Seconds since 1970 of a timestamp column, whatever its type (naive
    /// timestamps are UTC, as the frameworks store them).
    pub(super) fn epoch(&self, expr: &str) -> String {
        match self.b {
            Backend::Postgres => format!("CAST(EXTRACT(EPOCH FROM {expr}) AS BIGINT)"),
            Backend::Mysql => format!("CAST(UNIX_TIMESTAMP({expr}) AS SIGNED)"),
            Backend::Sqlite => format!("CAST(strftime('%s', {expr}) AS INTEGER)"),
        }
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

/// A time as the frameworks write it into their own columns: on SQLite the
/// text Django and Rails store (`2026-05-01 14:05:00.000000`, UTC); the
/// servers take the value itself (PostgreSQL sessions run in UTC).
pub(super) fn framework_time(b: Backend, t: DateTime<Utc>) -> Arg {
    match b {
        Backend::Sqlite => Arg::Text(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
        _ => Arg::Time(t),
    }
}
