//! The sign-in trouble card: everything about one account that explains
//! why its owner cannot sign in, in a fixed handful of queries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::diagnosis::diagnose;
use super::{mask_email, roles_of, unmasked, user_columns, User, UserRow};
use crate::audit::{self, AuditEntry};
use crate::db::{Db, Query};
use crate::notify::{sent_about, About, Sent};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::{Error, Result};

const LOGINS: u32 = 20;
const TOKENS: u32 = 20;
const LAST_ORDERS: u32 = 5;
const AUDIT: u32 = 20;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct LoginEvent {
    pub at: DateTime<Utc>,
    pub succeeded: bool,
    pub reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A verification or reset token: when it was issued and until when it
/// works. Never the token.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct OutstandingToken {
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl OutstandingToken {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.expires_at > now
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct OrderBrief {
    #[ts(type = "number")]
    pub id: i64,
    pub status: String,
    pub currency: String,
    #[ts(type = "number")]
    pub total_cents: i64,
    pub placed_at: DateTime<Utc>,
}

/// Orders of one currency: how many, what was paid, what was refunded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct OrderSummary {
    pub currency: String,
    #[ts(type = "number")]
    pub orders: i64,
    #[ts(type = "number")]
    pub paid_cents: i64,
    #[ts(type = "number")]
    pub refunded_cents: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TroubleCard {
    /// Plain-words reasons the person may not be able to sign in, most
    /// important first.
    pub diagnosis: Vec<String>,
    pub user: User,
    pub logins: Vec<LoginEvent>,
    /// Unused, unexpired tokens.
    pub tokens: Vec<OutstandingToken>,
    pub orders: Vec<OrderSummary>,
    pub last_orders: Vec<OrderBrief>,
    pub audit: Vec<AuditEntry>,
    /// What was sent to the user, newest first.
    pub notifications: Vec<Sent>,
}

/// Finds the user by id (digits) or email address.
async fn find(db: &Db, key: &str) -> Result<UserRow> {
    let key = key.trim();
    let mut q = Query::new(format!(
        "SELECT {} FROM users u WHERE ",
        user_columns(db.backend())
    ));
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let id: i64 = key
            .parse()
            .map_err(|_| Error::validation(format!("'{key}' is not a user id")))?;
        q.sql("u.id = ").bind(id);
    } else if key.contains('@') {
        q.sql("u.email_normalized = ").bind(key.to_lowercase());
    } else {
        return Err(Error::validation(format!(
            "'{key}' is neither a user id nor an email address"
        )));
    }
    db.fetch_optional(&q, "cannot read the user")
        .await?
        .ok_or_else(|| Error::NotFound(format!("no user with id or email '{key}'")))
}

/// The trouble card of one user, by id or email address.
pub async fn show(ctx: &Ctx<'_>, key: &str) -> Result<TroubleCard> {
    ctx.require(Permission::ReadUsers)?;
    let db = ctx.db;
    let row = find(db, key).await?;
    let id = row.id;
    let roles = roles_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    let user = User::from_row(row, roles, unmasked(ctx));

    let logins: Vec<LoginEvent> = db
        .fetch_all(
            Query::new(
                "SELECT at, succeeded, reason, ip, user_agent FROM login_events WHERE user_id = ",
            )
            .bind(id)
            .sql(format!(" ORDER BY at DESC, id DESC LIMIT {LOGINS}")),
            "cannot read login events",
        )
        .await?;
    let tokens: Vec<OutstandingToken> = db
        .fetch_all(
            Query::new(
                "SELECT purpose, created_at, expires_at, used_at FROM auth_tokens WHERE user_id = ",
            )
            .bind(id)
            .sql(format!(" ORDER BY created_at DESC, id DESC LIMIT {TOKENS}")),
            "cannot read tokens",
        )
        .await?;
    let b = db.backend();
    // Paid means paid and not cancelled; refunds are summed per order
    // first so that an order with two refunds is not counted twice.
    let orders: Vec<OrderSummary> = db
        .fetch_all(
            Query::new(format!(
                "SELECT o.currency, COUNT(*) AS orders, {} AS paid_cents, {} AS refunded_cents \
                 FROM orders o LEFT JOIN (SELECT r.order_id, SUM(r.amount_cents) AS amount \
                 FROM refunds r JOIN orders ro ON ro.id = r.order_id WHERE ro.user_id = ",
                b.int64(
                    "COALESCE(SUM(CASE WHEN o.paid_at IS NOT NULL AND o.status <> 'cancelled' \
                     THEN o.total_cents ELSE 0 END), 0)"
                ),
                b.int64("COALESCE(SUM(rf.amount), 0)"),
            ))
            .bind(id)
            .sql(" GROUP BY r.order_id) rf ON rf.order_id = o.id WHERE o.user_id = ")
            .bind(id)
            .sql(" GROUP BY o.currency ORDER BY o.currency"),
            "cannot summarise orders",
        )
        .await?;
    let last_orders: Vec<OrderBrief> = db
        .fetch_all(
            Query::new(
                "SELECT id, status, currency, total_cents, placed_at FROM orders WHERE user_id = ",
            )
            .bind(id)
            .sql(format!(
                " ORDER BY placed_at DESC, id DESC LIMIT {LAST_ORDERS}"
            )),
            "cannot read orders",
        )
        .await?;
    let mut audit = audit::for_entity(db, "user", &id.to_string(), AUDIT).await?;
    if user.email_masked {
        audit.iter_mut().for_each(mask_entry);
    }

    let diagnosis = diagnose(&user, &logins, &tokens, &audit, ctx.now);
    let live = tokens.into_iter().filter(|t| t.is_live(ctx.now)).collect();
    let notifications = sent_about(ctx, About::User(&id.to_string())).await?;
    Ok(TroubleCard {
        diagnosis,
        user,
        logins,
        tokens: live,
        orders,
        last_orders,
        audit,
        notifications,
    })
}

/// Emails inside audit entries are masked like everywhere else.
fn mask_entry(entry: &mut AuditEntry) {
    for side in [&mut entry.before, &mut entry.after].into_iter().flatten() {
        if let Some(Value::String(email)) = side.get_mut("email") {
            *email = mask_email(email);
        }
    }
}
