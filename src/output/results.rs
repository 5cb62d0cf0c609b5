//! The files of a run's result set: `summary.json`, `nodes.csv`, and
//! `classes.csv` for a run with task classes or load shedding.

use serde::Serialize;

use crate::stats::Summary;
use crate::stats::classes::ClassSummary;

/// Files an earlier run's result set may have beside it that a new run makes
/// stale: the node chart `coordsim chart --nodes` drew from the old summary,
/// the rare-event estimate of an earlier `run --rare`, and traces written by
/// an earlier `run --traces`.
pub const RUN_STALE: &[&str] = &[
    "classes.csv",
    "nodes.png",
    "nodes.svg",
    "rare.json",
    super::traces::OTLP_FILE,
    super::traces::CHROME_FILE,
];

/// The summary as pretty JSON (what `summary.json` holds and `--format json` prints).
pub fn summary_json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// The per-node table as CSV, one row per node or edge, then one per
/// sub-graph (`S/*`, kind "subgraph": its nodes' and hand-offs' figures summed).
///
/// Figures a row leaves out when zero (the step patterns' counts) get a
/// column as soon as one row has them, and `0` in the rows without.
pub fn nodes_csv(summary: &Summary) -> Vec<u8> {
    let mut rows: Vec<Vec<(String, String)>> = Vec::new();
    for node in summary.nodes.iter().chain(&summary.subgraphs) {
        rows.push(csv_cells(node));
    }
    for c in &summary.classes {
        for node in c.summary.nodes.iter().chain(&c.summary.subgraphs) {
            let mut row = node.clone();
            row.id = format!("{}:{}", c.id, node.id);
            rows.push(csv_cells(&row));
        }
    }
    let mut header: Vec<String> = Vec::new();
    for row in &rows {
        let mut after = 0;
        for (key, _) in row {
            match header.iter().position(|h| h == key) {
                Some(i) => after = i + 1,
                None => {
                    header.insert(after, key.clone());
                    after += 1;
                }
            }
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    if !rows.is_empty() {
        w.write_record(&header)
            .expect("writing to memory cannot fail");
    }
    for row in &rows {
        let cells = header.iter().map(|h| {
            row.iter()
                .find(|(k, _)| k == h)
                .map_or("0", |(_, v)| v.as_str())
        });
        w.write_record(cells)
            .expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// One node row as (column, cell) pairs, each cell formatted as the CSV
/// writer formats it.
fn csv_cells<T: Serialize>(row: &T) -> Vec<(String, String)> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(row).expect("node rows serialise");
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut records = r
        .records()
        .map(|x| x.expect("what was just written reads back"));
    let (Some(keys), Some(values)) = (records.next(), records.next()) else {
        return Vec::new();
    };
    keys.iter()
        .map(str::to_string)
        .zip(values.iter().map(str::to_string))
        .collect()
}

/// One row of `classes.csv`: a task class's figures (intervals 95%, made
/// as in `summary.json`).
#[derive(Serialize)]
struct ClassRow<'a> {
    class: &'a str,
    priority: i32,
    offered_rate: Option<f64>,
    arrivals: u64,
    tasks: u64,
    shed: u64,
    shed_rate: f64,
    shed_ci_low: f64,
    shed_ci_high: f64,
    success: f64,
    success_ci_low: f64,
    success_ci_high: f64,
    silent_failure: f64,
    loud_failure: f64,
    escalated: f64,
    latency_mean_s: f64,
    latency_p50_s: f64,
    latency_p95_s: f64,
    latency_p99_s: f64,
    cost_per_task_usd: f64,
    cost_per_success_usd: Option<f64>,
    throughput: f64,
    goodput: f64,
    goodput_ci_low: Option<f64>,
    goodput_ci_high: Option<f64>,
}

impl<'a> ClassRow<'a> {
    fn of(c: &'a ClassSummary) -> Self {
        let s = &c.summary;
        ClassRow {
            class: &c.id,
            priority: c.priority,
            offered_rate: c.offered_rate,
            arrivals: c.arrivals,
            tasks: s.trials,
            shed: c.shed.count,
            shed_rate: c.shed.rate,
            shed_ci_low: c.shed.ci95[0],
            shed_ci_high: c.shed.ci95[1],
            success: s.success.rate,
            success_ci_low: s.success.ci95[0],
            success_ci_high: s.success.ci95[1],
            silent_failure: s.silent_failure.rate,
            loud_failure: s.loud_failure.rate,
            escalated: s.escalated.rate,
            latency_mean_s: s.latency_s.mean,
            latency_p50_s: s.latency_s.p50,
            latency_p95_s: s.latency_s.p95,
            latency_p99_s: s.latency_s.p99,
            cost_per_task_usd: s.cost_usd.per_task,
            cost_per_success_usd: s.cost_usd.per_success,
            throughput: c.throughput.mean,
            goodput: c.goodput.mean,
            goodput_ci_low: c.goodput.ci95.map(|c| c[0]),
            goodput_ci_high: c.goodput.ci95.map(|c| c[1]),
        }
    }
}

/// The per-class table as CSV, one row per task class.
pub fn classes_csv(summary: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for c in &summary.classes {
        w.serialize(ClassRow::of(c)).expect("class rows serialise");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// The run's result set, by file name: `summary.json`, `nodes.csv` (with
/// task classes: every class's nodes, each row's `id` prefixed `class:`),
/// and `classes.csv` with task classes.
pub fn run_files(summary: &Summary) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("summary.json".into(), summary_json(summary).into_bytes()),
        ("nodes.csv".into(), nodes_csv(summary)),
    ];
    if !summary.classes.is_empty() {
        files.push(("classes.csv".into(), classes_csv(summary)));
    }
    files
}

/// The names a new run's set replaces: its own files and [`RUN_STALE`].
pub fn run_stale() -> Vec<String> {
    RUN_STALE.iter().map(|s| s.to_string()).collect()
}
