//! The whole filtered order list as CSV, streamed page by page.

use std::io::Write;

use super::search::{resolve, with_customers};
use super::{Order, OrderQuery};
use crate::csv_out::{cell, stream, time, Sink, BATCH};
use crate::money;
use crate::operators::Permission;
use crate::page::{split, Cursor};
use crate::progress::{CancelToken, ProgressSink};
use crate::session::Ctx;
use crate::Result;

const HEADER: [&str; 14] = [
    "id",
    "user_id",
    "customer_email",
    "status",
    "currency",
    "subtotal",
    "shipping",
    "discount",
    "tax",
    "total",
    "placed_at",
    "paid_at",
    "shipped_at",
    "version",
];

/// An amount as a plain decimal a spreadsheet reads as a number.
fn amount(minor: i64, currency: &str) -> String {
    let text = money::format(minor, currency);
    text.split(' ').next().unwrap_or_default().to_string()
}

/// Writes every matching order to `out`; returns how many.
pub async fn export_csv(
    ctx: &Ctx<'_>,
    query: &OrderQuery,
    out: &mut (dyn Write + Send),
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<u64> {
    ctx.require(Permission::ReadOrders)?;
    let resolved = resolve(ctx.db, query).await?;
    let sink = Sink {
        out,
        progress,
        cancel,
    };
    let resolved = &resolved;
    let next = |cursor: Option<Cursor>| async move {
        let rows = resolved.fetch_rows(ctx.db, cursor.as_ref(), BATCH).await?;
        let (rows, after) = split(rows, BATCH, |o| resolved.cursor_after(o));
        Ok((with_customers(ctx, rows).await?, after))
    };
    stream(sink, &HEADER, "orders", next, |o: Order| {
        let c = o.currency.as_str();
        vec![
            o.id.to_string(),
            o.user_id.to_string(),
            cell(&o.customer_email),
            o.status.to_string(),
            o.currency.clone(),
            amount(o.subtotal_cents, c),
            amount(o.shipping_cents, c),
            amount(o.discount_cents, c),
            amount(o.tax_cents, c),
            amount(o.total_cents, c),
            o.placed_at.to_rfc3339(),
            time(o.paid_at),
            time(o.shipped_at),
            o.version.to_string(),
        ]
    })
    .await
}
