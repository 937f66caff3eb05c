//! The sign-in trouble card of a mapped back end's user: what the back end
//! knows (state, lock, verification, failed attempts, last sign-in), the
//! roles granted through the mapped join, recent sign-ins where the back
//! end keeps them, and plainly what it does not keep.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::sql::{attempt_match, Sql};
use super::{
    at, fingerprint, offered, present, select, user_key, users_of, Key, MappedUser, Offer, Row,
};
use crate::db::{Query, Source};
use crate::mapping::detect::user_capabilities;
use crate::mapping::{Lock, Mapping, UserMap};
use crate::notify::{sent_about, About, Sent};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::users::unmasked;
use crate::{Error, Result};

/// Sign-ins shown on a card.
const RECENT_SIGN_INS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedSignIn {
    pub at: Option<DateTime<Utc>>,
    pub succeeded: Option<bool>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct MappedCard {
    pub user: MappedUser,
    /// What a change must carry (`--version`): a fingerprint of every value
    /// shown, since the back end's table has no version column.
    pub version: String,
    /// Absent when the back end has no roles mapped.
    pub roles: Option<Vec<String>>,
    /// The latest sign-ins, newest first; absent when the back end keeps
    /// no history.
    pub sign_ins: Option<Vec<MappedSignIn>>,
    /// The account actions, each offered or not with the reason.
    pub actions: Vec<Offer>,
    /// What this back end does not keep, and what that leaves out.
    pub not_known: Vec<String>,
    /// What was sent to the user, newest first.
    pub notifications: Vec<Sent>,
}

/// The user's row and roles as they are now (locked inside a write), and
/// their fingerprint.
pub(super) async fn current(
    src: &mut Source<'_>,
    ctx: &Ctx<'_>,
    m: &Mapping,
    key: &Key,
    user: &str,
    lock: bool,
) -> Result<(Row, Option<Vec<String>>, String)> {
    let u = users_of(m)?;
    let s = Sql { b: src.backend() };
    let mut q = select(&s, u, key, ctx.now);
    key.push_eq(&mut q, s.b, user)?;
    if lock {
        q.sql(s.b.for_update());
    }
    let row: Option<Row> = src.fetch_optional(&q, "cannot read the user").await?;
    let row =
        row.ok_or_else(|| Error::NotFound(format!("no user has the key '{}'", user.trim())))?;
    let roles = match &m.roles {
        Some(_) => Some(roles(src, m, key, user).await?),
        None => None,
    };
    let version = fingerprint(&row, roles.as_deref());
    Ok((row, roles, version))
}

/// The user a message is for, as they are now, with the address unmasked
/// (it is where the message goes; operators see it masked elsewhere).
pub(crate) async fn for_message(
    src: &mut Source<'_>,
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    key: &str,
) -> Result<MappedUser> {
    let k = user_key(ctx, users_of(mapping)?).await?;
    let (row, _, _) = current(src, ctx, mapping, &k, key, false).await?;
    Ok(present(row, true))
}

/// The users a bulk message goes to: those among `keys` (when given) that
/// the query's filters find (its text is not used), in key order, with
/// their addresses unmasked; at most `limit`.
pub(crate) async fn recipients(
    ctx: &Ctx<'_>,
    mapping: &Mapping,
    query: &crate::users::UserQuery,
    keys: Option<&[i64]>,
    limit: usize,
) -> Result<Vec<MappedUser>> {
    let u = users_of(mapping)?;
    let s = Sql {
        b: ctx.db.backend(),
    };
    let k = user_key(ctx, u).await?;
    let mut q = select(&s, u, &k, ctx.now);
    if let Some(keys) = keys {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        if k.kind != crate::mapping::catalogue::Kind::Integer {
            return Err(Error::validation(
                "this back end's users are not keyed by integers, and the console's outbox \
                 keeps a user's key as one in this version",
            ));
        }
        q.sql(format!(" AND {} IN ", k.expr))
            .bind_list(keys.iter().copied());
    }
    super::filters::push(&mut q, &s, mapping, u, &k, query, ctx.now)?;
    q.sql(format!(" ORDER BY {} LIMIT {limit}", k.expr));
    let rows: Vec<Row> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the recipients")
        .await?;
    Ok(rows.into_iter().map(|r| present(r, true)).collect())
}

/// The card of the user whose key is `key`.
pub async fn card(ctx: &Ctx<'_>, mapping: &Mapping, key: &str) -> Result<MappedCard> {
    ctx.require(Permission::ReadUsers)?;
    let u = users_of(mapping)?;
    let k = user_key(ctx, u).await?;
    let mut src = Source::Pool(ctx.db);
    let (row, roles, version) = current(&mut src, ctx, mapping, &k, key, false).await?;
    let sign_ins = match &u.sign_ins {
        Some(_) => Some(sign_ins(&mut src, u, &k, key).await?),
        None => None,
    };
    let not_known = user_capabilities(mapping)
        .into_iter()
        .filter(|c| !c.works)
        .map(|c| c.detail)
        .collect();
    let user = present(row, unmasked(ctx));
    let notifications = sent_about(ctx, About::User(key)).await?;
    Ok(MappedCard {
        actions: offered(ctx, mapping, &user, roles.as_deref()),
        user,
        version,
        roles,
        sign_ins,
        not_known,
        notifications,
    })
}

async fn roles(src: &mut Source<'_>, m: &Mapping, key: &Key, user: &str) -> Result<Vec<String>> {
    let Some(r) = &m.roles else {
        return Ok(Vec::new());
    };
    let s = Sql { b: src.backend() };
    let j = &r.join;
    let mut q = Query::new(format!(
        "SELECT {} FROM {} r JOIN {} j ON j.{} = r.{} WHERE j.{} = ",
        s.text(&format!("r.{}", s.q(&r.name))),
        s.q(&r.table),
        s.q(&j.table),
        s.q(&j.role),
        s.q(&r.key),
        s.q(&j.user)
    ));
    key.bind(&mut q, s.b, user)?;
    if let (Some(column), Some(value)) = (&j.only_column, &j.only_value) {
        q.sql(format!(" AND j.{} = ", s.q(column)))
            .bind(value.as_str());
    }
    q.sql(" ORDER BY 1");
    let names: Vec<(String,)> = src.fetch_all(&q, "cannot read the user's roles").await?;
    Ok(names.into_iter().map(|(n,)| n).collect())
}

async fn sign_ins(
    src: &mut Source<'_>,
    u: &UserMap,
    key: &Key,
    user: &str,
) -> Result<Vec<MappedSignIn>> {
    let Some(h) = &u.sign_ins else {
        return Ok(Vec::new());
    };
    let s = Sql { b: src.backend() };
    let col = |c: &Option<String>, f: &dyn Fn(&str) -> String| {
        c.as_ref()
            .map_or("NULL".to_string(), |c| f(&format!("a.{}", s.q(c))))
    };
    let mut q = Query::new(format!(
        "SELECT {} AS at, {} AS ok, {} AS ip FROM {} a, {} u WHERE u.{} = ",
        s.epoch(&format!("a.{}", s.q(&h.at))),
        col(&h.succeeded, &|e| s.flag(e)),
        col(&h.ip, &|e| s.text(e)),
        s.q(&h.table),
        s.q(&u.table),
        s.q(&u.key)
    ));
    key.bind(&mut q, s.b, user)?;
    match (&h.user, &h.username) {
        (Some(user), _) => {
            q.sql(format!(" AND a.{} = u.{}", s.q(user), s.q(&u.key)));
        }
        (None, Some(name)) => {
            // The name posted: matched as the lock's attempts are, or on
            // the sign-in name and the email.
            let mut by: Vec<String> = match &u.lock {
                Some(Lock::Attempts { match_user, .. }) => match_user.clone(),
                _ => u.username.iter().cloned().collect(),
            };
            if !by.contains(&u.email) {
                by.push(u.email.clone());
            }
            q.sql(format!(" AND {}", attempt_match(&s, name, &by)));
        }
        (None, None) => return Ok(Vec::new()),
    }
    q.sql(format!(
        " ORDER BY a.{} DESC LIMIT {RECENT_SIGN_INS}",
        s.q(&h.at)
    ));
    let rows: Vec<(Option<i64>, Option<i64>, Option<String>)> =
        src.fetch_all(&q, "cannot read the user's sign-ins").await?;
    Ok(rows
        .into_iter()
        .map(|(t, ok, ip)| MappedSignIn {
            at: at(t),
            succeeded: ok.map(|v| v != 0),
            ip: ip.map(host_only),
        })
        .collect())
}

/// PostgreSQL's `inet` reads as text with its mask ("10.0.0.5/32"); a
/// single host is shown without it.
fn host_only(ip: String) -> String {
    match ip.strip_suffix("/32").or_else(|| ip.strip_suffix("/128")) {
        Some(host) => host.to_string(),
        None => ip,
    }
}
