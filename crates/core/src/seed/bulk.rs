//! Bulk loading an empty SQLite database: inserting rows into tables whose
//! secondary indexes, triggers and full-text index are all maintained row
//! by row is dominated by random B-tree writes. The seed drops them inside
//! its transaction, inserts, and builds them again at the end from their
//! own definitions (one sort per index, one full-text rebuild). SQLite's DDL
//! is transactional, so a cancelled or failed seed rolls all of it back.

use crate::db::sqlite::{CACHE_KIB, MMAP_BYTES};
use crate::db::{Backend, Query, WriteTx};
use crate::Result;

/// Indexes and triggers set aside during a bulk load, to be built again.
pub(crate) struct Deferred {
    /// `CREATE …` statements, in the order SQLite reported them.
    schema: Vec<String>,
    /// External-content FTS5 tables to rebuild from their content tables.
    fts: Vec<String>,
}

impl Deferred {
    pub(crate) fn none() -> Self {
        Deferred {
            schema: Vec::new(),
            fts: Vec::new(),
        }
    }

    /// On SQLite, drops the secondary indexes and triggers of `tables` (the
    /// indexes behind PRIMARY KEY and UNIQUE constraints stay: they keep
    /// the data honest while it loads). Elsewhere, nothing.
    pub(crate) async fn set_aside(tx: &mut WriteTx, tables: &[&str]) -> Result<Self> {
        if tx.backend() != Backend::Sqlite {
            return Ok(Deferred::none());
        }
        // Index maintenance and the index builds at the end want a bigger
        // page cache than the pool's and sorts kept in memory; writes go
        // faster without the memory map (25 s instead of 29 for 5.5M rows).
        for pragma in [
            "PRAGMA cache_size = -65536".to_string(),
            "PRAGMA temp_store = MEMORY".into(),
            "PRAGMA mmap_size = 0".into(),
        ] {
            tx.execute(&Query::new(pragma), "cannot set up the load")
                .await?;
        }
        let mut q = Query::new(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
             AND sql IS NOT NULL AND tbl_name IN ",
        );
        q.bind_list(tables.iter().copied()).sql(" ORDER BY rowid");
        let found: Vec<(String, String, String)> =
            tx.fetch_all(&q, "cannot read the schema").await?;
        let fts: Vec<(String,)> = tx
            .fetch_all(
                &Query::new(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'",
                ),
                "cannot read the schema",
            )
            .await?;
        let mut schema = Vec::with_capacity(found.len());
        for (kind, name, sql) in found {
            let drop = match kind.as_str() {
                "index" => format!("DROP INDEX \"{name}\""),
                _ => format!("DROP TRIGGER \"{name}\""),
            };
            tx.execute(&Query::new(drop), "cannot set an index aside")
                .await?;
            schema.push(sql);
        }
        Ok(Deferred {
            schema,
            fts: fts.into_iter().map(|(n,)| n).collect(),
        })
    }

    /// Builds again what [`Deferred::set_aside`] dropped, and fills the
    /// full-text indexes from the rows now loaded.
    pub(crate) async fn restore(self, tx: &mut WriteTx) -> Result<()> {
        if tx.backend() != Backend::Sqlite {
            return Ok(());
        }
        let started = std::time::Instant::now();
        for sql in &self.schema {
            tx.execute(&Query::new(sql.as_str()), "cannot build an index")
                .await?;
        }
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "seed: indexes built"
        );
        let started = std::time::Instant::now();
        for table in &self.fts {
            tx.execute(
                &Query::new(format!(
                    "INSERT INTO \"{table}\" (\"{table}\") VALUES ('rebuild')"
                )),
                "cannot build the search index",
            )
            .await?;
        }
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "seed: full-text index built"
        );
        for pragma in [
            format!("PRAGMA cache_size = -{CACHE_KIB}"),
            "PRAGMA temp_store = DEFAULT".into(),
            format!("PRAGMA mmap_size = {MMAP_BYTES}"),
        ] {
            tx.execute(&Query::new(pragma), "cannot set up the load")
                .await?;
        }
        Ok(())
    }
}
