//! Steps on the data rows: which columns are used, which rows are dropped, the order of x, and
//! the pattern(s) built from what is left.
//!
//! - Columns: x is column 1; the family chooses the y column(s) and the uncertainty column; any
//!   other column is noted as not used.
//! - Rows: a row with a non-finite value in a used column is skipped with a problem naming its
//!   line; the family may drop more (Gudrun padding). At least 2 rows must remain.
//! - Order: x must be strictly monotonic; a descending file is reversed (with a note), a repeat
//!   or a decrease is an error on the line where it happens.
//! - Patterns: one, or one per y column for a wide table; each carries the header entries as
//!   metadata, the header's time, and every problem and note of the file.

use std::path::Path;

use super::super::header::{self, HeaderEntry};
use super::super::text::Table;
use super::{ColumnChoice, Family, FileData, Format, LoadError, Report, invalid, parse_error};
use crate::model::{Diagnostic, Pattern, Quantity, Segment, Temperature, TemperatureSource, XUnit};

/// The usable rows of the data block, column by column.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rows {
    pub x: Vec<f64>,
    /// One vector per y column.
    pub ys: Vec<Vec<f64>>,
    pub dy: Option<Vec<f64>>,
    /// 1-based file line of each row.
    pub lines: Vec<usize>,
}

/// Facts the header states about the sample and the measurement.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Facts {
    pub header_temperature: Option<(f64, String, usize)>,
    pub file_name_temperature: Option<f64>,
    pub time_s: Option<f64>,
    pub sample: Option<String>,
    pub composition: Option<String>,
    pub metadata: Vec<(String, String)>,
}

/// What every pattern of a file shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Shape {
    pub format: Format,
    pub quantity: Quantity,
    pub x_unit: XUnit,
    /// One pattern per y column (a wide table), else one pattern.
    pub per_column: bool,
}

/// Step 5: the y and uncertainty columns; the others are noted as not used.
pub(super) fn choose_columns(
    family: &dyn Family,
    names: Option<&[String]>,
    width: usize,
    ext: &str,
    notes: &mut Vec<String>,
) -> ColumnChoice {
    let choice = family.columns(names, width, ext);
    let unused: Vec<String> = (2..width)
        .filter(|c| Some(*c) != choice.dy && !choice.y.contains(c))
        .map(|c| match names {
            Some(n) => format!("{} (`{}`)", c + 1, n[c]),
            None => (c + 1).to_string(),
        })
        .collect();
    if !unused.is_empty() {
        notes.push(format!("column(s) {} not used", unused.join(", ")));
    }
    choice
}

/// Step 6: which rows to keep. Rows with non-finite values in the columns used are dropped,
/// naming each line, then whatever the family drops.
pub(super) fn drop_bad_rows(
    path: &Path,
    table: &Table,
    columns: &ColumnChoice,
    family: &dyn Family,
    report: &mut Report,
) -> Vec<bool> {
    let mut keep: Vec<bool> = vec![true; table.rows()];
    let used: Vec<usize> = std::iter::once(0)
        .chain(columns.y.iter().copied())
        .chain(columns.dy)
        .collect();
    for (r, k) in keep.iter_mut().enumerate() {
        if let Some(&c) = used.iter().find(|&&c| !table.columns[c][r].is_finite()) {
            *k = false;
            report.problems.push(Diagnostic::new(
                path,
                Some(table.lines[r]),
                format!(
                    "non-finite value ({}) in column {}: row skipped",
                    table.columns[c][r],
                    c + 1
                ),
            ));
        }
    }
    family.drop_rows(table, columns, &mut keep, &mut report.notes);
    keep
}

/// Step 6 (end): the kept rows of the columns used; fails with fewer than 2.
pub(super) fn usable_rows(
    path: &Path,
    table: &Table,
    columns: &ColumnChoice,
    keep: &[bool],
) -> Result<Rows, LoadError> {
    let pick = |c: usize| -> Vec<f64> {
        table.columns[c]
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect()
    };
    let x = pick(0);
    if x.len() < 2 {
        return Err(invalid(
            path,
            format!(
                "only {} usable data row(s): a pattern needs at least 2",
                x.len()
            ),
        ));
    }
    let lines: Vec<usize> = table
        .lines
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(l, _)| *l)
        .collect();
    Ok(Rows {
        x,
        ys: columns.y.iter().map(|&c| pick(c)).collect(),
        dy: columns.dy.map(pick),
        lines,
    })
}

/// Step 7: x must be strictly monotonic; a descending file is reversed.
pub(super) fn enforce_monotonic(
    path: &Path,
    rows: &mut Rows,
    notes: &mut Vec<String>,
) -> Result<(), LoadError> {
    let x = &rows.x;
    if x.windows(2).all(|w| w[1] < w[0]) {
        rows.x.reverse();
        rows.ys.iter_mut().for_each(|y| y.reverse());
        if let Some(d) = rows.dy.as_mut() {
            d.reverse();
        }
        notes.push("x was descending: reversed".into());
    } else if let Some(i) = x.windows(2).position(|w| w[1] <= w[0]) {
        let row_lines = &rows.lines;
        let line = row_lines[i + 1];
        let reason = if x[i + 1] == x[i] {
            format!(
                "x repeats ({} on lines {} and {line}): not a single pattern",
                x[i], row_lines[i]
            )
        } else {
            format!(
                "x decreases ({} after {} on line {}): not a single monotonic pattern",
                x[i + 1],
                x[i],
                row_lines[i]
            )
        };
        return Err(parse_error(path, line, reason));
    }
    Ok(())
}

/// Step 10 (part): temperature, time, sample and composition from the header entries and the
/// file name; every entry becomes metadata.
pub(super) fn header_facts(path: &Path, entries: &[HeaderEntry]) -> Facts {
    let header_temperature = entries.iter().find_map(|e| {
        header::temperature_key(&e.key)
            .and_then(|u| header::temperature_value(&e.value, u))
            .map(|k| (k, e.key.clone(), e.line))
    });
    let value_of = |keys: &[&str]| {
        entries
            .iter()
            .find(|e| keys.iter().any(|k| e.key.eq_ignore_ascii_case(k)))
            .map(|e| e.value.clone())
            .filter(|v| !v.is_empty())
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Facts {
        header_temperature,
        file_name_temperature: header::temperature_from_file_name(&stem),
        time_s: entries.iter().find_map(header::time_entry),
        sample: value_of(&["sample", "sample_name", "samplename"]),
        composition: value_of(&["composition", "formula"]),
        metadata: entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect(),
    }
}

/// Step 10: the file's pattern(s) and header facts. A wide table gives one pattern per y
/// column, named and dated by the column names; any other file one pattern with the uncertainty
/// column.
pub(super) fn build_file_data(
    path: &Path,
    shape: Shape,
    rows: Rows,
    names: Option<Vec<String>>,
    temperatures: Option<Vec<f64>>,
    facts: Facts,
    report: Report,
) -> FileData {
    let Rows { x, ys, dy, .. } = rows;
    let make = |y: Vec<f64>,
                dy: Option<Vec<f64>>,
                column: Option<String>,
                t: Option<Temperature>| Pattern {
        index: 0,
        source: path.to_path_buf(),
        column,
        format: shape.format.name().to_string(),
        quantity: shape.quantity,
        x_unit: shape.x_unit,
        x: x.clone(),
        y,
        dy,
        temperature: t,
        time_s: facts.time_s,
        metadata: facts.metadata.clone(),
        problems: report.problems.clone(),
        notes: report.notes.clone(),
        segment: Segment::Start,
        repeated_temperature: false,
    };
    let patterns = if shape.per_column {
        let names = names.unwrap_or_default();
        let temps = temperatures.unwrap_or_default();
        ys.into_iter()
            .enumerate()
            .map(|(i, y)| {
                let t = temps.get(i).map(|&kelvin| Temperature {
                    kelvin,
                    source: TemperatureSource::ColumnName,
                });
                make(y, None, names.get(i + 1).cloned(), t)
            })
            .collect()
    } else {
        let y = ys.into_iter().next().unwrap_or_default();
        vec![make(y, dy, None, None)]
    };
    FileData {
        patterns,
        header_temperature: facts.header_temperature,
        file_name_temperature: facts.file_name_temperature,
        sample: facts.sample,
        composition: facts.composition,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{columns::Columns, gudrun::Gudrun, wide_table::WideTable};
    use super::*;

    fn path() -> &'static Path {
        Path::new("r.dat")
    }

    fn table(columns: Vec<Vec<f64>>) -> Table {
        let n = columns[0].len();
        Table {
            columns,
            lines: (11..11 + n).collect(),
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn rows(x: &[f64]) -> Rows {
        Rows {
            x: x.to_vec(),
            ys: vec![x.iter().map(|v| v * 2.0).collect()],
            dy: Some(x.iter().map(|v| v * 0.1).collect()),
            lines: (1..=x.len()).collect(),
        }
    }

    #[test]
    fn unused_columns_are_noted_with_their_names() {
        let mut notes = Vec::new();
        let n = names(&["q", "I", "sigma", "bg", "fit"]);
        let c = choose_columns(&Columns, Some(&n), 5, "dat", &mut notes);
        assert_eq!((c.y, c.dy), (vec![1], Some(2)));
        assert_eq!(notes, ["column(s) 4 (`bg`), 5 (`fit`) not used"]);
        let mut notes = Vec::new();
        choose_columns(&Columns, None, 3, "dat", &mut notes);
        assert_eq!(notes, ["column(s) 3 not used"]);
        let mut notes = Vec::new();
        let c = choose_columns(&WideTable, None, 4, "dat", &mut notes);
        assert_eq!((c.y, c.dy, notes.len()), (vec![1, 2, 3], None, 0));
    }

    #[test]
    fn non_finite_rows_are_dropped_naming_line_and_column() {
        let t = table(vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![1.0, f64::NAN, 3.0, 4.0],
            vec![f64::INFINITY, 0.1, 0.1, 0.1],
        ]);
        let used = ColumnChoice {
            y: vec![1],
            dy: None,
        };
        let mut report = Report::default();
        let keep = drop_bad_rows(path(), &t, &used, &Columns, &mut report);
        assert_eq!(keep, [true, false, true, true], "column 3 is not used");
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].line, Some(12));
        assert_eq!(
            report.problems[0].message,
            "non-finite value (NaN) in column 2: row skipped"
        );
        let with_dy = ColumnChoice {
            y: vec![1],
            dy: Some(2),
        };
        let mut report = Report::default();
        let keep = drop_bad_rows(path(), &t, &with_dy, &Columns, &mut report);
        assert_eq!(keep, [false, false, true, true]);
        assert_eq!(
            report.problems[0].message,
            "non-finite value (inf) in column 3: row skipped"
        );
    }

    #[test]
    fn the_family_drops_its_own_rows_after_non_finite_ones() {
        let t = table(vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![0.0, 2.0, 3.0, f64::NAN],
            vec![0.0, 0.1, 0.1, 0.1],
        ]);
        let c = ColumnChoice {
            y: vec![1],
            dy: Some(2),
        };
        let mut report = Report::default();
        let keep = drop_bad_rows(path(), &t, &c, &Gudrun, &mut report);
        assert_eq!(keep, [false, true, true, false]);
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.notes.len(), 1);
    }

    #[test]
    fn usable_rows_need_two() {
        let t = table(vec![
            vec![1.0, 2.0, 3.0],
            vec![4.0, 5.0, 6.0],
            vec![0.1, 0.2, 0.3],
        ]);
        let c = ColumnChoice {
            y: vec![1],
            dy: Some(2),
        };
        let r = usable_rows(path(), &t, &c, &[true, false, true]).expect("two rows");
        assert_eq!(r.x, [1.0, 3.0]);
        assert_eq!(r.ys, [vec![4.0, 6.0]]);
        assert_eq!(r.dy, Some(vec![0.1, 0.3]));
        assert_eq!(r.lines, [11, 13]);
        let e = usable_rows(path(), &t, &c, &[false, false, true]).expect_err("one row");
        assert_eq!(
            e.reason(),
            "only 1 usable data row(s): a pattern needs at least 2"
        );
    }

    #[test]
    fn descending_x_is_reversed() {
        let mut r = rows(&[3.0, 2.0, 1.0]);
        let mut notes = Vec::new();
        enforce_monotonic(path(), &mut r, &mut notes).expect("monotonic");
        assert_eq!(r.x, [1.0, 2.0, 3.0]);
        assert_eq!(r.ys[0], [2.0, 4.0, 6.0]);
        assert_eq!(r.dy.as_deref(), Some(&[0.1, 0.2, 0.30000000000000004][..]));
        assert_eq!(r.lines, [1, 2, 3], "lines are not reversed");
        assert_eq!(notes, ["x was descending: reversed"]);
        let mut r = rows(&[1.0, 2.0, 3.0]);
        let mut notes = Vec::new();
        enforce_monotonic(path(), &mut r, &mut notes).expect("monotonic");
        assert_eq!((r.x, notes.len()), (vec![1.0, 2.0, 3.0], 0));
    }

    #[test]
    fn repeated_or_decreasing_x_is_an_error_on_its_line() {
        let mut r = rows(&[1.0, 2.0, 2.0, 3.0]);
        let e = enforce_monotonic(path(), &mut r, &mut Vec::new()).expect_err("repeat");
        assert_eq!(
            e.reason(),
            "line 3: x repeats (2 on lines 2 and 3): not a single pattern"
        );
        let mut r = rows(&[1.0, 3.0, 2.0, 4.0]);
        let e = enforce_monotonic(path(), &mut r, &mut Vec::new()).expect_err("decrease");
        assert_eq!(
            e.reason(),
            "line 3: x decreases (2 after 3 on line 2): not a single monotonic pattern"
        );
    }

    #[test]
    fn header_facts_from_entries_and_file_name() {
        let e = |key: &str, value: &str, line| HeaderEntry {
            key: key.into(),
            value: value.into(),
            line,
        };
        let entries = [
            e("Sample", "", 1),
            e("sample_name", "CuZr", 2),
            e("temperature", "25 C", 3),
            e("time", "2 min", 4),
            e("Formula", "Cu50Zr50", 5),
        ];
        let f = header_facts(Path::new("/d/run_500K.xy"), &entries);
        assert_eq!(f.sample, None, "the first sample key is empty");
        assert_eq!(f.composition.as_deref(), Some("Cu50Zr50"));
        let (k, key, line) = f.header_temperature.expect("temperature");
        assert!((k - 298.15).abs() < 1e-9);
        assert_eq!((key.as_str(), line), ("temperature", 3));
        assert_eq!(f.time_s, Some(120.0));
        assert_eq!(f.file_name_temperature, Some(500.0));
        assert_eq!(f.metadata.len(), 5);
        assert_eq!(
            f.metadata[1],
            ("sample_name".to_string(), "CuZr".to_string())
        );
    }

    fn facts() -> Facts {
        Facts {
            header_temperature: None,
            file_name_temperature: Some(500.0),
            time_s: Some(3.0),
            sample: Some("CuZr".into()),
            composition: None,
            metadata: vec![("k".into(), "v".into())],
        }
    }

    #[test]
    fn one_pattern_with_its_uncertainty_and_the_header_facts() {
        let shape = Shape {
            format: Format::Gsas,
            quantity: Quantity::Intensity,
            x_unit: XUnit::TwoThetaDeg,
            per_column: false,
        };
        let report = Report {
            problems: vec![Diagnostic::new(path(), Some(1), "p")],
            notes: vec!["n".into()],
        };
        let p = build_file_data(
            path(),
            shape,
            rows(&[1.0, 2.0]),
            None,
            None,
            facts(),
            report,
        );
        assert_eq!(p.sample.as_deref(), Some("CuZr"));
        assert_eq!(p.file_name_temperature, Some(500.0));
        assert_eq!(p.patterns.len(), 1);
        let p = &p.patterns[0];
        assert_eq!(
            (p.format.as_str(), p.quantity, p.x_unit),
            ("gsas", Quantity::Intensity, XUnit::TwoThetaDeg)
        );
        assert_eq!((p.column.clone(), p.temperature.clone()), (None, None));
        assert_eq!(p.dy.as_deref(), Some(&[0.1, 0.2][..]));
        assert_eq!(
            (p.time_s, p.metadata.len(), p.problems.len(), p.notes.len()),
            (Some(3.0), 1, 1, 1)
        );
    }

    #[test]
    fn a_wide_table_gives_one_pattern_per_column() {
        let shape = Shape {
            format: Format::WideTable,
            quantity: Quantity::StructureFactor,
            x_unit: XUnit::QInvAngstrom,
            per_column: true,
        };
        let r = Rows {
            x: vec![1.0, 2.0],
            ys: vec![vec![1.0, 1.1], vec![2.0, 2.1]],
            dy: None,
            lines: vec![2, 3],
        };
        let n = Some(names(&["Q", "300K", "400K"]));
        let p = build_file_data(
            path(),
            shape,
            r,
            n,
            Some(vec![300.0, 400.0]),
            facts(),
            Report::default(),
        )
        .patterns;
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].column.as_deref(), Some("400K"));
        assert_eq!(p[1].y, [2.0, 2.1]);
        let t = p[0].temperature.as_ref().expect("temperature");
        assert_eq!(
            (t.kelvin, &t.source),
            (300.0, &TemperatureSource::ColumnName)
        );
        assert_eq!(p[0].format, "wide-table");
    }
}
