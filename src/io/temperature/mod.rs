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
//! A log row is matched by file name (exact, then by stem), else by index, else by interpolating
//! T(time) at the pattern's time (`log.rs` says how a log is read and checked). The index of a
//! pattern, for a log and for a ramp per pattern, is the position of its file in the listing
//! ([`Candidates::position`]), never renumbered after a skipped file. A pattern the log does not
//! cover gets a problem and falls back to the next source. A chosen temperature outside
//! 1–5000 K is a problem on the pattern.

mod log;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use log::{
    LogColumns, LogRow, MAX_KELVIN, MIN_KELVIN, TemperatureLog, is_log_file, log_columns,
    parse_log, read_log, read_log_limited,
};

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

/// The temperature facts one file gave, before the series chooses.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub header: Option<(f64, String, usize)>,
    pub file_name: Option<f64>,
    /// Position (0-based) of the pattern's file among the pattern files listed, skipped ones
    /// included: what an index log and a ramp per pattern count. None: the pattern's index.
    pub position: Option<usize>,
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
    let position = c.position.unwrap_or(p.index);
    match kind {
        SourceKind::Log => {
            let log = log?;
            if let Some(row) = log.row_for(&p.source, position) {
                return Some(Temperature {
                    kelvin: row.kelvin,
                    source: TemperatureSource::Log {
                        path: log.path.clone(),
                        line: row.line,
                    },
                });
            }
            if !log.has_files() && !log.has_indices() && log.has_times() {
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
        SourceKind::Ramp => ramp?.at(position, p.time_s).map(|kelvin| Temperature {
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
/// `cands[i]` belongs to `patterns[i]`; its `position` (else the pattern's index) is what an
/// index log and a ramp per pattern count.
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
        fill_times_from_log(patterns, cands, log, &mut notes);
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

/// Times from the log fill patterns that have none; the log's index base is said.
fn fill_times_from_log(
    patterns: &mut [Pattern],
    cands: &[Candidates],
    log: &TemperatureLog,
    notes: &mut Vec<String>,
) {
    for (i, p) in patterns.iter_mut().enumerate() {
        let position = cands.get(i).and_then(|c| c.position).unwrap_or(p.index);
        if p.time_s.is_none()
            && let Some(t) = log.row_for(&p.source, position).and_then(|r| r.time_s)
        {
            p.time_s = Some(t);
        }
    }
    if let Some(base) = &log.index_base
        && !log.has_files()
    {
        notes.push(format!("log {}: {base}", file_name(&log.path)));
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
                if !(MIN_KELVIN..=MAX_KELVIN).contains(&t.kelvin) {
                    p.problems.push(Diagnostic::new(
                        &p.source,
                        None,
                        format!(
                            "temperature {} K from {} is outside {MIN_KELVIN}–{MAX_KELVIN} K",
                            t.kelvin, t.source
                        ),
                    ));
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
}
