//! Raw arguments → validated configuration, in one place (as ripgrep's low-level and
//! high-level arguments): clap only splits the words; every value is checked here with a
//! sentence saying what is allowed, and the commands only ever see validated values. NaN,
//! infinities, negative and absurd numbers are usage errors (exit code 2), refused before
//! anything is read or allocated.

use std::path::{Path, PathBuf};

use super::reduction::ReductionConfig;
use super::{AnalyzeArgs, LoadArgs, UsageError};
use glassray::analysis::fit::default_seeds;
use glassray::analysis::params::{AnalysisParams, MAX_R_POINTS};
use glassray::analysis::transform::{LowQ, Modification};
use glassray::analysis::transitions::{Marks, Transition};
use glassray::io::{Format, LoadOptions, Ramp, ReadOptions, SourceKind, XUnitOverride};
use glassray::model::Quantity;

/// Temperatures (marks, a ramp's start) lie in this range (K).
pub const KELVIN_RANGE: (f64, f64) = (1.0, 5000.0);
/// The largest ramp rate, in K per second, minute or pattern.
pub const MAX_RAMP_RATE: f64 = 10_000.0;
/// The largest Q of a window or of `--qmin/--qmax` (1/Å).
pub const MAX_Q: f64 = 1000.0;

/// `glassray analyze`, validated.
#[derive(Debug)]
pub struct AnalyzeConfig {
    pub paths: Vec<PathBuf>,
    pub load: LoadOptions,
    pub params: AnalysisParams,
    pub marks: Marks,
    pub out: PathBuf,
    pub verbose: bool,
    /// Print each stage's wall time at the end.
    pub timings: bool,
    /// How I(Q) patterns are reduced to S(Q); None without `--composition`.
    pub reduction: Option<ReductionConfig>,
}

fn usage<T>(message: String) -> Result<T, UsageError> {
    Err(UsageError(message))
}

/// A value within [lo, hi] (NaN and infinities fail every comparison).
fn within(v: f64, lo: f64, hi: f64) -> bool {
    v >= lo && v <= hi
}

/// `A:B` with lo ≤ A < B ≤ hi.
fn window(
    text: &str,
    what: &str,
    (lo, hi): (f64, f64),
    unit: &str,
    example: &str,
) -> Result<(f64, f64), UsageError> {
    let err = || {
        UsageError(format!(
            "{what} `{text}` must be A:B with {lo} ≤ A < B ≤ {hi} {unit}, e.g. {example}"
        ))
    };
    let (a, b) = text.split_once(':').ok_or_else(err)?;
    let a: f64 = a.trim().parse().map_err(|_| err())?;
    let b: f64 = b.trim().parse().map_err(|_| err())?;
    if within(a, lo, hi) && within(b, lo, hi) && a < b {
        Ok((a, b))
    } else {
        Err(err())
    }
}

impl LoadArgs {
    /// Validates the options shared by the commands that read patterns.
    pub fn options(&self) -> Result<LoadOptions, UsageError> {
        fn parse<T: std::str::FromStr<Err = String>>(
            v: &Option<String>,
        ) -> Result<Option<T>, UsageError> {
            v.as_deref().map(str::parse).transpose().map_err(UsageError)
        }
        let format: Option<Format> = parse(&self.format)?;
        let x_unit: Option<XUnitOverride> = parse(&self.x_unit)?;
        let ramp: Option<Ramp> = parse(&self.ramp)?;
        let temperature_source: Option<SourceKind> = parse(&self.temperature_source)?;
        let quantity = match &self.quantity {
            Some(q) => Some(Quantity::parse(q).ok_or_else(|| {
                UsageError(format!(
                    "unknown quantity `{q}` (one of: sq, fq, s-1, iq, gr, g(r), rdf)"
                ))
            })?),
            None => None,
        };
        if let Some(w) = self.wavelength
            && !(w > 0.0 && w < 100.0)
        {
            return usage(format!(
                "--wavelength {w} Å is not a wavelength: give a number above 0 and below 100 Å"
            ));
        }
        if let Some(r) = &ramp {
            check_ramp(r)?;
        }
        if let Some(log) = &self.temps
            && !log.is_file()
        {
            return usage(format!("temperature log {} does not exist", log.display()));
        }
        if temperature_source == Some(SourceKind::Ramp) && ramp.is_none() {
            return usage("--temperature-source ramp needs --ramp".into());
        }
        Ok(LoadOptions {
            read: ReadOptions {
                format,
                x_unit,
                quantity,
                wavelength: self.wavelength,
            },
            temperature_log: self.temps.clone(),
            ramp,
            temperature_source,
            ..LoadOptions::default()
        })
    }
}

fn check_ramp(r: &Ramp) -> Result<(), UsageError> {
    let (lo, hi) = KELVIN_RANGE;
    if !within(r.start_k, lo, hi) {
        return usage(format!(
            "--ramp starts at {} K: the start must lie between {lo} and {hi} K",
            r.start_k
        ));
    }
    if !within(r.rate.abs(), 0.0, MAX_RAMP_RATE) {
        return usage(format!(
            "--ramp rate {} K is absurd: at most {MAX_RAMP_RATE} K per s, min or pattern (negative for cooling)",
            r.rate
        ));
    }
    Ok(())
}

impl AnalyzeArgs {
    /// Every option of `analyze`, validated.
    pub fn config(&self) -> Result<AnalyzeConfig, UsageError> {
        let mut load = self.load.options()?;
        let mut params = AnalysisParams::default();
        self.transform_params(&mut params)?;
        // `--energy` is a wavelength for 2θ files too.
        if load.read.wavelength.is_none() {
            load.read.wavelength = self.reduce.energy_wavelength()?;
        }
        let reduction = self.reduce.config(
            self.rho0,
            self.load.wavelength,
            &load.read,
            (
                params.transform.low_q,
                (params.transform.q_min, params.transform.q_max),
            ),
        )?;
        if let Some(rho0) = reduction.as_ref().and_then(|r| r.settings.rho0) {
            params.transform.rho0 = Some(rho0);
        }
        self.fit_params(&mut params)?;
        if let Some(l) = self.smoothing
            && !(l > 0.0 && l.is_finite())
        {
            return usage(format!(
                "--smoothing {l} must be a positive finite number (λ of the splines)"
            ));
        }
        params.smoothing.lambda = self.smoothing;
        // The analysis' own rules (what a session may hold) as a last net: anything they would
        // replace by a default is a usage error here, never silently changed.
        let (_, problems) = params.clone().checked();
        if let Some(problem) = problems.first() {
            let said = problem.split(": the default").next().unwrap_or(problem);
            return usage(format!("{said}; change the option that sets it"));
        }
        if self.out.as_os_str().is_empty() {
            return usage("--out needs a folder name".into());
        }
        // `.`, `..` and `/` name no folder that can be staged beside: use the real path.
        let out = if self.out.file_name().is_some() {
            self.out.clone()
        } else {
            resolved(&self.out)
        };
        Ok(AnalyzeConfig {
            paths: self.paths.clone(),
            load,
            params,
            marks: self.marks()?,
            out,
            verbose: self.verbose,
            timings: self.timings,
            reduction,
        })
    }

    /// Q range, ρ0, r grid and FSDP window.
    fn transform_params(&self, p: &mut AnalysisParams) -> Result<(), UsageError> {
        let t = &mut p.transform;
        for (v, what) in [(self.qmin, "--qmin"), (self.qmax, "--qmax")] {
            if let Some(q) = v
                && !within(q, 0.0, MAX_Q)
            {
                return usage(format!("{what} {q} must lie between 0 and {MAX_Q} 1/Å"));
            }
        }
        if self.qmax == Some(0.0) {
            return usage("--qmax must be above 0 1/Å".into());
        }
        if let (Some(a), Some(b)) = (self.qmin, self.qmax)
            && a >= b
        {
            return usage(format!("--qmin {a} must be below --qmax {b}"));
        }
        (t.q_min, t.q_max) = (self.qmin, self.qmax);
        t.modification = if self.lorch {
            Modification::Lorch
        } else {
            Modification::None
        };
        if let Some(mode) = &self.low_q {
            t.low_q = LowQ::from_name(mode).ok_or_else(|| {
                UsageError(format!(
                    "--low-q `{mode}` is not a mode: one of none, hold (S(Q) held at S(Qmin)), \
                     linear (S(Q) falls linearly to S(0) = 0)"
                ))
            })?;
        }
        if let Some(rho) = self.rho0
            && !within(rho, 0.001, 1.0)
        {
            return usage(format!(
                "--rho0 {rho} must lie between 0.001 and 1 atoms/Å³ (BAM-11: 0.0545)"
            ));
        }
        t.rho0 = self.rho0;
        t.r_max = self.rmax.unwrap_or(t.r_max);
        t.dr = self.dr.unwrap_or(t.dr);
        check_r_grid(t.r_min, t.r_max, t.dr)?;
        if let Some(w) = &self.fsdp {
            t.fsdp_window = window(w, "--fsdp", (0.0, MAX_Q), "1/Å", "2.2:3.0")?;
        }
        Ok(())
    }

    /// Fit window, seeds from the cluster radius, tolerance and the fit's switches.
    fn fit_params(&self, p: &mut AnalysisParams) -> Result<(), UsageError> {
        let (r_min, r_max) = (p.transform.r_min, p.transform.r_max);
        if let Some(w) = &self.fit_window {
            p.fit.window = window(
                w,
                "--fit-window",
                (r_min, r_max),
                "Å (inside the r grid)",
                "3.9:6.6",
            )?;
        }
        let (a, b) = p.fit.window;
        if !(a >= r_min && b <= r_max) {
            return usage(format!(
                "the fit window {a}:{b} Å must lie inside the r grid {r_min}–{r_max} Å: raise --rmax or narrow --fit-window"
            ));
        }
        let r = self.cluster_radius;
        let (lo, hi) = (a / 2f64.sqrt(), b / 2.0);
        if let Some(r) = r
            && !(r > 0.0 && r.is_finite())
        {
            return usage(format!(
                "--cluster-radius {r} Å is not a radius: give one between {lo:.3} and {hi:.3} Å (seeds √2R … 2R inside the fit window {a}:{b} Å)"
            ));
        }
        let seeds = r.map_or(p.fit.seeds, default_seeds);
        let (near, far) = seeds
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(*s), hi.max(*s))
            });
        if !(near >= a && far <= b) {
            let given = match r {
                Some(r) => format!("--cluster-radius {r} Å puts the seeds √2R … 2R"),
                None => "the default cluster radius puts the seeds √2R … 2R".into(),
            };
            let allowed = if lo <= hi {
                format!(
                    "R must lie between {lo:.3} and {hi:.3} Å (--cluster-radius), or widen --fit-window"
                )
            } else {
                "no R fits: the window must reach √2 times its start (widen --fit-window)".into()
            };
            return usage(format!(
                "{given} ({near:.3}–{far:.3} Å) outside the fit window {a}:{b} Å: {allowed}"
            ));
        }
        p.fit.seeds = seeds;
        if let Some(t) = self.seed_tolerance {
            if !(t > 0.0 && t < 1.0) {
                return usage(format!(
                    "--seed-tolerance {t} Å must lie above 0 and below 1 Å (default 0.1)"
                ));
            }
            p.fit.tolerance = t;
        }
        p.fit.free_widths = self.free_widths;
        p.fit.baseline = !self.no_baseline;
        p.fit.sequential = self.sequential;
        Ok(())
    }

    /// The marks every series is analysed with (`--tr`, `--tg`, `--tx`): each in
    /// [`KELVIN_RANGE`], and T_r < T_g < T_x among those given.
    fn marks(&self) -> Result<Marks, UsageError> {
        let given = [self.tr, self.tg, self.tx];
        let (lo, hi) = KELVIN_RANGE;
        let mut previous: Option<(Transition, f64)> = None;
        for (t, v) in Transition::ALL.into_iter().zip(given) {
            let Some(k) = v else { continue };
            let flag = format!("--{}", &t.name()[..1].to_lowercase()) + &t.name()[2..];
            if !within(k, lo, hi) {
                return usage(format!(
                    "{flag} {k} must be a temperature between {lo} and {hi} K"
                ));
            }
            if let Some((pt, pk)) = previous
                && pk >= k
            {
                return usage(format!(
                    "{} {pk} K must be below {} {k} K (T_r < T_g < T_x)",
                    pt.name(),
                    t.name()
                ));
            }
            previous = Some((t, k));
        }
        Ok(Marks::with_overrides(given))
    }
}

/// The r grid r_min, r_min + dr, …, r_max must hold 2 to [`MAX_R_POINTS`] points (the limit
/// of the analysis, checked here before anything is allocated).
fn check_r_grid(r_min: f64, r_max: f64, dr: f64) -> Result<(), UsageError> {
    if !(r_max.is_finite() && r_max > r_min) {
        return usage(format!(
            "--rmax {r_max} must be a number above the first r point {r_min} Å"
        ));
    }
    if !(dr.is_finite() && dr > 0.0) {
        return usage(format!("--dr {dr} must be a positive number (Å)"));
    }
    let steps = (r_max - r_min) / dr;
    let points = steps + 1.0;
    if !(steps >= 1.0 && steps < MAX_R_POINTS as f64) {
        return usage(format!(
            "--rmax {r_max} with --dr {dr} makes {points:.0} r points: the r grid must hold between 2 and {MAX_R_POINTS}"
        ));
    }
    Ok(())
}

/// `path` made absolute and free of `..` and links as far as it exists (the rest appended).
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses an output folder that is, or is inside, an input folder (its outputs would be read
/// back as inputs: metrics.csv as a temperature log), or that holds an input (replacing it
/// would delete the input).
pub fn check_out_against_inputs(out: &Path, inputs: &[PathBuf]) -> Result<(), UsageError> {
    let out_real = resolved(out);
    for input in inputs {
        let real = resolved(input);
        // Loose files are read by name: only a folder is listed, and so could pick outputs up.
        if real.is_dir() && out_real.starts_with(&real) {
            return usage(format!(
                "--out {} is inside the input folder {}: its outputs (metrics.csv, gr/) would be read back as inputs next time; write them elsewhere",
                out.display(),
                input.display()
            ));
        }
        if real.starts_with(&out_real) {
            return usage(format!(
                "--out {} holds the input {}, and the outputs replace that folder whole: write them elsewhere",
                out.display(),
                input.display()
            ));
        }
    }
    Ok(())
}
