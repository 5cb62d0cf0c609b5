//! The `coordsim` command: parses arguments and maps errors to exit codes.

use clap::Parser;

fn main() {
    let code = match coordsim::cli::Cli::try_parse() {
        Ok(cli) => match coordsim::cli::execute(cli) {
            Ok(()) => return,
            Err(e) => coordsim::cli::report_failure(&e),
        },
        Err(e) => coordsim::cli::report_usage(&e),
    };
    std::process::exit(code);
}
