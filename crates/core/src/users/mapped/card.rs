//! The sign-in trouble card of a mapped back end's user: what the back end
//! knows (state, lock, verification, failed attempts, last sign-in), the
//! roles granted through the mapped join, recent sign-ins where the back
//! end keeps them, and plainly what it does not keep.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::sql::{attempt_match, Sql};
use super::{at, bind_key, present, select, users_of, MappedUser, Row};
use crate::db::{Query, Source};
use crate::mapping::detect::capabilities;
use crate::mapping::{Lock, Mapping, UserMap};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::users::unmasked;
use crate::{Error, Result};

/// Sign-ins shown on a card.
const RECENT_SIGN_INS: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedSignIn {
    pub at: Option<DateTime<Utc>>,
    pub succeeded: Option<bool>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedCard {
    pub user: MappedUser,
    /// Absent when the back end has no roles mapped.
    pub roles: Option<Vec<String>>,
    /// The latest sign-ins, newest first; absent when the back end keeps
    /// no history.
    pub sign_ins: Option<Vec<MappedSignIn>>,
    /// What this back end does not keep, and what that leaves out.
    pub not_known: Vec<String>,
}

/// The card of the user whose key is `key`.
pub async fn card(ctx: &Ctx<'_>, mapping: &Mapping, key: &str) -> Result<MappedCard> {
    ctx.require(Permission::ReadUsers)?;
    let u = users_of(mapping)?;
    let (mut q, key_expr, _, integer_key) = select(ctx, u).await?;
    q.sql(format!(" AND {key_expr} = "));
    bind_key(&mut q, key, integer_key)?;
    let row: Option<Row> = Source::Pool(ctx.db)
        .fetch_optional(&q, "cannot read the user")
        .await?;
    let row =
        row.ok_or_else(|| Error::NotFound(format!("no user has the key '{}'", key.trim())))?;
    let roles = match &mapping.roles {
        Some(_) => Some(roles(ctx, mapping, key, integer_key).await?),
        None => None,
    };
    let sign_ins = match &u.sign_ins {
        Some(_) => Some(sign_ins(ctx, u, key, integer_key).await?),
        None => None,
    };
    let not_known = capabilities(mapping)
        .into_iter()
        .filter(|c| !c.works)
        .map(|c| c.detail)
        .collect();
    Ok(MappedCard {
        user: present(row, unmasked(ctx)),
        roles,
        sign_ins,
        not_known,
    })
}

async fn roles(ctx: &Ctx<'_>, m: &Mapping, key: &str, integer_key: bool) -> Result<Vec<String>> {
    let Some(r) = &m.roles else {
        return Ok(Vec::new());
    };
    let s = Sql {
        b: ctx.db.backend(),
    };
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
    bind_key(&mut q, key, integer_key)?;
    if let (Some(column), Some(value)) = (&j.only_column, &j.only_value) {
        q.sql(format!(" AND j.{} = ", s.q(column)))
            .bind(value.as_str());
    }
    q.sql(" ORDER BY 1");
    let names: Vec<(String,)> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the user's roles")
        .await?;
    Ok(names.into_iter().map(|(n,)| n).collect())
}

async fn sign_ins(
    ctx: &Ctx<'_>,
    u: &UserMap,
    key: &str,
    integer_key: bool,
) -> Result<Vec<MappedSignIn>> {
    let Some(h) = &u.sign_ins else {
        return Ok(Vec::new());
    };
    let s = Sql {
        b: ctx.db.backend(),
    };
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
    bind_key(&mut q, key, integer_key)?;
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
    let rows: Vec<(Option<i64>, Option<i64>, Option<String>)> = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the user's sign-ins")
        .await?;
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
