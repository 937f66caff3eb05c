//! The dispatcher's side of the outbox table: recover expired leases, claim
//! due messages, mark a send as started, record its outcome.
//!
//! A claimed message is `sending` with a lease (`due_at`) and the claim's
//! own identity in `lease_owner`: one per claim, not per process, so a
//! message that went back to the queue and was claimed again (even by
//! another worker of the same dispatcher) can be started, finished or
//! released only under its newest claim. Right before its bytes go to the
//! server the dispatcher stamps `send_started_at`. When a lease runs out
//! (the dispatcher was killed, or its batch outlasted the lease), the stamp
//! decides: never started → queued again; started → `uncertain`, for an
//! operator, because the server may have it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use zeroize::Zeroizing;

use super::super::links::Links;
use super::super::{Channel, Template};
use crate::db::{Backend, Db, Query};
use crate::Result;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Sent {
        reply: String,
    },
    /// Worth another attempt later (4xx, connection refused, timeout
    /// before the message was handed over).
    Temporary {
        code: Option<u16>,
        detail: String,
    },
    /// Refused for good (5xx), or cannot be built.
    Permanent {
        code: Option<u16>,
        detail: String,
    },
    /// The message was handed over but the reply was lost.
    Uncertain {
        detail: String,
    },
}

impl Outcome {
    fn name(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Temporary { .. } => "temporary",
            Outcome::Permanent { .. } => "permanent",
            Outcome::Uncertain { .. } => "uncertain",
        }
    }
}

/// A claimed message, with its link when it carries one.
pub(crate) struct Claimed {
    pub id: i64,
    /// The claim that holds it (`lease_owner`).
    pub claim: String,
    pub uid: String,
    pub template: Template,
    /// The user it is to, by the back end's key.
    pub user_key: Option<String>,
    pub recipient: String,
    pub recipient_name: String,
    pub vars: Value,
    pub attempt: i32,
    pub channel: Channel,
    pub link: Option<Zeroizing<String>>,
    /// Why it cannot be sent at all (its user is gone, its values unreadable).
    pub broken: Option<String>,
}

const UNCERTAIN_AFTER_CRASH: &str =
    "the dispatcher stopped while sending; the server may have accepted it";

fn later(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

/// Settles messages whose lease ran out. Returns (queued again, uncertain).
///
/// The expired rows are locked first and settled by id, so two dispatchers
/// settling the same lease at once record one interrupted attempt, not two:
/// the second skips the rows the first holds (PostgreSQL, MariaDB) or finds
/// them settled (SQLite has one writer).
pub(crate) async fn recover(db: &Db, now: DateTime<Utc>) -> Result<(u64, u64)> {
    let mut tx = db.begin_write("recover the outbox").await?;
    let skip = match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres | Backend::Mysql => " FOR UPDATE SKIP LOCKED",
    };
    let expired = |started: bool| {
        let mut q =
            Query::new("SELECT id FROM backoffice_outbox WHERE status = 'sending' AND due_at <= ");
        q.bind(now).sql(if started {
            " AND send_started_at IS NOT NULL"
        } else {
            " AND send_started_at IS NULL"
        });
        q.sql(format!(" ORDER BY id{skip}"));
        q
    };
    let started: Vec<(i64,)> = tx
        .fetch_all(&expired(true), "cannot read expired leases")
        .await?;
    let unstarted: Vec<(i64,)> = tx
        .fetch_all(&expired(false), "cannot read expired leases")
        .await?;
    let started: Vec<i64> = started.into_iter().map(|(i,)| i).collect();
    let unstarted: Vec<i64> = unstarted.into_iter().map(|(i,)| i).collect();
    let mut uncertain = 0;
    if !started.is_empty() {
        let mut q = Query::new(
            "INSERT INTO backoffice_outbox_attempts (message_id, attempt, started_at, finished_at, \
             outcome, detail) SELECT id, attempts, send_started_at, ",
        );
        q.bind(now)
            .sql(", 'uncertain', ")
            .bind(UNCERTAIN_AFTER_CRASH)
            .sql(" FROM backoffice_outbox WHERE id IN ")
            .bind_list(started.iter().copied());
        tx.execute(&q, "cannot record the interrupted attempts")
            .await?;
        let mut q = Query::new("UPDATE backoffice_outbox SET status = 'uncertain', last_error = ");
        q.bind(UNCERTAIN_AFTER_CRASH)
            .sql(", updated_at = ")
            .bind(now)
            .sql(", version = version + 1 WHERE id IN ")
            .bind_list(started.iter().copied());
        uncertain = tx.execute(&q, "cannot settle interrupted sends").await?;
    }
    let mut requeued = 0;
    if !unstarted.is_empty() {
        let mut q = Query::new(
            "UPDATE backoffice_outbox SET status = 'queued', attempts = attempts - 1, \
             lease_owner = NULL, updated_at = ",
        );
        q.bind(now)
            .sql(" WHERE id IN ")
            .bind_list(unstarted.iter().copied());
        requeued = tx.execute(&q, "cannot queue unsent messages again").await?;
    }
    tx.commit().await?;
    Ok((requeued, uncertain))
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    uid: String,
    template: String,
    user_key: Option<String>,
    recipient: String,
    recipient_name: String,
    vars_json: String,
    attempts: i32,
    #[sqlx(try_from = "String")]
    channel: Channel,
}

/// Claims up to `n` due messages under the claim identity `claim` (new for
/// every call), minting their link tokens in the same transaction.
/// PostgreSQL and MariaDB skip rows another dispatcher holds; SQLite has
/// one writer at a time.
pub(crate) async fn claim(
    db: &Db,
    links: &Links,
    claim: &str,
    n: usize,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>> {
    let mut tx = db.begin_write("claim outbox messages").await?;
    let skip = match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres | Backend::Mysql => " FOR UPDATE SKIP LOCKED",
    };
    let ids: Vec<(i64,)> = tx
        .fetch_all(
            Query::new("SELECT id FROM backoffice_outbox WHERE status = 'queued' AND due_at <= ")
                .bind(now)
                .sql(format!(" ORDER BY due_at, id LIMIT {n}{skip}")),
            "cannot read the outbox",
        )
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
    let mut q = Query::new("UPDATE backoffice_outbox SET status = 'sending', lease_owner = ");
    q.bind(claim)
        .sql(", due_at = ")
        .bind(later(now, lease))
        .sql(", attempts = attempts + 1, send_started_at = NULL, updated_at = ")
        .bind(now)
        .sql(" WHERE id IN ")
        .bind_list(ids.iter().copied());
    tx.execute(&q, "cannot claim outbox messages").await?;
    let mut q = Query::new(
        "SELECT id, uid, template, user_key, recipient, recipient_name, vars_json, attempts, \
         channel FROM backoffice_outbox WHERE id IN ",
    );
    q.bind_list(ids.iter().copied()).sql(" ORDER BY id");
    let rows: Vec<ClaimRow> = tx.fetch_all(&q, "cannot read the outbox").await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for r in rows {
        let mut broken = None;
        let template = Template::parse(&r.template);
        let vars = serde_json::from_str::<Value>(&r.vars_json);
        let mut link = None;
        match (&template, &vars) {
            // The back end's own email carries its own link.
            (Ok(_), Ok(_)) if r.channel == Channel::Backend => {}
            (Ok(t), Ok(_)) => match links.mint(&mut tx, *t, r.user_key.as_deref(), now).await? {
                Some(Ok(made)) => link = Some(made),
                Some(Err(why)) => broken = Some(why),
                None => {}
            },
            (Err(e), _) => broken = Some(e.to_string()),
            (_, Err(e)) => broken = Some(format!("unreadable values: {e}")),
        }
        claimed.push(Claimed {
            id: r.id,
            claim: claim.to_string(),
            uid: r.uid,
            template: template.unwrap_or(Template::SupportMessage),
            user_key: r.user_key,
            recipient: r.recipient,
            recipient_name: r.recipient_name,
            vars: vars.unwrap_or(Value::Null),
            attempt: r.attempts,
            channel: r.channel,
            link,
            broken,
        });
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Stamps the start of a send and renews the lease. False when the claim
/// was lost (the lease ran out and the message was settled or claimed
/// again): do not send.
pub(crate) async fn start(
    db: &Db,
    msg: &Claimed,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = db.begin_write("start a send").await?;
    let n = tx
        .execute(
            Query::new("UPDATE backoffice_outbox SET send_started_at = ")
                .bind(now)
                .sql(", due_at = ")
                .bind(later(now, lease))
                .sql(" WHERE id = ")
                .bind(msg.id)
                .sql(" AND status = 'sending' AND send_started_at IS NULL AND lease_owner = ")
                .bind(msg.claim.as_str()),
            "cannot start the send",
        )
        .await?;
    tx.commit().await?;
    Ok(n == 1)
}

/// What to do after a temporary failure.
pub(crate) struct Retry {
    pub max_attempts: i32,
    pub after: Duration,
}

/// Records an attempt and moves the message on. A message another
/// dispatcher marked uncertain meanwhile still gets the real outcome; one
/// claimed again since is left to its newest claim.
pub(crate) async fn finish(
    db: &Db,
    msg: &Claimed,
    started: DateTime<Utc>,
    outcome: &Outcome,
    retry: &Retry,
    now: DateTime<Utc>,
) -> Result<()> {
    let (code, detail) = match outcome {
        Outcome::Sent { reply } => (None, Some(reply.clone())),
        Outcome::Temporary { code, detail } | Outcome::Permanent { code, detail } => {
            (*code, Some(detail.clone()))
        }
        Outcome::Uncertain { detail } => (None, Some(detail.clone())),
    };
    let mut tx = db.begin_write("record a send").await?;
    tx.execute(
        Query::new(
            "INSERT INTO backoffice_outbox_attempts (message_id, attempt, started_at, finished_at, \
             outcome, smtp_code, detail) VALUES (",
        )
        .bind(msg.id)
        .sql(", ")
        .bind(i64::from(msg.attempt))
        .sql(", ")
        .bind(started)
        .sql(", ")
        .bind(now)
        .sql(", ")
        .bind(outcome.name())
        .sql(", ")
        .bind(code.map(i64::from))
        .sql(", ")
        .bind(detail.clone())
        .sql(")"),
        "cannot record the attempt",
    )
    .await?;
    let mut q = Query::new("UPDATE backoffice_outbox SET ");
    match outcome {
        Outcome::Sent { reply } => {
            q.sql("status = 'sent', sent_at = ")
                .bind(now)
                .sql(", smtp_reply = ")
                .bind(reply.as_str())
                .sql(", last_error = NULL");
        }
        Outcome::Temporary { detail, .. } if msg.attempt < retry.max_attempts => {
            q.sql("status = 'queued', due_at = ")
                .bind(later(now, retry.after))
                .sql(", last_error = ")
                .bind(detail.as_str());
        }
        Outcome::Temporary { detail, .. } | Outcome::Permanent { detail, .. } => {
            q.sql("status = 'failed', last_error = ")
                .bind(detail.as_str());
        }
        Outcome::Uncertain { detail } => {
            q.sql("status = 'uncertain', last_error = ")
                .bind(detail.as_str());
        }
    }
    q.sql(", lease_owner = NULL, send_started_at = NULL, updated_at = ")
        .bind(now)
        .sql(", version = version + 1 WHERE id = ")
        .bind(msg.id)
        .sql(" AND lease_owner = ")
        .bind(msg.claim.as_str())
        .sql(" AND attempts = ")
        .bind(i64::from(msg.attempt))
        .sql(" AND status IN ('sending', 'uncertain')");
    tx.execute(&q, "cannot record the outcome").await?;
    tx.commit().await?;
    Ok(())
}

/// Hands back claimed messages that were never started (on cancel, or when
/// the server cannot be reached): their attempt is not spent.
pub(crate) async fn release(db: &Db, ids: &[i64], claim: &str, now: DateTime<Utc>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write("release outbox messages").await?;
    let mut q = Query::new(
        "UPDATE backoffice_outbox SET status = 'queued', attempts = attempts - 1, lease_owner = NULL, due_at = ",
    );
    q.bind(now)
        .sql(", updated_at = ")
        .bind(now)
        .sql(" WHERE lease_owner = ")
        .bind(claim)
        .sql(" AND status = 'sending' AND send_started_at IS NULL AND id IN ")
        .bind_list(ids.iter().copied());
    tx.execute(&q, "cannot release outbox messages").await?;
    tx.commit().await
}
