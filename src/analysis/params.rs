//! Every parameter of the analysis, grouped by the stage that uses it, so each cache key is a
//! whole struct: [`TransformParams`] (per pattern, up to G(r), g(r), the FSDP and the lobes),
//! [`FitParams`] (the connection-mode fit), and [`SmoothingParams`] (the versus-T splines).
//! A sample's transition overrides are its [`Marks`], kept apart.
//!
//! Files keep one flat layout ([`ParamsWire`], unchanged since the first session version), so
//! sessions written before the split still open and `summary.json` reads the same.

use serde::{Deserialize, Serialize};

use super::fit::FitParams;
use super::transform::{Modification, TransformPath};
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

/// The parameters as files hold them: one flat record (sessions since version 1, the
/// `parameters` of `summary.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParamsWire {
    pub reference: usize,
    pub q_min: Option<f64>,
    pub q_max: Option<f64>,
    pub modification: Modification,
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
}
