//! The analysis worker: one long-lived thread that owns every sample's [`Analyzer`] (so no
//! lock is ever taken on the UI thread), takes requests through a channel and sends back
//! [`Event`]s: the current temperature's preview refit first, each fit as it finishes, each
//! sample's analysis as it is done, then the end of the request (`Finished`). Then the slower
//! systematic-σ stage ([`crate::analysis::systematics`]): each sample's analysis is sent again
//! with [`crate::analysis::series::PatternAnalysis::systematic`] filled in, and `Finished`
//! once more, so the main result is on screen while it runs.
//!
//! Every request gets a generation; a newer request cancels the older one between
//! temperatures (through the [`CancelToken`]), and [`AnalysisWorker::poll`] drops events of
//! stale generations, so the UI never shows a mix. Dropping the worker cancels what it is
//! doing and ends its thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use super::pipeline::with_systematics;
use super::{Analyzer, CancelToken, RepaintHook};
use crate::analysis::fit::ModeFit;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transitions::Marks;
use crate::model::HeatingSeries;

/// The fit at one temperature, refitted before the whole series so a dragged seed shows at
/// once.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub sample: usize,
    pub index: usize,
    pub params: AnalysisParams,
    pub fit: ModeFit,
}

/// What the worker reports, tagged with the generation of the request it answers.
#[derive(Debug, Clone)]
pub enum Event {
    Preview(Box<Preview>),
    /// One temperature's fit, as soon as it is done.
    Fit {
        sample: usize,
        index: usize,
        fit: Box<ModeFit>,
    },
    /// A sample's whole analysis.
    Analysed {
        sample: usize,
        analysis: Arc<SeriesAnalysis>,
    },
    /// Every sample of the request is analysed.
    Finished,
    /// The worker's thread is gone (it panicked): no more results will come.
    Lost,
}

/// One sample's parameters and marks for a request.
pub type SampleRequest = (AnalysisParams, Marks);

/// What the worker's thread is asked: analyse, or change the series it holds.
enum Message {
    Analyse(Request),
    /// Put `series` in place of sample i (or after the last when i is the count), its caches
    /// started afresh.
    Replace(usize, Arc<HeatingSeries>),
    /// Drop sample i (the later ones move up by one).
    Remove(usize),
}

struct Request {
    generation: u64,
    samples: Vec<SampleRequest>,
    preview_at: Option<(usize, usize)>,
}

/// Progress of the request in flight: temperature-stages done and to do.
#[derive(Debug, Default)]
struct Counters {
    done: AtomicUsize,
    total: AtomicUsize,
}

/// The handle the UI keeps: send requests, poll events.
pub struct AnalysisWorker {
    requests: Option<mpsc::Sender<Message>>,
    events: mpsc::Receiver<(u64, Event)>,
    cancel: CancelToken,
    counters: Arc<Counters>,
    /// Generation of the newest request, and whether it has finished.
    latest: u64,
    finished: bool,
}

impl AnalysisWorker {
    /// Starts the worker thread for these series (one [`Analyzer`] each, kept between
    /// requests so a change recomputes only the stages that depend on it).
    pub fn start(series: Vec<Arc<HeatingSeries>>, repaint: RepaintHook) -> Self {
        let (requests, inbox) = mpsc::channel::<Message>();
        let (outbox, events) = mpsc::channel();
        let cancel = CancelToken::default();
        let counters = Arc::new(Counters::default());
        let (token, c) = (cancel.clone(), Arc::clone(&counters));
        std::thread::spawn(move || {
            // Its systematic stage runs here, beside the window: a background thread.
            super::priority::lower_this_thread();
            let mut analyzers: Vec<Analyzer> = series.into_iter().map(Analyzer::new).collect();
            let send = |generation: u64, e: Event| {
                let ok = outbox.send((generation, e)).is_ok();
                repaint();
                ok
            };
            while let Ok(message) = inbox.recv() {
                match message {
                    Message::Analyse(request) => {
                        if !token.is_stale(request.generation) {
                            serve(&mut analyzers, &request, &token, &c, &send);
                        }
                    }
                    Message::Replace(i, series) => {
                        if let Some(slot) = analyzers.get_mut(i) {
                            *slot = Analyzer::new(series);
                        } else if i == analyzers.len() {
                            analyzers.push(Analyzer::new(series));
                        }
                    }
                    Message::Remove(i) => {
                        if i < analyzers.len() {
                            analyzers.remove(i);
                        }
                    }
                }
            }
        });
        AnalysisWorker {
            requests: Some(requests),
            events,
            cancel,
            counters,
            latest: 0,
            finished: true,
        }
    }

    /// Analyses sample i with `samples[i]`, cancelling the request in flight; with
    /// `preview_at = Some((sample, index))` that temperature is refitted first. Returns the
    /// request's generation.
    pub fn analyse(
        &mut self,
        samples: Vec<SampleRequest>,
        preview_at: Option<(usize, usize)>,
    ) -> u64 {
        let generation = self.cancel.renew();
        self.latest = generation;
        self.finished = false;
        self.counters.done.store(0, Ordering::Relaxed);
        self.counters.total.store(0, Ordering::Relaxed);
        let sent = self.requests.as_ref().is_some_and(|tx| {
            tx.send(Message::Analyse(Request {
                generation,
                samples,
                preview_at,
            }))
            .is_ok()
        });
        // A worker whose thread is gone cannot answer: nothing is in flight.
        self.finished = !sent;
        generation
    }

    /// Puts `series` in place of sample `i` (appends it when `i` is the number of samples),
    /// cancelling the request in flight; the next [`AnalysisWorker::analyse`] analyses it from
    /// scratch. An `i` beyond that is ignored.
    pub fn replace(&mut self, i: usize, series: Arc<HeatingSeries>) {
        // Events of the request in flight no longer match the samples: none is shown.
        self.latest = self.cancel.renew();
        self.finished = true;
        if let Some(tx) = &self.requests {
            let _ = tx.send(Message::Replace(i, series));
        }
    }

    /// Drops sample `i` (later samples move up), cancelling the request in flight.
    pub fn remove(&mut self, i: usize) {
        // Events of the request in flight no longer match the samples: none is shown.
        self.latest = self.cancel.renew();
        self.finished = true;
        if let Some(tx) = &self.requests {
            let _ = tx.send(Message::Remove(i));
        }
    }

    /// Every event of the newest request received since the last call (older ones dropped);
    /// [`Event::Lost`] once if the worker's thread is gone while a request was in flight.
    pub fn poll(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok((generation, event)) => {
                    if generation != self.latest {
                        continue;
                    }
                    if matches!(event, Event::Finished) {
                        self.finished = true;
                    }
                    out.push(event);
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    if !self.finished {
                        self.finished = true;
                        out.push(Event::Lost);
                    }
                    break;
                }
            }
        }
        out
    }

    /// Whether the newest request is still being worked on.
    pub fn is_busy(&self) -> bool {
        !self.finished
    }

    /// (temperature-stages done, to do) of the newest request.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.counters.done.load(Ordering::Relaxed),
            self.counters.total.load(Ordering::Relaxed),
        )
    }
}

impl Drop for AnalysisWorker {
    fn drop(&mut self) {
        // Stop the work in flight; closing the channel ends the thread.
        self.cancel.renew();
        self.requests = None;
    }
}

/// Answers one request: the preview, then each sample in turn (streaming fits), then
/// `Finished`. Stops silently once the request is stale.
fn serve(
    analyzers: &mut [Analyzer],
    request: &Request,
    cancel: &CancelToken,
    counters: &Counters,
    send: &(dyn Fn(u64, Event) -> bool + Sync),
) {
    let generation = request.generation;
    counters.done.store(0, Ordering::Relaxed);
    let lengths: Vec<usize> = analyzers.iter().map(|a| a.series().len()).collect();
    counters.total.store(
        lengths
            .iter()
            .take(request.samples.len())
            .map(|n| 2 * n)
            .sum(),
        Ordering::Relaxed,
    );
    if let Some((sample, index)) = request.preview_at
        && let (Some(analyzer), Some((params, _))) =
            (analyzers.get(sample), request.samples.get(sample))
        && let Some(fit) = analyzer.refit_one(index, params)
    {
        if cancel.is_stale(generation) {
            return;
        }
        send(
            generation,
            Event::Preview(Box::new(Preview {
                sample,
                index,
                params: params.clone(),
                fit,
            })),
        );
    }
    let mut offset = 0;
    let mut analysed: Vec<Option<Arc<SeriesAnalysis>>> = vec![None; request.samples.len()];
    for (sample, (analyzer, (params, marks))) in
        analyzers.iter_mut().zip(&request.samples).enumerate()
    {
        if cancel.is_stale(generation) {
            return;
        }
        let progress = |k: usize, _: usize| counters.done.store(offset + k, Ordering::Relaxed);
        let on_fit = |index: usize, fit: &ModeFit| {
            send(
                generation,
                Event::Fit {
                    sample,
                    index,
                    fit: Box::new(fit.clone()),
                },
            );
        };
        let Ok(analysis) = analyzer.run(params, marks, cancel, generation, &progress, &on_fit)
        else {
            return;
        };
        offset += 2 * analyzer.series().len();
        let analysis = Arc::new(analysis);
        if let Some(slot) = analysed.get_mut(sample) {
            *slot = Some(Arc::clone(&analysis));
        }
        send(generation, Event::Analysed { sample, analysis });
    }
    send(generation, Event::Finished);
    // The systematic σ is its own, slower stage: every sample's main result is out first, then
    // each sample is sent again with it, and the request finishes a second time.
    for (sample, (analyzer, analysis)) in analyzers.iter_mut().zip(analysed).enumerate() {
        let (Some(analysis), Some((params, _))) = (analysis, request.samples.get(sample)) else {
            continue;
        };
        let Ok(systematics) = analyzer.systematics(params, cancel, generation) else {
            return;
        };
        let Some(systematics) = systematics else {
            continue;
        };
        let analysis = Arc::new(with_systematics((*analysis).clone(), &systematics));
        send(generation, Event::Analysed { sample, analysis });
    }
    if !cancel.is_stale(generation) {
        send(generation, Event::Finished);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoConfig, SAMPLES, demo_series};

    fn until_finished(worker: &mut AnalysisWorker) -> Vec<Event> {
        let mut all = Vec::new();
        for _ in 0..20_000 {
            all.extend(worker.poll());
            if !worker.is_busy() {
                return all;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("the worker did not finish");
    }

    fn series() -> Arc<HeatingSeries> {
        Arc::new(demo_series(
            &SAMPLES[1],
            &DemoConfig {
                t_end: 420.0,
                ..Default::default()
            },
        ))
    }

    #[test]
    fn fits_are_offered_as_they_finish_and_match_the_final_result() {
        let series = series();
        let n = series.len();
        let mut worker = AnalysisWorker::start(vec![series], Arc::new(|| {}));
        let plain = (AnalysisParams::default(), Marks::default());
        worker.analyse(vec![plain.clone()], Some((0, 3)));
        let events = until_finished(&mut worker);
        let analysis = events
            .iter()
            .find_map(|e| match e {
                Event::Analysed {
                    sample: 0,
                    analysis,
                } => Some(Arc::clone(analysis)),
                _ => None,
            })
            .expect("analysed");
        let mut seen = vec![false; n];
        for e in &events {
            if let Event::Fit { sample, index, fit } = e {
                assert_eq!(*sample, 0);
                assert!(!seen[*index], "every temperature's fit is offered once");
                seen[*index] = true;
                assert_eq!(**fit, analysis.patterns[*index].fit);
            }
        }
        assert!(seen.iter().all(|&s| s));
        // Nothing was cached yet, so there was no g(r) to preview from.
        assert!(!events.iter().any(|e| matches!(e, Event::Preview(_))));
        assert!(matches!(events.last(), Some(Event::Finished)));

        // With the stages cached, a seed move offers a preview equal to the final fit.
        let mut moved = AnalysisParams::default();
        moved.fit.seeds[2] += 0.03;
        worker.analyse(vec![(moved, Marks::default())], Some((0, 3)));
        let events = until_finished(&mut worker);
        let preview = events
            .iter()
            .find_map(|e| match e {
                Event::Preview(p) if p.index == 3 => Some(p.fit.clone()),
                _ => None,
            })
            .expect("preview");
        let analysis = events
            .iter()
            .find_map(|e| match e {
                Event::Analysed { analysis, .. } => Some(Arc::clone(analysis)),
                _ => None,
            })
            .expect("analysed");
        assert_eq!(preview, analysis.patterns[3].fit);
    }

    #[test]
    fn the_systematic_sigma_follows_the_main_result_as_its_own_stage() {
        let series = Arc::new(demo_series(
            &SAMPLES[0],
            &DemoConfig {
                t_end: 318.0,
                ..Default::default()
            },
        ));
        let mut worker = AnalysisWorker::start(vec![Arc::clone(&series)], Arc::new(|| {}));
        let params = AnalysisParams::default();
        worker.analyse(vec![(params.clone(), Marks::default())], None);
        // The main result finishes first; the systematic σ comes after it, finishing again.
        let mut events = until_finished(&mut worker);
        let main: Vec<Arc<SeriesAnalysis>> = events
            .iter()
            .filter_map(|e| match e {
                Event::Analysed { analysis, .. } => Some(Arc::clone(analysis)),
                _ => None,
            })
            .collect();
        assert_eq!(main.len(), 1);
        assert!(main[0].patterns.iter().all(|p| p.systematic.is_none()));
        for _ in 0..20_000 {
            events.extend(worker.poll());
            if events
                .iter()
                .filter(|e| matches!(e, Event::Finished))
                .count()
                == 2
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let last = events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::Analysed { analysis, .. } => Some(Arc::clone(analysis)),
                _ => None,
            })
            .expect("analysed again");
        assert!(matches!(events.last(), Some(Event::Finished)));
        let fresh = crate::engine::analyze_with_systematics(&series, &params, &Marks::default());
        assert_eq!(*last, fresh, "the same as the headless analysis");
        assert!(last.patterns.iter().all(|p| p.systematic.is_some()));
        for (a, b) in last.patterns.iter().zip(&main[0].patterns) {
            assert_eq!(a.fit, b.fit, "the main result is unchanged");
        }
    }

    #[test]
    fn a_newer_request_replaces_the_older_one_and_its_events_never_show() {
        let series = series();
        let n = series.len();
        let mut worker = AnalysisWorker::start(vec![series], Arc::new(|| {}));
        let first = worker.analyse(vec![(AnalysisParams::default(), Marks::default())], None);
        let mut moved = AnalysisParams::default();
        moved.fit.seeds[1] += 0.05;
        let second = worker.analyse(vec![(moved.clone(), Marks::default())], None);
        assert!(second > first);
        let events = until_finished(&mut worker);
        let analyses: Vec<Arc<SeriesAnalysis>> = events
            .iter()
            .filter_map(|e| match e {
                Event::Analysed { analysis, .. } => Some(Arc::clone(analysis)),
                _ => None,
            })
            .collect();
        assert_eq!(analyses.len(), 1, "only the newest request answers");
        assert_eq!(analyses[0].params, moved);
        let (done, total) = worker.progress();
        assert_eq!((done, total), (2 * n, 2 * n), "progress ends at the whole");
    }

    #[test]
    fn a_replaced_or_removed_sample_is_analysed_anew() {
        let short = |t_end: f64, k: usize| {
            Arc::new(demo_series(
                &SAMPLES[k],
                &DemoConfig {
                    t_end,
                    ..Default::default()
                },
            ))
        };
        let mut worker = AnalysisWorker::start(vec![short(309.0, 0)], Arc::new(|| {}));
        let plain = (AnalysisParams::default(), Marks::default());
        worker.analyse(vec![plain.clone()], None);
        until_finished(&mut worker);
        // Appended as a second sample, then put in place of the first.
        worker.replace(1, short(315.0, 2));
        worker.replace(0, short(303.0, 1));
        worker.analyse(vec![plain.clone(), plain.clone()], None);
        // The main results, up to the first Finished (the systematic σ stage sends each
        // sample again after it, and one poll may already hold some of those).
        let lengths = |events: &[Event]| -> Vec<(usize, usize)> {
            events
                .iter()
                .take_while(|e| !matches!(e, Event::Finished))
                .filter_map(|e| match e {
                    Event::Analysed { sample, analysis } => {
                        Some((*sample, analysis.patterns.len()))
                    }
                    _ => None,
                })
                .collect()
        };
        let events = until_finished(&mut worker);
        assert_eq!(lengths(&events), vec![(0, 2), (1, 6)]);
        worker.remove(0);
        worker.remove(7);
        worker.analyse(vec![plain], None);
        let events = until_finished(&mut worker);
        assert_eq!(lengths(&events), vec![(0, 6)]);
    }
}
