//! How the dispatcher works (its options), and what a run did.

use std::time::Duration;

use serde::Serialize;

use super::claim::Outcome;
use super::outage::Outage;

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
    /// The pause after the server first refuses connections; doubled at
    /// each further refusal, up to `reconnect_cap`. No message spends an
    /// attempt on a server that is down.
    pub reconnect: Duration,
    pub reconnect_cap: Duration,
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
            reconnect: Duration::from_secs(5),
            reconnect_cap: Duration::from_secs(300),
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
    /// Set while the mail server does not accept connections.
    pub unreachable: Option<Outage>,
}

impl DispatchReport {
    pub(super) fn count(&mut self, outcome: &Outcome, will_retry: bool) {
        match outcome {
            Outcome::Sent { .. } => self.sent += 1,
            Outcome::Temporary { .. } if will_retry => self.retrying += 1,
            Outcome::Temporary { .. } | Outcome::Permanent { .. } => self.failed += 1,
            Outcome::Uncertain { .. } => self.uncertain += 1,
        }
    }
}

pub(super) fn add(a: &DispatchReport, b: &DispatchReport) -> DispatchReport {
    DispatchReport {
        sent: a.sent + b.sent,
        retrying: a.retrying + b.retrying,
        failed: a.failed + b.failed,
        uncertain: a.uncertain + b.uncertain,
        recovered: a.recovered + b.recovered,
        interrupted: a.interrupted + b.interrupted,
        unreachable: b.unreachable.clone(),
    }
}
