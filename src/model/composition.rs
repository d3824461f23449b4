//! A sample's chemical composition, parsed from a formula: `Zr52.5Cu17.9Ni14.6Al10Ti5`,
//! `Mg2SiO4`, `Fe81S19`, `Ce70Al10Ni10Cu10`.
//!
//! Grammar: one or more `Symbol[amount]`, where a symbol is a capital letter and an optional
//! small letter naming an element H–U (Z = 1–92), and an amount is a decimal number (`52.5`,
//! `2`, `.5`, `10.`) that defaults to 1. Elements may come in any order; a repeated element's
//! amounts are summed (`CuZrCu` = `Cu2Zr`). Spaces and tabs between and around the parts are
//! ignored (`Zr 52.5 Cu 17.9`). Amounts are relative: atomic fractions are cᵢ = nᵢ / Σ n.
//!
//! Everything else is an error naming what is wrong and where (positions count characters from
//! 1): an unknown symbol (`Zz2`), a character that starts no symbol or amount (`Cu-1`, `cu`,
//! `Cu1e3`, `(`, `µ`), an amount that is zero or not finite (`Cu0`, a 400-digit number), or no
//! element at all (empty text). Parsing never panics.

use std::fmt;
use std::str::FromStr;

use super::elements::{atomic_mass, atomic_number, symbol};

/// Why a formula could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompositionError {
    #[error("the formula is empty: give elements and amounts, e.g. Zr52.5Cu17.9Ni14.6Al10Ti5")]
    Empty,
    #[error("unknown element '{symbol}' at position {position} (elements H to U are known)")]
    UnknownElement { symbol: String, position: usize },
    #[error("unexpected '{character}' at position {position}{hint}")]
    UnexpectedCharacter {
        character: char,
        position: usize,
        /// Extra advice, empty or starting with ": ".
        hint: String,
    },
    #[error("the amount '{text}' at position {position} is not a positive finite number")]
    BadAmount { text: String, position: usize },
}

/// One element of a composition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constituent {
    /// Atomic number (1–92).
    pub z: u8,
    /// Amount as written (summed over repeats), in the formula's own units.
    pub amount: f64,
    /// Atomic fraction cᵢ = nᵢ / Σ n (the fractions sum to 1).
    pub fraction: f64,
}

impl Constituent {
    /// The element's symbol.
    pub fn symbol(&self) -> &'static str {
        symbol(self.z).unwrap_or("?")
    }
}

/// A parsed composition: its elements in order of first appearance, with atomic fractions.
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    constituents: Vec<Constituent>,
}

impl Composition {
    /// Parses a formula (see the module doc for the grammar and the errors).
    pub fn parse(text: &str) -> Result<Composition, CompositionError> {
        let chars: Vec<char> = text.chars().collect();
        let mut amounts: Vec<(u8, f64)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' || c == '\t' {
                i += 1;
                continue;
            }
            if !c.is_ascii_uppercase() {
                return Err(unexpected(&chars, i));
            }
            let start = i;
            i += 1;
            if chars.get(i).is_some_and(|n| n.is_ascii_lowercase()) {
                i += 1;
            }
            let sym: String = chars[start..i].iter().collect();
            let z = atomic_number(&sym).ok_or(CompositionError::UnknownElement {
                symbol: sym,
                position: start + 1,
            })?;
            while chars.get(i).is_some_and(|&n| n == ' ' || n == '\t') {
                i += 1;
            }
            let amount_start = i;
            while chars
                .get(i)
                .is_some_and(|n| n.is_ascii_digit() || *n == '.')
            {
                i += 1;
            }
            let amount = if amount_start == i {
                1.0
            } else {
                let digits: String = chars[amount_start..i].iter().collect();
                parse_amount(&digits, amount_start + 1)?
            };
            match amounts.iter_mut().find(|(zz, _)| *zz == z) {
                Some((_, n)) => *n += amount,
                None => amounts.push((z, amount)),
            }
        }
        let total: f64 = amounts.iter().map(|(_, n)| n).sum();
        if amounts.is_empty() {
            return Err(CompositionError::Empty);
        }
        if !total.is_finite() {
            return Err(CompositionError::BadAmount {
                text: "the sum of the amounts".into(),
                position: 1,
            });
        }
        let constituents = amounts
            .into_iter()
            .map(|(z, amount)| Constituent {
                z,
                amount,
                fraction: amount / total,
            })
            .collect();
        Ok(Composition { constituents })
    }

    /// The elements in order of first appearance.
    pub fn constituents(&self) -> &[Constituent] {
        &self.constituents
    }

    /// Mean atomic mass Σ cᵢ Mᵢ (g/mol per atom).
    pub fn mean_atomic_mass(&self) -> f64 {
        self.constituents
            .iter()
            .map(|c| c.fraction * atomic_mass(c.z).unwrap_or(f64::NAN))
            .sum()
    }

    /// Mean atomic number Σ cᵢ Zᵢ (electrons per atom).
    pub fn mean_atomic_number(&self) -> f64 {
        self.constituents
            .iter()
            .map(|c| c.fraction * f64::from(c.z))
            .sum()
    }

    /// Number density ρ0 (atoms/Å³) of a sample of mass density `grams_per_cm3`:
    /// ρ0 = ρ N_A / M̄ × 10⁻²⁴ cm³/Å³.
    pub fn number_density(&self, grams_per_cm3: f64) -> f64 {
        grams_per_cm3 * AVOGADRO / self.mean_atomic_mass() * 1e-24
    }
}

/// Avogadro constant (mol⁻¹), exact since the 2019 SI.
const AVOGADRO: f64 = 6.022_140_76e23;

impl FromStr for Composition {
    type Err = CompositionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Composition::parse(s)
    }
}

/// The formula with repeats merged, amounts as given (`Zr52.5Cu17.9`; an amount of 1 is
/// written out as `1`), which parses back to the same composition.
impl fmt::Display for Composition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.constituents {
            write!(f, "{}{}", c.symbol(), c.amount)?;
        }
        Ok(())
    }
}

fn parse_amount(digits: &str, position: usize) -> Result<f64, CompositionError> {
    let bad = || CompositionError::BadAmount {
        text: digits.to_string(),
        position,
    };
    if digits.matches('.').count() > 1 || digits == "." {
        return Err(bad());
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(bad()),
    }
}

fn unexpected(chars: &[char], i: usize) -> CompositionError {
    let character = chars[i];
    let hint = if character.is_ascii_lowercase() {
        // A symbol written in small letters ("zr", "cu"): suggest the capitalised one.
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let capitalised = |s: &str| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        [capitalised(&two), capitalised(&two[..character.len_utf8()])]
            .into_iter()
            .find(|s| atomic_number(s).is_some())
            .map(|s| format!(": element symbols start with a capital letter ('{s}')"))
            .unwrap_or_else(|| ": element symbols start with a capital letter".into())
    } else if character.is_ascii_digit() || character == '.' {
        ": an amount follows the element it counts".into()
    } else if character == '-' || character == '+' {
        ": amounts are positive numbers without a sign".into()
    } else if character == '(' || character == ')' || character == '[' || character == ']' {
        ": brackets are not supported; write each element with its amount".into()
    } else {
        String::new()
    };
    CompositionError::UnexpectedCharacter {
        character,
        position: i + 1,
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fractions(text: &str) -> Vec<(&'static str, f64)> {
        Composition::parse(text)
            .expect(text)
            .constituents()
            .iter()
            .map(|c| (c.symbol(), c.fraction))
            .collect()
    }

    #[test]
    fn the_study_alloy_has_its_fractions_and_mean_mass() {
        let c = Composition::parse("Zr52.5Cu17.9Ni14.6Al10Ti5").expect("parse");
        let f = fractions("Zr52.5Cu17.9Ni14.6Al10Ti5");
        let want = [
            ("Zr", 0.525),
            ("Cu", 0.179),
            ("Ni", 0.146),
            ("Al", 0.10),
            ("Ti", 0.05),
        ];
        for ((s, x), (ws, wx)) in f.iter().zip(want) {
            assert_eq!(*s, ws);
            assert!((x - wx).abs() < 1e-12, "{s} {x}");
        }
        // SCIENCE.md: 72.93 g/mol; ~6.6 g/cm³ → ρ0 ≈ 0.0545 Å⁻³.
        assert!((c.mean_atomic_mass() - 72.928).abs() < 1e-3);
        assert!((c.number_density(6.6) - 0.0545).abs() < 5e-4);
        assert!((c.mean_atomic_number() - 32.679).abs() < 1e-9);
        assert_eq!(c.to_string(), "Zr52.5Cu17.9Ni14.6Al10Ti5");
    }

    #[test]
    fn formulas_in_any_order_with_spaces_defaults_and_repeats() {
        assert_eq!(
            fractions("Mg2SiO4"),
            vec![("Mg", 2.0 / 7.0), ("Si", 1.0 / 7.0), ("O", 4.0 / 7.0)]
        );
        assert_eq!(fractions("Fe81S19"), vec![("Fe", 0.81), ("S", 0.19)]);
        assert_eq!(fractions("Ce70Al10Ni10Cu10")[0], ("Ce", 0.7));
        assert_eq!(
            fractions(" Zr 52.5  Cu\t17.9 "),
            fractions("Zr52.5Cu17.9"),
            "spaces are ignored"
        );
        assert_eq!(
            fractions("CuZrCu"),
            vec![("Cu", 2.0 / 3.0), ("Zr", 1.0 / 3.0)]
        );
        assert_eq!(fractions("Cu.5Zr.5"), vec![("Cu", 0.5), ("Zr", 0.5)]);
        assert_eq!(fractions("Cu10.Zr10"), vec![("Cu", 0.5), ("Zr", 0.5)]);
        let c = Composition::parse("Mg2SiO4").expect("parse");
        assert_eq!(Composition::parse(&c.to_string()), Ok(c.clone()));
        assert!((c.mean_atomic_mass() - 140.691 / 7.0).abs() < 1e-3);
        assert_eq!(
            "Fe81S19"
                .parse::<Composition>()
                .map(|c| c.constituents().len()),
            Ok(2)
        );
    }

    #[test]
    fn errors_name_the_element_or_the_position() {
        use CompositionError::*;
        let err = |t: &str| Composition::parse(t).expect_err(t);
        assert_eq!(err(""), Empty);
        assert_eq!(err("   "), Empty);
        assert_eq!(
            err("Zz2"),
            UnknownElement {
                symbol: "Zz".into(),
                position: 1
            }
        );
        assert_eq!(
            err("Zr50Np50"),
            UnknownElement {
                symbol: "Np".into(),
                position: 5
            },
            "Np (Z = 93) is past uranium"
        );
        assert!(matches!(
            err("Cu-1"),
            UnexpectedCharacter {
                character: '-',
                position: 3,
                ..
            }
        ));
        assert!(matches!(
            err("Cu1e999"),
            UnexpectedCharacter {
                character: 'e',
                position: 4,
                ..
            }
        ));
        let lower = err("zr52.5cu17.9");
        assert!(
            lower.to_string().contains("'Zr'") && lower.to_string().contains("position 1"),
            "{lower}"
        );
        assert!(matches!(err("Cu0"), BadAmount { position: 3, .. }));
        assert!(matches!(err("Cu1.2.3"), BadAmount { position: 3, .. }));
        assert!(matches!(err("Cu."), BadAmount { .. }));
        let huge = format!("Cu{}", "9".repeat(400));
        assert!(matches!(err(&huge), BadAmount { position: 3, .. }));
        assert!(matches!(
            err("Zr50µ"),
            UnexpectedCharacter {
                character: 'µ',
                position: 5,
                ..
            }
        ));
        assert!(err("(ZrCu)95Al5").to_string().contains("brackets"));
    }

    #[test]
    fn odd_inputs_never_panic() {
        let mut odd: Vec<String> = [
            "",
            " ",
            "Zz2",
            "Cu-1",
            "Cu1e999",
            "cu",
            "zr52.5",
            "Ξ",
            "日本",
            "Cu😀",
            "Cu\u{0}",
            "C\u{301}u",
            "Cu1.",
            "Cu..",
            ".",
            "1",
            "Cu 1 2",
            "CuCuCuCu",
            "ZrZrZr0",
            "Cu1e-3",
            "Cu\n1",
            "Ü2",
            "H",
            "U",
            "Uu",
            "é",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        odd.push("Cu".repeat(10_000));
        odd.push(format!("Cu{}", "1".repeat(500)));
        odd.push(format!("Cu0.{}1", "0".repeat(500)));
        for s in &odd {
            if let Ok(c) = Composition::parse(s) {
                let sum: f64 = c.constituents().iter().map(|c| c.fraction).sum();
                assert!((sum - 1.0).abs() < 1e-12, "{s}");
                assert!(c.mean_atomic_mass().is_finite(), "{s}");
            }
        }
    }
}
