//! Reader and loader regressions: quantities found from labels or values, damaged input made
//! visible, temperatures matched by position, special files and odd encodings.

use std::path::{Path, PathBuf};

use glassray::engine::load_inputs;
use glassray::io::{LoadError, LoadOptions, LoadProblem, ReadOptions, read_bytes};
use glassray::model::{Quantity, TemperatureSource};
use proptest::prelude::*;

use super::shared;

fn read(name: &str, text: &str) -> Result<glassray::io::FileData, LoadError> {
    read_bytes(Path::new(name), text.as_bytes(), &ReadOptions::default())
}

fn one(name: &str, text: &str) -> glassray::model::Pattern {
    let mut fd = read(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(fd.patterns.len(), 1, "{name}");
    fd.patterns.remove(0)
}

/// Rows `x y` over a grid, with a newline after each.
fn rows(from: f64, to: f64, n: usize, f: impl Fn(f64) -> f64) -> String {
    let mut out = String::new();
    for i in 0..n {
        let x = from + (to - from) * i as f64 / (n - 1) as f64;
        out.push_str(&format!("{x:.5} {:.6}\n", f(x)));
    }
    out
}

/// Values no inference can place: a level of 0.5 with a small ripple.
fn undecidable(x: f64) -> f64 {
    0.5 + 0.01 * (3.0 * x).sin()
}

/// A liquid-like S(Q) with a first peak at 2.7 Å⁻¹ and damped oscillations.
fn s_of_q(q: f64) -> f64 {
    let first = 2.0 * (-((q - 2.7) / 0.3f64).powi(2)).exp();
    let rise = 1.0 / (1.0 + (-(q - 2.2) * 4.0).exp());
    0.05 + 0.95 * rise + first + 0.8 * (2.5 * q).sin() * (-0.12 * q).exp() / q * rise
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn a_header_comment_naming_the_columns_gives_the_quantity() {
    use Quantity::*;
    let q_data = rows(0.5, 12.0, 60, undecidable);
    let r_data = rows(0.5, 12.0, 60, undecidable);
    let cases = [
        ("# Q (1/A)  S(Q)", StructureFactor, &q_data),
        ("# columns: Q S(Q)", StructureFactor, &q_data),
        ("# Columns: q s(q)", StructureFactor, &q_data),
        ("#  q  F(Q)", ReducedStructureFunction, &q_data),
        ("# Q [1/A]  f(q)", ReducedStructureFunction, &q_data),
        ("# r G(r)", ReducedPdf, &r_data),
        ("# r (A)  G(r)", ReducedPdf, &r_data),
        ("# Q I(Q)", Intensity, &q_data),
        ("# q   i(q)", Intensity, &q_data),
        ("#L r G", ReducedPdf, &r_data),
        ("# R G(R)", ReducedPdf, &r_data),
    ];
    for (header, quantity, data) in cases {
        let p = one("plain.dat", &format!("{header}\n{data}"));
        assert_eq!(p.quantity, quantity, "{header}: {:?}", p.notes);
        assert!(
            !p.notes.iter().any(|n| n.contains("inferred")),
            "{header}: the label decides, nothing is inferred: {:?}",
            p.notes
        );
    }
}

#[test]
fn a_header_naming_another_program_does_not_hide_a_labelled_s_column() {
    let data = rows(0.5, 12.0, 60, undecidable);
    for header in [
        "# Q S(Q)\n# written by LiquidDiffract\n",
        "# LiquidDiffract v1.2.5\n# Q S(Q)\n",
        "# LiquidDiffract v1.2.5\n# Q|S(Q)\n",
        "# Q (1/A) S(Q)\n# produced with PDFgetX3\n",
    ] {
        let p = one("out.dat", &format!("{header}{data}"));
        assert_eq!(
            p.quantity,
            Quantity::StructureFactor,
            "{header}{:?}",
            p.notes
        );
    }
}

#[test]
fn an_unlabelled_quantity_is_inferred_from_the_values_and_said_so() {
    let p = one("plain.dat", &rows(0.5, 25.0, 1200, s_of_q));
    assert_eq!(p.quantity, Quantity::StructureFactor);
    let note = p
        .notes
        .iter()
        .find(|n| n.starts_with("quantity inferred as S(Q): values tend to 1 at high Q"))
        .unwrap_or_else(|| panic!("{:?}", p.notes));
    assert!(note.ends_with("force with --quantity"), "{note}");

    let p = one("plain.dat", &rows(0.5, 25.0, 1200, |q| s_of_q(q) - 1.0));
    assert_eq!(p.quantity, Quantity::Interference, "{:?}", p.notes);
    let p = one(
        "plain.dat",
        &rows(0.5, 25.0, 1200, |q| q * (s_of_q(q) - 1.0)),
    );
    assert_eq!(
        p.quantity,
        Quantity::ReducedStructureFunction,
        "{:?}",
        p.notes
    );
    let p = one(
        "plain.dat",
        &rows(0.5, 25.0, 1200, |q| {
            800.0 * s_of_q(q) * (-q * q / 300.0).exp() + 150.0
        }),
    );
    assert_eq!(p.quantity, Quantity::Intensity, "{:?}", p.notes);
    // G(r) = 4πr ρ0 (g − 1): a line of slope −4πρ0 below the first shell.
    let big_g = |r: f64| {
        let g = if r < 2.2 {
            0.0
        } else {
            1.0 + 1.5 * ((r - 2.2) * 2.6).sin() * (-(r - 2.2) / 3.0).exp()
        };
        4.0 * std::f64::consts::PI * 0.06 * r * (g - 1.0)
    };
    let p = one("plain.dat", &rows(0.0, 20.0, 2001, big_g));
    assert_eq!(p.quantity, Quantity::ReducedPdf, "{:?}", p.notes);
    assert!(p.notes.iter().any(|n| n.contains("−4πρ0")), "{:?}", p.notes);
}

#[test]
fn gr_on_the_command_line_is_the_reduced_pdf() {
    assert_eq!(Quantity::parse("gr"), Some(Quantity::ReducedPdf));
    let opts = ReadOptions {
        quantity: Quantity::parse("gr"),
        ..ReadOptions::default()
    };
    let fd = read_bytes(
        Path::new("plain.dat"),
        rows(0.5, 12.0, 60, undecidable).as_bytes(),
        &opts,
    )
    .expect("read");
    assert_eq!(fd.patterns[0].quantity, Quantity::ReducedPdf);
}

#[test]
fn every_measured_main_series_knows_its_quantity_without_the_option() {
    for folder in [
        "amorpheus-Ce-metallic-glass",
        "diffpy-morph-SrFe2As2-Tseries",
        "diffpy-pdfgui-LaMnO3-Tseries-and-Ni",
        "diffpy-srmise-examples",
        "dissolve-examples",
        "fullrmc-NiTi-amorphous",
        "glassure-test-data",
        "liquiddiffract-Ga-liquid",
    ] {
        let loads = load_inputs(&[shared(folder)], &LoadOptions::default());
        let main = &loads[0];
        assert_eq!(
            main.quantity_unknown(),
            0,
            "{folder}: {:?}",
            main.series.notes
        );
        assert_eq!(main.fatal_problem(), None, "{folder}");
    }
}

#[test]
fn all_patterns_of_unknown_quantity_is_a_fatal_load_problem() {
    let dir = temp_dir();
    write(
        dir.path(),
        "a.dat",
        rows(0.5, 12.0, 60, undecidable).as_bytes(),
    );
    write(
        dir.path(),
        "b.dat",
        rows(0.5, 12.0, 60, undecidable).as_bytes(),
    );
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    assert_eq!(loads.len(), 1);
    let load = &loads[0];
    assert_eq!(load.quantity_unknown(), 2);
    assert_eq!(load.without_temperature(), 2);
    assert_eq!(
        load.problems(),
        [
            LoadProblem::QuantityUnknown { patterns: 2 },
            LoadProblem::NoTemperature { patterns: 2 }
        ]
    );
    let fatal = load.fatal_problem().expect("fatal");
    assert!(fatal.to_string().contains("--quantity"), "{fatal}");
    assert!(!LoadProblem::NoTemperature { patterns: 2 }.is_fatal());
    // Each file says why it stays unknown.
    let p = &load.series.patterns[0];
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("not inferred") && n.contains("--quantity")),
        "{:?}",
        p.notes
    );
}

#[test]
fn a_file_cut_mid_number_drops_the_row_and_names_file_and_line() {
    let mut text = String::from("# Q S(Q)\n");
    for i in 0..30 {
        text.push_str(&format!(
            "{:.4} {:.6}\n",
            1.0 + 0.1 * i as f64,
            0.5 + 0.001 * i as f64
        ));
    }
    text.push_str("4.0000 0.53"); // cut: no newline, shorter than the column above
    let p = one("cut.dat", &text);
    assert_eq!(p.x.len(), 30);
    let d = p
        .problems
        .iter()
        .find(|d| d.message.contains("truncated last row"))
        .unwrap_or_else(|| panic!("{:?}", p.problems));
    assert_eq!((d.path.as_path(), d.line), (Path::new("cut.dat"), Some(32)));
}

#[test]
fn a_header_only_xy_is_a_failed_file_not_an_ignored_one() {
    let dir = temp_dir();
    write(
        dir.path(),
        "good.xy",
        rows(0.5, 12.0, 60, s_of_q).as_bytes(),
    );
    write(
        dir.path(),
        "cut.xy",
        b"# pyFAI\n# Wavelength: 1e-11\n# q_A^-1 I\n",
    );
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    let load = &loads[0];
    assert!(load.ignored.iter().all(|i| !i.path.ends_with("cut.xy")));
    let failed = load
        .failed
        .iter()
        .find(|e| e.path().ends_with("cut.xy"))
        .expect("cut.xy failed");
    assert!(failed.to_string().contains("no data rows"), "{failed}");
}

#[test]
fn a_folder_mixing_quantities_gives_the_main_series_first_and_the_others_apart() {
    let dir = temp_dir();
    for t in [300, 400, 500, 600] {
        let text = format!("# Q S(Q)\n{}", rows(0.5, 12.0, 60, s_of_q));
        write(dir.path(), &format!("ZrCu_{t}K.dat"), text.as_bytes());
    }
    for n in ["Ni_a", "Ni_b"] {
        let text = format!("# r G(r)\n{}", rows(0.5, 12.0, 60, undecidable));
        write(dir.path(), &format!("{n}.gr"), text.as_bytes());
    }
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    let sizes: Vec<usize> = loads.iter().map(|l| l.series.patterns.len()).collect();
    assert_eq!(sizes, [4, 2]);
    assert_eq!(
        loads[0].series.patterns[0].quantity,
        Quantity::StructureFactor
    );
    assert_eq!(loads[1].series.patterns[0].quantity, Quantity::ReducedPdf);
    assert!(
        loads[0]
            .problems()
            .contains(&LoadProblem::MixedFolder { main: true })
    );
    assert!(
        loads[1]
            .problems()
            .contains(&LoadProblem::MixedFolder { main: false })
    );
    assert!(
        loads[1]
            .series
            .notes
            .iter()
            .any(|n| n.contains("quantity G(r) (main: S(Q))")),
        "{:?}",
        loads[1].series.notes
    );
}

#[test]
fn one_unlabelled_file_the_values_do_not_place_stays_in_its_series() {
    let dir = temp_dir();
    for t in [300, 400, 500, 600] {
        write(
            dir.path(),
            &format!("ZrCu_{t}K.dat"),
            rows(0.5, 25.0, 1200, s_of_q).as_bytes(),
        );
    }
    // A damaged frame: nothing says its quantity and its values look like nothing.
    write(
        dir.path(),
        "ZrCu_700K.dat",
        rows(0.5, 25.0, 1200, undecidable).as_bytes(),
    );
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    assert_eq!(loads.len(), 1, "not split");
    let p = &loads[0].series.patterns;
    assert!(p.iter().all(|p| p.quantity == Quantity::StructureFactor));
    assert!(
        p[4].notes
            .iter()
            .any(|n| n.starts_with("quantity taken as S(Q), as inferred for 4 of the 5")),
        "{:?}",
        p[4].notes
    );
}

#[test]
fn an_index_log_matches_files_by_their_own_position_after_a_skip() {
    let dir = temp_dir();
    let good = format!("# Q S(Q)\n{}", rows(0.5, 12.0, 60, s_of_q));
    write(dir.path(), "scan_0.dat", good.as_bytes());
    write(
        dir.path(),
        "scan_1.dat",
        b"\x00\x01\x02 binary garbage \x00",
    );
    write(dir.path(), "scan_2.dat", good.as_bytes());
    write(
        dir.path(),
        "temperatures.csv",
        b"index,T_K\n0,300\n1,310\n2,320\n",
    );
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    let load = &loads[0];
    assert_eq!(load.failed.len(), 1, "{:?}", load.failed);
    let temps: Vec<Option<f64>> = load.series.patterns.iter().map(|p| p.kelvin()).collect();
    assert_eq!(temps, [Some(300.0), Some(320.0)], "scan_2 keeps position 2");
    assert!(matches!(
        load.series.patterns[1]
            .temperature
            .as_ref()
            .map(|t| &t.source),
        Some(TemperatureSource::Log { .. })
    ));
}

#[test]
fn a_header_temperature_outside_1_to_5000_kelvin_is_a_problem() {
    let dir = temp_dir();
    for (name, t) in [("a.dat", "300"), ("b.dat", "9000")] {
        let text = format!(
            "# temperature = {t} K\n# Q S(Q)\n{}",
            rows(0.5, 12.0, 60, s_of_q)
        );
        write(dir.path(), name, text.as_bytes());
    }
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    let p = &loads[0].series.patterns;
    assert!(p[0].problems.iter().all(|d| !d.message.contains("outside")));
    assert!(
        p[1].problems
            .iter()
            .any(|d| d.message.contains("9000 K") && d.message.contains("outside 1–5000 K")),
        "{:?}",
        p[1].problems
    );
}

#[test]
fn log_index_base_range_celsius_quotes_and_duplicates_are_problems() {
    use glassray::io::temperature::parse_log;
    let path = Path::new("log.csv");
    // 1-based: no 0 anywhere, even with one unreadable row; the reason is kept.
    let log = parse_log(path, b"index,T_K\n1,300\n2,x\n3,320\n4,330\n").expect("log");
    assert!(log.one_based);
    assert!(log.index_base.as_deref().is_some_and(|w| !w.is_empty()));
    // Out of range, °C-looking kelvins, a duplicate name, an unterminated quote.
    let log = parse_log(
        path,
        b"file,T_K\na.xy,20\nb.xy,25\nc.xy,30\nd.xy,9000\n\"e.xy,40\nf.xy,45\na.xy,50\n",
    )
    .expect("log");
    let said = |w: &str| log.problems.iter().any(|d| d.message.contains(w));
    assert!(said("5000"), "{:?}", log.problems);
    assert!(said("°C"), "{:?}", log.problems);
    assert!(said("quote"), "{:?}", log.problems);
    assert!(said("twice") || said("listed"), "{:?}", log.problems);
    assert!(
        log.rows.iter().any(|r| r.file.as_deref() == Some("f.xy")),
        "the row after the bad quote is kept: {:?}",
        log.rows
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_files_over_the_limit_are_skipped_with_the_reason() {
    let dir = temp_dir();
    write(
        dir.path(),
        "good.xy",
        rows(0.5, 12.0, 60, s_of_q).as_bytes(),
    );
    let fifo = dir.path().join("pipe.xy");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    write(
        dir.path(),
        "big.xy",
        rows(0.5, 12.0, 600, s_of_q).as_bytes(),
    );
    let opts = LoadOptions {
        max_file_bytes: 5_000,
        ..LoadOptions::default()
    };
    let loads = load_inputs(&[dir.path().to_path_buf()], &opts);
    let load = &loads[0];
    assert_eq!(load.series.patterns.len(), 1);
    let reason = |name: &str| {
        load.failed
            .iter()
            .find(|e| e.path().ends_with(name))
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("{name}: {:?}", load.failed))
    };
    assert!(reason("pipe.xy").contains("named pipe"));
    assert!(reason("big.xy").contains("limit"));
    assert_eq!(LoadOptions::default().max_file_bytes, 2_000_000_000);
}

#[test]
fn a_megabyte_header_line_is_read_in_linear_time() {
    // Quadratic key scanning took minutes on this; linear takes milliseconds.
    let mut text = String::from("# ");
    text.push_str(&"a=".repeat(250_000));
    text.push_str(&")=(".repeat(100_000));
    text.push('\n');
    text.push_str(&rows(0.5, 25.0, 300, s_of_q));
    let p = one("long.dat", &text);
    assert_eq!(p.x.len(), 300);
    let mut out = Vec::new();
    glassray::io::header::entries_on_line(&"k=".repeat(500_000), 1, &mut out);
    assert!(out.len() <= 500_000);
}

fn read_raw(name: &str, bytes: &[u8]) -> glassray::model::Pattern {
    let mut fd = read_bytes(Path::new(name), bytes, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    fd.patterns.remove(0)
}

#[test]
fn utf16_and_byte_order_marks_are_decoded() {
    // A bare (uncommented) names line first: the BOM must not hide it.
    let text = format!("Q S(Q)\n{}", rows(0.5, 12.0, 60, undecidable));
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom8 = b"\xef\xbb\xbf".to_vec();
    bom8.extend(text.as_bytes());
    for (bytes, how) in [
        (le, "UTF-16 LE"),
        (be, "UTF-16 BE"),
        (bom8, "UTF-8 byte-order mark"),
    ] {
        let p = read_raw("enc.dat", &bytes);
        assert_eq!(p.x.len(), 60, "{how}");
        assert_eq!(
            p.quantity,
            Quantity::StructureFactor,
            "{how}: {:?}",
            p.notes
        );
        assert!(
            p.notes.iter().any(|n| n.contains(how)),
            "{how}: {:?}",
            p.notes
        );
    }
}

#[test]
fn decimal_commas_between_whitespace_are_read() {
    let mut text = String::from("# Q S(Q)\n");
    for i in 0..20 {
        text.push_str(&format!("{},{:02}  1,{:03}\n", i, 50, 234 + i));
    }
    let p = read_raw("comma.dat", text.as_bytes());
    assert_eq!(p.x.len(), 20);
    assert_eq!((p.x[0], p.y[0]), (0.5, 1.234));
    assert_eq!((p.x[19], p.y[19]), (19.5, 1.253));
}

/// A line of header-ish text: keys, units, `=`, brackets and noise.
fn header_line() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("T".to_string()),
            Just("=".to_string()),
            Just("==".to_string()),
            Just("(K)".to_string()),
            Just(")".to_string()),
            Just("(".to_string()),
            Just(":".to_string()),
            Just("temperature".to_string()),
            Just("wavelength".to_string()),
            Just("Å".to_string()),
            Just(" ".to_string()),
            (0.0f64..2000.0).prop_map(|v| v.to_string()),
            "[a-zA-Z_.-]{1,8}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// A temperature-log cell: numbers, names, quotes, separators, blanks.
fn log_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..20).prop_map(|v| v.to_string()),
        (-300.0f64..6000.0).prop_map(|v| format!("{v:.1}")),
        Just("\"".to_string()),
        Just("a.xy".to_string()),
        Just("b.xy".to_string()),
        Just(String::new()),
        Just("nan".to_string()),
        Just(";".to_string()),
        "[ -~]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes under any pattern extension: a pattern or a typed error naming the file.
    #[test]
    fn any_bytes_read_or_fail_with_a_typed_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        ext in prop_oneof![Just("xy"), Just("dat"), Just("chi"), Just("gr"), Just("sq"),
            Just("fq"), Just("mint01"), Just("csv"), Just("fxye"), Just("txt")],
        utf16 in any::<bool>(),
    ) {
        let bytes = if utf16 {
            let mut b = vec![0xff, 0xfe];
            b.extend(String::from_utf8_lossy(&bytes).encode_utf16().flat_map(u16::to_le_bytes));
            b
        } else {
            bytes
        };
        let path = format!("any.{ext}");
        match read_bytes(Path::new(&path), &bytes, &ReadOptions::default()) {
            Ok(fd) => for p in fd.patterns {
                prop_assert_eq!(p.x.len(), p.y.len());
                prop_assert!(p.y.iter().all(|v| v.is_finite()));
            },
            Err(e) => prop_assert_eq!(e.path(), Path::new(&path)),
        }
    }

    /// Header-like lines and number rows: a pattern or a typed error, and never a panic.
    #[test]
    fn header_lines_above_numbers_never_panic(
        header in proptest::collection::vec(header_line(), 0..8),
        n in 0usize..40,
        comment in any::<bool>(),
    ) {
        let mut text = String::new();
        for h in &header {
            if comment {
                text.push_str("# ");
            }
            text.push_str(h);
            text.push('\n');
        }
        text.push_str(&rows(0.5, 12.0, n.max(2), s_of_q));
        let mut entries = Vec::new();
        for (i, h) in header.iter().enumerate() {
            glassray::io::header::entries_on_line(h, i + 1, &mut entries);
        }
        for e in &entries {
            prop_assert!(!e.key.is_empty());
        }
        let _ = read_bytes(Path::new("h.dat"), text.as_bytes(), &ReadOptions::default());
    }

    /// Temperature logs of arbitrary cells: a log whose kelvins are in range, or an error.
    #[test]
    fn temperature_logs_parse_or_fail_cleanly(
        head in prop_oneof![Just("index,T_K"), Just("file,T_K"), Just("time_s,T_C"),
            Just("filename;temperature"), Just("index,file,T_K")],
        cells in proptest::collection::vec(proptest::collection::vec(log_cell(), 0..4), 0..30),
    ) {
        let sep = if head.contains(';') { ";" } else { "," };
        let mut text = format!("{head}\n");
        for row in &cells {
            text.push_str(&row.join(sep));
            text.push('\n');
        }
        match glassray::io::temperature::parse_log(Path::new("t.csv"), text.as_bytes()) {
            Ok(log) => {
                prop_assert!(!log.rows.is_empty());
                for r in &log.rows {
                    prop_assert!(r.kelvin.is_finite() && (1.0..=5000.0).contains(&r.kelvin));
                }
            }
            Err(e) => prop_assert_eq!(e.path(), Path::new("t.csv")),
        }
    }
}

#[test]
fn analyze_refuses_a_folder_of_unknown_quantity_and_reads_plain_s_of_q_with_no_options() {
    use super::cli::{glassray, text};
    // Nothing says what these hold and the values do not tell: exit 1 with the reason.
    let dir = temp_dir();
    for name in ["a.dat", "b.dat"] {
        write(
            dir.path(),
            name,
            rows(0.5, 12.0, 60, undecidable).as_bytes(),
        );
    }
    let out = temp_dir();
    let target = out.path().join("results");
    let run = glassray(&[
        "analyze",
        dir.path().to_str().expect("utf-8"),
        "--out",
        target.to_str().expect("utf-8"),
    ]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not analysed"), "{stderr}");
    assert!(stderr.contains("--quantity"), "{stderr}");
    assert!(!target.join("metrics.csv").exists());

    // Plain two-column S(Q) files with a `# Q S(Q)` header and a temperatures.csv: no options.
    let dir = temp_dir();
    let mut log = String::from("filename,T_K\n");
    for k in 0..8 {
        let t = 300.0 + 25.0 * k as f64;
        let shift = 1.0 - 2e-4 * k as f64;
        let body = rows(0.5, 20.0, 976, |q| s_of_q(q / shift));
        write(
            dir.path(),
            &format!("glass_{k:03}.dat"),
            format!("# Q (1/A)  S(Q)\n{body}").as_bytes(),
        );
        log.push_str(&format!("glass_{k:03}.dat,{t}\n"));
    }
    write(dir.path(), "temperatures.csv", log.as_bytes());
    let run = glassray(&[
        "analyze",
        dir.path().to_str().expect("utf-8"),
        "--out",
        target.to_str().expect("utf-8"),
    ]);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    let metrics = std::fs::read_to_string(target.join("metrics.csv")).expect("metrics");
    let lines: Vec<&str> = metrics.lines().collect();
    assert_eq!(lines.len(), 9, "{metrics}");
    assert!(lines[1].starts_with("0,glass_000.dat,300,"), "{}", lines[1]);
    assert!(lines[8].starts_with("7,glass_007.dat,475,"), "{}", lines[8]);
    // Each pattern has a G(r), and the FSDP moment falls as the peak moves down in Q.
    assert_eq!(std::fs::read_dir(target.join("gr")).expect("gr").count(), 8);
    let moment = |line: &str| -> f64 {
        line.split(',')
            .nth(3)
            .and_then(|v| v.parse().ok())
            .expect("moment")
    };
    assert!(moment(lines[8]) < moment(lines[1]));
}
