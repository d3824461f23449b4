//! One frame: keys and playback, then the panels in their places, each adding the actions the
//! user asked for.

use std::path::PathBuf;

use eframe::egui;

use super::{Action, GlassrayApp, problems, tour};

impl GlassrayApp {
    /// Dropped files, Ctrl+Q, ←/→ and Space.
    pub(super) fn keyboard(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            actions.push(Action::Open {
                paths: dropped,
                log: self.panels.menu.log_path(),
            });
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q)) {
            actions.push(Action::Quit);
        }
        self.view.now = ctx.input(|i| i.time);
        self.take_shot(ctx);
        if ctx.egui_wants_keyboard_input() {
            // A text field undoes its own typing.
            return;
        }
        let redo = ctx.input_mut(|i| {
            i.consume_key(
                egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
                egui::Key::Z,
            ) || i.consume_key(egui::Modifiers::COMMAND, egui::Key::Y)
        });
        if redo {
            actions.push(Action::Redo);
        } else if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z)) {
            actions.push(Action::Undo);
        }
        let (left, right, space) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
                i.key_pressed(egui::Key::Space),
            )
        });
        if left {
            actions.push(Action::Step(-1));
        }
        if right {
            actions.push(Action::Step(1));
        }
        if space {
            actions.push(Action::TogglePlay);
        }
    }

    /// A plot image: asks the window for a screenshot, then crops and writes it in the
    /// background when it arrives.
    fn take_shot(&mut self, ctx: &egui::Context) {
        let Some(shot) = self.view.shot.as_mut() else {
            return;
        };
        let image = match &shot.arrival {
            None => {
                let (send, receive) = std::sync::mpsc::channel();
                let repaint = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = send.send(image);
                    repaint.request_repaint();
                });
                shot.arrival = Some(receive);
                ctx.request_repaint();
                return;
            }
            Some(receive) => match receive.try_recv() {
                Ok(image) => image,
                Err(std::sync::mpsc::TryRecvError::Empty) => return,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.view.shot = None;
                    self.view.status = "no image: this window cannot take screenshots".into();
                    return;
                }
            },
        };
        let Some(shot) = self.view.shot.take() else {
            return;
        };
        let ppp = ctx.pixels_per_point();
        self.jobs.spawn("saving a plot image", move || {
            super::state::Outcome::Exported(
                match super::save_plot::crop_png(&image, shot.rect, ppp) {
                    Ok(png) => super::save_plot::write(&shot.path, &png, "the plot image"),
                    Err(e) => format!("cannot save the plot image: {e}"),
                },
            )
        });
    }

    /// Steps the slider while playing, at the chosen patterns per second (several patterns
    /// a frame when the rate is above the frame rate).
    pub(super) fn advance_playback(&mut self, ctx: &egui::Context) {
        if !self.view.playing {
            return;
        }
        let now = ctx.input(|i| i.time);
        let rate = self.view.play_rate.0;
        if !(0.0..=1.0).contains(&(now - self.view.play_clock)) {
            // Just started (or the app was idle): count from now.
            self.view.play_clock = now;
        }
        let due = ((now - self.view.play_clock) * rate).floor();
        if due >= 1.0 {
            self.view.play_clock += due / rate;
            let last = self.workspace.pattern_count().saturating_sub(1);
            let next = self.workspace.cursor.saturating_add(due as usize);
            self.workspace.cursor = next.min(last);
            if next >= last {
                self.view.playing = false;
            }
        }
        ctx.request_repaint_after(std::time::Duration::from_millis(16));
    }

    /// Every panel, in its place.
    pub(super) fn draw(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let loading = self.is_loading();
        egui::Panel::top("menu").show(ui, |ui| {
            let h = &self.view.history;
            let undo = (h.can_undo(), h.can_redo());
            self.panels.menu.ui(ui, loading, undo, actions)
        });
        if self.jobs.live.is_some() {
            egui::Panel::top("live").show(ui, |ui| self.live_bar(ui, actions));
        }
        super::save_plot::ask_window(ui.ctx(), &mut self.view.asking, actions);
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                if let Some(job) = &self.jobs.load {
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
                ui.label(&self.view.status);
            });
        });
        let problems = egui::Panel::bottom("problems")
            .resizable(true)
            .default_size(120.0)
            .show(ui, |ui| problems::ui(ui, &self.workspace.samples));
        let slider = egui::Panel::bottom("slider").show(ui, |ui| self.slider_bar(ui, actions));
        let reveal_marks = self
            .panels
            .tour
            .step()
            .and_then(|k| tour::STEPS.get(k))
            .is_some_and(|s| s.area == tour::Area::Marks);
        let side = egui::Panel::left("samples")
            .resizable(true)
            .default_size(250.0)
            .show(ui, |ui| {
                // The scroll bar always shows (the marks are below the fold on a laptop), and
                // the content never widens the panel (an override row appearing mid-drag would
                // move every plot).
                ui.set_max_width(ui.available_width());
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                    .show(ui, |ui| {
                        self.panels.sidebar.ui(
                            ui,
                            &self.workspace,
                            &self.settings,
                            loading,
                            reveal_marks,
                            actions,
                        )
                    })
                    .inner
            });
        let shown = self.shown_fit_in_flight();
        let (shown_fit, refitting) = match shown {
            Some((fit, in_flight)) => (Some(fit), in_flight),
            None => (None, false),
        };
        let busy = self.is_analysing();
        let (ws, settings) = (&self.workspace, &self.settings);
        let (pattern, real, versus, intensity) = (
            &mut self.panels.pattern,
            &mut self.panels.real,
            &mut self.panels.versus,
            &mut self.panels.intensity,
        );
        let jobs = &mut self.jobs;
        let raw = ws.active_sample().and_then(|s| s.reduction());
        let columns = egui::CentralPanel::default()
            .show(ui, |ui| {
                ui.columns(3, |cols| {
                    if let Some(raw) = raw {
                        intensity.switch(&mut cols[0], raw);
                    }
                    if raw.is_some() && intensity.show {
                        intensity.ui(&mut cols[0], ws, actions);
                    } else {
                        pattern.ui(&mut cols[0], ws, settings, jobs, actions);
                    }
                    real.ui(
                        &mut cols[1],
                        ws,
                        settings,
                        shown_fit.as_ref(),
                        refitting,
                        busy,
                        actions,
                    );
                    versus.ui(&mut cols[2], ws, settings, busy, actions);
                    [cols[0].min_rect(), cols[2].min_rect()]
                })
            })
            .inner;
        // Where the tour's areas are, then the tour over everything.
        let areas = &mut self.panels.areas;
        areas.set(tour::Area::Samples, side.response.rect);
        areas.set(tour::Area::Slider, slider.response.rect);
        areas.set(tour::Area::Problems, problems.response.rect);
        areas.set(tour::Area::Pattern, columns[0]);
        areas.set(tour::Area::Versus, columns[1]);
        if let Some([g, fit]) = self.panels.real.drawn() {
            areas.set(tour::Area::RealSpace, g);
            areas.set(tour::Area::Fit, fit);
        }
        if let Some(marks) = side.inner {
            areas.set(tour::Area::Marks, marks);
        }
        let status = super::model::ModelStatus {
            building: self.what_if_progress(),
            analysing: self.is_analysing(),
            sample: self
                .workspace
                .what_if()
                .and_then(|i| self.workspace.samples.get(i)),
        };
        self.panels.model.ui(ui.ctx(), &status, actions);
        self.panels.tour.show(ui.ctx(), &self.panels.areas);
    }

    /// Play/pause, the temperature slider, move mode and the analysis progress.
    fn slider_bar(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        let n = self.workspace.pattern_count();
        ui.horizontal(|ui| {
            let play = if self.view.playing { "Pause" } else { "Play" };
            if ui
                .add_enabled(n > 1, egui::Button::new(play))
                .on_hover_text("Space plays and pauses; at the end it starts again")
                .clicked()
            {
                actions.push(Action::TogglePlay);
            }
            let rate = &mut self.view.play_rate.0;
            egui::ComboBox::from_label("speed")
                .selected_text(format!("{rate:.0}/s"))
                .width(64.0)
                .show_ui(ui, |ui| {
                    for choice in super::state::PlayRate::CHOICES {
                        ui.selectable_value(rate, choice, format!("{choice:.0} patterns/s"));
                    }
                })
                .response
                .on_hover_text("Playback speed");
            let Some(sample) = self.workspace.active_sample().filter(|_| n > 0) else {
                ui.label("no patterns");
                return;
            };
            let kelvin = sample.series().axis == crate::model::TemperatureAxis::Kelvin;
            let axis = sample.axis();
            let formatter = |v: f64, _: std::ops::RangeInclusive<usize>| {
                let i = v.round().max(0.0) as usize;
                match axis.get(i) {
                    Some(t) if kelvin && t.is_finite() => format!("{t:.1} K"),
                    _ => format!("#{i}"),
                }
            };
            ui.spacing_mut().slider_width = (ui.available_width() - 400.0).max(120.0);
            let mut cursor = self.workspace.cursor;
            ui.add(
                egui::Slider::new(&mut cursor, 0..=n - 1)
                    .text("T")
                    .custom_formatter(formatter)
                    .custom_parser(|_| None),
            );
            if cursor != self.workspace.cursor {
                actions.push(Action::SetCursor(cursor));
            }
            ui.label(format!("pattern {} of {n}", self.workspace.cursor + 1));
            let mut move_mode = self.settings.move_mode;
            ui.checkbox(&mut move_mode, "Move mode").on_hover_text(
                "Drags on the plots move fit seeds, marks and the FSDP window instead of panning or zooming",
            );
            if move_mode != self.settings.move_mode {
                actions.push(Action::SetMoveMode(move_mode));
            }
            if let Some(w) = self.jobs.worker.as_ref().filter(|w| w.is_busy()) {
                let (done, total) = w.progress();
                ui.add(
                    egui::ProgressBar::new(if total > 0 {
                        done as f32 / total as f32
                    } else {
                        0.0
                    })
                    .desired_width(120.0)
                    .text("analysing"),
                );
            }
        });
    }
}
