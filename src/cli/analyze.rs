//! `glassray analyze`: the whole analysis, headless, written as files.
//!
//! For one series: `OUT/metrics.csv`, `OUT/summary.json`, `OUT/gr/*.gr`. For several (the demo's
//! three samples, or several folders): the same under `OUT/<sample>/`.

use std::process::ExitCode;

use super::{AnalyzeArgs, UsageError};
use glassray::analysis::fit::default_seeds;
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transform::Modification;
use glassray::analysis::transitions::{Marks, Transition, TransitionEstimate};
use glassray::demo::DemoConfig;
use glassray::engine::{analyze, demo_all, load_inputs};
use glassray::io::SeriesLoad;
use glassray::report::{safe_name, write_outputs};

fn window(text: &str, what: &str) -> Result<(f64, f64), UsageError> {
    let err = || {
        UsageError(format!(
            "{what} `{text}` must look like A:B with A < B, e.g. 2.2:3.0"
        ))
    };
    let (a, b) = text.split_once(':').ok_or_else(err)?;
    let (a, b): (f64, f64) = (
        a.trim().parse().map_err(|_| err())?,
        b.trim().parse().map_err(|_| err())?,
    );
    if a.is_finite() && b.is_finite() && a < b {
        Ok((a, b))
    } else {
        Err(err())
    }
}

fn positive(v: Option<f64>, what: &str) -> Result<Option<f64>, UsageError> {
    match v {
        Some(x) if !(x > 0.0 && x.is_finite()) => Err(UsageError(format!(
            "{what} must be a positive number, not {x}"
        ))),
        _ => Ok(v),
    }
}

impl AnalyzeArgs {
    /// The marks every series is analysed with (`--tr`, `--tg`, `--tx`).
    pub fn marks(&self) -> Marks {
        Marks::with_overrides([self.tr, self.tg, self.tx])
    }

    /// Validated analysis parameters.
    pub fn params(&self) -> Result<AnalysisParams, UsageError> {
        let mut p = AnalysisParams::default();
        p.fit.sequential = self.sequential;
        let t = &mut p.transform;
        t.q_min = self.qmin;
        t.q_max = self.qmax;
        t.modification = if self.lorch {
            Modification::Lorch
        } else {
            Modification::None
        };
        t.rho0 = positive(self.rho0, "--rho0")?;
        p.smoothing.lambda = positive(self.smoothing, "--smoothing")?;
        if let (Some(a), Some(b)) = (self.qmin, self.qmax)
            && a >= b
        {
            return Err(UsageError(format!("--qmin {a} must be below --qmax {b}")));
        }
        let t = &mut p.transform;
        if let Some(r) = positive(self.rmax, "--rmax")? {
            t.r_max = r;
        }
        if let Some(dr) = positive(self.dr, "--dr")? {
            t.dr = dr;
        }
        if t.r_max <= t.r_min {
            return Err(UsageError(format!(
                "--rmax {} must exceed the first r point {}",
                t.r_max, t.r_min
            )));
        }
        if let Some(w) = &self.fsdp {
            t.fsdp_window = window(w, "--fsdp")?;
        }
        if let Some(w) = &self.fit_window {
            p.fit.window = window(w, "--fit-window")?;
        }
        if let Some(r) = positive(self.cluster_radius, "--cluster-radius")? {
            p.fit.seeds = default_seeds(r);
        }
        if let Some(t) = positive(self.seed_tolerance, "--seed-tolerance")? {
            p.fit.tolerance = t;
        }
        p.fit.free_widths = self.free_widths;
        p.fit.baseline = !self.no_baseline;
        Ok(p)
    }
}

pub fn run(args: &AnalyzeArgs) -> Result<ExitCode, UsageError> {
    let params = args.params()?;
    let marks = args.marks();
    let opts = args.load.options()?;
    let loads: Vec<SeriesLoad> = if args.paths.is_empty() {
        demo_all(&DemoConfig::default())
            .into_iter()
            .map(SeriesLoad::from_series)
            .collect()
    } else {
        load_inputs(&args.paths, &opts)
    };
    let mut skipped = 0;
    for load in &loads {
        for f in &load.failed {
            eprintln!("skipped: {f}");
            skipped += 1;
        }
    }
    let several = loads.len() > 1;
    let mut written = Vec::new();
    for load in &loads {
        let series = &load.series;
        if series.is_empty() {
            eprintln!("{}: no patterns to analyse", load.origin);
            continue;
        }
        let analysis = analyze(series, &params, &marks);
        let dir = if several {
            args.out.join(safe_name(&series.sample))
        } else {
            args.out.clone()
        };
        let skipped: Vec<String> = load.failed.iter().map(ToString::to_string).collect();
        if let Err(e) = write_outputs(&dir, series, &skipped, &analysis) {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
        let t = &analysis.transitions;
        println!(
            "{}: {} patterns; T_r {}, T_g {}, T_x {} → {}",
            series.sample,
            series.len(),
            show(t.used(Transition::Relaxation)),
            show(t.used(Transition::Glass)),
            show(t.used(Transition::Crystallization)),
            dir.display()
        );
        let flagged = analysis
            .patterns
            .iter()
            .filter(|p| !p.messages.is_empty())
            .count();
        if flagged > 0 {
            println!("  {flagged} pattern(s) flagged (see the messages column of metrics.csv)");
        }
        written.push(dir);
    }
    Ok(if skipped > 0 || written.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn show(t: Option<&TransitionEstimate>) -> String {
    t.map_or("not found".into(), |t| {
        format!("{:.1} ± {:.1} K", t.kelvin, t.uncertainty)
    })
}
