//! `findings summary|list|accept|fixes|fix`: the validation worklist.

use clap::{Args, Subcommand};

use backoffice_core::page::PageRequest;
use backoffice_core::session::Ctx;
use backoffice_core::validation::{accept, list, summary, FindingFilter};
use backoffice_core::Result;

use crate::output::{thousands, Out};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum FindingsCommand {
    /// Findings per rule and status.
    Summary,
    /// Findings, newest first: open ones unless --status says otherwise.
    List(ListArgs),
    /// Mark an open finding acceptable, with the reason (admins).
    Accept {
        id: i64,
        /// The version `findings list` showed.
        #[arg(long)]
        version: i64,
        #[arg(long)]
        reason: String,
    },
    /// The mechanical fixes and the rules they fix.
    Fixes,
    /// Preview a fix row by row (--dry-run), or apply it (--yes; admins).
    Fix(crate::fixes::FixArgs),
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    rule: Option<String>,
    /// open, accepted, fixed or resolved.
    #[arg(long)]
    status: Option<String>,
    /// user, product, order or order_item.
    #[arg(long)]
    entity: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    after: Option<String>,
    /// Oldest first (newest first by default).
    #[arg(long)]
    oldest_first: bool,
}

pub async fn run(
    cmd: FindingsCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    if let FindingsCommand::Fixes = cmd {
        crate::fixes::catalogue(out);
        return Ok(());
    }
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let result = match cmd {
        FindingsCommand::Summary => summary(&ctx).await.map(|counts| {
            out.show(&counts, || {
                let mut lines = vec![format!(
                    "{:<36} {:>8} {:>8} {:>8} {:>8}",
                    "rule", "open", "accepted", "fixed", "resolved"
                )];
                lines.extend(counts.iter().map(|c| {
                    format!(
                        "{:<36} {:>8} {:>8} {:>8} {:>8}",
                        c.rule_id,
                        thousands(c.open),
                        thousands(c.accepted),
                        thousands(c.fixed),
                        thousands(c.resolved)
                    )
                }));
                lines.join("\n")
            });
        }),
        FindingsCommand::List(a) => {
            let filter = FindingFilter {
                rule_id: a.rule,
                status: a.status,
                entity_type: a.entity,
                oldest_first: a.oldest_first,
            };
            let page = PageRequest {
                after: a.after,
                limit: Some(a.limit),
            };
            list(&ctx, &filter, &page).await.map(|page| {
                out.show(&page, || {
                    let mut lines: Vec<String> = page
                        .items
                        .iter()
                        .map(|f| {
                            // The back end's own name for the record
                            // (an order's number), where it has one.
                            let named = f
                                .detail
                                .as_deref()
                                .map_or(String::new(), |d| format!("  ({d})"));
                            format!(
                                "{:>8}  {:<36} {:<8} {:>9}  {:<8} v{}{named}",
                                f.id, f.rule_id, f.entity_type, f.entity_id, f.status, f.version
                            )
                        })
                        .collect();
                    if let Some(next) = &page.next {
                        lines.push(format!("next page: --after {next}"));
                    }
                    lines.join("\n")
                });
            })
        }
        FindingsCommand::Accept {
            id,
            version,
            reason,
        } => accept(&ctx, id, version, &reason).await.map(|f| {
            out.show(&f, || format!("finding {} is now {}", f.id, f.status));
        }),
        FindingsCommand::Fix(args) => crate::fixes::run(&ctx, args, out).await,
        FindingsCommand::Fixes => Ok(()),
    };
    db.close().await;
    result
}
