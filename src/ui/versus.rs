//! Quantities versus temperature: FSDP first moment and area, r1 and r6 relative to their
//! means, connection-mode fractions with error bars, and fit RMSE, for every visible sample,
//! each with its smoothing spline, a cursor at the slider's T and the T_r, T_g, T_x marks of the
//! active sample. The panels share their T axis. Clicking a point moves the slider there; in
//! move mode a drag near a mark moves (overrides) it.

use std::borrow::Cow;
use std::sync::Arc;

use eframe::egui;
use egui_plot::{Line, LineStyle, MarkerShape, Plot, PlotPoint, Points, Text, VLine};

use super::controls::{Handle, grab, mark_colour, movable, points};
use super::realspace::MODE_COLOURS;
use super::{GlassrayApp, nearest_index};
use crate::analysis::fit::MODE_NAMES;
use crate::analysis::metric::Metric;
use crate::analysis::series::{SeriesAnalysis, SmoothedCurve};
use crate::analysis::transitions::Transition;

/// Marker shapes telling samples apart where colour encodes the mode.
const SHAPES: [MarkerShape; 5] = [
    MarkerShape::Circle,
    MarkerShape::Square,
    MarkerShape::Diamond,
    MarkerShape::Up,
    MarkerShape::Cross,
];

/// Most error bars drawn per sample and mode (the rest are thinned evenly).
const MAX_ERROR_BARS: usize = 200;

struct Shown {
    name: String,
    colour: egui::Color32,
    shape: MarkerShape,
    t: Vec<f64>,
    analysis: Arc<SeriesAnalysis>,
    active: bool,
    /// Fractions (4) and RMSE of fits finished by the analysis in flight (NaN: not yet).
    fresh: Option<Vec<[f64; 5]>>,
}

impl Shown {
    /// Values of `quantity`: the finished analysis, with fits from the analysis in flight
    /// shown as they complete.
    fn values<'c>(&self, metric: Metric, c: &'c SmoothedCurve) -> Cow<'c, [f64]> {
        let column = match metric {
            Metric::FitRmse => 4,
            m => match m.mode() {
                Some(mode) => mode,
                None => return Cow::Borrowed(&c.values),
            },
        };
        match &self.fresh {
            Some(fresh) => Cow::Owned(
                c.values
                    .iter()
                    .zip(fresh)
                    .map(|(old, new)| {
                        if new[column].is_nan() {
                            *old
                        } else {
                            new[column]
                        }
                    })
                    .collect(),
            ),
            None => Cow::Borrowed(&c.values),
        }
    }
}

/// The versus-T panels.
pub fn ui(ui: &mut egui::Ui, app: &mut GlassrayApp) {
    let shown: Vec<Shown> = app
        .samples
        .iter()
        .enumerate()
        .filter(|(i, s)| s.visible || *i == app.active)
        .filter_map(|(i, s)| {
            Some(Shown {
                name: s.series().sample.clone(),
                colour: s.colour,
                shape: SHAPES[i % SHAPES.len()],
                t: s.series().axis_values(),
                analysis: Arc::clone(s.analysis.as_ref()?),
                active: i == app.active,
                fresh: (!s.fresh.is_empty()).then(|| {
                    s.fresh
                        .iter()
                        .map(|f| match f {
                            Some(f) => [
                                f.fractions[0],
                                f.fractions[1],
                                f.fractions[2],
                                f.fractions[3],
                                f.rmse,
                            ],
                            None => [f64::NAN; 5],
                        })
                        .collect()
                }),
            })
        })
        .collect();
    ui.strong("Versus temperature");
    if shown.is_empty() {
        ui.label(if app.is_analysing() {
            "analysing…"
        } else {
            "no analysis yet"
        });
        return;
    }
    // One key for all panels (legends inside would cover the data).
    ui.horizontal_wrapped(|ui| {
        for s in &shown {
            let shape = match s.shape {
                MarkerShape::Circle => "circles",
                MarkerShape::Square => "squares",
                MarkerShape::Diamond => "diamonds",
                MarkerShape::Up => "triangles",
                _ => "crosses",
            };
            ui.colored_label(s.colour, format!("{} ({shape})", s.name));
        }
        ui.weak("| lines: smoothing splines");
    });
    ui.horizontal_wrapped(|ui| {
        ui.weak("fractions:");
        for (m, colour) in MODE_COLOURS.iter().enumerate() {
            ui.colored_label(*colour, MODE_NAMES[m]);
        }
        ui.weak("| r6 fainter than r1");
    });
    let cursor_t = app.current_axis_value();
    let active_marks = app
        .samples
        .get(app.active)
        .map(|s| s.marks)
        .unwrap_or_default();
    let marks: Vec<(Transition, f64, bool)> = shown
        .iter()
        .find(|s| s.active)
        .map(|s| {
            Transition::ALL
                .iter()
                .filter_map(|&k| {
                    let overridden = active_marks.override_of(k).is_some();
                    s.analysis.transitions.kelvin(k).map(|v| (k, v, overridden))
                })
                .collect()
        })
        .unwrap_or_default();
    let dsc: Vec<(&str, f64)> = [
        ("DSC T_g", active_marks.dsc_t_g),
        ("DSC T_x", active_marks.dsc_t_x),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.map(|v| (n, v)))
    .collect();
    let x_label = if app
        .samples
        .get(app.active)
        .is_some_and(|s| s.series().axis == crate::model::TemperatureAxis::Kelvin)
    {
        "T (K)"
    } else {
        "pattern index"
    };

    type Draw<'a> = Box<dyn Fn(&mut egui_plot::PlotUi<'_>) + 'a>;
    let single = |quantity: Metric| -> Draw<'_> {
        let shown = &shown;
        Box::new(move |plot_ui: &mut egui_plot::PlotUi<'_>| {
            for s in shown {
                if let Some(c) = s.analysis.curve(quantity) {
                    plot_ui.points(
                        Points::new(s.name.clone(), points(&s.t, &s.values(quantity, c)))
                            .color(s.colour)
                            .shape(s.shape)
                            .radius(2.0),
                    );
                    plot_ui.line(
                        Line::new(format!("{} spline", s.name), points(&s.t, &c.smoothed))
                            .color(s.colour)
                            .width(1.5),
                    );
                }
            }
        })
    };
    let lobes: Draw<'_> = Box::new(|plot_ui: &mut egui_plot::PlotUi<'_>| {
        for s in &shown {
            for (q, label, shape) in [
                (Metric::R1Relative, "r1", MarkerShape::Circle),
                (Metric::R6Relative, "r6", MarkerShape::Square),
            ] {
                if let Some(c) = s.analysis.curve(q) {
                    let colour = if label == "r1" {
                        s.colour
                    } else {
                        s.colour.gamma_multiply(0.6)
                    };
                    plot_ui.points(
                        Points::new(format!("{} {label}", s.name), points(&s.t, &c.values))
                            .color(colour)
                            .shape(shape)
                            .radius(2.0),
                    );
                    plot_ui.line(
                        Line::new(
                            format!("{} {label} spline", s.name),
                            points(&s.t, &c.smoothed),
                        )
                        .color(colour),
                    );
                }
            }
        }
    });
    let fractions: Draw<'_> = Box::new(|plot_ui: &mut egui_plot::PlotUi<'_>| {
        for s in &shown {
            for (m, colour) in MODE_COLOURS.iter().enumerate() {
                let Some(c) = s.analysis.curve(Metric::FRACTIONS[m]) else {
                    continue;
                };
                plot_ui.points(
                    Points::new(
                        format!("{} {}", s.name, MODE_NAMES[m]),
                        points(&s.t, &c.values),
                    )
                    .color(*colour)
                    .shape(s.shape)
                    .radius(2.0),
                );
                plot_ui.line(
                    Line::new(
                        format!("{} {} spline", s.name, MODE_NAMES[m]),
                        points(&s.t, &c.smoothed),
                    )
                    .color(*colour),
                );
                if s.active {
                    let n = s.analysis.patterns.len();
                    let stride = n.div_ceil(MAX_ERROR_BARS).max(1);
                    for (k, pa) in s.analysis.patterns.iter().enumerate().step_by(stride) {
                        let (t, f, e) = (
                            s.t.get(k).copied().unwrap_or(f64::NAN),
                            pa.fit.fractions[m],
                            pa.fit.fraction_errors[m],
                        );
                        if t.is_finite() && f.is_finite() && e.is_finite() && e > 0.0 {
                            plot_ui.line(
                                Line::new("error bars", vec![[t, f - e], [t, f + e]])
                                    .color(colour.gamma_multiply(0.5))
                                    .width(1.0),
                            );
                        }
                    }
                }
            }
        }
    });
    let panels: Vec<(&str, &str, Draw<'_>)> = vec![
        (
            "vs_moment",
            "FSDP moment (1/Å)",
            single(Metric::FsdpFirstMoment),
        ),
        ("vs_area", "FSDP area", single(Metric::FsdpArea)),
        ("vs_lobes", "r1, r6 / mean", lobes),
        ("vs_fractions", "Mode fractions", fractions),
        ("vs_rmse", "Fit RMSE", single(Metric::FitRmse)),
    ];
    let height = ((ui.available_height() - 10.0) / panels.len() as f32 - 6.0).max(90.0);
    let link = egui::Id::unique("versus_t_axis");
    let mut clicked_t = None;
    let mut mark_drag: Option<(Transition, f64)> = None;
    let move_mode = app.move_mode;
    for (id, y_label, draw) in &panels {
        let last = *id == "vs_rmse";
        let response = movable(Plot::new(*id), move_mode)
            .height(height)
            .y_axis_label(*y_label)
            .x_axis_label(if last { x_label } else { "" })
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .show(ui, |plot_ui| {
                draw(plot_ui);
                if let Some(t) = cursor_t {
                    plot_ui.vline(
                        VLine::new("current T", t)
                            .color(egui::Color32::from_gray(200))
                            .width(1.0),
                    );
                }
                let top = plot_ui.plot_bounds().max()[1];
                for &(kind, t, overridden) in &marks {
                    plot_ui.text(
                        Text::new("", PlotPoint::new(t, top), kind.name())
                            .color(mark_colour(kind))
                            .anchor(egui::Align2::LEFT_TOP),
                    );
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
                        .width(2.0),
                    );
                }
                for &(name, t) in &dsc {
                    plot_ui.text(
                        Text::new("", PlotPoint::new(t, top), name)
                            .color(egui::Color32::from_gray(160))
                            .anchor(egui::Align2::RIGHT_TOP),
                    );
                    plot_ui.vline(
                        VLine::new(format!("{name} {t:.1} K"), t)
                            .color(egui::Color32::from_gray(160))
                            .style(LineStyle::dashed_loose()),
                    );
                }
            });
        let title = format!("{y_label} versus T plot");
        response
            .response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, title.clone()));
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        if move_mode {
            if r.drag_started()
                && let Some(pos) = pointer
            {
                app.drag = grab(
                    marks.iter().map(|&(k, t, _)| {
                        (Handle::Mark(k), response.transform.position_from_point_x(t))
                    }),
                    pos.x,
                );
            }
            if r.dragged()
                && let (Some(Handle::Mark(kind)), Some(pos)) = (app.drag, pointer)
            {
                mark_drag = Some((kind, response.transform.value_from_position(pos).x));
            }
            if r.drag_stopped() {
                app.drag = None;
            }
        }
        if r.clicked()
            && let Some(pos) = pointer
        {
            clicked_t = Some(response.transform.value_from_position(pos).x);
        }
    }
    if let Some(t) = clicked_t
        && let Some(s) = app.samples.get(app.active)
    {
        app.cursor = nearest_index(s.series(), t);
    }
    if let Some((kind, t)) = mark_drag {
        let i = app.active;
        if let Some(s) = app.samples.get(i) {
            let mut marks = s.marks;
            *marks.slot(kind) = Some((t * 10.0).round() / 10.0);
            app.set_marks(i, marks);
        }
    }
}
