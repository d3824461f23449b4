//! Live following (issue 16's target on 2 cores: ≤ 5 ms of computation per new pattern for a
//! 150 × 1,250 series): one pattern added to a live series of 149 already analysed — its
//! transform, fit and systematic σ, then the series-level recompute (spikes, versus T,
//! splines, transitions) — through the incremental cache `glassray watch` uses. Reading the
//! file and assembling the series are not included (the `load` bench times reading).

// The allocator of the `glassray` binary (src/main.rs), so the timings are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::live::IncrementalCache;
use glassray::engine::pipeline::finish;
use glassray::model::HeatingSeries;

fn bench_live(c: &mut Criterion) {
    let mut group = c.benchmark_group("live");
    group.sample_size(10);
    let params = AnalysisParams::default();
    let mut full = demo_series(
        &SAMPLES[2],
        &DemoConfig {
            t_end: 747.0,
            ..Default::default()
        },
    );
    assert_eq!(full.len(), 150);
    // Each pattern its own file, as in a folder.
    for p in &mut full.patterns {
        p.source = format!("HPT_{:04}.xy", p.index).into();
    }
    let mut first = full.clone();
    first.patterns.pop();
    let first = HeatingSeries::new(
        first.sample.clone(),
        first.composition.clone(),
        first.patterns,
    );
    let mut warm = IncrementalCache::default();
    warm.analyse(&first, &params, &Marks::default());
    group.bench_function("add_one_to_149x1250", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut cache| {
                let a = cache.analyse(black_box(&full), &params, &Marks::default());
                assert_eq!(cache.computed_last, 1);
                // Returned, so dropping the cache (which a live series keeps) is not timed.
                (cache, a)
            },
            BatchSize::LargeInput,
        )
    });
    // Its parts: the series-level recompute alone, and the per-pattern results (lobes,
    // messages) of all 150 from their cached stages.
    let analysis = warm.clone().analyse(&full, &params, &Marks::default());
    group.bench_function("series_level_150", |b| {
        b.iter_batched(
            || analysis.patterns.clone(),
            |patterns| {
                finish(
                    black_box(&full),
                    patterns,
                    params.clone(),
                    Marks::default(),
                    Vec::new(),
                )
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_live);
criterion_main!(benches);
