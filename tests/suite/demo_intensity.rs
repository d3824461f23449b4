//! The raw-intensity demo (`glassray demo --intensity`, [`glassray::demo::intensity`]) is the
//! demo S(Q) seen through the Faber–Ziman reduction backwards: reducing it with the planted
//! settings gives the demo S(Q) back, and the searches find the planted background scale and
//! ρ0(T) (from `truth.json`'s model) while the sample is a glass.

use glassray::analysis::reduce::{ReducePlan, ReduceSettings, ScaleMode, reduce_pattern};
use glassray::demo::intensity::{
    BACKGROUND_SCALE, COUNTS_PER_ELECTRON, empty_cell, intensity_pattern,
};
use glassray::demo::{COMPOSITION, DemoConfig, SAMPLES, demo_pattern, planted_state};
use glassray::model::Quantity;
use glassray::model::composition::Composition;

use super::cli::glassray;

fn settings() -> ReduceSettings {
    ReduceSettings::new(Composition::parse(COMPOSITION).expect("composition"))
}

#[test]
fn reduced_with_the_planted_settings_the_raw_demo_is_the_demo_s_of_q() {
    let config = DemoConfig::default();
    for sample in &SAMPLES {
        for (i, t) in [(0, 300.0), (70, 510.0), (130, 690.0)] {
            let s = demo_pattern(sample, &config, i, t);
            let raw = intensity_pattern(&s).expect("raw");
            assert_eq!(raw.quantity, Quantity::Intensity);
            assert!(raw.metadata_number("rho0").is_none());
            let bkg = empty_cell(&raw.x);
            let settings = ReduceSettings {
                rho0: Some(planted_state(sample, t).rho0),
                scale: ScaleMode::Fixed(BACKGROUND_SCALE),
                ..settings()
            };
            let plan = ReducePlan::new(&raw.x, &settings).expect("plan");
            let r = reduce_pattern(&plan, &settings, &raw.y, None, Some(&bkg)).expect("reduce");
            // The sum rule over the demo's 0.5–25.5 Å⁻¹ finds the scale to better than 1e-4.
            let alpha = r.reduction.alpha * COUNTS_PER_ELECTRON;
            assert!(
                (alpha - 1.0).abs() < 0.005,
                "{} {t} K: α·counts {alpha}",
                sample.name
            );
            let worst = r
                .reduction
                .s
                .iter()
                .zip(&s.y)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            println!(
                "{} {t} K: α·counts − 1 = {:+.1e}, largest |ΔS| {worst:.4}",
                sample.name,
                alpha - 1.0
            );
            assert!(worst < 1e-3, "{} {t} K: largest |ΔS| {worst}", sample.name);
        }
    }
}

#[test]
fn the_searches_find_the_planted_background_scale_and_density_of_the_glass() {
    let config = DemoConfig::default();
    let sample = &SAMPLES[0];
    for (i, t) in [(0, 300.0), (50, 450.0), (100, 600.0), (130, 690.0)] {
        let raw = intensity_pattern(&demo_pattern(sample, &config, i, t)).expect("raw");
        let bkg = empty_cell(&raw.x);
        let settings = ReduceSettings {
            rho0: None,
            scale: ScaleMode::Auto,
            ..settings()
        };
        let plan = ReducePlan::new(&raw.x, &settings).expect("plan");
        let r = reduce_pattern(&plan, &settings, &raw.y, None, Some(&bkg)).expect("reduce");
        let planted = planted_state(sample, t).rho0;
        println!(
            "{t} K: b {:.4}, ρ0 {:.5} planted {planted:.5}",
            r.background_scale, r.rho0
        );
        assert!(
            (r.background_scale / BACKGROUND_SCALE - 1.0).abs() < 0.005,
            "{t} K: b {}",
            r.background_scale
        );
        assert!(
            (r.rho0 / planted - 1.0).abs() < 0.005,
            "{t} K: ρ0 {} planted {planted}",
            r.rho0
        );
    }
}

#[test]
fn demo_intensity_writes_raw_files_and_the_empty_cell_they_need() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("raw");
    let run = glassray(&["demo", "--out", out.to_str().expect("utf-8"), "--intensity"]);
    assert!(run.status.success(), "{run:?}");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.contains("--background") && said.contains(COMPOSITION),
        "{said}"
    );
    let loads = super::load_all(&[out.join("AC")]);
    assert_eq!(loads.len(), 1);
    let series = &loads[0].series;
    assert_eq!(series.len(), 151);
    assert!(
        series
            .patterns
            .iter()
            .all(|p| p.quantity == Quantity::Intensity)
    );
    assert_eq!(series.composition.as_deref(), Some(COMPOSITION));
    let first = &series.patterns[0];
    let s = demo_pattern(&SAMPLES[0], &DemoConfig::default(), 0, 300.0);
    let expected = intensity_pattern(&s).expect("raw");
    assert_eq!(first.y, expected.y, "the file holds the raw twin, exactly");
    // Without --composition nothing is analysed, and the message names the headers' one.
    let results = dir.path().join("results");
    let run = glassray(&[
        "analyze",
        out.join("AC").to_str().expect("utf-8"),
        "--out",
        results.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!(
            "the files' headers say composition = {COMPOSITION}; pass --composition {COMPOSITION}"
        )),
        "{err}"
    );
    let bkg = super::load_all(&[out.join("empty-cell.xy")]);
    assert_eq!(bkg[0].series.patterns[0].y, empty_cell(&first.x));
}
