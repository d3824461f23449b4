//! Glassray: explore in-situ X-ray total-scattering heating series of metallic glasses.
//!
//! The library is three rooms that only talk downhill — `ui` → `engine` → `analysis`/`io` — and
//! everything but `ui` builds without the `gui` feature:
//! - [`model`]: the data model of a heating series (patterns, temperatures and their sources);
//! - [`io`]: readers for the files users have, temperature logs and ramps, folder loading;
//! - [`demo`]: the embedded synthetic heating series (AC, CR, HPT);
//! - [`analysis`]: the analyses (ΔS(Q) so far);
//! - [`engine`]: background loading with progress and a repaint hook (no egui);
//! - [`cli`]: the command line (`glassray inspect`, `glassray demo`);
//! - `ui` (feature `gui`): the explorer window.

pub mod analysis;
pub mod cli;
pub mod demo;
pub mod engine;
pub mod io;
pub mod model;
#[cfg(feature = "gui")]
pub mod ui;
