//! A validation run over a mapped back end: the chosen rules, each one
//! set-based query over the back end's tables (the address rule pages
//! through the addresses in Rust), findings recorded in one transaction
//! with the run, progress after each rule, nothing left on cancel.

use std::collections::HashMap;
use std::time::Instant;

use super::checks::{Addresses, On, Plan};
use super::{MappedRule, MAPPED_RULES};
use crate::db::{Query, WriteTx};
use crate::mapping::Mapping;
use crate::operators::Permission;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::stats::mapped_table_counts;
use crate::users::address::is_deliverable;
use crate::validation::record;
use crate::validation::sweep::RunReport;
use crate::{Error, Result};

/// Addresses read per page by the address rule.
const EMAIL_PAGE: i64 = 5_000;

/// The rules to run with their plans: every one that can run here, or
/// those named (an unknown or unavailable one refused, with the reason).
fn chosen<'r>(on: &On, ids: &[String]) -> Result<Vec<(&'r MappedRule, Plan)>> {
    if ids.is_empty() {
        let runnable: Vec<(&MappedRule, Plan)> = MAPPED_RULES
            .iter()
            .filter_map(|r| (r.check)(on).ok().map(|p| (r, p)))
            .collect();
        if runnable.is_empty() {
            return Err(Error::validation(
                "no rule can run on this back end: `validate rules` says what each one needs",
            ));
        }
        return Ok(runnable);
    }
    ids.iter()
        .map(|id| {
            let r = super::rule(id).ok_or_else(|| {
                Error::validation(format!(
                    "no rule '{id}' runs on a mapped back end; `validate rules` lists them"
                ))
            })?;
            let plan = (r.check)(on).map_err(|why| {
                Error::validation(format!("{id} cannot run on this back end: {why}"))
            })?;
            Ok((r, plan))
        })
        .collect()
}

/// Runs the rules over the back end and records the run.
pub async fn run(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    rule_ids: &[String],
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<RunReport> {
    ctx.require(Permission::RunValidation)?;
    let on = On::read(ctx.db, mapping).await?;
    let rules = chosen(&on, rule_ids)?;
    let started = Instant::now();
    let sizes: HashMap<String, i64> = mapped_table_counts(ctx.db, mapping)
        .await?
        .into_iter()
        .map(|c| (c.table, c.rows))
        .collect();
    let mut tx = ctx.db.begin_write("run validation").await?;
    let names: Vec<&str> = rules.iter().map(|(r, _)| r.id).collect();
    let run_id = record::start(&mut tx, ctx, &names).await?;
    let mut results = Vec::with_capacity(rules.len());
    let total = rules.len() as u64;
    for (n, (r, plan)) in rules.into_iter().enumerate() {
        cancel.check()?;
        progress.report(Progress {
            stage: format!("{} ({} of {total})", r.id, n + 1),
            done: n as u64,
            total,
        });
        let t = Instant::now();
        let finds = record::Finds {
            rule_id: r.id,
            entity: r.entity,
            run_id,
            now: ctx.now,
            detail: false,
        };
        match plan {
            Plan::Sql { select, detail } => {
                let finds = record::Finds { detail, ..finds };
                record::upsert(&mut tx, &finds, select).await?
            }
            Plan::Emails(a) => {
                let ids = undeliverable(&mut tx, &on, &a, cancel).await?;
                record::upsert_ids(&mut tx, &finds, (&a.table, &a.key), ids).await?
            }
        }
        let mut result = record::tally(&mut tx, r.id, run_id, ctx.now).await?;
        let table = on.reads(r.reads).unwrap_or_default();
        result.rows_examined = sizes.get(table).copied().unwrap_or(0).max(0) as u64;
        result.millis = t.elapsed().as_millis() as u64;
        results.push(result);
    }
    cancel.check()?;
    let finished = ctx.now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    record::finish(&mut tx, run_id, finished, &results).await?;
    tx.commit().await?;
    let report = RunReport::of(run_id, results, started.elapsed().as_secs_f64());
    progress.report(Progress {
        stage: format!(
            "done: {} rows examined, {} findings",
            report.rows_examined, report.findings
        ),
        done: total,
        total,
    });
    Ok(report)
}

/// The keys of the users (of those `within` names, in a guard) whose
/// address does not parse, a page at a time in key order (blank addresses
/// left out).
pub(super) async fn undeliverable(
    tx: &mut WriteTx,
    on: &On<'_>,
    a: &Addresses,
    cancel: &CancelToken,
) -> Result<Vec<i64>> {
    let (table, key, email) = (&a.table, &a.key, &a.email);
    let (k, e) = (on.s.int(key), on.s.text(email));
    let mut flagged = Vec::new();
    let mut after = i64::MIN;
    loop {
        cancel.check()?;
        let mut q = Query::new(format!(
            "SELECT {k}, {e} FROM {table} WHERE {email} IS NOT NULL AND {email} <> ''"
        ));
        q.append(a.within.clone())
            .sql(format!(" AND {key} > "))
            .bind(after)
            .sql(format!(" ORDER BY {key} LIMIT {EMAIL_PAGE}"));
        let page: Vec<(i64, String)> = tx.fetch_all(&q, "cannot read the addresses").await?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        let full = page.len() as i64 == EMAIL_PAGE;
        flagged.extend(
            page.into_iter()
                .filter(|(_, address)| !is_deliverable(address))
                .map(|(id, _)| id),
        );
        if !full {
            break;
        }
    }
    Ok(flagged)
}
