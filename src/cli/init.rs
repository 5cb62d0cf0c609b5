//! `coordsim init [TEMPLATE] [--file FILE]`: writes a commented starter
//! scenario to adapt (see [`crate::scenario::templates`]); never replaces a
//! file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use clap::Args;

use super::CliError;
use super::console::outln;
use crate::output::files::write_new;
use crate::output::name::check_scenario_name;
use crate::scenario::templates::{self, TEMPLATES};

/// `coordsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The starter: chain (steps in series), rag (retrieval, generation and a
    /// verification gate) or pool (a loaded run on a shared GPU pool).
    #[arg(default_value = "chain", value_parser = template_names())]
    pub template: String,
    /// The file to write (must end in .toml and not exist); default
    /// `<TEMPLATE>.toml` in the current folder. Its name, without .toml, is
    /// the scenario's name and output folder.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// The template names, for clap's check and `--help`.
fn template_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        TEMPLATES.map(|t| clap::builder::PossibleValue::new(t.name).help(t.summary)),
    )
}

/// Writes the template and says what to do next.
pub fn init(args: &InitArgs) -> Result<(), CliError> {
    let template = templates::find(&args.template).map_err(CliError::BadInput)?;
    let file = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", template.name)));
    check_target(&file)?;
    write_new(&file, template.text.as_bytes()).map_err(|e| match e.kind() {
        ErrorKind::AlreadyExists => CliError::BadInput(format!(
            "{}: a file of that name exists and is left alone; name another with --file, e.g. `coordsim init {} --file my-{}.toml`",
            file.display(),
            template.name,
            template.name
        )),
        ErrorKind::NotFound => CliError::BadInput(format!(
            "{}: no such folder; create it first or name a file in an existing folder with --file",
            file.display()
        )),
        _ => CliError::Io(format!("cannot write {}: {e}", file.display())),
    })?;
    let shown = file.display();
    outln!(
        "wrote {shown} (template \"{}\": {})",
        template.name,
        template.summary
    );
    outln!("next: edit it (every field is commented), then");
    outln!("  coordsim validate {shown}");
    outln!("  coordsim run {shown}");
    Ok(())
}

/// Refuses a file name that could not be a scenario: not `.toml`, or a stem
/// that cannot name the output folder.
fn check_target(file: &Path) -> Result<(), CliError> {
    let example = "e.g. --file my-pipeline.toml";
    let is_toml = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    if !is_toml {
        return Err(CliError::BadInput(format!(
            "--file {}: the templates are TOML; allowed: a file name ending in .toml, {example}",
            file.display()
        )));
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    check_scenario_name(stem).map_err(|e| {
        CliError::BadInput(format!(
            "--file {}: the file's name is the scenario's name: {e}; {example}",
            file.display()
        ))
    })
}
