//! Analyses of a heating series. Pure functions on plain data: no egui, no threads.
//!
//! - [`difference_from_reference`]: ΔS(Q, T) = S(Q, T) − S(Q, T_ref), on the pattern's own grid.
//!   The reference is linearly interpolated onto that grid when the grids differ; points outside
//!   the reference's Q range are NaN (never extrapolated). Empty input gives an empty result.

pub mod adhoc;
pub mod alerts;
pub mod eggert;
pub mod fit;
pub mod fsdp;
pub mod lobes;
pub mod metric;
pub mod noise;
pub mod params;
pub mod quality;
pub mod reduce;
pub mod reduction;
pub mod rng;
pub mod series;
pub mod spline;
pub mod systematics;
pub mod transform;
pub mod transitions;
pub mod window;

use std::borrow::Cow;

use crate::model::{Pattern, interpolate_into};

/// ΔS(Q) = S(Q) − S_ref(Q) on `pattern`'s grid (NaN where the reference does not reach).
pub fn difference_from_reference(pattern: &Pattern, reference: &Pattern) -> Vec<f64> {
    difference_on_grid(&pattern.x, &pattern.y, &reference.x, &reference.y)
}

/// y − y_ref on the grid `x`, the reference (`ref_x`, `ref_y`) interpolated onto it when the
/// grids differ (NaN outside its range): [`difference_from_reference`] on bare values.
pub fn difference_on_grid(x: &[f64], y: &[f64], ref_x: &[f64], ref_y: &[f64]) -> Vec<f64> {
    y.iter()
        .zip(&*reference_on_grid(x, ref_x, ref_y))
        .map(|(a, b)| a - b)
        .collect()
}

/// The reference (`ref_x`, `ref_y`) on the grid `x`: its own values when the grids are equal,
/// else linearly interpolated (NaN outside its range).
pub fn reference_on_grid<'a>(x: &[f64], ref_x: &[f64], ref_y: &'a [f64]) -> Cow<'a, [f64]> {
    if x == ref_x {
        return Cow::Borrowed(ref_y);
    }
    let mut on_grid = vec![f64::NAN; x.len()];
    let mut outside = 0;
    interpolate_into(ref_x, ref_y, x, &mut on_grid, &mut outside);
    Cow::Owned(on_grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(x: Vec<f64>, y: Vec<f64>) -> Pattern {
        Pattern::for_test(x, y, None)
    }

    #[test]
    fn difference_on_the_same_grid_is_pointwise() {
        let a = pattern(vec![1.0, 2.0, 3.0], vec![1.5, 2.0, 0.5]);
        let r = pattern(vec![1.0, 2.0, 3.0], vec![1.0, 2.5, 0.5]);
        assert_eq!(difference_from_reference(&a, &r), vec![0.5, -0.5, 0.0]);
    }

    #[test]
    fn reference_on_another_grid_is_interpolated_not_extrapolated() {
        // Reference S = 1 + 0.1 Q is linear, so interpolation is exact.
        let r = pattern(vec![1.0, 2.0, 3.0], vec![1.1, 1.2, 1.3]);
        let a = pattern(vec![1.5, 2.5, 3.5], vec![1.0, 1.0, 1.0]);
        let d = difference_from_reference(&a, &r);
        assert!((d[0] - (1.0 - 1.15)).abs() < 1e-12);
        assert!((d[1] - (1.0 - 1.25)).abs() < 1e-12);
        assert!(d[2].is_nan());
        assert!(difference_from_reference(&pattern(vec![], vec![]), &r).is_empty());
    }
}
