//! Row counts of the main tables, in one round trip.

use serde::Serialize;

use crate::db::{on_pool, Db};
use crate::{Error, Result};

/// The tables `stats` reports, in the order shown.
pub const TABLES: &[&str] = &[
    "users",
    "roles",
    "user_roles",
    "login_events",
    "auth_tokens",
    "products",
    "orders",
    "order_items",
    "order_events",
    "order_notes",
    "refunds",
    "backoffice_operators",
];

#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct TableCount {
    pub table: String,
    #[ts(type = "number")]
    pub rows: i64,
}

pub async fn table_counts(db: &Db) -> Result<Vec<TableCount>> {
    // Table names are our own constants, never input.
    let sql = TABLES
        .iter()
        .map(|t| format!("SELECT '{t}' AS tbl, COUNT(*) AS n FROM {t}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<(String, i64)> =
        on_pool!(db.pool(), p => sqlx::query_as(&sql).fetch_all(p).await)
            .map_err(|e| Error::db("cannot count rows", e))?;
    let mut counts: Vec<TableCount> = rows
        .into_iter()
        .map(|(table, rows)| TableCount { table, rows })
        .collect();
    counts.sort_by_key(|c| TABLES.iter().position(|t| *t == c.table));
    Ok(counts)
}
