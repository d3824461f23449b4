//! Small dense linear algebra for the fit: everything here is a few parameters wide (at most 13)
//! and a few hundred points long, so plain loops over row-major `Vec<f64>`s are enough.
//!
//! - [`dot`]: Σ aₖbₖ with sixteen interleaved accumulators summed in a fixed order, so the
//!   compiler can vectorise it without reordering any addition.
//! - [`normal_equations`]: JᵀJ and Jᵀv from a column-major Jacobian (np columns of n points).
//! - [`gram`]: JᵀJ alone, for the covariance.
//! - [`cholesky_solve`]: A x = b for symmetric positive definite A = LLᵀ, forward then back
//!   substitution; `None` when a pivot is not positive (singular or indefinite, or NaN).
//! - [`invert_spd`]: A⁻¹ column by column through [`cholesky_solve`].
//! - [`solve_on`]: the damped Levenberg–Marquardt step on a free subset F of the parameters,
//!   (JᵀJ + λ' diag JᵀJ)_FF δ = −g_F with λ' = λ + 1e-12 and each diagonal floored at 1e-12.
//!
//! The kernels are `#[inline(always)]` so that they are compiled into each target clone of the
//! multiversioned `fit_connection_modes` (AVX2+FMA, AVX, baseline) rather than once for the
//! baseline target only. Rust never contracts `a * b + c` into an FMA, so every clone computes
//! the same bits.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

/// Dot product with sixteen independent accumulators (four vectors of four lanes), so four
/// vector additions are in flight instead of one; the lanes are summed in a fixed order, so
/// every target clone gives the same bits.
#[inline(always)]
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (ca, ta) = a[..n].as_chunks::<16>();
    let (cb, tb) = b[..n].as_chunks::<16>();
    let tail: f64 = ta.iter().zip(tb).map(|(x, y)| x * y).sum();
    // Whole arrays per step: the compiler maps the sixteen lanes onto four vector registers.
    let mut acc = [0.0; 16];
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..16 {
            acc[l] += x[l] * y[l];
        }
    }
    // Summed in lane order: a pairwise tree here made the compiler pair lanes across the
    // vectors and shuffle every load of the loop above.
    let mut total = 0.0;
    for v in acc {
        total += v;
    }
    total + tail
}

/// Σ aₖ with the lanes of [`dot`]: exactly `dot(a, ones)` (x · 1 = x), for half the loads.
#[inline(always)]
pub(super) fn sum(a: &[f64]) -> f64 {
    let (ca, ta) = a.as_chunks::<16>();
    let tail: f64 = ta.iter().copied().sum();
    let mut acc = [0.0; 16];
    for x in ca {
        for l in 0..16 {
            acc[l] += x[l];
        }
    }
    let mut total = 0.0;
    for v in acc {
        total += v;
    }
    total + tail
}

/// JᵀJ (np × np) and Jᵀv from a column-major Jacobian: dot products of contiguous columns.
#[inline(always)]
pub(super) fn normal_equations(
    jac: &[f64],
    v: &[f64],
    n: usize,
    np: usize,
) -> (Vec<f64>, Vec<f64>) {
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

/// JᵀJ alone (the same dot products as [`normal_equations`]).
#[inline(always)]
pub(super) fn gram(jac: &[f64], n: usize, np: usize) -> Vec<f64> {
    let col = |i: usize| &jac[i * n..(i + 1) * n];
    let mut jtj = vec![0.0; np * np];
    for i in 0..np {
        for j in i..np {
            let d = dot(col(i), col(j));
            jtj[i * np + j] = d;
            jtj[j * np + i] = d;
        }
    }
    jtj
}

/// The most parameters the fit has (four amplitudes, four centres, four widths, a baseline):
/// systems up to this size are solved in stack buffers.
pub(super) const MAX_PARAMETERS: usize = 13;

/// A vector of at most [`MAX_PARAMETERS`] values on the stack (a step or a solution).
#[derive(Debug, Clone, Copy)]
pub(super) struct Small {
    values: [f64; MAX_PARAMETERS],
    len: usize,
}

impl Small {
    /// n zeros.
    pub fn zeros(n: usize) -> Self {
        Small {
            values: [0.0; MAX_PARAMETERS],
            len: n.min(MAX_PARAMETERS),
        }
    }
}

impl std::ops::Deref for Small {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.values[..self.len]
    }
}

/// The Cholesky factor L (row-major, n × n, lower) of `a` into `l`; false when a pivot is not
/// positive (singular or indefinite, or NaN).
#[inline(always)]
fn cholesky_factor(a: &[f64], n: usize, l: &mut [f64]) -> bool {
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 0.0 {
                    return false;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    true
}

/// x = (L Lᵀ)⁻¹ b: forward then back substitution (`z` is scratch of length n).
#[inline(always)]
fn cholesky_substitute(l: &[f64], b: &[f64], n: usize, z: &mut [f64], x: &mut [f64]) {
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * n + k] * z[k];
        }
        z[i] = sum / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut sum = z[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
}

/// Solves the symmetric positive (semi)definite system `a x = b` by Cholesky; None if singular.
/// (The fit itself uses [`cholesky_solve_small`]; the tests check both.)
#[cfg(test)]
pub(super) fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    if !cholesky_factor(a, n, &mut l) {
        return None;
    }
    let (mut z, mut x) = (vec![0.0; n], vec![0.0; n]);
    cholesky_substitute(&l, b, n, &mut z, &mut x);
    Some(x)
}

/// [`cholesky_solve`] without touching the heap (the same bits); n ≤ [`MAX_PARAMETERS`].
#[inline(always)]
pub(super) fn cholesky_solve_small(a: &[f64], b: &[f64], n: usize) -> Option<Small> {
    let mut l = [0.0; MAX_PARAMETERS * MAX_PARAMETERS];
    if !cholesky_factor(a, n, &mut l) {
        return None;
    }
    let mut z = [0.0; MAX_PARAMETERS];
    let mut x = Small {
        values: [0.0; MAX_PARAMETERS],
        len: n,
    };
    cholesky_substitute(&l, b, n, &mut z, &mut x.values);
    Some(x)
}

/// The Levenberg–Marquardt step on the parameters in `free`: (JᵀJ + λ diag JᵀJ) δ = −g.
#[inline(always)]
pub(super) fn solve_on(
    free: &[usize],
    jtj: &[f64],
    grad: &[f64],
    np: usize,
    lambda: f64,
) -> Option<Small> {
    let nf = free.len();
    if nf > MAX_PARAMETERS {
        return None;
    }
    let mut a = [0.0; MAX_PARAMETERS * MAX_PARAMETERS];
    let mut b = [0.0; MAX_PARAMETERS];
    for (ii, &i) in free.iter().enumerate() {
        b[ii] = -grad[i];
        for (jj, &j) in free.iter().enumerate() {
            a[ii * nf + jj] = jtj[i * np + j];
        }
        a[ii * nf + ii] += (lambda + 1e-12) * jtj[i * np + i].max(1e-12);
    }
    cholesky_solve_small(&a[..nf * nf], &b[..nf], nf)
}

/// Inverse of a symmetric positive definite matrix: one factorisation, then the columns one by
/// one.
pub(super) fn invert_spd(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    if !cholesky_factor(a, n, &mut l) {
        return None;
    }
    let mut inv = vec![0.0; n * n];
    let (mut e, mut z, mut x) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for col in 0..n {
        e.fill(0.0);
        e[col] = 1.0;
        cholesky_substitute(&l, &e, n, &mut z, &mut x);
        for row in 0..n {
            inv[row * n + col] = x[row];
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::SplitMix64;

    /// A random n × n SPD matrix MᵀM + 0.1 n I with M uniform in [−1, 1].
    fn random_spd(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
        let m: Vec<f64> = (0..n * n).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| m[k * n + i] * m[k * n + j]).sum::<f64>();
            }
            a[i * n + i] += 0.1 * n as f64;
        }
        a
    }

    #[test]
    fn cholesky_solves_a_known_system_exactly() {
        // A = L Lᵀ with L = [[2,0,0],[1,2,0],[0,1,1]]: every step is exact in binary.
        let a = [4.0, 2.0, 0.0, 2.0, 5.0, 2.0, 0.0, 2.0, 2.0];
        let x = [1.0, -2.0, 3.0];
        let b = [0.0, -2.0, 2.0]; // A x
        assert_eq!(cholesky_solve(&a, &b, 3), Some(x.to_vec()));
        assert_eq!(cholesky_solve(&[], &[], 0), Some(Vec::new()));
    }

    #[test]
    fn inverse_times_matrix_is_the_identity_on_random_spd_matrices() {
        let mut rng = SplitMix64(7);
        for trial in 0..200 {
            let n = 1 + trial % 13;
            let a = random_spd(&mut rng, n);
            let inv = invert_spd(&a, n).expect("SPD is invertible");
            for i in 0..n {
                for j in 0..n {
                    let p: f64 = (0..n).map(|k| inv[i * n + k] * a[k * n + j]).sum();
                    let expected = if i == j { 1.0 } else { 0.0 };
                    assert!((p - expected).abs() < 1e-10, "n {n} ({i},{j}): {p}");
                    assert!((inv[i * n + j] - inv[j * n + i]).abs() < 1e-10);
                }
            }
            // And the solve agrees with the inverse.
            let b: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let x = cholesky_solve(&a, &b, n).expect("SPD");
            for i in 0..n {
                let y: f64 = (0..n).map(|k| inv[i * n + k] * b[k]).sum();
                assert!((x[i] - y).abs() < 1e-10 * (1.0 + y.abs()));
            }
        }
    }

    #[test]
    fn singular_indefinite_or_nan_matrices_give_none() {
        assert_eq!(cholesky_solve(&[1.0, 1.0, 1.0, 1.0], &[1.0, 2.0], 2), None);
        assert_eq!(cholesky_solve(&[1.0, 2.0, 2.0, 1.0], &[1.0, 2.0], 2), None);
        assert_eq!(cholesky_solve(&[0.0], &[1.0], 1), None);
        assert_eq!(cholesky_solve(&[f64::NAN], &[1.0], 1), None);
        assert_eq!(invert_spd(&[1.0, 1.0, 1.0, 1.0], 2), None);
    }

    #[test]
    fn the_sum_is_the_dot_with_ones_bit_for_bit() {
        let mut rng = SplitMix64(3);
        for n in [0usize, 1, 15, 16, 17, 31, 271, 1000] {
            let a: Vec<f64> = (0..n).map(|_| rng.normal() * 1e3).collect();
            let ones = vec![1.0; n];
            assert_eq!(sum(&a).to_bits(), dot(&a, &ones).to_bits(), "n {n}");
        }
    }

    #[test]
    fn dot_normal_equations_and_gram_match_their_definitions() {
        let mut rng = SplitMix64(3);
        for len in 0..11 {
            let a: Vec<f64> = (0..len).map(|_| rng.normal()).collect();
            let b: Vec<f64> = (0..len).map(|_| rng.normal()).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-14 * (1.0 + naive.abs()));
            // Small integers: exact whatever the summation order.
            let ints: Vec<f64> = (0..len).map(|k| k as f64 - 3.0).collect();
            let exact: f64 = ints.iter().map(|x| x * x).sum();
            assert_eq!(dot(&ints, &ints), exact);
        }
        let (n, np) = (37, 5);
        let jac: Vec<f64> = (0..n * np).map(|_| rng.normal()).collect();
        let v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let (jtj, jtv) = normal_equations(&jac, &v, n, np);
        assert_eq!(gram(&jac, n, np), jtj, "the same dot products, bit for bit");
        for i in 0..np {
            let g: f64 = (0..n).map(|k| jac[i * n + k] * v[k]).sum();
            assert!((jtv[i] - g).abs() < 1e-12);
            for j in 0..np {
                let h: f64 = (0..n).map(|k| jac[i * n + k] * jac[j * n + k]).sum();
                assert!((jtj[i * np + j] - h).abs() < 1e-12);
                assert_eq!(jtj[i * np + j], jtj[j * np + i]);
            }
        }
    }

    #[test]
    fn the_damped_step_solves_the_free_subsystem() {
        let mut rng = SplitMix64(5);
        let np = 6;
        let jtj = random_spd(&mut rng, np);
        let grad: Vec<f64> = (0..np).map(|_| rng.normal()).collect();
        let free = [0, 2, 3, 5];
        for lambda in [0.0, 1e-3, 10.0] {
            let x = solve_on(&free, &jtj, &grad, np, lambda).expect("SPD");
            // (H_FF + λ' diag H_FF) x = −g_F with λ' = λ + 1e-12.
            for (ii, &i) in free.iter().enumerate() {
                let mut lhs: f64 = free
                    .iter()
                    .enumerate()
                    .map(|(jj, &j)| jtj[i * np + j] * x[jj])
                    .sum();
                lhs += (lambda + 1e-12) * jtj[i * np + i] * x[ii];
                assert!((lhs + grad[i]).abs() < 1e-10, "λ {lambda} row {i}");
            }
        }
        // A zero diagonal (a parameter that does not enter the model) still solves: its
        // damping is floored at 1e-12, and its gradient is 0.
        let mut jtj0 = jtj.clone();
        let mut grad0 = grad.clone();
        for k in 0..np {
            jtj0[np + k] = 0.0;
            jtj0[k * np + 1] = 0.0;
        }
        grad0[1] = 0.0;
        let x = solve_on(&[0, 1, 2], &jtj0, &grad0, np, 0.0).expect("floored");
        assert_eq!(x[1], 0.0);
    }
}
