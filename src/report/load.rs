//! What happened to a series' input: the files skipped and ignored, the rows dropped, each
//! pattern's problems, the temperature sources used and the series' notes. `glassray analyze`
//! prints it (counts, and every detail with `-v`), `summary.json` holds it as `load`, and the
//! exit code of `inspect` and `analyze` follows from it ([`LoadReport::is_clean`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::io::SeriesLoad;
use crate::model::{Diagnostic, HeatingSeries, TemperatureAxis};

/// A problem with a file, at a line when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileProblem {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl FileProblem {
    fn of(d: &Diagnostic) -> Self {
        FileProblem {
            file: d.path.display().to_string(),
            line: d.line,
            reason: d.message.clone(),
        }
    }

    /// A row of data left out (the readers end such a reason with `row skipped`).
    pub fn is_dropped_row(&self) -> bool {
        self.line.is_some() && self.reason.ends_with("row skipped")
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// A reader's decision about one pattern (a unit assumed, a column not used).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatternNote {
    pub file: String,
    pub note: String,
}

/// The counts `glassray analyze` prints for each series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    pub patterns: usize,
    pub files_skipped: usize,
    pub files_ignored: usize,
    /// Data rows of the patterns, and rows of the temperature log, that were left out.
    pub rows_dropped: usize,
    pub patterns_with_problems: usize,
    pub notes: usize,
}

/// Everything the load of one series reported (the `load` object of `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// Where the series came from (a folder, the loose files, the embedded demo).
    pub origin: String,
    pub counts: LoadCounts,
    /// `kelvin`, or `index` when no pattern has a temperature.
    pub temperature_axis: &'static str,
    /// How many patterns took their temperature from each source (`header`, `log`, …, `none`).
    pub temperature_sources: BTreeMap<&'static str, usize>,
    /// The temperature log used, if any.
    pub temperature_log: Option<String>,
    pub skipped_files: Vec<FileProblem>,
    pub ignored_files: Vec<FileProblem>,
    pub log_problems: Vec<FileProblem>,
    pub pattern_problems: Vec<FileProblem>,
    /// The series' notes: which temperature source was used and why, grids, order.
    pub notes: Vec<String>,
    /// The readers' decisions, per pattern (listed with `-v`).
    pub pattern_notes: Vec<PatternNote>,
    /// What is wrong with the series as a whole: no patterns, quantity unknown, no
    /// temperature, one part of a mixed folder.
    pub series_problems: Vec<String>,
    /// The series cannot be analysed (no patterns, or no pattern's quantity known).
    #[serde(skip)]
    pub fatal: Option<String>,
    /// Counted against a clean load (every series problem but "no temperature").
    #[serde(skip)]
    doubtful: bool,
}

impl LoadReport {
    /// The report of a load as `io` returned it.
    pub fn of(load: &SeriesLoad) -> Self {
        let mut report = Self::of_series(&load.series, &load.origin);
        report.skipped_files = load
            .failed
            .iter()
            .map(|e| FileProblem {
                file: e.path().display().to_string(),
                line: None,
                reason: e.reason(),
            })
            .collect();
        report.ignored_files = load
            .ignored
            .iter()
            .map(|i| FileProblem {
                file: i.path.display().to_string(),
                line: None,
                reason: i.reason.clone(),
            })
            .collect();
        report.log_problems = load.log_problems.iter().map(FileProblem::of).collect();
        report.temperature_log = load.log.as_ref().map(|p| p.display().to_string());
        let problems = load.problems();
        report.series_problems = problems.iter().map(ToString::to_string).collect();
        report.fatal = load.fatal_problem().map(|p| p.to_string());
        report.doubtful = problems
            .iter()
            .any(|p| !matches!(p, crate::io::LoadProblem::NoTemperature { .. }));
        report.count();
        report
    }

    /// The report of a series known only with its skipped files as text (`path: reason`, as
    /// [`crate::io::LoadError`] prints them), as the app's export has them.
    pub fn of_series_and_skipped(series: &HeatingSeries, skipped: &[String]) -> Self {
        let mut report = Self::of_series(series, "");
        report.skipped_files = skipped
            .iter()
            .map(|text| match text.split_once(": ") {
                Some((file, reason)) => FileProblem {
                    file: file.to_string(),
                    line: None,
                    reason: reason.to_string(),
                },
                None => FileProblem {
                    file: String::new(),
                    line: None,
                    reason: text.clone(),
                },
            })
            .collect();
        report.count();
        report
    }

    fn of_series(series: &HeatingSeries, origin: &str) -> Self {
        let mut sources = BTreeMap::new();
        let mut pattern_problems = Vec::new();
        let mut pattern_notes = Vec::new();
        for p in &series.patterns {
            let kind = p.temperature.as_ref().map_or("none", |t| t.source.kind());
            *sources.entry(kind).or_insert(0) += 1;
            pattern_problems.extend(p.problems.iter().map(FileProblem::of));
            pattern_notes.extend(p.notes.iter().map(|n| PatternNote {
                file: p.display_name(),
                note: n.clone(),
            }));
        }
        LoadReport {
            origin: origin.to_string(),
            counts: LoadCounts {
                patterns_with_problems: series
                    .patterns
                    .iter()
                    .filter(|p| !p.problems.is_empty())
                    .count(),
                ..LoadCounts::default()
            },
            temperature_axis: match series.axis {
                TemperatureAxis::Kelvin => "kelvin",
                TemperatureAxis::Index => "index",
            },
            temperature_sources: sources,
            temperature_log: None,
            skipped_files: Vec::new(),
            ignored_files: Vec::new(),
            log_problems: Vec::new(),
            pattern_problems,
            notes: series.notes.clone(),
            pattern_notes,
            series_problems: Vec::new(),
            fatal: None,
            doubtful: false,
        }
    }

    fn count(&mut self) {
        // `io` has no kind on a diagnostic yet; a dropped row is one that says so.
        let rows = |v: &[FileProblem]| v.iter().filter(|p| p.is_dropped_row()).count();
        self.counts = LoadCounts {
            patterns: self.temperature_sources.values().sum(),
            files_skipped: self.skipped_files.len(),
            files_ignored: self.ignored_files.len(),
            rows_dropped: rows(&self.pattern_problems) + rows(&self.log_problems),
            patterns_with_problems: self.counts.patterns_with_problems,
            notes: self.notes.len(),
        };
    }

    /// Everything loaded without a problem: no file skipped, no row dropped, no pattern or log
    /// problem (the exit code 0 of the commands; notes do not count).
    pub fn is_clean(&self) -> bool {
        !self.doubtful
            && self.skipped_files.is_empty()
            && self.pattern_problems.is_empty()
            && self.log_problems.is_empty()
    }

    /// One line of counts.
    pub fn counts_line(&self) -> String {
        let c = &self.counts;
        format!(
            "{} file(s) skipped, {} row(s) dropped, {} pattern(s) with problems, {} note(s)",
            c.files_skipped, c.rows_dropped, c.patterns_with_problems, c.notes
        )
    }

    /// The series problems, one line each (printed whether or not `-v` is given).
    pub fn series_lines(&self) -> Vec<String> {
        self.series_problems.clone()
    }

    /// Every detail, one line each (`skipped: …`, `problem: …`, `note: …`).
    pub fn detail_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let sources: Vec<String> = self
            .temperature_sources
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        lines.push(format!("temperatures: {}", sources.join(", ")));
        if let Some(log) = &self.temperature_log {
            lines.push(format!("temperature log: {log}"));
        }
        lines.extend(self.skipped_files.iter().map(|p| format!("skipped: {p}")));
        lines.extend(self.ignored_files.iter().map(|p| format!("ignored: {p}")));
        lines.extend(
            self.log_problems
                .iter()
                .map(|p| format!("log problem: {p}")),
        );
        lines.extend(
            self.pattern_problems
                .iter()
                .map(|p| format!("problem: {p}")),
        );
        lines.extend(self.notes.iter().map(|n| format!("note: {n}")));
        lines.extend(
            self.pattern_notes
                .iter()
                .map(|n| format!("reader: {}: {}", n.file, n.note)),
        );
        lines
    }
}
