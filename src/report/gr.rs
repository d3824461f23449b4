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

/// The r column of a series' G(r) files as text, made once when its patterns share one r grid:
/// each row's `r` and the space after it.
pub struct RColumn {
    r: Vec<f64>,
    text: String,
    ends: Vec<usize>,
}

impl RColumn {
    pub fn new(r: &[f64]) -> Self {
        let mut text = String::with_capacity(r.len() * 8);
        let mut ends = Vec::with_capacity(r.len());
        for &x in r {
            push_f64(&mut text, x);
            text.push(' ');
            ends.push(text.len());
        }
        RColumn {
            r: r.to_vec(),
            text,
            ends,
        }
    }

    /// The rows' texts when `r` is this grid, bit for bit.
    fn rows_for(&self, r: &[f64]) -> Option<impl Iterator<Item = &str>> {
        let same = self.r.len() == r.len()
            && self
                .r
                .iter()
                .zip(r)
                .all(|(a, b)| a.to_bits() == b.to_bits());
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        same.then(|| starts.zip(&self.ends).map(|(a, &b)| &self.text[a..b]))
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
    gr_file_with(series, p, pa, rs, params, None)
}

/// [`gr_file`] with the r column taken from `r_column` when the pattern is on its grid.
pub fn gr_file_with(
    series: &HeatingSeries,
    p: &Pattern,
    pa: &PatternAnalysis,
    rs: &RealSpace,
    params: &AnalysisParams,
    r_column: Option<&RColumn>,
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
    match r_column.and_then(|c| c.rows_for(&rs.r)) {
        Some(rows) => {
            for (r, &g) in rows.zip(&rs.big_g) {
                s.push_str(r);
                push_f64(&mut s, g);
                s.push('\n');
            }
        }
        None => {
            for (&r, &g) in rs.r.iter().zip(&rs.big_g) {
                push_f64(&mut s, r);
                s.push(' ');
                push_f64(&mut s, g);
                s.push('\n');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_r_column_is_the_text_each_row_would_get() {
        let r: Vec<f64> = (1..=500).map(|k| 0.01 * k as f64).collect();
        let column = RColumn::new(&r);
        let rows: Vec<&str> = column.rows_for(&r).expect("same grid").collect();
        assert_eq!(rows.len(), r.len());
        for (row, &x) in rows.iter().zip(&r) {
            assert_eq!(*row, format!("{x} "));
        }
        let mut other = r.clone();
        other[7] = f64::from_bits(other[7].to_bits() + 1);
        assert!(column.rows_for(&other).is_none(), "one bit off");
        assert!(column.rows_for(&r[1..]).is_none(), "shorter");
    }
}
