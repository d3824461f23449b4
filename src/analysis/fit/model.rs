//! The connection-mode model: four Gaussians plus an optional constant baseline,
//! m(r) = b + Σᵢ Aᵢ eᵢ(r) with eᵢ(r) = exp(−(r − cᵢ)²/(2sᵢ²)).
//!
//! - [`Layout`]: the parameter vector [A₁..A₄, c₁..c₄, s (shared) or s₁..s₄, b?], its bounds
//!   (Aᵢ ≥ 0, |cᵢ − seedᵢ| ≤ tolerance, s in the width bounds, b free) and packing.
//! - [`gaussian_row`]: eᵢ at every point; on a uniform grid by the recurrence
//!   eₖ₊₁ = eₖ qₖ, qₖ₊₁ = qₖ e^{−h²/s²} (three exponentials per curve).
//! - [`ConnectionModel`]: residuals m(rₖ) − yₖ and the analytic Jacobian (column-major)
//!   ∂m/∂Aᵢ = eᵢ, ∂m/∂cᵢ = Aᵢ eᵢ (r − cᵢ)/sᵢ², ∂m/∂sᵢ = Aᵢ eᵢ (r − cᵢ)²/sᵢ³ (summed over i for
//!   the shared width), ∂m/∂b = 1. The Jacobian reuses the Gaussian rows of the latest
//!   residual evaluation, i.e. of the accepted trial, so an accepted step costs no exponential.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::FitParams;
use super::solver::LeastSquares;

/// Parameter layout: [A1..A4, c1..c4, s1 (or s1..s4), b?].
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub free_widths: bool,
    pub baseline: bool,
}

impl Layout {
    pub fn len(&self) -> usize {
        8 + if self.free_widths { 4 } else { 1 } + usize::from(self.baseline)
    }
    pub fn width_index(&self, i: usize) -> usize {
        if self.free_widths { 8 + i } else { 8 }
    }
    pub fn baseline_index(&self) -> Option<usize> {
        self.baseline.then(|| self.len() - 1)
    }

    /// Lower and upper bounds: Aᵢ ≥ 0, cᵢ within `tolerance` of its seed, widths within
    /// `width_bounds`, the baseline free.
    pub fn bounds(&self, opts: &FitParams) -> (Vec<f64>, Vec<f64>) {
        let np = self.len();
        let (smin, smax) = opts.width_bounds;
        let mut lower = vec![0.0; np];
        let mut upper = vec![f64::INFINITY; np];
        for i in 0..4 {
            lower[4 + i] = opts.seeds[i] - opts.tolerance;
            upper[4 + i] = opts.seeds[i] + opts.tolerance;
            lower[self.width_index(i)] = smin;
            upper[self.width_index(i)] = smax;
        }
        if let Some(b) = self.baseline_index() {
            lower[b] = f64::NEG_INFINITY;
        }
        (lower, upper)
    }

    /// The parameter vector (with a shared width, the last of `widths` is the one kept; the
    /// baseline is dropped when the layout has none).
    pub fn pack(
        &self,
        amplitudes: &[f64; 4],
        centres: &[f64; 4],
        widths: &[f64; 4],
        baseline: f64,
    ) -> Vec<f64> {
        let mut p = vec![0.0; self.len()];
        for i in 0..4 {
            p[i] = amplitudes[i];
            p[4 + i] = centres[i];
            p[self.width_index(i)] = widths[i];
        }
        if let Some(b) = self.baseline_index() {
            p[b] = baseline;
        }
        p
    }

    /// Amplitudes, centres, widths and baseline of a parameter-shaped vector (values or their
    /// errors); `no_baseline` stands in for the baseline when the layout has none.
    pub fn unpack(&self, v: &[f64], no_baseline: f64) -> Unpacked {
        Unpacked {
            amplitudes: std::array::from_fn(|i| v[i]),
            centres: std::array::from_fn(|i| v[4 + i]),
            widths: std::array::from_fn(|i| v[self.width_index(i)]),
            baseline: self.baseline_index().map_or(no_baseline, |b| v[b]),
        }
    }
}

/// A parameter-shaped vector split by meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Unpacked {
    pub amplitudes: [f64; 4],
    pub centres: [f64; 4],
    pub widths: [f64; 4],
    pub baseline: f64,
}

/// exp(−(rₖ − c)²/(2s²)) for every rₖ. On a uniform grid (`step` = Some(h)) it uses the
/// Gaussian recurrence eₖ₊₁ = eₖ qₖ, qₖ₊₁ = qₖ e^{−h²/s²}, run outwards from the point nearest
/// the centre so nothing underflows before it matters: three exponentials per curve instead of
/// one per point (relative error ~ 1e-13, tested against `exp`).
#[inline(always)]
pub(super) fn gaussian_row(r: &[f64], step: Option<f64>, centre: f64, width: f64, out: &mut [f64]) {
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

/// The four rows eᵢ(rₖ) = exp(−(rₖ − cᵢ)²/(2sᵢ²)) at once: each row gets exactly the
/// arithmetic of [`gaussian_row`] (so the same bits), but on a uniform grid the four
/// recurrences advance in lockstep, so eight independent multiplication chains are in flight
/// instead of two (a lone recurrence waits on the latency of each multiplication).
#[inline(always)]
pub(super) fn gaussian_rows(
    r: &[f64],
    step: Option<f64>,
    centres: [f64; 4],
    widths: [f64; 4],
    out: &mut [Vec<f64>; 4],
) {
    let n = r.len();
    let Some(h) = step.filter(|_| n > 2) else {
        for i in 0..4 {
            gaussian_row(r, step, centres[i], widths[i], &mut out[i]);
        }
        return;
    };
    // Per row: the nearest point kc, the forward (q) and backward (p) chain multipliers and
    // f⁴, exactly as in `gaussian_row`.
    let mut kc = [0usize; 4];
    let mut f4 = [0.0; 4];
    let mut fwd = [[0.0; 2]; 4];
    let mut bwd = [[0.0; 2]; 4];
    for i in 0..4 {
        let (centre, width) = (centres[i], widths[i]);
        let two_var = 2.0 * width * width;
        let k = (((centre - r[0]) / h).round().max(0.0) as usize).min(n - 1);
        let d = r[k] - centre;
        let row = &mut out[i];
        row[k] = (-(d * d) / two_var).exp();
        let factor = (-(h * h) / (width * width)).exp();
        f4[i] = factor * factor * factor * factor;
        let q = (-(2.0 * d * h + h * h) / two_var).exp();
        if k + 1 < n {
            row[k + 1] = row[k] * q;
        }
        fwd[i] = [q * q * factor, q * factor * q * factor * factor];
        let p = ((2.0 * d * h - h * h) / two_var).exp();
        if k >= 1 {
            row[k - 1] = row[k] * p;
        }
        bwd[i] = [p * p * factor, p * factor * p * factor * factor];
        kc[i] = k;
    }
    // Forward: pairs (k, k + 1) from kc + 2 while k + 1 < n, then a last single point.
    let pairs: [usize; 4] = std::array::from_fn(|i| n.saturating_sub(kc[i] + 2) / 2);
    let most = pairs.iter().copied().max().unwrap_or(0);
    for t in 0..most {
        for i in 0..4 {
            if t < pairs[i] {
                let k = kc[i] + 2 + 2 * t;
                let row = &mut out[i];
                row[k] = row[k - 2] * fwd[i][0];
                row[k + 1] = row[k - 1] * fwd[i][1];
                fwd[i][0] *= f4[i];
                fwd[i][1] *= f4[i];
            }
        }
    }
    for i in 0..4 {
        let k = kc[i] + 2 + 2 * pairs[i];
        if k < n {
            out[i][k] = out[i][k - 2] * fwd[i][0];
        }
    }
    // Backward: pairs (k, k − 1) from kc − 2 while k ≥ 1, then a last point at k = 0.
    let pairs: [usize; 4] = std::array::from_fn(|i| kc[i].saturating_sub(1) / 2);
    let most = pairs.iter().copied().max().unwrap_or(0);
    for t in 0..most {
        for i in 0..4 {
            if t < pairs[i] {
                let k = kc[i] - 2 - 2 * t;
                let row = &mut out[i];
                row[k] = row[k + 2] * bwd[i][0];
                row[k - 1] = row[k + 1] * bwd[i][1];
                bwd[i][0] *= f4[i];
                bwd[i][1] *= f4[i];
            }
        }
    }
    for i in 0..4 {
        if kc[i] >= 2 && kc[i] % 2 == 0 {
            out[i][0] = out[i][2] * bwd[i][0];
        }
    }
}

/// The fit problem on the window: the points, the layout and the Gaussian rows of the latest
/// residual evaluation.
pub(super) struct ConnectionModel<'a> {
    layout: Layout,
    r: &'a [f64],
    /// The grid step when `r` is uniform (enables the recurrence in [`gaussian_row`]).
    step: Option<f64>,
    y: &'a [f64],
    /// eᵢ(rₖ) at the parameters of the latest [`LeastSquares::residuals`] call.
    rows: [Vec<f64>; 4],
}

impl<'a> ConnectionModel<'a> {
    pub fn new(layout: Layout, r: &'a [f64], step: Option<f64>, y: &'a [f64]) -> Self {
        let n = r.len();
        ConnectionModel {
            layout,
            r,
            step,
            y,
            rows: std::array::from_fn(|_| vec![0.0; n]),
        }
    }
}

impl LeastSquares for ConnectionModel<'_> {
    fn parameters(&self) -> usize {
        self.layout.len()
    }

    fn points(&self) -> usize {
        self.r.len()
    }

    /// Residuals model − data; keeps the Gaussian rows for [`Self::jacobian`].
    #[inline(always)]
    fn residuals(&mut self, p: &[f64], residual: &mut [f64]) {
        let layout = &self.layout;
        let base = layout.baseline_index().map_or(0.0, |b| p[b]);
        let centres = [p[4], p[5], p[6], p[7]];
        let widths: [f64; 4] = std::array::from_fn(|i| p[layout.width_index(i)]);
        gaussian_rows(self.r, self.step, centres, widths, &mut self.rows);
        let n = self.r.len();
        let (y, residual) = (&self.y[..n], &mut residual[..n]);
        let rows: [&[f64]; 4] = std::array::from_fn(|i| &self.rows[i][..n]);
        for k in 0..n {
            let mut model = base;
            for i in 0..4 {
                model += p[i] * rows[i][k];
            }
            residual[k] = model - y[k];
        }
    }

    /// The Jacobian (column-major: column j holds ∂model/∂pⱼ at every point) from the Gaussian
    /// rows kept by the latest [`Self::residuals`] call, which must have been at `p`.
    #[inline(always)]
    fn jacobian(&mut self, p: &[f64], jac: &mut [f64]) {
        let (layout, r, rows) = (&self.layout, self.r, &self.rows);
        let n = r.len();
        if let Some(b) = layout.baseline_index() {
            jac[b * n..(b + 1) * n].fill(1.0);
        }
        if !layout.free_widths {
            jac[8 * n..9 * n].fill(0.0);
        }
        for i in 0..4 {
            let (a, c, s) = (p[i], p[4 + i], p[layout.width_index(i)]);
            // Multiplying by 1/s² and 1/s³ instead of dividing every point: a division costs
            // several multiplications, and the columns differ by an ulp at most.
            let (inv_s2, inv_s3) = (1.0 / (s * s), 1.0 / (s * s * s));
            let w = layout.width_index(i);
            if layout.free_widths {
                jac[w * n..(w + 1) * n].fill(0.0);
            }
            let (left, right) = jac.split_at_mut(w * n);
            let width_column = &mut right[..n];
            let amplitude_column = &mut left[i * n..(i + 1) * n];
            let row = &rows[i][..n];
            amplitude_column.copy_from_slice(row);
            let centre_column = &mut left[(4 + i) * n..(5 + i) * n];
            for k in 0..n {
                let e = row[k];
                let d = r[k] - c;
                centre_column[k] = a * e * d * inv_s2;
                width_column[k] += a * e * d * d * inv_s3;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::SplitMix64;

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
    fn four_rows_in_lockstep_are_the_single_rows_bit_for_bit() {
        let mut rng = SplitMix64(77);
        for n in [3usize, 4, 5, 6, 7, 40, 271] {
            let r: Vec<f64> = (0..n).map(|i| 3.9 + 0.01 * i as f64).collect();
            let hi = r[n - 1];
            for _ in 0..200 {
                // Centres before, inside and past the grid; widths from narrow to broad.
                let centres: [f64; 4] = std::array::from_fn(|_| 3.7 + (hi - 3.5) * rng.uniform());
                let widths: [f64; 4] = std::array::from_fn(|_| 0.02 + 0.6 * rng.uniform());
                let mut rows: [Vec<f64>; 4] = std::array::from_fn(|_| vec![f64::NAN; n]);
                gaussian_rows(&r, Some(0.01), centres, widths, &mut rows);
                for i in 0..4 {
                    let mut single = vec![f64::NAN; n];
                    gaussian_row(&r, Some(0.01), centres[i], widths[i], &mut single);
                    for k in 0..n {
                        assert_eq!(
                            rows[i][k].to_bits(),
                            single[k].to_bits(),
                            "n {n} row {i} k {k}: c {} s {}",
                            centres[i],
                            widths[i]
                        );
                    }
                }
            }
        }
    }

    /// Random parameters inside the default bounds, amplitudes away from 0.
    fn random_parameters(rng: &mut SplitMix64, layout: &Layout, opts: &FitParams) -> Vec<f64> {
        let (lower, upper) = layout.bounds(opts);
        (0..layout.len())
            .map(|i| {
                let u = rng.uniform();
                if i < 4 {
                    0.05 + 0.5 * u
                } else if layout.baseline_index() == Some(i) {
                    2.0 * u - 1.0
                } else {
                    lower[i] + (upper[i] - lower[i]) * u
                }
            })
            .collect()
    }

    #[test]
    fn the_jacobian_matches_central_differences_at_random_parameters() {
        let opts = FitParams::default();
        let mut rng = SplitMix64(2024);
        let uniform: Vec<f64> = (0..=270).map(|i| 3.9 + 0.01 * i as f64).collect();
        // A non-uniform grid takes the plain-exponential path.
        let scattered: Vec<f64> = (0..200)
            .map(|i| 3.9 + 2.7 * (i as f64 / 199.0).powf(1.3))
            .collect();
        for (free_widths, baseline) in [(false, true), (true, false), (true, true), (false, false)]
        {
            let layout = Layout {
                free_widths,
                baseline,
            };
            for (r, step) in [(&uniform, Some(0.01)), (&scattered, None)] {
                let y: Vec<f64> = r.iter().map(|_| rng.normal()).collect();
                let mut model = ConnectionModel::new(layout, r, step, &y);
                let (n, np) = (model.points(), model.parameters());
                for _ in 0..10 {
                    let p = random_parameters(&mut rng, &layout, &opts);
                    let mut res = vec![0.0; n];
                    let mut jac = vec![0.0; n * np];
                    model.residuals(&p, &mut res);
                    model.jacobian(&p, &mut jac);
                    let (mut plus, mut minus) = (vec![0.0; n], vec![0.0; n]);
                    for j in 0..np {
                        let h = 1e-6 * (1.0 + p[j].abs());
                        let mut q = p.clone();
                        q[j] = p[j] + h;
                        model.residuals(&q, &mut plus);
                        q[j] = p[j] - h;
                        model.residuals(&q, &mut minus);
                        for k in 0..n {
                            let numeric = (plus[k] - minus[k]) / (2.0 * h);
                            let analytic = jac[j * n + k];
                            assert!(
                                (numeric - analytic).abs() <= 1e-6 * (1.0 + analytic.abs()),
                                "widths {free_widths} baseline {baseline} step {step:?} \
                                 p{j} r {}: {analytic} vs {numeric}",
                                r[k]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn residuals_are_model_minus_data_and_the_layout_round_trips() {
        let layout = Layout {
            free_widths: true,
            baseline: true,
        };
        assert_eq!(layout.len(), 13);
        assert_eq!(layout.baseline_index(), Some(12));
        let (a, c, s) = (
            [0.1, 0.2, 0.3, 0.4],
            [4.0, 4.5, 5.0, 5.5],
            [0.2, 0.3, 0.4, 0.5],
        );
        let p = layout.pack(&a, &c, &s, 0.7);
        let u = layout.unpack(&p, f64::NAN);
        assert_eq!(
            (u.amplitudes, u.centres, u.widths, u.baseline),
            (a, c, s, 0.7)
        );
        let shared = Layout {
            free_widths: false,
            baseline: false,
        };
        let q = shared.pack(&a, &c, &s, 0.7);
        assert_eq!(q.len(), 9);
        assert_eq!(q[8], 0.5, "the last width is the shared one");
        assert_eq!(shared.unpack(&q, 0.0).baseline, 0.0);

        let r = [4.0, 4.3, 5.1];
        let y = [1.0, 2.0, 3.0];
        let mut model = ConnectionModel::new(layout, &r, None, &y);
        let mut res = [0.0; 3];
        model.residuals(&p, &mut res);
        for k in 0..3 {
            let m: f64 = 0.7
                + (0..4)
                    .map(|i| a[i] * (-(r[k] - c[i]).powi(2) / (2.0 * s[i] * s[i])).exp())
                    .sum::<f64>();
            assert!((res[k] - (m - y[k])).abs() < 1e-15);
        }
    }
}
