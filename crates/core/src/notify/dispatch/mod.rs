//! The dispatcher: claims due outbox messages, sends them over SMTP and
//! records what happened, with several connections at once, the profile's
//! rate limit, retries with backoff, and leases that let another run pick
//! up what a killed one left.

mod claim;
mod pace;
mod smtp;
mod socket;

use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use futures_util::future::join_all;
use serde::Serialize;

use super::templates;
use super::MailSettings;
use crate::db::{retry_contended, Db};
use crate::operators::Permission;
use crate::progress::CancelToken;
use crate::secrets::Secret;
use crate::session::Ctx;
use crate::time::micros;
use crate::Result;

use claim::{Claimed, Outcome, Retry};
use pace::RateLimit;
use smtp::{Letter, Smtp};

/// How the dispatcher works; the defaults suit a real relay.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Messages one connection claims at a time.
    pub batch: usize,
    /// SMTP connections used at once.
    pub connections: usize,
    /// How long a claim holds a message before another run may take it.
    pub lease: Duration,
    /// Attempts before a temporarily refused message is failed.
    pub max_attempts: i32,
    /// The first retry's wait; doubled each time, up to `backoff_cap`.
    pub backoff: Duration,
    pub backoff_cap: Duration,
    /// Longest wait for the server at any step.
    pub timeout: Duration,
    /// In `watch`, the pause when nothing is due.
    pub poll: Duration,
}

impl Default for DispatchOptions {
    fn default() -> Self {
        DispatchOptions {
            batch: 20,
            connections: 4,
            lease: Duration::from_secs(120),
            max_attempts: 5,
            backoff: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(3600),
            timeout: Duration::from_secs(30),
            poll: Duration::from_secs(2),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DispatchReport {
    pub sent: u64,
    /// Temporarily refused, queued for a later attempt.
    pub retrying: u64,
    pub failed: u64,
    pub uncertain: u64,
    /// Left by a dispatcher that stopped: queued again (never started).
    pub recovered: u64,
    /// Left by a dispatcher that stopped mid-send: marked uncertain.
    pub interrupted: u64,
}

impl DispatchReport {
    fn count(&mut self, outcome: &Outcome, will_retry: bool) {
        match outcome {
            Outcome::Sent { .. } => self.sent += 1,
            Outcome::Temporary { .. } if will_retry => self.retrying += 1,
            Outcome::Temporary { .. } | Outcome::Permanent { .. } => self.failed += 1,
            Outcome::Uncertain { .. } => self.uncertain += 1,
        }
    }
}

pub struct Dispatcher<'a> {
    db: &'a Db,
    settings: MailSettings,
    password: Option<Secret>,
    options: DispatchOptions,
    owner: String,
    limit: RateLimit,
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
        let owner = format!(
            "{}:{}:{}",
            ctx.operator.username(),
            std::process::id(),
            hex::encode(tag)
        );
        Ok(Dispatcher {
            db: ctx.db,
            limit: RateLimit::new(settings.interval()),
            settings,
            password,
            options,
            owner,
        })
    }

    /// Sends everything due now, then returns. `report` sees the running
    /// totals after each message.
    pub async fn run_once(
        &self,
        cancel: &CancelToken,
        report: &(dyn Fn(&DispatchReport) + Sync),
    ) -> Result<DispatchReport> {
        let (recovered, interrupted) = claim::recover(self.db, micros(Utc::now())).await?;
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
        let totals = totals.lock().map(|t| t.clone()).unwrap_or_default();
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
            let mut waited = Duration::ZERO;
            while waited < self.options.poll && !cancel.is_cancelled() {
                let step = Duration::from_millis(100);
                tokio::time::sleep(step).await;
                waited += step;
            }
        }
        Ok(all)
    }

    /// One connection: claim a batch, send it, until nothing is due.
    async fn worker(
        &self,
        cancel: &CancelToken,
        totals: &Mutex<DispatchReport>,
        report: &(dyn Fn(&DispatchReport) + Sync),
    ) -> Result<()> {
        let mut smtp = Smtp::new(&self.settings, self.password.as_ref(), self.options.timeout)?;
        loop {
            if cancel.is_cancelled() {
                break;
            }
            let now = micros(Utc::now());
            let (owner, batch_size, lease) = (&self.owner, self.options.batch, self.options.lease);
            let batch =
                retry_contended(|| claim::claim(self.db, owner, batch_size, lease, now)).await?;
            if batch.is_empty() {
                break;
            }
            let mut rest: Vec<i64> = batch.iter().map(|m| m.id).collect();
            for msg in &batch {
                if cancel.is_cancelled() {
                    break;
                }
                rest.retain(|id| *id != msg.id);
                self.limit.wait().await;
                let Some((outcome, retry)) = self.deliver(&mut smtp, msg).await? else {
                    continue;
                };
                let snapshot = totals.lock().map(|mut t| {
                    t.count(&outcome, msg.attempt < retry.max_attempts);
                    t.clone()
                });
                if let Ok(t) = snapshot {
                    report(&t);
                }
            }
            retry_contended(|| claim::release(self.db, &rest, &self.owner, micros(Utc::now())))
                .await?;
        }
        smtp.quit().await;
        Ok(())
    }

    /// Sends one claimed message and records the outcome; `None` when the
    /// lease was lost and the message was left alone.
    async fn deliver(&self, smtp: &mut Smtp, msg: &Claimed) -> Result<Option<(Outcome, Retry)>> {
        let started = micros(Utc::now());
        let lease = self.options.lease;
        if !retry_contended(|| claim::start(self.db, msg.id, &self.owner, lease, started)).await? {
            return Ok(None);
        }
        let outcome = match self.letter(msg) {
            Ok(letter) => smtp.send(&letter).await,
            Err(detail) => Outcome::Permanent { code: None, detail },
        };
        let retry = Retry {
            max_attempts: self.options.max_attempts,
            after: pace::backoff(msg.attempt, self.options.backoff, self.options.backoff_cap),
        };
        let now = micros(Utc::now());
        retry_contended(|| {
            claim::finish(self.db, msg, &self.owner, started, &outcome, &retry, now)
        })
        .await?;
        Ok(Some((outcome, retry)))
    }

    /// Renders the message; the error says why it can never be sent.
    fn letter(&self, msg: &Claimed) -> std::result::Result<Letter, String> {
        if let Some(why) = &msg.broken {
            return Err(why.clone());
        }
        let link = msg
            .token
            .as_ref()
            .and_then(|t| templates::link(&self.settings.link_base, msg.template, t));
        let rendered = templates::render(msg.template, &msg.vars, link.as_deref())
            .map_err(|e| e.to_string())?;
        Letter::build(&self.settings, msg, &rendered)
    }
}

fn add(a: &DispatchReport, b: &DispatchReport) -> DispatchReport {
    DispatchReport {
        sent: a.sent + b.sent,
        retrying: a.retrying + b.retrying,
        failed: a.failed + b.failed,
        uncertain: a.uncertain + b.uncertain,
        recovered: a.recovered + b.recovered,
        interrupted: a.interrupted + b.interrupted,
    }
}
