//! `outbox list|show|retry|cancel|dispatch`: what was queued, what became
//! of it, and the dispatcher that delivers it.

use std::time::Duration;

use clap::{Args, Subcommand};

use backoffice_core::notify::dispatch::{DispatchOptions, DispatchReport, Dispatcher};
use backoffice_core::notify::{self, OutboxFilter, OutboxMessage, OutboxStatus};
use backoffice_core::page::PageRequest;
use backoffice_core::secrets::ServiceStore;
use backoffice_core::session::Ctx;
use backoffice_core::time::relative;
use backoffice_core::{Error, Result};
use chrono::Utc;

use crate::notify::rendered_text;
use crate::output::{page_table, Out};
use crate::signin;
use crate::target::Chosen;

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Messages, newest first.
    List(ListArgs),
    /// One message: its status, every attempt, and what it says.
    Show { id: i64 },
    /// Queue a failed or uncertain message again (an uncertain one may
    /// arrive twice).
    Retry {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Cancel a message that has not gone out.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Deliver due messages through the profile's SMTP server.
    Dispatch(DispatchArgs),
}

#[derive(Args)]
pub struct ListArgs {
    /// queued, sending, sent, failed, uncertain or cancelled.
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    template: Option<String>,
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    order: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    after: Option<String>,
    /// Oldest first (newest first by default).
    #[arg(long)]
    oldest_first: bool,
}

#[derive(Args)]
pub struct DispatchArgs {
    /// Send what is due now, then stop (the default).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep running, sending messages as they become due, until Ctrl-C.
    #[arg(long)]
    watch: bool,
    /// SMTP connections at once.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Messages each connection claims at a time.
    #[arg(long, default_value_t = 20)]
    batch: usize,
    /// Attempts before a temporarily refused message fails.
    #[arg(long, default_value_t = 5)]
    max_attempts: i32,
    /// Seconds a claim holds its messages before another dispatcher may
    /// take those it never started.
    #[arg(long, default_value_t = 120)]
    lease_seconds: u64,
    /// Seconds before the first retry (doubled each time).
    #[arg(long, default_value_t = 30)]
    backoff_seconds: u64,
}

fn line(m: &OutboxMessage) -> String {
    let now = Utc::now();
    format!(
        "{:>7}  {:<10} {:<16} {:<28} {:>3}  {:<22} {}",
        m.id,
        m.status.as_str(),
        m.template,
        m.recipient,
        m.attempts,
        relative(m.created_at, now),
        m.created_by
    )
}

pub async fn run(
    cmd: OutboxCommand,
    chosen: &Chosen<'_>,
    as_operator: Option<&str>,
    out: &Out,
) -> Result<()> {
    let profile = chosen.profile()?;
    let (db, me) = signin::open(chosen, as_operator).await?;
    let ctx = Ctx::new(&db, &me);
    let result = match cmd {
        OutboxCommand::List(args) => {
            let filter = OutboxFilter {
                status: args
                    .status
                    .as_deref()
                    .map(OutboxStatus::parse)
                    .transpose()?,
                template: args.template,
                user_key: args.user,
                order_key: args.order,
                oldest_first: args.oldest_first,
            };
            let page = PageRequest {
                after: args.after,
                limit: Some(args.limit),
            };
            notify::list(&ctx, &filter, &page).await.map(|page| {
                out.show(&page, || {
                    let header = format!(
                        "{:>7}  {:<10} {:<16} {:<28} {:>3}  {:<22} {}",
                        "id", "status", "template", "recipient", "try", "queued", "by"
                    );
                    page_table(header, &page, line)
                })
            })
        }
        OutboxCommand::Show { id } => notify::show(&ctx, id).await.map(|v| {
            out.show(&v, || {
                let m = &v.message;
                let mut lines = vec![
                    line(m),
                    format!("key: {}", m.idempotency_key),
                    format!("next: {}", m.due_at.to_rfc3339()),
                ];
                if m.channel == notify::Channel::Backend {
                    lines
                        .push("delivery: the back end sends its own email, asked over HTTP".into());
                }
                if let Some(e) = &m.last_error {
                    lines.push(format!("last error: {e}"));
                }
                if let Some(r) = &m.smtp_reply {
                    lines.push(format!("server said: {r}"));
                }
                for a in &v.attempts {
                    lines.push(format!(
                        "attempt {}: {} {}{}",
                        a.attempt,
                        a.outcome,
                        a.smtp_code.map(|c| format!("{c} ")).unwrap_or_default(),
                        a.detail.as_deref().unwrap_or("")
                    ));
                }
                lines.push(String::new());
                lines.push(rendered_text(&v.rendered));
                lines.join("\n")
            })
        }),
        OutboxCommand::Retry { id, reason } => notify::retry(&ctx, id, reason.as_deref())
            .await
            .map(|m| out.show(&m, || format!("message {} queued again", m.id))),
        OutboxCommand::Cancel { id, reason } => notify::cancel(&ctx, id, reason.as_deref())
            .await
            .map(|m| out.show(&m, || format!("message {} cancelled", m.id))),
        OutboxCommand::Dispatch(args) => match crate::notify::backend_links(chosen, &db).await {
            Ok(backend) => dispatch(&ctx, profile, backend, args, out).await,
            Err(e) => Err(e),
        },
    };
    db.close().await;
    result
}

async fn dispatch(
    ctx: &Ctx<'_>,
    profile: Option<backoffice_core::profiles::Profile>,
    backend: Option<std::sync::Arc<notify::BackendLinks>>,
    args: DispatchArgs,
    out: &Out,
) -> Result<()> {
    let profile = profile.ok_or_else(|| {
        Error::validation(
            "the dispatcher sends through a profile's mail settings: use --profile NAME",
        )
    })?;
    let mail = profile.mail()?.clone();
    let password = profile.smtp_password(&ServiceStore::from_env())?;
    let options = DispatchOptions {
        batch: args.batch,
        connections: args.connections,
        max_attempts: args.max_attempts,
        lease: Duration::from_secs(args.lease_seconds),
        backoff: Duration::from_secs(args.backoff_seconds),
        ..DispatchOptions::default()
    };
    let mut dispatcher = Dispatcher::new(ctx, mail, password, options)?;
    if let Some(b) = backend {
        dispatcher = dispatcher.for_backend(b);
    }
    let cancel = crate::seed::cancel_on_ctrl_c();
    let json = out.json;
    let progress = move |r: &DispatchReport| {
        if json {
            return;
        }
        match &r.unreachable {
            Some(o) => eprint!("\r{}   ", o.describe()),
            None => eprint!(
                "\rsent {}  retrying {}  failed {}  uncertain {}   ",
                r.sent, r.retrying, r.failed, r.uncertain
            ),
        }
    };
    let report = if args.watch {
        dispatcher.watch(&cancel, &progress).await?
    } else {
        dispatcher.run_once(&cancel, &progress).await?
    };
    if !json {
        eprintln!();
    }
    out.show(&report, || {
        let mut text = format!(
            "sent {}, retrying later {}, failed {}, uncertain {}",
            report.sent, report.retrying, report.failed, report.uncertain
        );
        if report.recovered + report.interrupted > 0 {
            text.push_str(&format!(
                "; from a dispatcher that stopped: {} queued again, {} uncertain",
                report.recovered, report.interrupted
            ));
        }
        text
    });
    // A run that ends with the server down says so in its exit code (6),
    // so a scheduled `--once` is noticed; the messages stay queued.
    match &report.unreachable {
        Some(o) if !args.watch => Err(Error::Unavailable(o.describe())),
        _ => Ok(()),
    }
}
