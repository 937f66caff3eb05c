//! Writing the outbox: a message's row, and the idempotency key's row that
//! says which message a key last queued (locked, so two triggers of the
//! same key queue one message).

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::Value;

use super::outbox::{self, Channel, OutboxMessage};
use super::vars::Recipient;
use super::Template;
use crate::db::{Backend, Query, WriteTx};
use crate::session::Ctx;
use crate::Result;

/// Inserts the key's row if it is new, locks it, and returns the message it
/// last queued.
pub(crate) async fn lock_key(
    tx: &mut WriteTx,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<OutboxMessage>> {
    let mut q = Query::new(
        "INSERT INTO backoffice_outbox_keys (idempotency_key, message_id, updated_at) VALUES (",
    );
    q.bind(key).sql(", NULL, ").bind(now).sql(")");
    q.sql(match tx.backend() {
        Backend::Sqlite | Backend::Postgres => " ON CONFLICT (idempotency_key) DO NOTHING",
        Backend::Mysql => " ON DUPLICATE KEY UPDATE idempotency_key = idempotency_key",
    });
    tx.execute(&q, "cannot record the idempotency key").await?;
    let lock = tx.backend().for_update();
    let (message_id,): (Option<i64>,) = tx
        .fetch_one(
            Query::new("SELECT message_id FROM backoffice_outbox_keys WHERE idempotency_key = ")
                .bind(key)
                .sql(lock),
            "cannot read the idempotency key",
        )
        .await?;
    let Some(id) = message_id else {
        return Ok(None);
    };
    // A locking read: on MariaDB a plain one answers from this
    // transaction's snapshot, which may predate the message the key names.
    outbox::load(tx, id).await
}

/// A message to queue.
pub(crate) struct NewMessage<'a> {
    pub template: Template,
    pub recipient: &'a Recipient,
    pub vars: &'a Value,
    pub subject: &'a str,
    pub key: &'a str,
    pub forced: bool,
    pub channel: Channel,
}

/// Writes the outbox row; returns its id.
pub(crate) async fn insert(tx: &mut WriteTx, ctx: &Ctx<'_>, m: &NewMessage<'_>) -> Result<i64> {
    let mut uid = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut uid);
    let mut q = Query::new(
        "INSERT INTO backoffice_outbox (uid, template, user_key, order_key, recipient, recipient_name, \
         subject, vars_json, idempotency_key, status, attempts, due_at, forced, created_by, \
         created_at, updated_at, channel) VALUES (",
    );
    q.bind(hex::encode(uid))
        .sql(", ")
        .bind(m.template.id())
        .sql(", ")
        .bind(m.recipient.user_key.as_deref())
        .sql(", ")
        .bind(m.recipient.order_key.as_deref())
        .sql(", ")
        .bind(m.recipient.email.as_str())
        .sql(", ")
        .bind(m.recipient.name.as_str())
        .sql(", ")
        .bind(m.subject)
        .sql(", ")
        .bind(m.vars.to_string())
        .sql(", ")
        .bind(m.key)
        .sql(", 'queued', 0, ")
        .bind(ctx.now)
        .sql(", ")
        .bind(m.forced)
        .sql(", ")
        .bind(ctx.operator.username())
        .sql(", ")
        .bind(ctx.now)
        .sql(", ")
        .bind(ctx.now)
        .sql(", ")
        .bind(m.channel.as_str())
        .sql(") RETURNING id");
    let (id,): (i64,) = tx.fetch_one(&q, "cannot queue the notification").await?;
    Ok(id)
}
