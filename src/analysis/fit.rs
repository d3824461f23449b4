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
//! a relative decrease below `convergence` (1e-8). Standard errors come
//! from (JᵀJ)⁻¹ · RSS/(n − p) at the solution (a parameter held at a bound gets error 0, as in
//! MPFIT); the centre of a Gaussian whose amplitude is held at 0 is undetermined and gets NaN.
//! A fit that hits the iteration limit or has too few points is returned with
//! `converged = false` and a message — never dropped.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

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

/// Fit settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FitOptions {
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
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            window: (3.9, 6.6),
            seeds: default_seeds(2.969),
            tolerance: 0.1,
            free_widths: false,
            baseline: true,
            width_bounds: (0.05, 0.60),
            max_iterations: 200,
            convergence: 1e-8,
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
    pub iterations: usize,
    pub converged: bool,
    /// Why the fit is flagged, when it is.
    pub message: Option<String>,
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
            iterations: 0,
            converged: false,
            message: Some(message),
        }
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

/// Parameter layout: [A1..A4, c1..c4, s1 (or s1..s4), b?].
struct Layout {
    free_widths: bool,
    baseline: bool,
}

impl Layout {
    fn len(&self) -> usize {
        8 + if self.free_widths { 4 } else { 1 } + usize::from(self.baseline)
    }
    fn width_index(&self, i: usize) -> usize {
        if self.free_widths { 8 + i } else { 8 }
    }
    fn baseline_index(&self) -> Option<usize> {
        self.baseline.then(|| self.len() - 1)
    }
}

/// exp(−(rₖ − c)²/(2s²)) for every rₖ. On a uniform grid (`step` = Some(h)) it uses the
/// Gaussian recurrence eₖ₊₁ = eₖ qₖ, qₖ₊₁ = qₖ e^{−h²/s²}, run outwards from the point nearest
/// the centre so nothing underflows before it matters: three exponentials per curve instead of
/// one per point (relative error ~ 1e-13, tested against `exp`).
#[inline]
fn gaussian_row(r: &[f64], step: Option<f64>, centre: f64, width: f64, out: &mut [f64]) {
    let two_var = 2.0 * width * width;
    let Some(h) = step.filter(|_| r.len() > 2) else {
        for (o, &x) in out.iter_mut().zip(r) {
            *o = (-(x - centre).powi(2) / two_var).exp();
        }
        return;
    };
    let n = r.len();
    let kc = (((centre - r[0]) / h).round().max(0.0) as usize).min(n - 1);
    let d = r[kc] - centre;
    out[kc] = (-(d * d) / two_var).exp();
    let factor = (-(h * h) / (width * width)).exp();
    // Two interleaved chains (even and odd steps from the centre) halve the dependency chain:
    // e_{k+2} = e_k Q_k with Q_k = q_k q_{k+1} = q_k² f and Q_{k+2} = Q_k f⁴.
    let f4 = factor * factor * factor * factor;
    // Forward: e_{k+1}/e_k = q_k = exp(−(2 d_k h + h²)/(2s²)), q_{k+1} = q_k f.
    let q = (-(2.0 * d * h + h * h) / two_var).exp();
    if kc + 1 < n {
        out[kc + 1] = out[kc] * q;
    }
    let (mut qa, mut qb) = (q * q * factor, q * factor * q * factor * factor);
    let mut k = kc + 2;
    while k + 1 < n {
        out[k] = out[k - 2] * qa;
        out[k + 1] = out[k - 1] * qb;
        qa *= f4;
        qb *= f4;
        k += 2;
    }
    if k < n {
        out[k] = out[k - 2] * qa;
    }
    // Backward: e_{k−1}/e_k = p_k = exp((2 d_k h − h²)/(2s²)), p_{k−1} = p_k f.
    let p = ((2.0 * d * h - h * h) / two_var).exp();
    if kc >= 1 {
        out[kc - 1] = out[kc] * p;
    }
    let (mut pa, mut pb) = (p * p * factor, p * factor * p * factor * factor);
    let mut k = kc as isize - 2;
    while k >= 1 {
        let ku = k as usize;
        out[ku] = out[ku + 2] * pa;
        out[ku - 1] = out[ku + 1] * pb;
        pa *= f4;
        pb *= f4;
        k -= 2;
    }
    if k == 0 {
        out[0] = out[2] * pa;
    }
}

/// Residuals (model − data) and, when asked, the Jacobian (column-major, np columns of n).
#[allow(clippy::too_many_arguments)]
#[inline]
fn evaluate(
    layout: &Layout,
    p: &[f64],
    r: &[f64],
    step: Option<f64>,
    y: &[f64],
    residual: &mut [f64],
    jac: Option<&mut [f64]>,
    scratch: &mut [Vec<f64>; 4],
) {
    let base = layout.baseline_index().map_or(0.0, |b| p[b]);
    for i in 0..4 {
        gaussian_row(r, step, p[4 + i], p[layout.width_index(i)], &mut scratch[i]);
    }
    for (k, res) in residual.iter_mut().enumerate() {
        let mut model = base;
        for i in 0..4 {
            model += p[i] * scratch[i][k];
        }
        *res = model - y[k];
    }
    if let Some(jac) = jac {
        jacobian(layout, p, r, jac, scratch);
    }
}

/// The Jacobian (column-major: column j holds ∂model/∂pⱼ at every point) from the Gaussian
/// rows of `p` already in `scratch`.
#[inline]
fn jacobian(layout: &Layout, p: &[f64], r: &[f64], jac: &mut [f64], scratch: &[Vec<f64>; 4]) {
    let n = r.len();
    if let Some(b) = layout.baseline_index() {
        jac[b * n..(b + 1) * n].fill(1.0);
    }
    if !layout.free_widths {
        jac[8 * n..9 * n].fill(0.0);
    }
    for i in 0..4 {
        let (a, c, s) = (p[i], p[4 + i], p[layout.width_index(i)]);
        let (s2, s3) = (s * s, s * s * s);
        let w = layout.width_index(i);
        if layout.free_widths {
            jac[w * n..(w + 1) * n].fill(0.0);
        }
        for k in 0..n {
            let e = scratch[i][k];
            let d = r[k] - c;
            jac[i * n + k] = e;
            jac[(4 + i) * n + k] = a * e * d / s2;
            jac[w * n + k] += a * e * d * d / s3;
        }
    }
}

/// Dot product with four independent accumulators, so the compiler can vectorise it.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// JᵀJ (np × np) and Jᵀv from a column-major Jacobian: dot products of contiguous columns.
#[inline]
fn normal_equations(jac: &[f64], v: &[f64], n: usize, np: usize) -> (Vec<f64>, Vec<f64>) {
    let col = |i: usize| &jac[i * n..(i + 1) * n];
    let mut jtj = vec![0.0; np * np];
    let mut jtv = vec![0.0; np];
    for i in 0..np {
        jtv[i] = dot(col(i), v);
        for j in i..np {
            let d = dot(col(i), col(j));
            jtj[i * np + j] = d;
            jtj[j * np + i] = d;
        }
    }
    (jtj, jtv)
}

/// Solves the symmetric positive (semi)definite system `a x = b` by Cholesky; None if singular.
#[inline]
fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 0.0 {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    let mut z = vec![0.0; n];
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * n + k] * z[k];
        }
        z[i] = sum / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut sum = z[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
    Some(x)
}

/// The Levenberg–Marquardt step on the parameters in `free`: (JᵀJ + λ diag JᵀJ) δ = −g.
#[inline]
fn solve_on(free: &[usize], jtj: &[f64], grad: &[f64], np: usize, lambda: f64) -> Option<Vec<f64>> {
    let nf = free.len();
    let mut a = vec![0.0; nf * nf];
    let mut b = vec![0.0; nf];
    for (ii, &i) in free.iter().enumerate() {
        b[ii] = -grad[i];
        for (jj, &j) in free.iter().enumerate() {
            a[ii * nf + jj] = jtj[i * np + j];
        }
        a[ii * nf + ii] += (lambda + 1e-12) * jtj[i * np + i].max(1e-12);
    }
    cholesky_solve(&a, &b, nf)
}

/// Inverse of a symmetric positive definite matrix (columns solved one by one).
fn invert_spd(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for col in 0..n {
        let mut e = vec![0.0; n];
        e[col] = 1.0;
        let x = cholesky_solve(a, &e, n)?;
        for row in 0..n {
            inv[row * n + col] = x[row];
        }
    }
    Some(inv)
}

/// Best non-negative amplitudes (and baseline) at fixed centres and width, by a small active set.
#[inline]
fn linear_start(
    r: &[f64],
    grid_step: Option<f64>,
    y: &[f64],
    centres: &[f64; 4],
    width: f64,
    baseline: bool,
) -> ([f64; 4], f64, f64) {
    // Basis columns once: four Gaussians and the constant.
    let n = r.len();
    let mut columns: [Vec<f64>; 5] = std::array::from_fn(|_| vec![1.0; n]);
    for i in 0..4 {
        gaussian_row(r, grid_step, centres[i], width, &mut columns[i]);
    }
    // Full normal equations over all five columns; subsets are read from them.
    let mut full = [[0.0; 5]; 5];
    let mut full_rhs = [0.0; 5];
    for i in 0..5 {
        full_rhs[i] = dot(&columns[i], y);
        for j in i..5 {
            full[i][j] = dot(&columns[i], &columns[j]);
            full[j][i] = full[i][j];
        }
    }
    let yy = dot(y, y);
    let mut active = [true; 4];
    loop {
        let mut cols: Vec<usize> = (0..4).filter(|&i| active[i]).collect();
        let amplitudes = cols.len();
        if baseline {
            cols.push(4);
        }
        let m = cols.len();
        let mut ata = vec![0.0; m * m];
        let mut aty = vec![0.0; m];
        for (a, &i) in cols.iter().enumerate() {
            aty[a] = full_rhs[i];
            for (b, &j) in cols.iter().enumerate() {
                ata[a * m + b] = full[i][j];
            }
            ata[a * m + a] *= 1.0 + 1e-12;
        }
        let x = if m == 0 {
            Vec::new()
        } else {
            cholesky_solve(&ata, &aty, m).unwrap_or_else(|| vec![0.0; m])
        };
        if let Some(worst) = (0..amplitudes)
            .filter(|&j| x[j] < 0.0)
            .min_by(|&a, &b| x[a].total_cmp(&x[b]))
        {
            active[cols[worst]] = false;
            continue;
        }
        let mut amps = [0.0; 4];
        for j in 0..amplitudes {
            amps[cols[j]] = x[j];
        }
        let b = if baseline { x[m - 1] } else { 0.0 };
        // RSS = yᵀy − 2βᵀAᵀy + βᵀAᵀAβ for the least-squares β on the active columns.
        let fitted: f64 = (0..m).map(|i| x[i] * aty[i]).sum();
        let quad: f64 = (0..m)
            .map(|i| (0..m).map(|j| x[i] * ata[i * m + j] * x[j]).sum::<f64>())
            .sum();
        let rss = (yy - 2.0 * fitted + quad).max(0.0);
        return (amps, b, rss);
    }
}

/// Fits the four connection modes to g(r) on `opts.window`. `start` (a previous temperature's
/// result, for sequential fitting) replaces the linear start when it is finite.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub fn fit_connection_modes(
    r: &[f64],
    g: &[f64],
    opts: &FitOptions,
    start: Option<&ModeFit>,
) -> ModeFit {
    let (lo, hi) = opts.window;
    let (rw, yw): (Vec<f64>, Vec<f64>) = r
        .iter()
        .zip(g)
        .filter(|(x, v)| **x >= lo && **x <= hi && v.is_finite())
        .map(|(x, v)| (*x, *v))
        .unzip();
    let layout = Layout {
        free_widths: opts.free_widths,
        baseline: opts.baseline,
    };
    let np = layout.len();
    let n = rw.len();
    let grid_step =
        (n > 1 && super::transform::is_uniform(&rw)).then(|| (rw[n - 1] - rw[0]) / (n - 1) as f64);
    if n < np + 2 {
        return ModeFit::failed(
            format!(
                "fit window {lo}–{hi} Å holds {n} finite points; {np} parameters need at least {}",
                np + 2
            ),
            n,
        );
    }
    let (smin, smax) = opts.width_bounds;
    let mut lower = vec![0.0; np];
    let mut upper = vec![f64::INFINITY; np];
    for i in 0..4 {
        lower[4 + i] = opts.seeds[i] - opts.tolerance;
        upper[4 + i] = opts.seeds[i] + opts.tolerance;
        lower[layout.width_index(i)] = smin;
        upper[layout.width_index(i)] = smax;
    }
    if let Some(b) = layout.baseline_index() {
        lower[b] = f64::NEG_INFINITY;
    }

    // Start: the previous result, or the best linear fit at the seeds over a width scan.
    let mut p = vec![0.0; np];
    let usable_start = start.filter(|s| {
        s.amplitudes
            .iter()
            .chain(&s.centres)
            .chain(&s.widths)
            .all(|v| v.is_finite())
    });
    if let Some(s) = usable_start {
        for i in 0..4 {
            p[i] = s.amplitudes[i];
            p[4 + i] = s.centres[i];
            p[layout.width_index(i)] = s.widths[i];
        }
        if let Some(b) = layout.baseline_index() {
            p[b] = if s.baseline.is_finite() {
                s.baseline
            } else {
                0.0
            };
        }
    } else {
        // Width scan every 0.1 Å, then the 0.05 Å neighbours of the best (the RSS is smooth
        // in the width); the refinement below adjusts the width continuously.
        let mut best = (f64::INFINITY, [0.0; 4], 0.0, smin);
        let try_width = |w: f64, best: &mut (f64, [f64; 4], f64, f64)| {
            let (amps, b, rss) = linear_start(&rw, grid_step, &yw, &opts.seeds, w, opts.baseline);
            if rss < best.0 {
                *best = (rss, amps, b, w);
            }
        };
        let coarse = ((smax - smin) / 0.1).ceil().max(0.0) as usize;
        for k in 0..=coarse {
            try_width((smin + 0.1 * k as f64).min(smax), &mut best);
        }
        let centre = best.3;
        for w in [centre - 0.05, centre + 0.05] {
            if w > smin && w < smax {
                try_width(w, &mut best);
            }
        }
        for i in 0..4 {
            p[i] = best.1[i];
            p[4 + i] = opts.seeds[i];
            p[layout.width_index(i)] = best.3;
        }
        if let Some(b) = layout.baseline_index() {
            p[b] = best.2;
        }
    }
    for i in 0..np {
        p[i] = p[i].clamp(lower[i], upper[i]);
    }

    // Bounded Levenberg–Marquardt.
    let mut residual = vec![0.0; n];
    let mut jac = vec![0.0; n * np];
    let mut scratch: [Vec<f64>; 4] = std::array::from_fn(|_| vec![0.0; n]);
    evaluate(
        &layout,
        &p,
        &rw,
        grid_step,
        &yw,
        &mut residual,
        Some(&mut jac),
        &mut scratch,
    );
    let mut cost: f64 = dot(&residual, &residual);
    let mut lambda = 1e-3;
    let mut converged = false;
    let mut iterations = 0;
    let mut trial = vec![0.0; np];
    let mut trial_residual = vec![0.0; n];
    while iterations < opts.max_iterations {
        iterations += 1;
        // Normal equations and gradient.
        let (jtj, grad) = normal_equations(&jac, &residual, n, np);
        // Hold parameters at a bound whose gradient pushes them outwards.
        let mut held: Vec<bool> = (0..np)
            .map(|i| (p[i] <= lower[i] && grad[i] > 0.0) || (p[i] >= upper[i] && grad[i] < 0.0))
            .collect();
        let gnorm = (0..np)
            .filter(|&i| !held[i])
            .map(|i| grad[i].abs())
            .fold(0.0, f64::max);
        if gnorm <= 1e-14 * (1.0 + cost) {
            converged = true;
            break;
        }
        // Also hold a parameter at a bound that the undamped Gauss–Newton step on the free set
        // would push outwards (else the iterates zig-zag on and off the bound), then test
        // convergence: even that step promises less than a relative 1e-8 decrease,
        // gᵀ(JᵀJ)⁻¹g ≤ 1e-8 · cost. Since a parameter's standard error is σ² ≈ cost/(n−p) ·
        // (JᵀJ)⁻¹, this stops within ~√(1e-8·(n−p)) ≈ 0.002 standard errors of the minimum (fractions with
        // errors of 0.02: within ~4e-5). A small decrease after a heavily damped step
        // is not convergence.
        let mut predicted = f64::INFINITY;
        loop {
            let free: Vec<usize> = (0..np).filter(|&i| !held[i]).collect();
            let Some(x) = solve_on(&free, &jtj, &grad, np, 0.0) else {
                break;
            };
            let outward: Vec<usize> = free
                .iter()
                .zip(&x)
                .filter(|&(&i, &d)| (p[i] <= lower[i] && d < 0.0) || (p[i] >= upper[i] && d > 0.0))
                .map(|(&i, _)| i)
                .collect();
            if outward.is_empty() {
                predicted = -x.iter().zip(&free).map(|(d, &i)| d * grad[i]).sum::<f64>();
                break;
            }
            for i in outward {
                held[i] = true;
            }
        }
        if predicted <= opts.convergence * cost {
            converged = true;
            break;
        }
        let free: Vec<usize> = (0..np).filter(|&i| !held[i]).collect();
        let mut improved = false;
        for _ in 0..30 {
            let Some(step) = solve_on(&free, &jtj, &grad, np, lambda) else {
                lambda *= 10.0;
                continue;
            };
            trial.copy_from_slice(&p);
            for (ii, &i) in free.iter().enumerate() {
                trial[i] = (p[i] + step[ii]).clamp(lower[i], upper[i]);
            }
            evaluate(
                &layout,
                &trial,
                &rw,
                grid_step,
                &yw,
                &mut trial_residual,
                None,
                &mut scratch,
            );
            let trial_cost: f64 = dot(&trial_residual, &trial_residual);
            if trial_cost <= cost {
                let change = (cost - trial_cost) / cost.max(1e-300);
                let step_size = free
                    .iter()
                    .map(|&i| (trial[i] - p[i]).abs() / (p[i].abs() + 1e-8))
                    .fold(0.0, f64::max);
                p.copy_from_slice(&trial);
                cost = trial_cost;
                // The trial's Gaussian rows are still in `scratch`: reuse them and its residual.
                std::mem::swap(&mut residual, &mut trial_residual);
                jacobian(&layout, &p, &rw, &mut jac, &scratch);
                lambda = (lambda / 10.0).max(1e-12);
                improved = true;
                // A relative change below 1e-12 in every parameter with no measurable gain is
                // working precision.
                if change < 1e-14 && step_size < 1e-12 {
                    converged = true;
                }
                break;
            }
            lambda *= 4.0;
        }
        if converged || !improved {
            // No step lowers the cost: a (bounded) minimum to working precision.
            converged = true;
            break;
        }
    }

    // Standard errors from the free parameters' covariance.
    let (jtj, _) = normal_equations(&jac, &residual, n, np);
    let at_bound: Vec<bool> = (0..np)
        .map(|i| {
            (p[i] - lower[i]).abs() <= 1e-12 * (1.0 + p[i].abs())
                || (upper[i] - p[i]).abs() <= 1e-12 * (1.0 + p[i].abs())
        })
        .collect();
    // The centre (and own width) of a Gaussian whose amplitude is held at 0 does not enter the
    // model: undetermined, so reported as NaN and left out of the inversion.
    let mut undetermined = vec![false; np];
    for i in 0..4 {
        if at_bound[i] && p[i] <= lower[i] {
            undetermined[4 + i] = true;
            if layout.free_widths {
                undetermined[layout.width_index(i)] = true;
            }
        }
    }
    let free: Vec<usize> = (0..np)
        .filter(|&i| !at_bound[i] && !undetermined[i])
        .collect();
    let dof = n.saturating_sub(free.len()).max(1);
    let sigma2 = cost / dof as f64;
    let mut cov = vec![0.0; np * np];
    let nf = free.len();
    let mut sub = vec![0.0; nf * nf];
    for (ii, &i) in free.iter().enumerate() {
        for (jj, &j) in free.iter().enumerate() {
            sub[ii * nf + jj] = jtj[i * np + j];
        }
    }
    let mut message = None;
    match invert_spd(&sub, nf) {
        Some(inv) => {
            for (ii, &i) in free.iter().enumerate() {
                for (jj, &j) in free.iter().enumerate() {
                    cov[i * np + j] = inv[ii * nf + jj] * sigma2;
                }
            }
        }
        None => {
            cov.fill(f64::NAN);
            message = Some("singular Jacobian: standard errors unavailable".to_string());
        }
    }
    // NaN (singular, or undetermined) stays NaN: `f64::max` would turn it into 0.
    let err = |i: usize| {
        if undetermined[i] {
            f64::NAN
        } else {
            let v = cov[i * np + i];
            if v.is_nan() {
                f64::NAN
            } else {
                v.max(0.0).sqrt()
            }
        }
    };

    let mut fit = ModeFit::failed(String::new(), n);
    for i in 0..4 {
        fit.amplitudes[i] = p[i];
        fit.amplitude_errors[i] = err(i);
        fit.centres[i] = p[4 + i];
        fit.centre_errors[i] = err(4 + i);
        fit.widths[i] = p[layout.width_index(i)];
        fit.width_errors[i] = err(layout.width_index(i));
    }
    if let Some(b) = layout.baseline_index() {
        fit.baseline = p[b];
        fit.baseline_error = err(b);
    } else {
        fit.baseline = 0.0;
        fit.baseline_error = 0.0;
    }
    // Fractions by area share aᵢ = Aᵢ sᵢ, with delta-method errors.
    let areas: Vec<f64> = (0..4).map(|i| fit.amplitudes[i] * fit.widths[i]).collect();
    let total: f64 = areas.iter().sum();
    for i in 0..4 {
        fit.fractions[i] = if total > 0.0 {
            areas[i] / total
        } else {
            f64::NAN
        };
        if total > 0.0 {
            // ∂fᵢ/∂Aⱼ and ∂fᵢ/∂s (shared or own width).
            let mut gradient = vec![0.0; np];
            for j in 0..4 {
                let d_area = if i == j {
                    1.0 / total - areas[i] / (total * total)
                } else {
                    -areas[i] / (total * total)
                };
                gradient[j] += d_area * fit.widths[j];
                gradient[layout.width_index(j)] += d_area * fit.amplitudes[j];
            }
            let mut var = 0.0;
            for a in 0..np {
                for b in 0..np {
                    var += gradient[a] * cov[a * np + b] * gradient[b];
                }
            }
            fit.fraction_errors[i] = if var.is_nan() {
                f64::NAN
            } else {
                var.max(0.0).sqrt()
            };
        }
    }
    fit.rmse = (cost / n as f64).sqrt();
    fit.iterations = iterations;
    fit.converged = converged;
    fit.message = if converged {
        message
    } else {
        Some(format!(
            "did not converge in {} iterations",
            opts.max_iterations
        ))
    };
    fit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted(
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

    fn grid() -> Vec<f64> {
        (0..=500).map(|i| 3.5 + 0.01 * i as f64).collect()
    }

    #[test]
    fn gaussian_recurrence_matches_exp() {
        let r: Vec<f64> = (0..=270).map(|i| 3.9 + 0.01 * i as f64).collect();
        let mut fast = vec![0.0; r.len()];
        for (c, s) in [
            (5.0, 0.05),
            (5.938, 0.6),
            (3.0, 0.2),
            (8.0, 0.3),
            (4.2, 0.27),
        ] {
            gaussian_row(&r, Some(0.01), c, s, &mut fast);
            for (x, f) in r.iter().zip(&fast) {
                let exact = (-(x - c).powi(2) / (2.0 * s * s)).exp();
                // Values are at most 1: an absolute error of 1e-13 is far below any data noise.
                assert!(
                    (f - exact).abs() <= 1e-13 + 1e-10 * exact,
                    "c {c} s {s} r {x}: {f} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn a_mode_with_no_weight_has_an_undetermined_centre() {
        let opts = FitOptions::default();
        let r = grid();
        let mut noise = crate::analysis::rng::SplitMix64(11);
        let clean = planted(&r, [0.3, 0.4, 0.35, 0.0], opts.seeds, [0.27; 4], 1.0);
        let g: Vec<f64> = clean.iter().map(|v| v + 0.003 * noise.normal()).collect();
        let fit = fit_connection_modes(&r, &g, &opts, None);
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
        let opts = FitOptions::default();
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
        let fit = fit_connection_modes(&r, &g, &opts, None);
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
        let opts = FitOptions::default();
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
        let fit = fit_connection_modes(&r, &noisy, &opts, None);
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
        let opts = FitOptions::default();
        let r = grid();
        // Data with a peak far from every seed: the centres must stop at their bounds.
        let g: Vec<f64> = r
            .iter()
            .map(|x| 1.0 + 0.5 * (-(x - 6.4).powi(2) / 0.02).exp())
            .collect();
        let fit = fit_connection_modes(&r, &g, &opts, None);
        for i in 0..4 {
            assert!((fit.centres[i] - opts.seeds[i]).abs() <= opts.tolerance + 1e-12);
            assert!(fit.amplitudes[i] >= 0.0);
            assert!(fit.widths[i] >= 0.05 && fit.widths[i] <= 0.6);
        }
    }

    #[test]
    fn bad_cases_are_flagged_not_dropped() {
        let opts = FitOptions {
            window: (30.0, 40.0),
            ..Default::default()
        };
        let r = grid();
        let g = vec![1.0; r.len()];
        let fit = fit_connection_modes(&r, &g, &opts, None);
        assert!(!fit.converged);
        assert!(
            fit.message
                .as_deref()
                .is_some_and(|m| m.contains("holds 0 finite points"))
        );

        let opts = FitOptions {
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
        let fit = fit_connection_modes(&r, &g, &opts, None);
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
        let opts = FitOptions {
            free_widths: true,
            baseline: false,
            ..Default::default()
        };
        let fit = fit_connection_modes(&r, &g, &opts, None);
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
        let opts = FitOptions::default();
        let r = grid();
        let g = planted(&r, [0.1, 0.3, 0.35, 0.1], opts.seeds, [0.25; 4], 1.0);
        let first = fit_connection_modes(&r, &g, &opts, None);
        let again = fit_connection_modes(&r, &g, &opts, Some(&first));
        assert!(again.converged);
        assert!(again.iterations <= 3, "{}", again.iterations);
        for i in 0..4 {
            assert!((again.amplitudes[i] - first.amplitudes[i]).abs() < 1e-8);
        }
    }
}
