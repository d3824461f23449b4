//! `glassray analyze`: the whole analysis, headless, written as files.
//!
//! For one series: `OUT/metrics.csv`, `OUT/summary.json`, `OUT/gr/*.gr`. For several (the demo's
//! three samples, or several folders): the same under `OUT/<sample>/` (`AC`, `AC-2` when two
//! are named alike). The run's outputs are staged beside `OUT` and replace it whole at the end,
//! only when every series was written (a failure leaves the previous set).
//! It prints what happened to the input (counts per series, every detail with `-v`) and exits
//! 0 when everything loaded and was written, 1 when files were skipped, rows dropped, a series
//! could not be analysed (no patterns, quantity unknown) or was split from a mixed folder, or an
//! output could not be written, 2 on bad usage.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::config::{AnalyzeConfig, check_out_against_inputs};
use super::reduction::{ReduceStep, reduce_loads};
use super::{AnalyzeArgs, Printer, UsageError, warn};
use glassray::analysis::transitions::{Marks, Transition, TransitionEstimate};
use glassray::demo::DemoConfig;
use glassray::engine::timing::Timings;
use glassray::engine::{analyze_timed, demo_all, load_inputs};
use glassray::io::SeriesLoad;
use glassray::model::TemperatureAxis;
use glassray::report::{LoadReport, SeriesOutputs, StagedRun, check_replaceable, series_folders};

/// Checks `--out` against the inputs (before the slow load: a folder that may not be replaced
/// is a usage error), then loads the inputs, or the embedded demo when there are none.
pub(super) fn checked_loads(config: &AnalyzeConfig) -> Result<Vec<SeriesLoad>, UsageError> {
    checked_loads_for(config, &|out| {
        check_replaceable(out).map_err(|e| e.to_string())
    })
}

/// [`checked_loads`] with the check of what `--out` may hold (`analyze`'s outputs, or a set of
/// figures).
pub(super) fn checked_loads_for(
    config: &AnalyzeConfig,
    replaceable: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<Vec<SeriesLoad>, UsageError> {
    // The temperature log is an input too: outputs must never replace it or become it.
    let background = config
        .reduction
        .as_ref()
        .and_then(|r| r.background.as_ref())
        .map(|b| b.path.clone());
    let inputs: Vec<_> = config
        .paths
        .iter()
        .chain(&config.load.temperature_log)
        .chain(&background)
        .cloned()
        .collect();
    check_out_against_inputs(&config.out, &inputs)?;
    replaceable(&config.out).map_err(|e| UsageError(format!("--out: {e}")))?;
    Ok(if config.paths.is_empty() {
        demo_all(&DemoConfig::default())
            .into_iter()
            .map(SeriesLoad::from_series)
            .collect()
    } else {
        load_inputs(&config.paths, &config.load)
    })
}

pub fn run(args: &AnalyzeArgs) -> Result<ExitCode, UsageError> {
    let started = Instant::now();
    let timings = Timings::default();
    let config = args.config()?;
    let mut loads = timings.time("load", || checked_loads(&config))?;
    let steps = timings.time("reduction", || {
        reduce_loads(&mut loads, config.reduction.as_ref(), None)
    });
    let samples: Vec<&str> = loads.iter().map(|l| l.series.sample.as_str()).collect();
    let (folders, renamed) = series_folders(&samples);
    let mut printer = Printer::new();
    for note in &renamed {
        printer.line(format!("note: {note}"));
    }
    let mut outcome = Outcome::default();
    match StagedRun::new(&config.out) {
        Ok(staged) => {
            for ((load, folder), step) in loads.iter().zip(&folders).zip(&steps) {
                let series = (load, step);
                analyze_one(
                    &config,
                    series,
                    (&staged, folder),
                    (&mut printer, &timings),
                    &mut outcome,
                );
            }
            timings.time("install (sync, swap)", || {
                install(staged, &config.out, &mut printer, &mut outcome)
            });
        }
        Err(e) => {
            warn(format!("error: {e}"));
            outcome.failed_writes += 1;
        }
    }
    if config.timings {
        timings.add("total (the whole command)", started.elapsed());
        print_timings(&mut printer, &timings);
    }
    let printed = printer.finish();
    Ok(
        if !printed || outcome.failed_writes > 0 || outcome.written == 0 || !outcome.clean {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// Installs the run's outputs when every series analysed was written; otherwise drops them and
/// keeps the previous set, saying so.
fn install(staged: StagedRun, out: &Path, printer: &mut Printer, outcome: &mut Outcome) {
    if outcome.failed_writes > 0 || outcome.written == 0 {
        let kept = if out.exists() {
            "the previous outputs are kept as they were"
        } else {
            "nothing was written"
        };
        warn(format!("{}: not replaced: {kept}", out.display()));
        outcome.written = 0;
        return;
    }
    match staged.commit() {
        Ok(()) => printer.line(format!("outputs in {}", out.display())),
        Err(e) => {
            warn(format!("error: {e}"));
            outcome.failed_writes += 1;
        }
    }
}

/// What the run did, for its exit code.
struct Outcome {
    written: usize,
    failed_writes: usize,
    /// Every series loaded without a skipped file or a dropped row.
    clean: bool,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            written: 0,
            failed_writes: 0,
            clean: true,
        }
    }
}

/// Analyses one series, writes its folder and prints what happened.
fn analyze_one(
    config: &AnalyzeConfig,
    (load, step): (&SeriesLoad, &ReduceStep),
    (staged, folder): (&StagedRun, &Path),
    (printer, timings): (&mut Printer, &Timings),
    outcome: &mut Outcome,
) {
    let report = LoadReport::of(load);
    outcome.clean &= report.is_clean();
    for f in &load.failed {
        warn(format!("skipped: {f}"));
    }
    let series = &load.series;
    let name = if series.sample.is_empty() {
        load.origin.as_str()
    } else {
        series.sample.as_str()
    };
    let fatal = match step {
        ReduceStep::NoComposition(reason) => Some(reason),
        _ => report.fatal.as_ref(),
    };
    if let Some(reason) = fatal {
        outcome.clean = false;
        warn(format!("{name}: not analysed: {reason}"));
        print_load(printer, &report, config.verbose);
        return;
    }
    let reduction = match (step, &config.reduction) {
        (ReduceStep::Done(done), Some(r)) => {
            for message in &done.messages {
                printer.line(format!("{name}: {message}"));
            }
            Some((&r.record, done))
        }
        _ => None,
    };
    // Marks are temperatures: on a series without any, they would be read as pattern indices.
    let on_index = series.axis == TemperatureAxis::Index;
    let ignored_marks = on_index && config.marks.overrides.iter().any(Option::is_some);
    let marks = if on_index {
        Marks::default()
    } else {
        config.marks
    };
    let analysis = analyze_timed(series, &config.params, &marks, timings);
    let skipped: Vec<String> = load.failed.iter().map(ToString::to_string).collect();
    let outputs = SeriesOutputs {
        series,
        analysis: &analysis,
        load: &report,
        skipped: &skipped,
    };
    let dir = if folder.as_os_str().is_empty() {
        config.out.clone()
    } else {
        config.out.join(folder)
    };
    let notes = match timings.time("write (format, files)", || {
        staged.write_with(folder, &outputs, reduction)
    }) {
        Ok(notes) => notes,
        Err(e) => {
            warn(format!("error: {e}"));
            outcome.failed_writes += 1;
            print_load(printer, &report, config.verbose);
            return;
        }
    };
    outcome.written += 1;
    let t = &analysis.transitions;
    let show = |x| show(t.used(x), on_index);
    let axis = if on_index {
        " without temperatures (positions are pattern indices from 0)"
    } else {
        ""
    };
    printer.line(format!(
        "{name}: {} patterns{axis}; T_r {}, T_g {}, T_x {} → {}",
        series.len(),
        show(Transition::Relaxation),
        show(Transition::Glass),
        show(Transition::Crystallization),
        dir.display()
    ));
    if ignored_marks {
        printer
            .line("  note: --tr/--tg/--tx are temperatures (K) and this series has none: not used");
    }
    print_load(printer, &report, config.verbose);
    for warning in &analysis.warnings {
        printer.line(format!("  warning: {warning}"));
    }
    for note in notes {
        printer.line(format!("  note: {note}"));
    }
    let flagged = analysis
        .patterns
        .iter()
        .filter(|p| !p.messages.is_empty())
        .count();
    if flagged > 0 {
        printer.line(format!(
            "  {flagged} pattern(s) flagged (see the messages column of metrics.csv)"
        ));
    }
}

/// `--timings`: each stage's wall time, summed over the series.
pub fn print_timings(printer: &mut Printer, timings: &Timings) {
    printer.line("timings (wall time, summed over the series):".to_owned());
    for line in timings.lines() {
        printer.line(format!("  {line}"));
    }
}

/// The load's counts, and with `verbose` every detail.
fn print_load(printer: &mut Printer, report: &LoadReport, verbose: bool) {
    printer.line(format!("  loaded: {}", report.counts_line()));
    for line in report.series_lines() {
        printer.line(format!("  series: {line}"));
    }
    if verbose {
        for line in report.detail_lines() {
            printer.line(format!("    {line}"));
        }
    }
}

/// A transition in K, or as a pattern index on a series without temperatures.
pub(super) fn show(t: Option<&TransitionEstimate>, on_index: bool) -> String {
    match t {
        None => "not found".into(),
        Some(t) if on_index => format!("at pattern {:.1} ± {:.1}", t.kelvin, t.uncertainty),
        Some(t) => format!("{:.1} ± {:.1} K", t.kelvin, t.uncertainty),
    }
}
