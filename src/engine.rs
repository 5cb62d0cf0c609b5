//! A discrete-event queue: events ordered by simulated time.
//!
//! The queue is generic over the event payload so that every simulation in the
//! crate (one task, many tasks sharing resources) runs on the same clock. Ties
//! are broken by insertion order, which keeps runs deterministic.

/// A waiting event: its time as an order-preserving integer key, the
/// insertion number that breaks ties, and the payload.
#[derive(Clone, Copy)]
struct Entry<E> {
    key: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    /// True when `self` comes before `other`: earlier, or as early and scheduled first.
    #[inline(always)]
    fn before(&self, other: &Self) -> bool {
        // One 128-bit comparison (compare, subtract with borrow): no branch
        // for the processor to mispredict on the key, then the tie.
        (u128::from(self.key) << 64 | u128::from(self.seq))
            < (u128::from(other.key) << 64 | u128::from(other.seq))
    }
}

/// Children per node of the heap: a 4-ary heap is half as deep as a binary
/// one and its children share a cache line.
const ARITY: usize = 4;

/// Maps a time to an integer whose unsigned order is `f64::total_cmp`'s, for
/// the times the queue holds: never below −0.0 and never NaN (each is at
/// least the clock, which starts at 0 and only advances: [`EventQueue::schedule_at`]).
/// On those the bits with the sign flipped order alike: −0.0 maps to 0,
/// below +0.0's 2⁶³, and positive times follow in their bits' order.
#[inline(always)]
fn time_key(time: f64) -> u64 {
    debug_assert!(time >= 0.0, "a queued time below the clock: {time}");
    time.to_bits() ^ (1 << 63)
}

/// The time whose [`time_key`] is `key`.
#[inline(always)]
fn key_time(key: u64) -> f64 {
    f64::from_bits(key ^ (1 << 63))
}

/// A priority queue of future events and the current simulated time.
///
/// Events pop in time order (`f64::total_cmp`), ties in the order they were
/// scheduled, so runs are deterministic.
pub struct EventQueue<E> {
    /// A 4-ary min-heap on (time key, insertion number).
    heap: Vec<Entry<E>>,
    /// The pending event of the serial stream (see [`EventQueue::schedule_serial_in`]),
    /// ordered with the heap's events by the same (time, insertion) rule.
    serial: Option<Entry<E>>,
    next_seq: u64,
    now: f64,
    popped: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            heap: Vec::new(),
            serial: None,
            next_seq: 0,
            now: 0.0,
            popped: 0,
        }
    }

    /// Empties the queue and rewinds the clock, keeping the allocation.
    pub fn reset(&mut self) {
        self.heap.clear();
        self.serial = None;
        self.next_seq = 0;
        self.now = 0.0;
        self.popped = 0;
    }

    /// The current simulated time in seconds.
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Number of events handed out since the last reset.
    pub fn events_processed(&self) -> u64 {
        self.popped
    }

    /// Number of events waiting.
    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.serial.is_some())
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` to happen `delay` seconds from now (delay ≥ 0).
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) {
        debug_assert!(delay >= 0.0, "negative delay {delay}");
        self.schedule_at(self.now + delay, event);
    }

    /// Schedules `event` `delay` seconds from now in the serial stream: a stream whose
    /// events are scheduled one at a time, each when the previous one is
    /// handled (the arrivals of an open workload). It waits beside the heap,
    /// so each of its events costs no heap push or pop, and it pops in the
    /// same order as if it were in the heap. At most one serial event waits.
    #[inline]
    pub fn schedule_serial_in(&mut self, delay: f64, event: E) {
        debug_assert!(
            self.serial.is_none(),
            "the serial stream holds one event at a time"
        );
        let entry = self.entry(self.now + delay, event);
        self.serial = Some(entry);
    }

    /// The entry of `event` at `time` (never before now), numbered.
    #[inline(always)]
    fn entry(&mut self, time: f64, event: E) -> Entry<E> {
        let time = time.max(self.now);
        let seq = self.next_seq;
        self.next_seq += 1;
        Entry {
            key: time_key(time),
            seq,
            event,
        }
    }

    /// Schedules `event` at absolute time `time` (never before now).
    #[inline(always)]
    pub fn schedule_at(&mut self, time: f64, event: E) {
        let entry = self.entry(time, event);
        // Sift up: move parents down until the new entry's place is found.
        let mut pos = self.heap.len();
        self.heap.push(entry);
        while pos > 0 {
            let parent = (pos - 1) / ARITY;
            if !entry.before(&self.heap[parent]) {
                break;
            }
            self.heap[pos] = self.heap[parent];
            pos = parent;
        }
        self.heap[pos] = entry;
    }

    /// Removes the earliest event, advances the clock to it and returns it.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let serial_first = match (&self.serial, self.heap.first()) {
            (Some(serial), Some(top)) => serial.before(top),
            (serial, _) => serial.is_some(),
        };
        let top = if serial_first {
            self.serial.take()?
        } else {
            self.pop_heap()?
        };
        let time = key_time(top.key);
        self.now = time;
        self.popped += 1;
        Some((time, top.event))
    }

    /// Removes the heap's earliest entry.
    #[inline(always)]
    fn pop_heap(&mut self) -> Option<Entry<E>> {
        let last = self.heap.pop()?;
        Some(match self.heap.first() {
            None => last,
            Some(&top) => {
                self.sift_down_from_root(last);
                top
            }
        })
    }

    /// Places `entry` from the root down: the smallest child moves up while
    /// it comes before `entry`.
    #[inline]
    fn sift_down_from_root(&mut self, entry: Entry<E>) {
        let heap = &mut self.heap[..];
        let len = heap.len();
        let mut pos = 0;
        loop {
            let first = pos * ARITY + 1;
            let best = if let Some(kids) = heap.get(first..first + ARITY) {
                // All four children: a fixed-size slice, no bounds checks.
                let a = usize::from(kids[1].before(&kids[0]));
                let b = 2 + usize::from(kids[3].before(&kids[2]));
                first + if kids[b].before(&kids[a]) { b } else { a }
            } else if first < len {
                let mut best = first;
                for child in first + 1..len {
                    if heap[child].before(&heap[best]) {
                        best = child;
                    }
                }
                best
            } else {
                break;
            };
            if !heap[best].before(&entry) {
                break;
            }
            heap[pos] = heap[best];
            pos = best;
        }
        heap[pos] = entry;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_ties_in_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule_at(2.0, "c");
        q.schedule_at(1.0, "a");
        q.schedule_at(1.0, "b");
        q.schedule_at(0.5, "first");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "a", "b", "c"]);
        assert_eq!(q.now(), 2.0);
    }

    #[test]
    fn time_keys_order_like_total_cmp_and_invert() {
        let times = [
            0.0,
            -0.0,
            5e-324,
            1e-300,
            0.1,
            1.0,
            1.5,
            1e300,
            f64::INFINITY,
        ];
        for &a in &times {
            assert_eq!(key_time(time_key(a)).to_bits(), a.to_bits());
            for &b in &times {
                assert_eq!(time_key(a).cmp(&time_key(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn pops_like_a_sorted_list_of_time_then_insertion() {
        let mut q = EventQueue::new();
        let mut expected = Vec::new();
        let mut x: u64 = 99;
        for i in 0..5000u32 {
            x = crate::seed::mix(x, i as u64);
            // Few distinct times, so that many ties must keep insertion order.
            let t = q.now() + (x % 50) as f64 * 0.25;
            q.schedule_at(t, i);
            expected.push((t, i));
            if x.is_multiple_of(3) {
                expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let want = expected.remove(0);
                assert_eq!(q.pop(), Some(want));
            }
        }
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(rest, expected);
    }

    #[test]
    fn the_serial_stream_pops_as_if_its_events_were_in_the_heap() {
        // The same schedule twice: every event in the heap, and one stream
        // (scheduled one at a time when its previous event pops) in the serial slot.
        let (mut heap, mut serial) = (EventQueue::new(), EventQueue::new());
        let mut x: u64 = 7;
        let mut gap = || {
            x = crate::seed::mix(x, 1);
            (x % 4) as f64 * 0.5 // ties with the other events are common
        };
        for q in [&mut heap, &mut serial] {
            q.schedule_at(0.0, (0, 0));
        }
        heap.schedule_at(0.0, (1, 0));
        serial.schedule_serial_in(0.0, (1, 0));
        let mut popped = Vec::new();
        while let Some((t, (stream, n))) = heap.pop() {
            assert_eq!(
                serial.pop(),
                Some((t, (stream, n))),
                "event {}",
                popped.len()
            );
            popped.push(n);
            if popped.len() > 4000 {
                break;
            }
            let (a, b) = (gap(), gap());
            if stream == 1 {
                heap.schedule_in(a, (1, n + 1));
                serial.schedule_serial_in(a, (1, n + 1));
            }
            for q in [&mut heap, &mut serial] {
                q.schedule_in(b, (0, n + 1));
            }
            assert_eq!(heap.len(), serial.len());
        }
        assert!(popped.len() > 4000);
    }

    #[test]
    fn a_time_before_the_clock_or_nan_is_the_clock() {
        // The key's domain (never below −0.0, never NaN) holds for any input.
        let mut q = EventQueue::new();
        q.schedule_at(-0.0, "negative zero");
        q.schedule_at(-3.0, "before zero");
        assert_eq!(q.pop(), Some((-0.0, "negative zero")));
        assert_eq!(q.pop(), Some((0.0, "before zero")));
        q.schedule_at(2.0, "a");
        q.pop();
        q.schedule_at(2.5, "d");
        q.schedule_at(-1.0, "b");
        q.schedule_at(f64::NAN, "c");
        q.schedule_at(f64::NEG_INFINITY, "e");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [(2.0, "b"), (2.0, "c"), (2.0, "e"), (2.5, "d")]);
    }

    #[test]
    fn relative_scheduling_uses_the_current_time() {
        let mut q = EventQueue::new();
        q.schedule_at(3.0, 1);
        q.pop();
        q.schedule_in(0.5, 2);
        assert_eq!(q.pop(), Some((3.5, 2)));
    }
}
