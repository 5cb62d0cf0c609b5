//! Where a result comes from: the program version, a hash of the scenario
//! document as run, the `--set` changes and the closed-form reference; and
//! the default folder of a run with changes, so that it never replaces the
//! results of the scenario as written.

use sha2::{Digest, Sha256};

use crate::model::Model;
use crate::overrides::Override;
use crate::stats::summary::{Provenance, Reference};
use crate::sweep::theory;

/// The closed form of [`theory::success`], in words.
const REFERENCE_METHOD: &str = "closed form: the product over every node and hand-off of \
     P(step ends ok) = p (1 - l^(r+1)) / (1 - l) (docs/MODEL.md R1, R2); it holds for graphs \
     without gates, k-of-n or any merges, votes, timeouts, persistence or per-task rates";

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The changes as `PATH=VALUE` (the value as TOML), in the order given.
pub fn describe(changes: &[Override]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{}={}", c.path, c.value))
        .collect()
}

/// The changes that change what is simulated (all but `run.slo`, which
/// only adds figures): they decide the default output folder.
pub fn result_changes(changes: &[Override]) -> Vec<String> {
    let kept: Vec<Override> = changes
        .iter()
        .filter(|c| c.path.trim() != "run.slo")
        .cloned()
        .collect();
    describe(&kept)
}

/// The provenance of a summary of `model`, whose scenario document as run
/// is `document_toml` (canonical TOML), with `overrides` (as [`describe`]).
pub fn provenance(document_toml: &str, overrides: Vec<String>, model: &Model) -> Provenance {
    Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_sha256: sha256_hex(document_toml.as_bytes()),
        overrides,
        reference: theory::success(model).map(|success| Reference {
            success,
            method: REFERENCE_METHOD.into(),
        }),
    }
}

/// The default folder name of scenario `scenario` run with `changes` (as
/// [`result_changes`]): the scenario's name, and with changes
/// `<name>--set-<first 8 hex digits of their SHA-256>`, so that a run with
/// `--set` never replaces the results of the scenario as written, and the
/// same changes find their folder again.
pub fn folder_name(scenario: &str, changes: &[String]) -> String {
    if changes.is_empty() {
        return scenario.to_string();
    }
    let hash = sha256_hex(changes.join("\n").as_bytes());
    format!("{scenario}--set-{}", &hash[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn changes_get_a_folder_of_their_own() {
        assert_eq!(folder_name("a", &[]), "a");
        let one = folder_name("a", &["workload.rate=3".into()]);
        assert!(one.starts_with("a--set-") && one.len() == "a--set-".len() + 8);
        assert_ne!(one, folder_name("a", &["workload.rate=4".into()]));
    }
}
