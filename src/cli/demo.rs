//! `glassray demo --out DIR`: the embedded synthetic series written as files.

use std::process::ExitCode;

use super::{DemoArgs, Printer, UsageError, warn};
use glassray::demo::{DemoConfig, SAMPLES, demo_truth};
use glassray::engine::demo_all;
use glassray::report::demo_files::write_demo;

pub fn run(args: &DemoArgs) -> Result<ExitCode, UsageError> {
    let config = DemoConfig::default();
    let all = demo_all(&config);
    let truths: Vec<_> = SAMPLES.iter().map(|s| demo_truth(s, &config)).collect();
    match write_demo(&args.out, &all, &truths) {
        Ok(count) => {
            let mut printer = Printer::new();
            printer.line(format!(
                "wrote {count} patterns of {} samples to {} (with each sample's truth.json: \
                 the fractions, centres, baseline, ρ0 and T_r/T_g/T_x the model planted)",
                all.len(),
                args.out.display()
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
