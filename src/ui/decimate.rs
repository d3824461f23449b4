//! What a long series draws: at most a few points per pixel. A versus-T panel of a 10,000-pattern
//! series holds 10,000 markers and a 10,000-point spline per curve, a dozen curves, and egui_plot
//! turns every marker into a circle and every segment into triangles each frame (27 ms a frame
//! without this). Drawing only what a pixel can show keeps the picture and the frame rate:
//!
//! - [`markers`]: a marker whose centre falls in the same pixel as one already kept is not drawn
//!   again (it would be drawn within a pixel of it, under it).
//! - [`line`]: per pixel column the first, lowest, highest and last point, in their order, so the
//!   polyline covers the same pixels (the column's vertical extent and its joins to the next).
//!
//! The extreme points of each set are always kept, so the plot's automatic bounds, computed from
//! the drawn items, are those of the whole set. The data behind the hover readout, the clicks and
//! the exports is never thinned; short sets are drawn whole.

use egui_plot::PlotPoint;

/// Data units per pixel on x and y (both positive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PixelSize {
    pub x: f64,
    pub y: f64,
}

impl PixelSize {
    /// From a plot transform's value per screen point and the screen's pixels per point; None
    /// when either is not a usable finite, non-zero size (a plot not laid out yet).
    pub fn new(value_per_point: [f64; 2], pixels_per_point: f32) -> Option<Self> {
        let ppp = f64::from(pixels_per_point);
        let x = (value_per_point[0] / ppp).abs();
        let y = (value_per_point[1] / ppp).abs();
        (x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0 && ppp > 0.0)
            .then_some(PixelSize { x, y })
    }
}

/// Sets up to this many points are drawn whole: thinning would not be worth its cost.
const DRAWN_WHOLE: usize = 512;

/// Indices of the points with the lowest and highest x and y (first of equals).
fn extremes(points: &[PlotPoint]) -> [usize; 4] {
    let mut e = [0usize; 4];
    for (i, p) in points.iter().enumerate() {
        if p.x < points[e[0]].x {
            e[0] = i;
        }
        if p.x > points[e[1]].x {
            e[1] = i;
        }
        if p.y < points[e[2]].y {
            e[2] = i;
        }
        if p.y > points[e[3]].y {
            e[3] = i;
        }
    }
    e
}

/// The pixel cell of a value (cells counted from the origin; far-off values share the end
/// cells, which only keeps more of them).
fn cell(v: f64, size: f64) -> i64 {
    (v / size).floor().clamp(-1e15, 1e15) as i64
}

/// The markers worth drawing, in their order: one per pixel, plus the extremes. None when the
/// set is short enough to be drawn whole (draw `points` as they are). Points come in T order, so
/// a pixel column's points are consecutive: its pixels are looked up among those kept in the
/// column so far (a column met again later starts afresh, and a column of more than
/// [`COLUMN_CELLS`] distinct pixels keeps the rest whole: both only draw more).
pub(super) fn markers(points: &[PlotPoint], px: PixelSize) -> Option<Vec<PlotPoint>> {
    if points.len() <= DRAWN_WHOLE {
        return None;
    }
    let keep_always = extremes(points);
    let mut out = Vec::with_capacity(points.len().min(8192));
    let mut column = None;
    let mut rows: Vec<i64> = Vec::with_capacity(COLUMN_CELLS);
    for (i, p) in points.iter().enumerate() {
        let (x, y) = (cell(p.x, px.x), cell(p.y, px.y));
        if column != Some(x) {
            column = Some(x);
            rows.clear();
        }
        let new = rows.len() >= COLUMN_CELLS || !rows.contains(&y);
        if new && rows.len() < COLUMN_CELLS {
            rows.push(y);
        }
        if new || keep_always.contains(&i) {
            out.push(*p);
        }
    }
    Some(out)
}

/// Distinct pixels remembered per column by [`markers`].
const COLUMN_CELLS: usize = 64;

/// The vertices of a polyline worth drawing, in their order: per pixel column of consecutive
/// points, the first, the lowest, the highest and the last. None when the line is short enough
/// to be drawn whole.
pub(super) fn line(points: &[PlotPoint], px: PixelSize) -> Option<Vec<PlotPoint>> {
    if points.len() <= DRAWN_WHOLE {
        return None;
    }
    let mut out = Vec::with_capacity(points.len().min(4096));
    let mut start = 0;
    while start < points.len() {
        let column = cell(points[start].x, px.x);
        let mut end = start + 1;
        while end < points.len() && cell(points[end].x, px.x) == column {
            end += 1;
        }
        let run = &points[start..end];
        let (mut lo, mut hi) = (0, 0);
        for (k, p) in run.iter().enumerate() {
            if p.y < run[lo].y {
                lo = k;
            }
            if p.y > run[hi].y {
                hi = k;
            }
        }
        let mut picks = [0, lo, hi, run.len() - 1];
        picks.sort_unstable();
        let mut last = None;
        for k in picks {
            if last != Some(k) {
                out.push(run[k]);
                last = Some(k);
            }
        }
        start = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::SplitMix64;

    fn noisy(n: usize, seed: u64) -> Vec<PlotPoint> {
        let mut rng = SplitMix64(seed);
        (0..n)
            .map(|i| {
                let t = 300.0 + 0.045 * i as f64;
                PlotPoint::new(t, 2.7 + 1e-4 * t + 0.002 * rng.normal())
            })
            .collect()
    }

    const PX: PixelSize = PixelSize { x: 1.5, y: 0.0004 };

    fn bounds(p: &[PlotPoint]) -> [f64; 4] {
        p.iter().fold(
            [
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ],
            |b, q| [b[0].min(q.x), b[1].max(q.x), b[2].min(q.y), b[3].max(q.y)],
        )
    }

    #[test]
    fn every_marker_left_out_is_within_a_pixel_of_one_drawn_and_the_bounds_stay() {
        let all = noisy(10_000, 3);
        let kept = markers(&all, PX).expect("thinned");
        assert!(
            kept.len() < all.len() / 2,
            "{} of {}",
            kept.len(),
            all.len()
        );
        assert_eq!(bounds(&kept), bounds(&all));
        // Kept in their order (a subsequence of the input).
        let mut it = all.iter();
        assert!(kept.iter().all(|k| it.any(|p| p == k)));
        // Each point shares its pixel with a kept one.
        let drawn: std::collections::HashSet<(i64, i64)> = kept
            .iter()
            .map(|p| (cell(p.x, PX.x), cell(p.y, PX.y)))
            .collect();
        assert!(
            all.iter()
                .all(|p| drawn.contains(&(cell(p.x, PX.x), cell(p.y, PX.y))))
        );
    }

    #[test]
    fn a_thinned_line_covers_each_pixel_column_from_its_lowest_to_its_highest_point() {
        let all = noisy(10_000, 4);
        let kept = line(&all, PX).expect("thinned");
        assert!(kept.len() <= 4 * (all.len() as f64 * 0.045 / PX.x).ceil() as usize + 4);
        assert_eq!(bounds(&kept), bounds(&all));
        assert_eq!(kept.first(), all.first());
        assert_eq!(kept.last(), all.last());
        let columns = |p: &[PlotPoint]| {
            let mut m = std::collections::BTreeMap::new();
            for q in p {
                let e = m
                    .entry(cell(q.x, PX.x))
                    .or_insert((f64::INFINITY, f64::NEG_INFINITY));
                *e = (e.0.min(q.y), e.1.max(q.y));
            }
            m
        };
        assert_eq!(columns(&kept), columns(&all));
        let mut it = all.iter();
        assert!(kept.iter().all(|k| it.any(|p| p == k)));
    }

    #[test]
    fn short_sets_and_unusable_pixel_sizes_are_drawn_whole() {
        assert!(markers(&noisy(DRAWN_WHOLE, 5), PX).is_none());
        assert!(line(&noisy(DRAWN_WHOLE, 5), PX).is_none());
        assert!(PixelSize::new([0.0, 1.0], 1.0).is_none());
        assert!(PixelSize::new([f64::NAN, 1.0], 1.0).is_none());
        assert!(PixelSize::new([1.0, -2.0], 0.0).is_none());
        assert_eq!(
            PixelSize::new([2.0, -0.5], 2.0),
            Some(PixelSize { x: 1.0, y: 0.25 })
        );
    }
}
