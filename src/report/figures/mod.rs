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
pub static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

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
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("rendering {figure} as {format}: {reason}")]
    Render {
        figure: &'static str,
        format: &'static str,
        reason: String,
    },
    #[error(
        "{} holds {entry}, which is not a figure glassray wrote, and the figures replace the \
         folder whole: give a new or empty folder, or one glassray's figures went to",
        path.display()
    )]
    NotFigures {
        path: std::path::PathBuf,
        entry: String,
    },
}

/// The figures of a set, by file stem (each written as `.csv` and in the formats asked for).
pub const FIGURE_NAMES: [&str; 5] = [
    "fig3_sq",
    "fig4_fsdp",
    "fig5_gr",
    "fig6_modes",
    "heatmap_ds",
];

/// Refuses a folder that holds anything but an earlier set of figures (or a killed run's
/// staging), since [`write_figures`] replaces it whole: a user's own files are never deleted.
pub fn check_figures_replaceable(dir: &std::path::Path) -> Result<(), FigureError> {
    let ours = |name: &str, is_dir: bool, _: &std::path::Path| {
        !is_dir
            && name.rsplit_once('.').is_some_and(|(stem, ext)| {
                FIGURE_NAMES.contains(&stem) && ["csv", "svg", "pdf", "png"].contains(&ext)
            })
    };
    match super::outputs::foreign_entry(dir, &ours) {
        Ok(None) => Ok(()),
        Ok(Some(entry)) => Err(FigureError::NotFigures {
            path: dir.to_path_buf(),
            entry,
        }),
        Err(source) => Err(FigureError::Write {
            path: dir.to_path_buf(),
            source,
        }),
    }
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

mod heat;
mod modes;
mod panel;
mod panels;
mod style;

use heat::{colour_bar_diverging, heat_cells, heatmap};
use modes::fig6;
pub use panel::{PanelData, PanelHeat, panel_figure};
use panels::{fig3, fig4, fig5};
pub use style::default_temperatures;
use style::*;

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

/// Draws the figures and writes each in `formats` with its CSV into `dir`, replacing it whole
/// (staged beside it and swapped in: a failure leaves the previous folder). Returns the names
/// of the files written.
pub fn write_figures(
    dir: &std::path::Path,
    samples: &[FigureSample<'_>],
    opts: &FigureOptions,
    formats: &[Format],
) -> Result<Vec<String>, FigureError> {
    check_figures_replaceable(dir)?;
    let drawn = figures(samples, opts)?;
    let fail = |path: std::path::PathBuf| move |source| FigureError::Write { path, source };
    let staged = crate::engine::write::StagedDir::new(dir).map_err(fail(dir.to_path_buf()))?;
    let mut written = Vec::new();
    for fig in &drawn {
        let mut files = vec![(format!("{}.csv", fig.name), fig.csv.clone().into_bytes())];
        for &format in formats {
            files.push((
                format!("{}.{}", fig.name, format.extension()),
                render(fig, format)?,
            ));
        }
        for (name, bytes) in files {
            std::fs::write(staged.path().join(&name), bytes).map_err(fail(dir.join(&name)))?;
            written.push(name);
        }
    }
    staged.commit().map_err(fail(dir.to_path_buf()))?;
    Ok(written)
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
    fn lines_leave_through_the_top_instead_of_running_along_it() {
        let pts = [(0.0, 1.0), (1.0, 3.0), (2.0, 5.0), (3.0, 1.0), (4.0, 2.0)];
        let pieces = style::clip_above(&pts, 4.0);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], vec![(0.0, 1.0), (1.0, 3.0), (1.5, 4.0)]);
        assert_eq!(pieces[1], vec![(2.25, 4.0), (3.0, 1.0), (4.0, 2.0)]);
        // Nothing above the top: one piece, unchanged; everything above: nothing drawn.
        assert_eq!(style::clip_above(&pts, 9.0), vec![pts.to_vec()]);
        assert!(style::clip_above(&pts, 0.5).is_empty());
    }

    #[test]
    fn formats_parse_in_any_case() {
        assert_eq!(Format::parse("SVG"), Some(Format::Svg));
        assert_eq!(Format::parse(" png"), Some(Format::Png));
        assert_eq!(Format::parse("eps"), None);
    }
}
