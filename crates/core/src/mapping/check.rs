//! `schema check`: a mapping against the database it is for. Every table
//! and column must exist with a type that can hold its concept, and every
//! code in a value map's column must be one the mapping lists. One line per
//! problem.

use serde::Serialize;

use super::catalogue::{self, Catalogue, Kind};
use super::{quoted, Active, Mapping, Money, Want};
use crate::db::{on_pool, Backend, Db};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Problem {
    /// Where in the mapping ("user.email").
    pub concept: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.concept, self.message)
    }
}

fn fits(backend: Backend, want: Want, kind: Kind) -> bool {
    match (want, kind) {
        (_, Kind::Any) | (Want::Table, _) => true,
        (Want::Key, k) => matches!(k, Kind::Integer | Kind::Text | Kind::Uuid),
        (Want::Text, k) => k == Kind::Text,
        // SQLite has no date type: frameworks store text there.
        (Want::Timestamp, k) => {
            k == Kind::Timestamp || (backend == Backend::Sqlite && k == Kind::Text)
        }
        (Want::Flag, k) => matches!(k, Kind::Bool | Kind::Integer),
        (Want::Integer, k) => k == Kind::Integer,
        (Want::Money(Money::Minor), k) => k == Kind::Integer,
        // Django on SQLite declares "decimal" and stores REAL or INTEGER.
        (Want::Money(Money::Decimal), k) => matches!(k, Kind::Decimal | Kind::Integer),
    }
}

/// Problems of structure: what the catalogue alone shows.
pub fn against(mapping: &Mapping, cat: &Catalogue) -> Vec<Problem> {
    let backend = cat.backend.unwrap_or(Backend::Sqlite);
    let mut out = Vec::new();
    let mut missing_tables: Vec<String> = Vec::new();
    for r in mapping.refs() {
        let problem = |message: String| Problem {
            concept: r.concept.clone(),
            message,
        };
        let Some(columns) = cat.table(&r.table) else {
            if !missing_tables.contains(&r.table) {
                missing_tables.push(r.table.clone());
                out.push(problem(format!("the database has no table {}", r.table)));
            }
            continue;
        };
        let Some(name) = &r.column else { continue };
        match columns.iter().find(|c| &c.name == name) {
            None => {
                let have: Vec<&str> = columns.iter().take(12).map(|c| c.name.as_str()).collect();
                out.push(problem(format!(
                    "table {} has no column {name} (it has {}{})",
                    r.table,
                    have.join(", "),
                    if columns.len() > have.len() {
                        ", …"
                    } else {
                        ""
                    }
                )));
            }
            Some(c) if !fits(backend, r.want, c.kind) => out.push(problem(format!(
                "{}.{name} is {}, which cannot hold {}",
                r.table,
                c.declared,
                r.want.describe()
            ))),
            Some(_) => {}
        }
    }
    if let Some(roles) = &mapping.roles {
        if roles.join.only_column.is_some() != roles.join.only_value.is_some() {
            out.push(Problem {
                concept: "roles.join".into(),
                message: "only_column and only_value go together".into(),
            });
        }
    }
    out
}

/// Structure, then the data of value maps: a code in the column that the
/// mapping does not list would be shown wrongly, so it is a problem.
pub async fn check(db: &Db, mapping: &Mapping) -> Result<Vec<Problem>> {
    mapping.validate()?;
    let cat = catalogue::read(db).await?;
    check_on(db, mapping, &cat).await
}

/// As [`check`], with the database's catalogue already read.
pub async fn check_on(db: &Db, mapping: &Mapping, cat: &Catalogue) -> Result<Vec<Problem>> {
    let mut out = against(mapping, cat);
    if !out.is_empty() {
        return Ok(out);
    }
    if let Some(user) = &mapping.user {
        if let Some(Active::Values {
            column,
            active,
            disabled,
            locked,
        }) = &user.active
        {
            let known: Vec<&String> = active.iter().chain(disabled).chain(locked).collect();
            let source = quoted(db.backend(), &user.table);
            for value in distinct_codes(db, &source, &user.table, column).await? {
                if !known.contains(&&value) {
                    out.push(Problem {
                        concept: "user.active".into(),
                        message: format!(
                            "{}.{column} holds '{value}', which the mapping does not list \
                             (active: {}; disabled: {}; locked: {}); add it to one of them",
                            user.table,
                            active.join(", "),
                            disabled.join(", "),
                            if locked.is_empty() {
                                "none".into()
                            } else {
                                locked.join(", ")
                            }
                        ),
                    });
                }
            }
        }
    }
    if let (Some(order), Some(lifecycle)) = (&mapping.order, &mapping.lifecycle) {
        for value in undeclared_statuses(db, mapping).await? {
            out.push(Problem {
                concept: "lifecycle.statuses".into(),
                message: format!(
                    "{}.{} holds '{value}', which the lifecycle does not declare \
                     (it has {}); add it, with its moves",
                    order.table,
                    order.status,
                    lifecycle.statuses.join(", ")
                ),
            });
        }
    }
    Ok(out)
}

/// The status words in the orders' data that the lifecycle does not
/// declare (of the first 100 distinct ones).
pub async fn undeclared_statuses(db: &Db, mapping: &Mapping) -> Result<Vec<String>> {
    let (Some(order), Some(lifecycle)) = (&mapping.order, &mapping.lifecycle) else {
        return Ok(Vec::new());
    };
    // The orders' own rows only, where the table holds other records too.
    let source = super::query::Sql { b: db.backend() }.orders(order);
    let words = distinct_codes(db, &source, &order.table, &order.status).await?;
    Ok(words
        .into_iter()
        .filter(|w| !lifecycle.declares(w))
        .collect())
}

/// Up to 100 distinct non-null values of a column, as text.
/// `source` is what to read the rows from: the table, quoted, or a
/// derived table of the section's rows.
async fn distinct_codes(db: &Db, source: &str, table: &str, column: &str) -> Result<Vec<String>> {
    let b = db.backend();
    let c = quoted(b, column);
    let sql = format!(
        "SELECT DISTINCT {} FROM {source} t WHERE {c} IS NOT NULL LIMIT 100",
        b.cast_text(&c),
    );
    on_pool!(db.pool(), p => sqlx::query_scalar::<_, String>(&sql).fetch_all(p).await)
        .map_err(|e| Error::db(&format!("cannot read the codes in {table}.{column}"), e))
}
