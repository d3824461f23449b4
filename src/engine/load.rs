//! Loading series on the rayon pool: every input listed by [`crate::io::list_inputs`], each
//! pattern file read in parallel (order kept), then each series assembled. Progress is
//! reported per file; a stop request ends the reading at the next file.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::Progress;
use crate::demo::{DemoConfig, SAMPLES, demo_pattern, demo_series_from};
use crate::io::{FileData, LoadError, LoadOptions, SeriesLoad, list_inputs, read_file_limited};
use crate::model::HeatingSeries;

/// Loads every input: one series per folder (or several when the folder mixes materials or
/// quantities: see `io::SeriesFiles::assemble`), one for the loose files (in the order given).
pub fn load_inputs(paths: &[PathBuf], opts: &LoadOptions) -> Vec<SeriesLoad> {
    load_inputs_with(paths, opts, &|_, _| {}, &|| false).unwrap_or_default()
}

/// [`load_inputs`], reporting (files read, files to read) after each file and checking `stop`
/// before each; None when stopped.
pub fn load_inputs_with(
    paths: &[PathBuf],
    opts: &LoadOptions,
    progress: Progress<'_>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<SeriesLoad>> {
    let inputs = list_inputs(paths);
    let total: usize = inputs.iter().map(|s| s.patterns.len()).sum();
    let done = AtomicUsize::new(0);
    let mut out = Vec::with_capacity(inputs.len());
    for files in inputs {
        let results: Option<Vec<Result<FileData, LoadError>>> = files
            .patterns
            .par_iter()
            .map(|f| {
                if stop() {
                    return None;
                }
                let r = read_file_limited(f, &opts.read, opts.max_file_bytes);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(n, total);
                Some(r)
            })
            .collect();
        out.extend(files.assemble(results?, opts));
    }
    Some(out)
}

/// The embedded demo's samples, each series' patterns computed in parallel.
pub fn demo_all(config: &DemoConfig) -> Vec<HeatingSeries> {
    SAMPLES
        .iter()
        .map(|sample| {
            let temps = config.temperatures();
            let patterns = temps
                .par_iter()
                .enumerate()
                .map(|(i, &t)| demo_pattern(sample, config, i, t))
                .collect();
            demo_series_from(sample, patterns)
        })
        .collect()
}

/// The demo as raw intensities ([`crate::demo::intensity`]): every pattern of [`demo_all`]
/// turned into its I(Q) twin, in parallel.
pub fn demo_intensity_all(
    config: &DemoConfig,
) -> Result<Vec<HeatingSeries>, crate::demo::intensity::IntensityError> {
    let mut all = demo_all(config);
    for series in &mut all {
        let raw: Result<Vec<_>, _> = series
            .patterns
            .par_iter()
            .map(crate::demo::intensity::intensity_pattern)
            .collect();
        series.patterns = raw?;
    }
    Ok(all)
}
