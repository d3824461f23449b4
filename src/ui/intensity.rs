//! The I(Q) view of a raw sample, in place of the S(Q) column when chosen: the measured I(Q) at
//! the slider's pattern, the scaled background b·I_bkg and what remains (I − b·I_bkg); the
//! normalised intensity α(I − b·I_bkg)/P against the self scattering ⟨f²⟩ + C (electron units
//! per atom), whose oscillation about it is S(Q) − 1 times ⟨f⟩²; and the ρ0 and b each pattern
//! was reduced with, versus T, values at an end of their search range marked.
//!
//! The shown pattern is reduced again on its own with its b and ρ0 from the series' reduction
//! ([`reduce_pattern`]: no search, a few ms) once per pattern shown; points are built then and
//! borrowed every frame.

use std::sync::Arc;

use eframe::egui;
use egui_plot::{Legend, Line, LineStyle, MarkerShape, Plot, PlotPoint, PlotPoints, Points, VLine};

use super::controls::{hover_x, readout};
use super::reduction::{NO_COMPOSITION, RawState, ReducedRun};
use super::state::{Sample, Workspace};
use super::{Action, PlotId};
use crate::analysis::reduce::{
    RHO0_RANGE, ReducePlan, ReduceSettings, ScaleMode, background_on_grid, reduce_pattern,
};
use crate::model::{Pattern, TemperatureAxis};

/// Colour of the scaled background (grey: not the sample's).
const BACKGROUND: egui::Color32 = egui::Color32::from_gray(150);
/// Colour of what remains after the background (Okabe–Ito bluish green).
const SUBTRACTED: egui::Color32 = egui::Color32::from_rgb(0, 158, 115);
/// Colour of a value at an end of its search range.
const AT_BOUND: egui::Color32 = egui::Color32::from_rgb(213, 94, 0);

/// One pattern's curves.
struct PatternCurves {
    /// Raw sample id and the pattern index in the shown series.
    key: (u64, usize),
    run: Option<Arc<ReducedRun>>,
    caption: String,
    measured: Vec<PlotPoint>,
    background: Vec<PlotPoint>,
    subtracted: Vec<PlotPoint>,
    normalised: Vec<PlotPoint>,
    self_scattering: Vec<PlotPoint>,
    /// α, b, ρ0 of the shown reduction, or why there is none.
    values: String,
}

/// ρ0 and b versus T of one reduction.
struct VersusCurves {
    run: Arc<ReducedRun>,
    rho0: Vec<PlotPoint>,
    rho0_bound: Vec<PlotPoint>,
    scale: Vec<PlotPoint>,
    scale_bound: Vec<PlotPoint>,
}

/// The I(Q) view and its caches.
#[derive(Default)]
pub struct IntensityPanel {
    /// The view is chosen (else the S(Q) panels show).
    pub show: bool,
    pattern: Option<PatternCurves>,
    versus: Option<VersusCurves>,
}

fn points(x: &[f64], y: impl IntoIterator<Item = f64>) -> Vec<PlotPoint> {
    x.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, b)| PlotPoint::new(a, b))
        .collect()
}

/// The raw pattern the reduced pattern `current` was reduced from.
fn raw_pattern<'a>(raw: &'a RawState, current: &Pattern) -> Option<&'a Pattern> {
    raw.raw
        .patterns
        .iter()
        .find(|p| p.index == current.index && p.source == current.source)
}

impl PatternCurves {
    fn build(s: &Sample, raw: &RawState, index: usize) -> Option<Self> {
        let current = s.series().patterns.get(index)?;
        let run = raw.done.clone();
        let found = run
            .as_ref()
            .and_then(|r| r.summary.patterns.get(index).copied().flatten());
        // Unreduced, the sample shows the raw series itself.
        let p = match found {
            Some(_) => raw_pattern(raw, current)?,
            None => raw.raw.patterns.get(index)?,
        };
        let mut out = PatternCurves {
            key: (raw.id, index),
            run: run.clone(),
            caption: super::pattern::pattern_caption(current, s.series().axis),
            measured: points(&p.x, p.y.iter().copied()),
            background: Vec::new(),
            subtracted: Vec::new(),
            normalised: Vec::new(),
            self_scattering: Vec::new(),
            values: String::new(),
        };
        let (Some(run), Some(found)) = (run, found) else {
            out.values = if raw.run().is_some() {
                "this pattern could not be reduced (see Problems)".into()
            } else {
                NO_COMPOSITION.into()
            };
            return Some(out);
        };
        let settings = ReduceSettings {
            rho0: Some(found.rho0),
            scale: ScaleMode::Fixed(found.background_scale),
            ..run.settings.clone()
        };
        let reduced = ReducePlan::new(&p.x, &settings).and_then(|plan| {
            let bkg = match &run.background {
                Some(b) => Some(background_on_grid(&b.q, &b.intensity, &p.x)?),
                None => None,
            };
            reduce_pattern(&plan, &settings, &p.y, None, bkg.as_deref())
        });
        match reduced {
            Ok(r) => {
                let red = &r.reduction;
                let q = &red.q;
                out.measured = points(q, red.intensity.iter().copied());
                if run.background.is_some() {
                    out.background = points(q, red.scaled_background.iter().copied());
                    out.subtracted = points(q, red.subtracted.iter().copied());
                }
                out.normalised = points(q, red.corrected.iter().map(|v| red.alpha * v));
                let f = &red.factors;
                out.self_scattering =
                    points(q, (0..q.len()).map(|k| f.mean_square[k] + f.compton[k]));
                out.values = format!(
                    "b = {:.4}{}, ρ0 = {:.5} atoms/Å³ ({}), α = {:.4e} e.u./count",
                    found.background_scale,
                    if found.scale_at_bound {
                        " (at a search bound)"
                    } else {
                        ""
                    },
                    found.rho0,
                    if found.rho0_refined {
                        "refined"
                    } else {
                        "given"
                    },
                    red.alpha
                );
            }
            Err(e) => out.values = format!("cannot reduce this pattern: {e}"),
        }
        Some(out)
    }
}

impl VersusCurves {
    fn build(s: &Sample, run: &Arc<ReducedRun>) -> Self {
        let t = s.axis();
        let at_bound = |rho0: f64| {
            let (lo, hi) = RHO0_RANGE;
            rho0 <= lo * (1.0 + 1e-3) || rho0 >= hi * (1.0 - 1e-3)
        };
        let mut out = VersusCurves {
            run: Arc::clone(run),
            rho0: Vec::new(),
            rho0_bound: Vec::new(),
            scale: Vec::new(),
            scale_bound: Vec::new(),
        };
        for (k, pr) in run.summary.patterns.iter().enumerate() {
            let (Some(pr), Some(&t)) = (pr, t.get(k)) else {
                continue;
            };
            if !t.is_finite() {
                continue;
            }
            out.rho0.push(PlotPoint::new(t, pr.rho0));
            if pr.rho0_refined && at_bound(pr.rho0) {
                out.rho0_bound.push(PlotPoint::new(t, pr.rho0));
            }
            out.scale.push(PlotPoint::new(t, pr.background_scale));
            if pr.scale_at_bound {
                out.scale_bound.push(PlotPoint::new(t, pr.background_scale));
            }
        }
        out
    }
}

/// The values' range with a margin, never narrower than 2 % of their size (equal values, a
/// fixed b or a given ρ0, would otherwise get an arbitrary span around them).
fn padded_range(values: &[PlotPoint]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .map(|p| p.y)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = (0.1 * (hi - lo))
        .max(0.01 * lo.abs().max(hi.abs()))
        .max(1e-6);
    (lo - pad, hi + pad)
}

/// A plot with its accessible name (tests find it by that).
fn named(response: &egui::Response, name: &str) {
    let name = name.to_string();
    response.widget_info(move || egui::WidgetInfo::labeled(egui::Role::Image, true, name.clone()));
}

impl IntensityPanel {
    /// The S(Q) / I(Q) switch above the column of a raw sample, and what it still needs.
    pub fn switch(&mut self, ui: &mut egui::Ui, raw: &RawState) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show, false, "S(Q) panels")
                .on_hover_text("The structure factor the reduction gave, its ΔS(Q) and heat map");
            ui.selectable_value(&mut self.show, true, "I(Q) and reduction")
                .on_hover_text(
                    "The measured intensity, the scaled background, the normalised intensity \
                     and ρ0 and b versus T",
                );
            if raw.running {
                ui.spinner();
                ui.label("reducing…");
            }
        });
        if !raw.is_reduced() {
            let text = raw.error().unwrap_or(NO_COMPOSITION);
            ui.colored_label(ui.visuals().warn_fg_color, text);
        }
    }

    /// Brings the caches up to the shown pattern and reduction.
    fn refresh(&mut self, s: &Sample, raw: &RawState, index: usize) {
        let stale = self.pattern.as_ref().is_none_or(|c| {
            c.key != (raw.id, index)
                || match (&c.run, &raw.done) {
                    (Some(a), Some(b)) => !Arc::ptr_eq(a, b),
                    (None, None) => false,
                    _ => true,
                }
        });
        if stale {
            self.pattern = PatternCurves::build(s, raw, index);
        }
        self.versus = match &raw.done {
            Some(run) => match self.versus.take() {
                Some(v) if Arc::ptr_eq(&v.run, run) => Some(v),
                _ => Some(VersusCurves::build(s, run)),
            },
            None => None,
        };
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, ws: &Workspace, actions: &mut Vec<Action>) {
        let Some((s, raw)) = ws.active_sample().and_then(|s| Some((s, s.reduction()?))) else {
            return;
        };
        self.refresh(s, raw, ws.cursor);
        let Some(c) = &self.pattern else {
            ui.label(format!("{} has no patterns.", s.series().sample));
            return;
        };
        ui.heading(format!("I(Q) at {}", c.caption));
        ui.label(&c.values);
        let height = ((ui.available_height() - 90.0) / 4.0).max(90.0);
        let mut curves: Vec<(&str, &[PlotPoint])> = vec![("I(Q)", &c.measured)];
        if !c.background.is_empty() {
            curves.push(("b·I_bkg", &c.background));
            curves.push(("I − b·I_bkg", &c.subtracted));
        }
        let response = Plot::new("iq_plot")
            .id(PlotId::Intensity.id())
            .height(height * 1.4)
            .legend(Legend::default().position(egui_plot::Corner::RightTop))
            .label_formatter(|pos| Some(readout("Q", hover_x(pos), &curves)))
            .x_axis_label("Q (1/Å)")
            .y_axis_label("I (counts)")
            .show(ui, |plot_ui| {
                plot_ui.line(
                    Line::new("I(Q) measured", PlotPoints::Borrowed(&c.measured))
                        .color(s.colour)
                        .width(1.5),
                );
                if !c.background.is_empty() {
                    plot_ui.line(
                        Line::new(
                            "b·I_bkg (scaled background)",
                            PlotPoints::Borrowed(&c.background),
                        )
                        .color(BACKGROUND)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                    );
                    plot_ui.line(
                        Line::new("I − b·I_bkg", PlotPoints::Borrowed(&c.subtracted))
                            .color(SUBTRACTED)
                            .width(1.5),
                    );
                }
            });
        named(&response.response, "I(Q) plot");
        if !c.normalised.is_empty() {
            let curves: Vec<(&str, &[PlotPoint])> = vec![
                ("α(I − b·I_bkg)/P", &c.normalised),
                ("<f²> + C", &c.self_scattering),
            ];
            let response = Plot::new("iq_normalised_plot")
                .id(PlotId::Normalised.id())
                .height(height)
                .legend(Legend::default().position(egui_plot::Corner::RightTop))
                .label_formatter(|pos| Some(readout("Q", hover_x(pos), &curves)))
                .x_axis_label("Q (1/Å)")
                .y_axis_label("e.u. per atom")
                .show(ui, |plot_ui| {
                    plot_ui.line(
                        Line::new("α(I − b·I_bkg)/P", PlotPoints::Borrowed(&c.normalised))
                            .color(s.colour)
                            .width(1.5),
                    );
                    plot_ui.line(
                        Line::new(
                            "<f²> + C (self + Compton)",
                            PlotPoints::Borrowed(&c.self_scattering),
                        )
                        .color(BACKGROUND)
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                    );
                });
            named(&response.response, "Normalised intensity plot");
        }
        self.versus_plots(ui, ws, s, height, actions);
    }

    /// ρ0 and b versus T, with the slider's T; a click moves the slider there.
    fn versus_plots(
        &self,
        ui: &mut egui::Ui,
        ws: &Workspace,
        s: &Sample,
        height: f32,
        actions: &mut Vec<Action>,
    ) {
        let Some(v) = &self.versus else {
            return;
        };
        let x_label = if s.series().axis == TemperatureAxis::Kelvin {
            "T (K)"
        } else {
            "pattern index"
        };
        let cursor = ws.current_axis_value();
        let link = egui::Id::unique("reduction_versus_t");
        let plots = [
            (
                PlotId::Rho0,
                "ρ0 (atoms/Å³)",
                &v.rho0,
                &v.rho0_bound,
                "ρ0 versus T plot",
            ),
            (
                PlotId::BackgroundScale,
                "background scale b",
                &v.scale,
                &v.scale_bound,
                "Background scale versus T plot",
            ),
        ];
        for (id, y_label, values, bound, name) in plots {
            let curves: Vec<(&str, &[PlotPoint])> = vec![(y_label, values)];
            let (lo, hi) = padded_range(values);
            let response = super::controls::dense_y_axis(Plot::new(name), y_label)
                .include_y(lo)
                .include_y(hi)
                .id(id.id())
                .height(height * 0.8)
                .y_axis_min_width(52.0)
                .x_axis_label(x_label)
                .link_axis(link, [true, false])
                .link_cursor(link, [true, false])
                .label_formatter(|pos| Some(readout(x_label, hover_x(pos), &curves)))
                .show(ui, |plot_ui| {
                    plot_ui.points(
                        Points::new(y_label, PlotPoints::Borrowed(values))
                            .color(s.colour)
                            .radius(2.0),
                    );
                    if !bound.is_empty() {
                        plot_ui.points(
                            Points::new("at a search bound", PlotPoints::Borrowed(bound))
                                .color(AT_BOUND)
                                .shape(MarkerShape::Cross)
                                .radius(5.0),
                        );
                    }
                    if let Some(t) = cursor {
                        plot_ui.vline(VLine::new("", t).color(egui::Color32::GRAY));
                    }
                });
            named(&response.response, name);
            if response.response.clicked()
                && let Some(pos) = response.response.interact_pointer_pos()
            {
                let t = response.transform.value_from_position(pos).x;
                actions.push(Action::SetCursor(s.nearest_index(t)));
            }
        }
        if !v.rho0_bound.is_empty() || !v.scale_bound.is_empty() {
            ui.colored_label(
                AT_BOUND,
                "× at an end of its search range: check the background and the composition",
            );
        }
    }
}
