//! Users of a back end described by a mapping (Django, Devise, Laravel, a
//! legacy schema): search by any substring of email or name, in key order,
//! with what the back end knows of each account's state. Every name in the
//! SQL comes from the mapping, checked and quoted; every value is bound.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::search::MAX_QUERY_CHARS;
use super::{mask_email, unmasked};
use crate::db::dialect::like_escape;
use crate::db::{Backend, Query, Source};
use crate::mapping::catalogue::{self, Kind};
use crate::mapping::{quoted, Active, Lock, Mapping, UserMap, Verified};
use crate::operators::Permission;
use crate::page::{decode_key, keyed_page, Page, PageRequest};
use crate::session::Ctx;
use crate::{Error, Result};

/// One account as a mapped back end describes it. What the back end does
/// not keep is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedUser {
    /// The back end's key, as text (an integer, a UUID or a code).
    pub key: String,
    /// Masked (`j•••@example.com`) for operators who may not see emails.
    pub email: String,
    pub email_masked: bool,
    pub name: String,
    /// "active", "disabled" or "locked" by the mapped flag or codes; a code
    /// the mapping does not list is shown as it is.
    pub state: Option<String>,
    pub locked: Option<bool>,
    pub verified: Option<bool>,
    pub last_sign_in: Option<DateTime<Utc>>,
    pub failed_attempts: Option<i64>,
    pub created: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    key: String,
    email: Option<String>,
    name: Option<String>,
    state: Option<String>,
    locked: Option<i64>,
    verified: Option<i64>,
    last_sign_in: Option<i64>,
    failed_attempts: Option<i64>,
    created: Option<i64>,
}

/// SQL pieces for one backend.
struct Sql {
    b: Backend,
}

impl Sql {
    fn q(&self, name: &str) -> String {
        quoted(self.b, name)
    }
    /// `u.<column>`.
    fn u(&self, column: &str) -> String {
        format!("u.{}", self.q(column))
    }
    fn text(&self, expr: &str) -> String {
        let t = if self.b == Backend::Mysql {
            "CHAR"
        } else {
            "TEXT"
        };
        format!("CAST({expr} AS {t})")
    }
    /// A 64-bit integer, as every backend decodes it alike.
    fn int(&self, expr: &str) -> String {
        format!("CAST({expr}{}", self.int_close())
    }
    /// The end of [`Sql::int`], for an expression written in pieces
    /// around bound values: `CAST(` … `int_close()`.
    fn int_close(&self) -> &'static str {
        match self.b {
            Backend::Postgres => " AS BIGINT)",
            Backend::Mysql => " AS SIGNED)",
            Backend::Sqlite => " AS INTEGER)",
        }
    }
    /// A true/false column (boolean or integer) as 0/1.
    fn flag(&self, expr: &str) -> String {
        match self.b {
            // PostgreSQL casts a boolean to integer, not to bigint.
            Backend::Postgres => self.int(&format!("CAST({expr} AS INTEGER)")),
            _ => self.int(expr),
        }
    }
    /// Seconds since 1970 of a timestamp column, whatever its type (naive
    /// timestamps are UTC, as the frameworks store them).
    fn epoch(&self, expr: &str) -> String {
        match self.b {
            Backend::Postgres => format!("CAST(EXTRACT(EPOCH FROM {expr}) AS BIGINT)"),
            Backend::Mysql => format!("CAST(UNIX_TIMESTAMP({expr}) AS SIGNED)"),
            Backend::Sqlite => format!("CAST(strftime('%s', {expr}) AS INTEGER)"),
        }
    }
    fn name(&self, u: &UserMap) -> String {
        match u.name.as_slice() {
            [] => "''".into(),
            [one] => format!("COALESCE({}, '')", self.u(one)),
            many => {
                let cols: Vec<String> = many.iter().map(|c| self.u(c)).collect();
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

/// The lock expression (0/1) and the state expression, binding codes.
fn state_and_lock(s: &Sql, u: &UserMap, q: &mut Query, now: DateTime<Utc>) {
    match &u.active {
        Some(Active::Flag { column }) => {
            q.sql(format!(
                "CASE WHEN {} = 1 THEN 'active' ELSE 'disabled' END AS state, ",
                s.flag(&s.u(column))
            ));
        }
        Some(Active::Values {
            column,
            active,
            disabled,
            locked,
        }) => {
            let code = s.text(&s.u(column));
            q.sql("CASE");
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
            q.sql(format!(" ELSE {code} END AS state, "));
        }
        None => {
            q.sql("NULL AS state, ");
        }
    }
    match &u.lock {
        Some(Lock::Timestamp {
            column,
            until: false,
            ..
        }) => {
            let set = format!("CASE WHEN {} IS NULL THEN 0 ELSE 1 END", s.u(column));
            q.sql(format!("{} AS locked, ", s.int(&set)));
        }
        Some(Lock::Timestamp {
            column,
            until: true,
            ..
        }) => {
            q.sql(format!("CAST(CASE WHEN {} > ", s.u(column)))
                .bind(now)
                .sql(format!(" THEN 1 ELSE 0 END{} AS locked, ", s.int_close()));
        }
        Some(Lock::Attempts {
            table,
            username,
            count,
            limit,
            match_user,
        }) => {
            q.sql(format!(
                "CAST(CASE WHEN EXISTS (SELECT 1 FROM {} a WHERE {} AND a.{} >= ",
                s.q(table),
                attempt_match(s, username, match_user),
                s.q(count)
            ))
            .bind(*limit)
            .sql(format!(") THEN 1 ELSE 0 END{} AS locked, ", s.int_close()));
        }
        // Locked codes of a value map are read from the state.
        None => {
            q.sql("NULL AS locked, ");
        }
    }
}

/// `LOWER(a.username) IN (LOWER(u.username), LOWER(u.email))`.
fn attempt_match(s: &Sql, username: &str, match_user: &[String]) -> String {
    let mine: Vec<String> = match_user
        .iter()
        .map(|c| format!("LOWER({})", s.u(c)))
        .collect();
    format!("LOWER(a.{}) IN ({})", s.q(username), mine.join(", "))
}

fn verified(s: &Sql, u: &UserMap, key: &str) -> String {
    match &u.verified {
        Some(Verified::Timestamp { column, .. }) => s.int(&format!(
            "CASE WHEN {} IS NULL THEN 0 ELSE 1 END",
            s.u(column)
        )),
        Some(Verified::Flag { column }) => s.flag(&s.u(column)),
        Some(Verified::Rows {
            table,
            user,
            email,
            flag,
            ..
        }) => s.int(&format!(
            "CASE WHEN EXISTS (SELECT 1 FROM {} e WHERE e.{} = {key} \
             AND LOWER(e.{}) = LOWER({}) AND {} = 1) THEN 1 ELSE 0 END",
            s.q(table),
            s.q(user),
            s.q(email),
            s.u(&u.email),
            s.flag(&format!("e.{}", s.q(flag)))
        )),
        None => "NULL".into(),
    }
}

fn failed(s: &Sql, u: &UserMap) -> String {
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

/// Finds users whose email or name contains `text` (any length, any case),
/// or whose key is `text`; a page in key order.
pub async fn search(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    text: &str,
    page: &PageRequest,
) -> Result<Page<MappedUser>> {
    ctx.require(Permission::ReadUsers)?;
    let u = mapping.user.as_ref().ok_or_else(|| {
        Error::validation("the mapping has no [user] section: this back end's users are not mapped")
    })?;
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::validation(format!(
            "the search text is too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    let b = ctx.db.backend();
    let s = Sql { b };
    let cat = catalogue::read(ctx.db).await?;
    let integer_key = cat
        .column(&u.table, &u.key)
        .is_some_and(|c| c.kind == Kind::Integer);
    let key = s.u(&u.key);
    let name = s.name(u);
    let mut q = Query::new(format!(
        "SELECT {} AS {}, {} AS email, {name} AS name, ",
        s.text(&key),
        s.q("key"),
        s.u(&u.email)
    ));
    state_and_lock(&s, u, &mut q, ctx.now);
    let epoch = |c: &Option<String>| c.as_ref().map_or("NULL".to_string(), |c| s.epoch(&s.u(c)));
    q.sql(format!(
        "{} AS verified, {} AS last_sign_in, {} AS failed_attempts, {} AS created FROM {} u WHERE 1 = 1",
        verified(&s, u, &key),
        epoch(&u.last_sign_in),
        failed(&s, u),
        epoch(&u.created),
        s.q(&u.table)
    ));
    if !text.is_empty() {
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        q.sql(format!(" AND (LOWER({}) LIKE ", s.u(&u.email)))
            .bind(pattern.clone())
            .sql(format!(" ESCAPE '!' OR LOWER({name}) LIKE "))
            .bind(pattern)
            .sql(format!(" ESCAPE '!' OR {} = ", s.text(&key)))
            .bind(text)
            .sql(")");
    }
    if let Some(cursor) = &page.after {
        let after = decode_key(cursor)?;
        q.sql(format!(" AND {key} > "));
        if integer_key {
            let n: i64 = after.parse().map_err(|_| {
                Error::validation(format!("'{cursor}' is not a page cursor from this list"))
            })?;
            q.bind(n);
        } else {
            q.bind(after);
        }
    }
    let limit = page.limit()?;
    q.sql(format!(" ORDER BY {key} LIMIT {}", limit + 1));
    let rows: Vec<Row> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot search the back end's users")
        .await?;
    let show = unmasked(ctx);
    let items: Vec<MappedUser> = rows.into_iter().map(|r| present(r, show)).collect();
    Ok(keyed_page(items, limit, |m| m.key.clone()))
}

fn at(epoch: Option<i64>) -> Option<DateTime<Utc>> {
    epoch.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

fn present(r: Row, show: bool) -> MappedUser {
    let email = r.email.unwrap_or_default();
    let locked = r.locked.map(|v| v != 0).or(match r.state.as_deref() {
        Some("locked") => Some(true),
        _ => None,
    });
    MappedUser {
        key: r.key,
        email: if show { email } else { mask_email(&email) },
        email_masked: !show,
        name: r.name.unwrap_or_default(),
        state: r.state,
        locked,
        verified: r.verified.map(|v| v != 0),
        last_sign_in: at(r.last_sign_in),
        failed_attempts: r.failed_attempts,
        created: at(r.created),
    }
}
