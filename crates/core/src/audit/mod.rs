//! The audit log: append-only, hash-chained, written in the same
//! transaction as the change it records. Nothing in the console updates or
//! deletes an entry; `verify` finds the first one someone else did.

mod chain;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::db::{Db, Query, WriteTx};
use crate::operators::Permission;
use crate::page::{by_id, Cursor, Page, PageRequest};
use crate::session::Ctx;
use crate::time::micros;
use crate::Result;

use chain::Hashed;
pub use chain::{verify, BadEntry, VerifyReport};

pub(crate) const ENTRY_COLUMNS: &str = "id, at, operator, action, entity_type, entity_id, \
     before_json, after_json, reason, prev_hash, hash";

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    operator: String,
    action: String,
    entity_type: String,
    entity_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
    reason: Option<String>,
    prev_hash: String,
    hash: String,
}

/// One audit entry as shown to people.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub operator: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The changed fields before and after (absent for actions that change
    /// nothing, such as revealing an email address).
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEntry {
            id: r.id,
            at: r.at,
            operator: r.operator,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            reason: r.reason,
            hash: r.hash,
        }
    }
}

/// What a change writes to the log. `before` and `after` hold only the
/// fields that changed; never passwords, hashes or tokens.
pub(crate) struct Record<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<Map<String, Value>>,
    pub after: Option<Map<String, Value>>,
    pub reason: Option<&'a str>,
}

/// Appends an entry inside the caller's transaction. Locking the chain's
/// head row orders concurrent appends, so each names the one before it.
pub(crate) async fn append(
    tx: &mut WriteTx,
    operator: &str,
    at: DateTime<Utc>,
    record: Record<'_>,
) -> Result<i64> {
    let lock = tx.backend().for_update();
    let (last_id, last_hash): (i64, String) = tx
        .fetch_one(
            Query::new("SELECT last_id, last_hash FROM backoffice_audit_head WHERE id = 1")
                .sql(lock),
            "cannot read the audit log's head",
        )
        .await?;
    let json = |m: Option<Map<String, Value>>| m.map(|m| Value::Object(m).to_string());
    let (before_json, after_json) = (json(record.before), json(record.after));
    let entry = Hashed {
        id: last_id + 1,
        at: micros(at),
        operator,
        action: record.action,
        entity_type: record.entity_type,
        entity_id: &record.entity_id,
        before_json: before_json.as_deref(),
        after_json: after_json.as_deref(),
        reason: record.reason,
        prev_hash: &last_hash,
    };
    let hash = entry.hash();
    let mut q = Query::new(format!(
        "INSERT INTO backoffice_audit_log ({ENTRY_COLUMNS}) VALUES ("
    ));
    q.bind(entry.id)
        .sql(", ")
        .bind(entry.at)
        .sql(", ")
        .bind(operator)
        .sql(", ")
        .bind(record.action)
        .sql(", ")
        .bind(record.entity_type)
        .sql(", ")
        .bind(record.entity_id.as_str())
        .sql(", ")
        .bind(before_json.clone())
        .sql(", ")
        .bind(after_json.clone())
        .sql(", ")
        .bind(record.reason)
        .sql(", ")
        .bind(last_hash.as_str())
        .sql(", ")
        .bind(hash.as_str())
        .sql(")");
    tx.execute(&q, "cannot write the audit entry").await?;
    tx.execute(
        Query::new("UPDATE backoffice_audit_head SET last_id = ")
            .bind(entry.id)
            .sql(", last_hash = ")
            .bind(hash)
            .sql(" WHERE id = 1"),
        "cannot move the audit log's head",
    )
    .await?;
    Ok(entry.id)
}

/// Takes the chain's lock early, for writers that must be ordered before
/// they decide what to write.
pub(crate) async fn lock_head(tx: &mut WriteTx) -> Result<()> {
    let lock = tx.backend().for_update();
    tx.fetch_one::<(i64,)>(
        Query::new("SELECT last_id FROM backoffice_audit_head WHERE id = 1").sql(lock),
        "cannot read the audit log's head",
    )
    .await
    .map(|_| ())
}

/// Filters for `audit list`; all optional, combined with AND.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct AuditFilter {
    pub operator: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    /// From this time (inclusive)…
    pub from: Option<DateTime<Utc>>,
    /// …until this time (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Oldest entries first (newest first by default).
    pub oldest_first: bool,
}

/// Newest first (or oldest), in keyset pages over the id.
pub async fn list(
    ctx: &Ctx<'_>,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditEntry>> {
    ctx.require(Permission::ReadAudit)?;
    let limit = page.limit()?;
    let mut q = Query::new(format!(
        "SELECT {ENTRY_COLUMNS} FROM backoffice_audit_log WHERE 1 = 1"
    ));
    let text = [
        ("operator", &filter.operator),
        ("entity_type", &filter.entity_type),
        ("entity_id", &filter.entity_id),
        ("action", &filter.action),
    ];
    for (column, value) in text {
        if let Some(v) = value {
            q.sql(format!(" AND {column} = ")).bind(v.as_str());
        }
    }
    if let Some(from) = filter.from {
        q.sql(" AND at >= ").bind(from);
    }
    if let Some(until) = filter.until {
        q.sql(" AND at < ").bind(until);
    }
    by_id(&mut q, page.after.as_deref(), filter.oldest_first, limit)?;
    let rows: Vec<AuditRow> = ctx.db.fetch_all(&q, "cannot read the audit log").await?;
    Ok(Page::from_rows(
        rows.into_iter().map(AuditEntry::from).collect(),
        limit,
        |e| Cursor {
            key: None,
            id: e.id,
        },
    ))
}

/// The latest entries about one entity, newest first (for detail views;
/// the caller has already checked that the operator may read the entity).
pub(crate) async fn for_entity(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    let rows: Vec<AuditRow> = db
        .fetch_all(
            Query::new(format!(
                "SELECT {ENTRY_COLUMNS} FROM backoffice_audit_log WHERE entity_type = "
            ))
            .bind(entity_type)
            .sql(" AND entity_id = ")
            .bind(entity_id)
            .sql(format!(" ORDER BY id DESC LIMIT {limit}")),
            "cannot read the audit log",
        )
        .await?;
    Ok(rows.into_iter().map(AuditEntry::from).collect())
}
