//! What a caller can do to a simulation in progress: ask it to stop, and
//! watch how far it has got. One policy for every driver: the stop flag is
//! checked between chunks of trials (and every so many events of a loaded
//! run); a stopped run returns [`super::SimError::Cancelled`] and its partial
//! figures are never reported.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Never set: the flag of runs nobody can stop.
static NEVER: AtomicBool = AtomicBool::new(false);

/// A stop flag and an optional progress counter, shared with the caller.
#[derive(Debug, Clone, Copy)]
pub struct Control<'a> {
    stop: &'a AtomicBool,
    done: Option<&'a AtomicU64>,
}

impl Control<'static> {
    /// A run that cannot be stopped and reports no progress.
    pub fn none() -> Self {
        Control {
            stop: &NEVER,
            done: None,
        }
    }
}

impl<'a> Control<'a> {
    /// A run that stops once `stop` is set.
    pub fn new(stop: &'a AtomicBool) -> Self {
        Control { stop, done: None }
    }

    /// Also count the units (trials or replications) finished into `done`,
    /// for a progress display polling it from another thread.
    pub fn with_progress(self, done: &'a AtomicU64) -> Self {
        Control {
            done: Some(done),
            ..self
        }
    }

    /// Whether the caller asked the run to stop.
    #[inline]
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The stop flag itself (for the event loop of a loaded run).
    pub fn flag(&self) -> &'a AtomicBool {
        self.stop
    }

    /// Records `units` more units finished.
    #[inline]
    pub fn advance(&self, units: u64) {
        if let Some(done) = self.done {
            done.fetch_add(units, Ordering::Relaxed);
        }
    }
}
