//! Raw I(Q) in the explorer: a synthetic series (the demo's AC glass at six temperatures as a
//! detector would record it: planted scale, Compton, a background with a planted scale) is
//! opened, the composition typed into the Reduction group, and the reduced S(Q) must be the
//! planted one; the background scale changes the result and shows in the ρ0/b panel; an
//! unknown element is an error in the group; the I(Q) plots keep their bounds while the
//! pointer moves.

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use glassray::analysis::reduction::scattering_factors;
use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor};
use glassray::model::Quantity;
use glassray::model::composition::Composition;
use glassray::ui::{GlassrayApp, PlotId};

use super::kit::{harness_sized, type_into, wait_idle};

/// Counts per electron unit.
const SCALE: f64 = 2345.6;
const BACKGROUND_SCALE: f64 = 0.85;
const TEMPERATURES: [f64; 6] = [300.0, 400.0, 500.0, 550.0, 600.0, 650.0];

fn grid() -> Vec<f64> {
    (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect()
}

fn write_columns(path: &Path, header: &[String], x: &[f64], y: &[f64]) {
    let mut t = String::new();
    for h in header {
        t.push_str(&format!("# {h}\n"));
    }
    t.push_str("# Q(A^-1) I(Q)\n");
    for (a, b) in x.iter().zip(y) {
        t.push_str(&format!("{a} {b}\n"));
    }
    std::fs::write(path, t).expect("write");
}

/// The raw series in `dir/iq`, the background in `dir/bkg.xy`.
fn write_series(dir: &Path) -> (PathBuf, PathBuf) {
    let q = grid();
    let composition = Composition::parse(COMPOSITION).expect("formula");
    let f = scattering_factors(&composition, &q).expect("factors");
    let bkg: Vec<f64> = q
        .iter()
        .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
        .collect();
    let bkg_path = dir.join("bkg.xy");
    write_columns(&bkg_path, &[], &q, &bkg);
    let iq = dir.join("iq");
    std::fs::create_dir_all(&iq).expect("mkdir");
    for (k, &t) in TEMPERATURES.iter().enumerate() {
        let sq = model_structure_factor(&SAMPLES[0], t, &q);
        let y: Vec<f64> = (0..q.len())
            .map(|i| {
                let eu = f.square_of_mean[i] * (sq[i] - 1.0) + f.mean_square[i] + f.compton[i];
                SCALE * eu + BACKGROUND_SCALE * bkg[i]
            })
            .collect();
        let header = [format!("temperature = {t} K")];
        write_columns(&iq.join(format!("ac_{k:03}.xy")), &header, &q, &y);
    }
    (iq, bkg_path)
}

/// The largest |S − S_planted| over Q = 1–20 Å⁻¹ of every reduced pattern.
fn worst_error(h: &Harness<'static, GlassrayApp>) -> f64 {
    let state = h.state();
    let series = state.samples()[0].series();
    assert_eq!(series.len(), TEMPERATURES.len());
    let mut worst: f64 = 0.0;
    for p in &series.patterns {
        assert_eq!(p.quantity, Quantity::StructureFactor);
        let t = p.kelvin().expect("T");
        let planted = model_structure_factor(&SAMPLES[0], t, &p.x);
        for ((q, s), s0) in p.x.iter().zip(&p.y).zip(&planted) {
            if (1.0..=20.0).contains(q) {
                worst = worst.max((s - s0).abs());
            }
        }
    }
    worst
}

fn shown_scales(h: &Harness<'static, GlassrayApp>) -> Vec<f64> {
    let state = h.state();
    let run = state.samples()[0]
        .reduction()
        .and_then(|r| r.run())
        .expect("reduced");
    run.summary
        .patterns
        .iter()
        .map(|p| p.expect("each pattern reduced").background_scale)
        .collect()
}

#[test]
fn a_raw_series_is_reduced_from_the_composition_typed_in_the_reduction_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (iq, bkg) = write_series(dir.path());
    let mut h = harness_sized(vec![iq], egui::vec2(1600.0, 1000.0));
    wait_idle(&mut h);
    {
        let state = h.state();
        let sample = &state.samples()[0];
        let raw = sample.reduction().expect("a raw sample");
        assert!(!raw.is_reduced());
        assert_eq!(sample.series().patterns[0].quantity, Quantity::Intensity);
    }
    assert!(
        h.query_all_by_label_contains(
            "raw intensities: give the composition in the Reduction group"
        )
        .next()
        .is_some(),
        "the sample says what it needs"
    );

    type_into(&mut h, "Background file", bkg.to_str().expect("utf-8"));
    type_into(&mut h, "Composition", COMPOSITION);
    wait_idle(&mut h);
    let auto = {
        let state = h.state();
        let sample = &state.samples()[0];
        let raw = sample.reduction().expect("raw");
        assert!(raw.is_reduced(), "{:?}", raw.error());
        assert!(sample.analysis().is_some(), "analysed after the reduction");
        assert!(
            sample.analysis().expect("a").patterns[0]
                .fsdp
                .first_moment
                .is_finite(),
            "the FSDP of the reduced S(Q)"
        );
        worst_error(&h)
    };
    let scales = shown_scales(&h);
    println!("auto: worst |ΔS| = {auto:.4}, b = {scales:?}");
    assert!(auto < 0.05, "reduced S(Q) off the planted one by {auto}");
    for b in &scales {
        assert!((b - BACKGROUND_SCALE).abs() < 0.01, "auto b = {b}");
    }

    // The I(Q) view: its plots and the ρ0/b panel.
    h.get_by_label("I(Q) and reduction").click();
    h.run_steps(3);
    for name in [
        "I(Q) plot",
        "Normalised intensity plot",
        "ρ0 versus T plot",
        "Background scale versus T plot",
    ] {
        assert!(
            h.query_by_role_and_label(Role::Image, name).is_some(),
            "{name} drawn"
        );
    }
    let [_, _, y0, y1] =
        GlassrayApp::plot_bounds(&h.ctx, PlotId::BackgroundScale).expect("b panel drawn");
    assert!(
        y0 <= BACKGROUND_SCALE && y1 >= BACKGROUND_SCALE,
        "b panel shows {y0}–{y1}"
    );

    // A fixed scale of 0.5: more background left in, a different (worse) S(Q), and the panel
    // shows 0.5.
    h.get_by_label("Automatic background scale").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "Background scale")
        .set_value_accesskit(0.5);
    h.run_steps(2);
    wait_idle(&mut h);
    let scales = shown_scales(&h);
    assert!(scales.iter().all(|b| *b == 0.5), "{scales:?}");
    let fixed = worst_error(&h);
    println!("b = 0.5: worst |ΔS| = {fixed:.4}");
    assert!(fixed > 2.0 * auto && fixed > 0.02, "{fixed} vs {auto}");
    h.run_steps(2);
    let [_, _, y0, y1] =
        GlassrayApp::plot_bounds(&h.ctx, PlotId::BackgroundScale).expect("b panel drawn");
    assert!(
        y0 <= 0.5 && (0.5..0.85).contains(&y1),
        "b panel shows {y0}–{y1}"
    );

    // Eggert's low-r iteration, set in the group, reaches every pattern and corrects S(Q).
    h.get_by_role_and_label(Role::SpinButton, "Low-r iterations")
        .set_value_accesskit(5.0);
    h.run_steps(2);
    wait_idle(&mut h);
    let iterated = {
        let state = h.state();
        let run = state.samples()[0]
            .reduction()
            .and_then(|r| r.run())
            .expect("reduced");
        assert_eq!(run.settings.iterations, 5);
        assert!(
            run.summary
                .patterns
                .iter()
                .all(|p| p.is_some_and(|p| p.iterations == 5))
        );
        worst_error(&h)
    };
    println!("b = 0.5, 5 iterations: worst |ΔS| = {iterated:.4}");
    // The iteration takes back much of the wrong background's low-r error (0.117 → 0.037).
    assert!(iterated < 0.5 * fixed, "{iterated} vs {fixed}");
}

#[test]
fn an_unknown_element_is_an_error_in_the_group_and_the_i_q_plot_keeps_its_bounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (iq, bkg) = write_series(dir.path());
    let mut h = harness_sized(vec![iq], egui::vec2(1600.0, 1000.0));
    wait_idle(&mut h);
    type_into(&mut h, "Composition", "Zr52.5Xx10");
    wait_idle(&mut h);
    assert!(
        h.query_all_by_label_contains("unknown element 'Xx'")
            .next()
            .is_some(),
        "the error names the element"
    );
    {
        let state = h.state();
        let raw = state.samples()[0].reduction().expect("raw");
        assert!(!raw.is_reduced());
        assert!(raw.error().is_some_and(|e| e.contains("Xx")));
    }

    // Corrected: reduced, with the background at a fixed scale.
    h.get_by_role_and_label(Role::TextInput, "Composition")
        .focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Composition")
        .type_text(COMPOSITION);
    h.step();
    type_into(&mut h, "Background file", bkg.to_str().expect("utf-8"));
    h.get_by_label("I(Q) and reduction").click();
    wait_idle(&mut h);
    {
        let state = h.state();
        let raw = state.samples()[0].reduction().expect("raw");
        assert!(raw.is_reduced(), "{:?}", raw.error());
        assert_eq!(raw.choice().composition, COMPOSITION);
    }
    assert!(
        h.query_all_by_label_contains("unknown element")
            .next()
            .is_none()
    );
    h.run_steps(3);
    let plots = [
        PlotId::Intensity,
        PlotId::Normalised,
        PlotId::Rho0,
        PlotId::BackgroundScale,
    ];
    let bounds = |h: &Harness<'static, GlassrayApp>| -> Vec<[f64; 4]> {
        plots
            .iter()
            .map(|&p| GlassrayApp::plot_bounds(&h.ctx, p).unwrap_or_else(|| panic!("{p:?}")))
            .collect()
    };
    let start = bounds(&h);
    let frame = GlassrayApp::plot_frame(&h.ctx, PlotId::Intensity).expect("drawn");
    // The measured I(Q) is within the plot (its peak near the top, counts in the thousands).
    assert!(start[0][3] > 1.0e4, "{:?}", start[0]);
    for k in 0..30 {
        let f = (k as f32 * 0.37).fract();
        let rect = GlassrayApp::plot_frame(&h.ctx, plots[k % plots.len()]).unwrap_or(frame);
        h.hover_at(rect.lerp_inside(egui::vec2(f, 1.0 - f)));
        h.step();
        assert_eq!(
            bounds(&h),
            start,
            "frame {k}: bounds moved under the pointer"
        );
    }
}
