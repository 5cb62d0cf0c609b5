//! Output folders belong to one scenario: a marker file names it, and a
//! folder holding another scenario's results (or files coordsim did not
//! write) is not written into unless the user says `--force`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::files::write_atomic;

/// The marker file in every output folder.
pub const MARKER: &str = ".coordsim.json";

/// What the marker says.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    /// The scenario whose results the folder holds.
    scenario: String,
}

/// Checks that `dir` may receive results of `scenario`: it does not exist,
/// is empty, or its marker names the same scenario; `force` skips the check.
/// Returns what is wrong, to be reported as bad input before anything runs.
pub fn check(dir: &Path, scenario: &str, force: bool) -> Result<(), String> {
    if force || !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(format!(
            "output folder {}: exists and is not a folder; choose another --out",
            dir.display()
        ));
    }
    let marker = dir.join(MARKER);
    match std::fs::read(&marker) {
        Ok(bytes) => match serde_json::from_slice::<Marker>(&bytes) {
            Ok(m) if m.scenario == scenario => Ok(()),
            Ok(m) => Err(format!(
                "output folder {}: holds the results of scenario \"{}\", not \"{scenario}\"; \
                 choose another --out, or pass --force to write over them",
                dir.display(),
                m.scenario
            )),
            Err(_) => Err(format!(
                "output folder {}: its {MARKER} is unreadable; choose another --out, or pass --force",
                dir.display()
            )),
        },
        Err(_) => {
            // Another coordsim process may be claiming the folder right now
            // (its marker still a temporary file): that does not count.
            let empty = std::fs::read_dir(dir).map_or(true, |d| {
                d.flatten()
                    .all(|e| is_temporary(&e.file_name().to_string_lossy()))
            });
            if empty {
                Ok(())
            } else {
                Err(format!(
                    "output folder {}: is not empty and was not written by coordsim (no {MARKER}); \
                     choose another --out, or pass --force to write into it",
                    dir.display()
                ))
            }
        }
    }
}

/// True for the temporary name of a file being written atomically
/// (see [`super::files::write_atomic`]).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Creates `dir` if needed and marks it as holding `scenario`'s results.
pub fn claim(dir: &Path, scenario: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let marker = Marker {
        scenario: scenario.to_string(),
    };
    let mut text = serde_json::to_string_pretty(&marker).expect("the marker serialises");
    text.push('\n');
    let path = dir.join(MARKER);
    if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    write_atomic(&path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_other_scenarios_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        assert!(check(&dir, "a", false).is_ok(), "a new folder");
        claim(&dir, "a").unwrap();
        assert!(check(&dir, "a", false).is_ok(), "the same scenario");
        let e = check(&dir, "b", false).unwrap_err();
        assert!(
            e.contains("scenario \"a\", not \"b\"") && e.contains("--force"),
            "{e}"
        );
        assert!(check(&dir, "b", true).is_ok());
        let foreign = tmp.path().join("foreign");
        std::fs::create_dir_all(&foreign).unwrap();
        assert!(check(&foreign, "a", false).is_ok(), "an empty folder");
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let e = check(&foreign, "a", false).unwrap_err();
        assert!(e.contains("not written by coordsim"), "{e}");
    }
}
