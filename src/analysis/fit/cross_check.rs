//! Cross-check of the bounded Levenberg–Marquardt of `solver` against an independent
//! implementation, `rmpfit` (a Rust port of MPFIT/MINPACK: trust-region LM on a pivoted QR,
//! with per-parameter limits), on seeded random bounded problems: two or three Gaussians plus a
//! baseline with noise, some planted amplitudes negative (so A ≥ 0 becomes active) and some
//! bounds drawn to cut off the planted value (so they are active at the minimum).
//!
//! Asserted for every problem: both converge; the minima's costs agree to a relative 1e-9;
//! and our solution satisfies the KKT conditions, with the gradient of the cost taken by
//! central finite differences (independent of either Jacobian): ≈ 0 for a free parameter, and
//! pointing outwards for one at a bound. The gradient is measured in the units of the
//! Cauchy–Schwarz bound |gⱼ| ≤ √(Hⱼⱼ · gᵀH⁻¹g) that the convergence test implies.

use rmpfit::{MPConfig, MPFitter, MPMaxFev, MPPar, MPResult, MPSide, MPSuccess};

use super::solver::{LeastSquares, Settings, levenberg_marquardt};
use crate::analysis::rng::SplitMix64;

/// b + Σⱼ Aⱼ exp(−(x − cⱼ)²/(2sⱼ²)), parameters [A.., c.., s.., b].
struct Gaussians {
    k: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    pars: Vec<MPPar>,
    config: MPConfig,
}

impl Gaussians {
    /// Model values and, when asked, ∂model/∂p (column-major).
    fn model(&self, p: &[f64], out: &mut [f64], mut jac: Option<&mut [f64]>) {
        let (k, n) = (self.k, self.x.len());
        for (i, &x) in self.x.iter().enumerate() {
            let mut m = p[3 * k];
            for j in 0..k {
                let (a, c, s) = (p[j], p[k + j], p[2 * k + j]);
                let d = x - c;
                let e = (-d * d / (2.0 * s * s)).exp();
                m += a * e;
                if let Some(jac) = jac.as_deref_mut() {
                    jac[j * n + i] = e;
                    jac[(k + j) * n + i] = a * e * d / (s * s);
                    jac[(2 * k + j) * n + i] = a * e * d * d / (s * s * s);
                }
            }
            if let Some(jac) = jac.as_deref_mut() {
                jac[3 * k * n + i] = 1.0;
            }
            out[i] = m;
        }
    }
}

impl LeastSquares for Gaussians {
    fn parameters(&self) -> usize {
        3 * self.k + 1
    }
    fn points(&self) -> usize {
        self.x.len()
    }
    fn residuals(&mut self, p: &[f64], out: &mut [f64]) {
        self.model(p, out, None);
        for (o, y) in out.iter_mut().zip(&self.y) {
            *o -= y;
        }
    }
    fn jacobian(&mut self, p: &[f64], jac: &mut [f64]) {
        let mut m = vec![0.0; self.x.len()];
        self.model(p, &mut m, Some(jac));
    }
}

impl MPFitter for Gaussians {
    fn eval(&mut self, params: &[f64], deviates: &mut [f64]) -> MPResult<()> {
        self.model(params, deviates, None);
        for (d, y) in deviates.iter_mut().zip(&self.y) {
            *d = y - *d;
        }
        Ok(())
    }
    fn number_of_points(&self) -> usize {
        self.x.len()
    }
    fn config(&self) -> &MPConfig {
        &self.config
    }
    fn parameters(&self) -> &[MPPar] {
        &self.pars
    }
    fn jacobian(
        &mut self,
        params: &[f64],
        deviates: &mut [f64],
        derivs: &mut [Option<Vec<f64>>],
    ) -> MPResult<()> {
        let n = self.x.len();
        let mut jac = vec![0.0; n * params.len()];
        self.model(params, deviates, Some(&mut jac));
        for (d, y) in deviates.iter_mut().zip(&self.y) {
            *d = y - *d;
        }
        for (j, col) in derivs.iter_mut().enumerate() {
            if let Some(col) = col {
                for (c, v) in col.iter_mut().zip(&jac[j * n..(j + 1) * n]) {
                    *c = -v;
                }
            }
        }
        Ok(())
    }
}

/// A random bounded problem: (problem, lower, upper, start).
fn random_problem(seed: u64) -> (Gaussians, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix64(seed);
    let k = 2 + (seed % 2) as usize;
    // Most problems get bounds that cut off planted values; the rest only loose ones.
    let cut = rng.uniform() < 0.6;
    let n = 120 + (200.0 * rng.uniform()) as usize;
    let x: Vec<f64> = (0..n).map(|i| 10.0 * i as f64 / (n - 1) as f64).collect();
    let np = 3 * k + 1;
    let mut truth = vec![0.0; np];
    for j in 0..k {
        truth[j] = if cut && rng.uniform() < 0.2 {
            -0.3
        } else {
            0.5 + 1.5 * rng.uniform()
        };
        truth[k + j] = 10.0 * (j as f64 + 0.5) / k as f64 + 0.3 * rng.normal();
        truth[2 * k + j] = 0.4 + 0.5 * rng.uniform();
    }
    truth[3 * k] = 0.3 * rng.uniform();
    let (mut lower, mut upper) = (vec![0.0; np], vec![f64::INFINITY; np]);
    for j in 0..k {
        if cut && truth[j] > 0.0 && rng.uniform() < 0.2 {
            upper[j] = 0.8 * truth[j];
        }
        let c = truth[k + j];
        lower[k + j] = c - 0.05 - 0.5 * rng.uniform();
        upper[k + j] = c + 0.05 + 0.5 * rng.uniform();
        // Sometimes a centre range that excludes the planted centre.
        match rng.uniform() {
            _ if !cut => {}
            u if u < 0.15 => {
                upper[k + j] = c - 0.02 - 0.1 * rng.uniform();
                lower[k + j] = lower[k + j].min(upper[k + j] - 0.1);
            }
            u if u < 0.3 => {
                lower[k + j] = c + 0.02 + 0.1 * rng.uniform();
                upper[k + j] = upper[k + j].max(lower[k + j] + 0.1);
            }
            _ => {}
        }
        let s = truth[2 * k + j];
        (lower[2 * k + j], upper[2 * k + j]) = match rng.uniform() {
            _ if !cut => (0.1, 2.0),
            u if u < 0.15 => (0.1, 0.8 * s),
            u if u < 0.3 => (1.2 * s, 2.0),
            _ => (0.1, 2.0),
        };
    }
    lower[3 * k] = if cut && rng.uniform() < 0.2 {
        truth[3 * k] + 0.05
    } else {
        f64::NEG_INFINITY
    };
    let mut problem = Gaussians {
        k,
        x,
        y: vec![0.0; n],
        pars: Vec::new(),
        config: MPConfig {
            max_iter: 2000,
            max_fev: MPMaxFev::NoLimit,
            ..MPConfig::new()
        },
    };
    let mut clean = vec![0.0; n];
    problem.model(&truth, &mut clean, None);
    problem.y = clean.iter().map(|v| v + 0.02 * rng.normal()).collect();
    problem.pars = (0..np)
        .map(|i| MPPar {
            limited_low: lower[i].is_finite(),
            limit_low: if lower[i].is_finite() { lower[i] } else { 0.0 },
            limited_up: upper[i].is_finite(),
            limit_up: if upper[i].is_finite() { upper[i] } else { 0.0 },
            side: MPSide::User,
            ..MPPar::new()
        })
        .collect();
    let start: Vec<f64> = (0..np)
        .map(|i| {
            let v = truth[i];
            let moved = if i < k {
                v.max(0.1) * (1.0 + 0.2 * rng.normal())
            } else if i < 2 * k {
                v + 0.1 * rng.normal()
            } else if i < 3 * k {
                v * (1.0 + 0.1 * rng.normal())
            } else {
                v + 0.05 * rng.normal()
            };
            moved.clamp(lower[i], upper[i])
        })
        .collect();
    (problem, lower, upper, start)
}

/// ‖r(p)‖².
fn cost_of<M: LeastSquares>(problem: &mut M, p: &[f64]) -> f64 {
    let mut r = vec![0.0; problem.points()];
    problem.residuals(p, &mut r);
    r.iter().map(|v| v * v).sum()
}

/// Largest KKT violation at `p`, in units of √(Hⱼⱼ · cost): |∂cost/∂pⱼ| for a free parameter,
/// the inward-pointing part of it for one at a bound. Also whether any bound is active.
fn kkt_violation<M: LeastSquares>(
    problem: &mut M,
    p: &[f64],
    lower: &[f64],
    upper: &[f64],
) -> (f64, bool) {
    let (n, np) = (problem.points(), problem.parameters());
    let cost = cost_of(problem, p);
    let mut jac = vec![0.0; n * np];
    problem.jacobian(p, &mut jac);
    let mut worst: f64 = 0.0;
    let mut active = false;
    for j in 0..np {
        let h = 1e-6 * (1.0 + p[j].abs());
        let (mut a, mut b) = (p.to_vec(), p.to_vec());
        a[j] += h;
        b[j] -= h;
        // ∂(Σr²)/∂pⱼ = 2 gⱼ.
        let g = (cost_of(problem, &a) - cost_of(problem, &b)) / (2.0 * h) / 2.0;
        let hjj: f64 = jac[j * n..(j + 1) * n].iter().map(|v| v * v).sum();
        let scale = (hjj * cost).sqrt().max(1e-300);
        let tol = 1e-12 * (1.0 + p[j].abs());
        let violation = if (p[j] - lower[j]).abs() <= tol {
            active = true;
            (-g).max(0.0)
        } else if (upper[j] - p[j]).abs() <= tol {
            active = true;
            g.max(0.0)
        } else {
            g.abs()
        };
        worst = worst.max(violation / scale);
    }
    (worst, active)
}

#[test]
fn the_solver_agrees_with_mpfit_on_random_bounded_problems() {
    let problems = 50;
    let (mut worst_cost, mut worst_cost_default, mut worst_kkt) = (0.0f64, 0.0f64, 0.0f64);
    let (mut with_active, mut ours_lower) = (0, 0);
    for seed in 0..problems {
        let (mut problem, lower, upper, start) = random_problem(1000 + seed);
        let tight = Settings {
            max_iterations: 2000,
            convergence: 1e-12,
        };
        let ours = levenberg_marquardt(&mut problem, start.clone(), &lower, &upper, tight);
        assert!(ours.converged, "problem {seed}: not converged");
        let default = Settings {
            max_iterations: 200,
            convergence: 1e-8,
        };
        let production = levenberg_marquardt(&mut problem, start.clone(), &lower, &upper, default);
        assert!(
            production.converged,
            "problem {seed}: not converged at 1e-8"
        );

        let mut theirs = start.clone();
        let status = match problem.mpfit(&mut theirs) {
            Ok(status) => status,
            Err(e) => panic!("problem {seed}: mpfit failed: {e}"),
        };
        assert!(
            !matches!(status.success, MPSuccess::MaxIter | MPSuccess::NotDone),
            "problem {seed}: mpfit did not converge"
        );
        let their_cost = cost_of(&mut problem, &theirs);
        let relative = (ours.cost - their_cost).abs() / their_cost;
        assert!(
            relative < 1e-9,
            "problem {seed}: cost {} vs mpfit {their_cost} ({relative:e})\nours {:?}\nmpfit {theirs:?}",
            ours.cost,
            ours.p
        );
        worst_cost = worst_cost.max(relative);
        ours_lower += usize::from(ours.cost < their_cost);
        // The production setting stops within a relative 1e-8 of the minimum.
        let relative = (production.cost - their_cost).abs() / their_cost;
        assert!(
            relative < 1e-7,
            "problem {seed}: production cost {relative:e} off"
        );
        worst_cost_default = worst_cost_default.max(relative);

        let (kkt, active) = kkt_violation(&mut problem, &ours.p, &lower, &upper);
        assert!(
            kkt < 1e-5,
            "problem {seed}: KKT violation {kkt:e} at {:?}",
            ours.p
        );
        worst_kkt = worst_kkt.max(kkt);
        with_active += usize::from(active);
    }
    eprintln!(
        "{problems} problems, {with_active} with active bounds; worst relative cost difference \
         {worst_cost:e} (convergence 1e-12; ours lower in {ours_lower}), {worst_cost_default:e} \
         (1e-8); worst KKT {worst_kkt:e}"
    );
    assert!(
        with_active >= problems as usize / 4,
        "only {with_active} with active bounds"
    );
}

/// The connection-mode model itself, as an MPFIT problem.
struct Connection<'a> {
    model: super::model::ConnectionModel<'a>,
    pars: Vec<MPPar>,
    config: MPConfig,
}

impl MPFitter for Connection<'_> {
    fn eval(&mut self, params: &[f64], deviates: &mut [f64]) -> MPResult<()> {
        self.model.residuals(params, deviates);
        deviates.iter_mut().for_each(|d| *d = -*d);
        Ok(())
    }
    fn number_of_points(&self) -> usize {
        self.model.points()
    }
    fn config(&self) -> &MPConfig {
        &self.config
    }
    fn parameters(&self) -> &[MPPar] {
        &self.pars
    }
    fn jacobian(
        &mut self,
        params: &[f64],
        deviates: &mut [f64],
        derivs: &mut [Option<Vec<f64>>],
    ) -> MPResult<()> {
        let n = self.model.points();
        let mut jac = vec![0.0; n * params.len()];
        self.model.residuals(params, deviates);
        self.model.jacobian(params, &mut jac);
        deviates.iter_mut().for_each(|d| *d = -*d);
        for (j, col) in derivs.iter_mut().enumerate() {
            if let Some(col) = col {
                for (c, v) in col.iter_mut().zip(&jac[j * n..(j + 1) * n]) {
                    *c = -v;
                }
            }
        }
        Ok(())
    }
}

/// Windowed noisy data for a connection-mode problem (see the test below).
fn connection_data(
    rng: &mut SplitMix64,
    opts: &super::FitParams,
    harsh: bool,
) -> (Vec<f64>, Vec<f64>) {
    use super::tests::{grid, planted};
    let r = grid();
    let (amps, centres, widths): ([f64; 4], [f64; 4], [f64; 4]) = if harsh {
        (
            std::array::from_fn(|_| (0.5 * rng.uniform() - 0.1).max(0.0)),
            std::array::from_fn(|i| opts.seeds[i] + 0.15 * rng.normal()),
            std::array::from_fn(|_| 0.2 + 0.15 * rng.uniform()),
        )
    } else {
        let w = 0.2 + 0.1 * rng.uniform();
        (
            std::array::from_fn(|_| 0.05 + 0.4 * rng.uniform()),
            std::array::from_fn(|i| opts.seeds[i] + 0.18 * rng.uniform() - 0.09),
            std::array::from_fn(|_| {
                if opts.free_widths {
                    0.2 + 0.1 * rng.uniform()
                } else {
                    w
                }
            }),
        )
    };
    let clean = planted(&r, amps, centres, widths, 1.0);
    let sigma = 0.003 + 0.007 * rng.uniform();
    let g: Vec<f64> = clean.iter().map(|v| v + sigma * rng.normal()).collect();
    let (rw, yw): (Vec<f64>, Vec<f64>) = r
        .iter()
        .zip(&g)
        .filter(|(x, _)| **x >= opts.window.0 && **x <= opts.window.1)
        .map(|(x, v)| (*x, *v))
        .unzip();
    (rw, yw)
}

/// The connection-mode fit from its own start (the width scan), ours and MPFIT's, on 20 mild
/// problems (planted centres within the ±0.1 Å tolerance, every mode present, one width: like
/// the data) and 20 harsh ones (centres ±0.15 Å σ around the seeds, so often out of range,
/// some modes absent, widths differing). Mild: the costs agree to 1e-9. Harsh: the problem
/// has several bounded local minima (a mode held at A = 0 gets no gradient on its centre, so
/// either solver may switch a mode off where the other moves it), so both must only be KKT
/// points; how many agree is printed.
#[test]
fn the_connection_fit_agrees_with_mpfit_from_its_own_start() {
    use super::model::{ConnectionModel, Layout};
    use super::{FitParams, start::initial_parameters};

    let (mut worst_mild, mut agree_harsh, mut worst_kkt) = (0.0f64, 0, 0.0f64);
    let (mut ours_lower, mut worst_harsh) = (0, 0.0f64);
    for seed in 0..40u64 {
        let harsh = seed >= 20;
        let mut rng = SplitMix64(500 + seed);
        let opts = FitParams {
            free_widths: seed % 4 == 3,
            ..FitParams::default()
        };
        let layout = Layout {
            free_widths: opts.free_widths,
            baseline: opts.baseline,
        };
        let (rw, yw) = connection_data(&mut rng, &opts, harsh);
        let (lower, upper) = layout.bounds(&opts);
        let p0: Vec<f64> = initial_parameters(&layout, &rw, Some(0.01), &yw, &opts, None)
            .iter()
            .zip(lower.iter().zip(&upper))
            .map(|(v, (lo, hi))| v.clamp(*lo, *hi))
            .collect();
        let mut model = ConnectionModel::new(layout, &rw, Some(0.01), &yw);
        let tight = Settings {
            max_iterations: 2000,
            convergence: 1e-12,
        };
        let ours = levenberg_marquardt(&mut model, p0.clone(), &lower, &upper, tight);
        assert!(ours.converged, "problem {seed}");

        let mut theirs = Connection {
            model,
            pars: (0..layout.len())
                .map(|i| MPPar {
                    limited_low: lower[i].is_finite(),
                    limit_low: if lower[i].is_finite() { lower[i] } else { 0.0 },
                    limited_up: upper[i].is_finite(),
                    limit_up: if upper[i].is_finite() { upper[i] } else { 0.0 },
                    side: MPSide::User,
                    ..MPPar::new()
                })
                .collect(),
            config: MPConfig {
                max_iter: 2000,
                max_fev: MPMaxFev::NoLimit,
                ..MPConfig::new()
            },
        };
        let mut p = p0;
        let status = match theirs.mpfit(&mut p) {
            Ok(status) => status,
            Err(e) => panic!("problem {seed}: mpfit failed: {e}"),
        };
        assert!(!matches!(
            status.success,
            MPSuccess::MaxIter | MPSuccess::NotDone
        ));
        let their_cost = cost_of(&mut theirs.model, &p);
        let relative = (ours.cost - their_cost).abs() / their_cost;
        let (kkt, _) = kkt_violation(&mut theirs.model, &ours.p, &lower, &upper);
        assert!(
            kkt < 1e-5,
            "problem {seed}: KKT violation {kkt:e} at {:?}",
            ours.p
        );
        worst_kkt = worst_kkt.max(kkt);
        if harsh {
            let (their_kkt, _) = kkt_violation(&mut theirs.model, &p, &lower, &upper);
            assert!(
                their_kkt < 1e-5,
                "problem {seed}: MPFIT's KKT violation {their_kkt:e}"
            );
            agree_harsh += usize::from(relative < 1e-9);
            ours_lower += usize::from(relative >= 1e-9 && ours.cost < their_cost);
            worst_harsh = worst_harsh.max(relative);
            if relative >= 1e-9 {
                eprintln!(
                    "harsh problem {seed}: cost {:.6e} (ours) vs {their_cost:.6e} (MPFIT)\n  \
                     ours  {:.4?}\n  MPFIT {p:.4?}",
                    ours.cost, ours.p
                );
            }
        } else {
            assert!(
                relative < 1e-9,
                "problem {seed}: {} vs {their_cost}\nours {:?}\nmpfit {p:?}",
                ours.cost,
                ours.p
            );
            worst_mild = worst_mild.max(relative);
        }
    }
    eprintln!(
        "connection modes: 20 mild problems, worst relative cost difference {worst_mild:e}; \
         20 harsh ones, {agree_harsh} at the same minimum, the others at different local \
         minima (ours lower in {ours_lower}; worst relative cost difference {worst_harsh:e}); \
         worst KKT of ours {worst_kkt:e}"
    );
}
