use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = glassray::cli::Cli::parse();
    match cli.command {
        Some(command) => glassray::cli::run(command),
        None => {
            eprintln!("the explorer window is not built yet; see `glassray --help`");
            ExitCode::from(2)
        }
    }
}
