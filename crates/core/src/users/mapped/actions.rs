//! Account actions on a mapped back end, through the one write path
//! (crate::write): the user re-read under lock and compared with the
//! fingerprint the operator saw (the back end's table has no version
//! column), written as the framework would, audited in the same
//! transaction.

use serde::Serialize;
use serde_json::{Map, Value};

use super::card::{card, current};
use super::sql::Sql;
use super::steps;
use super::{present, user_key, users_of, Key, MappedCard, MappedUser};
use crate::db::{Query, Source, WriteTx};
use crate::mapping::{Mapping, UserMap, Verified};
use crate::session::Ctx;
use crate::users::plan::{audit_reason, validate};
use crate::users::UserAction;
use crate::validation::mapped::{Guarded, Records};
use crate::validation::{Entity, Watch};
use crate::write::{self, Edit, Entry};
use crate::{Error, Result};

/// Whether an action is offered on a user's card, and if not, why.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Offer {
    /// The action's kind, as [`UserAction`] names it ("unlock").
    #[ts(type = "string")]
    pub action: &'static str,
    pub available: bool,
    /// Why not, in a sentence a person can pass on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
}

/// Every account action, with the state and the mapping of this user: what
/// the operator may do now, and why not the rest.
pub fn offered(
    ctx: &Ctx<'_>,
    m: &Mapping,
    user: &MappedUser,
    roles: Option<&[String]>,
) -> Vec<Offer> {
    let Some(u) = &m.user else {
        return Vec::new();
    };
    let samples = [
        (
            "lock",
            UserAction::Lock {
                reason: "-".into(),
                until: None,
            },
        ),
        ("unlock", UserAction::Unlock),
        ("reset_failed_sign_ins", UserAction::ResetFailedSignIns),
        ("disable", UserAction::Disable),
        ("enable", UserAction::Enable),
        (
            "change_email",
            UserAction::ChangeEmail {
                email: String::new(),
            },
        ),
        (
            "change_display_name",
            UserAction::ChangeDisplayName {
                display_name: String::new(),
            },
        ),
        (
            "grant_role",
            UserAction::GrantRole {
                role: String::new(),
            },
        ),
        (
            "revoke_role",
            UserAction::RevokeRole {
                role: roles.and_then(|r| r.first().cloned()).unwrap_or_default(),
            },
        ),
    ];
    samples
        .into_iter()
        .map(|(name, action)| {
            let why = ctx
                .require(action.permission())
                .and_then(|()| steps::plan(&action, m, u, user, roles, ctx.now).map(|_| ()))
                .err()
                .map(|e| e.to_string());
            // A lock whose end must be given is still offered.
            let why = why.filter(|w| !w.contains("(--until)"));
            Offer {
                action: name,
                available: why.is_none(),
                reason: why,
            }
        })
        .collect()
}

/// Applies one action to the user whose key is `user`, if the user is
/// still as the operator saw it (`version`, the card's fingerprint).
/// Returns the card as it is after the change.
pub async fn apply(
    ctx: &Ctx<'_>,
    m: &Mapping,
    user: &str,
    version: &str,
    action: UserAction,
    reason: Option<&str>,
) -> Result<MappedCard> {
    ctx.require(action.permission())?;
    let action = validate(action, ctx.now)?;
    let reason = audit_reason(&action, reason)?;
    let u = users_of(m)?;
    let edit = MappedEdit {
        m,
        u,
        key: user_key(ctx, u).await?,
        rules: Guarded::read(ctx.db, m).await?,
        user,
        seen: version.trim(),
        action,
        reason,
    };
    write::apply(ctx, &edit).await?;
    card(ctx, m, user).await
}

/// An account action on a mapped back end, as the write path runs it.
struct MappedEdit<'a> {
    m: &'a Mapping,
    u: &'a UserMap,
    key: Key,
    rules: Guarded<'a>,
    user: &'a str,
    seen: &'a str,
    action: UserAction,
    reason: Option<String>,
}

/// The user as read under lock (unmasked), and their roles.
type Before = (MappedUser, Option<Vec<String>>);

impl Edit for MappedEdit<'_> {
    const DOING: &'static str = "change a user";
    type State = Before;
    type Plan = Vec<steps::Step>;
    type Done = ();

    async fn read(&self, tx: &mut WriteTx, ctx: &Ctx<'_>) -> Result<Before> {
        let (row, roles, now_at) =
            current(&mut Source::Tx(tx), ctx, self.m, &self.key, self.user, true).await?;
        let before = present(row, true);
        if now_at != self.seen {
            return Err(stale(ctx, &before, self.seen, &now_at));
        }
        Ok((before, roles))
    }

    fn plan(&self, ctx: &Ctx<'_>, (user, roles): &Before) -> Result<Vec<steps::Step>> {
        steps::plan(
            &self.action,
            self.m,
            self.u,
            user,
            roles.as_deref(),
            ctx.now,
        )
    }

    /// The rules over a mapping read users' addresses only.
    fn touched(&self, (user, _): &Before, _: &Vec<steps::Step>) -> Option<Watch<'_>> {
        let UserAction::ChangeEmail { .. } = self.action else {
            return None;
        };
        let records = Records {
            users: vec![user.key.clone()],
            ..Records::default()
        };
        Some(Watch::Mapped(&self.rules, records))
    }

    async fn write(
        &self,
        tx: &mut WriteTx,
        ctx: &Ctx<'_>,
        (before, roles): &Before,
        plan: &Vec<steps::Step>,
    ) -> Result<Entry> {
        if let UserAction::ChangeEmail { email } = &self.action {
            address_free(&mut Source::Tx(tx), self.u, &self.key, self.user, email).await?;
        }
        let written = steps::write(tx, self.m, self.u, &self.key, self.user, plan, ctx.now).await?;
        let (row, roles_after, _) = current(
            &mut Source::Tx(tx),
            ctx,
            self.m,
            &self.key,
            self.user,
            false,
        )
        .await?;
        let (mut b, mut a) = differences(before, &present(row, true));
        if *roles != roles_after {
            b.insert("roles".into(), serde_json::json!(roles));
            a.insert("roles".into(), serde_json::json!(roles_after));
        }
        a.insert("written".into(), serde_json::json!(written));
        Ok(Entry {
            action: self.action.audit_name(),
            entity: Entity::User,
            id: before.key.clone(),
            before: b,
            after: a,
            reason: self.reason.clone(),
        })
    }

    async fn after(&self, _: &mut WriteTx, _: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
}

/// The refusal when the user moved since the operator looked, with the
/// values as they are now.
fn stale(ctx: &Ctx<'_>, now: &MappedUser, seen: &str, at: &str) -> Error {
    let yes_no = |v: Option<bool>, yes: &str, no: &str| match v {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => String::new(),
    };
    let mut state: Vec<String> = [
        now.state.clone().unwrap_or_default(),
        yes_no(now.locked, "locked", "not locked"),
        yes_no(now.verified, "verified", "unverified"),
        now.failed_attempts
            .map(|n| format!("{n} failed sign-ins"))
            .unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    state.dedup();
    let shown = present_for(ctx, now);
    Error::stale(
        &format!("user {}", now.key),
        seen,
        at,
        &state.join(", "),
        &shown,
    )
}

/// The user as this operator may see them (masked for support).
fn present_for(ctx: &Ctx<'_>, u: &MappedUser) -> MappedUser {
    let mut u = u.clone();
    if !crate::users::unmasked(ctx) {
        u.email = crate::users::mask_email(&u.email);
        u.pending_email = u.pending_email.map(|e| crate::users::mask_email(&e));
        u.email_masked = true;
    }
    u
}

/// The fields that moved, before and after.
fn differences(
    before: &MappedUser,
    after: &MappedUser,
) -> (Map<String, Value>, Map<String, Value>) {
    let as_map = |u: &MappedUser| match serde_json::to_value(u) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let (b, a) = (as_map(before), as_map(after));
    let mut out = (Map::new(), Map::new());
    for (k, v) in &b {
        let w = a.get(k).cloned().unwrap_or(Value::Null);
        if *v != w {
            out.0.insert(k.clone(), v.clone());
            out.1.insert(k.clone(), w);
        }
    }
    out
}

/// Refuses an address another user of the back end already has (in the
/// users table, or among the addresses allauth keeps).
async fn address_free(
    src: &mut Source<'_>,
    u: &UserMap,
    key: &Key,
    user: &str,
    email: &str,
) -> Result<()> {
    let s = Sql { b: src.backend() };
    let mut q = Query::new(format!(
        "SELECT {} FROM {} u WHERE LOWER({}) = LOWER(",
        s.text(&key.expr),
        s.q(&u.table),
        s.u(&u.email)
    ));
    q.bind(email).sql(format!(") AND NOT ({} = ", key.expr));
    key.bind(&mut q, s.b, user)?;
    q.sql(")");
    if let Some(Verified::Rows {
        table,
        user: owner,
        email: address,
        ..
    }) = &u.verified
    {
        q.sql(format!(
            " UNION SELECT {} FROM {} e WHERE LOWER(e.{}) = LOWER(",
            s.text(&format!("e.{}", s.q(owner))),
            s.q(table),
            s.q(address)
        ))
        .bind(email)
        .sql(format!(") AND NOT (e.{} = ", s.q(owner)));
        key.bind(&mut q, s.b, user)?;
        q.sql(")");
    }
    let owners: Vec<(String,)> = src
        .fetch_all(&q, "cannot check who has the address")
        .await?;
    match owners.first() {
        Some((other,)) => Err(Error::Conflict(format!(
            "'{email}' is already the address of user {other}"
        ))),
        None => Ok(()),
    }
}
