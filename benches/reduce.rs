//! Reduction speed: 150 raw I(Q) patterns × 1,250 points (the demo's HPT series as a detector
//! would record it, with a background) reduced to S(Q) on the rayon pool — with b and ρ0 given
//! (the plain reduction), with b chosen per pattern (`--background-scale auto`), with ρ0
//! refined per pattern (no `--density`), with 5 low-r iterations (`--iterations 5`, given and
//! refined ρ0) and with the ad hoc polynomial (`--ad-hoc`).
//!
//! `reduce_and_analyse`: what a user waits for — reduce + the analysis `glassray analyze` runs
//! ([`glassray::engine::analyze`], as `benches/analysis.rs`) — against analysing the already
//! reduced S(Q) series, so that the time the reduction adds can be read off (issue 13: ≤ 5 ms).

// The allocator of the `glassray` binary (src/main.rs), so the timings are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::reduce::{NormalisationMode, ReduceSettings, ScaleMode};
use glassray::analysis::reduction::scattering_factors;
use glassray::analysis::transform::LowQ;
use glassray::analysis::transitions::Marks;
use glassray::demo::{COMPOSITION, DemoConfig, SAMPLES, demo_series};
use glassray::engine::analyze;
use glassray::engine::reduce::{Background, reduce_series};
use glassray::io::SeriesLoad;
use glassray::model::Quantity;
use glassray::model::composition::Composition;

/// The HPT series as raw intensities with a background at b = 0.85, the background, and the
/// settings with b and ρ0 given.
fn raw_series() -> (glassray::model::HeatingSeries, Background, ReduceSettings) {
    let mut series = demo_series(
        &SAMPLES[2],
        &DemoConfig {
            t_end: 747.0,
            ..Default::default()
        },
    );
    assert_eq!(series.len(), 150);
    let composition = Composition::parse(COMPOSITION).expect("formula");
    let q = series.patterns[0].x.clone();
    assert_eq!(q.len(), 1250);
    let f = scattering_factors(&composition, &q).expect("factors");
    let bkg: Vec<f64> = q
        .iter()
        .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
        .collect();
    for p in &mut series.patterns {
        p.y = (0..q.len())
            .map(|k| {
                let eu = f.square_of_mean[k] * (p.y[k] - 1.0) + f.mean_square[k] + f.compton[k];
                1000.0 * eu + 0.85 * bkg[k]
            })
            .collect();
        p.quantity = Quantity::Intensity;
    }
    let background = Background {
        path: PathBuf::from("bkg.xy"),
        q: q.clone(),
        intensity: bkg,
    };
    let settings = ReduceSettings {
        rho0: Some(0.0545),
        polarisation_wavelength: Some(0.1173),
        scale: ScaleMode::Fixed(0.85),
        normalisation: NormalisationMode::KroghMoe,
        below_qmin: LowQ::Hold,
        ..ReduceSettings::new(composition)
    };
    (series, background, settings)
}

fn bench_reduce(c: &mut Criterion) {
    let mut group = c.benchmark_group("reduce");
    group.sample_size(10);
    let (series, background, settings) = raw_series();
    let mut cases = vec![
        ("given_150x1250", settings.clone()),
        (
            "auto_scale_150x1250",
            ReduceSettings {
                scale: ScaleMode::Auto,
                ..settings.clone()
            },
        ),
        (
            "refined_rho0_150x1250",
            ReduceSettings {
                rho0: None,
                ..settings.clone()
            },
        ),
        (
            "iterations5_given_150x1250",
            ReduceSettings {
                iterations: 5,
                ..settings.clone()
            },
        ),
        (
            "ad_hoc_given_150x1250",
            ReduceSettings {
                ad_hoc: Some(0.9),
                ..settings.clone()
            },
        ),
    ];
    // `cargo test --benches` runs each case once unoptimised: leave out the slowest there
    // (2.6 s optimised).
    if std::env::args().any(|a| a == "--bench") {
        cases.push((
            "iterations5_refined_rho0_150x1250",
            ReduceSettings {
                rho0: None,
                iterations: 5,
                ..settings.clone()
            },
        ));
    }
    for (name, settings) in cases {
        group.bench_function(name, |b| {
            b.iter_batched(
                || SeriesLoad::from_series(series.clone()),
                |mut load| {
                    let done = reduce_series(&mut load, Some(&background), black_box(&settings));
                    assert_eq!(done.reduced, 150);
                    load
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_reduce_and_analyse(c: &mut Criterion) {
    let mut group = c.benchmark_group("reduce_and_analyse");
    group.sample_size(10);
    let (series, background, settings) = raw_series();
    let params = AnalysisParams::default();
    let mut reduced = SeriesLoad::from_series(series.clone());
    assert_eq!(
        reduce_series(&mut reduced, Some(&background), &settings).reduced,
        150
    );
    let sq = reduced.series;
    group.bench_function("analyse_sq_150x1250", |b| {
        b.iter(|| analyze(black_box(&sq), &params, &Marks::default()))
    });
    group.bench_function("reduce_given_then_analyse_150x1250", |b| {
        b.iter_batched(
            || SeriesLoad::from_series(series.clone()),
            |mut load| {
                let done = reduce_series(&mut load, Some(&background), black_box(&settings));
                assert_eq!(done.reduced, 150);
                analyze(&load.series, &params, &Marks::default())
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_reduce, bench_reduce_and_analyse);
criterion_main!(benches);
