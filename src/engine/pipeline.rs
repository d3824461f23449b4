//! The analysis of whole series on the rayon pool: the pure steps of
//! [`crate::analysis::series`] run over every pattern in parallel (in acquisition order when
//! fitting sequentially), then the series-level steps (transitions beside the splines).
//!
//! Every driver checks `stop` between temperatures and returns None once it is true (a newer
//! request arrived); `tick(k)` counts k more temperature-stages done; `on_fit(i, fit)` hears of
//! each fit as it finishes, so results can be shown as they come.

use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::fit::ModeFit;
use crate::analysis::lobes::lobe_count_warning;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::{
    PatternAnalysis, SeriesAnalysis, Stage1, fit_one, flag_spikes, grid_groups, pattern_result,
    plan_for_joined, plan_messages, real_space_stage, shared_r, smooth_many, versus_t,
};
use crate::analysis::systematics::{Systematic, pattern_systematic, q_range_variants};
use crate::analysis::transform::{TransformError, TransformPlan};
use crate::analysis::transitions::{Marks, Transition, crystallization_in_use, transitions};
use crate::model::{HeatingSeries, Pattern};

/// Checked between temperatures: true stops the work.
pub type Stop<'a> = &'a (dyn Fn() -> bool + Sync);
/// Called with k when k more temperature-stages are done.
pub type Tick<'a> = &'a (dyn Fn(usize) + Sync);
/// Called with (pattern index, fit) as each fit finishes.
pub type OnFit<'a> = &'a (dyn Fn(usize, &ModeFit) + Sync);

/// A pattern's transform plan: its grid's, or why there is none.
type PlanRef<'a> = Option<&'a Result<Arc<TransformPlan>, TransformError>>;

/// Most memory the sine tables of plans alive at once may take (bytes); grids beyond it are
/// planned and transformed in later rounds, their plans dropped in between.
const PLAN_BUDGET: usize = 512 << 20;

/// Memory a plan for `q` will hold: a sine table on a non-uniform grid, next to nothing for
/// the FFT path.
fn plan_size(q: &[f64], params: &AnalysisParams) -> usize {
    let t = &params.transform;
    let r_points = ((t.r_max - t.r_min) / t.dr).abs().min(1e9) as usize + 1;
    if crate::analysis::transform::is_uniform(q) {
        16 * (q.len() + r_points) * 4
    } else {
        8 * q.len() * r_points
    }
}

/// Runs `work` on every pattern with the plan of its own Q grid (one plan per distinct grid,
/// shared by the patterns on it), in parallel; results in pattern order, with what to say
/// about the plans. None when stopped.
fn per_pattern<R: Send>(
    series: &HeatingSeries,
    params: &AnalysisParams,
    stop: Stop<'_>,
    work: &(dyn Fn(usize, &Pattern, PlanRef<'_>) -> R + Sync),
) -> Option<(Vec<R>, Vec<String>)> {
    let groups = grid_groups(series);
    let mut results: Vec<Option<R>> = (0..series.len()).map(|_| None).collect();
    let mut outcomes = Vec::with_capacity(groups.len());
    let mut in_group = vec![false; series.len()];
    for &i in groups.iter().flatten() {
        in_group[i] = true;
    }
    let mut slot: Vec<Option<usize>> = vec![None; series.len()];
    let mut run = |indices: Vec<usize>,
                   plans: &[Result<Arc<TransformPlan>, TransformError>],
                   slot: &[Option<usize>]|
     -> Option<()> {
        let done: Option<Vec<(usize, R)>> = indices
            .par_iter()
            .map(|&i| {
                if stop() {
                    return None;
                }
                let p = &series.patterns[i];
                Some((i, work(i, p, slot[i].and_then(|k| plans.get(k)))))
            })
            .collect();
        for (i, r) in done? {
            results[i] = Some(r);
        }
        Some(())
    };
    // Rounds of grids whose plans fit the budget together (one round for an ordinary series).
    let mut start = 0;
    while start < groups.len() {
        let mut end = start + 1;
        let mut size = plan_size(&series.patterns[groups[start][0]].x, params);
        while end < groups.len() {
            let next = plan_size(&series.patterns[groups[end][0]].x, params);
            if size + next > PLAN_BUDGET {
                break;
            }
            size += next;
            end += 1;
        }
        let round = &groups[start..end];
        let plans: Vec<Result<Arc<TransformPlan>, TransformError>> = round
            .par_iter()
            .map(|g| plan_for_joined(&series.patterns[g[0]].x, params, &pool_join))
            .collect();
        let indices: Vec<usize> = round.iter().flatten().copied().collect();
        slot.fill(None);
        for (k, g) in round.iter().enumerate() {
            for &i in g {
                slot[i] = Some(k);
            }
        }
        run(indices, &plans, &slot)?;
        outcomes.extend(plans.iter().map(|p| {
            p.as_ref()
                .map(|p| (p.path, p.q_points()))
                .map_err(Clone::clone)
        }));
        start = end;
    }
    // Patterns with no Q grid to plan (real space, 2θ, …).
    let rest: Vec<usize> = (0..series.len()).filter(|&i| !in_group[i]).collect();
    slot.fill(None);
    run(rest, &[], &slot)?;
    let messages = plan_messages(series, &groups, &outcomes);
    let out: Option<Vec<R>> = results.into_iter().collect();
    out.map(|o| (o, messages))
}

/// The pool's join for the analysis's two-piece work (a transform plan's halves).
fn pool_join(a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)) {
    rayon::join(a, b);
}

/// Stage 1 for every pattern, in parallel. None when stopped.
pub fn stage1_all(
    series: &HeatingSeries,
    params: &AnalysisParams,
    stop: Stop<'_>,
    tick: Tick<'_>,
) -> Option<(Vec<Stage1>, Vec<String>)> {
    let r_shared = shared_r(params);
    let reference = series.patterns.get(params.transform.reference);
    per_pattern(series, params, stop, &|_, p, plan| {
        let r = real_space_stage(p, reference, plan, &r_shared, params);
        tick(1);
        r
    })
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
    let r_shared = shared_r(params);
    let reference = series.patterns.get(params.transform.reference);
    let (out, messages) = per_pattern(series, params, stop, &|i, p, plan| {
        let s = real_space_stage(p, reference, plan, &r_shared, params);
        tick(1);
        let f = fit_one(s.real_space.as_deref(), params, None);
        on_fit(i, &f);
        tick(1);
        (s, f)
    })?;
    let (s, f) = out.into_iter().unzip();
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
    finish_timed(series, patterns, params, marks, messages, None)
}

/// [`finish`], timing the transitions and the splines (which run side by side) when asked.
fn finish_timed(
    series: &HeatingSeries,
    patterns: Vec<PatternAnalysis>,
    params: AnalysisParams,
    marks: Marks,
    messages: Vec<String>,
    timings: Option<&super::timing::Timings>,
) -> SeriesAnalysis {
    let timed = |name: &str, started: std::time::Instant| {
        if let Some(t) = timings {
            t.add(name, started.elapsed());
        }
    };
    let mut patterns = patterns;
    flag_spikes(&mut patterns);
    let v = versus_t(series, &patterns);
    // The splines follow the glass: they stop at the T_x in use (cheap to find first).
    let t_x = crystallization_in_use(&v.t, &v.kept(1), &marks);
    let (transitions, curves) = rayon::join(
        || {
            let started = std::time::Instant::now();
            let out = transitions(&v.t, &v.kept(0), &v.kept(1), &marks);
            timed("transitions (beside the splines)", started);
            out
        },
        || {
            let started = std::time::Instant::now();
            // Four quantities per task: their λ are searched together, in the lanes of one
            // vector.
            let curves: Vec<_> = v
                .quantities
                .iter()
                .enumerate()
                .map(|(k, (metric, values))| (*metric, values.clone(), v.kept(k)))
                .collect();
            let groups: Vec<Vec<_>> = curves.chunks(4).map(<[_]>::to_vec).collect();
            let out = groups
                .into_par_iter()
                .map(|group| smooth_many(&v.t, group, &params.smoothing, t_x))
                .flatten()
                .collect();
            timed("splines (beside the transitions)", started);
            out
        },
    );
    let counts: Vec<(f64, usize)> = patterns
        .iter()
        .filter(|p| p.real_space.is_some() && p.suspect.is_none())
        .map(|p| (p.kelvin.unwrap_or(p.index as f64), p.lobes.len()))
        .collect();
    let t_x = transitions.kelvin(Transition::Crystallization);
    let warnings = lobe_count_warning(&counts, t_x).into_iter().collect();
    SeriesAnalysis {
        r1_relative: v.r1_relative,
        r6_relative: v.r6_relative,
        curves,
        patterns,
        transitions,
        params,
        marks,
        messages,
        warnings,
    }
}

/// The systematic σ of every pattern's fractions ([`crate::analysis::systematics`]) from the
/// cached stage 1 and fits: per Q grid, the two Q-range variant plans are built once (over the
/// grid's nominal Q range) and shared by its patterns, then dropped. Each pattern's result
/// depends on that pattern alone. On the rayon pool when `parallel`, else one pattern after
/// the other on the calling thread (the GUI's background stage: it then takes one core and
/// leaves the pool to loads and the next analysis). None when stopped.
pub fn systematics_all(
    series: &HeatingSeries,
    stage1: &[Stage1],
    fits: &[ModeFit],
    params: &AnalysisParams,
    parallel: bool,
    stop: Stop<'_>,
    tick: Tick<'_>,
) -> Option<Vec<Systematic>> {
    let n = series.len().min(stage1.len()).min(fits.len());
    let mut out = vec![Systematic::UNKNOWN; n];
    let mut groups: Vec<Vec<usize>> = grid_groups(series)
        .into_iter()
        .map(|g| g.into_iter().filter(|&i| i < n).collect())
        .collect();
    let transformed = groups.len();
    let mut in_group = vec![false; n];
    for &i in groups.iter().flatten() {
        in_group[i] = true;
    }
    // Patterns with no Q grid (real space, 2θ, …): no Q-range variants.
    groups.push((0..n).filter(|&i| !in_group[i]).collect());
    for (k, g) in groups.iter().enumerate() {
        let Some(&first) = g.first() else { continue };
        let nominal = if k < transformed {
            group_nominal(g, stage1)
        } else {
            None
        };
        let plans = q_variant_plans(&series.patterns[first].x, nominal, params);
        let one = |&i: &usize| {
            if stop() {
                return None;
            }
            let s = pattern_systematic(
                &series.patterns[i],
                stage1[i].real_space.as_deref(),
                &fits[i],
                &plans,
                &params.fit,
            );
            tick(1);
            Some((i, s))
        };
        let done: Option<Vec<(usize, Systematic)>> = if parallel {
            g.par_iter().map(one).collect()
        } else {
            g.iter().map(one).collect()
        };
        for (i, s) in done? {
            out[i] = s;
        }
    }
    Some(out)
}

/// A Q grid's nominal Q range (Å⁻¹) and r grid, which its Q-range variants are built from.
pub type Nominal = ((f64, f64), Arc<Vec<f64>>);

/// The nominal Q range and r grid of a group of patterns on one Q grid (indices into
/// `stage1`): its first pattern's that has a transformed G(r).
pub fn group_nominal(group: &[usize], stage1: &[Stage1]) -> Option<Nominal> {
    group.iter().find_map(|&i| {
        let rs = stage1.get(i)?.real_space.as_ref()?;
        Some((rs.q_range?, Arc::clone(&rs.r)))
    })
}

/// The two Q-range variant plans of the systematic σ on Q grid `q`, from the nominal Q range
/// and r grid ([`group_nominal`]); none without a nominal or when a plan cannot be built.
pub fn q_variant_plans(
    q: &[f64],
    nominal: Option<Nominal>,
    params: &AnalysisParams,
) -> Vec<(Arc<TransformPlan>, (f64, f64))> {
    let t = &params.transform;
    match nominal {
        Some((range, r)) => q_range_variants(range)
            .into_iter()
            .filter_map(|(a, b)| {
                let plan = TransformPlan::new(
                    q,
                    Some(a),
                    Some(b),
                    t.modification,
                    t.low_q,
                    r.to_vec(),
                    t.path,
                )
                .ok()?;
                let range = crate::analysis::series::plan_q_range(&plan, q)?;
                Some((plan, range))
            })
            .collect(),
        None => Vec::new(),
    }
}

/// The analysis with each pattern's systematic σ filled in.
pub fn with_systematics(
    mut analysis: SeriesAnalysis,
    systematics: &[Systematic],
) -> SeriesAnalysis {
    for (p, s) in analysis.patterns.iter_mut().zip(systematics) {
        p.systematic = Some(*s);
    }
    analysis
}

/// [`analyze`], then the systematic σ of every pattern (what the CLI writes).
pub fn analyze_with_systematics(
    series: &HeatingSeries,
    params: &AnalysisParams,
    marks: &Marks,
) -> SeriesAnalysis {
    let never = || false;
    let quiet = |_| {};
    let (stage1, messages, fits) =
        stage1_and_fits_all(series, params, &never, &quiet, &|_, _| {}).unwrap_or_default();
    let analysis = combine(series, &stage1, &fits, params, marks, messages);
    let systematics =
        systematics_all(series, &stage1, &fits, params, true, &never, &quiet).unwrap_or_default();
    with_systematics(analysis, &systematics)
}

/// [`analyze_with_systematics`] with each stage's wall time added to `timings`: the transform
/// (G(r), g(r), FSDP, lobes' input) and the fits run as two parallel passes here, so that each
/// can be timed (the untimed path fits each pattern right after its transform); the result is
/// the same.
pub fn analyze_timed(
    series: &HeatingSeries,
    params: &AnalysisParams,
    marks: &Marks,
    timings: &super::timing::Timings,
) -> SeriesAnalysis {
    let never = || false;
    let quiet = |_| {};
    let (stage1, messages) = timings
        .time("transform", || stage1_all(series, params, &never, &quiet))
        .unwrap_or_default();
    let no_fit = |_: usize, _: &ModeFit| {};
    let fits = timings
        .time("fits", || {
            fits_all(&stage1, params, &never, &quiet, &no_fit)
        })
        .unwrap_or_default();
    let patterns: Vec<PatternAnalysis> = timings.time("FSDP, lobes", || {
        series
            .patterns
            .par_iter()
            .zip(&stage1)
            .zip(&fits)
            .map(|((p, s), fit)| pattern_result(p, s, fit, params))
            .collect()
    });
    let analysis = finish_timed(
        series,
        patterns,
        params.clone(),
        *marks,
        messages,
        Some(timings),
    );
    let systematics = timings
        .time("systematic σ (seed moves, Q ranges)", || {
            systematics_all(series, &stage1, &fits, params, true, &never, &quiet)
        })
        .unwrap_or_default();
    with_systematics(analysis, &systematics)
}

/// Analyses a whole series on the pool with a sample's marks (no caching:
/// [`super::Analyzer`] caches and cancels). No systematic σ: [`analyze_with_systematics`].
///
/// Each pattern's transform, fit and per-pattern results run in one parallel pass (its
/// intermediate stages are not kept), so no pass waits for the slowest pattern of another.
pub fn analyze(series: &HeatingSeries, params: &AnalysisParams, marks: &Marks) -> SeriesAnalysis {
    let never = || false;
    if params.fit.sequential {
        let quiet = |_| {};
        let (stage1, messages, fits) =
            stage1_and_fits_all(series, params, &never, &quiet, &|_, _| {}).unwrap_or_default();
        return combine(series, &stage1, &fits, params, marks, messages);
    }
    let r_shared = shared_r(params);
    let reference = series.patterns.get(params.transform.reference);
    let (patterns, messages) = per_pattern(series, params, &never, &|_, p, plan| {
        let s = real_space_stage(p, reference, plan, &r_shared, params);
        let f = fit_one(s.real_space.as_deref(), params, None);
        pattern_result(p, &s, &f, params)
    })
    .unwrap_or_default();
    finish(series, patterns, params.clone(), *marks, messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoConfig, SAMPLES, demo_series};

    /// `analyze` runs the transform, fit and per-pattern results in one pass; the cached stages
    /// of the window and the timed path run them as separate passes. Every value agrees, to
    /// the bit (Debug prints each f64 so that it reads back exactly).
    #[test]
    fn the_one_pass_analysis_is_the_staged_one_bit_for_bit() {
        let series = demo_series(
            &SAMPLES[2],
            &DemoConfig {
                t_end: 600.0,
                ..Default::default()
            },
        );
        let params = AnalysisParams::default();
        let marks = Marks::default();
        let one_pass = analyze(&series, &params, &marks);
        let (stage1, messages, fits) =
            stage1_and_fits_all(&series, &params, &|| false, &|_| {}, &|_, _| {}).expect("runs");
        let staged = combine(&series, &stage1, &fits, &params, &marks, messages);
        let same =
            |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}") == format!("{b:?}");
        assert!(same(&one_pass, &staged), "one pass and staged differ");
        // The timed path (stages as separate passes, then the systematic σ) agrees too.
        let mut timed = analyze_timed(&series, &params, &marks, &Default::default());
        assert!(timed.patterns.iter().all(|p| p.systematic.is_some()));
        for p in &mut timed.patterns {
            p.systematic = None;
        }
        assert!(same(&timed, &staged), "timed and staged differ");
        // The comparison covers fitted fractions and smoothed curves, not only NaN.
        assert!(one_pass.patterns.iter().all(|p| p.fit.converged));
        assert!(one_pass.curves.iter().all(|c| c.lambda.is_finite()));
    }
}
