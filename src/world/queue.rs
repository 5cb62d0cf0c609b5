//! A pool's waiting line: first come first served, or by priority.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::model::Discipline;

/// Requests waiting for a server, identified by their slab index.
#[derive(Debug)]
pub enum WaitQueue {
    /// First come, first served.
    Fifo(VecDeque<u32>),
    /// Highest priority first (the class's, then the step's); ties by arrival order.
    Priority(BinaryHeap<((i32, i32), Reverse<u64>, u32)>, u64),
}

impl WaitQueue {
    /// An empty queue with the given discipline.
    pub fn new(discipline: Discipline) -> Self {
        match discipline {
            Discipline::Fifo => WaitQueue::Fifo(VecDeque::new()),
            Discipline::Priority => WaitQueue::Priority(BinaryHeap::new(), 0),
        }
    }

    /// Adds a request with its (class, step) priority.
    #[inline]
    pub fn push(&mut self, request: u32, priority: (i32, i32)) {
        match self {
            WaitQueue::Fifo(q) => q.push_back(request),
            WaitQueue::Priority(h, seq) => {
                h.push((priority, Reverse(*seq), request));
                *seq += 1;
            }
        }
    }

    /// Takes the next request to serve.
    #[inline]
    pub fn pop(&mut self) -> Option<u32> {
        match self {
            WaitQueue::Fifo(q) => q.pop_front(),
            WaitQueue::Priority(h, _) => h.pop().map(|(_, _, r)| r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_serves_high_first_then_in_order() {
        let mut q = WaitQueue::new(Discipline::Priority);
        q.push(1, (0, 0));
        q.push(2, (0, 5));
        q.push(3, (0, 5));
        q.push(4, (0, 0));
        q.push(5, (1, -9));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, [5, 2, 3, 1, 4]);
    }
}
