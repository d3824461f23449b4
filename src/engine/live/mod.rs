//! Live at the beamline: a folder followed while the sample heats, each pattern analysed as
//! it lands.
//!
//! [`LiveFolder`] is the state, driven one step at a time ([`LiveFolder::step`]) with the clock
//! passed in: it scans the folder ([`crate::io::watch::FolderScan`]), reads each settled pattern
//! file once (again when it is replaced in place), re-reads the temperature log (complete lines
//! only) whenever it grows, assembles the series exactly as a folder load does
//! ([`crate::io::SeriesFiles::assemble`]: natural file-name order, so a file that lands late
//! takes its place) and analyses it with [`IncrementalCache`]: only new or changed patterns are
//! transformed and fitted, the series-level part is recomputed. The result equals
//! `glassray analyze` on the same files, bit for bit.
//!
//! A file that reads badly, or with a point count no pattern read so far has, may still be
//! being written: it is read again on each scan until it has been still for
//! [`LiveOptions::give_up`]; only then is it a problem (a failed file, or a pattern on its own
//! grid). Nothing caught mid-write is reported.
//!
//! [`watch`] runs a [`LiveFolder`] on its own thread, woken by `notify` (or
//! polling), and hands each update to whoever polls it (the CLI's `watch`, later the GUI).
//!
//! For a UI: build a [`LiveFolder`] (folder, load options, analysis parameters, marks,
//! [`LiveOptions`]), start it with [`watch`] and a repaint hook, and on each frame drain
//! [`LiveHandle::try_recv`]: each [`LiveEvent::Update`] carries an `Arc<`[`LiveSnapshot`]`>`
//! (every series with its load and analysis, as `analyze` would give them) and what changed
//! (added, replaced, removed, problems). Dropping the handle, or
//! [`LiveHandle::stop`], ends the thread; other parameters mean a new [`LiveFolder`].

pub mod incremental;
mod log;
pub mod simulate;
pub mod watcher;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use incremental::IncrementalCache;
use log::{ExternalLog, read_log};
pub use watcher::{LiveEvent, LiveHandle, watch};

use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transitions::Marks;
use crate::io::watch::{Change, FolderScan};
use crate::io::{FileData, LoadError, LoadOptions, SeriesFiles, SeriesLoad, read_file_limited};
use crate::model::TemperatureAxis;

use super::reduce::{ReduceCache, ReduceStep, ReductionConfig, reduce_loads};

/// How a folder is followed.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveOptions {
    /// How long a file must be still before it is read.
    pub settle: Duration,
    /// How long a file that reads badly (or with another point count) is read again before it
    /// is reported as it is.
    pub give_up: Duration,
    /// Scan by polling only (network file systems), not on file-system events.
    pub poll: bool,
    /// Time between scans while files are settling, and when polling.
    pub poll_interval: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            settle: crate::io::watch::DEFAULT_SETTLE,
            give_up: Duration::from_secs(5),
            poll: false,
            poll_interval: Duration::from_millis(200),
        }
    }
}

/// One series of the followed folder, loaded and analysed.
#[derive(Debug)]
pub struct LiveSeries {
    /// As `analyze` has it after the reduction step (I(Q) patterns reduced to S(Q)).
    pub load: SeriesLoad,
    /// What the reduction step did: [`ReduceStep::NoComposition`] says why a series of raw
    /// intensities cannot be analysed (its analysis is then of no use: `analyze` writes none).
    pub reduction: ReduceStep,
    pub analysis: SeriesAnalysis,
}

/// Everything known about the folder after an update.
#[derive(Debug, Default)]
pub struct LiveSnapshot {
    /// One per series (a folder that mixes materials or quantities holds several).
    pub series: Vec<LiveSeries>,
    /// Counts updates, from 1.
    pub generation: u64,
    /// The parameters and marks the analyses were made with (a series without temperatures
    /// is analysed without marks).
    pub params: AnalysisParams,
    pub marks: Marks,
}

/// What one update brought.
#[derive(Debug, Clone)]
pub struct LiveUpdate {
    pub snapshot: Arc<LiveSnapshot>,
    /// Patterns read for the first time: (series, pattern position) in the snapshot.
    pub added: Vec<(usize, usize)>,
    /// Patterns read again (replaced in place).
    pub replaced: Vec<(usize, usize)>,
    /// Files given up on, each message naming the file and the reason.
    pub problems: Vec<String>,
    /// Files taken into the series before that are gone from the folder.
    pub removed: Vec<PathBuf>,
    /// Patterns whose stage 1 or fit was computed by this update (the rest were reused).
    pub computed: usize,
}

/// A followed folder: the scan, what was read and the analysis caches.
#[derive(Debug)]
pub struct LiveFolder {
    dir: PathBuf,
    load: LoadOptions,
    params: AnalysisParams,
    marks: Marks,
    give_up: Duration,
    /// How long a file must be still before it is read (and a log read whole).
    settle: Duration,
    scan: FolderScan,
    /// A `--temps` log outside the folder, watched on each step.
    external_log: Option<ExternalLog>,
    /// Files taken into the series (read patterns, the log, ignored files).
    settled: BTreeSet<PathBuf>,
    reads: HashMap<PathBuf, Result<FileData, LoadError>>,
    /// Point counts of the patterns taken so far: a file with another count may be half
    /// written (it waits; once taken, its count is known too).
    expected_points: BTreeSet<usize>,
    caches: Vec<IncrementalCache>,
    /// How raw intensities are reduced (None: they are not, and such a series is not analysed).
    reduction: Option<ReductionConfig>,
    reduce_cache: ReduceCache,
    snapshot: Arc<LiveSnapshot>,
}

impl LiveFolder {
    pub fn new(
        dir: &Path,
        load: LoadOptions,
        params: AnalysisParams,
        marks: Marks,
        options: &LiveOptions,
    ) -> Self {
        let external_log =
            ExternalLog::outside(dir, load.temperature_log.as_deref(), Instant::now());
        LiveFolder {
            dir: dir.to_path_buf(),
            load,
            params,
            marks,
            give_up: options.give_up,
            settle: options.settle,
            scan: FolderScan::new(dir, options.settle),
            external_log,
            settled: BTreeSet::new(),
            reads: HashMap::new(),
            expected_points: BTreeSet::new(),
            caches: Vec::new(),
            reduction: None,
            reduce_cache: ReduceCache::default(),
            snapshot: Arc::new(LiveSnapshot::default()),
        }
    }

    /// Reduces raw intensities I(Q) to S(Q) as they land, as `analyze --composition …` does
    /// (each pattern once: the reductions are kept).
    #[must_use]
    pub fn with_reduction(mut self, reduction: Option<ReductionConfig>) -> Self {
        self.reduction = reduction;
        self
    }

    /// Patterns reduced from I(Q) so far (each once, unless written again with new values).
    pub fn reduced_count(&self) -> usize {
        self.reduce_cache.reduced
    }

    /// The folder followed.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<LiveSnapshot> {
        Arc::clone(&self.snapshot)
    }

    /// Whether every file has been read at its present size (nothing is settling), a
    /// `--temps` log outside the folder included.
    pub fn is_quiet(&self) -> bool {
        self.scan.is_quiet() && self.external_log.as_ref().is_none_or(ExternalLog::is_quiet)
    }

    /// Analyses with new parameters and marks from now on: every pattern read so far is
    /// analysed again (from the files already read, not read again) and the update returned;
    /// None when they are the ones in use.
    pub fn set_params(&mut self, params: AnalysisParams, marks: Marks) -> Option<LiveUpdate> {
        if params == self.params && marks == self.marks {
            return None;
        }
        self.params = params;
        self.marks = marks;
        for cache in &mut self.caches {
            cache.clear();
        }
        Some(self.update(Vec::new(), Vec::new(), Instant::now()))
    }

    /// Scans the folder and, when something changed, updates the series and its analysis.
    /// An unreadable folder is an error naming it.
    pub fn step(&mut self, now: Instant) -> Result<Option<LiveUpdate>, LoadError> {
        let changes = self.scan.scan(now)?;
        let mut dirty = false;
        let mut problems = Vec::new();
        let mut arrived: Vec<(PathBuf, bool)> = Vec::new();
        let mut removed = Vec::new();
        for change in changes {
            match change {
                Change::Removed(p) => {
                    self.reads.remove(&p);
                    if self.settled.remove(&p) {
                        removed.push(p);
                        dirty = true;
                    }
                }
                Change::Ready(p) | Change::Replaced(p) => {
                    dirty |= self.take(&p, now, &mut problems, &mut arrived);
                }
                // A log grows line by line, maybe never still for long: its complete lines
                // are read at every change.
                // Until its first complete row has landed, a growing log is not read (a log
                // caught as a header alone is not a problem).
                Change::Growing(p) if is_log(&self.dir, &p) => {
                    if read_log(&p, self.load.max_file_bytes, false).is_ok() {
                        self.settled.insert(p);
                        dirty = true;
                    }
                }
                Change::Growing(_) => {}
            }
        }
        // A failed file offered again (it may be being rewritten) is no longer one the scan
        // reports as removed: one that is gone leaves the series here, as from `analyze`.
        let gone: Vec<PathBuf> = self
            .reads
            .iter()
            .filter(|(p, r)| r.is_err() && !p.exists())
            .map(|(p, _)| p.clone())
            .collect();
        for p in gone {
            self.reads.remove(&p);
            if self.settled.remove(&p) {
                removed.push(p);
                dirty = true;
            }
        }
        if let Some(log) = self.external_log.as_mut() {
            dirty |= log.changed(now, self.settle);
        }
        if !dirty {
            return Ok(None);
        }
        let mut update = self.update(arrived, problems, now);
        update.removed = removed;
        Ok(Some(update))
    }

    /// Takes a settled file into the series (true), or offers it again later when it reads
    /// badly and may still be being written (false).
    fn take(
        &mut self,
        path: &Path,
        now: Instant,
        problems: &mut Vec<String>,
        arrived: &mut Vec<(PathBuf, bool)>,
    ) -> bool {
        let files = SeriesFiles::of_folder(&self.dir, vec![path.to_path_buf()]);
        if !files.patterns.iter().any(|p| p == path) {
            // The temperature log (re-read at every update) or a file that is no pattern.
            let is_log = !files.logs().is_empty();
            let new = self.settled.insert(path.to_path_buf());
            return new || is_log;
        }
        let read = read_file_limited(path, &self.load.read, self.load.max_file_bytes);
        let points = |fd: &FileData| fd.patterns.first().map(|p| p.x.len());
        let complete = match &read {
            Ok(fd) => {
                self.expected_points.is_empty()
                    || points(fd).is_some_and(|n| self.expected_points.contains(&n))
            }
            Err(_) => false,
        };
        let read_before = self.reads.get(path).is_some_and(Result::is_ok);
        if !self.scan.unchanged_since_scan(path) {
            // Written again while it was being read (what was read may be newer than what the
            // scan saw): read it once its new size and time have settled.
            self.scan.retry(path, read_before);
            return false;
        }
        let still = self.scan.stable_for(path, now).unwrap_or_default();
        if !complete && still < self.give_up {
            self.scan.retry(path, read_before);
            return false;
        }
        match &read {
            Ok(fd) => {
                self.expected_points.extend(points(fd));
            }
            Err(LoadError::NotPattern { .. }) => {}
            Err(e) => problems.push(e.to_string()),
        }
        arrived.push((path.to_path_buf(), read_before));
        self.reads.insert(path.to_path_buf(), read);
        self.settled.insert(path.to_path_buf());
        true
    }

    /// Assembles the series from what was read and analyses what changed.
    fn update(
        &mut self,
        arrived: Vec<(PathBuf, bool)>,
        problems: Vec<String>,
        now: Instant,
    ) -> LiveUpdate {
        let mut listed: Vec<PathBuf> = self.settled.iter().cloned().collect();
        listed.extend(unfollowed_entries(&self.dir));
        let files = SeriesFiles::of_folder(&self.dir, listed);
        let results: Vec<Result<FileData, LoadError>> = files
            .patterns
            .iter()
            .map(|p| match self.reads.get(p) {
                Some(r) => r.clone(),
                // An entry the scan cannot follow (a dangling link, say): read now, for the
                // reason `analyze` gives.
                None => read_file_limited(p, &self.load.read, self.load.max_file_bytes),
            })
            .collect();
        let max = self.load.max_file_bytes;
        // A log still for the settle time is read whole, as `analyze` reads it; one changing
        // up to its last complete line.
        let whole = |p: &Path| match &self.external_log {
            Some(log) if log.path == p => log.read_whole(),
            _ => {
                self.scan
                    .stable_for(p, now)
                    .is_some_and(|d| d >= self.settle)
                    && self.scan.unchanged_since_scan(p)
            }
        };
        let mut loads =
            files.assemble_with_log(results, &self.load, &|p| read_log(p, max, whole(p)));
        let steps = reduce_loads(
            &mut loads,
            self.reduction.as_ref(),
            Some(&mut self.reduce_cache),
        );
        self.caches
            .resize_with(loads.len(), IncrementalCache::default);
        let mut computed = 0;
        let mut series = Vec::with_capacity(loads.len());
        for ((load, cache), reduction) in loads.into_iter().zip(&mut self.caches).zip(steps) {
            // Marks are temperatures: on a series without any they would be read as indices.
            let marks = if load.series.axis == TemperatureAxis::Index {
                Marks::default()
            } else {
                self.marks
            };
            let analysis = cache.analyse(&load.series, &self.params, &marks);
            computed += cache.computed_last;
            series.push(LiveSeries {
                load,
                reduction,
                analysis,
            });
        }
        let position = |path: &Path| {
            series.iter().enumerate().find_map(|(k, s)| {
                let i = s
                    .load
                    .series
                    .patterns
                    .iter()
                    .position(|p| p.source == path)?;
                Some((k, i))
            })
        };
        let mut added = Vec::new();
        let mut replaced = Vec::new();
        for (path, before) in &arrived {
            if let Some(at) = position(path) {
                if *before { &mut replaced } else { &mut added }.push(at);
            }
        }
        added.sort_unstable();
        self.snapshot = Arc::new(LiveSnapshot {
            series,
            generation: self.snapshot.generation + 1,
            params: self.params.clone(),
            marks: self.marks,
        });
        LiveUpdate {
            snapshot: Arc::clone(&self.snapshot),
            added,
            replaced,
            problems,
            removed: Vec::new(),
            computed,
        }
    }
}

/// The entries of `dir` the scan does not follow (sub-folders, hidden files), which a folder
/// load lists as ignored: listed with the rest, so the outputs say the same as `analyze`'s.
fn unfollowed_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    listing
        .flatten()
        .filter(|e| {
            let is_dir = e
                .file_type()
                .is_ok_and(|t| t.is_dir() || (t.is_symlink() && e.path().is_dir()));
            // What cannot be followed is listed too (a dangling link): `analyze` reports it.
            // Only links are looked through (a stat per file would cost every update).
            let unreadable =
                e.file_type().is_ok_and(|t| t.is_symlink()) && std::fs::metadata(e.path()).is_err();
            is_dir || unreadable || e.file_name().to_string_lossy().starts_with('.')
        })
        .map(|e| e.path())
        .collect()
}

/// Whether a file of folder `dir` is a temperature log (as a folder load decides).
fn is_log(dir: &Path, path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "csv" | "log" | "tsv")
        && !SeriesFiles::of_folder(dir, vec![path.to_path_buf()])
            .logs()
            .is_empty()
}
