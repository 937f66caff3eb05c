//! Progress reporting and cancellation for long work, shared by every long
//! operation so the CLI and the desktop show them the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::{Error, Result};

/// A cheap, clonable flag: set it from anywhere and the work stops at its
/// next checkpoint, rolling back what it had not committed.
#[derive(Clone, Default, Debug)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Returns a `validation` error once cancelled, for use with `?`.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Validation("cancelled; nothing was written".into()))
        } else {
            Ok(())
        }
    }
}

/// One step of a long operation.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
pub struct Progress {
    /// What is being worked on ("users", "orders", a rule id…).
    pub stage: String,
    /// Units done and expected within the whole operation.
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// Receives progress; implemented by the CLI's progress bar and the
/// desktop's IPC channel.
pub trait ProgressSink: Send + Sync {
    fn report(&self, progress: Progress);
}

/// For callers that do not show progress.
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn report(&self, _progress: Progress) {}
}

impl<F: Fn(Progress) + Send + Sync> ProgressSink for F {
    fn report(&self, progress: Progress) {
        self(progress)
    }
}
