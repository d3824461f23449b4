//! One G(r) file per pattern, with a PDFgetX3-style header (`key = value`, `#### start data`,
//! `#L`) that PDFgui, diffpy.morph and Glassray itself read. Names: the pattern file's stem
//! (plus the column for a wide table) with `.gr`.

use std::fmt::Write as _;

use super::number::push_f64;
use super::safe_name;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::{PatternAnalysis, RealSpace};
use crate::analysis::transform::Modification;
use crate::model::{HeatingSeries, Pattern};

/// The file name of a pattern's G(r).
pub fn gr_name(p: &Pattern) -> String {
    let stem = p
        .source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("pattern_{:04}", p.index));
    match &p.column {
        Some(c) => format!("{}_{}.gr", stem, safe_name(c)),
        None => format!("{stem}.gr"),
    }
}

/// A G(r) file with a PDFgetX3-style header (`key = value`, `#### start data`, `#L`), which
/// PDFgui, diffpy.morph and Glassray itself read.
pub fn gr_file(
    series: &HeatingSeries,
    p: &Pattern,
    pa: &PatternAnalysis,
    rs: &RealSpace,
    params: &AnalysisParams,
) -> String {
    let mut s = String::with_capacity(rs.r.len() * 28 + 512);
    let _ = writeln!(s, "[DEFAULT]");
    let _ = writeln!(s, "version = glassray-{}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(s, "source = {}", p.source.display());
    if let Some(t) = pa.kelvin {
        let _ = writeln!(s, "temperature = {t}");
    }
    if let Some(c) = &series.composition {
        let _ = writeln!(s, "composition = {c}");
    }
    let _ = writeln!(s, "sample = {}", series.sample);
    let _ = writeln!(s, "outputtype = gr");
    let (qlo, qhi) = (
        p.x.first().copied().unwrap_or(f64::NAN),
        p.x.last().copied().unwrap_or(f64::NAN),
    );
    let _ = writeln!(s, "qmin = {}", params.transform.q_min.unwrap_or(qlo));
    let _ = writeln!(s, "qmax = {}", params.transform.q_max.unwrap_or(qhi));
    let _ = writeln!(
        s,
        "modification = {}",
        match params.transform.modification {
            Modification::None => "none",
            Modification::Lorch => "lorch",
        }
    );
    // Not a PDFgetX3 key: how S(Q) was continued from qmin down to Q = 0 (none, hold, linear).
    let _ = writeln!(s, "lowq = {}", params.transform.low_q.name());
    let _ = writeln!(s, "rho0 = {}", rs.rho0);
    let _ = writeln!(s, "rmin = {}", rs.r.first().copied().unwrap_or(f64::NAN));
    let _ = writeln!(s, "rmax = {}", rs.r.last().copied().unwrap_or(f64::NAN));
    // The step as typed when the grid is the parameters' one (a G(r) read from a file keeps
    // its own).
    let step = match rs.r.as_slice() {
        [a, b, ..] if (b - a - params.transform.dr).abs() <= 1e-9 * params.transform.dr => {
            params.transform.dr
        }
        [a, b, ..] => b - a,
        _ => f64::NAN,
    };
    let _ = writeln!(s, "rstep = {step}");
    let _ = writeln!(s, "\n#### start data\n#S 1\n#L r(Å)  G(Å$^{{-2}}$)");
    for (&r, &g) in rs.r.iter().zip(&rs.big_g) {
        push_f64(&mut s, r);
        s.push(' ');
        push_f64(&mut s, g);
        s.push('\n');
    }
    s
}
