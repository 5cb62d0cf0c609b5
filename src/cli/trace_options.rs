//! `--traces N` and `--traces-of WHICH`, shared by `run`, `sweep` and
//! `compare`, and the writing of one set of traces per sweep point or
//! compared configuration into a sub-folder of the output folder.

use crate::model::{Model, Workload};
use crate::output::traces;
use crate::scenario::problem::Problems;
use crate::trace::sample::{self, TracesOf};

/// Most tasks `--traces` writes (per run, point or configuration).
pub const MAX_TRACES: u64 = 1_000_000;

/// Which simulated tasks to write as traces.
#[derive(Debug, Clone, clap::Args)]
pub struct TraceOptions {
    /// Also write N sampled tasks as traces: traces.otlp.jsonl (OTLP JSON,
    /// GenAI attributes, one request per line: an OpenTelemetry collector's
    /// file receiver loads it) and traces.chrome.json (Perfetto UI,
    /// chrome://tracing); sweep: per point, in traces/point-K-VALUES/;
    /// compare: per configuration, in traces/K-NAME/. With --pass-k, every
    /// run of each task. With [workload], tasks of replication 0, each
    /// attempt's span carrying its wait for links and pool queues before
    /// service.
    #[arg(long, value_name = "N")]
    pub traces: Option<u64>,
    /// Which tasks --traces writes, picked from the seed alone: all (the
    /// first N trials), silent, loud, escalated (the first N that ended so)
    /// or slowest (the N slowest); with [workload], of the measured tasks
    /// of replication 0 in start order.
    #[arg(
        long,
        value_enum,
        value_name = "WHICH",
        default_value = "all",
        requires = "traces"
    )]
    pub traces_of: TracesOf,
}

impl TraceOptions {
    /// Notes a count out of range.
    pub fn check(&self, p: &mut Problems) {
        if let Some(n) = self.traces
            && (n == 0 || n > MAX_TRACES)
        {
            p.add(
                "--traces",
                format!("is {n}; allowed: 1 to {MAX_TRACES} tasks, e.g. --traces 100"),
            );
        }
    }

    /// The trace files of one simulated configuration, under `folder`
    /// (empty: the output folder itself), or none without `--traces`.
    pub fn files(
        &self,
        folder: &str,
        model: &Model,
        workload: Option<&Workload>,
        seed: u64,
        trials: u64,
    ) -> Vec<(String, Vec<u8>)> {
        let Some(n) = self.traces else {
            return Vec::new();
        };
        let picked = sample::sampled(model, workload, seed, trials, n, self.traces_of);
        traces::files(model, seed, &picked)
            .into_iter()
            .map(|(name, bytes)| match folder {
                "" => (name, bytes),
                _ => (format!("{folder}/{name}"), bytes),
            })
            .collect()
    }
}

/// Removes the trace folders `traces/<kind>-…` of an earlier sweep or
/// comparison in `dir` that the new result set `files` has not written
/// (their two files, then the folder if nothing else is in it; symbolic
/// links and other files are left alone), so no old traces sit beside new
/// results. Returns the folders removed.
pub fn remove_stale(dir: &std::path::Path, kind: &str, files: &[(String, Vec<u8>)]) -> Vec<String> {
    let root = dir.join(traces::TRACES_DIR);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let prefix = format!("{}/{name}/", traces::TRACES_DIR);
        if !is_dir
            || !name.starts_with(&format!("{kind}-"))
            || files.iter().any(|(f, _)| f.starts_with(&prefix))
        {
            continue;
        }
        for file in [traces::OTLP_FILE, traces::CHROME_FILE] {
            let _ = std::fs::remove_file(entry.path().join(file));
        }
        if std::fs::remove_dir(entry.path()).is_ok() {
            removed.push(format!("{}/{name}", traces::TRACES_DIR));
        }
    }
    let _ = std::fs::remove_dir(&root);
    removed
}
