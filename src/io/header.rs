//! Reading facts out of header text and file names: `key = value` pairs, temperature, wavelength,
//! time, and what a column label says about the x unit and the quantity.
//!
//! Temperature keys (ASCII case-insensitive): `T`, `temp`, `temperature`, `sample_temperature`,
//! `Temp` (GSAS), with a unit suffix `_K`/`_C` or `(K)`/`(C)` allowed. The value is a number with
//! an optional unit (`K`, `C`, `°C`, `degC`, `celsius`, `kelvin`); without a unit it is kelvin.
//! Celsius is converted with T(K) = T(°C) + 273.15.

/// A `key = value` (or `key: value`) found in a header, with its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderEntry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Longest key accepted (in characters): keys are short words, and the bound keeps a line of
/// repeated `key=` or `)=` linear.
const MAX_KEY_CHARS: usize = 64;

/// Extracts every `key = value` pair on a header line (several may share a line, as in PDFgetN's
/// `temp=308     runTitle=…`), or a single `Key: value` when the line has no `=`.
///
/// A key is a run of letters, digits, `_`, `.` or `-` starting with a letter, directly before
/// `=` (spaces allowed), optionally followed by a parenthesised unit (`temperature (K) =`); it
/// never contains `=` and has at most 64 characters. `==` is decoration, not an assignment. The
/// work is linear in the line length: each `=` looks back through tables built in one pass.
pub fn entries_on_line(text: &str, line: usize, out: &mut Vec<HeaderEntry>) {
    let t = super::text::strip_comment(text);
    if t.is_empty() {
        return;
    }
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let n = chars.len();
    // For each position i: where the run of key characters (or of spaces) ending just before i
    // starts, and the last `(` and `=` before i.
    let mut key_run = vec![0usize; n + 1];
    let mut space_run = vec![0usize; n + 1];
    let mut open_before: Vec<Option<usize>> = vec![None; n + 1];
    let mut eq_before: Vec<Option<usize>> = vec![None; n + 1];
    for (i, &(_, c)) in chars.iter().enumerate() {
        key_run[i + 1] = if is_key_char(c) { key_run[i] } else { i + 1 };
        space_run[i + 1] = if c == ' ' { space_run[i] } else { i + 1 };
        open_before[i + 1] = if c == '(' { Some(i) } else { open_before[i] };
        eq_before[i + 1] = if c == '=' { Some(i) } else { eq_before[i] };
    }
    let mut keys: Vec<(usize, usize, usize)> = Vec::new(); // (key_start, key_end, eq_pos)
    for (ci, &(bpos, c)) in chars.iter().enumerate() {
        // `==` is decoration (`# == pyFAI calibration ==`), not an assignment.
        let doubled =
            chars.get(ci + 1).is_some_and(|n| n.1 == '=') || (ci > 0 && chars[ci - 1].1 == '=');
        if c != '=' || doubled {
            continue;
        }
        // Skip spaces before '='.
        let k = space_run[ci];
        let end = if k > 0 {
            chars[k - 1].0 + chars[k - 1].1.len_utf8()
        } else {
            0
        };
        // Allow a parenthesised unit: `temperature (K) =`, never reaching back past another `=`.
        let mut s = k;
        if s > 0 && chars[s - 1].1 == ')' {
            s = match open_before[s - 1] {
                Some(o) if eq_before[s - 1].is_none_or(|e| e < o) => space_run[o],
                _ => s,
            };
        }
        s = key_run[s];
        let start = if s < chars.len() { chars[s].0 } else { bpos };
        if start < end
            && t[start..end].chars().count() <= MAX_KEY_CHARS
            && t[start..end]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic())
        {
            keys.push((start, end, bpos));
        }
    }
    if keys.is_empty() {
        if let Some((k, v)) = t.split_once(':') {
            let k = k.trim();
            if !k.is_empty()
                && k.len() <= 48
                && k.chars().next().is_some_and(|c| c.is_alphabetic())
                && k.chars()
                    .all(|c| is_key_char(c) || c == ' ' || c == '(' || c == ')')
            {
                out.push(HeaderEntry {
                    key: k.to_string(),
                    value: v.trim().to_string(),
                    line,
                });
            }
        }
        return;
    }
    for (i, &(ks, ke, eq)) in keys.iter().enumerate() {
        let vend = keys.get(i + 1).map_or(t.len(), |n| n.0);
        let vstart = (eq + 1).min(vend);
        out.push(HeaderEntry {
            key: t[ks..ke].trim().to_string(),
            value: t[vstart..vend].trim().to_string(),
            line,
        });
    }
}

pub use crate::model::leading_number;

/// Temperature unit named by a key or a value suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TempUnit {
    Kelvin,
    Celsius,
}

fn unit_word(text: &str) -> Option<TempUnit> {
    let t = text
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']', ',', ';'])
        .trim();
    let l = t.to_ascii_lowercase();
    match l.as_str() {
        "k" | "kelvin" => Some(TempUnit::Kelvin),
        "c" | "degc" | "deg c" | "deg. c" | "celsius" | "oc" => Some(TempUnit::Celsius),
        _ if t == "°C" || t == "ºC" || t == "° C" => Some(TempUnit::Celsius),
        _ => None,
    }
}

/// If `key` names a temperature, the unit the key itself implies (None = not a temperature key).
pub fn temperature_key(key: &str) -> Option<Option<TempUnit>> {
    let k = key.trim();
    let (base, unit_in_key) = match k.split_once('(') {
        Some((b, rest)) => (b.trim(), unit_word(rest)),
        None => (k, None),
    };
    let l = base.to_ascii_lowercase();
    let (stem, suffix_unit) = if let Some(s) = l.strip_suffix("_k") {
        (s, Some(TempUnit::Kelvin))
    } else if let Some(s) = l.strip_suffix("_c") {
        (s, Some(TempUnit::Celsius))
    } else {
        (l.as_str(), None)
    };
    let is_t = matches!(
        stem,
        "t" | "temp"
            | "temperature"
            | "sample_temperature"
            | "sampletemperature"
            | "sample_temp"
            | "temperature_sample"
    );
    // A lone lowercase `t` is usually time; only `T` counts.
    if stem == "t" && base.starts_with('t') && suffix_unit.is_none() {
        return None;
    }
    is_t.then_some(unit_in_key.or(suffix_unit))
}

/// Parses a temperature value (`351.5 K`, `210`, `77 °C`) to kelvin, given the unit implied by
/// the key. Returns None when the value is not a plausible temperature.
pub fn temperature_value(value: &str, key_unit: Option<TempUnit>) -> Option<f64> {
    let (x, rest) = leading_number(value)?;
    let rest_unit = rest
        .split_whitespace()
        .next()
        .and_then(unit_word)
        .or_else(|| unit_word(rest));
    let unit = rest_unit.or(key_unit).unwrap_or(TempUnit::Kelvin);
    let k = match unit {
        TempUnit::Kelvin => x,
        TempUnit::Celsius => x + 273.15,
    };
    (k.is_finite() && k > 0.0 && k < 10_000.0).then_some(k)
}

/// Wavelength in Å from a header entry (`wavelength = 0.1173`, pyFAI `Wavelength: 1.9e-11` in m,
/// `lambda (nm) = 0.01173`).
pub fn wavelength_entry(entry: &HeaderEntry) -> Option<f64> {
    let key = entry.key.to_ascii_lowercase();
    let key_nm = key.contains("(nm)") || key.ends_with("_nm");
    let key_m = key.contains("(m)") || key.ends_with("_m");
    let base = key
        .split(['(', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if !(base == "wavelength" || base == "lambda" || base == "wavelength_a") {
        return None;
    }
    let (x, rest) = leading_number(&entry.value)?;
    let unit = rest.trim().to_ascii_lowercase();
    let a = if key_nm || unit.starts_with("nm") {
        x * 10.0
    } else if key_m || unit == "m" || (unit.is_empty() && x < 1e-6) {
        x * 1e10
    } else {
        x
    };
    (a.is_finite() && a > 1e-3 && a < 100.0).then_some(a)
}

/// Time in seconds from a header entry (`time = 12.5 s`, `time_s = 12.5`, `elapsed = 2 min`).
pub fn time_entry(entry: &HeaderEntry) -> Option<f64> {
    let key = entry.key.to_ascii_lowercase();
    let scale_key = match key.as_str() {
        "time" | "time_s" | "elapsed" | "elapsed_s" | "elapsed_time" | "time (s)" | "t_s" => 1.0,
        "time_min" | "time (min)" | "elapsed_min" => 60.0,
        _ => return None,
    };
    let (x, rest) = leading_number(&entry.value)?;
    let unit = rest.trim().to_ascii_lowercase();
    let scale = match unit.as_str() {
        "" => scale_key,
        "s" | "sec" | "secs" | "seconds" => 1.0,
        "min" | "mins" | "minutes" => 60.0,
        "h" | "hr" | "hours" => 3600.0,
        _ => return None,
    };
    let t = x * scale;
    t.is_finite().then_some(t)
}

/// What an x column label says about the x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XLabel {
    QInvAngstrom,
    QInvNm,
    TwoThetaDeg,
    TwoThetaRad,
    RAngstrom,
    RNm,
    /// Labelled Q but without a unit.
    QNoUnit,
}

/// Interprets an x column label (`q_A^-1`, `2th_deg`, `Q (Inverse Nanometres)`, `r($\AA$)`, `Q`).
pub fn x_label(label: &str) -> Option<XLabel> {
    let l = label.trim().to_ascii_lowercase().replace(' ', "");
    if l.is_empty() {
        return None;
    }
    let theta = l.contains("2th")
        || l.contains("2-th")
        || l.contains("2theta")
        || l.contains("two_theta")
        || l.contains("twotheta")
        || l.contains("2θ")
        || l.starts_with("tth");
    if theta {
        return Some(if l.contains("rad") {
            XLabel::TwoThetaRad
        } else {
            XLabel::TwoThetaDeg
        });
    }
    let nm = l.contains("nm^-1")
        || l.contains("nm-1")
        || l.contains("1/nm")
        || l.contains("nm⁻¹")
        || l.contains("inversenanomet");
    let ang = l.contains("a^-1")
        || l.contains("a-1")
        || l.contains("1/a")
        || l.contains('å')
        || l.contains('Å')
        || l.contains("\\aa")
        || l.contains("{-1}")
        || l.contains("inverseangstrom");
    if let Some(rest) = l.strip_prefix('q') {
        return Some(if nm {
            XLabel::QInvNm
        } else if ang {
            XLabel::QInvAngstrom
        } else if rest.parse::<f64>().is_ok() {
            // GSAS-II `.qchi`: `Q  <wavelength>`, Q in Å⁻¹.
            XLabel::QInvAngstrom
        } else if l == "q" || rest.starts_with(['(', '_', '[']) {
            XLabel::QNoUnit
        } else {
            return None;
        });
    }
    if l == "r" || l.starts_with("r(") || l.starts_with("r_") || l.starts_with("r[") {
        return Some(if l.contains("nm") {
            XLabel::RNm
        } else {
            XLabel::RAngstrom
        });
    }
    None
}

/// The quantity a y column label names, if any (case matters for G(r) versus g(r)).
pub fn y_label(label: &str) -> Option<crate::model::Quantity> {
    use crate::model::Quantity;
    let raw = label.trim();
    // PDFgetX3 writes `G($\AA^{-2}$)`, `S`, `F($\AA^{-1}$)`, `I`.
    let head: String = raw
        .chars()
        .take_while(|c| !matches!(c, '(' | '[' | '_' | ' '))
        .collect();
    let head = head.trim();
    // Labels keep the case rule of g(r) versus G(r): a lower-case `gr` column is g(r).
    if matches!(raw, "gr" | "g_r") {
        return Some(Quantity::PairDistribution);
    }
    if let Some(q) = Quantity::parse(raw) {
        return Some(q);
    }
    match head {
        "G" | "D" => return Some(Quantity::ReducedPdf),
        "g" => return Some(Quantity::PairDistribution),
        _ => {}
    }
    let l = raw.to_ascii_lowercase();
    if l.starts_with("s(q)-1") || l.starts_with("s(q) - 1") || l == "i(q)=s(q)-1" {
        return Some(Quantity::Interference);
    }
    match head.to_ascii_lowercase().as_str() {
        "s" | "sq" | "s_q" => Some(Quantity::StructureFactor),
        "f" | "fq" | "f_q" => Some(Quantity::ReducedStructureFunction),
        "i" | "iq" | "i_q" | "intensity" | "int" | "counts" => Some(Quantity::Intensity),
        "rdf" => Some(Quantity::RadialDistribution),
        _ => None,
    }
}

/// Temperatures written in a file stem as a number followed by `K` or `C`
/// (`x0__210.0K_001`, `run_350C`, `300K`, `T300K`), in kelvin. None unless exactly one distinct
/// value is found.
pub fn temperature_from_file_name(stem: &str) -> Option<f64> {
    let b = stem.as_bytes();
    let mut found: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let before_ok = start == 0 || {
            let p = b[start - 1];
            !p.is_ascii_alphanumeric()
                || ((p == b'T' || p == b't')
                    && (start < 2 || !b[start - 2].is_ascii_alphanumeric()))
        };
        let number = &stem[start..i];
        let mut j = i;
        if j < b.len() && b[j] == b' ' {
            j += 1;
        }
        let (unit, after) = if stem[j..].starts_with("°C") {
            (Some(TempUnit::Celsius), j + "°C".len())
        } else if j < b.len() && (b[j] == b'K' || b[j] == b'k') {
            (Some(TempUnit::Kelvin), j + 1)
        } else if j < b.len() && b[j] == b'C' {
            (Some(TempUnit::Celsius), j + 1)
        } else {
            (None, j)
        };
        let after_ok = after >= b.len() || !b[after].is_ascii_alphanumeric();
        if let (true, Some(u), true) = (before_ok, unit, after_ok)
            && let Ok(x) = number.trim_end_matches('.').parse::<f64>()
        {
            let k = if u == TempUnit::Celsius {
                x + 273.15
            } else {
                x
            };
            if k > 0.0 && k < 10_000.0 && !found.iter().any(|f| (f - k).abs() < 1e-9) {
                found.push(k);
            }
        }
        i = i.max(start + 1);
    }
    (found.len() == 1).then(|| found[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Quantity;

    fn entries(line: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        entries_on_line(line, 1, &mut out);
        out.into_iter().map(|e| (e.key, e.value)).collect()
    }

    #[test]
    fn key_values_several_per_line_and_colon_form() {
        assert_eq!(
            entries("temp=308     runTitle=Run 1018: LMO - RT (before), HIPPO-furnace"),
            vec![
                ("temp".into(), "308".into()),
                (
                    "runTitle".into(),
                    "Run 1018: LMO - RT (before), HIPPO-furnace".into()
                )
            ]
        );
        assert_eq!(
            entries("# T = 351.5 K"),
            vec![("T".into(), "351.5 K".into())]
        );
        assert_eq!(
            entries("# Wavelength: 3.1e-11"),
            vec![("Wavelength".into(), "3.1e-11".into())]
        );
        assert_eq!(
            entries("temperature (C) = 25"),
            vec![("temperature (C)".into(), "25".into())]
        );
        assert!(entries("# == pyFAI calibration ==").is_empty());
    }

    #[test]
    fn temperatures_from_headers() {
        let t = |k: &str, v: &str| temperature_key(k).and_then(|u| temperature_value(v, u));
        assert_eq!(t("T", "351.5 K"), Some(351.5));
        assert_eq!(t("temperature", "210"), Some(210.0));
        assert_eq!(t("temp", "308"), Some(308.0));
        assert_eq!(t("Temp", "300.0"), Some(300.0));
        assert_eq!(t("temperature", "77 °C"), Some(350.15));
        assert_eq!(t("temperature (C)", "25"), Some(298.15));
        assert_eq!(t("T_C", "100"), Some(373.15));
        assert_eq!(t("t", "12.0"), None, "lowercase t is time");
        assert_eq!(t("tempo", "12"), None);
        assert_eq!(t("temperature", "n/a"), None);
    }

    #[test]
    fn temperatures_from_file_names() {
        assert_eq!(
            temperature_from_file_name("x0_20171023-040426__210.0K_001"),
            Some(210.0)
        );
        assert_eq!(temperature_from_file_name("sample_350C"), Some(623.15));
        assert_eq!(temperature_from_file_name("300K"), Some(300.0));
        assert_eq!(temperature_from_file_name("a_210K"), Some(210.0));
        assert_eq!(temperature_from_file_name("run_T450K"), Some(450.0));
        assert_eq!(temperature_from_file_name("Zr50Cu50_0001"), None);
        assert_eq!(
            temperature_from_file_name("from_300K_to_350K"),
            None,
            "ambiguous"
        );
        assert_eq!(temperature_from_file_name("Ni-xray"), None);
    }

    #[test]
    fn wavelengths_in_several_units() {
        let e = |k: &str, v: &str| HeaderEntry {
            key: k.into(),
            value: v.into(),
            line: 1,
        };
        assert_eq!(
            wavelength_entry(&e("Wavelength", "3.1e-11")),
            Some(0.31000000000000005)
        );
        assert_eq!(wavelength_entry(&e("wavelength", "0.1173")), Some(0.1173));
        let nm = wavelength_entry(&e("lambda (nm)", "0.01173")).unwrap();
        assert!((nm - 0.1173).abs() < 1e-12);
        assert_eq!(wavelength_entry(&e("wavelength", "0.1173 A")), Some(0.1173));
        assert_eq!(wavelength_entry(&e("energy", "105.7")), None);
    }

    #[test]
    fn labels_name_units_and_quantities() {
        assert_eq!(x_label("q_A^-1"), Some(XLabel::QInvAngstrom));
        assert_eq!(x_label("q_nm^-1"), Some(XLabel::QInvNm));
        assert_eq!(x_label("2th_deg"), Some(XLabel::TwoThetaDeg));
        assert_eq!(x_label("Q (Inverse Nanometres)"), Some(XLabel::QInvNm));
        assert_eq!(
            x_label("2-Theta Angle (Degrees)"),
            Some(XLabel::TwoThetaDeg)
        );
        assert_eq!(x_label("r($\\AA$)"), Some(XLabel::RAngstrom));
        assert_eq!(x_label("Q($\\AA^{-1}$)"), Some(XLabel::QInvAngstrom));
        assert_eq!(x_label("q"), Some(XLabel::QNoUnit));
        assert_eq!(x_label("Q(Å$^{-1}$)"), Some(XLabel::QInvAngstrom));
        assert_eq!(x_label("Q            0.190700"), Some(XLabel::QInvAngstrom));
        assert_eq!(x_label("r(Å)"), Some(XLabel::RAngstrom));
        assert_eq!(y_label("intensity(a.u.)"), Some(Quantity::Intensity));
        assert_eq!(y_label("S(a.u.)"), Some(Quantity::StructureFactor));
        assert_eq!(y_label("rdf"), Some(Quantity::RadialDistribution));
        assert_eq!(x_label("intensity"), None);
        assert_eq!(y_label("G($\\AA^{-2}$)"), Some(Quantity::ReducedPdf));
        assert_eq!(y_label("g(r)"), Some(Quantity::PairDistribution));
        assert_eq!(y_label("F(Q)"), Some(Quantity::ReducedStructureFunction));
        assert_eq!(y_label("S"), Some(Quantity::StructureFactor));
        assert_eq!(y_label("I"), Some(Quantity::Intensity));
        assert_eq!(y_label("dG(r)"), None);
        assert_eq!(y_label("G_none_A-2"), Some(Quantity::ReducedPdf));
    }

    #[test]
    fn leading_numbers() {
        assert_eq!(leading_number("351.5 K"), Some((351.5, " K")));
        assert_eq!(leading_number("1e-11"), Some((1e-11, "")));
        assert_eq!(leading_number("300e"), Some((300.0, "e")));
        assert_eq!(leading_number("K"), None);
    }
}
