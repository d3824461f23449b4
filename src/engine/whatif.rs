//! The what-if model: the demo's planted forward model ([`crate::demo`]) with every knob a
//! teacher wants to turn — the room-temperature connection-mode fractions, how much weight
//! relaxation moves from the 2-atom to the 3-atom mode, the onset T_r and strength of
//! relaxation, T_g, T_x, the noise (a multiple of the demo's) and the Q range measured — and
//! the heating series it gives, generated off the UI thread ([`WhatIfJob`]) on the demo's T grid
//! (300–750 K by 3 K), together with what was planted in it ([`Planted`]).
//!
//! [`WhatIfParams::checked`] keeps every value in a range the model is valid for and says, in a
//! sentence per value, what it changed. With the default parameters (the study's AC sample) the
//! series is the demo's AC series, value for value.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use rayon::prelude::*;

use super::RepaintHook;
use super::jobs::Lost;
use crate::demo::{
    DEMO_NOISE, DemoConfig, DemoSample, DemoTruth, RT_FRACTIONS, SAMPLES, demo_pattern,
    demo_series_from, demo_truth, glass_at,
};
use crate::model::HeatingSeries;

/// The name of the what-if sample.
pub const WHAT_IF_NAME: &str = "What-if";

/// Smallest gap between T_r and T_g, and between T_g and T_x (K).
pub const MIN_GAP_RG: f64 = 20.0;
pub const MIN_GAP_GX: f64 = 15.0;
/// Range of T_r (K): inside the series with room for T_g and T_x above it.
pub const T_R_RANGE: (f64, f64) = (350.0, 700.0);
/// Highest T_x (K): a few patterns of crystallization remain visible before 750 K.
pub const T_X_MAX: f64 = 740.0;
/// Range of the measured Qmin and Qmax (1/Å).
pub const Q_MIN_RANGE: (f64, f64) = (0.3, 2.0);
pub const Q_MAX_RANGE: (f64, f64) = (8.0, 30.0);
/// Range of the noise multiplier (1 = the demo's noise).
pub const NOISE_RANGE: (f64, f64) = (0.0, 20.0);
/// Range of the 2-atom to 3-atom shift over the relaxation (negative: towards 2-atom).
pub const MODE_SHIFT_RANGE: (f64, f64) = (-0.15, 0.15);
/// Range of the relaxation contraction κ (1/K).
pub const KAPPA_RANGE: (f64, f64) = (0.0, 6.0e-5);
/// Range of the medium-range-order growth over the relaxation.
pub const MRO_RANGE: (f64, f64) = (0.0, 0.3);

/// Everything the what-if model is built from. Units: K, 1/K, 1/Å; fractions sum to 1.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WhatIfParams {
    /// Connection-mode fractions at room temperature (1-, 2-, 3-, 4-atom).
    pub fractions: [f64; 4],
    /// Share moved from the 2-atom to the 3-atom mode between T_r and T_g.
    pub mode_shift: f64,
    /// Onset of relaxation (K).
    pub t_r: f64,
    /// Relaxation strength: contraction of every distance per kelvin of relaxation (1/K).
    pub kappa: f64,
    /// Relative growth of medium-range order between T_r and T_g.
    pub mro_growth: f64,
    /// Glass transition (K).
    pub t_g: f64,
    /// Crystallization onset (K).
    pub t_x: f64,
    /// Noise as a multiple of the demo's (0: none).
    pub noise: f64,
    /// Q range of the "measurement" (1/Å).
    pub q_min: f64,
    pub q_max: f64,
}

impl Default for WhatIfParams {
    /// The study's as-cast sample, as the demo has it.
    fn default() -> Self {
        WhatIfParams::from_sample(&SAMPLES[0])
    }
}

/// Named starting points of the Model window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Ac,
    Cr,
    Hpt,
    LowQmax,
    Noisy,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Ac,
        Preset::Cr,
        Preset::Hpt,
        Preset::LowQmax,
        Preset::Noisy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Ac => "the study's AC",
            Preset::Cr => "CR",
            Preset::Hpt => "HPT",
            Preset::LowQmax => "low Qmax",
            Preset::Noisy => "noisy",
        }
    }

    /// What the preset shows, for its button's hover text.
    pub fn explanation(self) -> &'static str {
        match self {
            Preset::Ac => "The as-cast glass of the study: T_r 590 K, weak relaxation.",
            Preset::Cr => "Cold-rolled: relaxation from 550 K, stronger.",
            Preset::Hpt => "High-pressure torsion: relaxation from 515 K, strongest.",
            Preset::LowQmax => {
                "AC measured only to 14 1/Å: truncation ripples in G(r) blur the modes."
            }
            Preset::Noisy => "AC with ten times the demo's noise: the fractions scatter.",
        }
    }

    pub fn params(self) -> WhatIfParams {
        match self {
            Preset::Ac => WhatIfParams::from_sample(&SAMPLES[0]),
            Preset::Cr => WhatIfParams::from_sample(&SAMPLES[1]),
            Preset::Hpt => WhatIfParams::from_sample(&SAMPLES[2]),
            Preset::LowQmax => WhatIfParams {
                q_max: 14.0,
                ..WhatIfParams::default()
            },
            Preset::Noisy => WhatIfParams {
                noise: 10.0,
                ..WhatIfParams::default()
            },
        }
    }
}

/// The demo's Q step (1/Å).
const Q_STEP: f64 = 0.02;

impl WhatIfParams {
    /// The parameters of a demo sample (its Q range that of the demo).
    pub fn from_sample(s: &DemoSample) -> Self {
        let config = DemoConfig::default();
        WhatIfParams {
            fractions: s.fractions,
            mode_shift: s.mode_shift,
            t_r: s.t_r,
            kappa: s.kappa,
            mro_growth: s.mro_growth,
            t_g: s.t_g,
            t_x: s.t_x,
            noise: s.noise / DEMO_NOISE,
            q_min: config.q_min,
            q_max: config.q_min + Q_STEP * (config.q_points - 1) as f64,
        }
    }

    /// Every value brought into its valid range, and a sentence for each change: fractions
    /// ≥ 0 and renormalised to sum 1 (all zero: the demo's), T_r in 350–700 K, T_g ≥ T_r + 20 K,
    /// T_x ≥ T_g + 15 K and ≤ 740 K, Qmin 0.3–2 and Qmax 8–30 1/Å, noise 0–20 ×, the shift
    /// ±0.15, κ 0–6·10⁻⁵ 1/K, MRO growth 0–0.3. A value that is not a number takes the
    /// default's.
    pub fn checked(&self) -> (WhatIfParams, Vec<String>) {
        let d = WhatIfParams::default();
        let mut notes = Vec::new();
        let mut p = self.clone();
        let mut fit = |name: &str, v: &mut f64, lo: f64, hi: f64, default: f64, unit: &str| {
            let was = *v;
            if !v.is_finite() {
                *v = default.clamp(lo, hi);
                notes.push(format!("{name} was not a number: set to {v}{unit}"));
            } else if *v < lo || *v > hi {
                *v = v.clamp(lo, hi);
                notes.push(format!(
                    "{name} {was} is outside {lo}–{hi}{unit}: set to {v}{unit}"
                ));
            }
        };
        for (k, f) in p.fractions.iter_mut().enumerate() {
            fit(
                &format!("{}-atom fraction", k + 1),
                f,
                0.0,
                1.0,
                d.fractions[k],
                "",
            );
        }
        let (lo, hi) = MODE_SHIFT_RANGE;
        fit(
            "2- to 3-atom shift",
            &mut p.mode_shift,
            lo,
            hi,
            d.mode_shift,
            "",
        );
        fit(
            "kappa",
            &mut p.kappa,
            KAPPA_RANGE.0,
            KAPPA_RANGE.1,
            d.kappa,
            " 1/K",
        );
        fit(
            "MRO growth",
            &mut p.mro_growth,
            MRO_RANGE.0,
            MRO_RANGE.1,
            d.mro_growth,
            "",
        );
        let (lo, hi) = NOISE_RANGE;
        fit("noise", &mut p.noise, lo, hi, d.noise, " x the demo's");
        fit(
            "Qmin",
            &mut p.q_min,
            Q_MIN_RANGE.0,
            Q_MIN_RANGE.1,
            d.q_min,
            " 1/Å",
        );
        fit(
            "Qmax",
            &mut p.q_max,
            Q_MAX_RANGE.0,
            Q_MAX_RANGE.1,
            d.q_max,
            " 1/Å",
        );
        let t_r_hi = T_R_RANGE.1.min(T_X_MAX - MIN_GAP_GX - MIN_GAP_RG);
        fit("T_r", &mut p.t_r, T_R_RANGE.0, t_r_hi, d.t_r, " K");
        let t_g_lo = p.t_r + MIN_GAP_RG;
        fit(
            "T_g",
            &mut p.t_g,
            t_g_lo,
            T_X_MAX - MIN_GAP_GX,
            d.t_g.max(t_g_lo),
            " K",
        );
        let t_x_lo = p.t_g + MIN_GAP_GX;
        fit("T_x", &mut p.t_x, t_x_lo, T_X_MAX, d.t_x.max(t_x_lo), " K");
        let total: f64 = p.fractions.iter().sum();
        if total <= 0.0 {
            p.fractions = RT_FRACTIONS;
            notes.push("every fraction was 0: the demo's fractions are used".into());
        } else if (total - 1.0).abs() > 1e-9 {
            p.fractions = p.fractions.map(|f| f / total);
            notes.push(format!(
                "fractions summed to {total:.3}: scaled to sum 1 ({})",
                p.fractions.map(|f| format!("{f:.3}")).join(", ")
            ));
        }
        (p, notes)
    }

    /// The model sample of these parameters (checked first), with the AC sample's noise seed.
    pub fn sample(&self) -> DemoSample {
        let p = self.checked().0;
        DemoSample {
            name: WHAT_IF_NAME,
            t_r: p.t_r,
            t_g: p.t_g,
            t_x: p.t_x,
            kappa: p.kappa,
            mro_growth: p.mro_growth,
            mode_shift: p.mode_shift,
            fractions: p.fractions,
            noise: p.noise * DEMO_NOISE,
            seed: SAMPLES[0].seed,
        }
    }

    /// The demo's temperature program on the Q grid Qmin, Qmin + 0.02, … ≤ Qmax.
    pub fn config(&self) -> DemoConfig {
        let p = self.checked().0;
        let points = ((p.q_max - p.q_min) / Q_STEP + 1e-6).floor() as usize + 1;
        DemoConfig {
            q_min: p.q_min,
            q_step: Q_STEP,
            q_points: points,
            ..DemoConfig::default()
        }
    }
}

/// The four planted modes at one temperature, as the fit's model draws them on g(r):
/// baseline + Σ height · f_k · exp(−(r − c_k)²/2w²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlantedModes {
    pub kelvin: f64,
    pub fractions: [f64; 4],
    /// Centres (Å).
    pub centres: [f64; 4],
    /// Shared width after thermal broadening (Å).
    pub width: f64,
    /// Height of a mode of fraction 1.
    pub height: f64,
    /// The level of g(r) under the modes in the default fit window.
    pub baseline: f64,
}

impl PlantedModes {
    /// Mode `k` alone at r (without the baseline).
    pub fn component(&self, k: usize, r: f64) -> f64 {
        let (Some(f), Some(c)) = (self.fractions.get(k), self.centres.get(k)) else {
            return 0.0;
        };
        let w = self.width.max(1e-9);
        self.height * f * (-(r - c).powi(2) / (2.0 * w * w)).exp()
    }
}

/// What was planted in a model series: the sample's parameters, the program and the state at
/// every temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    pub sample: DemoSample,
    pub config: DemoConfig,
    pub truth: DemoTruth,
}

impl Planted {
    pub fn new(sample: DemoSample, config: DemoConfig) -> Self {
        let truth = demo_truth(&sample, &config);
        Planted {
            sample,
            config,
            truth,
        }
    }

    /// The planted modes at the temperature of the series nearest to `t` (None: no state).
    pub fn state_near(&self, t: f64) -> Option<PlantedModes> {
        let state = self
            .truth
            .states
            .iter()
            .filter(|s| s.kelvin.is_finite())
            .min_by(|a, b| (a.kelvin - t).abs().total_cmp(&(b.kelvin - t).abs()))?;
        let (_, height) = glass_at(&self.sample, state.kelvin).mode_shape();
        Some(PlantedModes {
            kelvin: state.kelvin,
            fractions: state.fractions,
            centres: state.centres,
            width: state.width,
            height,
            baseline: state.baseline,
        })
    }

    /// The planted T_r, T_g and T_x (K).
    pub fn transitions(&self) -> [f64; 3] {
        [self.sample.t_r, self.sample.t_g, self.sample.t_x]
    }

    /// (T, fractions) at every temperature of the series.
    pub fn fractions(&self) -> impl Iterator<Item = (f64, [f64; 4])> + '_ {
        self.truth.states.iter().map(|s| (s.kelvin, s.fractions))
    }
}

/// What was planted in the demo sample named `name` (AC, CR, HPT), on the demo's program.
pub fn demo_planted(name: &str) -> Option<Planted> {
    let sample = SAMPLES.iter().find(|s| s.name == name)?;
    Some(Planted::new(*sample, DemoConfig::default()))
}

/// A generated what-if series and what was planted in it.
#[derive(Debug, Clone)]
pub struct WhatIfSeries {
    pub params: WhatIfParams,
    pub series: HeatingSeries,
    pub planted: Planted,
}

/// Builds the series of `params` (checked first), its patterns in parallel, checking `stop`
/// before each pattern and reporting (done, total) after each; None when stopped.
pub fn generate(
    params: &WhatIfParams,
    progress: super::Progress<'_>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<WhatIfSeries> {
    let (params, _) = params.checked();
    let sample = params.sample();
    let config = params.config();
    let temps = config.temperatures();
    let done = AtomicUsize::new(0);
    let patterns: Option<Vec<_>> = temps
        .par_iter()
        .enumerate()
        .map(|(i, &t)| {
            if stop() {
                return None;
            }
            let p = demo_pattern(&sample, &config, i, t);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, temps.len());
            Some(p)
        })
        .collect();
    let mut series = demo_series_from(&sample, patterns?);
    series.notes.push(format!(
        "what-if model: fractions {}, shift {:+.3}, noise {:.2} x the demo's, Q {:.2}–{:.2} 1/Å",
        sample.fractions.map(|f| format!("{f:.3}")).join(" / "),
        sample.mode_shift,
        params.noise,
        params.q_min,
        config.q_min + config.q_step * (config.q_points.saturating_sub(1)) as f64,
    ));
    if stop() {
        return None;
    }
    let planted = Planted::new(sample, config);
    Some(WhatIfSeries {
        params,
        series,
        planted,
    })
}

/// A what-if series being generated in the background. Dropping it stops the work at the
/// next pattern.
pub struct WhatIfJob {
    done: Arc<AtomicUsize>,
    total: usize,
    cancelled: Arc<AtomicBool>,
    result: mpsc::Receiver<WhatIfSeries>,
    finished: bool,
}

impl WhatIfJob {
    pub fn spawn(params: WhatIfParams, repaint: RepaintHook) -> Self {
        let total = params.config().temperatures().len();
        let done = Arc::new(AtomicUsize::new(0));
        let cancelled = Arc::new(AtomicBool::new(false));
        let (tx, result) = mpsc::channel();
        let (d, stop) = (Arc::clone(&done), Arc::clone(&cancelled));
        std::thread::spawn(move || {
            let progress = |k: usize, _: usize| {
                d.fetch_max(k, Ordering::Relaxed);
            };
            let halt = || stop.load(Ordering::Relaxed);
            if let Some(out) = generate(&params, &progress, &halt)
                && tx.send(out).is_ok()
            {
                repaint();
            }
        });
        WhatIfJob {
            done,
            total,
            cancelled,
            result,
            finished: false,
        }
    }

    /// (patterns built, patterns to build).
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total)
    }

    /// The series, once, when it is built; `Some(Err(Lost))` when the thread ended without it.
    pub fn take(&mut self) -> Option<Result<WhatIfSeries, Lost>> {
        if self.finished {
            return None;
        }
        let r = match self.result.try_recv() {
            Ok(s) => Some(Ok(s)),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(Err(Lost)),
        };
        self.finished |= r.is_some();
        r
    }
}

impl Drop for WhatIfJob {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_series;

    #[test]
    fn default_params_are_the_ac_sample_and_need_no_clamping() {
        let p = WhatIfParams::default();
        let (q, notes) = p.checked();
        assert_eq!(q, p);
        assert!(notes.is_empty(), "{notes:?}");
        let s = p.sample();
        let ac = SAMPLES[0];
        assert_eq!(
            (s.t_r, s.t_g, s.t_x, s.kappa, s.mro_growth, s.mode_shift),
            (
                ac.t_r,
                ac.t_g,
                ac.t_x,
                ac.kappa,
                ac.mro_growth,
                ac.mode_shift
            )
        );
        assert_eq!(
            (s.fractions, s.noise, s.seed),
            (ac.fractions, ac.noise, ac.seed)
        );
        assert_eq!(p.config(), DemoConfig::default());
    }

    #[test]
    fn every_field_is_clamped_with_a_note() {
        let wild = WhatIfParams {
            fractions: [-0.2, 0.5, f64::NAN, 0.5],
            mode_shift: 0.9,
            t_r: 100.0,
            kappa: -1.0,
            mro_growth: 5.0,
            t_g: 200.0,
            t_x: 900.0,
            noise: -3.0,
            q_min: 5.0,
            q_max: 60.0,
        };
        let (p, notes) = wild.checked();
        for name in [
            "1-atom", "3-atom", "shift", "kappa", "MRO", "T_r", "T_g", "T_x", "noise", "Qmin",
            "Qmax", "sum",
        ] {
            assert!(
                notes.iter().any(|n| n.contains(name)),
                "{name} not in {notes:?}"
            );
        }
        assert!(p.fractions.iter().all(|&f| (0.0..=1.0).contains(&f)));
        assert!((p.fractions.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(p.fractions[0], 0.0);
        assert_eq!((p.mode_shift, p.kappa, p.mro_growth), (0.15, 0.0, 0.3));
        assert_eq!((p.t_r, p.t_g, p.t_x), (350.0, 370.0, 740.0));
        assert_eq!((p.noise, p.q_min, p.q_max), (0.0, 2.0, 30.0));
        // Checked parameters are a fixed point.
        assert_eq!(p.checked(), (p.clone(), Vec::new()));
        // T_g below T_r + 20 K and T_x below T_g + 15 K are lifted, in order.
        let close = WhatIfParams {
            t_r: 600.0,
            t_g: 605.0,
            t_x: 610.0,
            ..WhatIfParams::default()
        };
        let (p, notes) = close.checked();
        assert_eq!((p.t_r, p.t_g, p.t_x), (600.0, 620.0, 635.0));
        assert_eq!(notes.len(), 2, "{notes:?}");
        // A T_r high enough leaves room for both gaps below 740 K.
        let (p, _) = WhatIfParams {
            t_r: 745.0,
            ..close
        }
        .checked();
        assert!(p.t_r + MIN_GAP_RG <= p.t_g && p.t_g + MIN_GAP_GX <= p.t_x && p.t_x <= T_X_MAX);
        // All fractions zero: the demo's.
        let (p, notes) = WhatIfParams {
            fractions: [0.0; 4],
            ..WhatIfParams::default()
        }
        .checked();
        assert_eq!(p.fractions, RT_FRACTIONS);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn presets_are_valid_and_distinct() {
        let all: Vec<WhatIfParams> = Preset::ALL.iter().map(|p| p.params()).collect();
        for (k, p) in all.iter().enumerate() {
            let (q, notes) = p.checked();
            assert_eq!(&q, p, "{}", Preset::ALL[k].name());
            assert!(notes.is_empty(), "{}: {notes:?}", Preset::ALL[k].name());
            for other in &all[k + 1..] {
                assert_ne!(p, other);
            }
        }
        assert_eq!(Preset::Ac.params(), WhatIfParams::default());
        assert_eq!(Preset::Hpt.params().t_r, SAMPLES[2].t_r);
        assert!(Preset::LowQmax.params().config().q_grid().last() <= Some(&14.0));
    }

    #[test]
    fn default_params_generate_the_demo_ac_series_value_for_value() {
        let config = DemoConfig {
            t_end: 330.0,
            ..DemoConfig::default()
        };
        let ac = demo_series(&SAMPLES[0], &config);
        let p = WhatIfParams::default();
        let sample = p.sample();
        let mine: Vec<_> = config
            .temperatures()
            .iter()
            .enumerate()
            .map(|(i, &t)| demo_pattern(&sample, &p.config(), i, t))
            .collect();
        for (a, b) in ac.patterns.iter().zip(&mine) {
            assert_eq!(a.x, b.x);
            assert_eq!(a.y, b.y, "bit-identical S(Q)");
            assert_eq!(a.temperature, b.temperature);
        }
        // The whole generated series: the demo's temperatures and the AC values.
        let out = generate(&p, &|_, _| {}, &|| false).expect("not stopped");
        assert_eq!(out.series.sample, WHAT_IF_NAME);
        assert_eq!(out.series.len(), 151);
        assert_eq!(out.series.patterns[3].y, ac.patterns[3].y);
        assert_eq!(out.planted.transitions(), [590.0, 680.0, 731.0]);
        let state = out.planted.state_near(301.0).expect("a state");
        assert_eq!(state.kelvin, 300.0);
        assert_eq!(state.fractions, RT_FRACTIONS);
    }

    #[test]
    fn generating_stops_early_when_asked() {
        let built = AtomicUsize::new(0);
        let progress = |_: usize, _: usize| {
            built.fetch_add(1, Ordering::Relaxed);
        };
        let stop = || built.load(Ordering::Relaxed) >= 5;
        assert!(generate(&WhatIfParams::default(), &progress, &stop).is_none());
        let n = built.load(Ordering::Relaxed);
        // Each of the pool's threads may finish the pattern it started.
        assert!(
            n < 5 + rayon::current_num_threads() + 1,
            "{n} patterns built"
        );
    }

    #[test]
    fn a_dropped_job_stops_and_a_kept_one_delivers() {
        let mut job = WhatIfJob::spawn(
            WhatIfParams {
                q_max: 10.0,
                ..WhatIfParams::default()
            },
            Arc::new(|| {}),
        );
        for _ in 0..6000 {
            if let Some(r) = job.take() {
                let out = r.expect("a series");
                assert_eq!(out.series.len(), job.progress().1);
                assert!(out.series.patterns[0].x.last() <= Some(&10.0));
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(job.take().is_none(), "handed over once");
        let job = WhatIfJob::spawn(WhatIfParams::default(), Arc::new(|| {}));
        let done = Arc::clone(&job.done);
        drop(job);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let at = done.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(
            done.load(Ordering::Relaxed),
            at,
            "nothing built after the drop"
        );
    }

    #[test]
    fn the_demo_samples_know_what_was_planted() {
        for s in SAMPLES {
            let p = demo_planted(s.name).expect("a demo sample");
            assert_eq!(p.transitions(), [s.t_r, s.t_g, s.t_x]);
            let hot = p.state_near(700.0).expect("a state");
            assert!(hot.fractions[2] > s.fractions[2], "relaxed: more 3-atom");
            assert!(hot.width > 0.26, "broadened: {}", hot.width);
            assert!(hot.component(1, hot.centres[1]) > 0.0);
        }
        assert!(demo_planted("scan").is_none());
    }
}
