//! `sweep.csv`: writing a [`SweepTable`] and reading it back for `coordsim chart`.

use super::table::{SCENARIO_COLUMN, SweepTable};

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
/// number, and so must every other cell but `scenario` (or be empty).
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
    let mut rows = Vec::new();
    for (i, record) in r.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{name}: line {line}: {e}"))?;
        let row: Vec<String> = record.iter().map(str::to_string).collect();
        for (cell, column) in row.iter().zip(&header) {
            let numeric = cell.parse::<f64>().is_ok_and(f64::is_finite);
            let may_be_empty = !header[..split].contains(column);
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

    fn table() -> SweepTable {
        SweepTable {
            axes: vec!["depth".into(), "edges.a->b.silent".into()],
            columns: vec![
                "scenario".into(),
                "success_rate".into(),
                "cost_per_success_usd".into(),
            ],
            rows: vec![
                vec![
                    "1".into(),
                    "0.1".into(),
                    "my, \"odd\" name".into(),
                    "0.97".into(),
                    "".into(),
                ],
                vec![
                    "2".into(),
                    "1e-7".into(),
                    "my, \"odd\" name".into(),
                    "0.9409".into(),
                    "0.25".into(),
                ],
            ],
        }
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
        let e = read("t.csv", b"depth,scenario,success_rate\n").unwrap_err();
        assert!(e.contains("no rows"), "{e}");
        let e = read("t.csv", b"depth,scenario,success_rate\n1,s,high\n").unwrap_err();
        assert!(e.contains("line 2, column `success_rate`: `high`"), "{e}");
        let e = read("t.csv", b"depth,scenario,success_rate\n,s,0.5\n").unwrap_err();
        assert!(e.contains("column `depth`"), "{e}");
        let e = read("t.csv", b"depth,scenario,success_rate\n1,s\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }
}
