//! Every parameter of the analysis, grouped by the stage that uses it, so each cache key is a
//! whole struct: [`TransformParams`] (per pattern, up to G(r), g(r), the FSDP and the lobes),
//! [`FitParams`] (the connection-mode fit), and [`SmoothingParams`] (the versus-T splines).
//! A sample's transition overrides are its [`Marks`], kept apart.
//!
//! Files keep one flat layout ([`ParamsWire`], unchanged since the first session version), so
//! sessions written before the split still open and `summary.json` reads the same.

use serde::{Deserialize, Serialize};

use super::fit::FitParams;
use super::transform::{LowQ, Modification, TransformPath};
use super::transitions::{Marks, Transition};

/// Default number density of BAM-11 (Å⁻³).
pub const DEFAULT_RHO0: f64 = 0.0545;

/// What stage 1 (S(Q) → ΔS, FSDP, G(r), g(r)) and the lobes depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformParams {
    /// Index of the ΔS reference pattern.
    pub reference: usize,
    pub q_min: Option<f64>,
    pub q_max: Option<f64>,
    pub modification: Modification,
    /// How S(Q) continues below Qmin down to Q = 0.
    pub low_q: LowQ,
    /// Number density (Å⁻³); None: from the header, else [`DEFAULT_RHO0`].
    pub rho0: Option<f64>,
    pub r_min: f64,
    pub r_max: f64,
    pub dr: f64,
    pub path: TransformPath,
    /// FSDP window (1/Å).
    pub fsdp_window: (f64, f64),
    /// Lobes of G(r) are counted from this r (Å).
    pub lobe_r_min: f64,
}

impl Default for TransformParams {
    fn default() -> Self {
        TransformParams {
            reference: 0,
            q_min: None,
            q_max: None,
            modification: Modification::None,
            low_q: LowQ::default(),
            rho0: None,
            r_min: 0.01,
            r_max: 20.0,
            dr: 0.01,
            path: TransformPath::Auto,
            fsdp_window: (2.2, 3.0),
            lobe_r_min: 1.5,
        }
    }
}

/// The versus-T smoothing splines.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SmoothingParams {
    /// Smoothing parameter λ; None: chosen by GCV per quantity.
    pub lambda: Option<f64>,
}

/// Every parameter of the analysis shared by the samples of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "ParamsWire", into = "ParamsWire")]
pub struct AnalysisParams {
    pub transform: TransformParams,
    pub fit: FitParams,
    pub smoothing: SmoothingParams,
}

impl AnalysisParams {
    /// The flat layout of files, with a sample's overrides (`summary.json` records them).
    pub fn wire(&self, marks: &Marks) -> ParamsWire {
        ParamsWire {
            t_r_override: marks.override_of(Transition::Relaxation),
            t_g_override: marks.override_of(Transition::Glass),
            t_x_override: marks.override_of(Transition::Crystallization),
            ..ParamsWire::from(self.clone())
        }
    }
}

pub use super::transform::MAX_R_POINTS;

/// The widest Gaussian a second-peak fit may be bounded to, Å.
const MAX_WIDTH: f64 = 5.0;

/// Collects what was wrong and replaces it by the default.
struct Checker {
    problems: Vec<String>,
}

impl Checker {
    fn check<T: Copy + std::fmt::Debug>(
        &mut self,
        name: &str,
        value: &mut T,
        default: T,
        ok: bool,
        rule: &str,
    ) {
        if !ok {
            self.problems.push(format!(
                "{name} {value:?} is not valid ({rule}): the default {default:?} is used"
            ));
            *value = default;
        }
    }
}

fn finite_window(w: (f64, f64)) -> bool {
    w.0.is_finite() && w.1.is_finite() && w.0 >= 0.0 && w.0 < w.1
}

impl AnalysisParams {
    /// These parameters with every value that cannot be used (NaN, infinite, negative where a
    /// size is meant, a reversed window or bound, an r grid beyond [`MAX_R_POINTS`]) replaced by
    /// its default, and a sentence for each replacement. What the analysis is then given never
    /// makes it panic or allocate without bound.
    pub fn checked(mut self) -> (AnalysisParams, Vec<String>) {
        let d = AnalysisParams::default();
        let mut c = Checker {
            problems: Vec::new(),
        };
        let t = &mut self.transform;
        let q_ok = |q: Option<f64>| q.is_none_or(|q| q.is_finite() && q >= 0.0);
        let (qa_ok, qb_ok) = (q_ok(t.q_min), q_ok(t.q_max));
        c.check("Qmin", &mut t.q_min, None, qa_ok, "a Q ≥ 0 in 1/Å");
        c.check("Qmax", &mut t.q_max, None, qb_ok, "a Q ≥ 0 in 1/Å");
        if let (Some(a), Some(b)) = (t.q_min, t.q_max)
            && a >= b
        {
            c.check("Qmin", &mut t.q_min, None, false, "below Qmax");
        }
        let rho_ok = t.rho0.is_none_or(|r| (0.001..=1.0).contains(&r));
        c.check("rho0", &mut t.rho0, None, rho_ok, "0.001–1 atoms/Å³");
        let r_ok = t.r_min.is_finite()
            && t.r_max.is_finite()
            && t.dr.is_finite()
            && t.r_min >= 0.0
            && t.dr > 0.0
            && t.r_max > t.r_min
            && super::transform::r_grid(t.r_min, t.r_max, t.dr).is_ok();
        let mut grid = (t.r_min, t.r_max, t.dr);
        let default_grid = (d.transform.r_min, d.transform.r_max, d.transform.dr);
        let rule = format!("0 ≤ r min < r max, dr > 0, at most {MAX_R_POINTS} points");
        c.check(
            "r grid (min, max, step)",
            &mut grid,
            default_grid,
            r_ok,
            &rule,
        );
        (t.r_min, t.r_max, t.dr) = grid;
        let fsdp_ok = finite_window(t.fsdp_window);
        let w = d.transform.fsdp_window;
        c.check(
            "FSDP window",
            &mut t.fsdp_window,
            w,
            fsdp_ok,
            "0 ≤ from < to",
        );
        let lobe_ok = t.lobe_r_min.is_finite() && t.lobe_r_min >= 0.0;
        let l = d.transform.lobe_r_min;
        c.check("lobe start", &mut t.lobe_r_min, l, lobe_ok, "r ≥ 0");
        let f = &mut self.fit;
        let fit_ok = finite_window(f.window);
        c.check(
            "fit window",
            &mut f.window,
            d.fit.window,
            fit_ok,
            "0 ≤ from < to",
        );
        let (lo, hi) = f.window;
        let seeds_ok = f
            .seeds
            .iter()
            .all(|s| s.is_finite() && *s >= lo && *s <= hi);
        c.check(
            "seeds",
            &mut f.seeds,
            d.fit.seeds,
            seeds_ok,
            "distances in Å inside the fit window",
        );
        let tol_ok = f.tolerance.is_finite() && (0.0..1.0).contains(&f.tolerance);
        let tol = d.fit.tolerance;
        c.check(
            "seed tolerance",
            &mut f.tolerance,
            tol,
            tol_ok,
            "0 ≤ t < 1 Å",
        );
        let wb_ok = finite_window(f.width_bounds)
            && f.width_bounds.0 > 0.0
            && f.width_bounds.1 <= MAX_WIDTH;
        let wb = d.fit.width_bounds;
        c.check(
            "width bounds",
            &mut f.width_bounds,
            wb,
            wb_ok,
            "0 < from < to ≤ 5 Å",
        );
        let it_ok = (1..=100_000).contains(&f.max_iterations);
        let it = d.fit.max_iterations;
        c.check(
            "iteration limit",
            &mut f.max_iterations,
            it,
            it_ok,
            "1–100000",
        );
        let conv_ok = f.convergence.is_finite() && f.convergence > 0.0 && f.convergence < 1.0;
        let conv = d.fit.convergence;
        c.check(
            "convergence",
            &mut f.convergence,
            conv,
            conv_ok,
            "0 < c < 1",
        );
        let lambda = self.smoothing.lambda;
        let l_ok = lambda.is_none_or(|l| l.is_finite() && l > 0.0);
        c.check("smoothing", &mut self.smoothing.lambda, None, l_ok, "λ > 0");
        (self, c.problems)
    }
}

/// The parameters as files hold them: one flat record (sessions since version 1, the
/// `parameters` of `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParamsWire {
    pub reference: usize,
    pub q_min: Option<f64>,
    pub q_max: Option<f64>,
    pub modification: Modification,
    pub low_q: LowQ,
    pub rho0: Option<f64>,
    pub r_min: f64,
    pub r_max: f64,
    pub dr: f64,
    pub transform_path: TransformPath,
    pub fsdp_window: (f64, f64),
    pub lobe_r_min: f64,
    pub fit: FitParams,
    pub sequential: bool,
    pub t_r_override: Option<f64>,
    pub t_g_override: Option<f64>,
    pub t_x_override: Option<f64>,
    pub smoothing: Option<f64>,
}

impl Default for ParamsWire {
    fn default() -> Self {
        ParamsWire::from(AnalysisParams::default())
    }
}

impl From<AnalysisParams> for ParamsWire {
    fn from(p: AnalysisParams) -> Self {
        let t = p.transform;
        let sequential = p.fit.sequential;
        ParamsWire {
            reference: t.reference,
            q_min: t.q_min,
            q_max: t.q_max,
            modification: t.modification,
            low_q: t.low_q,
            rho0: t.rho0,
            r_min: t.r_min,
            r_max: t.r_max,
            dr: t.dr,
            transform_path: t.path,
            fsdp_window: t.fsdp_window,
            lobe_r_min: t.lobe_r_min,
            fit: p.fit,
            sequential,
            t_r_override: None,
            t_g_override: None,
            t_x_override: None,
            smoothing: p.smoothing.lambda,
        }
    }
}

/// Overrides in the flat layout are a sample's marks: they are read by
/// [`ParamsWire::marks`], not kept in the shared parameters.
impl From<ParamsWire> for AnalysisParams {
    fn from(w: ParamsWire) -> Self {
        AnalysisParams {
            transform: TransformParams {
                reference: w.reference,
                q_min: w.q_min,
                q_max: w.q_max,
                modification: w.modification,
                low_q: w.low_q,
                rho0: w.rho0,
                r_min: w.r_min,
                r_max: w.r_max,
                dr: w.dr,
                path: w.transform_path,
                fsdp_window: w.fsdp_window,
                lobe_r_min: w.lobe_r_min,
            },
            fit: FitParams {
                sequential: w.sequential,
                ..w.fit
            },
            smoothing: SmoothingParams {
                lambda: w.smoothing,
            },
        }
    }
}

impl ParamsWire {
    /// The overrides the flat layout carries.
    pub fn marks(&self) -> Marks {
        Marks::with_overrides([self.t_r_override, self.t_g_override, self.t_x_override])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_layout_round_trips_and_carries_overrides() {
        let mut p = AnalysisParams::default();
        p.transform.q_max = Some(20.0);
        p.transform.fsdp_window = (2.3, 2.9);
        p.fit.seeds[1] = 5.2;
        p.fit.sequential = true;
        p.smoothing.lambda = Some(3.0);
        let marks = Marks::with_overrides([Some(550.0), None, Some(720.0)]);
        let w = p.wire(&marks);
        assert_eq!(w.q_max, Some(20.0));
        assert_eq!(w.smoothing, Some(3.0));
        assert_eq!((w.t_r_override, w.t_x_override), (Some(550.0), Some(720.0)));
        assert_eq!(w.marks(), marks);
        assert_eq!(AnalysisParams::from(w), p);
        // Field names and order of files are those of session version 1.
        let json = serde_json::to_string(&p).expect("json");
        assert!(
            json.starts_with(r#"{"reference":0,"q_min":null,"q_max":20.0,"modification":"None""#),
            "{json}"
        );
        assert!(
            json.ends_with(r#""t_x_override":null,"smoothing":3.0}"#),
            "{json}"
        );
    }

    #[test]
    fn unusable_values_are_replaced_by_defaults_and_said() {
        let mut p = AnalysisParams::default();
        p.transform.fsdp_window = (3.0, 2.2);
        p.transform.dr = 1e-9;
        p.transform.q_min = Some(f64::NAN);
        p.fit.window = (f64::NAN, 6.6);
        p.fit.width_bounds = (0.6, 0.05);
        p.fit.tolerance = -0.1;
        p.fit.seeds[2] = f64::INFINITY;
        p.smoothing.lambda = Some(0.0);
        let (q, problems) = p.checked();
        let d = AnalysisParams::default();
        assert_eq!(q.transform.fsdp_window, d.transform.fsdp_window);
        assert_eq!(
            (q.transform.r_min, q.transform.r_max, q.transform.dr),
            (0.01, 20.0, 0.01)
        );
        assert_eq!(q.transform.q_min, None);
        assert_eq!(q.fit, d.fit);
        assert_eq!(q.smoothing.lambda, None);
        assert_eq!(problems.len(), 8, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|m| m.starts_with("FSDP window (3.0, 2.2) is not valid"))
        );
        // Widths wider than any second peak, and seeds outside the fit window.
        let mut p = AnalysisParams::default();
        p.fit.width_bounds = (0.05, 50.0);
        p.fit.seeds[0] = 9.0;
        let (q, problems) = p.checked();
        assert_eq!(q.fit, d.fit);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        let (same, none) = AnalysisParams::default().checked();
        assert_eq!(same, AnalysisParams::default());
        assert!(none.is_empty());
    }
}
