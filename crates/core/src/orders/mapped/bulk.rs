//! Bulk changes of a mapped back end's orders: a selection (numbers or
//! keys, or the list's filters), one dry run per order at the version it
//! has now, then one transaction per order, each applied only if the
//! order is still as its dry run saw it. A refused order blocks no other;
//! cancelling stops before the next order.

use serde::Serialize;

use super::change::{apply, MappedChange};
use super::preview::{preview, MappedPreview};
use super::story::version_now;
use super::{search, MappedOrderQuery};
use crate::db::retry_contended;
use crate::error::ErrorCode;
use crate::mapping::Mapping;
use crate::operators::Permission;
use crate::orders::search::MAX_FILTER_IDS;
use crate::page::PageRequest;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::{Error, Result};

/// Orders read per page when a filter selects them.
const PAGE: u32 = 500;

/// Which orders: these numbers or keys, or those the filters match.
#[derive(Debug, Clone)]
pub enum MappedSelection {
    Orders(Vec<String>),
    Filter(MappedOrderQuery),
}

/// An order the change can go through on: its dry run, and the version it
/// was planned at.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MappedReady {
    pub order: String,
    pub version: String,
    pub preview: MappedPreview,
}

/// Why one order cannot (or did not) take the change.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct MappedRefusal {
    pub order: String,
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct MappedBulkPreview {
    pub change: MappedChange,
    pub ready: Vec<MappedReady>,
    pub refused: Vec<MappedRefusal>,
}

/// What happened to one order: its status word afterwards, or why not.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct MappedOutcome {
    pub order: String,
    pub status: Option<String>,
    pub error: Option<MappedRefusal>,
}

fn refusal(order: &str, e: &Error) -> MappedRefusal {
    MappedRefusal {
        order: order.to_string(),
        code: e.code(),
        message: e.to_string(),
    }
}

/// The numbers (or keys) a selection names, each once, in a stable order.
async fn selected(ctx: &Ctx<'_>, m: &Mapping, selection: &MappedSelection) -> Result<Vec<String>> {
    let mut orders: Vec<String> = match selection {
        MappedSelection::Orders(given) => given.iter().map(|o| o.trim().to_string()).collect(),
        MappedSelection::Filter(query) => {
            let mut out = Vec::new();
            let mut page = PageRequest::first(PAGE);
            loop {
                let found = search(ctx, m, query, &page).await?;
                out.extend(found.items.into_iter().map(|o| o.number));
                if out.len() > MAX_FILTER_IDS {
                    return Err(Error::validation(format!(
                        "the filter matches more than {MAX_FILTER_IDS} orders; narrow it down \
                         for a bulk change"
                    )));
                }
                match found.next {
                    Some(next) => page.after = Some(next),
                    None => break,
                }
            }
            out
        }
    };
    orders.retain(|o| !o.is_empty());
    let mut seen = std::collections::HashSet::new();
    orders.retain(|o| seen.insert(o.clone()));
    if orders.is_empty() {
        return Err(Error::validation("no orders are selected"));
    }
    if orders.len() > MAX_FILTER_IDS {
        return Err(Error::validation(format!(
            "a bulk change takes at most {MAX_FILTER_IDS} orders ({} selected)",
            orders.len()
        )));
    }
    Ok(orders)
}

/// One dry run per selected order, and the reason for each order the
/// change cannot go through on. Nothing is written.
pub async fn bulk_preview(
    ctx: &Ctx<'_>,
    m: &Mapping,
    selection: &MappedSelection,
    change: &MappedChange,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<MappedBulkPreview> {
    ctx.require(Permission::ChangeOrders)?;
    let orders = selected(ctx, m, selection).await?;
    let total = orders.len() as u64;
    let mut out = MappedBulkPreview {
        change: change.clone(),
        ready: Vec::new(),
        refused: Vec::new(),
    };
    for (n, order) in orders.into_iter().enumerate() {
        cancel.check()?;
        let planned = match version_now(ctx, m, &order).await {
            Ok(version) => preview(ctx, m, &order, &version, change.clone())
                .await
                .map(|p| (version, p)),
            Err(e) => Err(e),
        };
        match planned {
            Ok((version, preview)) => out.ready.push(MappedReady {
                order,
                version,
                preview,
            }),
            Err(e @ (Error::Unavailable(_) | Error::Internal(_))) => return Err(e),
            Err(e) => out.refused.push(refusal(&order, &e)),
        }
        progress.report(Progress {
            stage: "previewing".into(),
            done: n as u64 + 1,
            total,
        });
    }
    Ok(out)
}

/// Applies the change to each ready order in its own transaction, at the
/// version its dry run saw (an order changed since is refused and named).
/// The orders not reached when cancelled are reported as not attempted.
pub async fn bulk_commit(
    ctx: &Ctx<'_>,
    m: &Mapping,
    plan: &MappedBulkPreview,
    reason: Option<&str>,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<Vec<MappedOutcome>> {
    ctx.require(Permission::ChangeOrders)?;
    let reason = crate::reason::required("change these orders", reason)?;
    let total = plan.ready.len() as u64;
    let mut out = Vec::with_capacity(plan.ready.len());
    for (n, r) in plan.ready.iter().enumerate() {
        let outcome = if cancel.is_cancelled() {
            Err(Error::validation(
                "not attempted: the bulk change was cancelled",
            ))
        } else {
            // A deadlock with another writer rolled this one back: run again.
            retry_contended(|| {
                apply(
                    ctx,
                    m,
                    &r.order,
                    &r.version,
                    plan.change.clone(),
                    Some(&reason),
                )
            })
            .await
        };
        out.push(match outcome {
            Ok(order) => MappedOutcome {
                order: r.order.clone(),
                status: Some(order.status),
                error: None,
            },
            Err(e) => MappedOutcome {
                order: r.order.clone(),
                status: None,
                error: Some(refusal(&r.order, &e)),
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
