//! `audit list|verify`.

use clap::{Args, Subcommand};

use backoffice_core::audit::{list, verify, AuditFilter};
use backoffice_core::page::PageRequest;
use backoffice_core::progress::{CancelToken, NoProgress};
use backoffice_core::session::Ctx;
use backoffice_core::time::clock_time;
use backoffice_core::{Error, Result};

use crate::input;
use crate::output::Out;
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Entries newest first, filtered, in pages.
    List(ListArgs),
    /// Check the hash chain; names the first entry that is not as written.
    Verify,
}

#[derive(Args)]
pub struct ListArgs {
    /// Entries written by this operator (`--operator` is who signs in).
    #[arg(long)]
    by: Option<String>,
    /// TYPE or TYPE:ID, e.g. user:42
    #[arg(long)]
    entity: Option<String>,
    #[arg(long)]
    action: Option<String>,
    /// From this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Until this time, exclusive.
    #[arg(long)]
    until: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    after: Option<String>,
    /// Oldest first (newest first by default).
    #[arg(long)]
    oldest_first: bool,
}

pub async fn run(
    cmd: AuditCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let result = match cmd {
        AuditCommand::List(args) => list_entries(&ctx, args, out).await,
        AuditCommand::Verify => {
            let report = verify(&ctx, &NoProgress, &CancelToken::new()).await?;
            match &report.first_bad {
                None => {
                    out.show(&report, || {
                        format!("audit log intact: {} entries checked", report.checked)
                    });
                    Ok(())
                }
                Some(bad) => {
                    if out.json {
                        out.show(&report, String::new);
                    }
                    Err(Error::Conflict(format!(
                        "audit log tampered with: entry {} {}",
                        bad.id, bad.problem
                    )))
                }
            }
        }
    };
    db.close().await;
    result
}

async fn list_entries(ctx: &Ctx<'_>, args: ListArgs, out: &Out) -> Result<()> {
    let (entity_type, entity_id) = match args.entity.as_deref() {
        None => (None, None),
        Some(e) => match e.split_once(':') {
            Some((t, id)) => (Some(t.to_string()), Some(id.to_string())),
            None => (Some(e.to_string()), None),
        },
    };
    let filter = AuditFilter {
        operator: args.by,
        entity_type,
        entity_id,
        action: args.action,
        from: args
            .from
            .as_deref()
            .map(|t| input::moment(t, ctx.now))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|t| input::moment(t, ctx.now))
            .transpose()?,
        oldest_first: args.oldest_first,
    };
    let page = list(
        ctx,
        &filter,
        &PageRequest {
            after: args.after,
            limit: Some(args.limit),
        },
    )
    .await?;
    out.show(&page, || {
        let mut lines: Vec<String> = page
            .items
            .iter()
            .map(|e| {
                let change = match (&e.before, &e.after) {
                    (Some(b), Some(a)) => format!(" {b} -> {a}"),
                    _ => String::new(),
                };
                format!(
                    "{:>6}  {}  {:<12} {:<26} {}:{}{change}{}",
                    e.id,
                    clock_time(e.at),
                    e.operator,
                    e.action,
                    e.entity_type,
                    e.entity_id,
                    e.reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )
            })
            .collect();
        if let Some(next) = &page.next {
            lines.push(format!("next page: --after {next}"));
        }
        lines.join("\n")
    });
    Ok(())
}
