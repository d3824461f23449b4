#!/usr/bin/env python3
"""numpy/scipy reference pipeline for Glassray's default series analysis (issue 3 baseline).

What it does
------------
Loads every S(Q) pattern of one series folder (untimed), then runs -- timed with
``time.perf_counter`` over several repeats, median reported -- the same analysis that
``glassray analyze FOLDER`` does with its defaults (systematic sigma included; --no-systematics
leaves it out for the reduced comparison):

1. transform:   G(r) = (2/pi) * trapezoid_Q { Q [S(Q) - 1] sin(Q r) }   (M(Q) = 1, all Q
                points) plus, below the first point Q0, Glassray's default low-Q 'hold'
                segment (S held at S(Q0)): G += (S(Q0) - 1) (2/pi) int_0^Q0 Q sin(Q r) dQ in
                closed form (--low-q none: nothing added); on r = 0.01, 0.02, ..., 20.00 A
                (2000 points, each the double nearest its decimal value, as Glassray's grid),
                as ONE sine matrix (built once, all patterns share the Q grid) and ONE matrix
                product; g(r) = 1 + G / (4 pi r rho0), rho0 = 0.0545 A^-3.
2. fsdp+lobes:  FSDP over points with 2.2 <= Q <= 3.0: first moment sum(Q S)/sum(S), area =
                trapezoid of S.  Lobes of G(r): maximal runs of r points with G >= 0 at
                r >= 1.5 A, area = trapezoid over the run's own points; r1 = lobe 1, r6 = lobe 6.
3. fits:        connection-mode fit of g(r) on 3.9 <= r <= 6.6 A (inclusive, with Glassray's
                edge tolerance of 1e-9 relative to the edge):
                b + sum_i A_i exp(-(r - c_i)^2 / (2 s^2)), one shared width s, baseline b;
                seeds 2R, sqrt(3)R, sqrt(8/3)R, sqrt(2)R (R = 2.969 A), centres in seed +- 0.1,
                A_i >= 0, s in [0.05, 0.60].  Start: width scan 0.05..0.60 step 0.05 with a
                non-negative linear least-squares fit of (A, b) at the seed centres (scipy nnls,
                b split as b+ - b-); refine: scipy.optimize.least_squares(method='trf') with the
                analytic Jacobian.  Fractions A_i / sum(A); standard errors from
                cov = inv(J^T J) * rss / (n - p) over the parameters not pinned at a bound
                (pinned ones get error 0, as Glassray/MPFIT do); fraction errors by the delta method.
4. transitions: T_x = last pattern before the FSDP area leaves the least-squares line through
                the previous (up to 20, at least 8) points by more than max(10 sigma, 0.5 %),
                sigma = 1.4826 MAD(first differences) / sqrt(2).  T_r, T_g = breakpoints of a
                continuous three-segment piecewise-linear fit of the FSDP first moment vs T over
                patterns with T < T_x (breakpoints >= 15 K inside the range, >= 20 K apart):
                exhaustive over all pairs of data temperatures (batched normal equations), then
                refined with scipy.optimize.minimize(method='Nelder-Mead').
5. systematics: the systematic sigma of the four fractions, Glassray's definition
                (src/analysis/systematics.rs, engine/pipeline.rs systematics_all), per pattern
                from that pattern alone, f0 = its nominal fractions (step 3):
                - seeds: each seed moved to -0.1 and to +0.1 A, one at a time (8 refits of the
                  same g(r): seed 0 down, seed 0 up, seed 1 down, ...), each fitted exactly like
                  step 3 "from its own linear start" at the moved seeds, with the centre bounds
                  moved with them (moved seed +- 0.1); sigma_seed,i = max over the 8 of
                  |f_i - f0_i|.
                - Q range: G(r) re-transformed over (Qmin, 0.9 Qmax) and over (Qmin + 0.3, Qmax),
                  (Qmin, Qmax) = the first and last Q of the nominal transform (all points); a
                  variant uses the points with Qlo <= Q <= Qhi (inclusive, edge tolerance 1e-9
                  relative), trapezoid weights over those points only, and the low-Q 'hold'
                  segment from its own first point; g(r) with the same rho0; refitted with the
                  nominal seeds (as step 3, fractions only).  Each variant is one sine table (on
                  the fit window's r points, the only ones the fit reads) and one matrix product
                  for all patterns.  sigma_Q,i = sqrt(sum over the 2 of (f_i - f0_i)^2).
                - sigma_sys,i = sqrt(sigma_seed,i^2 + sigma_Q,i^2).  A variant whose fractions
                  are not all finite (sum of amplitudes not > 0) is left out; a component with
                  no usable variant is NaN (sigma_sys = sigma_seed when sigma_Q is NaN); a
                  nominal fit without finite fractions gives NaN throughout.
                Where it cannot match Glassray exactly: the refits use scipy's TRF, Glassray its
                own bounded Levenberg-Marquardt (src/analysis/fit/solver.rs), from the same
                start.  Where the fit is well determined the two agree to ~1e-5 in sigma_sys;
                where a moved seed leaves a degenerate or multi-minimum problem (typically
                crystallised patterns above T_x: two Gaussians at the same centre, or two local
                minima) the two solvers can stop in different minima and that pattern's
                sigma_seed differs by up to tenths (a port of Glassray's LM reproduces its
                values there).  The start also differs slightly: Glassray scans widths every
                0.1 A plus the 0.05 A neighbours of the best and solves the non-negative
                linear problem by a drop-only active set; here all 0.05 A widths and scipy
                nnls (identical starts on every pattern and seed variant of the three demo
                series).

How to run
----------
    pip install numpy scipy            # threadpoolctl optional (reports BLAS threads)
    glassray demo --out /tmp/npdemo    # or any folder of two-column S(Q) files
    python3 scripts/numpy_baseline.py /tmp/npdemo/AC --out /tmp/np_AC.csv [--repeats 7]
    # reduced comparison without the systematic sigma (glassray always computes it):
    python3 scripts/numpy_baseline.py /tmp/npdemo/AC --out /tmp/np_AC.csv --no-systematics
    # value check against glassray's output for the same folder:
    glassray analyze /tmp/npdemo/AC --out /tmp/gr_AC
    python3 scripts/numpy_baseline.py /tmp/npdemo/AC --out /tmp/np_AC.csv --repeats 1 \
        --compare /tmp/gr_AC/metrics.csv

Input: a folder of two-column text files (Q in 1/A, S(Q)), '#' header lines, the temperature
either in a header line ``T = <value> K`` or in a ``temperatures.csv`` (columns filename, T_K).
All patterns must share one Q grid (true for the Glassray demo).  rho0 is always 0.0545 (a
header's rho0 is not read; the demo's is 0.0545).

Output: per-stage (transform, fsdp+lobes, fits, transitions, systematics) and total median
times, T_r / T_g / T_x, and a CSV (--out) with columns index, filename, T_K, fsdp_first_moment,
fsdp_area, r1_area, r6_area, frac_1atom..frac_4atom, fit_rmse, centres, width, baseline,
frac_*_err, lobe_count, frac_1atom_sys..frac_4atom_sys (nan with --no-systematics).
--compare METRICS_CSV prints the agreement with Glassray's metrics.csv (nominal fractions and
frac_*_sys: median/max absolute and relative differences).
"""

import argparse
import csv
import os
import re
import statistics
import sys
import time

import numpy as np
import scipy
from scipy.optimize import least_squares, minimize, nnls

# ---------------------------------------------------------------- parameters (Glassray defaults)
RHO0 = 0.0545                       # number density, atoms / A^3
R_MIN, DR, N_R = 0.01, 0.01, 2000   # r grid 0.01 .. 20.00 A
FSDP_WINDOW = (2.2, 3.0)            # 1/A, both ends inclusive
LOBE_R_FROM = 1.5                   # A
FIT_WINDOW = (3.9, 6.6)             # A, both ends inclusive
CLUSTER_R = 2.969                   # A
SEEDS = np.array([2.0, np.sqrt(3.0), np.sqrt(8.0 / 3.0), np.sqrt(2.0)]) * CLUSTER_R
SEED_TOL = 0.1                      # A
WIDTH_BOUNDS = (0.05, 0.60)         # A
WIDTH_SCAN = np.round(np.arange(1, 13) * 0.05, 10)   # 0.05, 0.10, ..., 0.60
EDGE_TOL = 1e-9                     # inclusive window edges, relative (Glassray's window.rs)
Q_MAX_FACTOR, Q_MIN_STEP = 0.9, 0.3  # systematic sigma: Qmax x 0.9 and Qmin + 0.3 1/A variants
HINGE_MARGIN, HINGE_GAP = 15.0, 20.0  # K
TX_WINDOW, TX_MIN_PREV = 20, 8


# ---------------------------------------------------------------- loading (untimed)
def load_series(folder):
    """Returns (names, T[K], Q grid, S matrix [patterns x Q]) sorted by file name."""
    log = {}
    log_path = os.path.join(folder, "temperatures.csv")
    if os.path.exists(log_path):
        with open(log_path, newline="") as fh:
            for row in csv.DictReader(fh):
                log[row["filename"]] = float(row["T_K"])
    t_re = re.compile(r"^#\s*T\s*=\s*([-+0-9.eE]+)\s*K")
    names, temps, qs, ss = [], [], None, []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name == "temperatures.csv" or not os.path.isfile(path):
            continue
        t = None
        with open(path) as fh:
            for line in fh:
                if not line.startswith("#"):
                    break
                m = t_re.match(line)
                if m:
                    t = float(m.group(1))
        if t is None:
            t = log.get(name, np.nan)
        data = np.loadtxt(path, comments="#")
        if qs is None:
            qs = data[:, 0]
        elif data.shape[0] != qs.size or not np.array_equal(data[:, 0], qs):
            sys.exit(f"{name}: Q grid differs from the first pattern's")
        names.append(name)
        temps.append(t)
        ss.append(data[:, 1])
    return names, np.array(temps), qs, np.vstack(ss)


# ---------------------------------------------------------------- 1. transform
def inside(x, lo, hi):
    """lo <= x <= hi with Glassray's edge tolerance (1e-9 relative to each edge)."""
    return (x >= lo - EDGE_TOL * abs(lo)) & (x <= hi + EDGE_TOL * abs(hi))


def q_plan(q, q_lo=-np.inf, q_hi=np.inf):
    """Glassray's TransformPlan point selection and weights for the Q range [q_lo, q_hi]
    (inclusive, edge tolerance): (slice of the Q points used, coefficients (2/pi) w_i Q_i),
    w = trapezoid weights over the used points only; None with fewer than 2 points."""
    idx = np.flatnonzero(inside(q, q_lo, q_hi))
    if idx.size < 2:
        return None
    sel = slice(idx[0], idx[-1] + 1)          # first at/above q_lo .. last at/below q_hi
    qs = q[sel]
    w = np.empty_like(qs)                     # trapezoid weights over the Q points used
    dq = np.diff(qs)
    w[0], w[-1] = dq[0] / 2, dq[-1] / 2
    w[1:-1] = (dq[:-1] + dq[1:]) / 2
    return sel, (2.0 / np.pi) * w * qs


def low_q_hold_kernel(q0, r):
    """A(r) = (2/pi) int_0^q0 Q sin(Q r) dQ (the 'hold' segment below the first Q used:
    G += (S(q0) - 1) A(r)), with Glassray's series where the closed form cancels."""
    x = q0 * r
    x2 = x * x
    small = np.abs(x) < 1e-2
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = (np.sin(x) - x * np.cos(x)) / (r * r)
    series = q0 * q0 * x * (1.0 / 3.0 - x2 / 30.0 + x2 * x2 / 840.0)
    return (2.0 / np.pi) * np.where(small, series, closed)


def transform_rows(q, s, r, plan, low_q):
    """G(r) of every pattern (rows of s) over one plan: one sine table for the series, one
    matrix product, plus the low-Q segment when low_q == 'hold' and the first Q used is > 0."""
    sel, coef = plan
    kernel = np.sin(np.outer(r, q[sel]))      # len(r) x Q points, built once for the series
    kernel *= coef
    big_g = (s[:, sel] - 1.0) @ kernel.T      # patterns x len(r) (one BLAS dgemm)
    q0 = q[sel][0]
    if low_q == "hold" and q0 > 0.0:
        big_g += (s[:, sel.start] - 1.0)[:, None] * low_q_hold_kernel(q0, r)[None, :]
    return big_g


def transform(q, s, r, low_q="hold"):
    """G(r), g(r) for all patterns at once over all Q points (Glassray's default plan)."""
    big_g = transform_rows(q, s, r, q_plan(q), low_q)
    small_g = 1.0 + big_g / (4.0 * np.pi * r * RHO0)
    return big_g, small_g


# ---------------------------------------------------------------- 2. FSDP and lobes
def fsdp(q, s):
    m = (q >= FSDP_WINDOW[0]) & (q <= FSDP_WINDOW[1])
    qw, sw = q[m], s[:, m]
    moment = (sw @ qw) / sw.sum(axis=1)
    area = np.trapezoid(sw, qw, axis=1)
    return moment, area


def lobe_areas(r, big_g, wanted=(1, 6)):
    """Areas of lobes `wanted` (1-based) of every row of G; NaN where a row has fewer lobes."""
    pos = (big_g >= 0.0) & (r >= LOBE_R_FROM)                 # patterns x r
    seg = 0.5 * (big_g[:, 1:] + big_g[:, :-1]) * np.diff(r)   # trapezoid segments
    seg_in = pos[:, 1:] & pos[:, :-1]                         # segment inside a run
    starts = pos.copy()
    starts[:, 1:] &= ~pos[:, :-1]                             # first point of each run
    lobe_id = np.cumsum(starts, axis=1)                       # run number of each point
    seg_id = np.where(seg_in, lobe_id[:, 1:], 0)              # 0 = not in a lobe
    out = np.full((big_g.shape[0], len(wanted)), np.nan)
    n_lobes = lobe_id[:, -1]
    for k, lobe in enumerate(wanted):
        has = n_lobes >= lobe
        out[has, k] = np.where(seg_id[has] == lobe, seg[has], 0.0).sum(axis=1)
    return out, n_lobes


# ---------------------------------------------------------------- 3. connection-mode fits
def _gauss(rw, c, s):
    return np.exp(-((rw[:, None] - c[None, :]) ** 2) / (2.0 * s * s))   # n x 4


def _residual(p, rw, y):
    a, c, s, b = p[0:4], p[4:8], p[8], p[9]
    return b + _gauss(rw, c, s) @ a - y


def _jacobian(p, rw, y):
    a, c, s, _ = p[0:4], p[4:8], p[8], p[9]
    e = _gauss(rw, c, s)
    d = rw[:, None] - c[None, :]
    j = np.empty((rw.size, 10))
    j[:, 0:4] = e                                   # d/dA_i
    j[:, 4:8] = e * a * d / (s * s)                 # d/dc_i
    j[:, 8] = (e * a * d * d).sum(axis=1) / s**3    # d/ds
    j[:, 9] = 1.0                                   # d/db
    return j


def bounds_for(seeds):
    """Parameter bounds of a fit whose centres are seeded at `seeds` (each within +-SEED_TOL)."""
    lower = np.r_[np.zeros(4), seeds - SEED_TOL, WIDTH_BOUNDS[0], -np.inf]
    upper = np.r_[np.full(4, np.inf), seeds + SEED_TOL, WIDTH_BOUNDS[1], np.inf]
    return lower, upper


LOWER, UPPER = bounds_for(SEEDS)


def fit_modes(rw, y, seeds=SEEDS, with_errors=True):
    """Connection-mode fit from its own linear start at `seeds` (centre bounds seed +- SEED_TOL).
    with_errors=False (the systematic refits) returns the fractions alone, as Glassray's
    fit_fractions does."""
    n = rw.size
    lower, upper = (LOWER, UPPER) if seeds is SEEDS else bounds_for(seeds)
    # start: best non-negative linear fit at the seed centres for each width of the scan
    best = None
    for s in WIDTH_SCAN:
        design = np.column_stack([_gauss(rw, seeds, s), np.ones(n), -np.ones(n)])
        coef, rnorm = nnls(design, y)
        if best is None or rnorm < best[0]:
            best = (rnorm, s, coef)
    _, s0, coef = best
    x0 = np.r_[coef[:4], seeds, s0, coef[4] - coef[5]]
    res = least_squares(_residual, x0, jac=_jacobian, bounds=(lower, upper), method="trf",
                        args=(rw, y), xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    if not with_errors:
        a = res.x[:4]
        tot = a.sum()
        return a / tot if np.isfinite(tot) and tot > 0.0 else np.full(4, np.nan)
    p = res.x
    rss = float(res.fun @ res.fun)
    a = p[:4]
    fractions = a / a.sum()
    # standard errors over parameters not pinned at a bound
    span = np.where(np.isfinite(upper - lower), upper - lower, 1.0)
    free = ~((p - lower <= 1e-9 * span) | (upper - p <= 1e-9 * span))
    err = np.zeros(10)
    cov_a = np.zeros((4, 4))
    j = _jacobian(p, rw, y)[:, free]
    dof = n - free.sum()
    try:
        cov = np.linalg.inv(j.T @ j) * rss / dof
        err[free] = np.sqrt(np.abs(np.diag(cov)))
        full = np.zeros((10, 10))
        full[np.ix_(free, free)] = cov
        cov_a = full[:4, :4]
    except np.linalg.LinAlgError:
        err[:] = np.nan
    tot = a.sum()
    dfda = (np.eye(4) * tot - a[:, None]) / tot**2       # d frac_i / d A_k
    frac_err = np.sqrt(np.abs(np.einsum("ik,kl,il->i", dfda, cov_a, dfda)))
    return dict(params=p, errors=err, fractions=fractions, fraction_errors=frac_err,
                rmse=np.sqrt(rss / n), status=res.status, nfev=res.nfev)


# ---------------------------------------------------------------- 3b. systematic sigma
# Glassray's seed design: seed 0 down, seed 0 up, seed 1 down, ... (each alone to -+ tolerance).
SEED_VARIANTS = [SEEDS + sign * SEED_TOL * np.eye(4)[i] for i in range(4) for sign in (-1.0, 1.0)]


def spread(nominal, variants, how):
    """Glassray's largest_change (how='max': max |f_v - f0|) and quadrature_change
    (how='quad': sqrt(sum (f_v - f0)^2)) over the variants whose four fractions are all
    finite; NaN when there is none, and for a non-finite nominal fraction."""
    usable = [v for v in variants if np.all(np.isfinite(v))]
    if not usable:
        return np.full(4, np.nan)
    d = np.array(usable) - nominal
    out = np.abs(d).max(axis=0) if how == "max" else np.sqrt((d * d).sum(axis=0))
    return np.where(np.isfinite(nominal), out, np.nan)


def q_variant_plans(q):
    """The two Q-range variant plans from the nominal Q range (the first and last Q the nominal
    plan uses: all points by default): (Qmin, 0.9 Qmax), then (Qmin + 0.3, Qmax); a variant
    with fewer than 2 points is left out, as Glassray drops a plan it cannot build."""
    qa, qb = q[0], q[-1]
    plans = [q_plan(q, qa, Q_MAX_FACTOR * qb), q_plan(q, qa + Q_MIN_STEP, qb)]
    return [p for p in plans if p is not None]


def systematics(q, s, rw, gw, nominal, low_q):
    """Systematic sigma of the four fractions of every pattern: (sys, seed part, Q part), each
    patterns x 4.  rw, gw: the fit window's r and the patterns' nominal g(r) on it; nominal:
    the nominal fractions (patterns x 4)."""
    n = s.shape[0]
    plans = q_variant_plans(q)
    # Q-range variants: G(r) re-transformed per variant for all patterns at once (one sine
    # table per variant, one matrix product), on the fit window's r points only (the fit uses
    # no other; the values there are those of the full grid).
    variant_g = [1.0 + transform_rows(q, s, rw, plan, low_q) / (4.0 * np.pi * rw * RHO0)
                 for plan in plans]
    sys_ = np.full((n, 4), np.nan)
    seed_part = np.full((n, 4), np.nan)
    q_part = np.full((n, 4), np.nan)
    for i in range(n):
        f0 = nominal[i]
        if not np.all(np.isfinite(f0)):
            continue                          # a nominal fit without fractions: NaN throughout
        seed_part[i] = spread(f0, [fit_modes(rw, gw[i], seeds=v, with_errors=False)
                                   for v in SEED_VARIANTS], "max")
        if plans:
            q_part[i] = spread(f0, [fit_modes(rw, g[i], with_errors=False)
                                    for g in variant_g], "quad")
        sys_[i] = np.where(np.isnan(q_part[i]), seed_part[i], np.hypot(seed_part[i], q_part[i]))
    return sys_, seed_part, q_part


# ---------------------------------------------------------------- 4. transitions
def crystallization_onset(t, area):
    """(T_x, index of the last pattern before the FSDP area jumps) or (nan, None)."""
    d = np.diff(area)
    sigma = 1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0)
    for k in range(TX_MIN_PREV, t.size):
        tt, aa = t[max(0, k - TX_WINDOW):k], area[max(0, k - TX_WINDOW):k]
        slope, icpt = np.polyfit(tt, aa, 1)
        pred = icpt + slope * t[k]
        if abs(area[k] - pred) > max(10.0 * sigma, 0.005 * abs(pred)):
            return t[k - 1], k - 1
    return np.nan, None


def _hinge_rss(t, y, b1, b2):
    """RSS of y ~ a + c t + d1 (t-b1)+ + d2 (t-b2)+ for arrays of breakpoints b1, b2."""
    b1, b2 = np.atleast_1d(b1), np.atleast_1d(b2)
    x = np.empty((b1.size, t.size, 4))
    x[:, :, 0] = 1.0
    x[:, :, 1] = t
    x[:, :, 2] = np.maximum(t[None, :] - b1[:, None], 0.0)
    x[:, :, 3] = np.maximum(t[None, :] - b2[:, None], 0.0)
    xtx = np.einsum("pni,pnj->pij", x, x)
    xty = np.einsum("pni,n->pi", x, y)
    beta = np.linalg.solve(xtx, xty[..., None])[..., 0]
    resid = y[None, :] - np.einsum("pni,pi->pn", x, beta)
    return (resid**2).sum(axis=1)


def three_segment_fit(t, y):
    centre, scale = 0.5 * (t.min() + t.max()), 0.5 * (t.max() - t.min())
    ts = (t - centre) / scale                     # scaled for conditioning
    lo, hi = t.min() + HINGE_MARGIN, t.max() - HINGE_MARGIN
    cand = np.unique(t[(t >= lo) & (t <= hi)])
    i, j = np.triu_indices(cand.size, k=1)
    ok = cand[j] - cand[i] >= HINGE_GAP
    b1, b2 = cand[i][ok], cand[j][ok]
    rss = _hinge_rss(ts, y, (b1 - centre) / scale, (b2 - centre) / scale)
    k = np.argmin(rss)

    def objective(b):
        if b[0] < lo or b[1] > hi or b[1] - b[0] < HINGE_GAP:
            return np.inf
        return _hinge_rss(ts, y, (b[0] - centre) / scale, (b[1] - centre) / scale)[0]

    # refine from the best grid pair; initial simplex of +-1 data step
    step = np.min(np.diff(np.unique(t)))
    x0 = np.array([b1[k], b2[k]])
    simplex = np.array([x0, x0 + [step, 0.0], x0 + [0.0, step]])
    res = minimize(objective, x0, method="Nelder-Mead",
                   options=dict(initial_simplex=simplex, xatol=1e-3, fatol=1e-16))
    best = res.x if res.fun <= rss[k] else x0
    return best[0], best[1], (b1[k], b2[k])


# ---------------------------------------------------------------- the timed pipeline
def analyze(q, s, temps, with_systematics=True, low_q="hold"):
    times = {}
    t0 = time.perf_counter()
    r = np.round(R_MIN + DR * np.arange(N_R), 10)    # each the double nearest its decimal value
    big_g, small_g = transform(q, s, r, low_q)
    t1 = time.perf_counter()
    times["transform"] = t1 - t0

    moment, area = fsdp(q, s)
    lobes, n_lobes = lobe_areas(r, big_g)
    t2 = time.perf_counter()
    times["fsdp+lobes"] = t2 - t1

    win = inside(r, *FIT_WINDOW)
    fits = [fit_modes(r[win], g[win]) for g in small_g]
    t3 = time.perf_counter()
    times["fits"] = t3 - t2

    tx, _ = crystallization_onset(temps, area)
    below = temps < tx if np.isfinite(tx) else np.ones(temps.size, bool)
    tr, tg, grid_pair = three_segment_fit(temps[below], moment[below])
    t4 = time.perf_counter()
    times["transitions"] = t4 - t3

    sys_ = seed_part = q_part = np.full((s.shape[0], 4), np.nan)
    if with_systematics:
        nominal = np.array([f["fractions"] for f in fits])
        sys_, seed_part, q_part = systematics(q, s, r[win], small_g[:, win], nominal, low_q)
    t5 = time.perf_counter()
    times["systematics"] = t5 - t4
    times["total"] = t5 - t0
    return dict(times=times, moment=moment, area=area, lobes=lobes, n_lobes=n_lobes,
                fits=fits, T_r=tr, T_g=tg, T_x=tx, grid_pair=grid_pair, r=r,
                big_g=big_g, small_g=small_g, sys=sys_, sys_seed=seed_part, sys_q=q_part)


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{d.get('internal_api')} {d.get('version')} "
                         f"threads={d.get('num_threads')}" for d in threadpool_info()
                         if d.get("user_api") == "blas") or "no BLAS pool found"
    except ImportError:
        return ("threadpoolctl not installed; OPENBLAS_NUM_THREADS="
                + os.environ.get("OPENBLAS_NUM_THREADS", "unset"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="series folder (two-column S(Q) files + temperatures)")
    ap.add_argument("--out", required=True, help="per-pattern results CSV")
    ap.add_argument("--repeats", type=int, default=7,
                    help="timed repeats (median reported); above 1, one untimed warm-up first")
    ap.add_argument("--no-systematics", action="store_true",
                    help="skip the systematic sigma of the fractions (the reduced comparison; "
                         "frac_*_sys are then nan)")
    ap.add_argument("--low-q", choices=["hold", "none"], default="hold",
                    help="continuation of S(Q) below the first Q used (Glassray's --low-q; "
                         "default hold, as Glassray's default)")
    ap.add_argument("--compare", metavar="METRICS_CSV",
                    help="after the run, print the agreement with Glassray's metrics.csv of the "
                         "same folder (nominal fractions and frac_*_sys)")
    args = ap.parse_args()
    with_sys = not args.no_systematics

    names, temps, q, s = load_series(args.folder)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, python {sys.version.split()[0]}")
    print(f"BLAS: {blas_info()}; os.cpu_count()={os.cpu_count()}")
    print(f"{len(names)} patterns x {q.size} Q points, Q {q[0]}..{q[-1]} 1/A")

    once = lambda: analyze(q, s, temps, with_sys, args.low_q)
    if args.repeats > 1:
        once()                                # warm-up (imports, caches), not counted
    # --repeats 1 analyses once: what one run of `glassray analyze` does (speed_vs_numpy.sh).
    runs = [once() for _ in range(max(1, args.repeats))]
    print(f"\nmedian over {len(runs)} repeats (time.perf_counter; loading untimed):")
    stages = ["transform", "fsdp+lobes", "fits", "transitions", "systematics", "total"]
    for stage in stages if with_sys else [x for x in stages if x != "systematics"]:
        v = [run["times"][stage] for run in runs]
        print(f"  {stage:12s} {1e3 * statistics.median(v):9.2f} ms "
              f"(min {1e3 * min(v):.2f}, max {1e3 * max(v):.2f})")

    res = runs[-1]
    nfev = [f["nfev"] for f in res["fits"]]
    print(f"\nT_x = {res['T_x']:.2f} K   T_r = {res['T_r']:.3f} K   T_g = {res['T_g']:.3f} K"
          f"   (grid optimum {res['grid_pair'][0]:.1f} / {res['grid_pair'][1]:.1f} K)")
    print(f"fits: median {statistics.median(nfev)} function evaluations, "
          f"{sum(f['status'] <= 0 for f in res['fits'])} not converged")

    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["index", "filename", "T_K", "fsdp_first_moment", "fsdp_area", "r1_area",
                    "r6_area", "frac_1atom", "frac_2atom", "frac_3atom", "frac_4atom",
                    "fit_rmse", "centre_1atom", "centre_2atom", "centre_3atom",
                    "centre_4atom", "width", "baseline", "frac_1atom_err", "frac_2atom_err",
                    "frac_3atom_err", "frac_4atom_err", "lobe_count", "frac_1atom_sys",
                    "frac_2atom_sys", "frac_3atom_sys", "frac_4atom_sys"])
        num = lambda v: repr(float(v))       # full precision, plain float text
        for i, name in enumerate(names):
            f = res["fits"][i]
            w.writerow([i, name, num(temps[i]), num(res["moment"][i]), num(res["area"][i]),
                        num(res["lobes"][i, 0]), num(res["lobes"][i, 1]),
                        *map(num, f["fractions"]), num(f["rmse"]),
                        *map(num, f["params"][4:8]), num(f["params"][8]),
                        num(f["params"][9]), *map(num, f["fraction_errors"]),
                        int(res["n_lobes"][i]), *map(num, res["sys"][i])])
    print(f"wrote {args.out}")
    if args.compare:
        compare(names, res, args.compare)


def compare(names, res, metrics_csv):
    """Agreement with Glassray's metrics.csv, per pattern matched by file name: median and max
    absolute difference, and median and max relative difference |d| / |glassray| (over the
    patterns where Glassray's value is not 0)."""
    with open(metrics_csv, newline="") as fh:
        rows = {row["filename"]: row for row in csv.DictReader(fh)}
    missing = [nm for nm in names if nm not in rows]
    if missing:
        print(f"compare: {len(missing)} pattern(s) not in {metrics_csv}, e.g. {missing[0]}")
    keep = [i for i, nm in enumerate(names) if nm in rows]
    ours = {}
    for k, mode in enumerate(["1atom", "2atom", "3atom", "4atom"]):
        ours[f"frac_{mode}"] = np.array([res["fits"][i]["fractions"][k] for i in keep])
        ours[f"frac_{mode}_sys"] = res["sys"][keep, k]
    print(f"\nagreement with {metrics_csv} over {len(keep)} patterns "
          "(abs = |baseline - glassray|, rel = abs / |glassray| where glassray != 0):")
    print(f"  {'column':16s} {'median abs':>11s} {'max abs':>11s} {'median rel':>11s} "
          f"{'max rel':>11s} {'glassray median':>16s} {'abs>1e-4':>8s} {'both nan':>8s} "
          f"{'one nan':>8s}")
    for col, mine in ours.items():
        theirs = np.array([float(rows[names[i]][col] or "nan") for i in keep])
        both = np.isnan(mine) & np.isnan(theirs)
        one = np.isnan(mine) ^ np.isnan(theirs)
        ok = ~(np.isnan(mine) | np.isnan(theirs))
        d = np.abs(mine[ok] - theirs[ok])
        nz = theirs[ok] != 0.0                # relative only where Glassray's value is not 0
        rel = d[nz] / np.abs(theirs[ok][nz])
        stat = lambda f, v: f(v) if v.size else np.nan
        print(f"  {col:16s} {stat(np.median, d):11.3e} {stat(np.max, d):11.3e} "
              f"{stat(np.median, rel):11.3e} {stat(np.max, rel):11.3e} "
              f"{stat(np.median, theirs[ok]):16.4e} {(d > 1e-4).sum():8d} {both.sum():8d} "
              f"{one.sum():8d}")


if __name__ == "__main__":
    main()
