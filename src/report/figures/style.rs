//! The figures' look: fonts, colours, line widths, ranges, panels with letters and axes, marks.

use plotters::prelude::*;

#[allow(unused_imports)]
use super::*;

pub(super) const MODE_NAMES: [&str; 4] = [
    "1-atom (vertex)",
    "2-atom (edge)",
    "3-atom (face)",
    "4-atom (intercross)",
];
/// The GUI's Tol vibrant mode colours.
pub(super) const MODE_COLOURS: [RGBColor; 4] = [
    RGBColor(0, 119, 187),
    RGBColor(204, 51, 17),
    RGBColor(0, 153, 136),
    RGBColor(238, 51, 119),
];
/// The GUI's sample hues (Okabe–Ito), darkened where too light on white paper.
pub(super) const SAMPLE_COLOURS: [RGBColor; 6] = [
    RGBColor(230, 159, 0),
    RGBColor(0, 114, 178),
    RGBColor(170, 150, 0),
    RGBColor(204, 121, 167),
    RGBColor(120, 120, 40),
    RGBColor(150, 130, 60),
];
pub(super) const GREY: RGBColor = RGBColor(110, 110, 110);

pub(super) fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| "the shipped font could not be read".to_owned())
    })
    .clone()
}

pub(super) fn font(scale: f64) -> FontDesc<'static> {
    ("sans-serif", FONT_PX * scale).into_font()
}

/// Viridis, from its published anchor colours (t in 0..=1).
pub(super) fn viridis(t: f64) -> RGBColor {
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
pub(super) struct Ctx<'a> {
    pub(super) samples: &'a [FigureSample<'a>],
    pub(super) csv: String,
    pub(super) curves: usize,
    pub(super) scale: f64,
}

impl Ctx<'_> {
    pub(super) fn record(
        &mut self,
        panel: &str,
        sample: &str,
        series: &str,
        x: f64,
        y: f64,
        err: f64,
    ) {
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

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub(super) fn draw_err<E: std::fmt::Debug>(figure: &'static str) -> impl Fn(E) -> FigureError {
    move |e| FigureError::Draw {
        figure,
        reason: format!("{e:?}"),
    }
}

/// The pattern nearest each wanted temperature (each pattern once, in T order).
pub(super) fn nearest_patterns(series: &HeatingSeries, wanted: &[f64]) -> Vec<usize> {
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

pub(super) fn t_of(series: &HeatingSeries, i: usize) -> f64 {
    series
        .patterns
        .get(i)
        .and_then(|p| p.kelvin())
        .unwrap_or(f64::NAN)
}

/// The least and greatest finite values.
pub(super) fn exact_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    (lo <= hi).then_some((lo, hi))
}

/// The finite values' range with 5 % to spare on each side.
pub(super) fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
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
pub(super) fn chart<'a, 'b>(
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
        .caption(format!("{letter}\u{2003}{title}"), font(s))
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
pub(super) fn trim_tick(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A polyline cut where it rises above `top`, as a plotting program clips at the frame: each piece
/// ends (or starts) at its crossing of `top`, so a crystal peak leaves the panel through its top
/// edge instead of running along it.
pub(super) fn clip_above(pts: &[(f64, f64)], top: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut piece: Vec<(f64, f64)> = Vec::new();
    let crossing = |(x0, y0): (f64, f64), (x1, y1): (f64, f64)| {
        let f = (top - y0) / (y1 - y0);
        (x0 + f * (x1 - x0), top)
    };
    for (k, &p) in pts.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| pts[j]);
        if p.1 <= top {
            if let Some(q) = prev.filter(|q| q.1 > top) {
                piece.push(crossing(q, p));
            }
            piece.push(p);
        } else if let Some(q) = prev.filter(|q| q.1 <= top) {
            piece.push(crossing(q, p));
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces.retain(|p| p.len() > 1);
    pieces
}

pub(super) fn line_style(colour: RGBColor, scale: f64, width_pt: f64) -> ShapeStyle {
    colour.stroke_width((width_pt * 96.0 / 72.0 * scale).round().max(1.0) as u32)
}

/// Vertical lines at the marks in use, labelled, in neutral tones (dashed T_r, solid T_g,
/// dotted T_x, as in the GUI).
pub(super) fn draw_marks<DB: DrawingBackend>(
    c: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    analysis: &SeriesAnalysis,
    y: (f64, f64),
    scale: f64,
) -> Result<(), FigureError> {
    let marks: Vec<(&str, f64)> = Transition::ALL
        .iter()
        .filter_map(|&tr| Some((tr.name(), analysis.transitions.used(tr)?.kelvin)))
        .collect();
    draw_mark_set(c, &marks, y, scale)
}

/// Size (px, before supersampling) of a mark's label font.
const MARK_FONT: f64 = 0.85;

/// Labelled vertical marks ([`draw_mark`]); a label that would run into the mark on its right
/// goes one line lower (T_g and T_x lie 40–60 K apart in a 450 K wide panel).
pub(super) fn draw_mark_set<DB: DrawingBackend>(
    c: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    marks: &[(&str, f64)],
    y: (f64, f64),
    scale: f64,
) -> Result<(), FigureError> {
    let mut sorted: Vec<(&str, f64)> = marks.iter().copied().filter(|m| m.1.is_finite()).collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let size = FONT_PX * MARK_FONT * scale;
    let px = |t: f64| f64::from(c.backend_coord(&(t, y.1)).0);
    let mut rows = vec![0u32; sorted.len()];
    for k in 1..sorted.len() {
        // The label of k − 1 spans its 3 px offset and about 0.6 em per character.
        let (name, t) = sorted[k - 1];
        let width = 3.0 * scale + 0.6 * size * name.chars().count() as f64 + 2.0 * scale;
        if px(sorted[k].1) - px(t) < width {
            rows[k] = rows[k - 1] + 1;
        }
    }
    for ((name, t), row) in sorted.into_iter().zip(rows) {
        draw_mark(c, name, t, y, (scale, row))?;
    }
    Ok(())
}

/// One labelled vertical mark in a neutral tone: dashed for T_r, dotted for T_x, solid
/// otherwise (T_g and any other name).
pub(super) fn draw_mark<DB: DrawingBackend>(
    c: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    name: &str,
    t: f64,
    y: (f64, f64),
    (scale, row): (f64, u32),
) -> Result<(), FigureError> {
    let style = line_style(GREY, scale, 0.75);
    let pts = vec![(t, y.0), (t, y.1)];
    if name == Transition::Relaxation.name() {
        c.draw_series(DashedLineSeries::new(pts, 4.0 * scale, 3.0 * scale, style))
            .map(|_| ())
    } else if name == Transition::Crystallization.name() {
        c.draw_series(DashedLineSeries::new(pts, 1.0 * scale, 2.0 * scale, style))
            .map(|_| ())
    } else {
        c.draw_series(LineSeries::new(pts, style)).map(|_| ())
    }
    .map_err(draw_err("a mark"))?;
    // The name just right of its line, not on it (`row` lines down).
    let down = f64::from(row) * 1.2 * FONT_PX * MARK_FONT * scale;
    c.draw_series(std::iter::once(
        EmptyElement::at((t, y.1 - 0.02 * (y.1 - y.0)))
            + Text::new(
                name.to_owned(),
                ((3.0 * scale) as i32, down.round() as i32),
                font(MARK_FONT * scale).color(&GREY),
            ),
    ))
    .map_err(draw_err("a mark"))?;
    Ok(())
}

/// Diverging blue–white–red for v in −scale..scale.
pub(super) fn diverging(v: f64, scale: f64) -> RGBColor {
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
