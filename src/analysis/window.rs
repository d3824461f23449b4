//! Inclusive windows compared with a tolerance. Grids written by other programs put their
//! points a few ulps off the round numbers users type (`np.arange(0.5, 25.01, 0.02)` has a point
//! at 3.000000000000002): a point within 1e-9 of an edge, relative to the edge, is inside. Every
//! inclusive window of the analysis (Qmin/Qmax, the FSDP window, the fit window, the lobes'
//! start) uses these.

/// Relative tolerance of an edge.
pub const EDGE_TOLERANCE: f64 = 1e-9;

fn slack(edge: f64) -> f64 {
    EDGE_TOLERANCE * edge.abs()
}

/// Whether `x` is at or above the lower edge `lo` (within the tolerance).
pub fn at_or_above(x: f64, lo: f64) -> bool {
    x >= lo - slack(lo)
}

/// Whether `x` is at or below the upper edge `hi` (within the tolerance).
pub fn at_or_below(x: f64, hi: f64) -> bool {
    x <= hi + slack(hi)
}

/// Whether `x` lies in [lo, hi] (within the tolerance at each edge). NaN is never inside.
pub fn inside(x: f64, lo: f64, hi: f64) -> bool {
    at_or_above(x, lo) && at_or_below(x, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_a_few_ulps_off_an_edge_are_inside_and_others_are_not() {
        // numpy's arange steps by (start + step) − start.
        let delta = (0.5 + 0.02) - 0.5;
        let top = 0.5 + 125.0 * delta;
        assert!(top > 3.0, "{top}");
        assert!(inside(top, 2.2, 3.0));
        assert!(inside(2.2 - 1e-12, 2.2, 3.0));
        assert!(!inside(3.0 + 1e-6, 2.2, 3.0));
        assert!(!inside(2.2 - 1e-6, 2.2, 3.0));
        assert!(!inside(f64::NAN, 2.2, 3.0));
        assert!(inside(0.0, 0.0, 1.0) && !inside(-1e-300, 0.0, 1.0));
    }
}
