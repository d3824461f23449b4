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
