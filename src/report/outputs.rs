//! Where a run's outputs go and how they are installed. A run's `metrics.csv`, `summary.json`
//! and `gr/` (one set, or one per series under `<sample>/`) are written into a temporary folder
//! beside the output folder and swapped in whole at the end ([`StagedRun`], on
//! [`crate::engine::write::StagedDir`]), so a re-run leaves no stale file (a `gr` of a pattern
//! no longer there, a series no longer given) and a crash, a failed write or a second run leaves
//! the previous complete set or the new one. Names are unique and stable: two series named `AC`
//! go to `AC` and `AC-2`, two patterns of stem `scan` to `scan.gr` and `scan-2.gr`, each time
//! with a note saying so.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::load::LoadReport;
use super::metrics::metrics_csv_with;
use super::{ReportError, gr, safe_name, summary};
use crate::analysis::series::SeriesAnalysis;
use crate::engine::reduce::{ReductionRecord, SeriesReduction};
use crate::engine::write::StagedDir;
use crate::model::HeatingSeries;

/// What a series folder holds; a folder with only these (or nothing) may be replaced whole.
pub const OUTPUT_NAMES: [&str; 3] = ["metrics.csv", "summary.json", "gr"];

/// `name` with `-k` before its extension (`scan.gr` → `scan-2.gr`, `AC` → `AC-2`).
fn numbered(name: &str, k: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-{k}.{ext}"),
        _ => format!("{name}-{k}"),
    }
}

/// Unique names in order: the first of a name keeps it, the next ones get `-2`, `-3`, …
/// (compared without case, since some file systems ignore it).
pub fn unique_names<I: IntoIterator<Item = String>>(names: I) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for name in names {
        let mut candidate = name.clone();
        let mut k = 1;
        while taken.contains(&candidate.to_lowercase()) {
            k += 1;
            candidate = numbered(&name, k);
        }
        taken.insert(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

/// Notes for the names that had to change: `what `X` ×n: written as X, X-2`.
fn renaming_notes(what: &str, wanted: &[String], given: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (w, _) in wanted.iter().zip(given).filter(|(w, g)| w != g) {
        if !seen.insert(w.clone()) {
            continue;
        }
        let same: Vec<&str> = wanted
            .iter()
            .zip(given)
            .filter(|(x, _)| x.to_lowercase() == w.to_lowercase())
            .map(|(_, g)| g.as_str())
            .collect();
        notes.push(format!(
            "{} {what} share the name `{w}`: written as {}",
            same.len(),
            same.join(", ")
        ));
    }
    notes
}

/// The folder of each series of a run, relative to the output folder, with notes for names
/// made unique: the output folder itself (an empty path) for one series, `<sample>` for several
/// (`AC`, `AC-2` for two samples named AC).
pub fn series_folders(samples: &[&str]) -> (Vec<PathBuf>, Vec<String>) {
    if samples.len() == 1 {
        return (vec![PathBuf::new()], Vec::new());
    }
    let wanted: Vec<String> = samples.iter().map(|s| safe_name(s)).collect();
    let given = unique_names(wanted.clone());
    let notes = renaming_notes("series", &wanted, &given);
    (given.into_iter().map(PathBuf::from).collect(), notes)
}

/// Whether an entry of an output folder is a temporary folder glassray left (a killed run).
fn is_staging_leftover(name: &str) -> bool {
    name.starts_with('.') && name.contains(".glassray-")
}

/// Refuses a target that holds anything but outputs of an earlier run (`metrics.csv`,
/// `summary.json`, `gr/`, and series folders of those), since it is replaced whole.
pub fn check_replaceable(dir: &Path) -> Result<(), ReportError> {
    check_folder(dir, true)
}

fn check_folder(dir: &Path, series_folders: bool) -> Result<(), ReportError> {
    let ours = |name: &str, is_dir: bool, path: &Path| match name {
        "gr" => is_dir,
        "metrics.csv" | "summary.json" => !is_dir,
        _ => series_folders && is_dir && check_folder(path, false).is_ok(),
    };
    match foreign_entry(dir, &ours) {
        Ok(None) => Ok(()),
        Ok(Some(entry)) => Err(ReportError::NotOutputs {
            path: dir.to_path_buf(),
            entry,
        }),
        Err(source) => Err(ReportError::CreateDir {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// What in `dir` was not written by glassray, for a folder about to be replaced whole: the
/// first entry `ours(name, is_dir, path)` rejects (`` `name` ``; staging leftovers are always
/// ours), "a file, not a folder", or None (absent, or only ours).
pub(crate) fn foreign_entry(
    dir: &Path,
    ours: &dyn Fn(&str, bool, &Path) -> bool,
) -> std::io::Result<Option<String>> {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return Ok(None); // not there yet
    };
    if !meta.is_dir() {
        return Ok(Some("a file, not a folder".into()));
    }
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !(is_staging_leftover(&name) || ours(&name, is_dir, &entry.path())) {
            return Ok(Some(format!("`{name}`")));
        }
    }
    Ok(None)
}

/// What [`write_series`] has to write.
pub struct SeriesOutputs<'a> {
    pub series: &'a HeatingSeries,
    pub analysis: &'a SeriesAnalysis,
    pub load: &'a LoadReport,
    /// The files skipped, as text (the `skipped_files` of `summary.json`).
    pub skipped: &'a [String],
}

/// A run's outputs being written beside the output folder, installed whole by
/// [`StagedRun::commit`]; dropped without a commit, it removes itself and leaves the old set.
pub struct StagedRun {
    staged: StagedDir,
    out: PathBuf,
}

impl StagedRun {
    /// Checks that `out` may be replaced ([`check_replaceable`]) and stages an empty folder
    /// beside it.
    pub fn new(out: &Path) -> Result<Self, ReportError> {
        check_replaceable(out)?;
        let staged = StagedDir::new(out).map_err(|source| ReportError::CreateDir {
            path: out.to_path_buf(),
            source,
        })?;
        Ok(StagedRun {
            staged,
            out: out.to_path_buf(),
        })
    }

    /// Writes one series' outputs into `folder` (relative to the output folder, as
    /// [`series_folders`] gives it). Returns notes (G(r) names made unique).
    pub fn write(
        &self,
        folder: &Path,
        outputs: &SeriesOutputs<'_>,
    ) -> Result<Vec<String>, ReportError> {
        self.write_with(folder, outputs, None)
    }

    /// [`StagedRun::write`] for a series reduced from I(Q) (`reduction`: its settings and
    /// results), or not.
    pub fn write_with(
        &self,
        folder: &Path,
        outputs: &SeriesOutputs<'_>,
        reduction: Option<(&ReductionRecord, &SeriesReduction)>,
    ) -> Result<Vec<String>, ReportError> {
        write_series_files(
            &self.staged.path().join(folder),
            &self.out.join(folder),
            outputs,
            reduction,
        )
    }

    /// Installs the staged outputs in place of the output folder, whole.
    pub fn commit(self) -> Result<(), ReportError> {
        self.staged.commit().map_err(|source| ReportError::Write {
            path: self.out,
            source,
        })
    }
}

/// Writes one series' outputs into `dir` alone, replacing it whole (the app's export): staged
/// beside it and swapped in. Returns notes (names made unique). On an error the previous folder
/// is left as it was and nothing temporary remains.
pub fn write_series(dir: &Path, out: &SeriesOutputs<'_>) -> Result<Vec<String>, ReportError> {
    let run = StagedRun::new(dir)?;
    let notes = run.write(Path::new(""), out)?;
    run.commit()?;
    Ok(notes)
}

/// Writes `metrics.csv`, `summary.json` and `gr/` into `root` (created), naming files in errors
/// as if under `shown_dir`, where they will be installed.
fn write_series_files(
    root: &Path,
    shown_dir: &Path,
    out: &SeriesOutputs<'_>,
    reduction: Option<(&ReductionRecord, &SeriesReduction)>,
) -> Result<Vec<String>, ReportError> {
    let dir = shown_dir;
    // Errors name the file where it will be, not the temporary folder.
    let shown = |p: &Path| dir.join(p.strip_prefix(root).unwrap_or(p));
    let (series, a) = (out.series, out.analysis);
    std::fs::create_dir_all(root.join("gr")).map_err(|source| ReportError::CreateDir {
        path: dir.join("gr"),
        source,
    })?;
    let reduced = reduction.map(|(_, r)| r.patterns.as_slice());
    let with_gr: Vec<_> = series
        .patterns
        .iter()
        .zip(&a.patterns)
        .filter_map(|(p, pa)| pa.real_space.as_ref().map(|rs| (p, pa, rs)))
        .collect();
    let wanted: Vec<String> = with_gr.iter().map(|(p, _, _)| gr::gr_name(p)).collect();
    let names = unique_names(wanted.clone());
    // The G(r) files (most of the bytes) formatted and written in parallel, beside the two
    // tables; errors are reported in the order the files were once written one after another
    // (metrics.csv, summary.json, then gr/), and any error drops the whole staged set.
    let jobs: Vec<_> = with_gr.iter().zip(&names).collect();
    // The r column is mostly one grid for the whole series: its text is made once.
    let r_column = with_gr.first().map(|(_, _, rs)| gr::RColumn::new(&rs.r));
    let ((csv, json), gr_written) = crate::engine::write::join(
        || {
            let csv = metrics_csv_with(series, a, reduced);
            let json = summary::summary_json_with(series, out.skipped, out.load, a, reduction);
            (csv, json)
        },
        || {
            crate::engine::write::write_each(&jobs, &|&(&(p, pa, rs), name)| {
                let text = gr::gr_file_with(series, p, pa, rs, &a.params, r_column.as_ref());
                (root.join("gr").join(name), text)
            })
        },
    );
    let csv = csv.map_err(|source| ReportError::Csv {
        path: dir.join("metrics.csv"),
        source,
    })?;
    let json = json.map_err(|source| ReportError::Json {
        path: dir.join("summary.json"),
        source,
    })?;
    // Plain writes: the staged folder is synced once, when it is installed.
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).map_err(|source| ReportError::Write {
            path: shown(&path),
            source,
        })
    };
    write(root.join("metrics.csv"), &csv)?;
    write(root.join("summary.json"), json.as_bytes())?;
    gr_written.map_err(|(path, source)| ReportError::Write {
        path: shown(&path),
        source,
    })?;
    Ok(renaming_notes("patterns' G(r) files", &wanted, &names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique_in_order_and_said_so() {
        let names = |v: &[&str]| unique_names(v.iter().map(|s| s.to_string()));
        assert_eq!(names(&["AC", "CR", "AC"]), ["AC", "CR", "AC-2"]);
        assert_eq!(
            names(&["scan.gr", "scan.gr", "SCAN.gr", "scan-2.gr"]),
            ["scan.gr", "scan-2.gr", "SCAN-3.gr", "scan-2-2.gr"]
        );
        let wanted: Vec<String> = ["a.gr", "b.gr", "a.gr"].map(String::from).to_vec();
        let given = unique_names(wanted.clone());
        assert_eq!(
            renaming_notes("patterns' G(r) files", &wanted, &given),
            ["2 patterns' G(r) files share the name `a.gr`: written as a.gr, a-2.gr"]
        );
        let (dirs, notes) = series_folders(&["AC", "AC"]);
        assert_eq!(dirs, [Path::new("AC"), Path::new("AC-2")]);
        assert_eq!(notes.len(), 1);
        let (dirs, notes) = series_folders(&["AC"]);
        assert_eq!(dirs, [Path::new("")]);
        assert!(notes.is_empty());
    }

    #[test]
    fn only_folders_of_outputs_may_be_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        assert!(check_replaceable(&out).is_ok(), "not there yet");
        std::fs::create_dir_all(out.join("gr")).expect("gr");
        std::fs::create_dir_all(out.join("AC/gr")).expect("AC");
        std::fs::write(out.join("summary.json"), "{}").expect("summary");
        std::fs::write(out.join("AC/metrics.csv"), "").expect("metrics");
        assert!(check_replaceable(&out).is_ok());
        std::fs::write(out.join("AC/notes.txt"), "mine").expect("notes");
        let err = check_replaceable(&out).expect_err("a user's file");
        assert!(err.to_string().contains("`AC`"), "{err}");
        std::fs::remove_file(out.join("AC/notes.txt")).expect("rm");
        std::fs::write(out.join("thesis.tex"), "mine").expect("tex");
        let err = check_replaceable(&out).expect_err("a user's file");
        assert!(err.to_string().contains("`thesis.tex`"), "{err}");
    }
}
