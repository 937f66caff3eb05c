//! Adding and listing operators.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{hash_password, insert, Operator, Permission, Role};
use crate::audit::{self, Record};
use crate::db::{Db, Query};
use crate::secrets::Secret;
use crate::session::Ctx;
use crate::{Error, Result};

pub const MIN_PASSWORD_CHARS: usize = 10;

/// An operator as listed (never with its hash).
#[derive(Debug, Clone, Serialize)]
pub struct OperatorInfo {
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    username: String,
    role: String,
    disabled: bool,
    locked_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<InfoRow> for OperatorInfo {
    type Error = Error;
    fn try_from(r: InfoRow) -> Result<Self> {
        Ok(OperatorInfo {
            role: r.role.parse()?,
            username: r.username,
            disabled: r.disabled,
            locked_until: r.locked_until,
            created_at: r.created_at,
        })
    }
}

pub struct NewOperator {
    pub username: String,
    pub role: Role,
    pub password: Secret,
}

/// Whether a new operator's name and password are acceptable, before anything
/// is written.
pub fn check_new(new: &NewOperator) -> Result<()> {
    let name = &new.username;
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.is_empty() || name.len() > 64 || !name.chars().all(ok_char) {
        return Err(Error::validation(format!(
            "operator name '{name}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-'"
        )));
    }
    let chars = new.password.expose().chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Error::validation(format!(
            "the password is too short: {chars} characters, at least {MIN_PASSWORD_CHARS} needed"
        )));
    }
    Ok(())
}

/// Adds an operator. The first operator of an empty console needs no
/// sign-in (`actor` is `None`); every later one needs an admin.
pub async fn add_operator(
    db: &Db,
    actor: Option<&Operator>,
    new: NewOperator,
    now: DateTime<Utc>,
) -> Result<OperatorInfo> {
    check_new(&new)?;
    if let Some(actor) = actor {
        actor.require(Permission::ManageOperators)?;
    }
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::internal(format!("hashing the password failed: {e}")))??;
    let mut tx = db.begin_write("add an operator").await?;
    // Taking the audit head's lock first orders concurrent additions, so
    // two "first" operators cannot both skip the sign-in.
    audit::lock_head(&mut tx).await?;
    let (existing,): (i64,) = tx
        .fetch_one(
            &Query::new("SELECT COUNT(*) FROM backoffice_operators"),
            "cannot count operators",
        )
        .await?;
    if existing > 0 && actor.is_none() {
        return Err(Error::Forbidden(
            "Backoffice already has operators: sign in as an admin to add another".into(),
        ));
    }
    insert(&mut tx, &new.username, new.role, &hash)
        .await
        .map_err(|e| match e {
            Error::Conflict(_) => {
                Error::Conflict(format!("operator '{}' already exists", new.username))
            }
            other => other,
        })?;
    let after: Map<String, Value> = [
        ("username".to_string(), json!(new.username)),
        ("role".to_string(), json!(new.role.as_str())),
    ]
    .into_iter()
    .collect();
    let by = actor.map_or(new.username.as_str(), |a| a.username());
    audit::append(
        &mut tx,
        by,
        now,
        Record {
            action: "operator.add",
            entity_type: "operator",
            entity_id: new.username.clone(),
            before: None,
            after: Some(after),
            reason: actor.is_none().then_some("first operator of this console"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(OperatorInfo {
        username: new.username,
        role: new.role,
        disabled: false,
        locked_until: None,
        created_at: now,
    })
}

pub async fn list_operators(ctx: &Ctx<'_>) -> Result<Vec<OperatorInfo>> {
    ctx.require(Permission::ManageOperators)?;
    let rows: Vec<InfoRow> = ctx
        .db
        .fetch_all(
            &Query::new(
                "SELECT username, role, disabled, locked_until, created_at \
                 FROM backoffice_operators ORDER BY username",
            ),
            "cannot list operators",
        )
        .await?;
    rows.into_iter().map(OperatorInfo::try_from).collect()
}
