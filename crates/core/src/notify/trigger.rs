//! Triggering a notification: one outbox row, written in the caller's
//! transaction, unless the same notification was queued inside the
//! idempotency window.
//!
//! The key is the template, the entity and the recipient's address (or a
//! key the caller gives). Its row in `backoffice_outbox_keys` is inserted if
//! missing and then locked, so two operators pressing Send at the same
//! moment are ordered: the second sees the first's message and is told
//! "already sent … by …" instead of queueing another.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map};

use super::outbox::{self, Channel, OutboxMessage};
use super::policy::Policy;
use super::queue::{self, NewMessage};
use super::templates::{self, Rendered, BASE_PLACEHOLDER, TOKEN_PLACEHOLDER};
use super::vars::{self, Subject};
use super::Template;
use crate::audit::{self, Record};
use crate::db::{Query, Source, WriteTx};
use crate::session::Ctx;
use crate::users::{clean_text, unmasked};
use crate::{time, Error, Result};

const MAX_SUBJECT_CHARS: usize = 200;
const MAX_BODY_CHARS: usize = 10_000;
const MAX_KEY_CHARS: usize = 200;

/// The subject and text of a message written by support.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct FreeForm {
    pub subject: String,
    pub body: String,
}

/// What to send, to whom, about what.
#[derive(Debug, Clone, Deserialize)]
pub struct Trigger {
    pub template: Template,
    /// The recipient, by the back end's user key; may be left out when
    /// `order` is given.
    #[serde(default)]
    pub user: Option<String>,
    /// The order it is about: its key, or on a back end of its own its
    /// number.
    #[serde(default)]
    pub order: Option<String>,
    /// For the support message.
    #[serde(default)]
    pub message: Option<FreeForm>,
    /// An explicit idempotency key instead of template + entity + address.
    #[serde(default)]
    pub key: Option<String>,
    /// Queue even if the same notification was queued inside the window
    /// (audited as such).
    #[serde(default)]
    pub force: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Trigger {
    pub fn new(template: Template, user: impl ToString) -> Self {
        Trigger {
            template,
            user: Some(user.to_string()),
            order: None,
            message: None,
            key: None,
            force: false,
            reason: None,
        }
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            user: self.user.as_deref().map(str::trim),
            order: self.order.as_deref().map(str::trim),
        }
    }

    /// Checks the free text, the key and the reason; returns them trimmed.
    fn checked(mut self) -> Result<Trigger> {
        let required = |what: &str, text: String| -> Result<String> {
            if text.is_empty() {
                Err(Error::validation(format!("the {what} is empty")))
            } else {
                Ok(text)
            }
        };
        if let Some(m) = &self.message {
            let subject = required(
                "subject",
                clean_text("subject", &m.subject, MAX_SUBJECT_CHARS)?,
            )?;
            // The text may span lines, so only its length is checked.
            let body = required("message text", m.body.trim().to_string())?;
            if body.chars().count() > MAX_BODY_CHARS {
                return Err(Error::validation(format!(
                    "the message text is longer than {MAX_BODY_CHARS} characters"
                )));
            }
            self.message = Some(FreeForm { subject, body });
        } else if self.template == Template::SupportMessage {
            return Err(Error::validation(
                "a support message needs a subject and a text",
            ));
        }
        if let Some(k) = &self.key {
            let key = clean_text("idempotency key", k, MAX_KEY_CHARS)?;
            self.key = Some(required("idempotency key", key)?);
        }
        self.reason = if self.force {
            Some(crate::reason::required(
                "send it again anyway",
                self.reason.as_deref(),
            )?)
        } else {
            crate::reason::optional(self.reason.as_deref())?
        };
        Ok(self)
    }
}

/// The answer to a repeat inside the window.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AlreadySent {
    /// The message queued first, with its status now.
    pub original: OutboxMessage,
    /// "already sent 4 minutes ago by operator support (message 12, sent)".
    pub notice: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Triggered {
    Queued { message: OutboxMessage },
    AlreadySent(AlreadySent),
}

/// Renders what the trigger would send, without queueing anything. Links
/// show a placeholder where the token will be.
pub async fn preview(ctx: &Ctx<'_>, policy: &Policy, trigger: Trigger) -> Result<Rendered> {
    ctx.require(trigger.template.permission())?;
    let trigger = trigger.checked()?;
    let (_, vars) = vars::gather(
        &mut Source::Pool(ctx.db),
        ctx,
        policy.backend.as_deref(),
        trigger.template,
        trigger.subject(),
        trigger.message.as_ref(),
    )
    .await?;
    let vars = vars::for_operator(vars, unmasked(ctx));
    let base = policy.link_base.as_deref().unwrap_or(BASE_PLACEHOLDER);
    if let Some(sends) = policy
        .backend
        .as_ref()
        .and_then(|b| b.mapping.sends(trigger.template.id()))
    {
        let to = vars["user"]["email"].as_str().unwrap_or_default();
        let form = templates::on_site(base, sends.paths().1);
        return Ok(templates::by_backend(trigger.template, to, Some(&form)));
    }
    // A back end's link shows its path with the format's placeholders.
    let own = policy
        .backend
        .as_ref()
        .and_then(|b| b.mapping.link(trigger.template.id()));
    let link = match own {
        Some(l) => Some(templates::on_site(base, l.path())),
        None => templates::link(base, trigger.template, TOKEN_PLACEHOLDER),
    };
    templates::render(trigger.template, &vars, link.as_deref())
}

/// Queues the notification (or answers that it already was), audited.
pub async fn send(ctx: &Ctx<'_>, policy: &Policy, trigger: Trigger) -> Result<Triggered> {
    ctx.require(trigger.template.permission())?;
    let trigger = trigger.checked()?;
    if let Some(b) = &policy.backend {
        if b.mapping.sends(trigger.template.id()).is_none() {
            super::links::refuse_wrong_secret(ctx.db, b, trigger.template).await?;
        }
    }
    let mut tx = ctx.db.begin_write("queue a notification").await?;
    let outcome = enqueue(&mut tx, ctx, policy, &trigger).await?;
    let Triggered::Queued { message } = outcome else {
        return Ok(outcome); // nothing to write: dropping the transaction rolls back the key row
    };
    let mut after = Map::new();
    after.insert("template".into(), json!(trigger.template.id()));
    after.insert("message".into(), json!(message.id));
    after.insert("recipient_user".into(), json!(message.user_key));
    if let Some(o) = &message.order_key {
        after.insert("order".into(), json!(o));
    }
    audit::append(
        &mut tx,
        ctx.operator.username(),
        ctx.now,
        Record {
            action: if message.forced {
                "notify.force"
            } else {
                "notify.send"
            },
            entity_type: "notification",
            entity_id: message.id.to_string(),
            before: None,
            after: Some(after),
            reason: trigger.reason.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Triggered::Queued { message })
}

/// The default key: template, entity, address.
pub(crate) fn default_key(
    template: Template,
    order_key: Option<&str>,
    user_key: Option<&str>,
    email: &str,
) -> String {
    let entity = match (order_key, user_key) {
        (Some(o), _) => format!("order:{o}"),
        (None, Some(u)) => format!("user:{u}"),
        (None, None) => "address".to_string(),
    };
    format!("{}:{entity}:{}", template.id(), email.to_lowercase())
}

/// Writes the outbox row inside `tx`, or reports the message queued inside
/// the window. The caller audits and commits.
pub(crate) async fn enqueue(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    policy: &Policy,
    trigger: &Trigger,
) -> Result<Triggered> {
    let window = policy.window;
    let (recipient, vars) = vars::gather(
        &mut Source::Tx(tx),
        ctx,
        policy.backend.as_deref(),
        trigger.template,
        trigger.subject(),
        trigger.message.as_ref(),
    )
    .await?;
    let key = match &trigger.key {
        Some(k) => format!("key:{k}"),
        None => default_key(
            trigger.template,
            recipient.order_key.as_deref(),
            recipient.user_key.as_deref(),
            &recipient.email,
        ),
    };
    if let Some(original) = queue::lock_key(tx, &key, ctx.now).await? {
        let recent = original.created_at > ctx.now - window;
        if recent && original.status.blocks_repeat() && !trigger.force {
            let notice = format!(
                "already sent {} by operator {} (message {}, {}); nothing was queued",
                time::relative(original.created_at, ctx.now),
                original.created_by,
                original.id,
                original.status.as_str()
            );
            return Ok(Triggered::AlreadySent(AlreadySent {
                original: original.masked(unmasked(ctx)),
                notice,
            }));
        }
    }
    let link = templates::link(BASE_PLACEHOLDER, trigger.template, TOKEN_PLACEHOLDER);
    let rendered = templates::render(trigger.template, &vars, link.as_deref())?;
    let channel = match policy
        .backend
        .as_ref()
        .and_then(|b| b.mapping.sends(trigger.template.id()))
    {
        Some(_) => Channel::Backend,
        None => Channel::Email,
    };
    let row = NewMessage {
        template: trigger.template,
        recipient: &recipient,
        vars: &vars,
        subject: &rendered.subject,
        key: &key,
        forced: trigger.force,
        channel,
    };
    let id = queue::insert(tx, ctx, &row).await?;
    tx.execute(
        Query::new("UPDATE backoffice_outbox_keys SET message_id = ")
            .bind(id)
            .sql(", updated_at = ")
            .bind(ctx.now)
            .sql(" WHERE idempotency_key = ")
            .bind(key.as_str()),
        "cannot record the idempotency key",
    )
    .await?;
    let row = outbox::load(tx, id)
        .await?
        .ok_or_else(|| Error::internal("the queued message vanished"))?;
    Ok(Triggered::Queued {
        message: row.masked(unmasked(ctx)),
    })
}

/// Queues a verification email to a user's new address, inside the
/// transaction that changed it. Returns the message's id; none for an
/// account that takes no verification email (disabled).
pub(crate) async fn verify_new_address(
    tx: &mut WriteTx,
    ctx: &Ctx<'_>,
    user_id: i64,
) -> Result<Option<i64>> {
    let trigger = Trigger::new(Template::VerifyEmail, user_id);
    match enqueue(tx, ctx, &Policy::default(), &trigger).await {
        Ok(Triggered::Queued { message }) => Ok(Some(message.id)),
        Ok(Triggered::AlreadySent(sent)) => Ok(Some(sent.original.id)),
        Err(Error::Validation(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
