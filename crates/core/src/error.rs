//! The one error type of the core. Every variant carries a message meant for
//! a person; the code is what programs branch on.

use serde::{Deserialize, Serialize};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The fixed set of error codes shown to the UI and in `--json` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    Conflict,
    Forbidden,
    NotFound,
    Unavailable,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request itself is wrong: bad input, a precondition not met.
    #[error("{0}")]
    Validation(String),
    /// The data changed since it was read, or already exists.
    #[error("{0}")]
    Conflict(String),
    /// Two writers met (a deadlock, a serialisation failure, a busy
    /// database): the transaction was rolled back, nothing was written, and
    /// the same transaction may succeed if tried again
    /// ([`crate::db::retry_contended`]). Shown as a conflict.
    #[error("{0}")]
    Contended(String),
    /// Not allowed: a role without the permission, a read-only profile.
    #[error("{0}")]
    Forbidden(String),
    /// A write carried a row version that is no longer current; `current`
    /// holds the row as it is now, for the person to compare and retry.
    #[error("{message}")]
    Stale {
        message: String,
        current: serde_json::Value,
    },
    #[error("{0}")]
    NotFound(String),
    /// Something outside us is not there: a database, the keychain, a server.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::Conflict(_) | Error::Contended(_) | Error::Stale { .. } => ErrorCode::Conflict,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into())
    }

    /// The refusal of a write whose record changed since the operator read
    /// it ("order 12", the version they saw and the one it has now, what
    /// it is now in a few words), with the record as it is now.
    pub fn stale(
        what: &str,
        seen: impl std::fmt::Display,
        now: impl std::fmt::Display,
        state: &str,
        current: &impl serde::Serialize,
    ) -> Self {
        Error::Stale {
            message: format!(
                "{what} was changed by someone else (you saw version {seen}, it is now version \
                 {now}: {state}); nothing was written — reload and try again"
            ),
            current: serde_json::to_value(current).unwrap_or_default(),
        }
    }

    /// Wrap a database error with what we were doing. Connection problems
    /// become `unavailable`, constraint violations `conflict`.
    pub fn db(context: &str, err: sqlx::Error) -> Self {
        crate::db::errors::classify(context, err)
    }
}

/// The error as it crosses a process boundary (IPC, `--json`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// For a stale version: the row's current values.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "unknown", optional)]
    pub current: Option<serde_json::Value>,
}

/// An error that crossed a boundary as its body, back into the error it
/// was (a stale version's current values stay in `Stale`).
impl From<ErrorBody> for Error {
    fn from(body: ErrorBody) -> Self {
        let m = body.message;
        match (body.code, body.current) {
            (ErrorCode::Conflict, Some(current)) => Error::Stale {
                message: m,
                current,
            },
            (ErrorCode::Validation, _) => Error::Validation(m),
            (ErrorCode::Conflict, None) => Error::Conflict(m),
            (ErrorCode::Forbidden, _) => Error::Forbidden(m),
            (ErrorCode::NotFound, _) => Error::NotFound(m),
            (ErrorCode::Unavailable, _) => Error::Unavailable(m),
            (ErrorCode::Internal, _) => Error::Internal(m),
        }
    }
}

impl From<&Error> for ErrorBody {
    fn from(err: &Error) -> Self {
        ErrorBody {
            code: err.code(),
            message: err.to_string(),
            current: match err {
                Error::Stale { current, .. } => Some(current.clone()),
                _ => None,
            },
        }
    }
}
