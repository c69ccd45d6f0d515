#!/bin/sh
# Smoke check for the benchmark (not a test): the quick run must finish within 60 s and exit 0.
# Usage: bench/smoke.sh   (PYTHON=/path/to/python to pick the interpreter; default: python)
set -eu
cd "$(dirname "$0")/.."
exec timeout 60 "${PYTHON:-python}" bench/startup.py --quick
