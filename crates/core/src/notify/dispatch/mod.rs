//! The dispatcher: claims due outbox messages, sends them over SMTP (or
//! asks the back end to send its own, see [`form`]) and
//! records what happened, with several connections at once, the profile's
//! rate limit, retries with backoff, and leases that let another run pick
//! up what a killed one left.

mod claim;
#[cfg(test)]
mod claim_tests;
mod form;
mod http;
mod options;
mod outage;
mod pace;
mod smtp;
mod socket;
mod webhook;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures_util::future::join_all;

use super::links::{BackendLinks, Links};
use super::templates;
use super::{Channel, MailSettings};
use crate::db::{retry_contended, Db};
use crate::mapping::Sends;
use crate::operators::Permission;
use crate::progress::CancelToken;
use crate::secrets::Secret;
use crate::session::Ctx;
use crate::time::micros;
use crate::Result;

use claim::{Claimed, Outcome, Retry};
use options::add;
pub use options::{DispatchOptions, DispatchReport};
pub use outage::Outage;
use outage::OutageState;
use pace::RateLimit;
use smtp::{Connect, Letter, Smtp};

pub struct Dispatcher<'a> {
    db: &'a Db,
    links: Links,
    settings: MailSettings,
    password: Option<Secret>,
    /// Authorities trusted besides the public ones, for the back end's
    /// HTTPS too.
    ca_pem: Option<Vec<u8>>,
    options: DispatchOptions,
    owner: String,
    /// Numbers this dispatcher's claims: each claim has its own identity.
    claims: AtomicU64,
    limit: RateLimit,
    outage: OutageState,
}

impl<'a> Dispatcher<'a> {
    /// A dispatcher for the signed-in operator; `password` is the SMTP
    /// password from the keychain, when the server asks for one.
    pub fn new(
        ctx: &Ctx<'a>,
        settings: MailSettings,
        password: Option<Secret>,
        options: DispatchOptions,
    ) -> Result<Self> {
        ctx.require(Permission::SendNotifications)?;
        ctx.db.ensure_writable("send notifications")?;
        settings.validate()?;
        let mut tag = [0u8; 4];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut tag);
        // Kept within the column's 100 characters with the claim number.
        let owner = format!(
            "{}:{}:{}",
            ctx.operator.username().chars().take(40).collect::<String>(),
            std::process::id(),
            hex::encode(tag)
        );
        Ok(Dispatcher {
            db: ctx.db,
            links: Links {
                base: settings.link_base.clone(),
                backend: None,
                operator: ctx.operator.username().to_string(),
            },
            limit: RateLimit::new(settings.interval()),
            ca_pem: settings.extra_roots()?,
            settings,
            password,
            outage: OutageState::new(options.reconnect, options.reconnect_cap),
            options,
            owner,
            claims: AtomicU64::new(0),
        })
    }

    /// Links in the back end's own format, as its mapping says, keyed with
    /// its secret.
    pub fn for_backend(mut self, backend: Arc<BackendLinks>) -> Self {
        self.links.backend = Some(backend);
        self
    }

    /// A new claim identity: this dispatcher's owner and a number.
    fn next_claim(&self) -> String {
        format!(
            "{}/{}",
            self.owner,
            self.claims.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The outage this dispatcher is waiting out, if any.
    pub fn outage(&self) -> Option<Outage> {
        self.outage.current()
    }

    /// Sends everything due now, then returns. `report` sees the running
    /// totals after each message, and at the end. While the server is
    /// down (see [`Outage`]) nothing is claimed until its next try.
    pub async fn run_once(
        &self,
        cancel: &CancelToken,
        report: &(dyn Fn(&DispatchReport) + Sync),
    ) -> Result<DispatchReport> {
        if self.outage.wait(Utc::now()).is_some() {
            let r = DispatchReport {
                unreachable: self.outage(),
                ..DispatchReport::default()
            };
            report(&r);
            return Ok(r);
        }
        let (recovered, interrupted) =
            retry_contended(|| claim::recover(self.db, micros(Utc::now()))).await?;
        let totals = Mutex::new(DispatchReport {
            recovered,
            interrupted,
            ..DispatchReport::default()
        });
        let workers =
            (0..self.options.connections.max(1)).map(|_| self.worker(cancel, &totals, report));
        for result in join_all(workers).await {
            result?;
        }
        let mut totals = totals.lock().map(|t| t.clone()).unwrap_or_default();
        totals.unreachable = self.outage();
        report(&totals);
        Ok(totals)
    }

    /// Keeps sending until cancelled, looking for due messages every
    /// `poll`. Returns the totals.
    pub async fn watch(
        &self,
        cancel: &CancelToken,
        report: &(dyn Fn(&DispatchReport) + Sync),
    ) -> Result<DispatchReport> {
        let mut all = DispatchReport::default();
        while !cancel.is_cancelled() {
            let base = all.clone();
            let run = self
                .run_once(cancel, &|r: &DispatchReport| report(&add(&base, r)))
                .await?;
            all = add(&all, &run);
            let pause = self.outage.wait(Utc::now()).unwrap_or(self.options.poll);
            let mut waited = Duration::ZERO;
            while waited < pause && !cancel.is_cancelled() {
                let step = Duration::from_millis(100);
                tokio::time::sleep(step).await;
                waited += step;
            }
        }
        Ok(all)
    }

    /// One connection: claim a batch, send it, until nothing is due or the
    /// server turns out to be down.
    async fn worker(
        &self,
        cancel: &CancelToken,
        totals: &Mutex<DispatchReport>,
        report: &(dyn Fn(&DispatchReport) + Sync),
    ) -> Result<()> {
        let mut smtp = Smtp::new(&self.settings, self.password.as_ref(), self.options.timeout)?;
        let mut down = false;
        while !cancel.is_cancelled() && !down {
            let now = micros(Utc::now());
            let (batch_size, lease) = (self.options.batch, self.options.lease);
            let claim_id = self.next_claim();
            let batch = retry_contended(|| {
                claim::claim(self.db, &self.links, &claim_id, batch_size, lease, now)
            })
            .await?;
            if batch.is_empty() {
                break;
            }
            let mut rest: Vec<i64> = batch.iter().map(|m| m.id).collect();
            for msg in &batch {
                if cancel.is_cancelled() {
                    break;
                }
                self.limit.wait().await;
                let (outcome, retry) = match self.deliver(&mut smtp, msg).await? {
                    Delivery::Done(outcome, retry) => (outcome, retry),
                    Delivery::LeaseLost => {
                        rest.retain(|id| *id != msg.id);
                        continue;
                    }
                    // This message and the rest go back unspent.
                    Delivery::Unreachable => {
                        down = true;
                        break;
                    }
                };
                rest.retain(|id| *id != msg.id);
                let snapshot = totals.lock().map(|mut t| {
                    t.count(&outcome, msg.attempt < retry.max_attempts);
                    t.clone()
                });
                if let Ok(t) = snapshot {
                    report(&t);
                }
            }
            retry_contended(|| claim::release(self.db, &rest, &claim_id, micros(Utc::now())))
                .await?;
        }
        smtp.quit().await;
        Ok(())
    }

    /// Sends one claimed message and records the outcome. The connection
    /// is opened (or the back end's form read) before the send is stamped
    /// as started, so a server that is down costs the message nothing.
    async fn deliver(&self, smtp: &mut Smtp, msg: &Claimed) -> Result<Delivery> {
        let ready = match msg.channel {
            Channel::Email => match self.letter(msg) {
                Err(detail) => Ready::Fails(Outcome::Permanent { code: None, detail }),
                Ok(letter) => match smtp.ready().await {
                    Connect::Down(detail) => {
                        tracing::warn!("the mail server is unreachable: {detail}");
                        self.outage.failed(detail.clone(), Utc::now());
                        return Ok(Delivery::Unreachable);
                    }
                    Connect::Ready => {
                        self.outage.ended();
                        Ready::Letter(letter)
                    }
                    Connect::Failed(outcome) => Ready::Fails(outcome),
                },
            },
            Channel::Backend => match self.backend_form(msg).await {
                Ok(post) => Ready::Post(post),
                Err(outcome) => Ready::Fails(outcome),
            },
        };
        let started = micros(Utc::now());
        let lease = self.options.lease;
        if !retry_contended(|| claim::start(self.db, msg, lease, started)).await? {
            return Ok(Delivery::LeaseLost);
        }
        let outcome = match ready {
            Ready::Fails(outcome) => outcome,
            Ready::Letter(letter) => smtp.send(&letter).await,
            Ready::Post(post) => post.send(self.options.timeout, &self.ca_pem).await,
        };
        let retry = Retry {
            max_attempts: self.options.max_attempts,
            after: pace::backoff(msg.attempt, self.options.backoff, self.options.backoff_cap),
        };
        let now = micros(Utc::now());
        retry_contended(|| claim::finish(self.db, msg, started, &outcome, &retry, now)).await?;
        Ok(Delivery::Done(outcome, retry))
    }

    /// The back end's form for a message it sends itself, read and ready
    /// to post; the error is the attempt's outcome.
    async fn backend_form(&self, msg: &Claimed) -> std::result::Result<form::Post, Outcome> {
        if let Some(why) = &msg.broken {
            return Err(Outcome::Permanent {
                code: None,
                detail: why.clone(),
            });
        }
        let kind = msg.template.id();
        let sends = self
            .links
            .backend
            .as_ref()
            .and_then(|b| b.mapping.sends(kind))
            .ok_or_else(|| Outcome::Permanent {
                code: None,
                detail: format!(
                    "the back end was to send this {} itself, and the mapping in effect no \
                     longer says how ([sends.{kind}]); nothing was sent",
                    kind.replace('_', " ")
                ),
            })?;
        if let Sends::Webhook { path } = sends {
            let backend = self.links.backend.as_ref().expect("a mapping says how");
            let secret = backend.webhook_secret().map_err(|e| Outcome::Permanent {
                code: None,
                detail: format!("{e}; nothing was sent"),
            })?;
            return webhook::prepare(&self.links.base, path, secret, msg, Utc::now());
        }
        let timeout = self.options.timeout;
        form::prepare(
            &self.links.base,
            sends,
            &msg.recipient,
            timeout,
            &self.ca_pem,
        )
        .await
    }

    /// Renders the message; the error says why it can never be sent.
    fn letter(&self, msg: &Claimed) -> std::result::Result<Letter, String> {
        if let Some(why) = &msg.broken {
            return Err(why.clone());
        }
        let link = msg.link.as_ref().map(|l| l.as_str());
        let rendered =
            templates::render(msg.template, &msg.vars, link).map_err(|e| e.to_string())?;
        Letter::build(&self.settings, msg, &rendered)
    }
}

/// A message ready to go, or the outcome that stops it.
enum Ready {
    Letter(Letter),
    Post(form::Post),
    Fails(Outcome),
}

/// What became of one claimed message.
enum Delivery {
    Done(Outcome, Retry),
    /// The claim was lost before the send started; left alone.
    LeaseLost,
    /// The server did not accept a connection; nothing was started.
    Unreachable,
}
