//! The versus-T panels' data: each sample's points per metric, split at the detected T_x into
//! the glass (plot items, so the axes fit them) and the crystallised points (painted), its
//! splines, error bars and bound markers, built once per analysis revision.

use std::collections::HashMap;

use eframe::egui;
use egui_plot::{MarkerShape, PlotPoint};

use super::decimate::{self, PixelSize};
use super::realspace::MODE_COLOURS;
use super::state::Sample;
use super::versus::Panel;
use crate::analysis::fit::MODE_NAMES;
use crate::analysis::metric::Metric;
use crate::analysis::transitions::Transition;

/// Marker shapes telling samples apart where colour encodes the mode.
pub(super) const SHAPES: [MarkerShape; 5] = [
    MarkerShape::Circle,
    MarkerShape::Square,
    MarkerShape::Diamond,
    MarkerShape::Up,
    MarkerShape::Cross,
];

/// Most error bars drawn per sample and mode (the rest are thinned evenly).
const MAX_ERROR_BARS: usize = 200;

/// One metric of one sample as plot points.
#[derive(Default)]
pub(super) struct Curve {
    /// Every point (the hover readout and the exported data).
    pub(super) values: Vec<PlotPoint>,
    /// The points of the glass, T ≤ T_x (all without a T_x): plot items, so the axes fit them.
    pub(super) glass: Vec<PlotPoint>,
    /// The crystallised points, T > T_x: painted over the plot, so they never stretch its axes
    /// (they would flatten the glass's trends to a line); seen where they fall in range.
    pub(super) beyond: Vec<PlotPoint>,
    pub(super) smoothed: Vec<PlotPoint>,
    /// What is drawn of `glass` and `smoothed` at the panel's last scale (a long series
    /// thinned to a few points per pixel: [`super::decimate`]).
    drawn: Drawn,
}

/// The thinned markers and spline of a [`Curve`] and the pixel size they were made for.
#[derive(Default)]
struct Drawn {
    scale: Option<PixelSize>,
    markers: Option<Vec<PlotPoint>>,
    line: Option<Vec<PlotPoint>>,
}

impl Curve {
    /// Thins what is drawn for pixels of `scale` (None: the plot's scale is not known yet,
    /// everything is drawn), unless it already was for that scale.
    pub(super) fn thin_for(&mut self, scale: Option<PixelSize>) {
        if self.drawn.scale == scale && scale.is_some() {
            return;
        }
        self.drawn = Drawn {
            scale,
            markers: scale.and_then(|px| decimate::markers(&self.glass, px)),
            line: scale.and_then(|px| decimate::line(&self.smoothed, px)),
        };
    }

    /// The glass's markers to draw.
    pub(super) fn drawn_markers(&self) -> &[PlotPoint] {
        self.drawn.markers.as_deref().unwrap_or(&self.glass)
    }

    /// The spline's vertices to draw.
    pub(super) fn drawn_line(&self) -> &[PlotPoint] {
        self.drawn.line.as_deref().unwrap_or(&self.smoothed)
    }
}

/// A sample's versus-T points, for one revision of its analysis.
pub(super) struct SampleCurves {
    pub(super) revision: u64,
    pub(super) curves: HashMap<Metric, Curve>,
    /// Error bars of each mode's fraction, (T, f − σ)–(T, f + σ), statistical σ.
    pub(super) error_bars: [Vec<[PlotPoint; 2]>; 4],
    /// The same with statistical and systematic σ combined (drawn wider and paler behind),
    /// once the systematic stage has finished.
    pub(super) total_bars: [Vec<[PlotPoint; 2]>; 4],
    /// Fractions of the modes whose centre ended on its bound, (T, f).
    pub(super) at_bound: Vec<PlotPoint>,
}

fn point_list(t: &[f64], y: impl Iterator<Item = f64>) -> Vec<PlotPoint> {
    t.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, b)| PlotPoint::new(a, b))
        .collect()
}

impl SampleCurves {
    /// Points of every metric: the finished analysis, with fits of the analysis in flight
    /// (fractions and RMSE) shown as they complete.
    pub(super) fn build(s: &Sample) -> Option<Self> {
        let a = s.analysis()?;
        let t = s.axis();
        let fresh = |i: usize, metric: Metric| -> Option<f64> {
            let f = s.fresh.get(i)?.as_ref()?;
            match metric {
                Metric::FitRmse => Some(f.rmse),
                m => m.mode().map(|k| f.fractions[k]),
            }
        };
        // The axes follow the glass, up to the detected T_x (in the axis's units: K, or the
        // pattern index) — not a marked one, so that setting a mark never moves the axes.
        let t_x = a
            .transitions
            .detected(Transition::Crystallization)
            .map_or(f64::INFINITY, |e| e.kelvin);
        let glassy = |p: &PlotPoint| p.x <= t_x;
        let curves = Metric::ALL
            .iter()
            .filter_map(|&m| {
                let c = a.curve(m)?;
                let values = c
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| fresh(i, m).unwrap_or(v));
                let values = point_list(t, values);
                let (glass, beyond) = values.iter().partition(|p| glassy(p));
                Some((
                    m,
                    Curve {
                        values,
                        glass,
                        beyond,
                        smoothed: point_list(t, c.smoothed.iter().copied()),
                        drawn: Drawn::default(),
                    },
                ))
            })
            .collect();
        let n = a.patterns.len();
        let stride = n.div_ceil(MAX_ERROR_BARS).max(1);
        let error_bars = std::array::from_fn(|m| {
            a.patterns
                .iter()
                .enumerate()
                .step_by(stride)
                .filter_map(|(k, pa)| {
                    // A fit streamed in replaces the finished one, bar and point alike.
                    let fit = s.fresh.get(k).and_then(Option::as_ref).unwrap_or(&pa.fit);
                    let (t, f, e) = (
                        t.get(k).copied().unwrap_or(f64::NAN),
                        fit.fractions[m],
                        fit.fraction_errors[m],
                    );
                    (t.is_finite() && t <= t_x && f.is_finite() && e.is_finite() && e > 0.0)
                        .then(|| fraction_bar(t, f, e))
                })
                .collect()
        });
        let total_bars = std::array::from_fn(|m| {
            a.patterns
                .iter()
                .enumerate()
                .step_by(stride)
                // A fit streamed in has no systematic σ yet: only its statistical bar.
                .filter(|(k, _)| s.fresh.get(*k).and_then(Option::as_ref).is_none())
                .filter_map(|(k, pa)| {
                    let sys = pa.systematic.as_ref()?;
                    let (t, f) = (t.get(k).copied().unwrap_or(f64::NAN), pa.fit.fractions[m]);
                    let e = sys.total(pa.fit.fraction_errors[m], m);
                    (t.is_finite() && t <= t_x && f.is_finite() && e.is_finite() && e > 0.0)
                        .then(|| fraction_bar(t, f, e))
                })
                .collect()
        });
        // Fits streamed in were made with the parameters being analysed, which are the
        // sample's analysis parameters once it finishes; until then the finished ones apply.
        // Every pattern on a short series; evenly thinned to at most MAX_ERROR_BARS patterns on
        // a long one (thousands of stroked rings cost more than a frame).
        let at_bound = a
            .patterns
            .iter()
            .enumerate()
            .step_by(stride)
            .flat_map(|(k, pa)| {
                let fit = s.fresh.get(k).and_then(Option::as_ref).unwrap_or(&pa.fit);
                let held = fit.at_bounds(&a.params.fit).centres;
                let tk = t.get(k).copied().unwrap_or(f64::NAN);
                (0..4)
                    .filter(move |&m| held[m])
                    .map(move |m| (tk, fit.fractions[m]))
                    .collect::<Vec<_>>()
            })
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| PlotPoint::new(x, y))
            .collect();
        Some(SampleCurves {
            revision: s.revision,
            curves,
            error_bars,
            total_bars,
            at_bound,
        })
    }
}

/// What one sample draws on a panel: (metric, name, colour, marker) per curve.
pub(super) fn panel_series(
    panel: Panel,
    i: usize,
    s: &Sample,
) -> Vec<(Metric, String, egui::Color32, MarkerShape)> {
    let name = &s.series().sample;
    let shape = SHAPES[i % SHAPES.len()];
    match panel {
        Panel::Moment => vec![(Metric::FsdpFirstMoment, name.clone(), s.colour, shape)],
        Panel::Area => vec![(Metric::FsdpArea, name.clone(), s.colour, shape)],
        Panel::Rmse => vec![(Metric::FitRmse, name.clone(), s.colour, shape)],
        Panel::Lobes => vec![
            (
                Metric::R1Relative,
                format!("{name} r1"),
                s.colour,
                MarkerShape::Circle,
            ),
            (
                Metric::R6Relative,
                format!("{name} r6"),
                s.colour.gamma_multiply(0.6),
                MarkerShape::Square,
            ),
        ],
        Panel::Fractions => (0..4)
            .map(|m| {
                (
                    Metric::FRACTIONS[m],
                    format!("{name} {}", MODE_NAMES[m]),
                    MODE_COLOURS[m],
                    shape,
                )
            })
            .collect(),
    }
}

/// The error bar f ± e of a fraction at T, cut at 0 and 1: a fraction cannot leave [0, 1], and
/// the bar of one failed fit (σ of 0.5 in a crystallised pattern) must not stretch the panel's
/// axis for every other point.
fn fraction_bar(t: f64, f: f64, e: f64) -> [PlotPoint; 2] {
    [
        PlotPoint::new(t, (f - e).max(0.0)),
        PlotPoint::new(t, (f + e).min(1.0)),
    ]
}
