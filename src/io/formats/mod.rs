//! Reading one pattern file: format detection and the per-format rules.
//!
//! | format | recognised by | header | x unit from |
//! |---|---|---|---|
//! | `pdfgetx3`, `pdfgetx2`, `pdfgetn` | a `#### start data` line | `key = value` config above the marker, `#L` column line below | `#L` names; the quantity also from `outputtype` or the extension (`.iq .sq .fq .gr`) |
//! | `fit2d-chi` | `.chi` whose 4th line is the point count | title, x label, y label, count | the x label line (`2-Theta Angle (Degrees)`, `Q (Inverse Nanometres)`, …) |
//! | `pyfai` | a `#` header naming pyFAI/Dioptas, or a `2th_deg`/`q_nm^-1`/`q_A^-1` column line | `# Key: value` lines, `Wavelength` in metres | the column line |
//! | `gudrun` | GudrunX/Gudrun output extensions (`.soq .mint01 .mdcs01 .gr …`) with `#` headers | `#` lines | Q in Å⁻¹ / r in Å by extension |
//! | `liquiddiffract` | a header naming LiquidDiffract | `#` lines, names split by `|` | column line |
//! | `gsas` | a GSAS `BANK` line (FXYE, x in centidegrees) or a GSAS-II `/* … */` `.xye` header | title and `#` lines (`Temp=`) | 2θ in degrees |
//! | `wide-table` | 3+ columns whose names (after the first) are temperatures | column-name line | first column name |
//! | `columns` | anything else with 2+ numeric columns | any leading text | column names, else Q in Å⁻¹ assumed |
//!
//! Units after reading: Q in Å⁻¹ (nm⁻¹ × 0.1; 2θ → Q = 4π sin(θ)/λ with the header's or the
//! user's wavelength), r in Å. A Q axis that reaches beyond 60 or whose maximum sits beyond
//! 12 "Å⁻¹" is reported as probably nm⁻¹ (not converted: the label may be right).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::LoadError;
use super::header::{self, HeaderEntry, XLabel};
use super::text::{self, Separator};
use crate::model::{Diagnostic, Pattern, Quantity, Segment, Temperature, TemperatureSource, XUnit};

/// A file layout Glassray reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    Columns,
    Fit2dChi,
    Pyfai,
    PdfGetX3,
    PdfGetX2,
    PdfGetN,
    Gudrun,
    LiquidDiffract,
    Gsas,
    WideTable,
}

impl Format {
    pub const ALL: [Format; 10] = [
        Format::Columns,
        Format::Fit2dChi,
        Format::Pyfai,
        Format::PdfGetX3,
        Format::PdfGetX2,
        Format::PdfGetN,
        Format::Gudrun,
        Format::LiquidDiffract,
        Format::Gsas,
        Format::WideTable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Columns => "columns",
            Format::Fit2dChi => "fit2d-chi",
            Format::Pyfai => "pyfai",
            Format::PdfGetX3 => "pdfgetx3",
            Format::PdfGetX2 => "pdfgetx2",
            Format::PdfGetN => "pdfgetn",
            Format::Gudrun => "gudrun",
            Format::LiquidDiffract => "liquiddiffract",
            Format::Gsas => "gsas",
            Format::WideTable => "wide-table",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format `{s}` (one of: {})", names.join(", "))
            })
    }
}

/// A user override of the x axis unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum XUnitOverride {
    QInvAngstrom,
    QInvNm,
    TwoThetaDeg,
    RAngstrom,
}

impl std::str::FromStr for XUnitOverride {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "q" | "q-a" | "q_a" | "1/a" | "a^-1" => Ok(XUnitOverride::QInvAngstrom),
            "q-nm" | "q_nm" | "1/nm" | "nm^-1" => Ok(XUnitOverride::QInvNm),
            "2theta" | "2th" | "tth" | "2theta-deg" => Ok(XUnitOverride::TwoThetaDeg),
            "r" | "r-a" | "a" => Ok(XUnitOverride::RAngstrom),
            _ => Err(format!(
                "unknown x unit `{s}` (one of: q-A, q-nm, 2theta, r)"
            )),
        }
    }
}

/// Per-file reading options (all optional overrides).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub x_unit: Option<XUnitOverride>,
    pub quantity: Option<Quantity>,
    /// Wavelength in Å for 2θ files (overrides the header's).
    pub wavelength: Option<f64>,
}

/// What one file yields: its pattern(s) (a wide table yields several) and header facts.
#[derive(Debug, Clone)]
pub struct FileData {
    pub patterns: Vec<Pattern>,
    /// Temperature from the header: (kelvin, key, line).
    pub header_temperature: Option<(f64, String, usize)>,
    pub file_name_temperature: Option<f64>,
    pub sample: Option<String>,
    pub composition: Option<String>,
}

const GUDRUN_EXTENSIONS: [&str; 12] = [
    "soq", "mint01", "mdcs01", "mdcsd01", "mdcsw01", "int01", "dcs01", "mgor01", "mdor01", "dofr",
    "gofr", "gud",
];

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn quantity_from_extension(ext: &str) -> Option<Quantity> {
    Some(match ext {
        "iq" | "chi" => Quantity::Intensity,
        "sq" | "soq" => Quantity::StructureFactor,
        "fq" => Quantity::ReducedStructureFunction,
        "gr" | "dofr" | "mdor01" => Quantity::ReducedPdf,
        "gofr" | "mgor01" => Quantity::TotalCorrelation,
        "mint01" | "int01" => Quantity::Interference,
        "mdcs01" | "mdcsd01" | "mdcsw01" | "dcs01" => Quantity::Intensity,
        _ => return None,
    })
}

fn is_marker(line: &str) -> bool {
    // Cheap rejection first: this runs on every line of every file.
    if !line.as_bytes().iter().take(8).any(|&b| b == b'#') {
        return false;
    }
    let t = line.trim_start();
    t.starts_with("###") && t.to_ascii_lowercase().contains("start data")
}

fn detect(path: &Path, lines: &[&str], marker: Option<usize>) -> Format {
    let ext = extension(path);
    let head_end = marker.unwrap_or(lines.len().min(200));
    let head = &lines[..head_end.min(lines.len())];
    let any = |needle: &str| head.iter().any(|l| l.contains(needle));
    if marker.is_some() {
        return if any("[PDF]") || any("PDFgetX3") || any("xPDFsuite") || any("[DEFAULT]") {
            Format::PdfGetX3
        } else if any("Get_XPDF") || any("PDFgetX2") {
            Format::PdfGetX2
        } else if any("PDFgetN") || any("Run Information") {
            Format::PdfGetN
        } else {
            Format::PdfGetX3
        };
    }
    if head.iter().any(|l| is_bank_line(l)) || lines.first().is_some_and(|l| l.trim() == "/*") {
        return Format::Gsas;
    }
    if (ext == "chi" || ext == "qchi") && is_fit2d_header(lines) {
        return Format::Fit2dChi;
    }
    if any("LiquidDiffract") {
        return Format::LiquidDiffract;
    }
    if GUDRUN_EXTENSIONS.contains(&ext.as_str()) {
        return Format::Gudrun;
    }
    let comment_head = || head.iter().filter(|l| text::is_comment(l));
    if comment_head().any(|l| l.contains("pyFAI") || l.contains("Dioptas"))
        || comment_head().any(|l| {
            let s = text::strip_comment(l).to_ascii_lowercase();
            s.starts_with("2th_deg") || s.starts_with("q_nm^-1") || s.starts_with("q_a^-1")
        })
    {
        return Format::Pyfai;
    }
    Format::Columns
}

fn is_bank_line(line: &str) -> bool {
    if !line.trim_start().starts_with("BANK") {
        return false;
    }
    let mut f = line.split_ascii_whitespace();
    f.next() == Some("BANK") && f.next().is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Fit2D's four header lines (title, x label, y label, count), with or without `#`.
fn is_fit2d_header(lines: &[&str]) -> bool {
    lines.len() >= 5
        && text::strip_comment(lines[3]).parse::<usize>().is_ok()
        && text::fields(text::strip_comment(lines[1]), Separator::Whitespace)
            .iter()
            .any(|f| text::parse_number(f, Separator::Whitespace).is_none())
}

fn invalid(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn parse_error(path: &Path, line: usize, reason: impl Into<String>) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        line,
        reason: reason.into(),
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

/// Reads a pattern file from disk.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<FileData, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_bytes(path, &bytes, opts)
}

/// Reads a pattern from bytes (`path` names it in messages and gives the extension and the file
/// name temperature). Never panics, whatever the bytes.
pub fn read_bytes(path: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<FileData, LoadError> {
    let text = text::decode(bytes).map_err(|reason| invalid(path, reason))?;
    let ends_with_newline = text.ends_with('\n') || text.ends_with('\r');
    let lines = text::split_lines(&text);
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(invalid(path, "empty file (no text)"));
    }
    let marker = lines.iter().position(|l| is_marker(l));
    let format = opts.format.unwrap_or_else(|| detect(path, &lines, marker));
    let sep = text::detect_separator(&lines);

    let bank = if format == Format::Gsas {
        lines.iter().position(|l| is_bank_line(l))
    } else {
        None
    };
    let from = match format {
        Format::Fit2dChi => 4.min(lines.len()),
        Format::Gsas => bank.map_or(0, |b| b + 1),
        _ => marker.map_or(0, |m| m + 1),
    };
    let Some((start, width)) = text::find_data_start(&lines, from, sep) else {
        return Err(no_data_reason(path, &lines, from, sep));
    };
    if width < 2 {
        return Err(parse_error(
            path,
            start + 1,
            "only one numeric column: a pattern needs an x and a y column",
        ));
    }

    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    // Header: every line above the data block.
    let mut entries: Vec<HeaderEntry> = Vec::new();
    for (i, line) in lines[..start].iter().enumerate() {
        if format == Format::Fit2dChi && i < 4 {
            continue;
        }
        header::entries_on_line(line, i + 1, &mut entries);
    }
    // Lines that look like data but sit above a non-numeric line: say so rather than drop them.
    let stray = lines[from..start]
        .iter()
        .enumerate()
        .filter(|(_, l)| !text::is_comment(l) && numeric_row_width(l, sep) == Some(width))
        .map(|(i, _)| from + i + 1)
        .collect::<Vec<_>>();
    if !stray.is_empty() && format != Format::PdfGetN && format != Format::PdfGetX2 {
        problems.push(Diagnostic::new(
            path,
            stray.first().copied(),
            format!(
                "{} numeric row(s) above the data block (lines {}) were read as header: a non-numeric line follows them",
                stray.len(),
                list_lines(&stray)
            ),
        ));
    }

    // Column names: a `#L` line, else the nearest header line with one name per column.
    let names = column_names(&lines[..start], width, sep);
    let (fit2d_x_label, fit2d_y_label, fit2d_count) = if format == Format::Fit2dChi {
        (
            Some(text::strip_comment(lines[1]).to_string()),
            Some(text::strip_comment(lines[2]).to_string()),
            text::strip_comment(lines[3]).parse::<usize>().ok(),
        )
    } else {
        (None, None, None)
    };

    let table = text::parse_block(
        path,
        &lines,
        start,
        width,
        sep,
        ends_with_newline,
        &mut problems,
    );
    if let Some(declared) = fit2d_count
        && declared != table.rows()
    {
        problems.push(Diagnostic::new(
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
        ));
    }

    // Wide table: Q then one column per temperature.
    let column_temps: Option<Vec<f64>> = names.as_ref().and_then(|n| {
        let temps: Option<Vec<f64>> = n[1..].iter().map(|c| column_temperature(c)).collect();
        temps.filter(|t| t.len() >= 2)
    });
    let format = match (opts.format, &column_temps) {
        (None, Some(_)) if width >= 3 && matches!(format, Format::Columns) => Format::WideTable,
        _ => format,
    };

    let ext = extension(path);
    let x_label_text: Option<String> = fit2d_x_label
        .clone()
        .or_else(|| names.as_ref().map(|n| n[0].clone()));
    let label_line = match fit2d_x_label {
        Some(_) => Some(2),
        None => names_line(&lines[..start]).map(|i| i + 1),
    };

    // Quantity: user, then the y label, then the header, then the extension/format.
    let y_label_text = fit2d_y_label
        .clone()
        .or_else(|| names.as_ref().map(|n| n[1].clone()));
    let from_label = y_label_text.as_deref().and_then(header::y_label);
    let from_header = entries
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("outputtype"))
        .and_then(|e| Quantity::parse(&e.value));
    let from_format = match format {
        Format::Pyfai | Format::Fit2dChi | Format::Gsas => Some(Quantity::Intensity),
        _ => quantity_from_extension(&ext),
    };
    let mut quantity = opts
        .quantity
        .or(from_label)
        .or(from_header)
        .or(from_format)
        .unwrap_or(Quantity::Unknown);
    if opts.quantity.is_none()
        && from_label.is_none()
        && from_header.is_none()
        && from_format.is_none()
    {
        notes.push("quantity not stated (no column label, header key or known extension)".into());
    }

    // x unit: user, then the label, then what the quantity implies.
    let x_label = x_label_text.as_deref().and_then(header::x_label);
    let wavelength_header = entries
        .iter()
        .find_map(|e| header::wavelength_entry(e).map(|w| (w, e.line)));
    let wavelength = opts.wavelength.or(wavelength_header.map(|w| w.0));
    if let (Some(user), Some((h, line))) = (opts.wavelength, wavelength_header)
        && (user - h).abs() > 1e-6 * h.max(1e-9)
    {
        notes.push(format!(
            "wavelength {user} Å given by the user replaces the header's {h} Å (line {line})"
        ));
    }
    let unit_in = match opts.x_unit {
        Some(XUnitOverride::QInvAngstrom) => XLabel::QInvAngstrom,
        Some(XUnitOverride::QInvNm) => XLabel::QInvNm,
        Some(XUnitOverride::TwoThetaDeg) => XLabel::TwoThetaDeg,
        Some(XUnitOverride::RAngstrom) => XLabel::RAngstrom,
        None => match x_label {
            Some(l) => l,
            None if format == Format::Gsas => XLabel::TwoThetaDeg,
            // Gudrun writes Q in Å⁻¹ and r in Å.
            None if format == Format::Gudrun && !quantity.is_real_space() => XLabel::QInvAngstrom,
            None if quantity.is_real_space() => XLabel::RAngstrom,
            None => {
                notes.push("x unit not stated: Q in 1/Å assumed".into());
                XLabel::QInvAngstrom
            }
        },
    };
    if unit_in == XLabel::QNoUnit {
        notes.push("x column labelled Q without a unit: 1/Å assumed".into());
    }

    // Columns used: x = 0, the y column(s), and an uncertainty column when named or implied.
    let dy_col = if format == Format::WideTable {
        None
    } else {
        uncertainty_column(names.as_deref(), width, format, &ext)
    };
    let y_cols: Vec<usize> = if format == Format::WideTable {
        (1..width).collect()
    } else {
        vec![1]
    };
    if format != Format::WideTable {
        let unused: Vec<String> = (2..width)
            .filter(|c| Some(*c) != dy_col)
            .map(|c| match names.as_ref() {
                Some(n) => format!("{} (`{}`)", c + 1, n[c]),
                None => (c + 1).to_string(),
            })
            .collect();
        if !unused.is_empty() {
            notes.push(format!("column(s) {} not used", unused.join(", ")));
        }
    }

    // Drop rows with non-finite values in the columns used, naming each line.
    let mut keep: Vec<bool> = vec![true; table.rows()];
    let used: Vec<usize> = std::iter::once(0)
        .chain(y_cols.iter().copied())
        .chain(dy_col)
        .collect();
    for (r, k) in keep.iter_mut().enumerate() {
        if let Some(&c) = used.iter().find(|&&c| !table.columns[c][r].is_finite()) {
            *k = false;
            problems.push(Diagnostic::new(
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
    // Gudrun pads missing bins with rows of zeros (value 0, error 0) at the ends.
    if format == Format::Gudrun
        && let Some(d) = dy_col
    {
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
        if !padded.is_empty() && padded.len() < table.rows() {
            padded.sort_unstable();
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
    let pick = |c: usize| -> Vec<f64> {
        table.columns[c]
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect()
    };
    let row_lines: Vec<usize> = table
        .lines
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(l, _)| *l)
        .collect();
    let mut x = pick(0);
    let mut ys: Vec<Vec<f64>> = y_cols.iter().map(|&c| pick(c)).collect();
    let mut dy = dy_col.map(pick);

    if x.len() < 2 {
        return Err(invalid(
            path,
            format!(
                "only {} usable data row(s): a pattern needs at least 2",
                x.len()
            ),
        ));
    }

    // x must be strictly monotonic; a descending file is reversed.
    if x.windows(2).all(|w| w[1] < w[0]) {
        x.reverse();
        ys.iter_mut().for_each(|y| y.reverse());
        if let Some(d) = dy.as_mut() {
            d.reverse();
        }
        notes.push("x was descending: reversed".into());
    } else if let Some(i) = x.windows(2).position(|w| w[1] <= w[0]) {
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

    // GSAS FXYE writes 2θ in centidegrees.
    if format == Format::Gsas && bank.is_some() {
        x.iter_mut().for_each(|v| *v /= 100.0);
        notes.push("GSAS FXYE x in centidegrees: divided by 100".into());
    }

    // Unit conversion.
    let x_unit = match unit_in {
        XLabel::QInvAngstrom | XLabel::QNoUnit => XUnit::QInvAngstrom,
        XLabel::QInvNm => {
            x.iter_mut().for_each(|v| *v *= 0.1);
            notes.push("Q in 1/nm converted to 1/Å (×0.1)".into());
            XUnit::QInvAngstrom
        }
        XLabel::RAngstrom => XUnit::RAngstrom,
        XLabel::RNm => {
            x.iter_mut().for_each(|v| *v *= 10.0);
            notes.push("r in nm converted to Å (×10)".into());
            XUnit::RAngstrom
        }
        XLabel::TwoThetaDeg | XLabel::TwoThetaRad => {
            let to_rad = if unit_in == XLabel::TwoThetaDeg {
                std::f64::consts::PI / 180.0
            } else {
                1.0
            };
            match wavelength {
                Some(lambda) => {
                    x.iter_mut().for_each(|v| {
                        *v = 4.0 * std::f64::consts::PI * (*v * to_rad / 2.0).sin() / lambda;
                    });
                    notes.push(format!(
                        "2θ converted to Q with λ = {} Å ({})",
                        (lambda * 1e7).round() / 1e7,
                        if opts.wavelength.is_some() {
                            "user"
                        } else {
                            "header"
                        }
                    ));
                    XUnit::QInvAngstrom
                }
                None => {
                    if unit_in == XLabel::TwoThetaRad {
                        x.iter_mut().for_each(|v| *v = v.to_degrees());
                    }
                    problems.push(Diagnostic::new(
                        path,
                        label_line,
                        "x is 2θ but no wavelength is known (header or --wavelength): left in degrees",
                    ));
                    XUnit::TwoThetaDeg
                }
            }
        }
    };
    if quantity.is_real_space() && x_unit != XUnit::RAngstrom {
        problems.push(Diagnostic::new(
            path,
            label_line,
            format!("quantity {quantity} needs an r axis but the x column is in reciprocal space"),
        ));
    }
    if !quantity.is_real_space() && x_unit == XUnit::RAngstrom && quantity != Quantity::Unknown {
        problems.push(Diagnostic::new(
            path,
            label_line,
            format!("quantity {quantity} is a function of Q but the x column is r"),
        ));
    }

    // Plausibility of the Q unit: Å⁻¹ data stop below ~50 with peaks below ~12.
    if x_unit == XUnit::QInvAngstrom
        && !matches!(
            unit_in,
            XLabel::QInvNm | XLabel::TwoThetaDeg | XLabel::TwoThetaRad
        )
    {
        let xmax = *x.last().unwrap_or(&0.0);
        let peak_at = argmax_x(&x, &ys[0]);
        if xmax > 60.0 || (peak_at > 12.0 && quantity != Quantity::Intensity) {
            problems.push(Diagnostic::new(
                path,
                label_line.or(row_lines.first().copied()),
                format!(
                    "Q labelled or assumed 1/Å reaches {xmax:.4} with its maximum at {peak_at:.3}: looks like 1/nm (use --x-unit q-nm to convert)"
                ),
            ));
        }
    }
    // A label g(r) on data that go far below zero and settle at 0 is really G(r) (fullrmc does this).
    if quantity == Quantity::PairDistribution && opts.quantity.is_none() && looks_like_big_g(&ys[0])
    {
        quantity = Quantity::ReducedPdf;
        problems.push(Diagnostic::new(
            path,
            label_line,
            "labelled g(r) but the values go well below 0 and oscillate about 0: read as G(r) (use --quantity to override)",
        ));
    }

    // S(Q) settles at 1 and S(Q) − 1 at 0: when only the extension named the quantity, the
    // values decide between the two (GudrunX `.soq` files hold either, by version).
    if opts.quantity.is_none() && from_label.is_none() && from_header.is_none() {
        let tail = tail_mean(&ys[0]);
        let flipped = match quantity {
            Quantity::StructureFactor if tail.abs() < 0.2 => Some(Quantity::Interference),
            Quantity::Interference if (tail - 1.0).abs() < 0.2 => Some(Quantity::StructureFactor),
            _ => None,
        };
        if let Some(q) = flipped {
            problems.push(Diagnostic::new(
                path,
                None,
                format!(
                    "the extension says {quantity} but the values settle at {tail:.3} at high Q: read as {q} (use --quantity to override)"
                ),
            ));
            quantity = q;
        }
    }

    // Header facts.
    let header_temperature = entries.iter().find_map(|e| {
        header::temperature_key(&e.key)
            .and_then(|u| header::temperature_value(&e.value, u))
            .map(|k| (k, e.key.clone(), e.line))
    });
    let time_s = entries.iter().find_map(header::time_entry);
    let value_of = |keys: &[&str]| {
        entries
            .iter()
            .find(|e| keys.iter().any(|k| e.key.eq_ignore_ascii_case(k)))
            .map(|e| e.value.clone())
            .filter(|v| !v.is_empty())
    };
    let composition = value_of(&["composition", "formula"]);
    let sample = value_of(&["sample", "sample_name", "samplename"]);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file_name_temperature = header::temperature_from_file_name(&stem);
    let metadata: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect();

    let make = |y: Vec<f64>,
                dy: Option<Vec<f64>>,
                column: Option<String>,
                t: Option<Temperature>| Pattern {
        index: 0,
        source: path.to_path_buf(),
        column,
        format: format.name().to_string(),
        quantity,
        x_unit,
        x: x.clone(),
        y,
        dy,
        temperature: t,
        time_s,
        metadata: metadata.clone(),
        problems: problems.clone(),
        notes: notes.clone(),
        segment: Segment::Start,
        repeated_temperature: false,
    };
    let patterns = if format == Format::WideTable {
        let names = names.unwrap_or_default();
        let temps = column_temps.unwrap_or_default();
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
        vec![make(y, dy.take(), None, None)]
    };
    Ok(FileData {
        patterns,
        header_temperature,
        file_name_temperature,
        sample,
        composition,
    })
}

fn numeric_row_width(line: &str, sep: Separator) -> Option<usize> {
    let f = text::fields(line, sep);
    (!f.is_empty() && f.iter().all(|x| text::parse_number(x, sep).is_some())).then_some(f.len())
}

fn list_lines(lines: &[usize]) -> String {
    if lines.len() <= 6 {
        lines
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!("{}, {}, … {}", lines[0], lines[1], lines[lines.len() - 1])
    }
}

fn is_spec_names_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("#L ") || t.starts_with("#L\t")
}

fn names_line(header: &[&str]) -> Option<usize> {
    if let Some(i) = header.iter().rposition(|l| is_spec_names_line(l)) {
        return Some(i);
    }
    header.iter().rposition(|l| !l.trim().is_empty())
}

/// Column names from a `#L` line or the last non-blank header line, when there is one name per
/// column and they are not all numbers.
fn column_names(header: &[&str], width: usize, sep: Separator) -> Option<Vec<String>> {
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

fn uncertainty_column(
    names: Option<&[String]>,
    width: usize,
    format: Format,
    ext: &str,
) -> Option<usize> {
    if width < 3 {
        return None;
    }
    if let Some(n) = names {
        let y = n[1].to_ascii_lowercase();
        let found = (2..width).find(|&c| {
            let l = n[c].to_ascii_lowercase();
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
        });
        if found.is_some() {
            return found;
        }
    }
    // Gudrun's w_int files (and .soq) carry a standard deviation; its diagnostic r-space files
    // (.gofr, .dofr, .mgor01, .mdor01) carry an unrelated third column.
    let gudrun_error = format == Format::Gudrun
        && matches!(
            ext,
            "int01" | "mint01" | "mdcs01" | "mdcsd01" | "mdcsw01" | "dcs01" | "soq"
        );
    (gudrun_error || ext == "xye" || ext == "fxye").then_some(2)
}

fn argmax_x(x: &[f64], y: &[f64]) -> f64 {
    let mut best = (f64::NEG_INFINITY, f64::NAN);
    for (&xi, &yi) in x.iter().zip(y) {
        if yi > best.0 {
            best = (yi, xi);
        }
    }
    best.1
}

fn tail_mean(y: &[f64]) -> f64 {
    let tail = &y[y.len() * 3 / 4..];
    if tail.is_empty() {
        return f64::NAN;
    }
    tail.iter().sum::<f64>() / tail.len() as f64
}

fn looks_like_big_g(y: &[f64]) -> bool {
    let n = y.len();
    if n < 20 {
        return false;
    }
    let min = y.iter().copied().fold(f64::INFINITY, f64::min);
    let tail = &y[n * 3 / 4..];
    let tail_mean = tail.iter().sum::<f64>() / tail.len() as f64;
    min < -0.8 && tail_mean.abs() < 0.3
}

/// Explains why a file has no data block: not a pattern at all, one column, or no rows.
fn no_data_reason(path: &Path, lines: &[&str], from: usize, sep: Separator) -> LoadError {
    let numeric_rows = lines[from..]
        .iter()
        .filter(|l| !text::is_comment(l) && numeric_row_width(l, sep).is_some())
        .count();
    if numeric_rows == 0 {
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
    if let Some((i, l)) = lines
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, l)| !text::is_comment(l) && numeric_row_width(l, sep) == Some(1))
    {
        let _ = l;
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
