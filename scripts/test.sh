#!/usr/bin/env bash
# Runs every test: installs what the tests need, then the Rust test suite
# (unit, integration, real-Chromium browser tests), builds the handbook (every
# link validated), and runs every Python example in it (`handbook test`, whose
# last line is `N passed, N failed`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --workspace
cargo run --release --quiet -- build
cargo run --release --quiet -- test
# The handbook promises that its examples work on every CPython from 3.11 on: run
# them again with each newer interpreter this machine has (examples marked
# `min_python` run only there).
for python in python3.12 python3.13 python3.14; do
    if "$python" -c 'import sys' 2>/dev/null; then
        cargo run --release --quiet -- test --python "$python"
    else
        echo "($python is not installed: its run is skipped)"
    fi
done
