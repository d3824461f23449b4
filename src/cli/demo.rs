//! `glassray demo --out DIR`: the embedded synthetic series written as files.

use std::process::ExitCode;

use super::{DemoArgs, UsageError};
use crate::demo::{DemoConfig, demo_all};
use crate::io::write;

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

/// Writes each series as `out/<sample>/<sample>_NNNN.xy` plus `out/<sample>/temperatures.csv`
/// (`index,filename,T_K,time_s`). Returns the number of pattern files.
pub fn write_demo(
    out: &std::path::Path,
    all: &[crate::model::HeatingSeries],
) -> Result<usize, String> {
    let mut count = 0;
    for series in all {
        let dir = out.join(&series.sample);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut log = String::from("index,filename,T_K,time_s\n");
        for p in &series.patterns {
            let name = format!("{}_{:04}.xy", series.sample, p.index);
            let kelvin = p.kelvin().unwrap_or(f64::NAN);
            let time = p.time_s.unwrap_or(f64::NAN);
            let header = vec![
                ("sample".to_string(), series.sample.clone()),
                (
                    "composition".to_string(),
                    series.composition.clone().unwrap_or_default(),
                ),
                ("T".to_string(), format!("{kelvin} K")),
                ("time".to_string(), format!("{time} s")),
                (
                    "source".to_string(),
                    "Glassray synthetic demo model (glassray::demo)".to_string(),
                ),
            ];
            let text = write::pattern_text(p, &header);
            let path = dir.join(&name);
            write::write_atomic(&path, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            log.push_str(&format!("{},{name},{kelvin},{time}\n", p.index));
            count += 1;
        }
        let path = dir.join("temperatures.csv");
        write::write_atomic(&path, log.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(count)
}
