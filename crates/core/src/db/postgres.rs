//! PostgreSQL: read-only profiles get read-only sessions on the server too.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

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
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| Error::db(&format!("cannot connect to {label}"), e))
}

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
