//! The SQL that differs between backends, in one place. Everything else is
//! written once in the common subset and bound through [`Query`].

use super::query::Arg;
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

    /// Any value as text (a code, a key, an address), as every backend
    /// decodes it alike.
    pub(crate) fn cast_text(self, expr: &str) -> String {
        match self {
            Backend::Mysql => format!("CAST({expr} AS CHAR)"),
            Backend::Sqlite | Backend::Postgres => format!("CAST({expr} AS TEXT)"),
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

    /// Appends ` AND (key, id) > (k, i)` (or `<`): the rows after a keyset
    /// cursor. PostgreSQL and SQLite seek their `(…, key, id)` index with
    /// the row comparison itself, which matters when thousands of rows tie
    /// on the key; MariaDB does not use row comparisons for index ranges,
    /// so it gets `key >= k` to seek and the rest to drop the ties shown.
    pub(crate) fn push_after(
        self,
        q: &mut Query,
        key_col: &str,
        id_col: &str,
        cmp: &str,
        key: impl Into<Arg> + Clone,
        id: i64,
    ) {
        match self {
            Backend::Sqlite | Backend::Postgres => {
                q.sql(format!(" AND ({key_col}, {id_col}) {cmp} ("))
                    .bind(key)
                    .sql(", ")
                    .bind(id)
                    .sql(")");
            }
            Backend::Mysql => {
                q.sql(format!(" AND {key_col} {cmp}= "))
                    .bind(key.clone())
                    .sql(format!(" AND ({key_col} {cmp} "))
                    .bind(key)
                    .sql(format!(" OR {id_col} {cmp} "))
                    .bind(id)
                    .sql(")");
            }
        }
    }

    /// `expr` widened so that arithmetic on it cannot overflow: PostgreSQL
    /// and MariaDB raise an error when 64-bit integer arithmetic overflows
    /// (SQLite turns the result into a float instead).
    pub(crate) fn wide(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => expr.to_string(),
            Backend::Postgres => format!("CAST({expr} AS NUMERIC)"),
            Backend::Mysql => format!("CAST({expr} AS DECIMAL(38, 0))"),
        }
    }

    /// A sum that cannot overflow: SQLite's `SUM` raises on integer
    /// overflow and `TOTAL` does not; the servers' sums of BIGINT are
    /// already exact decimals.
    pub(crate) fn sum_wide(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("TOTAL({expr})"),
            Backend::Postgres | Backend::Mysql => format!("SUM({expr})"),
        }
    }

    /// `expr` compared exactly, character for character: MariaDB's default
    /// collation also equates accented and plain letters.
    pub(crate) fn exact(self, expr: &str) -> String {
        match self {
            Backend::Mysql => format!("{expr} COLLATE utf8mb4_bin"),
            Backend::Sqlite | Backend::Postgres => expr.to_string(),
        }
    }

    /// A predicate: `col` is all ASCII (as many characters as bytes).
    pub(crate) fn is_ascii(self, col: &str) -> String {
        match self {
            Backend::Sqlite => format!("LENGTH({col}) = LENGTH(CAST({col} AS BLOB))"),
            Backend::Postgres => format!("LENGTH({col}) = OCTET_LENGTH({col})"),
            Backend::Mysql => format!("CHAR_LENGTH({col}) = LENGTH({col})"),
        }
    }

    /// A predicate: `col` contains a control character, or a text-direction
    /// control (U+061C, U+200E/F, U+202A–E, U+2066–9: they can make a name
    /// read as something else, see [`crate::users::is_bidi_control`]).
    pub(crate) fn has_control_chars(self, col: &str) -> String {
        match self {
            Backend::Sqlite => format!(
                "{col} GLOB '*[' || char(1) || '-' || char(31) || char(127) || char(1564) \
                 || char(8206) || char(8207) || char(8234) || '-' || char(8238) \
                 || char(8294) || '-' || char(8297) || ']*'"
            ),
            Backend::Postgres => format!(
                "{col} ~ '[[:cntrl:]\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]'"
            ),
            Backend::Mysql => format!(
                "{col} REGEXP '[[:cntrl:]\\\\x{{061C}}\\\\x{{200E}}\\\\x{{200F}}\\\\x{{202A}}-\\\\x{{202E}}\\\\x{{2066}}-\\\\x{{2069}}]'"
            ),
        }
    }

    /// The tail of an `INSERT INTO backoffice_findings … SELECT …` that updates
    /// a finding already on record instead: seen again in this run, and
    /// open again if it had been fixed or resolved.
    pub(crate) fn upsert_finding(self) -> &'static str {
        match self {
            Backend::Sqlite | Backend::Postgres => {
                " ON CONFLICT (rule_id, entity_type, entity_id) DO UPDATE SET \
                 last_run = excluded.last_run, last_seen_at = excluded.last_seen_at, \
                 detail = excluded.detail, resolved_at = NULL, \
                 status = CASE WHEN backoffice_findings.status IN ('fixed', 'resolved') \
                 THEN 'open' ELSE backoffice_findings.status END"
            }
            Backend::Mysql => {
                " ON DUPLICATE KEY UPDATE last_run = VALUES(last_run), \
                 last_seen_at = VALUES(last_seen_at), detail = VALUES(detail), \
                 resolved_at = NULL, \
                 status = IF(status IN ('fixed', 'resolved'), 'open', status)"
            }
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
                q.sql(
                    "u.id IN (SELECT rowid FROM backoffice_user_search WHERE backoffice_user_search MATCH ",
                )
                .bind(fts_phrase(needle))
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

/// FTS5 phrase syntax: the text as one quoted phrase, so no character of
/// it is an operator.
pub(crate) fn fts_phrase(needle: &str) -> String {
    format!("\"{}\"", needle.replace('"', "\"\""))
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
