#!/usr/bin/env bash
# Set everything up, then run the main job on the bundled specimen cache:
# ingest examples/ into an embedded SQLite database, print the findings and
# write an offline HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
rm -f out/demo.db
.venv/bin/armstrace ingest examples/cache --db out/demo.db --no-progress
.venv/bin/armstrace transfers --db out/demo.db
.venv/bin/armstrace findings --db out/demo.db
.venv/bin/armstrace report --db out/demo.db --out out/report.html
echo "Open out/report.html in a browser to read the findings with their evidence."
