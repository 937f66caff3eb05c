//! The console's first screen: how many users and orders are in each
//! status, the open findings by severity, the outbox's health and the
//! latest audit entries. Each part needs its own permission; a part the
//! operator may not read is left out rather than refused.

use serde::Serialize;

use crate::audit::{self, AuditEntry, AuditFilter};
use crate::db::{Db, Query};
use crate::mapping::Mapping;
use crate::operators::Permission;
use crate::page::PageRequest;
use crate::session::Ctx;
use crate::validation::{rule, Severity};
use crate::Result;
use crate::{orders, users};

/// Audit entries shown.
const RECENT_AUDIT: u32 = 8;

#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct StatusCount {
    pub status: String,
    #[ts(type = "number")]
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Dashboard {
    pub users_by_status: Option<Vec<StatusCount>>,
    pub orders_by_status: Option<Vec<StatusCount>>,
    /// Open findings per severity ("error", "warning").
    pub open_findings: Option<Vec<StatusCount>>,
    /// Outbox messages per status.
    pub outbox: Option<Vec<StatusCount>>,
    pub recent_audit: Option<Vec<AuditEntry>>,
    /// Parts this back end's mapping does not describe ("users",
    /// "orders"): shown as such, not as hidden from the role.
    pub unmapped: Vec<String>,
}

/// Runs `q`, a `SELECT <word>, COUNT(*) … GROUP BY` of a back end's own
/// words, naming a NULL word `missing`.
pub(crate) async fn grouped(
    db: &Db,
    q: &Query,
    what: &str,
    missing: &str,
) -> Result<Vec<StatusCount>> {
    let rows: Vec<(Option<String>, i64)> = db.fetch_all(q, what).await?;
    Ok(rows
        .into_iter()
        .map(|(status, count)| StatusCount {
            status: status.unwrap_or_else(|| missing.to_string()),
            count,
        })
        .collect())
}

async fn by_status(db: &Db, table: &str, what: &str) -> Result<Vec<StatusCount>> {
    let rows: Vec<(String, i64)> = db
        .fetch_all(
            &Query::new(format!(
                "SELECT status, COUNT(*) FROM {table} GROUP BY status ORDER BY status"
            )),
            what,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(status, count)| StatusCount { status, count })
        .collect())
}

async fn open_findings(db: &Db) -> Result<Vec<StatusCount>> {
    let rows: Vec<(String, i64)> = db
        .fetch_all(
            &Query::new(
                "SELECT rule_id, COUNT(*) FROM backoffice_findings WHERE status = 'open' \
                 GROUP BY rule_id",
            ),
            "cannot count the open findings",
        )
        .await?;
    let (mut errors, mut warnings) = (0, 0);
    for (rule_id, count) in rows {
        match rule(&rule_id).map(|r| r.severity) {
            Some(Severity::Error) => errors += count,
            // A rule no longer in the catalogue still needs looking at.
            Some(Severity::Warning) | None => warnings += count,
        }
    }
    Ok(vec![
        StatusCount {
            status: "error".into(),
            count: errors,
        },
        StatusCount {
            status: "warning".into(),
            count: warnings,
        },
    ])
}

/// Everything the operator may see of the dashboard. On a back end of
/// its own (`mapping`), users and orders are counted by its own states
/// and status words; a part its mapping leaves out is named in
/// `unmapped`.
pub async fn dashboard(ctx: &Ctx<'_>, mapping: Option<&Mapping>) -> Result<Dashboard> {
    let me = ctx.operator;
    let db = ctx.db;
    let mut unmapped = Vec::new();
    let users = match mapping {
        _ if !me.can(Permission::ReadUsers) => None,
        None => Some(by_status(db, "users", "cannot count users by status").await?),
        Some(m) if m.user.is_none() => {
            unmapped.push("users".to_string());
            None
        }
        Some(m) => Some(users::mapped::by_state(ctx, m).await?),
    };
    let orders = match mapping {
        _ if !me.can(Permission::ReadOrders) => None,
        None => Some(by_status(db, "orders", "cannot count orders by status").await?),
        Some(m) if m.order.is_none() => {
            unmapped.push("orders".to_string());
            None
        }
        Some(m) => Some(orders::mapped::by_status(ctx, m).await?),
    };
    let findings = if me.can(Permission::ReadFindings) {
        Some(open_findings(db).await?)
    } else {
        None
    };
    let outbox = if me.can(Permission::SendNotifications) {
        Some(by_status(db, "backoffice_outbox", "cannot count the outbox").await?)
    } else {
        None
    };
    let recent_audit = if me.can(Permission::ReadAudit) {
        let page = PageRequest::first(RECENT_AUDIT);
        Some(
            audit::list(ctx, &AuditFilter::default(), &page)
                .await?
                .items,
        )
    } else {
        None
    };
    Ok(Dashboard {
        users_by_status: users,
        orders_by_status: orders,
        open_findings: findings,
        outbox,
        recent_audit,
        unmapped,
    })
}
