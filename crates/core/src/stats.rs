//! Row counts of the main tables, in one round trip.

use serde::Serialize;

use crate::db::{on_pool, Db, Query};
use crate::mapping::{quoted, Mapping};
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

/// Row counts of the tables a back end's mapping names, in the order it
/// names them, and of the console's operators.
pub async fn mapped_table_counts(db: &Db, mapping: &Mapping) -> Result<Vec<TableCount>> {
    let mut tables: Vec<String> = Vec::new();
    for r in mapping.refs() {
        if !tables.contains(&r.table) {
            tables.push(r.table);
        }
    }
    tables.push("backoffice_operators".into());
    // Every name is a checked identifier (Mapping::validate), quoted.
    let sql = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT '{t}' AS tbl, COUNT(*) AS n FROM {}",
                quoted(db.backend(), t)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<(String, i64)> = db.fetch_all(&Query::new(sql), "cannot count rows").await?;
    let mut counts: Vec<TableCount> = rows
        .into_iter()
        .map(|(table, rows)| TableCount { table, rows })
        .collect();
    counts.sort_by_key(|c| tables.iter().position(|t| *t == c.table));
    Ok(counts)
}
