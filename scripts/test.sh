#!/usr/bin/env bash
# Runs every test: installs what the tests need, then the Rust test suite
# (unit, integration, real-Chromium browser tests), then builds the handbook
# (every link validated). Prints a closing summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --workspace
cargo run --release --quiet -- build
