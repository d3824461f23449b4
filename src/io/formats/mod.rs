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
//!
//! Layout of this module. Each family of formats is one file (`columns.rs`, `fit2d.rs`,
//! `pyfai.rs`, `pdfget.rs`, `gudrun.rs`, `liquiddiffract.rs`, `gsas.rs`, `wide_table.rs`) that
//! implements the `Family` trait below: how the family is recognised and what it changes in
//! the common reading steps. Detection asks the families in a fixed order (PDFget, GSAS, Fit2D,
//! LiquidDiffract, Gudrun, pyFAI, columns) and takes the first that claims the file; a
//! `columns` file whose column names are temperatures becomes a `wide-table` once its names are
//! read. [`read_bytes`] then runs the same steps for every file: locate the data block and read
//! the header above it (`block.rs`); decide the quantity and the x unit, convert the x axis and
//! check that the result is plausible (`axis.rs`); choose the columns, drop bad rows, enforce a
//! monotonic x and build the pattern(s) (`rows.rs`).

mod axis;
mod block;
mod columns;
mod fit2d;
mod gsas;
mod gudrun;
mod infer;
mod liquiddiffract;
mod pdfget;
mod pyfai;
mod rows;
mod wide_table;

pub(crate) use infer::{INFERRED_NOTE, UNSTATED_NOTE};

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::LoadError;
use super::header::XLabel;
use super::text::{self, Table};
use crate::model::{Diagnostic, Pattern, Quantity};

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

/// What format detection sees of a file.
struct Probe<'a> {
    /// Lower-case extension (empty when none).
    ext: &'a str,
    lines: &'a [&'a str],
    /// The lines above the `#### start data` marker, else the first 200 lines.
    head: &'a [&'a str],
    /// The `#### start data` marker line (0-based).
    marker: Option<usize>,
}

impl Probe<'_> {
    /// Whether a head line contains `needle`.
    fn any(&self, needle: &str) -> bool {
        self.head.iter().any(|l| l.contains(needle))
    }
}

/// Where the search for a file's data block starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Anchor {
    /// First line (0-based) searched for the data block.
    from: usize,
    /// The line (0-based) that announced the block (PDFget marker, GSAS `BANK`), if any.
    line: Option<usize>,
}

/// Axis labels written on fixed header lines rather than as column names (Fit2D).
#[derive(Debug, Clone, PartialEq)]
struct FixedLabels {
    x: String,
    y: String,
    /// 1-based line of the x label (where axis problems are reported).
    x_line: usize,
    /// How many lines at the top are fixed (they hold no `key = value` entries).
    lines: usize,
}

/// The columns a pattern is read from (0-based; x is column 0).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ColumnChoice {
    y: Vec<usize>,
    dy: Option<usize>,
}

/// The problems and notes collected while reading, in the order they were found.
#[derive(Debug, Default)]
struct Report {
    problems: Vec<Diagnostic>,
    notes: Vec<String>,
}

/// One family of formats: how it is recognised and what it changes in the common reading steps.
/// Every method but `detect` has the rule of the plain `columns` layout as its default.
trait Family {
    /// The format of the file when it belongs to this family (the family picks its variant).
    fn detect(&self, probe: &Probe) -> Option<Format>;

    /// Where the data block search starts: below the `#### start data` marker when there is one.
    fn anchor(&self, _lines: &[&str], marker: Option<usize>) -> Anchor {
        Anchor {
            from: marker.map_or(0, |m| m + 1),
            line: marker,
        }
    }

    /// Axis labels on fixed header lines, when the family has them.
    fn fixed_labels(&self, _lines: &[&str]) -> Option<FixedLabels> {
        None
    }

    /// Whether numeric rows read as header above the data block are reported.
    fn reports_stray_rows(&self) -> bool {
        true
    }

    /// Checks of the data rows against the header (a declared point count).
    fn check_rows(&self, _path: &Path, _lines: &[&str], _table: &Table) -> Option<Diagnostic> {
        None
    }

    /// The quantity when neither the user, the y label nor the header states it.
    fn default_quantity(&self, ext: &str) -> Option<Quantity> {
        quantity_from_extension(ext)
    }

    /// The x unit when neither the user nor the x label states it.
    fn default_x_unit(&self, _quantity: Quantity) -> Option<XLabel> {
        None
    }

    /// Whether a third column is an uncertainty without being named so.
    fn implies_uncertainty(&self, ext: &str) -> bool {
        columns::xye_uncertainty(ext)
    }

    /// The y column(s) and the uncertainty column.
    fn columns(&self, names: Option<&[String]>, width: usize, ext: &str) -> ColumnChoice {
        ColumnChoice {
            y: vec![1],
            dy: columns::uncertainty_column(names, width, self.implies_uncertainty(ext)),
        }
    }

    /// Marks rows to drop beyond those with non-finite values (Gudrun's zero padding).
    fn drop_rows(
        &self,
        _table: &Table,
        _columns: &ColumnChoice,
        _keep: &mut [bool],
        _notes: &mut Vec<String>,
    ) {
    }

    /// Adjusts x before the unit conversion (GSAS FXYE centidegrees).
    fn post_process_x(&self, _x: &mut [f64], _anchor: Anchor, _notes: &mut Vec<String>) {}

    /// Whether each y column is a pattern of its own (a wide table).
    fn pattern_per_column(&self) -> bool {
        false
    }
}

/// The families in detection order: the first that claims a file decides its format.
const DETECTION_ORDER: [&dyn Family; 7] = [
    &pdfget::PDFGET_X3,
    &gsas::Gsas,
    &fit2d::Fit2d,
    &liquiddiffract::LiquidDiffract,
    &gudrun::Gudrun,
    &pyfai::Pyfai,
    &columns::Columns,
];

/// The family whose rules read `format`.
fn family(format: Format) -> &'static dyn Family {
    match format {
        Format::Columns => &columns::Columns,
        Format::Fit2dChi => &fit2d::Fit2d,
        Format::Pyfai => &pyfai::Pyfai,
        Format::PdfGetX3 => &pdfget::PDFGET_X3,
        Format::PdfGetX2 => &pdfget::PDFGET_X2,
        Format::PdfGetN => &pdfget::PDFGET_N,
        Format::Gudrun => &gudrun::Gudrun,
        Format::LiquidDiffract => &liquiddiffract::LiquidDiffract,
        Format::Gsas => &gsas::Gsas,
        Format::WideTable => &wide_table::WideTable,
    }
}

fn detect(path: &Path, lines: &[&str], marker: Option<usize>) -> Format {
    let ext = extension(path);
    let head_end = marker.unwrap_or(lines.len().min(200));
    let probe = Probe {
        ext: &ext,
        lines,
        head: &lines[..head_end.min(lines.len())],
        marker,
    };
    DETECTION_ORDER
        .iter()
        .find_map(|f| f.detect(&probe))
        .unwrap_or(Format::Columns)
}

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

/// 1-based line numbers for a message: all of them up to six, else the first two and the last.
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

/// Reads a pattern file from disk, refusing files over [`super::DEFAULT_MAX_FILE_BYTES`].
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<FileData, LoadError> {
    read_file_limited(path, opts, super::DEFAULT_MAX_FILE_BYTES)
}

/// Reads a pattern file from disk after checking what it is: a FIFO, a device, a socket or a
/// folder is refused without being opened, and so is a file of more than `max_bytes` bytes.
pub fn read_file_limited(
    path: &Path,
    opts: &ReadOptions,
    max_bytes: u64,
) -> Result<FileData, LoadError> {
    let bytes = super::read_regular_file(path, max_bytes)?;
    read_bytes(path, &bytes, opts)
}

/// Reads a pattern from bytes (`path` names it in messages and gives the extension and the file
/// name temperature). Never panics, whatever the bytes.
pub fn read_bytes(path: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<FileData, LoadError> {
    let (text, decoded) = text::decode_text(bytes).map_err(|reason| invalid(path, reason))?;
    let ends_with_newline = text.ends_with('\n') || text.ends_with('\r');
    let lines = text::split_lines(&text);
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(invalid(path, "empty file (no text)"));
    }
    let marker = lines.iter().position(|l| pdfget::is_marker(l));
    let format = opts.format.unwrap_or_else(|| detect(path, &lines, marker));
    let block = block::locate(path, &lines, family(format), marker)?;

    let mut report = Report::default();
    let header = block::read_header(path, &lines, &block, family(format), &mut report.problems);
    let table = block::read_table(
        path,
        &lines,
        &block,
        ends_with_newline,
        family(format),
        &mut report.problems,
    );

    let temperatures = wide_table::column_temperatures(header.names.as_deref());
    let format = match opts.format {
        None => wide_table::promote(format, temperatures.as_deref(), block.width),
        Some(_) => format,
    };
    let family = family(format);
    let ext = extension(path);

    report.notes.extend(decoded);
    let mut quantity = axis::decide_quantity(
        opts.quantity,
        header.y_label.as_deref(),
        &header.entries,
        family.default_quantity(&ext),
    );
    let columns = rows::choose_columns(
        family,
        header.names.as_deref(),
        block.width,
        &ext,
        &mut report.notes,
    );
    let keep = rows::drop_bad_rows(path, &table, &columns, family, &mut report);
    let mut data = rows::usable_rows(path, &table, &columns, &keep)?;
    rows::enforce_monotonic(path, &mut data, &mut report.notes)?;
    family.post_process_x(&mut data.x, block.anchor, &mut report.notes);
    if quantity.source == axis::QuantitySource::Unstated {
        quantity = axis::infer_quantity(&data, header.x_label.as_deref(), &mut report.notes);
    }
    let x_axis = axis::decide_x_unit(
        opts,
        header.x_label.as_deref(),
        &header.entries,
        family.default_x_unit(quantity.quantity),
        quantity.quantity,
        &mut report.notes,
    );
    let x_unit = axis::convert_units(path, &mut data.x, &x_axis, header.label_line, &mut report);
    let quantity = axis::check_plausibility(
        path,
        &data,
        &quantity,
        &x_axis,
        x_unit,
        header.label_line,
        &mut report.problems,
    );

    let shape = rows::Shape {
        format,
        quantity,
        x_unit,
        per_column: family.pattern_per_column(),
    };
    let facts = rows::header_facts(path, &header.entries);
    Ok(rows::build_file_data(
        path,
        shape,
        data,
        header.names,
        temperatures,
        facts,
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::XUnit;

    fn detect_text(name: &str, text: &str) -> Format {
        let lines = text::split_lines(text);
        let marker = lines.iter().position(|l| pdfget::is_marker(l));
        detect(Path::new(name), &lines, marker)
    }

    const ROWS: &str = "1 2\n2 3\n3 4\n4 5\n5 6\n";

    #[test]
    fn detection_order_is_pdfget_gsas_fit2d_liquiddiffract_gudrun_pyfai_columns() {
        // Each line claims a later family too; the earlier one wins.
        let marker = format!("# pyFAI\nBANK 1 5 5 CONS\n#### start data\n{ROWS}");
        assert_eq!(detect_text("a.chi", &marker), Format::PdfGetX3);
        let bank = format!("title\nx label\ny label\n5\nBANK 1 5 5\n# LiquidDiffract\n{ROWS}");
        assert_eq!(detect_text("a.chi", &bank), Format::Gsas);
        let chi = format!("title\nQ (Inverse Nanometres)\nI\n5\n# LiquidDiffract\n{ROWS}");
        assert_eq!(detect_text("a.chi", &chi), Format::Fit2dChi);
        let ld = format!("#LiquidDiffract v1\n#Q|S(Q)\n{ROWS}");
        assert_eq!(detect_text("a.soq", &ld), Format::LiquidDiffract);
        let gudrun = format!("# pyFAI\n{ROWS}");
        assert_eq!(detect_text("a.mint01", &gudrun), Format::Gudrun);
        assert_eq!(detect_text("a.xy", &gudrun), Format::Pyfai);
        assert_eq!(detect_text("a.xy", ROWS), Format::Columns);
    }

    #[test]
    fn detection_never_yields_a_wide_table() {
        let wide = format!("Q 300K 400K\n{}", "1 2 3\n".repeat(5));
        assert_eq!(detect_text("a.dat", &wide), Format::Columns);
        assert_eq!(
            wide_table::WideTable.detect(&Probe {
                ext: "dat",
                lines: &[],
                head: &[],
                marker: None,
            }),
            None
        );
    }

    #[test]
    fn every_format_has_its_family() {
        for f in Format::ALL {
            let fam = family(f);
            assert_eq!(fam.pattern_per_column(), f == Format::WideTable, "{f:?}");
            assert_eq!(
                fam.reports_stray_rows(),
                !matches!(f, Format::PdfGetX2 | Format::PdfGetN),
                "{f:?}"
            );
            assert_eq!(
                fam.default_quantity("dat"),
                matches!(f, Format::Pyfai | Format::Fit2dChi | Format::Gsas)
                    .then_some(Quantity::Intensity),
                "{f:?}"
            );
        }
    }

    #[test]
    fn format_names_parse_back() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!(" Wide-Table ".parse::<Format>().is_ok());
        let e = "xyz".parse::<Format>().expect_err("unknown");
        assert!(
            e.starts_with("unknown format `xyz` (one of: columns, fit2d-chi"),
            "{e}"
        );
        assert_eq!("Q-NM".parse::<XUnitOverride>(), Ok(XUnitOverride::QInvNm));
        assert!("furlong".parse::<XUnitOverride>().is_err());
    }

    #[test]
    fn quantity_from_extension_covers_pdfget_and_gudrun() {
        assert_eq!(quantity_from_extension("iq"), Some(Quantity::Intensity));
        assert_eq!(
            quantity_from_extension("soq"),
            Some(Quantity::StructureFactor)
        );
        assert_eq!(
            quantity_from_extension("mgor01"),
            Some(Quantity::TotalCorrelation)
        );
        assert_eq!(quantity_from_extension("gud"), None);
        assert_eq!(extension(Path::new("A.SQ")), "sq");
        assert_eq!(extension(Path::new("noext")), "");
    }

    #[test]
    fn list_lines_shortens_long_lists() {
        assert_eq!(list_lines(&[3, 4, 9]), "3, 4, 9");
        assert_eq!(list_lines(&[1, 2, 3, 4, 5, 6, 7]), "1, 2, … 7");
    }

    #[test]
    fn read_bytes_runs_every_step() {
        let text = "# wavelength = 0.5\n# T = 300 K\n2theta I\n\
                    10 1\n20 2\n30 nan\n40 4\n50 5\n60 6\n";
        let fd = read_bytes(
            Path::new("s_400K.xy"),
            text.as_bytes(),
            &ReadOptions::default(),
        )
        .expect("reads");
        let p = &fd.patterns[0];
        assert_eq!(
            (p.format.as_str(), p.x_unit),
            ("columns", XUnit::QInvAngstrom)
        );
        assert_eq!(p.x.len(), 5);
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].line, Some(6));
        assert_eq!(
            p.notes,
            vec!["2θ converted to Q with λ = 0.5 Å (header)".to_string()]
        );
        assert_eq!(fd.header_temperature.as_ref().map(|t| t.0), Some(300.0));
        assert_eq!(fd.file_name_temperature, Some(400.0));
    }

    #[test]
    fn read_bytes_errors() {
        let read = |t: &str| read_bytes(Path::new("e.xy"), t.as_bytes(), &ReadOptions::default());
        assert!(
            matches!(read(" \n\n"), Err(LoadError::Invalid { reason, .. }) if reason == "empty file (no text)")
        );
        assert!(matches!(
            read("1 2\n1 3\n2 4\n3 5\n4 6\n"),
            Err(LoadError::Parse { line: 2, .. })
        ));
        assert!(matches!(
            read("1 2\n2 nan\n"),
            Err(LoadError::Invalid { .. })
        ));
    }

    #[test]
    fn a_forced_format_is_not_promoted_to_a_wide_table() {
        let wide = format!("Q 300K 400K\n{}", "1 2 3\n2 3 4\n3 4 5\n4 5 6\n5 6 7\n");
        let fd = read_bytes(Path::new("w.dat"), wide.as_bytes(), &ReadOptions::default())
            .expect("reads");
        assert_eq!(fd.patterns.len(), 2);
        assert_eq!(fd.patterns[1].column.as_deref(), Some("400K"));
        let opts = ReadOptions {
            format: Some(Format::Columns),
            ..Default::default()
        };
        let fd = read_bytes(Path::new("w.dat"), wide.as_bytes(), &opts).expect("reads");
        assert_eq!(fd.patterns.len(), 1);
        assert_eq!(fd.patterns[0].format, "columns");
    }
}
