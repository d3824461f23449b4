//! Steps 1–2 of reading a file: where its data block is, and what the header above it says.
//!
//! - The block search starts where the family says (`Family::anchor`: below the PDFget marker,
//!   below the GSAS `BANK` line, below Fit2D's four lines, else at the top) and the block is
//!   found by `text::find_data_start`. No block is explained ([`no_data_reason`]): a file of
//!   comment lines only, or one with a pattern extension (`.xy`, `.chi`, `.gr`, …), that has no
//!   numeric row is an empty pattern (`Invalid`, listed as skipped); other text of key/value
//!   lines or INI sections is a settings file (`NotPattern`, ignored); a one-column file names
//!   the line; anything else is `Invalid`.
//! - Every line above the block is header: its `key = value` entries are collected (except on
//!   a family's fixed label lines), numeric rows of the block's width that sit above it are
//!   reported (they were read as header because a non-numeric line follows them), and the column
//!   names come from a `#L` line or the last non-blank header line.

use std::path::Path;

use super::super::header::{self, HeaderEntry};
use super::super::text::{self, Separator, Table};
use super::{Anchor, Family, LoadError, columns, invalid, list_lines, parse_error};
use crate::model::Diagnostic;

/// Where the data block of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Block {
    pub sep: Separator,
    pub anchor: Anchor,
    /// First line (0-based) of the block.
    pub start: usize,
    /// Its column count (at least 2).
    pub width: usize,
}

/// What the header above the data block says.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Header {
    pub entries: Vec<HeaderEntry>,
    /// One name per column, when the header has them.
    pub names: Option<Vec<String>>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    /// 1-based line of the x label (or of the column-name line), where axis problems point.
    pub label_line: Option<usize>,
}

/// Step 1: locates the data block. Fails when there is none or it has a single column.
pub(super) fn locate(
    path: &Path,
    lines: &[&str],
    family: &dyn Family,
    marker: Option<usize>,
) -> Result<Block, LoadError> {
    let sep = text::detect_separator(lines);
    let anchor = family.anchor(lines, marker);
    let Some((start, width)) = text::find_data_start(lines, anchor.from, sep) else {
        return Err(no_data_reason(path, lines, anchor.from, sep));
    };
    if width < 2 {
        return Err(parse_error(
            path,
            start + 1,
            "only one numeric column: a pattern needs an x and a y column",
        ));
    }
    Ok(Block {
        sep,
        anchor,
        start,
        width,
    })
}

/// Step 2: reads the header above the block; numeric rows read as header become a problem.
pub(super) fn read_header(
    path: &Path,
    lines: &[&str],
    block: &Block,
    family: &dyn Family,
    problems: &mut Vec<Diagnostic>,
) -> Header {
    let above = &lines[..block.start];
    let fixed = family.fixed_labels(lines);
    let fixed_lines = fixed.as_ref().map_or(0, |f| f.lines);
    let mut entries: Vec<HeaderEntry> = Vec::new();
    for (i, line) in above.iter().enumerate().skip(fixed_lines) {
        header::entries_on_line(line, i + 1, &mut entries);
    }
    if family.reports_stray_rows() {
        problems.extend(stray_rows(path, lines, block));
    }
    // Column names: a `#L` line, else the nearest header line with one name per column.
    let found = columns::column_names(above, block.width, block.sep);
    let names_at = found.as_ref().map(|(i, _)| *i);
    let names = found.map(|(_, n)| n);
    let (x_label, y_label, label_line) = match fixed {
        Some(f) => (Some(f.x), Some(f.y), Some(f.x_line)),
        None => (
            names.as_ref().map(|n| n[0].clone()),
            names.as_ref().map(|n| n[1].clone()),
            names_at
                .or_else(|| columns::names_line(above))
                .map(|i| i + 1),
        ),
    };
    Header {
        entries,
        names,
        x_label,
        y_label,
        label_line,
    }
}

/// Step 2 (end): the rows of the data block; bad rows, and rows that disagree with the header
/// (Fit2D's point count), become problems.
pub(super) fn read_table(
    path: &Path,
    lines: &[&str],
    block: &Block,
    ends_with_newline: bool,
    family: &dyn Family,
    problems: &mut Vec<Diagnostic>,
) -> Table {
    let table = text::parse_block(
        path,
        lines,
        block.start,
        block.width,
        block.sep,
        ends_with_newline,
        problems,
    );
    problems.extend(family.check_rows(path, lines, &table));
    table
}

/// Lines that look like data but sit above a non-numeric line: say so rather than drop them.
fn stray_rows(path: &Path, lines: &[&str], block: &Block) -> Option<Diagnostic> {
    let from = block.anchor.from;
    let stray = lines[from..block.start]
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            !text::is_comment(l) && numeric_row_width(l, block.sep) == Some(block.width)
        })
        .map(|(i, _)| from + i + 1)
        .collect::<Vec<_>>();
    (!stray.is_empty()).then(|| {
        Diagnostic::new(
            path,
            stray.first().copied(),
            format!(
                "{} numeric row(s) above the data block (lines {}) were read as header: a non-numeric line follows them",
                stray.len(),
                list_lines(&stray)
            ),
        )
    })
}

fn numeric_row_width(line: &str, sep: Separator) -> Option<usize> {
    let f = text::fields(line, sep);
    (!f.is_empty() && f.iter().all(|x| text::parse_number(x, sep).is_some())).then_some(f.len())
}

/// Extensions that only pattern files carry: text there without data rows is a pattern whose
/// rows are missing, not a settings file.
const PATTERN_EXTENSIONS: [&str; 12] = [
    "xy", "xye", "chi", "qchi", "fxye", "gr", "sq", "fq", "iq", "soq", "mint01", "int01",
];

/// Why a file with no numeric rows is a pattern that lost its data: it has only comment lines
/// (a header and no rows, as an interrupted export leaves), or a pattern extension.
fn header_only(path: &Path, lines: &[&str]) -> Option<String> {
    let text: Vec<&&str> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
    let comments = text.iter().filter(|l| text::is_comment(l)).count();
    if comments == text.len() {
        return Some(format!(
            "a header ({comments} comment line(s)) and no data rows: an empty pattern (was the export cut short?)"
        ));
    }
    let ext = super::extension(path);
    PATTERN_EXTENSIONS.contains(&ext.as_str()).then(|| {
        format!(
            "a .{ext} file with {} header line(s) and no data rows: an empty pattern",
            text.len()
        )
    })
}

/// Explains why a file has no data block: not a pattern at all, one column, or no rows.
fn no_data_reason(path: &Path, lines: &[&str], from: usize, sep: Separator) -> LoadError {
    let numeric_rows = lines[from..]
        .iter()
        .filter(|l| !text::is_comment(l) && numeric_row_width(l, sep).is_some())
        .count();
    if numeric_rows == 0 {
        if let Some(reason) = header_only(path, lines) {
            return invalid(path, reason);
        }
        let sections = lines.iter().any(|l| {
            let t = l.trim();
            t.starts_with('[') && t.ends_with(']') && t.len() > 2
        });
        let key_values = lines
            .iter()
            .filter(|l| l.contains('=') || l.contains(':'))
            .count();
        if sections || key_values * 2 >= lines.iter().filter(|l| !l.trim().is_empty()).count() {
            return LoadError::NotPattern {
                path: path.to_path_buf(),
                reason: format!(
                    "text with no numeric data rows ({}): a settings or parameter file, not a pattern",
                    if sections {
                        "INI-style [sections]"
                    } else {
                        "key/value lines"
                    }
                ),
            };
        }
        return invalid(path, "no numeric data rows");
    }
    if let Some(i) = (from..lines.len())
        .find(|&i| !text::is_comment(lines[i]) && numeric_row_width(lines[i], sep) == Some(1))
    {
        return parse_error(
            path,
            i + 1,
            "only one numeric column: a pattern needs an x and a y column",
        );
    }
    invalid(
        path,
        format!(
            "{numeric_rows} numeric row(s) but no block of 5 consecutive rows with the same column count"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{columns::Columns, fit2d::Fit2d, pdfget};
    use super::*;

    const ROWS: &str = "1 2\n2 3\n3 4\n4 5\n5 6\n";

    fn lines(text: &str) -> Vec<&str> {
        text::split_lines(text)
    }

    fn path() -> &'static Path {
        Path::new("f.dat")
    }

    #[test]
    fn locate_starts_below_the_marker() {
        let t = format!("1 2\n2 3\n3 4\n4 5\n5 6\n#### start data\n{ROWS}");
        let l = lines(&t);
        let b = locate(path(), &l, &Columns, Some(5)).expect("block");
        assert_eq!(
            (b.start, b.width, b.anchor.from, b.anchor.line),
            (6, 2, 6, Some(5))
        );
        let b = locate(path(), &l, &Columns, None).expect("block");
        assert_eq!(b.start, 0);
    }

    #[test]
    fn locate_fit2d_skips_its_four_lines() {
        let t = format!("1 2\n1 2\n1 2\n5\n{ROWS}");
        let b = locate(path(), &lines(&t), &Fit2d, None).expect("block");
        assert_eq!(b.start, 4);
    }

    #[test]
    fn locate_one_column_is_an_error_on_its_line() {
        let t = "x\n1\n2\n3\n4\n5\n";
        let e = locate(path(), &lines(t), &Columns, None).expect_err("one column");
        assert!(
            matches!(&e, LoadError::Parse { line: 2, reason, .. } if reason.starts_with("only one numeric column")),
            "{e:?}"
        );
    }

    #[test]
    fn no_data_reasons() {
        let reason = |t: &str| no_data_reason(path(), &lines(t), 0, Separator::Whitespace);
        assert!(
            matches!(reason("[main]\nkey\n"), LoadError::NotPattern { reason, .. } if reason.contains("INI-style"))
        );
        assert!(
            matches!(reason("a = 1\nb: 2\nc\n"), LoadError::NotPattern { reason, .. } if reason.contains("key/value"))
        );
        assert!(
            matches!(reason("hello\nworld\n"), LoadError::Invalid { reason, .. } if reason == "no numeric data rows")
        );
        let only_header = "# pyFAI\n# Wavelength: 1e-11\n# 2th_deg I\n";
        assert!(
            matches!(reason(only_header), LoadError::Invalid { reason, .. } if reason.starts_with("a header (3 comment line(s)) and no data rows")),
        );
        let xy = no_data_reason(
            Path::new("a.xy"),
            &lines("a = 1\nb: 2\n"),
            0,
            Separator::Whitespace,
        );
        assert!(
            matches!(&xy, LoadError::Invalid { reason, .. } if reason.starts_with("a .xy file with 2 header line(s)")),
            "{xy:?}"
        );
        assert!(matches!(reason("x\n7\n"), LoadError::Parse { line: 2, .. }));
        assert!(matches!(
            reason("1 2\n1 2 3\n"),
            LoadError::Invalid { reason, .. } if reason == "2 numeric row(s) but no block of 5 consecutive rows with the same column count"
        ));
    }

    #[test]
    fn header_has_entries_names_and_label_line() {
        let t = format!("# T = 300\n# wavelength: 0.1\nQ(1/nm) S\n{ROWS}");
        let l = lines(&t);
        let b = locate(path(), &l, &Columns, None).expect("block");
        let mut problems = Vec::new();
        let h = read_header(path(), &l, &b, &Columns, &mut problems);
        assert!(problems.is_empty());
        let keys: Vec<&str> = h.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["T", "wavelength"]);
        assert_eq!(h.x_label.as_deref(), Some("Q(1/nm)"));
        assert_eq!(h.y_label.as_deref(), Some("S"));
        assert_eq!(h.label_line, Some(3));
    }

    #[test]
    fn header_fit2d_labels_come_from_the_fixed_lines() {
        let t = format!("a = 1\n2-Theta Angle (Degrees)\nIntensity\n5\nb = 2\n{ROWS}");
        let l = lines(&t);
        let b = locate(path(), &l, &Fit2d, None).expect("block");
        let h = read_header(path(), &l, &b, &Fit2d, &mut Vec::new());
        let keys: Vec<&str> = h.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["b"], "the fixed lines hold no entries");
        assert_eq!(h.x_label.as_deref(), Some("2-Theta Angle (Degrees)"));
        assert_eq!(h.y_label.as_deref(), Some("Intensity"));
        assert_eq!(h.label_line, Some(2));
    }

    #[test]
    fn stray_numeric_rows_above_the_block_are_reported() {
        // Two text lines: a single one would be read as a bad row inside the block.
        let t = format!("7 8\n9 10\ntext\nmore text\n{ROWS}");
        let l = lines(&t);
        let b = locate(path(), &l, &Columns, None).expect("block");
        assert_eq!(b.start, 4);
        let mut problems = Vec::new();
        read_header(path(), &l, &b, &Columns, &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(1));
        assert_eq!(
            problems[0].message,
            "2 numeric row(s) above the data block (lines 1, 2) were read as header: a non-numeric line follows them"
        );
        let mut problems = Vec::new();
        read_header(path(), &l, &b, &pdfget::PDFGET_N, &mut problems);
        assert!(problems.is_empty(), "PDFgetN is not checked");
    }

    #[test]
    fn read_table_reports_bad_rows_and_the_family_checks() {
        let t = "t\nx\ny\n6\n1 2\n2 3\n3 x\n4 5\n5 6\n6 7";
        let l = lines(t);
        let b = locate(path(), &l, &Fit2d, None).expect("block");
        let mut problems = Vec::new();
        let table = read_table(path(), &l, &b, false, &Fit2d, &mut problems);
        assert_eq!(table.rows(), 5);
        let found: Vec<(Option<usize>, &str)> = problems
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(7), "not a number: `x`: row skipped"),
                (
                    Some(4),
                    "header declares 6 points, file has 5 data rows (truncated?)"
                ),
            ]
        );
        let mut problems = Vec::new();
        read_table(path(), &l, &b, false, &Columns, &mut problems);
        assert_eq!(problems.len(), 1, "no point count outside Fit2D");
    }
}
