//! A note on a mapped back end's order, in the back end's own notes table
//! (django-oscar's order_ordernote), written as its framework writes one:
//! the body, the time (and an `auto_now` column), the fixed values the
//! mapping names (Oscar's note_type), in one transaction with its audit
//! entry. A WordPress comment is also dated by the site's own clock, as
//! `wp_insert_comment` dates it. Where the back end keeps no notes
//! (Solidus), the note is a row of the console's own
//! `backoffice_order_notes`, shown as kept by the console.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::keys::Keys;
use super::story::order_row;
use super::{present, shop_of};
use crate::db::{Query, Source, WriteTx};
use crate::mapping::query::{framework_time, Insert, Key, Sql};
use crate::mapping::{LocalTimeMap, Mapping};
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
            let local = match &n.local {
                Some(l) => Some((&l.column, site_clock(&mut tx, &s, l, ctx.now).await?)),
                None => None,
            };
            let mut row = Insert::into(s, &n.table);
            link.bind(row.col(&n.order), s.b, &order.key)?;
            row.set(&n.body, body.as_str())
                .set(&n.at, now.clone())
                .set_opt(&n.updated, now)
                .set_opt(&n.operator, who)
                .fixed(&n.fixed);
            if let Some((column, wall)) = local {
                row.set(column, framework_time(s.b, wall));
            }
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

/// `now` as the site's clock shows it, as WordPress' `wp_timezone()` reads
/// the options: the `timezone_string` zone where it names one, else
/// `gmt_offset` hours east of UTC (0 where neither is set). Returned as
/// the UTC time with that wall clock, which is how a column without a
/// zone is written.
async fn site_clock(
    tx: &mut WriteTx,
    s: &Sql,
    l: &LocalTimeMap,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let name = s.q("option_name");
    let q = Query::new(format!(
        "SELECT {}, {} FROM {} WHERE {name} IN ('timezone_string', 'gmt_offset')",
        s.text(&name),
        s.text(&s.q("option_value")),
        s.q(&l.options)
    ));
    let options: Vec<(String, Option<String>)> =
        tx.fetch_all(&q, "cannot read the site's time zone").await?;
    let option = |key: &str| {
        options
            .iter()
            .find(|(n, _)| n == key)
            .and_then(|(_, v)| v.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(zone) = option("timezone_string") {
        let tz: chrono_tz::Tz = zone.parse().map_err(|_| {
            Error::validation(format!(
                "the site's timezone_string '{zone}' names no time zone: correct it in \
                 WordPress' settings; nothing was written"
            ))
        })?;
        return Ok(Utc.from_utc_datetime(&now.with_timezone(&tz).naive_local()));
    }
    let hours = match option("gmt_offset") {
        None => 0.0,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|h| h.abs() <= 14.0)
            .ok_or_else(|| {
                Error::validation(format!(
                    "the site's gmt_offset '{v}' is not an offset in hours: correct it in \
                     WordPress' settings; nothing was written"
                ))
            })?,
    };
    Ok(now + Duration::seconds((hours * 3600.0).round() as i64))
}
