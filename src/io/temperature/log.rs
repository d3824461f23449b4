//! The temperature log: a CSV mapping a file, an index or a time to a temperature.
//!
//! Recognised by its column names: a temperature (`T_K`, `T_C`, `temperature`, …) and a file
//! (`filename`), an index or a time (`time_s`, `time_min`). Rows are matched by file name (exact,
//! then by stem), else by index, else T is interpolated in time.
//!
//! What a log can get wrong, and what is said:
//! - a row whose temperature is not a number, or is outside 1–5000 K, is skipped with a problem
//!   naming its line; so is a row whose index is not a whole number;
//! - a kelvin column whose values (those up to 5000) all lie between −50 and 400 and start near room temperature
//!   (15–35) looks like °C: a problem says so (the values are kept);
//! - a line with an unterminated quote would swallow the rows below it: its quotes are dropped
//!   and a problem names the line;
//! - a file name or an index listed twice: the first row is used and a problem names both lines;
//! - indices are 0-based unless no row (even a skipped one) has index 0 and the numbering starts
//!   at 1 or ends at the number of rows: then 1-based; [`TemperatureLog::index_base`] says why.
//!
//! Empty logs or logs without such columns are errors (`LoadError::Invalid`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::super::LoadError;
use super::super::header;
use crate::model::{Diagnostic, file_name};

/// One usable row of a temperature log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub line: usize,
    pub index: Option<usize>,
    pub file: Option<String>,
    pub time_s: Option<f64>,
    pub kelvin: f64,
}

/// A temperature log: rows mapping a file, an index or a time to a temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct TemperatureLog {
    pub path: PathBuf,
    pub rows: Vec<LogRow>,
    /// Rows that could not be used, with their line.
    pub problems: Vec<Diagnostic>,
    pub one_based: bool,
    /// Why the indices were taken as 0- or 1-based (None without an index column).
    pub index_base: Option<String>,
    by_file: HashMap<String, usize>,
    by_stem: HashMap<String, usize>,
    by_index: HashMap<usize, usize>,
}

/// Which columns of a CSV make it a temperature log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogColumns {
    pub index: Option<usize>,
    pub file: Option<usize>,
    pub time: Option<(usize, f64)>,
    pub temperature: (usize, header::TempUnit),
}

/// Recognises log columns from a CSV header: a temperature column and one of file, index, time.
pub fn log_columns(names: &[String]) -> Option<LogColumns> {
    let mut cols = LogColumns {
        index: None,
        file: None,
        time: None,
        temperature: (usize::MAX, header::TempUnit::Kelvin),
    };
    for (i, raw) in names.iter().enumerate() {
        let n = raw.trim();
        let l = n.to_ascii_lowercase();
        if let Some(unit) = header::temperature_key(n) {
            if cols.temperature.0 == usize::MAX {
                cols.temperature = (i, unit.unwrap_or(header::TempUnit::Kelvin));
            }
            continue;
        }
        match l.as_str() {
            "index" | "idx" | "pattern" | "frame" | "scan" | "n" | "#" | "i" => {
                cols.index.get_or_insert(i);
            }
            "filename" | "file" | "file_name" | "name" | "path" | "pattern_file" => {
                cols.file.get_or_insert(i);
            }
            "time_s" | "time" | "t_s" | "elapsed" | "elapsed_s" | "time (s)" | "seconds" | "t" => {
                cols.time.get_or_insert((i, 1.0));
            }
            "time_min" | "time (min)" | "elapsed_min" => {
                cols.time.get_or_insert((i, 60.0));
            }
            _ => {}
        }
    }
    let has_key = cols.index.is_some() || cols.file.is_some() || cols.time.is_some();
    (cols.temperature.0 != usize::MAX && has_key).then_some(cols)
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let first = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.starts_with(b"#"))
        .unwrap_or(b"");
    let delimiter = if first.contains(&b';') {
        b';'
    } else if first.contains(&b'\t') && !first.contains(&b',') {
        b'\t'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(bytes)
}

/// Bytes read from the start of a CSV to tell whether it is a temperature log.
const LOG_PROBE_BYTES: u64 = 65_536;

/// Whether a CSV file's header makes it a temperature log (used to recognise logs in folders).
/// Only regular files are opened, and only their first 64 kB are read.
pub fn is_log_file(path: &Path) -> bool {
    use std::io::Read;
    if super::super::check_regular_file(path, u64::MAX).is_err() {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut bytes = Vec::new();
    if file.take(LOG_PROBE_BYTES).read_to_end(&mut bytes).is_err() {
        return false;
    }
    let mut rdr = csv_reader(&bytes);
    let Ok(h) = rdr.headers() else { return false };
    let names: Vec<String> = h.iter().map(str::to_string).collect();
    log_columns(&names).is_some()
}

/// Reads a temperature log CSV.
pub fn read_log(path: &Path) -> Result<TemperatureLog, LoadError> {
    read_log_limited(path, super::super::DEFAULT_MAX_FILE_BYTES)
}

/// Reads a temperature log CSV of at most `max_bytes` bytes (FIFOs and devices are refused).
pub fn read_log_limited(path: &Path, max_bytes: u64) -> Result<TemperatureLog, LoadError> {
    let bytes = super::super::read_regular_file(path, max_bytes)?;
    parse_log(path, &bytes)
}

/// Parses temperature log bytes (`path` names it in messages).
pub fn parse_log(path: &Path, bytes: &[u8]) -> Result<TemperatureLog, LoadError> {
    let invalid = |reason: String| LoadError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let mut problems = Vec::new();
    let cleaned = drop_unterminated_quotes(path, bytes, &mut problems);
    let mut rdr = csv_reader(&cleaned);
    let names: Vec<String> = rdr
        .headers()
        .map_err(|e| invalid(format!("not a CSV temperature log: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let cols = log_columns(&names).ok_or_else(|| {
        invalid(format!(
            "temperature log needs a temperature column (T_K, T_C, temperature) and a file, index or time column; found columns: {}",
            names.join(", ")
        ))
    })?;
    let mut seen = Seen::default();
    let mut rows = Vec::new();
    for record in rdr.records() {
        match record {
            Ok(r) => rows.extend(read_row(path, &r, &cols, &mut seen, &mut problems)),
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(Diagnostic::new(path, line, format!("unreadable row: {e}")));
            }
        }
    }
    if rows.is_empty() {
        return Err(invalid("temperature log has no usable rows".into()));
    }
    problems.extend(celsius_in_kelvin(path, &names, &cols, &seen));
    let (one_based, index_base) = index_base(&seen);
    let mut log = TemperatureLog {
        path: path.to_path_buf(),
        rows,
        problems,
        one_based,
        index_base,
        by_file: HashMap::new(),
        by_stem: HashMap::new(),
        by_index: HashMap::new(),
    };
    log.index_rows();
    Ok(log)
}

/// What the rows held, usable or not: the basis of the index and unit checks.
#[derive(Debug, Default)]
struct Seen {
    /// Every whole-number index, from every row (also rows skipped for their temperature).
    indices: Vec<usize>,
    /// Data records read.
    records: usize,
    /// Every temperature as read (kelvin when the column says so), from every row.
    values: Vec<f64>,
}

/// Drops the quotes of any line with an odd number of `"`: the CSV reader would otherwise read
/// every row below it into one field. Each such line is a problem.
fn drop_unterminated_quotes<'a>(
    path: &Path,
    bytes: &'a [u8],
    problems: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, [u8]> {
    let odd = |l: &[u8]| l.iter().filter(|&&b| b == b'"').count() % 2 == 1;
    if !bytes.split(|&b| b == b'\n').any(odd) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    for (i, l) in bytes.split(|&b| b == b'\n').enumerate() {
        if odd(l) {
            problems.push(Diagnostic::new(
                path,
                Some(i + 1),
                "unterminated quote: the quotes on this line are ignored so the rows below it are still read",
            ));
            out.extend(l.iter().filter(|&&b| b != b'"'));
        } else {
            out.extend_from_slice(l);
        }
        out.push(b'\n');
    }
    std::borrow::Cow::Owned(out)
}

/// One record as a row, or None (with a problem) when it cannot be used.
fn read_row(
    path: &Path,
    record: &csv::StringRecord,
    cols: &LogColumns,
    seen: &mut Seen,
    problems: &mut Vec<Diagnostic>,
) -> Option<LogRow> {
    seen.records += 1;
    let line = record.position().map_or(0, |p| p.line() as usize);
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    let mut problem = |message: String| problems.push(Diagnostic::new(path, Some(line), message));
    let index = match cols.index.map(|c| field(c).parse::<usize>()) {
        Some(Ok(i)) => {
            seen.indices.push(i);
            Some(i)
        }
        Some(Err(_)) => {
            let c = cols.index.unwrap_or(0);
            problem(format!(
                "index `{}` is not a whole number: row skipped",
                field(c)
            ));
            return None;
        }
        None => None,
    };
    let t_text = field(cols.temperature.0);
    let kelvin = header::temperature_value(t_text, Some(cols.temperature.1));
    let as_read = header::leading_number(t_text).map(|(x, _)| match cols.temperature.1 {
        header::TempUnit::Kelvin => x,
        header::TempUnit::Celsius => x + 273.15,
    });
    seen.values.extend(as_read);
    let kelvin = match (kelvin, as_read) {
        (Some(k), _) if (MIN_KELVIN..=MAX_KELVIN).contains(&k) => k,
        (_, Some(k)) => {
            problem(format!(
                "temperature `{t_text}` ({k} K) is outside {MIN_KELVIN}–{MAX_KELVIN} K: row skipped"
            ));
            return None;
        }
        (_, None) => {
            problem(format!(
                "temperature `{t_text}` is not a number: row skipped"
            ));
            return None;
        }
    };
    let time_s = match cols.time {
        Some((c, scale)) if !field(c).is_empty() => match field(c).parse::<f64>() {
            Ok(t) if t.is_finite() => Some(t * scale),
            _ => {
                problem(format!("time `{}` is not a number: time ignored", field(c)));
                None
            }
        },
        _ => None,
    };
    let file = cols
        .file
        .map(|c| field(c).to_string())
        .filter(|f| !f.is_empty());
    Some(LogRow {
        line,
        index,
        file,
        time_s,
        kelvin,
    })
}

/// Temperatures a log may hold (K); a value outside is skipped with a problem.
pub const MIN_KELVIN: f64 = 1.0;
pub const MAX_KELVIN: f64 = 5000.0;

/// A kelvin column whose values look like °C: all within −50…400 and a first value of 15–35.
fn celsius_in_kelvin(
    path: &Path,
    names: &[String],
    cols: &LogColumns,
    seen: &Seen,
) -> Option<Diagnostic> {
    // Values above the kelvin range are already problems of their own: they do not hide °C.
    let v: Vec<f64> = seen
        .values
        .iter()
        .copied()
        .filter(|&x| x <= MAX_KELVIN)
        .collect();
    let first = *v.first()?;
    let (lo, hi) = v
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let looks_celsius = cols.temperature.1 == header::TempUnit::Kelvin
        && v.len() >= 3
        && lo >= -50.0
        && hi <= 400.0
        && (15.0..=35.0).contains(&first);
    let name = names.get(cols.temperature.0).map_or("", String::as_str);
    looks_celsius.then(|| {
        Diagnostic::new(
            path,
            Some(1),
            format!(
                "column `{name}` is read as kelvin but its values run {lo}–{hi} from a start of {first}, like °C from room temperature: check the unit (a column named T_C is converted)"
            ),
        )
    })
}

/// Whether indices are 1-based, decided on every index the log holds, and the sentence why.
fn index_base(seen: &Seen) -> (bool, Option<String>) {
    let ix = &seen.indices;
    let (Some(&min), Some(&max)) = (ix.iter().min(), ix.iter().max()) else {
        return (false, None);
    };
    if min == 0 {
        return (false, Some("indices include 0: taken as 0-based".into()));
    }
    if min == 1 || max == seen.records {
        return (
            true,
            Some(format!(
                "indices run {min}..{max} over {} row(s) with no 0: taken as 1-based",
                seen.records
            )),
        );
    }
    (
        false,
        Some(format!(
            "indices run {min}..{max} over {} row(s) (no 0, not starting at 1 nor ending at the row count): taken as 0-based",
            seen.records
        )),
    )
}

impl TemperatureLog {
    /// Builds the look-ups; a file name or an index listed twice is a problem (the first row
    /// is used).
    fn index_rows(&mut self) {
        let mut twice = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            if let Some(f) = &r.file {
                let name = file_name(Path::new(f));
                let stem = Path::new(&name)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if let Some(&first) = self.by_file.get(&name) {
                    twice.push((r.line, format!("file `{name}`"), self.rows[first].line));
                }
                self.by_file.entry(name).or_insert(i);
                self.by_stem.entry(stem).or_insert(i);
            }
            if let Some(ix) = r.index {
                let key = if self.one_based {
                    ix.saturating_sub(1)
                } else {
                    ix
                };
                if let Some(&first) = self.by_index.get(&key) {
                    twice.push((r.line, format!("index {ix}"), self.rows[first].line));
                }
                self.by_index.entry(key).or_insert(i);
            }
        }
        for (line, what, first) in twice {
            self.problems.push(Diagnostic::new(
                &self.path,
                Some(line),
                format!("{what} is listed again (first on line {first}): the first row is used"),
            ));
        }
    }

    pub(super) fn has_files(&self) -> bool {
        !self.by_file.is_empty()
    }

    pub(super) fn has_indices(&self) -> bool {
        !self.by_index.is_empty()
    }

    pub(super) fn has_times(&self) -> bool {
        self.rows.iter().filter(|r| r.time_s.is_some()).count() >= 2
    }

    /// The row for a pattern file (by name), or for its position in the listing (0-based, not
    /// renumbered after skipped files) when the log has no file column.
    pub(super) fn row_for(&self, source: &Path, position: usize) -> Option<&LogRow> {
        if self.has_files() {
            let name = file_name(source);
            let stem = source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let i = self
                .by_file
                .get(&name)
                .or_else(|| self.by_stem.get(&stem))?;
            return self.rows.get(*i);
        }
        if !self.by_index.is_empty() {
            return self.by_index.get(&position).and_then(|&i| self.rows.get(i));
        }
        None
    }

    /// T at a time by linear interpolation between log rows (None outside the logged range).
    pub fn kelvin_at_time(&self, t: f64) -> Option<f64> {
        let mut pts: Vec<(f64, f64)> = self
            .rows
            .iter()
            .filter_map(|r| r.time_s.map(|ts| (ts, r.kelvin)))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let mut out = [f64::NAN];
        let mut outside = 0;
        crate::model::interpolate_into(&xs, &ys, &[t], &mut out, &mut outside);
        out[0].is_finite().then_some(out[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_columns_are_recognised() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let c = log_columns(&names(&["index", "filename", "T_K", "time_s"])).unwrap();
        assert_eq!((c.index, c.file, c.temperature.0), (Some(0), Some(1), 2));
        assert_eq!(c.time, Some((3, 1.0)));
        let c = log_columns(&names(&["time_min", "T_C"])).unwrap();
        assert_eq!(c.temperature.1, header::TempUnit::Celsius);
        assert!(log_columns(&names(&["Q", "300K", "310K"])).is_none());
        assert!(log_columns(&names(&["T_K"])).is_none());
    }

    #[test]
    fn log_parse_reports_bad_rows_and_detects_one_based_indices() {
        let text = b"index,T_C\n1,25\n2,abc\n3,27\n";
        let log = parse_log(Path::new("log.csv"), text).unwrap();
        assert_eq!(log.rows.len(), 2);
        assert!((log.rows[0].kelvin - 298.15).abs() < 1e-9);
        assert_eq!(log.problems.len(), 1);
        assert_eq!(log.problems[0].line, Some(3));
        assert!(log.problems[0].message.contains("`abc`"));
        // Decided on every row: 1..3 over 3 rows, though row 2 is skipped.
        assert!(log.one_based);
        assert_eq!(
            log.index_base.as_deref(),
            Some("indices run 1..3 over 3 row(s) with no 0: taken as 1-based")
        );
        let log = parse_log(Path::new("l.csv"), b"index,T_K\n1,300\n2,301\n").unwrap();
        assert!(log.one_based);
    }

    #[test]
    fn one_bad_row_does_not_flip_the_index_base() {
        // Row 1 has an unreadable index; the rest run 2..4 of 4 rows: still 1-based.
        let text = b"index,T_K\nx,300\n2,301\n3,302\n4,303\n";
        let log = parse_log(Path::new("l.csv"), text).expect("log");
        assert!(log.one_based, "{:?}", log.index_base);
        let log = parse_log(Path::new("l.csv"), b"index,T_K\n0,300\n1,301\n2,abc\n").expect("log");
        assert!(!log.one_based);
        assert_eq!(
            log.index_base.as_deref(),
            Some("indices include 0: taken as 0-based")
        );
    }

    #[test]
    fn out_of_range_and_celsius_looking_temperatures_are_problems() {
        let text = b"index,T_K\n0,300\n1,6000\n2,-20\n3,310\n";
        let log = parse_log(Path::new("l.csv"), text).expect("log");
        assert_eq!(log.rows.len(), 2);
        let lines: Vec<Option<usize>> = log.problems.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert!(
            log.problems[0].message.contains("outside 1–5000 K"),
            "{:?}",
            log.problems
        );
        let c = parse_log(Path::new("l.csv"), b"index,T_K\n0,25\n1,120\n2,380\n").expect("log");
        assert_eq!(c.rows.len(), 3, "kept");
        assert!(
            c.problems
                .iter()
                .any(|d| d.message.contains("like °C") && d.message.contains("`T_K`")),
            "{:?}",
            c.problems
        );
        let k = parse_log(Path::new("l.csv"), b"index,T_K\n0,300\n1,320\n2,380\n").expect("log");
        assert!(k.problems.is_empty(), "{:?}", k.problems);
        let named = parse_log(Path::new("l.csv"), b"index,T_C\n0,25\n1,120\n2,380\n").expect("log");
        assert!(named.problems.is_empty(), "T_C is converted, not flagged");
    }

    #[test]
    fn an_unterminated_quote_does_not_swallow_rows() {
        let text = b"filename,T_K\n\"a.xy,300\nb.xy,310\nc.xy,320\n";
        let log = parse_log(Path::new("l.csv"), text).expect("log");
        assert_eq!(log.rows.len(), 3);
        assert_eq!(log.problems.len(), 1);
        assert_eq!(log.problems[0].line, Some(2));
        assert!(log.problems[0].message.starts_with("unterminated quote"));
        let text = b"filename,T_K\n\"a, b.xy\",300\n";
        let quoted = parse_log(Path::new("l.csv"), text).expect("log");
        assert_eq!(quoted.rows[0].file.as_deref(), Some("a, b.xy"));
        assert!(quoted.problems.is_empty());
    }

    #[test]
    fn a_file_listed_twice_is_a_problem() {
        let text = b"filename,T_K\na.xy,300\nb.xy,310\na.xy,320\n";
        let log = parse_log(Path::new("l.csv"), text).expect("log");
        assert_eq!(log.problems.len(), 1);
        assert_eq!(log.problems[0].line, Some(4));
        assert_eq!(
            log.problems[0].message,
            "file `a.xy` is listed again (first on line 2): the first row is used"
        );
        let first = log.row_for(Path::new("a.xy"), 0).map(|r| r.kelvin);
        assert_eq!(first, Some(300.0));
    }

    #[test]
    fn time_interpolation() {
        let log = parse_log(Path::new("l.csv"), b"time_s,T_K\n0,300\n100,400\n").unwrap();
        assert_eq!(log.kelvin_at_time(25.0), Some(325.0));
        assert_eq!(log.kelvin_at_time(150.0), None);
    }
}
