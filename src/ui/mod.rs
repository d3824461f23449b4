//! The explorer window (eframe/egui). Thin: it shows what the library computed and hands work to
//! the [`crate::engine`]; no analysis code lives here.
//!
//! Layout: a menu bar (File ▸ Open files / folder / path, temperature log, demo), the sample list
//! on the left, the temperature slider with play/pause at the bottom above the problems panel,
//! and the pattern panels in the middle. ←/→ step the slider; files dropped on the window load.

mod panels;
mod problems;
mod realspace;

use std::path::PathBuf;
use std::sync::Arc;

use eframe::egui;

use crate::analysis::series::{AnalysisParams, SeriesAnalysis};
use crate::engine::{AnalysisJob, CancelToken, LoadJob, RepaintHook};
use crate::io::{LoadOptions, SeriesLoad};
use crate::model::HeatingSeries;

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
}

impl SampleView {
    fn new(mut load: SeriesLoad, colour: egui::Color32) -> Self {
        let placeholder = HeatingSeries::new(load.series.sample.clone(), None, Vec::new());
        let series = Arc::new(std::mem::replace(&mut load.series, placeholder));
        SampleView {
            load,
            series,
            colour,
            visible: true,
            analysis: None,
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
}

impl GlassrayApp {
    /// A new app: loads `paths`, or the embedded demo when there are none.
    pub fn new(ctx: &egui::Context, paths: Vec<PathBuf>) -> Self {
        let c = ctx.clone();
        let repaint: RepaintHook = Arc::new(move || c.request_repaint());
        let job = if paths.is_empty() {
            LoadJob::demo(Arc::clone(&repaint))
        } else {
            LoadJob::files(paths, LoadOptions::default(), Arc::clone(&repaint))
        };
        GlassrayApp {
            samples: Vec::new(),
            active: 0,
            cursor: 0,
            playing: false,
            play_clock: 0.0,
            status: format!("loading {}…", job.label),
            job: Some(job),
            path_input: String::new(),
            log_input: String::new(),
            params: AnalysisParams::default(),
            analysis_job: None,
            cancel: CancelToken::default(),
            show_pair_g: false,
            repaint,
        }
    }

    /// Whether an analysis is still running.
    pub fn is_analysing(&self) -> bool {
        self.analysis_job.is_some()
    }

    /// Starts analysing every sample in the background (cancelling any analysis in flight).
    pub fn analyse_all(&mut self) {
        let series: Vec<Arc<HeatingSeries>> =
            self.samples.iter().map(|s| Arc::clone(&s.series)).collect();
        if series.is_empty() {
            return;
        }
        self.analysis_job = Some(AnalysisJob::spawn(
            series,
            self.params.clone(),
            self.cancel.clone(),
            Arc::clone(&self.repaint),
        ));
    }

    fn poll_analysis(&mut self) {
        let Some(job) = &self.analysis_job else {
            return;
        };
        let Some(results) = job.take() else { return };
        self.analysis_job = None;
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
        let job = LoadJob::files(paths, opts, Arc::clone(&self.repaint));
        self.status = format!("loading {}…", job.label);
        self.job = Some(job);
    }

    fn open_demo(&mut self) {
        let job = LoadJob::demo(Arc::clone(&self.repaint));
        self.status = "building the embedded demo…".into();
        self.job = Some(job);
    }

    /// Collects a finished load: its series replace the current samples.
    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(loads) = job.take() else { return };
        self.job = None;
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
                let path_edit = ui.add(
                    egui::TextEdit::singleline(&mut self.path_input)
                        .hint_text("/data/run42")
                        .desired_width(280.0),
                );
                path_edit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Path to open"));
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
                let log_edit = ui.add(
                    egui::TextEdit::singleline(&mut self.log_input)
                        .hint_text("temperatures.csv")
                        .desired_width(280.0),
                );
                log_edit.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Temperature log"));
                if ui.button("Choose log…").clicked()
                    && let Some(f) = rfd::FileDialog::new().add_filter("CSV", &["csv", "txt"]).pick_file()
                {
                    self.log_input = f.display().to_string();
                }
                ui.separator();
                if ui.button("Load embedded demo").clicked() {
                    ui.close();
                    self.open_demo();
                }
                if ui.button("Quit").clicked() {
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
            ui.spacing_mut().slider_width = (ui.available_width() - 260.0).max(120.0);
            ui.add(
                egui::Slider::new(&mut self.cursor, 0..=n - 1)
                    .text("T")
                    .custom_formatter(formatter)
                    .custom_parser(|_| None),
            );
            ui.label(format!("pattern {} of {n}", self.cursor + 1));
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
            .default_size(220.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.sample_list(ui));
            });
        let busy = self.is_analysing();
        let analysis = self
            .samples
            .get(self.active)
            .and_then(|s| s.analysis.clone());
        let (samples, active, cursor) = (&self.samples, self.active, self.cursor);
        let show_pair_g = &mut self.show_pair_g;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.columns(2, |cols| {
                panels::ui(&mut cols[0], samples, active, cursor);
                realspace::ui(&mut cols[1], analysis.as_deref(), cursor, show_pair_g, busy);
            });
        });
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
        Box::new(move |cc| Ok(Box::new(GlassrayApp::new(&cc.egui_ctx, paths)))),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
