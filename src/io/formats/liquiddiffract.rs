//! `liquiddiffract`: S(Q), g(r) and RDF(r) files saved by LiquidDiffract (`*_SQ.dat`,
//! `*_gr.dat`, `*_rdf.dat`).
//!
//! Recognised by: a head line (the first 200 lines) naming `LiquidDiffract`.
//!
//! Rules: the header is `#` lines (`Rho = …`, `S_inf = …`, composition); the last header line is
//! the column line with names split by `|` (`#Q|S(Q)|i(Q)*M(Q)`, `r|g(r)`, `r|rdf`), which gives
//! the x unit (Q in Å⁻¹, r in Å) and the quantity. Everything else is the `columns` rules (the
//! quantity falls back to the extension, so a bare `.dat` without names states none).

use super::{Family, Format, Probe};

/// The LiquidDiffract layout.
pub(super) struct LiquidDiffract;

impl Family for LiquidDiffract {
    fn detect(&self, probe: &Probe) -> Option<Format> {
        probe
            .any("LiquidDiffract")
            .then_some(Format::LiquidDiffract)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_files_naming_liquiddiffract_in_the_head() {
        let lines = ["#Refined S(Q)", "#LiquidDiffract v1.1.7", "1 2"];
        let probe = |head| Probe {
            ext: "dat",
            lines: &lines,
            head,
            marker: None,
        };
        assert_eq!(
            LiquidDiffract.detect(&probe(&lines)),
            Some(Format::LiquidDiffract)
        );
        assert_eq!(LiquidDiffract.detect(&probe(&lines[..1])), None);
    }
}
