//! The ΔS(Q, T) heat map with its colour bar.

use plotters::prelude::*;

#[allow(unused_imports)]
use super::*;

/// The heat map: ΔS(Q, T) per sample on at most 160 Q × 120 T cells (means of the points in
/// each), its scale from the rows below T_x.
pub(super) fn heatmap(ctx: &mut Ctx<'_>, root: &Area<'_>) -> Result<(), FigureError> {
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
        let binned: Vec<(f64, &[f64])> = rows.iter().map(|(t, d)| (*t, d.as_slice())).collect();
        let binned_cells = heat_cells(q, &binned, 160, 120);
        for cell in &binned_cells {
            ctx.record(
                "heat map",
                &name,
                &format!("ΔS at {:.1} K", cell.y0),
                cell.x,
                cell.value,
                f64::NAN,
            );
        }
        let rects = binned_cells.iter().map(|cell| {
            Rectangle::new(
                [(cell.x0, cell.y0), (cell.x1, cell.y1)],
                diverging(cell.value, scale).filled(),
            )
        });
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
        let label = if t_x.is_some() {
            "ΔS(Q) (scale from T < T_x)"
        } else {
            "ΔS(Q)"
        };
        colour_bar_diverging(&bar, scale, label, ctx.scale)?;
    }
    Ok(())
}

/// One cell of a binned heat map: its x and y edges, its centre x and the mean of its values.
pub(super) struct HeatCell {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub x: f64,
    pub value: f64,
}

/// `rows` (y, values on `x`) binned into at most `nx` × `ny` cells, each the mean of the finite
/// values in it (0 where none); a row's cell runs from its y to the next binned row's.
pub(super) fn heat_cells(x: &[f64], rows: &[(f64, &[f64])], nx: usize, ny: usize) -> Vec<HeatCell> {
    let rows: Vec<&(f64, &[f64])> = rows.iter().filter(|r| r.1.len() == x.len()).collect();
    if x.len() < 2 || rows.is_empty() {
        return Vec::new();
    }
    let (nq, nt) = (x.len().min(nx.max(1)), rows.len().min(ny.max(1)));
    let x_end = x[x.len() - 1];
    let y_end = rows[rows.len() - 1].0;
    let mut cells = Vec::with_capacity(nq * nt);
    for bt in 0..nt {
        let ra = bt * rows.len() / nt;
        let rb = ((bt + 1) * rows.len() / nt).max(ra + 1);
        let ta = rows[ra].0;
        let tb = rows.get(rb).map_or(y_end, |r| r.0);
        for bq in 0..nq {
            let ia = bq * x.len() / nq;
            let ib = ((bq + 1) * x.len() / nq).max(ia + 1);
            let (sum, count) = rows[ra..rb]
                .iter()
                .flat_map(|(_, d)| d[ia..ib].iter())
                .filter(|v| v.is_finite())
                .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
            let (qa, qb) = (x[ia], x.get(ib).copied().unwrap_or(x_end));
            cells.push(HeatCell {
                x0: qa,
                x1: qb,
                y0: ta,
                y1: tb,
                x: 0.5 * (qa + qb),
                value: if count > 0 { sum / count as f64 } else { 0.0 },
            });
        }
    }
    cells
}

/// A horizontal diverging colour bar over ±`range`, its values at the ends and middle and
/// `label` under it.
pub(super) fn colour_bar_diverging(
    bar: &Area<'_>,
    range: f64,
    label: &str,
    scale: f64,
) -> Result<(), FigureError> {
    let range = if range.is_finite() && range > 0.0 {
        range
    } else {
        1.0
    };
    let mut b = ChartBuilder::on(bar)
        .margin_left((4.2 * FONT_PX * scale) as i32)
        // Room for half the widest end label ("+0.100") right of the bar.
        .margin_right((2.5 * FONT_PX * scale) as i32)
        .x_label_area_size((2.4 * FONT_PX * scale) as i32)
        .build_cartesian_2d(-range..range, 0.0..1.0)
        .map_err(draw_err("a colour bar"))?;
    b.configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels(3)
        .label_style(font(0.8 * scale))
        .x_desc(label)
        .axis_desc_style(font(0.85 * scale))
        .x_label_formatter(&|v| format!("{v:+.3}"))
        .draw()
        .map_err(draw_err("a colour bar"))?;
    let steps = 64;
    b.draw_series((0..steps).map(|j| {
        let a = -range + 2.0 * range * j as f64 / steps as f64;
        let bb = -range + 2.0 * range * (j + 1) as f64 / steps as f64;
        Rectangle::new(
            [(a, 0.0), (bb, 1.0)],
            diverging(0.5 * (a + bb), range).filled(),
        )
    }))
    .map_err(draw_err("a colour bar"))?;
    Ok(())
}
