//! The iterative low-r correction of Kaplow et al. (Phys. Rev. 138, A1336 (1965)) in the form
//! of Eggert et al. (Phys. Rev. B 65, 174105 (2002)) and of LiquidDiffract
//! (`core.calc_impr_interference_func`, Faber–Ziman): S(Q) is corrected so that its G(r)
//! follows −4πρ0 r below r_c, where no two atoms meet.
//!
//! # The iteration (S = S(Q) in the Faber–Ziman convention, S∞ = 1)
//! With G_i(r) = (2/π) ∫ Q [S_i(Q) − 1] sin(Qr) dQ (M(Q) = 1, the run's continuation below
//! Qmin) and ΔG_i(r) = G_i(r) + 4πρ0 r for 0 < r < r_c (zero beyond):
//! - ΔF_i(Q) = (2/π) ∫₀^{r_c} ΔG_i(r) sin(Qr) dr (a sum over the r grid times Δr);
//! - S_{i+1}(Q) = S_i(Q) [1 − ΔF_i(Q)/Q], i.e. the Q-dependent scale α(Q) ← α(Q)[1 − ΔF/Q]
//!   (Eggert's Δα), applied to the normalised intensity.
//!
//! The factor 2/π is LiquidDiffract's (its `calc_D_r_iteration_term` divides the forward FFT by
//! 2^N Δq/2, which is (2/π)·Δr times the sine sum); an exact inverse of the transform would have
//! none (Q ΔS = ∫ ΔG sin(Qr) dr), so each step removes about 2/π of the low-r error and the
//! iteration converges geometrically rather than in one step. We follow LiquidDiffract, the
//! reference implementation, so that the same number of iterations gives the same S(Q): on its
//! own Ga example (`scripts/compare_reduction.py`) the two agree to the difference of the atomic
//! tables.
//!
//! χ² = mean over 0 < r ≤ r_c of ΔG(r)², after the iterations, is what a refinement of ρ0 (and
//! b) minimises (Eggert's Eq. 50; LiquidDiffract integrates ΔG² instead of averaging it, which
//! has the same minimum).
//!
//! # Input rules
//! `s` must be on the grid the plan was built for; r_c ≤ the plan's largest r. Q = 0 is left as
//! it is (F(0) = 0 whatever S(0)). A NaN in S(Q) makes G(r) NaN, and the iteration stops there,
//! leaving S(Q) as it was (the caller's NaN check reports it). Nothing here panics.

use super::transform::TransformPlan;

/// Sine table sin(Qᵢ rⱼ) for the Q grid and the low-r grid of a plan, built once per grid and
/// shared by every pattern on it.
#[derive(Debug, Clone)]
pub struct LowRCorrection {
    q: Vec<f64>,
    r: Vec<f64>,
    /// Row i: sin(Qᵢ rⱼ) for every r of the grid.
    table: Vec<f64>,
    dr: f64,
}

impl LowRCorrection {
    /// The table for S(Q) on `q` and G(r) on `r` (uniform, from its step).
    pub fn new(q: &[f64], r: &[f64]) -> Self {
        let dr = match r {
            [a, b, ..] => b - a,
            _ => 0.0,
        };
        let table = q
            .iter()
            .flat_map(|&qi| r.iter().map(move |&rj| (qi * rj).sin()))
            .collect();
        LowRCorrection {
            q: q.to_vec(),
            r: r.to_vec(),
            table,
            dr,
        }
    }

    /// The r grid.
    pub fn r(&self) -> &[f64] {
        &self.r
    }

    /// ΔF(Q) = (2/π) Δr Σⱼ ΔG(rⱼ) sin(Q rⱼ) over rⱼ < `r_cut` (`delta_g` on the r grid).
    pub fn delta_f(&self, delta_g: &[f64], r_cut: f64) -> Vec<f64> {
        let used = self.r.iter().take_while(|&&r| r < r_cut).count();
        let used = used.min(delta_g.len());
        let nr = self.r.len();
        let factor = std::f64::consts::FRAC_2_PI * self.dr;
        (0..self.q.len())
            .map(|i| {
                let row = &self.table[i * nr..i * nr + used];
                factor * row.iter().zip(delta_g).map(|(s, d)| s * d).sum::<f64>()
            })
            .collect()
    }

    /// One step: S ← S [1 − ΔF/Q] with ΔG = G + 4πρ0 r below `r_cut`, `big_g` the G(r) of `s`;
    /// `factor` (the accumulated α(Q)/α₀) is multiplied by the same 1 − ΔF/Q.
    pub fn step(&self, s: &mut [f64], factor: &mut [f64], big_g: &[f64], rho0: f64, r_cut: f64) {
        let delta_g: Vec<f64> = self
            .r
            .iter()
            .zip(big_g)
            .map(|(&r, &g)| g + 4.0 * std::f64::consts::PI * rho0 * r)
            .collect();
        let delta_f = self.delta_f(&delta_g, r_cut);
        for (((si, fi), &qi), df) in s
            .iter_mut()
            .zip(factor.iter_mut())
            .zip(&self.q)
            .zip(delta_f)
        {
            if qi > 0.0 {
                let m = 1.0 - df / qi;
                *si *= m;
                *fi *= m;
            }
        }
    }
}

/// `iterations` steps of the correction on `s` (S(Q) on the plan's grid) with the unmodified
/// low-r transform `plan` (its r grid the table's). Returns χ² of the result (mean of ΔG² below
/// r_c; +∞ when G(r) is not finite there) and the factor by which each S(Q) was multiplied
/// (σ of S(Q) scales with it).
pub fn iterate_low_r(
    plan: &TransformPlan,
    table: &LowRCorrection,
    s: &mut [f64],
    rho0: f64,
    r_cut: f64,
    iterations: usize,
) -> (f64, Vec<f64>) {
    let mut factor = vec![1.0; s.len()];
    let mut big_g = plan.reduced_pdf(s);
    for _ in 0..iterations {
        if big_g.iter().any(|g| !g.is_finite()) {
            break;
        }
        table.step(s, &mut factor, &big_g, rho0, r_cut);
        big_g = plan.reduced_pdf(s);
    }
    let chi2 = super::reduce::low_r_misfit(&plan.r, &big_g, rho0, r_cut);
    (chi2, factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::transform::{LowQ, Modification, TransformPath, r_grid};

    const RHO0: f64 = 0.0545;

    /// Percus–Yevick hard spheres, σ = 2.5 Å at RHO0: g(r < σ) = 0 exactly.
    fn analytic_s(q: f64) -> f64 {
        crate::model::hard_spheres::percus_yevick_s(q, RHO0, 2.5)
    }

    fn grid(from: f64, to: f64, step: f64) -> Vec<f64> {
        let n = ((to - from) / step).round() as usize;
        (0..=n).map(|k| from + step * k as f64).collect()
    }

    #[test]
    fn delta_f_is_the_slow_sine_sum() {
        let q = grid(0.0, 10.0, 0.05);
        let r = r_grid(0.02, 3.0, 0.02).expect("r");
        let t = LowRCorrection::new(&q, &r);
        let dg: Vec<f64> = r.iter().map(|&x| (x * 1.7).cos() - 0.3 * x).collect();
        let fast = t.delta_f(&dg, 2.0);
        for (i, &qi) in q.iter().enumerate() {
            let slow: f64 = r
                .iter()
                .zip(&dg)
                .filter(|(x, _)| **x < 2.0)
                .map(|(x, d)| d * (qi * x).sin())
                .sum::<f64>()
                * 0.02
                * std::f64::consts::FRAC_2_PI;
            assert!((fast[i] - slow).abs() < 1e-12, "{qi}");
        }
        assert_eq!(fast[0], 0.0);
    }

    #[test]
    fn a_wrong_scale_is_pulled_back_toward_the_low_r_line() {
        // Percus–Yevick hard spheres (σ = 2.5 Å, so G = −4πρ0 r below 2.5 Å), S scaled by
        // 3 % as by a wrong α: the iteration lowers the low-r misfit and brings S back toward
        // the planted one.
        let q = grid(0.02, 20.0, 0.02);
        let planted: Vec<f64> = q.iter().map(|&x| analytic_s(x)).collect();
        let mut s: Vec<f64> = planted.iter().map(|v| 1.03 * v).collect();
        let r = r_grid(0.02, 4.8, 0.02).expect("r");
        let plan = TransformPlan::new(
            &q,
            None,
            None,
            Modification::None,
            LowQ::Hold,
            r.clone(),
            TransformPath::Auto,
        )
        .expect("plan");
        let table = LowRCorrection::new(&q, &r);
        let (before, _) = iterate_low_r(&plan, &table, &mut s.clone(), RHO0, 2.0, 0);
        let distance = |s: &[f64]| {
            (s.iter()
                .zip(&planted)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                / s.len() as f64)
                .sqrt()
        };
        let d0 = distance(&s);
        let start = s.clone();
        let (after, factor) = iterate_low_r(&plan, &table, &mut s, RHO0, 2.0, 5);
        for k in 0..s.len() {
            assert!((start[k] * factor[k] - s[k]).abs() < 1e-12);
        }
        let d5 = distance(&s);
        assert!(after < 0.05 * before, "χ² {before} → {after}");
        assert!(d5 < 0.5 * d0, "RMS ΔS {d0} → {d5}");
        // NaN stops it without a panic.
        let mut bad = planted.clone();
        bad[10] = f64::NAN;
        assert!(
            iterate_low_r(&plan, &table, &mut bad, RHO0, 2.0, 3)
                .0
                .is_infinite()
        );
    }
}
