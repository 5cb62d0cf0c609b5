//! A sweep's results as a table: one row per grid point, the varied values
//! first, then every summary figure. `sweep.csv` is this table, and charts are
//! drawn from it, whether it was just computed or read back from a CSV.

use serde_json::Value;

use super::run::PointResult;

/// Name of the first column after the axes; `chart` finds the axes by it.
pub const SCENARIO_COLUMN: &str = "scenario";

/// The named figure columns, each with where it comes from in summary.json
/// (a JSON pointer; empty for `theory_success`, which is not in the summary).
pub const FIGURES: &[(&str, &str)] = &[
    ("trials", "/trials"),
    ("seed", "/seed"),
    ("success_rate", "/success/rate"),
    ("success_ci_low", "/success/ci95/0"),
    ("success_ci_high", "/success/ci95/1"),
    ("theory_success", ""),
    ("silent_rate", "/silent_failure/rate"),
    ("silent_ci_low", "/silent_failure/ci95/0"),
    ("silent_ci_high", "/silent_failure/ci95/1"),
    ("loud_rate", "/loud_failure/rate"),
    ("loud_ci_low", "/loud_failure/ci95/0"),
    ("loud_ci_high", "/loud_failure/ci95/1"),
    ("escalated_rate", "/escalated/rate"),
    ("escalated_ci_low", "/escalated/ci95/0"),
    ("escalated_ci_high", "/escalated/ci95/1"),
    ("latency_mean_s", "/latency_s/mean"),
    ("latency_mean_ci_low_s", "/latency_s/mean_ci95/0"),
    ("latency_mean_ci_high_s", "/latency_s/mean_ci95/1"),
    ("latency_p50_s", "/latency_s/p50"),
    ("latency_p50_ci_low_s", "/latency_s/p50_ci95/0"),
    ("latency_p50_ci_high_s", "/latency_s/p50_ci95/1"),
    ("latency_p95_s", "/latency_s/p95"),
    ("latency_p95_ci_low_s", "/latency_s/p95_ci95/0"),
    ("latency_p95_ci_high_s", "/latency_s/p95_ci95/1"),
    ("latency_p99_s", "/latency_s/p99"),
    ("latency_p99_ci_low_s", "/latency_s/p99_ci95/0"),
    ("latency_p99_ci_high_s", "/latency_s/p99_ci95/1"),
    ("latency_max_s", "/latency_s/max"),
    ("cost_per_task_usd", "/cost_usd/per_task"),
    ("cost_per_success_usd", "/cost_usd/per_success"),
    ("tokens_per_task", "/tokens/per_task"),
    ("tokens_per_success", "/tokens/per_success"),
];

/// Summary fields that are neither named columns nor extra ones: the counts
/// (the rates and `trials` give them) and the per-node figures (in sweep.json).
const LEFT_OUT: &[&str] = &[
    "/scenario",
    "/nodes",
    "/success/count",
    "/silent_failure/count",
    "/loud_failure/count",
    "/escalated/count",
];

/// One table of sweep results; every cell is kept as text, exactly as written
/// to (and read from) the CSV, so a table read back equals the one written.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepTable {
    /// The varied paths, as given (`depth`, `nodes.retrieve.silent`).
    pub axes: Vec<String>,
    /// The other columns: `scenario`, the [`FIGURES`], then any other numeric
    /// figure of the summary (e.g. `throughput.per_s`, `pass_k.k8.all.rate`),
    /// named by its path.
    pub columns: Vec<String>,
    /// One row per point: axis cells, then column cells (empty for "none").
    pub rows: Vec<Vec<String>>,
}

impl SweepTable {
    /// Builds the table of `results` for the axes named `axes`.
    pub fn from_results(axes: &[String], results: &[PointResult]) -> SweepTable {
        let summaries: Vec<Value> = results
            .iter()
            .map(|r| serde_json::to_value(&r.summary).expect("a summary serialises"))
            .collect();
        let leaves: Vec<Vec<(String, Value)>> = summaries.iter().map(extra_leaves).collect();
        let mut extra: Vec<&str> = Vec::new();
        for (name, _) in leaves.iter().flatten() {
            if !extra.contains(&name.as_str()) {
                extra.push(name);
            }
        }
        let mut columns = vec![SCENARIO_COLUMN.to_string()];
        columns.extend(FIGURES.iter().map(|(name, _)| name.to_string()));
        columns.extend(extra.iter().map(|name| name.to_string()));
        let rows = results
            .iter()
            .zip(&summaries)
            .zip(&leaves)
            .map(|((r, s), own)| {
                let mut row: Vec<String> = r.values.iter().map(ToString::to_string).collect();
                row.push(r.summary.scenario.clone());
                for (name, pointer) in FIGURES {
                    let v = if *name == "theory_success" {
                        r.theory_success.map(Value::from)
                    } else {
                        s.pointer(pointer).cloned()
                    };
                    row.push(v.as_ref().map(number).unwrap_or_default());
                }
                for name in &extra {
                    let v = own.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                    row.push(v.map(number).unwrap_or_default());
                }
                row
            })
            .collect();
        SweepTable {
            axes: axes.to_vec(),
            columns,
            rows,
        }
    }

    /// Index of column `name` among all cells of a row (axes included).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|i| i + self.axes.len())
    }

    /// The number in column `name` of row `row`; `None` when the cell is empty
    /// or the column does not exist.
    pub fn get(&self, row: usize, name: &str) -> Option<f64> {
        let cell = &self.rows[row][self.index(name)?];
        cell.parse().ok()
    }

    /// The value of axis `axis` at row `row`.
    pub fn axis_value(&self, row: usize, axis: usize) -> f64 {
        self.rows[row][axis].parse().unwrap_or(f64::NAN)
    }

    /// The SLO thresholds (seconds) the sweep reports, from its
    /// `slo.<id>.threshold_s` columns (first row), ascending.
    pub fn slo_thresholds(&self) -> Vec<f64> {
        let mut out: Vec<f64> = self
            .columns
            .iter()
            .filter(|c| c.starts_with("slo.") && c.ends_with(".threshold_s"))
            .filter_map(|c| (0..self.rows.len()).find_map(|r| self.get(r, c)))
            .collect();
        out.sort_by(f64::total_cmp);
        out
    }

    /// The scenario name (of the first row).
    pub fn scenario(&self) -> &str {
        self.rows
            .first()
            .and_then(|r| r.get(self.axes.len()))
            .map_or("", String::as_str)
    }
}

/// A JSON number as text (integers as integers, floats in shortest exact
/// form); `null` as an empty cell.
fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// The name of an array element in a column path: its `id`
/// (`resources.gpu.utilisation`), `k` for pass^k (`pass_k.k2.all.rate`), or
/// its pair for a failure correlation (`failure_correlation.a+b.phi`).
fn element_key(v: &Value) -> Option<String> {
    if let Some(id) = v.get("id").and_then(Value::as_str) {
        return Some(id.to_string());
    }
    if let Some(k) = v.get("k").and_then(Value::as_u64) {
        return Some(format!("k{k}"));
    }
    let a = v.get("a").and_then(Value::as_str)?;
    let b = v.get("b").and_then(Value::as_str)?;
    Some(format!("{a}+{b}"))
}

/// The numeric (or null) leaves of `summary` that are neither named columns
/// nor left out, named by their dotted path; array elements are named by
/// [`element_key`].
fn extra_leaves(summary: &Value) -> Vec<(String, Value)> {
    fn walk(v: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
        // A task class's per-node figures are in sweep.json, like the run's own.
        let class_nodes = pointer.starts_with("/classes/") && pointer.ends_with("/summary/nodes");
        if class_nodes
            || LEFT_OUT.contains(&pointer.as_str())
            || FIGURES.iter().any(|(_, p)| !p.is_empty() && *p == pointer)
        {
            return;
        }
        match v {
            Value::Number(_) | Value::Null => out.push((pointer, v.clone())),
            Value::Object(map) => {
                for (k, child) in map {
                    walk(child, format!("{pointer}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let key = element_key(child).unwrap_or_else(|| i.to_string());
                    walk(child, format!("{pointer}/{key}"), out);
                }
            }
            Value::String(_) | Value::Bool(_) => {}
        }
    }
    let mut out = Vec::new();
    walk(summary, String::new(), &mut out);
    out.into_iter()
        .map(|(pointer, v)| (pointer[1..].replace('/', "."), v))
        .collect()
}
