//! The mail server's own state, apart from any message's: a server that
//! does not accept connections is down, not refusing a message. While it
//! is down the dispatcher waits as a whole, with a growing pause up to a
//! ceiling, and no message spends an attempt on it.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The mail server could not be reached: since when, why, and when the
/// dispatcher tries again.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    pub since: DateTime<Utc>,
    pub next_try: DateTime<Utc>,
    /// The last connection failure, e.g. "connecting to smtp:25: refused".
    pub detail: String,
}

impl Outage {
    /// "mail server unreachable since 12:00:03 UTC, next try at 12:01:03
    /// UTC (connecting to …: Connection refused)".
    pub fn describe(&self) -> String {
        format!(
            "mail server unreachable since {}, next try at {} ({}); no message spent an attempt",
            self.since.format("%Y-%m-%d %H:%M:%S UTC"),
            self.next_try.format("%H:%M:%S UTC"),
            self.detail
        )
    }
}

/// The dispatcher's record of an outage, shared by its connections.
pub(crate) struct OutageState {
    first_wait: Duration,
    ceiling: Duration,
    state: Mutex<Option<(Outage, u32)>>,
}

impl OutageState {
    pub(crate) fn new(first_wait: Duration, ceiling: Duration) -> Self {
        OutageState {
            first_wait,
            ceiling,
            state: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Outage, u32)>> {
        // The value is replaced whole under the lock: never half-written.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn current(&self) -> Option<Outage> {
        self.lock().as_ref().map(|(o, _)| o.clone())
    }

    /// A connection failed as a down server fails. Several connections
    /// failing in the same round count as one failure.
    pub(crate) fn failed(&self, detail: String, now: DateTime<Utc>) {
        let mut state = self.lock();
        let (since, failures) = match state.as_ref() {
            Some((o, n)) if now < o.next_try => (o.since, *n),
            Some((o, n)) => (o.since, n + 1),
            None => (now, 1),
        };
        let wait = self
            .first_wait
            .saturating_mul(1 << (failures - 1).min(16))
            .min(self.ceiling);
        let next_try = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
        *state = Some((
            Outage {
                since,
                next_try,
                detail,
            },
            failures,
        ));
    }

    /// A connection was accepted: the outage, if any, is over.
    pub(crate) fn ended(&self) {
        let mut state = self.lock();
        if state.take().is_some() {
            tracing::info!("the mail server accepts connections again");
        }
    }

    /// How long until the next try, when the server is down.
    pub(crate) fn wait(&self, now: DateTime<Utc>) -> Option<Duration> {
        let o = self.current()?;
        (o.next_try > now).then(|| (o.next_try - now).to_std().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_ceiling_and_a_round_counts_once() {
        let s = OutageState::new(Duration::from_secs(5), Duration::from_secs(60));
        let t0 = Utc::now();
        s.failed("refused".into(), t0);
        s.failed("refused".into(), t0); // another connection, same round
        assert_eq!(s.wait(t0), Some(Duration::from_secs(5)));
        let mut t = t0;
        let mut waits = Vec::new();
        for _ in 0..6 {
            t += chrono::Duration::seconds(61);
            s.failed("refused".into(), t);
            waits.push(s.wait(t).unwrap().as_secs());
        }
        assert_eq!(waits, [10, 20, 40, 60, 60, 60]);
        assert_eq!(s.current().unwrap().since, t0, "since the first failure");
        s.ended();
        assert_eq!(s.current(), None);
        assert_eq!(s.wait(t), None);
    }
}
