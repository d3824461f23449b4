//! The explorer driven headless with egui_kittest (no display, no GPU): widgets found by role and
//! accessible label.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use glassray::analysis::transitions::Transition;
use glassray::ui::{GlassrayApp, PlotId};

use super::fixture;
use super::kit::{harness, right_click, type_into, wait_idle};

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
    assert_eq!(h.state().samples().len(), 3, "AC, CR, HPT");
    assert!(h.query_by_label_contains("at T = 300.0 K").is_some());

    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit(40.0);
    h.step();
    h.step();
    assert_eq!(h.state().cursor(), 40);
    // 300 K + 40 × 3 K: the heading and both plot legends follow.
    assert!(
        h.query_by_label_contains("at T = 420.0 K").is_some(),
        "heading shows the new T"
    );
    assert!(h.query_by_label_contains("at T = 300.0 K").is_none());

    h.key_press(egui::Key::ArrowRight);
    h.step();
    h.step();
    assert_eq!(h.state().cursor(), 41);
    assert!(h.query_by_label_contains("at T = 423.0 K").is_some());
    h.key_press(egui::Key::ArrowLeft);
    h.key_press(egui::Key::ArrowLeft);
    h.step();
    h.step();
    assert_eq!(h.state().cursor(), 39);
}

#[test]
fn a_bad_folder_fills_the_problems_panel_and_the_app_keeps_running() {
    let mut h = harness(vec![fixture("bad")]);
    wait_loaded(&mut h);
    let state = h.state();
    assert_eq!(state.samples().len(), 1);
    assert_eq!(state.samples()[0].series().len(), 4);
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
    assert_eq!(h.state().cursor(), 2);
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
    // The harness steps a quarter second a frame: 2 s at 20 patterns/s.
    h.run_steps(9);
    let cursor = h.state().cursor();
    assert!((33..=40).contains(&cursor), "20 patterns/s: {cursor}");
    h.get_by_label("Pause").click();
    h.step();
    let paused = h.state().cursor();
    h.run_steps(10);
    assert_eq!(h.state().cursor(), paused, "pause stops the sweep");
    // A slower speed.
    h.get_by_label("speed").click();
    h.run_steps(2);
    h.get_by_label("5 patterns/s").click();
    h.run_steps(2);
    h.get_by_label("Play").click();
    h.run_steps(9);
    let slow = h.state().cursor() - paused;
    assert!((7..=10).contains(&slow), "5 patterns/s: {slow}");
    // To the end, where it stops; Space then starts again from the first pattern.
    h.get_by_label("Pause").click();
    h.step();
    let n = h.state().pattern_count();
    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit((n - 2) as f64);
    h.run_steps(2);
    h.get_by_label("Play").click();
    h.run_steps(4);
    assert_eq!(h.state().cursor(), n - 1);
    assert!(h.query_by_label("Play").is_some(), "stopped at the end");
    h.key_press(egui::Key::Space);
    h.step();
    assert!(h.state().cursor() <= 2, "rewound: {}", h.state().cursor());
}

/// File ▸ Paths…
fn open_paths_window(h: &mut Harness<'static, GlassrayApp>) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Paths…").click();
    h.run_steps(2);
}

/// Steps frames until the background analysis has been collected.
fn wait_analysed(h: &mut Harness<'static, GlassrayApp>) {
    for _ in 0..6000 {
        h.step();
        if !h.state().is_analysing() && h.state().samples().iter().all(|s| s.analysis().is_some()) {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("analysis did not finish");
}

/// Waits for the systematic-σ stage too (it follows the main result and changes the error
/// bars, so the plots' data).
fn wait_systematic(h: &mut Harness<'static, GlassrayApp>) {
    for _ in 0..12000 {
        h.step();
        let done = h.state().samples().iter().all(|s| {
            s.analysis()
                .is_some_and(|a| a.patterns.iter().all(|p| p.systematic.is_some()))
        });
        if !h.state().is_analysing() && done {
            h.step();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("systematic stage did not finish");
}

#[test]
fn real_space_and_fit_panels_follow_the_slider() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    // The ρ0 in use, and where it came from.
    assert!(
        h.query_by_label_contains("atoms/Å³ (from the file header `rho0`)")
            .is_some(),
        "ρ0 shown with its source"
    );
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
        let fit = &state.samples()[state.active()]
            .analysis()
            .expect("analysed")
            .patterns[state.cursor()]
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
    assert!(h.state().show_pair_g());
}

/// The 2-atom fraction as the fit panel prints it for the current pattern.
fn shown_fraction(h: &Harness<'static, GlassrayApp>, mode: usize) -> String {
    let state = h.state();
    let fit = state.shown_fit().expect("a fit is shown");
    let name = ["1-atom", "2-atom", "3-atom", "4-atom"][mode];
    format!(
        "{name}: {:.3} ± {:.3}",
        fit.fractions[mode], fit.fraction_errors[mode]
    )
}

#[test]
fn typing_a_seed_refits_and_the_fit_panel_shows_the_new_result() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.get_by_role_and_label(Role::Slider, "T")
        .set_value_accesskit(100.0);
    h.run_steps(2);
    let before = shown_fraction(&h, 1);
    assert!(h.query_by_label(&before).is_some(), "{before} shown");
    let centre_before = h.state().samples()[0].analysis().expect("a").patterns[100]
        .fit
        .centres[1];

    h.get_by_role_and_label(Role::SpinButton, "2-atom seed (Å)")
        .set_value_accesskit(5.30);
    h.run_steps(2);
    assert_eq!(h.state().params().fit.seeds[1], 5.30);
    wait_analysed(&mut h);
    let state = h.state();
    let a = state.samples()[0].analysis().expect("re-analysed");
    assert_eq!(a.params.fit.seeds[1], 5.30, "the series was refitted");
    let fit = &a.patterns[100].fit;
    // The centre is bounded to ±0.1 Å of the new seed, so it must have moved.
    assert!(
        (fit.centres[1] - 5.30).abs() <= 0.1 + 1e-9,
        "{}",
        fit.centres[1]
    );
    assert!((centre_before - 5.142).abs() <= 0.1 + 1e-9);
    let after = shown_fraction(&h, 1);
    assert_ne!(before, after);
    assert!(h.query_by_label(&after).is_some(), "{after} shown");
}

#[test]
fn dragging_a_seed_in_move_mode_moves_it_without_panning() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.get_by_label("Move mode").click();
    h.run_steps(2);
    assert!(h.state().move_mode());
    let plot = h
        .get_by_role_and_label(Role::Image, "Connection-mode fit plot")
        .rect();
    let x = h.state().seed_screen_x(&h.ctx, 0).expect("seed drawn");
    assert!(
        plot.x_range().contains(x),
        "1-atom seed line inside the plot"
    );
    let seed_before = h.state().params().fit.seeds[0];
    let y = plot.center().y;
    h.hover_at(egui::pos2(x, y));
    h.step();
    h.drag_at(egui::pos2(x, y));
    h.step();
    for k in 1..=6 {
        h.hover_at(egui::pos2(x - 6.0 * k as f32, y));
        h.step();
    }
    h.drop_at(egui::pos2(x - 36.0, y));
    h.run_steps(2);
    let seed_after = h.state().params().fit.seeds[0];
    assert!(
        seed_after < seed_before - 0.01,
        "seed moved left: {seed_before} -> {seed_after}"
    );
    // The plot did not pan: the seed's new line sits where the pointer let go.
    let x_after = h.state().seed_screen_x(&h.ctx, 0).expect("seed drawn");
    assert!(
        (x_after - (x - 36.0)).abs() < 3.0,
        "{x_after} vs {}",
        x - 36.0
    );
    wait_analysed(&mut h);
    let a = h.state().samples()[0].analysis().expect("a").clone();
    assert_eq!(a.params.fit.seeds[0], seed_after);
}

#[test]
fn a_mark_survives_a_session_save_and_reload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("explore.ron");
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.get_by_label("Override T_r").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "T_r (K)")
        .set_value_accesskit(575.0);
    h.run_steps(2);
    wait_analysed(&mut h);
    {
        let state = h.state();
        let t = &state.samples()[0].analysis().expect("a").transitions;
        assert_eq!(
            t.used(Transition::Relaxation).map(|x| x.kelvin),
            Some(575.0)
        );
        assert!(
            t.detected(Transition::Relaxation).is_some(),
            "the detected value is kept beside"
        );
    }
    // Save through File ▸ Session file ▸ Save session to path.
    open_paths_window(&mut h);
    type_into(&mut h, "Session file", session.to_str().expect("utf-8"));
    h.get_by_label("Save session to path").click();
    h.run_steps(2);
    wait_idle(&mut h);
    assert!(session.exists(), "{}", h.state().status());

    // A new app reopens it through the same menu.
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    open_paths_window(&mut h);
    type_into(&mut h, "Session file", session.to_str().expect("utf-8"));
    h.get_by_label("Open session from path").click();
    h.run_steps(2);
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    let state = h.state();
    assert_eq!(
        state.samples()[0]
            .marks()
            .override_of(Transition::Relaxation),
        Some(575.0)
    );
    let t = &state.samples()[0].analysis().expect("a").transitions;
    assert_eq!(
        t.used(Transition::Relaxation).map(|x| x.kelvin),
        Some(575.0)
    );
    assert_eq!(
        t.used(Transition::Relaxation).map(|x| x.method.as_str()),
        Some("user")
    );
    // The other samples keep their detected values.
    let cr = &state.samples()[1].analysis().expect("a").transitions;
    assert_eq!(
        cr.used(Transition::Relaxation)
            .map(|x| x.method.as_str() != "user"),
        Some(true)
    );
}

#[test]
fn export_writes_the_analyze_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    open_paths_window(&mut h);
    type_into(&mut h, "Export folder", dir.path().to_str().expect("utf-8"));
    h.get_by_label("Export to folder").click();
    h.run_steps(2);
    wait_idle(&mut h);
    for sample in ["AC", "CR", "HPT"] {
        let metrics = std::fs::read_to_string(dir.path().join(sample).join("metrics.csv"))
            .unwrap_or_else(|e| panic!("{sample}: {e}; status {}", h.state().status()));
        assert!(metrics.starts_with(
            "index,filename,T_K,fsdp_first_moment,fsdp_area,r1_area,r6_area,frac_1atom"
        ));
        assert_eq!(metrics.lines().count(), 152);
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(sample).join("summary.json")).expect("json"),
        )
        .expect("parse");
        assert!(summary["T_r"].as_f64().is_some());
        assert_eq!(
            std::fs::read_dir(dir.path().join(sample).join("gr"))
                .expect("gr")
                .count(),
            151
        );
    }
}

#[test]
fn clicking_a_versus_t_panel_moves_the_slider_there() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    assert_eq!(h.state().cursor(), 0);
    let plot = h
        .get_by_role_and_label(Role::Image, "FSDP area versus T plot")
        .rect();
    // The panels' T axis spans the data (300–750 K) with symmetric margins: the centre of the
    // plot is about 525 K.
    let centre = plot.center();
    h.hover_at(centre);
    h.step();
    h.drag_at(centre);
    h.step();
    h.drop_at(centre);
    h.run_steps(2);
    let t = h.state().current_axis_value().expect("T");
    assert!((t - 525.0).abs() <= 12.0, "slider moved to {t} K");
    assert!(
        h.query_by_label_contains(&format!("at T = {t:.1} K"))
            .is_some(),
        "the S(Q) heading follows"
    );
}

#[test]
fn the_measured_temperature_series_open_and_are_explored() {
    // A G(r) series from PDFgetX3 (SrFe2As2, 210 K down to 174 K) opened as a folder.
    let mut h = harness(vec![super::shared("diffpy-morph-SrFe2As2-Tseries")]);
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    assert_eq!(h.state().samples().len(), 1);
    assert_eq!(h.state().pattern_count(), 7);
    assert!(
        h.query_by_label_contains("G(r) at T = 210.0 K").is_some(),
        "the first pattern at its header temperature"
    );
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    let t = h.state().current_axis_value().expect("T");
    assert!(t < 210.0, "a cooling series steps down: {t}");
    // The fit panel fits the measured g(r) (no S(Q): the FSDP is not available and says so).
    let a = h.state().samples()[0].analysis().expect("analysed").clone();
    assert!(a.patterns.iter().all(|p| p.real_space.is_some()));
    assert!(a.patterns.iter().all(|p| p.fsdp.first_moment.is_nan()));
    assert!(h.query_by_label_contains("Connection modes").is_some());
    // A crystal's G(r) read without its Q range: the lobe count changes between temperatures,
    // and the Problems panel says so (the only problem of this clean series).
    assert!(h.query_by_label_contains("Problems (1)").is_some());
    assert!(
        h.query_by_label_contains("number of G(r) lobes changes")
            .is_some()
    );
}

#[test]
fn in_move_mode_a_mark_and_the_fsdp_window_are_dragged() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    let detected = h.state().samples()[0]
        .analysis()
        .expect("a")
        .transitions
        .used(Transition::Relaxation)
        .expect("T_r")
        .kelvin;
    h.get_by_label("Move mode").click();
    h.run_steps(2);
    // Find T_r's line on the FSDP-area panel: the panels span 300–750 K (with margins) and are
    // linked, so map through two clicks at known x: click → slider T → screen scale.
    let plot = h
        .get_by_role_and_label(Role::Image, "FSDP area versus T plot")
        .rect();
    let t_at = |h: &mut Harness<'static, GlassrayApp>, x: f32| {
        let p = egui::pos2(x, plot.center().y);
        h.hover_at(p);
        h.step();
        h.drag_at(p);
        h.step();
        h.drop_at(p);
        h.run_steps(2);
        h.state().current_axis_value().expect("T")
    };
    let (xa, xb) = (
        plot.left() + 0.3 * plot.width(),
        plot.left() + 0.7 * plot.width(),
    );
    let (ta, tb) = (t_at(&mut h, xa), t_at(&mut h, xb));
    let x_of = |t: f64| xa + (t - ta) as f32 / (tb - ta) as f32 * (xb - xa);
    let start = egui::pos2(x_of(detected), plot.center().y);
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for k in 1..=8 {
        h.hover_at(start - egui::vec2(3.0 * k as f32, 0.0));
        h.step();
    }
    h.drop_at(start - egui::vec2(24.0, 0.0));
    h.run_steps(2);
    let set = h.state().samples()[0]
        .marks()
        .override_of(Transition::Relaxation)
        .expect("T_r overridden by the drag");
    let per_px = (tb - ta) / f64::from(xb - xa);
    assert!(
        (detected - set - 24.0 * per_px).abs() < 6.0 * per_px + 0.2,
        "T_r dragged from {detected} to {set} ({per_px} K/px)"
    );
    wait_analysed(&mut h);
    let t = &h.state().samples()[0].analysis().expect("a").transitions;
    assert_eq!(t.used(Transition::Relaxation).map(|x| x.kelvin), Some(set));

    // The FSDP window's upper edge on the S(Q) panel: drag it right.
    let before = h.state().params().transform.fsdp_window;
    let splot = h.get_by_role_and_label(Role::Image, "S(Q) plot").rect();
    let x_hi = h.state().fsdp_screen_x(&h.ctx, 1).expect("window drawn");
    assert!(splot.x_range().contains(x_hi));
    let p = egui::pos2(x_hi, splot.center().y);
    h.hover_at(p);
    h.step();
    h.drag_at(p);
    h.step();
    for k in 1..=5 {
        h.hover_at(p + egui::vec2(4.0 * k as f32, 0.0));
        h.step();
    }
    h.drop_at(p + egui::vec2(20.0, 0.0));
    h.run_steps(2);
    let after = h.state().params().transform.fsdp_window;
    assert_eq!(after.0, before.0, "the lower edge stays");
    assert!(
        after.1 > before.1 + 0.05,
        "upper edge moved: {before:?} -> {after:?}"
    );
}

#[test]
fn while_a_change_is_analysed_the_samples_never_show_mixed_parameters() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.get_by_role_and_label(Role::SpinButton, "3-atom seed (Å)")
        .set_value_accesskit(4.9);
    // Every frame until the re-analysis is in: all samples' analyses share one seed set.
    let mut frames = 0;
    loop {
        h.step();
        frames += 1;
        let seeds: Vec<f64> = h
            .state()
            .samples()
            .iter()
            .filter_map(|s| s.analysis().map(|a| a.params.fit.seeds[2]))
            .collect();
        assert_eq!(seeds.len(), 3);
        assert!(
            seeds.iter().all(|&s| s == seeds[0]),
            "frame {frames}: samples analysed with different seeds {seeds:?}"
        );
        if !h.state().is_analysing() && seeds[0] == 4.9 {
            break;
        }
        assert!(frames < 20_000, "the re-analysis did not finish");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(frames > 1, "the re-analysis took more than one frame");
}

/// eframe's storage, for calling the save hook by hand.
struct NoStorage;

impl eframe::Storage for NoStorage {
    fn get_string(&self, _key: &str) -> Option<String> {
        None
    }
    fn set_string(&mut self, _key: &str, _value: String) {}
    fn remove_string(&mut self, _key: &str) {}
    fn flush(&mut self) {}
}

#[test]
fn a_last_session_from_a_newer_glassray_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("last-session.ron");
    let newer = "(version: 7, layout_of_the_future: [1, 2, 3])";
    std::fs::write(&path, newer).expect("write");
    let p = path.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| GlassrayApp::with_autosave(&cc.egui_ctx, p.clone()));
    wait_loaded(&mut h);
    wait_idle(&mut h);
    assert!(
        h.state().status().contains("newer Glassray"),
        "{}",
        h.state().status()
    );
    assert_eq!(h.state().samples().len(), 3, "it starts on the demo");
    eframe::App::save(h.state_mut(), &mut NoStorage);
    wait_idle(&mut h);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), newer);
}

/// Every plot's `[x_min, x_max, y_min, y_max]` as of the last frame.
fn all_bounds(h: &Harness<'static, GlassrayApp>) -> Vec<(PlotId, [f64; 4])> {
    PlotId::ALL
        .iter()
        .map(|&p| {
            let b = GlassrayApp::plot_bounds(&h.ctx, p).unwrap_or_else(|| panic!("{p:?} drawn"));
            (p, b)
        })
        .collect()
}

/// The plots whose data do not change with the slider.
const VERSUS: [PlotId; 5] = [
    PlotId::FsdpMoment,
    PlotId::FsdpArea,
    PlotId::Lobes,
    PlotId::Fractions,
    PlotId::Rmse,
];

fn assert_same(
    what: &str,
    frame: usize,
    now: &[(PlotId, [f64; 4])],
    before: &[(PlotId, [f64; 4])],
    plots: &[PlotId],
) {
    for ((p, a), (_, b)) in now.iter().zip(before) {
        if plots.contains(p) {
            assert_eq!(a, b, "{what}, frame {frame}: {p:?} bounds moved");
        }
    }
}

/// A double click where a plot's data area is, which resets its view. The harness steps a
/// quarter of a second per frame, longer than a double click may take, so the two clicks are
/// given their own times 50 ms apart.
fn double_click(h: &mut Harness<'static, GlassrayApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.step();
    let t0 = h.ctx.input(|i| i.time);
    for k in 0..4 {
        if k % 2 == 0 {
            h.drag_at(at);
        } else {
            h.drop_at(at);
        }
        h.input_mut().time = Some(t0 + 0.05 * (k + 1) as f64);
        h.step();
    }
    h.input_mut().time = None;
    h.run_steps(2);
}

fn pan(h: &mut Harness<'static, GlassrayApp>, from: egui::Pos2, by: egui::Vec2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=5 {
        h.hover_at(from + by * (k as f32 / 5.0));
        h.step();
    }
    h.drop_at(from + by);
    h.run_steps(2);
}

#[test]
fn no_plot_moves_its_axes_unless_its_data_a_pan_or_a_reset_does() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    wait_systematic(&mut h);
    h.run_steps(4);
    let start = all_bounds(&h);
    let frames: Vec<egui::Rect> = PlotId::ALL
        .iter()
        .map(|&p| GlassrayApp::plot_frame(&h.ctx, p).expect("drawn"))
        .collect();
    // The RMSE panel spans the glass's values (up to the detected T_x) with a small margin (not
    // 0–1 for values of 0.02, nor the crystallised fits' 0.07).
    let rmse: Vec<f64> = h
        .state()
        .samples()
        .iter()
        .flat_map(|s| {
            let a = s.analysis().expect("analysed");
            let t_x = a
                .transitions
                .detected(Transition::Crystallization)
                .map_or(f64::INFINITY, |e| e.kelvin);
            a.patterns
                .iter()
                .zip(s.axis())
                .filter(move |(_, t)| **t <= t_x)
                .map(|(p, _)| p.fit.rmse)
        })
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = rmse
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let [_, _, y0, y1] = GlassrayApp::plot_bounds(&h.ctx, PlotId::Rmse).expect("rmse");
    let span = hi - lo;
    assert!(
        y0 >= lo - 0.25 * span && y1 <= hi + 0.25 * span && y0 <= lo && y1 >= hi,
        "RMSE {lo}–{hi} shown as {y0}–{y1}"
    );

    // 1. The pointer wanders over every plot for 120 frames: nothing moves.
    let mut frame = 0;
    for k in 0..120 {
        let rect = frames[k % frames.len()];
        let f = (k as f32 * 0.37).fract();
        h.hover_at(rect.lerp_inside(egui::vec2(f, 1.0 - f)));
        h.step();
        frame += 1;
        assert_same("hover", frame, &all_bounds(&h), &start, &PlotId::ALL);
    }
    h.remove_cursor();

    // 2. The slider runs 40 patterns up and back: the versus-T panels hold still, and the
    //    pattern plots come back to where they were.
    for key in [egui::Key::ArrowRight, egui::Key::ArrowLeft] {
        for _ in 0..40 {
            h.key_press(key);
            h.step();
            frame += 1;
            assert_same("slider", frame, &all_bounds(&h), &start, &VERSUS);
        }
    }
    assert_eq!(h.state().cursor(), 0);
    h.run_steps(2);
    assert_same("slider back", frame, &all_bounds(&h), &start, &PlotId::ALL);

    // 3. Play for 20 frames (5 s of playback: 100 of the 150 patterns).
    h.get_by_label("Play").click();
    for _ in 0..20 {
        h.step();
        frame += 1;
        assert_same("play", frame, &all_bounds(&h), &start, &VERSUS);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.get_by_label("Pause").click();
    h.step();
    while h.state().cursor() > 0 {
        h.key_press(egui::Key::ArrowLeft);
        h.step();
    }
    h.run_steps(2);
    assert_same("play back", frame, &all_bounds(&h), &start, &PlotId::ALL);

    // 4. A seed drag: only the fit and what the fits feed may change while it runs.
    h.get_by_label("Move mode").click();
    h.run_steps(2);
    let seed = h.state().params().fit.seeds[0];
    let fit = frames[4];
    let x = h.state().seed_screen_x(&h.ctx, 0).expect("seed drawn");
    let at = egui::pos2(x, fit.center().y);
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    let unfitted = [
        PlotId::Pattern,
        PlotId::Difference,
        PlotId::HeatMap,
        PlotId::RealSpace,
        PlotId::FsdpMoment,
        PlotId::FsdpArea,
        PlotId::Lobes,
    ];
    for k in 1..=20 {
        h.hover_at(at - egui::vec2(2.0 * k as f32, 0.0));
        h.step();
        frame += 1;
        assert_same("seed drag", frame, &all_bounds(&h), &start, &unfitted);
    }
    h.drop_at(at - egui::vec2(40.0, 0.0));
    h.run_steps(2);
    assert!(
        h.state().params().fit.seeds[0] < seed - 0.01,
        "the seed moved"
    );
    h.get_by_label("Move mode").click();
    h.run_steps(2);
    // The seed typed back: the same fits, so the same bounds as at the start.
    h.get_by_role_and_label(Role::SpinButton, "1-atom seed (Å)")
        .set_value_accesskit(seed);
    h.run_steps(2);
    wait_idle(&mut h);
    h.run_steps(3);
    assert_eq!(h.state().params().fit.seeds[0], seed);
    assert_same("seed back", frame, &all_bounds(&h), &start, &PlotId::ALL);

    // 5. Pan a versus-T panel and the S(Q) plot, then double-click each: the data's bounds.
    for (plot, index) in [(PlotId::FsdpArea, 6), (PlotId::Pattern, 0)] {
        let rect = frames[index];
        pan(&mut h, rect.center(), egui::vec2(60.0, 20.0));
        let panned = GlassrayApp::plot_bounds(&h.ctx, plot).expect("drawn");
        let before = start.iter().find(|(p, _)| *p == plot).expect("plot").1;
        assert_ne!(panned, before, "{plot:?} panned");
        double_click(&mut h, rect.center());
        while h.state().cursor() > 0 {
            h.key_press(egui::Key::ArrowLeft);
            h.step();
        }
        h.run_steps(2);
        let now = all_bounds(&h);
        let plots = if plot == PlotId::Pattern {
            &PlotId::ALL[..]
        } else {
            &VERSUS[..]
        };
        assert_same("reset", frame, &now, &start, plots);
    }
}

/// Presses and releases the primary button at `at`, as a mouse does.
fn mouse_click(h: &mut Harness<'static, GlassrayApp>, at: egui::Pos2) {
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    h.drop_at(at);
    h.step();
}

#[test]
fn the_paths_window_takes_mouse_clicks_and_typing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = dir.path().join("by-mouse.ron");
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    // File ▸ Paths… with the mouse.
    let file = h.get_by_label("File").rect();
    mouse_click(&mut h, file.center());
    h.run_steps(2);
    let item = h.get_by_label("Paths…").rect();
    mouse_click(&mut h, item.center());
    h.run_steps(2);
    // Click into the session field: the window stays, the field takes the typing.
    let field = h
        .get_by_role_and_label(Role::TextInput, "Session file")
        .rect();
    mouse_click(&mut h, field.center());
    h.run_steps(2);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Session file")
            .is_some(),
        "the window is still open after a click into its field"
    );
    h.event(egui::Event::Text(session.display().to_string()));
    h.step();
    let save = h.get_by_label("Save session to path").rect();
    mouse_click(&mut h, save.center());
    h.run_steps(2);
    wait_idle(&mut h);
    assert!(session.exists(), "{}", h.state().status());
    assert!(
        h.state().status().contains("by-mouse.ron"),
        "the status says where: {}",
        h.state().status()
    );
    // Done: the window closed itself.
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Session file")
            .is_none()
    );
}

#[test]
fn parameters_held_by_their_bounds_are_marked_in_the_fit_panel() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    // A tolerance of 2 mÅ holds most centres on seed ± tolerance.
    h.get_by_role_and_label(Role::SpinButton, "Seed tolerance (Å)")
        .set_value_accesskit(0.002);
    h.run_steps(2);
    wait_idle(&mut h);
    h.run_steps(2);
    let state = h.state();
    let params = state.params().fit.clone();
    assert_eq!(params.tolerance, 0.002);
    let fit = state.shown_fit().expect("a fit");
    let bounds = fit.at_bounds(&params);
    let held = bounds.count(params.free_widths);
    assert!(
        bounds.any_centre(),
        "{:?} vs seeds {:?}",
        fit.centres,
        params.seeds
    );
    assert!(
        h.query_by_label(&format!("{held} at a bound")).is_some(),
        "the fit header counts {held}"
    );
    for i in 0..4 {
        let text = format!("{:.3} (at bound)", fit.centres[i]);
        assert_eq!(
            h.query_by_label(&text).is_some(),
            bounds.centres[i],
            "centre {i}: {text}"
        );
    }
    // Back to the default tolerance: the count is what the library says for that fit.
    h.get_by_role_and_label(Role::SpinButton, "Seed tolerance (Å)")
        .set_value_accesskit(0.1);
    h.run_steps(2);
    wait_idle(&mut h);
    h.run_steps(2);
    let state = h.state();
    let fit = state.shown_fit().expect("a fit");
    let params = state.params().fit.clone();
    let held = fit.at_bounds(&params).count(params.free_widths);
    assert_eq!(
        h.query_by_label_contains("at a bound").is_some(),
        held > 0,
        "{held} held"
    );
}

fn undo(h: &mut Harness<'static, GlassrayApp>) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(3);
}

fn redo(h: &mut Harness<'static, GlassrayApp>) {
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run_steps(3);
}

#[test]
fn undo_and_redo_walk_back_through_parameter_seed_mark_and_reset_changes() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    let start = h.state().params().clone();
    // 1. A typed seed.
    h.get_by_role_and_label(Role::SpinButton, "2-atom seed (Å)")
        .set_value_accesskit(5.30);
    h.run_steps(3);
    // 2. A seed dragged over twelve frames: one step.
    h.get_by_label("Move mode").click();
    h.run_steps(2);
    let plot = h
        .get_by_role_and_label(Role::Image, "Connection-mode fit plot")
        .rect();
    let x = h.state().seed_screen_x(&h.ctx, 0).expect("seed drawn");
    let at = egui::pos2(x, plot.center().y);
    h.hover_at(at);
    h.step();
    h.drag_at(at);
    h.step();
    for k in 1..=12 {
        h.hover_at(at - egui::vec2(3.0 * k as f32, 0.0));
        h.step();
    }
    h.drop_at(at - egui::vec2(36.0, 0.0));
    h.run_steps(3);
    h.get_by_label("Move mode").click();
    h.run_steps(3);
    let dragged = h.state().params().fit.seeds[0];
    assert!(dragged < start.fit.seeds[0] - 0.01, "dragged to {dragged}");
    // 3. A mark.
    h.get_by_label("Override T_r").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::SpinButton, "T_r (K)")
        .set_value_accesskit(575.0);
    h.run_steps(3);
    assert_eq!(
        h.state().samples()[0]
            .marks()
            .override_of(Transition::Relaxation),
        Some(575.0)
    );
    // 4. Reset parameters.
    h.get_by_label("Reset parameters").click();
    h.run_steps(3);
    assert_eq!(h.state().params().fit.seeds, start.fit.seeds);

    // Back through all of it.
    undo(&mut h);
    assert_eq!(h.state().params().fit.seeds[0], dragged, "reset undone");
    assert_eq!(h.state().params().fit.seeds[1], 5.30);
    undo(&mut h);
    undo(&mut h);
    assert_eq!(
        h.state().samples()[0]
            .marks()
            .override_of(Transition::Relaxation),
        None,
        "the mark's override and its value undone"
    );
    undo(&mut h);
    assert_eq!(
        h.state().params().fit.seeds[0],
        start.fit.seeds[0],
        "the whole drag undone in one step"
    );
    assert_eq!(h.state().params().fit.seeds[1], 5.30);
    undo(&mut h);
    assert_eq!(h.state().params(), &start);
    undo(&mut h);
    assert_eq!(h.state().params(), &start, "nothing more to undo");
    assert_eq!(h.state().status(), "nothing to undo");
    // And forward again.
    redo(&mut h);
    redo(&mut h);
    assert_eq!(h.state().params().fit.seeds[0], dragged);
    // The series is analysed with what is shown.
    wait_idle(&mut h);
    let a = h.state().samples()[0].analysis().expect("a").clone();
    assert_eq!(a.params.fit.seeds[0], dragged);
    // A new change drops what could be redone.
    h.get_by_label("Reset parameters").click();
    h.run_steps(3);
    redo(&mut h);
    assert_eq!(h.state().status(), "nothing to redo");
}

#[test]
fn unticking_a_sample_hides_it_even_when_it_is_the_active_one() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    assert_eq!(h.state().active(), 0);
    assert_eq!(h.state().drawn_samples(), [0, 1, 2]);
    h.get_by_label("Show AC").click();
    h.run_steps(2);
    assert_eq!(h.state().drawn_samples(), [1, 2], "the active AC is hidden");
    assert_eq!(
        h.state().active(),
        0,
        "and still the one the slider steps through"
    );
    for label in ["Show CR", "Show HPT"] {
        h.get_by_label(label).click();
        h.run_steps(2);
    }
    assert!(h.state().drawn_samples().is_empty());
    assert!(
        h.query_by_label_contains("every sample is hidden")
            .is_some()
    );
    h.get_by_label("Show AC").click();
    h.run_steps(2);
    assert_eq!(h.state().drawn_samples(), [0]);
}

#[test]
fn every_parameter_and_mark_explains_itself_and_help_explains_the_modes() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    // The side panel's controls (plot legends are checkboxes too; they are not parameters).
    let side = |h: &Harness<'static, GlassrayApp>| {
        let right = h.get_by_label("Reset parameters").rect().right() + 40.0;
        let mut labels = Vec::new();
        for role in [Role::SpinButton, Role::CheckBox] {
            for node in h.query_all_by_role(role) {
                if node.rect().left() < right {
                    labels.push(node.accesskit_node().label().unwrap_or_default());
                }
            }
        }
        labels
    };
    let mut labels = Vec::new();
    // The transform sections open, then closed again with every mark's number shown.
    for section in ["Transform", "FSDP window"] {
        h.get_by_label(section).click();
        h.run_steps(2);
    }
    h.get_by_label("Set Qmin (1/Å)").click();
    h.run_steps(2);
    labels.extend(side(&h));
    for section in ["Transform", "FSDP window", "Connection-mode fit"] {
        h.get_by_label(section).click();
        h.run_steps(2);
    }
    for toggle in [
        "Override T_r",
        "Override T_g",
        "Override T_x",
        "Set DSC T_g (K)",
        "Set DSC T_x (K)",
    ] {
        h.get_by_label(toggle).click();
        h.run_steps(2);
    }
    labels.extend(side(&h));
    for must in [
        "T_r (K)",
        "T_x (K)",
        "Qmin (1/Å)",
        "DSC T_g (K)",
        "1-atom seed (Å)",
        "Lorch modification",
    ] {
        assert!(labels.iter().any(|l| l == must), "{must} among {labels:?}");
    }
    let missing: Vec<&String> = labels
        .iter()
        .filter(|l| glassray::ui::explanation(l).is_none())
        .collect();
    assert!(missing.is_empty(), "no tooltip for {missing:?}");
    h.get_by_label("Connection-mode fit").click();
    h.run_steps(2);
    // A tooltip shows on hover.
    let seed = h
        .get_by_role_and_label(Role::SpinButton, "2-atom seed (Å)")
        .rect();
    h.hover_at(seed.center());
    h.run_steps(4);
    assert!(
        h.query_by_label_contains("edge-sharing Gaussian").is_some(),
        "the seed's tooltip is shown"
    );
    // Help.
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Explanations…").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("√(8/3)R").is_some());
    assert!(h.query_by_label_contains("onset of relaxation").is_some());
}

#[test]
fn a_folder_that_mixes_materials_opens_as_two_samples_and_says_so() {
    let mut h = harness(vec![super::shared("diffpy-pdfgui-LaMnO3-Tseries-and-Ni")]);
    wait_loaded(&mut h);
    let state = h.state();
    let sizes: Vec<usize> = state.samples().iter().map(|s| s.series().len()).collect();
    assert_eq!(
        sizes,
        [14, 2],
        "the LaMnO3 series first, the Ni files apart"
    );
    assert!(
        h.query_by_label_contains("mixed folder").is_some(),
        "the problems panel says the folder was split"
    );
}

#[test]
fn setting_a_mark_never_moves_the_plots() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    let frames = |h: &Harness<'static, GlassrayApp>| -> Vec<egui::Rect> {
        PlotId::ALL
            .iter()
            .map(|&p| GlassrayApp::plot_frame(&h.ctx, p).expect("drawn"))
            .collect()
    };
    let before = frames(&h);
    // The override row (a number and "use detected") appears in the side panel.
    h.get_by_label("Override T_x").click();
    h.run_steps(3);
    assert!(h.query_by_label("use detected").is_some());
    h.get_by_label("Set DSC T_x (K)").click();
    h.run_steps(3);
    let after = frames(&h);
    for (p, (a, b)) in PlotId::ALL.iter().zip(before.iter().zip(&after)) {
        assert!(
            (a.left() - b.left()).abs() < 0.5 && (a.right() - b.right()).abs() < 0.5,
            "{p:?} moved from {a:?} to {b:?}"
        );
    }
}

#[test]
fn the_versus_t_panels_put_one_temperature_at_one_x_on_a_laptop_and_a_desktop() {
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(1920.0, 1080.0)] {
        let mut h = Harness::builder()
            .with_size(size)
            .build_eframe(|cc| GlassrayApp::new(&cc.egui_ctx, Vec::new()));
        wait_loaded(&mut h);
        wait_analysed(&mut h);
        h.run_steps(3);
        let xs: Vec<(f32, f32)> = VERSUS
            .iter()
            .map(|&p| {
                (
                    GlassrayApp::screen_x(&h.ctx, p, 400.0).expect("drawn"),
                    GlassrayApp::screen_x(&h.ctx, p, 700.0).expect("drawn"),
                )
            })
            .collect();
        for (p, x) in VERSUS.iter().zip(&xs) {
            assert!(
                (x.0 - xs[0].0).abs() < 0.5 && (x.1 - xs[0].1).abs() < 0.5,
                "{size:?}: {p:?} puts 400 K and 700 K at {x:?}, the first panel at {:?}",
                xs[0]
            );
        }
    }
}

#[test]
fn a_right_click_on_a_plot_copies_its_data() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    let plot = h.get_by_role_and_label(Role::Image, "S(Q) plot").rect();
    right_click(&mut h, plot.center());
    h.get_by_label("Copy data (CSV)").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        });
    h.run_steps(2);
    // Three samples' S(Q) at the current T, every point of each.
    let points: usize = h
        .state()
        .samples()
        .iter()
        .map(|s| s.series().patterns[0].x.len())
        .sum();
    assert_eq!(
        h.state().status(),
        format!("copied {points} points of S(Q)"),
        "the status says what was copied"
    );
    let text = copied.expect("text on the clipboard");
    assert!(text.starts_with("curve,Q,y\n"), "{}", &text[..40]);
    assert_eq!(text.lines().count(), points + 1);
}

#[test]
fn the_q_range_used_by_the_transform_is_said_on_s_of_q() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    assert!(
        h.query_by_label_contains("G(r) uses Qmin 0.50 (the data's end) to Qmax")
            .is_some()
    );
    h.get_by_label("Transform").click();
    h.run_steps(2);
    h.get_by_label("Set Qmax (1/Å)").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("to Qmax 20.00 (set)").is_some(),
        "a set Qmax is said"
    );
}

#[test]
fn open_files_waits_while_a_load_runs() {
    let mut h = harness(Vec::new());
    h.step();
    if h.state().is_loading() {
        h.get_by_label("File").click();
        h.step();
        h.step();
        let node = h.get_by_label("Open files…");
        assert!(node.accesskit_node().is_disabled(), "offered while loading");
        h.key_press(egui::Key::Escape);
        h.step();
    }
    wait_loaded(&mut h);
    h.get_by_label("File").click();
    h.run_steps(2);
    assert!(!h.get_by_label("Open files…").accesskit_node().is_disabled());
}

#[test]
fn the_tour_walks_through_every_area_and_points_at_each() {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_eframe(|cc| GlassrayApp::new(&cc.egui_ctx, Vec::new()));
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.run_steps(4);
    assert!(h.state().tour().is_none());
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Tour").click();
    h.run_steps(3);
    let titles = [
        "Samples and parameters",
        "One temperature for every panel",
        "Reciprocal space",
        "Real space: G(r) and g(r)",
        "The second peak as four ways clusters connect",
        "Everything against temperature",
        "T_r, T_g and T_x",
        "Problems",
    ];
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
    let fit_plot = GlassrayApp::plot_frame(&h.ctx, PlotId::Fit).expect("fit plot drawn");
    let g_plot = GlassrayApp::plot_frame(&h.ctx, PlotId::RealSpace).expect("G(r) drawn");
    let versus = GlassrayApp::plot_frame(&h.ctx, PlotId::Rmse).expect("RMSE drawn");
    for (k, title) in titles.iter().enumerate() {
        // Enough frames for a scroll to the marks to finish its animation.
        h.run_steps(30);
        assert!(
            h.query_by_label(&format!("Tour {} of 8", k + 1)).is_some(),
            "step {k}"
        );
        assert!(h.query_by_label(title).is_some(), "{title}");
        let (step, area) = h.state().tour().expect("the tour runs");
        assert_eq!(step, k);
        assert!(
            area.width() > 50.0 && area.height() > 20.0 && screen.contains_rect(area),
            "{title}: {area:?}"
        );
        // The highlight is where the panel is.
        match k {
            3 => assert!(
                area.contains_rect(g_plot.shrink(1.0)),
                "{area:?} {g_plot:?}"
            ),
            4 => assert!(
                area.contains_rect(fit_plot.shrink(1.0)),
                "{area:?} {fit_plot:?}"
            ),
            5 => assert!(
                area.contains_rect(versus.shrink(1.0)),
                "{area:?} {versus:?}"
            ),
            // Below the fold on a laptop: scrolled into view, not a sliver at the bottom.
            6 => assert!(
                area.height() > 150.0,
                "the marks are scrolled into view: {area:?}"
            ),
            _ => {}
        }
        if k == 2 {
            // Back returns one step, Next again.
            h.get_by_label("Back").click();
            h.run_steps(2);
            assert_eq!(h.state().tour().map(|t| t.0), Some(1));
            h.get_by_label("Next").click();
            h.run_steps(2);
            assert_eq!(h.state().tour().map(|t| t.0), Some(2));
        }
        let next = if k + 1 == titles.len() {
            "Finish"
        } else {
            "Next"
        };
        h.get_by_label(next).click();
    }
    h.run_steps(2);
    assert!(h.state().tour().is_none(), "Finish ends the tour");
    assert!(h.query_by_label_contains("Tour 1 of").is_none());
    // Esc ends a tour at any step.
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Tour").click();
    h.run_steps(2);
    assert!(h.state().tour().is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().tour().is_none(), "Esc ends the tour");
}

#[test]
fn the_systematic_sigma_follows_the_fit_and_is_shown_beside_the_statistical_one() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    // The systematic stage follows the main result: wait until the active sample has it.
    let mut waited = 0;
    while h.state().samples()[0]
        .analysis()
        .is_none_or(|a| a.patterns.iter().any(|p| p.systematic.is_none()))
    {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
        waited += 1;
        assert!(waited < 6000, "the systematic stage did not arrive");
    }
    h.run_steps(3);
    let a = h.state().samples()[0].analysis().expect("analysed").clone();
    let pa = &a.patterns[h.state().cursor()];
    let sys = pa.systematic.expect("systematic σ").fractions;
    // The fit panel says both, with the values of the pattern shown.
    for (m, s) in sys.iter().enumerate() {
        if pa.fit.amplitudes[m] > 0.0 && s.is_finite() {
            let text = format!(
                "{:.3} ± {:.3} ± {s:.3}",
                pa.fit.fractions[m], pa.fit.fraction_errors[m]
            );
            assert!(h.query_by_label_contains(&text).is_some(), "{text}");
        }
    }
    assert!(
        h.query_by_label("(± stat ± sys)").is_some(),
        "the order is said"
    );
}

#[test]
fn export_figures_from_the_paths_window_writes_every_figure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("figures");
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    // Only AC and CR shown: the figures hold the shown samples.
    h.get_by_role_and_label(Role::CheckBox, "Show HPT").click();
    h.run_steps(2);
    let file = h.get_by_label("File").rect();
    mouse_click(&mut h, file.center());
    h.run_steps(2);
    let item = h.get_by_label("Paths…").rect();
    mouse_click(&mut h, item.center());
    h.run_steps(2);
    let field = h
        .get_by_role_and_label(Role::TextInput, "Export folder")
        .rect();
    mouse_click(&mut h, field.center());
    h.run_steps(2);
    h.event(egui::Event::Text(out.display().to_string()));
    h.step();
    let button = h.get_by_label("Export figures to folder").rect();
    mouse_click(&mut h, button.center());
    let mut waited = 0;
    while !h.state().status().contains("figure files") {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
        waited += 1;
        assert!(waited < 3000, "no figures: {}", h.state().status());
    }
    assert!(
        h.state()
            .status()
            .contains("20 figure files of 2 sample(s)"),
        "{}",
        h.state().status()
    );
    for name in [
        "fig3_sq",
        "fig4_fsdp",
        "fig5_gr",
        "fig6_modes",
        "heatmap_ds",
    ] {
        for ext in ["svg", "pdf", "png", "csv"] {
            assert!(out.join(format!("{name}.{ext}")).is_file(), "{name}.{ext}");
        }
    }
    let csv = std::fs::read_to_string(out.join("fig4_fsdp.csv")).expect("csv");
    assert!(csv.contains(",AC,") && csv.contains(",CR,") && !csv.contains(",HPT,"));
}

#[test]
fn a_panels_figure_takes_the_range_shown_on_screen() {
    let mut h = harness(Vec::new());
    wait_loaded(&mut h);
    wait_analysed(&mut h);
    h.run_steps(3);
    for plot in [PlotId::Rmse, PlotId::Pattern, PlotId::Fit, PlotId::HeatMap] {
        let frame = GlassrayApp::plot_frame(&h.ctx, plot).expect("drawn");
        let shown = GlassrayApp::plot_bounds(&h.ctx, plot).expect("bounds");
        assert_eq!(
            GlassrayApp::shown_bounds(&h.ctx, frame),
            Some(shown),
            "{plot:?}"
        );
    }
    let nowhere = egui::Rect::from_min_size(egui::pos2(1.0, 1.0), egui::vec2(3.0, 3.0));
    assert_eq!(GlassrayApp::shown_bounds(&h.ctx, nowhere), None);
}
