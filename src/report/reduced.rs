//! The S(Q) and F(Q) = Q[S(Q) − 1] of a pattern reduced from I(Q), as `glassray reduce` writes
//! them: PDFgetX3-style text (`key = value` header with every reduction setting, `#### start
//! data`, `#L` column line, then Q and the value), which PDFgetX3's readers, diffpy and
//! Glassray itself read back (as S(Q) and F(Q), with the temperature and ρ0 of the header).
//! Names: the pattern file's stem (plus the column of a wide table) with `.sq` or `.fq`.

use std::fmt::Write as _;

use super::number::push_f64;
use super::safe_name;
use crate::engine::reduce::{PatternReduction, ReductionRecord};
use crate::model::{HeatingSeries, Pattern};

/// Which function a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduced {
    /// S(Q).
    Sq,
    /// F(Q) = Q[S(Q) − 1] (Å⁻¹).
    Fq,
}

impl Reduced {
    /// The extension and the PDFgetX3 `outputtype`.
    pub fn name(self) -> &'static str {
        match self {
            Reduced::Sq => "sq",
            Reduced::Fq => "fq",
        }
    }
}

/// The file name of a pattern's S(Q) or F(Q).
pub fn reduced_name(p: &Pattern, kind: Reduced) -> String {
    let stem = p
        .source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("pattern_{:04}", p.index));
    match &p.column {
        Some(c) => format!("{}_{}.{}", stem, safe_name(c), kind.name()),
        None => format!("{stem}.{}", kind.name()),
    }
}

/// The text of a reduced pattern's S(Q) or F(Q) file; `p` holds S(Q) (after the reduction).
pub fn reduced_file(
    series: &HeatingSeries,
    p: &Pattern,
    r: &PatternReduction,
    record: &ReductionRecord,
    kind: Reduced,
) -> String {
    let mut s = String::with_capacity(p.x.len() * 28 + 1024);
    let mut line = |key: &str, value: &dyn std::fmt::Display| {
        let _ = writeln!(s, "{key} = {value}");
    };
    line("[DEFAULT]", &"");
    line(
        "version",
        &format!("glassray-{}", env!("CARGO_PKG_VERSION")),
    );
    line("source", &p.source.display());
    if let Some(t) = p.kelvin() {
        line("temperature", &t);
    }
    line("composition", &record.composition);
    line("sample", &series.sample);
    line("outputtype", &kind.name());
    let (qlo, qhi) = p.x_range();
    line("qmin", &qlo);
    line("qmax", &qhi);
    line("rho0", &r.rho0);
    line("rho0source", &record.rho0_source);
    if let Some(d) = record.density_g_cm3 {
        line("density", &d);
    }
    line("normalisation", &record.normalisation);
    line("alpha", &r.alpha);
    line("bkgfile", &record.background.as_deref().unwrap_or("none"));
    line("bkgscale", &r.background_scale);
    line("bkgscalemode", &record.background_scale);
    if let Some(w) = record.wavelength_angstrom {
        line("wavelength", &w);
    }
    line("polarisation", &record.polarisation);
    line("lowq", &record.below_qmin);
    if r.r_cut.is_finite() {
        line("rcut", &r.r_cut);
    }
    line("iterations", &r.iterations);
    if let (Some(n), Some(rpoly)) = (r.ad_hoc_degree, record.ad_hoc_rpoly) {
        line("adhoc", &true);
        line("rpoly", &rpoly);
        line("polydegree", &n);
    }
    // The section line is a bare `[DEFAULT]`, not a key.
    let text = s.replacen("[DEFAULT] = \n", "[DEFAULT]\n", 1);
    let mut s = text;
    let label = match kind {
        Reduced::Sq => "#L Q(Å^-1)  S(Q)",
        Reduced::Fq => "#L Q(Å^-1)  F(Q)",
    };
    let _ = writeln!(s, "\n#### start data\n#S 1\n{label}");
    for (q, v) in p.x.iter().zip(&p.y) {
        let y = match kind {
            Reduced::Sq => *v,
            Reduced::Fq => q * (v - 1.0),
        };
        push_f64(&mut s, *q);
        s.push(' ');
        push_f64(&mut s, y);
        s.push('\n');
    }
    s
}
