//! Splitting a sweep table into lines: the first axis runs along x, and each
//! combination of the other axes' values is one line.

use crate::sweep::SweepTable;

/// Most lines one plot draws together; beyond that they could not be told
/// apart (more are drawn as small multiples, see [`super::frame::Layout`]).
pub const MAX_SERIES: usize = 6;

/// One line of a chart: the rows it joins, in increasing x.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `concurrency = 4, ...`, or empty when only one axis was varied.
    pub label: String,
    /// Row indices, sorted by the first axis's value.
    pub rows: Vec<usize>,
}

/// The lines of `table`, and a note when some were left out (at most
/// `most` are kept, evenly spread over the others, the first and last
/// always among them).
pub fn lines(table: &SweepTable, most: usize) -> (Vec<Series>, Option<String>) {
    let mut all: Vec<(Vec<String>, Series)> = Vec::new();
    for (row, cells) in table.rows.iter().enumerate() {
        let key = cells[1..table.axes.len()].to_vec();
        match all.iter_mut().find(|(k, _)| *k == key) {
            Some((_, s)) => s.rows.push(row),
            None => {
                let label = table.axes[1..]
                    .iter()
                    .zip(&key)
                    .map(|(a, v)| format!("{} = {v}", short_name(a)))
                    .collect::<Vec<_>>()
                    .join(", ");
                all.push((
                    key,
                    Series {
                        label,
                        rows: vec![row],
                    },
                ));
            }
        }
    }
    let mut series: Vec<Series> = all.into_iter().map(|(_, s)| s).collect();
    for s in &mut series {
        s.rows
            .sort_by(|&a, &b| table.axis_value(a, 0).total_cmp(&table.axis_value(b, 0)));
    }
    let n = series.len();
    if n <= most || most < 2 {
        return (series, None);
    }
    let keep: Vec<usize> = (0..most).map(|i| i * (n - 1) / (most - 1)).collect();
    let kept: Vec<Series> = series
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, s)| s)
        .collect();
    let shown: Vec<&str> = kept.iter().map(|s| s.label.as_str()).collect();
    let note = format!(
        "{most} of {n} combinations of {} shown, evenly spread: {}",
        table.axes[1..].join(", "),
        shown.join("; ")
    );
    (kept, Some(note))
}

/// A varied path's last segment (`nodes.retrieve.silent` → `silent`), to
/// name a line or panel briefly: the axis titles give the whole path.
pub fn short_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// An axis title for a varied path, with its unit where the path tells it.
pub fn axis_title(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let unit = match last {
        // A loop's or fan-out's count: its mean or fixed value, its limits.
        "mean" | "value" if path.contains(".loop.count.") => "iterations",
        "mean" | "value" if path.contains(".fan_out.count.") => "branches",
        "finish" => "P(finishing) per iteration",
        "max_steps" => "iterations",
        "max_in_flight" => "branches",
        "input_growth" => "tokens per iteration",
        "depth" | "repeat" => "steps in series",
        "silent" | "loud" | "sensitivity" | "false_alarm" => "probability per attempt",
        "mean" | "median" | "p99" | "value" | "low" | "high" | "scale" | "timeout" | "delay"
        | "max_delay" | "overhead" => "s",
        "per_call" => "USD per attempt",
        "input_per_mtok" | "output_per_mtok" => "USD per million tokens",
        "input" | "output" => "tokens per attempt",
        "tokens_per_s" | "prefill_tokens_per_s" => "tokens/s",
        "max" if path.contains(".retry.") => "retries",
        "max_loops" => "loop-backs",
        "trials" => "trials",
        _ => "",
    };
    if unit.is_empty() {
        path.to_string()
    } else {
        format!("{path} ({unit})")
    }
}
