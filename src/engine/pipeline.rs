//! The analysis of whole series on the rayon pool: the pure steps of
//! [`crate::analysis::series`] run over every pattern in parallel (in acquisition order when
//! fitting sequentially), then the series-level steps (transitions beside the splines).
//!
//! Every driver checks `stop` between temperatures and returns None once it is true (a newer
//! request arrived); `tick(k)` counts k more temperature-stages done; `on_fit(i, fit)` hears of
//! each fit as it finishes, so results can be shown as they come.

use rayon::prelude::*;

use crate::analysis::fit::ModeFit;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::{
    PatternAnalysis, SeriesAnalysis, Stage1, fit_one, pattern_result, real_space_stage,
    series_plan, shared_r, smooth, versus_t,
};
use crate::analysis::transitions::{Marks, transitions};
use crate::model::HeatingSeries;

/// Checked between temperatures: true stops the work.
pub type Stop<'a> = &'a (dyn Fn() -> bool + Sync);
/// Called with k when k more temperature-stages are done.
pub type Tick<'a> = &'a (dyn Fn(usize) + Sync);
/// Called with (pattern index, fit) as each fit finishes.
pub type OnFit<'a> = &'a (dyn Fn(usize, &ModeFit) + Sync);

/// Stage 1 for every pattern, in parallel. None when stopped.
pub fn stage1_all(
    series: &HeatingSeries,
    params: &AnalysisParams,
    stop: Stop<'_>,
    tick: Tick<'_>,
) -> Option<(Vec<Stage1>, Vec<String>)> {
    let (plan, messages) = series_plan(series, params);
    let r_shared = shared_r(plan.as_deref());
    let reference = series.patterns.get(params.transform.reference);
    let out: Option<Vec<Stage1>> = series
        .patterns
        .par_iter()
        .map(|p| {
            if stop() {
                return None;
            }
            let r = real_space_stage(p, reference, plan.as_deref(), &r_shared, params);
            tick(1);
            Some(r)
        })
        .collect();
    out.map(|o| (o, messages))
}

/// Stage 1 and the fit of every pattern in one parallel pass (each pattern's g(r) is fitted
/// while it is still in cache). Independent fits only: with `params.fit.sequential` this is
/// [`stage1_all`] followed by [`fits_all`]. None when stopped.
pub fn stage1_and_fits_all(
    series: &HeatingSeries,
    params: &AnalysisParams,
    stop: Stop<'_>,
    tick: Tick<'_>,
    on_fit: OnFit<'_>,
) -> Option<(Vec<Stage1>, Vec<String>, Vec<ModeFit>)> {
    if params.fit.sequential {
        let (s, m) = stage1_all(series, params, stop, tick)?;
        let f = fits_all(&s, params, stop, tick, on_fit)?;
        return Some((s, m, f));
    }
    let (plan, messages) = series_plan(series, params);
    let r_shared = shared_r(plan.as_deref());
    let reference = series.patterns.get(params.transform.reference);
    let out: Option<Vec<(Stage1, ModeFit)>> = series
        .patterns
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            if stop() {
                return None;
            }
            let s = real_space_stage(p, reference, plan.as_deref(), &r_shared, params);
            tick(1);
            let f = fit_one(s.real_space.as_deref(), params, None);
            on_fit(i, &f);
            tick(1);
            Some((s, f))
        })
        .collect();
    let (s, f) = out?.into_iter().unzip();
    Some((s, messages, f))
}

/// Fits every pattern's g(r): in parallel, or in order (each from the previous converged
/// result) when sequential. None when stopped.
pub fn fits_all(
    stage1: &[Stage1],
    params: &AnalysisParams,
    stop: Stop<'_>,
    tick: Tick<'_>,
    on_fit: OnFit<'_>,
) -> Option<Vec<ModeFit>> {
    if params.fit.sequential {
        let mut out: Vec<ModeFit> = Vec::with_capacity(stage1.len());
        for (i, s) in stage1.iter().enumerate() {
            if stop() {
                return None;
            }
            let start = out.last().filter(|f| f.converged);
            let fit = fit_one(s.real_space.as_deref(), params, start);
            on_fit(i, &fit);
            out.push(fit);
            tick(1);
        }
        Some(out)
    } else {
        stage1
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                if stop() {
                    return None;
                }
                let f = fit_one(s.real_space.as_deref(), params, None);
                on_fit(i, &f);
                tick(1);
                Some(f)
            })
            .collect()
    }
}

/// Per-pattern results from the stages (in parallel), then the series-level results.
pub fn combine(
    series: &HeatingSeries,
    stage1: &[Stage1],
    fits: &[ModeFit],
    params: &AnalysisParams,
    marks: &Marks,
    messages: Vec<String>,
) -> SeriesAnalysis {
    let patterns: Vec<PatternAnalysis> = series
        .patterns
        .par_iter()
        .zip(stage1)
        .zip(fits)
        .map(|((p, s), fit)| pattern_result(p, s, fit, params))
        .collect();
    finish(series, patterns, params.clone(), *marks, messages)
}

/// Series-level results from per-pattern results: relative lobes, the smoothing splines (in
/// parallel over quantities) and, beside them, the transitions.
pub fn finish(
    series: &HeatingSeries,
    patterns: Vec<PatternAnalysis>,
    params: AnalysisParams,
    marks: Marks,
    messages: Vec<String>,
) -> SeriesAnalysis {
    let v = versus_t(series, &patterns);
    let (transitions, curves) = rayon::join(
        || transitions(&v.t, &v.quantities[0].1, &v.quantities[1].1, &marks),
        || {
            v.quantities
                .clone()
                .into_par_iter()
                .map(|(metric, values)| smooth(&v.t, metric, values, &params.smoothing))
                .collect()
        },
    );
    SeriesAnalysis {
        r1_relative: v.r1_relative,
        r6_relative: v.r6_relative,
        curves,
        patterns,
        transitions,
        params,
        marks,
        messages,
    }
}

/// Analyses a whole series on the pool with a sample's marks (no caching:
/// [`super::Analyzer`] caches and cancels).
pub fn analyze(series: &HeatingSeries, params: &AnalysisParams, marks: &Marks) -> SeriesAnalysis {
    let never = || false;
    let quiet = |_| {};
    let (stage1, messages, fits) =
        stage1_and_fits_all(series, params, &never, &quiet, &|_, _| {}).unwrap_or_default();
    combine(series, &stage1, &fits, params, marks, messages)
}
