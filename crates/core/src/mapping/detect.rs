//! `schema detect`: reads the catalogue, recognises a preset, proposes its
//! mapping and says, capability by capability, what works on this back end
//! and why not where it does not.

use serde::Serialize;

use super::catalogue::{self, Catalogue};
use super::check;
use super::presets;
use super::{Active, Lock, Mapping, OnCancel, Verified};
use crate::db::Db;
use crate::{Error, Result};

/// One thing the console can do, on this back end or not.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Capability {
    pub name: String,
    pub works: bool,
    /// How it works here, or why it does not and what that changes.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    /// What was recognised ("django + axes + allauth").
    pub preset: String,
    pub mapping: Mapping,
    pub capabilities: Vec<Capability>,
    /// Settings of the back end to confirm in the mapping.
    pub notes: Vec<String>,
    /// Tables in the back end.
    pub tables: usize,
}

pub async fn detect(db: &Db) -> Result<Detection> {
    let cat = catalogue::read(db).await?;
    if cat.tables.is_empty() {
        // The catalogue shows only what this account may read: tables it
        // lists but cannot read are a matter of privileges, not of presets.
        if let crate::db::SchemaStatus::NotAttached { tables } = db.schema_status().await? {
            let names: Vec<&str> = tables.iter().take(8).map(String::as_str).collect();
            return Err(Error::validation(format!(
                "{} has {} tables ({}{}), but this account may read the columns of none of \
                 them, so nothing can be recognised: grant it SELECT on them (on PostgreSQL \
                 `GRANT SELECT ON ALL TABLES IN SCHEMA public TO …`), or connect with an \
                 account that may read them",
                db.label(),
                tables.len(),
                names.join(", "),
                if tables.len() > names.len() {
                    ", …"
                } else {
                    ""
                }
            )));
        }
    }
    detect_in(&cat, db.label())
}

/// Detection over a catalogue already read.
pub fn detect_in(cat: &Catalogue, label: &str) -> Result<Detection> {
    let Some(found) = presets::recognise(cat) else {
        let names: Vec<&str> = cat.tables.keys().take(8).map(String::as_str).collect();
        return Err(Error::validation(format!(
            "no preset recognises {label} ({} tables{}{}): write a mapping by hand \
             (docs/MAPPING.md) and check it with `backoffice schema check --mapping FILE`",
            cat.tables.len(),
            if names.is_empty() { "" } else { ": " },
            names.join(", ")
        )));
    };
    let problems = check::against(&found.mapping, cat);
    if let Some(p) = problems.first() {
        return Err(Error::internal(format!(
            "the proposed mapping does not fit: {p}"
        )));
    }
    Ok(Detection {
        preset: found.mapping.preset.clone().unwrap_or_default(),
        capabilities: capabilities(&found.mapping),
        mapping: found.mapping,
        notes: found.notes,
        tables: cat.tables.len(),
    })
}

fn cap(name: &str, works: bool, detail: String) -> Capability {
    Capability {
        name: name.into(),
        works,
        detail,
    }
}

/// What a mapping lets the console do, in words: users, then the shop.
pub fn capabilities(m: &Mapping) -> Vec<Capability> {
    let mut out = user_capabilities(m);
    out.extend(shop_capabilities(m));
    out.extend(link_capabilities(m));
    out
}

/// The account emails' links: in which format, and what they need.
fn link_capabilities(m: &Mapping) -> Vec<Capability> {
    [
        ("password_reset", "reset link"),
        ("verify_email", "verify link"),
    ]
    .into_iter()
    .map(|(kind, name)| match m.link(kind) {
        Some(l) => cap(
            name,
            true,
            format!(
                "{} at {}{}",
                l.describe(),
                l.path(),
                if l.needs_secret() {
                    "; needs the back end's secret (`profile backend-secret`)"
                } else {
                    ""
                }
            ),
        ),
        // The demo's own schema: the console's tokens, redeemed there.
        None if m.preset.as_deref() == Some("reference") => {
            cap(name, true, "the console's own single-use token".into())
        }
        None => cap(
            name,
            false,
            format!(
                "no [links.{kind}]: {} emails are not sent",
                kind.replace('_', " ")
            ),
        ),
    })
    .collect()
}

/// What the users job can do on this back end.
pub fn user_capabilities(m: &Mapping) -> Vec<Capability> {
    let Some(u) = &m.user else {
        return vec![cap(
            "users",
            false,
            "no user table mapped: the users job is not available".into(),
        )];
    };
    let t = &u.table;
    let mut out = Vec::new();
    let names = if u.name.is_empty() {
        String::new()
    } else {
        format!(" and name ({})", u.name.join(" + "))
    };
    out.push(cap(
        "search",
        true,
        format!("users by email ({t}.{}){names}", u.email),
    ));
    out.push(match &u.active {
        Some(Active::Flag { column }) => cap(
            "disable",
            true,
            format!("disable and enable set {t}.{column}"),
        ),
        Some(Active::Values { column, .. }) => cap(
            "disable",
            true,
            format!("disable and enable set the code in {t}.{column}"),
        ),
        None => cap(
            "disable",
            false,
            "no active flag: disable and enable are not offered".into(),
        ),
    });
    out.push(match &u.lock {
        Some(Lock::Attempts { table, count, limit, .. }) => cap(
            "lockout",
            true,
            format!("locked out when {table}.{count} reaches {limit}; unlocking deletes the user's attempts"),
        ),
        Some(Lock::Timestamp { column, until: false, .. }) => cap(
            "lockout",
            true,
            format!("locked while {t}.{column} is set; lock and unlock set and clear it"),
        ),
        Some(Lock::Timestamp { column, until: true, .. }) => cap(
            "lockout",
            true,
            format!("locked until {t}.{column}; lock and unlock set and clear it"),
        ),
        None => cap("lockout", false, "no lock state: lock and unlock are not offered".into()),
    });
    out.push(match &u.verified {
        Some(Verified::Timestamp { column, .. }) => {
            cap("verification", true, format!("verified since {t}.{column}"))
        }
        Some(Verified::Flag { column }) => cap(
            "verification",
            true,
            format!("verified when {t}.{column} is set"),
        ),
        Some(Verified::Rows { table, flag, .. }) => cap(
            "verification",
            true,
            format!("verified when the address's row in {table} has {flag} set"),
        ),
        None => cap(
            "verification",
            false,
            "no verification state: the card does not say whether the address is verified".into(),
        ),
    });
    out.push(match &u.last_sign_in {
        Some(c) => cap("last sign-in", true, format!("{t}.{c}")),
        None => cap("last sign-in", false, "no last sign-in column".into()),
    });
    out.push(match (&u.failed_attempts, &u.lock) {
        (Some(c), _) => cap("failed attempts", true, format!("{t}.{c}")),
        (None, Some(Lock::Attempts { table, count, .. })) => cap(
            "failed attempts",
            true,
            format!("{table}.{count}, summed over the user's rows"),
        ),
        _ => cap(
            "failed attempts",
            false,
            "no failed-attempt count: the card leaves it out".into(),
        ),
    });
    out.push(match &u.sign_ins {
        Some(s) => cap("sign-in history", true, format!("rows of {}", s.table)),
        None => cap(
            "sign-in history",
            false,
            if u.last_sign_in.is_some() {
                "no sign-in history: no login table; the trouble card shows the last sign-in only"
                    .into()
            } else {
                "no sign-in history: no login table".into()
            },
        ),
    });
    out.push(match &m.roles {
        Some(r) => cap(
            "roles",
            true,
            format!("{} through {}", r.table, r.join.table),
        ),
        None => cap(
            "roles",
            false,
            "no role table: granting and revoking roles is not offered".into(),
        ),
    });
    out
}

/// What the shop sections let the console do, in words.
fn shop_capabilities(m: &Mapping) -> Vec<Capability> {
    let Some(o) = &m.order else {
        return vec![cap(
            "orders",
            false,
            "no order table: the orders job and the order rules are not available".into(),
        )];
    };
    let statuses = m
        .lifecycle
        .as_ref()
        .map(|l| l.statuses.join(", "))
        .unwrap_or_default();
    let mut out = vec![cap(
        "orders",
        true,
        format!("{} ({}; statuses {statuses})", o.table, o.status),
    )];
    out.push(match &m.items {
        Some(i) => cap("order items", true, format!("rows of {}", i.table)),
        None => cap(
            "order items",
            false,
            "no item table: the story shows totals only, and total checks are off".into(),
        ),
    });
    out.push(match &m.stock {
        Some(s) => cap(
            "stock",
            true,
            match s.on_cancel {
                OnCancel::Restock => {
                    format!("{}.{}; cancelling puts the items back", s.table, s.on_hand)
                }
                OnCancel::Release => format!(
                    "{}.{}; cancelling releases the allocation ({})",
                    s.table,
                    s.on_hand,
                    s.allocated.as_deref().unwrap_or("")
                ),
            },
        ),
        None => cap(
            "stock",
            false,
            "no stock table: cancelling changes no stock, and stock checks are off".into(),
        ),
    });
    let kept = |name: &str, what: &str, table: Option<&String>| match table {
        Some(t) => cap(name, true, format!("rows of {t}")),
        None => cap(
            name,
            true,
            format!("the back end keeps no {what}: the console keeps its own, labelled as such"),
        ),
    };
    out.push(kept(
        "status history",
        "status history",
        m.status_history.as_ref().map(|h| &h.table),
    ));
    out.push(kept(
        "notes",
        "order notes",
        m.notes.as_ref().map(|n| &n.table),
    ));
    out.push(kept(
        "refunds",
        "refund records",
        m.refunds.as_ref().map(|r| &r.table),
    ));
    out.push(
        match m
            .lifecycle
            .as_ref()
            .and_then(|l| l.changed_elsewhere.as_ref())
        {
            Some(why) => cap("order changes", false, why.clone()),
            None => cap(
                "order changes",
                true,
                "transitions, cancel and refunds as the lifecycle allows".into(),
            ),
        },
    );
    out
}
