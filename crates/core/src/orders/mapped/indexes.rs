//! Indexes that speed up work over a back end's orders, proposed by
//! `schema indexes` beside the users' search indexes and built only when
//! an administrator asks.
//!
//! A shop's own indexes serve the order list and the story (the number,
//! the customer, the lines by order). What they leave to the table is the
//! sweep's totals check, which adds up every order's lines: an index on
//! the lines' order and amounts lets every backend read those from the
//! index alone, in order, without visiting the table.

use super::shop_of;
use crate::db::{Backend, Db, Query};
use crate::mapping::query::Sql;
use crate::mapping::{ItemsMap, Mapping};
use crate::progress::{CancelToken, ProgressSink};
use crate::users::mapped::indexes::{build_missing, index_valid, IndexPlan, Proposal};
use crate::Result;

/// The columns the totals check reads from each line, in index order.
fn line_columns(i: &ItemsMap) -> Option<Vec<&str>> {
    // Lines kept as meta rows or among other items are read through a
    // derived table, which no index on one table can cover.
    if i.meta.is_some() || !i.only.is_empty() {
        return None;
    }
    let mut columns = vec![i.order.as_str()];
    match (&i.line_total, &i.unit_price) {
        (Some(t), _) => columns.push(t),
        (None, Some(p)) => columns.extend([i.quantity.as_str(), p]),
        (None, None) => return None,
    }
    Some(columns)
}

/// What would make the work over orders fast here.
pub async fn propose(db: &Db, m: &Mapping) -> Result<IndexPlan> {
    shop_of(m)?;
    let Some(i) = &m.items else {
        return Ok(IndexPlan {
            proposals: Vec::new(),
            note: Some("no order lines are mapped: nothing to propose for orders".into()),
        });
    };
    let Some(columns) = line_columns(i) else {
        return Ok(IndexPlan {
            proposals: Vec::new(),
            note: Some(format!(
                "the lines of {} are read through a derived table (meta rows, or rows \
                 shared with other items), which no index on one table covers: nothing \
                 to propose for orders",
                i.table
            )),
        });
    };
    let s = Sql::of(db);
    let name = index_name(&i.table);
    let quoted: Vec<String> = columns.iter().map(|c| s.q(c)).collect();
    let create = match db.backend() {
        Backend::Postgres => "CREATE INDEX CONCURRENTLY",
        _ => "CREATE INDEX",
    };
    let mut ddl = Vec::new();
    if db.backend() == Backend::Postgres {
        // A build that was interrupted leaves an invalid index.
        ddl.push(format!("DROP INDEX CONCURRENTLY IF EXISTS {}", s.q(&name)));
    }
    ddl.push(format!(
        "{create} {} ON {} ({})",
        s.q(&name),
        s.q(&i.table),
        quoted.join(", ")
    ));
    // SQLite plans from the statistics ANALYZE left, where the back end
    // keeps any: a new index without them is judged worse than those with
    // them, and goes unused. Where it keeps none, every index is judged
    // alike, and none are made.
    if db.backend() == Backend::Sqlite && sqlite_statistics(db).await? {
        ddl.push(format!("ANALYZE {}", s.q(&name)));
    }
    let (rows,): (i64,) = db
        .fetch_one(
            &Query::new(format!(
                "SELECT {} FROM {}",
                s.int("COUNT(*)"),
                s.q(&i.table)
            )),
            "cannot count the order lines",
        )
        .await?;
    Ok(IndexPlan {
        proposals: vec![Proposal {
            purpose: format!(
                "the sweep's totals check reads each order's lines from the index alone ({} on \
                 {})",
                columns.join(", "),
                i.table
            ),
            exists: index_valid(db, &i.table, &name).await?,
            name,
            ddl,
            // A key, an amount and a row pointer: about 40 bytes a line.
            estimated_bytes: rows.saturating_mul(40),
        }],
        note: None,
    })
}

/// Builds the proposed indexes that are missing, as the search indexes
/// are built.
pub async fn create(
    db: &Db,
    m: &Mapping,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<IndexPlan> {
    let plan = propose(db, m).await?;
    build_missing(db, &plan, progress, cancel).await?;
    propose(db, m).await
}

/// `backoffice_<table>_totals`, within the 63 characters PostgreSQL keeps.
fn index_name(table: &str) -> String {
    let table = table.rsplit('.').next().unwrap_or(table);
    let mut name = format!("backoffice_{table}");
    name.truncate(63 - "_totals".len());
    name + "_totals"
}

/// Whether the SQLite database keeps planner statistics (`sqlite_stat1`).
async fn sqlite_statistics(db: &Db) -> Result<bool> {
    let q = Query::new("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'");
    let (n,): (i64,) = db
        .fetch_one(&q, "cannot read the planner's statistics")
        .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_postgres() {
        assert_eq!(index_name("order_line"), "backoffice_order_line_totals");
        assert_eq!(index_name(&"x".repeat(80)).len(), 63);
    }
}
