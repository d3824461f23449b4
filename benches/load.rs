//! Loading speed: a 2,000-pattern × 5,000-point heating series from a folder (target < 1 s on
//! 2 cores), and one 5,000-point file parsed from memory.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use glassray::io::{LoadOptions, ReadOptions, load_folder, read_bytes};

const PATTERNS: usize = 2000;
const POINTS: usize = 5000;

fn pattern_text(i: usize) -> String {
    let mut s = String::with_capacity(POINTS * 32);
    s.push_str(&format!(
        "# sample = bench\n# T = {} K\n# time = {} s\n# Q(A^-1) S(Q)\n",
        300.0 + 0.25 * i as f64,
        6 * i
    ));
    for j in 0..POINTS {
        let q = 0.5 + 0.005 * j as f64;
        let y = 1.0 + (q * 2.5).sin() / q + 1e-3 * ((i * 31 + j * 17) % 97) as f64;
        s.push_str(&format!("{q} {y}\n"));
    }
    s
}

fn series_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("series");
    std::fs::create_dir(&path).expect("mkdir");
    for i in 0..PATTERNS {
        std::fs::write(path.join(format!("p_{i:05}.xy")), pattern_text(i)).expect("write");
    }
    (dir, path)
}

fn bench_load(c: &mut Criterion) {
    let (_keep, folder) = series_folder();
    let opts = LoadOptions::default();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("folder_2000x5000", |b| {
        b.iter(|| {
            let load = load_folder(black_box(&folder), &opts);
            assert_eq!(load.series.len(), PATTERNS);
            load
        })
    });
    let one = pattern_text(7).into_bytes();
    group.sample_size(50);
    group.bench_function("parse_one_5000", |b| {
        b.iter(|| {
            read_bytes(
                black_box(std::path::Path::new("p.xy")),
                black_box(&one),
                &ReadOptions::default(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
