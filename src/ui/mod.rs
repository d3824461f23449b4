//! The explorer window (eframe/egui). Thin: it shows what the library computed and hands work to
//! the [`crate::engine`]; no analysis code lives here.
//!
//! Layout: a menu bar (File ▸ Open files / folder / path, temperature log, demo), the sample list
//! on the left, the temperature slider with play/pause at the bottom above the problems panel,
//! and the pattern panels in the middle. ←/→ step the slider; files dropped on the window load.

mod controls;
mod panels;
mod problems;
mod realspace;
mod versus;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::analysis::params::AnalysisParams;
use crate::analysis::series::SeriesAnalysis;
use crate::engine::{
    AnalysisJob, Analyzer, CancelToken, LoadJob, Preview, RepaintHook, SharedAnalyzer,
};
use crate::io::{LoadOptions, SeriesLoad};
use crate::model::HeatingSeries;
use crate::session::{Marks, Session};

/// Distinguishable sample colours (Okabe–Ito, readable on dark and light backgrounds).
const SAMPLE_COLOURS: [egui::Color32; 6] = [
    egui::Color32::from_rgb(230, 159, 0),
    egui::Color32::from_rgb(86, 180, 233),
    egui::Color32::from_rgb(0, 158, 115),
    egui::Color32::from_rgb(204, 121, 167),
    egui::Color32::from_rgb(240, 228, 66),
    egui::Color32::from_rgb(213, 94, 0),
];

/// One loaded sample in the explorer. The series itself moves out of `load` into a shared
/// `Arc` so the engine can analyse it without copying.
pub struct SampleView {
    pub load: SeriesLoad,
    series: Arc<HeatingSeries>,
    pub colour: egui::Color32,
    pub visible: bool,
    /// The latest finished analysis of this sample.
    pub analysis: Option<Arc<SeriesAnalysis>>,
    /// The sample's analyzer, kept so parameter changes reuse its cached stages.
    analyzer: SharedAnalyzer,
    /// T_r/T_g/T_x overrides and calorimetric marks.
    pub marks: Marks,
    /// The ΔS(Q, T) heat map, built on first display (inner None: cannot be drawn).
    heat: Option<Option<panels::HeatMap>>,
    /// Fits of the analysis in flight, shown as they finish (index = pattern).
    pub fresh: Vec<Option<crate::analysis::fit::ModeFit>>,
}

impl SampleView {
    fn new(mut load: SeriesLoad, colour: egui::Color32) -> Self {
        let placeholder = HeatingSeries::new(load.series.sample.clone(), None, Vec::new());
        let series = Arc::new(std::mem::replace(&mut load.series, placeholder));
        SampleView {
            load,
            analyzer: Arc::new(std::sync::Mutex::new(Analyzer::new(Arc::clone(&series)))),
            series,
            colour,
            visible: true,
            analysis: None,
            marks: Marks::default(),
            heat: None,
            fresh: Vec::new(),
        }
    }

    pub fn series(&self) -> &HeatingSeries {
        &self.series
    }
}

/// The explorer application state.
pub struct GlassrayApp {
    pub samples: Vec<SampleView>,
    /// The sample whose patterns the slider steps through.
    pub active: usize,
    /// Pattern index in the active sample.
    pub cursor: usize,
    pub playing: bool,
    play_clock: f64,
    job: Option<LoadJob>,
    /// Path typed in File ▸ Open path (the fallback when no file dialog is available).
    pub path_input: String,
    /// Temperature log attached to the next load.
    pub log_input: String,
    pub status: String,
    /// Analysis parameters used for every sample.
    pub params: AnalysisParams,
    analysis_job: Option<AnalysisJob>,
    cancel: CancelToken,
    /// Real-space panel shows g(r) instead of G(r).
    pub show_pair_g: bool,
    repaint: RepaintHook,
    /// The current temperature's fit refitted after a parameter change, shown until the whole
    /// series has been refitted.
    pub preview: Option<Preview>,
    /// Drags on the plots move seeds, marks and window edges instead of panning or zooming.
    pub move_mode: bool,
    /// What is being dragged in move mode.
    drag: Option<controls::Handle>,
    /// Where the four seed lines were drawn (screen x), for hit testing and tests.
    pub seed_screen_x: [f32; 4],
    /// Where the FSDP window's edges were drawn on the S(Q) panel (screen x).
    pub fsdp_screen_x: [f32; 2],
    /// Files and folders of the current load (empty: the demo), for sessions.
    sources: Vec<PathBuf>,
    /// Temperature log of the current load, for sessions.
    loaded_log: Option<PathBuf>,
    /// Where the session is saved on exit and read on start (None: not kept).
    pub autosave: Option<PathBuf>,
    /// Session applied to the next finished load (reopening a session).
    pending_session: Option<Session>,
    /// Path typed for File ▸ Save/Open session and Export.
    pub session_input: String,
    pub export_input: String,
}

impl GlassrayApp {
    /// A new app: loads `paths`, or the embedded demo when there are none.
    pub fn new(ctx: &egui::Context, paths: Vec<PathBuf>) -> Self {
        let mut app = Self::blank(ctx);
        if paths.is_empty() {
            app.open_demo();
        } else {
            app.open(paths);
        }
        app
    }

    /// An app with nothing loaded or loading.
    fn blank(ctx: &egui::Context) -> Self {
        let c = ctx.clone();
        let repaint: RepaintHook = Arc::new(move || c.request_repaint());
        let paths = Vec::new();
        GlassrayApp {
            samples: Vec::new(),
            active: 0,
            cursor: 0,
            playing: false,
            play_clock: 0.0,
            status: String::new(),
            job: None,
            path_input: String::new(),
            log_input: String::new(),
            params: AnalysisParams::default(),
            analysis_job: None,
            cancel: CancelToken::default(),
            show_pair_g: false,
            repaint,
            preview: None,
            move_mode: false,
            drag: None,
            seed_screen_x: [f32::NAN; 4],
            fsdp_screen_x: [f32::NAN; 2],
            loaded_log: None,
            sources: paths,
            autosave: None,
            pending_session: None,
            session_input: String::new(),
            export_input: String::new(),
        }
    }

    /// Like [`GlassrayApp::new`] with no paths, but reopening the session at `path` when it can
    /// be read (the app keeps it up to date there on exit); the demo otherwise.
    pub fn with_autosave(ctx: &egui::Context, path: PathBuf) -> Self {
        let mut app = match Session::load(&path) {
            Ok(session) => {
                let mut app = GlassrayApp::blank(ctx);
                app.apply_session_now(session);
                app
            }
            Err(e) => {
                let mut app = GlassrayApp::new(ctx, Vec::new());
                if path.exists() {
                    app.status = format!("{e}; starting on the demo");
                }
                app
            }
        };
        app.autosave = Some(path);
        app
    }

    /// Parameters and marks for sample `i`: the shared parameters with the sample's marks.
    pub fn sample_params(&self, i: usize) -> (AnalysisParams, Marks) {
        (
            self.params.clone(),
            self.samples.get(i).map(|s| s.marks).unwrap_or_default(),
        )
    }

    /// Sets the shared parameters; a change re-analyses in the background (the current
    /// temperature's fit first).
    pub fn set_params(&mut self, params: AnalysisParams) {
        if params != self.params {
            self.params = params;
            self.analyse_all_with_preview(true);
        }
    }

    /// Sets sample `i`'s marks; a change recomputes the transitions in the background.
    pub fn set_marks(&mut self, i: usize, marks: Marks) {
        if let Some(s) = self.samples.get_mut(i)
            && s.marks != marks
        {
            s.marks = marks;
            self.analyse_all_with_preview(false);
        }
    }

    /// The session describing the current state.
    pub fn session(&self) -> Session {
        Session {
            sources: self.sources.clone(),
            temperature_log: self.loaded_log.clone(),
            params: self.params.clone(),
            marks: self
                .samples
                .iter()
                .filter(|s| s.marks != Marks::default())
                .map(|s| (s.series.sample.clone(), s.marks))
                .collect(),
            hidden: self
                .samples
                .iter()
                .filter(|s| !s.visible)
                .map(|s| s.series.sample.clone())
                .collect(),
            active: self
                .samples
                .get(self.active)
                .map(|s| s.series.sample.clone()),
            cursor: self.cursor,
            show_pair_g: self.show_pair_g,
            ..Default::default()
        }
    }

    /// Saves the session (atomically).
    pub fn save_session(&mut self, path: &std::path::Path) {
        self.status = match self.session().save(path) {
            Ok(()) => format!("session saved to {}", path.display()),
            Err(e) => e.to_string(),
        };
    }

    /// Reopens a session file: loads its sources, then applies its parameters and marks.
    pub fn open_session(&mut self, path: &std::path::Path) {
        match Session::load(path) {
            Ok(session) => {
                self.apply_session_now(session);
                self.status = format!("reopening session {}…", path.display());
            }
            Err(e) => self.status = e.to_string(),
        }
    }

    fn apply_session_now(&mut self, session: Session) {
        self.params = session.params.clone();
        self.show_pair_g = session.show_pair_g;
        self.log_input = session
            .temperature_log
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let sources = session.sources.clone();
        self.pending_session = Some(session);
        if sources.is_empty() {
            self.open_demo();
        } else {
            self.open(sources);
        }
    }

    /// Writes metrics.csv, summary.json and gr/ for every analysed sample under `dir`
    /// (`dir/<sample>/` when there are several).
    pub fn export(&mut self, dir: &std::path::Path) {
        let several = self.samples.len() > 1;
        let mut written = 0;
        for s in &self.samples {
            let Some(a) = &s.analysis else { continue };
            let out = if several {
                dir.join(crate::report::safe_name(&s.series.sample))
            } else {
                dir.to_path_buf()
            };
            let skipped: Vec<String> = s.load.failed.iter().map(ToString::to_string).collect();
            if let Err(e) = crate::report::write_outputs(&out, &s.series, &skipped, a) {
                self.status = format!("export failed: {e}");
                return;
            }
            written += 1;
        }
        self.status = if written == 0 {
            "nothing to export yet: the analysis is still running".into()
        } else {
            format!("exported {written} sample(s) to {}", dir.display())
        };
    }

    /// Whether an analysis is still running.
    pub fn is_analysing(&self) -> bool {
        self.analysis_job.is_some()
    }

    /// Starts analysing every sample in the background (cancelling any analysis in flight).
    pub fn analyse_all(&mut self) {
        self.analyse_all_with_preview(false);
    }

    fn analyse_all_with_preview(&mut self, preview: bool) {
        let analyzers: Vec<SharedAnalyzer> = self
            .samples
            .iter()
            .map(|s| Arc::clone(&s.analyzer))
            .collect();
        if analyzers.is_empty() {
            return;
        }
        let params = (0..self.samples.len())
            .map(|i| self.sample_params(i))
            .collect();
        for s in &mut self.samples {
            s.fresh.clear();
        }
        self.analysis_job = Some(AnalysisJob::spawn(
            analyzers,
            params,
            self.cancel.clone(),
            Arc::clone(&self.repaint),
            preview.then_some((self.active, self.cursor)),
        ));
    }

    fn poll_analysis(&mut self) {
        let Some(job) = &self.analysis_job else {
            return;
        };
        if let Some(p) = job.take_preview() {
            self.preview = Some(p);
        }
        for (sample, index, fit) in job.take_finished() {
            if let Some(s) = self.samples.get_mut(sample) {
                let n = s.series.len();
                if s.fresh.len() != n {
                    s.fresh = vec![None; n];
                }
                if let Some(slot) = s.fresh.get_mut(index) {
                    *slot = Some(fit);
                }
            }
        }
        let Some(results) = job.take() else { return };
        self.analysis_job = None;
        self.preview = None;
        for s in &mut self.samples {
            s.fresh.clear();
        }
        for (s, a) in self.samples.iter_mut().zip(results) {
            s.analysis = Some(Arc::new(a));
        }
    }

    /// Whether a load is still running.
    pub fn is_loading(&self) -> bool {
        self.job.is_some()
    }

    /// Starts loading `paths` in the background (replacing any load in progress).
    pub fn open(&mut self, paths: Vec<PathBuf>) {
        if paths.is_empty() {
            return;
        }
        let log = self.log_input.trim();
        let opts = LoadOptions {
            temperature_log: (!log.is_empty()).then(|| PathBuf::from(log)),
            ..Default::default()
        };
        self.sources = paths.clone();
        self.loaded_log = opts.temperature_log.clone();
        let job = LoadJob::files(paths, opts, Arc::clone(&self.repaint));
        self.status = format!("loading {}…", job.label);
        self.job = Some(job);
    }

    fn open_demo(&mut self) {
        self.sources.clear();
        self.loaded_log = None;
        let job = LoadJob::demo(Arc::clone(&self.repaint));
        self.status = "building the embedded demo…".into();
        self.job = Some(job);
    }

    /// Collects a finished load: its series replace the current samples.
    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(loads) = job.take() else { return };
        self.job = None;
        self.install(loads);
    }

    /// An app showing `loads` at once (no background load), analysis started: for embedding,
    /// tests and frame-time benchmarks.
    pub fn with_loads(ctx: &egui::Context, loads: Vec<SeriesLoad>) -> Self {
        let mut app = GlassrayApp::blank(ctx);
        app.install(loads);
        app
    }

    /// Replaces the samples with `loads` and analyses them.
    fn install(&mut self, loads: Vec<SeriesLoad>) {
        let patterns: usize = loads.iter().map(|l| l.series.len()).sum();
        let failed: usize = loads.iter().map(|l| l.failed.len()).sum();
        self.status = format!(
            "{} sample(s), {patterns} pattern(s) loaded{}",
            loads.len(),
            if failed > 0 {
                format!(", {failed} file(s) skipped (see Problems)")
            } else {
                String::new()
            }
        );
        self.samples = loads
            .into_iter()
            .enumerate()
            .map(|(i, load)| SampleView::new(load, SAMPLE_COLOURS[i % SAMPLE_COLOURS.len()]))
            .collect();
        self.active = self
            .samples
            .iter()
            .position(|s| !s.series().is_empty())
            .unwrap_or(0);
        self.cursor = 0;
        self.playing = false;
        if let Some(session) = self.pending_session.take() {
            for s in &mut self.samples {
                s.marks = session
                    .marks
                    .get(&s.series.sample)
                    .copied()
                    .unwrap_or_default();
                s.visible = !session.hidden.contains(&s.series.sample);
            }
            if let Some(i) = session
                .active
                .as_ref()
                .and_then(|name| self.samples.iter().position(|s| &s.series.sample == name))
            {
                self.active = i;
            }
            self.cursor = session.cursor.min(self.pattern_count().saturating_sub(1));
        }
        self.preview = None;
        self.analyse_all();
    }

    /// Patterns in the active sample.
    pub fn pattern_count(&self) -> usize {
        self.samples
            .get(self.active)
            .map_or(0, |s| s.series().len())
    }

    /// Moves the slider by `step` patterns (clamped).
    pub fn step(&mut self, step: isize) {
        let n = self.pattern_count();
        if n == 0 {
            return;
        }
        self.cursor = (self.cursor as isize + step).clamp(0, n as isize - 1) as usize;
    }

    /// The slider's value on the active sample's axis (T in K, or the index).
    pub fn current_axis_value(&self) -> Option<f64> {
        let s = self.samples.get(self.active)?.series();
        s.axis_values().get(self.cursor).copied()
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.open(dropped);
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (left, right, space) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::Space),
            )
        });
        if left {
            self.step(-1);
        }
        if right {
            self.step(1);
        }
        if space {
            self.playing = !self.playing;
        }
    }

    fn advance_playback(&mut self, ctx: &egui::Context) {
        if !self.playing {
            return;
        }
        let now = ctx.input(|i| i.time);
        // 20 patterns per second: a 150-pattern ramp plays in under 8 s.
        if now - self.play_clock >= 0.05 {
            self.play_clock = now;
            if self.cursor + 1 >= self.pattern_count() {
                self.playing = false;
            } else {
                self.cursor += 1;
            }
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(16));
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open files…").clicked() {
                    ui.close();
                    if let Some(files) = rfd::FileDialog::new().set_title("Open patterns").pick_files() {
                        self.open(files);
                    } else {
                        self.status = "no files chosen (no file dialog here? type a path under File ▸ Open path)".into();
                    }
                }
                if ui.button("Open folder…").clicked() {
                    ui.close();
                    if let Some(dir) = rfd::FileDialog::new().set_title("Open a series folder").pick_folder() {
                        self.open(vec![dir]);
                    } else {
                        self.status = "no folder chosen (no file dialog here? type a path under File ▸ Open path)".into();
                    }
                }
                ui.separator();
                ui.label("Open path (file or folder):");
                let path_edit = controls::path_field(ui, &mut self.path_input, "/data/run42", "Path to open");
                let enter = path_edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Open path").clicked() || enter {
                    let paths: Vec<PathBuf> = self
                        .path_input
                        .split(';')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(PathBuf::from)
                        .collect();
                    ui.close();
                    self.open(paths);
                }
                ui.separator();
                ui.label("Temperature log for the next load (optional):");
                controls::path_field(ui, &mut self.log_input, "temperatures.csv", "Temperature log");
                if ui.button("Choose log…").clicked()
                    && let Some(f) = rfd::FileDialog::new().add_filter("CSV", &["csv", "txt"]).pick_file()
                {
                    self.log_input = f.display().to_string();
                }
                ui.separator();
                if ui.button("Save session…").clicked() {
                    ui.close();
                    if let Some(f) = rfd::FileDialog::new().add_filter("Glassray session", &["ron"]).set_file_name("session.ron").save_file() {
                        self.save_session(&f);
                    }
                }
                if ui.button("Open session…").clicked() {
                    ui.close();
                    if let Some(f) = rfd::FileDialog::new().add_filter("Glassray session", &["ron"]).pick_file() {
                        self.open_session(&f);
                    }
                }
                controls::path_field(ui, &mut self.session_input, "session.ron", "Session file");
                ui.horizontal(|ui| {
                    let path = PathBuf::from(self.session_input.trim());
                    let ok = !self.session_input.trim().is_empty();
                    if ui.add_enabled(ok, egui::Button::new("Save session to path")).clicked() {
                        self.save_session(&path);
                    }
                    if ui.add_enabled(ok, egui::Button::new("Open session from path")).clicked() {
                        ui.close();
                        self.open_session(&path);
                    }
                });
                ui.separator();
                if ui.button("Export analysis…").clicked() {
                    ui.close();
                    if let Some(dir) = rfd::FileDialog::new().set_title("Export metrics.csv, summary.json and gr/ into").pick_folder() {
                        self.export(&dir);
                    }
                }
                controls::path_field(ui, &mut self.export_input, "/results/run42", "Export folder");
                if ui.add_enabled(!self.export_input.trim().is_empty(), egui::Button::new("Export to folder")).clicked() {
                    let dir = PathBuf::from(self.export_input.trim());
                    self.export(&dir);
                }
                ui.separator();
                if ui.button("Load embedded demo").clicked() {
                    ui.close();
                    self.open_demo();
                }
                if ui.add(egui::Button::new("Quit").shortcut_text("Ctrl+Q")).clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
        });
    }

    fn sample_list(&mut self, ui: &mut egui::Ui) {
        ui.heading("Samples");
        if self.samples.is_empty() {
            ui.label(if self.is_loading() {
                "loading…"
            } else {
                "none loaded"
            });
            return;
        }
        let mut activate = None;
        for (i, s) in self.samples.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, s.colour);
                ui.checkbox(&mut s.visible, "").widget_info(|| {
                    egui::WidgetInfo::selected(
                        egui::Role::CheckBox,
                        true,
                        s.visible,
                        format!("Show {}", s.series.sample),
                    )
                });
                let label = format!("{} ({})", s.series.sample, s.series.len());
                if ui.selectable_label(i == self.active, label).clicked() {
                    activate = Some(i);
                }
            });
        }
        if let Some(i) = activate {
            let t = self.current_axis_value();
            self.active = i;
            self.cursor = t.map_or(0, |t| nearest_index(self.samples[i].series(), t));
        }
        ui.separator();
        if let Some(s) = self.samples.get(self.active) {
            let series = s.series();
            if let Some(c) = &series.composition {
                ui.label(format!("Composition: {c}"));
            }
            if let Some((lo, hi)) = series.temperature_range() {
                ui.label(format!("T range: {lo:.1}–{hi:.1} K"));
            }
            ui.label(format!("From: {}", s.load.origin));
            for note in &series.notes {
                ui.small(note);
            }
        }
    }

    fn parameter_panel(&mut self, ui: &mut egui::Ui) {
        ui.separator();
        ui.heading("Parameters");
        let mut params = self.params.clone();
        controls::parameters(ui, &mut params);
        if ui.button("Reset parameters").clicked() {
            params = AnalysisParams::default();
        }
        self.set_params(params);
        ui.separator();
        let Some(sample) = self.samples.get(self.active) else {
            return;
        };
        ui.heading(format!("Marks: {}", sample.series.sample));
        let mut marks = sample.marks;
        let analysis = sample.analysis.clone();
        controls::marks(ui, analysis.as_deref(), &mut marks);
        self.set_marks(self.active, marks);
    }

    fn slider_bar(&mut self, ui: &mut egui::Ui) {
        let n = self.pattern_count();
        ui.horizontal(|ui| {
            let play = if self.playing { "Pause" } else { "Play" };
            if ui.add_enabled(n > 1, egui::Button::new(play)).clicked() {
                self.playing = !self.playing;
                if self.playing && self.cursor + 1 >= n {
                    self.cursor = 0;
                }
            }
            if n == 0 {
                ui.label("no patterns");
                return;
            }
            let series = self.samples[self.active].series();
            let axis = series.axis_values();
            let kelvin = series.axis == crate::model::TemperatureAxis::Kelvin;
            let formatter = move |v: f64, _: std::ops::RangeInclusive<usize>| {
                let i = v.round().max(0.0) as usize;
                match axis.get(i) {
                    Some(t) if kelvin && t.is_finite() => format!("{t:.1} K"),
                    _ => format!("#{i}"),
                }
            };
            ui.spacing_mut().slider_width = (ui.available_width() - 460.0).max(120.0);
            ui.add(
                egui::Slider::new(&mut self.cursor, 0..=n - 1)
                    .text("T")
                    .custom_formatter(formatter)
                    .custom_parser(|_| None),
            );
            ui.label(format!("pattern {} of {n}", self.cursor + 1));
            ui.checkbox(&mut self.move_mode, "Move mode").on_hover_text(
                "Drags on the plots move fit seeds, marks and the FSDP window instead of panning or zooming",
            );
            if let Some(job) = &self.analysis_job {
                let (done, total) = job.progress();
                ui.add(
                    egui::ProgressBar::new(if total > 0 { done as f32 / total as f32 } else { 0.0 })
                        .desired_width(120.0)
                        .text("analysing"),
                );
            }
        });
    }
}

/// Index of the pattern whose axis value is nearest to `t`.
pub fn nearest_index(series: &HeatingSeries, t: f64) -> usize {
    series
        .axis_values()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .min_by(|a, b| (a.1 - t).abs().total_cmp(&(b.1 - t).abs()))
        .map_or(0, |(i, _)| i)
}

impl eframe::App for GlassrayApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_job();
        self.poll_analysis();
        self.handle_input(&ctx);
        self.advance_playback(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(job) = &self.job {
                    let (done, total) = job.progress();
                    let fraction = if total > 0 {
                        done as f32 / total as f32
                    } else {
                        0.0
                    };
                    ui.add(
                        egui::ProgressBar::new(fraction)
                            .desired_width(200.0)
                            .text(format!("{done}/{total}")),
                    );
                }
                ui.label(&self.status);
            });
        });
        egui::Panel::bottom("problems")
            .resizable(true)
            .default_size(120.0)
            .show(ui, |ui| problems::ui(ui, &self.samples));
        egui::Panel::bottom("slider").show(ui, |ui| self.slider_bar(ui));
        egui::Panel::left("samples")
            .resizable(true)
            .default_size(250.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.sample_list(ui);
                    self.parameter_panel(ui);
                });
            });
        let busy = self.is_analysing();
        let active = self.active;
        let analysis = self.samples.get(active).and_then(|s| s.analysis.clone());
        let preview = self
            .preview
            .as_ref()
            .filter(|p| p.sample == active && p.index == self.cursor)
            .map(|p| p.fit.clone())
            .or_else(|| {
                self.samples
                    .get(active)
                    .and_then(|s| s.fresh.get(self.cursor).cloned().flatten())
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(3, |cols| {
                panels::ui(&mut cols[0], self);
                realspace::ui(
                    &mut cols[1],
                    self,
                    analysis.as_deref(),
                    preview.as_ref(),
                    busy,
                );
                versus::ui(&mut cols[2], self);
            });
        });
    }

    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        if let Some(path) = self.autosave.clone()
            && !self.samples.is_empty()
            && let Err(e) = self.session().save(&path)
        {
            self.status = e.to_string();
        }
    }
}

/// Opens the explorer window. Returns an error message when no window can be opened.
pub fn run(paths: Vec<PathBuf>) -> Result<(), String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no display: set DISPLAY or WAYLAND_DISPLAY (or use the command-line tools: `glassray --help`)".into());
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Glassray")
            .with_inner_size([1400.0, 900.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Glassray",
        options,
        Box::new(move |cc| {
            // The last session reopens when no paths are given; either way the session on
            // exit is kept there.
            Ok(Box::new(
                match (paths.is_empty(), Session::default_path()) {
                    (true, Some(last)) => GlassrayApp::with_autosave(&cc.egui_ctx, last),
                    (false, last) => {
                        let mut app = GlassrayApp::new(&cc.egui_ctx, paths);
                        app.autosave = last;
                        app
                    }
                    (true, None) => GlassrayApp::new(&cc.egui_ctx, paths),
                },
            ))
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
