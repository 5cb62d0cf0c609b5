//! Bad scenario files and arguments: each gets a clear message naming the
//! file, the field and what is allowed, exit code 2, no panic, no output.

mod common;

use common::*;

/// A minimal valid node to build broken scenarios around (lines 1 to 3).
const NODE_A: &str = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
/// A second node after `a` (lines 4 to 7 when it follows NODE_A).
const NODE_B: &str = "[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\n";
/// An accelerator pool (lines 1 to 4).
const GPU: &str = "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n";
/// A link (lines 1 to 4).
const LINK: &str = "[[resources]]\nid = \"net\"\nkind = \"link\"\nbandwidth = 1e9\n";

/// One bad scenario and what its message must say.
struct Case {
    name: &'static str,
    /// File name (its extension picks TOML or JSON).
    file: &'static str,
    text: String,
    /// `line:col` of the problem, or `None` where it cannot be known (JSON checks).
    at: Option<&'static str>,
    /// The field named right after the location (empty: the file as a whole).
    field: &'static str,
    /// Further fragments the message must contain (what is allowed, suggestions).
    says: Vec<&'static str>,
}

fn case(
    name: &'static str,
    file: &'static str,
    text: impl Into<String>,
    at: Option<&'static str>,
    field: &'static str,
    says: &[&'static str],
) -> Case {
    Case {
        name,
        file,
        text: text.into(),
        at,
        field,
        says: says.to_vec(),
    }
}

fn cases() -> Vec<Case> {
    let a = |rest: &str| format!("{NODE_A}{rest}");
    let ab = |rest: &str| format!("{NODE_A}{NODE_B}{rest}");
    let gate = |rest: &str| {
        format!("{NODE_A}[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\"]\n{rest}")
    };
    let pool = |rest: &str| format!("{GPU}{rest}{NODE_A}resource = \"gpu\"\n");
    let open = |rest: &str| format!("{NODE_A}[workload]\narrivals = \"open\"\n{rest}");
    vec![
        // Syntax and types (the parser's own positions).
        case(
            "malformed toml",
            "s.toml",
            "nodes = [",
            Some("1:10"),
            "",
            &["invalid TOML"],
        ),
        case(
            "malformed json",
            "s.json",
            "{\"nodes\": [",
            Some("1:11"),
            "nodes",
            &["invalid JSON"],
        ),
        case(
            "unclosed string",
            "s.toml",
            a("description = \"oops\n"),
            Some("4:20"),
            "",
            &["invalid TOML"],
        ),
        case(
            "duplicate key",
            "s.toml",
            a("silent = 0.1\nsilent = 0.2\n"),
            Some("5:1"),
            "",
            &["duplicate key"],
        ),
        case(
            "misspelled field",
            "s.toml",
            a("sielnt = 0.1\n"),
            Some("4:1"),
            "nodes[0].sielnt",
            &["did you mean `silent`"],
        ),
        case(
            "misspelled top-level table",
            "s.toml",
            a("[rnu]\ntrials = 5\n"),
            Some("4:2"),
            "",
            &["rnu", "did you mean `run`"],
        ),
        case(
            "misspelled run field",
            "s.toml",
            format!("[run]\ntrails = 5\n{NODE_A}"),
            Some("2:1"),
            "run.trails",
            &["did you mean `trials`"],
        ),
        case(
            "unknown kind",
            "s.toml",
            "[[nodes]]\nid = \"a\"\nkind = \"llmm\"\n",
            Some("3:8"),
            "nodes[0].kind",
            &["did you mean `llm`"],
        ),
        case(
            "missing kind",
            "s.toml",
            "[[nodes]]\nid = \"a\"\n",
            Some("1:1"),
            "nodes[0]",
            &["missing field `kind`"],
        ),
        case(
            "wrong type",
            "s.toml",
            a("silent = \"high\"\n"),
            Some("4:10"),
            "nodes[0].silent",
            &["expected a probability, or a distribution over tasks, e.g."],
        ),
        case(
            "negative integer",
            "s.toml",
            a("repeat = -3\n"),
            Some("4:10"),
            "nodes[0].repeat",
            &["u64"],
        ),
        case(
            "json wrong type",
            "s.json",
            "{\"nodes\": [{\"id\": \"a\", \"kind\": \"llm\", \"loud\": \"x\"}]}",
            Some("1:49"),
            "nodes[0].loud",
            &["expected a probability, or a distribution over tasks"],
        ),
        case(
            "json unknown field",
            "s.json",
            "{\"nodes\": [{\"id\": \"a\", \"kind\": \"llm\", \"sielnt\": 0.1}]}",
            Some("1:46"),
            "nodes[0].sielnt",
            &["did you mean `silent`"],
        ),
        case(
            "unknown distribution",
            "s.toml",
            a("latency = { dist = \"expo\", mean = 1 }\n"),
            Some("4:20"),
            "nodes[0].latency.dist",
            &["did you mean `exponential`"],
        ),
        case(
            "unknown merge",
            "s.toml",
            ab("merge = \"most\"\n"),
            Some("8:9"),
            "nodes[1].merge",
            &["`all` or `any`"],
        ),
        case(
            "unknown resource kind",
            "s.toml",
            format!("[[resources]]\nid = \"x\"\nkind = \"gpu\"\n{NODE_A}"),
            Some("3:8"),
            "resources[0].kind",
            &["accelerator"],
        ),
        // Probabilities.
        case(
            "probability above one",
            "s.toml",
            a("silent = 1.5\n"),
            Some("4:1"),
            "nodes[0] (a).silent",
            &["is 1.5", "[0, 1]"],
        ),
        case(
            "negative probability",
            "s.toml",
            a("loud = -0.1\n"),
            Some("4:1"),
            "nodes[0] (a).loud",
            &["[0, 1]"],
        ),
        // Rates that vary across tasks, persistence, pass^k.
        case(
            "beta shape not positive",
            "s.toml",
            a("silent = { beta = [0, 8] }\n"),
            Some("4:12"),
            "nodes[0] (a).silent.beta",
            &["a = 0", "a, b > 0", "beta = [2, 8]"],
        ),
        case(
            "beta mixed with mean",
            "s.toml",
            a("silent = { beta = [2, 8], mean = 0.2 }\n"),
            Some("4:1"),
            "nodes[0] (a).silent",
            &["either `beta = [a, b]`, or `mean` and `concentration`"],
        ),
        case(
            "mean of one",
            "s.toml",
            a("loud = { mean = 1.0, concentration = 5 }\n"),
            Some("4:10"),
            "nodes[0] (a).loud.mean",
            &["is 1", "strictly between 0 and 1"],
        ),
        case(
            "unknown distribution field",
            "s.toml",
            a("silent = { beta = [2, 8], shape = 3 }\n"),
            Some("4:27"),
            "nodes[0].silent.shape",
            &["unknown field `shape`", "beta", "concentration"],
        ),
        case(
            "loading out of range",
            "s.toml",
            a("silent = { beta = [2, 8], difficulty = \"hard\", loading = 1.5 }\n"),
            Some("4:48"),
            "nodes[0] (a).silent.loading",
            &["is 1.5", "[-1, 1]"],
        ),
        case(
            "loading without difficulty",
            "s.toml",
            a("silent = { beta = [2, 8], loading = 0.5 }\n"),
            Some("4:27"),
            "nodes[0] (a).silent.loading",
            &["needs `difficulty`"],
        ),
        case(
            "persistence above one",
            "s.toml",
            a("persistence = 1.2\n"),
            Some("4:1"),
            "nodes[0] (a).persistence",
            &["is 1.2", "[0, 1]"],
        ),
        case(
            "persistence word",
            "s.toml",
            a("persistence = \"always\"\n"),
            Some("4:15"),
            "nodes[0].persistence",
            &["unknown variant `always`", "task"],
        ),
        case(
            "pass_k zero",
            "s.toml",
            format!("[run]\npass_k = 0\n{NODE_A}"),
            Some("2:1"),
            "run.pass_k",
            &["is 0", "from 1 to 1000"],
        ),
        case(
            "nan probability",
            "s.toml",
            a("silent = nan\n"),
            Some("4:1"),
            "nodes[0] (a).silent",
            &["NaN"],
        ),
        case(
            "outcomes sum above one",
            "s.toml",
            a("silent = 0.6\nloud = 0.6\n"),
            Some("4:1"),
            "nodes[0] (a).silent + nodes[0] (a).loud",
            &["at most 1"],
        ),
        case(
            "inline node",
            "s.toml",
            "nodes = [{ id = \"a\", kind = \"llm\", silent = 3 }]\n",
            Some("1:36"),
            "nodes[0] (a).silent",
            &["[0, 1]"],
        ),
        case(
            "bad edge default",
            "s.toml",
            ab("[defaults.edge]\nloud = 2\n"),
            Some("9:1"),
            "defaults.edge.loud",
            &["[0, 1]"],
        ),
        case(
            "bad edge",
            "s.toml",
            ab("[[edges]]\nfrom = \"a\"\nto = \"b\"\nsilent = -1\n"),
            Some("11:1"),
            "edges[0] (a->b).silent",
            &["[0, 1]"],
        ),
        case(
            "gate sensitivity above one",
            "s.toml",
            gate("sensitivity = 1.2\n"),
            Some("8:1"),
            "nodes[1] (g).sensitivity",
            &["[0, 1]"],
        ),
        case(
            "gate false alarm negative",
            "s.toml",
            gate("sensitivity = 0.9\nfalse_alarm = -0.5\n"),
            Some("9:1"),
            "nodes[1] (g).false_alarm",
            &["[0, 1]"],
        ),
        // Numbers: latencies, timeouts, retries, costs.
        case(
            "negative mean latency",
            "s.toml",
            a("latency = { dist = \"exponential\", mean = -1 }\n"),
            Some("4:35"),
            "nodes[0] (a).latency.mean",
            &["> 0"],
        ),
        case(
            "zero mean latency",
            "s.toml",
            a("latency = { dist = \"exponential\", mean = 0 }\n"),
            Some("4:35"),
            "nodes[0] (a).latency.mean",
            &["> 0"],
        ),
        case(
            "infinite latency",
            "s.toml",
            a("latency = { dist = \"fixed\", value = inf }\n"),
            Some("4:29"),
            "nodes[0] (a).latency.value",
            &["finite"],
        ),
        case(
            "lognormal p99 below median",
            "s.toml",
            a("latency = { dist = \"lognormal\", median = 2, p99 = 1 }\n"),
            Some("4:45"),
            "nodes[0] (a).latency.p99",
            &["p99 > median"],
        ),
        case(
            "lognormal mixed parameters",
            "s.toml",
            a("latency = { dist = \"lognormal\", median = 2, sigma = 1 }\n"),
            Some("4:1"),
            "nodes[0] (a).latency",
            &["not a mix"],
        ),
        case(
            "gamma zero shape",
            "s.toml",
            a("latency = { dist = \"gamma\", shape = 0, scale = 1 }\n"),
            Some("4:29"),
            "nodes[0] (a).latency.shape",
            &["> 0"],
        ),
        case(
            "uniform upside down",
            "s.toml",
            a("latency = { dist = \"uniform\", low = 2, high = 1 }\n"),
            Some("4:40"),
            "nodes[0] (a).latency.high",
            &["high >= low"],
        ),
        case(
            "token latency without tokens",
            "s.toml",
            a("latency = { dist = \"tokens\", tokens_per_s = 50 }\n"),
            Some("4:1"),
            "nodes[0] (a).latency",
            &["tokens = {"],
        ),
        case(
            "zero token rate",
            "s.toml",
            a(
                "tokens = { input = 1, output = 1 }\nlatency = { dist = \"tokens\", tokens_per_s = 0 }\n",
            ),
            Some("5:30"),
            "nodes[0] (a).latency.tokens_per_s",
            &["> 0"],
        ),
        case(
            "absurd tokens",
            "s.toml",
            a("tokens = { input = 2000000000, output = 1 }\n"),
            Some("4:1"),
            "nodes[0] (a).tokens",
            &["at most 1e9"],
        ),
        case(
            "negative timeout",
            "s.toml",
            a("timeout = -2\n"),
            Some("4:1"),
            "nodes[0] (a).timeout",
            &["> 0"],
        ),
        case(
            "too many retries",
            "s.toml",
            a("retry = { max = 100000 }\n"),
            Some("4:11"),
            "nodes[0] (a).retry.max",
            &["0 to 1000"],
        ),
        case(
            "shrinking backoff",
            "s.toml",
            a("retry = { max = 2, factor = 0.5 }\n"),
            Some("4:20"),
            "nodes[0] (a).retry.factor",
            &[">= 1"],
        ),
        case(
            "negative retry delay",
            "s.toml",
            a("retry = { max = 2, delay = -1 }\n"),
            Some("4:20"),
            "nodes[0] (a).retry.delay",
            &[">= 0"],
        ),
        case(
            "negative cost",
            "s.toml",
            a("cost = { per_call = -1 }\n"),
            Some("4:10"),
            "nodes[0] (a).cost.per_call",
            &[">= 0"],
        ),
        case(
            "token price without tokens",
            "s.toml",
            a("cost = { input_per_mtok = 3 }\n"),
            Some("4:10"),
            "nodes[0] (a).cost.input_per_mtok",
            &["tokens"],
        ),
        // The graph.
        case("empty file", "s.toml", "", Some("1:1"), "nodes", &["empty"]),
        case(
            "empty graph",
            "s.toml",
            "nodes = []",
            Some("1:1"),
            "nodes",
            &["empty"],
        ),
        case(
            "dangling after",
            "s.toml",
            a("[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"c\"]\n"),
            Some("7:1"),
            "nodes[1] (b).after",
            &["no node \"c\""],
        ),
        case(
            "misspelled after",
            "s.toml",
            format!(
                "{NODE_A}[[nodes]]\nid = \"generate\"\nkind = \"llm\"\n[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"genrate\"]\n"
            ),
            Some("10:1"),
            "nodes[2] (c).after",
            &["did you mean \"generate\""],
        ),
        case(
            "self dependency",
            "s.toml",
            a("after = [\"a\"]\n"),
            Some("4:1"),
            "nodes[0] (a).after",
            &["itself"],
        ),
        case(
            "listed twice",
            "s.toml",
            ab("[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"b\", \"b\"]\n"),
            Some("11:1"),
            "nodes[2] (c).after",
            &["twice"],
        ),
        case(
            "duplicate id",
            "s.toml",
            format!("{NODE_A}{NODE_A}"),
            Some("5:1"),
            "nodes[1] (a).id",
            &["unique"],
        ),
        case(
            "bad id characters",
            "s.toml",
            "[[nodes]]\nid = \"a b\"\nkind = \"llm\"\n",
            Some("2:1"),
            "nodes[0] (a b).id",
            &["allowed"],
        ),
        case(
            "cycle",
            "s.toml",
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nafter = [\"b\"]\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\n",
            Some("4:1"),
            "nodes[0] (a).after",
            &["cycle through a, b", "loop_to"],
        ),
        case(
            "merge without inputs",
            "s.toml",
            a("merge = \"any\"\n"),
            Some("4:1"),
            "nodes[0] (a).merge",
            &["needs inputs"],
        ),
        case(
            "fan-in without a fan-out",
            "s.toml",
            ab("merge = \"any\"\n"),
            Some("8:1"),
            "nodes[1] (b).merge",
            &["parallel inputs", "after = [\"a\"]"],
        ),
        case(
            "k larger than inputs",
            "s.toml",
            format!(
                "{NODE_A}[[nodes]]\nid = \"b\"\nkind = \"llm\"\n[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"a\", \"b\"]\nmerge = {{ k = 3 }}\n"
            ),
            Some("11:11"),
            "nodes[2] (c).merge.k",
            &["1 to 2"],
        ),
        case(
            "gate field on a non-gate",
            "s.toml",
            a("sensitivity = 0.9\n"),
            Some("4:1"),
            "nodes[0] (a).sensitivity",
            &["only allowed on kind = \"gate\""],
        ),
        case(
            "gate without sensitivity",
            "s.toml",
            gate(""),
            Some("4:1"),
            "nodes[1] (g).sensitivity",
            &["missing"],
        ),
        case(
            "gate that corrupts",
            "s.toml",
            gate("sensitivity = 0.9\nsilent = 0.1\n"),
            Some("9:1"),
            "nodes[1] (g).silent",
            &["cannot corrupt"],
        ),
        case(
            "gate looping forward",
            "s.toml",
            gate(
                "sensitivity = 0.9\nloop_to = \"z\"\nmax_loops = 1\n[[nodes]]\nid = \"z\"\nkind = \"llm\"\nafter = [\"g\"]\n",
            ),
            Some("9:1"),
            "nodes[1] (g).loop_to",
            &["not upstream"],
        ),
        case(
            "unbounded gate loop",
            "s.toml",
            gate("sensitivity = 0.9\nloop_to = \"a\"\n"),
            Some("4:1"),
            "nodes[1] (g).max_loops",
            &["bounded"],
        ),
        case(
            "absurd gate loop budget",
            "s.toml",
            gate("sensitivity = 0.9\nloop_to = \"a\"\nmax_loops = 1000000\n"),
            Some("10:1"),
            "nodes[1] (g).max_loops",
            &["0 to 1000"],
        ),
        case(
            "gate loop to unknown node",
            "s.toml",
            gate("sensitivity = 0.9\nloop_to = \"aa\"\nmax_loops = 1\n"),
            Some("9:1"),
            "nodes[1] (g).loop_to",
            &["no node \"aa\""],
        ),
        case(
            "loops without a target",
            "s.toml",
            gate("sensitivity = 0.9\nmax_loops = 2\n"),
            Some("9:1"),
            "nodes[1] (g).max_loops",
            &["needs `loop_to`"],
        ),
        case(
            "gate without input",
            "s.toml",
            "[[nodes]]\nid = \"g\"\nkind = \"gate\"\nsensitivity = 0.5\n",
            Some("1:1"),
            "nodes[0] (g).after",
            &["needs an input"],
        ),
        case(
            "repeated gate",
            "s.toml",
            gate("sensitivity = 0.5\nrepeat = 2\n"),
            Some("9:1"),
            "nodes[1] (g).repeat",
            &["cannot be repeated"],
        ),
        case(
            "edge that is not a dependency",
            "s.toml",
            format!(
                "{NODE_A}[[nodes]]\nid = \"b\"\nkind = \"llm\"\n[[edges]]\nfrom = \"a\"\nto = \"b\"\n"
            ),
            Some("7:1"),
            "edges[0] (a->b)",
            &["does not list \"a\""],
        ),
        case(
            "edge to unknown node",
            "s.toml",
            a("[[edges]]\nfrom = \"a\"\nto = \"q\"\n"),
            Some("6:1"),
            "edges[0] (a->q).to",
            &["no node \"q\""],
        ),
        case(
            "edge configured twice",
            "s.toml",
            ab("[[edges]]\nfrom = \"a\"\nto = \"b\"\n[[edges]]\nfrom = \"a\"\nto = \"b\"\n"),
            Some("11:1"),
            "edges[1] (a->b)",
            &["configured twice"],
        ),
        // Sizes.
        case(
            "absurd repeat",
            "s.toml",
            a("repeat = 1000000000\n"),
            Some("4:1"),
            "nodes[0] (a).repeat",
            &["1 to 100000"],
        ),
        case(
            "too many nodes",
            "s.toml",
            format!(
                "{NODE_A}repeat = 60000\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nrepeat = 60000\n"
            ),
            Some("1:3"),
            "nodes",
            &["at most 100000"],
        ),
        case(
            "absurd trials in file",
            "s.toml",
            format!("[run]\ntrials = 1000000000000\n{NODE_A}"),
            Some("2:1"),
            "run.trials",
            &["1 to 10000000000"],
        ),
        case(
            "zero event limit",
            "s.toml",
            format!("[run]\nmax_events = 0\n{NODE_A}"),
            Some("2:1"),
            "run.max_events",
            &["1 to"],
        ),
        case(
            "negative time limit",
            "s.toml",
            format!("[run]\nmax_time_s = -1\n{NODE_A}"),
            Some("2:1"),
            "run.max_time_s",
            &["> 0"],
        ),
        case(
            "bad name",
            "s.toml",
            format!("name = \"../escape\"\n{NODE_A}"),
            Some("1:1"),
            "name",
            &["output folder"],
        ),
        // Resources.
        case(
            "zero servers",
            "s.toml",
            pool("").replace("servers = 2", "servers = 0"),
            Some("4:1"),
            "resources[0] (gpu).servers",
            &["1 to 1000000"],
        ),
        case(
            "accelerator without servers",
            "s.toml",
            pool("").replace("servers = 2\n", ""),
            Some("1:1"),
            "resources[0] (gpu).servers",
            &["missing"],
        ),
        case(
            "dangling resource",
            "s.toml",
            format!("{GPU}{NODE_A}resource = \"gpux\"\n"),
            Some("8:1"),
            "nodes[0] (a).resource",
            &["did you mean \"gpu\""],
        ),
        case(
            "duplicate resource",
            "s.toml",
            format!("{GPU}{GPU}{NODE_A}"),
            Some("6:1"),
            "resources[1] (gpu).id",
            &["unique"],
        ),
        case(
            "zero bandwidth",
            "s.toml",
            format!("{}{NODE_A}", LINK.replace("1e9", "0")),
            Some("4:1"),
            "resources[0] (net).bandwidth",
            &["> 0"],
        ),
        case(
            "link used as a pool",
            "s.toml",
            format!("{LINK}{NODE_A}resource = \"net\"\n"),
            Some("8:1"),
            "nodes[0] (a).resource",
            &["is a link", "transfer"],
        ),
        case(
            "negative transfer",
            "s.toml",
            format!("{LINK}{NODE_A}transfer = {{ link = \"net\", bytes = -5 }}\n"),
            Some("8:28"),
            "nodes[0] (a).transfer.bytes",
            &[">= 0"],
        ),
        case(
            "zero batch",
            "s.toml",
            pool(
                "batching = { max_batch = 0, iteration_base = 0.01, iteration_per_request = 0.001 }\n",
            ),
            Some("5:14"),
            "resources[0] (gpu).batching.max_batch",
            &["1 to 1000000"],
        ),
        case(
            "zero rate limit",
            "s.toml",
            format!(
                "[[resources]]\nid = \"api\"\nkind = \"service\"\nrate_limit = {{ rate = 0 }}\n{NODE_A}resource = \"api\"\n"
            ),
            Some("4:16"),
            "resources[0] (api).rate_limit.rate",
            &["> 0"],
        ),
        case(
            "priority without a pool",
            "s.toml",
            a("priority = 3\n"),
            Some("4:1"),
            "nodes[0] (a).priority",
            &["needs `resource`"],
        ),
        // Workloads.
        case(
            "zero arrival rate",
            "s.toml",
            open("rate = 0\ntasks = 10\n"),
            Some("6:1"),
            "workload.rate",
            &["> 0"],
        ),
        case(
            "negative scheduled rate",
            "s.toml",
            open("schedule = [[0, 1], [5, -2]]\ntasks = 10\n"),
            Some("6:25"),
            "workload.schedule[1][1]",
            &[">= 0"],
        ),
        case(
            "closed workload without agents",
            "s.toml",
            format!("{NODE_A}[workload]\narrivals = \"closed\"\ntasks = 10\n"),
            Some("4:2"),
            "workload.concurrency",
            &["missing"],
        ),
        case(
            "open workload with agents",
            "s.toml",
            open("rate = 1\nconcurrency = 4\ntasks = 10\n"),
            Some("7:1"),
            "workload.concurrency",
            &["not used by arrivals = \"open\""],
        ),
        case(
            "mixed run length",
            "s.toml",
            open("rate = 1\ntasks = 10\nduration_s = 5\n"),
            Some("4:2"),
            "workload",
            &["not a mix"],
        ),
        case(
            "absurd measured tasks",
            "s.toml",
            open("rate = 1\ntasks = 100000000000\n"),
            Some("7:1"),
            "workload.tasks",
            &["1 to 1000000000"],
        ),
        case(
            "absurd warm-up",
            "s.toml",
            open("rate = 1\nwarmup_tasks = 100000000000\ntasks = 10\n"),
            Some("7:1"),
            "workload.warmup_tasks",
            &["0 to 1000000000"],
        ),
        case(
            "absurd run length",
            "s.toml",
            open("rate = 1e6\nduration_s = 1e9\n"),
            Some("7:1"),
            "workload.duration_s",
            &["at most 1000000000"],
        ),
        case(
            "zero replications",
            "s.toml",
            open("rate = 1\ntasks = 10\nreplications = 0\n"),
            Some("8:1"),
            "workload.replications",
            &["1 to 10000"],
        ),
        // JSON files: checks name the field, without a position.
        case(
            "json probability above one",
            "s.json",
            "{\"nodes\": [{\"id\": \"a\", \"kind\": \"llm\", \"silent\": 2}]}",
            None,
            "nodes[0] (a).silent",
            &["[0, 1]"],
        ),
    ]
}

#[test]
fn every_bad_scenario_is_explained_with_exit_code_2() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let scratch = Scratch::new();
        let file = scratch.file(c.file, &c.text);
        for command in ["validate", "run"] {
            let out_dir = scratch.path().join("out");
            let mut cmd = bin();
            cmd.arg(command).arg(&file);
            if command == "run" {
                cmd.arg("--out").arg(&out_dir);
            }
            let output = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            let mut expect = vec![match (c.at, c.field) {
                (Some(at), "") => format!("{}:{at}: ", c.file),
                (Some(at), field) => format!("{}:{at}: {field}: ", c.file),
                (None, field) => format!("{}: {field}: ", c.file),
            }];
            expect.extend(c.says.iter().map(|s| s.to_string()));
            let missing: Vec<&String> = expect.iter().filter(|f| !stderr.contains(*f)).collect();
            if output.status.code() != Some(2)
                || stderr.contains("panicked")
                || !missing.is_empty()
                || out_dir.exists()
            {
                failures.push(format!(
                    "{} ({command}): exit {:?}, lacks {missing:?}, wrote outputs: {}\n{stderr}",
                    c.name,
                    output.status.code(),
                    out_dir.exists()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn several_problems_are_reported_together() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "many.toml",
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 2\nloud = -1\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"nope\"]\n",
    );
    let output = bin().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("3 problems found"), "{stderr}");
    for fragment in ["(a).silent", "(a).loud", "(b).after"] {
        assert!(stderr.contains(fragment), "{stderr}");
    }
}

#[test]
fn bad_arguments_exit_with_2() {
    let scratch = Scratch::new();
    let file = scratch.file("ok.toml", NODE_A);
    for args in [
        vec!["run", file.to_str().unwrap(), "--trials", "0"],
        vec!["run", file.to_str().unwrap(), "--trials", "-5"],
        vec!["run", file.to_str().unwrap(), "--threads", "0"],
        vec!["run", file.to_str().unwrap(), "--format", "xml"],
        vec!["run", "/no/such/file.toml"],
        vec!["frobnicate"],
    ] {
        let output = bin()
            .args(&args)
            .arg("--out")
            .arg(scratch.path().join("o"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_valid_scenario_validates() {
    for scenario in std::fs::read_dir("scenarios").unwrap() {
        let path = scenario.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let output = bin().arg("validate").arg(&path).output().unwrap();
            assert_success(&output);
        }
    }
}
