//! `coordsim analyze`: where the gap opens, component by component.

use std::path::PathBuf;

use super::CliError;
use super::interrupt::stop_flag;
use super::options::{CommonOptions, written_line};
use super::review_args::{claim_out, load_all, review_error, write_files};
use crate::review::analyze::GateSettings;
use crate::review::tornado::ranking_chart;
use crate::review::{export, run_analysis, text};
use crate::scenario::problem::Problems;
use crate::sim::Control;

/// Arguments of `coordsim analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The scenario (or a variant file).
    pub file: PathBuf,
    /// What-ifs printed (all are written to analyze.csv).
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    /// Options of the gate the "gate after" what-ifs insert.
    #[command(flatten)]
    pub gate: GateArgs,
    /// The options every simulating command shares (`--format json`: analyze.json).
    #[command(flatten)]
    pub common: CommonOptions,
}

/// The gate inserted by "gate after X".
#[derive(Debug, Clone, clap::Args)]
pub struct GateArgs {
    /// P(flag | corrupted input) of the inserted gate.
    #[arg(long, default_value_t = GateSettings::default().sensitivity)]
    pub gate_sensitivity: f64,
    /// P(flag | right input) of the inserted gate.
    #[arg(long, default_value_t = GateSettings::default().false_alarm)]
    pub gate_false_alarm: f64,
    /// Loop-backs the inserted gate allows before escalating.
    #[arg(long, default_value_t = GateSettings::default().max_loops)]
    pub gate_max_loops: u64,
}

impl GateArgs {
    /// The gate options that differ from their defaults, as command-line words.
    pub fn non_default_flags(&self) -> Vec<String> {
        let d = GateSettings::default();
        let mut words = Vec::new();
        if self.gate_sensitivity != d.sensitivity {
            words.extend([
                "--gate-sensitivity".into(),
                self.gate_sensitivity.to_string(),
            ]);
        }
        if self.gate_false_alarm != d.false_alarm {
            words.extend([
                "--gate-false-alarm".into(),
                self.gate_false_alarm.to_string(),
            ]);
        }
        if self.gate_max_loops != d.max_loops {
            words.extend(["--gate-max-loops".into(), self.gate_max_loops.to_string()]);
        }
        words
    }

    /// Checks the options and returns the settings.
    pub fn check(&self, p: &mut Problems) -> GateSettings {
        p.probability("--gate-sensitivity", self.gate_sensitivity);
        p.probability("--gate-false-alarm", self.gate_false_alarm);
        if self.gate_max_loops > crate::scenario::compile::MAX_LOOPS {
            p.add(
                "--gate-max-loops",
                format!("is {}; allowed: 0 to 1000", self.gate_max_loops),
            );
        }
        GateSettings {
            sensitivity: self.gate_sensitivity,
            false_alarm: self.gate_false_alarm,
            max_loops: self.gate_max_loops,
        }
    }
}

/// Runs the analysis, prints the ranking and writes analyze.csv, analyze.json and tornado.svg.
pub fn analyze(args: &AnalyzeArgs) -> Result<(), CliError> {
    let mut gate = GateSettings::default();
    let (arms, trials, seed) = load_all(std::slice::from_ref(&args.file), &args.common, |p| {
        gate = args.gate.check(p);
    })?;
    let mut claim = claim_out(&args.common, &arms[0].label, "analyze")?;

    let started = std::time::Instant::now();
    let pool = args.common.sim.pool()?;
    let a = pool
        .install(|| run_analysis(&arms[0], trials, seed, gate, Control::new(stop_flag())))
        .map_err(|e| review_error(&args.file, e))?;
    let svg = ranking_chart(&a, args.top.max(1)).map_err(CliError::Io)?;
    let json = export::json(&a);
    let written = write_files(
        &mut claim,
        &[
            ("analyze.csv", export::ranking_csv(&a)),
            ("analyze.json", json.clone()),
            ("tornado.svg", svg.into_bytes()),
        ],
    )?;
    args.common
        .output
        .print(|| text::analysis(&a, args.top), || json)?;
    args.common.output.note(format_args!(
        "{} what-ifs x {trials} trials in {:.3} s; wrote {}",
        a.ranking.len(),
        started.elapsed().as_secs_f64(),
        written_line(&written)
    ));
    Ok(())
}
