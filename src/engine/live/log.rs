//! The temperature log of a followed folder, read as it grows.
//!
//! A log grows a line at a time. While it is changing, only its complete lines are read (a
//! line being written is left for the next read); once it has been still for the settle time
//! it is read whole, as `analyze` reads it, so a last line without its newline counts.
//!
//! A log given with `--temps` that lies outside the followed folder is not seen by the
//! folder's scan: [`ExternalLog`] watches its size and time on each step, so a row that lands
//! after its pattern (and a log written last) still reaches the series.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::io::temperature::{TemperatureLog, parse_log};
use crate::io::{LoadError, read_regular_file};

/// A log's size and modification time.
type Stamp = (u64, Option<SystemTime>);

fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

/// Reads a log: whole (`whole`), or up to its last complete line.
pub(super) fn read_log(
    path: &Path,
    max_bytes: u64,
    whole: bool,
) -> Result<TemperatureLog, LoadError> {
    let mut bytes = read_regular_file(path, max_bytes)?;
    if !whole && let Some(end) = bytes.iter().rposition(|&b| b == b'\n') {
        bytes.truncate(end + 1);
    }
    parse_log(path, &bytes)
}

/// Whether the file's last byte is a newline (an empty or unreadable file counts as ending
/// one: nothing is left to read).
fn ends_with_newline(path: &Path) -> bool {
    let Ok(mut f) = std::fs::File::open(path) else {
        return true;
    };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).is_err() || f.read_exact(&mut last).is_err() || last[0] == b'\n'
}

/// A `--temps` log outside the followed folder.
#[derive(Debug)]
pub(super) struct ExternalLog {
    pub(super) path: PathBuf,
    stamp: Option<Stamp>,
    changed_at: Instant,
    /// Read whole since its last change.
    whole: bool,
}

impl ExternalLog {
    /// The log of `given` when it lies outside `dir` (inside, the folder's scan sees it).
    pub(super) fn outside(dir: &Path, given: Option<&Path>, now: Instant) -> Option<Self> {
        let path = given?;
        let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let parent = path.parent().map(real);
        if parent.as_deref() == Some(real(dir).as_path()) {
            return None;
        }
        Some(ExternalLog {
            path: path.to_path_buf(),
            stamp: stamp(path),
            changed_at: now,
            whole: false,
        })
    }

    /// Whether the log calls for an update: it changed, or it has just been still for
    /// `settle` with a last line that has no newline (read whole now).
    pub(super) fn changed(&mut self, now: Instant, settle: Duration) -> bool {
        let s = stamp(&self.path);
        if s != self.stamp {
            self.stamp = s;
            self.changed_at = now;
            self.whole = false;
            return true;
        }
        if !self.whole && self.is_settled(now, settle) {
            self.whole = true;
            return !ends_with_newline(&self.path);
        }
        false
    }

    fn is_settled(&self, now: Instant, settle: Duration) -> bool {
        now.saturating_duration_since(self.changed_at) >= settle
    }

    /// Whether it is read whole (still since its last change).
    pub(super) fn read_whole(&self) -> bool {
        self.whole
    }

    /// Nothing left to read: still, and read whole (or ending with its newline).
    pub(super) fn is_quiet(&self) -> bool {
        self.whole || ends_with_newline(&self.path)
    }
}
