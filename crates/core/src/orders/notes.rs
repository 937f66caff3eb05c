//! Internal notes on an order, for support and admin: what was promised,
//! what was checked. Notes are audited; the order itself does not change.

use serde_json::{json, Map};

use super::load;
use super::story::Note;
use crate::audit::{self, Record};
use crate::db::{Query, Source, WriteTx};
use crate::operators::Permission;
use crate::session::Ctx;
use crate::users::clean_text;
use crate::{Error, Result};

pub const MAX_NOTE_CHARS: usize = 2_000;

/// Adds a note to an order and returns it.
pub async fn add_note(ctx: &Ctx<'_>, order_id: i64, body: &str) -> Result<Note> {
    ctx.require(Permission::WriteOrderNotes)?;
    let body = clean_note(body)?;
    let mut tx = ctx.db.begin_write("add a note").await?;
    // The order must exist; reading it also orders this note after any
    // change being committed to it.
    load(&mut Source::Tx(&mut tx), order_id, true).await?;
    let who = ctx.operator.username();
    tx.execute(
        Query::new("INSERT INTO order_notes (order_id, operator, body, at) VALUES (")
            .bind(order_id)
            .sql(", ")
            .bind(who)
            .sql(", ")
            .bind(body.as_str())
            .sql(", ")
            .bind(ctx.now)
            .sql(")"),
        "cannot add the note",
    )
    .await?;
    audit_note(&mut tx, ctx, order_id.to_string(), &body).await?;
    tx.commit().await?;
    Ok(Note {
        at: ctx.now,
        operator: who.to_string(),
        body,
    })
}

/// The audit entry of a note, on any back end.
pub(crate) async fn audit_note(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    order: String,
    body: &str,
) -> Result<()> {
    let mut after = Map::new();
    after.insert("note".into(), json!(body));
    audit::append(
        tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action: "order.note",
            entity_type: "order",
            entity_id: order,
            before: None,
            after: Some(after),
            reason: None,
        },
    )
    .await?;
    Ok(())
}

/// A note keeps its line breaks but no other control characters.
pub(crate) fn clean_note(body: &str) -> Result<String> {
    let lines: Vec<String> = body
        .trim()
        .lines()
        .map(|l| clean_text("note", l, MAX_NOTE_CHARS))
        .collect::<Result<_>>()?;
    let body = lines.join("\n");
    let chars = body.chars().count();
    if chars == 0 {
        return Err(Error::validation("the note is empty"));
    }
    if chars > MAX_NOTE_CHARS {
        return Err(Error::validation(format!(
            "the note is too long: {chars} characters (at most {MAX_NOTE_CHARS})"
        )));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::clean_note;

    #[test]
    fn notes_keep_lines_and_refuse_control_characters() {
        assert_eq!(
            clean_note("  called the customer\r\nwill ship Monday \n").unwrap(),
            "called the customer\nwill ship Monday"
        );
        assert!(clean_note(" \n ").is_err());
        assert!(clean_note("bell\u{7}").is_err());
        assert!(clean_note(&"x".repeat(2_001)).is_err());
    }
}
