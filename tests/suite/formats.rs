//! Every reader on small fixtures that mimic what each program writes (tests/data/formats).

use glassray::io::{LoadOptions, ReadOptions, read_file};
use glassray::model::{Quantity, TemperatureSource, XUnit};

use super::{close, fixture, load, load_with};

fn one(name: &str) -> glassray::model::Pattern {
    let fd = read_file(
        &fixture(&format!("formats/{name}")),
        &ReadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(fd.patterns.len(), 1);
    fd.patterns.into_iter().next().expect("one pattern")
}

#[test]
fn pdfgetx3_outputs_name_their_quantity_and_axis() {
    for (name, q, unit, first, last) in [
        (
            "pdfgetx3.iq",
            Quantity::Intensity,
            XUnit::QInvAngstrom,
            0.5,
            15.25,
        ),
        (
            "pdfgetx3.sq",
            Quantity::StructureFactor,
            XUnit::QInvAngstrom,
            0.5,
            15.25,
        ),
        (
            "pdfgetx3.fq",
            Quantity::ReducedStructureFunction,
            XUnit::QInvAngstrom,
            0.5,
            15.25,
        ),
        (
            "pdfgetx3.gr",
            Quantity::ReducedPdf,
            XUnit::RAngstrom,
            0.0,
            5.9,
        ),
    ] {
        let p = one(name);
        assert_eq!(p.format, "pdfgetx3", "{name}");
        assert_eq!(p.quantity, q, "{name}");
        assert_eq!(p.x_unit, unit, "{name}");
        assert_eq!(p.x.len(), 60, "{name}");
        assert!(
            close(p.x[0], first, 1e-9) && close(p.x[59], last, 1e-9),
            "{name}: {:?}",
            p.x_range()
        );
        assert!(p.problems.is_empty(), "{name}: {:?}", p.problems);
        assert_eq!(p.metadata_value("composition"), Some("Cu0.5 Zr0.5"));
    }
}

#[test]
fn pyfai_two_theta_is_converted_with_the_header_wavelength() {
    let p = one("pyfai_2th.xy");
    assert_eq!(p.format, "pyfai");
    assert_eq!(p.quantity, Quantity::Intensity);
    assert_eq!(p.x_unit, XUnit::QInvAngstrom);
    // First row 2θ = 0.9°, λ = 1.907e-11 m = 0.1907 Å.
    let expected = 4.0 * std::f64::consts::PI * (0.9f64.to_radians() / 2.0).sin() / 0.1907;
    assert!(close(p.x[0], expected, 1e-9), "{} vs {expected}", p.x[0]);
    assert_eq!(p.x.len(), 58);
}

#[test]
fn nm_inverse_q_is_scaled_to_inverse_angstrom() {
    for name in ["pyfai_qnm.dat", "fit2d_qnm.chi"] {
        let p = one(name);
        assert_eq!(p.x_unit, XUnit::QInvAngstrom, "{name}");
        assert!(close(p.x[0], 0.5, 1e-12), "{name}: {}", p.x[0]);
        assert!(close(*p.x.last().expect("x"), 20.0, 1e-12), "{name}");
        assert!(
            p.notes.iter().any(|n| n.contains("1/nm")),
            "{name}: {:?}",
            p.notes
        );
        assert!(p.problems.is_empty(), "{name}: {:?}", p.problems);
    }
}

#[test]
fn fit2d_two_theta_needs_a_wavelength() {
    let p = one("fit2d_2theta.chi");
    assert_eq!(p.format, "fit2d-chi");
    assert_eq!(p.x_unit, XUnit::TwoThetaDeg);
    assert_eq!(p.x.len(), 50);
    let d = &p.problems[0];
    assert_eq!(d.line, Some(2), "the x label line");
    assert!(d.message.contains("no wavelength"), "{}", d.message);

    let opts = ReadOptions {
        wavelength: Some(0.1173),
        ..Default::default()
    };
    let fd = read_file(&fixture("formats/fit2d_2theta.chi"), &opts).expect("reads");
    let p = &fd.patterns[0];
    assert_eq!(p.x_unit, XUnit::QInvAngstrom);
    let expected = 4.0 * std::f64::consts::PI * (0.5f64.to_radians() / 2.0).sin() / 0.1173;
    assert!(close(p.x[0], expected, 1e-9));
    assert!(p.problems.is_empty());
}

#[test]
fn dioptas_and_gsas2_layouts() {
    let chi = one("dioptas.chi");
    assert_eq!(
        (chi.format.as_str(), chi.x_unit, chi.x.len()),
        ("fit2d-chi", XUnit::TwoThetaDeg, 40)
    );
    let xy = one("dioptas_qA.xy");
    assert_eq!(
        (xy.format.as_str(), xy.x_unit, xy.x.len()),
        ("pyfai", XUnit::QInvAngstrom, 24)
    );
    assert!(close(xy.x[0], 0.5, 1e-12));
    let qchi = one("gsas2_export.qchi");
    assert_eq!((qchi.x_unit, qchi.x.len()), (XUnit::QInvAngstrom, 30));
    assert!(close(qchi.x[29], 15.0, 1e-12));
}

#[test]
fn gsas_temperatures_and_centidegrees() {
    let fxye = one("gsas_temp.fxye");
    assert_eq!(fxye.format, "gsas");
    assert!(
        close(fxye.x[0], 3.0, 1e-12),
        "FXYE centidegrees: {}",
        fxye.x[0]
    );
    assert!(fxye.dy.is_some(), "FXYE carries errors");
    let xye = one("gsas2_temp.xye");
    assert!(close(xye.x[0], 3.0, 1e-12));
    for name in ["gsas_temp.fxye", "gsas2_temp.xye"] {
        let s = load(&[fixture(&format!("formats/{name}"))]);
        let t = s.series.patterns[0].temperature.clone().expect("T");
        assert_eq!(t.kelvin, 295.0, "{name}");
        assert_eq!(
            t.source,
            TemperatureSource::Header {
                key: "Temp".into(),
                line: 3
            },
            "{name}"
        );
    }
}

#[test]
fn gudrun_outputs() {
    let mint = one("gudrun_sample.mint01");
    assert_eq!(
        (mint.format.as_str(), mint.quantity),
        ("gudrun", Quantity::Interference)
    );
    assert_eq!(mint.x_unit, XUnit::QInvAngstrom);
    assert_eq!(mint.dy.as_ref().map(Vec::len), Some(mint.x.len()));
    let gofr = one("gudrunx_sample.gofr");
    assert_eq!(
        (gofr.quantity, gofr.x_unit),
        (Quantity::TotalCorrelation, XUnit::RAngstrom)
    );
    assert!(
        gofr.dy.is_none(),
        "the third column of w_diag_file is not an error"
    );
    let dofr = one("gudrunx_sample.dofr");
    assert_eq!(dofr.quantity, Quantity::ReducedPdf);
    // .soq holding S(Q) − 1 (it settles at 0): read as S(Q) − 1 and said so.
    let soq = one("gudrunx_sample.soq");
    assert_eq!(soq.quantity, Quantity::Interference);
    assert!(
        soq.problems[0].message.contains("settle"),
        "{:?}",
        soq.problems
    );
}

#[test]
fn liquiddiffract_outputs() {
    let sq = one("liquiddiffract_SQ.dat");
    assert_eq!(
        (sq.format.as_str(), sq.quantity),
        ("liquiddiffract", Quantity::StructureFactor)
    );
    assert_eq!(sq.x.len(), 60);
    assert!(
        sq.notes
            .iter()
            .any(|n| n.contains("`i(Q)*M(Q)`") && n.contains("not used"))
    );
    assert_eq!(
        one("liquiddiffract_gr.dat").quantity,
        Quantity::PairDistribution
    );
    assert_eq!(
        one("liquiddiffract_rdf.dat").quantity,
        Quantity::RadialDistribution
    );
    assert_eq!(one("liquiddiffract_gr.dat").x_unit, XUnit::RAngstrom);
}

#[test]
fn wide_table_gives_one_pattern_per_temperature_column() {
    let s = load(&[fixture("wide_table.csv")]);
    let p = &s.series.patterns;
    assert_eq!(p.len(), 3);
    assert_eq!(p[0].format, "wide-table");
    let temps: Vec<f64> = p.iter().filter_map(|x| x.kelvin()).collect();
    assert_eq!(temps, vec![300.0, 310.0, 320.0]);
    assert!(
        p.iter()
            .all(|x| x.temperature.as_ref().map(|t| &t.source)
                == Some(&TemperatureSource::ColumnName))
    );
    assert_eq!(p[1].column.as_deref(), Some("310K"));
    assert_eq!(p[2].x.len(), 30);
    assert!(close(p[2].y[0], 1.42915, 1e-12));
}

#[test]
fn format_and_unit_can_be_forced() {
    // Fe–S-like headerless file: force 2θ with a wavelength.
    let opts = LoadOptions {
        read: ReadOptions {
            x_unit: Some("2theta".parse().expect("unit")),
            wavelength: Some(0.5),
            quantity: Some(Quantity::Intensity),
            ..Default::default()
        },
        ..Default::default()
    };
    let s = load_with(&[fixture("formats/dioptas.chi")], &opts);
    let p = &s.series.patterns[0];
    assert_eq!(p.x_unit, XUnit::QInvAngstrom);
    let expected = 4.0 * std::f64::consts::PI * (1.0f64.to_radians() / 2.0).sin() / 0.5;
    assert!(close(p.x[0], expected, 1e-12));
}
