//! Roles granted through the mapped join table (Django's
//! `auth_user_groups`, spatie's `model_has_roles` with its `model_type`).

use super::sql::Sql;
use super::Key;
use crate::db::{Query, WriteTx};
use crate::mapping::Mapping;
use crate::{Error, Result};

/// Grants or revokes `role` by name; returns what was written.
pub(super) async fn write(
    tx: &mut WriteTx,
    s: &Sql,
    m: &Mapping,
    key: &Key,
    user: &str,
    role: &str,
    grant: bool,
) -> Result<String> {
    let Some(r) = &m.roles else {
        return Err(Error::validation("this back end has no roles mapped"));
    };
    let j = &r.join;
    let names: Vec<(String,)> = tx
        .fetch_all(
            &Query::new(format!(
                "SELECT {} FROM {} ORDER BY 1",
                s.text(&s.q(&r.name)),
                s.q(&r.table)
            )),
            "cannot read the roles",
        )
        .await?;
    if !names.iter().any(|(n,)| n == role) {
        let known: Vec<String> = names.into_iter().map(|(n,)| n).collect();
        return Err(Error::NotFound(format!(
            "no role named '{role}'; roles are: {}",
            known.join(", ")
        )));
    }
    let only = j.only_column.as_ref().zip(j.only_value.as_ref());
    let role_key = format!(
        "SELECT r.{} FROM {} r WHERE r.{} = ",
        s.q(&r.key),
        s.q(&r.table),
        s.q(&r.name)
    );
    let mut q;
    if grant {
        q = Query::new(format!(
            "INSERT INTO {} ({}, {}",
            s.q(&j.table),
            s.q(&j.user),
            s.q(&j.role)
        ));
        if let Some((c, _)) = only {
            q.sql(format!(", {}", s.q(c)));
        }
        q.sql(") SELECT ");
        key.bind(&mut q, s.b, user)?;
        q.sql(format!(", r.{}", s.q(&r.key)));
        if let Some((_, v)) = only {
            q.sql(", ").bind(v.as_str());
        }
        q.sql(format!(
            " FROM {} r WHERE r.{} = ",
            s.q(&r.table),
            s.q(&r.name)
        ))
        .bind(role);
    } else {
        q = Query::new(format!(
            "DELETE FROM {} WHERE {} = ",
            s.q(&j.table),
            s.q(&j.user)
        ));
        key.bind(&mut q, s.b, user)?;
        q.sql(format!(" AND {} IN ({role_key}", s.q(&j.role)))
            .bind(role)
            .sql(")");
        if let Some((c, v)) = only {
            q.sql(format!(" AND {} = ", s.q(c))).bind(v.as_str());
        }
    }
    let n = tx
        .execute(
            &q,
            if grant {
                "cannot grant the role"
            } else {
                "cannot revoke the role"
            },
        )
        .await?;
    Ok(format!(
        "{}: {role} {} ({n} row{})",
        j.table,
        if grant { "granted" } else { "revoked" },
        if n == 1 { "" } else { "s" }
    ))
}
