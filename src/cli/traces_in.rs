//! Reading trace files: line by line (memory flat in the file's size), each
//! record parsed by [`crate::trace::read`], bad records located by file and
//! line, and with `--skip-bad` counted instead of refused.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::CliError;
use crate::trace::observe::Observed;
use crate::trace::read::{self, Form};

/// Most bad records listed in an error (the rest are counted).
const LISTED: usize = 10;

/// What reading found.
#[derive(Debug, Default)]
pub struct ReadStats {
    /// Records (lines, rows) read.
    pub records: u64,
    /// Bad records skipped (with `--skip-bad`).
    pub skipped: u64,
    /// The first bad records, located.
    pub bad: Vec<String>,
}

/// Reads every span of `file` into `out`. Bad records refuse the file
/// (exit 2, each located) unless `skip_bad`.
pub fn read_spans(
    file: &Path,
    skip_bad: bool,
    out: &mut impl FnMut(Observed),
) -> Result<ReadStats, CliError> {
    let shown = file.display();
    let open = || {
        std::fs::File::open(file)
            .map_err(|e| CliError::BadInput(format!("{shown}: cannot read the trace file: {e}")))
    };
    let mut reader = BufReader::with_capacity(1 << 20, open()?);
    let mut stats = ReadStats::default();
    let csv = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut line = String::new();
    let mut first = String::new();
    // The first non-blank line decides the form.
    loop {
        line.clear();
        if read_line(&mut reader, &mut line, file, 0)? == 0 {
            break;
        }
        if !line.trim().is_empty() {
            first = line.clone();
            break;
        }
    }
    if first.trim().is_empty() {
        return Err(CliError::BadInput(format!(
            "{shown}: no spans: the file is empty; allowed: OTLP JSON (one \
             ExportTraceServiceRequest per line, or one request), or a steps CSV/JSONL \
             with the columns {}",
            read::STEP_COLUMNS
        )));
    }
    let form = read::detect(csv, first.trim_start_matches('\u{feff}'));
    if form == Form::OtlpDocument {
        let mut text = String::new();
        open()?
            .read_to_string(&mut text)
            .map_err(|e| CliError::BadInput(format!("{shown}: cannot read: {e}")))?;
        let text = text.trim_start_matches('\u{feff}');
        stats.records = 1;
        return read::otlp(text, out)
            .map(|()| stats)
            .map_err(|e| CliError::BadInput(format!("{shown}: {e}")));
    }
    if form == Form::StepsCsv {
        return read_csv(file, skip_bad, out);
    }
    let mut number = 0u64;
    let mut handle = |text: &str, number: u64, stats: &mut ReadStats| {
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return;
        }
        stats.records += 1;
        let result = match form {
            Form::StepsJsonl => read::steps_jsonl(text).map(&mut *out),
            _ => read::otlp(text, out),
        };
        if let Err(e) = result {
            bad(stats, format!("{shown}:{number}: {e}"));
        }
    };
    // The first line is read again below, with its number.
    let mut reader = BufReader::with_capacity(1 << 20, open()?);
    loop {
        line.clear();
        number += 1;
        if read_line(&mut reader, &mut line, file, number)? == 0 {
            break;
        }
        handle(&line, number, &mut stats);
    }
    refuse_bad(file, &stats, skip_bad)?;
    Ok(stats)
}

fn read_line(
    reader: &mut impl BufRead,
    line: &mut String,
    file: &Path,
    number: u64,
) -> Result<usize, CliError> {
    reader.read_line(line).map_err(|e| {
        CliError::BadInput(format!(
            "{}:{number}: cannot read the line ({e}); allowed: UTF-8 text",
            file.display()
        ))
    })
}

/// Counts a bad record and keeps its message if among the first few.
fn bad(stats: &mut ReadStats, message: String) {
    stats.skipped += 1;
    if stats.bad.len() < LISTED {
        stats.bad.push(message);
    }
}

/// Refuses the file when it had bad records and `--skip-bad` was not given.
pub fn refuse_bad(file: &Path, stats: &ReadStats, skip_bad: bool) -> Result<(), CliError> {
    if stats.skipped == 0 || skip_bad {
        return Ok(());
    }
    let more = stats.skipped.saturating_sub(stats.bad.len() as u64);
    let tail = if more > 0 {
        format!("\n... and {more} more")
    } else {
        String::new()
    };
    Err(CliError::BadInput(format!(
        "{}: {} bad record(s) of {}:\n{}{tail}\n(--skip-bad skips them and reports how many)",
        file.display(),
        stats.skipped,
        stats.records,
        stats.bad.join("\n")
    )))
}

fn read_csv(
    file: &Path,
    skip_bad: bool,
    out: &mut impl FnMut(Observed),
) -> Result<ReadStats, CliError> {
    let shown = file.display();
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| CliError::BadInput(format!("{shown}: cannot read the trace file: {e}")))?;
    let headers = r
        .headers()
        .map_err(|e| CliError::BadInput(format!("{shown}:1: bad header: {e}")))?
        .clone();
    let mut stats = ReadStats::default();
    let mut record = csv::StringRecord::new();
    loop {
        match r.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                stats.records += 1;
                let line = record.position().map_or(0, |p| p.line());
                let row: Result<read::StepRow, String> = record
                    .deserialize(Some(&headers))
                    .map_err(|e| format!("{e}; the columns are {}", read::STEP_COLUMNS));
                match row.and_then(read::step_row) {
                    Ok(o) => out(o),
                    Err(e) => bad(&mut stats, format!("{shown}:{line}: {e}")),
                }
            }
            Err(e) => {
                stats.records += 1;
                let line = e.position().map_or(0, |p| p.line());
                bad(&mut stats, format!("{shown}:{line}: {e}"));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Deserialize { .. }
                ) {
                    break;
                }
            }
        }
    }
    refuse_bad(file, &stats, skip_bad)?;
    Ok(stats)
}
