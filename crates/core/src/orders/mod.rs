//! Orders as support staff handle them: find them, read their whole story,
//! move them through the lifecycle, cancel and refund with a preview, note
//! what was done, and do it in bulk.

mod bulk;
mod change;
mod export;
mod lifecycle;
pub mod mapped;
mod notes;
mod plan;
mod search;
mod story;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{Db, Query, Source};
use crate::users::mask_email;
use crate::{Error, Result};

pub use bulk::{
    bulk_commit, bulk_preview, BulkChange, BulkOutcome, BulkPreview, Refusal, Selection,
};
pub use change::{apply, commit, preview};
pub use export::export_csv;
pub use lifecycle::{check_move, declared_lifecycle, refusal, OrderStatus};
pub use notes::{add_note, MAX_NOTE_CHARS};
pub use plan::{OrderChange, Preview, StockChange};
pub use search::{list, OrderQuery, OrderSort, MAX_FILTER_IDS};
pub use story::{show, Customer, Item, Note, OrderStory, Refund, TimelineEntry, Totals};

/// The columns of [`OrderRow`], from `orders o`.
pub(crate) const ORDER_COLUMNS: &str = "o.id, o.user_id, o.status, o.currency, o.subtotal_cents, \
     o.shipping_cents, o.discount_cents, o.tax_cents, o.total_cents, o.placed_at, o.paid_at, \
     o.packed_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.refunded_at, o.updated_at, \
     o.version";

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OrderRow {
    id: i64,
    user_id: i64,
    status: String,
    currency: String,
    subtotal_cents: i64,
    shipping_cents: i64,
    discount_cents: i64,
    tax_cents: i64,
    total_cents: i64,
    placed_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
    packed_at: Option<DateTime<Utc>>,
    shipped_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    refunded_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// One order as the console shows it. Money is in minor units of
/// `currency`.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct Order {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub user_id: i64,
    pub status: OrderStatus,
    pub currency: String,
    #[ts(type = "number")]
    pub subtotal_cents: i64,
    #[ts(type = "number")]
    pub shipping_cents: i64,
    #[ts(type = "number")]
    pub discount_cents: i64,
    #[ts(type = "number")]
    pub tax_cents: i64,
    #[ts(type = "number")]
    pub total_cents: i64,
    pub placed_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub packed_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub refunded_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// The row version a change must carry.
    #[ts(type = "number")]
    pub version: i64,
    /// The customer's email, masked for operators who may not see emails
    /// (filled in lists; empty where the customer is shown on its own).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub customer_email: String,
}

impl TryFrom<OrderRow> for Order {
    type Error = Error;
    fn try_from(r: OrderRow) -> Result<Order> {
        Ok(Order {
            status: r.status.parse().map_err(|_| {
                Error::internal(format!(
                    "order {} has status '{}', which the console does not know",
                    r.id, r.status
                ))
            })?,
            id: r.id,
            user_id: r.user_id,
            currency: r.currency,
            subtotal_cents: r.subtotal_cents,
            shipping_cents: r.shipping_cents,
            discount_cents: r.discount_cents,
            tax_cents: r.tax_cents,
            total_cents: r.total_cents,
            placed_at: r.placed_at,
            paid_at: r.paid_at,
            packed_at: r.packed_at,
            shipped_at: r.shipped_at,
            delivered_at: r.delivered_at,
            cancelled_at: r.cancelled_at,
            refunded_at: r.refunded_at,
            updated_at: r.updated_at,
            version: r.version,
            customer_email: String::new(),
        })
    }
}

/// Reads one order, locking it when `lock` (inside a write transaction).
pub(crate) async fn load(src: &mut Source<'_>, id: i64, lock: bool) -> Result<Order> {
    let suffix = if lock { src.backend().for_update() } else { "" };
    let mut q = Query::new(format!(
        "SELECT {ORDER_COLUMNS} FROM orders o WHERE o.id = "
    ));
    q.bind(id).sql(suffix);
    let row: OrderRow = src
        .fetch_optional(&q, "cannot read the order")
        .await?
        .ok_or_else(|| Error::NotFound(format!("no order with id {id}")))?;
    row.try_into()
}

/// The email of each customer, masked unless `unmasked`, in one query.
pub(crate) async fn customer_emails(
    db: &Db,
    user_ids: &[i64],
    unmasked: bool,
) -> Result<HashMap<i64, String>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut q = Query::new("SELECT id, email FROM users WHERE id IN ");
    q.bind_list(user_ids.iter().copied());
    let rows: Vec<(i64, String)> = db.fetch_all(&q, "cannot read customers").await?;
    Ok(rows
        .into_iter()
        .map(|(id, email)| (id, if unmasked { email } else { mask_email(&email) }))
        .collect())
}
