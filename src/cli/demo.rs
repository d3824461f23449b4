//! `glassray demo --out DIR [--intensity]`: the embedded synthetic series written as files,
//! as S(Q) or as the raw intensities I(Q) with an empty-cell background.

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
    let config = DemoConfig::default();
    let all = if args.intensity {
        match demo_intensity_all(&config) {
            Ok(all) => all,
            Err(e) => {
                warn(format!("error: {e}"));
                return Ok(ExitCode::from(1));
            }
        }
    } else {
        demo_all(&config)
    };
    let truths: Vec<_> = SAMPLES.iter().map(|s| demo_truth(s, &config)).collect();
    let mut printer = Printer::new();
    if args.intensity {
        let path = args.out.join(EMPTY_CELL);
        let header = [
            ("sample".to_string(), "empty cell".to_string()),
            (
                "source".to_string(),
                "Glassray synthetic demo model (glassray::demo::intensity)".to_string(),
            ),
        ];
        let text = pattern_text(&empty_cell_pattern(&config), &header);
        let written =
            std::fs::create_dir_all(&args.out).and_then(|()| write_atomic(&path, text.as_bytes()));
        if let Err(e) = written {
            warn(format!("error: cannot write {}: {e}", path.display()));
            return Ok(ExitCode::from(1));
        }
    }
    match write_demo(&args.out, &all, &truths) {
        Ok(count) => {
            printer.line(format!(
                "wrote {count} patterns of {} samples to {} (with each sample's truth.json: \
                 the fractions, centres, baseline, ρ0 and T_r/T_g/T_x the model planted)",
                all.len(),
                args.out.display()
            ));
            if args.intensity {
                let out = args.out.display();
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
