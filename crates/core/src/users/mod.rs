//! Users of the back end as support staff see them: search, the sign-in
//! trouble card, account actions, and email masking for the support role.

mod actions;
pub mod address;
mod card;
mod diagnosis;
mod export;
pub mod mapped;
mod plan;
mod search;
mod text_plan;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::{Backend, Db, Query, Source};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::{Error, Result};

pub use actions::{apply, reveal_email};
pub use card::{show, LoginEvent, OrderBrief, OrderSummary, OutstandingToken, TroubleCard};
pub use export::export_csv;
pub(crate) use plan::clean_text;
pub use plan::{is_bidi_control, UserAction, MAX_NAME_CHARS, MAX_REASON_CHARS};
pub use search::{search, UserQuery, UserSort};

/// The other account whose normalised address is `normalized`, if any.
pub(crate) async fn address_owner(
    src: &mut Source<'_>,
    normalized: &str,
    except: i64,
) -> Result<Option<i64>> {
    let found: Option<(i64,)> = src
        .fetch_optional(
            Query::new("SELECT id FROM users WHERE email_normalized = ")
                .bind(normalized)
                .sql(" AND id <> ")
                .bind(except),
            "cannot check the address",
        )
        .await?;
    Ok(found.map(|(id,)| id))
}

/// The columns of [`UserRow`], from `users u`.
pub(crate) fn user_columns(backend: Backend) -> String {
    format!(
        "u.id, u.email, u.display_name, u.status, u.locked_until, u.lock_reason, \
         u.email_verified_at, u.failed_login_count, u.last_login_at, u.created_at, u.updated_at, \
         u.version, {} AS has_password",
        backend.int64("CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END")
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    status: String,
    locked_until: Option<DateTime<Utc>>,
    lock_reason: Option<String>,
    email_verified_at: Option<DateTime<Utc>>,
    failed_login_count: i32,
    last_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    has_password: i64,
}

/// Account status as stored in `users.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Locked,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Locked => "locked",
            UserStatus::Disabled => "disabled",
        }
    }
}

impl std::str::FromStr for UserStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(UserStatus::Active),
            "locked" => Ok(UserStatus::Locked),
            "disabled" => Ok(UserStatus::Disabled),
            other => Err(Error::validation(format!(
                "unknown status '{other}'; use active, locked or disabled"
            ))),
        }
    }
}

/// A user account as the console shows it.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct User {
    #[ts(type = "number")]
    pub id: i64,
    /// Masked (`j•••@example.com`) for operators who may not see emails.
    pub email: String,
    pub email_masked: bool,
    pub display_name: String,
    pub status: String,
    pub locked_until: Option<DateTime<Utc>>,
    pub lock_reason: Option<String>,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub failed_login_count: i32,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The row version a change must carry.
    #[ts(type = "number")]
    pub version: i64,
    pub roles: Vec<String>,
    /// Whether a password is set (never the hash).
    pub has_password: bool,
}

impl User {
    pub(crate) fn from_row(row: UserRow, roles: Vec<String>, unmasked: bool) -> User {
        let email = if unmasked {
            row.email
        } else {
            mask_email(&row.email)
        };
        User {
            id: row.id,
            email,
            email_masked: !unmasked,
            display_name: row.display_name,
            status: row.status,
            locked_until: row.locked_until,
            lock_reason: row.lock_reason,
            email_verified_at: row.email_verified_at,
            failed_login_count: row.failed_login_count,
            last_login_at: row.last_login_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            roles,
            has_password: row.has_password != 0,
        }
    }
}

/// `jane@example.com` → `j•••@example.com`. Whatever is not a well-formed
/// address still shows no more than its first character.
pub fn mask_email(email: &str) -> String {
    let first: String = email.chars().take(1).collect();
    match email.rsplit_once('@') {
        Some((_, domain)) if !domain.is_empty() => format!("{first}•••@{domain}"),
        _ => format!("{first}•••"),
    }
}

/// Whether the operator sees emails unmasked.
pub(crate) fn unmasked(ctx: &Ctx<'_>) -> bool {
    ctx.operator.can(Permission::SeeEmails)
}

/// The role names of each user, in one query.
pub(crate) async fn roles_of(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let mut q = Query::new(
        "SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.user_id IN ",
    );
    q.bind_list(ids.iter().copied()).sql(" ORDER BY r.name");
    let rows: Vec<(i64, String)> = db.fetch_all(&q, "cannot read user roles").await?;
    for (id, name) in rows {
        map.entry(id).or_default().push(name);
    }
    Ok(map)
}

/// Rows with their roles, masked as the operator must see them.
pub(crate) async fn present(ctx: &Ctx<'_>, rows: Vec<UserRow>) -> Result<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut roles = roles_of(ctx.db, &ids).await?;
    let unmasked = unmasked(ctx);
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = roles.remove(&r.id).unwrap_or_default();
            User::from_row(r, mine, unmasked)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_domain_only() {
        assert_eq!(mask_email("jane@example.com"), "j•••@example.com");
        assert_eq!(mask_email("no-at-sign"), "n•••");
        assert_eq!(mask_email("trailing@"), "t•••");
        assert_eq!(mask_email(""), "•••");
        assert_eq!(mask_email("élise@exemple.fr"), "é•••@exemple.fr");
    }
}
