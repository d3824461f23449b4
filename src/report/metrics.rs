//! `metrics.csv`: one row per pattern. The [`METRICS_COLUMNS`] first, then errors (statistical
//! `frac_*_err`, then systematic `frac_*_sys`: `summary.json` states both methods), centres,
//! width, baseline, lobe ranges, ΔS and the smoothed curves, then the pattern's messages.
//! Header and rows are built from one list of (name, value) columns, so they always agree; the
//! `csv` crate writes them (quoting only where needed). Numbers are Rust's shortest round-trip
//! form; a value that is not finite is an empty field.

use crate::analysis::fit::ModeFit;
use crate::analysis::metric::Metric;
use crate::analysis::series::{PatternAnalysis, SeriesAnalysis};
use crate::analysis::systematics::Systematic;
use crate::engine::reduce::PatternReduction;
use crate::model::{HeatingSeries, Pattern};

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

/// Whether a metric's smoothed curve gets a `<key>_smoothed` column (all but the RMSE, in
/// [`Metric::ALL`] order).
fn has_smoothed_column(m: Metric) -> bool {
    m != Metric::FitRmse
}

/// A finite number in shortest round-trip form, else an empty field.
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() {
        let mut s = String::with_capacity(24);
        super::number::push_f64(&mut s, v);
        s
    } else {
        String::new()
    }
}

type Columns = Vec<(String, String)>;

/// Index, file, T, FSDP, lobe areas, fractions, RMSE, convergence, sample, T source.
fn leading_columns(series: &HeatingSeries, p: &Pattern, pa: &PatternAnalysis) -> Columns {
    let f = &pa.fit;
    let mut cols: Columns = vec![
        ("index".into(), p.index.to_string()),
        ("filename".into(), p.display_name()),
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
    cols.push(("sample".into(), series.sample.clone()));
    cols.push((
        "T_source".into(),
        p.temperature
            .as_ref()
            .map_or("none".into(), |t| t.source.kind().to_string()),
    ));
    cols
}

/// Errors (statistical, then systematic: empty until computed), centres, widths, amplitudes,
/// baseline and iterations of the fit.
fn fit_columns(f: &ModeFit, sys: Option<&Systematic>, free_widths: bool, cols: &mut Columns) {
    for (k, v) in f.fraction_errors.iter().enumerate() {
        cols.push((format!("frac_{}atom_err", k + 1), num(*v)));
    }
    for k in 0..4 {
        let v = sys.map_or(f64::NAN, |s| s.fractions[k]);
        cols.push((format!("frac_{}atom_sys", k + 1), num(v)));
    }
    for (k, v) in f.centres.iter().enumerate() {
        cols.push((format!("centre_{}atom", k + 1), num(*v)));
    }
    for (k, v) in f.centre_errors.iter().enumerate() {
        cols.push((format!("centre_{}atom_err", k + 1), num(*v)));
    }
    if free_widths {
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
}

/// Relative lobes, lobe count and ranges, ΔS, FSDP points, smoothed curves, messages.
fn trailing_columns(a: &SeriesAnalysis, i: usize, pa: &PatternAnalysis, cols: &mut Columns) {
    let lobe = |k: usize| pa.lobes.get(k);
    cols.push(("r1_relative".into(), num(a.r1_relative[i])));
    cols.push(("r6_relative".into(), num(a.r6_relative[i])));
    cols.push(("lobe_count".into(), pa.lobes.len().to_string()));
    for (name, k) in [("r1", 0), ("r6", 5)] {
        cols.push((
            format!("{name}_start"),
            lobe(k).map_or(String::new(), |l| num(l.r_start)),
        ));
        cols.push((
            format!("{name}_end"),
            lobe(k).map_or(String::new(), |l| num(l.r_end)),
        ));
    }
    cols.push(("delta_s_rms".into(), num(pa.delta_s_rms)));
    cols.push(("fsdp_points".into(), pa.fsdp.points.to_string()));
    for metric in Metric::ALL.into_iter().filter(|&m| has_smoothed_column(m)) {
        let v = a
            .curve(metric)
            .map_or(f64::NAN, |c| c.smoothed.get(i).copied().unwrap_or(f64::NAN));
        cols.push((format!("{}_smoothed", metric.key()), num(v)));
    }
    cols.push(("messages".into(), pa.messages.join("; ")));
}

/// The bytes of `metrics.csv` for an analysed series (an error only for rows of different
/// lengths, which the shared column list rules out).
pub fn metrics_csv(series: &HeatingSeries, a: &SeriesAnalysis) -> Result<Vec<u8>, csv::Error> {
    metrics_csv_with(series, a, None)
}

/// [`metrics_csv`] with, for a series reduced from I(Q), three more columns at the end: `rho0`
/// (atoms/Å³), `background_scale` and `normalisation` (α, to electron units per atom), empty
/// for a pattern that was not reduced. `reduced` is aligned with the series' patterns.
pub fn metrics_csv_with(
    series: &HeatingSeries,
    a: &SeriesAnalysis,
    reduced: Option<&[Option<PatternReduction>]>,
) -> Result<Vec<u8>, csv::Error> {
    let mut header: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(series.len());
    for (i, (p, pa)) in series.patterns.iter().zip(&a.patterns).enumerate() {
        let mut cols = leading_columns(series, p, pa);
        fit_columns(
            &pa.fit,
            pa.systematic.as_ref(),
            a.params.fit.free_widths,
            &mut cols,
        );
        trailing_columns(a, i, pa, &mut cols);
        if let Some(reduced) = reduced {
            let r = reduced.get(i).copied().flatten();
            let value =
                |f: fn(&PatternReduction) -> f64| r.as_ref().map_or(String::new(), |r| num(f(r)));
            cols.push(("rho0".into(), value(|r| r.rho0)));
            cols.push(("background_scale".into(), value(|r| r.background_scale)));
            cols.push(("normalisation".into(), value(|r| r.alpha)));
        }
        if header.is_empty() {
            header = cols.iter().map(|c| c.0.clone()).collect();
        }
        rows.push(cols.into_iter().map(|c| c.1).collect());
    }
    if header.is_empty() {
        header = METRICS_COLUMNS.iter().map(|s| s.to_string()).collect();
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in std::iter::once(&header).chain(&rows) {
        w.write_record(record)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
