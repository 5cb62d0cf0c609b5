//! Checking and compiling a pool's `outage`, `degraded`, `incidents`,
//! `while_down` and `breaker` fields into [`Resilience`].

use super::bounds::MAX_SIMULATED_S;
use super::file::{
    BreakerSpec, DegradedSpec, IncidentModeSpec, IncidentSpec, PeriodSpec, ResourceSpec,
    WhileDownSpec,
};
use super::problem::Problems;
use super::step::compile_latency;
use crate::model::{
    Alternating, Breaker, Degradation, Incident, IncidentMode, Latency, Resilience, WhileDown,
};

/// Most failures or probes of a breaker.
const MAX_BREAKER_COUNT: u64 = 1_000_000;

/// The fields a link does not take (outages are modelled on pools only).
pub fn pool_only_fields(r: &ResourceSpec) -> [(&'static str, bool); 5] {
    [
        ("outage", r.outage.is_some()),
        ("degraded", r.degraded.is_some()),
        ("incidents", r.incidents.is_some()),
        ("while_down", r.while_down.is_some()),
        ("breaker", r.breaker.is_some()),
    ]
}

/// Compiles the resilience fields of the pool at `path`: `Some(None)` when
/// it has none, `None` when one is wrong (every problem recorded in `p`).
pub fn compile_resilience(
    r: &ResourceSpec,
    path: &str,
    p: &mut Problems,
) -> Option<Option<Box<Resilience>>> {
    if pool_only_fields(r).iter().all(|(_, set)| !set) {
        return Some(None);
    }
    let before = p.len();
    let outage = r
        .outage
        .as_ref()
        .and_then(|o| alternating(o.mtbf.clone(), o.mttr.clone(), &format!("{path}.outage"), p));
    let degraded = r
        .degraded
        .as_ref()
        .and_then(|d| degraded(d, &format!("{path}.degraded"), p));
    let incidents = r.incidents.as_deref().map_or_else(Vec::new, |list| {
        incidents(list, &format!("{path}.incidents"), p)
    });
    let breaker = r
        .breaker
        .as_ref()
        .and_then(|b| breaker(b, &format!("{path}.breaker"), p));
    if r.while_down.is_some()
        && r.outage.is_none()
        && !r
            .incidents
            .iter()
            .flatten()
            .any(|i| i.mode == IncidentModeSpec::Down)
    {
        p.add(
            format!("{path}.while_down"),
            "has no effect: the pool is never down; give it an `outage = { mtbf = 3600, mttr = 300 }` \
             or an incident with mode = \"down\"",
        );
    }
    if p.len() > before {
        return None;
    }
    Some(Some(Box::new(Resilience {
        outage,
        degraded,
        incidents,
        while_down: match r.while_down.unwrap_or(WhileDownSpec::Fail) {
            WhileDownSpec::Fail => WhileDown::Fail,
            WhileDownSpec::Wait => WhileDown::Wait,
        },
        breaker,
    })))
}

/// Scheduled incidents are times on a loaded run's clock: independent trials
/// (no `[workload]`) have none, so a pool with `incidents` needs a workload.
pub fn incidents_need_a_clock(resources: &[ResourceSpec], p: &mut Problems) {
    for (i, r) in resources.iter().enumerate() {
        if r.incidents.as_ref().is_some_and(|l| !l.is_empty()) {
            p.add(
                format!("resources[{i}] ({}).incidents", r.id),
                "scheduled incidents are times on the clock of a loaded run, which independent \
                 trials do not have; add a [workload] (e.g. `[workload]  arrivals = \"open\"  \
                 rate = 2.0  duration_s = 3600`), or use `outage = { mtbf = 3600, mttr = 300 }` \
                 for outages drawn per task",
            );
        }
    }
}

/// A period: a mean (Exponential) or a distribution, with a mean > 0.
fn period(spec: &PeriodSpec, path: &str, what: &str, p: &mut Problems) -> Option<Latency> {
    let latency = match spec {
        PeriodSpec::Mean(mean) => {
            if !(mean.is_finite() && *mean > 0.0 && *mean <= MAX_SIMULATED_S) {
                p.add(
                    path,
                    format!(
                        "is {mean}; allowed: a mean {what} in seconds, > 0 and at most \
                         {MAX_SIMULATED_S:e}, e.g. `{} = 300`",
                        last(path)
                    ),
                );
                return None;
            }
            Latency::exponential(*mean).ok()?
        }
        PeriodSpec::Dist(d) => compile_latency(d, None, path, p)?,
    };
    let mean = latency.mean();
    if !(mean > 0.0 && mean <= MAX_SIMULATED_S) {
        p.add(
            path,
            format!(
                "has a mean of {mean} s; allowed: a {what} whose mean is > 0 and at most \
                 {MAX_SIMULATED_S:e} s, e.g. `{} = {{ dist = \"lognormal\", median = 300, p99 = 3600 }}`",
                last(path)
            ),
        );
        return None;
    }
    Some(latency)
}

fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn alternating(
    mtbf: PeriodSpec,
    mttr: PeriodSpec,
    path: &str,
    p: &mut Problems,
) -> Option<Alternating> {
    let up = period(&mtbf, &format!("{path}.mtbf"), "time between failures", p);
    let down = period(&mttr, &format!("{path}.mttr"), "time to repair", p);
    Some(Alternating {
        up: up?,
        down: down?,
    })
}

fn degraded(d: &DegradedSpec, path: &str, p: &mut Problems) -> Option<(Alternating, Degradation)> {
    let process = alternating(d.mtbf.clone(), d.mttr.clone(), path, p);
    let effect = degradation(d.slowdown, d.extra_loud, path, p);
    Some((process?, effect?))
}

fn degradation(
    slowdown: Option<f64>,
    extra_loud: Option<f64>,
    path: &str,
    p: &mut Problems,
) -> Option<Degradation> {
    let slowdown = slowdown.unwrap_or(1.0);
    let extra_loud = extra_loud.unwrap_or(0.0);
    let mut ok = true;
    if !(slowdown.is_finite() && (1.0..=1e6).contains(&slowdown)) {
        p.add(
            format!("{path}.slowdown"),
            format!(
                "is {slowdown}; allowed: a number from 1 (no slowdown) to 10^6 that service \
                 times are multiplied by, e.g. `slowdown = 3.0`"
            ),
        );
        ok = false;
    }
    if !(extra_loud.is_finite() && (0.0..=1.0).contains(&extra_loud)) {
        p.add(
            format!("{path}.extra_loud"),
            format!(
                "is {extra_loud}; allowed: a probability in [0, 1] that a call fails loud, \
                 e.g. `extra_loud = 0.1`"
            ),
        );
        ok = false;
    }
    ok.then_some(Degradation {
        slowdown,
        extra_loud,
    })
}

fn incidents(list: &[IncidentSpec], path: &str, p: &mut Problems) -> Vec<Incident> {
    let example = "e.g. `incidents = [{ start = 600, end = 1800, mode = \"down\" }]`";
    let mut out = Vec::new();
    let mut previous_end: Option<f64> = None;
    for (i, x) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let mut ok = true;
        if !(x.start.is_finite() && (0.0..=MAX_SIMULATED_S).contains(&x.start)) {
            p.add(
                format!("{at}.start"),
                format!(
                    "is {}; allowed: seconds from the start of the run, 0 to {MAX_SIMULATED_S:e}, {example}",
                    x.start
                ),
            );
            ok = false;
        }
        if !(x.end.is_finite() && x.end <= MAX_SIMULATED_S && x.end > x.start) {
            p.add(
                format!("{at}.end"),
                format!(
                    "is {}; allowed: seconds after `start` ({}), at most {MAX_SIMULATED_S:e}, {example}",
                    x.end, x.start
                ),
            );
            ok = false;
        }
        if ok && let Some(end) = previous_end.filter(|&end| x.start < end) {
            p.add(
                format!("{at}.start"),
                format!(
                    "is {}, before the end of the previous incident ({end}); allowed: incidents \
                     in order of time, not overlapping (start >= the previous end), {example}",
                    x.start
                ),
            );
            ok = false;
        }
        let mode = match x.mode {
            IncidentModeSpec::Down => {
                for (field, set) in [
                    ("slowdown", x.slowdown.is_some()),
                    ("extra_loud", x.extra_loud.is_some()),
                ] {
                    if set {
                        p.add(
                            format!("{at}.{field}"),
                            "only used with mode = \"degraded\" (a pool that is down serves nothing)",
                        );
                        ok = false;
                    }
                }
                Some(IncidentMode::Down)
            }
            IncidentModeSpec::Degraded => {
                degradation(x.slowdown, x.extra_loud, &at, p).map(IncidentMode::Degraded)
            }
        };
        if x.start.is_finite() && x.end.is_finite() {
            previous_end = Some(x.end.max(previous_end.unwrap_or(x.end)));
        }
        if let (true, Some(mode)) = (ok, mode) {
            out.push(Incident {
                start: x.start,
                end: x.end,
                mode,
            });
        }
    }
    out
}

fn breaker(b: &BreakerSpec, path: &str, p: &mut Problems) -> Option<Breaker> {
    let example = "e.g. `breaker = { failures = 5, window = 10, cooldown = 30, probes = 1 }`";
    let mut ok = true;
    let probes = b.probes.unwrap_or(1);
    for (field, v) in [("failures", b.failures), ("probes", probes)] {
        if !(1..=MAX_BREAKER_COUNT).contains(&v) {
            p.add(
                format!("{path}.{field}"),
                format!("is {v}; allowed: an integer, 1 to {MAX_BREAKER_COUNT}, {example}"),
            );
            ok = false;
        }
    }
    for (field, v) in [("window", b.window), ("cooldown", b.cooldown)] {
        if !(v.is_finite() && v > 0.0 && v <= MAX_SIMULATED_S) {
            p.add(
                format!("{path}.{field}"),
                format!("is {v}; allowed: seconds, > 0 and at most {MAX_SIMULATED_S:e}, {example}"),
            );
            ok = false;
        }
    }
    ok.then_some(Breaker {
        failures: b.failures as u32,
        window: b.window,
        cooldown: b.cooldown,
        probes: probes as u32,
    })
}
