//! `orders list|show|transition|cancel|refund|note|bulk`.

use clap::{Args, Subcommand, ValueEnum};

use backoffice_core::mapping::{served, Served};
use backoffice_core::money;
use backoffice_core::orders::mapped::MappedOrderQuery;
use backoffice_core::orders::{
    add_note, apply, bulk_commit, bulk_preview, export_csv, list, preview, show, BulkChange, Order,
    OrderChange, OrderSort, Preview, Selection,
};
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::{Error, Result};

use crate::order_filters::Filters;
use crate::order_text;
use crate::output::{Out, Paging};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Find orders; csv writes the whole filtered set.
    List(ListArgs),
    /// An order's whole story: customer, items, totals, refunds, timeline.
    /// On a mapped back end, the order number or key.
    Show { id: String },
    /// Move an order one step: paid, packed, shipped or delivered (on a
    /// mapped back end, a status word its lifecycle allows next).
    Transition {
        #[command(flatten)]
        at: At,
        #[arg(long)]
        to: String,
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
    Note { id: String, text: String },
    /// Transition or cancel many orders: by --ids or by the list filters.
    Bulk(BulkArgs),
}

/// Which order, at which version (as `orders show` prints it).
#[derive(Args)]
pub struct At {
    /// The order's id (on a mapped back end, its number or key).
    pub id: String,
    /// The version you saw; an order changed since is refused.
    #[arg(long)]
    pub version: String,
    #[arg(long)]
    pub reason: Option<String>,
    /// Show what would change, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sort {
    Placed,
    Total,
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
    #[command(flatten)]
    pub paging: Paging,
}

impl ListArgs {
    /// The options a mapped back end's list does not serve in this version.
    pub fn not_for_mapped(&self) -> Vec<&'static str> {
        let mut given: Vec<&'static str> = [
            (matches!(self.sort, Sort::Total), "--sort total"),
            (self.ascending, "--ascending"),
            (self.paging.csv(), "--format csv"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect();
        given.extend(self.filters.not_for_mapped());
        given
    }

    /// The filters as a mapped back end takes them: its own status words.
    pub fn mapped_query(&self) -> Result<MappedOrderQuery> {
        self.filters.mapped_query()
    }
}

#[derive(Args)]
pub struct BulkArgs {
    /// These orders (comma-separated ids; on a mapped back end, numbers or
    /// keys) instead of the filters.
    #[arg(long, value_delimiter = ',')]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Move every selected order to this status (on a mapped back end, a
    /// status word of its lifecycle).
    #[arg(long, conflicts_with = "cancel", required_unless_present = "cancel")]
    pub to: Option<String>,
    /// Cancel every selected order (items restocked).
    #[arg(long)]
    pub cancel: bool,
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub confirm: crate::output::Confirm,
}

async fn run_list(ctx: &Ctx<'_>, args: ListArgs, out: &Out) -> Result<()> {
    let mut query = args.filters.query()?;
    query.sort = match args.sort {
        Sort::Placed => OrderSort::Placed,
        Sort::Total => OrderSort::Total,
    };
    query.ascending = args.ascending;
    if args.paging.csv() {
        // Stdout itself (not its lock) can cross the awaits; the CSV
        // writer buffers and flushes once per page.
        let mut stdout = std::io::stdout();
        export_csv(ctx, &query, &mut stdout, &NoProgress, &CancelToken::new()).await?;
        return Ok(());
    }
    let page = list(ctx, &query, &args.paging.page()).await?;
    let out = args.paging.out(out);
    out.show(&page, || order_text::page(&page));
    Ok(())
}

/// Previews, or applies, one change to one order.
async fn change(ctx: &Ctx<'_>, at: At, change: OrderChange, out: &Out) -> Result<()> {
    let (id, version) = (order_id(&at.id)?, version_number(&at.version)?);
    if at.dry_run {
        let p = preview(ctx, id, version, change).await?;
        out.show(&p, || order_text::preview(&p));
        return Ok(());
    }
    let order = apply(ctx, id, version, change, at.reason.as_deref()).await?;
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
        let ids = args.ids.iter().map(|i| order_id(i));
        Selection::Ids {
            ids: ids.collect::<Result<_>>()?,
        }
    };
    let bulk = match &args.to {
        Some(to) => BulkChange::Transition { to: to.parse()? },
        None => BulkChange::Cancel,
    };
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let plan = bulk_preview(ctx, &selection, bulk, &report, &cancel).await?;
    bar.finish_and_clear();
    if args.confirm.dry_run || !args.confirm.yes {
        out.show(&plan, || order_text::bulk_preview(&plan));
        return dry_run_only(&args.confirm, plan.ready.len());
    }
    let bar = crate::seed::progress_bar(out);
    let report = crate::seed::on_progress(&bar);
    let results = bulk_commit(ctx, &plan.ready, args.reason.as_deref(), &report, &cancel).await?;
    bar.finish_and_clear();
    let failed = results.iter().filter(|r| r.error.is_some()).count() + plan.refused.len();
    let value = serde_json::json!({ "refused": plan.refused, "results": results });
    out.show(&value, || order_text::bulk_results(&plan.refused, &results));
    all_changed(failed, plan.ready.len() + plan.refused.len())
}

/// After a bulk change's dry run is shown: done with --dry-run, else
/// (neither --dry-run nor --yes) nothing was changed, and the refusal says
/// how to go on.
pub(crate) fn dry_run_only(confirm: &crate::output::Confirm, ready: usize) -> Result<()> {
    if confirm.dry_run {
        return Ok(());
    }
    Err(Error::validation(format!(
        "nothing was changed: rerun with --yes to change these {ready} orders"
    )))
}

/// A bulk change's exit: a conflict (exit 4) when any order was not changed.
pub(crate) fn all_changed(failed: usize, selected: usize) -> Result<()> {
    if failed > 0 {
        return Err(Error::Conflict(format!(
            "{failed} of {selected} selected orders were not changed (see above)"
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
    let served = match chosen.mapping_file() {
        Ok(file) => served(&db, file.as_deref()).await,
        Err(e) => Err(e),
    };
    let result = match served {
        Err(e) => Err(e),
        Ok(Served::Mapped(m)) => crate::mapped_orders::run(&ctx, &m, cmd, out).await,
        Ok(Served::Reference) => reference(&ctx, cmd, out).await,
    };
    db.close().await;
    result
}

/// An order id on the reference schema, which numbers its orders.
fn order_id(text: &str) -> Result<i64> {
    text.trim()
        .parse()
        .map_err(|_| Error::NotFound(format!("no order has the id '{text}' (ids are numbers)")))
}

/// A version as the reference schema numbers them.
fn version_number(text: &str) -> Result<i64> {
    text.trim().parse().map_err(|_| {
        Error::validation(format!(
            "'{text}' is not a version from `orders show` (a number on this back end)"
        ))
    })
}

/// The orders job on the reference schema.
async fn reference(ctx: &Ctx<'_>, cmd: OrdersCommand, out: &Out) -> Result<()> {
    match cmd {
        OrdersCommand::List(args) => run_list(ctx, args, out).await,
        OrdersCommand::Show { id } => show(ctx, order_id(&id)?).await.map(|s| {
            out.show(&s, || order_text::story(&s, ctx.now));
        }),
        OrdersCommand::Transition { at, to } => {
            let to = to.parse()?;
            change(ctx, at, OrderChange::Transition { to }, out).await
        }
        OrdersCommand::Cancel(at) => change(ctx, at, OrderChange::Cancel, out).await,
        OrdersCommand::Refund { at, amount } => {
            match refund_amount(ctx, order_id(&at.id)?, amount.as_deref()).await {
                Ok(amount_cents) => {
                    change(ctx, at, OrderChange::Refund { amount_cents }, out).await
                }
                Err(e) => Err(e),
            }
        }
        OrdersCommand::Note { id, text } => add_note(ctx, order_id(&id)?, &text).await.map(|n| {
            out.show(&n, || format!("note added to order {id}"));
        }),
        OrdersCommand::Bulk(args) => run_bulk(ctx, args, out).await,
    }
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
