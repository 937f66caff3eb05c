//! `findings fixes` and `findings fix`: the mechanical fixes, previewed
//! row by row, applied only with --yes.

use clap::Args;
use serde::Serialize;

use backoffice_core::session::Ctx;
use backoffice_core::validation::{apply_fix, preview_fix, EntityFix, Skipped, FIXES};
use backoffice_core::{Error, Result};

use crate::output::{Confirm, Out};

#[derive(Args)]
pub struct FixArgs {
    /// The fix to apply (`findings fixes` lists them).
    fix: String,
    /// Only this record (user or order id; repeatable). Default: every
    /// record with an open finding the fix applies to.
    #[arg(long = "id")]
    ids: Vec<i64>,
    /// Recorded in the audit log with each change.
    #[arg(long)]
    reason: Option<String>,
    #[command(flatten)]
    confirm: Confirm,
}

#[derive(Serialize)]
struct FixView {
    id: &'static str,
    title: &'static str,
    entity: &'static str,
    rules: &'static [&'static str],
    description: &'static str,
}

pub fn catalogue(out: &Out) {
    let fixes: Vec<FixView> = FIXES
        .iter()
        .map(|f| FixView {
            id: f.id,
            title: f.title,
            entity: f.entity.as_str(),
            rules: f.rules,
            description: f.description,
        })
        .collect();
    out.show(&fixes, || {
        fixes
            .iter()
            .map(|f| {
                format!(
                    "{:<28} {}\n{:>29}fixes: {}\n{:>29}{}",
                    f.id,
                    f.title,
                    "",
                    f.rules.join(", "),
                    "",
                    f.description
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

/// A preview or a report: the headline, every change, what was left alone.
fn listing(head: String, done: &[EntityFix], left: &[Skipped], entity: &str) -> String {
    let mut lines = vec![head];
    for c in done {
        lines.push(format!(
            "{} {} (version {})",
            c.entity_type, c.entity_id, c.version
        ));
        for row in c.rows.iter().filter(|r| !r.fields.is_empty()) {
            let fields: Vec<String> = row
                .fields
                .iter()
                .map(|f| format!("{} {} → {}", f.column, f.before, f.after))
                .collect();
            lines.push(format!("  {} {}: {}", row.table, row.id, fields.join(", ")));
        }
        if let Some(note) = &c.note {
            lines.push(format!("  note: {note}"));
        }
    }
    if !left.is_empty() {
        lines.push("left alone:".into());
        lines.extend(
            left.iter()
                .map(|s| format!("  {entity} {}: {}", s.entity_id, s.reason)),
        );
    }
    lines.join("\n")
}

pub async fn run(ctx: &Ctx<'_>, args: FixArgs, out: &Out) -> Result<()> {
    let plan = preview_fix(ctx, &args.fix, &args.ids).await?;
    let entity =
        backoffice_core::validation::fix(&plan.fix_id).map_or("record", |f| f.entity.as_str());
    if args.confirm.dry_run || !args.confirm.yes {
        out.show(&plan, || {
            let head = format!(
                "{}: {} to change, {} left alone{}",
                plan.fix_id,
                plan.changes.len(),
                plan.skipped.len(),
                if plan.more {
                    " (more remain: apply these, then preview again)"
                } else {
                    ""
                }
            );
            listing(head, &plan.changes, &plan.skipped, entity)
        });
        if !args.confirm.dry_run {
            return Err(Error::validation(format!(
                "nothing was changed: rerun with --yes to apply the fix to these {} records",
                plan.changes.len()
            )));
        }
        return Ok(());
    }
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = crate::seed::progress_bar(out);
    let report = apply_fix(
        ctx,
        &plan,
        args.reason.as_deref(),
        &crate::seed::on_progress(&bar),
        &cancel,
    )
    .await;
    bar.finish_and_clear();
    let report = report?;
    out.show(&report, || {
        let head = format!(
            "{}: {} changed, {} left alone{}",
            report.fix_id,
            report.applied.len(),
            report.skipped.len(),
            if report.cancelled { " (cancelled)" } else { "" }
        );
        listing(head, &report.applied, &report.skipped, entity)
    });
    match report.stopped_by {
        // The records above stay fixed; the exit code says the run did not
        // finish, and why.
        Some(body) => Err(Error::from(body)),
        None => Ok(()),
    }
}
