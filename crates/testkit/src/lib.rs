//! A fresh, empty database per test, on SQLite, PostgreSQL or MariaDB, so
//! tests run in parallel and never see each other's rows.
//!
//! Server URLs come from `BACKOFFICE_TEST_POSTGRES_URL` and
//! `BACKOFFICE_TEST_MYSQL_URL` (defaults: the local servers with the account
//! `scripts/services.sh` creates). A server that is not there fails the test
//! with a message saying how to start it; nothing is skipped.

mod fixtures;
mod servers;
pub mod smtp;

use std::sync::atomic::{AtomicU32, Ordering};

use backoffice_core::db::{Backend, Db, OpenOptions, Target};

pub use fixtures::Served;
use rand::Rng;
use servers::{how_to_start, with_database};
pub use servers::{server_account, server_url, ServerAccount, ALL, MYSQL_ENV, POSTGRES_ENV};
use sqlx::{Connection, Executor};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub backend: Backend,
    /// The URL of this test's own database.
    pub url: String,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let name = format!(
            "bo_t{}_{}_{:04x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand::thread_rng().gen::<u16>()
        );
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite:{}", dir.path().join(format!("{name}.db")).display());
                TestDb {
                    backend,
                    url,
                    name,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres | Backend::Mysql => {
                let server = server_url(backend);
                let create = format!("CREATE DATABASE {name}");
                let result = match backend {
                    Backend::Postgres => match sqlx::PgConnection::connect(&server).await {
                        Ok(mut c) => c.execute(create.as_str()).await.map(|_| ()),
                        Err(e) => Err(e),
                    },
                    _ => match sqlx::MySqlConnection::connect(&server).await {
                        Ok(mut c) => c
                            .execute(format!("{create} CHARACTER SET utf8mb4").as_str())
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    },
                };
                if let Err(e) = result {
                    panic!("{}\n(cause: {e})", how_to_start(backend));
                }
                TestDb {
                    backend,
                    url: with_database(&server, &name),
                    name,
                    _dir: None,
                }
            }
        }
    }

    pub fn target(&self) -> Target {
        Target::parse_url(&self.url).expect("test URL parses")
    }

    /// Opens this database writable, creating the SQLite file if needed.
    pub async fn open(&self) -> Db {
        self.open_with(OpenOptions {
            read_only: false,
            create_if_missing: true,
        })
        .await
        .expect("open the test database")
    }

    pub async fn open_with(&self, options: OpenOptions) -> backoffice_core::Result<Db> {
        Db::open(&self.target(), options).await
    }

    /// Runs raw SQL on this database, outside the core (to set up a case
    /// or to look behind its back).
    pub async fn exec(&self, sql: &str) {
        let result = match self.backend {
            Backend::Sqlite => {
                exec_on::<sqlx::SqliteConnection>(&format!("{}?mode=rwc", self.url), sql).await
            }
            Backend::Postgres => {
                exec_on::<sqlx::PgConnection>(&self.url, &format!("{PG_PATH}; {sql}")).await
            }
            Backend::Mysql => exec_on::<sqlx::MySqlConnection>(&self.url, sql).await,
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// One integer from a query, read outside the core.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match self.column::<i64>(sql).await.first() {
            Some(v) => *v,
            None => panic!("{sql}: no row"),
        }
    }

    /// The first column of every row, as text, read outside the core (to
    /// compare a schema or data before and after).
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        self.column::<String>(sql).await
    }

    /// The first column of every row, read outside the core.
    async fn column<T>(&self, sql: &str) -> Vec<T>
    where
        T: Send + Unpin,
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
        T: for<'r> sqlx::Decode<'r, sqlx::MySql> + sqlx::Type<sqlx::MySql>,
    {
        let result = match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, T>(sql).fetch_all(&mut c).await
            }
            Backend::Postgres => {
                let mut c = pg_connect(&self.url).await;
                sqlx::query_scalar::<_, T>(sql).fetch_all(&mut c).await
            }
            Backend::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, T>(sql).fetch_all(&mut c).await
            }
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// A value for [`TestDb::insert`].
#[derive(Debug, Clone)]
pub enum Fx {
    Int(i64),
    Bool(bool),
    Text(String),
    Time(chrono::DateTime<chrono::Utc>),
    /// NULL of a timestamp column.
    NoTime,
    /// NULL of a text column.
    NoText,
}

impl From<i64> for Fx {
    fn from(v: i64) -> Self {
        Fx::Int(v)
    }
}
impl From<bool> for Fx {
    fn from(v: bool) -> Self {
        Fx::Bool(v)
    }
}
impl From<&str> for Fx {
    fn from(v: &str) -> Self {
        Fx::Text(v.to_string())
    }
}
impl From<chrono::DateTime<chrono::Utc>> for Fx {
    fn from(v: chrono::DateTime<chrono::Utc>) -> Self {
        Fx::Time(v)
    }
}
impl From<Option<chrono::DateTime<chrono::Utc>>> for Fx {
    fn from(v: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        v.map_or(Fx::NoTime, Fx::Time)
    }
}

macro_rules! bind_fx {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v.clone() {
                Fx::Int(x) => q.bind(x),
                Fx::Bool(x) => q.bind(x),
                Fx::Text(x) => q.bind(x),
                Fx::Time(x) => q.bind(x),
                Fx::NoTime => q.bind(None::<chrono::DateTime<chrono::Utc>>),
                Fx::NoText => q.bind(None::<String>),
            };
        }
        q
    }};
}

impl TestDb {
    /// Inserts one row with bound values, outside the core (fixtures).
    pub async fn insert(&self, table: &str, columns: &[&str], values: &[Fx]) {
        assert_eq!(columns.len(), values.len(), "{table}: columns and values");
        let marks: Vec<String> = (1..=values.len())
            .map(|i| {
                if self.backend == Backend::Postgres {
                    format!("${i}")
                } else {
                    "?".to_string()
                }
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            marks.join(", ")
        );
        let result = match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("connect");
                bind_fx!(sqlx::query(&sql), values)
                    .execute(&mut c)
                    .await
                    .map(|_| ())
            }
            Backend::Postgres => {
                let mut c = pg_connect(&self.url).await;
                bind_fx!(sqlx::query(&sql), values)
                    .execute(&mut c)
                    .await
                    .map(|_| ())
            }
            Backend::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(&self.url)
                    .await
                    .expect("connect");
                // The core's sessions run in UTC; fixtures must too.
                c.execute("SET time_zone = '+00:00'")
                    .await
                    .expect("time zone");
                bind_fx!(sqlx::query(&sql), values)
                    .execute(&mut c)
                    .await
                    .map(|_| ())
            }
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Tests read the console's tables as the core does: its connections append
/// the schema `backoffice` to the search path.
const PG_PATH: &str = "SET search_path = public, backoffice";

async fn pg_connect(url: &str) -> sqlx::PgConnection {
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    c.execute(PG_PATH).await.expect("set the search path");
    c
}

/// Runs one statement on a PostgreSQL server given by URL (for tests that
/// sign in as another role than the test account).
pub async fn exec_postgres(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    exec_on::<sqlx::PgConnection>(url, sql).await
}

async fn exec_on<C: Connection>(url: &str, sql: &str) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut C: Executor<'c>,
{
    let mut c = C::connect(url).await?;
    (&mut c).execute(sql).await.map(|_| ())
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.backend == Backend::Sqlite {
            return;
        }
        let (backend, server, name) = (self.backend, server_url(self.backend), self.name.clone());
        // Drop runs outside any async context we can rely on: use a thread
        // with its own small runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let _ = match backend {
                    Backend::Postgres => match sqlx::PgConnection::connect(&server).await {
                        Ok(mut c) => c
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    },
                    _ => match sqlx::MySqlConnection::connect(&server).await {
                        Ok(mut c) => c
                            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                            .await
                            .map(|_| ()),
                        Err(e) => Err(e),
                    },
                };
            });
        })
        .join();
    }
}

/// Generates one `#[tokio::test]` per backend calling `$body(backend)`.
#[macro_export]
macro_rules! each_backend {
    ($($name:ident => $body:path),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { $body(backoffice_core::db::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { $body(backoffice_core::db::Backend::Postgres).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() { $body(backoffice_core::db::Backend::Mysql).await }
        }
    )*};
}
