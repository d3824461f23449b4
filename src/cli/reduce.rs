//! `glassray reduce`: raw I(Q) → S(Q) and F(Q) files, one pair per pattern (`OUT/<stem>.sq`,
//! `OUT/fq/<stem>.fq`, so that `glassray analyze OUT` reads one S(Q) series), written into a
//! folder staged beside `--out` and swapped in whole (as `analyze` does), so a failed run
//! leaves the previous set. Exit codes as `analyze`: 0 when every pattern was reduced and
//! written, 1 when a file was skipped or could not be reduced, or nothing could be written,
//! 2 on bad usage.

use std::path::Path;
use std::process::ExitCode;

use super::config::check_out_against_inputs;
use super::reduction::{ReduceStep, ReductionConfig, reduce_loads};
use super::{Printer, ReduceCommandArgs, UsageError, warn};
use glassray::analysis::transform::LowQ;
use glassray::engine::load_inputs;
use glassray::engine::write::StagedDir;
use glassray::io::SeriesLoad;
use glassray::report::LoadReport;
use glassray::report::outputs::unique_names;
use glassray::report::reduced::{Reduced, reduced_file, reduced_name};
use glassray::report::series_folders;

/// Whether `dir` may be replaced whole: missing, or holding only `.sq`/`.fq` files (and
/// folders of them, two deep: `<sample>/fq/`) that an earlier run wrote.
fn check_replaceable(dir: &Path, depth: usize) -> Result<(), UsageError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return if dir.exists() && !dir.is_dir() {
            Err(UsageError(format!(
                "--out {} is a file, not a folder",
                dir.display()
            )))
        } else {
            Ok(())
        };
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = if path.is_dir() {
            depth < 2 && check_replaceable(&path, depth + 1).is_ok()
        } else {
            name.ends_with(".sq") || name.ends_with(".fq")
        };
        let leftover = name.starts_with('.') && name.contains(".glassray-");
        if !(ours || leftover) {
            return Err(UsageError(format!(
                "--out {} holds `{name}`, which `glassray reduce` did not write, and the folder is replaced whole: give a new or empty folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

pub fn run(args: &ReduceCommandArgs) -> Result<ExitCode, UsageError> {
    let mut load_opts = args.load.options()?;
    if load_opts.read.wavelength.is_none() {
        load_opts.read.wavelength = args.reduce.energy_wavelength()?;
    }
    if let Some(r) = args.rho0
        && !(0.001..=1.0).contains(&r)
    {
        return Err(UsageError(format!(
            "--rho0 {r} must lie between 0.001 and 1 atoms/Å³ (BAM-11: 0.0545)"
        )));
    }
    let below_qmin = match &args.low_q {
        None => LowQ::default(),
        Some(m) => LowQ::from_name(m).ok_or_else(|| {
            UsageError(format!(
                "--low-q `{m}` is not a mode: one of none, hold, linear"
            ))
        })?,
    };
    for (v, what) in [(args.qmin, "--qmin"), (args.qmax, "--qmax")] {
        if let Some(q) = v
            && !(q > 0.0 && q <= super::config::MAX_Q)
        {
            return Err(UsageError(format!(
                "{what} {q} must lie above 0 and at most {} 1/Å",
                super::config::MAX_Q
            )));
        }
    }
    if let (Some(a), Some(b)) = (args.qmin, args.qmax)
        && a >= b
    {
        return Err(UsageError(format!("--qmin {a} must be below --qmax {b}")));
    }
    if args.reduce.composition.is_none() {
        return Err(UsageError(
            "glassray reduce needs the sample's composition: pass --composition FORMULA (e.g. Mg2SiO4)".into(),
        ));
    }
    let reduction = args
        .reduce
        .config(
            args.rho0,
            args.load.wavelength,
            &load_opts.read,
            (below_qmin, (args.qmin, args.qmax)),
        )?
        .ok_or_else(|| UsageError("--composition is missing".into()))?;
    if args.out.as_os_str().is_empty() {
        return Err(UsageError("--out needs a folder name".into()));
    }
    let inputs: Vec<_> = args
        .paths
        .iter()
        .chain(&load_opts.temperature_log)
        .chain(&args.reduce.background)
        .cloned()
        .collect();
    check_out_against_inputs(&args.out, &inputs)?;
    check_replaceable(&args.out, 0)?;
    let mut loads = load_inputs(&args.paths, &load_opts);
    let steps = reduce_loads(&mut loads, Some(&reduction), None);
    let mut printer = Printer::new();
    let staged = match StagedDir::new(&args.out) {
        Ok(s) => s,
        Err(e) => {
            warn(format!("error: cannot create {}: {e}", args.out.display()));
            printer.finish();
            return Ok(ExitCode::from(1));
        }
    };
    let samples: Vec<&str> = loads.iter().map(|l| l.series.sample.as_str()).collect();
    let (folders, renamed) = series_folders(&samples);
    for note in &renamed {
        printer.line(format!("note: {note}"));
    }
    let (mut clean, mut written, mut failed_write) = (true, 0usize, false);
    for ((load, step), folder) in loads.iter().zip(&steps).zip(&folders) {
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
        let ReduceStep::Done(done) = step else {
            printer.line(format!("{name}: no I(Q) pattern to reduce"));
            continue;
        };
        for message in &done.messages {
            printer.line(format!("{name}: {message}"));
        }
        match write_series(staged.path(), folder, load, done, &reduction) {
            Ok(n) => written += n,
            Err(e) => {
                warn(format!("error: {e}"));
                failed_write = true;
            }
        }
        printer.line(format!(
            "{name}: {} pattern(s) reduced, {} could not be → {}",
            done.reduced,
            done.failed,
            args.out.join(folder).display()
        ));
        if args.verbose {
            for line in report.detail_lines() {
                printer.line(format!("    {line}"));
            }
        }
    }
    if failed_write || written == 0 {
        warn(format!(
            "{}: not replaced: nothing was reduced and written",
            args.out.display()
        ));
        clean = false;
    } else if let Err(e) = staged.commit() {
        warn(format!("error: cannot install {}: {e}", args.out.display()));
        clean = false;
    } else {
        printer.line(format!("outputs in {}", args.out.display()));
    }
    let printed = printer.finish();
    Ok(if clean && printed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the `.sq` and `.fq` of every reduced pattern of one series into `root/folder`;
/// returns how many patterns were written.
fn write_series(
    root: &Path,
    folder: &Path,
    load: &SeriesLoad,
    done: &glassray::engine::reduce::SeriesReduction,
    reduction: &ReductionConfig,
) -> std::io::Result<usize> {
    let dir = root.join(folder);
    std::fs::create_dir_all(&dir)?;
    let series = &load.series;
    let reduced: Vec<_> = series
        .patterns
        .iter()
        .zip(&done.patterns)
        .filter_map(|(p, r)| r.as_ref().map(|r| (p, r)))
        .collect();
    // F(Q) beside, in `fq/`, so that the folder itself is one S(Q) series to analyse.
    std::fs::create_dir_all(dir.join("fq"))?;
    for (kind, into) in [(Reduced::Sq, dir.clone()), (Reduced::Fq, dir.join("fq"))] {
        let names = unique_names(reduced.iter().map(|(p, _)| reduced_name(p, kind)));
        for ((p, r), name) in reduced.iter().zip(names) {
            let text = reduced_file(series, p, r, &reduction.record, kind);
            std::fs::write(into.join(name), text)?;
        }
    }
    Ok(reduced.len())
}
