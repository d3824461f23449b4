mod analysis;
mod bad_input;
mod cli;
mod cli_outputs;
mod cli_usage;
mod demo;
mod demo_intensity;
mod figures;
mod formats;
mod house;
#[cfg(feature = "gui")]
mod kit;
mod live;
mod live_alerts;
mod live_log;
mod live_reduce;
mod readers;
mod real_data;
mod reduce_cli;
#[cfg(feature = "gui")]
mod reduce_ui;
mod reduction;
#[cfg(feature = "gui")]
mod ui;
#[cfg(feature = "gui")]
mod ui_export;
#[cfg(feature = "gui")]
mod ui_live;
#[cfg(feature = "gui")]
mod ui_versus;
mod uncertainty;
#[cfg(feature = "gui")]
mod whatif;

use std::path::{Path, PathBuf};

use glassray::engine::load_inputs;
use glassray::io::{LoadOptions, SeriesLoad};

/// `tests/data/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// `../shared/data/<rel>` (the measured data sets beside the repository).
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    assert!(
        p.exists(),
        "measured data missing: {} (shared/ must sit beside the repository)",
        p.display()
    );
    p
}

/// Loads paths with default options and returns the single series load.
pub fn load(paths: &[PathBuf]) -> SeriesLoad {
    load_with(paths, &LoadOptions::default())
}

pub fn load_with(paths: &[PathBuf], opts: &LoadOptions) -> SeriesLoad {
    let mut loads = load_inputs(paths, opts);
    assert_eq!(loads.len(), 1, "expected one series");
    loads.remove(0)
}

/// Loads paths with default options: every series (a mixed folder gives several, main first).
pub fn load_all(paths: &[PathBuf]) -> Vec<SeriesLoad> {
    load_inputs(paths, &LoadOptions::default())
}

/// The pattern read from the file `name`, in whichever series of `loads` holds it.
pub fn pattern<'a>(loads: &'a [SeriesLoad], name: &str) -> &'a glassray::model::Pattern {
    loads
        .iter()
        .flat_map(|l| &l.series.patterns)
        .find(|p| p.display_name() == name)
        .unwrap_or_else(|| panic!("{name} not loaded"))
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}
