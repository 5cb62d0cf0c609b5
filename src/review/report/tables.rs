//! The report's tables, each built once as data ([`Table`]) for both the
//! HTML and the Markdown report.

use super::Report;
use super::table::{Align, Cell, Column, Difference, Table, Verdict};
use crate::review::compare::Figure;
use crate::review::text::{interval, signed, value};

/// The headline figures: one row per figure, one column per configuration
/// (the base first), each variant's value with its difference to the base.
pub fn headline(r: &Report) -> Table {
    let arms = &r.comparison.arms;
    let mut columns = vec![Column::new("figure", Align::Text)];
    for (k, arm) in arms.iter().enumerate() {
        columns.push(Column {
            role: Some(if k == 0 { "base" } else { "variant" }.to_string()),
            differences: k > 0,
            ..Column::new(&arm.name, Align::Number)
        });
    }
    let rows = arms[0]
        .figures
        .iter()
        .enumerate()
        .map(|(i, f0)| {
            let mut row = vec![Cell::plain(&f0.label)];
            row.extend(arms.iter().map(|arm| {
                let f = &arm.figures[i];
                Cell {
                    difference: f.diff.map(|_| Difference {
                        change: signed(&f.key, f.diff),
                        interval: interval(f),
                        verdict: headline_verdict(f),
                    }),
                    ..Cell::plain(value(&f.key, f.value))
                }
            }));
            row
        })
        .collect();
    Table { columns, rows }
}

/// Figures that are better higher (the rest — failures, latency, cost — are
/// better lower).
const HIGHER_IS_BETTER: [&str; 3] = ["p_correct", "p_pass_all_k", "p_pass_any_k"];

/// A headline difference: P(correct), pass^K, pass@K and SLO attainment
/// are better higher.
fn headline_verdict(f: &Figure) -> Verdict {
    match f.diff {
        Some(d) if f.significant => {
            if (d > 0.0) == HIGHER_IS_BETTER.contains(&f.key.as_str())
                || f.key.starts_with("p_slo_")
            {
                Verdict::Better
            } else {
                Verdict::Worse
            }
        }
        _ => Verdict::NotSignificant,
    }
}

/// The ranked what-ifs: gain in P(correct) with its interval, and the
/// changes in silent rate, p99 latency and cost per correct task.
pub fn ranking(r: &Report) -> Table {
    let columns = vec![
        Column::new("#", Align::Number),
        Column::new("what if", Align::Text),
        Column::new("gain in P(correct)", Align::Number),
        Column::new("95% CI", Align::Interval),
        Column::new("silent rate", Align::Number),
        Column::new("p99 latency (s)", Align::Number).short("p99 (s)"),
        Column::new("cost per correct task ($)", Align::Number).short("$ per correct task"),
    ];
    let rows = r
        .analysis
        .ranking
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let verdict = match f.gain.diff {
                Some(d) if f.gain.significant && d > 0.0 => Verdict::Better,
                Some(_) if f.gain.significant => Verdict::Worse,
                _ => Verdict::NotSignificant,
            };
            vec![
                Cell::plain((i + 1).to_string()),
                Cell::plain(&f.label),
                Cell {
                    verdict: Some(verdict),
                    ..Cell::plain(signed(&f.gain.key, f.gain.diff))
                },
                Cell::plain(interval(&f.gain)),
                Cell::plain(signed(&f.silent.key, f.silent.diff)),
                Cell::plain(signed(&f.p99.key, f.p99.diff)),
                Cell::plain(signed(&f.cost_per_success.key, f.cost_per_success.diff)),
            ]
        })
        .collect();
    Table { columns, rows }
}

/// Where the failures come from: per component, what it introduced, what
/// reached the user, what it gave up on, and (gates) what it caught.
pub fn attribution(r: &Report) -> Table {
    let mut columns = vec![
        Column::new("component", Align::Text),
        Column::new("kind", Align::Text),
        Column::new("corruptions introduced", Align::Number),
        Column::new("wrong answers delivered", Align::Number),
        Column::new("share of silent failures", Align::Number).short("share of silent"),
    ];
    for title in [
        "gave up (loud)",
        "timeouts",
        "caught",
        "missed",
        "false alarms",
        "gate exhausted",
    ] {
        columns.push(Column::new(title, Align::Number));
    }
    let rows = r
        .analysis
        .attribution
        .rows
        .iter()
        .map(|b| {
            let counts = [
                b.loud_exhausted,
                b.timeouts,
                b.caught,
                b.missed,
                b.false_alarms,
                b.gate_exhausted,
            ];
            let mut row = vec![
                Cell::plain(&b.id),
                Cell::plain(&b.kind),
                Cell::plain(b.silent_introduced.to_string()),
                Cell::plain(b.silent_reached_user.to_string()),
                Cell::plain(format!("{:.1}%", 100.0 * b.share_of_silent)),
            ];
            row.extend(counts.iter().map(|c| Cell::plain(c.to_string())));
            row
        })
        .collect();
    Table { columns, rows }
}
