//! What panels ask for, and how the app does it: every change of state the user makes is an
//! [`Action`], applied after the frame is drawn. Slow steps (loading, analysing, reading and
//! writing files) go to the engine; their outcomes are collected by [`GlassrayApp::poll`].

use std::path::PathBuf;
use std::sync::Arc;

use super::history::{Snapshot, Touch};
use super::state::{Outcome, SESSION_READ, Sample, SessionRead};
use super::{GlassrayApp, SAMPLE_COLOURS};
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transitions::Marks;
use crate::engine::jobs::LoadJob;
use crate::engine::worker::{AnalysisWorker, Event};
use crate::io::{LoadOptions, SeriesLoad};
use crate::model::HeatingSeries;
use crate::report::{LoadReport, SeriesOutputs, StagedRun, series_folders};
use crate::session::{Session, SessionError};

/// A change the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// New shared parameters (the current temperature is refitted first).
    SetParams(AnalysisParams),
    /// Move one fit seed (Å), keeping every other parameter as it is now.
    SetSeed {
        mode: usize,
        value: f64,
    },
    /// Move the FSDP window (1/Å), keeping every other parameter as it is now.
    SetFsdpWindow((f64, f64)),
    /// New marks for a sample (only the transitions are recomputed).
    SetMarks {
        sample: usize,
        marks: Marks,
    },
    /// Move the slider to a pattern of the active sample.
    SetCursor(usize),
    /// Move the slider by this many patterns.
    Step(isize),
    /// Make a sample the one the slider steps through (keeping the temperature).
    Activate(usize),
    SetVisible {
        sample: usize,
        visible: bool,
    },
    SetShowPairG(bool),
    SetMoveMode(bool),
    TogglePlay,
    /// Load files and folders, with an optional temperature log.
    Open {
        paths: Vec<PathBuf>,
        log: Option<PathBuf>,
    },
    OpenDemo,
    SaveSession(PathBuf),
    OpenSession(PathBuf),
    Export(PathBuf),
    /// The study's figures (SVG, PDF, PNG and their CSVs) of the shown samples, with the
    /// current parameters and marks, into a folder.
    ExportFigures(PathBuf),
    /// One panel as a figure (SVG, PDF, PNG and CSV beside `path`), in the figures' style.
    ExportPanelFigure {
        data: Box<crate::report::figures::PanelData>,
        path: PathBuf,
    },
    /// A message for the status line.
    Say(String),
    /// Write a plot's data (CSV text) to a file.
    SaveText {
        path: PathBuf,
        text: Arc<String>,
    },
    /// A plot's save (data, figure or image) whose file the dialog did not give: the Save
    /// window asks for the path.
    AskPath(Box<Action>),
    /// Save the window area `rect` (a plot as drawn) as a PNG, from a screenshot.
    SavePlotImage {
        rect: eframe::egui::Rect,
        path: PathBuf,
    },
    /// Ctrl+Z: back to before the last parameter or mark change.
    Undo,
    /// Ctrl+Shift+Z: the change undone last, again.
    Redo,
    /// Help ▸ Tour: walk through the window's areas.
    StartTour,
    /// Draw what was planted in model samples over their analysis.
    SetShowPlanted(bool),
    /// View ▸ Model (what-if): open the window (building its sample the first time).
    OpenModel,
    /// Build the what-if sample of these parameters in the background (replacing it).
    WhatIf(Box<crate::engine::whatif::WhatIfParams>),
    /// Remove the what-if sample.
    RemoveWhatIf,
    /// New values in a raw sample's Reduction group (reduced once the group rests).
    SetReduction {
        sample: usize,
        choice: Box<super::reduction::ReductionChoice>,
    },
    /// Follow a folder as patterns land in it (File ▸ Watch folder…).
    Watch(PathBuf),
    StopWatching,
    /// The live alert on or off, and its distance from the glass trend in σ.
    SetAlert {
        on: bool,
        sigmas: f64,
    },
    Quit,
}

impl Action {
    /// What an undoable action changes.
    fn touch(&self) -> Option<Touch> {
        match self {
            Action::SetParams(_) => Some(Touch::Params),
            Action::SetSeed { mode, .. } => Some(Touch::Seed(*mode)),
            Action::SetFsdpWindow(_) => Some(Touch::FsdpWindow),
            Action::SetMarks { sample, .. } => Some(Touch::Marks(*sample)),
            _ => None,
        }
    }
}

impl GlassrayApp {
    /// Applies one action; parameter and mark changes can be undone.
    pub fn apply(&mut self, action: Action) {
        let Some(touch) = action.touch() else {
            return self.apply_now(action);
        };
        let before = self.snapshot();
        self.apply_now(action);
        if self.snapshot() != before {
            self.view.history.record(before, touch, self.view.now);
        }
    }

    /// The parameters and every sample's marks.
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            params: self.settings.params.clone(),
            marks: self.workspace.samples.iter().map(|s| s.marks).collect(),
        }
    }

    /// Goes back to (or forward to) a snapshot: marks first, then one re-analysis.
    fn restore(&mut self, to: Snapshot) {
        let marks_changed =
            self.workspace
                .samples
                .iter_mut()
                .zip(&to.marks)
                .fold(false, |changed, (s, m)| {
                    let differs = s.marks != *m;
                    s.marks = *m;
                    changed || differs
                });
        if to.params != self.settings.params {
            self.settings.params = to.params;
            self.analyse_all(true);
        } else if marks_changed {
            self.analyse_all(false);
        }
    }

    fn undo(&mut self) {
        let now = self.snapshot();
        match self.view.history.undo(now) {
            Some(back) => {
                self.restore(back);
                self.view.status = "undone (Ctrl+Shift+Z redoes)".into();
            }
            None => self.view.status = "nothing to undo".into(),
        }
    }

    fn redo(&mut self) {
        let now = self.snapshot();
        match self.view.history.redo(now) {
            Some(forward) => {
                self.restore(forward);
                self.view.status = "redone".into();
            }
            None => self.view.status = "nothing to redo".into(),
        }
    }

    fn apply_now(&mut self, action: Action) {
        match action {
            Action::SetParams(p) => self.set_params(p),
            Action::SetSeed { mode, value } => {
                let mut p = self.settings.params.clone();
                if let Some(seed) = p.fit.seeds.get_mut(mode) {
                    *seed = value;
                    self.set_params(p);
                }
            }
            Action::SetFsdpWindow(w) => {
                let mut p = self.settings.params.clone();
                p.transform.fsdp_window = w;
                self.set_params(p);
            }
            Action::SetMarks { sample, marks } => self.set_marks(sample, marks),
            Action::SetCursor(i) => {
                self.workspace.cursor = i.min(self.workspace.pattern_count().saturating_sub(1))
            }
            Action::Step(k) => self.step(k),
            Action::Activate(i) => self.activate(i),
            Action::SetVisible { sample, visible } => {
                if let Some(s) = self.workspace.samples.get_mut(sample) {
                    s.visible = visible;
                }
            }
            Action::SetShowPairG(on) => self.settings.show_pair_g = on,
            Action::SetMoveMode(on) => self.settings.move_mode = on,
            Action::TogglePlay => {
                self.view.playing = !self.view.playing;
                self.view.play_clock = self.view.now;
                let n = self.workspace.pattern_count();
                if self.view.playing && self.workspace.cursor + 1 >= n {
                    self.workspace.cursor = 0;
                }
            }
            Action::Open { paths, log } => self.open_with_log(paths, log),
            Action::OpenDemo => self.open_demo(),
            Action::SaveSession(path) => self.save_session(path),
            Action::OpenSession(path) => self.open_session(path),
            Action::Export(dir) => self.export(dir),
            Action::ExportFigures(dir) => self.export_figures(dir),
            Action::ExportPanelFigure { data, path } => {
                self.view.status = format!("drawing {}…", path.display());
                self.jobs.spawn("drawing a panel's figure", move || {
                    Outcome::Exported(match super::save_plot::write_panel_figure(&data, &path) {
                        Ok(files) => format!(
                            "saved the figure as {} (with .pdf, .png and .csv beside it)",
                            files.first().map_or(path.clone(), Clone::clone).display()
                        ),
                        Err(e) => format!("cannot save the figure: {e}"),
                    })
                });
            }
            Action::Say(text) => self.view.status = text,
            Action::AskPath(action) => {
                self.view.status = "the file dialog gave no path (cancelled, or none on this \
                                     desktop): type it in the Save plot window"
                    .into();
                self.view.asking = Some(super::save_plot::Asking::new(action));
            }
            Action::SaveText { path, text } => {
                self.view.status = format!("saving {}…", path.display());
                self.jobs.spawn("saving a plot's data", move || {
                    Outcome::Exported(super::save_plot::write(&path, text.as_bytes(), "the data"))
                });
            }
            Action::SavePlotImage { rect, path } => {
                self.view.status = format!("taking the image for {}…", path.display());
                self.view.shot = Some(super::state::Shot {
                    rect,
                    path,
                    arrival: None,
                });
            }
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::StartTour => self.panels.tour.start(),
            Action::SetShowPlanted(on) => self.settings.show_planted = on,
            Action::OpenModel => self.open_model(),
            Action::WhatIf(params) => self.build_what_if(*params),
            Action::RemoveWhatIf => self.remove_what_if(),
            Action::SetReduction { sample, choice } => self.set_reduction(sample, *choice),
            Action::Watch(dir) => self.start_watch(dir),
            Action::StopWatching => self.stop_watch(),
            Action::SetAlert { on, sigmas } => self.set_alert(on, sigmas),
            Action::Quit => self.view.quit = true,
        }
    }

    /// Sets the shared parameters; a change re-analyses in the background (the current
    /// temperature's fit first).
    fn set_params(&mut self, params: AnalysisParams) {
        if params != self.settings.params {
            self.settings.params = params;
            self.analyse_all(true);
        }
    }

    /// Sets sample `i`'s marks; a change recomputes the transitions in the background.
    fn set_marks(&mut self, i: usize, marks: Marks) {
        if let Some(s) = self.workspace.samples.get_mut(i)
            && s.marks != marks
        {
            s.marks = marks;
            self.analyse_all(false);
        }
    }

    /// Moves the slider by `step` patterns (clamped).
    fn step(&mut self, step: isize) {
        let n = self.workspace.pattern_count();
        if n > 0 {
            let c = self.workspace.cursor as isize + step;
            self.workspace.cursor = c.clamp(0, n as isize - 1) as usize;
        }
    }

    fn activate(&mut self, i: usize) {
        let t = self.workspace.current_axis_value();
        if let Some(s) = self.workspace.samples.get(i) {
            self.workspace.cursor = t.map_or(0, |t| s.nearest_index(t));
            self.workspace.active = i;
        }
    }

    /// Starts analysing every sample in the background (the worker cancels what is in
    /// flight). With `preview`, the current temperature is refitted first.
    pub(super) fn analyse_all(&mut self, preview: bool) {
        let Some(worker) = self.jobs.worker.as_mut() else {
            return;
        };
        let requests = self
            .workspace
            .samples
            .iter()
            .map(|s| (self.settings.params.clone(), s.marks))
            .collect();
        for s in &mut self.workspace.samples {
            s.fresh.clear();
            s.revision += 1;
        }
        let at = (self.workspace.active, self.workspace.cursor);
        worker.analyse(requests, preview.then_some(at));
        self.live_params_changed();
    }

    /// Starts loading `paths` in the background (replacing any load in progress).
    pub(super) fn open(&mut self, paths: Vec<PathBuf>) {
        let log = self.panels.menu.log_path();
        self.open_with_log(paths, log);
    }

    fn open_with_log(&mut self, paths: Vec<PathBuf>, log: Option<PathBuf>) {
        if paths.is_empty() {
            self.view.status = "nothing to open: give a file or a folder".into();
            return;
        }
        let opts = LoadOptions {
            temperature_log: log,
            ..Default::default()
        };
        self.workspace.sources = paths.clone();
        self.workspace.loaded_log = opts.temperature_log.clone();
        self.workspace.loads_started += 1;
        self.stop_watch();
        let job = LoadJob::files(paths, opts, Arc::clone(&self.jobs.repaint));
        self.view.status = format!("loading {}…", job.label);
        // Replacing the job drops the old one, which stops its reading.
        self.jobs.load = Some(job);
    }

    pub(super) fn open_demo(&mut self) {
        self.stop_watch();
        self.workspace.sources.clear();
        self.workspace.loaded_log = None;
        self.workspace.loads_started += 1;
        self.jobs.load = Some(LoadJob::demo(Arc::clone(&self.jobs.repaint)));
        self.view.status = "building the embedded demo…".into();
    }

    /// Replaces the samples with `loads` and analyses them.
    pub(super) fn install(&mut self, loads: Vec<SeriesLoad>) {
        self.install_with(loads, true);
    }

    /// Replaces the samples with `loads`, analysing them when `analyse` (else their analyses
    /// come from elsewhere: a watched folder's follower).
    pub(super) fn install_with(&mut self, loads: Vec<SeriesLoad>, analyse: bool) {
        let patterns: usize = loads.iter().map(|l| l.series.len()).sum();
        let failed: usize = loads.iter().map(|l| l.failed.len()).sum();
        self.view.status = format!(
            "{} sample(s), {patterns} pattern(s) loaded{}{}",
            loads.len(),
            if failed > 0 {
                format!(", {failed} file(s) skipped (see Problems)")
            } else {
                String::new()
            },
            self.view
                .notice
                .take()
                .map_or(String::new(), |n| format!("; {n}"))
        );
        // Marks of the samples that were loaded before do not apply to these.
        self.view.history.clear();
        let ws = &mut self.workspace;
        ws.generation += 1;
        ws.samples = loads
            .into_iter()
            .enumerate()
            .map(|(i, load)| Sample::new(load, SAMPLE_COLOURS[i % SAMPLE_COLOURS.len()]))
            .collect();
        ws.active = ws
            .samples
            .iter()
            .position(|s| !s.series().is_empty())
            .unwrap_or(0);
        ws.cursor = 0;
        self.view.playing = false;
        if let Some(session) = self.workspace.pending_session.take() {
            self.restore_view(&session);
        }
        self.view.preview = None;
        let ws = &self.workspace;
        let series = ws
            .samples
            .iter()
            .map(|s| Arc::clone(s.series_arc()))
            .collect();
        self.jobs.incoming.clear();
        self.jobs.worker = Some(AnalysisWorker::start(
            series,
            Arc::clone(&self.jobs.repaint),
        ));
        if analyse {
            self.analyse_all(false);
        }
        self.find_planted();
    }

    /// Marks, visibility, the active sample and the slider from a session.
    fn restore_view(&mut self, session: &Session) {
        let ws = &mut self.workspace;
        for s in &mut ws.samples {
            let name = s.series().sample.clone();
            s.marks = session.marks.get(&name).copied().unwrap_or_default();
            s.visible = !session.hidden.contains(&name);
        }
        if let Some(i) = session
            .active
            .as_ref()
            .and_then(|name| ws.samples.iter().position(|s| &s.series().sample == name))
        {
            ws.active = i;
        }
        ws.cursor = session.cursor.min(ws.pattern_count().saturating_sub(1));
    }

    /// The session describing the current state.
    pub fn session(&self) -> Session {
        let ws = &self.workspace;
        Session {
            sources: ws.sources.clone(),
            temperature_log: ws.loaded_log.clone(),
            params: self.settings.params.clone(),
            marks: ws
                .samples
                .iter()
                .filter(|s| s.marks != Marks::default())
                .map(|s| (s.series().sample.clone(), s.marks))
                .collect(),
            hidden: ws
                .samples
                .iter()
                .filter(|s| !s.visible)
                .map(|s| s.series().sample.clone())
                .collect(),
            active: ws.active_sample().map(|s| s.series().sample.clone()),
            cursor: ws.cursor,
            show_pair_g: self.settings.show_pair_g,
            watching: self.jobs.live.is_some(),
            ..Default::default()
        }
    }

    /// Saves the session in the background (atomically).
    fn save_session(&mut self, path: PathBuf) {
        self.view.status = format!("saving the session to {}…", path.display());
        self.queue_save(self.session(), path, true);
    }

    /// Writes a session in the background; a save asked for while one is being written waits
    /// for it (only the newest waits), so the newest always lands last. `announce`: say so in
    /// the status line.
    pub(super) fn queue_save(&mut self, session: Session, path: PathBuf, announce: bool) {
        if self.jobs.saving {
            self.jobs.next_save = Some((session, path, announce));
            return;
        }
        self.jobs.saving = true;
        self.jobs.spawn("saving the session", move || {
            Outcome::Saved(match session.save(&path) {
                Ok(()) if announce => format!("session saved to {}", path.display()),
                Ok(()) => String::new(),
                Err(e) => e.to_string(),
            })
        });
    }

    /// Reads a session file in the background, then loads its sources and applies it.
    fn open_session(&mut self, path: PathBuf) {
        self.view.status = format!("reading session {}…", path.display());
        self.read_session(path, false);
    }

    /// Reads a session file in the background (`at_start`: the last session, at start-up).
    pub(super) fn read_session(&mut self, path: PathBuf, at_start: bool) {
        let loads_started = self.workspace.loads_started;
        self.jobs.spawn(SESSION_READ, move || {
            Outcome::SessionRead(Box::new(SessionRead {
                result: Session::load(&path),
                existed: path.exists(),
                path,
                at_start,
                loads_started,
            }))
        });
    }

    /// Applies a session read in the background, unless a load was started meanwhile.
    fn on_session_read(&mut self, read: SessionRead) {
        if read.loads_started != self.workspace.loads_started {
            self.view.status = format!(
                "session {} not applied: another load was started meanwhile",
                read.path.display()
            );
            return;
        }
        match read.result {
            Ok(session) => {
                let warnings = session.warnings.clone();
                self.apply_session(session);
                self.view.status = match warnings.as_slice() {
                    [] => format!("reopening session {}…", read.path.display()),
                    [one] => format!("reopening session {}; {one}", read.path.display()),
                    [first, rest @ ..] => format!(
                        "reopening session {}; {first} (and {} more replaced values)",
                        read.path.display(),
                        rest.len()
                    ),
                };
            }
            Err(e @ SessionError::Newer { .. }) if read.at_start => {
                // Never overwrite what a newer Glassray wrote: this run keeps no session.
                self.settings.autosave = None;
                self.open_demo();
                self.view.notice = Some(format!(
                    "{e}: left as it is, and this session will not be kept on exit"
                ));
            }
            Err(e) if read.at_start => {
                self.open_demo();
                if read.existed {
                    self.view.notice = Some(format!("{e}; starting on the demo"));
                }
            }
            Err(e) => self.view.status = e.to_string(),
        }
    }

    /// Loads a session's sources and keeps it to apply when they are loaded.
    pub(super) fn apply_session(&mut self, session: Session) {
        self.settings.params = session.params.clone();
        self.settings.show_pair_g = session.show_pair_g;
        self.panels
            .menu
            .set_log_path(session.temperature_log.as_deref());
        let sources = session.sources.clone();
        let log = session.temperature_log.clone();
        let watched = match &sources[..] {
            [dir] if session.watching && dir.is_dir() => Some(dir.clone()),
            _ => None,
        };
        self.workspace.pending_session = Some(session);
        if let Some(dir) = watched {
            // Followed again: its first update installs the samples and the session's view.
            self.start_watch(dir);
        } else if sources.is_empty() {
            self.open_demo();
        } else {
            self.open_with_log(sources, log);
        }
    }

    /// Writes metrics.csv, summary.json and gr/ for every analysed sample under `dir`
    /// (`dir/<sample>/` when there are several, made unique), in the background, as
    /// `glassray analyze` does: staged beside `dir` and installed whole, so a failure leaves
    /// the old set.
    fn export(&mut self, dir: PathBuf) {
        let work: Vec<_> = self
            .workspace
            .samples
            .iter()
            .filter_map(|s| {
                let a = Arc::clone(s.analysis()?);
                let skipped: Vec<String> = s.failed().iter().map(ToString::to_string).collect();
                Some((Arc::clone(s.series_arc()), skipped, a))
            })
            .collect();
        if work.is_empty() {
            self.view.status = "nothing to export yet: the analysis is still running".into();
            return;
        }
        self.view.status = format!("exporting to {}…", dir.display());
        self.jobs.spawn("exporting", move || {
            Outcome::Exported(match export_all(&dir, &work) {
                Ok(notes) => format!(
                    "exported {} sample(s) to {}{}",
                    work.len(),
                    dir.display(),
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    }
                ),
                Err(e) => format!("export failed, nothing changed: {e}"),
            })
        });
    }

    /// Draws the figures of the shown samples that have a temperature axis and an analysis,
    /// in the background, into `dir` (replaced whole).
    fn export_figures(&mut self, dir: PathBuf) {
        use crate::report::figures::{FigureOptions, FigureSample, Format, write_figures};
        let work: Vec<_> = self
            .workspace
            .samples
            .iter()
            .filter(|s| s.visible && s.series().axis == crate::model::TemperatureAxis::Kelvin)
            .filter_map(|s| Some((Arc::clone(s.series_arc()), Arc::clone(s.analysis()?))))
            .collect();
        if work.is_empty() {
            self.view.status =
                "no figures: no shown sample with temperatures has finished its analysis".into();
            return;
        }
        self.view.status = format!("drawing figures into {}…", dir.display());
        self.jobs.spawn("drawing figures", move || {
            let samples: Vec<FigureSample<'_>> = work
                .iter()
                .map(|(series, analysis)| FigureSample { series, analysis })
                .collect();
            Outcome::Exported(
                match write_figures(&dir, &samples, &FigureOptions::default(), &Format::ALL) {
                    Ok(files) => format!(
                        "{} figure files of {} sample(s) in {}",
                        files.len(),
                        samples.len(),
                        dir.display()
                    ),
                    Err(e) => format!("figures failed, nothing changed: {e}"),
                },
            )
        });
    }

    /// Collects what finished since the last frame: a load, analysis events, task outcomes.
    pub(super) fn poll(&mut self) {
        if let Some(loaded) = self.jobs.load.as_ref().and_then(|j| j.take()) {
            self.jobs.load = None;
            match loaded {
                Ok(loads) => self.install(loads),
                Err(lost) => self.view.status = format!("loading failed: {lost}"),
            }
        }
        let events = self
            .jobs
            .worker
            .as_mut()
            .map(|w| w.poll())
            .unwrap_or_default();
        for event in events {
            self.on_event(event);
        }
        self.poll_what_if();
        self.poll_live();
        let mut outcomes = Vec::new();
        self.jobs.tasks.retain_mut(|t| match t.take() {
            Some(Ok(o)) => {
                outcomes.push(Ok(o));
                false
            }
            Some(Err(lost)) => {
                outcomes.push(Err(format!("{}: {lost}", t.label)));
                false
            }
            None => true,
        });
        for o in outcomes {
            match o {
                Ok(o) => self.on_outcome(o),
                Err(message) => {
                    // A lost save frees the queue like a finished one.
                    self.on_outcome(Outcome::Saved(String::new()));
                    self.view.status = message;
                }
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        let samples = &mut self.workspace.samples;
        match event {
            Event::Preview(p) => self.view.preview = Some(p),
            Event::Fit { sample, index, fit } => {
                if let Some(s) = samples.get_mut(sample) {
                    let n = s.series().len();
                    if s.fresh.len() != n {
                        s.fresh = vec![None; n];
                    }
                    if let Some(slot) = s.fresh.get_mut(index) {
                        *slot = Some(*fit);
                        s.revision += 1;
                    }
                }
            }
            Event::Analysed { sample, analysis } => {
                let incoming = &mut self.jobs.incoming;
                if incoming.len() != samples.len() {
                    *incoming = vec![None; samples.len()];
                }
                if let Some(slot) = incoming.get_mut(sample) {
                    *slot = Some(analysis);
                }
            }
            Event::Finished => {
                self.view.preview = None;
                for (s, a) in samples.iter_mut().zip(self.jobs.incoming.drain(..)) {
                    if let Some(a) = a {
                        s.analysis = Some(a);
                    }
                    s.fresh.clear();
                    s.revision += 1;
                }
            }
            Event::Lost => {
                self.view.preview = None;
                self.jobs.incoming.clear();
                self.view.status =
                    "the analysis stopped unexpectedly; change a parameter to run it again".into();
            }
        }
    }

    fn on_outcome(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Saved(message) => {
                self.jobs.saving = false;
                if !message.is_empty() {
                    self.view.status = message;
                }
                if let Some((session, path, announce)) = self.jobs.next_save.take() {
                    self.queue_save(session, path, announce);
                }
            }
            Outcome::Exported(message) => self.view.status = message,
            Outcome::Planted(planted) => self.on_planted(planted),
            Outcome::SessionRead(read) => self.on_session_read(*read),
            Outcome::Reduced(done) => self.on_reduced(*done),
            Outcome::HeatMap {
                generation,
                sample,
                map,
            } => {
                if generation == self.workspace.generation {
                    self.panels.pattern.heat_map_ready(sample, map);
                }
            }
        }
    }
}

/// Every sample's outputs into one staged run under `dir`, installed whole; notes name the
/// folders and files made unique.
fn export_all(
    dir: &std::path::Path,
    work: &[(Arc<HeatingSeries>, Vec<String>, Arc<SeriesAnalysis>)],
) -> Result<Vec<String>, crate::report::ReportError> {
    let names: Vec<&str> = work.iter().map(|(s, _, _)| s.sample.as_str()).collect();
    let (folders, mut notes) = series_folders(&names);
    let run = StagedRun::new(dir)?;
    for ((series, skipped, a), folder) in work.iter().zip(&folders) {
        let load = LoadReport::of_series_and_skipped(series, skipped);
        let outputs = SeriesOutputs {
            series,
            analysis: a,
            load: &load,
            skipped,
        };
        notes.extend(run.write(folder, &outputs)?);
    }
    run.commit()?;
    Ok(notes)
}
