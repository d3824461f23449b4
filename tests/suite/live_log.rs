//! A temperature log caught before its first complete row (a header alone, or half a row) is
//! not a problem of a followed folder: it is read once a row has landed.

use std::io::Write as _;
use std::time::{Duration, Instant};

use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::live::{LiveFolder, LiveOptions};
use glassray::io::LoadOptions;
use glassray::report::demo_files::{demo_file_name, demo_header, pattern_text};

#[test]
fn a_log_with_no_complete_row_yet_is_not_reported() {
    let series = demo_series(
        &SAMPLES[1],
        &DemoConfig {
            t_end: 303.0,
            ..Default::default()
        },
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("temperatures.csv");
    std::fs::write(&log, "file,temperature_K\n").expect("log header");
    let mut folder = LiveFolder::new(
        dir.path(),
        LoadOptions::default(),
        AnalysisParams::default(),
        Marks::default(),
        &LiveOptions::default(),
    );
    let mut clock = Instant::now();
    let mut updates = Vec::new();
    let mut step = |folder: &mut LiveFolder, clock: &mut Instant| {
        *clock += Duration::from_millis(100);
        if let Some(u) = folder.step(*clock).expect("scan") {
            updates.push(u);
        }
    };
    step(&mut folder, &mut clock);
    // Half a row, then the pattern it names, while the log keeps growing.
    let p = &series.patterns[0];
    let name = demo_file_name(&series, p);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open log");
    f.write_all(format!("{name},30").as_bytes())
        .expect("half a row");
    f.flush().expect("flush");
    step(&mut folder, &mut clock);
    std::fs::write(
        dir.path().join(&name),
        pattern_text(p, &demo_header(&series, p)),
    )
    .expect("pattern");
    step(&mut folder, &mut clock);
    f.write_all(b"0.0\n").expect("the rest of the row");
    f.flush().expect("flush");
    for _ in 0..20 {
        step(&mut folder, &mut clock);
    }
    for u in &updates {
        for s in &u.snapshot.series {
            assert!(s.load.failed.is_empty(), "{:?}", s.load.failed);
        }
        assert!(u.problems.is_empty(), "{:?}", u.problems);
    }
    let last = updates.last().expect("an update once the pattern settled");
    let s = &last.snapshot.series[0];
    assert_eq!(s.load.series.len(), 1);
    assert_eq!(
        s.load.series.patterns[0].kelvin(),
        Some(300.0),
        "T from the completed row"
    );
    assert_eq!(s.load.log.as_deref(), Some(log.as_path()));
}

/// `n` patterns of a short demo series written into `dir` without a temperature in their
/// headers (the log gives it), and the log rows `index,filename,T_K` for them.
fn patterns_without_t(dir: &std::path::Path, n: usize) -> Vec<String> {
    let series = demo_series(
        &SAMPLES[0],
        &DemoConfig {
            t_end: 318.0,
            ..Default::default()
        },
    );
    assert!(series.len() >= n);
    (0..n)
        .map(|i| {
            let p = &series.patterns[i];
            let header: Vec<(String, String)> = demo_header(&series, p)
                .into_iter()
                .filter(|(k, _)| k != "T" && k != "time")
                .collect();
            let name = demo_file_name(&series, p);
            std::fs::write(dir.join(&name), pattern_text(p, &header)).expect("pattern");
            format!("{i},{name},{}", p.kelvin().expect("T"))
        })
        .collect()
}

/// Steps `folder` on a clock for `seconds`, 100 ms at a time; the last update.
fn run_for(
    folder: &mut LiveFolder,
    clock: &mut Instant,
    seconds: f64,
) -> Option<glassray::engine::live::LiveUpdate> {
    let mut last = None;
    for _ in 0..(seconds * 10.0) as usize {
        *clock += Duration::from_millis(100);
        if let Some(u) = folder.step(*clock).expect("scan") {
            last = Some(u);
        }
    }
    last
}

/// What `analyze` loads from the same folder and log.
fn batch_temperatures(dir: &std::path::Path, load: &LoadOptions) -> Vec<Option<f64>> {
    let loads = glassray::engine::load_inputs(&[dir.to_path_buf()], load);
    loads[0]
        .series
        .patterns
        .iter()
        .map(|p| p.kelvin())
        .collect()
}

#[test]
fn a_temps_log_outside_the_folder_is_followed_and_its_last_row_counts_without_a_newline() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (dir, elsewhere) = (tmp.path().join("beam"), tmp.path().join("control"));
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::create_dir(&elsewhere).expect("mkdir");
    let rows = patterns_without_t(&dir, 5);
    let log = elsewhere.join("run42.csv");
    // The controller's log lags: rows for the first three patterns only.
    std::fs::write(
        &log,
        format!("index,filename,T_K\n{}\n", rows[..3].join("\n")),
    )
    .expect("log");
    let load = LoadOptions {
        temperature_log: Some(log.clone()),
        ..Default::default()
    };
    let mut folder = LiveFolder::new(
        &dir,
        load.clone(),
        AnalysisParams::default(),
        Marks::default(),
        &LiveOptions::default(),
    );
    let mut clock = Instant::now();
    let u = run_for(&mut folder, &mut clock, 1.0).expect("the patterns settled");
    let temps = |u: &glassray::engine::live::LiveUpdate| -> Vec<Option<f64>> {
        u.snapshot.series[0]
            .load
            .series
            .patterns
            .iter()
            .map(|p| p.kelvin())
            .collect()
    };
    assert_eq!(temps(&u)[3], None, "no row yet");
    // Nothing in the folder changes; the log outside it gets the last two rows, the very last
    // without its newline (written by a script that joins its lines).
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    f.write_all(format!("{}\n{}", rows[3], rows[4]).as_bytes())
        .expect("rows");
    f.flush().expect("flush");
    drop(f);
    let u = run_for(&mut folder, &mut clock, 1.0).expect("the log changed: an update");
    let batch = batch_temperatures(&dir, &load);
    assert!(batch.iter().all(Option::is_some), "{batch:?}");
    assert_eq!(
        temps(&u),
        batch,
        "every row, the last one too, as analyze reads them"
    );
    assert!(folder.is_quiet());
}

#[test]
fn a_log_in_the_folder_whose_last_row_has_no_newline_is_read_whole_once_still() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = patterns_without_t(dir.path(), 4);
    std::fs::write(
        dir.path().join("temperatures.csv"),
        format!("index,filename,T_K\n{}", rows.join("\n")),
    )
    .expect("log");
    let mut folder = LiveFolder::new(
        dir.path(),
        LoadOptions::default(),
        AnalysisParams::default(),
        Marks::default(),
        &LiveOptions::default(),
    );
    let mut clock = Instant::now();
    let u = run_for(&mut folder, &mut clock, 1.5).expect("settled");
    let temps: Vec<Option<f64>> = u.snapshot.series[0]
        .load
        .series
        .patterns
        .iter()
        .map(|p| p.kelvin())
        .collect();
    let batch = batch_temperatures(dir.path(), &LoadOptions::default());
    assert!(batch[3].is_some());
    assert_eq!(temps, batch);
}
