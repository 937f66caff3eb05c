//! The console's tables beside the back end's.
//!
//! Two sets of migrations, each with its own version line, recorded in the
//! console's bookkeeping table (see [`runner`]):
//! - **console**: the console's own tables (operators, audit log, findings,
//!   outbox), in a namespace of their own: the `backoffice` schema on
//!   PostgreSQL (found through the session's `search_path`, to which the
//!   connection appends it), `backoffice_`-prefixed tables on SQLite and
//!   MySQL/MariaDB. `attach` creates them beside any back end, and never
//!   creates, alters or writes a table of the back end's.
//! - **demo**: the reference schema, the demo back end. An empty database
//!   becomes the demo on first writable use (`seed`, `make run`), then is
//!   attached like any other.

mod legacy;
pub(crate) mod runner;

use serde::Serialize;

use super::{on_pool, Backend, Db, Pool};
use crate::{Error, Result};
use runner::Set;

/// Prefix of every table the console owns (inside the `backoffice` schema
/// on PostgreSQL, beside the back end's tables elsewhere).
pub const CONSOLE_PREFIX: &str = "backoffice_";

#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    /// "set version description" of each migration this call applied.
    pub applied: Vec<String>,
    /// The console schema's version now.
    pub version: i64,
}

/// Where a database's console schema stands relative to this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SchemaStatus {
    /// Attached and up to date; `demo` when the back end is the reference
    /// schema that Backoffice created.
    Current { version: i64, demo: bool },
    /// An empty database (it becomes the demo on first writable use).
    Missing,
    /// A back end without the console's tables: `attach` creates them.
    NotAttached { tables: Vec<String> },
    /// The layout of Backoffice before the console had a namespace
    /// (`admin_*` tables); upgraded in place on first writable use.
    Legacy,
    /// Migrations of this build not applied yet ("console 2", "demo 8").
    Behind { pending: Vec<String> },
    /// Migrated by a newer Backoffice.
    Ahead { set: String, at: i64, want: i64 },
}

impl SchemaStatus {
    /// Where the schema stands, in words.
    pub fn describe(&self) -> String {
        match self {
            SchemaStatus::Current { version, demo } => format!(
                "attached, console tables at version {version}{}",
                if *demo { " (the demo back end)" } else { "" }
            ),
            SchemaStatus::Missing => "empty (becomes the demo back end on first writable use)".into(),
            SchemaStatus::NotAttached { tables } => format!(
                "not attached: a back end of {} tables without the console's; run `backoffice attach`",
                tables.len()
            ),
            SchemaStatus::Legacy => {
                "made by an earlier Backoffice (admin_* tables); upgraded on first writable use".into()
            }
            SchemaStatus::Behind { pending } => format!(
                "needs {}: run `backoffice attach` with a writable profile",
                pending.join(", ")
            ),
            SchemaStatus::Ahead { set, at, want } => {
                format!("{set} tables at {at}, newer than this build ({want})")
            }
        }
    }
}

/// Tables of the back end's own namespace (the current schema on
/// PostgreSQL, the database elsewhere), the console's left out.
pub(crate) async fn back_end_tables(db: &Db) -> Result<Vec<String>> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Pool::Postgres(_) => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        }
        Pool::Mysql(_) => {
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
        }
    };
    let all = on_pool!(db.pool(), p => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await)
        .map_err(|e| Error::db("cannot list the database's tables", e))?;
    let ours = |t: &String| db.backend() != Backend::Postgres && t.starts_with(CONSOLE_PREFIX);
    Ok(all.into_iter().filter(|t| !ours(t)).collect())
}

/// The console's tables (names without the schema).
pub(crate) async fn console_tables(db: &Db) -> Result<Vec<String>> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'backoffice\\_%' ESCAPE '\\' ORDER BY name"
        }
        Pool::Postgres(_) => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'backoffice' ORDER BY 1"
        }
        Pool::Mysql(_) => {
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'backoffice\\_%' ORDER BY 1"
        }
    };
    on_pool!(db.pool(), p => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await)
        .map_err(|e| Error::db("cannot list the console's tables", e))
}

pub(super) async fn status(db: &Db) -> Result<SchemaStatus> {
    let backend = db.backend();
    let ours = console_tables(db).await?;
    if !ours.iter().any(|t| t == "backoffice_migrations") {
        let tables = back_end_tables(db).await?;
        return Ok(if legacy::is_legacy(&tables) {
            SchemaStatus::Legacy
        } else if tables.is_empty() && ours.is_empty() {
            SchemaStatus::Missing
        } else {
            SchemaStatus::NotAttached { tables }
        });
    }
    let applied = runner::applied(db).await?;
    let at = |set: Set| {
        applied
            .iter()
            .filter(|(s, _, _)| s == set.name())
            .map(|(_, v, _)| *v)
            .collect::<Vec<_>>()
    };
    let demo = !at(Set::Demo).is_empty();
    let sets: &[Set] = if demo {
        &[Set::Demo, Set::Console]
    } else {
        &[Set::Console]
    };
    let mut pending = Vec::new();
    for &set in sets {
        let done = at(set);
        let want = set.latest(backend);
        let top = done.iter().copied().max().unwrap_or(0);
        if top > want {
            return Ok(SchemaStatus::Ahead {
                set: set.name().into(),
                at: top,
                want,
            });
        }
        pending.extend(
            set.migrations(backend)
                .iter()
                .filter(|m| !done.contains(&m.version))
                .map(|m| format!("{} {}", set.name(), m.version)),
        );
    }
    Ok(if pending.is_empty() {
        SchemaStatus::Current {
            version: Set::Console.latest(backend),
            demo,
        }
    } else {
        SchemaStatus::Behind { pending }
    })
}

fn not_attached(db: &Db, tables: &[String]) -> Error {
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = tables.len().saturating_sub(shown.len());
    Error::validation(format!(
        "{} is a back end without the console's tables ({}{}); \
         run `backoffice attach` to create them beside it (or `backoffice schema sql` \
         for the statements an administrator of the database can run)",
        db.label(),
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

fn ahead(db: &Db, set: &str, at: i64, want: i64) -> Error {
    Error::validation(format!(
        "{} was attached by a newer Backoffice ({set} tables at {at}, this one knows {want})",
        db.label()
    ))
}

/// Opening writable: brings what is ours up to date. An empty database
/// becomes the demo; a back end must be attached first, deliberately.
pub(super) async fn run(db: &Db) -> Result<MigrationReport> {
    let sets: &[Set] = match status(db).await? {
        SchemaStatus::Missing => &[Set::Demo, Set::Console],
        SchemaStatus::NotAttached { tables } => return Err(not_attached(db, &tables)),
        _ => return update(db).await,
    };
    finish(db, runner::apply(db, sets).await?)
}

/// `attach`: creates or updates the console's tables beside the back end,
/// and nothing else.
pub(super) async fn attach(db: &Db) -> Result<MigrationReport> {
    match status(db).await? {
        SchemaStatus::Missing | SchemaStatus::NotAttached { .. } => {
            let clash = console_tables(db).await?;
            if !clash.is_empty() {
                return Err(Error::validation(format!(
                    "{} already has tables named like the console's ({}) but no record of \
                     attaching; if an earlier attach stopped part-way, drop them and attach again",
                    db.label(),
                    clash.join(", ")
                )));
            }
            finish(db, runner::apply(db, &[Set::Console]).await?)
        }
        _ => update(db).await,
    }
}

/// Upgrades the legacy layout, then applies what is pending of the sets
/// this database already has.
async fn update(db: &Db) -> Result<MigrationReport> {
    let mut applied = Vec::new();
    let mut st = status(db).await?;
    if st == SchemaStatus::Legacy {
        legacy::upgrade(db).await?;
        applied.push("console tables renamed from the earlier admin_* layout".to_string());
        st = status(db).await?;
    }
    match st {
        SchemaStatus::Ahead { set, at, want } => return Err(ahead(db, &set, at, want)),
        // Nothing pending: no write, no lock.
        SchemaStatus::Current { .. } => return finish(db, applied),
        _ => {}
    }
    let demo = runner::applied(db)
        .await?
        .iter()
        .any(|(s, _, _)| s == Set::Demo.name());
    let sets: &[Set] = if demo {
        &[Set::Demo, Set::Console]
    } else {
        &[Set::Console]
    };
    applied.extend(runner::apply(db, sets).await?);
    finish(db, applied)
}

fn finish(db: &Db, applied: Vec<String>) -> Result<MigrationReport> {
    Ok(MigrationReport {
        applied,
        version: Set::Console.latest(db.backend()),
    })
}

/// For read-only connections: the console's tables must already be current.
pub(super) async fn check_current(db: &Db) -> Result<()> {
    match status(db).await? {
        SchemaStatus::Current { .. } => Ok(()),
        SchemaStatus::NotAttached { tables } => Err(not_attached(db, &tables)),
        SchemaStatus::Missing => Err(Error::validation(format!(
            "{} is empty; open it once with a writable profile to create the demo, \
             or point Backoffice at a back end",
            db.label()
        ))),
        SchemaStatus::Legacy => Err(Error::validation(format!(
            "{} was made by an earlier Backoffice; open it once with a writable profile \
             (or run `backoffice attach`) to bring its console tables up to date",
            db.label()
        ))),
        SchemaStatus::Ahead { set, at, want } => Err(ahead(db, &set, at, want)),
        SchemaStatus::Behind { pending } => Err(Error::validation(format!(
            "{} needs {} of this Backoffice; run `backoffice attach` with a writable profile",
            db.label(),
            pending.join(", ")
        ))),
    }
}

/// The exact statements `attach` runs for the console's tables on this
/// backend, for an administrator of the database to run by hand.
pub fn console_ddl(backend: Backend) -> String {
    let migrations = Set::Console.migrations(backend);
    let mut out = format!(
        "-- Backoffice: the console's tables for {}, version {}.\n\
         -- They live {}, and no statement here touches a table of the back end's.\n\
         -- Run as an account that may create tables; the console then needs\n\
         -- SELECT, INSERT, UPDATE and DELETE on them.\n\n",
        backend.display_name(),
        Set::Console.latest(backend),
        match backend {
            Backend::Postgres => "in the schema `backoffice`",
            _ => "beside the back end's, every name starting with `backoffice_`",
        }
    );
    let transactional = backend != Backend::Mysql;
    if transactional {
        out.push_str("BEGIN;\n\n");
    }
    out.push_str(runner::bookkeeping_ddl(backend));
    out.push_str("\n\n");
    for m in migrations {
        out.push_str(m.sql.trim_end());
        out.push_str("\n\n");
        out.push_str(&runner::record_sql(backend, Set::Console, m));
        out.push_str("\n\n");
    }
    if transactional {
        out.push_str("COMMIT;\n");
    }
    out
}

/// The console's tables on this backend, by name, in the order their
/// statements create them.
pub fn console_table_names(backend: Backend) -> Vec<String> {
    created_tables(&console_ddl(backend))
}

fn created_tables(sql: &str) -> Vec<String> {
    sql.lines()
        .filter_map(|l| l.trim_start().strip_prefix("CREATE TABLE "))
        .map(|rest| rest.trim_start_matches("IF NOT EXISTS "))
        .filter_map(|rest| rest.split([' ', '(']).next())
        .map(|name| name.trim_start_matches("backoffice.").to_string())
        .collect()
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn the_console_tables_are_named_from_their_statements() {
        let sql = "-- x\nCREATE TABLE backoffice.backoffice_audit (\n  id INT\n);\n\
                   CREATE INDEX i ON t (c);\nCREATE TABLE backoffice_outbox(id INT);\n\
                   CREATE TABLE IF NOT EXISTS backoffice_migrations (v INT);\n";
        assert_eq!(
            created_tables(sql),
            [
                "backoffice_audit",
                "backoffice_outbox",
                "backoffice_migrations"
            ]
        );
        for b in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
            let tables = console_table_names(b);
            assert!(tables.contains(&"backoffice_outbox".to_string()), "{b:?}");
            assert!(
                tables.iter().all(|t| t.starts_with(CONSOLE_PREFIX)),
                "{tables:?}"
            );
        }
    }
}

#[cfg(test)]
mod send_tests {
    fn assert_send<T: Send>(_: T) {}

    #[allow(dead_code)]
    fn futures_are_send(db: &super::Db) {
        assert_send(super::runner::apply(db, &[]));
        assert_send(super::legacy::upgrade(db));
        assert_send(super::run(db));
    }
}
