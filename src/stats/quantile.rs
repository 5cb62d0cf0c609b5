//! Intervals on quantiles and threshold attainment read from a latency
//! histogram, with its bucket resolution taken into account.
//!
//! The histogram keeps 3 significant digits: a recorded value is known only
//! to lie in its bucket [lowest equivalent, highest equivalent]. An interval
//! built from order statistics therefore takes the *lowest* value of the
//! bucket holding its lower order statistic and the *highest* value of the
//! bucket holding its upper one, so that bucketing can only widen it.

use hdrhistogram::Histogram;
use statrs::distribution::{Binomial, DiscreteCDF};

use super::accumulator::NANOS_PER_SECOND;

/// The order statistics (1-based ranks, `None` when unbounded on that side)
/// that bracket the `q` quantile of `n` independent values with probability at
/// least 1 − `alpha`: the distribution-free interval from the binomial
/// distribution of the number of values at most the true quantile.
///
/// Lower rank: the largest `l` with P(B ≤ l − 1) ≤ α/2; upper rank: the
/// smallest `u` with P(B ≤ u − 1) ≥ 1 − α/2, B ~ Binomial(n, q).
pub fn order_statistic_ranks(n: u64, q: f64, alpha: f64) -> (Option<u64>, Option<u64>) {
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return (None, None);
    }
    let Ok(b) = Binomial::new(q, n) else {
        return (None, None);
    };
    let half = alpha / 2.0;
    // Start from the normal approximation, then step to the exact rank.
    let sd = (n as f64 * q * (1.0 - q)).sqrt();
    let z = super::interval::normal_quantile(1.0 - half);
    let centre = n as f64 * q;
    // Lower: largest l ≥ 1 with cdf(l − 1) ≤ α/2.
    let mut l = (centre - z * sd).floor().clamp(1.0, n as f64) as u64;
    while l > 1 && b.cdf(l - 1) > half {
        l -= 1;
    }
    while l < n && b.cdf(l) <= half {
        l += 1;
    }
    let lower = (b.cdf(l - 1) <= half).then_some(l);
    // Upper: smallest u ≤ n with cdf(u − 1) ≥ 1 − α/2.
    let mut u = (centre + z * sd).ceil().clamp(1.0, n as f64) as u64;
    while u < n && b.cdf(u - 1) < 1.0 - half {
        u += 1;
    }
    while u > 1 && b.cdf(u - 2) >= 1.0 - half {
        u -= 1;
    }
    let upper = (b.cdf(u - 1) >= 1.0 - half).then_some(u);
    (lower, upper)
}

/// The bucket holding the value of rank `rank` (1-based) in `h`, as its
/// (lowest, highest) equivalent values; `None` past the last value.
///
/// Read with the histogram's own scan of its counts: the quantile
/// (rank − ½)/n makes it look for the first bucket whose cumulative count
/// reaches ⌈rank − ½⌉ = rank (exact for n < 2^50).
fn bucket_at_rank(h: &Histogram<u64>, rank: u64) -> Option<(u64, u64)> {
    let n = h.len();
    if n == 0 || rank > n {
        return None;
    }
    let q = (rank.max(1) as f64 - 0.5) / n as f64;
    let value = h.value_at_quantile(q);
    Some((h.lowest_equivalent(value), h.highest_equivalent(value)))
}

/// 95% distribution-free interval, in seconds, of the `q` quantile of the
/// latencies in `h` (nanoseconds), each value one independent trial: `None`
/// when too few values bound it above (the lower end is 0 when they do not
/// bound it below: a latency is never negative).
pub fn quantile_interval(h: &Histogram<u64>, q: f64) -> Option<[f64; 2]> {
    let n = h.len();
    let (lower, upper) = order_statistic_ranks(n, q, 0.05);
    let upper = bucket_at_rank(h, upper?)?.1;
    let lower = match lower {
        Some(rank) => bucket_at_rank(h, rank)?.0,
        None => 0,
    };
    Some([
        lower as f64 / NANOS_PER_SECOND,
        upper as f64 / NANOS_PER_SECOND,
    ])
}

/// How many values of `h` (nanoseconds) certainly lie at or below
/// `threshold_s` seconds: those whose whole bucket does. A value in the bucket
/// that straddles the threshold (within 0.1% of it) is not counted, so the
/// attainment read from the histogram never overstates the true one.
pub fn count_at_most(h: &Histogram<u64>, threshold_s: f64) -> u64 {
    let limit = threshold_s * NANOS_PER_SECOND;
    let mut count = 0u64;
    for v in h.iter_recorded() {
        if h.highest_equivalent(v.value_iterated_to()) as f64 > limit {
            break;
        }
        count = count.saturating_add(v.count_at_value());
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bucket_at_rank` by walking the recorded values one by one.
    fn bucket_at_rank_by_walking(h: &Histogram<u64>, rank: u64) -> Option<(u64, u64)> {
        let mut seen = 0u64;
        for v in h.iter_recorded() {
            seen = seen.saturating_add(v.count_at_value());
            if seen >= rank {
                let value = v.value_iterated_to();
                return Some((h.lowest_equivalent(value), h.highest_equivalent(value)));
            }
        }
        None
    }

    #[test]
    fn the_bucket_at_each_rank_is_the_one_a_walk_reaches() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        let mut x: u64 = 5;
        for i in 0..3000u64 {
            x = crate::seed::mix(x, i);
            // Values over nine decades, many in the same bucket, some zeros.
            let v = if x.is_multiple_of(17) {
                0
            } else {
                (x % 1000) << (x % 30)
            };
            h.record_n(v, 1 + x % 3).unwrap();
        }
        for rank in (0..=h.len() + 2)
            .step_by(7)
            .chain([1, h.len(), h.len() + 1])
        {
            assert_eq!(
                bucket_at_rank(&h, rank),
                bucket_at_rank_by_walking(&h, rank),
                "rank {rank}"
            );
        }
    }

    #[test]
    fn ranks_of_the_median_of_ten_match_the_table() {
        // n = 10, q = 0.5: P(B ≤ 1) = 0.0107 ≤ 0.025 < P(B ≤ 2) = 0.0547, so
        // the interval is [X(2), X(9)] at 97.9% (Conover, table A3).
        assert_eq!(order_statistic_ranks(10, 0.5, 0.05), (Some(2), Some(9)));
    }

    #[test]
    fn too_few_values_leave_the_upper_end_open() {
        // 50 values cannot bound the 99th percentile above at 95%.
        assert_eq!(order_statistic_ranks(50, 0.99, 0.05).1, None);
        assert_eq!(order_statistic_ranks(5, 0.5, 0.05).0, None);
    }

    #[test]
    fn large_n_agrees_with_the_normal_approximation() {
        let n = 1_000_000u64;
        let (l, u) = order_statistic_ranks(n, 0.99, 0.05);
        let sd = (n as f64 * 0.99 * 0.01).sqrt();
        let (l, u) = (l.unwrap() as f64, u.unwrap() as f64);
        assert!((l - (990_000.0 - 1.96 * sd)).abs() < 2.0, "{l}");
        assert!((u - (990_000.0 + 1.96 * sd)).abs() < 2.0, "{u}");
    }

    #[test]
    fn attainment_counts_whole_buckets_only() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for v in [
            1_000_000_000u64,
            2_000_000_000,
            2_001_000_000,
            3_000_000_000,
        ] {
            h.record(v).unwrap();
        }
        assert_eq!(count_at_most(&h, 2.0), 1);
        assert_eq!(count_at_most(&h, 2.5), 3);
        assert_eq!(count_at_most(&h, 10.0), 4);
    }
}
