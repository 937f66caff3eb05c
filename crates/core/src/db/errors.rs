//! Turning driver errors into messages a person can act on.

use sqlx::error::ErrorKind;

use crate::Error;

/// SQLSTATE / SQLite codes we name specifically.
const PG_AUTH_FAILED: &str = "28P01";
const AUTH_INVALID: &str = "28000";
const PG_NO_DATABASE: &str = "3D000";
const MYSQL_ACCESS_DENIED: u16 = 1045;
const MYSQL_UNKNOWN_DATABASE: u16 = 1049;
const MYSQL_READ_ONLY_TX: u16 = 1792;
const PG_READ_ONLY_TX: &str = "25006";
const SQLITE_READONLY: &str = "8";
/// The account lacks a privilege (to create a table, say).
const PG_NO_PRIVILEGE: &str = "42501";
const MYSQL_DB_ACCESS_DENIED: u16 = 1044;
const MYSQL_TABLE_ACCESS_DENIED: u16 = 1142;
const SQLITE_CANTOPEN: &str = "14";
const SQLITE_BUSY: &str = "5";
/// Deadlock and serialisation failures: a concurrent change won.
const PG_DEADLOCK: &str = "40P01";
const PG_SERIALIZATION: &str = "40001";
const MYSQL_DEADLOCK: u16 = 1213;
const MYSQL_LOCK_WAIT_TIMEOUT: u16 = 1205;

pub(crate) fn classify(context: &str, err: sqlx::Error) -> Error {
    match err {
        sqlx::Error::Io(e) => Error::Unavailable(format!(
            "{context}: {e}{}",
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                " (is the server running?)"
            } else {
                ""
            }
        )),
        sqlx::Error::PoolTimedOut => Error::Unavailable(format!(
            "{context}: timed out waiting for a database connection"
        )),
        sqlx::Error::Tls(e) => Error::Unavailable(format!("{context}: TLS failed: {e}")),
        sqlx::Error::PoolClosed => {
            Error::Unavailable(format!("{context}: the connection was closed"))
        }
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let number = db
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(|e| e.number());
            let msg = db.message().to_string();
            if code == PG_AUTH_FAILED || code == AUTH_INVALID || number == Some(MYSQL_ACCESS_DENIED)
            {
                Error::Unavailable(format!(
                    "{context}: the server refused the user name or password ({msg})"
                ))
            } else if code == PG_NO_DATABASE || number == Some(MYSQL_UNKNOWN_DATABASE) {
                Error::NotFound(format!("{context}: {msg}"))
            } else if code == PG_READ_ONLY_TX
                || number == Some(MYSQL_READ_ONLY_TX)
                || code == SQLITE_READONLY
            {
                Error::Forbidden(format!("{context}: the connection is read-only ({msg})"))
            } else if code == PG_NO_PRIVILEGE
                || number == Some(MYSQL_DB_ACCESS_DENIED)
                || number == Some(MYSQL_TABLE_ACCESS_DENIED)
            {
                Error::Forbidden(format!("{context}: the server refused ({msg})"))
            } else if code == PG_DEADLOCK
                || code == PG_SERIALIZATION
                || number == Some(MYSQL_DEADLOCK)
                || number == Some(MYSQL_LOCK_WAIT_TIMEOUT)
                || code == SQLITE_BUSY
            {
                Error::Contended(format!(
                    "{context}: a concurrent change held the rows; nothing was written, try again ({msg})"
                ))
            } else if code == SQLITE_CANTOPEN {
                Error::Unavailable(format!("{context}: {msg}"))
            } else {
                match db.kind() {
                    ErrorKind::UniqueViolation => Error::Conflict(format!("{context}: {msg}")),
                    ErrorKind::ForeignKeyViolation
                    | ErrorKind::CheckViolation
                    | ErrorKind::NotNullViolation => Error::Validation(format!("{context}: {msg}")),
                    _ => Error::Internal(format!("{context}: {msg}")),
                }
            }
        }
        other => Error::Internal(format!("{context}: {other}")),
    }
}
