//! An order's whole story in one call: the order, its customer, items,
//! totals checked against the items, money paid and refunded, and a
//! timeline of everything that happened to it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{load, Order, OrderStatus};
use crate::audit::{self, AuditEntry};
use crate::db::{Query, Source};
use crate::money;
use crate::notify::{about_timeline as notify_timeline, sent_about, About, Sent};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::users::mask_email;
use crate::{Error, Result};

/// Audit entries shown on the timeline (newest).
const AUDIT: u32 = 100;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Customer {
    #[ts(type = "number")]
    pub id: i64,
    pub email: String,
    pub email_masked: bool,
    pub display_name: String,
    pub status: String,
    pub verified: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Item {
    #[ts(type = "number")]
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    #[ts(type = "number")]
    pub quantity: i64,
    #[ts(type = "number")]
    pub unit_price_cents: i64,
    #[ts(type = "number")]
    pub line_total_cents: i64,
}

/// The recorded totals and what the items say they should be.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Totals {
    /// The sum of the line totals (absent when it does not fit in 64 bits).
    #[ts(type = "number | null")]
    pub items_subtotal_cents: Option<i64>,
    /// subtotal + shipping + tax − discount, from the recorded parts.
    #[ts(type = "number | null")]
    pub expected_total_cents: Option<i64>,
    /// Every way the recorded amounts disagree with the items, in words.
    pub mismatches: Vec<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Refund {
    #[ts(type = "number")]
    pub amount_cents: i64,
    pub reason: String,
    pub operator: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub operator: String,
    pub body: String,
}

/// One thing that happened to the order.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// status, note, refund, email or audit.
    pub kind: &'static str,
    pub operator: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct OrderStory {
    pub order: Order,
    pub customer: Customer,
    pub items: Vec<Item>,
    pub totals: Totals,
    #[ts(type = "number")]
    pub paid_cents: i64,
    #[ts(type = "number")]
    pub refunded_cents: i64,
    #[ts(type = "number")]
    pub refundable_cents: i64,
    pub refunds: Vec<Refund>,
    pub notes: Vec<Note>,
    /// What was sent about the order, newest first (did we tell the
    /// customer?).
    pub notifications: Vec<Sent>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Where the order can go next along the lifecycle, if anywhere.
    pub next_status: Option<OrderStatus>,
    pub can_cancel: bool,
}

#[derive(sqlx::FromRow)]
struct Event {
    from_status: Option<String>,
    to_status: String,
    operator: String,
    reason: Option<String>,
    at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    email: String,
    display_name: String,
    status: String,
    email_verified_at: Option<DateTime<Utc>>,
    locked_until: Option<DateTime<Utc>>,
}

/// Checks the recorded amounts against the items, with 128-bit sums so
/// that no amount, however large, wraps around.
fn check_totals(o: &Order, items: &[Item]) -> Totals {
    let cur = o.currency.as_str();
    let fmt = |v: i128| match i64::try_from(v) {
        Ok(v) => money::format(v, cur),
        Err(_) => format!("{v} (in minor units of {cur})"),
    };
    let mut mismatches = Vec::new();
    for i in items {
        let expected = i128::from(i.quantity) * i128::from(i.unit_price_cents);
        if i.quantity <= 0 {
            mismatches.push(format!("{} has quantity {}", i.sku, i.quantity));
        }
        if i.unit_price_cents < 0 {
            mismatches.push(format!("{} has a negative price", i.sku));
        }
        if expected != i128::from(i.line_total_cents) {
            mismatches.push(format!(
                "{}: {} × {} is {}, but the line says {}",
                i.sku,
                i.quantity,
                money::format(i.unit_price_cents, cur),
                fmt(expected),
                money::format(i.line_total_cents, cur)
            ));
        }
    }
    if items.is_empty() {
        mismatches.push("the order has no items".into());
    }
    let items_sum: i128 = items.iter().map(|i| i128::from(i.line_total_cents)).sum();
    if items_sum != i128::from(o.subtotal_cents) {
        mismatches.push(format!(
            "the subtotal says {}, but the lines add up to {}",
            money::format(o.subtotal_cents, cur),
            fmt(items_sum)
        ));
    }
    let expected =
        i128::from(o.subtotal_cents) + i128::from(o.shipping_cents) + i128::from(o.tax_cents)
            - i128::from(o.discount_cents);
    if expected != i128::from(o.total_cents) {
        mismatches.push(format!(
            "the total says {}, but subtotal + shipping + tax − discount is {}",
            money::format(o.total_cents, cur),
            fmt(expected)
        ));
    }
    Totals {
        items_subtotal_cents: i64::try_from(items_sum).ok(),
        expected_total_cents: i64::try_from(expected).ok(),
        mismatches,
    }
}

fn timeline(
    order: &Order,
    events: Vec<Event>,
    story: &OrderStory,
    audit: Vec<AuditEntry>,
) -> Vec<TimelineEntry> {
    let cur = order.currency.as_str();
    let mut out: Vec<TimelineEntry> = Vec::new();
    for e in events {
        let text = match (e.from_status, e.reason) {
            (None, _) => format!("placed as {}", e.to_status),
            (Some(f), Some(r)) if f == e.to_status => r,
            (Some(f), r) => {
                let mut t = format!("{f} → {}", e.to_status);
                if let Some(r) = r {
                    t.push_str(&format!(" ({r})"));
                }
                t
            }
        };
        out.push(TimelineEntry {
            at: e.at,
            kind: "status",
            operator: e.operator,
            text,
        });
    }
    for n in &story.notes {
        out.push(TimelineEntry {
            at: n.at,
            kind: "note",
            operator: n.operator.clone(),
            text: n.body.clone(),
        });
    }
    for r in &story.refunds {
        out.push(TimelineEntry {
            at: r.at,
            kind: "refund",
            operator: r.operator.clone(),
            text: format!(
                "refunded {}: {}",
                money::format(r.amount_cents, cur),
                r.reason
            ),
        });
    }
    for a in audit {
        let mut text = a.action.clone();
        if let Some(r) = a.reason {
            text.push_str(&format!(" ({r})"));
        }
        out.push(TimelineEntry {
            at: a.at,
            kind: "audit",
            operator: a.operator,
            text,
        });
    }
    out.extend(notify_timeline(&story.notifications));
    // Stable: same-instant entries keep the order above (the status change
    // before the note, refund and audit entry written with it).
    out.sort_by_key(|e| e.at);
    out
}

/// The whole story of one order.
pub async fn show(ctx: &Ctx<'_>, order_id: i64) -> Result<OrderStory> {
    ctx.require(Permission::ReadOrders)?;
    let db = ctx.db;
    let order = load(&mut Source::Pool(db), order_id, false).await?;
    let c: CustomerRow = db
        .fetch_optional(
            Query::new(
                "SELECT id, email, display_name, status, email_verified_at, locked_until \
                 FROM users WHERE id = ",
            )
            .bind(order.user_id),
            "cannot read the customer",
        )
        .await?
        .ok_or_else(|| Error::NotFound(format!("order {order_id} has no customer")))?;
    let unmasked = ctx.operator.can(Permission::SeeEmails);
    let customer = Customer {
        id: c.id,
        email: if unmasked {
            c.email
        } else {
            mask_email(&c.email)
        },
        email_masked: !unmasked,
        display_name: c.display_name,
        locked: c.status == "locked" || c.locked_until.is_some_and(|t| t > ctx.now),
        status: c.status,
        verified: c.email_verified_at.is_some(),
    };
    let items: Vec<Item> = db
        .fetch_all(
            Query::new(format!(
                "SELECT i.product_id, {} AS sku, p.name, i.quantity, i.unit_price_cents, \
                 i.line_total_cents FROM order_items i JOIN products p ON p.id = i.product_id \
                 WHERE i.order_id = ",
                db.backend().text("p.sku")
            ))
            .bind(order_id)
            .sql(" ORDER BY i.id"),
            "cannot read the order's items",
        )
        .await?;
    let refunds: Vec<Refund> = db
        .fetch_all(
            Query::new("SELECT amount_cents, reason, operator, at FROM refunds WHERE order_id = ")
                .bind(order_id)
                .sql(" ORDER BY at, id"),
            "cannot read the order's refunds",
        )
        .await?;
    let notes: Vec<Note> = db
        .fetch_all(
            Query::new("SELECT at, operator, body FROM order_notes WHERE order_id = ")
                .bind(order_id)
                .sql(" ORDER BY at, id"),
            "cannot read the order's notes",
        )
        .await?;
    let events: Vec<Event> = db
        .fetch_all(
            Query::new(
                "SELECT from_status, to_status, operator, reason, at FROM order_events \
                 WHERE order_id = ",
            )
            .bind(order_id)
            .sql(" ORDER BY at, id"),
            "cannot read the order's history",
        )
        .await?;
    let mut audit = audit::for_entity(db, "order", &order_id.to_string(), AUDIT).await?;
    audit.reverse();
    let notifications = sent_about(ctx, About::Order(&order_id.to_string())).await?;

    let paid = if order.paid_at.is_some() {
        order.total_cents
    } else {
        0
    };
    let refunded: i128 = refunds.iter().map(|r| i128::from(r.amount_cents)).sum();
    let refunded = i64::try_from(refunded).unwrap_or(i64::MAX);
    let mut story = OrderStory {
        totals: check_totals(&order, &items),
        customer,
        items,
        paid_cents: paid,
        refunded_cents: refunded,
        refundable_cents: paid.saturating_sub(refunded).max(0),
        refunds,
        notes,
        notifications,
        timeline: Vec::new(),
        next_status: order.status.next(),
        can_cancel: order.status.can_cancel(),
        order,
    };
    story.timeline = timeline(&story.order, events, &story, audit);
    Ok(story)
}
