//! Reading the outbox, and the two things an operator does to a message by
//! hand: send it again (a failed or uncertain one) or cancel it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::templates::{self, Rendered, BASE_PLACEHOLDER, TOKEN_PLACEHOLDER};
use super::{vars, Template};
use crate::audit::{self, Record};
use crate::db::{Query, WriteTx};
use crate::operators::Permission;
use crate::page::{by_id, Cursor, Page, PageRequest};
use crate::session::Ctx;
use crate::users::{mask_email, unmasked};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Queued,
    Sending,
    Sent,
    Failed,
    Uncertain,
    Cancelled,
}

impl TryFrom<String> for OutboxStatus {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        OutboxStatus::parse(&text)
    }
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 6] = [
        OutboxStatus::Queued,
        OutboxStatus::Sending,
        OutboxStatus::Sent,
        OutboxStatus::Failed,
        OutboxStatus::Uncertain,
        OutboxStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Uncertain => "uncertain",
            OutboxStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Result<OutboxStatus> {
        OutboxStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                Error::validation(format!(
                    "no outbox status '{}'; statuses are: {}",
                    text.chars().take(40).collect::<String>(),
                    OutboxStatus::ALL.map(OutboxStatus::as_str).join(", ")
                ))
            })
    }

    /// Statuses that count as "already sent" for the idempotency window: the
    /// message went out, is going, or may have.
    pub(crate) fn blocks_repeat(self) -> bool {
        matches!(
            self,
            OutboxStatus::Queued
                | OutboxStatus::Sending
                | OutboxStatus::Sent
                | OutboxStatus::Uncertain
        )
    }
}

/// How a message is delivered, fixed when it is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The console sends the email over SMTP.
    Email,
    /// The console asks the back end to send its own email (the
    /// mapping's `[sends]`).
    Backend,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Backend => "backend",
        }
    }
}

impl TryFrom<String> for Channel {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        match text.as_str() {
            "email" => Ok(Channel::Email),
            "backend" => Ok(Channel::Backend),
            _ => Err(Error::internal(format!("unknown outbox channel '{text}'"))),
        }
    }
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, uid, template, user_key, order_key, recipient, \
     recipient_name, subject, idempotency_key, status, attempts, due_at, last_error, smtp_reply, \
     forced, created_by, created_at, sent_at, updated_at, version, channel";

/// One outbox message as operators see it. The recipient is masked unless
/// the operator may see addresses.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct OutboxMessage {
    #[ts(type = "number")]
    pub id: i64,
    /// Also the local part of the message's `Message-ID`.
    pub uid: String,
    pub template: String,
    /// The user it is to, by the back end's key (none for a guest).
    pub user_key: Option<String>,
    /// The order it is about, by the back end's key.
    pub order_key: Option<String>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub idempotency_key: String,
    #[sqlx(try_from = "String")]
    pub status: OutboxStatus,
    pub attempts: i32,
    /// Next attempt (queued) or end of the dispatcher's lease (sending).
    pub due_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub smtp_reply: Option<String>,
    pub forced: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
}

impl OutboxMessage {
    /// Hides the address (and the key that contains it) from operators who
    /// may not see addresses.
    pub(crate) fn masked(mut self, unmasked: bool) -> Self {
        if !unmasked {
            let masked = mask_email(&self.recipient);
            self.idempotency_key = self
                .idempotency_key
                .replace(&self.recipient.to_lowercase(), &masked);
            self.recipient = masked;
        }
        self
    }
}

/// Reads one message inside a transaction, locking it where rows lock.
pub(crate) async fn load(tx: &mut WriteTx, id: i64) -> Result<Option<OutboxMessage>> {
    let lock = tx.backend().for_update();
    tx.fetch_optional(
        Query::new(format!(
            "SELECT {MESSAGE_COLUMNS} FROM backoffice_outbox WHERE id = "
        ))
        .bind(id)
        .sql(lock),
        "cannot read the outbox",
    )
    .await
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Attempt {
    pub attempt: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// sent, temporary, permanent or uncertain.
    pub outcome: String,
    pub smtp_code: Option<i32>,
    pub detail: Option<String>,
}

/// A message with its attempts and what it looks like (links show a
/// placeholder: their token exists only in the sent email).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct OutboxView {
    pub message: OutboxMessage,
    pub attempts: Vec<Attempt>,
    pub rendered: Rendered,
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub template: Option<String>,
    /// Messages to this user, by the back end's key.
    pub user_key: Option<String>,
    /// Messages about this order, by the back end's key.
    pub order_key: Option<String>,
    /// Oldest messages first (newest first by default).
    pub oldest_first: bool,
}

/// Newest first (or oldest), in keyset pages over the id.
pub async fn list(
    ctx: &Ctx<'_>,
    filter: &OutboxFilter,
    page: &PageRequest,
) -> Result<Page<OutboxMessage>> {
    ctx.require(Permission::SendNotifications)?;
    let limit = page.limit()?;
    let mut q = Query::new(format!(
        "SELECT {MESSAGE_COLUMNS} FROM backoffice_outbox WHERE 1 = 1"
    ));
    if let Some(s) = filter.status {
        q.sql(" AND status = ").bind(s.as_str());
    }
    if let Some(t) = &filter.template {
        q.sql(" AND template = ").bind(Template::parse(t)?.id());
    }
    if let Some(u) = &filter.user_key {
        q.sql(" AND user_key = ").bind(u.trim());
    }
    if let Some(o) = &filter.order_key {
        q.sql(" AND order_key = ").bind(o.trim());
    }
    by_id(&mut q, page.after.as_deref(), filter.oldest_first, limit)?;
    let rows: Vec<OutboxMessage> = ctx.db.fetch_all(&q, "cannot read the outbox").await?;
    let open = unmasked(ctx);
    Ok(Page::from_rows(
        rows.into_iter().map(|r| r.masked(open)).collect(),
        limit,
        |m| Cursor {
            key: None,
            id: m.id,
        },
    ))
}

pub async fn show(ctx: &Ctx<'_>, id: i64) -> Result<OutboxView> {
    ctx.require(Permission::SendNotifications)?;
    let row: OutboxMessage = ctx
        .db
        .fetch_optional(
            Query::new(format!(
                "SELECT {MESSAGE_COLUMNS} FROM backoffice_outbox WHERE id = "
            ))
            .bind(id),
            "cannot read the outbox",
        )
        .await?
        .ok_or_else(|| Error::NotFound(format!("no outbox message {id}")))?;
    let (vars,): (String,) = ctx
        .db
        .fetch_one(
            Query::new("SELECT vars_json FROM backoffice_outbox WHERE id = ").bind(id),
            "cannot read the outbox",
        )
        .await?;
    let attempts: Vec<Attempt> = ctx
        .db
        .fetch_all(
            Query::new(
                "SELECT attempt, started_at, finished_at, outcome, smtp_code, detail \
                 FROM backoffice_outbox_attempts WHERE message_id = ",
            )
            .bind(id)
            .sql(" ORDER BY attempt, id"),
            "cannot read the delivery attempts",
        )
        .await?;
    let template = Template::parse(&row.template)?;
    let vars: Value = serde_json::from_str(&vars)
        .map_err(|e| Error::internal(format!("outbox message {id} has unreadable values: {e}")))?;
    let vars = vars::for_operator(vars, unmasked(ctx));
    let message = row.masked(unmasked(ctx));
    let rendered = match message.channel {
        Channel::Backend => templates::by_backend(template, &message.recipient, None),
        Channel::Email => {
            let link = templates::link(BASE_PLACEHOLDER, template, TOKEN_PLACEHOLDER);
            templates::render(template, &vars, link.as_deref())?
        }
    };
    Ok(OutboxView {
        message,
        attempts,
        rendered,
    })
}

async fn load_locked(tx: &mut WriteTx, id: i64) -> Result<OutboxMessage> {
    load(tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no outbox message {id}")))
}

/// Queues a failed or uncertain message again, now. Resending an uncertain
/// message may deliver it twice; that is the operator's call, and audited.
pub async fn retry(ctx: &Ctx<'_>, id: i64, reason: Option<&str>) -> Result<OutboxMessage> {
    operator_change(ctx, id, reason, "outbox.retry", |status| match status {
        OutboxStatus::Failed | OutboxStatus::Uncertain => Ok(OutboxStatus::Queued),
        other => Err(format!(
            "only failed or uncertain messages can be retried; it is {}",
            other.as_str()
        )),
    })
    .await
}

/// Cancels a message that has not gone out: queued, failed or uncertain.
pub async fn cancel(ctx: &Ctx<'_>, id: i64, reason: Option<&str>) -> Result<OutboxMessage> {
    operator_change(ctx, id, reason, "outbox.cancel", |status| match status {
        OutboxStatus::Queued | OutboxStatus::Failed | OutboxStatus::Uncertain => {
            Ok(OutboxStatus::Cancelled)
        }
        OutboxStatus::Sending => Err("it is being sent right now; wait for the result".into()),
        other => Err(format!("it is already {}", other.as_str())),
    })
    .await
}

async fn operator_change(
    ctx: &Ctx<'_>,
    id: i64,
    reason: Option<&str>,
    action: &str,
    next: impl Fn(OutboxStatus) -> std::result::Result<OutboxStatus, String>,
) -> Result<OutboxMessage> {
    ctx.require(Permission::SendNotifications)?;
    let mut tx = ctx.db.begin_write("change an outbox message").await?;
    let row = load_locked(&mut tx, id).await?;
    let before = row.status;
    let after = next(before)
        .map_err(|why| Error::Conflict(format!("cannot change outbox message {id}: {why}")))?;
    tx.execute(
        Query::new("UPDATE backoffice_outbox SET status = ")
            .bind(after.as_str())
            .sql(", due_at = ")
            .bind(ctx.now)
            .sql(", lease_owner = NULL, send_started_at = NULL, updated_at = ")
            .bind(ctx.now)
            .sql(", version = version + 1 WHERE id = ")
            .bind(id),
        "cannot change the outbox message",
    )
    .await?;
    let field = |s: OutboxStatus| Map::from_iter([("status".to_string(), json!(s.as_str()))]);
    audit::append(
        &mut tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action,
            entity_type: "notification",
            entity_id: id.to_string(),
            before: Some(field(before)),
            after: Some(field(after)),
            reason,
        },
    )
    .await?;
    let row = load_locked(&mut tx, id).await?;
    tx.commit().await?;
    Ok(row.masked(unmasked(ctx)))
}
