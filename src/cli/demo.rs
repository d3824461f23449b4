//! `glassray demo --out DIR`: the embedded synthetic series written as files.

use std::process::ExitCode;

use super::{DemoArgs, UsageError};
use glassray::demo::DemoConfig;
use glassray::engine::demo_all;
use glassray::report::demo_files::write_demo;

pub fn run(args: &DemoArgs) -> Result<ExitCode, UsageError> {
    let all = demo_all(&DemoConfig::default());
    match write_demo(&args.out, &all) {
        Ok(count) => {
            println!(
                "wrote {count} patterns of {} samples to {}",
                all.len(),
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
