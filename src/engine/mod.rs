//! The engine: everything that runs off the UI thread. It owns the rayon pipelines over a
//! series ([`pipeline`]), the per-stage caches ([`Analyzer`]), the long-lived analysis worker
//! that holds them ([`worker`]), the generation counter that cancels stale work
//! ([`CancelToken`]), progress, loading ([`load`]), atomic file writing ([`mod@write`]) and the
//! background jobs the UI polls ([`jobs`]). It never names egui: the UI hands it a plain
//! `Arc<dyn Fn() + Send + Sync>` that wakes it.

pub mod analyzer;
pub mod jobs;
pub mod live;
pub mod load;
pub mod pipeline;
pub mod priority;
pub mod reduce;
pub mod timing;
pub mod whatif;
pub mod worker;
pub mod write;

use std::sync::Arc;
use std::sync::atomic::Ordering;

pub use analyzer::Analyzer;
pub use jobs::{LoadJob, Task};
pub use load::{demo_all, demo_intensity_all, load_inputs, load_inputs_with};
pub use pipeline::{analyze, analyze_timed, analyze_with_systematics};
pub use worker::{AnalysisWorker, Event, Preview};

/// Wakes the UI (a repaint request) from any thread.
pub type RepaintHook = Arc<dyn Fn() + Send + Sync>;

/// Progress of a piece of work: called with (done, total) from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Cancels stale work: every new request bumps the generation; work started under an older
/// generation stops at the next check (between temperatures).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<std::sync::atomic::AtomicU64>);

impl CancelToken {
    /// Starts a new generation (cancelling the previous one) and returns it.
    pub fn renew(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
    /// Whether work of generation `generation` should stop.
    pub fn is_stale(&self, generation: u64) -> bool {
        self.current() != generation
    }
}

/// Work was cancelled because a newer request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;
