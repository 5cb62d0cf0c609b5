//! `sweep.csv`: writing a [`SweepTable`] and reading it back for `coordsim chart`.

use super::table::{FIGURES, SCENARIO_COLUMN, SweepTable};

/// Figure columns that may be empty (a figure with no value: no closed form,
/// no successful task); every other figure column has a number on every row.
const MAY_BE_EMPTY: &[&str] = &[
    "theory_success",
    "cost_per_success_usd",
    "tokens_per_success",
];

/// The table as CSV: a header (axes, then columns), then one line per point.
pub fn write(table: &SweepTable) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = table.axes.iter().chain(&table.columns);
    w.write_record(header)
        .expect("writing to memory cannot fail");
    for row in &table.rows {
        w.write_record(row).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Reads a sweep CSV written by [`write`]; `name` (the file) is used in messages.
///
/// The axes are the columns before `scenario`; every axis cell must be a
/// number, and so must every other cell but `scenario` (or be empty). Every
/// figure column coordsim writes must be there ([`FIGURES`]), with a number
/// on every row unless it may have none: the charts draw them all.
pub fn read(name: &str, bytes: &[u8]) -> Result<SweepTable, String> {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| format!("{name}: cannot read the header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let Some(split) = header.iter().position(|h| h == SCENARIO_COLUMN) else {
        return Err(format!(
            "{name}: no `{SCENARIO_COLUMN}` column; a sweep CSV has the varied paths, then `{SCENARIO_COLUMN}`, then the figures (as written by coordsim sweep)"
        ));
    };
    if split == 0 {
        return Err(format!(
            "{name}: no varied column before `{SCENARIO_COLUMN}`"
        ));
    }
    let missing: Vec<&str> = FIGURES
        .iter()
        .map(|(column, _)| *column)
        .filter(|column| !header[split..].iter().any(|h| h == column))
        .collect();
    if !missing.is_empty() {
        let more = match missing.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        return Err(format!(
            "{name}: no `{}` column{more}; a sweep CSV written by coordsim sweep has every figure \
             column ({}, ...): draw charts from the sweep.csv as written",
            missing[..missing.len().min(3)].join("`, `"),
            FIGURES[..4]
                .iter()
                .map(|f| f.0)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut rows = Vec::new();
    for (i, record) in r.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{name}: line {line}: {e}"))?;
        let row: Vec<String> = record.iter().map(str::to_string).collect();
        for (cell, column) in row.iter().zip(&header) {
            let numeric = cell.parse::<f64>().is_ok_and(f64::is_finite);
            let may_be_empty = !header[..split].contains(column)
                && (MAY_BE_EMPTY.contains(&column.as_str())
                    || !FIGURES.iter().any(|(f, _)| f == column));
            if column != SCENARIO_COLUMN && !numeric && !(may_be_empty && cell.is_empty()) {
                return Err(format!(
                    "{name}: line {line}, column `{column}`: `{cell}` is not a number"
                ));
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(format!("{name}: no rows: the sweep CSV is empty"));
    }
    Ok(SweepTable {
        axes: header[..split].to_vec(),
        columns: header[split..].to_vec(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table with every figure column: `success_rate` and
    /// `cost_per_success_usd` as given, the others 0.5.
    fn table() -> SweepTable {
        let mut columns = vec!["scenario".to_string()];
        columns.extend(FIGURES.iter().map(|f| f.0.to_string()));
        let row = |axes: [&str; 2], success: &str, cost: &str| {
            let mut row: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
            row.push("my, \"odd\" name".into());
            for (f, _) in FIGURES {
                row.push(match *f {
                    "success_rate" => success.into(),
                    "cost_per_success_usd" => cost.into(),
                    _ => "0.5".into(),
                });
            }
            row
        };
        SweepTable {
            axes: vec!["depth".into(), "edges.a->b.silent".into()],
            columns,
            rows: vec![
                row(["1", "0.1"], "0.97", ""),
                row(["2", "1e-7"], "0.9409", "0.25"),
            ],
        }
    }

    /// `t` as CSV without column `drop` (or with its first cell emptied).
    fn edited(t: &SweepTable, drop: &str, empty_only: bool) -> Vec<u8> {
        let text = String::from_utf8(write(t)).unwrap();
        let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let i = header.iter().position(|h| h == drop).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        let keep = |row: Vec<String>, first: bool| -> Vec<String> {
            row.into_iter()
                .enumerate()
                .filter(|(j, _)| empty_only || *j != i)
                .map(|(j, c)| {
                    if empty_only && first && j == i {
                        String::new()
                    } else {
                        c
                    }
                })
                .collect()
        };
        w.write_record(keep(header.clone(), false)).unwrap();
        for (k, rec) in r.records().enumerate() {
            w.write_record(keep(
                rec.unwrap().iter().map(str::to_string).collect(),
                k == 0,
            ))
            .unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn round_trips() {
        let t = table();
        assert_eq!(read("t.csv", &write(&t)).unwrap(), t);
        assert_eq!(t.get(1, "success_rate"), Some(0.9409));
        assert_eq!(t.get(0, "cost_per_success_usd"), None);
        assert_eq!(t.axis_value(1, 1), 1e-7);
    }

    #[test]
    fn rejects_what_it_did_not_write() {
        let e = read("t.csv", b"a,b\n1,2\n").unwrap_err();
        assert!(e.contains("no `scenario` column"), "{e}");
        let t = table();
        let text = String::from_utf8(write(&t)).unwrap();
        let header = text.lines().next().unwrap();
        let e = read("t.csv", format!("{header}\n").as_bytes()).unwrap_err();
        assert!(e.contains("no rows"), "{e}");
        let bad = text.replacen("0.97", "high", 1);
        let e = read("t.csv", bad.as_bytes()).unwrap_err();
        assert!(e.contains("line 2, column `success_rate`: `high`"), "{e}");
        let bad = text.replacen("\n1,", "\n,", 1);
        let e = read("t.csv", bad.as_bytes()).unwrap_err();
        assert!(e.contains("column `depth`"), "{e}");
        let e = read("t.csv", format!("{header}\n1,0.1,s\n").as_bytes()).unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_figure_the_charts_draw_cannot_be_missing() {
        let t = table();
        let e = read("t.csv", &edited(&t, "success_rate", false)).unwrap_err();
        assert!(e.contains("no `success_rate` column"), "{e}");
        let e = read("t.csv", &edited(&t, "latency_p99_s", true)).unwrap_err();
        assert!(
            e.contains("column `latency_p99_s`: `` is not a number"),
            "{e}"
        );
        assert!(read("t.csv", &edited(&t, "theory_success", true)).is_ok());
    }
}
