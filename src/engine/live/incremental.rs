//! The analysis of a growing series, one new pattern at a time, with the same bits as the
//! batch path ([`crate::engine::pipeline`]).
//!
//! Each pattern's stage 1 (FSDP, G(r), g(r)), fit and systematic σ depend on that pattern, the
//! parameters, the plan of its Q grid (built from the first pattern on that grid) and — for
//! ΔS alone — the reference pattern. [`IncrementalCache`] keeps them per file (and wide-table
//! column) with what they were computed from; a pattern whose inputs are unchanged is not
//! computed again. A new reference (a pattern landed before the old one) recomputes only each
//! pattern's ΔS RMS; a new first pattern of a Q grid whose grid differs in any bit recomputes
//! that grid's patterns; with sequential fits, every fit after a changed one is redone (each
//! starts from the previous result). The series-level part (spikes, versus T, splines,
//! transitions) is recomputed whole each time, beside the new patterns' systematic σ. Other
//! parameters than the last call's empty the cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::fit::ModeFit;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::{
    PatternAnalysis, SeriesAnalysis, Stage1, delta_s_rms, fit_one, grid_groups, pattern_result,
    plan_for, plan_messages, real_space_stage, same_bits, shared_r,
};
use crate::analysis::systematics::{Systematic, pattern_systematic};
use crate::analysis::transform::{TransformError, TransformPlan, sq_view};
use crate::analysis::transitions::Marks;
use crate::engine::pipeline::{finish, group_nominal, q_variant_plans, with_systematics};
use crate::model::{HeatingSeries, Pattern};

/// Which pattern a cache entry belongs to: its file and, for a wide table, its column.
type Key = (PathBuf, Option<String>);

type Plan = Result<Arc<TransformPlan>, TransformError>;
type Variants = Vec<(Arc<TransformPlan>, (f64, f64))>;
/// What a pattern's Q-range variants were built from: the grid's first Q grid and the
/// nominal Q range.
type VariantKey = Arc<(Vec<f64>, (f64, f64))>;

/// Whether two variant keys are the same: the same kept key, or equal values.
fn same_key(a: Option<&VariantKey>, b: Option<&VariantKey>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
        _ => false,
    }
}

/// Whether two patterns give the same stage 1, fit and systematic σ: everything read from
/// the file, not the position or temperature the series gives it.
fn same_input(a: &Pattern, b: &Pattern) -> bool {
    a.quantity == b.quantity
        && a.x_unit == b.x_unit
        && a.format == b.format
        && a.column == b.column
        && a.metadata == b.metadata
        && same_bits(&a.x, &b.x)
        && same_bits(&a.y, &b.y)
        && match (&a.dy, &b.dy) {
            (None, None) => true,
            (Some(x), Some(y)) => same_bits(x, y),
            _ => false,
        }
}

/// One pattern's cached results and what they were computed from.
#[derive(Debug, Clone)]
struct Entry {
    input: Pattern,
    /// The Q grid whose plan transformed it (None: not transformed).
    plan_grid: Option<Vec<f64>>,
    /// The reference pattern its ΔS was computed against (shared by every entry).
    reference: Option<Arc<Pattern>>,
    stage1: Stage1,
    /// The start the fit was given (sequential fits).
    start: Option<ModeFit>,
    fit: ModeFit,
    /// Its per-pattern result (lobes, messages) before the series-level steps: reused with
    /// the position, temperature and ΔS of the present update.
    result: Option<PatternAnalysis>,
    /// The variant grid and nominal Q range the systematic σ used, and the result.
    systematic: Option<(Option<VariantKey>, Systematic)>,
}

/// Per-pattern results of a live series, kept between updates.
#[derive(Debug, Clone, Default)]
pub struct IncrementalCache {
    entries: HashMap<Key, Entry>,
    plans: Vec<(Vec<f64>, Plan)>,
    variants: Vec<(VariantKey, Variants)>,
    /// The reference pattern of the last update, shared by the entries computed against it.
    reference: Option<Arc<Pattern>>,
    /// The parameters everything here was computed with (others empty the cache).
    params: Option<AnalysisParams>,
    /// Patterns computed (stage 1 or fit) by the last update: what an update cost.
    pub computed_last: usize,
}

/// What an update of one pattern needs to know about its place in the series.
struct Place<'a> {
    plan_grid: Option<&'a [f64]>,
    plan: Option<&'a Plan>,
}

impl IncrementalCache {
    /// Drops everything (new parameters).
    pub fn clear(&mut self) {
        *self = IncrementalCache::default();
    }

    fn plan(&mut self, q: &[f64], params: &AnalysisParams) -> usize {
        if let Some(k) = self.plans.iter().position(|(g, _)| same_bits(g, q)) {
            return k;
        }
        self.plans.push((q.to_vec(), plan_for(q, params)));
        self.plans.len() - 1
    }

    /// The analysis of `series` (with every pattern's systematic σ), equal to
    /// [`crate::engine::analyze_with_systematics`] on it, computing only what changed since
    /// the last call.
    pub fn analyse(
        &mut self,
        series: &HeatingSeries,
        params: &AnalysisParams,
        marks: &Marks,
    ) -> SeriesAnalysis {
        if self.params.as_ref() != Some(params) {
            self.clear();
            self.params = Some(params.clone());
        }
        let n = series.len();
        let groups = grid_groups(series);
        let mut group_of: Vec<Option<usize>> = vec![None; n];
        let mut plan_index = Vec::with_capacity(groups.len());
        for (k, g) in groups.iter().enumerate() {
            for &i in g {
                group_of[i] = Some(k);
            }
            plan_index.push(self.plan(&series.patterns[g[0]].x, params));
        }
        let outcomes: Vec<_> = plan_index
            .iter()
            .map(|&k| {
                self.plans[k]
                    .1
                    .as_ref()
                    .map(|p| (p.path, p.q_points()))
                    .map_err(Clone::clone)
            })
            .collect();
        let messages = plan_messages(series, &groups, &outcomes);
        let keys: Vec<Key> = series
            .patterns
            .iter()
            .map(|p| (p.source.clone(), p.column.clone()))
            .collect();
        let old: Vec<Option<Entry>> = keys.iter().map(|k| self.entries.remove(k)).collect();
        self.entries.clear();
        // The same reference as last time keeps its Arc, so entries compare it by pointer.
        let reference = match (
            series.patterns.get(params.transform.reference),
            &self.reference,
        ) {
            (Some(r), Some(old)) if same_input(r, old) => Some(Arc::clone(old)),
            (Some(r), _) => Some(Arc::new(r.clone())),
            (None, _) => None,
        };
        self.reference = reference.clone();
        let r_shared = shared_r(params);
        let plans = &self.plans;
        let places: Vec<Place<'_>> = group_of
            .iter()
            .map(|g| match g {
                Some(k) => {
                    let (grid, plan) = &plans[plan_index[*k]];
                    Place {
                        plan_grid: Some(grid.as_slice()),
                        plan: Some(plan),
                    }
                }
                None => Place {
                    plan_grid: None,
                    plan: None,
                },
            })
            .collect();
        // Stage 1 (and independent fits) in parallel, reusing what is unchanged.
        let stage: Vec<(Entry, bool)> = series
            .patterns
            .par_iter()
            .zip(old)
            .zip(&places)
            .map(|((p, old), place)| {
                stage_one(p, old, place, reference.as_ref(), &r_shared, params)
            })
            .collect();
        let mut computed = stage.iter().filter(|(_, fresh)| *fresh).count();
        let mut entries: Vec<Entry> = stage.into_iter().map(|(e, _)| e).collect();
        if params.fit.sequential {
            // Every fresh stage 1 is refitted there too.
            computed = refit_sequentially(&mut entries, params);
        }
        let patterns = series
            .patterns
            .par_iter()
            .zip(&mut entries)
            .map(|(p, e)| {
                let r = match &e.result {
                    Some(r) => PatternAnalysis {
                        index: p.index,
                        kelvin: p.kelvin(),
                        delta_s_rms: e.stage1.delta_s_rms,
                        ..r.clone()
                    },
                    None => pattern_result(p, &e.stage1, &e.fit, params),
                };
                e.result = Some(r.clone());
                r
            })
            .collect();
        // The new patterns' systematic σ (one core each) beside the series-level steps.
        let (analysis, systematics) = rayon::join(
            || finish(series, patterns, params.clone(), *marks, messages),
            || self.systematics(series, &groups, &mut entries, params),
        );
        self.computed_last = computed;
        self.entries = keys.into_iter().zip(entries).collect();
        with_systematics(analysis, &systematics)
    }

    /// Each pattern's systematic σ, reusing an entry's when its fit and variant plans are the
    /// same.
    fn systematics(
        &mut self,
        series: &HeatingSeries,
        groups: &[Vec<usize>],
        entries: &mut [Entry],
        params: &AnalysisParams,
    ) -> Vec<Systematic> {
        let n = series.len();
        let mut variant_of: Vec<Option<usize>> = vec![None; n];
        let mut keys: Vec<Option<VariantKey>> = vec![None; n];
        let stage1: Vec<Stage1> = entries.iter().map(|e| e.stage1.clone()).collect();
        for g in groups {
            let Some((range, r)) = group_nominal(g, &stage1) else {
                continue;
            };
            let q = &series.patterns[g[0]].x;
            let k = match self.variants.iter().position(|(key, _)| {
                let (grid, rg) = &**key;
                same_bits(grid, q) && same_bits(&[rg.0, rg.1], &[range.0, range.1])
            }) {
                Some(k) => k,
                None => {
                    let plans = q_variant_plans(q, Some((range, r)), params);
                    self.variants.push((Arc::new((q.clone(), range)), plans));
                    self.variants.len() - 1
                }
            };
            // The kept key itself, so that an entry made with it compares by pointer.
            let key = &self.variants[k].0;
            for &i in g {
                variant_of[i] = Some(k);
                keys[i] = Some(Arc::clone(key));
            }
        }
        let empty: Variants = Vec::new();
        let variants = &self.variants;
        entries
            .par_iter_mut()
            .zip(&series.patterns)
            .zip(variant_of.into_par_iter().zip(keys))
            .map(|((e, p), (k, key))| {
                if let Some((used, s)) = &e.systematic
                    && same_key(used.as_ref(), key.as_ref())
                {
                    return *s;
                }
                let plans = k.map_or(&empty, |k| &variants[k].1);
                let s = pattern_systematic(
                    p,
                    e.stage1.real_space.as_deref(),
                    &e.fit,
                    plans,
                    &params.fit,
                );
                e.systematic = Some((key, s));
                s
            })
            .collect()
    }
}

/// One pattern's stage 1 and (independent) fit, from its old entry when its inputs are the
/// same; true when something was computed.
fn stage_one(
    p: &Pattern,
    old: Option<Entry>,
    place: &Place<'_>,
    reference: Option<&Arc<Pattern>>,
    r_shared: &Arc<Vec<f64>>,
    params: &AnalysisParams,
) -> (Entry, bool) {
    let same_ref = |e: &Entry| match (&e.reference, reference) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || same_input(a, b),
        _ => false,
    };
    let reference_pattern = reference.map(Arc::as_ref);
    if let Some(mut e) = old
        && same_input(&e.input, p)
        && match (e.plan_grid.as_deref(), place.plan_grid) {
            (None, None) => true,
            (Some(a), Some(b)) => same_bits(a, b),
            _ => false,
        }
    {
        if !same_ref(&e) {
            // Only ΔS depends on the reference.
            e.stage1.delta_s_rms = match sq_view(p) {
                Ok(s) => delta_s_rms(p, &s, reference_pattern),
                Err(_) => f64::NAN,
            };
        }
        e.reference = reference.cloned();
        return (e, false);
    }
    let stage1 = real_space_stage(p, reference_pattern, place.plan, r_shared, params);
    // Sequential fits start from the previous pattern's: `refit_sequentially` does them.
    let fit = if params.fit.sequential {
        fit_one(None, params, None)
    } else {
        fit_one(stage1.real_space.as_deref(), params, None)
    };
    (
        Entry {
            input: p.clone(),
            plan_grid: place.plan_grid.map(<[f64]>::to_vec),
            reference: reference.cloned(),
            stage1,
            start: None,
            fit,
            result: None,
            systematic: None,
        },
        true,
    )
}

/// Sequential fits: each from the previous converged result; an entry whose start changed is
/// refitted (and its systematic σ dropped). Returns how many were refitted.
fn refit_sequentially(entries: &mut [Entry], params: &AnalysisParams) -> usize {
    let mut refitted = 0;
    let mut previous: Option<ModeFit> = None;
    for e in entries.iter_mut() {
        let start = previous.filter(|f| f.converged);
        // No systematic σ yet: a fresh stage 1 (or a refit), whose fit is still to do.
        if e.start != start || e.systematic.is_none() {
            e.fit = fit_one(e.stage1.real_space.as_deref(), params, start.as_ref());
            e.start = start;
            e.result = None;
            e.systematic = None;
            refitted += 1;
        }
        previous = Some(e.fit.clone());
    }
    refitted
}
