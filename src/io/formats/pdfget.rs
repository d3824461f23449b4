//! `pdfgetx3`, `pdfgetx2`, `pdfgetn`: outputs of PDFgetX3 (diffpy.pdfgetx / xPDFsuite),
//! PDFgetX2 and PDFgetN (`.iq`, `.sq`, `.fq`, `.gr`).
//!
//! Recognised by: a `#### start data` marker line (three or more `#` then `start data`, any
//! case), checked before every other family. The lines above the marker then name the variant:
//! `[PDF]`, `PDFgetX3`, `xPDFsuite` or `[DEFAULT]` → PDFgetX3; `Get_XPDF` or `PDFgetX2` →
//! PDFgetX2; `PDFgetN` or `Run Information` → PDFgetN; none of these → PDFgetX3.
//!
//! Rules:
//! - the data block is searched below the marker (the same holds for any file with a marker that
//!   the user reads as another non-Fit2D, non-GSAS format);
//! - the `key = value` config above the marker gives the header entries (`outputtype` names the
//!   quantity, `wavelength`, `composition`); the `#L` line below it names the columns
//!   (`Q(Å$^{-1}$) S(a.u.)`, `r($\AA$) G($\AA^{-2}$)`), hence the x unit and the quantity;
//! - the quantity falls back to the extension (`.iq` intensity, `.sq` S(Q), `.fq` F(Q), `.gr`
//!   G(r));
//! - numeric rows read as header above the block are reported for PDFgetX3 only; PDFgetX2 and
//!   PDFgetN files are not checked for them.

use super::{Family, Format, Probe};

/// The PDFget layout, one value per variant.
pub(super) struct PdfGet {
    format: Format,
}

pub(super) const PDFGET_X3: PdfGet = PdfGet {
    format: Format::PdfGetX3,
};
pub(super) const PDFGET_X2: PdfGet = PdfGet {
    format: Format::PdfGetX2,
};
pub(super) const PDFGET_N: PdfGet = PdfGet {
    format: Format::PdfGetN,
};

/// Whether a line is the `#### start data` marker.
pub(super) fn is_marker(line: &str) -> bool {
    // Cheap rejections first: this runs on every line of every file. A line starting with an
    // ASCII byte that is neither whitespace nor `#` (a data row) cannot start with `###`.
    if let Some(&b) = line.as_bytes().first()
        && b.is_ascii()
        && b != b'#'
        && !char::from(b).is_whitespace()
    {
        return false;
    }
    if !line.as_bytes().iter().take(8).any(|&b| b == b'#') {
        return false;
    }
    let t = line.trim_start();
    t.starts_with("###") && t.to_ascii_lowercase().contains("start data")
}

impl Family for PdfGet {
    /// Claims every file with a marker, whichever variant `self` is, and names the variant.
    fn detect(&self, probe: &Probe) -> Option<Format> {
        probe.marker?;
        let any = |needle: &str| probe.any(needle);
        Some(
            if any("[PDF]") || any("PDFgetX3") || any("xPDFsuite") || any("[DEFAULT]") {
                Format::PdfGetX3
            } else if any("Get_XPDF") || any("PDFgetX2") {
                Format::PdfGetX2
            } else if any("PDFgetN") || any("Run Information") {
                Format::PdfGetN
            } else {
                Format::PdfGetX3
            },
        )
    }

    fn reports_stray_rows(&self) -> bool {
        self.format != Format::PdfGetN && self.format != Format::PdfGetX2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_found_as_before_the_cheap_rejection() {
        let slow = |line: &str| {
            line.as_bytes().iter().take(8).any(|&b| b == b'#') && {
                let t = line.trim_start();
                t.starts_with("###") && t.to_ascii_lowercase().contains("start data")
            }
        };
        for line in [
            "#### start data",
            "  #### Start Data",
            "\u{b}### start data",
            "\u{a0}### start data",
            "\u{3000}### start data",
            "        ### start data",
            "       ### start data",
            "0.5 1.0",
            "-1 ### start data",
            "",
            "# start data",
            "x#### start data",
        ] {
            assert_eq!(is_marker(line), slow(line), "{line:?}");
        }
    }

    #[test]
    fn the_marker_line() {
        assert!(is_marker("#### start data"));
        assert!(is_marker("  ### Start Data here"));
        assert!(!is_marker("## start data"));
        assert!(
            !is_marker("         #### start data"),
            "# past the 8th byte"
        );
        assert!(!is_marker("#### end data"));
    }

    #[test]
    fn the_head_names_the_variant() {
        let variant = |head: &[&str], marker| {
            PDFGET_N.detect(&Probe {
                ext: "gr",
                lines: head,
                head,
                marker,
            })
        };
        assert_eq!(variant(&["[DEFAULT]"], None), None, "no marker");
        assert_eq!(variant(&["[DEFAULT]"], Some(1)), Some(Format::PdfGetX3));
        assert_eq!(variant(&["# PDFgetX2"], Some(1)), Some(Format::PdfGetX2));
        assert_eq!(variant(&["# Get_XPDF"], Some(1)), Some(Format::PdfGetX2));
        assert_eq!(
            variant(&["Run Information"], Some(1)),
            Some(Format::PdfGetN)
        );
        assert_eq!(
            variant(&["PDFgetN", "xPDFsuite"], Some(2)),
            Some(Format::PdfGetX3)
        );
        assert_eq!(variant(&["anything"], Some(1)), Some(Format::PdfGetX3));
    }

    #[test]
    fn only_pdfgetx3_reports_stray_rows() {
        assert!(PDFGET_X3.reports_stray_rows());
        assert!(!PDFGET_X2.reports_stray_rows());
        assert!(!PDFGET_N.reports_stray_rows());
        let lines = ["a", "#### start data", "1 2"];
        assert_eq!(PDFGET_X3.anchor(&lines, Some(1)).from, 2);
    }
}
