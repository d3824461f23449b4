//! `wide-table`: one Q (or r) column followed by one y column per temperature, as spreadsheets
//! and scripts write a whole heating series in one file.
//!
//! Recognised by: a `columns` file (not another family, and only when the user did not choose
//! the format) with 3+ columns whose names after the first are all temperatures: `300K`,
//! `300 K`, `T=300`, `T_300`, `T300`, `27C`, `27 °C` or a bare number (kelvin), between 0 and
//! 10 000 K. This is decided once the column names are read, not by `detect`.
//!
//! Rules: every y column is a pattern of its own, named by its column and with its temperature
//! from the column name; there is no uncertainty column and no column goes unused. The x unit
//! comes from the first column name as for `columns`; the quantity from the extension.

use super::super::header;
use super::{ColumnChoice, Family, Format, Probe};

/// The wide-table layout.
pub(super) struct WideTable;

impl Family for WideTable {
    /// Never claims a file on its own: see [`promote`].
    fn detect(&self, _probe: &Probe) -> Option<Format> {
        None
    }

    fn columns(&self, _names: Option<&[String]>, width: usize, _ext: &str) -> ColumnChoice {
        ColumnChoice {
            y: (1..width).collect(),
            dy: None,
        }
    }

    fn pattern_per_column(&self) -> bool {
        true
    }
}

/// The temperatures (K) named by the columns after the first, when every one names one and
/// there are at least two.
pub(super) fn column_temperatures(names: Option<&[String]>) -> Option<Vec<f64>> {
    names.and_then(|n| {
        let temps: Option<Vec<f64>> = n[1..].iter().map(|c| column_temperature(c)).collect();
        temps.filter(|t| t.len() >= 2)
    })
}

/// The detected format, or `wide-table` for a `columns` file of 3+ columns named by
/// temperatures.
pub(super) fn promote(format: Format, temperatures: Option<&[f64]>, width: usize) -> Format {
    if temperatures.is_some() && width >= 3 && format == Format::Columns {
        Format::WideTable
    } else {
        format
    }
}

/// Temperature written as a wide-table column name: `300K`, `300 K`, `T=300`, `T_300`, `27C`, `300`.
fn column_temperature(name: &str) -> Option<f64> {
    let n = name.trim();
    let n = n
        .strip_prefix("T=")
        .or_else(|| n.strip_prefix("T_"))
        .or_else(|| n.strip_prefix("T"))
        .or_else(|| n.strip_prefix("t="))
        .unwrap_or(n);
    let (x, rest) = header::leading_number(n)?;
    let k = match rest.trim() {
        "" | "K" | "k" => x,
        "C" | "°C" | "degC" => x + 273.15,
        _ => return None,
    };
    (k > 0.0 && k < 10_000.0).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperatures_in_column_names() {
        assert_eq!(column_temperature("300K"), Some(300.0));
        assert_eq!(column_temperature(" 300 K "), Some(300.0));
        assert_eq!(column_temperature("T=300"), Some(300.0));
        assert_eq!(column_temperature("T_300"), Some(300.0));
        assert_eq!(column_temperature("T300"), Some(300.0));
        for c in ["27C", "27 °C", "27degC"] {
            let k = column_temperature(c).expect(c);
            assert!((k - 300.15).abs() < 1e-9, "{c}: {k}");
        }
        assert_eq!(column_temperature("300"), Some(300.0));
        assert_eq!(column_temperature("I"), None);
        assert_eq!(column_temperature("300 nm"), None);
        assert_eq!(column_temperature("0"), None);
        assert_eq!(column_temperature("20000"), None);
    }

    #[test]
    fn every_column_after_the_first_must_be_a_temperature() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            column_temperatures(Some(&n(&["Q", "300K", "400K"]))),
            Some(vec![300.0, 400.0])
        );
        assert_eq!(column_temperatures(Some(&n(&["Q", "300K", "I"]))), None);
        assert_eq!(
            column_temperatures(Some(&n(&["Q", "300K"]))),
            None,
            "needs two"
        );
        assert_eq!(column_temperatures(None), None);
    }

    #[test]
    fn only_a_columns_file_becomes_a_wide_table() {
        let t = [300.0, 400.0];
        assert_eq!(promote(Format::Columns, Some(&t), 3), Format::WideTable);
        assert_eq!(promote(Format::Columns, None, 3), Format::Columns);
        assert_eq!(promote(Format::Columns, Some(&t), 2), Format::Columns);
        assert_eq!(promote(Format::Pyfai, Some(&t), 3), Format::Pyfai);
    }

    #[test]
    fn every_y_column_is_a_pattern() {
        let c = WideTable.columns(None, 4, "xye");
        assert_eq!((c.y, c.dy), (vec![1, 2, 3], None));
        assert!(WideTable.pattern_per_column());
    }
}
