//! The Model (what-if) window: sliders for every parameter of the demo's planted model
//! ([`WhatIfParams`]), presets (the study's AC, CR and HPT, a low Qmax, a noisy measurement)
//! and Reset. A change is checked at once (the sliders show the clamped values and the notes
//! say what was clamped) and, once the pointer is released or 150 ms after the last change,
//! becomes an [`Action::WhatIf`]: the what-if sample is rebuilt in the background and the
//! whole analysis follows. The window says what it is doing, and what was planted beside what
//! the analysis found.

use eframe::egui;

use super::Action;
use super::state::Sample;
use crate::analysis::transitions::Transition;
use crate::engine::whatif::{
    KAPPA_RANGE, MODE_SHIFT_RANGE, MRO_RANGE, NOISE_RANGE, Preset, Q_MAX_RANGE, Q_MIN_RANGE,
    WhatIfParams,
};

/// How long a slider must rest before its value is built, while the pointer is held (s).
const DEBOUNCE_S: f64 = 0.15;

/// What the window shows about the work and the sample.
pub struct ModelStatus<'a> {
    /// (patterns built, to build) while the sample is generated.
    pub building: Option<(usize, usize)>,
    pub analysing: bool,
    pub sample: Option<&'a Sample>,
}

/// The window's state: the parameters being edited and the last ones asked for.
pub struct ModelWindow {
    pub open: bool,
    pub params: WhatIfParams,
    /// The parameters of the last build asked for (nothing is asked again for the same).
    pub sent: WhatIfParams,
    /// What the last change had clamped.
    notes: Vec<String>,
    /// When the parameters last changed (s).
    changed_at: f64,
}

impl Default for ModelWindow {
    fn default() -> Self {
        ModelWindow {
            open: false,
            params: WhatIfParams::default(),
            sent: WhatIfParams::default(),
            notes: Vec::new(),
            changed_at: 0.0,
        }
    }
}

impl ModelWindow {
    pub fn ui(&mut self, ctx: &egui::Context, status: &ModelStatus<'_>, actions: &mut Vec<Action>) {
        let mut open = self.open;
        // Tall enough for every slider on a desktop, never taller than the screen.
        let tall = (ctx.content_rect().height() - 120.0).clamp(200.0, 660.0);
        egui::Window::new("Model (what-if)")
            .open(&mut open)
            .default_width(390.0)
            .min_height(tall)
            .default_pos([270.0, 40.0])
            .vscroll(true)
            .show(ctx, |ui| self.contents(ui, status, actions));
        self.open = open;
        let now = ctx.input(|i| i.time);
        if self.params != self.sent {
            let held = ctx.input(|i| i.pointer.any_down());
            if !held || now - self.changed_at >= DEBOUNCE_S {
                self.sent = self.params.clone();
                actions.push(Action::WhatIf(Box::new(self.params.clone())));
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(DEBOUNCE_S));
            }
        }
    }

    fn contents(&mut self, ui: &mut egui::Ui, status: &ModelStatus<'_>, actions: &mut Vec<Action>) {
        ui.label(
            "A synthetic heating series from the demo's planted model: change what was planted \
             and watch what the analysis finds. The sample is called What-if.",
        );
        self.status(ui, status, actions);
        ui.separator();
        let mut edited = self.params.clone();
        ui.horizontal_wrapped(|ui| {
            ui.weak("Presets:");
            for preset in Preset::ALL {
                if ui
                    .button(preset.name())
                    .on_hover_text(preset.explanation())
                    .clicked()
                {
                    edited = preset.params();
                }
            }
            if ui
                .button("Reset")
                .on_hover_text("Back to the study's AC sample")
                .clicked()
            {
                edited = WhatIfParams::default();
            }
        });
        for note in &self.notes {
            ui.colored_label(super::realspace::AT_BOUND, format!("clamped: {note}"));
        }
        ui.separator();
        ui.spacing_mut().slider_width = 170.0;
        sliders(ui, &mut edited);
        if edited != self.params {
            let (checked, notes) = edited.checked();
            self.params = checked;
            self.notes = notes;
            self.changed_at = ui.ctx().input(|i| i.time);
        }
    }

    /// Progress, what was planted beside what was found, Remove.
    fn status(&mut self, ui: &mut egui::Ui, status: &ModelStatus<'_>, actions: &mut Vec<Action>) {
        if let Some((done, total)) = status.building {
            let fraction = if total > 0 {
                done as f32 / total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(240.0)
                    .text(format!("rebuilding... {done}/{total} patterns")),
            );
        } else if status.analysing {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("analysing...");
            });
        } else {
            // A line either way, so the sliders below never jump.
            ui.weak("built and analysed");
        }
        let Some(sample) = status.sample else {
            ui.horizontal(|ui| {
                ui.label("No what-if sample.");
                if ui.button("Build it").clicked() {
                    self.sent = self.params.clone();
                    actions.push(Action::WhatIf(Box::new(self.params.clone())));
                }
            });
            return;
        };
        if let Some(planted) = sample.planted() {
            let found = sample.analysis().map(|a| a.transitions.clone());
            egui::Grid::new("model_truth")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    ui.strong("");
                    ui.strong("planted");
                    ui.strong("detected");
                    ui.end_row();
                    for (k, t) in Transition::ALL.iter().zip(planted.transitions()) {
                        ui.label(k.name());
                        ui.label(format!("{t:.0} K"));
                        match found.as_ref().and_then(|f| f.kelvin(*k)) {
                            Some(v) => ui.label(format!("{v:.0} K")),
                            None => ui.weak("-"),
                        };
                        ui.end_row();
                    }
                });
        }
        ui.horizontal(|ui| {
            if ui
                .button("Remove the what-if sample")
                .on_hover_text("Takes it out of the sample list; a change here builds it again")
                .clicked()
            {
                actions.push(Action::RemoveWhatIf);
            }
            ui.weak("Tick Show planted above the versus-T panels to compare.");
        });
    }
}

/// One slider with its unit and hover help; the label is its accessible name.
fn slider(
    ui: &mut egui::Ui,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    label: &str,
    unit: &str,
    decimals: usize,
    help: &str,
) {
    ui.add(
        egui::Slider::new(value, range)
            .text(label)
            .suffix(unit)
            .fixed_decimals(decimals)
            .clamping(egui::SliderClamping::Always),
    )
    .on_hover_text(help);
}

/// Every parameter's slider, grouped; the fractions stay summing to 1 (moving one scales the
/// others).
fn sliders(ui: &mut egui::Ui, p: &mut WhatIfParams) {
    ui.strong("Connection modes at 300 K");
    for k in 0..4 {
        let mut f = p.fractions[k];
        let label = format!("{}-atom at 300 K", k + 1);
        let help = format!(
            "Share of the second g(r) peak in the {} mode at room temperature. The other \
             fractions are scaled so that all four sum to 1.",
            super::realspace::MODE_LABELS[k]
        );
        slider(ui, &mut f, 0.0..=1.0, &label, "", 3, &help);
        if f != p.fractions[k] {
            p.fractions = rebalanced(p.fractions, k, f);
        }
    }
    slider(
        ui,
        &mut p.mode_shift,
        MODE_SHIFT_RANGE.0..=MODE_SHIFT_RANGE.1,
        "2- to 3-atom shift",
        "",
        3,
        "Share moved from the 2-atom (edge) to the 3-atom (face) mode between T_r and T_g: \
         relaxation makes clusters share faces. Negative moves it back.",
    );
    ui.strong("Relaxation and transitions");
    let t_help = "Temperatures are kept in order: T_g at least 20 K above T_r, T_x at least \
                  15 K above T_g and at most 740 K.";
    slider(
        ui,
        &mut p.t_r,
        300.0..=750.0,
        "Relaxation onset T_r",
        " K",
        0,
        &format!(
            "Where the glass starts to relax: distances contract and the FSDP moment turns. {t_help}"
        ),
    );
    let mut strength = p.kappa * 1e5;
    slider(
        ui,
        &mut strength,
        KAPPA_RANGE.0 * 1e5..=KAPPA_RANGE.1 * 1e5,
        "Relaxation strength",
        " e-5/K",
        2,
        "Contraction of every distance per kelvin between T_r and T_g (AC 1.6, CR 2.0, HPT 2.4 \
         x 1e-5 per K): how strongly the FSDP first moment turns up.",
    );
    if strength != p.kappa * 1e5 {
        p.kappa = strength * 1e-5;
    }
    slider(
        ui,
        &mut p.mro_growth,
        MRO_RANGE.0..=MRO_RANGE.1,
        "Medium-range order growth",
        "",
        3,
        "Relative growth of the medium-range tail of g(r) between T_r and T_g (AC 0.05).",
    );
    slider(
        ui,
        &mut p.t_g,
        300.0..=750.0,
        "Glass transition T_g",
        " K",
        0,
        &format!("Relaxation ends and the supercooled liquid expands faster. {t_help}"),
    );
    slider(
        ui,
        &mut p.t_x,
        300.0..=750.0,
        "Crystallization T_x",
        " K",
        0,
        &format!("Bragg peaks grow above it and the FSDP area jumps. {t_help}"),
    );
    ui.strong("Measurement");
    slider(
        ui,
        &mut p.noise,
        NOISE_RANGE.0..=NOISE_RANGE.1,
        "Noise",
        " x demo",
        2,
        "Noise of S(Q) as a multiple of the demo's (0.3 x (0.001 + 0.00015 Q)); 0 is none.",
    );
    slider(
        ui,
        &mut p.q_min,
        Q_MIN_RANGE.0..=Q_MIN_RANGE.1,
        "Measured Qmin",
        " 1/Å",
        2,
        "Lowest Q of the patterns; below it the transform continues S(Q) (Below Qmin).",
    );
    slider(
        ui,
        &mut p.q_max,
        Q_MAX_RANGE.0..=Q_MAX_RANGE.1,
        "Measured Qmax",
        " 1/Å",
        1,
        "Highest Q of the patterns: a low Qmax broadens G(r) and adds truncation ripples, \
         which blur the four modes.",
    );
}

/// The fractions with mode `k` set to `v` (0–1) and the others scaled to make up the rest
/// (shared equally when they were all 0).
fn rebalanced(f: [f64; 4], k: usize, v: f64) -> [f64; 4] {
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let others: f64 = (0..4).filter(|&j| j != k).map(|j| f[j].max(0.0)).sum();
    std::array::from_fn(|j| {
        if j == k {
            v
        } else if others > 0.0 {
            f[j].max(0.0) * (1.0 - v) / others
        } else {
            (1.0 - v) / 3.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::rebalanced;

    #[test]
    fn moving_one_fraction_scales_the_others_to_sum_one() {
        let f = rebalanced([0.16, 0.34, 0.36, 0.14], 0, 0.5);
        assert_eq!(f[0], 0.5);
        assert!((f.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((f[1] / f[2] - 0.34 / 0.36).abs() < 1e-12, "ratios kept");
        let f = rebalanced([1.0, 0.0, 0.0, 0.0], 0, 0.4);
        assert!(f[1..].iter().all(|v| (v - 0.2).abs() < 1e-12), "{f:?}");
        let f = rebalanced([0.2; 4], 2, f64::NAN);
        assert_eq!(f[2], 0.0);
    }
}
