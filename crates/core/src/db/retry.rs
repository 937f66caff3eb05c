//! Trying a short write transaction again when it met another writer.
//! PostgreSQL and MariaDB resolve a deadlock by failing one side, a
//! serialisable transaction may fail to commit, and SQLite answers busy
//! when its timeout runs out: each rolls back, so the whole transaction can
//! be run again. Other errors (a stale version included) are returned at
//! once.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::{Error, Result};

const TRIES: u64 = 4;

/// Runs `op` (one whole transaction) up to four times while it fails with
/// [`Error::Contended`], waiting a little longer, with jitter, each time.
pub async fn retry_contended<T, F, Fut>(mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut tried = 1;
    loop {
        match op().await {
            Err(Error::Contended(_)) if tried < TRIES => {
                let jitter = rand::thread_rng().gen_range(0..20);
                tokio::time::sleep(Duration::from_millis(20 * tried + jitter)).await;
                tried += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn contention_is_tried_again_a_few_times_and_nothing_else_is() {
        let calls = std::cell::Cell::new(0);
        let third = retry_contended(|| {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(Error::Contended("deadlock".into()))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(third.unwrap(), 3);
        calls.set(0);
        let always = retry_contended(|| {
            calls.set(calls.get() + 1);
            async { Err::<(), _>(Error::Contended("deadlock".into())) }
        })
        .await;
        assert!(matches!(always, Err(Error::Contended(_))));
        assert_eq!(calls.get(), 4, "gives up after four tries");
        for refusal in [
            Error::Conflict("version 3 is stale".into()),
            Error::validation("bad"),
        ] {
            calls.set(0);
            let mut once = Some(refusal);
            let result = retry_contended(|| {
                calls.set(calls.get() + 1);
                let e = once.take().expect("called once");
                async move { Err::<(), _>(e) }
            })
            .await;
            assert!(result.is_err());
            assert_eq!(calls.get(), 1, "not retried");
        }
    }
}
