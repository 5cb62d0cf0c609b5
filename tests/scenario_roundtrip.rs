//! A parsed scenario written back out (TOML and JSON) and read again compiles
//! to the same model and runs to the same summary, for every bundled scenario
//! and review.

use std::path::{Path, PathBuf};

use coordsim::scenario::file::ScenarioFile;
use coordsim::scenario::{Scenario, compile, parse};

fn bundled() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/reviews"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 12, "found {files:?}");
    files
}

/// The scenario as its file (a review: its base with the patches applied).
fn document(path: &Path) -> ScenarioFile {
    let arm = coordsim::review::variant::load_arm(path).unwrap();
    toml::Value::Table(arm.doc).try_into().unwrap()
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_str().unwrap().to_string()
}

fn compiled(file: &ScenarioFile, path: &Path) -> Scenario {
    let mut scenario = compile(file, &stem(path)).unwrap();
    // A short run is enough to tell two models apart.
    if let Some(w) = &mut scenario.workload {
        w.replications = 2;
    }
    scenario
}

/// The summary of a short run, as JSON text (exact to the last bit).
fn summary(scenario: &Scenario) -> String {
    let s = coordsim::sim::simulate(scenario, 2000, 11, coordsim::sim::Control::none()).unwrap();
    serde_json::to_string(&s).unwrap()
}

#[test]
fn every_bundled_scenario_survives_being_written_out_and_read_again() {
    for path in bundled() {
        let file = document(&path);
        let original = compiled(&file, &path);
        let expected = summary(&original);
        let toml_text = file.to_toml().unwrap();
        let json_text = file.to_json().unwrap();
        for (text, name) in [(toml_text, "again.toml"), (json_text, "again.json")] {
            let again = parse(Path::new(name), &text)
                .unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
            let scenario = compiled(&again, &path);
            assert_eq!(
                format!("{:?}", scenario),
                format!("{:?}", original),
                "{} via {name}",
                path.display()
            );
            assert_eq!(
                summary(&scenario),
                expected,
                "{} via {name}",
                path.display()
            );
        }
    }
}

#[test]
fn every_field_is_written_and_unset_ones_are_left_out() {
    let text = r#"
name = "all-fields"
[defaults.edge]
loud = 0.01
retry = { max = 1, backoff = "exponential", delay = 0.5, factor = 3, max_delay = 4, jitter = "equal" }
[[resources]]
id = "gpu"
kind = "accelerator"
servers = 2
discipline = "priority"
batching = { max_batch = 4, iteration_base = 0.02, iteration_per_request = 0.002 }
[[nodes]]
id = "a"
kind = "llm"
tokens = { input = 100, output = 10 }
latency = { dist = "tokens", tokens_per_s = 50, prefill_tokens_per_s = 1000 }
cost = { input_per_mtok = 3, output_per_mtok = 15 }
resource = "gpu"
priority = 2
[[nodes]]
id = "b"
kind = "tool"
after = ["a"]
repeat = 2
latency = { dist = "lognormal", mu = -1, sigma = 0.5 }
[[nodes]]
id = "c"
kind = "aggregate"
after = ["a", "b"]
merge = { k = 1 }
[[nodes]]
id = "g"
kind = "gate"
after = ["c"]
sensitivity = 0.8
false_alarm = 0.1
loop_to = "a"
max_loops = 2
on_exhausted = "fail"
[[edges]]
from = "a"
to = "c"
silent = 0.02
"#;
    let path = Path::new("all-fields.toml");
    let file = parse(path, text).unwrap();
    let written = file.to_toml().unwrap();
    for field in [
        "merge",
        "k = 1",
        "repeat = 2",
        "on_exhausted = \"fail\"",
        "jitter = \"equal\"",
    ] {
        assert!(written.contains(field), "{field} missing from:\n{written}");
    }
    assert!(!written.contains("workload"), "{written}");
    let json = file.to_json().unwrap();
    assert!(!json.contains("null"), "{json}");
    for again in [
        parse(path, &written).unwrap(),
        parse(Path::new("x.json"), &json).unwrap(),
    ] {
        assert_eq!(
            format!("{:?}", compile(&again, "x").unwrap()),
            format!("{:?}", compile(&file, "x").unwrap())
        );
    }
}
