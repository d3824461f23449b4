//! Figs. 3, 4 and 5: stacked S(Q) with ΔS(Q), the FSDP versus T, stacked G(r) with r1/r6.

// Panels are placed by index in a grid of cells (row × sample).
#![allow(clippy::needless_range_loop)]

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

#[allow(unused_imports)]
use super::*;

/// Fig. 3: stacked S(Q) at the selected temperatures and ΔS(Q) per sample.
pub(super) fn fig3(
    ctx: &mut Ctx<'_>,
    root: &Area<'_>,
    picks: &[Vec<usize>],
) -> Result<(), FigureError> {
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
            // Crystal peaks above the frame leave through its top edge (cut there, in the CSV
            // whole), instead of being drawn along it.
            for piece in clip_above(&pts, y_hi) {
                if Some(*i) == near_tg {
                    c.draw_series(DashedLineSeries::new(
                        piece,
                        3.0 * ctx.scale,
                        2.0 * ctx.scale,
                        line_style(BLACK, ctx.scale, 0.9),
                    ))
                    .map_err(draw_err("fig3"))?;
                } else {
                    c.draw_series(LineSeries::new(
                        piece,
                        line_style(colour_of(t), ctx.scale, 0.75),
                    ))
                    .map_err(draw_err("fig3"))?;
                }
            }
            ctx.curves += 1;
            let tag = format!(
                "{t:.0} K{}",
                if Some(*i) == near_tg { " (T_g)" } else { "" }
            );
            // Just above its curve's flat tail (S → 1), clear of the line.
            let above = font(0.75 * ctx.scale).color(&BLACK);
            let above = above.pos(Pos::new(HPos::Left, VPos::Bottom));
            let at = (x.1 - 0.3 * (x.1 - x.0), off + 1.08);
            c.draw_series(std::iter::once(Text::new(tag, at, above)))
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
pub(super) fn colour_bar_t(
    area: &Area<'_>,
    (lo, hi): (f64, f64),
    scale: f64,
) -> Result<(), FigureError> {
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
pub(super) fn versus_panel(
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
    // The axes follow the glass (T < T_x): crystallised values may run off them.
    let t_x = s
        .analysis
        .transitions
        .used(Transition::Crystallization)
        .map(|e| e.kelvin);
    let glassy: Vec<(f64, f64)> = pts
        .iter()
        .copied()
        .filter(|p| t_x.is_none_or(|tx| p.0 < tx))
        .collect();
    let shown = if glassy.len() >= 3 { &glassy } else { &pts };
    let y = if relative {
        // The study's mean ± 10 %, wider (in steps of 5 %) when a value lies beyond it.
        let dev = shown
            .iter()
            .map(|p| (p.1 - 1.0).abs())
            .fold(0.1_f64, f64::max);
        let half = ((dev / 0.05) - 1e-9).ceil() * 0.05;
        (1.0 - half, 1.0 + half)
    } else {
        finite_range(shown.iter().map(|p| p.1)).unwrap_or((0.0, 1.0))
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
            .map(|&p| Circle::new(p, 1.8 * ctx.scale, colour.filled())),
    )
    .map_err(draw_err("a versus-T panel"))?;
    // plotters pins points outside the axes to the edge: draw the spline in the runs that
    // stay inside.
    for run in spline.split(|p| !inside(p)).filter(|r| r.len() > 1) {
        c.draw_series(LineSeries::new(
            run.iter().copied(),
            line_style(BLACK, ctx.scale, 0.6),
        ))
        .map_err(draw_err("a versus-T panel"))?;
    }
    ctx.curves += 1;
    draw_marks(&mut c, s.analysis, y, ctx.scale)
}

/// Fig. 4: FSDP first moment and area versus T.
pub(super) fn fig4(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
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
pub(super) fn fig5(
    ctx: &mut Ctx<'_>,
    root: &Area<'_>,
    picks: &[Vec<usize>],
) -> Result<(), FigureError> {
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
