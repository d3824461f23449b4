//! The menu bar: File ▸ open files, a folder or a typed path (with an optional temperature
//! log), save and open sessions, export, the demo, quit. Native dialogs when there are any; when
//! a dialog gives no path (cancelled, or no dialog portal, as on many Linux desktops) the
//! **Paths** window opens at that task and the status line says so. The window is an ordinary
//! floating window, so its fields take clicks and typing like any other.

use std::path::PathBuf;

use eframe::egui;

use super::Action;
use super::controls::path_field;

/// Which part of the Paths window a File item asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Task {
    Open,
    Session,
    Export,
}

impl Task {
    fn field(self) -> &'static str {
        match self {
            Task::Open => "Path to open",
            Task::Session => "Session file",
            Task::Export => "Export folder",
        }
    }
}

/// The menu and the Paths window's fields.
#[derive(Debug, Default)]
pub struct Menu {
    /// Paths to open (files or folders separated by `;`).
    path_input: String,
    /// Temperature log attached to the next load.
    log_input: String,
    /// Session file to save to or open.
    session_input: String,
    /// Folder to export into.
    export_input: String,
    /// The Paths window is open.
    window_open: bool,
    /// The field to focus when the window opens for a task.
    focus: Option<Task>,
    /// The Help window is open.
    help_open: bool,
}

/// How much larger everything is drawn in presentation mode (text, lines, markers).
const PRESENTATION_ZOOM: f32 = 1.5;

impl Menu {
    /// The temperature log typed for the next load, if any.
    pub fn log_path(&self) -> Option<PathBuf> {
        let log = self.log_input.trim();
        (!log.is_empty()).then(|| PathBuf::from(log))
    }

    pub fn set_log_path(&mut self, log: Option<&std::path::Path>) {
        self.log_input = log.map(|p| p.display().to_string()).unwrap_or_default();
    }

    /// The menu bar; `undo` says whether there is something to undo and to redo.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        loading: bool,
        undo: (bool, bool),
        actions: &mut Vec<Action>,
    ) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| self.file_menu(ui, loading, actions));
            ui.menu_button("Edit", |ui| {
                let undo_item = egui::Button::new("Undo").shortcut_text("Ctrl+Z");
                if ui.add_enabled(undo.0, undo_item).clicked() {
                    actions.push(Action::Undo);
                }
                let redo_item = egui::Button::new("Redo").shortcut_text("Ctrl+Shift+Z");
                if ui.add_enabled(undo.1, redo_item).clicked() {
                    actions.push(Action::Redo);
                }
                ui.weak("parameters, seeds, FSDP window and marks");
            });
            ui.menu_button("View", |ui| {
                let zoom = ui.ctx().zoom_factor();
                let mut presenting = zoom >= PRESENTATION_ZOOM - 0.01;
                let r = ui.checkbox(&mut presenting, "Presentation mode");
                r.on_hover_text(super::help::explanation("Presentation mode").unwrap_or_default());
                if presenting != (zoom >= PRESENTATION_ZOOM - 0.01) {
                    ui.ctx()
                        .set_zoom_factor(if presenting { PRESENTATION_ZOOM } else { 1.0 });
                }
                ui.weak(format!(
                    "zoom {:.0} % (Ctrl + / Ctrl − / Ctrl 0)",
                    zoom * 100.0
                ));
                if ui
                    .button("Model (what-if)…")
                    .on_hover_text("A synthetic sample whose planted structure you choose")
                    .clicked()
                {
                    ui.close();
                    actions.push(Action::OpenModel);
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Explanations…").clicked() {
                    self.help_open = true;
                }
                if ui.button("Tour").clicked() {
                    actions.push(Action::StartTour);
                }
            });
        });
        super::help::window(ui.ctx(), &mut self.help_open);
        self.window(ui.ctx(), loading, actions);
    }

    fn file_menu(&mut self, ui: &mut egui::Ui, loading: bool, actions: &mut Vec<Action>) {
        let log = self.log_path();
        // While a load runs, the dialogs wait: opening would replace it unseen (the Paths window
        // can still replace it on purpose).
        let idle = !loading;
        if ui
            .add_enabled(idle, egui::Button::new("Open files…"))
            .clicked()
        {
            ui.close();
            let picked = rfd::FileDialog::new()
                .set_title("Open patterns")
                .pick_files();
            match picked {
                Some(paths) => actions.push(Action::Open { paths, log }),
                None => self.fall_back(Task::Open, "no files chosen", actions),
            }
        } else if ui
            .add_enabled(idle, egui::Button::new("Open folder…"))
            .clicked()
        {
            ui.close();
            let picked = rfd::FileDialog::new()
                .set_title("Open a series folder")
                .pick_folder();
            match picked {
                Some(dir) => actions.push(Action::Open {
                    paths: vec![dir],
                    log,
                }),
                None => self.fall_back(Task::Open, "no folder chosen", actions),
            }
        }
        if ui
            .button("Watch folder…")
            .on_hover_text(
                "Follow a folder while the sample heats: each pattern is analysed as it lands",
            )
            .clicked()
        {
            ui.close();
            let picked = rfd::FileDialog::new()
                .set_title("Watch a folder as patterns land in it")
                .pick_folder();
            match picked {
                Some(dir) => actions.push(Action::Watch(dir)),
                None => self.fall_back(Task::Open, "no folder watched", actions),
            }
        }
        if loading {
            ui.weak("(loading… Paths… can replace it)");
        }
        if ui.button("Paths…").clicked() {
            ui.close();
            self.window_open = true;
            self.focus = Some(Task::Open);
        }
        ui.separator();
        if ui.button("Save session…").clicked() {
            ui.close();
            let picked = rfd::FileDialog::new()
                .add_filter("Glassray session", &["ron"])
                .set_file_name("session.ron")
                .save_file();
            match picked {
                Some(f) => actions.push(Action::SaveSession(f)),
                None => self.fall_back(Task::Session, "session not saved", actions),
            }
        }
        if ui.button("Open session…").clicked() {
            ui.close();
            let picked = rfd::FileDialog::new()
                .add_filter("Glassray session", &["ron"])
                .pick_file();
            match picked {
                Some(f) => actions.push(Action::OpenSession(f)),
                None => self.fall_back(Task::Session, "no session opened", actions),
            }
        }
        ui.separator();
        if ui.button("Export analysis…").clicked() {
            ui.close();
            let picked = rfd::FileDialog::new()
                .set_title("Export metrics.csv, summary.json and gr/ into")
                .pick_folder();
            match picked {
                Some(dir) => actions.push(Action::Export(dir)),
                None => self.fall_back(Task::Export, "nothing exported", actions),
            }
        }
        if ui.button("Export figures…").clicked() {
            ui.close();
            let picked = rfd::FileDialog::new()
                .set_title("Write the study's figures (SVG, PDF, PNG, CSV) into")
                .pick_folder();
            match picked {
                Some(dir) => actions.push(Action::ExportFigures(dir)),
                None => self.fall_back(Task::Export, "no figures written", actions),
            }
        }
        ui.separator();
        if ui.button("Load embedded demo").clicked() {
            ui.close();
            actions.push(Action::OpenDemo);
        }
        if ui
            .add(egui::Button::new("Quit").shortcut_text("Ctrl+Q"))
            .clicked()
        {
            actions.push(Action::Quit);
        }
    }

    /// A dialog gave no path: say so and offer the typed path.
    fn fall_back(&mut self, task: Task, what: &str, actions: &mut Vec<Action>) {
        self.window_open = true;
        self.focus = Some(task);
        actions.push(Action::Say(format!(
            "{what}: the file dialog gave no path (cancelled, or none on this desktop); \
             type it in the Paths window"
        )));
    }

    /// The Paths window: open, session and export by typed path.
    fn window(&mut self, ctx: &egui::Context, loading: bool, actions: &mut Vec<Action>) {
        if !self.window_open {
            return;
        }
        let mut open = true;
        let before = actions.len();
        egui::Window::new("Paths")
            .open(&mut open)
            .resizable(false)
            .collapsible(false)
            .default_width(360.0)
            .show(ctx, |ui| {
                let focus = self.focus.take();
                self.open_section(ui, focus, loading, actions);
                ui.separator();
                self.session_section(ui, focus, actions);
                ui.separator();
                self.export_section(ui, focus, actions);
            });
        // Done once it asked for something (the status line says how that went).
        self.window_open &= open && actions.len() == before;
    }

    fn open_section(
        &mut self,
        ui: &mut egui::Ui,
        focus: Option<Task>,
        loading: bool,
        actions: &mut Vec<Action>,
    ) {
        ui.strong("Open");
        ui.label("Files or folders (separate several with ;):");
        let edit = field(ui, &mut self.path_input, "/data/run42", Task::Open, focus);
        ui.label("Temperature log for this load (optional):");
        path_field(
            ui,
            &mut self.log_input,
            "temperatures.csv",
            "Temperature log",
        );
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let paths: Vec<PathBuf> = self
            .path_input
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect();
        let ok = !paths.is_empty();
        ui.horizontal(|ui| {
            if ui.add_enabled(ok, egui::Button::new("Open path")).clicked() || (enter && ok) {
                actions.push(Action::Open {
                    paths: paths.clone(),
                    log: self.log_path(),
                });
            }
            let one = paths.len() == 1;
            if ui
                .add_enabled(one, egui::Button::new("Watch path"))
                .on_hover_text("Follow this folder as patterns land in it")
                .clicked()
                && let Some(dir) = paths.first()
            {
                actions.push(Action::Watch(dir.clone()));
            }
            if loading {
                ui.weak("a load is running; opening replaces it");
            }
        });
    }

    fn session_section(
        &mut self,
        ui: &mut egui::Ui,
        focus: Option<Task>,
        actions: &mut Vec<Action>,
    ) {
        ui.strong("Session");
        field(
            ui,
            &mut self.session_input,
            "session.ron",
            Task::Session,
            focus,
        );
        let path = PathBuf::from(self.session_input.trim());
        let ok = !self.session_input.trim().is_empty();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ok, egui::Button::new("Save session to path"))
                .clicked()
            {
                actions.push(Action::SaveSession(path.clone()));
            }
            if ui
                .add_enabled(ok, egui::Button::new("Open session from path"))
                .clicked()
            {
                actions.push(Action::OpenSession(path));
            }
        });
    }

    fn export_section(
        &mut self,
        ui: &mut egui::Ui,
        focus: Option<Task>,
        actions: &mut Vec<Action>,
    ) {
        ui.strong("Export");
        ui.label("metrics.csv, summary.json and gr/ per sample, into:");
        field(
            ui,
            &mut self.export_input,
            "/results/run42",
            Task::Export,
            focus,
        );
        let ok = !self.export_input.trim().is_empty();
        if ui
            .add_enabled(ok, egui::Button::new("Export to folder"))
            .clicked()
        {
            actions.push(Action::Export(PathBuf::from(self.export_input.trim())));
        }
        ui.label("or the study's figures (SVG, PDF, PNG and their CSVs) of the shown samples:");
        if ui
            .add_enabled(ok, egui::Button::new("Export figures to folder"))
            .clicked()
        {
            actions.push(Action::ExportFigures(PathBuf::from(
                self.export_input.trim(),
            )));
        }
    }
}

/// A path field of the window, focused when the window was opened for its task.
fn field(
    ui: &mut egui::Ui,
    text: &mut String,
    hint: &str,
    task: Task,
    focus: Option<Task>,
) -> egui::Response {
    let r = path_field(ui, text, hint, task.field());
    if focus == Some(task) {
        r.request_focus();
    }
    r
}
