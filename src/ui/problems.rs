//! The problems panel: every skipped file, bad log row and per-pattern problem, with file, line
//! and reason — one list, never one dialog per file.

use eframe::egui;

use super::state::Sample;
use crate::model::file_name;

/// One row of the problems panel.
pub struct ProblemRow {
    pub sample: String,
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

/// Every problem of the loaded samples, in load order.
pub fn rows(samples: &[Sample]) -> Vec<ProblemRow> {
    let mut out = Vec::new();
    for s in samples {
        let sample = s.series().sample.clone();
        if let Some(raw) = s.reduction().filter(|r| !r.is_reduced()) {
            out.push(ProblemRow {
                sample: sample.clone(),
                file: String::new(),
                line: None,
                reason: raw
                    .error()
                    .unwrap_or(super::reduction::NO_COMPOSITION)
                    .to_string(),
            });
        }
        for reason in &s.series_problems {
            out.push(ProblemRow {
                sample: sample.clone(),
                file: String::new(),
                line: None,
                reason: reason.clone(),
            });
        }
        // What the analysis warns of about the series' results (a lobe count that changes).
        for warning in s.analysis().iter().flat_map(|a| &a.warnings) {
            out.push(ProblemRow {
                sample: sample.clone(),
                file: String::new(),
                line: None,
                reason: format!("warning: {warning}"),
            });
        }
        for f in s.failed() {
            let line = match f {
                crate::io::LoadError::Parse { line, .. } => Some(*line),
                _ => None,
            };
            let reason = match f {
                crate::io::LoadError::Parse { reason, .. } => format!("skipped: {reason}"),
                other => format!("skipped: {}", other.reason()),
            };
            out.push(ProblemRow {
                sample: sample.clone(),
                file: file_name(f.path()),
                line,
                reason,
            });
        }
        for d in &s.log_problems {
            out.push(ProblemRow {
                sample: sample.clone(),
                file: file_name(&d.path),
                line: d.line,
                reason: d.message.clone(),
            });
        }
        for p in &s.series().patterns {
            for d in &p.problems {
                out.push(ProblemRow {
                    sample: sample.clone(),
                    file: file_name(&d.path),
                    line: d.line,
                    reason: d.message.clone(),
                });
            }
        }
    }
    out
}

pub fn ui(ui: &mut egui::Ui, samples: &[Sample]) {
    let rows = rows(samples);
    let ignored: usize = samples.iter().map(|s| s.ignored.len()).sum();
    ui.horizontal(|ui| {
        ui.strong(format!("Problems ({})", rows.len()));
        if ignored > 0 {
            ui.label(format!("· {ignored} file(s) ignored as not patterns"))
                .on_hover_text(
                    samples
                        .iter()
                        .flat_map(|s| s.ignored.iter())
                        .map(|i| format!("{}: {}", file_name(&i.path), i.reason))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
        }
    });
    if rows.is_empty() {
        ui.label("No problems.");
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("problems_grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for r in &rows {
                        ui.label(&r.sample);
                        ui.label(&r.file);
                        ui.label(r.line.map_or(String::new(), |l| format!("line {l}")));
                        ui.label(&r.reason);
                        ui.end_row();
                    }
                });
        });
}
