//! A small dialect-neutral query: SQL text with bound values, turned into a
//! sqlx `QueryBuilder` of the concrete backend at the last moment, so each
//! backend gets its own placeholders (`?` or `$1`) and its own encoders.
//! Domain modules build [`Query`] values; only this module touches the pool.

use chrono::{DateTime, Utc};
use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

use super::{on_pool, on_tx, Db, WriteTx};
use crate::{Error, Result};

/// One bound value.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Text(String),
    OptText(Option<String>),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::OptInt(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::OptText(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::OptText(v.map(str::to_string))
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Self {
        Arg::Time(v)
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Self {
        Arg::OptTime(v)
    }
}

#[derive(Debug, Clone)]
enum Part {
    Sql(String),
    Bind(Arg),
}

/// SQL text interleaved with bound values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    parts: Vec<Part>,
    /// Planned for its values at every run (see [`Query::planned_per_run`]).
    per_run: bool,
}

impl Query {
    pub fn new(sql: impl Into<String>) -> Self {
        Query {
            parts: vec![Part::Sql(sql.into())],
            per_run: false,
        }
    }

    pub fn sql(&mut self, sql: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Sql(sql.into()));
        self
    }

    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.parts.push(Part::Bind(value.into()));
        self
    }

    /// Not kept as a prepared statement: PostgreSQL plans it for the values
    /// of each run. A cached generic plan guesses a pattern's selectivity,
    /// and for a rare substring walks a million users in key order instead
    /// of asking the trigram index (1.3 s instead of 4 ms,
    /// docs/BENCHMARKS.md). For the few queries whose best plan depends on
    /// their values.
    pub fn planned_per_run(&mut self) -> &mut Self {
        self.per_run = true;
        self
    }

    /// Appends another query's text and values.
    pub fn append(&mut self, other: Query) -> &mut Self {
        self.parts.extend(other.parts);
        self
    }

    /// Appends `(?, ?, …)` for a non-empty list.
    pub fn bind_list<T: Into<Arg>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        self.sql("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql(", ");
            }
            self.bind(v);
        }
        self.sql(")")
    }
}

/// Row types every backend can decode (derive `sqlx::FromRow`, or tuples).
pub(crate) trait Rows:
    for<'r> FromRow<'r, SqliteRow>
    + for<'r> FromRow<'r, PgRow>
    + for<'r> FromRow<'r, MySqlRow>
    + Send
    + Unpin
{
}
impl<T> Rows for T where
    T: for<'r> FromRow<'r, SqliteRow>
        + for<'r> FromRow<'r, PgRow>
        + for<'r> FromRow<'r, MySqlRow>
        + Send
        + Unpin
{
}

/// Expands in each backend arm into that backend's `QueryBuilder`.
macro_rules! builder {
    ($q:expr) => {{
        let mut qb = sqlx::QueryBuilder::new("");
        for part in &$q.parts {
            match part {
                Part::Sql(s) => {
                    qb.push(s);
                }
                Part::Bind(arg) => {
                    match arg.clone() {
                        Arg::Int(v) => qb.push_bind(v),
                        Arg::OptInt(v) => qb.push_bind(v),
                        Arg::Bool(v) => qb.push_bind(v),
                        Arg::Text(v) => qb.push_bind(v),
                        Arg::OptText(v) => qb.push_bind(v),
                        Arg::Time(v) => qb.push_bind(v),
                        Arg::OptTime(v) => qb.push_bind(v),
                    };
                }
            }
        }
        qb
    }};
}

impl Db {
    pub(crate) async fn fetch_all<T: Rows>(&self, q: &Query, what: &str) -> Result<Vec<T>> {
        on_pool!(self.pool(), p => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_all(p).await
        })
        .map_err(|e| Error::db(what, e))
    }

    pub(crate) async fn fetch_optional<T: Rows>(&self, q: &Query, what: &str) -> Result<Option<T>> {
        on_pool!(self.pool(), p => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_optional(p).await
        })
        .map_err(|e| Error::db(what, e))
    }

    pub(crate) async fn fetch_one<T: Rows>(&self, q: &Query, what: &str) -> Result<T> {
        on_pool!(self.pool(), p => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_one(p).await
        })
        .map_err(|e| Error::db(what, e))
    }

    /// One statement on its own, outside any transaction: for what cannot
    /// run inside one (PostgreSQL's `CREATE INDEX CONCURRENTLY`).
    pub(crate) async fn execute_alone(&self, q: &Query, what: &str) -> Result<u64> {
        self.ensure_writable(what)?;
        on_pool!(self.pool(), p => {
            let mut qb = builder!(q);
            qb.build().persistent(!q.per_run).execute(p).await.map(|r| r.rows_affected())
        })
        .map_err(|e| Error::db(what, e))
    }
}

impl WriteTx {
    pub(crate) async fn fetch_all<T: Rows>(&mut self, q: &Query, what: &str) -> Result<Vec<T>> {
        on_tx!(&mut self.tx, c => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_all(&mut *c).await
        })
        .map_err(|e| Error::db(what, e))
    }

    pub(crate) async fn fetch_optional<T: Rows>(
        &mut self,
        q: &Query,
        what: &str,
    ) -> Result<Option<T>> {
        on_tx!(&mut self.tx, c => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_optional(&mut *c).await
        })
        .map_err(|e| Error::db(what, e))
    }

    pub(crate) async fn fetch_one<T: Rows>(&mut self, q: &Query, what: &str) -> Result<T> {
        on_tx!(&mut self.tx, c => {
            let mut qb = builder!(q);
            qb.build_query_as::<T>().persistent(!q.per_run).fetch_one(&mut *c).await
        })
        .map_err(|e| Error::db(what, e))
    }

    /// Runs a statement and returns how many rows it touched.
    pub(crate) async fn execute(&mut self, q: &Query, what: &str) -> Result<u64> {
        on_tx!(&mut self.tx, c => {
            let mut qb = builder!(q);
            qb.build().persistent(!q.per_run).execute(&mut *c).await.map(|r| r.rows_affected())
        })
        .map_err(|e| Error::db(what, e))
    }
}

/// Where reads go: the pool, or an open write transaction (so a preview
/// and the change it previews read the same way).
pub(crate) enum Source<'a> {
    Pool(&'a Db),
    Tx(&'a mut WriteTx),
}

impl Source<'_> {
    pub(crate) fn backend(&self) -> super::Backend {
        match self {
            Source::Pool(db) => db.backend(),
            Source::Tx(tx) => tx.backend(),
        }
    }

    pub(crate) async fn fetch_all<T: Rows>(&mut self, q: &Query, what: &str) -> Result<Vec<T>> {
        match self {
            Source::Pool(db) => db.fetch_all(q, what).await,
            Source::Tx(tx) => tx.fetch_all(q, what).await,
        }
    }

    pub(crate) async fn fetch_optional<T: Rows>(
        &mut self,
        q: &Query,
        what: &str,
    ) -> Result<Option<T>> {
        match self {
            Source::Pool(db) => db.fetch_optional(q, what).await,
            Source::Tx(tx) => tx.fetch_optional(q, what).await,
        }
    }
}
