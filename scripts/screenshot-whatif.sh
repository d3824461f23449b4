#!/usr/bin/env bash
# screenshots/whatif-model.png: the explorer at 1920×1080 on the demo with the Model (what-if)
# window open (its sample built and analysed) and Show planted on, in a virtual X display.
# Needs: apt-get install -y xvfb xauth xdotool imagemagick
# GLASSRAY=path/to/binary uses that build (default: a release build, made first).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GLASSRAY:-}" ]; then
    cargo build --release --locked
    GLASSRAY=target/release/glassray
fi
# Where the clicks go at 1920×1080 (the sidebar button, then the "Show planted" box).
MODEL_BUTTON=${MODEL_BUTTON:-"86 129"}
SHOW_PLANTED=${SHOW_PLANTED:-"1375 121"}
# A click in the RMSE panel at about 600 K moves the slider there.
AT_600K=${AT_600K:-"1741 860"}
WAIT=${WAIT:-25}
mkdir -p screenshots
w=1920 h=1080 display=:96
Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp &
xvfb=$!
export DISPLAY=$display
XDG_RUNTIME_DIR=$(mktemp -d)
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_RUNTIME_DIR XDG_CONFIG_HOME
sleep 1
"$GLASSRAY" &
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
# About 600 K (pattern 100 of 150), like the other screenshots.
# shellcheck disable=SC2086
click $AT_600K
sleep 2
# shellcheck disable=SC2086
click $MODEL_BUTTON
sleep "$WAIT"
# shellcheck disable=SC2086
click $SHOW_PLANTED
xdotool mousemove $((w - 5)) $((h - 5))
sleep 3
import -window root screenshots/whatif-model.png
kill "$app" "$xvfb" 2>/dev/null || true
wait "$app" "$xvfb" 2>/dev/null || true
echo "wrote screenshots/whatif-model.png"
