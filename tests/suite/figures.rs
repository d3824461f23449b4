//! `glassray figures`: the files it writes, that they parse and agree with each other and
//! with `metrics.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use glassray::report::figures::{PNG_DPI, parse_svg, png_of};

use super::cli::{glassray, text};

const FIGURES: [&str; 5] = [
    "fig3_sq",
    "fig4_fsdp",
    "fig5_gr",
    "fig6_modes",
    "heatmap_ds",
];

/// Rows of a figure CSV: (panel, sample, series) → [(x, y, error)].
type Rows = BTreeMap<(String, String, String), Vec<(f64, f64, f64)>>;

fn figure_csv(path: &Path) -> Rows {
    let mut rows = Rows::new();
    let mut reader = csv::Reader::from_path(path).expect("figure csv");
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["panel", "sample", "series", "x", "y", "error"]
    );
    for r in reader.records() {
        let r = r.expect("row");
        let num = |i: usize| r[i].parse::<f64>().unwrap_or(f64::NAN);
        rows.entry((r[0].to_owned(), r[1].to_owned(), r[2].to_owned()))
            .or_default()
            .push((num(3), num(4), num(5)));
    }
    rows
}

/// metrics.csv of one sample as columns by name.
fn metrics(path: &Path) -> BTreeMap<String, Vec<f64>> {
    let mut reader = csv::Reader::from_path(path).expect("metrics.csv");
    let names: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let mut cols: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in reader.records() {
        let r = r.expect("row");
        for (name, v) in names.iter().zip(r.iter()) {
            cols.entry(name.clone())
                .or_default()
                .push(v.parse::<f64>().unwrap_or(f64::NAN));
        }
    }
    cols
}

#[test]
fn the_demo_gets_every_figure_in_every_format_and_they_agree() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("figs");
    let o = out.to_str().expect("utf-8");
    let run = glassray(&["figures", "--out", o]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("5 figure(s) of AC, CR, HPT"));
    for name in FIGURES {
        for ext in ["svg", "pdf", "png", "csv"] {
            assert!(out.join(format!("{name}.{ext}")).is_file(), "{name}.{ext}");
        }
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).expect("svg");
        // A double column: 175 mm wide.
        assert!(svg.starts_with("<svg width=\"175.00mm\""), "{}", &svg[..80]);
        let tree = parse_svg(&svg).expect("the SVG parses");
        // The PNG is the SVG rendered at 300 dpi: same pixels when rendered again from the file.
        let png = std::fs::read(out.join(format!("{name}.png"))).expect("png");
        assert_eq!(
            png,
            png_of(&tree).expect("render"),
            "{name}: PNG differs from its SVG"
        );
        let size = tree.size();
        let width_px = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let expected = (size.width() as f64 * PNG_DPI / 96.0).round() as u32;
        assert!(width_px.abs_diff(expected) <= 1, "{width_px} vs {expected}");
        assert!(
            (width_px as f64 - 175.0 / 25.4 * PNG_DPI).abs() < 3.0,
            "300 dpi: {width_px}"
        );
        let pdf = std::fs::read(out.join(format!("{name}.pdf"))).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"), "{name}.pdf");
        // Every panel has its letter and every axis its unit.
        for letter in ["A\u{2003}", "B\u{2003}", "C\u{2003}"] {
            assert!(
                svg.contains(&format!(">\n{letter}")) || svg.contains(letter),
                "{name}: {letter}"
            );
        }
    }
    // Fig. 3: the stack holds the lowest and highest T, every 100 K between and the three marks,
    // each once, for each sample; the SVG draws them all.
    let fig3 = figure_csv(&out.join("fig3_sq.csv"));
    for sample in ["AC", "CR", "HPT"] {
        let stacked: Vec<&String> = fig3
            .keys()
            .filter(|(p, s, _)| p == "fig3 S(Q)" && s == sample)
            .map(|(_, _, series)| series)
            .collect();
        assert_eq!(stacked.len(), 9, "{sample}: {stacked:?}");
        assert!(stacked.iter().any(|s| s.starts_with("S(Q) at 300 K")));
        assert!(stacked.iter().any(|s| s.starts_with("S(Q) at 750 K")));
    }
    let svg3 = std::fs::read_to_string(out.join("fig3_sq.svg")).expect("svg");
    let polylines = svg3.matches("<polyline").count();
    // 8 solid stacked curves a sample (the one at T_g is dashed) and the ΔS curves below T_x.
    let delta = fig3.keys().filter(|(p, _, _)| p == "fig3 ΔS(Q)").count();
    assert!(
        polylines >= 3 * 8 + delta,
        "{polylines} polylines for {delta} ΔS curves"
    );
    for unit in ["Q (Å⁻¹)", "S(Q) + offset", "ΔS(Q)"] {
        assert!(svg3.contains(unit), "{unit}");
    }

    // The numbers behind Figs. 4 and 6 are metrics.csv's.
    let analysed = tmp.path().join("analysed");
    let run = glassray(&["analyze", "--out", analysed.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let fig4 = figure_csv(&out.join("fig4_fsdp.csv"));
    let fig6 = figure_csv(&out.join("fig6_modes.csv"));
    for sample in ["AC", "CR", "HPT"] {
        let m = metrics(&analysed.join(sample).join("metrics.csv"));
        let t = &m["T_K"];
        for (panel, key) in [
            ("FSDP first moment", "fsdp_first_moment"),
            ("FSDP area", "fsdp_area"),
        ] {
            let rows = &fig4[&(panel.to_owned(), sample.to_owned(), key.to_owned())];
            assert_eq!(rows.len(), t.len(), "{sample} {key}");
            for (k, &(x, y, _)) in rows.iter().enumerate() {
                assert_eq!((x, y), (t[k], m[key][k]), "{sample} {key} row {k}");
            }
            let smoothed = &fig4[&(
                panel.to_owned(),
                sample.to_owned(),
                format!("{key}_smoothed"),
            )];
            for (k, &(_, y, _)) in smoothed.iter().enumerate() {
                assert_eq!(
                    y,
                    m[&format!("{key}_smoothed")][k],
                    "{sample} {key}_smoothed {k}"
                );
            }
        }
        for (mode, name) in [
            "1-atom (vertex)",
            "2-atom (edge)",
            "3-atom (face)",
            "4-atom (intercross)",
        ]
        .iter()
        .enumerate()
        {
            let rows = &fig6[&(
                "fig6 fractions".to_owned(),
                sample.to_owned(),
                (*name).to_owned(),
            )];
            let key = format!("frac_{}atom", mode + 1);
            let kept: Vec<usize> = (0..t.len()).filter(|&k| m[&key][k].is_finite()).collect();
            assert_eq!(rows.len(), kept.len(), "{sample} {key}");
            for (&(x, y, e), &k) in rows.iter().zip(&kept) {
                assert_eq!((x, y), (t[k], m[&key][k]), "{sample} {key}");
                let err = m[&format!("{key}_err")][k];
                assert!(
                    e == err || (e.is_nan() && err.is_nan()),
                    "{sample} {key}_err {k}"
                );
            }
        }
    }
}

#[test]
fn a_single_column_svg_only_run_and_bad_options() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("figs");
    let o = out.to_str().expect("utf-8");
    let run = glassray(&[
        "figures",
        "--out",
        o,
        "--formats",
        "svg",
        "--width",
        "single",
        "--temperatures",
        "300,500,700",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let svg = std::fs::read_to_string(out.join("fig5_gr.svg")).expect("svg");
    assert!(svg.starts_with("<svg width=\"85.00mm\""));
    assert!(!out.join("fig5_gr.png").exists() && !out.join("fig5_gr.pdf").exists());
    let fig5 = figure_csv(&out.join("fig5_gr.csv"));
    let stacked = fig5
        .keys()
        .filter(|(p, s, _)| p == "fig5 G(r)" && s == "AC")
        .count();
    assert_eq!(stacked, 3, "the three temperatures asked for");
    for bad in [
        vec!["--formats", "eps"],
        vec!["--formats", ""],
        vec!["--width", "triple"],
        vec!["--temperatures", "300,abc"],
        vec!["--temperatures", "-5"],
        vec!["--temperatures", "NaN"],
    ] {
        let mut args = vec!["figures", "--out", o];
        args.extend(bad.iter().copied());
        let run = glassray(&args);
        assert_eq!(run.status.code(), Some(2), "{bad:?}: {}", text(&run.stderr));
        assert!(
            text(&run.stderr).contains("--"),
            "{bad:?} says which option"
        );
    }
    // The previous figures are untouched by the refused runs.
    assert!(out.join("fig5_gr.svg").is_file());
}

#[test]
fn figures_replace_their_own_folder_and_never_a_users_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("figs");
    let o = out.to_str().expect("utf-8");
    let args = [
        "figures",
        "--out",
        o,
        "--formats",
        "svg",
        "--width",
        "single",
    ];
    for run in 0..2 {
        let r = glassray(&args);
        assert_eq!(r.status.code(), Some(0), "run {run}: {}", text(&r.stderr));
    }
    // Exactly the set of figures, each as its CSV and SVG.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("figs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = glassray::report::figures::FIGURE_NAMES
        .iter()
        .flat_map(|n| [format!("{n}.csv"), format!("{n}.svg")])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    // A folder with someone's own file is refused, and the file stays.
    std::fs::write(out.join("thesis.tex"), "mine").expect("a user's file");
    let r = glassray(&args);
    assert_eq!(r.status.code(), Some(2), "{}", text(&r.stderr));
    assert!(
        text(&r.stderr).contains("`thesis.tex`"),
        "{}",
        text(&r.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("thesis.tex")).expect("kept"),
        "mine"
    );
    // The library refuses it too (File ▸ Export figures… in the window goes through it).
    let e = glassray::report::figures::check_figures_replaceable(&out).expect_err("foreign");
    assert!(e.to_string().contains("thesis.tex"), "{e}");
}
