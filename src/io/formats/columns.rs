//! `columns`: plain text columns, the layout every other family refines.
//!
//! Recognised by: anything with 2+ numeric columns that no other family claims (it is asked
//! last). Header: any leading text; `key = value` and `Key: value` lines are read as entries.
//!
//! Rules shared by all families unless one says otherwise:
//! - column names come from the nearest header line whose names are recognised axis labels
//!   (`# Q (1/A)  S(Q)`, `# columns: Q S(Q)`, `#L r G`: a program line below them does not hide
//!   them), else from a SPEC-style `#L` line or the last non-blank line above the data block,
//!   when it has one name per column (names may be split by `|`, as LiquidDiffract writes them; a
//!   unit in parentheses or brackets stays with its name) and they are not all numbers
//!   (all-numeric names count only on a comment line, where they can be the temperatures of a
//!   wide table);
//! - x is column 1 and y column 2; the x unit comes from the x column name, else Q in Å⁻¹ is
//!   assumed (r in Å for a real-space quantity); the quantity from the y column name, an
//!   `outputtype` header key or the extension;
//! - a third column is the uncertainty when its name says so (`dI`, `err…`, `sigma…`, `std…`,
//!   `unc…`, `e`, `dy`, `d` + the y name, …) or the extension is `.xye`/`.fxye`; other columns
//!   are listed as not used.

use super::super::header;
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

/// Header lines searched upwards for a line of recognised labels.
const LABEL_SEARCH_LINES: usize = 64;

/// Column names and the header line (0-based) they come from: the nearest line (of the last
/// 64, from the bottom) whose names are recognised axis labels (`Q (1/A)  S(Q)`, `r G`), so a
/// line naming a program below the labels (`# written by PDFgetX3`) does not hide them; else
/// the `#L` line or the last non-blank header line, when it has one name per column and they
/// are not all numbers.
pub(super) fn column_names(
    header: &[&str],
    width: usize,
    sep: Separator,
) -> Option<(usize, Vec<String>)> {
    let labelled = header
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| !l.trim().is_empty())
        .take(LABEL_SEARCH_LINES)
        .find_map(|(i, l)| {
            names_on_line(l, width, sep)
                .filter(|n| labels_recognised(n))
                .map(|n| (i, n))
        });
    if labelled.is_some() {
        return labelled;
    }
    let i = names_line(header)?;
    names_on_line(header[i], width, sep).map(|n| (i, n))
}

/// Whether names read as axis labels: x a Q, 2θ or r label, or y a quantity.
fn labels_recognised(names: &[String]) -> bool {
    header::x_label(&names[0]).is_some() || header::y_label(&names[1]).is_some()
}

/// One name per column from a header line, or None. A `#L` prefix, or a `columns:`-like word
/// ending in a colon, is dropped; names are split by `|` (LiquidDiffract), else by the
/// separator, keeping a unit in parentheses or brackets with its name.
fn names_on_line(line: &str, width: usize, sep: Separator) -> Option<Vec<String>> {
    let raw = line.trim_start();
    let body = if is_spec_names_line(raw) {
        &raw[2..]
    } else {
        text::strip_comment(raw)
    };
    let mut names = split_names(body, sep);
    if names.len() != width
        && let Some(rest) = without_prefix_word(body)
    {
        names = split_names(rest, sep);
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
    Some(names)
}

/// The text after a leading `columns:` / `column names:` / `labels:` word, if there is one.
fn without_prefix_word(body: &str) -> Option<&str> {
    let (head, rest) = body.split_once(':')?;
    let head = head.trim();
    let word = !head.is_empty()
        && head.len() <= 24
        && head
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '_');
    word.then_some(rest.trim())
}

/// Splits a names line: by `|` when it has one, else by the separator (whitespace as a
/// fallback), gluing a unit group that starts with `(` or `[` to the name before it and keeping
/// an open group together (`Q (Inverse Nanometres)`, `Q [1/nm]`).
pub(super) fn split_names(body: &str, sep: Separator) -> Vec<String> {
    if body.contains('|') {
        return body.split('|').map(|n| n.trim().to_string()).collect();
    }
    let glued = glue_units(text::fields(body, sep));
    if sep != Separator::Whitespace && glued.len() < 2 {
        return glue_units(text::fields(body, Separator::Whitespace));
    }
    glued
}

fn glue_units(tokens: Vec<&str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for tok in tokens {
        let opens_unit = tok.starts_with(['(', '[']);
        match names.last_mut() {
            Some(last) if depth > 0 || opens_unit => {
                last.push(' ');
                last.push_str(tok);
            }
            _ => names.push(tok.to_string()),
        }
        for c in tok.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    names
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
        column_names(header, width, Separator::Whitespace).map(|(_, n)| n)
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
            Some((0, vec!["Q".into(), "I".into()]))
        );
    }

    #[test]
    fn units_stay_with_their_names_and_prefix_words_go() {
        let two = |h: &[&str]| names(h, 2);
        let v = |a: &str, b: &str| Some(vec![a.to_string(), b.to_string()]);
        assert_eq!(two(&["# Q (1/A)  S(Q)"]), v("Q (1/A)", "S(Q)"));
        assert_eq!(two(&["# Q [1/nm]  S(Q)"]), v("Q [1/nm]", "S(Q)"));
        assert_eq!(
            two(&["# Q (Inverse Nanometres) I"]),
            v("Q (Inverse Nanometres)", "I")
        );
        assert_eq!(two(&["# columns: Q S(Q)"]), v("Q", "S(Q)"));
        assert_eq!(two(&["#L r G"]), v("r", "G"));
        assert_eq!(two(&["# r(Å) G(r)"]), v("r(Å)", "G(r)"));
        assert_eq!(
            column_names(&["Q (1/A), S(Q)"], 2, Separator::Comma),
            Some((0, vec!["Q (1/A)".into(), "S(Q)".into()]))
        );
    }

    #[test]
    fn a_program_line_below_the_labels_does_not_hide_them() {
        let h = ["# Q S(Q)", "# written by PDFgetX3"];
        assert_eq!(
            column_names(&h, 2, Separator::Whitespace),
            Some((0, vec!["Q".into(), "S(Q)".into()]))
        );
        let h = ["# Q S(Q)", "# LiquidDiffract output"];
        assert_eq!(
            column_names(&h, 2, Separator::Whitespace).map(|(i, _)| i),
            Some(0)
        );
        // No recognised labels anywhere: the last line's names, as before.
        let h = ["# a b", "# c d"];
        assert_eq!(
            column_names(&h, 2, Separator::Whitespace).map(|(i, _)| i),
            Some(1)
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
