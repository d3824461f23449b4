//! The pattern panels at the slider's temperature: the measured quantity (S(Q) or whatever the
//! files hold) with the reference pattern faint, and its difference from the reference (ΔS(Q)).
//! with the FSDP window shaded (its edges drag in move mode), and the ΔS(Q, T) heat map of the
//! active sample with a line at the current T. All three share their x axis.

use eframe::egui;
use egui_plot::{HLine, Legend, Line, Plot, PlotImage, PlotPoint, Span};

use super::controls::{Handle, grab, movable, points};
use super::{GlassrayApp, SampleView, nearest_index};
use crate::analysis::difference_from_reference;
use crate::model::{Pattern, TemperatureAxis};

fn faint(c: egui::Color32) -> egui::Color32 {
    c.gamma_multiply(0.35)
}

/// The text that says which pattern is shown: T (or index), file and temperature source.
pub fn pattern_caption(p: &Pattern, axis: TemperatureAxis) -> String {
    let at = match (&p.temperature, axis) {
        (Some(t), _) => format!("T = {:.1} K ({})", t.kelvin, t.source),
        (None, TemperatureAxis::Index) => format!("pattern #{}", p.index),
        (None, TemperatureAxis::Kelvin) => format!("pattern #{} (no temperature)", p.index),
    };
    format!("{at} — {}", p.display_name())
}

/// The ΔS(Q, T) heat map of one sample as a texture: columns are Q (thinned to at most
/// [`HEAT_COLUMNS`]), rows are patterns in acquisition order (last at the top); blue below
/// zero, red above, white at zero, saturating at the 99th percentile of |ΔS|.
pub struct HeatMap {
    pub texture: egui::TextureHandle,
    pub q_range: (f64, f64),
    /// (first, last) axis value: rows are drawn between them.
    pub t_range: (f64, f64),
    pub scale: f64,
}

/// Most Q columns in a heat map.
pub const HEAT_COLUMNS: usize = 600;

fn diverging(v: f64, scale: f64) -> egui::Color32 {
    if !v.is_finite() {
        return egui::Color32::from_gray(60);
    }
    let x = (v / scale).clamp(-1.0, 1.0) as f32;
    let (r, g, b) = if x >= 0.0 {
        (1.0, 1.0 - 0.85 * x, 1.0 - 0.85 * x)
    } else {
        (1.0 + 0.85 * x, 1.0 + 0.6 * x, 1.0)
    };
    egui::Color32::from_rgb((r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8)
}

/// Builds the heat map of `sample` (None for fewer than two patterns or no finite ΔS).
pub fn heat_map(ctx: &egui::Context, sample: &SampleView) -> Option<HeatMap> {
    let series = sample.series();
    let reference = series.patterns.first()?;
    if series.len() < 2 || reference.x.len() < 2 {
        return None;
    }
    let n = reference.x.len();
    let stride = n.div_ceil(HEAT_COLUMNS).max(1);
    let columns: Vec<usize> = (0..n).step_by(stride).collect();
    let rows: Vec<Vec<f64>> = series
        .patterns
        .iter()
        .rev()
        .map(|p| {
            let d = difference_from_reference(p, reference);
            columns
                .iter()
                .map(|&c| {
                    if p.x.len() == n {
                        d.get(c).copied().unwrap_or(f64::NAN)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect();
    let mut magnitudes: Vec<f64> = rows
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    if magnitudes.is_empty() {
        return None;
    }
    let k = ((magnitudes.len() as f64 * 0.99) as usize).min(magnitudes.len() - 1);
    magnitudes.select_nth_unstable_by(k, f64::total_cmp);
    let scale = magnitudes[k].max(1e-12);
    let pixels: Vec<egui::Color32> = rows
        .iter()
        .flatten()
        .map(|&v| diverging(v, scale))
        .collect();
    let image = egui::ColorImage::new([columns.len(), rows.len()], pixels);
    let texture = ctx.load_texture(
        format!("heat_{}", series.sample),
        image,
        egui::TextureOptions::NEAREST,
    );
    let axis = series.axis_values();
    let monotonic = axis.windows(2).all(|w| w[1] > w[0]);
    let t_range = if monotonic {
        (axis[0], axis[axis.len() - 1])
    } else {
        (0.0, (series.len() - 1) as f64)
    };
    Some(HeatMap {
        texture,
        q_range: (reference.x[0], reference.x[n - 1]),
        t_range,
        scale,
    })
}

pub fn ui(ui: &mut egui::Ui, app: &mut GlassrayApp) {
    let (active, cursor) = (app.active, app.cursor);
    let samples = &app.samples;
    let Some(active_sample) = samples.get(active) else {
        ui.centered_and_justified(|ui| {
            ui.label("Open files or a folder (File menu), or drop them here.")
        });
        return;
    };
    let series = active_sample.series();
    let Some(current) = series.patterns.get(cursor) else {
        ui.label(format!("{} has no patterns.", series.sample));
        return;
    };
    let t = series
        .axis_values()
        .get(cursor)
        .copied()
        .unwrap_or(f64::NAN);
    let quantity = current.quantity.label();
    ui.heading(format!(
        "{} at {}",
        quantity,
        pattern_caption(current, series.axis)
    ));

    let height = ((ui.available_height() - 90.0) / 3.0).max(110.0);
    let x_label = match current.x_unit {
        crate::model::XUnit::QInvAngstrom => "Q (1/Å)",
        crate::model::XUnit::RAngstrom => "r (Å)",
        crate::model::XUnit::TwoThetaDeg => "2θ (°)",
    };
    let reciprocal = current.x_unit == crate::model::XUnit::QInvAngstrom;
    let link = egui::Id::unique("pattern_x_axis");

    // Each visible sample's pattern nearest to the slider's T.
    let shown: Vec<(&SampleView, &Pattern)> = samples
        .iter()
        .enumerate()
        .filter(|(i, s)| s.visible || *i == active)
        .filter_map(|(i, s)| {
            let idx = if i == active {
                cursor
            } else {
                nearest_index(s.series(), t)
            };
            s.series().patterns.get(idx).map(|p| (s, p))
        })
        .collect();

    let (fa, fb) = app.params.transform.fsdp_window;
    let move_mode = app.move_mode;
    let response = movable(Plot::new("pattern_plot"), move_mode)
        .height(height)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(quantity)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .show(ui, |plot_ui| {
            if reciprocal {
                plot_ui.span(
                    Span::new(format!("FSDP window {fa:.2}–{fb:.2}"), fa..=fb)
                        .fill(egui::Color32::from_rgba_unmultiplied(230, 159, 0, 28))
                        .border_color(egui::Color32::from_rgb(230, 159, 0))
                        .border_width(1.0),
                );
            }
            if let Some(reference) = series.patterns.first() {
                plot_ui.line(
                    Line::new(
                        format!(
                            "{} reference ({})",
                            series.sample,
                            reference_label(reference)
                        ),
                        points(&reference.x, &reference.y),
                    )
                    .color(faint(active_sample.colour)),
                );
            }
            for (s, p) in &shown {
                plot_ui.line(
                    Line::new(
                        format!("{} {}", s.series().sample, short_t(p)),
                        points(&p.x, &p.y),
                    )
                    .color(s.colour)
                    .width(1.5),
                );
            }
        });
    response.response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, format!("{quantity} plot"))
    });
    app.fsdp_screen_x = [
        response.transform.position_from_point_x(fa),
        response.transform.position_from_point_x(fb),
    ];
    // Move mode: drag the FSDP window's edges.
    let mut new_window = None;
    if move_mode && reciprocal {
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        if r.drag_started()
            && let Some(pos) = pointer
        {
            app.drag = grab(
                [
                    (
                        Handle::FsdpLow,
                        response.transform.position_from_point_x(fa),
                    ),
                    (
                        Handle::FsdpHigh,
                        response.transform.position_from_point_x(fb),
                    ),
                ],
                pos.x,
            );
        }
        if r.dragged()
            && let Some(pos) = pointer
        {
            let q = (response.transform.value_from_position(pos).x * 1000.0).round() / 1000.0;
            new_window = match app.drag {
                Some(Handle::FsdpLow) if q < fb - 0.01 => Some((q, fb)),
                Some(Handle::FsdpHigh) if q > fa + 0.01 => Some((fa, q)),
                _ => None,
            };
        }
        if r.drag_stopped() {
            app.drag = None;
        }
    }

    let samples = &app.samples;
    ui.label(format!(
        "Δ{quantity} = {quantity}(T) − {quantity}(reference: first pattern of each sample)"
    ));
    Plot::new("difference_plot")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(format!("Δ{quantity}"))
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .show(ui, |plot_ui| {
            for (i, s) in samples.iter().enumerate() {
                if !(s.visible || i == active) {
                    continue;
                }
                let idx = if i == active {
                    cursor
                } else {
                    nearest_index(s.series(), t)
                };
                let (Some(p), Some(reference)) =
                    (s.series().patterns.get(idx), s.series().patterns.first())
                else {
                    continue;
                };
                let d = difference_from_reference(p, reference);
                plot_ui.line(
                    Line::new(
                        format!("{} {}", s.series().sample, short_t(p)),
                        points(&p.x, &d),
                    )
                    .color(s.colour)
                    .width(1.5),
                );
            }
        });

    // The heat map of ΔS(Q, T) for the active sample, built once per sample.
    if app.samples[active].heat.is_none() {
        let built = heat_map(ui.ctx(), &app.samples[active]);
        app.samples[active].heat = Some(built);
    }
    let sample = &app.samples[active];
    if let Some(Some(heat)) = &sample.heat {
        let (q0, q1) = heat.q_range;
        let (t0, t1) = heat.t_range;
        let y_now = if sample
            .series()
            .axis_values()
            .windows(2)
            .all(|w| w[1] > w[0])
        {
            t
        } else {
            cursor as f64
        };
        ui.label(format!(
            "Δ{quantity}({x_label}, T) of {}: blue < 0 < red, saturating at ±{:.3}",
            sample.series().sample,
            heat.scale
        ));
        let rows = sample.series().len() as f64;
        let half_row = if rows > 1.0 {
            0.5 * (t1 - t0) / (rows - 1.0)
        } else {
            0.5
        };
        Plot::new("heat_map_plot")
            .height(height)
            .x_axis_label(x_label)
            .y_axis_label("T")
            .link_axis(link, [true, false])
            .show(ui, |plot_ui| {
                plot_ui.image(PlotImage::new(
                    "heat map",
                    heat.texture.id(),
                    PlotPoint::new(0.5 * (q0 + q1), 0.5 * (t0 + t1)),
                    egui::vec2((q1 - q0) as f32, (t1 - t0 + 2.0 * half_row) as f32),
                ));
                plot_ui.hline(
                    HLine::new("current T", y_now)
                        .color(egui::Color32::BLACK)
                        .width(1.5),
                );
            });
    }
    if let Some(w) = new_window {
        let mut p = app.params.clone();
        p.transform.fsdp_window = w;
        app.set_params(p);
    }
}

fn short_t(p: &Pattern) -> String {
    match p.kelvin() {
        Some(t) => format!("{t:.1} K"),
        None => format!("#{}", p.index),
    }
}

fn reference_label(p: &Pattern) -> String {
    short_t(p)
}
