//! Account actions on the reference schema, through the one write path
//! (crate::write): the operator's permission checked, the row version the
//! operator saw compared (a stale version is refused with the current
//! values), the audit entry in the same transaction.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::plan::{audit_reason, clean_text, plan, validate, Change, UserAction, MAX_REASON_CHARS};
use super::{address_owner, unmasked, user_columns, User, UserRow};
use crate::audit::{self, Record};
use crate::db::{Query, Source, WriteTx};
use crate::notify;
use crate::operators::Permission;
use crate::session::Ctx;
use crate::validation::{Entity, Touched, Watch};
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

async fn load(tx: &mut WriteTx, user_id: i64, lock: bool) -> Result<(UserRow, Vec<String>)> {
    let suffix = if lock { tx.backend().for_update() } else { "" };
    let mut q = Query::new(format!(
        "SELECT {} FROM users u WHERE u.id = ",
        user_columns(tx.backend())
    ));
    q.bind(user_id).sql(suffix);
    let row: UserRow = tx
        .fetch_optional(&q, "cannot read the user")
        .await?
        .ok_or_else(|| Error::NotFound(format!("no user with id {user_id}")))?;
    let roles: Vec<(String,)> = tx
        .fetch_all(
            Query::new("SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ")
                .bind(user_id)
                .sql(" ORDER BY r.name"),
            "cannot read the user's roles",
        )
        .await?;
    Ok((row, roles.into_iter().map(|(r,)| r).collect()))
}

/// Grants or revokes a role inside the transaction; returns the roles
/// before and after.
async fn change_roles(
    tx: &mut WriteTx,
    action: &UserAction,
    user_id: i64,
    roles: &[String],
    now: DateTime<Utc>,
) -> Result<Option<(Value, Value)>> {
    let (role, grant) = match action {
        UserAction::GrantRole { role } => (role, true),
        UserAction::RevokeRole { role } => (role, false),
        _ => return Ok(None),
    };
    let found: Option<(i64,)> = tx
        .fetch_optional(
            Query::new("SELECT id FROM roles WHERE name = ").bind(role.as_str()),
            "cannot read roles",
        )
        .await?;
    let Some((role_id,)) = found else {
        let known: Vec<(String,)> = tx
            .fetch_all(
                &Query::new("SELECT name FROM roles ORDER BY name"),
                "cannot read roles",
            )
            .await?;
        let known: Vec<String> = known.into_iter().map(|(n,)| n).collect();
        return Err(Error::NotFound(format!(
            "no role named '{role}'; roles are: {}",
            known.join(", ")
        )));
    };
    let has = roles.iter().any(|r| r == role);
    let mut after: Vec<String> = roles.to_vec();
    if grant {
        if has {
            return Err(Error::validation(format!(
                "user {user_id} already has role '{role}'"
            )));
        }
        tx.execute(
            Query::new("INSERT INTO user_roles (user_id, role_id, granted_at) VALUES (")
                .bind(user_id)
                .sql(", ")
                .bind(role_id)
                .sql(", ")
                .bind(now)
                .sql(")"),
            "cannot grant the role",
        )
        .await?;
        after.push(role.clone());
        after.sort();
    } else {
        if !has {
            return Err(Error::validation(format!(
                "user {user_id} does not have role '{role}'"
            )));
        }
        tx.execute(
            Query::new("DELETE FROM user_roles WHERE user_id = ")
                .bind(user_id)
                .sql(" AND role_id = ")
                .bind(role_id),
            "cannot revoke the role",
        )
        .await?;
        after.retain(|r| r != role);
    }
    Ok(Some((json!(roles), json!(after))))
}

/// Applies one action to one user, if the user is still at `version`.
pub async fn apply(
    ctx: &Ctx<'_>,
    user_id: i64,
    version: i64,
    action: UserAction,
    reason: Option<&str>,
) -> Result<User> {
    ctx.require(action.permission())?;
    let action = validate(action, ctx.now)?;
    let reason = audit_reason(&action, reason)?;
    let edit = UserEdit {
        user_id,
        version,
        action,
        reason,
    };
    write::apply(ctx, &edit).await
}

/// An account action on the reference schema, as the write path runs it.
struct UserEdit {
    user_id: i64,
    version: i64,
    action: UserAction,
    reason: Option<String>,
}

impl Edit for UserEdit {
    const DOING: &'static str = "change a user";
    type State = (UserRow, Vec<String>);
    type Plan = Vec<Change>;
    type Done = User;

    async fn read(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<Self::State> {
        let (row, roles) = load(tx, self.user_id, true).await?;
        if row.version != self.version {
            let current = User::from_row(row.clone(), roles, unmasked(ctx));
            let state = format!(
                "status {}, {} failed sign-ins",
                row.status, row.failed_login_count
            );
            let what = format!("user {}", self.user_id);
            return Err(Error::stale(
                &what,
                self.version,
                row.version,
                &state,
                &current,
            ));
        }
        Ok((row, roles))
    }

    fn plan(&self, _: &Ctx<'_>, (row, _): &Self::State) -> Result<Vec<Change>> {
        plan(&self.action, row)
    }

    /// Rules read user columns: an action that changes none (a role grant)
    /// cannot trip them, and skips the reads.
    fn touched(&self, _: &Self::State, changes: &Vec<Change>) -> Option<Watch<'_>> {
        (!changes.is_empty()).then(|| Touched::user(self.user_id).into())
    }

    async fn write(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx<'_>,
        (_, roles): &Self::State,
        changes: &Vec<Change>,
    ) -> Result<Entry> {
        let user_id = self.user_id;
        if let UserAction::ChangeEmail { email } = &self.action {
            let taken = address_owner(&mut Source::Tx(tx), &email.to_lowercase(), user_id).await?;
            if let Some(other) = taken {
                return Err(Error::Conflict(format!(
                    "'{email}' is already the address of user {other}"
                )));
            }
        }
        let roles_changed = change_roles(tx, &self.action, user_id, roles, ctx.now).await?;
        let mut q = Query::new("UPDATE users SET ");
        for c in changes {
            q.sql(format!("{} = ", c.column))
                .bind(c.value.clone())
                .sql(", ");
        }
        q.sql("version = version + 1, updated_at = ")
            .bind(ctx.now)
            .sql(" WHERE id = ")
            .bind(user_id)
            .sql(" AND version = ")
            .bind(self.version);
        if tx.execute(&q, "cannot update the user").await? != 1 {
            return Err(Error::Conflict(format!(
                "user {user_id} changed while it was being updated; nothing was written, try again"
            )));
        }
        let (mut before, mut after) = (Map::new(), Map::new());
        for c in changes
            .iter()
            .filter(|c| !c.before.is_null() || !c.after.is_null())
        {
            before.insert(c.column.to_string(), c.before.clone());
            after.insert(c.column.to_string(), c.after.clone());
        }
        if let UserAction::ChangeEmail { .. } = &self.action {
            // The new address is unverified: ask its owner, in this transaction.
            if let Some(id) = notify::verify_new_address(tx, ctx, user_id).await? {
                after.insert("verification_message".into(), json!(id));
            }
        }
        if let Some((b, a)) = roles_changed {
            before.insert("roles".into(), b);
            after.insert("roles".into(), a);
        }
        Ok(Entry {
            action: self.action.audit_name(),
            entity: Entity::User,
            id: user_id.to_string(),
            before,
            after,
            reason: self.reason.clone(),
        })
    }

    async fn after(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<User> {
        let (row, roles) = load(tx, self.user_id, false).await?;
        Ok(User::from_row(row, roles, unmasked(ctx)))
    }
}

/// Shows one email address unmasked, and records who looked.
pub async fn reveal_email(ctx: &Ctx<'_>, user_id: i64, reason: Option<&str>) -> Result<String> {
    ctx.require(Permission::RevealEmail)?;
    let reason = reason
        .map(|r| clean_text("reason", r, MAX_REASON_CHARS))
        .transpose()?
        .filter(|r| !r.is_empty());
    let mut tx = ctx.db.begin_write("reveal an email address").await?;
    let (row, _) = load(&mut tx, user_id, false).await?;
    audit::append(
        &mut tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action: "user.reveal_email",
            entity_type: "user",
            entity_id: user_id.to_string(),
            before: None,
            after: None,
            reason: reason.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.email)
}
