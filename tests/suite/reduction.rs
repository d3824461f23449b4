//! Raw I(Q) → S(Q) on the demo's planted glass: a synthetic intensity built from a known S(Q)
//! with the shipped X-ray tables, a planted scale, polarisation, Compton and a scaled
//! background is reduced back; the structure factor, the scale and ρ0 come out as planted.

use glassray::analysis::reduction::{
    Normalisation, ReductionInput, polarisation_factor, rho0_from_low_r, scattering_factors,
    sq_from_iq,
};
use glassray::analysis::transform::{LowQ, Modification, TransformPath, TransformPlan, r_grid};
use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor, planted_state};
use glassray::model::composition::Composition;

use super::analysis::normal_deviates;

/// Counts per electron unit: the planted scale α = 1/SCALE.
const SCALE: f64 = 1234.5;
/// APS 11-ID-C.
const WAVELENGTH: f64 = 0.1173;
const BACKGROUND_SCALE: f64 = 0.85;

struct Planted {
    q: Vec<f64>,
    s: Vec<f64>,
    background: Vec<f64>,
    intensity: Vec<f64>,
    rho0: f64,
    composition: Composition,
}

/// The AC glass at 300 K on Q = 0.5, 0.52, …, 25 Å⁻¹ as a detector would see it:
/// I = SCALE · P(Q) · [⟨f⟩²(S − 1) + ⟨f²⟩ + C] + b · I_bkg.
fn planted() -> Planted {
    let q: Vec<f64> = (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect();
    let s = model_structure_factor(&SAMPLES[0], 300.0, &q);
    let composition = Composition::parse(COMPOSITION).expect("formula");
    let f = scattering_factors(&composition, &q).expect("factors");
    // An empty-cell/air background: strong at low Q, a flat floor.
    let background: Vec<f64> = q
        .iter()
        .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
        .collect();
    let intensity = (0..q.len())
        .map(|k| {
            let eu = f.square_of_mean[k] * (s[k] - 1.0) + f.mean_square[k] + f.compton[k];
            let p = polarisation_factor(q[k], WAVELENGTH).expect("P");
            SCALE * p * eu + BACKGROUND_SCALE * background[k]
        })
        .collect();
    Planted {
        q,
        s,
        background,
        intensity,
        rho0: planted_state(&SAMPLES[0], 300.0).rho0,
        composition,
    }
}

fn input<'a>(p: &'a Planted, intensity: &'a [f64], norm: Normalisation) -> ReductionInput<'a> {
    ReductionInput {
        background: Some(&p.background),
        background_scale: BACKGROUND_SCALE,
        wavelength: Some(WAVELENGTH),
        ..ReductionInput::new(&p.q, intensity, &p.composition, norm)
    }
}

fn krogh_moe(rho0: f64) -> Normalisation {
    Normalisation::KroghMoe {
        rho0,
        below_qmin: LowQ::Linear,
    }
}

const HIGH_Q: Normalisation = Normalisation::HighQ {
    q_from: 18.0,
    q_to: 25.0,
};

#[test]
fn the_planted_structure_factor_comes_back_to_round_off() {
    let p = planted();
    let r = sq_from_iq(&input(
        &p,
        &p.intensity,
        Normalisation::Given { alpha: 1.0 / SCALE },
    ))
    .expect("reduce");
    let worst =
        r.s.iter()
            .zip(&p.s)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
    assert!(worst < 1e-11, "largest |ΔS| = {worst:e}");
    // Every intermediate is there, on the input grid.
    assert_eq!(r.q, p.q);
    assert_eq!(r.intensity, p.intensity);
    for v in [
        &r.scaled_background,
        &r.subtracted,
        &r.corrected,
        &r.normalised,
        &r.factors.compton,
        &r.factors.mean_square,
        &r.factors.square_of_mean,
    ] {
        assert_eq!(v.len(), p.q.len());
    }
}

#[test]
fn krogh_moe_recovers_the_planted_scale_to_half_a_percent_and_high_q_to_one() {
    let p = planted();
    for below_qmin in [LowQ::None, LowQ::Hold, LowQ::Linear] {
        let norm = Normalisation::KroghMoe {
            rho0: p.rho0,
            below_qmin,
        };
        let r = sq_from_iq(&input(&p, &p.intensity, norm)).expect("KM");
        let error = r.alpha * SCALE - 1.0;
        println!("Krogh-Moe ({below_qmin:?}): α·scale − 1 = {error:+.2e}");
        assert!(error.abs() < 0.005, "{below_qmin:?}: {error}");
    }
    // ρ0 hardly matters at Qmax = 25 Å⁻¹ (N ≈ Qmax³/3 ≫ 2π²ρ0): 10 % off moves α by < 0.1 %.
    let off = sq_from_iq(&input(&p, &p.intensity, krogh_moe(1.1 * p.rho0))).expect("KM");
    assert!((off.alpha * SCALE - 1.0).abs() < 0.005);
    let r = sq_from_iq(&input(&p, &p.intensity, HIGH_Q)).expect("high Q");
    let error = r.alpha * SCALE - 1.0;
    println!("high-Q 18–25 1/Å: α·scale − 1 = {error:+.2e}");
    assert!(error.abs() < 0.01, "{error}");
    // A laboratory-like range: Qmax = 12 and 16 Å⁻¹ (the truncation term ∫_Qmax^∞ Q²(S − 1) is
    // left out, as in the module doc).
    for q_max in [12.0, 16.0] {
        let n = p.q.iter().filter(|&&q| q <= q_max + 1e-9).count();
        let cut = Planted {
            q: p.q[..n].to_vec(),
            s: p.s[..n].to_vec(),
            background: p.background[..n].to_vec(),
            intensity: p.intensity[..n].to_vec(),
            rho0: p.rho0,
            composition: p.composition.clone(),
        };
        let r = sq_from_iq(&input(&cut, &cut.intensity, krogh_moe(p.rho0))).expect("KM");
        let error = r.alpha * SCALE - 1.0;
        println!("Krogh-Moe to Qmax = {q_max}: α·scale − 1 = {error:+.2e}");
        assert!(error.abs() < 0.005, "Qmax {q_max}: {error}");
    }
}

#[test]
fn with_noise_the_structure_factor_comes_back_within_its_error_bars() {
    let p = planted();
    // Noise of 0.3 % of the self-scattering level, σ_I = 0.003·SCALE·(⟨f²⟩ + C): σ_S ≈ 0.003
    // at low Q, 0.015 at 25 Å⁻¹. Not counting noise √I: the demo's S(Q) dips to −0.39 between
    // 0.94 and 2.34 Å⁻¹, where the planted intensity of BAM-11 is negative (I_coh ≥ 0 needs
    // S ≥ 1 − ⟨f²⟩/⟨f⟩² ≈ −0.04), so √I is not defined there.
    let f = scattering_factors(&p.composition, &p.q).expect("factors");
    let sigma: Vec<f64> = (0..p.q.len())
        .map(|k| 0.003 * SCALE * (f.mean_square[k] + f.compton[k]))
        .collect();
    let mut normal = normal_deviates(0x5EED_0013);
    let noisy: Vec<f64> = p
        .intensity
        .iter()
        .zip(&sigma)
        .map(|(i, s)| i + s * normal())
        .collect();
    let with_sigma = |norm| ReductionInput {
        sigma: Some(&sigma),
        ..input(&p, &noisy, norm)
    };
    let known =
        sq_from_iq(&with_sigma(Normalisation::Given { alpha: 1.0 / SCALE })).expect("reduce");
    let sigma_s = known.sigma_s.as_ref().expect("σ_S");
    let z: Vec<f64> = (0..p.q.len())
        .map(|k| (known.s[k] - p.s[k]) / sigma_s[k])
        .collect();
    let rms = (z.iter().map(|v| v * v).sum::<f64>() / z.len() as f64).sqrt();
    let worst = z.iter().map(|v| v.abs()).fold(0.0, f64::max);
    println!("normalised residuals: RMS {rms:.3}, largest {worst:.2}");
    assert!((0.9..1.1).contains(&rms) && worst < 5.0, "{rms} {worst}");

    let km = sq_from_iq(&with_sigma(krogh_moe(p.rho0))).expect("KM");
    let high = sq_from_iq(&with_sigma(HIGH_Q)).expect("high Q");
    println!(
        "with noise: Krogh-Moe α·scale − 1 = {:+.2e}, high-Q {:+.2e}",
        km.alpha * SCALE - 1.0,
        high.alpha * SCALE - 1.0
    );
    assert!((km.alpha * SCALE - 1.0).abs() < 0.005);
    assert!((high.alpha * SCALE - 1.0).abs() < 0.01);
    // With the Krogh-Moe scale S(Q) is off by its noise plus δα·α I_c/⟨f⟩², the scale's
    // error times the normalised intensity; in the FSDP region that is well below 1 %.
    for k in (0..p.q.len()).filter(|&k| (2.0..3.5).contains(&p.q[k])) {
        assert!((km.s[k] - p.s[k]).abs() < 0.01 * p.s[k] + 5.0 * sigma_s[k]);
    }
}

#[test]
fn rho0_comes_back_from_the_low_r_slope_of_g_of_r() {
    let p = planted();
    let r_fit = 1.9;
    let r = r_grid(0.01, 4.0, 0.01).expect("r grid");
    for modification in [Modification::None, Modification::Lorch] {
        let plan = TransformPlan::new(
            &p.q,
            None,
            None,
            modification,
            LowQ::Linear,
            r.clone(),
            TransformPath::Direct,
        )
        .expect("plan");
        let g = plan.reduced_pdf(&p.s);
        let rho0 = rho0_from_low_r(&r, &g, r_fit).expect("ρ0");
        println!(
            "{modification:?}: ρ0 = {rho0:.5} (planted {:.5}, {:+.2} %)",
            p.rho0,
            100.0 * (rho0 / p.rho0 - 1.0)
        );
        assert!(
            (rho0 / p.rho0 - 1.0).abs() < 0.01,
            "{modification:?}: {rho0}"
        );
    }
    // And from a reduction with the Krogh-Moe scale: the chain raw I(Q) → S(Q) → ρ0.
    let reduced = sq_from_iq(&input(&p, &p.intensity, krogh_moe(p.rho0))).expect("KM");
    let plan = TransformPlan::new(
        &p.q,
        None,
        None,
        Modification::Lorch,
        LowQ::Linear,
        r.clone(),
        TransformPath::Direct,
    )
    .expect("plan");
    let rho0 = rho0_from_low_r(&r, &plan.reduced_pdf(&reduced.s), r_fit).expect("ρ0");
    assert!((rho0 / p.rho0 - 1.0).abs() < 0.01, "{rho0}");
}

mod settings {
    //! One pattern's reduction with a run's settings ([`glassray::analysis::reduce`]): the
    //! automatic background scale and the refined ρ0 on the demo's planted glass.

    use glassray::analysis::reduce::{
        NormalisationMode, ReducePlan, ReduceSettings, ScaleMode, background_on_grid, golden_min,
        reduce_pattern,
    };
    use glassray::analysis::reduction::scattering_factors;
    use glassray::analysis::transform::LowQ;
    use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor, planted_state};
    use glassray::model::composition::Composition;

    const SCALE: f64 = 2345.6;

    fn planted(b: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>, ReduceSettings) {
        let q: Vec<f64> = (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect();
        let s = model_structure_factor(&SAMPLES[0], 300.0, &q);
        let composition = Composition::parse(COMPOSITION).expect("formula");
        let f = scattering_factors(&composition, &q).expect("factors");
        let bkg: Vec<f64> = q
            .iter()
            .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
            .collect();
        let i = (0..q.len())
            .map(|k| {
                let eu = f.square_of_mean[k] * (s[k] - 1.0) + f.mean_square[k] + f.compton[k];
                SCALE * eu + b * bkg[k]
            })
            .collect();
        let settings = ReduceSettings {
            rho0: Some(planted_state(&SAMPLES[0], 300.0).rho0),
            scale: ScaleMode::Auto,
            below_qmin: LowQ::Hold,
            ..ReduceSettings::new(composition)
        };
        (q, i, bkg, settings)
    }

    #[test]
    fn the_low_r_misfit_is_least_at_the_planted_scale_and_auto_finds_it() {
        let (q, i, bkg, settings) = planted(0.85);
        let plan = ReducePlan::new(&q, &settings).expect("plan");
        let rho0 = settings.rho0.expect("ρ0");
        let at = |b: f64| {
            let (r_cut, misfit) = plan
                .low_r_misfit_at(&settings, &i, Some(&bkg), (b, rho0))
                .expect("misfit");
            // BAM-11's first peak is at 2.75 Å: r_c = 0.8 × 2.75 − π/25 ≈ 2.07 Å.
            assert!((1.95..2.2).contains(&r_cut), "{r_cut}");
            misfit
        };
        // With b and ρ0 both given nothing is searched: no r_c, no misfit, and S(Q) as with
        // the planted scale.
        let fixed = ReduceSettings {
            scale: ScaleMode::Fixed(0.85),
            ..settings.clone()
        };
        let r = reduce_pattern(&plan, &fixed, &i, None, Some(&bkg)).expect("reduce");
        assert!(r.r_cut.is_nan() && r.low_r_misfit.is_nan() && !r.rho0_refined);
        assert!((r.reduction.alpha * SCALE - 1.0).abs() < 0.005);
        let best = at(0.85);
        for b in [0.0, 0.5, 0.8, 0.9, 1.2] {
            assert!(at(b) > best, "{b}");
        }
        let r = reduce_pattern(&plan, &settings, &i, None, Some(&bkg)).expect("reduce");
        println!("auto: b = {} (planted 0.85)", r.background_scale);
        assert!(
            (r.background_scale - 0.85).abs() < 0.005,
            "{}",
            r.background_scale
        );
        assert!(!r.scale_at_bound);
        assert!((r.reduction.alpha * SCALE - 1.0).abs() < 0.005);
        // ρ0 refined with the planted scale: within 1 % of the planted one (more cases in
        // `rho0_is_recovered_to_one_percent_on_several_glasses`).
        let refined = ReduceSettings {
            rho0: None,
            scale: ScaleMode::Fixed(0.85),
            ..settings.clone()
        };
        let r = reduce_pattern(&plan, &refined, &i, None, Some(&bkg)).expect("reduce");
        let planted = settings.rho0.expect("ρ0");
        println!("refined ρ0 = {} (planted {planted})", r.rho0);
        assert!(
            (r.rho0 / planted - 1.0).abs() < 0.01,
            "{} vs {planted}",
            r.rho0
        );
        assert!(r.rho0_refined);
    }

    #[test]
    fn odd_input_is_an_error_never_a_panic() {
        let (q, i, bkg, settings) = planted(0.85);
        let plan = ReducePlan::new(&q, &settings).expect("plan");
        let mut nan = i.clone();
        nan[7] = f64::NAN;
        assert!(reduce_pattern(&plan, &settings, &nan, None, Some(&bkg)).is_err());
        assert!(reduce_pattern(&plan, &settings, &i[..10], None, Some(&bkg)).is_err());
        let zero = vec![0.0; q.len()];
        assert!(reduce_pattern(&plan, &settings, &i, None, Some(&zero)).is_err());
        assert!(reduce_pattern(&plan, &settings, &zero, None, Some(&bkg)).is_err());
        assert!(ReducePlan::new(&[1.0, 0.5, 2.0], &settings).is_err());
        assert!(ReducePlan::new(&[], &settings).is_err());
        // The background must cover the pattern.
        let e = background_on_grid(&[1.0, 2.0], &[1.0, 1.0], &[0.5, 1.5]).expect_err("outside");
        assert!(e.to_string().contains("0.5–1.5"), "{e}");
        let on = background_on_grid(&[0.0, 2.0], &[0.0, 4.0], &[0.5, 1.5]).expect("inside");
        assert_eq!(on, [1.0, 3.0]);
        assert!((golden_min(|x| (x - 0.3).powi(2), 0.0, 1.0, 1e-9).0 - 0.3).abs() < 1e-6);
        assert_eq!(golden_min(|x| -x, 0.0, 1.0, 1e-9).0, 1.0);
    }

    #[test]
    fn polarised_intensities_and_the_high_q_normalisation_come_back() {
        use glassray::analysis::reduction::{polarisation_factor, wavelength_from_energy};
        let (q, plain, bkg, settings) = planted(0.85);
        let lambda = wavelength_from_energy(105.7);
        // The same glass through a polarising geometry: I = P·SCALE·eu + b·I_bkg·P (the
        // background scattered by the same geometry).
        let polarised: Vec<f64> = plain
            .iter()
            .zip(&q)
            .map(|(i, &x)| i * polarisation_factor(x, lambda).expect("P"))
            .collect();
        let bkg_p: Vec<f64> = bkg
            .iter()
            .zip(&q)
            .map(|(b, &x)| b * polarisation_factor(x, lambda).expect("P"))
            .collect();
        let with_p = ReduceSettings {
            polarisation_wavelength: Some(lambda),
            scale: ScaleMode::Fixed(0.85),
            ..settings.clone()
        };
        let plan = ReducePlan::new(&q, &with_p).expect("plan");
        let r = reduce_pattern(&plan, &with_p, &polarised, None, Some(&bkg_p)).expect("reduce");
        let s = model_structure_factor(&SAMPLES[0], 300.0, &q);
        let worst = r
            .reduction
            .s
            .iter()
            .zip(&s)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!(
            "polarised, Krogh-Moe: α·scale − 1 = {:+.2e}, largest |ΔS| {worst:.4}",
            r.reduction.alpha * SCALE - 1.0
        );
        assert!((r.reduction.alpha * SCALE - 1.0).abs() < 0.005);
        assert!(worst < 0.05, "{worst}");
        let high = ReduceSettings {
            normalisation: NormalisationMode::HighQ,
            scale: ScaleMode::Fixed(0.85),
            ..settings.clone()
        };
        let plan = ReducePlan::new(&q, &high).expect("plan");
        let r = reduce_pattern(&plan, &high, &plain, None, Some(&bkg)).expect("reduce");
        println!(
            "high-Q: α·scale − 1 = {:+.2e}",
            r.reduction.alpha * SCALE - 1.0
        );
        assert!((r.reduction.alpha * SCALE - 1.0).abs() < 0.01);
        // With high-Q normalisation a refined ρ0 is the low-r slope itself.
        let refined = ReduceSettings { rho0: None, ..high };
        let r = reduce_pattern(&plan, &refined, &plain, None, Some(&bkg)).expect("reduce");
        let planted = settings.rho0.expect("ρ0");
        println!("high-Q, refined ρ0 = {} (planted {planted})", r.rho0);
        assert!((r.rho0 / planted - 1.0).abs() < 0.01, "{}", r.rho0);
    }

    /// The intensity of `model` as the detector sees it: polarised (105.7 keV), scaled, on a
    /// background at b = 0.85 (also polarised).
    fn intensity_of(
        model: &glassray::demo::StructureModel,
        q: &[f64],
        bkg: &[f64],
        lambda: f64,
    ) -> Vec<f64> {
        use glassray::analysis::reduction::polarisation_factor;
        let composition = Composition::parse(COMPOSITION).expect("formula");
        let f = scattering_factors(&composition, q).expect("factors");
        (0..q.len())
            .map(|k| {
                let s = model.s(q[k]);
                let eu = f.square_of_mean[k] * (s - 1.0) + f.mean_square[k] + f.compton[k];
                let p = polarisation_factor(q[k], lambda).expect("P");
                p * (SCALE * eu + 0.85 * bkg[k])
            })
            .collect()
    }

    #[test]
    fn rho0_is_recovered_to_one_percent_on_several_glasses() {
        use glassray::analysis::reduction::wavelength_from_energy;
        use glassray::demo::structure_at;
        // Three samples at three temperatures, each also expanded and compressed by 5 %
        // (ρ0 × 0.86 and × 1.16: 0.047–0.063 Å⁻³), to Qmax = 25 and 18 Å⁻¹, with b and the
        // polarisation as planted, the Krogh-Moe scale and S held below Qmin = 0.5 Å⁻¹.
        let lambda = wavelength_from_energy(105.7);
        let mut worst: f64 = 0.0;
        for q_max in [25.0, 18.0] {
            let n = ((q_max - 0.5) / 0.02_f64).round() as usize;
            let q: Vec<f64> = (0..=n).map(|k| 0.5 + 0.02 * k as f64).collect();
            let bkg: Vec<f64> = q
                .iter()
                .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
                .collect();
            let composition = Composition::parse(COMPOSITION).expect("formula");
            let settings = ReduceSettings {
                polarisation_wavelength: Some(lambda),
                scale: ScaleMode::Fixed(0.85),
                ..ReduceSettings::new(composition)
            };
            let plan = ReducePlan::new(&q, &settings).expect("plan");
            for (sample, t) in [(0, 300.0), (1, 500.0), (2, 700.0)] {
                for stretch in [0.95, 1.0, 1.05] {
                    let model = structure_at(&SAMPLES[sample], t).scaled(stretch);
                    let i = intensity_of(&model, &q, &bkg, lambda);
                    let bkg_p: Vec<f64> = bkg
                        .iter()
                        .zip(&q)
                        .map(|(b, &x)| {
                            b * glassray::analysis::reduction::polarisation_factor(x, lambda)
                                .expect("P")
                        })
                        .collect();
                    let r =
                        reduce_pattern(&plan, &settings, &i, None, Some(&bkg_p)).expect("reduce");
                    let error = r.rho0 / model.rho0 - 1.0;
                    println!(
                        "Qmax {q_max}, {} {t} K × {stretch}: ρ0 {:.5} planted {:.5} ({:+.3} %), r_c {:.3} Å",
                        SAMPLES[sample].name,
                        r.rho0,
                        model.rho0,
                        100.0 * error,
                        r.r_cut
                    );
                    assert!(r.rho0_refined);
                    worst = worst.max(error.abs());
                }
            }
        }
        // The issue asks for 1 %; measured ≤ 0.19 %, what is left being the continuation of
        // S(Q) below Qmin (−0.12 %). r_c = 0.8 × the first peak without the Lorch half-width
        // taken off gave up to −0.9 % here (18 Å⁻¹, HPT at 700 K), so 0.5 % also guards that.
        println!("largest ρ0 error {:.3} %", 100.0 * worst);
        assert!(worst < 0.005, "{worst}");
    }
}

mod iterations {
    //! The iterative low-r correction (Eggert et al. 2002) through a run's settings: a
    //! reduction with a wrong background scale is pulled back toward the planted S(Q).

    use glassray::analysis::reduce::{ReducePlan, ReduceSettings, ScaleMode, reduce_pattern};
    use glassray::analysis::reduction::scattering_factors;
    use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor, planted_state};
    use glassray::model::composition::Composition;

    const SCALE: f64 = 2345.6;

    fn rms(a: &[f64], b: &[f64], q: &[f64], from: f64) -> f64 {
        let d: Vec<f64> = (0..q.len())
            .filter(|&k| q[k] > from)
            .map(|k| a[k] - b[k])
            .collect();
        (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt()
    }

    #[test]
    fn a_wrong_background_scale_is_corrected_toward_the_planted_structure_factor() {
        let q: Vec<f64> = (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect();
        let planted = model_structure_factor(&SAMPLES[0], 300.0, &q);
        let rho0 = planted_state(&SAMPLES[0], 300.0).rho0;
        let composition = Composition::parse(COMPOSITION).expect("formula");
        let f = scattering_factors(&composition, &q).expect("factors");
        let bkg: Vec<f64> = q
            .iter()
            .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
            .collect();
        let i: Vec<f64> = (0..q.len())
            .map(|k| {
                let eu = f.square_of_mean[k] * (planted[k] - 1.0) + f.mean_square[k] + f.compton[k];
                SCALE * eu + 0.85 * bkg[k]
            })
            .collect();
        // b = 0.80 instead of 0.85: a smooth excess intensity, strongest at low Q.
        let run = |iterations: usize, rho0: Option<f64>| {
            let settings = ReduceSettings {
                rho0,
                scale: ScaleMode::Fixed(0.80),
                iterations,
                ..ReduceSettings::new(composition.clone())
            };
            let plan = ReducePlan::new(&q, &settings).expect("plan");
            let r = reduce_pattern(&plan, &settings, &i, None, Some(&bkg)).expect("reduce");
            assert_eq!(r.iterations, iterations);
            r
        };
        let none = run(0, Some(rho0));
        let one = run(1, Some(rho0));
        let five = run(5, Some(rho0));
        let d0 = rms(&none.reduction.s, &planted, &q, 1.5);
        let d5 = rms(&five.reduction.s, &planted, &q, 1.5);
        println!(
            "b 0.80 for 0.85: RMS ΔS over Q > 1.5 {d0:.4} → {d5:.4} after 5 iterations; low-r χ² after 1: {:.3e}, after 5: {:.3e}",
            one.low_r_misfit, five.low_r_misfit
        );
        assert!(five.low_r_misfit < 0.5 * one.low_r_misfit);
        assert!(d5 < 0.7 * d0, "{d0} → {d5}");
        // With b and ρ0 given and no iteration nothing is searched (no r_c); with iterations
        // r_c is found.
        assert!(none.r_cut.is_nan() && five.r_cut.is_finite());
        // Refining ρ0 after the iterations (Eggert's χ²) on the right b stays within 1 %.
        let settings = ReduceSettings {
            scale: ScaleMode::Fixed(0.85),
            iterations: 3,
            ..ReduceSettings::new(composition.clone())
        };
        let plan = ReducePlan::new(&q, &settings).expect("plan");
        let r = reduce_pattern(&plan, &settings, &i, None, Some(&bkg)).expect("reduce");
        println!(
            "ρ0 refined after 3 iterations: {:.5} (planted {rho0:.5})",
            r.rho0
        );
        assert!((r.rho0 / rho0 - 1.0).abs() < 0.01, "{}", r.rho0);
    }
}

mod ad_hoc {
    //! PDFgetX3's ad hoc correction: a smooth polynomial planted in F(Q) is removed, and G(r)
    //! beyond r_poly keeps its structure.

    use glassray::analysis::adhoc::remove_smooth_part;
    use glassray::analysis::reduce::{ReducePlan, ReduceSettings, ScaleMode, reduce_pattern};
    use glassray::analysis::reduction::scattering_factors;
    use glassray::analysis::transform::{LowQ, Modification, TransformPath, TransformPlan, r_grid};
    use glassray::demo::{COMPOSITION, SAMPLES, model_structure_factor, planted_state};
    use glassray::model::composition::Composition;

    /// Lorch-damped G(r), S held below Qmin (so that the low-Q edge adds no ripple).
    fn big_g(q: &[f64], s: &[f64], r: &[f64]) -> Vec<f64> {
        TransformPlan::new(
            q,
            None,
            None,
            Modification::Lorch,
            LowQ::Hold,
            r.to_vec(),
            TransformPath::Direct,
        )
        .expect("plan")
        .reduced_pdf(s)
    }

    fn largest_difference(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    }

    /// RMS of a − b over Q > 1.5 Å⁻¹.
    fn rms(q: &[f64], a: &[f64], b: &[f64]) -> f64 {
        let d: Vec<f64> = (0..q.len())
            .filter(|&k| q[k] > 1.5)
            .map(|k| a[k] - b[k])
            .collect();
        (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt()
    }

    #[test]
    fn a_planted_polynomial_goes_and_g_of_r_beyond_rpoly_keeps_its_structure() {
        let q: Vec<f64> = (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect();
        let planted = model_structure_factor(&SAMPLES[0], 300.0, &q);
        // F(Q) + 0.4 Q − 0.03 Q² + 0.0008 Q³: S − 1 off by 0.4 at low Q, −0.25 at 12 Å⁻¹.
        let poly = |x: f64| 0.4 * x - 0.03 * x * x + 0.0008 * x * x * x;
        let spoiled: Vec<f64> = q
            .iter()
            .zip(&planted)
            .map(|(&x, s)| s + poly(x) / x)
            .collect();
        let fixed = remove_smooth_part(&q, &spoiled, 0.9).expect("ad hoc");
        let clean = remove_smooth_part(&q, &planted, 0.9).expect("ad hoc");
        assert_eq!(fixed.degree, 8);
        // The polynomial itself goes to round-off (ad hoc is linear in F) …
        let residue = largest_difference(&fixed.s, &clean.s);
        assert!(residue < 1e-9, "{residue}");
        // … but not only it: the polynomial also takes the part of the true F(Q) that it can
        // fit, i.e. G(r) below r_poly (the −4πρ0 r line), as PDFgetX3 means it to; S(Q) is
        // then not the planted one (RMS 0.06), while G(r) beyond r_poly keeps its structure.
        let (before, after) = (rms(&q, &spoiled, &planted), rms(&q, &fixed.s, &planted));
        // G(r) beyond 3 Å (3.3 r_poly) is the planted one to a small fraction of its height.
        let r = r_grid(3.0, 12.0, 0.01).expect("r");
        let g_planted = big_g(&q, &planted, &r);
        let height = g_planted.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let g_after = largest_difference(&big_g(&q, &fixed.s, &r), &g_planted);
        let near = r_grid(2.0, 3.0, 0.01).expect("r");
        let g_near = largest_difference(&big_g(&q, &fixed.s, &near), &big_g(&q, &planted, &near));
        println!(
            "ad hoc: RMS ΔS (Q > 1.5) {before:.4} → {after:.4}; max |ΔG| 3–12 Å {g_after:.4}, \
             2–3 Å {g_near:.3} (G up to {height:.2})"
        );
        assert!(after < 0.5 * before, "{before} → {after}");
        assert!(g_after < 0.025 * height, "{g_after} of {height}");
    }

    #[test]
    fn through_a_run_it_is_applied_last_and_recorded() {
        let q: Vec<f64> = (0..=1225).map(|k| 0.5 + 0.02 * k as f64).collect();
        let planted = model_structure_factor(&SAMPLES[0], 300.0, &q);
        let composition = Composition::parse(COMPOSITION).expect("formula");
        let f = scattering_factors(&composition, &q).expect("factors");
        let bkg: Vec<f64> = q
            .iter()
            .map(|&x| 2.0e5 * (-x / 3.0).exp() + 2.0e4)
            .collect();
        let i: Vec<f64> = (0..q.len())
            .map(|k| {
                let eu = f.square_of_mean[k] * (planted[k] - 1.0) + f.mean_square[k] + f.compton[k];
                2345.6 * eu + 0.85 * bkg[k]
            })
            .collect();
        let run = |ad_hoc| {
            let settings = ReduceSettings {
                rho0: Some(planted_state(&SAMPLES[0], 300.0).rho0),
                scale: ScaleMode::Fixed(0.70),
                ad_hoc,
                ..ReduceSettings::new(composition.clone())
            };
            let plan = ReducePlan::new(&q, &settings).expect("plan");
            reduce_pattern(&plan, &settings, &i, None, Some(&bkg)).expect("reduce")
        };
        let plain = run(None);
        let corrected = run(Some(0.9));
        assert_eq!(plain.ad_hoc_degree, None);
        assert_eq!(corrected.ad_hoc_degree, Some(8));
        // The same as the pure function on the uncorrected S(Q).
        let direct = remove_smooth_part(&q, &plain.reduction.s, 0.9).expect("ad hoc");
        assert!(largest_difference(&direct.s, &corrected.reduction.s) < 1e-12);
        let (before, after) = (
            rms(&q, &plain.reduction.s, &planted),
            rms(&q, &corrected.reduction.s, &planted),
        );
        // For information: the ad hoc S(Q) is PDFgetX3's, not the Faber–Ziman one (see above).
        println!("b 0.70 for 0.85: RMS ΔS (Q > 1.5) {before:.4} → {after:.4} with --ad-hoc");
        assert!(corrected.reduction.s.iter().all(|v| v.is_finite()));
    }
}
