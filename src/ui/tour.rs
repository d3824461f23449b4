//! Help ▸ Tour: a few steps through the window for a first-time user or a class. Each step dims
//! everything but one area (the samples and parameters, the T slider, the pattern column, G(r),
//! the fit, the versus-T panels, the marks, the problems) and says in a sentence or two what it
//! shows and what to do with it. Back/Next/End (or Esc) move through it; nothing else changes.

use eframe::egui;

/// The areas a tour step points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    Samples,
    Slider,
    Pattern,
    RealSpace,
    Fit,
    Versus,
    Marks,
    Problems,
}

/// Where each area was drawn in the last frame (screen points).
#[derive(Debug, Clone, Default)]
pub struct Areas(Vec<(Area, egui::Rect)>);

impl Areas {
    pub fn set(&mut self, area: Area, rect: egui::Rect) {
        match self.0.iter_mut().find(|(a, _)| *a == area) {
            Some(slot) => slot.1 = rect,
            None => self.0.push((area, rect)),
        }
    }

    pub fn get(&self, area: Area) -> Option<egui::Rect> {
        self.0.iter().find(|(a, _)| *a == area).map(|(_, r)| *r)
    }
}

/// One step: the area, its title, and what to say.
pub struct Step {
    pub area: Area,
    pub title: &'static str,
    pub text: &'static str,
}

/// The tour, in order.
pub const STEPS: [Step; 8] = [
    Step {
        area: Area::Samples,
        title: "Samples and parameters",
        text: "Each sample is one heating series: tick it to show it, click its name to make it \
               the one the slider steps through. Every parameter below changes the whole \
               analysis, recomputed in the background; hover a field for what it means, Ctrl+Z \
               undoes.",
    },
    Step {
        area: Area::Slider,
        title: "One temperature for every panel",
        text: "Drag the slider (or press the left and right arrow keys) and every panel follows. Play sweeps through the \
               heating series at the chosen speed; Space plays and pauses.",
    },
    Step {
        area: Area::Pattern,
        title: "Reciprocal space",
        text: "S(Q) at the slider's temperature with the first pattern faint behind it and the \
               FSDP window shaded; ΔS(Q), what changed since the first pattern; and the heat map \
               of ΔS for every temperature at once: crystallisation shows as sharp red streaks.",
    },
    Step {
        area: Area::RealSpace,
        title: "Real space: G(r) and g(r)",
        text: "G(r), the Fourier transform of S(Q): each peak is a shell of neighbours. The \
               shaded lobes r1 and r6 are the first and sixth shells, whose areas are followed \
               against temperature. Switch to g(r) with the buttons above.",
    },
    Step {
        area: Area::Fit,
        title: "The second peak as four ways clusters connect",
        text: "The second peak of g(r) fitted with four Gaussians: clusters sharing 1 atom \
               (vertex, 2R apart), 2 (edge, √3R), 3 (face, √(8/3)R) or 4 atoms (intercross, \
               √2R). Amber values sit on their bounds and are held, not measured. In Move mode, \
               drag a dashed seed line.",
    },
    Step {
        area: Area::Versus,
        title: "Everything against temperature",
        text: "The FSDP position and area, the lobe areas, the four fractions and the fit's \
               error, for every sample, with the relaxation onset T_r, the glass transition T_g \
               and crystallisation T_x marked. Hover for values and the file; right-click to \
               save a panel's data or image.",
    },
    Step {
        area: Area::Marks,
        title: "T_r, T_g and T_x",
        text: "The transitions detected in the active sample, with their uncertainty. Tick \
               override to set one by hand (or drag its line in Move mode): the marks move on \
               every panel.",
    },
    Step {
        area: Area::Problems,
        title: "Problems",
        text: "Files that could not be read, patterns flagged as damaged and anything else \
               wrong with a series, each with the file and the reason. The rest of the series \
               is analysed as usual.",
    },
];

/// The tour's state: the step shown, if any.
#[derive(Debug, Default)]
pub struct Tour {
    step: Option<usize>,
}

impl Tour {
    pub fn start(&mut self) {
        self.step = Some(0);
    }

    pub fn step(&self) -> Option<usize> {
        self.step
    }

    /// Dims the window but the step's area, and shows the step's card; Esc ends the tour.
    pub fn show(&mut self, ctx: &egui::Context, areas: &Areas) {
        let Some(k) = self.step else { return };
        let Some(step) = STEPS.get(k) else {
            self.step = None;
            return;
        };
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            self.step = None;
            return;
        }
        let screen = ctx.content_rect();
        let target = areas.get(step.area).unwrap_or(screen).intersect(screen);
        // Dim what is around the area: a layer of the windows' order that is no window, so it
        // is painted above the panels and windows; the card (foreground) stays undimmed.
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Middle,
            egui::Id::unique("tour_dim"),
        ));
        let dim = egui::Color32::from_black_alpha(170);
        for r in around(screen, target) {
            painter.rect_filled(r, 0.0, dim);
        }
        painter.rect_stroke(
            target.shrink(1.0),
            4.0,
            egui::Stroke::new(2.5, egui::Color32::from_rgb(238, 204, 102)),
            egui::StrokeKind::Inside,
        );
        let width = 340.0_f32.min(screen.width() - 16.0);
        let card = card_position(screen, target, width);
        let mut next = Some(k);
        egui::Area::new(egui::Id::unique("tour_card"))
            .order(egui::Order::Foreground)
            .fixed_pos(card)
            .interactable(true)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(width);
                    ui.weak(format!("Tour {} of {}", k + 1, STEPS.len()));
                    ui.strong(step.title);
                    ui.label(step.text);
                    ui.horizontal(|ui| {
                        if ui.add_enabled(k > 0, egui::Button::new("Back")).clicked() {
                            next = Some(k - 1);
                        }
                        let last = k + 1 == STEPS.len();
                        if ui.button(if last { "Finish" } else { "Next" }).clicked() {
                            next = (!last).then_some(k + 1);
                        }
                        if !last && ui.button("End tour").clicked() {
                            next = None;
                        }
                    });
                });
            });
        self.step = next;
    }
}

/// The (up to four) rectangles of `screen` outside `hole`.
fn around(screen: egui::Rect, hole: egui::Rect) -> Vec<egui::Rect> {
    let pieces = [
        egui::Rect::from_min_max(screen.min, egui::pos2(screen.max.x, hole.min.y)),
        egui::Rect::from_min_max(egui::pos2(screen.min.x, hole.max.y), screen.max),
        egui::Rect::from_min_max(
            egui::pos2(screen.min.x, hole.min.y),
            egui::pos2(hole.min.x, hole.max.y),
        ),
        egui::Rect::from_min_max(
            egui::pos2(hole.max.x, hole.min.y),
            egui::pos2(screen.max.x, hole.max.y),
        ),
    ];
    pieces
        .into_iter()
        .filter(|r| r.width() > 0.0 && r.height() > 0.0)
        .collect()
}

/// Where the card goes: beside the area where there is room (right, left, below, above), else
/// over the area's top-left corner; always inside the screen.
fn card_position(screen: egui::Rect, target: egui::Rect, width: f32) -> egui::Pos2 {
    let height = 170.0;
    let gap = 8.0;
    let candidates = [
        egui::pos2(target.max.x + gap, target.min.y),
        egui::pos2(target.min.x - gap - width, target.min.y),
        egui::pos2(target.min.x, target.max.y + gap),
        egui::pos2(target.min.x, target.min.y - gap - height),
    ];
    let inside = |p: &egui::Pos2| {
        screen.contains_rect(egui::Rect::from_min_size(*p, egui::vec2(width, height)))
    };
    let p = candidates
        .into_iter()
        .find(inside)
        .unwrap_or(target.min + egui::vec2(gap, gap));
    egui::pos2(
        p.x.clamp(screen.min.x, (screen.max.x - width).max(screen.min.x)),
        p.y.clamp(screen.min.y, (screen.max.y - height).max(screen.min.y)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dimmed_pieces_cover_the_screen_but_the_area() {
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
        let hole = egui::Rect::from_min_max(egui::pos2(250.0, 30.0), egui::pos2(600.0, 620.0));
        let pieces = around(screen, hole);
        let area: f32 = pieces.iter().map(|r| r.area()).sum();
        assert!((area + hole.area() - screen.area()).abs() < 1e-3, "{area}");
        assert!(pieces.iter().all(|r| !r.intersects(hole.shrink(0.5))));
    }

    #[test]
    fn the_card_sits_beside_its_area_and_inside_the_screen() {
        let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
        let left = egui::Rect::from_min_max(egui::pos2(0.0, 30.0), egui::pos2(250.0, 620.0));
        assert_eq!(card_position(screen, left, 340.0), egui::pos2(258.0, 30.0));
        // The versus column at the right: the card goes to its left.
        let right = egui::Rect::from_min_max(egui::pos2(930.0, 30.0), egui::pos2(1280.0, 620.0));
        assert_eq!(card_position(screen, right, 340.0).x, 930.0 - 8.0 - 340.0);
        // The whole screen: over its corner, inside.
        let p = card_position(screen, screen, 340.0);
        assert!(screen.contains(p) && p.x + 340.0 <= 1280.0);
    }
}
