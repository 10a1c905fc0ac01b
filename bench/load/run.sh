#!/usr/bin/env bash
# Load figures for docs/load.md: 8 concurrent `sender send` processes × 100 generated images each, to one
# `receiver serve` process over TLS on loopback. Runs tests/Integration.Tests/Reliability/LoadTests.cs (which also
# checks 0 lost, 0 duplicated and the receiver's peak memory) with ST_LOAD_REPORT set, so the measured figures are
# written to docs/load.md (overwritten).
#
# Usage: bench/load/run.sh [SIDES]   SIDES: comma-separated image sides, default "64,256" (64×64 and 256×256 runs)
set -euo pipefail
cd "$(dirname "$0")/../.."
export ST_LOAD_SIDES="${1:-64,256}" ST_LOAD_REPORT="docs/load.md"
dotnet build tests/Integration.Tests -c Release --nologo -v quiet
log=$(mktemp)
set +e
dotnet test tests/Integration.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Reliability.LoadTests" --logger "console;verbosity=detailed" >"$log" 2>&1
rc=$?
set -e
grep -E "img/s|wrote|Passed|Failed|Error Message" -A2 "$log" || cat "$log"
rm -f "$log"
[ $rc -eq 0 ] && cat docs/load.md
exit $rc
