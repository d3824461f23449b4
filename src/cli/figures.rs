//! `glassray figures`: the study's figures for every sample of a run, side by side, in the
//! formats asked for, each with the CSV of what it plots. The files are written into a folder
//! staged beside `--out` and replace it whole at the end (a failure leaves the previous set).
//! Exit codes as `analyze`: 0 when everything loaded and was drawn, 1 when files were skipped,
//! a series could not be analysed or a file could not be written, 2 on bad usage.

use std::process::ExitCode;

use super::{FiguresArgs, Printer, UsageError, warn};
use glassray::analysis::series::SeriesAnalysis;
use glassray::engine::analyze_timed;
use glassray::engine::timing::Timings;
use glassray::io::SeriesLoad;
use glassray::model::TemperatureAxis;
use glassray::report::LoadReport;
use glassray::report::figures::{FigureOptions, FigureSample, Format, Width, write_figures};

/// The figure options, checked.
fn options(args: &FiguresArgs) -> Result<(Vec<Format>, FigureOptions), UsageError> {
    let mut formats = Vec::new();
    for part in args.formats.split(',').filter(|p| !p.trim().is_empty()) {
        let f = Format::parse(part).ok_or_else(|| {
            UsageError(format!(
                "--formats: `{}` is not a format; use svg, pdf and/or png, comma-separated",
                part.trim()
            ))
        })?;
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    if formats.is_empty() {
        return Err(UsageError(
            "--formats needs at least one of svg, pdf, png".into(),
        ));
    }
    let width = match args.width.trim().to_ascii_lowercase().as_str() {
        "single" => Width::Single,
        "double" => Width::Double,
        other => {
            return Err(UsageError(format!(
                "--width: `{other}` is not a width; use single (85 mm) or double (175 mm)"
            )));
        }
    };
    let temperatures = match &args.temperatures {
        None => None,
        Some(list) => {
            let mut ts = Vec::new();
            for part in list.split(',').filter(|p| !p.trim().is_empty()) {
                let t: f64 = part.trim().parse().map_err(|_| {
                    UsageError(format!("--temperatures: `{}` is not a number", part.trim()))
                })?;
                if !(t.is_finite() && t > 0.0 && t <= 5000.0) {
                    return Err(UsageError(format!(
                        "--temperatures: {t} K is outside 0–5000 K"
                    )));
                }
                ts.push(t);
            }
            if ts.is_empty() {
                return Err(UsageError(
                    "--temperatures needs at least one temperature in K".into(),
                ));
            }
            Some(ts)
        }
    };
    Ok((
        formats,
        FigureOptions {
            width,
            temperatures,
        },
    ))
}

pub fn run(args: &FiguresArgs) -> Result<ExitCode, UsageError> {
    let started = std::time::Instant::now();
    let timings = Timings::default();
    let config = args.analysis.config()?;
    let (formats, opts) = options(args)?;
    let replaceable = |out: &std::path::Path| {
        glassray::report::figures::check_figures_replaceable(out).map_err(|e| e.to_string())
    };
    let mut loads = timings.time("load", || {
        super::analyze::checked_loads_for(&config, &replaceable)
    })?;
    let steps = timings.time("reduction", || {
        super::reduction::reduce_loads(&mut loads, config.reduction.as_ref(), None)
    });
    let mut printer = Printer::new();
    let mut clean = true;
    let mut analysed: Vec<(&SeriesLoad, SeriesAnalysis)> = Vec::new();
    for (load, step) in loads.iter().zip(&steps) {
        let report = LoadReport::of(load);
        clean &= report.is_clean();
        for f in &load.failed {
            warn(format!("skipped: {f}"));
        }
        let name = if load.series.sample.is_empty() {
            load.origin.as_str()
        } else {
            load.series.sample.as_str()
        };
        let fatal = match step {
            super::reduction::ReduceStep::NoComposition(reason) => Some(reason),
            _ => report.fatal.as_ref(),
        };
        if let super::reduction::ReduceStep::Done(done) = step {
            for message in &done.messages {
                printer.line(format!("{name}: {message}"));
            }
        }
        if let Some(reason) = fatal {
            warn(format!("{name}: not drawn: {reason}"));
            clean = false;
            continue;
        }
        if load.series.axis == TemperatureAxis::Index {
            warn(format!(
                "{name}: not drawn: the figures are versus temperature and this series has none (give --temps or --ramp)"
            ));
            clean = false;
            continue;
        }
        let analysis = analyze_timed(&load.series, &config.params, &config.marks, &timings);
        analysed.push((load, analysis));
    }
    let samples: Vec<FigureSample<'_>> = analysed
        .iter()
        .map(|(l, a)| FigureSample {
            series: &l.series,
            analysis: a,
        })
        .collect();
    if samples.is_empty() {
        warn("nothing to draw: no series could be analysed".to_owned());
        printer.finish();
        return Ok(ExitCode::from(1));
    }
    let drawn = timings.time("draw and write the figures", || {
        write_figures(&config.out, &samples, &opts, &formats)
    });
    let written = match drawn {
        Ok(w) => w,
        Err(e) => {
            warn(format!("error: {e}"));
            if config.out.exists() {
                warn(format!(
                    "{}: not replaced: the previous figures are kept",
                    config.out.display()
                ));
            }
            printer.finish();
            return Ok(ExitCode::from(1));
        }
    };
    let names: Vec<&str> = samples.iter().map(|s| s.series.sample.as_str()).collect();
    printer.line(format!(
        "{} figure(s) of {} in {}: {}",
        written.iter().filter(|n| n.ends_with(".csv")).count(),
        names.join(", "),
        config.out.display(),
        written.join(" ")
    ));
    if config.timings {
        timings.add("total (the whole command)", started.elapsed());
        super::analyze::print_timings(&mut printer, &timings);
    }
    let printed = printer.finish();
    Ok(if printed && clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
