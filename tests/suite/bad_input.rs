//! Bad input never panics and never silently drops data: every case names the file, the line and
//! the reason, and the rest of the series still loads.

use std::path::Path;

use glassray::io::{LoadError, ReadOptions, read_bytes, read_file};
use glassray::model::{Segment, TemperatureSource};
use proptest::prelude::*;

use super::{fixture, load};

fn read(name: &str) -> Result<glassray::io::FileData, LoadError> {
    read_file(&fixture(&format!("bad/{name}")), &ReadOptions::default())
}

#[test]
fn a_non_numeric_row_is_skipped_and_named() {
    let fd = read("non_numeric_row.xy").expect("loads");
    let p = &fd.patterns[0];
    assert_eq!(p.x, vec![1.0, 1.1, 1.3, 1.4, 1.5, 1.6]);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, Some(4));
    assert!(p.problems[0].message.contains("not a number: `abc`"));
    assert!(p.problems[0].path.ends_with("non_numeric_row.xy"));
}

#[test]
fn nan_and_inf_rows_are_skipped_and_named() {
    let fd = read("non_finite.xy").expect("loads");
    let p = &fd.patterns[0];
    assert_eq!(p.x, vec![1.0, 1.2, 1.4, 1.5, 1.6]);
    let lines: Vec<Option<usize>> = p.problems.iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![Some(3), Some(5)]);
    assert!(
        p.problems[0]
            .message
            .contains("non-finite value (NaN) in column 2")
    );
    assert!(p.problems[1].message.contains("inf"));
}

#[test]
fn structural_failures_name_line_and_reason() {
    let cases: [(&str, Option<usize>, &str); 6] = [
        ("single_column.xy", Some(2), "only one numeric column"),
        (
            "non_monotonic.xy",
            Some(5),
            "x decreases (1.15 after 1.2 on line 4)",
        ),
        ("repeated_x.xy", Some(5), "x repeats (1.2 on lines 4 and 5)"),
        ("empty.xy", None, "empty file"),
        ("binary.xy", None, "binary file"),
        ("../formats/README.md", None, "no numeric data rows"),
    ];
    for (name, line, reason) in cases {
        let err = match read(name) {
            Ok(_) => panic!("{name} should fail"),
            Err(e) => e,
        };
        let text = err.to_string();
        assert!(
            text.contains(name),
            "{name}: message names the file: {text}"
        );
        assert!(text.contains(reason), "{name}: {text}");
        match (line, &err) {
            (Some(l), LoadError::Parse { line, .. }) => assert_eq!(*line, l, "{name}"),
            (None, LoadError::Invalid { .. }) => {}
            _ => panic!("{name}: unexpected error kind {err:?}"),
        }
    }
}

#[test]
fn a_truncated_last_row_is_reported() {
    let fd = read("truncated.xy").expect("loads");
    let p = &fd.patterns[0];
    assert_eq!(p.x.len(), 4);
    assert_eq!(p.problems[0].line, Some(6));
    assert!(
        p.problems[0].message.contains("truncated"),
        "{}",
        p.problems[0].message
    );
}

#[test]
fn q_in_nm_labelled_inverse_angstrom_is_flagged() {
    let fd = read("nm_labelled_A.xy").expect("loads");
    let p = &fd.patterns[0];
    let d = &p.problems[0];
    assert_eq!(d.line, Some(1), "the label line");
    assert!(d.message.contains("looks like 1/nm"), "{}", d.message);
    assert_eq!(p.x[0], 5.0, "not converted behind the user's back");
}

#[test]
fn a_folder_of_bad_files_loads_what_it_can() {
    let s = load(&[fixture("bad")]);
    let loaded: Vec<String> = s.series.patterns.iter().map(|p| p.display_name()).collect();
    assert_eq!(
        loaded,
        vec![
            "nm_labelled_A.xy",
            "non_finite.xy",
            "non_numeric_row.xy",
            "truncated.xy"
        ]
    );
    let mut failed: Vec<String> = s
        .failed
        .iter()
        .map(|e| glassray::model::file_name(e.path()))
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            "binary.xy",
            "empty.xy",
            "non_monotonic.xy",
            "repeated_x.xy",
            "single_column.xy"
        ]
    );
}

#[test]
fn series_flags_cooling_and_holds_and_reports_a_missing_log_entry() {
    let s = load(&[fixture("series")]);
    let p = &s.series.patterns;
    assert_eq!(p.len(), 6);
    assert_eq!(s.log.as_ref().map(|l| l.ends_with("log.csv")), Some(true));
    let temps: Vec<f64> = p.iter().filter_map(|x| x.kelvin()).collect();
    // Log values are header + 0.5 K; scan_3 is missing from the log, so its header is used.
    assert_eq!(temps, vec![300.5, 320.5, 340.0, 340.5, 330.5, 360.5]);
    assert!(matches!(
        p[0].temperature.as_ref().map(|t| &t.source),
        Some(TemperatureSource::Log { line: 2, .. })
    ));
    assert!(matches!(
        p[2].temperature.as_ref().map(|t| &t.source),
        Some(TemperatureSource::Header { .. })
    ));
    assert!(
        p[2].problems.iter().any(|d| d.message.contains("no entry")),
        "{:?}",
        p[2].problems
    );
    let segments: Vec<Segment> = p.iter().map(|x| x.segment).collect();
    assert_eq!(
        segments,
        vec![
            Segment::Start,
            Segment::Heating,
            Segment::Heating,
            Segment::Heating,
            Segment::Cooling,
            Segment::Heating
        ]
    );
    assert_eq!(p[1].time_s, Some(60.0));
    assert_eq!(s.series.sample, "ZrCuAl");
}

#[test]
fn celsius_in_a_header_is_converted() {
    let fd = read_file(&fixture("series/scan_2.xy"), &ReadOptions::default()).expect("loads");
    let (k, key, line) = fd.header_temperature.expect("header T");
    assert!((k - 320.0).abs() < 1e-9, "{k}");
    assert_eq!((key.as_str(), line), ("temperature", 2));
}

#[test]
fn repeated_temperatures_are_kept_and_flagged() {
    use glassray::io::{LoadOptions, SourceKind};
    let opts = LoadOptions {
        temperature_source: Some(SourceKind::Header),
        ..Default::default()
    };
    let s = super::load_with(&[fixture("series")], &opts);
    let p = &s.series.patterns;
    assert_eq!(p[3].kelvin(), Some(340.0));
    assert_eq!(p[3].segment, Segment::Hold);
    assert!(p[3].repeated_temperature);
    assert_eq!(s.series.cooling_and_repeated(), (1, 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_bytes(Path::new("fuzz.xy"), &bytes, &ReadOptions::default());
        let _ = read_bytes(Path::new("fuzz.chi"), &bytes, &ReadOptions::default());
        let _ = glassray::io::temperature::parse_log(Path::new("fuzz.csv"), &bytes);
    }

    #[test]
    fn arbitrary_number_soup_never_panics(
        lines in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    Just("1.5".to_string()), Just("-2e3".to_string()), Just("nan".to_string()),
                    Just("1.0D+01".to_string()), Just("#".to_string()), Just("T=300K".to_string()),
                    Just("#### start data".to_string()), Just("#L r G(r)".to_string()),
                    Just("BANK 1".to_string()), Just(",".to_string()), Just(";".to_string()),
                    Just("Q (Inverse Nanometres)".to_string()), Just("2th_deg".to_string()),
                    (0.0f64..1e3).prop_map(|v| v.to_string()),
                ],
                0..6,
            ).prop_map(|v| v.join(" ")),
            0..40,
        ),
        ext in prop_oneof![Just("xy"), Just("chi"), Just("gr"), Just("mint01"), Just("csv"), Just("fxye")],
    ) {
        let text = lines.join("\n");
        let path = format!("soup.{ext}");
        match read_bytes(Path::new(&path), text.as_bytes(), &ReadOptions::default()) {
            Ok(fd) => for p in fd.patterns {
                prop_assert!(p.x.len() >= 2);
                prop_assert_eq!(p.x.len(), p.y.len());
                prop_assert!(p.x.windows(2).all(|w| w[1] > w[0]));
                prop_assert!(p.y.iter().all(|v| v.is_finite()));
            },
            Err(e) => prop_assert!(e.to_string().contains("soup")),
        }
    }
}
