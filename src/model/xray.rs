//! X-ray atomic scattering data of the neutral atoms H–U (Z = 1–92), shipped in `assets/xray/`
//! (each file's header states its source, formula and units) and parsed once on first use.
//!
//! - **Coherent form factor** f0(Q) (electrons): Waasmaier & Kirfel, Acta Cryst. A51 (1995)
//!   416–431, f0(s) = c + Σᵢ₌₁..₅ aᵢ exp(−bᵢ s²), with s = sin θ/λ = Q/4π (Q in Å⁻¹, bᵢ in Å²);
//!   valid for 0 ≤ s ≤ 6 Å⁻¹ (Q ≤ 75 Å⁻¹). f0(0) = Z to within 0.04 (the fit's tolerance).
//! - **Incoherent (Compton) scattering function** I_inc(Q) (electron units per atom): Balyuzi,
//!   Acta Cryst. A31 (1975) 600–602, I_inc(s) = Z − Σᵢ₌₁..₅ aᵢ exp(−bᵢ s²), fitted to Cromer &
//!   Mann (1967) and Cromer (1969); accurate for s ≤ 1.4 Å⁻¹ (Q ≤ 17.6 Å⁻¹) and tending to the
//!   right limit Z beyond (within ~0.3 e of Hubbell et al. 1975 at s = 2, Q = 25 Å⁻¹). The
//!   coefficients are DABAX's `CrossSec_Compton_Balyuzi.dat` (the file GudrunX uses) with four
//!   decimal-point slips corrected (Cd, Te, Au, Dy; see the file header and
//!   `scripts/xray_tables.py check`). No Breit–Dirac recoil factor is applied here.
//!
//! Both are even in Q (they depend on s²); a NaN Q gives NaN. Z outside 1–92 has no data (None).

use std::sync::OnceLock;

use super::elements::MAX_Z;

/// The coherent form-factor table (Waasmaier & Kirfel 1995).
const WAASMAIER_KIRFEL: &str = include_str!("../../assets/xray/waasmaier_kirfel.csv");
/// The incoherent scattering table (Balyuzi 1975).
const BALYUZI: &str = include_str!("../../assets/xray/balyuzi_compton.csv");

/// Citation of the coherent form factors, for reports.
pub const FORM_FACTOR_SOURCE: &str = "Waasmaier & Kirfel, Acta Cryst. A51 (1995) 416-431";
/// Citation of the incoherent scattering functions, for reports.
pub const COMPTON_SOURCE: &str = "Balyuzi, Acta Cryst. A31 (1975) 600-602";

/// c + Σᵢ aᵢ exp(−bᵢ s²): the analytic form of both tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiveGaussians {
    pub a: [f64; 5],
    /// Exponents (Å²).
    pub b: [f64; 5],
    pub c: f64,
}

impl FiveGaussians {
    /// The sum at s = sin θ/λ (Å⁻¹).
    pub fn at(&self, s: f64) -> f64 {
        let s2 = s * s;
        self.c
            + self
                .a
                .iter()
                .zip(&self.b)
                .map(|(a, b)| a * (-b * s2).exp())
                .sum::<f64>()
    }
}

/// s = Q/4π (Å⁻¹) of a momentum transfer Q (Å⁻¹).
pub fn s_from_q(q: f64) -> f64 {
    q / (4.0 * std::f64::consts::PI)
}

/// One element's X-ray scattering data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtomicScattering {
    pub z: u8,
    /// f0(s) (Waasmaier & Kirfel).
    pub coherent: FiveGaussians,
    /// Z − I_inc(s) (Balyuzi).
    pub incoherent_complement: FiveGaussians,
}

impl AtomicScattering {
    /// Coherent form factor f0(Q) in electrons, Q in Å⁻¹.
    pub fn form_factor(&self, q: f64) -> f64 {
        self.coherent.at(s_from_q(q))
    }

    /// Incoherent (Compton) scattering I_inc(Q) in electron units per atom, Q in Å⁻¹.
    pub fn incoherent(&self, q: f64) -> f64 {
        f64::from(self.z) - self.incoherent_complement.at(s_from_q(q))
    }
}

/// The scattering data of element `z` (None outside 1–92 or if its row were missing).
pub fn atomic_scattering(z: u8) -> Option<&'static AtomicScattering> {
    let i = usize::from(z).checked_sub(1)?;
    tables().get(i)?.as_ref()
}

/// Coherent form factor f0(Q) of element `z` (electrons), Q in Å⁻¹.
pub fn form_factor(z: u8, q: f64) -> Option<f64> {
    atomic_scattering(z).map(|a| a.form_factor(q))
}

/// Incoherent scattering I_inc(Q) of element `z` (electron units per atom), Q in Å⁻¹.
pub fn incoherent_scattering(z: u8, q: f64) -> Option<f64> {
    atomic_scattering(z).map(|a| a.incoherent(q))
}

fn tables() -> &'static [Option<AtomicScattering>] {
    static TABLES: OnceLock<Vec<Option<AtomicScattering>>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let coherent = parse_table(WAASMAIER_KIRFEL);
        let incoherent = parse_table(BALYUZI);
        (1..=MAX_Z)
            .map(|z| {
                let i = usize::from(z - 1);
                Some(AtomicScattering {
                    z,
                    coherent: coherent.get(i).copied().flatten()?,
                    incoherent_complement: incoherent.get(i).copied().flatten()?,
                })
            })
            .collect()
    })
}

/// Rows `Z,symbol,a1..a5,c,b1..b5` (after `#` comments and a header line) indexed by Z − 1. A
/// row that does not parse, or whose symbol is not its Z's, is left out (the tests check that
/// every element is present).
fn parse_table(text: &str) -> Vec<Option<FiveGaussians>> {
    let mut rows = vec![None; usize::from(MAX_Z)];
    for line in text.lines() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if line.starts_with('#') || fields.len() != 13 {
            continue;
        }
        let Ok(z) = fields[0].parse::<u8>() else {
            continue;
        };
        if super::elements::symbol(z) != Some(fields[1]) {
            continue;
        }
        let numbers: Option<Vec<f64>> = fields[2..]
            .iter()
            .map(|f| f.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        let Some(n) = numbers else {
            continue;
        };
        let (Ok(a), Ok(b)) = (
            <[f64; 5]>::try_from(&n[0..5]),
            <[f64; 5]>::try_from(&n[6..11]),
        ) else {
            continue;
        };
        if let Some(slot) = rows.get_mut(usize::from(z) - 1) {
            *slot = Some(FiveGaussians { a, b, c: n[5] });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::super::elements::{atomic_number, symbol};
    use super::*;

    fn q_of_s(s: f64) -> f64 {
        4.0 * std::f64::consts::PI * s
    }

    #[test]
    fn every_element_h_to_u_is_in_both_tables() {
        for (name, text) in [("WK", WAASMAIER_KIRFEL), ("Balyuzi", BALYUZI)] {
            let rows = parse_table(text);
            let missing: Vec<_> = (1..=MAX_Z)
                .filter(|z| rows[usize::from(*z) - 1].is_none())
                .filter_map(symbol)
                .collect();
            assert!(missing.is_empty(), "{name} lacks {missing:?}");
        }
        assert!(atomic_scattering(0).is_none());
        assert!(atomic_scattering(93).is_none());
        assert!(form_factor(92, 1.0).is_some());
    }

    #[test]
    fn form_factors_at_zero_are_z_and_compton_at_zero_is_zero() {
        for z in 1..=MAX_Z {
            let a = atomic_scattering(z).expect("data");
            let zf = f64::from(z);
            assert!((a.form_factor(0.0) - zf).abs() < 0.04, "f0 of Z={z}");
            // The published aᵢ sum to Z within 0.11 e (their rounding).
            assert!(a.incoherent(0.0).abs() < 0.11, "I_inc(0) of Z={z}");
            // Towards large Q the electrons scatter incoherently, hardly coherently.
            assert!((a.incoherent(q_of_s(6.0)) - zf).abs() < 0.1 * zf, "{z}");
            assert!(a.form_factor(q_of_s(6.0)).abs() < 0.06 * zf, "{z}");
        }
        assert!(form_factor(8, f64::NAN).is_some_and(f64::is_nan));
        assert_eq!(form_factor(29, -3.0), form_factor(29, 3.0));
    }

    /// Reference values from `python3 scripts/xray_tables.py reference`: f0 from xraydb 4.5.8
    /// (the same Waasmaier–Kirfel coefficients, its own code), f0 from the International Tables
    /// Vol. C 4-Gaussian fit (LiquidDiffract 1.2.5's table, an independent fit to the same
    /// Hartree–Fock values), I_inc from Hubbell et al., J. Phys. Chem. Ref. Data 4 (1975) 471
    /// (xraylib 4.3.0 `SF_Compt`, tabulated, not a fit).
    const REFERENCE: [(&str, f64, f64, f64, f64); 16] = [
        ("O", 0.5, 2.33791, 2.3372, 5.8280),
        ("O", 1.0, 1.37702, 1.3769, 6.9010),
        ("Mg", 0.5, 5.03446, 5.0291, 7.1810),
        ("Mg", 1.0, 2.02758, 2.0192, 9.9750),
        ("Al", 0.5, 5.69265, 5.6974, 7.5230),
        ("Al", 1.0, 2.33161, 2.3269, 10.6520),
        ("Si", 0.5, 6.23962, 6.2401, 7.9370),
        ("Si", 1.0, 2.70033, 2.6991, 11.2860),
        ("Ti", 0.5, 9.14198, 9.1434, 11.9010),
        ("Ti", 1.0, 5.74257, 5.7460, 16.0950),
        ("Ni", 0.5, 12.96310, 12.9532, 12.9800),
        ("Ni", 1.0, 6.94757, 6.9418, 19.5430),
        ("Cu", 0.5, 13.71162, 13.7007, 12.9420),
        ("Cu", 1.0, 7.16119, 7.1607, 20.0020),
        ("Zr", 0.5, 20.89508, 20.8797, 16.6580),
        ("Zr", 1.0, 11.85773, 11.8749, 24.5830),
    ];

    #[test]
    fn tabulated_values_match_the_published_ones() {
        for (sym, s, wk, itc, hubbell) in REFERENCE {
            let z = atomic_number(sym).expect("element");
            let q = q_of_s(s);
            let f0 = form_factor(z, q).expect("f0");
            assert!((f0 - wk).abs() < 1e-4, "{sym} s={s}: {f0} vs xraydb {wk}");
            assert!((f0 - itc).abs() < 0.02, "{sym} s={s}: {f0} vs ITC {itc}");
            let inc = incoherent_scattering(z, q).expect("I_inc");
            assert!(
                (inc - hubbell).abs() < 0.01 * f64::from(z),
                "{sym} s={s}: {inc} vs Hubbell {hubbell}"
            );
        }
    }

    #[test]
    fn corrected_balyuzi_rows_follow_their_neighbours() {
        // Cd, Te, Au, Dy had a decimal-point slip in the distributed coefficients; with the
        // slip, Au's I_inc at s = 1 was 2 e above Hubbell's 38.90.
        let au = incoherent_scattering(79, q_of_s(1.0)).expect("Au");
        assert!((au - 38.896).abs() < 0.2, "{au}");
        let cd = incoherent_scattering(48, q_of_s(1.0)).expect("Cd");
        assert!((cd - 28.705).abs() < 0.25, "{cd}");
    }

    #[test]
    fn malformed_rows_are_left_out_not_fatal() {
        let text = "# header\nZ,symbol,a1,a2,a3,a4,a5,c,b1,b2,b3,b4,b5\n\
                    8,O,1,1,1,1,1,0,1,1,1,1,1\n\
                    9,O,1,1,1,1,1,0,1,1,1,1,1\n\
                    10,Ne,1,x,1,1,1,0,1,1,1,1,1\n\
                    11,Na,1,1\n\
                    300,Na,1,1,1,1,1,0,1,1,1,1,1\n\
                    12,Mg,1,1,1,1,1,NaN,1,1,1,1,1\n";
        let rows = parse_table(text);
        assert_eq!(rows.len(), 92);
        assert!(rows[7].is_some());
        assert!(rows.iter().filter(|r| r.is_some()).count() == 1);
    }
}
