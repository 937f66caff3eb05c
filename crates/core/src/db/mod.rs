//! The connection layer: one [`Db`] over a SQLite, PostgreSQL or
//! MySQL/MariaDB pool. Dialect differences live in the per-backend modules;
//! shared code reaches the concrete pool through [`on_pool!`] and
//! [`on_tx!`], whose arms are each type-checked against their own driver
//! (sqlx's `Any` driver has no chrono types and the wrong placeholders for
//! PostgreSQL).
//!
//! Writes go through [`Db::begin_write`], which refuses on a read-only
//! profile; read-only PostgreSQL and MariaDB sessions are also opened
//! read-only on the server, and SQLite files are opened read-only.

pub(crate) mod dialect;
pub(crate) mod errors;
mod migrate;
mod mysql;
mod postgres;
pub(crate) mod query;
mod retry;
pub(crate) mod sqlite;
pub(crate) mod target;

use serde::{Deserialize, Serialize};
use sqlx::{MySql, MySqlPool, PgPool, Postgres, Sqlite, SqlitePool};

pub use migrate::{
    console_ddl, console_table_names, MigrationReport, SchemaStatus, CONSOLE_PREFIX,
};
pub(crate) use query::{Query, Source};
pub use retry::retry_contended;
pub use target::Target;

use crate::{Error, Result};

/// Which database engine a profile or URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
    /// MySQL or MariaDB: one wire protocol, one dialect for our purposes.
    Mysql,
}

impl Backend {
    pub fn display_name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL/MariaDB",
        }
    }

    pub fn default_port(self) -> Option<u16> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(5432),
            Backend::Mysql => Some(3306),
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            "mysql" | "mariadb" => Ok(Backend::Mysql),
            other => Err(Error::validation(format!(
                "unknown backend '{other}'; use sqlite, postgres or mysql"
            ))),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    Mysql(MySqlPool),
}

pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
    Mysql(sqlx::Transaction<'static, MySql>),
}

/// Runs `$body` with `$p` bound to the concrete pool of each backend.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
            $crate::db::Pool::Mysql($p) => $body,
        }
    };
}

/// Runs `$body` with `$t` bound to the concrete transaction's connection.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $t = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $t = &mut **tx;
                $body
            }
            $crate::db::Tx::Mysql(tx) => {
                let $t = &mut **tx;
                $body
            }
        }
    };
}
pub(crate) use {on_pool, on_tx};

/// How to open a database.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    /// Refuse every write, and open the session read-only on the server.
    pub read_only: bool,
    /// Create a missing SQLite file (only `migrate`, `seed` and the demo do).
    pub create_if_missing: bool,
}

/// An open database: a pool plus what we know about it.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    read_only: bool,
    label: String,
}

impl Db {
    /// Connects, then brings the console's tables up to date (writable) or
    /// checks that they are current (read-only). An empty database becomes
    /// the demo back end; a back end without the console's tables is refused
    /// before anything is written: attaching is a deliberate step
    /// ([`Db::attach`]).
    pub async fn open(target: &Target, options: OpenOptions) -> Result<Db> {
        let db = Self::connect(target, options).await?;
        db.make_ready().await?;
        Ok(db)
    }

    /// What [`Db::open`] does once connected: the console's schema brought
    /// up to date (or, read-only, checked to be).
    pub async fn make_ready(&self) -> Result<()> {
        if self.read_only {
            migrate::check_current(self).await
        } else {
            migrate::run(self).await.map(|_| ())
        }
    }

    /// Connects without touching the schema.
    pub async fn connect(target: &Target, options: OpenOptions) -> Result<Db> {
        let label = target.describe();
        let pool = match target {
            Target::Sqlite(opts) => Pool::Sqlite(sqlite::connect(opts, options, &label).await?),
            Target::Postgres(opts) => {
                Pool::Postgres(postgres::connect(opts, options, &label).await?)
            }
            Target::Mysql(opts) => Pool::Mysql(mysql::connect(opts, options, &label).await?),
        };
        Ok(Db {
            pool,
            backend: target.backend(),
            read_only: options.read_only,
            label,
        })
    }

    /// Applies pending migrations and says what it did.
    pub async fn migrate(&self) -> Result<MigrationReport> {
        self.ensure_writable("run migrations")?;
        migrate::run(self).await
    }

    /// Creates or updates the console's tables beside the back end's, and
    /// changes nothing else.
    pub async fn attach(&self) -> Result<MigrationReport> {
        self.ensure_writable("attach the console's tables")?;
        migrate::attach(self).await
    }

    /// Where the schema stands, without changing anything.
    pub async fn schema_status(&self) -> Result<SchemaStatus> {
        migrate::status(self).await
    }

    /// The server's own version string ("PostgreSQL 15.4 …", "10.11.6-MariaDB").
    pub async fn server_version(&self) -> Result<String> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
            Backend::Postgres => "SELECT version()",
            Backend::Mysql => "SELECT CAST(VERSION() AS CHAR)",
        };
        on_pool!(&self.pool, p => sqlx::query_scalar::<_, String>(sql).fetch_one(p).await)
            .map_err(|e| Error::db("cannot read the server version", e))
    }

    /// Whether the server itself treats this session as read-only (the
    /// second line of defence behind [`Db::ensure_writable`]).
    pub async fn session_read_only(&self) -> Result<bool> {
        let value: String = match &self.pool {
            Pool::Sqlite(p) => sqlx::query_scalar("PRAGMA query_only")
                .fetch_one(p)
                .await
                .map(|v: i64| (v != 0).to_string()),
            Pool::Postgres(p) => sqlx::query_scalar("SHOW default_transaction_read_only")
                .fetch_one(p)
                .await
                .map(|v: String| (v == "on").to_string()),
            Pool::Mysql(p) => sqlx::query_scalar("SELECT CAST(@@SESSION.tx_read_only AS SIGNED)")
                .fetch_one(p)
                .await
                .map(|v: i64| (v != 0).to_string()),
        }
        .map_err(|e| Error::db("cannot read the session mode", e))?;
        Ok(value == "true")
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where this database is, without any password ("PostgreSQL at …").
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether reads on other connections can run beside an open write
    /// transaction and see what it sees: SQLite files in WAL mode, where the
    /// writer holds the only write lock (not an in-memory database, which
    /// has one connection).
    pub(crate) fn reads_beside_writes(&self) -> bool {
        match &self.pool {
            Pool::Sqlite(p) => !self.read_only && p.options().get_max_connections() > 1,
            _ => false,
        }
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The gate every write passes: a read-only profile stops here, whatever
    /// asked for the write.
    pub fn ensure_writable(&self, what: &str) -> Result<()> {
        if self.read_only {
            Err(Error::Forbidden(format!(
                "cannot {what}: this connection is read-only"
            )))
        } else {
            Ok(())
        }
    }

    /// Starts the transaction every write runs in. On SQLite it takes the
    /// write lock at once (`BEGIN IMMEDIATE`): a deferred transaction that
    /// reads a row version and then writes would fail with a busy snapshot,
    /// not wait, when another writer got in between.
    pub(crate) async fn begin_write(&self, what: &str) -> Result<WriteTx> {
        self.ensure_writable(what)?;
        let tx = match &self.pool {
            Pool::Sqlite(p) => p.begin_with("BEGIN IMMEDIATE").await.map(Into::into),
            Pool::Postgres(p) => p.begin().await.map(Into::into),
            Pool::Mysql(p) => p.begin().await.map(Into::into),
        }
        .map_err(|e| Error::db("cannot start a transaction", e))?;
        Ok(WriteTx { tx })
    }

    /// Starts the one transaction of a bulk load into an empty database:
    /// [`Db::begin_write`], except that on SQLite the load may bypass the
    /// write-ahead log (see `sqlite::begin_bulk_load`). End it with
    /// [`Db::after_bulk_load`].
    pub(crate) async fn begin_bulk_load(&self, what: &str) -> Result<WriteTx> {
        match &self.pool {
            Pool::Sqlite(p) => {
                self.ensure_writable(what)?;
                let tx = sqlite::begin_bulk_load(p)
                    .await
                    .map_err(|e| Error::db("cannot start a transaction", e))?;
                Ok(WriteTx { tx: tx.into() })
            }
            _ => self.begin_write(what).await,
        }
    }

    /// Tidies up after a bulk load. SQLite: back to WAL mode if the load
    /// left it, and the write-ahead log moved into the database file and
    /// emptied (it is as large as the data, and the next connection would
    /// read all of it before its first query).
    /// PostgreSQL: `VACUUM ANALYZE`, so the planner has statistics and
    /// index-only scans need no heap visits (without it, capped counts on
    /// 3M orders took 50× longer). MariaDB: `ANALYZE TABLE`.
    pub async fn after_bulk_load(&self, tables: &[&str]) -> Result<()> {
        let what = "cannot tidy up after loading";
        match &self.pool {
            Pool::Sqlite(p) => sqlite::end_bulk_load(p).await,
            Pool::Postgres(p) => sqlx::raw_sql("VACUUM ANALYZE").execute(p).await.map(|_| ()),
            // Table names are our own constants, never input.
            Pool::Mysql(p) => sqlx::raw_sql(&format!("ANALYZE TABLE {}", tables.join(", ")))
                .execute(p)
                .await
                .map(|_| ()),
        }
        .map_err(|e| Error::db(what, e))
    }

    pub async fn close(&self) {
        on_pool!(&self.pool, p => p.close().await)
    }
}

impl From<sqlx::Transaction<'static, Sqlite>> for Tx {
    fn from(tx: sqlx::Transaction<'static, Sqlite>) -> Self {
        Tx::Sqlite(tx)
    }
}
impl From<sqlx::Transaction<'static, Postgres>> for Tx {
    fn from(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        Tx::Postgres(tx)
    }
}
impl From<sqlx::Transaction<'static, MySql>> for Tx {
    fn from(tx: sqlx::Transaction<'static, MySql>) -> Self {
        Tx::Mysql(tx)
    }
}

/// A write transaction; dropped without [`WriteTx::commit`] it rolls back.
pub(crate) struct WriteTx {
    pub(crate) tx: Tx,
}

impl WriteTx {
    pub(crate) fn backend(&self) -> Backend {
        match self.tx {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
            Tx::Mysql(_) => Backend::Mysql,
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
            Tx::Mysql(tx) => tx.commit().await,
        }
        .map_err(|e| Error::db("cannot commit", e))
    }

    /// Rolls back now, where dropping would leave the rollback to the pool
    /// to run a moment later.
    pub(crate) async fn rollback(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
            Tx::Mysql(tx) => tx.rollback().await,
        }
        .map_err(|e| Error::db("cannot roll back", e))
    }

    /// After rows were inserted with explicit ids, moves PostgreSQL's
    /// identity sequences past them (SQLite and MySQL do so by themselves).
    pub(crate) async fn sync_identity(&mut self, tables: &[&str]) -> Result<()> {
        if let Tx::Postgres(tx) = &mut self.tx {
            for table in tables {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
                );
                sqlx::query(&sql).execute(&mut **tx).await.map_err(|e| {
                    Error::db(&format!("cannot move the id sequence of {table}"), e)
                })?;
            }
        }
        Ok(())
    }
}
