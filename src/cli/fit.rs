//! `coordsim fit`: a scenario fitted to trace files, and its fit report.

use std::path::{Path, PathBuf};

use super::CliError;
use super::options::refuse;
use super::traces_in::read_spans;
use crate::output::files::write_atomic;
use crate::scenario::{self, problem::Problems};
use crate::trace::fit::observe::{Mapping, Rule, Totals};
use crate::trace::fit::{self, scenario as fitted, structure};

/// Arguments of `coordsim fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// Trace files: OTLP JSON (a collector file exporter's lines, or one
    /// request), or a steps table (.csv, or JSON lines) with the columns
    /// task, step, attempt, pass, start, end, status, input_tokens,
    /// output_tokens, cost, label.
    #[arg(required = true)]
    pub traces: Vec<PathBuf>,
    /// The scenario whose nodes the spans are mapped to and whose other
    /// figures (retries, timeouts, merges, resources) are kept. Without it a
    /// first structure is inferred from the span tree.
    #[arg(long, value_name = "SCENARIO")]
    pub structure: Option<PathBuf>,
    /// A TOML file of mapping rules, `[[map]] name/operation/model/tool = ...,
    /// node = "id"`, tried before the span's own coordsim.node or names.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// The fitted scenario to write; the fit report goes beside it as
    /// <stem>.fit.md.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Skip bad records (counted and reported) instead of refusing the file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    map: Vec<Rule>,
}

/// Fits, writes the scenario and the report, prints the report's summary.
pub fn fit(args: &FitArgs) -> Result<(), CliError> {
    let mut p = Problems::default();
    let stem = args
        .output
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("fitted");
    let targets = [
        args.output.clone(),
        args.output.with_extension("fit.md"),
        args.output.with_file_name(format!("{stem}.qq.png")),
        args.output.with_file_name(format!("{stem}.qq.svg")),
    ];
    if let Some(there) = targets.iter().find(|t| t.exists()).filter(|_| !args.force) {
        p.add(
            "-o",
            format!(
                "{} exists; allowed: a name whose files (the scenario, <stem>.fit.md, \
                 <stem>.qq.png, <stem>.qq.svg) are new, or --force to replace them",
                there.display()
            ),
        );
    }
    if args.output.extension().is_none_or(|e| e != "toml") {
        p.add("-o", "allowed: a .toml file name, e.g. -o fitted.toml");
    }
    refuse(&args.output, p)?;
    let structure = match &args.structure {
        Some(f) => {
            let s = scenario::load(f)?;
            let doc = scenario::read_document(f)?;
            let text = if f.extension().is_some_and(|e| e == "toml") {
                std::fs::read_to_string(f)
                    .map_err(|e| CliError::BadInput(format!("{}: {e}", f.display())))?
            } else {
                toml::to_string(&doc).map_err(|e| CliError::BadInput(e.to_string()))?
            };
            Some((s, text))
        }
        None => None,
    };
    let rules = match &args.map {
        Some(f) => read_map(f)?,
        None => Vec::new(),
    };
    let known = structure
        .as_ref()
        .map_or_else(Vec::new, |(s, _)| known_names(&s.model));
    let mut totals = Totals::new(Mapping { known, rules });
    let mut notes = Vec::new();
    for file in &args.traces {
        let stats = read_spans(file, args.skip_bad, &mut |o| totals.add(o))?;
        if stats.skipped > 0 {
            notes.push(format!(
                "{}: skipped {} bad record(s) of {} (--skip-bad); the first: {}",
                file.display(),
                stats.skipped,
                stats.records,
                stats.bad.first().map_or("", String::as_str)
            ));
        }
    }
    if totals.spans == 0 {
        return Err(CliError::BadInput(format!(
            "{}: no spans in the trace files",
            args.traces[0].display()
        )));
    }
    let mut result = fit::fit(totals, 1.959_963_984_540_054);
    let name = args
        .output
        .file_stem()
        .and_then(|s| s.to_str())
        .map(sanitize)
        .unwrap_or_else(|| "fitted".into());
    let (text, model_text, inferred_notes) = match &structure {
        Some((_, text)) => (text.clone(), None, Vec::new()),
        None => {
            let (doc, n) = structure::infer(&result, &name);
            (doc.clone(), Some(doc), n)
        }
    };
    notes.extend(inferred_notes);
    let model = match (&structure, &model_text) {
        (Some((s, _)), _) => s.model.clone(),
        (None, Some(doc)) => compile_text(doc, &args.output)?.model,
        _ => unreachable!("a structure is given or inferred"),
    };
    result.fit_counts(&model);
    let sources: Vec<String> = args
        .traces
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let out = fitted::write(&text, &model, &result, &sources.join(", "))
        .map_err(|e| CliError::BadInput(format!("the structure: {e}")))?;
    // The fitted file must be a valid scenario.
    compile_text(&out, &args.output).map_err(|e| {
        CliError::BadInput(format!(
            "the fitted scenario is not valid (please report): {e}"
        ))
    })?;
    let report_path = args.output.with_extension("fit.md");
    let stem = args
        .output
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("fitted");
    let chart_stem = format!("{stem}.qq");
    let qq = crate::trace::fit::report::qq_chart(&result, &chart_stem);
    let rendered = if qq.series.is_empty() {
        None
    } else {
        Some(crate::charts::render(&qq).map_err(CliError::Io)?)
    };
    let chart_file = rendered.as_ref().map(|_| format!("{chart_stem}.png"));
    let report = crate::trace::fit::report::markdown(&result, &notes, chart_file.as_deref());
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (args.output.clone(), out.into_bytes()),
        (report_path.clone(), report.clone().into_bytes()),
    ];
    if let Some(r) = rendered {
        files.push((
            args.output.with_file_name(format!("{chart_stem}.png")),
            r.png,
        ));
        files.push((
            args.output.with_file_name(format!("{chart_stem}.svg")),
            r.svg.into_bytes(),
        ));
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    super::console::write_out(format_args!("{report}"))?;
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    super::console::note!("wrote {}", names.join(", "));
    Ok(())
}

fn compile_text(text: &str, file: &Path) -> Result<scenario::Scenario, CliError> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| CliError::BadInput(e.to_string()))?;
    scenario::compile_document(file, &doc).map_err(|e| CliError::BadInput(e.to_string()))
}

fn read_map(file: &Path) -> Result<Vec<Rule>, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::BadInput(format!("{}: cannot read: {e}", file.display())))?;
    let m: MapFile = toml::from_str(&text).map_err(|e| {
        CliError::BadInput(format!(
            "{}: {e}allowed: [[map]] entries with name, operation, model or tool, and node, \
             e.g. [[map]] operation = \"chat\" model = \"gpt-4o\" node = \"generate\"",
            file.display()
        ))
    })?;
    Ok(m.map)
}

/// The names spans map to: node ids (a repeated node once, by its id) and
/// hand-offs `from->to` between distinct nodes.
fn known_names(model: &crate::model::Model) -> Vec<String> {
    let base = |id: &str| id.split('#').next().unwrap_or(id).to_string();
    let mut names: Vec<String> = Vec::new();
    for n in &model.nodes {
        let b = base(&n.id);
        if !names.contains(&b) {
            names.push(b);
        }
    }
    for e in 0..model.edges.len() {
        names.push(model.exec_name(model.nodes.len() + e));
    }
    names
}

fn sanitize(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if t.is_empty() { "fitted".into() } else { t }
}
