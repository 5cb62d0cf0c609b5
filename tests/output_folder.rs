//! Output folders under hostile conditions: partial files naming paths,
//! merges into other scenarios' folders, two writers at once, symbolic
//! links, stale temporaries and locks, and result sets that must never mix.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use common::*;
use coordsim::shard::Partial;

fn scenario(id: &str) -> String {
    format!(
        "[run]\ntrials = 3000\n[[nodes]]\nid = \"{id}\"\nkind = \"llm\"\nrepeat = 1\nsilent = 0.1\n\
         latency = {{ dist = \"exponential\", mean = 1 }}\n"
    )
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn run(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Names of the files in `dir` (not recursive), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The scenario `dir`'s marker names.
fn marker_scenario(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join(".coordsim.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["scenario"].as_str().unwrap().to_string()
}

/// Writes the shards of a run of `file` into `dir`; returns the partial paths.
fn shards(file: &Path, dir: &Path, n: u32) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let output = bin()
                .args(["run", file.to_str().unwrap(), "--shard"])
                .arg(format!("{k}/{n}"))
                .arg("--out")
                .arg(dir)
                .output()
                .unwrap();
            assert_success(&output);
            dir.join(format!("partial-{k}-of-{n}.json"))
        })
        .collect()
}

/// Rewrites a partial file through `edit` (with a valid checksum: only the
/// checks on what it says can refuse it).
fn edit_partial(path: &Path, edit: impl FnOnce(&mut Partial)) {
    let mut p = Partial::from_json(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut p);
    std::fs::write(path, p.to_json()).unwrap();
}

#[test]
fn merge_never_writes_outside_its_folder_whatever_a_partial_says() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a"));
    let parts = scratch.path().join("parts");
    let partials = shards(&file, &parts, 2);
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let escaped = scratch.path().join("ESCAPED");
    for name in [
        "../../ESCAPED".to_string(),
        escaped.display().to_string(),
        "a/../../x".to_string(),
        ".hidden".to_string(),
    ] {
        for p in &partials {
            edit_partial(p, |p| p.identity.scenario = name.clone());
        }
        // No --out: the default folder would be built from the name.
        let output = bin()
            .current_dir(&work)
            .arg("merge")
            .args(&partials)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("scenario name"), "{name}: {err}");
        assert!(!escaped.exists(), "{name}: wrote {}", escaped.display());
        assert!(names(&work).is_empty(), "{name}: wrote {:?}", names(&work));
    }
    // A valid name that is not the one the scenario document compiles to.
    for p in &partials {
        edit_partial(p, |p| p.identity.scenario = "other".into());
    }
    let output = bin()
        .current_dir(&work)
        .arg("merge")
        .args(&partials)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("damaged"), "{}", stderr(&output));
    assert!(names(&work).is_empty(), "{:?}", names(&work));
}

#[test]
fn merge_claims_its_folder_like_run_and_marks_merged_sweeps() {
    let scratch = Scratch::new();
    let a = scratch.file("a.toml", &scenario("a"));
    let b = scratch.file("b.toml", &scenario("b"));
    let parts = scratch.path().join("parts");
    let partials = shards(&a, &parts, 2);

    // Another scenario's folder is not written over.
    let other = scratch.path().join("other");
    assert_success(&run(&b, &other, &[]));
    let before = std::fs::read(other.join("summary.json")).unwrap();
    let output = bin()
        .arg("merge")
        .args(&partials)
        .arg("--out")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("scenario \"b\", not \"a\""),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(other.join("summary.json")).unwrap(), before);
    assert_eq!(marker_scenario(&other), "b");

    // Nor a folder coordsim did not write.
    let foreign = scratch.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep").unwrap();
    let output = bin()
        .arg("merge")
        .args(&partials)
        .arg("--out")
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(names(&foreign), vec!["notes.txt".to_string()]);

    // A merged sweep marks its folder.
    let sweep_file = scratch.file("sw.toml", &scenario("sw"));
    let sweep_parts = scratch.path().join("sweep-parts");
    for k in 1..=2 {
        let output = bin()
            .args([
                "sweep",
                sweep_file.to_str().unwrap(),
                "--vary",
                "depth=1..2",
            ])
            .args(["--trials", "500", "--quiet", "--shard"])
            .arg(format!("{k}/2"))
            .arg("--out")
            .arg(&sweep_parts)
            .output()
            .unwrap();
        assert_success(&output);
    }
    let merged = scratch.path().join("merged");
    let output = bin()
        .arg("merge")
        .arg(sweep_parts.join("partial-1-of-2.json"))
        .arg(sweep_parts.join("partial-2-of-2.json"))
        .args(["--no-charts", "--quiet", "--out"])
        .arg(&merged)
        .output()
        .unwrap();
    assert_success(&output);
    assert_eq!(marker_scenario(&merged), "sw");
    assert!(merged.join("sweep.csv").exists());
}

fn spawn_run(file: &Path, out: &Path) -> Child {
    bin()
        .args(["run", file.to_str().unwrap(), "--trials", "2000", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_scenarios_racing_into_one_folder_never_leave_it_mixed() {
    let scratch = Scratch::new();
    let a = scratch.file("a.toml", &scenario("alpha"));
    let b = scratch.file("b.toml", &scenario("beta"));
    for i in 0..30 {
        let out = scratch.path().join(format!("race-{i}"));
        let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let one = spawn_run(first, &out);
        let two = spawn_run(second, &out);
        let one = one.wait_with_output().unwrap();
        let two = two.wait_with_output().unwrap();
        let codes = [one.status.code(), two.status.code()];
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(2)),
            "try {i}: one run writes, the other is refused: {codes:?}\n{}\n{}",
            stderr(&one),
            stderr(&two)
        );
        let refused = if one.status.code() == Some(2) {
            &one
        } else {
            &two
        };
        let why = stderr(refused);
        assert!(
            why.contains("in use by") || why.contains("holds the results of scenario"),
            "try {i}: {why}"
        );
        let owner = marker_scenario(&out);
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        assert_eq!(summary["scenario"], owner.as_str(), "try {i}");
        let nodes = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
        let node = if owner == "a" { "alpha" } else { "beta" };
        assert!(nodes.contains(node), "try {i}: {owner} with nodes {nodes}");
        assert_eq!(
            names(&out),
            [".coordsim.json", "nodes.csv", "summary.json"],
            "try {i}"
        );
    }
}

#[test]
fn a_held_folder_is_refused_and_a_dead_holder_is_taken_over() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a"));
    let out = scratch.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock_path = out.join(".coordsim.lock");
    std::fs::write(
        &lock_path,
        "{\"pid\":4000000,\"what\":\"sweep of scenario \\\"a\\\"\"}\n",
    )
    .unwrap();
    // Left by a dead process: taken over, and removed at the end.
    assert_success(&run(&file, &out, &[]));
    assert!(!lock_path.exists(), "{:?}", names(&out));

    // Held by a live one (this test): refused at once, nothing written.
    std::fs::write(
        &lock_path,
        "{\"pid\":1,\"what\":\"sweep of scenario \\\"a\\\"\"}\n",
    )
    .unwrap();
    let held = std::fs::File::open(&lock_path).unwrap();
    held.try_lock().unwrap();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let output = run(&file, &out, &["--seed", "5"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("in use by coordsim process 1 (sweep of scenario \"a\")"),
        "{err}"
    );
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    drop(held);
    assert_success(&run(&file, &out, &["--seed", "5"]));
}

#[test]
fn stale_temporaries_are_removed_and_planted_links_not_followed() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a"));
    let out = scratch.path().join("out");
    assert_success(&run(&file, &out, &[]));
    // What a `kill -9` in the middle of a write leaves, and a planted link.
    std::fs::write(out.join(".summary.json.tmp-4000000"), vec![b'x'; 1 << 20]).unwrap();
    std::fs::write(out.join(".nodes.csv.tmp-4000000-3"), "x").unwrap();
    let target = scratch.path().join("target.txt");
    std::fs::write(&target, "keep").unwrap();
    std::os::unix::fs::symlink(&target, out.join(".summary.json.tmp-4000001-0")).unwrap();
    assert_success(&run(&file, &out, &[]));
    assert_eq!(names(&out), [".coordsim.json", "nodes.csv", "summary.json"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn an_out_at_a_dangling_link_is_refused_before_the_run() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a").replace("3000", "100000000"));
    let out = scratch.path().join("out");
    std::os::unix::fs::symlink(scratch.path().join("nowhere"), &out).unwrap();
    let started = std::time::Instant::now();
    let output = run(&file, &out, &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("symbolic link") && err.contains("nowhere"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 10, "refused before the run");
}

#[test]
fn a_new_sweep_removes_the_charts_of_the_old_one_and_says_so() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a"));
    let out = scratch.path().join("out");
    let sweep = |extra: &[&str]| {
        bin()
            .args(["sweep", file.to_str().unwrap(), "--trials", "300"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let two_axes = [
        "--vary",
        "depth=1..2",
        "--vary",
        "nodes.a.silent=0.1,0.2",
        "--quiet",
    ];
    assert_success(&sweep(&two_axes));
    assert!(out.join("heatmap-success.png").exists());
    let output = sweep(&["--vary", "depth=1..3"]);
    assert_success(&output);
    let err = stderr(&output);
    assert!(
        err.contains("removed") && err.contains("heatmap-success.png"),
        "{err}"
    );
    assert!(!out.join("heatmap-success.png").exists());
    assert!(out.join("success.png").exists());
    let output = sweep(&["--vary", "depth=1..3", "--no-charts"]);
    assert_success(&output);
    let left: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".png") || n.ends_with(".svg"))
        .collect();
    assert!(left.is_empty(), "charts of an earlier sweep left: {left:?}");
}

#[test]
fn a_sweep_that_cannot_keep_its_points_exits_1() {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", &scenario("a"));
    let out = scratch.path().join("out");
    assert_success(&run(&file, &out, &[]));
    // Where the kept points go, a file: their folder cannot be made (as on a full disk).
    std::fs::write(out.join(".sweep"), "in the way").unwrap();
    let output = bin()
        .args(["sweep", file.to_str().unwrap(), "--vary", "depth=1..2"])
        .args(["--trials", "300", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot keep the finished point"), "{err}");
    assert!(!out.join("sweep.csv").exists());
}

#[test]
fn shards_of_two_scenarios_racing_into_one_folder_never_mix() {
    let scratch = Scratch::new();
    let a = scratch.file("a.toml", &scenario("alpha"));
    let b = scratch.file("b.toml", &scenario("beta"));
    let shard = |file: &Path, out: &Path| {
        bin()
            .args(["run", file.to_str().unwrap(), "--shard", "1/2", "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for i in 0..15 {
        let out = scratch.path().join(format!("race-{i}"));
        let one = shard(&a, &out);
        let two = shard(&b, &out);
        let codes = [
            one.wait_with_output().unwrap().status.code(),
            two.wait_with_output().unwrap().status.code(),
        ];
        codes
            .iter()
            .for_each(|c| assert!(matches!(c, Some(0 | 2)), "try {i}: {codes:?}"));
        assert_eq!(
            codes.iter().filter(|c| **c == Some(0)).count(),
            1,
            "try {i}: {codes:?}"
        );
        let owner = marker_scenario(&out);
        let p =
            Partial::from_json(&std::fs::read(out.join("partial-1-of-2.json")).unwrap()).unwrap();
        assert_eq!(p.identity.scenario, owner, "try {i}");
        assert_eq!(
            names(&out),
            [".coordsim.json", "partial-1-of-2.json"],
            "try {i}"
        );
    }
}
