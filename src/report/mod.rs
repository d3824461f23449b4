//! Writing results: for an analysed series `metrics.csv` ([`metrics`]), `summary.json`
//! ([`summary`], with what the load reported: [`load`]) and `gr/` ([`gr`]), shared by
//! `glassray analyze` and the app's export, each series' folder installed whole
//! ([`outputs`]); and the demo series as pattern files ([`demo_files`], each written
//! atomically by `engine::write`).

pub mod demo_files;
pub mod figures;
pub mod gr;
pub mod load;
pub mod metrics;
pub mod number;
pub mod outputs;
pub mod reduced;
pub mod summary;

use std::path::PathBuf;

pub use load::LoadReport;
pub use metrics::{METRICS_COLUMNS, metrics_csv};
pub use outputs::{SeriesOutputs, StagedRun, check_replaceable, series_folders, write_series};

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
    /// The target would be replaced whole, but holds something glassray did not write.
    #[error(
        "{} holds {entry}, which is not an output of glassray, and the outputs replace the folder whole: give a new or empty folder, or one glassray wrote",
        path.display()
    )]
    NotOutputs { path: PathBuf, entry: String },
}
