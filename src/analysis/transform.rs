//! From S(Q) to the reduced pair distribution function G(r), g(r) and RDF(r).
//!
//! G(r) = (2/π) ∫_{Qmin}^{Qmax} Q [S(Q) − 1] M(Q) sin(Qr) dQ, by the trapezoid rule over the
//! data points with Qmin ≤ Q ≤ Qmax (default: all points), with M(Q) = 1 or the Lorch function
//! M(Q) = sin(πQ/Qmax)/(πQ/Qmax), Qmax being the last point used. Then
//! g(r) = 1 + G(r)/(4π r ρ0) and RDF(r) = 4π r² ρ0 g(r) (Å⁻¹).
//!
//! **Below the first point used** (Q₀ = Qmin > 0) the integral from 0 to Q₀ is added according to
//! [`LowQ`], with S₀ = S(Q₀):
//! - `None`: nothing (the integral starts at Q₀).
//! - `Hold`: **S(Q) is held** at S₀, i.e. S − 1 = S₀ − 1 and F(Q) = Q [S₀ − 1] falls linearly to
//!   F(0) = 0. This is what LiquidDiffract does (`data_utils.rebin_data(..., extrapolate_mode=
//!   'fill')` fills Q < Qmin with the first measured value) and what `np.interp` does to S − 1
//!   (fullrmc's "F(Q)"), the recipe of the Ni–Ti reference G(r) in the shared data. Holding F(Q)
//!   itself would leave F(0) = Q₀[S₀ − 1] ≠ 0, which no S(Q) can give: it is not offered.
//! - `Linear`: S(Q) goes linearly from S₀ at Q₀ to S(0) = 0 (the limit of a dense, nearly
//!   incompressible glass: S(0) = ρ0 kT κ_T ≈ 0.01–0.03), i.e. S − 1 = S₀ Q/Q₀ − 1 and
//!   F(Q) = Q [S₀ Q/Q₀ − 1], which is 0 at Q = 0 and F(Q₀) at Q₀ like `Hold` but follows the
//!   physical small-Q trend instead of freezing the last measured point.
//!
//! The added segment is an exact integral, not a sum over invented points:
//! (2/π) ∫₀^{Q₀} Qᵏ M(Q) sin(Qr) dQ (k = 1, 2) in closed form for both M (for Lorch,
//! Q M(Q) sin(Qr) = [cos((r − κ)Q) − cos((r + κ)Q)] / 2κ with κ = π/Qmax), tabulated once per
//! plan as two r-vectors A(r), B(r); a pattern adds (S₀ − 1) A(r) (`Hold`) or S₀ B(r) − A(r)
//! (`Linear`). Both paths add the same vectors, so they agree to rounding. A NaN S₀ makes the
//! whole G(r) NaN like any other used point; a plan whose first point is at Q = 0 adds nothing.
//!
//! Two paths compute the same sum:
//! - **direct**: a table T[j, i] = (2/π) wᵢ Qᵢ M(Qᵢ) sin(Qᵢ rⱼ) built once per parameter set and
//!   shared (`Arc`) across threads; G = T · (S − 1) is a matrix–vector (or, for a whole series,
//!   matrix–matrix) product. Exact on any grid.
//! - **fft** (uniform Q grids): the same sum as a chirp-z transform (Bluestein) with rustfft,
//!   O((N + M) log(N + M)) per pattern instead of O(N M). Its chirp spectrum is planned once per
//!   parameter set.
//!
//! `Auto` takes the FFT path when the Q points are uniform to within 10⁻⁶ of Qmax, else direct.
//! NaN in S(Q) inside [Qmin, Qmax] makes the whole G(r) NaN (the caller flags the pattern),
//! except at a point of zero weight: F(Q) or S(Q) − 1 starting at Q = 0 gives S(0) undefined,
//! and that point contributes nothing to the sum anyway.

use std::borrow::Cow;
use std::sync::Arc;

use ndarray::{Array1, Array2};
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use crate::model::{Pattern, Quantity, XUnit};

/// The modification function M(Q).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Modification {
    #[default]
    None,
    Lorch,
}

/// How S(Q) continues below the first point used, down to Q = 0 (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LowQ {
    /// Nothing is added below Qmin.
    None,
    /// S(Q) = S(Qmin) below Qmin: F(Q) = Q [S(Qmin) − 1] falls linearly to 0.
    #[default]
    Hold,
    /// S(Q) falls linearly from S(Qmin) to S(0) = 0.
    Linear,
}

impl LowQ {
    /// The name the command line and the files use.
    pub fn name(self) -> &'static str {
        match self {
            LowQ::None => "none",
            LowQ::Hold => "hold",
            LowQ::Linear => "linear",
        }
    }

    /// The mode of a name (`none`, `hold`, `linear`).
    pub fn from_name(name: &str) -> Option<LowQ> {
        [LowQ::None, LowQ::Hold, LowQ::Linear]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// cos x − 1 = −2 sin²(x/2), without the absolute error 10⁻¹⁶ of `cos(x) − 1` at small x.
fn cos_minus_one(x: f64) -> f64 {
    let h = (0.5 * x).sin();
    -2.0 * h * h
}

/// ∫₀^a Q sin(rQ) dQ = (sin x − x cos x)/r², x = a r (a series for small x, where the closed form
/// cancels).
fn moment1_sin(a: f64, r: f64) -> f64 {
    let x = a * r;
    if x.abs() < 1e-2 {
        let x2 = x * x;
        a * a * x * (1.0 / 3.0 - x2 / 30.0 + x2 * x2 / 840.0)
    } else {
        (x.sin() - x * x.cos()) / (r * r)
    }
}

/// ∫₀^a Q² sin(rQ) dQ = [2x sin x + 2(cos x − 1) − x² cos x]/r³, x = a r.
fn moment2_sin(a: f64, r: f64) -> f64 {
    let x = a * r;
    if x.abs() < 1e-2 {
        let x2 = x * x;
        a * a * a * x * (0.25 - x2 / 36.0 + x2 * x2 / 960.0)
    } else {
        (2.0 * x * x.sin() + 2.0 * cos_minus_one(x) - x * x * x.cos()) / (r * r * r)
    }
}

/// ∫₀^a cos(cQ) dQ = sin(ac)/c (a at c = 0).
fn moment0_cos(a: f64, c: f64) -> f64 {
    let x = a * c;
    if x.abs() < 1e-8 { a } else { x.sin() / c }
}

/// ∫₀^a Q cos(cQ) dQ = a²[sin x/x + (cos x − 1)/x²], x = a c.
fn moment1_cos(a: f64, c: f64) -> f64 {
    let x = a * c;
    if x.abs() < 1e-2 {
        let x2 = x * x;
        a * a * (0.5 - x2 / 8.0 + x2 * x2 / 144.0)
    } else {
        a * x.sin() / c + cos_minus_one(x) / (c * c)
    }
}

/// The two r-vectors of the segment below Q₀ = `a`:
/// A(r) = (2/π) ∫₀^a Q M(Q) sin(Qr) dQ and B(r) = (2/π) ∫₀^a (Q²/a) M(Q) sin(Qr) dQ.
pub fn low_q_kernels(a: f64, q_top: f64, modification: Modification, r: &[f64]) -> [Vec<f64>; 2] {
    let two_over_pi = std::f64::consts::FRAC_2_PI;
    let mut big_a = Vec::with_capacity(r.len());
    let mut big_b = Vec::with_capacity(r.len());
    for &rj in r {
        let (ka, kb) = match modification {
            Modification::None => (moment1_sin(a, rj), moment2_sin(a, rj) / a),
            Modification::Lorch => {
                // Q M(Q) = sin(κQ)/κ; sin(κQ) sin(rQ) = [cos((r−κ)Q) − cos((r+κ)Q)]/2.
                let kappa = std::f64::consts::PI / q_top;
                let (lo, hi) = (rj - kappa, rj + kappa);
                (
                    (moment0_cos(a, lo) - moment0_cos(a, hi)) / (2.0 * kappa),
                    (moment1_cos(a, lo) - moment1_cos(a, hi)) / (2.0 * kappa * a),
                )
            }
        };
        big_a.push(two_over_pi * ka);
        big_b.push(two_over_pi * kb);
    }
    [big_a, big_b]
}

/// Which numerical path computes the transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum TransformPath {
    /// FFT when the Q grid is uniform, direct otherwise.
    #[default]
    Auto,
    Direct,
    Fft,
}

/// Why a pattern has no S(Q).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoStructureFactor {
    #[error("x axis is {0}, not Q in 1/Å")]
    NotQ(XUnit),
    #[error("I(Q) must be normalised to S(Q) first (PDFgetX3, GudrunX, LiquidDiffract)")]
    Intensity,
    #[error("quantity unknown: set it (--quantity sq, fq or s-1)")]
    UnknownQuantity,
    #[error("{0} is a real-space quantity, not S(Q)")]
    RealSpace(Quantity),
}

/// S(Q) from what a pattern holds: S(Q) as is, 1 + F(Q)/Q, 1 + (S − 1). Intensities need
/// normalisation first and real-space patterns have no S(Q): both are errors with the reason.
pub fn sq_from_pattern(p: &Pattern) -> Result<Vec<f64>, NoStructureFactor> {
    sq_view(p).map(Cow::into_owned)
}

/// [`sq_from_pattern`] without a copy when the pattern holds S(Q) itself (the usual case: the
/// analysis reads every pattern's S(Q), and the reference's once per pattern).
pub fn sq_view(p: &Pattern) -> Result<Cow<'_, [f64]>, NoStructureFactor> {
    if p.x_unit != XUnit::QInvAngstrom {
        return Err(NoStructureFactor::NotQ(p.x_unit));
    }
    match p.quantity {
        Quantity::StructureFactor => Ok(Cow::Borrowed(&p.y)),
        Quantity::ReducedStructureFunction => Ok(Cow::Owned(
            p.x.iter()
                .zip(&p.y)
                .map(|(q, f)| if *q > 0.0 { 1.0 + f / q } else { f64::NAN })
                .collect(),
        )),
        Quantity::Interference => Ok(Cow::Owned(p.y.iter().map(|v| 1.0 + v).collect())),
        Quantity::Intensity => Err(NoStructureFactor::Intensity),
        Quantity::Unknown => Err(NoStructureFactor::UnknownQuantity),
        q => Err(NoStructureFactor::RealSpace(q)),
    }
}

/// The r grid r_min, r_min + dr, …, up to r_max (inclusive within dr/1000).
pub fn r_grid(r_min: f64, r_max: f64, dr: f64) -> Result<Vec<f64>, TransformError> {
    let valid = dr > 0.0 && r_max >= r_min && r_min.is_finite() && r_max.is_finite();
    if !valid {
        return Err(TransformError::EmptyRGrid);
    }
    let n = ((r_max - r_min) / dr + 1e-3).floor();
    // NaN (from an infinite range) is refused too.
    if n.is_nan() || n >= MAX_R_POINTS as f64 {
        return Err(TransformError::RGridTooLarge {
            points: n + 1.0,
            r_min,
            r_max,
            dr,
        });
    }
    let n = n as usize + 1;
    Ok(match decimal_steps(r_min, dr) {
        // r_k = (a + m k) / 10^d: each point the double nearest its decimal value, so it prints
        // as a person writes it (0.06, not 0.060000000000000005; 20, not 20.000000000000004).
        Some((a, m, p)) => (0..n).map(|k| (a + m * k as f64) / p).collect(),
        None => (0..n).map(|k| r_min + dr * k as f64).collect(),
    })
}

/// (a, m, 10^d) with r_min = a / 10^d and dr = m / 10^d for whole a, m and the fewest decimals
/// d ≤ 9, when the grid is decimal (as every grid a person types is); None otherwise.
fn decimal_steps(r_min: f64, dr: f64) -> Option<(f64, f64, f64)> {
    (0..=9).find_map(|d| {
        let p = 10f64.powi(d);
        let (a, m) = ((r_min * p).round(), (dr * p).round());
        let whole = |x: f64, v: f64| (x - v * p).abs() <= 1e-6_f64.max(1e-12 * (v * p).abs());
        (m >= 1.0 && a.abs() < 1e15 && m < 1e15 && whole(a, r_min) && whole(m, dr))
            .then_some((a, m, p))
    })
}

/// The most r points a G(r) may have: a grid beyond it is refused before it is allocated.
pub const MAX_R_POINTS: usize = 200_000;

/// The most entries a direct-path sine table may hold (8 bytes each: 512 MB).
pub const MAX_SINE_TABLE: usize = 64 << 20;

/// g(r) = 1 + G(r)/(4π r ρ0) (NaN at r = 0).
pub fn g_from_big_g(r: &[f64], big_g: &[f64], rho0: f64) -> Vec<f64> {
    r.iter()
        .zip(big_g)
        .map(|(&ri, &gi)| {
            if ri > 0.0 {
                1.0 + gi / (4.0 * std::f64::consts::PI * ri * rho0)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// G(r) = 4π r ρ0 [g(r) − 1].
pub fn big_g_from_g(r: &[f64], g: &[f64], rho0: f64) -> Vec<f64> {
    r.iter()
        .zip(g)
        .map(|(&ri, &gi)| 4.0 * std::f64::consts::PI * ri * rho0 * (gi - 1.0))
        .collect()
}

/// RDF(r) = 4π r² ρ0 g(r).
pub fn rdf_from_g(r: &[f64], g: &[f64], rho0: f64) -> Vec<f64> {
    r.iter()
        .zip(g)
        .map(|(&ri, &gi)| 4.0 * std::f64::consts::PI * ri * ri * rho0 * gi)
        .collect()
}

/// Why a transform cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformError {
    #[error("no reciprocal-space pattern")]
    NoReciprocalPattern,
    #[error("fewer than 2 data points in Q = {q_min}–{q_max} 1/Å")]
    TooFewPoints { q_min: f64, q_max: f64 },
    #[error("the r grid is empty (check r range and dr)")]
    EmptyRGrid,
    #[error(
        "an r grid from {r_min} to {r_max} Å in steps of {dr} Å would have {points:.3e} points \
         (at most {MAX_R_POINTS}): use a larger dr or a shorter range"
    )]
    RGridTooLarge {
        points: f64,
        r_min: f64,
        r_max: f64,
        dr: f64,
    },
    #[error(
        "a G(r) of {r_points} r points from {q_points} unevenly spaced Q points would need a \
         {megabytes} MB sine table (at most {} MB): rebin the pattern onto an even grid or use a \
         larger dr", (MAX_SINE_TABLE * 8) >> 20
    )]
    TooLarge {
        q_points: usize,
        r_points: usize,
        megabytes: usize,
    },
    #[error("the FFT path needs a uniform Q grid; this one is not (use the direct path)")]
    NotUniform,
    #[error("the FFT path needs a uniform r grid")]
    RNotUniform,
}

enum Kernel {
    Direct(Array2<f64>),
    Czt(Czt),
}

/// Everything that depends only on the grids and parameters, built once and shared.
pub struct TransformPlan {
    /// Index range of the Q points used, in the pattern grid.
    pub first: usize,
    pub last: usize,
    pub r: Vec<f64>,
    /// (2/π) wᵢ Qᵢ M(Qᵢ) for the points used.
    coefficients: Vec<f64>,
    kernel: Kernel,
    /// The path actually used.
    pub path: TransformPath,
    /// The continuation below the first point, and its kernels A(r), B(r) (empty when nothing
    /// is added: `None`, or a first point at Q = 0).
    pub low_q: LowQ,
    low_q_kernels: Option<[Vec<f64>; 2]>,
    q_top: f64,
}

/// Points per block of the noise estimate of [`TransformPlan::big_g_noise`].
pub const NOISE_BLOCK: usize = 64;

impl std::fmt::Debug for TransformPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformPlan")
            .field("first", &self.first)
            .field("last", &self.last)
            .field("r_points", &self.r.len())
            .field("path", &self.path)
            .field("low_q", &self.low_q)
            .finish()
    }
}

/// Whether points are uniform: |xᵢ − (x₀ + i Δ)| ≤ 10⁻⁶ max|x| with Δ from the end points.
pub fn is_uniform(x: &[f64]) -> bool {
    if x.len() < 3 {
        return x.len() == 2;
    }
    let n = x.len() - 1;
    let step = (x[n] - x[0]) / n as f64;
    let tol = 1e-6 * x[0].abs().max(x[n].abs()).max(step.abs());
    step > 0.0
        && x.iter()
            .enumerate()
            .all(|(i, &v)| (v - (x[0] + step * i as f64)).abs() <= tol)
}

/// Runs two pieces of work, one after the other or at once (the engine passes its pool's
/// join; the analysis starts no threads of its own).
pub type Join<'a> = &'a (dyn Fn(&mut (dyn FnMut() + Send), &mut (dyn FnMut() + Send)) + Sync);

/// A [`Join`] that runs the first piece, then the second.
pub fn in_turn(a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
    a();
    b();
}

impl TransformPlan {
    /// Plans the transform of patterns on grid `q` with the given limits onto `r`.
    pub fn new(
        q: &[f64],
        q_min: Option<f64>,
        q_max: Option<f64>,
        modification: Modification,
        low_q: LowQ,
        r: Vec<f64>,
        path: TransformPath,
    ) -> Result<Arc<Self>, TransformError> {
        Self::new_joined(q, q_min, q_max, modification, low_q, r, path, &in_turn)
    }

    /// [`TransformPlan::new`], building the kernel and the low-Q kernels through `join` (at
    /// once when it runs them so: about half the time on two cores, the same values).
    #[allow(clippy::too_many_arguments, reason = "new's arguments and the join")]
    pub fn new_joined(
        q: &[f64],
        q_min: Option<f64>,
        q_max: Option<f64>,
        modification: Modification,
        low_q: LowQ,
        r: Vec<f64>,
        path: TransformPath,
        join: Join<'_>,
    ) -> Result<Arc<Self>, TransformError> {
        let lo = q_min.unwrap_or(f64::NEG_INFINITY);
        let hi = q_max.unwrap_or(f64::INFINITY);
        let first = q
            .iter()
            .position(|&v| super::window::at_or_above(v, lo))
            .unwrap_or(q.len());
        let last = q
            .iter()
            .rposition(|&v| super::window::at_or_below(v, hi))
            .map_or(0, |i| i + 1);
        if last <= first || last - first < 2 {
            return Err(TransformError::TooFewPoints {
                q_min: q_min.unwrap_or(f64::NAN),
                q_max: q_max.unwrap_or(f64::NAN),
            });
        }
        if r.is_empty() {
            return Err(TransformError::EmptyRGrid);
        }
        let qs = &q[first..last];
        let n = qs.len();
        let q_top = qs[n - 1];
        let coefficients: Vec<f64> = (0..n)
            .map(|i| {
                let left = if i > 0 { qs[i] - qs[i - 1] } else { 0.0 };
                let right = if i + 1 < n { qs[i + 1] - qs[i] } else { 0.0 };
                let w = 0.5 * (left + right);
                let m = match modification {
                    Modification::None => 1.0,
                    Modification::Lorch => {
                        let x = std::f64::consts::PI * qs[i] / q_top;
                        if x == 0.0 { 1.0 } else { x.sin() / x }
                    }
                };
                std::f64::consts::FRAC_2_PI * w * qs[i] * m
            })
            .collect();
        let uniform = is_uniform(qs) && is_uniform(&r);
        let chosen = match path {
            TransformPath::Auto if uniform => TransformPath::Fft,
            TransformPath::Auto => TransformPath::Direct,
            p => p,
        };
        let build_kernel = || -> Result<Kernel, TransformError> {
            Ok(match chosen {
                TransformPath::Fft => {
                    if !is_uniform(qs) {
                        return Err(TransformError::NotUniform);
                    }
                    if !is_uniform(&r) {
                        return Err(TransformError::RNotUniform);
                    }
                    Kernel::Czt(Czt::new(qs, &r, join))
                }
                _ => {
                    if n.saturating_mul(r.len()) > MAX_SINE_TABLE {
                        return Err(TransformError::TooLarge {
                            q_points: n,
                            r_points: r.len(),
                            megabytes: n.saturating_mul(r.len()).saturating_mul(8) >> 20,
                        });
                    }
                    let mut table = Array2::<f64>::zeros((r.len(), n));
                    for (j, mut row) in table.rows_mut().into_iter().enumerate() {
                        let rj = r[j];
                        for (i, t) in row.iter_mut().enumerate() {
                            *t = coefficients[i] * (qs[i] * rj).sin();
                        }
                    }
                    Kernel::Direct(table)
                }
            })
        };
        let build_low_q = || {
            (low_q != LowQ::None && qs[0] > 0.0)
                .then(|| low_q_kernels(qs[0], q_top, modification, &r))
        };
        let (mut kernel, mut low) = (None, None);
        join(&mut || kernel = Some(build_kernel()), &mut || {
            low = Some(build_low_q())
        });
        // (A join that skipped a piece leaves it to be built here.)
        let kernel = kernel.unwrap_or_else(build_kernel)?;
        let low_q_kernels = low.unwrap_or_else(build_low_q);
        Ok(Arc::new(TransformPlan {
            q_top,
            first,
            last,
            r,
            coefficients,
            kernel,
            path: chosen,
            low_q,
            low_q_kernels,
        }))
    }

    /// Number of Q points used.
    pub fn q_points(&self) -> usize {
        self.last - self.first
    }

    /// The last Q used (1/Å): G(r) resolves nothing finer than π over it.
    pub fn q_top(&self) -> f64 {
        self.q_top
    }

    /// The noise of one G(r) value (away from r = 0), from the noise of this pattern's S(Q)
    /// (`s` on the plan's grid): σ_G² = Σᵢ σᵢ² cᵢ² ⟨sin²(Qᵢr)⟩ = ½ Σᵢ σᵢ² cᵢ², with σᵢ estimated
    /// robustly ([`super::lobes::white_noise_sigma`]) in blocks of [`NOISE_BLOCK`] points so that
    /// noise growing with Q is followed. NaN when no block has enough finite points.
    pub fn big_g_noise(&self, s: &[f64]) -> f64 {
        let Some(used) = s.get(self.first..self.last) else {
            return f64::NAN;
        };
        let mut variance = 0.0;
        let mut any = false;
        let blocks: Vec<(&[f64], &[f64])> = used
            .chunks(NOISE_BLOCK)
            .zip(self.coefficients.chunks(NOISE_BLOCK))
            .collect();
        // σ of several blocks at once (the same bits as one by one), summed in block order.
        for group in blocks.chunks(super::noise::LANES) {
            let lanes = std::array::from_fn(|l| group.get(l).map_or(&[][..], |b| b.0));
            for ((_, gains), sigma) in group
                .iter()
                .zip(super::noise::white_noise_sigma_lanes(lanes))
            {
                if sigma.is_finite() {
                    variance += 0.5 * sigma * sigma * gains.iter().map(|c| c * c).sum::<f64>();
                    any = true;
                }
            }
        }
        if any { variance.sqrt() } else { f64::NAN }
    }

    /// G(r) of one pattern; `s` is S(Q) on the grid the plan was built for. A point whose
    /// weight is zero (Q = 0, where F(Q) = 0 but S(Q) = 1 + F/Q is undefined) does not count,
    /// whatever its value; a NaN anywhere else makes the whole G(r) NaN.
    pub fn reduced_pdf(&self, s: &[f64]) -> Vec<f64> {
        let Some(used) = s.get(self.first..self.last) else {
            return vec![f64::NAN; self.r.len()];
        };
        let weightless = |i: usize| self.coefficients[i] == 0.0;
        if used
            .iter()
            .enumerate()
            .any(|(i, v)| !v.is_finite() && !weightless(i))
        {
            return vec![f64::NAN; self.r.len()];
        }
        let cleaned: Vec<f64>;
        let used = if used.iter().any(|v| !v.is_finite()) {
            cleaned = used
                .iter()
                .enumerate()
                .map(|(i, &v)| if weightless(i) { 1.0 } else { v })
                .collect();
            &cleaned[..]
        } else {
            used
        };
        let mut g = match &self.kernel {
            Kernel::Direct(table) => {
                let f = Array1::from_iter(used.iter().map(|v| v - 1.0));
                table.dot(&f).to_vec()
            }
            Kernel::Czt(czt) => czt.transform(used, &self.coefficients),
        };
        if let Some([big_a, big_b]) = &self.low_q_kernels {
            // A first point at Q = 0 has no kernels, so `used[0]` is finite here.
            let s0 = used[0];
            match self.low_q {
                LowQ::Hold => {
                    for (gj, aj) in g.iter_mut().zip(big_a) {
                        *gj += (s0 - 1.0) * aj;
                    }
                }
                LowQ::Linear => {
                    for ((gj, aj), bj) in g.iter_mut().zip(big_a).zip(big_b) {
                        *gj += s0 * bj - aj;
                    }
                }
                LowQ::None => {}
            }
        }
        g
    }
}

/// The chirp-z (Bluestein) evaluation of Σₙ cₙ (Sₙ − 1) sin(Qₙ rₖ) for uniform Qₙ and rₖ.
///
/// With Qₙ = Q₀ + nΔ, rₖ = r₀ + k δ and θ = Δδ: Qₙ rₖ = Q₀rₖ + nΔr₀ + nkθ, and
/// e^{inkθ} = w^{n²} w^{k²} w^{−(k−n)²} with w = e^{iθ/2}, so the sum over n is a convolution
/// done with FFTs of length L ≥ N + M − 1.
struct Czt {
    len: usize,
    fft: Arc<dyn Fft<f64>>,
    ifft: Arc<dyn Fft<f64>>,
    /// e^{inΔr₀} w^{n²}, n < N.
    pre: Vec<Complex64>,
    /// FFT of the chirp b (w^{−m²} at m and at L − m).
    chirp_spectrum: Vec<Complex64>,
    /// e^{iQ₀rₖ} w^{k²} / L, k < M.
    post: Vec<Complex64>,
}

impl Czt {
    /// The plan; the chirps after the transform (`post`) are computed through `join` beside
    /// the rest.
    fn new(q: &[f64], r: &[f64], join: Join<'_>) -> Self {
        let n = q.len();
        let m = r.len();
        let dq = if n > 1 {
            (q[n - 1] - q[0]) / (n - 1) as f64
        } else {
            0.0
        };
        let dr = if m > 1 {
            (r[m - 1] - r[0]) / (m - 1) as f64
        } else {
            0.0
        };
        let theta = dq * dr;
        let len = (n + m - 1).next_power_of_two();
        // w^{j²} = e^{i θ j² / 2}; reduce the angle before exp to keep precision for large j.
        let chirp = |j: usize| {
            let angle = (0.5 * theta * (j as f64) * (j as f64)).rem_euclid(std::f64::consts::TAU);
            Complex64::from_polar(1.0, angle)
        };
        let spectrum = || {
            let pre: Vec<Complex64> = (0..n)
                .map(|i| {
                    Complex64::from_polar(
                        1.0,
                        (i as f64 * dq * r[0]).rem_euclid(std::f64::consts::TAU),
                    ) * chirp(i)
                })
                .collect();
            let mut b = vec![Complex64::new(0.0, 0.0); len];
            for (j, slot) in b.iter_mut().enumerate().take(m) {
                *slot = chirp(j).conj();
            }
            for j in 1..n {
                b[len - j] = chirp(j).conj();
            }
            let mut planner = FftPlanner::<f64>::new();
            let fft = planner.plan_fft_forward(len);
            let ifft = planner.plan_fft_inverse(len);
            fft.process(&mut b);
            (pre, b, fft, ifft)
        };
        let post = || -> Vec<Complex64> {
            (0..m)
                .map(|k| {
                    Complex64::from_polar(
                        1.0 / len as f64,
                        (q[0] * r[k]).rem_euclid(std::f64::consts::TAU),
                    ) * chirp(k)
                })
                .collect()
        };
        let (mut first, mut second) = (None, None);
        join(&mut || first = Some(spectrum()), &mut || {
            second = Some(post())
        });
        // (A join that skipped a piece leaves it to be built here.)
        let (pre, b, fft, ifft) = first.unwrap_or_else(spectrum);
        let post = second.unwrap_or_else(post);
        Czt {
            len,
            fft,
            ifft,
            pre,
            chirp_spectrum: b,
            post,
        }
    }

    fn transform(&self, s: &[f64], coefficients: &[f64]) -> Vec<f64> {
        let scratch_len = self
            .fft
            .get_inplace_scratch_len()
            .max(self.ifft.get_inplace_scratch_len());
        WORK.with(|work| {
            // Another transform on this thread (none can nest) holds the buffers: fresh ones.
            let mut fresh = Work::default();
            let mut held = work.try_borrow_mut();
            let work = match held.as_deref_mut() {
                Ok(w) => w,
                Err(_) => &mut fresh,
            };
            let buf = &mut work.buf;
            buf.clear();
            buf.resize(self.len, Complex64::new(0.0, 0.0));
            chirp_in(buf, &self.pre, s, coefficients);
            if work.scratch.len() < scratch_len {
                work.scratch.resize(scratch_len, Complex64::new(0.0, 0.0));
            }
            let scratch = &mut work.scratch[..scratch_len];
            self.fft.process_with_scratch(buf, scratch);
            multiply_by(buf, &self.chirp_spectrum);
            self.ifft.process_with_scratch(buf, scratch);
            chirp_out(&self.post, buf)
        })
    }
}

/// A thread's chirp-z work buffers, kept between transforms: two buffers of 64 kB per pattern
/// (for 1,250 Q and 2,000 r points) cost more to allocate and zero than to reuse. The input
/// buffer is cleared and zero-filled to its length for every transform, so each transform
/// sees exactly what a fresh buffer holds; the FFT's scratch needs no clearing.
#[derive(Default)]
struct Work {
    buf: Vec<Complex64>,
    scratch: Vec<Complex64>,
}

thread_local! {
    static WORK: std::cell::RefCell<Work> = std::cell::RefCell::new(Work::default());
}

// The chirp-z transform's pointwise steps, compiled for AVX2 and AVX as well as the baseline
// and chosen at run time: the same operations in the same order in each (Rust never fuses a
// multiply and an add), so the same bits, in wider vectors.

/// buf[i] = pre[i] · cᵢ(sᵢ − 1).
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn chirp_in(buf: &mut [Complex64], pre: &[Complex64], s: &[f64], coefficients: &[f64]) {
    for (((slot, p), &si), &ci) in buf.iter_mut().zip(pre).zip(s).zip(coefficients) {
        *slot = p * (ci * (si - 1.0));
    }
}

/// buf[i] ·= by[i].
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn multiply_by(buf: &mut [Complex64], by: &[Complex64]) {
    for (v, c) in buf.iter_mut().zip(by) {
        *v *= c;
    }
}

/// Im(post[k] · buf[k]).
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn chirp_out(post: &[Complex64], buf: &[Complex64]) -> Vec<f64> {
    post.iter().zip(buf).map(|(p, v)| (p * v).im).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_work_buffers_give_the_bits_of_fresh_ones() {
        let mut rng = crate::analysis::rng::SplitMix64(9);
        let plan = |points: usize, r_max: f64| {
            let q: Vec<f64> = (0..points).map(|i| 0.5 + 0.02 * i as f64).collect();
            let r = r_grid(0.01, r_max, 0.01).expect("r grid");
            let p = TransformPlan::new(
                &q,
                None,
                None,
                Modification::Lorch,
                LowQ::Hold,
                r,
                TransformPath::Fft,
            )
            .expect("plan");
            (p, points)
        };
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let (small, n_small) = plan(1250, 20.0);
        let (large, n_large) = plan(3000, 40.0);
        let a: Vec<f64> = (0..n_small).map(|_| 0.5 + rng.uniform()).collect();
        let b: Vec<f64> = (0..n_large).map(|_| 0.5 + rng.uniform()).collect();
        // This test's thread starts with no buffers: the first transform is on fresh ones.
        let first = small.reduced_pdf(&a);
        let other = large.reduced_pdf(&b);
        assert_ne!(bits(&first), bits(&other[..first.len()]));
        // After a larger transform has left its values in the buffers.
        assert_eq!(bits(&small.reduced_pdf(&a)), bits(&first));
        let again = large.reduced_pdf(&b);
        assert_eq!(bits(&again), bits(&other));
    }

    #[test]
    fn fft_path_matches_direct_path_on_random_input() {
        let mut rng = crate::analysis::rng::SplitMix64(7);
        let q: Vec<f64> = (0..1250).map(|i| 0.5 + 0.02 * i as f64).collect();
        let s: Vec<f64> = q.iter().map(|_| 0.5 + rng.uniform()).collect();
        let r = r_grid(0.01, 20.0, 0.01).expect("r grid");
        for m in [Modification::None, Modification::Lorch] {
            let direct = TransformPlan::new(
                &q,
                Some(1.0),
                Some(20.0),
                m,
                LowQ::None,
                r.clone(),
                TransformPath::Direct,
            )
            .expect("plan");
            let fft = TransformPlan::new(
                &q,
                Some(1.0),
                Some(20.0),
                m,
                LowQ::None,
                r.clone(),
                TransformPath::Fft,
            )
            .expect("plan");
            let a = direct.reduced_pdf(&s);
            let b = fft.reduced_pdf(&s);
            let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-9 * scale.max(1.0), "{x} vs {y}");
            }
        }
    }

    #[test]
    fn grids_beyond_the_memory_budget_are_refused_before_allocating() {
        for (a, b, dr) in [(0.0, 20.0, 1e-9), (0.0, 1e9, 0.01), (0.0, f64::MAX, 1e-300)] {
            let e = r_grid(a, b, dr).expect_err("too large");
            assert!(matches!(e, TransformError::RGridTooLarge { .. }), "{e}");
            assert!(e.to_string().contains("at most 200000"), "{e}");
        }
        assert!(matches!(
            r_grid(0.0, 20.0, -0.01),
            Err(TransformError::EmptyRGrid)
        ));
        assert!(matches!(
            r_grid(0.0, f64::NAN, 0.01),
            Err(TransformError::EmptyRGrid)
        ));
        assert_eq!(
            r_grid(0.0, 1.0, 0.25).expect("grid"),
            [0.0, 0.25, 0.5, 0.75, 1.0]
        );
        // Decimal grids print as typed: every point the double nearest its decimal value.
        let r = r_grid(0.01, 20.0, 0.01).expect("grid");
        assert_eq!(r.len(), 2000);
        assert_eq!(
            (r[5].to_string(), r[6].to_string(), r[1999].to_string()),
            ("0.06".into(), "0.07".into(), "20".into())
        );
        for (k, v) in r.iter().enumerate() {
            assert_eq!(
                v.to_string(),
                format!("{:.2}", (k + 1) as f64 / 100.0)
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            );
            assert!((v - (0.01 + 0.01 * k as f64)).abs() < 1e-12);
        }
        assert_eq!(
            r_grid(1.5, 2.0, 0.125).expect("grid"),
            [1.5, 1.625, 1.75, 1.875, 2.0]
        );
        // A step with more than 9 decimals keeps r_min + k·dr.
        let odd = r_grid(0.0, 1.0, 0.1234567891234).expect("grid");
        assert_eq!(odd[3], 3.0 * 0.1234567891234);
        // A 5-million-point uneven Q grid: the direct path's table would be 8e10 bytes.
        let q: Vec<f64> = (0..5_000_000)
            .map(|i| 0.5 + 25.0 * (i as f64 / 5e6).powi(2))
            .collect();
        let r = r_grid(0.01, 20.0, 0.01).expect("r grid");
        let e = TransformPlan::new(
            &q,
            None,
            None,
            Modification::None,
            LowQ::None,
            r,
            TransformPath::Auto,
        )
        .expect_err("too large");
        assert!(
            matches!(
                e,
                TransformError::TooLarge {
                    q_points: 5_000_000,
                    r_points: 2000,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("rebin"), "{e}");
    }

    #[test]
    fn limits_select_points_inclusively_and_nan_poisons() {
        let q: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
        let plan = TransformPlan::new(
            &q,
            Some(1.0),
            Some(5.0),
            Modification::None,
            LowQ::None,
            r_grid(0.5, 2.0, 0.5).expect("r grid"),
            TransformPath::Auto,
        )
        .expect("plan");
        assert_eq!((plan.first, plan.last), (10, 51));
        assert_eq!(plan.q_points(), 41);
        let mut s = vec![1.0; 100];
        assert!(plan.reduced_pdf(&s).iter().all(|v| *v == 0.0));
        s[30] = f64::NAN;
        assert!(plan.reduced_pdf(&s).iter().all(|v| v.is_nan()));
        s[30] = 1.0;
        s[5] = f64::NAN; // outside [Qmin, Qmax]: ignored
        assert!(plan.reduced_pdf(&s).iter().all(|v| *v == 0.0));
        assert!(matches!(
            TransformPlan::new(
                &q,
                Some(50.0),
                None,
                Modification::None,
                LowQ::None,
                vec![1.0],
                TransformPath::Auto
            ),
            Err(TransformError::TooFewPoints { .. })
        ));
    }

    #[test]
    fn trapezoid_on_a_non_uniform_grid_is_exact_for_a_linear_integrand() {
        // S − 1 = 1/Q so Q(S − 1) = 1 and G(r) = (2/π) ∫ sin(Qr) dQ = (2/π)(cos(a r) − cos(b r))/r;
        // at r → small, sin(Qr) ≈ Qr is linear in Q, so the trapezoid rule is exact.
        let q = vec![1.0, 1.3, 2.0, 2.2, 3.5, 4.0];
        let s: Vec<f64> = q.iter().map(|v| 1.0 + 1.0 / v).collect();
        let plan = TransformPlan::new(
            &q,
            None,
            None,
            Modification::None,
            LowQ::None,
            vec![1e-6],
            TransformPath::Auto,
        )
        .expect("plan");
        assert_eq!(plan.path, TransformPath::Direct);
        let g = plan.reduced_pdf(&s)[0];
        let exact = std::f64::consts::FRAC_2_PI * 1e-6 * (16.0 - 1.0) / 2.0;
        assert!((g - exact).abs() < 1e-15, "{g} vs {exact}");
    }

    #[test]
    fn g_and_rdf_conversions_round_trip() {
        let r = vec![0.0, 1.0, 2.0];
        let g = vec![0.0, 0.5, 1.5];
        let big = big_g_from_g(&r, &g, 0.05);
        let back = g_from_big_g(&r, &big, 0.05);
        assert!(back[0].is_nan());
        assert!((back[1] - 0.5).abs() < 1e-15 && (back[2] - 1.5).abs() < 1e-15);
        let rdf = rdf_from_g(&r, &g, 0.05);
        assert!((rdf[2] - 4.0 * std::f64::consts::PI * 4.0 * 0.05 * 1.5).abs() < 1e-12);
    }

    /// (2/π) ∫₀^a f(Q) sin(Qr) dQ by composite Simpson on `n` panels: the slow obvious sum.
    fn simpson(a: f64, n: usize, r: f64, f: impl Fn(f64) -> f64) -> f64 {
        let h = a / n as f64;
        let mut sum = 0.0;
        for k in 0..=n {
            let q = h * k as f64;
            let w = if k == 0 || k == n {
                1.0
            } else if k % 2 == 1 {
                4.0
            } else {
                2.0
            };
            sum += w * f(q) * (q * r).sin();
        }
        std::f64::consts::FRAC_2_PI * sum * h / 3.0
    }

    #[test]
    fn low_q_kernels_match_quadrature_for_both_modifications() {
        let (a, q_top): (f64, f64) = (1.2, 22.0);
        let r = [
            0.0,
            1e-4,
            0.01,
            0.1,
            q_top.recip() * std::f64::consts::PI,
            2.5,
            9.7,
            40.0,
        ];
        for m in [Modification::None, Modification::Lorch] {
            let [ka, kb] = low_q_kernels(a, q_top, m, &r);
            let mq = |q: f64| match m {
                Modification::None => 1.0,
                Modification::Lorch if q == 0.0 => 1.0,
                Modification::Lorch => {
                    let x = std::f64::consts::PI * q / q_top;
                    x.sin() / x
                }
            };
            for (j, &rj) in r.iter().enumerate() {
                let qa = simpson(a, 4000, rj, |q| q * mq(q));
                let qb = simpson(a, 4000, rj, |q| q * q / a * mq(q));
                assert!(
                    (ka[j] - qa).abs() < 1e-11,
                    "{m:?} A({rj}) {} vs {qa}",
                    ka[j]
                );
                assert!(
                    (kb[j] - qb).abs() < 1e-11,
                    "{m:?} B({rj}) {} vs {qb}",
                    kb[j]
                );
            }
        }
        // A known answer at one r: ∫₀^a Q sin(Qr) dQ = (sin ar − ar cos ar)/r².
        let [ka, _] = low_q_kernels(1.0, 20.0, Modification::None, &[1.0]);
        let exact = std::f64::consts::FRAC_2_PI * (1f64.sin() - 1f64.cos());
        assert!((ka[0] - exact).abs() < 1e-15, "{} vs {exact}", ka[0]);
    }

    /// The continued sum on a grid that starts at Q = 0 with the continued values in it, on a
    /// step fine enough that the trapezoid error is far below the tolerance.
    fn continued_on_grid(
        q: &[f64],
        s: &[f64],
        low_q: LowQ,
        m: Modification,
        r: &[f64],
    ) -> Vec<f64> {
        let step = q[1] - q[0];
        let below = (q[0] / step).round() as usize;
        let mut qq: Vec<f64> = (0..below).map(|k| k as f64 * step).collect();
        let s0 = s[0];
        let mut ss: Vec<f64> = qq
            .iter()
            .map(|&x| match low_q {
                LowQ::Hold => s0,
                LowQ::Linear => s0 * x / q[0],
                LowQ::None => 1.0,
            })
            .collect();
        qq.extend_from_slice(q);
        ss.extend_from_slice(s);
        TransformPlan::new(
            &qq,
            None,
            None,
            m,
            LowQ::None,
            r.to_vec(),
            TransformPath::Direct,
        )
        .expect("plan")
        .reduced_pdf(&ss)
    }

    #[test]
    fn low_q_continuation_agrees_on_both_paths_and_with_the_sum_over_continued_points() {
        let mut rng = crate::analysis::rng::SplitMix64(11);
        // Q₀ = 1.0 is a whole number of steps from 0, so the continued grid is the same grid.
        let q: Vec<f64> = (0..1900).map(|i| 1.0 + 0.01 * i as f64).collect();
        let s: Vec<f64> = q.iter().map(|_| 0.5 + rng.uniform()).collect();
        let r = r_grid(0.01, 20.0, 0.01).expect("r grid");
        for m in [Modification::None, Modification::Lorch] {
            let none = TransformPlan::new(
                &q,
                None,
                None,
                m,
                LowQ::None,
                r.clone(),
                TransformPath::Direct,
            )
            .expect("plan")
            .reduced_pdf(&s);
            for low_q in [LowQ::Hold, LowQ::Linear] {
                let direct =
                    TransformPlan::new(&q, None, None, m, low_q, r.clone(), TransformPath::Direct)
                        .expect("plan");
                let fft =
                    TransformPlan::new(&q, None, None, m, low_q, r.clone(), TransformPath::Fft)
                        .expect("plan");
                let a = direct.reduced_pdf(&s);
                let b = fft.reduced_pdf(&s);
                let on_grid = continued_on_grid(&q, &s, low_q, m, &r);
                let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let mut moved = 0.0f64;
                for j in 0..r.len() {
                    assert!((a[j] - b[j]).abs() < 1e-9 * scale, "{m:?} {low_q:?} paths");
                    // The trapezoid over the continued points differs from the exact segment
                    // by h²/12 · (f′(Q₀) − f′(0)) plus the Lorch curvature: ≤ 2e-4 here.
                    assert!(
                        (a[j] - on_grid[j]).abs() < 2e-4,
                        "{m:?} {low_q:?} r = {}: {} vs {}",
                        r[j],
                        a[j],
                        on_grid[j]
                    );
                    moved = moved.max((a[j] - none[j]).abs());
                }
                // The segment matters: a continuation that added nothing would fail here.
                assert!(moved > 0.05, "{m:?} {low_q:?}: {moved}");
            }
        }
        // A first point at Q = 0 has nothing below it.
        let q0: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
        let plan = TransformPlan::new(
            &q0,
            None,
            None,
            Modification::None,
            LowQ::Hold,
            vec![1.0, 2.0],
            TransformPath::Auto,
        )
        .expect("plan");
        let mut s0 = vec![1.0; 100];
        s0[0] = f64::NAN;
        assert_eq!(plan.reduced_pdf(&s0), [0.0, 0.0]);
        // A NaN first point poisons the continued G(r) like any used point.
        let plan = TransformPlan::new(
            &q0,
            Some(0.5),
            None,
            Modification::None,
            LowQ::Hold,
            vec![1.0, 2.0],
            TransformPath::Auto,
        )
        .expect("plan");
        s0[5] = f64::NAN;
        assert!(plan.reduced_pdf(&s0).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn hold_of_a_constant_s_is_the_transform_from_zero() {
        // S − 1 = c everywhere: G(r) = (2/π) c ∫₀^b Q sin(Qr) dQ exactly, whatever Q₀ is.
        let c = -0.9;
        let q: Vec<f64> = (0..=2000).map(|i| 1.2 + 0.01 * i as f64).collect();
        let b = q[q.len() - 1];
        let s = vec![1.0 + c; q.len()];
        let r = [0.7, 2.55, 6.0];
        let g = TransformPlan::new(
            &q,
            None,
            None,
            Modification::None,
            LowQ::Hold,
            r.to_vec(),
            TransformPath::Auto,
        )
        .expect("plan")
        .reduced_pdf(&s);
        for (gj, &rj) in g.iter().zip(&r) {
            let x = b * rj;
            let exact = std::f64::consts::FRAC_2_PI * c * (x.sin() - x * x.cos()) / (rj * rj);
            // Only the trapezoid error of the measured part remains: (h r)²/12 relative.
            assert!(
                (gj - exact).abs() < 1e-3 * exact.abs().max(1.0),
                "{rj}: {gj} vs {exact}"
            );
        }
        assert_eq!(LowQ::from_name("hold"), Some(LowQ::Hold));
        assert_eq!(LowQ::from_name("linear").map(LowQ::name), Some("linear"));
        assert_eq!(LowQ::from_name("Hold"), None);
    }

    #[test]
    fn big_g_noise_matches_the_scatter_of_g_under_noise_growing_with_q() {
        // The demo's noise, σ(Q) = 0.001 + 0.00015 Q on 0.5–25.48 by 0.02.
        let q: Vec<f64> = (0..1250).map(|i| 0.5 + 0.02 * i as f64).collect();
        let r = r_grid(15.0, 19.9, 0.7).expect("r grid");
        let plan = TransformPlan::new(
            &q,
            None,
            None,
            Modification::None,
            LowQ::None,
            r.clone(),
            TransformPath::Direct,
        )
        .expect("plan");
        // Exact: ½ Σ σᵢ² cᵢ² with cᵢ = (2/π) wᵢ Qᵢ (half weights at the ends: negligible here).
        let exact = (0.5
            * q.iter()
                .map(|x| (0.001 + 0.00015 * x) * std::f64::consts::FRAC_2_PI * 0.02 * x)
                .map(|v| v * v)
                .sum::<f64>())
        .sqrt();
        let mut rng = crate::analysis::rng::SplitMix64(17);
        let (mut sum2, mut estimate, runs) = (0.0, 0.0, 200);
        for _ in 0..runs {
            let s: Vec<f64> = q
                .iter()
                .map(|x| 1.0 + (0.001 + 0.00015 * x) * rng.normal())
                .collect();
            sum2 += plan.reduced_pdf(&s).iter().map(|v| v * v).sum::<f64>() / r.len() as f64;
            estimate += plan.big_g_noise(&s);
        }
        let (actual, estimate) = ((sum2 / runs as f64).sqrt(), estimate / runs as f64);
        assert!((actual / exact - 1.0).abs() < 0.05, "{actual} vs {exact}");
        assert!(
            (estimate / exact - 1.0).abs() < 0.05,
            "{estimate} vs {exact}"
        );
        assert!(
            plan.big_g_noise(&[1.0; 3]).is_nan(),
            "too short for the plan"
        );
    }
}
