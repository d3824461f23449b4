//! Following a folder while files land in it: which files are complete enough to read.
//!
//! [`FolderScan`] lists one folder on each [`FolderScan::scan`] (a pure step: no threads, no
//! reading of contents, the clock passed in) and tracks each file's size and modification time
//! and when it last saw them change. A file is reported [`Change::Ready`] once its size and
//! time have not changed for the settle time (detector software writes a header, then rows a
//! moment later); a file already reported that changes again and settles is reported
//! [`Change::Replaced`] (written again in place, or a log that grew); a file that disappears is
//! [`Change::Removed`]. Hidden files and sub-folders are not tracked (a folder listing by
//! [`super::list_inputs`] does not read them as patterns either).
//!
//! Whether a ready file *is* a pattern, a temperature log or neither is decided by the same
//! code as a folder load ([`super::SeriesFiles`]); a file that reads badly while it may still
//! be being written is offered again with [`FolderScan::retry`], and [`FolderScan::stable_for`]
//! says how long it has been still, so the caller decides when a failure is final.
//!
//! An unreadable folder is an error naming it; a file whose metadata cannot be read (removed
//! between the listing and the look) is simply not seen on this scan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::LoadError;

/// How long a file's size and time must stay the same before it is read, unless set.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(400);

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new file, settled: read it.
    Ready(PathBuf),
    /// A file reported before changed and settled again: read it again.
    Replaced(PathBuf),
    /// A file reported before is gone.
    Removed(PathBuf),
    /// A file is new or changed at this scan and has not settled yet (a temperature log is
    /// read at every line it gains, settled or not).
    Growing(PathBuf),
}

/// Size and modification time: what "unchanged" means.
type Stamp = (u64, Option<SystemTime>);

#[derive(Debug, Clone)]
struct Tracked {
    stamp: Stamp,
    /// When the stamp was last seen changing (or the file first seen).
    changed_at: Instant,
    /// The stamp last reported (None: never reported, or offered again by `retry`).
    reported: Option<Stamp>,
    /// Reported at least once (a later report is a replacement).
    ever_reported: bool,
}

/// The files of one folder and how settled each is.
#[derive(Debug)]
pub struct FolderScan {
    dir: PathBuf,
    settle: Duration,
    files: BTreeMap<PathBuf, Tracked>,
}

impl FolderScan {
    /// Follows `dir`, reading a file once it has been still for `settle`.
    pub fn new(dir: &Path, settle: Duration) -> Self {
        FolderScan {
            dir: dir.to_path_buf(),
            settle,
            files: BTreeMap::new(),
        }
    }

    /// The folder followed.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Lists the folder and returns what became ready, was replaced or removed since the last
    /// scan, in natural file-name order (removals first).
    pub fn scan(&mut self, now: Instant) -> Result<Vec<Change>, LoadError> {
        let listing = std::fs::read_dir(&self.dir).map_err(|source| LoadError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
        for entry in listing.flatten() {
            let path = entry.path();
            if crate::model::file_name(&path).starts_with('.') {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                continue;
            }
            seen.insert(path, (meta.len(), meta.modified().ok()));
        }
        let mut removed = Vec::new();
        self.files.retain(|path, t| {
            let keep = seen.contains_key(path);
            if !keep && t.ever_reported {
                removed.push(Change::Removed(path.clone()));
            }
            keep
        });
        let mut changes = Vec::new();
        for (path, stamp) in seen {
            let mut grew = !self.files.contains_key(&path);
            let t = self.files.entry(path.clone()).or_insert(Tracked {
                stamp,
                changed_at: now,
                reported: None,
                ever_reported: false,
            });
            if t.stamp != stamp {
                t.stamp = stamp;
                t.changed_at = now;
                grew = true;
            }
            let settled = now.saturating_duration_since(t.changed_at) >= self.settle;
            if settled && t.reported != Some(t.stamp) {
                t.reported = Some(t.stamp);
                changes.push(if t.ever_reported {
                    Change::Replaced(path)
                } else {
                    Change::Ready(path)
                });
                t.ever_reported = true;
            } else if grew {
                changes.push(Change::Growing(path));
            }
        }
        changes.sort_by(|a, b| natural_path_cmp(change_path(a), change_path(b)));
        removed.extend(changes);
        Ok(removed)
    }

    /// Offers a reported file again at the next scan (it read badly and may still be being
    /// written). It is then reported as [`Change::Ready`] when it was never read successfully
    /// (`read_before` false), else as [`Change::Replaced`].
    pub fn retry(&mut self, path: &Path, read_before: bool) {
        if let Some(t) = self.files.get_mut(path) {
            t.reported = None;
            t.ever_reported = read_before;
        }
    }

    /// Whether `path` still has the size and modification time it had at the last scan.
    /// Checked after reading a reported file: a file written again between the scan and the
    /// end of the read may have been read whole while its stamp is the older one, and would
    /// be reported once more as replaced when the new stamp settles. False when it cannot be
    /// read or is not tracked.
    pub fn unchanged_since_scan(&self, path: &Path) -> bool {
        let Some(t) = self.files.get(path) else {
            return false;
        };
        std::fs::metadata(path).is_ok_and(|m| (m.len(), m.modified().ok()) == t.stamp)
    }

    /// How long a file has been still at `now` (None when it is not tracked).
    pub fn stable_for(&self, path: &Path, now: Instant) -> Option<Duration> {
        self.files
            .get(path)
            .map(|t| now.saturating_duration_since(t.changed_at))
    }

    /// Whether every tracked file has been reported at its present size and time (nothing is
    /// waiting to settle).
    pub fn is_quiet(&self) -> bool {
        self.files.values().all(|t| t.reported == Some(t.stamp))
    }
}

fn change_path(c: &Change) -> &Path {
    match c {
        Change::Ready(p) | Change::Replaced(p) | Change::Removed(p) | Change::Growing(p) => p,
    }
}

fn natural_path_cmp(a: &Path, b: &Path) -> std::cmp::Ordering {
    super::natural_cmp(&crate::model::file_name(a), &crate::model::file_name(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const SETTLE: Duration = Duration::from_millis(300);

    /// What a scan reported, growing files left out.
    fn names(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .filter_map(|c| {
                let kind = match c {
                    Change::Ready(_) => "ready",
                    Change::Replaced(_) => "replaced",
                    Change::Removed(_) => "removed",
                    Change::Growing(_) => return None,
                };
                Some(format!(
                    "{kind} {}",
                    crate::model::file_name(change_path(c))
                ))
            })
            .collect()
    }

    #[test]
    fn a_file_is_ready_once_still_for_the_settle_time_in_natural_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("p10.xy"), "1 2\n").expect("write");
        std::fs::write(dir.path().join("p2.xy"), "1 2\n").expect("write");
        std::fs::write(dir.path().join(".hidden"), "x").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        let t0 = Instant::now();
        let mut scan = FolderScan::new(dir.path(), SETTLE);
        assert!(
            names(&scan.scan(t0).expect("scan")).is_empty(),
            "not settled yet"
        );
        assert!(!scan.is_quiet());
        let later = t0 + SETTLE;
        assert_eq!(
            names(&scan.scan(later).expect("scan")),
            ["ready p2.xy", "ready p10.xy"]
        );
        assert!(scan.is_quiet());
        assert!(scan.scan(later + SETTLE).expect("scan").is_empty());
        assert_eq!(
            scan.stable_for(&dir.path().join("p2.xy"), later),
            Some(SETTLE)
        );
    }

    #[test]
    fn a_file_that_grows_waits_and_a_file_written_again_is_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.xy");
        let mut f = std::fs::File::create(&path).expect("create");
        writeln!(f, "# header").expect("write");
        let t0 = Instant::now();
        let mut scan = FolderScan::new(dir.path(), SETTLE);
        assert_eq!(
            scan.scan(t0).expect("scan"),
            [Change::Growing(path.clone())]
        );
        // Rows land before it settles: the clock restarts.
        writeln!(f, "1 2\n3 4").expect("write");
        assert_eq!(
            scan.scan(t0 + SETTLE).expect("scan"),
            [Change::Growing(path.clone())]
        );
        assert_eq!(
            names(&scan.scan(t0 + 2 * SETTLE).expect("scan")),
            ["ready a.xy"]
        );
        writeln!(f, "5 6").expect("write");
        drop(f);
        let t1 = t0 + 3 * SETTLE;
        assert!(names(&scan.scan(t1).expect("scan")).is_empty());
        assert_eq!(
            names(&scan.scan(t1 + SETTLE).expect("scan")),
            ["replaced a.xy"]
        );
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(
            names(&scan.scan(t1 + 2 * SETTLE).expect("scan")),
            ["removed a.xy"]
        );
    }

    #[test]
    fn a_retried_file_is_offered_again_without_changing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.xy");
        std::fs::write(&path, "# only a header\n").expect("write");
        let t0 = Instant::now();
        let mut scan = FolderScan::new(dir.path(), SETTLE);
        scan.scan(t0).expect("scan");
        assert_eq!(
            names(&scan.scan(t0 + SETTLE).expect("scan")),
            ["ready a.xy"]
        );
        scan.retry(&path, false);
        assert_eq!(
            names(&scan.scan(t0 + 2 * SETTLE).expect("scan")),
            ["ready a.xy"]
        );
        scan.retry(&path, true);
        assert_eq!(
            names(&scan.scan(t0 + 3 * SETTLE).expect("scan")),
            ["replaced a.xy"]
        );
    }

    #[test]
    fn a_file_written_after_the_scan_is_seen_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.xy");
        std::fs::write(&path, "1 2\n").expect("write");
        let t0 = Instant::now();
        let mut scan = FolderScan::new(dir.path(), SETTLE);
        scan.scan(t0).expect("scan");
        assert!(scan.unchanged_since_scan(&path));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"3 4\n"))
            .expect("append");
        assert!(!scan.unchanged_since_scan(&path), "grew after the scan");
        assert!(
            !scan.unchanged_since_scan(&dir.path().join("b.xy")),
            "untracked"
        );
        scan.scan(t0 + SETTLE).expect("scan");
        assert!(scan.unchanged_since_scan(&path));
    }

    #[test]
    fn an_unreadable_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope");
        let mut scan = FolderScan::new(&missing, SETTLE);
        let e = scan.scan(Instant::now()).expect_err("no folder");
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
