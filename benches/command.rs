//! What a user waits for: `glassray analyze` of a 150-pattern × 1,250-point series as a whole
//! process (start, read the files, analyse with the systematic σ, write metrics.csv,
//! summary.json and 150 `.gr` files, install the folder) beside the in-process analysis of the
//! same series (read and analysed, nothing written; and analysed alone, already read), measured
//! side by side in one run. Issue 15
//! asks for the process to take at most 3× the in-process time. The series is the demo's HPT
//! sample up to 747 K, written as files once.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series, demo_truth};
use glassray::engine::{analyze_with_systematics, load_inputs};
use glassray::io::LoadOptions;
use glassray::report::demo_files::write_demo;

fn bench_command(c: &mut Criterion) {
    let mut group = c.benchmark_group("command");
    group.sample_size(10);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = DemoConfig {
        t_end: 747.0,
        ..Default::default()
    };
    let series = demo_series(&SAMPLES[2], &config);
    assert_eq!(series.len(), 150);
    write_demo(dir.path(), &[series], &[demo_truth(&SAMPLES[2], &config)]).expect("demo files");
    let input = dir.path().join(SAMPLES[2].name);
    let out = dir.path().join("out");
    group.bench_function("analyze_process_150x1250", |b| b.iter(|| run(&input, &out)));
    let params = AnalysisParams::default();
    group.bench_function("load_and_analyse_in_process_150x1250", |b| {
        b.iter(|| {
            let loads = load_inputs(std::slice::from_ref(&input), &LoadOptions::default());
            let series = &loads[0].series;
            black_box(analyze_with_systematics(series, &params, &Marks::default()))
        })
    });
    let loads = load_inputs(std::slice::from_ref(&input), &LoadOptions::default());
    let loaded = &loads[0].series;
    group.bench_function("analyse_in_process_150x1250", |b| {
        b.iter(|| black_box(analyze_with_systematics(loaded, &params, &Marks::default())))
    });
    group.finish();
}

/// One `glassray analyze` run, which must succeed.
fn run(input: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_glassray"))
        .arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("glassray runs");
    assert!(status.success(), "{status}");
}

criterion_group!(benches, bench_command);
criterion_main!(benches);
