//! Raw intensity I(Q) → total structure factor S(Q) in the Faber–Ziman convention, one pattern
//! at a time: pure functions on plain data (Q in Å⁻¹, intensities in any consistent units).
//!
//! # The formula
//! S(Q) = 1 + [α·I_c(Q) − ⟨f²⟩(Q) − C(Q)] / ⟨f⟩²(Q), with
//! - I_c(Q) = [I(Q) − b·I_bkg(Q)] / P(Q): the measured intensity less the scaled background,
//!   divided by the polarisation factor P when a wavelength is given (else P = 1);
//! - ⟨f²⟩ = Σᵢ cᵢ fᵢ²(Q), ⟨f⟩² = (Σᵢ cᵢ fᵢ(Q))², C(Q) = Σᵢ cᵢ I_inc,i(Q): composition-weighted
//!   coherent form factors (Waasmaier–Kirfel) and Compton scattering (Balyuzi) per atom, from
//!   [`crate::model::xray`], cᵢ the atomic fractions;
//! - α: the scale from the measured units to electron units per atom ([`Normalisation`]).
//!
//! **Polarisation.** For a pattern azimuthally integrated over full Debye–Scherrer rings the
//! polarisation factor of a linearly polarised (synchrotron) or unpolarised beam averages to
//! P(2θ) = (1 + cos² 2θ)/2, with 2θ = 2 asin(Qλ/4π); the background, scattered by the same
//! geometry, is divided by the same P. Patterns integrated by pyFAI/Dioptas with their own
//! polarisation correction must not be corrected twice (give no wavelength).
//!
//! **Krogh-Moe–Norman normalisation.** g(r → 0) = 0 gives the sum rule
//! ∫₀^∞ Q² [S(Q) − 1] dQ = −2π²ρ0 (from g(r) − 1 = (2π²ρ0 r)⁻¹ ∫ Q [S − 1] sin(Qr) dQ as r → 0),
//! which is applied up to the last measured point Qmax. Splitting [0, Qmax] at the first
//! point Q₀ and putting S − 1 = (α I_c − ⟨f²⟩ − C)/⟨f⟩² into the measured part gives
//! α · D = N − 2π²ρ0 − L, with
//! D = ∫_{Q₀}^{Qmax} Q² I_c/⟨f⟩² dQ, N = ∫_{Q₀}^{Qmax} Q² (⟨f²⟩ + C)/⟨f⟩² dQ (trapezoid rule over
//! the data points) and L = ∫₀^{Q₀} Q² [S(Q) − 1] dQ, the unmeasured part. Below Q₀, S(Q) follows
//! [`LowQ`] (the same choices as the transform's), with S₀ = S(Q₀) = u + vα linear in α
//! (u = 1 − (⟨f²⟩ + C)/⟨f⟩², v = I_c/⟨f⟩², at Q₀):
//! - `None`: L = 0;
//! - `Hold`: S = S₀ below Q₀, L = (S₀ − 1) Q₀³/3;
//! - `Linear`: S falls linearly from S₀ to S(0) = 0, L = S₀ Q₀³/4 − Q₀³/3.
//!
//! L = a + bα in each case, so α = (N − 2π²ρ0 − a)/(D + b) in closed form. On a typical grid
//! (Qmax ≈ 25 Å⁻¹) N ≈ Qmax³/3 ≫ 2π²ρ0 ≈ 1, so α is set mostly by the high-Q intensity and
//! only weakly by ρ0 and the low-Q continuation (as it should: the sum rule is exact only to
//! Q = ∞, and for X-rays only approximately, because ⟨f⟩² does not factor out of the partial
//! structure factors; truncation at Qmax is not corrected).
//!
//! **High-Q normalisation.** α makes S → 1 over a stated window [Q_a, Q_b]:
//! α = ∫ (⟨f²⟩ + C) dQ / ∫ I_c dQ over the data points in the window (trapezoid rule), i.e.
//! ∫ ⟨f⟩² [S − 1] dQ = 0 there.
//!
//! **Uncertainty.** Given σ_I, σ_S = α σ_I / (P ⟨f⟩²) (α and the background taken as exact).
//!
//! # Input rules
//! Q must be finite, ≥ 0 and strictly increasing, with at least [`MIN_POINTS`] points;
//! intensities, background and σ must be finite and as long as Q. A NaN anywhere is an error
//! naming the array and the index (never a NaN S(Q) in silence). A Q beyond 4π/λ (no real
//! scattering angle) is an error. The functions never panic.

use crate::analysis::transform::LowQ;
use crate::model::composition::Composition;
use crate::model::xray::atomic_scattering;

/// Fewest points a pattern needs.
pub const MIN_POINTS: usize = 3;

/// hc in keV·Å (CODATA 2018): λ(Å) = 12.398 419 843 320 026 / E(keV).
pub const HC_KEV_ANGSTROM: f64 = 12.398_419_843_320_026;

/// X-ray wavelength (Å) of a photon energy (keV).
pub fn wavelength_from_energy(kev: f64) -> f64 {
    HC_KEV_ANGSTROM / kev
}

/// How α, the scale to electron units per atom, is found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalisation {
    /// The Krogh-Moe–Norman sum rule with number density `rho0` (atoms/Å³), S(Q) continued
    /// below the first point by `below_qmin`.
    KroghMoe { rho0: f64, below_qmin: LowQ },
    /// S → 1 on average over Q ∈ [`q_from`, `q_to`] (Å⁻¹).
    HighQ { q_from: f64, q_to: f64 },
    /// A known α.
    Given { alpha: f64 },
}

/// One pattern to reduce. `background` is already on the grid `q`.
#[derive(Debug, Clone, Copy)]
pub struct ReductionInput<'a> {
    pub q: &'a [f64],
    pub intensity: &'a [f64],
    /// σ of `intensity`, if known.
    pub sigma: Option<&'a [f64]>,
    pub background: Option<&'a [f64]>,
    /// b, the factor on the background.
    pub background_scale: f64,
    pub composition: &'a Composition,
    /// X-ray wavelength (Å) for the polarisation correction; None: no correction.
    pub wavelength: Option<f64>,
    pub normalisation: Normalisation,
    /// ⟨f²⟩, ⟨f⟩² and C already computed for `q` and `composition` (a series shares them);
    /// None: computed here.
    pub factors: Option<&'a ScatteringFactors>,
}

impl<'a> ReductionInput<'a> {
    /// A pattern with no σ, no background and no polarisation correction.
    pub fn new(
        q: &'a [f64],
        intensity: &'a [f64],
        composition: &'a Composition,
        normalisation: Normalisation,
    ) -> Self {
        ReductionInput {
            q,
            intensity,
            sigma: None,
            background: None,
            background_scale: 1.0,
            composition,
            wavelength: None,
            normalisation,
            factors: None,
        }
    }
}

/// The composition-weighted scattering of one atom on a Q grid (electron units).
#[derive(Debug, Clone, PartialEq)]
pub struct ScatteringFactors {
    /// ⟨f²⟩(Q) = Σ cᵢ fᵢ².
    pub mean_square: Vec<f64>,
    /// ⟨f⟩²(Q) = (Σ cᵢ fᵢ)².
    pub square_of_mean: Vec<f64>,
    /// C(Q) = Σ cᵢ I_inc,i (Compton).
    pub compton: Vec<f64>,
}

/// Every step of a reduction, on the input grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduction {
    pub q: Vec<f64>,
    /// I(Q) as given.
    pub intensity: Vec<f64>,
    /// b·I_bkg(Q) (zeros without a background).
    pub scaled_background: Vec<f64>,
    /// I − b·I_bkg.
    pub subtracted: Vec<f64>,
    /// P(Q), when a wavelength was given.
    pub polarisation: Option<Vec<f64>>,
    /// I_c = (I − b·I_bkg)/P.
    pub corrected: Vec<f64>,
    /// α·I_c, electron units per atom.
    pub normalised: Vec<f64>,
    /// C(Q), ⟨f²⟩(Q), ⟨f⟩²(Q).
    pub factors: ScatteringFactors,
    /// The scale α.
    pub alpha: f64,
    /// S(Q).
    pub s: Vec<f64>,
    /// σ of S(Q), when σ of I was given.
    pub sigma_s: Option<Vec<f64>>,
}

/// Why a pattern cannot be reduced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReductionError {
    #[error("{points} points: a reduction needs at least {MIN_POINTS}")]
    TooFewPoints { points: usize },
    #[error("{what} has {found} values for {expected} Q points")]
    LengthMismatch {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("Q must be finite, ≥ 0 and increasing; it is not at point {index} (Q = {value})")]
    BadQ { index: usize, value: f64 },
    #[error("{what} is not a finite number at point {index} (Q = {q})")]
    NotFinite {
        what: &'static str,
        index: usize,
        q: f64,
    },
    #[error("{name} = {value} is not allowed ({rule})")]
    BadParameter {
        name: &'static str,
        value: f64,
        rule: &'static str,
    },
    #[error("Q = {q} 1/Å is beyond 4π/λ = {limit} 1/Å: no scattering angle reaches it")]
    BeyondWavelength { q: f64, limit: f64 },
    #[error("no X-ray scattering data for element Z = {z}")]
    NoXrayData { z: u8 },
    #[error("the high-Q window {q_from}–{q_to} 1/Å holds {points} points (needs {MIN_POINTS})")]
    Window {
        q_from: f64,
        q_to: f64,
        points: usize,
    },
    #[error(
        "the normalisation gives α = {alpha}: the corrected intensity has no positive signal \
         over the range used (check the background scale, ρ0 and the Q range)"
    )]
    NoSignal { alpha: f64 },
}

/// ⟨f²⟩, ⟨f⟩² and C of `composition` on the grid `q` (Å⁻¹).
pub fn scattering_factors(
    composition: &Composition,
    q: &[f64],
) -> Result<ScatteringFactors, ReductionError> {
    let atoms = composition
        .constituents()
        .iter()
        .map(|c| {
            atomic_scattering(c.z)
                .map(|a| (c.fraction, a))
                .ok_or(ReductionError::NoXrayData { z: c.z })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n = q.len();
    let mut factors = ScatteringFactors {
        mean_square: Vec::with_capacity(n),
        square_of_mean: Vec::with_capacity(n),
        compton: Vec::with_capacity(n),
    };
    for &qi in q {
        let (mut f_mean, mut f2_mean, mut compton) = (0.0, 0.0, 0.0);
        for (c, atom) in &atoms {
            let f = atom.form_factor(qi);
            f_mean += c * f;
            f2_mean += c * f * f;
            compton += c * atom.incoherent(qi);
        }
        factors.mean_square.push(f2_mean);
        factors.square_of_mean.push(f_mean * f_mean);
        factors.compton.push(compton);
    }
    Ok(factors)
}

/// The polarisation factor P = (1 + cos² 2θ)/2 of a full-ring integrated pattern at Q (Å⁻¹)
/// and wavelength λ (Å); None where Qλ/4π > 1.
pub fn polarisation_factor(q: f64, wavelength: f64) -> Option<f64> {
    let sin_theta = q * wavelength / (4.0 * std::f64::consts::PI);
    if !(0.0..=1.0).contains(&sin_theta.abs()) {
        return None;
    }
    // cos 2θ = 1 − 2 sin² θ.
    let cos_2theta = 1.0 - 2.0 * sin_theta * sin_theta;
    Some(0.5 * (1.0 + cos_2theta * cos_2theta))
}

/// The polarisation factor at every Q for `wavelength` (None: no correction); an error at the
/// first Q beyond 4π/λ.
pub fn polarisation_on_grid(
    q: &[f64],
    wavelength: Option<f64>,
) -> Result<Option<Vec<f64>>, ReductionError> {
    let Some(lambda) = wavelength else {
        return Ok(None);
    };
    q.iter()
        .map(|&qi| {
            polarisation_factor(qi, lambda).ok_or(ReductionError::BeyondWavelength {
                q: qi,
                limit: 4.0 * std::f64::consts::PI / lambda,
            })
        })
        .collect::<Result<Vec<f64>, _>>()
        .map(Some)
}

/// S(Q) from I(Q): the whole reduction (see the module doc), every intermediate returned.
pub fn sq_from_iq(input: &ReductionInput) -> Result<Reduction, ReductionError> {
    let q = input.q;
    check_input(input)?;
    let background: Vec<f64> = match input.background {
        Some(bkg) => bkg.iter().map(|b| input.background_scale * b).collect(),
        None => vec![0.0; q.len()],
    };
    let subtracted: Vec<f64> = input
        .intensity
        .iter()
        .zip(&background)
        .map(|(i, b)| i - b)
        .collect();
    let polarisation = polarisation_on_grid(q, input.wavelength)?;
    let corrected: Vec<f64> = match &polarisation {
        Some(p) => subtracted.iter().zip(p).map(|(i, p)| i / p).collect(),
        None => subtracted.clone(),
    };
    let factors = match input.factors {
        Some(f)
            if [&f.mean_square, &f.square_of_mean, &f.compton]
                .iter()
                .all(|v| v.len() == q.len()) =>
        {
            f.clone()
        }
        _ => scattering_factors(input.composition, q)?,
    };
    let alpha = match input.normalisation {
        Normalisation::Given { alpha } => alpha,
        Normalisation::KroghMoe { rho0, below_qmin } => {
            krogh_moe_alpha(q, &corrected, &factors, rho0, below_qmin)?
        }
        Normalisation::HighQ { q_from, q_to } => {
            high_q_alpha(q, &corrected, &factors, q_from, q_to)?
        }
    };
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(ReductionError::NoSignal { alpha });
    }
    let normalised: Vec<f64> = corrected.iter().map(|i| alpha * i).collect();
    let s = (0..q.len())
        .map(|k| {
            1.0 + (normalised[k] - factors.mean_square[k] - factors.compton[k])
                / factors.square_of_mean[k]
        })
        .collect();
    let sigma_s = input.sigma.map(|sigma| {
        (0..q.len())
            .map(|k| {
                let p = polarisation.as_ref().map_or(1.0, |p| p[k]);
                alpha * sigma[k] / (p * factors.square_of_mean[k])
            })
            .collect()
    });
    Ok(Reduction {
        q: q.to_vec(),
        intensity: input.intensity.to_vec(),
        scaled_background: background,
        subtracted,
        polarisation,
        corrected,
        normalised,
        factors,
        alpha,
        s,
        sigma_s,
    })
}

fn check_input(input: &ReductionInput) -> Result<(), ReductionError> {
    let q = input.q;
    let n = q.len();
    if n < MIN_POINTS {
        return Err(ReductionError::TooFewPoints { points: n });
    }
    for (k, &v) in q.iter().enumerate() {
        if !v.is_finite() || v < 0.0 || (k > 0 && v <= q[k - 1]) {
            return Err(ReductionError::BadQ { index: k, value: v });
        }
    }
    let arrays = [
        ("the intensity", Some(input.intensity)),
        ("σ of the intensity", input.sigma),
        ("the background", input.background),
    ];
    for (what, values) in arrays {
        let Some(values) = values else { continue };
        if values.len() != n {
            return Err(ReductionError::LengthMismatch {
                what,
                expected: n,
                found: values.len(),
            });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(ReductionError::NotFinite {
                what,
                index,
                q: q[index],
            });
        }
    }
    let positive = "must be finite and > 0";
    let mut parameters = vec![(
        "background scale",
        input.background_scale,
        input.background_scale.is_finite(),
        "must be finite",
    )];
    if let Some(lambda) = input.wavelength {
        parameters.push((
            "wavelength",
            lambda,
            lambda.is_finite() && lambda > 0.0,
            positive,
        ));
    }
    match input.normalisation {
        Normalisation::KroghMoe { rho0, .. } => {
            parameters.push(("ρ0", rho0, rho0.is_finite() && rho0 > 0.0, positive));
        }
        Normalisation::HighQ { q_from, q_to } => {
            let ok = q_from.is_finite() && q_to.is_finite() && q_from < q_to;
            parameters.push(("high-Q window start", q_from, ok, "must be below its end"));
        }
        Normalisation::Given { alpha } => {
            parameters.push(("α", alpha, alpha.is_finite() && alpha > 0.0, positive));
        }
    }
    match parameters.into_iter().find(|p| !p.2) {
        Some((name, value, _, rule)) => Err(ReductionError::BadParameter { name, value, rule }),
        None => Ok(()),
    }
}

/// ∫ y dQ by the trapezoid rule over the points.
fn trapezoid(q: &[f64], y: impl Fn(usize) -> f64) -> f64 {
    (1..q.len())
        .map(|k| 0.5 * (q[k] - q[k - 1]) * (y(k) + y(k - 1)))
        .sum()
}

/// α by the Krogh-Moe–Norman sum rule (see the module doc): `corrected` is I_c on the grid `q`.
pub fn krogh_moe_alpha(
    q: &[f64],
    corrected: &[f64],
    factors: &ScatteringFactors,
    rho0: f64,
    below_qmin: LowQ,
) -> Result<f64, ReductionError> {
    let ff = &factors.square_of_mean;
    let independent = |k: usize| (factors.mean_square[k] + factors.compton[k]) / ff[k];
    let n = trapezoid(q, |k| q[k] * q[k] * independent(k));
    let d = trapezoid(q, |k| q[k] * q[k] * corrected[k] / ff[k]);
    let q0 = q[0];
    let cube = q0 * q0 * q0;
    // S₀ = u + v α at the first point.
    let (u, v) = (1.0 - independent(0), corrected[0] / ff[0]);
    let (a, b) = match below_qmin {
        LowQ::None => (0.0, 0.0),
        LowQ::Hold => ((u - 1.0) * cube / 3.0, v * cube / 3.0),
        LowQ::Linear => (u * cube / 4.0 - cube / 3.0, v * cube / 4.0),
    };
    let alpha = (n - 2.0 * std::f64::consts::PI.powi(2) * rho0 - a) / (d + b);
    if alpha.is_finite() && alpha > 0.0 {
        Ok(alpha)
    } else {
        Err(ReductionError::NoSignal { alpha })
    }
}

/// α such that S → 1 on average over [`q_from`, `q_to`] (see the module doc).
pub fn high_q_alpha(
    q: &[f64],
    corrected: &[f64],
    factors: &ScatteringFactors,
    q_from: f64,
    q_to: f64,
) -> Result<f64, ReductionError> {
    let first = q.iter().position(|&v| v >= q_from).unwrap_or(q.len());
    let last = q.iter().rposition(|&v| v <= q_to).map_or(0, |i| i + 1);
    let points = last.saturating_sub(first);
    if points < MIN_POINTS {
        return Err(ReductionError::Window {
            q_from,
            q_to,
            points,
        });
    }
    let window = &q[first..last];
    let expected = trapezoid(window, |k| {
        factors.mean_square[first + k] + factors.compton[first + k]
    });
    let measured = trapezoid(window, |k| corrected[first + k]);
    let alpha = expected / measured;
    if alpha.is_finite() && alpha > 0.0 {
        Ok(alpha)
    } else {
        Err(ReductionError::NoSignal { alpha })
    }
}

/// ρ0 (atoms/Å³) from the low-r line of the reduced PDF: below the first peak g(r) = 0, so
/// G(r) = −4πρ0 r; the least-squares slope through the origin over 0 < r ≤ `r_max`,
/// ρ0 = −Σ rG / (4π Σ r²). None when no finite point lies in the range or the slope is not
/// negative (no density to read).
pub fn rho0_from_low_r(r: &[f64], big_g: &[f64], r_max: f64) -> Option<f64> {
    let (mut rg, mut rr) = (0.0, 0.0);
    for (&ri, &gi) in r.iter().zip(big_g) {
        if ri > 0.0 && ri <= r_max && gi.is_finite() {
            rg += ri * gi;
            rr += ri * ri;
        }
    }
    let rho0 = -rg / (4.0 * std::f64::consts::PI * rr);
    (rr > 0.0 && rho0.is_finite() && rho0 > 0.0).then_some(rho0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RHO0: f64 = 0.0545;
    const PLANTED: f64 = 1234.5;

    fn bam11() -> Composition {
        Composition::parse("Zr52.5Cu17.9Ni14.6Al10Ti5").expect("formula")
    }

    fn grid(from: f64, to: f64, step: f64) -> Vec<f64> {
        let n = ((to - from) / step).round() as usize;
        (0..=n).map(|k| from + step * k as f64).collect()
    }

    /// Percus–Yevick hard spheres, σ = 2.5 Å at RHO0: g(r < σ) = 0 exactly.
    fn analytic_s(q: f64) -> f64 {
        crate::model::hard_spheres::percus_yevick_s(q, RHO0, 2.5)
    }

    /// I(Q) = [⟨f⟩²(S − 1) + ⟨f²⟩ + C]·P·scale + b·bkg.
    fn planted_intensity(
        q: &[f64],
        s: &[f64],
        wavelength: Option<f64>,
        background: Option<(&[f64], f64)>,
    ) -> Vec<f64> {
        let f = scattering_factors(&bam11(), q).expect("factors");
        (0..q.len())
            .map(|k| {
                let eu = f.square_of_mean[k] * (s[k] - 1.0) + f.mean_square[k] + f.compton[k];
                let p = wavelength.map_or(1.0, |l| polarisation_factor(q[k], l).expect("P"));
                eu * p * PLANTED + background.map_or(0.0, |(b, scale)| scale * b[k])
            })
            .collect()
    }

    #[test]
    fn scattering_factors_of_one_element_and_of_a_mixture() {
        let q = [0.0, 2.5, 10.0, 25.0];
        let cu = Composition::parse("Cu").expect("Cu");
        let f = scattering_factors(&cu, &q).expect("Cu");
        for (k, &qk) in q.iter().enumerate() {
            let f0 = crate::model::xray::form_factor(29, qk).expect("f0");
            assert!((f.mean_square[k] - f0 * f0).abs() < 1e-12);
            assert!((f.square_of_mean[k] - f0 * f0).abs() < 1e-12);
        }
        let m = scattering_factors(&bam11(), &q).expect("BAM-11");
        // ⟨f⟩ at Q = 0 is the mean atomic number (to the fit's 0.04 e); ⟨f²⟩ ≥ ⟨f⟩².
        assert!((m.square_of_mean[0].sqrt() - bam11().mean_atomic_number()).abs() < 0.04);
        for k in 0..q.len() {
            assert!(m.mean_square[k] >= m.square_of_mean[k]);
        }
        assert!(m.compton[0].abs() < 0.02 && m.compton[3] > 0.8 * 32.679);
    }

    #[test]
    fn polarisation_is_one_forward_and_one_half_at_ninety_degrees() {
        assert_eq!(polarisation_factor(0.0, 0.1173), Some(1.0));
        // 2θ = 90°: sin θ = 1/√2, Q = 4π sin θ / λ.
        let q90 = 4.0 * std::f64::consts::PI * std::f64::consts::FRAC_1_SQRT_2 / 1.0;
        assert!((polarisation_factor(q90, 1.0).expect("P") - 0.5).abs() < 1e-12);
        assert_eq!(polarisation_factor(13.0, 1.0), None);
        assert_eq!(polarisation_factor(f64::NAN, 1.0), None);
        assert!((wavelength_from_energy(105.7) - 0.1173).abs() < 1e-4);
    }

    #[test]
    fn a_known_alpha_gives_back_the_planted_structure_factor_to_round_off() {
        let q = grid(0.5, 25.0, 0.02);
        let s: Vec<f64> = q.iter().map(|&x| analytic_s(x)).collect();
        let bkg: Vec<f64> = q
            .iter()
            .map(|&x| 4000.0 * (-x / 4.0).exp() + 150.0)
            .collect();
        let lambda = 0.1173;
        let i = planted_intensity(&q, &s, Some(lambda), Some((&bkg, 0.8)));
        let comp = bam11();
        let input = ReductionInput {
            background: Some(&bkg),
            background_scale: 0.8,
            wavelength: Some(lambda),
            ..ReductionInput::new(
                &q,
                &i,
                &comp,
                Normalisation::Given {
                    alpha: 1.0 / PLANTED,
                },
            )
        };
        let r = sq_from_iq(&input).expect("reduce");
        let worst =
            r.s.iter()
                .zip(&s)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
        assert!(worst < 1e-10, "{worst}");
        assert!(s.iter().all(|&v| v > 0.0) && (analytic_s(0.5) - 0.0296).abs() < 1e-4);
        assert_eq!(r.scaled_background[0], 0.8 * bkg[0]);
        assert_eq!(r.subtracted[3], i[3] - 0.8 * bkg[3]);
        assert!(
            r.polarisation
                .as_ref()
                .is_some_and(|p| p[0] < 1.0 && p[0] > 0.99)
        );
        assert!(r.sigma_s.is_none());
        // Factors computed once for the grid give the same S(Q) bit for bit; factors for
        // another grid are not used.
        let f = scattering_factors(&comp, &q).expect("factors");
        let shared = sq_from_iq(&ReductionInput {
            factors: Some(&f),
            ..input
        })
        .expect("reduce");
        assert_eq!(shared.s, r.s);
        let other = scattering_factors(&comp, &q[1..]).expect("factors");
        let wrong = sq_from_iq(&ReductionInput {
            factors: Some(&other),
            ..input
        })
        .expect("reduce");
        assert_eq!(wrong.s, r.s);
    }

    #[test]
    fn krogh_moe_and_high_q_recover_the_planted_scale() {
        let q = grid(0.5, 25.0, 0.02);
        let s: Vec<f64> = q.iter().map(|&x| analytic_s(x)).collect();
        let i = planted_intensity(&q, &s, None, None);
        let comp = bam11();
        for below_qmin in [LowQ::None, LowQ::Hold, LowQ::Linear] {
            let norm = Normalisation::KroghMoe {
                rho0: RHO0,
                below_qmin,
            };
            let r = sq_from_iq(&ReductionInput::new(&q, &i, &comp, norm)).expect("KM");
            let error = r.alpha * PLANTED - 1.0;
            assert!(error.abs() < 1e-3, "{below_qmin:?}: {error}");
        }
        let norm = Normalisation::HighQ {
            q_from: 15.0,
            q_to: 25.0,
        };
        let r = sq_from_iq(&ReductionInput::new(&q, &i, &comp, norm)).expect("high Q");
        assert!(
            (r.alpha * PLANTED - 1.0).abs() < 0.01,
            "{}",
            r.alpha * PLANTED
        );
    }

    #[test]
    fn the_krogh_moe_alpha_satisfies_the_sum_rule_with_its_own_continuation() {
        // Whatever the data, S(Q) from the α found obeys ∫₀^Qmax Q²(S − 1) dQ = −2π²ρ0 with
        // the chosen continuation below Q₀ (the closed form is exact, not iterated).
        let q = grid(1.0, 12.0, 0.05);
        let i: Vec<f64> = q
            .iter()
            .map(|&x| 50.0 + 30.0 * (x / 3.0).sin() + x * x)
            .collect();
        let comp = Composition::parse("Fe81S19").expect("formula");
        for below_qmin in [LowQ::None, LowQ::Hold, LowQ::Linear] {
            let norm = Normalisation::KroghMoe {
                rho0: 0.07,
                below_qmin,
            };
            let r = sq_from_iq(&ReductionInput::new(&q, &i, &comp, norm)).expect("KM");
            let measured = trapezoid(&q, |k| q[k] * q[k] * (r.s[k] - 1.0));
            let (q0, s0) = (q[0], r.s[0]);
            let below = match below_qmin {
                LowQ::None => 0.0,
                LowQ::Hold => (s0 - 1.0) * q0.powi(3) / 3.0,
                LowQ::Linear => s0 * q0.powi(3) / 4.0 - q0.powi(3) / 3.0,
            };
            let sum = measured + below;
            let want = -2.0 * std::f64::consts::PI.powi(2) * 0.07;
            assert!(
                (sum - want).abs() < 1e-9 * (1.0 + want.abs()),
                "{below_qmin:?}: {sum}"
            );
        }
    }

    #[test]
    fn sigma_of_s_is_the_propagated_sigma_of_i() {
        let q = grid(1.0, 20.0, 0.1);
        let s: Vec<f64> = q.iter().map(|&x| analytic_s(x)).collect();
        let i = planted_intensity(&q, &s, None, None);
        let sigma: Vec<f64> = i.iter().map(|v| v.sqrt()).collect();
        let comp = bam11();
        let input = ReductionInput {
            sigma: Some(&sigma),
            ..ReductionInput::new(&q, &i, &comp, Normalisation::Given { alpha: 2e-3 })
        };
        let r = sq_from_iq(&input).expect("reduce");
        let sig = r.sigma_s.expect("σ");
        for k in 0..q.len() {
            let want = 2e-3 * sigma[k] / r.factors.square_of_mean[k];
            assert!((sig[k] - want).abs() <= 1e-15 * want.max(1.0));
        }
    }

    #[test]
    fn bad_input_is_an_error_naming_what_and_where() {
        use ReductionError::*;
        let comp = bam11();
        let given = Normalisation::Given { alpha: 1.0 };
        let q = [1.0, 2.0, 3.0, 4.0];
        let i = [10.0, 9.0, 8.0, 7.0];
        let run = |input: ReductionInput| sq_from_iq(&input).expect_err("must fail");
        assert_eq!(
            run(ReductionInput::new(&q[..2], &i[..2], &comp, given)),
            TooFewPoints { points: 2 }
        );
        assert!(matches!(
            run(ReductionInput::new(&q, &i[..3], &comp, given)),
            LengthMismatch { found: 3, .. }
        ));
        assert!(matches!(
            run(ReductionInput::new(&[1.0, 3.0, 2.0, 4.0], &i, &comp, given)),
            BadQ { index: 2, .. }
        ));
        assert!(matches!(
            run(ReductionInput::new(
                &[-1.0, 1.0, 2.0, 3.0],
                &i,
                &comp,
                given
            )),
            BadQ { index: 0, .. }
        ));
        let nan = [10.0, f64::NAN, 8.0, 7.0];
        let e = run(ReductionInput::new(&q, &nan, &comp, given));
        assert!(matches!(e, NotFinite { index: 1, .. }), "{e}");
        assert!(e.to_string().contains("intensity"));
        let input = ReductionInput {
            background: Some(&nan),
            ..ReductionInput::new(&q, &i, &comp, given)
        };
        assert!(run(input).to_string().contains("background"));
        let input = ReductionInput {
            wavelength: Some(4.0),
            ..ReductionInput::new(&q, &i, &comp, given)
        };
        assert!(matches!(run(input), BeyondWavelength { q: 4.0, .. }));
        for norm in [
            Normalisation::Given { alpha: 0.0 },
            Normalisation::KroghMoe {
                rho0: -1.0,
                below_qmin: LowQ::Hold,
            },
            Normalisation::HighQ {
                q_from: 3.0,
                q_to: f64::NAN,
            },
        ] {
            assert!(matches!(
                run(ReductionInput::new(&q, &i, &comp, norm)),
                BadParameter { .. }
            ));
        }
        let window = Normalisation::HighQ {
            q_from: 3.5,
            q_to: 9.0,
        };
        assert!(matches!(
            run(ReductionInput::new(&q, &i, &comp, window)),
            Window { points: 1, .. }
        ));
        let zero = [0.0; 4];
        let km = Normalisation::KroghMoe {
            rho0: RHO0,
            below_qmin: LowQ::Hold,
        };
        assert!(matches!(
            run(ReductionInput::new(&q, &zero, &comp, km)),
            NoSignal { .. }
        ));
        let input = ReductionInput {
            background: Some(&i),
            background_scale: 2.0,
            ..ReductionInput::new(&q, &i, &comp, window_of(&q))
        };
        assert!(matches!(run(input), NoSignal { .. }), "oversubtracted");
    }

    fn window_of(q: &[f64]) -> Normalisation {
        Normalisation::HighQ {
            q_from: q[0],
            q_to: q[q.len() - 1],
        }
    }

    #[test]
    fn odd_numbers_never_panic() {
        let comp = bam11();
        let values = [
            0.0,
            -1.0,
            1e-300,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
        ];
        let q = [0.0, 1e-9, 1.0, 80.0, 1e6];
        for &v in &values {
            let i = [v, 1.0, v, 2.0, v];
            for norm in [
                Normalisation::Given { alpha: 1.0 },
                window_of(&q),
                Normalisation::KroghMoe {
                    rho0: 0.05,
                    below_qmin: LowQ::Linear,
                },
            ] {
                let input = ReductionInput {
                    background: Some(&i),
                    background_scale: v,
                    wavelength: Some(1e-9),
                    ..ReductionInput::new(&q, &i, &comp, norm)
                };
                let _ = sq_from_iq(&input);
                let _ = sq_from_iq(&ReductionInput::new(&q, &i, &comp, norm));
            }
        }
        let _ = sq_from_iq(&ReductionInput::new(&[], &[], &comp, window_of(&[0.0])));
    }

    #[test]
    fn rho0_from_a_straight_low_r_line() {
        let r = grid(0.0, 3.0, 0.01);
        let g: Vec<f64> = r
            .iter()
            .map(|&x| {
                if x < 2.0 {
                    -4.0 * std::f64::consts::PI * RHO0 * x
                } else {
                    5.0
                }
            })
            .collect();
        let rho = rho0_from_low_r(&r, &g, 1.9).expect("ρ0");
        assert!((rho - RHO0).abs() < 1e-12);
        assert_eq!(rho0_from_low_r(&r, &g, 0.0), None);
        assert_eq!(rho0_from_low_r(&[], &[], 2.0), None);
        assert_eq!(rho0_from_low_r(&r, &vec![1.0; r.len()], 2.0), None);
    }
}
