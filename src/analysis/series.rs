//! The analysis of a heating series as pure steps: one pattern at a time (S(Q) → ΔS(Q) summary,
//! FSDP, G(r) with one shared [`TransformPlan`], g(r), shell lobes, connection-mode fit), then the
//! series-level steps on plain numbers versus T. No threads here: `engine::pipeline` runs these
//! steps over a series on the rayon pool, with caching, cancellation and progress.
//!
//! Per pattern: S(Q) → ΔS(Q) summary, FSDP, G(r), g(r), shell lobes, connection-mode fit. Per series: lobe areas relative to their mean, T_x from the FSDP
//! area, T_r and T_g from the FSDP first moment below T_x; user overrides replace detected values
//! and are what later steps use. A pattern that cannot be analysed (I(Q), NaN in the Q range, an
//! empty window) keeps its row with NaN and a message: it is flagged, never dropped.
//!
//! Real-space patterns (G(r), g(r), g(r) − 1, RDF) skip the transform and the FSDP: lobes and
//! fits use their own r grid.
//!
//! Every quantity versus T also gets a cubic smoothing spline (λ by GCV unless set), as the
//! study draws its curves.
//!
//! Defaults: reference pattern 0; all Q points; M(Q) = 1; ρ0 from the header (`rho`, `rho0`,
//! `numberdensity`) or 0.0545 Å⁻³; r = 0.01…20.00 Å by 0.01; FSDP window 2.2–3.0 Å⁻¹; lobes from
//! 1.5 Å; fit window 3.9–6.6 Å with seeds from R = 2.969 Å ± 0.1 Å, shared width, baseline, each
//! temperature fitted independently.

use std::sync::Arc;

use super::fit::{FitParams, ModeFit, fit_connection_modes};
use super::fsdp::{Fsdp, fsdp};
use super::lobes::{Lobe, LobeResolution, lobe_area, relative_to_mean, shell_lobes};
use super::metric::Metric;
use super::params::{AnalysisParams, DEFAULT_RHO0, SmoothingParams};
use super::quality::{dead_frame, spikes};
use super::spline::SmoothingSpline;
use super::systematics::Systematic;
use super::transform::{
    TransformError, TransformPath, TransformPlan, big_g_from_g, g_from_big_g, r_grid, sq_view,
};
use super::transitions::{Marks, Transitions};
use crate::model::{HeatingSeries, Pattern, Quantity, XUnit};

/// The real-space curves of one pattern (kept for plotting and G(r) export).
#[derive(Debug, Clone, PartialEq)]
pub struct RealSpace {
    pub r: Arc<Vec<f64>>,
    pub big_g: Vec<f64>,
    pub g: Vec<f64>,
    pub rho0: f64,
    /// What this G(r) resolves (zero for real-space input): the lobes merge below it.
    pub resolution: LobeResolution,
    /// The Q range (Å⁻¹) G(r) was transformed from (for real-space input, its header's
    /// `qmax`, else None): Qmax sets how many points of a fit window are independent.
    pub q_range: Option<(f64, f64)>,
}

/// Everything computed for one pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternAnalysis {
    pub index: usize,
    pub kelvin: Option<f64>,
    pub fsdp: Fsdp,
    /// Root-mean-square of ΔS(Q) over the transform's Q range (NaN without S(Q)).
    pub delta_s_rms: f64,
    pub lobes: Vec<Lobe>,
    pub real_space: Option<Arc<RealSpace>>,
    pub fit: ModeFit,
    /// The systematic σ of the fractions (seed placement and Q range), computed by a later
    /// stage than the fit: None until it is ([`super::systematics`]).
    pub systematic: Option<Systematic>,
    /// Why parts of the analysis are missing for this pattern.
    pub messages: Vec<String>,
    /// Why this pattern is kept out of the transition detection and the splines (a dead frame
    /// or a spike: [`super::quality`]), if it is.
    pub suspect: Option<String>,
}

impl PatternAnalysis {
    pub fn r1(&self) -> f64 {
        lobe_area(&self.lobes, 1)
    }
    pub fn r6(&self) -> f64 {
        lobe_area(&self.lobes, 6)
    }
}

/// A quantity versus T with its smoothing spline evaluated at each pattern's T.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothedCurve {
    pub metric: Metric,
    pub values: Vec<f64>,
    pub smoothed: Vec<f64>,
    /// λ used (chosen by GCV unless set) and the effective degrees of freedom.
    pub lambda: f64,
    pub edf: f64,
}

/// The analysis of a whole series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesAnalysis {
    pub patterns: Vec<PatternAnalysis>,
    pub r1_relative: Vec<f64>,
    pub r6_relative: Vec<f64>,
    /// FSDP moment and area, r1/r6 relative, the four fractions and the fit RMSE versus T.
    pub curves: Vec<SmoothedCurve>,
    pub transitions: Transitions,
    pub params: AnalysisParams,
    /// The sample's marks the transitions were computed with.
    pub marks: Marks,
    /// Series-level messages (plan failures, transform path used).
    pub messages: Vec<String>,
    /// Series-level warnings about the results themselves (the lobe count changing below T_x):
    /// `summary.json` lists them and the command line prints them.
    pub warnings: Vec<String>,
}

impl SeriesAnalysis {
    /// The curve of one metric versus T.
    pub fn curve(&self, metric: Metric) -> Option<&SmoothedCurve> {
        self.curves.iter().find(|c| c.metric == metric)
    }
}

/// ρ0 for a pattern: the parameter, else a plausible header value, else the default.
pub fn rho0_for(p: &Pattern, params: &AnalysisParams) -> f64 {
    rho0_with_source(p, params).0
}

/// Where a pattern's ρ0 came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Rho0Source {
    /// Set in the parameters (`--rho0`, the side panel, a session).
    Parameter,
    /// A plausible value (0.005–0.5 atoms/Å³) under this header key.
    Header(&'static str),
    /// Nothing gave one: [`DEFAULT_RHO0`].
    Default,
}

impl std::fmt::Display for Rho0Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rho0Source::Parameter => f.write_str("set in the parameters"),
            Rho0Source::Header(key) => write!(f, "from the file header `{key}`"),
            Rho0Source::Default => f.write_str("default: no header states one"),
        }
    }
}

/// ρ0 for a pattern and where it came from.
pub fn rho0_with_source(p: &Pattern, params: &AnalysisParams) -> (f64, Rho0Source) {
    if let Some(r) = params.transform.rho0 {
        return (r, Rho0Source::Parameter);
    }
    for key in [
        "rho0",
        "rho",
        "numberdensity",
        "number_density",
        "numDensity",
    ] {
        if let Some(x) = p.metadata_number(key)
            && (0.005..0.5).contains(&x)
        {
            return (x, Rho0Source::Header(key));
        }
    }
    (DEFAULT_RHO0, Rho0Source::Default)
}

/// Whether two slices hold the same bits (the same length; +0 and −0 differ, a NaN equals
/// itself). Without an early exit, so that it runs as wide vector code.
pub fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .fold(0u64, |d, (x, y)| d | (x.to_bits() ^ y.to_bits()))
            == 0
}

/// Whether two grids are the same: as many points, each within 1e-9 of the grid's largest
/// magnitude (a file written with other rounding is the same grid; a shifted, coarser,
/// denser or truncated one is not).
pub fn same_grid(a: &[f64], b: &[f64]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // The usual case, a pattern on the grid before it: the answer of the test below for equal
    // bits (every point finite; an infinite or NaN one fails it), without its serial maximum.
    if same_bits(a, b) {
        return a.iter().fold(true, |ok, v| ok & v.is_finite());
    }
    let scale = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 1e-9 * scale.max(f64::MIN_POSITIVE);
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

/// The patterns that need a transform (S(Q) in some form, x in Q), grouped by Q grid in order
/// of first appearance: each group shares one plan, and every pattern is transformed on its
/// own grid, so one odd file never changes another's G(r).
pub fn grid_groups(series: &HeatingSeries) -> Vec<Vec<usize>> {
    // Each group with whether its first grid is finite everywhere, which is [`same_grid`]'s
    // answer for a grid with the same bits: known once per group, not looked up per pattern.
    let mut groups: Vec<(Vec<usize>, bool)> = Vec::new();
    for (i, p) in series.patterns.iter().enumerate() {
        if p.x_unit != XUnit::QInvAngstrom || p.quantity.is_real_space() {
            continue;
        }
        let same = |(g, finite): &&mut (Vec<usize>, bool)| {
            let first = &series.patterns[g[0]].x;
            if same_bits(first, &p.x) {
                *finite
            } else {
                same_grid(first, &p.x)
            }
        };
        match groups.iter_mut().find(same) {
            Some((g, _)) => g.push(i),
            None => groups.push((vec![i], p.x.iter().all(|v| v.is_finite()))),
        }
    }
    groups.into_iter().map(|(g, _)| g).collect()
}

/// Builds the transform plan for patterns on Q grid `q`.
pub fn plan_for(q: &[f64], params: &AnalysisParams) -> Result<Arc<TransformPlan>, TransformError> {
    plan_for_joined(q, params, &super::transform::in_turn)
}

/// [`plan_for`], its two halves built through `join` ([`TransformPlan::new_joined`]).
pub fn plan_for_joined(
    q: &[f64],
    params: &AnalysisParams,
    join: super::transform::Join<'_>,
) -> Result<Arc<TransformPlan>, TransformError> {
    let t = &params.transform;
    TransformPlan::new_joined(
        q,
        t.q_min,
        t.q_max,
        t.modification,
        t.low_q,
        r_grid(t.r_min, t.r_max, t.dr)?,
        t.path,
        join,
    )
}

/// What to say about the plans of a series: the first grid's path and size, then how many
/// other grids there are and which could not be planned.
/// `plans` holds, per group, the path and number of Q points of its plan, or why it failed.
pub fn plan_messages(
    series: &HeatingSeries,
    groups: &[Vec<usize>],
    plans: &[Result<(TransformPath, usize), TransformError>],
) -> Vec<String> {
    let mut messages = Vec::new();
    let needs_plan = series.patterns.iter().any(|p| !p.quantity.is_real_space());
    match plans.first() {
        Some(Ok((path, q_points))) => messages.push(format!(
            "G(r) by the {} path over {q_points} Q points",
            match path {
                TransformPath::Fft => "FFT (chirp-z)",
                _ => "direct sine-table",
            },
        )),
        Some(Err(e)) => messages.push(format!("no transform: {e}")),
        None if needs_plan => messages.push(format!(
            "no transform: {}",
            TransformError::NoReciprocalPattern
        )),
        None => {}
    }
    if groups.len() > 1 {
        let others: usize = groups[1..].iter().map(Vec::len).sum();
        messages.push(format!(
            "{} Q grids: each pattern is transformed on its own grid ({others} pattern(s) on other grids than the first pattern's)",
            groups.len()
        ));
        for (g, plan) in groups.iter().zip(plans).skip(1) {
            if let Err(e) = plan {
                messages.push(format!(
                    "no transform for {} pattern(s) on another Q grid: {e}",
                    g.len()
                ));
            }
        }
    }
    messages
}

/// The r grid shared by every pattern's G(r).
pub fn shared_r(params: &AnalysisParams) -> Arc<Vec<f64>> {
    let t = &params.transform;
    Arc::new(r_grid(t.r_min, t.r_max, t.dr).unwrap_or_default())
}

/// What stage 1 gives for one pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage1 {
    pub fsdp: Fsdp,
    /// Root-mean-square of ΔS(Q) against the reference (NaN without S(Q)).
    pub delta_s_rms: f64,
    /// G(r) and g(r) (None when the pattern has none, with the reason in `messages`).
    pub real_space: Option<Arc<RealSpace>>,
    pub messages: Vec<String>,
}

/// Stage 1 for one pattern: S(Q) → FSDP, ΔS summary and G(r)/g(r) (or the real-space input).
/// `plan` is the plan of the pattern's own Q grid (or why there is none).
pub fn real_space_stage(
    p: &Pattern,
    reference: Option<&Pattern>,
    plan: Option<&Result<Arc<TransformPlan>, TransformError>>,
    r_shared: &Arc<Vec<f64>>,
    params: &AnalysisParams,
) -> Stage1 {
    let mut messages = Vec::new();
    let rho0 = rho0_for(p, params);
    let nan_fsdp = Fsdp {
        first_moment: f64::NAN,
        area: f64::NAN,
        points: 0,
    };
    if p.quantity.is_real_space() {
        let r = Arc::new(p.x.clone());
        let (big_g, g) = match p.quantity {
            Quantity::ReducedPdf => (p.y.clone(), g_from_big_g(&p.x, &p.y, rho0)),
            Quantity::PairDistribution => (big_g_from_g(&p.x, &p.y, rho0), p.y.clone()),
            Quantity::TotalCorrelation => {
                let g: Vec<f64> = p.y.iter().map(|h| h + 1.0).collect();
                (big_g_from_g(&p.x, &g, rho0), g)
            }
            _ => {
                // RDF = 4π r² ρ0 g.
                let g: Vec<f64> =
                    p.x.iter()
                        .zip(&p.y)
                        .map(|(r, v)| {
                            if *r > 0.0 {
                                v / (4.0 * std::f64::consts::PI * r * r * rho0)
                            } else {
                                f64::NAN
                            }
                        })
                        .collect();
                (big_g_from_g(&p.x, &g, rho0), g)
            }
        };
        messages.push("real-space data: no S(Q), so no FSDP".into());
        return Stage1 {
            fsdp: nan_fsdp,
            delta_s_rms: f64::NAN,
            real_space: Some(Arc::new(RealSpace {
                r,
                big_g,
                g,
                rho0,
                resolution: LobeResolution::default(),
                q_range: header_q_range(p),
            })),
            messages,
        };
    }
    let s = match sq_view(p) {
        Ok(s) => s,
        Err(e) => {
            messages.push(e.to_string());
            return Stage1 {
                fsdp: nan_fsdp,
                delta_s_rms: f64::NAN,
                real_space: None,
                messages,
            };
        }
    };
    let (qa, qb) = params.transform.fsdp_window;
    let f = fsdp(&p.x, &s, qa, qb);
    if f.points < 2 {
        messages.push(format!(
            "FSDP window {qa}–{qb} 1/Å holds {} data point(s)",
            f.points
        ));
    } else if !f.area.is_finite() {
        messages.push("NaN inside the FSDP window".into());
    }
    let delta_rms = delta_s_rms(p, &s, reference);
    let real = match plan {
        Some(Ok(plan)) => {
            let big_g = plan.reduced_pdf(&s);
            if big_g.iter().all(|v| v.is_nan()) {
                messages.push("NaN in S(Q) inside the transform range: no G(r)".into());
                None
            } else {
                let g = g_from_big_g(r_shared, &big_g, rho0);
                let resolution = LobeResolution {
                    min_width: std::f64::consts::PI / plan.q_top(),
                    noise: plan.big_g_noise(&s),
                };
                Some(Arc::new(RealSpace {
                    r: Arc::clone(r_shared),
                    big_g,
                    g,
                    rho0,
                    resolution,
                    q_range: plan_q_range(plan, &p.x),
                }))
            }
        }
        Some(Err(e)) => {
            messages.push(format!("no G(r): {e}"));
            None
        }
        None => None,
    };
    Stage1 {
        fsdp: f,
        delta_s_rms: delta_rms,
        real_space: real,
        messages,
    }
}

/// Root-mean-square of ΔS(Q) = S(Q) − S_ref(Q) for pattern `p` with S(Q) `s` (the reference
/// interpolated onto its grid; NaN without a reference S(Q) or without a finite difference).
/// The one part of stage 1 that depends on another pattern.
pub fn delta_s_rms(p: &Pattern, s: &[f64], reference: Option<&Pattern>) -> f64 {
    let Some((r, rs)) = reference.and_then(|r| sq_view(r).ok().map(|rs| (r, rs))) else {
        return f64::NAN;
    };
    // One pass, nothing collected: the finite differences squared and summed in grid order.
    let mut finite = 0usize;
    let sum: f64 = s
        .iter()
        .zip(&*super::reference_on_grid(&p.x, &r.x, &rs))
        .map(|(a, b)| a - b)
        .filter(|v| v.is_finite())
        .inspect(|_| finite += 1)
        .map(|v| v * v)
        .sum();
    if finite == 0 {
        f64::NAN
    } else {
        (sum / finite as f64).sqrt()
    }
}

/// The Q range a real-space pattern was transformed from, as its header states it (`qmax`,
/// and `qmin` or NaN; PDFgetX3 and glassray's own `.gr` files carry both): a plausible
/// 1–100 Å⁻¹ Qmax, else None.
pub fn header_q_range(p: &Pattern) -> Option<(f64, f64)> {
    let q_max = p
        .metadata_number("qmax")
        .filter(|q| (1.0..=100.0).contains(q))?;
    Some((p.metadata_number("qmin").unwrap_or(f64::NAN), q_max))
}

/// The Q range a plan transforms on grid `q`: its first and last Q used.
pub fn plan_q_range(plan: &TransformPlan, q: &[f64]) -> Option<(f64, f64)> {
    let last = plan.last.checked_sub(1)?;
    Some((*q.get(plan.first)?, *q.get(last)?))
}

/// One pattern's fit with the fit parameters `fit` (a flagged empty fit when it has no g(r)).
/// `start` is the previous temperature's result when fitting sequentially.
pub fn fit_real_space(rs: Option<&RealSpace>, fit: &FitParams, start: Option<&ModeFit>) -> ModeFit {
    match rs {
        Some(rs) => fit_connection_modes(&rs.r, &rs.g, fit, start, rs.q_range.map(|q| q.1)),
        None => fit_connection_modes(&[], &[], fit, None, None),
    }
}

/// One pattern's fit (a flagged empty fit when it has no g(r)). `start` is the previous
/// temperature's result when fitting sequentially.
pub fn fit_one(
    rs: Option<&RealSpace>,
    params: &AnalysisParams,
    start: Option<&ModeFit>,
) -> ModeFit {
    fit_real_space(rs, &params.fit, start)
}

/// One pattern's results from its stage 1 and its fit: lobes of G(r) and every message.
pub fn pattern_result(
    p: &Pattern,
    stage1: &Stage1,
    fit: &ModeFit,
    params: &AnalysisParams,
) -> PatternAnalysis {
    let mut messages = stage1.messages.clone();
    if let Some(m) = &fit.message {
        messages.push(format!("fit: {m}"));
    }
    let suspect = dead_frame(&p.y);
    if let Some(reason) = &suspect {
        messages.push(format!("{reason}: {KEPT_OUT}"));
    }
    PatternAnalysis {
        index: p.index,
        kelvin: p.kelvin(),
        fsdp: stage1.fsdp,
        delta_s_rms: stage1.delta_s_rms,
        lobes: stage1
            .real_space
            .as_ref()
            .map(|rs| {
                shell_lobes(
                    &rs.r,
                    &rs.big_g,
                    params.transform.lobe_r_min,
                    &rs.resolution,
                )
            })
            .unwrap_or_default(),
        real_space: stage1.real_space.clone(),
        fit: fit.clone(),
        systematic: None,
        messages,
        suspect,
    }
}

/// What happens to a suspect pattern.
const KEPT_OUT: &str = "kept out of the T_r/T_g/T_x detection and the splines";

/// Flags spikes in the FSDP moment and area (frames far from both neighbours while they
/// agree) as suspect, with a message; dead frames are already flagged.
pub fn flag_spikes(patterns: &mut [PatternAnalysis]) {
    let moment: Vec<f64> = patterns.iter().map(|p| p.fsdp.first_moment).collect();
    let area: Vec<f64> = patterns.iter().map(|p| p.fsdp.area).collect();
    let (sm, sa) = (spikes(&moment), spikes(&area));
    for (i, p) in patterns.iter_mut().enumerate() {
        if p.suspect.is_some() || !(sm[i] || sa[i]) {
            continue;
        }
        let which = match (sm[i], sa[i]) {
            (true, true) => "FSDP moment and area",
            (true, false) => "FSDP moment",
            _ => "FSDP area",
        };
        let reason = format!("spike: its {which} is far from both neighbours, which agree");
        p.messages.push(format!("{reason}: {KEPT_OUT}"));
        p.suspect = Some(reason);
    }
}

/// The quantities plotted versus T, before smoothing.
#[derive(Debug, Clone, PartialEq)]
pub struct VersusT {
    /// The axis: T in K, or the index for a series without temperatures.
    pub t: Vec<f64>,
    pub r1_relative: Vec<f64>,
    pub r6_relative: Vec<f64>,
    /// Each metric's value per pattern, in [`Metric::ALL`] order.
    pub quantities: Vec<(Metric, Vec<f64>)>,
    /// Patterns kept out of the detection and the splines (suspect).
    pub excluded: Vec<bool>,
}

impl VersusT {
    /// A metric's values with the excluded patterns as NaN (what detection and splines see).
    pub fn kept(&self, k: usize) -> Vec<f64> {
        self.quantities[k]
            .1
            .iter()
            .zip(&self.excluded)
            .map(|(&v, &x)| if x { f64::NAN } else { v })
            .collect()
    }
}

/// Collects every quantity versus T from the per-pattern results.
pub fn versus_t(series: &HeatingSeries, patterns: &[PatternAnalysis]) -> VersusT {
    let r1: Vec<f64> = patterns.iter().map(PatternAnalysis::r1).collect();
    let r6: Vec<f64> = patterns.iter().map(PatternAnalysis::r6).collect();
    let area: Vec<f64> = patterns.iter().map(|p| p.fsdp.area).collect();
    let moment: Vec<f64> = patterns.iter().map(|p| p.fsdp.first_moment).collect();
    let r1_relative = relative_to_mean(&r1);
    let r6_relative = relative_to_mean(&r6);
    let mut quantities: Vec<(Metric, Vec<f64>)> = vec![
        (Metric::FsdpFirstMoment, moment),
        (Metric::FsdpArea, area),
        (Metric::R1Relative, r1_relative.clone()),
        (Metric::R6Relative, r6_relative.clone()),
    ];
    for (i, metric) in Metric::FRACTIONS.into_iter().enumerate() {
        quantities.push((
            metric,
            patterns.iter().map(|p| p.fit.fractions[i]).collect(),
        ));
    }
    quantities.push((
        Metric::FitRmse,
        patterns.iter().map(|p| p.fit.rmse).collect(),
    ));
    VersusT {
        t: series.axis_values(),
        r1_relative,
        r6_relative,
        quantities,
        excluded: patterns.iter().map(|p| p.suspect.is_some()).collect(),
    }
}

/// Smoothing splines through quantities versus T, each `(metric, values, kept)`: fitted to
/// `kept` (the values with suspect patterns as NaN), evaluated at each pattern's T; `values`
/// are kept as they are. Each curve is bit for bit what it is smoothed alone; curves on the
/// same knots have their λ searched together ([`SmoothingSpline::fit_many`]).
///
/// With `glass_until` (T_x in K) a spline follows the glass only: it is fitted to the
/// patterns at T ≤ T_x and is NaN above. Crystallization is a break, not a trend: one spline
/// across it swings past the few crystallising points (and bends the glass's curve near T_x).
pub fn smooth_many(
    t: &[f64],
    curves: Vec<(Metric, Vec<f64>, Vec<f64>)>,
    smoothing: &SmoothingParams,
    glass_until: Option<f64>,
) -> Vec<SmoothedCurve> {
    let glass = |x: f64| glass_until.is_none_or(|tx| x <= tx);
    let fitted: Vec<Vec<f64>> = curves
        .iter()
        .map(|(_, _, kept)| {
            t.iter()
                .zip(kept)
                .map(|(&x, &v)| if glass(x) { v } else { f64::NAN })
                .collect()
        })
        .collect();
    let refs: Vec<&[f64]> = fitted.iter().map(Vec::as_slice).collect();
    let splines = SmoothingSpline::fit_many(t, &refs, smoothing.lambda);
    curves
        .into_iter()
        .zip(splines)
        .map(|((metric, values, _), spline)| match spline {
            Some(s) => SmoothedCurve {
                metric,
                smoothed: t
                    .iter()
                    .map(|&x| {
                        if x.is_finite() && glass(x) {
                            s.at(x)
                        } else {
                            f64::NAN
                        }
                    })
                    .collect(),
                values,
                lambda: s.lambda,
                edf: s.edf,
            },
            None => SmoothedCurve {
                metric,
                smoothed: vec![f64::NAN; values.len()],
                values,
                lambda: f64::NAN,
                edf: f64::NAN,
            },
        })
        .collect()
}

/// [`smooth_many`] of one quantity.
pub fn smooth(
    t: &[f64],
    metric: Metric,
    values: Vec<f64>,
    kept: &[f64],
    smoothing: &SmoothingParams,
    glass_until: Option<f64>,
) -> SmoothedCurve {
    let mut one = smooth_many(
        t,
        vec![(metric, values, kept.to_vec())],
        smoothing,
        glass_until,
    );
    one.remove(0)
}

#[cfg(test)]
mod rho0_tests {
    use super::*;

    #[test]
    fn rho0_comes_from_the_parameter_then_a_plausible_header_then_the_default() {
        let mut p = Pattern::for_test(vec![1.0, 2.0], vec![1.0, 1.0], Some(300.0));
        let mut params = AnalysisParams::default();
        assert_eq!(
            rho0_with_source(&p, &params),
            (DEFAULT_RHO0, Rho0Source::Default)
        );
        p.metadata
            .push(("numberdensity".into(), "0.0612 atoms/A^3".into()));
        assert_eq!(
            rho0_with_source(&p, &params),
            (0.0612, Rho0Source::Header("numberdensity"))
        );
        // An implausible header value (a mass density in g/cm³, say) is not used.
        p.metadata.insert(0, ("rho".into(), "6.9".into()));
        assert_eq!(rho0_with_source(&p, &params).0, 0.0612);
        params.transform.rho0 = Some(0.05);
        assert_eq!(rho0_with_source(&p, &params), (0.05, Rho0Source::Parameter));
        assert_eq!(
            Rho0Source::Header("rho0").to_string(),
            "from the file header `rho0`"
        );
    }

    #[test]
    fn a_real_space_header_gives_the_q_range_it_was_transformed_from() {
        let mut p = Pattern::for_test(vec![1.0, 2.0], vec![0.0, 0.0], None);
        assert_eq!(header_q_range(&p), None);
        p.metadata.push(("qmax".into(), "0.5".into()));
        assert_eq!(header_q_range(&p), None, "not a plausible Qmax");
        p.metadata.insert(0, ("qmax".into(), "24.5".into()));
        let (qa, qb) = header_q_range(&p).expect("qmax");
        assert!(qa.is_nan() && qb == 24.5);
        p.metadata.push(("qmin".into(), "0.6".into()));
        assert_eq!(header_q_range(&p), Some((0.6, 24.5)));
    }
}

#[cfg(test)]
mod smooth_tests {
    use super::*;

    #[test]
    fn the_spline_follows_the_glass_and_stops_at_t_x() {
        // A gentle line to 720 K, then crystallising points that jump about.
        let t: Vec<f64> = (0..151).map(|i| 300.0 + 3.0 * i as f64).collect();
        let glass = |x: f64| 1.0 - 1e-4 * (x - 300.0) + 0.002 * (x / 7.0).sin();
        let values: Vec<f64> = t
            .iter()
            .map(|&x| {
                if x <= 720.0 {
                    glass(x)
                } else {
                    [1.08, 0.92, 1.05, 0.95][(x as usize) % 4]
                }
            })
            .collect();
        let params = SmoothingParams::default();
        let split = smooth(
            &t,
            Metric::R6Relative,
            values.clone(),
            &values,
            &params,
            Some(720.0),
        );
        let n_glass = t.iter().filter(|&&x| x <= 720.0).count();
        assert!(split.smoothed[n_glass..].iter().all(|v| v.is_nan()));
        // Below T_x it is the spline of the glass alone: the jumps above do not reach it.
        let alone = smooth(
            &t[..n_glass],
            Metric::R6Relative,
            values[..n_glass].to_vec(),
            &values[..n_glass],
            &params,
            None,
        );
        for (a, b) in split.smoothed[..n_glass].iter().zip(&alone.smoothed) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        // One spline across T_x is pulled away from the glass near it.
        let across = smooth(
            &t,
            Metric::R6Relative,
            values.clone(),
            &values,
            &params,
            None,
        );
        let last = n_glass - 1;
        let off = |s: &SmoothedCurve| (s.smoothed[last] - glass(t[last])).abs();
        assert!(off(&split) < 0.002, "{}", off(&split));
        assert!(
            off(&across) > 2.0 * off(&split),
            "{} {}",
            off(&across),
            off(&split)
        );
    }
}

#[cfg(test)]
mod grid_tests {
    use super::{grid_groups, same_bits, same_grid};
    use crate::model::{HeatingSeries, Pattern};

    #[test]
    fn grids_group_as_same_grid_says() {
        let q: Vec<f64> = (0..1250).map(|i| 0.02 * i as f64).collect();
        let mut rounded = q.clone();
        rounded[1249] = f64::from_bits(rounded[1249].to_bits() + 1);
        let shifted: Vec<f64> = q.iter().map(|v| v + 0.001).collect();
        let mut bad = q.clone();
        bad[3] = f64::NAN;
        let grids = [&q, &bad, &q, &shifted, &rounded, &bad, &shifted, &q];
        let series = HeatingSeries::new(
            "s",
            None,
            grids
                .iter()
                .map(|g| Pattern::for_test(g.to_vec(), vec![1.0; g.len()], None))
                .collect(),
        );
        // As the first grid of each group found with same_grid, pattern by pattern.
        let mut expected: Vec<Vec<usize>> = Vec::new();
        for (i, g) in grids.iter().enumerate() {
            match expected.iter_mut().find(|e| same_grid(grids[e[0]], g)) {
                Some(e) => e.push(i),
                None => expected.push(vec![i]),
            }
        }
        assert_eq!(grid_groups(&series), expected);
        // A grid that is not finite matches nothing, itself included.
        assert_eq!(expected, [vec![0, 2, 4, 7], vec![1], vec![3, 6], vec![5]]);
    }

    #[test]
    fn same_bits_and_same_grid_on_equal_and_unequal_grids() {
        let q: Vec<f64> = (0..1250).map(|i| 0.02 * i as f64).collect();
        assert!(same_bits(&q, &q.clone()));
        assert!(same_grid(&q, &q.clone()));
        let mut other = q.clone();
        other[1249] = f64::from_bits(other[1249].to_bits() + 1);
        assert!(!same_bits(&q, &other), "one ulp at the end");
        assert!(same_grid(&q, &other), "within 1e-9 of the largest");
        other[700] += 1e-6;
        assert!(!same_grid(&q, &other));
        assert!(!same_bits(&[0.0], &[-0.0]));
        assert!(!same_bits(&q, &q[..1249]));
        // Equal bits with a point that is not finite: not a grid, as the tolerance test says.
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut g = q.clone();
            g[3] = bad;
            assert!(same_bits(&g, &g.clone()));
            assert!(!same_grid(&g, &g.clone()), "{bad}");
        }
    }
}

#[cfg(test)]
mod delta_tests {
    use super::*;
    use crate::analysis::difference_on_grid;
    use crate::analysis::transform::sq_from_pattern;

    /// The root-mean-square as it was computed before the one-pass form: the differences
    /// collected, the finite ones collected, their squares summed.
    fn collected(p: &Pattern, s: &[f64], reference: Option<&Pattern>) -> f64 {
        let Some(r) = reference else {
            return f64::NAN;
        };
        let Ok(rs) = sq_from_pattern(r) else {
            return f64::NAN;
        };
        let d = difference_on_grid(&p.x, s, &r.x, &rs);
        let finite: Vec<f64> = d.into_iter().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            f64::NAN
        } else {
            (finite.iter().map(|v| v * v).sum::<f64>() / finite.len() as f64).sqrt()
        }
    }

    #[test]
    fn the_one_pass_delta_s_rms_is_the_collected_one_bit_for_bit() {
        let q: Vec<f64> = (0..300).map(|i| 0.5 + 0.05 * i as f64).collect();
        let wavy = |shift: f64| -> Vec<f64> {
            q.iter()
                .map(|x| 1.0 + 0.3 * (x * 2.1 + shift).sin() / x)
                .collect()
        };
        let reference = Pattern::for_test(q.clone(), wavy(0.0), Some(300.0));
        let mut holes = wavy(0.4);
        holes[7] = f64::NAN;
        holes[200] = f64::INFINITY;
        let shifted: Vec<f64> = q.iter().map(|x| x + 0.013).collect();
        let mut as_fq = Pattern::for_test(q.clone(), vec![0.0; q.len()], None);
        as_fq.quantity = Quantity::ReducedStructureFunction;
        as_fq.y = q
            .iter()
            .zip(wavy(0.1))
            .map(|(x, s)| x * (s - 1.0))
            .collect();
        let mut intensity = reference.clone();
        intensity.quantity = Quantity::Intensity;
        let cases: Vec<(Pattern, Option<&Pattern>)> = vec![
            // The same grid, the reference's S(Q) borrowed.
            (
                Pattern::for_test(q.clone(), wavy(0.4), None),
                Some(&reference),
            ),
            (Pattern::for_test(q.clone(), holes, None), Some(&reference)),
            // Another grid: the reference interpolated, NaN past its end.
            (
                Pattern::for_test(shifted, wavy(0.4), None),
                Some(&reference),
            ),
            // A reference holding F(Q): its S(Q) computed.
            (Pattern::for_test(q.clone(), wavy(0.4), None), Some(&as_fq)),
            // No S(Q) in the reference, no reference, nothing finite.
            (
                Pattern::for_test(q.clone(), wavy(0.4), None),
                Some(&intensity),
            ),
            (Pattern::for_test(q.clone(), wavy(0.4), None), None),
            (
                Pattern::for_test(q.clone(), vec![f64::NAN; q.len()], None),
                Some(&reference),
            ),
        ];
        for (k, (p, r)) in cases.iter().enumerate() {
            let one_pass = delta_s_rms(p, &p.y, *r);
            assert_eq!(
                one_pass.to_bits(),
                collected(p, &p.y, *r).to_bits(),
                "case {k}: {one_pass}"
            );
            assert_eq!(one_pass.is_nan(), k >= 4, "case {k}: {one_pass}");
        }
        // And the value is the root-mean-square: S − S_ref = 0.05 everywhere.
        let offset: Vec<f64> = reference.y.iter().map(|v| v + 0.05).collect();
        let p = Pattern::for_test(q.clone(), offset, None);
        assert!((delta_s_rms(&p, &p.y, Some(&reference)) - 0.05).abs() < 1e-12);
    }
}
