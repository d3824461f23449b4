//! Fig. 6: the second-peak fit of the first pattern and the four fractions versus T.

use plotters::prelude::*;

#[allow(unused_imports)]
use super::*;

/// Fig. 6: the fit of the first pattern and the fractions versus T.
pub(super) fn fig6(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
    let n = ctx.samples.len();
    let cells = root.split_evenly((2, n));
    for k in 0..n {
        fit_panel(ctx, &cells[k], k)?;
        fractions_panel(ctx, &cells[n + k], (k, n + k))?;
    }
    Ok(())
}

/// The fit of sample `k`'s first pattern: data, the four modes named, sum, residual.
fn fit_panel(ctx: &mut Ctx<'_>, area: &Area<'_>, k: usize) -> Result<(), FigureError> {
    let s = ctx.samples[k];
    let series = s.series;
    let name = series.sample.clone();
    let window = s.analysis.params.fit.window;
    let Some(pa) = s.analysis.patterns.first() else {
        return Ok(());
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
    // Headroom for the one-line key at the top.
    let y = (y.0, y.1 + 0.18 * (y.1 - y.0));
    let title = format!("{name}: fit at {t0:.0} K");
    let mut c = chart(area, ctx, k, &title, window, y, ("r (Å)", "g(r)"))?;
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
    // A name's width and height in data units (about 0.3 Å of a 2.7 Å window at this size).
    let (label_w, label_h) = (0.34 * (window.1 - window.0) / 2.7, 0.08 * (y.1 - y.0));
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for m in 0..4 {
        let pts: Vec<(f64, f64)> = rs.iter().map(|&r| (r, fit.component(m, r))).collect();
        // Each mode named at its peak, in its colour (no key to cover the data); a name that
        // would cover one already placed (the 2- and 3-atom peaks lie 0.3 Å apart) goes a line up.
        let centre = fit.centres[m];
        if centre.is_finite() && fit.amplitudes[m] > 0.0 && centre > window.0 && centre < window.1 {
            let short = MODE_NAMES[m].split(' ').next().unwrap_or(MODE_NAMES[m]);
            let mut at = (
                centre - 0.12 * (window.1 - window.0) / 2.7,
                fit.amplitudes[m] + 0.04 * (y.1 - y.0),
            );
            while placed
                .iter()
                .any(|p| (p.0 - at.0).abs() < label_w && (p.1 - at.1).abs() < label_h)
            {
                at.1 += label_h;
            }
            placed.push(at);
            c.draw_series(std::iter::once(Text::new(
                short.to_owned(),
                at,
                font(0.7 * ctx.scale).color(&MODE_COLOURS[m]),
            )))
            .map_err(draw_err("fig6"))?;
        }
        for &(r, v) in &pts {
            ctx.record("fig6 fit", &name, MODE_NAMES[m], r, v, f64::NAN);
        }
        c.draw_series(LineSeries::new(
            pts,
            line_style(MODE_COLOURS[m], ctx.scale, 0.9),
        ))
        .map_err(draw_err("fig6"))?;
        ctx.curves += 1;
    }
    let sum: Vec<(f64, f64)> = rs.iter().map(|&r| (r, fit.model(r))).collect();
    for &(r, v) in &sum {
        ctx.record("fig6 fit", &name, "sum", r, v, f64::NAN);
    }
    c.draw_series(LineSeries::new(sum, line_style(BLACK, ctx.scale, 1.0)))
        .map_err(draw_err("fig6"))?;
    ctx.curves += 1;
    for &(r, v) in &residual {
        ctx.record("fig6 fit", &name, "residual − 0.3", r, v, f64::NAN);
    }
    c.draw_series(LineSeries::new(residual, line_style(GREY, ctx.scale, 0.75)))
        .map_err(draw_err("fig6"))?;
    ctx.curves += 1;
    c.draw_series(std::iter::once(Text::new(
        "○ data · black: sum · grey: residual − 0.3".to_owned(),
        (
            window.0 + 0.03 * (window.1 - window.0),
            y.1 - 0.02 * (y.1 - y.0),
        ),
        font(0.7 * ctx.scale).color(&GREY),
    )))
    .map_err(draw_err("fig6"))?;
    Ok(())
}

/// The four fractions of sample `k` versus T with ±1σ bars (statistical narrow and darker,
/// statistical ⊕ systematic wide and pale when computed), the marks, in panel `cell`.
fn fractions_panel(
    ctx: &mut Ctx<'_>,
    area: &Area<'_>,
    (k, cell): (usize, usize),
) -> Result<(), FigureError> {
    let s = ctx.samples[k];
    let series = s.series;
    let name = series.sample.clone();
    // The fractions versus T with ±1σ bars.
    let x = finite_range(series.patterns.iter().filter_map(|p| p.kelvin())).unwrap_or((0.0, 1.0));
    let mut c = chart(
        area,
        ctx,
        cell,
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
        // Behind the statistical bars, wide and pale: statistical ⊕ systematic (seed placement
        // within the tolerance, Q range), where the systematic stage ran.
        let total: Vec<(f64, f64, f64)> = s
            .analysis
            .patterns
            .iter()
            .filter_map(|pa| {
                let sys = pa.systematic.as_ref()?;
                let t = t_of(series, pa.index.min(series.len().saturating_sub(1)));
                let (f, e) = (pa.fit.fractions[m], sys.total(pa.fit.fraction_errors[m], m));
                (t.is_finite() && f.is_finite() && e.is_finite()).then_some((t, f, e))
            })
            .collect();
        let label = format!("{} (stat ⊕ sys)", MODE_NAMES[m]);
        for &(t, f, e) in &total {
            ctx.record("fig6 fractions", &name, &label, t, f, e);
        }
        c.draw_series(total.iter().map(|&(t, f, e)| {
            ErrorBar::new_vertical(
                t,
                (f - e).max(0.0),
                f,
                (f + e).min(1.0),
                colour.mix(0.2).stroke_width((2.5 * ctx.scale) as u32),
                0,
            )
        }))
        .map_err(draw_err("fig6"))?;
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
            .label_font(font(0.65 * ctx.scale))
            .legend_area_size(12 * L)
            .background_style(WHITE.mix(0.8))
            .border_style(GREY.mix(0.5))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err("fig6"))?;
    }
    Ok(())
}
