//! MySQL and MariaDB: UTC sessions (sqlx sets time_zone '+00:00'), utf8mb4,
//! and read-only sessions for read-only profiles.

use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, MySqlPool};

use super::OpenOptions;
use crate::{Error, Result};

pub(super) async fn connect(
    opts: &MySqlConnectOptions,
    o: OpenOptions,
    label: &str,
) -> Result<MySqlPool> {
    let read_only = o.read_only;
    let opts = opts.clone().charset("utf8mb4");
    // One direct connection first: the pool would retry a refused
    // connection until its timeout and report only "timed out".
    let probe = opts
        .connect()
        .await
        .map_err(|e| Error::db(&format!("cannot connect to {label}"), e))?;
    let _ = probe.close().await;
    MySqlPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if read_only {
                    conn.execute("SET SESSION TRANSACTION READ ONLY").await?;
                }
                Ok(())
            })
        })
        .connect_with(opts)
        .await
        .map_err(|e| Error::db(&format!("cannot connect to {label}"), e))
}
