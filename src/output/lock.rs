//! The lock of an output folder: one writer at a time (or several shards of
//! one run), held from before the work starts until the command ends.
//!
//! The lock is an advisory file lock (`flock`) on `<folder>/.coordsim.lock`.
//! The operating system releases it when the process ends, however it ends
//! (error, Ctrl-C, `kill -9`), so a lock left by a dead process never blocks
//! anyone: the file stays, naming the dead PID, and the next writer takes it
//! over. An exclusive holder writes its PID and what it does into the file,
//! so that a refused writer can be told who holds the folder; it removes the
//! file when it is done.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The lock file in every output folder being written.
pub const LOCK_FILE: &str = ".coordsim.lock";

/// How long a shard waits for a departing shard that holds the lock alone
/// while it removes the lock file (microseconds, unless the host stalls).
const DEPARTURE_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// What the lock file says about its (exclusive) holder.
#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    /// The holder's process id.
    pid: u32,
    /// What it is doing, e.g. `sweep of scenario "a"`.
    what: String,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds it; says who, when known.
    Busy(String),
    /// The lock file could not be created or opened.
    Io(std::io::Error),
}

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: Option<File>,
    path: PathBuf,
    exclusive: bool,
    /// Set when the file system does not support locks: the folder is then
    /// written without one, and the caller should say so.
    pub unsupported: Option<String>,
}

impl FolderLock {
    /// Takes the lock of `dir` (which must exist): exclusive, or shared with
    /// other shared holders. A lock held by a writer is [`LockError::Busy`]
    /// at once; a shared taker waits out (for at most [`DEPARTURE_WAIT`]) the
    /// moment a departing shard holds it alone to remove its file.
    /// `what` says what the holder does, for the message a refused writer gets.
    pub fn acquire(dir: &Path, exclusive: bool, what: &str) -> Result<FolderLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let started = std::time::Instant::now();
        // The file may be unlinked by its previous holder between our open and
        // our lock: then the lock is on a file nobody else sees, so try again.
        let mut unlinked = 0;
        while unlinked < 16 {
            let file = open_lock_file(&path).map_err(LockError::Io)?;
            let attempt = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match attempt {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    // A shard that leaves last turns its shared lock into an
                    // exclusive one to remove the file (it names no holder):
                    // another shard of the run starting then must not be refused.
                    if !exclusive && holder(&path).is_none() && started.elapsed() < DEPARTURE_WAIT {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        continue;
                    }
                    return Err(LockError::Busy(describe(&path)));
                }
                Err(TryLockError::Error(e)) => {
                    return Ok(FolderLock {
                        file: Some(file),
                        path,
                        exclusive: false,
                        unsupported: Some(format!(
                            "cannot lock {} ({e}): other writers to this folder are not detected",
                            dir.display()
                        )),
                    });
                }
            }
            if !same_file(&file, &path) {
                unlinked += 1;
                continue;
            }
            let mut lock = FolderLock {
                file: Some(file),
                path,
                exclusive,
                unsupported: None,
            };
            if exclusive {
                lock.write_holder(what).map_err(LockError::Io)?;
            }
            return Ok(lock);
        }
        Err(LockError::Busy(describe(&path)))
    }

    /// Turns a shared lock into an exclusive one if no one else holds it.
    pub fn try_make_exclusive(&mut self) -> bool {
        if self.exclusive {
            return true;
        }
        let Some(file) = &self.file else {
            return false;
        };
        self.exclusive = self.unsupported.is_none() && file.try_lock().is_ok();
        self.exclusive
    }

    /// Records this process as the holder, for refused writers' messages.
    fn write_holder(&mut self, what: &str) -> std::io::Result<()> {
        let holder = Holder {
            pid: std::process::id(),
            what: what.to_string(),
        };
        let text = serde_json::to_string(&holder).expect("the holder serialises");
        let file = self.file.as_mut().expect("held until dropped");
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        if self.unsupported.is_some() {
            return;
        }
        // A shared holder removes the file only when it is the last holder.
        if self.exclusive || file.try_lock().is_ok() {
            let _ = std::fs::remove_file(&self.path);
        }
        drop(file);
    }
}

/// Opens the lock file, creating it if needed; refuses a symbolic link.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => return Ok(file),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    if path.symlink_metadata()?.file_type().is_symlink() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            format!("{} is a symbolic link", path.display()),
        ));
    }
    OpenOptions::new().read(true).write(true).open(path)
}

/// True when `path` still names the file `file` is open on.
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), path.symlink_metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The exclusive holder the lock file at `path` names, if any.
fn holder(path: &Path) -> Option<Holder> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .ok()?;
    serde_json::from_str::<Holder>(text.trim()).ok()
}

/// Who holds the lock at `path`, as far as its file says.
fn describe(path: &Path) -> String {
    match holder(path) {
        Some(h) => format!("coordsim process {} ({})", h.pid, h.what),
        None => "other coordsim processes (shards writing partial results)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_exclusive_holder_or_many_shared_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let first = FolderLock::acquire(d, true, "run of scenario \"a\"").unwrap();
        match FolderLock::acquire(d, true, "x") {
            Err(LockError::Busy(who)) => assert!(
                who.contains(&std::process::id().to_string()) && who.contains("scenario \"a\""),
                "{who}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            FolderLock::acquire(d, false, "x"),
            Err(LockError::Busy(_))
        ));
        drop(first);
        assert!(!d.join(LOCK_FILE).exists(), "released and removed");
        let a = FolderLock::acquire(d, false, "shard").unwrap();
        let b = FolderLock::acquire(d, false, "shard").unwrap();
        assert!(matches!(
            FolderLock::acquire(d, true, "x"),
            Err(LockError::Busy(_))
        ));
        drop(a);
        assert!(d.join(LOCK_FILE).exists(), "b still holds it");
        drop(b);
        assert!(!d.join(LOCK_FILE).exists());
    }

    #[test]
    fn a_shard_starting_while_another_leaves_is_not_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().to_path_buf();
        // A departing shard: the lock held alone and exclusively, no holder
        // named, for a moment (here 30 ms) before it is let go.
        let leaving = open_lock_file(&d.join(LOCK_FILE)).unwrap();
        leaving.try_lock().unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(30));
            drop(leaving);
        });
        let shard = FolderLock::acquire(&d, false, "shard");
        release.join().unwrap();
        assert!(shard.is_ok(), "{shard:?}");
        drop(shard);
        // A writer that names itself refuses shards at once, however long it holds.
        let writer = FolderLock::acquire(&d, true, "run of scenario \"a\"").unwrap();
        let started = std::time::Instant::now();
        match FolderLock::acquire(&d, false, "shard") {
            Err(LockError::Busy(who)) => assert!(who.contains("scenario \"a\""), "{who}"),
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() < DEPARTURE_WAIT,
            "refused without waiting"
        );
        drop(writer);
    }

    #[test]
    fn a_lock_file_left_by_a_dead_process_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join(LOCK_FILE),
            "{\"pid\":999999999,\"what\":\"run of scenario \\\"a\\\"\"}\n",
        )
        .unwrap();
        let lock = FolderLock::acquire(tmp.path(), true, "run").unwrap();
        let text = std::fs::read_to_string(tmp.path().join(LOCK_FILE)).unwrap();
        assert!(text.contains(&std::process::id().to_string()), "{text}");
        drop(lock);
    }
}
