//! Publication figures of analysed series, in the study's set (Figs. 3–6 and the ΔS(Q, T) heat
//! map), every sample of a run side by side, one column each:
//!
//! - `fig3_sq`: S(Q) at the selected temperatures, stacked (offset 1 per curve), coloured by T
//!   on a colour-blind-safe sequential scale (the colour bar beside it), the curve nearest T_g
//!   drawn dashed in black; below it ΔS(Q) = S(Q, T) − S(Q, first pattern) at the same T.
//! - `fig4_fsdp`: the FSDP first moment and area versus T: points, smoothing spline, T_r
//!   (dashed), T_g (solid) and T_x (dotted) marked.
//! - `fig5_gr`: G(r) at the selected temperatures, stacked (offset 2 Å⁻² per curve); the r1 and
//!   r6 lobe areas versus T on the study's relative axis (each curve over its mean, ±10 %).
//! - `fig6_modes`: the second-peak fit of the first pattern (data, the four connection modes
//!   named, sum, residual 0.3 below) and the four fractions versus T with ±1σ error bars.
//! - `heatmap_ds`: ΔS(Q, T) as an image, scale symmetric about 0 from the rows below T_x.
//!
//! Style: journal column widths (85 mm single, 175 mm double), 8 pt DejaVu Sans (shipped in
//! `assets/fonts`, so every machine draws the same), 0.75–1 pt lines, panel letters A, B, C… in
//! reading order, axis labels with units. Colours: samples in the GUI's hues, darker where the
//! GUI's are too light for white paper; the four modes in the GUI's Tol "vibrant" colours; the
//! temperature scale is viridis.
//!
//! Each figure is drawn once, as SVG, by plotters; PNG (300 dpi) is resvg's rendering of that
//! SVG and PDF is svg2pdf's conversion of it, so the formats cannot disagree. Beside each figure
//! goes the CSV of exactly what it plots (`panel,sample,series,x,y,error`).

// Panels are placed by index in a grid of cells (row × sample).
#![allow(clippy::needless_range_loop)]

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::analysis::difference_from_reference;
use crate::analysis::metric::Metric;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transform::sq_from_pattern;
use crate::analysis::transitions::Transition;
use crate::model::HeatingSeries;

/// The shipped font (DejaVu Sans; its licence is beside it).
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// An output format of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Pdf,
    Png,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Svg, Format::Pdf, Format::Png];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Pdf => "pdf",
            Format::Png => "png",
        }
    }

    /// `svg`, `pdf` or `png` (any case).
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(s.trim()))
    }
}

/// A journal column width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Width {
    /// One column, about 85 mm.
    Single,
    /// Two columns, about 175 mm.
    #[default]
    Double,
}

impl Width {
    pub fn millimetres(self) -> f64 {
        match self {
            Width::Single => 85.0,
            Width::Double => 175.0,
        }
    }
}

/// What to draw and how.
#[derive(Debug, Clone, Default)]
pub struct FigureOptions {
    pub width: Width,
    /// Temperatures of the stacked curves (K); None: [`default_temperatures`]. Each is drawn at
    /// its nearest pattern.
    pub temperatures: Option<Vec<f64>>,
}

/// One analysed sample.
#[derive(Clone, Copy)]
pub struct FigureSample<'a> {
    pub series: &'a HeatingSeries,
    pub analysis: &'a SeriesAnalysis,
}

/// A drawn figure: its file stem, the SVG and the CSV of what it plots.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: &'static str,
    pub svg: String,
    pub csv: String,
    /// Lines drawn as data (curves, splines, fitted modes), for checks.
    pub curves: usize,
}

/// Why a figure could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("no sample has an analysis to draw")]
    Nothing,
    #[error("drawing {figure}: {reason}")]
    Draw {
        figure: &'static str,
        reason: String,
    },
    #[error("rendering {figure} as {format}: {reason}")]
    Render {
        figure: &'static str,
        format: &'static str,
        reason: String,
    },
}

/// Points per millimetre at 96 dpi (SVG's px).
const PX_PER_MM: f64 = 96.0 / 25.4;
/// 8 pt in px.
const FONT_PX: f64 = 8.0 * 96.0 / 72.0;
/// How much larger than its size a figure is drawn (see [`figures`]).
const SUPERSAMPLE: f64 = 4.0;
/// [`SUPERSAMPLE`] as whole pixels, for legend keys.
const L: i32 = SUPERSAMPLE as i32;
/// PNG resolution.
pub const PNG_DPI: f64 = 300.0;

const MODE_NAMES: [&str; 4] = [
    "1-atom (vertex)",
    "2-atom (edge)",
    "3-atom (face)",
    "4-atom (intercross)",
];
/// The GUI's Tol vibrant mode colours.
const MODE_COLOURS: [RGBColor; 4] = [
    RGBColor(0, 119, 187),
    RGBColor(204, 51, 17),
    RGBColor(0, 153, 136),
    RGBColor(238, 51, 119),
];
/// The GUI's sample hues (Okabe–Ito), darkened where too light on white paper.
const SAMPLE_COLOURS: [RGBColor; 6] = [
    RGBColor(230, 159, 0),
    RGBColor(0, 114, 178),
    RGBColor(170, 150, 0),
    RGBColor(204, 121, 167),
    RGBColor(120, 120, 40),
    RGBColor(150, 130, 60),
];
const GREY: RGBColor = RGBColor(110, 110, 110);

fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| "the shipped font could not be read".to_owned())
    })
    .clone()
}

fn font(scale: f64) -> FontDesc<'static> {
    ("sans-serif", FONT_PX * scale).into_font()
}

/// Viridis, from its published anchor colours (t in 0..=1).
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + f * (q as f64 - p as f64)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Everything a figure's panels draw and write.
struct Ctx<'a> {
    samples: &'a [FigureSample<'a>],
    csv: String,
    curves: usize,
    scale: f64,
}

impl Ctx<'_> {
    fn record(&mut self, panel: &str, sample: &str, series: &str, x: f64, y: f64, err: f64) {
        let n = |v: f64| {
            if v.is_finite() {
                format!("{v}")
            } else {
                String::new()
            }
        };
        let quote = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_owned()
            }
        };
        let _ = writeln!(
            self.csv,
            "{},{},{},{},{},{}",
            quote(panel),
            quote(sample),
            quote(series),
            n(x),
            n(y),
            n(err)
        );
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn draw_err<E: std::fmt::Debug>(figure: &'static str) -> impl Fn(E) -> FigureError {
    move |e| FigureError::Draw {
        figure,
        reason: format!("{e:?}"),
    }
}

/// The pattern nearest each wanted temperature (each pattern once, in T order).
fn nearest_patterns(series: &HeatingSeries, wanted: &[f64]) -> Vec<usize> {
    let mut picked: Vec<usize> = wanted
        .iter()
        .filter_map(|&t| {
            series
                .patterns
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((i, (p.kelvin()? - t).abs())))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        })
        .collect();
    picked.sort_by(|&a, &b| {
        let t = |i: usize| series.patterns[i].kelvin().unwrap_or(f64::NAN);
        t(a).total_cmp(&t(b))
    });
    picked.dedup();
    picked
}

/// The default temperatures of a stack: the lowest T, every 50 K (100 or 200 K when that makes
/// more than six) from the first multiple at or above it, the highest T, and the marks in use.
pub fn default_temperatures(series: &HeatingSeries, analysis: &SeriesAnalysis) -> Vec<f64> {
    let Some((lo, hi)) = series.temperature_range() else {
        return Vec::new();
    };
    // At most about eight curves in a stack: 50, 100 or 200 K apart.
    let step = [50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .find(|s| (hi - lo) / s <= 6.0)
        .unwrap_or(1000.0);
    let mut ts: Vec<f64> = Vec::new();
    let mut t = (lo / step).ceil() * step;
    while t <= hi + 1e-9 && ts.len() < 40 {
        ts.push(t);
        t += step;
    }
    if ts.first().is_none_or(|&f| f - lo > 1.0) {
        ts.insert(0, lo);
    }
    if ts.last().is_none_or(|&l| hi - l > 0.25 * step) {
        ts.push(hi);
    }
    for tr in Transition::ALL {
        if let Some(e) = analysis.transitions.used(tr) {
            ts.push(e.kelvin);
        }
    }
    ts
}

fn t_of(series: &HeatingSeries, i: usize) -> f64 {
    series
        .patterns
        .get(i)
        .and_then(|p| p.kelvin())
        .unwrap_or(f64::NAN)
}

/// The least and greatest finite values.
fn exact_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    (lo <= hi).then_some((lo, hi))
}

/// The finite values' range with 5 % to spare on each side.
fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    (lo <= hi).then(|| {
        let pad = ((hi - lo) * 0.05).max(1e-9);
        (lo - pad, hi + pad)
    })
}

/// One panel's chart with its letter, title and axis labels.
fn chart<'a, 'b>(
    area: &'a Area<'b>,
    ctx: &mut Ctx<'_>,
    cell: usize,
    title: &str,
    x: (f64, f64),
    y: (f64, f64),
    labels: (&str, &str),
) -> Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    FigureError,
> {
    let s = ctx.scale;
    // Letters in reading order: row by row, whatever order the panels are drawn in.
    let letter = (b'A' + (cell % 26) as u8) as char;
    let mut c = ChartBuilder::on(area)
        .margin((4.0 * s) as i32)
        .caption(format!("{letter}   {title}"), font(s))
        .x_label_area_size((2.6 * FONT_PX * s) as i32)
        .y_label_area_size((4.2 * FONT_PX * s) as i32)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(draw_err("a panel"))?;
    c.configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style(font(0.9 * s))
        .axis_desc_style(font(s))
        .x_desc(labels.0)
        .y_desc(labels.1)
        .x_label_formatter(&|v| trim_tick(*v))
        .y_label_formatter(&|v| trim_tick(*v))
        .draw()
        .map_err(draw_err("a panel"))?;
    Ok(c)
}

/// A tick value without trailing zeros (0.5, 2, 0.05).
fn trim_tick(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn line_style(colour: RGBColor, scale: f64, width_pt: f64) -> ShapeStyle {
    colour.stroke_width((width_pt * 96.0 / 72.0 * scale).round().max(1.0) as u32)
}

/// Vertical lines at the marks in use, labelled, in neutral tones (dashed T_r, solid T_g,
/// dotted T_x, as in the GUI).
fn draw_marks<DB: DrawingBackend>(
    c: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    analysis: &SeriesAnalysis,
    y: (f64, f64),
    scale: f64,
) -> Result<(), FigureError> {
    for tr in Transition::ALL {
        let Some(e) = analysis.transitions.used(tr) else {
            continue;
        };
        let t = e.kelvin;
        let style = line_style(GREY, scale, 0.75);
        let pts = vec![(t, y.0), (t, y.1)];
        match tr {
            Transition::Relaxation => c
                .draw_series(DashedLineSeries::new(pts, 4.0 * scale, 3.0 * scale, style))
                .map(|_| ()),
            Transition::Glass => c.draw_series(LineSeries::new(pts, style)).map(|_| ()),
            Transition::Crystallization => c
                .draw_series(DashedLineSeries::new(pts, 1.0 * scale, 2.0 * scale, style))
                .map(|_| ()),
        }
        .map_err(draw_err("a mark"))?;
        c.draw_series(std::iter::once(Text::new(
            tr.name().to_owned(),
            (t, y.1 - 0.02 * (y.1 - y.0)),
            font(0.85 * scale).color(&GREY),
        )))
        .map_err(draw_err("a mark"))?;
    }
    Ok(())
}

/// Fig. 3: stacked S(Q) at the selected temperatures and ΔS(Q) per sample.
fn fig3(ctx: &mut Ctx<'_>, root: &Area<'_>, picks: &[Vec<usize>]) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let rows = root.split_evenly((2, n));
    let samples = ctx.samples;
    for (k, s) in samples.iter().enumerate() {
        let series = s.series;
        let pick = &picks[k];
        let (t_lo, t_hi) = exact_range(pick.iter().map(|&i| t_of(series, i))).unwrap_or((0.0, 1.0));
        let colour_of = |t: f64| viridis((t - t_lo) / (t_hi - t_lo).max(1e-9));
        let t_g = s
            .analysis
            .transitions
            .used(Transition::Glass)
            .map(|e| e.kelvin);
        let near_tg = t_g.and_then(|tg| nearest_patterns(series, &[tg]).first().copied());
        let sq: Vec<(usize, Vec<f64>)> = pick
            .iter()
            .filter_map(|&i| Some((i, sq_from_pattern(series.patterns.get(i)?).ok()?)))
            .collect();
        let x = finite_range(
            sq.iter()
                .flat_map(|(i, _)| series.patterns[*i].x.iter().copied()),
        )
        .unwrap_or((0.0, 1.0));
        // The stack's top from the curves below T_x: crystallised peaks run off the top.
        let t_x = s
            .analysis
            .transitions
            .used(Transition::Crystallization)
            .map(|e| e.kelvin);
        let glassy = |i: usize| t_x.is_none_or(|tx| t_of(series, i) < tx);
        let top = finite_range(
            sq.iter()
                .filter(|(i, _)| glassy(*i))
                .flat_map(|(_, y)| y.iter().copied()),
        )
        .map_or(3.0, |r| r.1);
        let y_hi = sq.len().saturating_sub(1) as f64 + top;
        let name = series.sample.clone();
        // The stack with its colour bar in a strip at the right.
        let (main, bar) =
            rows[k].split_horizontally((rows[k].dim_in_pixel().0 as f64 * 0.86) as u32);
        let mut c = chart(
            &main,
            ctx,
            k,
            &format!("{name}: S(Q)"),
            x,
            (-0.3, y_hi),
            ("Q (Å⁻¹)", "S(Q) + offset"),
        )?;
        for (j, (i, y)) in sq.iter().enumerate() {
            let p = &series.patterns[*i];
            let t = t_of(series, *i);
            let off = j as f64;
            let pts: Vec<(f64, f64)> =
                p.x.iter()
                    .zip(y)
                    .filter(|(_, v)| v.is_finite())
                    .map(|(&q, &v)| (q, v + off))
                    .collect();
            let label = format!("S(Q) at {t:.0} K + {off}");
            for &(q, v) in &pts {
                ctx.record("fig3 S(Q)", &name, &label, q, v, f64::NAN);
            }
            if Some(*i) == near_tg {
                c.draw_series(DashedLineSeries::new(
                    pts,
                    3.0 * ctx.scale,
                    2.0 * ctx.scale,
                    line_style(BLACK, ctx.scale, 0.9),
                ))
                .map_err(draw_err("fig3"))?;
            } else {
                c.draw_series(LineSeries::new(
                    pts,
                    line_style(colour_of(t), ctx.scale, 0.75),
                ))
                .map_err(draw_err("fig3"))?;
            }
            ctx.curves += 1;
            let tag = if Some(*i) == near_tg {
                format!("{t:.0} K (T_g)")
            } else {
                format!("{t:.0} K")
            };
            c.draw_series(std::iter::once(Text::new(
                tag,
                (x.1 - 0.3 * (x.1 - x.0), off + 1.1),
                font(0.75 * ctx.scale),
            )))
            .map_err(draw_err("fig3"))?;
        }
        colour_bar_t(&bar, (t_lo, t_hi), ctx.scale)?;
        // ΔS(Q) at the same temperatures below T_x (crystal peaks would dwarf the glass' change).
        let reference = series.patterns.first();
        let ds: Vec<(usize, Vec<f64>)> = match reference {
            Some(r) => pick
                .iter()
                .filter(|&&i| glassy(i))
                .filter_map(|&i| Some((i, difference_from_reference(series.patterns.get(i)?, r))))
                .collect(),
            None => Vec::new(),
        };
        let yr =
            finite_range(ds.iter().flat_map(|(_, d)| d.iter().copied())).unwrap_or((-0.1, 0.1));
        let mut c = chart(
            &rows[n + k],
            ctx,
            n + k,
            &format!(
                "{name}: ΔS(Q){}",
                if t_x.is_some() { " below T_x" } else { "" }
            ),
            x,
            yr,
            ("Q (Å⁻¹)", "ΔS(Q)"),
        )?;
        for (i, d) in &ds {
            let p = &series.patterns[*i];
            let t = t_of(series, *i);
            let pts: Vec<(f64, f64)> =
                p.x.iter()
                    .zip(d)
                    .filter(|(_, v)| v.is_finite())
                    .map(|(&q, &v)| (q, v))
                    .collect();
            let label = format!("ΔS(Q) at {t:.0} K");
            for &(q, v) in &pts {
                ctx.record("fig3 ΔS(Q)", &name, &label, q, v, f64::NAN);
            }
            c.draw_series(LineSeries::new(
                pts,
                line_style(colour_of(t), ctx.scale, 0.6),
            ))
            .map_err(draw_err("fig3"))?;
            ctx.curves += 1;
        }
    }
    Ok(())
}

/// A vertical colour bar of the temperature scale, labelled at its ends and middle.
fn colour_bar_t(area: &Area<'_>, (lo, hi): (f64, f64), scale: f64) -> Result<(), FigureError> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = (22.0 * scale) as i32;
    let bottom = h - (34.0 * scale) as i32;
    let bar_w = ((5.0 * scale) as i32).min(w / 3);
    let x0 = (2.0 * scale) as i32;
    let steps = 48;
    for k in 0..steps {
        let ya = bottom - (bottom - top) * k / steps;
        let yb = bottom - (bottom - top) * (k + 1) / steps;
        area.draw(&Rectangle::new(
            [(x0, yb), (x0 + bar_w, ya)],
            viridis((k as f64 + 0.5) / steps as f64).filled(),
        ))
        .map_err(draw_err("a colour bar"))?;
    }
    for (f, t) in [(0.0, lo), (0.5, 0.5 * (lo + hi)), (1.0, hi)] {
        let y = bottom - ((bottom - top) as f64 * f) as i32;
        area.draw(&Text::new(
            format!("{t:.0} K"),
            (x0 + bar_w + (2.0 * scale) as i32, y - (4.0 * scale) as i32),
            font(0.75 * scale),
        ))
        .map_err(draw_err("a colour bar"))?;
    }
    Ok(())
}

/// Points and the smoothing spline of one metric versus T, with the marks.
fn versus_panel(
    ctx: &mut Ctx<'_>,
    area: &Area<'_>,
    (k, cell): (usize, usize),
    metric: Metric,
    title: &str,
    y_label: &str,
    relative: bool,
) -> Result<(), FigureError> {
    let s = ctx.samples[k];
    let series = s.series;
    let name = series.sample.clone();
    let colour = SAMPLE_COLOURS[k % SAMPLE_COLOURS.len()];
    let Some(curve) = s.analysis.curve(metric) else {
        return Ok(());
    };
    // The study's relative axis: the value over its mean (r1, r6 are stored as v/mean − 1).
    let shift = if relative { 1.0 } else { 0.0 };
    let pts: Vec<(f64, f64)> = curve
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| (t_of(series, i), v + shift))
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .collect();
    let spline: Vec<(f64, f64)> = curve
        .smoothed
        .iter()
        .enumerate()
        .map(|(i, v)| (t_of(series, i), v + shift))
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .collect();
    let x = finite_range(pts.iter().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let y = if relative {
        // The study's mean ± 10 %, wider (in steps of 5 %) when a value lies beyond it.
        let dev = pts
            .iter()
            .map(|p| (p.1 - 1.0).abs())
            .fold(0.1_f64, f64::max);
        let half = ((dev / 0.05) - 1e-9).ceil() * 0.05;
        (1.0 - half, 1.0 + half)
    } else {
        finite_range(pts.iter().map(|p| p.1)).unwrap_or((0.0, 1.0))
    };
    let mut c = chart(
        area,
        ctx,
        cell,
        &format!("{name}: {title}"),
        x,
        y,
        ("T (K)", y_label),
    )?;
    let inside = |(t, v): &(f64, f64)| *v >= y.0 && *v <= y.1 && *t >= x.0;
    for &(t, v) in &pts {
        ctx.record(title, &name, metric.key(), t, v, f64::NAN);
    }
    for &(t, v) in &spline {
        ctx.record(
            title,
            &name,
            &format!("{}_smoothed", metric.key()),
            t,
            v,
            f64::NAN,
        );
    }
    c.draw_series(
        pts.iter()
            .filter(|p| inside(p))
            .map(|&p| Circle::new(p, 1.3 * ctx.scale, colour.mix(0.8).filled())),
    )
    .map_err(draw_err("a versus-T panel"))?;
    // plotters pins points outside the axes to the edge: draw the spline in the runs that
    // stay inside.
    for run in spline.split(|p| !inside(p)).filter(|r| r.len() > 1) {
        c.draw_series(LineSeries::new(
            run.iter().copied(),
            line_style(BLACK, ctx.scale, 0.9),
        ))
        .map_err(draw_err("a versus-T panel"))?;
    }
    ctx.curves += 1;
    draw_marks(&mut c, s.analysis, y, ctx.scale)
}

/// Fig. 4: FSDP first moment and area versus T.
fn fig4(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let cells = root.split_evenly((2, n));
    for k in 0..n {
        versus_panel(
            ctx,
            &cells[k],
            (k, k),
            Metric::FsdpFirstMoment,
            "FSDP first moment",
            "Q̄₁ (Å⁻¹)",
            false,
        )?;
    }
    for k in 0..n {
        versus_panel(
            ctx,
            &cells[n + k],
            (k, n + k),
            Metric::FsdpArea,
            "FSDP area",
            "A₁ (Å⁻¹)",
            false,
        )?;
    }
    Ok(())
}

/// Fig. 5: stacked G(r), and r1 and r6 on the relative axis.
fn fig5(ctx: &mut Ctx<'_>, root: &Area<'_>, picks: &[Vec<usize>]) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let cells = root.split_evenly((3, n));
    let samples = ctx.samples;
    for (k, s) in samples.iter().enumerate() {
        let series = s.series;
        let name = series.sample.clone();
        let pick = &picks[k];
        let (t_lo, t_hi) = exact_range(pick.iter().map(|&i| t_of(series, i))).unwrap_or((0.0, 1.0));
        let curves: Vec<(usize, Arc<Vec<f64>>, Vec<f64>)> = pick
            .iter()
            .filter_map(|&i| {
                let rs = s.analysis.patterns.get(i)?.real_space.as_ref()?;
                Some((i, rs.r.clone(), rs.big_g.clone()))
            })
            .collect();
        let x =
            finite_range(curves.iter().flat_map(|c| c.1.iter().copied())).unwrap_or((0.0, 20.0));
        let g =
            finite_range(curves.iter().flat_map(|c| c.2.iter().copied())).unwrap_or((-2.0, 2.0));
        let y = (g.0, g.1 + 2.0 * curves.len().saturating_sub(1) as f64);
        let mut c = chart(
            &cells[k],
            ctx,
            k,
            &format!("{name}: G(r)"),
            (0.0, x.1),
            y,
            ("r (Å)", "G(r) + offset (Å⁻²)"),
        )?;
        for (j, (i, r, bg)) in curves.iter().enumerate() {
            let t = t_of(series, *i);
            let off = 2.0 * j as f64;
            let pts: Vec<(f64, f64)> = r
                .iter()
                .zip(bg.iter())
                .filter(|(_, v)| v.is_finite())
                .map(|(&r, &v)| (r, v + off))
                .collect();
            let label = format!("G(r) at {t:.0} K + {off}");
            for &(r, v) in &pts {
                ctx.record("fig5 G(r)", &name, &label, r, v, f64::NAN);
            }
            let colour = viridis((t - t_lo) / (t_hi - t_lo).max(1e-9));
            c.draw_series(LineSeries::new(pts, line_style(colour, ctx.scale, 0.75)))
                .map_err(draw_err("fig5"))?;
            ctx.curves += 1;
            c.draw_series(std::iter::once(Text::new(
                format!("{t:.0} K"),
                (0.78 * x.1, off + 0.6),
                font(0.75 * ctx.scale),
            )))
            .map_err(draw_err("fig5"))?;
        }
    }
    for k in 0..n {
        versus_panel(
            ctx,
            &cells[n + k],
            (k, n + k),
            Metric::R1Relative,
            "r1 lobe area",
            "r1 / mean",
            true,
        )?;
    }
    for k in 0..n {
        versus_panel(
            ctx,
            &cells[2 * n + k],
            (k, 2 * n + k),
            Metric::R6Relative,
            "r6 lobe area",
            "r6 / mean",
            true,
        )?;
    }
    Ok(())
}

/// Fig. 6: the fit of the first pattern and the fractions versus T.
fn fig6(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let cells = root.split_evenly((2, n));
    let samples = ctx.samples;
    for (k, s) in samples.iter().enumerate() {
        let series = s.series;
        let name = series.sample.clone();
        let window = s.analysis.params.fit.window;
        let Some(pa) = s.analysis.patterns.first() else {
            continue;
        };
        let t0 = t_of(series, 0);
        let data: Vec<(f64, f64)> = pa
            .real_space
            .as_ref()
            .map(|rs| {
                rs.r.iter()
                    .zip(&rs.g)
                    .filter(|(r, g)| **r >= window.0 && **r <= window.1 && g.is_finite())
                    .map(|(&r, &g)| (r, g))
                    .collect()
            })
            .unwrap_or_default();
        let fit = &pa.fit;
        let residual: Vec<(f64, f64)> = data
            .iter()
            .map(|&(r, g)| (r, g - fit.model(r) - 0.3))
            .collect();
        let y = finite_range(
            data.iter()
                .map(|p| p.1)
                .chain(residual.iter().map(|p| p.1))
                .chain([0.0]),
        )
        .unwrap_or((-0.5, 2.0));
        // Headroom for the key (drawn in the first sample's panel).
        let y = (y.0, y.1 + if k == 0 { 0.55 * (y.1 - y.0) } else { 0.0 });
        let title = format!("{name}: fit at {t0:.0} K");
        let mut c = chart(&cells[k], ctx, k, &title, window, y, ("r (Å)", "g(r)"))?;
        for &(r, g) in &data {
            ctx.record("fig6 fit", &name, "g(r) data", r, g, f64::NAN);
        }
        // Data as open grey circles, thinned to about 60 along the window.
        let every = (data.len() / 60).max(1);
        c.draw_series(
            data.iter()
                .step_by(every)
                .map(|&p| Circle::new(p, 1.4 * ctx.scale, GREY.stroke_width(ctx.scale as u32))),
        )
        .map_err(draw_err("fig6"))?;
        let rs: Vec<f64> = data.iter().map(|p| p.0).collect();
        for m in 0..4 {
            let pts: Vec<(f64, f64)> = rs
                .iter()
                .map(|&r| (r, fit.component(m, r) + fit.baseline.max(0.0) * 0.0))
                .collect();
            for &(r, v) in &pts {
                ctx.record("fig6 fit", &name, MODE_NAMES[m], r, v, f64::NAN);
            }
            c.draw_series(LineSeries::new(
                pts,
                line_style(MODE_COLOURS[m], ctx.scale, 0.9),
            ))
            .map_err(draw_err("fig6"))?
            .label(MODE_NAMES[m])
            .legend(move |(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 12 * L, y)],
                    MODE_COLOURS[m].stroke_width(2 * L as u32),
                )
            });
            ctx.curves += 1;
        }
        let sum: Vec<(f64, f64)> = rs.iter().map(|&r| (r, fit.model(r))).collect();
        for &(r, v) in &sum {
            ctx.record("fig6 fit", &name, "sum", r, v, f64::NAN);
        }
        c.draw_series(LineSeries::new(sum, line_style(BLACK, ctx.scale, 1.0)))
            .map_err(draw_err("fig6"))?
            .label("sum")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 12 * L, y)],
                    BLACK.stroke_width(2 * L as u32),
                )
            });
        ctx.curves += 1;
        for &(r, v) in &residual {
            ctx.record("fig6 fit", &name, "residual − 0.3", r, v, f64::NAN);
        }
        c.draw_series(LineSeries::new(residual, line_style(GREY, ctx.scale, 0.75)))
            .map_err(draw_err("fig6"))?
            .label("residual − 0.3")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 12 * L, y)],
                    GREY.stroke_width(2 * L as u32),
                )
            });
        ctx.curves += 1;
        if k == 0 {
            c.configure_series_labels()
                .label_font(font(0.7 * ctx.scale))
                .legend_area_size(18 * L)
                .background_style(WHITE.mix(0.8))
                .border_style(GREY.mix(0.5))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(draw_err("fig6"))?;
        }
        // The fractions versus T with ±1σ bars.
        let x =
            finite_range(series.patterns.iter().filter_map(|p| p.kelvin())).unwrap_or((0.0, 1.0));
        let mut c = chart(
            &cells[n + k],
            ctx,
            n + k,
            &format!("{name}: connection modes"),
            x,
            (0.0, 1.0),
            ("T (K)", "fraction"),
        )?;
        for m in 0..4 {
            let pts: Vec<(f64, f64, f64)> = s
                .analysis
                .patterns
                .iter()
                .map(|pa| {
                    (
                        t_of(series, pa.index.min(series.len().saturating_sub(1))),
                        pa.fit.fractions[m],
                        pa.fit.fraction_errors[m],
                    )
                })
                .filter(|(t, f, _)| t.is_finite() && f.is_finite())
                .collect();
            for &(t, f, e) in &pts {
                ctx.record("fig6 fractions", &name, MODE_NAMES[m], t, f, e);
            }
            let colour = MODE_COLOURS[m];
            c.draw_series(pts.iter().filter(|p| p.2.is_finite()).map(|&(t, f, e)| {
                ErrorBar::new_vertical(
                    t,
                    (f - e).max(0.0),
                    f,
                    (f + e).min(1.0),
                    colour.mix(0.5).stroke_width(ctx.scale as u32),
                    (2.0 * ctx.scale) as u32,
                )
            }))
            .map_err(draw_err("fig6"))?;
            c.draw_series(
                pts.iter()
                    .map(|&(t, f, _)| Circle::new((t, f), 1.2 * ctx.scale, colour.filled())),
            )
            .map_err(draw_err("fig6"))?
            .label(MODE_NAMES[m])
            .legend(move |(x, y)| Circle::new((x + 5 * L, y), 3 * L, colour.filled()));
            ctx.curves += 1;
        }
        draw_marks(&mut c, s.analysis, (0.0, 1.0), ctx.scale)?;
        if k == 0 {
            c.configure_series_labels()
                .label_font(font(0.7 * ctx.scale))
                .legend_area_size(12 * L)
                .background_style(WHITE.mix(0.8))
                .border_style(GREY.mix(0.5))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(draw_err("fig6"))?;
        }
    }
    Ok(())
}

/// Diverging blue–white–red for v in −scale..scale.
fn diverging(v: f64, scale: f64) -> RGBColor {
    let t = if scale > 0.0 && v.is_finite() {
        (v / scale).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: f64, b: f64, f: f64| (a + (b - a) * f).round() as u8;
    if t >= 0.0 {
        RGBColor(
            mix(255.0, 180.0, t),
            mix(255.0, 20.0, t),
            mix(255.0, 30.0, t),
        )
    } else {
        RGBColor(
            mix(255.0, 33.0, -t),
            mix(255.0, 102.0, -t),
            mix(255.0, 172.0, -t),
        )
    }
}

/// The heat map: ΔS(Q, T) per sample on at most 160 Q × 120 T cells (means of the points in
/// each), its scale from the rows below T_x.
fn heatmap(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let cells = root.split_evenly((1, n));
    let samples = ctx.samples;
    for (k, s) in samples.iter().enumerate() {
        let series = s.series;
        let name = series.sample.clone();
        let Some(reference) = series.patterns.first() else {
            continue;
        };
        let q = &reference.x;
        if q.len() < 2 || series.len() < 2 {
            continue;
        }
        let t_x = s
            .analysis
            .transitions
            .used(Transition::Crystallization)
            .map(|e| e.kelvin);
        let rows: Vec<(f64, Vec<f64>)> = series
            .patterns
            .iter()
            .map(|p| {
                (
                    p.kelvin().unwrap_or(f64::NAN),
                    difference_from_reference(p, reference),
                )
            })
            .filter(|(t, d)| t.is_finite() && d.len() == q.len())
            .collect();
        let below = |t: f64| t_x.is_none_or(|tx| t < tx);
        let scale = rows
            .iter()
            .filter(|(t, _)| below(*t))
            .flat_map(|(_, d)| d.iter().map(|v| v.abs()))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
            .max(1e-12);
        let (q0, q1) = (q[0], q[q.len() - 1]);
        let (t0, t1) = finite_range(rows.iter().map(|r| r.0)).unwrap_or((0.0, 1.0));
        let nq = q.len().min(160);
        let nt = rows.len().min(120);
        let (main, bar) =
            cells[k].split_vertically((cells[k].dim_in_pixel().1 as f64 * 0.84) as u32);
        let mut c = chart(
            &main,
            ctx,
            k,
            &format!("{name}: ΔS(Q, T)"),
            (q0, q1),
            (t0, t1),
            ("Q (Å⁻¹)", "T (K)"),
        )?;
        let mut rects = Vec::with_capacity(nq * nt);
        for bt in 0..nt {
            let (ra, rb) = (
                bt * rows.len() / nt,
                ((bt + 1) * rows.len() / nt).max(bt * rows.len() / nt + 1),
            );
            let ta = rows[ra].0;
            let tb = if rb < rows.len() { rows[rb].0 } else { t1 };
            for bq in 0..nq {
                let (ia, ib) = (
                    bq * q.len() / nq,
                    ((bq + 1) * q.len() / nq).max(bq * q.len() / nq + 1),
                );
                let (sum, count) = rows[ra..rb]
                    .iter()
                    .flat_map(|(_, d)| d[ia..ib].iter())
                    .filter(|v| v.is_finite())
                    .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
                let v = if count > 0 { sum / count as f64 } else { 0.0 };
                let qa = q[ia];
                let qb = if ib < q.len() { q[ib] } else { q1 };
                ctx.record(
                    "heat map",
                    &name,
                    &format!("ΔS at {:.1} K", ta),
                    0.5 * (qa + qb),
                    v,
                    f64::NAN,
                );
                rects.push(Rectangle::new(
                    [(qa, ta), (qb, tb)],
                    diverging(v, scale).filled(),
                ));
            }
        }
        c.draw_series(rects).map_err(draw_err("the heat map"))?;
        if let Some(tx) = t_x {
            c.draw_series(DashedLineSeries::new(
                vec![(q0, tx), (q1, tx)],
                3.0 * ctx.scale,
                2.0 * ctx.scale,
                line_style(BLACK, ctx.scale, 0.75),
            ))
            .map_err(draw_err("the heat map"))?;
        }
        ctx.curves += 1;
        // The colour bar with its values.
        let mut b = ChartBuilder::on(&bar)
            .margin_left((4.2 * FONT_PX * ctx.scale) as i32)
            .margin_right((8.0 * ctx.scale) as i32)
            .x_label_area_size((2.4 * FONT_PX * ctx.scale) as i32)
            .build_cartesian_2d(-scale..scale, 0.0..1.0)
            .map_err(draw_err("the heat map"))?;
        b.configure_mesh()
            .disable_mesh()
            .disable_y_axis()
            .x_labels(3)
            .label_style(font(0.8 * ctx.scale))
            .x_desc(if t_x.is_some() {
                "ΔS(Q) (scale from T < T_x)"
            } else {
                "ΔS(Q)"
            })
            .axis_desc_style(font(0.85 * ctx.scale))
            .x_label_formatter(&|v| format!("{v:+.3}"))
            .draw()
            .map_err(draw_err("the heat map"))?;
        let steps = 64;
        b.draw_series((0..steps).map(|j| {
            let a = -scale + 2.0 * scale * j as f64 / steps as f64;
            let bb = -scale + 2.0 * scale * (j + 1) as f64 / steps as f64;
            Rectangle::new(
                [(a, 0.0), (bb, 1.0)],
                diverging(0.5 * (a + bb), scale).filled(),
            )
        }))
        .map_err(draw_err("the heat map"))?;
    }
    Ok(())
}

/// Draws every figure of the samples, as SVG with its CSV.
pub fn figures(
    samples: &[FigureSample<'_>],
    opts: &FigureOptions,
) -> Result<Vec<Figure>, FigureError> {
    if samples.is_empty() {
        return Err(FigureError::Nothing);
    }
    register_font().map_err(|reason| FigureError::Draw {
        figure: "any",
        reason,
    })?;
    // plotters places everything on whole pixels: drawn at 4× the size and shown at the
    // figure's size in mm (the viewBox keeps the drawing), positions are good to 1/4 px.
    let scale = SUPERSAMPLE;
    let width_px = (opts.width.millimetres() * PX_PER_MM * scale).round() as u32;
    let panel_w = opts.width.millimetres() * PX_PER_MM / samples.len() as f64;
    let row_h = |rows: u32, extra: f64| -> u32 {
        ((rows as f64 * (panel_w * 0.72).clamp(150.0, 230.0) + extra) * scale).round() as u32
    };
    let picks: Vec<Vec<usize>> = samples
        .iter()
        .map(|s| {
            let wanted = opts
                .temperatures
                .clone()
                .unwrap_or_else(|| default_temperatures(s.series, s.analysis));
            nearest_patterns(s.series, &wanted)
        })
        .collect();
    type Draw<'d> = Box<dyn Fn(&mut Ctx<'_>, &Area<'_>) -> Result<(), FigureError> + 'd>;
    let plan: Vec<(&'static str, u32, Draw<'_>)> = vec![
        (
            "fig3_sq",
            row_h(2, 0.0),
            Box::new(|c: &mut Ctx<'_>, a: &Area<'_>| fig3(c, a, &picks)),
        ),
        ("fig4_fsdp", row_h(2, 0.0), Box::new(fig4)),
        (
            "fig5_gr",
            row_h(3, 0.0),
            Box::new(|c: &mut Ctx<'_>, a: &Area<'_>| fig5(c, a, &picks)),
        ),
        ("fig6_modes", row_h(2, 0.0), Box::new(fig6)),
        ("heatmap_ds", row_h(1, 40.0), Box::new(heatmap)),
    ];
    let mut out = Vec::new();
    for (name, height, draw) in plan {
        let mut svg = String::new();
        let mut ctx = Ctx {
            samples,
            csv: "panel,sample,series,x,y,error\n".to_owned(),
            curves: 0,
            scale,
        };
        {
            let root = SVGBackend::with_string(&mut svg, (width_px, height)).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err(name))?;
            draw(&mut ctx, &root)?;
            root.present().map_err(draw_err(name))?;
        }
        out.push(Figure {
            name,
            svg: physical_size(&svg, (width_px, height), opts.width.millimetres()),
            csv: ctx.csv,
            curves: ctx.curves,
        });
    }
    Ok(out)
}

/// The SVG's width (the column's, exactly) and height in mm; its viewBox, in the drawing's 4×
/// pixels, is unchanged.
fn physical_size(svg: &str, (w, h): (u32, u32), width_mm: f64) -> String {
    let from = format!("<svg width=\"{w}\" height=\"{h}\"");
    let height_mm = width_mm * h as f64 / w as f64;
    let to = format!("<svg width=\"{width_mm:.2}mm\" height=\"{height_mm:.2}mm\"");
    svg.replacen(&from, &to, 1)
}

fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// An SVG parsed as the PNG and PDF renderers see it, with the shipped font.
pub fn parse_svg(svg: &str) -> Result<usvg::Tree, String> {
    let options = usvg::Options {
        fontdb: fontdb(),
        font_family: "DejaVu Sans".into(),
        ..Default::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())
}

/// A figure in one format: the SVG itself, its PDF conversion or its PNG rendering at
/// [`PNG_DPI`].
pub fn render(figure: &Figure, format: Format) -> Result<Vec<u8>, FigureError> {
    let fail = |reason: String| FigureError::Render {
        figure: figure.name,
        format: format.extension(),
        reason,
    };
    match format {
        Format::Svg => Ok(figure.svg.clone().into_bytes()),
        Format::Pdf => {
            let tree = parse_svg(&figure.svg).map_err(fail)?;
            svg2pdf::to_pdf(
                &tree,
                svg2pdf::ConversionOptions::default(),
                svg2pdf::PageOptions::default(),
            )
            .map_err(|e| fail(e.to_string()))
        }
        Format::Png => {
            let tree = parse_svg(&figure.svg).map_err(fail)?;
            png_of(&tree).map_err(fail)
        }
    }
}

/// The PNG of a parsed SVG at [`PNG_DPI`].
pub fn png_of(tree: &usvg::Tree) -> Result<Vec<u8>, String> {
    let k = (PNG_DPI / 96.0) as f32;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(k)
        .ok_or("the figure has no size")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the figure is too large to render")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        tree,
        resvg::tiny_skia::Transform::from_scale(k, k),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        // Lightness rises monotonically (what makes it readable in grey).
        let lum = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let l: Vec<f64> = (0..=20).map(|k| lum(viridis(k as f64 / 20.0))).collect();
        assert!(l.windows(2).all(|w| w[1] > w[0]), "{l:?}");
    }

    #[test]
    fn ticks_drop_trailing_zeros() {
        assert_eq!(trim_tick(0.5), "0.5");
        assert_eq!(trim_tick(2.0), "2");
        assert_eq!(trim_tick(-0.00001), "0");
        assert_eq!(trim_tick(0.05), "0.05");
    }

    #[test]
    fn formats_parse_in_any_case() {
        assert_eq!(Format::parse("SVG"), Some(Format::Svg));
        assert_eq!(Format::parse(" png"), Some(Format::Png));
        assert_eq!(Format::parse("eps"), None);
    }
}
