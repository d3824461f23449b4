//! The analysis on the demo and on measured data.

use glassray::analysis::fit::fit_connection_modes;
use glassray::analysis::metric::Metric;
use glassray::analysis::params::{AnalysisParams, SmoothingParams};
use glassray::analysis::transform::{Modification, TransformPath, TransformPlan, r_grid};
use glassray::analysis::transitions::{Marks, Transition};
use glassray::demo::{DemoConfig, SAMPLES, Shell, StructureModel, demo_series};
use glassray::engine::analyze;

use super::{load, shared};

#[test]
fn demo_relaxation_onset_is_lowest_for_hpt_and_highest_for_ac() {
    let params = AnalysisParams::default();
    let mut t_r = Vec::new();
    for sample in &SAMPLES {
        let series = demo_series(sample, &DemoConfig::default());
        let a = analyze(&series, &params, &Marks::default());
        let tr = a.transitions.used(Transition::Relaxation).expect("T_r");
        let tg = a.transitions.used(Transition::Glass).expect("T_g");
        let tx = a
            .transitions
            .used(Transition::Crystallization)
            .expect("T_x");
        println!(
            "{}: T_r {:.1} ± {:.1} (model {}), T_g {:.1} ± {:.1} (model {}), T_x {:.1} (model {})",
            sample.name,
            tr.kelvin,
            tr.uncertainty,
            sample.t_r,
            tg.kelvin,
            tg.uncertainty,
            sample.t_g,
            tx.kelvin,
            sample.t_x
        );
        assert!(
            (tx.kelvin - sample.t_x).abs() <= 9.0,
            "{}: T_x {}",
            sample.name,
            tx.kelvin
        );
        assert!(
            a.patterns
                .iter()
                .all(|p| p.fit.converged || p.kelvin.is_some_and(|t| t > sample.t_x))
        );
        t_r.push(tr.kelvin);
    }
    assert!(
        t_r[2] < t_r[1] && t_r[1] < t_r[0],
        "T_r AC {} CR {} HPT {}",
        t_r[0],
        t_r[1],
        t_r[2]
    );
}

#[test]
fn measured_g_of_r_series_are_analysed() {
    let s = load(&[shared("diffpy-morph-SrFe2As2-Tseries")]);
    let a = analyze(&s.series, &AnalysisParams::default(), &Marks::default());
    assert_eq!(a.patterns.len(), 7);
    for p in &a.patterns {
        assert!(p.fsdp.first_moment.is_nan(), "G(r) data have no FSDP");
        assert!(p.r1().is_finite() && p.r1() > 0.0);
        assert!(p.lobes.len() >= 6);
    }
}

#[test]
fn demo_shows_the_two_to_three_atom_transition_above_t_r() {
    let s = demo_series(&SAMPLES[2], &DemoConfig::default());
    let a = analyze(&s, &AnalysisParams::default(), &Marks::default());
    let at = |t: f64| {
        a.patterns
            .iter()
            .find(|p| p.kelvin == Some(t))
            .map(|p| p.fit.clone())
            .expect("pattern at T")
    };
    let (before, after) = (at(480.0), at(660.0));
    assert!(before.converged && after.converged);
    // Weight moves from the 2-atom (edge) to the 3-atom (face) mode, beyond the errors: 2.5σ of
    // the difference of two independent fits. (The errors count correlated residuals, and the
    // demo's g(r) is not four Gaussians on a flat baseline, so its misfit widens them: the
    // 3-atom gain is 0.31 ± 0.11, the 2-atom loss 0.29 ± 0.06.)
    let gain3 = after.fractions[2] - before.fractions[2];
    let loss2 = before.fractions[1] - after.fractions[1];
    let sigma = |i: usize| after.fraction_errors[i].hypot(before.fraction_errors[i]);
    assert!(gain3 > 2.5 * sigma(2), "3-atom {gain3} ± {}", sigma(2));
    assert!(loss2 > 2.5 * sigma(1), "2-atom {loss2} ± {}", sigma(1));
}

#[test]
fn fits_stop_at_the_minimum_not_on_a_slow_step() {
    // A large-residual case (the demo's g(r) is not four Gaussians), where Gauss–Newton
    // converges slowly: the default stopping rule must land within 1 % of a standard error of
    // the minimum found with a far tighter one.
    let s = demo_series(&SAMPLES[0], &DemoConfig::default());
    let params = AnalysisParams::default();
    let a = analyze(&s, &params, &Marks::default());
    let mut tight = params.fit.clone();
    tight.convergence = 1e-15;
    tight.max_iterations = 2000;
    for k in [5, 14, 17, 22, 30, 34, 75] {
        let p = &a.patterns[k];
        let rs = p.real_space.as_ref().expect("g(r)");
        let best = fit_connection_modes(&rs.r, &rs.g, &tight, None, rs.q_range.map(|q| q.1));
        assert!(p.fit.converged);
        for i in 0..4 {
            let off = (best.fractions[i] - p.fit.fractions[i]).abs();
            assert!(
                off <= 0.01 * p.fit.fraction_errors[i].max(1e-6),
                "pattern {k} mode {i}: {off:e} from the minimum (error {:e})",
                p.fit.fraction_errors[i]
            );
        }
        assert!(best.rmse >= p.fit.rmse * (1.0 - 1e-7));
    }
}

#[test]
fn versus_t_curves_carry_gcv_smoothing_splines() {
    let s = demo_series(&SAMPLES[0], &DemoConfig::default());
    let a = analyze(&s, &AnalysisParams::default(), &Marks::default());
    let moment = a.curve(Metric::FsdpFirstMoment).expect("curve");
    assert_eq!(moment.smoothed.len(), 151);
    assert!(moment.lambda > 0.0 && moment.edf > 2.0 && moment.edf < 151.0);
    // The spline follows the data within the scatter of the data.
    let resid: Vec<f64> = moment
        .values
        .iter()
        .zip(&moment.smoothed)
        .map(|(a, b)| a - b)
        .collect();
    let rms = (resid.iter().map(|v| v * v).sum::<f64>() / resid.len() as f64).sqrt();
    assert!(rms < 1e-3, "{rms}");
    let fixed = analyze(
        &s,
        &AnalysisParams {
            smoothing: SmoothingParams { lambda: Some(1e12) },
            ..Default::default()
        },
        &Marks::default(),
    );
    let stiff = fixed.curve(Metric::FsdpFirstMoment).expect("curve");
    assert!(
        (stiff.edf - 2.0).abs() < 0.1,
        "a huge λ gives a straight line: {}",
        stiff.edf
    );
}

/// One Gaussian shell: its S(Q) is known in closed form.
fn shell_model() -> StructureModel {
    StructureModel {
        rho0: 0.0545,
        shells: vec![
            Shell {
                amplitude: 1.2,
                centre: 2.8,
                width: 0.2,
            },
            Shell {
                amplitude: -0.4,
                centre: 4.0,
                width: 0.35,
            },
        ],
        core_radius: 0.0,
        core_width: 1.0,
    }
}

#[test]
fn analytic_pair_is_recovered_by_both_paths() {
    let model = shell_model();
    let q: Vec<f64> = (1..=8000).map(|i| 0.005 * i as f64).collect();
    let s: Vec<f64> = q.iter().map(|&x| model.s(x)).collect();
    let r = r_grid(0.01, 20.0, 0.01).expect("r grid");
    for path in [TransformPath::Direct, TransformPath::Fft] {
        let plan =
            TransformPlan::new(&q, None, None, Modification::None, r.clone(), path).expect("plan");
        assert_eq!(plan.path, path);
        let g = plan.reduced_pdf(&s);
        let mut worst: f64 = 0.0;
        for (ri, gi) in r.iter().zip(&g) {
            worst = worst.max((gi - model.big_g(*ri)).abs());
        }
        // Q·(S − 1) is ~1e-7 below the first point and the shells have died out by 40 1/Å.
        assert!(worst < 1e-4, "{path:?}: max |ΔG| = {worst}");
    }
}

/// The per-pattern results that must not depend on any other pattern (ΔS and the series-level
/// quantities depend on the reference and the series by definition).
fn assert_same_pattern_results(
    a: &glassray::analysis::series::PatternAnalysis,
    b: &glassray::analysis::series::PatternAnalysis,
    what: &str,
) {
    let close =
        |x: f64, y: f64| (x - y).abs() <= 1e-12 * (1.0 + x.abs()) || (x.is_nan() && y.is_nan());
    assert!(
        close(a.fsdp.first_moment, b.fsdp.first_moment),
        "{what}: FSDP moment"
    );
    assert!(close(a.fsdp.area, b.fsdp.area), "{what}: FSDP area");
    let (ra, rb) = (
        a.real_space.as_ref().expect("G(r)"),
        b.real_space.as_ref().expect("G(r)"),
    );
    assert_eq!(ra.r.len(), rb.r.len(), "{what}");
    for (x, y) in ra.big_g.iter().zip(&rb.big_g) {
        assert!(close(*x, *y), "{what}: G(r) {x} vs {y}");
    }
    for k in 0..4 {
        assert!(
            close(a.fit.fractions[k], b.fit.fractions[k]),
            "{what}: fraction {k}"
        );
        assert!(
            close(a.fit.centres[k], b.fit.centres[k]),
            "{what}: centre {k}"
        );
    }
    assert_eq!(a.lobes.len(), b.lobes.len(), "{what}: lobes");
}

#[test]
fn an_odd_file_never_changes_another_patterns_results() {
    use glassray::model::Pattern;
    let clean = demo_series(
        &SAMPLES[0],
        &DemoConfig {
            t_end: 345.0,
            ..Default::default()
        },
    );
    let n = clean.len();
    let params = AnalysisParams::default();
    let base = analyze(&clean, &params, &Marks::default());
    let coarser = |p: &Pattern| {
        let mut q = p.clone();
        q.x = p.x.iter().step_by(2).copied().collect();
        q.y = p.y.iter().step_by(2).copied().collect();
        q
    };
    let denser = |p: &Pattern| {
        let mut q = p.clone();
        q.x.clear();
        q.y.clear();
        for i in 0..p.x.len() {
            q.x.push(p.x[i]);
            q.y.push(p.y[i]);
            if i + 1 < p.x.len() {
                q.x.push(0.5 * (p.x[i] + p.x[i + 1]));
                q.y.push(0.5 * (p.y[i] + p.y[i + 1]));
            }
        }
        q
    };
    let shifted = |p: &Pattern| {
        let mut q = p.clone();
        q.x.iter_mut().for_each(|x| *x += 0.01);
        q
    };
    let truncated = |p: &Pattern| {
        let mut q = p.clone();
        q.x.truncate(p.x.len() - 100);
        q.y.truncate(p.y.len() - 100);
        q
    };
    // A NaN row is dropped by the reader: the pattern lacks that point.
    let lost_row = |p: &Pattern| {
        let mut q = p.clone();
        q.x.remove(300);
        q.y.remove(300);
        q
    };
    type Change<'a> = &'a dyn Fn(&Pattern) -> Pattern;
    let cases: [(&str, Change<'_>); 5] = [
        ("coarser", &coarser),
        ("denser", &denser),
        ("shifted by 0.01", &shifted),
        ("truncated", &truncated),
        ("one row lost", &lost_row),
    ];
    for (what, change) in cases {
        // The first file odd: every other pattern as in the clean series.
        let mut odd = clean.clone();
        odd.patterns[0] = change(&odd.patterns[0]);
        let a = analyze(&odd, &params, &Marks::default());
        for i in 1..n {
            assert_same_pattern_results(&a.patterns[i], &base.patterns[i], what);
        }
        assert!(
            a.patterns[0].real_space.is_some(),
            "{what}: the odd file has its G(r)"
        );
        // A later file odd: it still gets a G(r), and the others are untouched.
        let mut odd = clean.clone();
        odd.patterns[7] = change(&odd.patterns[7]);
        let a = analyze(&odd, &params, &Marks::default());
        assert!(
            a.patterns[7].real_space.is_some(),
            "{what}: pattern 7 has its G(r)"
        );
        for i in (0..n).filter(|&i| i != 7) {
            assert_same_pattern_results(&a.patterns[i], &base.patterns[i], what);
        }
        assert!(
            a.messages.iter().any(|m| m.contains("2 Q grids")),
            "{what}: {:?}",
            a.messages
        );
    }
}

#[test]
fn window_edges_include_points_a_few_ulps_outside() {
    use glassray::analysis::fsdp::fsdp;
    // np.arange(0.5, 25.01, 0.02) steps by (0.5 + 0.02) − 0.5: its point near 3.0 is
    // 3.000000000000002, which a strict comparison drops from the 2.2–3.0 window.
    let delta = (0.5 + 0.02) - 0.5;
    let numpy: Vec<f64> = (0..1226).map(|i| 0.5 + i as f64 * delta).collect();
    let exact: Vec<f64> = (0..1226).map(|i| 0.5 + i as f64 * 0.02).collect();
    let s = |q: &[f64]| -> Vec<f64> {
        q.iter()
            .map(|&x| 1.0 + (-(x - 2.6f64).powi(2) / 0.02).exp())
            .collect()
    };
    let a = fsdp(&numpy, &s(&numpy), 2.2, 3.0);
    let b = fsdp(&exact, &s(&exact), 2.2, 3.0);
    assert_eq!(a.points, 41);
    assert_eq!(b.points, 41);
    assert!(
        (a.first_moment - b.first_moment).abs() < 1e-9,
        "{a:?} vs {b:?}"
    );
}

#[test]
fn f_of_q_starting_at_q_zero_gives_a_g_of_r() {
    use glassray::model::{HeatingSeries, Quantity};
    let q: Vec<f64> = (0..1250).map(|i| 0.02 * i as f64).collect();
    let mut s = glassray::demo::model_structure_factor(&SAMPLES[0], 300.0, &q[1..]);
    s.insert(0, 0.3); // S(0) of a real sample: any finite value, its weight is zero
    let mut as_s = demo_series(
        &SAMPLES[0],
        &DemoConfig {
            t_end: 300.0,
            ..Default::default()
        },
    );
    let template = as_s.patterns[0].clone();
    let mut sq = template.clone();
    sq.x = q.clone();
    sq.y = s.clone();
    let mut fq = template;
    fq.quantity = Quantity::ReducedStructureFunction;
    fq.x = q.clone();
    fq.y = q.iter().zip(&s).map(|(q, s)| q * (s - 1.0)).collect();
    as_s.patterns = vec![sq];
    let as_f = HeatingSeries::new("F", None, vec![fq]);
    let params = AnalysisParams::default();
    let a = analyze(&as_s, &params, &Marks::default());
    let b = analyze(&as_f, &params, &Marks::default());
    let ga = &a.patterns[0]
        .real_space
        .as_ref()
        .expect("G(r) from S(Q)")
        .big_g;
    let gb = &b.patterns[0]
        .real_space
        .as_ref()
        .unwrap_or_else(|| panic!("G(r) from F(Q): {:?}", b.patterns[0].messages))
        .big_g;
    let peak = ga.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (x, y) in ga.iter().zip(gb) {
        assert!((x - y).abs() <= 1e-9 * peak, "{x} vs {y}");
    }
}

#[test]
fn a_dead_frame_or_a_spike_is_flagged_and_never_moves_the_transitions() {
    let clean = demo_series(&SAMPLES[0], &DemoConfig::default());
    let params = AnalysisParams::default();
    let base = analyze(&clean, &params, &Marks::default());
    assert!(
        base.patterns.iter().all(|p| p.suspect.is_none()),
        "nothing is suspect in a clean series"
    );
    let kelvin = |a: &glassray::analysis::series::SeriesAnalysis, t: Transition| {
        a.transitions.kelvin(t).expect("detected")
    };
    let mut broken = clean.clone();
    broken.patterns[7].y.iter_mut().for_each(|v| *v = 0.0); // a dead read-out at 321 K
    broken.patterns[60].y.iter_mut().for_each(|v| *v *= 1.3); // a bad normalisation
    let a = analyze(&broken, &params, &Marks::default());
    let reason = |i: usize| a.patterns[i].suspect.clone().unwrap_or_default();
    assert!(reason(7).contains("dead frame"), "{}", reason(7));
    assert!(reason(60).contains("spike"), "{}", reason(60));
    assert!(
        a.patterns[60]
            .messages
            .iter()
            .any(|m| m.contains("kept out")),
        "{:?}",
        a.patterns[60].messages
    );
    for t in Transition::ALL {
        let (x, y) = (kelvin(&a, t), kelvin(&base, t));
        assert!(
            (x - y).abs() <= 3.0,
            "{}: {x} K with the bad frames, {y} K without",
            t.name()
        );
    }
    // The values themselves are still reported.
    assert_eq!(a.patterns[7].fsdp.area, 0.0);
}
