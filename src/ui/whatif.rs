//! The app's side of the what-if model: generating the Model window's sample in the
//! background, putting it in the workspace (a fourth sample, replaced in place when the
//! parameters change, removed on request) so the whole analysis follows, and finding out what
//! was planted in the demo's samples (computed off the UI thread after a load).

use std::sync::Arc;

use super::state::{Outcome, Sample};
use super::{GlassrayApp, SAMPLE_COLOURS};
use crate::engine::whatif::{Planted, WhatIfJob, WhatIfParams, WhatIfSeries, demo_planted};
use crate::engine::worker::AnalysisWorker;
use crate::io::SeriesLoad;

impl GlassrayApp {
    /// Starts generating the what-if series of `params` (a generation in flight is dropped,
    /// which stops it).
    pub(super) fn build_what_if(&mut self, params: WhatIfParams) {
        let job = WhatIfJob::spawn(params, Arc::clone(&self.jobs.repaint));
        self.jobs.what_if = Some(job);
    }

    /// Opens the Model window; the first time (no what-if sample yet) its sample is built.
    pub(super) fn open_model(&mut self) {
        self.panels.model.open = true;
        if self.workspace.what_if().is_none() && self.jobs.what_if.is_none() {
            let params = self.panels.model.params.clone();
            self.build_what_if(params);
        }
    }

    /// Whether the what-if series is being generated, and how far it is.
    pub(super) fn what_if_progress(&self) -> Option<(usize, usize)> {
        self.jobs.what_if.as_ref().map(|j| j.progress())
    }

    /// Collects a finished what-if series.
    pub(super) fn poll_what_if(&mut self) {
        let Some(done) = self.jobs.what_if.as_mut().and_then(|j| j.take()) else {
            return;
        };
        self.jobs.what_if = None;
        match done {
            Ok(built) => self.install_what_if(built),
            Err(lost) => self.view.status = format!("the what-if model failed: {lost}"),
        }
    }

    /// Puts the what-if series in place of the old one (or after the last sample) and
    /// analyses it with the others.
    fn install_what_if(&mut self, built: WhatIfSeries) {
        let WhatIfSeries {
            series, planted, ..
        } = built;
        let mut sample = Sample::new(
            SeriesLoad {
                origin: "the Model window (what-if)".into(),
                ..SeriesLoad::from_series(series)
            },
            SAMPLE_COLOURS[0],
        );
        sample.planted = Some(Arc::new(planted));
        sample.what_if = true;
        let ws = &mut self.workspace;
        let i = ws.what_if().unwrap_or(ws.samples.len());
        sample.colour = SAMPLE_COLOURS[i % SAMPLE_COLOURS.len()];
        let first = i == ws.samples.len();
        if let Some(old) = ws.samples.get(i) {
            sample.visible = old.visible;
            sample.revision = old.revision + 1;
        }
        let series = Arc::clone(sample.series_arc());
        if first {
            ws.samples.push(sample);
        } else if let Some(slot) = ws.samples.get_mut(i) {
            *slot = sample;
        }
        // Caches keyed by sample index (heat maps, curves) start afresh.
        ws.generation += 1;
        if first {
            // The new sample becomes the one the slider steps through, at the same T.
            self.apply(super::Action::Activate(i));
        }
        self.jobs.incoming.clear();
        match self.jobs.worker.as_mut() {
            Some(worker) => worker.replace(i, series),
            // Nothing was loaded yet: a worker for the samples there are.
            None => {
                let all = self
                    .workspace
                    .samples
                    .iter()
                    .map(|s| Arc::clone(s.series_arc()))
                    .collect();
                let repaint = Arc::clone(&self.jobs.repaint);
                self.jobs.worker = Some(AnalysisWorker::start(all, repaint));
            }
        }
        self.view.status = if first {
            "what-if sample built from the Model window's parameters".into()
        } else {
            "what-if sample rebuilt from the Model window's parameters".into()
        };
        self.analyse_all(false);
    }

    /// Removes the what-if sample (and stops one being built).
    pub(super) fn remove_what_if(&mut self) {
        self.jobs.what_if = None;
        let ws = &mut self.workspace;
        let Some(i) = ws.what_if() else {
            return;
        };
        let t = ws.current_axis_value();
        ws.samples.remove(i);
        ws.generation += 1;
        if ws.active == i {
            ws.active = 0;
        } else if ws.active > i {
            ws.active -= 1;
        }
        ws.cursor = match (ws.active_sample(), t) {
            (Some(s), Some(t)) => s.nearest_index(t),
            _ => 0,
        };
        self.view.preview = None;
        self.jobs.incoming.clear();
        if let Some(worker) = self.jobs.worker.as_mut() {
            worker.remove(i);
        }
        self.view.status = "what-if sample removed".into();
        self.analyse_all(false);
    }

    /// Finds out in the background what was planted in the loaded demo samples.
    pub(super) fn find_planted(&mut self) {
        let names: Vec<String> = self
            .workspace
            .samples
            .iter()
            .filter(|s| s.planted.is_none() && is_demo(s))
            .map(|s| s.series().sample.clone())
            .collect();
        if names.is_empty() {
            return;
        }
        self.jobs.spawn("finding what the demo planted", move || {
            let planted = names
                .into_iter()
                .filter_map(|name| Some((name.clone(), Arc::new(demo_planted(&name)?))))
                .collect();
            Outcome::Planted(planted)
        });
    }

    /// What was planted in demo samples: given to the demo samples of that name still loaded.
    pub(super) fn on_planted(&mut self, planted: Vec<(String, Arc<Planted>)>) {
        for (name, p) in planted {
            for s in &mut self.workspace.samples {
                if s.planted.is_none() && is_demo(s) && s.series().sample == name {
                    s.planted = Some(Arc::clone(&p));
                }
            }
        }
    }
}

/// A sample of the embedded demo (every pattern made by it, none read from a file).
fn is_demo(s: &Sample) -> bool {
    !s.what_if && !s.series().is_empty() && s.series().patterns.iter().all(|p| p.format == "demo")
}
