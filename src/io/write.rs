//! Writing patterns and temperature logs as text that Glassray (and numpy, PDFgui, …) read back.
//!
//! Numbers are written with Rust's shortest round-trip formatting, so reading a written file
//! gives back exactly the same `f64` values.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::model::Pattern;

/// A two-column pattern text with a `#` header of `key = value` lines, then a column-name line.
pub fn pattern_text(pattern: &Pattern, header: &[(String, String)]) -> String {
    let mut s = String::with_capacity(pattern.x.len() * 40 + 256);
    for (k, v) in header {
        let _ = writeln!(s, "# {k} = {v}");
    }
    let x_name = match pattern.x_unit {
        crate::model::XUnit::QInvAngstrom => "Q(A^-1)",
        crate::model::XUnit::RAngstrom => "r(A)",
        crate::model::XUnit::TwoThetaDeg => "2theta(deg)",
    };
    let _ = writeln!(s, "# {x_name} {}", pattern.quantity.label());
    for (x, y) in pattern.x.iter().zip(&pattern.y) {
        let _ = writeln!(s, "{x} {y}");
    }
    s
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, then a rename,
/// so a crash never leaves a half-written file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
