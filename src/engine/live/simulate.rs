//! A simulated experiment for `glassray demo --live`: pattern files written into a folder at a
//! given rate, each as detector software writes it (its header first, flushed, the rows a
//! moment later), and a temperature log growing by one line once each pattern is complete.
//! The caller prepares the texts; this is only the paced, blocking writing.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// One file of the experiment.
#[derive(Debug, Clone)]
pub struct PacedFile {
    pub name: String,
    /// The whole file.
    pub text: String,
    /// Where its header ends (written first).
    pub header_len: usize,
    /// Its line of the temperature log (without the line end).
    pub log_line: String,
}

/// Why the experiment stopped: the file and the reason.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct PacedError {
    pub path: std::path::PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `files` into `dir` at `per_second` files a second, and the log `log_name` (its
/// `log_header` line first, then one line per file once it is complete). `on_file(n)` is
/// called after the n-th file (from 1).
pub fn write_paced(
    dir: &Path,
    (log_name, log_header): (&str, &str),
    files: &[PacedFile],
    per_second: f64,
    on_file: &dyn Fn(usize),
) -> Result<(), PacedError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PacedError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(err(dir))?;
    let log_path = dir.join(log_name);
    let mut log = std::fs::File::create(&log_path).map_err(err(&log_path))?;
    writeln!(log, "{log_header}")
        .and_then(|()| log.flush())
        .map_err(err(&log_path))?;
    let period = Duration::from_secs_f64(1.0 / per_second.clamp(1e-3, 1e3));
    // The rows land a moment after the header, as a detector program writes them.
    let rows_after = (period / 3).min(Duration::from_millis(200));
    let start = Instant::now();
    for (n, f) in files.iter().enumerate() {
        let path = dir.join(&f.name);
        let split = f.header_len.min(f.text.len());
        let mut file = std::fs::File::create(&path).map_err(err(&path))?;
        file.write_all(&f.text.as_bytes()[..split])
            .and_then(|()| file.flush())
            .map_err(err(&path))?;
        std::thread::sleep(rows_after);
        file.write_all(&f.text.as_bytes()[split..])
            .and_then(|()| file.flush())
            .map_err(err(&path))?;
        drop(file);
        writeln!(log, "{}", f.log_line)
            .and_then(|()| log.flush())
            .map_err(err(&log_path))?;
        on_file(n + 1);
        let next = start + period.mul_f64((n + 1) as f64);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    Ok(())
}
