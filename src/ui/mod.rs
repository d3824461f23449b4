//! The explorer window (eframe/egui). Thin: it shows what the library computed and hands every
//! slow step to the [`crate::engine`] (loading, analysing, writing files); no analysis code
//! lives here.
//!
//! The app is a few parts ([`state`]): `Settings` (parameters and view switches), the
//! `Workspace` (samples, slider), `Jobs` (work in flight), and panels that own their view state.
//! Each frame the panels draw and return [`Action`]s, which are applied after drawing (never a
//! job started mid-draw).
//!
//! Layout: a menu bar (File ▸ open, sessions, export, demo), the sample list with parameters
//! and marks on the left, the temperature slider at the bottom above the problems panel, and
//! three columns: S(Q) panels, real-space panels, versus-T panels. ←/→ step the slider, Space
//! plays; files dropped on the window load.

mod actions;
mod controls;
mod decimate;
mod help;
mod history;
mod intensity;
mod layout;
mod live;
mod menu;
mod model;
mod pattern;
mod planted;
mod problems;
mod realspace;
mod reducing;
mod reduction;
mod save_plot;
mod sidebar;
pub mod state;
mod tour;
mod versus;
mod versus_curves;
mod whatif;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use eframe::egui;

pub use actions::Action;
pub use help::explanation;
use state::{Jobs, Sample, Settings, ViewState, Workspace};

use crate::analysis::fit::ModeFit;
use crate::analysis::params::AnalysisParams;
use crate::engine::RepaintHook;

/// Distinguishable sample colours (Okabe–Ito, readable on dark and light backgrounds).
const SAMPLE_COLOURS: [egui::Color32; 6] = [
    // Okabe–Ito orange, sky blue and yellow, then Tol's pale purple, olive and sand: none is a
    // mode's colour (realspace::MODE_COLOURS) and marks are grey.
    egui::Color32::from_rgb(230, 159, 0),
    egui::Color32::from_rgb(86, 180, 233),
    egui::Color32::from_rgb(240, 228, 66),
    egui::Color32::from_rgb(204, 153, 204),
    egui::Color32::from_rgb(153, 153, 51),
    egui::Color32::from_rgb(221, 204, 119),
];

/// Every plot in the window, for tests that ask where things were drawn
/// ([`GlassrayApp::screen_x`]) or what a plot shows ([`GlassrayApp::plot_bounds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotId {
    /// The measured quantity (S(Q)) at the slider's T.
    Pattern,
    /// ΔS(Q) against the reference pattern.
    Difference,
    /// The ΔS(Q) heat map over the series.
    HeatMap,
    /// G(r) or g(r) with its lobes.
    RealSpace,
    /// The connection-mode fit of the second g(r) peak.
    Fit,
    /// The FSDP first moment versus T.
    FsdpMoment,
    /// The FSDP area versus T.
    FsdpArea,
    /// r1 and r6 versus T.
    Lobes,
    /// The connection-mode fractions versus T.
    Fractions,
    /// The fit RMSE versus T.
    Rmse,
    /// A raw sample's I(Q), scaled background and their difference (the I(Q) view).
    Intensity,
    /// The normalised intensity against the self scattering (the I(Q) view).
    Normalised,
    /// ρ0 of each reduced pattern versus T (the I(Q) view).
    Rho0,
    /// The background scale of each reduced pattern versus T (the I(Q) view).
    BackgroundScale,
}

impl PlotId {
    /// Every plot of the S(Q) view, top left to bottom right (the I(Q) view's are not drawn
    /// at the same time).
    pub const ALL: [PlotId; 10] = [
        PlotId::Pattern,
        PlotId::Difference,
        PlotId::HeatMap,
        PlotId::RealSpace,
        PlotId::Fit,
        PlotId::FsdpMoment,
        PlotId::FsdpArea,
        PlotId::Lobes,
        PlotId::Fractions,
        PlotId::Rmse,
    ];

    fn id(self) -> egui::Id {
        egui::Id::unique(match self {
            PlotId::Pattern => "pattern_plot",
            PlotId::Difference => "difference_plot",
            PlotId::HeatMap => "heat_map_plot",
            PlotId::RealSpace => "real_space_plot",
            PlotId::Fit => "fit_plot",
            PlotId::FsdpMoment => "vs_moment",
            PlotId::FsdpArea => "vs_area",
            PlotId::Lobes => "vs_lobes",
            PlotId::Fractions => "vs_fractions",
            PlotId::Rmse => "vs_rmse",
            PlotId::Intensity => "iq_plot",
            PlotId::Normalised => "iq_normalised_plot",
            PlotId::Rho0 => "vs_rho0",
            PlotId::BackgroundScale => "vs_background_scale",
        })
    }
}

/// The explorer application.
pub struct GlassrayApp {
    settings: Settings,
    workspace: Workspace,
    jobs: Jobs,
    view: ViewState,
    panels: Panels,
}

/// The panels, each owning its view state (drags, plot caches, typed paths).
#[derive(Default)]
struct Panels {
    menu: menu::Menu,
    sidebar: sidebar::Sidebar,
    pattern: pattern::PatternPanel,
    real: realspace::RealSpacePanel,
    versus: versus::VersusPanel,
    intensity: intensity::IntensityPanel,
    tour: tour::Tour,
    model: model::ModelWindow,
    /// Where the tour's areas were drawn in the last frame.
    areas: tour::Areas,
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
        GlassrayApp {
            settings: Settings::default(),
            workspace: Workspace::default(),
            jobs: Jobs::new(repaint),
            view: ViewState::default(),
            panels: Panels::default(),
        }
    }

    /// Like [`GlassrayApp::new`] with no paths, but reopening the session at `path` when it can
    /// be read (the app keeps it up to date there on exit); the demo otherwise.
    pub fn with_autosave(ctx: &egui::Context, path: PathBuf) -> Self {
        let mut app = GlassrayApp::blank(ctx);
        app.view.status = "reopening the last session…".into();
        // Before the platform's folder was used, the last session lived in ~/.config/glassray
        // on every system: read it from there once if the new place has none yet.
        let read_from = match crate::session::Session::legacy_path() {
            Some(old) if !path.exists() && old.exists() => old,
            _ => path.clone(),
        };
        app.read_session(read_from, true);
        app.settings.autosave = Some(path);
        app
    }

    /// An app showing `loads` at once (no background load), analysis started: for embedding,
    /// tests and frame-time benchmarks.
    pub fn with_loads(ctx: &egui::Context, loads: Vec<crate::io::SeriesLoad>) -> Self {
        let mut app = GlassrayApp::blank(ctx);
        app.install(loads);
        app
    }

    /// Sets where the session is saved on exit.
    pub fn keep_session_at(&mut self, path: Option<PathBuf>) {
        self.settings.autosave = path;
    }

    // ---- What tests and embedders may ask --------------------------------------------

    pub fn samples(&self) -> &[Sample] {
        &self.workspace.samples
    }
    pub fn active(&self) -> usize {
        self.workspace.active
    }
    /// Pattern index of the slider in the active sample.
    pub fn cursor(&self) -> usize {
        self.workspace.cursor
    }
    pub fn params(&self) -> &AnalysisParams {
        &self.settings.params
    }
    pub fn show_pair_g(&self) -> bool {
        self.settings.show_pair_g
    }
    pub fn move_mode(&self) -> bool {
        self.settings.move_mode
    }
    /// The status line's text.
    pub fn status(&self) -> &str {
        &self.view.status
    }
    /// The samples whose curves the overlays (S(Q), ΔS(Q), versus T) draw.
    pub fn drawn_samples(&self) -> Vec<usize> {
        self.workspace.shown().map(|(i, _)| i).collect()
    }
    pub fn pattern_count(&self) -> usize {
        self.workspace.pattern_count()
    }
    /// The slider's value on the active sample's axis (T in K, or the index).
    pub fn current_axis_value(&self) -> Option<f64> {
        self.workspace.current_axis_value()
    }
    /// Whether a load (or the session that starts one) is still running.
    pub fn is_loading(&self) -> bool {
        self.jobs.load.is_some() || self.jobs.reading_session()
    }
    /// Whether an analysis is still running.
    pub fn is_analysing(&self) -> bool {
        self.jobs.worker.as_ref().is_some_and(|w| w.is_busy())
    }
    /// The parameters the Model window holds (checked: every value valid).
    pub fn model_params(&self) -> &crate::engine::whatif::WhatIfParams {
        &self.panels.model.params
    }
    /// Whether the Model window's what-if sample is being generated.
    pub fn is_building_model(&self) -> bool {
        self.jobs.what_if.is_some()
    }
    /// Whether the versus-T panels draw what was planted in model samples.
    pub fn show_planted(&self) -> bool {
        self.settings.show_planted
    }
    /// Whether anything at all is in flight (load, analysis, model, writing files).
    pub fn is_busy(&self) -> bool {
        self.is_loading()
            || self.is_analysing()
            || self.is_building_model()
            || !self.jobs.tasks.is_empty()
            || self.is_reducing()
    }

    /// The fit the fit panel shows at the slider: the preview refit while a parameter change
    /// is being applied, else the fit of the analysis in flight or the finished one.
    pub fn shown_fit(&self) -> Option<ModeFit> {
        self.shown_fit_in_flight().map(|(fit, _)| fit)
    }

    /// [`GlassrayApp::shown_fit`], and whether it comes from work still in flight (a preview
    /// refit or a fit streamed in before the series is done).
    fn shown_fit_in_flight(&self) -> Option<(ModeFit, bool)> {
        let ws = &self.workspace;
        let sample = ws.active_sample()?;
        self.view
            .preview
            .as_ref()
            .filter(|p| p.sample == ws.active && p.index == ws.cursor)
            .map(|p| (p.fit.clone(), true))
            .or_else(|| {
                let fresh = sample.fresh.get(ws.cursor).cloned().flatten();
                fresh.map(|f| (f, true))
            })
            .or_else(|| {
                let a = sample.analysis()?;
                Some((a.patterns.get(ws.cursor)?.fit.clone(), false))
            })
    }

    /// Where the value `x` of a plot's x axis was drawn on screen, as of the last frame.
    pub fn screen_x(ctx: &egui::Context, plot: PlotId, x: f64) -> Option<f32> {
        egui_plot::PlotMemory::load(ctx, plot.id()).map(|m| m.transform().position_from_point_x(x))
    }

    /// The x and y ranges a plot showed in the last frame: `[x_min, x_max, y_min, y_max]`.
    pub fn plot_bounds(ctx: &egui::Context, plot: PlotId) -> Option<[f64; 4]> {
        egui_plot::PlotMemory::load(ctx, plot.id()).map(|m| {
            let b = m.bounds();
            [b.min()[0], b.max()[0], b.min()[1], b.max()[1]]
        })
    }

    /// The tour's step (0-based) and the area it highlights, while a tour runs.
    pub fn tour(&self) -> Option<(usize, egui::Rect)> {
        let k = self.panels.tour.step()?;
        let area = tour::STEPS.get(k)?.area;
        Some((k, self.panels.areas.get(area)?))
    }

    /// The range a panel's "Export figure" takes: that of the plot drawn at `rect`.
    pub fn shown_bounds(ctx: &egui::Context, rect: egui::Rect) -> Option<[f64; 4]> {
        save_plot::shown_bounds(ctx, rect)
    }

    /// Where a plot's data area was drawn on screen in the last frame.
    pub fn plot_frame(ctx: &egui::Context, plot: PlotId) -> Option<egui::Rect> {
        egui_plot::PlotMemory::load(ctx, plot.id()).map(|m| *m.transform().frame())
    }

    /// Where the seed of mode `i` is drawn on the fit plot (screen x).
    pub fn seed_screen_x(&self, ctx: &egui::Context, i: usize) -> Option<f32> {
        Self::screen_x(ctx, PlotId::Fit, *self.settings.params.fit.seeds.get(i)?)
    }

    /// Where the FSDP window's edge (0 low, 1 high) is drawn on the S(Q) plot (screen x).
    pub fn fsdp_screen_x(&self, ctx: &egui::Context, edge: usize) -> Option<f32> {
        let (a, b) = self.settings.params.transform.fsdp_window;
        Self::screen_x(ctx, PlotId::Pattern, if edge == 0 { a } else { b })
    }
}

impl eframe::App for GlassrayApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.view.now = ctx.input(|i| i.time);
        self.poll();
        if self.jobs.live.is_some() {
            // The "newest … s ago" count, and scans that end without a file-system event.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
        if let Some(left) = self.start_reductions() {
            ctx.request_repaint_after(Duration::from_secs_f64(left.max(0.01)));
        }
        let mut actions = Vec::new();
        self.keyboard(&ctx, &mut actions);
        self.advance_playback(&ctx);
        self.draw(ui, &mut actions);
        for action in actions {
            self.apply(action);
        }
        if std::mem::take(&mut self.view.quit) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        if let Some(path) = self.settings.autosave.clone()
            && !self.workspace.samples.is_empty()
        {
            self.queue_save(self.session(), path, false);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Let the last writes (the session on exit, an export) finish before the process ends;
        // a session save still queued behind them is written here.
        for task in &mut self.jobs.tasks {
            let _ = task.wait(Duration::from_secs(10));
        }
        if let Some((session, path, _)) = self.jobs.next_save.take()
            && let Err(e) = session.save(&path)
        {
            eprintln!("error: {e}");
        }
    }
}

/// Why the window could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "no display: set DISPLAY or WAYLAND_DISPLAY (or use the command-line tools: `glassray --help`)"
    )]
    NoDisplay,
    #[error("cannot open the window: {0}")]
    Window(#[from] eframe::Error),
}

/// Where the last session is kept between runs (the platform's configuration folder).
pub fn last_session_path() -> Option<PathBuf> {
    crate::session::Session::default_path()
}

/// Opens the explorer window.
pub fn run(paths: Vec<PathBuf>) -> Result<(), RunError> {
    run_explorer(paths, None)
}

/// The explorer following folder `dir` as patterns land in it (`glassray DIR --watch`).
pub fn run_watching(dir: PathBuf) -> Result<(), RunError> {
    run_explorer(Vec::new(), Some(dir))
}

fn run_explorer(paths: Vec<PathBuf>, watch: Option<PathBuf>) -> Result<(), RunError> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(RunError::NoDisplay);
    }
    // The analysis pool yields the CPU to the window (before any parallel work).
    crate::engine::priority::background_pool();
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
            if let Some(dir) = watch {
                let mut app = GlassrayApp::blank(&cc.egui_ctx);
                app.start_watch(dir);
                app.keep_session_at(last_session_path());
                return Ok(Box::new(app));
            }
            Ok(Box::new(match (paths.is_empty(), last_session_path()) {
                (true, Some(last)) => GlassrayApp::with_autosave(&cc.egui_ctx, last),
                (false, last) => {
                    let mut app = GlassrayApp::new(&cc.egui_ctx, paths);
                    app.keep_session_at(last);
                    app
                }
                (true, None) => GlassrayApp::new(&cc.egui_ctx, paths),
            }))
        }),
    )?;
    Ok(())
}

#[cfg(test)]
mod colour_tests {
    use super::*;
    use crate::analysis::transitions::Transition;

    /// Every colour that means something: samples, modes, marks.
    fn meanings() -> Vec<(String, egui::Color32)> {
        let mut all: Vec<(String, egui::Color32)> = SAMPLE_COLOURS
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("sample {i}"), *c))
            .collect();
        for (i, c) in realspace::MODE_COLOURS.iter().enumerate() {
            all.push((format!("mode {i}"), *c));
        }
        for t in Transition::ALL {
            all.push((t.name().to_string(), controls::mark_colour(t)));
        }
        all
    }

    #[test]
    fn samples_modes_and_marks_never_share_a_colour() {
        let all = meanings();
        for (i, (a, ca)) in all.iter().enumerate() {
            for (b, cb) in &all[i + 1..] {
                let d = |x: u8, y: u8| (f32::from(x) - f32::from(y)).powi(2);
                let dist = (d(ca.r(), cb.r()) + d(ca.g(), cb.g()) + d(ca.b(), cb.b())).sqrt();
                assert!(dist > 40.0, "{a} {ca:?} and {b} {cb:?} are {dist:.0} apart");
            }
        }
        // Marks are grey: no hue of their own to be confused with a sample or mode.
        for t in Transition::ALL {
            let c = controls::mark_colour(t);
            assert!(c.r() == c.g() && c.g() == c.b(), "{t:?} {c:?}");
        }
    }
}
