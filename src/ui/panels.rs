//! The pattern panels at the slider's temperature: the measured quantity (S(Q) or whatever the
//! files hold) with the reference pattern faint, and its difference from the reference (ΔS(Q)).
//! Both share their x axis.

use eframe::egui;
use egui_plot::{Legend, Line, Plot, PlotPoints};

use super::{SampleView, nearest_index};
use crate::analysis::difference_from_reference;
use crate::model::{Pattern, TemperatureAxis};

fn points(x: &[f64], y: &[f64]) -> PlotPoints<'static> {
    x.iter()
        .zip(y)
        .filter(|(_, v)| v.is_finite())
        .map(|(&a, &b)| [a, b])
        .collect()
}

fn faint(c: egui::Color32) -> egui::Color32 {
    c.gamma_multiply(0.35)
}

/// The text that says which pattern is shown: T (or index), file and temperature source.
pub fn pattern_caption(p: &Pattern, axis: TemperatureAxis) -> String {
    let at = match (&p.temperature, axis) {
        (Some(t), _) => format!("T = {:.1} K ({})", t.kelvin, t.source),
        (None, TemperatureAxis::Index) => format!("pattern #{}", p.index),
        (None, TemperatureAxis::Kelvin) => format!("pattern #{} (no temperature)", p.index),
    };
    format!("{at} — {}", p.display_name())
}

pub fn ui(ui: &mut egui::Ui, samples: &[SampleView], active: usize, cursor: usize) {
    let Some(active_sample) = samples.get(active) else {
        ui.centered_and_justified(|ui| {
            ui.label("Open files or a folder (File menu), or drop them here.")
        });
        return;
    };
    let series = active_sample.series();
    let Some(current) = series.patterns.get(cursor) else {
        ui.label(format!("{} has no patterns.", series.sample));
        return;
    };
    let t = series
        .axis_values()
        .get(cursor)
        .copied()
        .unwrap_or(f64::NAN);
    let quantity = current.quantity.label();
    ui.heading(format!(
        "{} at {}",
        quantity,
        pattern_caption(current, series.axis)
    ));

    let height = ((ui.available_height() - 60.0) / 2.0).max(120.0);
    let x_label = match current.x_unit {
        crate::model::XUnit::QInvAngstrom => "Q (1/Å)",
        crate::model::XUnit::RAngstrom => "r (Å)",
        crate::model::XUnit::TwoThetaDeg => "2θ (°)",
    };
    let link = egui::Id::unique("pattern_x_axis");

    // Each visible sample's pattern nearest to the slider's T.
    let shown: Vec<(&SampleView, &Pattern)> = samples
        .iter()
        .enumerate()
        .filter(|(i, s)| s.visible || *i == active)
        .filter_map(|(i, s)| {
            let idx = if i == active {
                cursor
            } else {
                nearest_index(s.series(), t)
            };
            s.series().patterns.get(idx).map(|p| (s, p))
        })
        .collect();

    Plot::new("pattern_plot")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(quantity)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .show(ui, |plot_ui| {
            if let Some(reference) = series.patterns.first() {
                plot_ui.line(
                    Line::new(
                        format!(
                            "{} reference ({})",
                            series.sample,
                            reference_label(reference)
                        ),
                        points(&reference.x, &reference.y),
                    )
                    .color(faint(active_sample.colour)),
                );
            }
            for (s, p) in &shown {
                plot_ui.line(
                    Line::new(
                        format!("{} {}", s.series().sample, short_t(p)),
                        points(&p.x, &p.y),
                    )
                    .color(s.colour)
                    .width(1.5),
                );
            }
        });

    ui.label(format!(
        "Δ{quantity} = {quantity}(T) − {quantity}(reference: first pattern of each sample)"
    ));
    Plot::new("difference_plot")
        .height(height)
        .legend(Legend::default())
        .x_axis_label(x_label)
        .y_axis_label(format!("Δ{quantity}"))
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .show(ui, |plot_ui| {
            for (s, p) in &shown {
                if let Some(reference) = s.series().patterns.first() {
                    let d = difference_from_reference(p, reference);
                    plot_ui.line(
                        Line::new(
                            format!("{} {}", s.series().sample, short_t(p)),
                            points(&p.x, &d),
                        )
                        .color(s.colour)
                        .width(1.5),
                    );
                }
            }
        });
}

fn short_t(p: &Pattern) -> String {
    match p.kelvin() {
        Some(t) => format!("{t:.1} K"),
        None => format!("#{}", p.index),
    }
}

fn reference_label(p: &Pattern) -> String {
    short_t(p)
}
