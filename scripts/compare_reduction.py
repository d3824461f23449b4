#!/usr/bin/env python3
"""Compare Glassray's raw I(Q) -> S(Q) reduction with Glassure and LiquidDiffract.

    python3 scripts/compare_reduction.py [--glassray BIN] [--data DIR] [--json OUT]

Requirements (PyPI): numpy, scipy<1.18, glassure (3.x, Prescher's; Rust core), liquiddiffract (1.2.5).
    pip install numpy "scipy<1.18" glassure liquiddiffract
A peer that cannot be imported is reported and left out; the others go on.

Glassray is run as a subprocess (`glassray reduce`), default binary: $GLASSRAY, else
target/release/glassray under the repo root, else `glassray` on PATH. Data default:
<repo>/../shared/data (the project's shared/ folder); override with --data.

Datasets (each folder's PROVENANCE.md):
  Mg2SiO4  glassure-test-data/Mg2SiO4_ambient.xy - 1.0 x _bkg.xy, rho0 from 2.9 g/cm3, Q 1.235..20
  Ce-MG    amorpheus-Ce-metallic-glass/Cerium.dat - 0.927 x background.xy, rho0 0.03468, Q 1.5..7.8
  Ga-liq   liquiddiffract-Ga-liquid/example_data.dat (background-corrected), rho0 0.048, Q 0.037..12.43

"Matched" settings, identical for every program: the same background-subtracted intensity on the
same Q points (Qmin..Qmax of the data), the same rho0, Faber-Ziman S(Q), Krogh-Moe-Norman
normalisation integrated over the measured points only (Glassray --low-q none; Glassure
IntNormalization with attenuation_factor=0; LiquidDiffract calc_alpha on the data grid), no
polarisation correction (the data are integrated/corrected already), Compton subtracted, no
Klein-Nishina/Breit-Dirac factor. What cannot be matched: the atomic tables
  Glassray:       Waasmaier-Kirfel f0, Balyuzi Compton (analytic)
  Glassure:       Brown et al. (ITC) f0 + Hubbell 1975 Compton ("brown_hubbell", default) or Hajdu (Z<=36)
  LiquidDiffract: ITC Vol. C 4-Gaussian (Cromer-Mann) f0 + Hubbell 1975 Compton (cubic interpolation)
and the quadrature (Glassray, Glassure: trapezoid; LiquidDiffract: Simpson).

Variants, each changing ONE setting from the matched run, test the causes of differences:
  glassray-hold    Glassray default --low-q hold (S held at S(Qmin) below Qmin in the sum rule)
  glassure-att     Glassure default attenuation_factor 0.001 (exp(-0.001 Q^2) weight in the integrals)
  glassure-hajdu   Glassure with Hajdu tables (Z <= 36 only)
  ld-rebin0        LiquidDiffract as its GUI does: data rebinned on 0..Qmax (dx 0.02, filled with I(Qmin))
  numpy[T]         this script's own numpy reduction (trapezoid, same formula) with the tables T of each
                   program: it isolates the table effect from everything else
ΔS is the difference to Glassray's matched S(Q) over Q > 1.5 Å⁻¹, at each run's own Q points, Glassray's
S(Q) interpolated linearly onto them (Glassray's grid is the data's; interpolating a coarser run, e.g.
LiquidDiffract's 0.02 Å⁻¹ rebinned grid, onto a finer grid instead would put linear-interpolation error
at sharp peaks into ΔS: 0.026 at the 3.59 Å⁻¹ peak of Mg2SiO4).
G(r) = (2/π) ∫ Q[S(Q)−1] M(Q) sin(Qr) dQ on the common grid (M = Lorch window, the same for all);
the first three peaks (scipy find_peaks, prominence ≥ 5 % of max G, r > 1 Å) are listed.

Findings (glassure 3.0.0, LiquidDiffract 1.2.5, scipy 1.17.1): with matched settings all three agree
to max |ΔS| < 0.006 on Mg2SiO4 and Ga, and the numpy reduction with each program's tables reproduces
each program to round-off (< 1e-13), so what is left is the tables (ITC/Brown + Hubbell vs Waasmaier-Kirfel +
Balyuzi). The one large difference, LiquidDiffract on the Ce glass (0.21 at the FSDP), is a digit slip
in LiquidDiffract's Ce coefficient b1 (2.31219 for ITC's 2.81219): with it corrected LiquidDiffract
agrees with Glassray to 0.0023 (variant ld-Ce-b1-ITC). Glassray's default --low-q hold moves S by 0.02
at the Ce FSDP (Qmin 1.5, Qmax 7.8); Glassure's default attenuation 0.001 by ≤ 0.013; Hajdu's tables
by ≤ 0.027 (Ga).

Eggert iteration (Glassray --iterations N --rcut R against LiquidDiffract's calc_impr_interference_func on
its own Ga example with its test settings: rebinned to Q = 0..12.42 step 0.02, ρ0 0.048, r_min 2.3 Å,
5 iterations, no modification function; LiquidDiffract reproduces its iQ_refined_Ga.npy to 9e-16): the
iteration moves S by up to 0.25 (RMS 0.11) in both programs; after it they differ by max |ΔS| 0.0054,
RMS 0.0012 over Q > 1.5 Å⁻¹ (0.0038 / 0.0017 before it: the atomic tables), and the two corrections
S_5 − S_0 differ by ≤ 0.0039 (Glassray's r step 0.02 Å against LiquidDiffract's 2π/(2¹² Δq) = 0.077 Å in
ΔF(Q) = (2/π) ∫ ΔG sin(Qr) dr, and the tables).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
Q_CUT = 1.5  # ΔS statistics over Q > Q_CUT
DQ = 0.01

# ---------------------------------------------------------------- data sets
DATASETS = [
    dict(
        name="Mg2SiO4",
        folder="glassure-test-data",
        sample="Mg2SiO4_ambient.xy",
        bkg="Mg2SiO4_ambient_bkg.xy",
        bkg_scale=1.0,  # Glassure's tests: I - bkg
        formula="Mg2SiO4",
        composition={"Mg": 2, "Si": 1, "O": 4},
        density_gcc=2.9,
        rho0=None,  # from density with Glassure's converter, passed as ρ0 to all
        qmin=None,
        qmax=20.0,
    ),
    dict(
        name="Ce70Al10Ni10Cu10",
        folder="amorpheus-Ce-metallic-glass",
        sample="Cerium.dat",
        bkg="background.xy",
        bkg_scale=0.927,  # Amorpheus Init.txt bkfactor
        formula="Ce70Al10Ni10Cu10",
        composition={"Ce": 0.7, "Al": 0.1, "Ni": 0.1, "Cu": 0.1},
        density_gcc=None,
        rho0=0.03468,
        qmin=1.5,
        qmax=7.8,
    ),
    dict(
        name="Ga-liquid",
        folder="liquiddiffract-Ga-liquid",
        sample="example_data.dat",
        bkg=None,
        bkg_scale=0.0,
        formula="Ga",
        composition={"Ga": 1},
        density_gcc=None,
        rho0=0.048,
        qmin=None,
        qmax=None,
    ),
]

MASS = {"O": 15.999, "Mg": 24.305, "Al": 26.9815384, "Si": 28.085, "Ni": 58.6934, "Cu": 63.546,
        "Ga": 69.723, "Ce": 140.116}
AVOGADRO = 6.02214076e23
Z = {"O": 8, "Mg": 12, "Al": 13, "Si": 14, "Ni": 28, "Cu": 29, "Ga": 31, "Ce": 58}


def load_xy(path):
    rows = []
    for line in Path(path).read_text(errors="replace").splitlines():
        s = line.strip()
        if not s or s[0] in "#!;%":
            continue
        parts = s.split()
        try:
            rows.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError):
            continue
    a = np.array(rows)
    return a[:, 0], a[:, 1]


def prepared(ds, data_dir):
    """The background-subtracted intensity on the data's Q points within [qmin, qmax]."""
    folder = data_dir / ds["folder"]
    q, i = load_xy(folder / ds["sample"])
    if ds["bkg"]:
        qb, ib = load_xy(folder / ds["bkg"])
        i = i - ds["bkg_scale"] * np.interp(q, qb, ib)
    lo = ds["qmin"] if ds["qmin"] is not None else q[0]
    hi = ds["qmax"] if ds["qmax"] is not None else q[-1]
    keep = (q >= lo - 1e-9) & (q <= hi + 1e-9)
    return q[keep], i[keep]


# ---------------------------------------------------------------- Glassray
def find_glassray(arg):
    for cand in [arg, os.environ.get("GLASSRAY"), ROOT / "target" / "release" / "glassray"]:
        if cand and Path(cand).is_file():
            return str(cand)
    return shutil.which("glassray")


def run_glassray(binary, ds, data_dir, rho0, q, low_q="none", bkg_scale=None):
    folder = data_dir / ds["folder"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = [binary, "reduce", str(folder / ds["sample"]), "--composition", ds["formula"],
               "--rho0", repr(float(rho0)), "--normalisation", "krogh-moe", "--low-q", low_q,
               "--qmin", repr(float(q[0]) - 1e-6), "--qmax", repr(float(q[-1]) + 1e-6), "--out", str(out)]
        if ds["bkg"]:
            cmd += ["--background", str(folder / ds["bkg"]),
                    "--background-scale", bkg_scale or repr(float(ds["bkg_scale"]))]
        p = subprocess.run(cmd, capture_output=True, text=True)
        files = list(out.glob("*.sq")) if out.exists() else []
        if p.returncode not in (0,) or not files:
            raise RuntimeError(f"glassray failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}")
        header, rows, in_data = {}, [], False
        for line in files[0].read_text().splitlines():
            if line.startswith("#### start data"):
                in_data = True
                continue
            if not in_data:
                if "=" in line:
                    k, v = line.split("=", 1)
                    header[k.strip()] = v.strip()
                continue
            if line.startswith("#") or not line.strip():
                continue
            a, b = line.split()[:2]
            rows.append((float(a), float(b)))
        arr = np.array(rows)
        return arr[:, 0], arr[:, 1], header, " ".join(cmd)


# ---------------------------------------------------------------- peers
def import_peers():
    peers, why = {}, {}
    try:
        import glassure  # noqa: F401
        from glassure import calc, configuration, pattern, utility  # noqa: F401
        peers["glassure"] = glassure
    except Exception as e:  # noqa: BLE001
        why["glassure"] = f"{type(e).__name__}: {e}"
    try:
        from LiquidDiffract.core import core as ld_core, data_utils as ld_utils
        peers["liquiddiffract"] = (ld_core, ld_utils)
    except Exception as e:  # noqa: BLE001
        why["liquiddiffract"] = f"{type(e).__name__}: {e}"
    return peers, why


def run_glassure(q, i, ds, rho0, attenuation=0.0, source="brown_hubbell"):
    from glassure.calc import calculate_pdf
    from glassure.configuration import (CalculationConfig, DataConfig, IntNormalization,
                                        SampleConfig)
    from glassure.pattern import Pattern
    sample = SampleConfig(composition=dict(ds["composition"]))
    sample.atomic_density = rho0
    config = CalculationConfig(sample=sample)
    # Glassure's Pattern.limit keeps q_min < Q < q_max (both ends excluded): set the limits just
    # outside the first and last points so that it reduces exactly the same points
    config.transform.q_min = float(q[0]) - 1e-6
    config.transform.q_max = float(q[-1]) + 1e-6
    config.transform.normalization = IntNormalization(attenuation_factor=attenuation,
                                                      incoherent_scattering=True)
    config.transform.scattering_factor_source = source
    res = calculate_pdf(DataConfig(data=Pattern(q, i)), config)
    x, y = np.asarray(res.sq.x), np.asarray(res.sq.y)
    # drop Glassure's step extension to Q = 0 (it can end on a point at Qmin itself, holding S(0))
    x, y = x[-len(q):], y[-len(q):]
    if not np.allclose(x, q):
        raise RuntimeError("Glassure's S(Q) is not on the data's Q points")
    return x, y


# LiquidDiffract 1.2.5's resources/form_factors.npy has b1 = 2.31219 for neutral Ce (Z = 58);
# International Tables Vol. C Table 6.1.1.4 (as in cctbx and other ITC copies) has 2.81219
# (La 2.94817, Ce 2.81219, Pr 2.77393): a digit slip that makes f_Ce 2-6 % too large above 2 Å⁻¹.
LD_CE_B1_SLIP, LD_CE_B1_ITC = 2.31219, 2.81219


class ld_ce_fixed:
    """Context: LiquidDiffract with the Ce b1 coefficient set to the ITC value (caches cleared)."""

    def __enter__(self):
        ld_core, _ = PEERS["liquiddiffract"]
        self.core, self.orig = ld_core, ld_core.load_ff_data
        data = np.array(self.orig(), dtype=float)
        row = np.where((data[:, 0] == 0) & (data[:, 10] == 58))[0]
        self.slip_found = bool(len(row) and abs(data[row[0], 2] - LD_CE_B1_SLIP) < 1e-9)
        data[row, 2] = LD_CE_B1_ITC
        ld_core.load_ff_data = lambda: data
        ld_core.calc_atomic_ff.cache_clear()
        return self

    def __exit__(self, *exc):
        self.core.load_ff_data = self.orig
        self.core.calc_atomic_ff.cache_clear()


def ld_comp(ds):
    return {el: (Z[el], 0, n) for el, n in ds["composition"].items()}


def run_ld(q, i, ds, rho0, rebin0=False):
    ld_core, ld_utils = PEERS["liquiddiffract"]
    if rebin0:
        q, i = ld_utils.rebin_data(q, i, dx=0.02, extrapolate_mode="fill")
    s = ld_core.calc_structure_factor(q, i, ld_comp(ds), rho0, method="faber-ziman")
    keep = q >= (q[0] if not rebin0 else 0.0)
    return q[keep], s[keep]


# ---------------------------------------------------------------- tables
def glassray_tables(ds, q):
    """⟨f²⟩, ⟨f⟩², C per atom from Glassray's shipped tables (assets/xray)."""
    def rows(name):
        out = {}
        for line in (ROOT / "assets" / "xray" / name).read_text().splitlines():
            if line.startswith("#") or line.startswith("Z,"):
                continue
            p = line.split(",")
            out[p[1]] = [float(x) for x in p[2:]]
        return out
    wk, bal = rows("waasmaier_kirfel.csv"), rows("balyuzi_compton.csv")
    s2 = (q / (4 * np.pi)) ** 2
    comp = ds["composition"]
    tot = sum(comp.values())
    fm, f2, c = 0.0, 0.0, 0.0
    for el, n in comp.items():
        a = wk[el]
        f = a[5] + sum(a[k] * np.exp(-a[6 + k] * s2) for k in range(5))
        b = bal[el]
        inc = Z[el] - sum(b[k] * np.exp(-b[6 + k] * s2) for k in range(5))
        fm = fm + n / tot * f
        f2 = f2 + n / tot * f * f
        c = c + n / tot * inc
    return f2, fm * fm, c


def glassure_tables(ds, q, source="brown_hubbell"):
    from glassure import utility as gu
    comp = dict(ds["composition"])
    return (gu.calculate_f_squared_mean(comp, q, source), gu.calculate_f_mean_squared(comp, q, source),
            gu.calculate_incoherent_scattering(comp, q, source))


def ld_tables(ds, q):
    ld_core, _ = PEERS["liquiddiffract"]
    comp = ld_comp(ds)
    f2, fm2 = ld_core.calc_average_scattering(comp, q)
    n = sum(v[2] for v in comp.values())
    c = ld_core.calc_total_compton_scattering(comp, q) / n
    return f2, fm2, c


def numpy_reduction(q, i, rho0, tables, quad="trapezoid"):
    """Faber-Ziman S(Q), Krogh-Moe-Norman α over the data points only (no low-Q part)."""
    f2, fm2, c = tables
    if quad == "simpson":
        from scipy.integrate import simpson as integ
    else:
        integ = np.trapezoid if hasattr(np, "trapezoid") else np.trapz
    n = integ(q * q * (f2 + c) / fm2, x=q)
    d = integ(q * q * i / fm2, x=q)
    alpha = (n - 2 * np.pi ** 2 * rho0) / d
    return 1 + (alpha * i - f2 - c) / fm2


# ---------------------------------------------------------------- Eggert iteration
EGGERT = dict(rho0=0.048, r_min=2.3, iterations=5)  # LiquidDiffract's own test (iQ_refined_Ga.npy)


def eggert_comparison(binary, data_dir):
    """Glassray's --iterations against LiquidDiffract's calc_impr_interference_func on its own Ga
    example, with LiquidDiffract's test settings: the data rebinned by rebin_data(dx=0.02,
    extrapolate_mode='extrapolate') onto Q = 0 ... 12.42, Faber-Ziman, rho0 0.048, r_min 2.3 Å,
    5 iterations, no modification function, 2^12-point FFT. Glassray reduces the same rebinned
    points (--low-q none: the grid starts at Q = 0) with --rcut 2.3 --iterations N."""
    ld_core, ld_utils = PEERS["liquiddiffract"]
    folder = data_dir / "liquiddiffract-Ga-liquid"
    q0, i0 = load_xy(folder / "example_data.dat")
    q, i = ld_utils.rebin_data(q0, i0, dx=0.02, extrapolate_mode="extrapolate")
    comp = {"Ga": (31, 0, 1)}
    rho0, r_min, n = EGGERT["rho0"], EGGERT["r_min"], EGGERT["iterations"]
    s_ld0 = ld_core.calc_structure_factor(q, i, comp, rho0, method="faber-ziman")
    iq_ld, chi_ld = ld_core.calc_impr_interference_func(q, s_ld0 - 1, comp, rho0, r_min, n,
                                                        "faber-ziman", None, None, 12)
    s_ld = iq_ld + 1
    ref = folder / "reference_outputs" / "iQ_refined_Ga.npy"
    out = dict(settings=dict(EGGERT, grid="rebin_data dx 0.02 from Q = 0", q_max=float(q[-1])))
    if ref.exists():
        out["ld_vs_its_reference_npy"] = float(np.nanmax(np.abs(iq_ld - np.load(ref))))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ga_rebinned.xy"
        data.write_text("# Q(A^-1) I(Q)\n" + "".join(f"{float(a)!r} {float(b)!r}\n" for a, b in zip(q, i)))
        runs = {}
        for iters in (0, n):
            outdir = Path(tmp) / f"out{iters}"
            cmd = [binary, "reduce", str(data), "--composition", "Ga", "--rho0", repr(rho0),
                   "--normalisation", "krogh-moe", "--low-q", "none", "--rcut", repr(r_min),
                   "--iterations", str(iters), "--quantity", "iq", "--out", str(outdir)]
            p = subprocess.run(cmd, capture_output=True, text=True)
            files = list(outdir.glob("*.sq")) if outdir.exists() else []
            if p.returncode != 0 or not files:
                raise RuntimeError(f"glassray failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}")
            rows = [l.split()[:2] for l in files[0].read_text().split("#### start data")[1].splitlines()
                    if l.strip() and not l.startswith("#")]
            arr = np.array(rows, float)
            runs[iters] = np.interp(q, arr[:, 0], arr[:, 1])
        out["glassray_cmd"] = " ".join(cmd)
    m = q > Q_CUT

    def st(a, b):
        d = (a - b)[m]
        d = d[np.isfinite(d)]
        return dict(max_abs=float(np.abs(d).max()), rms=float(np.sqrt(np.mean(d * d))))
    out["glassray_vs_ld_0_iterations"] = st(runs[0], s_ld0)
    out[f"glassray_vs_ld_{n}_iterations"] = st(runs[n], s_ld)
    out["iteration_moves_ld"] = st(s_ld, s_ld0)
    out["iteration_moves_glassray"] = st(runs[n], runs[0])
    # what the tables alone give: the difference of the two corrections
    out["correction_difference"] = st(runs[n] - runs[0], s_ld - s_ld0)
    out["ld_chi2_x1e6"] = float(chi_ld)
    return out


# ---------------------------------------------------------------- comparison
def on_grid(grid, q, s):
    return np.interp(grid, q, s, left=np.nan, right=np.nan)


def gr_peaks(grid, s, n=3):
    from scipy.signal import find_peaks
    r = np.arange(0.5, 10.0, 0.005)
    qmax = grid[-1]
    lorch = np.sinc(grid / qmax)  # sin(πQ/Qmax)/(πQ/Qmax)
    f = grid * (s - 1) * lorch
    g = (2 / np.pi) * np.trapezoid(f[None, :] * np.sin(np.outer(r, grid)), grid, axis=1)
    idx, _ = find_peaks(g, prominence=0.05 * np.nanmax(g))
    idx = [k for k in idx if r[k] > 1.0][:n]
    return [round(float(r[k]), 3) for k in idx]


def stats(grid, s, ref):
    m = (grid > Q_CUT) & np.isfinite(s) & np.isfinite(ref)
    d = s[m] - ref[m]
    k = int(np.argmax(np.abs(d)))
    return dict(max_abs=float(np.abs(d).max()), rms=float(np.sqrt(np.mean(d * d))),
                q_at_max=float(grid[m][k]), mean=float(d.mean()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glassray", help="glassray binary")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    data_dir = Path(args.data)
    binary = find_glassray(args.glassray)
    if not binary:
        print("no glassray binary (use --glassray or $GLASSRAY)", file=sys.stderr)
        return 2
    global PEERS
    PEERS, missing = import_peers()
    for k, v in missing.items():
        print(f"NOTE: {k} not available: {v}")

    results = dict(glassray=binary, missing_peers=missing, datasets=[])
    table_rows = []
    for ds in DATASETS:
        q, i = prepared(ds, data_dir)
        rho0 = ds["rho0"]
        if rho0 is None:  # g/cm³ → atoms/Å³ with the mean atomic mass (IUPAC 2021)
            comp = ds["composition"]
            mean_mass = sum(MASS[e] * n for e, n in comp.items()) / sum(comp.values())
            rho0 = ds["density_gcc"] / mean_mass * AVOGADRO * 1e-24
        runs, notes = {}, {}
        gq, gs, header, cmd = run_glassray(binary, ds, data_dir, rho0, q, "none")
        runs["glassray"] = (gq, gs)
        notes["glassray_cmd"] = cmd
        notes["glassray_alpha"] = float(header.get("alpha", "nan"))
        if ds["bkg"]:  # for information: the b Glassray's own search picks (same ρ0, low-Q none)
            _, _, ah, _ = run_glassray(binary, ds, data_dir, rho0, q, "none",
                                       bkg_scale="auto")
            notes["glassray_auto_bkg_scale"] = float(ah.get("bkgscale", "nan"))
        hq, hs, hh, _ = run_glassray(binary, ds, data_dir, rho0, q, "hold")
        runs["glassray-hold"] = (hq, hs)
        runs["numpy[glassray tables]"] = (q, numpy_reduction(q, i, rho0, glassray_tables(ds, q)))
        if "glassure" in PEERS:
            runs["glassure"] = run_glassure(q, i, ds, rho0)
            runs["glassure-att"] = run_glassure(q, i, ds, rho0, attenuation=0.001)
            if all(Z[e] <= 36 for e in ds["composition"]):
                runs["glassure-hajdu"] = run_glassure(q, i, ds, rho0, source="hajdu")
            runs["numpy[glassure tables]"] = (q, numpy_reduction(q, i, rho0, glassure_tables(ds, q)))
        if "liquiddiffract" in PEERS:
            runs["liquiddiffract"] = run_ld(q, i, ds, rho0)
            runs["ld-rebin0"] = run_ld(q, i, ds, rho0, rebin0=True)
            runs["numpy[LD tables, simpson]"] = (q, numpy_reduction(q, i, rho0, ld_tables(ds, q), "simpson"))
            runs["numpy[LD tables, trapezoid]"] = (q, numpy_reduction(q, i, rho0, ld_tables(ds, q)))
            if "Ce" in ds["composition"]:
                with ld_ce_fixed() as fix:
                    runs["ld-Ce-b1-ITC"] = run_ld(q, i, ds, rho0)
                notes["ld_ce_b1_slip_found"] = fix.slip_found
            if ds["name"] == "Ga-liquid":
                ref = data_dir / ds["folder"] / "reference_outputs" / "SQ_initial_Ga.npy"
                if ref.exists():
                    rs = np.load(ref)
                    rq = np.arange(len(rs)) * 0.02  # rebin_data(dx=0.02) from Q = 0
                    rs = np.load(ref)
                    runs["LD reference .npy"] = (rq, rs)
        lo = max(q[0], Q_CUT)
        grid = np.arange(np.ceil(q[0] / DQ) * DQ, q[-1] - 1e-9, DQ)
        gq_lo, gq_hi = runs["glassray"][0][0], runs["glassray"][0][-1]
        # does the numpy reduction with a program's tables reproduce that program (same points)?
        repro = {}
        for prog, np_run in [("glassray", "numpy[glassray tables]"), ("glassure", "numpy[glassure tables]"),
                             ("liquiddiffract", "numpy[LD tables, simpson]")]:
            if prog in runs and np_run in runs and len(runs[prog][1]) == len(runs[np_run][1]):
                repro[prog] = float(np.max(np.abs(np.asarray(runs[prog][1]) - runs[np_run][1])))
        notes["numpy_reproduces_max_abs"] = repro
        ds_res = dict(name=ds["name"], rho0=rho0, bkg_scale=ds["bkg_scale"], qmin=float(q[0]),
                      qmax=float(q[-1]), notes=notes, runs={})
        for name, (rq, rs) in runs.items():
            rq, rs = np.asarray(rq, float).ravel(), np.asarray(rs, float).ravel()
            if len(rq) != len(rs):
                raise RuntimeError(f"{name}: {len(rq)} Q vs {len(rs)} S")
            s = on_grid(grid, rq, rs)
            inside = (rq >= gq_lo) & (rq <= gq_hi)
            st = stats(rq[inside], rs[inside], np.interp(rq[inside], *runs["glassray"]))
            gm = np.isfinite(s)
            st["gr_peaks"] = gr_peaks(grid[gm], s[gm])
            ds_res["runs"][name] = st
            table_rows.append((ds["name"], name, st))
        # table differences on the data grid (why peers differ)
        tabs = {"glassray": glassray_tables(ds, q)}
        if "glassure" in PEERS:
            tabs["glassure"] = glassure_tables(ds, q)
        if "liquiddiffract" in PEERS:
            tabs["liquiddiffract"] = ld_tables(ds, q)
        base = tabs["glassray"]
        ds_res["tables_vs_glassray"] = {
            k: dict(max_rel_f2=float(np.max(np.abs(t[0] / base[0] - 1))),
                    max_rel_fmean2=float(np.max(np.abs(t[1] / base[1] - 1))),
                    max_abs_compton=float(np.max(np.abs(t[2] - base[2]))),
                    max_rel_independent=float(np.max(np.abs((t[0] + t[2]) / t[1] / ((base[0] + base[2]) / base[1]) - 1))))
            for k, t in tabs.items() if k != "glassray"}
        results["datasets"].append(ds_res)
        del lo

    print(f"ΔS = S(run) − S(Glassray, matched: --low-q none), over Q > {Q_CUT} Å⁻¹; G(r) peaks in Å")
    print(f"{'dataset':<17} {'run':<28} {'max|ΔS|':>8} {'at Q':>6} {'RMS ΔS':>8}  G(r) peaks 1-3")
    for dsname, name, st in table_rows:
        print(f"{dsname:<17} {name:<28} {st['max_abs']:8.4f} {st['q_at_max']:6.2f} {st['rms']:8.4f}  "
              + ", ".join(f"{p:.3f}" for p in st["gr_peaks"]))
    print()
    for d in results["datasets"]:
        for k, t in d.get("tables_vs_glassray", {}).items():
            print(f"{d['name']:<17} tables {k:<15} vs Glassray's: max rel Δ⟨f²⟩ {t['max_rel_f2']:.4f}, "
                  f"⟨f⟩² {t['max_rel_fmean2']:.4f}, max |ΔC| {t['max_abs_compton']:.3f} e, "
                  f"(⟨f²⟩+C)/⟨f⟩² {t['max_rel_independent']:.4f}")
    for d in results["datasets"]:
        n = d["notes"]
        auto = n.get("glassray_auto_bkg_scale")
        print(f"{d['name']:<17} ρ0 {d['rho0']:.5f} Å⁻³, Q {d['qmin']:.3f}–{d['qmax']:.3f} Å⁻¹, b = {d['bkg_scale']}"
              + (f" (Glassray's auto b would be {auto:.3f})" if auto is not None else "")
              + f", Glassray α = {n['glassray_alpha']:.6g}")
        print(f"{'':<17} numpy reduction with each program's tables reproduces it to max |ΔS| "
              + ", ".join(f"{k} {v:.1e}" for k, v in n["numpy_reproduces_max_abs"].items()))
    if "liquiddiffract" in PEERS:
        eg = eggert_comparison(binary, data_dir)
        results["eggert_iteration"] = eg
        print()
        print(f"Eggert iteration, Ga (LiquidDiffract's test settings: ρ0 {EGGERT['rho0']}, r_min "
              f"{EGGERT['r_min']} Å, {EGGERT['iterations']} iterations, M = 1), over Q > {Q_CUT} Å⁻¹:")
        for k in ("glassray_vs_ld_0_iterations", f"glassray_vs_ld_{EGGERT['iterations']}_iterations",
                  "iteration_moves_ld", "iteration_moves_glassray", "correction_difference"):
            print(f"  {k:<32} max |ΔS| {eg[k]['max_abs']:.4f}, RMS {eg[k]['rms']:.4f}")
        if "ld_vs_its_reference_npy" in eg:
            print(f"  LiquidDiffract vs its iQ_refined_Ga.npy: {eg['ld_vs_its_reference_npy']:.1e}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
        print(f"\nwrote {args.json}")
    return 0


PEERS = {}

if __name__ == "__main__":
    sys.exit(main())
