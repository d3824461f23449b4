//! Connection-mode fit of the second peak of g(r).
//!
//! Model on a window (default 3.9–6.6 Å): g(r) ≈ b + Σᵢ Aᵢ exp(−(r − cᵢ)²/(2sᵢ²)), four Gaussians
//! for clusters sharing 1, 2, 3 or 4 atoms, seeded at 2R, √3R, √(8/3)R and √2R (R = 2.969 Å), each
//! centre bounded to ±0.1 Å of its seed, Aᵢ ≥ 0, widths in [0.05, 0.60] Å. The fraction of mode i
//! is its area share Aᵢsᵢ / Σ Aⱼsⱼ (= Aᵢ/ΣA with a shared width).
//!
//! **Why one shared width is the default:** the 3-atom (√(8/3)R = 4.848 Å) and 2-atom
//! (√3R = 5.142 Å) centres are only 0.29 Å apart, about one peak width. With a free width each,
//! a broad Gaussian at one centre and a narrow one at the other describe the data equally well,
//! so their split is not identifiable and the fractions wander between temperatures. One shared
//! width (plus a constant baseline b) keeps the problem well posed; free widths remain an option.
//!
//! Method: the amplitudes and baseline are linear, so the start is the best non-negative linear
//! least-squares fit at the seed centres for each width of a 0.1 Å scan and the 0.05 Å
//! neighbours of the best; then all parameters are refined by a bounded Levenberg–Marquardt
//! (projected steps; a parameter at a bound is held when its gradient or the Gauss–Newton step
//! pushes it outwards) with the analytic Jacobian, until the undamped Gauss–Newton step promises
//! a relative decrease below `convergence` (1e-8). Standard errors come from the covariance at
//! the solution: for g(r) transformed from S(Q) up to a known Qmax, a HAC (Newey–West)
//! sandwich whose Bartlett lag spans four correlation lengths π/Qmax, because neighbouring
//! samples of a transform are strongly correlated (only N_ind = Qmax·(r_hi − r_lo)/π of the
//! window's points are independent); without Qmax (real-space input whose header states none), the textbook
//! (JᵀJ)⁻¹ · RSS/(n − p). `errors` says why and how. A parameter
//! held at a bound gets error 0, as in MPFIT; the centre of a Gaussian whose amplitude is held at
//! 0 is undetermined and gets NaN. These are *statistical* errors only: the spread over seed
//! placements and Q ranges is the systematic part ([`crate::analysis::systematics`]).
//! A fit that hits the iteration limit or has too few points is returned with
//! `converged = false` and a message — never dropped.
//!
//! Files: `model` (parameter layout, Gaussian rows, residuals and Jacobian), `solver` (the
//! bounded Levenberg–Marquardt, generic over a least-squares problem), `linalg` (dot products,
//! normal equations, Cholesky), `start` (the linear start and width scan) and `errors`
//! (covariance, standard errors, fraction errors). This file holds the public types and
//! [`fit_connection_modes`], which strings them together.
//!
//! The solver, model and kernels are `#[inline(always)]`, so each target clone of the
//! multiversioned [`fit_connection_modes`] (AVX2+FMA, AVX, baseline) runs them compiled for its
//! own target. Rust never fuses multiplies and adds on its own, so every clone gives the same
//! bits.

mod basis;
#[cfg(test)]
mod cross_check;
mod errors;
mod linalg;
mod model;
mod solver;
mod start;

use serde::{Deserialize, Serialize};

use errors::{fractions, parameter_errors};
use model::{ConnectionModel, Layout};
use solver::{Settings, levenberg_marquardt};
use start::initial_parameters;

/// Seeds at 2R, √3R, √(8/3)R, √2R: 1-, 2-, 3-, 4-atom connections.
pub fn default_seeds(cluster_radius: f64) -> [f64; 4] {
    [
        2.0 * cluster_radius,
        3f64.sqrt() * cluster_radius,
        (8.0f64 / 3.0).sqrt() * cluster_radius,
        2f64.sqrt() * cluster_radius,
    ]
}

/// Names of the four modes, in parameter order.
pub const MODE_NAMES: [&str; 4] = ["1-atom", "2-atom", "3-atom", "4-atom"];

/// Everything about the connection-mode fit: the model's window, seeds and bounds, the
/// stopping rule, and (for a series) whether each temperature starts from the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FitParams {
    pub window: (f64, f64),
    pub seeds: [f64; 4],
    /// Each centre stays within ± this of its seed (Å).
    pub tolerance: f64,
    pub free_widths: bool,
    pub baseline: bool,
    pub width_bounds: (f64, f64),
    pub max_iterations: usize,
    /// Converged when the undamped Gauss–Newton step promises a relative decrease of the sum
    /// of squares below this (default 1e-8: within ~0.002 standard errors of the minimum).
    pub convergence: f64,
    /// Each temperature's fit starts from the previous converged result (a series-level
    /// choice; files keep it beside the fit's settings, not inside them).
    #[serde(skip)]
    pub sequential: bool,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            window: (3.9, 6.6),
            seeds: default_seeds(2.969),
            tolerance: 0.1,
            free_widths: false,
            baseline: true,
            width_bounds: (0.05, 0.60),
            max_iterations: 200,
            convergence: 1e-8,
            sequential: false,
        }
    }
}

/// The result of one fit. Arrays are in mode order (1-, 2-, 3-, 4-atom).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeFit {
    pub centres: [f64; 4],
    pub centre_errors: [f64; 4],
    pub widths: [f64; 4],
    pub width_errors: [f64; 4],
    pub amplitudes: [f64; 4],
    pub amplitude_errors: [f64; 4],
    pub baseline: f64,
    pub baseline_error: f64,
    pub fractions: [f64; 4],
    pub fraction_errors: [f64; 4],
    pub rmse: f64,
    pub points: usize,
    /// N_ind = Qmax·(r_hi − r_lo)/π, the independent points of the window, which sets the
    /// errors' correlation lag; NaN when Qmax is unknown (residuals taken as independent).
    #[serde(default)]
    pub independent_points: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Why the fit is flagged, when it is.
    pub message: Option<String>,
}

/// Which parameters of a fit sit on a bound ([`ModeFit::at_bounds`]), in mode order. A value
/// held by its bound is not a measurement: its error is meaningless and the user should see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtBounds {
    pub centres: [bool; 4],
    /// At zero: the mode is absent from the fit.
    pub amplitudes: [bool; 4],
    pub widths: [bool; 4],
}

impl AtBounds {
    /// How many parameters are on a bound (a shared width counts once).
    pub fn count(&self, free_widths: bool) -> usize {
        let n = |a: &[bool; 4]| a.iter().filter(|&&b| b).count();
        let widths = if free_widths {
            n(&self.widths)
        } else {
            usize::from(self.widths[0])
        };
        n(&self.centres) + n(&self.amplitudes) + widths
    }

    /// Any centre on its seed ± tolerance.
    pub fn any_centre(&self) -> bool {
        self.centres.iter().any(|&b| b)
    }
}

impl ModeFit {
    fn failed(message: String, points: usize) -> Self {
        let nan4 = [f64::NAN; 4];
        ModeFit {
            centres: nan4,
            centre_errors: nan4,
            widths: nan4,
            width_errors: nan4,
            amplitudes: nan4,
            amplitude_errors: nan4,
            baseline: f64::NAN,
            baseline_error: f64::NAN,
            fractions: nan4,
            fraction_errors: nan4,
            rmse: f64::NAN,
            points,
            independent_points: f64::NAN,
            iterations: 0,
            converged: false,
            message: Some(message),
        }
    }

    /// Which parameters ended on a bound of the model given by `opts` (the fit's own
    /// parameters): a centre at its seed ± tolerance, an amplitude at 0, a width at either width
    /// bound. The solver projects onto the bounds, so "on" means within 1e-9 of the bound's
    /// scale. A failed fit has none.
    pub fn at_bounds(&self, opts: &FitParams) -> AtBounds {
        let on =
            |v: f64, bound: f64| v.is_finite() && (v - bound).abs() <= 1e-9 * bound.abs().max(1.0);
        let mut b = AtBounds::default();
        for i in 0..4 {
            let (seed, tol) = (opts.seeds[i], opts.tolerance);
            b.centres[i] =
                tol > 0.0 && (on(self.centres[i], seed - tol) || on(self.centres[i], seed + tol));
            b.amplitudes[i] = on(self.amplitudes[i], 0.0);
            let (lo, hi) = opts.width_bounds;
            b.widths[i] = on(self.widths[i], lo) || on(self.widths[i], hi);
        }
        b
    }

    /// Model value at r.
    pub fn model(&self, r: f64) -> f64 {
        self.baseline_or_zero() + (0..4).map(|i| self.component(i, r)).sum::<f64>()
    }

    /// Gaussian i alone at r (no baseline).
    pub fn component(&self, i: usize, r: f64) -> f64 {
        let s = self.widths[i];
        self.amplitudes[i] * (-(r - self.centres[i]).powi(2) / (2.0 * s * s)).exp()
    }

    fn baseline_or_zero(&self) -> f64 {
        if self.baseline.is_finite() {
            self.baseline
        } else {
            0.0
        }
    }
}

/// The finite points of the window [lo, hi]: (r, g).
fn window(r: &[f64], g: &[f64], (lo, hi): (f64, f64)) -> (Vec<f64>, Vec<f64>) {
    r.iter()
        .zip(g)
        .filter(|(x, v)| crate::analysis::window::inside(**x, lo, hi) && v.is_finite())
        .map(|(x, v)| (*x, *v))
        .unzip()
}

/// N_ind = Qmax·(r_hi − r_lo)/π for a window spanning `span` Å of a G(r) transformed up to
/// `q_max` Å⁻¹; NaN (every sample independent) without a usable Qmax.
pub fn independent_points(span: f64, q_max: Option<f64>) -> f64 {
    match q_max {
        Some(q) if q.is_finite() && q > 0.0 && span.is_finite() && span > 0.0 => {
            q * span / std::f64::consts::PI
        }
        _ => f64::NAN,
    }
}

/// Fits the four connection modes to g(r) on `opts.window`. `start` (a previous temperature's
/// result, for sequential fitting) replaces the linear start when it is finite. `q_max` is
/// the top of the Q range g(r) was transformed from (None for real-space data whose header states none): it sets how
/// many of the window's points are independent, hence the errors.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub fn fit_connection_modes(
    r: &[f64],
    g: &[f64],
    opts: &FitParams,
    start: Option<&ModeFit>,
    q_max: Option<f64>,
) -> ModeFit {
    fit(r, g, opts, start, q_max, true)
}

/// The fractions [`fit_connection_modes`] gives from its own linear start (the same start,
/// solver and bits), without the standard errors: for the systematic σ, whose refits use the
/// fractions alone. NaN when the fit has no fractions.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub fn fit_fractions(r: &[f64], g: &[f64], opts: &FitParams) -> [f64; 4] {
    fit(r, g, opts, None, None, false).fractions
}

/// [`fit_connection_modes`], with the errors computed only when `with_errors` (else NaN).
#[inline(always)]
fn fit(
    r: &[f64],
    g: &[f64],
    opts: &FitParams,
    start: Option<&ModeFit>,
    q_max: Option<f64>,
    with_errors: bool,
) -> ModeFit {
    let (rw, yw) = window(r, g, opts.window);
    let layout = Layout {
        free_widths: opts.free_widths,
        baseline: opts.baseline,
    };
    let (np, n) = (layout.len(), rw.len());
    if n < np + 2 {
        let (lo, hi) = opts.window;
        return ModeFit::failed(
            format!(
                "fit window {lo}–{hi} Å holds {n} finite points; {np} parameters need at least {}",
                np + 2
            ),
            n,
        );
    }
    let grid_step =
        (n > 1 && super::transform::is_uniform(&rw)).then(|| (rw[n - 1] - rw[0]) / (n - 1) as f64);
    let (lower, upper) = layout.bounds(opts);
    let p0 = initial_parameters(&layout, &rw, grid_step, &yw, opts, start);
    let mut model = ConnectionModel::new(layout, &rw, grid_step, &yw);
    let settings = Settings {
        max_iterations: opts.max_iterations,
        convergence: opts.convergence,
    };
    let solution = levenberg_marquardt(&mut model, p0, &lower, &upper, settings);
    let independent = independent_points(rw[n - 1] - rw[0], q_max);
    let errors = if with_errors {
        // The solver's residual is r(p) at its final p (the same function of the same p).
        parameter_errors(
            &layout,
            &solution.p,
            &lower,
            &upper,
            &solution.jacobian,
            &solution.residual,
            solution.cost,
            independent,
            solution.gram.as_deref(),
        )
    } else {
        errors::Errors::unknown(np)
    };

    let values = layout.unpack(&solution.p, 0.0);
    let standard = layout.unpack(&errors.standard, 0.0);
    let (fractions, fraction_errors) = fractions(
        &layout,
        &values.amplitudes,
        &values.widths,
        &errors.covariance,
    );
    let message = if !solution.converged {
        Some(format!(
            "did not converge in {} iterations",
            opts.max_iterations
        ))
    } else if errors.singular {
        Some("singular Jacobian: standard errors unavailable".to_string())
    } else {
        None
    };
    ModeFit {
        centres: values.centres,
        centre_errors: standard.centres,
        widths: values.widths,
        width_errors: standard.widths,
        amplitudes: values.amplitudes,
        amplitude_errors: standard.amplitudes,
        baseline: values.baseline,
        baseline_error: standard.baseline,
        fractions,
        fraction_errors,
        rmse: (solution.cost / n as f64).sqrt(),
        points: n,
        independent_points: independent,
        iterations: solution.iterations,
        converged: solution.converged,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn planted(
        r: &[f64],
        amps: [f64; 4],
        centres: [f64; 4],
        widths: [f64; 4],
        baseline: f64,
    ) -> Vec<f64> {
        r.iter()
            .map(|&x| {
                baseline
                    + (0..4)
                        .map(|i| {
                            amps[i]
                                * (-(x - centres[i]).powi(2) / (2.0 * widths[i] * widths[i])).exp()
                        })
                        .sum::<f64>()
            })
            .collect()
    }

    pub(super) fn grid() -> Vec<f64> {
        (0..=500).map(|i| 3.5 + 0.01 * i as f64).collect()
    }

    #[test]
    fn parameters_held_by_their_bounds_are_found() {
        let opts = FitParams::default();
        let r = grid();
        // Mode 0 planted 0.25 Å beyond its seed's tolerance (so its centre stops at the bound),
        // mode 3 absent (amplitude 0); modes 1 and 2 well inside.
        let mut centres = opts.seeds;
        centres[0] += 0.25;
        let y = planted(&r, [0.3, 0.4, 0.3, 0.0], centres, [0.27; 4], 1.0);
        let fit = fit_connection_modes(&r, &y, &opts, None, None);
        let b = fit.at_bounds(&opts);
        // (The neighbours may lean on their bounds too, compensating.)
        assert!(b.centres[0], "{:?}", fit.centres);
        assert_eq!(
            b.centres,
            std::array::from_fn(|i| {
                let (c, s) = (fit.centres[i], opts.seeds[i]);
                ((c - s).abs() - opts.tolerance).abs() < 1e-9
            })
        );
        assert!((fit.centres[0] - (opts.seeds[0] + opts.tolerance)).abs() < 1e-9);
        assert!(b.amplitudes[3], "{:?}", fit.amplitudes);
        assert!(!b.amplitudes[1] && !b.amplitudes[2]);
        assert!(b.any_centre());
        assert!(b.count(false) >= 2);
        // A clean planted fit inside every bound has none.
        let y = planted(&r, [0.2, 0.3, 0.3, 0.2], opts.seeds, [0.27; 4], 1.0);
        let fit = fit_connection_modes(&r, &y, &opts, None, None);
        assert_eq!(fit.at_bounds(&opts), AtBounds::default(), "{fit:?}");
    }

    #[test]
    fn a_mode_with_no_weight_has_an_undetermined_centre() {
        let opts = FitParams::default();
        let r = grid();
        let mut noise = crate::analysis::rng::SplitMix64(11);
        let clean = planted(&r, [0.3, 0.4, 0.35, 0.0], opts.seeds, [0.27; 4], 1.0);
        let g: Vec<f64> = clean.iter().map(|v| v + 0.003 * noise.normal()).collect();
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        assert!(fit.converged, "{:?}", fit.message);
        if fit.amplitudes[3] == 0.0 {
            // Its centre does not enter the model: no error can be given, and none is faked.
            assert!(fit.centre_errors[3].is_nan());
        } else {
            assert!(fit.amplitudes[3] < 3.0 * fit.amplitude_errors[3]);
        }
        for i in 0..3 {
            assert!(fit.centre_errors[i].is_finite() && fit.centre_errors[i] > 0.0);
            assert!(fit.fraction_errors[i].is_finite() && fit.fraction_errors[i] > 0.0);
        }
    }

    #[test]
    fn noiseless_planted_modes_are_recovered_to_1e_6() {
        let opts = FitParams::default();
        let seeds = opts.seeds;
        let centres = [
            seeds[0] - 0.06,
            seeds[1] + 0.04,
            seeds[2] - 0.03,
            seeds[3] + 0.08,
        ];
        let amps = [0.12, 0.30, 0.36, 0.10];
        let r = grid();
        let g = planted(&r, amps, centres, [0.27; 4], 0.95);
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        assert!(fit.converged, "{:?}", fit.message);
        for i in 0..4 {
            assert!(
                (fit.centres[i] - centres[i]).abs() < 1e-6,
                "centre {i}: {} vs {}",
                fit.centres[i],
                centres[i]
            );
            assert!((fit.amplitudes[i] - amps[i]).abs() < 1e-6, "amp {i}");
            assert!((fit.widths[i] - 0.27).abs() < 1e-6);
            let expected = amps[i] / amps.iter().sum::<f64>();
            assert!((fit.fractions[i] - expected).abs() < 1e-6);
        }
        assert!((fit.baseline - 0.95).abs() < 1e-6);
        assert!(fit.rmse < 1e-8);
    }

    #[test]
    fn noisy_planted_modes_fall_within_their_stated_errors() {
        let opts = FitParams::default();
        let seeds = opts.seeds;
        let centres = [
            seeds[0] + 0.05,
            seeds[1] - 0.02,
            seeds[2] + 0.03,
            seeds[3] - 0.05,
        ];
        let amps = [0.15, 0.32, 0.40, 0.12];
        let r = grid();
        let clean = planted(&r, amps, centres, [0.26; 4], 1.0);
        let mut rng = crate::analysis::rng::SplitMix64(99);
        let noisy: Vec<f64> = clean.iter().map(|v| v + 0.004 * rng.normal()).collect();
        let fit = fit_connection_modes(&r, &noisy, &opts, None, None);
        assert!(fit.converged);
        for i in 0..4 {
            let f = amps[i] / amps.iter().sum::<f64>();
            assert!(
                (fit.fractions[i] - f).abs() < 3.0 * fit.fraction_errors[i],
                "fraction {i}: {} ± {} vs {f}",
                fit.fractions[i],
                fit.fraction_errors[i]
            );
            assert!(
                (fit.amplitudes[i] - amps[i]).abs() < 3.0 * fit.amplitude_errors[i],
                "amp {i}"
            );
            assert!(fit.fraction_errors[i] > 0.0 && fit.fraction_errors[i] < 0.2);
        }
        assert!((fit.rmse - 0.004).abs() < 0.001, "rmse {}", fit.rmse);
    }

    #[test]
    fn centres_stay_within_tolerance_and_amplitudes_non_negative() {
        let opts = FitParams::default();
        let r = grid();
        // Data with a peak far from every seed: the centres must stop at their bounds.
        let g: Vec<f64> = r
            .iter()
            .map(|x| 1.0 + 0.5 * (-(x - 6.4).powi(2) / 0.02).exp())
            .collect();
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        for i in 0..4 {
            assert!((fit.centres[i] - opts.seeds[i]).abs() <= opts.tolerance + 1e-12);
            assert!(fit.amplitudes[i] >= 0.0);
            assert!(fit.widths[i] >= 0.05 && fit.widths[i] <= 0.6);
        }
    }

    #[test]
    fn bad_cases_are_flagged_not_dropped() {
        let opts = FitParams {
            window: (30.0, 40.0),
            ..Default::default()
        };
        let r = grid();
        let g = vec![1.0; r.len()];
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        assert!(!fit.converged);
        assert!(
            fit.message
                .as_deref()
                .is_some_and(|m| m.contains("holds 0 finite points"))
        );

        let opts = FitParams {
            max_iterations: 1,
            ..Default::default()
        };
        let seeds = opts.seeds;
        let g = planted(
            &r,
            [0.1, 0.3, 0.3, 0.1],
            [
                seeds[0] + 0.09,
                seeds[1] - 0.09,
                seeds[2] + 0.09,
                seeds[3] - 0.09,
            ],
            [0.2; 4],
            1.0,
        );
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        assert!(!fit.converged);
        assert!(
            fit.message
                .as_deref()
                .is_some_and(|m| m.contains("did not converge"))
        );
        assert!(
            fit.amplitudes.iter().all(|a| a.is_finite()),
            "results are still reported"
        );
    }

    #[test]
    fn free_widths_and_no_baseline_options() {
        let seeds = default_seeds(2.969);
        let centres = [seeds[0], seeds[1] + 0.05, seeds[2] - 0.05, seeds[3]];
        let widths = [0.30, 0.22, 0.25, 0.20];
        let amps = [0.2, 0.3, 0.4, 0.15];
        let r = grid();
        let g = planted(&r, amps, centres, widths, 0.0);
        let opts = FitParams {
            free_widths: true,
            baseline: false,
            ..Default::default()
        };
        let fit = fit_connection_modes(&r, &g, &opts, None, None);
        assert!(fit.converged);
        assert_eq!(fit.baseline, 0.0);
        let areas: Vec<f64> = (0..4).map(|i| amps[i] * widths[i]).collect();
        let total: f64 = areas.iter().sum();
        for i in 0..4 {
            assert!(
                (fit.widths[i] - widths[i]).abs() < 1e-5,
                "width {i}: {}",
                fit.widths[i]
            );
            assert!((fit.fractions[i] - areas[i] / total).abs() < 1e-5);
        }
    }

    #[test]
    fn a_previous_result_is_a_valid_start() {
        let opts = FitParams::default();
        let r = grid();
        let g = planted(&r, [0.1, 0.3, 0.35, 0.1], opts.seeds, [0.25; 4], 1.0);
        let first = fit_connection_modes(&r, &g, &opts, None, None);
        let again = fit_connection_modes(&r, &g, &opts, Some(&first), None);
        assert!(again.converged);
        assert!(again.iterations <= 3, "{}", again.iterations);
        for i in 0..4 {
            assert!((again.amplitudes[i] - first.amplitudes[i]).abs() < 1e-8);
        }
    }
}
