//! `migrate`, `seed`, `demo` and `stats`.

use chrono::{DateTime, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use backoffice_core::demo::{self, DEMO_ORDERS, DEMO_SEED, DEMO_USERS};
use backoffice_core::profiles::ProfileStore;
use backoffice_core::progress::{CancelToken, Progress};
use backoffice_core::secrets::ServiceStore;
use backoffice_core::seed::{SeedOptions, SeedReport};
use backoffice_core::stats::table_counts;
use backoffice_core::{Error, Result};

use crate::output::{thousands, Out};
use crate::target::Chosen;

#[derive(Args)]
pub struct SeedArgs {
    /// How many users to create.
    #[arg(long, default_value_t = 1_000)]
    users: u64,
    /// How many orders to create (default: three per user).
    #[arg(long)]
    orders: Option<u64>,
    /// The random seed: the same seed and sizes give the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The moment to generate around (RFC 3339); default: now.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = DEMO_USERS)]
    users: u64,
    #[arg(long, default_value_t = DEMO_ORDERS)]
    orders: u64,
}

pub async fn migrate(chosen: &Chosen<'_>, out: &Out) -> Result<()> {
    // Opening a writable database applies pending migrations.
    let db = chosen.open(true).await?;
    let status = db.schema_status().await?;
    out.show(&status, || {
        format!("{} is at the current schema", db.label())
    });
    db.close().await;
    Ok(())
}

pub(crate) fn progress_bar(out: &Out) -> ProgressBar {
    if out.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

pub(crate) fn on_progress(bar: &ProgressBar) -> impl Fn(Progress) + Send + Sync + '_ {
    move |p: Progress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        bar.set_message(p.stage);
    }
}

/// Ctrl+C cancels the long work; its transaction rolls back.
pub(crate) fn cancel_on_ctrl_c() -> CancelToken {
    let cancel = CancelToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            c.cancel();
        }
    });
    cancel
}

fn report_text(r: &SeedReport) -> String {
    let mut lines = vec![format!(
        "wrote {} rows in {:.1} s ({} rows/s)",
        thousands(r.total_rows as i64),
        r.seconds,
        thousands(r.rows_per_second as i64)
    )];
    for (table, n) in &r.rows {
        lines.push(format!("  {table:<16} {:>12}", thousands(*n as i64)));
    }
    lines.push("planted defects:".into());
    for (id, n) in &r.planted {
        lines.push(format!("  {id:<36} {n:>8}"));
    }
    lines.push(format!(
        "operators: {} (password: {})",
        r.operators.join(", "),
        r.operator_password
    ));
    lines.join("\n")
}

pub async fn seed(chosen: &Chosen<'_>, args: SeedArgs, out: &Out) -> Result<()> {
    let mut options =
        SeedOptions::new(args.users, args.orders.unwrap_or(args.users * 3), args.seed);
    if let Some(now) = args.now {
        options.now = now;
    }
    let db = chosen.open(true).await?;
    let bar = progress_bar(out);
    let result =
        backoffice_core::seed::seed(&db, &options, &on_progress(&bar), &cancel_on_ctrl_c()).await;
    bar.finish_and_clear();
    db.close().await;
    let report = result?;
    out.show(&report, || report_text(&report));
    Ok(())
}

pub async fn demo(args: DemoArgs, out: &Out) -> Result<()> {
    let profiles = ProfileStore::open_default()?;
    let options = SeedOptions::new(args.users, args.orders, DEMO_SEED);
    let bar = progress_bar(out);
    let status = demo::ensure_demo(
        &profiles,
        &ServiceStore::from_env(),
        &options,
        &on_progress(&bar),
        &cancel_on_ctrl_c(),
    )
    .await;
    bar.finish_and_clear();
    let status = status?;
    out.show(&status, || {
        let mut text = match &status.seeded {
            Some(r) => format!(
                "created the demo database {}\n{}",
                status.path.display(),
                report_text(r)
            ),
            None => format!("the demo database is ready: {}", status.path.display()),
        };
        if status.registered {
            text.push_str(&format!("\nregistered it as profile '{}'", status.profile));
        }
        text
    });
    Ok(())
}

pub async fn stats(chosen: &Chosen<'_>, out: &Out) -> Result<()> {
    let db = chosen.open(false).await?;
    let counts = table_counts(&db).await;
    db.close().await;
    let counts = counts?;
    if counts.is_empty() {
        return Err(Error::internal("no tables counted"));
    }
    out.show(&counts, || {
        counts
            .iter()
            .map(|c| format!("{:<16} {:>12}", c.table, thousands(c.rows)))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
