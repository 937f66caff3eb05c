//! A validation run: every chosen rule swept over the whole database in one
//! transaction, findings upserted by the database itself, progress after
//! each rule, and nothing left behind when it is cancelled or fails.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use serde::Serialize;

use tokio::task::JoinHandle;

use super::flagged::flagged;
use super::rules::{rule, Check, Params, Rule, Scope, RULES};
use crate::db::{Db, Query, Source, WriteTx};
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::stats::table_counts;
use crate::{Error, Result};

/// Flagged ids recorded per statement when they come from outside it.
const IDS_PER_STATEMENT: usize = 500;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RuleResult {
    pub rule_id: String,
    /// Records flagged by this run.
    #[ts(type = "number")]
    pub findings: u64,
    /// …of which were not flagged before.
    #[ts(type = "number")]
    pub new: u64,
    /// Findings of earlier runs no longer flagged.
    #[ts(type = "number")]
    pub resolved: u64,
    #[ts(type = "number")]
    pub rows_examined: u64,
    #[ts(type = "number")]
    pub millis: u64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RunReport {
    #[ts(type = "number")]
    pub run_id: i64,
    pub rules: Vec<RuleResult>,
    #[ts(type = "number")]
    pub rows_examined: u64,
    #[ts(type = "number")]
    pub findings: u64,
    #[ts(type = "number")]
    pub new: u64,
    #[ts(type = "number")]
    pub resolved: u64,
    pub seconds: f64,
}

/// The rules to run: all of them, or those named (unknown names refused).
fn chosen(ids: &[String]) -> Result<Vec<&'static Rule>> {
    if ids.is_empty() {
        return Ok(RULES.iter().collect());
    }
    ids.iter()
        .map(|id| {
            rule(id).ok_or_else(|| {
                Error::validation(format!("no rule '{id}'; `validate rules` lists them"))
            })
        })
        .collect()
}

/// Runs the rules and records the run; returns what it found.
pub async fn run(
    ctx: &Ctx<'_>,
    rule_ids: &[String],
    params: &Params,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<RunReport> {
    ctx.require(Permission::RunValidation)?;
    let rules = chosen(rule_ids)?;
    let started = Instant::now();
    let sizes: HashMap<String, i64> = table_counts(ctx.db)
        .await?
        .into_iter()
        .map(|c| (c.table, c.rows))
        .collect();
    let mut tx = ctx.db.begin_write("run validation").await?;
    let names: Vec<&str> = rules.iter().map(|r| r.id).collect();
    // Every backend here (SQLite 3.35+, PostgreSQL, MariaDB 10.5+) has
    // INSERT … RETURNING.
    let (run_id,): (i64,) = tx
        .fetch_one(
            Query::new(
                "INSERT INTO backoffice_validation_runs (started_at, finished_at, operator, rules, \
             rows_examined, findings, new_findings, resolved) VALUES (",
            )
            .bind(ctx.now)
            .sql(", ")
            .bind(ctx.now)
            .sql(", ")
            .bind(ctx.operator.username())
            .sql(", ")
            .bind(names.join(","))
            .sql(", 0, 0, 0, 0) RETURNING id"),
            "cannot record the run",
        )
        .await?;

    let mut ahead = ReadAhead::new(ctx.db, &rules, params, cancel);
    let mut results = Vec::with_capacity(rules.len());
    let (mut examined, mut found) = (0u64, 0u64);
    for (n, r) in rules.iter().enumerate() {
        cancel.check()?;
        progress.report(Progress {
            stage: format!(
                "{} ({} of {}): {examined} rows examined, {found} findings so far",
                r.id,
                n + 1,
                rules.len()
            ),
            done: n as u64,
            total: rules.len() as u64,
        });
        let t = Instant::now();
        if let Some(ids) = ahead.next().await? {
            upsert_ids(&mut tx, r, run_id, ctx.now, ids).await?;
        } else if let Check::Sql(sql) = &r.check {
            let select = sql(tx.backend(), params, &Scope::All);
            upsert(&mut tx, r, run_id, ctx.now, select).await?;
        } else {
            let mut src = Source::Tx(&mut tx);
            let ids = flagged(&mut src, r, params, &Scope::All, cancel).await?;
            upsert_ids(&mut tx, r, run_id, ctx.now, ids).await?;
        }
        let mut result = tally(&mut tx, r, run_id, ctx.now).await?;
        result.rows_examined = sizes.get(r.table).copied().unwrap_or(0).max(0) as u64;
        result.millis = t.elapsed().as_millis() as u64;
        examined += result.rows_examined;
        found += result.findings;
        results.push(result);
    }
    cancel.check()?;
    let new: u64 = results.iter().map(|r| r.new).sum();
    let resolved: u64 = results.iter().map(|r| r.resolved).sum();
    let count = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.execute(
        Query::new("UPDATE backoffice_validation_runs SET finished_at = ")
            .bind(ctx.now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default())
            .sql(", rows_examined = ")
            .bind(count(examined))
            .sql(", findings = ")
            .bind(count(found))
            .sql(", new_findings = ")
            .bind(count(new))
            .sql(", resolved = ")
            .bind(count(resolved))
            .sql(" WHERE id = ")
            .bind(run_id),
        "cannot record the run",
    )
    .await?;
    tx.commit().await?;
    progress.report(Progress {
        stage: format!("done: {examined} rows examined, {found} findings"),
        done: rules.len() as u64,
        total: rules.len() as u64,
    });
    Ok(RunReport {
        run_id,
        rules: results,
        rows_examined: examined,
        findings: found,
        new,
        resolved,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `INSERT INTO backoffice_findings … SELECT` over the rule's flagged ids (or
/// the given rows), updating findings already on record.
async fn upsert(
    tx: &mut WriteTx,
    r: &Rule,
    run_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    select: Query,
) -> Result<()> {
    let mut q = Query::new(
        "INSERT INTO backoffice_findings (rule_id, entity_type, entity_id, status, first_run, \
         last_run, first_seen_at, last_seen_at) SELECT ",
    );
    q.bind(r.id)
        .sql(", ")
        .bind(r.entity.as_str())
        .sql(", flagged.id, 'open', ")
        .bind(run_id)
        .sql(", ")
        .bind(run_id)
        .sql(", ")
        .bind(now)
        .sql(", ")
        .bind(now)
        .sql(" FROM (")
        .append(select)
        // SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
        .sql(") flagged WHERE 1 = 1")
        .sql(tx.backend().upsert_finding());
    tx.execute(&q, "cannot record findings").await.map(|_| ())
}

/// Records findings for ids computed outside the statement, in batches.
async fn upsert_ids(
    tx: &mut WriteTx,
    r: &Rule,
    run_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    mut ids: Vec<i64>,
) -> Result<()> {
    ids.sort_unstable();
    ids.dedup();
    let table = r.entity.table();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut select = Query::new(format!("SELECT id FROM {table} WHERE id IN "));
        select.bind_list(chunk.iter().copied());
        upsert(tx, r, run_id, now, select).await?;
    }
    Ok(())
}

/// On SQLite, the flagged ids of the next rules, computed on read
/// connections while the run's transaction records the previous ones: the
/// rules are CPU-bound scans and a second core halves the sweep. The reads
/// see what the transaction sees, since it holds the only write lock and
/// the rules do not read what it writes. The servers run each rule as one
/// `INSERT … SELECT` inside the transaction instead.
struct ReadAhead {
    pending: VecDeque<JoinHandle<Result<Vec<i64>>>>,
    queue: VecDeque<&'static Rule>,
    db: Option<Db>,
    params: Params,
    cancel: CancelToken,
}

impl ReadAhead {
    const IN_FLIGHT: usize = 2;

    fn new(db: &Db, rules: &[&'static Rule], params: &Params, cancel: &CancelToken) -> Self {
        let mut ahead = ReadAhead {
            pending: VecDeque::new(),
            queue: rules.iter().copied().collect(),
            db: db.reads_beside_writes().then(|| db.clone()),
            params: params.clone(),
            cancel: cancel.clone(),
        };
        ahead.fill();
        ahead
    }

    fn fill(&mut self) {
        let Some(db) = &self.db else { return };
        while self.pending.len() < Self::IN_FLIGHT {
            let Some(r) = self.queue.pop_front() else {
                return;
            };
            let (db, params, cancel) = (db.clone(), self.params.clone(), self.cancel.clone());
            self.pending.push_back(tokio::spawn(async move {
                flagged(&mut Source::Pool(&db), r, &params, &Scope::All, &cancel).await
            }));
        }
    }

    /// The next rule's ids, or None when this backend does not read ahead.
    async fn next(&mut self) -> Result<Option<Vec<i64>>> {
        let Some(handle) = self.pending.pop_front() else {
            return Ok(None);
        };
        self.fill();
        let ids = handle
            .await
            .map_err(|e| Error::internal(format!("a validation rule stopped: {e}")))??;
        Ok(Some(ids))
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        for handle in &self.pending {
            handle.abort();
        }
    }
}

/// How many findings this rule has now, how many are new, and which of
/// its earlier findings are resolved because this run did not see them.
async fn tally(
    tx: &mut WriteTx,
    r: &Rule,
    run_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<RuleResult> {
    let resolved = tx
        .execute(
            Query::new("UPDATE backoffice_findings SET status = 'resolved', resolved_at = ")
                .bind(now)
                .sql(", version = version + 1 WHERE rule_id = ")
                .bind(r.id)
                .sql(" AND last_run < ")
                .bind(run_id)
                .sql(" AND status IN ('open', 'accepted')"),
            "cannot resolve findings",
        )
        .await?;
    let (findings, new): (i64, i64) = tx
        .fetch_one(
            Query::new(format!(
                "SELECT COUNT(*), {} FROM backoffice_findings WHERE rule_id = ",
                tx.backend()
                    .int64("COALESCE(SUM(CASE WHEN first_run = last_run THEN 1 ELSE 0 END), 0)")
            ))
            .bind(r.id)
            .sql(" AND last_run = ")
            .bind(run_id),
            "cannot count findings",
        )
        .await?;
    Ok(RuleResult {
        rule_id: r.id.to_string(),
        findings: findings.max(0) as u64,
        new: new.max(0) as u64,
        resolved,
        rows_examined: 0,
        millis: 0,
    })
}
