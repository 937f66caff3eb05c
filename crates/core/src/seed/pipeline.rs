//! Generating rows while the database writes: SQLite does its work on a
//! thread of its own, and so does the generator, so on two cores the next
//! chunk is ready when the last one is written. A few chunks wait at most,
//! so memory stays bounded whatever the size of the seed.

use std::ops::RangeInclusive;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::writer::Batch;
use crate::{Error, Result};

/// One chunk's rows, all tables, and how many units (users, orders) made them.
pub(crate) struct Chunk {
    pub units: u64,
    pub batches: Vec<Batch>,
}

/// Chunks generated ahead of the writer.
const AHEAD: usize = 2;

/// Rows `1..=total` generated `chunk` units at a time by `make`, which keeps
/// what it learns in `state` (handed back by [`Generator::finish`]).
pub(crate) struct Generator<S> {
    chunks: mpsc::Receiver<Chunk>,
    done: JoinHandle<S>,
}

impl<S: Send + 'static> Generator<S> {
    pub(crate) fn start<F>(total: u64, chunk: u64, mut state: S, mut make: F) -> Self
    where
        F: FnMut(&mut S, RangeInclusive<u64>) -> Vec<Batch> + Send + 'static,
    {
        let (tx, chunks) = mpsc::channel(AHEAD);
        let done = tokio::task::spawn_blocking(move || {
            let mut start = 1;
            while start <= total {
                let end = (start + chunk - 1).min(total);
                let batches = make(&mut state, start..=end);
                let units = end - start + 1;
                if tx.blocking_send(Chunk { units, batches }).is_err() {
                    break; // the writer stopped: cancelled or failed
                }
                start = end + 1;
            }
            state
        });
        Generator { chunks, done }
    }

    /// The next chunk, or `None` once every row is out (or the generator died:
    /// [`Generator::finish`] says which).
    pub(crate) async fn next(&mut self) -> Option<Chunk> {
        self.chunks.recv().await
    }

    /// Waits for the generator and returns its state.
    pub(crate) async fn finish(self) -> Result<S> {
        drop(self.chunks);
        self.done
            .await
            .map_err(|e| Error::internal(format!("generating demo data failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_arrive_in_order_and_the_state_comes_back() {
        let mut g = Generator::start(45, 10, Vec::new(), |seen: &mut Vec<u64>, rows| {
            seen.extend(rows);
            vec![Batch::new("t", &["id"])]
        });
        let mut units = Vec::new();
        while let Some(c) = g.next().await {
            units.push(c.units);
        }
        assert_eq!(units, [10, 10, 10, 10, 5]);
        assert_eq!(g.finish().await.unwrap(), (1..=45).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_writer_that_stops_stops_the_generator() {
        let mut g = Generator::start(1_000_000, 1, 0u64, |made: &mut u64, _| {
            *made += 1;
            Vec::new()
        });
        g.next().await.unwrap();
        // Dropping the receiver ends the loop at the next send.
        let made = g.finish().await.unwrap();
        assert!(made < 1_000_000, "{made}");
    }

    #[tokio::test]
    async fn a_generator_that_panics_is_an_error() {
        let mut g = Generator::start(3, 1, (), |_, rows| {
            assert!(*rows.start() < 2, "planted failure");
            Vec::new()
        });
        while g.next().await.is_some() {}
        let err = g.finish().await.unwrap_err();
        assert!(
            err.to_string().contains("generating demo data failed"),
            "{err}"
        );
    }
}
