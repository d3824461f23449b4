//! The first sharp diffraction peak (FSDP) of S(Q) in a window [Qa, Qb], both ends inclusive
//! within 1e-9 relative (`analysis::window`; default 2.2–3.0 Å⁻¹):
//! - first moment Q̄1 = Σ Q·S / Σ S, plain sums over the data points in the window;
//! - area A1 = ∫ S dQ by the trapezoid rule over those points (baseline y = 0).
//!
//! Fewer than two points in the window, a NaN inside it, or Σ S = 0 give NaN (and `points` says
//! how many points the window held).

use serde::{Deserialize, Serialize};

/// FSDP measures of one pattern.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fsdp {
    pub first_moment: f64,
    pub area: f64,
    /// Data points inside the window.
    pub points: usize,
}

/// First moment and area of S(Q) over the points with `qa ≤ Q ≤ qb`.
pub fn fsdp(q: &[f64], s: &[f64], qa: f64, qb: f64) -> Fsdp {
    let inside: Vec<(f64, f64)> = q
        .iter()
        .zip(s)
        .filter(|(x, _)| super::window::inside(**x, qa, qb))
        .map(|(x, y)| (*x, *y))
        .collect();
    let points = inside.len();
    if points < 2 || inside.iter().any(|(_, y)| !y.is_finite()) {
        return Fsdp {
            first_moment: f64::NAN,
            area: f64::NAN,
            points,
        };
    }
    let sum_s: f64 = inside.iter().map(|p| p.1).sum();
    let sum_qs: f64 = inside.iter().map(|p| p.0 * p.1).sum();
    let area: f64 = inside
        .windows(2)
        .map(|w| 0.5 * (w[0].1 + w[1].1) * (w[1].0 - w[0].0))
        .sum();
    let first_moment = if sum_s != 0.0 {
        sum_qs / sum_s
    } else {
        f64::NAN
    };
    Fsdp {
        first_moment,
        area,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_s_has_known_moment_and_area() {
        // S = 1 + Q on Q = 2.2, 2.3, …, 3.0 (9 points, ends included).
        let q: Vec<f64> = (0..=40).map(|i| 2.0 + 0.025 * i as f64).collect();
        let s: Vec<f64> = q.iter().map(|x| 1.0 + x).collect();
        let f = fsdp(&q, &s, 2.2, 3.0);
        let inside: Vec<f64> = q
            .iter()
            .copied()
            .filter(|x| (2.2..=3.0).contains(x))
            .collect();
        assert_eq!(f.points, inside.len());
        let expected_moment = inside.iter().map(|x| x * (1.0 + x)).sum::<f64>()
            / inside.iter().map(|x| 1.0 + x).sum::<f64>();
        assert!((f.first_moment - expected_moment).abs() < 1e-14);
        // ∫ (1 + Q) dQ from 2.2 to 3.0 is exact for the trapezoid rule.
        let exact = (3.0 - 2.2) + (9.0 - 2.2 * 2.2) / 2.0;
        assert!((f.area - exact).abs() < 1e-12, "{} vs {exact}", f.area);
    }

    #[test]
    fn constant_s_gives_the_mean_q() {
        let q = vec![2.0, 2.5, 3.0];
        let f = fsdp(&q, &[2.0, 2.0, 2.0], 2.0, 3.0);
        assert_eq!(f.first_moment, 2.5);
        assert_eq!(f.area, 2.0);
    }

    #[test]
    fn window_outside_the_data_or_nan_gives_nan() {
        let q = vec![1.0, 1.5, 2.0];
        let f = fsdp(&q, &[1.0, 1.0, 1.0], 5.0, 6.0);
        assert!(f.first_moment.is_nan() && f.area.is_nan());
        assert_eq!(f.points, 0);
        let f = fsdp(&q, &[1.0, f64::NAN, 1.0], 1.0, 2.0);
        assert!(f.area.is_nan());
    }
}
