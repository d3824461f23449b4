//! The quantity a pattern holds, inferred from its values when no user option, column label,
//! header key or extension states it; and the check that a column labelled F(Q) is not really
//! S(Q) − 1 (fullrmc writes S(Q) − 1 under `F(Q)`).
//!
//! Rules, on x in Å⁻¹ (or Å) and y as read (at least 20 points; fewer keep `Unknown`):
//! - Space: an x label decides (Q or 2θ → reciprocal, r → real). Without one, x starting at
//!   0.02 or below and reaching 8–200 may be r: the real-space shapes are tried first, then the
//!   reciprocal ones.
//! - G(r): below 1.6 Å (from 0.2 Å) y follows a line through the origin with slope −4πρ0 for
//!   ρ0 between 0.02 and 0.13 Å⁻³ (R² ≥ 0.75), and it oscillates about 0 (the mean of the last
//!   quarter within 10 % of the largest |y|, 4+ sign changes beyond 2 Å).
//! - g(r): |y| below 0.15 on average under 1 Å, the last quarter within 0.15 of 1, a peak
//!   above 1.3 and nothing below −0.3.
//! - S(Q): the mean of the last fifth of the Q range within 0.1 of 1, and nothing below −0.15.
//! - S(Q) − 1 or F(Q): the last fifth within 0.1 of 0 and negative values. F(Q) when y goes
//!   below −1.1 (S(Q) − 1 cannot: S ≥ 0). Otherwise two tests vote: at low Q (up to half the
//!   position of the maximum, spanning a factor 2 in Q) S(Q) − 1 is flat while F(Q) = Q[S − 1]
//!   grows with Q (which of y and y/Q varies half as much); and the oscillation envelope from
//!   the first peak to the last fifth shrinks like Q^s with s < −2.5 for S(Q) − 1 (1/Q and
//!   damping) and s > −0.5 for F(Q). Disagreeing or silent tests keep `Unknown` and say why.
//! - I(Q): every value positive and the last fifth at 2 or more, with a maximum inside the
//!   range (not at either end): a large level and no plateau at 1.
//! - Anything else stays `Unknown`, with the reason. NaN never reaches here (rows with
//!   non-finite values are dropped before).
//!
//! Every inferred quantity comes with a note naming the evidence and `--quantity` to force it.

use super::super::header::XLabel;
use crate::model::Quantity;

/// The start of the note of a quantity inferred from the values.
pub(crate) const INFERRED_NOTE: &str = "quantity inferred as ";
/// The start of the note of a quantity nothing stated and the values did not tell.
pub(crate) const UNSTATED_NOTE: &str = "quantity not stated";

/// Fewest points a quantity is inferred from.
const MIN_POINTS: usize = 20;

/// What the values say: the quantity (maybe `Unknown`) and the sentence for the notes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Inference {
    pub quantity: Quantity,
    pub note: String,
}

impl Inference {
    fn found(quantity: Quantity, why: String) -> Self {
        Inference {
            quantity,
            note: format!("{INFERRED_NOTE}{quantity}: {why}; force with --quantity"),
        }
    }

    fn unknown(why: String) -> Self {
        Inference {
            quantity: Quantity::Unknown,
            note: format!(
                "{UNSTATED_NOTE} (no column label, header key or known extension) and not inferred: {why}; set it with --quantity"
            ),
        }
    }
}

/// Infers the quantity of (x, y); `label` is what the x column label said, if anything.
pub(super) fn infer(x: &[f64], y: &[f64], label: Option<XLabel>) -> Inference {
    let n = x.len().min(y.len());
    if n < MIN_POINTS {
        return Inference::unknown(format!("only {n} points (at least {MIN_POINTS} needed)"));
    }
    let (x, y) = (&x[..n], &y[..n]);
    match label {
        Some(XLabel::RAngstrom | XLabel::RNm) => {
            let scale = if label == Some(XLabel::RNm) {
                10.0
            } else {
                1.0
            };
            let r: Vec<f64> = x.iter().map(|v| v * scale).collect();
            real_space(&r, y).unwrap_or_else(|| {
                Inference::unknown(
                    "x is r but the values look neither like G(r) (a line of slope −4πρ0 through 0 below 1.6 Å, then oscillations about 0) nor like g(r) (≈ 0 at small r, → 1)".into(),
                )
            })
        }
        Some(XLabel::QInvNm) => {
            let q: Vec<f64> = x.iter().map(|v| v * 0.1).collect();
            reciprocal(&q, y)
        }
        Some(_) => reciprocal(x, y),
        None => {
            let maybe_r = x[0] <= 0.02 && (8.0..=200.0).contains(&x[n - 1]);
            match maybe_r.then(|| real_space(x, y)).flatten() {
                Some(mut found) => {
                    found.note = found.note.replace(
                        ": ",
                        " (x taken as r in Å: it starts at 0; a Q axis from 0 could look alike): ",
                    );
                    found
                }
                None => reciprocal(x, y),
            }
        }
    }
}

/// Whether a column labelled F(Q) holds S(Q) − 1: the reason when it does. Only values that
/// tend to 0 at high Q and go negative (as both do) are looked at; anything else keeps its label.
pub(super) fn f_is_s_minus_one(x: &[f64], y: &[f64]) -> Option<String> {
    let n = x.len().min(y.len());
    if n < MIN_POINTS {
        return None;
    }
    let (x, y) = (&x[..n], &y[..n]);
    if tail_mean(x, y, 0.2).abs() > 0.1 || min_max(y).0 >= 0.0 {
        return None;
    }
    match s_minus_one_or_f(x, y) {
        Ok((Quantity::Interference, why)) => Some(why),
        _ => None,
    }
}

fn real_space(r: &[f64], y: &[f64]) -> Option<Inference> {
    if let Some(rho) = g_reduced_like(r, y) {
        return Some(Inference::found(
            Quantity::ReducedPdf,
            format!(
                "a line through 0 of slope −4πρ0 below 1.6 Å (ρ0 ≈ {rho:.3} Å⁻³), then oscillations about 0"
            ),
        ));
    }
    g_pair_like(r, y).then(|| {
        Inference::found(
            Quantity::PairDistribution,
            "≈ 0 at small r and tends to 1 at large r".into(),
        )
    })
}

/// ρ0 when the values look like G(r).
fn g_reduced_like(r: &[f64], y: &[f64]) -> Option<f64> {
    let low: Vec<(f64, f64)> = r
        .iter()
        .zip(y)
        .filter(|(x, _)| (0.2..=1.6).contains(*x))
        .map(|(&x, &v)| (x, v))
        .collect();
    if low.len() < 5 {
        return None;
    }
    let sxx: f64 = low.iter().map(|(x, _)| x * x).sum();
    let slope = low.iter().map(|(x, v)| x * v).sum::<f64>() / sxx;
    let rho = -slope / (4.0 * std::f64::consts::PI);
    let ss_res: f64 = low.iter().map(|(x, v)| (v - slope * x).powi(2)).sum();
    let ss_tot: f64 = low.iter().map(|(_, v)| v * v).sum();
    let straight = ss_tot > 0.0 && ss_res <= 0.25 * ss_tot;
    let peak = y.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let tail = tail_mean(r, y, 0.25);
    let crossings = r
        .iter()
        .zip(y)
        .filter(|(x, _)| **x > 2.0)
        .map(|(_, v)| *v)
        .collect::<Vec<f64>>()
        .windows(2)
        .filter(|w| w[0].signum() != w[1].signum())
        .count();
    ((0.02..=0.13).contains(&rho) && straight && tail.abs() <= 0.1 * peak && crossings >= 4)
        .then_some(rho)
}

fn g_pair_like(r: &[f64], y: &[f64]) -> bool {
    let low: Vec<f64> = r
        .iter()
        .zip(y)
        .filter(|(x, _)| **x < 1.0)
        .map(|(_, v)| v.abs())
        .collect();
    if low.len() < 3 {
        return false;
    }
    let low_mean = low.iter().sum::<f64>() / low.len() as f64;
    let (min, max) = min_max(y);
    low_mean < 0.15 && (tail_mean(r, y, 0.25) - 1.0).abs() <= 0.15 && max > 1.3 && min >= -0.3
}

fn reciprocal(q: &[f64], y: &[f64]) -> Inference {
    let tail = tail_mean(q, y, 0.2);
    let (min, _) = min_max(y);
    let above = q[0] + 0.8 * (q[q.len() - 1] - q[0]);
    if (tail - 1.0).abs() <= 0.1 && min >= -0.15 {
        return Inference::found(
            Quantity::StructureFactor,
            format!("values tend to 1 at high Q (mean {tail:.3} above Q = {above:.3})"),
        );
    }
    if tail.abs() <= 0.1 && min < 0.0 {
        return match s_minus_one_or_f(q, y) {
            Ok((quantity, why)) => Inference::found(quantity, why),
            Err(why) => Inference::unknown(format!(
                "values tend to 0 at high Q (mean {tail:.3} above Q = {above:.3}), so S(Q)-1 or F(Q), but {why}"
            )),
        };
    }
    if min > 0.0 && tail >= 2.0 && interior_maximum(y) {
        return Inference::found(
            Quantity::Intensity,
            format!(
                "every value positive, at a level of {tail:.4} above Q = {above:.3} with no plateau at 1, and a maximum inside the range"
            ),
        );
    }
    Inference::unknown(format!(
        "values settle at {tail:.4} above Q = {above:.3} (S(Q) tends to 1, S(Q)-1 and F(Q) to 0) and range {min:.4} to {:.4}",
        min_max(y).1
    ))
}

/// S(Q) − 1 or F(Q) for values that tend to 0: the quantity and why, or why not decided.
fn s_minus_one_or_f(q: &[f64], y: &[f64]) -> Result<(Quantity, String), String> {
    let (min, _) = min_max(y);
    if min < -1.1 {
        return Ok((
            Quantity::ReducedStructureFunction,
            format!(
                "values tend to 0 at high Q and go down to {min:.3}, below −1, which S(Q)-1 cannot (S ≥ 0)"
            ),
        ));
    }
    let low = low_q_vote(q, y);
    let envelope = envelope_vote(q, y);
    let verdict = match (&low, &envelope) {
        (Some((a, _)), Some((b, _))) if a != b => None,
        (Some(v), _) | (None, Some(v)) => Some(v.clone()),
        (None, None) => None,
    };
    let reasons: Vec<String> = [low.map(|v| v.1), envelope.map(|v| v.1)]
        .into_iter()
        .flatten()
        .collect();
    match verdict {
        Some((quantity, _)) => Ok((
            quantity,
            format!(
                "values tend to 0 at high Q and never go below −1; {}",
                reasons.join("; ")
            ),
        )),
        None if reasons.is_empty() => Err(
            "the range is too short to tell them apart (no low-Q run spanning a factor 2, no clear envelope)".into(),
        ),
        None => Err(format!("the tests disagree or are weak: {}", reasons.join("; "))),
    }
}

/// Low Q: S(Q) − 1 is flat, F(Q) = Q[S − 1] grows with Q.
fn low_q_vote(q: &[f64], y: &[f64]) -> Option<(Quantity, String)> {
    let q_peak = argmax_x(q, y);
    let pts: Vec<(f64, f64)> = q
        .iter()
        .zip(y)
        .filter(|(x, _)| **x > 0.0 && **x <= 0.5 * q_peak)
        .map(|(&x, &v)| (x, v))
        .collect();
    let (first, last) = (pts.first()?.0, pts.last()?.0);
    if pts.len() < 5 || last < 2.0 * first {
        return None;
    }
    let spread = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        if m == 0.0 {
            f64::INFINITY
        } else {
            sd / m.abs()
        }
    };
    let plain: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let over_q: Vec<f64> = pts.iter().map(|p| p.1 / p.0).collect();
    let (cv_y, cv_yq) = (spread(&plain), spread(&over_q));
    let range = format!("Q {first:.2}–{last:.2}");
    if cv_y * 2.0 < cv_yq {
        Some((
            Quantity::Interference,
            format!(
                "flat at low Q ({range}: y varies {cv_y:.2}, y/Q {cv_yq:.2} relative), as S(Q)-1"
            ),
        ))
    } else if cv_yq * 2.0 < cv_y {
        Some((
            Quantity::ReducedStructureFunction,
            format!(
                "proportional to Q at low Q ({range}: y/Q varies {cv_yq:.2}, y {cv_y:.2} relative), as F(Q)"
            ),
        ))
    } else {
        None
    }
}

/// The oscillation envelope: S(Q) − 1 shrinks faster than 1/Q, F(Q) keeps its size.
fn envelope_vote(q: &[f64], y: &[f64]) -> Option<(Quantity, String)> {
    let q_peak = argmax_x(q, y);
    let (q0, q1) = (q[0], q[q.len() - 1]);
    let high = (q0 + 0.8 * (q1 - q0), q1);
    let low = (q_peak + 0.5, (q_peak + 4.5).min(high.0));
    let a_low = window_rms(q, y, low)?;
    let a_high = window_rms(q, y, high)?;
    let k = (high.0 + high.1) / (low.0 + low.1);
    if k < 1.5 || a_low <= 0.0 || a_high <= 0.0 {
        return None;
    }
    let s = (a_high / a_low).ln() / k.ln();
    let said = format!("the oscillations scale as Q^{s:.2} from the first peak to high Q");
    if s < -2.5 {
        Some((
            Quantity::Interference,
            format!("{said}, shrinking much faster than 1/Q, as S(Q)-1"),
        ))
    } else if s > -0.5 {
        Some((
            Quantity::ReducedStructureFunction,
            format!("{said}, keeping their size, as F(Q)"),
        ))
    } else {
        None
    }
}

/// RMS about the mean of y over x in [lo, hi]; None with fewer than 5 points.
fn window_rms(x: &[f64], y: &[f64], (lo, hi): (f64, f64)) -> Option<f64> {
    let w: Vec<f64> = x
        .iter()
        .zip(y)
        .filter(|(v, _)| (lo..=hi).contains(*v))
        .map(|(_, v)| *v)
        .collect();
    if w.len() < 5 {
        return None;
    }
    let m = w.iter().sum::<f64>() / w.len() as f64;
    Some((w.iter().map(|v| (v - m).powi(2)).sum::<f64>() / w.len() as f64).sqrt())
}

/// Mean of y over the last `fraction` of the x range.
fn tail_mean(x: &[f64], y: &[f64], fraction: f64) -> f64 {
    let (x0, x1) = (x[0], x[x.len() - 1]);
    let from = x1 - fraction * (x1 - x0);
    let (sum, count) = x
        .iter()
        .zip(y)
        .filter(|(v, _)| **v >= from)
        .fold((0.0, 0usize), |(s, c), (_, v)| (s + v, c + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

fn min_max(y: &[f64]) -> (f64, f64) {
    y.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        })
}

fn argmax_x(x: &[f64], y: &[f64]) -> f64 {
    let mut best = (f64::NEG_INFINITY, x[0]);
    for (&xi, &yi) in x.iter().zip(y) {
        if yi > best.0 {
            best = (yi, xi);
        }
    }
    best.1
}

/// Whether the largest value sits inside the range, not in the first or last 5 % of points.
fn interior_maximum(y: &[f64]) -> bool {
    let i = y
        .iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |b, (i, &v)| if v > b.1 { (i, v) } else { b },
        )
        .0;
    let edge = y.len() / 20;
    i > edge && i + edge < y.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A liquid-like S(Q): small at low Q, a first peak at 2.7, damped oscillations.
    fn s_of_q(q: f64) -> f64 {
        s_damped(q, 0.12)
    }

    /// The same with the oscillations damped as exp(−a Q) / Q.
    fn s_damped(q: f64, a: f64) -> f64 {
        let first = 2.0 * (-((q - 2.7) / 0.3f64).powi(2)).exp();
        let rise = 1.0 / (1.0 + (-(q - 2.2) * 4.0).exp());
        0.05 + 0.95 * rise + first + 0.8 * (2.5 * q).sin() * (-a * q).exp() / q * rise
    }

    fn grid(from: f64, to: f64, step: f64) -> Vec<f64> {
        let n = ((to - from) / step).round() as usize;
        (0..=n).map(|i| from + step * i as f64).collect()
    }

    #[test]
    fn reciprocal_quantities_from_their_values() {
        let q = grid(0.5, 25.0, 0.02);
        let s: Vec<f64> = q.iter().map(|&v| s_of_q(v)).collect();
        let s1: Vec<f64> = s.iter().map(|v| v - 1.0).collect();
        let f: Vec<f64> = q.iter().zip(&s1).map(|(a, b)| a * b).collect();
        let i: Vec<f64> = q
            .iter()
            .zip(&s)
            .map(|(a, b)| 500.0 * b * (-a * a / 400.0).exp() + 200.0)
            .collect();
        let inf = |y: &[f64]| infer(&q, y, None);
        let got = inf(&s);
        assert_eq!(got.quantity, Quantity::StructureFactor, "{}", got.note);
        assert!(
            got.note
                .starts_with("quantity inferred as S(Q): values tend to 1 at high Q")
        );
        assert!(got.note.ends_with("force with --quantity"));
        let got = inf(&s1);
        assert_eq!(got.quantity, Quantity::Interference, "{}", got.note);
        let got = inf(&f);
        assert_eq!(
            got.quantity,
            Quantity::ReducedStructureFunction,
            "{}",
            got.note
        );
        let got = inf(&i);
        assert_eq!(got.quantity, Quantity::Intensity, "{}", got.note);
    }

    #[test]
    fn s_minus_one_and_f_told_apart_without_the_minimum() {
        // F(Q) on a range where it never goes below −1: the low-Q shape decides.
        let q = grid(0.3, 12.0, 0.01);
        let f: Vec<f64> = q.iter().map(|&v| 0.6 * v * (s_of_q(v) - 1.0)).collect();
        assert!(f.iter().all(|v| *v > -1.1));
        let got = infer(&q, &f, Some(XLabel::QNoUnit));
        assert_eq!(
            got.quantity,
            Quantity::ReducedStructureFunction,
            "{}",
            got.note
        );
        assert!(
            got.note.contains("proportional to Q at low Q"),
            "{}",
            got.note
        );
    }

    #[test]
    fn real_space_from_labels_or_a_grid_from_zero() {
        let r = grid(0.0, 20.0, 0.01);
        let rho = 0.06;
        let g: Vec<f64> = r
            .iter()
            .map(|&x| {
                if x < 2.2 {
                    0.0
                } else {
                    1.0 + 1.5 * ((x - 2.2) * 2.6).sin() * (-(x - 2.2) / 3.0).exp()
                }
            })
            .collect();
        let big_g: Vec<f64> = r
            .iter()
            .zip(&g)
            .map(|(x, v)| 4.0 * std::f64::consts::PI * rho * x * (v - 1.0))
            .collect();
        let got = infer(&r, &big_g, None);
        assert_eq!(got.quantity, Quantity::ReducedPdf, "{}", got.note);
        assert!(got.note.contains("ρ0 ≈ 0.060"), "{}", got.note);
        assert!(got.note.contains("x taken as r"), "{}", got.note);
        let got = infer(&r, &g, Some(XLabel::RAngstrom));
        assert_eq!(got.quantity, Quantity::PairDistribution, "{}", got.note);
        let flat = vec![5.0; r.len()];
        let got = infer(&r, &flat, Some(XLabel::RAngstrom));
        assert_eq!(got.quantity, Quantity::Unknown);
        assert!(got.note.contains("x is r but"), "{}", got.note);
    }

    #[test]
    fn ambiguous_or_short_data_stay_unknown_with_the_reason() {
        let q = grid(1.0, 10.0, 0.05);
        let half: Vec<f64> = q.iter().map(|_| 0.5).collect();
        let got = infer(&q, &half, None);
        assert_eq!(got.quantity, Quantity::Unknown);
        assert!(got.note.contains("values settle at 0.5"), "{}", got.note);
        let short = grid(1.0, 2.0, 0.1);
        let got = infer(&short, &vec![1.0; short.len()], None);
        assert!(got.note.contains("only 11 points"), "{}", got.note);
    }

    #[test]
    fn f_labelled_values_that_are_s_minus_one() {
        // fullrmc-like: starts at Q = 1.2 (no low-Q run), decays much faster than 1/Q.
        let q = grid(1.2, 22.0, 0.01);
        let s1: Vec<f64> = q.iter().map(|&v| s_damped(v, 0.2) - 1.0).collect();
        let why = f_is_s_minus_one(&q, &s1);
        assert!(
            why.as_deref()
                .is_some_and(|w| w.contains("faster than 1/Q")),
            "{why:?}"
        );
        let f: Vec<f64> = q.iter().zip(&s1).map(|(a, b)| a * b).collect();
        assert_eq!(f_is_s_minus_one(&q, &f), None);
    }
}
