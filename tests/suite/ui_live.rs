//! File ▸ Watch folder in the window (issue 16): patterns written into a folder appear in the
//! app as they land, with the analysis of the batch path, the slider following the newest
//! until the user moves it, and the status bar saying what came.

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use glassray::analysis::metric::Metric;
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::analyze_with_systematics;
use glassray::engine::load_inputs;
use glassray::io::LoadOptions;
use glassray::model::HeatingSeries;
use glassray::report::demo_files::{demo_file_name, demo_header, pattern_text};
use glassray::ui::{GlassrayApp, PlotId};

use super::kit::{App, harness, settled, type_into, wait_for};

fn write_patterns(dir: &Path, series: &HeatingSeries, which: impl IntoIterator<Item = usize>) {
    for i in which {
        let p = &series.patterns[i];
        let text = pattern_text(p, &demo_header(series, p));
        std::fs::write(dir.join(demo_file_name(series, p)), text).expect("write");
    }
}

/// File ▸ Paths…, the folder typed, Watch path (File ▸ Watch folder… opens a dialog, which
/// the tests do not have).
fn watch_via_menu(h: &mut App, dir: &Path) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Paths…").click();
    h.run_steps(2);
    type_into(h, "Path to open", &dir.display().to_string());
    h.get_by_role_and_label(Role::Button, "Watch path").click();
    h.run_steps(2);
}

/// Steps frames until the app shows `n` watched patterns, all analysed.
fn wait_patterns(h: &mut App, n: usize) {
    wait_for(h, &format!("{n} watched patterns analysed"), |app| {
        app.watching().is_some_and(|(_, k, _)| k == n)
            && app.samples().len() == 1
            && app.samples()[0].series().len() == n
            && settled(app)
    });
}

/// The shown analysis is the batch analysis of the folder as it is, bit for bit.
fn assert_batch(h: &App, dir: &Path) {
    let loads = load_inputs(&[dir.to_path_buf()], &LoadOptions::default());
    let batch = analyze_with_systematics(
        &loads[0].series,
        &AnalysisParams::default(),
        &Marks::default(),
    );
    let shown = h.state().samples()[0].analysis().expect("analysed");
    let (a, b) = (
        format!("{:?}", shown.patterns),
        format!("{:?}", batch.patterns),
    );
    if a != b {
        let at = a
            .bytes()
            .zip(b.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "the shown analysis differs from the batch one at\n{}\n{}",
            &a[at.saturating_sub(300)..(at + 100).min(a.len())],
            &b[at.saturating_sub(300)..(at + 100).min(b.len())]
        );
    }
    assert_eq!(
        format!("{:?}", shown.transitions),
        format!("{:?}", batch.transitions)
    );
}

#[test]
fn a_watched_folder_grows_in_the_window_and_the_slider_follows_the_newest() {
    // The first pattern (300 K) alone, as at the start of a run, then the glass up to 477 K.
    let series = demo_series(&SAMPLES[0], &DemoConfig::default());
    assert!(series.len() > 140);
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, 0..1);

    let mut h = harness(vec![]);
    wait_for(&mut h, "the demo", settled);
    // File ▸ Watch folder… has no dialog here: the Paths window takes the typed path.
    watch_via_menu(&mut h, dir.path());
    wait_patterns(&mut h, 1);
    assert_eq!(h.state().cursor(), 0, "the slider on the newest pattern");
    assert!(
        h.query_by_label_contains("Watching").is_some(),
        "the live bar"
    );
    assert_batch(&h, dir.path());

    // More patterns land: the slider follows.
    write_patterns(dir.path(), &series, 1..60);
    wait_patterns(&mut h, 60);
    assert_eq!(h.state().cursor(), 59);
    assert!(
        h.query_by_label_contains(&format!(
            "newest {}",
            demo_file_name(&series, &series.patterns[59])
        ))
        .is_some(),
        "the newest file is named"
    );
    assert_batch(&h, dir.path());

    // The versus-T axes grew with the series (they had been fitted to the first pattern).
    h.run_steps(2);
    let [x0, x1, y0, y1] =
        GlassrayApp::plot_bounds(&h.ctx, PlotId::FsdpMoment).expect("the panel was drawn");
    let shown = &h.state().samples()[0];
    let q1 = &shown
        .analysis()
        .expect("analysed")
        .curve(Metric::FsdpFirstMoment)
        .expect("curve")
        .values;
    let t = shown.axis();
    assert!(
        x0 <= t[0] && x1 >= t[59],
        "T axis {x0}–{x1} for {}–{}",
        t[0],
        t[59]
    );
    for v in q1 {
        assert!((y0..=y1).contains(v), "Q1 {v} outside {y0}–{y1}");
    }

    // The user steps back: the slider stays where it was put while patterns keep landing,
    // and the frames in between never move it.
    h.key_press(egui::Key::ArrowLeft);
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert_eq!(h.state().cursor(), 57);
    write_patterns(dir.path(), &series, 60..64);
    for _ in 0..24_000 {
        h.step();
        assert_eq!(h.state().cursor(), 57, "the slider moved under the user");
        if h.state().watching().is_some_and(|(_, k, _)| k == 64) && settled(h.state()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    wait_patterns(&mut h, 64);
    assert_eq!(h.state().cursor(), 57);
    assert_batch(&h, dir.path());

    // Stop watching: what was read stays.
    h.get_by_role_and_label(Role::Button, "Stop watching")
        .click();
    h.run_steps(2);
    assert!(h.state().watching().is_none());
    assert_eq!(h.state().samples()[0].series().len(), 64);
    write_patterns(dir.path(), &series, 64..66);
    h.run_steps(20);
    assert_eq!(
        h.state().samples()[0].series().len(),
        64,
        "no longer followed"
    );
}

#[test]
fn a_watched_folder_of_raw_intensities_is_loaded_not_followed_and_says_how() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let demo = tmp.path().join("demo");
    let out = super::cli::glassray(&[
        "demo",
        "--intensity",
        "--out",
        demo.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{out:?}");
    let beam = tmp.path().join("beam");
    std::fs::create_dir(&beam).expect("mkdir");
    let copy = |i: usize| {
        let name = format!("AC_{i:04}.xy");
        std::fs::copy(demo.join("AC").join(&name), beam.join(&name)).expect("copy");
    };
    (0..5).for_each(copy);

    let mut h = harness(vec![]);
    wait_for(&mut h, "the demo", settled);
    watch_via_menu(&mut h, &beam);
    wait_for(&mut h, "the raw folder loaded, not watched", |app| {
        app.watching().is_none()
            && app.samples().len() == 1
            && app.samples()[0]
                .reduction()
                .is_some_and(|r| r.raw().len() == 5)
    });
    // Said in the sample's notes (the reduction of the inferred composition soon replaces
    // the status line).
    let notes = h.state().samples()[0].series().notes.join("\n");
    assert!(
        notes.contains("not watched") && notes.contains("raw intensities I(Q)"),
        "{notes}"
    );
    assert!(notes.contains("glassray watch"), "{notes}");
    let reduced = |app: &GlassrayApp| {
        settled(app)
            && app.samples()[0]
                .reduction()
                .is_some_and(|r| r.raw().len() == 5)
    };
    wait_for(&mut h, "the inferred composition reduced", reduced);
    let notes = h.state().samples()[0].series().notes.join("\n");
    assert!(notes.contains("not watched"), "still said: {notes}");
    // Never an analysis of raw counts as if they were S(Q): no NaN fractions shown.
    for s in h.state().samples() {
        if let Some(a) = s.analysis() {
            assert!(
                a.patterns
                    .iter()
                    .all(|p| p.fit.fractions.iter().all(|f| f.is_finite()))
            );
        }
    }
    // Not followed: new files do not land.
    (5..7).for_each(copy);
    for _ in 0..40 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(h.state().watching().is_none());
    let raw = h.state().samples()[0].reduction().map(|r| r.raw().len());
    assert_eq!(raw, Some(5));
}

/// File ▸ Paths…, the session file typed, then `button` (Save/Open session from path).
fn session_via_menu(h: &mut App, path: &Path, button: &str) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Paths…").click();
    h.run_steps(2);
    type_into(h, "Session file", &path.display().to_string());
    h.get_by_label(button).click();
    h.run_steps(2);
}

#[test]
fn a_session_saved_while_watching_reopens_following_the_folder_with_its_marks() {
    let series = demo_series(&SAMPLES[0], &DemoConfig::default());
    let tmp = tempfile::tempdir().expect("tempdir");
    let beam = tmp.path().join("beam");
    std::fs::create_dir(&beam).expect("mkdir");
    let session = tmp.path().join("run.ron");
    write_patterns(&beam, &series, 0..30);

    let mut h = harness(vec![]);
    wait_for(&mut h, "the demo", settled);
    watch_via_menu(&mut h, &beam);
    wait_patterns(&mut h, 30);
    // A mark set while watching is kept in the session beside the watched folder.
    h.get_by_label("Override T_r").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "T_r (K)")
        .set_value_accesskit(350.0);
    h.run_steps(2);
    let with_mark = |app: &GlassrayApp| {
        settled(app)
            && app.samples()[0].analysis().is_some_and(|a| {
                a.transitions
                    .used(glassray::analysis::transitions::Transition::Relaxation)
                    .map(|t| t.kelvin)
                    == Some(350.0)
            })
    };
    wait_for(&mut h, "the mark analysed", with_mark);
    session_via_menu(&mut h, &session, "Save session to path");
    wait_for(&mut h, "the session written", |app| {
        !app.is_busy() && session.exists()
    });
    let text = std::fs::read_to_string(&session).expect("session");
    assert!(text.contains("watching: true"), "{text}");
    drop(h);

    // A new window opens it: the folder is followed again, with the mark.
    let mut h = harness(vec![]);
    wait_for(&mut h, "the demo", settled);
    session_via_menu(&mut h, &session, "Open session from path");
    wait_patterns(&mut h, 30);
    wait_for(&mut h, "the session's mark in the analysis", with_mark);
    assert_eq!(
        h.state().watching().map(|(dir, _, _)| dir.to_path_buf()),
        Some(beam.clone())
    );
    write_patterns(&beam, &series, 30..34);
    wait_patterns(&mut h, 34);
    wait_for(&mut h, "the mark kept as patterns land", with_mark);

    // Stopped: a session saved now reopens the folder as files, not followed.
    h.get_by_role_and_label(Role::Button, "Stop watching")
        .click();
    h.run_steps(2);
    assert!(h.state().watching().is_none());
    let later = h.state().session();
    assert!(!later.watching);
    assert_eq!(later.sources, vec![beam.clone()]);
}
