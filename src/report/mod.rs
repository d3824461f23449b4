//! Writing results: for an analysed series `metrics.csv` (one row per pattern), `summary.json`
//! (transition temperatures with methods and uncertainties, every parameter) and `gr/` (one G(r)
//! file per pattern with a PDFgetX3-style header), shared by `glassray analyze` and the app's
//! export; and the demo series as pattern files ([`demo_files`]). Every file is written
//! atomically (`engine::write`).

pub mod demo_files;

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use std::path::PathBuf;

use crate::analysis::series::{AnalysisParams, SeriesAnalysis};
use crate::analysis::transform::Modification;
use crate::engine::write;
use crate::model::HeatingSeries;

/// The required columns of `metrics.csv`, in order; more follow them.
pub const METRICS_COLUMNS: [&str; 13] = [
    "index",
    "filename",
    "T_K",
    "fsdp_first_moment",
    "fsdp_area",
    "r1_area",
    "r6_area",
    "frac_1atom",
    "frac_2atom",
    "frac_3atom",
    "frac_4atom",
    "fit_rmse",
    "fit_converged",
];

/// A file-system-safe version of a sample name.
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "series".into() } else { s }
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    sample: &'a str,
    composition: Option<&'a str>,
    patterns: usize,
    #[serde(rename = "T_r")]
    t_r: Option<f64>,
    #[serde(rename = "T_g")]
    t_g: Option<f64>,
    #[serde(rename = "T_x")]
    t_x: Option<f64>,
    #[serde(rename = "T_r_uncertainty")]
    t_r_uncertainty: Option<f64>,
    #[serde(rename = "T_g_uncertainty")]
    t_g_uncertainty: Option<f64>,
    #[serde(rename = "T_x_uncertainty")]
    t_x_uncertainty: Option<f64>,
    #[serde(rename = "T_r_method")]
    t_r_method: Option<&'a str>,
    #[serde(rename = "T_g_method")]
    t_g_method: Option<&'a str>,
    #[serde(rename = "T_x_method")]
    t_x_method: Option<&'a str>,
    detected: &'a crate::analysis::series::Transitions,
    parameters: &'a AnalysisParams,
    skipped_files: Vec<String>,
    messages: &'a [String],
    glassray_version: &'a str,
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
}

fn write_file(path: PathBuf, contents: &[u8]) -> Result<(), ReportError> {
    write::write_atomic(&path, contents).map_err(|source| ReportError::Write { path, source })
}

/// Writes metrics.csv, summary.json and gr/ for one analysed series.
/// `skipped` lists the files of the series that could not be read (for the summary).
pub fn write_outputs(
    dir: &Path,
    series: &HeatingSeries,
    skipped: &[String],
    a: &SeriesAnalysis,
) -> Result<(), ReportError> {
    std::fs::create_dir_all(dir.join("gr")).map_err(|source| ReportError::CreateDir {
        path: dir.join("gr"),
        source,
    })?;
    write_file(dir.join("metrics.csv"), metrics_csv(series, a).as_bytes())?;
    let t = &a.transitions;
    let summary = Summary {
        sample: &series.sample,
        composition: series.composition.as_deref(),
        patterns: series.len(),
        t_r: t.t_r.as_ref().map(|x| x.kelvin),
        t_g: t.t_g.as_ref().map(|x| x.kelvin),
        t_x: t.t_x.as_ref().map(|x| x.kelvin),
        t_r_uncertainty: t.t_r.as_ref().map(|x| x.uncertainty),
        t_g_uncertainty: t.t_g.as_ref().map(|x| x.uncertainty),
        t_x_uncertainty: t.t_x.as_ref().map(|x| x.uncertainty),
        t_r_method: t.t_r.as_ref().map(|x| x.method.as_str()),
        t_g_method: t.t_g.as_ref().map(|x| x.method.as_str()),
        t_x_method: t.t_x.as_ref().map(|x| x.method.as_str()),
        detected: t,
        parameters: &a.params,
        skipped_files: skipped.to_vec(),
        messages: &a.messages,
        glassray_version: env!("CARGO_PKG_VERSION"),
    };
    let json = serde_json::to_string_pretty(&summary).map_err(|source| ReportError::Encode {
        path: dir.join("summary.json"),
        source,
    })?;
    write_file(dir.join("summary.json"), json.as_bytes())?;
    for (p, pa) in series.patterns.iter().zip(&a.patterns) {
        let Some(rs) = &pa.real_space else { continue };
        let stem = p
            .source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("pattern_{:04}", p.index));
        let name = match &p.column {
            Some(c) => format!("{}_{}.gr", stem, safe_name(c)),
            None => format!("{stem}.gr"),
        };
        let text = gr_file(series, p, pa, rs, &a.params);
        write_file(dir.join("gr").join(&name), text.as_bytes())?;
    }
    Ok(())
}

/// `metrics.csv`: the [`METRICS_COLUMNS`] first, then errors, centres, width, baseline, lobe
/// ranges, ΔS and the smoothed curves, then the pattern's messages. Header and rows are built
/// from one list of columns, so they always agree.
pub fn metrics_csv(series: &HeatingSeries, a: &SeriesAnalysis) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    const SMOOTHED: [&str; 8] = [
        "fsdp_first_moment",
        "fsdp_area",
        "r1_relative",
        "r6_relative",
        "frac_1atom",
        "frac_2atom",
        "frac_3atom",
        "frac_4atom",
    ];
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(series.len());
    for (i, (p, pa)) in series.patterns.iter().zip(&a.patterns).enumerate() {
        let f = &pa.fit;
        let lobe = |k: usize| pa.lobes.get(k);
        let mut cols: Vec<(String, String)> = vec![
            ("index".into(), p.index.to_string()),
            ("filename".into(), field(&p.display_name())),
            ("T_K".into(), p.kelvin().map_or(String::new(), num)),
            ("fsdp_first_moment".into(), num(pa.fsdp.first_moment)),
            ("fsdp_area".into(), num(pa.fsdp.area)),
            ("r1_area".into(), num(pa.r1())),
            ("r6_area".into(), num(pa.r6())),
        ];
        for (k, v) in f.fractions.iter().enumerate() {
            cols.push((format!("frac_{}atom", k + 1), num(*v)));
        }
        cols.push(("fit_rmse".into(), num(f.rmse)));
        cols.push(("fit_converged".into(), f.converged.to_string()));
        cols.push(("sample".into(), field(&series.sample)));
        cols.push((
            "T_source".into(),
            p.temperature
                .as_ref()
                .map_or("none".into(), |t| t.source.kind().to_string()),
        ));
        for (k, v) in f.fraction_errors.iter().enumerate() {
            cols.push((format!("frac_{}atom_err", k + 1), num(*v)));
        }
        for (k, v) in f.centres.iter().enumerate() {
            cols.push((format!("centre_{}atom", k + 1), num(*v)));
        }
        for (k, v) in f.centre_errors.iter().enumerate() {
            cols.push((format!("centre_{}atom_err", k + 1), num(*v)));
        }
        if a.params.fit.free_widths {
            for k in 0..4 {
                cols.push((format!("width_{}atom", k + 1), num(f.widths[k])));
                cols.push((format!("width_{}atom_err", k + 1), num(f.width_errors[k])));
            }
        } else {
            cols.push(("width".into(), num(f.widths[0])));
            cols.push(("width_err".into(), num(f.width_errors[0])));
        }
        for k in 0..4 {
            cols.push((format!("amplitude_{}atom", k + 1), num(f.amplitudes[k])));
        }
        cols.push(("baseline".into(), num(f.baseline)));
        cols.push(("baseline_err".into(), num(f.baseline_error)));
        cols.push(("fit_iterations".into(), f.iterations.to_string()));
        cols.push(("r1_relative".into(), num(a.r1_relative[i])));
        cols.push(("r6_relative".into(), num(a.r6_relative[i])));
        cols.push(("lobe_count".into(), pa.lobes.len().to_string()));
        cols.push((
            "r1_start".into(),
            lobe(0).map_or(String::new(), |l| num(l.r_start)),
        ));
        cols.push((
            "r1_end".into(),
            lobe(0).map_or(String::new(), |l| num(l.r_end)),
        ));
        cols.push((
            "r6_start".into(),
            lobe(5).map_or(String::new(), |l| num(l.r_start)),
        ));
        cols.push((
            "r6_end".into(),
            lobe(5).map_or(String::new(), |l| num(l.r_end)),
        ));
        cols.push(("delta_s_rms".into(), num(pa.delta_s_rms)));
        cols.push(("fsdp_points".into(), pa.fsdp.points.to_string()));
        for name in SMOOTHED {
            let v = a
                .curves
                .iter()
                .find(|c| c.name == name)
                .map_or(f64::NAN, |c| c.smoothed.get(i).copied().unwrap_or(f64::NAN));
            cols.push((format!("{name}_smoothed"), num(v)));
        }
        cols.push(("messages".into(), field(&pa.messages.join("; "))));
        if header.is_empty() {
            header = cols.iter().map(|c| c.0.clone()).collect();
        }
        rows.push(cols.into_iter().map(|c| c.1).collect());
    }
    if header.is_empty() {
        header = METRICS_COLUMNS.iter().map(|s| s.to_string()).collect();
    }
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A G(r) file with a PDFgetX3-style header (`key = value`, `#### start data`, `#L`), which
/// PDFgui, diffpy.morph and Glassray itself read.
pub fn gr_file(
    series: &HeatingSeries,
    p: &crate::model::Pattern,
    pa: &crate::analysis::series::PatternAnalysis,
    rs: &crate::analysis::series::RealSpace,
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
    let _ = writeln!(s, "qmin = {}", params.q_min.unwrap_or(qlo));
    let _ = writeln!(s, "qmax = {}", params.q_max.unwrap_or(qhi));
    let _ = writeln!(
        s,
        "modification = {}",
        match params.modification {
            Modification::None => "none",
            Modification::Lorch => "lorch",
        }
    );
    let _ = writeln!(s, "rho0 = {}", rs.rho0);
    let _ = writeln!(s, "rmin = {}", rs.r.first().copied().unwrap_or(f64::NAN));
    let _ = writeln!(s, "rmax = {}", rs.r.last().copied().unwrap_or(f64::NAN));
    let _ = writeln!(
        s,
        "rstep = {}",
        if rs.r.len() > 1 {
            rs.r[1] - rs.r[0]
        } else {
            f64::NAN
        }
    );
    let _ = writeln!(s, "\n#### start data\n#S 1\n#L r(Å)  G(Å$^{{-2}}$)");
    for (r, g) in rs.r.iter().zip(&rs.big_g) {
        let _ = writeln!(s, "{r} {g}");
    }
    s
}
