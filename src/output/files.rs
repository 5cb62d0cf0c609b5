//! Writing files so that a reader never sees a half-written one, and a set
//! of files so that a folder never holds a mix of an old and a new set.
//!
//! Every file is first written to a temporary file in the same folder,
//! created exclusively (`create_new`: an existing file, or a symbolic link
//! planted at the name, is never opened), then renamed over the final name
//! (which replaces a link instead of following it). Temporary names are
//! `.<name>.tmp-<pid>-<n>`; [`remove_stale_temporaries`] removes those left by
//! a killed process.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers the temporary files of this process.
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// A temporary file: removed when dropped unless it was renamed into place.
struct Temporary {
    path: PathBuf,
    kept: bool,
}

impl Temporary {
    /// Creates a fresh temporary file for `name` in `dir` and writes `bytes` to it.
    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<Temporary> {
        let (mut file, path) = create_exclusive(dir, name)?;
        let tmp = Temporary { path, kept: false };
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(tmp)
    }

    /// Renames the temporary file to `to`.
    fn rename(mut self, to: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, to)?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Creates `.<name>.tmp-<pid>-<n>` in `dir` with `create_new`, trying the next
/// `n` when the name is taken.
fn create_exclusive(dir: &Path, name: &str) -> std::io::Result<(File, PathBuf)> {
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..64 {
        let n = NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.tmp-{pid}-{n}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("the loop ran"))
}

/// The folder and file name of `path`.
fn split(path: &Path) -> (&Path, &str) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    (dir, name)
}

/// Writes `bytes` to `path` through an exclusive temporary file in the same
/// folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, name) = split(path);
    Temporary::write(dir, name, bytes)?.rename(path)
}

/// Writes `bytes` to a new file `path`, never replacing one: an existing
/// file (or link) at `path` is an `AlreadyExists` error and is left alone.
/// The file appears whole or not at all: it is written to an exclusive
/// temporary file and linked into place (where the file system has no hard
/// links, created with `create_new` and removed again if writing fails).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (dir, name) = split(path);
    let tmp = Temporary::write(dir, name, bytes)?;
    match std::fs::hard_link(&tmp.path, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            drop(tmp);
            let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(path);
                })
        }
    }
}

/// What [`write_together`] did.
#[derive(Debug, Default)]
pub struct SetWritten {
    /// The files written, in the order given.
    pub paths: Vec<PathBuf>,
    /// Files of an earlier set removed because the new set has no such file.
    pub removed_stale: Vec<String>,
}

/// Writes every `(name, bytes)` of a result set into `dir`, and removes the
/// files named in `stale` that the set does not contain (an earlier set's).
///
/// All files are written to temporaries first: if one fails (a full disk),
/// nothing in `dir` has changed. Then the stale files are removed and the
/// temporaries renamed into place. Should a rename fail, the set's files are
/// removed too, so that `dir` never holds old and new files side by side.
pub fn write_together(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    stale: &[String],
) -> std::io::Result<SetWritten> {
    let mut temporaries = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        // A name may hold a sub-folder (`traces/point-1-…/traces.otlp.jsonl`),
        // made by the program from safe parts; the temporary is written beside
        // its final place.
        let (sub, file) = match name.rsplit_once('/') {
            Some((sub, file)) if sub.split('/').all(is_plain_part) => {
                let sub = dir.join(sub);
                std::fs::create_dir_all(&sub)?;
                (sub, file)
            }
            Some(_) => {
                return Err(std::io::Error::new(
                    ErrorKind::InvalidInput,
                    format!("{name} is not a name inside the output folder"),
                ));
            }
            None => (dir.to_path_buf(), name.as_str()),
        };
        temporaries.push(Temporary::write(&sub, file, bytes)?);
    }
    let mut removed_stale = Vec::new();
    for name in stale {
        if files.iter().any(|(n, _)| n == name) {
            continue;
        }
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => removed_stale.push(name.clone()),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot remove the stale {name} of an earlier run: {e}"),
                ));
            }
        }
    }
    let mut paths = Vec::with_capacity(files.len());
    for ((name, _), tmp) in files.iter().zip(temporaries) {
        let path = dir.join(name);
        if let Err(e) = tmp.rename(&path) {
            for (name, _) in files {
                let _ = std::fs::remove_file(dir.join(name));
            }
            return Err(std::io::Error::new(
                e.kind(),
                format!(
                    "{e}; the files of this result set were removed so that no mix of \
                     old and new results is left"
                ),
            ));
        }
        paths.push(path);
    }
    Ok(SetWritten {
        paths,
        removed_stale,
    })
}

/// True for the name of a temporary file of an atomic write:
/// `.<name>.tmp-<pid>-<n>` (or `.<name>.tmp-<pid>`, as older versions wrote them).
pub fn is_temporary(name: &str) -> bool {
    let Some((stem, tail)) = name.rsplit_once(".tmp-") else {
        return false;
    };
    let numbers = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let tail_ok = match tail.split_once('-') {
        Some((pid, n)) => numbers(pid) && (numbers(n) || n == "link"),
        None => numbers(tail),
    };
    stem.starts_with('.') && stem.len() > 1 && tail_ok
}

/// Removes the temporary files in `dir` (not recursively); returns how many.
///
/// Only to be called by the holder of the folder's exclusive lock (see
/// [`super::lock`]): no other writer can be using them, so they are what a
/// killed process left behind.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| is_temporary(&e.file_name().to_string_lossy()))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// A folder name part the program may write under: not empty, not hidden,
/// of `A-Z a-z 0-9 - _ .` only (so never `..`).
fn is_plain_part(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with('.')
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symbolic_link_at_a_temporary_name_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("target.txt");
        std::fs::write(&target, "keep").unwrap();
        // Plant links at the next temporary names this process would use.
        let pid = std::process::id();
        let next = NEXT_TEMPORARY.load(Ordering::Relaxed);
        for n in next..next + 8 {
            let link = tmp.path().join(format!(".out.json.tmp-{pid}-{n}"));
            std::os::unix::fs::symlink(&target, link).unwrap();
        }
        write_atomic(&tmp.path().join("out.json"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let out = tmp.path().join("out.json");
        assert!(!out.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(out).unwrap(), "new");
    }

    #[test]
    fn a_set_replaces_the_old_one_and_removes_its_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for name in ["a.csv", "b.png", "notes.txt"] {
            std::fs::write(d.join(name), "old").unwrap();
        }
        let files = vec![("a.csv".to_string(), b"new".to_vec())];
        let stale = vec!["a.csv".to_string(), "b.png".to_string()];
        let done = write_together(d, &files, &stale).unwrap();
        assert_eq!(done.removed_stale, vec!["b.png".to_string()]);
        assert_eq!(std::fs::read_to_string(d.join("a.csv")).unwrap(), "new");
        assert!(!d.join("b.png").exists());
        assert!(d.join("notes.txt").exists());
        assert_eq!(remove_stale_temporaries(d), 0);
    }

    #[test]
    fn a_set_that_cannot_be_written_leaves_the_old_one_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        for name in ["a.csv", "b.png"] {
            std::fs::write(d.join(name), "old").unwrap();
        }
        // The second file cannot be written (as on a full disk): its folder
        // would be where a file is.
        let files = vec![
            ("a.csv".to_string(), b"new".to_vec()),
            ("b.png/b.csv".to_string(), b"new".to_vec()),
        ];
        let stale = vec!["b.png".to_string()];
        assert!(write_together(d, &files, &stale).is_err());
        assert_eq!(std::fs::read_to_string(d.join("a.csv")).unwrap(), "old");
        assert_eq!(std::fs::read_to_string(d.join("b.png")).unwrap(), "old");
        let mut left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.csv", "b.png"], "no temporary left");
    }

    #[test]
    fn temporary_names_are_recognised_strictly() {
        for name in [
            ".summary.json.tmp-123",
            ".summary.json.tmp-123-0",
            ".coordsim.json.tmp-9-link",
        ] {
            assert!(is_temporary(name), "{name}");
        }
        for name in [
            ".notes.tmp-backup",
            "summary.json.tmp-1",
            ".tmp-1",
            ".a.tmp-1-x",
        ] {
            assert!(!is_temporary(name), "{name}");
        }
    }
}
