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
    async fn rate_limit_spaces_sends() {
        let limit = RateLimit::new(Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..5 {
            limit.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }
}
