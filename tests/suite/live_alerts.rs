//! The live alert on the demo's planted crystallisation: silent in the glass and the
//! supercooled liquid, firing within a few patterns of the planted T_x.

use glassray::analysis::alerts::{AlertRule, series_alert};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::transitions::Marks;
use glassray::demo::{DemoConfig, SAMPLES, demo_series};
use glassray::engine::analyze;
use glassray::model::HeatingSeries;

/// The first patterns of `series`, up to and including T = `t_end`.
fn cut(series: &HeatingSeries, t_end: f64) -> HeatingSeries {
    let mut s = series.clone();
    s.patterns
        .retain(|p| p.kelvin().is_some_and(|t| t <= t_end));
    s
}

#[test]
fn the_alert_is_silent_before_the_planted_t_x_and_fires_soon_after() {
    let rule = AlertRule::default();
    let params = AnalysisParams::default();
    for sample in &SAMPLES {
        let series = demo_series(sample, &DemoConfig::default());
        let kelvin = |i: usize| series.patterns[i].kelvin().expect("demo temperatures");
        let step = kelvin(1) - kelvin(0);
        // The run as a beamline sees it grow, stopped every third pattern from 30 K below T_g
        // to just below T_x: never an alert (glass, T_r, T_g and the supercooled liquid).
        let mut t = sample.t_g - 30.0;
        while t < sample.t_x {
            let a = analyze(&cut(&series, t), &params, &Marks::default());
            assert_eq!(series_alert(&a, &rule), None, "{} up to {t} K", sample.name);
            t += 3.0 * step;
        }
        // Past T_x, pattern by pattern: the first alert comes within 15 K (the crystallised
        // share grows as 1 − exp(−((T − T_x)/14 K)²)) and dates the departure within 8 K.
        let mut t = sample.t_x;
        let fired = loop {
            assert!(t < sample.t_x + 15.0, "{}: no alert by {t} K", sample.name);
            let a = analyze(&cut(&series, t), &params, &Marks::default());
            if let Some(alert) = series_alert(&a, &rule) {
                break alert;
            }
            t += step;
        };
        assert!(
            fired.since > sample.t_x && fired.since <= sample.t_x + 8.0,
            "{}: {fired:?}",
            sample.name
        );
        assert!(fired.excess > rule.sigmas, "{fired:?}");
    }
}
