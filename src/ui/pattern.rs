//! The pattern panels at the slider's temperature: the measured quantity (S(Q) or whatever the
//! files hold) with the reference pattern faint and the FSDP window shaded (its edges drag in
//! move mode); its difference from the reference (ΔS(Q)); and the ΔS(Q, T) heat map of the
//! active sample with a line at the current T. All three share their x axis.
//!
//! Plot points are built once per shown pattern and borrowed every frame; the heat map's pixels
//! are computed in the background the first time a sample is shown.

use std::collections::HashMap;
use std::sync::Arc;

use eframe::egui;
use egui_plot::{HLine, Legend, Line, Plot, PlotImage, PlotPoint, PlotPoints, Span, VLine};

use super::Action;
use super::controls::{Handle, dense_y_axis, grab, hover_x, movable, readout, sample_style};
use super::save_plot::{self, plot_csv};
use super::state::{Jobs, Outcome, Sample, Settings, Workspace};
use crate::analysis::difference_from_reference;
use crate::analysis::transitions::Transition;
use crate::model::{HeatingSeries, Pattern, TemperatureAxis, XUnit};

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

/// Most Q columns in a heat map.
pub const HEAT_COLUMNS: usize = 600;

/// The ΔS(Q, T) heat map of one sample as pixels: columns are Q (thinned to at most
/// [`HEAT_COLUMNS`]), rows are patterns in acquisition order (last at the top); blue below
/// zero, red above, white at zero, saturating at the 99th percentile of |ΔS|.
pub struct HeatPixels {
    image: egui::ColorImage,
    q_range: (f64, f64),
    /// (first, last) axis value: rows are drawn between them.
    t_range: (f64, f64),
    scale: f64,
    /// Whether the rows follow T (else the pattern index).
    monotonic: bool,
    /// The T below which rows set the colour scale (T_x: crystallised rows would saturate it
    /// and leave the sub-T_g change pale), if any.
    below: Option<f64>,
}

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

/// Builds the heat map of a series (None for fewer than two patterns or no finite ΔS). The
/// colour scale is the 99th percentile of |ΔS| over the rows below `below` (T_x; all rows when
/// None or when none is below); rows above saturate.
pub fn heat_pixels(series: &HeatingSeries, below: Option<f64>) -> Option<HeatPixels> {
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
    let axis = series.axis_values();
    // Rows run last pattern first.
    let row_t = |r: usize| axis.get(axis.len() - 1 - r).copied().unwrap_or(f64::NAN);
    let magnitudes_below = |limit: Option<f64>| -> Vec<f64> {
        rows.iter()
            .enumerate()
            .filter(|(r, _)| limit.is_none_or(|t| row_t(*r) < t))
            .flat_map(|(_, row)| row.iter())
            .filter(|v| v.is_finite())
            .map(|v| v.abs())
            .collect()
    };
    let mut magnitudes = magnitudes_below(below);
    if magnitudes.is_empty() {
        magnitudes = magnitudes_below(None);
    }
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
    let monotonic = axis.windows(2).all(|w| w[1] > w[0]);
    let t_range = if monotonic {
        (axis[0], axis[axis.len() - 1])
    } else {
        (0.0, (series.len() - 1) as f64)
    };
    Some(HeatPixels {
        image: egui::ColorImage::new([columns.len(), rows.len()], pixels),
        q_range: (reference.x[0], reference.x[n - 1]),
        t_range,
        scale,
        monotonic,
        below,
    })
}

/// A heat map ready to draw.
#[derive(Clone)]
struct HeatMap {
    texture: egui::TextureHandle,
    q_range: (f64, f64),
    t_range: (f64, f64),
    scale: f64,
    /// Whether the rows follow T (else the pattern index).
    monotonic: bool,
    below: Option<f64>,
}

/// Plot points of what a sample shows at the slider, built once per shown pattern.
struct Shown {
    index: usize,
    label: String,
    pattern: Vec<PlotPoint>,
    delta: Vec<PlotPoint>,
}

/// Per sample: its reference pattern's points and the points of the pattern shown.
#[derive(Default)]
struct SampleCache {
    reference: Option<(String, Vec<PlotPoint>)>,
    shown: Option<Shown>,
}

/// The pattern column and its caches.
#[derive(Default)]
pub struct PatternPanel {
    /// Workspace generation the caches belong to.
    generation: u64,
    samples: Vec<SampleCache>,
    /// Heat maps by sample: the scale limit asked for (bits of T_x), and the map (None while
    /// the first is computed, Some(None) when there is none). An older map stays up while one
    /// for a new limit is computed.
    heat: HashMap<usize, (Option<u64>, Option<Option<HeatMap>>)>,
    /// Pixels arrived from the background, to be made textures.
    arrived: Vec<(usize, Option<HeatPixels>)>,
    /// What a drag in move mode is moving.
    drag: Option<Handle>,
}

fn to_points(x: &[f64], y: &[f64]) -> Vec<PlotPoint> {
    x.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| PlotPoint::new(a, b))
        .collect()
}

fn short_t(p: &Pattern) -> String {
    match p.kelvin() {
        Some(t) => format!("{t:.1} K"),
        None => format!("#{}", p.index),
    }
}

impl SampleCache {
    fn update(&mut self, s: &Sample, index: usize) {
        let series = s.series();
        if self.reference.is_none()
            && let Some(r) = series.patterns.first()
        {
            self.reference = Some((short_t(r), to_points(&r.x, &r.y)));
        }
        if self.shown.as_ref().is_some_and(|c| c.index == index) {
            return;
        }
        self.shown = series.patterns.get(index).map(|p| {
            let delta = match series.patterns.first() {
                Some(r) => to_points(&p.x, &difference_from_reference(p, r)),
                None => Vec::new(),
            };
            Shown {
                index,
                label: format!("{} {}", series.sample, short_t(p)),
                pattern: to_points(&p.x, &p.y),
                delta,
            }
        });
    }
}

impl PatternPanel {
    /// Pixels for sample `i`'s heat map have arrived from the background.
    pub fn heat_map_ready(&mut self, i: usize, map: Option<HeatPixels>) {
        self.arrived.push((i, map));
    }

    /// Starts over when a new workspace is installed; brings every shown sample up to date.
    fn refresh(&mut self, ws: &Workspace) {
        if self.generation != ws.generation {
            self.generation = ws.generation;
            self.samples.clear();
            self.heat.clear();
            self.arrived.clear();
        }
        self.samples
            .resize_with(ws.samples.len(), SampleCache::default);
        for (i, s) in ws.shown() {
            let index = ws.shown_index(i);
            self.samples[i].update(s, index);
        }
    }

    /// The active sample's heat map: asked for in the background the first time, made a
    /// texture when its pixels arrive.
    fn heat_map(
        &mut self,
        ctx: &egui::Context,
        ws: &Workspace,
        jobs: &mut Jobs,
    ) -> Option<&HeatMap> {
        for (i, pixels) in std::mem::take(&mut self.arrived) {
            let wanted = self.heat.get(&i).map(|(limit, _)| *limit);
            let built = pixels.as_ref().map(|p| p.below.map(f64::to_bits));
            if built.is_some_and(|b| Some(b) != wanted) {
                continue; // built for a limit no longer wanted
            }
            let name = ws.samples.get(i).map(|s| s.series().sample.clone());
            let map = pixels.zip(name).map(|(p, name)| HeatMap {
                monotonic: p.monotonic,
                texture: ctx.load_texture(
                    format!("heat_{name}"),
                    p.image,
                    egui::TextureOptions::NEAREST,
                ),
                q_range: p.q_range,
                t_range: p.t_range,
                scale: p.scale,
                below: p.below,
            });
            if let Some(entry) = self.heat.get_mut(&i) {
                entry.1 = Some(map);
            }
        }
        let active = ws.active;
        let t_x = ws
            .active_sample()
            .and_then(|s| s.analysis())
            .and_then(|a| a.transitions.kelvin(Transition::Crystallization))
            .filter(|_| {
                ws.active_sample()
                    .is_some_and(|s| s.series().axis == TemperatureAxis::Kelvin)
            });
        let limit = t_x.map(f64::to_bits);
        let stale = self.heat.get(&active).is_none_or(|(l, _)| *l != limit);
        if stale && let Some(s) = ws.samples.get(active) {
            let old = self.heat.remove(&active).and_then(|(_, m)| m);
            self.heat.insert(active, (limit, old));
            let series = Arc::clone(s.series_arc());
            let generation = ws.generation;
            jobs.spawn("building the heat map", move || Outcome::HeatMap {
                generation,
                sample: active,
                map: heat_pixels(&series, t_x),
            });
        }
        self.heat
            .get(&active)
            .and_then(|(_, m)| m.as_ref())
            .and_then(|m| m.as_ref())
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        settings: &Settings,
        jobs: &mut Jobs,
        actions: &mut Vec<Action>,
    ) {
        let Some(active) = ws.active_sample() else {
            ui.centered_and_justified(|ui| {
                ui.label("Open files or a folder (File menu), or drop them here.")
            });
            return;
        };
        let series = active.series();
        let Some(current) = series.patterns.get(ws.cursor) else {
            ui.label(format!("{} has no patterns.", series.sample));
            return;
        };
        self.refresh(ws);
        let quantity = current.quantity.label();
        ui.heading(format!(
            "{} at {}",
            quantity,
            pattern_caption(current, series.axis)
        ));
        // Three plots share what is left after the headings, the Q-range line and the colour bar.
        let height = ((ui.available_height() - 150.0) / 3.0).max(100.0);
        let x_label = match current.x_unit {
            XUnit::QInvAngstrom => "Q (1/Å)",
            XUnit::RAngstrom => "r (Å)",
            XUnit::TwoThetaDeg => "2θ (°)",
        };
        let reciprocal = current.x_unit == XUnit::QInvAngstrom;
        let link = egui::Id::unique("pattern_x_axis");
        self.pattern_plot(
            ui, ws, settings, quantity, x_label, reciprocal, height, link, actions,
        );
        ui.label(format!(
            "Δ{quantity} = {quantity}(T) − {quantity}(reference: first pattern of each sample)"
        ));
        // The heat map first: it may start a background job (a mutable use of the panel).
        let heat = self.heat_map(ui.ctx(), ws, jobs).cloned();
        let samples = &self.samples;
        let curves: Vec<(&str, &[PlotPoint])> = ws
            .shown()
            .filter_map(|(i, _)| samples.get(i)?.shown.as_ref())
            .map(|c| (c.label.as_str(), &c.delta[..]))
            .collect();
        let x_name = x_label.split(' ').next().unwrap_or("x");
        let what = pattern_caption(current, series.axis);
        let response = Plot::new("difference_plot")
            .id(super::PlotId::Difference.id())
            .height(height)
            .legend(compact_legend())
            .label_formatter(|pos| Some(readout(x_name, hover_x(pos), &curves)))
            .x_axis_label(x_label)
            .y_axis_label(format!("Δ{quantity}"))
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .show(ui, |plot_ui| {
                for (i, s) in ws.shown() {
                    if let Some(c) = samples.get(i).and_then(|c| c.shown.as_ref()) {
                        plot_ui.line(
                            Line::new(c.label.as_str(), PlotPoints::Borrowed(&c.delta))
                                .color(s.colour)
                                .style(sample_style(i))
                                .width(1.5),
                        );
                    }
                }
            });
        let title = format!("Δ{quantity}");
        let data = || plot_csv(x_name, &curves);
        save_plot::context_menu(&response.response, &title, &what, data, actions);
        let t = ws.current_axis_value().unwrap_or(f64::NAN);
        if let Some(heat) = &heat {
            let response = heat_plot(
                ui,
                heat,
                &active.series().sample,
                quantity,
                x_label,
                t,
                ws.cursor,
                height,
                link,
            );
            let title = format!("Δ{quantity} heat map of {}", active.series().sample);
            let data = || plot_csv(x_name, &curves);
            let extras = || save_plot::Extras {
                heat: heat_figure(active.series(), heat, quantity),
                ..Default::default()
            };
            save_plot::context_menu_with(&response, &title, &what, data, extras, actions);
        }
    }

    /// The measured quantity of every shown sample, the reference faint, the FSDP window.
    #[allow(clippy::too_many_arguments)]
    fn pattern_plot(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        settings: &Settings,
        quantity: &str,
        x_label: &str,
        reciprocal: bool,
        height: f32,
        link: egui::Id,
        actions: &mut Vec<Action>,
    ) {
        let (fa, fb) = settings.params.transform.fsdp_window;
        let move_mode = settings.move_mode;
        let samples = &self.samples;
        let curves: Vec<(&str, &[PlotPoint])> = ws
            .shown()
            .filter_map(|(i, _)| samples.get(i)?.shown.as_ref())
            .map(|c| (c.label.as_str(), &c.pattern[..]))
            .collect();
        let x_name = x_label.split(' ').next().unwrap_or("x");
        // The transform's Q range in use: the set limits, else the active pattern's ends.
        let t = &settings.params.transform;
        let active_x = ws
            .active_sample()
            .and_then(|s| s.series().patterns.get(ws.cursor))
            .map(|p| (p.x.first().copied(), p.x.last().copied()));
        let limits = [
            ("Qmin", t.q_min, active_x.and_then(|x| x.0)),
            ("Qmax", t.q_max, active_x.and_then(|x| x.1)),
        ];
        if reciprocal {
            let part = |(name, set, auto): (&str, Option<f64>, Option<f64>)| match (set, auto) {
                (Some(q), _) => format!("{name} {q:.2} (set)"),
                (None, Some(q)) => format!("{name} {q:.2} (the data's end)"),
                (None, None) => format!("{name} –"),
            };
            ui.weak(format!(
                "G(r) uses {} to {} (dashed lines); FSDP window {fa:.2}–{fb:.2} (shaded)",
                part(limits[0]),
                part(limits[1])
            ));
        }
        let response = movable(Plot::new("pattern_plot"), move_mode)
            .id(super::PlotId::Pattern.id())
            .height(height)
            .legend(compact_legend())
            .label_formatter(|pos| Some(readout(x_name, hover_x(pos), &curves)))
            .x_axis_label(x_label)
            .y_axis_label(quantity)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .show(ui, |plot_ui| {
                if reciprocal {
                    plot_ui.span(
                        // Named in the line above the plot, not in the legend (which a short
                        // plot cannot spare room for).
                        Span::new("", fa..=fb)
                            .fill(egui::Color32::from_rgba_unmultiplied(200, 200, 200, 20))
                            .border_color(egui::Color32::from_gray(170))
                            .border_width(1.0),
                    );
                }
                if reciprocal {
                    for (_, set, auto) in limits {
                        let q = match (set, auto) {
                            (Some(q), _) | (None, Some(q)) => q,
                            (None, None) => continue,
                        };
                        plot_ui.vline(
                            VLine::new("", q)
                                .color(egui::Color32::from_gray(150))
                                .style(egui_plot::LineStyle::dashed_dense())
                                .width(1.0),
                        );
                    }
                }
                let active = ws.active;
                if let (Some(s), Some(Some((label, pts)))) = (
                    ws.samples.get(active).filter(|s| s.visible),
                    samples.get(active).map(|c| c.reference.as_ref()),
                ) {
                    plot_ui.line(
                        Line::new(
                            format!("{} reference ({label})", s.series().sample),
                            PlotPoints::Borrowed(pts),
                        )
                        .color(faint(s.colour)),
                    );
                }
                for (i, s) in ws.shown() {
                    if let Some(c) = samples.get(i).and_then(|c| c.shown.as_ref()) {
                        plot_ui.line(
                            Line::new(c.label.as_str(), PlotPoints::Borrowed(&c.pattern))
                                .color(s.colour)
                                .style(sample_style(i))
                                .width(1.5),
                        );
                    }
                }
            });
        response.response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, format!("{quantity} plot"))
        });
        let what = ws
            .active_sample()
            .and_then(|s| {
                Some(pattern_caption(
                    s.series().patterns.get(ws.cursor)?,
                    s.series().axis,
                ))
            })
            .unwrap_or_default();
        let data = || plot_csv(x_name, &curves);
        let extras = || pattern_extras(reciprocal, &limits, (fa, fb));
        save_plot::context_menu_with(&response.response, quantity, &what, data, extras, actions);
        if !(move_mode && reciprocal) {
            return;
        }
        // Move mode: drag the FSDP window's edges.
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        let x_of = |q: f64| response.transform.position_from_point_x(q);
        if r.drag_started()
            && let Some(pos) = pointer
        {
            self.drag = grab(
                [(Handle::FsdpLow, x_of(fa)), (Handle::FsdpHigh, x_of(fb))],
                pos.x,
            );
        }
        if r.dragged()
            && let Some(pos) = pointer
        {
            let q = (response.transform.value_from_position(pos).x * 1000.0).round() / 1000.0;
            let window = match self.drag {
                Some(Handle::FsdpLow) if q < fb - 0.01 => Some((q, fb)),
                Some(Handle::FsdpHigh) if q > fa + 0.01 => Some((fa, q)),
                _ => None,
            };
            if let Some(w) = window {
                actions.push(Action::SetFsdpWindow(w));
            }
        }
        if r.drag_stopped() {
            self.drag = None;
        }
    }
}

/// A legend in small text, translucent, so a short plot on a laptop keeps its curves visible.
fn compact_legend() -> Legend {
    Legend::default()
        .text_style(egui::TextStyle::Small)
        .background_alpha(0.5)
}

/// What an exported S(Q) figure shows besides the curves, as the plot does: the FSDP window
/// and the transform's Q range (none for a real-space quantity).
fn pattern_extras(
    reciprocal: bool,
    limits: &[(&str, Option<f64>, Option<f64>)],
    fsdp: (f64, f64),
) -> save_plot::Extras {
    if !reciprocal {
        return save_plot::Extras::default();
    }
    save_plot::Extras {
        marks: limits
            .iter()
            .filter_map(|&(name, set, auto)| Some((name.to_owned(), set.or(auto)?)))
            .collect(),
        bands: vec![("FSDP window".to_owned(), fsdp.0, fsdp.1)],
        heat: None,
    }
}

/// The heat map's values for an exported figure: ΔS of every pattern on the reference's grid,
/// rows in acquisition order at their T (or index), on the colour scale shown.
fn heat_figure(
    series: &HeatingSeries,
    heat: &HeatMap,
    quantity: &str,
) -> Option<crate::report::figures::PanelHeat> {
    let reference = series.patterns.first()?;
    let axis = series.axis_values();
    let z: Vec<Vec<f64>> = series
        .patterns
        .iter()
        .map(|p| difference_from_reference(p, reference))
        .collect();
    let y: Vec<f64> = if heat.monotonic {
        axis
    } else {
        (0..series.len()).map(|i| i as f64).collect()
    };
    Some(crate::report::figures::PanelHeat {
        x: reference.x.clone(),
        y,
        z,
        scale: heat.scale,
        label: match heat.below {
            Some(t) => format!("Δ{quantity} (scale from T < {t:.0} K)"),
            None => format!("Δ{quantity}"),
        },
    })
}

/// The ΔS(Q, T) heat map with a line at the current T.
#[allow(clippy::too_many_arguments)]
fn heat_plot(
    ui: &mut egui::Ui,
    heat: &HeatMap,
    sample: &str,
    quantity: &str,
    x_label: &str,
    t: f64,
    cursor: usize,
    height: f32,
    link: egui::Id,
) -> egui::Response {
    let (q0, q1) = heat.q_range;
    let (t0, t1) = heat.t_range;
    let y_now = if heat.monotonic { t } else { cursor as f64 };
    ui.label(format!(
        "Δ{quantity}({x_label}, T) of {sample}{}",
        match heat.below {
            Some(t) => format!(": scale from the rows below T_x = {t:.0} K (rows above saturate)"),
            None => String::new(),
        }
    ));
    colour_bar(ui, heat.scale);
    let rows = heat.texture.size()[1] as f64;
    let half_row = if rows > 1.0 {
        0.5 * (t1 - t0) / (rows - 1.0)
    } else {
        0.5
    };
    // T tick labels as close as 20 px apart, so a short map on a laptop still has them.
    dense_y_axis(
        Plot::new("heat_map_plot"),
        if heat.monotonic { "T (K)" } else { "pattern" },
    )
    .id(super::PlotId::HeatMap.id())
    .height(height)
    .x_axis_label(x_label)
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
    })
    .response
}

/// The heat map's colour bar: −scale (blue) through 0 (white) to +scale (red), with its values.
fn colour_bar(ui: &mut egui::Ui, scale: f64) {
    let width = ui.available_width().min(360.0);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, 10.0), egui::Sense::hover());
    let steps = 64;
    let painter = ui.painter_at(rect);
    for k in 0..steps {
        let f = k as f32 / steps as f32;
        let v = (2.0 * (f as f64 + 0.5 / steps as f64) - 1.0) * scale;
        let x0 = rect.left() + f * rect.width();
        let r = egui::Rect::from_min_max(
            egui::pos2(x0, rect.top()),
            egui::pos2(x0 + rect.width() / steps as f32 + 0.5, rect.bottom()),
        );
        painter.rect_filled(r, 0.0, diverging(v, scale));
    }
    let text = format!("colour scale: −{scale:.3} (blue) … 0 (white) … +{scale:.3} (red)");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, text.clone()));
    ui.small(format!("−{scale:.3}   ·   0   ·   +{scale:.3}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 patterns from 300 K in 20 K steps: ΔS grows 0.01 per step up to 600 K, then jumps
    /// to 1.0 (crystallised).
    fn series() -> HeatingSeries {
        let q: Vec<f64> = (0..50).map(|i| 0.5 + 0.1 * i as f64).collect();
        let patterns = (0..20)
            .map(|k| {
                let t = 300.0 + 20.0 * k as f64;
                let d = if t < 600.0 { 0.01 * k as f64 } else { 1.0 };
                Pattern::for_test(q.clone(), q.iter().map(|_| 1.0 + d).collect(), Some(t))
            })
            .collect();
        HeatingSeries::new("test", None, patterns)
    }

    #[test]
    fn the_heat_map_scale_comes_from_the_rows_below_t_x() {
        let s = series();
        let all = heat_pixels(&s, None).expect("map");
        assert_eq!(
            all.scale, 1.0,
            "crystallised rows saturate the whole-series scale"
        );
        let below = heat_pixels(&s, Some(600.0)).expect("map");
        assert!((below.scale - 0.14).abs() < 1e-9, "{}", below.scale);
        assert_eq!(below.below, Some(600.0));
        // Nothing below the limit: the whole series sets the scale.
        assert_eq!(heat_pixels(&s, Some(100.0)).expect("map").scale, 1.0);
        // The sub-T_x change is no longer pale: a row at 560 K is at 0.13/0.14 of full red.
        let row_560 = 19 - 13;
        let pixel = below.image.pixels[row_560 * 50 + 10];
        assert!(pixel.g() < 60, "{pixel:?}");
    }
}
