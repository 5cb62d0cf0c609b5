//! `coordsim chart`: charts from saved results, without running anything.

use std::path::{Path, PathBuf};

use super::CliError;
use super::console::{note, outln};
use crate::charts::pass_k::{PassKChart, PassKReport};
use crate::charts::{self, nodes::NodeReport};
use crate::output::folder::Claim;
use crate::sweep;

/// Arguments of `coordsim chart`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("input").required(true).multiple(true).args(["sweep_csv", "nodes", "pass_k"]))]
pub struct ChartArgs {
    /// A sweep.csv written by `coordsim sweep`: draws its charts again.
    #[arg(value_name = "SWEEP_CSV")]
    pub sweep_csv: Option<PathBuf>,
    /// A summary.json written by `coordsim run`: draws nodes.png/.svg, the
    /// failures attributed to each node and hand-off.
    #[arg(long, value_name = "SUMMARY_JSON")]
    pub nodes: Option<PathBuf>,
    /// A summary.json written by `coordsim run --pass-k K`: draws
    /// pass-k.png/.svg, pass^k against k beside the independence curve.
    #[arg(long, value_name = "SUMMARY_JSON")]
    pub pass_k: Option<PathBuf>,
    /// Folder for the charts [default: the input file's folder].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Draws the sweep charts of a sweep.csv and/or the node chart of a summary.json.
pub fn chart(args: &ChartArgs) -> Result<(), CliError> {
    let mut rendered = Vec::new();
    let mut skipped = Vec::new();
    let mut default_dir = None;
    if let Some(csv) = &args.sweep_csv {
        let bytes = read(csv)?;
        let table =
            sweep::csv::read(&csv.display().to_string(), &bytes).map_err(CliError::BadInput)?;
        let (charts, why) = charts::sweep_charts(&table).map_err(CliError::Io)?;
        rendered.extend(charts);
        skipped.extend(why);
        default_dir = Some(parent(csv));
    }
    if let Some(json) = &args.nodes {
        let report: NodeReport = read_summary(json)?;
        rendered.push(charts::render(&charts::nodes::NodesChart(&report)).map_err(CliError::Io)?);
        default_dir.get_or_insert_with(|| parent(json));
    }
    if let Some(json) = &args.pass_k {
        let report: PassKReport = read_summary(json)?;
        if report.pass_k.is_empty() {
            return Err(CliError::BadInput(format!(
                "{}: has no pass^k figures; run the scenario with --pass-k K (K > 1), \
                 e.g. coordsim run scenarios/pass-k-agent.toml --pass-k 8",
                json.display()
            )));
        }
        rendered.push(charts::render(&PassKChart(&report)).map_err(CliError::Io)?);
        default_dir.get_or_insert_with(|| parent(json));
    }
    let dir = args
        .out
        .clone()
        .or(default_dir)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut claim = Claim::charts(&dir)?;
    super::outdir::warn_unlocked(&claim);
    let files: Vec<(String, Vec<u8>)> = rendered
        .into_iter()
        .flat_map(|c| {
            [
                (format!("{}.png", c.name), c.png),
                (format!("{}.svg", c.name), c.svg.into_bytes()),
            ]
        })
        .collect();
    let written = claim
        .write_set(&files, &[])
        .map_err(|e| CliError::Io(format!("cannot write charts to {}: {e}", dir.display())))?
        .paths;
    for path in written {
        outln!("{}", path.display());
    }
    for s in skipped {
        note!("skipped {s}");
    }
    Ok(())
}

/// The part of a run's summary.json that a chart reads.
fn read_summary<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CliError> {
    serde_json::from_slice(&read(path)?).map_err(|e| {
        CliError::BadInput(format!(
            "{}: not a summary.json written by coordsim run: {e}",
            path.display()
        ))
    })
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|e| CliError::BadInput(format!("{}: cannot read the file: {e}", path.display())))
}

/// The folder holding `file` (where its charts go by default).
fn parent(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
