//! The parameter and mark controls of the left panel, and the move-mode drag handles shared by
//! the plots. Controls edit a copy of the parameters; the app applies a changed copy, which
//! re-analyses in the background.

use eframe::egui;

use crate::analysis::fit::default_seeds;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transform::{LowQ, Modification};
use crate::analysis::transitions::{Marks, Transition};

/// The colour of a transition's mark.
pub fn mark_colour(t: Transition) -> egui::Color32 {
    // Neutral tones, told apart by their labels and line styles ([`mark_style`]): no sample or
    // mode colour means a transition.
    match t {
        Transition::Relaxation => egui::Color32::from_gray(235),
        Transition::Glass => egui::Color32::from_gray(190),
        Transition::Crystallization => egui::Color32::from_gray(150),
    }
}

/// The line style of a transition's mark: T_r dashed, T_g solid, T_x dotted.
pub fn mark_style(t: Transition) -> egui_plot::LineStyle {
    match t {
        Transition::Relaxation => egui_plot::LineStyle::dashed_dense(),
        Transition::Glass => egui_plot::LineStyle::Solid,
        Transition::Crystallization => egui_plot::LineStyle::dotted_dense(),
    }
}

/// The line style of sample `i`'s curves (with its colour and marker, so samples differ in
/// more than colour).
pub fn sample_style(i: usize) -> egui_plot::LineStyle {
    match i % 3 {
        0 => egui_plot::LineStyle::Solid,
        1 => egui_plot::LineStyle::dashed_loose(),
        _ => egui_plot::LineStyle::dotted_loose(),
    }
}

/// What a drag in move mode is moving.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Handle {
    Seed(usize),
    FsdpLow,
    FsdpHigh,
    Mark(Transition),
}

/// Screen distance (points) within which a press grabs a handle.
pub const GRAB_DISTANCE: f32 = 14.0;

/// The handle drawn nearest to `pointer_x` (screen x), if within [`GRAB_DISTANCE`].
pub fn grab(candidates: impl IntoIterator<Item = (Handle, f32)>, pointer_x: f32) -> Option<Handle> {
    candidates
        .into_iter()
        .map(|(h, x)| (h, (x - pointer_x).abs()))
        .filter(|(_, d)| *d <= GRAB_DISTANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(h, _)| h)
}

/// Three nested grid steps, the smallest the first of the 1–2–5 series (…, 0.1, 0.2, 0.5, 1, …)
/// at least `base` (egui_plot's minimum step for the grid's spacing): [1, 2, 10], [2, 10, 20]
/// or [5, 10, 50] times a power of ten. Powers of ten alone (egui_plot's default) can leave a
/// short plot with no labelled tick (0.01 too dense, 0.1 wider than a range of 0.08); nesting
/// keeps the labels of one step from landing between those of another.
pub fn nested_steps(base: f64) -> [f64; 3] {
    if !(base.is_finite() && base > 0.0) {
        return [1.0, 2.0, 10.0];
    }
    let decade = 10f64.powf(base.log10().floor());
    let m = base / decade;
    let steps = if m <= 1.0 + 1e-9 {
        [1.0, 2.0, 10.0]
    } else if m <= 2.0 + 1e-9 {
        [2.0, 10.0, 20.0]
    } else if m <= 5.0 + 1e-9 {
        [5.0, 10.0, 50.0]
    } else {
        [10.0, 20.0, 100.0]
    };
    steps.map(|s| s * decade)
}

/// A tick label with the decimals its step needs: 0.5 → one, 0.05 → two, 5 → none.
pub fn tick_label(value: f64, step: f64) -> String {
    let decimals = if step > 0.0 && step.is_finite() {
        (-step.log10() - 1e-9).ceil().clamp(0.0, 12.0) as usize
    } else {
        0
    };
    let text = format!("{value:.decimals$}");
    // No "-0" for a tick at zero.
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_owned()
    } else {
        text
    }
}

/// A y axis with its name and tick labels as close as 17 px (a line of text), on nested
/// 1–2–5 steps: every short plot keeps a labelled tick, and labels never overlap.
pub fn dense_y_axis(
    plot: egui_plot::Plot<'_>,
    label: impl Into<egui::WidgetText>,
) -> egui_plot::Plot<'_> {
    plot.custom_y_axes(vec![
        egui_plot::AxisHints::new_y()
            .label(label)
            .label_spacing(17.0..=30.0)
            .formatter(|mark, _| tick_label(mark.value, mark.step_size)),
    ])
    .y_grid_spacer(egui_plot::uniform_grid_spacer(|input| {
        nested_steps(input.base_step_size)
    }))
}

/// A plot that pans and zooms normally, or (in move mode) not at all, so drags move handles.
pub fn movable(plot: egui_plot::Plot<'_>, move_mode: bool) -> egui_plot::Plot<'_> {
    plot.allow_drag(!move_mode)
        .allow_zoom(!move_mode)
        .allow_scroll(!move_mode)
        .allow_boxed_zoom(!move_mode)
}

/// A one-line path field whose accessible name is `label`.
pub fn path_field(ui: &mut egui::Ui, text: &mut String, hint: &str, label: &str) -> egui::Response {
    let r = ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(280.0),
    );
    let name = label.to_string();
    r.widget_info(move || egui::WidgetInfo::labeled(egui::Role::TextInput, true, name.clone()));
    r
}

/// A labelled number field; the label is also its accessibility name.
pub fn number(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    speed: f64,
    decimals: usize,
) -> egui::Response {
    ui.horizontal(|ui| {
        let tip = super::help::explanation(label);
        let l = ui.label(label);
        if let Some(tip) = tip {
            l.on_hover_text(tip);
        }
        let mut r = ui.add(
            egui::DragValue::new(value)
                .range(range)
                .speed(speed)
                .fixed_decimals(decimals),
        );
        if let Some(tip) = tip {
            r = r.on_hover_text(tip);
        }
        let name = label.to_string();
        let v = *value;
        r.widget_info(move || {
            let mut info = egui::WidgetInfo::labeled(egui::Role::SpinButton, true, name.clone());
            info.value = Some(v);
            info
        });
        r
    })
    .inner
}

/// A number that may be unset: a checkbox turns it on (starting at `default`).
fn optional(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut Option<f64>,
    default: f64,
    range: std::ops::RangeInclusive<f64>,
    speed: f64,
    decimals: usize,
) {
    ui.horizontal(|ui| {
        let mut on = value.is_some();
        let name = format!("Set {label}");
        let r = ui.checkbox(&mut on, "");
        r.widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, name.clone()));
        if let Some(tip) = super::help::explanation(&name) {
            r.on_hover_text(tip);
        }
        match (on, value.as_mut()) {
            (true, Some(v)) => {
                number(ui, label, v, range, speed, decimals);
            }
            (true, None) => *value = Some(default),
            (false, _) => {
                *value = None;
                ui.weak(format!("{label}: auto"));
            }
        }
    });
}

/// The analysis parameters. Edits `params` in place.
pub fn parameters(ui: &mut egui::Ui, params: &mut AnalysisParams) {
    egui::CollapsingHeader::new("Transform")
        .default_open(false)
        .show(ui, |ui| {
            let params = &mut params.transform;
            optional(
                ui,
                "Qmin (1/Å)",
                &mut params.q_min,
                1.0,
                0.0..=100.0,
                0.05,
                2,
            );
            optional(
                ui,
                "Qmax (1/Å)",
                &mut params.q_max,
                20.0,
                0.0..=100.0,
                0.1,
                2,
            );
            let mut lorch = params.modification == Modification::Lorch;
            ui.checkbox(&mut lorch, "Lorch modification")
                .on_hover_text(super::help::explanation("Lorch modification").unwrap_or_default());
            params.modification = if lorch {
                Modification::Lorch
            } else {
                Modification::None
            };
            let low_q = &mut params.low_q;
            egui::ComboBox::from_label("Below Qmin")
                .selected_text(low_q.name())
                .show_ui(ui, |ui| {
                    for mode in [LowQ::Hold, LowQ::Linear, LowQ::None] {
                        ui.selectable_value(low_q, mode, mode.name());
                    }
                })
                .response
                .on_hover_text(super::help::explanation("Below Qmin").unwrap_or_default());
            optional(
                ui,
                "rho0 (1/Å³)",
                &mut params.rho0,
                0.0545,
                0.001..=1.0,
                0.0005,
                4,
            );
            number(ui, "r max (Å)", &mut params.r_max, 2.0..=100.0, 0.1, 2);
            number(ui, "dr (Å)", &mut params.dr, 0.001..=0.5, 0.001, 3);
        });
    egui::CollapsingHeader::new("FSDP window")
        .default_open(false)
        .show(ui, |ui| {
            let (mut a, mut b) = params.transform.fsdp_window;
            number(ui, "FSDP from (1/Å)", &mut a, 0.1..=20.0, 0.01, 2);
            number(ui, "FSDP to (1/Å)", &mut b, 0.1..=20.0, 0.01, 2);
            if a < b {
                params.transform.fsdp_window = (a, b);
            }
        });
    egui::CollapsingHeader::new("Connection-mode fit")
        .default_open(true)
        .show(ui, |ui| {
            let fit = &mut params.fit;
            for (i, name) in ["1-atom", "2-atom", "3-atom", "4-atom"].iter().enumerate() {
                number(
                    ui,
                    &format!("{name} seed (Å)"),
                    &mut fit.seeds[i],
                    1.0..=15.0,
                    0.002,
                    3,
                );
            }
            number(
                ui,
                "Seed tolerance (Å)",
                &mut fit.tolerance,
                0.0..=1.0,
                0.002,
                3,
            );
            let (mut a, mut b) = fit.window;
            number(ui, "Fit from (Å)", &mut a, 0.5..=30.0, 0.01, 2);
            number(ui, "Fit to (Å)", &mut b, 0.5..=30.0, 0.01, 2);
            if a < b {
                fit.window = (a, b);
            }
            ui.checkbox(&mut fit.free_widths, "Free widths")
                .on_hover_text(super::help::explanation("Free widths").unwrap_or_default());
            ui.checkbox(&mut fit.baseline, "Constant baseline")
                .on_hover_text(super::help::explanation("Constant baseline").unwrap_or_default());
            ui.checkbox(
                &mut params.fit.sequential,
                "Sequential (start from previous T)",
            )
            .on_hover_text(
                super::help::explanation("Sequential (start from previous T)").unwrap_or_default(),
            );
            ui.horizontal(|ui| {
                let id = ui.scope_id().with("cluster_radius");
                let mut r: f64 = ui.data_mut(|d| *d.get_temp_mut_or(id, 2.969));
                number(ui, "R (Å)", &mut r, 1.0..=5.0, 0.001, 3);
                ui.data_mut(|d| d.insert_temp(id, r));
                if ui.button("Seeds from R").clicked() {
                    params.fit.seeds = default_seeds(r);
                }
            });
        });
}

/// The marks of the active sample: detected values, overrides and calorimetric values.
pub fn marks(ui: &mut egui::Ui, analysis: Option<&SeriesAnalysis>, marks: &mut Marks) {
    for kind in Transition::ALL {
        let detected = analysis.and_then(|a| a.transitions.detected(kind).cloned());
        ui.horizontal_wrapped(|ui| {
            let tip = super::help::explanation(&format!("{} (K)", kind.name()));
            ui.colored_label(mark_colour(kind), kind.name())
                .on_hover_text(tip.unwrap_or_default());
            match &detected {
                Some(d) => ui.label(format!("detected {:.1} ± {:.1} K", d.kelvin, d.uncertainty)),
                None => ui.weak("not detected"),
            };
        });
        let slot = marks.slot(kind);
        ui.horizontal_wrapped(|ui| {
            let mut on = slot.is_some();
            let name = format!("Override {}", kind.name());
            let r = ui.checkbox(&mut on, "override");
            r.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::CheckBox, true, on, name.clone())
            });
            if let Some(tip) = super::help::explanation(&name) {
                r.on_hover_text(tip);
            }
            match (on, slot.as_mut()) {
                (true, Some(v)) => {
                    number(ui, &format!("{} (K)", kind.name()), v, 0.0..=5000.0, 0.5, 1);
                    if ui.button("use detected").clicked() {
                        *slot = None;
                    }
                }
                (true, None) => {
                    *slot = Some(detected.as_ref().map_or(500.0, |d| d.kelvin));
                }
                (false, _) => *slot = None,
            }
        });
    }
    ui.label("Calorimetry (DSC):");
    optional(
        ui,
        "DSC T_g (K)",
        &mut marks.dsc_t_g,
        650.0,
        0.0..=5000.0,
        0.5,
        1,
    );
    optional(
        ui,
        "DSC T_x (K)",
        &mut marks.dsc_t_x,
        720.0,
        0.0..=5000.0,
        0.5,
        1,
    );
}

/// The hover readout of a plot: the x under the pointer, then each curve's point nearest it
/// (`name: y at x`), one line each.
pub fn readout(x_name: &str, x: f64, curves: &[(&str, &[egui_plot::PlotPoint])]) -> String {
    let mut text = format!("{x_name} = {x:.3}");
    for (name, points) in curves {
        let nearest = points
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .min_by(|a, b| (a.x - x).abs().total_cmp(&(b.x - x).abs()));
        if let Some(p) = nearest {
            text.push_str(&format!("\n{name}: {:.4} at {:.3}", p.y, p.x));
        }
    }
    text
}

/// The x under the pointer, however near a data point it is.
pub fn hover_x(pos: &egui_plot::HoverPosition<'_>) -> f64 {
    match pos {
        egui_plot::HoverPosition::NearDataPoint { position, .. } => position.x,
        egui_plot::HoverPosition::Elsewhere { position } => position.x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_plot::PlotPoint;

    #[test]
    fn the_readout_takes_each_curves_nearest_point() {
        let a = [
            PlotPoint::new(1.0, 10.0),
            PlotPoint::new(2.0, 20.0),
            PlotPoint::new(3.0, 30.0),
        ];
        let b = [
            PlotPoint::new(0.0, -1.0),
            PlotPoint::new(2.6, f64::NAN),
            PlotPoint::new(4.0, 5.0),
        ];
        let text = readout("Q", 2.6, &[("AC", &a), ("CR", &b)]);
        assert_eq!(text, "Q = 2.600\nAC: 30.0000 at 3.000\nCR: 5.0000 at 4.000");
        assert_eq!(readout("Q", 1.0, &[("empty", &[])]), "Q = 1.000");
    }

    #[test]
    fn grid_steps_are_nested_one_two_five() {
        let close =
            |a: [f64; 3], b: [f64; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12 * y);
        assert!(close(nested_steps(0.003), [0.005, 0.01, 0.05]));
        assert!(close(nested_steps(0.01), [0.01, 0.02, 0.1]));
        assert!(close(nested_steps(0.15), [0.2, 1.0, 2.0]));
        assert!(close(nested_steps(7.0), [10.0, 20.0, 100.0]));
        assert!(close(nested_steps(30.0), [50.0, 100.0, 500.0]));
        assert_eq!(nested_steps(f64::NAN), [1.0, 2.0, 10.0]);
        assert_eq!(nested_steps(0.0), [1.0, 2.0, 10.0]);
        for base in [1e-4, 3.3e-3, 0.07, 0.5, 4.2, 1234.0] {
            let s = nested_steps(base);
            assert!(s[0] >= base * (1.0 - 1e-9), "{base}: {s:?}");
            for k in 0..2 {
                let ratio = s[k + 1] / s[k];
                assert!((ratio - ratio.round()).abs() < 1e-9, "{s:?} not nested");
            }
        }
    }

    #[test]
    fn tick_labels_carry_the_decimals_of_their_step() {
        assert_eq!(tick_label(2.5, 0.5), "2.5");
        assert_eq!(tick_label(2.0, 0.5), "2.0");
        assert_eq!(tick_label(0.04, 0.02), "0.04");
        assert_eq!(tick_label(600.0, 100.0), "600");
        assert_eq!(tick_label(0.1, 0.1), "0.1");
        assert_eq!(tick_label(-1e-17, 0.2), "0.0");
    }
}
