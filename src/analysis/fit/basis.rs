//! The linear start's basis at one width, kept for reuse: the four Gaussian rows at the seed
//! centres and every product that does not involve the data (the Gram matrix of the rows and
//! the constant column).
//!
//! Every pattern of a series is fitted on the same r window with the same seeds, and the width
//! scan tries the same widths each time, so the basis of a (window, seeds, width) is the same
//! for all of them: the nominal fits, the two Q-range refits of the systematic σ (nominal seeds,
//! other data) and each seed-moved refit (the same moved seeds for every pattern). Building it
//! is most of a linear start (four rows and fourteen of its eighteen products); with it kept, a
//! linear start costs four dot products with the data. A kept basis holds exactly the values a
//! fresh one would (the same functions on the same inputs), so results keep their bits.
//!
//! Each thread keeps its own store (no lock, no shared counter: a process-wide store behind a
//! mutex made two threads queue for it and gained nothing), keyed by the window (its length,
//! ends and step — uniform grids only; others are not kept), the centres and the width, all by
//! their bits. A store is emptied when it reaches [`MAX_KEPT`] bases (about 9 kB each for a
//! 271-point window), so a user dragging seeds through many values cannot grow it without
//! bound.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::linalg::{dot, sum};
use super::model::gaussian_rows;

/// The most bases kept before the store is emptied.
pub const MAX_KEPT: usize = 2048;

/// The rows eᵢ(r) at one width and the products [`super::start::linear_start`] needs that do
/// not involve the data: `gram[i][j]` = eᵢ·eⱼ (i, j < 4), `gram[i][4]` = Σ eᵢ, `gram[4][4]` = n.
#[derive(Debug)]
pub(super) struct Basis {
    pub rows: [Vec<f64>; 4],
    pub gram: [[f64; 5]; 5],
}

impl Basis {
    /// The basis built afresh.
    #[inline(always)]
    pub fn build(r: &[f64], grid_step: Option<f64>, centres: [f64; 4], width: f64) -> Self {
        let n = r.len();
        let mut rows: [Vec<f64>; 4] = std::array::from_fn(|_| vec![0.0; n]);
        gaussian_rows(r, grid_step, centres, [width; 4], &mut rows);
        let mut gram = [[0.0; 5]; 5];
        for i in 0..4 {
            for j in i..4 {
                gram[i][j] = dot(&rows[i], &rows[j]);
                gram[j][i] = gram[i][j];
            }
            gram[i][4] = sum(&rows[i]);
            gram[4][i] = gram[i][4];
        }
        gram[4][4] = n as f64;
        Basis { rows, gram }
    }
}

/// (window length, first r, last r, step, centres, width), all as bits.
type Key = (usize, u64, u64, u64, [u64; 4], u64);

thread_local! {
    static KEPT: RefCell<HashMap<Key, Rc<Basis>>> = RefCell::new(HashMap::new());
}

/// The basis of (`r`, `centres`, `width`): this thread's kept one when there is one, else built
/// (and kept when `r` is a uniform grid).
#[inline(always)]
pub(super) fn basis(r: &[f64], grid_step: Option<f64>, centres: [f64; 4], width: f64) -> Rc<Basis> {
    let key = match (grid_step, r.first(), r.last()) {
        (Some(h), Some(a), Some(b)) => Some((
            r.len(),
            a.to_bits(),
            b.to_bits(),
            h.to_bits(),
            centres.map(f64::to_bits),
            width.to_bits(),
        )),
        _ => None,
    };
    let Some(key) = key else {
        return Rc::new(Basis::build(r, grid_step, centres, width));
    };
    KEPT.with(|kept| {
        if let Some(b) = kept.borrow().get(&key) {
            return Rc::clone(b);
        }
        let built = Rc::new(Basis::build(r, grid_step, centres, width));
        let mut map = kept.borrow_mut();
        if map.len() >= MAX_KEPT {
            map.clear();
        }
        map.insert(key, Rc::clone(&built));
        built
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_basis_is_the_fresh_one_bit_for_bit_and_keys_tell_inputs_apart() {
        let r: Vec<f64> = (0..=270).map(|i| 3.9 + 0.01 * i as f64).collect();
        let centres = [5.938, 5.142, 4.848, 4.199];
        let fresh = Basis::build(&r, Some(0.01), centres, 0.25);
        let first = basis(&r, Some(0.01), centres, 0.25);
        let again = basis(&r, Some(0.01), centres, 0.25);
        assert!(
            Rc::ptr_eq(&first, &again),
            "the second call reuses the first basis"
        );
        for i in 0..4 {
            assert!(
                first.rows[i]
                    .iter()
                    .zip(&fresh.rows[i])
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
        for i in 0..5 {
            for j in 0..5 {
                assert_eq!(first.gram[i][j].to_bits(), fresh.gram[i][j].to_bits());
            }
        }
        // Another width, other centres or another window: other bases.
        let wider = basis(&r, Some(0.01), centres, 0.35);
        assert!(!Rc::ptr_eq(&first, &wider));
        assert!(wider.gram[0][0] > first.gram[0][0]);
        let moved = basis(&r, Some(0.01), [6.0, 5.142, 4.848, 4.199], 0.25);
        assert_ne!(moved.gram[0][1].to_bits(), first.gram[0][1].to_bits());
        let shorter = basis(&r[..200], Some(0.01), centres, 0.25);
        assert_eq!(shorter.rows[0].len(), 200);
        // A non-uniform window is built afresh every time.
        let a = basis(&r, None, centres, 0.25);
        let b = basis(&r, None, centres, 0.25);
        assert!(!Rc::ptr_eq(&a, &b));
        assert_eq!(a.gram[1][2].to_bits(), b.gram[1][2].to_bits());
    }
}
