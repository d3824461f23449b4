//! The Model (what-if) window and Show planted, driven headless with egui_kittest: a slider
//! rebuilds the what-if sample and the analysis follows it; the overlays never move a plot.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use glassray::analysis::transitions::Transition;
use glassray::ui::{GlassrayApp, PlotId};

use super::fixture;
use super::kit::{harness, wait_for};

/// Every sample analysed, nothing loading, building or analysing.
fn settled(app: &GlassrayApp) -> bool {
    !app.is_loading()
        && !app.is_building_model()
        && !app.is_analysing()
        && app.samples().iter().all(|s| s.analysis().is_some())
}

/// The what-if sample, analysed.
fn what_if_settled(app: &GlassrayApp) -> bool {
    settled(app) && app.samples().iter().any(|s| s.is_what_if())
}

fn what_if(app: &GlassrayApp) -> &glassray::ui::state::Sample {
    app.samples()
        .iter()
        .find(|s| s.is_what_if())
        .expect("a what-if sample")
}

fn detected_t_r(app: &GlassrayApp) -> f64 {
    what_if(app)
        .analysis()
        .and_then(|a| a.transitions.kelvin(Transition::Relaxation))
        .expect("a detected T_r")
}

/// Median reported statistical σ of the 2-atom fraction below T_x.
fn median_two_atom_sigma(app: &GlassrayApp) -> f64 {
    let a = what_if(app).analysis().expect("analysed");
    let mut s: Vec<f64> = a
        .patterns
        .iter()
        .zip(what_if(app).axis())
        .filter(|(_, t)| **t < 700.0)
        .map(|(p, _)| p.fit.fraction_errors[1])
        .filter(|v| v.is_finite())
        .collect();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// The demo loaded and analysed, the Model window opened from the sample list and its
/// sample built and analysed.
fn demo_with_model() -> Harness<'static, GlassrayApp> {
    let mut h = harness(Vec::new());
    wait_for(&mut h, "the demo's analysis", settled);
    h.get_by_label("Open the what-if model...").click();
    h.run_steps(4);
    assert!(h.query_by_label("Model (what-if)").is_some(), "the window");
    wait_for(&mut h, "the what-if sample", what_if_settled);
    h
}

#[test]
fn moving_the_t_r_slider_moves_the_detected_t_r_of_the_what_if_sample() {
    let mut h = demo_with_model();
    let app = h.state();
    assert_eq!(app.samples().len(), 4);
    assert_eq!(what_if(app).series().sample, "What-if");
    assert_eq!(what_if(app).series().len(), 151);
    let before = detected_t_r(app);
    eprintln!("detected T_r at the planted 590 K: {before:.1} K");
    assert!((before - 590.0).abs() < 10.0, "{before}");

    h.get_by_role_and_label(Role::Slider, "Relaxation onset T_r")
        .set_value_accesskit(520.0);
    h.step();
    assert_eq!(h.state().model_params().t_r, 520.0);
    assert!(h.state().is_building_model(), "rebuilt in the background");
    wait_for(&mut h, "the rebuilt what-if sample", what_if_settled);
    let app = h.state();
    assert_eq!(app.samples().len(), 4, "replaced in place, not added");
    let planted = what_if(app).planted().expect("planted").transitions();
    assert_eq!(planted[0], 520.0);
    let after = detected_t_r(app);
    eprintln!("detected T_r at the planted 520 K: {after:.1} K");
    assert!((after - 520.0).abs() < 10.0, "{after}");
    assert!(before - after > 50.0, "{before} then {after}");
    // The window says both.
    assert!(h.query_all_by_label("520 K").count() >= 1);

    // Remove: back to the three demo samples, still analysed.
    h.get_by_label("Remove the what-if sample").click();
    h.run_steps(2);
    wait_for(&mut h, "the analysis without it", settled);
    let app = h.state();
    let names: Vec<&str> = app
        .samples()
        .iter()
        .map(|s| s.series().sample.as_str())
        .collect();
    assert_eq!(names, ["AC", "CR", "HPT"], "{}", app.status());
    assert!(app.samples().iter().all(|s| !s.is_what_if()));
}

#[test]
fn more_noise_widens_the_reported_two_atom_sigma() {
    let mut h = demo_with_model();
    let quiet = median_two_atom_sigma(h.state());
    h.get_by_label("noisy").click();
    h.step();
    assert_eq!(h.state().model_params().noise, 10.0);
    wait_for(&mut h, "the noisy what-if sample", |app| {
        what_if_settled(app) && what_if(app).planted().is_some_and(|p| p.sample.noise > 1.0)
    });
    let noisy = median_two_atom_sigma(h.state());
    eprintln!(
        "median 2-atom sigma: {quiet:.5} at the demo's noise, {noisy:.5} at 10 x ({:.1} x)",
        noisy / quiet
    );
    assert!(noisy > 3.0 * quiet, "{quiet} then {noisy}");
    // Reset goes back to the AC sample's parameters.
    h.get_by_label("Reset").click();
    h.step();
    assert_eq!(h.state().model_params().noise, 1.0);
}

/// The versus-T plots' `[x_min, x_max, y_min, y_max]` as of the last frame.
fn versus_bounds(h: &Harness<'static, GlassrayApp>) -> Vec<[f64; 4]> {
    [
        PlotId::FsdpMoment,
        PlotId::FsdpArea,
        PlotId::Lobes,
        PlotId::Fractions,
        PlotId::Rmse,
    ]
    .iter()
    .map(|&p| GlassrayApp::plot_bounds(&h.ctx, p).expect("drawn"))
    .collect()
}

#[test]
fn toggling_show_planted_never_moves_the_versus_t_axes() {
    let mut h = harness(Vec::new());
    wait_for(&mut h, "the demo's analysis and systematic sigma", |app| {
        settled(app)
            && app.samples().iter().all(|s| {
                s.planted().is_some()
                    && s.analysis()
                        .is_some_and(|a| a.patterns.iter().all(|p| p.systematic.is_some()))
            })
    });
    h.run_steps(4);
    assert!(!h.state().show_planted());
    let start = versus_bounds(&h);
    let frame = GlassrayApp::plot_frame(&h.ctx, PlotId::Fractions).expect("drawn");
    let mut seen_on = false;
    for k in 0..30 {
        if k % 3 == 0 {
            h.get_by_label("Show planted").click();
        }
        seen_on |= h.state().show_planted();
        let x = frame.left() + frame.width() * (k as f32 + 0.5) / 30.0;
        h.hover_at(egui::pos2(x, frame.center().y));
        h.step();
        assert_eq!(versus_bounds(&h), start, "frame {k}: the axes moved");
    }
    assert!(seen_on, "the overlays were drawn");
    assert!(!h.state().show_planted(), "ten clicks: off again");
}

#[test]
fn samples_read_from_files_offer_no_planted_toggle() {
    let mut h = harness(vec![fixture("bad")]);
    wait_for(&mut h, "the folder's analysis", settled);
    h.run_steps(2);
    assert!(h.state().samples().iter().all(|s| s.planted().is_none()));
    assert!(h.query_by_label("Show planted").is_none());
    // The demo's samples do offer it.
    let mut demo = harness(Vec::new());
    wait_for(&mut demo, "the demo's planted truth", |app| {
        settled(app) && app.samples().iter().all(|s| s.planted().is_some())
    });
    assert!(demo.query_by_label("Show planted").is_some());
}

#[test]
fn slider_values_stay_valid_after_clamping() {
    let mut h = harness(Vec::new());
    wait_for(&mut h, "the demo", |app| !app.is_loading());
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Model (what-if)…").click();
    h.run_steps(4);
    // T_g below T_r: lifted to T_r + 20 K, and the window says so.
    h.get_by_role_and_label(Role::Slider, "Glass transition T_g")
        .set_value_accesskit(400.0);
    h.run_steps(2);
    let p = h.state().model_params().clone();
    assert_eq!((p.t_r, p.t_g), (590.0, 610.0));
    assert!(p.t_x >= p.t_g + 15.0);
    assert!(h.query_by_label_contains("clamped: T_g").is_some());
    // T_r above T_g and T_x: the others move up with it, all in order and at most 740 K.
    h.get_by_role_and_label(Role::Slider, "Relaxation onset T_r")
        .set_value_accesskit(750.0);
    h.run_steps(2);
    let p = h.state().model_params().clone();
    assert!(
        p.t_r + 20.0 <= p.t_g && p.t_g + 15.0 <= p.t_x && p.t_x <= 740.0,
        "{p:?}"
    );
    // A fraction moved: the four still sum to 1, each in 0–1.
    h.get_by_role_and_label(Role::Slider, "1-atom at 300 K")
        .set_value_accesskit(0.9);
    h.run_steps(2);
    let p = h.state().model_params().clone();
    assert!(
        (p.fractions.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{p:?}"
    );
    assert!(p.fractions.iter().all(|f| (0.0..=1.0).contains(f)));
    assert_eq!(
        p.checked().1,
        Vec::<String>::new(),
        "what the window holds is valid"
    );
    wait_for(&mut h, "the what-if sample", what_if_settled);
}
