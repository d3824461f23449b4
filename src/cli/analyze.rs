//! `glassray analyze`: the whole analysis, headless, written as files.
//!
//! For one series: `OUT/metrics.csv`, `OUT/summary.json`, `OUT/gr/*.gr`. For several (the demo's
//! three samples, or several folders): the same under `OUT/<sample>/`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

use super::{AnalyzeArgs, UsageError};
use crate::analysis::fit::default_seeds;
use crate::analysis::series::{AnalysisParams, SeriesAnalysis, analyze};
use crate::analysis::transform::Modification;
use crate::analysis::transitions::Transition;
use crate::demo::{DemoConfig, demo_all};
use crate::io::{self, SeriesLoad, write};
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

fn window(text: &str, what: &str) -> Result<(f64, f64), UsageError> {
    let err = || {
        UsageError(format!(
            "{what} `{text}` must look like A:B with A < B, e.g. 2.2:3.0"
        ))
    };
    let (a, b) = text.split_once(':').ok_or_else(err)?;
    let (a, b): (f64, f64) = (
        a.trim().parse().map_err(|_| err())?,
        b.trim().parse().map_err(|_| err())?,
    );
    if a.is_finite() && b.is_finite() && a < b {
        Ok((a, b))
    } else {
        Err(err())
    }
}

fn positive(v: Option<f64>, what: &str) -> Result<Option<f64>, UsageError> {
    match v {
        Some(x) if !(x > 0.0 && x.is_finite()) => Err(UsageError(format!(
            "{what} must be a positive number, not {x}"
        ))),
        _ => Ok(v),
    }
}

impl AnalyzeArgs {
    /// Validated analysis parameters.
    pub fn params(&self) -> Result<AnalysisParams, UsageError> {
        let mut p = AnalysisParams {
            q_min: self.qmin,
            q_max: self.qmax,
            modification: if self.lorch {
                Modification::Lorch
            } else {
                Modification::None
            },
            rho0: positive(self.rho0, "--rho0")?,
            sequential: self.sequential,
            t_r_override: self.tr,
            t_g_override: self.tg,
            t_x_override: self.tx,
            smoothing: positive(self.smoothing, "--smoothing")?,
            ..Default::default()
        };
        if let (Some(a), Some(b)) = (self.qmin, self.qmax)
            && a >= b
        {
            return Err(UsageError(format!("--qmin {a} must be below --qmax {b}")));
        }
        if let Some(r) = positive(self.rmax, "--rmax")? {
            p.r_max = r;
        }
        if let Some(dr) = positive(self.dr, "--dr")? {
            p.dr = dr;
        }
        if p.r_max <= p.r_min {
            return Err(UsageError(format!(
                "--rmax {} must exceed the first r point {}",
                p.r_max, p.r_min
            )));
        }
        if let Some(w) = &self.fsdp {
            p.fsdp_window = window(w, "--fsdp")?;
        }
        if let Some(w) = &self.fit_window {
            p.fit.window = window(w, "--fit-window")?;
        }
        if let Some(r) = positive(self.cluster_radius, "--cluster-radius")? {
            p.fit.seeds = default_seeds(r);
        }
        if let Some(t) = positive(self.seed_tolerance, "--seed-tolerance")? {
            p.fit.tolerance = t;
        }
        p.fit.free_widths = self.free_widths;
        p.fit.baseline = !self.no_baseline;
        Ok(p)
    }
}

pub fn run(args: &AnalyzeArgs) -> Result<ExitCode, UsageError> {
    let params = args.params()?;
    let opts = args.load.options()?;
    let loads: Vec<SeriesLoad> = if args.paths.is_empty() {
        demo_all(&DemoConfig::default())
            .into_iter()
            .map(SeriesLoad::from_series)
            .collect()
    } else {
        io::load_inputs(&args.paths, &opts)
    };
    let mut skipped = 0;
    for load in &loads {
        for f in &load.failed {
            eprintln!("skipped: {f}");
            skipped += 1;
        }
    }
    let several = loads.len() > 1;
    let mut written = Vec::new();
    for load in &loads {
        let series = &load.series;
        if series.is_empty() {
            eprintln!("{}: no patterns to analyse", load.origin);
            continue;
        }
        let analysis = analyze(series, &params);
        let dir = if several {
            args.out.join(safe_name(&series.sample))
        } else {
            args.out.clone()
        };
        if let Err(e) = write_outputs(&dir, load, &analysis) {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
        let t = &analysis.transitions;
        println!(
            "{}: {} patterns; T_r {}, T_g {}, T_x {} → {}",
            series.sample,
            series.len(),
            show(t.t_r.as_ref()),
            show(t.t_g.as_ref()),
            show(t.t_x.as_ref()),
            dir.display()
        );
        let flagged = analysis
            .patterns
            .iter()
            .filter(|p| !p.messages.is_empty())
            .count();
        if flagged > 0 {
            println!("  {flagged} pattern(s) flagged (see the messages column of metrics.csv)");
        }
        written.push(dir);
    }
    Ok(if skipped > 0 || written.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn show(t: Option<&Transition>) -> String {
    t.map_or("not found".into(), |t| {
        format!("{:.1} ± {:.1} K", t.kelvin, t.uncertainty)
    })
}

fn safe_name(name: &str) -> String {
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

/// Writes metrics.csv, summary.json and gr/ for one analysed series.
pub fn write_outputs(dir: &Path, load: &SeriesLoad, a: &SeriesAnalysis) -> Result<(), String> {
    let series = &load.series;
    std::fs::create_dir_all(dir.join("gr"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write::write_atomic(&dir.join("metrics.csv"), metrics_csv(series, a).as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", dir.join("metrics.csv").display()))?;
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
        skipped_files: load.failed.iter().map(ToString::to_string).collect(),
        messages: &a.messages,
        glassray_version: env!("CARGO_PKG_VERSION"),
    };
    let json = serde_json::to_string_pretty(&summary).map_err(|e| format!("summary: {e}"))?;
    write::write_atomic(&dir.join("summary.json"), json.as_bytes())
        .map_err(|e| format!("cannot write summary.json: {e}"))?;
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
        write::write_atomic(&dir.join("gr").join(&name), text.as_bytes())
            .map_err(|e| format!("cannot write gr/{name}: {e}"))?;
    }
    Ok(())
}

fn metrics_csv(series: &HeatingSeries, a: &SeriesAnalysis) -> String {
    let mut out = String::new();
    let extra = [
        "sample",
        "T_source",
        "frac_1atom_err",
        "frac_2atom_err",
        "frac_3atom_err",
        "frac_4atom_err",
        "centre_1atom",
        "centre_2atom",
        "centre_3atom",
        "centre_4atom",
        "centre_1atom_err",
        "centre_2atom_err",
        "centre_3atom_err",
        "centre_4atom_err",
        "width",
        "width_err",
        "baseline",
        "baseline_err",
        "r1_relative",
        "r6_relative",
        "lobe_count",
        "r1_start",
        "r1_end",
        "r6_start",
        "r6_end",
        "delta_s_rms",
        "fsdp_points",
        "messages",
    ];
    let header: Vec<&str> = METRICS_COLUMNS
        .iter()
        .chain(extra.iter())
        .copied()
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for (i, (p, pa)) in series.patterns.iter().zip(&a.patterns).enumerate() {
        let f = &pa.fit;
        let lobe = |k: usize| pa.lobes.get(k);
        let mut row: Vec<String> = vec![
            p.index.to_string(),
            field(&p.display_name()),
            p.kelvin().map_or(String::new(), num),
            num(pa.fsdp.first_moment),
            num(pa.fsdp.area),
            num(pa.r1()),
            num(pa.r6()),
        ];
        row.extend(f.fractions.iter().map(|v| num(*v)));
        row.push(num(f.rmse));
        row.push(f.converged.to_string());
        row.push(field(&series.sample));
        row.push(
            p.temperature
                .as_ref()
                .map_or("none".into(), |t| t.source.kind().to_string()),
        );
        row.extend(f.fraction_errors.iter().map(|v| num(*v)));
        row.extend(f.centres.iter().map(|v| num(*v)));
        row.extend(f.centre_errors.iter().map(|v| num(*v)));
        row.push(num(f.widths[0]));
        row.push(num(f.width_errors[0]));
        row.push(num(f.baseline));
        row.push(num(f.baseline_error));
        row.push(num(a.r1_relative[i]));
        row.push(num(a.r6_relative[i]));
        row.push(pa.lobes.len().to_string());
        row.push(lobe(0).map_or(String::new(), |l| num(l.r_start)));
        row.push(lobe(0).map_or(String::new(), |l| num(l.r_end)));
        row.push(lobe(5).map_or(String::new(), |l| num(l.r_start)));
        row.push(lobe(5).map_or(String::new(), |l| num(l.r_end)));
        row.push(num(pa.delta_s_rms));
        row.push(pa.fsdp.points.to_string());
        for name in [
            "fsdp_first_moment",
            "fsdp_area",
            "r1_relative",
            "r6_relative",
            "frac_1atom",
            "frac_2atom",
            "frac_3atom",
            "frac_4atom",
        ] {
            let v = a
                .curves
                .iter()
                .find(|c| c.name == name)
                .map_or(f64::NAN, |c| c.smoothed[i]);
            row.push(num(v));
        }
        row.push(field(&pa.messages.join("; ")));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A G(r) file with a PDFgetX3-style header (`key = value`, `#### start data`, `#L`), which
/// PDFgui, diffpy.morph and Glassray itself read.
fn gr_file(
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
