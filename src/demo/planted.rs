//! A glass with planted connection-mode fractions, for checking the analysis against a known
//! truth through the whole S(Q) → G(r) → fit chain (and, later, for a demo built on it).
//!
//! The model is a [`StructureModel`] (ρ0 = 0.0545 Å⁻³): a soft hard core at 2.42 Å (g ≈ 0
//! below), a first shell of two Gaussians (2.74 and 3.12 Å), a first minimum centred at
//! 3.45 Å, the second peak as the four connection modes — Gaussians of one shared width at the
//! planted centres (by default the seeds 2R, √3R, √(8/3)R, √2R with R = 2.969 Å) with areas in
//! the planted fractions and a total height of 1.05 — sitting in a flat trough (3.3–7.2 Å), and
//! a medium-range tail from 7.35 Å (troughs and crests, g → 1). The trough's level and the tail's
//! amplitudes are solved for (ridge least squares towards a damped alternation of period
//! 2.42 Å) so that S(Q) follows a dense glass's plateau 0.03 + 0.06 Q² below 1.8 Å⁻¹: without
//! that balance a handful of shells gives S(Q) of ±3 at low Q, and the unmeasured range below
//! Qmin would bias the fit far more than in real data. Inside the default fit window
//! (3.9–6.6 Å) g(r) is a flat baseline (≈ 0.72) plus the four modes to within 0.015 (the nearest
//! shells' tails): the planted fractions are the truth of the fit's model, and what the fit
//! gets wrong comes from the transform (truncation, noise), not from a different model. (The
//! exact g(r), fitted, gives fractions within 0.004 of the planted ones.)
//!
//! S(Q) = 1 + (4πρ0/Q) ∫₀^∞ r h(r) sin(Qr) dr is [`StructureModel::s`], the integral in closed
//! form (exact for Gaussian shells and the smoothed core; checked against a numerical integral
//! in the tests). Nothing is blended at low Q: S(Q) is the model's transform at every Q, so the
//! only unmeasured part is what lies outside the pattern's Q grid.
//!
//! Noise: Gaussian, σ(Q) = 0.001 + 0.00015 Q (the demo's: about 0.1 % at the FSDP rising to
//! 0.5 % at 25 Å⁻¹, like a 1-s exposure at a high-energy beamline), drawn from a SplitMix64
//! stream, so a pattern is the same on every machine.

use super::{CLUSTER_RADIUS, RHO0, Shell, StructureModel};
use crate::analysis::fit::default_seeds;
use crate::analysis::rng::SplitMix64;
use crate::model::{Pattern, Quantity, Segment, Temperature, TemperatureSource, XUnit};

/// Total height of the four modes (the second peak of g(r) rises to about 1 + this / 2).
pub const MODE_HEIGHT: f64 = 1.05;
/// Shared width of the four modes (Å).
pub const MODE_WIDTH: f64 = 0.26;

const CORE_RADIUS: f64 = 2.42;
const CORE_WIDTH: f64 = 0.11;

/// A glass whose connection modes are known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedGlass {
    /// Area shares of the 1-, 2-, 3- and 4-atom modes (normalised to sum 1 when built).
    pub fractions: [f64; 4],
    /// Centres of the four modes (Å).
    pub centres: [f64; 4],
    /// Their shared width (Å).
    pub width: f64,
}

impl PlantedGlass {
    /// Modes at the default seeds (R = 2.969 Å) with width [`MODE_WIDTH`].
    pub fn new(fractions: [f64; 4]) -> Self {
        PlantedGlass {
            fractions,
            centres: default_seeds(CLUSTER_RADIUS),
            width: MODE_WIDTH,
        }
    }

    /// The planted fractions normalised to sum 1 (the truth a fit should recover).
    pub fn truth(&self) -> [f64; 4] {
        let total: f64 = self.fractions.iter().sum();
        self.fractions.map(|f| f / total)
    }

    /// The structure model.
    pub fn structure(&self) -> StructureModel {
        let shell = |amplitude, centre, width| Shell {
            amplitude,
            centre,
            width,
        };
        let mut shells = vec![
            shell(1.75, 2.74, 0.135),
            shell(0.95, 3.12, 0.17),
            shell(-0.55, 3.45, 0.15),
        ];
        for (c, f) in self.centres.iter().zip(self.truth()) {
            shells.push(shell(MODE_HEIGHT * f, *c, self.width));
        }
        let tail = low_q_balanced_tail(&shells);
        shells.extend(tail);
        StructureModel {
            rho0: RHO0,
            shells,
            core_radius: CORE_RADIUS,
            core_width: CORE_WIDTH,
        }
    }

    /// A pattern of S(Q) on `q` with noise σ(Q) = 0.001 + 0.00015 Q from stream `seed` (no
    /// noise when `seed` is None), at temperature `kelvin`, numbered `index`.
    pub fn pattern(&self, q: &[f64], seed: Option<u64>, index: usize, kelvin: f64) -> Pattern {
        let model = self.structure();
        let mut rng = seed.map(SplitMix64);
        let y = q
            .iter()
            .map(|&qi| {
                let noise = rng.as_mut().map_or(0.0, |r| noise_sigma(qi) * r.normal());
                model.s(qi) + noise
            })
            .collect();
        Pattern {
            index,
            source: format!("planted/{index:04}.xy").into(),
            column: None,
            format: "planted".into(),
            quantity: Quantity::StructureFactor,
            x_unit: XUnit::QInvAngstrom,
            x: q.to_vec(),
            y,
            dy: None,
            temperature: Some(Temperature {
                kelvin,
                source: TemperatureSource::Synthetic,
            }),
            time_s: None,
            metadata: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            segment: Segment::Start,
            repeated_temperature: false,
        }
    }
}

/// Centres of the medium-range tail shells (Å): from 7.35 Å (their tails reach the fit window
/// at < 1 % of their height) to 16.35 Å, 0.45 Å apart, width [`TAIL_WIDTH`].
fn tail_centres() -> impl Iterator<Item = f64> {
    (0..21).map(|k| 7.35 + 0.45 * k as f64)
}
const TAIL_WIDTH: f64 = 0.25;

/// The plateau a dense glass's S(Q) follows below the FSDP (compressibility limit 0.03).
pub fn low_q_plateau(q: f64) -> f64 {
    0.03 + 0.06 * q * q
}

/// The flat trough under the second peak and the medium-range tail beyond it: the tail starts
/// as the damped alternation of a glass (troughs and crests 1.21 Å apart, decaying over
/// 3.6 Å); the trough's level and the tail's amplitudes are then chosen by ridge least squares
/// (λ = 1 towards that alternation) so that S(Q) of the whole model follows [`low_q_plateau`]
/// on 0.1–1.8 Å⁻¹ (to ~0.3; a stronger pull to the plateau makes the tail ring at the FSDP).
fn low_q_balanced_tail(inner: &[Shell]) -> Vec<Shell> {
    // Unknowns: the level of a flat trough under the second peak (Gaussians 0.25 Å apart and
    // wide from 3.3 to 7.2 Å: constant to 0.2 % inside the fit window, so it only moves the
    // fit's baseline), then the tail shells.
    let trough: Vec<f64> = (0..=15).map(|k| 3.35 + 0.25 * k as f64).collect();
    let centres: Vec<f64> = tail_centres().collect();
    let mut prior: Vec<f64> = vec![0.0];
    prior.extend(centres.iter().map(|c| {
        let phase = std::f64::consts::PI * (1.0 + (c - 7.35) / 1.21);
        0.25 * (-(c - 7.35) / 3.6).exp() * phase.cos()
    }));
    let shell = |amplitude: f64, centre: f64| Shell {
        amplitude,
        centre,
        width: TAIL_WIDTH,
    };
    let base = StructureModel {
        rho0: RHO0,
        shells: inner.to_vec(),
        core_radius: CORE_RADIUS,
        core_width: CORE_WIDTH,
    };
    let unit = |shells: Vec<Shell>| StructureModel {
        rho0: RHO0,
        shells,
        core_radius: 0.0,
        core_width: 1.0,
    };
    // A level of 1 under the trough: Gaussians of height Δ/(w√(2π)) = 0.399.
    let trough_unit = unit(
        trough
            .iter()
            .map(|&c| shell(0.25 / (TAIL_WIDTH * (2.0 * std::f64::consts::PI).sqrt()), c))
            .collect(),
    );
    let columns: Vec<StructureModel> = std::iter::once(trough_unit)
        .chain(centres.iter().map(|&c| unit(vec![shell(1.0, c)])))
        .collect();
    let qs: Vec<f64> = (1..=18).map(|i| 0.1 * i as f64).collect();
    let m = columns.len();
    let lambda: f64 = 1.0;
    let mut ata = vec![0.0; m * m];
    let mut atb = vec![0.0; m];
    for &q in &qs {
        let row: Vec<f64> = columns.iter().map(|c| c.s(q) - 1.0).collect();
        let b = low_q_plateau(q) - base.s(q);
        for i in 0..m {
            atb[i] += row[i] * b;
            for j in 0..m {
                ata[i * m + j] += row[i] * row[j];
            }
        }
    }
    for i in 0..m {
        ata[i * m + i] += lambda;
        atb[i] += lambda * prior[i];
    }
    let x = solve(ata, atb, m).unwrap_or(prior);
    let mut out: Vec<Shell> = columns[0]
        .shells
        .iter()
        .map(|s| shell(s.amplitude * x[0], s.centre))
        .collect();
    out.extend(centres.iter().zip(&x[1..]).map(|(&c, &a)| shell(a, c)));
    out
}

/// Solves the m × m system a x = b by Gaussian elimination with partial pivoting (None when
/// singular).
fn solve(mut a: Vec<f64>, mut b: Vec<f64>, m: usize) -> Option<Vec<f64>> {
    for k in 0..m {
        let p = (k..m).max_by(|&i, &j| a[i * m + k].abs().total_cmp(&a[j * m + k].abs()))?;
        if a[p * m + k].abs() < 1e-300 {
            return None;
        }
        for j in 0..m {
            a.swap(k * m + j, p * m + j);
        }
        b.swap(k, p);
        for i in k + 1..m {
            let f = a[i * m + k] / a[k * m + k];
            for j in k..m {
                a[i * m + j] -= f * a[k * m + j];
            }
            b[i] -= f * b[k];
        }
    }
    let mut x = vec![0.0; m];
    for k in (0..m).rev() {
        let s: f64 = (k + 1..m).map(|j| a[k * m + j] * x[j]).sum();
        x[k] = (b[k] - s) / a[k * m + k];
    }
    Some(x)
}

/// The noise of a planted pattern at Q (σ of S(Q)).
pub fn noise_sigma(q: f64) -> f64 {
    0.001 + 0.00015 * q
}

/// Q = 0.50, 0.52, …, 25.00 Å⁻¹ (1,226 points), the range of the reference study's patterns.
pub fn study_q_grid() -> Vec<f64> {
    (0..=1225).map(|i| 0.5 + 0.02 * i as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_of_q_is_the_numerical_transform_of_g_of_r() {
        // S(Q) = 1 + (4πρ0/Q) ∫ r h(r) sin(Qr) dr by the trapezoid rule on 0–40 Å.
        let glass = PlantedGlass::new([0.16, 0.34, 0.36, 0.14]);
        let model = glass.structure();
        let dr = 0.002;
        let r: Vec<f64> = (1..=20_000).map(|i| dr * i as f64).collect();
        let rh: Vec<f64> = r.iter().map(|&x| x * model.h(x)).collect();
        for q in [0.5, 1.3, 2.6, 7.9, 18.0, 25.0] {
            let integral: f64 = r
                .iter()
                .zip(&rh)
                .map(|(x, v)| v * (q * x).sin())
                .sum::<f64>()
                * dr;
            let numeric = 1.0 + 4.0 * std::f64::consts::PI * RHO0 / q * integral;
            assert!(
                (numeric - model.s(q)).abs() < 1e-4,
                "Q {q}: {numeric} vs {}",
                model.s(q)
            );
        }
    }

    #[test]
    fn inside_the_fit_window_g_is_a_flat_baseline_plus_the_four_modes() {
        let glass = PlantedGlass::new([0.2, 0.3, 0.3, 0.2]);
        let model = glass.structure();
        let t = glass.truth();
        let rest: Vec<f64> = (0..=270)
            .map(|i| {
                let r = 3.9 + 0.01 * i as f64;
                let modes: f64 = (0..4)
                    .map(|k| {
                        MODE_HEIGHT
                            * t[k]
                            * (-(r - glass.centres[k]).powi(2) / (2.0 * MODE_WIDTH.powi(2))).exp()
                    })
                    .sum();
                model.g(r) - modes
            })
            .collect();
        let (lo, hi) = rest
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        // A baseline below 1 (the second peak sits in a trough, as in a real glass), flat to
        // within 0.015.
        assert!(hi - lo < 0.015, "{lo}–{hi}");
        assert!((0.6..0.9).contains(&lo), "{lo}");
        // Below the hard core g vanishes; far out it is 1; nowhere negative.
        assert!(model.g(1.5).abs() < 1e-6);
        assert!((model.g(30.0) - 1.0).abs() < 1e-3);
        assert!((0..3000).all(|i| model.g(0.01 * i as f64) > -1e-6));
        assert_eq!(t.iter().sum::<f64>(), 1.0);
    }

    #[test]
    fn s_of_q_below_the_fsdp_is_a_dense_glass_plateau() {
        // The balanced tail keeps S(Q) small and positive-ish where a glass has its
        // compressibility plateau, not the ±3 a handful of shells would give.
        let model = PlantedGlass::new([0.16, 0.34, 0.36, 0.14]).structure();
        for i in 1..=10 {
            let q = 0.1 * i as f64;
            let s = model.s(q);
            assert!((0.0..0.4).contains(&s), "S({q}) = {s}");
        }
    }

    #[test]
    fn noise_is_reproducible_and_of_the_stated_size() {
        let glass = PlantedGlass::new([0.16, 0.34, 0.36, 0.14]);
        let q = study_q_grid();
        assert_eq!((q.len(), q[0], q[1225]), (1226, 0.5, 25.0));
        let clean = glass.pattern(&q, None, 0, 300.0);
        let a = glass.pattern(&q, Some(5), 0, 300.0);
        assert_eq!(a, glass.pattern(&q, Some(5), 0, 300.0));
        let z: Vec<f64> = (0..q.len())
            .map(|i| (a.y[i] - clean.y[i]) / noise_sigma(q[i]))
            .collect();
        let rms = (z.iter().map(|v| v * v).sum::<f64>() / z.len() as f64).sqrt();
        assert!((rms - 1.0).abs() < 0.06, "{rms}");
    }
}
