//! The data model of a heating series: what was measured, on which axis, at which temperature
//! and where each of those facts came from.
//!
//! A [`HeatingSeries`] holds [`Pattern`]s in acquisition order. Nothing here re-sorts patterns by
//! temperature: cooling segments and repeated temperatures are kept and flagged
//! ([`Segment`], [`Pattern::repeated_temperature`]) because they are part of the experiment.
//!
//! Units: Q in Å⁻¹, r in Å, T in K, time in s. Readers convert Q in nm⁻¹ (×0.1) and 2θ in degrees
//! (Q = 4π sin θ / λ) before a pattern is built; a 2θ pattern without a known wavelength keeps its
//! 2θ axis and says so.
//!
//! The sample's side of a reduction lives in submodules: [`composition`] (formula → atomic
//! fractions, mean atomic mass), [`elements`] (symbols and atomic weights H–U) and [`xray`]
//! (X-ray form factors and Compton scattering functions H–U).

pub mod composition;
pub mod elements;
pub mod hard_spheres;
pub mod xray;

use std::fmt;
use std::path::{Path, PathBuf};

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// What the y column of a pattern holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantity {
    /// Total structure factor S(Q) (dimensionless, → 1 at high Q).
    StructureFactor,
    /// Reduced structure function F(Q) = Q [S(Q) − 1] (Å⁻¹).
    ReducedStructureFunction,
    /// Interference function S(Q) − 1 (dimensionless, → 0 at high Q).
    Interference,
    /// Integrated intensity I(Q) or I(2θ) (arbitrary units).
    Intensity,
    /// Reduced pair distribution function G(r) = 4π r ρ0 [g(r) − 1] (Å⁻²).
    ReducedPdf,
    /// Pair distribution function g(r) (dimensionless, → 1 at large r).
    PairDistribution,
    /// Total correlation function h(r) = g(r) − 1 (Gudrun's `.gofr`/`.mgor01`).
    TotalCorrelation,
    /// Radial distribution function RDF(r) = 4π r² ρ0 g(r) (Å⁻¹).
    RadialDistribution,
    /// Not stated by the file and not overridden by the user.
    Unknown,
}

impl Quantity {
    /// Short label as scientists write it.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::StructureFactor => "S(Q)",
            Quantity::ReducedStructureFunction => "F(Q)",
            Quantity::Interference => "S(Q)-1",
            Quantity::Intensity => "I(Q)",
            Quantity::ReducedPdf => "G(r)",
            Quantity::PairDistribution => "g(r)",
            Quantity::TotalCorrelation => "g(r)-1",
            Quantity::RadialDistribution => "RDF(r)",
            Quantity::Unknown => "unknown",
        }
    }

    /// Whether the quantity lives in real space (its x axis is r).
    pub fn is_real_space(self) -> bool {
        matches!(
            self,
            Quantity::ReducedPdf
                | Quantity::PairDistribution
                | Quantity::TotalCorrelation
                | Quantity::RadialDistribution
        )
    }

    /// Parses the names used on the command line, in header keys and in column labels
    /// (`sq`, `S(Q)`, `fq`, `iq`, `gr`, `G(r)`, `g(r)`, `s-1`, …).
    ///
    /// `gr` in any case is the reduced G(r) (the name PDFgetX3's `outputtype = gr` and
    /// `--quantity gr` use); `g(r)`, `g` and `g_r` are the pair distribution function, and `G(r)`,
    /// `G`, `G_r` the reduced G(r): with the parentheses or alone, the case of the letter decides.
    /// Column labels are read by the header reader, which also reads a lower-case `gr` label
    /// as g(r). Unknown text gives None.
    pub fn parse(text: &str) -> Option<Quantity> {
        let t = text.trim();
        // Case matters for G(r) (reduced PDF) versus g(r) (pair distribution).
        match t {
            "G(r)" | "G" | "Gr" | "G_r" | "D(r)" | "D" => return Some(Quantity::ReducedPdf),
            "g(r)" | "g" | "g_r" => return Some(Quantity::PairDistribution),
            _ => {}
        }
        let l = t.to_ascii_lowercase();
        let q = match l.as_str() {
            "s(q)" | "s" | "sq" | "s_q" | "soq" | "structure-factor" => Quantity::StructureFactor,
            "f(q)" | "f" | "fq" | "f_q" | "q[s(q)-1]" | "q(s(q)-1)" => {
                Quantity::ReducedStructureFunction
            }
            "s(q)-1" | "s-1" | "i(q)=s(q)-1" | "sq-1" | "interference" => Quantity::Interference,
            "i(q)" | "i" | "iq" | "i_q" | "intensity" | "counts" | "i(2th)" => Quantity::Intensity,
            "gr" | "reduced-pdf" | "big-g" => Quantity::ReducedPdf,
            "pdf" | "pair-distribution" => Quantity::PairDistribution,
            "g(r)-1" | "h(r)" | "gr-1" | "total-correlation" => Quantity::TotalCorrelation,
            "rdf" | "rdf(r)" | "radial-distribution" => Quantity::RadialDistribution,
            _ => return None,
        };
        Some(q)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The unit of a pattern's x axis after loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum XUnit {
    /// Q in Å⁻¹ (files in nm⁻¹ or 2θ with a wavelength are converted to this).
    QInvAngstrom,
    /// 2θ in degrees, left unconverted because no wavelength was known.
    TwoThetaDeg,
    /// r in Å.
    RAngstrom,
}

impl XUnit {
    /// Unit text for tables.
    pub fn label(self) -> &'static str {
        match self {
            XUnit::QInvAngstrom => "1/A",
            XUnit::TwoThetaDeg => "2theta_deg",
            XUnit::RAngstrom => "A",
        }
    }
}

impl fmt::Display for XUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a pattern's temperature came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TemperatureSource {
    /// A `key = value` in the file header.
    Header { key: String, line: usize },
    /// A number followed by K or C in the file name (`__210.0K_`, `_350C`, `300K.gr`).
    FileName,
    /// A row of a temperature log CSV (1-based line number in the log).
    Log { path: PathBuf, line: usize },
    /// Interpolated in time from a temperature log.
    LogTime { path: PathBuf },
    /// A linear ramp given by the user.
    Ramp,
    /// The column name of a wide table.
    ColumnName,
    /// Set by the embedded synthetic model.
    Synthetic,
}

impl TemperatureSource {
    /// One word for CSV output (`header`, `filename`, `log`, `log-time`, `ramp`, `column`, `synthetic`).
    pub fn kind(&self) -> &'static str {
        match self {
            TemperatureSource::Header { .. } => "header",
            TemperatureSource::FileName => "filename",
            TemperatureSource::Log { .. } => "log",
            TemperatureSource::LogTime { .. } => "log-time",
            TemperatureSource::Ramp => "ramp",
            TemperatureSource::ColumnName => "column",
            TemperatureSource::Synthetic => "synthetic",
        }
    }
}

impl fmt::Display for TemperatureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemperatureSource::Header { key, line } => write!(f, "header `{key}` (line {line})"),
            TemperatureSource::FileName => f.write_str("file name"),
            TemperatureSource::Log { path, line } => {
                write!(f, "log {}:{line}", file_name(path))
            }
            TemperatureSource::LogTime { path } => {
                write!(f, "log {} (interpolated in time)", file_name(path))
            }
            TemperatureSource::Ramp => f.write_str("ramp"),
            TemperatureSource::ColumnName => f.write_str("column name"),
            TemperatureSource::Synthetic => f.write_str("synthetic model"),
        }
    }
}

/// A temperature in kelvin with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Temperature {
    pub kelvin: f64,
    pub source: TemperatureSource,
}

/// The direction of the temperature program at a pattern, relative to the previous pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Segment {
    /// The first pattern, or a pattern whose neighbour has no temperature.
    Start,
    Heating,
    Cooling,
    /// Same temperature as the previous pattern (within [`TEMPERATURE_TOLERANCE_K`]).
    Hold,
}

/// Two temperatures closer than this are the same temperature (K).
pub const TEMPERATURE_TOLERANCE_K: f64 = 0.01;

/// A problem or decision attached to a file, with the 1-based line it concerns when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// One measured (or synthetic) pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// Position in acquisition order, 0-based.
    pub index: usize,
    /// The file it was read from.
    pub source: PathBuf,
    /// For a wide table: the column this pattern came from.
    pub column: Option<String>,
    /// The file format the reader used (`xy`, `fit2d-chi`, `pdfgetx3`, …).
    pub format: String,
    pub quantity: Quantity,
    pub x_unit: XUnit,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Uncertainty of y when the file has one.
    pub dy: Option<Vec<f64>>,
    pub temperature: Option<Temperature>,
    pub time_s: Option<f64>,
    /// Header `key = value` pairs in file order.
    pub metadata: Vec<(String, String)>,
    /// Problems found while reading (bad rows, suspicious units) — the pattern still loaded.
    pub problems: Vec<Diagnostic>,
    /// Decisions the reader made that a user should be able to see (unit assumed, columns unused).
    pub notes: Vec<String>,
    pub segment: Segment,
    /// True when an earlier pattern of the series has the same temperature.
    pub repeated_temperature: bool,
}

impl Pattern {
    /// The file name (and column, for a wide table) for display.
    pub fn display_name(&self) -> String {
        match &self.column {
            Some(c) => format!("{}[{c}]", file_name(&self.source)),
            None => file_name(&self.source),
        }
    }

    pub fn kelvin(&self) -> Option<f64> {
        self.temperature.as_ref().map(|t| t.kelvin)
    }

    /// First header value whose key matches `key` (ASCII case-insensitive).
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The leading number of the first header value whose key matches `key`.
    pub fn metadata_number(&self, key: &str) -> Option<f64> {
        self.metadata_value(key)
            .and_then(leading_number)
            .map(|(x, _)| x)
    }

    /// (first x, last x); NaN for an empty pattern.
    pub fn x_range(&self) -> (f64, f64) {
        match (self.x.first(), self.x.last()) {
            (Some(a), Some(b)) => (*a, *b),
            _ => (f64::NAN, f64::NAN),
        }
    }
}

#[cfg(test)]
impl Pattern {
    /// An S(Q) pattern on `x` with values `y` and an optional synthetic temperature.
    pub(crate) fn for_test(x: Vec<f64>, y: Vec<f64>, t: Option<f64>) -> Pattern {
        Pattern {
            index: 0,
            source: PathBuf::from("p.xy"),
            column: None,
            format: "xy".into(),
            quantity: Quantity::StructureFactor,
            x_unit: XUnit::QInvAngstrom,
            x,
            y,
            dy: None,
            temperature: t.map(|kelvin| Temperature {
                kelvin,
                source: TemperatureSource::Synthetic,
            }),
            time_s: None,
            metadata: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            segment: Segment::Start,
            repeated_temperature: false,
        }
    }
}

/// What the series' temperature axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemperatureAxis {
    /// Patterns carry temperatures in K.
    Kelvin,
    /// No temperature was found anywhere: the pattern index is the axis.
    Index,
}

/// A heating series: one sample's patterns in acquisition order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatingSeries {
    pub sample: String,
    pub composition: Option<String>,
    pub patterns: Vec<Pattern>,
    pub axis: TemperatureAxis,
    /// Series-level decisions (which temperature source was used and why, grids, order).
    pub notes: Vec<String>,
}

impl HeatingSeries {
    /// Builds a series and flags segments and repeated temperatures.
    pub fn new(
        sample: impl Into<String>,
        composition: Option<String>,
        patterns: Vec<Pattern>,
    ) -> Self {
        let mut series = HeatingSeries {
            sample: sample.into(),
            composition,
            patterns,
            axis: TemperatureAxis::Index,
            notes: Vec::new(),
        };
        series.refresh_flags();
        series
    }

    /// Renumbers patterns, recomputes [`Segment`]s, repeated-temperature flags and the axis.
    /// Call after changing temperatures or the pattern list.
    pub fn refresh_flags(&mut self) {
        let mut seen: Vec<f64> = Vec::new();
        let mut previous: Option<f64> = None;
        for (i, p) in self.patterns.iter_mut().enumerate() {
            p.index = i;
            let t = p.kelvin();
            p.segment = match (previous, t) {
                (Some(a), Some(b)) if (b - a).abs() <= TEMPERATURE_TOLERANCE_K => Segment::Hold,
                (Some(a), Some(b)) if b > a => Segment::Heating,
                (Some(_), Some(_)) => Segment::Cooling,
                _ => Segment::Start,
            };
            p.repeated_temperature = match t {
                Some(b) => seen
                    .iter()
                    .any(|a| (b - a).abs() <= TEMPERATURE_TOLERANCE_K),
                None => false,
            };
            if let Some(b) = t {
                seen.push(b);
            }
            previous = t;
        }
        self.axis = if self.patterns.iter().any(|p| p.temperature.is_some()) {
            TemperatureAxis::Kelvin
        } else {
            TemperatureAxis::Index
        };
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The value each pattern is plotted against: T in K, or the index when the series has no
    /// temperatures (NaN for a pattern without T in a series that has them).
    pub fn axis_values(&self) -> Vec<f64> {
        match self.axis {
            TemperatureAxis::Kelvin => self
                .patterns
                .iter()
                .map(|p| p.kelvin().unwrap_or(f64::NAN))
                .collect(),
            TemperatureAxis::Index => self.patterns.iter().map(|p| p.index as f64).collect(),
        }
    }

    /// (lowest, highest) temperature, or None when no pattern has one.
    pub fn temperature_range(&self) -> Option<(f64, f64)> {
        let mut range: Option<(f64, f64)> = None;
        for t in self.patterns.iter().filter_map(Pattern::kelvin) {
            range = Some(match range {
                None => (t, t),
                Some((lo, hi)) => (lo.min(t), hi.max(t)),
            });
        }
        range
    }

    /// Number of patterns in a cooling segment and number with a repeated temperature.
    pub fn cooling_and_repeated(&self) -> (usize, usize) {
        let cooling = self
            .patterns
            .iter()
            .filter(|p| p.segment == Segment::Cooling)
            .count();
        let repeated = self
            .patterns
            .iter()
            .filter(|p| p.repeated_temperature)
            .count();
        (cooling, repeated)
    }

    /// Whether every pattern has exactly the same x grid.
    pub fn grids_identical(&self) -> bool {
        match self.patterns.first() {
            None => true,
            Some(first) => self
                .patterns
                .iter()
                .all(|p| p.x == first.x && p.x_unit == first.x_unit),
        }
    }

    /// Resamples every pattern onto one grid: `grid` when given, else the first pattern's.
    ///
    /// Linear interpolation between a pattern's own points; outside its x range the value is NaN
    /// (never extrapolated), and [`CommonGrid::outside`] counts those points per pattern.
    /// Patterns whose x unit differs from the first pattern's are all NaN and listed in
    /// [`CommonGrid::unit_mismatch`]. An empty series gives an empty view.
    pub fn common_grid(&self, grid: Option<&[f64]>) -> CommonGrid {
        let x: Vec<f64> = match (grid, self.patterns.first()) {
            (Some(g), _) => g.to_vec(),
            (None, Some(first)) => first.x.clone(),
            (None, None) => Vec::new(),
        };
        let unit = self.patterns.first().map(|p| p.x_unit);
        let mut y = Array2::from_elem((self.patterns.len(), x.len()), f64::NAN);
        let mut differs = Vec::new();
        let mut outside = vec![0usize; self.patterns.len()];
        let mut unit_mismatch = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if Some(p.x_unit) != unit {
                unit_mismatch.push(i);
                outside[i] = x.len();
                continue;
            }
            if p.x != x {
                differs.push(i);
            }
            let mut row = y.row_mut(i);
            let mut out = 0;
            interpolate_into(
                &p.x,
                &p.y,
                &x,
                row.as_slice_mut().unwrap_or(&mut []),
                &mut out,
            );
            outside[i] = out;
        }
        CommonGrid {
            x: Array1::from(x),
            y,
            differs,
            outside,
            unit_mismatch,
        }
    }
}

/// Linear interpolation of (xs, ys) — xs strictly increasing — at each of `at` (sorted or not).
/// Points outside [xs₀, xsₙ] get NaN and are counted in `outside`.
pub fn interpolate_into(xs: &[f64], ys: &[f64], at: &[f64], out: &mut [f64], outside: &mut usize) {
    let n = xs.len().min(ys.len());
    for (o, &q) in out.iter_mut().zip(at) {
        if n == 0 || !(q >= xs[0] && q <= xs[n - 1]) {
            *o = f64::NAN;
            *outside += 1;
            continue;
        }
        // partition_point: first index with xs[j] > q.
        let j = xs[..n].partition_point(|&v| v <= q);
        *o = if j == 0 {
            ys[0]
        } else if j >= n {
            ys[n - 1]
        } else {
            let (x0, x1, y0, y1) = (xs[j - 1], xs[j], ys[j - 1], ys[j]);
            if x1 == x0 {
                y0
            } else {
                y0 + (y1 - y0) * (q - x0) / (x1 - x0)
            }
        };
    }
}

/// A series resampled onto one grid: `y[[pattern, point]]`.
#[derive(Debug, Clone)]
pub struct CommonGrid {
    pub x: Array1<f64>,
    pub y: Array2<f64>,
    /// Patterns whose own grid differed from the common one (so they were interpolated).
    pub differs: Vec<usize>,
    /// Per pattern, how many common-grid points fell outside its x range (NaN there).
    pub outside: Vec<usize>,
    /// Patterns left out (all NaN) because their x unit differs from the first pattern's.
    pub unit_mismatch: Vec<usize>,
}

impl CommonGrid {
    /// A sentence for the user, or None when every pattern was already on the grid.
    pub fn summary(&self) -> Option<String> {
        if self.differs.is_empty() && self.unit_mismatch.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !self.differs.is_empty() {
            let clipped = self.outside.iter().filter(|&&n| n > 0).count();
            parts.push(format!(
                "{} pattern(s) are on a different grid and were interpolated linearly{}",
                self.differs.len(),
                if clipped > 0 {
                    format!("; {clipped} do not cover the whole grid (NaN outside their range)")
                } else {
                    String::new()
                }
            ));
        }
        if !self.unit_mismatch.is_empty() {
            parts.push(format!(
                "{} pattern(s) have a different x unit and were left out",
                self.unit_mismatch.len()
            ));
        }
        Some(parts.join("; "))
    }
}

/// The leading number of a header value and the text after it (`"351.5 K"` → 351.5, `" K"`).
/// None when the value does not start with a number.
pub fn leading_number(value: &str) -> Option<(f64, &str)> {
    let v = value.trim_start();
    let end = v
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || ((c == '-' || c == '+')
                    && (i == 0 || matches!(v.as_bytes()[i - 1], b'e' | b'E')))
                || ((c == 'e' || c == 'E') && i > 0))
        })
        .map_or(v.len(), |(i, _)| i);
    if let Ok(x) = v[..end].parse::<f64>() {
        return Some((x, &v[end..]));
    }
    // "300e" is not an exponent: shrink until it parses (from at most 64 characters, so a long
    // run of digits and dots costs linear time, not quadratic).
    let mut num = &v[..end.min(64)];
    while !num.is_empty() {
        if let Ok(x) = num.parse::<f64>() {
            return Some((x, &v[num.len()..]));
        }
        num = &num[..num.len() - 1];
    }
    None
}

/// The last component of a path as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(x: Vec<f64>, y: Vec<f64>, t: Option<f64>) -> Pattern {
        Pattern::for_test(x, y, t)
    }

    #[test]
    fn segments_and_repeats_are_flagged_in_acquisition_order() {
        let temps = [300.0, 310.0, 320.0, 320.0, 315.0, 310.0, 330.0];
        let patterns = temps
            .iter()
            .map(|&t| pattern(vec![1.0, 2.0], vec![1.0, 1.0], Some(t)))
            .collect();
        let s = HeatingSeries::new("s", None, patterns);
        let seg: Vec<Segment> = s.patterns.iter().map(|p| p.segment).collect();
        use Segment::*;
        assert_eq!(
            seg,
            vec![Start, Heating, Heating, Hold, Cooling, Cooling, Heating]
        );
        let rep: Vec<bool> = s.patterns.iter().map(|p| p.repeated_temperature).collect();
        assert_eq!(rep, vec![false, false, false, true, false, true, false]);
        assert_eq!(s.cooling_and_repeated(), (2, 2));
        assert_eq!(s.patterns[6].index, 6);
        assert_eq!(s.axis, TemperatureAxis::Kelvin);
        assert_eq!(s.temperature_range(), Some((300.0, 330.0)));
    }

    #[test]
    fn series_without_temperatures_uses_index_axis() {
        let patterns = (0..3)
            .map(|_| pattern(vec![1.0, 2.0], vec![1.0, 1.0], None))
            .collect();
        let s = HeatingSeries::new("s", None, patterns);
        assert_eq!(s.axis, TemperatureAxis::Index);
        assert_eq!(s.axis_values(), vec![0.0, 1.0, 2.0]);
    }

    #[test]
    fn common_grid_interpolates_and_marks_outside_points() {
        let a = pattern(
            vec![1.0, 2.0, 3.0, 4.0],
            vec![10.0, 20.0, 30.0, 40.0],
            Some(300.0),
        );
        let b = pattern(vec![1.5, 2.5, 3.5], vec![0.0, 1.0, 2.0], Some(310.0));
        let s = HeatingSeries::new("s", None, vec![a, b]);
        assert!(!s.grids_identical());
        let g = s.common_grid(None);
        assert_eq!(g.x.to_vec(), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(g.y.row(0).to_vec(), vec![10.0, 20.0, 30.0, 40.0]);
        let r1 = g.y.row(1).to_vec();
        assert!(r1[0].is_nan() && r1[3].is_nan());
        assert!((r1[1] - 0.5).abs() < 1e-12 && (r1[2] - 1.5).abs() < 1e-12);
        assert_eq!(g.differs, vec![1]);
        assert_eq!(g.outside, vec![0, 2]);
        let text = g.summary().unwrap_or_default();
        assert!(
            text.contains("1 pattern(s) are on a different grid"),
            "{text}"
        );

        let user = s.common_grid(Some(&[2.0, 3.0]));
        assert_eq!(user.y.row(0).to_vec(), vec![20.0, 30.0]);
        assert_eq!(user.differs, vec![0, 1]);
    }

    #[test]
    fn quantity_parse_keeps_case_of_g() {
        assert_eq!(Quantity::parse("G(r)"), Some(Quantity::ReducedPdf));
        assert_eq!(Quantity::parse("g(r)"), Some(Quantity::PairDistribution));
        assert_eq!(Quantity::parse("S(Q)"), Some(Quantity::StructureFactor));
        assert_eq!(
            Quantity::parse("fq"),
            Some(Quantity::ReducedStructureFunction)
        );
        assert_eq!(Quantity::parse("I"), Some(Quantity::Intensity));
        assert_eq!(Quantity::parse("banana"), None);
    }

    #[test]
    fn gr_in_any_case_is_the_reduced_pdf() {
        for t in ["gr", "Gr", "GR", " gr "] {
            assert_eq!(Quantity::parse(t), Some(Quantity::ReducedPdf), "{t}");
        }
        assert_eq!(Quantity::parse("g_r"), Some(Quantity::PairDistribution));
        assert_eq!(Quantity::parse("g"), Some(Quantity::PairDistribution));
    }
}
