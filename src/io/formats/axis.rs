//! Steps on the axes: which quantity y is, which unit x is in, the conversion of x to Q in Å⁻¹
//! or r in Å, and the plausibility checks on the result.
//!
//! - Quantity: the user's, else the y label's, else the header's `outputtype`, else the family's
//!   default (intensity for pyFAI, Fit2D and GSAS; the extension for the others), else inferred
//!   from the values (`infer.rs`; a note says which and why, or why it stays unknown).
//! - x unit: the user's, else the x label's, else the family's default, else r in Å for a
//!   real-space quantity, else Q in Å⁻¹ (with a note). The wavelength is the user's, else the
//!   header's (a user value that differs from the header's is noted).
//! - Conversion: Q in nm⁻¹ × 0.1, r in nm × 10, 2θ → Q = 4π sin(θ)/λ; 2θ without a wavelength
//!   stays in degrees with a problem.
//! - Checks: a real-space quantity on a Q axis (or the reverse); a Q axis labelled or assumed Å⁻¹
//!   that looks like nm⁻¹; a g(r) label on G(r) values; S(Q) versus S(Q) − 1 by the values when
//!   only the family (extension) named the quantity; an F(Q) label or extension on S(Q) − 1
//!   values (fullrmc).

use std::path::Path;

use super::super::header::{self, HeaderEntry, XLabel};
use super::infer;
use super::rows::Rows;
use super::{ReadOptions, Report, XUnitOverride};
use crate::model::{Diagnostic, Quantity, XUnit};

/// Where the quantity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum QuantitySource {
    User,
    /// The y column label.
    Label,
    /// An `outputtype` header entry.
    Header,
    /// The family's default (format or extension).
    Family,
    /// The values (see `infer.rs`): said in a note.
    Inferred,
    /// Nothing: the quantity is unknown.
    Unstated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct QuantityChoice {
    pub quantity: Quantity,
    pub source: QuantitySource,
}

/// The x axis as read, before conversion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct XAxis {
    pub unit_in: XLabel,
    /// Wavelength in Å, the user's else the header's.
    pub wavelength: Option<f64>,
    pub wavelength_from_user: bool,
}

/// Step 3: the quantity, from the user, the y label, the header, then the family's default
/// (`Unstated` when none says it: the values decide later, [`infer_quantity`]).
pub(super) fn decide_quantity(
    user: Option<Quantity>,
    y_label: Option<&str>,
    entries: &[HeaderEntry],
    family_default: Option<Quantity>,
) -> QuantityChoice {
    let from_label = y_label.and_then(header::y_label);
    let from_header = entries
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("outputtype"))
        .and_then(|e| Quantity::parse(&e.value));
    let (quantity, source) = [
        (user, QuantitySource::User),
        (from_label, QuantitySource::Label),
        (from_header, QuantitySource::Header),
        (family_default, QuantitySource::Family),
    ]
    .into_iter()
    .find_map(|(q, s)| q.map(|q| (q, s)))
    .unwrap_or((Quantity::Unknown, QuantitySource::Unstated));
    QuantityChoice { quantity, source }
}

/// Step 3 (end): the quantity from the values when nothing stated it, with a note saying which
/// and why (or why it stays unknown).
pub(super) fn infer_quantity(
    rows: &Rows,
    x_label: Option<&str>,
    notes: &mut Vec<String>,
) -> QuantityChoice {
    let label = x_label.and_then(header::x_label);
    let found = infer::infer(&rows.x, &rows.ys[0], label);
    notes.push(found.note);
    QuantityChoice {
        quantity: found.quantity,
        source: if found.quantity == Quantity::Unknown {
            QuantitySource::Unstated
        } else {
            QuantitySource::Inferred
        },
    }
}

/// Step 4: the x unit (user, label, family default, quantity) and the wavelength.
pub(super) fn decide_x_unit(
    opts: &ReadOptions,
    x_label: Option<&str>,
    entries: &[HeaderEntry],
    family_default: Option<XLabel>,
    quantity: Quantity,
    notes: &mut Vec<String>,
) -> XAxis {
    let wavelength_header = entries
        .iter()
        .find_map(|e| header::wavelength_entry(e).map(|w| (w, e.line)));
    let wavelength = opts.wavelength.or(wavelength_header.map(|w| w.0));
    if let (Some(user), Some((h, line))) = (opts.wavelength, wavelength_header)
        && (user - h).abs() > 1e-6 * h.max(1e-9)
    {
        notes.push(format!(
            "wavelength {user} Å given by the user replaces the header's {h} Å (line {line})"
        ));
    }
    let unit_in = match opts.x_unit {
        Some(XUnitOverride::QInvAngstrom) => XLabel::QInvAngstrom,
        Some(XUnitOverride::QInvNm) => XLabel::QInvNm,
        Some(XUnitOverride::TwoThetaDeg) => XLabel::TwoThetaDeg,
        Some(XUnitOverride::RAngstrom) => XLabel::RAngstrom,
        None => match x_label.and_then(header::x_label).or(family_default) {
            Some(l) => l,
            None if quantity.is_real_space() => XLabel::RAngstrom,
            None => {
                notes.push("x unit not stated: Q in 1/Å assumed".into());
                XLabel::QInvAngstrom
            }
        },
    };
    if unit_in == XLabel::QNoUnit {
        notes.push("x column labelled Q without a unit: 1/Å assumed".into());
    }
    XAxis {
        unit_in,
        wavelength,
        wavelength_from_user: opts.wavelength.is_some(),
    }
}

/// Step 8: converts x to Q in Å⁻¹ or r in Å and returns the unit it ends in.
pub(super) fn convert_units(
    path: &Path,
    x: &mut [f64],
    axis: &XAxis,
    label_line: Option<usize>,
    report: &mut Report,
) -> XUnit {
    match axis.unit_in {
        XLabel::QInvAngstrom | XLabel::QNoUnit => XUnit::QInvAngstrom,
        XLabel::QInvNm => {
            x.iter_mut().for_each(|v| *v *= 0.1);
            report
                .notes
                .push("Q in 1/nm converted to 1/Å (×0.1)".into());
            XUnit::QInvAngstrom
        }
        XLabel::RAngstrom => XUnit::RAngstrom,
        XLabel::RNm => {
            x.iter_mut().for_each(|v| *v *= 10.0);
            report.notes.push("r in nm converted to Å (×10)".into());
            XUnit::RAngstrom
        }
        XLabel::TwoThetaDeg | XLabel::TwoThetaRad => {
            convert_two_theta(path, x, axis, label_line, report)
        }
    }
}

fn convert_two_theta(
    path: &Path,
    x: &mut [f64],
    axis: &XAxis,
    label_line: Option<usize>,
    report: &mut Report,
) -> XUnit {
    let to_rad = if axis.unit_in == XLabel::TwoThetaDeg {
        std::f64::consts::PI / 180.0
    } else {
        1.0
    };
    match axis.wavelength {
        Some(lambda) => {
            x.iter_mut().for_each(|v| {
                *v = 4.0 * std::f64::consts::PI * (*v * to_rad / 2.0).sin() / lambda;
            });
            report.notes.push(format!(
                "2θ converted to Q with λ = {} Å ({})",
                (lambda * 1e7).round() / 1e7,
                if axis.wavelength_from_user {
                    "user"
                } else {
                    "header"
                }
            ));
            XUnit::QInvAngstrom
        }
        None => {
            if axis.unit_in == XLabel::TwoThetaRad {
                x.iter_mut().for_each(|v| *v = v.to_degrees());
            }
            report.problems.push(Diagnostic::new(
                path,
                label_line,
                "x is 2θ but no wavelength is known (header or --wavelength): left in degrees",
            ));
            XUnit::TwoThetaDeg
        }
    }
}

/// Step 9: plausibility checks on the converted pattern; returns the quantity, which the values
/// may have changed (g(r) read as G(r), S(Q) versus S(Q) − 1).
pub(super) fn check_plausibility(
    path: &Path,
    rows: &Rows,
    choice: &QuantityChoice,
    axis: &XAxis,
    x_unit: XUnit,
    label_line: Option<usize>,
    problems: &mut Vec<Diagnostic>,
) -> Quantity {
    let mut quantity = choice.quantity;
    problems.extend(axis_space_mismatch(path, quantity, x_unit, label_line));
    let line = label_line.or(rows.lines.first().copied());
    problems.extend(q_looks_like_nm(
        path,
        &rows.x,
        &rows.ys[0],
        axis.unit_in,
        x_unit,
        quantity,
        line,
    ));
    if let Some((q, d)) =
        big_g_labelled_small(path, quantity, choice.source, &rows.ys[0], label_line)
    {
        quantity = q;
        problems.push(d);
    }
    if let Some((q, d)) = s_or_s_minus_one(path, quantity, choice.source, &rows.ys[0]) {
        quantity = q;
        problems.push(d);
    }
    if let Some((q, d)) = f_labelled_s_minus_one(path, quantity, choice.source, rows, label_line) {
        quantity = q;
        problems.push(d);
    }
    quantity
}

/// A column labelled (or named by its extension) F(Q) whose values are S(Q) − 1 (fullrmc):
/// read as S(Q) − 1 with a problem, unless the user chose the quantity.
fn f_labelled_s_minus_one(
    path: &Path,
    quantity: Quantity,
    source: QuantitySource,
    rows: &Rows,
    label_line: Option<usize>,
) -> Option<(Quantity, Diagnostic)> {
    if quantity != Quantity::ReducedStructureFunction
        || !matches!(source, QuantitySource::Label | QuantitySource::Family)
    {
        return None;
    }
    let why = infer::f_is_s_minus_one(&rows.x, &rows.ys[0])?;
    Some((
        Quantity::Interference,
        Diagnostic::new(
            path,
            label_line,
            format!(
                "labelled F(Q) but the values look like S(Q)-1 ({why}): read as S(Q)-1 (use --quantity fq to keep F(Q))"
            ),
        ),
    ))
}

/// A real-space quantity on a Q axis, or a Q-space quantity on an r axis.
fn axis_space_mismatch(
    path: &Path,
    quantity: Quantity,
    x_unit: XUnit,
    label_line: Option<usize>,
) -> Option<Diagnostic> {
    let message = if quantity.is_real_space() && x_unit != XUnit::RAngstrom {
        format!("quantity {quantity} needs an r axis but the x column is in reciprocal space")
    } else if !quantity.is_real_space()
        && x_unit == XUnit::RAngstrom
        && quantity != Quantity::Unknown
    {
        format!("quantity {quantity} is a function of Q but the x column is r")
    } else {
        return None;
    };
    Some(Diagnostic::new(path, label_line, message))
}

/// Plausibility of the Q unit: Å⁻¹ data stop below ~50 with peaks below ~12.
fn q_looks_like_nm(
    path: &Path,
    x: &[f64],
    y: &[f64],
    unit_in: XLabel,
    x_unit: XUnit,
    quantity: Quantity,
    line: Option<usize>,
) -> Option<Diagnostic> {
    if x_unit != XUnit::QInvAngstrom
        || matches!(
            unit_in,
            XLabel::QInvNm | XLabel::TwoThetaDeg | XLabel::TwoThetaRad
        )
    {
        return None;
    }
    let xmax = *x.last().unwrap_or(&0.0);
    let peak_at = argmax_x(x, y);
    (xmax > 60.0 || (peak_at > 12.0 && quantity != Quantity::Intensity)).then(|| {
        Diagnostic::new(
            path,
            line,
            format!(
                "Q labelled or assumed 1/Å reaches {xmax:.4} with its maximum at {peak_at:.3}: looks like 1/nm (use --x-unit q-nm to convert)"
            ),
        )
    })
}

/// A label g(r) on data that go far below zero and settle at 0 is really G(r) (fullrmc does this).
fn big_g_labelled_small(
    path: &Path,
    quantity: Quantity,
    source: QuantitySource,
    y: &[f64],
    label_line: Option<usize>,
) -> Option<(Quantity, Diagnostic)> {
    (quantity == Quantity::PairDistribution
        && source != QuantitySource::User
        && looks_like_big_g(y))
    .then(|| {
        (
            Quantity::ReducedPdf,
            Diagnostic::new(
                path,
                label_line,
                "labelled g(r) but the values go well below 0 and oscillate about 0: read as G(r) (use --quantity to override)",
            ),
        )
    })
}

/// S(Q) settles at 1 and S(Q) − 1 at 0: when only the extension named the quantity, the
/// values decide between the two (GudrunX `.soq` files hold either, by version).
fn s_or_s_minus_one(
    path: &Path,
    quantity: Quantity,
    source: QuantitySource,
    y: &[f64],
) -> Option<(Quantity, Diagnostic)> {
    if !matches!(source, QuantitySource::Family | QuantitySource::Unstated) {
        return None;
    }
    let tail = tail_mean(y);
    let flipped = match quantity {
        Quantity::StructureFactor if tail.abs() < 0.2 => Quantity::Interference,
        Quantity::Interference if (tail - 1.0).abs() < 0.2 => Quantity::StructureFactor,
        _ => return None,
    };
    Some((
        flipped,
        Diagnostic::new(
            path,
            None,
            format!(
                "the extension says {quantity} but the values settle at {tail:.3} at high Q: read as {flipped} (use --quantity to override)"
            ),
        ),
    ))
}

fn argmax_x(x: &[f64], y: &[f64]) -> f64 {
    let mut best = (f64::NEG_INFINITY, f64::NAN);
    for (&xi, &yi) in x.iter().zip(y) {
        if yi > best.0 {
            best = (yi, xi);
        }
    }
    best.1
}

fn tail_mean(y: &[f64]) -> f64 {
    let tail = &y[y.len() * 3 / 4..];
    if tail.is_empty() {
        return f64::NAN;
    }
    tail.iter().sum::<f64>() / tail.len() as f64
}

fn looks_like_big_g(y: &[f64]) -> bool {
    let n = y.len();
    if n < 20 {
        return false;
    }
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    let tail = &y[n * 3 / 4..];
    let tail_mean = tail.iter().sum::<f64>() / tail.len() as f64;
    min < -0.8 && tail_mean.abs() < 0.3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str, line: usize) -> HeaderEntry {
        HeaderEntry {
            key: key.into(),
            value: value.into(),
            line,
        }
    }

    fn rows(x: Vec<f64>, y: Vec<f64>) -> Rows {
        let lines = (1..=x.len()).collect();
        Rows {
            x,
            ys: vec![y],
            dy: None,
            lines,
        }
    }

    fn q_axis() -> XAxis {
        XAxis {
            unit_in: XLabel::QInvAngstrom,
            wavelength: None,
            wavelength_from_user: false,
        }
    }

    #[test]
    fn quantity_from_user_label_header_family_in_that_order() {
        let out = [entry("outputtype", "fq", 3)];
        let decide = |user, label, entries: &[HeaderEntry], fam| {
            let c = decide_quantity(user, label, entries, fam);
            (c.quantity, c.source, 0)
        };
        let s = Some(Quantity::StructureFactor);
        let i = Some(Quantity::Intensity);
        assert_eq!(
            decide(Some(Quantity::Interference), Some("S"), &out, i),
            (Quantity::Interference, QuantitySource::User, 0)
        );
        assert_eq!(
            decide(None, Some("S(a.u.)"), &out, i),
            (Quantity::StructureFactor, QuantitySource::Label, 0)
        );
        assert_eq!(
            decide(None, Some("foo"), &out, s),
            (
                Quantity::ReducedStructureFunction,
                QuantitySource::Header,
                0
            )
        );
        assert_eq!(
            decide(None, None, &[], i),
            (Quantity::Intensity, QuantitySource::Family, 0)
        );
        let c = decide_quantity(None, None, &[], None);
        assert_eq!(
            (c.quantity, c.source),
            (Quantity::Unknown, QuantitySource::Unstated)
        );
    }

    #[test]
    fn x_unit_from_user_label_family_then_quantity() {
        let unit = |opts: &ReadOptions, label, fam, q| {
            let mut notes = Vec::new();
            (
                decide_x_unit(opts, label, &[], fam, q, &mut notes).unit_in,
                notes,
            )
        };
        let none = ReadOptions::default();
        let user = ReadOptions {
            x_unit: Some(XUnitOverride::QInvNm),
            ..Default::default()
        };
        let (u, n) = unit(&user, Some("r"), None, Quantity::Intensity);
        assert_eq!((u, n.len()), (XLabel::QInvNm, 0));
        let (u, _) = unit(
            &none,
            Some("2th_deg"),
            Some(XLabel::QInvAngstrom),
            Quantity::Intensity,
        );
        assert_eq!(u, XLabel::TwoThetaDeg);
        let (u, _) = unit(
            &none,
            Some("intensity"),
            Some(XLabel::TwoThetaDeg),
            Quantity::Intensity,
        );
        assert_eq!(u, XLabel::TwoThetaDeg);
        let (u, n) = unit(&none, None, None, Quantity::ReducedPdf);
        assert_eq!((u, n.len()), (XLabel::RAngstrom, 0));
        let (u, n) = unit(&none, None, None, Quantity::Intensity);
        assert_eq!(
            (u, n),
            (
                XLabel::QInvAngstrom,
                vec!["x unit not stated: Q in 1/Å assumed".to_string()]
            )
        );
        let (u, n) = unit(&none, Some("Q"), None, Quantity::Intensity);
        assert_eq!(
            (u, n),
            (
                XLabel::QNoUnit,
                vec!["x column labelled Q without a unit: 1/Å assumed".to_string()]
            )
        );
    }

    #[test]
    fn wavelength_from_the_user_replaces_the_header() {
        let entries = [entry("wavelength", "0.1173", 7)];
        let user = ReadOptions {
            wavelength: Some(0.2),
            ..Default::default()
        };
        let mut notes = Vec::new();
        let a = decide_x_unit(
            &user,
            Some("2th"),
            &entries,
            None,
            Quantity::Intensity,
            &mut notes,
        );
        assert_eq!((a.wavelength, a.wavelength_from_user), (Some(0.2), true));
        assert_eq!(
            notes,
            ["wavelength 0.2 Å given by the user replaces the header's 0.1173 Å (line 7)"]
        );
        let mut notes = Vec::new();
        let same = ReadOptions {
            wavelength: Some(0.1173),
            ..Default::default()
        };
        decide_x_unit(
            &same,
            Some("2th"),
            &entries,
            None,
            Quantity::Intensity,
            &mut notes,
        );
        assert!(notes.is_empty());
        let a = decide_x_unit(
            &ReadOptions::default(),
            None,
            &entries,
            None,
            Quantity::Intensity,
            &mut notes,
        );
        assert_eq!(
            (a.wavelength, a.wavelength_from_user),
            (Some(0.1173), false)
        );
    }

    #[test]
    fn conversions() {
        let path = Path::new("c.xy");
        let convert = |unit_in, wavelength: Option<f64>, x: &[f64]| {
            let mut x = x.to_vec();
            let mut report = Report::default();
            let axis = XAxis {
                unit_in,
                wavelength,
                wavelength_from_user: true,
            };
            let unit = convert_units(path, &mut x, &axis, Some(2), &mut report);
            (unit, x, report)
        };
        let (u, x, r) = convert(XLabel::QInvNm, None, &[10.0, 20.0]);
        assert_eq!((u, x), (XUnit::QInvAngstrom, vec![1.0, 2.0]));
        assert_eq!(r.notes, ["Q in 1/nm converted to 1/Å (×0.1)"]);
        let (u, x, r) = convert(XLabel::RNm, None, &[0.1, 0.2]);
        assert_eq!((u, x), (XUnit::RAngstrom, vec![1.0, 2.0]));
        assert_eq!(r.notes, ["r in nm converted to Å (×10)"]);
        let (u, x, r) = convert(XLabel::TwoThetaDeg, Some(0.5), &[60.0]);
        assert_eq!(u, XUnit::QInvAngstrom);
        assert!((x[0] - 4.0 * std::f64::consts::PI * 0.5 / 0.5).abs() < 1e-12);
        assert_eq!(r.notes, ["2θ converted to Q with λ = 0.5 Å (user)"]);
        let (u, x, r) = convert(XLabel::TwoThetaRad, None, &[std::f64::consts::PI]);
        assert_eq!(u, XUnit::TwoThetaDeg);
        assert!((x[0] - 180.0).abs() < 1e-12);
        assert_eq!(r.problems[0].line, Some(2));
        assert!(
            r.problems[0]
                .message
                .starts_with("x is 2θ but no wavelength is known")
        );
        let (u, x, r) = convert(XLabel::QNoUnit, None, &[3.0]);
        assert_eq!((u, x, r.notes.len()), (XUnit::QInvAngstrom, vec![3.0], 0));
    }

    #[test]
    fn quantity_and_axis_space_must_agree() {
        let path = Path::new("a.xy");
        let d = axis_space_mismatch(path, Quantity::ReducedPdf, XUnit::QInvAngstrom, Some(3))
            .expect("mismatch");
        assert_eq!(d.line, Some(3));
        assert!(
            d.message
                .ends_with("needs an r axis but the x column is in reciprocal space")
        );
        let d = axis_space_mismatch(path, Quantity::StructureFactor, XUnit::RAngstrom, None)
            .expect("mismatch");
        assert!(
            d.message
                .ends_with("is a function of Q but the x column is r")
        );
        assert!(axis_space_mismatch(path, Quantity::Unknown, XUnit::RAngstrom, None).is_none());
        assert!(axis_space_mismatch(path, Quantity::ReducedPdf, XUnit::RAngstrom, None).is_none());
    }

    #[test]
    fn a_q_axis_reaching_far_looks_like_inverse_nanometres() {
        let path = Path::new("a.xy");
        let x: Vec<f64> = (1..=80).map(f64::from).collect();
        let mut y = vec![0.0; 80];
        y[25] = 5.0;
        let check =
            |unit_in, q| q_looks_like_nm(path, &x, &y, unit_in, XUnit::QInvAngstrom, q, Some(1));
        let d = check(XLabel::QInvAngstrom, Quantity::Intensity).expect("nm");
        assert_eq!(
            d.message,
            "Q labelled or assumed 1/Å reaches 80.0000 with its maximum at 26.000: looks like 1/nm (use --x-unit q-nm to convert)"
        );
        assert!(
            check(XLabel::QInvNm, Quantity::Intensity).is_none(),
            "converted"
        );
        assert!(check(XLabel::TwoThetaDeg, Quantity::Intensity).is_none());
        let short = &x[..40];
        assert!(
            q_looks_like_nm(
                path,
                short,
                &y,
                XLabel::QNoUnit,
                XUnit::QInvAngstrom,
                Quantity::Intensity,
                None
            )
            .is_none()
        );
        assert!(
            q_looks_like_nm(
                path,
                short,
                &y,
                XLabel::QNoUnit,
                XUnit::QInvAngstrom,
                Quantity::StructureFactor,
                None
            )
            .is_some(),
            "peak beyond 12"
        );
    }

    #[test]
    fn g_of_r_label_on_big_g_values() {
        let path = Path::new("g.dat");
        let x: Vec<f64> = (0..40).map(|i| 0.1 * f64::from(i)).collect();
        let y: Vec<f64> = (0..40)
            .map(|i| {
                if i < 10 {
                    -2.0
                } else {
                    0.05 * (f64::from(i)).sin()
                }
            })
            .collect();
        let choice = QuantityChoice {
            quantity: Quantity::PairDistribution,
            source: QuantitySource::Label,
        };
        let r = rows(x.clone(), y.clone());
        let mut problems = Vec::new();
        let axis = XAxis {
            unit_in: XLabel::RAngstrom,
            ..q_axis()
        };
        let q = check_plausibility(
            path,
            &r,
            &choice,
            &axis,
            XUnit::RAngstrom,
            Some(4),
            &mut problems,
        );
        assert_eq!(q, Quantity::ReducedPdf);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(4));
        assert!(
            problems[0]
                .message
                .starts_with("labelled g(r) but the values go well below 0")
        );
        let user = QuantityChoice {
            source: QuantitySource::User,
            ..choice
        };
        let q = check_plausibility(
            path,
            &r,
            &user,
            &axis,
            XUnit::RAngstrom,
            Some(4),
            &mut Vec::new(),
        );
        assert_eq!(q, Quantity::PairDistribution);
        assert!(!looks_like_big_g(&y[..19]), "too few points");
    }

    #[test]
    fn s_versus_s_minus_one_by_the_values_when_only_the_extension_said() {
        let path = Path::new("x.soq");
        let x: Vec<f64> = (1..=40).map(|i| 0.25 * f64::from(i)).collect();
        let r = rows(x, vec![0.01; 40]);
        let by_ext = QuantityChoice {
            quantity: Quantity::StructureFactor,
            source: QuantitySource::Family,
        };
        let mut problems = Vec::new();
        let q = check_plausibility(
            path,
            &r,
            &by_ext,
            &q_axis(),
            XUnit::QInvAngstrom,
            None,
            &mut problems,
        );
        assert_eq!(q, Quantity::Interference);
        assert_eq!(
            problems[0].message,
            "the extension says S(Q) but the values settle at 0.010 at high Q: read as S(Q)-1 (use --quantity to override)"
        );
        assert_eq!(problems[0].line, None);
        let labelled = QuantityChoice {
            source: QuantitySource::Label,
            ..by_ext
        };
        let q = check_plausibility(
            path,
            &r,
            &labelled,
            &q_axis(),
            XUnit::QInvAngstrom,
            None,
            &mut Vec::new(),
        );
        assert_eq!(q, Quantity::StructureFactor);
        let ones = rows(r.x.clone(), vec![1.0; 40]);
        let s1 = QuantityChoice {
            quantity: Quantity::Interference,
            source: QuantitySource::Family,
        };
        let q = check_plausibility(
            path,
            &ones,
            &s1,
            &q_axis(),
            XUnit::QInvAngstrom,
            None,
            &mut Vec::new(),
        );
        assert_eq!(q, Quantity::StructureFactor);
    }

    #[test]
    fn helpers() {
        assert_eq!(argmax_x(&[1.0, 2.0, 3.0], &[0.0, 5.0, 1.0]), 2.0);
        assert!(argmax_x(&[], &[]).is_nan());
        assert_eq!(tail_mean(&[9.0, 9.0, 9.0, 1.0]), 1.0);
        assert!(tail_mean(&[]).is_nan());
    }
}
