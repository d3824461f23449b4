#!/usr/bin/env bash
# Whole-process speed, side by side: `glassray analyze` against scripts/numpy_baseline.py on the
# same 151-pattern × 1,250-point series (the demo's HPT sample), each run as a user runs it (a
# fresh process: start, read the files, analyse, write), alternating, N times each. Prints
# every wall time, the medians and their ratio, and one `/usr/bin/time -v` report of each.
#
# The like-for-like comparison is the default analysis on both sides, the systematic σ of the
# fractions included (`glassray analyze` always computes it). For reference it then times the
# baseline without the systematic σ (`--no-systematics`) and prints glassray's own stage times
# (`--timings`), so the ratio without that stage can be read off.
#
# Usage: scripts/speed_vs_numpy.sh [RUNS] [PYTHON]
#   RUNS    runs of each (default 7)
#   PYTHON  a python with numpy and scipy (default: python3; this project's peers' venv is
#           /work/venv-peers/bin/python)
# Needs a release build (`cargo build --release`) and GNU time (/usr/bin/time).
set -euo pipefail

runs=${1:-7}
python=${2:-python3}
here=$(cd "$(dirname "$0")/.." && pwd)
glassray="$here/target/release/glassray"
[ -x "$glassray" ] || { echo "build first: cargo build --release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is missing" >&2; exit 1; }
"$python" -c 'import numpy, scipy' || { echo "$python lacks numpy or scipy" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$glassray" demo --out "$work/demo" >/dev/null
series="$work/series"
mkdir "$series"
# Pattern files and the temperature log only (the baseline reads every other file as a pattern).
cp "$work/demo/HPT/"*.xy "$work/demo/HPT/temperatures.csv" "$series/"
echo "series: $(ls "$series"/*.xy | wc -l) patterns; machine: $(nproc) cores; $(uptime)"

# Wall time of one command in seconds (bash's microsecond clock).
wall() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.4f", b - a}'
}
baseline=("$python" "$here/scripts/numpy_baseline.py" "$series" --out "$work/np.csv" --repeats 1)
g=() p=() q=()
for ((i = 0; i < runs; i++)); do
  g+=("$(wall "$glassray" analyze "$series" --out "$work/out")")
  p+=("$(wall "${baseline[@]}")")
  q+=("$(wall "${baseline[@]}" --no-systematics)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
gm=$(median "${g[@]}")
pm=$(median "${p[@]}")
qm=$(median "${q[@]}")
echo "glassray analyze (s):                      ${g[*]}  median $gm"
echo "numpy_baseline.py (s):                     ${p[*]}  median $pm"
echo "numpy_baseline.py --no-systematics (s):    ${q[*]}  median $qm"
awk -v a="$pm" -v b="$gm" 'BEGIN {printf "numpy / glassray, the same analysis: %.1fx\n", a / b}'
echo
echo "--- without the systematic σ: glassray's stages (--timings), the baseline's median above"
timed=$("$glassray" analyze "$series" --out "$work/out" --timings | sed -n '/^timings/,$p')
echo "$timed"
sys_ms=$(echo "$timed" | awk '/systematic/ {print $(NF - 1)}')
total_ms=$(echo "$timed" | awk '/total \(the whole command\)/ {print $(NF - 1)}')
awk -v n="$qm" -v t="$total_ms" -v s="$sys_ms" 'BEGIN {
  printf "glassray whole command less its systematic stage: %.1f ms; numpy --no-systematics / that: %.1fx\n",
    t - s, 1000 * n / (t - s) }'
echo
echo "--- /usr/bin/time -v glassray analyze"
/usr/bin/time -v "$glassray" analyze "$series" --out "$work/out" 2>&1 >/dev/null |
  grep -E "Elapsed|User time|System time|Percent of CPU|Maximum resident"
echo "--- /usr/bin/time -v numpy_baseline.py --repeats 1"
/usr/bin/time -v "${baseline[@]}" 2>&1 >/dev/null |
  grep -E "Elapsed|User time|System time|Percent of CPU|Maximum resident"
echo "--- /usr/bin/time -v numpy_baseline.py --repeats 1 --no-systematics"
/usr/bin/time -v "${baseline[@]}" --no-systematics 2>&1 >/dev/null |
  grep -E "Elapsed|User time|System time|Percent of CPU|Maximum resident"
