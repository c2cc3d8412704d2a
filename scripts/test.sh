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
