//! Shell lobes of G(r): a lobe is a maximal run of r-grid points with G ≥ 0, counted from low r,
//! searching r ≥ `r_from` (default 1.5 Å). Its area is the trapezoid integral over the run's own
//! points (a one-point run has area 0). NaN breaks a run. `r1` is lobe 1 and `r6` lobe 6 (NaN when
//! there are fewer lobes); the study plots each relative to its series mean.
//!
//! **Stable identity.** A G(r) from S(Q) up to Qmax cannot resolve structure finer than
//! w = π/Qmax, and noise in S(Q) makes small lobes come and go from one temperature to the next,
//! which would renumber every lobe after them (r6 jumping between two shells). So the runs are
//! merged, in this order, with the [`LobeResolution`] of the pattern:
//! 1. a run that reaches the last point of the r grid is dropped: it is cut off, not a shell;
//! 2. two runs separated by a dip below zero narrower than w (from the last point of one to the
//!    first of the next) are one lobe: a termination ripple, not a shell boundary;
//! 3. then, repeatedly, the least lobe that is narrower than w or whose area is below the noise
//!    threshold [`NOISE_HEIGHTS`] · σ_G · (r_end − r_start) (its mean height below 3σ_G) is merged
//!    into the neighbour across the narrower gap (its only neighbour at either end); a merged
//!    lobe spans both and its area is the sum.
//!
//! σ_G is the noise of one G(r) value for white noise σᵢ in S(Q) on the points used:
//! σ_G² = ½ Σᵢ σᵢ² cᵢ² with cᵢ the transform's weights and σᵢ = 1.4826 · MAD of the second
//! differences / √6 in blocks of 64 points ([`super::transform::TransformPlan::big_g_noise`]).
//! A run of G ≥ 0 made by noise alone has a mean height of about σ_G (the mean of a positive
//! half-normal is 0.8σ); the threshold asks three times that, which a real shell of the demo
//! (the 8th, at 17–18 Å, mean height about 4σ_G) passes and the last ripple hovering at zero
//! near 19.5 Å (1–2σ_G) does not.
//! A real-space input has no Q range: its resolution is zero and only rule 1 applies.

use serde::{Deserialize, Serialize};

/// One positive lobe of G(r).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lobe {
    pub r_start: f64,
    pub r_end: f64,
    pub area: f64,
}

/// A lobe whose mean height (area over width) is below this many σ_G is noise.
pub const NOISE_HEIGHTS: f64 = 3.0;

/// What G(r) can resolve: lobes (and dips between them) narrower than `min_width`, or with a
/// mean height below [`NOISE_HEIGHTS`] × `noise`, are not shells. Zero: nothing is merged.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LobeResolution {
    /// π/Qmax (Å).
    pub min_width: f64,
    /// σ_G, the noise of one G(r) value (Å⁻²).
    pub noise: f64,
}

/// The noise σ of white noise on a smooth curve sampled finely: 1.4826 · MAD of the second
/// differences / √6 over the finite triples. NaN with fewer than 5 such triples.
pub fn white_noise_sigma(y: &[f64]) -> f64 {
    let mut d: Vec<f64> = Vec::with_capacity(y.len().saturating_sub(2));
    d.extend(
        y.windows(3)
            .map(|w| w[0] - 2.0 * w[1] + w[2])
            .filter(|v| v.is_finite()),
    );
    if d.len() < 5 {
        return f64::NAN;
    }
    let m = super::quality::median(&mut d);
    // The deviations in place.
    for v in &mut d {
        *v = (*v - m).abs();
    }
    1.4826 * super::quality::median(&mut d) / 6f64.sqrt()
}

/// The shell lobes of G(r) at r ≥ `r_from`, in order: the positive runs merged by the rules of
/// the module doc.
pub fn shell_lobes(
    r: &[f64],
    big_g: &[f64],
    r_from: f64,
    resolution: &LobeResolution,
) -> Vec<Lobe> {
    let n = r.len().min(big_g.len());
    let mut lobes = positive_runs(r, big_g, r_from);
    // 1. Cut off by the end of the grid.
    if n > 0 && lobes.last().is_some_and(|l| l.r_end == r[n - 1]) && big_g[n - 1] >= 0.0 {
        lobes.pop();
    }
    let w = if resolution.min_width.is_finite() {
        resolution.min_width.max(0.0)
    } else {
        0.0
    };
    let floor = if resolution.noise.is_finite() {
        NOISE_HEIGHTS * resolution.noise.max(0.0)
    } else {
        0.0
    };
    let join = |a: Lobe, b: Lobe| Lobe {
        r_start: a.r_start.min(b.r_start),
        r_end: a.r_end.max(b.r_end),
        area: a.area + b.area,
    };
    // 2. Dips narrower than the resolution.
    // Each lobe with its support: the summed width of its runs, without the gaps merged over,
    // so that a merge never makes a shell look thinner than it is.
    let mut bridged: Vec<(Lobe, f64)> = Vec::with_capacity(lobes.len());
    for l in lobes {
        let width = l.r_end - l.r_start;
        match bridged.last_mut() {
            Some((prev, support)) if l.r_start - prev.r_end < w => {
                *prev = join(*prev, l);
                *support += width;
            }
            _ => bridged.push((l, width)),
        }
    }
    // 3. Unresolved lobes, least area first, into the neighbour across the narrower gap.
    let mut lobes: Vec<Lobe> = bridged.iter().map(|(l, _)| *l).collect();
    let mut support: Vec<f64> = bridged.iter().map(|(_, s)| *s).collect();
    while lobes.len() > 1 {
        let unresolved =
            |k: usize| lobes[k].r_end - lobes[k].r_start < w || lobes[k].area < floor * support[k];
        let Some(k) = (0..lobes.len())
            .filter(|&k| unresolved(k))
            .min_by(|&a, &b| lobes[a].area.total_cmp(&lobes[b].area))
        else {
            break;
        };
        let gap_before = (k > 0).then(|| lobes[k].r_start - lobes[k - 1].r_end);
        let gap_after = lobes.get(k + 1).map(|next| next.r_start - lobes[k].r_end);
        let into = match (gap_before, gap_after) {
            (Some(b), Some(a)) if a < b => k + 1,
            (Some(_), _) => k - 1,
            _ => k + 1,
        };
        let merged = join(lobes[into], lobes[k]);
        lobes[into] = merged;
        support[into] += support[k];
        lobes.remove(k);
        support.remove(k);
    }
    lobes
}

/// The maximal runs of G ≥ 0 at r ≥ `r_from`, in order, unmerged.
pub fn positive_runs(r: &[f64], big_g: &[f64], r_from: f64) -> Vec<Lobe> {
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

/// The series-level warning when the number of lobes still changes among the patterns below
/// `t_x` (all of them without a T_x): `patterns` holds each usable pattern's position (K or
/// index) and lobe count, in order. None when the count is the same throughout.
pub fn lobe_count_warning(patterns: &[(f64, usize)], t_x: Option<f64>) -> Option<String> {
    let below: Vec<(f64, usize)> = patterns
        .iter()
        .copied()
        .filter(|(t, _)| t_x.is_none_or(|x| *t < x))
        .collect();
    let mut counts: Vec<(usize, usize, f64)> = Vec::new(); // (lobes, patterns, first position)
    for &(t, n) in &below {
        match counts.iter_mut().find(|c| c.0 == n) {
            Some(c) => c.1 += 1,
            None => counts.push((n, 1, t)),
        }
    }
    if counts.len() < 2 {
        return None;
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let parts: Vec<String> = counts
        .iter()
        .map(|(n, k, first)| format!("{n} in {k} (first at {first})"))
        .collect();
    let limit = t_x.map_or_else(
        || "in the series".to_string(),
        |x| format!("below T_x = {x:.1}"),
    );
    Some(format!(
        "the number of G(r) lobes changes {limit} even after merging unresolved ones: {}; \
         r6 may not be the same shell at every temperature",
        parts.join(", ")
    ))
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
        let lobes = shell_lobes(&r, &g, 1.5, &LobeResolution::default());
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
        let lobes = positive_runs(&r, &g, 1.5);
        assert_eq!(lobes.len(), 2);
        assert_eq!(
            (lobes[0].r_start, lobes[0].r_end, lobes[0].area),
            (1.5, 2.0, 0.5)
        );
        assert_eq!((lobes[1].r_start, lobes[1].area), (3.0, 0.0));
        // The run at the last grid point is cut off by the grid: not a shell.
        let shells = shell_lobes(&r, &g, 1.5, &LobeResolution::default());
        assert_eq!(shells, lobes[..1]);
    }

    /// Gaussian shells at 2, 4, 6, 8 Å (width 0.3, area √(2π)·0.3·h) on a 0.01 Å grid, below
    /// zero between them, with a spurious narrow bump and a split shell planted.
    fn planted_shells() -> (Vec<f64>, Vec<f64>) {
        let r: Vec<f64> = (0..1000).map(|i| 0.01 * i as f64).collect();
        let g = r
            .iter()
            .map(|&x| {
                let shell = |c: f64, h: f64| h * (-(x - c).powi(2) / (2.0 * 0.09)).exp();
                // A dip of 0.04 Å in the 6 Å shell, a bump 0.06 Å wide at 7.0 Å.
                let dip = if (5.98..6.02).contains(&x) { -2.0 } else { 0.0 };
                let bump = if (6.97..7.03).contains(&x) { 0.2 } else { 0.0 };
                shell(2.0, 1.0) + shell(4.0, 0.8) + shell(6.0, 0.6) + shell(8.0, 0.4) - 0.1
                    + dip
                    + bump
            })
            .collect();
        (r, g)
    }

    #[test]
    fn unresolved_dips_bumps_and_noise_lobes_are_merged_into_neighbours() {
        let (r, g) = planted_shells();
        let raw = positive_runs(&r, &g, 1.5);
        assert_eq!(raw.len(), 6, "{raw:?}");
        let w = std::f64::consts::PI / 25.0; // Qmax = 25 1/Å: 0.126 Å
        let shells = shell_lobes(
            &r,
            &g,
            1.5,
            &LobeResolution {
                min_width: w,
                noise: 0.0,
            },
        );
        assert_eq!(shells.len(), 4, "{shells:?}");
        // The split 6 Å shell is one lobe again, with both halves' areas.
        let joined = raw[2].area + raw[3].area + raw[4].area;
        assert!((shells[2].area - joined).abs() < 1e-12);
        assert!((shells[2].r_start - raw[2].r_start).abs() < 1e-12);
        // The bump at 7.0 Å (0.06 Å wide) joined the 6 Å shell, across the narrower gap.
        assert!((shells[2].r_end - raw[4].r_end).abs() < 1e-12);
        assert_eq!(shells[3], raw[5]);
        // Without a resolution nothing is merged.
        assert_eq!(shell_lobes(&r, &g, 1.5, &LobeResolution::default()), raw);
        // A noise floor above the 8 Å shell's mean height merges it into the 6 Å shell (its
        // only neighbour), not away.
        let mean_height = shells[3].area / (shells[3].r_end - shells[3].r_start);
        let noisy = shell_lobes(
            &r,
            &g,
            1.5,
            &LobeResolution {
                min_width: w,
                noise: mean_height / NOISE_HEIGHTS * 1.01,
            },
        );
        assert_eq!(noisy.len(), 3);
        assert!((noisy[2].area - (shells[2].area + shells[3].area)).abs() < 1e-12);
        assert_eq!(noisy[2].r_end, shells[3].r_end);
    }

    #[test]
    fn white_noise_sigma_sees_the_noise_not_the_curve() {
        let mut rng = crate::analysis::rng::SplitMix64(5);
        let y: Vec<f64> = (0..5000)
            .map(|i| (0.01 * i as f64).sin() * 3.0 + 0.002 * rng.normal())
            .collect();
        let s = white_noise_sigma(&y);
        assert!((s - 0.002).abs() < 0.0001, "{s}");
        assert!(white_noise_sigma(&[1.0, 2.0, 3.0]).is_nan());
    }

    #[test]
    fn a_changing_lobe_count_below_t_x_is_said_once() {
        let steady = [(300.0, 9), (303.0, 9), (306.0, 9), (720.0, 11)];
        assert_eq!(lobe_count_warning(&steady, Some(700.0)), None);
        let w = lobe_count_warning(&steady, None).expect("warning");
        assert!(
            w.contains("in the series") && w.contains("11 in 1 (first at 720)"),
            "{w}"
        );
        let changing = [(300.0, 9), (303.0, 10), (306.0, 9), (720.0, 11)];
        let w = lobe_count_warning(&changing, Some(700.0)).expect("warning");
        assert!(
            w.starts_with("the number of G(r) lobes changes below T_x = 700.0"),
            "{w}"
        );
        assert!(
            w.contains("9 in 2 (first at 300), 10 in 1 (first at 303)"),
            "{w}"
        );
    }

    #[test]
    fn fewer_than_six_lobes_and_nan() {
        let r = vec![2.0, 2.1, 2.2, 2.3];
        let g = vec![1.0, f64::NAN, 1.0, 1.0];
        let lobes = positive_runs(&r, &g, 1.5);
        assert_eq!(lobes.len(), 2, "NaN breaks the run");
        assert!(lobe_area(&lobes, 6).is_nan());
        let rel = relative_to_mean(&[1.0, 3.0, f64::NAN]);
        assert_eq!(rel[0], -0.5);
        assert_eq!(rel[1], 0.5);
        assert!(rel[2].is_nan());
    }
}
