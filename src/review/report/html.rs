//! The report as one self-contained HTML file: inline CSS, inline SVG
//! charts, no scripts, no network. The markup is also well-formed XML
//! (polyglot HTML), so an XML parser can check it.

use std::fmt::Write;

use super::Report;
use super::table::{Align, Table, Verdict};
use super::tables::{attribution, headline, ranking};
use crate::review::markup::xml;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #0f172a; margin: 0; background: #f8fafc; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 32px 0 10px; border-bottom: 2px solid #e2e8f0; padding-bottom: 4px; }
p.meta { color: #475569; margin: 0 0 8px; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 4px 20px 16px; margin-top: 18px; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e2e8f0; text-align: right; white-space: nowrap; }
th { background: #f1f5f9; font-weight: 600; white-space: normal; vertical-align: bottom; }
.scroll { overflow-x: auto; }
td.l, th.l { text-align: left; }
td.sig, span.sig { color: #15803d; font-weight: 600; }
td.bad, span.bad { color: #b91c1c; font-weight: 600; }
td.ns { color: #94a3b8; }
small.ci { color: #64748b; display: block; font-size: 12px; }
.chart { overflow-x: auto; }
.chart svg { max-width: 100%; height: auto; }
ol li { margin: 6px 0; }
code { background: #f1f5f9; padding: 1px 4px; border-radius: 4px; }
";

/// Renders the report as a complete HTML document.
pub fn render(r: &Report) -> String {
    let a = &r.analysis;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(
        s,
        "<title>Architecture review: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>",
        xml(&a.scenario)
    );
    let _ = writeln!(s, "<h1>Architecture review: {}</h1>", xml(&a.scenario));
    if let Some(d) = &r.description {
        let _ = writeln!(s, "<p class=\"meta\">{}</p>", xml(d));
    }
    let code = |command: &str| format!("<code>{}</code>", xml(command));
    let _ = writeln!(s, "<p class=\"meta\">{}</p>", r.provenance(code));

    s.push_str("<section id=\"graph\"><h2>What was simulated</h2>\n<p>The task graph, left to right in topological layers; hand-offs are labelled with their failure rates, a gate's loop-back is dashed. (Also in <code>report-graph.dot</code>.)</p>\n<div class=\"chart\">");
    s.push_str(&r.graph_svg);
    s.push_str("</div></section>\n");

    s.push_str("<section id=\"headline\"><h2>Headline figures</h2>\n");
    table(&mut s, &headline(r));
    s.push_str("<p class=\"meta\">Under each variant's value: its difference to the base and the 95% interval of that difference.</p>\n");
    s.push_str("<div class=\"chart\">");
    s.push_str(&r.outcomes_svg);
    s.push_str("</div></section>\n");

    s.push_str("<section id=\"recommendations\"><h2>Recommendations</h2>\n<ol>\n");
    for rec in r.recommendations(xml) {
        let _ = writeln!(s, "<li>{rec}</li>");
    }
    s.push_str("</ol></section>\n");

    let _ = writeln!(
        s,
        "<section id=\"ranking\"><h2>Where the gap opens</h2>\n<p>Each what-if is simulated against the scenario as it is, on the same random numbers. <em>perfect</em>: the component never fails; <em>+1 retry</em>: one more retry of loud failures; <em>gate after</em>: a verification gate (catches {:.0}%, false alarms {:.0}%, up to {} loop-backs) re-running the component on a flag.</p>",
        100.0 * a.gate_sensitivity,
        100.0 * a.gate_false_alarm,
        a.gate_max_loops
    );
    s.push_str("<div class=\"chart\">");
    s.push_str(&r.tornado_svg);
    s.push_str("</div>\n");
    table(&mut s, &ranking(r));
    s.push_str("</section>\n");

    s.push_str("<section id=\"attribution\"><h2>Where the failures come from</h2>\n");
    let _ = writeln!(s, "<p>{}</p>", r.failure_totals());
    table(&mut s, &attribution(r));
    s.push_str("</section>\n");

    s.push_str("<section id=\"method\"><h2>Method</h2>\n<p>Every node and hand-off draws from its own random stream keyed by its name, and every configuration runs the same trial seeds, so unchanged components behave identically across configurations (common random numbers). Differences of rates use Newcombe's paired score interval; differences of means use the per-trial differences; quantiles and cost per correct task use 20 sections of the trials (sectioning). Significant: the 95% interval excludes zero.</p></section>\n");
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// Writes `t` as an HTML table in a horizontally scrolling box.
fn table(s: &mut String, t: &Table) {
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for c in &t.columns {
        let class = if c.align == Align::Text {
            " class=\"l\""
        } else {
            ""
        };
        let _ = write!(s, "<th{class}>{}", xml(&c.title));
        if let Some(role) = &c.role {
            let _ = write!(s, "<small class=\"ci\">{}</small>", xml(role));
        }
        s.push_str("</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for (c, cell) in t.columns.iter().zip(row) {
            let mut classes = Vec::new();
            if c.align == Align::Text {
                classes.push("l");
            }
            classes.extend(cell.verdict.map(class));
            let _ = match classes.len() {
                0 => write!(s, "<td>{}", xml(&cell.text)),
                _ => write!(s, "<td class=\"{}\">{}", classes.join(" "), xml(&cell.text)),
            };
            if let Some(d) = &cell.difference {
                let _ = write!(
                    s,
                    "<small class=\"ci\"><span class=\"{}\">{}</span> {}</small>",
                    class(d.verdict),
                    xml(&d.change),
                    xml(&d.interval)
                );
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

/// The CSS class of a verdict: green, red, or grey.
fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "sig",
        Verdict::Worse => "bad",
        Verdict::NotSignificant => "ns",
    }
}
