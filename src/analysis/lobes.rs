//! Shell lobes of G(r): a lobe is a maximal run of r-grid points with G ≥ 0, counted from low r,
//! searching r ≥ `r_from` (default 1.5 Å). Its area is the trapezoid integral over the run's own
//! points (a one-point run has area 0). NaN breaks a run. `r1` is lobe 1 and `r6` lobe 6 (NaN when
//! there are fewer lobes); the study plots each relative to its series mean.

use serde::{Deserialize, Serialize};

/// One positive lobe of G(r).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lobe {
    pub r_start: f64,
    pub r_end: f64,
    pub area: f64,
}

/// The positive lobes of G(r) at r ≥ `r_from`, in order.
pub fn shell_lobes(r: &[f64], big_g: &[f64], r_from: f64) -> Vec<Lobe> {
    let mut lobes = Vec::new();
    let mut run: Option<(usize, f64)> = None; // (start index, area so far)
    let n = r.len().min(big_g.len());
    for i in 0..n {
        let positive = super::window::at_or_above(r[i], r_from) && big_g[i] >= 0.0;
        match (&mut run, positive) {
            (None, true) => run = Some((i, 0.0)),
            (Some((_, area)), true) => {
                *area += 0.5 * (big_g[i - 1] + big_g[i]) * (r[i] - r[i - 1]);
            }
            (Some((start, area)), false) => {
                lobes.push(Lobe {
                    r_start: r[*start],
                    r_end: r[i - 1],
                    area: *area,
                });
                run = None;
            }
            (None, false) => {}
        }
    }
    if let Some((start, area)) = run {
        lobes.push(Lobe {
            r_start: r[start],
            r_end: r[n - 1],
            area,
        });
    }
    lobes
}

/// Area of lobe `k` (1-based), NaN when absent.
pub fn lobe_area(lobes: &[Lobe], k: usize) -> f64 {
    k.checked_sub(1)
        .and_then(|i| lobes.get(i))
        .map_or(f64::NAN, |l| l.area)
}

/// Each value relative to the mean of the finite values: v / mean − 1 (NaN stays NaN).
pub fn relative_to_mean(values: &[f64]) -> Vec<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return vec![f64::NAN; values.len()];
    }
    let mean = finite.iter().sum::<f64>() / finite.len() as f64;
    values
        .iter()
        .map(|v| {
            if mean != 0.0 {
                v / mean - 1.0
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lobes_of_a_sine_are_its_positive_half_periods() {
        // G = sin(π(r − 0.005)): positive on (2k + 0.005, 2k + 1.005), zeros between grid points.
        let r: Vec<f64> = (0..=2000).map(|i| 0.01 * i as f64).collect();
        let g: Vec<f64> = r
            .iter()
            .map(|x| (std::f64::consts::PI * (x - 0.005)).sin())
            .collect();
        let lobes = shell_lobes(&r, &g, 1.5);
        assert_eq!(lobes.len(), 9, "(2, 3), (4, 5), … (18, 19)");
        assert!((lobes[0].r_start - 2.01).abs() < 1e-9 && (lobes[0].r_end - 3.0).abs() < 1e-9);
        assert!((lobes[5].r_start - 12.01).abs() < 1e-9);
        // Each lobe integrates to 2/π, less the two slivers of 0.005 Å outside its points.
        for l in &lobes {
            assert!(
                (l.area - 2.0 / std::f64::consts::PI).abs() < 2e-4,
                "{}",
                l.area
            );
        }
        assert!((lobe_area(&lobes, 6) - lobes[5].area).abs() < 1e-15);
        assert!(lobe_area(&lobes, 12).is_nan());
        assert!(lobe_area(&lobes, 0).is_nan());
    }

    #[test]
    fn a_search_starting_inside_a_lobe_counts_it_from_there() {
        let r = vec![1.0, 1.5, 2.0, 2.5, 3.0];
        let g = vec![1.0, 1.0, 1.0, -1.0, 2.0];
        let lobes = shell_lobes(&r, &g, 1.5);
        assert_eq!(lobes.len(), 2);
        assert_eq!(
            (lobes[0].r_start, lobes[0].r_end, lobes[0].area),
            (1.5, 2.0, 0.5)
        );
        assert_eq!((lobes[1].r_start, lobes[1].area), (3.0, 0.0));
    }

    #[test]
    fn fewer_than_six_lobes_and_nan() {
        let r = vec![2.0, 2.1, 2.2, 2.3];
        let g = vec![1.0, f64::NAN, 1.0, 1.0];
        let lobes = shell_lobes(&r, &g, 1.5);
        assert_eq!(lobes.len(), 2, "NaN breaks the run");
        assert!(lobe_area(&lobes, 6).is_nan());
        let rel = relative_to_mean(&[1.0, 3.0, f64::NAN]);
        assert_eq!(rel[0], -0.5);
        assert_eq!(rel[1], 0.5);
        assert!(rel[2].is_nan());
    }
}
