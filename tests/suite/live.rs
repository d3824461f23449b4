//! Live following (issue 16): `glassray watch` on a folder being written, and the engine's
//! incremental analysis against the batch path.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::analyze_with_systematics;
use glassray::engine::live::{LiveFolder, LiveOptions, LiveUpdate};
use glassray::engine::load_inputs;
use glassray::io::LoadOptions;
use glassray::model::HeatingSeries;
use glassray::report::demo_files::{demo_file_name, demo_header, pattern_text};

use super::cli::glassray;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `watch`'s OUT holds the same files as `analyze`'s, byte for byte.
pub(super) fn assert_same_outputs(live: &Path, batch: &Path) {
    let (a, b) = (tree(live), tree(batch));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between watch and analyze");
    }
}

/// Every file under `dir` (relative path → bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.push((rel.display().to_string(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn watch_follows_a_folder_being_written_and_ends_with_the_outputs_of_analyze() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let demo = tmp.path().join("demo");
    let out = glassray(&["demo", "--out", s(&demo)]);
    assert!(out.status.success(), "{out:?}");
    let src = demo.join("AC");
    let watched = tmp.path().join("beam");
    std::fs::create_dir(&watched).expect("mkdir");
    let (live_out, batch_out) = (tmp.path().join("live"), tmp.path().join("batch"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(["watch", s(&watched), "--out", s(&live_out)])
        .args(["--exit-after-idle", "2.5", "--settle-ms", "150"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn glassray watch");
    let log_lines: Vec<String> = std::fs::read_to_string(src.join("temperatures.csv"))
        .expect("log")
        .lines()
        .map(str::to_owned)
        .collect();
    let mut log = std::fs::File::create(watched.join("temperatures.csv")).expect("log");
    writeln!(log, "{}", log_lines[0]).expect("log header");
    let name = |i: usize| format!("AC_{i:04}.xy");
    let (halves, late) = (12, 25);
    let land = |i: usize, log: &mut std::fs::File| {
        // The log's row first: a pattern read before its row lands would take the header's
        // temperature and print a problem until the row arrives (the outputs catch up).
        writeln!(log, "{}", log_lines[i + 1])
            .and_then(|()| log.flush())
            .expect("log row");
        let text = std::fs::read(src.join(name(i))).expect("pattern");
        let to = watched.join(name(i));
        if i == halves {
            // Written in two halves a second apart, cut at a line end.
            let mid = text[..text.len() / 2]
                .iter()
                .rposition(|&b| b == b'\n')
                .expect("a line end")
                + 1;
            let mut f = std::fs::File::create(&to).expect("create");
            f.write_all(&text[..mid])
                .and_then(|()| f.flush())
                .expect("first half");
            std::thread::sleep(Duration::from_secs(1));
            f.write_all(&text[mid..]).expect("second half");
        } else {
            std::fs::write(&to, &text).expect("write");
        }
        std::thread::sleep(Duration::from_millis(60));
    };
    for i in (0..40).filter(|&i| i != late) {
        land(i, &mut log);
    }
    // The late file lands once the others were read.
    std::thread::sleep(Duration::from_millis(800));
    land(late, &mut log);
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "watch did not exit after idling"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let pattern_lines: Vec<&str> = stdout.lines().filter(|l| l.contains(".xy  T=")).collect();
    assert_eq!(pattern_lines.len(), 40, "{stdout}");
    assert!(
        !pattern_lines.iter().any(|l| l.contains("problem")),
        "nothing caught mid-write is a problem: {stdout}"
    );
    assert!(
        stdout.contains("loaded: 0 file(s) skipped, 0 row(s) dropped, 0 pattern(s) with problems"),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    // The late file took its place (position 25) when it landed, last.
    let last = pattern_lines.last().expect("lines");
    assert!(
        last.trim_start().starts_with("25  AC_0025.xy  T=375.0 K"),
        "{last}"
    );
    let out = glassray(&["analyze", s(&watched), "--out", s(&batch_out)]);
    assert!(out.status.success(), "{out:?}");
    assert_same_outputs(&live_out, &batch_out);
}

/// Writes patterns `which` of `series` into `dir` as demo files (temperature in the header).
fn write_patterns(dir: &Path, series: &HeatingSeries, which: &[usize]) {
    for &i in which {
        let p = &series.patterns[i];
        let text = pattern_text(p, &demo_header(series, p));
        std::fs::write(dir.join(demo_file_name(series, p)), text).expect("write");
    }
}

fn small_series() -> HeatingSeries {
    demo_series(
        &SAMPLES[0],
        &DemoConfig {
            t_end: 318.0,
            ..Default::default()
        },
    )
}

/// Steps the folder past the settle time and returns the update.
pub(super) fn settle(folder: &mut LiveFolder, clock: &mut Instant) -> LiveUpdate {
    folder.step(*clock).expect("scan");
    *clock += Duration::from_secs(1);
    folder
        .step(*clock)
        .expect("scan")
        .expect("an update once the files settled")
}

/// The live analysis equals the batch one on the folder as it is now, bit for bit.
fn assert_matches_batch(dir: &Path, update: &LiveUpdate) {
    let loads = load_inputs(&[dir.to_path_buf()], &LoadOptions::default());
    assert_eq!(loads.len(), 1);
    let live = &update.snapshot.series[0];
    assert_eq!(
        format!("{:?}", live.load.series),
        format!("{:?}", loads[0].series)
    );
    let batch = analyze_with_systematics(
        &loads[0].series,
        &AnalysisParams::default(),
        &Marks::default(),
    );
    assert_eq!(format!("{:?}", live.analysis), format!("{batch:?}"));
}

fn live_folder(dir: &Path) -> LiveFolder {
    LiveFolder::new(
        dir,
        LoadOptions::default(),
        AnalysisParams::default(),
        Marks::default(),
        &LiveOptions::default(),
    )
}

#[test]
fn a_late_file_takes_its_place_and_only_it_is_computed() {
    let series = small_series();
    assert!(series.len() >= 6);
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 3, 4, 5]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added.len(), 5);
    assert_eq!(u.computed, 5);
    assert_matches_batch(dir.path(), &u);
    write_patterns(dir.path(), &series, &[2]);
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added, [(0, 2)], "the late file lands at its place");
    assert_eq!(
        u.computed, 1,
        "only the new pattern is transformed and fitted"
    );
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn a_new_first_pattern_becomes_the_reference_of_every_delta_s() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[2, 3, 4]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    let before = settle(&mut folder, &mut clock);
    assert_eq!(
        before.snapshot.series[0].analysis.patterns[0].delta_s_rms,
        0.0
    );
    write_patterns(dir.path(), &series, &[0]);
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added, [(0, 0)]);
    assert_eq!(u.computed, 1, "the others only recompute ΔS");
    let a = &u.snapshot.series[0].analysis;
    assert_eq!(a.patterns[0].delta_s_rms, 0.0);
    assert!(a.patterns[1].delta_s_rms > 0.0);
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn a_pattern_replaced_in_place_is_read_again() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 2, 3]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    settle(&mut folder, &mut clock);
    let mut changed = series.clone();
    for y in &mut changed.patterns[2].y {
        *y *= 1.01;
    }
    write_patterns(dir.path(), &changed, &[2]);
    let u = settle(&mut folder, &mut clock);
    assert!(u.added.is_empty());
    assert_eq!(u.replaced, [(0, 2)]);
    assert_eq!(u.computed, 1);
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn a_half_written_file_waits_and_a_file_that_never_completes_is_reported() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    settle(&mut folder, &mut clock);
    // Only the header of the next file: it reads badly, so it waits without a problem.
    let p = &series.patterns[2];
    let text = pattern_text(p, &demo_header(&series, p));
    let head: String = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.path().join(demo_file_name(&series, p));
    std::fs::write(&path, &head).expect("header");
    folder.step(clock).expect("scan");
    clock += Duration::from_secs(1);
    assert!(
        folder.step(clock).expect("scan").is_none(),
        "nothing to report yet"
    );
    assert!(!folder.is_quiet());
    // Still only a header after the give-up time: now it is a problem naming the file.
    clock += LiveOptions::default().give_up;
    let u = folder.step(clock).expect("scan").expect("an update");
    assert_eq!(u.problems.len(), 1, "{:?}", u.problems);
    assert!(
        u.problems[0].contains(&demo_file_name(&series, p)),
        "{:?}",
        u.problems
    );
    assert_matches_batch_failed(dir.path(), &u);
    // Written again (still only a header: offered again while it may be being written),
    // then deleted before it settles: it leaves the series, as from a batch load.
    std::fs::write(&path, format!("{head}# again\n")).expect("rewrite");
    clock += Duration::from_millis(100);
    folder.step(clock).expect("scan");
    clock += Duration::from_secs(1);
    folder.step(clock).expect("scan");
    std::fs::remove_file(&path).expect("delete");
    clock += Duration::from_millis(100);
    let u = folder
        .step(clock)
        .expect("scan")
        .expect("the failed file is gone: an update");
    assert!(u.removed.contains(&path), "{:?}", u.removed);
    assert!(u.snapshot.series[0].load.failed.is_empty());
    assert_matches_batch_failed(dir.path(), &u);
}

/// The live load lists the same failed files as a batch load.
fn assert_matches_batch_failed(dir: &Path, update: &LiveUpdate) {
    let loads = load_inputs(&[dir.to_path_buf()], &LoadOptions::default());
    let live = &update.snapshot.series[0].load;
    let names =
        |f: &[glassray::io::LoadError]| f.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(names(&live.failed), names(&loads[0].failed));
}

#[test]
fn a_growing_temperature_log_is_read_again_and_matched_line_by_line() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 2]);
    let row = |i: usize| {
        let p = &series.patterns[i];
        // Half a kelvin off the header's, so the log's value shows.
        let t = p.kelvin().expect("T") + 0.5;
        format!("{i},{},{t}\n", demo_file_name(&series, p))
    };
    let log = dir.path().join("temperatures.csv");
    std::fs::write(&log, format!("index,filename,T_K\n{}", row(0))).expect("log");
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    let u = settle(&mut folder, &mut clock);
    let kelvin = |u: &LiveUpdate, i: usize| u.snapshot.series[0].load.series.patterns[i].kelvin();
    assert_eq!(
        kelvin(&u, 0),
        Some(series.patterns[0].kelvin().expect("T") + 0.5)
    );
    assert_eq!(
        kelvin(&u, 1),
        series.patterns[1].kelvin(),
        "not in the log yet: the header's"
    );
    // A line caught half written is left for the next read.
    let (r1, r2) = (row(1), row(2));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    f.write_all(format!("{r1}{}", &r2[..5]).as_bytes())
        .expect("append");
    clock += Duration::from_millis(10);
    let u = folder
        .step(clock)
        .expect("scan")
        .expect("the log grew: an update");
    assert_eq!(u.computed, 0, "a temperature changes no transform or fit");
    assert_eq!(
        kelvin(&u, 1),
        Some(series.patterns[1].kelvin().expect("T") + 0.5)
    );
    assert_eq!(kelvin(&u, 2), series.patterns[2].kelvin());
    f.write_all(&r2.as_bytes()[5..]).expect("append");
    clock += Duration::from_millis(10);
    let u = folder
        .step(clock)
        .expect("scan")
        .expect("the log grew: an update");
    assert_eq!(
        kelvin(&u, 2),
        Some(series.patterns[2].kelvin().expect("T") + 0.5)
    );
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn with_sequential_fits_every_fit_after_a_late_file_is_redone_and_matches_the_batch() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 3, 4, 5]);
    let mut params = AnalysisParams::default();
    params.fit.sequential = true;
    let mut folder = LiveFolder::new(
        dir.path(),
        LoadOptions::default(),
        params.clone(),
        Marks::default(),
        &LiveOptions::default(),
    );
    let mut clock = Instant::now();
    settle(&mut folder, &mut clock);
    write_patterns(dir.path(), &series, &[2]);
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added, [(0, 2)]);
    let loads = load_inputs(&[dir.path().to_path_buf()], &LoadOptions::default());
    let batch = analyze_with_systematics(&loads[0].series, &params, &Marks::default());
    assert_eq!(
        format!("{:?}", u.snapshot.series[0].analysis),
        format!("{batch:?}")
    );
}

#[test]
fn watch_and_demo_live_refuse_bad_usage_with_a_reason() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir(&a).expect("mkdir");
    std::fs::create_dir(&b).expect("mkdir");
    let out = tmp.path().join("out");
    let nope = tmp.path().join("nope");
    let cases: [(&[&str], &str); 7] = [
        (
            &["watch", s(&a), "--out", s(&out), "--timings"],
            "--timings",
        ),
        (
            &["watch", s(&a), s(&b), "--out", s(&out)],
            "exactly one folder",
        ),
        (&["watch", s(&nope), "--out", s(&out)], "not a folder"),
        (
            &[
                "watch",
                s(&a),
                "--out",
                s(&out),
                "--composition",
                "Zz50Cu50",
            ],
            "--composition `Zz50Cu50`",
        ),
        (
            &["watch", s(&a), "--out", s(&out), "--exit-after-idle", "-1"],
            "--exit-after-idle",
        ),
        (&["demo", "--live", s(&a), "--rate", "0"], "--rate"),
        (&["demo", "--live", s(&a), "--sample", "XX"], "AC, CR, HPT"),
    ];
    for (args, says) in cases {
        let run = glassray(args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn a_removed_file_leaves_the_series() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 2]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    settle(&mut folder, &mut clock);
    let gone = dir
        .path()
        .join(demo_file_name(&series, &series.patterns[1]));
    std::fs::remove_file(&gone).expect("remove");
    clock += Duration::from_millis(10);
    let u = folder.step(clock).expect("scan").expect("an update");
    assert_eq!(u.removed, [gone]);
    assert_eq!(u.snapshot.series[0].load.series.len(), 2);
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn a_pattern_on_another_grid_waits_once_then_its_grid_is_known() {
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1]);
    let mut folder = live_folder(dir.path());
    let mut clock = Instant::now();
    settle(&mut folder, &mut clock);
    // Patterns 2 and 3 on a shorter grid (complete files, not half-written ones).
    let mut short = series.clone();
    for p in &mut short.patterns {
        p.x.truncate(1000);
        p.y.truncate(1000);
    }
    write_patterns(dir.path(), &short, &[2]);
    folder.step(clock).expect("scan");
    clock += Duration::from_secs(1);
    assert!(
        folder.step(clock).expect("scan").is_none(),
        "it may be half written"
    );
    clock += LiveOptions::default().give_up;
    let u = folder.step(clock).expect("scan").expect("taken as it is");
    assert_eq!(u.added, [(0, 2)]);
    assert!(u.problems.is_empty(), "{:?}", u.problems);
    write_patterns(dir.path(), &short, &[3]);
    let u = settle(&mut folder, &mut clock);
    assert_eq!(u.added, [(0, 3)], "its grid is known now: no wait");
    assert_matches_batch(dir.path(), &u);
}

#[test]
fn a_quiet_folder_is_not_scanned_in_a_loop() {
    // inotify reports opening a file or listing the folder: the follower's own scans and
    // reads must not wake it again (it had spun on a core while nothing changed).
    let series = small_series();
    let dir = tempfile::tempdir().expect("tempdir");
    write_patterns(dir.path(), &series, &[0, 1, 2]);
    let options = LiveOptions::default();
    let mut handle =
        glassray::engine::live::watch(live_folder(dir.path()), &options, None).expect("follow");
    let started = Instant::now();
    while handle
        .idle_for()
        .is_none_or(|t| t < Duration::from_millis(1500))
    {
        assert!(started.elapsed() < Duration::from_secs(60), "never quiet");
        let _ = handle.recv_timeout(Duration::from_millis(50));
    }
    let before = handle.scans();
    std::thread::sleep(Duration::from_secs(3));
    let scans = handle.scans() - before;
    let most = if handle.mode.starts_with("polling") {
        3.0 / options.poll_interval.as_secs_f64() + 2.0
    } else {
        5.0
    };
    assert!(
        (scans as f64) <= most,
        "{scans} scans in 3 s of a quiet folder ({})",
        handle.mode
    );
    handle.stop();
}

/// The value and uncertainty of a "612.3 ± 2.0 K" following `key` in `line`.
fn kelvin_after(line: &str, key: &str) -> Option<(f64, f64)> {
    let rest = &line[line.find(key)? + key.len()..];
    let mut words = rest.split_whitespace();
    let value = words.next()?.parse().ok()?;
    let u = words.nth(1)?.parse().ok()?;
    Some((value, u))
}

#[test]
fn watch_prints_a_transition_when_found_again_when_it_moves_and_ends_on_the_values_in_out() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let watched = tmp.path().join("beam");
    std::fs::create_dir(&watched).expect("mkdir");
    let series = demo_series(&SAMPLES[0], &DemoConfig::default());
    let n = series.len();
    let early = 18;
    let live_out = tmp.path().join("live");
    let mut child = Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(["watch", s(&watched), "--out", s(&live_out)])
        .args(["--exit-after-idle", "2.5", "--settle-ms", "150"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn glassray watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line.clone()).is_err() {
                break;
            }
        }
    });
    // The first patterns, then the rest once they were analysed: an estimate made on the
    // glass alone is seldom the one the whole run gives.
    write_patterns(&watched, &series, &(0..early).collect::<Vec<_>>());
    let mut lines = Vec::new();
    let started = Instant::now();
    while lines
        .iter()
        .filter(|l: &&String| l.contains(".xy  T="))
        .count()
        < early
    {
        assert!(started.elapsed() < Duration::from_secs(60), "{lines:?}");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            lines.push(line);
        }
    }
    write_patterns(&watched, &series, &(early..n).collect::<Vec<_>>());
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    lines.extend(rx.try_iter());
    let text = lines.join("\n");
    assert!(status.success(), "{text}");
    let batch_out = tmp.path().join("batch");
    let out = glassray(&["analyze", s(&watched), "--out", s(&batch_out)]);
    assert!(out.status.success(), "{out:?}");
    assert_same_outputs(&live_out, &batch_out);
    // The last line on the series says what `analyze` says (and summary.json holds).
    let analyzed = String::from_utf8_lossy(&out.stdout);
    let batch_line = analyzed
        .lines()
        .find(|l| l.starts_with("AC: "))
        .and_then(|l| l.split(" → ").next())
        .expect("analyze's series line");
    let final_line = lines
        .iter()
        .find(|l| l.starts_with("AC: "))
        .unwrap_or_else(|| panic!("watch's series line: {text}"));
    assert_eq!(final_line, batch_line);
    for name in ["T_r", "T_g", "T_x"] {
        // Every news line of this transition, in order; the last printed value is the final
        // one within what `watch` calls a move (twice the uncertainty, at least 5 K).
        let news: Vec<&String> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("{name} ")))
            .collect();
        assert!(
            news.first().is_some_and(|l| l.contains("first detected")),
            "{name}: {text}"
        );
        let last = news.last().expect("news");
        let (printed, _) = kelvin_after(last, ": ").unwrap_or_else(|| panic!("{last}"));
        let (at_end, u) = kelvin_after(final_line, &format!("{name} ")).expect("final value");
        assert!(
            (printed - at_end).abs() <= (2.0 * u).max(5.0) + 0.05,
            "{name}: printed {printed} K last, {at_end} ± {u} K at the end\n{text}"
        );
    }
}

#[test]
fn watch_with_no_idle_time_reads_a_finished_folder_whole_and_reports_a_dangling_link_as_analyze() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let watched = tmp.path().join("beam");
    std::fs::create_dir(&watched).expect("mkdir");
    let series = small_series();
    write_patterns(&watched, &series, &(0..series.len()).collect::<Vec<_>>());
    // A detector's "latest" link whose target is gone.
    std::os::unix::fs::symlink(tmp.path().join("gone.xy"), watched.join("latest.xy"))
        .expect("symlink");
    let (live_out, batch_out) = (tmp.path().join("live"), tmp.path().join("batch"));
    let out = glassray(&[
        "watch",
        s(&watched),
        "--out",
        s(&live_out),
        "--exit-after-idle",
        "0",
        "--settle-ms",
        "150",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let pattern_lines = text.lines().filter(|l| l.contains(".xy  T=")).count();
    assert_eq!(pattern_lines, series.len(), "{text}");
    let batch = glassray(&["analyze", s(&watched), "--out", s(&batch_out)]);
    assert_eq!(out.status.code(), batch.status.code(), "{out:?}\n{batch:?}");
    assert_eq!(batch.status.code(), Some(1), "the link is a skipped file");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("latest.xy"),
        "{out:?}"
    );
    assert_same_outputs(&live_out, &batch_out);
}

#[test]
fn ctrl_c_ends_watch_with_its_last_write_summary_and_exit_code() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let watched = tmp.path().join("beam");
    std::fs::create_dir(&watched).expect("mkdir");
    let series = small_series();
    let n = series.len();
    write_patterns(&watched, &series, &(0..n).collect::<Vec<_>>());
    let (live_out, batch_out) = (tmp.path().join("live"), tmp.path().join("batch"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args([
            "watch",
            s(&watched),
            "--out",
            s(&live_out),
            "--settle-ms",
            "150",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn glassray watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let started = Instant::now();
    while lines
        .iter()
        .filter(|l: &&String| l.contains(".xy  T="))
        .count()
        < n
    {
        assert!(started.elapsed() < Duration::from_secs(60), "{lines:?}");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            lines.push(line);
        }
    }
    // At once: the rewrite of OUT may still be waiting for its once-a-second turn.
    let pid = child.id().to_string();
    let kill = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    lines.extend(rx.try_iter());
    let text = lines.join("\n");
    assert!(status.success(), "{status:?}\n{text}");
    assert!(text.contains("interrupted"), "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("AC: {n} patterns; T_r"))),
        "{text}"
    );
    let batch = glassray(&["analyze", s(&watched), "--out", s(&batch_out)]);
    assert!(batch.status.success(), "{batch:?}");
    assert_same_outputs(&live_out, &batch_out);
}
