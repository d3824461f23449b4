//! Alerts for an operator watching a heating run: a quantity leaving the trend it followed in
//! the glass, e.g. the FSDP area rising as Bragg peaks grow (crystallisation starting), so the
//! ramp can be stopped before the cell is ruined.
//!
//! Rule: a straight line v = a + b T is fitted by least squares to the **baseline**, the kept
//! points below T_g (when T_g is known and at least [`MIN_BASELINE`] points lie below it),
//! else the first [`BASELINE_SHARE`] of the kept points. The noise σ of one value is
//! 1.4826 · MAD of the baseline's residuals (robust: a spike in the glass does not widen it).
//! The alert fires when the last `consecutive` kept points all lie more than `sigmas` σ above
//! the line (below it for [`Direction::Falling`]); it names the first T of the run of points
//! beyond the threshold that ends at the newest point, and the newest point's excess in σ.
//!
//! Fewer than [`MIN_BASELINE`] baseline points, a σ of 0 or NaN (a noiseless or constant
//! baseline: every departure would be infinitely many σ), or fewer kept points after the
//! baseline than `consecutive`: no alert. NaN values and excluded (suspect) patterns are
//! skipped.

use super::metric::Metric;
use super::series::SeriesAnalysis;
use super::transitions::Transition;

/// Fewest baseline points a trend is fitted to.
pub const MIN_BASELINE: usize = 8;
/// The share of the kept points taken as the baseline when T_g is not known.
pub const BASELINE_SHARE: f64 = 0.5;

/// Which way a departure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Rising,
    Falling,
}

/// What to watch and how far is too far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRule {
    pub metric: Metric,
    pub direction: Direction,
    /// Distance from the trend, in σ of the baseline's scatter.
    pub sigmas: f64,
    /// Newest kept points that must all be beyond the threshold.
    pub consecutive: usize,
}

impl Default for AlertRule {
    /// The FSDP area rising 5 σ above its glass trend at the 3 newest points.
    fn default() -> Self {
        AlertRule {
            metric: Metric::FsdpArea,
            direction: Direction::Rising,
            sigmas: 5.0,
            consecutive: 3,
        }
    }
}

/// A fired alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub rule: AlertRule,
    /// The first T (or index) of the run beyond the threshold that ends at the newest point.
    pub since: f64,
    /// The newest point's distance from the trend, in σ (positive in the rule's direction).
    pub excess: f64,
    /// The trend's noise σ and how many baseline points it was fitted to.
    pub sigma: f64,
    pub baseline_points: usize,
}

/// The alert of `rule` on values `v` at `t` (same length; `excluded` points skipped), with the
/// glass transition `t_g` when it is known; None when the rule does not fire.
pub fn departure(
    t: &[f64],
    v: &[f64],
    excluded: &[bool],
    t_g: Option<f64>,
    rule: &AlertRule,
) -> Option<Alert> {
    let kept: Vec<(f64, f64)> = t
        .iter()
        .zip(v)
        .enumerate()
        .filter(|&(i, (x, y))| {
            !excluded.get(i).copied().unwrap_or(false) && x.is_finite() && y.is_finite()
        })
        .map(|(_, (&x, &y))| (x, y))
        .collect();
    let below_tg = t_g.map_or(0, |tg| kept.iter().filter(|(x, _)| *x < tg).count());
    let baseline: Vec<(f64, f64)> = if below_tg >= MIN_BASELINE {
        kept.iter()
            .copied()
            .filter(|(x, _)| *x < t_g.unwrap_or(f64::INFINITY))
            .collect()
    } else {
        let n = (kept.len() as f64 * BASELINE_SHARE).floor() as usize;
        kept[..n.min(kept.len())].to_vec()
    };
    let after = kept.len() - baseline.len();
    let consecutive = rule.consecutive.max(1);
    if baseline.len() < MIN_BASELINE || after < consecutive {
        return None;
    }
    let (a, b) = line(&baseline)?;
    let mut residuals: Vec<f64> = baseline.iter().map(|(x, y)| y - (a + b * x)).collect();
    let sigma = 1.4826 * mad(&mut residuals);
    if !sigma.is_finite() || sigma <= 0.0 {
        return None;
    }
    let sign = match rule.direction {
        Direction::Rising => 1.0,
        Direction::Falling => -1.0,
    };
    let excess = |(x, y): (f64, f64)| sign * (y - (a + b * x)) / sigma;
    let beyond = |p: &(f64, f64)| excess(*p) > rule.sigmas;
    let run = kept.iter().rev().take_while(|p| beyond(p)).count();
    if run < consecutive {
        return None;
    }
    let newest = *kept.last()?;
    Some(Alert {
        rule: *rule,
        since: kept[kept.len() - run].0,
        excess: excess(newest),
        sigma,
        baseline_points: baseline.len(),
    })
}

/// [`departure`] on a series' analysis: the rule's metric versus T, suspect patterns skipped,
/// T_g as detected (or marked).
pub fn series_alert(analysis: &SeriesAnalysis, rule: &AlertRule) -> Option<Alert> {
    let t = axis(analysis.patterns.iter().map(|p| (p.index, p.kelvin)));
    let v = &analysis.curve(rule.metric)?.values;
    let excluded: Vec<bool> = analysis
        .patterns
        .iter()
        .map(|p| p.suspect.is_some())
        .collect();
    let t_g = analysis.transitions.kelvin(Transition::Glass);
    departure(&t, v, &excluded, t_g, rule)
}

/// Each pattern's place on the alert's axis, as the versus-T panels plot it: T in K, NaN
/// (skipped) for a pattern whose T has not come yet (a log row that lags its file); the index
/// only on a series without any temperature.
fn axis(patterns: impl Iterator<Item = (usize, Option<f64>)> + Clone) -> Vec<f64> {
    let kelvin = patterns.clone().any(|(_, t)| t.is_some());
    patterns
        .map(|(i, t)| match t {
            Some(t) => t,
            None if kelvin => f64::NAN,
            None => i as f64,
        })
        .collect()
}

/// Least-squares line through the points: (intercept, slope); None if the T are all equal.
fn line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// The median absolute deviation from the median (`v` is reordered).
fn mad(v: &mut [f64]) -> f64 {
    let m = super::quality::median(v);
    for x in v.iter_mut() {
        *x = (*x - m).abs();
    }
    super::quality::median(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rng::SplitMix64;

    /// A glass trend 1.0 + 2e-4 (T − 300) with noise σ, stepping up from `onset` at `rise`
    /// per kelvin.
    fn series(onset: f64, rise: f64, sigma: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = SplitMix64(seed);
        let t: Vec<f64> = (0..150).map(|i| 300.0 + 3.0 * i as f64).collect();
        let v = t
            .iter()
            .map(|&x| 1.0 + 2e-4 * (x - 300.0) + rise * (x - onset).max(0.0) + sigma * rng.normal())
            .collect();
        (t, v)
    }

    #[test]
    fn a_pattern_without_its_temperature_yet_is_left_out_not_placed_at_its_index() {
        let with_t = [(0, Some(300.0)), (1, Some(303.0)), (2, None)];
        let t = axis(with_t.iter().copied());
        assert_eq!(&t[..2], &[300.0, 303.0]);
        assert!(t[2].is_nan(), "not 2 K: {t:?}");
        let without = [(0, None), (1, None)];
        assert_eq!(axis(without.iter().copied()), vec![0.0, 1.0]);
    }

    #[test]
    fn a_rise_after_the_glass_is_caught_where_it_starts() {
        let (t, v) = series(700.0, 0.002, 0.001, 1);
        let rule = AlertRule::default();
        let alert = departure(&t, &v, &[], Some(600.0), &rule).expect("fires");
        // 5 σ = 0.005 above the trend is reached 2.5 K after the onset; the noise moves the
        // first crossing by a step or two.
        assert!((alert.since - 705.0).abs() <= 9.0, "{alert:?}");
        assert!((alert.sigma - 0.001).abs() < 0.0003, "{alert:?}");
        assert_eq!(alert.baseline_points, 100, "the points below T_g = 600");
        // The newest point is 0.002 · (747 − 700) = 0.094 above the trend.
        assert!(
            (alert.excess * alert.sigma - 0.094).abs() < 0.004,
            "{alert:?}"
        );
        // Falling does not fire on a rise.
        let falling = AlertRule {
            direction: Direction::Falling,
            ..rule
        };
        assert!(departure(&t, &v, &[], Some(600.0), &falling).is_none());
    }

    #[test]
    fn the_glass_alone_never_fires() {
        // No onset within the series: 2,000 noisy series give no alert at 5 σ × 3 points.
        let rule = AlertRule::default();
        for seed in 0..2000 {
            let (t, v) = series(1e9, 0.002, 0.001, seed);
            assert!(departure(&t, &v, &[], None, &rule).is_none(), "seed {seed}");
            assert!(
                departure(&t, &v, &[], Some(600.0), &rule).is_none(),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn the_newest_points_must_all_be_beyond() {
        let (t, mut v) = series(1e9, 0.0, 0.001, 3);
        let n = v.len();
        // Two high points, then one back on the trend: not yet.
        v[n - 3] += 0.05;
        v[n - 2] += 0.05;
        assert!(departure(&t, &v, &[], None, &AlertRule::default()).is_none());
        v[n - 1] += 0.05;
        let alert = departure(&t, &v, &[], None, &AlertRule::default()).expect("three beyond");
        assert_eq!(alert.since, t[n - 3]);
        // The same points excluded as suspect: nothing beyond the trend is left.
        let mut excluded = vec![false; n];
        excluded[n - 3..].fill(true);
        assert!(departure(&t, &v, &excluded, None, &AlertRule::default()).is_none());
    }

    #[test]
    fn too_little_or_noiseless_data_gives_none() {
        let t: Vec<f64> = (0..20).map(|i| 300.0 + i as f64).collect();
        let flat = vec![1.0; 20];
        assert!(departure(&t, &flat, &[], None, &AlertRule::default()).is_none());
        let (t, v) = series(700.0, 0.002, 0.001, 4);
        assert!(departure(&t[..10], &v[..10], &[], None, &AlertRule::default()).is_none());
        let nan = vec![f64::NAN; t.len()];
        assert!(departure(&t, &nan, &[], None, &AlertRule::default()).is_none());
        assert!(departure(&[], &[], &[], None, &AlertRule::default()).is_none());
    }
}
