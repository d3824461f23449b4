//! The explorer driven headless with egui_kittest (no display, no GPU): widgets found by role and
//! accessible label.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use glassray::ui::GlassrayApp;

use super::fixture;

fn harness(paths: Vec<std::path::PathBuf>) -> Harness<'static, GlassrayApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| GlassrayApp::new(&cc.egui_ctx, paths))
}

/// Steps frames until the background load has been collected.
fn wait_loaded(h: &mut Harness<'static, GlassrayApp>) {
    for _ in 0..3000 {
        h.step();
        if !h.state().is_loading() {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("load did not finish");
}

#[test]
fn slider_and_arrow_keys_move_every_panel_to_the_new_temperature() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    assert_eq!(h.state().samples.len(), 3, "AC, CR, HPT");
    assert!(h.query_by_label_contains("at T = 300.0 K").is_some());

    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit(40.0);
    h.step();
    h.step();
    assert_eq!(h.state().cursor, 40);
    // 300 K + 40 × 3 K: the heading and both plot legends follow.
    assert!(
        h.query_by_label_contains("at T = 420.0 K").is_some(),
        "heading shows the new T"
    );
    assert!(h.query_by_label_contains("at T = 300.0 K").is_none());

    h.key_press(egui::Key::ArrowRight);
    h.step();
    h.step();
    assert_eq!(h.state().cursor, 41);
    assert!(h.query_by_label_contains("at T = 423.0 K").is_some());
    h.key_press(egui::Key::ArrowLeft);
    h.key_press(egui::Key::ArrowLeft);
    h.step();
    h.step();
    assert_eq!(h.state().cursor, 39);
}

#[test]
fn a_bad_folder_fills_the_problems_panel_and_the_app_keeps_running() {
    let mut h = harness(vec![fixture("bad")]);
    wait_loaded(&mut h);
    let state = h.state();
    assert_eq!(state.samples.len(), 1);
    assert_eq!(state.samples[0].series().len(), 4);
    assert!(h.query_by_label_contains("Problems (").is_some());
    // File, line and reason of a skipped file, and a per-pattern problem, all in one list.
    assert!(h.query_by_label("non_monotonic.xy").is_some());
    assert!(
        h.query_by_label_contains("x decreases (1.15 after 1.2 on line 4)")
            .is_some()
    );
    assert!(h.query_by_label_contains("not a number: `abc`").is_some());
    assert_eq!(
        h.query_all_by_label("line 5").count(),
        3,
        "non_finite, non_monotonic and repeated_x"
    );
    // Still alive: the slider works on what did load.
    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit(2.0);
    h.step();
    h.step();
    assert_eq!(h.state().cursor, 2);
    assert!(
        h.query_by_label_contains("pattern #2 — non_numeric_row.xy")
            .is_some()
    );
}

#[test]
fn play_sweeps_the_series() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    h.get_by_label("Play").click();
    for _ in 0..40 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let cursor = h.state().cursor;
    assert!(cursor > 0, "playback advanced");
    h.get_by_label("Pause").click();
    h.step();
    let paused = h.state().cursor;
    for _ in 0..10 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.state().cursor, paused, "pause stops the sweep");
}

/// Steps frames until the background analysis has been collected.
fn wait_analysed(h: &mut Harness<'static, GlassrayApp>) {
    for _ in 0..6000 {
        h.step();
        if !h.state().is_analysing() && h.state().samples.iter().all(|s| s.analysis.is_some()) {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("analysis did not finish");
}

#[test]
fn real_space_and_fit_panels_follow_the_slider() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    assert!(
        h.query_by_label_contains("r1 = ").is_some(),
        "lobe r1 labelled"
    );
    assert!(
        h.query_by_label_contains("r6 = ").is_some(),
        "lobe r6 labelled"
    );
    let fraction_text = |h: &Harness<'static, GlassrayApp>| {
        let state = h.state();
        let fit = &state.samples[state.active]
            .analysis
            .as_ref()
            .expect("analysed")
            .patterns[state.cursor]
            .fit;
        format!(
            "3-atom: {:.3} ± {:.3}",
            fit.fractions[2], fit.fraction_errors[2]
        )
    };
    let at_300 = fraction_text(&h);
    assert!(h.query_by_label(&at_300).is_some(), "{at_300} shown");
    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit(120.0);
    h.step();
    h.step();
    let at_660 = fraction_text(&h);
    assert_ne!(at_300, at_660);
    assert!(
        h.query_by_label(&at_660).is_some(),
        "{at_660} shown after the move"
    );
    // The G(r)/g(r) toggle.
    h.get_by_label("g(r)").click();
    h.step();
    assert!(h.state().show_pair_g);
}
