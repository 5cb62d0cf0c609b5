//! Numerical optimisation shared by the fits that have no closed form: the
//! Beta difficulty ([`super::beta`]) and the censored latency families
//! ([`super::censored`]). Two parameters each, on unbounded scales (logit,
//! log), so plain unconstrained methods serve.

/// Minimises `f` from `start` by Nelder–Mead.
pub fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2]) -> [f64; 2] {
    let mut s = [
        start,
        [start[0] + 0.5, start[1]],
        [start[0], start[1] + 0.5],
    ];
    let mut v = s.map(&f);
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let (best, mid, worst) = (idx[0], idx[1], idx[2]);
        if (v[worst] - v[best]).abs() < 1e-12 && dist(s[worst], s[best]) < 1e-9 {
            break;
        }
        let c = [
            (s[best][0] + s[mid][0]) / 2.0,
            (s[best][1] + s[mid][1]) / 2.0,
        ];
        let at = |t: f64| {
            [
                c[0] + t * (s[worst][0] - c[0]),
                c[1] + t * (s[worst][1] - c[1]),
            ]
        };
        let r = at(-1.0);
        let fr = f(r);
        if fr < v[best] {
            let e = at(-2.0);
            let fe = f(e);
            (s[worst], v[worst]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < v[mid] {
            (s[worst], v[worst]) = (r, fr);
        } else {
            let k = at(0.5);
            let fk = f(k);
            if fk < v[worst] {
                (s[worst], v[worst]) = (k, fk);
            } else {
                for i in [mid, worst] {
                    s[i] = [(s[i][0] + s[best][0]) / 2.0, (s[i][1] + s[best][1]) / 2.0];
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&i, &j| v[i].total_cmp(&v[j]))
        .expect("three points");
    s[best]
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// The Hessian of `f` at `x` by central differences.
pub fn hessian(f: impl Fn([f64; 2]) -> f64, x: [f64; 2]) -> [[f64; 2]; 2] {
    let h = 1e-4;
    let at = |d0: f64, d1: f64| f([x[0] + d0, x[1] + d1]);
    let f0 = at(0.0, 0.0);
    let d00 = (at(h, 0.0) - 2.0 * f0 + at(-h, 0.0)) / (h * h);
    let d11 = (at(0.0, h) - 2.0 * f0 + at(0.0, -h)) / (h * h);
    let d01 = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4.0 * h * h);
    [[d00, d01], [d01, d11]]
}

/// The gradient of `f` at `x` by central differences.
fn gradient(f: &impl Fn([f64; 2]) -> f64, x: [f64; 2]) -> [f64; 2] {
    let h = 1e-6;
    [
        (f([x[0] + h, x[1]]) - f([x[0] - h, x[1]])) / (2.0 * h),
        (f([x[0], x[1] + h]) - f([x[0], x[1] - h])) / (2.0 * h),
    ]
}

/// Maximises a smooth, concave-near-its-top `f` from `start` by Newton's
/// method on finite-difference derivatives: each step solves (−H) d = ∇f
/// (a gradient step of at most 0.5 where −H is not positive definite), is
/// shortened to at most 2 units, and is halved until it does not lower f.
/// Stops when a step is shorter than 10⁻¹⁰ or none raises f. `None` when
/// the point reached is not a maximum (the Newton decrement ∇fᵀ(−H)⁻¹∇f
/// is not below 10⁻⁶, e.g. f keeps rising towards a wall of its domain:
/// the likelihood has no maximum).
pub fn newton_max(f: impl Fn([f64; 2]) -> f64, start: [f64; 2]) -> Option<[f64; 2]> {
    let mut x = start;
    let mut fx = f(x);
    for _ in 0..200 {
        let g = gradient(&f, x);
        let h = hessian(&f, x);
        let (a, b, d) = (-h[0][0], -h[0][1], -h[1][1]);
        let det = a * d - b * b;
        let mut step = if a > 0.0 && det > 0.0 {
            [(d * g[0] - b * g[1]) / det, (a * g[1] - b * g[0]) / det]
        } else {
            let m = g[0].abs().max(g[1].abs()).max(f64::MIN_POSITIVE);
            [0.5 * g[0] / m, 0.5 * g[1] / m]
        };
        let len = step[0].hypot(step[1]);
        if !len.is_finite() {
            break;
        }
        if len > 2.0 {
            step = [step[0] * 2.0 / len, step[1] * 2.0 / len];
        }
        let mut t = 1.0;
        let mut moved = None;
        while t * len > 1e-14 {
            let y = [x[0] + t * step[0], x[1] + t * step[1]];
            let fy = f(y);
            if fy >= fx {
                moved = Some((y, fy));
                break;
            }
            t /= 2.0;
        }
        let Some((y, fy)) = moved else { break };
        x = y;
        fx = fy;
        if t * len < 1e-10 {
            break;
        }
    }
    let g = gradient(&f, x);
    let h = hessian(&f, x);
    let (a, b, d) = (-h[0][0], -h[0][1], -h[1][1]);
    let det = a * d - b * b;
    let decrement = (d * g[0] * g[0] - 2.0 * b * g[0] * g[1] + a * g[1] * g[1]) / det;
    (a > 0.0 && det > 0.0 && decrement < 1e-6).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newton_finds_the_top_of_a_correlated_quadratic() {
        // −(x − 1)² − 3 (y + 2)² − (x − 1)(y + 2): top at (1, −2).
        let f = |x: [f64; 2]| {
            let (u, v) = (x[0] - 1.0, x[1] + 2.0);
            -u * u - 3.0 * v * v - u * v
        };
        let x = newton_max(f, [5.0, 7.0]).unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-7 && (x[1] + 2.0).abs() < 1e-7,
            "{x:?}"
        );
    }

    #[test]
    fn newton_climbs_a_non_quadratic_ridge() {
        // The log-likelihood of an exponential in ln(mean) for 10 events
        // of total 30 time, and a second, independent quadratic coordinate.
        let f = |x: [f64; 2]| -10.0 * x[0] - 30.0 * (-x[0]).exp() - (x[1] - 0.5).powi(2);
        let x = newton_max(f, [-3.0, 0.0]).unwrap();
        assert!((x[0] - 3.0f64.ln()).abs() < 1e-7, "{x:?}");
        assert!((x[1] - 0.5).abs() < 1e-7, "{x:?}");
    }

    #[test]
    fn a_function_without_a_maximum_has_none() {
        // Rises for ever in x[0] (a likelihood whose maximum is at infinity),
        // refused beyond 50.
        let f = |x: [f64; 2]| {
            if x[0].abs() < 50.0 {
                x[0] - x[1] * x[1]
            } else {
                f64::NEG_INFINITY
            }
        };
        assert_eq!(newton_max(f, [0.0, 0.0]), None);
    }
}
