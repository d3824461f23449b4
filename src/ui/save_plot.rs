//! Right-click on a plot: copy its data, save them as CSV, or save the plot area as drawn as a
//! PNG. Files are written in the background ([`crate::engine::write::write_atomic`]); the
//! image comes from a screenshot of the window, cropped to the plot.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;
use egui_plot::PlotPoint;

use super::Action;

/// The data of a plot as CSV, one row per point: `curve,<x name>,y`.
pub fn plot_csv(x_name: &str, curves: &[(&str, &[PlotPoint])]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["curve", x_name, "y"])?;
    for (name, points) in curves {
        for p in *points {
            w.write_record([name.to_string(), p.x.to_string(), p.y.to_string()])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The part of a screenshot inside `rect` (points), as PNG bytes.
pub fn crop_png(
    image: &egui::ColorImage,
    rect: egui::Rect,
    pixels_per_point: f32,
) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let px = |v: f32, max: usize| ((v * pixels_per_point).round().max(0.0) as usize).min(max);
    let (x0, x1) = (px(rect.left(), w), px(rect.right(), w));
    let (y0, y1) = (px(rect.top(), h), px(rect.bottom(), h));
    if x1 <= x0 || y1 <= y0 {
        return Err("the plot is not on screen".into());
    }
    let mut rgba = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
    for y in y0..y1 {
        for x in x0..x1 {
            rgba.extend_from_slice(&image.pixels[y * w + x].to_srgba_unmultiplied());
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, (x1 - x0) as u32, (y1 - y0) as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgba).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A file name for a plot's export: `glassray-<plot>-<what>.<ext>`, safe on every system.
pub fn default_name(title: &str, what: &str, ext: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    format!("glassray-{}-{}.{ext}", clean(title), clean(what))
}

/// Room taken by a plot's y axis (ticks and title) left of its data area, in points.
const AXES_LEFT: f32 = 64.0;
/// Room taken by a plot's x axis below its data area, in points.
const AXES_BELOW: f32 = 40.0;

/// Where to save: the dialog's choice, or None (cancelled, or no dialog on this desktop).
fn choose(name: &str, filter: (&str, &[&str])) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_file_name(name)
        .add_filter(filter.0, filter.1)
        .save_file()
}

/// The save `action` to the path the dialog chose; with none, the Save window asks for it,
/// starting from `name` in the current folder.
fn to_chosen(action: Action, name: &str, filter: (&str, &[&str])) -> Action {
    match choose(name, filter) {
        Some(path) => with_path(action, path),
        None => {
            let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            Action::AskPath(Box::new(with_path(action, here.join(name))))
        }
    }
}

/// A plot's save action with its file changed to `path` (other actions unchanged).
pub fn with_path(action: Action, path: PathBuf) -> Action {
    match action {
        Action::SaveText { text, .. } => Action::SaveText { path, text },
        Action::ExportPanelFigure { data, .. } => Action::ExportPanelFigure { data, path },
        Action::SavePlotImage { rect, .. } => Action::SavePlotImage { rect, path },
        other => other,
    }
}

/// The file a plot's save action writes.
pub fn path_of(action: &Action) -> Option<&Path> {
    match action {
        Action::SaveText { path, .. }
        | Action::ExportPanelFigure { path, .. }
        | Action::SavePlotImage { path, .. } => Some(path),
        _ => None,
    }
}

/// A plot's save whose file the dialog did not give: the action, and the path being typed.
pub struct Asking {
    pub action: Box<Action>,
    pub text: String,
}

impl Asking {
    pub fn new(action: Box<Action>) -> Self {
        let text = path_of(&action)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Asking { action, text }
    }
}

/// The Save window: the path of a plot's save typed by hand (when the file dialog gave none).
/// Save sends the action with that path; Cancel or closing the window drops it.
pub fn ask_window(ctx: &egui::Context, asking: &mut Option<Asking>, actions: &mut Vec<Action>) {
    let Some(ask) = asking.as_mut() else {
        return;
    };
    let (mut open, mut cancel, mut save) = (true, false, None);
    egui::Window::new("Save plot")
        .open(&mut open)
        .resizable(false)
        .collapsible(false)
        .default_width(420.0)
        .show(ctx, |ui| {
            let what = match *ask.action {
                Action::ExportPanelFigure { .. } => {
                    "The figure goes to this .svg, with .pdf, .png and .csv beside it:"
                }
                Action::SavePlotImage { .. } => "The plot image (PNG) goes to:",
                _ => "The plot's data (CSV) go to:",
            };
            ui.label(what);
            let edit = super::controls::path_field(ui, &mut ask.text, "plot.svg", "Save to");
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let ok = !ask.text.trim().is_empty();
            ui.horizontal(|ui| {
                if ui.add_enabled(ok, egui::Button::new("Save")).clicked() || (enter && ok) {
                    save = Some(PathBuf::from(ask.text.trim()));
                }
                cancel = ui.button("Cancel").clicked();
            });
        });
    if let Some(path) = save {
        if let Some(ask) = asking.take() {
            actions.push(with_path(*ask.action, path));
        }
    } else if cancel || !open {
        *asking = None;
        actions.push(Action::Say("nothing saved".into()));
    }
}

/// What a plot shows besides its curves, for its exported figure: the marks, the shaded
/// windows and a heat map.
#[derive(Default)]
pub struct Extras {
    pub marks: Vec<(String, f64)>,
    pub bands: Vec<(String, f64, f64)>,
    pub heat: Option<crate::report::figures::PanelHeat>,
}

/// The right-click menu of a plot.
pub fn context_menu(
    response: &egui::Response,
    title: &str,
    what: &str,
    data: impl FnOnce() -> Result<String, csv::Error>,
    actions: &mut Vec<Action>,
) {
    context_menu_with(response, title, what, data, Extras::default, actions);
}

/// The right-click menu of a plot that also shows marks, windows or a heat map (asked for only
/// when a figure is exported).
pub fn context_menu_with(
    response: &egui::Response,
    title: &str,
    what: &str,
    data: impl FnOnce() -> Result<String, csv::Error>,
    extras: impl FnOnce() -> Extras,
    actions: &mut Vec<Action>,
) {
    let mut data = Some(data);
    response.context_menu(|ui| {
        ui.label(format!("{title} ({what})"));
        let mut csv = || data.take().map(|f| f());
        if ui.button("Copy data (CSV)").clicked() {
            ui.close();
            match csv() {
                Some(Ok(text)) => {
                    let rows = text.lines().count().saturating_sub(1);
                    ui.ctx().copy_text(text);
                    actions.push(Action::Say(format!("copied {rows} points of {title}")));
                }
                Some(Err(e)) => actions.push(Action::Say(format!("cannot copy {title}: {e}"))),
                None => {}
            }
        } else if ui.button("Save data as CSV…").clicked() {
            ui.close();
            if let Some(result) = csv() {
                actions.push(match result {
                    Ok(text) => to_chosen(
                        Action::SaveText {
                            path: PathBuf::new(),
                            text: Arc::new(text),
                        },
                        &default_name(title, what, "csv"),
                        ("CSV", &["csv"]),
                    ),
                    Err(e) => Action::Say(format!("cannot save {title}: {e}")),
                });
            }
        } else if ui.button("Export figure (SVG, PDF, PNG)…").clicked() {
            ui.close();
            if let Some(result) = csv() {
                actions.push(match result.map(|text| curves_of_csv(&text)) {
                    Ok(Some((x_label, curves))) => {
                        let bounds = shown_bounds(ui.ctx(), response.rect);
                        let Extras { marks, bands, heat } = extras();
                        // A heat map's figure is the map: its y axis is T, not the curves'.
                        let (y_label, curves) = match &heat {
                            Some(_) => ("T (K)".to_owned(), Vec::new()),
                            None => (title.to_owned(), curves),
                        };
                        let data = Box::new(crate::report::figures::PanelData {
                            title: format!("{title} ({what})"),
                            x_label,
                            y_label,
                            curves,
                            bounds,
                            marks,
                            bands,
                            heat,
                        });
                        let action = Action::ExportPanelFigure {
                            data,
                            path: PathBuf::new(),
                        };
                        to_chosen(action, &default_name(title, what, "svg"), ("SVG", &["svg"]))
                    }
                    Ok(None) => Action::Say(format!("no figure: {title} shows no data")),
                    Err(e) => Action::Say(format!("cannot export {title}: {e}")),
                });
            }
        } else if ui.button("Save image as PNG…").clicked() {
            ui.close();
            // The plot with its axes: the data area and the tick labels and axis titles left
            // of and below it (the crop is clipped to the window).
            let rect = egui::Rect::from_min_max(
                response.rect.min - egui::vec2(AXES_LEFT, 6.0),
                response.rect.max + egui::vec2(6.0, AXES_BELOW),
            );
            let action = Action::SavePlotImage {
                rect,
                path: PathBuf::new(),
            };
            let name = default_name(title, what, "png");
            actions.push(to_chosen(action, &name, ("PNG", &["png"])));
        }
    });
}

/// The range shown by the plot drawn in `rect` (its data area): the plot whose last frame is
/// there, found among [`super::PlotId::ALL`].
pub fn shown_bounds(ctx: &egui::Context, rect: egui::Rect) -> Option<[f64; 4]> {
    super::PlotId::ALL.iter().find_map(|p| {
        let m = egui_plot::PlotMemory::load(ctx, p.id())?;
        (*m.transform().frame() == rect).then(|| {
            let b = m.bounds();
            [b.min()[0], b.max()[0], b.min()[1], b.max()[1]]
        })
    })
}

/// Named curves of (x, y) points.
pub type Curves = Vec<(String, Vec<(f64, f64)>)>;

/// The curves of a plot's CSV ([`plot_csv`]) with the x column's name; None when empty.
pub fn curves_of_csv(text: &str) -> Option<(String, Curves)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let x_name = reader.headers().ok()?.get(1)?.to_owned();
    let mut curves: Curves = Vec::new();
    for record in reader.records().flatten() {
        let (Some(name), Some(x), Some(y)) = (record.get(0), record.get(1), record.get(2)) else {
            continue;
        };
        let (Ok(x), Ok(y)) = (x.parse::<f64>(), y.parse::<f64>()) else {
            continue;
        };
        match curves.last_mut().filter(|c| c.0 == name) {
            Some(c) => c.1.push((x, y)),
            None => curves.push((name.to_owned(), vec![(x, y)])),
        }
    }
    (!curves.is_empty()).then_some((x_name, curves))
}

/// Writes a panel's figure as `path` with the extensions svg, pdf and png, and its CSV.
pub fn write_panel_figure(
    data: &crate::report::figures::PanelData,
    path: &Path,
) -> Result<Vec<PathBuf>, String> {
    use crate::report::figures::{Format, panel_figure, render};
    let fig = panel_figure(data).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    for format in Format::ALL {
        let bytes = render(&fig, format).map_err(|e| e.to_string())?;
        let file = path.with_extension(format.extension());
        crate::engine::write::write_atomic(&file, &bytes)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        written.push(file);
    }
    let file = path.with_extension("csv");
    crate::engine::write::write_atomic(&file, fig.csv.as_bytes())
        .map_err(|e| format!("{}: {e}", file.display()))?;
    written.push(file);
    Ok(written)
}

/// Writes `bytes` to `path` atomically, saying what happened.
pub fn write(path: &Path, bytes: &[u8], what: &str) -> String {
    match crate::engine::write::write_atomic(path, bytes) {
        Ok(()) => format!("saved {what} to {}", path.display()),
        Err(e) => format!("cannot save {what} to {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plots_data_become_one_row_per_point() {
        let a = [PlotPoint::new(1.0, 2.5), PlotPoint::new(2.0, -0.125)];
        let b = [PlotPoint::new(0.5, 1.0)];
        let text = plot_csv("Q", &[("AC 300.0 K", &a), ("CR, 300 K", &b)]).expect("csv");
        assert_eq!(
            text,
            "curve,Q,y\nAC 300.0 K,1,2.5\nAC 300.0 K,2,-0.125\n\"CR, 300 K\",0.5,1\n"
        );
        assert_eq!(
            default_name("S(Q) plot", "AC at 300.0 K", "png"),
            "glassray-S-Q-plot-AC-at-300-0-K.png"
        );
    }

    #[test]
    fn a_panel_exported_as_a_figure_keeps_its_curves() {
        let a = [PlotPoint::new(300.0, 2.65), PlotPoint::new(400.0, 2.66)];
        let b = [PlotPoint::new(300.0, 2.64)];
        let text = plot_csv("T (K)", &[("AC", &a), ("CR, 300 K", &b)]).expect("csv");
        let (x, curves) = curves_of_csv(&text).expect("curves");
        assert_eq!(x, "T (K)");
        assert_eq!(
            curves,
            vec![
                ("AC".to_owned(), vec![(300.0, 2.65), (400.0, 2.66)]),
                ("CR, 300 K".to_owned(), vec![(300.0, 2.64)]),
            ]
        );
        assert!(curves_of_csv("curve,Q,y\n").is_none());
        let dir = tempfile::tempdir().expect("tmp");
        let data = crate::report::figures::PanelData {
            title: "FSDP moment (AC)".into(),
            x_label: x,
            y_label: "FSDP moment".into(),
            curves,
            bounds: Some([250.0, 450.0, 2.6, 2.7]),
            ..Default::default()
        };
        let written = write_panel_figure(&data, &dir.path().join("moment.svg")).expect("written");
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| Some(p.file_name()?.to_str()?.to_owned()))
            .collect();
        assert_eq!(
            names,
            ["moment.svg", "moment.pdf", "moment.png", "moment.csv"]
        );
        assert!(written.iter().all(|p| p.is_file()));
    }

    #[test]
    fn the_image_is_the_plot_area_as_drawn() {
        // A 4×3 screenshot at 2 pixels per point; the plot covers points (0.5, 0.5)–(1.5, 1.5).
        let mut image = egui::ColorImage::filled([4, 3], egui::Color32::BLACK);
        image.pixels[4 + 1] = egui::Color32::RED;
        image.pixels[4 + 2] = egui::Color32::GREEN;
        image.pixels[2 * 4 + 1] = egui::Color32::BLUE;
        image.pixels[2 * 4 + 2] = egui::Color32::WHITE;
        let rect = egui::Rect::from_min_max(egui::pos2(0.5, 0.5), egui::pos2(1.5, 1.5));
        let bytes = crop_png(&image, rect, 2.0).expect("png");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (2, 2));
        assert_eq!(
            &buf[..16],
            &[
                255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255
            ]
        );
        let off = egui::Rect::from_min_max(egui::pos2(5.0, 5.0), egui::pos2(6.0, 6.0));
        assert!(crop_png(&image, off, 2.0).is_err());
    }
}
