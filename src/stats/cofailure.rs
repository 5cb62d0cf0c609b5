//! How often nodes and hand-offs fail in the same task: the failure
//! correlation between them (`[run] failure_correlation`).
//!
//! A component *fails in a task* when at least one of its attempts in that
//! task ends in a loud error (timeouts included) or a silent corruption. For
//! every pair (i, j) a run counts the tasks in which both failed; with the
//! counts of each alone this gives the phi coefficient (the Pearson
//! correlation of the two failure indicators). Independent components give
//! phi ≈ 0 (up to what the graph itself couples, e.g. a gate's loop-back
//! re-running what it guards); a shared difficulty, per-task rates or a
//! common cause make it positive.

use serde::{Deserialize, Serialize};

use super::Accumulator;
use super::interval::Z95;
use crate::model::Model;
use crate::task::ExecCounters;

/// The index of pair (i, j), i ≤ j, in the packed upper triangle (diagonal
/// included) of an `n`×`n` matrix.
#[inline]
fn pair_index(i: usize, j: usize, n: usize) -> usize {
    i * n - i * (i + 1) / 2 + j
}

/// Number of counters for `n` components.
pub fn pair_count(n: usize) -> usize {
    n * (n + 1) / 2
}

/// Adds one task whose failed components are `failed` (ascending indices).
pub fn record(counts: &mut [u64], n: usize, failed: &[usize]) {
    for (a, &i) in failed.iter().enumerate() {
        for &j in &failed[a..] {
            counts[pair_index(i, j, n)] += 1;
        }
    }
}

/// Finds which components failed in one task from the per-exec counters
/// before and after it (failed attempts: loud, timeouts included, or silent).
#[derive(Debug, Default)]
pub struct Tracker {
    before: Vec<u64>,
    failed: Vec<usize>,
}

impl Tracker {
    /// Notes the counters before a task.
    pub fn start(&mut self, execs: &[ExecCounters]) {
        self.before.clear();
        self.before.extend(execs.iter().map(failed_attempts));
    }

    /// Counts the task that just ended into `acc`.
    pub fn finish(&mut self, acc: &mut Accumulator) {
        let n = acc.execs.len();
        if acc.co_failures.is_empty() {
            acc.co_failures = vec![0; pair_count(n)];
        }
        self.failed.clear();
        self.failed
            .extend((0..n).filter(|&e| failed_attempts(&acc.execs[e]) != self.before[e]));
        record(&mut acc.co_failures, n, &self.failed);
    }
}

fn failed_attempts(c: &ExecCounters) -> u64 {
    c.loud + c.silent
}

/// The failure correlation of two components.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FailurePair {
    /// First component (node id or `from->to`).
    pub a: String,
    /// Second component.
    pub b: String,
    /// Tasks in which `a` failed.
    pub a_failed: u64,
    /// Tasks in which `b` failed.
    pub b_failed: u64,
    /// Tasks in which both failed.
    pub both_failed: u64,
    /// P(both fail) / (P(a fails) · P(b fails)): 1 for independent failures.
    pub lift: f64,
    /// Phi coefficient of the two failure indicators, in [−1, 1].
    pub phi: f64,
    /// 95% interval of phi by the delta method on the multinomial 2×2
    /// table of the two indicators, clamped to [−1, 1].
    pub phi_ci95: [f64; 2],
}

/// Every pair of components that both failed at least once and not in
/// every task, in exec order; empty when the run did not track pairs.
pub fn correlations(model: &Model, acc: &Accumulator) -> Vec<FailurePair> {
    let n = model.exec_count();
    if acc.co_failures.len() != pair_count(n) || acc.trials < 4 {
        return Vec::new();
    }
    let total = acc.trials as f64;
    let alone = |i: usize| acc.co_failures[pair_index(i, i, n)];
    let varies = |c: u64| c > 0 && c < acc.trials;
    let mut out = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let (ni, nj) = (alone(i), alone(j));
            if !varies(ni) || !varies(nj) {
                continue;
            }
            let both = acc.co_failures[pair_index(i, j, n)];
            let (pi, pj, pb) = (ni as f64 / total, nj as f64 / total, both as f64 / total);
            let cells = [pb, pi - pb, pj - pb, 1.0 - pi - pj + pb];
            let phi = phi_of(cells).clamp(-1.0, 1.0);
            let half = Z95 * phi_variance(cells, total).sqrt();
            out.push(FailurePair {
                a: model.exec_name(i),
                b: model.exec_name(j),
                a_failed: ni,
                b_failed: nj,
                both_failed: both,
                lift: pb / (pi * pj),
                phi,
                phi_ci95: [(phi - half).max(-1.0), (phi + half).min(1.0)],
            });
        }
    }
    out
}

/// Phi of the 2×2 table with cell probabilities [both, a only, b only, neither].
fn phi_of([both, a_only, b_only, neither]: [f64; 4]) -> f64 {
    let (a, b) = (both + a_only, both + b_only);
    let (not_a, not_b) = (b_only + neither, a_only + neither);
    (both * neither - a_only * b_only) / (a * not_a * b * not_b).sqrt()
}

/// Variance of the phi estimate over `n` tasks: gᵀΣg/n, with g the gradient
/// of phi in the cell probabilities (central differences) and Σ the
/// multinomial covariance diag(p) − ppᵀ of one task.
fn phi_variance(cells: [f64; 4], n: f64) -> f64 {
    let h = 1e-7;
    let g: Vec<f64> = (0..4)
        .map(|k| {
            let (mut up, mut down) = (cells, cells);
            up[k] += h;
            down[k] -= h;
            (phi_of(up) - phi_of(down)) / (2.0 * h)
        })
        .collect();
    let mean: f64 = (0..4).map(|k| g[k] * cells[k]).sum();
    let second: f64 = (0..4).map(|k| g[k] * g[k] * cells[k]).sum();
    ((second - mean * mean) / n).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_indices_cover_the_triangle_once() {
        let n = 7;
        let mut seen = vec![false; pair_count(n)];
        for i in 0..n {
            for j in i..n {
                let k = pair_index(i, j, n);
                assert!(!seen[k]);
                seen[k] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}
