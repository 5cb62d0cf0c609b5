//! Bad `[[resources]]` and `[workload]` sections: each explained (file, field,
//! what is allowed) with exit code 2 and nothing written.

mod common;

use common::*;

const OPEN: &str = "[workload]\narrivals = \"open\"\nrate = 1.0\ntasks = 100\n";
const GPU: &str = "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n";
const USE_GPU: &str = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpu\"\n";

fn cases() -> Vec<(&'static str, String, Vec<&'static str>)> {
    vec![
        ("unknown pool", format!("{GPU}[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpus\"\n"), vec!["nodes[0] (a).resource", "did you mean \"gpu\""]),
        ("link used as a pool", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"nv\"\n".to_string(), vec!["(a).resource", "is a link", "transfer"]),
        ("unknown link", format!("{GPU}[[nodes]]\nid = \"a\"\nkind = \"llm\"\ntransfer = {{ link = \"nv\", bytes = 10 }}\n"), vec!["(a).transfer.link", "no such resource \"nv\""]),
        ("negative transfer", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\ntransfer = { link = \"nv\", bytes = -1 }\n".to_string(), vec!["transfer.bytes", ">= 0"]),
        ("accelerator without servers", format!("[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\n{USE_GPU}"), vec!["resources[0] (gpu).servers", "missing"]),
        ("zero servers", format!("[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 0\n{USE_GPU}"), vec!["(gpu).servers", "1 to 1000000"]),
        ("batching on a service", format!("[[resources]]\nid = \"gpu\"\nkind = \"service\"\nbatching = {{ max_batch = 4, iteration_base = 0.1, iteration_per_request = 0.01 }}\n{USE_GPU}"), vec!["(gpu).batching", "only allowed on kind = \"accelerator\""]),
        ("rate limit on an accelerator", format!("{GPU}rate_limit = {{ rate = 5 }}\n{USE_GPU}"), vec!["(gpu).rate_limit", "only allowed on kind = \"service\""]),
        ("zero rate limit", format!("[[resources]]\nid = \"gpu\"\nkind = \"service\"\nrate_limit = {{ rate = 0 }}\n{USE_GPU}"), vec!["rate_limit.rate", "> 0"]),
        ("batching without tokens", format!("{GPU}batching = {{ max_batch = 4, iteration_base = 0.1, iteration_per_request = 0.01 }}\n{USE_GPU}"), vec!["(a).tokens", "counts its work in tokens"]),
        ("link without bandwidth", "[[resources]]\nid = \"nv\"\nkind = \"link\"\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["(nv).bandwidth", "missing"]),
        ("pool field on a link", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\nservers = 3\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["(nv).servers", "not allowed on kind = \"link\""]),
        ("duplicate resource", format!("{GPU}{GPU}{USE_GPU}"), vec!["resources[1] (gpu).id", "unique"]),
        ("unknown resource kind", format!("[[resources]]\nid = \"gpu\"\nkind = \"tpu\"\n{USE_GPU}"), vec!["resources[0].kind", "accelerator"]),
        ("priority without a pool", "[[nodes]]\nid = \"a\"\nkind = \"llm\"\npriority = 3\n".into(), vec!["(a).priority", "needs `resource`"]),
        ("closed without concurrency", "[workload]\narrivals = \"closed\"\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload.concurrency", "missing"]),
        ("open without a rate", "[workload]\narrivals = \"open\"\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload", "exactly one of `rate`, `schedule` or `burst`"]),
        ("rate and schedule", "[workload]\narrivals = \"open\"\nrate = 1\nschedule = [[0, 1]]\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["exactly one of"]),
        ("negative rate", "[workload]\narrivals = \"open\"\nrate = -2\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload.rate", "> 0"]),
        ("schedule starting late", "[workload]\narrivals = \"open\"\nschedule = [[5, 1]]\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload.schedule[0][0]", "start at 0"]),
        ("schedule going back", "[workload]\narrivals = \"open\"\nschedule = [[0, 1], [10, 2], [5, 1]]\ntasks = 10\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload.schedule[2][0]", "increase"]),
        ("closed field on open", format!("{OPEN}concurrency = 4\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n"), vec!["workload.concurrency", "not used by arrivals = \"open\""]),
        ("tasks and duration", "[workload]\narrivals = \"open\"\nrate = 1\ntasks = 10\nduration_s = 50\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["workload", "not a mix"]),
        ("zero replications", format!("{OPEN}replications = 0\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n"), vec!["workload.replications", "1 to 10000"]),
        ("unknown workload field", format!("{OPEN}rat = 3\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n"), vec!["workload.rat", "did you mean `rate`"]),
    ]
}

#[test]
fn every_bad_resource_or_workload_is_explained_with_exit_code_2() {
    for (case, text, fragments) in cases() {
        assert_run_refuses(case, "load.toml", &text, &fragments);
    }
}

#[test]
fn trials_do_not_apply_to_a_loaded_run() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "load.toml",
        &format!("{OPEN}[[nodes]]\nid = \"a\"\nkind = \"llm\"\n"),
    );
    let output = bin()
        .arg("run")
        .arg(&file)
        .args(["--trials", "50"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--trials") && stderr.contains("workload.tasks"),
        "{stderr}"
    );
}
