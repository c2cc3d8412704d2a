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
# them again with each newer interpreter this machine has, on PATH or installed by
# pyenv or uv (examples marked `min_python` run only there). An interpreter without
# `venv` could not make the environment some examples need, so it does not count.
newer_python() {
    local name="python3.$1" home="${HOME:-/nonexistent}" candidate
    local uv_dir="${UV_PYTHON_INSTALL_DIR:-${XDG_DATA_HOME:-$home/.local/share}/uv/python}"
    for candidate in "$(command -v "$name" || true)" $(
        ls -d "${PYENV_ROOT:-$home/.pyenv}"/versions/3."$1".*/bin/"$name" \
            "$uv_dir"/cpython-3."$1".*/bin/"$name" 2>/dev/null | sort -rV
    ); do
        if [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
}
for minor in 12 13 14 15; do
    python=$(newer_python "$minor")
    if [ -n "$python" ]; then
        echo "examples again with $python"
        # The browser's verification does not depend on the native interpreter: once is enough.
        cargo run --release --quiet -- test --no-browser --python "$python"
    else
        echo "(no usable python3.$minor on this machine: its run is skipped)"
    fi
done
