//! Reduction speed: 150 raw I(Q) patterns × 1,250 points (the demo's HPT series as a detector
//! would record it, with a background) reduced to S(Q) on the rayon pool — with b and ρ0 given
//! (the plain reduction), with b chosen per pattern (`--background-scale auto`), and with ρ0
//! refined per pattern (no `--density`).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use glassray::analysis::reduce::{NormalisationMode, ReduceSettings, ScaleMode};
use glassray::analysis::reduction::scattering_factors;
use glassray::analysis::transform::LowQ;
use glassray::demo::{COMPOSITION, DemoConfig, SAMPLES, demo_series};
use glassray::engine::reduce::{Background, reduce_series};
use glassray::io::SeriesLoad;
use glassray::model::Quantity;
use glassray::model::composition::Composition;

fn bench_reduce(c: &mut Criterion) {
    let mut group = c.benchmark_group("reduce");
    group.sample_size(10);
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
    let cases = [
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
    ];
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

criterion_group!(benches, bench_reduce);
criterion_main!(benches);
