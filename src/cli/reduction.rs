//! The reduction options (`--composition`, `--density`, `--energy`, `--background`,
//! `--background-scale`, `--normalisation`, `--polarisation`, `--iterations`, `--rcut`,
//! `--ad-hoc`, `--rpoly`) validated into a [`ReductionConfig`]; the step that reduces the I(Q)
//! patterns of loaded series before the analysis is the library's [`reduce_loads`].

use super::{ReduceArgs, UsageError};
use glassray::analysis::adhoc::DEFAULT_RPOLY;
use glassray::analysis::reduce::{NormalisationMode, ReduceSettings, ScaleMode};
use glassray::analysis::reduction::wavelength_from_energy;
use glassray::analysis::transform::LowQ;
use glassray::engine::reduce::{ReductionRecord, read_background};
use glassray::io::ReadOptions;
use glassray::model::composition::Composition;

pub use glassray::engine::reduce::{ReduceStep, ReductionConfig, reduce_loads};

pub use glassray::analysis::reduce::{
    DENSITY_RANGE, MAX_BACKGROUND_SCALE, MAX_ITERATIONS, MAX_RPOLY, RCUT_RANGE,
};
/// Photon energies allowed (keV).
pub const ENERGY_RANGE: (f64, f64) = (1.0, 1000.0);

fn usage<T>(message: String) -> Result<T, UsageError> {
    Err(UsageError(message))
}

impl ReduceArgs {
    /// The wavelength (Å) `--energy` gives, checked.
    pub fn energy_wavelength(&self) -> Result<Option<f64>, UsageError> {
        match self.energy {
            None => Ok(None),
            Some(e) if e >= ENERGY_RANGE.0 && e <= ENERGY_RANGE.1 => {
                Ok(Some(wavelength_from_energy(e)))
            }
            Some(e) => usage(format!(
                "--energy {e} keV must lie between {} and {} keV (APS 11-ID-C: 105.7)",
                ENERGY_RANGE.0, ENERGY_RANGE.1
            )),
        }
    }

    /// The reduction options, validated; None without `--composition` (then no other reduction
    /// option may be given). `rho0` is `--rho0`, `wavelength` `--wavelength`, `read` how the
    /// background file is read (as the patterns), `below_qmin` the transform's continuation.
    pub fn config(
        &self,
        rho0: Option<f64>,
        wavelength: Option<f64>,
        read: &ReadOptions,
        (below_qmin, q_range): (LowQ, (Option<f64>, Option<f64>)),
    ) -> Result<Option<ReductionConfig>, UsageError> {
        let energy = self.energy_wavelength()?;
        let Some(formula) = &self.composition else {
            let given = [
                (self.density.is_some(), "--density"),
                (self.background.is_some(), "--background"),
                (self.background_scale.is_some(), "--background-scale"),
                (self.normalisation.is_some(), "--normalisation"),
                (self.polarisation, "--polarisation"),
                (self.iterations.is_some(), "--iterations"),
                (self.rcut.is_some(), "--rcut"),
                (self.ad_hoc, "--ad-hoc"),
                (self.rpoly.is_some(), "--rpoly"),
            ];
            if let Some((_, flag)) = given.iter().find(|g| g.0) {
                return usage(format!(
                    "{flag} reduces raw I(Q) to S(Q), which needs the sample's composition: pass --composition FORMULA (e.g. Zr52.5Cu17.9Ni14.6Al10Ti5)"
                ));
            }
            return Ok(None);
        };
        let composition = Composition::parse(formula)
            .map_err(|e| UsageError(format!("--composition `{formula}`: {e}")))?;
        let density = match self.density {
            Some(d) if !(d >= DENSITY_RANGE.0 && d <= DENSITY_RANGE.1) => {
                return usage(format!(
                    "--density {d} g/cm³ must lie between {} and {} g/cm³ (BAM-11: 6.6)",
                    DENSITY_RANGE.0, DENSITY_RANGE.1
                ));
            }
            d => d,
        };
        let rho0 = match density {
            Some(d) => {
                let r = composition.number_density(d);
                if !(0.001..=1.0).contains(&r) {
                    return usage(format!(
                        "--density {d} g/cm³ of {formula} gives ρ0 = {r:.5} atoms/Å³, outside 0.001–1"
                    ));
                }
                Some(r)
            }
            None => rho0,
        };
        let wavelength = match (wavelength, energy) {
            (Some(w), _) => Some((w, "--wavelength".to_string())),
            (None, Some(w)) => Some((w, format!("--energy {} keV", self.energy.unwrap_or(0.0)))),
            (None, None) => None,
        };
        if self.polarisation && wavelength.is_none() {
            return usage(
                "--polarisation needs the wavelength: pass --wavelength Å or --energy keV".into(),
            );
        }
        let scale = self.scale()?;
        let normalisation = match &self.normalisation {
            None => NormalisationMode::KroghMoe,
            Some(n) => NormalisationMode::from_name(n).ok_or_else(|| {
                UsageError(format!(
                    "--normalisation `{n}` is not a method: one of krogh-moe (the sum rule), high-q (S → 1 at high Q)"
                ))
            })?,
        };
        let (iterations, r_cut, ad_hoc) = self.low_r_options()?;
        let background = match &self.background {
            Some(path) => Some(read_background(path, read).map_err(|e| UsageError(e.to_string()))?),
            None => None,
        };
        let settings = ReduceSettings {
            rho0,
            polarisation_wavelength: if self.polarisation {
                wavelength.as_ref().map(|w| w.0)
            } else {
                None
            },
            scale: if background.is_some() {
                scale
            } else {
                ScaleMode::Fixed(0.0)
            },
            normalisation,
            below_qmin,
            q_range,
            iterations,
            r_cut,
            ad_hoc,
            ..ReduceSettings::new(composition)
        };
        let record = ReductionRecord::of(
            formula,
            &settings,
            density,
            wavelength,
            self.background.as_deref(),
        );
        Ok(Some(ReductionConfig {
            settings,
            background,
            record,
        }))
    }

    /// `--iterations`, `--rcut`, `--ad-hoc` with `--rpoly`, checked.
    fn low_r_options(&self) -> Result<(usize, Option<f64>, Option<f64>), UsageError> {
        let iterations = self.iterations.unwrap_or(0);
        if iterations > MAX_ITERATIONS {
            return usage(format!(
                "--iterations {iterations} is more than {MAX_ITERATIONS} (LiquidDiffract suggests 3–10)"
            ));
        }
        if let Some(r) = self.rcut
            && !(RCUT_RANGE.0..=RCUT_RANGE.1).contains(&r)
        {
            return usage(format!(
                "--rcut {r} Å must lie between {} and {} Å (below the first peak of G(r))",
                RCUT_RANGE.0, RCUT_RANGE.1
            ));
        }
        let ad_hoc = match (self.ad_hoc, self.rpoly) {
            (false, Some(_)) => return usage("--rpoly needs --ad-hoc".into()),
            (false, None) => None,
            (true, None) => Some(DEFAULT_RPOLY),
            (true, Some(r)) if r > 0.0 && r <= MAX_RPOLY => Some(r),
            (true, Some(r)) => {
                return usage(format!(
                    "--rpoly {r} Å must be > 0 and at most {MAX_RPOLY} Å (PDFgetX3: 0.9)"
                ));
            }
        };
        Ok((iterations, self.rcut, ad_hoc))
    }

    fn scale(&self) -> Result<ScaleMode, UsageError> {
        let Some(text) = &self.background_scale else {
            return Ok(ScaleMode::Auto);
        };
        if self.background.is_none() {
            return usage("--background-scale needs --background FILE".into());
        }
        if text.trim() == "auto" {
            return Ok(ScaleMode::Auto);
        }
        match text.trim().parse::<f64>() {
            Ok(b) if (0.0..=MAX_BACKGROUND_SCALE).contains(&b) => Ok(ScaleMode::Fixed(b)),
            _ => usage(format!(
                "--background-scale `{text}` must be `auto` or a number between 0 and {MAX_BACKGROUND_SCALE}"
            )),
        }
    }
}
