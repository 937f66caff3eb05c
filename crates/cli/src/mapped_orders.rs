//! `orders list|show|transition|cancel|note|refund|bulk` on a back end
//! served through its mapping (django-oscar, Solidus, Saleor, a legacy
//! schema): its own status words and order numbers, money read exactly,
//! moves its lifecycle allows (one order, or many with a dry run each),
//! notes in its own table, refunds in its own table or the console's.

use backoffice_core::mapping::Mapping;
use backoffice_core::money;
use backoffice_core::orders::mapped::story::{show, MappedStory};
use backoffice_core::orders::mapped::{
    add_note, apply, bulk_commit, bulk_preview, preview, refund, refund_preview, search,
    MappedBulkPreview, MappedChange, MappedOrder, MappedOutcome, MappedPreview, MappedSelection,
};
use backoffice_core::session::Ctx;
use backoffice_core::{Error, Result};

use crate::orders::{all_changed, dry_run_only, At, BulkArgs, ListArgs, OrdersCommand};
use crate::output::{page_table, Out};

fn amount(v: Option<i64>, currency: &str) -> String {
    v.map_or("unreadable".into(), |v| money::format(v, currency))
}

fn row(o: &MappedOrder) -> String {
    format!(
        "{:>12}  {:<16} {:>14}  {}  {}",
        o.number,
        o.status,
        amount(o.total, &o.currency),
        o.placed
            .map_or("-".to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
        if o.email.is_empty() { "-" } else { &o.email }
    )
}

async fn list(ctx: &Ctx<'_>, m: &Mapping, args: ListArgs, out: &Out) -> Result<()> {
    let given = args.not_for_mapped();
    if !given.is_empty() {
        return Err(Error::validation(format!(
            "{} {} not available on a back end read through its mapping in this version; \
             its orders are listed newest key first",
            given.join(", "),
            if given.len() == 1 { "is" } else { "are" }
        )));
    }
    let query = args.mapped_query()?;
    let page = search(ctx, m, &query, &args.paging.page()).await?;
    let out = args.paging.out(out);
    out.show(&page, || {
        let header = format!(
            "{:>12}  {:<16} {:>14}  {:<16}  {}",
            "number", "status", "total", "placed", "customer"
        );
        let mut text = page_table(header, &page, row);
        for o in page.items.iter().filter(|o| o.problem.is_some()) {
            text.push_str(&format!(
                "\norder {}: {}",
                o.number,
                o.problem.as_deref().unwrap_or_default()
            ));
        }
        text
    });
    Ok(())
}

fn render(st: &MappedStory) -> String {
    let o = &st.order;
    let cur = o.currency.as_str();
    let mut s = vec![format!(
        "order {} (key {})  {}{}  version {}",
        o.number,
        o.key,
        o.status,
        if o.also.is_empty() {
            String::new()
        } else {
            format!(" [{}]", o.also.join(", "))
        },
        st.version
    )];
    s.push(format!(
        "  placed    {}",
        o.placed
            .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
    ));
    s.push(match &o.customer {
        Some(c) => format!("customer {c}  {}", o.email),
        None => format!("guest  {}", o.email),
    });
    s.push("items".into());
    for i in &st.items {
        s.push(format!(
            "  {:>4} × {:<32} {:>12} {:>14}",
            i.quantity,
            i.title,
            amount(i.unit_price, cur),
            amount(i.line_total, cur)
        ));
    }
    for f in &st.fees {
        s.push(format!(
            "  fee    {:<32} {:>27}",
            f.title,
            amount(f.amount, cur)
        ));
    }
    if let Some(ship) = st.shipping {
        s.push(format!("  shipping {:>50}", money::format(ship, cur)));
    }
    s.push(format!("  total {:>53}", amount(o.total, cur)));
    for r in &st.refunds {
        s.push(format!(
            "  refunded {:>50}  {}{}",
            money::format(r.amount, cur),
            r.reason,
            if r.kept_by_console {
                "  (kept by the console)"
            } else {
                ""
            }
        ));
    }
    if let Some(p) = &o.problem {
        s.push(format!("  ! {p}"));
    }
    for m in &st.mismatches {
        s.push(format!("  ! {m}"));
    }
    s.push(if st.moves.is_empty() {
        "next: nothing; the lifecycle allows no move from here".into()
    } else {
        format!("next: {}", st.moves.join(", "))
    });
    s.push("timeline".into());
    for e in &st.timeline {
        s.push(format!(
            "  {}  {:<6} {:<14} {}",
            e.at.format("%Y-%m-%d %H:%M"),
            e.kind,
            e.operator,
            e.text
        ));
    }
    for n in &st.not_kept {
        s.push(format!("  ({n})"));
    }
    s.join("\n")
}

pub async fn run(ctx: &Ctx<'_>, m: &Mapping, cmd: OrdersCommand, out: &Out) -> Result<()> {
    match cmd {
        OrdersCommand::List(args) => list(ctx, m, args, out).await,
        OrdersCommand::Show { id } => {
            let st = show(ctx, m, &id).await?;
            out.show(&st, || render(&st));
            Ok(())
        }
        OrdersCommand::Transition { at, to } => {
            change(ctx, m, at, MappedChange::Transition { to }, out).await
        }
        OrdersCommand::Cancel(at) => change(ctx, m, at, MappedChange::Cancel, out).await,
        OrdersCommand::Note { id, text } => {
            let note = add_note(ctx, m, &id, &text).await?;
            out.show(&note, || {
                let kept = if m.notes.is_none() {
                    " (kept by the console: the back end keeps no notes)"
                } else {
                    ""
                };
                format!("note added to order {id}{kept}")
            });
            Ok(())
        }
        OrdersCommand::Refund { at, amount } => {
            let story = show(ctx, m, &at.id).await?;
            let cur = story.order.currency.clone();
            let amount = amount
                .as_deref()
                .map(|a| money::parse(a, &cur))
                .transpose()?;
            if at.dry_run {
                let p = refund_preview(ctx, m, &at.id, &at.version, amount).await?;
                out.show(&p, || preview_text(&p));
                return Ok(());
            }
            let refunds = refund(ctx, m, &at.id, &at.version, amount, at.reason.as_deref()).await?;
            out.show(&refunds, || {
                let total: i64 = refunds.iter().map(|r| r.amount).sum();
                let kept = if refunds.iter().any(|r| r.kept_by_console) {
                    " (kept by the console: the back end keeps no refund records)"
                } else {
                    ""
                };
                format!(
                    "order {} refunded {} in all{kept}",
                    story.order.number,
                    money::format(total, &cur)
                )
            });
            Ok(())
        }
        OrdersCommand::Bulk(args) => bulk(ctx, m, args, out).await,
    }
}

/// Many orders at once: a dry run of each, then (with --yes) each changed
/// in its own transaction at the version its dry run saw.
async fn bulk(ctx: &Ctx<'_>, m: &Mapping, args: BulkArgs, out: &Out) -> Result<()> {
    let given = args.filters.not_for_mapped();
    if !given.is_empty() {
        return Err(Error::validation(format!(
            "{} cannot select a mapped back end's orders in this version",
            given.join(", ")
        )));
    }
    let selection = if args.ids.is_empty() {
        MappedSelection::Filter(args.filters.mapped_query()?)
    } else {
        MappedSelection::Orders(args.ids)
    };
    let change = match args.to {
        Some(to) => MappedChange::Transition { to },
        None => MappedChange::Cancel,
    };
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let plan = bulk_preview(ctx, m, &selection, &change, &report, &cancel).await?;
    bar.finish_and_clear();
    if args.confirm.dry_run || !args.confirm.yes {
        out.show(&plan, || bulk_text(&plan));
        return dry_run_only(&args.confirm, plan.ready.len());
    }
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let reason = args.reason.as_deref();
    let results = bulk_commit(ctx, m, &plan, reason, &report, &cancel).await?;
    bar.finish_and_clear();
    let failed = results.iter().filter(|r| r.error.is_some()).count() + plan.refused.len();
    let value = serde_json::json!({ "refused": plan.refused, "results": results });
    out.show(&value, || results_text(&plan, &results));
    all_changed(failed, plan.ready.len() + plan.refused.len())
}

fn bulk_text(p: &MappedBulkPreview) -> String {
    let mut s = vec![format!(
        "{} order(s) can change, {} cannot",
        p.ready.len(),
        p.refused.len()
    )];
    for r in &p.ready {
        s.push(format!(
            "  {}",
            preview_text(&r.preview).replace('\n', "\n  ")
        ));
    }
    for r in &p.refused {
        s.push(format!("  order {}: refused: {}", r.order, r.message));
    }
    s.join("\n")
}

fn results_text(p: &MappedBulkPreview, results: &[MappedOutcome]) -> String {
    let mut s = Vec::new();
    for r in results {
        match (&r.status, &r.error) {
            (Some(st), _) => s.push(format!("  order {}: now {st}", r.order)),
            (_, Some(e)) => s.push(format!("  order {}: failed: {}", r.order, e.message)),
            _ => {}
        }
    }
    for r in &p.refused {
        s.push(format!("  order {}: refused: {}", r.order, r.message));
    }
    let ok = results.iter().filter(|r| r.error.is_none()).count();
    s.push(format!(
        "{ok} changed, {} not",
        results.len() - ok + p.refused.len()
    ));
    s.join("\n")
}

async fn change(ctx: &Ctx<'_>, m: &Mapping, at: At, change: MappedChange, out: &Out) -> Result<()> {
    if at.dry_run {
        let p = preview(ctx, m, &at.id, &at.version, change).await?;
        out.show(&p, || preview_text(&p));
        return Ok(());
    }
    let o = apply(ctx, m, &at.id, &at.version, change, at.reason.as_deref()).await?;
    out.show(&o, || format!("order {} is now {}", o.number, o.status));
    Ok(())
}

/// A dry run's plan, in words.
fn preview_text(p: &MappedPreview) -> String {
    let mut lines = vec![if p.status_before == p.status_after {
        format!("order {}: status stays {}", p.number, p.status_before)
    } else {
        format!(
            "order {}: status {} → {}",
            p.number, p.status_before, p.status_after
        )
    }];
    lines.extend(p.stock.iter().map(|s| format!("  {s}")));
    if let Some(r) = &p.refund {
        let cur = r.currency.as_str();
        lines.push(format!(
            "  refunding {} (refunded before {}, refundable afterwards {}){}",
            money::format(r.amount, cur),
            money::format(r.refunded_before, cur),
            money::format(r.refundable_after, cur),
            if r.kept_by_console {
                "; kept by the console: the back end keeps no refund records"
            } else {
                ""
            }
        ));
    }
    lines.push("nothing was changed (--dry-run)".into());
    lines.join("\n")
}
