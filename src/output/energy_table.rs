//! The energy and capacity-cost lines of a loaded run's report.

use std::fmt::Write;

use crate::stats::energy::EnergySummary;
use crate::stats::load::Estimate;

/// A figure with its interval and unit, or "n/a" when it is undefined.
fn figure(e: Option<&Estimate>, digits: usize, unit: &str) -> String {
    let Some(e) = e else {
        return "n/a".into();
    };
    let text = match e.ci95 {
        Some([lo, hi]) => format!("{:.digits$} [{:.digits$}, {:.digits$}]", e.mean, lo, hi),
        None => format!("{:.digits$}", e.mean),
    };
    if unit.is_empty() {
        text
    } else {
        format!("{text} {unit}")
    }
}

/// Dollars with enough digits for a fraction of a cent.
fn dollars(e: Option<&Estimate>) -> String {
    match e {
        None => "n/a".into(),
        Some(e) => match e.ci95 {
            Some([lo, hi]) => format!("${:.6} [{lo:.6}, {hi:.6}]", e.mean),
            None => format!("${:.6}", e.mean),
        },
    }
}

/// The energy section: totals, then one line per metered pool and link.
pub fn render_energy(e: &EnergySummary) -> String {
    let mut out = String::new();
    if e.power_w.is_some() {
        let _ = writeln!(
            out,
            "\nenergy           power {}  per task {}  per correct task {}",
            figure(e.power_w.as_ref(), 1, "W"),
            figure(e.energy_per_task_j.as_ref(), 2, "J"),
            figure(e.energy_per_correct_task_j.as_ref(), 2, "J"),
        );
        let _ = writeln!(
            out,
            "                 output tokens per task {}  tokens per joule {}",
            figure(e.output_tokens_per_task.as_ref(), 1, ""),
            figure(e.tokens_per_joule.as_ref(), 5, ""),
        );
    } else {
        out.push('\n');
    }
    if let Some(per_hour) = e.capacity_usd_per_hour {
        let _ = writeln!(
            out,
            "capacity (USD)   ${per_hour:.4}/hour provisioned  per task {}  per correct task {}",
            dollars(e.capacity_usd_per_task.as_ref()),
            dollars(e.capacity_usd_per_correct_task.as_ref()),
        );
    }
    for p in &e.pools {
        let _ = writeln!(
            out,
            "  pool {:<16} power {}  {}/task  {}",
            p.id,
            figure(p.power_w.as_ref(), 1, "W"),
            figure(p.energy_per_task_j.as_ref(), 2, "J"),
            p.capacity_usd_per_hour
                .map_or("no price".into(), |c| format!("${c:.4}/hour")),
        );
    }
    for l in &e.links {
        let _ = writeln!(
            out,
            "  link {:<16} power {}  {}/task",
            l.id,
            figure(Some(&l.power_w), 3, "W"),
            figure(l.energy_per_task_j.as_ref(), 4, "J"),
        );
    }
    out
}
