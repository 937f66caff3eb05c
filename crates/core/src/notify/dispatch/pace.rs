//! How fast messages leave: the profile's rate limit, and the wait before
//! a retry.

use std::time::Duration;

use rand::Rng;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces sends at least `interval` apart, across all of one dispatcher's
/// connections.
pub(crate) struct RateLimit {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    pub(crate) fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for this sender's slot.
    pub(crate) async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// Tries a dispatcher bookkeeping transaction again when it failed with a
/// conflict: two connections claiming, stamping or finishing at once can
/// deadlock on MariaDB/PostgreSQL (reported as a conflict), and those
/// transactions change nothing when they fail. Other errors, and a
/// conflict that persists, are returned.
pub(crate) async fn again<T, F, Fut>(mut op: F) -> crate::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = crate::Result<T>>,
{
    const TRIES: u64 = 4;
    let mut tried = 1;
    loop {
        match op().await {
            Err(crate::Error::Conflict(_)) if tried < TRIES => {
                let jitter = rand::thread_rng().gen_range(0..20);
                tokio::time::sleep(Duration::from_millis(20 * tried + jitter)).await;
                tried += 1;
            }
            other => return other,
        }
    }
}

/// The wait before attempt `attempt + 1` after a temporary failure:
/// exponential from `base`, capped, with ±25% jitter so that messages
/// refused together do not come back together.
pub(crate) fn backoff(attempt: i32, base: Duration, cap: Duration) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    let plain = base.saturating_mul(2u32.saturating_pow(exp)).min(cap);
    plain.mul_f64(rand::thread_rng().gen_range(0.75..1.25))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_secs(30);
        let cap = Duration::from_secs(3600);
        for attempt in 1..=10 {
            let d = backoff(attempt, base, cap);
            let plain = (base * 2u32.pow((attempt - 1) as u32)).min(cap);
            assert!(
                d >= plain.mul_f64(0.75) && d <= plain.mul_f64(1.25),
                "{attempt}: {d:?}"
            );
        }
        assert!(backoff(40, base, cap) <= cap.mul_f64(1.25));
    }

    #[tokio::test(start_paused = true)]
    async fn conflicts_are_tried_again_a_few_times() {
        use crate::Error;
        let calls = std::cell::Cell::new(0);
        let twice = again(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(Error::Conflict("deadlock".into()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(twice.unwrap(), 3);
        calls.set(0);
        let always = again(|| {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(Error::Conflict("deadlock".into())) }
        })
        .await;
        assert!(always.is_err());
        assert_eq!(calls.get(), 4, "gives up after four tries");
        calls.set(0);
        let other = again(|| {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(Error::validation("bad")) }
        })
        .await;
        assert!(other.is_err());
        assert_eq!(calls.get(), 1, "other errors are not retried");
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limit_spaces_sends() {
        let limit = RateLimit::new(Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..5 {
            limit.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
