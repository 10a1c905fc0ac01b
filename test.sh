#!/usr/bin/env bash
# Runs every test of the solution. Installs the test peers first (python3-grpcio, ...) if missing.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter Category!=Slow]
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
mkdir -p TestResults
log=TestResults/test-output.log
set +e
dotnet test SecureTransmit.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Failed tests again at the very end (the name and the first lines of the message), so a log's tail names them.
awk '/^  Failed [A-Za-z_]/ { print; n = 8; next } n > 0 && !/^ *(Stack Trace|Standard Output)/ { print; n--; next } { n = 0 }' "$log" | cut -c1-400
# One closing line over all test projects: "tests: N passed, N failed, N skipped".
awk '/(Passed|Failed)!  *- *Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i=="Failed:") f+=$(i+1); if ($i=="Passed:") p+=$(i+1); if ($i=="Skipped:") s+=$(i+1) }
     } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $rc
