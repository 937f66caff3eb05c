//! The hash chain over the audit log, and its verification.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{AuditRow, ENTRY_COLUMNS};
use crate::db::Query;
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::{Error, Result};

/// The fields an entry's hash covers, in a fixed order.
pub(super) struct Hashed<'a> {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub operator: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before_json: Option<&'a str>,
    pub after_json: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub prev_hash: &'a str,
}

impl Hashed<'_> {
    /// SHA-256 over a JSON array of the fields: unambiguous, whatever the
    /// fields contain.
    pub fn hash(&self) -> String {
        let fields = (
            self.id,
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.operator,
            self.action,
            self.entity_type,
            self.entity_id,
            self.before_json,
            self.after_json,
            self.reason,
            self.prev_hash,
        );
        let bytes = serde_json::to_vec(&fields).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

impl AuditRow {
    fn hashed(&self) -> Hashed<'_> {
        Hashed {
            id: self.id,
            at: self.at,
            operator: &self.operator,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            before_json: self.before_json.as_deref(),
            after_json: self.after_json.as_deref(),
            reason: self.reason.as_deref(),
            prev_hash: &self.prev_hash,
        }
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct VerifyReport {
    /// Entries read.
    #[ts(type = "number")]
    pub checked: u64,
    /// The first entry that is not what was written, if any.
    pub first_bad: Option<BadEntry>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BadEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub problem: String,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

const PAGE: i64 = 1_000;

/// Walks the whole log in id order, checking that ids run without gaps,
/// each entry names its predecessor's hash, each hash matches the entry's
/// fields, and the chain's head points at the last entry.
pub async fn verify(
    ctx: &Ctx<'_>,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<VerifyReport> {
    ctx.require(Permission::ReadAudit)?;
    let db = ctx.db;
    let (total,): (i64,) = db
        .fetch_one(
            &Query::new("SELECT last_id FROM backoffice_audit_head WHERE id = 1"),
            "cannot read the audit log's head",
        )
        .await?;
    let mut report = VerifyReport {
        checked: 0,
        first_bad: None,
    };
    let bad = |id: i64, problem: String| Some(BadEntry { id, problem });
    let (mut last_id, mut last_hash) = (0i64, String::new());
    loop {
        if cancel.is_cancelled() {
            return Err(Error::validation("audit verification cancelled"));
        }
        let rows: Vec<AuditRow> = db
            .fetch_all(
                Query::new(format!(
                    "SELECT {ENTRY_COLUMNS} FROM backoffice_audit_log WHERE id > "
                ))
                .bind(last_id)
                .sql(format!(" ORDER BY id LIMIT {PAGE}")),
                "cannot read the audit log",
            )
            .await?;
        let done = (rows.len() as i64) < PAGE;
        for row in rows {
            report.checked += 1;
            let problem = if row.id != last_id + 1 {
                Some(format!(
                    "entries {} to {} are missing (deleted?)",
                    last_id + 1,
                    row.id - 1
                ))
            } else if row.prev_hash != last_hash {
                Some(format!(
                    "does not follow entry {last_id}: the chain is broken there"
                ))
            } else if row.hashed().hash() != row.hash {
                Some("was changed after it was written: its hash does not match".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                report.first_bad = bad(row.id, problem);
                return Ok(report);
            }
            last_id = row.id;
            last_hash = row.hash;
        }
        progress.report(Progress {
            stage: "audit entries".into(),
            done: report.checked,
            total: total.max(0) as u64,
        });
        if done {
            break;
        }
    }
    let head: (i64, String) = db
        .fetch_one(
            &Query::new("SELECT last_id, last_hash FROM backoffice_audit_head WHERE id = 1"),
            "cannot read the audit log's head",
        )
        .await?;
    if head.0 != last_id || head.1 != last_hash {
        report.first_bad = bad(
            last_id + 1,
            format!(
                "the log ends at entry {last_id} but {} entries were written (deleted from the end?)",
                head.0
            ),
        );
    }
    Ok(report)
}
