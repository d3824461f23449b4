//! The command line: raw arguments (clap) → validated options → run. Each command returns an
//! exit code: 0 when everything loaded, 1 when some files were skipped (each listed with its
//! reason), 2 on bad usage.

pub mod analyze;
mod demo;
mod inspect;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use glassray::io::{Format, LoadOptions, Ramp, ReadOptions, SourceKind, XUnitOverride};
use glassray::model::Quantity;

/// Explore in-situ X-ray total-scattering heating series of metallic glasses.
///
/// With no command, opens the explorer window on the embedded demo (or on PATHs given to it).
#[derive(Debug, Parser)]
#[command(name = "glassray", version, about, long_about = None, after_help = EXAMPLES)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Files or folders to open in the explorer (default: the embedded demo).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

const EXAMPLES: &str = "\
Examples:
  glassray                                   open the explorer on the embedded demo
  glassray data/run42/                       open the explorer on a series folder
  glassray inspect data/run42/               list every pattern of a folder with its temperature
  glassray inspect *.chi --temps log.csv     read temperatures from a log CSV
  glassray inspect scan_*.xy --ramp 300:20/min --csv > patterns.csv
  glassray analyze --out results             analyse the embedded demo (AC, CR, HPT)
  glassray analyze data/run42/ --lorch --out results
  glassray demo --out demo-data              write the synthetic AC, CR and HPT series as files";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the patterns a set of files or folders holds: format, quantity, temperature and its
    /// source, x range, points and problems, then a summary.
    Inspect(InspectArgs),
    /// Analyse series: ΔS, G(r)/g(r), FSDP, shell lobes, connection-mode fits and T_r/T_g/T_x;
    /// writes metrics.csv, summary.json and gr/ (per sample when there are several). With no
    /// PATH, analyses the embedded demo.
    Analyze(Box<AnalyzeArgs>),
    /// Write the embedded synthetic heating series (AC, CR, HPT) as pattern files plus a
    /// temperatures.csv log per sample.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Pattern files and/or folders (each folder is one series); none: the embedded demo.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
    /// Lowest Q used in the transform (1/Å; default: the first point).
    #[arg(long, value_name = "Q")]
    pub qmin: Option<f64>,
    /// Highest Q used in the transform (1/Å; default: the last point).
    #[arg(long, value_name = "Q")]
    pub qmax: Option<f64>,
    /// Damp termination ripples with the Lorch function.
    #[arg(long)]
    pub lorch: bool,
    /// Largest r of G(r) (Å; default 20).
    #[arg(long, value_name = "R")]
    pub rmax: Option<f64>,
    /// r step of G(r) (Å; default 0.01).
    #[arg(long, value_name = "DR")]
    pub dr: Option<f64>,
    /// Number density ρ0 (atoms/Å³; default: the header's, else 0.0545).
    #[arg(long, value_name = "RHO")]
    pub rho0: Option<f64>,
    /// FSDP window (1/Å; default 2.2:3.0).
    #[arg(long, value_name = "A:B")]
    pub fsdp: Option<String>,
    /// Window of the connection-mode fit of g(r) (Å; default 3.9:6.6).
    #[arg(long, value_name = "A:B")]
    pub fit_window: Option<String>,
    /// Average cluster radius R; seeds at 2R, √3R, √(8/3)R, √2R (Å; default 2.969).
    #[arg(long, value_name = "R")]
    pub cluster_radius: Option<f64>,
    /// How far each centre may move from its seed (Å; default 0.1).
    #[arg(long, value_name = "D")]
    pub seed_tolerance: Option<f64>,
    /// One width per Gaussian instead of one shared width.
    #[arg(long)]
    pub free_widths: bool,
    /// No constant baseline under the four Gaussians.
    #[arg(long)]
    pub no_baseline: bool,
    /// Start each temperature's fit from the previous result.
    #[arg(long)]
    pub sequential: bool,
    /// Use this T_r (K) instead of the detected one.
    #[arg(long, value_name = "K")]
    pub tr: Option<f64>,
    /// Use this T_g (K), e.g. from calorimetry.
    #[arg(long, value_name = "K")]
    pub tg: Option<f64>,
    /// Use this T_x (K), e.g. from calorimetry; T_r and T_g are fitted below it.
    #[arg(long, value_name = "K")]
    pub tx: Option<f64>,
    /// Smoothing parameter λ of the versus-T splines (default: chosen by generalized
    /// cross-validation for each quantity).
    #[arg(long, value_name = "LAMBDA")]
    pub smoothing: Option<f64>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Options shared by every command that reads patterns.
#[derive(Debug, Args, Clone, Default)]
pub struct LoadArgs {
    /// Temperature log CSV: columns `filename` or `index` (or `time_s`) and `T_K` (or `T_C`).
    #[arg(long, value_name = "LOG.csv")]
    pub temps: Option<PathBuf>,
    /// Linear ramp instead of (or where there is no) recorded temperature: T0:RATE/UNIT with UNIT
    /// s, min or pattern, e.g. 300:20/min.
    #[arg(long, value_name = "T0:RATE/UNIT")]
    pub ramp: Option<String>,
    /// Use only this temperature source: header, filename, log, ramp or column.
    #[arg(long, value_name = "SOURCE")]
    pub temperature_source: Option<String>,
    /// Force a reader: columns, fit2d-chi, pyfai, pdfgetx3, pdfgetx2, pdfgetn, gudrun,
    /// liquiddiffract, gsas, wide-table.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Force the x unit: q-A (Å⁻¹), q-nm (nm⁻¹, converted), 2theta (degrees, needs a wavelength)
    /// or r (Å).
    #[arg(long, value_name = "UNIT")]
    pub x_unit: Option<String>,
    /// Force the quantity: sq, fq, s-1, iq, gr (reduced G(r)), g(r), rdf.
    #[arg(long, value_name = "QUANTITY")]
    pub quantity: Option<String>,
    /// Wavelength in Å for 2θ data (overrides the file header).
    #[arg(long, value_name = "ANGSTROM")]
    pub wavelength: Option<f64>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Pattern files and/or folders (each folder is one series).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
    /// Print exactly the columns
    /// index,file,format,quantity,T_K,T_source,x_min,x_max,x_unit,points,problems on stdout.
    #[arg(long)]
    pub csv: bool,
    /// Also print the reader's decisions for each pattern (units assumed, columns not used, …).
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder; each sample goes to `OUT/<sample>/`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// A usage error: bad option values (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl LoadArgs {
    /// Validates the raw options.
    pub fn options(&self) -> Result<LoadOptions, UsageError> {
        fn parse<T: std::str::FromStr<Err = String>>(
            v: &Option<String>,
        ) -> Result<Option<T>, UsageError> {
            v.as_deref().map(str::parse).transpose().map_err(UsageError)
        }
        let format: Option<Format> = parse(&self.format)?;
        let x_unit: Option<XUnitOverride> = parse(&self.x_unit)?;
        let ramp: Option<Ramp> = parse(&self.ramp)?;
        let temperature_source: Option<SourceKind> = parse(&self.temperature_source)?;
        let quantity = match &self.quantity {
            Some(q) => Some(Quantity::parse(q).ok_or_else(|| {
                UsageError(format!(
                    "unknown quantity `{q}` (one of: sq, fq, s-1, iq, gr, g(r), rdf)"
                ))
            })?),
            None => None,
        };
        if let Some(w) = self.wavelength
            && !(w > 0.0 && w < 100.0)
        {
            return Err(UsageError(format!("wavelength {w} Å is not a wavelength")));
        }
        if temperature_source == Some(SourceKind::Ramp) && ramp.is_none() {
            return Err(UsageError("--temperature-source ramp needs --ramp".into()));
        }
        Ok(LoadOptions {
            read: ReadOptions {
                format,
                x_unit,
                quantity,
                wavelength: self.wavelength,
            },
            temperature_log: self.temps.clone(),
            ramp,
            temperature_source,
            ..LoadOptions::default()
        })
    }
}

/// Runs a parsed command.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
