//! Output folders belong to one scenario, and to one writer at a time.
//!
//! A marker file (`.coordsim.json`) names the folder's scenario: a folder
//! holding another scenario's results, or files coordsim did not write, is
//! not written into unless the user says `--force`. Every command that writes
//! results claims its folder with a [`Claim`] *before* its work starts: the
//! claim takes the folder's lock ([`super::lock`]), checks the marker under
//! it, and holds both until the command ends, so two commands never write
//! into one folder at once (a second one is refused at once, exit code 2).
//! Files are then written through the claim, each result set together
//! ([`super::files::write_together`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{SetWritten, is_temporary, remove_stale_temporaries, write_atomic};
use super::lock::{FolderLock, LOCK_FILE, LockError};
use super::name::check_scenario_name;

/// The marker file in every output folder.
pub const MARKER: &str = ".coordsim.json";

/// The folder, inside an output folder, of kept sweep points (see [`super::kept`]).
pub const KEPT_FOLDER: &str = ".sweep";

/// What the marker says.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    /// The scenario whose results the folder holds.
    scenario: String,
}

/// `outputs/<scenario>`: the default output folder of a scenario, built only
/// from a valid scenario name (never from a path).
pub fn default_dir(scenario: &str) -> Result<PathBuf, String> {
    check_scenario_name(scenario)?;
    Ok(Path::new("outputs").join(scenario))
}

/// Checks, without changing anything, that `dir` may receive results of
/// `scenario`: it does not exist, is empty, or its marker names the same
/// scenario; `force` skips the marker check. Returns what is wrong, to be
/// reported as bad input before anything runs. [`Claim`] checks again,
/// under the lock.
pub fn check(dir: &Path, scenario: &str, force: bool) -> Result<(), String> {
    check_path(dir)?;
    if force || !dir.exists() {
        return Ok(());
    }
    check_marker(dir, scenario)
}

/// Refuses a `dir` that is a dangling symbolic link or not a folder.
fn check_path(dir: &Path) -> Result<(), String> {
    let Ok(meta) = dir.symlink_metadata() else {
        return Ok(());
    };
    if meta.file_type().is_symlink() && !dir.exists() {
        let target = std::fs::read_link(dir).map_or("?".into(), |t| t.display().to_string());
        return Err(format!(
            "output folder {}: is a symbolic link to {target}, which does not exist; \
             create the folder it points to, or choose another --out",
            dir.display()
        ));
    }
    if !dir.is_dir() {
        return Err(format!(
            "output folder {}: exists and is not a folder; choose another --out",
            dir.display()
        ));
    }
    Ok(())
}

/// The marker check proper, on an existing folder.
fn check_marker(dir: &Path, scenario: &str) -> Result<(), String> {
    // Listed before the marker is read: a writer creates the marker before
    // any other file, so files seen here imply a marker read below (shards
    // of one run claim a folder at the same time).
    let empty = is_empty(dir);
    match std::fs::read(dir.join(MARKER)) {
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
        Err(_) if empty => Ok(()),
        Err(_) => Err(format!(
            "output folder {}: is not empty and was not written by coordsim (no {MARKER}); \
             choose another --out, or pass --force to write into it",
            dir.display()
        )),
    }
}

/// True when `dir` holds nothing but a lock file and temporaries.
fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |d| {
        d.flatten().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == LOCK_FILE || is_temporary(&name)
        })
    })
}

/// True when `dir` holds nothing but its marker, a lock file and temporaries.
fn holds_only_its_marker(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|d| {
        d.flatten().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == MARKER || name == LOCK_FILE || is_temporary(&name)
        })
    })
}

/// Why a folder could not be claimed.
#[derive(Debug)]
pub enum ClaimError {
    /// Bad input: the folder belongs to another scenario, is in use, or is
    /// not a folder (exit code 2).
    Refused(String),
    /// The folder could not be created or locked (exit code 1).
    Io(String),
}

/// How a command writes into its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The only writer: results of one scenario.
    Results,
    /// One of several shards of one run, each writing its own partial file.
    Shard,
    /// Charts drawn from saved results: the only writer, no marker.
    Charts,
}

/// A claimed output folder: locked until dropped, and written through.
///
/// Dropped without anything written, a claim leaves the folder as it found
/// it (a folder it created is removed again).
#[derive(Debug)]
pub struct Claim {
    dir: PathBuf,
    scenario: String,
    mode: Mode,
    force: bool,
    created: bool,
    marked: bool,
    wrote: bool,
    lock: Option<FolderLock>,
}

impl Claim {
    /// Claims `dir` for the results of `scenario` (`what` says what this
    /// command does, for the message another writer gets).
    pub fn results(
        dir: &Path,
        scenario: &str,
        force: bool,
        what: &str,
    ) -> Result<Claim, ClaimError> {
        Claim::acquire(dir, scenario, force, Mode::Results, what)
    }

    /// Claims `dir` for one shard of a run of `scenario`: other shards of the
    /// same scenario may write their partial files at the same time.
    pub fn shard(dir: &Path, scenario: &str, force: bool, what: &str) -> Result<Claim, ClaimError> {
        Claim::acquire(dir, scenario, force, Mode::Shard, what)
    }

    /// Claims `dir` for charts drawn from saved results (no scenario check).
    pub fn charts(dir: &Path) -> Result<Claim, ClaimError> {
        Claim::acquire(dir, "", true, Mode::Charts, "chart")
    }

    fn acquire(
        dir: &Path,
        scenario: &str,
        force: bool,
        mode: Mode,
        what: &str,
    ) -> Result<Claim, ClaimError> {
        check_path(dir).map_err(ClaimError::Refused)?;
        let io = |e: std::io::Error| {
            ClaimError::Io(format!(
                "cannot create output folder {}: {e}",
                dir.display()
            ))
        };
        let created = !dir.exists();
        // A folder created by another claim that gave up may vanish in between.
        let mut lock = None;
        for _ in 0..8 {
            std::fs::create_dir_all(dir).map_err(io)?;
            match FolderLock::acquire(dir, mode != Mode::Shard, what) {
                Ok(l) => {
                    lock = Some(l);
                    break;
                }
                Err(LockError::Busy(who)) => {
                    return Err(ClaimError::Refused(format!(
                        "output folder {}: in use by {who}; wait until it is done, or choose \
                         another --out",
                        dir.display()
                    )));
                }
                Err(LockError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(LockError::Io(e)) => {
                    return Err(ClaimError::Io(format!(
                        "cannot lock output folder {}: {e}",
                        dir.display()
                    )));
                }
            }
        }
        let Some(lock) = lock else {
            return Err(ClaimError::Io(format!(
                "cannot lock output folder {}: it keeps disappearing",
                dir.display()
            )));
        };
        let mut claim = Claim {
            dir: dir.to_path_buf(),
            scenario: scenario.to_string(),
            mode,
            force,
            created,
            marked: false,
            wrote: false,
            lock: Some(lock),
        };
        if mode != Mode::Charts && !force {
            check_marker(dir, scenario).map_err(ClaimError::Refused)?;
        }
        match mode {
            // Under the exclusive lock of a coordsim folder, temporaries are
            // what a killed process left. (A chart folder may be anyone's.)
            Mode::Charts => {}
            Mode::Results => {
                remove_stale_temporaries(dir);
                remove_stale_temporaries(&dir.join(KEPT_FOLDER));
                if let Ok(keys) = std::fs::read_dir(dir.join(KEPT_FOLDER)) {
                    for key in keys.flatten() {
                        remove_stale_temporaries(&key.path());
                    }
                }
            }
            // Claimed at once, so that a shard of another scenario is refused
            // before it runs.
            Mode::Shard => claim.mark().map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => ClaimError::Refused(e.to_string()),
                _ => ClaimError::Io(format!("cannot write to {}: {e}", dir.display())),
            })?,
        }
        Ok(claim)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Why the folder is not locked, if the file system has no locks.
    pub fn warning(&self) -> Option<&str> {
        self.lock.as_ref().and_then(|l| l.unsupported.as_deref())
    }

    /// Writes the marker naming the scenario (once).
    pub fn mark(&mut self) -> std::io::Result<()> {
        if self.marked || self.mode == Mode::Charts {
            return Ok(());
        }
        let marker = Marker {
            scenario: self.scenario.clone(),
        };
        let mut text = serde_json::to_string_pretty(&marker).expect("the marker serialises");
        text.push('\n');
        let path = self.dir.join(MARKER);
        match self.mode {
            Mode::Shard if !self.force => create_marker(&path, &text, &self.scenario)?,
            _ => {
                if !std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
                    write_atomic(&path, text.as_bytes())?;
                }
            }
        }
        self.marked = true;
        Ok(())
    }

    /// Writes a result set (see [`write_together`](super::files::write_together)):
    /// `files` by name, replacing the files named in `stale` that the set lacks.
    pub fn write_set(
        &mut self,
        files: &[(String, Vec<u8>)],
        stale: &[String],
    ) -> std::io::Result<SetWritten> {
        self.mark()?;
        self.wrote = true;
        super::files::write_together(&self.dir, files, stale)
    }

    /// Writes one file at `relative` (inside the folder; its folders are created).
    pub fn write_file(&mut self, relative: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
        self.mark()?;
        self.wrote = true;
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_atomic(&path, bytes)?;
        Ok(path)
    }

    /// Says that what was written through this claim has been removed again
    /// (a sweep that cannot finish discards its kept points): a folder the
    /// claim created is then removed when the claim is dropped.
    pub fn abandon(&mut self) {
        self.wrote = false;
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let Some(mut lock) = self.lock.take() else {
            return;
        };
        if !self.created || self.wrote {
            return;
        }
        // Nothing was written into a folder this claim created: give it back,
        // unless other shards are at work in it.
        if self.mode == Mode::Shard && !lock.try_make_exclusive() {
            return;
        }
        // Only the marker of an otherwise empty folder: another claim that
        // found no folder either may have written into it since.
        if self.marked && holds_only_its_marker(&self.dir) {
            let _ = std::fs::remove_file(self.dir.join(MARKER));
        }
        // The lock file goes with the lock, then the folder if it is empty.
        drop(lock);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Creates the marker if absent (atomically, through a hard link, since other
/// shards may do the same at the same moment); else checks that it names `scenario`.
fn create_marker(path: &Path, text: &str, scenario: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{MARKER}.tmp-{}-link", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let dir = path.parent().unwrap_or(Path::new("."));
            check_marker(dir, scenario)
                .map_err(|m| std::io::Error::new(std::io::ErrorKind::AlreadyExists, m))
        }
        // No hard links on this file system: write it in place.
        Err(_) => write_atomic(path, text.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_other_scenarios_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        assert!(check(&dir, "a", false).is_ok(), "a new folder");
        let mut claim = Claim::results(&dir, "a", false, "run").unwrap();
        claim
            .write_set(&[("x.csv".into(), b"1".to_vec())], &[])
            .unwrap();
        drop(claim);
        assert!(check(&dir, "a", false).is_ok(), "the same scenario");
        let e = check(&dir, "b", false).unwrap_err();
        assert!(
            e.contains("scenario \"a\", not \"b\"") && e.contains("--force"),
            "{e}"
        );
        assert!(matches!(
            Claim::results(&dir, "b", false, "run"),
            Err(ClaimError::Refused(_))
        ));
        assert!(check(&dir, "b", true).is_ok());
        let foreign = tmp.path().join("foreign");
        std::fs::create_dir_all(&foreign).unwrap();
        assert!(check(&foreign, "a", false).is_ok(), "an empty folder");
        std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let e = check(&foreign, "a", false).unwrap_err();
        assert!(e.contains("not written by coordsim"), "{e}");
    }

    #[test]
    fn a_claim_that_writes_nothing_leaves_no_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let claim = Claim::results(&dir, "a", false, "run").unwrap();
        assert!(dir.join(LOCK_FILE).exists());
        drop(claim);
        assert!(!dir.exists());
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let first = Claim::results(&dir, "a", false, "sweep of scenario \"a\"").unwrap();
        match Claim::results(&dir, "a", false, "run") {
            Err(ClaimError::Refused(e)) => {
                assert!(e.contains("in use by") && e.contains("sweep"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Claim::shard(&dir, "a", false, "shard"),
            Err(ClaimError::Refused(_))
        ));
        drop(first);
        let s1 = Claim::shard(&dir, "a", false, "shard").unwrap();
        let s2 = Claim::shard(&dir, "a", false, "shard").unwrap();
        assert!(matches!(
            Claim::shard(&dir, "b", false, "shard"),
            Err(ClaimError::Refused(_))
        ));
        drop((s1, s2));
    }

    #[test]
    fn a_dangling_symbolic_link_is_refused_before_anything_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let link = tmp.path().join("out");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), &link).unwrap();
        let e = check(&link, "a", false).unwrap_err();
        assert!(
            e.contains("symbolic link") && e.contains("does not exist"),
            "{e}"
        );
    }

    #[test]
    fn default_folders_come_only_from_valid_names() {
        assert_eq!(default_dir("a-1").unwrap(), Path::new("outputs/a-1"));
        for bad in ["../../x", "/etc", "", ".hidden", "a/b", "a\\b"] {
            assert!(default_dir(bad).is_err(), "{bad}");
        }
    }
}
