//! Raw I(Q) → S(Q) for a whole series on the rayon pool, before the analysis: the background
//! file read once ([`read_background`]), one [`ReducePlan`] per distinct Q grid (scattering
//! factors, polarisation, low-r transforms) shared by the patterns on it, then every I(Q)
//! pattern reduced in parallel ([`crate::analysis::reduce::reduce_pattern`]), each from that
//! pattern alone (with the background and the settings). A reduced pattern becomes an S(Q)
//! pattern (σ propagated, its ρ0 written as a `rho0` header entry so the transform uses it, a
//! note saying how it was reduced); a pattern that cannot be reduced leaves the series and is
//! listed as a skipped file with the reason, and the rest goes on. Patterns that already hold
//! S(Q), F(Q) or S(Q) − 1 are not touched; the background file, when it sits among the inputs,
//! is taken out of the series (listed as ignored). With a Q range, I(Q) patterns are cut to it
//! first.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::reduce::{
    NormalisationMode, ReduceError, ReducePlan, ReduceSettings, Reduced, ScaleMode,
    background_on_grid, reduce_pattern,
};
use crate::analysis::series::grid_groups;
use crate::io::{LoadError, ReadOptions, SeriesLoad, read_file};
use crate::model::{Pattern, Quantity, XUnit};

mod cache;
mod steps;

pub use cache::ReduceCache;
pub use steps::{ReduceStep, ReductionConfig, reduce_loads};

/// A measured background, on its own Q grid (Å⁻¹).
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    pub path: PathBuf,
    pub q: Vec<f64>,
    pub intensity: Vec<f64>,
}

/// Why the background file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    #[error("background file {0}")]
    Load(#[from] LoadError),
    #[error("background file {}: {reason}", path.display())]
    NotUsable { path: PathBuf, reason: String },
}

/// Reads the background file with the pattern readers (the same options as the patterns).
pub fn read_background(path: &Path, opts: &ReadOptions) -> Result<Background, BackgroundError> {
    let data = read_file(path, opts)?;
    let not_usable = |reason: String| BackgroundError::NotUsable {
        path: path.to_path_buf(),
        reason,
    };
    let Some(p) = data.patterns.into_iter().next() else {
        return Err(not_usable("holds no pattern".into()));
    };
    if p.x_unit != XUnit::QInvAngstrom {
        return Err(not_usable(format!(
            "its x axis is {}, not Q: give --wavelength (or --energy) so that Q can be computed",
            p.x_unit
        )));
    }
    if p.quantity.is_real_space() {
        return Err(not_usable(format!(
            "holds {}, not an intensity",
            p.quantity
        )));
    }
    Ok(Background {
        path: path.to_path_buf(),
        q: p.x,
        intensity: p.y,
    })
}

/// Every setting of a run's reduction, as `summary.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReductionRecord {
    /// The formula as given.
    pub composition: String,
    /// Atomic fractions in order of appearance: (element, fraction).
    pub atomic_fractions: Vec<(String, f64)>,
    /// Mean atomic mass (g/mol per atom).
    pub mean_atomic_mass: f64,
    pub density_g_cm3: Option<f64>,
    /// ρ0 (atoms/Å³) when given or computed from the density; null when refined per pattern.
    pub rho0: Option<f64>,
    /// Where ρ0 comes from: `density`, `rho0` or `refined per pattern …`.
    pub rho0_source: String,
    pub wavelength_angstrom: Option<f64>,
    /// `--wavelength`, `--energy E keV`, or null.
    pub wavelength_source: Option<String>,
    pub polarisation: bool,
    pub background: Option<String>,
    /// A number, or `auto`.
    pub background_scale: String,
    pub background_scale_method: String,
    pub normalisation: String,
    pub normalisation_method: String,
    /// S(Q) below the first point (the sum rule and the low-r transform).
    pub below_qmin: String,
    /// The Q range reduced (1/Å; null: the pattern's first or last point).
    pub q_min: Option<f64>,
    pub q_max: Option<f64>,
    pub low_r_line: String,
    /// r_c as given (Å; null: per pattern from the first peak).
    pub r_cut: Option<f64>,
    /// Steps of the iterative low-r correction (Eggert et al. 2002, as LiquidDiffract; 0: none).
    pub iterations: usize,
    pub iteration_method: String,
    /// r_poly of PDFgetX3's ad hoc polynomial (Å; null: not applied).
    pub ad_hoc_rpoly: Option<f64>,
}

impl ReductionRecord {
    /// The record of `settings` (the sources and the background named by the caller).
    pub fn of(
        formula: &str,
        settings: &ReduceSettings,
        density_g_cm3: Option<f64>,
        wavelength: Option<(f64, String)>,
        background: Option<&Path>,
    ) -> Self {
        let c = &settings.composition;
        let rho0_source = match (settings.rho0, density_g_cm3) {
            (None, _) => "refined per pattern from the low-r slope of G(r)".into(),
            (Some(_), Some(_)) => "density (--density with the mean atomic mass)".into(),
            (Some(_), None) => "rho0 (--rho0)".into(),
        };
        let (scale, scale_method) = match settings.scale {
            ScaleMode::Fixed(b) => (format!("{b}"), "given".to_string()),
            ScaleMode::Auto => (
                "auto".into(),
                "per pattern, the b in [0, min I/I_bkg over the upper half of the Q range] minimising the mean of [G(r) + 4 pi rho0 r]^2 \
                 below r_c of G(r) (golden-section search)"
                    .into(),
            ),
        };
        let normalisation_method = match settings.normalisation {
            NormalisationMode::KroghMoe => {
                "Krogh-Moe-Norman sum rule: integral of Q^2 [S(Q) - 1] from 0 to Qmax = -2 pi^2 rho0"
            }
            NormalisationMode::HighQ => "S(Q) -> 1 on average over the last quarter of the Q range",
        };
        ReductionRecord {
            composition: formula.to_string(),
            atomic_fractions: c
                .constituents()
                .iter()
                .map(|k| (k.symbol().to_string(), k.fraction))
                .collect(),
            mean_atomic_mass: c.mean_atomic_mass(),
            density_g_cm3,
            rho0: settings.rho0,
            rho0_source,
            wavelength_angstrom: wavelength.as_ref().map(|w| w.0),
            wavelength_source: wavelength.map(|w| w.1),
            polarisation: settings.polarisation_wavelength.is_some(),
            background: background.map(|p| p.display().to_string()),
            background_scale: scale,
            background_scale_method: scale_method,
            normalisation: settings.normalisation.name().into(),
            normalisation_method: normalisation_method.into(),
            below_qmin: settings.below_qmin.name().into(),
            q_min: settings.q_range.0,
            q_max: settings.q_range.1,
            low_r_line: match settings.r_cut {
                Some(r) => format!("G(r) = -4 pi rho0 r fitted for 0 < r <= r_c = {r} A (given), Lorch-damped G(r)"),
                None => "G(r) = -4 pi rho0 r fitted for 0 < r <= r_c = 0.8 x the first peak of a Lorch-damped G(r) (1-6 A) - pi/Qmax (the Lorch half-width)".into(),
            },
            r_cut: settings.r_cut,
            iterations: settings.iterations,
            iteration_method: match settings.iterations {
                0 => "none".into(),
                n => format!(
                    "{n} step(s) of S <- S [1 - dF(Q)/Q], dF(Q) = (2/pi) integral from 0 to r_c of [G(r) + 4 pi rho0 r] sin(Qr) dr, unmodified G(r) (Eggert et al. 2002, LiquidDiffract); a refined rho0 or b minimises the low-r misfit after them"
                ),
            },
            ad_hoc_rpoly: settings.ad_hoc,
        }
    }
}

/// What the reduction of one pattern found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatternReduction {
    pub rho0: f64,
    pub rho0_refined: bool,
    pub background_scale: f64,
    pub scale_at_bound: bool,
    /// α, to electron units per atom.
    pub alpha: f64,
    /// r_c (Å), the end of the low-r line.
    pub r_cut: f64,
    pub low_r_misfit: f64,
    /// Steps of the iterative low-r correction applied (0: none).
    pub iterations: usize,
    /// Degree of the ad hoc polynomial removed from F(Q), when it was.
    pub ad_hoc_degree: Option<usize>,
}

impl PatternReduction {
    fn of(r: &Reduced) -> Self {
        PatternReduction {
            rho0: r.rho0,
            rho0_refined: r.rho0_refined,
            background_scale: r.background_scale,
            scale_at_bound: r.scale_at_bound,
            alpha: r.reduction.alpha,
            r_cut: r.r_cut,
            low_r_misfit: r.low_r_misfit,
            iterations: r.iterations,
            ad_hoc_degree: r.ad_hoc_degree,
        }
    }
}

/// What the reduction of a series did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesReduction {
    /// For each pattern of the series after the reduction (in order): its reduction, or None
    /// when it was not an intensity.
    pub patterns: Vec<Option<PatternReduction>>,
    /// How many patterns were reduced, and how many could not be.
    pub reduced: usize,
    pub failed: usize,
    /// What to tell the user about the run (ρ0 refined, scales at a bound, …).
    pub messages: Vec<String>,
}

/// The reduction of one pattern, or why there is none.
pub(crate) type Outcome = Result<Reduced, String>;

/// Reduces the I(Q) patterns of `load` in place (see the module doc).
pub fn reduce_series(
    load: &mut SeriesLoad,
    background: Option<&Background>,
    settings: &ReduceSettings,
) -> SeriesReduction {
    reduce_series_cached(load, background, settings, None)
}

/// [`reduce_series`], taking the reduction of a pattern seen before (same Q, I and σ, same
/// settings and background) from `cache` instead of reducing it again: a followed folder
/// reduces only the pattern that landed. The result is the same, bit for bit.
pub fn reduce_series_cached(
    load: &mut SeriesLoad,
    background: Option<&Background>,
    settings: &ReduceSettings,
    mut cache: Option<&mut ReduceCache>,
) -> SeriesReduction {
    if let Some(c) = cache.as_deref_mut() {
        c.check(settings, background);
    }
    if let Some(b) = background {
        drop_background(load, &b.path);
    }
    if settings.q_range != (None, None) {
        for p in &mut load.series.patterns {
            if p.quantity == Quantity::Intensity && p.x_unit == XUnit::QInvAngstrom {
                crop(p, settings.q_range);
            }
        }
    }
    let series = &load.series;
    let mut outcomes: Vec<Option<Outcome>> = vec![None; series.len()];
    for (i, p) in series.patterns.iter().enumerate() {
        if p.quantity == Quantity::Intensity && p.x_unit != XUnit::QInvAngstrom {
            outcomes[i] = Some(Err(format!(
                "cannot reduce I(Q) to S(Q): its x axis is {}, not Q (give --wavelength or --energy)",
                p.x_unit
            )));
        }
    }
    for group in grid_groups(series) {
        let members: Vec<usize> = group
            .into_iter()
            .filter(|&i| series.patterns[i].quantity == Quantity::Intensity)
            .collect();
        let Some(&first) = members.first() else {
            continue;
        };
        let q = &series.patterns[first].x;
        let members: Vec<usize> = match cache.as_deref_mut() {
            Some(c) => members
                .into_iter()
                .filter(|&i| match c.get(&series.patterns[i], q) {
                    Some(o) => {
                        outcomes[i] = Some(o);
                        false
                    }
                    None => true,
                })
                .collect(),
            None => members,
        };
        if members.is_empty() {
            continue;
        }
        let prepared = prepare(q, background, settings);
        let done: Vec<(usize, Outcome)> = members
            .par_iter()
            .map(|&i| {
                let p = &series.patterns[i];
                let outcome = match &prepared {
                    Ok((plan, bkg)) => {
                        reduce_pattern(plan, settings, &p.y, p.dy.as_deref(), bkg.as_deref())
                            .map_err(|e| reduce_reason(&e, p, background))
                    }
                    Err(reason) => Err(reason(p)),
                };
                (i, outcome)
            })
            .collect();
        for (i, o) in done {
            if let Some(c) = cache.as_deref_mut() {
                c.insert(&series.patterns[i], q, &o);
            }
            outcomes[i] = Some(o);
        }
    }
    apply(load, outcomes, settings)
}

/// How an ignored background file is listed.
pub const BACKGROUND_IGNORED: &str = "the background file (--background)";

/// Takes the background file out of the series (it sits in the input folder, say), listing it
/// as ignored.
fn drop_background(load: &mut SeriesLoad, background: &Path) {
    let real = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let target = real(background);
    let before = load.series.patterns.len();
    load.series.patterns.retain(|p| real(&p.source) != target);
    if load.series.patterns.len() < before {
        load.ignored.push(crate::io::Ignored {
            path: background.to_path_buf(),
            reason: format!("{BACKGROUND_IGNORED}, not a pattern"),
        });
    }
}

/// Keeps the points of `p` in [lo, hi].
fn crop(p: &mut Pattern, (lo, hi): (Option<f64>, Option<f64>)) {
    let (lo, hi) = (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY));
    let keep: Vec<bool> = p.x.iter().map(|&q| q >= lo && q <= hi).collect();
    let pick = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect()
    };
    p.x = pick(&p.x);
    p.y = pick(&p.y);
    if let Some(dy) = &p.dy {
        p.dy = Some(pick(dy));
    }
}

/// A plan and the background on the grid `q`, or a reason per pattern why not.
type Prepared = Result<(ReducePlan, Option<Vec<f64>>), Box<dyn Fn(&Pattern) -> String + Sync>>;

fn prepare(q: &[f64], background: Option<&Background>, settings: &ReduceSettings) -> Prepared {
    let plan = ReducePlan::new(q, settings).map_err(|e| {
        let text = e.to_string();
        Box::new(move |_: &Pattern| format!("cannot reduce I(Q) to S(Q): {text}"))
            as Box<dyn Fn(&Pattern) -> String + Sync>
    })?;
    let on_grid = match background {
        Some(b) => Some(background_on_grid(&b.q, &b.intensity, q).map_err(|e| {
            let (e, path) = (e.clone(), b.path.clone());
            Box::new(move |p: &Pattern| background_reason(&e, p, &path))
                as Box<dyn Fn(&Pattern) -> String + Sync>
        })?),
        None => None,
    };
    Ok((plan, on_grid))
}

fn background_reason(e: &ReduceError, p: &Pattern, background: &Path) -> String {
    format!(
        "cannot reduce I(Q) to S(Q): {e} ({} against the background {})",
        p.source.display(),
        background.display()
    )
}

fn reduce_reason(e: &ReduceError, p: &Pattern, background: Option<&Background>) -> String {
    match (e, background) {
        (ReduceError::BackgroundOutside { .. }, Some(b)) => background_reason(e, p, &b.path),
        _ => format!("cannot reduce I(Q) to S(Q): {e}"),
    }
}

/// Puts the outcomes into the series: S(Q) in place of I(Q), failures out as skipped files.
fn apply(
    load: &mut SeriesLoad,
    outcomes: Vec<Option<Outcome>>,
    settings: &ReduceSettings,
) -> SeriesReduction {
    let mut out = SeriesReduction::default();
    let patterns = std::mem::take(&mut load.series.patterns);
    for (mut p, outcome) in patterns.into_iter().zip(outcomes) {
        match outcome {
            None => {
                out.patterns.push(None);
                load.series.patterns.push(p);
            }
            Some(Err(reason)) => {
                out.failed += 1;
                load.failed.push(LoadError::Invalid {
                    path: p.source.clone(),
                    reason,
                });
            }
            Some(Ok(r)) => {
                out.reduced += 1;
                out.patterns.push(Some(PatternReduction::of(&r)));
                into_structure_factor(&mut p, r);
                load.series.patterns.push(p);
            }
        }
    }
    load.series.refresh_flags();
    out.messages = run_messages(&out, settings);
    out
}

/// The pattern now holds S(Q) (and its σ), with its ρ0 as a header entry.
fn into_structure_factor(p: &mut Pattern, r: Reduced) {
    let source = if r.rho0_refined {
        "refined from the low-r slope of G(r)"
    } else {
        "given"
    };
    let line = if r.r_cut.is_finite() {
        format!("; G(r) = −4πρ0 r fitted below r = {:.2} Å", r.r_cut)
    } else {
        String::new()
    };
    let mut line = line;
    if r.iterations > 0 {
        line.push_str(&format!("; {} low-r iteration(s)", r.iterations));
    }
    if let Some(n) = r.ad_hoc_degree {
        line.push_str(&format!(
            "; ad hoc polynomial of degree {n} removed from F(Q)"
        ));
    }
    p.notes.push(format!(
        "reduced from I(Q): background scale {:.6}{}, α = {:.6e}, ρ0 = {:.5} atoms/Å³ ({source}{line})",
        r.background_scale,
        if r.scale_at_bound {
            " (at the end of its range)"
        } else {
            ""
        },
        r.reduction.alpha,
        r.rho0,
    ));
    p.metadata.insert(0, ("rho0".into(), format!("{}", r.rho0)));
    p.quantity = Quantity::StructureFactor;
    p.y = r.reduction.s;
    p.dy = r.reduction.sigma_s;
}

/// The run's messages: how ρ0 and b were found, and their ranges.
fn run_messages(out: &SeriesReduction, settings: &ReduceSettings) -> Vec<String> {
    let done: Vec<&PatternReduction> = out.patterns.iter().flatten().collect();
    let mut messages = Vec::new();
    if done.is_empty() {
        return messages;
    }
    let range = |f: &dyn Fn(&PatternReduction) -> f64| {
        let (lo, hi) = done
            .iter()
            .map(|p| f(p))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        if (hi - lo).abs() <= 1e-12 * hi.abs() {
            format!("{lo:.5}")
        } else {
            format!("{lo:.5}–{hi:.5}")
        }
    };
    messages.push(format!(
        "{} I(Q) pattern(s) reduced to S(Q) ({} normalisation)",
        out.reduced,
        settings.normalisation.name()
    ));
    if settings.rho0.is_none() {
        messages.push(format!(
            "ρ0 not given (--density or --rho0): refined per pattern from the low-r slope of G(r) (G = −4πρ0 r below r_c = 0.8 × the first peak − π/Qmax): {} atoms/Å³",
            range(&|p| p.rho0)
        ));
    }
    if settings.iterations > 0 {
        messages.push(format!(
            "S(Q) corrected by {} step(s) of the iterative low-r correction (Eggert et al. 2002): low-r misfit after them {}",
            settings.iterations,
            range(&|p| p.low_r_misfit)
        ));
    }
    if let Some(rpoly) = settings.ad_hoc {
        messages.push(format!(
            "ad hoc correction (PDFgetX3): a polynomial in Q of degree ⌈Qmax × {rpoly} Å / π⌉ removed from F(Q)"
        ));
    }
    if settings.scale == ScaleMode::Auto {
        messages.push(format!(
            "background scale chosen per pattern by the low-r misfit of G(r): {}",
            range(&|p| p.background_scale)
        ));
        let at_bound = done.iter().filter(|p| p.scale_at_bound).count();
        if at_bound > 0 {
            messages.push(format!(
                "{at_bound} pattern(s) have their background scale at the end of its range (0, or the largest that leaves no negative intensity): check the background"
            ));
        }
    }
    messages
}
