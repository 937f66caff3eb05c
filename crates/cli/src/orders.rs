//! `orders list|show|transition|cancel|refund|note|bulk`.

use clap::{Args, Subcommand, ValueEnum};

use backoffice_core::money;
use backoffice_core::orders::{
    add_note, apply, bulk_commit, bulk_preview, export_csv, list, preview, show, BulkChange, Order,
    OrderChange, OrderQuery, OrderSort, OrderStatus, Preview, Selection,
};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::time::{day_range, local_zone, zone};
use backoffice_core::{Error, Result};

use crate::order_text;
use crate::output::{ListFormat, Out};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Find orders; csv writes the whole filtered set.
    List(ListArgs),
    /// An order's whole story: customer, items, totals, refunds, timeline.
    Show { id: i64 },
    /// Move an order one step: paid, packed, shipped or delivered.
    Transition {
        #[command(flatten)]
        at: At,
        #[arg(long)]
        to: OrderStatus,
    },
    /// Cancel a pending, paid or packed order; its items go back in stock.
    Cancel(At),
    /// Refund part or all of what was paid (admins); a reason is required.
    Refund {
        #[command(flatten)]
        at: At,
        /// How much, in the order's currency (12.50); all that is left
        /// when omitted.
        #[arg(long)]
        amount: Option<String>,
    },
    /// Add an internal note to an order.
    Note { id: i64, text: String },
    /// Transition or cancel many orders: by --ids or by the list filters.
    Bulk(BulkArgs),
}

/// Which order, at which version (as `orders show` prints it).
#[derive(Args)]
pub struct At {
    id: i64,
    /// The version you saw; an order changed since is refused.
    #[arg(long)]
    version: i64,
    #[arg(long)]
    reason: Option<String>,
    /// Show what would change, and change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sort {
    Placed,
    Total,
}

#[derive(Args)]
pub struct Filters {
    /// Any of these statuses (repeat, or separate with commas).
    #[arg(long, value_delimiter = ',')]
    status: Vec<OrderStatus>,
    /// Placed on or after this day (YYYY-MM-DD, in --tz).
    #[arg(long)]
    placed_from: Option<String>,
    /// Placed on or before this day (YYYY-MM-DD, in --tz).
    #[arg(long)]
    placed_to: Option<String>,
    /// The time zone the days are in (IANA name); this machine's by default.
    #[arg(long)]
    tz: Option<String>,
    /// The customer: user id or email address.
    #[arg(long)]
    customer: Option<String>,
    /// Totals of at least this amount (12.50).
    #[arg(long)]
    min_total: Option<String>,
    /// Totals of at most this amount.
    #[arg(long)]
    max_total: Option<String>,
    #[arg(long)]
    currency: Option<String>,
    /// Only orders with an open validation finding.
    #[arg(long)]
    with_findings: bool,
}

impl Filters {
    fn query(&self) -> Result<OrderQuery> {
        let tz = match &self.tz {
            Some(name) => zone(name)?,
            None => local_zone(),
        };
        let (placed_from, placed_until) =
            day_range(self.placed_from.as_deref(), self.placed_to.as_deref(), tz)?;
        // Amounts are read in the currency filtered on; two decimals otherwise.
        let cur = self.currency.as_deref().unwrap_or("EUR");
        let amount = |t: &Option<String>| t.as_deref().map(|t| money::parse(t, cur)).transpose();
        Ok(OrderQuery {
            statuses: self.status.clone(),
            placed_from,
            placed_until,
            customer: self.customer.clone(),
            total_min: amount(&self.min_total)?,
            total_max: amount(&self.max_total)?,
            currency: self.currency.clone(),
            has_open_findings: self.with_findings,
            ..OrderQuery::default()
        })
    }
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    filters: Filters,
    #[arg(long, value_enum, default_value = "placed")]
    sort: Sort,
    /// Oldest or smallest first.
    #[arg(long)]
    ascending: bool,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// The cursor printed after the previous page.
    #[arg(long)]
    after: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ListFormat,
}

#[derive(Args)]
pub struct BulkArgs {
    /// These orders (comma-separated ids) instead of the filters.
    #[arg(long, value_delimiter = ',')]
    ids: Vec<i64>,
    #[command(flatten)]
    filters: Filters,
    /// Move every selected order to this status.
    #[arg(long, conflicts_with = "cancel", required_unless_present = "cancel")]
    to: Option<OrderStatus>,
    /// Cancel every selected order (items restocked).
    #[arg(long)]
    cancel: bool,
    #[arg(long)]
    reason: Option<String>,
    #[command(flatten)]
    confirm: crate::output::Confirm,
}

async fn run_list(ctx: &Ctx<'_>, args: ListArgs, out: &Out) -> Result<()> {
    let mut query = args.filters.query()?;
    query.sort = match args.sort {
        Sort::Placed => OrderSort::Placed,
        Sort::Total => OrderSort::Total,
    };
    query.ascending = args.ascending;
    if let ListFormat::Csv = args.format {
        // Stdout itself (not its lock) can cross the awaits; the CSV
        // writer buffers and flushes once per page.
        let mut stdout = std::io::stdout();
        export_csv(ctx, &query, &mut stdout, &NoProgress, &CancelToken::new()).await?;
        return Ok(());
    }
    let page = list(
        ctx,
        &query,
        &PageRequest {
            after: args.after.clone(),
            limit: Some(args.limit),
        },
    )
    .await?;
    let out = Out {
        json: out.json || matches!(args.format, ListFormat::Json),
    };
    out.show(&page, || order_text::page(&page));
    Ok(())
}

/// Previews, or applies, one change to one order.
async fn change(ctx: &Ctx<'_>, at: At, change: OrderChange, out: &Out) -> Result<()> {
    if at.dry_run {
        let p = preview(ctx, at.id, at.version, change).await?;
        out.show(&p, || order_text::preview(&p));
        return Ok(());
    }
    let order = apply(ctx, at.id, at.version, change, at.reason.as_deref()).await?;
    out.show(&order, || {
        format!(
            "order {} is now {} (version {})",
            order.id, order.status, order.version
        )
    });
    Ok(())
}

async fn refund_amount(ctx: &Ctx<'_>, id: i64, amount: Option<&str>) -> Result<Option<i64>> {
    let Some(text) = amount else { return Ok(None) };
    let story = show(ctx, id).await?;
    money::parse(text, &story.order.currency).map(Some)
}

async fn run_bulk(ctx: &Ctx<'_>, args: BulkArgs, out: &Out) -> Result<()> {
    let selection = if args.ids.is_empty() {
        Selection::Filter {
            query: args.filters.query()?,
        }
    } else {
        Selection::Ids { ids: args.ids }
    };
    let bulk = match args.to {
        Some(to) => BulkChange::Transition { to },
        None => BulkChange::Cancel,
    };
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let plan = bulk_preview(ctx, &selection, bulk, &report, &cancel).await?;
    bar.finish_and_clear();
    if args.confirm.dry_run || !args.confirm.yes {
        out.show(&plan, || order_text::bulk_preview(&plan));
        if !args.confirm.dry_run {
            return Err(Error::validation(format!(
                "nothing was changed: rerun with --yes to change these {} orders",
                plan.ready.len()
            )));
        }
        return Ok(());
    }
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let results = bulk_commit(ctx, &plan.ready, args.reason.as_deref(), &report, &cancel).await?;
    bar.finish_and_clear();
    let failed = results.iter().filter(|r| r.error.is_some()).count() + plan.refused.len();
    let value = serde_json::json!({ "refused": plan.refused, "results": results });
    out.show(&value, || order_text::bulk_results(&plan.refused, &results));
    if failed > 0 {
        return Err(Error::Conflict(format!(
            "{failed} of {} selected orders were not changed (see above)",
            plan.ready.len() + plan.refused.len()
        )));
    }
    Ok(())
}

pub async fn run(
    cmd: OrdersCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let result = match cmd {
        OrdersCommand::List(args) => run_list(&ctx, args, out).await,
        OrdersCommand::Show { id } => show(&ctx, id).await.map(|s| {
            out.show(&s, || order_text::story(&s, ctx.now));
        }),
        OrdersCommand::Transition { at, to } => {
            change(&ctx, at, OrderChange::Transition { to }, out).await
        }
        OrdersCommand::Cancel(at) => change(&ctx, at, OrderChange::Cancel, out).await,
        OrdersCommand::Refund { at, amount } => {
            match refund_amount(&ctx, at.id, amount.as_deref()).await {
                Ok(amount_cents) => {
                    change(&ctx, at, OrderChange::Refund { amount_cents }, out).await
                }
                Err(e) => Err(e),
            }
        }
        OrdersCommand::Note { id, text } => add_note(&ctx, id, &text).await.map(|n| {
            out.show(&n, || format!("note added to order {id}"));
        }),
        OrdersCommand::Bulk(args) => run_bulk(&ctx, args, out).await,
    };
    db.close().await;
    result
}

/// For the text renderers: one order on one line.
pub fn line(o: &Order) -> String {
    format!(
        "{:>9}  {:<10} {:>14}  {}  {:>9}  {}",
        o.id,
        o.status,
        money::format(o.total_cents, &o.currency),
        o.placed_at.format("%Y-%m-%d %H:%M"),
        o.user_id,
        o.customer_email
    )
}

/// A preview's status line, shared by single and bulk previews.
pub fn status_change(p: &Preview) -> String {
    if p.status_before == p.status_after {
        format!("status stays {}", p.status_before)
    } else {
        format!("status {} → {}", p.status_before, p.status_after)
    }
}
