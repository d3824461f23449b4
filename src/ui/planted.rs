//! What was planted in a model sample, drawn over what the analysis found (Show planted): the
//! planted fractions dash-dot on the versus-T fraction panel, the planted T_r, T_g and T_x as
//! small triangles on the FSDP moment panel, and the four planted modes dashed on the fit plot
//! with their fractions in one line. Everything is painted on the screen after the plot is
//! drawn, in its frame, never as a plot item: toggling it cannot move a plot's axes.

use eframe::egui;
use egui_plot::{PlotPoint, PlotTransform};

use super::realspace::MODE_COLOURS;
use crate::analysis::transitions::Transition;
use crate::engine::whatif::{Planted, PlantedModes};

/// Dash, gap (px) of a dashed line; dash, gap, dot, gap of a dash-dot one.
const DASHED: [f32; 2] = [6.0, 4.0];
const DASH_DOT: [f32; 4] = [8.0, 3.0, 2.0, 3.0];

/// The "on" pieces of `points` (screen positions) under an on/off `pattern` (px) that runs on
/// across vertices.
fn dashes(points: &[egui::Pos2], pattern: &[f32]) -> Vec<[egui::Pos2; 2]> {
    let period: f32 = pattern.iter().sum();
    let mut out = Vec::new();
    if pattern.is_empty() || period <= 0.0 {
        return out;
    }
    let mut phase = 0.0f32;
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = (b - a).length();
        if !len.is_finite() || len <= 0.0 {
            continue;
        }
        let mut s = 0.0f32;
        while s < len {
            let (mut idx, mut start) = (0, 0.0f32);
            while idx + 1 < pattern.len() && start + pattern[idx] <= phase {
                start += pattern[idx];
                idx += 1;
            }
            let step = (start + pattern[idx] - phase).max(0.01).min(len - s);
            if idx % 2 == 0 {
                let at = |d: f32| a + (b - a) * (d / len);
                out.push([at(s), at(s + step)]);
            }
            s += step;
            phase = (phase + step) % period;
        }
    }
    out
}

/// Strokes the pattern's pieces over a dark outline, so a planted line stays visible where it
/// runs through the data points of its own colour.
fn patterned(
    painter: &egui::Painter,
    points: &[egui::Pos2],
    stroke: egui::Stroke,
    pattern: &[f32],
) {
    let pieces = dashes(points, pattern);
    let outline = egui::Stroke::new(stroke.width + 2.5, egui::Color32::from_black_alpha(220));
    for piece in &pieces {
        painter.line_segment(*piece, outline);
    }
    for piece in pieces {
        painter.line_segment(piece, stroke);
    }
}

fn screen(transform: &PlotTransform, x: f64, y: f64) -> egui::Pos2 {
    transform.position_from_point(&PlotPoint::new(x, y))
}

/// The planted fractions of `planted` versus T, dash-dot in the modes' colours.
pub fn paint_fractions(ui: &egui::Ui, transform: &PlotTransform, planted: &Planted) {
    let painter = ui.painter_at(*transform.frame());
    for (m, colour) in MODE_COLOURS.iter().enumerate() {
        let points: Vec<egui::Pos2> = planted
            .fractions()
            .map(|(t, f)| screen(transform, t, f[m]))
            .collect();
        patterned(
            &painter,
            &points,
            egui::Stroke::new(1.5, *colour),
            &DASH_DOT,
        );
    }
}

/// The planted T_r, T_g and T_x as small triangles on the bottom of the frame, named.
pub fn paint_transitions(ui: &egui::Ui, transform: &PlotTransform, planted: &Planted) {
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let font = egui::TextStyle::Small.resolve(ui.style());
    for (kind, t) in Transition::ALL.iter().zip(planted.transitions()) {
        let x = transform.position_from_point_x(t);
        if !x.is_finite() || x < frame.left() || x > frame.right() {
            continue;
        }
        let base = frame.bottom() - 2.0;
        // White, where the detected marks are grey lines: the two never look alike.
        let colour = egui::Color32::WHITE;
        painter.add(egui::Shape::convex_polygon(
            vec![
                egui::pos2(x, base - 8.0),
                egui::pos2(x + 5.0, base),
                egui::pos2(x - 5.0, base),
            ],
            colour,
            egui::Stroke::new(1.0, egui::Color32::BLACK),
        ));
        // The name beside its triangle, on the left when the right would leave the frame.
        let galley = painter.layout_no_wrap(kind.name().to_owned(), font.clone(), colour);
        let left = if x + 6.0 + galley.size().x > frame.right() {
            x - 6.0 - galley.size().x
        } else {
            x + 6.0
        };
        painter.galley(egui::pos2(left, base - galley.size().y), galley, colour);
    }
}

/// The four planted modes on their planted baseline, dashed in the modes' colours, over the
/// fit window, and their fractions in one line at the top left of the plot.
pub fn paint_modes(
    ui: &egui::Ui,
    transform: &PlotTransform,
    modes: &PlantedModes,
    window: (f64, f64),
) {
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let (lo, hi) = window;
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return;
    }
    let n = 160;
    for (k, colour) in MODE_COLOURS.iter().enumerate() {
        let points: Vec<egui::Pos2> = (0..=n)
            .map(|i| {
                let r = lo + (hi - lo) * i as f64 / n as f64;
                screen(transform, r, modes.baseline + modes.component(k, r))
            })
            .collect();
        patterned(&painter, &points, egui::Stroke::new(1.5, *colour), &DASHED);
    }
    let f = modes.fractions;
    let text = format!(
        "planted (dashed): {:.3} / {:.3} / {:.3} / {:.3}",
        f[0], f[1], f[2], f[3]
    );
    let font = egui::TextStyle::Small.resolve(ui.style());
    let galley = painter.layout_no_wrap(text, font, egui::Color32::from_gray(230));
    let at = frame.left_top() + egui::vec2(6.0, 4.0);
    let back = egui::Rect::from_min_size(at, galley.size()).expand(2.0);
    painter.rect_filled(back, 2.0, egui::Color32::from_black_alpha(170));
    painter.galley(at, galley, egui::Color32::from_gray(230));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_runs_on_across_vertices() {
        // 50 px in 5 px pieces under a 6 on, 4 off pattern: on 0-6, 10-16, 20-26, 30-36, 40-46.
        let points: Vec<egui::Pos2> = (0..=10).map(|i| egui::pos2(i as f32 * 5.0, 0.0)).collect();
        let on: f32 = dashes(&points, &DASHED)
            .iter()
            .map(|[a, b]| (b.x - a.x).abs())
            .sum();
        assert!((on - 30.0).abs() < 0.1, "{on}");
        assert!(dashes(&points, &[]).is_empty());
        assert!(dashes(&[egui::pos2(0.0, 0.0), egui::pos2(f32::NAN, 0.0)], &DASHED).is_empty());
    }
}
