//! Frames that must not steer what is detected across a series: a **dead frame** (every value
//! the same — a detector read-out of zeros, a constant fill) and a **spike** (a frame far from
//! both its neighbours while they agree with each other — a shutter glitch, a bad
//! normalisation). Both stay in the results with a message; they are left out of the
//! T_r/T_g/T_x detection and of the smoothing splines.
//!
//! Spike rule, on one quantity v versus pattern order: with d₋ = |vᵢ − vᵢ₋₁|, d₊ = |vᵢ − vᵢ₊₁|
//! and d± = |vᵢ₊₁ − vᵢ₋₁|, frame i is a spike when min(d₋, d₊) > max(20σ, 0.002 |vᵢ|) and
//! d± < min(d₋, d₊)/2, σ being the noise of one value estimated robustly from the first
//! differences (1.4826 · MAD / √2). The end frames are compared with the two frames beside
//! them. A step (crystallization) is never a spike: a frame on a step is close to one side.
//! NaN values are skipped (their neighbours are the nearest finite values); fewer than five
//! finite values flag nothing.

/// Why a pattern's values are all the same, or None.
pub fn dead_frame(y: &[f64]) -> Option<String> {
    let first = *y.iter().find(|v| v.is_finite())?;
    let scale = first.abs().max(1e-300);
    let constant = y
        .iter()
        .filter(|v| v.is_finite())
        .all(|v| (v - first).abs() <= 1e-12 * scale);
    (constant && y.len() > 1).then(|| {
        if first == 0.0 {
            "dead frame: every value is 0".to_string()
        } else {
            format!("dead frame: every value is {first}")
        }
    })
}

/// The median in the total order of `f64` (`f64::total_cmp`: NaN last), by selection in linear
/// time on integer keys of that order: the same value a full sort gives. `v` must not be empty
/// (it is left as it was).
pub(crate) fn median(v: &mut [f64]) -> f64 {
    let mut keys: Vec<u64> = v.iter().map(|&x| total_order_key(x)).collect();
    let m = keys.len() / 2;
    let even = keys.len().is_multiple_of(2);
    let (below, &mut upper, _) = keys.select_nth_unstable(m);
    let upper = from_total_order_key(upper);
    if even {
        // The element just below the middle is the largest of those before it.
        let lower = below
            .iter()
            .copied()
            .max()
            .map_or(upper, from_total_order_key);
        0.5 * (lower + upper)
    } else {
        upper
    }
}

/// An integer whose unsigned order is the order of `f64::total_cmp` (negative values have every
/// bit flipped, the others only the sign bit), so selection compares plain integers.
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The value of a [`total_order_key`].
fn from_total_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Which values are spikes (see the module docs), in the order given.
pub fn spikes(values: &[f64]) -> Vec<bool> {
    let mut out = vec![false; values.len()];
    let finite: Vec<(usize, f64)> = values
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .collect();
    if finite.len() < 5 {
        return out;
    }
    let mut diffs: Vec<f64> = finite.windows(2).map(|w| w[1].1 - w[0].1).collect();
    let med = median(&mut diffs);
    let mut dev: Vec<f64> = diffs.iter().map(|d| (d - med).abs()).collect();
    let sigma = 1.4826 * median(&mut dev) / std::f64::consts::SQRT_2;
    let n = finite.len();
    for k in 0..n {
        // The two comparison frames: the neighbours, or the next two at an end.
        let (a, b) = match k {
            0 => (1, 2),
            k if k == n - 1 => (n - 2, n - 3),
            k => (k - 1, k + 1),
        };
        let v = finite[k].1;
        let (da, db) = ((v - finite[a].1).abs(), (v - finite[b].1).abs());
        let near = da.min(db);
        let between = (finite[a].1 - finite[b].1).abs();
        let threshold = (20.0 * sigma).max(0.002 * v.abs());
        if near > threshold && between < 0.5 * near {
            out[finite[k].0] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_by_selection_is_the_median_of_the_sorted_values_bit_for_bit() {
        let mut rng = crate::analysis::rng::SplitMix64(11);
        for n in 1..60 {
            for _ in 0..50 {
                let v: Vec<f64> = (0..n)
                    .map(|_| match (rng.uniform() * 10.0) as u32 {
                        0 => f64::NAN,
                        1 => 0.0,
                        2 => -0.0,
                        3 => 1.5,
                        _ => rng.normal(),
                    })
                    .collect();
                let mut sorted = v.clone();
                sorted.sort_by(f64::total_cmp);
                let m = n / 2;
                let expected = if n % 2 == 0 {
                    0.5 * (sorted[m - 1] + sorted[m])
                } else {
                    sorted[m]
                };
                let got = median(&mut v.clone());
                assert!(
                    got.to_bits() == expected.to_bits() || (got.is_nan() && expected.is_nan()),
                    "{v:?}: {got} vs {expected}"
                );
            }
        }
    }
    use crate::analysis::rng::SplitMix64;

    #[test]
    fn constant_frames_are_dead_and_real_ones_are_not() {
        assert!(dead_frame(&[0.0; 50]).is_some_and(|m| m.contains("every value is 0")));
        assert!(dead_frame(&[2.5; 50]).is_some());
        assert!(dead_frame(&[1.0, 1.0, f64::NAN, 1.0]).is_some());
        assert!(dead_frame(&[1.0, 1.01, 0.99]).is_none());
        assert!(dead_frame(&[]).is_none());
        assert!(dead_frame(&[3.0]).is_none());
    }

    #[test]
    fn a_spike_is_flagged_but_noise_and_steps_are_not() {
        let mut rng = SplitMix64(3);
        // A slow trend with noise, then a step (crystallization) at 60.
        let mut v: Vec<f64> = (0..100)
            .map(|i| 1.3 + 1e-4 * i as f64 + 5e-4 * rng.normal() + if i >= 60 { 0.4 } else { 0.0 })
            .collect();
        assert!(
            spikes(&v).iter().all(|s| !s),
            "noise and a step are not spikes"
        );
        v[30] = 0.0;
        v[75] *= 1.3;
        v[0] = 5.0;
        v[45] = f64::NAN;
        let flagged: Vec<usize> = spikes(&v)
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(flagged, vec![0, 30, 75]);
        assert!(
            spikes(&[1.0, 2.0, 3.0]).iter().all(|s| !s),
            "too few values"
        );
    }
}
