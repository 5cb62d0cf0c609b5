//! What `coordsim check` writes and prints: check.json (every figure with
//! its range, and how the ranges were made), check.csv, the table, and the
//! chart of observed against simulated latency quantiles.

use serde_json::{Value, json};

use crate::charts::qq::{PROBABILITIES, QqChart};
use crate::trace::check::Figure;
use crate::trace::check::observed::Independence;
use crate::trace::fit::latency::g;
use crate::trace::fit::report::sample_quantile;

/// One check's results.
pub struct CheckReport<'a> {
    /// The scenario's name.
    pub scenario: &'a str,
    /// The base seed.
    pub seed: u64,
    /// The level of the ranges, in percent.
    pub level: f64,
    /// The compared figures.
    pub figures: &'a [Figure],
    /// What the simulation was and how its ranges were made (merged into check.json).
    pub about: Value,
    /// Whether the observed tasks look independent.
    pub independence: Option<Independence>,
    /// A loaded run's replications.
    pub replications: Option<u32>,
}

impl CheckReport<'_> {
    /// check.json.
    pub fn json(&self) -> Vec<u8> {
        let mut doc = json!({
            "scenario": self.scenario, "seed": self.seed, "level_percent": self.level,
            "flagged": self.figures.iter().filter(|f| f.flagged).count(),
            "figures": self.figures.iter().map(|f| json!({
                "figure": f.name, "observed": f.observed, "n": f.n, "simulated": f.simulated,
                "range": [f.range.0, f.range.1], "flagged": f.flagged})).collect::<Vec<_>>(),
        });
        if let (Some(doc), Some(about)) = (doc.as_object_mut(), self.about.as_object()) {
            doc.extend(about.clone());
        }
        if let (Some(doc), Some(i)) = (doc.as_object_mut(), self.independence) {
            doc.insert(
                "independence".into(),
                json!({
                    "tasks": i.n, "lag1_autocorrelation": i.r, "range": [i.range.0, i.range.1],
                    "plausible": i.plausible(), "ar1_widening": i.widening,
                    "how": "the lag-1 autocorrelation of the observed task latencies in start \
                            order; independent tasks give it within ±z/√n; the ranges assume \
                            independent observed tasks",
                }),
            );
        }
        (serde_json::to_string_pretty(&doc).expect("json") + "\n").into_bytes()
    }

    /// check.csv.
    pub fn csv(&self) -> Vec<u8> {
        let mut csv = String::from("figure,observed,n,simulated,low,high,flagged\n");
        for f in self.figures {
            csv += &format!(
                "\"{}\",{},{},{},{},{},{}\n",
                f.name, f.observed, f.n, f.simulated, f.range.0, f.range.1, f.flagged
            );
        }
        csv.into_bytes()
    }

    /// The table for the terminal, with a note on a loaded run's ranges and
    /// a warning when the observed tasks look correlated.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<34} {:>12} {:>8} {:>12}  {:<28} flag\n",
            "figure",
            "observed",
            "n",
            "simulated",
            format!("{}% range", self.level)
        );
        for f in self.figures {
            s += &format!(
                "{:<34} {:>12} {:>8} {:>12}  {:<28} {}\n",
                f.name,
                g(f.observed),
                f.n,
                g(f.simulated),
                format!("[{}, {}]", g(f.range.0), g(f.range.1)),
                if f.flagged { "OUTSIDE" } else { "ok" }
            );
        }
        let k = self.figures.iter().filter(|f| f.flagged).count();
        s += &format!(
            "{k} of {} figures outside their range\n",
            self.figures.len()
        );
        if let Some(r) = self.replications {
            s += &format!(
                "loaded run: the simulated figures' own ranges come from the spread across its \
                 {r} replications; the observed tasks are taken as independent (sampled sparsely)\n"
            );
        }
        if let Some(i) = self.independence.filter(|i| !i.plausible()) {
            s += &format!(
                "warning: the observed tasks look correlated (lag-1 autocorrelation of their \
                 latencies {} over {} tasks in start order, outside ±{} for independent tasks): \
                 the ranges assume independent tasks and are too narrow (by about {}x for an \
                 AR(1) sequence); sample the tasks more sparsely\n",
                g(i.r),
                i.n,
                g(i.range.1),
                g(i.widening)
            );
        }
        s
    }
}

/// Observed task latency quantiles (`observed`, any order) against the
/// simulated ones (`sim`: the simulated quantile at p; `simulated`: how
/// many, said in the legend).
pub fn latency_chart(
    sim: &dyn Fn(f64) -> f64,
    simulated: &str,
    observed: &[f64],
    name: &str,
) -> QqChart {
    let mut obs = observed.to_vec();
    obs.sort_by(f64::total_cmp);
    let points = PROBABILITIES
        .iter()
        .map(|&p| (sim(p), sample_quantile(&obs, p)))
        .collect();
    let label = format!("tasks ({} observed, {simulated})", obs.len());
    QqChart {
        name: "check-latency".into(),
        title: format!("{name}: observed vs simulated task latency"),
        x_title: "simulated quantile (s)".into(),
        y_title: "observed quantile (s)".into(),
        series: vec![(label, points)],
        note: "points at p = 1, 5, 10, 20, ..., 90, 95, 99%".into(),
    }
}
