//! Sessions: what was opened, every analysis parameter and seed, and the T_r/T_g/T_x marks,
//! saved as RON. Saving writes a temporary file beside the target and renames it over the
//! target, so a crash never leaves a half-written session.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::analysis::transitions::Marks;

use crate::analysis::params::AnalysisParams;

/// The session format's version (stored, so later versions can read older files).
pub const SESSION_VERSION: u32 = 1;

/// Everything needed to reopen an exploration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub version: u32,
    /// Files and folders loaded; empty means the embedded demo.
    pub sources: Vec<PathBuf>,
    /// Temperature log attached to the load, if any.
    pub temperature_log: Option<PathBuf>,
    /// Parameters shared by every sample (seeds, windows, transform...).
    pub params: AnalysisParams,
    /// Per-sample marks, by sample name.
    pub marks: BTreeMap<String, Marks>,
    /// Samples hidden in the versus-T overlays, by name.
    pub hidden: Vec<String>,
    /// Name of the sample the slider steps through.
    pub active: Option<String>,
    /// Slider position (pattern index in the active sample).
    pub cursor: usize,
    /// The real-space panel shows g(r) rather than G(r).
    pub show_pair_g: bool,
    /// The one folder in `sources` was being watched (File ▸ Watch folder…): reopening the
    /// session follows it again. Absent in older sessions (false).
    #[serde(default)]
    pub watching: bool,
    /// What opening the file found unusable and replaced by defaults (not saved).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            version: SESSION_VERSION,
            sources: Vec::new(),
            temperature_log: None,
            params: AnalysisParams::default(),
            marks: BTreeMap::new(),
            hidden: Vec::new(),
            active: None,
            cursor: 0,
            show_pair_g: false,
            watching: false,
            warnings: Vec::new(),
        }
    }
}

/// Why a session could not be saved or opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot read session {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write session {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a Glassray session: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error(
        "{path} was written by a newer Glassray (session version {version}, this one reads up to {SESSION_VERSION})"
    )]
    Newer { path: PathBuf, version: u32 },
    #[error("cannot encode the session: {0}")]
    Encode(String),
}

impl Session {
    /// The session as pretty RON text.
    pub fn to_ron(&self) -> Result<String, SessionError> {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| SessionError::Encode(e.to_string()))
    }

    /// Parses RON text; `path` names the file in errors. A file from a newer Glassray is
    /// recognised by its version before anything else is read. Values that cannot be used
    /// (reversed or NaN windows, bounds, tolerances, grids; marks outside 1–5000 K) are
    /// replaced by defaults and listed in [`Session::warnings`].
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, SessionError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            #[serde(default)]
            version: u32,
        }
        if let Ok(v) = ron::from_str::<VersionOnly>(text)
            && v.version > SESSION_VERSION
        {
            return Err(SessionError::Newer {
                path: path.to_path_buf(),
                version: v.version,
            });
        }
        let mut session: Session = ron::from_str(text).map_err(|e| SessionError::Parse {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if session.version > SESSION_VERSION {
            return Err(SessionError::Newer {
                path: path.to_path_buf(),
                version: session.version,
            });
        }
        session.check();
        Ok(session)
    }

    /// Replaces unusable values by defaults, recording each in `warnings`.
    fn check(&mut self) {
        let (params, mut warnings) = std::mem::take(&mut self.params).checked();
        self.params = params;
        let ok = |v: Option<f64>| v.is_none_or(|k| k.is_finite() && (1.0..=5000.0).contains(&k));
        for (sample, marks) in &mut self.marks {
            let slots = marks
                .overrides
                .iter_mut()
                .chain([&mut marks.dsc_t_g, &mut marks.dsc_t_x]);
            for slot in slots {
                if !ok(*slot) {
                    warnings.push(format!(
                        "mark {slot:?} K of {sample} is not a temperature (1–5000 K): dropped"
                    ));
                    *slot = None;
                }
            }
        }
        self.warnings = warnings;
    }

    /// Saves atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), SessionError> {
        let text = self.to_ron()?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| SessionError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        crate::engine::write::write_atomic(path, text.as_bytes()).map_err(|source| {
            SessionError::Write {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Reads a session file.
    pub fn load(path: &Path) -> Result<Self, SessionError> {
        let text = std::fs::read_to_string(path).map_err(|source| SessionError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_ron(&text, path)
    }

    /// Where the last session is kept between runs: `last-session.ron` in the platform's
    /// configuration folder for Glassray (`$XDG_CONFIG_HOME/glassray` or `~/.config/glassray`
    /// on Linux, `~/Library/Application Support/glassray` on macOS, `%APPDATA%\glassray\config`
    /// on Windows); None when the platform names no home folder.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "glassray")
            .map(|d| d.config_dir().join("last-session.ron"))
    }

    /// Where earlier versions kept the last session on every system:
    /// `$XDG_CONFIG_HOME/glassray/last-session.ron`, else `~/.config/glassray/…`.
    pub fn legacy_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("glassray").join("last-session.ron"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_written_before_watching_existed_opens_unwatched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.ron");
        let s = Session {
            sources: vec![PathBuf::from("/beam")],
            watching: true,
            ..Default::default()
        };
        s.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        let older: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("watching:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(older, text, "the field is written");
        std::fs::write(&path, older).expect("write");
        let back = Session::load(&path).expect("an older session loads");
        assert!(!back.watching);
        assert_eq!(back.sources, s.sources);
    }

    #[test]
    fn a_session_round_trips_through_ron_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested/s.ron");
        let mut s = Session {
            sources: vec![PathBuf::from("/data/run 42"), PathBuf::from("b.xy")],
            temperature_log: Some(PathBuf::from("/data/temperatures.csv")),
            active: Some("HPT".into()),
            cursor: 17,
            show_pair_g: true,
            hidden: vec!["CR".into()],
            watching: true,
            ..Default::default()
        };
        s.params.fit.seeds[1] = 5.2;
        s.params.fit.tolerance = 0.07;
        s.params.transform.fsdp_window = (2.3, 2.9);
        s.marks.insert(
            "HPT".into(),
            Marks {
                overrides: [Some(512.5), None, None],
                dsc_t_g: Some(668.0),
                ..Default::default()
            },
        );
        s.save(&path).expect("save");
        let back = Session::load(&path).expect("load");
        assert_eq!(back, s);
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn bad_sessions_say_why() {
        let p = Path::new("x.ron");
        let err = Session::from_ron("(version: 1, cursor: \"many\")", p).expect_err("bad");
        assert!(
            err.to_string()
                .starts_with("x.ron is not a Glassray session")
        );
        let err = Session::from_ron("(version: 99)", p).expect_err("newer");
        assert!(err.to_string().contains("newer Glassray"), "{err}");
        // Even when the rest is a layout this version does not know.
        let err = Session::from_ron("(version: 2, params: [1, 2], future: Some(3))", p)
            .expect_err("newer");
        assert!(
            matches!(err, SessionError::Newer { version: 2, .. }),
            "{err}"
        );
        // Missing fields take their defaults (older or hand-written sessions).
        let s = Session::from_ron("(cursor: 3)", p).expect("partial");
        assert_eq!(s.cursor, 3);
        assert_eq!(s.params, AnalysisParams::default());
        assert!(matches!(
            Session::load(Path::new("/nonexistent/s.ron")),
            Err(SessionError::Read { .. })
        ));
    }

    #[test]
    fn marks_override_the_detected_transitions() {
        let m = Marks {
            overrides: [None, Some(671.0), None],
            ..Default::default()
        };
        let p = AnalysisParams::default().wire(&m);
        assert_eq!(p.t_g_override, Some(671.0));
        assert_eq!(p.t_r_override, None);
    }

    #[test]
    fn unusable_values_in_a_session_are_replaced_and_said() {
        let text = "(version: 1, params: (fsdp_window: (3.0, 2.2), dr: 0.0, \
                    fit: (window: (6.6, 3.9), tolerance: -1.0, width_bounds: (0.6, 0.05))), \
                    marks: {\"AC\": (t_r: Some(-5.0), t_g: Some(680.0))})";
        let s = Session::from_ron(text, Path::new("bad.ron")).expect("opens");
        let d = AnalysisParams::default();
        assert_eq!(s.params.transform.fsdp_window, d.transform.fsdp_window);
        assert_eq!(s.params.transform.dr, d.transform.dr);
        assert_eq!(s.params.fit, d.fit);
        let m = s.marks.get("AC").expect("marks");
        assert_eq!(m.overrides, [None, Some(680.0), None]);
        assert_eq!(s.warnings.len(), 6, "{:#?}", s.warnings);
        // The checked session is what a fit and a plan are given: nothing panics.
        let r: Vec<f64> = (0..300).map(|i| 3.8 + 0.01 * i as f64).collect();
        let g: Vec<f64> = r
            .iter()
            .map(|x| 1.0 + (-(x - 5.0f64).powi(2)).exp())
            .collect();
        let _ = crate::analysis::fit::fit_connection_modes(&r, &g, &s.params.fit, None, None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Whatever the text, opening a session gives a session or an error, never a panic.
        #[test]
        fn any_text_opens_or_is_refused(text in ".{0,400}") {
            let _ = Session::from_ron(&text, Path::new("fuzz.ron"));
        }

        /// Whatever numbers a session holds, what is checked can be fitted and planned.
        #[test]
        fn any_numbers_are_made_usable(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::f64::ANY,
                    -10.0..30.0f64,
                    proptest::strategy::Just(f64::NAN),
                ],
                14,
            ),
            iterations in 0usize..400,
        ) {
            let v = |i: usize| values[i];
            let text = format!(
                "(version: 1, params: (q_min: Some({:e}), q_max: Some({:e}), rho0: Some({:e}), \
                 r_min: {:e}, r_max: {:e}, dr: {:e}, fsdp_window: ({:e}, {:e}), \
                 fit: (window: ({:e}, {:e}), tolerance: {:e}, width_bounds: ({:e}, {:e}), \
                 max_iterations: {iterations}, convergence: {:e})))",
                v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7), v(8), v(9), v(10), v(11),
                v(12), v(13)
            );
            // RON spells NaN and infinity its own way; a text it refuses is fine too.
            if let Ok(s) = Session::from_ron(&text, Path::new("f.ron")) {
                let t = &s.params.transform;
                let r = crate::analysis::transform::r_grid(t.r_min, t.r_max, t.dr)
                    .expect("a checked grid is usable");
                proptest::prop_assert!(r.len() <= crate::analysis::params::MAX_R_POINTS + 1);
                let q: Vec<f64> = (0..200).map(|i| 0.5 + 0.05 * i as f64).collect();
                let _ = crate::analysis::transform::TransformPlan::new(
                    &q, t.q_min, t.q_max, t.modification, t.low_q, r, t.path,
                );
                let rr: Vec<f64> = (0..300).map(|i| 3.8 + 0.01 * i as f64).collect();
                let g: Vec<f64> = rr.iter().map(|x| 1.0 + (-(x - 5.0f64).powi(2)).exp()).collect();
                let _ = crate::analysis::fit::fit_connection_modes(&rr, &g, &s.params.fit, None, None);
            }
        }
    }

    #[test]
    fn the_last_session_lives_in_the_configuration_folder() {
        let path = Session::default_path().expect("a home folder");
        assert!(path.ends_with("last-session.ron"), "{}", path.display());
        assert!(
            path.components().any(|c| c.as_os_str() == "glassray"),
            "{}",
            path.display()
        );
    }

    #[test]
    fn a_version_1_session_file_still_opens() {
        // Written by Glassray before the parameters were grouped by stage.
        let text = "(version: 1, params: (q_max: Some(18.5), fsdp_window: (2.3, 2.9), \
                    fit: (seeds: (5.9, 5.2, 4.8, 4.2), tolerance: 0.05), sequential: true, \
                    smoothing: Some(2.0), t_r_override: None), \
                    marks: {\"HPT\": (t_r: Some(512.5), dsc_t_x: Some(720.0))})";
        let s = Session::from_ron(text, Path::new("old.ron")).expect("opens");
        assert_eq!(s.params.transform.q_max, Some(18.5));
        assert_eq!(s.params.transform.fsdp_window, (2.3, 2.9));
        assert_eq!(s.params.fit.seeds[1], 5.2);
        assert_eq!(s.params.fit.tolerance, 0.05);
        assert!(s.params.fit.sequential);
        assert_eq!(s.params.smoothing.lambda, Some(2.0));
        let m = s.marks.get("HPT").expect("marks");
        assert_eq!(m.overrides, [Some(512.5), None, None]);
        assert_eq!(m.dsc_t_x, Some(720.0));
        // And it is written back in the same layout.
        assert!(s.to_ron().expect("ron").contains("t_r: Some(512.5)"));
    }
}
