//! SQLite: WAL, foreign keys on, a busy timeout, and no silent creation of
//! a database file that was only meant to be opened.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::OpenOptions;
use crate::{Error, Result};

/// Page cache per connection, KiB.
pub(crate) const CACHE_KIB: i64 = 16_384;
/// How much of the file SQLite may map (it caps this at its own limit).
pub(crate) const MMAP_BYTES: i64 = 16 << 30;

pub(super) async fn connect(
    opts: &SqliteConnectOptions,
    o: OpenOptions,
    label: &str,
) -> Result<SqlitePool> {
    let path = opts.get_filename().to_path_buf();
    let text = path.to_string_lossy();
    let in_memory = text == ":memory:" || text.starts_with("file:sqlx-in-memory");
    if !in_memory {
        if o.create_if_missing {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::Unavailable(format!("cannot create folder {}: {e}", dir.display()))
                })?;
            }
        } else if !path.exists() {
            return Err(Error::NotFound(format!(
                "SQLite database file not found: {}",
                path.display()
            )));
        }
    }
    let mut opts = opts
        .clone()
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .synchronous(SqliteSynchronous::Normal)
        // 16 MiB of page cache per connection (the default is 2 MiB):
        // reads go through the memory map below, and a sweep runs several
        // connections at once. A bulk load raises its own (seed/bulk.rs).
        .pragma("cache_size", format!("-{CACHE_KIB}"))
        // Pages read through a memory map instead of a copy per read: a
        // sweep over millions of rows spent as long in the kernel copying
        // pages as in SQLite. (SQLite caps it at its compile-time limit.)
        .pragma("mmap_size", MMAP_BYTES.to_string())
        .create_if_missing(o.create_if_missing && !o.read_only)
        .read_only(o.read_only);
    if o.read_only {
        opts = opts.pragma("query_only", "ON");
    } else if !in_memory {
        // Switching to WAL is itself a write; a read-only open uses the
        // file's mode.
        opts = opts.journal_mode(SqliteJournalMode::Wal);
    }
    let mut pool = SqlitePoolOptions::new().acquire_timeout(Duration::from_secs(10));
    pool = if in_memory {
        // One connection that never closes: the database lives in it.
        pool.max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool.max_connections(8)
    };
    pool.connect_with(opts)
        .await
        .map_err(|e| Error::db(&format!("cannot open {label}"), e))
}
