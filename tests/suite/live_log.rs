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
