//! `summary.json`: the transition temperatures in use (K, at the top level) with their
//! uncertainties and methods, what was detected, every parameter (with the sample's overrides),
//! the files skipped and the series' messages; then (`load`) what happened to the input.

use serde::Serialize;

use super::load::LoadReport;
use crate::analysis::params::ParamsWire;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transitions::{Transition, TransitionEstimate, Transitions};
use crate::model::HeatingSeries;

/// The transitions as `summary.json` lists them: in use, then as detected.
#[derive(Serialize)]
struct TransitionsView<'a> {
    t_r: Option<&'a TransitionEstimate>,
    t_g: Option<&'a TransitionEstimate>,
    t_x: Option<&'a TransitionEstimate>,
    detected_t_r: Option<&'a TransitionEstimate>,
    detected_t_g: Option<&'a TransitionEstimate>,
    detected_t_x: Option<&'a TransitionEstimate>,
}

impl<'a> TransitionsView<'a> {
    fn of(t: &'a Transitions) -> Self {
        use Transition::*;
        TransitionsView {
            t_r: t.used(Relaxation),
            t_g: t.used(Glass),
            t_x: t.used(Crystallization),
            detected_t_r: t.detected(Relaxation),
            detected_t_g: t.detected(Glass),
            detected_t_x: t.detected(Crystallization),
        }
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
    detected: TransitionsView<'a>,
    parameters: ParamsWire,
    skipped_files: Vec<String>,
    messages: &'a [String],
    glassray_version: &'a str,
    load: &'a LoadReport,
}

/// The text of `summary.json`.
pub fn summary_json(
    series: &HeatingSeries,
    skipped: &[String],
    load: &LoadReport,
    a: &SeriesAnalysis,
) -> Result<String, serde_json::Error> {
    use Transition::*;
    let t = &a.transitions;
    let kelvin = |x: Transition| t.used(x).map(|e| e.kelvin);
    let uncertainty = |x: Transition| t.used(x).map(|e| e.uncertainty);
    let method = |x: Transition| t.used(x).map(|e| e.method.as_str());
    let summary = Summary {
        sample: &series.sample,
        composition: series.composition.as_deref(),
        patterns: series.len(),
        t_r: kelvin(Relaxation),
        t_g: kelvin(Glass),
        t_x: kelvin(Crystallization),
        t_r_uncertainty: uncertainty(Relaxation),
        t_g_uncertainty: uncertainty(Glass),
        t_x_uncertainty: uncertainty(Crystallization),
        t_r_method: method(Relaxation),
        t_g_method: method(Glass),
        t_x_method: method(Crystallization),
        detected: TransitionsView::of(t),
        parameters: a.params.wire(&a.marks),
        skipped_files: skipped.to_vec(),
        messages: &a.messages,
        glassray_version: env!("CARGO_PKG_VERSION"),
        load,
    };
    serde_json::to_string_pretty(&summary)
}
