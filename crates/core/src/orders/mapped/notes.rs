//! A note on a mapped back end's order, in the back end's own notes table
//! (django-oscar's order_ordernote), written as its framework writes one:
//! the body, the time (and an `auto_now` column), the fixed values the
//! mapping names (Oscar's note_type), in one transaction with its audit
//! entry.

use super::story::{order_row, Keys};
use super::{present, shop_of};
use crate::db::{Query, Source};
use crate::mapping::query::{framework_time, Key, Sql};
use crate::mapping::Mapping;
use crate::operators::Permission;
use crate::orders::notes::{audit_note, clean_note};
use crate::orders::story::Note;
use crate::session::Ctx;
use crate::{Error, Result};

/// Adds a note to the order with this number or key.
pub async fn add_note(ctx: &Ctx<'_>, m: &Mapping, id: &str, body: &str) -> Result<Note> {
    ctx.require(Permission::WriteOrderNotes)?;
    let body = clean_note(body)?;
    let (o, _) = shop_of(m)?;
    let n = m.notes.as_ref().ok_or_else(|| {
        Error::validation(
            "this back end keeps no order notes; notes the console keeps itself for such a \
             back end come in a later version",
        )
    })?;
    let keys = Keys::of(ctx, m).await?;
    let link = Key::of(ctx.db, &n.table, &n.order, "n", "order").await?;
    let mut tx = ctx.db.begin_write("add a note").await?;
    let s = Sql { b: tx.backend() };
    // The order must exist; locking it orders the note after any change
    // being committed to it.
    let row = order_row(&mut Source::Tx(&mut tx), &s, m, &keys.order, id, true).await?;
    let order = present(o, row, true);
    let who = ctx.operator.username();
    let now = framework_time(s.b, ctx.now);
    let mut cols = vec![s.q(&n.order), s.q(&n.body), s.q(&n.at)];
    let mut vals = Query::new(" VALUES (");
    link.bind(&mut vals, s.b, &order.key)?;
    vals.sql(", ")
        .bind(body.as_str())
        .sql(", ")
        .bind(now.clone());
    if let Some(c) = &n.updated {
        cols.push(s.q(c));
        vals.sql(", ").bind(now);
    }
    if let Some(c) = &n.operator {
        cols.push(s.q(c));
        vals.sql(", ").bind(who);
    }
    for (c, v) in &n.fixed {
        cols.push(s.q(c));
        vals.sql(", ").bind(v.as_str());
    }
    let mut q = Query::new(format!(
        "INSERT INTO {} ({})",
        s.q(&n.table),
        cols.join(", ")
    ));
    q.append(vals).sql(")");
    tx.execute(&q, "cannot add the note").await?;
    audit_note(&mut tx, ctx, order.key.clone(), &body).await?;
    tx.commit().await?;
    Ok(Note {
        at: ctx.now,
        operator: who.to_string(),
        body,
    })
}
