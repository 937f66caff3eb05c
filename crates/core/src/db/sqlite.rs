//! SQLite: WAL, foreign keys on, a busy timeout, and no silent creation of
//! a database file that was only meant to be opened.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::OpenOptions;
use crate::{Error, Result};

/// Page cache per connection, KiB.
pub(crate) const CACHE_KIB: i64 = 16_384;
/// How much of the file SQLite may map (it caps this at its own limit).
pub(crate) const MMAP_BYTES: i64 = 16 << 30;
/// How long a connection waits for another's lock before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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
        .busy_timeout(BUSY_TIMEOUT)
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

/// Starts the transaction of a bulk load into an empty file. When this
/// connection is the only one open on the file, the load runs with a
/// rollback journal instead of the write-ahead log: pages added past the
/// end of the file need no journal entry, so the data is written once, not
/// once into the log and again into the file by the checkpoint (about 4 GB
/// twice for a 1M-user seed). A rollback still leaves the file as it was.
/// With other connections open it stays in WAL: slower, just as safe.
pub(super) async fn begin_bulk_load(
    pool: &SqlitePool,
) -> sqlx::Result<Transaction<'static, Sqlite>> {
    let mut conn = pool.acquire().await?;
    // The pool's other connections hold the file too: close them (it opens
    // new ones when it needs them). One just given back reaches the idle
    // queue a moment later; one in use elsewhere is left alone.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(250);
    while pool.size() > 1 {
        match tokio::time::timeout_at(deadline, pool.acquire()).await {
            Ok(other) => other?.close().await?,
            Err(_) => break,
        }
    }
    // Another connection's hold answers at once instead of after a wait.
    sqlx::raw_sql("PRAGMA busy_timeout = 0")
        .execute(&mut *conn)
        .await?;
    let mode = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut *conn)
        .await;
    let restore = format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis());
    sqlx::raw_sql(&restore).execute(&mut *conn).await?;
    match mode {
        Ok(mode) => tracing::info!(journal = mode, "bulk load"),
        Err(e) => tracing::info!(journal = "wal", reason = %e, "bulk load"),
    }
    // The transaction must run on this connection: given back to the pool,
    // it would be idle a moment later, and a new connection opened in the
    // meantime would switch the file back to WAL. (`Transaction::begin` is
    // what `Pool::begin_with` calls; it is public but not in sqlx's docs.)
    Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await
}

/// Puts the file back into WAL mode after [`begin_bulk_load`] (a no-op if
/// it never left) and empties the log. SQLite answers a switch it cannot
/// make now with the mode it keeps, so the answer is checked, and asked
/// again while another connection lets go of the file. If one still holds
/// it after the busy timeout, the next connection to open the file alone
/// switches it back instead.
pub(super) async fn end_bulk_load(pool: &SqlitePool) -> sqlx::Result<()> {
    let deadline = tokio::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        let mode = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = WAL")
            .fetch_one(pool)
            .await;
        match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => break,
            _ if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(mode) => {
                tracing::warn!(journal = mode, "the database stays out of WAL mode for now");
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, "the database stays out of WAL mode for now");
                break;
            }
        }
    }
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
        .map(|_| ())
}
