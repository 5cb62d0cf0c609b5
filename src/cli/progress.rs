//! Progress of a long command on stderr: a bar with ETA on a terminal, a
//! plain line every few seconds otherwise (CI logs), nothing when quiet.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::console::note;

/// Shortest interval between two plain progress lines.
const LINE_INTERVAL: Duration = Duration::from_secs(2);

/// A progress reporter counting trials (or tasks).
pub enum Progress {
    /// An indicatif bar (stderr is a terminal).
    Bar(ProgressBar),
    /// Plain lines (stderr is a file or a pipe).
    Lines {
        /// When the work started.
        started: Instant,
        /// When the last line was printed.
        last: Instant,
        /// What is counted: "trials" or "tasks".
        unit: &'static str,
    },
    /// Nothing (`--quiet`).
    Quiet,
}

impl Progress {
    /// A reporter for `total` units (`unit`: "trials", or "tasks" for loaded runs).
    pub fn new(quiet: bool, total: u64, unit: &'static str) -> Progress {
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            let now = Instant::now();
            return Progress::Lines {
                started: now,
                last: now,
                unit,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:32}}] {{percent:>3}}% of {{human_len}} {unit}, ETA {{eta}}  {{msg}}"
        ))
        .expect("the template is valid")
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(250));
        Progress::Bar(bar)
    }

    /// Reports `done` of `total` trials; `what` says which step just finished.
    pub fn update(&mut self, done: u64, total: u64, what: &str) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(done);
                bar.set_message(what.to_string());
            }
            Progress::Lines {
                started,
                last,
                unit,
            } => {
                let now = Instant::now();
                if now.duration_since(*last) < LINE_INTERVAL && done < total {
                    return;
                }
                *last = now;
                let elapsed = now.duration_since(*started).as_secs_f64();
                let fraction = done as f64 / total.max(1) as f64;
                let eta = if fraction > 0.0 {
                    elapsed / fraction - elapsed
                } else {
                    0.0
                };
                note!(
                    "{what}: {:.0}% of {total} {unit}, {elapsed:.1} s elapsed, ETA {eta:.1} s",
                    100.0 * fraction
                );
            }
            Progress::Quiet => {}
        }
    }

    /// Removes the bar, if any.
    pub fn finish(self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
