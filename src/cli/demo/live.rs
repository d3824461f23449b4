//! `glassray demo --live DIR [--rate N] [--sample AC]`: a simulated experiment. One sample's
//! demo series lands in DIR at N patterns per second, each file written as detector software
//! writes it (the header first, flushed, the rows a moment later), and `temperatures.csv`
//! growing by one line (`index,filename,T_K,time_s`) once each pattern is complete — so
//! `glassray watch DIR` (or a class) can follow an "experiment" as it happens. With
//! `--intensity` the files are raw intensities I(Q), and the empty-cell background is written
//! first as `DIR/background/empty-cell.xy` (a sub-folder, which a followed folder ignores).

use std::path::Path;
use std::process::ExitCode;

use super::super::{Printer, UsageError, warn};
use glassray::demo::{COMPOSITION, DemoConfig, SAMPLES};
use glassray::engine::live::simulate::{PacedFile, write_paced};
use glassray::report::demo_files::{demo_file_name, demo_header, pattern_text};

/// The log the demo grows (the name a folder load prefers).
const LOG: &str = "temperatures.csv";

/// Where `--intensity` puts the empty-cell background, under DIR.
const BACKGROUND: &str = "background/empty-cell.xy";

/// `intensity`: raw I(Q) with the empty cell; `first`: only that many patterns.
pub fn run(
    dir: &Path,
    rate: f64,
    sample: &str,
    (intensity, first): (bool, Option<usize>),
) -> Result<ExitCode, UsageError> {
    if !(rate.is_finite() && rate > 0.0 && rate <= 1000.0) {
        return Err(UsageError(format!(
            "--rate {rate}: give patterns per second, more than 0 and at most 1000"
        )));
    }
    let Some(k) = SAMPLES
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case(sample))
    else {
        let names: Vec<&str> = SAMPLES.iter().map(|s| s.name).collect();
        return Err(UsageError(format!(
            "--sample {sample}: the demo has {}",
            names.join(", ")
        )));
    };
    let config = DemoConfig::default();
    let Some(all) = super::demo_series_all(&config, intensity) else {
        return Ok(ExitCode::from(1));
    };
    let Some(mut series) = all.into_iter().nth(k) else {
        return Err(UsageError(format!("--sample {sample}: not in the demo")));
    };
    if let Some(n) = first {
        series.patterns.truncate(n.max(1));
    }
    let mut printer = Printer::new();
    if intensity {
        let background = dir.join(BACKGROUND);
        if let Err(e) = super::write_empty_cell(&background, &config) {
            warn(format!("error: {e}"));
            return Ok(ExitCode::from(1));
        }
        printer.line(format!(
            "raw intensities I(Q); follow them with: glassray watch {} --composition {COMPOSITION} \
             --background {} --out results",
            dir.display(),
            background.display()
        ));
    }
    match write_live(dir, &series, rate, &mut printer) {
        Ok(()) => {
            printer.line(format!(
                "wrote {} patterns of {} to {}",
                series.len(),
                series.sample,
                dir.display()
            ));
            Ok(if printer.finish() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(e) => {
            warn(format!("error: {e}"));
            Ok(ExitCode::from(1))
        }
    }
}

/// Writes the series file by file at `rate` per second; errors name the file.
fn write_live(
    dir: &Path,
    series: &glassray::model::HeatingSeries,
    rate: f64,
    printer: &mut Printer,
) -> Result<(), String> {
    let files: Vec<PacedFile> = series
        .patterns
        .iter()
        .map(|p| {
            let name = demo_file_name(series, p);
            let text = pattern_text(p, &demo_header(series, p));
            let kelvin = p.kelvin().unwrap_or(f64::NAN);
            let time = p.time_s.unwrap_or(f64::NAN);
            PacedFile {
                log_line: format!("{},{name},{kelvin},{time}", p.index),
                header_len: header_end(&text),
                name,
                text,
            }
        })
        .collect();
    printer.line(format!(
        "writing {} patterns of {} into {} at {rate} per second",
        series.len(),
        series.sample,
        dir.display()
    ));
    write_paced(
        dir,
        (LOG, "index,filename,T_K,time_s"),
        &files,
        rate,
        &|_| {},
    )
    .map_err(|e| e.to_string())
}

/// Where the header (the `#` lines) of a pattern file's text ends.
fn header_end(text: &str) -> usize {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if !line.starts_with('#') {
            break;
        }
        end += line.len();
    }
    end
}
