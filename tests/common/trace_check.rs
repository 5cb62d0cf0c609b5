//! Comparing a fit of traces with the scenario they were written from:
//! whether each fitted figure's interval holds the scenario's value. Shared
//! by the round trips of independent trials and of loaded runs.

use coordsim::model::{AttemptOutcome, Latency, Model};
use coordsim::trace::fit::latency::Family;
use coordsim::trace::fit::observe::{Mapping, Totals};
use coordsim::trace::fit::{self, Fit, NodeFit};
use coordsim::trace::span::TaskTrace;
use coordsim::trace::{otlp, read};

/// z of a two-sided 99.9% interval.
pub const Z: f64 = super::Z999;
/// The 0.99 quantile of the standard normal.
pub const Z99: f64 = 2.326_347_874_040_841;

/// Fits `traces` of `model` (run with base `seed`), each written as OTLP
/// JSON text and read back, as a file would carry it; intervals at 99.9%.
pub fn fit_traces(model: &Model, seed: u64, traces: &[TaskTrace]) -> Fit {
    let mut known: Vec<String> = model
        .nodes
        .iter()
        .map(|n| n.id.split('#').next().unwrap().to_string())
        .collect();
    known.dedup();
    known.extend((0..model.edges.len()).map(|e| model.exec_name(model.nodes.len() + e)));
    let mut totals = Totals::new(Mapping {
        known,
        rules: Vec::new(),
    });
    for t in traces {
        let line = serde_json::to_string(&otlp::request(model, seed, t)).unwrap();
        read::otlp(&line, &mut |o| totals.add(o)).unwrap();
    }
    fit::fit(totals, Z)
}

/// Records a failure unless `value` lies in `[lo, hi]`.
pub fn inside(what: &str, value: f64, (lo, hi): (f64, f64), failures: &mut Vec<String>) {
    // Fitted figures are rounded to 1 ns (latency) in the trace: allow that.
    let slack = 1e-9 + 1e-12 * value.abs();
    if !(value >= lo - slack && value <= hi + slack) {
        failures.push(format!("{what}: {value} outside [{lo}, {hi}]"));
    }
}

/// The execution (node or edge) of `model` whose name, less any `#k` of a
/// repeat, is the fitted node's.
pub fn exec_of(model: &Model, nf: &NodeFit) -> usize {
    let name = &nf.totals.name;
    (0..model.exec_count())
        .find(|&e| model.exec_name(e).split('#').next() == Some(name.as_str()))
        .unwrap_or_else(|| panic!("{name} is not in the model"))
}

/// Checks the fitted latency (service time, waits removed) of `nf` against
/// `latency`: a fixed value, an exponential's mean, a lognormal's median and
/// p99, a gamma's shape and mean. Returns the figures checked.
pub fn check_latency(
    what: &dyn Fn(&str) -> String,
    latency: &Latency,
    nf: &NodeFit,
    failures: &mut Vec<String>,
) -> usize {
    let name = &nf.totals.name;
    let find = |family: &str| {
        nf.latency
            .iter()
            .find(|c| c.family.name() == family)
            .unwrap_or_else(|| panic!("{name}: no {family} candidate"))
            .family
            .clone()
    };
    match latency {
        Latency::Fixed(v) => {
            let Family::Fixed { low, high, .. } = find("fixed") else {
                unreachable!()
            };
            inside(&what("fixed latency"), *v, (low, high), failures);
            1
        }
        Latency::Exponential { mean, .. } => {
            let Family::Exponential { ci, .. } = find("exponential") else {
                unreachable!()
            };
            inside(&what("exponential mean"), *mean, ci, failures);
            1
        }
        Latency::LogNormal { mu, sigma, .. } => {
            let Family::LogNormal { median, p99, .. } = find("lognormal") else {
                unreachable!()
            };
            inside(
                &what("lognormal median"),
                mu.exp(),
                (median.1, median.2),
                failures,
            );
            inside(
                &what("lognormal p99"),
                (mu + Z99 * sigma).exp(),
                (p99.1, p99.2),
                failures,
            );
            2
        }
        Latency::Gamma { shape, scale, .. } => {
            let Family::Gamma { shape: k, mean, .. } = find("gamma") else {
                unreachable!()
            };
            inside(&what("gamma shape"), *shape, (k.1, k.2), failures);
            inside(
                &what("gamma mean"),
                shape * scale,
                (mean.1, mean.2),
                failures,
            );
            2
        }
        Latency::Uniform { .. } => 0,
    }
}

/// The loud and silent rates per first attempt of execution `exec`: a
/// common cause strikes every attempt of its members in a task, so loud =
/// L + (1 − L)(1 − S) l and silent = (1 − L)(S + (1 − S) s), with L (S) the
/// chance that a loud (silent) cause strikes (a loud one wins when both do).
pub fn true_rates(model: &Model, exec: usize) -> (f64, f64) {
    let step = model.step(exec);
    let struck = |effect: AttemptOutcome| {
        1.0 - model
            .common_causes
            .iter()
            .filter(|c| c.effect == effect && c.members.contains(&exec))
            .map(|c| 1.0 - c.probability)
            .product::<f64>()
    };
    let (big_l, big_s) = (struck(AttemptOutcome::Loud), struck(AttemptOutcome::Silent));
    let loud = big_l + (1.0 - big_l) * (1.0 - big_s) * step.outcome.loud;
    let silent = (1.0 - big_l) * (big_s + (1.0 - big_s) * step.outcome.silent);
    (loud, silent)
}

/// Checks the silent rate of `nf` (Wilson), or a per-task Beta's mean and
/// concentration where the step's silent rate varies by task. Returns the
/// figures checked.
pub fn check_silent(
    what: &dyn Fn(&str) -> String,
    model: &Model,
    exec: usize,
    nf: &NodeFit,
    failures: &mut Vec<String>,
) -> usize {
    let name = &nf.totals.name;
    let step = model.step(exec);
    match step.rates.as_deref().and_then(|r| r.silent.as_ref()) {
        None => {
            let r = nf
                .silent
                .unwrap_or_else(|| panic!("{name}: no silent rate"));
            inside(
                &what("silent rate"),
                true_rates(model, exec).1,
                r.ci,
                failures,
            );
            1
        }
        Some(rate) => {
            let b = nf
                .difficulty
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: no difficulty fit"));
            let (m, c) = (rate.mean(), rate.a + rate.b);
            inside(&what("Beta mean"), m, (b.mean.1, b.mean.2), failures);
            inside(
                &what("Beta concentration"),
                c,
                (b.concentration.1, b.concentration.2),
                failures,
            );
            2
        }
    }
}

/// Checks the loud rate of `nf` (Wilson). Returns the figures checked.
pub fn check_loud(
    what: &dyn Fn(&str) -> String,
    model: &Model,
    exec: usize,
    nf: &NodeFit,
    failures: &mut Vec<String>,
) -> usize {
    let name = &nf.totals.name;
    let r = nf.loud.unwrap_or_else(|| panic!("{name}: no loud rate"));
    inside(
        &what("loud rate"),
        true_rates(model, exec).0,
        r.ci,
        failures,
    );
    1
}

/// Checks a gate's sensitivity and false-alarm rate, where the sample saw
/// a wrong (a right) input. Returns the figures checked.
pub fn check_gate(
    what: &dyn Fn(&str) -> String,
    model: &Model,
    exec: usize,
    nf: &NodeFit,
    failures: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    if let Some(g) = model.nodes.get(exec).and_then(|n| n.gate.as_ref()) {
        // A gate that never saw a wrong (or a right) input in the sample
        // has nothing to fit that rate from (e.g. the last of three gates
        // behind a 1e-7 silent rate).
        if let Some(d) = nf.sensitivity {
            inside(&what("sensitivity"), g.sensitivity, d.ci, failures);
            checked += 1;
        }
        if let Some(f) = nf.false_alarm {
            inside(&what("false alarm"), g.false_alarm, f.ci, failures);
            checked += 1;
        }
    }
    checked
}
