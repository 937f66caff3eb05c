//! Orders as text: lists, the order story, previews and bulk results.

use chrono::{DateTime, Utc};

use backoffice_core::money;
use backoffice_core::orders::{BulkOutcome, BulkPreview, Order, OrderStory, Preview, Refusal};
use backoffice_core::page::Page;
use backoffice_core::time::{clock_time, relative};

use crate::orders::{line, status_change};
use crate::output::page_table;

pub fn page(page: &Page<Order>) -> String {
    let header = format!(
        "{:>9}  {:<10} {:>14}  {:<16}  {:>9}  {}",
        "id", "status", "total", "placed (UTC)", "customer", "email"
    );
    page_table(header, page, line)
}

pub fn preview(p: &Preview) -> String {
    let cur = p.currency.as_str();
    let mut s = vec![
        format!("dry run: {}", p.summary),
        format!(
            "  order {} (version {}): {}",
            p.order_id,
            p.version,
            status_change(p)
        ),
    ];
    if let Some(col) = &p.sets {
        s.push(format!("  sets {col} to the time of the change"));
    }
    s.push(format!(
        "  paid {}, refunded {}, refunding {}, refundable afterwards {}",
        money::format(p.paid_cents, cur),
        money::format(p.refunded_cents, cur),
        money::format(p.refund_cents, cur),
        money::format(p.refundable_after_cents, cur)
    ));
    for st in &p.stock {
        s.push(format!(
            "  stock {:<14} {:>6} → {:<6} (+{}) {}",
            st.sku, st.before, st.after, st.quantity, st.name
        ));
    }
    for w in &p.warnings {
        s.push(format!("  ! {w}"));
    }
    s.push("nothing was changed".into());
    s.join("\n")
}

fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    t.map(|t| format!("{} ({})", clock_time(t), relative(t, now)))
        .unwrap_or_else(|| "—".into())
}

pub fn story(st: &OrderStory, now: DateTime<Utc>) -> String {
    let o = &st.order;
    let cur = o.currency.as_str();
    let m = |v: i64| money::format(v, cur);
    let c = &st.customer;
    let mut s = vec![
        format!("order {}  {}  version {}", o.id, o.status, o.version),
        format!("  placed    {}", when(Some(o.placed_at), now)),
    ];
    for (label, t) in [
        ("paid", o.paid_at),
        ("packed", o.packed_at),
        ("shipped", o.shipped_at),
        ("delivered", o.delivered_at),
        ("cancelled", o.cancelled_at),
        ("refunded", o.refunded_at),
    ] {
        if t.is_some() {
            s.push(format!("  {label:<9} {}", when(t, now)));
        }
    }
    s.push(format!(
        "customer {}  {}  \"{}\"  {}{}{}",
        c.id,
        c.email,
        c.display_name,
        c.status,
        if c.verified {
            ", verified"
        } else {
            ", unverified"
        },
        if c.locked { ", locked" } else { "" }
    ));
    s.push("items".into());
    for i in &st.items {
        s.push(format!(
            "  {:<14} {:>4} × {:>12} = {:>13}  {}",
            i.sku,
            i.quantity,
            m(i.unit_price_cents),
            m(i.line_total_cents),
            i.name
        ));
    }
    s.push(format!(
        "totals  subtotal {}  shipping {}  tax {}  discount {}  total {}",
        m(o.subtotal_cents),
        m(o.shipping_cents),
        m(o.tax_cents),
        m(o.discount_cents),
        m(o.total_cents)
    ));
    if st.totals.mismatches.is_empty() {
        s.push("  the totals agree with the items".into());
    }
    for x in &st.totals.mismatches {
        s.push(format!("  ! {x}"));
    }
    s.push(format!(
        "money   paid {}  refunded {}  refundable {}",
        m(st.paid_cents),
        m(st.refunded_cents),
        m(st.refundable_cents)
    ));
    s.push("timeline".into());
    for e in &st.timeline {
        s.push(format!(
            "  {}  {:<6} {:<10} {}",
            clock_time(e.at),
            e.kind,
            e.operator,
            e.text
        ));
    }
    s.join("\n")
}

pub fn bulk_preview(p: &BulkPreview) -> String {
    let mut s = vec![format!(
        "{} order(s) can change, {} cannot",
        p.ready.len(),
        p.refused.len()
    )];
    for r in &p.ready {
        s.push(format!("  {:>9}  {}", r.order_id, status_change(r)));
        for st in &r.stock {
            s.push(format!(
                "             stock {} {} → {}",
                st.sku, st.before, st.after
            ));
        }
    }
    for r in &p.refused {
        s.push(format!("  {:>9}  refused: {}", r.order_id, r.message));
    }
    s.join("\n")
}

pub fn bulk_results(refused: &[Refusal], results: &[BulkOutcome]) -> String {
    let mut s = Vec::new();
    for r in results {
        match (&r.status, &r.error) {
            (Some(st), _) => s.push(format!("  {:>9}  now {st}", r.order_id)),
            (_, Some(e)) => s.push(format!("  {:>9}  failed: {}", r.order_id, e.message)),
            _ => {}
        }
    }
    for r in refused {
        s.push(format!("  {:>9}  refused: {}", r.order_id, r.message));
    }
    let ok = results.iter().filter(|r| r.error.is_none()).count();
    s.push(format!(
        "{ok} changed, {} not",
        results.len() - ok + refused.len()
    ));
    s.join("\n")
}
