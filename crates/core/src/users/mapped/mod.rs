//! Users of a back end described by a mapping (Django, Devise, Laravel, a
//! legacy schema): search by any substring of email or name, in key order,
//! with what the back end knows of each account's state, the trouble card,
//! and the account actions written as the back end's framework writes
//! them. Every name in the SQL comes from the mapping, checked and quoted;
//! every value is bound.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

mod actions;
mod addresses;
mod card;
mod filters;
pub mod indexes;
mod narrow;
mod roles;
mod sql;
mod steps;

use super::search::MAX_QUERY_CHARS;
use super::{mask_email, unmasked, UserQuery};
use crate::dashboard::{grouped, StatusCount};
use crate::db::dialect::{fts_phrase, like_escape};
use crate::db::{Backend, Query, Source};
use crate::mapping::query::{self, Key};
use crate::mapping::{Mapping, UserMap};
use crate::operators::Permission;
use crate::page::{decode_key, keyed_page, Page, PageRequest};
use crate::session::Ctx;
use crate::{Error, Result};
pub use actions::{apply, offered, Offer};
pub use card::{card, MappedCard, MappedSignIn};
pub(crate) use card::{for_message, recipients};
use sql::{failed, lock_expr, push_as, state_expr, verified, Sql};

/// One account as a mapped back end describes it. What the back end does
/// not keep is absent.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
    /// A new address waiting for its owner's confirmation (Devise
    /// reconfirmable), masked as the email is.
    pub pending_email: Option<String>,
    pub last_sign_in: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub failed_attempts: Option<i64>,
    pub created: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    key: String,
    email: Option<String>,
    name: Option<String>,
    state: Option<String>,
    locked: Option<i64>,
    verified: Option<i64>,
    pending_email: Option<String>,
    last_sign_in: Option<i64>,
    failed_attempts: Option<i64>,
    created: Option<i64>,
}

/// The user's key, as `u` names the users table.
async fn user_key(ctx: &Ctx<'_>, u: &UserMap) -> Result<Key> {
    Key::of(ctx.db, &u.table, &u.key, "u", "user").await
}

/// `SELECT <a MappedUser's columns> FROM <users> u WHERE 1 = 1`.
fn select(s: &Sql, u: &UserMap, key: &Key, now: DateTime<Utc>) -> Query {
    let mut q = Query::new(format!(
        "SELECT {} AS {}, {} AS email, {} AS name, ",
        s.text(&key.expr),
        s.q("key"),
        s.u(&u.email),
        s.name(u)
    ));
    push_as(&mut q, state_expr(s, u), "state");
    push_as(&mut q, lock_expr(s, u, now), "locked");
    let epoch = |c: &Option<String>| c.as_ref().map_or("NULL".to_string(), |c| s.epoch(&s.u(c)));
    q.sql(format!(
        "{} AS verified, {} AS pending_email, {} AS last_sign_in, {} AS failed_attempts, \
         {} AS created FROM {} u WHERE 1 = 1",
        verified(s, u, &key.expr),
        sql::pending_email(s, u),
        epoch(&u.last_sign_in),
        failed(s, u),
        epoch(&u.created),
        s.q(&u.table)
    ));
    q
}

/// The mapping's user section, or why there is none.
fn users_of(mapping: &Mapping) -> Result<&UserMap> {
    mapping.user.as_ref().ok_or_else(|| {
        Error::validation("the mapping has no [user] section: this back end's users are not mapped")
    })
}

/// How many users are in each state, for the dashboard: the back end's
/// own ('active', 'disabled', a code it keeps), 'locked' while locked out;
/// 'users' where it keeps neither.
pub async fn by_state(ctx: &Ctx<'_>, mapping: &Mapping) -> Result<Vec<StatusCount>> {
    ctx.require(Permission::ReadUsers)?;
    let u = users_of(mapping)?;
    let s = Sql {
        b: ctx.db.backend(),
    };
    let mut state = state_expr(&s, u).unwrap_or_else(|| Query::new("'users'"));
    if let Some(lock) = lock_expr(&s, u, ctx.now) {
        let mut q = Query::new("CASE WHEN (");
        q.append(lock);
        q.sql(") = 1 THEN 'locked' ELSE ");
        q.append(state);
        q.sql(" END");
        state = q;
    }
    let mut q = Query::new("SELECT ");
    q.append(state);
    q.sql(format!(
        " AS st, COUNT(*) AS n FROM {} u GROUP BY 1 ORDER BY 1",
        s.q(&u.table)
    ));
    grouped(ctx.db, &q, "cannot count the users by state", "unknown").await
}

/// Finds users whose email or name contains the query's text (any length,
/// any case), or whose key is the text, with the query's filters; a page
/// in the back end's key order (the query's sort is not used).
pub async fn search(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    query: &UserQuery,
    page: &PageRequest,
) -> Result<Page<MappedUser>> {
    ctx.require(Permission::ReadUsers)?;
    let u = users_of(mapping)?;
    let text = query.text.trim();
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::validation(format!(
            "the search text is too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    let s = Sql {
        b: ctx.db.backend(),
    };
    let key = user_key(ctx, u).await?;
    let mut q = select(&s, u, &key, ctx.now);
    if !text.is_empty() {
        q.sql(" AND (");
        if chars >= 3 && indexes::sqlite_helper(ctx.db, u).await? && !broad(ctx, u, text).await? {
            q.sql(format!(
                "u.rowid IN (SELECT rowid FROM {f} WHERE {f} MATCH ",
                f = indexes::fts_table(u)
            ))
            .bind(fts_phrase(text))
            .sql(")");
        } else {
            let lower = text.to_lowercase();
            let plain = format!("%{}%", like_escape(&lower));
            let sample = match s.b {
                Backend::Postgres if chars >= 4 => Some(narrow::sample(ctx.db, &s, u).await?),
                _ => None,
            };
            let narrowed = |pick: fn(&narrow::Sample) -> &narrow::Trigrams| {
                sample
                    .as_ref()
                    .and_then(|x| narrow::pattern(&lower, pick(x)))
            };
            contains(
                &mut q,
                &s.u(&u.email),
                &lower,
                &plain,
                narrowed(|x| &x.email),
            );
            q.sql(" OR ");
            contains(&mut q, &s.name(u), &lower, &plain, narrowed(|x| &x.name));
        }
        // The key itself, compared as its type (so its index serves).
        let mut by_key = Query::new(format!(" OR {} = ", key.expr));
        if key.bind(&mut by_key, s.b, text).is_ok() {
            q.append(by_key);
        }
        q.sql(")");
    }
    filters::push(&mut q, &s, mapping, u, &key, query, ctx.now)?;
    if let Some(cursor) = &page.after {
        let after = decode_key(cursor)?;
        q.sql(format!(" AND {} > ", key.expr));
        key.bind(&mut q, s.b, &after).map_err(|_| {
            Error::validation(format!("'{cursor}' is not a page cursor from this list"))
        })?;
    }
    let limit = page.limit()?;
    q.sql(format!(" ORDER BY {} LIMIT {}", key.expr, limit + 1))
        .planned_per_run();
    let rows: Vec<Row> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot search the back end's users")
        .await?;
    let show = unmasked(ctx);
    let items: Vec<MappedUser> = rows.into_iter().map(|r| present(r, show)).collect();
    Ok(keyed_page(items, limit, |m| m.key.clone()))
}

/// `LOWER(expr)` holds the lowercased text: through the pattern the index
/// is asked for where [`narrow`] found one (the whole text then required by
/// `STRPOS`, which the index does not serve), else as `LIKE '%text%'`.
fn contains(q: &mut Query, expr: &str, lower: &str, plain: &str, narrowed: Option<String>) {
    let expr = format!("LOWER({expr})");
    match narrowed {
        Some(pattern) => q
            .sql(format!("({expr} LIKE "))
            .bind(pattern)
            .sql(format!(" AND STRPOS({expr}, "))
            .bind(lower.to_string())
            .sql(") > 0)"),
        None => q
            .sql(format!("{expr} LIKE "))
            .bind(plain.to_string())
            .sql(" ESCAPE '!'"),
    };
}

/// Matches past which a text is broad: walking users in key order and
/// testing each finds a page sooner than sorting the index's matches
/// (docs/BENCHMARKS.md: `ann`, a quarter of a million users, 48 ms through
/// the index, under 1 ms walking).
const BROAD: i64 = 5_000;

/// Whether an ASCII text matches at least [`BROAD`] users (the walk tests
/// ASCII case alike with LIKE; other texts always use the index).
async fn broad(ctx: &Ctx<'_>, u: &UserMap, text: &str) -> Result<bool> {
    if !text.is_ascii() {
        return Ok(false);
    }
    let mut q = Query::new(format!(
        "SELECT COUNT(*) FROM (SELECT rowid FROM {f} WHERE {f} MATCH ",
        f = indexes::fts_table(u)
    ));
    q.bind(fts_phrase(text)).sql(format!(" LIMIT {BROAD})"));
    let (n,): (i64,) = ctx
        .db
        .fetch_one(&q, "cannot search the back end's users")
        .await?;
    Ok(n >= BROAD)
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
    let mask = |e: String| if show { e } else { mask_email(&e) };
    MappedUser {
        key: r.key,
        email: mask(email),
        email_masked: !show,
        name: r.name.unwrap_or_default(),
        state: r.state,
        locked,
        verified: r.verified.map(|v| v != 0),
        pending_email: r.pending_email.map(mask),
        last_sign_in: at(r.last_sign_in),
        failed_attempts: r.failed_attempts,
        created: at(r.created),
    }
}

/// What the operator saw of a user: every mapped value and the roles.
fn fingerprint(r: &Row, roles: Option<&[String]>) -> String {
    let fields = [
        Some(r.key.clone()),
        r.email.clone(),
        r.name.clone(),
        r.state.clone(),
        r.locked.map(|v| v.to_string()),
        r.verified.map(|v| v.to_string()),
        r.pending_email.clone(),
        r.last_sign_in.map(|v| v.to_string()),
        r.failed_attempts.map(|v| v.to_string()),
        r.created.map(|v| v.to_string()),
    ];
    query::fingerprint(
        fields
            .iter()
            .map(Option::as_deref)
            .chain(roles.unwrap_or_default().iter().map(|r| Some(r.as_str()))),
    )
}
