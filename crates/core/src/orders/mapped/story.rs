//! An order's story on a mapped back end: the order, its lines, whether
//! the recorded total agrees with them, where the lifecycle lets it go,
//! and what happened to it (the back end's status history and notes where
//! it keeps them, and the console's audit), oldest first.

use serde::Serialize;

use super::keys::{push_number_or_key, Keys};
use super::refunds::{refunds_of, MappedRefund};
use super::timeline::{console_notes, history, notes};
use super::totals::{fees, mismatch, MappedFee, Parts};
use super::{present, select, shop_of, MappedOrder, Row};
use crate::audit;
use crate::db::{Query, Source};
use crate::mapping::query::{fingerprint, Key, Sql};
use crate::mapping::{Mapping, OrderMap};
use crate::money;
use crate::notify::{self, About, Sent};
use crate::operators::Permission;
use crate::orders::story::TimelineEntry;
use crate::session::Ctx;
use crate::users::unmasked;
use crate::{Error, Result};

/// Audit entries shown on the timeline (newest).
const AUDIT: u32 = 100;

/// One line of a mapped order.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedItem {
    pub key: String,
    pub product: Option<String>,
    /// The title as ordered, else the product's name.
    pub title: String,
    #[ts(type = "number")]
    pub quantity: i64,
    #[ts(type = "number | null")]
    pub unit_price: Option<i64>,
    #[ts(type = "number | null")]
    pub line_total: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MappedStory {
    pub order: MappedOrder,
    /// What a change must carry (`--version`): a fingerprint of the order
    /// and its lines as shown.
    pub version: String,
    pub items: Vec<MappedItem>,
    /// Charges beside the lines, where the back end keeps them so.
    pub fees: Vec<MappedFee>,
    #[ts(type = "number | null")]
    pub shipping: Option<i64>,
    /// Every way the recorded amounts disagree with the lines, in words.
    pub mismatches: Vec<String>,
    /// Where the lifecycle lets the order go from its status.
    pub moves: Vec<String>,
    /// Which of `moves` cancels the order (a cancel, which gives its
    /// stock back, not a plain move).
    pub cancel: Option<String>,
    /// Oldest first; the console's own where the back end keeps none.
    pub refunds: Vec<MappedRefund>,
    #[ts(type = "number")]
    pub refunded: i64,
    /// What is left to refund, where the total can be read.
    #[ts(type = "number | null")]
    pub refundable: Option<i64>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The emails about the order, newest first.
    pub notifications: Vec<Sent>,
    /// What this back end does not keep, and what is shown instead.
    pub not_kept: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    key: String,
    product: Option<String>,
    title: Option<String>,
    quantity: i64,
    unit_price: Option<String>,
    line_total: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Amounts {
    shipping: Option<String>,
    tax: Option<String>,
    discount: Option<String>,
    adjustment: Option<String>,
}

/// The order with this key or number and its lines, as the story shows
/// them, and how its tables are keyed.
async fn order_and_items(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    id: &str,
) -> Result<(MappedOrder, Vec<MappedItem>, Keys)> {
    ctx.require(Permission::ReadOrders)?;
    let (o, _) = shop_of(mapping)?;
    let s = Sql::of(ctx.db);
    let keys = Keys::of(ctx, mapping).await?;
    let mut src = Source::Pool(ctx.db);
    let row = order_row(&mut src, &s, mapping, &keys, id, false).await?;
    let order = present(o, row, unmasked(ctx));
    let items = items(&mut src, mapping, &s, &keys, &order).await?;
    Ok((order, items, keys))
}

/// The version `show` would print, reading only what it is made of (a
/// bulk change's dry runs need no timeline).
pub(crate) async fn version_now(ctx: &Ctx<'_>, mapping: &Mapping, id: &str) -> Result<String> {
    let (order, items, _) = order_and_items(ctx, mapping, id).await?;
    Ok(version(&order, &items))
}

/// The order with this key or number.
pub async fn show(ctx: &Ctx<'_>, mapping: &Mapping, id: &str) -> Result<MappedStory> {
    ctx.require(Permission::ReadOrders)?;
    let (o, lifecycle) = shop_of(mapping)?;
    let s = Sql::of(ctx.db);
    let (order, items, keys) = order_and_items(ctx, mapping, id).await?;
    let mut src = Source::Pool(ctx.db);
    let amounts = amounts(ctx, &s, o, &keys.order, &order.key).await?;
    let cur = order.currency.clone();
    let read = |v: &Option<String>| v.as_deref().map(|t| money::stored(t, &cur)).transpose();
    let mut mismatches = Vec::new();
    let mut amount = |v: &Option<String>| match read(v) {
        Ok(a) => a,
        Err(e) => {
            mismatches.push(format!("an amount cannot be read exactly: {e}"));
            None
        }
    };
    let parts = Parts {
        shipping: amount(&amounts.shipping),
        tax: amount(&amounts.tax),
        discount: amount(&amounts.discount),
        adjustment: amount(&amounts.adjustment),
    };
    let fees = fees(&mut src, mapping, &s, &keys, &order).await?;
    if let (Some(total), true, true) = (order.total, mapping.items.is_some(), mismatches.is_empty())
    {
        mismatches.extend(mismatch(&order, total, &items, &fees, &parts));
    }
    let moves = lifecycle
        .moves
        .get(&order.status)
        .cloned()
        .unwrap_or_default();
    let cancel = moves
        .iter()
        .find(|m| lifecycle.cancelled.contains(m))
        .cloned();
    let mut not_kept = Vec::new();
    if let Some(why) = &lifecycle.changed_elsewhere {
        not_kept.push(why.clone());
    }
    let mut timeline = Vec::new();
    match &mapping.status_history {
        Some(h) => timeline.extend(history(ctx, &s, h, &order.key).await?),
        None => not_kept.push(
            "the back end keeps no status history: the console's audit shows its own changes"
                .to_string(),
        ),
    }
    match &mapping.notes {
        Some(n) if n.read_only => {
            timeline.extend(notes(ctx, &s, n, &order.key).await?);
            timeline.extend(console_notes(ctx, &s, &order.key).await?);
            not_kept.push(
                "the back end's notes are read; the notes added here are the console's own"
                    .to_string(),
            );
        }
        Some(n) => {
            // With any the console kept before the mapping wrote them.
            timeline.extend(notes(ctx, &s, n, &order.key).await?);
            timeline.extend(console_notes(ctx, &s, &order.key).await?);
        }
        None => {
            timeline.extend(console_notes(ctx, &s, &order.key).await?);
            not_kept
                .push("the back end keeps no order notes: notes are the console's own".to_string());
        }
    }
    let refunds = refunds_of(&mut src, mapping, &keys, &order).await?;
    if mapping.refunds.is_none() {
        not_kept.push(
            "the back end keeps no refund records: refunds are the console's own".to_string(),
        );
    }
    let cur = order.currency.as_str();
    timeline.extend(refunds.iter().filter_map(|r| {
        Some(TimelineEntry {
            at: r.at?,
            kind: "refund",
            operator: r.operator.clone(),
            text: format!("refunded {}: {}", money::format(r.amount, cur), r.reason),
        })
    }));
    let refunded = money::sum(refunds.iter().map(|r| r.amount))?;
    let mut audit = audit::for_entity(ctx.db, "order", &order.key, AUDIT).await?;
    audit.reverse();
    timeline.extend(audit.into_iter().map(|a| TimelineEntry {
        at: a.at,
        kind: "audit",
        operator: a.operator,
        text: match a.reason {
            Some(r) => format!("{} ({r})", a.action),
            None => a.action,
        },
    }));
    // What was sent about it.
    let notifications = notify::sent_about(ctx, About::Order(&order.key)).await?;
    timeline.extend(notify::about_timeline(&notifications));
    timeline.sort_by_key(|e| e.at);
    let version = version(&order, &items);
    Ok(MappedStory {
        version,
        items,
        fees,
        shipping: parts.shipping,
        mismatches,
        moves,
        cancel,
        refundable: order.total.map(|t| (t - refunded).max(0)),
        refunded,
        refunds,
        order,
        timeline,
        notifications,
        not_kept,
    })
}

/// The order, read under lock for a change, if it is still as the
/// operator saw it (`seen`, the version `orders show` printed); else the
/// refusal, with the order as it is now.
pub(crate) async fn locked_as_seen(
    src: &mut Source<'_>,
    m: &Mapping,
    keys: &Keys,
    id: &str,
    seen: &str,
) -> Result<MappedOrder> {
    let (o, _) = shop_of(m)?;
    let s = Sql { b: src.backend() };
    let row = order_row(src, &s, m, keys, id, true).await?;
    let order = present(o, row, true);
    let lines = items(src, m, &s, keys, &order).await?;
    let now_at = version(&order, &lines);
    if now_at != seen {
        let what = format!("order {}", order.number);
        return Err(Error::stale(&what, seen, now_at, &order.status, &order));
    }
    Ok(order)
}

/// The fingerprint a change compares: the order's values and its lines.
pub(crate) fn version(order: &MappedOrder, items: &[MappedItem]) -> String {
    let mut values: Vec<Option<String>> = vec![
        Some(order.key.clone()),
        Some(order.status.clone()),
        order.total.map(|t| t.to_string()),
        order.customer.clone(),
    ];
    values.extend(order.also.iter().cloned().map(Some));
    for i in items {
        values.push(Some(format!("{}x{}", i.key, i.quantity)));
        values.push(i.line_total.map(|t| t.to_string()));
    }
    fingerprint(values.iter().map(Option::as_deref))
}

/// The order with this number or key, locked for a change when `lock`.
pub(crate) async fn order_row(
    src: &mut Source<'_>,
    s: &Sql,
    m: &Mapping,
    keys: &Keys,
    id: &str,
    lock: bool,
) -> Result<Row> {
    let (o, _) = shop_of(m)?;
    let mut q = select(s, m, o, &keys.order);
    push_number_or_key(&mut q, s.b, keys.number.as_ref(), &keys.order, id);
    if lock {
        q.sql(match s.b {
            // The customer's row is read, not locked.
            crate::db::Backend::Postgres => " FOR UPDATE OF o",
            b => b.for_update(),
        });
    }
    let row: Option<Row> = src.fetch_optional(&q, "cannot read the order").await?;
    row.ok_or_else(|| Error::NotFound(format!("no order has the number or key '{id}'")))
}

/// The order's lines, in key order (locked with the order by a change).
pub(crate) async fn items(
    src: &mut Source<'_>,
    m: &Mapping,
    s: &Sql,
    keys: &Keys,
    order: &MappedOrder,
) -> Result<Vec<MappedItem>> {
    let (Some(i), Some(key)) = (&m.items, &keys.items) else {
        return Ok(Vec::new());
    };
    let col = |c: &str| s.on("i", c);
    let opt_text = |c: &Option<String>| c.as_deref().map_or("NULL".into(), |c| s.text(&col(c)));
    let (join, name) = match (&m.products, &i.product) {
        (Some(p), Some(link)) => (
            format!(
                " LEFT JOIN {} p ON {} = {}",
                s.products(p),
                s.on("p", &p.key),
                col(link)
            ),
            s.on("p", &p.name),
        ),
        _ => (String::new(), "NULL".into()),
    };
    let title = match &i.title {
        Some(t) => format!("COALESCE({}, {name})", col(t)),
        None => name,
    };
    let mut q = Query::new(format!(
        "SELECT {} AS {}, {} AS product, {title} AS title, {} AS quantity, {} AS unit_price, \
         {} AS line_total FROM {} i{join} WHERE {} = ",
        s.text(&col(&i.key)),
        s.q("key"),
        opt_text(&i.product),
        s.int(&col(&i.quantity)),
        opt_text(&i.unit_price),
        opt_text(&i.line_total),
        s.items(i, m.money()),
        key.expr,
    ));
    key.bind(&mut q, s.b, &order.key)?;
    q.sql(format!(" ORDER BY {}", col(&i.key)));
    let rows: Vec<ItemRow> = src.fetch_all(&q, "cannot read the order's lines").await?;
    let cur = &order.currency;
    let amount = |v: Option<String>| v.and_then(|t| money::stored(&t, cur).ok());
    Ok(rows
        .into_iter()
        .map(|r| {
            let unit_price = amount(r.unit_price);
            MappedItem {
                key: r.key,
                product: r.product,
                title: r.title.unwrap_or_default(),
                quantity: r.quantity,
                line_total: match &i.line_total {
                    Some(_) => amount(r.line_total),
                    None => unit_price.and_then(|p| p.checked_mul(r.quantity)),
                },
                unit_price,
            }
        })
        .collect())
}

async fn amounts(ctx: &Ctx<'_>, s: &Sql, o: &OrderMap, key: &Key, id: &str) -> Result<Amounts> {
    let col = |c: &Option<String>| {
        c.as_deref()
            .map_or("NULL".into(), |c| s.text(&s.on("o", c)))
    };
    let mut q = Query::new(format!(
        "SELECT {} AS shipping, {} AS tax, {} AS discount, {} AS adjustment FROM {} o \
         WHERE 1 = 1",
        col(&o.shipping),
        col(&o.tax),
        col(&o.discount),
        col(&o.adjustment),
        s.orders(o)
    ));
    key.push_eq(&mut q, s.b, id)?;
    ctx.db
        .fetch_one(&q, "cannot read the order's amounts")
        .await
}
