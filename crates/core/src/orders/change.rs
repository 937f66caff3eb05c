//! Changing an order: preview, then commit exactly that preview in one
//! transaction with its order event and audit entry, or refuse with a
//! conflict when the order or its products moved since.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::plan::{differences, plan, Line, OrderChange, Preview, State};
use super::{load, Order, OrderStatus};
use crate::db::{Query, Source, WriteTx};
use crate::money;
use crate::reason;
use crate::session::Ctx;
use crate::validation::{Entity, Touched, Watch};
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

/// The order with its products (locked in id order inside a write, so two
/// writers never wait on each other crosswise) and its refunds.
pub(super) async fn load_state(src: &mut Source<'_>, order_id: i64, lock: bool) -> Result<State> {
    let order = load(src, order_id, lock).await?;
    let items: Vec<(i64, i64)> = src
        .fetch_all(
            Query::new("SELECT product_id, quantity FROM order_items WHERE order_id = ")
                .bind(order_id)
                .sql(" ORDER BY id"),
            "cannot read the order's items",
        )
        .await?;
    let mut units: BTreeMap<i64, i64> = BTreeMap::new();
    for (product, qty) in items {
        let u = units.entry(product).or_default();
        *u = u.saturating_add(qty);
    }
    let mut lines = Vec::with_capacity(units.len());
    if !units.is_empty() {
        let sku = src.backend().text("sku");
        let mut q = Query::new(format!(
            "SELECT id, {sku} AS sku, name, stock FROM products WHERE id IN "
        ));
        q.bind_list(units.keys().copied()).sql(" ORDER BY id");
        if lock {
            q.sql(src.backend().for_update());
        }
        let products: Vec<(i64, String, String, i64)> = src
            .fetch_all(&q, "cannot read the order's products")
            .await?;
        for (id, sku, name, stock) in products {
            lines.push(Line {
                product_id: id,
                sku,
                name,
                quantity: units.get(&id).copied().unwrap_or(0),
                stock,
            });
        }
    }
    let refunds: Vec<(i64,)> = src
        .fetch_all(
            Query::new("SELECT amount_cents FROM refunds WHERE order_id = ").bind(order_id),
            "cannot read the order's refunds",
        )
        .await?;
    Ok(State {
        order,
        lines,
        refunds: refunds.into_iter().map(|(a,)| a).collect(),
    })
}

fn stale(order: &Order, seen: i64) -> Error {
    let what = format!("order {}", order.id);
    let state = format!("status {}", order.status);
    Error::stale(&what, seen, order.version, &state, order)
}

/// What `change` would do to the order, if it is still at `version`.
/// Nothing is written, so a preview also works on a read-only profile.
pub async fn preview(
    ctx: &Ctx<'_>,
    order_id: i64,
    version: i64,
    change: OrderChange,
) -> Result<Preview> {
    ctx.require(change.permission())?;
    let state = load_state(&mut Source::Pool(ctx.db), order_id, false).await?;
    if state.order.version != version {
        return Err(stale(&state.order, version));
    }
    plan(&state, change)
}

/// Applies a preview the operator confirmed: exactly what it shows, or a
/// conflict (with the preview as it would be now) when anything moved.
pub async fn commit(ctx: &Ctx<'_>, seen: &Preview, reason: Option<&str>) -> Result<Order> {
    run(
        ctx,
        seen.order_id,
        seen.version,
        seen.change.clone(),
        Some(seen),
        reason,
    )
    .await
}

/// Plans and applies a change in one go, if the order is still at `version`.
pub async fn apply(
    ctx: &Ctx<'_>,
    order_id: i64,
    version: i64,
    change: OrderChange,
    reason: Option<&str>,
) -> Result<Order> {
    run(ctx, order_id, version, change, None, reason).await
}

async fn run(
    ctx: &Ctx<'_>,
    order_id: i64,
    version: i64,
    change: OrderChange,
    seen: Option<&Preview>,
    reason: Option<&str>,
) -> Result<Order> {
    ctx.require(change.permission())?;
    let edit = OrderEdit {
        order_id,
        version,
        change,
        seen,
        reason,
    };
    write::apply(ctx, &edit).await
}

/// An order change, as the write path runs it.
struct OrderEdit<'a> {
    order_id: i64,
    version: i64,
    change: OrderChange,
    /// The preview the operator confirmed, when there was one.
    seen: Option<&'a Preview>,
    reason: Option<&'a str>,
}

impl Edit for OrderEdit<'_> {
    const DOING: &'static str = "change an order";
    type State = State;
    /// The change as planned now, and its reason.
    type Plan = (Preview, Option<String>);
    type Done = Order;

    async fn read(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<State> {
        let state = load_state(&mut Source::Tx(tx), self.order_id, true).await?;
        if state.order.version != self.version {
            return Err(stale(&state.order, self.version));
        }
        Ok(state)
    }

    fn plan(&self, _: &Ctx<'_>, state: &State) -> Result<Self::Plan> {
        let planned = plan(state, self.change.clone())?;
        if let Some(seen) = self.seen.filter(|s| **s != planned) {
            return Err(Error::Stale {
                message: format!(
                    "order {} changed since the preview ({}); nothing was written — review \
                     the new preview and confirm again",
                    self.order_id,
                    differences(seen, &planned).join("; ")
                ),
                current: serde_json::to_value(&planned).unwrap_or(Value::Null),
            });
        }
        // Checked after the plan, so a move the lifecycle refuses says so first.
        let reason = match self.change.destructive() {
            Some(doing) => Some(reason::required(doing, self.reason)?),
            None => reason::optional(self.reason)?,
        };
        Ok((planned, reason))
    }

    fn touched(&self, _: &State, (planned, _): &Self::Plan) -> Option<Watch<'_>> {
        Some(Watch::Reference(Touched {
            orders: vec![self.order_id],
            products: planned.stock.iter().map(|s| s.product_id).collect(),
            ..Touched::default()
        }))
    }

    async fn write(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx<'_>,
        state: &State,
        (planned, reason): &Self::Plan,
    ) -> Result<Entry> {
        write_change(ctx, tx, planned, reason.as_deref()).await?;
        let (before, after) = audit_values(state, planned, ctx.now);
        Ok(Entry {
            action: planned.change.audit_name(),
            entity: Entity::Order,
            id: self.order_id.to_string(),
            before,
            after,
            reason: reason.clone(),
        })
    }

    async fn after(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<Order> {
        load(&mut Source::Tx(tx), self.order_id, false).await
    }
}

/// The writes of a planned change, inside the caller's transaction.
async fn write_change(
    ctx: &Ctx<'_>,
    tx: &mut WriteTx,
    p: &Preview,
    reason: Option<&str>,
) -> Result<()> {
    let now = ctx.now;
    let who = ctx.operator.username();
    let id = p.order_id;
    let mut q = Query::new("UPDATE orders SET status = ");
    q.bind(p.status_after.as_str());
    if let Some(col) = &p.sets {
        q.sql(format!(", {col} = ")).bind(now);
    }
    q.sql(", version = version + 1, updated_at = ")
        .bind(now)
        .sql(" WHERE id = ")
        .bind(id)
        .sql(" AND version = ")
        .bind(p.version);
    if tx.execute(&q, "cannot update the order").await? != 1 {
        return Err(Error::Conflict(format!(
            "order {id} changed while it was being updated; nothing was written, try again"
        )));
    }
    for s in &p.stock {
        let mut q = Query::new("UPDATE products SET stock = ");
        q.bind(s.after)
            .sql(", version = version + 1, updated_at = ")
            .bind(now)
            .sql(" WHERE id = ")
            .bind(s.product_id)
            .sql(" AND stock = ")
            .bind(s.before);
        if tx.execute(&q, "cannot restock a product").await? != 1 {
            return Err(Error::Conflict(format!(
                "the stock of {} changed while the order was being cancelled; nothing was \
                 written, try again",
                s.sku
            )));
        }
    }
    let cur = p.currency.as_str();
    if p.refund_cents > 0 {
        tx.execute(
            Query::new(
                "INSERT INTO refunds (order_id, amount_cents, reason, operator, at) VALUES (",
            )
            .bind(id)
            .sql(", ")
            .bind(p.refund_cents)
            .sql(", ")
            .bind(reason.unwrap_or_default())
            .sql(", ")
            .bind(who)
            .sql(", ")
            .bind(now)
            .sql(")"),
            "cannot record the refund",
        )
        .await?;
    }
    let event_reason = match (p.refund_cents, reason) {
        (0, r) => r.map(str::to_string),
        (amount, Some(r)) => Some(format!("refund of {}: {r}", money::format(amount, cur))),
        (amount, None) => Some(format!("refund of {}", money::format(amount, cur))),
    };
    tx.execute(
        Query::new(
            "INSERT INTO order_events (order_id, from_status, to_status, operator, reason, at) \
             VALUES (",
        )
        .bind(id)
        .sql(", ")
        .bind(p.status_before.as_str())
        .sql(", ")
        .bind(p.status_after.as_str())
        .sql(", ")
        .bind(who)
        .sql(", ")
        .bind(event_reason)
        .sql(", ")
        .bind(now)
        .sql(")"),
        "cannot record the order event",
    )
    .await?;
    Ok(())
}

/// The fields a change touched, before and after, for the audit log.
fn audit_values(
    state: &State,
    p: &Preview,
    now: chrono::DateTime<chrono::Utc>,
) -> (Map<String, Value>, Map<String, Value>) {
    let (mut before, mut after) = (Map::new(), Map::new());
    before.insert("status".into(), json!(p.status_before));
    after.insert("status".into(), json!(p.status_after));
    before.insert("version".into(), json!(p.version));
    after.insert("version".into(), json!(p.version + 1));
    if let Some(col) = &p.sets {
        let old = match p.status_after {
            OrderStatus::Paid => state.order.paid_at,
            OrderStatus::Packed => state.order.packed_at,
            OrderStatus::Shipped => state.order.shipped_at,
            OrderStatus::Delivered => state.order.delivered_at,
            OrderStatus::Cancelled => state.order.cancelled_at,
            OrderStatus::Refunded => state.order.refunded_at,
            OrderStatus::Pending => None,
        };
        before.insert(col.clone(), json!(old));
        after.insert(col.clone(), json!(now));
    }
    if p.refund_cents > 0 {
        before.insert("refunded_cents".into(), json!(p.refunded_cents));
        after.insert(
            "refunded_cents".into(),
            json!(p.refunded_cents + p.refund_cents),
        );
    }
    if !p.stock.is_empty() {
        let stock = |f: fn(&super::StockChange) -> i64| -> Value {
            p.stock
                .iter()
                .map(|s| (s.sku.clone(), json!(f(s))))
                .collect::<Map<String, Value>>()
                .into()
        };
        before.insert("stock".into(), stock(|s| s.before));
        after.insert("stock".into(), stock(|s| s.after));
    }
    (before, after)
}
