//! Mechanical fixes for findings: a preview of every row a fix would
//! change, then exactly that preview applied, one record per transaction,
//! each with its audit entry, its findings marked fixed, and the guarding
//! rules checked. Findings that need judgement (duplicate accounts, refunds
//! over the paid amount) have no fix; their explanation says what to do.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fix_catalogue::{find, plan, Fix};
use super::guard::{Touched, Watch};
use crate::db::query::Arg;
use crate::db::{Query, Source, WriteTx};
use crate::error::ErrorBody;
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

/// At most this many records per preview; apply it and preview again for
/// the rest.
pub const MAX_FIX_RECORDS: usize = 10_000;

/// One column of one row, before and after.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct FieldChange {
    pub column: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
    /// The typed value written; not part of what the operator sees.
    #[serde(skip)]
    #[ts(skip)]
    pub(crate) value: Option<Arg>,
}

impl PartialEq for FieldChange {
    fn eq(&self, other: &Self) -> bool {
        (&self.column, &self.before, &self.after) == (&other.column, &other.before, &other.after)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RowChange {
    pub table: String,
    #[ts(type = "number")]
    pub id: i64,
    pub fields: Vec<FieldChange>,
}

/// Everything a fix changes for one record; the first row is the record
/// itself (its version is bumped even when none of its own columns move).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct EntityFix {
    pub entity_type: String,
    #[ts(type = "number")]
    pub entity_id: i64,
    /// The record's version the plan was read at.
    #[ts(type = "number")]
    pub version: i64,
    pub rows: Vec<RowChange>,
    /// What the operator should know, e.g. a paid order whose total moves.
    pub note: Option<String>,
    /// The currency of the money columns (`…_cents`), where the record has
    /// one, so a preview shows "€262.82" rather than 26282.
    #[serde(default)]
    pub currency: Option<String>,
}

/// A record a fix leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Skipped {
    #[ts(type = "number")]
    pub entity_id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct FixPreview {
    pub fix_id: String,
    pub changes: Vec<EntityFix>,
    pub skipped: Vec<Skipped>,
    /// More open findings than one preview takes were left for later.
    pub more: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FixReport {
    pub fix_id: String,
    pub applied: Vec<EntityFix>,
    /// Left alone when applying: changed since the preview, or refused by
    /// a guarding rule.
    pub skipped: Vec<Skipped>,
    pub cancelled: bool,
    /// What stopped the run before the end (the database went away…); the
    /// records in `applied` stay fixed and audited.
    pub stopped_by: Option<ErrorBody>,
}

/// What the fix would change: for the records given, or for every record
/// with an open finding of the fix's rules. Nothing is written.
/// The fixes write the reference schema's tables: on a back end read
/// through a mapping none is offered, since its own tools correct it.
async fn on_the_reference_schema(ctx: &Ctx<'_>) -> Result<()> {
    match ctx.db.schema_status().await? {
        crate::db::SchemaStatus::Current { demo: true, .. } => Ok(()),
        _ => Err(Error::validation(
            "no mechanical fix is offered on a back end read through a mapping: its findings \
             are corrected with the back end's own tools (or accepted, with a reason)",
        )),
    }
}

pub async fn preview(ctx: &Ctx<'_>, fix_id: &str, only: &[i64]) -> Result<FixPreview> {
    ctx.require(Permission::ReadFindings)?;
    on_the_reference_schema(ctx).await?;
    let f = find(fix_id)?;
    let mut q =
        Query::new("SELECT DISTINCT entity_id FROM backoffice_findings WHERE status = 'open'");
    q.sql(" AND entity_type = ")
        .bind(f.entity.as_str())
        .sql(" AND rule_id IN ")
        .bind_list(f.rules.iter().copied());
    if !only.is_empty() {
        q.sql(" AND entity_id IN ").bind_list(only.iter().copied());
    }
    q.sql(format!(" ORDER BY entity_id LIMIT {}", MAX_FIX_RECORDS + 1));
    let mut ids: Vec<(i64,)> = ctx.db.fetch_all(&q, "cannot read the findings").await?;
    let more = ids.len() > MAX_FIX_RECORDS;
    ids.truncate(MAX_FIX_RECORDS);
    let mut out = FixPreview {
        fix_id: f.id.into(),
        changes: Vec::new(),
        skipped: Vec::new(),
        more,
    };
    for id in only.iter().filter(|i| !ids.iter().any(|(x,)| x == *i)) {
        out.skipped.push(Skipped {
            entity_id: *id,
            reason: format!("{} {id} has no open finding this fix applies to", f.entity),
        });
    }
    for (id,) in ids {
        match plan(f, &mut Source::Pool(ctx.db), id, ctx.now, false).await? {
            Ok(change) => out.changes.push(change),
            Err(reason) => out.skipped.push(Skipped {
                entity_id: id,
                reason,
            }),
        }
    }
    Ok(out)
}

/// Applies a preview the operator confirmed: each record in its own
/// transaction, exactly as previewed, or skipped with the reason (changed
/// since, or refused by a guarding rule). Cancelling stops between records.
pub async fn apply(
    ctx: &Ctx<'_>,
    seen: &FixPreview,
    reason: Option<&str>,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<FixReport> {
    ctx.require(Permission::ApplyFixes)?;
    ctx.db.ensure_writable("apply a fix")?;
    on_the_reference_schema(ctx).await?;
    let f = find(&seen.fix_id)?;
    let reason = Some(crate::reason::required("apply this fix", reason)?);
    let mut report = FixReport {
        fix_id: f.id.into(),
        applied: Vec::new(),
        skipped: Vec::new(),
        cancelled: false,
        stopped_by: None,
    };
    let total = seen.changes.len() as u64;
    for (n, want) in seen.changes.iter().enumerate() {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        progress.report(Progress {
            stage: format!("{} {} ({} of {total})", f.entity, want.entity_id, n + 1),
            done: n as u64,
            total,
        });
        match apply_one(ctx, f, want, reason.as_deref()).await {
            Ok(Ok(done)) => report.applied.push(done),
            Ok(Err(skipped)) => report.skipped.push(skipped),
            Err(e) => {
                report.stopped_by = Some(ErrorBody::from(&e));
                break;
            }
        }
    }
    progress.report(Progress {
        stage: format!(
            "{} applied, {} skipped",
            report.applied.len(),
            report.skipped.len()
        ),
        done: total,
        total,
    });
    Ok(report)
}

/// One record: planned again under lock, written if it still equals what
/// the operator saw, else skipped with the reason (changed since, no longer
/// applies, or refused by a guarding rule).
async fn apply_one(
    ctx: &Ctx<'_>,
    f: &'static Fix,
    want: &EntityFix,
    reason: Option<&str>,
) -> Result<std::result::Result<EntityFix, Skipped>> {
    let edit = FixEdit { f, want, reason };
    match write::apply(ctx, &edit).await {
        Ok(()) => Ok(Ok(want.clone())),
        Err(Error::Stale { message, .. }) | Err(Error::Validation(message)) => Ok(Err(Skipped {
            entity_id: want.entity_id,
            reason: message,
        })),
        Err(e) => Err(e),
    }
}

/// One record's fix, as the write path runs it.
struct FixEdit<'a> {
    f: &'static Fix,
    want: &'a EntityFix,
    reason: Option<&'a str>,
}

impl Edit for FixEdit<'_> {
    const DOING: &'static str = "apply a fix";
    type State = EntityFix;
    type Plan = ();
    type Done = ();

    async fn read(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<EntityFix> {
        let (f, id) = (self.f, self.want.entity_id);
        let now = plan(f, &mut Source::Tx(tx), id, ctx.now, true)
            .await?
            .map_err(|why| Error::validation(format!("no longer applies: {why}")))?;
        if now != *self.want {
            return Err(Error::Stale {
                message: format!(
                    "{} {id} changed since the preview; nothing was written — preview again",
                    f.entity
                ),
                current: serde_json::Value::Null,
            });
        }
        Ok(now)
    }

    fn plan(&self, _: &Ctx<'_>, _: &EntityFix) -> Result<()> {
        Ok(())
    }

    fn touched(&self, p: &EntityFix, _: &()) -> Option<Watch<'_>> {
        Some(Touched::of(self.f.entity, p.entity_id).into())
    }

    async fn write(&self, tx: &mut WriteTx, ctx: &Ctx<'_>, p: &EntityFix, _: &()) -> Result<Entry> {
        write_fix(ctx, tx, self.f, p, self.reason).await
    }

    async fn after(&self, _: &mut WriteTx, _: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
}

/// The writes of one record's fix and its findings marked fixed; the
/// audit entry that says so.
async fn write_fix(
    ctx: &Ctx<'_>,
    tx: &mut WriteTx,
    f: &Fix,
    p: &EntityFix,
    reason: Option<&str>,
) -> Result<Entry> {
    let (mut before, mut after) = (Map::new(), Map::new());
    for (n, row) in p.rows.iter().enumerate() {
        let mut q = Query::new(format!("UPDATE {} SET ", row.table));
        for (i, c) in row.fields.iter().enumerate() {
            let value = c.value.clone().ok_or_else(|| {
                Error::Internal(format!("fix {}: no value for {}", f.id, c.column))
            })?;
            if i > 0 {
                q.sql(", ");
            }
            q.sql(format!("{} = ", c.column)).bind(value);
            let key = if n == 0 {
                c.column.clone()
            } else {
                format!("{}.{}.{}", row.table, row.id, c.column)
            };
            before.insert(key.clone(), c.before.clone());
            after.insert(key, c.after.clone());
        }
        if n == 0 {
            // The record itself: its version moves whatever else does.
            if !row.fields.is_empty() {
                q.sql(", ");
            }
            q.sql("version = version + 1, updated_at = ")
                .bind(ctx.now)
                .sql(" WHERE id = ")
                .bind(row.id)
                .sql(" AND version = ")
                .bind(p.version);
        } else {
            q.sql(" WHERE id = ").bind(row.id);
        }
        if tx.execute(&q, "cannot apply the fix").await? != 1 {
            return Err(Error::Conflict(format!(
                "{} {} changed while the fix was applied; nothing was written",
                f.entity, p.entity_id
            )));
        }
    }
    tx.execute(
        Query::new("UPDATE backoffice_findings SET status = 'fixed', resolved_at = ")
            .bind(ctx.now)
            .sql(", version = version + 1 WHERE entity_type = ")
            .bind(f.entity.as_str())
            .sql(" AND entity_id = ")
            .bind(p.entity_id)
            .sql(" AND status IN ('open', 'accepted') AND rule_id IN ")
            .bind_list(f.rules.iter().copied()),
        "cannot mark the findings fixed",
    )
    .await?;
    Ok(Entry {
        action: f.audit_action,
        entity: f.entity,
        id: p.entity_id.to_string(),
        before,
        after,
        reason: Some(reason.map_or_else(|| format!("fix {}", f.id), str::to_string)),
    })
}
