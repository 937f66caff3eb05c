//! Refunds of a mapped back end's orders: a row of the back end's refund
//! table where the mapping names one (the amount in its money form), else a
//! row of the console's own `backoffice_refunds`, labelled as kept by the
//! console. A refund is for admins, needs a reason, may not exceed what is
//! left to refund, and runs through the one write path: the order read
//! under lock at the version the operator saw, the refund and its audit
//! entry in one transaction. Refunding all that is left moves the order to
//! the lifecycle's refunded status where the lifecycle has one.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::{json, Map};

use super::change::move_status;
use super::keys::Keys;
use super::preview::{MappedPreview, RefundPreview};
use super::story::{locked_as_seen, order_row};
use super::{present, shop_of, MappedOrder};
use crate::db::{Backend, Query, Source, WriteTx};
use crate::mapping::query::{framework_time, Insert, Sql};
use crate::mapping::{Mapping, Money};
use crate::money;
use crate::operators::Permission;
use crate::reason;
use crate::session::Ctx;
use crate::validation::mapped::{Guarded, Records};
use crate::validation::{Entity, Watch};
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

/// One refund, wherever it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedRefund {
    /// In minor units of the order's currency.
    #[ts(type = "number")]
    pub amount: i64,
    pub reason: String,
    pub operator: String,
    pub at: Option<DateTime<Utc>>,
    /// True for a refund the console keeps because the back end has no
    /// refund records.
    pub kept_by_console: bool,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    amount: Option<String>,
    reason: Option<String>,
    operator: Option<String>,
    at: Option<i64>,
}

/// The order's refunds, oldest first.
pub(crate) async fn refunds_of(
    src: &mut Source<'_>,
    m: &Mapping,
    keys: &Keys,
    order: &MappedOrder,
) -> Result<Vec<MappedRefund>> {
    let s = Sql { b: src.backend() };
    let opt = |c: &Option<String>| {
        c.as_deref()
            .map_or("NULL".into(), |c| s.text(&s.on("r", c)))
    };
    let (q, console) = match (&m.refunds, &keys.refunds) {
        (Some(r), Some(key)) => {
            let mut q = Query::new(format!(
                "SELECT {} AS amount, {} AS reason, {} AS operator, {} AS at FROM {} r WHERE {} = ",
                s.text(&s.on("r", &r.amount)),
                opt(&r.reason),
                opt(&r.operator),
                s.epoch(&s.on("r", &r.at)),
                s.refunds(r, m.money()),
                key.expr
            ));
            key.bind(&mut q, s.b, &order.key)?;
            q.sql(format!(" ORDER BY {}", s.on("r", &r.at)));
            (q, false)
        }
        _ => {
            let mut q = Query::new(format!(
                "SELECT {} AS amount, reason, operator, {} AS at FROM backoffice_refunds \
                 WHERE order_key = ",
                s.text("amount_minor"),
                s.epoch("at")
            ));
            q.bind(order.key.as_str()).sql(" ORDER BY id");
            (q, true)
        }
    };
    let rows: Vec<RefundRow> = src.fetch_all(&q, "cannot read the order's refunds").await?;
    rows.into_iter()
        .map(|r| {
            let text = r.amount.unwrap_or_default();
            let amount = if console {
                text.trim().parse::<i64>().map_err(|e| e.to_string())
            } else {
                money::stored(&text, &order.currency)
            }
            .map_err(|why| Error::validation(format!("a refund of this order: {why}")))?;
            Ok(MappedRefund {
                amount,
                reason: r.reason.unwrap_or_default(),
                operator: r.operator.unwrap_or_default(),
                at: r.at.and_then(|t| Utc.timestamp_opt(t, 0).single()),
                kept_by_console: console,
            })
        })
        .collect()
}

struct RefundEdit<'a> {
    m: &'a Mapping,
    keys: Keys,
    rules: Guarded<'a>,
    id: &'a str,
    seen: &'a str,
    amount: Option<i64>,
    reason: String,
}

struct Plan {
    amount: i64,
    /// The refunded status the order moves to, when this refunds it all.
    to: Option<String>,
}

/// Refunds `amount` (minor units; all that is left when `None`) of the
/// order with this number or key, as it was at `seen`.
pub async fn refund(
    ctx: &Ctx<'_>,
    m: &Mapping,
    id: &str,
    seen: &str,
    amount: Option<i64>,
    why: Option<&str>,
) -> Result<Vec<MappedRefund>> {
    ctx.require(Permission::Refund)?;
    let reason = reason::required("refund an order", why)?;
    let edit = RefundEdit::new(ctx, m, (id, seen), amount, reason).await?;
    write::apply(ctx, &edit).await
}

/// What refunding would do, written nowhere: read and planned exactly as
/// [`refund`] reads and plans it (the same lock, version check and
/// refusals); a reason is asked for only when it is done.
pub async fn refund_preview(
    ctx: &Ctx<'_>,
    m: &Mapping,
    id: &str,
    seen: &str,
    amount: Option<i64>,
) -> Result<MappedPreview> {
    ctx.require(Permission::Refund)?;
    let edit = RefundEdit::new(ctx, m, (id, seen), amount, String::new()).await?;
    let ((order, refunds), plan) = write::plan_only(ctx, &edit).await?;
    let refunded = money::sum(refunds.iter().map(|r| r.amount))?;
    // Planned, so the total was read exactly.
    let total = order.total.unwrap_or_default();
    Ok(MappedPreview {
        status_after: plan.to.unwrap_or_else(|| order.status.clone()),
        number: order.number,
        status_before: order.status,
        stock: Vec::new(),
        refund: Some(RefundPreview {
            currency: order.currency,
            amount: plan.amount,
            refunded_before: refunded,
            refundable_after: total - refunded - plan.amount,
            kept_by_console: m.refunds.is_none(),
        }),
    })
}

impl<'a> RefundEdit<'a> {
    async fn new(
        ctx: &Ctx<'_>,
        m: &'a Mapping,
        (id, seen): (&'a str, &'a str),
        amount: Option<i64>,
        reason: String,
    ) -> Result<RefundEdit<'a>> {
        Ok(RefundEdit {
            m,
            keys: Keys::of(ctx, m).await?,
            rules: Guarded::read(ctx.db, m).await?,
            id,
            seen,
            amount,
            reason,
        })
    }
}

impl Edit for RefundEdit<'_> {
    const DOING: &'static str = "refund an order";
    type State = (MappedOrder, Vec<MappedRefund>);
    type Plan = Plan;
    type Done = Vec<MappedRefund>;

    async fn read(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<Self::State> {
        let mut src = Source::Tx(tx);
        let order = locked_as_seen(&mut src, self.m, &self.keys, self.id, self.seen).await?;
        let refunds = refunds_of(&mut src, self.m, &self.keys, &order).await?;
        Ok((order, refunds))
    }

    fn plan(&self, _: &Ctx<'_>, (order, refunds): &Self::State) -> Result<Plan> {
        let (_, lifecycle) = shop_of(self.m)?;
        if let Some(why) = &lifecycle.changed_elsewhere {
            return Err(Error::validation(why.clone()));
        }
        if !lifecycle.refundable.contains(&order.status) {
            return Err(Error::validation(format!(
                "a {} order cannot be refunded in this shop's lifecycle",
                order.status
            )));
        }
        let total = order.total.ok_or_else(|| {
            Error::validation(format!(
                "order {}'s total cannot be read exactly, so what is left to refund is unknown",
                order.number
            ))
        })?;
        let refunded = money::sum(refunds.iter().map(|r| r.amount))?;
        let left = total - refunded;
        let cur = &order.currency;
        let amount = self.amount.unwrap_or(left);
        if left <= 0 {
            return Err(Error::validation(format!(
                "order {} is refunded in full already ({})",
                order.number,
                money::format(refunded, cur)
            )));
        }
        if amount <= 0 || amount > left {
            return Err(Error::validation(format!(
                "refund between {} and {} (what is left of {})",
                money::format(1, cur),
                money::format(left, cur),
                money::format(total, cur)
            )));
        }
        // A refunded status is reached by refunding, not by a move.
        let to = (amount == left)
            .then(|| lifecycle.refunded.first().cloned())
            .flatten();
        Ok(Plan { amount, to })
    }

    fn touched(&self, (order, _): &Self::State, _: &Plan) -> Option<Watch<'_>> {
        let records = Records {
            orders: vec![order.key.clone()],
            ..Records::default()
        };
        Some(Watch::Mapped(&self.rules, records))
    }

    async fn write(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx<'_>,
        (order, _): &Self::State,
        plan: &Plan,
    ) -> Result<Entry> {
        let s = Sql { b: tx.backend() };
        let now = framework_time(s.b, ctx.now);
        let who = ctx.operator.username();
        let cur = order.currency.as_str();
        let q = match (&self.m.refunds, &self.keys.refunds) {
            (Some(r), Some(key)) => {
                let money_form = shop_of(self.m)?.0.money;
                let mut row = Insert::into(s, &r.table);
                key.bind(row.col(&r.order), s.b, &order.key)?;
                let amount = row.col(&r.amount);
                match money_form {
                    Money::Minor => amount.bind(plan.amount),
                    Money::Decimal if s.b == Backend::Postgres => amount
                        .sql("CAST(")
                        .bind(money::decimal(plan.amount, cur))
                        .sql(" AS NUMERIC)"),
                    Money::Decimal => amount.bind(money::decimal(plan.amount, cur)),
                };
                row.set(&r.at, now)
                    .set_opt(&r.reason, self.reason.as_str())
                    .set_opt(&r.operator, who)
                    .fixed(&r.fixed);
                row.query()
            }
            _ => {
                let mut q = Query::new(
                    "INSERT INTO backoffice_refunds (order_key, amount_minor, currency, reason, \
                     operator, at) VALUES (",
                );
                q.bind(order.key.as_str())
                    .sql(", ")
                    .bind(plan.amount)
                    .sql(", ")
                    .bind(cur)
                    .sql(", ")
                    .bind(self.reason.as_str())
                    .sql(", ")
                    .bind(who)
                    .sql(", ")
                    .bind(ctx.now)
                    .sql(")");
                q
            }
        };
        tx.execute(&q, "cannot record the refund").await?;
        if let Some(to) = &plan.to {
            move_status(tx, ctx, self.m, &self.keys, order, to, Some(&self.reason)).await?;
        }
        let mut after = Map::new();
        after.insert("refund".into(), json!(money::format(plan.amount, cur)));
        if self.m.refunds.is_none() {
            after.insert("kept_by".into(), json!("console"));
        }
        let mut before = Map::new();
        if let Some(to) = &plan.to {
            before.insert("status".into(), json!(order.status));
            after.insert("status".into(), json!(to));
        }
        Ok(Entry {
            action: "order.refund",
            entity: Entity::Order,
            id: order.key.clone(),
            before,
            after,
            reason: Some(self.reason.clone()),
        })
    }

    async fn after(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<Vec<MappedRefund>> {
        let (o, _) = shop_of(self.m)?;
        let s = Sql { b: tx.backend() };
        let mut src = Source::Tx(tx);
        let row = order_row(&mut src, &s, self.m, &self.keys, self.id, false).await?;
        refunds_of(&mut src, self.m, &self.keys, &present(o, row, true)).await
    }
}
