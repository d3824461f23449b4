//! Live following of raw intensities I(Q) (issue 16): each pattern is reduced to S(Q) as it
//! lands (only it), and the result equals `analyze --composition …` on the folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use glassray::analysis::params::AnalysisParams;
use glassray::analysis::reduce::{ReduceSettings, ScaleMode};
use glassray::analysis::transitions::Marks;
use glassray::engine::analyze_with_systematics;
use glassray::engine::live::{LiveFolder, LiveOptions, LiveUpdate};
use glassray::engine::load_inputs;
use glassray::engine::reduce::{
    ReduceStep, ReductionConfig, ReductionRecord, read_background, reduce_loads,
};
use glassray::io::{LoadOptions, ReadOptions};
use glassray::model::Quantity;
use glassray::model::composition::Composition;

use super::cli::{glassray, text};
use super::live::{assert_same_outputs, settle};

const COMPOSITION: &str = "Zr52.5Cu17.9Ni14.6Al10Ti5";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The demo's raw intensities (all three samples) and its empty-cell background, in `dir`.
fn raw_demo(dir: &Path) -> (PathBuf, PathBuf) {
    let out = glassray(&["demo", "--intensity", "--out", s(dir)]);
    assert!(out.status.success(), "{out:?}");
    (dir.join("AC"), dir.join("empty-cell.xy"))
}

fn reduction(background: &Path) -> ReductionConfig {
    let settings = ReduceSettings {
        scale: ScaleMode::Auto,
        ..ReduceSettings::new(Composition::parse(COMPOSITION).expect("formula"))
    };
    ReductionConfig {
        record: ReductionRecord::of(COMPOSITION, &settings, None, None, Some(background)),
        background: Some(read_background(background, &ReadOptions::default()).expect("bkg")),
        settings,
    }
}

/// Copies the raw files `which` (and the log rows for them) from `src` into `dir`.
fn land(src: &Path, dir: &Path, which: &[usize]) {
    for &i in which {
        let name = format!("AC_{i:04}.xy");
        std::fs::copy(src.join(&name), dir.join(&name)).expect("copy");
    }
}

/// The live series, reduction and analysis equal the batch ones on the folder now, bit for bit.
fn assert_matches_batch(dir: &Path, cfg: &ReductionConfig, update: &LiveUpdate) {
    let mut loads = load_inputs(&[dir.to_path_buf()], &LoadOptions::default());
    let steps = reduce_loads(&mut loads, Some(cfg), None);
    assert_eq!(loads.len(), 1);
    let live = &update.snapshot.series[0];
    assert!(matches!(live.reduction, ReduceStep::Done(_)));
    assert_eq!(live.reduction, steps[0]);
    assert_eq!(
        format!("{:?}", live.load.series),
        format!("{:?}", loads[0].series)
    );
    assert!(
        live.load
            .series
            .patterns
            .iter()
            .all(|p| p.quantity == Quantity::StructureFactor),
        "reduced to S(Q)"
    );
    let batch = analyze_with_systematics(
        &loads[0].series,
        &AnalysisParams::default(),
        &Marks::default(),
    );
    assert_eq!(format!("{:?}", live.analysis), format!("{batch:?}"));
}

#[test]
fn each_raw_pattern_is_reduced_once_as_it_lands_and_the_result_is_the_batch_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (src, background) = raw_demo(&tmp.path().join("demo"));
    let cfg = reduction(&background);
    let dir = tmp.path().join("beam");
    std::fs::create_dir(&dir).expect("mkdir");
    land(&src, &dir, &[0, 1, 3, 4]);
    let mut folder = LiveFolder::new(
        &dir,
        LoadOptions::default(),
        AnalysisParams::default(),
        Marks::default(),
        &LiveOptions::default(),
    )
    .with_reduction(Some(cfg.clone()));
    let mut clock = Instant::now();
    let u = settle(&mut folder, &mut clock);
    assert_eq!(folder.reduced_count(), 4);
    assert_matches_batch(&dir, &cfg, &u);

    // A late file: it alone is reduced, transformed and fitted.
    land(&src, &dir, &[2]);
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added, [(0, 2)]);
    assert_eq!(folder.reduced_count(), 5, "only the new pattern is reduced");
    assert_eq!(u.computed, 1);
    assert_matches_batch(&dir, &cfg, &u);

    // A file written again with other counts: reduced again, the old reduction dropped.
    let name = dir.join("AC_0003.xy");
    let scaled: String = std::fs::read_to_string(&name)
        .expect("read")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match (f.first().map(|x| x.parse::<f64>()), f.get(1)) {
                (Some(Ok(_)), Some(y)) => {
                    let y: f64 = y.parse().expect("counts");
                    format!("{} {}\n", f[0], y * 1.02)
                }
                _ => format!("{l}\n"),
            }
        })
        .collect();
    std::fs::write(&name, scaled).expect("rewrite");
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.replaced, [(0, 3)]);
    assert_eq!(folder.reduced_count(), 6);
    assert_matches_batch(&dir, &cfg, &u);
}

#[test]
fn watch_reduces_raw_intensities_with_a_composition_and_says_why_not_without() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (all, background) = raw_demo(&tmp.path().join("demo"));
    // The first 30 files (the tests run unoptimised on CI: 151 raw patterns take minutes).
    let src = tmp.path().join("AC");
    std::fs::create_dir(&src).expect("mkdir");
    land(&all, &src, &(0..30).collect::<Vec<_>>());
    let (live, batch, bare) = (
        tmp.path().join("live"),
        tmp.path().join("batch"),
        tmp.path().join("bare"),
    );
    let reduce = ["--composition", COMPOSITION, "--background", s(&background)];
    let out = glassray(
        &[
            &[
                "watch",
                s(&src),
                "--out",
                s(&live),
                "--exit-after-idle",
                "1",
            ][..],
            &reduce,
        ]
        .concat(),
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        stdout.lines().filter(|l| l.contains(".xy  T=")).count(),
        30,
        "{stdout}"
    );
    assert!(
        stdout.contains("AC: 30 I(Q) pattern(s) reduced to S(Q)"),
        "{stdout}"
    );
    let out = glassray(&[&["analyze", s(&src), "--out", s(&batch)][..], &reduce].concat());
    assert!(out.status.success(), "{out:?}");
    assert_same_outputs(&live, &batch);

    // Without a composition: no line of NaN, the reason once, nothing written, exit 1.
    let out = glassray(&[
        "watch",
        s(&src),
        "--out",
        s(&bare),
        "--exit-after-idle",
        "1",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("NaN"), "{stdout}");
    assert_eq!(
        stderr
            .matches(&format!("AC: not analysed: 30 pattern(s) hold raw intensities I(Q): the files' headers say composition = {COMPOSITION}; pass --composition {COMPOSITION}"))
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!bare.exists());
}

#[test]
fn a_raw_experiment_for_a_class_is_followed_to_the_outputs_of_analyze() {
    // `demo --live DIR --intensity` writes the empty cell first (DIR/background/, a sub-folder
    // the follower does not follow and `analyze` lists as ignored), then raw files paced.
    let tmp = tempfile::tempdir().expect("tempdir");
    let (beam, live, batch) = (
        tmp.path().join("beam"),
        tmp.path().join("live"),
        tmp.path().join("batch"),
    );
    let background = beam.join("background").join("empty-cell.xy");
    let demo = std::process::Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(["demo", "--live", s(&beam), "--intensity", "--rate", "60"])
        .args(["--first", "40"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn demo --live");
    let started = Instant::now();
    while !background.exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "no empty cell");
        std::thread::sleep(Duration::from_millis(20));
    }
    let reduce = ["--composition", COMPOSITION, "--background", s(&background)];
    let out = glassray(
        &[
            &[
                "watch",
                s(&beam),
                "--out",
                s(&live),
                "--exit-after-idle",
                "2",
            ][..],
            &reduce,
        ]
        .concat(),
    );
    let demo_out = demo.wait_with_output().expect("demo");
    assert!(demo_out.status.success(), "{demo_out:?}");
    assert!(
        text(&demo_out.stdout).contains("follow them with: glassray watch"),
        "the demo says how to follow it"
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(
        stdout.lines().filter(|l| l.contains(".xy  T=")).count(),
        40,
        "{stdout}"
    );
    let out = glassray(&[&["analyze", s(&beam), "--out", s(&batch)][..], &reduce].concat());
    assert!(out.status.success(), "{out:?}");
    assert_same_outputs(&live, &batch);
}
