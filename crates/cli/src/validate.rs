//! `validate rules|run`.

use clap::{Args, Subcommand};

use backoffice_core::db::Db;
use backoffice_core::mapping::{served, Mapping, Served};
use backoffice_core::session::Ctx;
use backoffice_core::validation::{self, run, Params, RuleInfo, RunReport};
use backoffice_core::Result;

use crate::output::{thousands, Out};
use crate::seed::{on_progress, progress_bar};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum ValidateCommand {
    /// The rule catalogue: id, severity, what it flags and why it matters.
    Rules,
    /// Sweep all rules, or the ones named, over the whole database.
    Run(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
    /// Run only this rule (repeatable).
    #[arg(long = "rule")]
    rules: Vec<String>,
    /// Flag accounts unverified for longer than this many days.
    #[arg(long, default_value_t = 30)]
    unverified_days: i64,
    /// Flag orders paid longer ago than this many days and not shipped.
    #[arg(long, default_value_t = 14)]
    paid_not_shipped_days: i64,
}

/// The catalogue: on a mapped back end, with why a rule cannot run there.
fn catalogue(rules: &[RuleInfo], out: &Out) {
    out.show(&rules, || {
        rules
            .iter()
            .map(|r| {
                let mut extra = Vec::new();
                if r.guards_edits {
                    extra.push("guards every edit".to_string());
                }
                if let Some(fix) = r.fix {
                    extra.push(format!("fix: {fix}"));
                }
                if let Some(why) = &r.unavailable {
                    extra.push(format!("unavailable: {why}"));
                }
                let extra = if extra.is_empty() {
                    String::new()
                } else {
                    format!("\n{:>47}[{}]", "", extra.join("; "))
                };
                format!(
                    "{:<36} {:<8} {:<10} {}\n{:>47}{}{extra}",
                    r.id,
                    format!("{:?}", r.severity).to_lowercase(),
                    r.entity.as_str(),
                    r.title,
                    "",
                    r.explanation
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

fn render(r: &RunReport) -> String {
    let mut lines = vec![format!(
        "{:<36} {:>9} {:>7} {:>9} {:>8}",
        "rule", "findings", "new", "resolved", "ms"
    )];
    for x in &r.rules {
        lines.push(format!(
            "{:<36} {:>9} {:>7} {:>9} {:>8}",
            x.rule_id,
            thousands(x.findings as i64),
            thousands(x.new as i64),
            thousands(x.resolved as i64),
            x.millis
        ));
    }
    lines.push(format!(
        "run {}: {} findings ({} new, {} resolved), {} rows examined in {:.1} s",
        r.run_id,
        thousands(r.findings as i64),
        thousands(r.new as i64),
        thousands(r.resolved as i64),
        thousands(r.rows_examined as i64),
        r.seconds
    ));
    lines.join("\n")
}

/// Whether a chosen database is read through a mapping (and which).
async fn mapping_of(chosen: &Chosen<'_>, db: &Db) -> Result<Option<Mapping>> {
    let file = chosen.mapping_file()?;
    Ok(match served(db, file.as_deref()).await? {
        Served::Reference => None,
        Served::Mapped(m) => Some(*m),
    })
}

pub async fn run_command(
    cmd: ValidateCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let args = match cmd {
        // With no database chosen, the reference schema's catalogue.
        ValidateCommand::Rules if chosen.db.is_none() && chosen.profile.is_none() => {
            catalogue(&validation::catalogue(), out);
            return Ok(());
        }
        ValidateCommand::Rules => {
            let db = chosen.connect().await?;
            let listed = match mapping_of(chosen, &db).await {
                Ok(Some(m)) => validation::mapped::catalogue_on(&db, &m).await.map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            db.close().await;
            catalogue(&listed?.unwrap_or_else(validation::catalogue), out);
            return Ok(());
        }
        ValidateCommand::Run(args) => args,
    };
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let mut params = Params::at(ctx.now);
    params.unverified_days = args.unverified_days;
    params.paid_not_shipped_days = args.paid_not_shipped_days;
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = progress_bar(out);
    let progress = on_progress(&bar);
    let result = match mapping_of(chosen, &db).await {
        Ok(Some(m)) => validation::mapped::run(&ctx, &m, &args.rules, &progress, &cancel).await,
        Ok(None) => run(&ctx, &args.rules, &params, &progress, &cancel).await,
        Err(e) => Err(e),
    };
    bar.finish_and_clear();
    db.close().await;
    let report = result?;
    out.show(&report, || render(&report));
    Ok(())
}
