//! Row counts of the main tables, in one round trip.

use serde::Serialize;

use crate::db::{Db, Query};
use crate::mapping::{quoted, Mapping};
use crate::Result;

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
    let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    counts(db, &tables).await
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
    counts(db, &tables).await
}

/// Row counts of the console's own tables.
pub async fn console_table_counts(db: &Db) -> Result<Vec<TableCount>> {
    counts(db, &crate::db::console_table_names(db.backend())).await
}

/// The rows of each table, in one round trip, in the order given. The
/// names are our own constants or a mapping's checked identifiers, quoted.
async fn counts(db: &Db, tables: &[String]) -> Result<Vec<TableCount>> {
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
