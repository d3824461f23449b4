//! `glassray watch DIR --out OUT [--exit-after-idle S] [--poll]`: the live follower
//! ([`glassray::engine::live`]) headless. Each new pattern prints one line (its position, file,
//! T, FSDP first moment, connection-mode fractions and any problem), each transition one line
//! when first detected, again when it moves well beyond its uncertainty or is lost (an early
//! estimate on a few patterns is seldom the last), and the end one line per series with the
//! transitions in OUT, as `analyze` prints them. OUT holds what `glassray analyze DIR --out OUT` would write for the
//! files so far, replaced whole (staged and swapped) at most once a second while patterns
//! land, and once more when the folder goes idle and at the end (Ctrl-C ends it the same
//! way). Exit code from the state at the end: 0 when every file loaded, the folder could be
//! listed and the last write succeeded, 1 otherwise, 2 on bad usage.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::analyze::show;
use super::config::{AnalyzeConfig, check_out_against_inputs};
use super::reduction::ReduceStep;
use super::{Printer, UsageError, WatchArgs, warn};
use glassray::analysis::transitions::{Transition, TransitionEstimate};
use glassray::engine::live::{LiveEvent, LiveFolder, LiveOptions, LiveSnapshot, LiveUpdate, watch};
use glassray::model::{TemperatureAxis, file_name};
use glassray::report::{LoadReport, SeriesOutputs, StagedRun, check_replaceable, series_folders};

/// Least time between two rewrites of OUT while patterns land.
const REWRITE_EVERY: Duration = Duration::from_secs(1);

pub fn run(args: &WatchArgs) -> Result<ExitCode, UsageError> {
    let config = args.analysis.config()?;
    let dir = match config.paths.as_slice() {
        [dir] if dir.is_dir() => dir.clone(),
        [other] => {
            return Err(UsageError(format!(
                "{}: not a folder (watch follows one folder)",
                other.display()
            )));
        }
        _ => {
            return Err(UsageError(
                "watch follows exactly one folder: give DIR".into(),
            ));
        }
    };
    if config.timings {
        return Err(UsageError(
            "--timings: not for watch (each update is one pattern; see `cargo bench --bench live`)"
                .into(),
        ));
    }
    let idle = match args.exit_after_idle {
        None => None,
        Some(s) if (0.0..1e9).contains(&s) => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(UsageError(format!(
                "--exit-after-idle {s}: give seconds, 0 or more"
            )));
        }
    };
    let inputs: Vec<_> = std::iter::once(dir.clone())
        .chain(config.load.temperature_log.clone())
        .collect();
    check_out_against_inputs(&config.out, &inputs)?;
    check_replaceable(&config.out).map_err(|e| UsageError(format!("--out: {e}")))?;
    let options = LiveOptions {
        settle: Duration::from_millis(args.settle_ms),
        poll: args.poll,
        ..LiveOptions::default()
    };
    let folder = LiveFolder::new(
        &dir,
        config.load.clone(),
        config.params.clone(),
        config.marks,
        &options,
    )
    .with_reduction(config.reduction.clone());
    let mut handle = match watch(folder, &options, None) {
        Ok(h) => h,
        Err(e) => {
            warn(format!(
                "error: cannot start following {}: {e}",
                dir.display()
            ));
            return Ok(ExitCode::from(1));
        }
    };
    let mut printer = Printer::new();
    printer.line(format!(
        "watching {} ({}); outputs in {}",
        dir.display(),
        handle.mode,
        config.out.display()
    ));
    let mut state = State::default();
    let interrupted = on_ctrl_c();
    loop {
        if let Some(event) = handle.recv_timeout(Duration::from_millis(100)) {
            match event {
                LiveEvent::Update(u) => state.take(&u, &mut printer),
                LiveEvent::Error(m) => warn(format!("error: {m}")),
            }
        }
        let idle_for = handle.idle_for();
        let quiet = idle_for.is_some_and(|t| t >= REWRITE_EVERY);
        if state.dirty && (quiet || state.written.is_none_or(|t| t.elapsed() >= REWRITE_EVERY)) {
            state.write(&config);
        }
        if idle.is_some_and(|d| idle_for.is_some_and(|t| t >= d)) || !handle.is_running() {
            break;
        }
        if interrupted.load(Ordering::SeqCst) {
            printer.line(
                "interrupted: the last write, then the summary (Ctrl-C again to quit at once)"
                    .to_owned(),
            );
            break;
        }
    }
    handle.stop();
    // The update of a scan that was running when the loop ended.
    while let Some(event) = handle.try_recv() {
        match event {
            LiveEvent::Update(u) => state.take(&u, &mut printer),
            LiveEvent::Error(m) => warn(format!("error: {m}")),
        }
    }
    // A folder that could not be listed for a while, then could, ends clean.
    let failing = handle.failing();
    if state.dirty {
        state.write(&config);
    }
    print_summary(&state, &config, &dir, &mut printer);
    let printed = printer.finish();
    Ok(
        if !printed || failing || state.last_write_failed || !state.clean {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// The end of a run: the patterns seen, each series' transitions (as `analyze` prints them),
/// what the reduction said and the load's counts.
fn print_summary(
    state: &State,
    config: &AnalyzeConfig,
    dir: &std::path::Path,
    printer: &mut Printer,
) {
    match &state.latest {
        Some(snap) => {
            let n: usize = snap.series.iter().map(|s| s.load.series.len()).sum();
            if state.series_written > 0 {
                printer.line(format!("{n} patterns; outputs in {}", config.out.display()));
            } else {
                warn(format!(
                    "{n} patterns; no series could be analysed: nothing was written to {}",
                    config.out.display()
                ));
            }
            for s in &snap.series {
                let name = &s.load.series.sample;
                if !matches!(s.reduction, ReduceStep::NoComposition(_)) {
                    let on_index = s.load.series.axis == TemperatureAxis::Index;
                    let t = &s.analysis.transitions;
                    let show = |x| show(t.used(x), on_index);
                    printer.line(format!(
                        "{name}: {} patterns; T_r {}, T_g {}, T_x {}",
                        s.load.series.len(),
                        show(Transition::Relaxation),
                        show(Transition::Glass),
                        show(Transition::Crystallization),
                    ));
                }
                if let ReduceStep::Done(done) = &s.reduction {
                    for message in &done.messages {
                        printer.line(format!("{name}: {message}"));
                    }
                }
                let report = LoadReport::of(&s.load);
                printer.line(format!("  loaded: {}", report.counts_line()));
                if config.verbose {
                    for line in report.detail_lines() {
                        printer.line(format!("    {line}"));
                    }
                }
            }
        }
        None => warn(format!(
            "{}: no pattern arrived; nothing was written",
            dir.display()
        )),
    }
}

/// A flag Ctrl-C sets, so the loop ends as on its idle limit (the final write, the summary,
/// the exit code); a second Ctrl-C quits at once (exit code 130). Where no handler can be
/// set, Ctrl-C keeps its default (OUT is still a complete set: every write is a swap).
fn on_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    let handler = ctrlc::set_handler(move || {
        if set.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    if let Err(e) = handler {
        warn(format!(
            "note: Ctrl-C will stop watch without its last write and summary ({e})"
        ));
    }
    flag
}

/// What the command has seen and written.
#[derive(Default)]
struct State {
    latest: Option<std::sync::Arc<LiveSnapshot>>,
    /// The latest snapshot is not in OUT yet.
    dirty: bool,
    written: Option<Instant>,
    /// The latest write failed (it is tried again, at most once a second, and at the end);
    /// its message, said once while it repeats.
    last_write_failed: bool,
    write_error: Option<String>,
    /// The latest snapshot loaded every file cleanly.
    clean: bool,
    /// Transitions announced, (series, which) → the value printed last.
    announced: HashMap<(usize, usize), f64>,
    /// Why a series is not analysed, and files left out of a series, already said.
    said: HashSet<String>,
    /// Series in OUT after the last write.
    series_written: usize,
}

impl State {
    /// Prints what an update brought and keeps its snapshot for the next write.
    fn take(&mut self, u: &LiveUpdate, printer: &mut Printer) {
        let snap = &u.snapshot;
        let several = snap.series.len() > 1;
        for s in &snap.series {
            if let ReduceStep::NoComposition(reason) = &s.reduction {
                let line = format!("{}: not analysed: {reason}", s.load.series.sample);
                if self.said.insert(line.clone()) {
                    warn(line);
                }
            }
            // A pattern that could not be reduced leaves its series as a skipped file.
            for failed in &s.load.failed {
                let line = format!("skipped: {failed}");
                if self.said.insert(line.clone()) {
                    warn(line);
                }
            }
        }
        for &(k, i) in u.added.iter().chain(&u.replaced) {
            let Some(s) = snap.series.get(k) else {
                continue;
            };
            if matches!(s.reduction, ReduceStep::NoComposition(_)) {
                continue;
            }
            let (Some(p), Some(a)) = (s.load.series.patterns.get(i), s.analysis.patterns.get(i))
            else {
                continue;
            };
            let again = if u.replaced.contains(&(k, i)) {
                " (replaced, read again)"
            } else {
                ""
            };
            let prefix = if several {
                format!("{}: ", s.load.series.sample)
            } else {
                String::new()
            };
            let t = p
                .kelvin()
                .map_or("T=?".to_string(), |t| format!("T={t:.1} K"));
            let f = a.fit.fractions;
            let mut problems: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
            problems.extend(a.messages.iter().cloned());
            let problem = if problems.is_empty() {
                String::new()
            } else {
                format!("  problem: {}", problems.join("; "))
            };
            printer.line(format!(
                "{prefix}{i:>4}  {}  {t}  Q1={:.4} 1/Å  fractions 1:{:.2} 2:{:.2} 3:{:.2} 4:{:.2}{again}{problem}",
                file_name(&p.source),
                a.fsdp.first_moment,
                f[0],
                f[1],
                f[2],
                f[3]
            ));
        }
        for problem in &u.problems {
            let line = format!("skipped: {problem}");
            if self.said.insert(line.clone()) {
                warn(line);
            }
        }
        for path in &u.removed {
            printer.line(format!(
                "removed: {} (no longer in the folder, nor in the series)",
                path.display()
            ));
        }
        for (k, s) in snap.series.iter().enumerate() {
            if matches!(s.reduction, ReduceStep::NoComposition(_)) {
                continue;
            }
            let n = s.load.series.len();
            let on_index = s.load.series.axis == TemperatureAxis::Index;
            let prefix = if several {
                format!("{}: ", s.load.series.sample)
            } else {
                String::new()
            };
            for which in Transition::ALL {
                let key = (k, which.index());
                let now = s.analysis.transitions.detected(which);
                let Some(news) = transition_news(self.announced.get(&key).copied(), now) else {
                    continue;
                };
                let name = which.name();
                let at = |x: f64| {
                    if on_index {
                        format!("pattern {x:.1}")
                    } else {
                        format!("{x:.1} K")
                    }
                };
                let line = match news {
                    News::First(t) => {
                        format!(
                            "{name} first detected: {} (after {n} patterns)",
                            show(Some(t), on_index)
                        )
                    }
                    News::Revised { now: t, was } => format!(
                        "{name} revised: {} (was {}; after {n} patterns)",
                        show(Some(t), on_index),
                        at(was)
                    ),
                    News::Lost { was } => {
                        format!(
                            "{name} no longer detected (was {}; after {n} patterns)",
                            at(was)
                        )
                    }
                };
                match now {
                    Some(t) => self.announced.insert(key, t.kelvin),
                    None => self.announced.remove(&key),
                };
                printer.line(format!("{prefix}{line}"));
            }
        }
        self.clean = snap.series.iter().all(|s| {
            LoadReport::of(&s.load).is_clean()
                && !matches!(s.reduction, ReduceStep::NoComposition(_))
        });
        self.latest = Some(std::sync::Arc::clone(snap));
        self.dirty = true;
    }

    /// Replaces OUT with the latest snapshot's outputs (as `analyze` writes them).
    fn write(&mut self, config: &AnalyzeConfig) {
        self.written = Some(Instant::now());
        let Some(snap) = &self.latest else {
            self.dirty = false;
            return;
        };
        match write_snapshot(snap, config) {
            Ok(n) => {
                self.series_written = n;
                self.dirty = false;
                self.last_write_failed = false;
                self.write_error = None;
            }
            Err(e) => {
                // Still dirty: written again on the next turn and at the end.
                self.last_write_failed = true;
                if self.write_error.as_ref() != Some(&e) {
                    warn(format!("error: {e}"));
                    self.write_error = Some(e);
                }
            }
        }
    }
}

/// Writes every series that could be analysed into a staged copy of `out` and swaps it in.
/// How many series were written (0: nothing was, OUT is left as it was).
fn write_snapshot(snap: &LiveSnapshot, config: &AnalyzeConfig) -> Result<usize, String> {
    let out = &config.out;
    let samples: Vec<&str> = snap
        .series
        .iter()
        .map(|s| s.load.series.sample.as_str())
        .collect();
    let (folders, _) = series_folders(&samples);
    let staged = StagedRun::new(out).map_err(|e| e.to_string())?;
    let mut written = 0;
    for (s, folder) in snap.series.iter().zip(&folders) {
        let report = LoadReport::of(&s.load);
        if report.fatal.is_some() || matches!(s.reduction, ReduceStep::NoComposition(_)) {
            continue;
        }
        let reduction = match (&s.reduction, &config.reduction) {
            (ReduceStep::Done(done), Some(r)) => Some((&r.record, done)),
            _ => None,
        };
        let skipped: Vec<String> = s.load.failed.iter().map(ToString::to_string).collect();
        let outputs = SeriesOutputs {
            series: &s.load.series,
            analysis: &s.analysis,
            load: &report,
            skipped: &skipped,
        };
        staged
            .write_with(folder, &outputs, reduction)
            .map_err(|e| e.to_string())?;
        written += 1;
    }
    if written == 0 {
        return Ok(0);
    }
    staged.commit().map_err(|e| e.to_string())?;
    Ok(written)
}

/// What a transition's new state says against the value printed last.
#[derive(Debug, PartialEq)]
enum News<'a> {
    First(&'a TransitionEstimate),
    /// Moved by more than [`revised_beyond`] from the value printed last.
    Revised {
        now: &'a TransitionEstimate,
        was: f64,
    },
    Lost {
        was: f64,
    },
}

/// How far a detected transition must move from the value printed last to be printed again:
/// twice its uncertainty, and at least 5 K (or 5 patterns), so a value that settles as
/// patterns arrive is not printed at every step.
fn revised_beyond(t: &TransitionEstimate) -> f64 {
    let u = if t.uncertainty.is_finite() {
        t.uncertainty
    } else {
        0.0
    };
    (2.0 * u).max(5.0)
}

fn transition_news(printed: Option<f64>, now: Option<&TransitionEstimate>) -> Option<News<'_>> {
    match (printed, now) {
        (None, Some(t)) => Some(News::First(t)),
        (Some(was), Some(t)) if (t.kelvin - was).abs() > revised_beyond(t) => {
            Some(News::Revised { now: t, was })
        }
        (Some(was), None) => Some(News::Lost { was }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kelvin: f64, uncertainty: f64) -> TransitionEstimate {
        TransitionEstimate {
            kelvin,
            uncertainty,
            method: "test".into(),
        }
    }

    #[test]
    fn a_transition_is_printed_when_found_when_it_moves_well_beyond_its_uncertainty_and_when_lost()
    {
        let early = at(316.0, 4.0);
        assert_eq!(
            transition_news(None, Some(&early)),
            Some(News::First(&early))
        );
        assert_eq!(transition_news(None, None), None);
        // Within twice the uncertainty (and 5 K): the same news.
        assert_eq!(transition_news(Some(316.0), Some(&at(323.9, 4.0))), None);
        assert_eq!(transition_news(Some(316.0), Some(&at(311.5, 1.0))), None);
        let moved = at(324.1, 4.0);
        assert_eq!(
            transition_news(Some(316.0), Some(&moved)),
            Some(News::Revised {
                now: &moved,
                was: 316.0
            })
        );
        let late = at(590.0, 6.0);
        assert_eq!(
            transition_news(Some(316.0), Some(&late)),
            Some(News::Revised {
                now: &late,
                was: 316.0
            })
        );
        // A NaN uncertainty falls back to 5 K, never to "always" or "never".
        assert_eq!(
            transition_news(Some(316.0), Some(&at(320.0, f64::NAN))),
            None
        );
        assert!(transition_news(Some(316.0), Some(&at(322.0, f64::NAN))).is_some());
        assert_eq!(
            transition_news(Some(590.0), None),
            Some(News::Lost { was: 590.0 })
        );
    }
}
