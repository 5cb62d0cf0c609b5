//! CSV and JSON forms of comparisons and analyses.

use serde::Serialize;

use super::Analysis;
use super::compare::Comparison;

/// Pretty JSON with a final newline.
pub fn json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(value).expect("review results serialise");
    s.push('\n');
    s.into_bytes()
}

#[derive(Serialize)]
struct CompareRow<'a> {
    arm: &'a str,
    figure: &'a str,
    base: Option<f64>,
    value: Option<f64>,
    diff: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
    significant: Option<bool>,
}

/// `compare.csv`: one row per arm and figure (the base's rows have no difference).
pub fn comparison_csv(c: &Comparison) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (k, arm) in c.arms.iter().enumerate() {
        for f in &arm.figures {
            w.serialize(CompareRow {
                arm: &arm.name,
                figure: &f.key,
                base: f.base,
                value: f.value,
                diff: f.diff,
                ci95_low: f.ci95.map(|c| c[0]),
                ci95_high: f.ci95.map(|c| c[1]),
                significant: (k > 0).then_some(f.significant),
            })
            .expect("rows serialise");
        }
    }
    w.into_inner().expect("writing to memory cannot fail")
}

#[derive(Serialize)]
struct RankRow<'a> {
    rank: usize,
    component: &'a str,
    change: &'a str,
    gain_p_correct: Option<f64>,
    gain_ci95_low: Option<f64>,
    gain_ci95_high: Option<f64>,
    significant: bool,
    silent_diff: Option<f64>,
    p99_diff_s: Option<f64>,
    p99_ci95_low: Option<f64>,
    p99_ci95_high: Option<f64>,
    cost_per_success_diff_usd: Option<f64>,
    cost_per_success_ci95_low: Option<f64>,
    cost_per_success_ci95_high: Option<f64>,
}

/// `analyze.csv`: the ranking, one row per what-if.
pub fn ranking_csv(a: &Analysis) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, f) in a.ranking.iter().enumerate() {
        w.serialize(RankRow {
            rank: i + 1,
            component: &f.component,
            change: f.change.label(),
            gain_p_correct: f.gain.diff,
            gain_ci95_low: f.gain.ci95.map(|c| c[0]),
            gain_ci95_high: f.gain.ci95.map(|c| c[1]),
            significant: f.gain.significant,
            silent_diff: f.silent.diff,
            p99_diff_s: f.p99.diff,
            p99_ci95_low: f.p99.ci95.map(|c| c[0]),
            p99_ci95_high: f.p99.ci95.map(|c| c[1]),
            cost_per_success_diff_usd: f.cost_per_success.diff,
            cost_per_success_ci95_low: f.cost_per_success.ci95.map(|c| c[0]),
            cost_per_success_ci95_high: f.cost_per_success.ci95.map(|c| c[1]),
        })
        .expect("rows serialise");
    }
    w.into_inner().expect("writing to memory cannot fail")
}
