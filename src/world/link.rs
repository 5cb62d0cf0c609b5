//! Interconnect links: concurrent transfers share the bandwidth equally
//! (processor sharing), so a transfer slows down while others are in flight.

use super::state::{Ev, World};

/// Bytes below which a transfer counts as complete (absorbs rounding).
const EPSILON_BYTES: f64 = 1e-6;

impl World<'_> {
    pub(super) fn link_join(&mut self, request: u32) {
        let r = self.requests[request as usize];
        let transfer = r
            .resource
            .transfer
            .expect("a joining request has a transfer");
        let link = transfer.link;
        let now = self.queue.now();
        let bandwidth = self.model.links[link].bandwidth;
        let measuring = self.measuring;
        let l = &mut self.links[link];
        l.progress(now, bandwidth);
        if measuring {
            l.figures.transfers += 1;
            l.figures.bytes += transfer.bytes;
        }
        l.figures.active.add(now, measuring, 1.0);
        if l.active.is_empty() {
            l.figures.busy.add(now, measuring, 1.0);
        }
        l.active.push((request, transfer.bytes));
        let r = &mut self.requests[request as usize];
        r.joined_link = now;
        r.link_in_window = measuring;
        self.reschedule_link(link);
    }

    fn reschedule_link(&mut self, link: usize) {
        let bandwidth = self.model.links[link].bandwidth;
        let l = &mut self.links[link];
        l.version = l.version.wrapping_add(1);
        let n = l.active.len();
        let Some(min) = l.active.iter().map(|&(_, rem)| rem).min_by(f64::total_cmp) else {
            return;
        };
        let delay = min.max(0.0) * n as f64 / bandwidth;
        let version = l.version;
        self.queue.schedule_in(
            delay,
            Ev::LinkCheck {
                link: link as u32,
                version,
            },
        );
    }

    pub(super) fn link_check(&mut self, link: usize, version: u32) {
        if self.links[link].version != version {
            return;
        }
        let now = self.queue.now();
        let bandwidth = self.model.links[link].bandwidth;
        let measuring = self.measuring;
        let l = &mut self.links[link];
        l.progress(now, bandwidth);
        // Bytes that would take less than the clock's resolution at this time
        // to send count as sent: otherwise rounding could stall the clock.
        let n = l.active.len().max(1) as f64;
        let resolution = (now.abs() * 4.0 * f64::EPSILON * bandwidth / n).max(EPSILON_BYTES);
        let mut done = Vec::new();
        l.active.retain(|&(request, remaining)| {
            let finished = remaining <= resolution;
            if finished {
                done.push(request);
            }
            !finished
        });
        l.figures.active.add(now, measuring, -(done.len() as f64));
        if l.active.is_empty() && !done.is_empty() {
            l.figures.busy.add(now, measuring, -1.0);
        }
        for &request in &done {
            let r = self.requests[request as usize];
            if r.link_in_window {
                let f = &mut self.links[link].figures;
                f.sojourn_sum += now - r.joined_link;
                f.sojourns += 1;
            }
        }
        self.reschedule_link(link);
        for request in done {
            self.after_transfer(request);
        }
    }
}
