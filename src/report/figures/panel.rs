//! One panel of the explorer as a figure in the same style as the study's set: its curves as
//! lines (a curve of more than 400 points, or any "error bars" curve, as points), over the
//! range shown on screen, with its title and axis names, the marks and shaded windows it shows,
//! and, for the heat map, its cells and colour bar.

use plotters::prelude::*;

#[allow(unused_imports)]
use super::*;

/// What a panel shows: its name, what it is of, its axes, its curves and the range on screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelData {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// (name, points) in drawing order.
    pub curves: Vec<(String, Vec<(f64, f64)>)>,
    /// [x_min, x_max, y_min, y_max] as shown; None: the data's range.
    pub bounds: Option<[f64; 4]>,
    /// Vertical marks (name, x), e.g. ("T_g", 680.0): dashed for T_r, solid for T_g, dotted for
    /// T_x, as on screen and in the study's figures.
    pub marks: Vec<(String, f64)>,
    /// Shaded windows along x (name, from, to), e.g. the FSDP window or the fit window.
    pub bands: Vec<(String, f64, f64)>,
    /// A heat map drawn under the curves, with its colour bar.
    pub heat: Option<PanelHeat>,
}

/// A heat map's values: `z[j][i]` at (`x[i]`, `y[j]`), on a diverging scale of ±`scale`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelHeat {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<Vec<f64>>,
    pub scale: f64,
    /// What the colour stands for, under its bar.
    pub label: String,
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
        _ => {
            let heat = data.heat.as_ref();
            let xs = heat.into_iter().flat_map(|h| h.x.iter().copied());
            let ys = heat.into_iter().flat_map(|h| h.y.iter().copied());
            (
                finite_range(
                    data.curves
                        .iter()
                        .flat_map(|c| c.1.iter().map(|p| p.0))
                        .chain(xs),
                )
                .unwrap_or((0.0, 1.0)),
                finite_range(
                    data.curves
                        .iter()
                        .flat_map(|c| c.1.iter().map(|p| p.1))
                        .chain(ys),
                )
                .unwrap_or((0.0, 1.0)),
            )
        }
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
        let (main, bar) = match &data.heat {
            Some(_) => {
                let (m, b) = root.split_vertically((h as f64 * 0.82) as u32);
                (m, Some(b))
            }
            None => (root.clone(), None),
        };
        let mut c = chart(
            &main,
            &mut ctx,
            0,
            &data.title,
            x,
            y,
            (&data.x_label, &data.y_label),
        )?;
        if let (Some(heat), Some(bar)) = (&data.heat, &bar) {
            let rows: Vec<(f64, &[f64])> = heat
                .y
                .iter()
                .zip(&heat.z)
                .map(|(&t, z)| (t, z.as_slice()))
                .collect();
            let cells = heat_cells(&heat.x, &rows, 160, 120);
            for cell in &cells {
                ctx.record(&data.title, "", &heat.label, cell.x, cell.value, f64::NAN);
            }
            c.draw_series(cells.iter().map(|cell| {
                Rectangle::new(
                    [(cell.x0, cell.y0), (cell.x1, cell.y1)],
                    diverging(cell.value, heat.scale).filled(),
                )
            }))
            .map_err(draw_err("panel"))?;
            ctx.curves += 1;
            colour_bar_diverging(bar, heat.scale, &heat.label, scale)?;
        }
        for (name, from, to) in &data.bands {
            let (a, b) = (from.max(x.0), to.min(x.1));
            if a < b {
                c.draw_series(std::iter::once(Rectangle::new(
                    [(a, y.0), (b, y.1)],
                    RGBColor(225, 225, 225).mix(0.6).filled(),
                )))
                .map_err(draw_err("panel"))?;
                c.draw_series(std::iter::once(Text::new(
                    name.clone(),
                    (a, y.1 - 0.02 * (y.1 - y.0)),
                    font(0.75 * scale).color(&GREY),
                )))
                .map_err(draw_err("panel"))?;
            }
        }
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
        let marks: Vec<(&str, f64)> = data
            .marks
            .iter()
            .filter(|m| m.1 >= x.0 && m.1 <= x.1)
            .map(|(name, at)| (name.as_str(), *at))
            .collect();
        draw_mark_set(&mut c, &marks, y, scale)?;
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
            ..PanelData::default()
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

    #[test]
    fn marks_windows_and_a_heat_map_are_drawn_as_on_screen() {
        let data = PanelData {
            title: "FSDP moment".into(),
            x_label: "T (K)".into(),
            y_label: "Q̄₁ (Å⁻¹)".into(),
            curves: vec![("AC".into(), vec![(300.0, 2.65), (700.0, 2.70)])],
            bounds: Some([250.0, 750.0, 2.6, 2.75]),
            marks: vec![
                ("T_r".into(), 590.0),
                ("T_g".into(), 680.0),
                ("T_x".into(), 731.0),
                ("off screen".into(), 900.0),
            ],
            bands: vec![("fit window".into(), 400.0, 500.0)],
            heat: None,
        };
        let fig = panel_figure(&data).expect("figure");
        assert!(parse_svg(&fig.svg).is_ok());
        for text in ["T_r", "T_g", "T_x", "fit window"] {
            assert!(fig.svg.contains(text), "{text}");
        }
        assert!(
            !fig.svg.contains("off screen"),
            "marks outside the range are left out"
        );
        // The window is one shaded rectangle, its mark lines grey (dashed ones as short pieces).
        assert!(fig.svg.contains("fill=\"#E1E1E1\""), "the shaded window");
        assert!(
            fig.svg.matches("stroke=\"#6E6E6E\"").count() >= 3,
            "three mark lines"
        );

        // A heat map: 3 × 2 values give 3 × 2 cells, each coloured by its value, in the CSV.
        let heat = PanelHeat {
            x: vec![1.0, 2.0, 3.0],
            y: vec![300.0, 400.0],
            z: vec![vec![-0.1, 0.0, 0.1], vec![0.05, f64::NAN, -0.05]],
            scale: 0.1,
            label: "ΔS(Q)".into(),
        };
        let fig = panel_figure(&PanelData {
            title: "ΔS(Q) heat map".into(),
            x_label: "Q (Å⁻¹)".into(),
            y_label: "T (K)".into(),
            heat: Some(heat),
            ..PanelData::default()
        })
        .expect("figure");
        assert!(parse_svg(&fig.svg).is_ok());
        assert_eq!(fig.csv.lines().count(), 1 + 6, "{}", fig.csv);
        // Full red at +scale, full blue at −scale, white where no value.
        assert!(fig.svg.contains("#B4141E"), "+0.1 is the deepest red");
        assert!(fig.svg.contains("#2166AC"), "−0.1 is the deepest blue");
        assert!(fig.svg.contains("ΔS(Q)"), "the colour bar's label");
    }
}
