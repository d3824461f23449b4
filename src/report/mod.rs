//! Writing results: for an analysed series `metrics.csv` ([`metrics`]), `summary.json`
//! ([`summary`]) and `gr/` ([`gr`]), shared by `glassray analyze` and the app's export; and the
//! demo series as pattern files ([`demo_files`]). Every file is written atomically
//! (`engine::write`).

pub mod demo_files;
pub mod gr;
pub mod metrics;
pub mod summary;

use std::path::{Path, PathBuf};

pub use metrics::{METRICS_COLUMNS, metrics_csv};

use crate::analysis::series::SeriesAnalysis;
use crate::engine::write;
use crate::model::HeatingSeries;

/// A file-system-safe version of a sample name.
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "series".into() } else { s }
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {}: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot encode {}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
}

fn write_file(path: PathBuf, contents: &[u8]) -> Result<(), ReportError> {
    write::write_atomic(&path, contents).map_err(|source| ReportError::Write { path, source })
}

/// Writes metrics.csv, summary.json and gr/ for one analysed series.
/// `skipped` lists the files of the series that could not be read (for the summary).
pub fn write_outputs(
    dir: &Path,
    series: &HeatingSeries,
    skipped: &[String],
    a: &SeriesAnalysis,
) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir.join("gr")).map_err(|source| ReportError::CreateDir {
        path: dir.join("gr"),
        source,
    })?;
    let path = dir.join("metrics.csv");
    let csv = metrics_csv(series, a).map_err(|source| ReportError::Csv {
        path: path.clone(),
        source,
    })?;
    write_file(path, &csv)?;
    let path = dir.join("summary.json");
    let json = summary::summary_json(series, skipped, a).map_err(|source| ReportError::Json {
        path: path.clone(),
        source,
    })?;
    write_file(path, json.as_bytes())?;
    for (p, pa) in series.patterns.iter().zip(&a.patterns) {
        let Some(rs) = &pa.real_space else { continue };
        let text = gr::gr_file(series, p, pa, rs, &a.params);
        write_file(dir.join("gr").join(gr::gr_name(p)), text.as_bytes())?;
    }
    Ok(())
}
