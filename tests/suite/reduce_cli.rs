//! Raw I(Q) through the command line: `glassray analyze --composition …` and `glassray reduce`.
//! A synthetic series (the demo's AC glass at six temperatures) is written twice — as S(Q), and
//! as the intensity a detector would record (planted scale, Compton, a background with a
//! planted scale) — and both routes must give the same analysis. Then the `.sq`/`.fq` round
//! trip, the errors, and the measured data of Glassure (Mg2SiO4) and Amorpheus (a Ce glass).

use std::path::{Path, PathBuf};

use glassray::analysis::reduction::scattering_factors;
use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor, planted_state};
use glassray::io::{ReadOptions, read_file};
use glassray::model::Quantity;
use glassray::model::composition::Composition;

use super::cli::{glassray, text};
use super::shared;

/// Counts per electron unit.
const SCALE: f64 = 2345.6;
const BACKGROUND_SCALE: f64 = 0.85;
const TEMPERATURES: [f64; 6] = [300.0, 400.0, 500.0, 550.0, 600.0, 650.0];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn grid() -> Vec<f64> {
    (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect()
}

/// An empty-cell background on Q = `from` … `to`.
fn background(from: f64, to: f64) -> (Vec<f64>, Vec<f64>) {
    let n = ((to - from) / 0.01).round() as usize;
    let q: Vec<f64> = (0..=n).map(|k| from + 0.01 * k as f64).collect();
    let y = q
        .iter()
        .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
        .collect();
    (q, y)
}

fn write_columns(path: &Path, header: &[String], labels: &str, x: &[f64], y: &[f64]) {
    let mut t = String::new();
    for h in header {
        t.push_str(&format!("# {h}\n"));
    }
    t.push_str(&format!("# {labels}\n"));
    for (a, b) in x.iter().zip(y) {
        t.push_str(&format!("{a} {b}\n"));
    }
    std::fs::write(path, t).expect("write");
}

/// The synthetic series in `dir/sq` (S(Q)) and `dir/iq` (I(Q)), the background in
/// `dir/bkg.xy`; returns the ρ0 of the 300 K pattern.
fn write_series(dir: &Path) -> f64 {
    let q = grid();
    let composition = Composition::parse(COMPOSITION).expect("formula");
    let f = scattering_factors(&composition, &q).expect("factors");
    let (bq, by) = background(0.3, 26.0);
    write_columns(&dir.join("bkg.xy"), &[], "Q(A^-1) I(Q)", &bq, &by);
    let mut on_grid = vec![0.0; q.len()];
    let mut outside = 0;
    glassray::model::interpolate_into(&bq, &by, &q, &mut on_grid, &mut outside);
    assert_eq!(outside, 0);
    for sub in ["sq", "iq"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    for (k, &t) in TEMPERATURES.iter().enumerate() {
        let sq = model_structure_factor(&SAMPLES[0], t, &q);
        let iq: Vec<f64> = (0..q.len())
            .map(|i| {
                let eu = f.square_of_mean[i] * (sq[i] - 1.0) + f.mean_square[i] + f.compton[i];
                SCALE * eu + BACKGROUND_SCALE * on_grid[i]
            })
            .collect();
        let header = [format!("temperature = {t} K")];
        let name = format!("ac_{k:03}.xy");
        write_columns(
            &dir.join("sq").join(&name),
            &header,
            "Q(A^-1) S(Q)",
            &q,
            &sq,
        );
        write_columns(
            &dir.join("iq").join(&name),
            &header,
            "Q(A^-1) I(Q)",
            &q,
            &iq,
        );
    }
    planted_state(&SAMPLES[0], 300.0).rho0
}

/// metrics.csv as (header, rows).
fn metrics(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(out.join("metrics.csv")).expect("metrics.csv");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(m: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<f64> {
    let k =
        m.0.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"));
    m.1.iter()
        .map(|row| row[k].parse::<f64>().unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn a_raw_intensity_series_analyses_like_its_structure_factors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rho0 = write_series(dir.path());
    let rho = format!("{rho0}");
    let (out_sq, out_iq) = (dir.path().join("out_sq"), dir.path().join("out_iq"));
    let run = glassray(&[
        "analyze",
        s(&dir.path().join("sq")),
        "--rho0",
        &rho,
        "--out",
        s(&out_sq),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let run = glassray(&[
        "analyze",
        s(&dir.path().join("iq")),
        "--composition",
        COMPOSITION,
        "--background",
        s(&dir.path().join("bkg.xy")),
        "--background-scale",
        "auto",
        "--rho0",
        &rho,
        "--out",
        s(&out_iq),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("6 I(Q) pattern(s) reduced to S(Q)"),
        "{stdout}"
    );
    let (a, b) = (metrics(&out_sq), metrics(&out_iq));
    // The existing columns first, in order; the reduction's three at the end.
    assert_eq!(b.0[..a.0.len()], a.0[..]);
    assert_eq!(
        b.0[a.0.len()..],
        ["rho0", "background_scale", "normalisation"]
    );
    for (b_found, alpha) in column(&b, "background_scale")
        .iter()
        .zip(column(&b, "normalisation"))
    {
        println!(
            "background scale {b_found:.5} (planted {BACKGROUND_SCALE}), α·scale {:.5}",
            alpha * SCALE
        );
        assert!((b_found - BACKGROUND_SCALE).abs() < 0.005, "{b_found}");
        assert!((alpha * SCALE - 1.0).abs() < 0.001, "{alpha}");
    }
    for name in ["fsdp_first_moment", "fsdp_area", "r1_area"] {
        for (x, y) in column(&a, name).iter().zip(column(&b, name)) {
            println!("{name}: S(Q) route {x:.5}, I(Q) route {y:.5}");
            assert!((x - y).abs() <= 0.002 * x.abs(), "{name}: {x} vs {y}");
        }
    }
    for k in 1..=4 {
        let name = format!("frac_{k}atom");
        for (x, y) in column(&a, &name).iter().zip(column(&b, &name)) {
            println!("{name}: S(Q) route {x:.4}, I(Q) route {y:.4}");
            assert!((x - y).abs() <= 0.002, "{name}: {x} vs {y}");
        }
    }
    assert!(column(&b, "rho0").iter().all(|r| (r - rho0).abs() < 1e-12));
    let summary = std::fs::read_to_string(out_iq.join("summary.json")).expect("summary");
    let json: serde_json::Value = serde_json::from_str(&summary).expect("json");
    let red = &json["reduction"];
    assert_eq!(red["composition"], COMPOSITION);
    assert_eq!(red["background_scale"], "auto");
    assert_eq!(red["normalisation"], "krogh-moe");
    assert_eq!(red["rho0_source"], "rho0 (--rho0)");
    assert_eq!(red["polarisation"], false);
    assert_eq!(red["patterns_reduced"], 6);
    assert!(
        red["background"]
            .as_str()
            .is_some_and(|b| b.ends_with("bkg.xy"))
    );
    // The S(Q) route's summary has no reduction.
    let plain = std::fs::read_to_string(out_sq.join("summary.json")).expect("summary");
    assert!(!plain.contains("\"reduction\""));
}

#[test]
fn without_a_density_rho0_is_refined_and_said_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rho0 = write_series(dir.path());
    let out = dir.path().join("out");
    let run = glassray(&[
        "analyze",
        s(&dir.path().join("iq")),
        "--composition",
        COMPOSITION,
        "--background",
        s(&dir.path().join("bkg.xy")),
        "--background-scale",
        "0.85",
        "--out",
        s(&out),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("refined per pattern from the low-r slope"),
        "{stdout}"
    );
    let m = metrics(&out);
    // Each pattern against the ρ0 planted at its own temperature (thermal expansion and
    // relaxation change it by 0.75 % between 300 and 650 K).
    let refined = column(&m, "rho0");
    assert_eq!(refined.len(), TEMPERATURES.len());
    assert!((planted_state(&SAMPLES[0], 300.0).rho0 - rho0).abs() < 1e-15);
    for (r, &t) in refined.iter().zip(&TEMPERATURES) {
        let planted = planted_state(&SAMPLES[0], t).rho0;
        println!("{t} K: ρ0 refined {r:.5}, planted {planted:.5}");
        assert!((r / planted - 1.0).abs() < 0.01, "{t} K: {r} vs {planted}");
    }
    assert!(column(&m, "background_scale").iter().all(|b| *b == 0.85));
}

#[test]
fn reduce_writes_sq_and_fq_files_that_read_back_as_structure_factors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rho0 = write_series(dir.path());
    let out = dir.path().join("reduced");
    let run = glassray(&[
        "reduce",
        s(&dir.path().join("iq")),
        "--composition",
        COMPOSITION,
        "--background",
        s(&dir.path().join("bkg.xy")),
        "--background-scale",
        "0.85",
        "--rho0",
        &format!("{rho0}"),
        "--out",
        s(&out),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let q = grid();
    for (k, &t) in TEMPERATURES.iter().enumerate() {
        let planted = model_structure_factor(&SAMPLES[0], t, &q);
        let sq = read_file(&out.join(format!("ac_{k:03}.sq")), &ReadOptions::default())
            .expect("read .sq");
        let p = &sq.patterns[0];
        assert_eq!(p.quantity, Quantity::StructureFactor);
        assert_eq!(sq.header_temperature.as_ref().map(|h| h.0), Some(t));
        assert_eq!(p.metadata_value("composition"), Some(COMPOSITION));
        assert_eq!(p.metadata_number("bkgscale"), Some(0.85));
        let worst =
            p.y.iter()
                .zip(&planted)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
        // The Krogh-Moe scale is exact to the truncation of the sum rule at Qmax (≈ 0.3 %).
        assert!(worst < 0.02, "{t} K: largest |ΔS| {worst}");
        let fq = read_file(
            &out.join("fq").join(format!("ac_{k:03}.fq")),
            &ReadOptions::default(),
        )
        .expect("read .fq");
        let f = &fq.patterns[0];
        assert_eq!(f.quantity, Quantity::ReducedStructureFunction);
        for ((x, fv), sv) in f.x.iter().zip(&f.y).zip(&p.y) {
            assert!((fv - x * (sv - 1.0)).abs() < 1e-9);
        }
    }
    // The folder is one S(Q) series that analyze reads as it is (temperatures and ρ0 from the
    // headers).
    let analysed = dir.path().join("analysed");
    let run = glassray(&["analyze", s(&out), "--out", s(&analysed)]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let m = metrics(&analysed);
    assert_eq!(column(&m, "T_K"), TEMPERATURES);
    // A second run replaces the folder whole; a folder with someone else's file is refused.
    std::fs::write(out.join("notes.txt"), "mine").expect("write");
    let again = glassray(&[
        "reduce",
        s(&dir.path().join("iq")),
        "--composition",
        COMPOSITION,
        "--out",
        s(&out),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("notes.txt"));
}

fn analyze_iq(dir: &Path, extra: &[&str]) -> std::process::Output {
    let out = dir.join("out");
    let iq = dir.join("iq");
    let mut args = vec!["analyze", s(&iq)];
    args.extend(extra);
    args.extend(["--out", s(&out)]);
    glassray(&args)
}

#[test]
fn bad_reductions_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_series(dir.path());
    // An unknown element: a usage error naming it.
    let run = analyze_iq(dir.path(), &["--composition", "Zr50Cu40Xx10"]);
    assert_eq!(run.status.code(), Some(2));
    let err = text(&run.stderr);
    assert!(err.contains("unknown element 'Xx'"), "{err}");
    // I(Q) without a composition: not analysed, and told what to pass.
    let run = analyze_iq(dir.path(), &[]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("pass --composition"), "{err}");
    // A background that does not cover the patterns: each pattern names both files.
    let (bq, by) = background(1.0, 20.0);
    let short = dir.path().join("short_bkg.xy");
    write_columns(&short, &[], "Q(A^-1) I(Q)", &bq, &by);
    let run = analyze_iq(
        dir.path(),
        &[
            "--composition",
            COMPOSITION,
            "--background",
            s(&short),
            "--rho0",
            "0.055",
        ],
    );
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("ac_000.xy") && err.contains("short_bkg.xy"),
        "{err}"
    );
    assert!(err.contains("outside the background"), "{err}");
    // A background file that cannot be read: file and line.
    let broken = dir.path().join("broken.xy");
    std::fs::write(&broken, "# Q I\n1 2\n2 x\n3 4\n").expect("write");
    let run = analyze_iq(
        dir.path(),
        &["--composition", COMPOSITION, "--background", s(&broken)],
    );
    let err = text(&run.stderr);
    assert_ne!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("broken.xy"), "{err}");
    // Reduction options need a composition; --polarisation needs a wavelength.
    let run = analyze_iq(dir.path(), &["--background", s(&short)]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--composition"));
    let run = analyze_iq(
        dir.path(),
        &["--composition", COMPOSITION, "--polarisation"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--wavelength"));
    let run = analyze_iq(
        dir.path(),
        &[
            "--composition",
            COMPOSITION,
            "--density",
            "6.6",
            "--rho0",
            "0.05",
        ],
    );
    assert_eq!(run.status.code(), Some(2));
}

/// Reduces one measured file with its background and returns S(Q) (Q, S).
fn reduce_measured(
    file: PathBuf,
    background: PathBuf,
    formula: &str,
    extra: &[&str],
) -> (Vec<f64>, Vec<f64>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut args = vec![
        "reduce",
        s(&file),
        "--composition",
        formula,
        "--background",
        s(&background),
        "--out",
        s(&out),
    ];
    args.extend(extra);
    let run = glassray(&args);
    let stdout = text(&run.stdout);
    println!("{stdout}");
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    let stem = file
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let sq = read_file(&out.join(format!("{stem}.sq")), &ReadOptions::default()).expect("sq");
    let p = sq.patterns.into_iter().next().expect("pattern");
    println!(
        "ρ0 {:?}, b {:?}, α {:?}",
        p.metadata_number("rho0"),
        p.metadata_number("bkgscale"),
        p.metadata_number("alpha")
    );
    (p.x, p.y)
}

/// Mean and RMS deviation from 1 of S(Q) over the last quarter of its Q range.
fn high_q(q: &[f64], sq: &[f64]) -> (f64, f64) {
    let (a, b) = (q[0], q[q.len() - 1]);
    let tail: Vec<f64> = q
        .iter()
        .zip(sq)
        .filter(|(x, _)| **x >= b - 0.25 * (b - a))
        .map(|(_, v)| *v)
        .collect();
    let mean = tail.iter().sum::<f64>() / tail.len() as f64;
    let rms = (tail.iter().map(|v| (v - 1.0).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
    (mean, rms)
}

#[test]
fn measured_intensities_reduce_to_structure_factors_about_one_at_high_q() {
    // Mg2SiO4's intensity falls off beyond 22 1/Å (the detector's edge: S(Q) drops to −0.2 at
    // 28 1/Å whatever the scale), so it is reduced to 20 1/Å, as Glassure's own tests do.
    let cases: [(PathBuf, PathBuf, &str, &[&str]); 3] = [
        (
            shared("glassure-test-data/Mg2SiO4_ambient.xy"),
            shared("glassure-test-data/Mg2SiO4_ambient_bkg.xy"),
            "Mg2SiO4",
            &["--qmax", "20"],
        ),
        (
            shared("amorpheus-Ce-metallic-glass/Cerium.dat"),
            shared("amorpheus-Ce-metallic-glass/background.xy"),
            "Ce70Al10Ni10Cu10",
            &[],
        ),
        (
            shared("amorpheus-Ce-metallic-glass/Cerium.dat"),
            shared("amorpheus-Ce-metallic-glass/background.xy"),
            "Ce70Al10Ni10Cu10",
            &["--background-scale", "auto", "--rho0", "0.03468"],
        ),
    ];
    for (file, bkg, formula, extra) in cases {
        let (q, sq) = reduce_measured(file, bkg, formula, extra);
        let (mean, rms) = high_q(&q, &sq);
        println!("{formula}: S(Q) over the last quarter: mean {mean:.4}, RMS about 1 {rms:.4}");
        assert!((mean - 1.0).abs() < 0.05, "{formula}: mean {mean}");
        assert!(rms < 0.15, "{formula}: rms {rms}");
    }
}

#[test]
fn a_folder_holding_its_background_file_is_analysed_as_one_series() {
    let folder = shared("amorpheus-Ce-metallic-glass");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = glassray(&[
        "analyze",
        s(&folder),
        "--composition",
        "Ce70Al10Ni10Cu10",
        "--background",
        s(&folder.join("background.xy")),
        "--out",
        s(&out),
    ]);
    let stdout = text(&run.stdout);
    println!("{stdout}");
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(stdout.contains("refined per pattern"), "{stdout}");
    let m = metrics(&out);
    assert_eq!(m.1.len(), 1, "only Cerium.dat is a pattern");
    let b = column(&m, "background_scale")[0];
    let q1 = column(&m, "fsdp_first_moment")[0];
    println!("Ce glass: background scale {b:.4} (Amorpheus: 0.927), FSDP first moment {q1:.4}");
    assert!((0.85..=0.95).contains(&b), "{b}");
    assert!(q1.is_finite());
    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary");
    assert!(
        summary.contains("was taken out of the folder's patterns"),
        "{summary}"
    );
}

#[test]
fn iterations_and_ad_hoc_are_recorded_and_bad_values_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rho0 = write_series(dir.path());
    let out = dir.path().join("reduced");
    let rho = format!("{rho0}");
    let run = glassray(&[
        "reduce",
        s(&dir.path().join("iq")),
        "--composition",
        COMPOSITION,
        "--background",
        s(&dir.path().join("bkg.xy")),
        "--background-scale",
        "0.85",
        "--rho0",
        &rho,
        "--iterations",
        "3",
        "--rcut",
        "2.0",
        "--ad-hoc",
        "--out",
        s(&out),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("3 step(s) of the iterative low-r correction"),
        "{stdout}"
    );
    assert!(stdout.contains("ad hoc correction"), "{stdout}");
    let sq = read_file(&out.join("ac_000.sq"), &ReadOptions::default()).expect("read .sq");
    let p = &sq.patterns[0];
    assert_eq!(p.metadata_number("iterations"), Some(3.0));
    assert_eq!(p.metadata_number("rcut"), Some(2.0));
    assert_eq!(p.metadata_number("rpoly"), Some(0.9));
    assert_eq!(p.metadata_number("polydegree"), Some(8.0));
    // summary.json of an analysis records the iteration count and r_poly.
    let run = analyze_iq(
        dir.path(),
        &[
            "--composition",
            COMPOSITION,
            "--rho0",
            &rho,
            "--iterations",
            "2",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out").join("summary.json")).expect("summary"),
    )
    .expect("json");
    let red = &summary["reduction"];
    assert_eq!(red["iterations"], 2, "{red}");
    assert!(red["ad_hoc_rpoly"].is_null());
    // Bad values are usage errors naming the flag.
    for (extra, flag) in [
        (vec!["--rpoly", "0.9"], "--ad-hoc"),
        (vec!["--ad-hoc", "--rpoly", "-1"], "--rpoly"),
        (vec!["--rcut", "9"], "--rcut"),
        (vec!["--iterations", "1000"], "--iterations"),
    ] {
        let mut args = vec!["--composition", COMPOSITION];
        args.extend(extra);
        let run = analyze_iq(dir.path(), &args);
        assert_eq!(run.status.code(), Some(2), "{flag}");
        assert!(text(&run.stderr).contains(flag), "{}", text(&run.stderr));
    }
    let run = analyze_iq(dir.path(), &["--iterations", "2"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("--composition"));
}
