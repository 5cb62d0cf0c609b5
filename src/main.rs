//! The `coordsim` command: parses arguments and maps errors to exit codes.

use clap::Parser;

fn main() {
    let cli = coordsim::cli::Cli::parse();
    if let Err(e) = coordsim::cli::execute(cli) {
        eprint!("error: {e}");
        if !e.to_string().ends_with('\n') {
            eprintln!();
        }
        std::process::exit(e.exit_code());
    }
}
