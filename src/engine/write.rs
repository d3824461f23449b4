//! Writing files so that a crash never leaves a half-written one.
//!
//! One file ([`write_atomic`]): the contents go to a uniquely named temporary file in the
//! target's folder (`tempfile`, so two writers never collide), are synced to disk, then renamed
//! over the target. Readers see the old file or the new one, never a mix. The file gets the
//! permissions a plain `File::create` would give (0666 less the umask on Unix), not the
//! owner-only mode of a temporary file, so results stay readable by the group that shares them.
//!
//! A folder of files ([`StagedDir`]): they are written with plain writes into a temporary folder
//! beside the target (`.<name>.glassray-XXXXXX`, the mode of a plain `create_dir`), synced once
//! for the whole folder, then swapped with the target in one step (Linux `renameat2` with
//! `RENAME_EXCHANGE`; elsewhere two renames), and the old folder is removed. A crash, a full
//! disk or a second writer leaves the old complete folder or the new complete one; a failed or
//! abandoned staging removes its temporary folder, and the next staging beside the same target
//! removes those of killed runs (named with their process id; Linux only).

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` atomically (temporary file beside it, sync, rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = parent_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".glassray-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// Makes and writes many files on the rayon pool with plain writes (for a staged folder that
/// is synced once when installed): `make(item)` gives each file's path and contents. On
/// failure, the path and error of the first failing item (in item order).
pub fn write_each<T: Sync>(
    items: &[T],
    make: &(dyn Fn(&T) -> (PathBuf, String) + Sync),
) -> Result<(), (PathBuf, std::io::Error)> {
    use rayon::prelude::*;
    items.par_iter().try_for_each(|item| {
        let (path, text) = make(item);
        std::fs::write(&path, text.as_bytes()).map_err(|e| (path, e))
    })
}

/// Runs `a` and `b` side by side on the rayon pool (a run's tables formatted while its G(r)
/// files are written).
pub fn join<RA: Send, RB: Send>(
    a: impl FnOnce() -> RA + Send,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    rayon::join(a, b)
}

/// The folder `path` is in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The prefix of the temporary folders staged beside `target`.
pub fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    format!(".{name}.glassray-")
}

/// The prefix of this process's temporary folders beside `target`: with its id, so that a later
/// run can tell the folders of a killed run (whose process is gone) from those of a live one.
fn own_staging_prefix(target: &Path) -> String {
    format!("{}{}-", staging_prefix(target), std::process::id())
}

/// Removes the temporary folders a killed run left beside a target (`kill -9`, a power cut):
/// those whose process is gone. Best effort; where a process cannot be looked up (outside
/// Linux), nothing is removed.
fn remove_dead_stagings(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && !process_alive(pid)
            && entry.file_type().is_ok_and(|t| t.is_dir())
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` may still be running (true when it cannot be told).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// A folder being written beside its target, installed whole by [`StagedDir::commit`]. Dropped
/// without a commit (an error, a panic), it removes itself.
#[derive(Debug)]
pub struct StagedDir {
    tmp: tempfile::TempDir,
    target: PathBuf,
}

impl StagedDir {
    /// An empty temporary folder beside `target` (whose parent is created if needed).
    pub fn new(target: &Path) -> std::io::Result<Self> {
        let parent = parent_of(target);
        std::fs::create_dir_all(parent)?;
        remove_dead_stagings(parent, &staging_prefix(target));
        let mut builder = tempfile::Builder::new();
        let prefix = own_staging_prefix(target);
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o777));
        }
        Ok(StagedDir {
            tmp: builder.tempdir_in(parent)?,
            target: target.to_path_buf(),
        })
    }

    /// The temporary folder to write into.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// The folder this one will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the staged folder once, puts it in place of the target (replacing an old folder as
    /// a whole) and removes the old one.
    pub fn commit(self) -> std::io::Result<()> {
        sync_tree(self.tmp.path())?;
        if let Ok(meta) = std::fs::symlink_metadata(&self.target)
            && !meta.is_dir()
        {
            return Err(std::io::Error::other(format!(
                "{} exists and is not a folder",
                self.target.display()
            )));
        }
        let staged = self.tmp.keep();
        let installed = install(&staged, &self.target);
        if installed.is_err() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        let old = installed?;
        sync_dir(parent_of(&self.target));
        // The new set is in place: the old one goes (a leftover is removed by the next run,
        // like a killed run's staging).
        if let Some(old) = old {
            remove_tree(&old);
        }
        Ok(())
    }
}

/// Moves `staged` to `target`; returns where the old target went (to be removed), if any.
fn install(staged: &Path, target: &Path) -> std::io::Result<Option<PathBuf>> {
    // A missing target (or an empty folder, on Unix) is simply replaced.
    if std::fs::rename(staged, target).is_ok() {
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE).is_ok() {
            // The staged path now holds the old folder.
            return Ok(Some(staged.to_path_buf()));
        }
    }
    // No atomic exchange here: move the old folder aside, then the new one in.
    let aside = tempfile::Builder::new()
        .prefix(&own_staging_prefix(target))
        .tempdir_in(parent_of(target))?
        .keep();
    let old = aside.join("old");
    std::fs::rename(target, &old)?;
    if let Err(e) = std::fs::rename(staged, target) {
        let _ = std::fs::rename(&old, target);
        let _ = std::fs::remove_dir_all(&aside);
        return Err(e);
    }
    Ok(Some(aside))
}

/// Removes a folder of outputs, best effort: its files unlinked by several threads at once
/// (on a busy disk each unlink waits on the journal; side by side they share the waits), then
/// whatever is left as `remove_dir_all` does it.
fn remove_tree(dir: &Path) {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let mut k = 0;
    while k < folders.len() {
        if let Ok(entries) = std::fs::read_dir(&folders[k]) {
            for entry in entries.flatten() {
                match entry.file_type() {
                    Ok(t) if t.is_dir() => folders.push(entry.path()),
                    _ => files.push(entry.path()),
                }
            }
        }
        k += 1;
    }
    const THREADS: usize = 8;
    let chunk = files.len().div_ceil(THREADS).max(1);
    std::thread::scope(|scope| {
        for part in files.chunks(chunk) {
            scope.spawn(move || {
                for f in part {
                    let _ = std::fs::remove_file(f);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(dir);
}

/// Makes every file under `dir` durable: one `syncfs` on Linux, else one sync per file.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let folder = std::fs::File::open(dir)?;
        rustix::fs::syncfs(&folder)?;
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                sync_tree(&entry.path())?;
            } else {
                std::fs::File::open(entry.path())?.sync_all()?;
            }
        }
        Ok(())
    }
}

/// Syncs a folder's entries (the rename) where the platform allows it; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.txt");
        write_atomic(&path, b"old").expect("write");
        write_atomic(&path, b"new contents").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new contents");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
        // A folder that does not exist is an error, not a panic.
        assert!(write_atomic(&dir.path().join("no/such/x.txt"), b"x").is_err());
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn stage(target: &Path, files: &[(&str, &str)]) -> StagedDir {
        let staged = StagedDir::new(target).expect("stage");
        for (name, text) in files {
            std::fs::write(staged.path().join(name), text).expect("write");
        }
        staged
    }

    #[test]
    fn a_staged_folder_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out");
        stage(&target, &[("a.txt", "1"), ("stale.txt", "1")])
            .commit()
            .expect("first");
        assert_eq!(names(&target), ["a.txt", "stale.txt"]);
        stage(&target, &[("a.txt", "2")]).commit().expect("second");
        assert_eq!(names(&target), ["a.txt"], "the old set is gone as a whole");
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).expect("a"),
            "2"
        );
        assert_eq!(names(dir.path()), ["out"], "no temporary folder is left");
    }

    #[test]
    fn an_abandoned_staging_leaves_the_old_folder_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out");
        stage(&target, &[("a.txt", "old")]).commit().expect("first");
        let half = stage(&target, &[("a.txt", "new, half written")]);
        assert!(
            half.path().starts_with(dir.path()),
            "staged beside the target"
        );
        drop(half); // a write failed midway: the caller returns its error
        assert_eq!(names(&target), ["a.txt"]);
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).expect("a"),
            "old"
        );
        assert_eq!(names(dir.path()), ["out"]);
    }

    #[test]
    fn two_writers_into_one_target_leave_one_complete_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out");
        let first = stage(&target, &[("a.txt", "1"), ("only-1.txt", "1")]);
        let second = stage(&target, &[("a.txt", "2"), ("only-2.txt", "2")]);
        second.commit().expect("second");
        first.commit().expect("first");
        assert_eq!(names(&target), ["a.txt", "only-1.txt"]);
        assert_eq!(names(dir.path()), ["out"]);
        // A target that is a file is not replaced.
        let file = dir.path().join("file");
        std::fs::write(&file, "keep").expect("file");
        assert!(stage(&file, &[("a.txt", "1")]).commit().is_err());
        assert_eq!(std::fs::read_to_string(&file).expect("file"), "keep");
        assert_eq!(names(dir.path()), ["file", "out"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_temporary_folders_of_a_killed_run_are_removed_by_the_next() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out");
        // pid_max is at most 2^22: this process never ran.
        let dead = dir.path().join(".out.glassray-999999999-AbC123");
        std::fs::create_dir_all(dead.join("gr")).expect("dead");
        std::fs::write(dead.join("metrics.csv"), "half").expect("write");
        let live = stage(&target, &[("a.txt", "live")]);
        assert!(!dead.exists(), "the killed run's folder is gone");
        let other = stage(&target, &[("a.txt", "other")]);
        assert!(live.path().exists(), "a live run's folder is kept");
        other.commit().expect("other");
        live.commit().expect("live");
        assert_eq!(names(dir.path()), ["out"]);
        // Another target's folders are not touched.
        let theirs = dir.path().join(".results.glassray-999999999-x");
        std::fs::create_dir(&theirs).expect("theirs");
        stage(&target, &[]).commit().expect("again");
        assert!(theirs.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_staged_folder_gets_the_permissions_of_a_plain_create_dir() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).expect("mkdir");
        let target = dir.path().join("out");
        stage(&target, &[]).commit().expect("commit");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&target), mode(&plain));
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_a_plain_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let plain = dir.path().join("plain.txt");
        std::fs::File::create(&plain).expect("create");
        let atomic = dir.path().join("atomic.txt");
        write_atomic(&atomic, b"x").expect("write");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        // With the usual umask 022 that is 0644 (a temporary file alone would be 0600).
        assert_eq!(mode(&atomic), mode(&plain));
    }
}
