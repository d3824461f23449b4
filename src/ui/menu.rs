//! The menu bar: File ▸ open files, a folder or a typed path (with an optional temperature
//! log), save and open sessions, export, the demo, quit. Native dialogs when there are any;
//! typed paths always work (many Linux desktops have no dialog portal).

use std::path::PathBuf;

use eframe::egui;

use super::Action;
use super::controls::path_field;

/// The menu and its typed-path fields.
#[derive(Debug, Default)]
pub struct Menu {
    /// File ▸ Open path (files or folders separated by `;`).
    path_input: String,
    /// Temperature log attached to the next load.
    log_input: String,
    /// File ▸ Save/Open session to/from a typed path.
    session_input: String,
    /// File ▸ Export to a typed folder.
    export_input: String,
}

impl Menu {
    /// The temperature log typed for the next load, if any.
    pub fn log_path(&self) -> Option<PathBuf> {
        let log = self.log_input.trim();
        (!log.is_empty()).then(|| PathBuf::from(log))
    }

    pub fn set_log_path(&mut self, log: Option<&std::path::Path>) {
        self.log_input = log.map(|p| p.display().to_string()).unwrap_or_default();
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, loading: bool, actions: &mut Vec<Action>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.open_items(ui, loading, actions);
                ui.separator();
                self.session_items(ui, actions);
                ui.separator();
                self.export_items(ui, actions);
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
            });
        });
    }

    fn open_items(&mut self, ui: &mut egui::Ui, loading: bool, actions: &mut Vec<Action>) {
        let log = self.log_path();
        if ui.button("Open files…").clicked() {
            ui.close();
            actions.push(
                match rfd::FileDialog::new()
                    .set_title("Open patterns")
                    .pick_files()
                {
                    Some(paths) => Action::Open {
                        paths,
                        log: log.clone(),
                    },
                    None => Action::Say(
                        "no files chosen (no file dialog here? type a path under File ▸ Open path)"
                            .into(),
                    ),
                },
            );
        }
        if ui.button("Open folder…").clicked() {
            ui.close();
            actions.push(
                match rfd::FileDialog::new()
                    .set_title("Open a series folder")
                    .pick_folder()
                {
                    Some(dir) => Action::Open {
                        paths: vec![dir],
                        log: log.clone(),
                    },
                    None => Action::Say(
                        "no folder chosen (no file dialog here? type a path under File ▸ Open path)"
                            .into(),
                    ),
                },
            );
        }
        if loading {
            ui.weak("(a load is running; opening replaces it)");
        }
        ui.separator();
        ui.label("Open path (file or folder):");
        let edit = path_field(ui, &mut self.path_input, "/data/run42", "Path to open");
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Open path").clicked() || enter {
            let paths: Vec<PathBuf> = self
                .path_input
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect();
            ui.close();
            actions.push(Action::Open { paths, log });
        }
        ui.separator();
        ui.label("Temperature log for the next load (optional):");
        path_field(
            ui,
            &mut self.log_input,
            "temperatures.csv",
            "Temperature log",
        );
        if ui.button("Choose log…").clicked()
            && let Some(f) = rfd::FileDialog::new()
                .add_filter("CSV", &["csv", "txt"])
                .pick_file()
        {
            self.log_input = f.display().to_string();
        }
    }

    fn session_items(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if ui.button("Save session…").clicked() {
            ui.close();
            if let Some(f) = rfd::FileDialog::new()
                .add_filter("Glassray session", &["ron"])
                .set_file_name("session.ron")
                .save_file()
            {
                actions.push(Action::SaveSession(f));
            }
        }
        if ui.button("Open session…").clicked() {
            ui.close();
            if let Some(f) = rfd::FileDialog::new()
                .add_filter("Glassray session", &["ron"])
                .pick_file()
            {
                actions.push(Action::OpenSession(f));
            }
        }
        path_field(ui, &mut self.session_input, "session.ron", "Session file");
        ui.horizontal(|ui| {
            let path = PathBuf::from(self.session_input.trim());
            let ok = !self.session_input.trim().is_empty();
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
                ui.close();
                actions.push(Action::OpenSession(path));
            }
        });
    }

    fn export_items(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if ui.button("Export analysis…").clicked() {
            ui.close();
            if let Some(dir) = rfd::FileDialog::new()
                .set_title("Export metrics.csv, summary.json and gr/ into")
                .pick_folder()
            {
                actions.push(Action::Export(dir));
            }
        }
        path_field(
            ui,
            &mut self.export_input,
            "/results/run42",
            "Export folder",
        );
        if ui
            .add_enabled(
                !self.export_input.trim().is_empty(),
                egui::Button::new("Export to folder"),
            )
            .clicked()
        {
            actions.push(Action::Export(PathBuf::from(self.export_input.trim())));
        }
    }
}
