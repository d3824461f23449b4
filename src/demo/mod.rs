//! The embedded demo: a deterministic synthetic heating series of a Zr-based metallic glass
//! (Zr52.5Cu17.9Ni14.6Al10Ti5, "BAM-11") in three states like the study's — as-cast (AC),
//! cold-rolled (CR) and high-pressure-torsion deformed (HPT).
//!
//! # The model
//! Structure is the glass of [`planted`] — a model pair distribution g(r) = 1 + h(r) of
//! Gaussian shells and a soft hard core whose S(Q) is known in closed form, so S(Q) and g(r)
//! are exactly consistent at every Q (no numerical transform, no truncation, no low-Q blend):
//! - **Gaussian shells** h(r) = a exp(−(r−c)²/2s²) give
//!   S(Q) − 1 = (4πρ0/Q) a √(2π) s e^{−Q²s²/2} [c sin(Qc) + Q s² cos(Qc)]
//!   exactly, when each shell carries its mirror image a exp(−(r+c)²/2s²) (negligible for the
//!   narrow shells, kept for exactness).
//! - **A soft hard core**: h = −1 for r < r_c, with r h(r) smoothed by a Gaussian of width w,
//!   giving S(Q) − 1 = −(4πρ0/Q³)[sin(Q r_c) − Q r_c cos(Q r_c)] e^{−Q²w²/2}.
//! - First shell: two Gaussians (2.74 and 3.12 Å). Second shell: the four cluster-connection
//!   modes at 2R, √3R, √(8/3)R, √2R (R = 2.969 Å × 0.998 at room temperature; 1-, 2-, 3-, 4-atom)
//!   with one shared width and areas in the planted fractions, on a flat trough whose level,
//!   with the medium-range tail, is solved for so that S(Q) has a dense glass's low-Q plateau
//!   0.03 + 0.06 Q² (compressibility) and rises smoothly into the FSDP (see [`planted`]).
//!   Inside the fit window g(r) is a flat baseline plus the four modes, so the planted
//!   fractions are exactly what the fit's model measures; [`planted_state`] gives them, the
//!   centres, the width, the baseline and ρ0 at every T (and `glassray demo` writes them as
//!   `truth.json`).
//!
//! Temperature T acts through:
//! - **thermal expansion**: every distance scales by s(T) = 1 + α_g (T − 300 K) (the liquid
//!   coefficient α_l above T_g) and ρ0 by 1/s³, so S_T(Q) = S_300(s·Q) exactly and the low-Q
//!   balance holds at every T; the pattern's header states ρ0(T) (`rho0`), which the analysis
//!   reads;
//! - **Debye–Waller broadening**: s² → s² + β (T − 300 K) for every shell below the tail;
//! - **relaxation** from T_r to T_g (sample-dependent onset and strength; deformed samples relax
//!   earlier and more): distances contract by κ (min(T, T_g) − T_r), so the FSDP first moment
//!   stops falling and turns upward; medium-range order (the tail) grows; and weight moves
//!   from the 2-atom (edge) to the 3-atom (face) connection mode;
//! - **crystallization** above T_x: a fraction x_c = 1 − exp(−((T − T_x)/14 K)²) of the sample
//!   becomes crystalline: S = 1 + (1 − x_c)(S_glass − 1) + x_c · Bragg peaks (width 0.02 Å⁻¹);
//! - **noise**: Gaussian, σ(Q) = 0.3 × (0.001 + 0.00015 Q) ([`DEMO_NOISE`]), from a SplitMix64
//!   stream seeded per sample and pattern, so the demo is the same on every machine.
//!
//! Patterns run from 300 K to 750 K in 3 K steps at 20 K/min (9 s per pattern, 151 patterns) on
//! Q = 0.50, 0.52, …, 25.48 Å⁻¹ (1,250 points), like an in-situ APS 11-ID-C ramp.

pub mod intensity;
pub mod planted;

use crate::analysis::rng::SplitMix64;
use crate::model::{
    HeatingSeries, Pattern, Quantity, Segment, Temperature, TemperatureSource, XUnit,
};

/// Composition of the modelled glass.
pub const COMPOSITION: &str = "Zr52.5Cu17.9Ni14.6Al10Ti5";
/// Number density of the modelled glass (Å⁻³).
pub const RHO0: f64 = 0.0545;
/// Average cluster radius R of BAM-11 (Å).
pub const CLUSTER_RADIUS: f64 = 2.969;

/// The state of one demo sample: its transition temperatures and how strongly it relaxes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoSample {
    pub name: &'static str,
    /// Onset of relaxation (K).
    pub t_r: f64,
    /// Glass transition (K), from the study's Table 1.
    pub t_g: f64,
    /// Crystallization onset (K), from the study's Table 1.
    pub t_x: f64,
    /// Contraction per kelvin of relaxation (1/K).
    pub kappa: f64,
    /// Relative growth of medium-range order over the whole relaxation range.
    pub mro_growth: f64,
    /// Fraction moved from the 2-atom to the 3-atom mode over the whole relaxation range.
    pub mode_shift: f64,
    /// Connection-mode fractions (1-, 2-, 3-, 4-atom) at room temperature.
    pub fractions: [f64; 4],
    /// Noise σ of S(Q) as a multiple of σ(Q) = 0.001 + 0.00015 Q (1 = the demo's).
    pub noise: f64,
    pub seed: u64,
}

/// The demo's noise level, as a multiple of σ(Q) = 0.001 + 0.00015 Q: 0.03 % of S(Q) at the
/// FSDP, 0.14 % at 25 Å⁻¹ — a good pattern from a high-energy beamline (a few seconds on an
/// area detector), on which the 2-/3-atom split is determined to about ±0.01. Three times
/// this (the "noisy" preset of the Model panel) is a weak or short exposure.
pub const DEMO_NOISE: f64 = 0.3;

/// The room-temperature connection-mode fractions of the demo samples (1-, 2-, 3-, 4-atom).
pub const RT_FRACTIONS: [f64; 4] = [0.16, 0.34, 0.36, 0.14];

/// The three samples of the study. Deformation lowers T_r and strengthens sub-T_g relaxation.
pub const SAMPLES: [DemoSample; 3] = [
    DemoSample {
        name: "AC",
        t_r: 590.0,
        t_g: 680.0,
        t_x: 731.0,
        kappa: 1.6e-5,
        mro_growth: 0.05,
        mode_shift: 0.03,
        fractions: RT_FRACTIONS,
        noise: DEMO_NOISE,
        seed: 0xA11CE,
    },
    DemoSample {
        name: "CR",
        t_r: 550.0,
        t_g: 674.0,
        t_x: 724.0,
        kappa: 2.0e-5,
        mro_growth: 0.09,
        mode_shift: 0.05,
        fractions: RT_FRACTIONS,
        noise: DEMO_NOISE,
        seed: 0xC0FFEE,
    },
    DemoSample {
        name: "HPT",
        t_r: 515.0,
        t_g: 673.0,
        t_x: 720.0,
        kappa: 2.4e-5,
        mro_growth: 0.13,
        mode_shift: 0.07,
        fractions: RT_FRACTIONS,
        noise: DEMO_NOISE,
        seed: 0xBEEF,
    },
];

/// The temperature program and Q grid of the demo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoConfig {
    pub t_start: f64,
    pub t_end: f64,
    pub t_step: f64,
    /// Heating rate (K/min).
    pub rate_k_per_min: f64,
    pub q_min: f64,
    pub q_step: f64,
    pub q_points: usize,
    pub noise: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            t_start: 300.0,
            t_end: 750.0,
            t_step: 3.0,
            rate_k_per_min: 20.0,
            q_min: 0.5,
            q_step: 0.02,
            q_points: 1250,
            noise: true,
        }
    }
}

impl DemoConfig {
    /// Temperatures of the patterns, in order.
    pub fn temperatures(&self) -> Vec<f64> {
        if self.t_step.is_nan()
            || self.t_step <= 0.0
            || self.t_end.is_nan()
            || self.t_end < self.t_start
        {
            return vec![self.t_start];
        }
        let n = ((self.t_end - self.t_start) / self.t_step + 1e-9).floor() as usize + 1;
        (0..n)
            .map(|i| self.t_start + self.t_step * i as f64)
            .collect()
    }

    pub fn q_grid(&self) -> Vec<f64> {
        (0..self.q_points)
            .map(|i| self.q_min + self.q_step * i as f64)
            .collect()
    }
}

/// One Gaussian term of h(r) = g(r) − 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shell {
    pub amplitude: f64,
    pub centre: f64,
    pub width: f64,
}

/// A model structure: h(r) as Gaussian shells plus a soft hard core, at density `rho0`.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureModel {
    pub rho0: f64,
    pub shells: Vec<Shell>,
    /// Hard-core radius r_c and smoothing width w (Å).
    pub core_radius: f64,
    pub core_width: f64,
}

fn normal_pdf(x: f64, w: f64) -> f64 {
    (-(x * x) / (2.0 * w * w)).exp() / ((2.0 * std::f64::consts::PI).sqrt() * w)
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

impl StructureModel {
    /// h(r) = g(r) − 1 in real space.
    pub fn h(&self, r: f64) -> f64 {
        let shells: f64 = self
            .shells
            .iter()
            .map(|s| {
                let two_var = 2.0 * s.width * s.width;
                // The mirror term makes r·h(r) exactly the odd part whose transform is closed.
                s.amplitude
                    * ((-(r - s.centre).powi(2) / two_var).exp()
                        + (-(r + s.centre).powi(2) / two_var).exp())
            })
            .sum();
        shells + self.core_h(r)
    }

    /// The smoothed hard core alone: −[r·1(|r|<r_c)] ⊛ N(0, w²), divided by r.
    fn core_h(&self, r: f64) -> f64 {
        let (rc, w) = (self.core_radius, self.core_width);
        let r = r.max(1e-9);
        let conv = r * (normal_cdf((rc - r) / w) - normal_cdf((-rc - r) / w))
            - w * w * (normal_pdf(rc - r, w) - normal_pdf(rc + r, w));
        -conv / r
    }

    /// g(r).
    pub fn g(&self, r: f64) -> f64 {
        1.0 + self.h(r)
    }

    /// Reduced PDF G(r) = 4π r ρ0 h(r).
    pub fn big_g(&self, r: f64) -> f64 {
        4.0 * std::f64::consts::PI * r * self.rho0 * self.h(r)
    }

    /// S(Q) by the closed-form transform of every term (Q > 0).
    pub fn s(&self, q: f64) -> f64 {
        let q = q.max(1e-9);
        let pref = 4.0 * std::f64::consts::PI * self.rho0 / q;
        let root_2pi = (2.0 * std::f64::consts::PI).sqrt();
        let shells: f64 = self
            .shells
            .iter()
            .map(|s| {
                let (a, c, w) = (s.amplitude, s.centre, s.width);
                a * root_2pi
                    * w
                    * (-(q * q * w * w) / 2.0).exp()
                    * (c * (q * c).sin() + q * w * w * (q * c).cos())
            })
            .sum();
        let (rc, w) = (self.core_radius, self.core_width);
        let core =
            -((q * rc).sin() - q * rc * (q * rc).cos()) / (q * q) * (-(q * q * w * w) / 2.0).exp();
        1.0 + pref * (shells + core)
    }
}

/// Relaxation progress in [0, 1]: 0 below T_r, 1 at and above T_g.
pub fn relaxation(sample: &DemoSample, t: f64) -> f64 {
    if sample.t_g <= sample.t_r {
        return if t >= sample.t_g { 1.0 } else { 0.0 };
    }
    ((t.min(sample.t_g) - sample.t_r) / (sample.t_g - sample.t_r)).clamp(0.0, 1.0)
}

/// Connection-mode fractions (1-, 2-, 3-, 4-atom) of the model at T: the room-temperature
/// fractions with `mode_shift` × relaxation moved from the 2-atom to the 3-atom mode (never
/// below 0), normalised to sum 1.
pub fn connection_fractions(sample: &DemoSample, t: f64) -> [f64; 4] {
    let f = sample
        .fractions
        .map(|v| if v.is_finite() { v.max(0.0) } else { 0.0 });
    let d = (sample.mode_shift * relaxation(sample, t)).clamp(-f[2], f[1]);
    let shifted = [f[0], f[1] - d, f[2] + d, f[3]];
    let total: f64 = shifted.iter().sum();
    if total > 0.0 {
        shifted.map(|v| v / total)
    } else {
        [0.25; 4]
    }
}

/// The distance scale at T relative to 300 K (thermal expansion minus relaxation contraction).
pub fn distance_scale(sample: &DemoSample, t: f64) -> f64 {
    const ALPHA_GLASS: f64 = 1.0e-5;
    const ALPHA_LIQUID: f64 = 3.0e-5;
    let expansion =
        1.0 + ALPHA_GLASS * (t - 300.0) + (ALPHA_LIQUID - ALPHA_GLASS) * (t - sample.t_g).max(0.0);
    let contraction = sample.kappa * (t.min(sample.t_g) - sample.t_r).max(0.0);
    expansion - contraction
}

/// Crystalline fraction at T.
pub fn crystalline_fraction(sample: &DemoSample, t: f64) -> f64 {
    if t <= sample.t_x {
        0.0
    } else {
        1.0 - (-((t - sample.t_x) / 14.0).powi(2)).exp()
    }
}

/// Debye–Waller broadening at T: the variance (Å²) added to every shell's width² below the tail.
pub fn broadening(t: f64) -> f64 {
    9.0e-6 * (t - 300.0).max(0.0)
}

/// Medium-range order at T relative to room temperature: grows with relaxation and fades in
/// the supercooled liquid.
pub fn medium_range_order(sample: &DemoSample, t: f64) -> f64 {
    (1.0 + sample.mro_growth * relaxation(sample, t)) * (1.0 - 0.0015 * (t - sample.t_g).max(0.0))
}

/// The glass of a sample at T, at room-temperature distances (centres of the modes at the
/// default seeds × [`RT_RADIUS_FACTOR`]), before the distance scale of T is applied.
pub fn glass_at(sample: &DemoSample, t: f64) -> planted::PlantedGlass {
    let mut glass = planted::PlantedGlass::new(connection_fractions(sample, t));
    for c in &mut glass.centres {
        *c *= RT_RADIUS_FACTOR;
    }
    glass.broadening = broadening(t);
    glass.mro = medium_range_order(sample, t).max(0.0);
    glass
}

/// The room-temperature cluster radius relative to [`CLUSTER_RADIUS`] (the fit's default
/// seeds): the modes start 0.2 % inside their seeds, so that thermal expansion carries them
/// across the seeds, not away from them, on the way to T_x.
pub const RT_RADIUS_FACTOR: f64 = 0.998;

/// The structure model of a sample at T (amorphous part only): [`glass_at`] with every
/// distance multiplied by [`distance_scale`] and the density divided by its cube, so that
/// S_T(Q) = S_RT-geometry(scale · Q) exactly and the low-Q balance of the model is kept.
pub fn structure_at(sample: &DemoSample, t: f64) -> StructureModel {
    glass_at(sample, t)
        .structure()
        .scaled(distance_scale(sample, t))
}

impl StructureModel {
    /// The same structure with every distance multiplied by `s` and ρ0 divided by s³:
    /// g_s(r) = g(r/s), S_s(Q) = S(sQ).
    pub fn scaled(mut self, s: f64) -> StructureModel {
        for shell in &mut self.shells {
            shell.centre *= s;
            shell.width *= s;
        }
        self.core_radius *= s;
        self.core_width *= s;
        self.rho0 /= s * s * s;
        self
    }
}

/// What the analysis of a demo pattern should find: the model's own numbers at T.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlantedState {
    #[serde(rename = "T_K")]
    pub kelvin: f64,
    /// Connection-mode fractions (1-, 2-, 3-, 4-atom).
    pub fractions: [f64; 4],
    /// Centres of the four modes (Å).
    pub centres: [f64; 4],
    /// Their shared width (Å).
    pub width: f64,
    /// The level of g(r) under the four modes in the default fit window: the mean of
    /// g(r) − modes over 3.9–6.6 Å (the fit's baseline).
    pub baseline: f64,
    /// Number density (Å⁻³).
    pub rho0: f64,
    /// Crystalline share of the sample (0 below T_x).
    pub crystalline_fraction: f64,
}

/// The planted state of a sample at T.
pub fn planted_state(sample: &DemoSample, t: f64) -> PlantedState {
    let scale = distance_scale(sample, t);
    let glass = glass_at(sample, t);
    let model = glass.structure().scaled(scale);
    let centres = glass.centres.map(|c| c * scale);
    let (unscaled_width, height) = glass.mode_shape();
    let width = unscaled_width * scale;
    let fractions = glass.truth();
    let modes = |r: f64| -> f64 {
        (0..4)
            .map(|k| {
                height * fractions[k] * (-(r - centres[k]).powi(2) / (2.0 * width * width)).exp()
            })
            .sum()
    };
    let n = 271;
    let baseline = (0..n)
        .map(|i| {
            let r = 3.9 + 0.01 * i as f64;
            model.g(r) - modes(r)
        })
        .sum::<f64>()
        / n as f64;
    PlantedState {
        kelvin: t,
        fractions,
        centres,
        width,
        baseline,
        rho0: model.rho0,
        crystalline_fraction: crystalline_fraction(sample, t),
    }
}

/// Everything the demo planted in one sample: its parameters and the state at every
/// temperature of the series (`truth.json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DemoTruth {
    pub sample: String,
    #[serde(rename = "T_r_K")]
    pub t_r: f64,
    #[serde(rename = "T_g_K")]
    pub t_g: f64,
    #[serde(rename = "T_x_K")]
    pub t_x: f64,
    /// Contraction per kelvin of relaxation (1/K).
    pub relaxation_contraction_per_k: f64,
    /// Share moved from the 2-atom to the 3-atom mode between T_r and T_g.
    pub mode_shift: f64,
    /// Noise σ of S(Q) as a multiple of 0.001 + 0.00015 Q.
    pub noise: f64,
    pub states: Vec<PlantedState>,
}

/// The truth of a sample's series over the config's temperatures.
pub fn demo_truth(sample: &DemoSample, config: &DemoConfig) -> DemoTruth {
    DemoTruth {
        sample: sample.name.to_string(),
        t_r: sample.t_r,
        t_g: sample.t_g,
        t_x: sample.t_x,
        relaxation_contraction_per_k: sample.kappa,
        mode_shift: sample.mode_shift,
        noise: sample.noise,
        states: config
            .temperatures()
            .iter()
            .map(|&t| planted_state(sample, t))
            .collect(),
    }
}

/// Bragg reflections of the crystallized phase (Q in Å⁻¹, peak height in S(Q)).
const BRAGG: [(f64, f64); 10] = [
    (2.43, 6.5),
    (2.58, 10.0),
    (2.74, 12.0),
    (2.96, 4.8),
    (3.52, 2.7),
    (4.18, 3.9),
    (4.47, 5.1),
    (4.93, 3.3),
    (5.31, 2.4),
    (6.05, 2.1),
];

/// Noise-free S(Q) of a sample at T on a grid: the amorphous model's transform at every Q
/// (nothing blended), weighted by the amorphous share, plus the Bragg peaks of the crystallised
/// share above T_x.
pub fn model_structure_factor(sample: &DemoSample, t: f64, q: &[f64]) -> Vec<f64> {
    let model = structure_at(sample, t);
    let x_c = crystalline_fraction(sample, t);
    let scale = distance_scale(sample, t);
    q.iter()
        .map(|&qi| {
            let mut s = 1.0 + (1.0 - x_c) * (model.s(qi) - 1.0);
            if x_c > 0.0 {
                let dw = (-(qi * qi) * 0.004).exp();
                for (qb, height) in BRAGG {
                    let centre = qb / scale;
                    s += x_c * height * dw * (-(qi - centre).powi(2) / (2.0 * 0.02 * 0.02)).exp();
                }
            }
            s
        })
        .collect()
}

/// Pattern `i` of a sample's synthetic series, at temperature `t` on the config's Q grid.
pub fn demo_pattern(sample: &DemoSample, config: &DemoConfig, i: usize, t: f64) -> Pattern {
    let q = config.q_grid();
    let seconds_per_kelvin = 60.0 / config.rate_k_per_min;
    let mut y = model_structure_factor(sample, t, &q);
    if config.noise && sample.noise > 0.0 {
        let mut rng = SplitMix64(sample.seed.wrapping_mul(1_000_003).wrapping_add(i as u64));
        for (yi, qi) in y.iter_mut().zip(&q) {
            *yi += sample.noise * planted::noise_sigma(*qi) * rng.normal();
        }
    }
    let rho0 = distance_scale(sample, t).powi(-3) * RHO0;
    let time = (t - config.t_start) * seconds_per_kelvin;
    Pattern {
        index: i,
        source: format!("demo/{}/{}_{i:04}.xy", sample.name, sample.name).into(),
        column: None,
        format: "demo".into(),
        quantity: Quantity::StructureFactor,
        x_unit: XUnit::QInvAngstrom,
        x: q,
        y,
        dy: None,
        temperature: Some(Temperature {
            kelvin: t,
            source: TemperatureSource::Synthetic,
        }),
        time_s: Some(time),
        metadata: vec![
            ("sample".into(), sample.name.into()),
            ("composition".into(), COMPOSITION.into()),
            ("rho0".into(), format!("{rho0}")),
        ],
        problems: Vec::new(),
        notes: Vec::new(),
        segment: Segment::Start,
        repeated_temperature: false,
    }
}

/// The series of a sample from its patterns (in temperature order), with its notes.
pub fn demo_series_from(sample: &DemoSample, patterns: Vec<Pattern>) -> HeatingSeries {
    let mut series = HeatingSeries::new(sample.name, Some(COMPOSITION.into()), patterns);
    series.notes.push(format!(
        "synthetic demo: T_r = {} K, T_g = {} K, T_x = {} K built into the model",
        sample.t_r, sample.t_g, sample.t_x
    ));
    series
}

/// The synthetic heating series of one sample (patterns one after the other;
/// `engine::demo_all` builds them in parallel, with the same result).
pub fn demo_series(sample: &DemoSample, config: &DemoConfig) -> HeatingSeries {
    let patterns = config
        .temperatures()
        .iter()
        .enumerate()
        .map(|(i, &t)| demo_pattern(sample, config, i, t))
        .collect();
    demo_series_from(sample, patterns)
}

/// All three demo samples.
pub fn demo_all(config: &DemoConfig) -> Vec<HeatingSeries> {
    SAMPLES.iter().map(|s| demo_series(s, config)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slow, obvious forward transform of the model's g(r) by the trapezoid rule.
    fn numeric_s(model: &StructureModel, q: f64) -> f64 {
        let dr = 0.0005;
        let n = (40.0 / dr) as usize;
        let mut acc = 0.0;
        for i in 0..=n {
            let r = i as f64 * dr;
            let w = if i == 0 || i == n { 0.5 } else { 1.0 };
            acc += w * r * model.h(r) * (q * r).sin();
        }
        1.0 + 4.0 * std::f64::consts::PI * model.rho0 / q * acc * dr
    }

    #[test]
    fn closed_form_s_matches_numeric_transform_of_g() {
        let model = structure_at(&SAMPLES[0], 300.0);
        for q in [0.8, 1.7, 2.55, 3.3, 4.4, 5.2, 7.9, 12.0, 20.0] {
            let a = model.s(q);
            let b = numeric_s(&model, q);
            assert!(
                (a - b).abs() < 2e-6,
                "Q = {q}: closed form {a}, numeric {b}"
            );
        }
    }

    #[test]
    fn model_looks_like_a_zr_based_glass() {
        let model = structure_at(&SAMPLES[0], 300.0);
        // Hard core: g ≈ 0 well below the first shell.
        assert!(model.g(1.5).abs() < 0.01);
        // First sharp diffraction peak near 2.5 Å⁻¹ and well above 2.
        let q: Vec<f64> = (0..1500).map(|i| 1.0 + 0.002 * i as f64).collect();
        let s: Vec<f64> = q.iter().map(|&x| model.s(x)).collect();
        let (imax, smax) = s
            .iter()
            .enumerate()
            .fold((0, f64::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
        assert!((2.4..2.7).contains(&q[imax]), "FSDP at {}", q[imax]);
        assert!(smax > 2.0 && smax < 3.5, "S(Q1) = {smax}");
        // g(r) never meaningfully negative.
        let gmin = (0..2000)
            .map(|i| model.g(0.01 * i as f64))
            .fold(f64::MAX, f64::min);
        assert!(gmin > -0.06, "g(r) min {gmin}");
        // Below the FSDP the demo is a dense glass: small S(Q) at low Q (the model's own
        // transform, no blend), never below −0.4 on the way to the FSDP.
        let demo = model_structure_factor(&SAMPLES[0], 300.0, &[0.5, 0.7, 1.3, 2.0]);
        assert!(
            (0.0..0.3).contains(&demo[0]) && (0.0..0.3).contains(&demo[1]),
            "{demo:?}"
        );
        assert!(demo.iter().all(|&v| v > -0.4 && v < 1.5), "{demo:?}");
        // At least six positive lobes of G(r) beyond 1.5 Å within 20 Å.
        let mut lobes = 0;
        let mut inside = false;
        for i in 150..2000 {
            let pos = model.big_g(0.01 * i as f64) >= 0.0;
            if pos && !inside {
                lobes += 1;
            }
            inside = pos;
        }
        assert!(lobes >= 6, "{lobes} lobes");
    }

    #[test]
    fn demo_is_deterministic_and_has_the_study_layout() {
        let cfg = DemoConfig::default();
        let a = demo_series(&SAMPLES[2], &cfg);
        let b = demo_series(&SAMPLES[2], &cfg);
        assert_eq!(a, b);
        assert_eq!(a.len(), 151);
        assert_eq!(a.patterns[0].x.len(), 1250);
        assert_eq!(a.patterns[150].kelvin(), Some(750.0));
        assert_eq!(a.patterns[1].time_s, Some(9.0));
        assert_eq!(a.composition.as_deref(), Some(COMPOSITION));
    }

    #[test]
    fn deformed_samples_relax_earlier_and_more() {
        let onset: Vec<f64> = SAMPLES.iter().map(|s| s.t_r).collect();
        assert!(onset[2] < onset[1] && onset[1] < onset[0]);
        // Below T_r the distance scale is pure expansion; above it the contraction shows.
        let s = &SAMPLES[2];
        assert_eq!(distance_scale(s, 400.0), 1.0 + 1.0e-5 * 100.0);
        assert!(distance_scale(s, 650.0) < 1.0 + 1.0e-5 * 350.0);
        let f = connection_fractions(s, 700.0);
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(f[2] > 0.36 && f[1] < 0.34);
    }
}
