#!/usr/bin/env python3
"""Writes and checks Glassray's X-ray atomic data (assets/xray/) and atomic masses.

    python3 scripts/xray_tables.py generate BALYUZI_DAT   # writes assets/xray/*.csv, prints masses
    python3 scripts/xray_tables.py check [WAASKIRF_DAT]   # shipped tables against the peers
    python3 scripts/xray_tables.py reference              # the numbers the Rust tests check

Needs (from the Python package index): xraydb, xraylib, periodictable, numpy; `check` also
reads LiquidDiffract's International Tables coefficients if LiquidDiffract is installed.

Sources
- Coherent form factors: Waasmaier & Kirfel (1995), Acta Cryst. A51, 416-431, neutral atoms,
  as tabulated in ESRF's DABAX file f0_WaasKirf.dat; read here from xraydb (its `Waasmaier`
  table is that file). f0(s) = c + sum_i a_i exp(-b_i s^2), s = sin(theta)/lambda = Q/4pi.
- Incoherent scattering: Balyuzi (1975), Acta Cryst. A31, 600-602, as tabulated in DABAX's
  CrossSec_Compton_Balyuzi.dat (extracted by DABAX from sf_inc.f of Brennan & Cowan, Rev. Sci.
  Instrum. 63, 850 (1992)); GudrunX ships the same file as StartupFiles/Xray/
  CrossSec_Compton_Balyuzi.txt. I_inc(s) = Z - sum_i a_i exp(-b_i s^2). Four exponents of that
  file carry a decimal-point slip (Cd b5, Te b5, Au b5 = 0.2xx for 0.02xx; Dy b2 = 20.65 for
  10.65: every neighbour has ~0.02 and ~10.6) that puts those elements 2-4 electrons off the
  Hubbell et al. (1975) incoherent scattering function they were fitted to; `generate` corrects
  them and `check` shows the corrected rows agree with Hubbell (xraylib SF_Compt) like their
  neighbours. H in that file is Brennan & Cowan's (half of He), not Balyuzi's (Z = 2-95).
- Atomic masses: IUPAC CIAAW standard atomic weights 2021 (abridged; Prohaska et al., Pure
  Appl. Chem. 94 (2022)), via periodictable; elements without a standard atomic weight (Tc, Pm,
  Po, At, Rn, Fr, Ra, Ac) take the mass number of their longest-lived isotope.
"""

import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets" / "xray"
NUMBER = re.compile(r"-?\d+\.\d*(?:[Ee][-+]?\d+)?")

# (Z, column index in a1..a5 c b1..b5, value in the file, corrected value)
BALYUZI_CORRECTIONS = [
    (48, 10, 0.233999997, 0.0234),
    (52, 10, 0.234999999, 0.0235),
    (66, 7, 20.6511002, 10.6511002),
    (79, 10, 0.214000002, 0.0214),
]

HEADER_WK = """\
# Coherent atomic form factors f0 of the neutral atoms H-U (Z = 1-92).
# Source: D. Waasmaier & A. Kirfel, "New analytical scattering-factor functions for free atoms
#   and ions", Acta Cryst. A51 (1995) 416-431, five Gaussians plus a constant fitted to the
#   International Tables for Crystallography Vol. C (1992) Table 6.1.1.1; valid for
#   0 <= s <= 6 A^-1. Coefficients as in ESRF DABAX f0_WaasKirf.dat, read from xraydb 4.5.8.
# Formula: f0(s) = c + sum_{i=1..5} a_i exp(-b_i s^2), s = sin(theta)/lambda = Q/(4 pi) in A^-1.
# Units: a_i and c in electrons, b_i in A^2.
# Written by scripts/xray_tables.py generate.
"""

HEADER_BALYUZI = """\
# Incoherent (Compton) scattering functions I_inc of the neutral atoms H-U (Z = 1-92).
# Source: H. H. M. Balyuzi, "Analytic approximations to incoherently scattered X-ray
#   intensities", Acta Cryst. A31 (1975) 600-602: fits to Cromer & Mann, J. Chem. Phys. 47
#   (1967) 1892, and Cromer, J. Chem. Phys. 50 (1969) 4857; accurate for s <= 1.4 A^-1.
#   Coefficients as in ESRF DABAX CrossSec_Compton_Balyuzi.dat (from sf_inc.f of S. Brennan &
#   P. L. Cowan, Rev. Sci. Instrum. 63 (1992) 850; the file GudrunX ships), with four
#   decimal-point slips corrected against Hubbell et al., J. Phys. Chem. Ref. Data 4 (1975) 471:
#   Cd b5 0.234 -> 0.0234, Te b5 0.235 -> 0.0235, Au b5 0.214 -> 0.0214, Dy b2 20.65 -> 10.65.
#   H is Brennan & Cowan's entry (half of He), not Balyuzi's.
# Formula: I_inc(s) = Z - sum_{i=1..5} a_i exp(-b_i s^2), s = sin(theta)/lambda = Q/(4 pi) in A^-1
#   (electron units per atom; -> Z at large s). No Breit-Dirac recoil factor is included.
# Units: a_i in electrons, b_i in A^2.
# Written by scripts/xray_tables.py generate.
"""


def dabax_rows(path):
    """{(Z, symbol): [a1..a5, c, b1..b5]} from a DABAX file (fixed-width numbers may touch)."""
    rows, current = {}, None
    for line in Path(path).read_text().splitlines():
        if line.startswith("#S"):
            parts = line.split()
            current = (int(parts[1]), parts[2])
        elif line.strip() and not line.startswith("#") and current:
            rows[current] = [float(x) for x in NUMBER.findall(line)]
            current = None
    return rows


def gaussians(row, s):
    a, c, b = row[0:5], row[5], row[6:11]
    return c + sum(ai * math.exp(-bi * s * s) for ai, bi in zip(a, b))


def symbols():
    import periodictable

    return {z: periodictable.elements[z].symbol for z in range(1, 93)}


def waasmaier_kirfel_rows():
    """{Z: [a1..a5, c, b1..b5]} for the neutral atoms, from xraydb's copy of f0_WaasKirf.dat."""
    import json

    import xraydb

    db = xraydb.get_xraydb()
    out = {}
    sym = symbols()
    for z in range(1, 93):
        row = db.query(db.tables["Waasmaier"]).filter_by(atomic_number=z, ion=sym[z]).one()
        a = json.loads(row.scale)
        b = json.loads(row.exponents)
        out[z] = a + [row.offset] + b
    return out


def balyuzi_rows(path):
    rows = {z: list(v) for (z, _), v in dabax_rows(path).items()}
    for z, col, old, new in BALYUZI_CORRECTIONS:
        assert abs(rows[z][col] - old) < 1e-6, (z, col, rows[z][col])
        rows[z][col] = new
    return rows


def write_table(name, header, rows):
    sym = symbols()
    lines = [header.rstrip("\n"), "Z,symbol,a1,a2,a3,a4,a5,c,b1,b2,b3,b4,b5"]
    for z in range(1, 93):
        lines.append(",".join([str(z), sym[z]] + [repr(float(x)) for x in rows[z]]))
    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / name).write_text("\n".join(lines) + "\n")


def read_table(name):
    rows = {}
    for line in (ASSETS / name).read_text().splitlines():
        if line.startswith("#") or line.startswith("Z,"):
            continue
        f = line.split(",")
        rows[int(f[0])] = [float(x) for x in f[2:]]
    return rows


def generate(balyuzi_path):
    write_table("waasmaier_kirfel.csv", HEADER_WK, waasmaier_kirfel_rows())
    write_table("balyuzi_compton.csv", HEADER_BALYUZI, balyuzi_rows(balyuzi_path))
    import periodictable

    print("// Rust table of (symbol, standard atomic weight g/mol), Z = 1..92:")
    for z in range(1, 93):
        e = periodictable.elements[z]
        print(f'    ("{e.symbol}", {e.mass!r}),')


def check(waaskirf_path=None):
    import xraydb
    import xraylib

    wk, comp = read_table("waasmaier_kirfel.csv"), read_table("balyuzi_compton.csv")
    sym = symbols()
    worst_f0 = max(
        abs(gaussians(wk[z], s) - float(xraydb.f0(sym[z], s)[0]))
        for z in range(1, 93)
        for s in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
    )
    print(f"f0: largest difference from xraydb.f0 (same coefficients) = {worst_f0:.2e} e")
    if waaskirf_path:
        dabax = {z: v for (z, name), v in dabax_rows(waaskirf_path).items() if z <= 92 and name == sym[z]}
        differ = [sym[z] for z in range(1, 93) if dabax[z] != wk[z]]
        print(f"f0 coefficients differing from {waaskirf_path}: {differ or 'none'}")
    print("f0 - Z at s = 0 (fit tolerance), largest:",
          max((abs(gaussians(wk[z], 0.0) - z), sym[z]) for z in range(1, 93)))
    print("f0 at s = 0.5 against Hubbell et al. 1975 (xraylib FF_Rayl), largest relative:",
          max((abs(gaussians(wk[z], 0.5) / xraylib.FF_Rayl(z, 0.5) - 1), sym[z])
              for z in range(1, 93)))
    print("I_inc against Hubbell et al. 1975 (xraylib SF_Compt), 0 < s <= 1.5 / at s = 2:")
    for z in range(1, 93):
        grid = [0.02 * k for k in range(1, 76)]
        dev = max(abs(z - gaussians(comp[z], s) - xraylib.SF_Compt(z, s)) for s in grid)
        at2 = z - gaussians(comp[z], 2.0) - xraylib.SF_Compt(z, 2.0)
        flag = "  <-- corrected row" if z in [c[0] for c in BALYUZI_CORRECTIONS] else ""
        if dev > 0.25 or flag:
            print(f"  {sym[z]:>2} max |d| = {dev:.3f} e ({dev / z:.1%} of Z), at s=2 {at2:+.3f}{flag}")
    try:
        itc = liquiddiffract_itc()
    except Exception as e:  # noqa: BLE001 - optional peer
        print("LiquidDiffract not available:", e)
        return
    worst = max((abs(gaussians(wk[z], 0.5) - itc(z, 0.5)), sym[z]) for z in range(1, 93))
    print("f0 at s = 0.5 against the International Tables 4-Gaussian fit (LiquidDiffract):",
          worst)


def liquiddiffract_itc():
    """f0(Z, s) from LiquidDiffract's International Tables (Vol. C Table 6.1.1.4) coefficients."""
    from importlib import resources

    import numpy as np

    with resources.files("LiquidDiffract.resources").joinpath("form_factors.npy").open("rb") as fp:
        data = np.load(fp, allow_pickle=True)

    def f0(z, s):
        row = data[np.where((data[:, 0] == 0) & (data[:, 10] == z))][0, 1:10]
        return float(sum(row[2 * i] * math.exp(-row[2 * i + 1] * s * s) for i in range(4)) + row[8])

    return f0


def reference():
    """The values the Rust tests compare with, from the peers (not from our own tables)."""
    import xraydb
    import xraylib

    itc = liquiddiffract_itc()
    print("// (symbol, s, f0 xraydb (WK), f0 International Tables 4-Gaussian, I_inc Hubbell)")
    for sym, z in (("O", 8), ("Mg", 12), ("Al", 13), ("Si", 14), ("Ti", 22), ("Ni", 28),
                   ("Cu", 29), ("Zr", 40)):
        for s in (0.5, 1.0):
            print(f'("{sym}", {s}, {float(xraydb.f0(sym, s)[0]):.5f}, {itc(z, s):.4f}, '
                  f"{xraylib.SF_Compt(z, s):.4f}),")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "generate" and len(sys.argv) == 3:
        generate(sys.argv[2])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) <= 3:
        check(*sys.argv[2:])
    elif sys.argv[1:] == ["reference"]:
        reference()
    else:
        sys.exit(__doc__)
