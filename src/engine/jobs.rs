//! Background jobs the UI polls: loading series, and analysing them (a preview refit of the
//! current temperature first, then every sample, streaming each finished fit). A job wakes the
//! UI through the [`RepaintHook`] after storing its result.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::{Analyzer, CancelToken, Cancelled, RepaintHook};
use crate::analysis::params::AnalysisParams;
use crate::analysis::transitions::Marks;
use crate::demo::DemoConfig;
use crate::io::{LoadOptions, SeriesLoad};

#[derive(Default)]
struct Shared {
    done: AtomicUsize,
    total: AtomicUsize,
    result: Mutex<Option<Vec<SeriesLoad>>>,
}

/// A load running in the background.
pub struct LoadJob {
    shared: Arc<Shared>,
    /// What is being loaded, for the status line.
    pub label: String,
}

impl LoadJob {
    /// Loads files and folders (one series per folder, one for loose files).
    pub fn files(paths: Vec<PathBuf>, opts: LoadOptions, repaint: RepaintHook) -> Self {
        let label = match paths.as_slice() {
            [one] => one.display().to_string(),
            many => format!("{} paths", many.len()),
        };
        Self::spawn(label, repaint, move |shared, repaint| {
            let progress = |done: usize, total: usize| {
                shared.done.store(done, Ordering::Relaxed);
                shared.total.store(total, Ordering::Relaxed);
                // Waking the UI for every file of a 2,000-file series is wasteful: every 1 %.
                if total < 100 || done.is_multiple_of((total / 100).max(1)) {
                    repaint();
                }
            };
            super::load::load_inputs_with(&paths, &opts, &progress, &|| false).unwrap_or_default()
        })
    }

    /// Builds the embedded demo series.
    pub fn demo(repaint: RepaintHook) -> Self {
        Self::spawn("embedded demo".into(), repaint, |_, _| {
            super::load::demo_all(&DemoConfig::default())
                .into_iter()
                .map(SeriesLoad::from_series)
                .collect()
        })
    }

    fn spawn(
        label: String,
        repaint: RepaintHook,
        work: impl FnOnce(&Shared, &RepaintHook) -> Vec<SeriesLoad> + Send + 'static,
    ) -> Self {
        let shared = Arc::new(Shared::default());
        let worker = Arc::clone(&shared);
        std::thread::spawn(move || {
            let result = work(&worker, &repaint);
            if let Ok(mut slot) = worker.result.lock() {
                *slot = Some(result);
            }
            // Store, drop the lock, then wake the UI.
            repaint();
        });
        LoadJob { shared, label }
    }

    /// (files read, files to read); the total is 0 until listing is done.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.shared.done.load(Ordering::Relaxed),
            self.shared.total.load(Ordering::Relaxed),
        )
    }

    /// The result, once, when the job has finished.
    pub fn take(&self) -> Option<Vec<SeriesLoad>> {
        self.shared.result.lock().ok().and_then(|mut r| r.take())
    }
}

/// The fit at one temperature, refitted first when a parameter changes so the fit panel can
/// follow a dragged seed before the whole series is refitted.
#[derive(Debug, Clone)]
pub struct Preview {
    pub sample: usize,
    pub index: usize,
    pub params: AnalysisParams,
    pub fit: crate::analysis::fit::ModeFit,
}

/// A sample's analyzer, kept between jobs so its cached stages are reused.
pub type SharedAnalyzer = Arc<Mutex<Analyzer>>;

/// Analyses of several series running in the background (one after the other, each parallel
/// inside), cancellable through a shared token. Each series' [`Analyzer`] is kept by the caller
/// and reused, so a parameter change recomputes only the stages that depend on it.
pub struct AnalysisJob {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    result: Arc<Mutex<Option<Vec<crate::analysis::series::SeriesAnalysis>>>>,
    preview: Arc<Mutex<Option<Preview>>>,
    /// Fits finished so far and not yet taken: (sample, pattern index, fit).
    finished: Arc<Mutex<Vec<(usize, usize, crate::analysis::fit::ModeFit)>>>,
}

impl AnalysisJob {
    /// Starts analysing, series i with `params[i]` (shared parameters, the sample's marks); a
    /// newer `cancel.renew()` stops it between temperatures.
    /// With `preview_at = Some((sample, index))`, that one temperature is refitted first (from
    /// the cached g(r), when there is one) and offered through [`AnalysisJob::take_preview`].
    pub fn spawn(
        analyzers: Vec<SharedAnalyzer>,
        params: Vec<(AnalysisParams, Marks)>,
        cancel: CancelToken,
        repaint: RepaintHook,
        preview_at: Option<(usize, usize)>,
    ) -> Self {
        let generation = cancel.renew();
        let done = Arc::new(AtomicUsize::new(0));
        let lengths: Vec<usize> = analyzers
            .iter()
            .map(|a| a.lock().map_or(0, |a| a.series().len()))
            .collect();
        let total = Arc::new(AtomicUsize::new(lengths.iter().map(|n| 2 * n).sum()));
        let result = Arc::new(Mutex::new(None));
        let preview = Arc::new(Mutex::new(None));
        let finished = Arc::new(Mutex::new(Vec::new()));
        let (d, r, pv) = (Arc::clone(&done), Arc::clone(&result), Arc::clone(&preview));
        let fin = Arc::clone(&finished);
        std::thread::spawn(move || {
            if let Some((sample, index)) = preview_at
                && let Some(Ok(analyzer)) = analyzers.get(sample).map(|a| a.lock())
                && let Some(p) = params.get(sample)
                && let Some(fit) = analyzer.refit_one(index, &p.0)
            {
                drop(analyzer);
                if cancel.is_stale(generation) {
                    return;
                }
                if let Ok(mut slot) = pv.lock() {
                    *slot = Some(Preview {
                        sample,
                        index,
                        params: p.0.clone(),
                        fit,
                    });
                }
                repaint();
            }
            let mut out = Vec::with_capacity(analyzers.len());
            let mut offset = 0;
            for (sample, ((analyzer, n), params)) in
                analyzers.iter().zip(lengths).zip(&params).enumerate()
            {
                if cancel.is_stale(generation) {
                    return;
                }
                let Ok(mut analyzer) = analyzer.lock() else {
                    return;
                };
                let progress = |k: usize, _: usize| {
                    d.store(offset + k, Ordering::Relaxed);
                };
                let sink = Arc::clone(&fin);
                analyzer.set_listener(Some(Arc::new(move |i, f| {
                    if let Ok(mut v) = sink.lock() {
                        v.push((sample, i, f.clone()));
                    }
                })));
                let outcome = analyzer.run(&params.0, &params.1, &cancel, generation, &progress);
                analyzer.set_listener(None);
                match outcome {
                    Ok(a) => out.push(a),
                    Err(Cancelled) => return,
                }
                offset += 2 * n;
                repaint();
            }
            if let Ok(mut slot) = r.lock() {
                *slot = Some(out);
            }
            repaint();
        });
        AnalysisJob {
            done,
            total,
            result,
            preview,
            finished,
        }
    }

    /// The fits finished since the last call: (sample, pattern index, fit).
    pub fn take_finished(&self) -> Vec<(usize, usize, crate::analysis::fit::ModeFit)> {
        self.finished
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    /// (temperatures × stages done, total).
    pub fn progress(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// The analyses, once, when finished.
    pub fn take(&self) -> Option<Vec<crate::analysis::series::SeriesAnalysis>> {
        self.result.lock().ok().and_then(|mut r| r.take())
    }

    /// The preview refit, once, when ready.
    pub fn take_preview(&self) -> Option<Preview> {
        self.preview.lock().ok().and_then(|mut r| r.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn wait(job: &LoadJob) -> Vec<SeriesLoad> {
        for _ in 0..6000 {
            if let Some(r) = job.take() {
                return r;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("job did not finish");
    }

    #[test]
    fn demo_job_delivers_three_samples_and_wakes_the_ui() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = Arc::clone(&wakes);
        let job = LoadJob::demo(Arc::new(move || {
            w.fetch_add(1, Ordering::Relaxed);
        }));
        let loads = wait(&job);
        let names: Vec<&str> = loads.iter().map(|l| l.series.sample.as_str()).collect();
        assert_eq!(names, vec!["AC", "CR", "HPT"]);
        assert!(wakes.load(Ordering::Relaxed) >= 1);
        assert!(job.take().is_none(), "the result is handed over once");
    }

    #[test]
    fn file_job_reports_progress_and_failures() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
        let job = LoadJob::files(vec![dir], LoadOptions::default(), Arc::new(|| {}));
        let loads = wait(&job);
        assert_eq!(job.progress(), (9, 9));
        assert_eq!(loads[0].series.len(), 4);
        assert_eq!(loads[0].failed.len(), 5);
    }
}

#[cfg(test)]
mod job_tests {
    use super::*;
    use crate::demo::{DemoConfig, SAMPLES, demo_series};

    #[test]
    fn fits_are_offered_as_they_finish_and_match_the_final_result() {
        let series = Arc::new(demo_series(
            &SAMPLES[1],
            &DemoConfig {
                t_end: 420.0,
                ..Default::default()
            },
        ));
        let n = series.len();
        let analyzer: SharedAnalyzer = Arc::new(Mutex::new(Analyzer::new(series)));
        let job = AnalysisJob::spawn(
            vec![Arc::clone(&analyzer)],
            vec![(AnalysisParams::default(), Marks::default())],
            CancelToken::default(),
            Arc::new(|| {}),
            Some((0, 3)),
        );
        let mut streamed = Vec::new();
        let result = loop {
            streamed.extend(job.take_finished());
            if let Some(r) = job.take() {
                streamed.extend(job.take_finished());
                break r;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        };
        let a = &result[0];
        assert_eq!(streamed.len(), n, "every temperature's fit is offered once");
        let mut seen = vec![false; n];
        for (sample, index, fit) in &streamed {
            assert_eq!(*sample, 0);
            assert!(!seen[*index]);
            seen[*index] = true;
            assert_eq!(fit, &a.patterns[*index].fit);
        }
        // The preview of pattern 3 was refitted first... from no cached g(r) there is none.
        assert!(job.take_preview().is_none());
        // With the stages cached, a seed move offers a preview equal to the final fit.
        let mut moved = AnalysisParams::default();
        moved.fit.seeds[2] += 0.03;
        let job = AnalysisJob::spawn(
            vec![analyzer],
            vec![(moved, Marks::default())],
            CancelToken::default(),
            Arc::new(|| {}),
            Some((0, 3)),
        );
        let result = loop {
            if let Some(r) = job.take() {
                break r;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        };
        let preview = job.take_preview().expect("preview");
        assert_eq!((preview.sample, preview.index), (0, 3));
        assert_eq!(preview.fit, result[0].patterns[3].fit);
    }
}
