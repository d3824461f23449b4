//! `gudrun`: outputs of Gudrun (GudrunN, GudrunX `tophatsub`): `.mint01`, `.mdcs01`, `.int01`,
//! `.dcs01`, `.soq`, `.gofr`, `.dofr`, `.mgor01`, `.mdor01`, `.gud`, ….
//!
//! Recognised by: one of the Gudrun extensions (asked after PDFget, GSAS, Fit2D and
//! LiquidDiffract). The header is `#` lines (14 for `w_int` files, 4 for `w_diag_file` files,
//! none for `.soq`), usually without names.
//!
//! Rules:
//! - the quantity comes from the extension: `.mint01`/`.int01` S(Q)−1, `.soq` S(Q),
//!   `.mdcs01`/`.dcs01` intensity, `.gofr`/`.mgor01` g(r)−1, `.dofr`/`.mdor01` G(r); for S(Q)
//!   and S(Q)−1 the values at high Q then decide between the two (GudrunX `.soq` files hold
//!   either, by version);
//! - without an x label, x is Q in Å⁻¹, or r in Å for a real-space quantity;
//! - column 3 is a standard deviation in `w_int` files and `.soq` (`.int01 .mint01 .mdcs01
//!   .mdcsd01 .mdcsw01 .dcs01 .soq`); in the diagnostic r-space files (`.gofr .dofr .mgor01
//!   .mdor01`) it is an unrelated array and is not used;
//! - when there is an uncertainty column, rows with value 0 and error 0 at either end are
//!   Gudrun's padding of missing bins: they are dropped with a note (unless every row is one).

use super::super::header::XLabel;
use super::super::text::Table;
use super::{ColumnChoice, Family, Format, Probe, columns, list_lines};
use crate::model::Quantity;

const GUDRUN_EXTENSIONS: [&str; 12] = [
    "soq", "mint01", "mdcs01", "mdcsd01", "mdcsw01", "int01", "dcs01", "mgor01", "mdor01", "dofr",
    "gofr", "gud",
];

/// The Gudrun layouts.
pub(super) struct Gudrun;

impl Family for Gudrun {
    fn detect(&self, probe: &Probe) -> Option<Format> {
        GUDRUN_EXTENSIONS
            .contains(&probe.ext)
            .then_some(Format::Gudrun)
    }

    fn default_x_unit(&self, quantity: Quantity) -> Option<XLabel> {
        // Gudrun writes Q in Å⁻¹ (and r in Å, the common default for real space).
        (!quantity.is_real_space()).then_some(XLabel::QInvAngstrom)
    }

    fn implies_uncertainty(&self, ext: &str) -> bool {
        // Gudrun's w_int files (and .soq) carry a standard deviation; its diagnostic r-space
        // files (.gofr, .dofr, .mgor01, .mdor01) carry an unrelated third column.
        matches!(
            ext,
            "int01" | "mint01" | "mdcs01" | "mdcsd01" | "mdcsw01" | "dcs01" | "soq"
        ) || columns::xye_uncertainty(ext)
    }

    fn drop_rows(
        &self,
        table: &Table,
        columns: &ColumnChoice,
        keep: &mut [bool],
        notes: &mut Vec<String>,
    ) {
        let Some(d) = columns.dy else {
            return;
        };
        let padded = padding_rows(table, d);
        if !padded.is_empty() && padded.len() < table.rows() {
            let lines_list: Vec<usize> = padded.iter().map(|&r| table.lines[r]).collect();
            for &r in &padded {
                keep[r] = false;
            }
            notes.push(format!(
                "{} Gudrun padding row(s) with value 0 and error 0 dropped (lines {})",
                padded.len(),
                list_lines(&lines_list)
            ));
        }
    }
}

/// Rows (sorted) at either end whose value (column 2) and error (column `d`) are both 0.
fn padding_rows(table: &Table, d: usize) -> Vec<usize> {
    let zero = |r: usize| table.columns[1][r] == 0.0 && table.columns[d][r] == 0.0;
    let mut padded = Vec::new();
    for r in 0..table.rows() {
        if !zero(r) {
            break;
        }
        padded.push(r);
    }
    for r in (0..table.rows()).rev() {
        if !zero(r) || padded.contains(&r) {
            break;
        }
        padded.push(r);
    }
    padded.sort_unstable();
    padded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(y: &[f64], e: &[f64]) -> Table {
        Table {
            columns: vec![
                (0..y.len()).map(|i| i as f64).collect(),
                y.to_vec(),
                e.to_vec(),
            ],
            lines: (15..15 + y.len()).collect(),
        }
    }

    #[test]
    fn claims_gudrun_extensions() {
        let probe = |ext| Probe {
            ext,
            lines: &[],
            head: &[],
            marker: None,
        };
        for ext in GUDRUN_EXTENSIONS {
            assert_eq!(Gudrun.detect(&probe(ext)), Some(Format::Gudrun), "{ext}");
        }
        assert_eq!(Gudrun.detect(&probe("gr")), None);
    }

    #[test]
    fn x_is_q_in_inverse_angstrom_unless_real_space() {
        assert_eq!(
            Gudrun.default_x_unit(Quantity::Interference),
            Some(XLabel::QInvAngstrom)
        );
        assert_eq!(Gudrun.default_x_unit(Quantity::ReducedPdf), None);
    }

    #[test]
    fn third_column_is_an_error_in_w_int_files_only() {
        for ext in ["int01", "mint01", "mdcs01", "soq", "xye"] {
            assert!(Gudrun.implies_uncertainty(ext), "{ext}");
            assert_eq!(Gudrun.columns(None, 3, ext).dy, Some(2), "{ext}");
        }
        for ext in ["gofr", "dofr", "mgor01", "mdor01", "gud"] {
            assert!(!Gudrun.implies_uncertainty(ext), "{ext}");
        }
    }

    #[test]
    fn zero_padding_at_both_ends_is_dropped() {
        let t = table(
            &[0.0, 0.0, 1.0, 0.0, 2.0, 0.0],
            &[0.0, 0.0, 0.1, 0.0, 0.1, 0.0],
        );
        assert_eq!(padding_rows(&t, 2), vec![0, 1, 5]);
        let cols = ColumnChoice {
            y: vec![1],
            dy: Some(2),
        };
        let mut keep = vec![true; 6];
        let mut notes = Vec::new();
        Gudrun.drop_rows(&t, &cols, &mut keep, &mut notes);
        assert_eq!(keep, [false, false, true, true, true, false]);
        assert_eq!(
            notes,
            ["3 Gudrun padding row(s) with value 0 and error 0 dropped (lines 15, 16, 20)"]
        );
    }

    #[test]
    fn padding_is_kept_without_an_error_column_or_when_everything_is_padding() {
        let cols = ColumnChoice {
            y: vec![1],
            dy: None,
        };
        let t = table(&[0.0, 1.0], &[0.0, 0.1]);
        let mut keep = vec![true; 2];
        let mut notes = Vec::new();
        Gudrun.drop_rows(&t, &cols, &mut keep, &mut notes);
        assert_eq!((keep, notes.len()), (vec![true, true], 0));
        let cols = ColumnChoice {
            y: vec![1],
            dy: Some(2),
        };
        let t = table(&[0.0, 0.0], &[0.0, 0.0]);
        let mut keep = vec![true; 2];
        Gudrun.drop_rows(&t, &cols, &mut keep, &mut notes);
        assert_eq!((keep, notes.len()), (vec![true, true], 0));
    }
}
