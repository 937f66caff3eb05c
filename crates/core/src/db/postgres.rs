//! PostgreSQL: read-only profiles get read-only sessions on the server too.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgPool};

use super::OpenOptions;
use crate::{Error, Result};

pub(super) async fn connect(
    opts: &PgConnectOptions,
    o: OpenOptions,
    label: &str,
) -> Result<PgPool> {
    let mut opts = opts.clone().application_name("backoffice");
    if o.read_only {
        opts = opts.options([("default_transaction_read_only", "on")]);
    }
    probe(&opts, label).await?;
    PgPoolOptions::new()
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute(FIND_CONSOLE_TABLES).await.map(|_| ()) })
        })
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| Error::db(&format!("cannot connect to {label}"), e))
}

/// The console's tables live in the schema `backoffice`: appending it to the
/// session's search path (as the role and database configure it) lets every
/// query name them unqualified, while the back end's own tables, earlier in
/// the path, are found first as they always were.
const FIND_CONSOLE_TABLES: &str = "SELECT set_config('search_path', \
     CASE WHEN current_setting('search_path') = '' THEN 'backoffice' \
     ELSE current_setting('search_path') || ', backoffice' END, false)";

/// One direct connection first: the pool would retry a refused connection
/// until its timeout and report only "timed out"; this reports the cause.
async fn probe(opts: &PgConnectOptions, label: &str) -> Result<()> {
    let conn = opts
        .connect()
        .await
        .map_err(|e| Error::db(&format!("cannot connect to {label}"), e))?;
    let _ = conn.close().await;
    Ok(())
}
