//! [`super::lobes::white_noise_sigma`] of several blocks at once, with the same bits.
//!
//! The noise of G(r) is estimated from blocks of 64 S(Q) points, two exact medians per block
//! (of the second differences, then of their absolute deviations). Found one block at a time by
//! selection, they were a tenth of the whole analysis: selection branches on every comparison
//! and mispredicts about half of them. Here [`LANES`] blocks are sorted together by a fixed
//! sorting network (Batcher's odd–even merge sort of [`WIDTH`] values, 543 compare-exchanges
//! with no branch on the data, each a vector minimum and maximum), one block per lane. Then:
//!
//! - the median m is read off the sorted values: the order statistics selection finds;
//! - the deviations |xᵢ − m| of the sorted xᵢ fall, then rise (rounded subtraction is
//!   monotone), so a bitonic merger (192 compare-exchanges) sorts them, and their median is read
//!   off too. Each deviation is computed as the scalar code computes it.
//!
//! Each σ is then `1.4826 · MAD / √6`, as in the scalar code, and has its bits. The values are
//! finite (the scalar code keeps only finite differences). The one thing the network does not
//! keep is the sign of a zero (a vector minimum of −0 and +0 may give +0 twice, where the
//! scalar median orders −0 first): m can then differ from the scalar m only as −0 against +0,
//! which changes no deviation |x − m| (x − (±0) differs at most in the sign of a zero result,
//! which the absolute value drops), so the MAD and σ keep their bits. The tests include blocks
//! of signed zeros.

/// Blocks sorted side by side.
pub const LANES: usize = 4;

/// Keys sorted per block: at least the second differences of a block of
/// [`super::transform::NOISE_BLOCK`] points.
pub const WIDTH: usize = 64;

const _: () = assert!(super::transform::NOISE_BLOCK - 2 <= WIDTH);

/// The compare-exchanges of Batcher's odd–even merge sort of [`WIDTH`] values, in order (543
/// for 64 values).
static NETWORK: &[(u8, u8)] = BATCHER.0.split_at(BATCHER.1).0;

/// [`NETWORK`] in a buffer wide enough for any network of [`WIDTH`] values, and its length.
static BATCHER: ([(u8, u8); WIDTH * WIDTH], usize) = batcher();

/// The pairs (lower, upper) of the network, in order (Knuth, TAOCP 3, 5.3.4, algorithm M).
const fn batcher() -> ([(u8, u8); WIDTH * WIDTH], usize) {
    let mut out = [(0u8, 0u8); WIDTH * WIDTH];
    let mut n = 0;
    let mut p = 1;
    while p < WIDTH {
        let mut k = p;
        while k >= 1 {
            let mut j = k % p;
            while j + k < WIDTH {
                let mut i = 0;
                while i < k && i + j + k < WIDTH {
                    if (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        out[n] = ((i + j) as u8, (i + j + k) as u8);
                        n += 1;
                    }
                    i += 1;
                }
                j += 2 * k;
            }
            k /= 2;
        }
        p *= 2;
    }
    (out, n)
}

/// The compare-exchanges of a bitonic merger of [`WIDTH`] values: it sorts any sequence that
/// falls then rises (192 for 64 values).
const MERGER: [(u8, u8); WIDTH / 2 * WIDTH.trailing_zeros() as usize] = merger();

const fn merger() -> [(u8, u8); WIDTH / 2 * WIDTH.trailing_zeros() as usize] {
    let mut out = [(0u8, 0u8); WIDTH / 2 * WIDTH.trailing_zeros() as usize];
    let mut n = 0;
    let mut j = WIDTH / 2;
    while j >= 1 {
        let mut i = 0;
        while i < WIDTH {
            if i & j == 0 {
                out[n] = (i as u8, (i + j) as u8);
                n += 1;
            }
            i += 1;
        }
        j /= 2;
    }
    out
}

/// Each compare-exchange of `network` in order on every lane: `values[i][lane]` (finite or
/// +∞; see the module doc on zeros).
#[inline(always)]
fn exchange_all(values: &mut [[f64; LANES]; WIDTH], network: &[(u8, u8)]) {
    for &(lo, hi) in network {
        // Indices below WIDTH by construction; the mask lets the compiler drop the checks.
        let (lo, hi) = (lo as usize % WIDTH, hi as usize % WIDTH);
        let (a, b) = (values[lo], values[hi]);
        values[lo] = std::array::from_fn(|l| a[l].min(b[l]));
        values[hi] = std::array::from_fn(|l| a[l].max(b[l]));
    }
}

/// The values of each lane sorted ascending, in place.
#[inline(always)]
fn sort_lanes(values: &mut [[f64; LANES]; WIDTH]) {
    exchange_all(values, NETWORK);
}

/// [`super::lobes::white_noise_sigma`] of each block (each at most [`WIDTH`] + 2 points), with
/// its bits: NaN for a block with fewer than five finite second differences.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+avx"))]
pub fn white_noise_sigma_lanes(blocks: [&[f64]; LANES]) -> [f64; LANES] {
    // Above every finite value: the padding sorts to the end and is never read.
    let mut values = [[f64::INFINITY; LANES]; WIDTH];
    let mut len = [0usize; LANES];
    for (l, block) in blocks.iter().enumerate() {
        let finite = block
            .windows(3)
            .map(|w| w[0] - 2.0 * w[1] + w[2])
            .filter(|v| v.is_finite());
        for (slot, d) in values.iter_mut().zip(finite) {
            slot[l] = d;
            len[l] += 1;
        }
    }
    sort_lanes(&mut values);
    let x = |i: usize, l: usize| values[i][l];
    // Per lane: the median m (order statistics h − 1 and h of n, or h alone for odd n).
    let h: [usize; LANES] = std::array::from_fn(|l| len[l] / 2);
    let m: [f64; LANES] = std::array::from_fn(|l| match (len[l], h[l]) {
        (0, _) => f64::NAN,
        (n, h) if n.is_multiple_of(2) => 0.5 * (x(h - 1, l) + x(h, l)),
        (_, h) => x(h, l),
    });
    // The deviations |x − m| of the sorted values fall, then rise (rounded subtraction is
    // monotone; the +∞ padding stays last): a bitonic sequence, which a bitonic merger sorts.
    let mut deviations: [[f64; LANES]; WIDTH] =
        std::array::from_fn(|i| std::array::from_fn(|l| (x(i, l) - m[l]).abs()));
    exchange_all(&mut deviations, &MERGER);
    std::array::from_fn(|l| {
        let n = len[l];
        if blocks[l].len() > WIDTH + 2 {
            // Longer than the network sorts (not a noise block): the scalar estimate.
            return super::lobes::white_noise_sigma(blocks[l]);
        }
        if n < 5 {
            return f64::NAN;
        }
        let d = |i: usize| deviations[i][l];
        let mad = if n.is_multiple_of(2) {
            0.5 * (d(h[l] - 1) + d(h[l]))
        } else {
            d(h[l])
        };
        1.4826 * mad / 6f64.sqrt()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lobes::white_noise_sigma;
    use crate::analysis::rng::SplitMix64;

    #[test]
    fn the_network_sorts_every_input() {
        assert_eq!(NETWORK.len(), 543);
        let mut rng = SplitMix64(3);
        for round in 0..200 {
            let mut values = [[0.0; LANES]; WIDTH];
            for row in values.iter_mut() {
                for v in row.iter_mut() {
                    // Few distinct values in some rounds: ties everywhere.
                    *v = if round % 3 == 0 {
                        (rng.uniform() * 4.0).floor()
                    } else {
                        rng.normal()
                    };
                }
            }
            values[7][1] = f64::INFINITY;
            let mut expected: Vec<Vec<f64>> = (0..LANES)
                .map(|l| values.iter().map(|row| row[l]).collect())
                .collect();
            for e in &mut expected {
                e.sort_by(f64::total_cmp);
            }
            sort_lanes(&mut values);
            for (l, e) in expected.iter().enumerate() {
                let got: Vec<f64> = values.iter().map(|row| row[l]).collect();
                assert_eq!(&got, e, "round {round} lane {l}");
            }
        }
    }

    #[test]
    fn the_merger_sorts_sequences_that_fall_then_rise() {
        assert_eq!(MERGER.len(), 192);
        let mut rng = SplitMix64(5);
        for round in 0..200 {
            // Sorted values, a centre among them, and the distances to it.
            let mut v: Vec<f64> = (0..WIDTH).map(|_| rng.normal()).collect();
            v.sort_by(f64::total_cmp);
            let padding = round % 20;
            let centre = v[(WIDTH - padding) / 2];
            let mut values = [[0.0; LANES]; WIDTH];
            for (i, row) in values.iter_mut().enumerate() {
                for (l, x) in row.iter_mut().enumerate() {
                    *x = if i >= WIDTH - padding {
                        f64::INFINITY
                    } else {
                        (v[i] * (l + 1) as f64 - centre * (l + 1) as f64).abs()
                    };
                }
            }
            let mut expected: Vec<Vec<f64>> = (0..LANES)
                .map(|l| values.iter().map(|row| row[l]).collect())
                .collect();
            for e in &mut expected {
                e.sort_by(f64::total_cmp);
            }
            exchange_all(&mut values, &MERGER);
            for (l, e) in expected.iter().enumerate() {
                let got: Vec<f64> = values.iter().map(|row| row[l]).collect();
                assert_eq!(&got, e, "round {round} lane {l}");
            }
        }
    }

    /// A block of S(Q)-like points: a smooth curve, noise, and what real blocks hold now
    /// and then.
    fn block(rng: &mut SplitMix64, kind: usize) -> Vec<f64> {
        let n = match kind % 9 {
            7 => 34, // the short last block of a pattern
            8 => 6,  // four second differences: too few
            _ => 64,
        };
        let mut y: Vec<f64> = (0..n)
            .map(|i| 1.0 + 0.3 * (0.2 * i as f64).sin() + 1e-3 * rng.normal())
            .collect();
        match kind % 9 {
            1 => y[5] = f64::NAN,
            2 => y.iter_mut().for_each(|v| *v = 1.0), // all differences 0: MAD 0
            3 => {
                // Ties and signed zeros among the differences.
                for (i, v) in y.iter_mut().enumerate() {
                    *v = (i % 3) as f64 * 0.5;
                }
            }
            4 => y.iter_mut().step_by(2).for_each(|v| *v = f64::INFINITY),
            5 => y.truncate(63), // an odd count of differences
            6 => {
                for v in y.iter_mut().take(30) {
                    *v = f64::NAN;
                }
            }
            0 if kind.is_multiple_of(2) => {
                // Signed zeros: differences of −0 and +0, the median a zero of either sign.
                for (i, v) in y.iter_mut().enumerate() {
                    *v = match i % 4 {
                        0 | 2 => -0.0,
                        1 => 0.0,
                        _ if i < 40 => 0.0,
                        _ => 1e-3 * rng.normal(),
                    };
                }
            }
            _ => {}
        }
        y
    }

    #[test]
    fn every_lane_is_the_scalar_estimate_bit_for_bit() {
        let mut rng = SplitMix64(11);
        let mut finite = 0;
        for round in 0..300 {
            let blocks: Vec<Vec<f64>> =
                (0..LANES).map(|l| block(&mut rng, round + 2 * l)).collect();
            let refs: [&[f64]; LANES] = std::array::from_fn(|l| &blocks[l][..]);
            let lanes = white_noise_sigma_lanes(refs);
            for l in 0..LANES {
                let scalar = white_noise_sigma(&blocks[l]);
                assert_eq!(
                    lanes[l].to_bits(),
                    scalar.to_bits(),
                    "round {round} lane {l}: {} vs {scalar}",
                    lanes[l]
                );
                finite += usize::from(scalar.is_finite() && scalar > 0.0);
            }
        }
        assert!(finite > 600, "{finite}");
        // And it is the noise: σ of white noise added to a smooth curve.
        let y: Vec<f64> = (0..64)
            .map(|i| (0.05 * i as f64).sin() + 0.01 * rng.normal())
            .collect();
        let s = white_noise_sigma_lanes([&y, &y, &y, &y]);
        assert!((s[0] - 0.01).abs() < 0.004, "{}", s[0]);
    }
}
