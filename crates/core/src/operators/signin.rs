//! Operator sign-in: the password check, every attempt recorded, and the
//! lockout after repeated failures.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};

use super::{hash_password, verify_password, Operator, Role};
use crate::db::{Db, Query};
use crate::secrets::Secret;
use crate::time::{clock_time, micros};
use crate::{Error, Result};

/// Failed sign-ins within [`LOCKOUT`] that lock an operator out…
pub const MAX_FAILURES: usize = 5;
/// …for this long.
pub const LOCKOUT: Duration = Duration::minutes(15);

const WRONG_PASSWORD: &str = "wrong password";

#[derive(sqlx::FromRow)]
struct OperatorRow {
    id: i64,
    username: String,
    password_hash: String,
    role: String,
    disabled: bool,
    locked_until: Option<DateTime<Utc>>,
}

/// A hash to check against when the name matches no operator, so that an
/// unknown name takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password(&Secret::new("decoy password, never valid")).ok());

fn bad_credentials() -> Error {
    Error::Forbidden("wrong operator name or password".into())
}

/// Checks the password off the async runtime: argon2id is deliberately slow.
async fn check(hash: Option<String>, password: &Secret) -> Result<bool> {
    let password = Secret::new(password.expose());
    tokio::task::spawn_blocking(move || {
        let hash = hash.or_else(|| DECOY_HASH.clone());
        hash.is_some_and(|h| verify_password(&h, &password))
    })
    .await
    .map_err(|e| Error::internal(format!("the password check failed: {e}")))
}

/// Signs an operator in. Every attempt is recorded (on a read-only
/// connection nothing can be written, so the lockout is only enforced from
/// what is already recorded). After [`MAX_FAILURES`] wrong passwords within
/// [`LOCKOUT`] the operator is locked for [`LOCKOUT`].
pub async fn sign_in(
    db: &Db,
    username: &str,
    password: &Secret,
    now: DateTime<Utc>,
) -> Result<Operator> {
    let username = username.trim();
    if username.is_empty() {
        return Err(Error::validation("enter an operator name"));
    }
    let now = micros(now);
    let row: Option<OperatorRow> = db
        .fetch_optional(
            Query::new(
                "SELECT id, username, password_hash, role, disabled, locked_until \
                 FROM backoffice_operators WHERE username = ",
            )
            .bind(username),
            "cannot read operators",
        )
        .await?;
    let Some(op) = row else {
        check(None, password).await?;
        record(db, None, username, false, "unknown operator", now).await?;
        return Err(bad_credentials());
    };
    if op.disabled {
        record(db, Some(op.id), username, false, "disabled", now).await?;
        return Err(Error::Forbidden(format!(
            "operator '{}' is disabled; ask an admin to enable it",
            op.username
        )));
    }
    if let Some(until) = op.locked_until.filter(|u| *u > now) {
        record(db, Some(op.id), username, false, "locked", now).await?;
        return Err(Error::Forbidden(format!(
            "operator '{}' is locked until {} after {MAX_FAILURES} failed sign-ins; \
             try again then, or ask an admin",
            op.username,
            clock_time(until)
        )));
    }
    if check(Some(op.password_hash.clone()), password).await? {
        record(db, Some(op.id), username, true, "ok", now).await?;
        let role: Role = op.role.parse()?;
        return Ok(Operator {
            id: op.id,
            username: op.username,
            role,
        });
    }
    if let Some(until) = record_failure(db, op.id, username, now).await? {
        return Err(Error::Forbidden(format!(
            "wrong operator name or password; after {MAX_FAILURES} failed sign-ins \
             operator '{}' is locked until {}",
            op.username,
            clock_time(until)
        )));
    }
    Err(bad_credentials())
}

async fn record(
    db: &Db,
    operator_id: Option<i64>,
    username: &str,
    succeeded: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if db.is_read_only() {
        tracing::warn!(
            username,
            reason,
            "sign-in attempt not recorded: read-only connection"
        );
        return Ok(());
    }
    let mut tx = db.begin_write("record a sign-in attempt").await?;
    tx.execute(
        &insert_attempt(operator_id, username, succeeded, reason, now),
        "cannot record the sign-in attempt",
    )
    .await?;
    tx.commit().await
}

fn insert_attempt(
    operator_id: Option<i64>,
    username: &str,
    succeeded: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Query {
    let mut q = Query::new(
        "INSERT INTO backoffice_sign_in_attempts (operator_id, username, succeeded, reason, at) VALUES (",
    );
    q.bind(operator_id);
    q.sql(", ")
        .bind(username)
        .sql(", ")
        .bind(succeeded)
        .sql(", ")
        .bind(reason)
        .sql(", ")
        .bind(now)
        .sql(")");
    q
}

/// Records a wrong password and locks the operator when it is the
/// [`MAX_FAILURES`]th in a row within the window. Returns the lock's end.
async fn record_failure(
    db: &Db,
    operator_id: i64,
    username: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    if db.is_read_only() {
        return Ok(None);
    }
    let mut tx = db.begin_write("record a sign-in attempt").await?;
    let lock_row = tx.backend().for_update();
    // Serialises concurrent failures of one operator on the servers.
    tx.fetch_one::<(i64,)>(
        Query::new("SELECT id FROM backoffice_operators WHERE id = ")
            .bind(operator_id)
            .sql(lock_row),
        "cannot read the operator",
    )
    .await?;
    tx.execute(
        &insert_attempt(Some(operator_id), username, false, WRONG_PASSWORD, now),
        "cannot record the sign-in attempt",
    )
    .await?;
    let recent: Vec<(bool, String)> = tx
        .fetch_all(
            Query::new(
                "SELECT succeeded, reason FROM backoffice_sign_in_attempts WHERE operator_id = ",
            )
            .bind(operator_id)
            .sql(" AND at > ")
            .bind(now - LOCKOUT)
            .sql(" ORDER BY at DESC, id DESC LIMIT ")
            .sql((MAX_FAILURES * 2).to_string()),
            "cannot read recent sign-in attempts",
        )
        .await?;
    let failures = recent
        .iter()
        .take_while(|(ok, _)| !ok)
        .filter(|(_, reason)| reason == WRONG_PASSWORD)
        .count();
    let mut locked = None;
    if failures >= MAX_FAILURES {
        let until = now + LOCKOUT;
        tx.execute(
            Query::new("UPDATE backoffice_operators SET locked_until = ")
                .bind(until)
                .sql(" WHERE id = ")
                .bind(operator_id),
            "cannot lock the operator",
        )
        .await?;
        tracing::warn!(username, "operator locked after repeated failed sign-ins");
        locked = Some(until);
    }
    tx.commit().await?;
    Ok(locked)
}
