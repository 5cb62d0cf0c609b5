//! Confidence intervals for paired differences.

use crate::sim::paired::{DiffSums, PairTable};
use crate::stats::interval::wilson;

/// Two-sided 95% quantile of Student's t with 19 degrees of freedom (20 sections).
pub const T95_19: f64 = 2.093_024_054_408_263;

/// Newcombe's hybrid score interval (method 10, Newcombe 1998) for the
/// difference of two paired proportions, variant − base, out of `n` pairs,
/// at normal quantile `z`.
///
/// It combines the Wilson intervals of both proportions with the correlation
/// of the pairs, so it narrows as the arms agree more (common random numbers)
/// and stays sensible when the discordant counts are small.
pub fn paired_proportion(t: &PairTable, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (-1.0, 1.0);
    }
    let nf = n as f64;
    let a = t.both as f64;
    let b = t.base_only as f64;
    let c = t.variant_only as f64;
    let d = nf - a - b - c;
    let p1 = (a + c) / nf;
    let p2 = (a + b) / nf;
    let (l1, u1) = wilson(t.both + t.variant_only, n, z);
    let (l2, u2) = wilson(t.both + t.base_only, n, z);
    // The correlation of the pairs, with Newcombe's continuity correction
    // of positive correlations.
    let margins = (a + b) * (c + d) * (a + c) * (b + d);
    let cross = a * d - b * c;
    let phi = if margins <= 0.0 {
        0.0
    } else if cross > nf / 2.0 {
        (cross - nf / 2.0) / margins.sqrt()
    } else if cross >= 0.0 {
        0.0
    } else {
        cross / margins.sqrt()
    };
    let theta = p1 - p2;
    let lower = ((p1 - l1).powi(2) - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2).powi(2))
        .max(0.0)
        .sqrt();
    let upper = ((u1 - p1).powi(2) - 2.0 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2).powi(2))
        .max(0.0)
        .sqrt();
    ((theta - lower).max(-1.0), (theta + upper).min(1.0))
}

/// Mean of a per-trial difference and its normal-approximation interval, in
/// the sums' units divided by `scale` (e.g. ns → s with 1e9).
pub fn mean_difference(s: &DiffSums, n: u64, scale: f64, z: f64) -> (f64, (f64, f64)) {
    if n == 0 {
        return (0.0, (0.0, 0.0));
    }
    let nf = n as f64;
    let mean = s.sum as f64 / nf;
    if n < 2 {
        return (mean / scale, (mean / scale, mean / scale));
    }
    // Σd² − (Σd)²/n in integers where it fits: exact zero for identical arms.
    let centred = s.sum_sq as f64 - (s.sum as f64) * (s.sum as f64) / nf;
    let var = (centred / (nf - 1.0)).max(0.0);
    let half = z * (var / nf).sqrt();
    (mean / scale, ((mean - half) / scale, (mean + half) / scale))
}

/// Interval around `point` from per-section differences (the sectioning
/// method): point ± t · sd(sections) / √sections. `None` with fewer than two
/// sections.
pub fn sectioned(point: f64, section_diffs: &[f64], t: f64) -> Option<(f64, f64)> {
    let k = section_diffs.len();
    if k < 2 {
        return None;
    }
    let kf = k as f64;
    let mean = section_diffs.iter().sum::<f64>() / kf;
    let var = section_diffs
        .iter()
        .map(|d| (d - mean).powi(2))
        .sum::<f64>()
        / (kf - 1.0);
    let half = t * (var / kf).sqrt();
    Some((point - half, point + half))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::interval::Z95;

    /// Reference values from an independent transcription (Python) of the
    /// square-and-add interval for paired proportions as given by Fagerland,
    /// Lydersen & Laake, "Statistical Analysis of Contingency Tables", ch. 8.
    #[test]
    fn newcombe_matches_independent_computations() {
        // Bentur et al. (2009): n11 = 1, n12 = 1, n21 = 7, n22 = 12.
        let t = PairTable {
            both: 1,
            variant_only: 1,
            base_only: 7,
        };
        let (lo, hi) = paired_proportion(&t, 21, Z95);
        assert!((lo + 0.506_920).abs() < 1e-5, "{lo}");
        assert!((hi + 0.025_559).abs() < 1e-5, "{hi}");
        // Agresti's approval ratings: 794, 150, 86, 570 (strong positive correlation).
        let t = PairTable {
            both: 794,
            variant_only: 150,
            base_only: 86,
        };
        let (lo, hi) = paired_proportion(&t, 1600, Z95);
        assert!((lo - 0.021_230).abs() < 1e-5, "{lo}");
        assert!((hi - 0.058_704).abs() < 1e-5, "{hi}");
    }

    #[test]
    fn identical_arms_have_a_zero_mean_difference() {
        let s = DiffSums { sum: 0, sum_sq: 0 };
        assert_eq!(mean_difference(&s, 1000, 1.0, Z95), (0.0, (0.0, 0.0)));
        assert_eq!(sectioned(0.0, &[0.0; 20], T95_19), Some((0.0, 0.0)));
    }
}
