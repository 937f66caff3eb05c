//! Search indexes for a back end the console did not design. Django's
//! `auth_user.email` has no index at all, so a substring search scans the
//! table. `propose` says what would make it fast on this database, with the
//! statements and a rough size; `create` builds what is missing, only when
//! an administrator asks. Without them search still works, as a scan.
//!
//! - PostgreSQL: pg_trgm GIN indexes on exactly the expressions the search
//!   compares (`LOWER(email)`, the display name), built CONCURRENTLY so the
//!   back end keeps writing meanwhile; the extension goes into the
//!   console's schema.
//! - SQLite: an FTS5 trigram table in the console's namespace, filled once
//!   and kept by three triggers on the users table.
//! - MariaDB has no index for a substring inside a value (FULLTEXT finds
//!   whole words), so nothing is proposed and search scans.

use serde::Serialize;

use super::sql::Sql;
use super::users_of;
use crate::db::{Backend, Db, Query};
use crate::mapping::{Mapping, UserMap};
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::{Error, Result};

/// One index (or helper table) that would speed up search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub name: String,
    /// What it makes fast, for people.
    pub purpose: String,
    /// The statements that create it, in order.
    pub ddl: Vec<String>,
    pub exists: bool,
    /// A rough size once built, in bytes (from the rows and the average
    /// length of what is indexed).
    pub estimated_bytes: i64,
}

/// What this database can have, or why it can have nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexPlan {
    pub proposals: Vec<Proposal>,
    pub note: Option<String>,
}

impl IndexPlan {
    /// Whether search on this back end uses an index rather than a scan.
    pub fn in_place(&self) -> bool {
        !self.proposals.is_empty() && self.proposals.iter().all(|p| p.exists)
    }
}

/// The name of the SQLite helper table for a users table.
pub(super) fn fts_table(u: &UserMap) -> String {
    format!("backoffice_search_{}", u.table)
}

/// Whether the SQLite helper table is there (false on the servers).
pub(super) async fn sqlite_helper(db: &Db, u: &UserMap) -> Result<bool> {
    if db.backend() != Backend::Sqlite {
        return Ok(false);
    }
    exists(
        db,
        &format!(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = '{}'",
            fts_table(u)
        ),
    )
    .await
}

/// What would make search fast here, and whether it is there already.
pub async fn propose(db: &Db, m: &Mapping) -> Result<IndexPlan> {
    let u = users_of(m)?;
    let s = Sql { b: db.backend() };
    let (rows, chars) = size(db, &s, u).await?;
    Ok(match db.backend() {
        Backend::Postgres => postgres(db, &s, u, rows, chars).await?,
        Backend::Sqlite => sqlite(db, &s, u, rows, chars).await?,
        Backend::Mysql => IndexPlan {
            proposals: Vec::new(),
            note: Some(format!(
                "MariaDB has no index for a substring inside a value (its FULLTEXT indexes \
                 find whole words), so searching {} scans the table",
                u.table
            )),
        },
    })
}

/// Whether search here is served by the proposed indexes (`None` where
/// none can be built): a few catalogue reads, no scan of the users.
pub async fn in_place(db: &Db, m: &Mapping) -> Result<Option<bool>> {
    let u = users_of(m)?;
    Ok(match db.backend() {
        Backend::Mysql => None,
        Backend::Sqlite => Some(sqlite_helper(db, u).await?),
        Backend::Postgres => Some(trigram_in_place(db, u).await?),
    })
}

/// Whether PostgreSQL's trigram index on the users' emails is built and
/// valid.
pub(super) async fn trigram_in_place(db: &Db, u: &UserMap) -> Result<bool> {
    let name = format!("backoffice_search_{}_email", u.table);
    index_valid(db, &u.table, &name).await
}

/// Builds every proposed index that is missing, one after the other;
/// returns the plan as it stands after. `progress` hears of each before it
/// starts; `cancel` stops the work between two indexes (one being built
/// finishes), and the error then says how many were built.
pub async fn create(
    db: &Db,
    m: &Mapping,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<IndexPlan> {
    let plan = propose(db, m).await?;
    let built = build_missing(db, &plan, progress, cancel).await;
    // A sample read while the index was missing is empty: read it again.
    super::narrow::forget();
    built?;
    propose(db, m).await
}

/// Builds a plan's missing proposals one after the other, each reported
/// to `progress` before it starts; `cancel` stops the work between two
/// (one being built finishes), and the error then says how many were
/// built. A proposal's statements run in one transaction, except on
/// PostgreSQL, where `CONCURRENTLY` cannot run inside one.
pub(crate) async fn build_missing(
    db: &Db,
    plan: &IndexPlan,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<()> {
    let missing: Vec<&Proposal> = plan.proposals.iter().filter(|p| !p.exists).collect();
    let total = missing.len() as u64;
    for (done, p) in missing.into_iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(Error::validation(format!(
                "stopped: {done} of {total} indexes built; the rest were not started"
            )));
        }
        progress.report(Progress {
            stage: p.name.clone(),
            done: done as u64,
            total,
        });
        let what = format!("create the index {}", p.name);
        match db.backend() {
            Backend::Postgres => {
                for sql in &p.ddl {
                    db.execute_alone(&Query::new(sql.clone()), &what).await?;
                }
            }
            _ => {
                let mut tx = db.begin_write(&what).await?;
                for sql in &p.ddl {
                    tx.execute(&Query::new(sql.clone()), &what).await?;
                }
                tx.commit().await?;
            }
        }
    }
    Ok(())
}

/// The users table's rows and the average length of email plus name.
async fn size(db: &Db, s: &Sql, u: &UserMap) -> Result<(i64, i64)> {
    let q = Query::new(format!(
        "SELECT {}, {} FROM {} u",
        s.int("COUNT(*)"),
        s.int(&format!(
            "COALESCE(SUM(LENGTH(COALESCE({}, '')) + LENGTH({})), 0)",
            s.u(&u.email),
            s.name(u)
        )),
        s.q(&u.table)
    ));
    let (rows, chars): (i64, i64) = db.fetch_one(&q, "cannot measure the users table").await?;
    Ok((rows, if rows == 0 { 0 } else { chars / rows }))
}

async fn postgres(db: &Db, s: &Sql, u: &UserMap, rows: i64, chars: i64) -> Result<IndexPlan> {
    let mut proposals = vec![Proposal {
        name: "pg_trgm".into(),
        purpose: "the trigram operator classes the indexes use".into(),
        ddl: vec!["CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA backoffice".into()],
        exists: exists(
            db,
            "SELECT COUNT(*) FROM pg_extension WHERE extname = 'pg_trgm'",
        )
        .await?,
        estimated_bytes: 0,
    }];
    let mut columns = vec![("email", s.q(&u.email), "email addresses")];
    if !u.name.is_empty() {
        columns.push(("name", s.name_on("", u), "display names"));
    }
    // A GIN trigram index holds about three entries per character.
    let each = rows.saturating_mul(chars).saturating_mul(3) / columns.len() as i64;
    for (suffix, expr, what) in columns {
        let name = format!("backoffice_search_{}_{suffix}", u.table);
        let valid = index_valid(db, &u.table, &name).await?;
        proposals.push(Proposal {
            purpose: format!("search inside {what} of {}", u.table),
            ddl: vec![
                // A build that was interrupted leaves an invalid index.
                format!("DROP INDEX CONCURRENTLY IF EXISTS {}", s.q(&name)),
                format!(
                    "CREATE INDEX CONCURRENTLY {} ON {} USING gin (LOWER({expr}) gin_trgm_ops)",
                    s.q(&name),
                    s.q(&u.table)
                ),
            ],
            name,
            exists: valid,
            estimated_bytes: each,
        });
    }
    Ok(IndexPlan {
        proposals,
        note: None,
    })
}

async fn sqlite(db: &Db, s: &Sql, u: &UserMap, rows: i64, chars: i64) -> Result<IndexPlan> {
    let fts = fts_table(u);
    let t = s.q(&u.table);
    let cols = |prefix: &str| format!("{prefix}{}, {}", s.q(&u.email), s.name_on(prefix, u));
    let add = |row: &str| {
        format!(
            "INSERT INTO {fts} (rowid, email, name) VALUES ({row}.rowid, {})",
            cols(&format!("{row}."))
        )
    };
    let remove = format!(
        "INSERT INTO {fts} ({fts}, rowid, email, name) VALUES ('delete', old.rowid, {})",
        cols("old.")
    );
    let watched: Vec<String> = std::iter::once(&u.email)
        .chain(u.name.iter())
        .map(|c| s.q(c))
        .collect();
    let ddl = vec![
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5(email, name, content='', tokenize='trigram')"
        ),
        format!(
            "INSERT INTO {fts} (rowid, email, name) SELECT rowid, {} FROM {t}",
            cols("")
        ),
        format!(
            "CREATE TRIGGER {fts}_insert AFTER INSERT ON {t} BEGIN {}; END",
            add("new")
        ),
        format!("CREATE TRIGGER {fts}_delete AFTER DELETE ON {t} BEGIN {remove}; END"),
        format!(
            "CREATE TRIGGER {fts}_update AFTER UPDATE OF {} ON {t} BEGIN {remove}; {}; END",
            watched.join(", "),
            add("new")
        ),
    ];
    let there = sqlite_helper(db, u).await?;
    Ok(IndexPlan {
        proposals: vec![Proposal {
            name: fts.clone(),
            purpose: format!(
                "search inside email addresses and display names of {} (an FTS5 trigram table \
                 kept by triggers)",
                u.table
            ),
            ddl,
            exists: there,
            estimated_bytes: rows.saturating_mul(chars).saturating_mul(3),
        }],
        note: None,
    })
}

async fn exists(db: &Db, sql: &str) -> Result<bool> {
    let (n,): (i64,) = db
        .fetch_one(&Query::new(sql), "cannot read the database's catalogue")
        .await?;
    Ok(n > 0)
}

/// Whether the index `name` on `table` is there (and, on PostgreSQL,
/// valid: an interrupted concurrent build leaves an invalid one).
pub(crate) async fn index_valid(db: &Db, table: &str, name: &str) -> Result<bool> {
    let mut q = Query::new(match db.backend() {
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid \
             WHERE i.indisvalid AND c.relname = "
        }
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ",
        Backend::Mysql => {
            "SELECT COUNT(*) FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name = "
        }
    });
    q.bind(name);
    if db.backend() == Backend::Mysql {
        q.sql(" AND table_name = ").bind(table);
    }
    let (n,): (i64,) = db
        .fetch_one(&q, "cannot read the database's catalogue")
        .await?;
    Ok(n > 0)
}
