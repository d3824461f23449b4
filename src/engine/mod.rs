//! Background work for the explorer: loading series on a worker thread (files are read in
//! parallel on the rayon pool inside [`crate::io`]), with progress the UI can poll and a repaint
//! hook called when something changes. The engine never names egui: the UI hands it a plain
//! `Arc<dyn Fn() + Send + Sync>` that wakes it.
//!
//! A job is abandoned by dropping its handle: the worker finishes its current file, stores a
//! result nobody reads, and exits. Starting a new load therefore replaces the old one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::demo::{DemoConfig, demo_all};
use crate::io::{self, LoadOptions, SeriesLoad};

/// Wakes the UI (a repaint request) from any thread.
pub type RepaintHook = Arc<dyn Fn() + Send + Sync>;

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
            io::load_inputs_with_progress(&paths, &opts, &progress)
        })
    }

    /// Builds the embedded demo series.
    pub fn demo(repaint: RepaintHook) -> Self {
        Self::spawn("embedded demo".into(), repaint, |_, _| {
            demo_all(&DemoConfig::default())
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

#[cfg(test)]
mod tests {
    use super::*;

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
