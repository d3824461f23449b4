//! Analysis speed (issue 15's targets on 2 cores): a whole 150-pattern × 1,250-point series
//! (2,000 r points, FSDP, lobes, 150 fits, transitions, splines; ≤ 10 ms), 2,000 × 5,000
//! (≤ 0.3 s), one temperature's refit after a seed move (≤ 1 ms), and the systematic-σ stage of
//! the 150-pattern series alone (8 seed refits, 2 re-transforms and 2 refits per pattern; it
//! runs after the main result, so it is not on the interactive path).

// The allocator of the `glassray` binary (src/main.rs), so the timings are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::analyze;
use glassray::engine::{Analyzer, CancelToken};

fn bench_analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    let params = AnalysisParams::default();

    let small = demo_series(
        &SAMPLES[2],
        &DemoConfig {
            t_end: 747.0,
            ..Default::default()
        },
    );
    assert_eq!(small.len(), 150);
    group.bench_function("series_150x1250", |b| {
        b.iter(|| analyze(black_box(&small), &params, &Marks::default()))
    });

    let small = Arc::new(small);
    let mut analyzer = Analyzer::new(Arc::clone(&small));
    let token = CancelToken::default();
    let generation = token.renew();
    analyzer
        .run(
            &params,
            &Marks::default(),
            &token,
            generation,
            &|_, _| {},
            &|_, _| {},
        )
        .expect("runs");
    let mut moved = params.clone();
    moved.fit.seeds[1] += 0.04;
    group.bench_function("refit_one_after_seed_move", |b| {
        b.iter(|| analyzer.refit_one(black_box(75), &moved).expect("refit"))
    });
    group.bench_function("systematics_150x1250", |b| {
        b.iter_batched(
            // A fresh analyzer holding the main stages, so only the systematic stage is timed.
            || {
                let mut fresh = Analyzer::new(Arc::clone(&small));
                fresh
                    .run(
                        &params,
                        &Marks::default(),
                        &token,
                        generation,
                        &|_, _| {},
                        &|_, _| {},
                    )
                    .expect("runs");
                fresh
            },
            |mut fresh| {
                fresh
                    .systematics(&params, &token, generation)
                    .expect("not cancelled")
                    .expect("cached stages")
            },
            BatchSize::LargeInput,
        )
    });

    // `cargo test --all-targets` runs benches once without `--bench`: skip the large setup there.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    if benchmarking && std::env::var("SKIP_LARGE").is_err() {
        let large = demo_series(
            &SAMPLES[2],
            &DemoConfig {
                t_step: 0.225,
                t_end: 300.0 + 0.225 * 1999.0,
                q_step: 0.005,
                q_points: 5000,
                ..Default::default()
            },
        );
        assert_eq!(large.len(), 2000);
        group.bench_function("series_2000x5000", |b| {
            b.iter(|| analyze(black_box(&large), &params, &Marks::default()))
        });
    }
    group.finish();
}

/// What `glassray figures` does after loading: analyse the three demo samples, draw the five
/// figures and write each as SVG, PDF and PNG (300 dpi) in memory (target: well under 5 s).
fn bench_figures(c: &mut Criterion) {
    use glassray::report::figures::{FigureOptions, FigureSample, Format, figures, render};
    let mut group = c.benchmark_group("figures");
    group.sample_size(10);
    let params = AnalysisParams::default();
    let series: Vec<_> = SAMPLES
        .iter()
        .map(|s| demo_series(s, &DemoConfig::default()))
        .collect();
    group.bench_function("demo_3_samples_all_formats", |b| {
        b.iter(|| {
            let analyses: Vec<_> = series
                .iter()
                .map(|s| analyze(s, &params, &Marks::default()))
                .collect();
            let samples: Vec<FigureSample<'_>> = series
                .iter()
                .zip(&analyses)
                .map(|(series, analysis)| FigureSample { series, analysis })
                .collect();
            let drawn = figures(&samples, &FigureOptions::default()).expect("figures");
            let mut bytes = 0;
            for f in &drawn {
                for format in Format::ALL {
                    bytes += render(f, format).expect("render").len();
                }
            }
            black_box(bytes)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_analysis, bench_figures);
criterion_main!(benches);
