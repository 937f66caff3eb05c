//! The back end's tables and columns, read from the database's own
//! catalogue in one query (the console's tables left out).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::{on_pool, Backend, Db, Pool, Query, Source, CONSOLE_PREFIX};
use crate::{Error, Result};

/// What a column can hold, as far as the console cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Integer,
    Text,
    Bool,
    Timestamp,
    Decimal,
    Uuid,
    /// SQLite without a declared type: holds anything.
    Any,
    Other,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// The type as the database declares it.
    pub declared: String,
    pub kind: Kind,
}

/// Tables (and views) by name, each with its columns in order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalogue {
    pub backend: Option<Backend>,
    pub tables: BTreeMap<String, Vec<Column>>,
}

impl Catalogue {
    pub fn table(&self, name: &str) -> Option<&[Column]> {
        self.tables.get(name).map(Vec::as_slice)
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.table(table)?.iter().find(|c| c.name == column)
    }

    /// Whether `table` exists with every one of `columns`.
    pub fn has(&self, table: &str, columns: &[&str]) -> bool {
        self.table(table).is_some() && columns.iter().all(|c| self.column(table, c).is_some())
    }

    /// Builds a catalogue from (table, column, declared type) rows.
    pub fn from_rows(backend: Backend, rows: Vec<(String, String, String)>) -> Catalogue {
        let mut tables: BTreeMap<String, Vec<Column>> = BTreeMap::new();
        for (table, name, declared) in rows {
            let kind = classify(backend, &declared);
            tables.entry(table).or_default().push(Column {
                name,
                declared,
                kind,
            });
        }
        Catalogue {
            backend: Some(backend),
            tables,
        }
    }
}

/// Reads the back end's tables and columns.
pub async fn read(db: &Db) -> Result<Catalogue> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY m.name, p.cid"
        }
        Pool::Postgres(_) => {
            "SELECT table_name::text, column_name::text, \
             CASE WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type::text END \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position"
        }
        Pool::Mysql(_) => {
            "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR), CAST(column_type AS CHAR) \
             FROM information_schema.columns WHERE table_schema = DATABASE() \
             ORDER BY table_name, ordinal_position"
        }
    };
    let rows: Vec<(String, String, String)> =
        on_pool!(db.pool(), p => sqlx::query_as(sql).fetch_all(p).await).map_err(|e| {
            Error::db(
                "cannot read the database's catalogue (the list of its tables and columns)",
                e,
            )
        })?;
    let rows = rows
        .into_iter()
        .filter(|(t, _, _)| db.backend() == Backend::Postgres || !t.starts_with(CONSOLE_PREFIX))
        .collect();
    Ok(Catalogue::from_rows(db.backend(), rows))
}

/// What one column can hold, read from the catalogue by name alone (for
/// the hot paths, where the whole catalogue would be read for one fact).
pub async fn column_kind(db: &Db, table: &str, column: &str) -> Result<Option<Kind>> {
    let mut q = Query::new(match db.backend() {
        Backend::Sqlite => "SELECT p.type FROM pragma_table_info(",
        Backend::Postgres => {
            "SELECT CASE WHEN data_type = 'USER-DEFINED' THEN udt_name::text ELSE data_type::text END \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = "
        }
        Backend::Mysql => {
            "SELECT CAST(column_type AS CHAR) FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = "
        }
    });
    q.bind(table);
    q.sql(match db.backend() {
        Backend::Sqlite => ") p WHERE p.name = ",
        _ => " AND column_name = ",
    });
    q.bind(column);
    let found: Option<(String,)> = Source::Pool(db)
        .fetch_optional(&q, "cannot read the database's catalogue")
        .await?;
    Ok(found.map(|(declared,)| classify(db.backend(), &declared)))
}

/// The console's view of a declared type.
pub fn classify(backend: Backend, declared: &str) -> Kind {
    let t = declared.to_ascii_lowercase();
    let has = |s: &str| t.contains(s);
    match backend {
        Backend::Postgres => match t.as_str() {
            "smallint" | "integer" | "bigint" => Kind::Integer,
            // Addresses (Django's GenericIPAddressField is inet) read as text.
            "text" | "character varying" | "character" | "citext" | "inet" | "cidr" => Kind::Text,
            "boolean" => Kind::Bool,
            "uuid" => Kind::Uuid,
            "numeric" | "real" | "double precision" => Kind::Decimal,
            _ if t.starts_with("timestamp") || t == "date" => Kind::Timestamp,
            _ => Kind::Other,
        },
        Backend::Mysql => {
            if t.starts_with("tinyint(1)") || t == "bool" || t == "boolean" {
                Kind::Bool
            } else if has("int") {
                Kind::Integer
            } else if has("char") || has("text") {
                Kind::Text
            } else if has("date") || has("time") {
                Kind::Timestamp
            } else if has("decimal") || has("double") || has("float") {
                Kind::Decimal
            } else {
                Kind::Other
            }
        }
        // SQLite's affinity rules, plus the names frameworks declare.
        Backend::Sqlite => {
            if t.is_empty() {
                Kind::Any
            } else if has("bool") {
                Kind::Bool
            } else if has("int") {
                Kind::Integer
            } else if has("date") || has("time") {
                Kind::Timestamp
            } else if has("char") || has("clob") || has("text") || has("uuid") {
                Kind::Text
            } else if has("real") || has("floa") || has("doub") || has("dec") || has("num") {
                Kind::Decimal
            } else {
                Kind::Other
            }
        }
    }
}
