//! `gsas`: GSAS FXYE files (as written by GSAS-II and Dioptas) and GSAS-II / Topas `.xye` files
//! with a `/* … */` header.
//!
//! Recognised by: a `BANK <n>` line in the head (the first 200 lines), or a first line that is
//! exactly `/*` (asked after PDFget, before every other family).
//!
//! Rules:
//! - with a `BANK` line (anywhere in the file: the first one counts), the data block is searched
//!   below it, and x is 2θ in centidegrees: it is divided by 100 (with a note) once the rows are
//!   read and ordered, before the unit conversion; without one (`/*` header) the search starts
//!   at the top and x is left as written;
//! - the title and `#` lines give the header entries (`Temp=` is the temperature);
//! - without an x label, x is 2θ in degrees (converted to Q when a wavelength is known);
//! - the quantity is intensity unless the y column name says otherwise;
//! - `.xye` and `.fxye` files carry the uncertainty in column 3 (the `columns` rule).

use super::{Anchor, Family, Format, Probe};
use crate::io::header::XLabel;
use crate::model::Quantity;

/// The GSAS layouts.
pub(super) struct Gsas;

impl Family for Gsas {
    fn detect(&self, probe: &Probe) -> Option<Format> {
        (probe.head.iter().any(|l| is_bank_line(l))
            || probe.lines.first().is_some_and(|l| l.trim() == "/*"))
        .then_some(Format::Gsas)
    }

    fn anchor(&self, lines: &[&str], _marker: Option<usize>) -> Anchor {
        let bank = lines.iter().position(|l| is_bank_line(l));
        Anchor {
            from: bank.map_or(0, |b| b + 1),
            line: bank,
        }
    }

    fn default_quantity(&self, _ext: &str) -> Option<Quantity> {
        Some(Quantity::Intensity)
    }

    fn default_x_unit(&self, _quantity: Quantity) -> Option<XLabel> {
        Some(XLabel::TwoThetaDeg)
    }

    fn post_process_x(&self, x: &mut [f64], anchor: Anchor, notes: &mut Vec<String>) {
        // GSAS FXYE writes 2θ in centidegrees.
        if anchor.line.is_some() {
            x.iter_mut().for_each(|v| *v /= 100.0);
            notes.push("GSAS FXYE x in centidegrees: divided by 100".into());
        }
    }
}

/// `BANK <integer> …`.
fn is_bank_line(line: &str) -> bool {
    if !line.trim_start().starts_with("BANK") {
        return false;
    }
    let mut f = line.split_ascii_whitespace();
    f.next() == Some("BANK") && f.next().is_some_and(|n| n.parse::<u32>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_lines() {
        assert!(is_bank_line("BANK 1 2001 2001 CONS 500 1.0 0 0 FXYE"));
        assert!(is_bank_line("  BANK\t1\t5"));
        assert!(!is_bank_line("BANK"));
        assert!(!is_bank_line("BANKS 1"));
        assert!(!is_bank_line("BANK one"));
        assert!(!is_bank_line("# BANK 1"));
    }

    #[test]
    fn claims_a_bank_line_in_the_head_or_a_comment_block_start() {
        let detect = |lines: &[&str], head_len: usize| {
            Gsas.detect(&Probe {
                ext: "dat",
                lines,
                head: &lines[..head_len],
                marker: None,
            })
        };
        assert_eq!(detect(&["title", "BANK 1 5 5"], 2), Some(Format::Gsas));
        assert_eq!(detect(&["title", "BANK 1 5 5"], 1), None, "beyond the head");
        assert_eq!(detect(&[" /* ", "x"], 0), Some(Format::Gsas));
        assert_eq!(detect(&["x", "/*"], 2), None);
    }

    #[test]
    fn fxye_data_start_below_the_bank_line_in_centidegrees() {
        let lines = ["title", "# Temp= 295", "BANK 1 5 5 CONS", "100 1 1"];
        let anchor = Gsas.anchor(&lines, None);
        assert_eq!(
            anchor,
            Anchor {
                from: 3,
                line: Some(2)
            }
        );
        let mut x = vec![100.0, 250.0];
        let mut notes = Vec::new();
        Gsas.post_process_x(&mut x, anchor, &mut notes);
        assert_eq!(x, [1.0, 2.5]);
        assert_eq!(notes, ["GSAS FXYE x in centidegrees: divided by 100"]);
    }

    #[test]
    fn xye_without_bank_is_left_in_degrees() {
        let lines = ["/*", "*/", "1 2 3"];
        let anchor = Gsas.anchor(&lines, Some(1));
        assert_eq!(
            anchor,
            Anchor {
                from: 0,
                line: None
            }
        );
        let mut x = vec![1.0, 2.0];
        let mut notes = Vec::new();
        Gsas.post_process_x(&mut x, anchor, &mut notes);
        assert_eq!((x, notes.len()), (vec![1.0, 2.0], 0));
        assert_eq!(
            Gsas.default_x_unit(Quantity::Intensity),
            Some(XLabel::TwoThetaDeg)
        );
        assert_eq!(Gsas.default_quantity("xye"), Some(Quantity::Intensity));
    }
}
