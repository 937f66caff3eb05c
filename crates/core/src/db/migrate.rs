//! Schema migrations, embedded per backend from `migrations/<backend>/`.
//!
//! Before the first migration runs, a database that already holds tables
//! Backoffice did not create is refused: migrating someone else's schema
//! would mix our tables into theirs (and MySQL DDL cannot be rolled back).

use serde::Serialize;
use sqlx::migrate::{MigrateError, Migrator};

use super::{on_pool, Db, Pool};
use crate::{Error, Result};

static SQLITE: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../../migrations/postgres");
static MYSQL: Migrator = sqlx::migrate!("../../migrations/mysql");

const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    /// Descriptions of the migrations this call applied.
    pub applied: Vec<String>,
    /// The schema version the database is at now.
    pub version: i64,
}

fn migrator(pool: &Pool) -> &'static Migrator {
    match pool {
        Pool::Sqlite(_) => &SQLITE,
        Pool::Postgres(_) => &POSTGRES,
        Pool::Mysql(_) => &MYSQL,
    }
}

async fn table_names(db: &Db) -> Result<Vec<String>> {
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
    on_pool!(db.pool(), p => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await)
        .map_err(|e| Error::db("cannot list the database's tables", e))
}

async fn applied_versions(db: &Db) -> Result<Vec<i64>> {
    let sql = "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version";
    on_pool!(db.pool(), p => sqlx::query_scalar::<_, i64>(sql).fetch_all(p).await)
        .map_err(|e| Error::db("cannot read the schema version", e))
}

async fn refuse_foreign_tables(db: &Db, tables: &[String]) -> Result<()> {
    if tables.is_empty() || tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(());
    }
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = tables.len().saturating_sub(shown.len());
    Err(Error::validation(format!(
        "{} already holds tables that Backoffice did not create ({}{}); \
         point Backoffice at an empty database or one it created",
        db.label(),
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )))
}

pub(super) async fn run(db: &Db) -> Result<MigrationReport> {
    let tables = table_names(db).await?;
    refuse_foreign_tables(db, &tables).await?;
    let before = if tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        applied_versions(db).await?
    } else {
        Vec::new()
    };
    let m = migrator(db.pool());
    on_pool!(db.pool(), p => m.run(p).await).map_err(|e| migrate_error(db, e))?;
    let applied = m
        .iter()
        .filter(|mig| !mig.migration_type.is_down_migration() && !before.contains(&mig.version))
        .map(|mig| format!("{} {}", mig.version, mig.description))
        .collect();
    Ok(MigrationReport {
        applied,
        version: latest(m),
    })
}

/// Where a database's schema stands relative to this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SchemaStatus {
    Current {
        version: i64,
    },
    /// No Backoffice schema yet (an empty database).
    Missing,
    /// Tables Backoffice did not create, and no schema of ours.
    Foreign {
        tables: Vec<String>,
    },
    Behind {
        at: i64,
        want: i64,
    },
    Ahead {
        at: i64,
        want: i64,
    },
}

impl SchemaStatus {
    /// Where the schema stands, in words.
    pub fn describe(&self) -> String {
        match self {
            SchemaStatus::Current { version } => format!("current (version {version})"),
            SchemaStatus::Missing => "none yet (created on first writable use)".into(),
            SchemaStatus::Foreign { tables } => {
                format!("not Backoffice's ({} other tables)", tables.len())
            }
            SchemaStatus::Behind { at, want } => {
                format!("at {at}, needs {want}: run `backoffice migrate`")
            }
            SchemaStatus::Ahead { at, want } => {
                format!("at {at}, newer than this build ({want})")
            }
        }
    }
}

pub(super) async fn status(db: &Db) -> Result<SchemaStatus> {
    let tables = table_names(db).await?;
    if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(if tables.is_empty() {
            SchemaStatus::Missing
        } else {
            SchemaStatus::Foreign { tables }
        });
    }
    let at = applied_versions(db).await?.last().copied().unwrap_or(0);
    let want = latest(migrator(db.pool()));
    Ok(match at.cmp(&want) {
        std::cmp::Ordering::Equal => SchemaStatus::Current { version: at },
        std::cmp::Ordering::Less => SchemaStatus::Behind { at, want },
        std::cmp::Ordering::Greater => SchemaStatus::Ahead { at, want },
    })
}

/// For read-only connections: the schema must already be what we expect.
pub(super) async fn check_current(db: &Db) -> Result<()> {
    match status(db).await? {
        SchemaStatus::Current { .. } => Ok(()),
        SchemaStatus::Foreign { tables } => refuse_foreign_tables(db, &tables).await,
        SchemaStatus::Missing => Err(Error::validation(format!(
            "{} has no Backoffice schema yet; open it once with a writable profile \
             (or run `backoffice migrate`) to create it",
            db.label()
        ))),
        SchemaStatus::Ahead { at, want } => Err(Error::validation(format!(
            "{} was migrated by a newer Backoffice (schema {at}, this one knows {want})",
            db.label()
        ))),
        SchemaStatus::Behind { at, want } => Err(Error::validation(format!(
            "{} is at schema {at} but this Backoffice needs {want}; \
             run `backoffice migrate` with a writable profile",
            db.label()
        ))),
    }
}

fn latest(m: &Migrator) -> i64 {
    m.iter().map(|mig| mig.version).max().unwrap_or(0)
}

fn migrate_error(db: &Db, err: MigrateError) -> Error {
    match err {
        MigrateError::Execute(e) => Error::db(&format!("migrating {}", db.label()), e),
        MigrateError::VersionMissing(v) => Error::validation(format!(
            "{} has migration {v}, which this Backoffice does not know: \
             it was migrated by a newer version or another program",
            db.label()
        )),
        MigrateError::Dirty(v) => Error::validation(format!(
            "migration {v} of {} failed part-way in an earlier run and needs repair by hand",
            db.label()
        )),
        MigrateError::VersionMismatch(v) => Error::validation(format!(
            "migration {v} of {} differs from the one this Backoffice ships",
            db.label()
        )),
        other => Error::internal(format!("migrating {}: {other}", db.label())),
    }
}
