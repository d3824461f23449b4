//! The command line: raw arguments (clap, here) → validated options ([`config`]) → run. Each
//! command returns an exit code: 0 when everything loaded, 1 when some files were skipped or
//! rows dropped (each listed with its reason), or an output could not be written, 2 on bad
//! usage. Output goes through [`Printer`], so a closed or full standard output is an error
//! message and exit code 1, never a panic.

pub mod analyze;
pub mod config;
mod demo;
mod figures;
mod inspect;
mod reduce;
pub mod reduction;
mod watch;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
    /// Follow the one folder given while patterns land in it (the explorer's File ▸ Watch
    /// folder…); headless: `glassray watch`.
    #[arg(long)]
    pub watch: bool,
}

const EXAMPLES: &str = "\
Examples:
  glassray                                   open the explorer on the embedded demo
  glassray data/run42/                       open the explorer on a series folder
  glassray beam/ --watch                     the explorer following a folder as patterns land
  glassray inspect data/run42/               list every pattern of a folder with its temperature
  glassray inspect *.chi --temps log.csv     read temperatures from a log CSV
  glassray inspect scan_*.xy --ramp 300:20/min --csv > patterns.csv
  glassray analyze --out results             analyse the embedded demo (AC, CR, HPT)
  glassray analyze data/run42/ --lorch --out results
  glassray demo --out demo-data              write the synthetic AC, CR and HPT series as files
  glassray demo --live beam --rate 2         a simulated experiment: the AC series lands in beam/, 2 patterns/s
  glassray watch beam/ --out results         analyse each pattern as it lands, keep results/ current
  glassray figures data/run42/ --out figs    the study's Figs. 3–6 and the heat map (SVG, PDF, PNG)
  glassray analyze raw/ --composition Zr52.5Cu17.9Ni14.6Al10Ti5 --background empty.xy --out results
  glassray reduce raw/ --composition Mg2SiO4 --background bkg.xy --out sq   I(Q) → .sq/.fq files";

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
    /// Draw the study's figures (S(Q) and ΔS(Q) stacks, FSDP versus T, G(r) stacks with r1/r6,
    /// the connection-mode fit and fractions, the ΔS(Q, T) heat map) for every sample side by
    /// side, as SVG, PDF and PNG (300 dpi), each with the CSV of what it plots. Takes every
    /// option of `analyze`; with no PATH, the embedded demo.
    Figures(Box<FiguresArgs>),
    /// Reduce raw intensities I(Q) to S(Q) and F(Q) = Q[S(Q) − 1]: one `.sq` and one `.fq`
    /// file per pattern (PDFgetX3-style, the settings in the header), which every command
    /// reads back as S(Q).
    Reduce(Box<ReduceCommandArgs>),
    /// Follow a folder while the sample heats: each new pattern is read once complete,
    /// reduced from I(Q) (with --composition), transformed and fitted as it lands, and
    /// metrics.csv, summary.json and gr/ in --out are kept current (rewritten whole, at most
    /// once a second and at the end). One line per new pattern, one when T_r, T_g or T_x is
    /// first detected. Takes the options of `analyze` (except --timings) and exactly one
    /// folder.
    Watch(Box<WatchArgs>),
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub analysis: AnalyzeArgs,
    /// Stop once no file has changed for this long (seconds); default: run until interrupted.
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub exit_after_idle: Option<f64>,
    /// Scan the folder on a clock instead of waiting for file-system events (network file
    /// systems; used anyway where events are not available).
    #[arg(long)]
    pub poll: bool,
    /// How long a file must be still before it is read (milliseconds).
    #[arg(long, value_name = "MS", default_value_t = 400, hide = true)]
    pub settle_ms: u64,
}

#[derive(Debug, Args)]
pub struct ReduceCommandArgs {
    /// I(Q) pattern files and/or folders (each folder is one series).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub reduce: ReduceArgs,
    /// Number density ρ0 (atoms/Å³; default: from --density, else refined per pattern from
    /// the low-r slope of G(r)).
    #[arg(long, value_name = "RHO", allow_hyphen_values = true)]
    pub rho0: Option<f64>,
    /// How S(Q) continues below the first point in the sum rule and the low-r G(r): hold
    /// (default), linear or none.
    #[arg(long = "low-q", value_name = "MODE")]
    pub low_q: Option<String>,
    /// Lowest Q reduced (1/Å; default: the first point).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub qmin: Option<f64>,
    /// Highest Q reduced (1/Å; default: the last point).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub qmax: Option<f64>,
    /// Output folder (replaced whole; one folder per series when there are several).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also list every load problem and note.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct FiguresArgs {
    #[command(flatten)]
    pub analysis: AnalyzeArgs,
    /// Formats to write, comma-separated: svg, pdf, png. (`--format` forces the file reader,
    /// as in every command that reads patterns.)
    #[arg(long, value_name = "LIST", default_value = "svg,pdf,png")]
    pub formats: String,
    /// Journal column width: single (85 mm) or double (175 mm).
    #[arg(long, value_name = "WIDTH", default_value = "double")]
    pub width: String,
    /// Temperatures (K) of the stacked S(Q) and G(r) curves, comma-separated (each drawn at
    /// its nearest pattern); default: every 50 K (100 K when that makes more than ten) and the
    /// marks.
    #[arg(long, value_name = "K,K,…", allow_hyphen_values = true)]
    pub temperatures: Option<String>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Pattern files and/or folders (each folder is one series); none: the embedded demo.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub load: LoadArgs,
    #[command(flatten)]
    pub reduce: ReduceArgs,
    /// Lowest Q used in the transform (1/Å; default: the first point).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub qmin: Option<f64>,
    /// Highest Q used in the transform (1/Å; default: the last point).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub qmax: Option<f64>,
    /// Damp termination ripples with the Lorch function.
    #[arg(long)]
    pub lorch: bool,
    /// How S(Q) continues below Qmin down to Q = 0: `hold` (S(Q) = S(Qmin), the default, as
    /// LiquidDiffract), `linear` (S falls linearly to S(0) = 0) or `none` (G(r) integrates from Qmin).
    #[arg(long = "low-q", value_name = "MODE")]
    pub low_q: Option<String>,
    /// Largest r of G(r) (Å; default 20).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub rmax: Option<f64>,
    /// r step of G(r) (Å; default 0.01).
    #[arg(long, value_name = "DR", allow_hyphen_values = true)]
    pub dr: Option<f64>,
    /// Number density ρ0 (atoms/Å³; default: the header's, else 0.0545).
    #[arg(long, value_name = "RHO", allow_hyphen_values = true)]
    pub rho0: Option<f64>,
    /// FSDP window (1/Å; default 2.2:3.0).
    #[arg(long, value_name = "A:B", allow_hyphen_values = true)]
    pub fsdp: Option<String>,
    /// Window of the connection-mode fit of g(r) (Å; default 3.9:6.6).
    #[arg(long, value_name = "A:B", allow_hyphen_values = true)]
    pub fit_window: Option<String>,
    /// Average cluster radius R; seeds at 2R, √3R, √(8/3)R, √2R (Å; default 2.969).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub cluster_radius: Option<f64>,
    /// How far each centre may move from its seed (Å; default 0.1).
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
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
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub tr: Option<f64>,
    /// Use this T_g (K), e.g. from calorimetry.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub tg: Option<f64>,
    /// Use this T_x (K), e.g. from calorimetry; T_r and T_g are fitted below it.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub tx: Option<f64>,
    /// Smoothing parameter λ of the versus-T splines (default: chosen by generalized
    /// cross-validation for each quantity).
    #[arg(long, value_name = "LAMBDA", allow_hyphen_values = true)]
    pub smoothing: Option<f64>,
    /// Output folder (replaced whole by the new outputs; must not be inside an input folder).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also list every load problem and note (skipped files, dropped rows, reader decisions).
    #[arg(long, short)]
    pub verbose: bool,
    /// Print the wall time of each stage (load, reduction, transform, fits, FSDP and lobes,
    /// transitions, splines, systematic σ, writing or drawing), summed over the series.
    #[arg(long)]
    pub timings: bool,
}

/// How raw intensities I(Q) are reduced to S(Q) (`analyze`, `figures`, `reduce`).
#[derive(Debug, Args, Clone, Default)]
pub struct ReduceArgs {
    /// Chemical formula of the sample in atoms (Zr52.5Cu17.9Ni14.6Al10Ti5, Mg2SiO4): with I(Q)
    /// input, the patterns are reduced to S(Q) (Faber–Ziman, Waasmaier–Kirfel form factors,
    /// Compton).
    #[arg(long, value_name = "FORMULA")]
    pub composition: Option<String>,
    /// Mass density (g/cm³), converted to ρ0 with the composition's mean atomic mass; without
    /// it or --rho0, ρ0 is refined per pattern from the low-r slope of G(r).
    #[arg(
        long,
        value_name = "G_CM3",
        allow_hyphen_values = true,
        conflicts_with = "rho0"
    )]
    pub density: Option<f64>,
    /// Photon energy (keV), instead of --wavelength: λ = 12.398/E.
    #[arg(
        long,
        value_name = "KEV",
        allow_hyphen_values = true,
        conflicts_with = "wavelength"
    )]
    pub energy: Option<f64>,
    /// Measured background (empty cell, air) to subtract, interpolated onto each pattern's Q
    /// grid; read like the patterns.
    #[arg(long, value_name = "FILE")]
    pub background: Option<PathBuf>,
    /// Factor on the background: a number, or `auto` (the default: per pattern, the scale that
    /// makes G(r) follow −4πρ0 r best below its first peak).
    #[arg(long, value_name = "X|auto", allow_hyphen_values = true)]
    pub background_scale: Option<String>,
    /// How intensities are put on the scale of electrons per atom: `krogh-moe` (the sum rule,
    /// default) or `high-q` (S → 1 over the last quarter of the Q range).
    #[arg(long, value_name = "MODE")]
    pub normalisation: Option<String>,
    /// Divide by the polarisation factor (1 + cos² 2θ)/2, for data not corrected by the
    /// integration software; needs --wavelength or --energy.
    #[arg(long)]
    pub polarisation: bool,
    /// Steps of the iterative low-r correction of S(Q) (Eggert et al. 2002, Kaplow et al. 1965,
    /// as LiquidDiffract): S ← S[1 − ΔF(Q)/Q] so that G(r) follows −4πρ0 r below r_c; a refined
    /// ρ0 or b then minimises the misfit left after them. Default 0 (none); LiquidDiffract
    /// suggests 3–10.
    #[arg(long, value_name = "N")]
    pub iterations: Option<usize>,
    /// End of the low-r line G(r) = −4πρ0 r (Å; LiquidDiffract's r_min; default per pattern:
    /// 0.8 × the first peak of G(r) − π/Qmax).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub rcut: Option<f64>,
    /// PDFgetX3's ad hoc correction: remove from F(Q) = Q[S(Q) − 1] a polynomial in Q of degree
    /// ⌈Qmax·rpoly/π⌉ with no constant term (the smooth part, which only affects G(r) below
    /// rpoly).
    #[arg(long = "ad-hoc")]
    pub ad_hoc: bool,
    /// r_poly of --ad-hoc (Å; default 0.9, as PDFgetX3).
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub rpoly: Option<f64>,
}

/// Options shared by every command that reads patterns.
#[derive(Debug, Args, Clone, Default)]
pub struct LoadArgs {
    /// Temperature log CSV: columns `filename` or `index` (or `time_s`) and `T_K` (or `T_C`).
    #[arg(long, value_name = "LOG.csv")]
    pub temps: Option<PathBuf>,
    /// Linear ramp instead of (or where there is no) recorded temperature: T0:RATE/UNIT with UNIT
    /// s, min or pattern, e.g. 300:20/min.
    #[arg(long, value_name = "T0:RATE/UNIT", allow_hyphen_values = true)]
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
    /// Wavelength in Å for 2θ data (overrides the file header) and for --polarisation.
    #[arg(long, value_name = "ANGSTROM", allow_hyphen_values = true)]
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
    #[arg(long, value_name = "DIR", required_unless_present = "live")]
    pub out: Option<PathBuf>,
    /// Write raw intensities I(Q), as a beamline records them before any reduction, plus the
    /// empty-cell background as `OUT/empty-cell.xy` (with --live: `DIR/background/empty-cell.xy`;
    /// reduce them with `--composition` and `--background`).
    #[arg(long)]
    pub intensity: bool,
    /// A simulated experiment: one sample's series lands in DIR (itself, no sub-folder) at
    /// --rate, each file written as detector software does (header, then the rows a moment
    /// later) and temperatures.csv growing line by line. Watch it with `glassray watch DIR`.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub live: Option<PathBuf>,
    /// Patterns per second of --live.
    #[arg(
        long,
        value_name = "PER_S",
        default_value_t = 2.0,
        requires = "live",
        allow_hyphen_values = true
    )]
    pub rate: f64,
    /// The sample --live writes: AC, CR or HPT.
    #[arg(long, value_name = "NAME", default_value = "AC", requires = "live")]
    pub sample: String,
    /// Only the first N patterns of --live (a short run; the tests').
    #[arg(long, value_name = "N", requires = "live", hide = true)]
    pub first: Option<usize>,
}

/// A usage error: bad option values (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

/// Standard output that never panics: the first write error is kept and later lines are
/// dropped, so a command still does its work (writes its files) when nobody reads its output.
pub struct Printer {
    out: std::io::StdoutLock<'static>,
    error: Option<std::io::Error>,
}

impl Default for Printer {
    fn default() -> Self {
        Self::new()
    }
}

impl Printer {
    pub fn new() -> Self {
        Printer {
            out: std::io::stdout().lock(),
            error: None,
        }
    }

    /// Prints one line (unless an earlier write failed).
    pub fn line(&mut self, text: impl std::fmt::Display) {
        if self.error.is_none()
            && let Err(e) = writeln!(self.out, "{text}")
        {
            self.error = Some(e);
        }
    }

    /// Runs a writer on standard output (unless an earlier write failed).
    pub fn with(&mut self, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
        if self.error.is_none()
            && let Err(e) = write(&mut self.out)
        {
            self.error = Some(e);
        }
    }

    /// Flushes; false (and a message on standard error) when the output could not be written.
    pub fn finish(mut self) -> bool {
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        match self.error {
            None => true,
            Some(e) => {
                warn(format!("error: cannot write to standard output: {e}"));
                false
            }
        }
    }
}

/// A line on standard error; a closed standard error is not worth a panic.
pub fn warn(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Runs a parsed command.
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Figures(args) => figures::run(&args),
        Command::Reduce(args) => reduce::run(&args),
        Command::Watch(args) => watch::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            warn(format!("error: {message}"));
            ExitCode::from(2)
        }
    }
}
