//! `pyfai`: 1D integrations written by pyFAI (`save1D`, legacy `makeHeaders`, `AsciiWriter`)
//! and by Dioptas `.xy` (pyFAI's header behind a second `# `).
//!
//! Recognised by: a `#` comment line in the head (the first 200 lines) naming pyFAI or Dioptas,
//! or a `#` column line starting with a pyFAI unit token (`2th_deg`, `q_nm^-1`, `q_A^-1`).
//!
//! Rules:
//! - header entries are `# Key: value` lines; `Wavelength` is in metres, with or without the `m`
//!   (converted to Å by the header reader), and converts a 2θ axis to Q;
//! - the x unit is the unit token of the column line;
//! - the quantity is intensity unless the y column name says otherwise.

use super::super::text;
use super::{Family, Format, Probe};
use crate::model::Quantity;

/// The pyFAI / Dioptas layout.
pub(super) struct Pyfai;

impl Family for Pyfai {
    fn detect(&self, probe: &Probe) -> Option<Format> {
        let comment_head = || probe.head.iter().filter(|l| text::is_comment(l));
        let claimed = comment_head().any(|l| l.contains("pyFAI") || l.contains("Dioptas"))
            || comment_head().any(|l| {
                let s = text::strip_comment(l).to_ascii_lowercase();
                s.starts_with("2th_deg") || s.starts_with("q_nm^-1") || s.starts_with("q_a^-1")
            });
        claimed.then_some(Format::Pyfai)
    }

    fn default_quantity(&self, _ext: &str) -> Option<Quantity> {
        Some(Quantity::Intensity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(head: &[&str]) -> Option<Format> {
        Pyfai.detect(&Probe {
            ext: "xy",
            lines: head,
            head,
            marker: None,
        })
    }

    #[test]
    fn claims_files_naming_pyfai_or_a_unit_token() {
        assert_eq!(detect(&["# == pyFAI calibration =="]), Some(Format::Pyfai));
        assert_eq!(detect(&["# # Dioptas"]), Some(Format::Pyfai));
        assert_eq!(
            detect(&["#       q_nm^-1             I"]),
            Some(Format::Pyfai)
        );
        assert_eq!(detect(&["# 2th_deg I"]), Some(Format::Pyfai));
        assert_eq!(detect(&["# Q_A^-1 I"]), Some(Format::Pyfai));
        assert_eq!(detect(&["pyFAI output"]), None, "not a comment");
        assert_eq!(detect(&["# q I"]), None);
        assert_eq!(Pyfai.default_quantity("dat"), Some(Quantity::Intensity));
    }
}
