#!/usr/bin/env bash
# screenshots/iq-panel.png: the explorer at 1920×1080 on the demo's AC series written as raw
# intensities (`glassray demo --intensity`), its composition inferred from the headers, the
# empty-cell background typed into the Reduction group (scale: auto, ρ0 refined per pattern),
# the I(Q) view chosen, at about 600 K, in a virtual X display.
# Needs: apt-get install -y xvfb xauth xdotool imagemagick
# GLASSRAY=path/to/binary uses that build (default: a release build, made first).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GLASSRAY:-}" ]; then
    cargo build --release --locked
    GLASSRAY=target/release/glassray
fi
# Where the clicks go at 1920×1080: the Background file field, the "I(Q) and reduction"
# switch, and the ρ0 versus T panel at about 600 K (moves the slider there).
BACKGROUND_FIELD=${BACKGROUND_FIELD:-"125 348"}
IQ_SWITCH=${IQ_SWITCH:-"409 42"}
AT_600K=${AT_600K:-"651 593"}
WAIT=${WAIT:-20}
OUT=${OUT:-screenshots/iq-panel.png}
mkdir -p "$(dirname "$OUT")"
data=$(mktemp -d)
"$GLASSRAY" demo --out "$data/raw" --intensity >/dev/null
w=1920 h=1080 display=:95
Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp &
xvfb=$!
export DISPLAY=$display
XDG_RUNTIME_DIR=$(mktemp -d)
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_RUNTIME_DIR XDG_CONFIG_HOME
sleep 1
"$GLASSRAY" "$data/raw/AC" &
app=$!
win=$(xdotool search --sync --name '^Glassray$' | head -1)
xdotool windowmove "$win" 0 0 windowsize "$win" "$w" "$h"
sleep "$WAIT"
click() {
    xdotool mousemove $1 $2
    sleep 0.3
    xdotool mousedown 1
    sleep 0.1
    xdotool mouseup 1
    sleep 1
}
if [ -n "${PROBE:-}" ]; then
    import -window root "$OUT"
else
    # shellcheck disable=SC2086
    click $BACKGROUND_FIELD
    # With no window manager the keyboard goes to the window only once it is focused.
    xdotool windowfocus --sync "$win"
    sleep 0.5
    xdotool type --delay 20 "$data/raw/empty-cell.xy"
    xdotool key Return
    sleep "$WAIT"
    # shellcheck disable=SC2086
    click $IQ_SWITCH
    sleep 3
    # shellcheck disable=SC2086
    click $AT_600K
    xdotool mousemove $((w - 5)) $((h - 5))
    sleep 3
    import -window root "$OUT"
fi
kill "$app" "$xvfb" 2>/dev/null || true
wait "$app" "$xvfb" 2>/dev/null || true
rm -rf "$data"
echo "wrote $OUT"
