//! `glassray analyze --out`: outputs are never mixed or lost.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cli::{glassray, text};
use super::fixture;

/// A copy of `tests/data/series` (sample ZrCuAl, six S(Q) files and a log) at `to`. Its log has
/// no entry for scan_3 (a problem of that pattern), so a run on it exits 1.
fn copy_series(to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(fixture("series")).expect("series") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn analyze(inputs: &[&Path], out: &Path) -> std::process::Output {
    let mut args = vec!["analyze"];
    args.extend(inputs.iter().map(|p| s(p)));
    args.extend(["--out", s(out)]);
    glassray(&args)
}

#[test]
fn two_series_of_one_sample_and_two_files_of_one_stem_never_overwrite_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (x, y) = (dir.path().join("x/run"), dir.path().join("y/run"));
    copy_series(&x);
    copy_series(&y);
    let out = dir.path().join("out");
    let run = analyze(&[&x, &y], &out);
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}{}", text(&run.stderr));
    assert_eq!(names(&out), ["ZrCuAl", "ZrCuAl-2"]);
    assert!(
        stdout.contains("2 series share the name `ZrCuAl`: written as ZrCuAl, ZrCuAl-2"),
        "{stdout}"
    );
    for sample in ["ZrCuAl", "ZrCuAl-2"] {
        assert_eq!(names(&out.join(sample).join("gr")).len(), 6);
    }
    // Loose files from both folders are one series whose stems repeat.
    let loose = dir.path().join("loose");
    let run = analyze(
        &[
            &x.join("scan_1.xy"),
            &y.join("scan_1.xy"),
            &x.join("scan_2.xy"),
        ],
        &loose,
    );
    let stdout = text(&run.stdout);
    assert!(
        run.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&run.stderr)
    );
    assert_eq!(
        names(&loose.join("gr")),
        ["scan_1-2.gr", "scan_1.gr", "scan_2.gr"]
    );
    assert!(
        stdout.contains(
            "2 patterns' G(r) files share the name `scan_1.gr`: written as scan_1.gr, scan_1-2.gr"
        ),
        "{stdout}"
    );
}

#[test]
fn a_rerun_replaces_the_old_outputs_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data/run");
    copy_series(&data);
    let out = dir.path().join("out");
    assert_eq!(analyze(&[&data], &out).status.code(), Some(1));
    assert_eq!(names(&out.join("gr")).len(), 6);
    std::fs::remove_file(data.join("scan_6.xy")).expect("rm");
    let run = analyze(&[&data], &out);
    assert!(
        run.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&run.stderr)
    );
    assert!(
        !names(&out.join("gr")).contains(&"scan_6.gr".to_string()),
        "stale gr removed"
    );
    assert_eq!(names(&out), ["gr", "metrics.csv", "summary.json"]);
    assert_eq!(
        names(dir.path()),
        ["data", "out"],
        "no temporary folder is left"
    );
    // Several series into the folder of one: the one-series files go, no mix of layouts.
    let other = dir.path().join("data2/run");
    copy_series(&other);
    let run = analyze(&[&data, &other], &out);
    assert!(
        run.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&run.stderr)
    );
    assert_eq!(names(&out), ["ZrCuAl", "ZrCuAl-2"]);
}

#[cfg(unix)]
#[test]
fn a_write_that_fails_midway_leaves_the_old_set_and_no_temporary_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = fixture("series");
    let out = dir.path().join("out");
    assert_eq!(analyze(&[&data], &out).status.code(), Some(1));
    let before: Vec<(String, Vec<u8>)> = ["metrics.csv", "summary.json", "gr/scan_1.gr"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).expect("read")))
        .collect();
    // Files over 8 KiB cannot be written (as on a full disk): metrics.csv and summary.json fit,
    // the G(r) files (2000 rows) do not, so the write fails midway through the new set.
    let run = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_glassray"))
        .args(["analyze", s(&data), "--lorch", "--out", s(&out)])
        .output()
        .expect("run");
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: cannot write"), "{stderr}");
    for (f, bytes) in &before {
        assert_eq!(
            &std::fs::read(out.join(f)).expect("read"),
            bytes,
            "{f} kept"
        );
    }
    assert_eq!(names(dir.path()), ["out"], "no temporary folder is left");
}

#[test]
fn two_runs_into_one_folder_leave_one_complete_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a/run"), dir.path().join("b/run"));
    copy_series(&a);
    copy_series(&b);
    for f in ["scan_4.xy", "scan_5.xy", "scan_6.xy"] {
        std::fs::remove_file(b.join(f)).expect("rm");
    }
    let out = dir.path().join("out");
    let spawn = |input: &PathBuf| {
        Command::new(env!("CARGO_BIN_EXE_glassray"))
            .args(["analyze", s(input), "--out", s(&out)])
            .output()
    };
    let (ra, rb) = std::thread::scope(|scope| {
        let ha = scope.spawn(|| spawn(&a));
        let hb = scope.spawn(|| spawn(&b));
        (ha.join().expect("a"), hb.join().expect("b"))
    });
    for r in [ra, rb] {
        let r = r.expect("run");
        assert!(
            r.status.code().is_some_and(|c| c < 2),
            "{}",
            text(&r.stderr)
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("summary"))
            .expect("json");
    let patterns = json["patterns"].as_u64().expect("patterns") as usize;
    assert!(patterns == 6 || patterns == 3, "{patterns}");
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).expect("metrics");
    assert_eq!(
        metrics.lines().count(),
        patterns + 1,
        "metrics from the same run"
    );
    assert_eq!(
        names(&out.join("gr")).len(),
        patterns,
        "gr from the same run"
    );
    assert_eq!(
        names(dir.path()),
        ["a", "b", "out"],
        "no temporary folder is left"
    );
}

#[test]
fn an_out_folder_inside_an_input_or_holding_other_files_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    copy_series(&data);
    for out in [data.clone(), data.join("results"), dir.path().to_path_buf()] {
        let run = analyze(&[&data], &out);
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{}: {stderr}", out.display());
        assert!(stderr.contains("--out"), "{stderr}");
    }
    assert!(!data.join("metrics.csv").exists() && !data.join("results").exists());
    // An earlier run's metrics.csv given as the temperature log of a run into that folder.
    let old = dir.path().join("old");
    analyze(&[&data.join("scan_1.xy"), &data.join("scan_2.xy")], &old);
    assert!(old.join("metrics.csv").is_file());
    let run = glassray(&[
        "analyze",
        s(&data),
        "--temps",
        s(&old.join("metrics.csv")),
        "--out",
        s(&old),
    ]);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("holds the input"), "{stderr}");
    // A folder with a user's file is not replaced whole.
    let out = dir.path().join("mine");
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(out.join("thesis.tex"), "keep").expect("write");
    let run = analyze(&[&data], &out);
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("thesis.tex"), "{stderr}");
    assert_eq!(names(&out), ["thesis.tex"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_run_leaves_the_old_or_the_new_complete_set_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = fixture("series");
    let out = dir.path().join("out");
    let old = |out: &Path| -> Vec<Vec<u8>> {
        ["metrics.csv", "summary.json"]
            .iter()
            .map(|f| std::fs::read(out.join(f)).unwrap_or_default())
            .collect()
    };
    assert_eq!(analyze(&[&data], &out).status.code(), Some(1));
    let before = old(&out);
    // The demo (three series, a few seconds) killed at different moments of its run.
    for delay_ms in [50, 600, 2500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_glassray"))
            .args(["analyze", "--out", s(&out)])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let listed = names(&out);
        if listed == ["gr", "metrics.csv", "summary.json"] {
            assert_eq!(old(&out), before, "after {delay_ms} ms: the old set, whole");
            assert_eq!(names(&out.join("gr")).len(), 6);
        } else {
            assert_eq!(listed, ["AC", "CR", "HPT"], "after {delay_ms} ms");
            for sample in listed {
                assert_eq!(names(&out.join(&sample).join("gr")).len(), 151, "{sample}");
            }
            break;
        }
    }
    // The next run removes what the killed ones left beside the folder.
    assert_eq!(analyze(&[&data], &out).status.code(), Some(1));
    assert_eq!(names(dir.path()), ["out"], "no temporary folder is left");
}

#[test]
fn a_closed_stdout_loses_no_series() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (x, y) = (dir.path().join("x/AC"), dir.path().join("y/CR"));
    copy_series(&x);
    copy_series(&y);
    let out = dir.path().join("out");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader); // `glassray analyze … | head -0`
    let run = Command::new(env!("CARGO_BIN_EXE_glassray"))
        .args(["analyze", s(&x), s(&y), "--out", s(&out)])
        .stdout(writer)
        .output()
        .expect("run");
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(names(&out), ["ZrCuAl", "ZrCuAl-2"]);
    for sample in ["ZrCuAl", "ZrCuAl-2"] {
        assert_eq!(names(&out.join(sample).join("gr")).len(), 6, "{sample}");
        assert!(out.join(sample).join("summary.json").is_file());
    }
}
