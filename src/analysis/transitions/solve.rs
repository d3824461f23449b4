//! The 4 × 4 systems of the three-segment fit: [`solve4`], Gaussian elimination with partial
//! pivoting, and [`solve4_lanes`], the same for `L` systems side by side.
//!
//! The breakpoint search solves thousands of these systems, one per candidate pair, and each
//! solve is a chain of dependent divisions. In lanes, each system performs exactly the scalar
//! solve's operations in their order (its own pivots and row swaps, the same sums), so every
//! lane has the bits of [`solve4`]; the divisions of the lanes then run as one vector operation.

// Small dense linear algebra reads clearest with explicit indices.
#![allow(clippy::needless_range_loop)]

/// Solves a 4×4 linear system by Gaussian elimination with partial pivoting; None when a pivot
/// is below 1e-12 in magnitude.
pub(super) fn solve4(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..4 {
            let f = a[row][col] / a[col][col];
            for k in col..4 {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..4).rev() {
        let s: f64 = (row + 1..4).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// `L` systems at once: `a[row][col][lane]`, `b[row][lane]`. Lane l's answer is exactly
/// `solve4` of its own system (None where that gives None).
#[inline(always)]
pub(super) fn solve4_lanes<const L: usize>(
    mut a: [[[f64; L]; 4]; 4],
    mut b: [[f64; L]; 4],
) -> [Option<[f64; 4]>; L] {
    let mut solvable = [true; L];
    for col in 0..4 {
        // Each lane's own pivot and row swap (the scalar solve swaps whole rows; the columns
        // before `col` are not read again either way).
        for l in 0..L {
            let pivot = (col..4)
                .max_by(|&i, &j| a[i][col][l].abs().total_cmp(&a[j][col][l].abs()))
                .unwrap_or(col);
            if a[pivot][col][l].abs() < 1e-12 {
                solvable[l] = false;
            }
            if pivot != col {
                for k in 0..4 {
                    let t = a[col][k][l];
                    a[col][k][l] = a[pivot][k][l];
                    a[pivot][k][l] = t;
                }
                let t = b[col][l];
                b[col][l] = b[pivot][l];
                b[pivot][l] = t;
            }
        }
        for row in col + 1..4 {
            let f: [f64; L] = std::array::from_fn(|l| a[row][col][l] / a[col][col][l]);
            for k in col..4 {
                for l in 0..L {
                    a[row][k][l] -= f[l] * a[col][k][l];
                }
            }
            for l in 0..L {
                b[row][l] -= f[l] * b[col][l];
            }
        }
    }
    let mut x = [[0.0; L]; 4];
    for row in (0..4).rev() {
        let s: [f64; L] =
            std::array::from_fn(|l| (row + 1..4).map(|k| a[row][k][l] * x[k][l]).sum::<f64>());
        x[row] = std::array::from_fn(|l| (b[row][l] - s[l]) / a[row][row][l]);
    }
    std::array::from_fn(|l| solvable[l].then(|| std::array::from_fn(|row| x[row][l])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::SplitMix64;

    /// A system of the fit's shape, sometimes with ties in the pivot column, zeros, a
    /// singular matrix, negative zero, NaN, a tiny pivot or none at all.
    fn system(rng: &mut SplitMix64, kind: u64) -> ([[f64; 4]; 4], [f64; 4]) {
        let mut a = [[0.0; 4]; 4];
        for row in 0..4 {
            for col in 0..4 {
                a[row][col] = rng.normal() * 10f64.powi((rng.uniform() * 5.0) as i32 - 2);
            }
        }
        let mut b: [f64; 4] = std::array::from_fn(|_| rng.normal());
        match kind % 8 {
            1 => a[2][0] = -a[0][0], // equal magnitudes: the last is the pivot
            2 => a[3] = a[1],        // singular
            3 => {
                a[0][0] = 0.0;
                a[1][0] = -0.0;
                b[3] = -0.0;
            }
            4 => a[1][2] = f64::NAN,
            5 => a[0][0] = 1e-13,
            6 => {
                // The fit's own shape: counts and sums of a centred temperature.
                let n = 120.0;
                a[0] = [n, 0.3, 40.0, 11.0];
                a[1][0] = 0.3;
                a[2][0] = 40.0;
                a[3][0] = 11.0;
            }
            7 => {
                // A column of zeros: no pivot.
                for row in &mut a {
                    row[1] = 0.0;
                }
            }
            _ => {}
        }
        (a, b)
    }

    #[test]
    fn every_lane_is_the_scalar_solve_bit_for_bit() {
        let mut rng = SplitMix64(17);
        let bits = |x: Option<[f64; 4]>| x.map(|v| v.map(f64::to_bits));
        let mut solved = 0;
        for round in 0..400u64 {
            let systems: [([[f64; 4]; 4], [f64; 4]); 4] =
                std::array::from_fn(|l| system(&mut rng, round + 3 * l as u64));
            let a: [[[f64; 4]; 4]; 4] = std::array::from_fn(|row| {
                std::array::from_fn(|col| std::array::from_fn(|l| systems[l].0[row][col]))
            });
            let b: [[f64; 4]; 4] =
                std::array::from_fn(|row| std::array::from_fn(|l| systems[l].1[row]));
            let lanes = solve4_lanes(a, b);
            for l in 0..4 {
                let scalar = solve4(systems[l].0, systems[l].1);
                assert_eq!(bits(lanes[l]), bits(scalar), "round {round} lane {l}");
                solved += usize::from(scalar.is_some());
            }
            // One lane alone gives the same as in a group.
            let one = solve4_lanes::<1>(
                std::array::from_fn(|row| std::array::from_fn(|col| [systems[0].0[row][col]])),
                std::array::from_fn(|row| [systems[0].1[row]]),
            );
            assert_eq!(bits(one[0]), bits(lanes[0]));
        }
        // Both outcomes are exercised.
        assert!(solved > 1000 && solved < 1600, "{solved} of 1600 solved");
    }
}
