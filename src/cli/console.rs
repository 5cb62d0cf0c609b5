//! Standard output and standard error of the commands, without panics.
//!
//! `print!` panics when standard output is a closed pipe (`coordsim run s.toml
//! | head -1`) or a full disk (`> /dev/full`). The commands print through
//! [`write_bytes`] (`OutputOptions::print`) and [`outln!`] instead: a closed pipe ends the command quietly
//! ([`CliError::Closed`], exit code 0, as `head` users expect) and any other
//! failure is an error (exit code 1, "cannot write to standard output").
//! Messages on standard error go through [`note!`], which ignores failures:
//! there is nowhere left to report them.

use std::fmt;
use std::io::{ErrorKind, Write};

use super::CliError;

/// Writes to standard output and flushes, so that a failure is seen here.
pub fn write_out(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// Writes `bytes` to standard output and flushes (see [`write_out`]).
pub fn write_bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// A failure to write standard output, as a command error.
fn stdout_error(e: std::io::Error) -> CliError {
    match e.kind() {
        ErrorKind::BrokenPipe => CliError::Closed,
        _ => CliError::Io(format!("cannot write to standard output: {e}")),
    }
}

/// Writes to standard error, ignoring failures (a closed or full stderr).
pub fn write_err(args: fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// `println!` that returns [`CliError`] from the enclosing function instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::console::write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// `eprintln!` that ignores a closed or full standard error.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::console::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {note, outln};
