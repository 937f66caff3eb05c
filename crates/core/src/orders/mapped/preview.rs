//! What a change to a mapped order would do, written nowhere: the order
//! read and planned exactly as the change would (same lock, same version
//! check, same refusals), then the transaction rolled back. A refund's
//! dry run is in refunds.rs.

use serde::Serialize;

use super::change::{MappedChange, OrderEdit};
use crate::mapping::{Mapping, OnCancel};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::write;
use crate::Result;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MappedPreview {
    pub number: String,
    pub status_before: String,
    pub status_after: String,
    /// What each line's stock would get back, in words.
    pub stock: Vec<String>,
    /// What a refund would record (a refund's dry run only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub refund: Option<RefundPreview>,
}

/// A refund as its dry run plans it, in minor units of the order's
/// currency.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RefundPreview {
    pub currency: String,
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "number")]
    pub refunded_before: i64,
    #[ts(type = "number")]
    pub refundable_after: i64,
    /// Recorded by the console: the back end keeps no refund records.
    pub kept_by_console: bool,
}

pub async fn preview(
    ctx: &Ctx<'_>,
    m: &Mapping,
    id: &str,
    seen: &str,
    change: MappedChange,
) -> Result<MappedPreview> {
    ctx.require(Permission::ChangeOrders)?;
    let edit = OrderEdit::new(ctx, m, id, seen, change, None).await?;
    let ((order, _), plan) = write::plan_only(ctx, &edit).await?;
    let release = m.stock.as_ref().map(|s| s.on_cancel);
    let stock = plan
        .stock
        .iter()
        .map(|l| {
            let row = l.stock.as_deref().unwrap_or("none");
            match release {
                Some(OnCancel::Release) if l.allocated.is_some_and(|a| a < l.quantity) => {
                    format!("line {}: nothing left allocated to release", l.line)
                }
                Some(OnCancel::Release) => format!(
                    "line {}: {} released from the allocation of stock row {row}",
                    l.line, l.quantity
                ),
                _ => format!("line {}: {} back in stock row {row}", l.line, l.quantity),
            }
        })
        .collect();
    Ok(MappedPreview {
        number: order.number,
        status_before: order.status,
        status_after: plan.to,
        stock,
        refund: None,
    })
}
