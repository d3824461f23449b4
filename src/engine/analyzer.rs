//! A series' analysis with every stage cached per parameter set, so a change recomputes only
//! what depends on it: moving a fit seed refits without transforming again; changing an
//! override recomputes nothing per pattern. Work stops between temperatures once its
//! generation is stale.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::pipeline::{OnFit, combine, fits_all, stage1_all, stage1_and_fits_all, systematics_all};
use super::{CancelToken, Cancelled, Progress};
use crate::analysis::fit::{FitParams, ModeFit};
use crate::analysis::params::{AnalysisParams, TransformParams};
use crate::analysis::series::{SeriesAnalysis, Stage1, fit_real_space};
use crate::analysis::systematics::Systematic;
use crate::analysis::transitions::Marks;
use crate::model::HeatingSeries;

/// What the fits depend on: stage 1's parameters and the fit's.
type FitKey = (TransformParams, FitParams);

/// Caches each stage per parameter set so a change recomputes only what depends on it:
/// moving a fit seed refits without transforming again; changing an override recomputes
/// nothing per pattern.
pub struct Analyzer {
    series: Arc<HeatingSeries>,
    stage1: Option<(TransformParams, Arc<Vec<Stage1>>, Vec<String>)>,
    fits: Option<(FitKey, Arc<Vec<ModeFit>>)>,
    /// The systematic σ stage: after the fits, from the same keys.
    systematics: Option<(FitKey, Arc<Vec<Systematic>>)>,
    /// Patterns whose stage 1 and fit were (re)computed by the last run.
    pub recomputed: (usize, usize),
    /// Patterns whose systematic σ was (re)computed by the last [`Analyzer::systematics`].
    pub recomputed_systematics: usize,
}

impl Analyzer {
    pub fn new(series: Arc<HeatingSeries>) -> Self {
        Analyzer {
            series,
            stage1: None,
            fits: None,
            systematics: None,
            recomputed: (0, 0),
            recomputed_systematics: 0,
        }
    }

    pub fn series(&self) -> &Arc<HeatingSeries> {
        &self.series
    }

    /// Runs (or reuses) every stage. `progress(done, total)` is called per temperature and
    /// stage (a reused stage counts as done); `on_fit(i, fit)` hears of each fit computed;
    /// work of `generation` stops between temperatures once `cancel` moves on.
    pub fn run(
        &mut self,
        params: &AnalysisParams,
        marks: &Marks,
        cancel: &CancelToken,
        generation: u64,
        progress: Progress<'_>,
        on_fit: OnFit<'_>,
    ) -> Result<SeriesAnalysis, Cancelled> {
        let n = self.series.len();
        let done = AtomicUsize::new(0);
        let step = |k: usize| progress(done.fetch_add(k, Ordering::Relaxed) + k, 2 * n);
        let stop = || cancel.is_stale(generation);
        self.recomputed = (0, 0);
        let key1 = params.transform.clone();
        let key2 = (params.transform.clone(), params.fit.clone());
        let cached1 = matches!(&self.stage1, Some((k, _, _)) if *k == key1);
        if !cached1 {
            // Nothing reusable: transform and fit in one pass.
            let (s, m, f) = stage1_and_fits_all(&self.series, params, &stop, &step, &on_fit)
                .ok_or(Cancelled)?;
            let (s, f) = (Arc::new(s), Arc::new(f));
            self.recomputed = (n, n);
            self.stage1 = Some((key1, Arc::clone(&s), m.clone()));
            self.fits = Some((key2, Arc::clone(&f)));
            return Ok(combine(&self.series, &s, &f, params, marks, m));
        }
        let (stage1, messages) = match &self.stage1 {
            Some((k, s, m)) if *k == key1 => {
                step(n);
                (Arc::clone(s), m.clone())
            }
            _ => {
                let (s, m) = stage1_all(&self.series, params, &stop, &step).ok_or(Cancelled)?;
                let s = Arc::new(s);
                self.recomputed.0 = n;
                self.stage1 = Some((key1, Arc::clone(&s), m.clone()));
                self.fits = None;
                (s, m)
            }
        };
        let fits = match &self.fits {
            Some((k, f)) if *k == key2 => {
                step(n);
                Arc::clone(f)
            }
            _ => {
                let f =
                    Arc::new(fits_all(&stage1, params, &stop, &step, &on_fit).ok_or(Cancelled)?);
                self.recomputed.1 = n;
                self.fits = Some((key2, Arc::clone(&f)));
                f
            }
        };
        Ok(combine(
            &self.series,
            &stage1,
            &fits,
            params,
            marks,
            messages,
        ))
    }

    /// The systematic σ of every pattern for `params` (its own stage, run after [`Analyzer::run`]
    /// so the main result is out first): reused when cached, else computed from the cached
    /// g(r) and fits, one pattern after the other on the calling thread (the worker's), so it
    /// takes one core and leaves the rayon pool to loads and the next analysis. `Ok(None)` when [`Analyzer::run`] has not cached stage 1 and the fits for
    /// these parameters; work of `generation` stops between temperatures once `cancel` moves on.
    pub fn systematics(
        &mut self,
        params: &AnalysisParams,
        cancel: &CancelToken,
        generation: u64,
    ) -> Result<Option<Arc<Vec<Systematic>>>, Cancelled> {
        self.recomputed_systematics = 0;
        let key = (params.transform.clone(), params.fit.clone());
        if let Some((k, s)) = &self.systematics
            && *k == key
        {
            return Ok(Some(Arc::clone(s)));
        }
        let (Some((k1, stage1, _)), Some((k2, fits))) = (&self.stage1, &self.fits) else {
            return Ok(None);
        };
        if *k1 != key.0 || *k2 != key {
            return Ok(None);
        }
        let stop = || cancel.is_stale(generation);
        let s = systematics_all(&self.series, stage1, fits, params, false, &stop, &|_| {})
            .ok_or(Cancelled)?;
        let s = Arc::new(s);
        self.recomputed_systematics = s.len();
        self.systematics = Some((key, Arc::clone(&s)));
        Ok(Some(s))
    }

    /// Refits one temperature (a seed moved in the UI) from the cached g(r).
    pub fn refit_one(&self, index: usize, params: &AnalysisParams) -> Option<ModeFit> {
        let (_, stage1, _) = self.stage1.as_ref()?;
        let rs = stage1.get(index)?.real_space.as_deref()?;
        Some(fit_real_space(Some(rs), &params.fit, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::transitions::Transition;
    use crate::demo::{DemoConfig, SAMPLES, demo_series};

    fn small() -> Arc<HeatingSeries> {
        let cfg = DemoConfig {
            t_end: 360.0,
            ..Default::default()
        };
        Arc::new(demo_series(&SAMPLES[0], &cfg))
    }

    #[test]
    fn moving_a_seed_refits_without_transforming_and_matches_a_fresh_run() {
        let series = small();
        let mut analyzer = Analyzer::new(Arc::clone(&series));
        let token = CancelToken::default();
        let g = token.renew();
        let params = AnalysisParams::default();
        let first = analyzer
            .run(
                &params,
                &Marks::default(),
                &token,
                g,
                &|_, _| {},
                &|_, _| {},
            )
            .expect("runs");
        assert_eq!(analyzer.recomputed, (21, 21));

        let mut moved = params.clone();
        moved.fit.seeds[2] += 0.05;
        let second = analyzer
            .run(&moved, &Marks::default(), &token, g, &|_, _| {}, &|_, _| {})
            .expect("runs");
        assert_eq!(analyzer.recomputed, (0, 21), "no transform redone");
        assert_ne!(
            first.patterns[0].fit.centres,
            second.patterns[0].fit.centres
        );
        let fresh = crate::engine::analyze(&series, &moved, &Marks::default());
        assert_eq!(fresh.patterns[3].fit, second.patterns[3].fit);
        assert_eq!(fresh.patterns[3].fsdp, second.patterns[3].fsdp);

        let overridden = Marks::with_overrides([None, Some(650.0), None]);
        let third = analyzer
            .run(&moved, &overridden, &token, g, &|_, _| {}, &|_, _| {})
            .expect("runs");
        assert_eq!(analyzer.recomputed, (0, 0));
        assert_eq!(third.transitions.kelvin(Transition::Glass), Some(650.0));

        let refit = analyzer.refit_one(3, &moved).expect("refit");
        assert_eq!(refit, second.patterns[3].fit);
    }

    #[test]
    fn the_systematic_stage_is_cached_and_follows_the_fit_parameters() {
        let series = small();
        let mut analyzer = Analyzer::new(Arc::clone(&series));
        let token = CancelToken::default();
        let g = token.renew();
        let params = AnalysisParams::default();
        assert_eq!(
            analyzer.systematics(&params, &token, g),
            Ok(None),
            "run first"
        );
        analyzer
            .run(
                &params,
                &Marks::default(),
                &token,
                g,
                &|_, _| {},
                &|_, _| {},
            )
            .expect("runs");
        let first = analyzer
            .systematics(&params, &token, g)
            .expect("not cancelled")
            .expect("cached stages");
        assert_eq!(analyzer.recomputed_systematics, 21);
        let again = analyzer
            .systematics(&params, &token, g)
            .expect("ok")
            .expect("cached");
        assert_eq!(analyzer.recomputed_systematics, 0);
        assert!(Arc::ptr_eq(&first, &again));
        let fresh = crate::engine::analyze_with_systematics(&series, &params, &Marks::default());
        for (s, p) in first.iter().zip(&fresh.patterns) {
            assert_eq!(Some(*s), p.systematic);
            assert!(
                s.fractions.iter().all(|v| v.is_finite() && *v >= 0.0),
                "{s:?}"
            );
        }
        // A moved seed needs its own fits first.
        let mut moved = params.clone();
        moved.fit.seeds[1] += 0.03;
        assert_eq!(analyzer.systematics(&moved, &token, g), Ok(None));
        // Stale work stops.
        analyzer
            .run(&moved, &Marks::default(), &token, g, &|_, _| {}, &|_, _| {})
            .expect("runs");
        token.renew();
        assert_eq!(analyzer.systematics(&moved, &token, g), Err(Cancelled));
    }

    #[test]
    fn stale_work_is_cancelled_and_progress_is_reported() {
        let series = small();
        let mut analyzer = Analyzer::new(series);
        let token = CancelToken::default();
        let old = token.renew();
        token.renew();
        let result = analyzer.run(
            &AnalysisParams::default(),
            &Marks::default(),
            &token,
            old,
            &|_, _| {},
            &|_, _| {},
        );
        assert_eq!(result.err(), Some(Cancelled));
        let seen = AtomicUsize::new(0);
        let current = token.current();
        analyzer
            .run(
                &AnalysisParams::default(),
                &Marks::default(),
                &token,
                current,
                &|done, total| {
                    assert_eq!(total, 42);
                    seen.fetch_max(done, Ordering::Relaxed);
                },
                &|_, _| {},
            )
            .expect("runs");
        assert_eq!(seen.load(Ordering::Relaxed), 42);
    }
}
