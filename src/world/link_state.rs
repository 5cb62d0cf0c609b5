//! The live state of an interconnect link (transfers in flight).

use crate::stats::replication::LinkFigures;

/// The live state of a link.
#[derive(Debug, Default)]
pub(super) struct LinkState {
    /// Transfers in flight: (request, bytes still to send).
    pub active: Vec<(u32, f64)>,
    /// When `active` was last brought up to date.
    pub last: f64,
    /// Bumped at every change, so stale completion checks are ignored.
    pub version: u32,
    pub figures: LinkFigures,
}

impl LinkState {
    /// An idle link.
    pub fn new() -> Self {
        Self::default()
    }

    /// Closes every time integral at `now`.
    pub fn advance_all(&mut self, now: f64, measuring: bool) {
        self.figures.active.advance(now, measuring);
        self.figures.busy.advance(now, measuring);
    }

    /// Sends what the elapsed time allowed, at bandwidth / n each.
    pub(super) fn progress(&mut self, now: f64, bandwidth: f64) {
        let n = self.active.len();
        if n > 0 {
            let sent = (now - self.last) * bandwidth / n as f64;
            for (_, remaining) in &mut self.active {
                *remaining -= sent;
            }
        }
        self.last = now;
    }
}
