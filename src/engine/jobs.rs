//! Background jobs the UI polls, each on its own thread with a channel for its result: loading
//! series ([`LoadJob`]) and any other slow step such as writing files ([`Task`]). A job wakes
//! the UI through the [`RepaintHook`] after sending its result. Dropping a job cancels it: a
//! replaced load stops reading at the next file, and a dropped task's result is discarded.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use super::RepaintHook;
use crate::demo::DemoConfig;
use crate::io::{LoadOptions, SeriesLoad};

/// Progress counters shared with a worker thread.
#[derive(Debug, Default)]
struct Counters {
    done: AtomicUsize,
    total: AtomicUsize,
}

/// A load running in the background. Dropping it stops the reading.
pub struct LoadJob {
    counters: Arc<Counters>,
    cancelled: Arc<AtomicBool>,
    result: mpsc::Receiver<Vec<SeriesLoad>>,
    /// The outcome was handed over (later calls give nothing).
    taken: AtomicBool,
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
        Self::spawn(label, repaint, move |counters, cancelled, repaint| {
            let progress = |done: usize, total: usize| {
                counters.done.store(done, Ordering::Relaxed);
                counters.total.store(total, Ordering::Relaxed);
                // Waking the UI for every file of a 2,000-file series is wasteful: every 1 %.
                if total < 100 || done.is_multiple_of((total / 100).max(1)) {
                    repaint();
                }
            };
            let stop = || cancelled.load(Ordering::Relaxed);
            super::load::load_inputs_with(&paths, &opts, &progress, &stop)
        })
    }

    /// Builds the embedded demo series.
    pub fn demo(repaint: RepaintHook) -> Self {
        Self::spawn("embedded demo".into(), repaint, |_, _, _| {
            Some(
                super::load::demo_all(&DemoConfig::default())
                    .into_iter()
                    .map(SeriesLoad::from_series)
                    .collect(),
            )
        })
    }

    fn spawn(
        label: String,
        repaint: RepaintHook,
        work: impl FnOnce(&Counters, &AtomicBool, &RepaintHook) -> Option<Vec<SeriesLoad>>
        + Send
        + 'static,
    ) -> Self {
        let counters = Arc::new(Counters::default());
        let cancelled = Arc::new(AtomicBool::new(false));
        let (tx, result) = mpsc::channel();
        let (c, stop) = (Arc::clone(&counters), Arc::clone(&cancelled));
        std::thread::spawn(move || {
            // None: cancelled, nobody is waiting.
            if let Some(loads) = work(&c, &stop, &repaint)
                && tx.send(loads).is_ok()
            {
                repaint();
            }
        });
        LoadJob {
            counters,
            cancelled,
            result,
            taken: AtomicBool::new(false),
            label,
        }
    }

    /// (files read, files to read); the total is 0 until listing is done.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.counters.done.load(Ordering::Relaxed),
            self.counters.total.load(Ordering::Relaxed),
        )
    }

    /// The result, once, when the job has finished; `Some(Err(Lost))` when its thread ended
    /// without one (it panicked).
    pub fn take(&self) -> Option<Result<Vec<SeriesLoad>, Lost>> {
        if self.taken.load(Ordering::Relaxed) {
            return None;
        }
        let r = match self.result.try_recv() {
            Ok(r) => Some(Ok(r)),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(Lost)),
        };
        if r.is_some() {
            self.taken.store(true, Ordering::Relaxed);
        }
        r
    }
}

impl Drop for LoadJob {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// A job's thread ended without a result (it panicked): nothing will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the work stopped unexpectedly without a result")]
pub struct Lost;

/// Any slow step (writing an export, saving or reading a session) run on its own thread; the
/// UI polls [`Task::take`] for the outcome.
pub struct Task<T> {
    result: mpsc::Receiver<T>,
    /// What the task does, for the status line.
    pub label: String,
    finished: bool,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` in the background and wakes the UI when it is done.
    pub fn spawn(
        label: impl Into<String>,
        repaint: RepaintHook,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, result) = mpsc::channel();
        std::thread::spawn(move || {
            if tx.send(work()).is_ok() {
                repaint();
            }
        });
        Task {
            result,
            label: label.into(),
            finished: false,
        }
    }

    /// The outcome, once, when the work is done; `Some(Err(Lost))` when its thread ended
    /// without one. Nothing after that.
    pub fn take(&mut self) -> Option<Result<T, Lost>> {
        if self.finished {
            return None;
        }
        let r = match self.result.try_recv() {
            Ok(t) => Some(Ok(t)),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(Lost)),
        };
        self.finished |= r.is_some();
        r
    }

    /// Waits up to `limit` for the outcome (used when the app closes).
    pub fn wait(&mut self, limit: std::time::Duration) -> Option<Result<T, Lost>> {
        if self.finished {
            return None;
        }
        let r = match self.result.recv_timeout(limit) {
            Ok(t) => Some(Ok(t)),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err(Lost)),
        };
        self.finished |= r.is_some();
        r
    }

    /// Whether the outcome has been taken.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(job: &LoadJob) -> Vec<SeriesLoad> {
        for _ in 0..6000 {
            if let Some(r) = job.take() {
                return r.expect("a result");
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

    #[test]
    fn a_replaced_load_stops_reading() {
        // 600 files, each woken on: the hook is slow, so reading all would take seconds.
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..600 {
            let text: String = (0..50)
                .map(|k| format!("{} {}\n", 0.5 + k as f64, i))
                .collect();
            std::fs::write(dir.path().join(format!("p_{i:04}.xy")), text).expect("write");
        }
        let reads = Arc::new(AtomicUsize::new(0));
        let r = Arc::clone(&reads);
        let job = LoadJob::files(
            vec![dir.path().to_path_buf()],
            LoadOptions::default(),
            Arc::new(move || {
                r.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }),
        );
        while job.progress().0 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let counters = Arc::clone(&job.counters);
        drop(job);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let stopped_at = counters.done.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(
            counters.done.load(Ordering::Relaxed),
            stopped_at,
            "no file is read after the stop"
        );
        assert!(stopped_at < 600, "stopped after {stopped_at} of 600 files");
    }

    #[test]
    fn a_task_hands_over_its_outcome_once() {
        let mut task = Task::spawn("sum", Arc::new(|| {}), || (1..=10).sum::<i32>());
        assert_eq!(task.wait(std::time::Duration::from_secs(10)), Some(Ok(55)));
        assert!(task.is_finished());
        assert_eq!(task.take(), None, "handed over once");
    }

    #[test]
    fn a_task_that_panics_is_reported_lost_not_pending_forever() {
        let mut task: Task<i32> = Task::spawn("boom", Arc::new(|| {}), || {
            panic!("a bug in a background task");
        });
        assert_eq!(
            task.wait(std::time::Duration::from_secs(10)),
            Some(Err(Lost))
        );
    }
}
