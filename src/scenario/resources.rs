//! Checking and compiling `[[resources]]`, steps' use of them, and `[workload]`.

use std::collections::HashMap;

use super::bounds::MAX_SIMULATED_S;
use super::file::{
    ArrivalsSpec, DisciplineSpec, LatencySpec, OnFullSpec, ResourceKind, ResourceSpec, ShedSpec,
    StepSpec, WorkloadSpec,
};
use super::problem::{Problems, nearest};
use super::step::compile_latency;
use crate::model::{
    Arrivals, Batching, ClassHead, Discipline, Latency, Link, OnFull, Pool, RateLimit, ResourceUse,
    ServiceTime, Shed, Transfer, Window, Workload,
};

/// Most servers in one pool, and most agents in a closed workload.
pub const MAX_SERVERS: u64 = 1_000_000;
/// Most replications of a loaded run.
pub const MAX_REPLICATIONS: u64 = 10_000;
/// Most tasks measured in one replication.
pub const MAX_TASKS: u64 = 1_000_000_000;
/// Default replications of a loaded run.
pub const DEFAULT_REPLICATIONS: u64 = 10;
/// Default bound on tasks in flight before a run is declared unstable.
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 100_000;

/// Where each resource id went: a pool or a link, by index.
#[derive(Debug, Default)]
pub struct ResourceIndex {
    pools: HashMap<String, usize>,
    links: HashMap<String, usize>,
    /// Pools whose work is counted in the step's tokens (batching, token service times).
    token_pools: Vec<usize>,
    /// Resources declared with problems (already reported): steps that use
    /// them are not blamed again.
    broken: std::collections::HashSet<String>,
}

/// Compiles `[[resources]]` into pools and links.
pub fn compile_resources(
    specs: &[ResourceSpec],
    p: &mut Problems,
) -> (Vec<Pool>, Vec<Link>, ResourceIndex) {
    let mut pools = Vec::new();
    let mut links = Vec::new();
    let mut index = ResourceIndex::default();
    for (i, r) in specs.iter().enumerate() {
        let path = format!("resources[{i}] ({})", r.id);
        if index.pools.contains_key(&r.id)
            || index.links.contains_key(&r.id)
            || index.broken.contains(&r.id)
        {
            p.add(
                format!("{path}.id"),
                format!(
                    "\"{}\" is used by an earlier resource; ids must be unique",
                    r.id
                ),
            );
            continue;
        }
        match r.kind {
            ResourceKind::Link => {
                if let Some(link) = compile_link(r, &path, p) {
                    index.links.insert(r.id.clone(), links.len());
                    links.push(link);
                } else {
                    index.broken.insert(r.id.clone());
                }
            }
            ResourceKind::Accelerator | ResourceKind::Service => {
                if let Some(pool) = compile_pool(r, &path, p) {
                    if pool.batching.is_some() || matches!(pool.service, ServiceTime::Tokens { .. })
                    {
                        index.token_pools.push(pools.len());
                    }
                    index.pools.insert(r.id.clone(), pools.len());
                    pools.push(pool);
                } else {
                    index.broken.insert(r.id.clone());
                }
            }
        }
    }
    (pools, links, index)
}

fn compile_link(r: &ResourceSpec, path: &str, p: &mut Problems) -> Option<Link> {
    let pool_fields = [
        ("servers", r.servers.is_some()),
        ("discipline", r.discipline.is_some()),
        ("on_full", r.on_full.is_some()),
        ("queue_capacity", r.queue_capacity.is_some()),
        ("service", r.service.is_some()),
        ("batching", r.batching.is_some()),
        ("rate_limit", r.rate_limit.is_some()),
        ("cancel_on_timeout", r.cancel_on_timeout.is_some()),
    ];
    for (field, set) in pool_fields {
        if set {
            p.add(
                format!("{path}.{field}"),
                "not allowed on kind = \"link\" (links have `bandwidth` and `latency`)",
            );
        }
    }
    let Some(bandwidth) = r.bandwidth else {
        p.add(
            format!("{path}.bandwidth"),
            "missing; a link needs bytes per second > 0",
        );
        return None;
    };
    let latency = r.latency.unwrap_or(0.0);
    let ok = p.positive(format!("{path}.bandwidth"), bandwidth)
        & p.non_negative(format!("{path}.latency"), latency);
    ok.then(|| Link {
        id: r.id.clone(),
        bandwidth,
        latency,
    })
}

fn compile_pool(r: &ResourceSpec, path: &str, p: &mut Problems) -> Option<Pool> {
    let before = p.len();
    for (field, set) in [
        ("bandwidth", r.bandwidth.is_some()),
        ("latency", r.latency.is_some()),
    ] {
        if set {
            p.add(format!("{path}.{field}"), "only allowed on kind = \"link\"");
        }
    }
    let is_accelerator = r.kind == ResourceKind::Accelerator;
    let servers = match r.servers {
        Some(s) if (1..=MAX_SERVERS).contains(&s) => s as u32,
        Some(s) => {
            p.add(
                format!("{path}.servers"),
                format!("is {s}; allowed: 1 to {MAX_SERVERS}"),
            );
            1
        }
        None if is_accelerator => {
            p.add(
                format!("{path}.servers"),
                "missing; an accelerator pool needs 1 or more servers",
            );
            1
        }
        None => u32::MAX,
    };
    if r.batching.is_some() && !is_accelerator {
        p.add(
            format!("{path}.batching"),
            "only allowed on kind = \"accelerator\"",
        );
    }
    if r.batching.is_some() && r.service.is_some() {
        p.add(
            format!("{path}.service"),
            "not used with `batching` (the iteration times set the service)",
        );
    }
    let batching = r.batching.as_ref().and_then(|b| {
        let ok = b.max_batch >= 1 && b.max_batch <= 1_000_000;
        if !ok {
            p.add(
                format!("{path}.batching.max_batch"),
                format!("is {}; allowed: 1 to 1000000", b.max_batch),
            );
        }
        let ok = ok
            & p.positive(format!("{path}.batching.iteration_base"), b.iteration_base)
            & p.non_negative(
                format!("{path}.batching.iteration_per_request"),
                b.iteration_per_request,
            );
        ok.then_some(Batching {
            max_batch: b.max_batch as u32,
            iteration_base: b.iteration_base,
            iteration_per_request: b.iteration_per_request,
        })
    });
    let rate_limit = r.rate_limit.as_ref().and_then(|l| {
        let burst = l.burst.unwrap_or(1.0);
        let ok = p.positive(format!("{path}.rate_limit.rate"), l.rate);
        let burst_ok = burst.is_finite() && burst >= 1.0;
        if !burst_ok {
            p.add(
                format!("{path}.rate_limit.burst"),
                format!("is {burst}; allowed: a finite number >= 1"),
            );
        }
        (ok && burst_ok).then_some(RateLimit {
            rate: l.rate,
            burst,
        })
    });
    if r.rate_limit.is_some() && is_accelerator {
        p.add(
            format!("{path}.rate_limit"),
            "only allowed on kind = \"service\"",
        );
    }
    let service = match &r.service {
        None => ServiceTime::StepLatency,
        Some(LatencySpec::Tokens {
            tokens_per_s,
            prefill_tokens_per_s,
            overhead,
        }) => {
            let mut ok = p.positive(format!("{path}.service.tokens_per_s"), *tokens_per_s);
            let prefill = prefill_tokens_per_s.unwrap_or(f64::INFINITY);
            if let Some(rate) = prefill_tokens_per_s {
                ok &= p.positive(format!("{path}.service.prefill_tokens_per_s"), *rate);
            }
            if overhead.is_some() {
                p.add(
                    format!("{path}.service.overhead"),
                    "not allowed on a pool's token service time",
                );
            }
            if !ok {
                return None;
            }
            ServiceTime::Tokens {
                prefill_per_s: prefill,
                decode_per_s: *tokens_per_s,
            }
        }
        Some(spec) => {
            ServiceTime::Distribution(compile_latency(spec, None, &format!("{path}.service"), p)?)
        }
    };
    if p.len() > before {
        return None;
    }
    Some(Pool {
        id: r.id.clone(),
        kind: if is_accelerator {
            "accelerator"
        } else {
            "service"
        },
        servers,
        discipline: match r.discipline.unwrap_or(DisciplineSpec::Fifo) {
            DisciplineSpec::Fifo => Discipline::Fifo,
            DisciplineSpec::Priority => Discipline::Priority,
        },
        on_full: match r.on_full.unwrap_or(OnFullSpec::Wait) {
            OnFullSpec::Wait => OnFull::Wait,
            OnFullSpec::Reject => OnFull::Reject,
        },
        queue_capacity: r.queue_capacity.unwrap_or(u64::MAX),
        service,
        batching,
        rate_limit,
        cancel_on_timeout: r.cancel_on_timeout.unwrap_or(false),
    })
}

/// Resolves a step's `resource`, `priority` and `transfer` fields.
pub fn resolve_use(
    spec: &StepSpec,
    path: &str,
    index: &ResourceIndex,
    p: &mut Problems,
) -> Option<ResourceUse> {
    if spec.resource.is_none() && spec.transfer.is_none() {
        if spec.priority.is_some() {
            p.add(
                format!("{path}.priority"),
                "needs `resource`, a pool to be served by",
            );
        }
        return None;
    }
    let pool = spec
        .resource
        .as_ref()
        .and_then(|id| match index.pools.get(id) {
            Some(&i) => {
                if spec.tokens.is_none() && index.token_pools.contains(&i) {
                    p.add(
                        format!("{path}.tokens"),
                        format!(
                            "missing; pool \"{id}\" counts its work in tokens (batching or a \
                             token service time): set `tokens = {{ input = .., output = .. }}`"
                        ),
                    );
                }
                Some(i)
            }
            None if index.broken.contains(id) => None,
            None => {
                let what = if index.links.contains_key(id) {
                    format!(
                        "\"{id}\" is a link; use `transfer = {{ link = \"{id}\", bytes = .. }}`"
                    )
                } else {
                    unknown_resource(id, index.pools.keys())
                };
                p.add(format!("{path}.resource"), what);
                None
            }
        });
    let transfer = spec.transfer.as_ref().and_then(|t| {
        let bytes_ok = p.non_negative(format!("{path}.transfer.bytes"), t.bytes);
        match index.links.get(&t.link) {
            Some(&link) if bytes_ok => Some(Transfer {
                link,
                bytes: t.bytes,
            }),
            Some(_) => None,
            None if index.broken.contains(&t.link) => None,
            None => {
                p.add(
                    format!("{path}.transfer.link"),
                    unknown_resource(&t.link, index.links.keys()),
                );
                None
            }
        }
    });
    Some(ResourceUse {
        pool,
        transfer,
        priority: spec.priority.unwrap_or(0),
    })
}

fn unknown_resource<'a>(id: &str, known: impl Iterator<Item = &'a String> + Clone) -> String {
    let names: Vec<&str> = known.map(String::as_str).collect();
    match nearest(id, names.iter().copied()) {
        Some(near) => format!("no such resource \"{id}\"; did you mean \"{near}\"?"),
        None if names.is_empty() => {
            format!("no such resource \"{id}\"; declare it in [[resources]]")
        }
        None => format!("no such resource \"{id}\"; known: {}", names.join(", ")),
    }
}

/// Checks `[workload]` and builds it.
pub fn compile_workload(
    w: &WorkloadSpec,
    index: &ResourceIndex,
    p: &mut Problems,
) -> Option<Workload> {
    let before = p.len();
    let shed = w
        .shed
        .as_ref()
        .and_then(|s| resolve_shed(s, "workload.shed", index, p));
    let id = w
        .class
        .clone()
        .unwrap_or_else(|| ClassHead::DEFAULT_ID.to_string());
    if id.trim().is_empty() {
        p.add(
            "workload.class",
            "is empty; name the scenario's task class, e.g. class = \"chat\"",
        );
    }
    let head = ClassHead {
        id,
        priority: w.priority.unwrap_or(0),
        shed,
    };
    let open_only = [
        ("rate", w.rate.is_some()),
        ("schedule", w.schedule.is_some()),
        ("period", w.period.is_some()),
        ("burst", w.burst.is_some()),
    ];
    let closed_only = [
        ("concurrency", w.concurrency.is_some()),
        ("think", w.think.is_some()),
    ];
    let (wrong, kind) = match w.arrivals {
        ArrivalsSpec::Open => (closed_only.as_slice(), "open"),
        ArrivalsSpec::Closed => (open_only.as_slice(), "closed"),
    };
    for (field, set) in wrong {
        if *set {
            p.add(
                format!("workload.{field}"),
                format!("not used by arrivals = \"{kind}\""),
            );
        }
    }
    let arrivals = match w.arrivals {
        ArrivalsSpec::Open => open_arrivals(w, p),
        ArrivalsSpec::Closed => {
            let agents = match w.concurrency {
                Some(n) if (1..=MAX_SERVERS).contains(&n) => n as u32,
                Some(n) => {
                    p.add(
                        "workload.concurrency",
                        format!("is {n}; allowed: 1 to {MAX_SERVERS}"),
                    );
                    1
                }
                None => {
                    p.add(
                        "workload.concurrency",
                        "missing; a closed workload needs its number of agents",
                    );
                    1
                }
            };
            let think = match &w.think {
                None => Some(Latency::zero()),
                Some(spec) => compile_latency(spec, None, "workload.think", p),
            };
            think.map(|think| Arrivals::Closed { agents, think })
        }
    };
    let window = match (w.warmup_tasks, w.warmup_s, w.tasks, w.duration_s) {
        (warmup, None, Some(tasks), None) => {
            if !(1..=MAX_TASKS).contains(&tasks) {
                p.add(
                    "workload.tasks",
                    format!("is {tasks}; allowed: 1 to {MAX_TASKS}"),
                );
            }
            if let Some(w) = warmup.filter(|&w| w > MAX_TASKS) {
                p.add(
                    "workload.warmup_tasks",
                    format!("is {w}; allowed: 0 to {MAX_TASKS}"),
                );
            }
            Window::Tasks {
                warmup: warmup.unwrap_or(0),
                tasks,
            }
        }
        (None, warmup, None, Some(duration)) => {
            let warmup = warmup.unwrap_or(0.0);
            p.non_negative("workload.warmup_s", warmup);
            p.positive("workload.duration_s", duration);
            Window::Time { warmup, duration }
        }
        _ => {
            p.add(
                "workload",
                "give the run length either as `tasks` (with optional `warmup_tasks`) or as `duration_s` (with optional `warmup_s`), not a mix",
            );
            Window::Tasks {
                warmup: 0,
                tasks: 1,
            }
        }
    };
    let replications = w.replications.unwrap_or(DEFAULT_REPLICATIONS);
    if !(1..=MAX_REPLICATIONS).contains(&replications) {
        p.add(
            "workload.replications",
            format!("is {replications}; allowed: 1 to {MAX_REPLICATIONS}"),
        );
    }
    let max_in_flight = w.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT);
    if !(1..=100_000_000).contains(&max_in_flight) {
        p.add(
            "workload.max_in_flight",
            format!("is {max_in_flight}; allowed: 1 to 100000000"),
        );
    }
    if p.len() > before {
        return None;
    }
    let arrivals = arrivals?;
    if let Window::Time { warmup, duration } = window {
        // Peak rate × run length bounds the tasks an open workload starts.
        let expected = arrivals.peak_rate() * (warmup + duration);
        if expected > MAX_TASKS as f64 {
            p.add(
                "workload.duration_s",
                format!(
                    "with warm-up, {:.0} s at up to {} tasks/s starts about {expected:.3e} tasks; \
                     allowed: at most {MAX_TASKS} (shorten the run or lower the rate)",
                    warmup + duration,
                    arrivals.peak_rate()
                ),
            );
            return None;
        }
    }
    if !check_horizon(&arrivals, window, w, p) {
        return None;
    }
    Some(Workload {
        arrivals,
        window,
        replications: replications as u32,
        max_in_flight,
        head,
        classes: Vec::new(),
    })
}

/// Resolves `shed = { pool, queue_above }` at `field`.
pub fn resolve_shed(
    spec: &ShedSpec,
    field: &str,
    index: &ResourceIndex,
    p: &mut Problems,
) -> Option<Shed> {
    let pool = match index.pools.get(&spec.pool) {
        Some(&i) => Some(i),
        None if index.broken.contains(&spec.pool) => None,
        None => {
            let what = if index.links.contains_key(&spec.pool) {
                format!(
                    "\"{}\" is a link, which has no queue; allowed: a pool, e.g. \
                     shed = {{ pool = \"gpu\", queue_above = 20 }}",
                    spec.pool
                )
            } else {
                format!(
                    "{}; allowed: a pool, e.g. shed = {{ pool = \"gpu\", queue_above = 20 }}",
                    unknown_resource(&spec.pool, index.pools.keys())
                )
            };
            p.add(format!("{field}.pool"), what);
            None
        }
    };
    let queue_above = match u64::try_from(spec.queue_above) {
        Ok(n) => Some(n),
        Err(_) => {
            p.add(
                format!("{field}.queue_above"),
                format!(
                    "is {}; allowed: an integer >= 0 (requests waiting), e.g. queue_above = 20",
                    spec.queue_above
                ),
            );
            None
        }
    };
    Some(Shed {
        pool: pool?,
        queue_above: queue_above?,
    })
}

/// Checks that an open workload can reach its task count at all (its
/// schedule does not end at rate 0), and that the run fits in
/// [`MAX_SIMULATED_S`] of simulated time.
fn check_horizon(arrivals: &Arrivals, window: Window, w: &WorkloadSpec, p: &mut Problems) -> bool {
    let (field, count) = match window {
        Window::Time { warmup, duration } => {
            if warmup + duration > MAX_SIMULATED_S {
                p.add(
                    "workload.duration_s",
                    format!(
                        "with warm-up, {:e} s of simulated time; allowed: at most {MAX_SIMULATED_S:e} s \
                         (beyond it the clock loses the precision of short latencies)",
                        warmup + duration
                    ),
                );
                return false;
            }
            return true;
        }
        Window::Tasks { warmup, tasks } => {
            let field = if w.rate.is_some() {
                "workload.rate"
            } else if w.burst.is_some() {
                "workload.burst"
            } else {
                "workload.schedule"
            };
            (field, warmup + tasks)
        }
    };
    let Arrivals::Open { schedule, period } = arrivals else {
        return true;
    };
    if period.is_none()
        && let Some(&(start, rate)) = schedule.last()
        && rate == 0.0
    {
        p.add(
            format!("workload.schedule[{}][1]", schedule.len() - 1),
            format!(
                "the rate drops to 0 at {start} s and stays there, so the run may never reach its \
                 {count} tasks (warm-up included) and would wait for ever; end the schedule with a \
                 positive rate, repeat it with `period`, or give the run length as `duration_s`"
            ),
        );
        return false;
    }
    let horizon = count as f64 / arrivals.mean_rate();
    if horizon.is_nan() || horizon > MAX_SIMULATED_S {
        p.add(
            field,
            format!(
                "at {:e} tasks/s on average, {count} tasks (warm-up included) take about {horizon:.3e} s \
                 of simulated time; allowed: at most {MAX_SIMULATED_S:e} s (beyond it the clock loses \
                 the precision of short latencies); raise the rate or lower the tasks",
                arrivals.mean_rate()
            ),
        );
        return false;
    }
    true
}

fn open_arrivals(w: &WorkloadSpec, p: &mut Problems) -> Option<Arrivals> {
    let given = [w.rate.is_some(), w.schedule.is_some(), w.burst.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        p.add(
            "workload",
            "an open workload needs exactly one of `rate`, `schedule` or `burst`",
        );
        return None;
    }
    if let Some(rate) = w.rate {
        if w.period.is_some() {
            p.add("workload.period", "only used with `schedule`");
        }
        return p.positive("workload.rate", rate).then(|| Arrivals::Open {
            schedule: vec![(0.0, rate)],
            period: None,
        });
    }
    if let Some(b) = &w.burst {
        if w.period.is_some() {
            p.add(
                "workload.period",
                "only used with `schedule` (a burst's period is on_s + off_s)",
            );
        }
        let ok = p.positive("workload.burst.on_s", b.on_s)
            & p.positive("workload.burst.off_s", b.off_s)
            & p.non_negative("workload.burst.rate_on", b.rate_on)
            & p.non_negative("workload.burst.rate_off", b.rate_off);
        if ok && b.rate_on + b.rate_off == 0.0 {
            p.add(
                "workload.burst",
                "both rates are 0: no task would ever arrive",
            );
            return None;
        }
        return ok.then(|| Arrivals::Open {
            schedule: vec![(0.0, b.rate_on), (b.on_s, b.rate_off)],
            period: Some(b.on_s + b.off_s),
        });
    }
    let schedule = w.schedule.as_ref().expect("one of the three is set");
    let mut ok = !schedule.is_empty();
    if schedule.is_empty() {
        p.add(
            "workload.schedule",
            "is empty; give [[start_s, rate], ...] starting at 0",
        );
    }
    for (i, [start, rate]) in schedule.iter().enumerate() {
        ok &= p.non_negative(format!("workload.schedule[{i}][0]"), *start);
        ok &= p.non_negative(format!("workload.schedule[{i}][1]"), *rate);
        if i == 0 && *start != 0.0 {
            p.add(
                "workload.schedule[0][0]",
                format!("is {start}; the schedule must start at 0"),
            );
            ok = false;
        }
        if i > 0 && *start <= schedule[i - 1][0] {
            p.add(
                format!("workload.schedule[{i}][0]"),
                "start times must increase",
            );
            ok = false;
        }
    }
    if ok && schedule.iter().all(|s| s[1] == 0.0) {
        p.add(
            "workload.schedule",
            "every rate is 0: no task would ever arrive",
        );
        ok = false;
    }
    let period = w.period;
    if let Some(period) = period {
        ok &= p.positive("workload.period", period);
        if ok && schedule.last().is_some_and(|s| s[0] >= period) {
            p.add(
                "workload.period",
                "must be longer than the last start time of the schedule",
            );
            ok = false;
        }
    }
    ok.then(|| Arrivals::Open {
        schedule: schedule.iter().map(|s| (s[0], s[1])).collect(),
        period,
    })
}
