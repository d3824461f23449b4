//! What the headless UI tests share: the app in a harness, waiting for it, typing and
//! right-clicking.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use glassray::ui::GlassrayApp;

pub type App = Harness<'static, GlassrayApp>;

/// The app at 1400×900 opening `paths` (none: the embedded demo).
pub fn harness(paths: Vec<std::path::PathBuf>) -> App {
    harness_sized(paths, egui::vec2(1400.0, 900.0))
}

/// The app at `size` opening `paths` (none: the embedded demo).
pub fn harness_sized(paths: Vec<std::path::PathBuf>, size: egui::Vec2) -> App {
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| GlassrayApp::new(&cc.egui_ctx, paths))
}

/// Steps frames until nothing is in flight (loads, reductions, analyses, files written).
pub fn wait_idle(h: &mut App) {
    wait_for(h, "the app becoming idle", |app| !app.is_busy());
}

/// Steps frames until `done` holds (sleeping a little between frames), at most ~2 minutes.
pub fn wait_for(h: &mut App, what: &str, done: impl Fn(&GlassrayApp) -> bool) {
    for _ in 0..24_000 {
        h.step();
        if done(h.state()) {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("{what} did not happen");
}

/// Every sample analysed and nothing in flight (loads, analyses, files being written).
pub fn settled(app: &GlassrayApp) -> bool {
    !app.is_busy() && app.samples().iter().all(|s| s.analysis().is_some())
}

/// Focuses the text field with accessible name `label` and types `text` into it.
pub fn type_into(h: &mut App, label: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.step();
}

/// A right click at `at` (hover first, as a mouse does), then two frames for the menu.
pub fn right_click(h: &mut App, at: egui::Pos2) {
    h.hover_at(at);
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    h.run_steps(2);
}
