//! `sweep.json`: the axes and, for every point, its values and full summary.

use serde::Serialize;
use serde::ser::SerializeMap;

use super::plan::Plan;
use super::run::PointResult;
use super::values::AxisValue;
use crate::stats::Summary;

/// The document written to `sweep.json`.
#[derive(Serialize)]
struct Document<'a> {
    scenario: &'a str,
    axes: Vec<AxisDoc<'a>>,
    points: Vec<PointDoc<'a>>,
}

#[derive(Serialize)]
struct AxisDoc<'a> {
    /// As given, e.g. `depth`.
    path: &'a str,
    /// The field it sets, e.g. `nodes.step.repeat`.
    field: &'a str,
    values: &'a [AxisValue],
}

#[derive(Serialize)]
struct PointDoc<'a> {
    /// `{ "depth": 3, ... }`, in axis order.
    at: At<'a>,
    theory_success: Option<f64>,
    summary: &'a Summary,
}

/// Axis values as a JSON object whose keys keep the axes' order.
struct At<'a>(Vec<(&'a str, AxisValue)>);

impl Serialize for At<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The sweep as pretty JSON.
pub fn write(plan: &Plan, results: &[PointResult]) -> Vec<u8> {
    let axes = &plan.grid.axes;
    let doc = Document {
        scenario: &plan.scenario,
        axes: axes
            .iter()
            .zip(&plan.targets)
            .map(|(a, field)| AxisDoc {
                path: &a.path,
                field,
                values: &a.values,
            })
            .collect(),
        points: results
            .iter()
            .map(|r| PointDoc {
                at: At(axes
                    .iter()
                    .map(|a| a.path.as_str())
                    .zip(r.values.iter().copied())
                    .collect()),
                theory_success: r.theory_success,
                summary: &r.summary,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("a sweep serialises");
    bytes.push(b'\n');
    bytes
}
