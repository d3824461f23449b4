//! The demo series as a beamline would record it: raw intensities I(Q) before any reduction,
//! for teaching and testing the I(Q) → S(Q) path on a whole heating series.
//!
//! Each demo S(Q) pattern (noise included) becomes, in the Faber–Ziman convention the
//! reduction inverts,
//!
//! I(Q) = [`COUNTS_PER_ELECTRON`] · (⟨f⟩²(S − 1) + ⟨f²⟩ + C) + [`BACKGROUND_SCALE`] · I_bkg(Q),
//!
//! with ⟨f²⟩, ⟨f⟩² and the Compton term C of the demo's composition from the shipped tables,
//! and I_bkg the empty-cell background of [`empty_cell`] (air and window scattering: a fall
//! from low Q, a broad hump at 1.7 Å⁻¹ and a flat floor). The intensities are as if already
//! corrected for polarisation. The header keeps the sample, composition, T and time, and drops
//! ρ0: a user gives the density or has it refined, and `truth.json` holds the planted ρ0(T) to
//! compare with.

use super::COMPOSITION;
use crate::analysis::reduction::{ReductionError, scattering_factors};
use crate::model::composition::{Composition, CompositionError};
use crate::model::{Pattern, Quantity};

/// Why a pattern has no raw-intensity twin.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntensityError {
    #[error("the demo composition: {0}")]
    Composition(#[from] CompositionError),
    #[error("the demo scattering factors: {0}")]
    Factors(#[from] ReductionError),
}

/// Counts per electron unit per atom: the normalisation α the reduction should find is its
/// inverse.
pub const COUNTS_PER_ELECTRON: f64 = 100.0;
/// The factor b on the empty-cell background in every pattern (what `auto` should find).
pub const BACKGROUND_SCALE: f64 = 0.9;

/// The empty-cell background (counts) at each Q (Å⁻¹).
pub fn empty_cell(q: &[f64]) -> Vec<f64> {
    q.iter()
        .map(|&q| {
            let hump = (q - 1.7) / 0.6;
            20_000.0 * (-q / 3.0).exp() + 8_000.0 * (-hump * hump).exp() + 500.0
        })
        .collect()
}

/// The raw-intensity twin of a demo S(Q) pattern (see the module doc); its uncertainty, when
/// it has one, scaled alike.
pub fn intensity_pattern(pattern: &Pattern) -> Result<Pattern, IntensityError> {
    let composition = Composition::parse(COMPOSITION)?;
    let f = scattering_factors(&composition, &pattern.x)?;
    let bkg = empty_cell(&pattern.x);
    let y = pattern
        .y
        .iter()
        .enumerate()
        .map(|(k, s)| {
            COUNTS_PER_ELECTRON
                * (f.square_of_mean[k] * (s - 1.0) + f.mean_square[k] + f.compton[k])
                + BACKGROUND_SCALE * bkg[k]
        })
        .collect();
    let dy = pattern.dy.as_ref().map(|dy| {
        dy.iter()
            .zip(&f.square_of_mean)
            .map(|(d, f2)| COUNTS_PER_ELECTRON * f2 * d)
            .collect()
    });
    let mut raw = pattern.clone();
    raw.quantity = Quantity::Intensity;
    raw.y = y;
    raw.dy = dy;
    raw.metadata.retain(|(k, _)| k != "rho0");
    Ok(raw)
}
