//! PDFgetX3's "ad hoc" correction (Juhás, Davis, Farrow & Billinge, J. Appl. Cryst. 46 (2013)
//! 560): whatever the reduction left smooth in F(Q) = Q [S(Q) − 1] (an imperfect background,
//! Compton or scale, multiple scattering) is a slowly varying function of Q, and a slowly
//! varying F(Q) only puts weight in G(r) at r below r_poly; so a polynomial of low degree fitted
//! to F(Q) and subtracted removes it without touching G(r) beyond r_poly.
//!
//! # The recipe
//! - degree n = ⌈Qmax · r_poly / π⌉ (PDFgetX3's rule: the number of independent G(r) values
//!   below r_poly, since a G(r) point every π/Qmax is independent); r_poly = 0.9 Å by default
//!   ([`DEFAULT_RPOLY`]);
//! - P(Q) = Σ_{k=1..n} c_k Qᵏ with no constant term, so that P(0) = 0 and F(0) = 0 stays true;
//!   least squares over the points (every point the same weight), in a well-conditioned basis
//!   (x Tₖ₋₁(2x − 1), x = Q/Qmax, Chebyshev Tₖ) by modified Gram–Schmidt, twice;
//! - F ← F − P, S ← 1 + F/Q. The linear term of P takes out any constant offset of S − 1, so
//!   S(Q) oscillates about 1 at high Q afterwards.
//!
//! # Input rules
//! Q finite, ≥ 0, increasing; S finite and as long as Q; r_poly finite and > 0; the degree must
//! be below half the number of points with Q > 0. Otherwise an [`AdHocError`]; never a panic.
//! A point at Q = 0 keeps its S (F(0) = 0 whatever it is).

/// PDFgetX3's default r_poly (Å).
pub const DEFAULT_RPOLY: f64 = 0.9;

/// Why the correction cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdHocError {
    #[error("r_poly = {0} Å must be finite and > 0")]
    BadRpoly(f64),
    #[error("S(Q) has {found} values for {expected} Q points")]
    LengthMismatch { expected: usize, found: usize },
    #[error("Q or S(Q) is not finite, or Q not increasing, at point {index}")]
    NotFinite { index: usize },
    #[error(
        "a polynomial of degree {degree} (Qmax × r_poly / π) needs more than {points} points: \
         lower r_poly or give more points"
    )]
    TooFewPoints { degree: usize, points: usize },
}

/// The corrected S(Q) and what was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct AdHoc {
    pub s: Vec<f64>,
    /// The polynomial P(Q) subtracted from F(Q), on the grid.
    pub removed: Vec<f64>,
    pub degree: usize,
}

/// n = ⌈Qmax r_poly / π⌉ (at least 1).
pub fn ad_hoc_degree(q_max: f64, rpoly: f64) -> usize {
    let n = (q_max * rpoly / std::f64::consts::PI).ceil();
    if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    }
}

/// Chebyshev T₀ … T_{n−1} at t.
fn chebyshev(t: f64, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let v = match k {
            0 => 1.0,
            1 => t,
            _ => 2.0 * t * out[k - 1] - out[k - 2],
        };
        out.push(v);
    }
    out
}

/// The columns of `basis` made orthonormal (modified Gram–Schmidt, each column twice; a column
/// that vanishes is dropped).
fn orthonormal(basis: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut ortho: Vec<Vec<f64>> = Vec::with_capacity(basis.len());
    for mut v in basis {
        let norm0 = dot(&v, &v).sqrt();
        for _ in 0..2 {
            for u in &ortho {
                let c = dot(u, &v);
                v.iter_mut().zip(u).for_each(|(vi, ui)| *vi -= c * ui);
            }
        }
        let norm = dot(&v, &v).sqrt();
        if norm > 1e-12 * norm0 && norm > 0.0 {
            v.iter_mut().for_each(|vi| *vi /= norm);
            ortho.push(v);
        }
    }
    ortho
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// What depends only on the Q grid and r_poly — the degree and an orthonormal basis of the
/// polynomials over the points with Q > 0 — built once and shared by every pattern on the grid.
#[derive(Debug, Clone)]
pub struct AdHocPlan {
    q: Vec<f64>,
    /// Indices of the points with Q > 0.
    used: Vec<usize>,
    basis: Vec<Vec<f64>>,
    degree: usize,
}

impl AdHocPlan {
    /// The plan for grid `q` and `rpoly` (Å), checked (see the module doc).
    pub fn new(q: &[f64], rpoly: f64) -> Result<Self, AdHocError> {
        if !(rpoly.is_finite() && rpoly > 0.0) {
            return Err(AdHocError::BadRpoly(rpoly));
        }
        for k in 0..q.len() {
            if !q[k].is_finite() || q[k] < 0.0 || (k > 0 && q[k] <= q[k - 1]) {
                return Err(AdHocError::NotFinite { index: k });
            }
        }
        let used: Vec<usize> = (0..q.len()).filter(|&k| q[k] > 0.0).collect();
        let q_max = used.last().map_or(0.0, |&k| q[k]);
        let degree = ad_hoc_degree(q_max, rpoly);
        if used.len() < 2 * degree + 1 {
            return Err(AdHocError::TooFewPoints {
                degree,
                points: used.len(),
            });
        }
        let columns: Vec<Vec<f64>> = (0..degree)
            .map(|j| {
                used.iter()
                    .map(|&k| {
                        let x = q[k] / q_max;
                        x * chebyshev(2.0 * x - 1.0, j + 1)[j]
                    })
                    .collect()
            })
            .collect();
        Ok(AdHocPlan {
            q: q.to_vec(),
            used,
            basis: orthonormal(columns),
            degree,
        })
    }

    /// The degree n of the polynomial.
    pub fn degree(&self) -> usize {
        self.degree
    }

    /// Removes the polynomial part of F(Q) = Q[S − 1] of `s` (on the plan's grid).
    pub fn apply(&self, s: &[f64]) -> Result<AdHoc, AdHocError> {
        if s.len() != self.q.len() {
            return Err(AdHocError::LengthMismatch {
                expected: self.q.len(),
                found: s.len(),
            });
        }
        if let Some(index) = s.iter().position(|v| !v.is_finite()) {
            return Err(AdHocError::NotFinite { index });
        }
        let f: Vec<f64> = self
            .used
            .iter()
            .map(|&k| self.q[k] * (s[k] - 1.0))
            .collect();
        let mut fit = vec![0.0; f.len()];
        for u in &self.basis {
            let c = dot(u, &f);
            fit.iter_mut().zip(u).for_each(|(v, ui)| *v += c * ui);
        }
        let mut out = s.to_vec();
        let mut removed = vec![0.0; s.len()];
        for (i, &k) in self.used.iter().enumerate() {
            removed[k] = fit[i];
            out[k] = 1.0 + (f[i] - fit[i]) / self.q[k];
        }
        Ok(AdHoc {
            s: out,
            removed,
            degree: self.degree,
        })
    }
}

/// Removes the polynomial part of F(Q) = Q[S − 1] (see the module doc): [`AdHocPlan`] for one
/// pattern.
pub fn remove_smooth_part(q: &[f64], s: &[f64], rpoly: f64) -> Result<AdHoc, AdHocError> {
    AdHocPlan::new(q, rpoly)?.apply(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_degree_follows_pdfgetx3() {
        assert_eq!(ad_hoc_degree(25.0, 0.9), 8); // 7.16 → 8
        assert_eq!(ad_hoc_degree(std::f64::consts::PI, 1.0), 1);
        assert_eq!(ad_hoc_degree(f64::NAN, 0.9), 1);
    }

    #[test]
    fn a_polynomial_with_no_constant_term_is_removed_exactly() {
        let q: Vec<f64> = (0..=1000).map(|k| 0.025 * k as f64).collect();
        // S − 1 = a smooth polynomial / Q: F(Q) = 0.3 Q − 0.02 Q² + 0.0004 Q³.
        let s: Vec<f64> = q
            .iter()
            .map(|&x| {
                1.0 + if x > 0.0 {
                    0.3 - 0.02 * x + 0.0004 * x * x
                } else {
                    0.0
                }
            })
            .collect();
        let r = remove_smooth_part(&q, &s, 0.9).expect("fit");
        assert_eq!(r.degree, 8);
        for (k, v) in r.s.iter().enumerate() {
            assert!((v - 1.0).abs() < 1e-9, "{k}: {v}");
        }
        assert_eq!(r.s[0], s[0]);
    }

    #[test]
    fn bad_input_is_an_error() {
        let q = [0.0, 1.0, 2.0, 3.0];
        assert!(matches!(
            remove_smooth_part(&q, &[1.0; 4], 0.0),
            Err(AdHocError::BadRpoly(_))
        ));
        assert!(matches!(
            remove_smooth_part(&q, &[1.0; 3], 0.9),
            Err(AdHocError::LengthMismatch { .. })
        ));
        assert!(matches!(
            remove_smooth_part(&q, &[1.0, f64::NAN, 1.0, 1.0], 0.9),
            Err(AdHocError::NotFinite { index: 1 })
        ));
        assert!(matches!(
            remove_smooth_part(&q, &[1.0; 4], 50.0),
            Err(AdHocError::TooFewPoints { .. })
        ));
        assert!(remove_smooth_part(&[], &[], 0.9).is_err());
    }
}
