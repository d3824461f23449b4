//! One panel of the explorer as a figure in the same style as the study's set: its curves as
//! lines (a curve of more than 400 points, or any "error bars" curve, as points), over the
//! range shown on screen, with its title and axis names.

use plotters::prelude::*;

#[allow(unused_imports)]
use super::*;

/// What a panel shows: its name, what it is of, its axes, its curves and the range on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelData {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// (name, points) in drawing order.
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// [x_min, x_max, y_min, y_max] as shown; None: the data's range.
    pub bounds: Option<[f64; 4]>,
}

/// Colours for a panel's curves in order: the sample hues, then the mode colours.
fn curve_colour(k: usize) -> RGBColor {
    let all: Vec<RGBColor> = SAMPLE_COLOURS
        .iter()
        .chain(MODE_COLOURS.iter())
        .copied()
        .collect();
    all[k % all.len()]
}

/// The panel as a single-column figure (85 mm), its CSV the curves' points.
pub fn panel_figure(data: &PanelData) -> Result<Figure, FigureError> {
    register_font().map_err(|reason| FigureError::Draw {
        figure: "panel",
        reason,
    })?;
    let scale = SUPERSAMPLE;
    let mm = Width::Single.millimetres();
    let w = (mm * PX_PER_MM * scale).round() as u32;
    let h = (w as f64 * 0.72).round() as u32;
    let (x, y) = match data.bounds {
        Some([x0, x1, y0, y1])
            if x0 < x1 && y0 < y1 && [x0, x1, y0, y1].iter().all(|v| v.is_finite()) =>
        {
            ((x0, x1), (y0, y1))
        }
        _ => (
            finite_range(data.curves.iter().flat_map(|c| c.1.iter().map(|p| p.0)))
                .unwrap_or((0.0, 1.0)),
            finite_range(data.curves.iter().flat_map(|c| c.1.iter().map(|p| p.1)))
                .unwrap_or((0.0, 1.0)),
        ),
    };
    let samples: [FigureSample<'_>; 0] = [];
    let mut ctx = Ctx {
        samples: &samples,
        csv: "panel,sample,series,x,y,error\n".to_owned(),
        curves: 0,
        scale,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err("panel"))?;
        let mut c = chart(
            &root,
            &mut ctx,
            0,
            &data.title,
            x,
            y,
            (&data.x_label, &data.y_label),
        )?;
        let inside = |p: &(f64, f64)| p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1;
        for (k, (name, pts)) in data.curves.iter().enumerate() {
            for &(px, py) in pts {
                ctx.record(&data.title, "", name, px, py, f64::NAN);
            }
            let colour = curve_colour(k);
            if name.contains("error bars") || pts.len() > 400 && !name.contains("smoothed") {
                c.draw_series(
                    pts.iter()
                        .filter(|p| inside(p))
                        .map(|&p| Circle::new(p, 1.0 * scale, colour.filled())),
                )
                .map_err(draw_err("panel"))?;
            } else {
                for run in pts.split(|p| !inside(p)).filter(|r| r.len() > 1) {
                    c.draw_series(LineSeries::new(
                        run.iter().copied(),
                        line_style(colour, scale, 0.75),
                    ))
                    .map_err(draw_err("panel"))?;
                }
            }
            ctx.curves += 1;
        }
        root.present().map_err(draw_err("panel"))?;
    }
    Ok(Figure {
        name: "panel",
        svg: physical_size(&svg, (w, h), mm),
        csv: ctx.csv,
        curves: ctx.curves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panel_keeps_the_range_shown_and_every_point_in_its_csv() {
        let data = PanelData {
            title: "FSDP moment".into(),
            x_label: "T (K)".into(),
            y_label: "Q̄₁ (Å⁻¹)".into(),
            curves: vec![
                (
                    "AC".into(),
                    vec![(300.0, 2.65), (400.0, 2.66), (500.0, 2.70)],
                ),
                ("CR".into(), vec![(300.0, 2.64), (400.0, 2.65)]),
            ],
            bounds: Some([250.0, 450.0, 2.6, 2.68]),
        };
        let fig = panel_figure(&data).expect("figure");
        assert!(fig.svg.starts_with("<svg width=\"85.00mm\""));
        assert!(parse_svg(&fig.svg).is_ok());
        assert_eq!(fig.curves, 2);
        // The CSV holds every point, also the one outside the range shown.
        assert_eq!(fig.csv.lines().count(), 1 + 5);
        assert!(fig.csv.contains("FSDP moment,,AC,500,2.7,"));
        // Only the runs inside the range are drawn: AC's 500 K point is off (one 2-point run).
        let lines = |svg: &str, colour: &str| {
            svg.lines()
                .filter(|l| l.starts_with("<polyline") && l.contains(colour))
                .map(|l| l.matches(',').count())
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(&fig.svg, "#E69F00"), [2], "AC: its two points inside");
        assert_eq!(lines(&fig.svg, "#0072B2"), [2], "CR");
        for text in ["FSDP moment", "T (K)"] {
            assert!(fig.svg.contains(text), "{text}");
        }
        // Nonsense bounds fall back to the data's range.
        let fig = panel_figure(&PanelData {
            bounds: Some([1.0, f64::NAN, 0.0, 1.0]),
            ..data
        })
        .expect("figure");
        assert_eq!(
            lines(&fig.svg, "#E69F00"),
            [3],
            "all of AC in the data's range"
        );
    }
}
