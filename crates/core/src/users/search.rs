//! User search: substring of email or name, exact id or email, filters,
//! and keyset pages in created or last-sign-in order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text_plan::{self, TextPlan};
use super::{present, user_columns, User, UserRow, UserStatus};
use crate::db::{Backend, Db, Query};
use crate::operators::Permission;
use crate::page::{Cursor, Key, Page, PageRequest, Total, COUNT_CAP};
use crate::session::Ctx;
use crate::{Error, Result};

/// Longer than any email address (RFC 5321 caps a path at 256 octets) or
/// display name: such a query can only be a mistake.
pub const MAX_QUERY_CHARS: usize = 320;
/// Trigram indexes need three characters to look anything up.
pub const MIN_SUBSTRING_CHARS: usize = 3;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Created,
    /// Users who never signed in come last.
    LastSignIn,
}

/// What to look for; every part is optional.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct UserQuery {
    /// A substring (3+ characters) of email or display name, an exact id,
    /// or an exact email address.
    pub text: String,
    pub status: Option<UserStatus>,
    pub verified: Option<bool>,
    pub role: Option<String>,
    /// Created at or after…
    pub created_from: Option<DateTime<Utc>>,
    /// …and before.
    pub created_until: Option<DateTime<Utc>>,
    pub sort: UserSort,
    pub oldest_first: bool,
}

/// `SELECT <columns> FROM users u WHERE <the query's filters>`.
fn filtered(backend: Backend, columns: &str, query: &UserQuery, plan: TextPlan) -> Result<Query> {
    let mut q = Query::new(format!("SELECT {columns} FROM users u WHERE 1 = 1"));
    let text = query.text.trim();
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::validation(format!(
            "the search text is too long: {chars} characters (at most {MAX_QUERY_CHARS})"
        )));
    }
    if chars > 0 {
        let id = text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| text.parse::<i64>().ok())
            .flatten();
        if chars < MIN_SUBSTRING_CHARS && id.is_none() {
            return Err(Error::validation(format!(
                "type at least {MIN_SUBSTRING_CHARS} characters to search emails and names \
                 (or a user id)"
            )));
        }
        q.sql(" AND (");
        let mut alternatives = 0;
        if let Some(id) = id {
            q.sql("u.id = ").bind(id);
            alternatives += 1;
        }
        if chars >= MIN_SUBSTRING_CHARS {
            if alternatives > 0 {
                q.sql(" OR ");
            }
            match plan {
                TextPlan::Probe => text_plan::push_probe(&mut q, text),
                TextPlan::Matches => backend.push_contains(&mut q, text),
            }
            if text.contains('@') {
                q.sql(" OR u.email_normalized = ").bind(text.to_lowercase());
            }
        }
        q.sql(")");
    }
    if let Some(status) = query.status {
        q.sql(" AND u.status = ").bind(status.as_str());
    }
    match query.verified {
        Some(true) => q.sql(" AND u.email_verified_at IS NOT NULL"),
        Some(false) => q.sql(" AND u.email_verified_at IS NULL"),
        None => &mut q,
    };
    if let Some(role) = query.role.as_deref() {
        q.sql(
            " AND EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE ur.user_id = u.id AND r.name = ",
        )
        .bind(role)
        .sql(")");
    }
    if let Some(from) = query.created_from {
        q.sql(" AND u.created_at >= ").bind(from);
    }
    if let Some(until) = query.created_until {
        q.sql(" AND u.created_at < ").bind(until);
    }
    Ok(q)
}

fn sort_key(sort: UserSort, row: &UserRow) -> Option<Key> {
    match sort {
        UserSort::Created => Some(Key::Time(row.created_at)),
        UserSort::LastSignIn => row.last_login_at.map(Key::Time),
    }
}

/// Up to `limit + 1` rows after `cursor`. Rows whose sort key is NULL
/// (never signed in) form a second segment ordered by id, read once the
/// first runs out: every backend orders NULLs differently, and a segment
/// each keeps both on an index.
pub(super) async fn fetch_rows(
    db: &Db,
    query: &UserQuery,
    cursor: Option<&Cursor>,
    limit: u32,
    plan: TextPlan,
) -> Result<Vec<UserRow>> {
    let backend = db.backend();
    let columns = user_columns(backend);
    let (col, nullable) = match query.sort {
        UserSort::Created => ("u.created_at", false),
        UserSort::LastSignIn => ("u.last_login_at", true),
    };
    let (cmp, dir) = if query.oldest_first {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let wanted = limit as usize + 1;
    let in_null_segment = nullable && cursor.is_some_and(|c| c.key.is_none());
    let mut rows = Vec::new();
    if !in_null_segment {
        let mut q = filtered(backend, &columns, query, plan)?;
        if nullable {
            q.sql(format!(" AND {col} IS NOT NULL"));
        }
        if let Some(c) = cursor {
            let key = c.key.ok_or_else(|| {
                Error::validation("this page cursor belongs to another sort order")
            })?;
            backend.push_after(&mut q, col, "u.id", cmp, key, c.id);
        }
        q.sql(format!(" ORDER BY {col} {dir}, u.id {dir} LIMIT {wanted}"));
        rows = db.fetch_all(&q, "cannot search users").await?;
    }
    if nullable && rows.len() < wanted {
        let mut q = filtered(backend, &columns, query, plan)?;
        q.sql(format!(" AND {col} IS NULL"));
        if let Some(c) = cursor.filter(|_| in_null_segment) {
            q.sql(format!(" AND u.id {cmp} ")).bind(c.id);
        }
        q.sql(format!(
            " ORDER BY u.id {dir} LIMIT {}",
            wanted - rows.len()
        ));
        let more: Vec<UserRow> = db.fetch_all(&q, "cannot search users").await?;
        rows.extend(more);
    }
    Ok(rows)
}

/// How many users match, counted no further than [`COUNT_CAP`].
async fn capped_total(db: &Db, query: &UserQuery) -> Result<Total> {
    let inner = filtered(db.backend(), "1 AS one", query, TextPlan::Matches)?;
    let mut q = Query::new("SELECT COUNT(*) FROM (");
    q.append(inner)
        .sql(format!(" LIMIT {}) capped", COUNT_CAP + 1));
    let (n,): (i64,) = db.fetch_one(&q, "cannot count users").await?;
    Ok(Total::from_capped(n.max(0) as u64))
}

/// One page of users. The first page also says how many match (capped).
pub async fn search(ctx: &Ctx<'_>, query: &UserQuery, page: &PageRequest) -> Result<Page<User>> {
    ctx.require(Permission::ReadUsers)?;
    let limit = page.limit()?;
    let cursor = page.after.as_deref().map(Cursor::decode).transpose()?;
    let (plan, known) = text_plan::choose(ctx.db, query).await?;
    let rows = fetch_rows(ctx.db, query, cursor.as_ref(), limit, plan).await?;
    let rows_page = Page::from_rows(rows, limit, |r| cursor_after(query, r));
    let total = match (cursor.is_none(), known) {
        (false, _) => None,
        (true, Some(total)) => Some(total),
        (true, None) => Some(capped_total(ctx.db, query).await?),
    };
    Ok(Page {
        items: present(ctx, rows_page.items).await?,
        next: rows_page.next,
        total,
    })
}

/// The next cursor after `row` in this query's order.
pub(super) fn cursor_after(query: &UserQuery, row: &UserRow) -> Cursor {
    Cursor {
        key: sort_key(query.sort, row),
        id: row.id,
    }
}
