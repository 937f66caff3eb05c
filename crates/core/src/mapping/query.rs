//! How a mapping's names become SQL, for every job that reads a back end
//! through its mapping (users, orders): names quoted from the mapping,
//! every value bound, keys compared as their type, flags, timestamps and
//! amounts read alike on every backend.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::catalogue::{self, Kind};
use super::quoted;
use crate::db::query::Arg;
use crate::db::{Backend, Db, Query};
use crate::{Error, Result};

/// SQL pieces for one backend.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sql {
    pub(crate) b: Backend,
}

impl Sql {
    pub(crate) fn of(db: &Db) -> Sql {
        Sql { b: db.backend() }
    }
    pub(crate) fn q(&self, name: &str) -> String {
        quoted(self.b, name)
    }
    /// `<alias>.<column>`.
    pub(crate) fn on(&self, alias: &str, column: &str) -> String {
        format!("{alias}.{}", self.q(column))
    }
    pub(crate) fn text(&self, expr: &str) -> String {
        self.b.cast_text(expr)
    }
    /// A 64-bit integer, as every backend decodes it alike.
    pub(crate) fn int(&self, expr: &str) -> String {
        self.b.int64(expr)
    }
    /// `CASE WHEN <condition> THEN 1 ELSE 0 END`, typed as [`Sql::int`]:
    /// the text before the condition, and after it.
    pub(crate) fn one_if(&self) -> (&'static str, String) {
        (
            "CASE WHEN ",
            format!(" THEN {} ELSE {} END", self.int("1"), self.int("0")),
        )
    }
    /// A true/false column (boolean or integer) as 0/1.
    pub(crate) fn flag(&self, expr: &str) -> String {
        match self.b {
            // PostgreSQL casts a boolean to integer, not to bigint.
            Backend::Postgres => self.int(&format!("CAST({expr} AS INTEGER)")),
            _ => self.int(expr),
        }
    }
    /// Whole seconds since 1970 of a timestamp column, whatever its type
    /// (naive timestamps are UTC, as the frameworks store them); a
    /// fraction is dropped, never rounded up, as Django drops it.
    pub(crate) fn epoch(&self, expr: &str) -> String {
        match self.b {
            Backend::Postgres => format!("CAST(FLOOR(EXTRACT(EPOCH FROM {expr})) AS BIGINT)"),
            Backend::Mysql => format!("CAST(FLOOR(UNIX_TIMESTAMP({expr})) AS SIGNED)"),
            Backend::Sqlite => format!("CAST(strftime('%s', {expr}) AS INTEGER)"),
        }
    }
    /// Texts joined with a separator no value holds (U+001F).
    pub(crate) fn joined(&self, exprs: &[String]) -> String {
        match exprs {
            [] => "NULL".into(),
            [one] => self.text(one),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|e| format!("COALESCE({}, '')", self.text(e)))
                    .collect();
                match self.b {
                    Backend::Mysql => {
                        format!("CONCAT_WS(CHAR(31 USING utf8mb4), {})", parts.join(", "))
                    }
                    Backend::Postgres => parts.join(" || CHR(31) || "),
                    Backend::Sqlite => parts.join(" || CHAR(31) || "),
                }
            }
        }
    }
}

/// One row for a back end's table, column by column: names quoted, every
/// value bound, then the mapping's fixed values.
pub(crate) struct Insert {
    s: Sql,
    table: String,
    cols: Vec<String>,
    vals: Query,
}

impl Insert {
    pub(crate) fn into(s: Sql, table: &str) -> Insert {
        Insert {
            s,
            table: s.q(table),
            cols: Vec::new(),
            vals: Query::new(""),
        }
    }
    /// The next column; its value is bound on what this returns.
    pub(crate) fn col(&mut self, column: &str) -> &mut Query {
        if !self.cols.is_empty() {
            self.vals.sql(", ");
        }
        self.cols.push(self.s.q(column));
        &mut self.vals
    }
    pub(crate) fn set(&mut self, column: &str, value: impl Into<Arg>) -> &mut Self {
        self.col(column).bind(value);
        self
    }
    /// A column the mapping may leave out.
    pub(crate) fn set_opt(&mut self, column: &Option<String>, value: impl Into<Arg>) -> &mut Self {
        if let Some(c) = column {
            self.set(c, value);
        }
        self
    }
    /// The values the mapping writes on every row (Oscar's `note_type`).
    pub(crate) fn fixed(&mut self, values: &BTreeMap<String, String>) -> &mut Self {
        for (c, v) in values {
            self.set(c, v.as_str());
        }
        self
    }
    pub(crate) fn query(self) -> Query {
        let mut q = Query::new(format!(
            "INSERT INTO {} ({}) VALUES (",
            self.table,
            self.cols.join(", ")
        ));
        q.append(self.vals).sql(")");
        q
    }
}

/// A time as the frameworks write it into their own columns: on SQLite the
/// text Django and Rails store (`2026-05-01 14:05:00.000000`, UTC); the
/// servers take the value itself (PostgreSQL sessions run in UTC).
pub(crate) fn framework_time(b: Backend, t: DateTime<Utc>) -> Arg {
    match b {
        Backend::Sqlite => Arg::Text(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
        _ => Arg::Time(t),
    }
}

/// How a mapped key is compared: as a number, a UUID or text.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// The key column, quoted.
    pub(crate) column: String,
    /// `<alias>.<key column>`.
    pub(crate) expr: String,
    pub(crate) kind: Kind,
    /// What the key names, for messages ("user", "order").
    what: &'static str,
}

impl Key {
    /// The key `column` of `table`, as `alias` names the table in a query.
    pub(crate) async fn of(
        db: &Db,
        table: &str,
        column: &str,
        alias: &str,
        what: &'static str,
    ) -> Result<Key> {
        let kind = catalogue::column_kind(db, table, column)
            .await?
            .unwrap_or(Kind::Text);
        let s = Sql::of(db);
        Ok(Key {
            column: s.q(column),
            expr: s.on(alias, column),
            kind,
            what,
        })
    }

    /// Binds a key given as text as the column's type; a key that cannot
    /// be one (letters for a number) names nothing.
    pub(crate) fn bind(&self, q: &mut Query, b: Backend, key: &str) -> Result<()> {
        match bind_as(q, b, self.kind, key) {
            true => Ok(()),
            false => Err(Error::NotFound(format!(
                "no {} has the key '{}'",
                self.what,
                key.trim()
            ))),
        }
    }

    /// ` AND <key> = <bound key>`.
    pub(crate) fn push_eq(&self, q: &mut Query, b: Backend, key: &str) -> Result<()> {
        q.sql(format!(" AND {} = ", self.expr));
        self.bind(q, b, key)
    }
}

/// Binds a value given as text as a column of `kind` holds it; false,
/// with nothing bound, for one the column cannot hold (letters for a
/// number).
pub(crate) fn bind_as(q: &mut Query, b: Backend, kind: Kind, value: &str) -> bool {
    let value = value.trim();
    match kind {
        Kind::Integer => match value.parse::<i64>() {
            Ok(n) => {
                q.bind(n);
            }
            Err(_) => return false,
        },
        Kind::Uuid if b == Backend::Postgres => {
            if !uuid_shaped(value) {
                return false;
            }
            q.sql("CAST(").bind(value).sql(" AS uuid)");
        }
        _ => {
            q.bind(value);
        }
    }
    true
}

fn uuid_shaped(s: &str) -> bool {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// What the operator saw of a record, in a few characters. Back-end
/// tables have no version column, so a write compares this with the
/// values read again under lock.
pub(crate) fn fingerprint<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for v in values {
        // A length before each value: no two lists hash alike.
        match v {
            Some(v) => h.update(format!("{}:{v};", v.len())),
            None => h.update("-;"),
        }
    }
    hex::encode(&h.finalize()[..6])
}
