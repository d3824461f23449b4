//! `glassray inspect`: one row per pattern, then a summary per series. Exit code 0 when
//! everything loaded, 1 when files were skipped or a pattern or log has a problem (rows dropped,
//! a suspicious unit; [`LoadReport::is_clean`]) or
//! the output could not be written.

use std::io::Write;
use std::process::ExitCode;

use super::{InspectArgs, Printer, UsageError, warn};
use glassray::engine::load_inputs;
use glassray::io::SeriesLoad;
use glassray::model::{Pattern, file_name};
use glassray::report::LoadReport;

/// The exact CSV columns of `inspect --csv`.
pub const CSV_COLUMNS: [&str; 11] = [
    "index", "file", "format", "quantity", "T_K", "T_source", "x_min", "x_max", "x_unit", "points",
    "problems",
];

pub fn run(args: &InspectArgs) -> Result<ExitCode, UsageError> {
    let opts = args.load.options()?;
    let loads = load_inputs(&args.paths, &opts);
    let mut printer = Printer::new();
    if args.csv {
        printer.with(|out| write_csv(out, &loads));
    } else {
        printer.with(|out| write_table(out, &loads, args.verbose));
    }
    let printed = printer.finish();
    if args.csv {
        for load in &loads {
            for f in &load.failed {
                warn(format!("skipped: {f}"));
            }
            for i in &load.ignored {
                warn(format!("ignored: {}: {}", i.path.display(), i.reason));
            }
        }
    }
    let clean = loads.iter().all(|l| LoadReport::of(l).is_clean());
    Ok(if printed && clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn problems_text(p: &Pattern) -> String {
    p.problems
        .iter()
        .map(|d| match d.line {
            Some(l) => format!("line {l}: {}", d.message),
            None => d.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Writes the CSV: one row per pattern, and a row per skipped file (empty fields, the reason in
/// `problems`).
pub fn write_csv(out: &mut dyn Write, loads: &[SeriesLoad]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let to_io = |e: csv::Error| std::io::Error::other(e.to_string());
    w.write_record(CSV_COLUMNS).map_err(to_io)?;
    for load in loads {
        for p in &load.series.patterns {
            let (x0, x1) = p.x_range();
            let (t, source) = match &p.temperature {
                Some(t) => (number(t.kelvin), t.source.kind().to_string()),
                None => (String::new(), "none".to_string()),
            };
            w.write_record([
                p.index.to_string(),
                p.display_name(),
                p.format.clone(),
                p.quantity.label().to_string(),
                t,
                source,
                number(x0),
                number(x1),
                p.x_unit.label().to_string(),
                p.x.len().to_string(),
                problems_text(p),
            ])
            .map_err(to_io)?;
        }
        for f in &load.failed {
            let mut row = vec![String::new(); CSV_COLUMNS.len()];
            row[1] = file_name(f.path());
            row[10] = format!("skipped: {}", f.reason());
            w.write_record(&row).map_err(to_io)?;
        }
    }
    w.flush()
}

/// Writes the human-readable table and summaries.
pub fn write_table(
    out: &mut dyn Write,
    loads: &[SeriesLoad],
    verbose: bool,
) -> std::io::Result<()> {
    for (n, load) in loads.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let s = &load.series;
        writeln!(
            out,
            "== {} ({}){}",
            if s.sample.is_empty() {
                "series"
            } else {
                &s.sample
            },
            load.origin,
            s.composition
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        )?;
        let header = [
            "index", "file", "format", "quantity", "T (K)", "T source", "x range", "x unit",
            "points", "problems",
        ];
        let rows: Vec<[String; 10]> = s
            .patterns
            .iter()
            .map(|p| {
                let (x0, x1) = p.x_range();
                let (t, src) = match &p.temperature {
                    Some(t) => (format!("{:.2}", t.kelvin), t.source.to_string()),
                    None => ("-".into(), "none".into()),
                };
                let problems = if p.problems.is_empty() {
                    "-".to_string()
                } else {
                    problems_text(p)
                };
                [
                    p.index.to_string(),
                    p.display_name(),
                    p.format.clone(),
                    p.quantity.label().to_string(),
                    t,
                    src,
                    format!("{} – {}", trim_float(x0), trim_float(x1)),
                    p.x_unit.label().to_string(),
                    p.x.len().to_string(),
                    problems,
                ]
            })
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r.iter()).take(9) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut l = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i < 9 {
                    let pad = widths[i].saturating_sub(c.chars().count());
                    if i == 0 || i == 4 || i == 8 {
                        l.push_str(&" ".repeat(pad));
                        l.push_str(c);
                    } else {
                        l.push_str(c);
                        l.push_str(&" ".repeat(pad));
                    }
                    l.push_str("  ");
                } else {
                    l.push_str(c);
                }
            }
            l.trim_end().to_string()
        };
        let header_cells: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        writeln!(out, "{}", line(&header_cells))?;
        for (r, p) in rows.iter().zip(&s.patterns) {
            writeln!(out, "{}", line(r))?;
            if verbose {
                for n in &p.notes {
                    writeln!(out, "       · {n}")?;
                }
            }
        }
        for f in &load.failed {
            writeln!(out, "skipped: {f}")?;
        }
        for d in &load.log_problems {
            writeln!(out, "log problem: {d}")?;
        }
        for i in &load.ignored {
            writeln!(out, "ignored: {}: {}", file_name(&i.path), i.reason)?;
        }
        for note in &s.notes {
            writeln!(out, "note: {note}")?;
        }
        writeln!(out, "summary: {}", summary(load))?;
    }
    Ok(())
}

fn trim_float(v: f64) -> String {
    if v.is_nan() {
        return "-".into();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// One-line summary of a series load.
pub fn summary(load: &SeriesLoad) -> String {
    let s = &load.series;
    let mut parts = vec![format!(
        "{} pattern(s) loaded, {} skipped, {} ignored",
        s.len(),
        load.failed.len(),
        load.ignored.len()
    )];
    match s.temperature_range() {
        Some((lo, hi)) => {
            let (cooling, repeated) = s.cooling_and_repeated();
            parts.push(format!(
                "T {lo}–{hi} K ({cooling} cooling, {repeated} repeated)"
            ));
        }
        None if !s.is_empty() => parts.push("no temperatures: index axis".into()),
        None => {}
    }
    if let Some(log) = &load.log {
        parts.push(format!("log {}", file_name(log)));
    }
    if !s.is_empty() {
        parts.push(if s.grids_identical() {
            "one x grid".into()
        } else {
            "x grids differ".into()
        });
    }
    let with_problems = s.patterns.iter().filter(|p| !p.problems.is_empty()).count();
    parts.push(format!("{with_problems} pattern(s) with problems"));
    parts.join("; ")
}
