//! The expected form of every scenario field, in the words of the file
//! format (not of the Rust types that read it), with an example: what a
//! type error tells the user to write instead.
//!
//! The parser reports a field of the wrong type as "invalid type: integer
//! `2`, expected struct RetrySpec"; [`explain_type_error`] turns that into
//! "is the integer 2; expected a table of retry settings, e.g. `retry = {
//! max = 2, backoff = "exponential", delay = 0.5 }`", keyed by the field's
//! name (the last segment of its path).

/// What `field` (a field name, without its path) holds, and an example line.
pub fn form(field: &str) -> Option<(&'static str, &'static str)> {
    Some(match field {
        "name" => (
            "a string (letters, digits, -, _, .)",
            "name = \"my-pipeline\"",
        ),
        "description" => ("a string", "description = \"what this scenario shows\""),
        "run" => ("a table", "[run]\ntrials = 100000\nseed = 1"),
        "trials" => ("an integer, 1 to 10^10", "trials = 100000"),
        "seed" => ("an integer", "seed = 1"),
        "max_events" => ("an integer, 1 to 10^12", "max_events = 1000000"),
        "max_time_s" => ("a number of seconds > 0", "max_time_s = 3600"),
        "pass_k" => ("an integer, 1 to 1000", "pass_k = 8"),
        "defaults" => ("a table", "[defaults.edge]\nsilent = 0.01"),
        "edge" => ("a table of step fields", "[defaults.edge]\nsilent = 0.01"),
        "nodes" => (
            "an array of tables, one [[nodes]] entry per node",
            "[[nodes]]\nid = \"answer\"\nkind = \"llm\"",
        ),
        "edges" => (
            "an array of tables, one [[edges]] entry per hand-off",
            "[[edges]]\nfrom = \"retrieve\"\nto = \"answer\"\nsilent = 0.01",
        ),
        "resources" => (
            "an array of tables, one [[resources]] entry per pool or link",
            "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 4",
        ),
        "workload" => (
            "a table",
            "[workload]\narrivals = \"open\"\nrate = 2.0\ntasks = 20000",
        ),
        "sweep" => ("a table", "[sweep]\nvary = [\"depth = 1..12\"]"),
        "vary" => (
            "a list of \"PATH=VALUES\" strings",
            "vary = [\"depth = 1..12\", \"nodes.retrieve.silent = 0.01:0.2:0.01\"]",
        ),
        "id" => ("a string (letters, digits, -, _)", "id = \"retrieve\""),
        "kind" => (
            "one of \"llm\", \"agent\", \"tool\", \"retrieval\", \"gate\", \"aggregate\" \
             (resources: \"accelerator\", \"service\", \"link\")",
            "kind = \"llm\"",
        ),
        "after" => ("a list of node ids", "after = [\"retrieve\"]"),
        "merge" => (
            "\"all\", \"any\", { k = N } or { vote = K }",
            "merge = { vote = 2 }",
        ),
        "repeat" => ("an integer, 1 to 100000", "repeat = 6"),
        "silent" | "loud" | "sensitivity" | "false_alarm" => (
            "a probability, or a distribution over tasks",
            "silent = 0.03   # or silent = { beta = [2, 8] }",
        ),
        "persistence" => (
            "a probability in [0, 1] or \"task\"",
            "persistence = \"task\"",
        ),
        "latency" | "service" | "think" => (
            "a latency distribution table",
            "latency = { dist = \"lognormal\", median = 0.8, p99 = 4.0 }",
        ),
        "timeout" => ("a number of seconds > 0", "timeout = 30"),
        "retry" => (
            "a table of retry settings",
            "retry = { max = 2, backoff = \"exponential\", delay = 0.5 }",
        ),
        "max" => ("an integer, 0 to 1000 (retries)", "retry = { max = 2 }"),
        "backoff" => (
            "\"fixed\" or \"exponential\"",
            "retry = { max = 2, backoff = \"exponential\" }",
        ),
        "jitter" => (
            "\"none\", \"full\" or \"equal\"",
            "retry = { max = 2, jitter = \"full\" }",
        ),
        "cost" => (
            "a table of prices in USD",
            "cost = { per_call = 0.001, input_per_mtok = 3.0, output_per_mtok = 15.0 }",
        ),
        "tokens" => (
            "a table of token counts per attempt",
            "tokens = { input = 3000, output = 400 }",
        ),
        "input" | "output" => (
            "an integer count of tokens",
            "tokens = { input = 3000, output = 400 }",
        ),
        "resource" => ("the id of a [[resources]] pool", "resource = \"gpu\""),
        "priority" => ("an integer", "priority = 1"),
        "transfer" => (
            "a table naming a link and a payload in bytes",
            "transfer = { link = \"nvlink\", bytes = 2.0e8 }",
        ),
        "loop_to" => ("the id of an upstream node", "loop_to = \"retrieve\""),
        "max_loops" => ("an integer, 0 to 1000", "max_loops = 2"),
        "on_exhausted" => ("\"escalate\" or \"fail\"", "on_exhausted = \"escalate\""),
        "from" | "to" => ("a node id", "from = \"retrieve\""),
        "servers" => ("an integer, 1 to 10^6", "servers = 4"),
        "discipline" => ("\"fifo\" or \"priority\"", "discipline = \"fifo\""),
        "on_full" => ("\"wait\" or \"reject\"", "on_full = \"wait\""),
        "queue_capacity" => ("an integer", "queue_capacity = 100"),
        "batching" => (
            "a table",
            "batching = { max_batch = 16, iteration_base = 0.02, iteration_per_request = 0.002 }",
        ),
        "rate_limit" => ("a table", "rate_limit = { rate = 50, burst = 10 }"),
        "cancel_on_timeout" => ("true or false", "cancel_on_timeout = true"),
        "bandwidth" => ("a number of bytes/s > 0", "bandwidth = 1.0e10"),
        "power" => (
            "a table of watts per server",
            "power = { idle_w = 100, busy_w = 400 }",
        ),
        "idle_w" | "busy_w" => (
            "a number of watts, 0 to 10^9",
            "power = { idle_w = 100, busy_w = 400 }",
        ),
        "price_per_hour" => (
            "US dollars per server per hour, 0 to 10^6",
            "price_per_hour = 2.5",
        ),
        "joules_per_gb" => ("joules per 10^9 bytes, 0 to 10^12", "joules_per_gb = 5.0"),
        "arrivals" => ("\"open\" or \"closed\"", "arrivals = \"open\""),
        "rate" => ("a number (per second) > 0", "rate = 2.0"),
        "schedule" => (
            "a list of [start_s, rate] pairs",
            "schedule = [[0, 1.0], [60, 3.0]]",
        ),
        "burst" => (
            "a table (workload) or a number (rate limit)",
            "burst = { on_s = 10, off_s = 50, rate_on = 5, rate_off = 1 }",
        ),
        "concurrency" => ("an integer number of agents", "concurrency = 16"),
        "warmup_tasks" | "tasks" | "replications" | "max_in_flight" => {
            ("an integer", "tasks = 20000")
        }
        "common_causes" => (
            "an array of tables, one [[common_causes]] entry per shared cause",
            "[[common_causes]]\nid = \"outage\"\nmembers = [\"a\", \"b\"]\nprobability = 0.01",
        ),
        "members" => (
            "a list of node ids",
            "members = [\"retrieve\", \"generate\"]",
        ),
        "beta" => ("two numbers [a, b], both > 0", "silent = { beta = [2, 8] }"),
        "difficulty" => (
            "a string naming a shared difficulty",
            "silent = { beta = [2, 8], difficulty = \"task\" }",
        ),
        "outage" => (
            "a table of mean times up and down, seconds",
            "outage = { mtbf = 3600, mttr = 300 }",
        ),
        "degraded" => (
            "a table of mean times normal and degraded, and the effect",
            "degraded = { mtbf = 1800, mttr = 120, slowdown = 3.0, extra_loud = 0.1 }",
        ),
        "incidents" => (
            "a list of tables, one per scheduled incident",
            "incidents = [{ start = 600, end = 1800, mode = \"down\" }]",
        ),
        "while_down" => ("\"fail\" or \"wait\"", "while_down = \"fail\""),
        "breaker" => (
            "a table of breaker settings",
            "breaker = { failures = 5, window = 10, cooldown = 30, probes = 1 }",
        ),
        "mtbf" | "mttr" => (
            "a mean number of seconds > 0 (Exponential) or a distribution",
            "mttr = 300",
        ),
        "slowdown" => ("a number >= 1", "slowdown = 3.0"),
        "extra_loud" => ("a probability in [0, 1]", "extra_loud = 0.1"),
        "failures" | "probes" => ("an integer, 1 to 10^6", "failures = 5"),
        "cooldown" => ("a number of seconds > 0", "cooldown = 30"),
        _ => return None,
    })
}

/// Rewrites a serde type error ("invalid type: string \"x\", expected a
/// sequence") for the field named by the last segment of `path` into the
/// file format's words with an example; other messages are returned as they
/// are.
pub fn explain_type_error(path: &str, message: &str) -> String {
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
        && let Some((form, example)) = form(missing)
    {
        let example = example.replace('\n', "  ");
        return format!("{message}: {form}, e.g. `{example}`");
    }
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return message.to_string();
    };
    let (given, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    let field = last_field(path);
    let given_text = describe_given(given);
    // A single string where a list is wanted: the fix is one pair of brackets.
    if expected == "a sequence"
        && let Some(s) = quoted_string(given)
    {
        return format!(
            "invalid type: {given_text}; expected a list, e.g. `{field} = [\"{s}\"]` (in square brackets, even for one entry)"
        );
    }
    match form(field) {
        Some((form, example)) => format!(
            "invalid type: {given_text}; expected {form}, e.g. `{}`",
            example.replace('\n', "  ")
        ),
        None => format!(
            "invalid type: {given_text}; expected {}",
            plain_type(expected)
        ),
    }
}

/// serde's name of an expected Rust type in the file format's words.
fn plain_type(expected: &str) -> &str {
    match expected {
        "u64" | "u32" | "usize" => "a whole number >= 0",
        "i64" | "i32" => "an integer",
        "f64" | "f32" => "a number",
        "a boolean" | "bool" => "true or false",
        "a string" => "a string",
        "a sequence" => "a list [ ... ]",
        e if e.starts_with("struct ") || e.starts_with("a map") => "a table { ... }",
        e if e.starts_with("enum ") => "one of the names the README's \"Scenario format\" lists",
        e => e,
    }
}

/// The field name a path ends with: `nodes[1].retry` → `retry`.
fn last_field(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split(['[', ' ']).next().unwrap_or(last);
    if last.is_empty() { path } else { last }
}

/// serde's "integer `2`" / "string \"x\"" / "sequence" as plain words.
fn describe_given(given: &str) -> String {
    let given = given.trim();
    for (serde_word, plain) in [
        ("integer", "the integer"),
        ("floating point", "the number"),
        ("boolean", "the boolean"),
        ("string", "the string"),
    ] {
        if let Some(value) = given.strip_prefix(serde_word) {
            let value = value.trim().trim_matches('`');
            return format!("{plain} {value}");
        }
    }
    match given {
        "sequence" => "a list".to_string(),
        "map" => "a table".to_string(),
        other => other.to_string(),
    }
}

/// The text of a quoted string as serde shows it (`string "x"`), if it is one.
fn quoted_string(given: &str) -> Option<&str> {
    given
        .trim()
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_struct_type_error_gets_the_form_and_an_example() {
        let m = explain_type_error(
            "nodes[0].retry",
            "invalid type: integer `2`, expected struct RetrySpec",
        );
        assert!(!m.contains("RetrySpec"), "{m}");
        assert!(m.contains("the integer 2"), "{m}");
        assert!(m.contains("retry = { max = 2"), "{m}");
    }

    #[test]
    fn a_string_where_a_list_is_wanted_gets_brackets() {
        let m = explain_type_error(
            "nodes[1].after",
            "invalid type: string \"retrieve\", expected a sequence",
        );
        assert!(m.contains("after = [\"retrieve\"]"), "{m}");
    }
}
