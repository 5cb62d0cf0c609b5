//! Points of a sweep kept on disk as they finish, so that an interrupted
//! sweep can be resumed (`coordsim sweep --resume`) to the same result.
//!
//! Each finished point is written atomically to
//! `<out>/.sweep/<key>/point-<index>.json`, where the key is the plan's
//! fingerprint ([`crate::sweep::Plan::key`]): a point file exists only when
//! the point is complete, and is reused only by the very same sweep. Floats
//! are written in shortest round-trip form and read back exactly, so a
//! resumed sweep writes bit-identical results.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::folder::{Claim, KEPT_FOLDER};
use crate::stats::Summary;
use crate::sweep::{Plan, PointResult};

/// The folder, inside an output folder, of kept sweep points.
pub const FOLDER: &str = KEPT_FOLDER;

/// One kept point, as written.
#[derive(Debug, Serialize, Deserialize)]
struct KeptPoint {
    /// The plan's key.
    key: String,
    /// Index in the plan.
    index: usize,
    /// The point's values, for people reading the file.
    at: String,
    /// As in [`PointResult`].
    theory_success: Option<f64>,
    /// As in [`PointResult`].
    summary: Summary,
}

/// Where the points of `plan` are kept, under output folder `out`.
pub fn folder(out: &Path, plan: &Plan) -> PathBuf {
    out.join(FOLDER).join(plan.key())
}

/// Keeps point `index` of `plan` in the claimed output folder.
pub fn save(
    out: &mut Claim,
    plan: &Plan,
    index: usize,
    point: &PointResult,
) -> std::io::Result<()> {
    let kept = KeptPoint {
        key: plan.key(),
        index,
        at: plan.describe(&point.values),
        theory_success: point.theory_success,
        summary: point.summary.clone(),
    };
    let mut text = serde_json::to_string_pretty(&kept).expect("a point serialises");
    text.push('\n');
    let relative = Path::new(FOLDER).join(plan.key()).join(file_name(index));
    out.write_file(&relative, text.as_bytes()).map(|_| ())
}

/// The points of `plan` kept under `out`, by index (`None` where a point is
/// missing or its file unreadable: it is simply run again).
pub fn load(out: &Path, plan: &Plan) -> Vec<Option<PointResult>> {
    let dir = folder(out, plan);
    let key = plan.key();
    plan.points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let bytes = std::fs::read(dir.join(file_name(index))).ok()?;
            let kept: KeptPoint = serde_json::from_slice(&bytes).ok()?;
            (kept.key == key && kept.index == index).then(|| PointResult {
                values: point.values.clone(),
                theory_success: kept.theory_success,
                summary: kept.summary,
            })
        })
        .collect()
}

/// Removes the kept points of `plan` (once its results are written), and
/// the `.sweep` folder if nothing else is kept in it.
pub fn discard(out: &Path, plan: &Plan) -> std::io::Result<()> {
    let dir = folder(out, plan);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let _ = std::fs::remove_dir(out.join(FOLDER));
    Ok(())
}

fn file_name(index: usize) -> String {
    format!("point-{index:05}.json")
}
