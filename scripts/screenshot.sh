#!/usr/bin/env bash
# Regenerates screenshots/ from the real app in a virtual X display, at a laptop (1280×720),
# a common laptop (1366×768), the default window (1400×900) and a desktop/projector size (1920×1080).
# Needs: apt-get install -y xvfb xauth xdotool imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
mkdir -p screenshots
shoot() {
    local w=$1 h=$2 out=$3
    local display=:97
    Xvfb "$display" -screen 0 "${w}x${h}x24" -nolisten tcp &
    local xvfb=$!
    export DISPLAY=$display
    XDG_RUNTIME_DIR=$(mktemp -d)
    # A fresh config dir: the app starts on the demo, not on a last session.
    XDG_CONFIG_HOME=$(mktemp -d)
    export XDG_RUNTIME_DIR XDG_CONFIG_HOME
    sleep 1
    target/release/glassray &
    local app=$!
    local win
    win=$(xdotool search --sync --name '^Glassray$' | head -1)
    xdotool windowmove "$win" 0 0 windowsize "$win" "$w" "$h"
    sleep 7
    # Step the slider to about 600 K (pattern 100 of 150) so every panel shows a change.
    xdotool mousemove $((w - 5)) 5 windowfocus --sync "$win" 2>/dev/null || true
    xdotool key --delay 15 --repeat 100 Right
    sleep 3
    import -window root "screenshots/$out"
    kill "$app" "$xvfb" 2>/dev/null || true
    wait "$app" "$xvfb" 2>/dev/null || true
    echo "wrote screenshots/$out"
}
shoot 1280 720 main-window-1280x720.png
shoot 1366 768 main-window-1366x768.png
shoot 1400 900 main-window.png
shoot 1920 1080 main-window-1920x1080.png
# The fit panel of the 1400×900 window (header with the at-bound count, values, plot), enlarged.
convert screenshots/main-window.png -crop 380x450+636+346 +repage -filter point -resize 160% \
    screenshots/fit-panel.png
echo "wrote screenshots/fit-panel.png"
