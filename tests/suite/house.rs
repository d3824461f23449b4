//! The shape of the house, checked on the source: rooms only use the rooms below them, threads
//! live in the engine, egui lives in the UI, clap lives in the binary, and no function or file
//! grows past its limit. `scripts/check.sh` runs these as their own step.
//!
//! Rooms and what each may use (the README draws the same picture):
//! `model` ← `io`, `analysis` ← `demo` ← `engine` ← `report`, `session` ← `ui`, and the binary's
//! `cli` (with `main`, which opens either the command line or the window).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each room and the rooms it may use.
const ROOMS: [(&str, &[&str]); 10] = [
    ("model", &[]),
    ("io", &["model"]),
    ("analysis", &["model"]),
    ("demo", &["model", "analysis"]),
    ("engine", &["model", "io", "analysis", "demo"]),
    ("report", &["model", "io", "analysis", "demo", "engine"]),
    ("session", &["model", "io", "analysis", "engine"]),
    (
        "ui",
        &[
            "model", "io", "analysis", "demo", "engine", "report", "session",
        ],
    ),
    (
        "cli",
        &[
            "model", "io", "analysis", "demo", "engine", "report", "session",
        ],
    ),
    // The binary's `main`: the command line, or the window.
    (
        "main",
        &[
            "model", "io", "analysis", "demo", "engine", "report", "session", "ui", "cli",
        ],
    ),
];

/// Longest function (lines, signature to closing brace) and longest file (lines outside
/// `#[cfg(test)]` modules) allowed in `src/`.
const MAX_FUNCTION_LINES: usize = 150;
const MAX_FILE_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The room of a source file: its first folder or file stem under `src/` (`main.rs` and `cli/`
/// are the binary's `cli`); None for `lib.rs`.
fn room_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let stem = first.trim_end_matches(".rs");
    match stem {
        "lib" => None,
        "main" => Some("main".into()),
        s => Some(s.to_string()),
    }
}

/// The source with comments, string and character literals blanked out (newlines kept), so
/// braces and paths inside them are not read as code.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            && {
                let mut j = i + if c == 'b' { 2 } else { 1 };
                while b.get(j) == Some(&'#') {
                    j += 1;
                }
                b.get(j) == Some(&'"')
            }
        {
            // Raw string r#"…"#.
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j.min(b.len() - 1) {
                    out.push(' ');
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_at(s: &[char], mut i: usize) -> (String, usize) {
    while i < s.len() && s[i].is_whitespace() {
        i += 1;
    }
    let start = i;
    while i < s.len() && (s[i].is_alphanumeric() || s[i] == '_') {
        i += 1;
    }
    (s[start..i].iter().collect(), i)
}

/// The first segment of each path that starts with `prefix::` (`crate::io::x`, and each item
/// of a group `crate::{io::x, model}`), with its 1-based line.
fn roots_after(code: &str, prefix: &str) -> Vec<(String, usize)> {
    let s: Vec<char> = code.chars().collect();
    let p: Vec<char> = format!("{prefix}::").chars().collect();
    let mut out = Vec::new();
    let line_of = |i: usize| s[..i].iter().filter(|&&c| c == '\n').count() + 1;
    let mut i = 0;
    while i + p.len() <= s.len() {
        let boundary =
            i == 0 || !(s[i - 1].is_alphanumeric() || s[i - 1] == '_' || s[i - 1] == ':');
        if boundary && s[i..i + p.len()] == p[..] {
            let j = i + p.len();
            if s.get(j) == Some(&'{') {
                // Top-level items of the group.
                let mut depth = 0;
                let mut k = j;
                let mut item_start = true;
                while k < s.len() {
                    match s[k] {
                        '{' => {
                            depth += 1;
                            if depth == 1 {
                                item_start = true;
                            }
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => item_start = true,
                        c if item_start && depth == 1 && !c.is_whitespace() => {
                            let (name, _) = ident_at(&s, k);
                            if !name.is_empty() {
                                out.push((name, line_of(k)));
                            }
                            item_start = false;
                        }
                        _ => {}
                    }
                    k += 1;
                }
            } else {
                let (name, _) = ident_at(&s, j);
                if !name.is_empty() {
                    out.push((name, line_of(j)));
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Every source file with its room and code.
fn sources() -> Vec<(PathBuf, Option<String>, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("read");
            let room = room_of(&f);
            (f, room, code_only(&text))
        })
        .collect()
}

#[test]
fn rooms_only_use_the_rooms_below_them() {
    let allowed: BTreeMap<&str, &[&str]> = ROOMS.into_iter().collect();
    let mut wrong = Vec::new();
    for (file, room, code) in sources() {
        let Some(room) = room else { continue };
        let Some(may) = allowed.get(room.as_str()) else {
            wrong.push(format!(
                "{}: room `{room}` is not in the list of rooms",
                file.display()
            ));
            continue;
        };
        // The binary names the library `glassray::`; the library names itself `crate::`.
        let prefix = if room == "cli" || room == "main" {
            "glassray"
        } else {
            "crate"
        };
        for (used, line) in roots_after(&code, prefix) {
            let is_room = allowed.contains_key(used.as_str());
            if is_room && used != room && !may.contains(&used.as_str()) {
                wrong.push(format!("{}:{line}: `{room}` uses `{used}`", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "downhill only:\n{}", wrong.join("\n"));
}

#[test]
fn threads_live_in_the_engine_egui_in_the_ui_and_clap_in_the_binary() {
    let mut wrong = Vec::new();
    for (file, room, code) in sources() {
        let Some(room) = room else { continue };
        let uses = |name: &str| !roots_after(&code, name).is_empty();
        if room != "engine"
            && (uses("rayon") || code.contains("std::thread") || code.contains("thread::spawn"))
        {
            wrong.push(format!("{}: threads outside the engine", file.display()));
        }
        if room != "ui"
            && ["egui", "eframe", "egui_plot", "rfd"]
                .iter()
                .any(|c| uses(c))
        {
            wrong.push(format!("{}: egui outside the ui", file.display()));
        }
        if room != "cli" && room != "main" && uses("clap") {
            wrong.push(format!("{}: clap outside the binary", file.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Line ranges (0-based, inclusive) of `#[cfg(test)] mod … { … }` blocks.
fn test_modules(code: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|l| l.trim_start().starts_with("mod ") && l.trim_end().ends_with('{'))
        {
            let end = block_end(&lines, i + 1);
            out.push((i, end));
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The line of the brace closing the first `{` at or after line `from`.
fn block_end(lines: &[&str], from: usize) -> usize {
    let mut depth = 0i64;
    let mut opened = false;
    for (k, l) in lines.iter().enumerate().skip(from) {
        for c in l.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        if opened && depth <= 0 {
            return k;
        }
    }
    lines.len().saturating_sub(1)
}

#[test]
fn no_function_or_file_grows_past_its_limit() {
    let mut wrong = Vec::new();
    for (file, _, code) in sources() {
        let lines: Vec<&str> = code.lines().collect();
        let tests = test_modules(&code);
        let in_tests = |k: usize| tests.iter().any(|&(a, b)| k >= a && k <= b);
        let test_lines: usize = tests.iter().map(|(a, b)| b - a + 1).sum();
        let body = lines.len() - test_lines;
        if body > MAX_FILE_LINES {
            wrong.push(format!(
                "{}: {body} lines outside tests (limit {MAX_FILE_LINES})",
                file.display()
            ));
        }
        for (k, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let is_fn = t.starts_with("fn ")
                || t.starts_with("pub fn ")
                || t.starts_with("pub(crate) fn ")
                || t.starts_with("pub(super) fn ")
                || t.starts_with("const fn ")
                || t.starts_with("pub const fn ");
            if !is_fn || in_tests(k) {
                continue;
            }
            // A declaration without a body (a trait method) ends with `;` before any `{`.
            let rest: String = lines[k..].join("\n");
            let (brace, semi) = (rest.find('{'), rest.find(';'));
            if matches!((brace, semi), (Some(b), Some(s)) if s < b) || brace.is_none() {
                continue;
            }
            let end = block_end(&lines, k);
            let n = end - k + 1;
            if n > MAX_FUNCTION_LINES {
                wrong.push(format!(
                    "{}:{}: `{}` is {n} lines (limit {MAX_FUNCTION_LINES})",
                    file.display(),
                    k + 1,
                    t.split('(').next().unwrap_or(t)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "too big:\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_reads_paths_groups_and_skips_literals() {
    let code = code_only(
        "use crate::{io::x, model};\nlet s = \"crate::ui\"; // crate::ui\nlet c = '{';\nuse crate::engine::y;\n/* crate::report */ let r = r#\"crate::cli\"#;",
    );
    let roots: Vec<String> = roots_after(&code, "crate")
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(roots, vec!["io", "model", "engine"]);
    assert_eq!(code.lines().count(), 5);
    let lines = [
        "fn f() {",
        "  let a = 1;",
        "}",
        "#[cfg(test)]",
        "mod tests {",
        "}",
    ];
    assert_eq!(block_end(&lines, 0), 2);
    assert_eq!(test_modules(&lines.join("\n")), vec![(3, 5)]);
}
