//! Moving a mapped back end's order along its declared lifecycle, and
//! cancelling it, written as the back end's framework writes them: the
//! status word (and a move's timestamp column), a row of the back end's
//! status history where it keeps one, and on cancel the stock of each line
//! given back the way the mapping declares (django-oscar releases the
//! allocation: the line's and the stock record's `num_allocated` go down,
//! as Oscar's `cancel_stock_allocations` does). All through the one write
//! path: read under lock, compare with the version the operator saw,
//! write, audit, in one transaction.

use serde_json::{json, Map, Value};

use super::keys::Keys;
use super::story::{locked_as_seen, order_row};
use super::{present, shop_of, MappedOrder};
use crate::db::{Query, Source, WriteTx};
use crate::mapping::query::{framework_time, Insert, Key, Sql};
use crate::mapping::{Mapping, OnCancel};
use crate::operators::Permission;
use crate::reason;
use crate::session::Ctx;
use crate::validation::mapped::{Guarded, Records};
use crate::validation::{Entity, Watch};
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

/// A change to one mapped order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MappedChange {
    /// To this status word, as the lifecycle allows.
    Transition { to: String },
    /// To the lifecycle's cancelled status, stock given back.
    Cancel,
}

pub(super) struct OrderEdit<'a> {
    m: &'a Mapping,
    keys: Keys,
    rules: Guarded<'a>,
    id: &'a str,
    seen: &'a str,
    change: MappedChange,
    reason: Option<String>,
}

pub(super) struct Plan {
    pub(super) to: String,
    /// The lines whose stock a cancel gives back.
    pub(super) stock: Vec<LineStock>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct LineStock {
    pub(super) line: String,
    pub(super) stock: Option<String>,
    pub(super) quantity: i64,
    pub(super) allocated: Option<i64>,
    cancelled: Option<i64>,
}

/// Applies `change` to the order with this number or key, as it was at
/// `seen` (the version `orders show` printed).
pub async fn apply(
    ctx: &Ctx<'_>,
    m: &Mapping,
    id: &str,
    seen: &str,
    change: MappedChange,
    why: Option<&str>,
) -> Result<MappedOrder> {
    ctx.require(Permission::ChangeOrders)?;
    let reason = match change {
        MappedChange::Cancel => Some(reason::required("cancel an order", why)?),
        MappedChange::Transition { .. } => reason::optional(why)?,
    };
    let edit = OrderEdit::new(ctx, m, id, seen, change, reason).await?;
    write::apply(ctx, &edit).await
}

impl<'a> OrderEdit<'a> {
    pub(super) async fn new(
        ctx: &Ctx<'_>,
        m: &'a Mapping,
        id: &'a str,
        seen: &'a str,
        change: MappedChange,
        reason: Option<String>,
    ) -> Result<OrderEdit<'a>> {
        Ok(OrderEdit {
            m,
            keys: Keys::of(ctx, m).await?,
            rules: Guarded::read(ctx.db, m).await?,
            id,
            seen,
            change,
            reason,
        })
    }

    /// The order as the change left it.
    async fn reread(&self, tx: &mut WriteTx) -> Result<MappedOrder> {
        let (o, _) = shop_of(self.m)?;
        let s = Sql { b: tx.backend() };
        let mut src = Source::Tx(tx);
        let row = order_row(&mut src, &s, self.m, &self.keys, self.id, false).await?;
        Ok(present(o, row, true))
    }
}

impl Edit for OrderEdit<'_> {
    const DOING: &'static str = "change an order";
    type State = (MappedOrder, Vec<LineStock>);
    type Plan = Plan;
    type Done = MappedOrder;

    async fn read(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<Self::State> {
        let order =
            locked_as_seen(&mut Source::Tx(tx), self.m, &self.keys, self.id, self.seen).await?;
        let stock = line_stock(tx, self.m, &self.keys, &order).await?;
        Ok((order, stock))
    }

    fn plan(&self, _: &Ctx<'_>, (order, lines): &Self::State) -> Result<Plan> {
        let (_, lifecycle) = shop_of(self.m)?;
        if let Some(why) = &lifecycle.changed_elsewhere {
            return Err(Error::validation(why.clone()));
        }
        let from = order.status.as_str();
        let to = match &self.change {
            MappedChange::Transition { to } => {
                if lifecycle.cancelled.contains(to) {
                    return Err(Error::validation(format!(
                        "'{to}' cancels the order: use cancel, which gives its stock back"
                    )));
                }
                to.clone()
            }
            MappedChange::Cancel => {
                let allowed = lifecycle
                    .moves
                    .get(from)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                match lifecycle.cancelled.iter().find(|c| allowed.contains(c)) {
                    Some(c) => c.clone(),
                    None if lifecycle.cancelled.iter().any(|c| c == from) => {
                        return Err(Error::validation(format!(
                            "order {} is already {from}",
                            order.number
                        )))
                    }
                    None => {
                        return Err(Error::validation(format!(
                            "a {from} order cannot be cancelled in this shop's lifecycle"
                        )))
                    }
                }
            }
        };
        if let Some(why) = lifecycle.refusal(from, &to) {
            return Err(Error::validation(why));
        }
        let stock = match self.change {
            MappedChange::Cancel if self.m.stock.is_some() => lines
                .iter()
                .filter(|l| l.cancelled.unwrap_or(0) == 0)
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        Ok(Plan { to, stock })
    }

    /// The order, and the stock rows a cancel gives back to.
    fn touched(&self, (order, _): &Self::State, plan: &Plan) -> Option<Watch<'_>> {
        let records = Records {
            orders: vec![order.key.clone()],
            stock: plan.stock.iter().filter_map(|l| l.stock.clone()).collect(),
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
        move_status(
            tx,
            ctx,
            self.m,
            &self.keys,
            order,
            &plan.to,
            self.reason.as_deref(),
        )
        .await?;
        let mut released = Vec::new();
        for line in &plan.stock {
            released.push(give_back(tx, self.m, &self.keys, &s, line).await?);
        }
        let mut before = Map::new();
        before.insert("status".into(), json!(order.status));
        let mut after = Map::new();
        after.insert("status".into(), json!(plan.to));
        if !released.is_empty() {
            after.insert("stock".into(), json!(released));
        }
        Ok(Entry {
            action: match self.change {
                MappedChange::Cancel => "order.cancel",
                MappedChange::Transition { .. } => "order.transition",
            },
            entity: Entity::Order,
            id: order.key.clone(),
            before,
            after,
            reason: self.reason.clone(),
        })
    }

    async fn after(&self, tx: &mut WriteTx, _: &Ctx<'_>) -> Result<MappedOrder> {
        self.reread(tx).await
    }
}

/// Moves the order to `to` as the mapping says the back end records a
/// move: the status column, a `stamps` column and `order.updated` set to
/// now, and a row of the status history where the back end keeps one.
pub(super) async fn move_status(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    m: &Mapping,
    keys: &Keys,
    order: &MappedOrder,
    to: &str,
    reason: Option<&str>,
) -> Result<()> {
    let (o, lifecycle) = shop_of(m)?;
    let s = Sql { b: tx.backend() };
    let now = framework_time(s.b, ctx.now);
    let mut q = Query::new(format!(
        "UPDATE {} SET {} = ",
        s.q(&o.table),
        s.q(&o.status)
    ));
    q.bind(to);
    for column in lifecycle.stamps.get(to).into_iter().chain(&o.updated) {
        q.sql(format!(", {} = ", s.q(column))).bind(now.clone());
    }
    q.sql(format!(" WHERE {} = ", keys.order.column));
    keys.order.bind(&mut q, s.b, &order.key)?;
    tx.execute(&q, "cannot change the order's status").await?;
    let Some(h) = &m.status_history else {
        return Ok(());
    };
    let mut row = Insert::into(s, &h.table);
    keys.order.bind(row.col(&h.order), s.b, &order.key)?;
    row.set(&h.to, to)
        .set(&h.at, now)
        .set_opt(&h.from, order.status.as_str())
        .set_opt(&h.operator, ctx.operator.username())
        .set_opt(&h.reason, reason)
        .fixed(&h.fixed);
    let q = row.query();
    tx.execute(&q, "cannot record the status change").await?;
    Ok(())
}

/// Each line's stock link, quantity and allocation, locked.
async fn line_stock(
    tx: &mut WriteTx,
    m: &Mapping,
    keys: &Keys,
    order: &MappedOrder,
) -> Result<Vec<LineStock>> {
    let (Some(i), Some(_)) = (&m.items, &m.stock) else {
        return Ok(Vec::new());
    };
    let s = Sql { b: tx.backend() };
    let col = |c: &Option<String>| c.as_deref().map_or("NULL".into(), |c| s.on("i", c));
    let link = i.stock.as_ref().or(i.product.as_ref()).cloned();
    let mut q = Query::new(format!(
        "SELECT {} AS line, {} AS stock, {} AS quantity, {} AS allocated, {} AS cancelled \
         FROM {} i WHERE {} = ",
        s.text(&s.on("i", &i.key)),
        s.text(&col(&link)),
        s.int(&s.on("i", &i.quantity)),
        i.allocated
            .as_ref()
            .map_or("NULL".into(), |c| s.int(&s.on("i", c))),
        i.allocation_cancelled
            .as_ref()
            .map_or("NULL".into(), |c| s.flag(&s.on("i", c))),
        s.q(&i.table),
        s.on("i", &i.order),
    ));
    let key = keys.items_key()?;
    key.bind(&mut q, s.b, &order.key)?;
    q.sql(format!(
        " ORDER BY {}{}",
        s.on("i", &i.key),
        s.b.for_update()
    ));
    tx.fetch_all(&q, "cannot read the order's lines").await
}

/// Gives one line's quantity back to its stock row, as the mapping says
/// the back end does; what changed, for the audit.
async fn give_back(
    tx: &mut WriteTx,
    m: &Mapping,
    keys: &Keys,
    s: &Sql,
    line: &LineStock,
) -> Result<Value> {
    let (Some(i), Some(st), Some(by), Some(line_key)) =
        (&m.items, &m.stock, &keys.stock, &keys.line)
    else {
        return Ok(Value::Null);
    };
    let Some(stock_key) = &line.stock else {
        return Ok(json!({"line": line.line, "stock": "no stock row"}));
    };
    let mut q = Query::new(format!("UPDATE {} SET ", s.q(&st.table)));
    let what = match st.on_cancel {
        OnCancel::Restock => {
            let c = s.q(&st.on_hand);
            q.sql(format!("{c} = {c} + ")).bind(line.quantity);
            json!({"line": line.line, "restocked": line.quantity})
        }
        OnCancel::Release => {
            let Some(allocated) = &st.allocated else {
                return Err(Error::internal(
                    "stock.on_cancel release without stock.allocated",
                ));
            };
            // Oscar lowers the record's allocation by the line's quantity,
            // never below zero, and only while the line still holds it.
            if line.allocated.is_some_and(|a| a < line.quantity) {
                return Ok(json!({"line": line.line, "released": 0}));
            }
            let c = s.q(allocated);
            q.sql(format!(
                "{c} = COALESCE({c}, 0) - (CASE WHEN COALESCE({c}, 0) < "
            ))
            .bind(line.quantity)
            .sql(format!(" THEN COALESCE({c}, 0) ELSE "))
            .bind(line.quantity)
            .sql(" END)");
            json!({"line": line.line, "released": line.quantity})
        }
    };
    // Lines point at the stock row itself, or at the product it is for:
    // compared as that column's type, so its index serves.
    q.sql(format!(" WHERE {} = ", by.column));
    by.bind(&mut q, s.b, stock_key)?;
    tx.execute(&q, "cannot give the line's stock back").await?;
    if st.on_cancel == OnCancel::Release {
        release_line(tx, i, line_key, s, line).await?;
    }
    Ok(what)
}

/// The line's own allocation: down by its quantity, and marked cancelled
/// when none is left (Oscar's `Line.cancel_allocation`).
async fn release_line(
    tx: &mut WriteTx,
    i: &crate::mapping::ItemsMap,
    key: &Key,
    s: &Sql,
    line: &LineStock,
) -> Result<()> {
    let Some(allocated) = &i.allocated else {
        return Ok(());
    };
    let left = line.allocated.unwrap_or(0) - line.quantity;
    let mut q = Query::new(format!(
        "UPDATE {} SET {} = ",
        s.q(&i.table),
        s.q(allocated)
    ));
    q.bind(left.max(0));
    if let (Some(flag), true) = (&i.allocation_cancelled, left <= 0) {
        q.sql(format!(", {} = ", s.q(flag))).bind(true);
    }
    q.sql(format!(" WHERE {} = ", key.column));
    key.bind(&mut q, s.b, &line.line)?;
    tx.execute(&q, "cannot release the line's allocation")
        .await?;
    Ok(())
}
