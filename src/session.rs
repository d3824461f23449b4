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
    #[error("cannot encode the session: {0}")]
    Encode(String),
}

impl Session {
    /// The session as pretty RON text.
    pub fn to_ron(&self) -> Result<String, SessionError> {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| SessionError::Encode(e.to_string()))
    }

    /// Parses RON text; `path` names the file in errors.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, SessionError> {
        let session: Session = ron::from_str(text).map_err(|e| SessionError::Parse {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if session.version > SESSION_VERSION {
            return Err(SessionError::Parse {
                path: path.to_path_buf(),
                reason: format!(
                    "written by a newer Glassray (session version {}, this one reads up to {})",
                    session.version, SESSION_VERSION
                ),
            });
        }
        Ok(session)
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
