//! Loading heating series from the files users have.
//!
//! `engine::load_inputs` takes files and folders: each folder becomes one series, and the loose files
//! together another. In a folder, pattern files are read in natural file-name order
//! (`p2` before `p10`); a temperature log beside them (`temperatures.csv`, or any CSV whose columns
//! name a file, an index or a time and a temperature) is used as the log; files that are plainly
//! not patterns (documents, archives, images, subfolders, …) are listed in
//! [`SeriesLoad::ignored`] with the reason, not as failures. A file that should be a pattern but
//! cannot be read goes to [`SeriesLoad::failed`] with its path, line and reason, and the rest of
//! the series still loads.
//!
//! This room only reads: [`list_inputs`] finds and classifies the files of each series,
//! [`read_file`] reads one, and [`SeriesFiles::assemble`] builds the series from what was read.
//! `engine::load_inputs` runs the reading in parallel with progress and cancellation.

pub mod formats;
mod group;
pub mod header;
mod summary;
pub mod temperature;
pub mod text;
pub mod watch;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use formats::{
    FileData, Format, ReadOptions, XUnitOverride, read_bytes, read_file, read_file_limited,
};
pub use summary::{LoadProblem, MIXED_FOLDER_NOTE};
pub use temperature::{Ramp, RampPer, SourceKind, TemperatureLog};

use crate::model::{Diagnostic, HeatingSeries, Pattern, file_name};

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {reason}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{}: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    /// Readable, but plainly not a pattern (a settings file, say): listed as ignored.
    #[error("{}: not a pattern: {reason}", path.display())]
    NotPattern { path: PathBuf, reason: String },
}

/// A copy; an I/O error is copied as its kind and message (`std::io::Error` is not `Clone`).
impl Clone for LoadError {
    fn clone(&self) -> Self {
        match self {
            LoadError::Io { path, source } => LoadError::Io {
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            LoadError::Parse { path, line, reason } => LoadError::Parse {
                path: path.clone(),
                line: *line,
                reason: reason.clone(),
            },
            LoadError::Invalid { path, reason } => LoadError::Invalid {
                path: path.clone(),
                reason: reason.clone(),
            },
            LoadError::NotPattern { path, reason } => LoadError::NotPattern {
                path: path.clone(),
                reason: reason.clone(),
            },
        }
    }
}

impl LoadError {
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. }
            | LoadError::Parse { path, .. }
            | LoadError::Invalid { path, .. }
            | LoadError::NotPattern { path, .. } => path,
        }
    }

    /// The reason without the path (for tables that show the path separately).
    pub fn reason(&self) -> String {
        match self {
            LoadError::Io { source, .. } => format!("cannot read: {source}"),
            LoadError::Parse { line, reason, .. } => format!("line {line}: {reason}"),
            LoadError::Invalid { reason, .. } | LoadError::NotPattern { reason, .. } => {
                reason.clone()
            }
        }
    }
}

/// A file passed over on purpose, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    pub path: PathBuf,
    pub reason: String,
}

/// The largest file read as a pattern or a log unless [`LoadOptions::max_file_bytes`] says
/// otherwise: 2 GB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2_000_000_000;

fn default_max_file_bytes() -> u64 {
    DEFAULT_MAX_FILE_BYTES
}

/// Options for loading a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadOptions {
    pub read: ReadOptions,
    /// A temperature log CSV given by the user (wins over one found in a folder).
    pub temperature_log: Option<PathBuf>,
    pub ramp: Option<Ramp>,
    /// Use only this temperature source.
    pub temperature_source: Option<SourceKind>,
    /// Files larger than this (bytes) are skipped with the reason, not read.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            read: ReadOptions::default(),
            temperature_log: None,
            ramp: None,
            temperature_source: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// What a path is when it is not a regular file, from its metadata (never opened).
fn special_kind(ft: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("a device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    if ft.is_dir() {
        return Some("a folder");
    }
    (!ft.is_file()).then_some("not a regular file")
}

/// Checks a path's metadata before anything opens it: FIFOs, devices, sockets and folders are
/// refused (a FIFO is never opened: that could wait forever), and so is a file of more than
/// `max_bytes` bytes. Returns the size.
pub fn check_regular_file(path: &Path, max_bytes: u64) -> Result<u64, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(kind) = special_kind(&meta.file_type()) {
        return Err(LoadError::Invalid {
            path: path.to_path_buf(),
            reason: format!("{kind}, not a file: not read"),
        });
    }
    if meta.len() > max_bytes {
        return Err(LoadError::Invalid {
            path: path.to_path_buf(),
            reason: format!(
                "{} bytes, over the {max_bytes}-byte limit for one file: not read",
                meta.len()
            ),
        });
    }
    Ok(meta.len())
}

/// Reads a whole regular file of at most `max_bytes` bytes (see [`check_regular_file`]); a
/// file that grows past the limit while being read is refused too.
pub fn read_regular_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let size = check_regular_file(path, max_bytes)?;
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(LoadError::Invalid {
            path: path.to_path_buf(),
            reason: format!("grew past the {max_bytes}-byte limit while being read: not read"),
        });
    }
    Ok(bytes)
}

/// One series and everything that happened while loading it.
#[derive(Debug, Clone)]
pub struct SeriesLoad {
    pub series: HeatingSeries,
    /// Files that should have been patterns but could not be read.
    pub failed: Vec<LoadError>,
    pub ignored: Vec<Ignored>,
    /// The temperature log used, if any.
    pub log: Option<PathBuf>,
    /// Problems with the log itself (bad rows).
    pub log_problems: Vec<Diagnostic>,
    /// Where the series came from (a folder, or the loose files).
    pub origin: String,
}

impl SeriesLoad {
    /// A load that is just a series (the embedded demo).
    pub fn from_series(series: HeatingSeries) -> Self {
        SeriesLoad {
            origin: format!("embedded demo ({})", series.sample),
            series,
            failed: Vec::new(),
            ignored: Vec::new(),
            log: None,
            log_problems: Vec::new(),
        }
    }
}

/// What a path in a folder or on the command line is.
enum Entry {
    Pattern(PathBuf),
    Log(PathBuf),
    Ignored(Ignored),
}

fn ignore_reason(path: &Path) -> Option<String> {
    let name = file_name(path);
    if name.starts_with('.') {
        return Some("hidden file".into());
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "json" | "yaml" | "yml" | "toml" | "ini" | "cfg" | "poni" | "xml" => {
            "settings or metadata file"
        }
        "zip" | "gz" | "tgz" | "bz2" | "xz" | "7z" | "rar" | "tar" | "zst" => {
            "archive (unpack it first)"
        }
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "svg" | "webp" => "image",
        "tif" | "tiff" | "edf" | "cbf" | "mccd" | "img" | "mar3450" | "mar2300" | "h5" | "hdf5"
        | "nxs" | "nx5" => {
            "detector image or HDF5 container (integrate it to I(Q) first, e.g. with pyFAI)"
        }
        "npy" | "npz" | "pkl" | "pickle" | "mat" => "binary array file (save it as text columns)",
        "md" | "rst" | "html" | "htm" | "pdf" | "doc" | "docx" | "odt" | "xls" | "xlsx" | "ods" => {
            "document"
        }
        "py" | "ipynb" | "m" | "sh" | "bat" | "exe" | "rs" | "c" | "cpp" => "script or program",
        "stru" | "cif" | "pdb" | "xyz" | "vasp" | "res" => "structure model file",
        "pwa" => "srmise peak-extraction result",
        "ron" => "Glassray session file",
        _ => return None,
    };
    Some(format!("{kind} (.{ext}), not a pattern"))
}

fn classify(path: &Path) -> Entry {
    if path.is_dir() {
        return Entry::Ignored(Ignored {
            path: path.to_path_buf(),
            reason: "folder inside the series folder: not searched (give it as its own argument)"
                .into(),
        });
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "csv" | "log" | "tsv") && temperature::is_log_file(path) {
        return Entry::Log(path.to_path_buf());
    }
    if let Some(reason) = ignore_reason(path) {
        return Entry::Ignored(Ignored {
            path: path.to_path_buf(),
            reason,
        });
    }
    if ext == "log" {
        return Entry::Ignored(Ignored {
            path: path.to_path_buf(),
            reason: "log file without temperature columns, not a pattern".into(),
        });
    }
    Entry::Pattern(path.to_path_buf())
}

/// Compares file names with digit runs as numbers: `p2` < `p10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let nx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let ny = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (&x[..nx], &y[..ny]);
                let tx = trim_zeros(dx);
                let ty = trim_zeros(dy);
                let ord = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[nx..];
                y = &y[ny..];
            }
            (Some(c), Some(d)) => {
                let ord = c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let k = d.iter().take_while(|&&c| c == b'0').count();
    &d[k.min(d.len().saturating_sub(1))..]
}

/// The files of one series, listed and classified, before any is read: a folder's files, or
/// the loose files given together.
#[derive(Debug)]
pub struct SeriesFiles {
    /// Files to read as patterns, in order.
    pub patterns: Vec<PathBuf>,
    logs: Vec<PathBuf>,
    ignored: Vec<Ignored>,
    /// Problems met while listing (an unreadable folder, a path that does not exist).
    failed: Vec<LoadError>,
    origin: String,
    folder: Option<PathBuf>,
    /// Every file listed, for the sample name of loose files.
    listed: Vec<PathBuf>,
}

fn list_folder(dir: &Path) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut failed = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(rd) => {
            for e in rd {
                match e {
                    Ok(e) => files.push(e.path()),
                    Err(source) => failed.push(LoadError::Io {
                        path: dir.to_path_buf(),
                        source,
                    }),
                }
            }
        }
        Err(source) => failed.push(LoadError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
    files.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
    (files, failed)
}

impl SeriesFiles {
    fn new(
        listed: Vec<PathBuf>,
        failed: Vec<LoadError>,
        origin: String,
        folder: Option<PathBuf>,
    ) -> Self {
        let (mut patterns, mut logs, mut ignored) = (Vec::new(), Vec::new(), Vec::new());
        for f in &listed {
            match classify(f) {
                Entry::Pattern(p) => patterns.push(p),
                Entry::Log(p) => logs.push(p),
                Entry::Ignored(i) => ignored.push(i),
            }
        }
        SeriesFiles {
            patterns,
            logs,
            ignored,
            failed,
            origin,
            folder,
            listed,
        }
    }

    /// Builds the series from the results of reading [`SeriesFiles::patterns`] (in that order):
    /// one load for loose files, and for a folder one per group of `group.rs` (the main group
    /// first, each with a note saying how the folder was split). Files that failed, ignored
    /// files and the log's problems go with the first load; every load uses the same log, and
    /// an index log or a ramp per pattern counts each file's position in the listing.
    pub fn assemble(
        self,
        results: Vec<Result<FileData, LoadError>>,
        opts: &LoadOptions,
    ) -> Vec<SeriesLoad> {
        let read_log = |p: &Path| temperature::read_log_limited(p, opts.max_file_bytes);
        self.assemble_with_log(results, opts, &read_log)
    }

    /// The files of folder `dir` given as a listing (a live follower's settled files, say),
    /// classified as [`list_inputs`] classifies a folder's files, in natural file-name order.
    pub fn of_folder(dir: &Path, mut listed: Vec<PathBuf>) -> Self {
        listed.sort_by(|a, b| natural_cmp(&file_name(a), &file_name(b)));
        SeriesFiles::new(
            listed,
            Vec::new(),
            dir.display().to_string(),
            Some(dir.to_path_buf()),
        )
    }

    /// The temperature logs found among the files (the one used is chosen by
    /// [`SeriesFiles::assemble`]).
    pub fn logs(&self) -> &[PathBuf] {
        &self.logs
    }

    /// [`SeriesFiles::assemble`] with the temperature log read by `read_log` (a live follower
    /// reads only its complete lines).
    pub fn assemble_with_log(
        self,
        results: Vec<Result<FileData, LoadError>>,
        opts: &LoadOptions,
        read_log: &dyn Fn(&Path) -> Result<temperature::TemperatureLog, LoadError>,
    ) -> Vec<SeriesLoad> {
        let SeriesFiles {
            logs,
            mut ignored,
            failed: listing_failed,
            origin,
            folder,
            listed,
            ..
        } = self;
        let mut read = Read::from_results(results, &mut ignored);
        read.failed.extend(listing_failed);
        group::settle_inferred(&mut read.files);
        let (log, log_problems) =
            read_series_log(logs, &mut ignored, &mut read.failed, opts, read_log);
        let groups = match folder {
            Some(_) => {
                let keys: Vec<group::FileKey> = read.files.iter().map(file_key).collect();
                let sizes: Vec<usize> = read.files.iter().map(|f| f.0.patterns.len()).collect();
                group::split(&keys, &sizes)
            }
            None => vec![group::Group {
                files: (0..read.files.len()).collect(),
                label: String::new(),
            }],
        };
        let fallback = match &folder {
            Some(dir) => file_name(dir),
            None => {
                let parents: Vec<String> = listed
                    .iter()
                    .filter_map(|p| p.parent().map(file_name))
                    .filter(|n| !n.is_empty())
                    .collect();
                agreed(&parents).unwrap_or_else(|| "series".into())
            }
        };
        let split_notes = split_notes(&read, &groups, &origin);
        let mut loads = Vec::with_capacity(groups.len());
        for (n, (g, note)) in groups.iter().zip(split_notes).enumerate() {
            let mut load = build_series(&mut read, &g.files, log.as_ref(), opts, &origin);
            load.series.notes.extend(note);
            if load.series.sample.is_empty() {
                load.series.sample = if n == 0 {
                    fallback.clone()
                } else {
                    format!("{fallback} [{}]", g.label)
                };
            }
            if n == 0 {
                load.failed = std::mem::take(&mut read.failed);
                load.ignored = std::mem::take(&mut ignored);
                load.log_problems = log_problems.clone();
            }
            loads.push(load);
        }
        loads
    }
}

/// What was read for one series: each file's data with its position in the listing, and the
/// files that failed.
struct Read {
    files: Vec<(FileData, usize)>,
    failed: Vec<LoadError>,
}

impl Read {
    /// Sorts results: a file's position counts every file meant as a pattern, loaded or failed
    /// (never renumbered after a skip); a file that turned out not to be a pattern is ignored
    /// and takes no position.
    fn from_results(results: Vec<Result<FileData, LoadError>>, ignored: &mut Vec<Ignored>) -> Self {
        let mut read = Read {
            files: Vec::new(),
            failed: Vec::new(),
        };
        let mut position = 0;
        for r in results {
            match r {
                Ok(fd) => {
                    read.files.push((fd, position));
                    position += 1;
                }
                Err(LoadError::NotPattern { path, reason }) => {
                    ignored.push(Ignored { path, reason })
                }
                Err(e) => {
                    read.failed.push(e);
                    position += 1;
                }
            }
        }
        read
    }
}

fn file_key((fd, _): &(FileData, usize)) -> group::FileKey {
    let first = fd.patterns.first();
    group::FileKey {
        stem: first
            .and_then(|p| p.source.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        quantity: first.map_or(crate::model::Quantity::Unknown, |p| p.quantity),
        x_unit: first.map_or(crate::model::XUnit::QInvAngstrom, |p| p.x_unit),
        material: fd.composition.clone().or_else(|| fd.sample.clone()),
    }
}

/// The note each group carries when a folder was split (None when it was not).
fn split_notes(read: &Read, groups: &[group::Group], origin: &str) -> Vec<Option<String>> {
    if groups.len() < 2 {
        return vec![None; groups.len()];
    }
    let key_of = |g: &group::Group| g.files.first().map(|&i| file_key(&read.files[i]));
    let main_key = key_of(&groups[0]);
    let others: Vec<String> = groups[1..]
        .iter()
        .map(|g| format!("{} ({} file(s))", g.label, g.files.len()))
        .collect();
    let total: usize = groups.iter().map(|g| g.files.len()).sum();
    let mut notes = vec![Some(format!(
        "{MIXED_FOLDER_NOTE}{origin} was split into {} series by quantity, x unit, composition/sample, background file names and file-name family; this one holds {} of its {total} pattern files; the others: {}",
        groups.len(),
        groups[0].files.len(),
        others.join(", ")
    ))];
    for g in &groups[1..] {
        let why = match (key_of(g), &main_key) {
            (Some(k), Some(m)) => group::differences(&k, m).join("; "),
            _ => String::new(),
        };
        notes.push(Some(format!(
            "{MIXED_FOLDER_NOTE}split from {origin} (main series: {}, {} file(s)) because of: {why}",
            groups[0].label,
            groups[0].files.len()
        )));
    }
    notes
}

/// The temperature log of a series (the user's, else `temperatures.csv`, else the first found)
/// and its problems; other logs found are ignored with the reason.
fn read_series_log(
    logs: Vec<PathBuf>,
    ignored: &mut Vec<Ignored>,
    failed: &mut Vec<LoadError>,
    opts: &LoadOptions,
    read_log: &dyn Fn(&Path) -> Result<temperature::TemperatureLog, LoadError>,
) -> (Option<temperature::TemperatureLog>, Vec<Diagnostic>) {
    let log_path = opts.temperature_log.clone().or_else(|| {
        let preferred = logs
            .iter()
            .find(|p| file_name(p).eq_ignore_ascii_case("temperatures.csv"))
            .or(logs.first())
            .cloned();
        for other in logs.iter().filter(|l| Some(*l) != preferred.as_ref()) {
            ignored.push(Ignored {
                path: other.clone(),
                reason: "second temperature log in the folder: not used".into(),
            });
        }
        preferred
    });
    if opts.temperature_log.is_some()
        && let Some(found) = logs.first()
    {
        ignored.push(Ignored {
            path: found.clone(),
            reason: "temperature log in the folder: the one given with --temps is used instead"
                .into(),
        });
    }
    let Some(p) = log_path else {
        return (None, Vec::new());
    };
    match read_log(&p) {
        Ok(l) => {
            let problems = l.problems.clone();
            (Some(l), problems)
        }
        Err(e) => {
            failed.push(e);
            (None, Vec::new())
        }
    }
}

/// Lists every input: one series per folder, one for the loose files (in the order given).
pub fn list_inputs(paths: &[PathBuf]) -> Vec<SeriesFiles> {
    let mut out = Vec::new();
    let mut loose = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if p.is_dir() {
            let (files, failed) = list_folder(p);
            out.push(SeriesFiles::new(
                files,
                failed,
                p.display().to_string(),
                Some(p.to_path_buf()),
            ));
        } else if p.exists() {
            loose.push(p.clone());
        } else {
            missing.push(LoadError::Io {
                path: p.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
    }
    if !loose.is_empty() || !missing.is_empty() {
        out.push(SeriesFiles::new(loose, missing, "files given".into(), None));
    }
    out
}

/// Builds one series from some of the files read (indices into `read.files`), moving their
/// patterns out (the groups of a folder share no file).
fn build_series(
    read: &mut Read,
    members: &[usize],
    log: Option<&temperature::TemperatureLog>,
    opts: &LoadOptions,
    origin: &str,
) -> SeriesLoad {
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut cands: Vec<temperature::Candidates> = Vec::new();
    let mut samples: Vec<String> = Vec::new();
    let mut compositions: Vec<String> = Vec::new();
    for &m in members {
        let (fd, position) = &mut read.files[m];
        samples.extend(fd.sample.clone());
        compositions.extend(fd.composition.clone());
        for p in std::mem::take(&mut fd.patterns) {
            cands.push(temperature::Candidates {
                header: fd.header_temperature.clone(),
                file_name: fd.file_name_temperature,
                position: Some(*position),
            });
            patterns.push(p);
        }
    }
    for (i, p) in patterns.iter_mut().enumerate() {
        p.index = i;
    }
    let mut notes = temperature::resolve(
        &mut patterns,
        &cands,
        log,
        opts.ramp.as_ref(),
        opts.temperature_source,
    );
    let sample = agreed(&samples).unwrap_or_default();
    let composition = agreed(&compositions);
    let mut series = HeatingSeries::new(sample, composition, patterns);
    if !series.grids_identical() {
        notes.push("patterns are on different x grids (the common-grid view interpolates)".into());
    }
    let (cooling, repeated) = series.cooling_and_repeated();
    if cooling > 0 {
        notes.push(format!(
            "{cooling} pattern(s) in cooling segments (kept in acquisition order)"
        ));
    }
    if repeated > 0 {
        notes.push(format!(
            "{repeated} pattern(s) repeat an earlier temperature (kept)"
        ));
    }
    series.notes = notes;
    SeriesLoad {
        series,
        failed: Vec::new(),
        ignored: Vec::new(),
        log: log.map(|l| l.path.clone()),
        log_problems: Vec::new(),
        origin: origin.to_string(),
    }
}

/// The value all entries agree on (None when empty or when they differ).
fn agreed(values: &[String]) -> Option<String> {
    let first = values.first()?;
    values.iter().all(|v| v == first).then(|| first.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers() {
        let mut v = vec!["p10.xy", "p2.xy", "p1.xy", "P3.xy", "p02.xy"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["p1.xy", "p02.xy", "p2.xy", "P3.xy", "p10.xy"]);
        let mut t = vec!["1050K.gr", "300K.gr", "550K.gr"];
        t.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(t, vec!["300K.gr", "550K.gr", "1050K.gr"]);
    }

    #[test]
    fn documents_and_archives_are_ignored_with_a_reason() {
        assert!(ignore_reason(Path::new("PROVENANCE.md")).is_some_and(|r| r.contains("document")));
        assert!(ignore_reason(Path::new("a.zip")).is_some_and(|r| r.contains("archive")));
        assert!(ignore_reason(Path::new("meta.json")).is_some());
        assert!(ignore_reason(Path::new("x.npy")).is_some());
        assert!(ignore_reason(Path::new("a.xy")).is_none());
        assert!(ignore_reason(Path::new("a.gr")).is_none());
    }
}
