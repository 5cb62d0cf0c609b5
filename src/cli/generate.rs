//! Text generated from the program itself, printed on standard output:
//! shell completions (`coordsim completions SHELL`), manual pages
//! (`coordsim man [COMMAND]`) and the scenario format's JSON Schema
//! (`coordsim schema`). docs/man/ and docs/scenario.schema.json hold the
//! same texts, checked to be current by tests/first_hour.rs.

use clap::CommandFactory;
use clap_complete::Shell;

use super::console::write_bytes;
use super::{Cli, CliError};

/// `coordsim completions SHELL`: the completion script for `shell`.
pub fn completions(shell: Shell) -> Result<(), CliError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "coordsim", &mut out);
    write_bytes(&out)
}

/// `coordsim man [COMMAND]`: the manual page of coordsim, or of one command.
pub fn man(command: Option<&str>) -> Result<(), CliError> {
    write_bytes(&man_page(command)?)
}

/// The roff text of the manual page of `command` (`None`: coordsim itself,
/// listing the commands); each command's page is named `coordsim-COMMAND`.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, CliError> {
    let cli = Cli::command();
    let cmd = match command {
        None => cli,
        Some(name) => {
            let names = command_names();
            let sub = cli
                .get_subcommands()
                .find(|c| c.get_name() == name)
                .cloned()
                .ok_or_else(|| {
                    CliError::BadInput(format!(
                        "COMMAND: no command named {name:?}; allowed: {}; e.g. `coordsim man run`",
                        names.join(", ")
                    ))
                })?;
            let version = env!("CARGO_PKG_VERSION");
            sub.name(format!("coordsim-{name}")).version(version)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(|e| CliError::Io(format!("cannot render the manual page: {e}")))?;
    Ok(out)
}

/// The commands that have a manual page of their own.
pub fn command_names() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

/// `coordsim schema`: the JSON Schema of scenario files.
pub fn schema() -> Result<(), CliError> {
    write_bytes(crate::scenario::schema::scenario_schema().as_bytes())
}
