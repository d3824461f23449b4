//! One pattern's reduction I(Q) → S(Q) with the settings of a run: the background put on the
//! pattern's grid, the background scale b and the number density ρ0 chosen when they are not
//! given, then [`sq_from_iq`] (see [`super::reduction`] for the formula).
//!
//! # Choosing b and ρ0 (Eggert et al., Phys. Rev. B 65, 174105 (2002))
//! Below the first peak of G(r) no two atoms meet, so G(r) = −4πρ0 r there. The misfit
//! χ²(b, ρ0) = mean over 0 < r ≤ r_c of [G(r) + 4πρ0 r]², with G(r) the transform of the S(Q)
//! that b and ρ0 give (Lorch-damped, the run's continuation below Qmin), measures how far a
//! choice is from that. r_c = 0.8 × r₁ − π/Qmax ([`low_r_cut`]), r₁ the position of the first
//! peak of G(r) (found once per pattern on a Lorch-damped G(r) of a first reduction with b₀
//! and ρ0₀: the fixed b or half its largest value, the given ρ0 or [`START_RHO0`]); so
//! r_c ≈ 2.07 Å for BAM-11 at Qmax = 25 Å⁻¹ (first peak 2.75 Å) and ≈ 1.1 Å for a silicate
//! (Si–O at 1.63 Å). A given r_c ([`ReduceSettings::r_cut`]) replaces it.
//!
//! **Why π/Qmax is taken off.** The Lorch-damped G(r) is the unmodified (truncated) G(r)
//! averaged over r ± π/Qmax, so a point at r_c sees G up to r_c + π/Qmax. The hard core of a
//! metallic glass ends near 0.8 r₁ (BAM-11: g(2.2 Å) ≈ 0.005, g(2.3 Å) ≈ 0.05), and a line
//! through the origin weighs its last points most (slope = Σ rG / Σ r²): with r_c = 0.8 r₁ the
//! rising edge of the first shell biased ρ0 low by 0.1–0.4 % at Qmax = 25 Å⁻¹ and up to 0.5 %
//! at 18 Å⁻¹, more the hotter (softer) the glass. With the window kept inside the core the
//! line recovers a planted ρ0 to 0.01 % when S(Q) is known down to Q = 0; what is left is the
//! continuation below Qmin (with `Hold` and Qmin = 0.5 Å⁻¹ on the demo glass, −0.12 %: the
//! term (2/π) r ∫₀^Qmin Q² ΔS dQ of the unmeasured part is itself a line through the origin).
//! - ρ0 not given, high-Q normalisation, no iterations: S(Q) does not depend on ρ0, so ρ0 is
//!   the low-r slope ([`rho0_from_low_r`], the least-squares line through the origin below r_c).
//! - ρ0 not given, Krogh-Moe–Norman (or with iterations): α (or the iterated S) depends on ρ0,
//!   so ρ0 minimises χ²(b, ρ0) over
//!   the range [`RHO0_RANGE`] (golden-section search, to 10⁻⁶ Å⁻³).
//! - b = `auto`: b minimises χ²(b, ρ0(b)) over 0 ≤ b ≤ b_max = min I/I_bkg over the upper half
//!   of the Q range (the largest b that leaves a positive intensity where the sample scatters
//!   most strongly relative to the background), by golden-section search to 10⁻⁴ b_max. The search is
//!   bounded, so a b at either end of the range is reported as such (`at_bound`).
//!
//! # Low-r iterations ([`ReduceSettings::iterations`] > 0)
//! After the normalisation S(Q) goes through that many steps of the Eggert/Kaplow correction
//! ([`super::eggert`], as LiquidDiffract: M(Q) = 1, S ← S [1 − ΔF/Q]) toward G = −4πρ0 r below
//! r_c; a searched ρ0 (any normalisation) and b then minimise χ² of the unmodified G(r) after
//! the iterations (Eggert's refinement), and the reported misfit is that χ². The scale α stays
//! the sum rule's α₀; `normalised`, S(Q) and σ_S carry the factor α(Q)/α₀ of the iterations.
//! Even with b and ρ0 given, r_c (and so the first peak) is then needed.
//!
//! # The ad hoc correction ([`ReduceSettings::ad_hoc`])
//! Last of all, PDFgetX3's polynomial ([`super::adhoc`]) is removed from F(Q) of the final
//! S(Q). The searches for b and ρ0 do not see it (they use S(Q) before it), and `normalised`
//! and σ_S are left as they were.
//!
//! # Input rules
//! What [`sq_from_iq`] refuses is an error here too. A background that does not cover the
//! pattern's Q range (beyond 10⁻⁹ of the range) is [`ReduceError::BackgroundOutside`]; an
//! automatic scale needs a background with a positive value; a G(r) with no first peak between
//! 1 and 6 Å is [`ReduceError::NoFirstPeak`]. Nothing here panics on any input.

use std::sync::Arc;

use super::adhoc::{AdHocError, AdHocPlan};
use super::eggert::{LowRCorrection, iterate_low_r};
use super::reduction::{
    MIN_POINTS, Normalisation, Reduction, ReductionError, ReductionInput, ScatteringFactors,
    high_q_alpha, krogh_moe_alpha, polarisation_on_grid, rho0_from_low_r, scattering_factors,
    sq_from_iq,
};
use super::transform::{LowQ, Modification, TransformError, TransformPath, TransformPlan, r_grid};
use crate::model::composition::Composition;
use crate::model::interpolate_into;

/// The ρ0 a first reduction uses when none is given (atoms/Å³).
pub const START_RHO0: f64 = 0.05;
/// Where a refined ρ0 is searched (atoms/Å³).
pub const RHO0_RANGE: (f64, f64) = (0.005, 0.3);
/// The first peak of G(r) is looked for in this range (Å).
pub const FIRST_PEAK_RANGE: (f64, f64) = (1.0, 6.0);
/// r_c as a fraction of the first peak's position.
pub const CUTOFF_FRACTION: f64 = 0.8;
/// The smallest r_c (Å): below it the low-r line holds too few points to read a slope.
pub const MIN_LOW_R_CUT: f64 = 0.5;
/// The high-Q normalisation window: the last quarter of the pattern's Q range.
pub const HIGH_Q_FRACTION: f64 = 0.25;

/// Limits on what a user may ask of a reduction (the command line and the window check them).
/// Mass densities allowed (g/cm³).
pub const DENSITY_RANGE: (f64, f64) = (0.01, 30.0);
/// The largest fixed background scale.
pub const MAX_BACKGROUND_SCALE: f64 = 100.0;
/// The most low-r iterations.
pub const MAX_ITERATIONS: usize = 100;
/// r_c allowed (Å).
pub const RCUT_RANGE: (f64, f64) = (0.5, 4.8);
/// The largest r_poly (Å).
pub const MAX_RPOLY: f64 = 5.0;
/// r step of the low-r G(r) (Å).
const LOW_R_STEP: f64 = 0.02;

/// The factor b on the background.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScaleMode {
    Fixed(f64),
    /// Chosen per pattern by the low-r misfit (see the module doc).
    Auto,
}

/// How α is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormalisationMode {
    /// The Krogh-Moe–Norman sum rule.
    KroghMoe,
    /// S → 1 over the last quarter of the Q range.
    HighQ,
}

impl NormalisationMode {
    /// The name the command line and the files use.
    pub fn name(self) -> &'static str {
        match self {
            NormalisationMode::KroghMoe => "krogh-moe",
            NormalisationMode::HighQ => "high-q",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [NormalisationMode::KroghMoe, NormalisationMode::HighQ]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// Everything a run reduces its patterns with.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceSettings {
    pub composition: Composition,
    /// ρ0 (atoms/Å³); None: refined per pattern from the low-r line.
    pub rho0: Option<f64>,
    /// Wavelength (Å) for the polarisation correction; None: no correction.
    pub polarisation_wavelength: Option<f64>,
    pub scale: ScaleMode,
    pub normalisation: NormalisationMode,
    /// S(Q) below the first point (the sum rule and the low-r transform).
    pub below_qmin: LowQ,
    /// Only the points in [Qmin, Qmax] (1/Å) are reduced (None: from the first, to the last).
    pub q_range: (Option<f64>, Option<f64>),
    /// r_c, the end of the low-r line (Å); None: 0.8 × the first peak − π/Qmax per pattern.
    pub r_cut: Option<f64>,
    /// Steps of the iterative low-r correction ([`super::eggert`]; 0: none).
    pub iterations: usize,
    /// PDFgetX3's ad hoc polynomial correction of F(Q) with this r_poly (Å; [`super::adhoc`]);
    /// None: not applied.
    pub ad_hoc: Option<f64>,
}

impl ReduceSettings {
    /// The defaults a first run uses for `composition`: ρ0 refined per pattern, no
    /// polarisation correction, no background (b = 0), the Krogh-Moe sum rule, S held at
    /// S(Qmin) below the first point, the whole Q range, r_c from the first peak. Change fields with struct update
    /// syntax (`ReduceSettings { rho0: Some(0.06), ..ReduceSettings::new(c) }`) so that fields
    /// added later keep their defaults.
    pub fn new(composition: Composition) -> Self {
        ReduceSettings {
            composition,
            rho0: None,
            polarisation_wavelength: None,
            scale: ScaleMode::Fixed(0.0),
            normalisation: NormalisationMode::KroghMoe,
            below_qmin: LowQ::default(),
            q_range: (None, None),
            r_cut: None,
            iterations: 0,
            ad_hoc: None,
        }
    }
}

/// Why a pattern cannot be reduced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReduceError {
    #[error(transparent)]
    Reduction(#[from] ReductionError),
    #[error("the low-r G(r): {0}")]
    Transform(#[from] TransformError),
    #[error("the ad hoc correction: {0}")]
    AdHoc(#[from] AdHocError),
    #[error(
        "the pattern's Q range {q_from}–{q_to} 1/Å lies outside the background's \
         {bkg_from}–{bkg_to} 1/Å"
    )]
    BackgroundOutside {
        q_from: f64,
        q_to: f64,
        bkg_from: f64,
        bkg_to: f64,
    },
    #[error(
        "an automatic background scale needs positive intensities and background over the upper \
         half of the Q range"
    )]
    NoBackgroundSignal,
    #[error(
        "G(r) has no first peak between {} and {} Å: cannot tell where G(r) = −4πρ0 r \
         (check the composition, the background and the Q range)",
        FIRST_PEAK_RANGE.0, FIRST_PEAK_RANGE.1
    )]
    NoFirstPeak,
}

/// One reduced pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduced {
    /// Every step, with S(Q) and α (α₀ when S(Q) was iterated; see the module doc).
    pub reduction: Reduction,
    /// ρ0 used (atoms/Å³).
    pub rho0: f64,
    /// Whether ρ0 was refined here (else given).
    pub rho0_refined: bool,
    /// b used.
    pub background_scale: f64,
    /// An automatic b at an end of its range.
    pub scale_at_bound: bool,
    /// r_c (Å), the end of the low-r line (NaN when b and ρ0 were both given: no search).
    pub r_cut: f64,
    /// χ² of the low-r line with the chosen b and ρ0 (Å⁻⁴; NaN when nothing was searched);
    /// after the iterations when there were any.
    pub low_r_misfit: f64,
    /// Steps of the iterative low-r correction applied to S(Q) (0: none).
    pub iterations: usize,
    /// The degree of the ad hoc polynomial removed from F(Q), when it was.
    pub ad_hoc_degree: Option<usize>,
}

/// The background (`bkg_q`, `bkg_y`) linearly interpolated onto `q`; an error when `q` reaches
/// beyond the background's range (by more than 10⁻⁹ of it).
pub fn background_on_grid(
    bkg_q: &[f64],
    bkg_y: &[f64],
    q: &[f64],
) -> Result<Vec<f64>, ReduceError> {
    let n = bkg_q.len().min(bkg_y.len());
    let (Some(&q0), Some(&q1)) = (q.first(), q.last()) else {
        return Ok(Vec::new());
    };
    let outside = |bkg_from: f64, bkg_to: f64| ReduceError::BackgroundOutside {
        q_from: q0,
        q_to: q1,
        bkg_from,
        bkg_to,
    };
    if n < 2 {
        return Err(outside(f64::NAN, f64::NAN));
    }
    let (b0, b1) = (bkg_q[0], bkg_q[n - 1]);
    let tol = 1e-9 * b0.abs().max(b1.abs());
    if !(q0 >= b0 - tol && q1 <= b1 + tol) {
        return Err(outside(b0, b1));
    }
    let clamped: Vec<f64> = q.iter().map(|&v| v.clamp(b0, b1)).collect();
    let mut out = vec![f64::NAN; q.len()];
    let mut missed = 0;
    interpolate_into(&bkg_q[..n], &bkg_y[..n], &clamped, &mut out, &mut missed);
    if missed > 0 {
        return Err(outside(b0, b1));
    }
    Ok(out)
}

/// What depends only on a Q grid and the settings, built once and shared by every pattern on
/// that grid: the scattering factors, the polarisation factor and the two low-r transforms.
#[derive(Debug)]
pub struct ReducePlan {
    q: Vec<f64>,
    factors: ScatteringFactors,
    polarisation: Option<Vec<f64>>,
    /// Lorch, r = 0.02 … 4.8 Å: the low-r line.
    low_r: Arc<TransformPlan>,
    /// Lorch, r = 0.02 … 6 Å: the first peak.
    peaks: Arc<TransformPlan>,
    /// With low-r iterations: M(Q) = 1 on the low-r grid, and the sine table of the correction.
    iteration: Option<(Arc<TransformPlan>, LowRCorrection)>,
    /// With the ad hoc correction: its polynomial basis.
    ad_hoc: Option<AdHocPlan>,
}

impl ReducePlan {
    pub fn new(q: &[f64], settings: &ReduceSettings) -> Result<Self, ReduceError> {
        if q.len() < MIN_POINTS {
            return Err(ReductionError::TooFewPoints { points: q.len() }.into());
        }
        for (k, &v) in q.iter().enumerate() {
            if !v.is_finite() || v < 0.0 || (k > 0 && v <= q[k - 1]) {
                return Err(ReductionError::BadQ { index: k, value: v }.into());
            }
        }
        if let Some(r) = settings.r_cut
            && !(r >= MIN_LOW_R_CUT && r <= CUTOFF_FRACTION * FIRST_PEAK_RANGE.1)
        {
            return Err(ReductionError::BadParameter {
                name: "r_c (the end of the low-r line)",
                value: r,
                rule: "must lie between 0.5 and 4.8 Å",
            }
            .into());
        }
        let factors = scattering_factors(&settings.composition, q)?;
        let polarisation = polarisation_on_grid(q, settings.polarisation_wavelength)?;
        let plan = |m: Modification, r_max: f64| {
            TransformPlan::new(
                q,
                None,
                None,
                m,
                settings.below_qmin,
                r_grid(LOW_R_STEP, r_max, LOW_R_STEP)?,
                TransformPath::Auto,
            )
        };
        let low_r_max = CUTOFF_FRACTION * FIRST_PEAK_RANGE.1;
        let iteration = match settings.iterations {
            0 => None,
            _ => {
                let plain = plan(Modification::None, low_r_max)?;
                let table = LowRCorrection::new(q, &plain.r);
                Some((plain, table))
            }
        };
        Ok(ReducePlan {
            q: q.to_vec(),
            factors,
            polarisation,
            low_r: plan(Modification::Lorch, low_r_max)?,
            peaks: plan(Modification::Lorch, FIRST_PEAK_RANGE.1)?,
            iteration,
            ad_hoc: settings
                .ad_hoc
                .map(|rpoly| AdHocPlan::new(q, rpoly))
                .transpose()?,
        })
    }

    /// The Q grid planned for.
    pub fn q(&self) -> &[f64] {
        &self.q
    }

    /// r_c and the low-r misfit of one pattern reduced with b and ρ0 (what the searches
    /// minimise; [`reduce_pattern`] does not compute them when both are given).
    pub fn low_r_misfit_at(
        &self,
        settings: &ReduceSettings,
        intensity: &[f64],
        background: Option<&[f64]>,
        (b, rho0): (f64, f64),
    ) -> Result<(f64, f64), ReduceError> {
        check_arrays(&self.q, intensity, None, background, b)?;
        let one = OnePattern {
            plan: self,
            settings: &ReduceSettings {
                rho0: Some(rho0),
                ..settings.clone()
            },
            intensity,
            background,
        };
        let r_cut = one.r_cut(b)?;
        Ok((r_cut, one.misfit(b, rho0, r_cut)))
    }
}

/// One pattern and its plan.
struct OnePattern<'a> {
    plan: &'a ReducePlan,
    settings: &'a ReduceSettings,
    intensity: &'a [f64],
    background: Option<&'a [f64]>,
}

impl OnePattern<'_> {
    fn normalisation(&self, rho0: f64) -> Normalisation {
        match self.settings.normalisation {
            NormalisationMode::KroghMoe => Normalisation::KroghMoe {
                rho0,
                below_qmin: self.settings.below_qmin,
            },
            NormalisationMode::HighQ => {
                let q = &self.plan.q;
                let (a, b) = (q[0], q[q.len() - 1]);
                Normalisation::HighQ {
                    q_from: b - HIGH_Q_FRACTION * (b - a),
                    q_to: b,
                }
            }
        }
    }

    /// S(Q) for b and ρ0 (None when α is not positive).
    fn structure_factor(&self, b: f64, rho0: f64) -> Option<Vec<f64>> {
        let (q, f) = (&self.plan.q, &self.plan.factors);
        let corrected: Vec<f64> = (0..q.len())
            .map(|k| {
                let bkg = self.background.map_or(0.0, |g| b * g[k]);
                let p = self.plan.polarisation.as_ref().map_or(1.0, |p| p[k]);
                (self.intensity[k] - bkg) / p
            })
            .collect();
        let alpha = match self.normalisation(rho0) {
            Normalisation::KroghMoe { rho0, below_qmin } => {
                krogh_moe_alpha(q, &corrected, f, rho0, below_qmin).ok()?
            }
            Normalisation::HighQ { q_from, q_to } => {
                high_q_alpha(q, &corrected, f, q_from, q_to).ok()?
            }
            Normalisation::Given { alpha } => alpha,
        };
        Some(
            (0..q.len())
                .map(|k| {
                    1.0 + (alpha * corrected[k] - f.mean_square[k] - f.compton[k])
                        / f.square_of_mean[k]
                })
                .collect(),
        )
    }

    /// χ² of the low-r line for b and ρ0 below `r_cut` (+∞ when there is no S(Q)): of the
    /// Lorch-damped G(r), or with low-r iterations, of the unmodified G(r) after them.
    fn misfit(&self, b: f64, rho0: f64, r_cut: f64) -> f64 {
        let Some(mut s) = self.structure_factor(b, rho0) else {
            return f64::INFINITY;
        };
        match &self.plan.iteration {
            Some((plain, table)) => {
                let n = self.settings.iterations;
                iterate_low_r(plain, table, &mut s, rho0, r_cut, n).0
            }
            None => {
                let plan = &self.plan.low_r;
                low_r_misfit(&plan.r, &plan.reduced_pdf(&s), rho0, r_cut)
            }
        }
    }

    /// ρ0 for b: the given one, else refined; with its χ².
    fn rho0_for(&self, b: f64, r_cut: f64) -> (f64, f64) {
        if let Some(rho0) = self.settings.rho0 {
            return (rho0, self.misfit(b, rho0, r_cut));
        }
        if self.settings.normalisation == NormalisationMode::HighQ && self.plan.iteration.is_none()
        {
            let rho0 = self
                .structure_factor(b, START_RHO0)
                .and_then(|s| {
                    let plan = &self.plan.low_r;
                    rho0_from_low_r(&plan.r, &plan.reduced_pdf(&s), r_cut)
                })
                .unwrap_or(START_RHO0);
            return (rho0, self.misfit(b, rho0, r_cut));
        }
        let (lo, hi) = RHO0_RANGE;
        golden_min(|rho0| self.misfit(b, rho0, r_cut), lo, hi, 1e-6)
    }

    /// r_c from the first peak of a Lorch-damped G(r) with b₀ and ρ0₀.
    fn r_cut(&self, b0: f64) -> Result<f64, ReduceError> {
        if let Some(r_cut) = self.settings.r_cut {
            return Ok(r_cut);
        }
        let rho0 = self.settings.rho0.unwrap_or(START_RHO0);
        let s = self
            .structure_factor(b0, rho0)
            .ok_or(ReductionError::NoSignal { alpha: f64::NAN })?;
        let plan = &self.plan.peaks;
        let peak = first_peak(&plan.r, &plan.reduced_pdf(&s)).ok_or(ReduceError::NoFirstPeak)?;
        Ok(low_r_cut(peak, self.plan.low_r.q_top()))
    }
}

/// r_c for a first peak at `peak` (Å) and a transform to `q_max` (1/Å): [`CUTOFF_FRACTION`] ×
/// `peak` less the half-width π/Qmax of the Lorch window, so that no point of the low-r line
/// averages G(r) beyond 0.8 × the first peak (where the hard core ends); at least
/// [`MIN_LOW_R_CUT`].
pub fn low_r_cut(peak: f64, q_max: f64) -> f64 {
    (CUTOFF_FRACTION * peak - std::f64::consts::PI / q_max).max(MIN_LOW_R_CUT)
}

/// mean over 0 < r ≤ r_cut of [G(r) + 4πρ0 r]² (+∞ when no finite point is there).
pub fn low_r_misfit(r: &[f64], big_g: &[f64], rho0: f64, r_cut: f64) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (&ri, &gi) in r.iter().zip(big_g) {
        if ri > 0.0 && ri <= r_cut && gi.is_finite() {
            let d = gi + 4.0 * std::f64::consts::PI * rho0 * ri;
            sum += d * d;
            n += 1;
        }
    }
    if n == 0 {
        f64::INFINITY
    } else {
        sum / n as f64
    }
}

/// The first peak of G(r) in [`FIRST_PEAK_RANGE`]: the first local maximum that reaches half the
/// highest value there (a termination ripple does not).
pub fn first_peak(r: &[f64], big_g: &[f64]) -> Option<f64> {
    let (lo, hi) = FIRST_PEAK_RANGE;
    let inside: Vec<usize> = (0..r.len().min(big_g.len()))
        .filter(|&k| r[k] >= lo && r[k] <= hi && big_g[k].is_finite())
        .collect();
    let top = inside
        .iter()
        .map(|&k| big_g[k])
        .fold(f64::NEG_INFINITY, f64::max);
    if top.is_nan() || top <= 0.0 {
        return None;
    }
    inside.windows(3).find_map(|w| {
        let (a, b, c) = (big_g[w[0]], big_g[w[1]], big_g[w[2]]);
        (b >= a && b > c && b >= 0.5 * top).then_some(r[w[1]])
    })
}

/// The minimum of `f` on [lo, hi] by golden-section search to `tol`: (x, f(x)). NaN counts as
/// +∞; the ends are evaluated too, so a minimum at a bound is found.
pub fn golden_min(f: impl Fn(f64) -> f64, lo: f64, hi: f64, tol: f64) -> (f64, f64) {
    let value = |x: f64| {
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - ratio * (b - a);
    let mut d = a + ratio * (b - a);
    let (mut fc, mut fd) = (value(c), value(d));
    for _ in 0..200 {
        if (b - a).abs() <= tol {
            break;
        }
        if fc <= fd {
            (b, d, fd) = (d, c, fc);
            c = b - ratio * (b - a);
            fc = value(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + ratio * (b - a);
            fd = value(d);
        }
    }
    let mid = 0.5 * (a + b);
    [(mid, value(mid)), (lo, value(lo)), (hi, value(hi))]
        .into_iter()
        .fold(
            (mid, f64::INFINITY),
            |best, c| if c.1 < best.1 { c } else { best },
        )
}

/// The arrays as long as Q and finite, b finite.
fn check_arrays(
    q: &[f64],
    intensity: &[f64],
    sigma: Option<&[f64]>,
    background: Option<&[f64]>,
    b: f64,
) -> Result<(), ReductionError> {
    let arrays = [
        ("the intensity", Some(intensity)),
        ("σ of the intensity", sigma),
        ("the background", background),
    ];
    for (what, values) in arrays {
        let Some(values) = values else { continue };
        if values.len() != q.len() {
            return Err(ReductionError::LengthMismatch {
                what,
                expected: q.len(),
                found: values.len(),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(ReductionError::NotFinite {
                what,
                index,
                q: q[index],
            });
        }
    }
    if !b.is_finite() {
        return Err(ReductionError::BadParameter {
            name: "background scale",
            value: b,
            rule: "must be finite",
        });
    }
    Ok(())
}

/// Reduces one pattern on `plan`'s grid: b and ρ0 as the settings say (chosen when not given),
/// then [`sq_from_iq`]. `background` is already on the grid.
pub fn reduce_pattern(
    plan: &ReducePlan,
    settings: &ReduceSettings,
    intensity: &[f64],
    sigma: Option<&[f64]>,
    background: Option<&[f64]>,
) -> Result<Reduced, ReduceError> {
    let q = plan.q();
    let b_fixed = match settings.scale {
        ScaleMode::Fixed(b) => b,
        ScaleMode::Auto => 0.0,
    };
    // The input rules of `sq_from_iq` (lengths, NaN, b) before any search; Q was checked by
    // the plan.
    check_arrays(q, intensity, sigma, background, b_fixed)?;
    let one = OnePattern {
        plan,
        settings,
        intensity,
        background,
    };
    let b_max = match (settings.scale, background) {
        (ScaleMode::Auto, Some(bkg)) => {
            // Over the upper half of the Q range, where I is well above the background.
            let half = q[0] + 0.5 * (q[q.len() - 1] - q[0]);
            let m = (0..q.len())
                .filter(|&k| q[k] >= half && bkg[k] > 0.0 && intensity[k] > 0.0)
                .map(|k| intensity[k] / bkg[k])
                .fold(f64::INFINITY, f64::min);
            if !(m.is_finite() && m > 0.0) {
                return Err(ReduceError::NoBackgroundSignal);
            }
            Some(m)
        }
        (ScaleMode::Auto, None) => None,
        (ScaleMode::Fixed(_), _) => None,
    };
    // With b and ρ0 both given and no iteration nothing is searched: no low-r transform (and
    // no first peak needed), r_c and the misfit are not defined (NaN).
    if let (None, Some(rho0), 0) = (b_max, settings.rho0, settings.iterations) {
        let mut reduction = sq_from_iq(&ReductionInput {
            sigma,
            background,
            background_scale: b_fixed,
            wavelength: settings.polarisation_wavelength,
            factors: Some(&plan.factors),
            ..ReductionInput::new(q, intensity, &settings.composition, one.normalisation(rho0))
        })?;
        let ad_hoc_degree = apply_ad_hoc(&mut reduction, plan.ad_hoc.as_ref())?;
        return Ok(Reduced {
            reduction,
            rho0,
            rho0_refined: false,
            background_scale: b_fixed,
            scale_at_bound: false,
            r_cut: f64::NAN,
            low_r_misfit: f64::NAN,
            iterations: 0,
            ad_hoc_degree,
        });
    }
    let b0 = b_max.map_or(b_fixed, |m| 0.5 * m);
    let r_cut = one.r_cut(b0)?;
    let (b, at_bound) = match b_max {
        Some(m) => {
            let (b, _) = golden_min(|b| one.rho0_for(b, r_cut).1, 0.0, m, 1e-4 * m);
            (b, b <= 1e-3 * m || b >= (1.0 - 1e-3) * m)
        }
        None => (b_fixed, false),
    };
    let (rho0, mut misfit) = one.rho0_for(b, r_cut);
    let mut reduction = sq_from_iq(&ReductionInput {
        sigma,
        background,
        background_scale: b,
        wavelength: settings.polarisation_wavelength,
        // The plan's factors: computing them is most of a pattern's cost.
        factors: Some(&plan.factors),
        ..ReductionInput::new(q, intensity, &settings.composition, one.normalisation(rho0))
    })?;
    if let Some((plain, table)) = &plan.iteration {
        let n = settings.iterations;
        let (chi2, factor) = iterate_low_r(plain, table, &mut reduction.s, rho0, r_cut, n);
        misfit = chi2;
        for (k, m) in factor.iter().enumerate() {
            reduction.normalised[k] *= m;
            if let Some(sigma) = reduction.sigma_s.as_mut() {
                sigma[k] *= m;
            }
        }
    }
    let ad_hoc_degree = apply_ad_hoc(&mut reduction, plan.ad_hoc.as_ref())?;
    Ok(Reduced {
        reduction,
        rho0,
        rho0_refined: settings.rho0.is_none(),
        background_scale: b,
        scale_at_bound: at_bound,
        r_cut,
        low_r_misfit: misfit,
        iterations: settings.iterations,
        ad_hoc_degree,
    })
}

/// The ad hoc correction of the final S(Q), when asked for: its degree.
fn apply_ad_hoc(
    reduction: &mut Reduction,
    plan: Option<&AdHocPlan>,
) -> Result<Option<usize>, ReduceError> {
    let Some(plan) = plan else {
        return Ok(None);
    };
    reduction.s = plan.apply(&reduction.s)?.s;
    Ok(Some(plan.degree()))
}
