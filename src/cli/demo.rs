//! `glassray demo --out DIR [--intensity]`: the embedded synthetic series written as files,
//! as S(Q) or as the raw intensities I(Q) with an empty-cell background.

mod live;

use std::process::ExitCode;

use super::{DemoArgs, Printer, UsageError, warn};
use glassray::demo::intensity::{BACKGROUND_SCALE, COUNTS_PER_ELECTRON, empty_cell};
use glassray::demo::{COMPOSITION, DemoConfig, SAMPLES, demo_pattern, demo_truth};
use glassray::engine::write::write_atomic;
use glassray::engine::{demo_all, demo_intensity_all};
use glassray::model::{Pattern, Quantity};
use glassray::report::demo_files::{pattern_text, write_demo};

/// The background file `--intensity` writes, in OUT.
pub const EMPTY_CELL: &str = "empty-cell.xy";

pub fn run(args: &DemoArgs) -> Result<ExitCode, UsageError> {
    if let Some(dir) = &args.live {
        return live::run(dir, args.rate, &args.sample, (args.intensity, args.first));
    }
    let Some(out) = &args.out else {
        return Err(UsageError("give --out DIR or --live DIR".into()));
    };
    let config = DemoConfig::default();
    let Some(all) = demo_series_all(&config, args.intensity) else {
        return Ok(ExitCode::from(1));
    };
    let truths: Vec<_> = SAMPLES.iter().map(|s| demo_truth(s, &config)).collect();
    let mut printer = Printer::new();
    if args.intensity
        && let Err(e) = write_empty_cell(&out.join(EMPTY_CELL), &config)
    {
        warn(format!("error: {e}"));
        return Ok(ExitCode::from(1));
    }
    match write_demo(out, &all, &truths) {
        Ok(count) => {
            printer.line(format!(
                "wrote {count} patterns of {} samples to {} (with each sample's truth.json: \
                 the fractions, centres, baseline, ρ0 and T_r/T_g/T_x the model planted)",
                all.len(),
                out.display()
            ));
            if args.intensity {
                let out = out.display();
                printer.line(format!(
                    "raw intensities I(Q) = {COUNTS_PER_ELECTRON} counts per electron unit × \
                     (⟨f⟩²(S − 1) + ⟨f²⟩ + Compton) + {BACKGROUND_SCALE} × {out}/{EMPTY_CELL}; \
                     reduce them with: glassray analyze {out}/AC --composition {COMPOSITION} \
                     --background {out}/{EMPTY_CELL} --out results"
                ));
            }
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

/// The demo's series, as S(Q) or as raw intensities I(Q); None (the error said) when the raw
/// intensities cannot be made.
fn demo_series_all(
    config: &DemoConfig,
    intensity: bool,
) -> Option<Vec<glassray::model::HeatingSeries>> {
    if !intensity {
        return Some(demo_all(config));
    }
    demo_intensity_all(config)
        .map_err(|e| warn(format!("error: {e}")))
        .ok()
}

/// Writes the empty-cell background (on the demo's Q grid) to `path`, creating its folder.
fn write_empty_cell(path: &std::path::Path, config: &DemoConfig) -> Result<(), String> {
    let header = [
        ("sample".to_string(), "empty cell".to_string()),
        (
            "source".to_string(),
            "Glassray synthetic demo model (glassray::demo::intensity)".to_string(),
        ),
    ];
    let text = pattern_text(&empty_cell_pattern(config), &header);
    path.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| write_atomic(path, text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The empty-cell background on the demo's Q grid, as a pattern.
fn empty_cell_pattern(config: &DemoConfig) -> Pattern {
    let mut p = demo_pattern(&SAMPLES[0], config, 0, config.t_start);
    p.quantity = Quantity::Intensity;
    p.y = empty_cell(&p.x);
    p.dy = None;
    p.temperature = None;
    p.time_s = None;
    p.metadata.clear();
    p
}
