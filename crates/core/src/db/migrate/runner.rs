//! Applying a set of migrations and keeping the record of what was applied,
//! in the console's own bookkeeping table (`backoffice_migrations`, in the
//! console's namespace: never sqlx's `_sqlx_migrations`, which a back end
//! of its own may well have).
//!
//! A run is one write transaction: PostgreSQL and SQLite apply every
//! migration with its record or nothing; MySQL/MariaDB cannot roll back
//! DDL, so a failure there says so. Concurrent runs are serialised (an
//! advisory lock on PostgreSQL, a named lock on MySQL/MariaDB,
//! `BEGIN IMMEDIATE` on SQLite), and each migration is checked again once
//! the lock is held.

use sqlx::migrate::{Migration, Migrator};

use super::super::{on_pool, on_tx, Backend, Db};
use crate::{Error, Result};

/// A group of migrations with its own version line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Set {
    /// The console's own tables: what `attach` creates beside a back end.
    Console,
    /// The reference schema: the demo back end.
    Demo,
}

static SQLITE_CONSOLE: Migrator = sqlx::migrate!("../../migrations/sqlite/console");
static POSTGRES_CONSOLE: Migrator = sqlx::migrate!("../../migrations/postgres/console");
static MYSQL_CONSOLE: Migrator = sqlx::migrate!("../../migrations/mysql/console");
static SQLITE_DEMO: Migrator = sqlx::migrate!("../../migrations/sqlite/demo");
static POSTGRES_DEMO: Migrator = sqlx::migrate!("../../migrations/postgres/demo");
static MYSQL_DEMO: Migrator = sqlx::migrate!("../../migrations/mysql/demo");

impl Set {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Set::Console => "console",
            Set::Demo => "demo",
        }
    }

    pub(crate) fn migrations(self, backend: Backend) -> Vec<&'static Migration> {
        let m = match (self, backend) {
            (Set::Console, Backend::Sqlite) => &SQLITE_CONSOLE,
            (Set::Console, Backend::Postgres) => &POSTGRES_CONSOLE,
            (Set::Console, Backend::Mysql) => &MYSQL_CONSOLE,
            (Set::Demo, Backend::Sqlite) => &SQLITE_DEMO,
            (Set::Demo, Backend::Postgres) => &POSTGRES_DEMO,
            (Set::Demo, Backend::Mysql) => &MYSQL_DEMO,
        };
        m.iter()
            .filter(|mig| !mig.migration_type.is_down_migration())
            .collect()
    }

    pub(crate) fn latest(self, backend: Backend) -> i64 {
        self.migrations(backend)
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }
}

/// The bookkeeping table (and on PostgreSQL the console's schema).
pub(crate) fn bookkeeping_ddl(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS backoffice_migrations (\n    \
             set_name    TEXT    NOT NULL,\n    \
             version     INTEGER NOT NULL,\n    \
             description TEXT    NOT NULL,\n    \
             checksum    TEXT    NOT NULL,\n    \
             applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')),\n    \
             PRIMARY KEY (set_name, version)\n);"
        }
        Backend::Postgres => {
            "CREATE SCHEMA IF NOT EXISTS backoffice;\n\
             CREATE TABLE IF NOT EXISTS backoffice.backoffice_migrations (\n    \
             set_name    TEXT        NOT NULL,\n    \
             version     BIGINT      NOT NULL,\n    \
             description TEXT        NOT NULL,\n    \
             checksum    TEXT        NOT NULL,\n    \
             applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),\n    \
             PRIMARY KEY (set_name, version)\n);"
        }
        Backend::Mysql => {
            "CREATE TABLE IF NOT EXISTS backoffice_migrations (\n    \
             set_name    VARCHAR(16)  NOT NULL,\n    \
             version     BIGINT       NOT NULL,\n    \
             description VARCHAR(200) NOT NULL,\n    \
             checksum    VARCHAR(128) NOT NULL,\n    \
             applied_at  DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n    \
             PRIMARY KEY (set_name, version)\n\
             ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;"
        }
    }
}

fn table(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "backoffice.backoffice_migrations",
        _ => "backoffice_migrations",
    }
}

pub(crate) fn checksum_hex(m: &Migration) -> String {
    m.checksum.iter().map(|b| format!("{b:02x}")).collect()
}

/// The statement that records one applied migration. Every value is ours
/// (a set name, a number, a file's description, a hex digest), quoted here
/// so `schema sql` can print the very statement the runner executes.
pub(crate) fn record_sql(backend: Backend, set: Set, m: &Migration) -> String {
    format!(
        "INSERT INTO {} (set_name, version, description, checksum) VALUES ('{}', {}, '{}', '{}');",
        table(backend),
        set.name(),
        m.version,
        m.description.replace('\'', "''"),
        checksum_hex(m)
    )
}

/// (set, version, checksum) of every applied migration; empty when the
/// bookkeeping table does not exist.
pub(crate) async fn applied(db: &Db) -> Result<Vec<(String, i64, String)>> {
    let sql = format!(
        "SELECT set_name, version, checksum FROM {} ORDER BY set_name, version",
        table(db.backend())
    );
    on_pool!(db.pool(), p => sqlx::query_as::<_, (String, i64, String)>(&sql).fetch_all(p).await)
        .map_err(|e| Error::db("cannot read which console migrations were applied", e))
}

fn preparing(db: &Db, e: sqlx::Error) -> Error {
    no_ddl_rights(Error::db(&format!("preparing {}", db.label()), e))
}

/// An account refused the DDL is told the way round it.
fn no_ddl_rights(err: Error) -> Error {
    match err {
        Error::Forbidden(msg) => Error::Forbidden(format!(
            "{msg}. This account may not create tables: run `backoffice schema sql` \
             and have an administrator of the database run its output, \
             or attach with an account that may create tables"
        )),
        other => other,
    }
}

/// Applies what is pending of `sets`, in order, and returns
/// "set version description" for each migration applied.
///
/// One write transaction for the whole run: on PostgreSQL and SQLite every
/// migration and its record commit together or not at all; on MySQL/MariaDB
/// each statement commits by itself, and a failure says so.
pub(crate) async fn apply(db: &Db, sets: &[Set]) -> Result<Vec<String>> {
    let backend = db.backend();
    let mut pending: Vec<(Set, &'static Migration)> = Vec::new();
    for &set in sets {
        pending.extend(set.migrations(backend).into_iter().map(|m| (set, m)));
    }
    let mut tx = db.begin_write("create the console's tables").await?;
    let mut statements = Vec::new();
    if let Some(sql) = lock_sql(backend, true) {
        statements.push(sql.to_string());
    }
    statements.push(bookkeeping_ddl(backend).to_string());
    for sql in statements {
        on_tx!(&mut tx.tx, t => sqlx::Executor::execute(&mut *t, sql.as_str()).await.map(|_| ()))
            .map_err(|e| preparing(db, e))?;
    }
    let mut done = Vec::new();
    let mut result = Ok(());
    for (set, m) in pending {
        let check = format!(
            "SELECT checksum FROM {} WHERE set_name = '{}' AND version = {}",
            table(backend),
            set.name(),
            m.version
        );
        let seen: Option<String> =
            on_tx!(&mut tx.tx, t => sqlx::query_scalar::<_, String>(&check).fetch_optional(&mut *t).await)
                .map_err(|e| preparing(db, e))?;
        if let Some(sum) = seen {
            verify(db, set, m, &sum)?;
            continue;
        }
        let record = record_sql(backend, set, m);
        let body = m.sql.to_string();
        let mut ran = on_tx!(&mut tx.tx, t => sqlx::Executor::execute(&mut *t, body.as_str()).await.map(|_| ()));
        if ran.is_ok() {
            ran = on_tx!(&mut tx.tx, t => sqlx::Executor::execute(&mut *t, record.as_str()).await.map(|_| ()));
        }
        if let Err(e) = ran {
            result = Err(failed(db, set, m, e));
            break;
        }
        done.push(format!("{} {} {}", set.name(), m.version, m.description));
    }
    if let Some(sql) = lock_sql(backend, false) {
        let sql = sql.to_string();
        let _ = on_tx!(&mut tx.tx, t => sqlx::Executor::execute(&mut *t, sql.as_str()).await.map(|_| ()));
    }
    match result {
        Ok(()) => tx.commit().await.map(|()| done),
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// The statement that takes (or releases) the lock serialising migration
/// runs: transaction-scoped on PostgreSQL, a named lock on MySQL/MariaDB;
/// SQLite needs none (the write transaction is `BEGIN IMMEDIATE`).
fn lock_sql(backend: Backend, take: bool) -> Option<&'static str> {
    // An arbitrary constant of ours.
    match (backend, take) {
        (Backend::Postgres, true) => Some("SELECT pg_advisory_xact_lock(7089066323627)"),
        (Backend::Postgres, false) => None,
        (Backend::Mysql, true) => Some("SELECT GET_LOCK('backoffice_migrations', 60)"),
        (Backend::Mysql, false) => Some("SELECT RELEASE_LOCK('backoffice_migrations')"),
        (Backend::Sqlite, _) => None,
    }
}

pub(crate) fn verify(db: &Db, set: Set, m: &Migration, stored: &str) -> Result<()> {
    if stored == checksum_hex(m) {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "{} migration {} of {} differs from the one this Backoffice ships",
            set.name(),
            m.version,
            db.label()
        )))
    }
}

fn failed(db: &Db, set: Set, m: &Migration, e: sqlx::Error) -> Error {
    let err = Error::db(
        &format!(
            "{} migration {} ({}) on {}",
            set.name(),
            m.version,
            m.description,
            db.label()
        ),
        e,
    );
    match (db.backend(), &err) {
        (_, Error::Forbidden(_)) => no_ddl_rights(err),
        (Backend::Mysql, _) => Error::Internal(format!(
            "{err}; MySQL/MariaDB cannot roll back table changes, so part of it may \
             be in place: compare with `backoffice schema sql` before trying again"
        )),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_ships_the_same_sets() {
        for set in [Set::Console, Set::Demo] {
            for b in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
                assert!(!set.migrations(b).is_empty(), "{set:?} {b:?}");
            }
            assert_eq!(
                set.latest(Backend::Sqlite),
                set.latest(Backend::Postgres),
                "{set:?}"
            );
        }
    }

    #[test]
    fn console_migrations_touch_only_console_tables() {
        for b in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
            for m in Set::Console.migrations(b) {
                let code: String = m
                    .sql
                    .lines()
                    .map(|l| l.split("--").next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(" ");
                let words: Vec<&str> = code
                    .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
                    .filter(|w| !w.is_empty() && !["IF", "NOT", "EXISTS"].contains(w))
                    .collect();
                for pair in words.windows(2) {
                    let named = match pair[0] {
                        "TABLE" | "INTO" | "REFERENCES" => true,
                        "ON" => !["DELETE", "UPDATE"].contains(&pair[1]),
                        _ => false,
                    };
                    if named {
                        let name = pair[1].trim_start_matches("backoffice.");
                        assert!(
                            name.starts_with("backoffice_"),
                            "{b:?} console migration {} names {}",
                            m.version,
                            pair[1]
                        );
                    }
                }
            }
        }
    }
}
