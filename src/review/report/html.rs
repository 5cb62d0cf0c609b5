//! The report as one self-contained HTML file: inline CSS, inline SVG
//! charts, no scripts, no network. The markup is also well-formed XML
//! (polyglot HTML), so an XML parser can check it.

use std::fmt::Write;

use super::Report;
use crate::review::graph::escape;
use crate::review::text::{interval, signed, value};

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
        escape(&a.scenario)
    );
    let _ = writeln!(s, "<h1>Architecture review: {}</h1>", escape(&a.scenario));
    if let Some(d) = &r.description {
        let _ = writeln!(s, "<p class=\"meta\">{}</p>", escape(d));
    }
    let _ = writeln!(
        s,
        "<p class=\"meta\">{} simulated tasks per configuration, seed {}; every comparison is paired on common random numbers. Reproduce with <code>{}</code>.</p>",
        a.trials,
        a.seed,
        escape(&r.command)
    );

    s.push_str("<section id=\"graph\"><h2>What was simulated</h2>\n<p>The task graph, left to right in topological layers; hand-offs are labelled with their failure rates, a gate's loop-back is dashed. (Also in <code>graph.dot</code>.)</p>\n<div class=\"chart\">");
    s.push_str(&r.graph_svg);
    s.push_str("</div></section>\n");

    s.push_str("<section id=\"headline\"><h2>Headline figures</h2>\n");
    headline_table(&mut s, r);
    s.push_str("<div class=\"chart\">");
    s.push_str(&r.outcomes_svg);
    s.push_str("</div></section>\n");

    s.push_str("<section id=\"recommendations\"><h2>Recommendations</h2>\n<ol>\n");
    for rec in r.recommendations() {
        let _ = writeln!(s, "<li>{}</li>", escape(&rec));
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
    ranking_table(&mut s, r);
    s.push_str("</section>\n");

    s.push_str("<section id=\"attribution\"><h2>Where the failures come from</h2>\n");
    attribution_table(&mut s, r);
    s.push_str("</section>\n");

    s.push_str("<section id=\"method\"><h2>Method</h2>\n<p>Every node and hand-off draws from its own random stream keyed by its name, and every configuration runs the same trial seeds, so unchanged components behave identically across configurations (common random numbers). Differences of rates use Newcombe's paired score interval; differences of means use the per-trial differences; quantiles and cost per correct task use 20 sections of the trials (sectioning). Significant: the 95% interval excludes zero.</p></section>\n");
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// "sig" for a significant change for the better, "bad" for the worse, "ns" otherwise.
fn css_class(f: &crate::review::compare::Figure) -> &'static str {
    let Some(d) = f.diff else { return "ns" };
    if !f.significant {
        return "ns";
    }
    let higher_is_better = f.key == "p_correct";
    if (d > 0.0) == higher_is_better {
        "sig"
    } else {
        "bad"
    }
}

fn headline_table(s: &mut String, r: &Report) {
    let arms = &r.comparison.arms;
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th class=\"l\">figure</th>");
    for (k, arm) in arms.iter().enumerate() {
        let role = if k == 0 { "base" } else { "variant" };
        let _ = write!(
            s,
            "<th>{}<small class=\"ci\">{role}</small></th>",
            escape(&arm.name)
        );
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (i, f0) in arms[0].figures.iter().enumerate() {
        let _ = write!(s, "<tr><td class=\"l\">{}</td>", escape(&f0.label));
        for arm in arms {
            let f = &arm.figures[i];
            let class = match f.diff {
                None => "",
                Some(_) => match css_class(f) {
                    "sig" => " class=\"sig\"",
                    "bad" => " class=\"bad\"",
                    _ => " class=\"ns\"",
                },
            };
            let _ = write!(s, "<td>{}", value(&f.key, f.value));
            if f.diff.is_some() {
                let _ = write!(
                    s,
                    "<small class=\"ci\"><span{class}>{}</span> {}</small>",
                    signed(&f.key, f.diff),
                    escape(&interval(f))
                );
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n<p class=\"meta\">Under each variant's value: its difference to the base and the 95% interval of that difference.</p>\n");
}

fn ranking_table(s: &mut String, r: &Report) {
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>#</th><th class=\"l\">what if</th><th>gain in P(correct)</th><th>95% CI</th><th>silent rate</th><th>p99 latency (s)</th><th>cost per correct task ($)</th></tr></thead>\n<tbody>\n");
    for (i, f) in r.analysis.ranking.iter().enumerate() {
        let class = match f.gain.diff {
            Some(d) if f.gain.significant && d > 0.0 => "sig",
            Some(_) if f.gain.significant => "bad",
            _ => "ns",
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            escape(&f.label),
            signed(&f.gain.key, f.gain.diff),
            escape(&interval(&f.gain)),
            signed(&f.silent.key, f.silent.diff),
            signed(&f.p99.key, f.p99.diff),
            signed(&f.cost_per_success.key, f.cost_per_success.diff),
        );
    }
    s.push_str("</tbody></table></div>\n");
}

fn attribution_table(s: &mut String, r: &Report) {
    let at = &r.analysis.attribution;
    let _ = writeln!(
        s,
        "<p>Of {} tasks: {} silent failures, {} loud failures, {} escalated.</p>",
        at.trials, at.silent_failures, at.loud_failures, at.escalated
    );
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th class=\"l\">component</th><th class=\"l\">kind</th><th>corruptions introduced</th><th>wrong answers delivered</th><th>share of silent failures</th><th>gave up (loud)</th><th>timeouts</th><th>caught</th><th>missed</th><th>false alarms</th><th>gate exhausted</th></tr></thead>\n<tbody>\n");
    for b in &at.rows {
        let _ = writeln!(
            s,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:.1}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&b.id),
            escape(&b.kind),
            b.silent_introduced,
            b.silent_reached_user,
            100.0 * b.share_of_silent,
            b.loud_exhausted,
            b.timeouts,
            b.caught,
            b.missed,
            b.false_alarms,
            b.gate_exhausted
        );
    }
    s.push_str("</tbody></table></div>\n");
}
