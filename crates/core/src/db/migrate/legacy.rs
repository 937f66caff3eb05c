//! Databases made by Backoffice before the console had a namespace: the
//! reference schema and the console's tables side by side, the console's
//! named `admin_*`, recorded in sqlx's `_sqlx_migrations` (versions 1-8).
//! Upgrading renames the console's tables into their namespace, records
//! the reference schema's migrations and the console's first (the layout
//! those tables have) as applied and drops the old record, in one
//! transaction where the backend allows (MySQL/MariaDB renames every table
//! in one atomic statement). No row is touched. The console's later
//! migrations then run as on any attached database.

use super::super::{on_pool, Backend, Db};
use super::runner::{self, Set};
use crate::{Error, Result};

const OLD_RECORD: &str = "_sqlx_migrations";
/// The last version of the old single line; every database it made and
/// upgraded ends there.
const LAST_OLD_VERSION: i64 = 8;
/// The console migration whose tables the old layout has.
const OLD_LAYOUT_CONSOLE_VERSION: i64 = 1;
/// The console's tables of the old layout, by their old names.
const OLD_TABLES: [&str; 9] = [
    "admin_operators",
    "admin_sign_in_attempts",
    "admin_audit_log",
    "admin_audit_head",
    "admin_validation_runs",
    "admin_findings",
    "admin_outbox",
    "admin_outbox_keys",
    "admin_outbox_attempts",
];

pub(super) fn is_legacy(tables: &[String]) -> bool {
    tables.iter().any(|t| t == OLD_RECORD) && tables.iter().any(|t| t == "admin_operators")
}

fn new_name(old: &str) -> String {
    format!("backoffice_{}", old.trim_start_matches("admin_"))
}

fn statements(backend: Backend) -> Vec<String> {
    let mut out = vec![runner::bookkeeping_ddl(backend).to_string()];
    match backend {
        Backend::Sqlite => {
            for t in OLD_TABLES.iter().chain(&["admin_user_search"]) {
                out.push(format!("ALTER TABLE {t} RENAME TO {}", new_name(t)));
            }
        }
        Backend::Postgres => {
            for t in OLD_TABLES {
                out.push(format!("ALTER TABLE {t} SET SCHEMA backoffice"));
                out.push(format!(
                    "ALTER TABLE backoffice.{t} RENAME TO {}",
                    new_name(t)
                ));
            }
        }
        Backend::Mysql => {
            let pairs: Vec<String> = OLD_TABLES
                .iter()
                .map(|t| format!("{t} TO {}", new_name(t)))
                .collect();
            out.push(format!("RENAME TABLE {}", pairs.join(", ")));
        }
    }
    for m in Set::Demo.migrations(backend) {
        out.push(runner::record_sql(backend, Set::Demo, m));
    }
    for m in Set::Console.migrations(backend) {
        if m.version <= OLD_LAYOUT_CONSOLE_VERSION {
            out.push(runner::record_sql(backend, Set::Console, m));
        }
    }
    out.push(format!("DROP TABLE {OLD_RECORD}"));
    out
}

pub(super) async fn upgrade(db: &Db) -> Result<()> {
    db.ensure_writable("upgrade the console's tables")?;
    let versions = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = TRUE";
    let at: i64 = on_pool!(db.pool(), p => sqlx::query_scalar(versions).fetch_one(p).await)
        .map_err(|e| Error::db("cannot read the earlier schema version", e))?;
    if at != LAST_OLD_VERSION {
        return Err(Error::validation(format!(
            "{} was made by an earlier Backoffice and is at its schema {at}; \
             open it once with that version (schema {LAST_OLD_VERSION}) before this one",
            db.label()
        )));
    }
    let what = |e| {
        Error::db(
            &format!("upgrading the console's tables of {}", db.label()),
            e,
        )
    };
    let mut tx = db.begin_write("upgrade the console's tables").await?;
    for sql in statements(db.backend()) {
        super::super::on_tx!(&mut tx.tx, t => sqlx::Executor::execute(&mut *t, sql.as_str()).await.map(|_| ()))
            .map_err(what)?;
    }
    tx.commit().await
}
