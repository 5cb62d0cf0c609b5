//! The report in Markdown for a design doc; charts are the SVG files written
//! beside it (`report-graph.svg`, `report-outcomes.svg`, `report-tornado.svg`:
//! names no other command writes, so a report never replaces a sweep's or an
//! analysis's charts in a shared folder).
//!
//! Text from the scenario is escaped ([`markdown`], [`markdown_paragraph`],
//! [`code_span`]) so that it reads as written and never becomes HTML, a link
//! or a broken table in a Markdown viewer. Figures formatted here (numbers,
//! intervals) are written as they are.

use std::fmt::Write;

use super::Report;
use super::table::{Align, Cell, Table};
use super::tables::{attribution, headline, ranking};
use crate::review::markup::{code_span, markdown, markdown_paragraph};

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let a = &r.analysis;
    let mut s = String::new();
    let _ = writeln!(s, "# Architecture review: {}\n", markdown(&a.scenario));
    if let Some(d) = &r.description {
        let _ = writeln!(s, "{}\n", markdown_paragraph(d));
    }
    let _ = writeln!(s, "{}\n", r.provenance(code_span));
    s.push_str(
        "## What was simulated\n\n![task graph](report-graph.svg)\n\nGraphviz source: `report-graph.dot`.\n\n",
    );

    s.push_str("## Headline figures\n\n");
    table(&mut s, &headline(r));
    s.push_str(
        "\n\\* the 95% interval of the difference excludes zero.\n\n![outcomes](report-outcomes.svg)\n\n",
    );

    s.push_str("## Recommendations\n\n");
    for (i, rec) in r.recommendations(markdown).iter().enumerate() {
        let _ = writeln!(s, "{}. {rec}", i + 1);
    }
    let _ = writeln!(
        s,
        "\n## Where the gap opens\n\nEach what-if against the scenario as it is, on the same random numbers (gate: catches {:.0}%, false alarms {:.0}%, up to {} loop-backs).\n\n![tornado chart](report-tornado.svg)\n",
        100.0 * a.gate_sensitivity,
        100.0 * a.gate_false_alarm,
        a.gate_max_loops
    );
    table(&mut s, &ranking(r));
    let _ = writeln!(
        s,
        "\n## Where the failures come from\n\n{}\n",
        r.failure_totals()
    );
    table(&mut s, &attribution(r));
    s.push_str("\n## Method\n\nEvery node and hand-off draws from its own random stream keyed by its name, and every configuration runs the same trial seeds (common random numbers). Rate differences: Newcombe's paired score interval; mean differences: per-trial differences; quantiles and cost per correct task: 20 sections of the trials. Significant: the 95% interval excludes zero.\n");
    s
}

/// Writes `t` as a Markdown table. A column with differences gets a second
/// column, `difference [95% CI]`, beside it; a significant change is marked
/// with a star (bold in that column).
fn table(s: &mut String, t: &Table) {
    let mut heads = Vec::new();
    let mut rule = String::from("|");
    for c in &t.columns {
        let title = markdown(c.short_title.as_ref().unwrap_or(&c.title));
        heads.push(match &c.role {
            Some(role) => format!("{title} ({})", markdown(role)),
            None => title,
        });
        rule.push_str(marker(c.align));
        if c.differences {
            heads.push("difference [95% CI]".into());
            rule.push_str(marker(Align::Interval));
        }
    }
    let _ = writeln!(s, "| {} |\n{rule}", heads.join(" | "));
    for row in &t.rows {
        let mut cells = Vec::new();
        for (c, cell) in t.columns.iter().zip(row) {
            cells.push(text(c.align, cell));
            if c.differences {
                cells.push(match &cell.difference {
                    Some(d) => format!(
                        "{} {}{}",
                        d.change,
                        d.interval,
                        if d.verdict.significant() {
                            " **\\***"
                        } else {
                            ""
                        }
                    ),
                    None => " ".into(),
                });
            }
        }
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
}

/// A cell's text: words escaped, figures as formatted; a star after a
/// significant change.
fn text(align: Align, cell: &Cell) -> String {
    let text = match align {
        Align::Text => markdown(&cell.text),
        Align::Number | Align::Interval => cell.text.clone(),
    };
    match cell.verdict {
        Some(v) if v.significant() => format!("{text} \\*"),
        _ => text,
    }
}

/// The alignment row's entry for a column.
fn marker(align: Align) -> &'static str {
    match align {
        Align::Number => "---:|",
        Align::Text | Align::Interval => "---|",
    }
}
