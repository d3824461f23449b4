//! Quantities versus temperature: FSDP first moment and area, r1 and r6 relative to their
//! means, connection-mode fractions with error bars, and fit RMSE, for every visible sample,
//! each with its smoothing spline, a cursor at the slider's T and the T_r, T_g, T_x marks of the
//! active sample. The panels share their T axis. Clicking a point moves the slider there; in
//! move mode a drag near a mark moves (overrides) it.
//!
//! Each sample's points are built once per analysis revision (and as streamed fits arrive) and
//! borrowed every frame; a long series is drawn a few points per pixel ([`super::decimate`]).

use eframe::egui;
use egui_plot::{Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotPoints, PlotUi, Points, VLine};

use super::controls::{
    Handle, dense_y_axis, grab, mark_colour, mark_style, movable, readout, sample_style,
};
use super::decimate::PixelSize;
use super::realspace::MODE_COLOURS;
use super::state::{Sample, Settings, Workspace, nearest};
use super::versus_curves::{SHAPES, SampleCurves, panel_series};
use super::{Action, PlotId};
use crate::analysis::fit::MODE_NAMES;
use crate::analysis::metric::Metric;
use crate::analysis::transitions::Transition;
use crate::model::TemperatureAxis;

/// Which versus-T panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Panel {
    Moment,
    Area,
    Lobes,
    Fractions,
    Rmse,
}

impl Panel {
    const ALL: [Panel; 5] = [
        Panel::Moment,
        Panel::Area,
        Panel::Lobes,
        Panel::Fractions,
        Panel::Rmse,
    ];

    fn id(self) -> egui::Id {
        match self {
            Panel::Moment => PlotId::FsdpMoment,
            Panel::Area => PlotId::FsdpArea,
            Panel::Lobes => PlotId::Lobes,
            Panel::Fractions => PlotId::Fractions,
            Panel::Rmse => PlotId::Rmse,
        }
        .id()
    }

    /// The y axis's own label: short, so it fits beside a low panel.
    fn axis_label(self) -> &'static str {
        match self {
            Panel::Moment => "Q1 (1/Å)",
            Panel::Area => "A1",
            Panel::Lobes => "r1, r6/mean",
            Panel::Fractions => "fraction",
            Panel::Rmse => "RMSE",
        }
    }

    fn y_label(self) -> &'static str {
        match self {
            Panel::Moment => "FSDP moment (1/Å)",
            Panel::Area => "FSDP area",
            Panel::Lobes => "r1, r6 / mean",
            Panel::Fractions => "Mode fractions",
            Panel::Rmse => "Fit RMSE",
        }
    }
}

/// A mark drawn on every panel: which transition, where, and whether the user set it.
type Mark = (Transition, f64, bool);

/// The versus-T column and its caches.
#[derive(Default)]
pub struct VersusPanel {
    generation: u64,
    /// Patterns of the shown samples when last drawn: when a watched folder's series grows,
    /// the axes are fitted to it again (each panel's stored view is reset once).
    patterns_drawn: usize,
    samples: Vec<Option<SampleCurves>>,
    drag: Option<Handle>,
    /// Each panel's pixel size in data units when last drawn: long series are thinned for it.
    scales: [Option<PixelSize>; Panel::ALL.len()],
}

impl VersusPanel {
    fn refresh(&mut self, ws: &Workspace) {
        if self.generation != ws.generation {
            self.generation = ws.generation;
            self.samples.clear();
        }
        self.samples.resize_with(ws.samples.len(), || None);
        for (i, s) in ws.shown() {
            if self.samples[i]
                .as_ref()
                .is_none_or(|c| c.revision != s.revision)
            {
                self.samples[i] = SampleCurves::build(s);
            }
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        settings: &Settings,
        busy: bool,
        actions: &mut Vec<Action>,
    ) {
        self.refresh(ws);
        ui.strong("Versus temperature");
        let shown: Vec<(usize, &Sample)> = ws
            .shown()
            .filter(|(i, _)| self.samples.get(*i).is_some_and(Option::is_some))
            .collect();
        if shown.is_empty() && ws.shown().next().is_none() && !ws.samples.is_empty() {
            ui.label("every sample is hidden: tick one in the sample list");
            return;
        }
        if shown.is_empty() {
            ui.label(if busy {
                "analysing…"
            } else {
                "no analysis yet"
            });
            return;
        }
        key(ui, &shown);
        planted_toggle(ui, ws, settings, actions);
        let marks = marks_of(ws);
        let dsc: Vec<(&str, f64)> = ws
            .active_sample()
            .map(|s| {
                [("DSC T_g", s.marks.dsc_t_g), ("DSC T_x", s.marks.dsc_t_x)]
                    .into_iter()
                    .filter_map(|(n, v)| v.map(|v| (n, v)))
                    .collect()
            })
            .unwrap_or_default();
        let x_label = if ws
            .active_sample()
            .is_some_and(|s| s.series().axis == TemperatureAxis::Kelvin)
        {
            "T (K)"
        } else {
            "pattern index"
        };
        let height = ((ui.available_height() - 10.0) / Panel::ALL.len() as f32 - 6.0).max(90.0);
        let link = egui::Id::unique("versus_t_axis");
        let t_range = shown
            .iter()
            .flat_map(|(_, s)| s.axis().iter().copied())
            .filter(|t| t.is_finite())
            .fold(None, |r: Option<(f64, f64)>, t| {
                Some(r.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
            });
        let cursor_t = ws.current_axis_value();
        let active = ws.active_sample();
        let patterns: usize = shown.iter().map(|(_, s)| s.axis().len()).sum();
        let grown = patterns != std::mem::replace(&mut self.patterns_drawn, patterns);
        for panel in Panel::ALL {
            self.thin(panel, &shown);
            let named = self.readout_curves(panel, &shown);
            let curves: Vec<(&str, &[PlotPoint])> =
                named.iter().map(|(n, p)| (n.as_str(), *p)).collect();
            let formatter = |pos: &egui_plot::HoverPosition<'_>| {
                let t = super::controls::hover_x(pos);
                let mut text = readout(x_label, t, &curves);
                if let Some(s) = active {
                    let k = nearest(s.axis(), t);
                    if let Some(p) = s.series().patterns.get(k) {
                        text.push_str(&format!(
                            "\n{}: pattern #{k}, {}",
                            s.series().sample,
                            p.display_name()
                        ));
                    }
                }
                Some(text)
            };
            let mut plot = movable(Plot::new(panel.id()), settings.move_mode);
            if grown {
                plot = plot.reset();
            }
            // The whole T range of the shown samples, whatever is drawn where.
            for t in t_range.iter().flat_map(|&(a, b)| [a, b]) {
                plot = plot.include_x(t);
            }
            if let Some((lo, hi)) = self.glass_range(panel, &shown) {
                plot = plot.default_y_bounds(lo, hi);
            }
            let response = dense_y_axis(plot, panel.axis_label())
                .label_formatter(formatter)
                .id(panel.id())
                .height(height)
                // The same width for every panel's y axis, so one T is one x in all of them.
                .y_axis_min_width(68.0)
                // Tick labels as close as 36 px apart, so a narrow column still has them.
                .custom_x_axes(vec![
                    egui_plot::AxisHints::new_x()
                        .label(if panel == Panel::Rmse { x_label } else { "" })
                        .label_spacing(36.0..=56.0),
                ])
                .link_axis(link, [true, false])
                .link_cursor(link, [true, false])
                .show(ui, |plot_ui| {
                    self.draw(plot_ui, panel, &shown, ws.active);
                    decorations(plot_ui, cursor_t, &marks, &dsc);
                });
            let scale = PixelSize::new(
                response.transform.dvalue_dpos(),
                ui.ctx().pixels_per_point(),
            );
            self.paint_beyond(ui, &response.transform, panel, &shown);
            mark_labels(ui, &response.transform, &marks, &dsc);
            if let (true, Some(p)) = (settings.show_planted, active.and_then(|s| s.planted())) {
                match panel {
                    Panel::Fractions => super::planted::paint_fractions(ui, &response.transform, p),
                    Panel::Moment => super::planted::paint_transitions(ui, &response.transform, p),
                    _ => {}
                }
            }
            let data = || super::save_plot::plot_csv(x_label, &curves);
            let name = format!("{} versus T", panel.y_label());
            let extras = || super::save_plot::Extras {
                marks: marks
                    .iter()
                    .map(|&(k, t, _)| (k.name().to_owned(), t))
                    .chain(dsc.iter().map(|&(n, t)| (n.to_owned(), t)))
                    .collect(),
                ..Default::default()
            };
            super::save_plot::context_menu_with(
                &response.response,
                &name,
                "",
                data,
                extras,
                actions,
            );
            let title = format!("{} versus T plot", panel.y_label());
            response
                .response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, title.clone()));
            self.interact(&response, ws, settings, &marks, actions);
            self.scales[panel as usize] = scale;
        }
    }

    /// The measured points of one panel, named, for the hover readout.
    fn readout_curves<'a>(
        &'a self,
        panel: Panel,
        shown: &[(usize, &Sample)],
    ) -> Vec<(String, &'a [PlotPoint])> {
        let mut out = Vec::new();
        for &(i, s) in shown {
            let Some(Some(cache)) = self.samples.get(i) else {
                continue;
            };
            let name = &s.series().sample;
            let metrics: Vec<(Metric, String)> = match panel {
                Panel::Moment => vec![(Metric::FsdpFirstMoment, name.clone())],
                Panel::Area => vec![(Metric::FsdpArea, name.clone())],
                Panel::Rmse => vec![(Metric::FitRmse, name.clone())],
                Panel::Lobes => vec![
                    (Metric::R1Relative, format!("{name} r1")),
                    (Metric::R6Relative, format!("{name} r6")),
                ],
                Panel::Fractions => (0..4)
                    .map(|m| (Metric::FRACTIONS[m], format!("{name} {}", MODE_NAMES[m])))
                    .collect(),
            };
            for (metric, label) in metrics {
                if let Some(c) = cache.curves.get(&metric) {
                    out.push((label, &c.values[..]));
                }
            }
        }
        out
    }

    /// Thins what each shown sample draws on `panel` for the panel's last scale.
    fn thin(&mut self, panel: Panel, shown: &[(usize, &Sample)]) {
        let scale = self.scales[panel as usize];
        for &(i, s) in shown {
            let Some(Some(cache)) = self.samples.get_mut(i) else {
                continue;
            };
            for (metric, ..) in panel_series(panel, i, s) {
                if let Some(c) = cache.curves.get_mut(&metric) {
                    c.thin_for(scale);
                }
            }
        }
    }

    /// The points and splines of one panel for every shown sample.
    fn draw<'a>(
        &'a self,
        plot_ui: &mut PlotUi<'a>,
        panel: Panel,
        shown: &[(usize, &Sample)],
        active: usize,
    ) {
        for &(i, s) in shown {
            let Some(Some(cache)) = self.samples.get(i) else {
                continue;
            };
            for (metric, label, colour, marker) in panel_series(panel, i, s) {
                let Some(c) = cache.curves.get(&metric) else {
                    continue;
                };
                plot_ui.points(
                    Points::new(label.as_str(), PlotPoints::Borrowed(c.drawn_markers()))
                        .color(colour)
                        .shape(marker)
                        .radius(2.5),
                );
                let spline = Line::new(
                    format!("{label} spline"),
                    PlotPoints::Borrowed(c.drawn_line()),
                )
                .color(colour)
                .style(sample_style(i));
                plot_ui.line(if matches!(panel, Panel::Lobes | Panel::Fractions) {
                    spline
                } else {
                    spline.width(1.5)
                });
                if let (Panel::Fractions, true, Some(0)) = (panel, i == active, metric.mode())
                    && !cache.at_bound.is_empty()
                {
                    plot_ui.points(
                        Points::new("centre at its bound", PlotPoints::Borrowed(&cache.at_bound))
                            .color(egui::Color32::WHITE)
                            .shape(MarkerShape::Circle)
                            .filled(false)
                            .radius(3.5),
                    );
                }
                if let (Panel::Fractions, true, Some(m)) = (panel, i == active, metric.mode()) {
                    // Two shades: statistical ⊕ systematic wide and pale, statistical narrow.
                    for bar in &cache.total_bars[m] {
                        plot_ui.line(
                            Line::new("error bars (with systematic)", PlotPoints::Borrowed(bar))
                                .color(colour.gamma_multiply(0.25))
                                .width(3.0),
                        );
                    }
                    for bar in &cache.error_bars[m] {
                        plot_ui.line(
                            Line::new("error bars", PlotPoints::Borrowed(bar))
                                .color(colour.gamma_multiply(0.5))
                                .width(1.0),
                        );
                    }
                }
            }
        }
    }

    /// The y range of a panel's glass points (T ≤ the detected T_x) of every shown sample, with
    /// a 5 % margin each side; None for the fractions (always within 0–1) or with no points.
    fn glass_range(&self, panel: Panel, shown: &[(usize, &Sample)]) -> Option<(f64, f64)> {
        if panel == Panel::Fractions {
            return None;
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &(i, s) in shown {
            let Some(Some(cache)) = self.samples.get(i) else {
                continue;
            };
            for (metric, ..) in panel_series(panel, i, s) {
                for p in cache.curves.get(&metric).map_or(&[][..], |c| &c.glass) {
                    lo = lo.min(p.y);
                    hi = hi.max(p.y);
                }
            }
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
        let margin = if hi > lo {
            0.05 * (hi - lo)
        } else {
            1e-3 * lo.abs().max(1.0)
        };
        Some((lo - margin, hi + margin))
    }

    /// The crystallised points (T > T_x) of one panel, painted where they fall inside it.
    fn paint_beyond(
        &self,
        ui: &egui::Ui,
        transform: &egui_plot::PlotTransform,
        panel: Panel,
        shown: &[(usize, &Sample)],
    ) {
        let frame = *transform.frame();
        let painter = ui.painter_at(frame);
        for &(i, s) in shown {
            let Some(Some(cache)) = self.samples.get(i) else {
                continue;
            };
            for (metric, _, colour, _) in panel_series(panel, i, s) {
                let Some(c) = cache.curves.get(&metric) else {
                    continue;
                };
                for p in &c.beyond {
                    let at = transform.position_from_point(p);
                    if frame.contains(at) {
                        painter.circle_filled(at, 2.5, colour);
                    }
                }
            }
        }
    }

    /// Clicks move the slider; in move mode a drag near a mark moves it.
    fn interact(
        &mut self,
        response: &egui_plot::PlotResponse<()>,
        ws: &Workspace,
        settings: &Settings,
        marks: &[Mark],
        actions: &mut Vec<Action>,
    ) {
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        if settings.move_mode {
            if r.drag_started()
                && let Some(pos) = pointer
            {
                self.drag = grab(
                    marks.iter().map(|&(k, t, _)| {
                        (Handle::Mark(k), response.transform.position_from_point_x(t))
                    }),
                    pos.x,
                );
            }
            if r.dragged()
                && let (Some(Handle::Mark(kind)), Some(pos), Some(s)) =
                    (self.drag, pointer, ws.active_sample())
            {
                let t = response.transform.value_from_position(pos).x;
                let mut marks = s.marks;
                *marks.slot(kind) = Some((t * 10.0).round() / 10.0);
                actions.push(Action::SetMarks {
                    sample: ws.active,
                    marks,
                });
            }
            if r.drag_stopped() {
                self.drag = None;
            }
        }
        if r.clicked()
            && let (Some(pos), Some(s)) = (pointer, ws.active_sample())
        {
            let t = response.transform.value_from_position(pos).x;
            actions.push(Action::SetCursor(nearest(s.axis(), t)));
        }
    }
}

/// The key above the panels (legends inside would cover the data).
fn key(ui: &mut egui::Ui, shown: &[(usize, &Sample)]) {
    ui.horizontal_wrapped(|ui| {
        for &(i, s) in shown {
            let shape = match SHAPES[i % SHAPES.len()] {
                MarkerShape::Circle => "circles",
                MarkerShape::Square => "squares",
                MarkerShape::Diamond => "diamonds",
                MarkerShape::Up => "triangles",
                _ => "crosses",
            };
            let line = ["solid", "dashed", "dotted"][i % 3];
            ui.colored_label(s.colour, format!("{} ({shape}, {line})", s.series().sample));
        }
        ui.weak("| key")
            .on_hover_text("Points: the values; lines: smoothing splines. Marks (grey): T_r dashed, T_g solid, T_x dotted; calorimetric values dashed, darker.");
    });
    ui.horizontal_wrapped(|ui| {
        ui.weak("fractions:");
        for (m, colour) in MODE_COLOURS.iter().enumerate() {
            ui.colored_label(*colour, MODE_NAMES[m]);
        }
        ui.weak("| r6 faint |");
        ui.colored_label(egui::Color32::WHITE, "rings: at bound");
    });
}

/// "Show planted", when a sample knows what was planted in it (the demo's, the what-if).
fn planted_toggle(
    ui: &mut egui::Ui,
    ws: &Workspace,
    settings: &Settings,
    actions: &mut Vec<Action>,
) {
    if !ws.any_planted() {
        return;
    }
    let mut on = settings.show_planted;
    ui.checkbox(&mut on, "Show planted").on_hover_text(
        "What the model planted in the active sample, over what the analysis found: fractions \
         dash-dot, T_r/T_g/T_x as triangles on the FSDP moment panel, the four modes dashed on \
         the fit plot. Only model samples (the demo's, the what-if) have it.",
    );
    if on != settings.show_planted {
        actions.push(Action::SetShowPlanted(on));
    }
}

/// The active sample's transitions in use, and whether each was set by the user.
fn marks_of(ws: &Workspace) -> Vec<Mark> {
    let Some(s) = ws.active_sample() else {
        return Vec::new();
    };
    let Some(a) = s.analysis() else {
        return Vec::new();
    };
    Transition::ALL
        .iter()
        .filter_map(|&k| {
            let overridden = s.marks.override_of(k).is_some();
            a.transitions.kelvin(k).map(|v| (k, v, overridden))
        })
        .collect()
}

/// The names of the marks at the top of a plot, drawn on the screen rather than as plot items
/// so they never count in the plot's bounds (as items at the top edge, they pushed the y range
/// up every frame).
fn mark_labels(
    ui: &egui::Ui,
    transform: &egui_plot::PlotTransform,
    marks: &[Mark],
    dsc: &[(&str, f64)],
) {
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let font = egui::TextStyle::Body.resolve(ui.style());
    // (x, text, colour, right of its line): marks to the right, calorimetric values to the left.
    let mut labels: Vec<(f32, &str, egui::Color32, bool)> = marks
        .iter()
        .map(|&(kind, t, _)| {
            let x = transform.position_from_point_x(t);
            (x, kind.name(), mark_colour(kind), true)
        })
        .chain(dsc.iter().map(|&(name, t)| {
            let x = transform.position_from_point_x(t);
            (x, name, egui::Color32::from_gray(130), false)
        }))
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let placed = place_labels(
        frame,
        labels.iter().map(|&(x, text, colour, right)| {
            let galley = painter.layout_no_wrap(text.to_owned(), font.clone(), colour);
            (x, galley.size(), right)
        }),
    );
    for ((_, text, colour, _), rect) in labels.iter().zip(placed) {
        painter.text(
            rect.left_top(),
            egui::Align2::LEFT_TOP,
            text,
            font.clone(),
            *colour,
        );
    }
}

/// Where each label of a vertical line goes, in the order given (by x): beside its line at the
/// plot's top, on the other side when it would leave the frame, and a row lower when it would
/// cover a label already placed (at most three rows), so close marks stay legible.
fn place_labels(
    frame: egui::Rect,
    labels: impl Iterator<Item = (f32, egui::Vec2, bool)>,
) -> Vec<egui::Rect> {
    let mut placed: Vec<egui::Rect> = Vec::new();
    for (x, size, right) in labels {
        let beside = |right: bool, row: f32| {
            let left = if right { x + 2.0 } else { x - 2.0 - size.x };
            egui::Rect::from_min_size(egui::pos2(left, frame.top() + 1.0 + row * size.y), size)
        };
        let fits = |r: &egui::Rect| r.left() >= frame.left() && r.right() <= frame.right();
        let side = if fits(&beside(right, 0.0)) {
            right
        } else {
            !right
        };
        let free = |r: &egui::Rect| placed.iter().all(|p| !p.intersects(r.shrink(0.5)));
        let rect = (0..3)
            .map(|row| beside(side, row as f32))
            .find(free)
            .unwrap_or_else(|| beside(side, 0.0));
        placed.push(rect);
    }
    placed
}

/// The cursor at the slider's T, the transition marks and the calorimetric values.
fn decorations(
    plot_ui: &mut PlotUi<'_>,
    cursor_t: Option<f64>,
    marks: &[Mark],
    dsc: &[(&str, f64)],
) {
    if let Some(t) = cursor_t {
        plot_ui.vline(
            VLine::new("current T", t)
                .color(egui::Color32::from_gray(200))
                .width(1.0),
        );
    }
    for &(kind, t, overridden) in marks {
        plot_ui.vline(
            VLine::new(
                format!(
                    "{} {t:.1} K{}",
                    kind.name(),
                    if overridden { " (set)" } else { "" }
                ),
                t,
            )
            .color(mark_colour(kind))
            .style(mark_style(kind))
            .width(2.0),
        );
    }
    for &(name, t) in dsc {
        plot_ui.vline(
            VLine::new(format!("{name} {t:.1} K"), t)
                .color(egui::Color32::from_gray(130))
                .style(LineStyle::dashed_loose()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::place_labels;

    #[test]
    fn close_mark_labels_step_down_and_stay_inside_the_frame() {
        let frame = egui::Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(300.0, 100.0));
        let size = egui::vec2(24.0, 14.0);
        // T_r far away, T_g and T_x 10 px apart, T_x 5 px from the right edge.
        let rects = place_labels(
            frame,
            [
                (100.0, size, true),
                (285.0, size, true),
                (295.0, size, true),
            ]
            .into_iter(),
        );
        assert_eq!(
            rects[0].left_top(),
            egui::pos2(102.0, 1.0),
            "beside its line"
        );
        for r in &rects {
            assert!(
                r.left() >= frame.left() && r.right() <= frame.right(),
                "{r:?}"
            );
        }
        assert_eq!(rects[1].right(), 283.0, "flipped to the left of its line");
        assert!(!rects[1].intersects(rects[2].shrink(0.5)), "{rects:?}");
        assert_eq!(rects[2].top(), 15.0, "one row lower");
        // Labels far apart stay on the top row.
        let apart = place_labels(frame, [(10.0, size, true), (150.0, size, true)].into_iter());
        assert!(apart.iter().all(|r| r.top() == 1.0));
    }
}
