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
pub mod header;
pub mod temperature;
pub mod text;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use formats::{FileData, Format, ReadOptions, XUnitOverride, read_bytes, read_file};
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

/// Options for loading a series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadOptions {
    pub read: ReadOptions,
    /// A temperature log CSV given by the user (wins over one found in a folder).
    pub temperature_log: Option<PathBuf>,
    pub ramp: Option<Ramp>,
    /// Use only this temperature source.
    pub temperature_source: Option<SourceKind>,
}

/// One series and everything that happened while loading it.
#[derive(Debug)]
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

    /// Builds the series from the results of reading [`SeriesFiles::patterns`] (in that order).
    pub fn assemble(
        self,
        results: Vec<Result<FileData, LoadError>>,
        opts: &LoadOptions,
    ) -> SeriesLoad {
        let mut load = assemble(results, self.logs, self.ignored, opts, self.origin);
        load.failed.extend(self.failed);
        if load.series.sample.is_empty() {
            load.series.sample = match &self.folder {
                Some(dir) => file_name(dir),
                None => {
                    let parents: Vec<String> = self
                        .listed
                        .iter()
                        .filter_map(|p| p.parent().map(file_name))
                        .filter(|n| !n.is_empty())
                        .collect();
                    agreed(&parents).unwrap_or_else(|| "series".into())
                }
            };
        }
        load
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

/// Builds a series from per-file results.
fn assemble(
    results: Vec<Result<FileData, LoadError>>,
    logs: Vec<PathBuf>,
    mut ignored: Vec<Ignored>,
    opts: &LoadOptions,
    origin: String,
) -> SeriesLoad {
    let mut failed = Vec::new();
    let mut patterns: Vec<Pattern> = Vec::new();
    let mut cands: Vec<temperature::Candidates> = Vec::new();
    let mut samples: Vec<String> = Vec::new();
    let mut compositions: Vec<String> = Vec::new();
    for r in results {
        match r {
            Ok(fd) => {
                samples.extend(fd.sample.clone());
                compositions.extend(fd.composition.clone());
                for p in fd.patterns {
                    cands.push(temperature::Candidates {
                        header: fd.header_temperature.clone(),
                        file_name: fd.file_name_temperature,
                    });
                    patterns.push(p);
                }
            }
            Err(LoadError::NotPattern { path, reason }) => ignored.push(Ignored { path, reason }),
            Err(e) => failed.push(e),
        }
    }
    for (i, p) in patterns.iter_mut().enumerate() {
        p.index = i;
    }

    let mut notes = Vec::new();
    let mut log_problems = Vec::new();
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
    let log = match &log_path {
        Some(p) => match temperature::read_log(p) {
            Ok(l) => {
                log_problems.extend(l.problems.iter().cloned());
                Some(l)
            }
            Err(e) => {
                failed.push(e);
                None
            }
        },
        None => None,
    };
    if opts.temperature_log.is_some()
        && let Some(found) = logs.first()
    {
        ignored.push(Ignored {
            path: found.clone(),
            reason: "temperature log in the folder: the one given with --temps is used instead"
                .into(),
        });
    }
    notes.extend(temperature::resolve(
        &mut patterns,
        &cands,
        log.as_ref(),
        opts.ramp.as_ref(),
        opts.temperature_source,
    ));

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
        failed,
        ignored,
        log: log.map(|l| l.path),
        log_problems,
        origin,
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
