//! Recording a validation run, whatever schema it swept: the run's row,
//! findings upserted by the database itself from the flagged keys, and the
//! tally that resolves what a rule no longer flags. The reference schema's
//! sweep and a mapped back end's use the same rows.

use chrono::{DateTime, Utc};

use super::sweep::RuleResult;
use super::Entity;
use crate::db::{Query, WriteTx};
use crate::session::Ctx;
use crate::Result;

/// Flagged ids recorded per statement when they come from outside it.
const IDS_PER_STATEMENT: usize = 500;

/// The run's row, written first; its id.
pub(super) async fn start(tx: &mut WriteTx, ctx: &Ctx<'_>, rules: &[&str]) -> Result<i64> {
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
            .bind(rules.join(","))
            .sql(", 0, 0, 0, 0) RETURNING id"),
            "cannot record the run",
        )
        .await?;
    Ok(run_id)
}

/// The run's totals, once every rule is recorded.
pub(super) async fn finish(
    tx: &mut WriteTx,
    run_id: i64,
    finished_at: DateTime<Utc>,
    results: &[RuleResult],
) -> Result<()> {
    let count = |f: fn(&RuleResult) -> u64| {
        i64::try_from(results.iter().map(f).sum::<u64>()).unwrap_or(i64::MAX)
    };
    tx.execute(
        Query::new("UPDATE backoffice_validation_runs SET finished_at = ")
            .bind(finished_at)
            .sql(", rows_examined = ")
            .bind(count(|r| r.rows_examined))
            .sql(", findings = ")
            .bind(count(|r| r.findings))
            .sql(", new_findings = ")
            .bind(count(|r| r.new))
            .sql(", resolved = ")
            .bind(count(|r| r.resolved))
            .sql(" WHERE id = ")
            .bind(run_id),
        "cannot record the run",
    )
    .await
    .map(|_| ())
}

/// Whose findings are being recorded: a rule's, in a run.
#[derive(Clone, Copy)]
pub(super) struct Finds<'a> {
    pub rule_id: &'a str,
    pub entity: Entity,
    pub run_id: i64,
    pub now: DateTime<Utc>,
    /// Whether the rule's query also yields `detail`: how people name the
    /// record (an order's number).
    pub detail: bool,
}

/// `INSERT INTO backoffice_findings … SELECT` over a rule's flagged ids
/// (`select` yields them as `id`), updating findings already on record.
pub(super) async fn upsert(tx: &mut WriteTx, f: &Finds<'_>, select: Query) -> Result<()> {
    let mut q = Query::new(
        "INSERT INTO backoffice_findings (rule_id, entity_type, entity_id, detail, status, \
         first_run, last_run, first_seen_at, last_seen_at) SELECT ",
    );
    let detail = if f.detail { "flagged.detail" } else { "NULL" };
    q.bind(f.rule_id)
        .sql(", ")
        .bind(f.entity.as_str())
        .sql(format!(", flagged.id, {detail}, 'open', "))
        .bind(f.run_id)
        .sql(", ")
        .bind(f.run_id)
        .sql(", ")
        .bind(f.now)
        .sql(", ")
        .bind(f.now)
        .sql(" FROM (")
        .append(select)
        // SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
        .sql(") flagged WHERE 1 = 1")
        .sql(tx.backend().upsert_finding());
    tx.execute(&q, "cannot record findings").await.map(|_| ())
}

/// Records findings for ids computed outside the statement, in batches:
/// each batch is read back from `table` by its integer `key` column, so
/// only records that exist are recorded.
pub(super) async fn upsert_ids(
    tx: &mut WriteTx,
    f: &Finds<'_>,
    (table, key): (&str, &str),
    mut ids: Vec<i64>,
) -> Result<()> {
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut select = Query::new(format!("SELECT {key} AS id FROM {table} WHERE {key} IN "));
        select.bind_list(chunk.iter().copied());
        let by_id = Finds {
            detail: false,
            ..*f
        };
        upsert(tx, &by_id, select).await?;
    }
    Ok(())
}

/// How many findings this rule has now, how many are new, and which of
/// its earlier findings are resolved because this run did not see them.
pub(super) async fn tally(
    tx: &mut WriteTx,
    rule_id: &str,
    run_id: i64,
    now: DateTime<Utc>,
) -> Result<RuleResult> {
    let resolved = tx
        .execute(
            Query::new("UPDATE backoffice_findings SET status = 'resolved', resolved_at = ")
                .bind(now)
                .sql(", version = version + 1 WHERE rule_id = ")
                .bind(rule_id)
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
            .bind(rule_id)
            .sql(" AND last_run = ")
            .bind(run_id),
            "cannot count findings",
        )
        .await?;
    Ok(RuleResult {
        rule_id: rule_id.to_string(),
        findings: findings.max(0) as u64,
        new: new.max(0) as u64,
        resolved,
        rows_examined: 0,
        millis: 0,
    })
}
