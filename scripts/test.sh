#!/usr/bin/env bash
# Set everything up, then run the checks CI runs: lint, types, the knowledge-base
# linter and the test suite (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
.venv/bin/armstrace kb check
.venv/bin/pytest -q "$@"
