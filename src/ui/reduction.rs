//! The Reduction group of the side panel, for a sample whose files hold raw intensities I(Q):
//! the composition, the density (ρ0 refined per pattern, or a mass density in g/cm³, or ρ0 in
//! atoms/Å³), the background file and its scale b (auto, or a fixed value), the normalisation
//! (the Krogh-Moe–Norman sum rule or S → 1 at high Q, with the Q range it uses), the
//! polarisation correction and how S(Q) continues below Qmin.
//!
//! The form edits a copy of the sample's [`ReductionChoice`]; a changed copy becomes an
//! [`Action::SetReduction`]. The raw load stays in the sample ([`RawState`]); the app reduces
//! a copy of it in the background once the form has rested for [`DEBOUNCE_S`] (see
//! `reducing.rs`), then the analysis follows.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use eframe::egui;

use super::Action;
use crate::analysis::adhoc::DEFAULT_RPOLY;
use crate::analysis::reduce::{
    DENSITY_RANGE, HIGH_Q_FRACTION, MAX_BACKGROUND_SCALE, MAX_ITERATIONS, MAX_RPOLY,
    NormalisationMode, ReduceSettings, ScaleMode,
};
use crate::analysis::transform::LowQ;
use crate::engine::reduce::{Background, SeriesReduction};
use crate::model::composition::Composition;
use crate::model::{HeatingSeries, Quantity, XUnit};

/// Number densities allowed (atoms/Å³).
pub const RHO0_RANGE: (f64, f64) = (0.001, 1.0);
/// Wavelengths allowed for the polarisation correction (Å).
pub const WAVELENGTH_RANGE: (f64, f64) = (0.01, 10.0);
/// How long the form must rest before a change is reduced (s).
pub const DEBOUNCE_S: f64 = 0.3;
/// What a raw sample says before it has a composition.
pub const NO_COMPOSITION: &str = "raw intensities: give the composition in the Reduction group";

/// Where ρ0 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DensityMode {
    /// Refined per pattern from the low-r slope of G(r).
    Refine,
    /// From a mass density (g/cm³) and the composition.
    Mass,
    /// ρ0 given (atoms/Å³).
    Number,
}

/// What the Reduction group holds, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReductionChoice {
    pub composition: String,
    pub density: DensityMode,
    pub density_g_cm3: f64,
    pub rho0: f64,
    /// The background file's path (empty: none).
    pub background: String,
    pub scale_auto: bool,
    pub scale: f64,
    pub normalisation: NormalisationMode,
    pub polarisation: bool,
    /// Å, for the polarisation correction.
    pub wavelength: f64,
    pub low_q: LowQ,
    /// Steps of the iterative low-r correction (Eggert et al. 2002; 0: none).
    pub iterations: usize,
    /// PDFgetX3's ad hoc polynomial correction of F(Q), with r_poly (Å).
    pub ad_hoc: bool,
    pub rpoly: f64,
}

impl Default for ReductionChoice {
    fn default() -> Self {
        ReductionChoice {
            composition: String::new(),
            density: DensityMode::Refine,
            density_g_cm3: 6.6,
            rho0: 0.05,
            background: String::new(),
            scale_auto: true,
            scale: 1.0,
            normalisation: NormalisationMode::KroghMoe,
            polarisation: false,
            wavelength: 0.1173,
            low_q: LowQ::default(),
            iterations: 0,
            ad_hoc: false,
            rpoly: DEFAULT_RPOLY,
        }
    }
}

impl ReductionChoice {
    /// The background file, if one is named.
    pub fn background_path(&self) -> Option<PathBuf> {
        let t = self.background.trim();
        (!t.is_empty()).then(|| PathBuf::from(t))
    }

    /// The settings the choice stands for: None while no composition is given, an error (for
    /// the user) when a value cannot be used. The whole Q range is reduced.
    pub fn settings(&self) -> Result<Option<ReduceSettings>, String> {
        let formula = self.composition.trim();
        if formula.is_empty() {
            return Ok(None);
        }
        let composition =
            Composition::parse(formula).map_err(|e| format!("composition `{formula}`: {e}"))?;
        let inside = |v: f64, (lo, hi): (f64, f64)| v.is_finite() && v >= lo && v <= hi;
        let rho0 = match self.density {
            DensityMode::Refine => None,
            DensityMode::Mass => {
                let d = self.density_g_cm3;
                if !inside(d, DENSITY_RANGE) {
                    return Err(format!(
                        "density {d} g/cm³ must lie between {} and {} g/cm³",
                        DENSITY_RANGE.0, DENSITY_RANGE.1
                    ));
                }
                let r = composition.number_density(d);
                if !inside(r, RHO0_RANGE) {
                    return Err(format!(
                        "density {d} g/cm³ of {formula} gives ρ0 = {r:.5} atoms/Å³, outside {}–{}",
                        RHO0_RANGE.0, RHO0_RANGE.1
                    ));
                }
                Some(r)
            }
            DensityMode::Number => {
                if !inside(self.rho0, RHO0_RANGE) {
                    return Err(format!(
                        "ρ0 {} atoms/Å³ must lie between {} and {}",
                        self.rho0, RHO0_RANGE.0, RHO0_RANGE.1
                    ));
                }
                Some(self.rho0)
            }
        };
        let scale = match (self.background_path(), self.scale_auto) {
            (None, _) => ScaleMode::Fixed(0.0),
            (Some(_), true) => ScaleMode::Auto,
            (Some(_), false) if inside(self.scale, (0.0, MAX_BACKGROUND_SCALE)) => {
                ScaleMode::Fixed(self.scale)
            }
            (Some(_), false) => {
                return Err(format!(
                    "background scale {} must lie between 0 and {MAX_BACKGROUND_SCALE}",
                    self.scale
                ));
            }
        };
        let polarisation_wavelength = match self.polarisation {
            false => None,
            true if inside(self.wavelength, WAVELENGTH_RANGE) => Some(self.wavelength),
            true => {
                return Err(format!(
                    "wavelength {} Å must lie between {} and {} Å",
                    self.wavelength, WAVELENGTH_RANGE.0, WAVELENGTH_RANGE.1
                ));
            }
        };
        if self.iterations > MAX_ITERATIONS {
            return Err(format!(
                "{} low-r iterations is more than {MAX_ITERATIONS} (3–10 is usual)",
                self.iterations
            ));
        }
        let ad_hoc = match self.ad_hoc {
            false => None,
            true if self.rpoly > 0.0 && self.rpoly <= MAX_RPOLY => Some(self.rpoly),
            true => {
                return Err(format!(
                    "r_poly {} Å must be > 0 and at most {MAX_RPOLY} Å (PDFgetX3: 0.9)",
                    self.rpoly
                ));
            }
        };
        Ok(Some(ReduceSettings {
            rho0,
            polarisation_wavelength,
            scale,
            normalisation: self.normalisation,
            below_qmin: self.low_q,
            iterations: self.iterations,
            ad_hoc,
            ..ReduceSettings::new(composition)
        }))
    }
}

/// One finished reduction: what it was asked with and what it found.
#[derive(Debug)]
pub struct ReducedRun {
    pub choice: ReductionChoice,
    pub settings: ReduceSettings,
    pub background: Option<Arc<Background>>,
    pub summary: SeriesReduction,
}

/// Every raw sample gets its own id, so an outcome finds its sample after others were added
/// or removed.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A sample loaded as raw intensities: the load as read, the form, and the reduction.
pub struct RawState {
    pub(super) id: u64,
    /// The series as read (I(Q)), never changed.
    pub(super) raw: Arc<HeatingSeries>,
    /// How many of the sample's failed and ignored files came from loading (a reduction's
    /// own follow them and are replaced by the next).
    pub(super) load_failed: usize,
    pub(super) load_ignored: usize,
    pub(super) choice: ReductionChoice,
    /// Where the prefilled composition came from.
    pub(super) inferred: Option<String>,
    /// When the form last changed (s).
    pub(super) changed_at: f64,
    /// The choice last acted on (reduced, or found wanting).
    pub(super) asked: Option<ReductionChoice>,
    /// A reduction is running.
    pub(super) running: bool,
    /// Why the choice cannot be reduced, or why the last reduction failed.
    pub(super) error: Option<String>,
    pub(super) done: Option<Arc<ReducedRun>>,
}

impl RawState {
    /// The raw state of a series with I(Q) patterns on a Q axis (None for any other).
    pub(super) fn of(series: &Arc<HeatingSeries>, failed: usize, ignored: usize) -> Option<Self> {
        let raw = series
            .patterns
            .iter()
            .any(|p| p.quantity == Quantity::Intensity && p.x_unit == XUnit::QInvAngstrom);
        if !raw {
            return None;
        }
        let mut choice = ReductionChoice::default();
        let inferred = match series.composition.as_deref().map(str::trim) {
            Some(c) if Composition::parse(c).is_ok() => {
                choice.composition = c.to_string();
                Some(format!("composition {c} inferred from the files"))
            }
            Some(c) if !c.is_empty() => Some(format!(
                "the files name `{c}`, which is not a formula: give the composition"
            )),
            _ => None,
        };
        Some(RawState {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            raw: Arc::clone(series),
            load_failed: failed,
            load_ignored: ignored,
            choice,
            inferred,
            changed_at: f64::NEG_INFINITY,
            asked: None,
            running: false,
            error: None,
            done: None,
        })
    }

    /// The series as read.
    pub fn raw(&self) -> &HeatingSeries {
        &self.raw
    }

    /// What the form holds.
    pub fn choice(&self) -> &ReductionChoice {
        &self.choice
    }

    /// Whether the sample shows a reduction (its series holds S(Q)).
    pub fn is_reduced(&self) -> bool {
        self.done.is_some()
    }

    /// Whether a reduction is running or waiting for the form to rest.
    pub fn is_pending(&self) -> bool {
        self.running || self.asked.as_ref() != Some(&self.choice)
    }

    /// Why the form's values cannot be reduced, or why the last reduction failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The reduction shown.
    pub fn run(&self) -> Option<&ReducedRun> {
        self.done.as_deref()
    }
}

/// A reduction message as the window says it: the command-line options it names are the
/// Density group here.
pub fn in_the_window(message: &str) -> String {
    message.replace(" (--density or --rho0)", "")
}

/// A one-line text field as wide as the panel; the label is its accessible name.
fn text_field(ui: &mut egui::Ui, text: &mut String, hint: &str, label: &str) -> egui::Response {
    let r = ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(ui.available_width()),
    );
    let name = label.to_string();
    r.widget_info(move || egui::WidgetInfo::labeled(egui::Role::TextInput, true, name.clone()));
    r
}

/// A number field with its unit and hover help; the label is its accessible name.
fn number(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut f64,
    range: (f64, f64),
    decimals: usize,
    help: &str,
) {
    ui.horizontal(|ui| {
        ui.label(label).on_hover_text(help);
        let v = *value;
        let speed = (range.1 - range.0) / 2000.0;
        let name = label.to_string();
        ui.add(
            egui::DragValue::new(value)
                .range(range.0..=range.1)
                .speed(speed)
                .fixed_decimals(decimals),
        )
        .on_hover_text(help)
        .widget_info(move || {
            let mut info = egui::WidgetInfo::labeled(egui::Role::SpinButton, true, name.clone());
            info.value = Some(v);
            info
        });
    });
}

/// The Reduction group for sample `i`.
pub fn group(ui: &mut egui::Ui, i: usize, raw: &RawState, actions: &mut Vec<Action>) {
    ui.separator();
    ui.heading("Reduction");
    ui.small("The files hold raw intensities I(Q): reduce them to S(Q).");
    let mut c = raw.choice.clone();
    ui.label("Composition").on_hover_text(COMPOSITION_HELP);
    super::controls::path_field(
        ui,
        &mut c.composition,
        "e.g. Zr52.5Cu17.9Ni14.6Al10Ti5",
        "Composition",
    )
    .on_hover_text(COMPOSITION_HELP);
    if let Some(note) = &raw.inferred {
        ui.small(note);
    }
    density(ui, &mut c);
    background(ui, &mut c);
    normalisation(ui, &mut c, raw);
    ui.checkbox(&mut c.polarisation, "Polarisation correction")
        .on_hover_text(
            "Divide by the polarisation factor (1 + cos² 2θ)/2, for data the integration \
             software did not correct; needs the wavelength (Å).",
        );
    if c.polarisation {
        number(
            ui,
            "Wavelength (Å)",
            &mut c.wavelength,
            WAVELENGTH_RANGE,
            4,
            "X-ray wavelength in Å, for the polarisation factor (APS 11-ID-C: 0.1173 Å).",
        );
    }
    low_q(ui, &mut c);
    low_r_corrections(ui, &mut c);
    status(ui, raw);
    if c != raw.choice {
        actions.push(Action::SetReduction {
            sample: i,
            choice: Box::new(c),
        });
    }
}

const COMPOSITION_HELP: &str = "The sample's formula, amounts in atoms (at.% or a stoichiometry), \
     e.g. Zr52.5Cu17.9Ni14.6Al10Ti5 or SiO2: it sets the scattering factors <f²>, <f>² and the \
     Compton scattering.";

fn density(ui: &mut egui::Ui, c: &mut ReductionChoice) {
    let help = "Where the number density ρ0 (atoms/Å³) comes from: refined per pattern so that \
                G(r) = −4πρ0 r below the first peak, or from the mass density (g/cm³) and the \
                composition, or given.";
    egui::ComboBox::from_label("Density")
        .selected_text(match c.density {
            DensityMode::Refine => "refine per pattern",
            DensityMode::Mass => "mass density",
            DensityMode::Number => "ρ0",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut c.density, DensityMode::Refine, "refine per pattern");
            ui.selectable_value(&mut c.density, DensityMode::Mass, "mass density");
            ui.selectable_value(&mut c.density, DensityMode::Number, "ρ0");
        })
        .response
        .on_hover_text(help);
    match c.density {
        DensityMode::Refine => {}
        DensityMode::Mass => number(
            ui,
            "Density (g/cm³)",
            &mut c.density_g_cm3,
            DENSITY_RANGE,
            3,
            "Mass density in g/cm³ (BAM-11: 6.6); ρ0 = ρ N_A / mean atomic mass.",
        ),
        DensityMode::Number => number(
            ui,
            "ρ0 (atoms/Å³)",
            &mut c.rho0,
            RHO0_RANGE,
            5,
            "Number density in atoms/Å³ (BAM-11: 0.0545).",
        ),
    }
}

fn background(ui: &mut egui::Ui, c: &mut ReductionChoice) {
    let help = "The measured background (empty cell, air) on a Q axis, subtracted as b·I_bkg. \
                Empty: no background.";
    ui.label("Background file").on_hover_text(help);
    text_field(ui, &mut c.background, "none (a path)", "Background file").on_hover_text(help);
    if ui
        .button("Browse...")
        .on_hover_text("Pick the background file (without a file dialog, type its path above)")
        .clicked()
        && let Some(path) = rfd::FileDialog::new()
            .set_title("Background file")
            .pick_file()
    {
        c.background = path.display().to_string();
    }
    if c.background_path().is_none() {
        return;
    }
    ui.checkbox(&mut c.scale_auto, "Automatic background scale")
        .on_hover_text(
            "Choose b per pattern so that G(r) = −4πρ0 r best below the first peak (between 0 \
             and the largest b that leaves the intensity positive at high Q).",
        );
    if !c.scale_auto {
        number(
            ui,
            "Background scale",
            &mut c.scale,
            (0.0, MAX_BACKGROUND_SCALE),
            4,
            "The factor b (dimensionless) on the background: I − b·I_bkg is the sample's.",
        );
    }
}

fn normalisation(ui: &mut egui::Ui, c: &mut ReductionChoice, raw: &RawState) {
    let help = "How the intensity is put into electron units per atom (α): the Krogh-Moe–Norman \
                sum rule ∫ Q²[S(Q) − 1] dQ = −2π²ρ0 from 0 to Qmax, or S(Q) → 1 on average over \
                the last quarter of the Q range.";
    egui::ComboBox::from_label("Normalisation")
        .selected_text(match c.normalisation {
            NormalisationMode::KroghMoe => "Krogh-Moe",
            NormalisationMode::HighQ => "high Q",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(
                &mut c.normalisation,
                NormalisationMode::KroghMoe,
                "Krogh-Moe",
            );
            ui.selectable_value(&mut c.normalisation, NormalisationMode::HighQ, "high Q");
        })
        .response
        .on_hover_text(help);
    let Some((q0, q1)) = raw
        .raw
        .patterns
        .iter()
        .find(|p| p.quantity == Quantity::Intensity && p.x.len() > 1)
        .map(|p| p.x_range())
    else {
        return;
    };
    ui.small(match c.normalisation {
        NormalisationMode::KroghMoe => {
            format!("sum rule over Q = 0–{q1:.2} 1/Å (measured from {q0:.2})")
        }
        NormalisationMode::HighQ => format!(
            "S → 1 over Q = {:.2}–{q1:.2} 1/Å",
            q1 - HIGH_Q_FRACTION * (q1 - q0)
        ),
    });
}

/// The optional corrections: Eggert's low-r iteration and PDFgetX3's ad hoc polynomial.
fn low_r_corrections(ui: &mut egui::Ui, c: &mut ReductionChoice) {
    let help = "Steps of the iterative low-r correction (Eggert et al. 2002, as LiquidDiffract): \
                each makes G(r) below the first peak follow −4πρ0r more closely. 0: none; \
                3–10 is usual. With ρ0 refined, every step of its search runs them all (slower).";
    ui.horizontal(|ui| {
        ui.label("Low-r iterations").on_hover_text(help);
        let v = c.iterations as f64;
        ui.add(egui::DragValue::new(&mut c.iterations).range(0..=MAX_ITERATIONS))
            .on_hover_text(help)
            .widget_info(move || {
                let mut info =
                    egui::WidgetInfo::labeled(egui::Role::SpinButton, true, "Low-r iterations");
                info.value = Some(v);
                info
            });
    });
    ui.checkbox(&mut c.ad_hoc, "Ad hoc polynomial (PDFgetX3)")
        .on_hover_text(
            "Subtract a polynomial in Q from F(Q) = Q[S(Q) − 1], of degree Qmax·r_poly/π \
             (PDFgetX3's recipe): removes slow errors, and with them G(r) below r_poly. The \
             result is PDFgetX3's F(Q), not the Faber–Ziman S(Q).",
        );
    if c.ad_hoc {
        number(
            ui,
            "r_poly (Å)",
            &mut c.rpoly,
            (0.1, MAX_RPOLY),
            2,
            "Below this r (Å) G(r) is given up to the polynomial (PDFgetX3: 0.9 Å).",
        );
    }
}

fn low_q(ui: &mut egui::Ui, c: &mut ReductionChoice) {
    egui::ComboBox::from_label("Below Qmin (reduction)")
        .selected_text(c.low_q.name())
        .show_ui(ui, |ui| {
            for m in [LowQ::Hold, LowQ::Linear, LowQ::None] {
                ui.selectable_value(&mut c.low_q, m, m.name());
            }
        })
        .response
        .on_hover_text(
            "How S(Q) continues below the first measured Q (1/Å) down to 0 in the sum rule and \
             the low-r G(r): hold S(Qmin), fall linearly to S(0) = 0, or nothing.",
        );
}

fn status(ui: &mut egui::Ui, raw: &RawState) {
    if let Some(e) = &raw.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if raw.running {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("reducing {} pattern(s)…", raw.raw.len()));
        });
    } else if raw.choice.composition.trim().is_empty() {
        ui.colored_label(ui.visuals().warn_fg_color, NO_COMPOSITION);
    } else if let Some(run) = raw.run() {
        for m in &run.summary.messages {
            ui.small(in_the_window(m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(composition: &str) -> ReductionChoice {
        ReductionChoice {
            composition: composition.into(),
            ..ReductionChoice::default()
        }
    }

    #[test]
    fn iterations_and_the_ad_hoc_polynomial_reach_the_settings_checked() {
        let plain = with("SiO2").settings().expect("valid").expect("settings");
        assert_eq!((plain.iterations, plain.ad_hoc), (0, None));
        let c = ReductionChoice {
            iterations: 5,
            ad_hoc: true,
            rpoly: 1.2,
            ..with("SiO2")
        };
        let s = c.settings().expect("valid").expect("settings");
        assert_eq!((s.iterations, s.ad_hoc), (5, Some(1.2)));
        let too_many = ReductionChoice {
            iterations: MAX_ITERATIONS + 1,
            ..with("SiO2")
        };
        assert!(too_many.settings().is_err());
        let bad = ReductionChoice { rpoly: 0.0, ..c };
        let e = bad.settings().expect_err("r_poly 0");
        assert!(e.contains("r_poly"), "{e}");
    }

    #[test]
    fn no_composition_is_nothing_to_do_and_an_unknown_element_is_named() {
        assert_eq!(with("  ").settings(), Ok(None));
        let e = with("Zr52.5Xx10").settings().expect_err("unknown element");
        assert!(e.contains("'Xx'"), "{e}");
    }

    #[test]
    fn the_choice_becomes_the_settings_the_command_line_would_give() {
        let plain = with("SiO2").settings().expect("valid").expect("settings");
        assert_eq!(plain.rho0, None, "refined per pattern");
        assert_eq!(
            plain.scale,
            ScaleMode::Fixed(0.0),
            "no background, no scale"
        );
        assert_eq!(plain.polarisation_wavelength, None);
        let c = ReductionChoice {
            density: DensityMode::Mass,
            density_g_cm3: 2.2,
            background: "bkg.xy".into(),
            polarisation: true,
            ..with("SiO2")
        };
        let s = c.settings().expect("valid").expect("settings");
        // Silica at 2.2 g/cm³: 0.0662 atoms/Å³.
        assert!((s.rho0.expect("ρ0") - 0.0662).abs() < 2e-4, "{:?}", s.rho0);
        assert_eq!(s.scale, ScaleMode::Auto);
        assert_eq!(s.polarisation_wavelength, Some(0.1173));
        let fixed = ReductionChoice {
            scale_auto: false,
            scale: 0.85,
            density: DensityMode::Number,
            rho0: 0.06,
            ..c.clone()
        };
        let s = fixed.settings().expect("valid").expect("settings");
        assert_eq!((s.scale, s.rho0), (ScaleMode::Fixed(0.85), Some(0.06)));
        for bad in [
            ReductionChoice {
                density_g_cm3: f64::NAN,
                ..c.clone()
            },
            ReductionChoice {
                scale: -1.0,
                ..fixed.clone()
            },
            ReductionChoice {
                wavelength: 0.0,
                ..c.clone()
            },
        ] {
            assert!(bad.settings().is_err(), "{bad:?}");
        }
    }
}
