//! From a grid to runnable points: each axis's path resolved (`depth`, see
//! [`crate::overrides`]), every point patched into the scenario document and
//! checked before anything runs.

use std::path::{Path, PathBuf};

use toml::Table;

use super::grid::Grid;
use super::values::AxisValue;
use crate::overrides::resolve;
use crate::scenario::{Scenario, compile_document, locate_in_file, patch::set_path};
use crate::stats::precision::Precision;

/// A checked sweep, ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario file (names it in messages and gives its default name).
    pub file: PathBuf,
    /// The scenario's name (the base document's), for the output folder.
    pub scenario: String,
    /// The base scenario document that each point patches.
    pub doc: Table,
    /// The axes.
    pub grid: Grid,
    /// The field each axis sets: its path, or `nodes.<id>.repeat` for `depth`.
    pub targets: Vec<String>,
    /// Trials and seed of every point, in the order they run.
    pub points: Vec<PointPlan>,
    /// `--precision`: every point runs until this is met (its `trials` are
    /// then the cap, the most it may run).
    pub precision: Option<Precision>,
}

/// What one point runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PointPlan {
    /// One value per axis.
    pub values: Vec<AxisValue>,
    /// Trials: `--trials`, else the point's own `run.trials`.
    pub trials: u64,
    /// Seed: `--seed`, else the point's own `run.seed`. The same for every
    /// point unless `run.seed` is varied: common random numbers across points.
    pub seed: u64,
    /// The tasks the point measures (what its `trials` column will say): its
    /// trials, or for a `[workload]` scenario its tasks × replications (for a
    /// measurement window in seconds, the number expected: arrival rate ×
    /// duration, or for a closed workload at most agents × duration / mean
    /// think time).
    pub tasks: u64,
    /// True for a `[workload]` scenario (the point runs replications).
    pub loaded: bool,
}

impl Plan {
    /// Resolves and checks every point of `grid` against the document `doc` read
    /// from `file`; `trials` and `seed` override the file's `[run]`.
    ///
    /// Each axis is first tried alone (so a path that does not exist is blamed
    /// on its `--vary`), then every point of the grid is compiled.
    pub fn new(
        file: &Path,
        doc: Table,
        grid: Grid,
        trials: Option<u64>,
        seed: Option<u64>,
    ) -> Result<Plan, String> {
        let base = compile_document(file, &doc).map_err(|e| locate_in_file(e).to_string())?;
        if base.workload.is_some() && trials.is_some() {
            return Err(format!(
                "{}: --trials does not apply to a scenario with [workload]: every point \
                 runs workload.replications replications of workload.tasks tasks (or of \
                 workload.duration_s seconds); vary or --set those instead, e.g. \
                 --set workload.replications=8",
                file.display()
            ));
        }
        let targets = grid
            .axes
            .iter()
            .map(|a| resolve(&a.path, &a.origin, &doc))
            .collect::<Result<Vec<_>, _>>()?;
        check_overlaps(&grid, &targets)?;
        for (axis, target) in grid.axes.iter().zip(&targets) {
            let value = axis.values[0];
            patched(file, &doc, &[(target, value)])
                .map_err(|e| format!("{} (set to {value}): {e}", axis.origin))?;
        }
        let mut plan = Plan {
            file: file.to_path_buf(),
            scenario: base.model.name.clone(),
            doc,
            grid,
            targets,
            points: Vec::new(),
            precision: None,
        };
        for i in 0..plan.grid.len() {
            let values = plan.grid.point(i);
            let s = plan.scenario_at(&values).map_err(|e| {
                format!(
                    "point {} of {} ({}): {e}",
                    i + 1,
                    plan.grid.len(),
                    plan.describe(&values)
                )
            })?;
            let point_trials = trials.unwrap_or(s.trials);
            plan.points.push(PointPlan {
                values,
                trials: point_trials,
                seed: seed.unwrap_or(s.seed),
                tasks: expected_tasks(&s, point_trials),
                loaded: s.workload.is_some(),
            });
        }
        Ok(plan)
    }

    /// The same plan, every point run to `precision` (capped at its cap).
    pub fn with_precision(mut self, precision: Precision) -> Plan {
        for point in &mut self.points {
            point.trials = precision.cap;
        }
        self.precision = Some(precision);
        self
    }

    /// The scenario at the given axis values, compiled.
    pub fn scenario_at(&self, values: &[AxisValue]) -> Result<Scenario, String> {
        let changes: Vec<(&String, AxisValue)> =
            self.targets.iter().zip(values.iter().copied()).collect();
        patched(&self.file, &self.doc, &changes)
    }

    /// `depth = 3, nodes.retrieve.silent = 0.05`.
    pub fn describe(&self, values: &[AxisValue]) -> String {
        self.grid
            .axes
            .iter()
            .zip(values)
            .map(|(a, v)| format!("{} = {v}", a.path))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A fingerprint of everything that decides the sweep's results: the
    /// scenario document, the fields varied, every point's values, trials and
    /// seed, and the program version. Points kept from an interrupted sweep
    /// are reused only by a sweep with the same key.
    pub fn key(&self) -> String {
        let mut text = format!("coordsim {}\n", env!("CARGO_PKG_VERSION"));
        text += &toml::to_string(&self.doc).unwrap_or_default();
        text += &format!("\n{:?}\n", self.targets);
        if let Some(p) = &self.precision {
            text += &format!("precision {p:?}\n");
        }
        for p in &self.points {
            text += &format!("{:?} {} {}\n", p.values, p.trials, p.seed);
        }
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("{hash:016x}")
    }

    /// Total tasks over all points (for progress, ETA and `--max-trials`):
    /// trials, or the tasks loaded points measure.
    pub fn total_tasks(&self) -> u64 {
        self.points
            .iter()
            .fold(0u64, |sum, p| sum.saturating_add(p.tasks))
    }

    /// What the sweep's tasks are called: "trials", or "tasks" when its
    /// points are loaded runs.
    pub fn unit(&self) -> &'static str {
        if self.points.iter().any(|p| p.loaded) {
            "tasks"
        } else {
            "trials"
        }
    }
}

/// The tasks a run of `s` with `trials` trials measures: see [`PointPlan::tasks`].
pub fn expected_tasks(s: &Scenario, trials: u64) -> u64 {
    use crate::model::{Arrivals, Window};
    let Some(w) = &s.workload else {
        return trials;
    };
    let reps = w.replications as u64;
    let per_rep = match (w.window, &w.arrivals) {
        (Window::Tasks { tasks, .. }, _) => tasks as f64,
        (Window::Time { duration, .. }, Arrivals::Open { .. }) => w.arrivals.mean_rate() * duration,
        (Window::Time { duration, .. }, Arrivals::Closed { agents, think }) => {
            *agents as f64 * duration / think.mean().max(f64::MIN_POSITIVE)
        }
    };
    (per_rep.round().min(u64::MAX as f64) as u64).saturating_mul(reps)
}

/// `doc` with each (path, value) set, compiled as if read from `file`.
fn patched(file: &Path, doc: &Table, changes: &[(&String, AxisValue)]) -> Result<Scenario, String> {
    let mut doc = doc.clone();
    for (path, value) in changes {
        set_path(&mut doc, path, value.to_toml())?;
    }
    compile_document(file, &doc).map_err(|e| e.to_string().trim_end().to_string())
}

/// Refuses two axes that set the same field, directly or through an alias
/// (`depth` and `nodes.<id>.repeat`), or a field and a table holding it
/// (`nodes.a.latency` and `nodes.a.latency.mean`): the later would silently
/// override the earlier, and points labelled differently would be the same.
fn check_overlaps(grid: &Grid, targets: &[String]) -> Result<(), String> {
    let covers = |outer: &str, inner: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    for (i, (a, ta)) in grid.axes.iter().zip(targets).enumerate() {
        for (b, tb) in grid.axes[..i].iter().zip(targets) {
            if covers(ta, tb) || covers(tb, ta) {
                let via = |axis: &super::grid::Axis, target: &str| {
                    if axis.path == target {
                        String::new()
                    } else {
                        format!(" (that is {target})")
                    }
                };
                return Err(format!(
                    "{}{}: varies the same field as {}{}; vary each field once",
                    a.origin,
                    via(a, ta),
                    b.origin,
                    via(b, tb)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::grid::Axis;
    use super::*;

    const CHAIN: &str = r#"
[run]
trials = 500
seed = 9
[[nodes]]
id = "step"
kind = "llm"
repeat = 6
silent = 0.03
[[nodes]]
id = "last"
kind = "llm"
after = ["step"]
"#;

    fn plan(text: &str, specs: &[&str]) -> Result<Plan, String> {
        let doc: Table = text.parse().unwrap();
        let axes = specs
            .iter()
            .map(|s| Axis::parse(s, |p| format!("--vary {p}")))
            .collect::<Result<Vec<_>, _>>()?;
        Plan::new(Path::new("s.toml"), doc, Grid::new(axes)?, None, None)
    }

    #[test]
    fn depth_is_the_repeat_of_the_repeated_node() {
        let p = plan(CHAIN, &["depth=1..3"]).unwrap();
        assert_eq!(p.targets, vec!["nodes.step.repeat".to_string()]);
        let s = p.scenario_at(&p.points[2].values).unwrap();
        assert_eq!(s.model.nodes.len(), 3 + 1);
        assert_eq!((p.points[0].trials, p.points[0].seed), (500, 9));
    }

    #[test]
    fn depth_needs_exactly_one_repeated_node() {
        let none = CHAIN.replace("repeat = 6\n", "");
        let e = plan(&none, &["depth=1..3"]).unwrap_err();
        assert!(e.contains("no node sets `repeat`"), "{e}");
        let two = CHAIN.replace("after = [\"step\"]\n", "after = [\"step\"]\nrepeat = 2\n");
        let e = plan(&two, &["depth=1..3"]).unwrap_err();
        assert!(
            e.contains("several nodes") && e.contains("step, last"),
            "{e}"
        );
    }

    #[test]
    fn paths_that_do_not_exist_are_blamed_on_their_flag() {
        let e = plan(CHAIN, &["depth=1..2", "nodes.stepp.silent=0.1"]).unwrap_err();
        assert!(
            e.starts_with("--vary nodes.stepp.silent") && e.contains("did you mean \"step\""),
            "{e}"
        );
        let e = plan(CHAIN, &["nodes.step.silentt=0.1"]).unwrap_err();
        assert!(
            e.starts_with("--vary nodes.step.silentt") && e.contains("did you mean `silent`"),
            "{e}"
        );
        let e = plan(CHAIN, &["runn.trials=1,2"]).unwrap_err();
        assert!(e.contains("did you mean `run`"), "{e}");
    }

    #[test]
    fn a_field_varied_twice_through_an_alias_is_refused() {
        let e = plan(CHAIN, &["depth=1,2", "nodes.step.repeat=5,6"]).unwrap_err();
        assert!(
            e.contains("--vary nodes.step.repeat: varies the same field as --vary depth (that is nodes.step.repeat)"),
            "{e}"
        );
        let e = plan(CHAIN, &["nodes.step.silent=0.1", "nodes.step.silent.x=1"]).unwrap_err();
        assert!(e.contains("varies the same field"), "{e}");
        assert!(
            plan(CHAIN, &["nodes.step.silent=0.1", "nodes.step.silentx=0.1"])
                .is_err_and(|e| !e.contains("varies the same field"))
        );
    }

    #[test]
    fn an_invalid_combination_names_its_point() {
        let e = plan(
            CHAIN,
            &["nodes.step.silent=0.5,0.7", "nodes.step.loud=0.1,0.4"],
        )
        .unwrap_err();
        assert!(
            e.starts_with("point 4 of 4 (nodes.step.silent = 0.7, nodes.step.loud = 0.4)"),
            "{e}"
        );
    }
}
