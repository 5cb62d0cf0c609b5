//! Confidence intervals for proportions and means.

/// The two-sided 95% standard normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `successes` out of `n` at normal quantile `z`.
///
/// Unlike the normal approximation it stays inside [0, 1] and behaves at rates
/// near 0 or 1, which is exactly where reliability figures live.
pub fn wilson(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n_f)) / n_f).sqrt() / denom;
    // At k = 0 (k = n) the bound is exactly 0 (1); computed, it is off by rounding.
    let lo = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// Normal-approximation interval for a mean from its sum and sum of squares.
pub fn mean_interval(sum: f64, sum_sq: f64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let n_f = n as f64;
    let mean = sum / n_f;
    if n < 2 {
        return (mean, mean);
    }
    let var = ((sum_sq - sum * sum / n_f) / (n_f - 1.0)).max(0.0);
    let half = z * (var / n_f).sqrt();
    (mean - half, mean + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_hand_computed_case() {
        // 80 of 100 at z = 1.96: the textbook interval is [0.7112, 0.8666].
        let (lo, hi) = wilson(80, 100, Z95);
        assert!((lo - 0.711_23).abs() < 1e-4, "{lo}");
        assert!((hi - 0.866_57).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn wilson_stays_in_range_at_the_edges() {
        assert_eq!(wilson(0, 50, Z95).0, 0.0);
        assert_eq!(wilson(50, 50, Z95).1, 1.0);
        assert!(wilson(50, 50, Z95).0 > 0.9);
    }
}
