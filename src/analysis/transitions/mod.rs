//! Transition temperatures from the series itself.
//!
//! - **T_r and T_g**: a continuous three-segment piecewise-linear fit of the FSDP first moment
//!   versus T, y = a + c T + d₁ (T − b₁)₊ + d₂ (T − b₂)₊, over the patterns below T_x.
//!   Breakpoints lie at least 15 K inside the data range and at least 20 K apart. They are found
//!   exhaustively on the grid of measured temperatures (each pair costs O(1) through suffix sums,
//!   since the model is linear once b₁, b₂ are fixed) — for more than [`MAX_EXHAUSTIVE`]
//!   temperatures on every s-th one, then on all of them near the best coarse pair, so the work
//!   stays bounded (O(n²) pairs were 0.1 s for 2,000 patterns) — then refined on a fine grid
//!   within one data step around the best pair. T_r = b₁ (where Q̄1 leaves its low-temperature trend),
//!   T_g = b₂. The uncertainty of each is a **95 % half-width**, 1.96 σ with
//!   σ² = p² + step²/12: p is the half-width of the region where the profiled residual sum of
//!   squares stays within one σ̂² of its minimum (Δχ² = 1), the other breakpoint minimised out at
//!   every step, on the same grid (so never below half a grid step), with
//!   σ̂² = RSS/(n − 6) · (1 + ρ)/(1 − ρ), ρ ∈ [0, 0.9] the lag-one autocorrelation of the
//!   residuals (a curve that is not exactly three lines leaves residuals that agree with their
//!   neighbours, so fewer independent ones than points); step²/12 is the variance of a uniform
//!   spread over one temperature step, where the data cannot say where a rounded slope change
//!   sits. Without the last two terms the intervals missed planted values on the demo by up to
//!   1.3 K beyond ±0.2 K. The fine grid is 0.1 K, coarsened only where that would cost more than
//!   [`MAX_HALF_STEPS`] points each side of the optimum per data step or [`MAX_RANGE_STEPS`]
//!   across the range (steps above 10 K, ranges above 2000 K), so the work is bounded whatever
//!   the temperature step.
//! - **T_x**: the last pattern before the FSDP area leaves the straight line through the previous
//!   points (a least-squares line through the previous 20, at least 8) by more than
//!   max(10σ, 0.5 %), with σ estimated robustly from the scatter of first differences
//!   (σ = 1.4826 · MAD(ΔA)/√2). Its uncertainty is the temperature step at the departure: the
//!   onset lies between that pattern and the next (a bound, not a σ).
//!
//! Fewer than 8 usable points, or a range too short for the breakpoint constraints, give None.
//!
//! [`transitions`] runs both and applies the user's [`Marks`]: an override replaces the detected
//! value (kept beside it) and is what later steps use (T_r and T_g are fitted below the T_x in
//! use).

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use std::cell::Cell;

mod solve;
use solve::{solve4, solve4_lanes};

use serde::{Deserialize, Serialize};

/// Candidate pairs solved side by side ([`solve::solve4_lanes`]).
const LANES: usize = 4;

/// The finest grid of the breakpoint refinement and profiles (K).
const FINE_STEP_K: f64 = 0.1;
/// At most this many fine-grid points each side of the grid optimum (the refinement spans one
/// data step): a coarser data spacing coarsens the fine grid.
pub const MAX_HALF_STEPS: f64 = 100.0;
/// At most this many fine-grid steps across the breakpoints' range (the profile walks).
pub const MAX_RANGE_STEPS: f64 = 20_000.0;
/// The most breakpoint candidates searched exhaustively in pairs (about 80,000 pairs); a longer
/// series is searched coarse to fine (see the module doc).
pub const MAX_EXHAUSTIVE: usize = 400;

/// The three transition temperatures of a heating series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transition {
    /// T_r: onset of relaxation, where the FSDP first moment leaves its low-T linear trend.
    Relaxation,
    /// T_g: glass transition, the second slope change of the FSDP first moment.
    Glass,
    /// T_x: onset of crystallization, where the FSDP area jumps.
    Crystallization,
}

impl Transition {
    pub const ALL: [Transition; 3] = [
        Transition::Relaxation,
        Transition::Glass,
        Transition::Crystallization,
    ];

    /// As scientists write it: `T_r`, `T_g`, `T_x`.
    pub fn name(self) -> &'static str {
        match self {
            Transition::Relaxation => "T_r",
            Transition::Glass => "T_g",
            Transition::Crystallization => "T_x",
        }
    }

    /// Position in the arrays of [`Transitions`] and [`Marks`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A transition temperature with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionEstimate {
    pub kelvin: f64,
    pub uncertainty: f64,
    pub method: String,
}

impl TransitionEstimate {
    /// A value set by the user (no uncertainty, method "user").
    pub fn user(kelvin: f64) -> Self {
        TransitionEstimate {
            kelvin,
            uncertainty: 0.0,
            method: "user".into(),
        }
    }
}

/// The transitions detected in a series, and those in use (an override, else the detected
/// value), indexed by [`Transition::index`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transitions {
    pub detected: [Option<TransitionEstimate>; 3],
    pub used: [Option<TransitionEstimate>; 3],
}

impl Transitions {
    /// The value in use (the user's override, else the detected one).
    pub fn used(&self, t: Transition) -> Option<&TransitionEstimate> {
        self.used[t.index()].as_ref()
    }

    /// What was detected, before any override.
    pub fn detected(&self, t: Transition) -> Option<&TransitionEstimate> {
        self.detected[t.index()].as_ref()
    }

    /// The kelvin value in use.
    pub fn kelvin(&self, t: Transition) -> Option<f64> {
        self.used(t).map(|x| x.kelvin)
    }
}

/// A sample's marks (K): the user's overrides of the detected transitions (indexed by
/// [`Transition::index`]) and calorimetric (DSC) values shown beside them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "MarksWire", into = "MarksWire")]
pub struct Marks {
    pub overrides: [Option<f64>; 3],
    pub dsc_t_g: Option<f64>,
    pub dsc_t_x: Option<f64>,
}

impl Marks {
    /// The user's value for `t`, if set.
    pub fn override_of(&self, t: Transition) -> Option<f64> {
        self.overrides[t.index()]
    }

    /// The override slot of `t`.
    pub fn slot(&mut self, t: Transition) -> &mut Option<f64> {
        &mut self.overrides[t.index()]
    }

    /// Marks with only overrides (`[T_r, T_g, T_x]`).
    pub fn with_overrides(overrides: [Option<f64>; 3]) -> Self {
        Marks {
            overrides,
            ..Default::default()
        }
    }
}

/// How marks are stored in sessions (unchanged since session version 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct MarksWire {
    t_r: Option<f64>,
    t_g: Option<f64>,
    t_x: Option<f64>,
    dsc_t_g: Option<f64>,
    dsc_t_x: Option<f64>,
}

impl From<MarksWire> for Marks {
    fn from(w: MarksWire) -> Self {
        Marks {
            overrides: [w.t_r, w.t_g, w.t_x],
            dsc_t_g: w.dsc_t_g,
            dsc_t_x: w.dsc_t_x,
        }
    }
}

impl From<Marks> for MarksWire {
    fn from(m: Marks) -> Self {
        MarksWire {
            t_r: m.overrides[0],
            t_g: m.overrides[1],
            t_x: m.overrides[2],
            dsc_t_g: m.dsc_t_g,
            dsc_t_x: m.dsc_t_x,
        }
    }
}

/// The estimate in use: the override when there is one, else the detected value.
fn in_use(detected: &Option<TransitionEstimate>, user: Option<f64>) -> Option<TransitionEstimate> {
    user.map(TransitionEstimate::user)
        .or_else(|| detected.clone())
}

/// Detects T_x, then T_r and T_g below the T_x in use; overrides win and feed the later steps.
pub fn transitions(t: &[f64], moment: &[f64], area: &[f64], marks: &Marks) -> Transitions {
    use Transition::*;
    let mut out = Transitions::default();
    out.detected[Crystallization.index()] = detected_crystallization(t, area);
    out.used[Crystallization.index()] = in_use(
        &out.detected[Crystallization.index()],
        marks.override_of(Crystallization),
    );
    let limit = out.kelvin(Crystallization).unwrap_or(f64::INFINITY);
    let (tb, yb): (Vec<f64>, Vec<f64>) = t
        .iter()
        .zip(moment)
        .filter(|(a, _)| **a < limit)
        .map(|(a, b)| (*a, *b))
        .unzip();
    if let Some(h) = three_segment_fit(&tb, &yb, 15.0, 20.0) {
        let method =
            "continuous three-segment piecewise-linear fit of the FSDP first moment below T_x";
        out.detected[Relaxation.index()] = Some(TransitionEstimate {
            kelvin: h.first_break,
            uncertainty: h.first_uncertainty,
            method: format!("{method} (first breakpoint)"),
        });
        out.detected[Glass.index()] = Some(TransitionEstimate {
            kelvin: h.second_break,
            uncertainty: h.second_uncertainty,
            method: format!("{method} (second breakpoint)"),
        });
    }
    for tr in [Relaxation, Glass] {
        out.used[tr.index()] = in_use(&out.detected[tr.index()], marks.override_of(tr));
    }
    out
}

/// The best three-segment fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HingeFit {
    pub first_break: f64,
    pub second_break: f64,
    pub first_uncertainty: f64,
    pub second_uncertainty: f64,
    /// Slopes of the three segments (per K).
    pub slopes: [f64; 3],
    /// ρ, the lag-1 autocorrelation of the residuals (clamped to 0–0.9) that inflated σ².
    pub residual_autocorrelation: f64,
    pub rss: f64,
    pub points: usize,
}

/// Prefix sums over points sorted by t (t centred and scaled for conditioning).
struct Sums {
    t: Vec<f64>,
    // Suffix sums from index k to the end: Σ1, Σt, Σt², Σy, Σty.
    s0: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
    sy0: Vec<f64>,
    sy1: Vec<f64>,
    yy: f64,
    /// How many times [`Sums::rss`] ran (the work of a fit).
    evaluations: Cell<usize>,
}

impl Sums {
    fn new(t: &[f64], y: &[f64]) -> Self {
        let n = t.len();
        let mut s = Sums {
            t: t.to_vec(),
            s0: vec![0.0; n + 1],
            s1: vec![0.0; n + 1],
            s2: vec![0.0; n + 1],
            sy0: vec![0.0; n + 1],
            sy1: vec![0.0; n + 1],
            yy: y.iter().map(|v| v * v).sum(),
            evaluations: Cell::new(0),
        };
        for k in (0..n).rev() {
            s.s0[k] = s.s0[k + 1] + 1.0;
            s.s1[k] = s.s1[k + 1] + t[k];
            s.s2[k] = s.s2[k + 1] + t[k] * t[k];
            s.sy0[k] = s.sy0[k + 1] + y[k];
            s.sy1[k] = s.sy1[k + 1] + t[k] * y[k];
        }
        s
    }

    /// First index with t > b.
    fn above(&self, b: f64) -> usize {
        self.t.partition_point(|&v| v <= b)
    }

    /// RSS of the continuous two-hinge model with breakpoints b1 < b2 (scaled units), and the
    /// coefficients [a, c, d1, d2].
    fn rss(&self, b1: f64, b2: f64) -> Option<(f64, [f64; 4])> {
        self.rss_at((self.above(b1), b1), (self.above(b2), b2))
    }

    /// [`Sums::rss`] with each breakpoint's [`Sums::above`] index already known.
    fn rss_at(&self, (k1, b1): (usize, f64), (k2, b2): (usize, f64)) -> Option<(f64, [f64; 4])> {
        self.evaluations.set(self.evaluations.get() + 1);
        let (h1, h1h1, th1, yh1) = self.hinge(k1, b1);
        let (h2, h2h2, th2, yh2) = self.hinge(k2, b2);
        let h1h2 = self.cross(k2, b1, b2);
        let a = [
            [self.s0[0], self.s1[0], h1, h2],
            [self.s1[0], self.s2[0], th1, th2],
            [h1, th1, h1h1, h1h2],
            [h2, th2, h1h2, h2h2],
        ];
        let rhs = [self.sy0[0], self.sy1[0], yh1, yh2];
        let beta = solve4(a, rhs)?;
        let fitted: f64 = (0..4).map(|i| beta[i] * rhs[i]).sum();
        Some(((self.yy - fitted).max(0.0), beta))
    }

    /// Σh, Σh², Σt h, Σy h for the hinge h = (t − b)₊ (`k` its [`Sums::above`] index).
    #[inline(always)]
    fn hinge(&self, k: usize, b: f64) -> (f64, f64, f64, f64) {
        (
            self.s1[k] - b * self.s0[k],
            self.s2[k] - 2.0 * b * self.s1[k] + b * b * self.s0[k],
            self.s2[k] - b * self.s1[k],
            self.sy1[k] - b * self.sy0[k],
        )
    }

    /// Σ h₁h₂ for b₁ < b₂ (`k2` the index of b₂).
    #[inline(always)]
    fn cross(&self, k2: usize, b1: f64, b2: f64) -> f64 {
        self.s2[k2] - (b1 + b2) * self.s1[k2] + b1 * b2 * self.s0[k2]
    }

    /// The RSS of [`Sums::rss_at`] for one first breakpoint and `L` second ones side by side,
    /// each lane with the bits of `rss_at` for its pair (None where it gives None). Counts
    /// `real` evaluations: lanes past `real` repeat a pair to fill the vector.
    fn rss_lanes<const L: usize>(
        &self,
        (k1, b1): (usize, f64),
        second: [(usize, f64); L],
        real: usize,
    ) -> [Option<f64>; L] {
        self.evaluations.set(self.evaluations.get() + real);
        let (h1, h1h1, th1, yh1) = self.hinge(k1, b1);
        let two = second.map(|(k2, b2)| (self.hinge(k2, b2), self.cross(k2, b1, b2)));
        let lane = |f: &dyn Fn(usize) -> f64| -> [f64; L] { std::array::from_fn(f) };
        let h2 = lane(&|l| two[l].0.0);
        let h2h2 = lane(&|l| two[l].0.1);
        let th2 = lane(&|l| two[l].0.2);
        let yh2 = lane(&|l| two[l].0.3);
        let h1h2 = lane(&|l| two[l].1);
        let all = |v: f64| [v; L];
        let a = [
            [all(self.s0[0]), all(self.s1[0]), all(h1), h2],
            [all(self.s1[0]), all(self.s2[0]), all(th1), th2],
            [all(h1), all(th1), all(h1h1), h1h2],
            [h2, th2, h1h2, h2h2],
        ];
        let rhs = [all(self.sy0[0]), all(self.sy1[0]), all(yh1), yh2];
        let betas = solve4_lanes(a, rhs);
        std::array::from_fn(|l| {
            let beta = betas[l]?;
            let fitted: f64 = (0..4).map(|i| beta[i] * rhs[i][l]).sum();
            Some((self.yy - fitted).max(0.0))
        })
    }
}

/// The two-sided 95 % point of the normal distribution: T_r and T_g are stated as ±1.96σ.
pub const Z_95: f64 = 1.959_964;

/// What the ± of each transition means, as `summary.json` says it.
pub const INTERVAL_MEANING: &str = "95 % intervals: T_r and T_g ± 1.96 σ, σ² = (profile Δχ² = 1 \
     half-width with σ² inflated by (1 + ρ)/(1 − ρ) for residuals correlated at lag one)² + \
     (temperature step)²/12; T_x ± the temperature step at the departure (it lies between the \
     last pattern before and the first after)";

/// Lag-one autocorrelation Σ eᵢeᵢ₊₁ / Σ eᵢ², clamped to [0, 0.9] (0 for fewer than 3 values or
/// no residual at all).
pub fn lag_one_autocorrelation(e: &[f64]) -> f64 {
    let ss: f64 = e.iter().map(|v| v * v).sum();
    if e.len() < 3 || ss <= 0.0 || !ss.is_finite() {
        return 0.0;
    }
    let lagged: f64 = e.windows(2).map(|w| w[0] * w[1]).sum();
    (lagged / ss).clamp(0.0, 0.9)
}

/// Continuous three-segment fit of y(t) (points in any order; NaN skipped).
pub fn three_segment_fit(t: &[f64], y: &[f64], margin: f64, min_gap: f64) -> Option<HingeFit> {
    three_segment_fit_counted(t, y, margin, min_gap).0
}

/// [`three_segment_fit`] and how many residual sums of squares it evaluated (its work).
pub fn three_segment_fit_counted(
    t: &[f64],
    y: &[f64],
    margin: f64,
    min_gap: f64,
) -> (Option<HingeFit>, usize) {
    let mut pts: Vec<(f64, f64)> = t
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect();
    if pts.len() < 8 {
        return (None, 0);
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let problem = Breakpoints::new(&pts, margin, min_gap);
    let fit = problem.fit(&pts);
    (fit, problem.sums.evaluations.get())
}

/// The breakpoint search over sorted points: the sums, the allowed range and the fine grid.
struct Breakpoints {
    sums: Sums,
    centre: f64,
    scale: f64,
    lo: f64,
    hi: f64,
    min_gap: f64,
    /// The smallest positive temperature step of the data (at least 0.1 K).
    step: f64,
    /// The fine grid's step (K): [`FINE_STEP_K`] unless that would exceed the point budgets.
    h: f64,
}

impl Breakpoints {
    fn new(pts: &[(f64, f64)], margin: f64, min_gap: f64) -> Self {
        let (tmin, tmax) = (pts[0].0, pts[pts.len() - 1].0);
        let centre = 0.5 * (tmin + tmax);
        let scale = (0.5 * (tmax - tmin)).max(1e-9);
        let ts: Vec<f64> = pts.iter().map(|p| (p.0 - centre) / scale).collect();
        let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let (lo, hi) = (tmin + margin, tmax - margin);
        let step = pts
            .windows(2)
            .map(|w| w[1].0 - w[0].0)
            .filter(|d| *d > 0.0)
            .fold(f64::INFINITY, f64::min);
        let step = if step.is_finite() { step.max(0.1) } else { 1.0 };
        let h = FINE_STEP_K
            .max(step / MAX_HALF_STEPS)
            .max((hi - lo) / MAX_RANGE_STEPS);
        Breakpoints {
            sums: Sums::new(&ts, &ys),
            centre,
            scale,
            lo,
            hi,
            min_gap,
            step,
            h,
        }
    }

    /// RSS at breakpoints (K); infinite where the constraints forbid them.
    fn eval(&self, b1: f64, b2: f64) -> f64 {
        if b2 - b1 < self.min_gap {
            return f64::INFINITY;
        }
        self.sums
            .rss(self.to_scaled(b1), self.to_scaled(b2))
            .map_or(f64::INFINITY, |r| r.0)
    }

    fn to_scaled(&self, k: f64) -> f64 {
        (k - self.centre) / self.scale
    }

    /// The best pair of measured temperatures: exhaustive up to [`MAX_EXHAUSTIVE`] candidates;
    /// beyond, exhaustive over every s-th candidate (s the smallest stride leaving at most
    /// [`MAX_EXHAUSTIVE`]), then exhaustive over the candidates within 2s of the best coarse
    /// pair.
    fn grid_optimum(&self, pts: &[(f64, f64)]) -> Option<(f64, f64)> {
        let mut candidates: Vec<f64> = pts
            .iter()
            .map(|p| p.0)
            .filter(|&v| v >= self.lo && v <= self.hi)
            .collect();
        candidates.dedup();
        // Each candidate with its scaled value and its `above` index, once.
        let keyed: Vec<(f64, (usize, f64))> = candidates
            .iter()
            .map(|&b| {
                let scaled = self.to_scaled(b);
                (b, (self.sums.above(scaled), scaled))
            })
            .collect();
        let stride = keyed.len().div_ceil(MAX_EXHAUSTIVE).max(1);
        let all: Vec<usize> = (0..keyed.len()).collect();
        // Every s-th candidate and the last: the widest pair is always tried, so the coarse
        // pass finds a pair whenever the exhaustive search would.
        let mut coarse: Vec<usize> = (0..keyed.len()).step_by(stride).collect();
        if let Some(last) = keyed.len().checked_sub(1)
            && coarse.last() != Some(&last)
        {
            coarse.push(last);
        }
        let (i1, i2) = self.best_pair(&keyed, &coarse, &coarse)?;
        if stride == 1 {
            return Some((keyed[i1].0, keyed[i2].0));
        }
        let near = |i: usize| -> Vec<usize> {
            let reach = 2 * stride;
            all[i.saturating_sub(reach)..(i + reach + 1).min(keyed.len())].to_vec()
        };
        let (j1, j2) = self.best_pair(&keyed, &near(i1), &near(i2))?;
        Some((keyed[j1].0, keyed[j2].0))
    }

    /// The pair (i from `first`, j from `second`, b_j − b_i at least the minimum gap) of
    /// smallest RSS; the first found on ties, scanning i then j in order.
    fn best_pair(
        &self,
        keyed: &[(f64, (usize, f64))],
        first: &[usize],
        second: &[usize],
    ) -> Option<(usize, usize)> {
        let mut best: Option<(f64, usize, usize)> = None;
        let mut allowed: Vec<usize> = Vec::with_capacity(second.len());
        for &i in first {
            let (b1, k1) = keyed[i];
            allowed.clear();
            // Exactly the pairs the one-by-one scan skipped are left out (NaN included).
            let skipped = |j: usize| j <= i || keyed[j].0 - b1 < self.min_gap;
            allowed.extend(second.iter().copied().filter(|&j| !skipped(j)));
            // Four pairs per solve, then taken in scan order.
            for group in allowed.chunks(LANES) {
                let pairs: [_; LANES] =
                    std::array::from_fn(|l| keyed[group[l.min(group.len() - 1)]].1);
                let rss = self.sums.rss_lanes(k1, pairs, group.len());
                for (&j, rss) in group.iter().zip(rss) {
                    if let Some(rss) = rss
                        && best.is_none_or(|b| rss < b.0)
                    {
                        best = Some((rss, i, j));
                    }
                }
            }
        }
        best.map(|(_, i, j)| (i, j))
    }

    /// The fine grid within `half` of `centre_k`, inside the allowed range.
    fn fine(&self, centre_k: f64, half: f64) -> Vec<f64> {
        let n = (half / self.h).round() as i64;
        (-n..=n)
            .map(|i| centre_k + self.h * i as f64)
            .filter(|&v| v >= self.lo && v <= self.hi)
            .collect()
    }

    /// (RSS, b₁, b₂) of the best pair on the fine grid within one data step of the grid
    /// optimum (`g1`, `g2`), scanning b₁ then b₂ in order, the optimum itself kept on ties.
    /// Each fine breakpoint's scaled value and `above` index are found once, not per pair.
    fn refine(&self, g1: f64, g2: f64) -> (f64, f64, f64) {
        let mut refined = (self.eval(g1, g2), g1, g2);
        let keyed = |b: f64| {
            let scaled = self.to_scaled(b);
            (b, (self.sums.above(scaled), scaled))
        };
        let seconds: Vec<(f64, (usize, f64))> =
            self.fine(g2, self.step).into_iter().map(keyed).collect();
        let mut allowed: Vec<(f64, (usize, f64))> = Vec::with_capacity(seconds.len());
        for (b1, k1) in self.fine(g1, self.step).into_iter().map(keyed) {
            // A pair closer than the minimum gap is infinite (never lower): skipped.
            let too_close = |b2: f64| b2 - b1 < self.min_gap;
            allowed.clear();
            allowed.extend(seconds.iter().filter(|(b2, _)| !too_close(*b2)));
            for group in allowed.chunks(LANES) {
                let pairs: [_; LANES] = std::array::from_fn(|l| group[l.min(group.len() - 1)].1);
                let rss = self.sums.rss_lanes(k1, pairs, group.len());
                for (&(b2, _), rss) in group.iter().zip(rss) {
                    let rss = rss.unwrap_or(f64::INFINITY);
                    if rss < refined.0 {
                        refined = (rss, b1, b2);
                    }
                }
            }
        }
        refined
    }

    fn fit(&self, pts: &[(f64, f64)]) -> Option<HingeFit> {
        let (g1, g2) = self.grid_optimum(pts)?;
        let (rss_min, b1, b2) = self.refine(g1, g2);
        let n = pts.len();
        let (_, beta) = self.sums.rss(self.to_scaled(b1), self.to_scaled(b2))?;
        // Residuals in temperature order: a smooth misfit (the curve is not exactly three lines)
        // makes neighbours agree, and n correlated residuals carry fewer than n independent
        // ones. σ² is inflated by the AR(1) factor (1 + ρ)/(1 − ρ), ρ the lag-1 autocorrelation
        // (at least 0, at most 0.9).
        let (bs1, bs2) = (self.to_scaled(b1), self.to_scaled(b2));
        let residuals: Vec<f64> = self
            .sums
            .t
            .iter()
            .zip(pts)
            .map(|(&ts, p)| {
                let fitted = beta[0]
                    + beta[1] * ts
                    + beta[2] * (ts - bs1).max(0.0)
                    + beta[3] * (ts - bs2).max(0.0);
                p.1 - fitted
            })
            .collect();
        let rho = lag_one_autocorrelation(&residuals);
        let inflation = (1.0 + rho) / (1.0 - rho);
        let sigma2 = inflation * rss_min / (n.saturating_sub(6).max(1)) as f64;
        let threshold = rss_min + sigma2.max(1e-300);
        // The sampling term: between two measured temperatures the data do not say where the
        // slope changes when the change is not a sharp kink; a uniform spread over one step has
        // σ = step/√12. Added in quadrature to the profile's 1σ, then the whole is stated at 95 %.
        let sampling = self.step / 12f64.sqrt();
        let at_95 = |profile: f64| Z_95 * profile.hypot(sampling);
        let slope0 = beta[1] / self.scale;
        Some(HingeFit {
            first_break: b1,
            second_break: b2,
            first_uncertainty: at_95(self.profile(true, (b1, b2), threshold)),
            second_uncertainty: at_95(self.profile(false, (b1, b2), threshold)),
            residual_autocorrelation: rho,
            slopes: [
                slope0,
                slope0 + beta[2] / self.scale,
                slope0 + (beta[2] + beta[3]) / self.scale,
            ],
            rss: rss_min,
            points: n,
        })
    }

    /// Profile interval of one breakpoint (Δχ² = 1 with σ² from the residuals): walk outwards
    /// from the optimum on the fine grid, at each step minimising the RSS over the other
    /// breakpoint (a downhill walk on the same grid, warm-started from the previous step), until
    /// the profile exceeds the threshold. Half the interval's width is the uncertainty (at least
    /// half a grid step).
    fn profile(&self, first: bool, (b1, b2): (f64, f64), threshold: f64) -> f64 {
        let h = self.h;
        let (own, other) = if first { (b1, b2) } else { (b2, b1) };
        let rss = |v: f64, o: f64| {
            if first {
                self.eval(v, o)
            } else {
                self.eval(o, v)
            }
        };
        let best_other = |v: f64, start: f64| -> (f64, f64) {
            let mut o = start;
            let mut m = rss(v, o);
            for dir in [h, -h] {
                loop {
                    let next = o + dir;
                    if next < self.lo || next > self.hi {
                        break;
                    }
                    let mn = rss(v, next);
                    if mn < m {
                        (o, m) = (next, mn);
                    } else {
                        break;
                    }
                }
            }
            (o, m)
        };
        let mut reach = [0.0f64; 2];
        for (side, dir) in [(0, -h), (1, h)] {
            let mut o = other;
            let mut k = 1;
            loop {
                let v = own + dir * k as f64;
                if v < self.lo || v > self.hi || k > 100_000 {
                    break;
                }
                let (o_best, m) = best_other(v, o);
                if m > threshold {
                    break;
                }
                o = o_best;
                reach[side] = h * k as f64;
                k += 1;
            }
        }
        (0.5 * (reach[0] + reach[1])).max(0.5 * h)
    }
}

/// T_x detected from the FSDP area ([`crystallization_onset`]), with its method.
fn detected_crystallization(t: &[f64], area: &[f64]) -> Option<TransitionEstimate> {
    crystallization_onset(t, area).map(|(tx, du, _)| TransitionEstimate {
        kelvin: tx,
        uncertainty: du,
        method: "last pattern before the FSDP area leaves the straight line through the previous 20 points by more than max(10σ, 0.5 %)".into(),
    })
}

/// The T_x in use (K): the user's mark, else the one detected from the FSDP area — what
/// [`transitions`] reports for crystallization, found without the slower T_r/T_g fit.
pub fn crystallization_in_use(t: &[f64], area: &[f64], marks: &Marks) -> Option<f64> {
    let detected = detected_crystallization(t, area);
    in_use(&detected, marks.override_of(Transition::Crystallization)).map(|e| e.kelvin)
}

/// The crystallization onset from the FSDP area in acquisition order: (T_x, uncertainty,
/// index of the last pattern before the departure).
pub fn crystallization_onset(t: &[f64], area: &[f64]) -> Option<(f64, f64, usize)> {
    let pts: Vec<(usize, f64, f64)> = t
        .iter()
        .zip(area)
        .enumerate()
        .filter(|(_, (a, b))| a.is_finite() && b.is_finite())
        .map(|(i, (a, b))| (i, *a, *b))
        .collect();
    if pts.len() < 10 {
        return None;
    }
    let mut diffs: Vec<f64> = pts.windows(2).map(|w| w[1].2 - w[0].2).collect();
    let median = super::quality::median;
    let med = median(&mut diffs);
    let mut dev: Vec<f64> = diffs.iter().map(|d| (d - med).abs()).collect();
    let sigma = 1.4826 * median(&mut dev) / std::f64::consts::SQRT_2;
    const MIN_PREVIOUS: usize = 8;
    const WINDOW: usize = 20;
    for k in MIN_PREVIOUS..pts.len() {
        let from = k.saturating_sub(WINDOW);
        let prev = &pts[from..k];
        let n = prev.len() as f64;
        let mt = prev.iter().map(|p| p.1).sum::<f64>() / n;
        let my = prev.iter().map(|p| p.2).sum::<f64>() / n;
        let stt: f64 = prev.iter().map(|p| (p.1 - mt).powi(2)).sum();
        let sty: f64 = prev.iter().map(|p| (p.1 - mt) * (p.2 - my)).sum();
        let slope = if stt > 0.0 { sty / stt } else { 0.0 };
        let predicted = my + slope * (pts[k].1 - mt);
        let threshold = (10.0 * sigma).max(0.005 * predicted.abs());
        if (pts[k].2 - predicted).abs() > threshold {
            let (i, tk, _) = pts[k - 1];
            return Some((tk, (pts[k].1 - tk).abs(), i));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(seed: u64) -> impl FnMut() -> f64 {
        let mut rng = crate::analysis::rng::SplitMix64(seed);
        move || rng.normal()
    }

    #[test]
    fn a_long_series_searched_coarse_to_fine_finds_the_exhaustive_optimum() {
        // 2,000 patterns at 0.225 K (the 2,000-pattern benchmark's step), noisy hinges at
        // several places and noise levels: the bounded search must land on the pair the
        // exhaustive search finds, with far fewer evaluations.
        let t: Vec<f64> = (0..2000).map(|i| 300.0 + 0.225 * i as f64).collect();
        for (seed, (b1, b2), sigma) in [
            (1, (523.0, 641.0), 2e-5),
            (2, (380.0, 700.0), 5e-5),
            (3, (450.3, 480.9), 1e-5),
            (4, (600.0, 720.0), 1e-4),
        ] {
            let mut n = noise(seed);
            let y: Vec<f64> = t
                .iter()
                .map(|&x| {
                    2.55 - 3e-5 * (x - 300.0) + 6e-5 * (x - b1).max(0.0) - 9e-5 * (x - b2).max(0.0)
                        + sigma * n()
                })
                .collect();
            let pts: Vec<(f64, f64)> = t.iter().copied().zip(y.iter().copied()).collect();
            let problem = Breakpoints::new(&pts, 15.0, 20.0);
            let bounded = problem.grid_optimum(&pts).expect("bounded");
            let bounded_work = problem.sums.evaluations.get();
            let keyed: Vec<(f64, (usize, f64))> = t
                .iter()
                .filter(|&&v| v >= problem.lo && v <= problem.hi)
                .map(|&b| {
                    let scaled = problem.to_scaled(b);
                    (b, (problem.sums.above(scaled), scaled))
                })
                .collect();
            let all: Vec<usize> = (0..keyed.len()).collect();
            let (i, j) = problem.best_pair(&keyed, &all, &all).expect("exhaustive");
            assert_eq!(bounded, (keyed[i].0, keyed[j].0), "seed {seed}");
            let exhaustive_work = problem.sums.evaluations.get() - bounded_work;
            assert!(
                bounded_work * 10 < exhaustive_work,
                "{bounded_work} vs {exhaustive_work}"
            );
        }
    }

    /// `count` temperatures from 300 K every `step`, and a first moment with hinges at 420 and
    /// 470 K, with noise of seed `seed` unless `noiseless`.
    fn hinged(seed: u64, step: f64, count: usize, noiseless: bool) -> (Vec<f64>, Vec<(f64, f64)>) {
        let mut n = noise(seed);
        let t: Vec<f64> = (0..count).map(|i| 300.0 + step * i as f64).collect();
        let pts = t
            .iter()
            .map(|&x| {
                let y = 2.55 - 3e-5 * (x - 300.0) + 6e-5 * (x - 420.0).max(0.0)
                    - 9e-5 * (x - 470.0).max(0.0);
                (x, if noiseless { y } else { y + 2e-5 * n() })
            })
            .collect();
        (t, pts)
    }

    #[test]
    fn the_fine_scan_on_keyed_breakpoints_is_the_plain_scan_bit_for_bit() {
        // The refinement finds each fine breakpoint's index once; the plain scan (the code
        // before) evaluated every pair from the temperatures. Same pair, same RSS bits, same
        // work, on series with ties, a gap near the minimum and coarse and fine steps.
        for (seed, step, count) in [(1, 3.0, 131), (2, 0.5, 400), (3, 7.0, 40), (4, 3.0, 90)] {
            // Seed 4 is noiseless and flat in places, so many pairs tie.
            let (_, pts) = hinged(seed, step, count, seed == 4);
            let problem = Breakpoints::new(&pts, 15.0, 20.0);
            let (g1, g2) = problem.grid_optimum(&pts).expect("grid optimum");
            let before = problem.sums.evaluations.get();
            let keyed = problem.refine(g1, g2);
            let keyed_work = problem.sums.evaluations.get() - before;
            let mut plain = (problem.eval(g1, g2), g1, g2);
            for b1 in problem.fine(g1, problem.step) {
                for b2 in problem.fine(g2, problem.step) {
                    let rss = problem.eval(b1, b2);
                    if rss < plain.0 {
                        plain = (rss, b1, b2);
                    }
                }
            }
            let plain_work = problem.sums.evaluations.get() - before - keyed_work;
            let bits = |r: (f64, f64, f64)| (r.0.to_bits(), r.1.to_bits(), r.2.to_bits());
            assert_eq!(bits(keyed), bits(plain), "seed {seed}");
            assert_eq!(keyed_work, plain_work, "seed {seed}");
            assert!(keyed_work > 100, "{keyed_work}");
        }
    }

    #[test]
    fn the_pair_search_in_lanes_is_the_one_by_one_scan() {
        // best_pair solves four pairs at once; the scan before solved them one by one. Same
        // pair (ties go to the first in scan order) and the same count of evaluations, over
        // the whole candidate set, coarse strides and overlapping neighbourhoods.
        for (seed, step, count) in [(5, 3.0, 150), (6, 1.0, 300), (7, 3.0, 60), (8, 3.0, 90)] {
            // Seed 8 is noiseless: many pairs on the straight stretches tie.
            let (t, pts) = hinged(seed, step, count, seed == 8);
            let problem = Breakpoints::new(&pts, 15.0, 20.0);
            let keyed: Vec<(f64, (usize, f64))> = t
                .iter()
                .filter(|&&v| v >= problem.lo && v <= problem.hi)
                .map(|&b| {
                    let scaled = problem.to_scaled(b);
                    (b, (problem.sums.above(scaled), scaled))
                })
                .collect();
            let all: Vec<usize> = (0..keyed.len()).collect();
            let odd: Vec<usize> = all.iter().copied().step_by(3).collect();
            let near: Vec<usize> = all[all.len() / 3..all.len() / 2].to_vec();
            for (first, second) in [(&all, &all), (&odd, &odd), (&near, &all), (&all, &near)] {
                let before = problem.sums.evaluations.get();
                let lanes = problem.best_pair(&keyed, first, second);
                let lanes_work = problem.sums.evaluations.get() - before;
                let mut plain: Option<(f64, usize, usize)> = None;
                for &i in first {
                    for &j in second {
                        let ((b1, k1), (b2, k2)) = (keyed[i], keyed[j]);
                        if j <= i || b2 - b1 < problem.min_gap {
                            continue;
                        }
                        if let Some((rss, _)) = problem.sums.rss_at(k1, k2)
                            && plain.is_none_or(|b| rss < b.0)
                        {
                            plain = Some((rss, i, j));
                        }
                    }
                }
                let plain_work = problem.sums.evaluations.get() - before - lanes_work;
                assert_eq!(lanes, plain.map(|(_, i, j)| (i, j)), "seed {seed}");
                assert_eq!(lanes_work, plain_work, "seed {seed}");
                assert!(lanes.is_some(), "seed {seed}");
            }
        }
    }

    #[test]
    fn a_dense_narrow_series_still_finds_the_one_wide_enough_pair() {
        // 402 candidates spanning just over the 20 K gap (found by review): with a stride of 2
        // the coarse pass skipped the last candidate, the only one 20 K from the first.
        let mut t = vec![300.0];
        t.extend((0..402).map(|i| 315.0 + 20.0001 * i as f64 / 401.0));
        t.push(350.0002);
        let y: Vec<f64> = t.iter().map(|x| 2.5 + 1e-4 * (x - 300.0)).collect();
        let pts: Vec<(f64, f64)> = t.iter().copied().zip(y.iter().copied()).collect();
        let problem = Breakpoints::new(&pts, 15.0, 20.0);
        let pair = problem
            .grid_optimum(&pts)
            .expect("a pair 20 K apart exists");
        assert!(pair.1 - pair.0 >= 20.0, "{pair:?}");
        assert!(three_segment_fit(&t, &y, 15.0, 20.0).is_some());
    }

    #[test]
    fn planted_hinges_are_recovered_within_one_temperature_step() {
        let t: Vec<f64> = (0..131).map(|i| 300.0 + 3.0 * i as f64).collect(); // 300..690 K
        let (b1, b2) = (523.0, 641.0);
        let model = |x: f64| {
            2.55 - 3e-5 * (x - 300.0) + 6e-5 * (x - b1).max(0.0) - 9e-5 * (x - b2).max(0.0)
        };
        let mut n = noise(3);
        let y: Vec<f64> = t.iter().map(|&x| model(x) + 2e-5 * n()).collect();
        let fit = three_segment_fit(&t, &y, 15.0, 20.0).expect("fit");
        assert!(
            (fit.first_break - b1).abs() <= 3.0,
            "T_r {}",
            fit.first_break
        );
        assert!(
            (fit.second_break - b2).abs() <= 3.0,
            "T_g {}",
            fit.second_break
        );
        assert!((fit.slopes[0] + 3e-5).abs() < 5e-6);
        assert!(fit.first_uncertainty > 0.0 && fit.first_uncertainty < 30.0);
        // Noiseless: exact to the refinement grid.
        let y: Vec<f64> = t.iter().map(|&x| model(x)).collect();
        let fit = three_segment_fit(&t, &y, 15.0, 20.0).expect("fit");
        assert!(
            (fit.first_break - b1).abs() < 0.051 && (fit.second_break - b2).abs() < 0.051,
            "{fit:?}"
        );
    }

    #[test]
    fn breakpoint_intervals_cover_the_truth_nineteen_times_in_twenty() {
        // 200 noisy realisations of one planted hinge: a 95 % interval should contain the true
        // breakpoint in ~95 % of them (binomial sd ≈ 1.5 %), and the typical reported
        // uncertainty, back at 1σ, should match the actual scatter of the estimates. White
        // noise: ρ ≈ 0, and the sampling term (3 K/√12) is small beside the profile's σ.
        let t: Vec<f64> = (0..131).map(|i| 300.0 + 3.0 * i as f64).collect();
        let (b1, b2) = (523.0, 641.0);
        let model = |x: f64| {
            2.55 - 3e-5 * (x - 300.0) + 6e-5 * (x - b1).max(0.0) - 9e-5 * (x - b2).max(0.0)
        };
        let (mut covered, mut scatter, mut reported) = ([0usize; 2], [0.0; 2], [0.0; 2]);
        let runs = 200;
        for seed in 0..runs {
            let mut n = noise(1000 + seed);
            let y: Vec<f64> = t.iter().map(|&x| model(x) + 1.5e-4 * n()).collect();
            let fit = three_segment_fit(&t, &y, 15.0, 20.0).expect("fit");
            for (k, (est, u, truth)) in [
                (fit.first_break, fit.first_uncertainty, b1),
                (fit.second_break, fit.second_uncertainty, b2),
            ]
            .into_iter()
            .enumerate()
            {
                covered[k] += usize::from((est - truth).abs() <= u);
                scatter[k] += (est - truth).powi(2);
                reported[k] += (u / Z_95).powi(2);
            }
        }
        for k in 0..2 {
            let coverage = covered[k] as f64 / runs as f64;
            let ratio = (reported[k] / scatter[k]).sqrt();
            println!("breakpoint {k}: coverage {coverage}, reported/actual {ratio}");
            assert!(
                (0.92..=0.995).contains(&coverage),
                "breakpoint {k}: coverage {coverage}"
            );
            assert!(
                (0.6..=1.6).contains(&ratio),
                "breakpoint {k}: reported/actual {ratio}"
            );
        }
    }

    #[test]
    fn breakpoint_constraints_are_respected() {
        let t: Vec<f64> = (0..40).map(|i| 300.0 + 2.0 * i as f64).collect();
        let y: Vec<f64> = t.iter().map(|x| (x - 300.0).powi(2)).collect();
        let fit = three_segment_fit(&t, &y, 15.0, 20.0).expect("fit");
        assert!(fit.first_break >= 315.0 && fit.second_break <= 363.0);
        assert!(fit.second_break - fit.first_break >= 20.0);
        assert!(three_segment_fit(&t[..5], &y[..5], 15.0, 20.0).is_none());
        let short: Vec<f64> = (0..10).map(|i| 300.0 + i as f64).collect();
        assert!(
            three_segment_fit(&short, &short, 15.0, 20.0).is_none(),
            "range too short"
        );
    }

    #[test]
    fn a_coarse_temperature_step_bounds_the_work() {
        // 3000 K per pattern: the 0.1 K refinement alone was 60,001² evaluations (minutes).
        let t: Vec<f64> = (0..40).map(|i| 300.0 + 3000.0 * i as f64).collect();
        let (b1, b2) = (30_000.0, 80_000.0);
        let model = |x: f64| {
            2.55 - 3e-5 * (x - 300.0) + 6e-5 * (x - b1).max(0.0) - 9e-5 * (x - b2).max(0.0)
        };
        let mut n = noise(5);
        let y: Vec<f64> = t.iter().map(|&x| model(x) + 2e-5 * n()).collect();
        let (fit, evaluations) = three_segment_fit_counted(&t, &y, 15.0, 20.0);
        let fit = fit.expect("fit");
        assert!(evaluations < 200_000, "{evaluations} evaluations");
        assert!((fit.first_break - b1).abs() <= 3000.0, "{fit:?}");
        assert!((fit.second_break - b2).abs() <= 3000.0, "{fit:?}");
        // The uncertainty is at least half the (coarsened) grid step, never below the data's.
        assert!(fit.first_uncertainty >= 15.0, "{fit:?}");
        // A wide range on a fine step is bounded too (the profile walks).
        let t: Vec<f64> = (0..2000)
            .map(|i| 300.0 + 0.1 * i as f64 * (1.0 + i as f64))
            .collect();
        let y: Vec<f64> = t.iter().map(|&x| (x / 1000.0).sin()).collect();
        let (_, evaluations) = three_segment_fit_counted(&t, &y, 15.0, 20.0);
        assert!(evaluations < 5_000_000, "{evaluations} evaluations");
    }

    #[test]
    fn the_fine_grid_stays_at_a_tenth_of_a_kelvin_on_ordinary_series() {
        let t: Vec<f64> = (0..151).map(|i| 300.0 + 3.0 * i as f64).collect();
        let y: Vec<f64> = t.clone();
        let pts: Vec<(f64, f64)> = t.iter().zip(&y).map(|(a, b)| (*a, *b)).collect();
        assert_eq!(Breakpoints::new(&pts, 15.0, 20.0).h, 0.1);
        let t: Vec<f64> = (0..200).map(|i| 300.0 + 10.0 * i as f64).collect();
        let pts: Vec<(f64, f64)> = t.iter().map(|a| (*a, 1.0)).collect();
        assert_eq!(
            Breakpoints::new(&pts, 15.0, 20.0).h,
            0.1,
            "10 K steps over 1990 K"
        );
    }

    #[test]
    fn crystallization_is_the_last_pattern_before_the_jump() {
        let t: Vec<f64> = (0..100).map(|i| 600.0 + 2.0 * i as f64).collect();
        let mut n = noise(11);
        let area: Vec<f64> = t
            .iter()
            .map(|&x| {
                1.40 + 2e-4 * (x - 600.0)
                    + if x > 721.0 { 0.05 * (x - 721.0) } else { 0.0 }
                    + 5e-4 * n()
            })
            .collect();
        let (tx, du, i) = crystallization_onset(&t, &area).expect("T_x");
        assert_eq!(tx, 720.0);
        assert_eq!(i, 60);
        assert_eq!(du, 2.0);
        // No jump, no T_x.
        let flat: Vec<f64> = t.iter().map(|&x| 1.4 + 2e-4 * (x - 600.0)).collect();
        assert!(crystallization_onset(&t, &flat).is_none());
    }
}
