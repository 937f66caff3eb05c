//! Finding orders: filters on status, placement date, customer, total and
//! currency, in keyset pages by placement date or total.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{customer_emails, Order, OrderRow, OrderStatus, ORDER_COLUMNS};
use crate::db::{Db, Query};
use crate::operators::Permission;
use crate::page::{Cursor, Key, Page, PageRequest, Total, COUNT_CAP};
use crate::session::Ctx;
use crate::{Error, Result};

/// A filter may name at most this many orders by id.
pub const MAX_FILTER_IDS: usize = 10_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    #[default]
    Placed,
    Total,
}

/// Which orders; every part is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OrderQuery {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<OrderStatus>,
    /// Placed at or after…
    pub placed_from: Option<DateTime<Utc>>,
    /// …and before.
    pub placed_until: Option<DateTime<Utc>>,
    /// The customer's user id or email address.
    pub customer: Option<String>,
    /// Totals between these amounts (minor units), both included.
    #[ts(type = "number | null")]
    pub total_min: Option<i64>,
    #[ts(type = "number | null")]
    pub total_max: Option<i64>,
    pub currency: Option<String>,
    /// Only these orders (a selection for bulk work).
    #[ts(type = "Array<number>")]
    pub ids: Vec<i64>,
    /// Only orders with an open validation finding.
    pub has_open_findings: bool,
    pub sort: OrderSort,
    /// Oldest or smallest first.
    pub ascending: bool,
}

impl OrderQuery {
    fn check(&self) -> Result<()> {
        if let (Some(f), Some(u)) = (self.placed_from, self.placed_until) {
            if u <= f {
                return Err(Error::validation(format!(
                    "the date range is backwards: it starts at {} and ends at {}",
                    f.to_rfc3339(),
                    u.to_rfc3339()
                )));
            }
        }
        if let (Some(lo), Some(hi)) = (self.total_min, self.total_max) {
            if hi < lo {
                return Err(Error::validation(
                    "the total range is backwards: the minimum is above the maximum",
                ));
            }
        }
        if let Some(c) = &self.currency {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(Error::validation(format!(
                    "'{c}' is not a currency code (three letters, e.g. EUR)"
                )));
            }
        }
        if self.ids.len() > MAX_FILTER_IDS {
            return Err(Error::validation(format!(
                "a selection holds at most {MAX_FILTER_IDS} orders ({} given)",
                self.ids.len()
            )));
        }
        Ok(())
    }
}

/// The user id a customer filter means: digits are an id, anything with
/// an `@` an email address.
async fn customer_id(db: &Db, key: &str) -> Result<i64> {
    let key = key.trim();
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        return key
            .parse()
            .map_err(|_| Error::validation(format!("'{key}' is not a user id")));
    }
    if !key.contains('@') {
        return Err(Error::validation(format!(
            "'{key}' is neither a user id nor an email address"
        )));
    }
    let found: Option<(i64,)> = db
        .fetch_optional(
            Query::new("SELECT id FROM users WHERE email_normalized = ").bind(key.to_lowercase()),
            "cannot look up the customer",
        )
        .await?;
    found
        .map(|(id,)| id)
        .ok_or_else(|| Error::NotFound(format!("no customer with email '{key}'")))
}

/// A query with its customer resolved, ready to become SQL.
pub(super) struct Resolved<'q> {
    query: &'q OrderQuery,
    customer: Option<i64>,
}

pub(super) async fn resolve<'q>(db: &Db, query: &'q OrderQuery) -> Result<Resolved<'q>> {
    query.check()?;
    let customer = match query.customer.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(customer_id(db, c).await?),
        _ => None,
    };
    Ok(Resolved { query, customer })
}

impl Resolved<'_> {
    /// `SELECT <columns> FROM orders o WHERE <filters>`, for the query's
    /// statuses or, when given, for `only` that one.
    fn filtered(&self, columns: &str, only: Option<OrderStatus>) -> Query {
        let query = self.query;
        let mut q = Query::new(format!("SELECT {columns} FROM orders o WHERE 1 = 1"));
        match (only, query.statuses.as_slice()) {
            (Some(one), _) | (None, &[one]) => {
                q.sql(" AND o.status = ").bind(one.as_str());
            }
            (None, []) => {}
            (None, many) => {
                q.sql(" AND o.status IN ")
                    .bind_list(many.iter().map(|s| s.as_str()));
            }
        }
        if let Some(from) = query.placed_from {
            q.sql(" AND o.placed_at >= ").bind(from);
        }
        if let Some(until) = query.placed_until {
            q.sql(" AND o.placed_at < ").bind(until);
        }
        if let Some(id) = self.customer {
            q.sql(" AND o.user_id = ").bind(id);
        }
        if let Some(lo) = query.total_min {
            q.sql(" AND o.total_cents >= ").bind(lo);
        }
        if let Some(hi) = query.total_max {
            q.sql(" AND o.total_cents <= ").bind(hi);
        }
        if let Some(c) = &query.currency {
            // The column is CHAR(3): a text parameter would make
            // PostgreSQL compare as text and skip the currency index.
            q.sql(" AND o.currency = CAST(")
                .bind(c.to_ascii_uppercase())
                .sql(" AS CHAR(3))");
        }
        if !query.ids.is_empty() {
            q.sql(" AND o.id IN ").bind_list(query.ids.iter().copied());
        }
        if query.has_open_findings {
            q.sql(
                " AND EXISTS (SELECT 1 FROM backoffice_findings f WHERE f.entity_type = 'order' \
                 AND f.entity_id = o.id AND f.status = 'open')",
            );
        }
        q
    }

    /// Up to `limit + 1` orders after `cursor`, in the query's order.
    /// Several statuses are read one page per status, each straight off its
    /// `(status, key, id)` index, and merged: a single `IN (…)` query would
    /// leave the planner to sort every order of those statuses.
    pub(super) async fn fetch_rows(
        &self,
        db: &Db,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<Order>> {
        let mut statuses = self.query.statuses.clone();
        statuses.sort_by_key(|s| s.as_str());
        statuses.dedup();
        if statuses.len() < 2 {
            return self.fetch_group(db, None, cursor, limit).await;
        }
        let mut rows = Vec::new();
        for status in statuses {
            rows.extend(self.fetch_group(db, Some(status), cursor, limit).await?);
        }
        let key = |o: &Order| match self.query.sort {
            OrderSort::Placed => (o.placed_at.timestamp_micros(), o.id),
            OrderSort::Total => (o.total_cents, o.id),
        };
        rows.sort_by_key(key);
        if !self.query.ascending {
            rows.reverse();
        }
        rows.truncate(limit as usize + 1);
        Ok(rows)
    }

    async fn fetch_group(
        &self,
        db: &Db,
        only: Option<OrderStatus>,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<Vec<Order>> {
        let col = match self.query.sort {
            OrderSort::Placed => "o.placed_at",
            OrderSort::Total => "o.total_cents",
        };
        let (cmp, dir) = if self.query.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let mut q = self.filtered(ORDER_COLUMNS, only);
        if let Some(c) = cursor {
            let key = match (self.query.sort, c.key) {
                (OrderSort::Placed, Some(k @ Key::Time(_)))
                | (OrderSort::Total, Some(k @ Key::Int(_))) => k,
                _ => {
                    return Err(Error::validation(
                        "this page cursor belongs to another sort order",
                    ))
                }
            };
            db.backend().push_after(&mut q, col, "o.id", cmp, key, c.id);
        }
        q.sql(format!(
            " ORDER BY {col} {dir}, o.id {dir} LIMIT {}",
            limit + 1
        ));
        let rows: Vec<OrderRow> = db.fetch_all(&q, "cannot list orders").await?;
        rows.into_iter().map(Order::try_from).collect()
    }

    /// How many orders match, counted no further than [`COUNT_CAP`].
    async fn capped_total(&self, db: &Db) -> Result<Total> {
        let mut q = Query::new("SELECT COUNT(*) FROM (");
        q.append(self.filtered("1 AS one", None))
            .sql(format!(" LIMIT {}) capped", COUNT_CAP + 1));
        let (n,): (i64,) = db.fetch_one(&q, "cannot count orders").await?;
        Ok(Total::from_capped(n.max(0) as u64))
    }

    pub(super) fn cursor_after(&self, o: &Order) -> Cursor {
        Cursor {
            key: Some(match self.query.sort {
                OrderSort::Placed => Key::Time(o.placed_at),
                OrderSort::Total => Key::Int(o.total_cents),
            }),
            id: o.id,
        }
    }
}

/// Fills in each order's customer email, masked as the operator must see it.
pub(super) async fn with_customers(ctx: &Ctx<'_>, mut orders: Vec<Order>) -> Result<Vec<Order>> {
    let mut ids: Vec<i64> = orders.iter().map(|o| o.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let emails = customer_emails(ctx.db, &ids, ctx.operator.can(Permission::SeeEmails)).await?;
    for o in &mut orders {
        o.customer_email = emails.get(&o.user_id).cloned().unwrap_or_default();
    }
    Ok(orders)
}

/// One page of orders. The first page also says how many match (capped).
pub async fn list(ctx: &Ctx<'_>, query: &OrderQuery, page: &PageRequest) -> Result<Page<Order>> {
    ctx.require(Permission::ReadOrders)?;
    let limit = page.limit()?;
    let cursor = page.after.as_deref().map(Cursor::decode).transpose()?;
    let resolved = resolve(ctx.db, query).await?;
    let rows = resolved.fetch_rows(ctx.db, cursor.as_ref(), limit).await?;
    let page_rows = Page::from_rows(rows, limit, |o| resolved.cursor_after(o));
    let total = match cursor {
        None => Some(resolved.capped_total(ctx.db).await?),
        Some(_) => None,
    };
    Ok(Page {
        items: with_customers(ctx, page_rows.items).await?,
        next: page_rows.next,
        total,
    })
}
