//! A user's addresses where the back end keeps them as rows of their own
//! (allauth's `account_emailaddress`).

use super::sql::Sql;
use super::Key;
use crate::db::{Query, WriteTx};
use crate::mapping::{UserMap, Verified};
use crate::Result;

/// allauth's way: the other addresses stop being primary, the new one is
/// added unverified (or, if the user already has it, made primary).
pub(super) async fn make_primary(
    tx: &mut WriteTx,
    s: &Sql,
    u: &UserMap,
    key: &Key,
    user: &str,
    email: &str,
) -> Result<Vec<String>> {
    let Some(Verified::Rows {
        table,
        user: owner,
        email: address,
        flag,
        primary,
    }) = &u.verified
    else {
        return Ok(Vec::new());
    };
    let email = email.to_lowercase();
    let (t, o, a) = (s.q(table), s.q(owner), s.q(address));
    let mine = |q: &mut Query| -> Result<()> {
        q.sql(format!(" WHERE {o} = "));
        key.bind(q, s.b, user)
    };
    let mut q = Query::new(format!("SELECT COUNT(*) FROM {t}"));
    mine(&mut q)?;
    q.sql(format!(" AND LOWER({a}) = ")).bind(email.as_str());
    let (listed,): (i64,) = tx.fetch_one(&q, "cannot read the user's addresses").await?;
    if let Some(p) = primary {
        // The others off first, then this one on: allauth allows one
        // primary address per user at any moment.
        for (on, compare) in [(false, "<>"), (true, "=")] {
            if on && listed == 0 {
                break;
            }
            let mut q = Query::new(format!("UPDATE {t} SET {} = ", s.q(p)));
            q.bind(on);
            mine(&mut q)?;
            q.sql(format!(" AND LOWER({a}) {compare} "))
                .bind(email.as_str());
            tx.execute(&q, "cannot update the user's addresses").await?;
        }
    }
    if listed > 0 {
        return Ok(vec![format!("{table}: {email} made primary")]);
    }
    let mut q = Query::new(format!("INSERT INTO {t} ({o}, {a}, {}", s.q(flag)));
    if let Some(p) = primary {
        q.sql(format!(", {}", s.q(p)));
    }
    q.sql(") VALUES (");
    key.bind(&mut q, s.b, user)?;
    q.sql(", ").bind(email.as_str()).sql(", ").bind(false);
    if primary.is_some() {
        q.sql(", ").bind(true);
    }
    q.sql(")");
    tx.execute(&q, "cannot add the user's new address").await?;
    Ok(vec![format!("{table}: {email} added, unverified")])
}
