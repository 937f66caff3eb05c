//! `notify templates|preview|send|bulk`: trigger notifications. Sending
//! queues; `outbox dispatch` delivers.

use clap::{Args, Subcommand};

use backoffice_core::notify::{
    self, Audience, FreeForm, Policy, Rendered, Template, Trigger, Triggered,
};
use std::sync::Arc;

use backoffice_core::db::Db;
use backoffice_core::mapping::{served, Served};
use backoffice_core::notify::BackendLinks;
use backoffice_core::profiles;
use backoffice_core::secrets::ServiceStore;
use backoffice_core::session::Ctx;
use backoffice_core::{Error, Result};

use crate::output::{thousands, Confirm, Out};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum NotifyCommand {
    /// The built-in templates.
    Templates,
    /// Render a notification without sending it.
    Preview(TriggerArgs),
    /// Queue a notification (answered, not queued, if it was already sent
    /// inside the profile's window).
    Send(SendArgs),
    /// One notification to many recipients: --dry-run counts and shows a
    /// sample, --yes queues with progress (Ctrl-C stops).
    Bulk(BulkArgs),
}

#[derive(Args)]
pub struct TriggerArgs {
    /// verify_email, password_reset, order_status, order_shipped or
    /// support_message.
    template: String,
    /// The recipient's id (on a back end of its own, the user's key).
    #[arg(long)]
    user: Option<String>,
    /// The order (on a back end of its own, its number or key).
    #[arg(long)]
    order: Option<String>,
    /// The subject of a support message.
    #[arg(long)]
    subject: Option<String>,
    /// The text of a support message.
    #[arg(long)]
    message: Option<String>,
}

#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    what: TriggerArgs,
    /// An explicit idempotency key instead of template + entity + address.
    #[arg(long)]
    key: Option<String>,
    /// Queue even if it was already sent inside the window (audited).
    #[arg(long)]
    force: bool,
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Args)]
pub struct BulkArgs {
    template: String,
    /// Accounts still unverified this many days after they were created.
    #[arg(long, conflicts_with_all = ["users", "orders"])]
    unverified_days: Option<u32>,
    /// These users (comma-separated ids).
    #[arg(long, value_delimiter = ',', conflicts_with = "orders")]
    users: Vec<i64>,
    /// The customers of these orders, one message per order.
    #[arg(long, value_delimiter = ',')]
    orders: Vec<i64>,
    #[arg(long)]
    subject: Option<String>,
    #[arg(long)]
    message: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    #[command(flatten)]
    confirm: Confirm,
}

fn free_form(subject: Option<String>, message: Option<String>) -> Result<Option<FreeForm>> {
    match (subject, message) {
        (Some(subject), Some(body)) => Ok(Some(FreeForm { subject, body })),
        (None, None) => Ok(None),
        _ => Err(Error::validation(
            "a support message needs both --subject and --message",
        )),
    }
}

impl TriggerArgs {
    fn trigger(self) -> Result<Trigger> {
        Ok(Trigger {
            template: Template::parse(&self.template)?,
            user: self.user,
            order: self.order,
            message: free_form(self.subject, self.message)?,
            key: None,
            force: false,
            reason: None,
        })
    }
}

fn audience(args: &BulkArgs) -> Result<Audience> {
    match (
        args.unverified_days,
        args.users.is_empty(),
        args.orders.is_empty(),
    ) {
        (Some(days), true, true) => Ok(Audience::Unverified { days }),
        (None, false, true) => Ok(Audience::Users {
            ids: args.users.clone(),
        }),
        (None, true, false) => Ok(Audience::Orders {
            ids: args.orders.clone(),
        }),
        _ => Err(Error::validation(
            "say who receives it: --unverified-days N, --users IDS or --orders IDS",
        )),
    }
}

pub(crate) fn rendered_text(r: &Rendered) -> String {
    format!("Subject: {}\n\n{}", r.subject, r.text.trim_end())
}

/// The profile's trigger policy: its window and link base (the defaults
/// when the database was given by URL), and on a back end of its own, its
/// mapping and link secret.
async fn policy(chosen: &Chosen<'_>, db: &Db) -> Result<Policy> {
    let mut policy = match chosen.profile()?.and_then(|p| p.mail) {
        Some(mail) => Policy::from(&mail),
        None => Policy::default(),
    };
    policy.backend = backend_links(chosen, db).await?;
    Ok(policy)
}

/// A back end of its own: its mapping, and the secrets its account links
/// are keyed with and its webhook checks (the environment's, else the
/// profile's keychain entries).
/// None for the reference schema.
pub(crate) async fn backend_links(
    chosen: &Chosen<'_>,
    db: &Db,
) -> Result<Option<Arc<BackendLinks>>> {
    match served(db, chosen.mapping_file()?.as_deref()).await? {
        Served::Reference => Ok(None),
        Served::Mapped(m) => {
            let profile = chosen.profile()?;
            let store = ServiceStore::from_env();
            Ok(Some(profiles::backend_links(*m, profile.as_ref(), &store)?))
        }
    }
}

pub async fn run(
    cmd: NotifyCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    if let NotifyCommand::Templates = cmd {
        let list = notify::catalogue(None);
        out.show(&list, || {
            list.iter()
                .map(|t| format!("{:<16} {}", t.template.id(), t.description))
                .collect::<Vec<_>>()
                .join("\n")
        });
        return Ok(());
    }
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let policy = match policy(chosen, &db).await {
        Ok(p) => p,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let result = match cmd {
        NotifyCommand::Templates => Ok(()),
        NotifyCommand::Preview(args) => match args.trigger() {
            Ok(trigger) => notify::preview(&ctx, &policy, trigger)
                .await
                .map(|r| out.show(&r, || rendered_text(&r))),
            Err(e) => Err(e),
        },
        NotifyCommand::Send(args) => send(&ctx, &policy, args, out).await,
        NotifyCommand::Bulk(args) => bulk(&ctx, &policy, args, out).await,
    };
    db.close().await;
    result
}

async fn send(ctx: &Ctx<'_>, policy: &Policy, args: SendArgs, out: &Out) -> Result<()> {
    let trigger = Trigger {
        key: args.key,
        force: args.force,
        reason: args.reason,
        ..args.what.trigger()?
    };
    match notify::send(ctx, policy, trigger).await? {
        Triggered::Queued { message } => {
            out.show(&message, || {
                format!(
                    "queued message {} ({} to {}){}; `backoffice outbox dispatch` sends it",
                    message.id,
                    message.template,
                    message.recipient,
                    if message.forced { ", forced" } else { "" }
                )
            });
            Ok(())
        }
        // Not an error of the operator's, but not done either: exit 4 with
        // the original message, as for any conflict.
        Triggered::AlreadySent(sent) => Err(Error::Stale {
            current: serde_json::to_value(&sent.original).unwrap_or_default(),
            message: format!("{} — send anyway with --force", sent.notice),
        }),
    }
}

async fn bulk(ctx: &Ctx<'_>, policy: &Policy, args: BulkArgs, out: &Out) -> Result<()> {
    let template = Template::parse(&args.template)?;
    let audience = audience(&args)?;
    let message = free_form(args.subject.clone(), args.message.clone())?;
    if !args.confirm.yes {
        let p = notify::bulk_preview(ctx, policy, template, &audience, message.as_ref()).await?;
        out.show(&p, || {
            let mut lines = vec![format!(
                "{} recipients: {} to queue, {} already notified within {} minutes (skipped)",
                thousands(p.recipients as i64),
                thousands(p.to_queue as i64),
                thousands(p.already_sent as i64),
                policy.window.num_minutes()
            )];
            if !p.missing.is_empty() {
                let ids: Vec<String> = p.missing.iter().map(i64::to_string).collect();
                lines.push(format!("not found: {}", ids.join(", ")));
            }
            if let (Some(sample), Some(user)) = (&p.sample, &p.sample_user) {
                lines.push(format!(
                    "\nsample, for user {user}:\n{}",
                    rendered_text(sample)
                ));
            }
            if !args.confirm.dry_run {
                lines.push("\nnothing was queued: add --yes to queue".into());
            }
            lines.join("\n")
        });
        return Ok(());
    }
    let cancel = crate::seed::cancel_on_ctrl_c();
    let bar = crate::seed::progress_bar(out);
    let report = notify::bulk_queue(
        ctx,
        policy,
        template,
        &audience,
        message.as_ref(),
        args.reason.as_deref(),
        &crate::seed::on_progress(&bar),
        &cancel,
    )
    .await?;
    bar.finish_and_clear();
    out.show(&report, || {
        let mut lines = vec![format!(
            "queued {}, skipped {} (already notified), refused {}{}",
            thousands(report.queued as i64),
            thousands(report.skipped as i64),
            thousands(report.refused as i64),
            if report.cancelled {
                "; cancelled before the end"
            } else {
                ""
            }
        )];
        lines.extend(report.refusals.iter().map(|r| format!("  {r}")));
        lines.join("\n")
    });
    Ok(())
}
