//! Charts: produced as valid PNG and SVG of the stated size (1200 × 800),
//! redrawn identically from a saved sweep.csv, and bad input refused.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 800;

fn coordsim(args: &[&str], extra: &[&Path]) -> Output {
    bin().args(args).args(extra).output().expect("run coordsim")
}

/// Checks the PNG signature and the IHDR chunk's width and height.
fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{}: PNG signature",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR", "{}: first chunk", path.display());
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (WIDTH, HEIGHT), "{}", path.display());
}

/// Checks that the SVG parses as XML, states its size, and has text in it:
/// drawn in the embedded font's outlines (no `<text>` left to a viewer's
/// fonts), its words kept in each group's `aria-label`, every glyph used
/// defined.
fn assert_svg(path: &Path, must_say: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("1200"), "{}", path.display());
    assert_eq!(root.attribute("height"), Some("800"), "{}", path.display());
    assert!(
        !doc.descendants().any(|n| n.has_tag_name("text")) && !text.contains("font-family"),
        "{}: text left to the viewer's fonts",
        path.display()
    );
    let defined: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path"))
        .filter_map(|n| n.attribute("id"))
        .collect();
    for used in doc.descendants().filter(|n| n.has_tag_name("use")) {
        let href = used.attribute("href").unwrap_or("");
        assert!(
            defined.contains(&href.trim_start_matches('#')),
            "{}: glyph {href} not defined",
            path.display()
        );
    }
    let words: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("g"))
        .filter_map(|n| n.attribute("aria-label"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains(must_say),
        "{}: no {must_say:?} in its text: {words}",
        path.display()
    );
}

#[test]
fn a_two_axis_sweep_draws_every_chart_as_png_and_svg() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = coordsim(
        &[
            "sweep",
            "scenarios/six-step-pipeline.toml",
            "--vary",
            "depth=1..4",
            "--vary",
            "nodes.step.silent=0.01,0.05",
            "--trials",
            "2000",
            "-q",
            "--out",
        ],
        &[&out],
    );
    assert_success(&output);
    for (name, says) in [
        ("success", "end-to-end success vs depth"),
        ("latency", "p99"),
        ("outcomes", "silent failure"),
        ("heatmap-success", "P(correct)"),
        ("heatmap-p99", "p99 latency (s)"),
    ] {
        assert_png(&out.join(format!("{name}.png")));
        assert_svg(&out.join(format!("{name}.svg")), says);
    }
    // No throughput in these summaries: no goodput chart.
    assert!(!out.join("goodput.png").exists());
}

#[test]
fn a_one_axis_sweep_has_no_heatmap() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = coordsim(
        &[
            "sweep",
            "scenarios/support-agent.toml",
            "--vary",
            "nodes.verify.max_loops=0..3",
            "--trials",
            "2000",
            "--out",
        ],
        &[&out],
    );
    assert_success(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("skipped heatmaps"));
    assert!(!out.join("heatmap-success.png").exists());
    assert_svg(&out.join("success.svg"), "no closed-form curve");
}

#[test]
fn charts_from_the_saved_csv_equal_the_charts_of_the_run() {
    let scratch = Scratch::new();
    let out = scratch.path().join("run");
    let again = scratch.path().join("again");
    assert_success(&coordsim(
        &[
            "sweep",
            "scenarios/six-step-pipeline.toml",
            "--vary",
            "depth=1..3",
            "--vary",
            "defaults.edge.silent=0,0.01",
            "--trials",
            "3000",
            "-q",
            "--out",
        ],
        &[&out],
    ));
    assert_success(&coordsim(
        &["chart"],
        &[&out.join("sweep.csv"), Path::new("--out"), &again],
    ));
    let mut compared = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext == "png" || ext == "svg" {
            let redrawn = again.join(path.file_name().unwrap());
            assert_eq!(
                std::fs::read(&path).unwrap(),
                std::fs::read(&redrawn).unwrap(),
                "{}",
                path.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 10);
}

#[test]
fn the_node_chart_is_drawn_from_a_runs_summary() {
    let scratch = Scratch::new();
    let out = scratch.path().join("run");
    assert_success(&coordsim(
        &[
            "run",
            "scenarios/agent-swarm.toml",
            "--trials",
            "5000",
            "--out",
        ],
        &[&out],
    ));
    let charts = scratch.path().join("charts");
    assert_success(&coordsim(
        &["chart", "--nodes"],
        &[&out.join("summary.json"), Path::new("--out"), &charts],
    ));
    assert_png(&charts.join("nodes.png"));
    assert_svg(&charts.join("nodes.svg"), "wrong answers delivered");
    assert_svg(&charts.join("nodes.svg"), "planner->search");
}

#[test]
fn the_pass_k_chart_is_drawn_from_a_pass_k_runs_summary() {
    let scratch = Scratch::new();
    let out = scratch.path().join("run");
    assert_success(&coordsim(
        &[
            "run",
            "scenarios/pass-k-agent.toml",
            "--pass-k",
            "4",
            "--trials",
            "3000",
            "--out",
        ],
        &[&out],
    ));
    let charts = scratch.path().join("charts");
    assert_success(&coordsim(
        &["chart", "--pass-k"],
        &[&out.join("summary.json"), Path::new("--out"), &charts],
    ));
    assert_png(&charts.join("pass-k.png"));
    assert_svg(&charts.join("pass-k.svg"), "independent runs");
    // A run without pass^k has nothing to draw: refused, nothing written.
    let plain = scratch.path().join("plain");
    assert_success(&coordsim(
        &[
            "run",
            "scenarios/single-call-rag.toml",
            "--trials",
            "1000",
            "--out",
        ],
        &[&plain],
    ));
    let output = coordsim(
        &["chart", "--pass-k"],
        &[
            &plain.join("summary.json"),
            Path::new("--out"),
            &plain.join("c"),
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--pass-k K"));
    assert!(!plain.join("c").exists());
}

#[test]
fn bad_chart_input_is_refused_with_exit_code_2() {
    let scratch = Scratch::new();
    let not_a_sweep = scratch.file("x.csv", "a,b\n1,2\n");
    // Every figure column, as coordsim writes them, with one bad cell; and
    // without success_rate (a chart would draw a legend for no line).
    let figures: Vec<&str> = coordsim::sweep::table::FIGURES
        .iter()
        .map(|f| f.0)
        .collect();
    let cells: Vec<&str> = figures
        .iter()
        .map(|f| if *f == "success_rate" { "high" } else { "0.5" })
        .collect();
    let bad_cell = scratch.file(
        "y.csv",
        &format!(
            "depth,scenario,{}\n1,s,{}\n",
            figures.join(","),
            cells.join(",")
        ),
    );
    let (kept, values): (Vec<&str>, Vec<&str>) = figures
        .iter()
        .filter(|f| **f != "success_rate")
        .map(|f| (*f, "0.5"))
        .unzip();
    let no_success = scratch.file(
        "z.csv",
        &format!(
            "depth,scenario,{}\n1,s,{}\n",
            kept.join(","),
            values.join(",")
        ),
    );
    let not_a_summary = scratch.file("s.json", "{\"nodes\": 3}");
    let missing = scratch.path().join("missing.csv");
    let out = scratch.path().join("out");
    for (args, fragment) in [
        (
            vec!["chart", not_a_sweep.to_str().unwrap()],
            "no `scenario` column",
        ),
        (
            vec!["chart", bad_cell.to_str().unwrap()],
            "column `success_rate`: `high` is not a number",
        ),
        (
            vec!["chart", no_success.to_str().unwrap()],
            "no `success_rate` column",
        ),
        (
            vec!["chart", "--nodes", not_a_summary.to_str().unwrap()],
            "not a summary.json",
        ),
        (
            vec!["chart", missing.to_str().unwrap()],
            "cannot read the file",
        ),
        (vec!["chart"], "required"),
    ] {
        let output = coordsim(&args, &[Path::new("--out"), &out]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(fragment),
            "{args:?}: expected {fragment:?} in {stderr}"
        );
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
