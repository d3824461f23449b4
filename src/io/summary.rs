//! What a caller must act on after a load, as typed values: [`SeriesLoad::problems`].
//!
//! The per-file lists (`failed`, `ignored`, `log_problems`, each pattern's problems) say what
//! went wrong with one file; these say what is wrong with the series as a whole:
//! - nothing loaded;
//! - every pattern's quantity unknown (nothing can be analysed: the CLI exits 1 with the reason,
//!   pointing at `--quantity`);
//! - no pattern with a temperature (the index is the axis);
//! - the series is one part of a folder that mixed materials or quantities (`group.rs`).

use std::fmt;

use super::SeriesLoad;
use crate::model::Quantity;

/// The start of the note a series split from a mixed folder carries (main part and others).
pub const MIXED_FOLDER_NOTE: &str = "mixed folder: ";

/// A problem with a loaded series as a whole (see the module notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// No pattern was loaded (every file failed or was ignored, or there were none).
    NoPatterns,
    /// No pattern's quantity is known: nothing says it and the values did not tell.
    QuantityUnknown { patterns: usize },
    /// Some patterns' quantity is unknown, others' known.
    SomeQuantitiesUnknown { unknown: usize, patterns: usize },
    /// No pattern has a temperature: the pattern index is the axis.
    NoTemperature { patterns: usize },
    /// The series is one part of a folder that mixed materials or quantities; `main` is true
    /// for the part loaded first (the largest). The series notes say how it was split.
    MixedFolder { main: bool },
}

impl LoadProblem {
    /// Whether the series cannot be analysed at all (a command should fail with the reason).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            LoadProblem::NoPatterns | LoadProblem::QuantityUnknown { .. }
        )
    }
}

impl fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadProblem::NoPatterns => write!(f, "no pattern was loaded"),
            LoadProblem::QuantityUnknown { patterns } => write!(
                f,
                "the quantity of all {patterns} pattern(s) is unknown (no column label, header key or extension says it, and the values did not tell): set it with --quantity (sq, fq, s-1, iq, gr, g(r), rdf)"
            ),
            LoadProblem::SomeQuantitiesUnknown { unknown, patterns } => write!(
                f,
                "the quantity of {unknown} of {patterns} pattern(s) is unknown: set it with --quantity"
            ),
            LoadProblem::NoTemperature { patterns } => write!(
                f,
                "none of the {patterns} pattern(s) has a temperature (no header, file name, log or ramp gives one): the pattern index is the axis"
            ),
            LoadProblem::MixedFolder { main: true } => write!(
                f,
                "the folder mixes materials or quantities: this is its main series, the other files are loaded as series of their own"
            ),
            LoadProblem::MixedFolder { main: false } => write!(
                f,
                "the folder mixes materials or quantities: this series holds files set apart from its main series"
            ),
        }
    }
}

impl SeriesLoad {
    /// How many patterns have an unknown quantity.
    pub fn quantity_unknown(&self) -> usize {
        self.series
            .patterns
            .iter()
            .filter(|p| p.quantity == Quantity::Unknown)
            .count()
    }

    /// How many patterns have no temperature.
    pub fn without_temperature(&self) -> usize {
        self.series
            .patterns
            .iter()
            .filter(|p| p.temperature.is_none())
            .count()
    }

    /// The problems of the series as a whole, most serious first (see [`LoadProblem`]).
    pub fn problems(&self) -> Vec<LoadProblem> {
        let patterns = self.series.patterns.len();
        let mut out = Vec::new();
        if patterns == 0 {
            out.push(LoadProblem::NoPatterns);
        } else {
            match self.quantity_unknown() {
                0 => {}
                n if n == patterns => out.push(LoadProblem::QuantityUnknown { patterns }),
                unknown => out.push(LoadProblem::SomeQuantitiesUnknown { unknown, patterns }),
            }
            if self.without_temperature() == patterns {
                out.push(LoadProblem::NoTemperature { patterns });
            }
        }
        if let Some(note) = self
            .series
            .notes
            .iter()
            .find(|n| n.starts_with(MIXED_FOLDER_NOTE))
        {
            out.push(LoadProblem::MixedFolder {
                main: !note[MIXED_FOLDER_NOTE.len()..].starts_with("split from"),
            });
        }
        out
    }

    /// The reason the series cannot be analysed, if it cannot (first fatal problem).
    pub fn fatal_problem(&self) -> Option<LoadProblem> {
        self.problems().into_iter().find(LoadProblem::is_fatal)
    }
}
