//! The parts of the app's state, kept apart by what they are: [`Settings`] (what the user chose:
//! parameters and view switches), the [`Workspace`] (the samples and where they came from, the
//! slider), [`Jobs`] (work in flight) and the [`ViewState`] (preview, playback, status). Drags
//! and plot caches live in the panels.

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::analysis::fit::ModeFit;
use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::analysis::transitions::Marks;
use crate::engine::RepaintHook;
use crate::engine::jobs::{LoadJob, Task};
use crate::engine::whatif::{Planted, WhatIfJob};
use crate::engine::worker::{AnalysisWorker, Preview};
use crate::io::{Ignored, LoadError, SeriesLoad};
use crate::model::{Diagnostic, HeatingSeries};
use crate::session::Session;

/// What the user chose: the analysis parameters shared by every sample and view switches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub params: AnalysisParams,
    /// The real-space panel shows g(r) rather than G(r).
    pub show_pair_g: bool,
    /// Drags on the plots move seeds, marks and window edges instead of panning or zooming.
    pub move_mode: bool,
    /// Where the session is saved on exit and read on start (None: not kept).
    pub autosave: Option<PathBuf>,
    /// Draw what was planted in a model sample (demo or what-if) over its analysis.
    pub show_planted: bool,
}

/// A plot image being taken: the window area to keep and where it goes.
pub struct Shot {
    pub rect: egui::Rect,
    pub path: PathBuf,
    /// Where the screenshot arrives, once it has been asked of the window.
    pub arrival: Option<std::sync::mpsc::Receiver<std::sync::Arc<egui::ColorImage>>>,
}

/// Playback speed in patterns per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlayRate(pub f64);

impl PlayRate {
    pub const CHOICES: [f64; 6] = [2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
}

impl Default for PlayRate {
    fn default() -> Self {
        PlayRate(20.0)
    }
}

/// What the window shows beyond the data: the preview refit, playback, the status line.
#[derive(Default)]
pub struct ViewState {
    /// The current temperature's fit refitted after a parameter change, shown until the whole
    /// series has been refitted.
    pub(super) preview: Option<Box<Preview>>,
    pub(super) playing: bool,
    /// When playback last stepped (seconds).
    pub(super) play_clock: f64,
    pub(super) play_rate: PlayRate,
    /// Ctrl+Q or File ▸ Quit was chosen: the window closes after this frame.
    pub(super) quit: bool,
    pub(super) status: String,
    /// Said again after the load that follows (why the demo was opened instead, say).
    pub(super) notice: Option<String>,
    /// Undo and redo of parameter and mark changes.
    pub(super) history: super::history::History,
    /// A plot image asked for: the screenshot it waits for.
    pub(super) shot: Option<Shot>,
    /// A plot's save waiting for its path in the Save plot window.
    pub(super) asking: Option<super::save_plot::Asking>,
    /// The time of the current frame (seconds), for merging a drag into one undo step.
    pub(super) now: f64,
}

/// One loaded sample: its series, what loading it said, how it is shown, and its analysis.
pub struct Sample {
    series: Arc<HeatingSeries>,
    /// T in K (or the index) of every pattern, computed once.
    axis: Vec<f64>,
    pub(super) origin: String,
    pub(super) failed: Vec<LoadError>,
    pub(super) ignored: Vec<Ignored>,
    pub(super) log_problems: Vec<Diagnostic>,
    /// What is wrong with the series as a whole (quantity unknown, part of a mixed folder, no
    /// temperature).
    pub(super) series_problems: Vec<String>,
    pub(super) colour: egui::Color32,
    pub(super) visible: bool,
    pub(super) marks: Marks,
    /// The latest finished analysis.
    pub(super) analysis: Option<Arc<SeriesAnalysis>>,
    /// Fits of the analysis in flight, shown as they finish (index = pattern).
    pub(super) fresh: Vec<Option<ModeFit>>,
    /// Bumped whenever the analysis or the fresh fits change, so plot caches know to rebuild.
    pub(super) revision: u64,
    /// What was planted in the sample, when it is a model (demo or what-if); None for files.
    pub(super) planted: Option<Arc<Planted>>,
    /// The sample is the Model window's what-if sample.
    pub(super) what_if: bool,
    /// The files hold raw intensities I(Q): the load as read and its reduction.
    pub(super) raw: Option<Box<super::reduction::RawState>>,
}

impl Sample {
    /// Takes a grown or re-read load of the same series (a watched folder): its patterns and
    /// what loading said; the colour, visibility, marks and analysis stay until replaced.
    pub(super) fn update_load(&mut self, load: SeriesLoad) {
        self.series_problems = load.problems().iter().map(ToString::to_string).collect();
        let SeriesLoad {
            series,
            failed,
            ignored,
            log: _,
            log_problems,
            origin,
        } = load;
        self.axis = series.axis_values();
        self.series = Arc::new(series);
        self.origin = origin;
        self.failed = failed;
        self.ignored = ignored;
        self.log_problems = log_problems;
        self.fresh.clear();
        self.revision += 1;
    }

    pub(super) fn new(load: SeriesLoad, colour: egui::Color32) -> Self {
        let series_problems = load.problems().iter().map(ToString::to_string).collect();
        let (failed_count, ignored_count) = (load.failed.len(), load.ignored.len());
        let SeriesLoad {
            series,
            failed,
            ignored,
            log: _,
            log_problems,
            origin,
        } = load;
        let series = Arc::new(series);
        let raw =
            super::reduction::RawState::of(&series, failed_count, ignored_count).map(Box::new);
        Sample {
            axis: series.axis_values(),
            series,
            origin,
            failed,
            ignored,
            log_problems,
            series_problems,
            colour,
            visible: true,
            marks: Marks::default(),
            analysis: None,
            fresh: Vec::new(),
            revision: 0,
            planted: None,
            what_if: false,
            raw,
        }
    }

    /// A reduction of the raw load in place of the series shown: the reduction's skipped and
    /// ignored files replace the previous reduction's (those of loading stay).
    pub(super) fn install_reduced(
        &mut self,
        load: SeriesLoad,
        load_failed: usize,
        load_ignored: usize,
    ) {
        self.series_problems = load.problems().iter().map(ToString::to_string).collect();
        self.failed.truncate(load_failed);
        self.failed.extend(load.failed);
        self.ignored.truncate(load_ignored);
        self.ignored.extend(load.ignored);
        self.axis = load.series.axis_values();
        self.series = Arc::new(load.series);
        self.analysis = None;
        self.fresh.clear();
        self.revision += 1;
    }

    /// The raw intensities the sample was loaded from and their reduction, when its files
    /// hold I(Q).
    pub fn reduction(&self) -> Option<&super::reduction::RawState> {
        self.raw.as_deref()
    }

    /// What was planted in the sample, when it is a model (demo or what-if).
    pub fn planted(&self) -> Option<&Arc<Planted>> {
        self.planted.as_ref()
    }

    /// Whether the sample is the Model window's what-if sample.
    pub fn is_what_if(&self) -> bool {
        self.what_if
    }

    pub fn series(&self) -> &HeatingSeries {
        &self.series
    }

    pub(super) fn series_arc(&self) -> &Arc<HeatingSeries> {
        &self.series
    }

    /// The value each pattern is plotted against (T in K, or the index).
    pub fn axis(&self) -> &[f64] {
        &self.axis
    }

    /// The latest finished analysis of this sample.
    pub fn analysis(&self) -> Option<&Arc<SeriesAnalysis>> {
        self.analysis.as_ref()
    }

    /// The sample's T_r/T_g/T_x overrides and calorimetric marks.
    pub fn marks(&self) -> Marks {
        self.marks
    }

    /// Whether the sample is drawn in the overlays.
    pub fn visible(&self) -> bool {
        self.visible
    }

    /// Files of the sample that could not be read.
    pub fn failed(&self) -> &[LoadError] {
        &self.failed
    }

    /// Index of the pattern whose axis value is nearest to `t`.
    pub fn nearest_index(&self, t: f64) -> usize {
        nearest(&self.axis, t)
    }
}

/// Index of the finite value nearest to `t` (0 when there is none).
pub fn nearest(axis: &[f64], t: f64) -> usize {
    axis.iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .min_by(|a, b| (a.1 - t).abs().total_cmp(&(b.1 - t).abs()))
        .map_or(0, |(i, _)| i)
}

/// What is loaded and where the slider is.
#[derive(Default)]
pub struct Workspace {
    pub(super) samples: Vec<Sample>,
    /// Files and folders of the current load (empty: the demo), for sessions.
    pub(super) sources: Vec<PathBuf>,
    /// Temperature log of the current load, for sessions.
    pub(super) loaded_log: Option<PathBuf>,
    /// The sample whose patterns the slider steps through.
    pub(super) active: usize,
    /// Pattern index in the active sample.
    pub(super) cursor: usize,
    /// Bumped on every install, so caches keyed by sample index start afresh.
    pub(super) generation: u64,
    /// Session applied to the next finished load (reopening a session).
    pub(super) pending_session: Option<Session>,
    /// Loads started so far (a session read that finishes after a newer load is dropped).
    pub(super) loads_started: u64,
}

impl Workspace {
    pub(super) fn active_sample(&self) -> Option<&Sample> {
        self.samples.get(self.active)
    }

    /// Index of the what-if sample, if there is one.
    pub(super) fn what_if(&self) -> Option<usize> {
        self.samples.iter().position(|s| s.what_if)
    }

    /// Whether any sample knows what was planted in it.
    pub(super) fn any_planted(&self) -> bool {
        self.samples.iter().any(|s| s.planted.is_some())
    }

    /// Patterns in the active sample.
    pub fn pattern_count(&self) -> usize {
        self.active_sample().map_or(0, |s| s.series.len())
    }

    /// The slider's value on the active sample's axis (T in K, or the index).
    pub fn current_axis_value(&self) -> Option<f64> {
        self.active_sample()?.axis.get(self.cursor).copied()
    }

    /// The pattern index shown for sample `i`: the cursor for the active sample, else the
    /// pattern nearest to the slider's T.
    pub fn shown_index(&self, i: usize) -> usize {
        if i == self.active {
            return self.cursor;
        }
        match (self.samples.get(i), self.current_axis_value()) {
            (Some(s), Some(t)) => s.nearest_index(t),
            _ => 0,
        }
    }

    /// Samples drawn in overlays: the ticked ones (the active one too only when ticked; the
    /// real-space and fit panels always show the active one).
    pub fn shown(&self) -> impl Iterator<Item = (usize, &Sample)> {
        self.samples.iter().enumerate().filter(|(_, s)| s.visible)
    }
}

/// A session file read in the background: what it held, or why it could not be read.
pub struct SessionRead {
    pub(super) path: PathBuf,
    pub(super) result: Result<Session, crate::session::SessionError>,
    /// The last session at start-up (a failure falls back to the demo).
    pub(super) at_start: bool,
    /// Whether the file existed (a missing last session is no failure worth saying).
    pub(super) existed: bool,
    /// The workspace's load count when the read started: a load started since wins.
    pub(super) loads_started: u64,
}

/// What a background task brings back.
pub enum Outcome {
    /// A session was saved (the message for the status line; empty: say nothing).
    Saved(String),
    /// A session file was read.
    SessionRead(Box<SessionRead>),
    /// An export finished (the message for the status line).
    Exported(String),
    /// What was planted in the demo samples, by sample name.
    Planted(Vec<(String, Arc<Planted>)>),
    /// The ΔS(Q, T) heat map pixels of a sample of a workspace generation.
    HeatMap {
        generation: u64,
        sample: usize,
        map: Option<super::pattern::HeatPixels>,
    },
    /// A raw sample's reduction finished.
    Reduced(Box<super::reducing::ReductionDone>),
}

/// Work in flight.
pub struct Jobs {
    pub(super) load: Option<LoadJob>,
    pub(super) worker: Option<AnalysisWorker>,
    /// Analyses of the request in flight, installed together when it finishes so the samples
    /// never show results of different parameters side by side.
    pub(super) incoming: Vec<Option<Arc<SeriesAnalysis>>>,
    pub(super) tasks: Vec<Task<Outcome>>,
    /// A session save is being written; saves queue behind it so the newest lands last.
    pub(super) saving: bool,
    pub(super) next_save: Option<(Session, PathBuf, bool)>,
    /// The what-if series being generated (dropping it stops the work).
    pub(super) what_if: Option<WhatIfJob>,
    /// The folder followed (File ▸ Watch folder…), and how folders are followed.
    pub(super) live: Option<super::live::Live>,
    pub(super) live_options: crate::engine::live::LiveOptions,
    pub(super) repaint: RepaintHook,
}

impl Jobs {
    pub(super) fn new(repaint: RepaintHook) -> Self {
        Jobs {
            load: None,
            worker: None,
            incoming: Vec::new(),
            tasks: Vec::new(),
            saving: false,
            next_save: None,
            what_if: None,
            live: None,
            live_options: Default::default(),
            repaint,
        }
    }

    /// Starts a background task whose outcome the app applies when it arrives.
    pub(super) fn spawn(&mut self, label: &str, work: impl FnOnce() -> Outcome + Send + 'static) {
        let task = Task::spawn(label, Arc::clone(&self.repaint), work);
        self.tasks.push(task);
    }

    /// Whether a session file is being read (the load that follows counts as loading).
    pub(super) fn reading_session(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| t.label == SESSION_READ && !t.is_finished())
    }
}

/// Label of the task reading a session file.
pub(super) const SESSION_READ: &str = "reading the session";
