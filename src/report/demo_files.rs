//! The demo series as files: `<sample>/<sample>_NNNN.xy` (two columns with a `#` header of
//! `key = value` lines, then a column-name line) and `<sample>/temperatures.csv`
//! (`index,filename,T_K,time_s`), and `<sample>/truth.json`: what the model planted (the
//! sample's T_r, T_g, T_x and, at every temperature, the connection-mode fractions, centres,
//! width, baseline under the modes, ρ0 and crystalline share). Numbers are written with Rust's shortest round-trip
//! formatting, so reading the files back gives exactly the same `f64` values.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::number::push_f64;
use crate::demo::DemoTruth;
use crate::engine::write::write_atomic;
use crate::model::{HeatingSeries, Pattern};

/// Why the demo files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoFilesError {
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
    Csv { path: PathBuf, source: csv::Error },
    #[error("cannot encode {}: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// A two-column pattern text with a `#` header of `key = value` lines, then a column-name line.
pub fn pattern_text(pattern: &Pattern, header: &[(String, String)]) -> String {
    let mut s = String::with_capacity(pattern.x.len() * 40 + 256);
    for (k, v) in header {
        let _ = writeln!(s, "# {k} = {v}");
    }
    let x_name = match pattern.x_unit {
        crate::model::XUnit::QInvAngstrom => "Q(A^-1)",
        crate::model::XUnit::RAngstrom => "r(A)",
        crate::model::XUnit::TwoThetaDeg => "2theta(deg)",
    };
    let _ = writeln!(s, "# {x_name} {}", pattern.quantity.label());
    for (&x, &y) in pattern.x.iter().zip(&pattern.y) {
        push_f64(&mut s, x);
        s.push(' ');
        push_f64(&mut s, y);
        s.push('\n');
    }
    s
}

/// The file name of a demo pattern: `<sample>_NNNN.xy`.
pub fn demo_file_name(series: &HeatingSeries, p: &Pattern) -> String {
    format!("{}_{:04}.xy", series.sample, p.index)
}

/// The header of a demo pattern file: sample, composition, T, time, source and ρ0.
pub fn demo_header(series: &HeatingSeries, p: &Pattern) -> Vec<(String, String)> {
    let kelvin = p.kelvin().unwrap_or(f64::NAN);
    let time = p.time_s.unwrap_or(f64::NAN);
    let mut header = vec![
        ("sample".to_string(), series.sample.clone()),
        (
            "composition".to_string(),
            series.composition.clone().unwrap_or_default(),
        ),
        ("T".to_string(), format!("{kelvin} K")),
        ("time".to_string(), format!("{time} s")),
        (
            "source".to_string(),
            "Glassray synthetic demo model (glassray::demo)".to_string(),
        ),
    ];
    // The model's own number density at this temperature (thermal expansion lowers it),
    // which the analysis reads from the header exactly as the app uses it.
    if let Some(rho) = p.metadata_number("rho0") {
        header.push(("rho0".to_string(), format!("{rho}")));
    }
    header
}

/// Writes each series as `out/<sample>/<sample>_NNNN.xy` plus `out/<sample>/temperatures.csv`
/// (`index,filename,T_K,time_s`), and the truth planted in a sample, when there is one for it
/// (matched by sample name), as `out/<sample>/truth.json`. Returns the number of pattern files.
pub fn write_demo(
    out: &Path,
    all: &[HeatingSeries],
    truths: &[DemoTruth],
) -> Result<usize, DemoFilesError> {
    let mut count = 0;
    for series in all {
        let dir = out.join(&series.sample);
        std::fs::create_dir_all(&dir).map_err(|source| DemoFilesError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        let mut log = csv::Writer::from_writer(Vec::new());
        let csv_error = |source| DemoFilesError::Csv {
            path: dir.join("temperatures.csv"),
            source,
        };
        log.write_record(["index", "filename", "T_K", "time_s"])
            .map_err(csv_error)?;
        for p in &series.patterns {
            let name = demo_file_name(series, p);
            let kelvin = p.kelvin().unwrap_or(f64::NAN);
            let time = p.time_s.unwrap_or(f64::NAN);
            let header = demo_header(series, p);
            let text = pattern_text(p, &header);
            let path = dir.join(&name);
            write_atomic(&path, text.as_bytes())
                .map_err(|source| DemoFilesError::Write { path, source })?;
            log.write_record([
                p.index.to_string(),
                name,
                kelvin.to_string(),
                time.to_string(),
            ])
            .map_err(csv_error)?;
            count += 1;
        }
        let bytes = log
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        let path = dir.join("temperatures.csv");
        write_atomic(&path, &bytes).map_err(|source| DemoFilesError::Write { path, source })?;
        if let Some(truth) = truths.iter().find(|t| t.sample == series.sample) {
            let path = dir.join("truth.json");
            let mut bytes =
                serde_json::to_vec_pretty(truth).map_err(|source| DemoFilesError::Json {
                    path: path.clone(),
                    source,
                })?;
            bytes.push(b'\n');
            write_atomic(&path, &bytes).map_err(|source| DemoFilesError::Write { path, source })?;
        }
    }
    Ok(count)
}
