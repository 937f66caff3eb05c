//! A validation run: every chosen rule swept over the whole database in one
//! transaction, findings upserted by the database itself, progress after
//! each rule, and nothing left behind when it is cancelled or fails.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use super::rules::{rule, Check, Params, Rule, Scope, RULES};
use crate::db::{Query, WriteTx};
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::stats::table_counts;
use crate::{Error, Result};

/// Addresses read per page by the email syntax rule.
const EMAIL_PAGE: i64 = 5_000;
/// Flagged addresses written per statement.
const EMAIL_BATCH: usize = 500;

#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub rule_id: String,
    /// Records flagged by this run.
    pub findings: u64,
    /// …of which were not flagged before.
    pub new: u64,
    /// Findings of earlier runs no longer flagged.
    pub resolved: u64,
    pub rows_examined: u64,
    pub millis: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub rules: Vec<RuleResult>,
    pub rows_examined: u64,
    pub findings: u64,
    pub new: u64,
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
                "INSERT INTO admin_validation_runs (started_at, finished_at, operator, rules, \
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
        match &r.check {
            Check::Sql(sql) => {
                let select = sql(tx.backend(), params, &Scope::All);
                upsert(&mut tx, r, run_id, ctx.now, select).await?;
            }
            Check::Emails(flags) => emails(&mut tx, r, *flags, run_id, ctx.now, cancel).await?,
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
        Query::new("UPDATE admin_validation_runs SET finished_at = ")
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

/// `INSERT INTO admin_findings … SELECT` over the rule's flagged ids (or
/// the given rows), updating findings already on record.
async fn upsert(
    tx: &mut WriteTx,
    r: &Rule,
    run_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    select: Query,
) -> Result<()> {
    let mut q = Query::new(
        "INSERT INTO admin_findings (rule_id, entity_type, entity_id, status, first_run, \
         last_run, first_seen_at, last_seen_at) SELECT ",
    );
    q.bind(r.id)
        .sql(", ")
        .bind(r.entity)
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

/// A rule judged in Rust: addresses in id order, a page at a time, through
/// its test; the flagged ids go back to the database in batches.
async fn emails(
    tx: &mut WriteTx,
    r: &Rule,
    flags: fn(&str, &str) -> bool,
    run_id: i64,
    now: chrono::DateTime<chrono::Utc>,
    cancel: &CancelToken,
) -> Result<()> {
    let mut after = 0i64;
    let mut bad: Vec<i64> = Vec::new();
    loop {
        cancel.check()?;
        let page: Vec<(i64, String, String)> = tx
            .fetch_all(
                Query::new(format!(
                    "SELECT id, email, {} AS email_normalized FROM users WHERE id > ",
                    tx.backend().text("email_normalized")
                ))
                .bind(after)
                .sql(format!(" ORDER BY id LIMIT {EMAIL_PAGE}")),
                "cannot read email addresses",
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let full = page.len() as i64 == EMAIL_PAGE;
        bad.extend(
            page.into_iter()
                .filter(|(_, email, normalized)| flags(email, normalized))
                .map(|(id, _, _)| id),
        );
        while bad.len() >= EMAIL_BATCH || (!full && !bad.is_empty()) {
            let take = bad.len().min(EMAIL_BATCH);
            let ids: Vec<i64> = bad.drain(..take).collect();
            let mut select = Query::new("SELECT id FROM users WHERE id IN ");
            select.bind_list(ids);
            upsert(tx, r, run_id, now, select).await?;
        }
        if !full {
            break;
        }
    }
    Ok(())
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
            Query::new("UPDATE admin_findings SET status = 'resolved', resolved_at = ")
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
                "SELECT COUNT(*), {} FROM admin_findings WHERE rule_id = ",
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
