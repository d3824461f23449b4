//! The starting point of the fit.
//!
//! With the centres at their seeds and one width s, the model b + Σ Aᵢ eᵢ(r) is linear in the
//! amplitudes and baseline. [`linear_start`] solves that non-negative least-squares problem
//! (Aᵢ ≥ 0) by a small active set: solve the normal equations (AᵀA)β = Aᵀy on the active
//! columns (diagonal × (1 + 1e-12)), drop the most negative amplitude, repeat. Its
//! RSS = yᵀy − 2βᵀAᵀy + βᵀAᵀAβ. [`width_scan`] tries s every 0.1 Å over the width bounds and
//! then the 0.05 Å neighbours of the best (the RSS is smooth in s). [`initial_parameters`]
//! uses a previous result (sequential fitting) instead when it is finite.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

use super::basis::basis;
use super::linalg::{Small, cholesky_solve_small, dot, sum};
use super::model::Layout;
use super::{FitParams, ModeFit};

/// Σ y² and Σ y of the data, shared by every width a scan tries.
#[derive(Debug, Clone, Copy)]
pub(super) struct YMoments {
    pub squares: f64,
    pub sum: f64,
}

impl YMoments {
    #[inline(always)]
    pub fn of(y: &[f64]) -> Self {
        YMoments {
            squares: dot(y, y),
            sum: sum(y),
        }
    }
}

/// Best non-negative amplitudes (and baseline) at fixed centres and width, by a small active set.
/// Returns the amplitudes, the baseline (0 without one) and the residual sum of squares.
/// `y_moments` are those of `y`.
#[inline(always)]
pub(super) fn linear_start(
    r: &[f64],
    grid_step: Option<f64>,
    y: &[f64],
    y_moments: &YMoments,
    centres: &[f64; 4],
    width: f64,
    baseline: bool,
) -> ([f64; 4], f64, f64) {
    // The rows and every product without the data come from the kept basis of this window,
    // centres and width (the same values a fresh build gives); the constant column's products
    // are sums there (the same bits as dot products with ones), and those with y alone are the
    // caller's.
    let basis = basis(r, grid_step, *centres, width);
    let rows = &basis.rows;
    let full = basis.gram;
    let mut full_rhs = [0.0; 5];
    for i in 0..4 {
        full_rhs[i] = dot(&rows[i], y);
    }
    full_rhs[4] = y_moments.sum;
    let yy = y_moments.squares;
    let mut active = [true; 4];
    loop {
        // The active columns, then the constant: at most five, on the stack.
        let mut col_buf = [0usize; 5];
        let mut m = 0;
        for i in (0..4).filter(|&i| active[i]) {
            col_buf[m] = i;
            m += 1;
        }
        let amplitudes = m;
        if baseline {
            col_buf[m] = 4;
            m += 1;
        }
        let cols = &col_buf[..m];
        let mut ata_buf = [0.0; 25];
        let mut aty_buf = [0.0; 5];
        let (ata, aty) = (&mut ata_buf[..m * m], &mut aty_buf[..m]);
        for (a, &i) in cols.iter().enumerate() {
            aty[a] = full_rhs[i];
            for (b, &j) in cols.iter().enumerate() {
                ata[a * m + b] = full[i][j];
            }
            ata[a * m + a] *= 1.0 + 1e-12;
        }
        let x = cholesky_solve_small(ata, aty, m).unwrap_or(Small::zeros(m));
        if let Some(worst) = (0..amplitudes)
            .filter(|&j| x[j] < 0.0)
            .min_by(|&a, &b| x[a].total_cmp(&x[b]))
        {
            active[cols[worst]] = false;
            continue;
        }
        let mut amps = [0.0; 4];
        for j in 0..amplitudes {
            amps[cols[j]] = x[j];
        }
        let b = if baseline { x[m - 1] } else { 0.0 };
        // RSS = yᵀy − 2βᵀAᵀy + βᵀAᵀAβ for the least-squares β on the active columns.
        let fitted: f64 = (0..m).map(|i| x[i] * aty[i]).sum();
        let quad: f64 = (0..m)
            .map(|i| (0..m).map(|j| x[i] * ata[i * m + j] * x[j]).sum::<f64>())
            .sum();
        let rss = (yy - 2.0 * fitted + quad).max(0.0);
        return (amps, b, rss);
    }
}

/// The most widths the coarse start scan tries.
const MAX_WIDTH_TRIES: usize = 200;

/// The best linear start at the seeds over widths every 0.1 Å from the lower width bound (in at
/// most [`MAX_WIDTH_TRIES`] steps), then the 0.05 Å neighbours of the best: (amplitudes,
/// baseline, width).
#[inline(always)]
pub(super) fn width_scan(
    r: &[f64],
    grid_step: Option<f64>,
    y: &[f64],
    opts: &FitParams,
) -> ([f64; 4], f64, f64) {
    let (smin, smax) = opts.width_bounds;
    let mut best = (f64::INFINITY, [0.0; 4], 0.0, smin);
    let moments = YMoments::of(y);
    let try_width = |w: f64, best: &mut (f64, [f64; 4], f64, f64)| {
        let (amps, b, rss) = linear_start(r, grid_step, y, &moments, &opts.seeds, w, opts.baseline);
        if rss < best.0 {
            *best = (rss, amps, b, w);
        }
    };
    // Every 0.1 Å, or in at most MAX_WIDTH_TRIES steps when the bounds are far apart: the
    // scan is bounded whatever the bounds.
    let span = smax - smin;
    let step = if span.is_finite() && span > 0.0 {
        (span / MAX_WIDTH_TRIES as f64).max(0.1)
    } else {
        0.1
    };
    let coarse = if span.is_finite() && span > 0.0 {
        ((span / step).ceil() as usize).min(MAX_WIDTH_TRIES)
    } else {
        0
    };
    for k in 0..=coarse {
        try_width((smin + step * k as f64).min(smax), &mut best);
    }
    let centre = best.3;
    for w in [centre - 0.05, centre + 0.05] {
        if w > smin && w < smax {
            try_width(w, &mut best);
        }
    }
    (best.1, best.2, best.3)
}

/// The start: `previous` (a neighbouring temperature's result) when its amplitudes, centres and
/// widths are finite (a non-finite baseline becomes 0), else the width scan at the seeds. The
/// solver projects it onto the bounds.
#[inline(always)]
pub(super) fn initial_parameters(
    layout: &Layout,
    r: &[f64],
    grid_step: Option<f64>,
    y: &[f64],
    opts: &FitParams,
    previous: Option<&ModeFit>,
) -> Vec<f64> {
    let usable = previous.filter(|s| {
        s.amplitudes
            .iter()
            .chain(&s.centres)
            .chain(&s.widths)
            .all(|v| v.is_finite())
    });
    if let Some(s) = usable {
        let baseline = if s.baseline.is_finite() {
            s.baseline
        } else {
            0.0
        };
        layout.pack(&s.amplitudes, &s.centres, &s.widths, baseline)
    } else {
        let (amps, baseline, width) = width_scan(r, grid_step, y, opts);
        layout.pack(&amps, &opts.seeds, &[width; 4], baseline)
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::gaussian_row;
    use super::super::tests::{grid, planted};
    use super::*;

    #[test]
    fn the_linear_start_recovers_exact_amplitudes_on_noiseless_data() {
        let opts = FitParams::default();
        let r = grid();
        let amps = [0.12, 0.30, 0.36, 0.10];
        let y = planted(&r, amps, opts.seeds, [0.27; 4], 0.95);
        // The recurrence on the uniform grid and plain exponentials elsewhere.
        for step in [Some(0.01), None] {
            let (a, b, rss) =
                linear_start(&r, step, &y, &YMoments::of(&y), &opts.seeds, 0.27, true);
            for i in 0..4 {
                assert!((a[i] - amps[i]).abs() < 1e-8, "{step:?} amp {i}: {}", a[i]);
            }
            assert!((b - 0.95).abs() < 1e-8);
            // Not 0: the 1e-12 ridge on the diagonal costs ~1e-12 Σ (AᵀA)ᵢᵢ βᵢ².
            assert!(rss < 1e-11 * dot(&y, &y), "{rss}");
        }
        // Without a baseline (and none in the data).
        let y = planted(&r, amps, opts.seeds, [0.27; 4], 0.0);
        let (a, b, _) = linear_start(
            &r,
            Some(0.01),
            &y,
            &YMoments::of(&y),
            &opts.seeds,
            0.27,
            false,
        );
        assert_eq!(b, 0.0);
        assert!(a.iter().zip(&amps).all(|(x, y)| (x - y).abs() < 1e-8));
    }

    #[test]
    fn the_width_scan_is_bounded_whatever_the_bounds() {
        // Bounds 1e155–6e214 Å once asked for 6e215 widths: a session could hang the app.
        let opts = FitParams {
            width_bounds: (4.45e155, 6.25e214),
            ..FitParams::default()
        };
        let r = grid();
        let y = planted(&r, [0.1; 4], opts.seeds, [0.27; 4], 1.0);
        let (_, _, w) = width_scan(&r, Some(0.01), &y, &opts);
        assert!(w >= opts.width_bounds.0 && w <= opts.width_bounds.1, "{w}");
        // Ordinary bounds still scan every 0.1 Å and find the planted width's neighbourhood.
        let opts = FitParams::default();
        let (_, _, w) = width_scan(&r, Some(0.01), &y, &opts);
        assert!((w - 0.27).abs() <= 0.05 + 1e-12, "{w}");
    }

    #[test]
    fn the_linear_start_keeps_amplitudes_non_negative_by_an_active_set() {
        let opts = FitParams::default();
        let r = grid();
        let step = Some(0.01);
        // A negative planted amplitude: the unconstrained fit would follow it below 0.
        let y = planted(&r, [0.3, 0.4, -0.2, 0.25], opts.seeds, [0.27; 4], 1.0);
        let (a, b, rss) = linear_start(&r, step, &y, &YMoments::of(&y), &opts.seeds, 0.27, true);
        assert_eq!(a[2], 0.0, "{a:?}");
        assert!(a.iter().all(|&v| v >= 0.0));
        // KKT of the non-negative problem: ∂RSS/∂Aᵢ = 2 eᵢᵀ(model − y) is 0 for a positive Aᵢ
        // and ≥ 0 for one held at 0; ∂RSS/∂b = 0.
        let mut rows = [
            vec![0.0; r.len()],
            vec![0.0; r.len()],
            vec![0.0; r.len()],
            vec![0.0; r.len()],
        ];
        for i in 0..4 {
            gaussian_row(&r, step, opts.seeds[i], 0.27, &mut rows[i]);
        }
        let res: Vec<f64> = (0..r.len())
            .map(|k| b + (0..4).map(|i| a[i] * rows[i][k]).sum::<f64>() - y[k])
            .collect();
        let direct: f64 = res.iter().map(|v| v * v).sum();
        assert!(
            (rss - direct).abs() < 1e-9 * (1.0 + direct),
            "{rss} vs {direct}"
        );
        for i in 0..4 {
            let g = 2.0 * dot(&rows[i], &res);
            if a[i] > 0.0 {
                assert!(g.abs() < 1e-8, "free amp {i}: {g}");
            } else {
                assert!(g > 0.0, "held amp {i}: {g}");
            }
        }
        assert!(res.iter().sum::<f64>().abs() < 1e-8);
        // All amplitudes negative: all held at 0, the baseline is the mean.
        let y: Vec<f64> = planted(&r, [-0.1; 4], opts.seeds, [0.27; 4], 0.5);
        let (a, b, _) = linear_start(&r, step, &y, &YMoments::of(&y), &opts.seeds, 0.27, true);
        assert_eq!(a, [0.0; 4]);
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        assert!((b - mean).abs() < 1e-9);
    }

    #[test]
    fn the_width_scan_finds_the_planted_width() {
        let opts = FitParams::default();
        let r = grid();
        let amps = [0.2, 0.3, 0.35, 0.1];
        // 0.25 is on the coarse grid (0.05 + 0.1k), 0.30 is a 0.05 neighbour of it.
        for width in [0.25, 0.30] {
            let y = planted(&r, amps, opts.seeds, [width; 4], 1.0);
            let (a, b, w) = width_scan(&r, Some(0.01), &y, &opts);
            assert!((w - width).abs() < 1e-12, "{w} vs {width}");
            assert!(a.iter().zip(&amps).all(|(x, y)| (x - y).abs() < 1e-8));
            assert!((b - 1.0).abs() < 1e-8);
        }
    }

    #[test]
    fn a_finite_previous_result_is_the_start_and_a_broken_one_is_not() {
        let opts = FitParams::default();
        let layout = Layout {
            free_widths: false,
            baseline: true,
        };
        let r = grid();
        let y = planted(&r, [0.2, 0.3, 0.35, 0.1], opts.seeds, [0.25; 4], 1.0);
        let scan = initial_parameters(&layout, &r, Some(0.01), &y, &opts, None);
        assert_eq!(scan.len(), 10);
        assert_eq!(&scan[4..8], &opts.seeds);
        assert!((scan[8] - 0.25).abs() < 1e-12);

        let mut previous = ModeFit::failed(String::new(), 0);
        previous.amplitudes = [0.1, 0.2, 0.3, 0.4];
        previous.centres = opts.seeds;
        previous.widths = [0.3; 4];
        let p = initial_parameters(&layout, &r, Some(0.01), &y, &opts, Some(&previous));
        assert_eq!(&p[..4], &previous.amplitudes);
        assert_eq!(p[8], 0.3);
        assert_eq!(p[9], 0.0, "a NaN baseline starts at 0");
        previous.widths[2] = f64::NAN;
        let p = initial_parameters(&layout, &r, Some(0.01), &y, &opts, Some(&previous));
        assert_eq!(p, scan, "a non-finite previous result is ignored");
    }
}
