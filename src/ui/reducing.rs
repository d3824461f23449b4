//! The app's side of reducing raw samples: a form change is kept at once (the form shows it)
//! and, once the form has rested for [`DEBOUNCE_S`], a copy of the raw load is reduced in the
//! background ([`crate::engine::reduce::reduce_series`], the background file read there too);
//! one reduction per sample runs at a time, and the newest choice follows when it ends. The
//! reduced series takes the raw one's place in the sample (and in the analysis worker), and
//! the analysis runs again.

use std::sync::Arc;

use super::GlassrayApp;
use super::reduction::{DEBOUNCE_S, ReducedRun, ReductionChoice};
use super::state::Outcome;
use crate::engine::reduce::{read_background, reduce_series};
use crate::io::{ReadOptions, SeriesLoad};

/// A reduction that finished in the background.
pub struct ReductionDone {
    /// The raw sample it belongs to.
    pub(super) id: u64,
    pub(super) choice: ReductionChoice,
    /// The reduced load and what the reduction did, or why there is none.
    pub(super) result: Result<(SeriesLoad, ReducedRun), String>,
}

impl GlassrayApp {
    /// Keeps the form's new values for sample `i`; they are reduced once the form rests.
    pub(super) fn set_reduction(&mut self, i: usize, choice: ReductionChoice) {
        let now = self.view.now;
        if let Some(raw) = self
            .workspace
            .samples
            .get_mut(i)
            .and_then(|s| s.raw.as_mut())
        {
            raw.choice = choice;
            raw.changed_at = now;
        }
    }

    /// Starts the reductions whose form has rested (called every frame); the time left until
    /// one is due, if any, so the window wakes then.
    pub(super) fn start_reductions(&mut self) -> Option<f64> {
        let now = self.view.now;
        let mut wake: Option<f64> = None;
        let mut jobs = Vec::new();
        for s in &mut self.workspace.samples {
            let Some(raw) = s.raw.as_mut() else {
                continue;
            };
            if raw.running || raw.asked.as_ref() == Some(&raw.choice) {
                continue;
            }
            let left = raw.changed_at + DEBOUNCE_S - now;
            if left > 0.0 {
                wake = Some(wake.map_or(left, |w: f64| w.min(left)));
                continue;
            }
            raw.asked = Some(raw.choice.clone());
            match raw.choice.settings() {
                Err(e) => raw.error = Some(e),
                Ok(None) => raw.error = None,
                Ok(Some(settings)) => {
                    raw.error = None;
                    raw.running = true;
                    let origin = s.origin.clone();
                    jobs.push((
                        raw.id,
                        raw.choice.clone(),
                        Arc::clone(&raw.raw),
                        settings,
                        origin,
                    ));
                }
            }
        }
        for (id, choice, raw, settings, origin) in jobs {
            self.view.status = format!("reducing {} I(Q) pattern(s)…", raw.len());
            self.jobs.spawn("reducing I(Q) to S(Q)", move || {
                let path = choice.background_path();
                let result = (|| {
                    let background = match &path {
                        Some(p) => Some(Arc::new(
                            read_background(p, &ReadOptions::default())
                                .map_err(|e| e.to_string())?,
                        )),
                        None => None,
                    };
                    let mut load = SeriesLoad {
                        origin,
                        ..SeriesLoad::from_series((*raw).clone())
                    };
                    let summary = reduce_series(&mut load, background.as_deref(), &settings);
                    Ok((
                        load,
                        ReducedRun {
                            choice: choice.clone(),
                            settings,
                            background,
                            summary,
                        },
                    ))
                })();
                Outcome::Reduced(Box::new(ReductionDone { id, choice, result }))
            });
        }
        wake
    }

    /// Puts a finished reduction in its sample (when it is still loaded) and analyses again.
    pub(super) fn on_reduced(&mut self, done: ReductionDone) {
        let ws = &mut self.workspace;
        let Some(i) = ws
            .samples
            .iter()
            .position(|s| s.raw.as_ref().is_some_and(|r| r.id == done.id))
        else {
            return;
        };
        let t = ws.current_axis_value();
        let sample = &mut ws.samples[i];
        let name = sample.series().sample.clone();
        let Some(raw) = sample.raw.as_mut() else {
            return;
        };
        raw.running = false;
        let (mut load, run) = match done.result {
            Err(e) => {
                raw.error = Some(e.clone());
                self.view.status = format!("{name}: cannot reduce: {e}");
                return;
            }
            Ok(ok) => ok,
        };
        if run.summary.reduced == 0 {
            let why = load.failed.first().map_or(
                "no pattern could be reduced".to_string(),
                ToString::to_string,
            );
            raw.error = Some(why.clone());
            self.view.status = format!("{name}: {why}");
            return;
        }
        raw.error = (run.summary.failed > 0).then(|| {
            format!(
                "{} pattern(s) could not be reduced (see Problems)",
                run.summary.failed
            )
        });
        if load.series.composition.is_none() {
            load.series.composition = Some(done.choice.composition.trim().to_string());
        }
        let messages: Vec<String> = run
            .summary
            .messages
            .iter()
            .map(|m| super::reduction::in_the_window(m))
            .collect();
        let messages = messages.join("; ");
        raw.done = Some(Arc::new(run));
        let (load_failed, load_ignored) = (raw.load_failed, raw.load_ignored);
        sample.install_reduced(load, load_failed, load_ignored);
        let series = Arc::clone(sample.series_arc());
        ws.generation += 1;
        if i == ws.active {
            ws.cursor = match t {
                Some(t) => ws.samples[i].nearest_index(t),
                None => ws.cursor.min(ws.pattern_count().saturating_sub(1)),
            };
        }
        self.view.preview = None;
        self.jobs.incoming.clear();
        if let Some(worker) = self.jobs.worker.as_mut() {
            worker.replace(i, series);
        }
        self.view.status = format!("{name}: {messages}");
        self.analyse_all(false);
    }

    /// Whether any sample's reduction is running or waiting for its form to rest.
    pub fn is_reducing(&self) -> bool {
        self.workspace
            .samples
            .iter()
            .any(|s| s.raw.as_ref().is_some_and(|r| r.is_pending()))
    }
}
