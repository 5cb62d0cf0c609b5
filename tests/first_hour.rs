//! A new user's first hour: `coordsim init` templates that validate and run,
//! errors that say what to write, `--set` errors that point at the flag, and
//! the generated help texts (completions, man pages, the JSON Schema) that
//! must be current with the code.

mod common;

use std::path::Path;

use common::{Scratch, bin};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const TEMPLATES: [&str; 3] = ["chain", "rag", "pool"];

#[test]
fn every_template_is_written_validates_and_runs() {
    let scratch = Scratch::new();
    for name in TEMPLATES {
        let o = bin()
            .current_dir(scratch.path())
            .args(["init", name])
            .output()
            .unwrap();
        assert!(o.status.success(), "init {name}: {}", stderr(&o));
        let file = scratch.path().join(format!("{name}.toml"));
        assert!(file.is_file(), "init {name} wrote {}", file.display());
        assert!(stdout(&o).contains("coordsim validate"), "{}", stdout(&o));
        let o = bin().arg("validate").arg(&file).output().unwrap();
        assert!(o.status.success(), "validate {name}: {}", stderr(&o));
        let mut run = bin();
        run.arg("run")
            .arg(&file)
            .args(["--quiet", "--format", "json", "--out"])
            .arg(scratch.path().join(format!("out-{name}")));
        if name != "pool" {
            run.args(["--trials", "2000"]);
        }
        let o = run.output().unwrap();
        assert!(o.status.success(), "run {name}: {}", stderr(&o));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            summary["scenario"], name,
            "the file's name names the scenario"
        );
        // Every template's sweep table is valid too (validate checks it).
        assert!(std::fs::read_to_string(&file).unwrap().contains("[sweep]"));
    }
}

#[test]
fn init_never_replaces_a_file_and_refuses_bad_names() {
    let scratch = Scratch::new();
    let mine = scratch.file("rag.toml", "# my own work\n");
    let o = bin()
        .current_dir(scratch.path())
        .args(["init", "rag"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--file"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "# my own work\n");
    for (file, expected) in [
        ("notes.txt", "ending in .toml"),
        ("my pipeline.toml", "scenario's name"),
        ("missing/dir/x.toml", "no such folder"),
    ] {
        let o = bin()
            .current_dir(scratch.path())
            .args(["init", "chain", "--file", file])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{file}: {}", stderr(&o));
    }
    let o = bin()
        .current_dir(scratch.path())
        .args(["init", "rga"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rag"), "{}", stderr(&o));
    let o = bin()
        .current_dir(scratch.path())
        .args(["init", "pool", "--file", "load.toml"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(scratch.path().join("load.toml").is_file());
    let left: Vec<_> = std::fs::read_dir(scratch.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporaries left behind: {left:?}");
}

/// Validates `text` as `s.toml` and returns standard error (the run must fail with 2).
fn problems(text: &str) -> String {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", text);
    let o = bin().arg("validate").arg(&file).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn type_errors_show_the_expected_form_with_an_example() {
    let node = "[[nodes]]\nid = \"retrieve\"\nkind = \"retrieval\"\n";
    let e = problems(&format!("{node}retry = 2\n"));
    assert!(!e.contains("RetrySpec"), "{e}");
    assert!(e.contains("s.toml:4:9: nodes[0].retry"), "{e}");
    assert!(e.contains("retry = { max = 2"), "{e}");
    let e = problems(&format!(
        "{node}\n[[nodes]]\nid = \"gen\"\nkind = \"llm\"\nafter = \"retrieve\"\n"
    ));
    assert!(e.contains("after = [\"retrieve\"]"), "{e}");
    assert!(!e.contains("sequence"), "{e}");
    let e = problems(&format!("{node}latency = 0.5\n"));
    assert!(e.contains("latency = { dist ="), "{e}");
    assert!(!e.contains("LatencySpec"), "{e}");
    let e = problems(&format!("{node}retry = {{ backoff = \"fixed\" }}\n"));
    assert!(
        e.contains("missing field `max`") && e.contains("retry = { max = 2 }"),
        "{e}"
    );
}

#[test]
fn unknown_fields_get_did_you_mean() {
    let node = "[[nodes]]\nid = \"retrieve\"\nkind = \"retrieval\"\n";
    for (typo, meant) in [
        ("retries = 2", "retry"),
        ("latancy = { dist = \"fixed\", value = 1 }", "latency"),
        ("sensitivty = 0.9", "sensitivity"),
        ("timeouts = 3", "timeout"),
    ] {
        let e = problems(&format!("{node}{typo}\n"));
        assert!(
            e.contains(&format!("did you mean `{meant}`")),
            "{typo}: {e}"
        );
    }
}

#[test]
fn set_errors_point_at_the_override_not_at_a_line() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "s.toml",
        "[[nodes]]\nid = \"step\"\nkind = \"llm\"\nsilent = 0.01\n\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"step\"]\nsilent = 2\n",
    );
    let out = scratch.path().join("out");
    // Its own problem (line 10) keeps its line; the override's has none.
    let o = bin()
        .arg("run")
        .arg(&file)
        .args(["--trials", "10", "--set", "nodes.step.silent=1.5", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("s.toml: --set nodes.step.silent=1.5: nodes[0] (step).silent: is 1.5"),
        "{e}"
    );
    assert!(e.contains("s.toml:10:1: nodes[1] (b).silent: is 2"), "{e}");
    for args in [
        ["--set", "nodes.step.retry=2"],
        ["--set", "nodes.step.kind=\"gate\""],
    ] {
        let o = bin()
            .arg("run")
            .arg(&file)
            .args(["--trials", "10"])
            .args(args)
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(e.contains(&format!("s.toml: --set {}", args[1])), "{e}");
    }
    assert!(!out.exists(), "nothing written");
}

#[test]
fn no_arguments_prints_help_and_exits_0() {
    let o = bin().output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let help = stdout(&o);
    assert!(help.contains("Usage: coordsim"), "{help}");
    assert!(help.contains("coordsim init"), "{help}");
    for command in ["init", "run", "validate", "completions", "man", "schema"] {
        assert!(help.contains(&format!("  {command} ")), "{command}: {help}");
    }
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(
            script.contains("coordsim") && script.contains("sweep"),
            "{shell}"
        );
    }
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bash"), "{}", stderr(&o));
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A checked-in generated file must equal what the binary prints now.
fn assert_current(path: &str, args: &[&str]) {
    let o = bin().args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let checked_in = std::fs::read(repo(path)).unwrap_or_default();
    assert!(
        checked_in == o.stdout,
        "{path} is not current: regenerate it with `cargo run --release -- {} > {path}`",
        args.join(" ")
    );
}

#[test]
fn the_manual_pages_in_docs_are_current() {
    assert_current("docs/man/coordsim.1", &["man"]);
    let names = coordsim::cli::command_names();
    assert!(names.contains(&"run".to_string()) && names.contains(&"init".to_string()));
    for name in &names {
        assert_current(&format!("docs/man/coordsim-{name}.1"), &["man", name]);
    }
    let page = std::fs::read_to_string(repo("docs/man/coordsim-run.1")).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH coordsim-run"),
        "{page}"
    );
    assert!(page.contains("trials"), "{page}");
    let o = bin().args(["man", "runn"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("e.g. `coordsim man run`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_schema_in_docs_is_current() {
    assert_current("docs/scenario.schema.json", &["schema"]);
}

/// The schema as a validator.
fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo("docs/scenario.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// A TOML scenario as the JSON document the schema describes.
fn as_json(toml_text: &str) -> serde_json::Value {
    let doc: toml::Value = toml::from_str(toml_text).unwrap();
    serde_json::to_value(doc).unwrap()
}

#[test]
fn every_bundled_scenario_and_template_satisfies_the_schema() {
    let validator = schema();
    let mut files: Vec<_> = std::fs::read_dir(repo("scenarios"))
        .unwrap()
        .chain(std::fs::read_dir(repo("assets/templates")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 13, "{files:?}");
    for file in &files {
        let doc = as_json(&std::fs::read_to_string(file).unwrap());
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
}

#[test]
fn the_schema_refuses_what_the_parser_refuses() {
    let validator = schema();
    let node = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
    for bad in [
        format!("{node}retries = 2\n"),
        format!("{node}retry = 2\n"),
        format!("{node}after = \"b\"\n"),
        format!("{node}merge = \"most\"\n"),
        format!("{node}latency = {{ dist = \"normal\", mean = 1 }}\n"),
        format!("{node}silent = {{ beta = [1, 2], mode = 3 }}\n"),
        format!("{node}persistence = \"always\"\n"),
        "[[nodes]]\nid = \"a\"\n".to_string(),
        format!("nme = \"x\"\n{node}"),
    ] {
        assert!(
            !validator.is_valid(&as_json(&bad)),
            "the schema accepts:\n{bad}"
        );
    }
    let good = format!(
        "{node}merge = {{ vote = 2 }}\npersistence = \"task\"\nsilent = {{ beta = [1, 2] }}\n"
    );
    assert!(validator.is_valid(&as_json(&good)));
}

#[test]
fn the_readme_states_the_minimum_rust_version_of_cargo_toml() {
    let cargo = std::fs::read_to_string(repo("Cargo.toml")).unwrap();
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml sets rust-version");
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust {version} or newer")),
        "README must state the minimum Rust version {version}"
    );
    assert!(readme.contains("cargo install --path ."));
    assert!(
        !readme.contains("../shared/"),
        "a fresh clone has no ../shared"
    );
}
