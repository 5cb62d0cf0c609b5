//! Counts of values kept in the layout of the project's histograms (an
//! `hdrhistogram` of 3 significant digits from 1), recorded for a fraction
//! of the cost per value and handed to the histogram once at the end.
//!
//! Why: a loaded run records two values per customer (its wait, its
//! latency), and `Histogram::record` (bounds check, resize check, min/max
//! and total bookkeeping in a call) was a tenth of the lean world's cost per
//! customer. The buffer's index is the histogram's own bucket index for this
//! layout, and [`HistogramBuffer::drain_into`] records each bucket's count at
//! a value of that bucket, the smallest and largest values exactly, so the
//! histogram ends as if every value had been recorded in it (tested).

use hdrhistogram::Histogram;

/// The precision of every latency and wait histogram of the project, the
/// layout the buffer mirrors: values from 1 (ns), 3 significant digits (a
/// relative error of at most 0.1%).
pub const SIGNIFICANT_DIGITS: u8 = 3;
/// log2 of half the sub-buckets of that layout (2 · 10³ rounded up to 2¹¹, halved).
const HALF_MAGNITUDE: u32 = 10;
/// Half the sub-buckets: 1024.
const HALF_COUNT: u64 = 1 << HALF_MAGNITUDE;
/// Values below 2048 have a bucket of their own.
const SUB_BUCKET_MASK: u64 = (HALF_COUNT << 1) - 1;
/// 64 − unit magnitude (0) − half magnitude − 1.
const LEADING_ZERO_COUNT_BASE: u32 = 64 - HALF_MAGNITUDE - 1;

/// Counts per bucket, and the exact extremes, of values not yet in a histogram.
#[derive(Debug, Clone, Default)]
pub struct HistogramBuffer {
    counts: Vec<u64>,
    /// Smallest non-zero value recorded (`u64::MAX` when none).
    min_non_zero: u64,
    /// Largest value recorded.
    max: u64,
}

/// The histogram's bucket index of `value` in the mirrored layout.
#[inline(always)]
fn index_of(value: u64) -> usize {
    let bucket = LEADING_ZERO_COUNT_BASE - (value | SUB_BUCKET_MASK).leading_zeros();
    let sub_bucket = value >> bucket;
    (((bucket as u64 + 1) << HALF_MAGNITUDE) + sub_bucket - HALF_COUNT) as usize
}

/// The lowest value of bucket `index` (the histogram's `value_for`).
fn value_of(index: usize) -> u64 {
    let index = index as u64;
    let bucket = (index >> HALF_MAGNITUDE) as i64 - 1;
    let sub_bucket = (index & (HALF_COUNT - 1)) + HALF_COUNT;
    if bucket < 0 {
        sub_bucket - HALF_COUNT
    } else {
        sub_bucket << bucket
    }
}

impl HistogramBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        HistogramBuffer {
            counts: Vec::new(),
            min_non_zero: u64::MAX,
            max: 0,
        }
    }

    /// Records `value` once.
    #[inline]
    pub fn record(&mut self, value: u64) {
        let index = index_of(value);
        match self.counts.get_mut(index) {
            Some(count) => *count += 1,
            None => {
                self.counts.resize(index + 1, 0);
                self.counts[index] = 1;
            }
        }
        self.max = self.max.max(value);
        if value != 0 {
            self.min_non_zero = self.min_non_zero.min(value);
        }
    }

    /// Records every buffered value into `h` (which must have the mirrored
    /// layout) and empties the buffer: each bucket's count at a value of the
    /// bucket, the extremes at their exact values, so `h`'s counts, total,
    /// minimum and maximum end as if each value had been recorded in it.
    pub fn drain_into(&mut self, h: &mut Histogram<u64>) {
        debug_assert!(h.low() == 1 && h.sigfig() == SIGNIFICANT_DIGITS);
        let (min_index, max_index) = (index_of(self.min_non_zero), index_of(self.max));
        // Largest first: the histogram grows once, to its final size, not
        // at every new largest value (the order changes no count or extreme).
        for (index, &count) in self.counts.iter().enumerate().rev() {
            if count == 0 {
                continue;
            }
            let value = if index == max_index {
                self.max
            } else if index == min_index && self.min_non_zero != u64::MAX {
                self.min_non_zero
            } else {
                value_of(index)
            };
            // As the direct recording: the histogram grows to hold the value.
            if h.record_n(value, count).is_err() {
                h.saturating_record_n(value, count);
            }
        }
        *self = HistogramBuffer::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct_and_buffered(values: &[u64]) -> (Histogram<u64>, Histogram<u64>) {
        let mut direct = Histogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        let mut buffer = HistogramBuffer::new();
        for &v in values {
            direct.record(v).unwrap();
            buffer.record(v);
        }
        let mut buffered = Histogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        buffer.drain_into(&mut buffered);
        (direct, buffered)
    }

    #[test]
    fn indexes_and_values_are_the_histograms_own() {
        let h = Histogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        let mut x = 3u64;
        for i in 0..20_000u64 {
            x = crate::seed::mix(x, i);
            let v = x >> (x % 64);
            let i = index_of(v);
            assert_eq!(value_of(i), h.lowest_equivalent(v), "value {v}");
            assert_eq!(index_of(h.highest_equivalent(v)), i, "value {v}");
        }
    }

    #[test]
    fn a_drained_buffer_leaves_the_histogram_as_direct_recording_would() {
        let mut x = 11u64;
        let mut values: Vec<u64> = (0..50_000u64)
            .map(|i| {
                x = crate::seed::mix(x, i);
                // Zeros, exact small values, nanoseconds to hours, a few huge.
                match x % 10 {
                    0 => 0,
                    1 => x % 2048,
                    9 if x % 1000 == 9 => x >> 2,
                    _ => (x % 1_000_000) << (x % 33),
                }
            })
            .collect();
        for cut in [1, 2, 7, 100, values.len()] {
            let (direct, buffered) = direct_and_buffered(&values[..cut]);
            assert!(
                direct == buffered,
                "{cut} values: {:?} {:?}",
                (
                    direct.len(),
                    direct.min_nz(),
                    direct.max(),
                    direct.distinct_values()
                ),
                (
                    buffered.len(),
                    buffered.min_nz(),
                    buffered.max(),
                    buffered.distinct_values()
                )
            );
            assert_eq!(direct.distinct_values(), buffered.distinct_values());
            assert_eq!(
                (direct.min_nz(), direct.max()),
                (buffered.min_nz(), buffered.max())
            );
            assert_eq!(direct.mean().to_bits(), buffered.mean().to_bits());
            for q in [0.0, 0.5, 0.99, 1.0] {
                assert_eq!(direct.value_at_quantile(q), buffered.value_at_quantile(q));
            }
        }
        values.retain(|&v| v == 0);
        let (direct, buffered) = direct_and_buffered(&values);
        assert!(direct == buffered && direct.len() == buffered.len());
        let (direct, buffered) = direct_and_buffered(&[]);
        assert!(direct == buffered && buffered.is_empty());
    }
}
