//! Where a run's outputs go and how they are installed. Each series' `metrics.csv`,
//! `summary.json` and `gr/` are written into a temporary folder beside their target and swapped
//! in whole ([`crate::engine::write::StagedDir`]), so a re-run leaves no stale file (a `gr` of a
//! pattern no longer there) and a failure leaves the previous set. Names are unique and stable:
//! two series named `AC` go to `AC` and `AC-2`, two patterns of stem `scan` to `scan.gr` and
//! `scan-2.gr`, each time with a note saying so.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::load::LoadReport;
use super::{ReportError, gr, metrics_csv, safe_name, summary};
use crate::analysis::series::SeriesAnalysis;
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

/// The folder of each series of a run, with notes for names made unique: `out` itself for one
/// series, `out/<sample>` for several (`AC`, `AC-2` for two samples named AC).
pub fn series_dirs(out: &Path, samples: &[&str]) -> (Vec<PathBuf>, Vec<String>) {
    if samples.len() == 1 {
        return (vec![out.to_path_buf()], Vec::new());
    }
    let wanted: Vec<String> = samples.iter().map(|s| safe_name(s)).collect();
    let given = unique_names(wanted.clone());
    let notes = renaming_notes("series", &wanted, &given);
    (given.iter().map(|n| out.join(n)).collect(), notes)
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
    let foreign = |entry: String| ReportError::NotOutputs {
        path: dir.to_path_buf(),
        entry,
    };
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return Ok(()); // not there yet
    };
    if !meta.is_dir() {
        return Err(foreign("a file, not a folder".into()));
    }
    let entries = std::fs::read_dir(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let ok = match name.as_str() {
            "gr" => is_dir,
            "metrics.csv" | "summary.json" => !is_dir,
            _ if is_staging_leftover(&name) => true,
            _ => series_folders && is_dir && check_folder(&entry.path(), false).is_ok(),
        };
        if !ok {
            return Err(foreign(format!("`{name}`")));
        }
    }
    Ok(())
}

/// What [`write_series`] has to write.
pub struct SeriesOutputs<'a> {
    pub series: &'a HeatingSeries,
    pub analysis: &'a SeriesAnalysis,
    pub load: &'a LoadReport,
    /// The files skipped, as text (the `skipped_files` of `summary.json`).
    pub skipped: &'a [String],
}

/// Writes one series' outputs into a temporary folder beside `dir` and swaps it in whole.
/// Returns notes (names made unique). On an error the previous folder is left as it was and
/// nothing temporary remains.
pub fn write_series(dir: &Path, out: &SeriesOutputs<'_>) -> Result<Vec<String>, ReportError> {
    check_replaceable(dir)?;
    let staged = StagedDir::new(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let root = staged.path().to_path_buf();
    // Errors name the file where it will be, not the temporary folder.
    let shown = |p: &Path| dir.join(p.strip_prefix(&root).unwrap_or(p));
    let (series, a) = (out.series, out.analysis);
    std::fs::create_dir(root.join("gr")).map_err(|source| ReportError::CreateDir {
        path: dir.join("gr"),
        source,
    })?;
    let csv = metrics_csv(series, a).map_err(|source| ReportError::Csv {
        path: dir.join("metrics.csv"),
        source,
    })?;
    let json = summary::summary_json(series, out.skipped, out.load, a).map_err(|source| {
        ReportError::Json {
            path: dir.join("summary.json"),
            source,
        }
    })?;
    let with_gr: Vec<_> = series
        .patterns
        .iter()
        .zip(&a.patterns)
        .filter_map(|(p, pa)| pa.real_space.as_ref().map(|rs| (p, pa, rs)))
        .collect();
    let wanted: Vec<String> = with_gr.iter().map(|(p, _, _)| gr::gr_name(p)).collect();
    let names = unique_names(wanted.clone());
    // Plain writes: the staged folder is synced once, when it is installed.
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).map_err(|source| ReportError::Write {
            path: shown(&path),
            source,
        })
    };
    write(root.join("metrics.csv"), &csv)?;
    write(root.join("summary.json"), json.as_bytes())?;
    for ((p, pa, rs), name) in with_gr.iter().zip(&names) {
        let text = gr::gr_file(series, p, pa, rs, &a.params);
        write(root.join("gr").join(name), text.as_bytes())?;
    }
    staged.commit().map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(renaming_notes("patterns' G(r) files", &wanted, &names))
}

/// After several series were written into `out/<sample>/`, removes the top-level outputs a
/// one-series run left in `out` (its `metrics.csv`, `summary.json` and `gr/`), so the two
/// layouts never mix. Only a `summary.json` that glassray wrote counts.
pub fn remove_single_series_layout(out: &Path) -> Result<(), ReportError> {
    let summary = out.join("summary.json");
    let ours = std::fs::read_to_string(&summary)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("glassray_version").is_some());
    if !ours {
        return Ok(());
    }
    let remove = |path: PathBuf, r: std::io::Result<()>| match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(ReportError::Write { path, source: e })
        }
        _ => Ok(()),
    };
    remove(out.join("gr"), std::fs::remove_dir_all(out.join("gr")))?;
    remove(
        out.join("metrics.csv"),
        std::fs::remove_file(out.join("metrics.csv")),
    )?;
    remove(summary.clone(), std::fs::remove_file(&summary))
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
        let (dirs, notes) = series_dirs(Path::new("out"), &["AC", "AC"]);
        assert_eq!(dirs, [Path::new("out/AC"), Path::new("out/AC-2")]);
        assert_eq!(notes.len(), 1);
        let (dirs, notes) = series_dirs(Path::new("out"), &["AC"]);
        assert_eq!(dirs, [Path::new("out")]);
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
