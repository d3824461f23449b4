//! The elements hydrogen to uranium (Z = 1–92): symbols and standard atomic weights.
//!
//! Atomic weights (g/mol) are the IUPAC CIAAW standard atomic weights 2021, abridged
//! (T. Prohaska et al., Pure Appl. Chem. 94 (2022) 573), as tabulated by the Python package
//! `periodictable` 2.1.0; elements without a standard atomic weight (Tc, Pm, Po, At, Rn, Fr, Ra,
//! Ac) take the mass number of their longest-lived isotope. `scripts/xray_tables.py generate`
//! prints this table.

/// Highest atomic number with data (uranium).
pub const MAX_Z: u8 = 92;

/// (symbol, standard atomic weight in g/mol) of Z = 1..=92, in order.
const ELEMENTS: [(&str, f64); MAX_Z as usize] = [
    ("H", 1.008),
    ("He", 4.002602),
    ("Li", 6.94),
    ("Be", 9.0121831),
    ("B", 10.81),
    ("C", 12.011),
    ("N", 14.007),
    ("O", 15.999),
    ("F", 18.998403162),
    ("Ne", 20.1797),
    ("Na", 22.98976928),
    ("Mg", 24.305),
    ("Al", 26.9815384),
    ("Si", 28.085),
    ("P", 30.973761998),
    ("S", 32.06),
    ("Cl", 35.45),
    ("Ar", 39.95),
    ("K", 39.0983),
    ("Ca", 40.078),
    ("Sc", 44.955907),
    ("Ti", 47.867),
    ("V", 50.9415),
    ("Cr", 51.9961),
    ("Mn", 54.938043),
    ("Fe", 55.845),
    ("Co", 58.933194),
    ("Ni", 58.6934),
    ("Cu", 63.546),
    ("Zn", 65.38),
    ("Ga", 69.723),
    ("Ge", 72.63),
    ("As", 74.921595),
    ("Se", 78.971),
    ("Br", 79.904),
    ("Kr", 83.798),
    ("Rb", 85.4678),
    ("Sr", 87.62),
    ("Y", 88.905838),
    ("Zr", 91.224),
    ("Nb", 92.90637),
    ("Mo", 95.95),
    ("Tc", 98.0),
    ("Ru", 101.07),
    ("Rh", 102.90549),
    ("Pd", 106.42),
    ("Ag", 107.8682),
    ("Cd", 112.414),
    ("In", 114.818),
    ("Sn", 118.71),
    ("Sb", 121.76),
    ("Te", 127.6),
    ("I", 126.90447),
    ("Xe", 131.293),
    ("Cs", 132.90545196),
    ("Ba", 137.327),
    ("La", 138.90547),
    ("Ce", 140.116),
    ("Pr", 140.90766),
    ("Nd", 144.242),
    ("Pm", 145.0),
    ("Sm", 150.36),
    ("Eu", 151.964),
    ("Gd", 157.25),
    ("Tb", 158.925354),
    ("Dy", 162.5),
    ("Ho", 164.930329),
    ("Er", 167.259),
    ("Tm", 168.934219),
    ("Yb", 173.045),
    ("Lu", 174.9668),
    ("Hf", 178.486),
    ("Ta", 180.94788),
    ("W", 183.84),
    ("Re", 186.207),
    ("Os", 190.23),
    ("Ir", 192.217),
    ("Pt", 195.084),
    ("Au", 196.96657),
    ("Hg", 200.592),
    ("Tl", 204.38),
    ("Pb", 207.2),
    ("Bi", 208.9804),
    ("Po", 209.0),
    ("At", 210.0),
    ("Rn", 222.0),
    ("Fr", 223.0),
    ("Ra", 226.0),
    ("Ac", 227.0),
    ("Th", 232.0377),
    ("Pa", 231.03588),
    ("U", 238.02891),
];

/// The atomic number of an element symbol (`"Zr"` → 40); case matters (`"zr"` is None).
pub fn atomic_number(symbol: &str) -> Option<u8> {
    ELEMENTS
        .iter()
        .position(|(s, _)| *s == symbol)
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// The symbol of atomic number `z` (None outside 1..=92).
pub fn symbol(z: u8) -> Option<&'static str> {
    entry(z).map(|(s, _)| s)
}

/// The standard atomic weight of `z` in g/mol (None outside 1..=92).
pub fn atomic_mass(z: u8) -> Option<f64> {
    entry(z).map(|(_, m)| m)
}

fn entry(z: u8) -> Option<(&'static str, f64)> {
    let i = usize::from(z).checked_sub(1)?;
    ELEMENTS.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_and_numbers_round_trip_for_every_element() {
        for z in 1..=MAX_Z {
            let s = symbol(z).expect("symbol");
            assert_eq!(atomic_number(s), Some(z), "{s}");
            let m = atomic_mass(z).expect("mass");
            // Masses grow with Z except for a few known inversions (Ar/K, Co/Ni, Te/I, Th/Pa).
            assert!(m > z as f64 && m < 2.7 * z as f64 + 2.0, "{s} {m}");
        }
        assert_eq!(symbol(0), None);
        assert_eq!(symbol(93), None);
        assert_eq!(atomic_number("Zz"), None);
        assert_eq!(atomic_number("zr"), None);
        assert_eq!(atomic_number(""), None);
    }

    #[test]
    fn a_few_weights_are_the_iupac_values() {
        for (s, m) in [
            ("H", 1.008),
            ("O", 15.999),
            ("Al", 26.9815384),
            ("Cu", 63.546),
            ("Zr", 91.224),
            ("U", 238.02891),
        ] {
            assert_eq!(atomic_number(s).and_then(atomic_mass), Some(m), "{s}");
        }
    }
}
