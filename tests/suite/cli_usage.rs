//! The command line on bad option values, on a closed or full standard output, and what
//! `analyze` says about its input.

use std::process::{Command, Output, Stdio};

use proptest::prelude::*;

use super::cli::{glassray, text};
use super::{fixture, shared};

/// Runs glassray with its standard output sent to `stdout`.
fn glassray_into(args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run glassray")
}

/// A pipe whose reading end is already closed (`glassray … | head -0`).
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn every_numeric_option_refuses_nan_infinite_negative_and_absurd_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("never");
    let o = out.to_str().expect("utf-8");
    let cases: &[(&[&str], &str)] = &[
        (&["--qmin", "NaN"], "--qmin NaN must lie between 0 and"),
        (&["--qmin", "-1"], "--qmin -1 must lie between 0 and"),
        (&["--qmax", "inf"], "--qmax inf must lie between 0 and"),
        (
            &["--qmin", "5", "--qmax", "2"],
            "--qmin 5 must be below --qmax 2",
        ),
        (&["--qmax", "0"], "--qmax must be above 0"),
        (&["--rmax", "NaN"], "--rmax NaN must be a number above"),
        (
            &["--rmax", "1e9"],
            "the r grid must hold between 2 and 200000",
        ),
        (
            &["--dr", "1e-9"],
            "the r grid must hold between 2 and 200000",
        ),
        (&["--dr", "-0.01"], "--dr -0.01 must be a positive number"),
        (&["--dr", "100"], "the r grid must hold between 2 and"),
        (&["--rmax", "5"], "must lie inside the r grid"),
        (&["--rho0", "0"], "--rho0 0 must lie between 0.001 and 1"),
        (
            &["--low-q", "constant"],
            "--low-q `constant` is not a mode: one of none, hold",
        ),
        (&["--low-q", "Hold"], "--low-q `Hold` is not a mode"),
        (
            &["--rho0", "inf"],
            "--rho0 inf must lie between 0.001 and 1",
        ),
        (
            &["--fsdp", "3:2"],
            "--fsdp `3:2` must be A:B with 0 ≤ A < B",
        ),
        (&["--fsdp", "NaN:3"], "--fsdp `NaN:3` must be A:B"),
        (&["--fsdp", "-1:3"], "--fsdp `-1:3` must be A:B"),
        (
            &["--fit-window", "3.9:inf"],
            "--fit-window `3.9:inf` must be A:B",
        ),
        (&["--fit-window", "3.9:60"], "inside the r grid"),
        (
            &["--cluster-radius", "NaN"],
            "--cluster-radius NaN Å is not a radius: give one between 2.758 and 3.300 Å",
        ),
        (
            &["--cluster-radius", "-3"],
            "--cluster-radius -3 Å is not a radius",
        ),
        (
            &["--cluster-radius", "5"],
            "outside the fit window 3.9:6.6 Å: R must lie between 2.758 and 3.300 Å",
        ),
        (
            &["--fit-window", "5:6.6"],
            "the default cluster radius puts the seeds √2R … 2R (4.199–5.938 Å) outside the fit window 5:6.6 Å: no R fits",
        ),
        (
            &["--fit-window", "4.5:7", "--cluster-radius", "3"],
            "--cluster-radius 3 Å puts the seeds √2R … 2R (4.243–6.000 Å) outside the fit window 4.5:7 Å: R must lie between 3.182 and 3.500 Å",
        ),
        (
            &["--seed-tolerance", "0"],
            "--seed-tolerance 0 Å must lie above 0 and below 1",
        ),
        (
            &["--seed-tolerance", "2"],
            "--seed-tolerance 2 Å must lie above 0 and below 1",
        ),
        (&["--seed-tolerance", "NaN"], "--seed-tolerance NaN"),
        (
            &["--tr", "NaN"],
            "--tr NaN must be a temperature between 1 and 5000 K",
        ),
        (
            &["--tg", "-5"],
            "--tg -5 must be a temperature between 1 and 5000 K",
        ),
        (
            &["--tx", "1e6"],
            "--tx 1000000 must be a temperature between 1 and 5000 K",
        ),
        (
            &["--tr", "700", "--tg", "600"],
            "T_r 700 K must be below T_g 600 K",
        ),
        (
            &["--tg", "700", "--tx", "700"],
            "T_g 700 K must be below T_x 700 K",
        ),
        (
            &["--smoothing", "0"],
            "--smoothing 0 must be a positive finite number",
        ),
        (
            &["--smoothing", "inf"],
            "--smoothing inf must be a positive finite number",
        ),
        (
            &["--wavelength", "NaN"],
            "--wavelength NaN Å is not a wavelength",
        ),
        (
            &["--wavelength", "-0.1"],
            "--wavelength -0.1 Å is not a wavelength",
        ),
        (&["--ramp", "NaN:20/min"], "must look like T0:RATE/UNIT"),
        (&["--ramp", "-300:20/min"], "--ramp starts at -300 K"),
        (
            &["--ramp", "300:1e9/min"],
            "--ramp rate 1000000000 K is absurd",
        ),
    ];
    for (options, expected) in cases {
        let mut args = vec!["analyze"];
        args.extend_from_slice(options);
        args.extend(["--out", o]);
        let run = glassray(&args);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{options:?}: {stderr}");
        assert!(stderr.contains(expected), "{options:?}: {stderr}");
        assert!(
            !out.exists(),
            "{options:?}: nothing is written on bad usage"
        );
    }
    // Shared options are checked for inspect too; a good radius and ordered marks pass.
    let run = glassray(&["inspect", "--ramp", "300:inf/s", "."]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let run = glassray(&[
        "analyze",
        data.to_str().expect("utf-8"),
        "--cluster-radius",
        "2.9",
        "--tr",
        "180",
        "--tg",
        "190",
        "--out",
        o,
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
}

#[test]
fn a_closed_or_full_stdout_ends_with_exit_one_and_a_message() {
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let d = data.to_str().expect("utf-8");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = out.to_str().expect("utf-8");
    let commands: [&[&str]; 3] = [
        &["inspect", d],
        &["inspect", "--csv", d],
        &["analyze", d, "--out", o],
    ];
    for args in commands {
        for (how, stdout) in [
            ("closed", closed_pipe()),
            (
                "full",
                Stdio::from(std::fs::File::create("/dev/full").expect("/dev/full")),
            ),
        ] {
            let _ = std::fs::remove_dir_all(&out);
            let run = glassray_into(args, stdout);
            let stderr = text(&run.stderr);
            assert_eq!(run.status.code(), Some(1), "{args:?} {how}: {stderr}");
            assert!(
                stderr.contains("error: cannot write to standard output"),
                "{args:?} {how}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{args:?} {how}: {stderr}");
            if args[0] == "analyze" {
                assert!(out.join("summary.json").is_file(), "{how}: outputs written");
                assert_eq!(std::fs::read_dir(out.join("gr")).expect("gr").count(), 7);
            }
        }
    }
}

#[test]
fn analyze_says_what_happened_to_the_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("bad");
    let bad = fixture("bad");
    let run = glassray(&[
        "analyze",
        bad.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "files skipped: {stdout}");
    assert!(
        stdout.contains("loaded: 5 file(s) skipped, 4 row(s) dropped, 4 pattern(s) with problems"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("problem: "),
        "details only with -v: {stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    let load = &json["load"];
    assert_eq!(load["counts"]["files_skipped"], 5);
    assert_eq!(load["skipped_files"].as_array().map(Vec::len), Some(5));
    let problems = load["pattern_problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("non_numeric_row.xy"))
            && p["line"].as_u64().is_some()
            && p["reason"]
                .as_str()
                .is_some_and(|r| r.contains("row skipped"))),
        "{problems:?}"
    );
    assert!(load["temperature_sources"].is_object());
    assert!(load["notes"].is_array());
    // summary.json keeps its keys in their order; `load` comes after them.
    let raw = std::fs::read_to_string(out.join("summary.json")).expect("summary");
    let at = |k: &str| {
        raw.find(&format!("\n  \"{k}\""))
            .unwrap_or_else(|| panic!("{k}"))
    };
    assert!(at("sample") < at("T_r") && at("messages") < at("glassray_version"));
    assert!(at("glassray_version") < at("load"));

    let verbose = glassray(&[
        "analyze",
        bad.to_str().expect("utf-8"),
        "-v",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let stdout = text(&verbose.stdout);
    assert!(
        stdout.contains("problem: ") && stdout.contains("non_numeric_row.xy:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped: ") && stdout.contains("temperatures: "),
        "{stdout}"
    );

    // A clean load exits 0 and says so.
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let run = glassray(&[
        "analyze",
        data.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("loaded: 0 file(s) skipped, 0 row(s) dropped"));
}

#[test]
fn a_series_without_temperatures_reports_pattern_indices_never_kelvin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let run = glassray(&["demo", "--out", demo.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    // The demo's AC series with its temperatures (headers, log) taken out.
    let bare = dir.path().join("bare");
    std::fs::create_dir(&bare).expect("mkdir");
    for entry in std::fs::read_dir(demo.join("AC")).expect("AC") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "xy") {
            continue;
        }
        let kept: String = std::fs::read_to_string(&path)
            .expect("read")
            .lines()
            .filter(|l| !l.starts_with("# T =") && !l.starts_with("# time ="))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(bare.join(path.file_name().expect("name")), kept).expect("write");
    }
    let out = dir.path().join("out");
    let run = glassray(&[
        "analyze",
        bare.to_str().expect("utf-8"),
        "--tr",
        "600",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    assert!(
        stdout.contains("without temperatures (positions are pattern indices from 0)"),
        "{stdout}"
    );
    assert!(stdout.contains("T_r at pattern "), "{stdout}");
    assert!(
        !stdout.lines().next().unwrap_or_default().contains(" K"),
        "{stdout}"
    );
    assert!(
        stdout.contains("--tr/--tg/--tx are temperatures (K)"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(json["temperature_axis"], "index");
    assert_eq!(json["load"]["temperature_axis"], "index");
    for t in ["T_r", "T_g", "T_x"] {
        assert!(json[t].is_null(), "{t} is no temperature: {json}");
        assert!(json[format!("{t}_uncertainty")].is_null());
    }
    let index = json["T_r_pattern_index"].as_f64().expect("T_r found");
    assert!((0.0..151.0).contains(&index), "{index}");
    assert!(
        json["T_r_pattern_index"] != 600.0,
        "the --tr in K is not used"
    );
    let detected = &json["detected"]["detected_t_r"];
    assert!(detected["kelvin"].is_null() && detected["pattern_index"].is_number());
    assert!(
        !std::fs::read_to_string(out.join("summary.json"))
            .expect("summary")
            .contains("\"kelvin\"")
    );
}

/// Every numeric option of `analyze` (and the shared ones); `--ramp-rate` stands for
/// `--ramp 300:RATE/pattern`.
const NUMERIC_OPTIONS: [&str; 16] = [
    "--qmin",
    "--qmax",
    "--rmax",
    "--dr",
    "--rho0",
    "--cluster-radius",
    "--seed-tolerance",
    "--tr",
    "--tg",
    "--tx",
    "--smoothing",
    "--wavelength",
    "--fsdp",
    "--fit-window",
    "--ramp",
    "--ramp-rate",
];

/// A number as a user might type it: any f64 (NaN, ±inf, subnormal, huge), a plausible value,
/// or a spelling Rust's parser takes (`inf`, `-0`, `1e-320`, `+3`).
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:e}")),
        (-50.0..2000.0f64).prop_map(|v| format!("{v}")),
        (0.0..20.0f64).prop_map(|v| format!("{v:.3}")),
        prop::sample::select(vec![
            "NaN", "nan", "inf", "-inf", "+inf", "infinity", "-0", "0", "+3", "1e-320", "1e308",
            "-1", "5e-324", "0x10", "", " 1", "1_000",
        ])
        .prop_map(String::from),
    ]
}

proptest! {
    // Each case runs the binary on six small S(Q) files (well under a second, but for the
    // largest r grid allowed).
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_number_for_a_numeric_option_is_exit_zero_or_two_never_a_panic(
        given in prop::collection::vec(
            (prop::sample::select(NUMERIC_OPTIONS.to_vec()), number_text(), number_text()),
            1..4,
        ),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let files: Vec<String> = (1..=6)
            .map(|i| fixture(&format!("series/scan_{i}.xy")).to_string_lossy().into_owned())
            .collect();
        let mut args: Vec<String> = vec!["analyze".into()];
        args.extend(files);
        let mut ramp = false;
        for (option, a, b) in &given {
            let (option, value) = match *option {
                "--fsdp" | "--fit-window" => (*option, format!("{a}:{b}")),
                "--ramp" => (*option, format!("{a}:{b}/min")),
                "--ramp-rate" => ("--ramp", format!("300:{a}/pattern")),
                _ => (*option, a.clone()),
            };
            ramp |= option == "--ramp";
            args.extend([option.to_string(), value]);
        }
        args.extend(["--out".into(), out.to_string_lossy().into_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = glassray(&args);
        let stderr = text(&run.stderr);
        let shown = args[7..].join(" ");
        prop_assert!(!stderr.contains("panicked"), "{shown}: {stderr}");
        // A valid ramp disagrees with the files' header temperatures: a load problem (exit 1).
        let code = match run.status.code() {
            Some(1) if ramp && !stderr.contains("error") => Some(0),
            code => code,
        };
        prop_assert!(code == Some(0) || code == Some(2), "{shown}: {code:?} {stderr}");
        if code == Some(2) {
            prop_assert!(stderr.starts_with("error: "), "{shown}: {stderr}");
            prop_assert!(!out.exists(), "{shown}: written on bad usage");
        } else {
            prop_assert!(out.join("summary.json").is_file(), "{shown}");
        }
    }
}

#[test]
fn a_ramp_of_3000_k_per_pattern_is_analysed_and_its_transitions_found() {
    // The breakpoint refinement once walked a 0.1 K grid across a whole data step: 3.6e9 RSS
    // evaluations (about 300 s) for this ramp. The search is now bounded (see
    // analysis::transitions' tests for the counts); here the whole command returns a result.
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let run = glassray(&["demo", "--out", demo.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let out = dir.path().join("out");
    let run = glassray(&[
        "analyze",
        demo.join("AC").to_str().expect("utf-8"),
        "--ramp",
        "300:3000/pattern",
        "--temperature-source",
        "ramp",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    // The ramp disagrees with every header temperature: problems, exit 1.
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    let t_r = json["T_r"].as_f64().expect("T_r");
    let t_g = json["T_g"].as_f64().expect("T_g");
    // The demo's AC relaxes near pattern 97 and softens near pattern 127.
    assert!(
        (300.0 + 3000.0 * 90.0..300.0 + 3000.0 * 104.0).contains(&t_r),
        "{t_r}"
    );
    assert!(
        (300.0 + 3000.0 * 120.0..300.0 + 3000.0 * 134.0).contains(&t_g),
        "{t_g}"
    );
}
