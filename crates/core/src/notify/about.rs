//! What was sent about an order or to a user: the outbox's messages for
//! them, newest first, for the order's story and the user's card, so that
//! support sees at once whether the customer was told. The address is
//! masked for operators who may not see addresses.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Channel, OutboxStatus};
use crate::db::Query;
use crate::orders::TimelineEntry;
use crate::session::Ctx;
use crate::users::{mask_email, unmasked};
use crate::Result;

/// The newest messages shown; the outbox lists them all.
const SHOWN: i64 = 50;

/// One message about the order or to the user.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct Sent {
    #[ts(type = "number")]
    pub id: i64,
    pub template: String,
    /// Masked (`j•••@example.com`) for operators who may not see addresses.
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub status: OutboxStatus,
    /// When it was triggered, and by whom.
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub sent_at: Option<DateTime<Utc>>,
    /// An email of the console's, or one the back end was asked to send.
    #[sqlx(try_from = "String")]
    pub channel: Channel,
}

/// Who the messages are about, by the back end's key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum About<'a> {
    Order(&'a str),
    User(&'a str),
}

/// The messages about `who`, newest first.
pub(crate) async fn sent_about(ctx: &Ctx<'_>, who: About<'_>) -> Result<Vec<Sent>> {
    let (column, key) = match who {
        About::Order(key) => ("order_key", key),
        About::User(key) => ("user_key", key),
    };
    let mut q = Query::new(format!(
        "SELECT id, template, recipient, status, created_at, created_by, sent_at, channel \
         FROM backoffice_outbox WHERE {column} = "
    ));
    q.bind(key.trim())
        .sql(format!(" ORDER BY created_at DESC, id DESC LIMIT {SHOWN}"));
    let rows: Vec<Sent> = ctx.db.fetch_all(&q, "cannot read the outbox").await?;
    let open = unmasked(ctx);
    Ok(rows
        .into_iter()
        .map(|mut s| {
            if !open {
                s.recipient = mask_email(&s.recipient);
            }
            s
        })
        .collect())
}

/// The messages as entries of an order's timeline: "order_shipped to
/// j•••@example.com: sent".
pub(crate) fn timeline(sent: &[Sent]) -> impl Iterator<Item = TimelineEntry> + '_ {
    sent.iter().map(|s| TimelineEntry {
        at: s.created_at,
        kind: "email",
        operator: s.created_by.clone(),
        text: format!(
            "{}{} to {}: {}",
            s.template,
            match s.channel {
                Channel::Email => "",
                Channel::Backend => " (the back end's own email)",
            },
            s.recipient,
            match (s.status, s.channel) {
                (OutboxStatus::Uncertain, Channel::Email) =>
                    "uncertain (the mail server may have it; resend on purpose)",
                (OutboxStatus::Uncertain, Channel::Backend) =>
                    "uncertain (the back end may have sent it; ask again on purpose)",
                (other, _) => other.as_str(),
            }
        ),
    })
}
