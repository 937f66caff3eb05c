//! The SQL that differs between backends, in one place. Everything else is
//! written once in the common subset and bound through [`Query`].

use super::{Backend, Query};

impl Backend {
    /// The row-locking suffix of a `SELECT` inside a write transaction.
    /// SQLite has none and needs none: its write transactions start
    /// `IMMEDIATE` and so run one at a time.
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres | Backend::Mysql => " FOR UPDATE",
        }
    }

    /// `expr` as a 64-bit integer: PostgreSQL's `SUM(bigint)` is numeric and
    /// MySQL's is decimal, neither of which decodes as `i64`.
    pub(crate) fn int64(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => expr.to_string(),
            Backend::Postgres => format!("CAST({expr} AS BIGINT)"),
            Backend::Mysql => format!("CAST({expr} AS SIGNED)"),
        }
    }

    /// A column that is binary-collated on MariaDB (`sku`, kept
    /// case-sensitive there) as text: the driver reports such a column as
    /// VARBINARY, which does not decode as a string.
    pub(crate) fn text(self, expr: &str) -> String {
        match self {
            Backend::Mysql => format!("CONVERT({expr} USING utf8mb4)"),
            Backend::Sqlite | Backend::Postgres => expr.to_string(),
        }
    }

    /// Appends a predicate on `users u` that holds when the email or the
    /// display name contains `needle` (3+ characters), case-insensitively,
    /// every character taken literally.
    ///
    /// - SQLite: the FTS5 trigram index, queried with one quoted phrase.
    /// - PostgreSQL: `ILIKE` on the columns the pg_trgm GIN indexes cover.
    /// - MariaDB: `LIKE` under the columns' case-insensitive collation,
    ///   which scans the (email, display_name) index rather than the table.
    ///   That collation also ignores accents.
    pub(crate) fn push_contains(self, q: &mut Query, needle: &str) {
        match self {
            Backend::Sqlite => {
                let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
                q.sql(
                    "u.id IN (SELECT rowid FROM admin_user_search WHERE admin_user_search MATCH ",
                )
                .bind(phrase)
                .sql(")");
            }
            Backend::Postgres | Backend::Mysql => {
                let op = if self == Backend::Postgres {
                    "ILIKE"
                } else {
                    "LIKE"
                };
                let pattern = format!("%{}%", like_escape(needle));
                q.sql(format!("(u.email {op} "))
                    .bind(pattern.clone())
                    .sql(format!(" ESCAPE '!' OR u.display_name {op} "))
                    .bind(pattern)
                    .sql(" ESCAPE '!')");
            }
        }
    }
}

/// Escapes LIKE's wildcards with `!`, an escape character that means the
/// same in every dialect (a backslash does not: MySQL string literals eat
/// it). `\` needs no escaping then.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_escape(r"50%_off\!"), r"50!%!_off\!!");
        assert_eq!(like_escape("plain"), "plain");
    }
}
