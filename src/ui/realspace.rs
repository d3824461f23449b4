//! Real-space panels at the slider's temperature: G(r) or g(r) with the positive lobes shaded
//! and r1, r6 labelled, and the connection-mode fit of the second g(r) peak (data, the four
//! Gaussians, their sum, the baseline and the residual). Everything shown was computed by the
//! engine; nothing is computed here but plot points.

use eframe::egui;
use egui_plot::{FilledArea, HLine, Legend, Line, LineStyle, Plot, PlotPoint, Span, Text, VLine};

use super::GlassrayApp;
use super::controls::{Handle, grab, movable, points};
use crate::analysis::fit::{MODE_NAMES, ModeFit};
use crate::analysis::series::SeriesAnalysis;

/// Colours of the four modes (distinct from each other and from the sample colours' order).
pub const MODE_COLOURS: [egui::Color32; 4] = [
    egui::Color32::from_rgb(0, 114, 178),
    egui::Color32::from_rgb(213, 94, 0),
    egui::Color32::from_rgb(0, 158, 115),
    egui::Color32::from_rgb(204, 121, 167),
];

/// Names shown for the modes: how many atoms neighbouring clusters share.
pub const MODE_LABELS: [&str; 4] = [
    "1-atom (vertex)",
    "2-atom (edge)",
    "3-atom (face)",
    "4-atom (intercross)",
];

/// G(r)/g(r) and fit panels for pattern `cursor` of an analysed sample.
pub fn ui(
    ui: &mut egui::Ui,
    app: &mut GlassrayApp,
    analysis: Option<&SeriesAnalysis>,
    preview: Option<&ModeFit>,
    busy: bool,
) {
    let cursor = app.cursor;
    let show_pair_g = &mut app.show_pair_g;
    ui.horizontal(|ui| {
        ui.strong("Real space");
        ui.selectable_value(show_pair_g, false, "G(r)");
        ui.selectable_value(show_pair_g, true, "g(r)");
    });
    let Some(pa) = analysis.and_then(|a| a.patterns.get(cursor)) else {
        ui.label(if busy {
            "analysing…"
        } else {
            "no analysis for this sample"
        });
        return;
    };
    let Some(rs) = &pa.real_space else {
        ui.label(format!("No G(r): {}", pa.messages.join("; ")));
        return;
    };
    ui.label(format!(
        "{} positive lobes; r1 = {:.3}, r6 = {:.3} (areas of G(r), 1/Å)",
        pa.lobes.len(),
        pa.r1(),
        pa.r6()
    ));
    let height = ((ui.available_height() - 110.0) / 2.0).max(120.0);
    let y = if *show_pair_g { &rs.g } else { &rs.big_g };
    let label = if *show_pair_g {
        "g(r)"
    } else {
        "G(r) (1/Å²)"
    };
    Plot::new("real_space_plot")
        .height(height)
        .legend(Legend::default())
        .x_axis_label("r (Å)")
        .y_axis_label(label)
        .show(ui, |plot_ui| {
            for (k, lobe) in pa.lobes.iter().enumerate().take(8) {
                let (xs, top): (Vec<f64>, Vec<f64>) =
                    rs.r.iter()
                        .zip(y)
                        .filter(|(r, _)| **r >= lobe.r_start && **r <= lobe.r_end)
                        .map(|(r, v)| (*r, *v))
                        .unzip();
                let base = if *show_pair_g { 1.0 } else { 0.0 };
                let bottom = vec![base; xs.len()];
                let name = if k == 0 || k == 5 {
                    format!("lobe r{}", k + 1)
                } else {
                    "lobes".into()
                };
                plot_ui.add(FilledArea::new(name, &xs, &bottom, &top).fill_color(
                    egui::Color32::from_rgba_unmultiplied(
                        86,
                        180,
                        233,
                        if k == 0 || k == 5 { 90 } else { 35 },
                    ),
                ));
                if k == 0 || k == 5 {
                    let mid = 0.5 * (lobe.r_start + lobe.r_end);
                    let peak = top.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    plot_ui.text(Text::new(
                        "",
                        PlotPoint::new(mid, peak),
                        format!("r{} = {:.3}", k + 1, lobe.area),
                    ));
                }
            }
            plot_ui.line(
                Line::new(label, points(&rs.r, y))
                    .color(egui::Color32::LIGHT_GRAY)
                    .width(1.5),
            );
        });

    // The fit at this T: the preview refit while a parameter change is being applied.
    let fit = preview.unwrap_or(&pa.fit);
    let fit_params = app.params.fit.clone();
    ui.horizontal_wrapped(|ui| {
        ui.strong("Connection modes");
        if preview.is_some() {
            ui.weak("(refitting the series…)");
        }
        if fit.converged {
            for i in 0..4 {
                ui.colored_label(
                    MODE_COLOURS[i],
                    format!(
                        "{}: {:.3} ± {:.3}",
                        MODE_NAMES[i], fit.fractions[i], fit.fraction_errors[i]
                    ),
                );
            }
            ui.label(format!("RMSE {:.4}", fit.rmse));
        } else {
            ui.colored_label(
                egui::Color32::from_rgb(230, 159, 0),
                fit.message.clone().unwrap_or_else(|| "fit failed".into()),
            );
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Centres (Å):");
        for (colour, centre) in MODE_COLOURS.iter().zip(&fit.centres) {
            ui.colored_label(*colour, format!("{centre:.3}"));
        }
        ui.label(format!("width {:.3} Å", fit.widths[0]));
    });
    ui.horizontal_wrapped(|ui| {
        ui.weak("Lines: g(r) data (grey, thick), sum (white), baseline (grey), residual (yellow), seeds (dashed, ± tolerance shaded).");
        if app.move_mode {
            ui.weak("drag a dashed seed line to move it");
        } else {
            ui.weak("tick Move mode to drag the seeds");
        }
    });
    let (lo, hi) = fit_params.window;
    let (rw, gw): (Vec<f64>, Vec<f64>) =
        rs.r.iter()
            .zip(&rs.g)
            .filter(|(r, v)| **r >= lo && **r <= hi && v.is_finite())
            .map(|(r, v)| (*r, *v))
            .unzip();
    let move_mode = app.move_mode;
    let response = movable(Plot::new("fit_plot"), move_mode)
        .height((ui.available_height() - 6.0).max(height.min(160.0)))
        .x_axis_label("r (Å)")
        .y_axis_label("g(r)")
        .show(ui, |plot_ui| {
            for (colour, &seed) in MODE_COLOURS.iter().zip(&fit_params.seeds) {
                let tol = fit_params.tolerance;
                plot_ui.span(
                    Span::new("", (seed - tol)..=(seed + tol))
                        .fill(colour.gamma_multiply(0.08))
                        .border_width(0.0),
                );
                plot_ui.vline(
                    VLine::new("", seed)
                        .color(*colour)
                        .style(LineStyle::dashed_loose())
                        .width(if move_mode { 2.0 } else { 1.0 }),
                );
            }
            plot_ui.line(
                Line::new("g(r) data", points(&rw, &gw))
                    .color(egui::Color32::LIGHT_GRAY)
                    .width(2.0),
            );
            if !fit.amplitudes.iter().all(|a| a.is_finite()) {
                return;
            }
            let base = fit.baseline;
            for i in 0..4 {
                let yi: Vec<f64> = rw.iter().map(|&r| base + fit.component(i, r)).collect();
                plot_ui.line(
                    Line::new(MODE_LABELS[i], points(&rw, &yi))
                        .color(MODE_COLOURS[i])
                        .width(1.5),
                );
            }
            let sum: Vec<f64> = rw.iter().map(|&r| fit.model(r)).collect();
            plot_ui.line(
                Line::new("sum", points(&rw, &sum))
                    .color(egui::Color32::WHITE)
                    .width(1.0),
            );
            plot_ui.hline(HLine::new("baseline", base).color(egui::Color32::GRAY));
            let resid: Vec<f64> = rw
                .iter()
                .zip(&gw)
                .map(|(&r, &g)| g - fit.model(r))
                .collect();
            plot_ui.line(
                Line::new("residual", points(&rw, &resid))
                    .color(egui::Color32::from_rgb(240, 228, 66)),
            );
        });
    response.response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, "Connection-mode fit plot")
    });
    for i in 0..4 {
        app.seed_screen_x[i] = response
            .transform
            .position_from_point_x(fit_params.seeds[i]);
    }
    if move_mode {
        let r = &response.response;
        let pointer = r.interact_pointer_pos();
        if r.drag_started()
            && let Some(pos) = pointer
        {
            app.drag = grab(
                (0..4).map(|i| {
                    let x = response
                        .transform
                        .position_from_point_x(fit_params.seeds[i]);
                    (Handle::Seed(i), x)
                }),
                pos.x,
            );
        }
        if r.dragged()
            && let (Some(Handle::Seed(i)), Some(pos)) = (app.drag, pointer)
        {
            let x = response.transform.value_from_position(pos).x;
            let mut params = app.params.clone();
            params.fit.seeds[i] = ((x * 1000.0).round() / 1000.0).clamp(lo, hi);
            app.set_params(params);
        }
        if r.drag_stopped() {
            app.drag = None;
        }
    }
}
