//! What a change to an order would do, worked out from the order as read:
//! the preview an operator confirms, and the exact plan a commit applies.

use serde::{Deserialize, Serialize};

use super::lifecycle::{check_move, refusal, OrderStatus};
use super::Order;
use crate::money;
use crate::operators::Permission;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrderChange {
    /// One step along pending → paid → packed → shipped → delivered. A
    /// transition to cancelled is a [`OrderChange::Cancel`].
    Transition { to: OrderStatus },
    /// Cancel a pending, paid or packed order and restock its items.
    Cancel,
    /// Refund part of what was paid, or all that is left when no amount is
    /// given. Refunding all that is left makes the order refunded.
    Refund {
        #[ts(type = "number | null")]
        amount_cents: Option<i64>,
    },
}

impl OrderChange {
    pub(super) fn permission(&self) -> Permission {
        match self {
            OrderChange::Refund { .. } => Permission::Refund,
            _ => Permission::ChangeOrders,
        }
    }

    pub(super) fn audit_name(&self) -> &'static str {
        match self {
            OrderChange::Transition { .. } => "order.transition",
            OrderChange::Cancel => "order.cancel",
            OrderChange::Refund { .. } => "order.refund",
        }
    }

    /// What a change that cannot go without a reason does ("cancel the
    /// order"), for "say why you …"; `None` for a step along the lifecycle.
    pub(super) fn destructive(&self) -> Option<&'static str> {
        match self.clone().normalised() {
            OrderChange::Cancel => Some("cancel the order"),
            OrderChange::Refund { .. } => Some("refund the order"),
            OrderChange::Transition { .. } => None,
        }
    }

    fn normalised(self) -> OrderChange {
        match self {
            OrderChange::Transition {
                to: OrderStatus::Cancelled,
            } => OrderChange::Cancel,
            other => other,
        }
    }
}

/// One product's stock before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StockChange {
    #[ts(type = "number")]
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    /// Units put back on the shelf.
    #[ts(type = "number")]
    pub quantity: i64,
    #[ts(type = "number")]
    pub before: i64,
    #[ts(type = "number")]
    pub after: i64,
}

/// Exactly what a change will do. Committing it applies this and nothing
/// else, or fails with a conflict when the data moved since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Preview {
    #[ts(type = "number")]
    pub order_id: i64,
    /// The order version the preview was made from.
    #[ts(type = "number")]
    pub version: i64,
    pub change: OrderChange,
    pub status_before: OrderStatus,
    pub status_after: OrderStatus,
    /// The timestamp column the change sets to the time of the commit.
    pub sets: Option<String>,
    pub currency: String,
    #[ts(type = "number")]
    pub total_cents: i64,
    /// What the customer paid (the total, once the order was paid).
    #[ts(type = "number")]
    pub paid_cents: i64,
    /// Refunded before this change.
    #[ts(type = "number")]
    pub refunded_cents: i64,
    /// Refunded by this change.
    #[ts(type = "number")]
    pub refund_cents: i64,
    /// Still refundable after this change.
    #[ts(type = "number")]
    pub refundable_after_cents: i64,
    pub stock: Vec<StockChange>,
    /// Things the operator should know before confirming.
    pub warnings: Vec<String>,
    /// The change in one sentence.
    pub summary: String,
}

/// One product on the order: units ordered and the product as it is now.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub stock: i64,
}

/// The order and what a change needs to know about it.
pub(super) struct State {
    pub order: Order,
    pub lines: Vec<Line>,
    pub refunds: Vec<i64>,
}

impl State {
    pub fn paid(&self) -> i64 {
        if self.order.paid_at.is_some() {
            self.order.total_cents
        } else {
            0
        }
    }
}

/// The preview of `change` on `state`, or why the change is not allowed.
pub(super) fn plan(state: &State, change: OrderChange) -> Result<Preview> {
    let change = change.normalised();
    let o = &state.order;
    let cur = o.currency.as_str();
    let paid = state.paid();
    let refunded = money::sum(state.refunds.iter().copied())?;
    let left = paid.saturating_sub(refunded).max(0);
    let mut p = Preview {
        order_id: o.id,
        version: o.version,
        change: change.clone(),
        status_before: o.status,
        status_after: o.status,
        sets: None,
        currency: o.currency.clone(),
        total_cents: o.total_cents,
        paid_cents: paid,
        refunded_cents: refunded,
        refund_cents: 0,
        refundable_after_cents: left,
        stock: Vec::new(),
        warnings: Vec::new(),
        summary: String::new(),
    };
    match change {
        OrderChange::Transition { to } => {
            check_move(o.status, to)?;
            p.status_after = to;
            p.summary = format!("order {} goes from {} to {to}", o.id, o.status);
        }
        OrderChange::Cancel => {
            if let Some(why) = refusal(o.status, OrderStatus::Cancelled) {
                return Err(Error::Validation(why));
            }
            p.status_after = OrderStatus::Cancelled;
            for line in &state.lines {
                if line.quantity <= 0 {
                    p.warnings.push(format!(
                        "{} is on the order with quantity {}: nothing of it is restocked",
                        line.sku, line.quantity
                    ));
                    continue;
                }
                let after = line.stock.checked_add(line.quantity).ok_or_else(|| {
                    Error::validation(format!("the stock of {} would overflow", line.sku))
                })?;
                p.stock.push(StockChange {
                    product_id: line.product_id,
                    sku: line.sku.clone(),
                    name: line.name.clone(),
                    quantity: line.quantity,
                    before: line.stock,
                    after,
                });
            }
            if left > 0 {
                p.warnings.push(format!(
                    "the customer paid {}; cancelling does not refund it: refund it separately",
                    money::format(left, cur)
                ));
            }
            let units: i64 = p.stock.iter().map(|s| s.quantity).sum();
            p.summary = format!(
                "order {} is cancelled and {units} unit{} of {} product{} go back in stock",
                o.id,
                if units == 1 { "" } else { "s" },
                p.stock.len(),
                if p.stock.len() == 1 { "" } else { "s" }
            );
        }
        OrderChange::Refund { amount_cents } => {
            refund_allowed(state, left, refunded)?;
            let amount = amount_cents.unwrap_or(left);
            if amount <= 0 {
                return Err(Error::validation("a refund must be more than zero"));
            }
            if amount > left {
                return Err(Error::validation(format!(
                    "cannot refund {}: only {} of the {} paid is left to refund",
                    money::format(amount, cur),
                    money::format(left, cur),
                    money::format(paid, cur)
                )));
            }
            p.refund_cents = amount;
            p.refundable_after_cents = left - amount;
            if amount == left && o.status != OrderStatus::Cancelled {
                p.status_after = OrderStatus::Refunded;
            }
            p.summary = format!(
                "{} of order {} is refunded{}",
                money::format(amount, cur),
                o.id,
                if p.status_after == OrderStatus::Refunded {
                    "; nothing is left to refund and the order becomes refunded".to_string()
                } else {
                    format!("; {} is left to refund", money::format(left - amount, cur))
                }
            );
        }
    }
    if p.status_after != p.status_before {
        p.sets = p.status_after.stamp_column().map(str::to_string);
    }
    Ok(p)
}

fn refund_allowed(state: &State, left: i64, refunded: i64) -> Result<()> {
    let o = &state.order;
    let cur = o.currency.as_str();
    match o.status {
        OrderStatus::Pending => Err(Error::validation(
            "a pending order has not been paid; cancel it instead",
        )),
        OrderStatus::Refunded => Err(Error::validation(format!(
            "order {} is already refunded in full",
            o.id
        ))),
        _ if o.paid_at.is_none() => Err(Error::validation(format!(
            "order {} was never paid: there is nothing to refund",
            o.id
        ))),
        _ if left == 0 => Err(Error::validation(format!(
            "nothing is left to refund: {} of the {} paid was refunded already",
            money::format(refunded, cur),
            money::format(state.paid(), cur)
        ))),
        _ => Ok(()),
    }
}

/// What differs between the preview the operator saw and the one the data
/// gives now, in words.
pub(super) fn differences(seen: &Preview, now: &Preview) -> Vec<String> {
    let mut out = Vec::new();
    if seen.status_before != now.status_before {
        out.push(format!(
            "the order is now {} (the preview said {})",
            now.status_before, seen.status_before
        ));
    }
    if seen.refundable_after_cents != now.refundable_after_cents
        || seen.refunded_cents != now.refunded_cents
    {
        out.push(format!(
            "{} was refunded meanwhile",
            money::format(now.refunded_cents, &now.currency)
        ));
    }
    for s in &now.stock {
        match seen.stock.iter().find(|x| x.product_id == s.product_id) {
            Some(x) if x == s => {}
            Some(x) => out.push(format!(
                "the stock of {} is now {} (the preview said {})",
                s.sku, s.before, x.before
            )),
            None => out.push(format!("{} is new on the order", s.sku)),
        }
    }
    if out.is_empty() && seen != now {
        out.push("the order's items or amounts changed".into());
    }
    out
}
