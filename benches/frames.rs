//! UI frame times (CPU: the app's frame logic, egui layout and tessellation; no GPU here)
//! while dragging the temperature slider and while dragging a fit seed in move mode, with a
//! 150-pattern and a 2,000-pattern series loaded and analysed, and the frame that takes a
//! watched folder's update, and frames while a 10,000-pattern series is being analysed. 60 fps
//! needs < 16.7 ms.

// The allocator of the `glassray` binary (src/main.rs), so the timings are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::live::LiveOptions;
use glassray::io::SeriesLoad;
use glassray::report::demo_files::{demo_file_name, demo_header, pattern_text};
use glassray::ui::{Action, GlassrayApp};

fn harness(patterns: usize) -> Harness<'static, GlassrayApp> {
    let step = 450.0 / (patterns - 1) as f64;
    let series = demo_series(
        &SAMPLES[0],
        &DemoConfig {
            t_step: step,
            t_end: 300.0 + step * (patterns - 1) as f64 + 1e-6,
            ..Default::default()
        },
    );
    assert_eq!(series.len(), patterns);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| {
            GlassrayApp::with_loads(&cc.egui_ctx, vec![SeriesLoad::from_series(series)])
        });
    for _ in 0..200_000 {
        h.step();
        if !h.state().is_analysing() && h.state().samples()[0].analysis().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(h.state().samples()[0].analysis().is_some(), "analysed");
    h.run_steps(3);
    h
}

/// One frame as eframe would run it: the app's update and egui's layout (the harness step),
/// then tessellation of what it drew.
fn frame(h: &mut Harness<'static, GlassrayApp>) {
    h.step();
    let out = h.output();
    let shapes = out.shapes.clone();
    let ppp = out.pixels_per_point;
    std::hint::black_box(h.ctx.tessellate(shapes, ppp));
}

fn bench_frames(c: &mut Criterion) {
    // As the window sets it up (ui::run): the analysis pool yields the CPU to the frames.
    glassray::engine::priority::background_pool();
    let mut group = c.benchmark_group("frames");
    group.sample_size(30);
    // `cargo test --benches` runs each bench once: skip the 2,000-pattern set-up there.
    let sizes: &[usize] = if std::env::args().any(|a| a == "--bench") {
        &[150, 2000]
    } else {
        &[150]
    };
    for &n in sizes {
        let mut h = harness(n);
        let mut k = 0usize;
        group.bench_function(format!("slider_drag_{n}_patterns"), |b| {
            b.iter(|| {
                // Right, then back left at the end: every frame shows a new temperature.
                k += 1;
                let key = if (k / (n - 1)).is_multiple_of(2) {
                    egui::Key::ArrowRight
                } else {
                    egui::Key::ArrowLeft
                };
                h.key_press(key);
                frame(&mut h);
            })
        });

        // Hovering a versus-T panel: the pointer crosses it, and every frame the readout
        // finds each curve's point nearest the pointer.
        let area = h
            .get_by_role_and_label(Role::Image, "FSDP area versus T plot")
            .rect();
        let mut m = 0usize;
        group.bench_function(format!("hover_versus_{n}_patterns"), |b| {
            b.iter(|| {
                m += 1;
                let f = (m % 100) as f32 / 100.0;
                h.hover_at(egui::pos2(area.left() + f * area.width(), area.center().y));
                frame(&mut h);
            })
        });
        h.remove_cursor();
        h.step();

        // Seed drag in move mode: the pointer moves one pixel per frame with the button held;
        // each frame changes a seed, which starts a background refit.
        h.get_by_label("Move mode").click();
        h.run_steps(2);
        let plot = h
            .get_by_role_and_label(Role::Image, "Connection-mode fit plot")
            .rect();
        let y = plot.center().y;
        let x0 = h.state().seed_screen_x(&h.ctx, 1).expect("seed drawn");
        h.hover_at(egui::pos2(x0, y));
        h.step();
        h.drag_at(egui::pos2(x0, y));
        h.step();
        let mut j = 0i32;
        group.bench_function(format!("seed_drag_{n}_patterns"), |b| {
            b.iter(|| {
                j += 1;
                let dx = ((j % 40) - 20).abs() as f32 - 10.0;
                h.hover_at(egui::pos2(x0 + dx, y));
                frame(&mut h);
            })
        });
        h.drop_at(egui::pos2(x0, y));
        h.step();
    }
    group.finish();
}

/// The frame that takes a watched folder's update (issue 16: ≤ 16 ms while patterns land at
/// 20 per second): the new pattern put into the sample, the follower's analysis installed and
/// every plot rebuilt from it, on a 150-pattern series. Patterns land one at a time (after the
/// last, each is written again in place, which is read again); only the frame that takes the
/// update is timed, the frames at 60 fps before it are ordinary frames (above).
fn bench_live(c: &mut Criterion) {
    let mut group = c.benchmark_group("frames");
    group.sample_size(10);
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_millis(100));
    let series = demo_series(&SAMPLES[0], &DemoConfig::default());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |i: usize, scale: f64| {
        let mut p = series.patterns[i].clone();
        p.y.iter_mut().for_each(|v| *v *= scale);
        let text = pattern_text(&p, &demo_header(&series, &p));
        std::fs::write(dir.path().join(demo_file_name(&series, &p)), text).expect("write");
    };
    for i in 0..149 {
        write(i, 1.0);
    }
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| {
            let mut app = GlassrayApp::with_loads(&cc.egui_ctx, Vec::new());
            app.set_live_options(LiveOptions {
                settle: Duration::from_millis(20),
                poll_interval: Duration::from_millis(5),
                ..Default::default()
            });
            app
        });
    h.state_mut().apply(Action::Watch(dir.path().to_path_buf()));
    let taken = |h: &Harness<'static, GlassrayApp>, n: u64| h.state().live_updates() > n;
    for _ in 0..20_000 {
        h.step();
        if h.state().watching().is_some_and(|(_, k, _)| k == 149) && !h.state().is_busy() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut next = 149usize;
    group.bench_function("live_update_150_patterns", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let before = h.state().live_updates();
                let i = next % series.len();
                write(
                    i,
                    if next < series.len() {
                        1.0
                    } else {
                        1.0 + 1e-6 * next as f64
                    },
                );
                next += 1;
                for _ in 0..2_000 {
                    let started = std::time::Instant::now();
                    frame(&mut h);
                    if taken(&h, before) {
                        timed += started.elapsed();
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(16));
                }
            }
            timed
        })
    });
    group.finish();
}

/// Frames while a 10,000-pattern series (1,250 Q points) is being analysed on the pool (issue
/// 15: the UI is not blocked): the slider is dragged one pattern per frame, and whenever the
/// analysis ends the FSDP window is nudged, which starts it again, so every timed frame runs
/// beside a whole-series analysis using both cores. Only with `--bench` (the set-up takes
/// about a minute).
fn bench_during_analysis(c: &mut Criterion) {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut group = c.benchmark_group("frames");
    group.sample_size(30);
    let n = 10_000;
    // The first analysis shows the panels; the timed frames run beside the later ones.
    let mut h = harness(n);
    let mut nudge = 0usize;
    let mut restart = |h: &mut Harness<'static, GlassrayApp>| {
        nudge += 1;
        let lo = 2.2 + 0.001 * (nudge % 2) as f64;
        h.state_mut().apply(Action::SetFsdpWindow((lo, 3.0)));
        h.step();
    };
    restart(&mut h);
    let mut k = 0usize;
    let mut beside = 0usize;
    group.bench_function("slider_drag_while_analysing_10000_patterns", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                if !h.state().is_analysing() {
                    restart(&mut h);
                }
                k += 1;
                let key = if (k / (n - 1)).is_multiple_of(2) {
                    egui::Key::ArrowRight
                } else {
                    egui::Key::ArrowLeft
                };
                h.key_press(key);
                let started = std::time::Instant::now();
                frame(&mut h);
                timed += started.elapsed();
                beside += usize::from(h.state().is_analysing());
            }
            timed
        })
    });
    group.finish();
    eprintln!("frames beside a running analysis: {beside} of {k}");
}

criterion_group!(benches, bench_frames, bench_live, bench_during_analysis);
criterion_main!(benches);
