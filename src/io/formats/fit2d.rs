//! `fit2d-chi`: Fit2D `.chi` files, and the same layout from Dioptas (xypattern) and GSAS-II
//! (`.qchi` "Fit2D q-bin chi" export).
//!
//! Recognised by: a `.chi` or `.qchi` extension and four fixed header lines, with or without a
//! leading `#`: title, x label, y label (may be blank), point count; the 4th line must parse as
//! a count and the 2nd must hold a non-number.
//!
//! Rules:
//! - the data block is searched from line 5; the four fixed lines give no `key = value` entries;
//! - the x label is line 2 (`2-Theta Angle (Degrees)`, `Q (Inverse Nanometres)`, Dioptas' pyFAI
//!   unit token `2th_deg`, GSAS-II's `Q <wavelength>`) and axis problems point to line 2; the y
//!   label is line 3;
//! - a point count on line 4 that differs from the data rows is reported on line 4
//!   ("(truncated?)" when rows are missing);
//! - the quantity is intensity unless the y label says otherwise.

use std::path::Path;

use super::super::text::{self, Separator, Table};
use super::{Anchor, Family, FixedLabels, Format, Probe};
use crate::model::{Diagnostic, Quantity};

/// Fit2D's title, x label, y label and point count lines.
const FIXED_LINES: usize = 4;

/// The Fit2D `.chi` layout.
pub(super) struct Fit2d;

impl Family for Fit2d {
    fn detect(&self, probe: &Probe) -> Option<Format> {
        ((probe.ext == "chi" || probe.ext == "qchi") && is_fit2d_header(probe.lines))
            .then_some(Format::Fit2dChi)
    }

    fn anchor(&self, lines: &[&str], _marker: Option<usize>) -> Anchor {
        Anchor {
            from: FIXED_LINES.min(lines.len()),
            line: None,
        }
    }

    fn fixed_labels(&self, lines: &[&str]) -> Option<FixedLabels> {
        let line = |i: usize| text::strip_comment(lines.get(i).copied().unwrap_or("")).to_string();
        Some(FixedLabels {
            x: line(1),
            y: line(2),
            x_line: 2,
            lines: FIXED_LINES,
        })
    }

    fn check_rows(&self, path: &Path, lines: &[&str], table: &Table) -> Option<Diagnostic> {
        let declared = text::strip_comment(lines.get(3)?).parse::<usize>().ok()?;
        (declared != table.rows()).then(|| {
            Diagnostic::new(
                path,
                Some(4),
                format!(
                    "header declares {declared} points, file has {} data rows{}",
                    table.rows(),
                    if table.rows() < declared {
                        " (truncated?)"
                    } else {
                        ""
                    }
                ),
            )
        })
    }

    fn default_quantity(&self, _ext: &str) -> Option<Quantity> {
        Some(Quantity::Intensity)
    }
}

/// Fit2D's four header lines (title, x label, y label, count), with or without `#`.
fn is_fit2d_header(lines: &[&str]) -> bool {
    lines.len() >= 5
        && text::strip_comment(lines[3]).parse::<usize>().is_ok()
        && text::fields(text::strip_comment(lines[1]), Separator::Whitespace)
            .iter()
            .any(|f| text::parse_number(f, Separator::Whitespace).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe<'a>(ext: &'a str, lines: &'a [&'a str]) -> Probe<'a> {
        Probe {
            ext,
            lines,
            head: lines,
            marker: None,
        }
    }

    const FILE: [&str; 6] = [
        "title",
        "# 2-Theta Angle (Degrees)",
        "# Intensity",
        "# 2",
        "1 2",
        "2 3",
    ];

    #[test]
    fn claims_chi_files_with_the_four_lines() {
        assert_eq!(Fit2d.detect(&probe("chi", &FILE)), Some(Format::Fit2dChi));
        assert_eq!(Fit2d.detect(&probe("qchi", &FILE)), Some(Format::Fit2dChi));
        assert_eq!(Fit2d.detect(&probe("xy", &FILE)), None, "extension");
        let numeric_label = ["t", "1 2", "I", "2", "1 2", "2 3"];
        assert_eq!(Fit2d.detect(&probe("chi", &numeric_label)), None);
        let no_count = ["t", "x", "I", "n", "1 2", "2 3"];
        assert_eq!(Fit2d.detect(&probe("chi", &no_count)), None);
        assert_eq!(Fit2d.detect(&probe("chi", &FILE[..4])), None, "too short");
    }

    #[test]
    fn labels_and_block_start_from_the_fixed_lines() {
        let f = Fit2d.fixed_labels(&FILE).expect("labels");
        assert_eq!(
            (f.x.as_str(), f.y.as_str()),
            ("2-Theta Angle (Degrees)", "Intensity")
        );
        assert_eq!((f.x_line, f.lines), (2, 4));
        assert_eq!(
            Fit2d.anchor(&FILE, Some(5)),
            Anchor {
                from: 4,
                line: None
            }
        );
        assert_eq!(Fit2d.anchor(&FILE[..2], None).from, 2);
    }

    #[test]
    fn a_wrong_point_count_is_reported_on_line_4() {
        let table = |rows: usize| Table {
            columns: vec![vec![0.0; rows]; 2],
            lines: (5..5 + rows).collect(),
        };
        let path = Path::new("a.chi");
        assert_eq!(Fit2d.check_rows(path, &FILE, &table(2)), None);
        let d = Fit2d.check_rows(path, &FILE, &table(1)).expect("short");
        assert_eq!(d.line, Some(4));
        assert_eq!(
            d.message,
            "header declares 2 points, file has 1 data rows (truncated?)"
        );
        let d = Fit2d.check_rows(path, &FILE, &table(3)).expect("long");
        assert_eq!(d.message, "header declares 2 points, file has 3 data rows");
    }
}
