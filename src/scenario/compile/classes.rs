//! `[[classes]]`: each further task class checked and compiled — its id, its
//! arrivals (as `[workload]`'s, with the scenario's window), its shedding,
//! and its graph (inline, or read from a file when the scenario was read,
//! see [`crate::scenario::class_graphs`]) compiled with the scenario's
//! resources, so that every class addresses the same pools and links.

use std::collections::HashSet;

use super::super::file::{ClassSpec, ScenarioFile, WorkloadSpec};
use super::super::problem::{Problem, Problems};
use super::super::resources::{ResourceIndex, compile_workload, resolve_shed};
use crate::model::{ClassHead, TaskClass, Workload};

/// The arrival fields a class shares with `[workload]`.
const ARRIVAL_FIELDS: [&str; 7] = [
    "arrivals",
    "rate",
    "schedule",
    "period",
    "burst",
    "concurrency",
    "think",
];

/// Compiles `file.classes` into `workload.classes` (reporting every problem).
pub fn compile_classes(
    file: &ScenarioFile,
    workload: Option<&mut Workload>,
    index: &ResourceIndex,
    p: &mut Problems,
) {
    if file.classes.is_empty() {
        return;
    }
    let (Some(workload), Some(spec)) = (workload, file.workload.as_ref()) else {
        if file.workload.is_none() {
            p.add(
                "classes",
                "task classes share resources in a loaded run and need [workload] (its \
                 window and replications, and the scenario's own class's arrivals), e.g. \
                 [workload]\\narrivals = \"open\"\\nrate = 2.0\\ntasks = 20000",
            );
        }
        return;
    };
    let mut seen: HashSet<String> = HashSet::from([workload.head.id.clone()]);
    for (k, class) in file.classes.iter().enumerate() {
        let here = format!("classes[{k}] ({})", class.id);
        if class.id.trim().is_empty() {
            p.add(
                format!("{here}.id"),
                "is empty; name the class, e.g. id = \"batch\"",
            );
        } else if !seen.insert(class.id.clone()) {
            p.add(
                format!("{here}.id"),
                format!(
                    "\"{}\" names another class already (the scenario's own class is \"{}\", \
                     set by [workload] class); class ids must be unique",
                    class.id, workload.head.id
                ),
            );
        }
        let shed = class
            .shed
            .as_ref()
            .and_then(|s| resolve_shed(s, &format!("{here}.shed"), index, p));
        let arrivals = class_arrivals(spec, class, &here, index, p);
        let model = class_model(file, class, &here, p);
        if let (Some(arrivals), Some(model)) = (arrivals, model) {
            workload.classes.push(TaskClass {
                head: ClassHead {
                    id: class.id.clone(),
                    priority: class.priority.unwrap_or(0),
                    shed,
                },
                arrivals,
                model,
            });
        }
    }
}

/// The class's arrivals, checked as `[workload]`'s would be, with the
/// problems moved to the class's fields.
fn class_arrivals(
    top: &WorkloadSpec,
    class: &ClassSpec,
    here: &str,
    index: &ResourceIndex,
    p: &mut Problems,
) -> Option<crate::model::Arrivals> {
    let spec = WorkloadSpec {
        arrivals: class.arrivals,
        rate: class.rate,
        schedule: class.schedule.clone(),
        period: class.period,
        burst: class.burst.clone(),
        concurrency: class.concurrency,
        think: class.think.clone(),
        class: None,
        priority: None,
        shed: None,
        ..top.clone()
    };
    let mut own = Problems::default();
    let compiled = compile_workload(&spec, index, &mut own);
    for Problem { field, message, .. } in own.into_vec() {
        let rest = field.strip_prefix("workload").unwrap_or(&field);
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        let name = rest.split(['.', '[']).next().unwrap_or("");
        if ARRIVAL_FIELDS.contains(&name) {
            p.add(format!("{here}.{rest}"), message);
        } else {
            p.add(
                here.to_string(),
                format!("with this class's arrivals, workload.{rest} {message}"),
            );
        }
    }
    compiled.map(|w| w.arrivals)
}

/// The class's own graph compiled with the scenario's resources and `[run]`
/// (`Some(None)`: it runs the scenario's graph; `None`: problems reported).
fn class_model(
    file: &ScenarioFile,
    class: &ClassSpec,
    here: &str,
    p: &mut Problems,
) -> Option<Option<Box<crate::model::Model>>> {
    if class.include.is_some() {
        // Read into `graph` when the scenario was read: still here means the
        // file was compiled without being read from disk.
        p.add(
            format!("{here}.include"),
            "a class's `include` is read with the scenario file; load the scenario from its file",
        );
        return None;
    }
    let Some(graph) = &class.graph else {
        return Some(None);
    };
    if graph.nodes.is_empty() {
        p.add(
            format!("{here}.graph"),
            "the class's graph has no nodes; give it at least one node, e.g. \
             graph = { nodes = [{ id = \"answer\", kind = \"llm\" }] }",
        );
        return None;
    }
    let own = ScenarioFile {
        nodes: graph.nodes.clone(),
        edges: graph.edges.clone(),
        defaults: graph.defaults.clone(),
        common_causes: Vec::new(),
        workload: None,
        classes: Vec::new(),
        sweep: None,
        ..file.clone()
    };
    match super::compile(&own, &class.id) {
        Ok(s) => Some(Some(Box::new(s.model))),
        Err(problems) => {
            for Problem { field, message, .. } in problems {
                if field.starts_with("resources") || field.starts_with("run") || field == "name" {
                    continue; // the scenario's own, reported there
                }
                p.add(format!("{here}.graph.{field}"), message);
            }
            None
        }
    }
}
