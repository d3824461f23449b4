//! A bounded Levenberg–Marquardt for small least-squares problems min ½‖r(p)‖² subject to
//! lower ≤ p ≤ upper, generic over [`LeastSquares`] (here the connection-mode model).
//!
//! Each iteration, with J the Jacobian, g = Jᵀr the gradient and cost = ‖r‖²:
//! 1. A parameter at a bound whose gradient points outwards (p = lower, g > 0 or p = upper,
//!    g < 0) is held. Converged when the largest free |gᵢ| ≤ 1e-14 (1 + cost).
//! 2. The undamped Gauss–Newton step x = −(JᵀJ)_FF⁻¹ g_F on the free set F is computed; a
//!    parameter at a bound that x would push outwards is held too, and x recomputed, until x
//!    pushes none outwards. Converged when it promises a small relative decrease:
//!    −xᵀg_F = g_Fᵀ(JᵀJ)_FF⁻¹g_F ≤ `convergence` · cost.
//! 3. Damped steps (JᵀJ + λ diag JᵀJ)_FF δ = −g_F, projected onto the bounds, are tried (at
//!    most 30): a singular system multiplies λ by 10, a step that raises the cost by 4; the
//!    first step that does not raise it is accepted and λ ← max(λ/10, 1e-12) (λ starts at
//!    1e-3). An accepted step with a relative gain below 1e-14 and every relative parameter
//!    change below 1e-12 is working precision: converged. No acceptable step: converged (a
//!    bounded minimum to working precision).
//!
//! The iteration limit ends the fit with `converged = false`; the last accepted point is
//! returned with its residual and Jacobian, for the error estimate.
//!
//! Everything is `#[inline(always)]`, so the solver and the model's kernels are compiled into
//! each target clone of the multiversioned `fit_connection_modes`.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::linalg::{dot, normal_equations, solve_on};

/// A least-squares problem: residuals rₖ(p), k < `points()`, of `parameters()` parameters.
pub(super) trait LeastSquares {
    /// Number of parameters.
    fn parameters(&self) -> usize;
    /// Number of residuals.
    fn points(&self) -> usize;
    /// The residuals at `p` into `out` (length `points()`). May keep intermediate results for
    /// the next [`LeastSquares::jacobian`] call.
    fn residuals(&mut self, p: &[f64], out: &mut [f64]);
    /// The Jacobian ∂rₖ/∂pⱼ at `p`, column-major (column j at `jac[j·points()..]`). The solver
    /// calls it only at the `p` of the latest [`LeastSquares::residuals`] call, so an
    /// implementation may reuse what that call computed.
    fn jacobian(&mut self, p: &[f64], jac: &mut [f64]);
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub max_iterations: usize,
    /// Converged when the Gauss–Newton step promises a relative decrease below this.
    pub convergence: f64,
}

/// The result of [`levenberg_marquardt`].
#[derive(Debug, Clone)]
pub(super) struct Solution {
    pub p: Vec<f64>,
    /// ‖r(p)‖².
    pub cost: f64,
    /// r(p), bit for bit what the model's residuals give at `p` (the errors use it).
    pub residual: Vec<f64>,
    /// Column-major, at `p`.
    pub jacobian: Vec<f64>,
    /// JᵀJ at `p` when the last normal equations were formed there (None when the last step
    /// moved `p`): the errors reuse it instead of forming it again.
    pub gram: Option<Vec<f64>>,
    pub iterations: usize,
    pub converged: bool,
}

/// The bounds, the current point with its residual and Jacobian, and a trial step's buffers.
struct State<'a> {
    lower: &'a [f64],
    upper: &'a [f64],
    p: Vec<f64>,
    cost: f64,
    residual: Vec<f64>,
    jac: Vec<f64>,
    trial: Vec<f64>,
    trial_residual: Vec<f64>,
}

/// What one round of damped steps did.
enum Step {
    /// A step was accepted; `negligible` when it changed nothing measurable.
    Accepted { negligible: bool },
    /// No step lowered the cost.
    Rejected,
}

/// Minimises ‖r(p)‖² from `start` (projected onto the bounds) within `lower` ≤ p ≤ `upper`.
#[inline(always)]
pub(super) fn levenberg_marquardt<M: LeastSquares>(
    model: &mut M,
    start: Vec<f64>,
    lower: &[f64],
    upper: &[f64],
    settings: Settings,
) -> Solution {
    let (n, np) = (model.points(), model.parameters());
    let mut s = State::new(model, start, lower, upper);
    let mut lambda = 1e-3;
    let mut converged = false;
    let mut iterations = 0;
    // JᵀJ at the current p, while p has not moved since it was formed.
    let mut gram = None;
    while iterations < settings.max_iterations {
        iterations += 1;
        // Normal equations and gradient.
        let (jtj, grad) = normal_equations(&s.jac, &s.residual, n, np);
        gram = None;
        // Hold parameters at a bound whose gradient pushes them outwards.
        let mut held: Vec<bool> = (0..np)
            .map(|i| (s.p[i] <= lower[i] && grad[i] > 0.0) || (s.p[i] >= upper[i] && grad[i] < 0.0))
            .collect();
        let gnorm = (0..np)
            .filter(|&i| !held[i])
            .map(|i| grad[i].abs())
            .fold(0.0, f64::max);
        if gnorm <= 1e-14 * (1.0 + s.cost) {
            converged = true;
            gram = Some(jtj);
            break;
        }
        let predicted = gauss_newton_decrease(&s.p, lower, upper, &jtj, &grad, &mut held);
        if predicted <= settings.convergence * s.cost {
            converged = true;
            gram = Some(jtj);
            break;
        }
        let free: Vec<usize> = (0..np).filter(|&i| !held[i]).collect();
        match s.damped_step(model, &free, &jtj, &grad, &mut lambda) {
            Step::Accepted { negligible: false } => {}
            // A relative change below 1e-12 in every parameter with no measurable gain is
            // working precision; and when no step lowers the cost, this is a (bounded)
            // minimum to working precision.
            Step::Accepted { negligible: true } => {
                converged = true;
                break;
            }
            Step::Rejected => {
                converged = true;
                gram = Some(jtj);
                break;
            }
        }
    }
    Solution {
        p: s.p,
        cost: s.cost,
        residual: s.residual,
        jacobian: s.jac,
        gram,
        iterations,
        converged,
    }
}

/// Also holds each parameter at a bound that the undamped Gauss–Newton step on the free set
/// would push outwards (else the iterates zig-zag on and off the bound), then returns the
/// decrease that step promises, gᵀ(JᵀJ)⁻¹g (∞ when the free system is singular).
///
/// Since a parameter's standard error is σ² ≈ cost/(n−p) · (JᵀJ)⁻¹, stopping at
/// gᵀ(JᵀJ)⁻¹g ≤ 1e-8 · cost stops within ~√(1e-8·(n−p)) ≈ 0.002 standard errors of the
/// minimum (fractions with errors of 0.02: within ~4e-5). A small decrease after a heavily
/// damped step is not convergence, which is why the undamped step is the test.
#[inline(always)]
fn gauss_newton_decrease(
    p: &[f64],
    lower: &[f64],
    upper: &[f64],
    jtj: &[f64],
    grad: &[f64],
    held: &mut [bool],
) -> f64 {
    let np = p.len();
    loop {
        let free: Vec<usize> = (0..np).filter(|&i| !held[i]).collect();
        let Some(x) = solve_on(&free, jtj, grad, np, 0.0) else {
            return f64::INFINITY;
        };
        let outward: Vec<usize> = free
            .iter()
            .zip(x.iter())
            .filter(|&(&i, &d)| (p[i] <= lower[i] && d < 0.0) || (p[i] >= upper[i] && d > 0.0))
            .map(|(&i, _)| i)
            .collect();
        if outward.is_empty() {
            return -x.iter().zip(&free).map(|(d, &i)| d * grad[i]).sum::<f64>();
        }
        for i in outward {
            held[i] = true;
        }
    }
}

impl<'a> State<'a> {
    /// The start projected onto the bounds, with its residual, cost and Jacobian.
    #[inline(always)]
    fn new<M: LeastSquares>(
        model: &mut M,
        start: Vec<f64>,
        lower: &'a [f64],
        upper: &'a [f64],
    ) -> Self {
        let (n, np) = (model.points(), model.parameters());
        let mut p = start;
        for i in 0..np {
            p[i] = p[i].clamp(lower[i], upper[i]);
        }
        let mut residual = vec![0.0; n];
        let mut jac = vec![0.0; n * np];
        model.residuals(&p, &mut residual);
        model.jacobian(&p, &mut jac);
        let cost: f64 = dot(&residual, &residual);
        State {
            lower,
            upper,
            p,
            cost,
            residual,
            jac,
            trial: vec![0.0; np],
            trial_residual: vec![0.0; n],
        }
    }

    /// Tries damped steps on `free` until one does not raise the cost (at most 30), adapting
    /// λ; an accepted step becomes the current point, with its residual and Jacobian.
    #[inline(always)]
    fn damped_step<M: LeastSquares>(
        &mut self,
        model: &mut M,
        free: &[usize],
        jtj: &[f64],
        grad: &[f64],
        lambda: &mut f64,
    ) -> Step {
        let np = self.p.len();
        for _ in 0..30 {
            let Some(step) = solve_on(free, jtj, grad, np, *lambda) else {
                *lambda *= 10.0;
                continue;
            };
            self.trial.copy_from_slice(&self.p);
            for (ii, &i) in free.iter().enumerate() {
                self.trial[i] = (self.p[i] + step[ii]).clamp(self.lower[i], self.upper[i]);
            }
            model.residuals(&self.trial, &mut self.trial_residual);
            let trial_cost: f64 = dot(&self.trial_residual, &self.trial_residual);
            if trial_cost <= self.cost {
                let change = (self.cost - trial_cost) / self.cost.max(1e-300);
                let step_size = free
                    .iter()
                    .map(|&i| (self.trial[i] - self.p[i]).abs() / (self.p[i].abs() + 1e-8))
                    .fold(0.0, f64::max);
                self.p.copy_from_slice(&self.trial);
                self.cost = trial_cost;
                // The model kept the trial's intermediate results: the Jacobian reuses them.
                std::mem::swap(&mut self.residual, &mut self.trial_residual);
                model.jacobian(&self.p, &mut self.jac);
                *lambda = (*lambda / 10.0).max(1e-12);
                return Step::Accepted {
                    negligible: change < 1e-14 && step_size < 1e-12,
                };
            }
            *lambda *= 4.0;
        }
        Step::Rejected
    }
}

#[cfg(test)]
mod tests {
    use super::super::FitParams;
    use super::super::model::{ConnectionModel, Layout};
    use super::super::tests::{grid, planted};
    use super::*;
    use crate::analysis::rng::SplitMix64;

    /// r = X p − y with X column-major (np columns of n).
    struct Linear {
        x: Vec<f64>,
        y: Vec<f64>,
    }

    impl LeastSquares for Linear {
        fn parameters(&self) -> usize {
            self.x.len() / self.y.len()
        }
        fn points(&self) -> usize {
            self.y.len()
        }
        fn residuals(&mut self, p: &[f64], out: &mut [f64]) {
            let n = self.y.len();
            for k in 0..n {
                out[k] = (0..p.len()).map(|j| self.x[j * n + k] * p[j]).sum::<f64>() - self.y[k];
            }
        }
        fn jacobian(&mut self, _p: &[f64], jac: &mut [f64]) {
            jac.copy_from_slice(&self.x);
        }
    }

    /// y = 1 + 2x − 3x² + noise on [−1, 1]: (problem, exact least-squares solution).
    fn quadratic(rng: &mut SplitMix64) -> (Linear, Vec<f64>) {
        let n = 50;
        let t: Vec<f64> = (0..n)
            .map(|k| -1.0 + 2.0 * k as f64 / (n - 1) as f64)
            .collect();
        let mut x = vec![0.0; 3 * n];
        for k in 0..n {
            x[k] = 1.0;
            x[n + k] = t[k];
            x[2 * n + k] = t[k] * t[k];
        }
        let y: Vec<f64> = t
            .iter()
            .map(|v| 1.0 + 2.0 * v - 3.0 * v * v + 0.05 * rng.normal())
            .collect();
        let (jtj, jty) = normal_equations(&x, &y, n, 3);
        let beta = super::super::linalg::cholesky_solve(&jtj, &jty, 3).expect("regular");
        (Linear { x, y }, beta)
    }

    const LOOSE: Settings = Settings {
        max_iterations: 200,
        convergence: 1e-12,
    };

    #[test]
    fn an_unbounded_linear_problem_reaches_its_least_squares_solution() {
        let (mut problem, beta) = quadratic(&mut SplitMix64(1));
        let inf = [f64::INFINITY; 3];
        let neg = [f64::NEG_INFINITY; 3];
        let s = levenberg_marquardt(&mut problem, vec![0.0; 3], &neg, &inf, LOOSE);
        assert!(s.converged);
        for j in 0..3 {
            assert!(
                (s.p[j] - beta[j]).abs() < 1e-7,
                "{j}: {} vs {}",
                s.p[j],
                beta[j]
            );
        }
        let mut r = vec![0.0; 50];
        problem.residuals(&s.p, &mut r);
        assert_eq!(r, s.residual);
        assert_eq!(s.cost, dot(&r, &r));
    }

    #[test]
    fn a_bound_that_cuts_off_the_minimum_holds_its_parameter() {
        let (mut problem, beta) = quadratic(&mut SplitMix64(2));
        // The linear coefficient (≈ 2) may not exceed 1.5.
        let lower = [f64::NEG_INFINITY; 3];
        let upper = [f64::INFINITY, 1.5, f64::INFINITY];
        assert!(beta[1] > 1.5);
        let s = levenberg_marquardt(&mut problem, vec![0.0; 3], &lower, &upper, LOOSE);
        assert!(s.converged);
        assert_eq!(s.p[1], 1.5);
        // The others minimise with it fixed: their 2 × 2 normal equations with y − 1.5 t.
        let n = 50;
        let x = &problem.x;
        let y: Vec<f64> = (0..n).map(|k| problem.y[k] - 1.5 * x[n + k]).collect();
        let mut reduced = vec![0.0; 2 * n];
        reduced[..n].copy_from_slice(&x[..n]);
        reduced[n..].copy_from_slice(&x[2 * n..]);
        let (jtj, jty) = normal_equations(&reduced, &y, n, 2);
        let rest = super::super::linalg::cholesky_solve(&jtj, &jty, 2).expect("regular");
        assert!((s.p[0] - rest[0]).abs() < 1e-7 && (s.p[2] - rest[1]).abs() < 1e-7);
        // KKT: the cost still falls outwards (∂cost/∂p₁ < 0 at the upper bound).
        let (_, g) = normal_equations(&s.jacobian, &s.residual, n, 3);
        assert!(g[1] < 0.0);
    }

    #[test]
    fn the_start_is_projected_and_the_iteration_limit_reported() {
        let (mut problem, _) = quadratic(&mut SplitMix64(3));
        let lower = [-1.0, -1.0, -1.0];
        let upper = [1.0, 1.0, 1.0];
        let no_steps = Settings {
            max_iterations: 0,
            convergence: 1e-8,
        };
        let s = levenberg_marquardt(&mut problem, vec![5.0, -5.0, 0.5], &lower, &upper, no_steps);
        assert_eq!(s.p, vec![1.0, -1.0, 0.5]);
        assert!(!s.converged);
        assert_eq!(s.iterations, 0);

        let opts = FitParams::default();
        let layout = Layout {
            free_widths: false,
            baseline: true,
        };
        let r = grid();
        let seeds = opts.seeds;
        let y = planted(
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
        let (lower, upper) = layout.bounds(&opts);
        let start = layout.pack(&[0.1; 4], &seeds, &[0.3; 4], 0.0);
        let mut model = ConnectionModel::new(layout, &r, Some(0.01), &y);
        let one = Settings {
            max_iterations: 1,
            convergence: 1e-8,
        };
        let s = levenberg_marquardt(&mut model, start.clone(), &lower, &upper, one);
        assert!(!s.converged);
        assert_eq!(s.iterations, 1);
        let full = Settings {
            max_iterations: 200,
            convergence: 1e-8,
        };
        let s = levenberg_marquardt(&mut model, start, &lower, &upper, full);
        assert!(s.converged && s.iterations > 1);
        // The residual and Jacobian returned are those of the solution (the Jacobian reused
        // the accepted trial's Gaussian rows).
        let (n, np) = (r.len(), layout.len());
        let (mut res, mut jac) = (vec![0.0; n], vec![0.0; n * np]);
        model.residuals(&s.p, &mut res);
        model.jacobian(&s.p, &mut jac);
        assert_eq!(res, s.residual);
        assert_eq!(jac, s.jacobian);
        assert_eq!(s.cost, dot(&res, &res));
        for i in 0..np {
            assert!(s.p[i] >= lower[i] && s.p[i] <= upper[i]);
        }
    }
}
