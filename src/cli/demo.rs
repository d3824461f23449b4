//! `glassray demo --out DIR`: the embedded synthetic series written as files.

use std::process::ExitCode;

use super::{DemoArgs, Printer, UsageError, warn};
use glassray::demo::DemoConfig;
use glassray::engine::demo_all;
use glassray::report::demo_files::write_demo;

pub fn run(args: &DemoArgs) -> Result<ExitCode, UsageError> {
    let all = demo_all(&DemoConfig::default());
    match write_demo(&args.out, &all) {
        Ok(count) => {
            let mut printer = Printer::new();
            printer.line(format!(
                "wrote {count} patterns of {} samples to {}",
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
