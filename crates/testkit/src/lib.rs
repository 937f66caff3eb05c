//! A fresh, empty database per test, on SQLite, PostgreSQL or MariaDB, so
//! tests run in parallel and never see each other's rows.
//!
//! Server URLs come from `BACKOFFICE_TEST_POSTGRES_URL` and
//! `BACKOFFICE_TEST_MYSQL_URL` (defaults: the local servers with the account
//! `scripts/services.sh` creates). A server that is not there fails the test
//! with a message saying how to start it; nothing is skipped.

pub mod smtp;

use std::sync::atomic::{AtomicU32, Ordering};

use backoffice_core::db::{Backend, Db, OpenOptions, Target};
use rand::Rng;
use sqlx::{Connection, Executor};

pub const POSTGRES_ENV: &str = "BACKOFFICE_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "BACKOFFICE_TEST_MYSQL_URL";
const POSTGRES_DEFAULT: &str = "postgres://backoffice_test:backoffice_test@127.0.0.1:5432/postgres";
const MYSQL_DEFAULT: &str = "mysql://backoffice_test:backoffice_test@127.0.0.1:3306/mysql";

pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

/// The server URL tests use for a backend.
pub fn server_url(backend: Backend) -> String {
    let (var, default) = match backend {
        Backend::Postgres => (POSTGRES_ENV, POSTGRES_DEFAULT),
        Backend::Mysql => (MYSQL_ENV, MYSQL_DEFAULT),
        Backend::Sqlite => return String::new(),
    };
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

/// A test server's account, in the parts a connection form asks for.
pub struct ServerAccount {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub database: String,
}

/// The account of a backend's test server URL (user and password as they
/// appear in it).
pub fn server_account(backend: Backend) -> ServerAccount {
    let url = url::Url::parse(&server_url(backend)).expect("the test server URL parses");
    ServerAccount {
        host: url.host_str().unwrap_or("127.0.0.1").to_string(),
        port: url.port().or(backend.default_port()).unwrap_or_default(),
        user: url.username().to_string(),
        password: url.password().unwrap_or_default().to_string(),
        database: url.path().trim_start_matches('/').to_string(),
    }
}

fn how_to_start(backend: Backend) -> String {
    let var = if backend == Backend::Postgres {
        POSTGRES_ENV
    } else {
        MYSQL_ENV
    };
    format!(
        "{} is needed by this test and is not reachable at {}. Start it with \
         `scripts/services.sh` (or `make test`, which installs and starts it), \
         or point {var} at a server.",
        backend.display_name(),
        redact(&server_url(backend))
    )
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

/// Replaces the database part of a server URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

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
            Backend::Postgres => exec_on::<sqlx::PgConnection>(&self.url, sql).await,
            Backend::Mysql => exec_on::<sqlx::MySqlConnection>(&self.url, sql).await,
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// One integer from a query, read outside the core.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let result = match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await
            }
            Backend::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(&self.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await
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
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("connect");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_swap_and_redaction() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(with_database("mysql://u@h", "x"), "mysql://u@h/x");
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(redact("postgres://u:secret@h:1/d"), "postgres://…@h:1/d");
    }
}
