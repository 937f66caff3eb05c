//! Users of a back end described by a mapping (Django, Devise, Laravel, a
//! legacy schema): search by any substring of email or name, in key order,
//! with what the back end knows of each account's state. Every name in the
//! SQL comes from the mapping, checked and quoted; every value is bound.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

mod card;
mod sql;

use super::search::MAX_QUERY_CHARS;
use super::{mask_email, unmasked};
use crate::db::dialect::like_escape;
use crate::db::{Query, Source};
use crate::mapping::catalogue::{self, Kind};
use crate::mapping::{Mapping, UserMap};
use crate::operators::Permission;
use crate::page::{decode_key, keyed_page, Page, PageRequest};
use crate::session::Ctx;
use crate::{Error, Result};
pub use card::{card, MappedCard, MappedSignIn};
use sql::{failed, state_and_lock, verified, Sql};

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

/// `SELECT <a MappedUser's columns> FROM <users> u WHERE 1 = 1`, with the
/// key and name expressions and whether the key is an integer.
async fn select(ctx: &Ctx<'_>, u: &UserMap) -> Result<(Query, String, String, bool)> {
    let s = Sql {
        b: ctx.db.backend(),
    };
    let integer_key =
        catalogue::column_kind(ctx.db, &u.table, &u.key).await? == Some(Kind::Integer);
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
    Ok((q, key, name, integer_key))
}

/// Binds a key given as text as the column's type.
fn bind_key(q: &mut Query, key: &str, integer_key: bool) -> Result<()> {
    if integer_key {
        let n: i64 = key
            .trim()
            .parse()
            .map_err(|_| Error::NotFound(format!("no user has the key '{key}'")))?;
        q.bind(n);
    } else {
        q.bind(key.trim());
    }
    Ok(())
}

/// The mapping's user section, or why there is none.
fn users_of(mapping: &Mapping) -> Result<&UserMap> {
    mapping.user.as_ref().ok_or_else(|| {
        Error::validation("the mapping has no [user] section: this back end's users are not mapped")
    })
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
    let u = users_of(mapping)?;
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::validation(format!(
            "the search text is too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    let (mut q, key, name, integer_key) = select(ctx, u).await?;
    if !text.is_empty() {
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        let email = Sql {
            b: ctx.db.backend(),
        }
        .u(&u.email);
        q.sql(format!(" AND (LOWER({email}) LIKE "))
            .bind(pattern.clone())
            .sql(format!(" ESCAPE '!' OR LOWER({name}) LIKE "))
            .bind(pattern)
            .sql(format!(
                " ESCAPE '!' OR {} = ",
                Sql {
                    b: ctx.db.backend()
                }
                .text(&key)
            ))
            .bind(text)
            .sql(")");
    }
    if let Some(cursor) = &page.after {
        let after = decode_key(cursor)?;
        q.sql(format!(" AND {key} > "));
        bind_key(&mut q, &after, integer_key).map_err(|_| {
            Error::validation(format!("'{cursor}' is not a page cursor from this list"))
        })?;
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
