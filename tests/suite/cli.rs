//! The `glassray` command line, run as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::model::TemperatureSource;

use super::{fixture, load, shared};

pub(super) fn glassray(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(args)
        .output()
        .expect("run glassray")
}

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inspect_csv_has_exactly_the_documented_columns() {
    let dir = shared("diffpy-morph-SrFe2As2-Tseries");
    let out = glassray(&["inspect", "--csv", dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("index,file,format,quantity,T_K,T_source,x_min,x_max,x_unit,points,problems")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[0],
        "0,a_210K.gr,pdfgetx3,G(r),210,header,0,100,A,10001,"
    );
    assert_eq!(
        rows[6],
        "6,g_174K.gr,pdfgetx3,G(r),174,header,0,100,A,10001,"
    );
    assert!(
        text(&out.stderr).contains("ignored: "),
        "the README is listed as ignored on stderr"
    );
}

#[test]
fn inspect_table_reads_the_lamno3_series() {
    let dir = shared("diffpy-pdfgui-LaMnO3-Tseries-and-Ni");
    let out = glassray(&["inspect", dir.to_str().expect("utf-8 path")]);
    // A folder that mixes materials is a doubtful input: exit 1, and the split is said.
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("note: mixed folder: "), "{stdout}");
    assert!(stdout.contains("1150K.gr"));
    assert!(stdout.contains("1150.00  file name"), "{stdout}");
    // The two Ni files are a series of their own (the folder mixes materials).
    assert!(
        stdout.contains("summary: 14 pattern(s) loaded, 0 skipped, 2 ignored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("summary: 2 pattern(s) loaded, 0 skipped, 0 ignored"),
        "{stdout}"
    );
}

#[test]
fn exit_code_one_when_files_are_skipped_and_each_is_listed() {
    let out = glassray(&["inspect", fixture("bad").to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for name in [
        "binary.xy",
        "empty.xy",
        "non_monotonic.xy:5",
        "repeated_x.xy:5",
        "single_column.xy:2",
    ] {
        assert!(
            stdout.contains("skipped: ") && stdout.contains(name),
            "{name}\n{stdout}"
        );
    }
}

#[test]
fn exit_code_two_on_bad_usage() {
    assert_eq!(
        glassray(&["inspect"]).status.code(),
        Some(2),
        "a PATH is required"
    );
    let bad_unit = glassray(&["inspect", "--x-unit", "furlongs", "."]);
    assert_eq!(bad_unit.status.code(), Some(2));
    assert!(text(&bad_unit.stderr).contains("unknown x unit `furlongs`"));
    let bad_ramp = glassray(&["inspect", "--ramp", "fast", "."]);
    assert_eq!(bad_ramp.status.code(), Some(2));
    assert_eq!(glassray(&["frobnicate"]).status.code(), Some(2));
    let missing_log = glassray(&["inspect", "--temps", "/nonexistent/log.csv", "."]);
    assert_eq!(missing_log.status.code(), Some(2));
}

#[test]
fn help_explains_the_commands() {
    let out = glassray(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for needle in [
        "inspect",
        "demo",
        "Examples:",
        "glassray inspect data/run42/",
    ] {
        assert!(help.contains(needle), "{needle}\n{help}");
    }
    let inspect = text(&glassray(&["inspect", "--help"]).stdout);
    for needle in ["--temps", "--ramp", "--csv", "--wavelength", "T0:RATE/UNIT"] {
        assert!(inspect.contains(needle), "{needle}\n{inspect}");
    }
}

#[test]
fn ramp_gives_temperatures_by_index() {
    let dir = fixture("bad");
    let out = glassray(&[
        "inspect",
        "--csv",
        "--ramp",
        "300:2/pattern",
        "--temperature-source",
        "ramp",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = text(&out.stdout);
    let temps: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(','))
        .map(|l| l.split(',').nth(4).unwrap_or(""))
        .collect();
    // A ramp per pattern counts each file's position in the folder, skipped files included
    // (never renumbered), like an index log: the readable files sit at positions 2, 3, 5, 8.
    assert_eq!(temps, vec!["304", "306", "310", "316"]);
    assert!(stdout.lines().nth(1).is_some_and(|l| l.contains(",ramp,")));
}

#[test]
fn demo_round_trips_temperatures_and_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("d");
    let out = glassray(&["demo", "--out", out_dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("wrote 453 patterns of 3 samples"));

    let inspect = glassray(&[
        "inspect",
        "--csv",
        out_dir.join("HPT").to_str().expect("utf-8"),
    ]);
    assert_eq!(inspect.status.code(), Some(0), "{}", text(&inspect.stderr));
    let csv = text(&inspect.stdout);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 151);
    assert_eq!(
        rows[0],
        "0,HPT_0000.xy,columns,S(Q),300,log,0.5,25.48,1/A,1250,"
    );
    assert!(rows[150].starts_with("150,HPT_0150.xy,columns,S(Q),750,log,"));

    // Values and temperatures come back bit for bit.
    let reference = demo_series(&SAMPLES[2], &DemoConfig::default());
    let loaded = load(&[out_dir.join("HPT")]);
    assert_eq!(loaded.series.len(), 151);
    assert_eq!(loaded.series.sample, "HPT");
    assert_eq!(
        loaded.series.composition.as_deref(),
        Some(glassray::demo::COMPOSITION)
    );
    for (a, b) in loaded.series.patterns.iter().zip(&reference.patterns) {
        assert_eq!(a.x, b.x);
        assert_eq!(a.y, b.y);
        assert_eq!(a.kelvin(), b.kelvin());
        assert_eq!(a.time_s, b.time_s);
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        assert!(matches!(
            a.temperature.as_ref().map(|t| &t.source),
            Some(TemperatureSource::Log { .. })
        ));
    }
    // Without the log, the headers give the same temperatures.
    std::fs::remove_file(out_dir.join("HPT/temperatures.csv")).expect("rm log");
    let loaded = load(&[out_dir.join("HPT")]);
    for (a, b) in loaded.series.patterns.iter().zip(&reference.patterns) {
        assert_eq!(a.kelvin(), b.kelvin());
        assert!(matches!(
            a.temperature.as_ref().map(|t| &t.source),
            Some(TemperatureSource::Header { .. })
        ));
    }
    assert!(Path::new(&out_dir.join("AC/AC_0000.xy")).exists());
}

#[test]
fn demo_files_analysed_give_the_in_app_numbers_bit_for_bit_and_carry_their_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = dir.path().join("d");
    let run = glassray(&["demo", "--out", files.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    // The app's numbers: the embedded demo analysed with defaults (no paths), the very
    // series and engine the GUI starts on.
    let in_app = dir.path().join("in-app");
    let run = glassray(&["analyze", "--out", in_app.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    for sample in &SAMPLES {
        let from_files = dir.path().join(format!("files-{}", sample.name));
        let run = glassray(&[
            "analyze",
            files.join(sample.name).to_str().expect("utf-8"),
            "--out",
            from_files.to_str().expect("utf-8"),
        ]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let read = |p: &Path| std::fs::read_to_string(p).expect("metrics.csv");
        let a = read(&in_app.join(sample.name).join("metrics.csv"));
        let b = read(&from_files.join("metrics.csv"));
        assert!(a.lines().count() == 152, "{}", a.lines().count());
        // Every value, as text written with shortest round-trip formatting: bit for bit. Only
        // where the temperature came from differs (the model itself; the files' log).
        let header: Vec<&str> = a.lines().next().expect("header").split(',').collect();
        let source = header
            .iter()
            .position(|c| *c == "T_source")
            .expect("T_source");
        for (k, (x, y)) in a.lines().zip(b.lines()).enumerate() {
            let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
            assert_eq!(x.len(), y.len());
            for (j, (u, v)) in x.iter().zip(&y).enumerate() {
                if k > 0 && j == source {
                    assert_eq!((*u, *v), ("synthetic", "log"));
                } else {
                    assert_eq!(u, v, "{} metrics.csv line {k}, {}", sample.name, header[j]);
                }
            }
        }
        let summary = |p: &Path| -> serde_json::Value {
            serde_json::from_str(&read(&p.join("summary.json"))).expect("json")
        };
        let (sa, sb) = (summary(&in_app.join(sample.name)), summary(&from_files));
        for key in ["T_r", "T_g", "T_x", "T_r_uncertainty", "T_g_uncertainty"] {
            assert_eq!(sa[key], sb[key], "{} {key}", sample.name);
        }

        // truth.json: the sample's planted transitions and, at every T, its planted state.
        let truth: serde_json::Value =
            serde_json::from_str(&read(&files.join(sample.name).join("truth.json")))
                .expect("truth.json");
        assert_eq!(truth["T_r_K"].as_f64(), Some(sample.t_r));
        assert_eq!(truth["T_g_K"].as_f64(), Some(sample.t_g));
        assert_eq!(truth["T_x_K"].as_f64(), Some(sample.t_x));
        let states = truth["states"].as_array().expect("states");
        assert_eq!(states.len(), 151);
        let state = &states[100];
        let t = state["T_K"].as_f64().expect("T");
        assert_eq!(t, 600.0);
        let planted = glassray::demo::planted_state(sample, t);
        // (serde_json's default parser may round the last bit.)
        let same = |v: &serde_json::Value, x: f64| {
            v.as_f64()
                .is_some_and(|v| (v - x).abs() <= 2.0 * f64::EPSILON * x.abs())
        };
        for i in 0..4 {
            assert!(same(&state["fractions"][i], planted.fractions[i]));
            assert!(same(&state["centres"][i], planted.centres[i]));
        }
        assert!(same(&state["rho0"], planted.rho0));
        assert!(same(&state["baseline"], planted.baseline));
    }
}

#[test]
fn analyze_writes_metrics_summary_and_readable_gr_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("srfe");
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let run = glassray(&[
        "analyze",
        data.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).expect("metrics.csv");
    let mut lines = metrics.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with(
        "index,filename,T_K,fsdp_first_moment,fsdp_area,r1_area,r6_area,frac_1atom,frac_2atom,frac_3atom,frac_4atom,fit_rmse,fit_converged"
    ));
    // The systematic σ follows the statistical errors.
    assert!(header.contains(
        ",frac_4atom_err,frac_1atom_sys,frac_2atom_sys,frac_3atom_sys,frac_4atom_sys,centre_1atom,"
    ));
    let columns: Vec<&str> = header.split(',').collect();
    let at = |name: &str| columns.iter().position(|c| *c == name).expect(name);
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 7);
    assert!(
        rows[0].starts_with("0,a_210K.gr,210,,,"),
        "no FSDP for G(r) input: {}",
        rows[0]
    );
    for row in &rows {
        let fields: Vec<&str> = row.split(',').collect();
        for name in ["frac_2atom_sys", "frac_2atom_err"] {
            let v: f64 = fields[at(name)].parse().expect(name);
            assert!(v.is_finite() && v >= 0.0, "{name} {v}");
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(summary["patterns"], 7);
    assert!(
        summary["fraction_systematic_method"]
            .as_str()
            .is_some_and(|m| m.contains("Qmax x 0.9") && m.contains("tolerance"))
    );
    assert!(
        summary["fraction_statistical_method"]
            .as_str()
            .is_some_and(|m| m.contains("independent"))
    );
    assert!(summary["parameters"]["fit"]["window"][0].as_f64() == Some(3.9));
    // The G(r) files carry a PDFgetX3 header with the temperature and read back as G(r).
    let gr = out.join("gr/a_210K.gr");
    let back = load(&[gr]);
    let p = &back.series.patterns[0];
    assert_eq!(p.format, "pdfgetx3");
    assert_eq!(p.quantity, glassray::model::Quantity::ReducedPdf);
    assert_eq!(p.kelvin(), Some(210.0));
}

#[test]
fn analyze_on_the_demo_orders_the_relaxation_onsets_like_the_study() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = glassray(&["analyze", "--out", dir.path().to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let t_r = |s: &str| -> f64 {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(s).join("summary.json")).expect("summary"),
        )
        .expect("json");
        json["T_r"]
            .as_f64()
            .expect("T_r is a number at the top level")
    };
    let (ac, cr, hpt) = (t_r("AC"), t_r("CR"), t_r("HPT"));
    assert!(hpt < cr && cr < ac, "AC {ac} CR {cr} HPT {hpt}");
    // Each transition's stated 95 % interval holds the value planted in the demo, the file
    // says what the ± means, and the low-Q continuation is recorded in both outputs.
    for sample in &glassray::demo::SAMPLES {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(sample.name).join("summary.json"))
                .expect("summary"),
        )
        .expect("json");
        for (name, planted) in [
            ("T_r", sample.t_r),
            ("T_g", sample.t_g),
            ("T_x", sample.t_x),
        ] {
            let value = json[name].as_f64().expect("value");
            let u = json[format!("{name}_uncertainty")].as_f64().expect("±");
            assert!(
                (value - planted).abs() <= u,
                "{} {name} {value} ± {u} misses {planted}",
                sample.name
            );
        }
        let meaning = json["T_uncertainty_interval"].as_str().expect("meaning");
        assert!(meaning.starts_with("95 % intervals"), "{meaning}");
        assert_eq!(json["parameters"]["low_q"], "hold");
        assert_eq!(json["warnings"], serde_json::json!([]), "{}", sample.name);
    }
    let gr = std::fs::read_to_string(dir.path().join("HPT/gr/HPT_0000.gr")).expect("gr");
    assert!(gr.lines().any(|l| l == "lowq = hold"), "{gr}");
    // Every row has exactly the header's fields (a strict CSV reader refuses ragged rows), and
    // the named columns hold what their names say.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(dir.path().join("HPT/metrics.csv"))
        .expect("metrics");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (moment, smoothed, messages) = (
        column("fsdp_first_moment"),
        column("fsdp_first_moment_smoothed"),
        column("messages"),
    );
    assert_eq!(messages, header.len() - 1);
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("no ragged row");
    assert_eq!(records.len(), 151);
    // The splines follow the glass: an empty smoothed cell only above T_x.
    let t_x = {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("HPT/summary.json")).expect("summary"),
        )
        .expect("json");
        json["T_x"].as_f64().expect("T_x in summary.json")
    };
    let t_k = column("T_K");
    let mut smoothed_rows = 0;
    for rec in &records {
        let m: f64 = rec[moment].parse().expect("moment");
        let t: f64 = rec[t_k].parse().expect("T");
        assert!((2.2..3.0).contains(&m), "{m}");
        match rec[smoothed].parse::<f64>() {
            Ok(s) => {
                assert!((m - s).abs() < 0.01 && t <= t_x, "{t} K: {m} {s}");
                smoothed_rows += 1;
            }
            Err(_) => assert!(rec[smoothed].is_empty() && t > t_x, "{t} K"),
        }
        assert!(
            rec[messages].parse::<f64>().is_err(),
            "messages column holds a number"
        );
    }
    assert!(smoothed_rows >= 140, "{smoothed_rows}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("HPT/gr"))
            .expect("gr")
            .count(),
        151
    );
}

#[test]
fn analyze_rejects_bad_windows_and_overrides_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = dir.path().to_str().expect("utf-8");
    assert_eq!(
        glassray(&["analyze", "--fsdp", "3:2", "--out", o])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        glassray(&["analyze", "--rho0", "-1", "--out", o])
            .status
            .code(),
        Some(2)
    );
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let run = glassray(&[
        "analyze",
        data.to_str().expect("utf-8"),
        "--tg",
        "190",
        "--out",
        o,
    ]);
    assert_eq!(run.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(json["T_g"].as_f64(), Some(190.0));
    assert_eq!(json["T_g_method"], "user");
}

#[test]
fn timings_name_every_stage_and_change_no_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = shared("diffpy-morph-SrFe2As2-Tseries");
    let run = |out: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "analyze",
            data.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        let r = glassray(&args);
        assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
        text(&r.stdout)
    };
    let (plain, timed) = (dir.path().join("plain"), dir.path().join("timed"));
    let quiet = run(&plain, &[]);
    assert!(!quiet.contains("timings"), "{quiet}");
    let said = run(&timed, &["--timings"]);
    // The timed path runs the transform and the fits as two passes: the same numbers.
    for file in ["metrics.csv", "summary.json"] {
        let a = std::fs::read(plain.join(file)).expect("plain");
        let b = std::fs::read(timed.join(file)).expect("timed");
        assert!(a == b, "{file} differs with --timings");
    }
    let table = said
        .split("timings (wall time, summed over the series):")
        .nth(1)
        .unwrap_or_else(|| panic!("no timings in {said}"));
    let ms = |stage: &str| -> f64 {
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("no `{stage}` in {said}"));
        line.trim_end_matches(" ms")
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no time in `{line}`"))
    };
    let stages = [
        "load",
        "reduction",
        "transform",
        "fits",
        "FSDP, lobes",
        "transitions",
        "splines",
        "systematic σ",
        "write",
        "install",
    ];
    let sum: f64 = stages.iter().map(|s| ms(s)).sum();
    let total = ms("total");
    assert!(stages.iter().all(|s| ms(s) >= 0.0));
    assert!(ms("transform") > 0.0 && ms("fits") > 0.0 && ms("write") > 0.0);
    // The stages run one after the other, except transitions beside the splines.
    let serial = sum - ms("transitions").min(ms("splines"));
    assert!(
        serial <= total * 1.001 + 0.01 && total <= sum * 1.5 + 50.0,
        "stages {serial} ms of {total} ms:\n{said}"
    );
}
