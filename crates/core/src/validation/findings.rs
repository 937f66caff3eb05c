//! The findings worklist: counts per rule, the findings themselves in
//! keyset pages, and accepting one with a reason (audited).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::rules::{rule, Severity};
use crate::audit::{self, Record};
use crate::db::Query;
use crate::operators::Permission;
use crate::page::{by_id, Cursor, Page, PageRequest};
use crate::session::Ctx;
use crate::users::{clean_text, MAX_REASON_CHARS};
use crate::{Error, Result};

const COLUMNS: &str = "id, rule_id, entity_type, entity_id, detail, status, first_run, last_run, \
     first_seen_at, last_seen_at, resolved_at, accepted_by, accepted_reason, version";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Finding {
    #[ts(type = "number")]
    pub id: i64,
    pub rule_id: String,
    /// user, product, order or order_item; with `entity_id`, the record to
    /// open.
    pub entity_type: String,
    #[ts(type = "number")]
    pub entity_id: i64,
    /// How people name the record, where that is not its key (an Oscar
    /// order's number).
    pub detail: Option<String>,
    /// open, accepted, fixed or resolved.
    pub status: String,
    #[ts(type = "number")]
    pub first_run: i64,
    #[ts(type = "number")]
    pub last_run: i64,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<String>,
    pub accepted_reason: Option<String>,
    #[ts(type = "number")]
    pub version: i64,
}

/// The latest validation run: when it finished and who ran it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct LastRun {
    #[ts(type = "number")]
    pub id: i64,
    pub finished_at: DateTime<Utc>,
    pub operator: String,
}

/// The latest run, or `None` when validation never ran on this database
/// (the findings views then say so, rather than nothing).
pub async fn last_run(ctx: &Ctx<'_>) -> Result<Option<LastRun>> {
    ctx.require(Permission::ReadFindings)?;
    ctx.db
        .fetch_optional(
            &Query::new(
                "SELECT id, finished_at, operator FROM backoffice_validation_runs \
                 ORDER BY id DESC LIMIT 1",
            ),
            "cannot read the validation runs",
        )
        .await
}

/// Findings of one rule, by status.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RuleCount {
    pub rule_id: String,
    pub title: String,
    pub severity: Option<Severity>,
    #[ts(type = "number")]
    pub open: i64,
    #[ts(type = "number")]
    pub accepted: i64,
    #[ts(type = "number")]
    pub fixed: i64,
    #[ts(type = "number")]
    pub resolved: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct FindingFilter {
    pub rule_id: Option<String>,
    /// open (the default worklist), accepted, fixed or resolved.
    pub status: Option<String>,
    pub entity_type: Option<String>,
    /// Oldest findings first (newest first by default).
    pub oldest_first: bool,
}

const STATUSES: [&str; 4] = ["open", "accepted", "fixed", "resolved"];

fn check_status(status: &str) -> Result<()> {
    if STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "unknown finding status '{status}'; use {}",
            STATUSES.join(", ")
        )))
    }
}

/// How many findings each rule has in each status, the catalogue's order.
pub async fn summary(ctx: &Ctx<'_>) -> Result<Vec<RuleCount>> {
    ctx.require(Permission::ReadFindings)?;
    let rows: Vec<(String, String, i64)> = ctx
        .db
        .fetch_all(
            &Query::new(
                "SELECT rule_id, status, COUNT(*) FROM backoffice_findings GROUP BY rule_id, status",
            ),
            "cannot count findings",
        )
        .await?;
    let mut out: Vec<RuleCount> = Vec::new();
    for (rule_id, status, n) in rows {
        let i = match out.iter().position(|c| c.rule_id == rule_id) {
            Some(i) => i,
            None => {
                // A rule of the reference schema, or one over a mapping.
                let described = rule(&rule_id)
                    .map(|r| (r.title, r.severity))
                    .or_else(|| super::mapped::rule(&rule_id).map(|r| (r.title, r.severity)));
                out.push(RuleCount {
                    title: described.map_or_else(|| rule_id.clone(), |(t, _)| t.to_string()),
                    severity: described.map(|(_, s)| s),
                    rule_id,
                    open: 0,
                    accepted: 0,
                    fixed: 0,
                    resolved: 0,
                });
                out.len() - 1
            }
        };
        let c = &mut out[i];
        match status.as_str() {
            "open" => c.open += n,
            "accepted" => c.accepted += n,
            "fixed" => c.fixed += n,
            _ => c.resolved += n,
        }
    }
    let position = |id: &str| super::RULES.iter().position(|r| r.id == id);
    out.sort_by_key(|c| {
        (
            position(&c.rule_id).unwrap_or(usize::MAX),
            c.rule_id.clone(),
        )
    });
    Ok(out)
}

/// Findings, newest first, in keyset pages; open ones unless asked.
pub async fn list(
    ctx: &Ctx<'_>,
    filter: &FindingFilter,
    page: &PageRequest,
) -> Result<Page<Finding>> {
    ctx.require(Permission::ReadFindings)?;
    let limit = page.limit()?;
    let status = filter.status.as_deref().unwrap_or("open");
    check_status(status)?;
    let mut q = Query::new(format!(
        "SELECT {COLUMNS} FROM backoffice_findings WHERE status = "
    ));
    q.bind(status);
    if let Some(r) = &filter.rule_id {
        q.sql(" AND rule_id = ").bind(r.as_str());
    }
    if let Some(e) = &filter.entity_type {
        q.sql(" AND entity_type = ").bind(e.as_str());
    }
    by_id(&mut q, page.after.as_deref(), filter.oldest_first, limit)?;
    let rows: Vec<Finding> = ctx.db.fetch_all(&q, "cannot list findings").await?;
    Ok(Page::from_rows(rows, limit, |f| Cursor {
        key: None,
        id: f.id,
    }))
}

/// Marks an open finding accepted: someone looked and it is fine. A later
/// run keeps it accepted while the record still trips the rule.
pub async fn accept(ctx: &Ctx<'_>, id: i64, version: i64, reason: &str) -> Result<Finding> {
    ctx.require(Permission::RunValidation)?;
    let reason = clean_text("reason", reason, MAX_REASON_CHARS)?;
    if reason.is_empty() {
        return Err(Error::validation("say why the finding is acceptable"));
    }
    let mut tx = ctx.db.begin_write("accept a finding").await?;
    let read = |lock: &str| {
        let mut q = Query::new(format!(
            "SELECT {COLUMNS} FROM backoffice_findings WHERE id = "
        ));
        q.bind(id).sql(lock.to_string());
        q
    };
    let f: Finding = tx
        .fetch_optional(&read(tx.backend().for_update()), "cannot read the finding")
        .await?
        .ok_or_else(|| Error::NotFound(format!("no finding with id {id}")))?;
    if f.version != version {
        return Err(Error::Stale {
            message: format!(
                "finding {id} changed since you saw it (version {version}, now {}: {}); \
                 nothing was written",
                f.version, f.status
            ),
            current: serde_json::to_value(&f).unwrap_or(Value::Null),
        });
    }
    if f.status != "open" {
        return Err(Error::validation(format!(
            "finding {id} is {}, not open",
            f.status
        )));
    }
    tx.execute(
        Query::new("UPDATE backoffice_findings SET status = 'accepted', accepted_by = ")
            .bind(ctx.operator.username())
            .sql(", accepted_reason = ")
            .bind(reason.as_str())
            .sql(", version = version + 1 WHERE id = ")
            .bind(id),
        "cannot accept the finding",
    )
    .await?;
    let (mut before, mut after) = (Map::new(), Map::new());
    before.insert("status".into(), json!("open"));
    after.insert("status".into(), json!("accepted"));
    audit::append(
        &mut tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action: "finding.accept",
            entity_type: "finding",
            entity_id: id.to_string(),
            before: Some(before),
            after: Some(after),
            reason: Some(&reason),
        },
    )
    .await?;
    let f: Finding = tx.fetch_one(&read(""), "cannot read the finding").await?;
    tx.commit().await?;
    Ok(f)
}
