//! Real-space panels at the slider's temperature: G(r) or g(r) with the positive lobes shaded
//! and r1, r6 labelled, and the connection-mode fit of the second g(r) peak (data, the four
//! Gaussians, their sum, the baseline and the residual). Everything shown was computed by the
//! engine; curves are turned into plot points once per pattern and fit, then borrowed.

use eframe::egui;
use egui_plot::{
    FilledArea, HLine, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Span, Text, VLine,
};

use super::controls::{Handle, grab, hover_x, movable, readout};
use super::save_plot;
use super::state::{Settings, Workspace};
use super::{Action, PlotId};
use crate::analysis::fit::{AtBounds, MODE_NAMES, ModeFit};
use crate::analysis::series::{PatternAnalysis, RealSpace, rho0_with_source};

/// Colours of the four modes (distinct from each other and from the sample colours' order).
pub const MODE_COLOURS: [egui::Color32; 4] = [
    // Tol's vibrant blue, red, teal and magenta: colour-blind safe, and none is a sample's.
    egui::Color32::from_rgb(0, 119, 187),
    egui::Color32::from_rgb(204, 51, 17),
    egui::Color32::from_rgb(0, 153, 136),
    egui::Color32::from_rgb(238, 51, 119),
];

/// Text of a value held by its bound (and of a failed fit): egui's warning amber (the fit panel
/// shows no sample colour), and white rings on the versus-T fractions.
pub const AT_BOUND: egui::Color32 = egui::Color32::from_rgb(255, 143, 0);

/// Names shown for the modes: how many atoms neighbouring clusters share.
pub const MODE_LABELS: [&str; 4] = [
    "1-atom (vertex)",
    "2-atom (edge)",
    "3-atom (face)",
    "4-atom (intercross)",
];

/// One lobe ready to shade: r, the curve over it, the base line, and its label.
struct LobeArea {
    r: Vec<f64>,
    top: Vec<f64>,
    base: Vec<f64>,
    label: Option<(PlotPoint, String)>,
    strong: bool,
}

/// G(r) or g(r) of one pattern as plot points, with its lobes.
struct CurveCache {
    key: (u64, usize, usize, u64, bool),
    curve: Vec<PlotPoint>,
    lobes: Vec<LobeArea>,
}

/// What a drawn fit depends on: the workspace, the pattern, the window and the fitted
/// numbers, compared bit for bit (a failed fit's NaN must still equal itself).
type FitKey = (u64, usize, usize, [u64; 15]);

fn fit_key(ws: &Workspace, fit: &ModeFit, window: (f64, f64)) -> FitKey {
    let mut bits = [0u64; 15];
    let numbers = fit
        .amplitudes
        .iter()
        .chain(&fit.centres)
        .chain(&fit.widths)
        .chain([&fit.baseline, &window.0, &window.1]);
    for (b, v) in bits.iter_mut().zip(numbers) {
        *b = v.to_bits();
    }
    (ws.generation, ws.active, ws.cursor, bits)
}

/// A fit drawn: the data in the window, each Gaussian on the baseline, the sum, the residual.
struct FitCache {
    key: FitKey,
    fit: ModeFit,
    data: Vec<PlotPoint>,
    components: Vec<Vec<PlotPoint>>,
    sum: Vec<PlotPoint>,
    residual: Vec<PlotPoint>,
}

/// The real-space column and its caches.
#[derive(Default)]
pub struct RealSpacePanel {
    curve: Option<CurveCache>,
    fit: Option<FitCache>,
    drag: Option<Handle>,
    /// The shown pattern, for names of saved plots (`AC at 512.0 K — AC_0053.xy`).
    caption: String,
    /// Where G(r) and the fit were drawn last frame (the tour points at them).
    drawn: Option<[egui::Rect; 2]>,
}

fn lobes(rs: &RealSpace, pa: &PatternAnalysis, y: &[f64], base: f64) -> Vec<LobeArea> {
    pa.lobes
        .iter()
        .enumerate()
        .take(8)
        .map(|(k, lobe)| {
            let (r, top): (Vec<f64>, Vec<f64>) =
                rs.r.iter()
                    .zip(y)
                    .filter(|(r, _)| **r >= lobe.r_start && **r <= lobe.r_end)
                    .map(|(r, v)| (*r, *v))
                    .unzip();
            let strong = k == 0 || k == 5;
            let label = strong.then(|| {
                let mid = 0.5 * (lobe.r_start + lobe.r_end);
                let peak = top.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (
                    PlotPoint::new(mid, peak),
                    format!("r{} = {:.3}", k + 1, lobe.area),
                )
            });
            LobeArea {
                base: vec![base; r.len()],
                r,
                top,
                label,
                strong,
            }
        })
        .collect()
}

fn pairs(x: &[f64], y: &[f64]) -> Vec<PlotPoint> {
    x.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| PlotPoint::new(a, b))
        .collect()
}

impl FitCache {
    fn new(rs: &RealSpace, fit: &ModeFit, window: (f64, f64), key: FitKey) -> Self {
        let (lo, hi) = window;
        let (rw, gw): (Vec<f64>, Vec<f64>) =
            rs.r.iter()
                .zip(&rs.g)
                .filter(|(r, v)| crate::analysis::window::inside(**r, lo, hi) && v.is_finite())
                .map(|(r, v)| (*r, *v))
                .unzip();
        let drawable = fit.amplitudes.iter().all(|a| a.is_finite());
        let along = |f: &dyn Fn(f64) -> f64| -> Vec<PlotPoint> {
            if drawable {
                let y: Vec<f64> = rw.iter().map(|&r| f(r)).collect();
                pairs(&rw, &y)
            } else {
                Vec::new()
            }
        };
        let components = (0..4)
            .map(|i| along(&|r| fit.baseline + fit.component(i, r)))
            .collect();
        let sum = along(&|r| fit.model(r));
        let residual = if drawable {
            let y: Vec<f64> = rw
                .iter()
                .zip(&gw)
                .map(|(&r, &g)| g - fit.model(r))
                .collect();
            pairs(&rw, &y)
        } else {
            Vec::new()
        };
        FitCache {
            fit: fit.clone(),
            data: pairs(&rw, &gw),
            components,
            sum,
            residual,
            key,
        }
    }
}

impl RealSpacePanel {
    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        settings: &Settings,
        fit: Option<&ModeFit>,
        refitting: bool,
        busy: bool,
        actions: &mut Vec<Action>,
    ) {
        let show_pair_g = settings.show_pair_g;
        self.drawn = None;
        let top = ui.cursor().min.y;
        ui.horizontal(|ui| {
            ui.strong("Real space");
            let mut g = show_pair_g;
            ui.selectable_value(&mut g, false, "G(r)");
            ui.selectable_value(&mut g, true, "g(r)");
            if g != show_pair_g {
                actions.push(Action::SetShowPairG(g));
            }
        });
        let sample = ws.active_sample();
        let Some(pa) = sample
            .and_then(|s| s.analysis())
            .and_then(|a| a.patterns.get(ws.cursor))
        else {
            ui.label(if busy {
                "analysing…"
            } else {
                "no analysis for this sample"
            });
            return;
        };
        let Some(rs) = &pa.real_space else {
            ui.label(format!("No G(r): {}", pa.messages.join("; ")));
            return;
        };
        let revision = sample.map_or(0, |s| s.revision);
        self.caption = sample
            .and_then(|s| {
                let p = s.series().patterns.get(ws.cursor)?;
                let caption = super::pattern::pattern_caption(p, s.series().axis);
                Some(format!("{} at {caption}", s.series().sample))
            })
            .unwrap_or_default();
        ui.label(format!(
            "{} positive lobes; r1 = {:.3}, r6 = {:.3} (areas of G(r), 1/Å)",
            pa.lobes.len(),
            pa.r1(),
            pa.r6()
        ));
        if let Some(p) = sample.and_then(|s| s.series().patterns.get(ws.cursor)) {
            let params = sample
                .and_then(|s| s.analysis())
                .map_or(&settings.params, |a| &a.params);
            let (_, source) = rho0_with_source(p, params);
            ui.label(format!("ρ0 = {:.4} atoms/Å³ ({source})", rs.rho0))
                .on_hover_text(super::help::explanation("rho0 (1/Å³)").unwrap_or_default());
        }
        // G(r) takes a little less than half: the fit below needs room for its summary too.
        let height = ((ui.available_height() - 110.0) * 0.42).max(110.0);
        let key = (ws.generation, ws.active, ws.cursor, revision, show_pair_g);
        if self.curve.as_ref().is_none_or(|c| c.key != key) {
            let (y, base) = if show_pair_g {
                (&rs.g, 1.0)
            } else {
                (&rs.big_g, 0.0)
            };
            self.curve = Some(CurveCache {
                key,
                curve: pairs(&rs.r, y),
                lobes: lobes(rs, pa, y, base),
            });
        }
        if let Some(c) = &self.curve {
            curve_plot(ui, c, show_pair_g, height, &self.caption, actions);
        }
        // A fresh fit was made with the current parameters, the series' with its own.
        let (fit, opts) = match (fit, sample.and_then(|s| s.analysis())) {
            (Some(f), _) => (f, &settings.params.fit),
            (None, Some(a)) => (&pa.fit, &a.params.fit),
            (None, None) => (&pa.fit, &settings.params.fit),
        };
        let bounds = fit.at_bounds(opts);
        let middle = ui.cursor().min.y;
        // The systematic σ belongs to the series' own fit (a fresh preview has none yet).
        let systematic = if fit == &pa.fit {
            pa.systematic.as_ref().map(|s| &s.fractions)
        } else {
            None
        };
        fit_summary(
            ui,
            fit,
            systematic,
            &bounds,
            opts.free_widths,
            refitting,
            settings.move_mode,
        );
        let window = settings.params.fit.window;
        let key = fit_key(ws, fit, window);
        if self.fit.as_ref().is_none_or(|c| c.key != key) {
            self.fit = Some(FitCache::new(rs, fit, window, key));
        }
        let planted = sample.filter(|_| settings.show_planted).and_then(|s| {
            let t = s.series().patterns.get(ws.cursor)?.kelvin()?;
            s.planted()?.state_near(t)
        });
        self.fit_plot(ui, settings, height, planted.as_ref(), actions);
        let (left, right) = (ui.max_rect().min.x, ui.max_rect().max.x);
        let bottom = ui.min_rect().max.y;
        self.drawn = Some([
            egui::Rect::from_x_y_ranges(left..=right, top..=middle),
            egui::Rect::from_x_y_ranges(left..=right, middle..=bottom),
        ]);
    }

    /// Where G(r) (with its heading) and the fit (summary and plot) were drawn last frame.
    pub fn drawn(&self) -> Option<[egui::Rect; 2]> {
        self.drawn
    }

    /// The fit plot: seeds (dashed, ± tolerance shaded), data, components, sum, baseline,
    /// residual; in move mode the seed lines drag.
    fn fit_plot(
        &mut self,
        ui: &mut egui::Ui,
        settings: &Settings,
        height: f32,
        planted: Option<&crate::engine::whatif::PlantedModes>,
        actions: &mut Vec<Action>,
    ) {
        let Some(cache) = &self.fit else { return };
        let fit_params = &settings.params.fit;
        let move_mode = settings.move_mode;
        let fit = &cache.fit;
        let mut curves: Vec<(&str, &[PlotPoint])> = vec![("g(r) data", &cache.data[..])];
        if !cache.sum.is_empty() {
            curves.push(("sum", &cache.sum[..]));
            for (name, pts) in MODE_LABELS.iter().zip(&cache.components) {
                curves.push((name, &pts[..]));
            }
            curves.push(("residual", &cache.residual[..]));
        }
        let response = movable(Plot::new("fit_plot"), move_mode)
            .id(PlotId::Fit.id())
            .label_formatter(|pos| Some(readout("r", hover_x(pos), &curves)))
            // What is left of the column, so its axis label is never cut off (90 px at least).
            .height((ui.available_height() - 6.0).max(height.min(90.0)))
            .x_axis_label("r (Å)")
            .y_axis_label("g(r)")
            .show(ui, |plot_ui| {
                for (colour, &seed) in MODE_COLOURS.iter().zip(&fit_params.seeds) {
                    let tol = fit_params.tolerance;
                    plot_ui.span(
                        Span::new("", (seed - tol)..=(seed + tol))
                            .fill(colour.gamma_multiply(0.08))
                            .border_width(0.0),
                    );
                    plot_ui.vline(
                        VLine::new("", seed)
                            .color(*colour)
                            .style(LineStyle::dashed_loose())
                            .width(if move_mode { 2.0 } else { 1.0 }),
                    );
                }
                plot_ui.line(
                    Line::new("g(r) data", PlotPoints::Borrowed(&cache.data))
                        .color(egui::Color32::from_rgba_unmultiplied(190, 190, 190, 110))
                        .width(6.0),
                );
                if cache.sum.is_empty() {
                    return;
                }
                for (i, pts) in cache.components.iter().enumerate() {
                    plot_ui.line(
                        Line::new(MODE_LABELS[i], PlotPoints::Borrowed(pts))
                            .color(MODE_COLOURS[i])
                            .width(1.5),
                    );
                }
                plot_ui.line(
                    Line::new("sum", PlotPoints::Borrowed(&cache.sum))
                        .color(egui::Color32::WHITE)
                        .width(1.0),
                );
                plot_ui.hline(HLine::new("baseline", fit.baseline).color(egui::Color32::GRAY));
                plot_ui.line(
                    Line::new("residual", PlotPoints::Borrowed(&cache.residual))
                        .color(egui::Color32::from_rgb(240, 228, 66)),
                );
            });
        response.response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, "Connection-mode fit plot")
        });
        if let Some(modes) = planted {
            super::planted::paint_modes(ui, &response.transform, modes, fit_params.window);
        }
        let data = || save_plot::plot_csv("r", &curves);
        let what = self.caption.clone();
        // The figure shows the seeds ± tolerance shaded, as the plot does.
        let extras = || save_plot::Extras {
            bands: crate::analysis::fit::MODE_NAMES
                .iter()
                .zip(&fit_params.seeds)
                .map(|(name, &seed)| {
                    let tol = fit_params.tolerance;
                    ((*name).to_owned(), seed - tol, seed + tol)
                })
                .collect(),
            ..Default::default()
        };
        save_plot::context_menu_with(
            &response.response,
            "connection-mode fit",
            &what,
            data,
            extras,
            actions,
        );
        if !move_mode {
            return;
        }
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        let x_of = |v: f64| response.transform.position_from_point_x(v);
        if r.drag_started()
            && let Some(pos) = pointer
        {
            self.drag = grab(
                (0..4).map(|i| (Handle::Seed(i), x_of(fit_params.seeds[i]))),
                pos.x,
            );
        }
        if r.dragged()
            && let (Some(Handle::Seed(i)), Some(pos)) = (self.drag, pointer)
        {
            let (lo, hi) = fit_params.window;
            let x = response.transform.value_from_position(pos).x;
            // max/min rather than clamp: a window read from a bad session must not panic.
            let value = ((x * 1000.0).round() / 1000.0).max(lo).min(hi);
            actions.push(Action::SetSeed { mode: i, value });
        }
        if r.drag_stopped() {
            self.drag = None;
        }
    }
}

/// G(r) or g(r) with its lobes shaded and r1, r6 labelled.
fn curve_plot(
    ui: &mut egui::Ui,
    c: &CurveCache,
    show_pair_g: bool,
    height: f32,
    what: &str,
    actions: &mut Vec<Action>,
) {
    let label = if show_pair_g { "g(r)" } else { "G(r) (1/Å²)" };
    let curves: [(&str, &[PlotPoint]); 1] = [(label, &c.curve[..])];
    let response = Plot::new("real_space_plot")
        .id(PlotId::RealSpace.id())
        .height(height)
        .legend(
            Legend::default()
                .text_style(egui::TextStyle::Small)
                .background_alpha(0.5),
        )
        .label_formatter(|pos| Some(readout("r", hover_x(pos), &curves)))
        .x_axis_label("r (Å)")
        .y_axis_label(label)
        .show(ui, |plot_ui| {
            for (k, lobe) in c.lobes.iter().enumerate() {
                let name = if lobe.strong {
                    format!("lobe r{}", k + 1)
                } else {
                    "lobes".into()
                };
                plot_ui.add(
                    FilledArea::new(name, &lobe.r, &lobe.base, &lobe.top).fill_color(
                        egui::Color32::from_rgba_unmultiplied(
                            86,
                            180,
                            233,
                            if lobe.strong { 90 } else { 35 },
                        ),
                    ),
                );
                if let Some((at, text)) = &lobe.label {
                    plot_ui.text(Text::new("", *at, text.as_str()));
                }
            }
            plot_ui.line(
                Line::new(label, PlotPoints::Borrowed(&c.curve))
                    .color(egui::Color32::LIGHT_GRAY)
                    .width(1.5),
            );
        });
    let data = || save_plot::plot_csv("r", &curves);
    let title = if show_pair_g { "g(r)" } else { "G(r)" };
    response.response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, format!("{title} plot"))
    });
    // The exported figure shades the lobes named on screen (r1, r6) as bands.
    let extras = || save_plot::Extras {
        bands: c
            .lobes
            .iter()
            .enumerate()
            .filter(|(_, l)| l.strong)
            .filter_map(|(k, l)| Some((format!("r{}", k + 1), *l.r.first()?, *l.r.last()?)))
            .collect(),
        ..Default::default()
    };
    save_plot::context_menu_with(&response.response, title, what, data, extras, actions);
}

/// The fractions with errors, the RMSE, the centres and width, and the key to the lines.
fn fit_summary(
    ui: &mut egui::Ui,
    fit: &ModeFit,
    systematic: Option<&[f64; 4]>,
    bounds: &AtBounds,
    free_widths: bool,
    refitting: bool,
    move_mode: bool,
) {
    let held = bounds.count(free_widths);
    let compact = ui.ctx().content_rect().height() < 800.0;
    ui.horizontal_wrapped(|ui| {
        ui.strong("Connection modes");
        if refitting {
            ui.weak("(refitting the series…)");
        }
        if !fit.converged {
            ui.colored_label(
                AT_BOUND,
                fit.message.clone().unwrap_or_else(|| "fit failed".into()),
            );
            return;
        }
        if systematic.is_some() {
            ui.weak("(± stat ± sys)").on_hover_text(
                "Statistical σ (correlated G(r) residuals counted), then systematic σ: how far \
                 the fraction moves when a seed moves within its tolerance or the Q range \
                 changes (Qmax × 0.9, Qmin + 0.3 1/Å).",
            );
        }
        if held > 0 {
            ui.colored_label(AT_BOUND, format!("{held} at a bound"))
                .on_hover_text(
                    "A parameter on its bound (a centre at seed ± tolerance, an amplitude at 0, \
                     a width at a width bound) is held there, not measured: its error is not \
                     meaningful. Move the seed, widen the tolerance or check the fit window.",
                );
        }
        for i in 0..4 {
            let name = MODE_NAMES[i];
            let text = if bounds.amplitudes[i] {
                format!("{name}: 0 (at bound)")
            } else {
                match systematic.map(|s| s[i]).filter(|s| s.is_finite()) {
                    Some(sys) => format!(
                        "{name}: {:.3} ± {:.3} ± {sys:.3}",
                        fit.fractions[i], fit.fraction_errors[i]
                    ),
                    None => format!(
                        "{name}: {:.3} ± {:.3}",
                        fit.fractions[i], fit.fraction_errors[i]
                    ),
                }
            };
            // One piece each: a value never wraps in the middle; small on a short window, so
            // two fit on a line and the fit plot keeps its room.
            let mut rich = egui::RichText::new(text).color(MODE_COLOURS[i]);
            if compact {
                rich = rich.small();
            }
            ui.add(egui::Label::new(rich).extend());
        }
        ui.add(egui::Label::new(format!("RMSE {:.4}", fit.rmse)).extend());
    });
    // The fit plot's key: each mode's colour and name.
    ui.horizontal_wrapped(|ui| {
        for (colour, label) in MODE_COLOURS.iter().zip(MODE_LABELS) {
            ui.add(egui::Label::new(egui::RichText::new(label).color(*colour).small()).extend());
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Centres (Å):");
        for ((colour, centre), held) in MODE_COLOURS.iter().zip(&fit.centres).zip(&bounds.centres) {
            // One piece each: "(at bound)" never wraps away from its value.
            let (text, colour) = if *held {
                (format!("{centre:.3} (at bound)"), AT_BOUND)
            } else {
                (format!("{centre:.3}"), *colour)
            };
            ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).extend());
        }
        let width = format!("width {:.3} Å", fit.widths[0]);
        if bounds.widths[0] && !free_widths {
            ui.colored_label(AT_BOUND, format!("{width} (at bound)"));
        } else {
            ui.label(width);
        }
    });
    ui.horizontal_wrapped(|ui| {
        let hint = if move_mode {
            "Drag a dashed seed line to move it."
        } else {
            "Tick Move mode to drag the seeds."
        };
        ui.weak("grey band: data · white: sum · yellow: residual (data − sum, same scale) · dashed: seeds ± tolerance")
            .on_hover_text(format!("The baseline is the grey horizontal line. {hint}"));
    });
}
