//! Right-click ▸ Export figure / Save data, driven headless: with no file dialog (as here, and
//! on desktops without a portal) the Save plot window asks for the path; Save writes the
//! figure in SVG, PDF and PNG with the CSV of exactly what the plot shows, Cancel writes
//! nothing.

use std::collections::BTreeMap;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use glassray::report::figures::parse_svg;

use super::kit::{App, harness, right_click, settled, type_into, wait_for};

/// The demo, analysed, with the S(Q) plot's context menu open.
fn menu_on_s_of_q() -> App {
    let mut h = harness(Vec::new());
    wait_for(&mut h, "the demo's analysis", settled);
    let at = h
        .get_by_role_and_label(Role::Image, "S(Q) plot")
        .rect()
        .center();
    right_click(&mut h, at);
    h
}

/// Replaces the Save plot window's path with `path`.
fn type_path(h: &mut App, path: &std::path::Path) {
    h.get_by_role_and_label(Role::TextInput, "Save to").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    type_into(h, "Save to", path.to_str().expect("utf-8 path"));
}

/// (curve → points) of a figure CSV (`panel,sample,series,x,y,error`).
fn figure_curves(path: &std::path::Path) -> BTreeMap<String, Vec<(f64, f64)>> {
    let mut curves: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).expect("figure csv");
    for r in reader.records() {
        let r = r.expect("row");
        let num = |i: usize| r[i].parse::<f64>().expect("number");
        curves
            .entry(r[2].to_owned())
            .or_default()
            .push((num(3), num(4)));
    }
    curves
}

#[test]
fn export_figure_asks_for_the_path_and_writes_what_the_plot_shows() {
    let mut h = menu_on_s_of_q();
    h.get_by_label("Export figure (SVG, PDF, PNG)…").click();
    h.run_steps(3);
    // No dialog here: the window asks, starting from the plot's name in the current folder.
    let field = h.get_by_role_and_label(Role::TextInput, "Save to");
    let start = field.value().expect("a path");
    assert!(
        start.ends_with(".svg") && start.contains("glassray-S-Q"),
        "{start}"
    );
    assert!(
        h.state()
            .status()
            .contains("type it in the Save plot window")
    );
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sq-panel.svg");
    type_path(&mut h, &path);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the figure written", settled);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Save to")
            .is_none(),
        "the window closes"
    );
    assert!(
        h.state().status().starts_with("saved the figure"),
        "{}",
        h.state().status()
    );
    for ext in ["svg", "pdf", "png", "csv"] {
        assert!(path.with_extension(ext).is_file(), "{ext} written");
    }
    let svg = std::fs::read_to_string(&path).expect("svg");
    parse_svg(&svg).expect("the SVG parses");
    // The figure's numbers are the plot's: each shown sample's S(Q) at the slider's T, every
    // point.
    let curves = figure_curves(&path.with_extension("csv"));
    let app = h.state();
    assert_eq!(curves.len(), app.samples().len(), "{:?}", curves.keys());
    for (sample, (name, points)) in app.samples().iter().zip(&curves) {
        let p = &sample.series().patterns[0];
        assert!(name.starts_with(&sample.series().sample), "{name}");
        let expected: Vec<(f64, f64)> = p.x.iter().copied().zip(p.y.iter().copied()).collect();
        assert_eq!(points, &expected, "{name}");
    }
}

#[test]
fn cancel_in_the_save_window_writes_nothing() {
    let mut h = menu_on_s_of_q();
    h.get_by_label("Save data as CSV…").click();
    h.run_steps(3);
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("never.csv");
    type_path(&mut h, &path);
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Save to")
            .is_none()
    );
    assert_eq!(h.state().status(), "nothing saved");
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}
