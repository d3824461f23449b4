//! Temperatures for a series: the sidecar log, the ramp, and choosing among sources.
//!
//! Sources, in default order of trust: a temperature log (given with `--temps` or found in the
//! folder), a user ramp (T0 + rate × time, or × index), a wide table's column names, the file
//! header, the file name. Two rules keep real series honest:
//! - a source that gives one and the same value for every pattern while another source varies is
//!   stale (PDFgetN's `temp=308` in every file of a 300–1150 K series): it drops to last place and
//!   the series notes say why;
//! - when the chosen source and another trusted source disagree by more than 1 K, the pattern
//!   carries a problem naming both values.
//!
//! A log row is matched by file name (exact, then by stem), else by index (0-based; a log whose
//! indices run 1..=n with no 0 is taken as 1-based and says so), else by interpolating T(time) at
//! the pattern's time. A pattern the log does not cover gets a problem and falls back to the next
//! source.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LoadError;
use super::header;
use crate::model::{Diagnostic, Pattern, Temperature, TemperatureSource, file_name};

/// A linear temperature ramp given by the user.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ramp {
    pub start_k: f64,
    pub rate: f64,
    pub per: RampPer,
}

/// What the ramp rate is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RampPer {
    Second,
    Minute,
    Pattern,
}

impl std::str::FromStr for Ramp {
    type Err = String;
    /// `T0:RATE/UNIT`, e.g. `300:20/min`, `300:0.333/s`, `300:2/pattern`.
    fn from_str(s: &str) -> Result<Self, String> {
        let err = || {
            format!(
                "ramp `{s}` must look like T0:RATE/UNIT, e.g. 300:20/min, 300:0.5/s or 300:2/pattern"
            )
        };
        let (t0, rest) = s.split_once(':').ok_or_else(err)?;
        let (rate, unit) = rest.split_once('/').ok_or_else(err)?;
        let start_k: f64 = t0.trim().trim_end_matches('K').parse().map_err(|_| err())?;
        let rate: f64 = rate
            .trim()
            .trim_end_matches('K')
            .parse()
            .map_err(|_| err())?;
        let per = match unit.trim() {
            "s" | "sec" => RampPer::Second,
            "min" => RampPer::Minute,
            "pattern" | "index" | "frame" => RampPer::Pattern,
            _ => return Err(err()),
        };
        if !start_k.is_finite() || !rate.is_finite() {
            return Err(err());
        }
        Ok(Ramp { start_k, rate, per })
    }
}

impl Ramp {
    fn at(&self, index: usize, time_s: Option<f64>) -> Option<f64> {
        match self.per {
            RampPer::Pattern => Some(self.start_k + self.rate * index as f64),
            RampPer::Second => time_s.map(|t| self.start_k + self.rate * t),
            RampPer::Minute => time_s.map(|t| self.start_k + self.rate * t / 60.0),
        }
    }
}

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

/// Whether a CSV file's header makes it a temperature log (used to recognise logs in folders).
pub fn is_log_file(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let mut rdr = csv_reader(&bytes);
    let Ok(h) = rdr.headers() else { return false };
    let names: Vec<String> = h.iter().map(str::to_string).collect();
    log_columns(&names).is_some()
}

/// Reads a temperature log CSV.
pub fn read_log(path: &Path) -> Result<TemperatureLog, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_log(path, &bytes)
}

/// Parses temperature log bytes (`path` names it in messages).
pub fn parse_log(path: &Path, bytes: &[u8]) -> Result<TemperatureLog, LoadError> {
    let invalid = |reason: String| LoadError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let mut rdr = csv_reader(bytes);
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
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in rdr.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                problems.push(Diagnostic::new(path, line, format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let t_text = field(cols.temperature.0);
        let Some(kelvin) = header::temperature_value(t_text, Some(cols.temperature.1)) else {
            problems.push(Diagnostic::new(
                path,
                Some(line),
                format!("temperature `{t_text}` is not a number: row skipped"),
            ));
            continue;
        };
        let index = match cols.index {
            Some(c) => match field(c).parse::<usize>() {
                Ok(i) => Some(i),
                Err(_) => {
                    problems.push(Diagnostic::new(
                        path,
                        Some(line),
                        format!("index `{}` is not a whole number: row skipped", field(c)),
                    ));
                    continue;
                }
            },
            None => None,
        };
        let time_s = match cols.time {
            Some((c, scale)) if !field(c).is_empty() => match field(c).parse::<f64>() {
                Ok(t) if t.is_finite() => Some(t * scale),
                _ => {
                    problems.push(Diagnostic::new(
                        path,
                        Some(line),
                        format!("time `{}` is not a number: time ignored", field(c)),
                    ));
                    None
                }
            },
            _ => None,
        };
        let file = cols
            .file
            .map(|c| field(c).to_string())
            .filter(|f| !f.is_empty());
        rows.push(LogRow {
            line,
            index,
            file,
            time_s,
            kelvin,
        });
    }
    if rows.is_empty() {
        return Err(invalid("temperature log has no usable rows".into()));
    }
    let indices: Vec<usize> = rows.iter().filter_map(|r| r.index).collect();
    let one_based = !indices.is_empty()
        && !indices.contains(&0)
        && indices.iter().max() == Some(&indices.len());
    let mut by_file = HashMap::new();
    let mut by_stem = HashMap::new();
    let mut by_index = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(f) = &r.file {
            let name = file_name(Path::new(f));
            let stem = Path::new(&name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            by_file.entry(name).or_insert(i);
            by_stem.entry(stem).or_insert(i);
        }
        if let Some(ix) = r.index {
            by_index
                .entry(if one_based { ix - 1 } else { ix })
                .or_insert(i);
        }
    }
    Ok(TemperatureLog {
        path: path.to_path_buf(),
        rows,
        problems,
        one_based,
        by_file,
        by_stem,
        by_index,
    })
}

impl TemperatureLog {
    fn has_files(&self) -> bool {
        !self.by_file.is_empty()
    }

    fn has_times(&self) -> bool {
        self.rows.iter().filter(|r| r.time_s.is_some()).count() >= 2
    }

    /// The row for a pattern file (by name), or for an index when the log has no file column.
    fn row_for(&self, pattern: &Pattern) -> Option<&LogRow> {
        if self.has_files() {
            let name = file_name(&pattern.source);
            let stem = pattern
                .source
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
            return self
                .by_index
                .get(&pattern.index)
                .and_then(|&i| self.rows.get(i));
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

/// The temperature facts one file gave, before the series chooses.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub header: Option<(f64, String, usize)>,
    pub file_name: Option<f64>,
}

/// A temperature source, for ordering and for `--temperature-source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    Log,
    Ramp,
    Column,
    Header,
    FileName,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Log => "log",
            SourceKind::Ramp => "ramp",
            SourceKind::Column => "column",
            SourceKind::Header => "header",
            SourceKind::FileName => "filename",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            SourceKind::Log => "the temperature log",
            SourceKind::Ramp => "the ramp",
            SourceKind::Column => "the column names",
            SourceKind::Header => "the file headers",
            SourceKind::FileName => "the file names",
        }
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "log" => Ok(SourceKind::Log),
            "ramp" => Ok(SourceKind::Ramp),
            "column" => Ok(SourceKind::Column),
            "header" => Ok(SourceKind::Header),
            "filename" | "file-name" | "name" => Ok(SourceKind::FileName),
            _ => Err(format!(
                "unknown temperature source `{s}` (one of: log, ramp, column, header, filename)"
            )),
        }
    }
}

fn candidate(
    kind: SourceKind,
    p: &Pattern,
    c: &Candidates,
    log: Option<&TemperatureLog>,
    ramp: Option<&Ramp>,
) -> Option<Temperature> {
    match kind {
        SourceKind::Log => {
            let log = log?;
            if let Some(row) = log.row_for(p) {
                return Some(Temperature {
                    kelvin: row.kelvin,
                    source: TemperatureSource::Log {
                        path: log.path.clone(),
                        line: row.line,
                    },
                });
            }
            if !log.has_files() && log.by_index.is_empty() && log.has_times() {
                let k = log.kelvin_at_time(p.time_s?)?;
                return Some(Temperature {
                    kelvin: k,
                    source: TemperatureSource::LogTime {
                        path: log.path.clone(),
                    },
                });
            }
            None
        }
        SourceKind::Ramp => ramp?.at(p.index, p.time_s).map(|kelvin| Temperature {
            kelvin,
            source: TemperatureSource::Ramp,
        }),
        SourceKind::Column => p
            .temperature
            .clone()
            .filter(|t| t.source == TemperatureSource::ColumnName),
        SourceKind::Header => c.header.as_ref().map(|(k, key, line)| Temperature {
            kelvin: *k,
            source: TemperatureSource::Header {
                key: key.clone(),
                line: *line,
            },
        }),
        SourceKind::FileName => c.file_name.map(|kelvin| Temperature {
            kelvin,
            source: TemperatureSource::FileName,
        }),
    }
}

/// Every source's value for every pattern, in [`ALL_KINDS`] order.
type Values = Vec<Vec<Option<Temperature>>>;

/// Chooses each pattern's temperature (and fills its time from the log). Returns series notes.
/// Patterns must already carry their final indices.
///
/// Steps: times from the log; every source's candidate per pattern; sources that give one
/// constant value where another varies are demoted (stale headers); each pattern takes the
/// first source in order that has a value, with a problem where trusted sources disagree by
/// more than 1 K; a note says which sources were used.
pub fn resolve(
    patterns: &mut [Pattern],
    cands: &[Candidates],
    log: Option<&TemperatureLog>,
    ramp: Option<&Ramp>,
    prefer: Option<SourceKind>,
) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(log) = log {
        fill_times_from_log(patterns, log, &mut notes);
    }
    let empty = Candidates::default();
    let values: Values = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let c = cands.get(i).unwrap_or(&empty);
            ALL_KINDS
                .iter()
                .map(|&k| candidate(k, p, c, log, ramp))
                .collect()
        })
        .collect();
    let (order, demoted) = match prefer {
        Some(k) => (vec![k], Vec::new()),
        None => demote_stale_sources(&values, &mut notes),
    };
    let chosen_count = choose(patterns, &values, &order, &demoted, log, prefer);
    summarise(patterns.len(), chosen_count, &mut notes);
    notes
}

/// Times from the log fill patterns that have none; a 1-based log is said so.
fn fill_times_from_log(patterns: &mut [Pattern], log: &TemperatureLog, notes: &mut Vec<String>) {
    for p in patterns.iter_mut() {
        if p.time_s.is_none()
            && let Some(t) = log.row_for(p).and_then(|r| r.time_s)
        {
            p.time_s = Some(t);
        }
    }
    if log.one_based {
        notes.push(format!(
            "log {}: indices run 1..{} with no 0, so they are taken as 1-based",
            file_name(&log.path),
            log.rows.len()
        ));
    }
}

/// The order in which sources are tried: the default order, with a source that gives the same
/// value for every pattern while another source varies moved last (and listed as demoted).
fn demote_stale_sources(
    values: &Values,
    notes: &mut Vec<String>,
) -> (Vec<SourceKind>, Vec<SourceKind>) {
    // Values of two sources on the patterns where both exist.
    let paired = |k: SourceKind, o: SourceKind| -> (Vec<f64>, Vec<f64>) {
        let (ki, oi) = (kind_index(k), kind_index(o));
        values
            .iter()
            .filter_map(|v| match (&v[ki], &v[oi]) {
                (Some(a), Some(b)) => Some((a.kelvin, b.kelvin)),
                _ => None,
            })
            .unzip()
    };
    let is_constant = |v: &[f64]| v.len() >= 2 && v.iter().all(|x| (x - v[0]).abs() < 1e-9);
    let varies = |v: &[f64]| v.iter().any(|x| (x - v[0]).abs() > 1e-9);
    let mut order = ALL_KINDS.to_vec();
    let mut demoted: Vec<SourceKind> = Vec::new();
    for k in [SourceKind::Log, SourceKind::Header, SourceKind::FileName] {
        let stale = ALL_KINDS.iter().copied().filter(|&o| o != k).find_map(|o| {
            let (kv, ov) = paired(k, o);
            (is_constant(&kv) && varies(&ov)).then_some((o, kv, ov))
        });
        let Some((other, kv, ov)) = stale else {
            continue;
        };
        let (lo, hi) = ov
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let key = match k {
            SourceKind::Header => values
                .iter()
                .find_map(|v| match &v[kind_index(k)] {
                    Some(Temperature {
                        source: TemperatureSource::Header { key, .. },
                        ..
                    }) => Some(format!(" (`{key}`)")),
                    _ => None,
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        notes.push(format!(
            "{}{key} give {} K for all {} patterns that {} also date, while {} vary ({lo}–{hi} K): using {} (the constant value is stale)",
            k.describe(),
            kv[0],
            kv.len(),
            other.describe(),
            other.describe(),
            other.describe()
        ));
        order.retain(|&o| o != k);
        order.push(k);
        demoted.push(k);
    }
    (order, demoted)
}

/// Sets each pattern's temperature from the first source in `order` that has one, with a
/// problem for a log without this file and for trusted sources that disagree by over 1 K.
/// Returns how many patterns each source dated.
fn choose(
    patterns: &mut [Pattern],
    values: &Values,
    order: &[SourceKind],
    demoted: &[SourceKind],
    log: Option<&TemperatureLog>,
    prefer: Option<SourceKind>,
) -> HashMap<SourceKind, usize> {
    let mut chosen_count: HashMap<SourceKind, usize> = HashMap::new();
    for (i, p) in patterns.iter_mut().enumerate() {
        let vals = &values[i];
        let chosen = order
            .iter()
            .find_map(|&k| vals[kind_index(k)].clone().map(|t| (k, t)));
        // A log that misses this file is a problem worth naming.
        if let Some(log) = log
            && vals[kind_index(SourceKind::Log)].is_none()
            && (prefer.is_none() || prefer == Some(SourceKind::Log))
        {
            p.problems.push(Diagnostic::new(
                &p.source,
                None,
                format!(
                    "temperature log {} has no entry for this pattern",
                    file_name(&log.path)
                ),
            ));
        }
        match chosen {
            Some((k, t)) => {
                for &o in ALL_KINDS.iter() {
                    if o == k || demoted.contains(&o) {
                        continue;
                    }
                    if let Some(other) = &vals[kind_index(o)]
                        && (other.kelvin - t.kelvin).abs() > 1.0
                    {
                        p.problems.push(Diagnostic::new(
                            &p.source,
                            None,
                            format!(
                                "{} says {} K but {} says {} K; using {}",
                                t.source, t.kelvin, other.source, other.kelvin, t.source
                            ),
                        ));
                    }
                }
                *chosen_count.entry(k).or_default() += 1;
                p.temperature = Some(t);
            }
            None => {
                p.temperature = None;
                if let Some(k) = prefer {
                    p.problems.push(Diagnostic::new(
                        &p.source,
                        None,
                        format!("no temperature from {} for this pattern", k.describe()),
                    ));
                }
            }
        }
    }
    chosen_count
}

/// Notes on which sources dated how many patterns, and on patterns left without.
fn summarise(patterns: usize, chosen_count: HashMap<SourceKind, usize>, notes: &mut Vec<String>) {
    let total: usize = chosen_count.values().sum();
    if total > 0 {
        let mut used: Vec<(SourceKind, usize)> = chosen_count.into_iter().collect();
        used.sort_by_key(|(k, _)| kind_index(*k));
        let parts: Vec<String> = used
            .iter()
            .map(|(k, n)| format!("{} for {n}", k.describe()))
            .collect();
        notes.push(format!("temperatures from {}", parts.join(", ")));
        let missing = patterns - total;
        if missing > 0 {
            notes.push(format!("{missing} pattern(s) have no temperature"));
        }
    } else if patterns > 0 {
        notes.push(
            "no temperature in headers, file names, a log or a ramp: the pattern index is the axis"
                .into(),
        );
    }
}

const ALL_KINDS: [SourceKind; 5] = [
    SourceKind::Log,
    SourceKind::Ramp,
    SourceKind::Column,
    SourceKind::Header,
    SourceKind::FileName,
];

fn kind_index(k: SourceKind) -> usize {
    ALL_KINDS.iter().position(|&o| o == k).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_syntax() {
        let r: Ramp = "300:20/min".parse().unwrap();
        assert_eq!(r.at(0, Some(60.0)), Some(320.0));
        let r: Ramp = "300:2/pattern".parse().unwrap();
        assert_eq!(r.at(5, None), Some(310.0));
        assert!("300-20".parse::<Ramp>().is_err());
    }

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
        // 1 and 3 of 2 usable rows: max (3) != count (2), so not 1-based.
        assert!(!log.one_based);
        let log = parse_log(Path::new("l.csv"), b"index,T_K\n1,300\n2,301\n").unwrap();
        assert!(log.one_based);
    }

    #[test]
    fn time_interpolation() {
        let log = parse_log(Path::new("l.csv"), b"time_s,T_K\n0,300\n100,400\n").unwrap();
        assert_eq!(log.kelvin_at_time(25.0), Some(325.0));
        assert_eq!(log.kelvin_at_time(150.0), None);
    }
}
