//! Standard errors at the solution.
//!
//! - Covariance over the free set F (rows and columns outside F are 0; all NaN when (JᵀJ)_FF is
//!   singular), in one of two forms:
//!   - **correlated residuals** (g(r) transformed from S(Q) up to a known Qmax): the HAC
//!     sandwich (Newey–West) C = B M B · n/(n − |F|), with bread B = (JᵀJ)_FF⁻¹ and meat
//!     M = Σᵢ Σⱼ w(i − j) sᵢ sⱼᵀ, sᵢ = Jᵢ eᵢ (Jacobian row times residual), Bartlett weights
//!     w(k) = 1 − |k|/(L + 1) for |k| ≤ L, and lag L = ⌈4 n/N_ind⌉ points, N_ind =
//!     Qmax·(r_hi − r_lo)/π independent values in the window (clamped to [|F| + 1, n]).
//!   - **independent residuals** (no Qmax: real-space input without a `qmax` header):
//!     C = B · RSS/(n − |F|) (at least 1 in the denominator), the textbook form.
//!
//!   Why: G(r) is a transform of S(Q) measured up to Qmax, so neighbouring samples of g(r) are
//!   not independent — over a window of width Δr only about N_ind = Qmax·Δr/π of them are
//!   (SCIENCE.md, Uncertainties). The textbook form then misstates the errors, but not by a
//!   fixed √(n/N_ind): the noise of S(Q) grows with Q and F(Q) = Q(S − 1) weights it by Q
//!   again, so most of the noise power of G(r) sits near Qmax, at r-frequencies the smooth
//!   Gaussians hardly respond to, while the residual also carries slowly varying misfit
//!   (termination ripples). Scaling the textbook covariance by n/N_ind assumes a flat
//!   spectrum: on synthetic series (`tests/suite/uncertainty.rs`) it overstated the scatter of
//!   the fractions 2.5–4×. The sandwich estimates the long-run covariance of the score Jᵢeᵢ
//!   from the residuals themselves, so it weighs the noise at the frequencies each parameter
//!   responds to; it came within 0.9–1.4× of the pattern-to-pattern scatter there. The lag
//!   spans four zero crossings of the sinc-shaped autocorrelation of a band-limited transform
//!   (its first zero is at π/Qmax; its oscillating tail needs several lobes to cancel) while
//!   staying below a fifth of the default window (≈ 0.5 Å of 2.7 Å at Qmax = 25 Å⁻¹), so it
//!   averages over several independent blocks. (With the Lorch modification the correlation is
//!   about 1.5× longer, so the lag spans fewer lobes; it still spans more than two.) A residual
//!   block bootstrap would estimate the same thing with hundreds of refits per pattern.
//!   The Bartlett-weighted sum is computed in O(n·|F|²) as Σᵢ sᵢ (T s)ᵢᵀ, the triangular
//!   filter T being two running box sums of length L + 1 (zero outside the window).
//! - F leaves out a parameter at a bound (within 1e-12 relative): its error is 0, as in MPFIT.
//!   It also leaves out the centre (and, with free widths, the own width) of a Gaussian whose
//!   amplitude is at its lower bound 0: that centre does not enter the model, so it is
//!   undetermined and its error is NaN.
//! - Standard error √Cᵢᵢ (negative rounding clipped to 0); a NaN stays NaN (`f64::max` would
//!   turn it into 0).
//! - Fractions fᵢ = aᵢ/Σaⱼ of the areas aᵢ = Aᵢsᵢ, with the delta-method error
//!   √(∇fᵢᵀ C ∇fᵢ), ∂fᵢ/∂aⱼ = (δᵢⱼ − fᵢ)/Σa, ∂aⱼ/∂Aⱼ = sⱼ, ∂aⱼ/∂sⱼ = Aⱼ (a shared width
//!   collects the terms of all four).

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::linalg::{gram, invert_spd};
use super::model::Layout;

/// The parameters' covariance and standard errors.
#[derive(Debug, Clone)]
pub(super) struct Errors {
    /// np × np, row-major; NaN everywhere when singular.
    pub covariance: Vec<f64>,
    /// One per parameter: 0 at a bound, NaN when undetermined or singular.
    pub standard: Vec<f64>,
    /// (JᵀJ)_FF could not be inverted.
    pub singular: bool,
}

impl Errors {
    /// Not computed: NaN covariance and standard errors, not flagged singular.
    pub fn unknown(np: usize) -> Self {
        Errors {
            covariance: vec![f64::NAN; np * np],
            standard: vec![f64::NAN; np],
            singular: false,
        }
    }
}

/// C = (JᵀJ)_FF⁻¹ · cost/(n − |F|) on the parameters in `free`, 0 elsewhere; None if singular.
#[inline(always)]
pub(super) fn covariance(
    jac: &[f64],
    n: usize,
    np: usize,
    cost: f64,
    free: &[usize],
    gram_at_p: Option<&[f64]>,
) -> Option<Vec<f64>> {
    let dof = n.saturating_sub(free.len()).max(1);
    let sigma2 = cost / dof as f64;
    let nf = free.len();
    let inv = bread(jac, n, np, free, gram_at_p)?;
    let mut cov = vec![0.0; np * np];
    for (ii, &i) in free.iter().enumerate() {
        for (jj, &j) in free.iter().enumerate() {
            cov[i * np + j] = inv[ii * nf + jj] * sigma2;
        }
    }
    Some(cov)
}

/// (JᵀJ)_FF⁻¹ (|F| × |F|); None if singular. `gram_at_p` is JᵀJ when the solver already has
/// it (the same dot products, so the same bits).
#[inline(always)]
fn bread(
    jac: &[f64],
    n: usize,
    np: usize,
    free: &[usize],
    gram_at_p: Option<&[f64]>,
) -> Option<Vec<f64>> {
    let computed;
    let jtj = match gram_at_p {
        Some(g) if g.len() == np * np => g,
        _ => {
            computed = gram(jac, n, np);
            &computed[..]
        }
    };
    let nf = free.len();
    let mut sub = vec![0.0; nf * nf];
    for (ii, &i) in free.iter().enumerate() {
        for (jj, &j) in free.iter().enumerate() {
            sub[ii * nf + jj] = jtj[i * np + j];
        }
    }
    invert_spd(&sub, nf)
}

/// Bartlett-filtered `s`: tᵢ = Σⱼ (1 − |i − j|/(L + 1))₊ sⱼ, with `s` zero outside its range,
/// as two running box sums of length m = L + 1 (their convolution is the triangle m − |k|).
#[cfg(test)]
fn bartlett_filter(s: &[f64], lag: usize) -> Vec<f64> {
    let n = s.len();
    let m = lag + 1;
    // prefix[j] = Σ_{k<j} s_k.
    let mut prefix = vec![0.0; n + 1];
    for j in 0..n {
        prefix[j + 1] = prefix[j] + s[j];
    }
    // u_l = Σ_{j=l}^{l+m−1} s_j for l = −(m − 1) … n − 1, stored at l + m − 1.
    let at = |j: isize| prefix[j.clamp(0, n as isize) as usize];
    let len = n + m - 1;
    let mut u_prefix = vec![0.0; len + 1];
    for k in 0..len {
        let l = k as isize - (m as isize - 1);
        let u = at(l + m as isize) - at(l);
        u_prefix[k + 1] = u_prefix[k] + u;
    }
    // t_i = Σ_{l=i−m+1}^{i} u_l, i.e. stored indices i … i + m − 1.
    (0..n)
        .map(|i| (u_prefix[i + m] - u_prefix[i]) / m as f64)
        .collect()
}

/// [`bartlett_filter`] of `LANES` vectors of one length at once, each with exactly its own
/// arithmetic (the same bits): the running sums are chains of dependent additions, so advancing
/// several in lockstep keeps the adder busy instead of waiting on each sum in turn.
#[inline(always)]
fn bartlett_filter_lanes<const LANES: usize>(s: [&[f64]; LANES], lag: usize) -> [Vec<f64>; LANES] {
    let n = s[0].len();
    let m = lag + 1;
    // The running sums stay in registers (`run`), not read back from the array just written.
    let mut prefix = vec![[0.0; LANES]; n + 1];
    let mut run = [0.0; LANES];
    for j in 0..n {
        for (v, x) in run.iter_mut().zip(&s) {
            *v += x[j];
        }
        prefix[j + 1] = run;
    }
    let at = |j: isize| prefix[j.clamp(0, n as isize) as usize];
    let len = n + m - 1;
    let mut u_prefix = vec![[0.0; LANES]; len + 1];
    let mut run = [0.0; LANES];
    for k in 0..len {
        let l = k as isize - (m as isize - 1);
        let (hi, lo) = (at(l + m as isize), at(l));
        for v in 0..LANES {
            run[v] += hi[v] - lo[v];
        }
        u_prefix[k + 1] = run;
    }
    // The lanes' quotients as one vector operation (division is the costly step), then each
    // stored in its own output.
    let mf = m as f64;
    let mut out: [Vec<f64>; LANES] = std::array::from_fn(|_| vec![0.0; n]);
    for (i, (hi, lo)) in u_prefix[m..].iter().zip(&u_prefix[..n]).enumerate() {
        let quotient: [f64; LANES] = std::array::from_fn(|v| (hi[v] - lo[v]) / mf);
        for (o, q) in out.iter_mut().zip(quotient) {
            o[i] = q;
        }
    }
    out
}

/// The product of two n × n row-major matrices. Each element is the sum over k in order from
/// −0.0, as `Iterator::sum` forms it (the same bits), but the elements of a row advance together
/// instead of one dependent chain at a time.
fn square_product(left: &[f64], right: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![-0.0; n * n];
    for (row, out_row) in left.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
        for (&l, right_row) in row.iter().zip(right.chunks_exact(n)) {
            for (o, &r) in out_row.iter_mut().zip(right_row) {
                *o += l * r;
            }
        }
    }
    out
}

/// The HAC sandwich B M B · n/(n − |F|) on the parameters in `free` (0 elsewhere) from the
/// Jacobian `jac` (column-major) and the residuals at the solution, Bartlett lag `lag`;
/// None if singular.
#[inline(always)]
pub(super) fn hac_covariance(
    jac: &[f64],
    residuals: &[f64],
    np: usize,
    free: &[usize],
    lag: usize,
    gram_at_p: Option<&[f64]>,
) -> Option<Vec<f64>> {
    let n = residuals.len();
    let b = bread(jac, n, np, free, gram_at_p)?;
    let nf = free.len();
    let score: Vec<Vec<f64>> = free
        .iter()
        .map(|&a| (0..n).map(|i| jac[a * n + i] * residuals[i]).collect())
        .collect();
    const LANES: usize = 4;
    let zeros = vec![0.0; n];
    let mut filtered: Vec<Vec<f64>> = Vec::with_capacity(nf + LANES);
    for group in score.chunks(LANES) {
        let lanes: [&[f64]; LANES] =
            std::array::from_fn(|v| group.get(v).map_or(&zeros[..], |s| &s[..]));
        filtered.extend(
            bartlett_filter_lanes(lanes, lag)
                .into_iter()
                .take(group.len()),
        );
    }
    let mut meat = vec![0.0; nf * nf];
    for a in 0..nf {
        for c in 0..nf {
            meat[a * nf + c] = super::linalg::dot(&score[a], &filtered[c]);
        }
    }
    // Symmetrise (the filtered products agree up to rounding).
    for a in 0..nf {
        for c in 0..a {
            let v = 0.5 * (meat[a * nf + c] + meat[c * nf + a]);
            meat[a * nf + c] = v;
            meat[c * nf + a] = v;
        }
    }
    let scale = n as f64 / n.saturating_sub(nf).max(1) as f64;
    let bmb = square_product(&square_product(&b, &meat, nf), &b, nf);
    let mut cov = vec![0.0; np * np];
    for (ii, &i) in free.iter().enumerate() {
        for (jj, &j) in free.iter().enumerate() {
            cov[i * np + j] = scale * bmb[ii * nf + jj];
        }
    }
    Some(cov)
}

/// The Bartlett lag for a window of `n` points holding `independent` independent values
/// (N_ind, clamped to [|F| + 1, n]): ⌈4 n/N_ind⌉, at most n − 1; 0 (independent residuals,
/// the textbook covariance) when N_ind is NaN.
pub(super) fn bartlett_lag(n: usize, free: usize, independent: f64) -> usize {
    if independent.is_nan() || n < 2 {
        return 0;
    }
    let n_ind = independent.min(n as f64).max(free as f64 + 1.0);
    ((4.0 * n as f64 / n_ind).ceil() as usize).min(n - 1)
}

/// The covariance and standard errors at the solution `p` with `cost` = RSS, its Jacobian
/// `jac` (column-major, n points) and `residuals`, under the at-bound and undetermined rules
/// above; `independent` is N_ind (NaN: residuals independent, the textbook form); `gram_at_p`
/// is JᵀJ at `p` when the solver has it.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn parameter_errors(
    layout: &Layout,
    p: &[f64],
    lower: &[f64],
    upper: &[f64],
    jac: &[f64],
    residuals: &[f64],
    cost: f64,
    independent: f64,
    gram_at_p: Option<&[f64]>,
) -> Errors {
    let np = layout.len();
    let n = jac.len() / np;
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
    let lag = bartlett_lag(n, free.len(), independent);
    let cov = if lag > 0 && residuals.len() == n {
        hac_covariance(jac, residuals, np, &free, lag, gram_at_p)
    } else {
        covariance(jac, n, np, cost, &free, gram_at_p)
    };
    let (covariance, singular) = match cov {
        Some(cov) => (cov, false),
        None => (vec![f64::NAN; np * np], true),
    };
    // NaN (singular, or undetermined) stays NaN: `f64::max` would turn it into 0.
    let standard = (0..np)
        .map(|i| {
            if undetermined[i] {
                f64::NAN
            } else {
                let v = covariance[i * np + i];
                if v.is_nan() {
                    f64::NAN
                } else {
                    v.max(0.0).sqrt()
                }
            }
        })
        .collect();
    Errors {
        covariance,
        standard,
        singular,
    }
}

/// Fractions by area share aᵢ = Aᵢ sᵢ, with delta-method errors from the covariance `cov`
/// (np × np in `layout`); both NaN when the total area is not positive.
#[inline(always)]
pub(super) fn fractions(
    layout: &Layout,
    amplitudes: &[f64; 4],
    widths: &[f64; 4],
    cov: &[f64],
) -> ([f64; 4], [f64; 4]) {
    let np = layout.len();
    let mut fractions = [f64::NAN; 4];
    let mut errors = [f64::NAN; 4];
    let areas: Vec<f64> = (0..4).map(|i| amplitudes[i] * widths[i]).collect();
    let total: f64 = areas.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return (fractions, errors);
    }
    for i in 0..4 {
        fractions[i] = areas[i] / total;
        // ∂fᵢ/∂Aⱼ and ∂fᵢ/∂s (shared or own width).
        let mut gradient = vec![0.0; np];
        for j in 0..4 {
            let d_area = if i == j {
                1.0 / total - areas[i] / (total * total)
            } else {
                -areas[i] / (total * total)
            };
            gradient[j] += d_area * widths[j];
            gradient[layout.width_index(j)] += d_area * amplitudes[j];
        }
        let mut var = 0.0;
        for a in 0..np {
            for b in 0..np {
                var += gradient[a] * cov[a * np + b] * gradient[b];
            }
        }
        errors[i] = if var.is_nan() {
            f64::NAN
        } else {
            var.max(0.0).sqrt()
        };
    }
    (fractions, errors)
}

#[cfg(test)]
mod tests {
    use super::super::FitParams;
    use super::super::model::ConnectionModel;
    use super::super::solver::LeastSquares;
    use super::*;
    use crate::analysis::rng::SplitMix64;

    /// 3 × 3 inverse by the adjugate: independent of the Cholesky code.
    fn inverse3(a: &[f64]) -> Vec<f64> {
        let m = |i: usize, j: usize| a[3 * i + j];
        let cof = |i: usize, j: usize| {
            let (r0, r1) = ((i + 1) % 3, (i + 2) % 3);
            let (c0, c1) = ((j + 1) % 3, (j + 2) % 3);
            m(r0, c0) * m(r1, c1) - m(r0, c1) * m(r1, c0)
        };
        let det = m(0, 0) * cof(0, 0) + m(0, 1) * cof(0, 1) + m(0, 2) * cof(0, 2);
        let mut inv = vec![0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                inv[3 * i + j] = cof(j, i) / det;
            }
        }
        inv
    }

    #[test]
    fn the_covariance_of_a_linear_problem_is_the_analytic_one() {
        // y = β₀ + β₁x + β₂x² + noise: J = X, the minimum is the least-squares β and
        // C = (XᵀX)⁻¹ RSS/(n − 3).
        let mut rng = SplitMix64(17);
        let n = 60;
        let x: Vec<f64> = (0..n).map(|_| 4.0 * rng.uniform() - 2.0).collect();
        let mut jac = vec![0.0; 3 * n];
        for k in 0..n {
            jac[k] = 1.0;
            jac[n + k] = x[k];
            jac[2 * n + k] = x[k] * x[k];
        }
        let y: Vec<f64> = x
            .iter()
            .map(|v| 1.0 - 0.5 * v + 0.25 * v * v + 0.1 * rng.normal())
            .collect();
        let mut xtx = vec![0.0; 9];
        let mut xty = [0.0; 3];
        for i in 0..3 {
            xty[i] = (0..n).map(|k| jac[i * n + k] * y[k]).sum::<f64>();
            for j in 0..3 {
                xtx[3 * i + j] = (0..n).map(|k| jac[i * n + k] * jac[j * n + k]).sum::<f64>();
            }
        }
        let inv = inverse3(&xtx);
        let beta: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| inv[3 * i + j] * xty[j]).sum())
            .collect();
        let rss: f64 = (0..n)
            .map(|k| {
                let m = beta[0] + beta[1] * x[k] + beta[2] * x[k] * x[k];
                (m - y[k]).powi(2)
            })
            .sum();
        let cov = covariance(&jac, n, 3, rss, &[0, 1, 2], None).expect("regular");
        let sigma2 = rss / (n - 3) as f64;
        for i in 0..9 {
            let expected = inv[i] * sigma2;
            assert!(
                (cov[i] - expected).abs() < 1e-10 * expected.abs().max(1e-6),
                "{i}: {} vs {expected}",
                cov[i]
            );
        }
        // On a subset: the sub-matrix is inverted, the rest is 0, and σ² counts 2 parameters.
        let sub = covariance(&jac, n, 3, rss, &[0, 2], None).expect("regular");
        let (a, b, d) = (xtx[0], xtx[2], xtx[8]);
        let det = a * d - b * b;
        let s2 = rss / (n - 2) as f64;
        assert!((sub[0] - d / det * s2).abs() < 1e-10 * sub[0]);
        assert!((sub[2] + b / det * s2).abs() < 1e-10 * sub[2].abs());
        assert!((sub[8] - a / det * s2).abs() < 1e-10 * sub[8]);
        assert!([1, 3, 4, 5, 7].iter().all(|&i| sub[i] == 0.0));
    }

    /// The Bartlett sandwich summed directly over every pair of points (the slow obvious form).
    fn hac_direct(jac: &[f64], e: &[f64], np: usize, free: &[usize], lag: usize) -> Vec<f64> {
        let n = e.len();
        let b = bread(jac, n, np, free, None).expect("regular");
        let nf = free.len();
        let mut meat = vec![0.0; nf * nf];
        for (a, &pa) in free.iter().enumerate() {
            for (c, &pc) in free.iter().enumerate() {
                for i in 0..n {
                    for j in 0..n {
                        let k = i.abs_diff(j);
                        if k <= lag {
                            let w = 1.0 - k as f64 / (lag + 1) as f64;
                            meat[a * nf + c] += w * jac[pa * n + i] * e[i] * jac[pc * n + j] * e[j];
                        }
                    }
                }
            }
        }
        let scale = n as f64 / (n - nf) as f64;
        let mut cov = vec![0.0; np * np];
        for (ii, &i) in free.iter().enumerate() {
            for (jj, &j) in free.iter().enumerate() {
                let mut v = 0.0;
                for k in 0..nf {
                    for l in 0..nf {
                        v += b[ii * nf + k] * meat[k * nf + l] * b[l * nf + jj];
                    }
                }
                cov[i * np + j] = scale * v;
            }
        }
        cov
    }

    #[test]
    fn the_row_product_is_the_element_sums_bit_for_bit() {
        let mut rng = SplitMix64(13);
        for n in 1..=13 {
            // Signed zeros among the values, so the sums' zero signs are compared too.
            let mut value = |scale: f64| match (rng.uniform() * 5.0) as u32 {
                0 => 0.0,
                1 => -0.0,
                _ => rng.normal() * scale,
            };
            let a: Vec<f64> = (0..n * n).map(|_| value(1e3)).collect();
            let b: Vec<f64> = (0..n * n).map(|_| value(1e-7)).collect();
            let got = square_product(&a, &b, n);
            for i in 0..n {
                for j in 0..n {
                    let sum: f64 = (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum();
                    assert_eq!(sum.to_bits(), got[i * n + j].to_bits(), "n {n} ({i}, {j})");
                }
            }
        }
    }

    #[test]
    fn filters_in_lockstep_are_the_single_filters_bit_for_bit() {
        let mut rng = SplitMix64(11);
        for n in [1usize, 2, 3, 17, 271, 400] {
            let rows: Vec<Vec<f64>> = (0..4)
                .map(|k| {
                    (0..n)
                        .map(|_| rng.normal() * 10f64.powi(k * 3 - 4))
                        .collect()
                })
                .collect();
            for lag in [0, 1, 5, 51, n.saturating_sub(1), n + 3] {
                let lanes: [Vec<f64>; 4] =
                    bartlett_filter_lanes(std::array::from_fn(|v| &rows[v][..]), lag);
                for (row, got) in rows.iter().zip(&lanes) {
                    let single = bartlett_filter(row, lag);
                    assert_eq!(single.len(), got.len());
                    for (a, b) in single.iter().zip(got) {
                        assert_eq!(a.to_bits(), b.to_bits(), "n {n} lag {lag}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_fast_bartlett_sandwich_is_the_direct_double_sum() {
        let mut rng = SplitMix64(5);
        let (n, np) = (57, 3);
        let jac: Vec<f64> = (0..n * np).map(|_| rng.normal()).collect();
        // Correlated residuals: a moving average of white noise.
        let white: Vec<f64> = (0..n + 4).map(|_| rng.normal()).collect();
        let e: Vec<f64> = (0..n).map(|i| white[i..i + 5].iter().sum()).collect();
        for (free, lag) in [
            (vec![0, 1, 2], 0),
            (vec![0, 1, 2], 1),
            (vec![0, 2], 7),
            (vec![1], 56),
        ] {
            let fast = hac_covariance(&jac, &e, np, &free, lag, None).expect("regular");
            let slow = hac_direct(&jac, &e, np, &free, lag);
            for k in 0..np * np {
                assert!(
                    (fast[k] - slow[k]).abs() <= 1e-12 * slow[k].abs().max(1e-3),
                    "lag {lag} {k}: {} vs {}",
                    fast[k],
                    slow[k]
                );
            }
        }
        // Lag 0 with residuals ±σ: B (Σ JᵢJᵢᵀ σ²) B · n/(n − p) = (JᵀJ)⁻¹ σ² n/(n − p), the
        // textbook form with RSS = nσ².
        let e: Vec<f64> = (0..n)
            .map(|i| if i % 3 == 0 { -0.5 } else { 0.5 })
            .collect();
        let hac = hac_covariance(&jac, &e, np, &[0, 1, 2], 0, None).expect("regular");
        let textbook = covariance(&jac, n, np, 0.25 * n as f64, &[0, 1, 2], None).expect("regular");
        for k in 0..np * np {
            assert!((hac[k] - textbook[k]).abs() <= 1e-12 * textbook[k].abs().max(1e-3));
        }
        // Perfectly alternating residuals on a constant column average out over a long lag.
        let ones = vec![1.0; 40];
        let alt: Vec<f64> = (0..40)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let short = hac_covariance(&ones, &alt, 1, &[0], 0, None).expect("regular")[0];
        let long = hac_covariance(&ones, &alt, 1, &[0], 9, None).expect("regular")[0];
        assert!((short - 1.0 / 39.0).abs() < 1e-12, "{short}");
        assert!(long < 0.1 * short, "{long} vs {short}");
    }

    #[test]
    fn the_lag_spans_four_correlation_lengths_within_the_window() {
        // 271 points, N_ind = 25·2.7/π = 21.5: ⌈4·271/21.5⌉ = 51.
        assert_eq!(bartlett_lag(271, 10, 25.0 * 2.7 / std::f64::consts::PI), 51);
        assert_eq!(bartlett_lag(271, 10, f64::NAN), 0, "independent residuals");
        assert_eq!(bartlett_lag(271, 10, 1.0), 99, "N_ind at least |F| + 1");
        assert_eq!(bartlett_lag(10, 2, 3.0), 9, "at most n − 1");
        assert_eq!(bartlett_lag(271, 10, 1e9), 4, "N_ind at most n");
    }

    /// The default layout's Jacobian at `p`, on the default window.
    fn jacobian_at(layout: Layout, p: &[f64]) -> Vec<f64> {
        let r: Vec<f64> = (0..=270).map(|i| 3.9 + 0.01 * i as f64).collect();
        let y = vec![0.0; r.len()];
        let mut model = ConnectionModel::new(layout, &r, Some(0.01), &y);
        let mut res = vec![0.0; r.len()];
        let mut jac = vec![0.0; r.len() * layout.len()];
        model.residuals(p, &mut res);
        model.jacobian(p, &mut jac);
        jac
    }

    #[test]
    fn a_parameter_at_a_bound_gets_0_and_an_undetermined_centre_nan() {
        let opts = FitParams::default();
        for free_widths in [false, true] {
            let layout = Layout {
                free_widths,
                baseline: true,
            };
            let (lower, upper) = layout.bounds(&opts);
            let s = opts.seeds;
            // Mode 4 has amplitude 0 (its lower bound); centre 2 sits at its upper bound.
            let centres = [s[0] - 0.03, s[1] + opts.tolerance, s[2] + 0.02, s[3] - 0.05];
            let p = layout.pack(&[0.2, 0.3, 0.35, 0.0], &centres, &[0.27; 4], 1.0);
            let jac = jacobian_at(layout, &p);
            let e = parameter_errors(&layout, &p, &lower, &upper, &jac, &[], 0.01, f64::NAN, None);
            assert!(!e.singular);
            let u = layout.unpack(&e.standard, f64::NAN);
            assert_eq!(u.amplitudes[3], 0.0, "held at its bound: 0, as in MPFIT");
            assert!(
                u.centres[3].is_nan(),
                "does not enter the model: undetermined"
            );
            assert_eq!(u.centres[1], 0.0);
            if free_widths {
                assert!(u.widths[3].is_nan());
            }
            for v in [
                u.amplitudes[0],
                u.amplitudes[2],
                u.centres[0],
                u.centres[2],
                u.widths[0],
            ] {
                assert!(v.is_finite() && v > 0.0, "{u:?}");
            }
            assert!(u.baseline.is_finite() && u.baseline > 0.0);
            // Held and undetermined parameters have no covariance at all.
            let np = layout.len();
            for j in 0..np {
                assert_eq!(e.covariance[3 * np + j], 0.0);
                assert_eq!(e.covariance[7 * np + j], 0.0);
            }
        }
    }

    #[test]
    fn a_singular_problem_reports_nan_never_0() {
        let opts = FitParams::default();
        let layout = Layout {
            free_widths: false,
            baseline: true,
        };
        let (lower, upper) = layout.bounds(&opts);
        let p = layout.pack(&[0.2, 0.3, 0.35, 0.0], &opts.seeds, &[0.27; 4], 1.0);
        let mut jac = jacobian_at(layout, &p);
        // A free parameter that does not move the model: the baseline's column is 0.
        let n = jac.len() / layout.len();
        jac[9 * n..].fill(0.0);
        let e = parameter_errors(&layout, &p, &lower, &upper, &jac, &[], 0.01, f64::NAN, None);
        assert!(e.singular);
        assert!(e.standard.iter().all(|v| v.is_nan()), "{:?}", e.standard);
        let (f, fe) = fractions(&layout, &[0.2, 0.3, 0.35, 0.0], &[0.27; 4], &e.covariance);
        assert!(f.iter().all(|v| v.is_finite()));
        assert!(fe.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn fraction_errors_are_the_delta_method_with_numerical_gradients() {
        let mut rng = SplitMix64(23);
        for free_widths in [false, true] {
            let layout = Layout {
                free_widths,
                baseline: true,
            };
            let np = layout.len();
            // A random SPD covariance.
            let m: Vec<f64> = (0..np * np).map(|_| 0.01 * rng.normal()).collect();
            let mut cov = vec![0.0; np * np];
            for i in 0..np {
                for j in 0..np {
                    cov[i * np + j] = (0..np).map(|k| m[k * np + i] * m[k * np + j]).sum();
                }
            }
            let amps = [0.2, 0.3, 0.35, 0.1];
            let widths = if free_widths {
                [0.25, 0.3, 0.22, 0.28]
            } else {
                [0.27; 4]
            };
            let p = layout.pack(&amps, &[5.0; 4], &widths, 1.0);
            let (f, fe) = fractions(&layout, &amps, &widths, &cov);
            let fraction = |q: &[f64], i: usize| {
                let u = layout.unpack(q, 0.0);
                let area = |j: usize| u.amplitudes[j] * u.widths[j];
                area(i) / (0..4).map(area).sum::<f64>()
            };
            for i in 0..4 {
                assert!((f[i] - fraction(&p, i)).abs() < 1e-15);
                let grad: Vec<f64> = (0..np)
                    .map(|j| {
                        let h = 1e-6;
                        let (mut a, mut b) = (p.clone(), p.clone());
                        a[j] += h;
                        b[j] -= h;
                        (fraction(&a, i) - fraction(&b, i)) / (2.0 * h)
                    })
                    .collect();
                let var: f64 = (0..np)
                    .map(|a| {
                        (0..np)
                            .map(|b| grad[a] * cov[a * np + b] * grad[b])
                            .sum::<f64>()
                    })
                    .sum();
                assert!(
                    (fe[i] - var.sqrt()).abs() < 1e-6 * var.sqrt(),
                    "widths {free_widths} fraction {i}: {} vs {}",
                    fe[i],
                    var.sqrt()
                );
            }
        }
        // No positive area: no fractions.
        let layout = Layout {
            free_widths: false,
            baseline: false,
        };
        let (f, fe) = fractions(&layout, &[0.0; 4], &[0.3; 4], &[0.0; 81]);
        assert!(f.iter().chain(&fe).all(|v| v.is_nan()));
    }
}
