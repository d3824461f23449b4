//! Systematic uncertainty of the connection-mode fractions: how much each fraction moves when
//! choices the data cannot settle are varied, computed per pattern from that pattern alone
//! (plus the parameters), and reported beside the statistical error of the fit.
//!
//! Two components, each a spread of the fractions fᵢ around the nominal fit's f⁰ᵢ:
//! - **Seeds** (σ_seed): every seed moved to −tolerance and to +tolerance, one at a time (8
//!   refits of the same g(r), each from its own linear start, exactly as a user moving that
//!   seed would get). σ_seed,i = max over the 8 moves of |fᵢ − f⁰ᵢ|: the largest swing a seed
//!   placement within its tolerance causes, so moving one seed within its tolerance changes a
//!   fraction by no more than this as long as the response to the move is monotonic between
//!   the seed and the end of the tolerance (checked at interior positions on synthetic patterns
//!   in `tests/suite/uncertainty.rs`). The maximum, not an RMS, because the user picks one
//!   placement, not an average.
//! - **Q range** (σ_Q): G(r) re-transformed with Qmax × 0.9 and with Qmin + 0.3 Å⁻¹ (the
//!   pattern's own Q range otherwise unchanged), each refitted with the nominal seeds;
//!   σ_Q,i = √(Σ_v (fᵢ,v − f⁰ᵢ)²) over the two variants. Truncation at Qmax leaves ripples of
//!   period 2π/Qmax whose phase in the window moves with Qmax; removing the last 10 % of the
//!   range changes them about as much as the missing tail above Qmax does (the tail falls off
//!   like the data's last 10 %). The unmeasured range below Qmin adds a slowly varying term
//!   −(2/π)∫₀^Qmin F(Q) sin(Qr) dQ to G(r); raising Qmin by 0.3 Å⁻¹ from the usual 0.3–0.6 Å⁻¹
//!   roughly doubles that missing integral or more (F ≈ −Q there, so it grows like Qmin³ while
//!   Qmin·r is small), so the change is at least about the size of the bias it stands for. Two re-transforms per
//!   pattern keep the cost bounded; the variants share one plan per Q grid.
//!
//! The systematic σ is σ_sys,i = √(σ_seed,i² + σ_Q,i²). A variant whose fit gives no finite
//! fractions is left out; when none of a component's variants has finite fractions that
//! component is NaN. Real-space input (no S(Q)) has no Q variants: σ_Q is NaN and σ_sys is the
//! seed part alone. A nominal fit without fractions gives NaN throughout.

use std::sync::Arc;

use super::fit::{FitParams, ModeFit, fit_fractions};
use super::series::RealSpace;
use super::transform::{TransformPlan, g_from_big_g, sq_view};
use crate::model::Pattern;

/// What `summary.json` says about the systematic σ.
pub const SYSTEMATIC_METHOD: &str = "frac_*_sys = sqrt(seed^2 + q_range^2) per pattern: seed = \
largest |change| of each fraction when one seed at a time is moved to -tolerance or +tolerance \
(8 refits); q_range = sqrt(sum of squared changes) over G(r) re-transformed with Qmax x 0.9 and \
with Qmin + 0.3 1/A (2 refits); without S(Q) (real-space input) the seed part alone.";

/// Qmax is multiplied by this in the first Q-range variant.
pub const Q_MAX_FACTOR: f64 = 0.9;
/// Qmin is raised by this (Å⁻¹) in the second Q-range variant.
pub const Q_MIN_STEP: f64 = 0.3;

/// The systematic σ of the four fractions (mode order) and its two components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Systematic {
    /// σ_sys = √(σ_seed² + σ_Q²) (σ_seed alone when σ_Q is NaN).
    pub fractions: [f64; 4],
    /// Largest |Δf| over the seed moves.
    pub seeds: [f64; 4],
    /// √(ΣΔf²) over the Q-range variants; NaN without them.
    pub q_range: [f64; 4],
}

impl Systematic {
    /// Every value NaN: nothing could be estimated.
    pub const UNKNOWN: Systematic = Systematic {
        fractions: [f64::NAN; 4],
        seeds: [f64::NAN; 4],
        q_range: [f64::NAN; 4],
    };

    /// Statistical and systematic σ of fraction i combined in quadrature.
    pub fn total(&self, statistical: f64, i: usize) -> f64 {
        statistical.hypot(self.fractions[i])
    }
}

/// The seed design: each seed moved to −tolerance and +tolerance, one at a time (seed 0 down,
/// seed 0 up, seed 1 down, …). None for a zero tolerance (the seeds are then fixed centres).
pub fn seed_variants(fit: &FitParams) -> Vec<FitParams> {
    if fit.tolerance <= 0.0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(8);
    for i in 0..4 {
        for sign in [-1.0, 1.0] {
            let mut v = fit.clone();
            v.seeds[i] += sign * fit.tolerance;
            v.sequential = false;
            out.push(v);
        }
    }
    out
}

/// The Q-range variants (Qmin, Qmax) of a transform over `nominal` = (Qmin, Qmax): Qmax × 0.9,
/// then Qmin + 0.3 Å⁻¹.
pub fn q_range_variants(nominal: (f64, f64)) -> [(f64, f64); 2] {
    let (qa, qb) = nominal;
    [(qa, Q_MAX_FACTOR * qb), (qa + Q_MIN_STEP, qb)]
}

/// Largest |fᵢ − f⁰ᵢ| over `variants` with finite fractions (NaN when there is none).
pub fn largest_change(nominal: &[f64; 4], variants: &[[f64; 4]]) -> [f64; 4] {
    spread(nominal, variants, |acc, d| acc.max(d.abs()), |v| v)
}

/// √(Σ (fᵢ − f⁰ᵢ)²) over `variants` with finite fractions (NaN when there is none).
pub fn quadrature_change(nominal: &[f64; 4], variants: &[[f64; 4]]) -> [f64; 4] {
    spread(nominal, variants, |acc, d| acc + d * d, f64::sqrt)
}

fn spread(
    nominal: &[f64; 4],
    variants: &[[f64; 4]],
    add: impl Fn(f64, f64) -> f64,
    finish: impl Fn(f64) -> f64,
) -> [f64; 4] {
    let usable: Vec<&[f64; 4]> = variants
        .iter()
        .filter(|v| v.iter().all(|x| x.is_finite()))
        .collect();
    std::array::from_fn(|i| {
        if usable.is_empty() || !nominal[i].is_finite() {
            f64::NAN
        } else {
            finish(
                usable
                    .iter()
                    .fold(0.0, |acc, v| add(acc, v[i] - nominal[i])),
            )
        }
    })
}

/// Combines the two components (the seed part alone when the Q part is NaN).
pub fn combine(seeds: [f64; 4], q_range: [f64; 4]) -> Systematic {
    Systematic {
        fractions: std::array::from_fn(|i| {
            if q_range[i].is_nan() {
                seeds[i]
            } else {
                seeds[i].hypot(q_range[i])
            }
        }),
        seeds,
        q_range,
    }
}

/// The fractions of g(r) fitted with each seed variant of `fit`.
pub fn seed_variant_fractions(rs: &RealSpace, fit: &FitParams) -> Vec<[f64; 4]> {
    seed_variants(fit)
        .iter()
        .map(|v| fit_fractions(&rs.r, &rs.g, v))
        .collect()
}

/// The fractions of pattern `p` re-transformed by a variant plan onto `rs`'s r
/// grid and density, fitted with the nominal seeds; NaN when there is no S(Q) or G(r).
pub fn q_variant_fractions(
    p: &Pattern,
    rs: &RealSpace,
    plan: &TransformPlan,
    fit: &FitParams,
) -> [f64; 4] {
    let Ok(s) = sq_view(p) else {
        return [f64::NAN; 4];
    };
    let big_g = plan.reduced_pdf(&s);
    if big_g.len() != rs.r.len() || big_g.iter().all(|v| v.is_nan()) {
        return [f64::NAN; 4];
    }
    let g = g_from_big_g(&rs.r, &big_g, rs.rho0);
    let mut nominal_seeds = fit.clone();
    nominal_seeds.sequential = false;
    fit_fractions(&rs.r, &g, &nominal_seeds)
}

/// The systematic σ of one pattern from its nominal g(r) `rs` and fit, and the variant plans
/// of its Q grid with their (Qmin, Qmax) (empty for real-space input).
pub fn pattern_systematic(
    p: &Pattern,
    rs: Option<&RealSpace>,
    nominal: &ModeFit,
    plans: &[(Arc<TransformPlan>, (f64, f64))],
    fit: &FitParams,
) -> Systematic {
    let Some(rs) = rs else {
        return Systematic::UNKNOWN;
    };
    if nominal.fractions.iter().any(|f| !f.is_finite()) {
        return Systematic::UNKNOWN;
    }
    let seeds = if fit.tolerance > 0.0 {
        largest_change(&nominal.fractions, &seed_variant_fractions(rs, fit))
    } else {
        [0.0; 4]
    };
    let q_range = if plans.is_empty() {
        [f64::NAN; 4]
    } else {
        let variants: Vec<[f64; 4]> = plans
            .iter()
            .map(|(plan, _)| q_variant_fractions(p, rs, plan, fit))
            .collect();
        quadrature_change(&nominal.fractions, &variants)
    };
    combine(seeds, q_range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_design_moves_one_seed_to_each_end_of_its_tolerance() {
        let fit = FitParams::default();
        let v = seed_variants(&fit);
        assert_eq!(v.len(), 8);
        for (k, p) in v.iter().enumerate() {
            let (i, sign) = (k / 2, if k % 2 == 0 { -1.0 } else { 1.0 });
            for j in 0..4 {
                let expected = fit.seeds[j] + if j == i { sign * 0.1 } else { 0.0 };
                assert!((p.seeds[j] - expected).abs() < 1e-12, "{k} {j}");
            }
            assert_eq!(p.tolerance, fit.tolerance);
        }
        let fixed = FitParams {
            tolerance: 0.0,
            ..Default::default()
        };
        assert!(seed_variants(&fixed).is_empty());
    }

    #[test]
    fn spreads_are_the_largest_change_and_the_quadrature_sum() {
        let nominal = [0.2, 0.3, 0.4, 0.1];
        let variants = [
            [0.21, 0.27, 0.41, 0.11],
            [0.17, 0.32, 0.40, 0.11],
            [f64::NAN, 0.0, 0.0, 0.0],
        ];
        let m = largest_change(&nominal, &variants);
        let q = quadrature_change(&nominal, &variants);
        let expected_m = [0.03, 0.03, 0.01, 0.01];
        let expected_q = [
            (0.01f64 * 0.01 + 0.03 * 0.03).sqrt(),
            (0.03f64 * 0.03 + 0.02 * 0.02).sqrt(),
            0.01,
            (2.0f64 * 0.01 * 0.01).sqrt(),
        ];
        for i in 0..4 {
            assert!((m[i] - expected_m[i]).abs() < 1e-12, "{i}: {}", m[i]);
            assert!((q[i] - expected_q[i]).abs() < 1e-12, "{i}: {}", q[i]);
        }
        assert!(largest_change(&nominal, &[]).iter().all(|v| v.is_nan()));
        let s = combine([0.03, 0.0, 0.0, 0.0], [0.04, f64::NAN, 0.0, 0.0]);
        assert!((s.fractions[0] - 0.05).abs() < 1e-12);
        assert_eq!(
            s.fractions[1], 0.0,
            "the seed part alone without Q variants"
        );
        assert!((s.total(0.12, 0) - 0.13).abs() < 1e-12);
    }

    #[test]
    fn q_range_variants_cut_the_top_and_raise_the_bottom() {
        let v = q_range_variants((0.5, 25.0));
        assert_eq!(v[0], (0.5, 22.5));
        assert!((v[1].0 - 0.8).abs() < 1e-12 && v[1].1 == 25.0);
    }
}
