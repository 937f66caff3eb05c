//! A validation run: every chosen rule swept over the whole database in one
//! transaction, findings upserted by the database itself, progress after
//! each rule, and nothing left behind when it is cancelled or fails.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use serde::Serialize;

use tokio::task::JoinHandle;

use super::flagged::flagged;
use super::record;
use super::rules::{rule, Check, Params, Rule, Scope, RULES};
use crate::db::{Db, Source};
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::stats::table_counts;
use crate::{Error, Result};

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
    let run_id = record::start(&mut tx, ctx, &names).await?;

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
        let finds = record::Finds {
            rule_id: r.id,
            entity: r.entity,
            run_id,
            now: ctx.now,
            detail: false,
        };
        let ids = match (ahead.next().await?, &r.check) {
            (Some(ids), _) => ids,
            (None, Check::Sql(sql)) => {
                let select = sql(tx.backend(), params, &Scope::All);
                record::upsert(&mut tx, &finds, select).await?;
                Vec::new()
            }
            (None, _) => flagged(&mut Source::Tx(&mut tx), r, params, &Scope::All, cancel).await?,
        };
        let table = (r.entity.table(), "id");
        record::upsert_ids(&mut tx, &finds, table, ids).await?;
        let mut result = record::tally(&mut tx, r.id, run_id, ctx.now).await?;
        result.rows_examined = sizes.get(r.table).copied().unwrap_or(0).max(0) as u64;
        result.millis = t.elapsed().as_millis() as u64;
        examined += result.rows_examined;
        found += result.findings;
        results.push(result);
    }
    cancel.check()?;
    let finished = ctx.now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    record::finish(&mut tx, run_id, finished, &results).await?;
    tx.commit().await?;
    progress.report(Progress {
        stage: format!("done: {examined} rows examined, {found} findings"),
        done: rules.len() as u64,
        total: rules.len() as u64,
    });
    Ok(RunReport::of(
        run_id,
        results,
        started.elapsed().as_secs_f64(),
    ))
}

impl RunReport {
    /// The report of a run whose rules gave `rules`.
    pub(super) fn of(run_id: i64, rules: Vec<RuleResult>, seconds: f64) -> RunReport {
        let sum = |f: fn(&RuleResult) -> u64| rules.iter().map(f).sum();
        RunReport {
            run_id,
            rows_examined: sum(|r| r.rows_examined),
            findings: sum(|r| r.findings),
            new: sum(|r| r.new),
            resolved: sum(|r| r.resolved),
            rules,
            seconds,
        }
    }
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
