//! Bulk changes: a selection of orders (ids or a filter), one preview per
//! order, then one transaction per order so that a bad order blocks no
//! other, with progress, cancellation and a result per order.

use serde::{Deserialize, Serialize};

use super::change::{commit, load_state};
use super::plan::{plan, OrderChange, Preview};
use super::search::{resolve, OrderQuery, MAX_FILTER_IDS};
use super::OrderStatus;
use crate::db::{retry_contended, Source};
use crate::error::ErrorCode;
use crate::page::Cursor;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Selection {
    Ids {
        #[ts(type = "Array<number>")]
        ids: Vec<i64>,
    },
    Filter {
        query: OrderQuery,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkChange {
    Transition { to: OrderStatus },
    Cancel,
}

impl From<BulkChange> for OrderChange {
    fn from(c: BulkChange) -> Self {
        match c {
            BulkChange::Transition { to } => OrderChange::Transition { to },
            BulkChange::Cancel => OrderChange::Cancel,
        }
    }
}

/// Why one order of a bulk change cannot (or did not) go through.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct Refusal {
    #[ts(type = "number")]
    pub order_id: i64,
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct BulkPreview {
    pub change: BulkChange,
    /// The orders the change can go through on, each with its preview.
    pub ready: Vec<Preview>,
    /// The orders it cannot, each with the reason.
    pub refused: Vec<Refusal>,
}

/// What happened to one order of a bulk change.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct BulkOutcome {
    #[ts(type = "number")]
    pub order_id: i64,
    /// The order's status afterwards, when the change went through.
    pub status: Option<OrderStatus>,
    pub error: Option<Refusal>,
}

/// The ids a selection names, in a stable order.
async fn selected_ids(ctx: &Ctx<'_>, selection: &Selection) -> Result<Vec<i64>> {
    let mut ids = match selection {
        Selection::Ids { ids } => ids.clone(),
        Selection::Filter { query } => {
            let resolved = resolve(ctx.db, query).await?;
            let cap = MAX_FILTER_IDS as u32;
            let rows = resolved.fetch_rows(ctx.db, None::<&Cursor>, cap).await?;
            if rows.len() > MAX_FILTER_IDS {
                return Err(Error::validation(format!(
                    "the filter matches more than {MAX_FILTER_IDS} orders; narrow it down for a bulk change"
                )));
            }
            rows.into_iter().map(|o| o.id).collect()
        }
    };
    if ids.is_empty() {
        return Err(Error::validation("no orders are selected"));
    }
    if ids.len() > MAX_FILTER_IDS {
        return Err(Error::validation(format!(
            "a bulk change takes at most {MAX_FILTER_IDS} orders ({} selected)",
            ids.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(ids)
}

fn refusal(order_id: i64, e: &Error) -> Refusal {
    Refusal {
        order_id,
        code: e.code(),
        message: e.to_string(),
    }
}

/// One preview per selected order, and the reason for each order the
/// change cannot go through on. Nothing is written.
pub async fn bulk_preview(
    ctx: &Ctx<'_>,
    selection: &Selection,
    change: BulkChange,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<BulkPreview> {
    ctx.require(OrderChange::from(change).permission())?;
    let ids = selected_ids(ctx, selection).await?;
    let total = ids.len() as u64;
    let mut out = BulkPreview {
        change,
        ready: Vec::new(),
        refused: Vec::new(),
    };
    for (n, id) in ids.into_iter().enumerate() {
        cancel.check()?;
        let planned = match load_state(&mut Source::Pool(ctx.db), id, false).await {
            Ok(state) => plan(&state, change.into()),
            Err(e) => Err(e),
        };
        match planned {
            Ok(p) => out.ready.push(p),
            Err(e @ (Error::Unavailable(_) | Error::Internal(_))) => return Err(e),
            Err(e) => out.refused.push(refusal(id, &e)),
        }
        progress.report(Progress {
            stage: "previewing".into(),
            done: n as u64 + 1,
            total,
        });
    }
    Ok(out)
}

/// Commits each preview in its own transaction. A refused order does not
/// stop the others; cancelling stops before the next order, and the orders
/// not reached are reported as not attempted.
pub async fn bulk_commit(
    ctx: &Ctx<'_>,
    previews: &[Preview],
    reason: Option<&str>,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<Vec<BulkOutcome>> {
    for p in previews {
        ctx.require(p.change.permission())?;
    }
    let reason = crate::reason::required("change these orders", reason)?;
    let reason = Some(reason.as_str());
    let total = previews.len() as u64;
    let mut out = Vec::with_capacity(previews.len());
    for (n, p) in previews.iter().enumerate() {
        if cancel.is_cancelled() {
            out.push(BulkOutcome {
                order_id: p.order_id,
                status: None,
                error: Some(Refusal {
                    order_id: p.order_id,
                    code: ErrorCode::Validation,
                    message: "not attempted: the bulk change was cancelled".into(),
                }),
            });
            continue;
        }
        // Another writer may deadlock with this one: its transaction rolled
        // back, so it is run again rather than reported.
        let result = retry_contended(|| commit(ctx, p, reason)).await;
        out.push(match result {
            Ok(order) => BulkOutcome {
                order_id: p.order_id,
                status: Some(order.status),
                error: None,
            },
            Err(e) => BulkOutcome {
                order_id: p.order_id,
                status: None,
                error: Some(refusal(p.order_id, &e)),
            },
        });
        progress.report(Progress {
            stage: "changing".into(),
            done: n as u64 + 1,
            total,
        });
    }
    Ok(out)
}
