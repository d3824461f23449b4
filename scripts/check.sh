#!/usr/bin/env bash
# What CI runs (.ci/run calls this): formatting, lints with and without the GUI, tests, docs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A cold run gains nothing from incremental caches, which double the size of target/.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Each step says how much disk is left, so a failure for want of space names itself in the log.
step() {
  printf '\n== %s\n' "$*"
  df -h . | tail -n 1 | awk '{print "   (disk: " $4 " free; target/ " }' | tr -d '\n'
  (du -sh target 2>/dev/null || echo "0 -") | awk '{print $1 ")"}'
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "the house: rooms only use rooms below them; threads, egui and clap stay in their rooms"
cargo test --locked --no-default-features --test tests house::

step "clippy (gui)"
cargo clippy --locked --all-targets -- -D warnings

step "clippy (no gui)"
cargo clippy --locked --all-targets --no-default-features -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps

# The integration tests run once, with the GUI, in the last step (the library's code outside
# `ui` is the same either way); without it, they are built (every cfg compiles) and the
# library's and the binary's own tests run.
step "tests without the gui feature (library, CLI, engine; integration tests built)"
cargo test --locked --no-default-features --lib --bins
cargo test --locked --no-default-features --all-targets --no-run

step "doc tests"
cargo test --locked --doc

step "benchmarks, run once as tests"
cargo test --locked --benches

# Last, so the closing line of the log counts the full test suite.
step "tests (everything, including the headless UI tests)"
cargo test --locked --lib --bins --tests
