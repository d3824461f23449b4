//! Column text: decoding, comment and separator rules, number syntax, and where the data block
//! starts.
//!
//! Rules, for every text reader:
//! - comments start with `#`, `!`, `;` or `%` (after leading spaces) and are never data;
//! - fields are separated by whitespace, or by `,` or `;` when the first data-looking lines use
//!   them (with `;` a decimal comma `1,5` is read as 1.5); lines of whitespace-separated fields
//!   that each hold one decimal comma (`1,25  0,998`) are whitespace-separated with decimal commas;
//! - text is UTF-8 (a byte-order mark is dropped), Latin-1, or UTF-16 (LE/BE, with a byte-order
//!   mark or plainly every other byte NUL); NUL bytes otherwise mean a binary file;
//! - numbers use Rust float syntax plus Fortran `D` exponents (`1.0D+01`); `nan` and `inf` parse,
//!   and the readers then report them as non-finite rather than using them;
//! - the data block starts at the first numeric row followed by four more numeric rows with the
//!   same column count (or by the end of the file); everything above it is header;
//! - inside the block, a row that is not numeric or has a different column count is reported with
//!   its line number and skipped; a row cut short at the end of a file without a final newline is
//!   reported as truncated and skipped: a missing column, a value that does not parse, a value
//!   ending in `.`/`e`/`+`/`-`, or a value shorter than the same column's values on the rows
//!   above when those all have one width (fixed-width output cut mid-number, `0.9` for `0.9987`).

use std::path::Path;

use crate::model::Diagnostic;

/// Field separator of a data block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Whitespace,
    Comma,
    Semicolon,
    /// Whitespace between fields and a decimal comma inside them (`1,25  0,998`).
    WhitespaceDecimalComma,
}

/// Decodes file bytes as text. Fails (with the reason) on binary content.
pub fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    decode_text(bytes).map(|(text, _)| text)
}

/// Decodes file bytes as text and says how when it was not plain UTF-8 or Latin-1: a UTF-8
/// byte-order mark is dropped (it must not hide a column-name line); UTF-16 with a byte-order
/// mark (LE or BE), or without one when every other byte of the start is NUL, is decoded (bad
/// code units become U+FFFD). NUL bytes otherwise mean binary; mostly-control bytes too.
pub fn decode_text(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, Option<String>), String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        if rest.is_empty() {
            return Err("empty file (only a UTF-8 byte-order mark)".into());
        }
        return decode_8bit(rest).map(|t| (t, Some("UTF-8 byte-order mark dropped".into())));
    }
    if let Some((big_endian, how)) = utf16_layout(bytes) {
        let body = if how == "with a byte-order mark" {
            &bytes[2..]
        } else {
            bytes
        };
        let units = body.chunks_exact(2).map(|c| {
            if big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        let text: String = char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        let order = if big_endian { "BE" } else { "LE" };
        return Ok((
            std::borrow::Cow::Owned(text),
            Some(format!("decoded as UTF-16 {order} ({how})")),
        ));
    }
    decode_8bit(bytes).map(|t| (t, None))
}

/// Whether bytes are UTF-16: (big endian, how it was told).
fn utf16_layout(bytes: &[u8]) -> Option<(bool, &'static str)> {
    match bytes {
        [0xff, 0xfe, 0, 0, ..] => None, // UTF-32 LE: not handled, reported as binary
        [0xff, 0xfe, ..] => Some((false, "with a byte-order mark")),
        [0xfe, 0xff, ..] => Some((true, "with a byte-order mark")),
        _ => {
            let probe = &bytes[..bytes.len().min(4096) & !1];
            if probe.len() < 8 {
                return None;
            }
            let zeros = |parity: usize| {
                probe
                    .iter()
                    .skip(parity)
                    .step_by(2)
                    .filter(|&&b| b == 0)
                    .count()
            };
            let half = probe.len() / 2;
            let (even, odd) = (zeros(0), zeros(1));
            if odd * 10 >= half * 9 && even * 10 < half {
                Some((false, "no byte-order mark: every other byte is NUL"))
            } else if even * 10 >= half * 9 && odd * 10 < half {
                Some((true, "no byte-order mark: every other byte is NUL"))
            } else {
                None
            }
        }
    }
}

/// UTF-8, else Latin-1 unless the bytes look binary.
fn decode_8bit(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    let probe = &bytes[..bytes.len().min(65536)];
    // `contains` on bytes is a vectorised memchr; find the position only when there is one.
    if probe.contains(&0)
        && let Some(pos) = probe.iter().position(|&b| b == 0)
    {
        return Err(format!(
            "binary file (NUL byte at offset {pos}): not a text pattern"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(std::borrow::Cow::Borrowed(s)),
        Err(_) => {
            // Latin-1 headers (°, Å) are common; mostly-invalid bytes mean binary.
            let bad = probe
                .iter()
                .filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b))
                .count();
            if bad * 20 > probe.len() {
                return Err(format!(
                    "binary file ({bad} control bytes in the first {} bytes): not a text pattern",
                    probe.len()
                ));
            }
            Ok(std::borrow::Cow::Owned(
                bytes.iter().map(|&b| b as char).collect::<String>(),
            ))
        }
    }
}

/// Splits text into lines without their `\n` / `\r\n` / `\r` endings.
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = Vec::with_capacity(text.len() / 16 + 1);
    // As `text.split('\n')`, with a vectorised search for the byte (`str::split` compares each
    // match through `memcmp`, a call per line).
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        let line = &text[start..end];
        lines.push(line.strip_suffix('\r').unwrap_or(line));
        start = end + 1;
    }
    let line = &text[start..];
    lines.push(line.strip_suffix('\r').unwrap_or(line));
    if lines.last() == Some(&"") {
        lines.pop();
    }
    // Old Mac line endings: a single line holding carriage returns.
    if lines.len() == 1 && lines[0].contains('\r') {
        return lines[0].split('\r').collect();
    }
    lines
}

/// Whether a line is blank or a comment, in one pass over its leading whitespace.
fn is_blank_or_comment(line: &str) -> bool {
    match line.bytes().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(b) => matches!(b, b'#' | b'!' | b';' | b'%'),
    }
}

/// Whether a line is a comment line (after leading whitespace).
pub fn is_comment(line: &str) -> bool {
    matches!(
        line.trim_start().as_bytes().first(),
        Some(b'#' | b'!' | b';' | b'%')
    )
}

/// Text of a comment line without its comment characters and the spaces between them.
pub fn strip_comment(line: &str) -> &str {
    // Dioptas doubles the prefix (`# # Wavelength: …`).
    line.trim_start_matches(['#', '!', ';', '%', ' ', '\t'])
        .trim()
}

/// Parses one number field: Rust float syntax, Fortran `D` exponent, and (for semicolon files)
/// a decimal comma.
pub fn parse_number(field: &str, sep: Separator) -> Option<f64> {
    // A field of 18 bytes or more mostly holds more than 15 digits (shortest round-trip output
    // such as `0.11760857636209979`): the fast path would scan it only to give up.
    if field.len() < 18
        && let Some(v) = clinger_fast_path(field.as_bytes())
    {
        return Some(v);
    }
    if let Ok(v) = field.parse::<f64>() {
        return Some(v);
    }
    if field.is_empty() || field.len() > 64 {
        return None;
    }
    let mut fixed = String::with_capacity(field.len());
    let mut changed = false;
    for c in field.chars() {
        match c {
            'D' | 'd' => {
                fixed.push('E');
                changed = true;
            }
            ',' if matches!(
                sep,
                Separator::Semicolon | Separator::WhitespaceDecimalComma
            ) =>
            {
                fixed.push('.');
                changed = true;
            }
            _ => fixed.push(c),
        }
    }
    if changed { fixed.parse().ok() } else { None }
}

/// Exact powers of ten representable in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path: a decimal `[±]digits[.digits][e[±]digits]` with at most 15 significant
/// digits and a decimal exponent within ±22 is m × 10^e with m and 10^e exact in an f64, so one
/// IEEE multiplication or division gives the correctly rounded result. Anything else returns
/// None and goes to the general parser. This is most of what pattern files hold (`%14.6e`,
/// `%.8g`), and it is tested against `str::parse` on random input.
fn clinger_fast_path(b: &[u8]) -> Option<f64> {
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0u32; // significant digits kept in the mantissa
    let mut any_digit = false;
    let mut exponent: i32 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        any_digit = true;
        if mantissa != 0 || b[i] != b'0' {
            mantissa = mantissa * 10 + u64::from(b[i] - b'0');
            digits += 1;
        }
        i += 1;
        if digits > 15 {
            return None;
        }
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            any_digit = true;
            if mantissa != 0 || b[i] != b'0' {
                mantissa = mantissa * 10 + u64::from(b[i] - b'0');
                digits += 1;
            }
            exponent -= 1;
            i += 1;
            if digits > 15 {
                return None;
            }
        }
    }
    if !any_digit {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let mut exp_negative = false;
        match b.get(i) {
            Some(b'-') => {
                exp_negative = true;
                i += 1;
            }
            Some(b'+') => i += 1,
            _ => {}
        }
        let start = i;
        let mut e: i32 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            e = e.saturating_mul(10).saturating_add(i32::from(b[i] - b'0'));
            i += 1;
        }
        if i == start {
            return None;
        }
        exponent = exponent.saturating_add(if exp_negative { -e } else { e });
    }
    if i != b.len() {
        return None;
    }
    let m = mantissa as f64;
    let value = if mantissa == 0 {
        0.0
    } else if (0..=22).contains(&exponent) {
        m * POW10[exponent as usize]
    } else if (-22..0).contains(&exponent) {
        m / POW10[(-exponent) as usize]
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// Calls `f` on each field of a data line.
pub fn for_each_field<'a>(line: &'a str, sep: Separator, mut f: impl FnMut(&'a str)) {
    match sep {
        Separator::Whitespace | Separator::WhitespaceDecimalComma => {
            line.split_ascii_whitespace().for_each(f)
        }
        Separator::Comma | Separator::Semicolon => {
            let c = if sep == Separator::Comma { ',' } else { ';' };
            let mut fields = line.split(c).map(str::trim).peekable();
            while let Some(field) = fields.next() {
                // A trailing separator (`1,2,`) is not an empty column.
                if field.is_empty() && fields.peek().is_none() {
                    break;
                }
                f(field);
            }
        }
    }
}

/// Splits a line into owned fields (for headers; data rows use [`for_each_field`]).
pub fn fields(line: &str, sep: Separator) -> Vec<&str> {
    let mut out = Vec::new();
    for_each_field(line, sep, |f| out.push(f));
    out
}

/// Number of fields when every field is a number, else None.
fn numeric_width(line: &str, sep: Separator) -> Option<usize> {
    let mut n = 0usize;
    let mut ok = true;
    for_each_field(line, sep, |f| {
        if ok && parse_number(f, sep).is_some() {
            n += 1;
        } else {
            ok = false;
        }
    });
    (ok && n > 0).then_some(n)
}

fn looks_numeric_start(line: &str) -> bool {
    matches!(
        line.trim_start().as_bytes().first(),
        Some(b'0'..=b'9' | b'-' | b'+' | b'.')
    )
}

/// Whether a line is two or more whitespace-separated numbers with a decimal comma
/// (`1,25  0,998`): every field has at most one comma, one field at least has one, and every
/// field parses once its comma is a point.
fn is_decimal_comma_row(line: &str) -> bool {
    let mut fields = 0;
    let mut with_comma = 0;
    for f in line.split_ascii_whitespace() {
        fields += 1;
        let commas = f.bytes().filter(|&b| b == b',').count();
        if commas > 1 || parse_number(f, Separator::WhitespaceDecimalComma).is_none() {
            return false;
        }
        with_comma += usize::from(commas == 1);
    }
    fields >= 2 && with_comma > 0
}

/// Guesses the separator from the first lines that start like numbers.
pub fn detect_separator(lines: &[&str]) -> Separator {
    let mut semicolon = 0;
    let mut comma = 0;
    let mut decimal_comma = 0;
    let mut seen = 0;
    for line in lines
        .iter()
        .filter(|l| !is_comment(l) && looks_numeric_start(l))
    {
        if line.contains(';') {
            semicolon += 1;
        } else if is_decimal_comma_row(line) {
            decimal_comma += 1;
        } else if line.contains(',') {
            comma += 1;
        }
        seen += 1;
        if seen >= 8 {
            break;
        }
    }
    if semicolon * 2 > seen {
        Separator::Semicolon
    } else if decimal_comma * 2 > seen {
        Separator::WhitespaceDecimalComma
    } else if comma * 2 > seen {
        Separator::Comma
    } else {
        Separator::Whitespace
    }
}

/// Rows a numeric run needs to be taken as the data block without looking further.
const RUN_ACCEPT: usize = 5;

/// Length of the run of numeric rows of width `n` starting at line `i` (blank and comment lines
/// do not break it), counted up to [`RUN_ACCEPT`], and the index after its last counted row.
fn run_length(lines: &[&str], i: usize, n: usize, sep: Separator) -> (usize, usize) {
    let mut len = 0;
    let mut j = i;
    let mut end = i;
    while j < lines.len() && len < RUN_ACCEPT {
        let l = lines[j];
        j += 1;
        if l.trim().is_empty() || is_comment(l) {
            continue;
        }
        if numeric_width(l, sep) == Some(n) {
            len += 1;
            end = j;
        } else {
            break;
        }
    }
    (len, end)
}

/// Index of the first line of the data block at or after `from`, and its column count.
///
/// The block is the first run of at least five numeric rows with one column count, else the
/// longest run. It then grows upwards over rows with the same count and over single
/// non-numeric lines sitting between such rows, so a bad row near the top is reported as a bad
/// row rather than swallowed into the header.
pub fn find_data_start(lines: &[&str], from: usize, sep: Separator) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None; // (start, width, len)
    let mut i = from;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || is_comment(line) {
            i += 1;
            continue;
        }
        match numeric_width(line, sep) {
            Some(n) => {
                let (len, end) = run_length(lines, i, n, sep);
                if len >= RUN_ACCEPT {
                    best = Some((i, n, len));
                    break;
                }
                if best.is_none_or(|b| len > b.2) {
                    best = Some((i, n, len));
                }
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    let (mut start, width, _) = best?;
    // Grow upwards.
    let prev_data = |k: usize| -> Option<usize> {
        (from..k)
            .rev()
            .find(|&j| !lines[j].trim().is_empty() && !is_comment(lines[j]))
    };
    while let Some(j) = prev_data(start) {
        if numeric_width(lines[j], sep) == Some(width) {
            start = j;
            continue;
        }
        // A lone bad line with data rows of the same width above it.
        match prev_data(j) {
            Some(k) if numeric_width(lines[k], sep) == Some(width) => start = k,
            _ => break,
        }
    }
    Some((start, width))
}

/// The numeric block of a file: one vector per column, and the 1-based line of each row.
#[derive(Debug, Default)]
pub struct Table {
    pub columns: Vec<Vec<f64>>,
    pub lines: Vec<usize>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    pub fn width(&self) -> usize {
        self.columns.len()
    }
}

/// Parses rows `lines[start..]` with `width` columns. Bad rows become diagnostics.
/// `ends_with_newline` tells whether a short last row may be a truncation.
pub fn parse_block(
    path: &Path,
    lines: &[&str],
    start: usize,
    width: usize,
    sep: Separator,
    ends_with_newline: bool,
    diags: &mut Vec<Diagnostic>,
) -> Table {
    let cap = lines.len().saturating_sub(start);
    let mut table = Table {
        columns: (0..width).map(|_| Vec::with_capacity(cap)).collect(),
        lines: Vec::with_capacity(cap),
    };
    let mut row: Vec<f64> = Vec::with_capacity(width + 1);
    let last = lines.len().saturating_sub(1);
    for (offset, line) in lines[start..].iter().enumerate() {
        let idx = start + offset;
        let line_no = idx + 1;
        if is_blank_or_comment(line) {
            continue;
        }
        row.clear();
        let mut bad: Option<&str> = None;
        let mut count = 0usize;
        for_each_field(line, sep, |f| {
            count += 1;
            if bad.is_some() {
                return;
            }
            match parse_number(f, sep) {
                Some(v) => row.push(v),
                None => bad = Some(f),
            }
        });
        let truncated = idx == last && !ends_with_newline;
        if let Some(field) = bad {
            let shown: String = field.chars().take(24).collect();
            let reason = if truncated {
                format!("truncated last row (file ends mid-line): `{}`", clip(line))
            } else if field.is_empty() {
                "empty field: row skipped".to_string()
            } else {
                format!("not a number: `{shown}`: row skipped")
            };
            diags.push(Diagnostic::new(path, Some(line_no), reason));
            continue;
        }
        if truncated
            && count == width
            && let Some(reason) = cut_mid_number(lines, start, idx, sep)
        {
            diags.push(Diagnostic::new(path, Some(line_no), reason));
            continue;
        }
        if count != width {
            let reason = if truncated && count < width {
                format!(
                    "truncated last row (file ends mid-line): {count} of {width} columns: row skipped"
                )
            } else {
                format!("expected {width} columns, found {count}: row skipped")
            };
            diags.push(Diagnostic::new(path, Some(line_no), reason));
            continue;
        }
        for (col, v) in table.columns.iter_mut().zip(row.iter()) {
            col.push(*v);
        }
        table.lines.push(line_no);
    }
    table
}

/// Rows above the last one whose last field sets the width a complete value has.
const WIDTH_ROWS: usize = 5;

/// Why the last row of a file that ends without a newline looks cut mid-number, if it does:
/// its last value ends in `.`, `e`, `E`, `+` or `-` (where the rows above do not), or it is
/// shorter than the last value of each of the (up to five) data rows above, which all have one
/// width (fixed-width output: `0.9` where the others read `0.998700`).
fn cut_mid_number(lines: &[&str], start: usize, idx: usize, sep: Separator) -> Option<String> {
    fn last_field(line: &str, sep: Separator) -> &str {
        let mut f = "";
        for_each_field(line, sep, |x| f = x);
        f
    }
    let value = last_field(lines[idx], sep);
    let above: Vec<&str> = lines[start..idx]
        .iter()
        .rev()
        .filter(|l| !is_blank_or_comment(l))
        .take(WIDTH_ROWS)
        .map(|l| last_field(l, sep))
        .collect();
    let dangling = |f: &str| f.ends_with(['.', 'e', 'E', '+', '-']);
    if dangling(value) && !above.iter().any(|f| dangling(f)) {
        return Some(format!(
            "truncated last row (file ends mid-number, no final newline): last value `{}` is incomplete: row skipped",
            clip(value)
        ));
    }
    let width = above.first()?.chars().count();
    let fixed = above.len() >= 2 && above.iter().all(|f| f.chars().count() == width);
    (fixed && value.chars().count() < width).then(|| {
        format!(
            "truncated last row (file ends mid-number, no final newline): last value `{}` has {} characters where the rows above have {width}: row skipped",
            clip(value),
            value.chars().count()
        )
    })
}

/// A line cut to a readable length for messages.
pub fn clip(line: &str) -> String {
    let t = line.trim();
    if t.chars().count() > 40 {
        let head: String = t.chars().take(40).collect();
        format!("{head}…")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_accept_fortran_exponents_and_decimal_comma() {
        assert_eq!(parse_number("1.0D+01", Separator::Whitespace), Some(10.0));
        assert_eq!(parse_number("2.5d-1", Separator::Whitespace), Some(0.25));
        assert_eq!(parse_number("1,5", Separator::Semicolon), Some(1.5));
        assert_eq!(parse_number("1,5", Separator::Comma), None);
        assert_eq!(parse_number("abc", Separator::Whitespace), None);
        assert!(parse_number("NaN", Separator::Whitespace).is_some_and(f64::is_nan));
        assert_eq!(
            parse_number("-inf", Separator::Whitespace),
            Some(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn fast_path_agrees_with_the_standard_parser() {
        let mut state = 0x1234_5678_9abc_def0_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for _ in 0..200_000 {
            let bits = next();
            let v = f64::from_bits(bits);
            if !v.is_finite() {
                continue;
            }
            let scale = 10f64.powi((next() % 40) as i32 - 20);
            let x = (v.abs() % 1.0e3) * scale * if bits & 1 == 0 { 1.0 } else { -1.0 };
            let precision = (next() % 17) as usize;
            for text in [
                format!("{x:.precision$e}"),
                format!("{x:.precision$}"),
                format!("{x}"),
                format!("{:+.5E}", x),
            ] {
                let expected: f64 = text.parse().expect("std parses what Rust prints");
                if let Some(fast) = clinger_fast_path(text.as_bytes()) {
                    assert_eq!(fast.to_bits(), expected.to_bits(), "{text}");
                    checked += 1;
                }
                assert_eq!(
                    parse_number(&text, Separator::Whitespace),
                    Some(expected),
                    "{text}"
                );
            }
        }
        assert!(checked > 200_000, "the fast path took {checked} cases");
        for odd in [
            "", "-", ".", "e5", "1e", "1.2.3", "1e+", "0x10", "--1", "1 ",
        ] {
            assert_eq!(clinger_fast_path(odd.as_bytes()), None, "{odd:?}");
        }
        assert_eq!(
            clinger_fast_path(b"-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(clinger_fast_path(b".5"), Some(0.5));
        assert_eq!(clinger_fast_path(b"5."), Some(5.0));
    }

    #[test]
    fn separators_are_detected_from_numeric_lines() {
        assert_eq!(detect_separator(&["Q,S", "1,2", "3,4"]), Separator::Comma);
        assert_eq!(
            detect_separator(&["# a;b", "1;2", "3;4"]),
            Separator::Semicolon
        );
        assert_eq!(detect_separator(&["1\t2", "3 4"]), Separator::Whitespace);
        assert_eq!(fields("1, 2 ,3,", Separator::Comma), vec!["1", "2", "3"]);
    }

    #[test]
    fn data_start_skips_bare_header_lines_and_short_runs() {
        let lines = [
            "title line",
            "1 2 3 4",
            "x label",
            "0.1 1",
            "0.2 2",
            "0.3 3",
            "0.4 4",
            "0.5 5",
            "0.6 6",
        ];
        assert_eq!(
            find_data_start(&lines, 0, Separator::Whitespace),
            Some((3, 2))
        );
        // A short file whose whole tail is numeric is accepted.
        let short = ["# h", "1 2", "3 4"];
        assert_eq!(
            find_data_start(&short, 0, Separator::Whitespace),
            Some((1, 2))
        );
        // A bad row near the top stays inside the block (to be reported), not in the header.
        let bad_top = [
            "# Q S", "1 2", "2 3", "3 x", "4 5", "5 6", "6 7", "7 8", "8 9",
        ];
        assert_eq!(
            find_data_start(&bad_top, 0, Separator::Whitespace),
            Some((1, 2))
        );
        // A truncated last line does not hide the rows above it.
        let cut = ["# Q S", "1 2", "2 3", "3 4", "4"];
        assert_eq!(
            find_data_start(&cut, 0, Separator::Whitespace),
            Some((1, 2))
        );
        assert_eq!(find_data_start(&["a", "b"], 0, Separator::Whitespace), None);
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers() {
        let lines = ["1 10", "2 20", "3 x", "4", "5 50", "6 6"];
        let mut diags = Vec::new();
        let t = parse_block(
            Path::new("f.xy"),
            &lines,
            0,
            2,
            Separator::Whitespace,
            false,
            &mut diags,
        );
        assert_eq!(t.columns[0], vec![1.0, 2.0, 5.0, 6.0]);
        assert_eq!(t.lines, vec![1, 2, 5, 6]);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].line, Some(3));
        assert!(diags[0].message.contains("not a number: `x`"));
        assert_eq!(diags[1].line, Some(4));
        assert!(diags[1].message.contains("expected 2 columns, found 1"));
    }

    #[test]
    fn truncated_last_row_is_named() {
        let lines = ["1 10", "2 20", "3"];
        let mut diags = Vec::new();
        let t = parse_block(
            Path::new("f"),
            &lines,
            0,
            2,
            Separator::Whitespace,
            false,
            &mut diags,
        );
        assert_eq!(t.rows(), 2);
        assert!(
            diags[0].message.contains("truncated"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn a_last_row_cut_mid_number_is_dropped_and_named() {
        let parse = |lines: &[&str], newline: bool| {
            let mut diags = Vec::new();
            let t = parse_block(
                Path::new("f"),
                lines,
                0,
                2,
                Separator::Whitespace,
                newline,
                &mut diags,
            );
            (t.rows(), diags)
        };
        let fixed = ["1.0 0.512345", "1.1 0.612345", "1.2 0.712345", "1.3 0.9"];
        let (rows, diags) = parse(&fixed, false);
        assert_eq!(rows, 3);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, Some(4));
        assert!(
            diags[0]
                .message
                .contains("`0.9` has 3 characters where the rows above have 8"),
            "{}",
            diags[0].message
        );
        assert_eq!(
            parse(&fixed, true).0,
            4,
            "a final newline: the row is whole"
        );
        let dangling = ["1 2.5", "2 3.25", "3 4.125", "4 5."];
        let (rows, diags) = parse(&dangling, false);
        assert_eq!((rows, diags[0].line), (3, Some(4)));
        assert!(diags[0].message.contains("`5.` is incomplete"));
        let varied = ["1 2.5", "2 3.25", "3 4.125", "4 5.1"];
        assert_eq!(parse(&varied, false), (4, Vec::new()), "widths vary: kept");
    }

    #[test]
    fn decimal_commas_between_whitespace_are_read() {
        let lines = ["# Q S(Q)", "1,25  0,998", "1,30\t1,002", "1,35  1,5"];
        let sep = detect_separator(&lines);
        assert_eq!(sep, Separator::WhitespaceDecimalComma);
        assert_eq!(fields(lines[1], sep), vec!["1,25", "0,998"]);
        assert_eq!(parse_number("0,998", sep), Some(0.998));
        assert_eq!(find_data_start(&lines, 0, sep), Some((1, 2)));
        assert_eq!(detect_separator(&["1.0,2.0", "2.0,3.0"]), Separator::Comma);
        assert_eq!(
            detect_separator(&["1.0, 2.0", "2.0, 3.0"]),
            Separator::Comma
        );
        assert_eq!(detect_separator(&["1,0,2", "2,0,3"]), Separator::Comma);
    }

    #[test]
    fn lines_split_as_str_split_does() {
        let by_split = |text: &str| -> Vec<String> {
            let mut lines: Vec<&str> = text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect();
            if lines.last() == Some(&"") {
                lines.pop();
            }
            if lines.len() == 1 && lines[0].contains('\r') {
                return lines[0].split('\r').map(String::from).collect();
            }
            lines.into_iter().map(String::from).collect()
        };
        for text in [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\r\nb\r\n",
            "a\r\n\r\nb",
            "a\rb\rc",
            "a\rb\rc\n",
            "\r",
            "\r\n",
            "é 1,5\n€ 2\n\n  \t\n# x\r\n0.5 1e-3",
            "1 2\n3 4\r\r\n5 6",
        ] {
            assert_eq!(split_lines(text), by_split(text), "{text:?}");
        }
    }

    #[test]
    fn byte_order_marks_and_utf16_are_decoded() {
        let (t, note) = decode_text(b"\xef\xbb\xbfQ S\n1 2\n").expect("utf-8");
        assert_eq!(t, "Q S\n1 2\n");
        assert_eq!(note.as_deref(), Some("UTF-8 byte-order mark dropped"));
        let text = "# Q S(Q)\n1 0.5\n";
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        for (bytes, how) in [
            (le, "UTF-16 LE (with a byte-order mark)"),
            (be, "UTF-16 BE (with a byte-order mark)"),
            (bare, "UTF-16 LE (no byte-order mark"),
        ] {
            let (t, note) = decode_text(&bytes).expect("utf-16");
            assert_eq!(t, text);
            assert!(note.is_some_and(|n| n.contains(how)), "{how}");
        }
        assert!(decode(b"\xef\xbb\xbf").is_err());
        assert!(
            decode(b"\xff\xfe\0\0abcd").is_err(),
            "UTF-32 is not text here"
        );
    }

    #[test]
    fn binary_and_empty_input_are_refused() {
        assert!(decode(b"").is_err());
        assert!(decode(b"1 2\n\0\0").unwrap_err().contains("binary"));
        let latin1 = b"# T = 300 \xb0C\n1 2\n";
        assert!(decode(latin1).is_ok_and(|s| s.contains("°C")));
    }
}
