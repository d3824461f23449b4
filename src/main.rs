//! The `glassray` binary: the explorer window, or a command (`inspect`, `analyze`, `demo`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        Some(command) => cli::run(command),
        None => {
            // A word that is neither a command nor an existing path is a typo, not a file to open.
            if let Some(missing) = cli.paths.iter().find(|p| !p.exists()) {
                cli::warn(format!(
                    "error: `{}` is not a command (inspect, analyze, demo) nor an existing file or folder; see `glassray --help`",
                    missing.display()
                ));
                return ExitCode::from(2);
            }
            if cli.watch {
                return match cli.paths.as_slice() {
                    [dir] if dir.is_dir() => watch_in_explorer(dir.clone()),
                    _ => {
                        cli::warn(
                            "error: --watch follows one folder: give exactly one existing folder",
                        );
                        ExitCode::from(2)
                    }
                };
            }
            open_explorer(cli.paths)
        }
    }
}

#[cfg(feature = "gui")]
fn open_explorer(paths: Vec<std::path::PathBuf>) -> ExitCode {
    match glassray::ui::run(paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            cli::warn(format!("error: {message}"));
            ExitCode::from(1)
        }
    }
}

#[cfg(feature = "gui")]
fn watch_in_explorer(dir: std::path::PathBuf) -> ExitCode {
    match glassray::ui::run_watching(dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            cli::warn(format!("error: {message}"));
            ExitCode::from(1)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn watch_in_explorer(dir: std::path::PathBuf) -> ExitCode {
    cli::warn(format!(
        "error: this glassray was built without the `gui` feature; follow {} with `glassray watch`",
        dir.display()
    ));
    ExitCode::from(2)
}

#[cfg(not(feature = "gui"))]
fn open_explorer(_paths: Vec<std::path::PathBuf>) -> ExitCode {
    cli::warn(
        "error: this glassray was built without the `gui` feature; use a command (see `glassray --help`)",
    );
    ExitCode::from(2)
}
