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
    let (lo, hi) = wilson_score(successes as f64 / n as f64, n as f64, z);
    // At k = 0 (k = n) the bound is exactly 0 (1); computed, it is off by rounding.
    let lo = if successes == 0 { 0.0 } else { lo };
    let hi = if successes == n { 1.0 } else { hi };
    (lo, hi)
}

/// The Wilson score interval of a proportion `p` observed over an
/// (effective, possibly fractional) sample size `n` > 0, inside [0, 1].
pub fn wilson_score(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / denom;
    let lo = if p <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if p >= 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// The 95% interval of a proportion estimated from correlated tasks grouped
/// in independent replications: the Wilson score interval on the effective
/// sample size n_eff = p(1 − p) / V, where V is the variance of the pooled
/// proportion estimated from the spread of the replications' own
/// proportions (s² / R), with the Student t quantile of R − 1 degrees of
/// freedom in place of z. n_eff is at most the pooled count `n` (the spread
/// never makes the interval narrower than independent tasks would), and is
/// `n` when the replications do not differ at all. `rates` are the
/// replications' proportions, `p` the pooled one.
pub fn wilson_replicated(p: f64, n: u64, rates: &[f64]) -> (f64, f64) {
    wilson_replicated_at(p, n, rates, 0.05)
}

/// [`wilson_replicated`] at level 1 − `alpha` (the normal quantile with
/// fewer than two replications, the Student t one of R − 1 degrees of
/// freedom otherwise).
pub fn wilson_replicated_at(p: f64, n: u64, rates: &[f64], alpha: f64) -> (f64, f64) {
    let r = rates.len();
    if n == 0 {
        return (0.0, 1.0);
    }
    if r < 2 {
        // Z95 itself at 95%, to the last bit.
        let z = if alpha == 0.05 {
            Z95
        } else {
            normal_quantile(1.0 - alpha / 2.0)
        };
        return wilson_score(p, n as f64, z);
    }
    let mean = rates.iter().sum::<f64>() / r as f64;
    let var = rates.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r as f64 - 1.0);
    let v = var / r as f64;
    let t = student_t_critical(alpha, r as f64 - 1.0);
    let n_eff = if v > 0.0 && p > 0.0 && p < 1.0 {
        (p * (1.0 - p) / v).min(n as f64)
    } else {
        n as f64
    };
    wilson_score(p, n_eff, t)
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

/// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The two-sided Student t critical value: P(|T| > t) = `alpha` with `df`
/// degrees of freedom (Hill 1970, Algorithm 396).
pub fn student_t_critical(alpha: f64, df: f64) -> f64 {
    use std::f64::consts::PI;
    if df == 1.0 {
        return (PI / 2.0 * (1.0 - alpha)).tan();
    }
    if df == 2.0 {
        return (2.0 / (alpha * (2.0 - alpha)) - 2.0).sqrt();
    }
    let n = df;
    let a = 1.0 / (n - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20_700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * PI / 2.0).sqrt() * n;
    let x = d * alpha;
    let mut y = x.powf(2.0 / n);
    if y > 0.05 + a {
        let x = normal_quantile(0.5 * alpha);
        y = x * x;
        if n < 5.0 {
            c += 0.3 * (n - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = a * y * y;
        y = if y > 0.002 {
            y.exp() - 1.0
        } else {
            0.5 * y * y + y
        };
    } else {
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0)
            + 0.5 / (n + 4.0))
            * y
            - 1.0)
            * (n + 1.0)
            / (n + 2.0)
            + 1.0 / y;
    }
    (n * y).sqrt()
}

/// Mean of `values` with its two-sided interval at level 1 − `alpha` from the
/// Student t distribution (`None` with fewer than two values).
pub fn t_interval(values: &[f64], alpha: f64) -> (f64, Option<(f64, f64)>) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, None);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, None);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = student_t_critical(alpha, n - 1.0) * (var / n).sqrt();
    (mean, Some((mean - half, mean + half)))
}

#[cfg(test)]
mod quantile_tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-6);
        assert!((normal_quantile(0.0005) + 3.290_527).abs() < 1e-6);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
    }

    #[test]
    fn student_t_matches_tables() {
        // Two-sided critical values from standard tables.
        for (alpha, df, expected) in [
            (0.05, 1.0, 12.706),
            (0.05, 2.0, 4.303),
            (0.05, 4.0, 2.776),
            (0.05, 9.0, 2.262),
            (0.05, 29.0, 2.045),
            (0.001, 9.0, 4.781),
            (0.001, 19.0, 3.883),
        ] {
            let t = student_t_critical(alpha, df);
            assert!(
                (t - expected).abs() < 2e-3,
                "t({alpha}, {df}) = {t}, table {expected}"
            );
        }
    }
}
