//! Cubic smoothing spline through a quantity versus T, the way the study draws its curves.
//!
//! Minimises Σ wᵢ (yᵢ − f(xᵢ))² + λ ∫ f''(x)² dx (Reinsch; Green & Silverman's Q/R form): with
//! M = R + λ QᵀW⁻¹Q (pentadiagonal), γ = M⁻¹Qᵀy are the second derivatives at the knots and
//! f = y − λ W⁻¹Qγ. λ is chosen by generalized cross-validation,
//! GCV(λ) = n · RSS / (n − tr A(λ))², unless the user sets it. tr A = n − λ tr(M⁻¹ QᵀW⁻¹Q)
//! needs only the band of M⁻¹, computed in O(n) from the LDLᵀ factors (Hutchinson & de Hoog),
//! so a 2,000-point curve is cheap.
//!
//! NaN points are skipped; repeated x are merged (mean y, weight = count). Fewer than 3 distinct
//! x give the points themselves (nothing to smooth).

// Banded linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

/// A fitted smoothing spline.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothingSpline {
    /// Distinct knots and the smoothed values there.
    pub x: Vec<f64>,
    pub f: Vec<f64>,
    /// Second derivatives at the knots (0 at both ends: a natural spline).
    gamma: Vec<f64>,
    pub lambda: f64,
    /// Effective degrees of freedom tr A(λ).
    pub edf: f64,
}

struct Banded {
    /// LDLᵀ of the pentadiagonal M: d, l1 (sub-diagonal 1), l2 (sub-diagonal 2).
    d: Vec<f64>,
    l1: Vec<f64>,
    l2: Vec<f64>,
}

impl Banded {
    /// Factors a symmetric pentadiagonal matrix given by its diagonal and two upper bands
    /// (M = L D Lᵀ, L unit lower triangular with two sub-diagonals).
    fn factor(m0: &[f64], m1: &[f64], m2: &[f64]) -> Option<Self> {
        let n = m0.len();
        let (mut d, mut l1, mut l2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            if i >= 2 {
                l2[i] = m2[i - 2] / d[i - 2];
            }
            if i >= 1 {
                let mut u = m1[i - 1];
                if i >= 2 {
                    u -= l2[i] * l1[i - 1] * d[i - 2];
                }
                l1[i] = u / d[i - 1];
            }
            let mut v = m0[i];
            if i >= 1 {
                v -= l1[i] * l1[i] * d[i - 1];
            }
            if i >= 2 {
                v -= l2[i] * l2[i] * d[i - 2];
            }
            if v.is_nan() || v <= 0.0 {
                return None;
            }
            d[i] = v;
        }
        Some(Banded { d, l1, l2 })
    }

    fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = b.len();
        let mut z = b.to_vec();
        for i in 0..n {
            if i >= 1 {
                z[i] -= self.l1[i] * z[i - 1];
            }
            if i >= 2 {
                z[i] -= self.l2[i] * z[i - 2];
            }
        }
        for (zi, di) in z.iter_mut().zip(&self.d) {
            *zi /= di;
        }
        for i in (0..n).rev() {
            if i + 1 < n {
                z[i] -= self.l1[i + 1] * z[i + 1];
            }
            if i + 2 < n {
                z[i] -= self.l2[i + 2] * z[i + 2];
            }
        }
        z
    }

    /// The band (|i − j| ≤ 2) of M⁻¹: (diagonal, first and second super-diagonals).
    fn inverse_band(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = self.d.len();
        let (mut s0, mut s1, mut s2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let l1 = |i: usize| if i < n { self.l1[i] } else { 0.0 };
        let l2 = |i: usize| if i < n { self.l2[i] } else { 0.0 };
        for i in (0..n).rev() {
            let g = |k: usize, v: &[f64]| if k < n { v[k] } else { 0.0 };
            // Σ_{i,i+2} = −L_{i+1,i} Σ_{i+1,i+2} − L_{i+2,i} Σ_{i+2,i+2}
            s2[i] = -l1(i + 1) * g(i + 1, &s1) - l2(i + 2) * g(i + 2, &s0);
            // Σ_{i,i+1} = −L_{i+1,i} Σ_{i+1,i+1} − L_{i+2,i} Σ_{i+2,i+1}
            s1[i] = -l1(i + 1) * g(i + 1, &s0) - l2(i + 2) * g(i + 1, &s1);
            // Σ_{i,i} = 1/d_i − L_{i+1,i} Σ_{i+1,i} − L_{i+2,i} Σ_{i+2,i}
            s0[i] = 1.0 / self.d[i] - l1(i + 1) * s1[i] - l2(i + 2) * s2[i];
        }
        (s0, s1, s2)
    }
}

/// Knots, values and weights after skipping NaN and merging repeated x.
fn prepare(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut xs, mut ys, mut ws): (Vec<f64>, Vec<f64>, Vec<f64>) =
        (Vec::new(), Vec::new(), Vec::new());
    for (a, b) in pts {
        match xs.last() {
            Some(&last) if (a - last).abs() <= 1e-9 * (1.0 + a.abs()) => {
                let k = ys.len() - 1;
                ys[k] = (ys[k] * ws[k] + b) / (ws[k] + 1.0);
                ws[k] += 1.0;
            }
            _ => {
                xs.push(a);
                ys.push(b);
                ws.push(1.0);
            }
        }
    }
    (xs, ys, ws)
}

struct Problem {
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    h: Vec<f64>,
    /// Qᵀy (length n − 2).
    qty: Vec<f64>,
    /// R bands.
    r0: Vec<f64>,
    r1: Vec<f64>,
    /// QᵀW⁻¹Q bands.
    b0: Vec<f64>,
    b1: Vec<f64>,
    b2: Vec<f64>,
}

impl Problem {
    fn new(x: Vec<f64>, y: Vec<f64>, w: Vec<f64>) -> Self {
        let n = x.len();
        let h: Vec<f64> = x.windows(2).map(|p| p[1] - p[0]).collect();
        let m = n - 2;
        // Column j (0-based, knot j + 1) of Q: rows j, j+1, j+2.
        let q = |j: usize| [1.0 / h[j], -1.0 / h[j] - 1.0 / h[j + 1], 1.0 / h[j + 1]];
        let qty: Vec<f64> = (0..m)
            .map(|j| {
                let c = q(j);
                c[0] * y[j] + c[1] * y[j + 1] + c[2] * y[j + 2]
            })
            .collect();
        let r0: Vec<f64> = (0..m).map(|j| (h[j] + h[j + 1]) / 3.0).collect();
        let r1: Vec<f64> = (0..m)
            .map(|j| if j + 1 < m { h[j + 1] / 6.0 } else { 0.0 })
            .collect();
        let (mut b0, mut b1, mut b2) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        for j in 0..m {
            let a = q(j);
            b0[j] = a[0] * a[0] / w[j] + a[1] * a[1] / w[j + 1] + a[2] * a[2] / w[j + 2];
            if j + 1 < m {
                let b = q(j + 1);
                b1[j] = a[1] * b[0] / w[j + 1] + a[2] * b[1] / w[j + 2];
            }
            if j + 2 < m {
                let c = q(j + 2);
                b2[j] = a[2] * c[0] / w[j + 2];
            }
        }
        Problem {
            x,
            y,
            w,
            h,
            qty,
            r0,
            r1,
            b0,
            b1,
            b2,
        }
    }

    /// (smoothed values, γ, RSS, tr A) for λ.
    fn solve(&self, lambda: f64) -> Option<(Vec<f64>, Vec<f64>, f64, f64)> {
        let n = self.x.len();
        let m = n - 2;
        let m0: Vec<f64> = (0..m).map(|j| self.r0[j] + lambda * self.b0[j]).collect();
        let m1: Vec<f64> = (0..m).map(|j| self.r1[j] + lambda * self.b1[j]).collect();
        let m2: Vec<f64> = (0..m).map(|j| lambda * self.b2[j]).collect();
        let fac = Banded::factor(&m0, &m1, &m2)?;
        let gamma = fac.solve(&self.qty);
        // f = y − λ W⁻¹ Q γ.
        let mut f = self.y.clone();
        for j in 0..m {
            let (hj, hk) = (self.h[j], self.h[j + 1]);
            f[j] -= lambda * gamma[j] / hj / self.w[j];
            f[j + 1] -= lambda * gamma[j] * (-1.0 / hj - 1.0 / hk) / self.w[j + 1];
            f[j + 2] -= lambda * gamma[j] / hk / self.w[j + 2];
        }
        let rss: f64 = (0..n).map(|i| self.w[i] * (self.y[i] - f[i]).powi(2)).sum();
        let (s0, s1, s2) = fac.inverse_band();
        let mut tr = 0.0;
        for j in 0..m {
            tr += s0[j] * self.b0[j];
            if j + 1 < m {
                tr += 2.0 * s1[j] * self.b1[j];
            }
            if j + 2 < m {
                tr += 2.0 * s2[j] * self.b2[j];
            }
        }
        Some((f, gamma, rss, n as f64 - lambda * tr))
    }
}

/// K values side by side, each lane computed with exactly the IEEE operations of the scalar
/// code, so [`Problem::gcv`] evaluates four λ of the GCV grid in one pass with the bits of four
/// single evaluations. (Its factorisation is a chain of dependent divisions: four chains in the
/// lanes of one vector cost little more than one.)
#[derive(Debug, Clone, Copy)]
struct Lanes<const K: usize>([f64; K]);

macro_rules! lane_op {
    ($trait:ident, $f:ident, $op:tt) => {
        impl<const K: usize> std::ops::$trait for Lanes<K> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: Self) -> Self {
                Lanes(std::array::from_fn(|k| self.0[k] $op o.0[k]))
            }
        }
    };
}
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);
lane_op!(Div, div, /);

impl<const K: usize> std::ops::Neg for Lanes<K> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Lanes(self.0.map(|v| -v))
    }
}

impl<const K: usize> Lanes<K> {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Lanes([v; K])
    }
}

impl Problem {
    /// GCV(λ) = n · RSS/(n − tr A)² for K values of λ at once, lane k for the curve in lane k
    /// of `curves` (on this problem's knots and weights), ∞ where M is not positive definite or
    /// tr A ≥ n − 1e-9. Each lane performs the operations of [`Problem::solve`] (and of
    /// [`Banded`]'s factorisation, substitution and inverse band) in their order, so it has
    /// their bits; the tests check that.
    #[inline(always)]
    fn gcv<const K: usize>(&self, lambda: Lanes<K>, curves: &CurveLanes<K>) -> Lanes<K> {
        let n = self.x.len();
        let m = n - 2;
        let s = Lanes::<K>::splat;
        let zero = s(0.0);
        // M = L D Lᵀ.
        let (mut d, mut l1, mut l2) = (vec![zero; m], vec![zero; m], vec![zero; m]);
        let mut failed = [false; K];
        for i in 0..m {
            if i >= 2 {
                l2[i] = lambda * s(self.b2[i - 2]) / d[i - 2];
            }
            if i >= 1 {
                let mut u = s(self.r1[i - 1]) + lambda * s(self.b1[i - 1]);
                if i >= 2 {
                    u = u - l2[i] * l1[i - 1] * d[i - 2];
                }
                l1[i] = u / d[i - 1];
            }
            let mut v = s(self.r0[i]) + lambda * s(self.b0[i]);
            if i >= 1 {
                v = v - l1[i] * l1[i] * d[i - 1];
            }
            if i >= 2 {
                v = v - l2[i] * l2[i] * d[i - 2];
            }
            for (bad, &vk) in failed.iter_mut().zip(&v.0) {
                *bad |= vk.is_nan() || vk <= 0.0;
            }
            d[i] = v;
        }
        // γ = M⁻¹ Qᵀy.
        let mut z = curves.qty.clone();
        for i in 0..m {
            if i >= 1 {
                z[i] = z[i] - l1[i] * z[i - 1];
            }
            if i >= 2 {
                z[i] = z[i] - l2[i] * z[i - 2];
            }
        }
        for (zi, di) in z.iter_mut().zip(&d) {
            *zi = *zi / *di;
        }
        for i in (0..m).rev() {
            if i + 1 < m {
                z[i] = z[i] - l1[i + 1] * z[i + 1];
            }
            if i + 2 < m {
                z[i] = z[i] - l2[i + 2] * z[i + 2];
            }
        }
        // f = y − λ W⁻¹ Q γ and the RSS.
        let mut f = curves.y.clone();
        for j in 0..m {
            let (hj, hk) = (self.h[j], self.h[j + 1]);
            let g = lambda * z[j];
            f[j] = f[j] - g / s(hj) / s(self.w[j]);
            f[j + 1] = f[j + 1] - g * s(-1.0 / hj - 1.0 / hk) / s(self.w[j + 1]);
            f[j + 2] = f[j + 2] - g / s(hk) / s(self.w[j + 2]);
        }
        let mut rss = s(-0.0);
        for i in 0..n {
            let e = curves.y[i] - f[i];
            rss = rss + s(self.w[i]) * (e * e);
        }
        // The band of M⁻¹, then tr A = n − λ tr(M⁻¹ QᵀW⁻¹Q).
        let (mut s0, mut s1, mut s2) = (vec![zero; m], vec![zero; m], vec![zero; m]);
        let at = |k: usize, v: &[Lanes<K>]| if k < m { v[k] } else { zero };
        for i in (0..m).rev() {
            s2[i] = -at(i + 1, &l1) * at(i + 1, &s1) - at(i + 2, &l2) * at(i + 2, &s0);
            s1[i] = -at(i + 1, &l1) * at(i + 1, &s0) - at(i + 2, &l2) * at(i + 1, &s1);
            s0[i] = s(1.0) / d[i] - at(i + 1, &l1) * s1[i] - at(i + 2, &l2) * s2[i];
        }
        let mut tr = zero;
        for j in 0..m {
            tr = tr + s0[j] * s(self.b0[j]);
            if j + 1 < m {
                tr = tr + s(2.0) * s1[j] * s(self.b1[j]);
            }
            if j + 2 < m {
                tr = tr + s(2.0) * s2[j] * s(self.b2[j]);
            }
        }
        let nf = n as f64;
        Lanes(std::array::from_fn(|k| {
            let edf = nf - lambda.0[k] * tr.0[k];
            if !failed[k] && edf < nf - 1e-9 {
                nf * rss.0[k] / (nf - edf).powi(2)
            } else {
                f64::INFINITY
            }
        }))
    }
}

/// The data of K curves on the same knots and weights, lane by lane: y and Qᵀy.
struct CurveLanes<const K: usize> {
    y: Vec<Lanes<K>>,
    qty: Vec<Lanes<K>>,
}

impl<const K: usize> CurveLanes<K> {
    /// Lane k holds `problems[k]`'s curve (all on the same knots and weights).
    fn of(problems: [&Problem; K]) -> Self {
        let lanes = |v: fn(&Problem) -> &Vec<f64>| -> Vec<Lanes<K>> {
            (0..v(problems[0]).len())
                .map(|i| Lanes(std::array::from_fn(|k| v(problems[k])[i])))
                .collect()
        };
        CurveLanes {
            y: lanes(|p| &p.y),
            qty: lanes(|p| &p.qty),
        }
    }
}

/// The GCV search's log grid: 16 decades around the natural scale of the knots, 0.8-decade
/// steps.
fn gcv_grid(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let scale = (x[n - 1] - x[0]).powi(3) / n as f64;
    (0..=20)
        .map(|k| scale * 10f64.powf(-10.0 + 0.8 * k as f64))
        .collect()
}

/// λ by GCV for the K curves of `curves` (on `problem`'s knots and weights), each lane its own
/// search: the log grid, then a golden-section search (one new evaluation per step) between
/// the best grid point's neighbours, down to a bracket of 1.6 · 0.618²⁰ ≈ 1e-4 decades. The
/// search has a fixed number of steps, so the lanes move in step; each lane's λ is the one a
/// search of its curve alone finds. A single curve has its grid evaluated four λ at a time.
///
/// Compiled for AVX2 and AVX as well as the baseline, chosen at run time (four lanes are one
/// AVX vector); the operations are the same in each, so the bits are.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
fn gcv_search<const K: usize>(problem: &Problem, curves: &CurveLanes<K>) -> [f64; K] {
    let grid = gcv_grid(&problem.x);
    let mut on_grid: Vec<[f64; K]> = Vec::with_capacity(grid.len());
    if K == 1 {
        let one = CurveLanes::<4>::of([problem; 4]);
        for group in grid.chunks(4) {
            let mut l = [group[group.len() - 1]; 4];
            l[..group.len()].copy_from_slice(group);
            let v = problem.gcv(Lanes(l), &one);
            on_grid.extend(v.0[..group.len()].iter().map(|&x| [x; K]));
        }
    } else {
        on_grid.extend(grid.iter().map(|&l| problem.gcv(Lanes::splat(l), curves).0));
    }
    let best_k: [usize; K] = std::array::from_fn(|lane| {
        let (mut best_k, mut best) = (0, f64::INFINITY);
        for (k, v) in on_grid.iter().enumerate() {
            if v[lane] < best {
                best = v[lane];
                best_k = k;
            }
        }
        best_k
    });
    let mut a = best_k.map(|k| grid[k.saturating_sub(1)].ln());
    let mut b = best_k.map(|k| grid[(k + 1).min(grid.len() - 1)].ln());
    let phi = 0.5 * (5f64.sqrt() - 1.0);
    let mut c: [f64; K] = std::array::from_fn(|l| b[l] - phi * (b[l] - a[l]));
    let mut d: [f64; K] = std::array::from_fn(|l| a[l] + phi * (b[l] - a[l]));
    let gcv = |at: [f64; K]| problem.gcv(Lanes(at.map(f64::exp)), curves).0;
    let (mut fc, mut fd) = (gcv(c), gcv(d));
    for _ in 0..20 {
        let mut next = [0.0; K];
        let mut left = [false; K];
        for l in 0..K {
            if fc[l] < fd[l] {
                b[l] = d[l];
                d[l] = c[l];
                fd[l] = fc[l];
                c[l] = b[l] - phi * (b[l] - a[l]);
                (next[l], left[l]) = (c[l], true);
            } else {
                a[l] = c[l];
                c[l] = d[l];
                fc[l] = fd[l];
                d[l] = a[l] + phi * (b[l] - a[l]);
                next[l] = d[l];
            }
        }
        let v = gcv(next);
        for l in 0..K {
            if left[l] {
                fc[l] = v[l];
            } else {
                fd[l] = v[l];
            }
        }
    }
    std::array::from_fn(|l| (0.5 * (a[l] + b[l])).exp())
}

impl SmoothingSpline {
    /// Fits with λ chosen by GCV (`lambda = None`) or the given λ.
    pub fn fit(x: &[f64], y: &[f64], lambda: Option<f64>) -> Option<Self> {
        Self::fit_many(x, &[y], lambda).pop().flatten()
    }

    /// [`SmoothingSpline::fit`] of each of `ys` against `x`, each result bit for bit the one
    /// `fit` gives alone. Curves whose knots and weights are the same (the quantities of one
    /// series, as a rule) have their λ searched four at a time, in the lanes of one vector.
    pub fn fit_many(x: &[f64], ys: &[&[f64]], lambda: Option<f64>) -> Vec<Option<Self>> {
        let mut out: Vec<Option<Self>> = Vec::with_capacity(ys.len());
        // The curves still to search, with their problems.
        let mut searched: Vec<(usize, Problem)> = Vec::new();
        for y in ys {
            let (xs, ys, ws) = prepare(x, y);
            let n = xs.len();
            if n == 0 {
                out.push(None);
                continue;
            }
            if n < 3 {
                out.push(Some(SmoothingSpline {
                    gamma: vec![0.0; n],
                    f: ys,
                    edf: n as f64,
                    x: xs,
                    lambda: 0.0,
                }));
                continue;
            }
            let problem = Problem::new(xs, ys, ws);
            match lambda {
                Some(l) => out.push(Self::with_lambda(problem, l.max(0.0))),
                None => {
                    out.push(None);
                    searched.push((out.len() - 1, problem));
                }
            }
        }
        // Groups of up to four on the same knots and weights (by their bits).
        let bits_equal = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits())
        };
        let same = |p: &Problem, q: &Problem| bits_equal(&p.x, &q.x) && bits_equal(&p.w, &q.w);
        while let Some((first, problem)) = searched.pop() {
            let mut group = vec![(first, problem)];
            let mut k = searched.len();
            while k > 0 && group.len() < 4 {
                k -= 1;
                if same(&group[0].1, &searched[k].1) {
                    group.push(searched.remove(k));
                }
            }
            let chosen: Vec<f64> = if group.len() == 1 {
                gcv_search(&group[0].1, &CurveLanes::of([&group[0].1])).to_vec()
            } else {
                // Unused lanes repeat the last curve.
                let lanes: [&Problem; 4] =
                    std::array::from_fn(|l| &group[l.min(group.len() - 1)].1);
                gcv_search(&group[0].1, &CurveLanes::of(lanes)).to_vec()
            };
            for ((slot, problem), l) in group.into_iter().zip(chosen) {
                out[slot] = Self::with_lambda(problem, l);
            }
        }
        out
    }

    /// The spline of `problem` at λ.
    fn with_lambda(problem: Problem, chosen: f64) -> Option<Self> {
        let n = problem.x.len();
        let (f, gamma, _, edf) = problem.solve(chosen)?;
        let mut full_gamma = vec![0.0; n];
        full_gamma[1..n - 1].copy_from_slice(&gamma);
        Some(SmoothingSpline {
            x: problem.x,
            f,
            gamma: full_gamma,
            lambda: chosen,
            edf,
        })
    }

    /// The spline at `t` (the end values outside the knots).
    pub fn at(&self, t: f64) -> f64 {
        let n = self.x.len();
        if n == 0 || !t.is_finite() {
            return f64::NAN;
        }
        if n == 1 || t <= self.x[0] {
            return self.f[0];
        }
        if t >= self.x[n - 1] {
            return self.f[n - 1];
        }
        let i = self
            .x
            .partition_point(|&v| v <= t)
            .saturating_sub(1)
            .min(n - 2);
        let (x0, x1) = (self.x[i], self.x[i + 1]);
        let h = x1 - x0;
        let (a, b) = (t - x0, x1 - t);
        (a * self.f[i + 1] + b * self.f[i]) / h
            - a * b / 6.0 * ((1.0 + a / h) * self.gamma[i + 1] + (1.0 + b / h) * self.gamma[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_sine(n: usize, sigma: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut rng = crate::analysis::rng::SplitMix64(5);
        let x: Vec<f64> = (0..n).map(|i| 300.0 + 3.0 * i as f64).collect();
        let truth: Vec<f64> = x.iter().map(|t| (t / 60.0).sin()).collect();
        let y: Vec<f64> = truth.iter().map(|v| v + sigma * rng.normal()).collect();
        (x, y, truth)
    }

    /// GCV from [`Problem::solve`], as the search computed it before it had lanes.
    fn scalar_gcv(p: &Problem, l: f64) -> f64 {
        let n = p.x.len() as f64;
        match p.solve(l) {
            Some((_, _, rss, tr)) if tr < n - 1e-9 => n * rss / (n - tr).powi(2),
            _ => f64::INFINITY,
        }
    }

    #[test]
    fn gcv_in_lanes_has_the_bits_of_the_scalar_solve() {
        let mut rng = crate::analysis::rng::SplitMix64(11);
        for (trial, n) in [3usize, 4, 5, 9, 40, 151, 300].into_iter().enumerate() {
            // Uneven knots, uneven weights (merged repeats) and a wide range of values.
            let mut x = vec![0.0; n];
            for i in 1..n {
                x[i] = x[i - 1] + 0.5 + 5.0 * rng.uniform();
            }
            let y: Vec<f64> = x
                .iter()
                .map(|t| 1e3 * (t / 40.0).sin() + 50.0 * rng.normal())
                .collect();
            let w: Vec<f64> = (0..n)
                .map(|_| 1.0 + (3.0 * rng.uniform()).floor())
                .collect();
            let p = Problem::new(x.clone(), y, w);
            let scale = (x[n - 1] - x[0]).powi(3) / n as f64;
            let mut lambdas: Vec<f64> = (0..=24)
                .map(|k| scale * 10f64.powf(-14.0 + 1.1 * k as f64))
                .collect();
            // Interpolation, a negative λ (M indefinite for some) and a NaN.
            lambdas.extend([0.0, -1e-3 * scale, -scale, f64::NAN, 1e300]);
            let mut finite = 0;
            for group in lambdas.chunks(4) {
                let mut l = [group[group.len() - 1]; 4];
                l[..group.len()].copy_from_slice(group);
                let four = p.gcv(Lanes(l), &CurveLanes::of([&p; 4]));
                for (k, &lk) in l.iter().enumerate() {
                    let expected = scalar_gcv(&p, lk);
                    let one = p.gcv(Lanes([lk]), &CurveLanes::of([&p])).0[0];
                    assert_eq!(one.to_bits(), expected.to_bits(), "trial {trial} λ {lk}");
                    assert_eq!(
                        four.0[k].to_bits(),
                        expected.to_bits(),
                        "trial {trial} λ {lk}"
                    );
                    finite += usize::from(expected.is_finite());
                }
            }
            // The comparison covers real values, not only the ∞ of failed factorisations.
            assert!(finite >= 10 || n < 5, "trial {trial}: {finite}");
        }
    }

    /// λ by the scalar search as it was before lanes: the grid, then the golden section.
    fn scalar_search(p: &Problem) -> f64 {
        let grid = gcv_grid(&p.x);
        let (mut best_k, mut best) = (0, f64::INFINITY);
        for (k, &l) in grid.iter().enumerate() {
            let v = scalar_gcv(p, l);
            if v < best {
                best = v;
                best_k = k;
            }
        }
        let (mut a, mut b) = (
            grid[best_k.saturating_sub(1)].ln(),
            grid[(best_k + 1).min(grid.len() - 1)].ln(),
        );
        let phi = 0.5 * (5f64.sqrt() - 1.0);
        let (mut c, mut d) = (b - phi * (b - a), a + phi * (b - a));
        let (mut fc, mut fd) = (scalar_gcv(p, c.exp()), scalar_gcv(p, d.exp()));
        for _ in 0..20 {
            if fc < fd {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = scalar_gcv(p, c.exp());
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = scalar_gcv(p, d.exp());
            }
        }
        (0.5 * (a + b)).exp()
    }

    #[test]
    fn curves_searched_together_get_the_bits_of_the_scalar_search_alone() {
        let mut rng = crate::analysis::rng::SplitMix64(21);
        let n = 151;
        let x: Vec<f64> = (0..n).map(|i| 300.0 + 3.0 * i as f64).collect();
        // Seven curves of different shape and noise on the same knots (a group of four and one
        // of three), one with a gap (other knots: searched alone) and one too short to smooth.
        let mut ys: Vec<Vec<f64>> = (0..7)
            .map(|c| {
                let sigma = 0.01 * 3f64.powi(c);
                x.iter()
                    .map(|t| (t / (30.0 + 20.0 * c as f64)).sin() + sigma * rng.normal())
                    .collect()
            })
            .collect();
        let mut gap = ys[0].clone();
        gap[40] = f64::NAN;
        ys.push(gap);
        let mut short = vec![f64::NAN; n];
        short[3] = 1.0;
        ys.push(short);
        let refs: Vec<&[f64]> = ys.iter().map(|y| y.as_slice()).collect();
        let many = SmoothingSpline::fit_many(&x, &refs, None);
        assert_eq!(many.len(), ys.len());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (k, y) in ys.iter().enumerate() {
            let got = many[k].as_ref().expect("fits");
            let alone = SmoothingSpline::fit(&x, y, None).expect("fits");
            assert_eq!(got.lambda.to_bits(), alone.lambda.to_bits(), "curve {k}");
            assert_eq!(bits(&got.f), bits(&alone.f), "curve {k}");
            assert_eq!(got.edf.to_bits(), alone.edf.to_bits(), "curve {k}");
            let (xs, ys, ws) = prepare(&x, y);
            if xs.len() >= 3 {
                let expected = scalar_search(&Problem::new(xs, ys, ws));
                assert_eq!(got.lambda.to_bits(), expected.to_bits(), "curve {k}");
            }
        }
        // The curves differ, so their λ do: the lanes did not share a search.
        let lambdas: Vec<f64> = many[..7].iter().flatten().map(|s| s.lambda).collect();
        for i in 0..lambdas.len() {
            for j in 0..i {
                assert_ne!(lambdas[i], lambdas[j], "curves {i} and {j}");
            }
        }
        // A given λ gives the same spline either way.
        let fixed = SmoothingSpline::fit_many(&x, &refs, Some(1e4));
        let alone = SmoothingSpline::fit(&x, &ys[2], Some(1e4)).expect("fits");
        assert_eq!(fixed[2].as_ref().map(|s| bits(&s.f)), Some(bits(&alone.f)));
    }

    #[test]
    fn trace_from_the_band_matches_a_dense_computation() {
        let (x, y, _) = noisy_sine(12, 0.1);
        let p = Problem::new(x, y, vec![1.0; 12]);
        let lambda = 500.0;
        let (_, _, _, tr) = p.solve(lambda).expect("solves");
        // Dense: A = I − λ Q (R + λ QᵀQ)⁻¹ Qᵀ, trace by columns.
        let n = 12;
        let m = n - 2;
        let mut qmat = vec![vec![0.0; m]; n];
        for j in 0..m {
            qmat[j][j] = 1.0 / p.h[j];
            qmat[j + 1][j] = -1.0 / p.h[j] - 1.0 / p.h[j + 1];
            qmat[j + 2][j] = 1.0 / p.h[j + 1];
        }
        let mut dense = vec![vec![0.0; m]; m];
        for i in 0..m {
            dense[i][i] = p.r0[i];
            if i + 1 < m {
                dense[i][i + 1] = p.r1[i];
                dense[i + 1][i] = p.r1[i];
            }
            for j in 0..m {
                dense[i][j] += lambda * (0..n).map(|k| qmat[k][i] * qmat[k][j]).sum::<f64>();
            }
        }
        let m0: Vec<f64> = (0..m).map(|i| dense[i][i]).collect();
        let m1: Vec<f64> = (0..m)
            .map(|i| if i + 1 < m { dense[i][i + 1] } else { 0.0 })
            .collect();
        let m2: Vec<f64> = (0..m)
            .map(|i| if i + 2 < m { dense[i][i + 2] } else { 0.0 })
            .collect();
        let fac = Banded::factor(&m0, &m1, &m2).expect("factor");
        let mut trace_a = 0.0;
        for k in 0..n {
            let qk: Vec<f64> = (0..m).map(|j| qmat[k][j]).collect();
            let z = fac.solve(&qk);
            trace_a += 1.0 - lambda * (0..m).map(|j| qmat[k][j] * z[j]).sum::<f64>();
        }
        assert!((tr - trace_a).abs() < 1e-9, "{tr} vs {trace_a}");
        // And the solve agrees with the dense matrix.
        let b: Vec<f64> = (0..m).map(|i| i as f64 + 1.0).collect();
        let z = fac.solve(&b);
        for i in 0..m {
            let back: f64 = (0..m).map(|j| dense[i][j] * z[j]).sum();
            assert!((back - b[i]).abs() < 1e-9);
        }
    }

    #[test]
    fn limits_interpolate_and_regress() {
        let (x, y, _) = noisy_sine(30, 0.1);
        let tiny = SmoothingSpline::fit(&x, &y, Some(1e-9)).expect("fit");
        for (a, b) in tiny.f.iter().zip(&y) {
            assert!((a - b).abs() < 1e-6);
        }
        assert!((tiny.edf - 30.0).abs() < 1e-3);
        let huge = SmoothingSpline::fit(&x, &y, Some(1e15)).expect("fit");
        assert!(
            (huge.edf - 2.0).abs() < 1e-3,
            "a straight line has 2 degrees of freedom: {}",
            huge.edf
        );
        // The straight line is the least-squares line.
        let n = 30.0;
        let mx = x.iter().sum::<f64>() / n;
        let my = y.iter().sum::<f64>() / n;
        let slope = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>()
            / x.iter().map(|a| (a - mx).powi(2)).sum::<f64>();
        assert!((huge.at(x[10]) - (my + slope * (x[10] - mx))).abs() < 1e-6);
    }

    #[test]
    fn gcv_smooths_noise_towards_the_truth() {
        let (x, y, truth) = noisy_sine(150, 0.05);
        let s = SmoothingSpline::fit(&x, &y, None).expect("fit");
        let err_data = (y
            .iter()
            .zip(&truth)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / 150.0)
            .sqrt();
        let err_fit =
            (s.f.iter()
                .zip(&truth)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                / 150.0)
                .sqrt();
        assert!(err_fit < 0.5 * err_data, "fit {err_fit} vs data {err_data}");
        assert!(s.edf > 3.0 && s.edf < 30.0, "edf {}", s.edf);
        // Between knots the curve is smooth and close to the truth.
        let mid = 300.0 + 3.0 * 70.5;
        assert!((s.at(mid) - (mid / 60.0).sin()).abs() < 0.05);
    }

    #[test]
    fn nan_repeats_and_short_input() {
        let s = SmoothingSpline::fit(
            &[1.0, 2.0, 2.0, 3.0, f64::NAN, 4.0],
            &[1.0, 2.0, 4.0, 3.0, 9.0, 4.0],
            Some(1e-9),
        )
        .expect("fit");
        assert_eq!(s.x, vec![1.0, 2.0, 3.0, 4.0]);
        assert!((s.f[1] - 3.0).abs() < 1e-6, "repeats merged to their mean");
        assert!(SmoothingSpline::fit(&[], &[], None).is_none());
        let two = SmoothingSpline::fit(&[1.0, 2.0], &[5.0, 6.0], None).expect("two points");
        assert_eq!(two.f, vec![5.0, 6.0]);
    }
}
