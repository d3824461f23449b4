#!/usr/bin/env bash
# Regenerates screenshots/ from the real app in a virtual X display.
# Needs: apt-get install -y xvfb xauth xdotool imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
display=:97
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display XDG_RUNTIME_DIR XDG_CONFIG_HOME
XDG_RUNTIME_DIR=$(mktemp -d)
# A fresh config dir: the app starts on the demo, not on a last session.
XDG_CONFIG_HOME=$(mktemp -d)
sleep 1
target/release/glassray &
app=$!
sleep 6
# Drag the temperature slider to about 600 K so every panel shows a change from the reference.
xdotool mousemove 700 823 mousedown 1 sleep 0.2 mousemove 800 823 sleep 0.2 mouseup 1
sleep 1
mkdir -p screenshots
import -window root screenshots/main-window.png
# The fit panel: the lower half of the middle column, doubled for legibility.
convert screenshots/main-window.png -crop 380x410+636+386 +repage -filter point -resize 200% screenshots/fit-panel.png
echo "wrote screenshots/main-window.png and screenshots/fit-panel.png"
