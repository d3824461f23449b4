//! `summary.json`: the transition temperatures in use (K, at the top level) with their
//! uncertainties (95 % half-widths, `T_uncertainty_interval` says how each is made) and methods, what was detected, every parameter (with the sample's overrides),
//! the files skipped, the series' messages and warnings; then (`load`) what happened to the input.
//!
//! `temperature_axis` says what the positions are in. A series without any temperature
//! (`"index"`) has no transition temperature: `T_r`, `T_g`, `T_x` are null, the positions
//! found are `T_r_pattern_index`, … (a fractional pattern index, counted from 0), and the
//! `detected` entries carry `pattern_index` instead of `kelvin`.

use serde::Serialize;

use super::load::LoadReport;
use crate::analysis::params::ParamsWire;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::systematics::SYSTEMATIC_METHOD;
use crate::analysis::transitions::{INTERVAL_MEANING, Transition, TransitionEstimate, Transitions};
use crate::engine::reduce::{ReductionRecord, SeriesReduction};
use crate::model::{HeatingSeries, TemperatureAxis};

/// One transition's position: in K, or as a pattern index when the series has no temperature.
#[derive(Serialize)]
struct Position<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kelvin: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern_index: Option<f64>,
    uncertainty: f64,
    method: &'a str,
}

impl<'a> Position<'a> {
    fn of(e: &'a TransitionEstimate, axis: TemperatureAxis) -> Self {
        let kelvin = axis == TemperatureAxis::Kelvin;
        Position {
            kelvin: kelvin.then_some(e.kelvin),
            pattern_index: (!kelvin).then_some(e.kelvin),
            uncertainty: e.uncertainty,
            method: &e.method,
        }
    }
}

/// The transitions as `summary.json` lists them: in use, then as detected.
#[derive(Serialize)]
struct TransitionsView<'a> {
    t_r: Option<Position<'a>>,
    t_g: Option<Position<'a>>,
    t_x: Option<Position<'a>>,
    detected_t_r: Option<Position<'a>>,
    detected_t_g: Option<Position<'a>>,
    detected_t_x: Option<Position<'a>>,
}

impl<'a> TransitionsView<'a> {
    fn of(t: &'a Transitions, axis: TemperatureAxis) -> Self {
        use Transition::*;
        let at = |e: Option<&'a TransitionEstimate>| e.map(|e| Position::of(e, axis));
        TransitionsView {
            t_r: at(t.used(Relaxation)),
            t_g: at(t.used(Glass)),
            t_x: at(t.used(Crystallization)),
            detected_t_r: at(t.detected(Relaxation)),
            detected_t_g: at(t.detected(Glass)),
            detected_t_x: at(t.detected(Crystallization)),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    sample: &'a str,
    composition: Option<&'a str>,
    patterns: usize,
    /// `kelvin`, or `index` when no pattern has a temperature.
    temperature_axis: &'static str,
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
    /// What the uncertainties mean (95 % intervals, and how each is made).
    #[serde(rename = "T_uncertainty_interval")]
    t_uncertainty_interval: &'static str,
    #[serde(rename = "T_r_method")]
    t_r_method: Option<&'a str>,
    #[serde(rename = "T_g_method")]
    t_g_method: Option<&'a str>,
    #[serde(rename = "T_x_method")]
    t_x_method: Option<&'a str>,
    /// Only for a series without temperatures: where each transition was found, as a
    /// (fractional) pattern index.
    #[serde(rename = "T_r_pattern_index", skip_serializing_if = "Option::is_none")]
    t_r_index: Option<f64>,
    #[serde(rename = "T_g_pattern_index", skip_serializing_if = "Option::is_none")]
    t_g_index: Option<f64>,
    #[serde(rename = "T_x_pattern_index", skip_serializing_if = "Option::is_none")]
    t_x_index: Option<f64>,
    detected: TransitionsView<'a>,
    /// How `frac_*_err` (statistical) and `frac_*_sys` (systematic) of `metrics.csv` are
    /// computed; the systematic one is null when it was not computed.
    fraction_statistical_method: &'static str,
    fraction_systematic_method: Option<&'static str>,
    parameters: ParamsWire,
    skipped_files: Vec<String>,
    messages: &'a [String],
    /// Warnings about the results (the lobe count changing below T_x).
    warnings: &'a [String],
    glassray_version: &'a str,
    load: &'a LoadReport,
    /// Only for a series reduced from I(Q): every setting and what came of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    reduction: Option<ReductionView<'a>>,
}

/// The `reduction` object of `summary.json`.
#[derive(Serialize)]
struct ReductionView<'a> {
    #[serde(flatten)]
    settings: &'a ReductionRecord,
    patterns_reduced: usize,
    patterns_not_reduced: usize,
    messages: &'a [String],
}

/// What `summary.json` says about `frac_*_err`.
const STATISTICAL_METHOD: &str = "delta method from the fit covariance: a Newey-West (HAC) sandwich \
(J^T J)^-1 [sum_ij w(i-j) J_i e_i e_j J_j^T] (J^T J)^-1 n/(n-p) with Bartlett weights over a lag \
of 4 n/N_ind points, N_ind = Qmax*(r_hi - r_lo)/pi independent points in the fit window \
(neighbouring G(r) points are correlated); (J^T J)^-1 RSS/(n-p) when Qmax is unknown \
(real-space input without a qmax header)";

/// The text of `summary.json`.
pub fn summary_json(
    series: &HeatingSeries,
    skipped: &[String],
    load: &LoadReport,
    a: &SeriesAnalysis,
) -> Result<String, serde_json::Error> {
    summary_json_with(series, skipped, load, a, None)
}

/// [`summary_json`] of a series reduced from I(Q) (with `reduction`), or not.
pub fn summary_json_with(
    series: &HeatingSeries,
    skipped: &[String],
    load: &LoadReport,
    a: &SeriesAnalysis,
    reduction: Option<(&ReductionRecord, &SeriesReduction)>,
) -> Result<String, serde_json::Error> {
    use Transition::*;
    let t = &a.transitions;
    let axis = series.axis;
    let on_index = axis == TemperatureAxis::Index;
    let kelvin = |x: Transition| t.used(x).filter(|_| !on_index).map(|e| e.kelvin);
    let index = |x: Transition| t.used(x).filter(|_| on_index).map(|e| e.kelvin);
    let uncertainty = |x: Transition| t.used(x).filter(|_| !on_index).map(|e| e.uncertainty);
    let method = |x: Transition| t.used(x).map(|e| e.method.as_str());
    let summary = Summary {
        sample: &series.sample,
        composition: series.composition.as_deref(),
        patterns: series.len(),
        temperature_axis: match axis {
            TemperatureAxis::Kelvin => "kelvin",
            TemperatureAxis::Index => "index",
        },
        t_r: kelvin(Relaxation),
        t_g: kelvin(Glass),
        t_x: kelvin(Crystallization),
        t_r_uncertainty: uncertainty(Relaxation),
        t_g_uncertainty: uncertainty(Glass),
        t_x_uncertainty: uncertainty(Crystallization),
        t_uncertainty_interval: INTERVAL_MEANING,
        t_r_method: method(Relaxation),
        t_g_method: method(Glass),
        t_x_method: method(Crystallization),
        t_r_index: index(Relaxation),
        t_g_index: index(Glass),
        t_x_index: index(Crystallization),
        detected: TransitionsView::of(t, axis),
        fraction_statistical_method: STATISTICAL_METHOD,
        fraction_systematic_method: a
            .patterns
            .iter()
            .any(|p| p.systematic.is_some())
            .then_some(SYSTEMATIC_METHOD),
        parameters: a.params.wire(&a.marks),
        skipped_files: skipped.to_vec(),
        messages: &a.messages,
        warnings: &a.warnings,
        glassray_version: env!("CARGO_PKG_VERSION"),
        load,
        reduction: reduction.map(|(settings, done)| ReductionView {
            settings,
            patterns_reduced: done.reduced,
            patterns_not_reduced: done.failed,
            messages: &done.messages,
        }),
    };
    serde_json::to_string_pretty(&summary)
}
