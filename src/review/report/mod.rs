//! The review report: one self-contained HTML file and a Markdown version.
//!
//! Both are built from the same [`Report`]: the scenario's graph, its
//! headline figures (and its variants' with their paired differences), the
//! charts, the ranked what-ifs turned into recommendations, and the failure
//! attribution. Each table is built once as data ([`tables`], [`table`])
//! and rendered by both.

pub mod html;
pub mod markdown;
pub mod table;
pub mod tables;

use super::Analysis;
use super::analyze::{Change, Finding};
use super::compare::Comparison;
use super::text::{interval, signed};
use super::tornado::{OutcomeRow, outcomes_svg, ranking_chart};

/// Bars shown in the tornado chart.
pub const TORNADO_BARS: usize = 15;
/// Recommendations listed.
pub const RECOMMENDATIONS: usize = 5;

/// Everything the report shows, with its charts already drawn.
#[derive(Debug, Clone)]
pub struct Report {
    /// The analysis of the scenario.
    pub analysis: Analysis,
    /// The scenario and its variants, compared (the scenario alone without variants).
    pub comparison: Comparison,
    /// The scenario's description.
    pub description: Option<String>,
    /// The task graph, SVG.
    pub graph_svg: String,
    /// The task graph, Graphviz DOT.
    pub graph_dot: String,
    /// Tornado chart of the ranking, SVG.
    pub tornado_svg: String,
    /// Stacked outcome bars of the arms, SVG.
    pub outcomes_svg: String,
    /// The command that reproduces the report.
    pub command: String,
}

impl Report {
    /// Draws the charts and assembles the report.
    pub fn new(
        analysis: Analysis,
        comparison: Comparison,
        description: Option<String>,
        graph_svg: String,
        graph_dot: String,
        command: String,
    ) -> Result<Report, String> {
        let tornado = ranking_chart(&analysis, TORNADO_BARS)?;
        let rows: Vec<OutcomeRow> = comparison
            .arms
            .iter()
            .map(|a| OutcomeRow {
                label: a.name.clone(),
                rates: [
                    a.summary.success.rate,
                    a.summary.silent_failure.rate,
                    a.summary.loud_failure.rate,
                    a.summary.escalated.rate,
                ],
            })
            .collect();
        let outcomes = outcomes_svg("Outcomes per task", &rows)?;
        Ok(Report {
            analysis,
            comparison,
            description,
            graph_svg,
            graph_dot,
            tornado_svg: tornado,
            outcomes_svg: outcomes,
            command,
        })
    }

    /// How the figures were obtained and how to reproduce them, as one
    /// sentence; `code` writes the command in the markup's code style.
    pub fn provenance(&self, code: impl Fn(&str) -> String) -> String {
        format!(
            "{} simulated tasks per configuration, seed {}; every comparison is paired on common random numbers. Reproduce with {}.",
            self.analysis.trials,
            self.analysis.seed,
            code(&self.command)
        )
    }

    /// The outcomes the failure attribution covers, as one sentence.
    pub fn failure_totals(&self) -> String {
        let at = &self.analysis.attribution;
        format!(
            "Of {} tasks: {} silent failures, {} loud failures, {} escalated.",
            at.trials, at.silent_failures, at.loud_failures, at.escalated
        )
    }

    /// The top what-ifs whose gain is significant, as sentences, with every
    /// name from the scenario passed through `name` (the markup's escaping;
    /// the rest of a sentence is plain words and figures).
    pub fn recommendations(&self, name: impl Fn(&str) -> String) -> Vec<String> {
        let mut out: Vec<String> = self
            .analysis
            .ranking
            .iter()
            .filter(|f| f.gain.significant && f.gain.diff.unwrap_or(0.0) > 0.0)
            .take(RECOMMENDATIONS)
            .map(|f| recommendation(f, &name))
            .collect();
        if out.is_empty() {
            out.push(
                "No single change measurably raises P(correct) at this number of trials.".into(),
            );
        }
        for arm in self.comparison.arms.iter().skip(1) {
            let get = |k: &str| arm.figures.iter().find(|f| f.key == k);
            if let (Some(p), Some(c), Some(l)) = (
                get("p_correct"),
                get("cost_per_success_usd"),
                get("latency_p99_s"),
            ) {
                out.push(format!(
                    "Variant {}: P(correct) {} {} ({}), cost per correct task {} $, p99 latency {} s{}.",
                    name(&arm.name),
                    signed(&p.key, p.diff),
                    interval(p),
                    if p.significant { "significant" } else { "not significant" },
                    signed(&c.key, c.diff),
                    signed(&l.key, l.diff),
                    per_dollar(arm),
                ));
            }
        }
        out
    }
}

/// The trade between reliability and cost of a variant, in words.
fn per_dollar(arm: &super::compare::ArmReport) -> String {
    let get = |k: &str| arm.figures.iter().find(|f| f.key == k);
    let (Some(g), Some(c)) = (get("p_correct"), get("cost_per_task_usd")) else {
        return String::new();
    };
    let (Some(gain), Some(cost)) = (g.diff, c.diff) else {
        return String::new();
    };
    if !g.significant || !c.significant {
        return String::new();
    }
    let points = 100.0 * gain.abs();
    let per_thousand = 1000.0 * cost.abs();
    match (gain > 0.0, cost > 0.0) {
        (true, true) => format!(
            "; it buys each percentage point of P(correct) for ${:.2} per 1000 tasks",
            per_thousand / points
        ),
        (true, false) => "; it is both more reliable and cheaper".into(),
        (false, false) => format!(
            "; it saves ${:.2} per 1000 tasks for each percentage point of P(correct) it gives up",
            per_thousand / points
        ),
        (false, true) => "; it is both less reliable and dearer".into(),
    }
}

/// One ranked what-if as an actionable sentence with its measured effects.
fn recommendation(f: &Finding, name: impl Fn(&str) -> String) -> String {
    let component = name(&f.component);
    let action = match f.change {
        Change::Perfect if f.is_gate => format!(
            "Make the gate {} catch more (perfect: catches every wrong input, no false alarms)",
            component
        ),
        Change::Perfect => format!(
            "Make {} more reliable (perfect is the upper bound: a better model, prompt or index)",
            component
        ),
        Change::OneMoreRetry => format!("Give {component} one more retry"),
        Change::GateAfter if f.component.contains("->") => format!(
            "Add a verification gate on the hand-off {} (at the receiving end)",
            component
        ),
        Change::GateAfter => format!("Add a verification gate after {component}"),
        Change::Fallback => format!(
            "Give {component} a fallback to a second provider like it (called once its attempts are exhausted)"
        ),
        Change::Hedge => format!(
            "Hedge {component}: send a second copy of an attempt still running at its p95 latency, cancel the loser"
        ),
    };
    format!(
        "{action}: P(correct) {} {}, silent failures {}, p99 latency {} s, cost per correct task {} $.",
        signed(&f.gain.key, f.gain.diff),
        interval(&f.gain),
        signed(&f.silent.key, f.silent.diff),
        signed(&f.p99.key, f.p99.diff),
        signed(&f.cost_per_success.key, f.cost_per_success.diff),
    )
}
