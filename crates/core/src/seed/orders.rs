//! Demo orders with their items, status history, notes and refunds.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{CURRENCIES, NOTES};
use super::plan::{assign, mix};
use super::products::Shelves;
use super::users::UserFacts;
use super::writer::{Batch, Value};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum OrderKind {
    TotalMismatch,
    SubtotalMismatch,
    LineTotalMismatch,
    BadQuantity,
    NoItems,
    PaidNotShipped,
    TimestampsOutOfOrder,
    RefundExceedsPaid,
    DisabledUser,
}

const KINDS: &[(OrderKind, f64)] = &[
    (OrderKind::TotalMismatch, 0.001),
    (OrderKind::SubtotalMismatch, 0.001),
    (OrderKind::LineTotalMismatch, 0.001),
    (OrderKind::BadQuantity, 0.0005),
    (OrderKind::NoItems, 0.0005),
    (OrderKind::PaidNotShipped, 0.001),
    (OrderKind::TimestampsOutOfOrder, 0.0005),
    (OrderKind::RefundExceedsPaid, 0.0005),
    (OrderKind::DisabledUser, 0.0005),
];

impl OrderKind {
    pub(crate) fn defect(self) -> &'static str {
        match self {
            OrderKind::TotalMismatch => "orders.total_mismatch",
            OrderKind::SubtotalMismatch => "orders.subtotal_mismatch",
            OrderKind::LineTotalMismatch => "orders.line_total_mismatch",
            OrderKind::BadQuantity => "orders.bad_quantity",
            OrderKind::NoItems => "orders.no_items",
            OrderKind::PaidNotShipped => "orders.paid_not_shipped",
            OrderKind::TimestampsOutOfOrder => "orders.timestamps_out_of_order",
            OrderKind::RefundExceedsPaid => "orders.refund_exceeds_paid",
            OrderKind::DisabledUser => "orders.disabled_user",
        }
    }
}

pub(crate) fn plan(
    rng: &mut ChaCha8Rng,
    n: u64,
) -> (HashMap<u64, OrderKind>, Vec<(OrderKind, u64)>) {
    assign(rng, n, KINDS)
}

pub(crate) struct OrderBatches {
    pub orders: Batch,
    pub items: Batch,
    pub events: Batch,
    pub notes: Batch,
    pub refunds: Batch,
}

impl OrderBatches {
    pub(crate) fn new() -> Self {
        OrderBatches {
            orders: Batch::new(
                "orders",
                &[
                    "id",
                    "user_id",
                    "status",
                    "currency",
                    "subtotal_cents",
                    "shipping_cents",
                    "discount_cents",
                    "tax_cents",
                    "total_cents",
                    "placed_at",
                    "paid_at",
                    "packed_at",
                    "shipped_at",
                    "delivered_at",
                    "cancelled_at",
                    "refunded_at",
                    "created_at",
                    "updated_at",
                    "version",
                ],
            ),
            items: Batch::new(
                "order_items",
                &[
                    "order_id",
                    "product_id",
                    "quantity",
                    "unit_price_cents",
                    "line_total_cents",
                ],
            ),
            events: Batch::new(
                "order_events",
                &[
                    "order_id",
                    "from_status",
                    "to_status",
                    "operator",
                    "reason",
                    "at",
                ],
            ),
            notes: Batch::new("order_notes", &["order_id", "operator", "body", "at"]),
            refunds: Batch::new(
                "refunds",
                &["order_id", "amount_cents", "reason", "operator", "at"],
            ),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Batch> {
        vec![
            self.orders,
            self.items,
            self.events,
            self.notes,
            self.refunds,
        ]
    }
}

const DAY: i64 = 86_400;

/// The path an order took, as its final status.
fn draw_status(rng: &mut ChaCha8Rng) -> &'static str {
    match rng.gen_range(0..100) {
        0..=5 => "pending",
        6..=11 => "paid",
        12..=15 => "packed",
        16..=25 => "shipped",
        26..=85 => "delivered",
        86..=94 => "cancelled",
        _ => "refunded",
    }
}

/// What generating orders draws on, owned so it can move to the generator.
pub(crate) struct Context {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub kinds: HashMap<u64, OrderKind>,
    pub users: UserFacts,
    pub disabled_users: Vec<u64>,
    pub shelves: Shelves,
}

pub(crate) fn generate(ctx: &Context, rows: RangeInclusive<u64>, out: &mut OrderBatches) {
    let n_users = ctx.users.created.len() as u64;
    for row in rows {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(ctx.seed, row, 3));
        let kind = ctx.kinds.get(&row).copied();
        let id = row as i64;
        let mut status = draw_status(&mut rng);
        // Disabled accounts place no orders, except the planted ones.
        let user = match kind {
            Some(OrderKind::DisabledUser) if !ctx.disabled_users.is_empty() => {
                status = "pending";
                ctx.disabled_users[rng.gen_range(0..ctx.disabled_users.len())]
            }
            _ => loop {
                let u = rng.gen_range(1..=n_users);
                if !ctx.users.disabled[(u - 1) as usize] {
                    break u;
                }
            },
        };
        match kind {
            Some(OrderKind::PaidNotShipped) => status = "paid",
            Some(OrderKind::TimestampsOutOfOrder) => status = "delivered",
            Some(OrderKind::RefundExceedsPaid) => status = "refunded",
            _ => {}
        }
        let joined = ctx.users.created[(user - 1) as usize];
        let now = ctx.now;
        let placed = match (status, kind) {
            (_, Some(OrderKind::PaidNotShipped)) => {
                now - Duration::seconds(rng.gen_range(20 * DAY..=90 * DAY))
            }
            ("pending" | "paid" | "packed", _) => now - Duration::seconds(rng.gen_range(600..=DAY)),
            ("shipped", _) => now - Duration::seconds(rng.gen_range(2 * DAY..=6 * DAY)),
            _ => {
                let latest = now - Duration::days(10);
                let start = joined.min(latest);
                start + Duration::seconds(rng.gen_range(0..=(latest - start).num_seconds()))
            }
        };
        let stocked = |c: &&str| ctx.shelves.get(*c).is_some_and(|s| !s.is_empty());
        let wanted = CURRENCIES[match rng.gen_range(0..10) {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        }];
        let currency = Some(wanted)
            .filter(stocked)
            .or_else(|| CURRENCIES.iter().copied().find(stocked))
            .unwrap_or(wanted);
        let shelf = ctx.shelves.get(currency).map(Vec::as_slice).unwrap_or(&[]);

        // Items and money, then the planted inconsistency if any.
        let item_count = if kind == Some(OrderKind::NoItems) || shelf.is_empty() {
            0
        } else {
            rng.gen_range(1..=4)
        };
        let mut lines: Vec<(i64, i64, i64, i64)> = (0..item_count)
            .map(|_| {
                let (product, price) = shelf[rng.gen_range(0..shelf.len())];
                let qty = rng.gen_range(1..=3);
                (product, qty, price, qty * price)
            })
            .collect();
        match (kind, lines.first_mut()) {
            (Some(OrderKind::LineTotalMismatch), Some(line)) => line.3 += rng.gen_range(1..=999),
            (Some(OrderKind::BadQuantity), Some(line)) => {
                line.1 = -(row as i64 % 2);
                line.3 = line.1 * line.2;
            }
            _ => {}
        }
        let mut subtotal: i64 = lines.iter().map(|l| l.3).sum();
        if kind == Some(OrderKind::SubtotalMismatch) {
            subtotal += rng.gen_range(1..=999);
        }
        let shipping = if subtotal >= 5_000 || item_count == 0 {
            0
        } else {
            499
        };
        let discount = if rng.gen_bool(0.1) { subtotal / 10 } else { 0 };
        let tax = (subtotal - discount) * 8 / 100;
        let mut total = subtotal + shipping + tax - discount;
        if kind == Some(OrderKind::TotalMismatch) {
            total += rng.gen_range(1..=999);
        }

        // Timestamps along the path, never in the future.
        let step = |from: DateTime<Utc>, range: RangeInclusive<i64>, rng: &mut ChaCha8Rng| {
            (from + Duration::seconds(rng.gen_range(range))).min(now)
        };
        let reached = |s: &str| {
            let order = ["pending", "paid", "packed", "shipped", "delivered"];
            let at = |x: &str| order.iter().position(|o| *o == x);
            match status {
                "refunded" => true,
                "cancelled" => false,
                _ => at(status) >= at(s),
            }
        };
        let cancelled_after_payment = status == "cancelled" && rng.gen_bool(0.4);
        let paid = (reached("paid") || cancelled_after_payment)
            .then(|| step(placed, 60..=1_800, &mut rng));
        let packed = paid
            .filter(|_| reached("packed"))
            .map(|p| step(p, 3_600..=20 * 3_600, &mut rng));
        let mut shipped = packed
            .filter(|_| reached("shipped"))
            .map(|p| step(p, 3_600..=DAY, &mut rng));
        let delivered = shipped
            .filter(|_| reached("delivered"))
            .map(|s| step(s, DAY..=5 * DAY, &mut rng));
        if kind == Some(OrderKind::TimestampsOutOfOrder) {
            shipped = paid.map(|p| p - Duration::seconds(rng.gen_range(3_600..=2 * DAY)));
        }
        let cancelled =
            (status == "cancelled").then(|| step(paid.unwrap_or(placed), 600..=DAY, &mut rng));
        let refunded = (status == "refunded")
            .then(|| step(delivered.unwrap_or(placed), DAY..=14 * DAY, &mut rng));
        let last = [
            Some(placed),
            paid,
            packed,
            shipped,
            delivered,
            cancelled,
            refunded,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(placed);

        out.orders.push(vec![
            Value::Int(id),
            Value::Int(user as i64),
            Value::Text(status.into()),
            Value::Text(currency.into()),
            Value::Int(subtotal),
            Value::Int(shipping),
            Value::Int(discount),
            Value::Int(tax),
            Value::Int(total),
            Value::Time(placed),
            Value::OptTime(paid),
            Value::OptTime(packed),
            Value::OptTime(shipped),
            Value::OptTime(delivered),
            Value::OptTime(cancelled),
            Value::OptTime(refunded),
            Value::Time(placed),
            Value::Time(last),
            Value::Int(1),
        ]);
        for (product, qty, price, line) in lines {
            out.items.push(vec![
                Value::Int(id),
                Value::Int(product),
                Value::Int(qty),
                Value::Int(price),
                Value::Int(line),
            ]);
        }
        let mut event = |from: Option<&str>, to: &str, at: DateTime<Utc>, who: &str| {
            out.events.push(vec![
                Value::Int(id),
                Value::OptText(from.map(str::to_string)),
                Value::Text(to.into()),
                Value::Text(who.into()),
                Value::OptText(None),
                Value::Time(at),
            ]);
        };
        event(None, "pending", placed, "system");
        let mut prev = "pending";
        for (to, at) in [
            ("paid", paid),
            ("packed", packed),
            ("shipped", shipped),
            ("delivered", delivered),
        ] {
            if let Some(at) = at {
                event(Some(prev), to, at, "system");
                prev = to;
            }
        }
        if let Some(at) = cancelled {
            event(Some(prev), "cancelled", at, "support");
        }
        if let Some(at) = refunded {
            event(Some(prev), "refunded", at, "admin");
            let mut refund = |amount: i64, reason: &str| {
                out.refunds.push(vec![
                    Value::Int(id),
                    Value::Int(amount),
                    Value::Text(reason.into()),
                    Value::Text("admin".into()),
                    Value::Time(at),
                ]);
            };
            refund(total, "returned by customer");
            if kind == Some(OrderKind::RefundExceedsPaid) {
                refund(rng.gen_range(100..=5_000), "goodwill");
            }
        } else if status == "delivered" && total > 100 && rng.gen_bool(0.03) {
            out.refunds.push(vec![
                Value::Int(id),
                Value::Int(total / rng.gen_range(2..=10)),
                Value::Text("item damaged in transit".into()),
                Value::Text("admin".into()),
                Value::Time(step(delivered.unwrap_or(placed), DAY..=7 * DAY, &mut rng)),
            ]);
        }
        if rng.gen_bool(0.04) {
            out.notes.push(vec![
                Value::Int(id),
                Value::Text("support".into()),
                Value::Text(NOTES[rng.gen_range(0..NOTES.len())].into()),
                Value::Time(step(placed, 600..=2 * DAY, &mut rng)),
            ]);
        }
    }
}
