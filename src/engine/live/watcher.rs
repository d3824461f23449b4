//! A [`LiveFolder`] on its own thread: woken by file-system events (`notify`'s recommended
//! watcher) or, with [`LiveOptions::poll`] or when no watcher can be set up (some network file
//! systems), by a scan every [`LiveOptions::poll_interval`]. Events only wake the scan: the
//! scanner decides when a file is ready. While files are settling it scans every poll
//! interval whatever the events say.
//!
//! The caller holds a [`LiveHandle`]: it receives [`LiveEvent`]s (each update, errors), asks
//! how long the folder has been idle, and stops the thread (also on drop). A repaint hook,
//! when given, is called after each event is sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{LiveFolder, LiveOptions, LiveUpdate};
use crate::analysis::params::AnalysisParams;
use crate::analysis::transitions::Marks;
use crate::engine::RepaintHook;

/// What the watching thread reports.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The series changed.
    Update(LiveUpdate),
    /// The folder could not be listed (named, with the reason); the thread keeps trying.
    Error(String),
}

/// The running follower: poll it for events, stop it when done.
pub struct LiveHandle {
    events: Receiver<LiveEvent>,
    params: Sender<(AnalysisParams, Marks)>,
    stop: Arc<AtomicBool>,
    scans: Arc<AtomicU64>,
    wake: Sender<()>,
    last_activity: Arc<Mutex<Activity>>,
    thread: Option<JoinHandle<()>>,
    /// How the folder is followed, for a status line.
    pub mode: &'static str,
}

impl LiveHandle {
    /// The next event, if one is waiting (never blocks: for a UI frame).
    pub fn try_recv(&self) -> Option<LiveEvent> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting at most `timeout` (for a command line loop).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<LiveEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// How long no file has changed; None (not idle at all) before the first scan, while a
    /// scan or its analysis runs (reading and reducing a folder full of files can take
    /// seconds) and while a file is still settling (being written).
    pub fn idle_for(&self) -> Option<Duration> {
        let a = *self
            .last_activity
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (!a.working && !a.settling).then(|| a.last.elapsed())
    }

    /// Whether the latest scan failed (the folder could not be listed): the state a run ends
    /// in, where a failure that passed does not count.
    pub fn failing(&self) -> bool {
        self.last_activity
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .failing
    }

    /// Analyses with these parameters and marks from now on (everything read so far is
    /// analysed again on the thread, and an update follows). Calls in quick succession (a
    /// dragged seed) are taken together: only the last is applied.
    pub fn set_params(&self, params: AnalysisParams, marks: Marks) {
        if self.params.send((params, marks)).is_ok() {
            let _ = self.wake.send(());
        }
    }

    /// How many times the folder has been scanned (a quiet folder is scanned about once a
    /// second with file-system events, every poll interval without).
    pub fn scans(&self) -> u64 {
        self.scans.load(Ordering::Relaxed)
    }

    /// Whether the thread still runs.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the thread and waits for it (a scan in progress finishes first, and its update
    /// can still be taken with [`LiveHandle::try_recv`]).
    pub fn stop(&mut self) {
        self.halt();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(());
    }
}

/// Dropping the handle tells the thread to stop and does not wait: a window that stops
/// following is not held up by a scan reading a folder full of files (the thread ends after
/// it, its update unsent).
impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Starts following `folder` on a new thread.
pub fn watch(
    folder: LiveFolder,
    options: &LiveOptions,
    repaint: Option<RepaintHook>,
) -> std::io::Result<LiveHandle> {
    let (wake, woken) = channel::<()>();
    let (send, events) = channel::<LiveEvent>();
    let (params, new_params) = channel::<(AnalysisParams, Marks)>();
    let stop = Arc::new(AtomicBool::new(false));
    let scans = Arc::new(AtomicU64::new(0));
    let last_activity = Arc::new(Mutex::new(Activity {
        last: Instant::now(),
        // Not idle before the first scan.
        working: true,
        settling: false,
        failing: false,
    }));
    let (watcher, mode) = if options.poll {
        (None, "polling")
    } else {
        match event_watcher(folder.dir(), wake.clone()) {
            Some(w) => (Some(w), "file-system events"),
            None => (None, "polling (no file-system events here)"),
        }
    };
    let thread = {
        let stop = Arc::clone(&stop);
        let scans = Arc::clone(&scans);
        let last = Arc::clone(&last_activity);
        let interval = options.poll_interval;
        std::thread::Builder::new()
            .name("glassray-live".into())
            .spawn(move || {
                // The watcher lives as long as the loop.
                let _watcher = watcher;
                let events_wake = _watcher.is_some();
                run(
                    folder,
                    Loop {
                        stop,
                        scans,
                        last,
                        interval,
                        events_wake,
                    },
                    &woken,
                    &new_params,
                    &send,
                    repaint,
                );
            })?
    };
    Ok(LiveHandle {
        events,
        params,
        stop,
        scans,
        wake,
        last_activity,
        thread: Some(thread),
        mode,
    })
}

/// When a file last changed, whether a step is running, whether files are still settling
/// and whether the latest scan failed.
#[derive(Debug, Clone, Copy)]
struct Activity {
    last: Instant,
    working: bool,
    settling: bool,
    failing: bool,
}

/// What the loop needs besides the folder.
struct Loop {
    stop: Arc<AtomicBool>,
    scans: Arc<AtomicU64>,
    last: Arc<Mutex<Activity>>,
    interval: Duration,
    /// File-system events wake the loop (else it polls).
    events_wake: bool,
}

fn run(
    mut folder: LiveFolder,
    l: Loop,
    woken: &Receiver<()>,
    new_params: &Receiver<(AnalysisParams, Marks)>,
    send: &Sender<LiveEvent>,
    repaint: Option<RepaintHook>,
) {
    let mut last_error: Option<String> = None;
    let set_working = |working: bool, busy: bool| {
        let mut a = l.last.lock().unwrap_or_else(PoisonError::into_inner);
        a.working = working;
        if busy {
            a.last = Instant::now();
        }
    };
    let set_state = |settling: bool, failing: bool| {
        let mut a = l.last.lock().unwrap_or_else(PoisonError::into_inner);
        a.settling = settling;
        a.failing = failing;
    };
    while !l.stop.load(Ordering::SeqCst) {
        set_working(true, false);
        l.scans.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        // Only the newest parameters count; a scan's changes are analysed with them.
        let reanalysed = new_params
            .try_iter()
            .last()
            .and_then(|(params, marks)| folder.set_params(params, marks));
        if let Some(update) = reanalysed {
            if send.send(LiveEvent::Update(update)).is_err() {
                return;
            }
            if let Some(r) = &repaint {
                r();
            }
        }
        let stepped = folder.step(now);
        set_state(!folder.is_quiet(), stepped.is_err());
        let event = match stepped {
            Ok(Some(update)) => {
                last_error = None;
                Some(LiveEvent::Update(update))
            }
            Ok(None) => {
                // A failure that passed is said again if it comes back.
                last_error = None;
                None
            }
            Err(e) => {
                let message = e.to_string();
                (last_error.as_ref() != Some(&message)).then(|| {
                    last_error = Some(message.clone());
                    LiveEvent::Error(message)
                })
            }
        };
        let busy = event.is_some() || !folder.is_quiet();
        set_working(false, busy);
        if let Some(event) = event {
            if send.send(event).is_err() {
                return; // nobody listens any more
            }
            if let Some(r) = &repaint {
                r();
            }
        }
        // Settling files need scans on a clock; a quiet folder waits for an event.
        let wait = if busy || !l.events_wake {
            l.interval
        } else {
            Duration::from_secs(1)
        };
        match woken.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(l.interval);
            }
        }
        // Many events arrive together: one scan covers them.
        while woken.try_recv().is_ok() {}
    }
}

/// notify's recommended watcher on `dir`, sending a wake for each event; None when it cannot
/// be set up.
fn event_watcher(dir: &std::path::Path, wake: Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher as _;
    let mut w = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Opening a file or listing the folder is an event too (inotify's IN_OPEN): the scan's
        // own listing and reads would wake the loop again at once, and it would spin.
        if let Ok(e) = &event
            && e.kind.is_access()
        {
            return;
        }
        let _ = wake.send(());
    })
    .ok()?;
    w.watch(dir, notify::RecursiveMode::NonRecursive).ok()?;
    Some(w)
}
