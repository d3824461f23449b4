//! The reduction options (`--composition`, `--density`, `--energy`, `--background`,
//! `--background-scale`, `--normalisation`, `--polarisation`, `--iterations`, `--rcut`,
//! `--ad-hoc`, `--rpoly`) validated into
//! [`ReductionConfig`], and the step that reduces the I(Q) patterns of loaded series before
//! the analysis ([`reduce_loads`]).

use super::{ReduceArgs, UsageError};
use glassray::analysis::adhoc::DEFAULT_RPOLY;
use glassray::analysis::reduce::{NormalisationMode, ReduceSettings, ScaleMode};
use glassray::analysis::reduction::wavelength_from_energy;
use glassray::analysis::transform::LowQ;
use glassray::engine::reduce::{
    BACKGROUND_IGNORED, Background, ReductionRecord, SeriesReduction, read_background,
    reduce_series,
};
use glassray::io::{MIXED_FOLDER_NOTE, ReadOptions, SeriesLoad};
use glassray::model::Quantity;
use glassray::model::composition::Composition;

pub use glassray::analysis::reduce::{
    DENSITY_RANGE, MAX_BACKGROUND_SCALE, MAX_ITERATIONS, MAX_RPOLY, RCUT_RANGE,
};
/// Photon energies allowed (keV).
pub const ENERGY_RANGE: (f64, f64) = (1.0, 1000.0);

/// The reduction of a run, validated, with its background read.
#[derive(Debug)]
pub struct ReductionConfig {
    pub settings: ReduceSettings,
    pub background: Option<Background>,
    pub record: ReductionRecord,
}

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

/// What the reduction step did to one series.
#[derive(Debug)]
pub enum ReduceStep {
    /// No I(Q) pattern, or nothing to do.
    NotNeeded,
    Done(SeriesReduction),
    /// I(Q) patterns and no composition: the series cannot be analysed (the reason).
    NoComposition(String),
}

/// Reduces the I(Q) patterns of every load (when a reduction is configured); with none, a
/// series of I(Q) patterns gets the reason it cannot be analysed. A series that held only the
/// background file (split off a folder by its name) is left out.
pub fn reduce_loads(
    loads: &mut Vec<SeriesLoad>,
    reduction: Option<&ReductionConfig>,
) -> Vec<ReduceStep> {
    let steps: Vec<ReduceStep> = loads
        .iter_mut()
        .map(|load| {
            let intensities = load
                .series
                .patterns
                .iter()
                .filter(|p| p.quantity == Quantity::Intensity)
                .count();
            match reduction {
                _ if intensities == 0 => ReduceStep::NotNeeded,
                None => ReduceStep::NoComposition(match &load.series.composition {
                    // The headers name it: say so, ready to paste.
                    Some(c) if Composition::parse(c).is_ok() => format!(
                        "{intensities} pattern(s) hold raw intensities I(Q): the files' headers say composition = {c}; pass --composition {c} (and --background FILE, --density G_CM3 if known) to reduce them to S(Q)"
                    ),
                    _ => format!(
                        "{intensities} pattern(s) hold raw intensities I(Q): pass --composition FORMULA (and --background FILE, --density G_CM3 if known) to reduce them to S(Q)"
                    ),
                }),
                Some(r) => {
                    let done = reduce_series(load, r.background.as_ref(), &r.settings);
                    if load.series.composition.is_none() {
                        load.series.composition = Some(r.record.composition.clone());
                    }
                    ReduceStep::Done(done)
                }
            }
        })
        .collect();
    let only_background = |l: &SeriesLoad| {
        l.series.is_empty()
            && l.failed.is_empty()
            && l.ignored
                .iter()
                .any(|i| i.reason.starts_with(BACKGROUND_IGNORED))
    };
    let keep: Vec<bool> = loads.iter().map(|l| !only_background(l)).collect();
    let dropped: Vec<String> = loads
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|(l, _)| l.origin.clone())
        .collect();
    let mut k = keep.iter();
    loads.retain(|_| k.next().copied().unwrap_or(true));
    // A folder split only because it holds the background file is one series again.
    for origin in dropped {
        let same: Vec<usize> = (0..loads.len())
            .filter(|&i| loads[i].origin == origin)
            .collect();
        if let [only] = same[..] {
            let notes = &mut loads[only].series.notes;
            notes.retain(|n| !n.starts_with(MIXED_FOLDER_NOTE));
            notes.push(
                "the background file (--background) was taken out of the folder's patterns".into(),
            );
        }
    }
    steps
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}
