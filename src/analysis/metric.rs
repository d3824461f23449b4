//! The quantities a series is plotted against T with: one name for each, shared by the
//! analysis (its smoothed curves), the report (`metrics.csv` columns) and the UI (panels).

use serde::{Deserialize, Serialize};

/// A quantity versus T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Metric {
    /// FSDP first moment Q̄1 = Σ Q S / Σ S over the FSDP window (1/Å).
    FsdpFirstMoment,
    /// FSDP area A1 = ∫ S dQ over the window (1/Å).
    FsdpArea,
    /// Area of the first positive lobe of G(r) relative to its mean over the series.
    R1Relative,
    /// Area of the sixth positive lobe of G(r) relative to its mean over the series.
    R6Relative,
    /// Fraction of the 1-atom (vertex) connection mode.
    Fraction1,
    /// Fraction of the 2-atom (edge) connection mode.
    Fraction2,
    /// Fraction of the 3-atom (face) connection mode.
    Fraction3,
    /// Fraction of the 4-atom (intercross) connection mode.
    Fraction4,
    /// Root-mean-square residual of the connection-mode fit.
    FitRmse,
}

impl Metric {
    /// Every metric, in the order the analysis computes and reports them.
    pub const ALL: [Metric; 9] = [
        Metric::FsdpFirstMoment,
        Metric::FsdpArea,
        Metric::R1Relative,
        Metric::R6Relative,
        Metric::Fraction1,
        Metric::Fraction2,
        Metric::Fraction3,
        Metric::Fraction4,
        Metric::FitRmse,
    ];

    /// The fractions of the four modes, in mode order (1-, 2-, 3-, 4-atom).
    pub const FRACTIONS: [Metric; 4] = [
        Metric::Fraction1,
        Metric::Fraction2,
        Metric::Fraction3,
        Metric::Fraction4,
    ];

    /// The column name (`fsdp_first_moment`, `frac_2atom`, …) used in files.
    pub fn key(self) -> &'static str {
        match self {
            Metric::FsdpFirstMoment => "fsdp_first_moment",
            Metric::FsdpArea => "fsdp_area",
            Metric::R1Relative => "r1_relative",
            Metric::R6Relative => "r6_relative",
            Metric::Fraction1 => "frac_1atom",
            Metric::Fraction2 => "frac_2atom",
            Metric::Fraction3 => "frac_3atom",
            Metric::Fraction4 => "frac_4atom",
            Metric::FitRmse => "fit_rmse",
        }
    }

    /// The mode (0–3) of a fraction metric.
    pub fn mode(self) -> Option<usize> {
        Metric::FRACTIONS.iter().position(|&m| m == self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_fractions_know_their_mode() {
        let mut keys: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Metric::ALL.len());
        assert_eq!(Metric::Fraction3.mode(), Some(2));
        assert_eq!(Metric::FitRmse.mode(), None);
        assert_eq!(Metric::FRACTIONS[1].key(), "frac_2atom");
    }
}
