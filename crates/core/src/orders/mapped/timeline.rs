//! What happened to a mapped order, as the back end keeps it: its status
//! history and its notes (or the console's notes where it keeps none), as
//! timeline entries.

use chrono::{TimeZone, Utc};

use crate::db::{Query, Source};
use crate::mapping::query::{Key, Sql};
use crate::mapping::{HistoryMap, NotesMap};
use crate::orders::story::TimelineEntry;
use crate::session::Ctx;
use crate::Result;

#[derive(sqlx::FromRow)]
struct Happened {
    at: Option<i64>,
    who: Option<String>,
    text: Option<String>,
    detail: Option<String>,
}

fn entries(rows: Vec<Happened>, kind: &'static str, by: &str) -> Vec<TimelineEntry> {
    rows.into_iter()
        .filter_map(|r| {
            let at = Utc.timestamp_opt(r.at?, 0).single()?;
            let text = match r.detail {
                Some(d) if !d.is_empty() => format!("{} ({d})", r.text.unwrap_or_default()),
                _ => r.text.unwrap_or_default(),
            };
            Some(TimelineEntry {
                at,
                kind,
                operator: r.who.filter(|w| !w.is_empty()).unwrap_or_else(|| by.into()),
                text,
            })
        })
        .collect()
}

pub(super) async fn history(
    ctx: &Ctx<'_>,
    s: &Sql,
    h: &HistoryMap,
    id: &str,
) -> Result<Vec<TimelineEntry>> {
    let col = |c: &str| s.on("h", c);
    let opt = |c: &Option<String>| c.as_deref().map_or("NULL".into(), |c| s.text(&col(c)));
    let from = opt(&h.from);
    let change = match s.b {
        crate::db::Backend::Mysql => {
            format!(
                "CONCAT(COALESCE({from}, ''), ' → ', {})",
                s.text(&col(&h.to))
            )
        }
        _ => format!("COALESCE({from}, '') || ' → ' || {}", s.text(&col(&h.to))),
    };
    let key = Key::of(ctx.db, &h.table, &h.order, "h", "order").await?;
    let mut q = Query::new(format!(
        "SELECT {} AS at, {} AS who, {change} AS text, {} AS detail FROM {} h WHERE {} = ",
        s.epoch(&col(&h.at)),
        opt(&h.operator),
        opt(&h.reason),
        s.q(&h.table),
        key.expr
    ));
    key.bind(&mut q, s.b, id)?;
    for (c, v) in &h.fixed {
        q.sql(format!(" AND {} = ", col(c))).bind(v.as_str());
    }
    q.sql(format!(" ORDER BY {}", col(&h.at)));
    let rows = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the order's status history")
        .await?;
    Ok(entries(rows, "status", "the back end"))
}

pub(super) async fn notes(
    ctx: &Ctx<'_>,
    s: &Sql,
    n: &NotesMap,
    id: &str,
) -> Result<Vec<TimelineEntry>> {
    let col = |c: &str| s.on("n", c);
    let who = n
        .operator
        .as_deref()
        .map_or("NULL".into(), |c| s.text(&col(c)));
    let key = Key::of(ctx.db, &n.table, &n.order, "n", "order").await?;
    let mut q = Query::new(format!(
        "SELECT {} AS at, {who} AS who, {} AS text, NULL AS detail FROM {} n WHERE {} = ",
        s.epoch(&col(&n.at)),
        s.text(&col(&n.body)),
        s.q(&n.table),
        key.expr
    ));
    key.bind(&mut q, s.b, id)?;
    q.sql(format!(" ORDER BY {}", col(&n.at)));
    let rows = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the order's notes")
        .await?;
    Ok(entries(rows, "note", "the back end"))
}

/// The notes the console keeps on an order of a back end that keeps none.
pub(super) async fn console_notes(ctx: &Ctx<'_>, s: &Sql, key: &str) -> Result<Vec<TimelineEntry>> {
    let mut q = Query::new(format!(
        "SELECT {} AS at, operator AS who, body AS text, NULL AS detail \
         FROM backoffice_order_notes WHERE order_key = ",
        s.epoch("at")
    ));
    q.bind(key).sql(" ORDER BY id");
    let rows = Source::Pool(ctx.db)
        .fetch_all(&q, "cannot read the order's notes")
        .await?;
    Ok(entries(rows, "note", "the console"))
}
