//! Glassray: explore in-situ X-ray total-scattering heating series of metallic glasses.
//!
//! The library is a house of rooms that only talk downhill (a room may use the rooms listed
//! after its name, and nothing above it; `scripts/check.sh` enforces it):
//! - [`model`]: the data of a heating series — patterns, temperatures and their sources,
//!   diagnostics. Uses nothing.
//! - [`io`]: reads what users have into the model — formats, headers, temperature logs and
//!   ramps, folders. Uses `model`.
//! - [`analysis`]: pure formulas on one pattern or one series of numbers — transform, FSDP,
//!   lobes, the connection-mode fit, splines, transitions. No threads, no files. Uses `model`.
//! - [`demo`]: the embedded synthetic heating series (AC, CR, HPT). Uses `model`, `analysis`.
//! - [`engine`]: the rayon pipelines over a series, per-stage caches, cancellation, progress,
//!   loading, atomic file writing and the background jobs the UI polls. Uses the rooms above.
//! - [`report`]: writes results (metrics.csv, summary.json, gr files, demo files). Uses `model`,
//!   `io`, `analysis`, `engine`.
//! - [`session`]: the user's saved workspace (RON). Uses `model`, `io`, `analysis`, `engine`.
//! - `ui` (feature `gui`): the explorer window. Uses every room but the binary's `cli`.
//!
//! The binary adds `cli`, the command line (clap), which uses every room but `ui`. Everything
//! but `ui` builds without the `gui` feature.

pub mod analysis;
pub mod demo;
pub mod engine;
pub mod io;
pub mod model;
pub mod report;
pub mod session;
#[cfg(feature = "gui")]
pub mod ui;
