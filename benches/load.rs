//! Loading speed: the embedded demo built (what the app waits for at start), a 2,000-pattern × 5,000-point heating series from a folder (target < 1 s on
//! 2 cores), and one 5,000-point file parsed from memory. Files are written the way pyFAI writes
//! them: two `%14.6e` columns under a `#` header.

// The allocator of the `glassray` binary (src/main.rs), so the timings are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use glassray::engine::load_inputs;
use glassray::io::{LoadOptions, ReadOptions, read_bytes};

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
        s.push_str(&format!("{q:14.6e}  {y:14.6e}\n"));
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
    let opts = LoadOptions::default();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    // `cargo test --all-targets` runs benches once without `--bench`: skip the 2,000-file setup.
    let benchmarking = std::env::args().any(|a| a == "--bench");
    if benchmarking && std::env::var("SKIP_FOLDER").is_err() {
        let (_keep, folder) = series_folder();
        group.bench_function("folder_2000x5000", |b| {
            b.iter(|| {
                let loads = load_inputs(black_box(std::slice::from_ref(&folder)), &opts);
                assert_eq!(loads[0].series.len(), PATTERNS);
                loads
            })
        });
    }
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
    // What the app waits for at start and a what-if change redoes: the demo's three samples
    // (453 patterns, each S(Q) with its own low-Q balance solved), built in parallel.
    group.sample_size(10);
    group.bench_function("demo_3_samples_453_patterns", |b| {
        b.iter(|| glassray::engine::demo_all(black_box(&glassray::demo::DemoConfig::default())))
    });
    group.sample_size(50);
    let text = String::from_utf8(one.clone()).expect("utf8");
    group.bench_function("split_lines", |b| {
        b.iter(|| glassray::io::text::split_lines(black_box(&text)).len())
    });
    let lines = glassray::io::text::split_lines(&text);
    group.bench_function("parse_block", |b| {
        b.iter(|| {
            let mut d = Vec::new();
            glassray::io::text::parse_block(
                std::path::Path::new("p"),
                black_box(&lines),
                4,
                2,
                glassray::io::text::Separator::Whitespace,
                true,
                &mut d,
            )
            .rows()
        })
    });
    group.bench_function("parse_f64_only", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for l in &lines[4..] {
                for f in l.split_ascii_whitespace() {
                    s += f.parse::<f64>().unwrap_or(0.0);
                }
            }
            s
        })
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
