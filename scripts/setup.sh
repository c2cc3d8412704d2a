#!/usr/bin/env bash
# Installs the system packages the tests need, if they are missing:
# Chromium for the browser tests, redis-server for examples that declare it,
# the venv module for examples that need third-party packages, Node.js to run
# the search client against tantivy in the parity tests.
# Safe to run again; needs root (or sudo) on Debian/Ubuntu.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
