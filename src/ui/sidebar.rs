//! The left panel: the samples (colour, visibility, which one the slider steps through, where
//! it came from), the analysis parameters, and the marks of the active sample. Controls edit
//! copies; a changed copy becomes an action.

use eframe::egui;

use super::Action;
use super::controls;
use super::state::{Settings, Workspace};
use crate::analysis::params::AnalysisParams;

/// The left panel (no state of its own yet beyond what egui keeps).
#[derive(Debug, Default)]
pub struct Sidebar;

impl Sidebar {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        settings: &Settings,
        loading: bool,
        reveal_marks: bool,
        actions: &mut Vec<Action>,
    ) -> Option<egui::Rect> {
        sample_list(ui, ws, loading, actions);
        if let Some(raw) = ws.active_sample().and_then(|s| s.reduction()) {
            super::reduction::group(ui, ws.active, raw, actions);
        }
        parameter_panel(ui, ws, settings, reveal_marks, actions)
    }
}

fn sample_list(ui: &mut egui::Ui, ws: &Workspace, loading: bool, actions: &mut Vec<Action>) {
    ui.heading("Samples");
    if ws.samples.is_empty() {
        ui.label(if loading { "loading…" } else { "none loaded" });
        return;
    }
    for (i, s) in ws.samples.iter().enumerate() {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, s.colour);
            let mut visible = s.visible;
            let name = format!("Show {}", s.series().sample);
            ui.checkbox(&mut visible, "").widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::CheckBox, true, visible, name.clone())
            });
            if visible != s.visible {
                actions.push(Action::SetVisible { sample: i, visible });
            }
            let label = format!("{} ({})", s.series().sample, s.series().len());
            if ui.selectable_label(i == ws.active, label).clicked() {
                actions.push(Action::Activate(i));
            }
        });
    }
    if ui
        .button("Open the what-if model...")
        .on_hover_text("View > Model (what-if): a synthetic sample whose structure you choose")
        .clicked()
    {
        actions.push(Action::OpenModel);
    }
    ui.separator();
    if let Some(s) = ws.active_sample() {
        let series = s.series();
        if let Some(c) = &series.composition {
            ui.label(format!("Composition: {c}"));
        }
        if let Some((lo, hi)) = series.temperature_range() {
            ui.label(format!("T range: {lo:.1}–{hi:.1} K"));
        }
        ui.label(format!("From: {}", s.origin));
        for note in &series.notes {
            ui.small(note);
        }
    }
}

fn parameter_panel(
    ui: &mut egui::Ui,
    ws: &Workspace,
    settings: &Settings,
    reveal_marks: bool,
    actions: &mut Vec<Action>,
) -> Option<egui::Rect> {
    ui.separator();
    ui.heading("Parameters");
    let mut params = settings.params.clone();
    controls::parameters(ui, &mut params);
    if ui.button("Reset parameters").clicked() {
        params = AnalysisParams::default();
    }
    if params != settings.params {
        actions.push(Action::SetParams(params));
    }
    ui.separator();
    let sample = ws.active_sample()?;
    let top = ui.cursor().min.y;
    ui.heading(format!("Marks: {}", sample.series().sample));
    let mut marks = sample.marks;
    controls::marks(ui, sample.analysis().map(|a| a.as_ref()), &mut marks);
    if marks != sample.marks {
        actions.push(Action::SetMarks {
            sample: ws.active,
            marks,
        });
    }
    let rect = egui::Rect::from_x_y_ranges(ui.max_rect().x_range(), top..=ui.min_rect().max.y);
    if reveal_marks {
        // The tour points at the marks: scroll them into view (on a laptop they are below).
        ui.scroll_to_rect(rect, Some(egui::Align::Center));
    }
    // What of the marks is visible in the scroll area.
    Some(rect.intersect(ui.clip_rect()))
}
