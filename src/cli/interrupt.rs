//! Ctrl-C (SIGINT) and SIGTERM: the first asks the running command to stop
//! cleanly (a flag the simulation checks between chunks of trials and
//! between sweep points), a second one ends the process at once.

use std::fmt::Display;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::CliError;
use super::console::note;
use crate::sim::SimError;

/// Exit code of a command stopped by a signal (128 + SIGINT, as shells report it).
pub const EXIT_CODE: i32 = 130;

static STOP: AtomicBool = AtomicBool::new(false);
static INSTALLED: OnceLock<()> = OnceLock::new();

/// Installs the handler (once) and returns the flag it sets. If the handler
/// cannot be installed, the flag is never set and signals keep their default
/// effect (the process ends at once).
pub fn stop_flag() -> &'static AtomicBool {
    INSTALLED.get_or_init(|| {
        let installed = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                note!("\nsecond interrupt: stopping now");
                std::process::exit(EXIT_CODE);
            }
            note!(
                "\ninterrupted: stopping after the work in hand (interrupt again to stop at once)"
            );
        });
        if let Err(e) = installed {
            note!("warning: cannot catch Ctrl-C ({e}); an interrupt ends the process at once");
        }
    });
    &STOP
}

/// The command's error for a simulation of `what` (a file, a point) that gave
/// no result: interrupted (exit 130, nothing written) or refused (exit 2).
pub fn sim_error(what: impl Display, e: SimError) -> CliError {
    match e {
        SimError::Cancelled => {
            CliError::Interrupted(format!("{what}: interrupted; nothing was written"))
        }
        e => CliError::BadInput(format!("{what}: {e}")),
    }
}
