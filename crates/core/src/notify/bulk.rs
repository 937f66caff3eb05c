//! Bulk notifications: "remind every user unverified for more than 7 days",
//! "tell the customers of these orders that they shipped". The preview
//! counts the recipients, how many were already notified inside the
//! window, and renders one sample; queueing goes in chunks, each one
//! transaction with its audit entry, with progress and cancellation
//! between chunks. Recipients notified inside the window are skipped and
//! counted, exactly as a single trigger would be.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map};

use super::policy::Policy;
use super::templates::Rendered;
use super::trigger::{default_key, enqueue, preview, Trigger, Triggered};
use super::{FreeForm, Template};
use crate::audit::{self, Record};
use crate::db::Query;
use crate::progress::{CancelToken, Progress, ProgressSink};
use crate::session::Ctx;
use crate::{Error, Result};

/// The most recipients one bulk send may have.
pub const MAX_RECIPIENTS: usize = 50_000;
const CHUNK: usize = 250;
/// How many refusals a report lists one by one.
const LISTED_REFUSALS: usize = 20;

/// Who receives a bulk notification.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Audience {
    /// Accounts (not disabled) whose address is still unverified this many
    /// days after they were created.
    Unverified { days: u32 },
    Users {
        #[ts(type = "Array<number>")]
        ids: Vec<i64>,
    },
    /// One message per order, to its customer.
    Orders {
        #[ts(type = "Array<number>")]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Clone)]
pub(super) struct Target {
    /// The user's key; none for a guest's order.
    pub(super) user_key: Option<String>,
    /// The order's key.
    pub(super) order_key: Option<String>,
    pub(super) email: String,
}

impl Target {
    /// "user 12", "order 100003", for a refusal.
    fn label(&self) -> String {
        match (&self.user_key, &self.order_key) {
            (_, Some(o)) => format!("order {o}"),
            (Some(u), None) => format!("user {u}"),
            (None, None) => self.email.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(rename = "BulkSendPreview")]
pub struct BulkPreview {
    pub template: Template,
    #[ts(type = "number")]
    pub recipients: u64,
    /// Notified inside the idempotency window: will be skipped.
    #[ts(type = "number")]
    pub already_sent: u64,
    #[ts(type = "number")]
    pub to_queue: u64,
    /// Ids named in the audience that do not exist.
    #[ts(type = "Array<number>")]
    pub missing: Vec<i64>,
    /// What the first recipient to be queued would receive.
    pub sample: Option<Rendered>,
    /// Whose message the sample is, by the back end's user key.
    pub sample_user: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
#[ts(rename = "BulkSendReport")]
pub struct BulkReport {
    #[ts(type = "number")]
    pub queued: u64,
    #[ts(type = "number")]
    pub skipped: u64,
    #[ts(type = "number")]
    pub refused: u64,
    /// The first refusals, "user 12: the account is disabled".
    pub refusals: Vec<String>,
    pub cancelled: bool,
}

pub(super) fn check_ids(ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::validation("name at least one recipient"));
    }
    if ids.len() > MAX_RECIPIENTS {
        return Err(Error::validation(format!(
            "a bulk send has at most {MAX_RECIPIENTS} recipients"
        )));
    }
    Ok(())
}

/// The recipients, and the ids named that do not exist.
async fn resolve(ctx: &Ctx<'_>, audience: &Audience) -> Result<(Vec<Target>, Vec<i64>)> {
    let (q, named): (Query, Option<&Vec<i64>>) = match audience {
        Audience::Unverified { days } => {
            let before = ctx.now - chrono::Duration::days(i64::from(*days));
            let mut q = Query::new(
                "SELECT id, NULL, email FROM users WHERE email_verified_at IS NULL \
                 AND status <> 'disabled' AND created_at < ",
            );
            q.bind(before)
                .sql(format!(" ORDER BY id LIMIT {}", MAX_RECIPIENTS + 1));
            (q, None)
        }
        Audience::Users { ids } => {
            check_ids(ids)?;
            let mut q = Query::new("SELECT id, NULL, email FROM users WHERE id IN ");
            q.bind_list(ids.iter().copied()).sql(" ORDER BY id");
            (q, Some(ids))
        }
        Audience::Orders { ids } => {
            check_ids(ids)?;
            let mut q = Query::new(
                "SELECT o.user_id, o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id \
                 WHERE o.id IN ",
            );
            q.bind_list(ids.iter().copied()).sql(" ORDER BY o.id");
            (q, Some(ids))
        }
    };
    let rows: Vec<(i64, Option<i64>, String)> =
        ctx.db.fetch_all(&q, "cannot read the recipients").await?;
    if rows.len() > MAX_RECIPIENTS {
        return Err(Error::validation(format!(
            "more than {MAX_RECIPIENTS} recipients; narrow the audience down"
        )));
    }
    let targets: Vec<Target> = rows
        .into_iter()
        .map(|(user, order, email)| Target {
            user_key: Some(user.to_string()),
            order_key: order.map(|o| o.to_string()),
            email,
        })
        .collect();
    let missing = match (audience, named) {
        (Audience::Orders { .. }, Some(ids)) => {
            not_found(ids, targets.iter().map(|t| &t.order_key))
        }
        (_, Some(ids)) => not_found(ids, targets.iter().map(|t| &t.user_key)),
        _ => Vec::new(),
    };
    Ok((targets, missing))
}

/// The ids named that no target has as its key.
pub(super) fn not_found<'a>(
    named: &[i64],
    found: impl Iterator<Item = &'a Option<String>>,
) -> Vec<i64> {
    let found: HashSet<&str> = found.filter_map(|k| k.as_deref()).collect();
    named
        .iter()
        .copied()
        .filter(|i| !found.contains(i.to_string().as_str()))
        .collect()
}

/// The keys of this template's messages that block a repeat right now.
async fn recent_keys(
    ctx: &Ctx<'_>,
    template: Template,
    policy: &Policy,
) -> Result<HashSet<String>> {
    let key = ctx.db.backend().text("k.idempotency_key");
    let rows: Vec<(String,)> = ctx
        .db
        .fetch_all(
            Query::new(format!(
                "SELECT {key} FROM backoffice_outbox_keys k JOIN backoffice_outbox m ON m.id = k.message_id \
                 WHERE m.template = "
            ))
            .bind(template.id())
            .sql(" AND m.created_at > ")
            .bind(ctx.now - policy.window)
            .sql(" AND m.status IN ('queued', 'sending', 'sent', 'uncertain')"),
            "cannot read the outbox",
        )
        .await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// The recipients from the reference schema's tables, or through the
/// mapping of a back end of its own.
async fn recipients(
    ctx: &Ctx<'_>,
    policy: &Policy,
    audience: &Audience,
) -> Result<(Vec<Target>, Vec<i64>)> {
    match &policy.backend {
        None => resolve(ctx, audience).await,
        Some(b) => super::bulk_mapped::resolve(ctx, &b.mapping, audience).await,
    }
}

fn trigger_for(template: Template, target: &Target, message: Option<&FreeForm>) -> Trigger {
    Trigger {
        template,
        user: target.user_key.clone(),
        order: target.order_key.clone(),
        message: message.cloned(),
        key: None,
        force: false,
        reason: None,
    }
}

pub async fn bulk_preview(
    ctx: &Ctx<'_>,
    policy: &Policy,
    template: Template,
    audience: &Audience,
    message: Option<&FreeForm>,
) -> Result<BulkPreview> {
    ctx.require(template.permission())?;
    let (targets, missing) = recipients(ctx, policy, audience).await?;
    let recent = recent_keys(ctx, template, policy).await?;
    let fresh: Vec<&Target> = targets
        .iter()
        .filter(|t| {
            !recent.contains(&default_key(
                template,
                t.order_key.as_deref(),
                t.user_key.as_deref(),
                &t.email,
            ))
        })
        .collect();
    let sample = match fresh.first() {
        Some(t) => Some(preview(ctx, policy, trigger_for(template, t, message)).await?),
        None => None,
    };
    Ok(BulkPreview {
        template,
        recipients: targets.len() as u64,
        already_sent: (targets.len() - fresh.len()) as u64,
        to_queue: fresh.len() as u64,
        missing,
        sample,
        sample_user: fresh.first().and_then(|t| t.user_key.clone()),
    })
}

/// Queues the notification for every recipient, in chunks.
#[allow(clippy::too_many_arguments)]
pub async fn bulk_queue(
    ctx: &Ctx<'_>,
    policy: &Policy,
    template: Template,
    audience: &Audience,
    message: Option<&FreeForm>,
    reason: Option<&str>,
    progress: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<BulkReport> {
    ctx.require(template.permission())?;
    let (targets, missing) = recipients(ctx, policy, audience).await?;
    let mut report = BulkReport::default();
    for id in missing {
        report.refused += 1;
        report.refusals.push(format!("{id}: not found"));
    }
    let total = targets.len() as u64;
    let stage = format!("queueing {}", template.id());
    progress.report(Progress {
        stage: stage.clone(),
        done: 0,
        total,
    });
    for (n, chunk) in targets.chunks(CHUNK).enumerate() {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        let mut tx = ctx.db.begin_write("queue notifications").await?;
        let (mut queued, mut first, mut last) = (0u64, None, None);
        for target in chunk {
            let trigger = trigger_for(template, target, message);
            match enqueue(&mut tx, ctx, policy, &trigger).await {
                Ok(Triggered::Queued { message }) => {
                    queued += 1;
                    first = first.or(Some(message.id));
                    last = Some(message.id);
                }
                Ok(Triggered::AlreadySent(_)) => report.skipped += 1,
                Err(e @ (Error::Validation(_) | Error::NotFound(_))) => {
                    report.refused += 1;
                    if report.refusals.len() < LISTED_REFUSALS {
                        report.refusals.push(format!("{}: {e}", target.label()));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if queued > 0 {
            let mut after = Map::new();
            after.insert("template".into(), json!(template.id()));
            after.insert("queued".into(), json!(queued));
            after.insert("first_message".into(), json!(first));
            after.insert("last_message".into(), json!(last));
            audit::append(
                &mut tx,
                ctx.operator.username(),
                ctx.now,
                Record {
                    action: "notify.bulk",
                    entity_type: "notification",
                    entity_id: format!("{}..{}", first.unwrap_or(0), last.unwrap_or(0)),
                    before: None,
                    after: Some(after),
                    reason,
                },
            )
            .await?;
        }
        tx.commit().await?;
        report.queued += queued;
        let done = ((n + 1) * CHUNK).min(targets.len()) as u64;
        progress.report(Progress {
            stage: stage.clone(),
            done,
            total,
        });
    }
    Ok(report)
}
