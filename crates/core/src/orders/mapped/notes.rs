//! A note on a mapped back end's order, in the back end's own notes table
//! (django-oscar's order_ordernote), written as its framework writes one:
//! the body, the time (and an `auto_now` column), the fixed values the
//! mapping names (Oscar's note_type), in one transaction with its audit
//! entry. Where the back end keeps no notes (Solidus), the note is a row of
//! the console's own `backoffice_order_notes`, shown as kept by the
//! console.

use super::keys::Keys;
use super::story::order_row;
use super::{present, shop_of};
use crate::db::{Query, Source};
use crate::mapping::query::{framework_time, Insert, Key, Sql};
use crate::mapping::Mapping;
use crate::operators::Permission;
use crate::orders::notes::{audit_note, clean_note};
use crate::orders::story::Note;
use crate::session::Ctx;
use crate::Result;

/// Adds a note to the order with this number or key.
pub async fn add_note(ctx: &Ctx<'_>, m: &Mapping, id: &str, body: &str) -> Result<Note> {
    ctx.require(Permission::WriteOrderNotes)?;
    let body = clean_note(body)?;
    let (o, _) = shop_of(m)?;
    let keys = Keys::of(ctx, m).await?;
    let link = match &m.notes {
        Some(n) if !n.read_only => Some(Key::of(ctx.db, &n.table, &n.order, "n", "order").await?),
        _ => None,
    };
    let mut tx = ctx.db.begin_write("add a note").await?;
    let s = Sql { b: tx.backend() };
    // The order must exist; locking it orders the note after any change
    // being committed to it.
    let row = order_row(&mut Source::Tx(&mut tx), &s, m, &keys, id, true).await?;
    let order = present(o, row, true);
    let who = ctx.operator.username();
    let q = match (&m.notes, link) {
        (Some(n), Some(link)) => {
            let now = framework_time(s.b, ctx.now);
            let mut row = Insert::into(s, &n.table);
            link.bind(row.col(&n.order), s.b, &order.key)?;
            row.set(&n.body, body.as_str())
                .set(&n.at, now.clone())
                .set_opt(&n.updated, now)
                .set_opt(&n.operator, who)
                .fixed(&n.fixed);
            row.query()
        }
        _ => {
            let mut q = Query::new(
                "INSERT INTO backoffice_order_notes (order_key, body, operator, at) VALUES (",
            );
            q.bind(order.key.as_str())
                .sql(", ")
                .bind(body.as_str())
                .sql(", ")
                .bind(who)
                .sql(", ")
                .bind(ctx.now)
                .sql(")");
            q
        }
    };
    tx.execute(&q, "cannot add the note").await?;
    audit_note(&mut tx, ctx, order.key.clone(), &body).await?;
    tx.commit().await?;
    Ok(Note {
        at: ctx.now,
        operator: who.to_string(),
        body,
    })
}
