//! File ▸ Watch folder…: a folder followed while the sample heats ([`crate::engine::live`]).
//!
//! The follower runs on its own thread and analyses each new pattern alone (the series-level
//! part again), with the app's parameters: every parameter change is passed on to it. Each
//! update replaces the watched samples' patterns and, when it was made with the parameters and
//! marks shown, their analysis at once; otherwise the worker analyses the grown series as
//! after any change. The slider follows the newest pattern while it sits on the last one
//! (moving it away stops that; moving it back to the end resumes it). A bar under the menu says
//! what is watched, how many patterns came and the newest one's file and temperature, and
//! holds the alert: the FSDP area rising N σ above its glass trend
//! ([`crate::analysis::alerts`]), shown as a banner so the operator can stop the ramp.

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use super::{Action, GlassrayApp};
use crate::analysis::alerts::{Alert, AlertRule, series_alert};
use crate::analysis::transitions::Marks;
use crate::engine::live::{
    LiveEvent, LiveFolder, LiveHandle, LiveOptions, LiveSeries, LiveSnapshot, LiveUpdate, watch,
};
use crate::engine::reduce::ReduceStep;
use crate::io::LoadOptions;

/// A folder being watched.
pub struct Live {
    handle: LiveHandle,
    pub(super) dir: PathBuf,
    /// Updates taken so far.
    updates: u64,
    /// Patterns in the watched series, all samples together.
    patterns: usize,
    /// The newest arrival: file name, its T (K) and the app time it came (s).
    newest: Option<(String, Option<f64>, f64)>,
    /// The latest folder error or given-up file, said until the next update.
    trouble: Option<String>,
    pub(super) alert_on: bool,
    pub(super) rule: AlertRule,
    pub(super) alert: Option<Alert>,
}

impl GlassrayApp {
    /// Starts following `dir` (stopping any folder followed before); its patterns replace the
    /// samples when the first of them has been read.
    pub(super) fn start_watch(&mut self, dir: PathBuf) {
        self.jobs.live = None;
        let options = self.jobs.live_options.clone();
        let load = LoadOptions {
            temperature_log: self.panels.menu.log_path(),
            ..Default::default()
        };
        let folder = LiveFolder::new(
            &dir,
            load,
            self.settings.params.clone(),
            Marks::default(),
            &options,
        );
        match watch(folder, &options, Some(Arc::clone(&self.jobs.repaint))) {
            Ok(handle) => {
                self.view.status = format!(
                    "watching {} ({}): waiting for patterns…",
                    dir.display(),
                    handle.mode
                );
                // A load in flight would replace the watched samples.
                self.jobs.load = None;
                // A session saved from here reopens the folder.
                self.workspace.sources = vec![dir.clone()];
                self.workspace.loaded_log = self.panels.menu.log_path();
                self.jobs.live = Some(Live {
                    handle,
                    dir,
                    updates: 0,
                    patterns: 0,
                    newest: None,
                    trouble: None,
                    alert_on: true,
                    rule: AlertRule::default(),
                    alert: None,
                });
            }
            Err(e) => {
                self.view.status = format!("cannot watch {}: {e}", dir.display());
            }
        }
    }

    /// Stops following; what was read stays loaded.
    pub(super) fn stop_watch(&mut self) {
        if let Some(live) = self.jobs.live.take() {
            self.view.status = format!(
                "stopped watching {}; its {} pattern(s) stay loaded",
                live.dir.display(),
                live.patterns
            );
            // Dropping the handle stops the follower without waiting for a scan in progress.
            drop(live);
        }
    }

    /// Passes the app's parameters to the follower (it analyses with them from now on).
    pub(super) fn live_params_changed(&self) {
        if let Some(live) = &self.jobs.live {
            live.handle
                .set_params(self.settings.params.clone(), Marks::default());
        }
    }

    /// Takes what the follower sent since the last frame: the newest update, and errors.
    pub(super) fn poll_live(&mut self) {
        let Some(live) = self.jobs.live.as_mut() else {
            return;
        };
        let mut newest: Option<LiveUpdate> = None;
        let mut arrived = Vec::new();
        while let Some(event) = live.handle.try_recv() {
            match event {
                LiveEvent::Update(update) => {
                    arrived.extend(update.added.iter().copied());
                    if !update.problems.is_empty() {
                        live.trouble = Some(update.problems.join("; "));
                    }
                    newest = Some(update);
                }
                LiveEvent::Error(message) => live.trouble = Some(message),
            }
        }
        if let Some(update) = newest {
            self.take_live(&update, &arrived);
        }
    }

    /// Installs a follower's update: the watched samples' patterns, their analysis when it
    /// matches what is shown, the slider, the status and the alert.
    fn take_live(&mut self, update: &LiveUpdate, arrived: &[(usize, usize)]) {
        let snapshot = &update.snapshot;
        let patterns: usize = snapshot.series.iter().map(|s| s.load.series.len()).sum();
        if patterns == 0 {
            // Only a log or files that are no patterns so far: what is shown stays.
            if let Some(live) = self.jobs.live.as_mut() {
                live.trouble = snapshot
                    .series
                    .iter()
                    .flat_map(|s| s.load.failed.iter().map(ToString::to_string))
                    .reduce(|a, b| format!("{a}; {b}"));
            }
            return;
        }
        let raw = |s: &LiveSeries| matches!(s.reduction, ReduceStep::NoComposition(_));
        if snapshot.series.iter().any(raw) {
            self.raw_folder_watched(snapshot);
            return;
        }
        let first = self.jobs.live.as_ref().is_none_or(|l| l.updates == 0);
        let reshaped = snapshot.series.len() != self.workspace.samples.len();
        // Following: the slider sat on the newest pattern (or nothing was shown yet).
        let following =
            first || reshaped || self.workspace.cursor + 1 >= self.workspace.pattern_count();
        if first || reshaped {
            // The follower's analyses are those of the parameters shown (no marks yet on new
            // samples): installed as they are, with their systematic σ.
            let same_params = snapshot.params == self.settings.params;
            let loads = snapshot.series.iter().map(|s| s.load.clone()).collect();
            self.install_with(loads, !same_params);
            if same_params {
                let mut stale = false;
                for (sample, live) in self.workspace.samples.iter_mut().zip(&snapshot.series) {
                    // A reopened session's marks are not the follower's (it has none).
                    if sample.marks == live.analysis.marks {
                        sample.analysis = Some(Arc::new(live.analysis.clone()));
                        sample.revision += 1;
                    } else {
                        stale = true;
                    }
                }
                if stale {
                    self.analyse_all(false);
                }
            }
        } else {
            let same_params = snapshot.params == self.settings.params;
            let (mut stale, mut replaced) = (false, false);
            for (k, live) in snapshot.series.iter().enumerate() {
                let Some(sample) = self.workspace.samples.get_mut(k) else {
                    continue;
                };
                // A re-analysis with new parameters brings the same patterns: the worker's
                // caches (and a refit in flight) stay.
                if **sample.series_arc() != live.load.series {
                    sample.update_load(live.load.clone());
                    let series = Arc::clone(sample.series_arc());
                    if let Some(worker) = self.jobs.worker.as_mut() {
                        worker.replace(k, series);
                    }
                    replaced = true;
                }
                if same_params && sample.marks == live.analysis.marks {
                    sample.analysis = Some(Arc::new(live.analysis.clone()));
                } else {
                    stale = true;
                }
            }
            if replaced {
                // Replacing cancelled the request in flight: nothing of it will be installed.
                self.jobs.incoming.clear();
                self.view.preview = None;
            }
            if stale {
                self.analyse_all(false);
            }
        }
        if following && !self.view.playing {
            self.workspace.cursor = self.workspace.pattern_count().saturating_sub(1);
        }
        let now = self.view.now;
        let Some(live) = self.jobs.live.as_mut() else {
            return;
        };
        live.updates += 1;
        live.patterns = patterns;
        self.view.status = format!(
            "watching {}: {patterns} pattern(s) analysed",
            live.dir.display()
        );
        if let Some(&(k, i)) = arrived.iter().max() {
            let p = snapshot
                .series
                .get(k)
                .and_then(|s| s.load.series.patterns.get(i));
            if let Some(p) = p {
                let name = p.source.file_name().map_or_else(
                    || p.source.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                live.newest = Some((name, p.kelvin(), now));
            }
        }
        if update.problems.is_empty() && !arrived.is_empty() {
            live.trouble = None;
        }
        live.alert = self
            .workspace
            .active_sample()
            .and_then(|s| s.analysis.as_deref())
            .filter(|_| live.alert_on)
            .and_then(|a| series_alert(a, &live.rule));
    }

    /// A watched folder of raw intensities I(Q): the window does not reduce them as they land
    /// (its Reduction group reduces a loaded series whole), so it stops following and loads
    /// the files there are, as File ▸ Open would, and says how to follow them headless.
    fn raw_folder_watched(&mut self, snapshot: &LiveSnapshot) {
        let Some(live) = self.jobs.live.take() else {
            return;
        };
        // Stopped when `live` is dropped, without waiting for a scan in progress.
        let note = format!(
            "not watched: {} holds raw intensities I(Q), which the window does not reduce as \
             they land; the files there were loaded as they were. To follow raw files during a \
             run: glassray watch {} --composition FORMULA --background FILE --out OUT",
            live.dir.display(),
            live.dir.display()
        );
        let loads = snapshot
            .series
            .iter()
            .map(|s| {
                let mut load = s.load.clone();
                load.series.notes.push(note.clone());
                load
            })
            .collect();
        // Said in the sample's notes too: the reduction's messages soon replace the status.
        self.install_with(loads, true);
        self.view.status = note;
    }

    /// The bar under the menu while a folder is watched: what came, the alert's setting and,
    /// when it fires, its banner.
    pub(super) fn live_bar(&self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let Some(live) = &self.jobs.live else {
            return;
        };
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                egui::Color32::from_rgb(40, 160, 60),
                egui::RichText::new("LIVE").strong(),
            );
            ui.label(format!(
                "Watching {} ({}): {} pattern(s)",
                live.dir.display(),
                live.handle.mode,
                live.patterns
            ));
            if let Some((file, kelvin, at)) = &live.newest {
                let t = kelvin.map_or("no T".to_string(), |t| format!("T = {t:.1} K"));
                let ago = (self.view.now - at).max(0.0);
                ui.label(format!("· newest {file}, {t}, {ago:.0} s ago"));
            }
            if ui.button("Stop watching").clicked() {
                actions.push(Action::StopWatching);
            }
            ui.separator();
            let mut on = live.alert_on;
            let mut sigmas = live.rule.sigmas;
            ui.checkbox(&mut on, "Alert when the FSDP area rises")
                .on_hover_text(
                    "above the straight line it followed below T_g (or over the first half of \
                     the run before T_g is found), at the 3 newest patterns: Bragg peaks \
                     growing, crystallisation starting",
                );
            ui.add(
                egui::DragValue::new(&mut sigmas)
                    .range(2.0..=50.0)
                    .speed(0.1)
                    .suffix(" σ"),
            );
            ui.label("above its glass trend");
            if on != live.alert_on || sigmas != live.rule.sigmas {
                actions.push(Action::SetAlert { on, sigmas });
            }
        });
        if let Some(trouble) = &live.trouble {
            ui.colored_label(ui.visuals().warn_fg_color, trouble);
        }
        if let Some(alert) = &live.alert {
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(150, 30, 30))
                .inner_margin(6.0)
                .show(ui, |ui| {
                    ui.colored_label(
                        egui::Color32::WHITE,
                        egui::RichText::new(format!(
                            "ALERT: the FSDP area is {:.1} σ above its glass trend since {:.1} K: \
                             crystallisation may be starting",
                            alert.excess, alert.since
                        ))
                        .strong(),
                    );
                });
        }
    }

    /// A new alert setting, applied to the analysis shown.
    pub(super) fn set_alert(&mut self, on: bool, sigmas: f64) {
        let analysis = self
            .workspace
            .active_sample()
            .and_then(|s| s.analysis.clone());
        if let Some(live) = self.jobs.live.as_mut() {
            live.alert_on = on;
            live.rule.sigmas = sigmas;
            live.alert = analysis
                .as_deref()
                .filter(|_| on)
                .and_then(|a| series_alert(a, &live.rule));
        }
    }

    /// How the next watched folder is followed (settle time, polling): for embedders on slow
    /// or network file systems, tests and benchmarks.
    pub fn set_live_options(&mut self, options: LiveOptions) {
        self.jobs.live_options = options;
    }

    /// Updates taken from the watched folder's follower so far (0 when none is watched).
    pub fn live_updates(&self) -> u64 {
        self.jobs.live.as_ref().map_or(0, |l| l.updates)
    }

    /// What tests may ask: the folder watched, its pattern count and the alert in force.
    pub fn watching(&self) -> Option<(&std::path::Path, usize, Option<&Alert>)> {
        self.jobs
            .live
            .as_ref()
            .map(|l| (l.dir.as_path(), l.patterns, l.alert.as_ref()))
    }
}
