//! Honest error bars: on 104 synthetic patterns with planted connection-mode fractions (four
//! planted sets × 26 noise realisations, `glassray::demo::planted`), pushed through the whole
//! S(Q) → G(r) → fit chain with default settings (Q = 0.5–25 Å⁻¹):
//! - ±2σ, statistical and systematic in quadrature, covers the planted value in ≥ 90 % of
//!   patterns for every mode, while the old errors (every G(r) sample independent, no
//!   systematic part) do not;
//! - the statistical σ is within a factor 1.5 of the pattern-to-pattern scatter at fixed
//!   planted values (each set), which the old errors are not for the 2- and 3-atom modes.
//!   (The systematic part is not held to the scatter: it states how far a seed placement within
//!   the tolerance or the Q range moves a fraction, which the noise does not show.)
//!
//! And moving a seed within its tolerance moves a fraction by no more than its systematic σ.

use glassray::analysis::fit::{MODE_NAMES, fit_connection_modes};
use glassray::analysis::params::AnalysisParams;
use glassray::analysis::series::{PatternAnalysis, fit_real_space};
use glassray::analysis::transitions::Marks;
use glassray::demo::planted::{PlantedGlass, study_q_grid};
use glassray::engine::analyze_with_systematics;
use glassray::model::HeatingSeries;

/// Planted fraction sets (1-, 2-, 3-, 4-atom) and centre offsets from the seeds (Å, within the
/// ±0.1 Å tolerance), spanning the study's range of the 2- → 3-atom transition.
const DESIGN: [([f64; 4], [f64; 4]); 4] = [
    ([0.16, 0.34, 0.36, 0.14], [0.0, 0.0, 0.0, 0.0]),
    ([0.16, 0.24, 0.46, 0.14], [0.03, -0.02, 0.02, -0.03]),
    ([0.22, 0.30, 0.30, 0.18], [-0.03, 0.02, -0.02, 0.03]),
    ([0.12, 0.40, 0.34, 0.14], [0.02, 0.03, -0.03, 0.0]),
];
/// Noise realisations per planted set.
const REPEATS: usize = 26;

/// The planted glasses and their noisy patterns, one series; truth per pattern.
fn planted_series() -> (HeatingSeries, Vec<[f64; 4]>) {
    let q = study_q_grid();
    let mut patterns = Vec::new();
    let mut truth = Vec::new();
    for (k, (fractions, offsets)) in DESIGN.iter().enumerate() {
        let mut glass = PlantedGlass::new(*fractions);
        for (c, o) in glass.centres.iter_mut().zip(offsets) {
            *c += o;
        }
        for j in 0..REPEATS {
            let index = patterns.len();
            let seed = 1000 * k as u64 + j as u64 + 7;
            patterns.push(glass.pattern(&q, Some(seed), index, 300.0 + index as f64));
            truth.push(glass.truth());
        }
    }
    (HeatingSeries::new("planted", None, patterns), truth)
}

fn rms(v: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x * x, n + 1));
    (sum / n as f64).sqrt()
}

/// What one mode's errors look like over the planted series.
struct ModeStats {
    coverage: f64,
    coverage_old: f64,
    rms_error: f64,
    rms_stated: f64,
    /// Per planted set: (RMS statistical σ, RMS of the old σ, scatter about the set's mean).
    sets: Vec<(f64, f64, f64)>,
}

fn mode_stats(a: &[PatternAnalysis], truth: &[[f64; 4]], old: &[[f64; 4]], i: usize) -> ModeStats {
    let n = a.len();
    let (mut covered, mut covered_old) = (0, 0);
    let (mut err, mut stated) = (Vec::new(), Vec::new());
    for ((p, t), o) in a.iter().zip(truth).zip(old) {
        let f = &p.fit;
        let s = p.systematic.expect("systematic σ computed");
        let total = s.total(f.fraction_errors[i], i);
        let d = f.fractions[i] - t[i];
        covered += usize::from(d.abs() <= 2.0 * total);
        covered_old += usize::from(d.abs() <= 2.0 * o[i]);
        err.push(d);
        stated.push(total);
    }
    let sets = (0..DESIGN.len())
        .map(|k| {
            let range = k * REPEATS..(k + 1) * REPEATS;
            let e = &err[range.clone()];
            let mean = e.iter().sum::<f64>() / REPEATS as f64;
            (
                rms(a[range.clone()].iter().map(|p| p.fit.fraction_errors[i])),
                rms(old[range].iter().map(|o| o[i])),
                rms(e.iter().map(|x| x - mean)),
            )
        })
        .collect();
    ModeStats {
        coverage: covered as f64 / n as f64,
        coverage_old: covered_old as f64 / n as f64,
        rms_error: rms(err.iter().copied()),
        rms_stated: rms(stated.iter().copied()),
        sets,
    }
}

#[test]
fn stated_fraction_errors_cover_planted_truth_through_the_whole_chain() {
    let (series, truth) = planted_series();
    let params = AnalysisParams::default();
    let a = analyze_with_systematics(&series, &params, &Marks::default());
    assert!(a.patterns.len() >= 100);
    // The errors as they were: every G(r) sample independent (no Qmax), no systematic part.
    let old: Vec<[f64; 4]> = a
        .patterns
        .iter()
        .map(|p| {
            assert!(p.fit.converged, "{:?}", p.fit.message);
            let rs = p.real_space.as_ref().expect("g(r)");
            fit_connection_modes(&rs.r, &rs.g, &params.fit, None, None).fraction_errors
        })
        .collect();
    let mut failures = Vec::new();
    for (i, name) in MODE_NAMES.iter().enumerate() {
        let m = mode_stats(&a.patterns, &truth, &old, i);
        eprintln!(
            "{name}: ±2σ coverage {:.1} % (old errors {:.1} %); RMS error {:.4}, RMS stated \
             (stat ⊕ sys) {:.4}",
            100.0 * m.coverage,
            100.0 * m.coverage_old,
            m.rms_error,
            m.rms_stated
        );
        if m.coverage < 0.9 {
            failures.push(format!("{name}: coverage {}", m.coverage));
        }
        // Conservative by design (the seed part is a bound over placements the fixed-seed
        // errors never sample), but not without limit: 2.9× at most today.
        if m.rms_stated > 4.0 * m.rms_error {
            failures.push(format!(
                "{name}: stated {} vs error {}",
                m.rms_stated, m.rms_error
            ));
        }
        if m.coverage_old >= 0.9 {
            failures.push(format!("{name}: the old errors covered {}", m.coverage_old));
        }
        for (k, (stat, stat_old, scatter)) in m.sets.iter().enumerate() {
            let (ratio, ratio_old) = (stat / scatter, stat_old / scatter);
            eprintln!(
                "  set {k}: statistical σ {stat:.4} (old {stat_old:.4}) vs scatter \
                 {scatter:.4}: ratio {ratio:.2} (old {ratio_old:.2})"
            );
            if !(1.0 / 1.5..=1.5).contains(&ratio) {
                failures.push(format!("{name} set {k}: σ/scatter {ratio}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn moving_a_seed_within_its_tolerance_moves_a_fraction_by_at_most_its_systematic_sigma() {
    let (full, _) = planted_series();
    // The first noise realisation of three planted sets.
    let patterns = (0..3).map(|k| full.patterns[k * REPEATS].clone()).collect();
    let series = HeatingSeries::new("planted", None, patterns);
    let params = AnalysisParams::default();
    let a = analyze_with_systematics(&series, &params, &Marks::default());
    let tol = params.fit.tolerance;
    let mut worst: f64 = 0.0;
    for p in &a.patterns {
        let s = p.systematic.expect("systematic σ computed");
        let rs = p.real_space.as_deref();
        for seed in 0..4 {
            for step in [-1.0, -0.7, -0.35, 0.2, 0.5, 0.85, 1.0] {
                let mut moved = params.fit.clone();
                moved.seeds[seed] += step * tol;
                let refit = fit_real_space(rs, &moved, None);
                for (k, name) in MODE_NAMES.iter().enumerate() {
                    let change = (refit.fractions[k] - p.fit.fractions[k]).abs();
                    worst = worst.max(change / s.fractions[k]);
                    assert!(
                        change <= s.fractions[k] * (1.0 + 1e-9),
                        "pattern {} seed {seed} moved {step}·tolerance: {} changes by {change} \
                         > systematic σ {}",
                        p.index,
                        name,
                        s.fractions[k]
                    );
                }
            }
        }
    }
    eprintln!("largest change / systematic σ: {worst:.2}");
}
