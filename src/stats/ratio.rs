//! Ratio (and product-of-ratio) estimators over replications: a figure such
//! as joules per task is Σ energy / Σ tasks over the replications, not the
//! mean of the replications' own ratios (which is biased when their task
//! counts differ). Its interval is the delta method's: the figure
//! f(m₁, …, m_k) of the means is linearised around them, each replication
//! contributes zᵣ = Σ ∂f/∂mₖ · (xₖᵣ − mₖ), and the interval is Student t with
//! n − 1 degrees of freedom on the zᵣ (Cochran, *Sampling Techniques*, §6.4).

use super::interval::student_t_critical;
use super::load::Estimate;

/// One factor of a product of means: the replications' values and the
/// exponent (+1 in a numerator, −1 in a denominator).
pub type Factor<'a> = (&'a [f64], i32);

/// The estimate of Π mean(xₖ)^eₖ over the replications, with its 95%
/// delta-method interval cut at 0 (every figure estimated so is at least 0);
/// `None` when a denominator's mean is 0 (the figure is undefined), and no
/// interval with fewer than two replications.
pub fn product_of_means(factors: &[Factor]) -> Option<Estimate> {
    let n = factors.first().map_or(0, |(x, _)| x.len());
    if n == 0 {
        return None;
    }
    let means: Vec<f64> = factors
        .iter()
        .map(|(x, _)| x.iter().sum::<f64>() / n as f64)
        .collect();
    if factors
        .iter()
        .zip(&means)
        .any(|((_, e), &m)| *e < 0 && m == 0.0)
    {
        return None;
    }
    let value = factors
        .iter()
        .zip(&means)
        .map(|((_, e), &m)| m.powi(*e))
        .product::<f64>();
    if n < 2 {
        return Some(Estimate {
            mean: value,
            ci95: None,
        });
    }
    // ∂f/∂mₖ = eₖ · mₖ^(eₖ − 1) · Π_{j ≠ k} mⱼ^eⱼ (defined at mₖ = 0 for eₖ = 1).
    let gradient: Vec<f64> = (0..factors.len())
        .map(|k| {
            let (_, e) = factors[k];
            let others: f64 = factors
                .iter()
                .zip(&means)
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, ((_, ej), &mj))| mj.powi(*ej))
                .product();
            f64::from(e) * means[k].powi(e - 1) * others
        })
        .collect();
    let z = (0..n).map(|r| {
        factors
            .iter()
            .zip(&means)
            .zip(&gradient)
            .map(|(((x, _), &m), &g)| g * (x[r] - m))
            .sum::<f64>()
    });
    let var = z.map(|z| z * z).sum::<f64>() / (n - 1) as f64;
    let half = student_t_critical(0.05, (n - 1) as f64) * (var / n as f64).sqrt();
    Some(Estimate {
        mean: value,
        ci95: Some([(value - half).max(0.0), value + half]),
    })
}

/// Σ numerator / Σ denominator over the replications, with its interval.
pub fn ratio_of_sums(numerator: &[f64], denominator: &[f64]) -> Option<Estimate> {
    product_of_means(&[(numerator, 1), (denominator, -1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_is_the_ratio_of_the_sums() {
        let e = ratio_of_sums(&[10.0, 30.0], &[1.0, 3.0]).unwrap();
        assert_eq!(e.mean, 10.0);
        // Every replication has the same ratio: no spread around it.
        let [lo, hi] = e.ci95.unwrap();
        assert!((lo - 10.0).abs() < 1e-12 && (hi - 10.0).abs() < 1e-12);
    }

    #[test]
    fn the_delta_method_matches_its_textbook_form_for_a_ratio() {
        // var(R) ≈ Σ (yᵣ − R xᵣ)² / ((n − 1) n x̄²).
        let (y, x) = ([4.0, 7.0, 5.0, 9.0], [2.0, 3.0, 2.5, 4.0]);
        let e = ratio_of_sums(&y, &x).unwrap();
        let r = 25.0 / 11.5;
        let xbar = 11.5 / 4.0;
        let s2 = y
            .iter()
            .zip(&x)
            .map(|(y, x)| (y - r * x).powi(2))
            .sum::<f64>()
            / 3.0;
        let half = student_t_critical(0.05, 3.0) * (s2 / 4.0).sqrt() / xbar;
        let [lo, hi] = e.ci95.unwrap();
        assert!((e.mean - r).abs() < 1e-12);
        assert!((hi - (r + half)).abs() < 1e-12 && (lo - (r - half)).abs() < 1e-12);
    }

    #[test]
    fn a_zero_denominator_is_undefined() {
        assert!(ratio_of_sums(&[1.0, 2.0], &[0.0, 0.0]).is_none());
        assert_eq!(ratio_of_sums(&[0.0, 0.0], &[1.0, 2.0]).unwrap().mean, 0.0);
    }
}
