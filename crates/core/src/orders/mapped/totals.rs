//! Whether a mapped order's total agrees with what it is made of: its
//! lines, fees (rows of the items' table, `items.fees`), shipping, tax and
//! adjustments, less its discount, as the mapping names them; and the
//! fees themselves, read as the back end keeps them.

use serde::Serialize;

use super::keys::Keys;
use super::story::MappedItem;
use super::MappedOrder;
use crate::db::{Query, Source};
use crate::mapping::query::Sql;
use crate::mapping::Mapping;
use crate::money;
use crate::Result;

/// A charge on the order beside its lines (a WooCommerce fee line).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedFee {
    pub key: String,
    pub title: String,
    /// In minor units; absent when the stored amount cannot be read
    /// exactly.
    #[ts(type = "number | null")]
    pub amount: Option<i64>,
}

/// The order's amounts besides its lines, each read exactly.
pub(super) struct Parts {
    pub shipping: Option<i64>,
    pub tax: Option<i64>,
    pub discount: Option<i64>,
    pub adjustment: Option<i64>,
}

/// The order's fees, in key order; none where the mapping keeps none.
pub(super) async fn fees(
    src: &mut Source<'_>,
    m: &Mapping,
    s: &Sql,
    keys: &Keys,
    order: &MappedOrder,
) -> Result<Vec<MappedFee>> {
    let (Some(i), Some(key)) = (&m.items, &keys.items) else {
        return Ok(Vec::new());
    };
    let (Some(from), Some(total)) = (s.fees(i, m.money()), &i.line_total) else {
        return Ok(Vec::new());
    };
    let col = |c: &str| s.on("i", c);
    let title = i
        .title
        .as_deref()
        .map_or("NULL".into(), |t| s.text(&col(t)));
    let mut q = Query::new(format!(
        "SELECT {} AS k, {title} AS title, {} AS amount FROM {from} i WHERE {} = ",
        s.text(&col(&i.key)),
        s.text(&col(total)),
        key.expr,
    ));
    key.bind(&mut q, s.b, &order.key)?;
    q.sql(format!(" ORDER BY {}", col(&i.key)));
    let rows: Vec<(String, Option<String>, Option<String>)> =
        src.fetch_all(&q, "cannot read the order's fees").await?;
    Ok(rows
        .into_iter()
        .map(|(key, title, amount)| MappedFee {
            key,
            title: title.unwrap_or_default(),
            amount: amount.and_then(|a| money::stored(&a, &order.currency).ok()),
        })
        .collect())
}

/// How the total disagrees with the lines, fees and the order's other
/// amounts, in words; `None` when it agrees.
pub(super) fn mismatch(
    order: &MappedOrder,
    total: i64,
    items: &[MappedItem],
    fees: &[MappedFee],
    p: &Parts,
) -> Option<String> {
    let cur = order.currency.as_str();
    let lines: Option<Vec<i64>> = items
        .iter()
        .map(|i| i.line_total)
        .chain(fees.iter().map(|f| f.amount))
        .collect();
    let Some(lines) = lines else {
        return Some("a line's amount cannot be read exactly".into());
    };
    let parts = [p.shipping, p.tax, p.adjustment, p.discount.map(|d| -d)];
    let expected = match money::sum(lines.into_iter().chain(parts.into_iter().flatten())) {
        Ok(e) => e,
        Err(_) => return Some("a line's amount cannot be read exactly".into()),
    };
    if expected == total {
        return None;
    }
    let added: Vec<&str> = [
        (!fees.is_empty(), "fees"),
        (p.shipping.is_some(), "shipping"),
        (p.tax.is_some(), "tax"),
        (p.adjustment.is_some(), "adjustments"),
    ]
    .iter()
    .filter(|(there, _)| *there)
    .map(|(_, w)| *w)
    .collect();
    let what = match added.split_last() {
        None => "the lines".to_string(),
        Some((last, [])) => format!("the lines and {last}"),
        Some((last, rest)) => format!("the lines, {} and {last}", rest.join(", ")),
    };
    Some(format!(
        "the total is {} but {what} come to {}",
        money::format(total, cur),
        money::format(expected, cur)
    ))
}
