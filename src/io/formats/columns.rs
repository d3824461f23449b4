//! `columns`: plain text columns, the layout every other family refines.
//!
//! Recognised by: anything with 2+ numeric columns that no other family claims (it is asked
//! last). Header: any leading text; `key = value` and `Key: value` lines are read as entries.
//!
//! Rules shared by all families unless one says otherwise:
//! - column names come from a SPEC-style `#L` line, else from the last non-blank line above the
//!   data block, when it has one name per column (names may be split by `|`, as LiquidDiffract
//!   writes them) and they are not all numbers (all-numeric names count only on a comment line,
//!   where they can be the temperatures of a wide table);
//! - x is column 1 and y column 2; the x unit comes from the x column name, else Q in Å⁻¹ is
//!   assumed (r in Å for a real-space quantity); the quantity from the y column name, an
//!   `outputtype` header key or the extension;
//! - a third column is the uncertainty when its name says so (`dI`, `err…`, `sigma…`, `std…`,
//!   `unc…`, `e`, `dy`, `d` + the y name, …) or the extension is `.xye`/`.fxye`; other columns
//!   are listed as not used.

use super::super::text::{self, Separator};
use super::{Family, Format, Probe};

/// The plain `columns` layout.
pub(super) struct Columns;

impl Family for Columns {
    fn detect(&self, _probe: &Probe) -> Option<Format> {
        Some(Format::Columns)
    }
}

fn is_spec_names_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("#L ") || t.starts_with("#L\t")
}

/// The header line (0-based) that may hold the column names: the last `#L` line, else the last
/// non-blank line.
pub(super) fn names_line(header: &[&str]) -> Option<usize> {
    if let Some(i) = header.iter().rposition(|l| is_spec_names_line(l)) {
        return Some(i);
    }
    header.iter().rposition(|l| !l.trim().is_empty())
}

/// Column names from a `#L` line or the last non-blank header line, when there is one name per
/// column and they are not all numbers.
pub(super) fn column_names(header: &[&str], width: usize, sep: Separator) -> Option<Vec<String>> {
    let i = names_line(header)?;
    let raw = header[i].trim_start();
    let body = if is_spec_names_line(raw) {
        &raw[2..]
    } else {
        text::strip_comment(raw)
    };
    // LiquidDiffract separates names with `|`: `#Q|S(Q)|i(Q)*M(Q)`.
    let mut names: Vec<&str> = if body.contains('|') {
        body.split('|').map(str::trim).collect()
    } else {
        text::fields(body, sep)
    };
    if names.len() != width && sep != Separator::Whitespace {
        names = text::fields(body, Separator::Whitespace);
    }
    if names.len() != width {
        return None;
    }
    let numeric = names
        .iter()
        .filter(|n| text::parse_number(n, sep).is_some())
        .count();
    // All-numeric names are only names when they can be temperatures of a wide table.
    if numeric == names.len() && !text::is_comment(raw) {
        return None;
    }
    Some(names.iter().map(|s| s.to_string()).collect())
}

/// The uncertainty column (0-based): the first column after y named as one, else column 3 when
/// the family implies it. None with fewer than 3 columns.
pub(super) fn uncertainty_column(
    names: Option<&[String]>,
    width: usize,
    implied: bool,
) -> Option<usize> {
    if width < 3 {
        return None;
    }
    if let Some(n) = names {
        let y = n[1].to_ascii_lowercase();
        let found = (2..width).find(|&c| is_uncertainty_name(&n[c].to_ascii_lowercase(), &y));
        if found.is_some() {
            return found;
        }
    }
    implied.then_some(2)
}

/// Whether a lower-case column name names the uncertainty of the (lower-case) y column `y`.
fn is_uncertainty_name(l: &str, y: &str) -> bool {
    l == format!("d{y}")
        || l.starts_with("err")
        || l.starts_with("sigma")
        || l.starts_with("std")
        || l.starts_with("unc")
        || l == "e"
        || l == "dy"
        || l == "di"
        || l == "ds"
        || l == "dg"
        || l.starts_with("dg(")
        || l.starts_with("d_g")
        || l.starts_with("ds(")
        || l.starts_with("di(")
        || l.starts_with("df(")
}

/// `.xye` and `.fxye` files carry the uncertainty in column 3, whatever the family.
pub(super) fn xye_uncertainty(ext: &str) -> bool {
    ext == "xye" || ext == "fxye"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(header: &[&str], width: usize) -> Option<Vec<String>> {
        column_names(header, width, Separator::Whitespace)
    }

    #[test]
    fn names_come_from_the_spec_line_else_the_last_header_line() {
        let h = ["#L r($\\AA$)  G($\\AA^{-2}$)", "# end", ""];
        assert_eq!(names_line(&h), Some(0));
        assert_eq!(
            names(&h, 2),
            Some(vec!["r($\\AA$)".into(), "G($\\AA^{-2}$)".into()])
        );
        let h = ["title", "# q_nm^-1  I", "  "];
        assert_eq!(names_line(&h), Some(1));
        assert_eq!(names(&h, 2), Some(vec!["q_nm^-1".into(), "I".into()]));
        assert_eq!(names(&h, 3), None, "one name per column");
        assert_eq!(names_line(&["", " "]), None);
    }

    #[test]
    fn names_split_by_bars_and_other_separators() {
        assert_eq!(
            names(&["#Q|S(Q)|i(Q)*M(Q)"], 3),
            Some(vec!["Q".into(), "S(Q)".into(), "i(Q)*M(Q)".into()])
        );
        // A comma file whose names are separated by spaces.
        assert_eq!(
            column_names(&["Q I"], 2, Separator::Comma),
            Some(vec!["Q".into(), "I".into()])
        );
    }

    #[test]
    fn all_numeric_names_only_on_a_comment_line() {
        assert_eq!(names(&["1 300 400"], 3), None);
        assert_eq!(
            names(&["# 1 300 400"], 3),
            Some(vec!["1".into(), "300".into(), "400".into()])
        );
    }

    #[test]
    fn uncertainty_by_name_then_implied() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            uncertainty_column(Some(&n(&["q", "I", "sigma"])), 3, false),
            Some(2)
        );
        assert_eq!(
            uncertainty_column(Some(&n(&["q", "S", "x", "dS"])), 4, false),
            Some(3)
        );
        assert_eq!(
            uncertainty_column(Some(&n(&["q", "I", "bg"])), 3, false),
            None
        );
        assert_eq!(
            uncertainty_column(Some(&n(&["q", "I", "bg"])), 3, true),
            Some(2)
        );
        assert_eq!(uncertainty_column(None, 3, true), Some(2));
        assert_eq!(uncertainty_column(None, 2, true), None, "needs 3 columns");
        assert!(xye_uncertainty("xye") && xye_uncertainty("fxye") && !xye_uncertainty("xy"));
    }

    #[test]
    fn columns_claims_every_file() {
        let probe = Probe {
            ext: "",
            lines: &[],
            head: &[],
            marker: None,
        };
        assert_eq!(Columns.detect(&probe), Some(Format::Columns));
        let c = Columns.columns(None, 4, "xye");
        assert_eq!((c.y, c.dy), (vec![1], Some(2)));
    }
}
