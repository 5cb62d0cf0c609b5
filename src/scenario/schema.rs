//! The JSON Schema of the scenario format, generated from the types that
//! read it ([`super::file`]), so that it cannot drift from the code: for
//! editor completion and checking of TOML (Taplo, Even Better TOML) and JSON
//! files. `coordsim schema` prints it; docs/scenario.schema.json is this text,
//! checked by tests/first_hour.rs.
//!
//! The schema describes shapes and field names; the semantic checks
//! (ranges that depend on other fields, references between nodes, the
//! graph) are `coordsim validate`'s.

use super::file::ScenarioFile;

/// The schema as pretty-printed JSON, ending in a newline.
pub fn scenario_schema() -> String {
    let mut schema = schemars::schema_for!(ScenarioFile);
    schema.insert("title".into(), "coordsim scenario".into());
    schema.insert(
        "description".into(),
        "A coordsim scenario file (TOML, or JSON with the same structure): a task graph of LLM/agent calls, tools, retrieval, gates and hand-offs, optionally with shared resources and a workload. See the README's \"Scenario format\".".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
