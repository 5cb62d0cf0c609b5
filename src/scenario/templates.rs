//! Starter scenarios for `coordsim init`: commented files a new user copies
//! and adapts. The texts live in `assets/templates/`; each must validate and
//! run (tests/init.rs).

/// One starter scenario.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// The name given to `coordsim init`.
    pub name: &'static str,
    /// One line on what it models.
    pub summary: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// Every template; the first is the default.
pub const TEMPLATES: [Template; 3] = [
    Template {
        name: "chain",
        summary: "steps in series with retries, a timeout and a lossy hand-off",
        text: include_str!("../../assets/templates/chain.toml"),
    },
    Template {
        name: "rag",
        summary: "retrieval, generation and a verification gate that loops back",
        text: include_str!("../../assets/templates/rag.toml"),
    },
    Template {
        name: "pool",
        summary: "a loaded run: open arrivals queueing for a shared GPU pool",
        text: include_str!("../../assets/templates/pool.toml"),
    },
];

/// The template called `name`, or a message listing them (with the nearest
/// name when `name` looks like a typo of one).
pub fn find(name: &str) -> Result<&'static Template, String> {
    if let Some(t) = TEMPLATES.iter().find(|t| t.name == name) {
        return Ok(t);
    }
    let hint = super::problem::nearest(name, TEMPLATES.iter().map(|t| t.name))
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(format!(
        "TEMPLATE: no template named {name:?}{hint}; allowed: {}; e.g. `coordsim init rag`",
        TEMPLATES
            .iter()
            .map(|t| format!("{} ({})", t.name, t.summary))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
